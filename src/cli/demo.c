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

const char *
cli_demo_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ')
		line++;
	return line;
}

int
cli_demo_comments(struct app *app, struct arena *a, const struct article *art,
		  const struct embedded_file *f, int64_t *ids, long nids)
{
	char *text = arena_strndup(a, (const char *)f->data, f->len),
	     *save = NULL, *line;
	struct comment_input in;
	struct buf body;
	long file_id = 0, parent = 0, minutes = 0;
	int count = 0, side = SIDE_NONE;
	bool in_body = false;

	if (text == NULL)
		return -1;
	buf_init(&body, LIMIT_COMMENT_MAX);
	memset(&in, 0, sizeof(in));
	in.author = in.email = in.url = in.key = "";
	for (line = strtok_r(text, "\n", &save);;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v;

		if (line && in_body && strncmp(line, "  ", 2) == 0) {
			if (!buf_putc(&body, '\n') ||
			    !buf_puts(&body, line + 2))
				break;
			continue;
		}
		if (in_body) {
			int64_t id;

			in.body = buf_cstr(&body);
			in.parent =
			    parent > 0 && parent <= nids ? ids[parent] : 0;
			in.created = art->published + minutes * 60;
			in.side = side;
			if (comment_create(app, a, art, &in, "127.0.0.1",
					   &id) != ERR_OK) {
				fprintf(
				    stderr,
				    "parley demo: comment %ld on %s not stored\n",
				    file_id, art->slug);
				count = -1;
				break;
			}
			if (file_id > 0 && file_id <= nids)
				ids[file_id] = id;
			count++;
			in_body = false;
			side = SIDE_NONE;
			parent = 0;
			memset(&in, 0, sizeof(in));
			in.author = in.email = in.url = in.key = "";
		}
		if (line == NULL)
			break;
		if ((v = cli_demo_key(line, "id")))
			file_id = atol(v);
		else if ((v = cli_demo_key(line, "parent")))
			parent = atol(v);
		else if ((v = cli_demo_key(line, "side")))
			side = strcmp(v, "a") == 0   ? SIDE_A
			       : strcmp(v, "b") == 0 ? SIDE_B
						     : SIDE_NONE;
		else if ((v = cli_demo_key(line, "author")))
			in.author = arena_strdup(a, v);
		else if ((v = cli_demo_key(line, "email")))
			in.email = arena_strdup(a, v);
		else if ((v = cli_demo_key(line, "url")))
			in.url = arena_strdup(a, v);
		else if ((v = cli_demo_key(line, "minutes")))
			minutes = atol(v);
		else if ((v = cli_demo_key(line, "body"))) {
			buf_reset(&body);
			if (!buf_puts(&body, v))
				break;
			in_body = true;
		}
	}
	buf_clear(&body);
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
		if (article_parse(&a, (const char *)f->data, f->len, &art,
				  &err) != ERR_OK) {
			fprintf(stderr, "parley demo: %s:%s\n", f->path,
				buf_cstr(&err));
			rc = 1;
			break;
		}
		e = article_create(&app, &art, &id);
		if (e == ERR_CONFLICT) {
			printf("demo article %s is already there\n", art.slug);
			continue;
		}
		if (e != ERR_OK) {
			fprintf(stderr, "parley demo: %s: %s\n", art.slug,
				err_str(e));
			rc = 1;
			break;
		}
		art.id = id;
		articles++;
		cpath = arena_printf(&a, "demo/comments-%s.txt", art.slug);
		if (cpath && (cf = embed_find(cpath)) != NULL) {
			int64_t *ids =
			    calloc(DEMO_MAX_COMMENTS + 1, sizeof(*ids));

			n = ids ? cli_demo_comments(&app, &a, &art, cf, ids,
						    DEMO_MAX_COMMENTS)
				: -1;
			free(ids);
			if (n < 0) {
				rc = 1;
				break;
			}
			comments += n;
		}
	}
	/* Debates: demo/debate-SLUG.txt, with comments-SLUG.txt and
	 * votes-SLUG.txt. */
	for (i = 0; rc == 0 && i < embedded_count; i++) {
		int added;

		if (strncmp(embedded_files[i].path, "demo/debate-", 12) != 0)
			continue;
		added = cli_debate_demo(&app, &a, &embedded_files[i], &comments,
					&votes);
		if (added < 0)
			rc = 1;
		debates += added > 0;
	}
	if (rc == 0)
		printf(
		    "demo: %d articles, %d debates with %d votes, and %d comments added to %s\n",
		    articles, debates, votes, comments, app.cfg.db);
	buf_clear(&err);
	arena_clear(&a);
	cli_app_close(&app);
	return rc;
}
