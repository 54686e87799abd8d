/* ban: `parley ban add|list|remove`, bans from the command line. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/parse.h"
#include "core/util.h"
#include "model/ban.h"

static const struct mod_actor cli_actor = {0, "command line"};

static int
ban_usage(void)
{
	fprintf(stderr,
		"usage: parley ban add account|email|address|network VALUE "
		"[--days N] [--reason TEXT]\n"
		"       parley ban list\n"
		"       parley ban remove ID\n");
	return 2;
}

static int
ban_cmd_add(struct app *app, int kind, const char *value, int64_t days,
	    const char *reason)
{
	const char *why = NULL;
	struct arena a;
	int64_t id;
	enum err e;

	arena_init(&a);
	e = ban_add(app, &a, kind, value, reason, days * 24 * 3600, &cli_actor,
		    &id, &why);
	arena_clear(&a);
	if (e == ERR_INVALID) {
		fprintf(stderr, "parley ban add: %s: %s\n", value,
			why ? why : "not a value for this kind of ban");
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "parley ban add: %s\n", err_str(e));
		return 1;
	}
	printf("ban %lld: %s %s %s\n", (long long)id, ban_kind_name(kind),
	       value, days > 0 ? "for a time" : "for good");
	return 0;
}

static int
ban_cmd_list(struct app *app)
{
	struct ban *bans;
	struct arena a;
	size_t n, i;

	arena_init(&a);
	if (ban_list(app, &a, &bans, &n) != ERR_OK) {
		fprintf(stderr, "parley ban list: database error\n");
		arena_clear(&a);
		return 1;
	}
	printf("%-6s %-8s %-40s %-20s %-20s %s\n", "ID", "KIND", "VALUE",
	       "SINCE", "UNTIL", "BY / REASON");
	for (i = 0; i < n; i++) {
		char since[32], until[32];

		time_format_iso(bans[i].created, since, sizeof(since));
		if (bans[i].expires)
			time_format_iso(bans[i].expires, until, sizeof(until));
		else
			snprintf(until, sizeof(until), "for good");
		printf("%-6lld %-8s %-40s %-20s %-20s %s / %s\n",
		       (long long)bans[i].id, ban_kind_name(bans[i].kind),
		       bans[i].value, since, until, bans[i].created_by,
		       bans[i].reason[0] ? bans[i].reason : "-");
	}
	arena_clear(&a);
	return 0;
}

int
cmd_ban(struct cli_opts *o)
{
	const char *sub = o->argc > 1 ? o->argv[1] : "", *days_arg, *reason;
	int64_t days = 0, id = 0;
	bool bad = false;
	struct app app;
	int kind = 0, rc;

	days_arg = cli_take_option(o, "--days", &bad);
	reason = cli_take_option(o, "--reason", &bad);
	if (bad || (days_arg && !parse_int_str(days_arg, 1, 36500, &days)) ||
	    (strcmp(sub, "add") == 0
		 ? o->argc != 4 || !ban_kind_parse(o->argv[2], &kind)
	     : strcmp(sub, "list") == 0 ? o->argc != 2
	     : strcmp(sub, "remove") == 0
		 ? o->argc != 3 || !parse_id(o->argv[2], &id)
		 : true))
		return ban_usage();
	if (!cli_app_open(&app, o, false))
		return 1;
	if (strcmp(sub, "add") == 0) {
		rc = ban_cmd_add(&app, kind, o->argv[3], days,
				 reason ? reason : "");
	} else if (strcmp(sub, "list") == 0) {
		rc = ban_cmd_list(&app);
	} else {
		enum err e = ban_remove(&app, id, &cli_actor);

		rc = e == ERR_OK ? 0 : 1;
		if (e == ERR_OK)
			printf("ban %lld lifted\n", (long long)id);
		else
			fprintf(stderr, "parley ban remove: %s: %s\n",
				o->argv[2],
				e == ERR_NOTFOUND ? "no such ban" : err_str(e));
	}
	cli_app_close(&app);
	return rc;
}
