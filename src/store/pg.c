/*
 * pg: the PostgreSQL backend of the store: opening it (migrations under an
 * advisory lock, so nodes starting together migrate once), the workers
 * that run submitted writes, the listener that hears other nodes' commits,
 * health, and the table of operations.
 *
 * Commits are PostgreSQL's own: acknowledged once COMMIT returns, with
 * synchronous_commit as the server sets it (on by default).  Submitted
 * writes (comment posts, votes) are grouped as SQLite's writer groups
 * them: a worker takes every write waiting and commits them in one
 * transaction, each in a savepoint; posts to one article would otherwise
 * queue one commit at a time on its row's lock.
 *
 * Every write sends a change event (NOTIFY parley_changes, the writing
 * process's name as payload) in its transaction; the listener of every
 * other process hears it when the transaction commits and tells the page
 * cache (store.changed_elsewhere).
 */
#include "store/pg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/embed.h"
#include "core/log.h"

/* Connections per process: the server's threads and the submit workers. */
#define POOL_MAX 24
/*
 * Threads running submitted writes (comments, votes), each committing
 * what waits in one transaction, up to BATCH_MAX writes.  One, as on
 * SQLite: two batches would take their rows' locks in no common order
 * (one article's, then another's) and could wait on each other until
 * PostgreSQL's deadlock check broke in, a second later.
 */
#define SUBMIT_WORKERS 1
#define BATCH_MAX      64
/* How long the listener waits before trying to connect again. */
#define LISTEN_RETRY_MS 500
/* The key of the advisory lock migrations hold ("parley" in ASCII). */
#define MIGRATE_LOCK 0x706172006c6579LL

struct pg_store *
pg_of(struct store *base)
{
	return (struct pg_store *)base;
}

bool
pg_submit(struct pg_store *st, struct pg_job *job)
{
	pthread_mutex_lock(&st->lock);
	if (st->stopping) {
		pthread_mutex_unlock(&st->lock);
		return false;
	}
	job->next = NULL;
	if (st->tail)
		st->tail->next = job;
	else
		st->head = job;
	st->tail = job;
	pthread_cond_signal(&st->job_ready);
	pthread_mutex_unlock(&st->lock);
	return true;
}

static void *
worker_main(void *arg)
{
	struct pg_store *st = arg;
	struct pg_job *jobs[BATCH_MAX];
	enum err results[BATCH_MAX];

	for (;;) {
		size_t n = 0, i;

		pthread_mutex_lock(&st->lock);
		while (st->head == NULL && !st->stopping)
			pthread_cond_wait(&st->job_ready, &st->lock);
		/* Every write waiting, up to a batch: one commit for all. */
		while (st->head != NULL && n < BATCH_MAX) {
			jobs[n++] = st->head;
			st->head = st->head->next;
		}
		if (st->head == NULL)
			st->tail = NULL;
		pthread_mutex_unlock(&st->lock);
		if (n == 0) /* stopping, and the queue is empty */
			return NULL;
		pg_tx_batch(st, jobs, n, results);
		for (i = 0; i < n; i++)
			jobs[i]->complete(jobs[i], results[i]);
	}
}

/* Tells the cache that another process changed the database. */
static void
changed(struct pg_store *st)
{
	if (st->base.changed_elsewhere)
		st->base.changed_elsewhere(st->base.changed_arg);
}

/* Waits up to ms for the wake pipe; true when the store is closing. */
static bool
closing_within(struct pg_store *st, int fd, int ms)
{
	struct pollfd p[2] = {{st->wake[0], POLLIN, 0}, {fd, POLLIN, 0}};

	(void)poll(p, fd >= 0 ? 2 : 1, ms);
	return p[0].revents != 0;
}

