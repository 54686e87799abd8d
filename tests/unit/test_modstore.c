/*
 * The moderation operations' promises, on both backends alike: a queue's
 * filters and pages, counts, verdicts with their log and recounts, edits,
 * purges, bans, the saved spam model (bytes as given) and what the
 * classifier learns from.
 */
#include <string.h>

#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

static struct store *st;
static struct arena ar;
static int64_t article;

static int64_t
add(const char *body, const char *author, const char *email, int status,
    double score, const char *reason, int64_t parent)
{
	struct comment c = fixture_comment(article, body, NULL);
	int64_t id = 0;

	c.author = author;
	c.email = email;
	c.status = status;
	c.parent_id = parent;
	c.visitor = "browser";
	c.reason = reason;
	c.spam_score = score;
	c.spam_features = "";
	CHECK(st->ops->comment_insert(st, &c, &id) == ERR_OK);
	return id;
}

/* The ids of a queue, newest first, as "id id id". */
static const char *
queue(struct mod_filter f)
{
	struct mod_item *items = NULL;
	size_t n = 0, i;
	char *s = arena_alloc(&ar, 512);

	if (s == NULL)
		return "";
	s[0] = '\0';
	if (f.limit == 0)
		f.limit = 100;
	CHECK(st->ops->mod_list(st, &ar, &f, &items, &n) == ERR_OK);
	for (i = 0; i < n && strlen(s) < 480; i++)
		snprintf(s + strlen(s), 512 - strlen(s), "%s%lld", i ? " " : "",
			 (long long)items[i].c.id);
	return s;
}

static const char *
ids(int64_t a, int64_t b, int64_t c)
{
	char *s = arena_alloc(&ar, 80);

	if (s == NULL)
		return "";
	if (c)
		snprintf(s, 80, "%lld %lld %lld", (long long)a, (long long)b,
			 (long long)c);
	else if (b)
		snprintf(s, 80, "%lld %lld", (long long)a, (long long)b);
	else if (a)
		snprintf(s, 80, "%lld", (long long)a);
	else
		s[0] = '\0';
	return s;
}

static void
check_queues(int64_t held, int64_t spam, int64_t shown, int64_t reply)
{
	struct mod_filter f = {0};
	struct mod_item m;
	int64_t counts[STATUS__MAX], n = -1;

	f.status = STATUS_PENDING;
	CHECK_STR(queue(f), ids(held, 0, 0));
	f.status = STATUS_APPROVED;
	CHECK_STR(queue(f), ids(reply, shown, 0));
	/* Authors and addresses match in any case; a part of the reason. */
	f.author = "OTHER";
	CHECK_STR(queue(f), ids(shown, 0, 0));
	f.author = NULL;
	f.email = "R@Example.ORG";
	CHECK_STR(queue(f), ids(reply, 0, 0));
	f.email = NULL;
	f.status = STATUS_SPAM;
	f.reason = "link";
	CHECK_STR(queue(f), ids(spam, 0, 0));
	f.reason = "nothing like it";
	CHECK_STR(queue(f), "");
	f.reason = NULL;
	f.min_score = 90;
	CHECK_STR(queue(f), ids(spam, 0, 0));
	f.min_score = 99;
	CHECK_STR(queue(f), "");
	/* Pages: ids below before, limit of them. */
	f.min_score = 0;
	f.status = STATUS_APPROVED;
	f.limit = 1;
	CHECK_STR(queue(f), ids(reply, 0, 0));
	f.before = reply;
	CHECK_STR(queue(f), ids(shown, 0, 0));
	f.before = shown;
	CHECK_STR(queue(f), "");
	f.before = 0;
	f.limit = 0;
	f.article_id = article + 1000;
	CHECK_STR(queue(f), "");

	CHECK(st->ops->mod_counts(st, counts) == ERR_OK);
	CHECK(counts[STATUS_PENDING] == 1 && counts[STATUS_SPAM] == 1 &&
	      counts[STATUS_TRASH] == 0 && counts[STATUS_APPROVED] == 0);
	CHECK(st->ops->mod_pending_count(st, &n) == ERR_OK && n == 1);

	/* One comment with every field a moderator weighs. */
	CHECK(st->ops->mod_get(st, &ar, reply, &m) == ERR_OK);
	CHECK_STR(m.parent_author, "Other");
	CHECK_STR(m.parent_text, "shown");
	CHECK_STR(m.article_slug, "modstore");
	CHECK_STR(m.article_kind, "article");
	CHECK_STR(m.c.visitor, "browser");
	CHECK(m.approved == 1 && m.nflags == 0 && m.status_at == 0);
	CHECK(st->ops->mod_get(st, &ar, spam, &m) == ERR_OK);
	CHECK(m.c.spam_score > 0.949 && m.c.spam_score < 0.951);
	CHECK_STR(m.c.reason, "a link farm");
	CHECK(st->ops->mod_get(st, &ar, 99999, &m) == ERR_NOTFOUND);
	/* Approved by account, or by address (any case) without it. */
	CHECK(st->ops->mod_approved_by(st, 5, "r@EXAMPLE.org", &n) == ERR_OK &&
	      n == 1);
	CHECK(st->ops->mod_approved_by(st, 0, "", &n) == ERR_OK && n == 0);
}

