/*
 * pg_user: accounts, sessions, one-time tokens, external identities and the
 * mail queue, in the PostgreSQL backend.  Each operation answers as
 * sqlite_user.c does; where SQLite's single writer made a read and the
 * write after it one step, here a row lock or one statement does.
 */
#include "store/pg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/*
 * How long a node's claim on due mail holds: longer than mail.c takes for
 * a batch at worst (20 mails of 10 s to connect and 60 s to send), so no
 * other node sends a mail still being sent; a node that dies mid-batch
 * leaves its mail to be sent once the claim lapses.
 */
#define MAIL_LEASE 1800

#define USER_COLS                                                              \
	"u.id, coalesce(u.email, ''), u.name, u.password_hash, "               \
	"u.email_verified, u.role, u.disabled, u.created"

/* What a discussion counts, as sqlite_stmt.c's COUNTED. */
#define COUNTED                                                                \
	" AND c.status = 'approved' AND NOT EXISTS (SELECT 1 FROM"             \
	" comment_own_edits e WHERE e.comment_id = c.id AND e.removed = 1)"

#define REMOVED_HTML                                                           \
	"'<p class=\"removed\">This comment was removed by its author.</p>'"

static struct pg_stmt user_insert =
    PG_STMT("INSERT INTO users (email, name, password_hash, email_verified,"
	    " role, disabled, created)"
	    " VALUES (nullif($1, ''), $2, $3, $4, $5, $6, $7) RETURNING id");
static struct pg_stmt user_get =
    PG_STMT("SELECT " USER_COLS " FROM users u WHERE u.id = $1");
static struct pg_stmt user_by_email = PG_STMT(
    "SELECT " USER_COLS " FROM users u WHERE lower(u.email) = lower($1)");
static struct pg_stmt user_claims =
    PG_STMT("SELECT (EXISTS (SELECT 1 FROM users WHERE lower(name) = lower($1)"
	    " AND email_verified = 1 AND disabled = 0))::int, (EXISTS (SELECT 1"
	    " FROM users WHERE lower(email) = lower($2)"
	    " AND email_verified = 1))::int");
static struct pg_stmt user_list =
    PG_STMT("SELECT " USER_COLS " FROM users u ORDER BY u.id");
static struct pg_stmt user_update =
    PG_STMT("UPDATE users SET email = nullif($2, ''), name = $3,"
	    " password_hash = $4, email_verified = $5, role = $6,"
	    " disabled = $7 WHERE id = $1");
/* Comments already under the name keep their rows unlocked. */
static struct pg_stmt user_rename_comments = PG_STMT(
    "UPDATE comments SET author = $2 WHERE user_id = $1 AND author <> $2");
static struct pg_stmt user_count_role =
    PG_STMT("SELECT count(*) FROM users WHERE role = $1 AND disabled = 0");
static struct pg_stmt user_lock =
    PG_STMT("SELECT id FROM users WHERE id = $1 FOR UPDATE");
static struct pg_stmt user_lock_articles =
    PG_STMT("SELECT id FROM articles WHERE id IN (SELECT article_id FROM"
	    " comments WHERE user_id = $1) ORDER BY id FOR UPDATE");
static struct pg_stmt user_mark_removed =
    PG_STMT("INSERT INTO comment_own_edits (comment_id, removed)"
	    " SELECT id, 1 FROM comments WHERE user_id = $1"
	    " ON CONFLICT (comment_id) DO UPDATE SET removed = 1");
static struct pg_stmt user_recount = PG_STMT(
    "UPDATE articles SET comment_count = (SELECT count(*) FROM comments c"
    " WHERE c.article_id = articles.id" COUNTED ") WHERE id IN"
    " (SELECT article_id FROM comments WHERE user_id = $1)");
static struct pg_stmt user_anon_comments =
    PG_STMT("UPDATE comments SET author = 'Former member', email = '',"
	    " url = '', user_id = NULL WHERE user_id = $1");
static struct pg_stmt user_remove_comments = PG_STMT(
    "UPDATE comments SET author = 'Former member', email = '',"
    " url = '', body_md = '', body_html = " REMOVED_HTML ", user_id = NULL"
    " WHERE user_id = $1");
