/*
 * What the store's unit programs (test_store, test_powercut,
 * test_writefault) set up alike: a store opened with its error printed, an
 * article and a reader's comment to insert, a fresh database with one open
 * article in a scratch folder, and the folder removed at the end.  Include
 * after test.h.
 */
#ifndef PARLEY_STORE_FIXTURE_H
#define PARLEY_STORE_FIXTURE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/store.h"
#include "test.h"

/* Opens the store at path; NULL (the reason printed) when it cannot. */
static inline struct store *
fixture_store_open(const char *path)
{
	struct buf err;
	struct store *st;

	buf_init(&err, 512);
	st = store_open(path, &err);
	if (st == NULL)
		printf("store_open: %s\n", buf_cstr(&err));
	buf_clear(&err);
	return st;
}

/* An open article under slug; its strings are literals, not copied. */
static inline struct article
fixture_article(const char *slug)
{
	struct article a = {0};

	a.slug = slug;
	a.title = "Title";
	a.author = "Author";
	a.published = 1795305600;
	a.image = a.caption = a.tags = "";
	a.body_md = "Body";
	a.body_html = "<p>Body</p>";
	a.comments_open = true;
	return a;
}

/*
 * A reader's top-level comment on article: body as both Markdown and HTML,
 * sent with the form key key.  Not copied: the strings must outlive it.
 */
static inline struct comment
fixture_comment(int64_t article, const char *body, const char *key)
{
	struct comment c = {0};

	c.article_id = article;
	c.author = "Reader";
	c.email = "r@example.org";
	c.url = "";
	c.avatar = "00";
	c.body_md = body;
	c.body_html = body;
	c.created = 1795305600;
	c.ip = "127.0.0.1";
	c.request_key = key;
	return c;
}

/*
 * A fresh database dir/NAME.db (its path written to path) holding one open
 * article with slug name, whose id goes to *article; NULL when it cannot
 * be made.  The caller closes the store.
 */
static inline struct store *
fixture_store_fresh(const char *dir, const char *name, char *path, size_t n,
		    int64_t *article)
{
	struct article a = fixture_article(name);
	struct store *st;

	snprintf(path, n, "%s/%s.db", dir, name);
	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st == NULL)
		return NULL;
	CHECK(st->ops->article_insert(st, &a, article) == ERR_OK);
	return st;
}

/* How many stored comments have this text (-1 on error). */
static inline int64_t
fixture_stored(const char *path, const char *body)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM comments"
			       " WHERE body_md = ?1",
			       -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, body, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* The database is intact and each article's count matches its comments. */
static inline void
fixture_check_db(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	bool ok = false, counted = false;

	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	      SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) ==
		SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM articles a WHERE"
			       " comment_count != (SELECT count(*) FROM"
			       " comments c WHERE c.article_id = a.id)",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		counted = sqlite3_column_int(s, 0) == 0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	CHECK(ok);
	CHECK(counted);
}

/* Removes a scratch folder made by test_scratch_dir, and all it holds. */
static inline void
fixture_remove_dir(const char *dir)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

#endif
