/*
 * The write path under faults, then kill -9 and a restart.  A child
 * process runs the store on the fault-injecting VFS and posts comments
 * from several threads, reporting each post as it is sent and as it is
 * answered; a fault is planted (a failed fsync, a failed write, a full
 * disk, a write lock held by another connection), and the parent kills
 * the child with SIGKILL, once after it went quiet and once at a random
 * moment while posts are in flight.  Then, on the same files, every post
 * is counted: acknowledged and present once, refused and absent,
 * unknown or unanswered and then sent again with its form key, which
 * must resolve it to exactly one comment.
 */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultvfs.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

#define THREADS	 4
#define WARMUP	 5    /* posts per thread before the fault */
#define MAX_KEYS 4000 /* posts a run may send */

enum fault { FAULT_SYNC, FAULT_WRITE, FAULT_FULL, FAULT_LOCK, FAULT__MAX };

static const char *const fault_names[FAULT__MAX] = {"sync", "write", "full",
						    "lock"};

/* The child's side. */
struct child {
	struct store *st;
	int64_t article;
	int out; /* the pipe to the parent */
	char run[32];
	pthread_mutex_t lock;
	int serial;
	volatile int background; /* posters that go on until killed */
};

/* Reports "WHAT KEY N" to the parent. */
static void
say(struct child *ch, const char *what, const char *key, int n)
{
	char line[128];
	int len = snprintf(line, sizeof(line), "%s %s %d\n", what, key, n);

	/* One write per line: a pipe keeps short writes whole. */
	if (len > 0 && write(ch->out, line, (size_t)len) != len)
		_exit(3);
}

/* Posts one comment whose body is its key, reporting both ends. */
static enum err
child_post(struct child *ch)
{
	char key[64];
	struct comment c;
	int64_t id = 0;
	enum err e;
	int n;

	pthread_mutex_lock(&ch->lock);
	n = ch->serial++;
	pthread_mutex_unlock(&ch->lock);
	snprintf(key, sizeof(key), "%s-%d", ch->run, n);
	say(ch, "sent", key, 0);
	c = fixture_comment(ch->article, key, key);
	e = ch->st->ops->comment_insert(ch->st, &c, &id);
	say(ch, "answer", key, (int)e);
	return e;
}

static void *
poster_once(void *arg)
{
	(void)child_post(arg);
	return NULL;
}

static void *
poster_warmup(void *arg)
{
	int i;

	for (i = 0; i < WARMUP; i++)
		(void)child_post(arg);
	return NULL;
}

static void *
poster_forever(void *arg)
{
	struct child *ch = arg;

	while (ch->background) {
		(void)child_post(ch);
		usleep(2000);
	}
	return NULL;
}

/* THREADS posts at once, each from its own thread. */
static void
post_together(struct child *ch)
{
	pthread_t th[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, poster_once, ch);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
}

struct holder {
	const char *path;
	volatile int holding;
};

/* Another connection holds the write lock for 4 s. */
static void *
hold_lock(void *arg)
{
	struct holder *h = arg;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READWRITE, NULL) ==
		SQLITE_OK &&
	    sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE articles SET tags = 'x'",
			 NULL, NULL, NULL) == SQLITE_OK) {
		h->holding = 1;
		sleep(4);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	h->holding = 2;
	sqlite3_close(db);
	return NULL;
}

/* Plants the fault while posts go on; the posts it hits fail. */
static void
plant(struct child *ch, enum fault f, const char *path)
{
	pthread_t first, holder_th;
	struct holder h = {path, 0};
	int i;

	switch (f) {
	case FAULT_SYNC:
		/*
		 * One commit waits in its fsync while posts queue behind
		 * it; they form the next batch, whose fsync fails.
		 */
		faultvfs_hold_next_sync();
		pthread_create(&first, NULL, poster_once, ch);
		if (!faultvfs_wait_held(5000))
			_exit(4);
		{
			pthread_t th[THREADS];

			for (i = 0; i < THREADS; i++)
				pthread_create(&th[i], NULL, poster_once, ch);
			usleep(100 * 1000);
			faultvfs_fail_sync_at(2);
			faultvfs_release_sync();
			for (i = 0; i < THREADS; i++)
				pthread_join(th[i], NULL);
		}
		pthread_join(first, NULL);
		break;
	case FAULT_WRITE:
		for (i = 1; i <= 4; i++) {
			faultvfs_fail_write_at(i);
			(void)child_post(ch);
			faultvfs_fail_write_at(0);
		}
		break;
	case FAULT_FULL:
		faultvfs_disk_full(true);
		post_together(ch);
		(void)child_post(ch);
		faultvfs_disk_full(false);
		break;
	case FAULT_LOCK:
		pthread_create(&holder_th, NULL, hold_lock, &h);
		while (h.holding == 0)
			usleep(1000);
		post_together(ch);
		pthread_join(holder_th, NULL);
		break;
	default:
		break;
	}
}

