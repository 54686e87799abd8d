/*
 * comments: `parley comments`, moderation from the command line, beside a
 * running server or not: the server notices these writes (PRAGMA
 * data_version) and drops its cached pages.  Every action is logged as
 * the command line's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/parse.h"
#include "core/util.h"
#include "model/moderation.h"

static const struct mod_actor cli_actor = {0, "command line"};

/* The first line of a comment's text, at most 60 bytes, for a list. */
static void
excerpt(const char *md, char out[64])
{
	size_t n = strcspn(md, "\r\n");

	if (n > 60) {
		n = 57;
		/* Not in the middle of a UTF-8 character. */
		while (n > 0 && ((unsigned char)md[n] & 0xc0) == 0x80)
			n--;
		snprintf(out, 64, "%.*s...", (int)n, md);
	} else {
		snprintf(out, 64, "%.*s", (int)n, md);
	}
}

/* A queue: status, or the comments with readers' open flags. */
static int
comments_list(struct app *app, int status, bool flagged, int64_t limit)
{
	struct mod_filter f;
	struct mod_item *items;
	struct arena a;
	size_t n, i;

	memset(&f, 0, sizeof(f));
	f.status = status;
	f.flagged = flagged;
	f.limit = (int)limit;
	arena_init(&a);
	if (moderation_list(app, &a, &f, &items, &n) != ERR_OK) {
		fprintf(stderr, "parley comments list: database error\n");
		arena_clear(&a);
		return 1;
	}
	printf("%-6s %-8s %-20s %-24s %-16s %-6s %s\n", "ID", "STATUS", "DATE",
	       "AUTHOR", "ADDRESS", "SCORE", "DISCUSSION / REASON / TEXT");
	for (i = 0; i < n; i++) {
		const struct comment *c = &items[i].c;
		char when[32], text[64], score[8];

		time_format_iso(c->created, when, sizeof(when));
		excerpt(c->body_md, text);
		if (c->spam_score >= 0)
			snprintf(score, sizeof(score), "%.2f", c->spam_score);
		else
			snprintf(score, sizeof(score), "-");
		printf("%-6lld %-8s %-20s %-24.24s %-16s %-6s %s / %s / %s\n",
		       (long long)c->id, moderation_status_name(c->status),
		       when, c->author, c->ip, score, items[i].article_slug,
		       c->reason[0] ? c->reason : "-", text);
	}
	arena_clear(&a);
	return 0;
}

static int
comments_show(struct app *app, const char *arg)
{
	struct mod_log_entry *log;
	struct mod_item it;
	struct arena a;
	int64_t id;
	size_t n, i;
	enum err e;

	if (!parse_id(arg, &id)) {
		fprintf(stderr,
			"parley comments show: %s is not a comment id\n", arg);
		return 2;
	}
	arena_init(&a);
	e = moderation_get(app, &a, id, &it);
	if (e != ERR_OK) {
		fprintf(stderr, "parley comments show: %s: %s\n", arg,
			e == ERR_NOTFOUND ? "no such comment" : err_str(e));
		arena_clear(&a);
		return 1;
	}
	printf("id: %lld\nstatus: %s\nreason: %s\n", (long long)it.c.id,
	       moderation_status_name(it.c.status),
	       it.c.reason[0] ? it.c.reason : "-");
	if (it.c.spam_score >= 0)
		printf("spam score: %.3f\n", it.c.spam_score);
	printf("on: %s /%ss/%s\nauthor: %s\nemail: %s\nwebsite: %s\n"
	       "address: %s\naccount: %lld\napproved comments by them: %lld\n",
	       it.article_title, it.article_kind, it.article_slug, it.c.author,
	       it.c.email, it.c.url, it.c.ip, (long long)it.c.user_id,
	       (long long)it.approved);
	if (it.c.parent_id)
		printf("in reply to: %lld (%s)\n", (long long)it.c.parent_id,
		       it.parent_author);
	if (it.c.spam_features[0])
		printf("features:\n%s", it.c.spam_features);
	printf("text:\n%s\n", it.c.body_md);
	if (moderation_log(app, &a, id, 50, &log, &n) == ERR_OK && n > 0) {
		printf("log:\n");
		for (i = 0; i < n; i++) {
			char when[32];

			time_format_iso(log[i].at, when, sizeof(when));
			printf("  %s %s by %s: %s -> %s\n", when, log[i].action,
			       log[i].actor, log[i].status_before,
			       log[i].status_after);
		}
	}
	arena_clear(&a);
	return 0;
}

