/*
 * The store's accounts, sessions, one-time tokens, external identities and
 * outbox answer alike on both backends (store_fixture.h): an email taken
 * in any case, an identity taken, an account gone are conflicts; a deleted
 * account's comments are anonymised, or removed and no longer counted; of
 * takers of one token on two stores at once, exactly one gets it; and on
 * PostgreSQL, due mail claimed by two stores at once is handed to one.
 */
#include <pthread.h>

#include "core/arena.h"
#include "core/util.h"
#include "store/store.h"
#include "test.h"
#include "store_fixture.h"

#define TAKERS 8
#define MAILS  40

static struct user
user_of(const char *name, const char *email)
{
	struct user u = {0};

	u.name = name;
	u.email = email;
	u.password_hash = "";
	u.email_verified = true;
	return u;
}

/* A reader's approved comment by account user on article. */
static int64_t
comment_by(struct store *st, int64_t article, int64_t user, const char *body)
{
	struct comment c = fixture_comment(article, body, NULL);
	int64_t id = 0;

	c.user_id = user;
	c.author = "Ada";
	c.email = "ada@example.org";
	CHECK(st->ops->comment_insert(st, &c, &id) == ERR_OK);
	return id;
}

static void
check_users(struct store *st, struct arena *a)
{
	struct user u = user_of("Ada", "ada@example.org"), got, *list;
	bool name_taken, email_taken;
	int64_t id, id2, n;
	size_t count;

	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id) == ERR_OK);
	u.name = "Other";
	u.email = "ADA@Example.org";
	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id2) == ERR_CONFLICT);
	CHECK(st->ops->user_by_email(st, a, "aDa@EXAMPLE.ORG", &got) ==
		  ERR_OK &&
	      got.id == id && strcmp(got.email, "ada@example.org") == 0);
	CHECK(st->ops->user_by_email(st, a, "", &got) == ERR_NOTFOUND);
	CHECK(st->ops->user_get(st, a, id + 100, &got) == ERR_NOTFOUND);

	/* An external account without an email, linked in the same commit;
	 * a taken identity leaves no account behind. */
	u = user_of("Bo", "");
	u.email_verified = false;
	u.role = ROLE_MODERATOR;
	CHECK(st->ops->user_insert(st, &u, "idp", "sub-1", &id2) == ERR_OK);
	CHECK(st->ops->user_get(st, a, id2, &got) == ERR_OK &&
	      got.email[0] == '\0' && got.role == ROLE_MODERATOR &&
	      !got.email_verified && got.created > 0);
	CHECK(st->ops->identity_user(st, "idp", "sub-1", &n) == ERR_OK &&
	      n == id2);
	CHECK(st->ops->identity_user(st, "idp", "sub-2", &n) == ERR_NOTFOUND);
	u = user_of("Cy", "cy@example.org");
	CHECK(st->ops->user_insert(st, &u, "idp", "sub-1", &n) == ERR_CONFLICT);
	CHECK(st->ops->user_by_email(st, a, "cy@example.org", &got) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->identity_insert(st, "idp", "sub-2", id, "a@b") ==
	      ERR_OK);
	CHECK(st->ops->identity_insert(st, "idp", "sub-2", id2, "") ==
	      ERR_CONFLICT);
	CHECK(st->ops->identity_insert(st, "idp", "sub-3", id2 + 100, "") ==
	      ERR_CONFLICT);

	/* Claims: a name in any case of an enabled, confirmed account. */
	CHECK(st->ops->user_claims(st, "ADA", "ADA@example.ORG", &name_taken,
				   &email_taken) == ERR_OK &&
	      name_taken && email_taken);
	CHECK(st->ops->user_claims(st, "bo", "", &name_taken, &email_taken) ==
		  ERR_OK &&
	      !name_taken && !email_taken);

	/* Updates: every field; a taken email in any case conflicts. */
	CHECK(st->ops->user_get(st, a, id2, &got) == ERR_OK);
	got.email = "Ada@example.org";
	CHECK(st->ops->user_update(st, &got) == ERR_CONFLICT);
	got.email = "bo@example.org";
	got.email_verified = true;
	got.disabled = true;
	CHECK(st->ops->user_update(st, &got) == ERR_OK);
	CHECK(st->ops->user_by_email(st, a, "BO@example.org", &got) == ERR_OK &&
	      got.id == id2 && got.disabled && got.email_verified);
	got.id = id2 + 100;
	CHECK(st->ops->user_update(st, &got) == ERR_NOTFOUND);
	CHECK(st->ops->user_count_role(st, ROLE_MODERATOR, &n) == ERR_OK &&
	      n == 0);
	CHECK(st->ops->user_count_role(st, ROLE_READER, &n) == ERR_OK &&
	      n == 1);
	CHECK(st->ops->user_list(st, a, &list, &count) == ERR_OK &&
	      count == 2 && list[0].id == id && list[1].id == id2);
}

