/*
 * pg_limit: token buckets every node shares (the table rate_buckets), so
 * a reader's budget is the same whichever node answers.  One statement
 * refills, spends and answers under the row's lock; buckets that are full
 * again are the same as none and are deleted now and then.
 */
#include "store/pg_internal.h"

#include <math.h>
#include <stdatomic.h>

/* Takes between two sweeps of full buckets. */
#define SWEEP_EVERY 4096

/*
 * $2 burst, $3 tokens a second, $4 now in ms.  A new bucket starts full;
 * the refill is counted from the later of its time and now, so clocks of
 * nodes a little apart never mint tokens.
 */
static struct pg_stmt take_stmt = PG_STMT(
    "INSERT INTO rate_buckets AS b (key, tokens, at_ms, ok)"
    " VALUES ($1, $2::float8 - 1, $4, $2::float8 >= 1)"
    " ON CONFLICT (key) DO UPDATE SET"
    " tokens = CASE WHEN least($2::float8, b.tokens + greatest(0, $4 - b.at_ms)"
    " * $3::float8 / 1000) >= 1 THEN least($2::float8, b.tokens +"
    " greatest(0, $4 - b.at_ms) * $3::float8 / 1000) - 1 ELSE least($2::float8,"
    " b.tokens + greatest(0, $4 - b.at_ms) * $3::float8 / 1000) END,"
    " ok = least($2::float8, b.tokens + greatest(0, $4 - b.at_ms) *"
    " $3::float8 / 1000) >= 1,"
    " at_ms = greatest(b.at_ms, $4)"
    " RETURNING ok, tokens");
static struct pg_stmt reset_stmt =
    PG_STMT("DELETE FROM rate_buckets WHERE key = $1");
/* Full again by now: $1 now in ms; a bucket refilled at 1 token a day
 * at least is kept until then. */
static struct pg_stmt sweep_stmt =
    PG_STMT("DELETE FROM rate_buckets WHERE at_ms < $1 - 86400000");

static atomic_uint takes;

static enum err
pg_limit_take(struct store *base, const char *bucket, double burst, double rate,
	      int64_t now_ms, bool *ok, int64_t *wait_ms)
{
	struct pg_store *st = pg_of(base);
	struct pg_args a = {0};
	PGresult *r;
	double tokens;

	if (atomic_fetch_add(&takes, 1) % SWEEP_EVERY == SWEEP_EVERY - 1) {
		struct pg_args s = {0};

		pg_arg_int(&s, now_ms);
		(void)pg_write(st, &sweep_stmt, &s, NULL);
	}
	pg_arg_text(&a, bucket);
	pg_arg_double(&a, burst);
	pg_arg_double(&a, rate);
	pg_arg_int(&a, now_ms);
	/* One statement, its own transaction: nobody waits on a page. */
	if ((r = pg_read(st, &take_stmt, &a)) == NULL)
		return ERR_DB;
	*ok = PQgetvalue(r, 0, 0)[0] == 't';
	tokens = pg_double(r, 0, 1);
	*wait_ms =
	    *ok || rate <= 0 ? 0 : (int64_t)ceil((1 - tokens) / rate * 1000);
	PQclear(r);
	return ERR_OK;
}

static enum err
pg_limit_reset(struct store *base, const char *bucket)
{
	struct pg_args a = {0};

	pg_arg_text(&a, bucket);
	return pg_write(pg_of(base), &reset_stmt, &a, NULL);
}

void
pg_limit_ops(struct store_ops *ops)
{
	ops->limit_take = pg_limit_take;
	ops->limit_reset = pg_limit_reset;
}
