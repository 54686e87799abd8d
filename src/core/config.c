#include "core/config.h"

#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_type { KEY_STR, KEY_INT, KEY_BOOL, KEY_POLICY };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;
	long min, max;		/* for KEY_INT */
	const char *doc;
};

#define OFF(f) offsetof(struct config, f)

/* THE table of configuration keys: default, range and documentation. */
static const struct key keys[] = {
	{ "site", "title", KEY_STR, OFF(site_title), "Parley", 0, 0,
	  "The site's name, shown in the header and in titles." },
	{ "site", "tagline", KEY_STR, OFF(site_tagline),
	  "Commentary and debate", 0, 0, "A line under the site's name." },
	{ "site", "base_url", KEY_STR, OFF(base_url), "", 0, 0,
	  "The public address, e.g. https://example.org; used for absolute "
	  "links. Empty: http://LISTEN. Links are never built from the "
	  "request's Host header." },
	{ "site", "templates", KEY_STR, OFF(templates_dir), "", 0, 0,
	  "A folder whose NAME.html files replace the built-in templates." },
	{ "site", "secret_file", KEY_STR, OFF(secret_file), "", 0, 0,
	  "File holding the site's 32-byte secret key; created when missing. "
	  "Empty: DB.secret beside the database." },
	{ "server", "listen", KEY_STR, OFF(listen), "127.0.0.1:8080", 0, 0,
	  "Address and port to listen on; [::1]:8080 for IPv6." },
	{ "server", "db", KEY_STR, OFF(db), "parley.db", 0, 0,
	  "The SQLite database file; created when missing." },
	{ "server", "threads", KEY_INT, OFF(threads), "4", 1, 256,
	  "Worker threads serving requests." },
	{ "server", "max_connections", KEY_INT, OFF(max_connections), "4096",
	  16, 1000000, "Open connections at most, in all." },
	{ "server", "per_ip_connections", KEY_INT, OFF(per_ip_connections),
	  "64", 1, 100000, "Open connections at most from one address." },
	{ "server", "timeout", KEY_INT, OFF(timeout), "30", 1, 3600,
	  "Seconds an idle connection is kept." },
	{ "server", "access_log", KEY_BOOL, OFF(access_log), "true", 0, 0,
	  "One line per request on standard output." },
	{ "server", "trusted_proxies", KEY_STR, OFF(trusted_proxies), "", 0, 0,
	  "Addresses of reverse proxies whose X-Forwarded-For is believed, "
	  "separated by spaces. Empty: the header is ignored." },
	{ "server", "page_cache_mb", KEY_INT, OFF(page_cache_mb), "64", 0,
	  65536, "Memory for rendered pages, in MB; 0 turns the cache off." },
	{ "comments", "policy", KEY_POLICY, OFF(policy), "name_email", 0, 0,
	  "Who may comment: anonymous (name and email optional), name_email "
	  "(both required), signin (signed-in readers only)." },
	{ "comments", "max_length", KEY_INT, OFF(max_length), "10000", 1,
	  100000, "Longest comment, in characters." },
	{ "comments", "depth", KEY_INT, OFF(depth), "5", 1, 20,
	  "Deepest reply level; deeper replies attach at this level." },
	{ "comments", "per_page", KEY_INT, OFF(per_page), "50", 1, 1000,
	  "Top-level comments per page, with all their replies." },
	{ "comments", "front_per_page", KEY_INT, OFF(front_per_page), "10", 1,
	  100, "Articles per page on the front page." },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static bool
key_apply(struct config *c, const struct key *k, const char *value,
	  struct buf *err)
{
	char *base = (char *)c + k->offset, *end;
	long v;

	switch (k->type) {
	case KEY_STR: {
		char **slot = (char **)(void *)base;
		char *copy = strdup(value);

		if (copy == NULL) {
			buf_seterr(err, "%s", "out of memory");
			return false;
		}
		free(*slot);
		*slot = copy;
		return true;
	}
	case KEY_INT:
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v < k->min || v > k->max) {
			buf_seterr(err, "%s.%s must be a number from %ld to %ld",
					 k->section, k->name, k->min, k->max);
			return false;
		}
		*(int *)(void *)base = (int)v;
		return true;
	case KEY_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1"))
			*(bool *)(void *)base = true;
		else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
			 !strcasecmp(value, "off") || !strcmp(value, "0"))
			*(bool *)(void *)base = false;
		else {
			buf_seterr(err, "%s.%s must be true or false",
					 k->section, k->name);
			return false;
		}
		return true;
	case KEY_POLICY:
		if (!strcmp(value, "anonymous"))
			c->policy = POLICY_ANONYMOUS;
		else if (!strcmp(value, "name_email"))
			c->policy = POLICY_NAME_EMAIL;
		else if (!strcmp(value, "signin"))
			c->policy = POLICY_SIGNIN;
		else {
			buf_seterr(err, "%s.%s must be anonymous, "
					 "name_email or signin",
					 k->section, k->name);
			return false;
		}
		return true;
	}
	return false;
}

void
config_defaults(struct config *c)
{
	struct buf err;
	size_t i;

	memset(c, 0, sizeof(*c));
	buf_init(&err, 256);
	for (i = 0; i < NKEYS; i++)
		if (!key_apply(c, &keys[i], keys[i].def, &err))
			abort();	/* a bad default is a programming error */
	buf_clear(&err);
}

bool
config_set(struct config *c, const char *section, const char *name,
	   const char *value, struct buf *err)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].section, section) &&
		    !strcmp(keys[i].name, name))
			return key_apply(c, &keys[i], value, err);
	buf_seterr(err, "unknown key %s.%s", section, name);
	return false;
}

struct load_state {
	struct config *c;
	struct buf *err;
	FILE *fp;
	int line;
};

/* Counts lines so errors can name them; inih 55 does not pass them. */
static char *
load_reader(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	char *r = fgets(str, num, st->fp);

	if (r != NULL)
		st->line++;
	return r;
}

static int
load_handler(void *user, const char *section, const char *name,
	     const char *value)
{
	struct load_state *st = user;

	if (st->err->len > 0)
		return 0;	/* report the first error only */
	return config_set(st->c, section, name, value, st->err) ? 1 : 0;
}

bool
config_load(struct config *c, const char *path, struct buf *err)
{
	struct load_state st = { c, err, NULL, 0 };
	struct buf msg;
	int rc;

	st.fp = fopen(path, "r");
	if (st.fp == NULL) {
		buf_seterr(err, "%s: cannot open", path);
		return false;
	}
	buf_init(&msg, 1024);
	st.err = &msg;
	rc = ini_parse_stream(load_reader, &st, load_handler, &st);
	fclose(st.fp);
	if (rc != 0) {
		buf_seterr(err, "%s:%d: %s", path, rc > 0 ? rc : st.line,
				 msg.len ? buf_cstr(&msg) : "syntax error");
		buf_clear(&msg);
		return false;
	}
	buf_clear(&msg);
	return true;
}

void
config_clear(struct config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == KEY_STR)
			free(*(char **)(void *)((char *)c + keys[i].offset));
	memset(c, 0, sizeof(*c));
}

void
config_print_reference(FILE *out)
{
	const char *section = "";
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
		}
		fprintf(out, "; %s\n%s = %s\n", keys[i].doc, keys[i].name,
			keys[i].def);
	}
}