static void
check_delete(struct store *st, struct arena *a, int64_t article)
{
	struct user u = user_of("Dee", "dee@example.org"), got;
	struct article art, next = fixture_article("later");
	struct user_comment *mine;
	struct comment c;
	int64_t id, first, second, later, *ids;
	size_t n;

	CHECK(st->ops->article_insert(st, &next, &later) == ERR_OK);
	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id) == ERR_OK);
	(void)comment_by(st, later, id, "Words elsewhere.");
	first = comment_by(st, article, id, "First words.");
	second = comment_by(st, article, id, "Second words.");
	u.name = "Dee Renamed";
	u.id = id;
	CHECK(st->ops->user_update(st, &u) == ERR_OK);
	CHECK(st->ops->comment_get(st, a, first, &c) == ERR_OK &&
	      strcmp(c.author, "Dee Renamed") == 0);
	CHECK(st->ops->user_comments(st, a, id, 1, &mine, &n) == ERR_OK &&
	      n == 1 && mine[0].c.id == second && mine[0].c.user_id == id &&
	      strcmp(mine[0].article_slug, "users") == 0);
	CHECK(st->ops->user_comments(st, a, id, 0, &mine, &n) == ERR_OK &&
	      n == 0);
	/* In the order of their ids, whichever was commented on first. */
	CHECK(st->ops->user_articles(st, a, id, &ids, &n) == ERR_OK && n == 2 &&
	      ids[0] == article && ids[1] == later);
	CHECK(st->ops->article_by_id(st, a, article, &art) == ERR_OK);
	CHECK(art.comment_count == 2);

	/* Removed: the text goes, and the count with it. */
	CHECK(st->ops->user_delete(st, id, true) == ERR_OK);
	CHECK(st->ops->user_get(st, a, id, &got) == ERR_NOTFOUND);
	CHECK(st->ops->comment_get(st, a, first, &c) == ERR_OK &&
	      c.user_id == 0 && c.removed &&
	      strcmp(c.author, "Former member") == 0 && c.email[0] == '\0' &&
	      strstr(c.body_html, "removed by its author") != NULL);
	CHECK(st->ops->article_by_id(st, a, article, &art) == ERR_OK);
	CHECK(art.comment_count == 0);
	CHECK(st->ops->article_by_id(st, a, later, &art) == ERR_OK);
	CHECK(art.comment_count == 0);
	CHECK(st->ops->user_delete(st, id, true) == ERR_NOTFOUND);

	/* Anonymised: the text stays, and the count. */
	u = user_of("Eve", "eve@example.org");
	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id) == ERR_OK);
	first = comment_by(st, article, id, "Words that stay.");
	CHECK(st->ops->user_delete(st, id, false) == ERR_OK);
	CHECK(st->ops->comment_get(st, a, first, &c) == ERR_OK &&
	      c.user_id == 0 && !c.removed &&
	      strcmp(c.author, "Former member") == 0 &&
	      strcmp(c.body_html, "Words that stay.") == 0);
	CHECK(st->ops->article_by_id(st, a, article, &art) == ERR_OK);
	CHECK(art.comment_count == 1);
	CHECK(st->ops->user_delete(st, id, false) == ERR_NOTFOUND);
}

static void
check_sessions(struct store *st, struct arena *a)
{
	struct user u = user_of("Fay", "fay@example.org"), got;
	int64_t id, now = time_now();

	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id) == ERR_OK);
	CHECK(st->ops->session_insert(st, "s1", id, now, now + 60, NULL) ==
	      ERR_OK);
	CHECK(st->ops->session_insert(st, "s1", id, now, now + 60, NULL) ==
	      ERR_CONFLICT);
	CHECK(st->ops->session_insert(st, "s9", id + 100, now, now + 60,
				      NULL) == ERR_CONFLICT);
	CHECK(st->ops->session_user(st, a, "s1", now, &got) == ERR_OK &&
	      got.id == id);
	CHECK(st->ops->session_user(st, a, "s1", now + 60, &got) ==
	      ERR_NOTFOUND);
	/* Rotation, and expired sessions purged by the next. */
	CHECK(st->ops->session_insert(st, "s0", id, now - 10, now - 5, NULL) ==
	      ERR_OK);
	CHECK(st->ops->session_insert(st, "s2", id, now, now + 60, "s1") ==
	      ERR_OK);
	CHECK(st->ops->session_user(st, a, "s1", now, &got) == ERR_NOTFOUND);
	CHECK(st->ops->session_user(st, a, "s0", now - 20, &got) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->session_insert(st, "s3", id, now, now + 60, NULL) ==
	      ERR_OK);
	CHECK(st->ops->session_delete(st, "s2") == ERR_OK);
	CHECK(st->ops->session_user(st, a, "s2", now, &got) == ERR_NOTFOUND);
	CHECK(st->ops->session_user(st, a, "s3", now, &got) == ERR_OK);
	CHECK(st->ops->session_delete_user(st, id) == ERR_OK);
	CHECK(st->ops->session_user(st, a, "s3", now, &got) == ERR_NOTFOUND);
}

