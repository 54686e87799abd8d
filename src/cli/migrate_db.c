/*
 * migrate_db: `parley migrate-db --from DB --to DB`, a whole site copied
 * into an empty database, SQLite or PostgreSQL either way, then checked
 * table by table (model/site_copy.h), with the site's key carried across
 * so that sessions, signed visitor ids and avatars stay what they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "model/site_copy.h"
#include "model/site_key.h"
#include "store/store.h"

static int
migrate_usage(void)
{
	fprintf(stderr,
		"usage: parley migrate-db --from DB --to DB\n"
		"  DB: a SQLite file, or a PostgreSQL connection string"
		" (postgresql://USER@HOST:PORT/NAME)\n"
		"  The target must be empty: a new file, or a new database.\n");
	return 2;
}

/* One side of the copy: its name (no password: refused) and its store. */
struct site_db {
	const char *db;
	struct store *st;
};

/* The key file of a SQLite site, as load_secret (cli/app_setup.c) names it. */
static void
key_path(const char *db, char *out, size_t n)
{
	snprintf(out, n, "%s.secret", db);
}

/*
 * The site's key of the source: from its file (SQLite) or its database.
 * *found is false, after a warning, for a SQLite site without the file.
 */
static bool
key_read(struct site_db *from, unsigned char *key, bool *found)
{
	char path[4096];
	size_t n;
	char *data;

	*found = false;
	if (site_key_in_store(from->st)) {
		if (site_key_load(from->st, key, APP_SECRET_BYTES) != ERR_OK) {
			fprintf(stderr, "parley migrate-db: cannot read the"
					" site's key in the source\n");
			return false;
		}
		*found = true;
		return true;
	}
	key_path(from->db, path, sizeof(path));
	if ((data = cli_read_file(path, 256, &n)) == NULL) {
		if (errno != ENOENT) {
			fprintf(stderr, "parley migrate-db: %s: %s\n", path,
				strerror(errno));
			return false;
		}
		fprintf(stderr,
			"parley migrate-db: warning: no site key at %s (does"
			" the site's config set [site] secret_file?): none"
			" carried; give the new site the same secret_file\n",
			path);
		return true;
	}
	if (n < APP_SECRET_BYTES) {
		fprintf(stderr,
			"parley migrate-db: %s: too short for a secret"
			" key\n",
			path);
		sodium_memzero(data, n);
		free(data);
		return false;
	}
	memcpy(key, data, APP_SECRET_BYTES);
	sodium_memzero(data, n);
	free(data);
	*found = true;
	return true;
}

/*
 * Writes the key file of a SQLite target (mode 0600): a new file, moved
 * over one a start on the empty target may have made.
 */
