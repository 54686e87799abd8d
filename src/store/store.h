/*
 * store: the only code that knows SQL.  One interface, backends behind a
 * table of operations (SQLite now; PostgreSQL can be added as another
 * table without touching handlers or models).
 *
 * Records returned by reads are allocated in the caller's arena.  Writes
 * return only once the change is durably committed.
 */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct article {
	int64_t id;
	const char *slug;
	const char *title;
	const char *author;
	int64_t published;	/* seconds since the epoch, UTC */
	const char *image;	/* may be "" */
	const char *caption;
	const char *tags;	/* comma-separated */
	const char *body_md;
	const char *body_html;	/* rendered and sanitized when stored */
	bool comments_open;
	int64_t comment_count;	/* approved comments */
	int64_t thread_count;	/* approved top-level comments */
};

struct comment {
	int64_t id;
	int64_t article_id;
	int64_t parent_id;	/* 0 for a top-level comment */
	int64_t root_id;	/* the top-level ancestor; itself at top level */
	int depth;		/* 0 at top level */
	const char *author;
	const char *email;	/* never shown */
	const char *url;
	const char *avatar;	/* keyed hash naming the generated avatar */
	const char *body_md;
	const char *body_html;
	int64_t created;
	const char *ip;
	const char *request_key;	/* the form's one-time key, or NULL */
};

struct store;

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	enum err (*article_by_slug)(struct store *st, struct arena *a,
				    const char *slug, struct article *out);
	enum err (*article_by_id)(struct store *st, struct arena *a,
				  int64_t id, struct article *out);
	enum err (*article_list)(struct store *st, struct arena *a,
				 int offset, int limit, struct article **out,
				 size_t *n, int64_t *total);
	enum err (*article_insert)(struct store *st, const struct article *in,
				   int64_t *id);
	enum err (*article_set_open)(struct store *st, int64_t id, bool open);
	enum err (*comment_page)(struct store *st, struct arena *a,
				 int64_t article_id, int offset, int limit,
				 struct comment **out, size_t *n);
	enum err (*comment_get)(struct store *st, struct arena *a, int64_t id,
				struct comment *out);
	enum err (*comment_thread_index)(struct store *st, int64_t article_id,
					 int64_t root_id, int64_t *index);
	/*
	 * Stores c (id, root_id and depth are filled in from parent_id).  A
	 * request_key already used returns ERR_OK with the earlier id, so a
	 * form sent twice makes one comment.
	 */
	enum err (*comment_insert)(struct store *st, struct comment *c,
				   int64_t *id);
};

struct store {
	const struct store_ops *ops;
};

/*
 * Opens the store named by db: a file path for SQLite.  Applies pending
 * migrations.  On failure returns NULL with a message in err.
 */
struct buf;
struct store *store_open(const char *db, struct buf *err);

static inline void
store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

/* The SQLite backend (store/sqlite.c). */
struct store *sqlite_store_open(const char *path, struct buf *err);

#endif
