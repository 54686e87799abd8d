/* post: adding articles from Markdown files, and listing them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/util.h"
#include "model/article.h"

/* Reads and checks one file into art (its texts in a); false after saying why.
 */
static bool
post_read(struct arena *a, const char *path, struct article *art)
{
	struct buf err;
	size_t len;
	char *text;
	bool ok;

	text = cli_read_file(path, LIMIT_POST_FILE, &len);
	if (text == NULL) {
		fprintf(stderr, "parley post add: %s: %s\n", path,
			errno == EFBIG ? "larger than 4 MB" : strerror(errno));
		return false;
	}
	buf_init(&err, 512);
	ok = article_parse(a, text, len, art, &err) == ERR_OK;
	if (!ok)
		fprintf(stderr, "parley post add: %s:%s\n", path,
			buf_cstr(&err));
	buf_clear(&err);
	free(text);
	return ok;
}

/*
 * Adds one file's article; false after saying on stderr, naming the file,
 * why it was not added.
 */
static bool
post_add_one(struct app *app, const char *path)
{
	struct article art;
	struct arena a;
	int64_t id;
	enum err e = ERR_INVALID;

	arena_init(&a);
	if (post_read(&a, path, &art)) {
		e = article_create(app, &art, &id);
		if (e == ERR_OK)
			printf("added article %lld: /articles/%s (%s)\n",
			       (long long)id, art.slug, path);
		else if (e == ERR_CONFLICT)
			fprintf(stderr,
				"parley post add: %s: the slug \"%s\" is "
				"taken; set another with slug:\n",
				path, art.slug);
		else
			fprintf(stderr, "parley post add: %s: %s\n", path,
				err_str(e));
	}
	arena_clear(&a);
	return e == ERR_OK;
}

/*
 * Adds each file's article, going on after a file in error (so one run
 * reports every problem), and closes with which files were not added.
 */
static int
post_add(struct app *app, char **paths, int n)
{
	bool *added = calloc((size_t)n, sizeof(*added));
	int i, count = 0;

	if (added == NULL) {
		fprintf(stderr, "parley post add: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		count += (added[i] = post_add_one(app, paths[i]));
	if (count < n) {
		fprintf(stderr,
			"parley post add: %d of %d file%s added; not added:",
			count, n, n == 1 ? "" : "s");
		for (i = 0; i < n; i++)
			if (!added[i])
				fprintf(stderr, " %s", paths[i]);
		fputc('\n', stderr);
	}
	free(added);
	return count == n ? 0 : 1;
}

static int
post_list(struct app *app)
{
	struct article *list;
	struct arena a;
	int64_t total;
	size_t n, i;
	int offset = 0;

	arena_init(&a);
	printf("%-6s %-20s %-9s %s\n", "ID", "DATE", "COMMENTS",
	       "SLUG / TITLE");
	do {
		if (article_list(app, &a, offset, 100, &list, &n, &total) !=
		    ERR_OK) {
			fprintf(stderr, "parley post list: database error\n");
			arena_clear(&a);
			return 1;
		}
		for (i = 0; i < n; i++) {
			char when[32];

			time_format_iso(list[i].published, when, sizeof(when));
			printf("%-6lld %-20s %-9lld %s / %s%s\n",
			       (long long)list[i].id, when,
			       (long long)list[i].comment_count, list[i].slug,
			       list[i].title,
			       list[i].comments_open ? ""
						     : " (comments closed)");
		}
		offset += (int)n;
		arena_clear(&a);
	} while (n == 100);
	return 0;
}

static int
post_set_open(struct app *app, const char *slug, bool open)
{
	struct article art;
	struct arena a;
	enum err e;

	arena_init(&a);
	e = article_by_slug(app, &a, slug, &art);
	if (e == ERR_OK)
		e = article_set_open(app, art.id, open);
	arena_clear(&a);
	if (e != ERR_OK) {
		fprintf(stderr, "parley post: %s: %s\n", slug, err_str(e));
		return 1;
	}
	printf("comments on %s are %s\n", slug, open ? "open" : "closed");
	return 0;
}

int
cmd_post(struct cli_opts *o)
{
	struct app app;
	const char *sub = o->argc > 1 ? o->argv[1] : "";
	int rc;

	if (strcmp(sub, "add") == 0    ? o->argc < 3
	    : strcmp(sub, "list") == 0 ? o->argc != 2
	    : (strcmp(sub, "open") == 0 || strcmp(sub, "close") == 0)
		? o->argc != 3
		: 1) {
		fprintf(stderr, "usage: parley post add FILE.md...\n"
				"       parley post list\n"
				"       parley post open|close SLUG\n");
		return 2;
	}
	if (!cli_app_open(&app, o, false))
		return 1;
	if (strcmp(sub, "add") == 0) {
		rc = post_add(&app, o->argv + 2, o->argc - 2);
	} else if (strcmp(sub, "list") == 0) {
		rc = post_list(&app);
	} else {
		rc = post_set_open(&app, o->argv[2], strcmp(sub, "open") == 0);
	}
	cli_app_close(&app);
	return rc;
}
