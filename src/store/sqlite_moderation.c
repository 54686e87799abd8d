/*
 * sqlite_moderation: comments' statuses, the moderation queues and log,
 * bans, and the saved spam model, in the SQLite backend.  A change of
 * status and its log line are one commit.
 */
#include <string.h>

#include "store/names.h"
#include "store/sqlite_internal.h"

static enum err
fill_mod_item(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct mod_item *out = p;
	enum err e = sqlite_read_comment(a, s, &out->c);

	if (e != ERR_OK)
		return e;
	out->c.visitor = col_text(a, s, SQLITE_COMMENT_COLS);
	out->c.reason = col_text(a, s, SQLITE_COMMENT_COLS + 1);
	out->c.spam_score = sqlite3_column_double(s, SQLITE_COMMENT_COLS + 2);
	out->c.spam_features = col_text(a, s, SQLITE_COMMENT_COLS + 3);
	out->status_at = sqlite3_column_int64(s, SQLITE_COMMENT_COLS + 4);
	out->article_slug = col_text(a, s, SQLITE_COMMENT_COLS + 5);
	out->article_title = col_text(a, s, SQLITE_COMMENT_COLS + 6);
	out->article_kind = col_text(a, s, SQLITE_COMMENT_COLS + 7);
	out->parent_author = col_text(a, s, SQLITE_COMMENT_COLS + 8);
	out->approved = sqlite3_column_int64(s, SQLITE_COMMENT_COLS + 9);
	out->parent_text = col_text(a, s, SQLITE_COMMENT_COLS + 10);
	if (!out->c.visitor || !out->c.reason || !out->c.spam_features ||
	    !out->article_slug || !out->article_title || !out->article_kind ||
	    !out->parent_author || !out->parent_text)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_mod_get(struct store *base, struct arena *a, int64_t id,
	       struct mod_item *out)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	enum err e;

	if (c == NULL || (s = conn_stmt(c, STMT_MOD_GET)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	e = sqlite_one(c, a, s, fill_mod_item, out, "moderation get");
	return e == ERR_OK ? sqlite_flags_of(c, a, out) : e;
}

enum err
sqlite_mod_status(struct store *base, int64_t id, int *status)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	if (c == NULL || (s = conn_stmt(c, STMT_MOD_STATUS_OF)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*status =
		    store_status_of((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return ERR_OK;
	return rc == SQLITE_DONE ? ERR_NOTFOUND
				 : sqlite_fail(c->db, "moderation status");
}

enum err
sqlite_mod_list(struct store *base, struct arena *a, const struct mod_filter *f,
		struct mod_item **out, size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	enum err e;
	size_t i;

	if (c == NULL || (s = conn_stmt(c, f->flagged ? STMT_MOD_LIST_FLAGGED
						      : STMT_MOD_LIST)) == NULL)
		return ERR_DB;
	bind_text(s, 1, store_status_name(f->status));
	sqlite3_bind_int64(s, 2, f->article_id);
	bind_text(s, 3, f->author);
	bind_text(s, 4, f->email);
	bind_text(s, 5, f->ip);
	bind_text(s, 6, f->reason);
	sqlite3_bind_int(s, 7, f->min_score);
	sqlite3_bind_int64(s, 8, f->before);
	sqlite3_bind_int(s, 9, f->limit);
	e = sqlite_collect(c, a, s, sizeof(struct mod_item), fill_mod_item,
			   (void **)out, n, "moderation list");
	/* Each comment's open flags: a queue page holds at most 100. */
	for (i = 0; e == ERR_OK && i < *n; i++)
		e = sqlite_flags_of(c, a, &(*out)[i]);
	return e;
}

enum err
sqlite_mod_counts(struct store *base, int64_t *out)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, STATUS__MAX * sizeof(out[0]));
	if (c == NULL || (s = conn_stmt(c, STMT_MOD_COUNTS)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out[STATUS_PENDING] = sqlite3_column_int64(s, 0);
		out[STATUS_SPAM] = sqlite3_column_int64(s, 1);
		out[STATUS_TRASH] = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "counts");
}

enum err
sqlite_mod_pending_count(struct store *base, int64_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_MOD_PENDING_COUNT)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "pending count");
}

/* Adds a log line on the writer's connection. */
enum err
sqlite_mod_log_line(struct conn *w, const struct mod_log_entry *e)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_MOD_LOG_ADD);

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, e->at);
	sqlite3_bind_int64(s, 2, e->actor_id);
	bind_text(s, 3, e->actor);
	bind_text(s, 4, e->action);
	sqlite3_bind_int64(s, 5, e->comment_id);
	sqlite3_bind_int64(s, 6, e->article_id);
	bind_text(s, 7, e->status_before);
	bind_text(s, 8, e->status_after);
	bind_text(s, 9, e->text_before);
	bind_text(s, 10, e->text_after);
	bind_text(s, 11, e->detail);
	return sqlite_step_done(w, s, "moderation log");
}