static void
child_main(const char *path, int64_t article, enum fault f, int out,
	   bool background, uint64_t seed)
{
	struct child ch = {.article = article, .out = out};
	pthread_t th[THREADS], bg[2];
	int i;

	pthread_mutex_init(&ch.lock, NULL);
	snprintf(ch.run, sizeof(ch.run), "%s%s", fault_names[f],
		 background ? "-bg" : "");
	if (!faultvfs_install(seed) ||
	    (ch.st = fixture_store_open(path)) == NULL)
		_exit(2);
	/*
	 * A server's readers keep their connections open: the writer's is
	 * never the last one, whose closing would fold the WAL away.
	 */
	{
		struct arena a;
		struct article art;

		arena_init(&a);
		if (ch.st->ops->article_by_id(ch.st, &a, article, &art) !=
		    ERR_OK)
			_exit(2);
		arena_clear(&a);
	}
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, poster_warmup, &ch);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	ch.background = background;
	if (background)
		for (i = 0; i < 2; i++)
			pthread_create(&bg[i], NULL, poster_forever, &ch);
	say(&ch, "fault", fault_names[f], 0);
	plant(&ch, f, path);
	say(&ch, "done", "-", 0);
	/* Quiet now, or still posting: the parent kills either way. */
	for (;;)
		pause();
}

/* What the parent learned of one post. */
struct post {
	char key[64];
	bool answered;
	enum err result;
};

static struct post *
post_find(struct post *posts, int *n, const char *key)
{
	int i;

	for (i = 0; i < *n; i++)
		if (strcmp(posts[i].key, key) == 0)
			return &posts[i];
	if (*n == MAX_KEYS) {
		printf("FAIL: more than %d posts\n", MAX_KEYS);
		CHECK(false);
		return NULL;
	}
	snprintf(posts[*n].key, sizeof(posts[*n].key), "%s", key);
	posts[*n].answered = false;
	return &posts[(*n)++];
}

static int64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there of the child's reports into posts; false at EOF. */
struct reports {
	int fd;
	char buf[4096];
	size_t len;
	struct post *posts;
	int n;
	int64_t fault_at;
	bool done;
};

static void
report_line(struct reports *r, const char *line)
{
	char word[16], key[64];
	int code;
	struct post *p;

	if (sscanf(line, "%15s %63s %d", word, key, &code) != 3)
		return;
	if (strcmp(word, "fault") == 0) {
		r->fault_at = ms_now();
	} else if (strcmp(word, "done") == 0) {
		r->done = true;
	} else if ((p = post_find(r->posts, &r->n, key)) != NULL &&
		   strcmp(word, "answer") == 0) {
		p->answered = true;
		p->result = (enum err)code;
	}
}

/* Waits up to ms for reports and takes them in; false at end of file. */
static bool
reports_read(struct reports *r, int ms)
{
	fd_set rs;
	struct timeval tv = {0, ms * 1000};
	char *nl;
	ssize_t got;

	FD_ZERO(&rs);
	FD_SET(r->fd, &rs);
	if (select(r->fd + 1, &rs, NULL, NULL, &tv) <= 0)
		return true;
	got = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
	if (got <= 0)
		return false;
	r->len += (size_t)got;
	r->buf[r->len] = '\0';
	while ((nl = strchr(r->buf, '\n')) != NULL) {
		*nl = '\0';
		report_line(r, r->buf);
		r->len -= (size_t)(nl + 1 - r->buf);
		memmove(r->buf, nl + 1, r->len + 1);
	}
	return true;
}

