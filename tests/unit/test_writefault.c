/*
 * The store's write path under I/O errors (faultvfs): a failed fsync at
 * the COMMIT fails every job of its batch, a failed write and a full disk
 * fail the post they hit, nothing failed shows up later, and the store
 * goes on working once the fault is gone.
 *
 * A failed commit fails every job of its batch once the writer has made
 * sure that nothing of it can come back (test_faultkill kills the process
 * right after, to see); when it cannot make sure, the jobs are told the
 * outcome is unknown (ERR_UNSURE), never that they were not stored.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "faultvfs.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

#define BATCH 5

static enum err
post(struct store *st, int64_t article, const char *body, int64_t *id)
{
	/* One form, one key, as the handler does. */
	struct comment c = fixture_comment(article, body, body);

	*id = 0;
	return st->ops->comment_insert(st, &c, id);
}

struct poster {
	pthread_t th;
	struct store *st;
	int64_t article, id;
	char body[64];
	enum err result;
};

static void *
poster_main(void *arg)
{
	struct poster *p = arg;

	p->result = post(p->st, p->article, p->body, &p->id);
	return NULL;
}

/*
 * One commit waits in its fsync while BATCH posts queue behind it; they
 * form the next batch, whose fsync fails.  With cut, the power goes right
 * after (the failed commit never reached the disk).
 */
static void
test_sync_fails_batch(const char *dir, bool cut)
{
	char path[256], body[64];
	struct poster first, batch[BATCH];
	struct store *st;
	int64_t article, id;
	long failures = faultvfs_failures();
	int i;

	st = fixture_store_fresh(dir, cut ? "sync-cut" : "sync", path,
				 sizeof(path), &article);
	if (st == NULL)
		return;
	faultvfs_hold_next_sync();
	first = (struct poster){.st = st, .article = article};
	snprintf(first.body, sizeof(first.body), "before the batch");
	pthread_create(&first.th, NULL, poster_main, &first);
	CHECK(faultvfs_wait_held(5000));
	for (i = 0; i < BATCH; i++) {
		batch[i] = (struct poster){.st = st, .article = article};
		snprintf(batch[i].body, sizeof(batch[i].body), "batch %d", i);
		pthread_create(&batch[i].th, NULL, poster_main, &batch[i]);
	}
	usleep(200 * 1000);	  /* all queued behind the held commit */
	faultvfs_fail_sync_at(2); /* the held one passes, the next fails */
	faultvfs_release_sync();
	pthread_join(first.th, NULL);
	CHECK(first.result == ERR_OK);
	for (i = 0; i < BATCH; i++) {
		pthread_join(batch[i].th, NULL);
		if (batch[i].result != ERR_DB)
			printf("FAIL: batch post %d of a failed commit: "
			       "result %d\n",
			       i, (int)batch[i].result);
		CHECK(batch[i].result == ERR_DB);
	}
	CHECK(faultvfs_failures() == failures + 1);

	if (cut) {
		faultvfs_power_cut(false);
		store_close(st);
		faultvfs_reset();
	} else {
		/* Later writes work; a failed form sent again is stored once.
		 */
		CHECK(post(st, article, "after the batch", &id) == ERR_OK);
		CHECK(post(st, article, "batch 0", &id) == ERR_OK && id > 0);
		store_close(st);
	}
	st = fixture_store_open(path);
	CHECK(st != NULL);
	store_close(st);
	CHECK(fixture_stored(path, "before the batch") == 1);
	for (i = 0; i < BATCH; i++) {
		snprintf(body, sizeof(body), "batch %d", i);
		CHECK(fixture_stored(path, body) == (!cut && i == 0 ? 1 : 0));
	}
	CHECK(fixture_stored(path, "after the batch") == (cut ? 0 : 1));
	fixture_check_db(path);
}

/*
 * The nth write from now fails, for n past the start of a commit's
 * writes: the post it hits fails, and only that one.
 */
static void
test_write_fails(const char *dir)
{
	char path[256], body[64];
	enum err result[8];
	struct store *st;
	int64_t article, id;
	long failures = faultvfs_failures();
	int n, failed = 0;

	st = fixture_store_fresh(dir, "write", path, sizeof(path), &article);
	if (st == NULL)
		return;
	for (n = 1; n <= 8; n++) {
		snprintf(body, sizeof(body), "write %d", n);
		faultvfs_fail_write_at(n);
		result[n - 1] = post(st, article, body, &id);
		faultvfs_fail_write_at(0); /* a miss must not hit the next */
		CHECK(result[n - 1] == ERR_OK || result[n - 1] == ERR_DB);
		if (result[n - 1] != ERR_OK)
			failed++;
	}
	printf("write faults: %d of 8 posts hit\n", failed);
	/* The first write of a commit always fails it. */
	CHECK(result[0] == ERR_DB);
	CHECK(faultvfs_failures() - failures == failed);
	CHECK(post(st, article, "after the writes", &id) == ERR_OK);
	store_close(st);
	for (n = 1; n <= 8; n++) {
		snprintf(body, sizeof(body), "write %d", n);
		CHECK(fixture_stored(path, body) ==
		      (result[n - 1] == ERR_OK ? 1 : 0));
	}
	CHECK(fixture_stored(path, "after the writes") == 1);
	fixture_check_db(path);
}

/* A full disk fails the posts that need room; reads go on. */
static void
test_disk_full(const char *dir)
{
	char path[256];
	struct store *st;
	struct comment c;
	struct arena ar;
	int64_t article, first, id;

	st = fixture_store_fresh(dir, "full", path, sizeof(path), &article);
	if (st == NULL)
		return;
	arena_init(&ar);
	CHECK(post(st, article, "before the disk filled", &first) == ERR_OK);
	faultvfs_disk_full(true);
	/*
	 * The commit fails, and so does the small write that would make
	 * sure of it: unknown.  Nothing more is written until it is known.
	 */
	CHECK(post(st, article, "on a full disk", &id) == ERR_UNSURE);
	CHECK(post(st, article, "still full", &id) == ERR_DB);
	CHECK(st->ops->comment_get(st, &ar, first, &c) == ERR_OK);
	faultvfs_disk_full(false);
	CHECK(post(st, article, "room again", &id) == ERR_OK);
	CHECK(post(st, article, "on a full disk", &id) == ERR_OK);
	store_close(st);
	CHECK(fixture_stored(path, "before the disk filled") == 1);
	CHECK(fixture_stored(path, "still full") == 0);
	CHECK(fixture_stored(path, "room again") == 1);
	CHECK(fixture_stored(path, "on a full disk") == 1);
	fixture_check_db(path);
	arena_clear(&ar);
}

int
main(void)
{
	char dir[512];

	CHECK(faultvfs_install(1));
	CHECK(test_scratch_dir(dir, sizeof(dir), "writefault") != NULL);
	test_sync_fails_batch(dir, false);
	test_sync_fails_batch(dir, true);
	test_write_fails(dir);
	test_disk_full(dir);
	faultvfs_uninstall();
	fixture_remove_dir(dir);
	TEST_DONE();
}