/* Counts and numbers a discussion's threads again (see 004_thread_no). */
enum err
sqlite_mod_recount(struct conn *w, int64_t article_id)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_MOD_RECOUNT);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	if ((e = sqlite_step_done(w, s, "recount")) != ERR_OK)
		return e;
	if ((s = conn_stmt(w, STMT_MOD_RENUMBER)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	return sqlite_step_done(w, s, "renumber");
}

struct set_status_args {
	struct arena *a;
	const int64_t *ids;
	size_t n;
	int status;
	const char *action;
	const struct mod_actor *who;
	int64_t now;
	int64_t *articles; /* up to n */
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
run_set_status(struct conn *w, void *arg)
{
	struct set_status_args *x = arg;
	const char *after = store_status_name(x->status);
	enum err e;
	size_t i;

	x->narticles = x->changed = 0;
	for (i = 0; i < x->n; i++) {
		struct mod_log_entry le;
		sqlite3_stmt *s = conn_stmt(w, STMT_MOD_STATUS_OF);
		const char *before;
		int64_t article_id, resolved;
		int rc;

		if (s == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, x->ids[i]);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			if (rc == SQLITE_DONE)
				continue; /* gone: nothing to do */
			return sqlite_fail(w->db, "status of");
		}
		before = col_text(x->a, s, 0);
		article_id = sqlite3_column_int64(s, 1);
		sqlite3_reset(s);
		if (before == NULL)
			return ERR_NOMEM;
		/* A decision settles what readers flagged (011_flags.sql). */
		resolved = 0;
		if (x->status != STATUS_PENDING &&
		    (e = sqlite_flags_resolve(w, x->ids[i], x->now,
					      &resolved)) != ERR_OK)
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
			if (resolved > 0 &&
			    (e = sqlite_mod_log_line(w, &le)) != ERR_OK)
				return e;
			continue;
		}
		if ((s = conn_stmt(w, STMT_MOD_SET_STATUS)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, x->ids[i]);
		bind_text(s, 2, after);
		sqlite3_bind_int64(s, 3, x->now);
		if ((e = sqlite_step_done(w, s, "set status")) != ERR_OK)
			return e;
		if ((e = sqlite_mod_log_line(w, &le)) != ERR_OK)
			return e;
		touched(x, article_id);
		x->changed++;
	}
	for (i = 0; i < x->narticles; i++)
		if ((e = sqlite_mod_recount(w, x->articles[i])) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
sqlite_mod_set_status(struct store *base, struct arena *a, const int64_t *ids,
		      size_t n, int status, const char *action,
		      const struct mod_actor *who, int64_t now,
		      int64_t **articles, size_t *narticles, size_t *changed)
{
	struct set_status_args x = {a,	 ids, n,    status, action,
				    who, now, NULL, 0,	    0};
	enum err e;

	*articles = NULL;
	*narticles = *changed = 0;
	if (n == 0)
		return ERR_OK;
	if ((x.articles = arena_alloc(a, n * sizeof(int64_t))) == NULL)
		return ERR_NOMEM;
	e = sqlite_write((struct sqlite_store *)base, run_set_status, &x);
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
run_edit(struct conn *w, void *arg)
{
	struct edit_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_MOD_STATUS_OF);
	struct mod_log_entry le;
	const char *status, *before;
	enum err e;
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? ERR_NOTFOUND
					 : sqlite_fail(w->db, "edit");
	}
	status = col_text(&x->a, s, 0);
	*x->article_id = sqlite3_column_int64(s, 1);
	before = col_text(&x->a, s, 2);
	sqlite3_reset(s);
	if (status == NULL || before == NULL)
		return ERR_NOMEM;
	if ((s = conn_stmt(w, STMT_MOD_EDIT)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	bind_text(s, 2, x->md);
	bind_text(s, 3, x->html);
	if ((e = sqlite_step_done(w, s, "edit")) != ERR_OK)
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
	return sqlite_mod_log_line(w, &le);
}

enum err
sqlite_mod_edit(struct store *base, int64_t id, const char *body_md,
		const char *body_html, const struct mod_actor *who, int64_t now,
		int64_t *article_id)
{
	struct edit_args x = {id,  body_md,    body_html, who,
			      now, article_id, {0}};
	enum err e;

	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_edit, &x);
	arena_clear(&x.a);
	return e;
}

struct revise_args {
	const struct comment_revision *r;
	int64_t *article_id;
	struct arena a;
};

static enum err
run_revise(struct conn *w, void *arg)
{
	struct revise_args *x = arg;
	const struct comment_revision *r = x->r;
	sqlite3_stmt *s = conn_stmt(w, STMT_COMMENT_STATE);
	const char *status, *before, *after;
	struct mod_log_entry le;
	bool removed;
	enum err e;
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, r->id);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? ERR_NOTFOUND
					 : sqlite_fail(w->db, "revise");
	}
	status = col_text(&x->a, s, 0);
	*x->article_id = sqlite3_column_int64(s, 1);
	before = col_text(&x->a, s, 2);
	removed = sqlite3_column_int(s, 3) != 0;
	sqlite3_reset(s);
	if (status == NULL || before == NULL)
		return ERR_NOMEM;
	/*
	 * Checked again here, in the write: a moderator's verdict or the
	 * author's removal since the change was checked stands.
	 */
	if (removed ||
	    (strcmp(status, "approved") != 0 && strcmp(status, "pending") != 0))
		return ERR_NOTFOUND;
	after = r->remove ? status : store_status_name(r->status);
	if (r->remove) {
		if ((s = conn_stmt(w, STMT_OWN_REMOVE)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, r->id);
	} else {
		if ((s = conn_stmt(w, STMT_MOD_EDIT)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, r->id);
		bind_text(s, 2, r->body_md);
		bind_text(s, 3, r->body_html);
	}
	if ((e = sqlite_step_done(w, s, "revise")) != ERR_OK)
		return e;
	if ((s = conn_stmt(w, STMT_OWN_MARK)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_int64(s, 2, r->remove ? 0 : r->now);
	sqlite3_bind_int(s, 3, r->remove);
	if ((e = sqlite_step_done(w, s, "revise mark")) != ERR_OK)
		return e;
	if (strcmp(status, after) != 0) {
		if ((s = conn_stmt(w, STMT_OWN_STATUS)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, r->id);
		bind_text(s, 2, after);
		bind_text(s, 3, r->reason ? r->reason : "");
		sqlite3_bind_double(s, 4, r->spam_score);
		bind_text(s, 5, r->spam_features ? r->spam_features : "");
		sqlite3_bind_int64(s, 6, r->now);
		if ((e = sqlite_step_done(w, s, "revise status")) != ERR_OK)
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
	if ((e = sqlite_mod_log_line(w, &le)) != ERR_OK)
		return e;
	/* A removed comment, or one held again, is no longer counted. */
	if (r->remove || strcmp(status, after) != 0)
		return sqlite_mod_recount(w, *x->article_id);
	return ERR_OK;
}

enum err
sqlite_comment_revise(struct store *base, const struct comment_revision *r,
		      int64_t *article_id)
{
	struct revise_args x = {r, article_id, {0}};
	enum err e;

	*article_id = 0;
	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_revise, &x);
	arena_clear(&x.a);
	return e;
}

static enum err
read_own_id(struct arena *a, sqlite3_stmt *s, void *p)
{
	(void)a;
	*(int64_t *)p = sqlite3_column_int64(s, 0);
	return ERR_OK;
}

enum err
sqlite_comment_own_recent(struct store *base, struct arena *a,
			  int64_t article_id, int64_t user_id,
			  const char *visitor, int64_t since, int64_t **out,
			  size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;

	*out = NULL;
	*n = 0;
	if (user_id == 0 && visitor[0] == '\0')
		return ERR_OK;
	if (c == NULL ||
	    (s = conn_stmt(c, user_id ? STMT_OWN_RECENT_USER
				      : STMT_OWN_RECENT_VISITOR)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	if (user_id)
		sqlite3_bind_int64(s, 2, user_id);
	else
		bind_text(s, 2, visitor);
	sqlite3_bind_int64(s, 3, since);
	return sqlite_collect(c, a, s, sizeof(int64_t), read_own_id,
			      (void **)out, n, "own recent");
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
purge_round(struct conn *w, struct purge_args *x, size_t *done)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_MOD_PURGEABLE);
	struct mod_log_entry *rows = NULL;
	size_t n = 0, cap = 0, i;
	enum err e;
	int rc;

	*done = 0;
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->before);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mod_log_entry *le;

		if (n == cap) {
			struct mod_log_entry *more = arena_alloc(
			    &x->a, (cap ? cap * 2 : 64) * sizeof(*more));

			if (more == NULL) {
				sqlite3_reset(s);
				return ERR_NOMEM;
			}
			if (n)
				memcpy(more, rows, n * sizeof(*more));
			rows = more;
			cap = cap ? cap * 2 : 64;
		}
		le = &rows[n++];
		memset(le, 0, sizeof(*le));
		le->comment_id = sqlite3_column_int64(s, 0);
		le->article_id = sqlite3_column_int64(s, 1);
		le->status_before = col_text(&x->a, s, 2);
		le->text_before = col_text(&x->a, s, 3);
		if (!le->status_before || !le->text_before) {
			sqlite3_reset(s);
			return ERR_NOMEM;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sqlite_fail(w->db, "purgeable");
	for (i = 0; i < n; i++) {
		if ((s = conn_stmt(w, STMT_MOD_DELETE)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, rows[i].comment_id);
		if ((e = sqlite_step_done(w, s, "purge")) != ERR_OK)
			return e;
		rows[i].at = x->now;
		rows[i].actor_id = x->who->id;
		rows[i].actor = x->who->name;
		rows[i].action = "purge";
		if ((e = sqlite_mod_log_line(w, &rows[i])) != ERR_OK)
			return e;
	}
	*done = n;
	return ERR_OK;
}

static enum err
run_purge(struct conn *w, void *arg)
{
	struct purge_args *x = arg;
	size_t done;
	enum err e;

	x->n = 0;
	do {
		if ((e = purge_round(w, x, &done)) != ERR_OK)
			return e;
		x->n += (int64_t)done;
	} while (done > 0);
	return ERR_OK;
}

enum err
sqlite_mod_purge(struct store *base, int64_t before,
		 const struct mod_actor *who, int64_t now, int64_t *n)
{
	struct purge_args x = {before, now, who, 0, {0}};
	enum err e;

	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_purge, &x);
	arena_clear(&x.a);
	*n = e == ERR_OK ? x.n : 0;
	return e;
}

static enum err
fill_log(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct mod_log_entry *out = p;

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->at = sqlite3_column_int64(s, 1);
	out->actor_id = sqlite3_column_int64(s, 2);
	out->actor = col_text(a, s, 3);
	out->action = col_text(a, s, 4);
	out->comment_id = sqlite3_column_int64(s, 5);
	out->article_id = sqlite3_column_int64(s, 6);
	out->status_before = col_text(a, s, 7);
	out->status_after = col_text(a, s, 8);
	out->text_before = col_text(a, s, 9);
	out->text_after = col_text(a, s, 10);
	out->detail = col_text(a, s, 11);
	if (!out->actor || !out->action || !out->status_before ||
	    !out->status_after || !out->text_before || !out->text_after ||
	    !out->detail)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_mod_log(struct store *base, struct arena *a, int64_t comment_id,
	       int limit, struct mod_log_entry **out, size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;

	if (c == NULL ||
	    (s = conn_stmt(c, comment_id ? STMT_MOD_LOG : STMT_MOD_LOG_ALL)) ==
		NULL)
		return ERR_DB;
	if (comment_id) {
		sqlite3_bind_int64(s, 1, comment_id);
		sqlite3_bind_int(s, 2, limit);
	} else {
		sqlite3_bind_int(s, 1, limit);
	}
	return sqlite_collect(c, a, s, sizeof(struct mod_log_entry), fill_log,
			      (void **)out, n, "moderation log");
}

static enum err
run_log_add(struct conn *w, void *arg)
{
	return sqlite_mod_log_line(w, arg);
}

enum err
sqlite_mod_log_add(struct store *base, const struct mod_log_entry *e)
{
	return sqlite_write((struct sqlite_store *)base, run_log_add,
			    (void *)(uintptr_t)e);
}

enum err
sqlite_mod_own_pending(struct store *base, struct arena *a, int64_t article_id,
		       int64_t user_id, const char *visitor,
		       struct comment **out, size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_MOD_OWN_PENDING)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int64(s, 2, user_id);
	bind_text(s, 3, visitor);
	return sqlite_collect(c, a, s, sizeof(struct comment),
			      sqlite_read_comment, (void **)out, n,
			      "own pending");
}

enum err
sqlite_mod_approved_by(struct store *base, int64_t user_id, const char *email,
		       int64_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_MOD_APPROVED_BY)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, user_id);
	bind_text(s, 2, email);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "approved by");
}

struct ban_args {
	const struct ban *b;
	const struct mod_actor *who;
	int64_t *id;
	int64_t del, now;
	struct arena a;
};

static enum err
run_ban_insert(struct conn *w, void *arg)
{
	struct ban_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_BAN_INSERT);
	struct mod_log_entry le;
	enum err e;

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, store_ban_kind_name(x->b->kind));
	bind_text(s, 2, x->b->value);
	bind_text(s, 3, x->b->reason);
	sqlite3_bind_int64(s, 4, x->b->created);
	sqlite3_bind_int64(s, 5, x->b->expires);
	bind_text(s, 6, x->who->name);
	if ((e = sqlite_step_done(w, s, "ban")) != ERR_OK)
		return e;
	*x->id = sqlite3_last_insert_rowid(w->db);
	memset(&le, 0, sizeof(le));
	le.at = x->b->created;
	le.actor_id = x->who->id;
	le.actor = x->who->name;
	le.action = "ban";
	le.detail = arena_printf(&x->a, "%s %s%s%s",
				 store_ban_kind_name(x->b->kind), x->b->value,
				 x->b->reason[0] ? ": " : "", x->b->reason);
	return le.detail ? sqlite_mod_log_line(w, &le) : ERR_NOMEM;
}

enum err
sqlite_ban_insert(struct store *base, const struct ban *b,
		  const struct mod_actor *who, int64_t *id)
{
	struct ban_args x = {b, who, id, 0, 0, {0}};
	enum err e;

	if (b->kind < 0 || b->kind >= BAN__MAX)
		return ERR_INVALID;
	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_ban_insert, &x);
	arena_clear(&x.a);
	return e;
}

static enum err
fill_ban(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct ban *out = p;
	const char *kind = col_text(a, s, 1);

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->kind = kind ? store_ban_kind_of(kind) : BAN_ADDRESS;
	out->value = col_text(a, s, 2);
	out->reason = col_text(a, s, 3);
	out->created = sqlite3_column_int64(s, 4);
	out->expires = sqlite3_column_int64(s, 5);
	out->created_by = col_text(a, s, 6);
	if (!kind || !out->value || !out->reason || !out->created_by)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_ban_list(struct store *base, struct arena *a, int kind, int64_t now,
		struct ban **out, size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_BAN_LIST)) == NULL)
		return ERR_DB;
	bind_text(s, 1, store_ban_kind_name(kind));
	sqlite3_bind_int64(s, 2, now);
	return sqlite_collect(c, a, s, sizeof(struct ban), fill_ban,
			      (void **)out, n, "bans");
}

