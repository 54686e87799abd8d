/*
 * sqlite_writer: the writer thread, owner of the database's only write
 * connection.  It takes every write waiting, runs them in one transaction
 * (each in a savepoint, so one failure spoils no other) and commits once;
 * with synchronous=FULL the commit returns after the WAL is fsync'd, and
 * only then is any of the writers answered: group commit.
 *
 * What it promises under faults:
 * - An answer in bounded time: a write waits at most LOCK_WAIT_MS for a
 *   lock another process holds, then is refused having written nothing.
 * - "Not saved" only when it is known: a failed COMMIT (a failed fsync, a
 *   failed write, a full disk) may have left the transaction's frames in
 *   the WAL, where the next open would find them.  Before answering, the
 *   writer reopens its connection and commits a small write over those
 *   frames; once that commit is durable the failed one can never come
 *   back and its jobs are refused.  When even that fails the outcome stays
 *   unknown, and the jobs are told so (ERR_UNSURE).
 * - A database file removed or moved away while serving is noticed before
 *   and after each commit: writes stop, loudly, for good.
 * - Other processes' commits are noticed within WATCH_MS, busy or idle;
 *   the WAL is checkpointed as it grows and truncated once readers allow.
 */
#include "store/sqlite_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"

/* How long a write may wait for a lock held by another process. */
#define LOCK_WAIT_MS 3000

/* How often the writer looks for other processes' commits. */
#define WATCH_MS 250

/* WAL frames after which a commit is followed by a passive checkpoint. */
#define CHECKPOINT_FRAMES 1000

#define FILE_GONE                                                              \
	"the database file was removed or moved away while serving; no write " \
	"is accepted until Parley is restarted on it"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends job to the writer's queue; false when the store is stopping. */
static bool
enqueue(struct sqlite_store *st, struct write_job *job)
{
	if (st->stopping)
		return false;
	job->next = NULL;
	job->queued_ms = now_ms();
	if (st->tail)
		st->tail->next = job;
	else
		st->head = job;
	st->tail = job;
	pthread_cond_signal(&st->job_ready);
	return true;
}

enum err
sqlite_write(struct sqlite_store *st, enum err (*run)(struct conn *, void *),
	     void *arg)
{
	struct write_job job = {run, arg, ERR_DB, false, NULL, NULL, 0};

	pthread_mutex_lock(&st->lock);
	/*
	 * The job lives on this stack: the writer is done with it before
	 * job.done is set, and this thread waits for that below.
	 */
	if (!enqueue(st, &job)) { /* cppcheck-suppress autoVariables */
		pthread_mutex_unlock(&st->lock);
		return ERR_DB;
	}
	while (!job.done)
		pthread_cond_wait(&st->job_done, &st->lock);
	pthread_mutex_unlock(&st->lock);
	return job.result;
}

bool
sqlite_submit(struct sqlite_store *st, struct write_job *job)
{
	bool ok;

	job->result = ERR_DB;
	job->done = false;
	pthread_mutex_lock(&st->lock);
	ok = enqueue(st, job);
	pthread_mutex_unlock(&st->lock);
	return ok;
}

