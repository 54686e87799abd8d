/*
 * Readers' flags in the SQLite store: only approved comments take them,
 * one per reader, a hold at the threshold in the same commit, the cap,
 * and a decision resolving them.
 */
#include <string.h>

#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

/* Flags comment as reader from network, with the rules hold_at and cap. */
static enum err
flag_from(struct store *st, int64_t comment, const char *reader,
	  const char *network, int hold_at, int cap, enum flag_result *res,
	  bool *held)
{
	struct flag_input in = {comment, reader,     network, "spam",
				"",	 1795305700, hold_at, cap};
	int64_t article = 0;

	return st->ops->flag_add(st, &in, res, held, &article);
}

/* Flags comment as reader, each reader at an address of its own. */
static enum err
flag(struct store *st, int64_t comment, const char *reader, int hold_at,
     int cap, enum flag_result *res, bool *held)
{
	return flag_from(st, comment, reader, reader, hold_at, cap, res, held);
}

static int
status_of(struct store *st, int64_t id)
{
	int s = -1;

	return st->ops->mod_status(st, id, &s) == ERR_OK ? s : -1;
}

static void
run(void)
{
	char dir[512], path[600];
	struct mod_actor who = {0, "test"};
	struct comment shown, waiting, shared, gone;
	struct comment_revision rm;
	enum flag_result res = FLAG_ADDED;
	int64_t article = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, n = -1,
		*arts = NULL;
	size_t narts = 0, changed = 0;
	struct arena ar;
	struct store *st;
	bool held = false;

	CHECK(test_scratch_dir(dir, sizeof(dir), "flags") != NULL);
	st = fixture_store_fresh(dir, "flags", path, sizeof(path), &article);
	if (st == NULL)
		return;
	arena_init(&ar);
	shown = fixture_comment(article, "shown", "k1");
	waiting = fixture_comment(article, "waiting", "k2");
	waiting.status = STATUS_PENDING;
	CHECK(st->ops->comment_insert(st, &shown, &c1) == ERR_OK);
	CHECK(st->ops->comment_insert(st, &waiting, &c2) == ERR_OK);

	/* Readers flag what they are shown: nothing else, nor nothing. */
	CHECK(flag(st, c2, "r1", 3, 50, &res, &held) == ERR_NOTFOUND);
	CHECK(flag(st, 99999, "r1", 3, 50, &res, &held) == ERR_NOTFOUND);

	/* Two readers do not hold it; the same reader again counts once. */
	CHECK(flag(st, c1, "r1", 3, 50, &res, &held) == ERR_OK);
	CHECK(res == FLAG_ADDED && !held);
	CHECK(flag(st, c1, "r1", 3, 50, &res, &held) == ERR_OK);
	CHECK(res == FLAG_AGAIN && !held);
	CHECK(flag(st, c1, "r2", 3, 50, &res, &held) == ERR_OK);
	CHECK(res == FLAG_ADDED && !held);
	CHECK(status_of(st, c1) == STATUS_APPROVED);
	/* The third holds it, in the same commit. */
	CHECK(flag(st, c1, "r3", 3, 50, &res, &held) == ERR_OK);
	CHECK(res == FLAG_ADDED && held);
	CHECK(status_of(st, c1) == STATUS_PENDING);
	CHECK(flag(st, c1, "r4", 3, 50, &res, &held) == ERR_NOTFOUND);
	CHECK(st->ops->flag_open_count(st, &n) == ERR_OK && n == 1);

	/* Approving resolves them; then the cap counts resolved flags too. */
	CHECK(st->ops->mod_set_status(st, &ar, &c1, 1, STATUS_APPROVED,
				      "approve", &who, 1795305800, &arts,
				      &narts, &changed) == ERR_OK);
	CHECK(changed == 1 && status_of(st, c1) == STATUS_APPROVED);
	CHECK(st->ops->flag_open_count(st, &n) == ERR_OK && n == 0);
	CHECK(flag(st, c1, "r1", 3, 4, &res, &held) == ERR_OK);
	CHECK(res == FLAG_AGAIN);
	CHECK(flag(st, c1, "r5", 3, 4, &res, &held) == ERR_OK);
	CHECK(res == FLAG_ADDED && !held);
	CHECK(flag(st, c1, "r6", 3, 4, &res, &held) == ERR_OK);
	CHECK(res == FLAG_FULL && !held);
	CHECK(st->ops->flag_open_count(st, &n) == ERR_OK && n == 1);
	CHECK(status_of(st, c1) == STATUS_APPROVED);

	/* Readers at one address count once towards a hold, however many. */
	shared = fixture_comment(article, "shared", "k3");
	CHECK(st->ops->comment_insert(st, &shared, &c3) == ERR_OK);
	CHECK(flag_from(st, c3, "s1", "192.0.2.7", 3, 50, &res, &held) ==
	      ERR_OK);
	CHECK(flag_from(st, c3, "s2", "192.0.2.7", 3, 50, &res, &held) ==
	      ERR_OK);
	CHECK(flag_from(st, c3, "s3", "192.0.2.7", 3, 50, &res, &held) ==
	      ERR_OK);
	CHECK(res == FLAG_ADDED && !held);
	CHECK(flag_from(st, c3, "s4", "2001:db8:1:2::/64", 3, 50, &res,
			&held) == ERR_OK);
	CHECK(res == FLAG_ADDED && !held);
	CHECK(status_of(st, c3) == STATUS_APPROVED);
	CHECK(flag_from(st, c3, "s5", "198.51.100.9", 3, 50, &res, &held) ==
	      ERR_OK);
	CHECK(res == FLAG_ADDED && held);
	CHECK(status_of(st, c3) == STATUS_PENDING);

	/* A comment its author removed: its text is gone, nothing to flag. */
	gone = fixture_comment(article, "gone", "k4");
	CHECK(st->ops->comment_insert(st, &gone, &c4) == ERR_OK);
	CHECK(flag(st, c4, "g1", 2, 50, &res, &held) == ERR_OK);
	memset(&rm, 0, sizeof(rm));
	rm.id = c4;
	rm.remove = true;
	rm.status = STATUS_APPROVED;
	rm.who = &who;
	rm.now = 1795305900;
	CHECK(st->ops->comment_revise(st, &rm, &n) == ERR_OK);
	CHECK(flag(st, c4, "g2", 2, 50, &res, &held) == ERR_NOTFOUND);
	CHECK(!held && status_of(st, c4) == STATUS_APPROVED);

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