static void
check_verdicts(int64_t held, int64_t spam, int64_t shown, int64_t reply)
{
	struct mod_actor who = {7, "Mod"};
	int64_t list[] = {held, shown, 99999, held}, *arts = NULL, n = -1;
	struct mod_log_entry *log = NULL;
	size_t narts = 0, changed = 0, nlog = 0;
	struct article a;
	int status = -1;

	/* A missing comment is skipped; one already there left alone. */
	CHECK(st->ops->mod_set_status(st, &ar, list, 4, STATUS_APPROVED,
				      "approve", &who, 1795306000, &arts,
				      &narts, &changed) == ERR_OK);
	CHECK(changed == 1 && narts == 1 && arts[0] == article);
	CHECK(st->ops->mod_status(st, held, &status) == ERR_OK &&
	      status == STATUS_APPROVED);
	CHECK(st->ops->mod_status(st, 99999, &status) == ERR_NOTFOUND);
	CHECK(st->ops->article_by_id(st, &ar, article, &a) == ERR_OK);
	CHECK(a.comment_count == 3 && a.thread_count == 2);
	CHECK(st->ops->mod_log(st, &ar, held, 10, &log, &nlog) == ERR_OK);
	CHECK(nlog == 1);
	if (nlog == 1) {
		CHECK_STR(log[0].action, "approve");
		CHECK_STR(log[0].status_before, "pending");
		CHECK_STR(log[0].status_after, "approved");
		CHECK(log[0].actor_id == 7 && log[0].at == 1795306000);
	}
	/* The thread spammed: its reply stays, the counts follow. */
	CHECK(st->ops->mod_set_status(st, &ar, &shown, 1, STATUS_SPAM, "spam",
				      &who, 1795306100, &arts, &narts,
				      &changed) == ERR_OK);
	CHECK(changed == 1);
	CHECK(st->ops->article_by_id(st, &ar, article, &a) == ERR_OK);
	CHECK(a.comment_count == 2 && a.thread_count == 1);

	/* An edit, logged with the text before and after. */
	CHECK(st->ops->mod_edit(st, reply, "new text", "<p>new text</p>", &who,
				1795306200, &n) == ERR_OK &&
	      n == article);
	CHECK(st->ops->mod_edit(st, 99999, "x", "x", &who, 1795306200, &n) ==
	      ERR_NOTFOUND);
	CHECK(st->ops->mod_log(st, &ar, reply, 1, &log, &nlog) == ERR_OK);
	CHECK(nlog == 1);
	if (nlog == 1) {
		CHECK_STR(log[0].action, "edit");
		CHECK_STR(log[0].text_before, "reply");
		CHECK_STR(log[0].text_after, "new text");
	}

	/* What the classifier learns from: comments, then decisions. */
	{
		struct spam_row *rows = NULL;
		size_t nrows = 0;

		CHECK(st->ops->spam_rows(st, &ar, false, 0, 10, &rows,
					 &nrows) == ERR_OK);
		CHECK(nrows == 4);
		if (nrows == 4)
			CHECK(rows[0].id == shown && rows[0].spam &&
			      rows[1].id == held && !rows[1].spam &&
			      rows[2].id == spam && rows[2].spam &&
			      rows[3].id == reply && !rows[3].spam);
		CHECK(st->ops->spam_rows(st, &ar, false, held, 1, &rows,
					 &nrows) == ERR_OK);
		CHECK(nrows == 1 && rows[0].id == spam);
		/* The approval, the spam verdict, and the edit (approved). */
		CHECK(st->ops->spam_rows(st, &ar, true, 0, 10, &rows, &nrows) ==
		      ERR_OK);
		CHECK(nrows == 3);
		if (nrows == 3) {
			CHECK(!rows[0].spam && rows[1].spam && !rows[2].spam);
			CHECK_STR(rows[1].body_md, "shown");
			CHECK_STR(rows[2].body_md, "new text");
		}
	}

	/* Purged: old spam nothing answers; the spammed thread has a reply. */
	CHECK(st->ops->mod_purge(st, 1795306100, &who, 1795306300, &n) ==
	      ERR_OK);
	CHECK(n == 1);
	CHECK(st->ops->mod_status(st, spam, &status) == ERR_NOTFOUND);
	CHECK(st->ops->mod_status(st, shown, &status) == ERR_OK);
	CHECK(st->ops->mod_log(st, &ar, 0, 1, &log, &nlog) == ERR_OK);
	CHECK(nlog == 1);
	if (nlog == 1) {
		CHECK_STR(log[0].action, "purge");
		CHECK(log[0].comment_id == spam);
		CHECK_STR(log[0].status_before, "spam");
		CHECK_STR(log[0].text_before, "spam");
	}
}

