/*
 * sqlite_open: connections, and the checks a database file passes before
 * the store writes to it.
 *
 * Only the writer's first open may create the file (a new site); readers
 * and the writer's later opens never do, so a file removed while serving
 * is not quietly replaced by an empty one.  An existing file must be
 * writable, Parley's (its application id, or Parley's tables in a file
 * from before the id), no newer than this binary, and its pages must pass
 * a quick check within a bounded time; otherwise the start stops, naming
 * what is wrong.
 */
#include "store/sqlite_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/buf.h"
#include "core/embed.h"
#include "core/log.h"

/* How long the start may spend checking the pages of a large database. */
#define QUICK_CHECK_MS 3000

void
sqlite_conn_close(struct conn *c)
{
	size_t i;

	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	memset(c->stmt, 0, sizeof(c->stmt));
	c->db = NULL;
}

bool
sqlite_conn_open(struct conn *c, const char *path, enum conn_role role,
		 struct buf *err)
{
	/*
	 * A reader waits little on a lock: in WAL mode only a checkpoint
	 * closing another process's connection makes it wait at all.
	 */
	const char *setup =
	    role == CONN_READER
		? "PRAGMA busy_timeout = 1000; PRAGMA query_only = 1;"
		: "PRAGMA busy_timeout = 3000; PRAGMA journal_mode = WAL;"
		  " PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	char *msg = NULL;

	if (role == CONN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	memset(c, 0, sizeof(*c));
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		buf_seterr(err, "%s: %s", path,
			   c->db ? sqlite3_errmsg(c->db) : "cannot open");
		sqlite3_close(c->db);
		c->db = NULL;
		return false;
	}
	if (role != CONN_READER && sqlite3_db_readonly(c->db, "main") == 1) {
		buf_seterr(err,
			   "%s: the file is read-only: Parley must be able to"
			   " write it (and to make files in its folder)",
			   path);
		sqlite_conn_close(c);
		return false;
	}
	if (sqlite3_exec(c->db, setup, NULL, NULL, &msg) != SQLITE_OK) {
		buf_seterr(err, "%s: %s", path, msg ? msg : "setup failed");
		sqlite3_free(msg);
		sqlite_conn_close(c);
		return false;
	}
	return true;
}

/* The first column of the first row of sql, as an integer; false on error. */
static bool
pragma_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	bool ok = sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
		  sqlite3_step(s) == SQLITE_ROW;

	if (ok)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ok;
}

/* The newest migration this binary carries. */
static int
newest_migration(void)
{
	int newest = 0, num;
	size_t i;

	for (i = 0; i < embedded_count; i++) {
		if (strncmp(embedded_files[i].path, "sql/sqlite/", 11) != 0)
			continue;
		num = atoi(embedded_files[i].path + 11);
		if (num > newest)
			newest = num;
	}
	return newest;
}

/*
 * Whose the file is: Parley's by its application id; an empty file is a
 * new site; a file from before the id is adopted when it holds Parley's
 * tables.  Then its schema must be one this binary knows.
 */
static bool
check_identity(sqlite3 *db, struct buf *err)
{
	int64_t id = 0, version = 0, tables = 0, ours = 0;
	int newest = newest_migration();

	if (!pragma_int(db, "PRAGMA application_id", &id) ||
	    !pragma_int(db, "PRAGMA user_version", &version) ||
	    !pragma_int(db,
			"SELECT count(*) FROM sqlite_master WHERE type ="
			" 'table' AND name NOT LIKE 'sqlite_%'",
			&tables) ||
	    !pragma_int(db,
			"SELECT count(*) FROM sqlite_master WHERE type ="
			" 'table' AND name IN ('articles', 'comments')",
			&ours)) {
		buf_seterr(err, "cannot read it: %s", sqlite3_errmsg(db));
		return false;
	}
	if (id != PARLEY_APP_ID &&
	    !(id == 0 && (tables == 0 || (version > 0 && ours == 2)))) {
		buf_seterr(err,
			   "not a Parley database (application id %lld, %lld"
			   " tables): another program's file?",
			   (long long)id, (long long)tables);
		return false;
	}
	if (version > newest) {
		buf_seterr(err,
			   "its schema (version %lld) is newer than this Parley"
			   " knows (up to %d): run the newer parley on it",
			   (long long)version, newest);
		return false;
	}
	return true;
}

