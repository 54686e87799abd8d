/* parley: one binary, a table of subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define PARLEY_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(struct cli_opts *o);
	const char *usage;
};

static const struct command commands[] = {
    {"serve", cmd_serve, "serve [--listen ADDR:PORT]   run the web site"},
    {"init", cmd_init, "init                         create the database"},
    {"demo", cmd_demo,
     "demo                         add the demo articles and comments"},
    {"post", cmd_post, "post add FILE.md... | list | open SLUG | close SLUG"},
    {"debate", cmd_debate,
     "debate add FILE... | list | open|close|results SLUG | feature|unfeature SLUG ID"},
    {"user", cmd_user,
     "user add EMAIL NAME [ROLE] | list | role EMAIL ROLE | disable|enable EMAIL"},
    {"config", cmd_config,
     "config check FILE | keys     check a config file; list every key"},
    {"spam", cmd_spam,
     "spam eval DIR | train        judge the spam classifier; train it on the database"},
    {"comments", cmd_comments,
     "comments list [--status S] | show ID | approve|spam|trash|restore ID... | purge [--days N] | log [ID]"},
    {"ban", cmd_ban,
     "ban add account|email|address|network VALUE [--days N] [--reason TEXT] | list | remove ID"},
    {"migrate-db", cmd_migrate_db,
     "migrate-db --from DB --to DB  copy a site into an empty database (SQLite or PostgreSQL) and check it"},
    {"routes", cmd_routes,
     "routes                       print every route: method, pattern, checks"},
};

static void
usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: parley COMMAND [--config FILE] [--db PATH] [ARGS]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  parley %s\n", commands[i].usage);
	fprintf(
	    out,
	    "  parley help | version\n\n"
	    "With no config, parley uses ./parley.db and listens on 127.0.0.1:8080.\n");
}

int
main(int argc, char **argv)
{
	struct cli_opts o;
	const char *name;
	size_t i;
	int rc;

	if (!cli_parse(argc, argv, &o)) {
		free(o.argv);
		return 2;
	}
	name = o.argc > 0 ? o.argv[0] : "serve";
	if (strcmp(name, "help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		free(o.argv);
		return 0;
	}
	if (strcmp(name, "version") == 0) {
		printf("parley %s\n", PARLEY_VERSION);
		free(o.argv);
		return 0;
	}
	if (o.argc == 0) {
		/* `parley` alone: serve, as `parley serve` would. */
		o.argv[0] = "serve";
		o.argc = 1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0) {
			rc = commands[i].run(&o);
			free(o.argv);
			return rc;
		}
	fprintf(stderr, "parley: unknown command \"%s\"\n\n", name);
	usage(stderr);
	free(o.argv);
	return 2;
}
