/*
 * sqlite: the SQLite backend of the store: articles and comments, and the
 * table of operations.
 *
 * Reads run on one connection per thread, so readers never wait for each
 * other or for the writer (WAL).  Writes go to the writer thread
 * (sqlite_writer.c), which commits them in groups; connections are opened
 * and the file checked in sqlite_open.c.
 */
#include "store/sqlite_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/util.h"

enum err
sqlite_fail(sqlite3 *db, const char *what)
{
	log_warnx("sqlite: %s: %s", what, sqlite3_errmsg(db));
	return ERR_DB;
}

sqlite3_stmt *
conn_stmt(struct conn *c, enum stmt id)
{
	if (c->stmt[id] == NULL) {
		if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &c->stmt[id],
				       NULL) != SQLITE_OK) {
			log_warnx("sqlite: prepare %d: %s", (int)id,
				  sqlite3_errmsg(c->db));
			return NULL;
		}
	}
	sqlite3_reset(c->stmt[id]);
	sqlite3_clear_bindings(c->stmt[id]);
	return c->stmt[id];
}

struct conn *
sqlite_reader(struct sqlite_store *st)
{
	struct conn *c = pthread_getspecific(st->reader_key);
	struct buf err;

	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	buf_init(&err, 512);
	if (!sqlite_conn_open(c, st->path, CONN_READER, &err)) {
		log_warnx("sqlite: %s", buf_cstr(&err));
		buf_clear(&err);
		free(c);
		return NULL;
	}
	buf_clear(&err);
	pthread_setspecific(st->reader_key, c);
	pthread_mutex_lock(&st->readers_lock);
	c->next = st->readers;
	st->readers = c;
	pthread_mutex_unlock(&st->readers_lock);
	return c;
}

const char *
col_text(struct arena *a, sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	return t ? arena_strndup(a, (const char *)t, (size_t)n) : "";
}

void
bind_text(sqlite3_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(s, i, t ? t : "", -1, SQLITE_STATIC);
}

static enum err
read_article(struct arena *a, sqlite3_stmt *s, struct article *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->slug = col_text(a, s, 1);
	out->title = col_text(a, s, 2);
	out->author = col_text(a, s, 3);
	out->published = sqlite3_column_int64(s, 4);
	out->image = col_text(a, s, 5);
	out->caption = col_text(a, s, 6);
	out->tags = col_text(a, s, 7);
	out->body_md = col_text(a, s, 8);
	out->body_html = col_text(a, s, 9);
	out->comments_open = sqlite3_column_int(s, 10) != 0;
	out->comment_count = sqlite3_column_int64(s, 11);
	out->thread_count = sqlite3_column_int64(s, 12);
	out->kind = col_text(a, s, 13);
	if (!out->slug || !out->title || !out->author || !out->image ||
	    !out->caption || !out->tags || !out->body_md || !out->body_html ||
	    !out->kind)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_read_comment(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct comment *out = p;
	const char *role;

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->article_id = sqlite3_column_int64(s, 1);
	out->parent_id = sqlite3_column_int64(s, 2);
	out->root_id = sqlite3_column_int64(s, 3);
	out->depth = sqlite3_column_int(s, 4);
	out->author = col_text(a, s, 5);
	out->email = col_text(a, s, 6);
	out->url = col_text(a, s, 7);
	out->avatar = col_text(a, s, 8);
	out->body_md = col_text(a, s, 9);
	out->body_html = col_text(a, s, 10);
	out->created = sqlite3_column_int64(s, 11);
	out->ip = col_text(a, s, 12);
	out->side = sqlite3_column_int(s, 13);
	out->featured = sqlite3_column_int(s, 14) != 0;
	out->minds = sqlite3_column_int64(s, 15);
	out->status = store_status_of(col_text(a, s, 16));
	out->user_id = sqlite3_column_int64(s, 17);
	role = (const char *)sqlite3_column_text(s, 18);
	out->author_role =
	    out->user_id > 0 && role ? (int)store_role_of(role) : -1;
	out->author_profile =
	    out->author_role >= 0 && sqlite3_column_int(s, 19) != 0;
	out->edited = sqlite3_column_int64(s, 20);
	out->removed = sqlite3_column_int(s, 21) != 0;
	out->visitor = out->reason = out->spam_features = "";
	out->spam_score = -1;
	/* A side this code does not know is shown as none. */
	if (out->side < SIDE_NONE || out->side > SIDE_B)
		out->side = SIDE_NONE;
	if (!out->author || !out->email || !out->url || !out->avatar ||
	    !out->body_md || !out->body_html || !out->ip)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
fill_article(struct arena *a, sqlite3_stmt *s, void *out)
{
	return read_article(a, s, out);
}

/* Runs a statement that yields at most one article. */
static enum err
article_one(struct sqlite_store *st, struct arena *a, enum stmt id,
	    const char *text, int64_t num, struct article *out)
{
	struct conn *c = sqlite_reader(st);
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, id)) == NULL)
		return ERR_DB;
	if (text)
		bind_text(s, 1, text);
	else
		sqlite3_bind_int64(s, 1, num);
	return sqlite_one(c, a, s, fill_article, out, "article");
}