static bool
key_file_write(const char *db, const unsigned char *key)
{
	char path[4096], tmp[4200];
	int fd;
	bool ok;

	key_path(db, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok = fd >= 0 &&
	     write(fd, key, APP_SECRET_BYTES) == (ssize_t)APP_SECRET_BYTES &&
	     fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (ok && rename(tmp, path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr,
			"parley migrate-db: cannot write the key %s:"
			" %s\n",
			path, strerror(errno));
		(void)unlink(tmp);
	}
	return ok;
}

/* Gives the target the source's key, in its database or beside it. */
static bool
key_write(struct site_db *to, const unsigned char *key)
{
	if (!site_key_in_store(to->st))
		return key_file_write(to->db, key);
	if (site_copy_key_put(to->st, key, APP_SECRET_BYTES) != ERR_OK) {
		fprintf(stderr, "parley migrate-db: cannot store the site's"
				" key in the target\n");
		return false;
	}
	return true;
}

static bool
side_open(struct site_db *s, const char *what)
{
	struct buf err;
	char why[256];

	buf_init(&err, 1024);
	s->st = store_open(s->db, &err);
	if (s->st == NULL) {
		fprintf(stderr, "parley migrate-db: %s %s: %s\n", what, s->db,
			buf_cstr(&err));
		buf_clear(&err);
		return false;
	}
	buf_clear(&err);
	if (site_copy_check_schema(s->st, why, sizeof(why)) != ERR_OK) {
		fprintf(stderr,
			"parley migrate-db: %s %s: %s (not the tables this"
			" version copies)\n",
			what, s->db, why[0] ? why : "cannot read its tables");
		return false;
	}
	return true;
}

/*
 * Counts and sums every table on both sides, a line each; false when any
 * table differs or cannot be read.
 */
static bool
verify(struct site_db *from, struct site_db *to)
{
	struct site_copy_sum a, b;
	size_t i;
	bool all = true;

	for (i = 0; i < site_copy_table_count(); i++) {
		const char *name = site_copy_table_name(i);

		if (site_copy_sum(from->st, i, &a) != ERR_OK ||
		    site_copy_sum(to->st, i, &b) != ERR_OK) {
			printf("%-20s cannot be read\n", name);
			all = false;
			continue;
		}
		if (a.rows != b.rows) {
			printf("%-20s %8" PRId64 " rows, %" PRId64
			       " in the target  checksum differs\n",
			       name, a.rows, b.rows);
			all = false;
		} else {
			bool same =
			    sodium_memcmp(a.hash, b.hash, sizeof(a.hash)) == 0;

			printf("%-20s %8" PRId64 " rows  checksum %s\n", name,
			       a.rows, same ? "ok" : "differs");
			all = all && same;
		}
	}
	return all;
}

/* The copy itself, both sides open. */
static int
migrate(struct site_db *from, struct site_db *to)
{
	unsigned char key[APP_SECRET_BYTES];
	const char *table = NULL;
	bool have_key;
	int64_t rows = 0;
	enum err e;

	e = site_copy_check_empty(to->st, &table);
	if (e == ERR_CONFLICT) {
		fprintf(stderr,
			"parley migrate-db: the target %s is not empty (%s"
			" holds rows): copy into a new file or a new"
			" database\n",
			to->db, table);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr,
			"parley migrate-db: cannot read the target"
			" %s\n",
			to->db);
		return 1;
	}
	/* The key first: a target left empty by a failure takes it again. */
	if (!key_read(from, key, &have_key) ||
	    (have_key && !key_write(to, key))) {
		sodium_memzero(key, sizeof(key));
		return 1;
	}
	sodium_memzero(key, sizeof(key));
	e = site_copy(from->st, to->st, &rows);
	if (e != ERR_OK) {
		fprintf(stderr,
			"parley migrate-db: the copy failed (%s)%s; nothing was"
			" stored in %s\n",
			err_str(e),
			e == ERR_CONFLICT ? ": the target was written meanwhile"
					  : "",
			to->db);
		return 1;
	}
	printf("copied %" PRId64 " rows from %s to %s; checking them\n", rows,
	       from->db, to->db);
	if (!verify(from, to)) {
		fprintf(stderr,
			"parley migrate-db: the copy differs from the source"
			" (was the source written during the copy? stop its"
			" servers first); do not serve %s\n",
			to->db);
		return 1;
	}
	printf("every table matches%s\n",
	       have_key ? "; the site's key was carried across" : "");
	return 0;
}

int
cmd_migrate_db(struct cli_opts *o)
{
	struct site_db from = {0}, to = {0};
	struct stat sb;
	bool bad = false;
	int rc;

	from.db = cli_take_option(o, "--from", &bad);
	to.db = cli_take_option(o, "--to", &bad);
	/* --db would name a third database: which one is meant? */
	if (bad || o->db != NULL || o->argc != 1 || from.db == NULL ||
	    to.db == NULL || from.db[0] == '\0' || to.db[0] == '\0')
		return migrate_usage();
	if ((store_is_postgres(from.db) &&
	     cli_conninfo_has_password(from.db)) ||
	    (store_is_postgres(to.db) && cli_conninfo_has_password(to.db))) {
		fprintf(stderr,
			"parley migrate-db: a connection string carries a"
			" password, which other users of this machine can"
			" read on the command line: put the password in"
			" PGPASSFILE (~/.pgpass) or PGPASSWORD instead\n");
		return 1;
	}
	if (strcmp(from.db, to.db) == 0) {
		fprintf(stderr, "parley migrate-db: --from and --to name the"
				" same database\n");
		return 1;
	}
	/* Opening a missing SQLite file would make an empty site. */
	if (!store_is_postgres(from.db) && stat(from.db, &sb) != 0) {
		fprintf(stderr, "parley migrate-db: %s: %s\n", from.db,
			strerror(errno));
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "parley: libsodium failed to start\n");
		return 1;
	}
	rc = 1;
	if (side_open(&from, "source") && side_open(&to, "target"))
		rc = migrate(&from, &to);
	store_close(to.st);
	store_close(from.st);
	return rc;
}