static struct pg_stmt user_delete = PG_STMT("DELETE FROM users WHERE id = $1");
/* In the order of their ids, as SQLite reads them (comments_own_by_user). */
static struct pg_stmt user_articles =
    PG_STMT("SELECT DISTINCT article_id FROM comments WHERE user_id = $1"
	    " ORDER BY article_id");
static struct pg_stmt user_comments =
    PG_STMT("SELECT c.id, c.article_id, c.author, c.body_html, c.created,"
	    " a.slug, a.title FROM comments c JOIN articles a"
	    " ON a.id = c.article_id WHERE c.user_id = $1"
	    " AND c.status = 'approved' ORDER BY c.id DESC LIMIT $2");

/* Purges skip rows another purge holds: two sign-ins never wait on each
 * other's expired rows, nor deadlock over them. */
static struct pg_stmt session_purge =
    PG_STMT("DELETE FROM sessions WHERE token_hash IN (SELECT token_hash"
	    " FROM sessions WHERE expires <= $1 FOR UPDATE SKIP LOCKED)");
static struct pg_stmt session_insert =
    PG_STMT("INSERT INTO sessions (token_hash, user_id, created, expires)"
	    " VALUES ($1, $2, $3, $4)");
static struct pg_stmt session_delete =
    PG_STMT("DELETE FROM sessions WHERE token_hash = $1");
static struct pg_stmt session_user =
    PG_STMT("SELECT " USER_COLS " FROM sessions s JOIN users u"
	    " ON u.id = s.user_id WHERE s.token_hash = $1"
	    " AND s.expires > $2 AND u.disabled = 0");
static struct pg_stmt session_delete_user =
    PG_STMT("DELETE FROM sessions WHERE user_id = $1");

static struct pg_stmt token_purge =
    PG_STMT("DELETE FROM user_tokens WHERE token_hash IN (SELECT token_hash"
	    " FROM user_tokens WHERE expires <= $1 FOR UPDATE SKIP LOCKED)");
/* Held to the commit: two writers of one purpose and user take turns, so
 * only_one leaves one token (the two-key form's space is ours alone). */
static struct pg_stmt token_lock_purpose =
    PG_STMT("SELECT pg_advisory_xact_lock(hashtext('user_tokens'),"
	    " hashtext($1::text || '/' || $2::text))");
static struct pg_stmt token_drop_purpose =
    PG_STMT("DELETE FROM user_tokens WHERE purpose = $1"
	    " AND coalesce(user_id, 0) = $2");
static struct pg_stmt token_insert =
    PG_STMT("INSERT INTO user_tokens (token_hash, purpose, user_id, data,"
	    " expires) VALUES ($1, $2, nullif($3::bigint, 0), $4, $5)");
static struct pg_stmt token_get =
    PG_STMT("SELECT coalesce(user_id, 0), data, expires FROM user_tokens"
	    " WHERE token_hash = $1 AND purpose = $2 AND expires > $3");
/* Of two takers, the second finds the row gone once the first commits. */
static struct pg_stmt token_take =
    PG_STMT("DELETE FROM user_tokens WHERE token_hash = $1 AND purpose = $2"
	    " AND expires > $3 RETURNING coalesce(user_id, 0), data, expires");

static struct pg_stmt identity_user = PG_STMT(
    "SELECT user_id FROM identities WHERE provider = $1 AND subject = $2");
static struct pg_stmt identity_insert =
    PG_STMT("INSERT INTO identities (provider, subject, user_id, email,"
	    " created) VALUES ($1, $2, $3, $4, $5)");

static struct pg_stmt mail_insert =
    PG_STMT("INSERT INTO outbox (recipient, subject, body, created,"
	    " next_attempt) VALUES ($1, $2, $3, $4, $4)");
/* Claims due mail: rows another node claims at the same time are skipped,
 * and the claim pushes next_attempt past the lease. */
static struct pg_stmt mail_claim =
    PG_STMT("WITH due AS (SELECT id, next_attempt FROM outbox"
	    " WHERE status = 'queued' AND next_attempt <= $1"
	    " ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED),"
	    " claimed AS (UPDATE outbox o SET next_attempt = $3 FROM due"
	    " WHERE o.id = due.id RETURNING o.id, o.recipient, o.subject,"
	    " o.body, o.attempts, due.next_attempt AS was)"
	    " SELECT id, recipient, subject, body, attempts FROM claimed"
	    " ORDER BY was, id");