/* Sets what /healthz reports (NULL: nothing wrong); logged when new. */
static void set_fault(struct sqlite_store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_fault(struct sqlite_store *st, const char *fmt, ...)
{
	char msg[sizeof(st->fault)] = "";
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_lock(&st->lock);
	if (strcmp(st->fault, msg) != 0) {
		if (msg[0])
			log_warnx("database %s: %s", st->path, msg);
		else
			log_info("database %s: writes work again", st->path);
		memcpy(st->fault, msg, sizeof(msg));
	}
	pthread_mutex_unlock(&st->lock);
}

bool
sqlite_fault(struct sqlite_store *st, char *out, size_t n)
{
	struct stat sb;
	bool bad;

	pthread_mutex_lock(&st->lock);
	bad = st->fault[0] != '\0';
	snprintf(out, n, "%s", st->fault);
	pthread_mutex_unlock(&st->lock);
	/* Before the writer's next look: the file at the path, now. */
	if (!bad && (stat(st->path, &sb) != 0 || sb.st_dev != st->file_dev ||
		     sb.st_ino != st->file_ino)) {
		snprintf(out, n, "%s", FILE_GONE);
		bad = true;
	}
	return bad;
}

/*
 * Whether the file at the store's path is still the one the writer has
 * open.  Once it is not (removed, moved, replaced), whatever is committed
 * goes where the site will never read it again: writes stop for good.
 */
static bool
file_still_there(struct sqlite_store *st)
{
	int moved = 0;

	if (st->gone)
		return false;
	if (sqlite3_file_control(st->writer.db, "main", SQLITE_FCNTL_HAS_MOVED,
				 &moved) != SQLITE_OK ||
	    !moved)
		return true;
	st->gone = true;
	set_fault(st, "%s", FILE_GONE);
	return false;
}

static bool
exec_simple(struct conn *w, const char *sql)
{
	return sqlite3_exec(w->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* Runs the writer's savepoint statement id; false when it fails. */
static bool
savepoint(struct conn *w, enum stmt id)
{
	sqlite3_stmt *s = conn_stmt(w, id);
	int rc;

	if (s == NULL)
		return false;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE;
}

/* Counts the WAL's frames after each of the writer's commits. */
static int
wal_grew(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sqlite_store *st = arg;

	(void)db;
	(void)name;
	st->wal_frames = frames;
	return SQLITE_OK;
}

bool
sqlite_writer_setup(struct sqlite_store *st, struct buf *err)
{
	char sql[96];

	/*
	 * The writer checkpoints itself (sqlite_writer_main): the hook
	 * replaces SQLite's own checkpoint after a commit.  A WAL grown
	 * behind a long reader is cut back to this size once reset.
	 */
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d",
		 WAL_LIMIT_BYTES);
	if (!exec_simple(&st->writer, sql)) {
		buf_seterr(err, "%s", sqlite3_errmsg(st->writer.db));
		return false;
	}
	sqlite3_wal_hook(st->writer.db, wal_grew, st);
	return true;
}

/*
 * Makes the outcome of a failed commit known: a small commit (the
 * application id, written again) goes where the failed one's frames
 * began, and once it is durable they can never be read back.  Until it
 * succeeds, st->unsure stays set.
 */
static bool
settle(struct sqlite_store *st)
{
	struct conn *w = &st->writer;
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", PARLEY_APP_ID);
	sqlite3_busy_timeout(w->db, LOCK_WAIT_MS);
	if (exec_simple(w, "BEGIN IMMEDIATE") && exec_simple(w, sql) &&
	    exec_simple(w, "COMMIT")) {
		st->unsure = false;
		if (!st->gone)
			set_fault(st, NULL);
		return true;
	}
	set_fault(st,
		  "writes are failing (%s); the outcome of the last"
		  " commit is not known yet",
		  sqlite3_errmsg(w->db));
	(void)exec_simple(w, "ROLLBACK");
	return false;
}

/*
 * After a failed COMMIT: the connection is opened again, so no state of
 * the failed transaction is kept, then the outcome is settled.  True
 * when it is known that nothing of the batch was stored.
 */
static bool
recover(struct sqlite_store *st)
{
	struct buf err;
	bool ok;

	st->unsure = true;
	if (st->writer.db != NULL)
		(void)exec_simple(&st->writer, "ROLLBACK");
	sqlite_conn_close(&st->writer);
	buf_init(&err, 512);
	ok = sqlite_conn_open(&st->writer, st->path, CONN_WRITER, &err) &&
	     sqlite_writer_setup(st, &err);
	if (!ok) {
		set_fault(st, "cannot reopen the database: %s", buf_cstr(&err));
		sqlite_conn_close(&st->writer);
	}
	buf_clear(&err);
	return ok && file_still_there(st) && settle(st);
}

static void
fail_batch(struct write_job *batch, enum err e)
{
	struct write_job *j;

	for (j = batch; j != NULL; j = j->next)
		j->result = e;
}

/* Runs one batch of jobs in one transaction. */
static void
writer_batch(struct sqlite_store *st, struct write_job *batch)
{
	struct conn *w = &st->writer;
	struct write_job *j;
	int64_t wait = batch->queued_ms + LOCK_WAIT_MS - now_ms();
	bool ok;

	/* Nothing is written while an earlier outcome is unknown. */
	if ((w->db == NULL && !recover(st)) || !file_still_there(st) ||
	    (st->unsure && !settle(st))) {
		fail_batch(batch, ERR_DB);
		return;
	}
	/*
	 * Another process may hold the write lock: the batch waits for it
	 * only until its oldest job's time is up, and is then refused,
	 * having written nothing, so that no refused post is stored later.
	 */
	sqlite3_busy_timeout(w->db, wait > 0 ? (int)wait : 0);
	if (!exec_simple(w, "BEGIN IMMEDIATE")) {
		log_warnx("database %s: cannot start a write: %s", st->path,
			  sqlite3_errmsg(w->db));
		fail_batch(batch, ERR_DB);
		return;
	}
	ok = true;
	/*
	 * The savepoints are prepared statements: parsed again for every job,
	 * they cost a busy writer more than many of its jobs.
	 */
	for (j = batch; ok && j != NULL; j = j->next) {
		if (!savepoint(w, STMT_SAVEPOINT)) {
			j->result = sqlite_fail(w->db, "savepoint");
			continue;
		}
		j->result = j->run(w, j->arg);
		if (j->result != ERR_OK)
			(void)savepoint(w, STMT_ROLLBACK_TO);
		if (!savepoint(w, STMT_RELEASE))
			ok = false;
	}
	if (!ok) {
		/* Nothing reached a commit: nothing of the batch is stored. */
		(void)sqlite_fail(w->db, "batch");
		(void)exec_simple(w, "ROLLBACK");
		fail_batch(batch, ERR_DB);
		return;
	}
	/*
	 * A failed COMMIT (a failed fsync among its causes) is acknowledged
	 * to no one, and retried behind no one's back; whether it is stored
	 * is found out before anyone is answered.
	 */
	if (!exec_simple(w, "COMMIT")) {
		(void)sqlite_fail(w->db, "commit");
		fail_batch(batch, recover(st) ? ERR_DB : ERR_UNSURE);
		return;
	}
	/* Committed, but perhaps to a file the site no longer reads. */
	if (!file_still_there(st))
		fail_batch(batch, ERR_UNSURE);
}

/*
 * PRAGMA data_version on the writer's own connection changes only when
 * another connection, in another process, has committed: our own writes
 * invalidate the cache exactly; the CLI's are noticed here.
 */
void
sqlite_writer_watch(struct sqlite_store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t v = st->data_version;

	if (st->writer.db == NULL)
		return;
	(void)file_still_there(st);
	if (sqlite3_prepare_v2(st->writer.db, "PRAGMA data_version", -1, &s,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (v != st->data_version && st->data_version != 0 &&
	    st->base.changed_elsewhere)
		st->base.changed_elsewhere(st->base.changed_arg);
	st->data_version = v;
}

/*
 * Keeps the WAL short.  After a commit: a passive checkpoint once it has
 * grown (what SQLite does by itself without the hook).  When idle, and
 * only once the file has grown past WAL_LIMIT_BYTES behind a long reader:
 * a truncating one, which readers still using the WAL turn down at once
 * (no busy wait); the next idle moment tries again.  Below the limit the
 * file keeps its size: writes over existing blocks make cheaper fsyncs
 * than a file growing again.
 */
static void
checkpoint(struct sqlite_store *st, bool idle)
{
	sqlite3 *db = st->writer.db;
	const char *wal;
	struct stat sb;
	int rc;

	if (db == NULL || st->gone)
		return;
	if (!idle) {
		if (st->wal_frames >= CHECKPOINT_FRAMES)
			(void)sqlite3_wal_checkpoint_v2(
			    db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return;
	}
	wal = sqlite3_filename_wal(sqlite3_db_filename(db, "main"));
	if (wal == NULL || stat(wal, &sb) != 0 || sb.st_size <= WAL_LIMIT_BYTES)
		return;
	sqlite3_busy_timeout(db, 0);
	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				       NULL, NULL);
	if (rc == SQLITE_OK)
		st->wal_frames = 0;
}

/* Hands the batch's results to its callers. */
static void
answer(struct sqlite_store *st, struct write_job *batch)
{
	struct write_job *j, *next, *submitted = NULL, **last = &submitted;

	/*
	 * Waiting callers are woken; submitted jobs are set aside first, in
	 * their order, since a waiter's job may be gone as soon as it is
	 * marked done.  Their completions run outside the lock, so writes
	 * queue meanwhile for the next commit.
	 */
	for (j = batch; j != NULL; j = next) {
		next = j->next; /* j lives on its waiter's stack */
		if (j->complete != NULL) {
			j->next = NULL;
			*last = j;
			last = &j->next;
		} else {
			j->done = true;
		}
	}
	pthread_cond_broadcast(&st->job_done);
	if (submitted != NULL) {
		pthread_mutex_unlock(&st->lock);
		for (j = submitted; j != NULL; j = next) {
			next = j->next; /* j is the completion's now */
			j->complete(j);
		}
		pthread_mutex_lock(&st->lock);
	}
}

/* Waits for a job or for the next look around; st->lock is held. */
static void
wait_for_work(struct sqlite_store *st, int64_t *next_watch)
{
	struct timespec until;

	while (st->head == NULL && !st->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&st->job_ready, &st->lock, &until) !=
		    0) {
			pthread_mutex_unlock(&st->lock);
			sqlite_writer_watch(st);
			checkpoint(st, true);
			*next_watch = now_ms() + WATCH_MS;
			pthread_mutex_lock(&st->lock);
		}
	}
}

void *
sqlite_writer_main(void *arg)
{
	struct sqlite_store *st = arg;
	struct write_job *batch;
	int64_t next_watch = now_ms() + WATCH_MS;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		wait_for_work(st, &next_watch);
		if (st->head == NULL)
			break;
		batch = st->head;
		st->head = st->tail = NULL;
		pthread_mutex_unlock(&st->lock);

		writer_batch(st, batch);
		checkpoint(st, false);
		/*
		 * A writer kept busy never waits long enough to look around
		 * while idle: it looks between batches too, or another
		 * process's writes would go unseen while posts keep coming.
		 */
		if (now_ms() >= next_watch) {
			sqlite_writer_watch(st);
			next_watch = now_ms() + WATCH_MS;
		}

		pthread_mutex_lock(&st->lock);
		answer(st, batch);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}
