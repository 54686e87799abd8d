/* demo: fills the database with the built-in demo articles and discussions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/embed.h"
#include "core/limits.h"
#include "model/article.h"
#include "model/comment.h"

#define DEMO_MAX_COMMENTS 2000

/* Reads "key: value" from a line of a comments file; NULL when another key. */
static const char *
demo_value(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ')
		line++;
	return line;
}

/*
 * Loads demo/comments-SLUG.txt: blocks of "id, parent, author, email,
 * url, minutes, body" with body continuation lines indented by two spaces.
 */
static int
demo_comments(struct app *app, struct arena *a, const struct article *art,
	      const struct embedded_file *f)
{
	int64_t *ids = calloc(DEMO_MAX_COMMENTS + 1, sizeof(*ids));
	char *text = arena_strndup(a, (const char *)f->data, f->len), *save = NULL, *line;
	struct comment_input in;
	struct buf body;
	long file_id = 0, parent = 0, minutes = 0;
	int count = 0;
	bool in_body = false;

	if (ids == NULL || text == NULL) {
		free(ids);
		return -1;
	}
	buf_init(&body, LIMIT_COMMENT_MAX);
	memset(&in, 0, sizeof(in));
	for (line = strtok_r(text, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
		const char *v;

		if (line && in_body && strncmp(line, "  ", 2) == 0) {
			if (!buf_putc(&body, '\n') || !buf_puts(&body, line + 2))
				break;
			continue;
		}
		if (in_body) {
			int64_t id;

			in.body = buf_cstr(&body);
			in.parent = parent > 0 && parent <= DEMO_MAX_COMMENTS ? ids[parent] : 0;
			in.created = art->published + minutes * 60;
			if (comment_create(app, a, art, &in, "127.0.0.1", &id) != ERR_OK) {
				fprintf(stderr, "parley demo: comment %ld on %s not stored\n", file_id, art->slug);
				break;
			}
			if (file_id > 0 && file_id <= DEMO_MAX_COMMENTS)
				ids[file_id] = id;
			count++;
			in_body = false;
			memset(&in, 0, sizeof(in));
		}
		if (line == NULL)
			break;
		if ((v = demo_value(line, "id")))
			file_id = atol(v);
		else if ((v = demo_value(line, "parent")))
			parent = atol(v);
		else if ((v = demo_value(line, "author")))
			in.author = arena_strdup(a, v);
		else if ((v = demo_value(line, "email")))
			in.email = arena_strdup(a, v);
		else if ((v = demo_value(line, "url")))
			in.url = arena_strdup(a, v);
		else if ((v = demo_value(line, "minutes")))
			minutes = atol(v);
		else if ((v = demo_value(line, "body"))) {
			buf_reset(&body);
			if (!buf_puts(&body, v))
				break;
			in_body = true;
			in.key = "";
		}
	}
	buf_clear(&body);
	free(ids);
	return count;
}

int
cmd_demo(struct cli_opts *o)
{
	struct app app;
	struct arena a;
	struct buf err;
	size_t i;
	int articles = 0, comments = 0, rc = 0, debates = 0, votes = 0;

	if (!cli_app_open(&app, o, false))
		return 1;
	arena_init(&a);
	buf_init(&err, 512);
	for (i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i], *cf;
		struct article art;
		char *cpath;
		int64_t id;
		enum err e;
		int n;

		if (strncmp(f->path, "demo/article-", 13) != 0)
			continue;
		if (article_parse(&a, (const char *)f->data, f->len, &art, &err) != ERR_OK) {
			fprintf(stderr, "parley demo: %s:%s\n", f->path, buf_cstr(&err));
			rc = 1;
			break;
		}
		e = article_create(&app, &art, &id);
		if (e == ERR_CONFLICT) {
			printf("demo article %s is already there\n", art.slug);
			continue;
		}
		if (e != ERR_OK) {
			fprintf(stderr, "parley demo: %s: %s\n", art.slug, err_str(e));
			rc = 1;
			break;
		}
		art.id = id;
		articles++;
		cpath = arena_printf(&a, "demo/comments-%s.txt", art.slug);
		if (cpath && (cf = embed_find(cpath)) != NULL) {
			n = demo_comments(&app, &a, &art, cf);
			if (n < 0) {
				rc = 1;
				break;
			}
			comments += n;
		}
	}
	/* Debates: demo/debate-SLUG.txt, with comments-SLUG.txt and votes-SLUG.txt. */
	for (i = 0; rc == 0 && i < embedded_count; i++) {
		int added;

		if (strncmp(embedded_files[i].path, "demo/debate-", 12) != 0)
			continue;
		added = cli_debate_demo(&app, &a, &embedded_files[i], &comments, &votes);
		if (added < 0)
			rc = 1;
		debates += added > 0;
	}
	if (rc == 0)
		printf("demo: %d articles, %d debates with %d votes, and %d comments added to %s\n",
		       articles, debates, votes, comments, app.cfg.db);
	buf_clear(&err);
	arena_clear(&a);
	cli_app_close(&app);
	return rc;
}