static struct pg_stmt mail_sent =
    PG_STMT("UPDATE outbox SET status = 'sent', attempts = attempts + 1,"
	    " last_error = '' WHERE id = $1");
static struct pg_stmt mail_failed =
    PG_STMT("UPDATE outbox SET attempts = attempts + 1, last_error = $3,"
	    " next_attempt = $2, status = CASE WHEN $2::bigint = 0"
	    " THEN 'failed' ELSE 'queued' END WHERE id = $1");

/*
 * Runs s within a transaction; its result in *out (the caller clears it)
 * when out is not NULL.  Any broken constraint (a taken key, an account
 * deleted meanwhile) is ERR_CONFLICT, as SQLITE_CONSTRAINT is on SQLite.
 */
static enum err
exec_stmt(struct pg_conn *c, struct pg_stmt *s, const struct pg_args *a,
	  int64_t *rows, PGresult **out)
{
	char state[6];
	PGresult *r = pg_run(c, s, a, state);

	if (r == NULL)
		return strncmp(state, "23", 2) == 0 ? ERR_CONFLICT : ERR_DB;
	if (rows)
		*rows = strtoll(PQcmdTuples(r), NULL, 10);
	if (out)
		*out = r;
	else
		PQclear(r);
	return ERR_OK;
}

/* Runs one statement with a as a whole transaction, constraints as exec. */
struct one_args {
	struct pg_stmt *s;
	const struct pg_args *a;
};

static enum err
run_one(struct pg_conn *c, void *arg)
{
	struct one_args *x = arg;

	return exec_stmt(c, x->s, x->a, NULL, NULL);
}

static enum err
write_one(struct pg_store *st, struct pg_stmt *s, const struct pg_args *a)
{
	struct one_args x = {s, a};

	return pg_tx(st, run_one, &x);
}

/* Reads USER_COLS from column 0 on. */
static enum err
read_user(struct arena *a, const PGresult *r, int row, void *p)
{
	struct user *out = p;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, row, 0);
	out->email = pg_text(a, r, row, 1);
	out->name = pg_text(a, r, row, 2);
	out->password_hash = pg_text(a, r, row, 3);
	out->email_verified = pg_int(r, row, 4) != 0;
	out->role = store_role_of(PQgetvalue(r, row, 5));
	out->disabled = pg_int(r, row, 6) != 0;
	out->created = pg_int(r, row, 7);
	if (!out->email || !out->name || !out->password_hash)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
read_id(struct arena *a, const PGresult *r, int row, void *p)
{
	(void)a;
	*(int64_t *)p = pg_int(r, row, 0);
	return ERR_OK;
}

static enum err
identity_on(struct pg_conn *c, const char *provider, const char *subject,
	    int64_t user_id, const char *email)
{
	struct pg_args a = {0};

	pg_arg_text(&a, provider);
	pg_arg_text(&a, subject);
	pg_arg_int(&a, user_id);
	pg_arg_text(&a, email);
	pg_arg_int(&a, time_now());
	return exec_stmt(c, &identity_insert, &a, NULL, NULL);
}

struct user_insert_args {
	const struct user *u;
	const char *provider, *subject;
	int64_t *id;
};

static enum err
run_user_insert(struct pg_conn *c, void *arg)
{
	struct user_insert_args *x = arg;
	struct pg_args a = {0};
	PGresult *r;
	enum err e;

	pg_arg_text(&a, x->u->email);
	pg_arg_text(&a, x->u->name);
	pg_arg_text(&a, x->u->password_hash);
	pg_arg_int(&a, x->u->email_verified);
	pg_arg_text(&a, store_role_name(x->u->role));
	pg_arg_int(&a, x->u->disabled);
	pg_arg_int(&a, x->u->created ? x->u->created : time_now());
	if ((e = exec_stmt(c, &user_insert, &a, NULL, &r)) != ERR_OK)
		return e;
	e = PQntuples(r) == 1 ? ERR_OK : ERR_DB;
	if (e == ERR_OK)
		*x->id = pg_int(r, 0, 0);
	PQclear(r);
	if (e == ERR_OK && x->provider && x->subject)
		e = identity_on(c, x->provider, x->subject, *x->id,
				x->u->email);
	return e;
}

