/*
 * pg_moderation: comments' statuses, own edits, the moderation queues and
 * log, readers' flags, bans and the saved spam model, in the PostgreSQL
 * backend.  The same operations as sqlite_moderation.c and sqlite_flags.c,
 * with the same results.
 *
 * SQLite's single writer makes each read-then-write job atomic; here
 * several processes write at once, so every write that decides on what it
 * read first locks the rows it decides on: the discussion's row, then the
 * comment's (always in that order, and in order of id when there are
 * several, so two writes never wait on each other).  A discussion's counts
 * and thread numbers are made again under its lock, by statements begun
 * after it was taken: they see every commit of the writes it waited for.
 * FOR NO KEY UPDATE, not FOR UPDATE: a reply's insert checks its parent
 * and discussion with a key-share lock, which needs not wait.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/pg_internal.h"
#include "store/sql_shared.h"

/* What the moderation log names as the actor of a hold. */
#define FLAG_ACTOR "readers' flags"

/* What a comment removed by its author shows (sqlite_stmt.c). */
#define REMOVED_HTML                                                           \
	"'<p class=\"removed\">This comment was removed by its author.</p>'"

/* The comments a discussion counts, after "WHERE c.article_id = ..". */
#define COUNTED                                                                \
	" AND c.status = 'approved' AND NOT EXISTS (SELECT 1 FROM"             \
	" comment_own_edits e WHERE e.comment_id = c.id AND e.removed = 1)"

/* What of a reader's own comments they may still change. */
#define OWN_SHOWN                                                              \
	" AND c.status IN ('approved', 'pending') AND NOT EXISTS (SELECT 1"    \
	" FROM comment_own_edits e WHERE e.comment_id = c.id"                  \
	" AND e.removed = 1) ORDER BY c.id LIMIT 50"

/*
 * A comment in a moderation queue (sqlite_stmt.c's MOD_COLS): addresses
 * compare without case, as NOCASE does there.
 */
#define MOD_COLS                                                               \
	COMMENT_COLS ", c.visitor, c.reason, c.spam_score, c.spam_features, "  \
		     "c.status_at, a.slug, a.title, a.kind, "                  \
		     "coalesce(p.author, ''), (SELECT count(*) FROM comments " \
		     "h WHERE h.status = 'approved' AND ((c.user_id IS NOT "   \
		     "NULL AND h.user_id = c.user_id) OR (c.email <> '' AND "  \
		     "h.email <> '' AND lower(h.email) = lower(c.email)))), "  \
		     "substr(coalesce(p.body_md, ''), 1, 200)"
#define MOD_FROM                                                               \
	" FROM comments c" COMMENT_JOINS                                       \
	" JOIN articles a ON a.id = c.article_id"                              \
	" LEFT JOIN comments p ON p.id = c.parent_id"

/* A queue's filters, $2 to $9; every one optional. */
#define MOD_FILTERS                                                            \
	" AND ($2::bigint = 0 OR c.article_id = $2)"                           \
	" AND ($3::text = '' OR lower(c.author) = lower($3))"                  \
	" AND ($4::text = '' OR lower(c.email) = lower($4))"                   \
	" AND ($5::text = '' OR c.ip = $5)"                                    \
	" AND ($6::text = '' OR strpos(c.reason, $6) > 0)"                     \
	" AND ($7::integer <= 0 OR c.spam_score * 100 >= $7)"                  \
	" AND ($8::bigint = 0 OR c.id < $8) ORDER BY c.id DESC LIMIT $9"

static struct pg_stmt mod_get_stmt =
    PG_STMT("SELECT " MOD_COLS MOD_FROM " WHERE c.id = $1");
static struct pg_stmt mod_list_stmt = PG_STMT(
    "SELECT " MOD_COLS MOD_FROM " WHERE c.status = $1::text" MOD_FILTERS);
/* The flagged queue: comments with open flags ($1 unused). */
static struct pg_stmt mod_list_flagged_stmt =
    PG_STMT("SELECT " MOD_COLS MOD_FROM " WHERE c.id IN (SELECT comment_id"
	    " FROM comment_flags WHERE resolved = 0)"
	    " AND $1::text IS NOT NULL" MOD_FILTERS);
static struct pg_stmt mod_counts_stmt =
    PG_STMT("SELECT (SELECT count(*) FROM comments WHERE status = 'pending'),"
	    " (SELECT count(*) FROM comments WHERE status = 'spam'),"
	    " (SELECT count(*) FROM comments WHERE status = 'trash')");
static struct pg_stmt pending_count_stmt =
    PG_STMT("SELECT count(*) FROM comments WHERE status = 'pending'");
static struct pg_stmt status_of_stmt =
    PG_STMT("SELECT status, article_id, body_md FROM comments WHERE id = $1");
static struct pg_stmt set_status_stmt =
    PG_STMT("UPDATE comments SET status = $2, status_at = $3 WHERE id = $1");
static struct pg_stmt recount_stmt = PG_STMT(
    "UPDATE articles SET comment_count = (SELECT count(*) FROM comments c"
    " WHERE c.article_id = $1" COUNTED "), thread_count = (SELECT count(*)"
    " FROM comments WHERE article_id = $1 AND depth = 0"
    " AND status = 'approved') WHERE id = $1");
/* Each comment's thread number among the shown threads (004). */
static struct pg_stmt renumber_stmt =
    PG_STMT("WITH top AS (SELECT id, row_number() OVER (ORDER BY id) - 1"
	    " AS n FROM comments WHERE article_id = $1 AND depth = 0"
	    " AND status = 'approved')"
	    " UPDATE comments SET thread_no = top.n FROM top"
	    " WHERE comments.article_id = $1 AND comments.root_id = top.id"
	    " AND comments.thread_no <> top.n");
static struct pg_stmt edit_stmt =
    PG_STMT("UPDATE comments SET body_md = $2, body_html = $3 WHERE id = $1");
/* What a change checks in its write (a flag, an own edit). */
static struct pg_stmt comment_state_stmt =
    PG_STMT("SELECT c.status, c.article_id, c.body_md, EXISTS (SELECT 1"
	    " FROM comment_own_edits e WHERE e.comment_id = c.id"
	    " AND e.removed = 1)::integer FROM comments c WHERE c.id = $1");
/* The locks (see the top of this file). */
static struct pg_stmt lock_article_of_stmt =
    PG_STMT("SELECT id FROM articles WHERE id = (SELECT article_id"
	    " FROM comments WHERE id = $1) FOR NO KEY UPDATE");