static int
past_deadline(void *arg)
{
	const struct timespec *until = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > until->tv_sec ||
	       (now.tv_sec == until->tv_sec && now.tv_nsec > until->tv_nsec);
}

/*
 * PRAGMA quick_check, given QUICK_CHECK_MS at most: a larger database is
 * checked only in part, and the log says so.
 */
static bool
check_pages(sqlite3 *db, const char *path, struct buf *err)
{
	struct timespec until;
	sqlite3_stmt *s = NULL;
	bool ok = true;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += QUICK_CHECK_MS / 1000;
	sqlite3_progress_handler(db, 10000, past_deadline, &until);
	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *first = (const char *)sqlite3_column_text(s, 0);

		if (first == NULL || strcmp(first, "ok") != 0) {
			buf_seterr(err, "the database is damaged: %s",
				   first ? first : "?");
			/* SQLite's report spans lines: the message does not. */
			for (char *c = err->data; c && *c; c++)
				if (*c == '\n')
					*c = ' ';
			ok = false;
		}
	} else if (rc == SQLITE_INTERRUPT) {
		log_warnx("database %s: checked its pages for %d s only; run"
			  " sqlite3 %s 'PRAGMA integrity_check' to check all",
			  path, QUICK_CHECK_MS / 1000, path);
	} else {
		buf_seterr(err, "the database is damaged: %s",
			   sqlite3_errmsg(db));
		ok = false;
	}
	sqlite3_finalize(s);
	sqlite3_progress_handler(db, 0, NULL, NULL);
	return ok;
}

/* Applies the embedded migrations sql/sqlite/NNN_*.sql above user_version. */
static bool
migrate(struct conn *w, struct buf *err)
{
	int64_t version = 0;
	size_t i;

	if (!pragma_int(w->db, "PRAGMA user_version", &version)) {
		buf_seterr(err, "%s", sqlite3_errmsg(w->db));
		return false;
	}
	for (i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *name;
		char *msg = NULL, pragma[64];
		int num;

		if (strncmp(f->path, "sql/sqlite/", 11) != 0)
			continue;
		name = f->path + 11;
		num = atoi(name);
		if (num <= version)
			continue;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 num);
		if (sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
			SQLITE_OK ||
		    sqlite3_exec(w->db, (const char *)f->data, NULL, NULL,
				 &msg) != SQLITE_OK ||
		    sqlite3_exec(w->db, pragma, NULL, NULL, NULL) !=
			SQLITE_OK ||
		    sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) !=
			SQLITE_OK) {
			buf_seterr(err, "migration %s: %s", name,
				   msg ? msg : sqlite3_errmsg(w->db));
			sqlite3_free(msg);
			(void)sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
			return false;
		}
		log_info("database: applied migration %s", name);
		version = num;
	}
	return true;
}

bool
sqlite_open_writer(struct sqlite_store *st, struct buf *err)
{
	struct stat sb;
	bool fresh = false;

	if (st->path[0] == '\0') {
		buf_seterr(err, "%s",
			   "no database named ([server] db or --db is empty)");
		return false;
	}
	if (stat(st->path, &sb) != 0) {
		if (errno != ENOENT) {
			buf_seterr(err, "%s: %s", st->path, strerror(errno));
			return false;
		}
		fresh = true; /* a new site */
	}
	if (!sqlite_conn_open(&st->writer, st->path,
			      fresh ? CONN_CREATE : CONN_WRITER, err))
		return false;
	if (!check_identity(st->writer.db, err) ||
	    !check_pages(st->writer.db, st->path, err) ||
	    !migrate(&st->writer, err) || !sqlite_writer_setup(st, err))
		return false;
	if (stat(st->path, &sb) != 0) {
		buf_seterr(err, "%s: %s", st->path, strerror(errno));
		return false;
	}
	st->file_dev = sb.st_dev;
	st->file_ino = sb.st_ino;
	return true;
}