struct taker {
	struct store *st;
	const char *hash;
	enum err e;
};

static void *
take(void *arg)
{
	struct taker *t = arg;
	struct user_token out;
	struct arena a;

	arena_init(&a);
	t->e = t->st->ops->token_get(t->st, &a, t->hash, "reset", time_now(),
				     true, &out);
	arena_clear(&a);
	return NULL;
}

static void
check_tokens(struct store *st, struct store *other, struct arena *a)
{
	struct user u = user_of("Gil", "gil@example.org");
	struct user_token t = {0}, got;
	struct mail m = {0}, *due;
	struct taker takers[TAKERS];
	pthread_t th[TAKERS];
	int64_t id, now = time_now();
	size_t n;
	int i, won = 0;

	CHECK(st->ops->user_insert(st, &u, NULL, NULL, &id) == ERR_OK);
	t.hash = "h1";
	t.purpose = "reset";
	t.user_id = id;
	t.data = "d1";
	t.expires = now + 60;
	m.to = "gil@example.org";
	m.subject = "Reset";
	m.body = "Follow the link.";
	CHECK(st->ops->token_insert(st, &t, &m, true) == ERR_OK);
	CHECK(st->ops->mail_due(st, a, time_now(), 10, &due, &n) == ERR_OK &&
	      n == 1 && strcmp(due[0].to, "gil@example.org") == 0);
	CHECK(st->ops->mail_sent(st, due[0].id) == ERR_OK);
	CHECK(st->ops->token_insert(st, &t, NULL, false) == ERR_CONFLICT);
	/* Read, not taken: a wrong purpose or a late reader gets nothing. */
	CHECK(st->ops->token_get(st, a, "h1", "verify", now, true, &got) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->token_get(st, a, "h1", "reset", now + 60, true, &got) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->token_get(st, a, "h1", "reset", now, false, &got) ==
		  ERR_OK &&
	      got.user_id == id && strcmp(got.data, "d1") == 0 &&
	      strcmp(got.hash, "h1") == 0 && strcmp(got.purpose, "reset") == 0);
	/* Only one of a purpose and user: the new drops the old. */
	t.hash = "h2";
	t.data = "";
	CHECK(st->ops->token_insert(st, &t, NULL, true) == ERR_OK);
	CHECK(st->ops->token_get(st, a, "h1", "reset", now, false, &got) ==
	      ERR_NOTFOUND);
	/* A token of another purpose, and of no account, stays. */
	t.hash = "h3";
	t.user_id = 0;
	t.purpose = "setup";
	CHECK(st->ops->token_insert(st, &t, NULL, true) == ERR_OK);
	CHECK(st->ops->token_get(st, a, "h3", "setup", now, false, &got) ==
		  ERR_OK &&
	      got.user_id == 0);
	CHECK(st->ops->token_get(st, a, "h2", "reset", now, false, &got) ==
	      ERR_OK);
	/* Taken by many at once, on two stores: one gets it. */
	for (i = 0; i < TAKERS; i++) {
		takers[i].st = i % 2 ? other : st;
		takers[i].hash = "h2";
		takers[i].e = ERR_DB;
		CHECK(pthread_create(&th[i], NULL, take, &takers[i]) == 0);
	}
	for (i = 0; i < TAKERS; i++) {
		pthread_join(th[i], NULL);
		CHECK(takers[i].e == ERR_OK || takers[i].e == ERR_NOTFOUND);
		won += takers[i].e == ERR_OK;
	}
	CHECK(won == 1);
	/* A token of an account goes with it. */
	t.hash = "h4";
	t.user_id = id;
	CHECK(st->ops->token_insert(st, &t, NULL, false) == ERR_OK);
	CHECK(st->ops->user_delete(st, id, false) == ERR_OK);
	CHECK(st->ops->token_get(st, a, "h4", "setup", now, false, &got) ==
	      ERR_NOTFOUND);
}