static void *
listener_main(void *arg)
{
	struct pg_store *st = arg;

	for (;;) {
		PGconn *c = pg_connect(st->conninfo);
		PGresult *r;

		if (PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			if (closing_within(st, -1, LISTEN_RETRY_MS))
				return NULL;
			continue;
		}
		pg_quiet_notices(c);
		r = PQexec(c, "LISTEN parley_changes");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			PQfinish(c);
			if (closing_within(st, -1, LISTEN_RETRY_MS))
				return NULL;
			continue;
		}
		PQclear(r);
		/* Commits made while nobody listened were not heard. */
		changed(st);
		for (;;) {
			PGnotify *n;
			bool other = false;

			if (closing_within(st, PQsocket(c), 1000)) {
				PQfinish(c);
				return NULL;
			}
			if (!PQconsumeInput(c))
				break;
			while ((n = PQnotifies(c)) != NULL) {
				if (strcmp(n->extra, st->node) != 0)
					other = true;
				PQfreemem(n);
			}
			if (other)
				changed(st);
		}
		log_warnx("postgresql: lost the change events' connection; "
			  "connecting again");
		PQfinish(c);
	}
}

/* Applies the embedded migrations sql/postgres/NNN_*.sql not yet applied. */
static bool
migrate(struct pg_conn *c, struct buf *err)
{
	char sql[128];
	PGresult *r;
	size_t i;
	int version = 0;
	bool ok = true;

	snprintf(sql, sizeof(sql), "SELECT pg_advisory_lock(%lld)",
		 (long long)MIGRATE_LOCK);
	r = PQexec(c->c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		buf_seterr(err, "cannot lock for migrations: %s",
			   PQerrorMessage(c->c));
		PQclear(r);
		return false;
	}
	PQclear(r);
	/* A migration of a large site may take longer than a statement may. */
	PQclear(PQexec(c->c, "SET statement_timeout = 0"));
	r = PQexec(c->c, "CREATE TABLE IF NOT EXISTS parley_schema "
			 "(version integer NOT NULL);"
			 "SELECT coalesce(max(version), 0) FROM parley_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		buf_seterr(err, "cannot read the schema's version: %s",
			   PQerrorMessage(c->c));
		ok = false;
	} else {
		version = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	for (i = 0; ok && i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *name = f->path + 13;
		int num;

		if (strncmp(f->path, "sql/postgres/", 13) != 0)
			continue;
		num = atoi(name);
		if (num <= version)
			continue;
		r = PQexec(c->c, "BEGIN");
		PQclear(r);
		r = PQexec(c->c, (const char *)f->data);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			buf_seterr(err, "migration %s: %s", name,
				   PQerrorMessage(c->c));
			ok = false;
		}
		PQclear(r);
		snprintf(sql, sizeof(sql),
			 ok ? "DELETE FROM parley_schema;"
			      "INSERT INTO parley_schema VALUES (%d);COMMIT"
			    : "ROLLBACK",
			 num);
		r = PQexec(c->c, sql);
		if (ok && PQresultStatus(r) != PGRES_COMMAND_OK) {
			buf_seterr(err, "migration %s: %s", name,
				   PQerrorMessage(c->c));
			ok = false;
		}
		PQclear(r);
		if (ok)
			log_info("database: applied migration %s", name);
	}
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)",
		 (long long)MIGRATE_LOCK);
	PQclear(PQexec(c->c, sql));
	PQclear(PQexec(c->c, "RESET statement_timeout"));
	return ok;
}

static void
pg_close(struct store *base)
{
	struct pg_store *st = pg_of(base);
	struct pg_conn *c, *next;
	int i;

	pthread_mutex_lock(&st->lock);
	st->stopping = true;
	pthread_cond_broadcast(&st->job_ready);
	pthread_mutex_unlock(&st->lock);
	/* Workers finish the queue first: a submitted write is answered. */
	for (i = 0; i < st->nworkers; i++)
		pthread_join(st->workers[i], NULL);
	free(st->workers);
	if (st->listening) {
		(void)!write(st->wake[1], "x", 1);
		pthread_join(st->listener, NULL);
	}
	if (st->wake[0] >= 0) {
		close(st->wake[0]);
		close(st->wake[1]);
	}
	for (c = st->idle; c != NULL; c = next) {
		next = c->next;
		PQfinish(c->c);
		free(c);
	}
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->freed);
	pthread_cond_destroy(&st->job_ready);
	free(st->conninfo);
	free(st);
}

static struct pg_stmt health_stmt = PG_STMT("SELECT 1");

