/*
 * sqlite_flags: readers' flags on comments (011_flags.sql) in the SQLite
 * backend.  A flag, the hold it may bring and that hold's log line are
 * one commit, so distinct readers flagging at once hold a comment once.
 */
#include <string.h>

#include "store/sqlite_internal.h"

/* What the moderation log names as the actor of a hold. */
#define FLAG_ACTOR "readers' flags"

struct flag_args {
	const struct flag_input *in;
	enum flag_result res;
	bool held;
	int64_t article_id;
	struct arena a;
};

/*
 * The comment's status and discussion, and whether its author removed
 * it; ERR_NOTFOUND when it has none.
 */
static enum err
status_of(struct conn *w, struct arena *a, int64_t id, const char **status,
	  int64_t *article_id, bool *removed)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_COMMENT_STATE);
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*status = col_text(a, s, 0);
		*article_id = sqlite3_column_int64(s, 1);
		*removed = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return ERR_NOTFOUND;
	if (rc != SQLITE_ROW)
		return sqlite_fail(w->db, "flag: status of");
	return *status ? ERR_OK : ERR_NOMEM;
}

/*
 * The comment's flags: all stored, the networks of the open ones, whether
 * reader is among them, and whether its network is among the open ones.
 */
static enum err
flag_state(struct conn *w, const struct flag_input *in, int64_t *all,
	   int64_t *open_networks, bool *again, bool *network_seen)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_FLAG_STATE);
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, in->comment_id);
	bind_text(s, 2, in->reader);
	bind_text(s, 3, in->network);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*all = sqlite3_column_int64(s, 0);
		*open_networks = sqlite3_column_int64(s, 1);
		*again = sqlite3_column_int(s, 2) != 0;
		*network_seen = sqlite3_column_int(s, 3) != 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(w->db, "flag state");
}

/* Holds the comment for review, its reason naming its open flags. */
static enum err
hold(struct conn *w, struct flag_args *x)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_FLAG_OPEN_REASONS);
	struct mod_log_entry le;
	const char *reasons = NULL, *why;
	int64_t n = 0;
	enum err e;
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->in->comment_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		reasons = col_text(&x->a, s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sqlite_fail(w->db, "flag reasons");
	why = reasons ? arena_printf(&x->a, "flagged by %lld readers: %s",
				     (long long)n, reasons)
		      : NULL;
	if (why == NULL)
		return ERR_NOMEM;
	if ((s = conn_stmt(w, STMT_FLAG_HOLD)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->in->comment_id);
	sqlite3_bind_int64(s, 2, x->in->now);
	bind_text(s, 3, why);
	if ((e = sqlite_step_done(w, s, "flag hold")) != ERR_OK)
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
	if ((e = sqlite_mod_log_line(w, &le)) != ERR_OK)
		return e;
	x->held = true;
	return sqlite_mod_recount(w, x->article_id);
}

static enum err
run_flag_add(struct conn *w, void *arg)
{
	struct flag_args *x = arg;
	const struct flag_input *in = x->in;
	const char *status = NULL;
	int64_t all = 0, open_networks = 0;
	bool again = false, network_seen = false, removed = false;
	sqlite3_stmt *s;
	enum err e;

	x->held = false;
	x->res = FLAG_ADDED;
	e = status_of(w, &x->a, in->comment_id, &status, &x->article_id,
		      &removed);
	if (e != ERR_OK)
		return e;
	/*
	 * Readers flag what they are shown: approved comments only, and not
	 * one its author removed (its text is gone).
	 */
	if (strcmp(status, "approved") != 0 || removed)
		return ERR_NOTFOUND;
	if ((e = flag_state(w, in, &all, &open_networks, &again,
			    &network_seen)) != ERR_OK)
		return e;
	if (again) {
		x->res = FLAG_AGAIN;
		return ERR_OK;
	}
	if (all >= in->cap) {
		x->res = FLAG_FULL;
		return ERR_OK;
	}
	if ((s = conn_stmt(w, STMT_FLAG_INSERT)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, in->comment_id);
	bind_text(s, 2, in->reader);
	bind_text(s, 3, in->reason);
	bind_text(s, 4, in->note);
	sqlite3_bind_int64(s, 5, in->now);
	bind_text(s, 6, in->network);
	if ((e = sqlite_step_done(w, s, "flag")) != ERR_OK)
		return e;
	/*
	 * Readers at one address count once towards a hold: else one
	 * person clearing cookies between flags would hide a comment alone.
	 */
	if (!network_seen)
		open_networks++;
	if (open_networks >= in->hold_at)
		return hold(w, x);
	return ERR_OK;
}

enum err
sqlite_flag_add(struct store *base, const struct flag_input *in,
		enum flag_result *res, bool *held, int64_t *article_id)
{
	struct flag_args x = {in, FLAG_ADDED, false, 0, {0}};
	enum err e;

	*held = false;
	*article_id = 0;
	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_flag_add, &x);
	arena_clear(&x.a);
	if (e == ERR_OK) {
		*res = x.res;
		*held = x.held;
		*article_id = x.article_id;
	}
	return e;
}

enum err
sqlite_flag_open_count(struct store *base, int64_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_FLAG_OPEN_COUNT)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "flag count");
}

enum err
sqlite_flags_resolve(struct conn *w, int64_t comment_id, int64_t now,
		     int64_t *n)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_FLAG_RESOLVE);
	enum err e;

	*n = 0;
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, comment_id);
	sqlite3_bind_int64(s, 2, now);
	if ((e = sqlite_step_done(w, s, "flag resolve")) != ERR_OK)
		return e;
	*n = sqlite3_changes(w->db);
	return ERR_OK;
}

static enum err
fill_flag(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct comment_flag *out = p;

	out->reason = col_text(a, s, 0);
	out->note = col_text(a, s, 1);
	out->created = sqlite3_column_int64(s, 2);
	return out->reason && out->note ? ERR_OK : ERR_NOMEM;
}

enum err
sqlite_flags_of(struct conn *c, struct arena *a, struct mod_item *m)
{
	sqlite3_stmt *s = conn_stmt(c, STMT_FLAG_OPEN_LIST);
	struct comment_flag *flags = NULL;
	enum err e;

	m->flags = NULL;
	m->nflags = 0;
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, m->c.id);
	sqlite3_bind_int(s, 2, MOD_FLAGS_SHOWN);
	e = sqlite_collect(c, a, s, sizeof(struct comment_flag), fill_flag,
			   (void **)&flags, &m->nflags, "flags of");
	m->flags = flags;
	return e;
}