static enum err
run_ban_delete(struct conn *w, void *arg)
{
	struct ban_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_BAN_GET);
	struct mod_log_entry le;
	const char *kind, *value;
	enum err e;
	int rc;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->del);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? ERR_NOTFOUND
					 : sqlite_fail(w->db, "ban get");
	}
	kind = col_text(&x->a, s, 0);
	value = col_text(&x->a, s, 1);
	sqlite3_reset(s);
	if ((s = conn_stmt(w, STMT_BAN_DELETE)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->del);
	if ((e = sqlite_step_done(w, s, "unban")) != ERR_OK)
		return e;
	memset(&le, 0, sizeof(le));
	le.at = x->now;
	le.actor_id = x->who->id;
	le.actor = x->who->name;
	le.action = "unban";
	le.detail =
	    arena_printf(&x->a, "%s %s", kind ? kind : "", value ? value : "");
	return le.detail ? sqlite_mod_log_line(w, &le) : ERR_NOMEM;
}

enum err
sqlite_ban_delete(struct store *base, int64_t id, const struct mod_actor *who,
		  int64_t now)
{
	struct ban_args x = {NULL, who, NULL, id, now, {0}};
	enum err e;

	arena_init(&x.a);
	e = sqlite_write((struct sqlite_store *)base, run_ban_delete, &x);
	arena_clear(&x.a);
	return e;
}