static enum err
pg_health(struct store *base, char *why, size_t n)
{
	struct pg_store *st = pg_of(base);
	PGresult *r = pg_read(st, &health_stmt, NULL);

	if (r != NULL) {
		PQclear(r);
		return ERR_OK;
	}
	pthread_mutex_lock(&st->lock);
	snprintf(why, n, "PostgreSQL: %s",
		 st->fault[0] ? st->fault : "a query failed");
	pthread_mutex_unlock(&st->lock);
	return ERR_DB;
}

static struct pg_stmt key_put = PG_STMT(
    "INSERT INTO site_key (id, key) VALUES (1, $1) ON CONFLICT DO NOTHING");
static struct pg_stmt key_get =
    PG_STMT("SELECT key FROM site_key WHERE id = 1");

static enum err
run_site_key(struct pg_conn *c, void *arg)
{
	struct pg_args *a = arg;

	return pg_exec(c, &key_put, a, NULL);
}

static enum err
pg_site_key(struct store *base, const unsigned char *fresh, size_t n,
	    unsigned char *out)
{
	struct pg_store *st = pg_of(base);
	struct pg_args a = {0};
	PGresult *r;
	unsigned char *key;
	size_t len = 0;
	enum err e;

	pg_arg_bytes(&a, fresh, n);
	if ((e = pg_tx(st, run_site_key, &a)) != ERR_OK)
		return e;
	if ((r = pg_read(st, &key_get, NULL)) == NULL)
		return ERR_DB;
	e = ERR_NOTFOUND;
	if (PQntuples(r) == 1 &&
	    (key = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0),
				   &len)) != NULL) {
		if (len == n) {
			memcpy(out, key, n);
			e = ERR_OK;
		}
		PQfreemem(key);
	}
	PQclear(r);
	return e;
}

static struct store_ops pg_ops;
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void
ops_fill(void)
{
	pg_ops.name = "postgresql";
	pg_ops.close = pg_close;
	pg_ops.health = pg_health;
	pg_ops.site_key = pg_site_key;
	pg_article_ops(&pg_ops);
	pg_user_ops(&pg_ops);
	pg_debate_ops(&pg_ops);
	pg_moderation_ops(&pg_ops);
	pg_limit_ops(&pg_ops);
	pg_copy_ops(&pg_ops);
}

/* A random name for this process in change events. */
static void
name_node(char node[17])
{
	unsigned char b[8] = {0};
	int i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		log_warnx("postgresql: getrandom: %s", strerror(errno));
	for (i = 0; i < 8; i++)
		snprintf(node + 2 * i, 3, "%02x", b[i]);
}

struct store *
pg_store_open(const char *conninfo, struct buf *err)
{
	struct pg_store *st = calloc(1, sizeof(*st));
	struct pg_conn *c;
	int i;

	pthread_once(&ops_once, ops_fill);
	if (st == NULL || (st->conninfo = strdup(conninfo)) == NULL) {
		free(st);
		buf_seterr(err, "%s", "out of memory");
		return NULL;
	}
	st->base.ops = &pg_ops;
	st->max_open = POOL_MAX;
	st->wake[0] = st->wake[1] = -1;
	name_node(st->node);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->freed, NULL);
	pthread_cond_init(&st->job_ready, NULL);
	if ((c = pg_take(st)) == NULL) {
		buf_seterr(err, "PostgreSQL: %s", st->fault);
		goto fail;
	}
	if (!migrate(c, err)) {
		pg_put(st, c);
		goto fail;
	}
	pg_put(st, c);
	if (pipe2(st->wake, O_CLOEXEC) != 0) {
		buf_seterr(err, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&st->listener, NULL, listener_main, st) != 0) {
		buf_seterr(err, "%s", "cannot start the change listener");
		goto fail;
	}
	st->listening = true;
	st->workers = calloc(SUBMIT_WORKERS, sizeof(*st->workers));
	for (i = 0; st->workers && i < SUBMIT_WORKERS; i++) {
		if (pthread_create(&st->workers[i], NULL, worker_main, st) != 0)
			break;
		st->nworkers++;
	}
	if (st->nworkers == 0) {
		buf_seterr(err, "%s", "cannot start the database workers");
		goto fail;
	}
	return &st->base;
fail:
	pg_close(&st->base);
	return NULL;
}