static void
check_bans(void)
{
	struct mod_actor who = {7, "Mod"};
	struct ban b = {0, BAN_EMAIL, "x@example.org", "abuse", 1795306000,
			0, ""};
	struct mod_log_entry *log = NULL;
	struct ban *bans = NULL;
	size_t n = 0;
	int64_t first = 0, second = 0, third = 0;
	bool found = false;

	CHECK(st->ops->ban_insert(st, &b, &who, &first) == ERR_OK && first);
	b.kind = BAN_ADDRESS;
	b.value = "192.0.2.1";
	b.reason = "";
	b.expires = 1795306500;
	CHECK(st->ops->ban_insert(st, &b, &who, &second) == ERR_OK &&
	      second > first);
	b.kind = BAN__MAX;
	CHECK(st->ops->ban_insert(st, &b, &who, &third) == ERR_INVALID);
	CHECK(st->ops->ban_find(st, BAN_EMAIL, "x@example.org", 1795306100,
				&found) == ERR_OK &&
	      found);
	CHECK(st->ops->ban_find(st, BAN_ADDRESS, "x@example.org", 1795306100,
				&found) == ERR_OK &&
	      !found);
	CHECK(st->ops->ban_find(st, BAN_ADDRESS, "192.0.2.1", 1795306100,
				&found) == ERR_OK &&
	      found);
	CHECK(st->ops->ban_find(st, BAN_ADDRESS, "192.0.2.1", 1795306500,
				&found) == ERR_OK &&
	      !found);
	CHECK(st->ops->ban_find(st, -1, "192.0.2.1", 1795306100, &found) ==
	      ERR_INVALID);
	CHECK(st->ops->ban_list(st, &ar, -1, 1795306100, &bans, &n) == ERR_OK);
	CHECK(n == 2 && bans[0].id == second && bans[1].id == first);
	if (n == 2) {
		CHECK(bans[0].kind == BAN_ADDRESS && bans[1].kind == BAN_EMAIL);
		CHECK_STR(bans[1].reason, "abuse");
		CHECK_STR(bans[1].created_by, "Mod");
	}
	CHECK(st->ops->ban_list(st, &ar, BAN_EMAIL, 1795306100, &bans, &n) ==
	      ERR_OK);
	CHECK(n == 1);
	CHECK(st->ops->ban_list(st, &ar, -1, 1795306600, &bans, &n) == ERR_OK);
	CHECK(n == 1);
	CHECK(st->ops->ban_delete(st, first, &who, 1795306700) == ERR_OK);
	CHECK(st->ops->ban_delete(st, first, &who, 1795306700) == ERR_NOTFOUND);
	CHECK(st->ops->mod_log(st, &ar, 0, 3, &log, &n) == ERR_OK && n == 3);
	if (n == 3) {
		CHECK_STR(log[0].action, "unban");
		CHECK_STR(log[0].detail, "email x@example.org");
		CHECK_STR(log[1].detail, "address 192.0.2.1");
		CHECK_STR(log[2].detail, "email x@example.org: abuse");
	}
}

