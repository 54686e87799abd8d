/*
 * sqlite_user: the identity part of the SQLite backend: users, sessions,
 * one-time tokens, external identities and the mail outbox.  Reads run
 * on the thread's reader; writes go through the group-commit writer.
 */
#include "store/sqlite_internal.h"

#include <string.h>

#include "core/log.h"
#include "core/util.h"

#define SQ(base) ((struct sqlite_store *)(base))

/* Reads USER_COLS from column 0 on. */
static enum err
read_user(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct user *out = p;
	const char *role;

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	out->email = col_text(a, s, 1);
	out->name = col_text(a, s, 2);
	out->password_hash = col_text(a, s, 3);
	out->email_verified = sqlite3_column_int(s, 4) != 0;
	role = (const char *)sqlite3_column_text(s, 5);
	out->role = role ? store_role_of(role) : ROLE_READER;
	out->disabled = sqlite3_column_int(s, 6) != 0;
	out->created = sqlite3_column_int64(s, 7);
	if (!out->email || !out->name || !out->password_hash)
		return ERR_NOMEM;
	return ERR_OK;
}

/* Runs a read statement bound to one text or number; one user or none. */
static enum err
user_one(struct store *base, struct arena *a, enum stmt id, const char *text,
	 int64_t num, int64_t now, struct user *out)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, id)) == NULL)
		return ERR_DB;
	if (text)
		bind_text(s, 1, text);
	else
		sqlite3_bind_int64(s, 1, num);
	if (now)
		sqlite3_bind_int64(s, 2, now);
	return sqlite_one(c, a, s, read_user, out, "user");
}

struct user_insert_args {
	const struct user *u;
	const char *provider, *subject;
	int64_t *id;
};

static enum err
bind_identity(struct conn *w, const char *provider, const char *subject,
	      int64_t user_id, const char *email)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_IDENTITY_INSERT);

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, provider);
	bind_text(s, 2, subject);
	sqlite3_bind_int64(s, 3, user_id);
	bind_text(s, 4, email);
	sqlite3_bind_int64(s, 5, time_now());
	return sqlite_step_done(w, s, "identity insert");
}

static enum err
run_user_insert(struct conn *w, void *arg)
{
	struct user_insert_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_USER_INSERT);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, x->u->email);
	bind_text(s, 2, x->u->name);
	bind_text(s, 3, x->u->password_hash);
	sqlite3_bind_int(s, 4, x->u->email_verified);
	bind_text(s, 5, store_role_name(x->u->role));
	sqlite3_bind_int(s, 6, x->u->disabled);
	sqlite3_bind_int64(s, 7, x->u->created ? x->u->created : time_now());
	if ((e = sqlite_step_done(w, s, "user insert")) != ERR_OK)
		return e;
	*x->id = sqlite3_last_insert_rowid(w->db);
	if (x->provider && x->subject)
		return bind_identity(w, x->provider, x->subject, *x->id,
				     x->u->email);
	return ERR_OK;
}

enum err
sqlite_user_insert(struct store *base, const struct user *u,
		   const char *provider, const char *subject, int64_t *id)
{
	struct user_insert_args x = {u, provider, subject, id};

	return sqlite_write(SQ(base), run_user_insert, &x);
}

enum err
sqlite_user_get(struct store *base, struct arena *a, int64_t id,
		struct user *out)
{
	return user_one(base, a, STMT_USER_GET, NULL, id, 0, out);
}

enum err
sqlite_user_by_email(struct store *base, struct arena *a, const char *email,
		     struct user *out)
{
	if (email == NULL || email[0] == '\0')
		return ERR_NOTFOUND;
	return user_one(base, a, STMT_USER_BY_EMAIL, email, 0, 0, out);
}

enum err
sqlite_user_claims(struct store *base, const char *name, const char *email,
		   bool *name_taken, bool *email_taken)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;
	int rc;

	*name_taken = *email_taken = false;
	if (c == NULL || (s = conn_stmt(c, STMT_USER_CLAIMS)) == NULL)
		return ERR_DB;
	bind_text(s, 1, name ? name : "");
	bind_text(s, 2, email ? email : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*name_taken = name && name[0] && sqlite3_column_int(s, 0);
		*email_taken = email && email[0] && sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "user claims");
}

enum err
sqlite_user_list(struct store *base, struct arena *a, struct user **out,
		 size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	*out = NULL;
	*n = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_USER_LIST)) == NULL)
		return ERR_DB;
	return sqlite_collect(c, a, s, sizeof(struct user), read_user,
			      (void **)out, n, "user list");
}