static enum err
sqlite_article_by_slug(struct store *base, struct arena *a, const char *slug,
		       struct article *out)
{
	return article_one((struct sqlite_store *)base, a, STMT_ARTICLE_BY_SLUG,
			   slug, 0, out);
}

static enum err
sqlite_article_by_id(struct store *base, struct arena *a, int64_t id,
		     struct article *out)
{
	return article_one((struct sqlite_store *)base, a, STMT_ARTICLE_BY_ID,
			   NULL, id, out);
}

enum err
sqlite_one(struct conn *c, struct arena *a, sqlite3_stmt *s,
	   enum err (*fill)(struct arena *, sqlite3_stmt *, void *), void *out,
	   const char *what)
{
	int rc = sqlite3_step(s);
	enum err e;

	if (rc == SQLITE_ROW)
		e = fill ? fill(a, s, out) : ERR_OK;
	else if (rc == SQLITE_DONE)
		e = ERR_NOTFOUND;
	else
		e = sqlite_fail(c->db, what);
	sqlite3_reset(s);
	return e;
}

enum err
sqlite_step_done(struct conn *w, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return ERR_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return ERR_CONFLICT;
	return sqlite_fail(w->db, what);
}

enum err
sqlite_collect(struct conn *c, struct arena *a, sqlite3_stmt *s, size_t sz,
	       enum err (*fill)(struct arena *, sqlite3_stmt *, void *),
	       void **out, size_t *n, const char *what)
{
	size_t cap = 16, len = 0;
	char *items = arena_alloc(a, cap * sz), *bigger;
	enum err e = ERR_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if (items == NULL) {
		sqlite3_reset(s);
		return ERR_NOMEM;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			bigger = arena_alloc(a, cap * 2 * sz);
			if (bigger == NULL) {
				e = ERR_NOMEM;
				break;
			}
			memcpy(bigger, items, len * sz);
			items = bigger;
			cap *= 2;
		}
		e = fill(a, s, items + len * sz);
		if (e != ERR_OK)
			break;
		len++;
	}
	if (e == ERR_OK && rc != SQLITE_DONE)
		e = sqlite_fail(c->db, what);
	sqlite3_reset(s);
	*out = items;
	*n = len;
	return e;
}

static enum err
count_one(struct conn *c, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return sqlite_fail(c->db, "count");
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return ERR_OK;
}

static enum err
sqlite_article_list(struct store *base, struct arena *a, int offset, int limit,
		    struct article **out, size_t *n, int64_t *total)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c = sqlite_reader(st);
	sqlite3_stmt *s;
	enum err e;

	if (c == NULL || (s = conn_stmt(c, STMT_ARTICLE_COUNT)) == NULL)
		return ERR_DB;
	if ((e = count_one(c, s, total)) != ERR_OK)
		return e;
	if ((s = conn_stmt(c, STMT_ARTICLE_LIST)) == NULL)
		return ERR_DB;
	sqlite3_bind_int(s, 1, limit);
	sqlite3_bind_int(s, 2, offset);
	return sqlite_collect(c, a, s, sizeof(struct article), fill_article,
			      (void **)out, n, "list");
}

static enum err
sqlite_comment_page(struct store *base, struct arena *a, int64_t article_id,
		    enum comment_sort sort, int offset, int limit,
		    struct comment **out, size_t *n)
{
	static const enum stmt by_sort[SORT__MAX] = {
	    [SORT_OLDEST] = STMT_COMMENT_PAGE,
	    [SORT_ALTERNATE] = STMT_COMMENT_PAGE_ALTERNATE,
	    [SORT_MINDS] = STMT_COMMENT_PAGE_MINDS,
	};
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c = sqlite_reader(st);
	sqlite3_stmt *s;

