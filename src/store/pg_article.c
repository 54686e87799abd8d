/*
 * pg_article: articles and comments in the PostgreSQL backend.
 *
 * A comment's insert decides from what it reads (its form key, the same
 * text said again, its parent, the article's thread count), which SQLite's
 * single writer keeps whole; here several nodes insert at once, so each
 * decision rests on a lock held until COMMIT: the form key and a repeat
 * on advisory locks for the key and for the text's hash, the thread
 * number on the article's row, which the count's UPDATE locks.
 */
#include "store/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql_shared.h"

static enum err
read_article(struct arena *a, const PGresult *r, int row, void *p)
{
	struct article *out = p;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, row, 0);
	out->slug = pg_text(a, r, row, 1);
	out->title = pg_text(a, r, row, 2);
	out->author = pg_text(a, r, row, 3);
	out->published = pg_int(r, row, 4);
	out->image = pg_text(a, r, row, 5);
	out->caption = pg_text(a, r, row, 6);
	out->tags = pg_text(a, r, row, 7);
	out->body_md = pg_text(a, r, row, 8);
	out->body_html = pg_text(a, r, row, 9);
	out->comments_open = pg_int(r, row, 10) != 0;
	out->comment_count = pg_int(r, row, 11);
	out->thread_count = pg_int(r, row, 12);
	out->kind = pg_text(a, r, row, 13);
	if (!out->slug || !out->title || !out->author || !out->image ||
	    !out->caption || !out->tags || !out->body_md || !out->body_html ||
	    !out->kind)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
pg_read_comment(struct arena *a, const PGresult *r, int row, void *p)
{
	struct comment *out = p;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, row, 0);
	out->article_id = pg_int(r, row, 1);
	out->parent_id = pg_int(r, row, 2);
	out->root_id = pg_int(r, row, 3);
	out->depth = (int)pg_int(r, row, 4);
	out->author = pg_text(a, r, row, 5);
	out->email = pg_text(a, r, row, 6);
	out->url = pg_text(a, r, row, 7);
	out->avatar = pg_text(a, r, row, 8);
	out->body_md = pg_text(a, r, row, 9);
	out->body_html = pg_text(a, r, row, 10);
	out->created = pg_int(r, row, 11);
	out->ip = pg_text(a, r, row, 12);
	out->side = (int)pg_int(r, row, 13);
	out->featured = pg_int(r, row, 14) != 0;
	out->minds = pg_int(r, row, 15);
	out->status = store_status_of(PQgetvalue(r, row, 16));
	out->user_id = pg_int(r, row, 17);
	out->author_role = out->user_id > 0 && !pg_null(r, row, 18)
			       ? (int)store_role_of(PQgetvalue(r, row, 18))
			       : -1;
	out->author_profile = out->author_role >= 0 && pg_int(r, row, 19) != 0;
	out->edited = pg_int(r, row, 20);
	out->removed = pg_int(r, row, 21) != 0;
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

static struct pg_stmt article_by_slug =
    PG_STMT("SELECT " ARTICLE_COLS " FROM articles WHERE slug = $1"
	    " AND kind = 'article'");
static struct pg_stmt article_by_id =
    PG_STMT("SELECT " ARTICLE_COLS " FROM articles WHERE id = $1");
static struct pg_stmt article_list =
    PG_STMT("SELECT " ARTICLE_COLS " FROM articles WHERE kind = 'article'"
	    " ORDER BY published DESC, id DESC LIMIT $1 OFFSET $2");
static struct pg_stmt article_count =
    PG_STMT("SELECT count(*) FROM articles WHERE kind = 'article'");
static struct pg_stmt article_insert = PG_STMT(
    "INSERT INTO articles (slug, title, author, published, updated,"
    " image, caption, tags, body_md, body_html, comments_open)"
    " VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10) RETURNING id");
static struct pg_stmt article_set_open =
    PG_STMT("UPDATE articles SET comments_open = $2 WHERE id = $1");

static enum err
pg_article_by_slug(struct store *base, struct arena *a, const char *slug,
		   struct article *out)
{
	struct pg_args x = {0};

	pg_arg_text(&x, slug);
	return pg_read_one(pg_of(base), a, &article_by_slug, &x, read_article,
			   out);
}

static enum err
pg_article_by_id(struct store *base, struct arena *a, int64_t id,
		 struct article *out)
{
	struct pg_args x = {0};

