/*
 * Copying a whole site (model/site_copy.h): into an empty database only,
 * every table the same afterwards by count and checksum, ids going on
 * after the copied ones, a second copy refused; the checksum tells NULL
 * from '' and sees a changed text.  On SQLite, and on PostgreSQL (and
 * across the two) when PARLEY_TEST_PG names a server.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "model/site_copy.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

/*
 * Whether every table of a and b has the same rows and checksum; with
 * say, names the tables that differ.
 */
static bool
compare(struct store *a, struct store *b, bool say)
{
	struct site_copy_sum x, y;
	bool same = true;
	size_t i;

	for (i = 0; i < site_copy_table_count(); i++) {
		if (site_copy_sum(a, i, &x) != ERR_OK ||
		    site_copy_sum(b, i, &y) != ERR_OK)
			return false;
		if (x.rows != y.rows || memcmp(x.hash, y.hash, 32) != 0) {
			if (say)
				printf("  %s differs: %lld and %lld rows\n",
				       site_copy_table_name(i),
				       (long long)x.rows, (long long)y.rows);
			same = false;
		}
	}
	return same;
}

#define same_site(a, b) compare((a), (b), true)
#define differ(a, b)	(!compare((a), (b), false))

/* Copies from into a new database name (a file in dir on SQLite); the
 * target's store, NULL on failure.  *rows gets the rows copied. */
static struct store *
copy_into(struct store *from, const char *dir, const char *name, bool pg,
	  int64_t *rows)
{
	char path[600], why[256];
	const char *table = NULL;
	struct store *to;

	if (pg)
		CHECK(fixture_pg_database(name, path, sizeof(path)));
	else
		snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	to = fixture_store_open(path);
	CHECK(to != NULL);
	if (to == NULL)
		return NULL;
	CHECK(site_copy_check_schema(to, why, sizeof(why)) == ERR_OK);
	CHECK(site_copy_check_empty(to, &table) == ERR_OK);
	CHECK(site_copy(from, to, rows) == ERR_OK);
	CHECK(same_site(from, to));
	return to;
}

/* Runs SQL on a SQLite file beside its store. */
static void
exec_file(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
}

static void
run(void)
{
	char dir[512], path[600], back[700], why[256];
	struct store *src, *dst, *other;
	const char *table = NULL;
	int64_t article, c1, c2, c3, id, rows = 0;
	struct comment c;

	CHECK(test_scratch_dir(dir, sizeof(dir), "copy") != NULL);
	src = fixture_store_fresh(dir, "src", path, sizeof(path), &article);
	if (src == NULL)
		return;
	CHECK(site_copy_check_schema(src, why, sizeof(why)) == ERR_OK);
	if (why[0])
		printf("  schema: %s\n", why);
	/* A thread: one with a form key, a reply, one without a key. */
	c = fixture_comment(article, "First \"quoted\" \xc3\xbc\n\\ tab\t.",
			    "key-1");
	CHECK(src->ops->comment_insert(src, &c, &c1) == ERR_OK);
	c = fixture_comment(article, "A reply.", "key-2");
	c.parent_id = c1;
	CHECK(src->ops->comment_insert(src, &c, &c2) == ERR_OK);
	c = fixture_comment(article, "No key.", NULL);
	CHECK(src->ops->comment_insert(src, &c, &c3) == ERR_OK);

	dst = copy_into(src, dir, "dst", fixture_pg, &rows);
	CHECK(rows == 4);
	if (dst != NULL) {
		/* Not empty any more: refused, and nothing changed. */
		CHECK(site_copy_check_empty(dst, &table) == ERR_CONFLICT);
		CHECK(table != NULL && strcmp(table, "articles") == 0);
		CHECK(site_copy(src, dst, &rows) == ERR_CONFLICT);
		CHECK(same_site(src, dst));
		/* New ids go on after the copied ones. */
		c = fixture_comment(article, "After the copy.", "key-4");
		CHECK(dst->ops->comment_insert(dst, &c, &id) == ERR_OK);
		CHECK(id == c3 + 1);
		CHECK(differ(src, dst));
		store_close(dst);
	}
	/* Across backends: PostgreSQL to a file, and that file back. */
	if (fixture_pg) {
		dst = copy_into(src, dir, "back", false, &rows);
		CHECK(rows == 4);
		other = dst ? copy_into(dst, dir, "again", true, &rows) : NULL;
		CHECK(other != NULL && same_site(src, other));
		store_close(other);
		store_close(dst);
	}
	/* The checksum sees NULL become '' and a text change by a byte. */
	if (!fixture_pg) {
		snprintf(back, sizeof(back), "%s/null.db", dir);
		dst = copy_into(src, dir, "null", false, &rows);
		store_close(dst);
		exec_file(back, "UPDATE comments SET request_key = ''"
				" WHERE request_key IS NULL");
		dst = fixture_store_open(back);
		CHECK(dst != NULL && differ(src, dst));
		store_close(dst);
		snprintf(back, sizeof(back), "%s/text.db", dir);
		dst = copy_into(src, dir, "text", false, &rows);
		store_close(dst);
		exec_file(back, "UPDATE comments SET body_md = 'A reply!'"
				" WHERE body_md = 'A reply.'");
		dst = fixture_store_open(back);
		CHECK(dst != NULL && differ(src, dst));
		store_close(dst);
		/* A value of another type than its column's stops a copy. */
		exec_file(path, "UPDATE comments SET minds = 'many'"
				" WHERE id = 1");
		snprintf(back, sizeof(back), "%s/typed.db", dir);
		dst = fixture_store_open(back);
		CHECK(dst != NULL);
		if (dst != NULL) {
			CHECK(site_copy(src, dst, &rows) == ERR_INVALID);
			CHECK(site_copy_check_empty(dst, &table) == ERR_OK);
			store_close(dst);
		}
	}
	store_close(src);
	fixture_remove_dir(dir);
}

int
main(void)
{
	fixture_each_backend(run);
	TEST_DONE();
}