	if ((unsigned)sort >= SORT__MAX)
		sort = SORT_OLDEST;
	if (c == NULL || (s = conn_stmt(c, by_sort[sort])) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int(s, 3, offset);
	return sqlite_collect(c, a, s, sizeof(struct comment),
			      sqlite_read_comment, (void **)out, n, "list");
}

static enum err
sqlite_comment_get(struct store *base, struct arena *a, int64_t id,
		   struct comment *out)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c = sqlite_reader(st);
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_COMMENT_GET)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	return sqlite_one(c, a, s, sqlite_read_comment, out, "comment");
}

static enum err
sqlite_comment_thread_index(struct store *base, int64_t article_id,
			    int64_t root_id, int64_t *index)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c = sqlite_reader(st);
	sqlite3_stmt *s;
	int rc;

	if (c == NULL || (s = conn_stmt(c, STMT_COMMENT_THREAD_INDEX)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int64(s, 2, root_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*index = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "thread index");
}

struct article_insert_args {
	const struct article *in;
	int64_t *id;
};

static enum err
run_article_insert(struct conn *w, void *arg)
{
	struct article_insert_args *x = arg;
	const struct article *in = x->in;
	sqlite3_stmt *s = conn_stmt(w, STMT_ARTICLE_INSERT);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, in->slug);
	bind_text(s, 2, in->title);
	bind_text(s, 3, in->author);
	sqlite3_bind_int64(s, 4, in->published);
	bind_text(s, 5, in->image);
	bind_text(s, 6, in->caption);
	bind_text(s, 7, in->tags);
	bind_text(s, 8, in->body_md);
	bind_text(s, 9, in->body_html);
	sqlite3_bind_int(s, 10, in->comments_open ? 1 : 0);
	if ((e = sqlite_step_done(w, s, "article insert")) != ERR_OK)
		return e;
	*x->id = sqlite3_last_insert_rowid(w->db);
	return ERR_OK;
}

static enum err
sqlite_article_insert(struct store *base, const struct article *in, int64_t *id)
{
	struct article_insert_args x = {in, id};

	return sqlite_write((struct sqlite_store *)base, run_article_insert,
			    &x);
}

struct set_open_args {
	int64_t id;
	bool open;
};

static enum err
run_article_set_open(struct conn *w, void *arg)
{
	struct set_open_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_ARTICLE_SET_OPEN);
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	sqlite3_bind_int(s, 2, x->open ? 1 : 0);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sqlite_fail(w->db, "article open");
	return sqlite3_changes(w->db) ? ERR_OK : ERR_NOTFOUND;
}

static enum err
sqlite_article_set_open(struct store *base, int64_t id, bool open)
{
	struct set_open_args x = {id, open};

	return sqlite_write((struct sqlite_store *)base, run_article_set_open,
			    &x);
}

struct comment_insert_args {
	struct comment *c;
	int64_t *id;
};

/*
 * A form key names one comment: the row of STMT_COMMENT_BY_KEY in s is
 * the comment stored under c's key.  The same form sent again (same
 * article, parent, side and body) is that comment: ERR_OK with its id.
 * Other text, parent or side is ERR_CONFLICT with the earlier id, since
 * answering with the earlier comment would drop what the reader wrote
 * since.  A key from another article's form is ERR_CONFLICT with id 0:
 * a form moved elsewhere is forged.  The name, email and website are not
 * compared: a reader who corrects their name and sends again still means
 * the comment already stored, and a refusal would only invite the same
 * text twice.
 */
static enum err
key_used(sqlite3_stmt *s, const struct comment *c, int64_t *id)
{
	const char *body = (const char *)sqlite3_column_text(s, 4);
	size_t len = (size_t)sqlite3_column_bytes(s, 4);
	const char *want = c->body_md ? c->body_md : "";

	*id = 0;
	if (sqlite3_column_int64(s, 1) != c->article_id)
		return ERR_CONFLICT;
	*id = sqlite3_column_int64(s, 0);
	if (sqlite3_column_int64(s, 2) != c->parent_id ||
	    sqlite3_column_int(s, 3) != c->side)
		return ERR_CONFLICT;
	if (body == NULL || len != strlen(want) || memcmp(body, want, len) != 0)
		return ERR_CONFLICT;
	return ERR_OK;
}