enum err
sqlite_ban_find(struct store *base, int kind, const char *value, int64_t now,
		bool *found)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	enum err e;

	*found = false;
	if (kind < 0 || kind >= BAN__MAX)
		return ERR_INVALID;
	if (c == NULL || (s = conn_stmt(c, STMT_BAN_FIND)) == NULL)
		return ERR_DB;
	bind_text(s, 1, store_ban_kind_name(kind));
	bind_text(s, 2, value);
	sqlite3_bind_int64(s, 3, now);
	e = sqlite_one(c, NULL, s, NULL, NULL, "ban find");
	*found = e == ERR_OK;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}

enum err
sqlite_spam_model_get(struct store *base, struct arena *a, const void **data,
		      size_t *len)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;
	int rc;

	*data = NULL;
	*len = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_SPAM_MODEL_GET)) == NULL)
		return ERR_DB;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		void *copy = n ? arena_alloc(a, n) : NULL;

		if (n && copy == NULL) {
			sqlite3_reset(s);
			return ERR_NOMEM;
		}
		if (n)
			memcpy(copy, blob, n);
		*data = copy;
		*len = n;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sqlite_fail(c->db, "spam model");
	return ERR_OK;
}

struct model_args {
	const void *data;
	size_t len;
	int64_t examples, now;
};

