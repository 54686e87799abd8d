/*
 * spam: `parley spam eval DIR`, which judges the spam classifier on
 * labelled CSV files: for each file, a model trained on all the others
 * scores its comments, and the command prints precision, recall, F1 and
 * the time to train and to score one comment, then their average.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "model/spam.h"
#include "model/spam_csv.h"
#include "model/spam_live.h"

#define SPAM_EVAL_FILES_MAX 64
#define SPAM_EVAL_FILE_MAX  (64 * 1024 * 1024)
#define SPAM_EVAL_EPOCHS    10
#define SPAM_EVAL_SEED	    20261207

struct labelled {
	char *name;
	char *data; /* the file; the examples point into the arena */
	struct spam_example *ex;
	size_t n;
};

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the .csv files of dir, sorted; -1 after a message. */
static int
csv_names(const char *dir, char **names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL) {
		fprintf(stderr, "parley spam eval: %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcasecmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		if (n == SPAM_EVAL_FILES_MAX) {
			fprintf(
			    stderr,
			    "parley spam eval: %s: more than %d CSV files\n",
			    dir, SPAM_EVAL_FILES_MAX);
			goto fail;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			fprintf(stderr, "parley spam eval: out of memory\n");
			goto fail;
		}
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	return n;
fail:
	while (n > 0)
		free(names[--n]);
	closedir(d);
	return -1;
}

/* Reads and parses one labelled file; false after a message. */
static bool
load(struct arena *a, const char *dir, struct labelled *f)
{
	char *path = arena_printf(a, "%s/%s", dir, f->name);
	struct buf why;
	size_t len;
	bool ok;

	if (path == NULL) {
		fprintf(stderr, "parley spam eval: out of memory\n");
		return false;
	}
	f->data = cli_read_file(path, SPAM_EVAL_FILE_MAX, &len);
	if (f->data == NULL) {
		fprintf(stderr, "parley spam eval: %s: %s\n", path,
			errno == EFBIG ? "larger than 64 MB" : strerror(errno));
		return false;
	}
	buf_init(&why, 512);
	ok = spam_csv_examples(a, f->data, len, &f->ex, &f->n, &why) == ERR_OK;
	if (!ok)
		fprintf(stderr, "parley spam eval: %s: %s\n", path,
			buf_cstr(&why));
	else if (f->n == 0)
		fprintf(stderr, "parley spam eval: %s: no labelled comments\n",
			path);
	buf_clear(&why);
	return ok && f->n > 0;
}

struct figures {
	size_t n, spam;
	double precision, recall, f1, train_ms, score_us;
};

/* Trains on every file but test, scores test's comments. */
static bool
rotation(const struct labelled *files, int nfiles, int test,
	 struct figures *out)
{
	struct spam_example *train;
	struct spam_features *feat = spam_features_new();
	struct spam_model *m = spam_model_new();
	size_t n = 0, i, tp = 0, fp = 0, fn = 0;
	double t0;
	int k;
	bool ok = false;

	for (k = 0; k < nfiles; k++)
		n += k == test ? 0 : files[k].n;
	train = malloc((n > 0 ? n : 1) * sizeof(*train));
	if (train == NULL || feat == NULL || m == NULL)
		goto done;
	for (k = 0, n = 0; k < nfiles; k++)
		if (k != test) {
			memcpy(train + n, files[k].ex,
			       files[k].n * sizeof(*train));
			n += files[k].n;
		}
	t0 = now_ms();
	if (spam_train(m, train, n, SPAM_EVAL_EPOCHS, SPAM_EVAL_SEED) != ERR_OK)
		goto done;
	out->train_ms = now_ms() - t0;
	out->n = files[test].n;
	out->spam = 0;
	t0 = now_ms();
	for (i = 0; i < files[test].n; i++) {
		const struct spam_example *x = &files[test].ex[i];
		bool said;

		spam_features_of(feat, x->text, x->len, &x->meta);
		said = spam_score(m, feat) >= SPAM_THRESHOLD;
		out->spam += x->spam;
		tp += said && x->spam;
		fp += said && !x->spam;
		fn += !said && x->spam;
	}
	out->score_us = (now_ms() - t0) * 1e3 / (double)files[test].n;
	out->precision = tp + fp > 0 ? (double)tp / (double)(tp + fp) : 0;
	out->recall = tp + fn > 0 ? (double)tp / (double)(tp + fn) : 0;
	out->f1 = out->precision + out->recall > 0
		      ? 2 * out->precision * out->recall /
			    (out->precision + out->recall)
		      : 0;
	ok = true;
done:
	if (!ok)
		fprintf(stderr, "parley spam eval: out of memory\n");
	free(train);
	spam_features_free(feat);
	spam_model_free(m);
	return ok;
}

