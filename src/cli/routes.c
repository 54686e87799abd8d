/*
 * routes: `parley routes` prints the route table, one route a line:
 * method, pattern, the checks the router makes before the handler runs
 * and the fields it reads for the handler (each comma-separated, "-" for
 * none), so operators and tests read the same table the server uses.
 * A field is NAME:KIND (text, raw, int, id), then ":" and its flags when
 * it has any: r required, p a path segment, o explained by the handler.
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

/* The fields column: "-", or NAME:KIND[:FLAGS],... */
static void
fields_print(const struct input *in)
{
	static const char *const kinds[] = {
	    [INPUT_TEXT] = "text",
	    [INPUT_RAW] = "raw",
	    [INPUT_INT] = "int",
	    [INPUT_ID] = "id",
	};
	const char *sep = "";

	if (in == NULL || in->name == NULL) {
		printf("-");
		return;
	}
	for (; in->name != NULL; in++, sep = ",") {
		printf("%s%s:%s", sep, in->name, kinds[in->kind]);
		if (in->flags & (INPUT_REQUIRED | INPUT_PATH | INPUT_OWN))
			printf(":%s%s%s", in->flags & INPUT_REQUIRED ? "r" : "",
			       in->flags & INPUT_PATH ? "p" : "",
			       in->flags & INPUT_OWN ? "o" : "");
	}
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
		if (r.json)
			flag_add(flags, sizeof(flags), "json");
		if (r.hash)
			flag_add(flags, sizeof(flags), "hash");
		if (r.callout)
			flag_add(flags, sizeof(flags), "callout");
		printf("%-4s %-28s %-24s ", r.method, r.pattern,
		       flags[0] ? flags : "-");
		fields_print(r.inputs);
		printf("\n");
	}
	return 0;
}
