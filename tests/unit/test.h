/*
 * A tiny test harness: each unit program is a list of checks that prints
 * one line per failure and ends with "N passed, N failed".
 */
#ifndef PARLEY_TEST_H
#define PARLEY_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) {         \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			printf("FAIL %s:%d: %s\n  got:  %s\n  want: %s\n",     \
			       __FILE__, __LINE__, #got, g_ ? g_ : "(null)",   \
			       w_ ? w_ : "(null)");                            \
		}                                                              \
	} while (0)

/*
 * Makes a new scratch folder under $TMPDIR (the runner points it at a
 * folder it removes) or /tmp: "NAME-XXXXXX" filled in.  Returns out, or
 * NULL when the folder cannot be made.
 */
static inline char *
test_scratch_dir(char *out, size_t outsz, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, outsz, "%s/parley-%s-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp", name);
	return mkdtemp(out);
}

/* Ends main(): prints the summary, exit status 1 when anything failed. */
#define TEST_DONE()                                                            \
	do {                                                                   \
		printf("%d passed, %d failed\n", test_passed, test_failed);    \
		return test_failed ? 1 : 0;                                    \
	} while (0)

#endif