static enum err
run_user_update(struct conn *w, void *arg)
{
	const struct user *u = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_USER_UPDATE);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, u->id);
	bind_text(s, 2, u->email);
	bind_text(s, 3, u->name);
	bind_text(s, 4, u->password_hash);
	sqlite3_bind_int(s, 5, u->email_verified);
	bind_text(s, 6, store_role_name(u->role));
	sqlite3_bind_int(s, 7, u->disabled);
	if ((e = sqlite_step_done(w, s, "user update")) != ERR_OK)
		return e;
	if (sqlite3_changes(w->db) == 0)
		return ERR_NOTFOUND;
	if ((s = conn_stmt(w, STMT_USER_RENAME_COMMENTS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, u->id);
	bind_text(s, 2, u->name);
	return sqlite_step_done(w, s, "user rename");
}

enum err
sqlite_user_update(struct store *base, const struct user *u)
{
	return sqlite_write(SQ(base), run_user_update, (void *)u);
}

enum err
sqlite_user_count_role(struct store *base, enum role role, int64_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;
	int rc;

	if (c == NULL || (s = conn_stmt(c, STMT_USER_COUNT_ROLE)) == NULL)
		return ERR_DB;
	bind_text(s, 1, store_role_name(role));
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? ERR_OK : sqlite_fail(c->db, "user count");
}

struct user_delete_args {
	int64_t id;
	bool remove;
};

static enum err
run_user_delete(struct conn *w, void *arg)
{
	struct user_delete_args *x = arg;
	sqlite3_stmt *s;
	enum err e;

	/*
	 * Removed comments are marked as a commenter's own removals are,
	 * and no longer counted, before they lose their account.
	 */
	if (x->remove) {
		if ((s = conn_stmt(w, STMT_USER_MARK_REMOVED)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, x->id);
		if ((e = sqlite_step_done(w, s, "user removed")) != ERR_OK)
			return e;
		if ((s = conn_stmt(w, STMT_USER_RECOUNT)) == NULL)
			return ERR_DB;
		sqlite3_bind_int64(s, 1, x->id);
		if ((e = sqlite_step_done(w, s, "user recount")) != ERR_OK)
			return e;
	}
	s = conn_stmt(w, x->remove ? STMT_USER_REMOVE_COMMENTS
				   : STMT_USER_ANON_COMMENTS);
	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	if ((e = sqlite_step_done(w, s, "user comments")) != ERR_OK)
		return e;
	if ((s = conn_stmt(w, STMT_USER_DELETE)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	if ((e = sqlite_step_done(w, s, "user delete")) != ERR_OK)
		return e;
	return sqlite3_changes(w->db) ? ERR_OK : ERR_NOTFOUND;
}

enum err
sqlite_user_delete(struct store *base, int64_t id, bool remove)
{
	struct user_delete_args x = {id, remove};

	return sqlite_write(SQ(base), run_user_delete, &x);
}

static enum err
read_id(struct arena *a, sqlite3_stmt *s, void *p)
{
	(void)a;
	*(int64_t *)p = sqlite3_column_int64(s, 0);
	return ERR_OK;
}

enum err
sqlite_user_articles(struct store *base, struct arena *a, int64_t id,
		     int64_t **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	*out = NULL;
	*n = 0;
	if (c == NULL || (s = conn_stmt(c, STMT_USER_ARTICLES)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	return sqlite_collect(c, a, s, sizeof(int64_t), read_id, (void **)out,
			      n, "user articles");
}

/* Reads a signed-in reader's comment; its user_id is set by the caller. */
static enum err
read_user_comment(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct user_comment *u = p;

	memset(u, 0, sizeof(*u));
	u->c.id = sqlite3_column_int64(s, 0);
	u->c.article_id = sqlite3_column_int64(s, 1);
	u->c.author = col_text(a, s, 2);
	u->c.body_html = col_text(a, s, 3);
	u->c.created = sqlite3_column_int64(s, 4);
	u->article_slug = col_text(a, s, 5);
	u->article_title = col_text(a, s, 6);
	if (!u->c.author || !u->c.body_html || !u->article_slug ||
	    !u->article_title)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_user_comments(struct store *base, struct arena *a, int64_t id, int limit,
		     struct user_comment **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;
	enum err e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return ERR_OK;
	if (c == NULL || (s = conn_stmt(c, STMT_USER_COMMENTS)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, limit);
	e = sqlite_collect(c, a, s, sizeof(struct user_comment),
			   read_user_comment, (void **)out, n, "user comments");
	for (i = 0; i < *n; i++)
		(*out)[i].c.user_id = id;
	return e;
}

struct session_args {
	const char *hash, *replaces;
	int64_t user_id, now, expires;
};

static enum err
run_session_insert(struct conn *w, void *arg)
{
	struct session_args *x = arg;
	sqlite3_stmt *s;
	enum err e;

	/* Expired sessions go whenever a new one comes. */
	if ((s = conn_stmt(w, STMT_SESSION_PURGE)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->now);
	if ((e = sqlite_step_done(w, s, "session purge")) != ERR_OK)
		return e;
	if (x->replaces) {
		if ((s = conn_stmt(w, STMT_SESSION_DELETE)) == NULL)
			return ERR_DB;
		bind_text(s, 1, x->replaces);
		if ((e = sqlite_step_done(w, s, "session replace")) != ERR_OK)
			return e;
	}
	if ((s = conn_stmt(w, STMT_SESSION_INSERT)) == NULL)
		return ERR_DB;
	bind_text(s, 1, x->hash);
	sqlite3_bind_int64(s, 2, x->user_id);
	sqlite3_bind_int64(s, 3, x->now);
	sqlite3_bind_int64(s, 4, x->expires);
	return sqlite_step_done(w, s, "session insert");
}

enum err
sqlite_session_insert(struct store *base, const char *hash, int64_t user_id,
		      int64_t now, int64_t expires, const char *replaces)
{
	struct session_args x = {hash, replaces, user_id, now, expires};

	return sqlite_write(SQ(base), run_session_insert, &x);
}

enum err
sqlite_session_user(struct store *base, struct arena *a, const char *hash,
		    int64_t now, struct user *out)
{
	return user_one(base, a, STMT_SESSION_USER, hash, 0, now, out);
}

struct by_key_args {
	enum stmt id;
	const char *text;
	int64_t num;
};

static enum err
run_by_key(struct conn *w, void *arg)
{
	struct by_key_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, x->id);

	if (s == NULL)
		return ERR_DB;
	if (x->text)
		bind_text(s, 1, x->text);
	else
		sqlite3_bind_int64(s, 1, x->num);
	return sqlite_step_done(w, s, "delete");
}

enum err
sqlite_session_delete(struct store *base, const char *hash)
{
	struct by_key_args x = {STMT_SESSION_DELETE, hash, 0};

	return sqlite_write(SQ(base), run_by_key, &x);
}

enum err
sqlite_session_delete_user(struct store *base, int64_t user_id)
{
	struct by_key_args x = {STMT_SESSION_DELETE_USER, NULL, user_id};

	return sqlite_write(SQ(base), run_by_key, &x);
}

static enum err
mail_insert_on(struct conn *w, const struct mail *m)
{
	sqlite3_stmt *s = conn_stmt(w, STMT_MAIL_INSERT);

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, m->to);
	bind_text(s, 2, m->subject);
	bind_text(s, 3, m->body);
	sqlite3_bind_int64(s, 4, time_now());
	return sqlite_step_done(w, s, "mail insert");
}

struct token_args {
	const struct user_token *t;
	const struct mail *m;
	bool only_one;
};

static enum err
run_token_insert(struct conn *w, void *arg)
{
	struct token_args *x = arg;
	sqlite3_stmt *s;
	enum err e;

	if ((s = conn_stmt(w, STMT_TOKEN_PURGE)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, time_now());
	if ((e = sqlite_step_done(w, s, "token purge")) != ERR_OK)
		return e;
	if (x->only_one) {
		if ((s = conn_stmt(w, STMT_TOKEN_DROP_PURPOSE)) == NULL)
			return ERR_DB;
		bind_text(s, 1, x->t->purpose);
		sqlite3_bind_int64(s, 2, x->t->user_id);
		if ((e = sqlite_step_done(w, s, "token drop")) != ERR_OK)
			return e;
	}
	if ((s = conn_stmt(w, STMT_TOKEN_INSERT)) == NULL)
		return ERR_DB;
	bind_text(s, 1, x->t->hash);
	bind_text(s, 2, x->t->purpose);
	sqlite3_bind_int64(s, 3, x->t->user_id);
	bind_text(s, 4, x->t->data);
	sqlite3_bind_int64(s, 5, x->t->expires);
	if ((e = sqlite_step_done(w, s, "token insert")) != ERR_OK)
		return e;
	return x->m ? mail_insert_on(w, x->m) : ERR_OK;
}

enum err
sqlite_token_insert(struct store *base, const struct user_token *t,
		    const struct mail *m, bool only_one)
{
	struct token_args x = {t, m, only_one};

	return sqlite_write(SQ(base), run_token_insert, &x);
}

/* Reads a token's columns; its hash and purpose are the caller's. */
static enum err
read_token(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct user_token *out = p;

	memset(out, 0, sizeof(*out));
	out->user_id = sqlite3_column_int64(s, 0);
	out->data = col_text(a, s, 1);
	out->expires = sqlite3_column_int64(s, 2);
	return out->data ? ERR_OK : ERR_NOMEM;
}

/* Reads a token on c (reader or writer); deletes it too when take. */
static enum err
token_on(struct conn *c, struct arena *a, const char *hash, const char *purpose,
	 int64_t now, bool take, struct user_token *out)
{
	sqlite3_stmt *s = conn_stmt(c, STMT_TOKEN_GET);
	enum err e;

	if (s == NULL)
		return ERR_DB;
	bind_text(s, 1, hash);
	bind_text(s, 2, purpose);
	sqlite3_bind_int64(s, 3, now);
	e = sqlite_one(c, a, s, read_token, out, "token");
	if (e == ERR_OK) {
		out->hash = arena_strdup(a, hash);
		out->purpose = arena_strdup(a, purpose);
		if (!out->hash || !out->purpose)
			e = ERR_NOMEM;
	}
	if (e != ERR_OK || !take)
		return e;
	if ((s = conn_stmt(c, STMT_TOKEN_DELETE)) == NULL)
		return ERR_DB;
	bind_text(s, 1, hash);
	return sqlite_step_done(c, s, "token take");
}

struct token_get_args {
	struct arena *a;
	const char *hash, *purpose;
	int64_t now;
	struct user_token *out;
};

static enum err
run_token_take(struct conn *w, void *arg)
{
	struct token_get_args *x = arg;

	return token_on(w, x->a, x->hash, x->purpose, x->now, true, x->out);
}

enum err
sqlite_token_get(struct store *base, struct arena *a, const char *hash,
		 const char *purpose, int64_t now, bool take,
		 struct user_token *out)
{
	struct token_get_args x = {a, hash, purpose, now, out};
	struct conn *c;

	/* Taking happens on the writer, so a token is taken only once. */
	if (take)
		return sqlite_write(SQ(base), run_token_take, &x);
	if ((c = sqlite_reader(SQ(base))) == NULL)
		return ERR_DB;
	return token_on(c, a, hash, purpose, now, false, out);
}

enum err
sqlite_identity_user(struct store *base, const char *provider,
		     const char *subject, int64_t *user_id)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	if (c == NULL || (s = conn_stmt(c, STMT_IDENTITY_USER)) == NULL)
		return ERR_DB;
	bind_text(s, 1, provider);
	bind_text(s, 2, subject);
	return sqlite_one(c, NULL, s, read_id, user_id, "identity");
}

struct identity_args {
	const char *provider, *subject, *email;
	int64_t user_id;
};

static enum err
run_identity_insert(struct conn *w, void *arg)
{
	struct identity_args *x = arg;

	return bind_identity(w, x->provider, x->subject, x->user_id, x->email);
}

enum err
sqlite_identity_insert(struct store *base, const char *provider,
		       const char *subject, int64_t user_id, const char *email)
{
	struct identity_args x = {provider, subject, email, user_id};

	return sqlite_write(SQ(base), run_identity_insert, &x);
}

static enum err
run_mail_insert(struct conn *w, void *arg)
{
	return mail_insert_on(w, arg);
}

enum err
sqlite_mail_insert(struct store *base, const struct mail *m)
{
	return sqlite_write(SQ(base), run_mail_insert, (void *)m);
}

static enum err
read_mail(struct arena *a, sqlite3_stmt *s, void *p)
{
	struct mail *m = p;

	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->to = col_text(a, s, 1);
	m->subject = col_text(a, s, 2);
	m->body = col_text(a, s, 3);
	m->attempts = sqlite3_column_int(s, 4);
	if (!m->to || !m->subject || !m->body)
		return ERR_NOMEM;
	return ERR_OK;
}

enum err
sqlite_mail_due(struct store *base, struct arena *a, int64_t now, int limit,
		struct mail **out, size_t *n)
{
	struct conn *c = sqlite_reader(SQ(base));
	sqlite3_stmt *s;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return ERR_OK;
	if (c == NULL || (s = conn_stmt(c, STMT_MAIL_DUE)) == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return sqlite_collect(c, a, s, sizeof(struct mail), read_mail,
			      (void **)out, n, "mail due");
}

enum err
sqlite_mail_sent(struct store *base, int64_t id)
{
	struct by_key_args x = {STMT_MAIL_SENT, NULL, id};

	return sqlite_write(SQ(base), run_by_key, &x);
}

struct mail_failed_args {
	int64_t id, next;
	const char *error;
};

static enum err
run_mail_failed(struct conn *w, void *arg)
{
	struct mail_failed_args *x = arg;
	sqlite3_stmt *s = conn_stmt(w, STMT_MAIL_FAILED);

	if (s == NULL)
		return ERR_DB;
	sqlite3_bind_int64(s, 1, x->id);
	sqlite3_bind_int64(s, 2, x->next);
	bind_text(s, 3, x->error);
	return sqlite_step_done(w, s, "mail failed");
}

enum err
sqlite_mail_failed(struct store *base, int64_t id, int64_t next,
		   const char *error)
{
	struct mail_failed_args x = {id, next, error};

	return sqlite_write(SQ(base), run_mail_failed, &x);
}