/*
 * Runs one child: reads its reports, kills it (after "done", or at
 * kill_ms after "fault" when that comes first), and checks the files.
 */
static void
run_one(const char *dir, enum fault f, bool background, int kill_ms,
	uint64_t seed)
{
	static struct post posts[MAX_KEYS];
	struct reports r = {.posts = posts};
	char path[256], name[64];
	int fds[2], i, code, n;
	int counts[5] = {0}; /* acked, refused, unsure, in flight, resent */
	int64_t article, started = ms_now();
	struct store *st;
	pid_t pid;

	snprintf(name, sizeof(name), "%s%s", fault_names[f],
		 background ? "-bg" : "");
	st = fixture_store_fresh(dir, name, path, sizeof(path), &article);
	if (st == NULL)
		return;
	store_close(st);
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_main(path, article, f, fds[1], background, seed);
		_exit(0);
	}
	close(fds[1]);
	r.fd = fds[0];
	while (reports_read(&r, 2)) {
		if (r.fault_at && kill_ms >= 0 &&
		    ms_now() - r.fault_at >= kill_ms)
			break;
		if (r.done && kill_ms < 0)
			break;
		if (ms_now() - started > 20000) {
			printf("FAIL %s: the child did not finish in 20 s\n",
			       name);
			CHECK(false);
			break;
		}
	}
	kill(pid, SIGKILL);
	/* Answers already written reached their posters: read them all. */
	while (reports_read(&r, 100))
		;
	close(fds[0]);
	n = r.n;
	waitpid(pid, &code, 0);
	CHECK(WIFSIGNALED(code) && WTERMSIG(code) == SIGKILL);

	/* The restart: the same files, as the kill left them. */
	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct post *p = &posts[i];
		int64_t have = fixture_stored(path, p->key), id = 0;
		struct comment c;
		bool resend = true;

		if (p->answered && p->result == ERR_OK) {
			counts[0]++;
			resend = false;
			if (have != 1)
				printf("FAIL %s: acknowledged %s stored %lld"
				       " times\n",
				       name, p->key, (long long)have);
			CHECK(have == 1);
		} else if (p->answered && p->result == ERR_DB) {
			counts[1]++;
			if (have != 0)
				printf("FAIL %s: %s was refused as not stored"
				       " but is there after the restart\n",
				       name, p->key);
			CHECK(have == 0);
		} else {
			counts[p->answered ? 2 : 3]++;
			CHECK(have == 0 || have == 1);
			if (p->answered)
				CHECK(p->result == ERR_UNSURE);
		}
		if (!resend)
			continue;
		/* The reader sends the same form again. */
		c = fixture_comment(article, p->key, p->key);
		CHECK(st->ops->comment_insert(st, &c, &id) == ERR_OK);
		counts[4]++;
		CHECK(fixture_stored(path, p->key) == 1);
	}
	store_close(st);
	fixture_check_db(path);
	printf("%s (kill %s): %d posts: %d acknowledged and present, %d "
	       "refused and absent, %d unknown, %d unanswered; %d sent "
	       "again, each now stored once\n",
	       name, kill_ms < 0 ? "once quiet" : "mid-flight", n, counts[0],
	       counts[1], counts[2], counts[3], counts[4]);
	/* The fault hit something. */
	CHECK(counts[1] + counts[2] + counts[3] > 0);
}

int
main(void)
{
	char dir[512];
	const char *seed_env = getenv("PARLEY_SEED");
	uint64_t seed =
	    seed_env ? strtoull(seed_env, NULL, 10) : (uint64_t)time(NULL);
	int f;

	printf("test_faultkill: PARLEY_SEED=%llu\n", (unsigned long long)seed);
	srand((unsigned)seed);
	CHECK(test_scratch_dir(dir, sizeof(dir), "faultkill") != NULL);
	for (f = 0; f < FAULT__MAX; f++) {
		/* Quiet after the fault: its failed commit is the last. */
		run_one(dir, (enum fault)f, false, -1, seed);
		/* Killed while posts keep coming, at a random moment. */
		run_one(dir, (enum fault)f, true,
			rand() % (f == FAULT_LOCK ? 4000 : 60), seed + 1);
	}
	fixture_remove_dir(dir);
	TEST_DONE();
}