	pg_arg_int(&x, id);
	return pg_read_one(pg_of(base), a, &article_by_id, &x, read_article,
			   out);
}

static enum err
pg_article_list(struct store *base, struct arena *a, int offset, int limit,
		struct article **out, size_t *n, int64_t *total)
{
	struct pg_store *st = pg_of(base);
	struct pg_args x = {0};
	enum err e;

	if ((e = pg_read_int(st, &article_count, NULL, total)) != ERR_OK)
		return e;
	pg_arg_int(&x, limit);
	pg_arg_int(&x, offset);
	return pg_read_all(st, a, &article_list, &x, sizeof(struct article),
			   read_article, (void **)out, n);
}

struct article_insert_args {
	const struct article *in;
	int64_t *id;
};

static enum err
run_article_insert(struct pg_conn *c, void *arg)
{
	struct article_insert_args *x = arg;
	const struct article *in = x->in;
	struct pg_args a = {0};

	pg_arg_text(&a, in->slug);
	pg_arg_text(&a, in->title);
	pg_arg_text(&a, in->author);
	pg_arg_int(&a, in->published);
	pg_arg_text(&a, in->image);
	pg_arg_text(&a, in->caption);
	pg_arg_text(&a, in->tags);
	pg_arg_text(&a, in->body_md);
	pg_arg_text(&a, in->body_html);
	pg_arg_int(&a, in->comments_open ? 1 : 0);
	return pg_exec_int(c, &article_insert, &a, x->id);
}

static enum err
pg_article_insert(struct store *base, const struct article *in, int64_t *id)
{
	struct article_insert_args x = {in, id};

	return pg_tx(pg_of(base), run_article_insert, &x);
}

static enum err
pg_article_set_open(struct store *base, int64_t id, bool open)
{
	struct pg_args x = {0};
	int64_t rows = 0;
	enum err e;

	pg_arg_int(&x, id);
	pg_arg_int(&x, open ? 1 : 0);
	e = pg_write(pg_of(base), &article_set_open, &x, &rows);
	return e == ERR_OK && rows == 0 ? ERR_NOTFOUND : e;
}

/*
 * The page's threads are a run of consecutive top-level ids, so their
 * comments are one range of comments_thread, in the order wanted.
 */
static struct pg_stmt comment_page_oldest = PG_STMT(
    "WITH top AS (SELECT id FROM comments WHERE article_id = $1"
    " AND depth = 0 AND status = 'approved' ORDER BY id"
    " LIMIT $2 OFFSET $3)"
    " SELECT " COMMENT_COLS_MD("''") " FROM comments c" COMMENT_JOINS
				     " WHERE c.article_id = $1 AND c.root_id"
				     " BETWEEN (SELECT min(id) FROM top) AND"
				     " (SELECT max(id) FROM top)"
				     " AND c.status = 'approved'"
				     " ORDER BY c.root_id, c.id");
/*
 * Sides take turns: each side's first thread, then each side's second,
 * and so on (threads that take no side come third).
 */
static struct pg_stmt comment_page_alternate =
    PG_STMT("WITH ranked AS (SELECT id, row_number() OVER (PARTITION BY side"
	    " ORDER BY id) AS rn, CASE side WHEN 1 THEN 0 WHEN 2 THEN 1"
	    " ELSE 2 END AS sk FROM comments WHERE article_id = $1"
	    " AND depth = 0 AND status = 'approved'),"
	    " top AS (SELECT id, rn, sk FROM ranked ORDER BY rn, sk"
	    " LIMIT $2 OFFSET $3)"
	    " SELECT " COMMENT_COLS " FROM top JOIN comments c"
	    " ON c.article_id = $1 AND c.root_id = top.id" COMMENT_JOINS
	    " WHERE c.status = 'approved' ORDER BY top.rn, top.sk, c.id");
static struct pg_stmt comment_page_minds =
    PG_STMT("WITH top AS (SELECT id, minds AS m FROM comments"
	    " WHERE article_id = $1 AND depth = 0 AND status = 'approved'"
	    " ORDER BY minds DESC, id LIMIT $2 OFFSET $3)"
	    " SELECT " COMMENT_COLS " FROM top JOIN comments c"
	    " ON c.article_id = $1 AND c.root_id = top.id" COMMENT_JOINS
	    " WHERE c.status = 'approved' ORDER BY top.m DESC, top.id, c.id");