static struct pg_stmt lock_comment_stmt =
    PG_STMT("SELECT id FROM comments WHERE id = $1 FOR NO KEY UPDATE");
static struct pg_stmt lock_articles_of_stmt =
    PG_STMT("SELECT id FROM articles WHERE id IN (SELECT article_id FROM"
	    " comments WHERE id = ANY ($1::bigint[])) ORDER BY id"
	    " FOR NO KEY UPDATE");
static struct pg_stmt lock_comments_stmt =
    PG_STMT("SELECT id FROM comments WHERE id = ANY ($1::bigint[])"
	    " ORDER BY id FOR NO KEY UPDATE");
/* A commenter's own edit ($2 the time) or removal ($3 = 1). */
static struct pg_stmt own_mark_stmt =
    PG_STMT("INSERT INTO comment_own_edits (comment_id, edited, removed)"
	    " VALUES ($1, $2, $3) ON CONFLICT (comment_id) DO UPDATE SET"
	    " edited = greatest(comment_own_edits.edited, excluded.edited),"
	    " removed = greatest(comment_own_edits.removed, excluded.removed)");
static struct pg_stmt own_remove_stmt =
    PG_STMT("UPDATE comments SET body_md = '', body_html = " REMOVED_HTML
	    " WHERE id = $1");
static struct pg_stmt own_recent_user_stmt =
    PG_STMT("SELECT c.id FROM comments c WHERE c.user_id = $2"
	    " AND c.article_id = $1 AND c.created >= $3" OWN_SHOWN);
static struct pg_stmt own_recent_visitor_stmt = PG_STMT(
    "SELECT c.id FROM comments c WHERE c.visitor = $2 AND c.visitor <> ''"
    " AND c.article_id = $1 AND c.created >= $3"
    " AND c.user_id IS NULL" OWN_SHOWN);
static struct pg_stmt own_status_stmt =
    PG_STMT("UPDATE comments SET status = $2, reason = $3, spam_score = $4,"
	    " spam_features = $5, status_at = $6 WHERE id = $1");
/*
 * Only comments nothing answers: a reply keeps its parent.  In the order
 * SQLite finds them (along comments_by_status).
 */
#define PURGEABLE                                                              \
	"c.status IN ('spam', 'trash') AND (CASE WHEN c.status_at > 0"         \
	" THEN c.status_at ELSE c.created END) <= $1 AND NOT EXISTS"           \
	" (SELECT 1 FROM comments r WHERE r.article_id = c.article_id"         \
	" AND r.root_id = c.root_id AND r.parent_id = c.id)"
static struct pg_stmt purgeable_stmt = PG_STMT(
    "SELECT c.id FROM comments c WHERE " PURGEABLE " ORDER BY c.status, c.id"
    " LIMIT 500");
/* Checked again as it deletes: a comment restored meanwhile stays. */
static struct pg_stmt purge_stmt =
    PG_STMT("DELETE FROM comments c WHERE c.id = $2 AND " PURGEABLE
	    " RETURNING c.article_id, c.status, c.body_md");
#define LOG_COLS                                                               \
	"id, at, actor_id, actor, action, comment_id, article_id,"             \
	" status_before, status_after, text_before, text_after, detail"
static struct pg_stmt log_stmt =
    PG_STMT("SELECT " LOG_COLS " FROM moderation_log WHERE comment_id = $1"
	    " ORDER BY id DESC LIMIT $2");
static struct pg_stmt log_all_stmt = PG_STMT(
    "SELECT " LOG_COLS " FROM moderation_log ORDER BY id DESC LIMIT $1");