static enum err
pg_user_insert(struct store *base, const struct user *u, const char *provider,
	       const char *subject, int64_t *id)
{
	struct user_insert_args x = {u, provider, subject, id};

	return pg_tx(pg_of(base), run_user_insert, &x);
}

static enum err
pg_user_get(struct store *base, struct arena *ar, int64_t id, struct user *out)
{
	struct pg_args a = {0};

	pg_arg_int(&a, id);
	return pg_read_one(pg_of(base), ar, &user_get, &a, read_user, out);
}

static enum err
pg_user_by_email(struct store *base, struct arena *ar, const char *email,
		 struct user *out)
{
	struct pg_args a = {0};

	if (email == NULL || email[0] == '\0')
		return ERR_NOTFOUND;
	pg_arg_text(&a, email);
	return pg_read_one(pg_of(base), ar, &user_by_email, &a, read_user, out);
}

static enum err
pg_user_claims(struct store *base, const char *name, const char *email,
	       bool *name_taken, bool *email_taken)
{
	struct pg_args a = {0};
	PGresult *r;

	*name_taken = *email_taken = false;
	pg_arg_text(&a, name);
	pg_arg_text(&a, email);
	if ((r = pg_read(pg_of(base), &user_claims, &a)) == NULL)
		return ERR_DB;
	if (PQntuples(r) == 1) {
		*name_taken = name && name[0] && pg_int(r, 0, 0);
		*email_taken = email && email[0] && pg_int(r, 0, 1);
	}
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_user_list(struct store *base, struct arena *ar, struct user **out, size_t *n)
{
	return pg_read_all(pg_of(base), ar, &user_list, NULL,
			   sizeof(struct user), read_user, (void **)out, n);
}

static enum err
run_user_update(struct pg_conn *c, void *arg)
{
	const struct user *u = arg;
	struct pg_args a = {0}, b = {0};
	int64_t rows = 0;
	enum err e;

	pg_arg_int(&a, u->id);
	pg_arg_text(&a, u->email);
	pg_arg_text(&a, u->name);
	pg_arg_text(&a, u->password_hash);
	pg_arg_int(&a, u->email_verified);
	pg_arg_text(&a, store_role_name(u->role));
	pg_arg_int(&a, u->disabled);
	if ((e = exec_stmt(c, &user_update, &a, &rows, NULL)) != ERR_OK)
		return e;
	if (rows == 0)
		return ERR_NOTFOUND;
	pg_arg_int(&b, u->id);
	pg_arg_text(&b, u->name);
	return exec_stmt(c, &user_rename_comments, &b, NULL, NULL);
}

static enum err
pg_user_update(struct store *base, const struct user *u)
{
	return pg_tx(pg_of(base), run_user_update, (void *)u);
}

static enum err
pg_user_count_role(struct store *base, enum role role, int64_t *n)
{
	struct pg_args a = {0};

	*n = 0;
	pg_arg_text(&a, store_role_name(role));
	return pg_read_int(pg_of(base), &user_count_role, &a, n);
}

struct user_delete_args {
	int64_t id;
	bool remove;
};

static enum err
run_user_delete(struct pg_conn *c, void *arg)
{
	struct user_delete_args *x = arg;
	struct pg_args a = {0};
	int64_t rows = 0;
	enum err e;

	pg_arg_int(&a, x->id);
	/*
	 * The articles whose counts change are locked first (articles
	 * before accounts, as a comment's insert takes them), then the
	 * account: a comment of theirs being inserted commits before, and
	 * is rewritten below, or waits and finds the account gone.
	 */
	if (x->remove &&
	    (e = exec_stmt(c, &user_lock_articles, &a, NULL, NULL)) != ERR_OK)
		return e;
	if ((e = exec_stmt(c, &user_lock, &a, &rows, NULL)) != ERR_OK)
		return e;
	if (rows == 0)
		return ERR_NOTFOUND;
	/*
	 * Removed comments are marked as a commenter's own removals are,
	 * and no longer counted, before they lose their account.
	 */
	if (x->remove &&
	    ((e = exec_stmt(c, &user_mark_removed, &a, NULL, NULL)) != ERR_OK ||
	     (e = exec_stmt(c, &user_recount, &a, NULL, NULL)) != ERR_OK))
		return e;
	e = exec_stmt(c,
		      x->remove ? &user_remove_comments : &user_anon_comments,
		      &a, NULL, NULL);
	if (e != ERR_OK)
		return e;
	if ((e = exec_stmt(c, &user_delete, &a, &rows, NULL)) != ERR_OK)
		return e;
	return rows ? ERR_OK : ERR_NOTFOUND;
}

static enum err
pg_user_delete(struct store *base, int64_t id, bool remove)
{
	struct user_delete_args x = {id, remove};

	return pg_tx(pg_of(base), run_user_delete, &x);
}

static enum err
pg_user_articles(struct store *base, struct arena *ar, int64_t id,
		 int64_t **out, size_t *n)
{
	struct pg_args a = {0};

	pg_arg_int(&a, id);
	return pg_read_all(pg_of(base), ar, &user_articles, &a, sizeof(int64_t),
			   read_id, (void **)out, n);
}

/* Reads a signed-in reader's comment; its user_id is set by the caller. */
static enum err
read_user_comment(struct arena *a, const PGresult *r, int row, void *p)
{
	struct user_comment *u = p;

	memset(u, 0, sizeof(*u));
	u->c.id = pg_int(r, row, 0);
	u->c.article_id = pg_int(r, row, 1);
	u->c.author = pg_text(a, r, row, 2);
	u->c.body_html = pg_text(a, r, row, 3);
	u->c.created = pg_int(r, row, 4);
	u->article_slug = pg_text(a, r, row, 5);
	u->article_title = pg_text(a, r, row, 6);
	if (!u->c.author || !u->c.body_html || !u->article_slug ||
	    !u->article_title)
		return ERR_NOMEM;
	return ERR_OK;
}

static enum err
pg_user_comments(struct store *base, struct arena *ar, int64_t id, int limit,
		 struct user_comment **out, size_t *n)
{
	struct pg_args a = {0};
	enum err e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return ERR_OK;
	pg_arg_int(&a, id);
	pg_arg_int(&a, limit);
	e = pg_read_all(pg_of(base), ar, &user_comments, &a,
			sizeof(struct user_comment), read_user_comment,
			(void **)out, n);
	for (i = 0; i < *n; i++)
		(*out)[i].c.user_id = id;
	return e;
}

struct session_args {
	const char *hash, *replaces;
	int64_t user_id, now, expires;
};

static enum err
run_session_insert(struct pg_conn *c, void *arg)
{
	struct session_args *x = arg;
	struct pg_args p = {0}, d = {0}, a = {0};
	enum err e;

	/* Expired sessions go whenever a new one comes. */
	pg_arg_int(&p, x->now);
	if ((e = exec_stmt(c, &session_purge, &p, NULL, NULL)) != ERR_OK)
		return e;
	if (x->replaces) {
		pg_arg_text(&d, x->replaces);
		if ((e = exec_stmt(c, &session_delete, &d, NULL, NULL)) !=
		    ERR_OK)
			return e;
	}
	pg_arg_text(&a, x->hash);
	pg_arg_int(&a, x->user_id);
	pg_arg_int(&a, x->now);
	pg_arg_int(&a, x->expires);
	return exec_stmt(c, &session_insert, &a, NULL, NULL);
}

static enum err
pg_session_insert(struct store *base, const char *hash, int64_t user_id,
		  int64_t now, int64_t expires, const char *replaces)
{
	struct session_args x = {hash, replaces, user_id, now, expires};

	return pg_tx(pg_of(base), run_session_insert, &x);
}

static enum err
pg_session_user(struct store *base, struct arena *ar, const char *hash,
		int64_t now, struct user *out)
{
	struct pg_args a = {0};

	pg_arg_text(&a, hash);
	pg_arg_int(&a, now);
	return pg_read_one(pg_of(base), ar, &session_user, &a, read_user, out);
}

static enum err
pg_session_delete(struct store *base, const char *hash)
{
	struct pg_args a = {0};

	pg_arg_text(&a, hash);
	return write_one(pg_of(base), &session_delete, &a);
}

static enum err
pg_session_delete_user(struct store *base, int64_t user_id)
{
	struct pg_args a = {0};

	pg_arg_int(&a, user_id);
	return write_one(pg_of(base), &session_delete_user, &a);
}

static enum err
mail_insert_on(struct pg_conn *c, const struct mail *m)
{
	struct pg_args a = {0};

	pg_arg_text(&a, m->to);
	pg_arg_text(&a, m->subject);
	pg_arg_text(&a, m->body);
	pg_arg_int(&a, time_now());
	return exec_stmt(c, &mail_insert, &a, NULL, NULL);
}

struct token_args {
	const struct user_token *t;
	const struct mail *m;
	bool only_one;
};

static enum err
run_token_insert(struct pg_conn *c, void *arg)
{
	struct token_args *x = arg;
	struct pg_args p = {0}, d = {0}, a = {0};
	enum err e;

	pg_arg_int(&p, time_now());
	if ((e = exec_stmt(c, &token_purge, &p, NULL, NULL)) != ERR_OK)
		return e;
	if (x->only_one) {
		pg_arg_text(&d, x->t->purpose);
		pg_arg_int(&d, x->t->user_id);
		if ((e = exec_stmt(c, &token_lock_purpose, &d, NULL, NULL)) !=
			ERR_OK ||
		    (e = exec_stmt(c, &token_drop_purpose, &d, NULL, NULL)) !=
			ERR_OK)
			return e;
	}
	pg_arg_text(&a, x->t->hash);
	pg_arg_text(&a, x->t->purpose);
	pg_arg_int(&a, x->t->user_id);
	pg_arg_text(&a, x->t->data);
	pg_arg_int(&a, x->t->expires);
	if ((e = exec_stmt(c, &token_insert, &a, NULL, NULL)) != ERR_OK)
		return e;
	return x->m ? mail_insert_on(c, x->m) : ERR_OK;
}

static enum err
pg_token_insert(struct store *base, const struct user_token *t,
		const struct mail *m, bool only_one)
{
	struct token_args x = {t, m, only_one};

	return pg_tx(pg_of(base), run_token_insert, &x);
}

struct token_get_args {
	struct arena *a;
	const char *hash, *purpose;
	struct user_token *out;
};

/* Reads a token's columns; its hash and purpose are the caller's. */
static enum err
read_token(struct arena *a, const PGresult *r, int row, void *p)
{
	struct token_get_args *x = p;
	struct user_token *out = x->out;

	memset(out, 0, sizeof(*out));
	out->user_id = pg_int(r, row, 0);
	out->data = pg_text(a, r, row, 1);
	out->expires = pg_int(r, row, 2);
	out->hash = arena_strdup(a, x->hash);
	out->purpose = arena_strdup(a, x->purpose);
	if (!out->data || !out->hash || !out->purpose)
		return ERR_NOMEM;
	return ERR_OK;
}

struct token_take_args {
	struct token_get_args *x;
	const struct pg_args *a;
};

static enum err
run_token_take(struct pg_conn *c, void *arg)
{
	struct token_take_args *t = arg;
	PGresult *r;
	enum err e;

	if ((e = exec_stmt(c, &token_take, t->a, NULL, &r)) != ERR_OK)
		return e;
	e = PQntuples(r) == 0 ? ERR_NOTFOUND : read_token(t->x->a, r, 0, t->x);
	PQclear(r);
	return e;
}

static enum err
pg_token_get(struct store *base, struct arena *ar, const char *hash,
	     const char *purpose, int64_t now, bool take,
	     struct user_token *out)
{
	struct token_get_args x = {ar, hash, purpose, out};
	struct token_take_args t = {&x, NULL};
	struct pg_args a = {0};

	pg_arg_text(&a, hash);
	pg_arg_text(&a, purpose);
	pg_arg_int(&a, now);
	if (!take)
		return pg_read_one(pg_of(base), ar, &token_get, &a, read_token,
				   &x);
	t.a = &a;
	return pg_tx(pg_of(base), run_token_take, &t);
}

static enum err
pg_identity_user(struct store *base, const char *provider, const char *subject,
		 int64_t *user_id)
{
	struct pg_args a = {0};

	pg_arg_text(&a, provider);
	pg_arg_text(&a, subject);
	return pg_read_one(pg_of(base), NULL, &identity_user, &a, read_id,
			   user_id);
}

struct identity_args {
	const char *provider, *subject, *email;
	int64_t user_id;
};

static enum err
run_identity_insert(struct pg_conn *c, void *arg)
{
	struct identity_args *x = arg;

	return identity_on(c, x->provider, x->subject, x->user_id, x->email);
}

static enum err
pg_identity_insert(struct store *base, const char *provider,
		   const char *subject, int64_t user_id, const char *email)
{
	struct identity_args x = {provider, subject, email, user_id};

	return pg_tx(pg_of(base), run_identity_insert, &x);
}

static enum err
run_mail_insert(struct pg_conn *c, void *arg)
{
	return mail_insert_on(c, arg);
}

static enum err
pg_mail_insert(struct store *base, const struct mail *m)
{
	return pg_tx(pg_of(base), run_mail_insert, (void *)m);
}

static enum err
read_mail(struct arena *a, const PGresult *r, int row, void *p)
{
	struct mail *m = p;

	memset(m, 0, sizeof(*m));
	m->id = pg_int(r, row, 0);
	m->to = pg_text(a, r, row, 1);
	m->subject = pg_text(a, r, row, 2);
	m->body = pg_text(a, r, row, 3);
	m->attempts = (int)pg_int(r, row, 4);
	if (!m->to || !m->subject || !m->body)
		return ERR_NOMEM;
	return ERR_OK;
}

/*
 * Claims up to limit due mails for this node.  The claim is one statement
 * on its own, outside pg_tx: it sends no change event (the outbox is on no
 * page, and every node's sender asks each second, which would empty the
 * other nodes' page caches as often), and it is not run again after a
 * lost connection (a claim made then is sent once its lease lapses).
 */
static enum err
pg_mail_due(struct store *base, struct arena *ar, int64_t now, int limit,
	    struct mail **out, size_t *n)
{
	struct pg_store *st = pg_of(base);
	struct pg_args a = {0};
	struct pg_conn *c;
	PGresult *r;
	enum err e = ERR_OK;
	int i, rows;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return ERR_OK;
	pg_arg_int(&a, now);
	pg_arg_int(&a, limit);
	pg_arg_int(&a, now + MAIL_LEASE);
	if ((c = pg_take(st)) == NULL)
		return ERR_DB;
	r = pg_run(c, &mail_claim, &a, NULL);
	pg_put(st, c);
	if (r == NULL)
		return ERR_DB;
	rows = PQntuples(r);
	if (rows > 0 &&
	    (*out = arena_alloc(ar, sizeof(**out) * (size_t)rows)) == NULL)
		e = ERR_NOMEM;
	for (i = 0; i < rows && e == ERR_OK; i++) {
		e = read_mail(ar, r, i, &(*out)[i]);
		*n = (size_t)i + 1;
	}
	PQclear(r);
	return e;
}

static enum err
pg_mail_sent(struct store *base, int64_t id)
{
	struct pg_args a = {0};

	pg_arg_int(&a, id);
	return write_one(pg_of(base), &mail_sent, &a);
}

static enum err
pg_mail_failed(struct store *base, int64_t id, int64_t next, const char *error)
{
	struct pg_args a = {0};

	pg_arg_int(&a, id);
	pg_arg_int(&a, next);
	pg_arg_text(&a, error);
	return write_one(pg_of(base), &mail_failed, &a);
}

void
pg_user_ops(struct store_ops *ops)
{
	ops->user_insert = pg_user_insert;
	ops->user_get = pg_user_get;
	ops->user_by_email = pg_user_by_email;
	ops->user_claims = pg_user_claims;
	ops->user_list = pg_user_list;
	ops->user_update = pg_user_update;
	ops->user_count_role = pg_user_count_role;
	ops->user_delete = pg_user_delete;
	ops->user_articles = pg_user_articles;
	ops->user_comments = pg_user_comments;
	ops->session_insert = pg_session_insert;
	ops->session_user = pg_session_user;
	ops->session_delete = pg_session_delete;
	ops->session_delete_user = pg_session_delete_user;
	ops->token_insert = pg_token_insert;
	ops->token_get = pg_token_get;
	ops->identity_user = pg_identity_user;
	ops->identity_insert = pg_identity_insert;
	ops->mail_insert = pg_mail_insert;
	ops->mail_due = pg_mail_due;
	ops->mail_sent = pg_mail_sent;
	ops->mail_failed = pg_mail_failed;
}