static void
check_spam_model(void)
{
	static const unsigned char model[] = {0, 1, 0, 255, '\\', 'x', 0};
	const void *data = NULL;
	size_t len = 99;

	CHECK(st->ops->spam_model_get(st, &ar, &data, &len) == ERR_OK);
	CHECK(data == NULL && len == 0);
	CHECK(st->ops->spam_model_put(st, model, sizeof(model), 3,
				      1795306000) == ERR_OK);
	CHECK(st->ops->spam_model_get(st, &ar, &data, &len) == ERR_OK);
	CHECK(len == sizeof(model) && memcmp(data, model, len) == 0);
	CHECK(st->ops->spam_model_put(st, model + 1, 2, 4, 1795306001) ==
	      ERR_OK);
	CHECK(st->ops->spam_model_get(st, &ar, &data, &len) == ERR_OK);
	CHECK(len == 2 && memcmp(data, model + 1, 2) == 0);
}

static void
run(void)
{
	char dir[512], path[600];
	struct comment *own = NULL;
	int64_t held, spam, shown, reply, *recent = NULL;
	size_t n = 0;

	CHECK(test_scratch_dir(dir, sizeof(dir), "modstore") != NULL);
	st = fixture_store_fresh(dir, "modstore", path, sizeof(path), &article);
	if (st == NULL)
		return;
	arena_init(&ar);
	shown =
	    add("shown", "Other", "o@example.org", STATUS_APPROVED, -1, "", 0);
	held = add("held", "Reader", "r@example.org", STATUS_PENDING, 0.5,
		   "first post", 0);
	spam = add("spam", "Spammer", "s@example.org", STATUS_SPAM, 0.95,
		   "a link farm", 0);
	reply = add("reply", "Reader", "r@example.org", STATUS_APPROVED, -1, "",
		    shown);
	check_queues(held, spam, shown, reply);

	/* A browser's own: held ones, and those still theirs to change. */
	CHECK(st->ops->mod_own_pending(st, &ar, article, 0, "browser", &own,
				       &n) == ERR_OK);
	CHECK(n == 1 && own[0].id == held);
	CHECK(st->ops->mod_own_pending(st, &ar, article, 0, "", &own, &n) ==
	      ERR_OK);
	CHECK(n == 0);
	CHECK(st->ops->comment_own_recent(st, &ar, article, 0, "browser", 0,
					  &recent, &n) == ERR_OK);
	CHECK(n == 3 && recent[0] == shown && recent[1] == held &&
	      recent[2] == reply);

	check_verdicts(held, spam, shown, reply);
	check_bans();
	check_spam_model();
	arena_clear(&ar);
	store_close(st);
	fixture_remove_dir(dir);
}

int
main(void)
{
	fixture_each_backend(run);
	TEST_DONE();
}