static struct pg_stmt log_add_stmt = PG_STMT(
    "INSERT INTO moderation_log (at, actor_id, actor, action, comment_id,"
    " article_id, status_before, status_after, text_before, text_after,"
    " detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
static struct pg_stmt own_pending_stmt =
    PG_STMT("SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	    " WHERE c.article_id = $1 AND c.status = 'pending'"
	    " AND (($2::bigint > 0 AND c.user_id = $2)"
	    " OR ($3::text <> '' AND c.visitor = $3)) ORDER BY c.id LIMIT 50");
static struct pg_stmt approved_by_stmt =
    PG_STMT("SELECT (SELECT count(*) FROM comments WHERE $1::bigint > 0"
	    " AND user_id = $1 AND status = 'approved') + (SELECT count(*)"
	    " FROM comments WHERE $2::text <> '' AND email <> ''"
	    " AND lower(email) = lower($2) AND status = 'approved'"
	    " AND coalesce(user_id, 0) <> $1)");

/* Readers' flags (011_flags.sql). */
/*
 * All flags, the networks the open ones came from, whether $2 is among
 * the readers and whether the network $3 is among the open ones.
 */
static struct pg_stmt flag_state_stmt = PG_STMT(
    "SELECT count(*), count(DISTINCT network) FILTER (WHERE resolved = 0),"
    " coalesce(bool_or(reader = $2), false)::integer,"
    " coalesce(bool_or(network = $3 AND resolved = 0), false)::integer"
    " FROM comment_flags WHERE comment_id = $1");
static struct pg_stmt flag_insert_stmt = PG_STMT(
    "INSERT INTO comment_flags (comment_id, reader, network, reason, note,"
    " created) VALUES ($1, $2, $6, $3, $4, $5)");
/* The open flags and their reasons, each once, in the order first given. */
static struct pg_stmt flag_open_reasons_stmt =
    PG_STMT("SELECT (SELECT count(*) FROM comment_flags WHERE comment_id = $1"
	    " AND resolved = 0), coalesce((SELECT string_agg(reason, ', '"
	    " ORDER BY first) FROM (SELECT reason, min(id) AS first"
	    " FROM comment_flags WHERE comment_id = $1 AND resolved = 0"
	    " GROUP BY reason) r), '')");
static struct pg_stmt flag_hold_stmt =
    PG_STMT("UPDATE comments SET status = 'pending', status_at = $2,"
	    " reason = $3 WHERE id = $1 AND status = 'approved'");
static struct pg_stmt flag_resolve_stmt =
    PG_STMT("UPDATE comment_flags SET resolved = $2 WHERE comment_id = $1"
	    " AND resolved = 0");
/* The open flags of several comments, MOD_FLAGS_SHOWN ($2) each at most. */
static struct pg_stmt flag_open_list_stmt =
    PG_STMT("SELECT comment_id, reason, note, created FROM (SELECT comment_id,"
	    " reason, note, created, id, row_number() OVER (PARTITION BY"
	    " comment_id ORDER BY id) AS n FROM comment_flags"
	    " WHERE comment_id = ANY ($1::bigint[]) AND resolved = 0) f"
	    " WHERE n <= $2 ORDER BY comment_id, id");
static struct pg_stmt flag_open_count_stmt =
    PG_STMT("SELECT count(DISTINCT comment_id) FROM comment_flags"
	    " WHERE resolved = 0");

static struct pg_stmt ban_insert_stmt = PG_STMT(
    "INSERT INTO bans (kind, value, reason, created, expires, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
static struct pg_stmt ban_list_stmt =
    PG_STMT("SELECT id, kind, value, reason, created, expires, created_by"
	    " FROM bans WHERE ($1::text = '' OR kind = $1) AND (expires = 0"
	    " OR expires > $2) ORDER BY id DESC LIMIT 10000");
static struct pg_stmt ban_delete_stmt =
    PG_STMT("DELETE FROM bans WHERE id = $1 RETURNING kind, value");
static struct pg_stmt ban_find_stmt =
    PG_STMT("SELECT 1 FROM bans WHERE kind = $1 AND value = $2"
	    " AND (expires = 0 OR expires > $3) LIMIT 1");
static struct pg_stmt spam_model_get_stmt =
    PG_STMT("SELECT data FROM spam_model WHERE id = 1");
static struct pg_stmt spam_model_put_stmt =
    PG_STMT("INSERT INTO spam_model (id, data, examples, saved)"
	    " VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET"
	    " data = excluded.data, examples = excluded.examples,"
	    " saved = excluded.saved");
static struct pg_stmt spam_rows_stmt =
    PG_STMT("SELECT id, body_md, (status = 'spam')::integer FROM comments"
	    " WHERE status IN ('approved', 'spam') AND id > $1"
	    " ORDER BY id LIMIT $2");
static struct pg_stmt spam_decisions_stmt =
    PG_STMT("SELECT l.id, c.body_md, (l.status_after = 'spam')::integer"
	    " FROM moderation_log l JOIN comments c ON c.id = l.comment_id"
	    " WHERE l.id > $1 AND l.status_after IN ('approved', 'spam')"
	    " AND l.action NOT IN ('author_edit', 'author_remove')"
	    " ORDER BY l.id LIMIT $2");

static enum err
read_mod_item(struct arena *a, const PGresult *r, int row, void *p)
{
	struct mod_item *out = p;
	enum err e = pg_read_comment(a, r, row, &out->c);
	int k = COMMENT_COLS_N;

	if (e != ERR_OK)
		return e;
	out->c.visitor = pg_text(a, r, row, k);
	out->c.reason = pg_text(a, r, row, k + 1);
	out->c.spam_score = pg_double(r, row, k + 2);
	out->c.spam_features = pg_text(a, r, row, k + 3);
	out->status_at = pg_int(r, row, k + 4);
	out->article_slug = pg_text(a, r, row, k + 5);
	out->article_title = pg_text(a, r, row, k + 6);
	out->article_kind = pg_text(a, r, row, k + 7);
	out->parent_author = pg_text(a, r, row, k + 8);
	out->approved = pg_int(r, row, k + 9);
	out->parent_text = pg_text(a, r, row, k + 10);
	out->flags = NULL;
	out->nflags = 0;
	if (!out->c.visitor || !out->c.reason || !out->c.spam_features ||
	    !out->article_slug || !out->article_title || !out->article_kind ||
	    !out->parent_author || !out->parent_text)
		return ERR_NOMEM;
	return ERR_OK;
}

/* ids[0..n) as a PostgreSQL array literal, in a. */
static const char *
id_array(struct arena *a, const int64_t *ids, size_t n)
{
	char *s = arena_alloc(a, n * 21 + 3), *p = s;
	size_t i;

	if (s == NULL)
		return NULL;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, i ? ",%" PRId64 : "%" PRId64, ids[i]);
	*p++ = '}';
	*p = '\0';
	return s;
}

/* Reads the open flags of items[0..n) into them, in one query. */
static enum err
flags_of(struct pg_store *st, struct arena *a, struct mod_item *items, size_t n)
{
	struct pg_args args = {0};
	struct comment_flag *flags;
	const char *ids;
	int64_t *v;
	PGresult *r;
	size_t i;
	int row, rows;

	if (n == 0)
		return ERR_OK;
	if ((v = arena_alloc(a, n * sizeof(*v))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++)
		v[i] = items[i].c.id;
	if ((ids = id_array(a, v, n)) == NULL)
		return ERR_NOMEM;
	pg_arg_text(&args, ids);
	pg_arg_int(&args, MOD_FLAGS_SHOWN);
	if ((r = pg_read(st, &flag_open_list_stmt, &args)) == NULL)
		return ERR_DB;
	rows = PQntuples(r);
	flags = rows ? arena_alloc(a, (size_t)rows * sizeof(*flags)) : NULL;
	if (rows && flags == NULL) {
		PQclear(r);
		return ERR_NOMEM;
	}
	for (row = 0; row < rows; row++) {
		flags[row].reason = pg_text(a, r, row, 1);
		flags[row].note = pg_text(a, r, row, 2);
		flags[row].created = pg_int(r, row, 3);
		if (!flags[row].reason || !flags[row].note) {
			PQclear(r);
			return ERR_NOMEM;
		}
	}
	/* The rows come by comment: each item takes its run of them. */
	for (i = 0; i < n; i++) {
		items[i].flags = NULL;
		items[i].nflags = 0;
		for (row = 0; row < rows; row++) {
			if (pg_int(r, row, 0) != items[i].c.id)
				continue;
			if (items[i].nflags++ == 0)
				items[i].flags = &flags[row];
		}
	}
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_mod_get(struct store *base, struct arena *a, int64_t id,
	   struct mod_item *out)
{
	struct pg_store *st = pg_of(base);
	struct pg_args args = {0};
	enum err e;

	pg_arg_int(&args, id);
	e = pg_read_one(st, a, &mod_get_stmt, &args, read_mod_item, out);
	return e == ERR_OK ? flags_of(st, a, out, 1) : e;
}

static enum err
pg_mod_status(struct store *base, int64_t id, int *status)
{
	struct pg_args args = {0};
	PGresult *r;
	enum err e = ERR_NOTFOUND;

	pg_arg_int(&args, id);
	if ((r = pg_read(pg_of(base), &status_of_stmt, &args)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		*status = store_status_of(PQgetvalue(r, 0, 0));
		e = ERR_OK;
	}
	PQclear(r);
	return e;
}

static enum err
pg_mod_list(struct store *base, struct arena *a, const struct mod_filter *f,
	    struct mod_item **out, size_t *n)
{
	struct pg_store *st = pg_of(base);
	struct pg_args args = {0};
	enum err e;

	pg_arg_text(&args, store_status_name(f->status));
	pg_arg_int(&args, f->article_id);
	pg_arg_text(&args, f->author);
	pg_arg_text(&args, f->email);
	pg_arg_text(&args, f->ip);
	pg_arg_text(&args, f->reason);
	pg_arg_int(&args, f->min_score);
	pg_arg_int(&args, f->before);
	pg_arg_int(&args, f->limit);
	e = pg_read_all(
	    st, a, f->flagged ? &mod_list_flagged_stmt : &mod_list_stmt, &args,
	    sizeof(struct mod_item), read_mod_item, (void **)out, n);
	return e == ERR_OK ? flags_of(st, a, *out, *n) : e;
}

static enum err
pg_mod_counts(struct store *base, int64_t *out)
{
	PGresult *r;

	memset(out, 0, STATUS__MAX * sizeof(out[0]));
	if ((r = pg_read(pg_of(base), &mod_counts_stmt, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		out[STATUS_PENDING] = pg_int(r, 0, 0);
		out[STATUS_SPAM] = pg_int(r, 0, 1);
		out[STATUS_TRASH] = pg_int(r, 0, 2);
	}
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_mod_pending_count(struct store *base, int64_t *n)
{
	*n = 0;
	return pg_read_int(pg_of(base), &pending_count_stmt, NULL, n);
}

/* Adds a log line within a transaction. */
static enum err
log_line(struct pg_conn *c, const struct mod_log_entry *le)
{
	struct pg_args args = {0};

	pg_arg_int(&args, le->at);
	pg_arg_int(&args, le->actor_id);
	pg_arg_text(&args, le->actor);
	pg_arg_text(&args, le->action);
	pg_arg_int(&args, le->comment_id);
	pg_arg_int(&args, le->article_id);
	pg_arg_text(&args, le->status_before);
	pg_arg_text(&args, le->status_after);
	pg_arg_text(&args, le->text_before);
	pg_arg_text(&args, le->text_after);
	pg_arg_text(&args, le->detail);
	return pg_exec(c, &log_add_stmt, &args, NULL);
}

/*
 * Counts and numbers a discussion's threads again (see 004_thread_no);
 * its row is locked already.
 */
static enum err
recount(struct pg_conn *c, int64_t article_id)
{
	struct pg_args args = {0};
	enum err e;

	pg_arg_int(&args, article_id);
	if ((e = pg_exec(c, &recount_stmt, &args, NULL)) != ERR_OK)
		return e;
	return pg_exec(c, &renumber_stmt, &args, NULL);
}

/*
 * Locks comment id's discussion, then the comment; ERR_NOTFOUND when
 * there is no such comment (any more).
 */
static enum err
lock_comment(struct pg_conn *c, int64_t id)
{
	struct pg_args args = {0};
	int64_t got;
	enum err e;

	pg_arg_int(&args, id);
	if ((e = pg_exec_int(c, &lock_article_of_stmt, &args, &got)) != ERR_OK)
		return e;
	return pg_exec_int(c, &lock_comment_stmt, &args, &got);
}

/*
 * The comment's status, discussion and text, and whether its author
 * removed it; ERR_NOTFOUND when it has none.  Read after lock_comment, by
 * a statement of its own: it sees what the writes it waited for did.
 */
static enum err
comment_state(struct pg_conn *c, struct arena *a, int64_t id,
	      const char **status, int64_t *article_id, const char **text,
	      bool *removed)
{
	struct pg_args args = {0};
	PGresult *r;
	enum err e = ERR_NOTFOUND;

	pg_arg_int(&args, id);
	if ((r = pg_run(c, &comment_state_stmt, &args, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		*status = pg_text(a, r, 0, 0);
		*article_id = pg_int(r, 0, 1);
		*text = pg_text(a, r, 0, 2);
		*removed = pg_int(r, 0, 3) != 0;
		e = *status && *text ? ERR_OK : ERR_NOMEM;
	}
	PQclear(r);
	return e;
}

/* Resolves a comment's open flags at now; *n counts them. */
static enum err
flags_resolve(struct pg_conn *c, int64_t comment_id, int64_t now, int64_t *n)
{
	struct pg_args args = {0};

	*n = 0;
	pg_arg_int(&args, comment_id);
	pg_arg_int(&args, now);
	return pg_exec(c, &flag_resolve_stmt, &args, n);
}

struct set_status_args {
	struct arena *a;
	const int64_t *ids;
	size_t n;
	int status;
	const char *action;
	const struct mod_actor *who;
	int64_t now;
	const char *id_list; /* ids as an array literal */
	int64_t *articles;   /* up to n */
	size_t narticles, changed;
};

/* Notes article_id among the discussions touched, once. */
static void
touched(struct set_status_args *x, int64_t article_id)
{
	size_t i;

	for (i = 0; i < x->narticles; i++)
		if (x->articles[i] == article_id)
			return;
	x->articles[x->narticles++] = article_id;
}

static enum err
run_set_status(struct pg_conn *c, void *arg)
{
	struct set_status_args *x = arg;
	const char *after = store_status_name(x->status);
	struct pg_args ids = {0};
	PGresult *r;
	enum err e;
	size_t i;

	x->narticles = x->changed = 0;
	/* Their discussions, then the comments: see the top of this file. */
	pg_arg_text(&ids, x->id_list);
	if ((r = pg_run(c, &lock_articles_of_stmt, &ids, NULL)) == NULL)
		return ERR_DB;
	PQclear(r);
	if ((r = pg_run(c, &lock_comments_stmt, &ids, NULL)) == NULL)
		return ERR_DB;
	PQclear(r);
	for (i = 0; i < x->n; i++) {
		struct pg_args args = {0};
		struct mod_log_entry le;
		const char *before;
		int64_t article_id, resolved;

		pg_arg_int(&args, x->ids[i]);
		if ((r = pg_run(c, &status_of_stmt, &args, NULL)) == NULL)
			return ERR_DB;
		if (PQntuples(r) == 0) {
			PQclear(r);
			continue; /* gone: nothing to do */
		}
		before = pg_text(x->a, r, 0, 0);
		article_id = pg_int(r, 0, 1);
		PQclear(r);
		if (before == NULL)
			return ERR_NOMEM;
		/* A decision settles what readers flagged (011_flags.sql). */
		resolved = 0;
		if (x->status != STATUS_PENDING &&
		    (e = flags_resolve(c, x->ids[i], x->now, &resolved)) !=
			ERR_OK)
			return e;
		memset(&le, 0, sizeof(le));
		le.at = x->now;
		le.actor_id = x->who->id;
		le.actor = x->who->name;
		le.action = x->action;
		le.comment_id = x->ids[i];
		le.article_id = article_id;
		le.status_before = before;
		le.status_after = after;
		if (resolved > 0 &&
		    (le.detail = arena_printf(
			 x->a, "%lld flag%s resolved", (long long)resolved,
			 resolved == 1 ? "" : "s")) == NULL)
			return ERR_NOMEM;
		if (strcmp(before, after) == 0) {
			if (resolved > 0 && (e = log_line(c, &le)) != ERR_OK)
				return e;
			continue;
		}
		pg_arg_text(&args, after);
		pg_arg_int(&args, x->now);
		if ((e = pg_exec(c, &set_status_stmt, &args, NULL)) != ERR_OK)
			return e;
		if ((e = log_line(c, &le)) != ERR_OK)
			return e;
		touched(x, article_id);
		x->changed++;
	}
	for (i = 0; i < x->narticles; i++)
		if ((e = recount(c, x->articles[i])) != ERR_OK)
			return e;
	return ERR_OK;
}

static enum err
pg_mod_set_status(struct store *base, struct arena *a, const int64_t *ids,
		  size_t n, int status, const char *action,
		  const struct mod_actor *who, int64_t now, int64_t **articles,
		  size_t *narticles, size_t *changed)
{
	struct set_status_args x = {a,	 ids,  n,    status, action, who,
				    now, NULL, NULL, 0,	     0};
	enum err e;

	*articles = NULL;
	*narticles = *changed = 0;
	if (n == 0)
		return ERR_OK;
	if ((x.articles = arena_alloc(a, n * sizeof(int64_t))) == NULL ||
	    (x.id_list = id_array(a, ids, n)) == NULL)
		return ERR_NOMEM;
	e = pg_tx(pg_of(base), run_set_status, &x);
	if (e == ERR_OK) {
		*articles = x.articles;
		*narticles = x.narticles;
		*changed = x.changed;
	}
	return e;
}

struct edit_args {
	int64_t id;
	const char *md, *html;
	const struct mod_actor *who;
	int64_t now;
	int64_t *article_id;
	struct arena a;
};

static enum err
run_edit(struct pg_conn *c, void *arg)
{
	struct edit_args *x = arg;
	struct pg_args args = {0};
	struct mod_log_entry le;
	const char *status, *before;
	bool removed;
	enum err e;

	if ((e = lock_comment(c, x->id)) != ERR_OK ||
	    (e = comment_state(c, &x->a, x->id, &status, x->article_id, &before,
			       &removed)) != ERR_OK)
		return e;
	pg_arg_int(&args, x->id);
	pg_arg_text(&args, x->md);
	pg_arg_text(&args, x->html);
	if ((e = pg_exec(c, &edit_stmt, &args, NULL)) != ERR_OK)
		return e;
	memset(&le, 0, sizeof(le));
	le.at = x->now;
	le.actor_id = x->who->id;
	le.actor = x->who->name;
	le.action = "edit";
	le.comment_id = x->id;
	le.article_id = *x->article_id;
	le.status_before = le.status_after = status;
	le.text_before = before;
	le.text_after = x->md;
	return log_line(c, &le);
}

static enum err
pg_mod_edit(struct store *base, int64_t id, const char *body_md,
	    const char *body_html, const struct mod_actor *who, int64_t now,
	    int64_t *article_id)
{
	struct edit_args x = {id,  body_md,    body_html, who,
			      now, article_id, {0}};
	enum err e;

	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_edit, &x);
	arena_clear(&x.a);
	return e;
}

struct revise_args {
	const struct comment_revision *r;
	int64_t *article_id;
	struct arena a;
};

static enum err
run_revise(struct pg_conn *c, void *arg)
{
	struct revise_args *x = arg;
	const struct comment_revision *r = x->r;
	struct pg_args args = {0}, mark = {0};
	const char *status, *before, *after;
	struct mod_log_entry le;
	bool removed;
	enum err e;

	if ((e = lock_comment(c, r->id)) != ERR_OK ||
	    (e = comment_state(c, &x->a, r->id, &status, x->article_id, &before,
			       &removed)) != ERR_OK)
		return e;
	/*
	 * Checked again here, in the write: a moderator's verdict or the
	 * author's removal since the change was checked stands.
	 */
	if (removed ||
	    (strcmp(status, "approved") != 0 && strcmp(status, "pending") != 0))
		return ERR_NOTFOUND;
	after = r->remove ? status : store_status_name(r->status);
	pg_arg_int(&args, r->id);
	if (!r->remove) {
		pg_arg_text(&args, r->body_md);
		pg_arg_text(&args, r->body_html);
	}
	if ((e = pg_exec(c, r->remove ? &own_remove_stmt : &edit_stmt, &args,
			 NULL)) != ERR_OK)
		return e;
	pg_arg_int(&mark, r->id);
	pg_arg_int(&mark, r->remove ? 0 : r->now);
	pg_arg_int(&mark, r->remove);
	if ((e = pg_exec(c, &own_mark_stmt, &mark, NULL)) != ERR_OK)
		return e;
	if (strcmp(status, after) != 0) {
		struct pg_args st = {0};

		pg_arg_int(&st, r->id);
		pg_arg_text(&st, after);
		pg_arg_text(&st, r->reason ? r->reason : "");
		pg_arg_double(&st, r->spam_score);
		pg_arg_text(&st, r->spam_features ? r->spam_features : "");
		pg_arg_int(&st, r->now);
		if ((e = pg_exec(c, &own_status_stmt, &st, NULL)) != ERR_OK)
			return e;
	}
	memset(&le, 0, sizeof(le));
	le.at = r->now;
	le.actor_id = r->who->id;
	le.actor = r->who->name;
	le.action = r->remove ? "author_remove" : "author_edit";
	le.comment_id = r->id;
	le.article_id = *x->article_id;
	le.status_before = status;
	le.status_after = after;
	le.text_before = before;
	le.text_after = r->remove ? "" : r->body_md;
	if ((e = log_line(c, &le)) != ERR_OK)
		return e;
	/* A removed comment, or one held again, is no longer counted. */
	if (r->remove || strcmp(status, after) != 0)
		return recount(c, *x->article_id);
	return ERR_OK;
}

static enum err
pg_comment_revise(struct store *base, const struct comment_revision *r,
		  int64_t *article_id)
{
	struct revise_args x = {r, article_id, {0}};
	enum err e;

	*article_id = 0;
	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_revise, &x);
	arena_clear(&x.a);
	return e;
}

static enum err
read_id(struct arena *a, const PGresult *r, int row, void *p)
{
	(void)a;
	*(int64_t *)p = pg_int(r, row, 0);
	return ERR_OK;
}

static enum err
pg_comment_own_recent(struct store *base, struct arena *a, int64_t article_id,
		      int64_t user_id, const char *visitor, int64_t since,
		      int64_t **out, size_t *n)
{
	struct pg_args args = {0};

	*out = NULL;
	*n = 0;
	if (user_id == 0 && visitor[0] == '\0')
		return ERR_OK;
	pg_arg_int(&args, article_id);
	if (user_id)
		pg_arg_int(&args, user_id);
	else
		pg_arg_text(&args, visitor);
	pg_arg_int(&args, since);
	return pg_read_all(pg_of(base), a,
			   user_id ? &own_recent_user_stmt
				   : &own_recent_visitor_stmt,
			   &args, sizeof(int64_t), read_id, (void **)out, n);
}

struct purge_args {
	int64_t before, now;
	const struct mod_actor *who;
	int64_t n;
	struct arena a;
};

/*
 * Deletes one round of purgeable comments: a reply gone may leave its
 * parent purgeable, found by the next round.
 */
static enum err
purge_round(struct pg_conn *c, struct purge_args *x, size_t *done)
{
	struct pg_args args = {0};
	PGresult *r;
	int64_t *ids;
	int i, rows;
	enum err e;

	*done = 0;
	pg_arg_int(&args, x->before);
	if ((r = pg_run(c, &purgeable_stmt, &args, NULL)) == NULL)
		return ERR_DB;
	rows = PQntuples(r);
	ids = rows ? arena_alloc(&x->a, (size_t)rows * sizeof(*ids)) : NULL;
	for (i = 0; ids && i < rows; i++)
		ids[i] = pg_int(r, i, 0);
	PQclear(r);
	if (rows && ids == NULL)
		return ERR_NOMEM;
	for (i = 0; i < rows; i++) {
		struct pg_args del = {0};
		struct mod_log_entry le;

		pg_arg_int(&del, x->before);
		pg_arg_int(&del, ids[i]);
		if ((r = pg_run(c, &purge_stmt, &del, NULL)) == NULL)
			return ERR_DB;
		if (PQntuples(r) == 0) { /* changed meanwhile: it stays */
			PQclear(r);
			continue;
		}
		memset(&le, 0, sizeof(le));
		le.comment_id = ids[i];
		le.article_id = pg_int(r, 0, 0);
		le.status_before = pg_text(&x->a, r, 0, 1);
		le.text_before = pg_text(&x->a, r, 0, 2);
		PQclear(r);
		if (!le.status_before || !le.text_before)
			return ERR_NOMEM;
		le.at = x->now;
		le.actor_id = x->who->id;
		le.actor = x->who->name;
		le.action = "purge";
		if ((e = log_line(c, &le)) != ERR_OK)
			return e;
		(*done)++;
	}
	return ERR_OK;
}

static enum err
run_purge(struct pg_conn *c, void *arg)
{
	struct purge_args *x = arg;
	size_t done;
	enum err e;

	x->n = 0;
	do {
		if ((e = purge_round(c, x, &done)) != ERR_OK)
			return e;
		x->n += (int64_t)done;
	} while (done > 0);
	return ERR_OK;
}

static enum err
pg_mod_purge(struct store *base, int64_t before, const struct mod_actor *who,
	     int64_t now, int64_t *n)
{
	struct purge_args x = {before, now, who, 0, {0}};
	enum err e;

	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_purge, &x);
	arena_clear(&x.a);
	*n = e == ERR_OK ? x.n : 0;
	return e;
}

static enum err
read_log(struct arena *a, const PGresult *r, int row, void *p)
{
	struct mod_log_entry *out = p;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, row, 0);
	out->at = pg_int(r, row, 1);
	out->actor_id = pg_int(r, row, 2);
	out->actor = pg_text(a, r, row, 3);
	out->action = pg_text(a, r, row, 4);
	out->comment_id = pg_int(r, row, 5);
	out->article_id = pg_int(r, row, 6);
	out->status_before = pg_text(a, r, row, 7);
	out->status_after = pg_text(a, r, row, 8);
	out->text_before = pg_text(a, r, row, 9);
	out->text_after = pg_text(a, r, row, 10);
	out->detail = pg_text(a, r, row, 11);
	if (!out->actor || !out->action || !out->status_before ||
	    !out->status_after || !out->text_before || !out->text_after ||
	    !out->detail)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
pg_mod_log(struct store *base, struct arena *a, int64_t comment_id, int limit,
	   struct mod_log_entry **out, size_t *n)
{
	struct pg_args args = {0};

	if (comment_id)
		pg_arg_int(&args, comment_id);
	pg_arg_int(&args, limit);
	return pg_read_all(
	    pg_of(base), a, comment_id ? &log_stmt : &log_all_stmt, &args,
	    sizeof(struct mod_log_entry), read_log, (void **)out, n);
}

static enum err
run_log_add(struct pg_conn *c, void *arg)
{
	return log_line(c, arg);
}

static enum err
pg_mod_log_add(struct store *base, const struct mod_log_entry *e)
{
	return pg_tx(pg_of(base), run_log_add, (void *)(uintptr_t)e);
}

static enum err
pg_mod_own_pending(struct store *base, struct arena *a, int64_t article_id,
		   int64_t user_id, const char *visitor, struct comment **out,
		   size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, article_id);
	pg_arg_int(&args, user_id);
	pg_arg_text(&args, visitor);
	return pg_read_all(pg_of(base), a, &own_pending_stmt, &args,
			   sizeof(struct comment), pg_read_comment,
			   (void **)out, n);
}

static enum err
pg_mod_approved_by(struct store *base, int64_t user_id, const char *email,
		   int64_t *n)
{
	struct pg_args args = {0};

	*n = 0;
	pg_arg_int(&args, user_id);
	pg_arg_text(&args, email);
	return pg_read_int(pg_of(base), &approved_by_stmt, &args, n);
}

struct flag_args {
	const struct flag_input *in;
	enum flag_result res;
	bool held;
	int64_t article_id;
	struct arena a;
};

/* Holds the comment for review, its reason naming its open flags. */
static enum err
hold(struct pg_conn *c, struct flag_args *x)
{
	struct pg_args args = {0};
	struct mod_log_entry le;
	const char *reasons = NULL, *why;
	PGresult *r;
	int64_t n = 0;
	enum err e;

	pg_arg_int(&args, x->in->comment_id);
	if ((r = pg_run(c, &flag_open_reasons_stmt, &args, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) > 0) {
		n = pg_int(r, 0, 0);
		reasons = pg_text(&x->a, r, 0, 1);
	}
	PQclear(r);
	why = reasons ? arena_printf(&x->a, "flagged by %lld readers: %s",
				     (long long)n, reasons)
		      : NULL;
	if (why == NULL)
		return ERR_NOMEM;
	pg_arg_int(&args, x->in->now);
	pg_arg_text(&args, why);
	if ((e = pg_exec(c, &flag_hold_stmt, &args, NULL)) != ERR_OK)
		return e;
	memset(&le, 0, sizeof(le));
	le.at = x->in->now;
	le.actor = FLAG_ACTOR;
	le.action = "hold";
	le.comment_id = x->in->comment_id;
	le.article_id = x->article_id;
	le.status_before = "approved";
	le.status_after = "pending";
	le.detail = why;
	if ((e = log_line(c, &le)) != ERR_OK)
		return e;
	x->held = true;
	return recount(c, x->article_id);
}

static enum err
run_flag_add(struct pg_conn *c, void *arg)
{
	struct flag_args *x = arg;
	const struct flag_input *in = x->in;
	struct pg_args args = {0};
	const char *status = NULL, *text = NULL;
	int64_t all, open_networks;
	bool again, network_seen, removed = false;
	PGresult *r;
	enum err e;

	x->held = false;
	x->res = FLAG_ADDED;
	/* Locked: readers flagging at once hold a comment once. */
	if ((e = lock_comment(c, in->comment_id)) != ERR_OK ||
	    (e = comment_state(c, &x->a, in->comment_id, &status,
			       &x->article_id, &text, &removed)) != ERR_OK)
		return e;
	/*
	 * Readers flag what they are shown: approved comments only, and not
	 * one its author removed (its text is gone).
	 */
	if (strcmp(status, "approved") != 0 || removed)
		return ERR_NOTFOUND;
	pg_arg_int(&args, in->comment_id);
	pg_arg_text(&args, in->reader);
	pg_arg_text(&args, in->network);
	if ((r = pg_run(c, &flag_state_stmt, &args, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ERR_DB;
	}
	all = pg_int(r, 0, 0);
	open_networks = pg_int(r, 0, 1);
	again = pg_int(r, 0, 2) != 0;
	network_seen = pg_int(r, 0, 3) != 0;
	PQclear(r);
	if (again) {
		x->res = FLAG_AGAIN;
		return ERR_OK;
	}
	if (all >= in->cap) {
		x->res = FLAG_FULL;
		return ERR_OK;
	}
	memset(&args, 0, sizeof(args));
	pg_arg_int(&args, in->comment_id);
	pg_arg_text(&args, in->reader);
	pg_arg_text(&args, in->reason);
	pg_arg_text(&args, in->note);
	pg_arg_int(&args, in->now);
	pg_arg_text(&args, in->network);
	if ((e = pg_exec(c, &flag_insert_stmt, &args, NULL)) != ERR_OK)
		return e;
	/*
	 * Readers at one address count once towards a hold: else one
	 * person clearing cookies between flags would hide a comment alone.
	 */
	if (!network_seen)
		open_networks++;
	if (open_networks >= in->hold_at)
		return hold(c, x);
	return ERR_OK;
}

static enum err
pg_flag_add(struct store *base, const struct flag_input *in,
	    enum flag_result *res, bool *held, int64_t *article_id)
{
	struct flag_args x = {in, FLAG_ADDED, false, 0, {0}};
	enum err e;

	*held = false;
	*article_id = 0;
	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_flag_add, &x);
	arena_clear(&x.a);
	if (e == ERR_OK) {
		*res = x.res;
		*held = x.held;
		*article_id = x.article_id;
	}
	return e;
}

static enum err
pg_flag_open_count(struct store *base, int64_t *n)
{
	*n = 0;
	return pg_read_int(pg_of(base), &flag_open_count_stmt, NULL, n);
}

struct ban_args {
	const struct ban *b;
	const struct mod_actor *who;
	int64_t *id;
	int64_t del, now;
	struct arena a;
};

static enum err
run_ban_insert(struct pg_conn *c, void *arg)
{
	struct ban_args *x = arg;
	struct pg_args args = {0};
	struct mod_log_entry le;
	enum err e;

	pg_arg_text(&args, store_ban_kind_name(x->b->kind));
	pg_arg_text(&args, x->b->value);
	pg_arg_text(&args, x->b->reason);
	pg_arg_int(&args, x->b->created);
	pg_arg_int(&args, x->b->expires);
	pg_arg_text(&args, x->who->name);
	if ((e = pg_exec_int(c, &ban_insert_stmt, &args, x->id)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_DB : e;
	memset(&le, 0, sizeof(le));
	le.at = x->b->created;
	le.actor_id = x->who->id;
	le.actor = x->who->name;
	le.action = "ban";
	le.detail = arena_printf(&x->a, "%s %s%s%s",
				 store_ban_kind_name(x->b->kind), x->b->value,
				 x->b->reason[0] ? ": " : "", x->b->reason);
	return le.detail ? log_line(c, &le) : ERR_NOMEM;
}

static enum err
pg_ban_insert(struct store *base, const struct ban *b,
	      const struct mod_actor *who, int64_t *id)
{
	struct ban_args x = {b, who, id, 0, 0, {0}};
	enum err e;

	if (b->kind < 0 || b->kind >= BAN__MAX)
		return ERR_INVALID;
	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_ban_insert, &x);
	arena_clear(&x.a);
	return e;
}

static enum err
read_ban(struct arena *a, const PGresult *r, int row, void *p)
{
	struct ban *out = p;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, row, 0);
	out->kind = store_ban_kind_of(PQgetvalue(r, row, 1));
	out->value = pg_text(a, r, row, 2);
	out->reason = pg_text(a, r, row, 3);
	out->created = pg_int(r, row, 4);
	out->expires = pg_int(r, row, 5);
	out->created_by = pg_text(a, r, row, 6);
	if (!out->value || !out->reason || !out->created_by)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
pg_ban_list(struct store *base, struct arena *a, int kind, int64_t now,
	    struct ban **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_text(&args, store_ban_kind_name(kind));
	pg_arg_int(&args, now);
	return pg_read_all(pg_of(base), a, &ban_list_stmt, &args,
			   sizeof(struct ban), read_ban, (void **)out, n);
}

static enum err
run_ban_delete(struct pg_conn *c, void *arg)
{
	struct ban_args *x = arg;
	struct pg_args args = {0};
	struct mod_log_entry le;
	PGresult *r;

	pg_arg_int(&args, x->del);
	if ((r = pg_run(c, &ban_delete_stmt, &args, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ERR_NOTFOUND;
	}
	memset(&le, 0, sizeof(le));
	le.at = x->now;
	le.actor_id = x->who->id;
	le.actor = x->who->name;
	le.action = "unban";
	le.detail = arena_printf(&x->a, "%s %s", PQgetvalue(r, 0, 0),
				 PQgetvalue(r, 0, 1));
	PQclear(r);
	return le.detail ? log_line(c, &le) : ERR_NOMEM;
}

static enum err
pg_ban_delete(struct store *base, int64_t id, const struct mod_actor *who,
	      int64_t now)
{
	struct ban_args x = {NULL, who, NULL, id, now, {0}};
	enum err e;

	arena_init(&x.a);
	e = pg_tx(pg_of(base), run_ban_delete, &x);
	arena_clear(&x.a);
	return e;
}

static enum err
pg_ban_find(struct store *base, int kind, const char *value, int64_t now,
	    bool *found)
{
	struct pg_args args = {0};
	PGresult *r;

	*found = false;
	if (kind < 0 || kind >= BAN__MAX)
		return ERR_INVALID;
	pg_arg_text(&args, store_ban_kind_name(kind));
	pg_arg_text(&args, value);
	pg_arg_int(&args, now);
	if ((r = pg_read(pg_of(base), &ban_find_stmt, &args)) == NULL)
		return ERR_DB;
	*found = PQntuples(r) > 0;
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_spam_model_get(struct store *base, struct arena *a, const void **data,
		  size_t *len)
{
	PGresult *r;
	unsigned char *raw;
	size_t n = 0;
	void *copy = NULL;

	*data = NULL;
	*len = 0;
	if ((r = pg_read(pg_of(base), &spam_model_get_stmt, NULL)) == NULL)
		return ERR_DB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return ERR_OK;
	}
	raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &n);
	PQclear(r);
	if (raw == NULL)
		return ERR_NOMEM;
	if (n && (copy = arena_alloc(a, n)) != NULL)
		memcpy(copy, raw, n);
	PQfreemem(raw);
	if (n && copy == NULL)
		return ERR_NOMEM;
	*data = copy;
	*len = n;
	return ERR_OK;
}

struct model_args {
	const void *data;
	size_t len;
	int64_t examples, now;
};

static enum err
run_model_put(struct pg_conn *c, void *arg)
{
	struct model_args *x = arg;
	struct pg_args args = {0};

	pg_arg_bytes(&args, x->data, x->len);
	pg_arg_int(&args, x->examples);
	pg_arg_int(&args, x->now);
	return pg_exec(c, &spam_model_put_stmt, &args, NULL);
}

static enum err
pg_spam_model_put(struct store *base, const void *data, size_t len,
		  int64_t examples, int64_t now)
{
	struct model_args x = {data, len, examples, now};

	return pg_tx(pg_of(base), run_model_put, &x);
}

static enum err
read_spam_row(struct arena *a, const PGresult *r, int row, void *p)
{
	struct spam_row *out = p;

	out->id = pg_int(r, row, 0);
	out->body_md = pg_text(a, r, row, 1);
	out->spam = pg_int(r, row, 2) != 0;
	return out->body_md ? ERR_OK : ERR_NOMEM;
}

static enum err
pg_spam_rows(struct store *base, struct arena *a, bool decisions, int64_t after,
	     int limit, struct spam_row **out, size_t *n)
{
	struct pg_args args = {0};

	pg_arg_int(&args, after);
	pg_arg_int(&args, limit);
	return pg_read_all(
	    pg_of(base), a, decisions ? &spam_decisions_stmt : &spam_rows_stmt,
	    &args, sizeof(struct spam_row), read_spam_row, (void **)out, n);
}

void
pg_moderation_ops(struct store_ops *ops)
{
	ops->mod_get = pg_mod_get;
	ops->mod_status = pg_mod_status;
	ops->mod_list = pg_mod_list;
	ops->mod_counts = pg_mod_counts;
	ops->mod_pending_count = pg_mod_pending_count;
	ops->mod_set_status = pg_mod_set_status;
	ops->mod_edit = pg_mod_edit;
	ops->comment_revise = pg_comment_revise;
	ops->comment_own_recent = pg_comment_own_recent;
	ops->mod_purge = pg_mod_purge;
	ops->mod_log = pg_mod_log;
	ops->mod_log_add = pg_mod_log_add;
	ops->mod_own_pending = pg_mod_own_pending;
	ops->mod_approved_by = pg_mod_approved_by;
	ops->flag_add = pg_flag_add;
	ops->flag_open_count = pg_flag_open_count;
	ops->ban_insert = pg_ban_insert;
	ops->ban_list = pg_ban_list;
	ops->ban_delete = pg_ban_delete;
	ops->ban_find = pg_ban_find;
	ops->spam_model_get = pg_spam_model_get;
	ops->spam_model_put = pg_spam_model_put;
	ops->spam_rows = pg_spam_rows;
}