/*
 * ERR_DUPLICATE with the earlier id when c says again what the same
 * email, account or network said since c->repeat_since.  In the write's
 * own transaction: two copies sent at once are one comment, not two.
 */
static enum err
comment_repeat(struct conn *w, const struct comment *c, int64_t *id)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_COMMENT_REPEAT);
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, c->body_hash);
	sqlite3_bind_int64(s, 2, c->repeat_since);
	bind_text(s, 3, c->body_md);
	bind_text(s, 4, c->email ? c->email : "");
	sqlite3_bind_int64(s, 5, c->user_id);
	bind_text(s, 6, c->network ? c->network : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return ERR_DUPLICATE;
	if (rc != SQLITE_DONE)
		return sqlite_fail(w->db, "comment repeat");
	return ERR_OK;
}

static enum err
run_comment_insert(struct conn *w, void *arg)
{
	struct comment_insert_args *x = arg;
	struct comment *c = x->c;
	sqlite3_stmt *s;
	int64_t thread_no, threads = 0;
	int rc;

	if (c->request_key && c->request_key[0]) {
		if ((s = conn_stmt(w, STMT_COMMENT_BY_KEY)) == NULL)
			return ERR_DB;
		bind_text(s, 1, c->request_key);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			enum err e = key_used(s, c, x->id);

			sqlite3_reset(s);
			return e;
		}
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return sqlite_fail(w->db, "comment key");
	}
	if (c->repeat_since) {
		enum err e = comment_repeat(w, c, x->id);

		if (e != ERR_OK)
			return e;
	}
	c->root_id = 0;
	c->depth = 0;
	thread_no = 0;
	if (c->parent_id) {
		if ((s = conn_stmt(w, STMT_COMMENT_PARENT)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, c->parent_id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW &&
		    sqlite3_column_int64(s, 0) == c->article_id) {
			c->root_id = sqlite3_column_int64(s, 1);
			c->depth = sqlite3_column_int(s, 2) + 1;
			thread_no = sqlite3_column_int64(s, 3);
		}
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return sqlite_fail(w->db, "comment parent");
		if (c->root_id == 0)
			return ERR_INVALID; /* gone, or another article's */
	}
	if ((s = conn_stmt(w, STMT_COMMENT_INSERT)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, c->article_id);
	if (c->parent_id)
		sqlite3_bind_int64(s, 2, c->parent_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, c->root_id); /* fixed below for top level */
	sqlite3_bind_int(s, 4, c->depth);
	bind_text(s, 5, c->author);
	bind_text(s, 6, c->email);
	bind_text(s, 7, c->url);
	bind_text(s, 8, c->avatar);
	bind_text(s, 9, c->body_md);
	bind_text(s, 10, c->body_html);
	sqlite3_bind_int64(s, 11, c->created);
	bind_text(s, 12, c->ip);
	if (c->request_key && c->request_key[0])
		bind_text(s, 13, c->request_key);
	else
		sqlite3_bind_null(s, 13);
	if (c->user_id)
		sqlite3_bind_int64(s, 14, c->user_id);
	else
		sqlite3_bind_null(s, 14);
	sqlite3_bind_int(s, 15, c->side);
	sqlite3_bind_int64(s, 16, thread_no); /* fixed below for top level */
	bind_text(s, 17, c->network ? c->network : "");
	if (c->body_hash)
		sqlite3_bind_int64(s, 18, c->body_hash);
	else
		sqlite3_bind_null(s, 18);
	bind_text(s, 19, store_status_name(c->status));
	bind_text(s, 20, c->visitor);
	bind_text(s, 21, c->reason);
	sqlite3_bind_double(s, 22, c->spam_score);
	bind_text(s, 23, c->spam_features);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return ERR_NOTFOUND; /* no such article */
	if (rc != SQLITE_DONE)
		return sqlite_fail(w->db, "comment insert");
	c->id = *x->id = sqlite3_last_insert_rowid(w->db);
	if ((s = conn_stmt(w, STMT_ARTICLE_COUNT_COMMENT)) == NULL)
		return ERR_DB;
	/*
	 * Only an approved comment is counted; a held one still meets the
	 * article's open check here.
	 */
	sqlite3_bind_int64(s, 1, c->article_id);
	sqlite3_bind_int(s, 2,
			 c->parent_id == 0 && c->status == STATUS_APPROVED);
	sqlite3_bind_int(s, 3, c->status == STATUS_APPROVED);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		threads = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return ERR_FORBIDDEN; /* closed, or no such article */
	if (rc != SQLITE_ROW)
		return sqlite_fail(w->db, "comment count");
	/*
	 * A new thread is its own root, and the last of its article's
	 * threads: its number is the count just raised, less one.
	 */
	if (c->parent_id == 0) {
		c->root_id = c->id;
		if ((s = conn_stmt(w, STMT_COMMENT_SET_ROOT)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, c->id);
		/* A held thread is numbered when it is approved. */
		sqlite3_bind_int64(
		    s, 2, c->status == STATUS_APPROVED ? threads - 1 : threads);
		return sqlite_step_done(w, s, "comment root");
	}
	return ERR_OK;
}

static enum err
sqlite_comment_insert(struct store *base, struct comment *c, int64_t *id)
{
	struct comment_insert_args x = {c, id};

	return sqlite_write((struct sqlite_store *)base, run_comment_insert,
			    &x);
}

/* A submitted comment insert: the job, its arguments and its caller. */
struct comment_submission {
	struct write_job job;
	struct comment_insert_args args;
	int64_t id;
	void (*done)(void *arg, enum err e, int64_t id);
	void *arg;
};

static void
comment_submitted(struct write_job *job)
{
	struct comment_submission *cs = (struct comment_submission *)job;

	cs->done(cs->arg, job->result, cs->id);
	free(cs);
}

static enum err
sqlite_comment_insert_submit(struct store *base, struct comment *c,
			     void (*done)(void *arg, enum err e, int64_t id),
			     void *arg)
{
	struct comment_submission *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		return ERR_NOMEM;
	cs->args.c = c;
	cs->args.id = &cs->id;
	cs->job.run = run_comment_insert;
	cs->job.arg = &cs->args;
	cs->job.complete = comment_submitted;
	cs->done = done;
	cs->arg = arg;
	if (!sqlite_submit((struct sqlite_store *)base, &cs->job)) {
		free(cs);
		return ERR_DB;
	}
	return ERR_OK;
}

static void
sqlite_close(struct store *base)
{
	struct sqlite_store *st = (struct sqlite_store *)base;
	struct conn *c, *next;

	if (st->writer_started) {
		pthread_mutex_lock(&st->lock);
		st->stopping = true;
		pthread_cond_broadcast(&st->job_ready);
		pthread_mutex_unlock(&st->lock);
		pthread_join(st->writer_thread, NULL);
	}
	for (c = st->readers; c != NULL; c = next) {
		next = c->next;
		sqlite_conn_close(c);
		free(c);
	}
	if (st->writer.db) {
		/* Fold the WAL back into the database file on a clean stop. */
		if (!st->gone)
			(void)sqlite3_exec(st->writer.db,
					   "PRAGMA wal_checkpoint(TRUNCATE)",
					   NULL, NULL, NULL);
		sqlite_conn_close(&st->writer);
	}
	pthread_key_delete(st->reader_key);
	pthread_mutex_destroy(&st->readers_lock);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->job_ready);
	pthread_cond_destroy(&st->job_done);
	free(st->path);
	free(st);
}

static enum err
sqlite_health(struct store *base, char *why, size_t n)
{
	return sqlite_fault((struct sqlite_store *)base, why, n) ? ERR_DB
								 : ERR_OK;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .health = sqlite_health,
    .article_by_slug = sqlite_article_by_slug,
    .article_by_id = sqlite_article_by_id,
    .article_list = sqlite_article_list,
    .article_insert = sqlite_article_insert,
    .article_set_open = sqlite_article_set_open,
    .comment_page = sqlite_comment_page,
    .comment_get = sqlite_comment_get,
    .comment_thread_index = sqlite_comment_thread_index,
    .comment_insert = sqlite_comment_insert,
    .comment_insert_submit = sqlite_comment_insert_submit,
    /* Identity (sqlite_user.c). */
    .user_insert = sqlite_user_insert,
    .user_get = sqlite_user_get,
    .user_by_email = sqlite_user_by_email,
    .user_claims = sqlite_user_claims,
    .user_list = sqlite_user_list,
    .user_update = sqlite_user_update,
    .user_count_role = sqlite_user_count_role,
    .user_delete = sqlite_user_delete,
    .user_articles = sqlite_user_articles,
    .user_comments = sqlite_user_comments,
    .session_insert = sqlite_session_insert,
    .session_user = sqlite_session_user,
    .session_delete = sqlite_session_delete,
    .session_delete_user = sqlite_session_delete_user,
    .token_insert = sqlite_token_insert,
    .token_get = sqlite_token_get,
    .identity_user = sqlite_identity_user,
    .identity_insert = sqlite_identity_insert,
    .mail_insert = sqlite_mail_insert,
    .mail_due = sqlite_mail_due,
    .mail_sent = sqlite_mail_sent,
    .mail_failed = sqlite_mail_failed,
    /* Debates (sqlite_debate.c). */
    .debate_insert = sqlite_debate_insert,
    .debate_by_slug = sqlite_debate_by_slug,
    .debate_list = sqlite_debate_list,
    .debate_speakers = sqlite_debate_speakers,
    .debate_statements = sqlite_debate_statements,
    .debate_set_status = sqlite_debate_set_status,
    .debate_tally = sqlite_debate_tally,
    .debate_buckets = sqlite_debate_buckets,
    .debate_voter = sqlite_debate_voter,
    .debate_vote = sqlite_debate_vote,
    .debate_vote_submit = sqlite_debate_vote_submit,
    .debate_add_refusals = sqlite_debate_add_refusals,
    .debate_refuser_add = sqlite_debate_refuser_add,
    .debate_mind = sqlite_debate_mind,
    .debate_feature = sqlite_debate_feature,
    .debate_featured = sqlite_debate_featured,
    .debate_top_comments = sqlite_debate_top_comments,
    .debate_home_epoch = sqlite_debate_home_epoch,
    /* Moderation (sqlite_moderation.c). */
    .mod_get = sqlite_mod_get,
    .mod_status = sqlite_mod_status,
    .mod_list = sqlite_mod_list,
    .mod_counts = sqlite_mod_counts,
    .mod_pending_count = sqlite_mod_pending_count,
    .mod_set_status = sqlite_mod_set_status,
    .mod_edit = sqlite_mod_edit,
    .comment_revise = sqlite_comment_revise,
    .comment_own_recent = sqlite_comment_own_recent,
    .mod_purge = sqlite_mod_purge,
    .mod_log = sqlite_mod_log,
    .mod_log_add = sqlite_mod_log_add,
    .mod_own_pending = sqlite_mod_own_pending,
    .mod_approved_by = sqlite_mod_approved_by,
    .flag_add = sqlite_flag_add,
    .flag_open_count = sqlite_flag_open_count,
    .ban_insert = sqlite_ban_insert,
    .ban_list = sqlite_ban_list,
    .ban_delete = sqlite_ban_delete,
    .ban_find = sqlite_ban_find,
    .spam_model_get = sqlite_spam_model_get,
    .spam_model_put = sqlite_spam_model_put,
    .spam_rows = sqlite_spam_rows,
    /* Copying a whole site (sqlite_copy.c). */
    .copy_schema_check = sqlite_copy_schema_check,
    .copy_count = sqlite_copy_count,
    .copy_rows = sqlite_copy_rows,
    .copy_load = sqlite_copy_load,
};

struct store *
sqlite_store_open(const char *path, struct buf *err)
{
	struct sqlite_store *st = calloc(1, sizeof(*st));

	if (st == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		buf_seterr(err, "%s", "out of memory");
		return NULL;
	}
	st->base.ops = &sqlite_ops;
	pthread_key_create(&st->reader_key, NULL);
	pthread_mutex_init(&st->readers_lock, NULL);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->job_ready, NULL);
	pthread_cond_init(&st->job_done, NULL);
	if (!sqlite_open_writer(st, err))
		goto fail;
	/* What is there now is what the caches will see first. */
	sqlite_writer_watch(st);
	if (pthread_create(&st->writer_thread, NULL, sqlite_writer_main, st) !=
	    0) {
		buf_seterr(err, "%s", "cannot start the database writer");
		goto fail;
	}
	st->writer_started = true;
	return &st->base;
fail:
	sqlite_close(&st->base);
	return NULL;
}
