/* user: `parley user add|list|role|disable|enable`: accounts from the shell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/parse.h"
#include "core/util.h"
#include "model/user.h"
#include "store/store.h"

/* Reads one line (a password) from standard input, without echo on a terminal.
 */
static bool
read_password(char *out, size_t outsz)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) != 0;
	char *nl;

	if (tty) {
		fprintf(stderr,
			"Password (at least 8 characters; empty for none): ");
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			(void)tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
		}
	}
	if (fgets(out, (int)outsz, stdin) == NULL)
		out[0] = '\0';
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if ((nl = strpbrk(out, "\r\n")) != NULL)
		*nl = '\0';
	return true;
}

/* Finds a user by email or by number. */
static enum err
find_user(struct app *app, struct arena *a, const char *who, struct user *u)
{
	int64_t id;

	if (strchr(who, '@'))
		return user_by_email(app, a, who, u);
	if (!parse_id(who, &id))
		return ERR_NOTFOUND;
	return user_get(app, a, id, u);
}

static int
user_add(struct app *app, const char *email, const char *name,
	 const char *role_s)
{
	char password[USER_PASSWORD_MAX + 2];
	enum role role = ROLE_READER;
	const char *why;
	int64_t id;
	enum err e;

	if (role_s && !role_parse(role_s, &role)) {
		fprintf(
		    stderr,
		    "parley user add: the role is reader, moderator, editor or admin\n");
		return 2;
	}
	if ((why = user_check_email(email)) || (why = user_check_name(name))) {
		fprintf(stderr, "parley user add: %s\n", why);
		return 1;
	}
	read_password(password, sizeof(password));
	if (password[0] && (why = user_check_password(password))) {
		fprintf(stderr, "parley user add: %s\n", why);
		return 1;
	}
	e = user_create(app, name, email, password, role, &id);
	sodium_memzero(password, sizeof(password));
	if (e == ERR_CONFLICT) {
		fprintf(stderr, "parley user add: %s already has an account\n",
			email);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "parley user add: %s\n", err_str(e));
		return 1;
	}
	printf("added user %lld: %s <%s>, %s\n", (long long)id, name, email,
	       role_name(role));
	return 0;
}

static int
print_users(struct app *app)
{
	struct user *list;
	struct arena a;
	size_t n, i;

	arena_init(&a);
	if (user_list(app, &a, &list, &n) != ERR_OK) {
		fprintf(stderr, "parley user list: database error\n");
		arena_clear(&a);
		return 1;
	}
	printf("%-6s %-10s %-9s %-30s %s\n", "ID", "ROLE", "STATUS", "EMAIL",
	       "NAME");
	for (i = 0; i < n; i++)
		printf("%-6lld %-10s %-9s %-30s %s\n", (long long)list[i].id,
		       role_name(list[i].role),
		       list[i].disabled		? "disabled"
		       : list[i].email_verified ? "active"
						: "unverified",
		       list[i].email[0] ? list[i].email : "-", list[i].name);
	arena_clear(&a);
	return 0;
}

static int
user_change(struct app *app, const char *sub, const char *who,
	    const char *role_s)
{
	struct arena a;
	struct user u;
	enum role role;
	enum err e;
	int rc = 1;

	if (role_s && !role_parse(role_s, &role)) {
		fprintf(
		    stderr,
		    "parley user role: the role is reader, moderator, editor or admin\n");
		return 2;
	}
	arena_init(&a);
	e = find_user(app, &a, who, &u);
	if (e == ERR_OK)
		e = role_s ? user_set_role(app, &a, u.id, role)
			   : user_set_disabled(app, &a, u.id,
					       strcmp(sub, "disable") == 0);
	if (e == ERR_NOTFOUND)
		fprintf(stderr, "parley user %s: no user %s\n", sub, who);
	else if (e == ERR_CONFLICT)
		fprintf(stderr,
			"parley user %s: the site needs at least one admin\n",
			sub);
	else if (e != ERR_OK)
		fprintf(stderr, "parley user %s: %s\n", sub, err_str(e));
	else {
		if (role_s)
			printf("%s is now %s\n", u.email, role_name(role));
		else
			printf("%s is %sd\n", u.email, sub);
		rc = 0;
	}
	arena_clear(&a);
	return rc;
}

int
cmd_user(struct cli_opts *o)
{
	struct app app;
	const char *sub = o->argc > 1 ? o->argv[1] : "";
	int rc;

	if (strcmp(sub, "add") == 0    ? (o->argc < 4 || o->argc > 5)
	    : strcmp(sub, "list") == 0 ? o->argc != 2
	    : strcmp(sub, "role") == 0 ? o->argc != 4
	    : (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0)
		? o->argc != 3
		: 1) {
		fprintf(
		    stderr,
		    "usage: parley user add EMAIL NAME [ROLE]   (password on standard input)\n"
		    "       parley user list\n"
		    "       parley user role EMAIL|ID reader|moderator|editor|admin\n"
		    "       parley user disable|enable EMAIL|ID\n");
		return 2;
	}
	if (!cli_app_open(&app, o, false))
		return 1;
	if (strcmp(sub, "add") == 0)
		rc = user_add(&app, o->argv[2], o->argv[3],
			      o->argc == 5 ? o->argv[4] : NULL);
	else if (strcmp(sub, "list") == 0)
		rc = print_users(&app);
	else if (strcmp(sub, "role") == 0)
		rc = user_change(&app, sub, o->argv[2], o->argv[3]);
	else
		rc = user_change(&app, sub, o->argv[2], NULL);
	cli_app_close(&app);
	return rc;
}