static struct pg_stmt comment_get =
    PG_STMT("SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	    " WHERE c.id = $1 AND c.status = 'approved'");
static struct pg_stmt comment_thread_index =
    PG_STMT("SELECT thread_no FROM comments WHERE id = $2 AND article_id = $1"
	    " AND depth = 0 AND status = 'approved'");

static enum err
pg_comment_page(struct store *base, struct arena *a, int64_t article_id,
		enum comment_sort sort, int offset, int limit,
		struct comment **out, size_t *n)
{
	static struct pg_stmt *const by_sort[SORT__MAX] = {
	    [SORT_OLDEST] = &comment_page_oldest,
	    [SORT_ALTERNATE] = &comment_page_alternate,
	    [SORT_MINDS] = &comment_page_minds,
	};
	struct pg_args x = {0};

	if ((unsigned)sort >= SORT__MAX)
		sort = SORT_OLDEST;
	pg_arg_int(&x, article_id);
	pg_arg_int(&x, limit);
	pg_arg_int(&x, offset);
	return pg_read_all(pg_of(base), a, by_sort[sort], &x,
			   sizeof(struct comment), pg_read_comment,
			   (void **)out, n);
}

static enum err
pg_comment_get(struct store *base, struct arena *a, int64_t id,
	       struct comment *out)
{
	struct pg_args x = {0};

	pg_arg_int(&x, id);
	return pg_read_one(pg_of(base), a, &comment_get, &x, pg_read_comment,
			   out);
}

static enum err
pg_comment_thread_index(struct store *base, int64_t article_id, int64_t root_id,
			int64_t *index)
{
	struct pg_args x = {0};
	PGresult *r;
	enum err e = ERR_NOTFOUND;

	pg_arg_int(&x, article_id);
	pg_arg_int(&x, root_id);
	if ((r = pg_read(pg_of(base), &comment_thread_index, &x)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		*index = pg_int(r, 0, 0);
		e = ERR_OK;
	}
	PQclear(r);
	return e;
}

static struct pg_stmt comment_by_key =
    PG_STMT("SELECT id, article_id, coalesce(parent_id, 0), side, body_md"
	    " FROM comments WHERE request_key = $1");
/* Held until COMMIT: inserts under the same form key, or of the same
 * text, take turns, and each sees what the one before it stored. */
static struct pg_stmt comment_key_lock =
    PG_STMT("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
static struct pg_stmt comment_repeat_lock =
    PG_STMT("SELECT pg_advisory_xact_lock($1)");
/* The same text since $2 from the same email, account or network. */
static struct pg_stmt comment_repeat =
    PG_STMT("SELECT id FROM comments WHERE body_hash = $1 AND created >= $2"
	    " AND body_md = $3 AND (($4 <> '' AND lower(email) = lower($4))"
	    " OR ($5 <> 0 AND user_id = $5) OR ($6 <> '' AND network = $6))"
	    " LIMIT 1");
/*
 * A reply's thread number is its parent's, which a moderator's recount
 * may change: the article's row is locked first (as every recount locks
 * it), so the number read is the one that holds at COMMIT.
 */
static struct pg_stmt reply_article_lock =
    PG_STMT("SELECT 1 FROM articles WHERE id = $1 FOR NO KEY UPDATE");
static struct pg_stmt comment_parent =
    PG_STMT("SELECT article_id, root_id, depth, thread_no FROM comments"
	    " WHERE id = $1 AND status = 'approved'");
static struct pg_stmt article_exists =
    PG_STMT("SELECT 1 FROM articles WHERE id = $1");
/* Locks the article's row until COMMIT: its thread count is ours. */
static struct pg_stmt article_count_comment =
    PG_STMT("UPDATE articles SET comment_count = comment_count + $3,"
	    " thread_count = thread_count + $2"
	    " WHERE id = $1 AND comments_open = 1 RETURNING thread_count");
static struct pg_stmt comment_insert = PG_STMT(
    "INSERT INTO comments (article_id, parent_id, root_id, depth,"
    " author, email, url, avatar, body_md, body_html, created, ip,"
    " request_key, user_id, side, thread_no, network, body_hash, status,"
    " visitor, reason, spam_score, spam_features) VALUES ($1, $2, $3, $4,"
    " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
    " $19, $20, $21, $22, $23) RETURNING id");
static struct pg_stmt comment_set_root =
    PG_STMT("UPDATE comments SET root_id = id, thread_no = $2 WHERE id = $1");

struct comment_insert_args {
	struct comment *c;
	int64_t *id;
};

/*
 * The comment stored under c's form key, when there is one: the same form
 * sent again (same article, parent, side and body) is that comment, ERR_OK
 * with its id; other text, parent or side is ERR_CONFLICT with the earlier
 * id; a key from another article's form is ERR_CONFLICT with id 0 (see
 * key_used in sqlite.c, whose rules these are).  ERR_NOTFOUND: no comment
 * has the key.
 */
static enum err
comment_by_form_key(struct pg_conn *conn, const struct comment *c, int64_t *id)
{
	struct pg_args a = {0};
	const char *want = c->body_md ? c->body_md : "";
	PGresult *r;
	enum err e = ERR_OK;

	pg_arg_text(&a, c->request_key);
	if ((r = pg_run(conn, &comment_by_key, &a, NULL)) == NULL)
		return ERR_DB;
	*id = 0;
	if (PQntuples(r) == 0)
		e = ERR_NOTFOUND;
	else if (pg_int(r, 0, 1) != c->article_id)
		e = ERR_CONFLICT;
	else {
		*id = pg_int(r, 0, 0);
		if (pg_int(r, 0, 2) != c->parent_id ||
		    pg_int(r, 0, 3) != c->side ||
		    (size_t)PQgetlength(r, 0, 4) != strlen(want) ||
		    memcmp(PQgetvalue(r, 0, 4), want, strlen(want)) != 0)
			e = ERR_CONFLICT;
	}
	PQclear(r);
	return e;
}

/*
 * ERR_DUPLICATE with the earlier id when c says again what the same
 * email, account or network said since c->repeat_since.  Two copies sent
 * at once wait for each other on the text's lock: the second sees the
 * first once it is committed.
 */
static enum err
comment_repeated(struct pg_conn *conn, const struct comment *c, int64_t *id)
{
	struct pg_args a = {0}, l = {0};
	enum err e;

	pg_arg_int(&l, c->body_hash);
	if ((e = pg_exec(conn, &comment_repeat_lock, &l, NULL)) != ERR_OK)
		return e;
	pg_arg_int(&a, c->body_hash);
	pg_arg_int(&a, c->repeat_since);
	pg_arg_text(&a, c->body_md);
	pg_arg_text(&a, c->email ? c->email : "");
	pg_arg_int(&a, c->user_id);
	pg_arg_text(&a, c->network ? c->network : "");
	e = pg_exec_int(conn, &comment_repeat, &a, id);
	if (e == ERR_OK)
		return ERR_DUPLICATE;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

/* Where a reply goes: its root, depth and thread number from its parent;
 * ERR_INVALID when the parent is gone or another article's. */
static enum err
comment_place(struct pg_conn *conn, struct comment *c, int64_t *thread_no)
{
	struct pg_args a = {0}, l = {0};
	PGresult *r;

	c->root_id = 0;
	c->depth = 0;
	*thread_no = 0;
	if (c->parent_id == 0)
		return ERR_OK;
	pg_arg_int(&l, c->article_id);
	if ((r = pg_run(conn, &reply_article_lock, &l, NULL)) == NULL)
		return ERR_DB;
	PQclear(r);
	pg_arg_int(&a, c->parent_id);
	if ((r = pg_run(conn, &comment_parent, &a, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0 && pg_int(r, 0, 0) == c->article_id) {
		c->root_id = pg_int(r, 0, 1);
		c->depth = (int)pg_int(r, 0, 2) + 1;
		*thread_no = pg_int(r, 0, 3);
	}
	PQclear(r);
	return c->root_id == 0 ? ERR_INVALID : ERR_OK;
}

/*
 * Counts the comment on its article (only an approved one counts), which
 * locks the article's row; *threads is its thread count after.
 * ERR_FORBIDDEN when comments are closed, ERR_NOTFOUND when there is no
 * such article.
 */
static enum err
comment_count(struct pg_conn *conn, const struct comment *c, int64_t *threads)
{
	struct pg_args a = {0}, x = {0};
	enum err e;
	int64_t one;

	pg_arg_int(&a, c->article_id);
	pg_arg_int(&a, c->parent_id == 0 && c->status == STATUS_APPROVED);
	pg_arg_int(&a, c->status == STATUS_APPROVED);
	e = pg_exec_int(conn, &article_count_comment, &a, threads);
	if (e != ERR_NOTFOUND)
		return e;
	pg_arg_int(&x, c->article_id);
	e = pg_exec_int(conn, &article_exists, &x, &one);
	return e == ERR_OK ? ERR_FORBIDDEN : e;
}

static enum err
run_comment_insert(struct pg_conn *conn, void *arg)
{
	struct comment_insert_args *x = arg;
	struct comment *c = x->c;
	bool keyed = c->request_key && c->request_key[0];
	struct pg_args a = {0}, r = {0}, k = {0};
	int64_t thread_no, threads = 0;
	enum err e;

	if (keyed) {
		pg_arg_text(&k, c->request_key);
		if ((e = pg_exec(conn, &comment_key_lock, &k, NULL)) != ERR_OK)
			return e;
		e = comment_by_form_key(conn, c, x->id);
		if (e != ERR_NOTFOUND)
			return e;
	}
	if (c->repeat_since && (e = comment_repeated(conn, c, x->id)) != ERR_OK)
		return e;
	if ((e = comment_place(conn, c, &thread_no)) != ERR_OK)
		return e;
	if ((e = comment_count(conn, c, &threads)) != ERR_OK)
		return e;
	pg_arg_int(&a, c->article_id);
	if (c->parent_id)
		pg_arg_int(&a, c->parent_id);
	else
		pg_arg_null(&a);
	pg_arg_int(&a, c->root_id); /* fixed below for top level */
	pg_arg_int(&a, c->depth);
	pg_arg_text(&a, c->author);
	pg_arg_text(&a, c->email);
	pg_arg_text(&a, c->url);
	pg_arg_text(&a, c->avatar);
	pg_arg_text(&a, c->body_md);
	pg_arg_text(&a, c->body_html);
	pg_arg_int(&a, c->created);
	pg_arg_text(&a, c->ip);
	if (keyed)
		pg_arg_text(&a, c->request_key);
	else
		pg_arg_null(&a);
	if (c->user_id)
		pg_arg_int(&a, c->user_id);
	else
		pg_arg_null(&a);
	pg_arg_int(&a, c->side);
	pg_arg_int(&a, thread_no); /* fixed below for top level */
	pg_arg_text(&a, c->network ? c->network : "");
	if (c->body_hash)
		pg_arg_int(&a, c->body_hash);
	else
		pg_arg_null(&a);
	pg_arg_text(&a, store_status_name(c->status));
	pg_arg_text(&a, c->visitor);
	pg_arg_text(&a, c->reason);
	pg_arg_double(&a, c->spam_score);
	pg_arg_text(&a, c->spam_features);
	e = pg_exec_int(conn, &comment_insert, &a, x->id);
	if (e != ERR_OK)
		return e;
	c->id = *x->id;
	/*
	 * A new thread is its own root, and the last of its article's
	 * threads: its number is the count just raised, less one; a held
	 * thread is numbered when it is approved.
	 */
	if (c->parent_id != 0)
		return ERR_OK;
	c->root_id = c->id;
	pg_arg_int(&r, c->id);
	pg_arg_int(&r, c->status == STATUS_APPROVED ? threads - 1 : threads);
	return pg_exec(conn, &comment_set_root, &r, NULL);
}

static enum err
pg_comment_insert(struct store *base, struct comment *c, int64_t *id)
{
	struct comment_insert_args x = {c, id};

	return pg_tx(pg_of(base), run_comment_insert, &x);
}

/* A submitted comment insert: the job, its arguments and its caller. */
struct comment_submission {
	struct pg_job job;
	struct comment_insert_args args;
	int64_t id;
	void (*done)(void *arg, enum err e, int64_t id);
	void *arg;
};

static void
comment_submitted(struct pg_job *job, enum err e)
{
	struct comment_submission *cs = (struct comment_submission *)job;

	cs->done(cs->arg, e, cs->id);
	free(cs);
}

static enum err
pg_comment_insert_submit(struct store *base, struct comment *c,
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
	if (!pg_submit(pg_of(base), &cs->job)) {
		free(cs);
		return ERR_DB;
	}
	return ERR_OK;
}

void
pg_article_ops(struct store_ops *ops)
{
	ops->article_by_slug = pg_article_by_slug;
	ops->article_by_id = pg_article_by_id;
	ops->article_list = pg_article_list;
	ops->article_insert = pg_article_insert;
	ops->article_set_open = pg_article_set_open;
	ops->comment_page = pg_comment_page;
	ops->comment_get = pg_comment_get;
	ops->comment_thread_index = pg_comment_thread_index;
	ops->comment_insert = pg_comment_insert;
	ops->comment_insert_submit = pg_comment_insert_submit;
}