static int
comments_act(struct app *app, const char *action, int argc, char **argv)
{
	int64_t ids[MODERATION_BULK_MAX];
	struct arena a;
	size_t changed;
	int status, i;
	enum err e;

	if (!moderation_action_status(action, &status))
		return 2;
	if (argc > MODERATION_BULK_MAX) {
		fprintf(stderr, "parley comments %s: at most %d at once\n",
			action, MODERATION_BULK_MAX);
		return 2;
	}
	for (i = 0; i < argc; i++)
		if (!parse_id(argv[i], &ids[i])) {
			fprintf(stderr,
				"parley comments %s: %s is not a comment id\n",
				action, argv[i]);
			return 2;
		}
	arena_init(&a);
	e = moderation_set(app, &a, ids, (size_t)argc, status, action,
			   &cli_actor, &changed);
	arena_clear(&a);
	if (e != ERR_OK) {
		fprintf(stderr, "parley comments %s: %s\n", action, err_str(e));
		return 1;
	}
	printf("%zu comment%s now %s\n", changed, changed == 1 ? "" : "s",
	       moderation_status_name(status));
	return 0;
}

static int
comments_purge(struct app *app, const char *days_arg)
{
	int64_t days = app->cfg.purge_days, n;
	enum err e;

	if (days_arg && !parse_int_str(days_arg, 0, 36500, &days)) {
		fprintf(stderr, "parley comments purge: --days takes a number "
				"from 0 to 36500\n");
		return 2;
	}
	e = moderation_purge(app, (int)days, &cli_actor, &n);
	if (e != ERR_OK) {
		fprintf(stderr, "parley comments purge: %s\n", err_str(e));
		return 1;
	}
	printf("purged %lld spam and trash comment%s older than %lld days\n",
	       (long long)n, n == 1 ? "" : "s", (long long)days);
	return 0;
}

static int
comments_log(struct app *app, const char *arg)
{
	struct mod_log_entry *log;
	struct arena a;
	int64_t id = 0;
	size_t n, i;

	if (arg && !parse_id(arg, &id)) {
		fprintf(stderr, "parley comments log: %s is not a comment id\n",
			arg);
		return 2;
	}
	arena_init(&a);
	if (moderation_log(app, &a, id, 1000, &log, &n) != ERR_OK) {
		fprintf(stderr, "parley comments log: database error\n");
		arena_clear(&a);
		return 1;
	}
	for (i = 0; i < n; i++) {
		char when[32];

		time_format_iso(log[i].at, when, sizeof(when));
		printf("%s %-8s comment %-6lld %s -> %s by %s%s%s\n", when,
		       log[i].action, (long long)log[i].comment_id,
		       log[i].status_before[0] ? log[i].status_before : "-",
		       log[i].status_after[0] ? log[i].status_after : "-",
		       log[i].actor, log[i].detail[0] ? ": " : "",
		       log[i].detail);
	}
	arena_clear(&a);
	return 0;
}

static int
comments_usage(void)
{
	fprintf(stderr,
		"usage: parley comments list [--status pending|approved|spam|"
		"trash|flagged] [--limit N]\n"
		"       parley comments show ID\n"
		"       parley comments approve|spam|trash|restore ID...\n"
		"       parley comments purge [--days N]\n"
		"       parley comments log [ID]\n");
	return 2;
}

int
cmd_comments(struct cli_opts *o)
{
	const char *sub = o->argc > 1 ? o->argv[1] : "", *status_arg, *days,
		   *limit_arg;
	int64_t limit = MODERATION_PAGE_MAX;
	int status = STATUS_PENDING, rc, ignored;
	bool bad = false, flagged;
	struct app app;

	status_arg = cli_take_option(o, "--status", &bad);
	days = cli_take_option(o, "--days", &bad);
	limit_arg = cli_take_option(o, "--limit", &bad);
	flagged = status_arg && strcmp(status_arg, "flagged") == 0;
	if (bad ||
	    (status_arg && !flagged &&
	     !moderation_status_parse(status_arg, &status)) ||
	    (limit_arg &&
	     !parse_int_str(limit_arg, 1, MODERATION_PAGE_MAX, &limit)))
		return comments_usage();
	if (strcmp(sub, "list") == 0		      ? o->argc != 2
	    : strcmp(sub, "show") == 0		      ? o->argc != 3
	    : strcmp(sub, "purge") == 0		      ? o->argc != 2
	    : strcmp(sub, "log") == 0		      ? o->argc > 3
	    : moderation_action_status(sub, &ignored) ? o->argc < 3
						      : true)
		return comments_usage();
	if (!cli_app_open(&app, o, false))
		return 1;
	if (strcmp(sub, "list") == 0)
		rc = comments_list(&app, status, flagged, limit);
	else if (strcmp(sub, "show") == 0)
		rc = comments_show(&app, o->argv[2]);
	else if (strcmp(sub, "purge") == 0)
		rc = comments_purge(&app, days);
	else if (strcmp(sub, "log") == 0)
		rc = comments_log(&app, o->argc == 3 ? o->argv[2] : NULL);
	else
		rc = comments_act(&app, sub, o->argc - 2, o->argv + 2);
	cli_app_close(&app);
	return rc;
}
