/* cli: the subcommands of the parley binary and what they share. */
#ifndef PARLEY_CLI_H
#define PARLEY_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

/* Options common to every command. */
struct cli_opts {
	const char *config; /* --config FILE */
	const char *db;	    /* --db PATH */
	const char *listen; /* --listen ADDR:PORT */
	int argc;	    /* what is left after the options */
	char **argv;
};

/*
 * Parses the common options out of argv (from index 1); prints a message
 * and returns false on a bad option.
 */
bool cli_parse(int argc, char **argv, struct cli_opts *o);

/*
 * Sets up app: configuration (defaults, file, options), the site secret,
 * the store; templates and cache only when serving.  Prints why and
 * returns false when it cannot.
 */
bool cli_app_open(struct app *app, const struct cli_opts *o, bool serving);
void cli_app_close(struct app *app);

/*
 * Whether a PostgreSQL connection string carries a password (a URI's
 * user:password@, a password= pair), which no command line may show.
 */
bool cli_conninfo_has_password(const char *db);

int cmd_serve(struct cli_opts *o);
int cmd_init(struct cli_opts *o);
int cmd_demo(struct cli_opts *o);
int cmd_post(struct cli_opts *o);
int cmd_config(struct cli_opts *o);
int cmd_user(struct cli_opts *o);
int cmd_routes(struct cli_opts *o);
int cmd_spam(struct cli_opts *o);
int cmd_comments(struct cli_opts *o);
int cmd_ban(struct cli_opts *o);
int cmd_migrate_db(struct cli_opts *o);

int cmd_debate(struct cli_opts *o);
/*
 * Adds the demo debate of f (demo/debate-SLUG.txt) with its comments and
 * votes (demo/comments-SLUG.txt, demo/votes-SLUG.txt).  1 when added, 0
 * when it was there already, -1 on error (after a message).
 */
struct arena;
struct embedded_file;
int cli_debate_demo(struct app *app, struct arena *a,
		    const struct embedded_file *f, int *comments, int *votes);

struct arena;
struct article;
struct embedded_file;

/* "key: value" of a line of a demo file; NULL when the line has another key. */
const char *cli_demo_key(const char *line, const char *key);

/*
 * Stores the comments of a demo file (demo/comments-SLUG.txt): blocks of
 * id, parent, side (a|b, debates only), author, email, url, minutes (after
 * the article's date) and body, whose continuation lines are indented two
 * spaces.  ids[file id] (up to nids) gets each stored id.  Returns how
 * many were stored, or -1.
 */
int cli_demo_comments(struct app *app, struct arena *a,
		      const struct article *art, const struct embedded_file *f,
		      int64_t *ids, long nids);

/* Reads a whole file (at most max bytes) into a malloc'd string. */
char *cli_read_file(const char *path, size_t max, size_t *len);

/*
 * The value after option name ("--days") among a command's arguments,
 * taken out of o->argv; NULL when absent, and *bad set when the option
 * is last with no value.
 */
const char *cli_take_option(struct cli_opts *o, const char *name, bool *bad);

#endif