static int
spam_eval(const char *dir)
{
	char *names[SPAM_EVAL_FILES_MAX];
	struct labelled files[SPAM_EVAL_FILES_MAX];
	struct figures f, sum = {0};
	struct arena a;
	int n, k, rc = 1;

	if ((n = csv_names(dir, names)) < 0)
		return 1;
	memset(files, 0, sizeof(files));
	for (k = 0; k < n; k++)
		files[k].name = names[k];
	arena_init(&a);
	if (n < 2) {
		fprintf(
		    stderr,
		    "parley spam eval: %s: %s; each file is tested on a model trained on the others, so there must be two or more\n",
		    dir, n == 0 ? "no .csv files" : "one .csv file");
		goto done;
	}
	for (k = 0; k < n; k++)
		if (!load(&a, dir, &files[k]))
			goto done;
	printf("%-33s %8s %6s %9s %7s %6s %9s %9s\n",
	       "test file (trained on the others)", "comments", "spam",
	       "precision", "recall", "F1", "train ms", "score us");
	for (k = 0; k < n; k++) {
		if (!rotation(files, n, k, &f))
			goto done;
		printf("%-33s %8zu %6zu %9.3f %7.3f %6.3f %9.1f %9.1f\n",
		       files[k].name, f.n, f.spam, f.precision, f.recall, f.f1,
		       f.train_ms, f.score_us);
		sum.n += f.n;
		sum.spam += f.spam;
		sum.precision += f.precision / n;
		sum.recall += f.recall / n;
		sum.f1 += f.f1 / n;
		sum.train_ms += f.train_ms / n;
		sum.score_us += f.score_us / n;
	}
	printf("%-33s %8zu %6zu %9.3f %7.3f %6.3f %9.1f %9.1f\n", "average",
	       sum.n, sum.spam, sum.precision, sum.recall, sum.f1, sum.train_ms,
	       sum.score_us);
	rc = 0;
done:
	for (k = 0; k < n; k++) {
		free(files[k].data);
		free(names[k]);
	}
	arena_clear(&a);
	return rc;
}

/*
 * `parley spam train`: a new model from every approved (ham) and spam
 * comment of the database, saved there for the server to score with.
 */
static int
spam_train_db(struct cli_opts *o)
{
	int64_t examples, spam;
	struct app app;
	enum err e;

	if (!cli_app_open(&app, o, false))
		return 1;
	e = spam_live_train_all(&app, &examples, &spam);
	cli_app_close(&app);
	if (e != ERR_OK) {
		fprintf(stderr, "parley spam train: %s\n", err_str(e));
		return 1;
	}
	printf("trained on %lld comments (%lld spam); a running server "
	       "scores with it within a minute\n",
	       (long long)examples, (long long)spam);
	return 0;
}

int
cmd_spam(struct cli_opts *o)
{
	if (o->argc == 3 && strcmp(o->argv[1], "eval") == 0)
		return spam_eval(o->argv[2]);
	if (o->argc == 2 && strcmp(o->argv[1], "train") == 0)
		return spam_train_db(o);
	fprintf(stderr, "usage: parley spam eval DIR\n"
			"       parley spam train\n");
	return 2;
}
