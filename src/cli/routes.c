/*
 * routes: `parley routes` prints the route table, one route a line:
 * method, pattern and the checks the router makes before the handler
 * runs (comma-separated, "-" for none), so operators and tests read the
 * same table the server uses.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "http/route.h"
#include "web/web.h"

/* Appends word to the comma-separated list in out (of size n). */
static void
flag_add(char *out, size_t n, const char *word)
{
	size_t len = strlen(out);

	snprintf(out + len, n - len, "%s%s", len > 0 ? "," : "", word);
}

int
cmd_routes(struct cli_opts *o)
{
	struct route_info r;
	char flags[64];
	size_t i;

	if (o->argc > 1) {
		fprintf(stderr, "usage: parley routes\n");
		return 2;
	}
	for (i = 0; route_info_at(&web_routes, i, &r); i++) {
		flags[0] = '\0';
		if (r.csrf)
			flag_add(flags, sizeof(flags), "csrf");
		if (r.form)
			flag_add(flags, sizeof(flags), "form");
		if (r.signin)
			flag_add(flags, sizeof(flags), "signin");
		if (r.role)
			flag_add(flags, sizeof(flags), r.role);
		printf("%-4s %-28s %s\n", r.method, r.pattern,
		       flags[0] ? flags : "-");
	}
	return 0;
}