static void
check_outbox(struct store *st, struct arena *a)
{
	struct mail m = {0}, *due;
	int64_t now;
	size_t n;

	m.subject = "S";
	m.body = "B";
	m.to = "one@example.org";
	CHECK(st->ops->mail_insert(st, &m) == ERR_OK);
	m.to = "two@example.org";
	CHECK(st->ops->mail_insert(st, &m) == ERR_OK);
	now = time_now();
	CHECK(st->ops->mail_due(st, a, now, 0, &due, &n) == ERR_OK && n == 0);
	CHECK(st->ops->mail_due(st, a, now - 3600, 10, &due, &n) == ERR_OK &&
	      n == 0);
	CHECK(st->ops->mail_due(st, a, now, 1, &due, &n) == ERR_OK && n == 1 &&
	      strcmp(due[0].to, "one@example.org") == 0 &&
	      due[0].attempts == 0);
	/* A failure sets when it is due again; 0 gives it up. */
	CHECK(st->ops->mail_failed(st, due[0].id, now + 100, "busy") == ERR_OK);
	CHECK(st->ops->mail_due(st, a, now, 10, &due, &n) == ERR_OK && n == 1 &&
	      strcmp(due[0].to, "two@example.org") == 0);
	CHECK(st->ops->mail_failed(st, due[0].id, 0, "refused") == ERR_OK);
	CHECK(st->ops->mail_due(st, a, now + 100, 10, &due, &n) == ERR_OK &&
	      n == 1 && strcmp(due[0].to, "one@example.org") == 0 &&
	      due[0].attempts == 1);
	CHECK(st->ops->mail_sent(st, due[0].id) == ERR_OK);
	CHECK(st->ops->mail_due(st, a, now + 100000, 10, &due, &n) == ERR_OK &&
	      n == 0);
}

struct claimer {
	struct store *st;
	int got[MAILS + 1];
	size_t n;
};

static void *
claim(void *arg)
{
	struct claimer *c = arg;
	struct mail *due;
	struct arena a;
	size_t n, i, rounds;

	for (rounds = 0; rounds < MAILS; rounds++) {
		arena_init(&a);
		if (c->st->ops->mail_due(c->st, &a, time_now(), 3, &due, &n) !=
		    ERR_OK)
			n = 0;
		for (i = 0; i < n; i++) {
			if (due[i].id > 0 && due[i].id <= MAILS)
				c->got[due[i].id]++;
			c->n++;
		}
		arena_clear(&a);
	}
	return NULL;
}

/* Two nodes' senders at once: each mail handed out once (PostgreSQL's
 * claim; SQLite's sender is its one process's). */
static void
check_claims(struct store *st, struct store *other)
{
	struct claimer c[2] = {{st, {0}, 0}, {other, {0}, 0}};
	struct mail m = {0};
	pthread_t th[2];
	int i, once = 0;

	m.to = "many@example.org";
	m.subject = "S";
	m.body = "B";
	for (i = 0; i < MAILS; i++)
		CHECK(st->ops->mail_insert(st, &m) == ERR_OK);
	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&th[i], NULL, claim, &c[i]) == 0);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(c[0].n + c[1].n == MAILS);
	for (i = 1; i <= MAILS; i++)
		once += c[0].got[i] + c[1].got[i] == 1;
	CHECK(once == MAILS);
}

static void
run(void)
{
	char dir[512], path[600];
	struct store *st, *other;
	struct arena a;
	int64_t article;

	CHECK(test_scratch_dir(dir, sizeof(dir), "userstore") != NULL);
	st = fixture_store_fresh(dir, "users", path, sizeof(path), &article);
	if (st == NULL)
		return;
	other = fixture_store_open(path);
	CHECK(other != NULL);
	arena_init(&a);
	check_users(st, &a);
	check_delete(st, &a, article);
	check_sessions(st, &a);
	if (other)
		check_tokens(st, other, &a);
	store_close(st);
	/* The outbox from the start: mail ids 1.. on a new database. */
	st = fixture_store_fresh(dir, "outbox", path, sizeof(path), &article);
	if (st) {
		check_outbox(st, &a);
		store_close(st);
	}
	if (fixture_pg && other) {
		store_close(other);
		st = fixture_store_fresh(dir, "claims", path, sizeof(path),
					 &article);
		other = st ? fixture_store_open(path) : NULL;
		if (st && other)
			check_claims(st, other);
		if (st)
			store_close(st);
	}
	if (other)
		store_close(other);
	arena_clear(&a);
	fixture_remove_dir(dir);
}

int
main(void)
{
	fixture_each_backend(run);
	TEST_DONE();
}