static enum err
run_model_put(struct conn *w, void *arg)
{
	struct model_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_SPAM_MODEL_PUT);

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_blob(s, 1, x->data, (int)x->len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, x->examples);
	sqlite3_bind_int64(s, 3, x->now);
	return sqlite_step_done(w, s, "spam model save");
}

enum err
sqlite_spam_model_put(struct store *base, const void *data, size_t len,
		      int64_t examples, int64_t now)
{
	struct model_args x = {data, len, examples, now};

	return sqlite_write((struct sqlite_store *)base, run_model_put, &x);
}

static enum err
fill_spam_row(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct spam_row *out = p;

	out->id = sqlite3_column_int64(s, 0);
	out->body_md = col_text(a, s, 1);
	out->spam = sqlite3_column_int(s, 2) != 0;
	return out->body_md ? ERR_OK : ERR_NOMEM;
}

enum err
sqlite_spam_rows(struct store *base, struct arena *a, bool decisions,
		 int64_t after, int limit, struct spam_row **out, size_t *n)
{
	struct conn *c = sqlite_reader((struct sqlite_store *)base);
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, decisions ? STMT_SPAM_DECISIONS
						     : STMT_SPAM_ROWS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit);
	return sqlite_collect(c, a, s, sizeof(struct spam_row), fill_spam_row,
			      (void **)out, n, "spam rows");
}
