/*
 * config: one INI file, parsed once at start into an immutable struct.
 * Every key, its default and its documentation live in one table in
 * config.c; `parley config keys` prints it.
 */
#ifndef PARLEY_CONFIG_H
#define PARLEY_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"

enum comment_policy {
	POLICY_ANONYMOUS,	/* name and email optional */
	POLICY_NAME_EMAIL,	/* name and email required */
	POLICY_SIGNIN,		/* only signed-in readers */
};

struct config {
	/* [site] */
	char *site_title;
	char *site_tagline;
	char *base_url;		/* for absolute links; never from Host */
	char *templates_dir;	/* overrides, may be NULL */
	char *secret_file;	/* key for CSRF tokens and avatar hashes */
	/* [server] */
	char *listen;		/* "127.0.0.1:8080" or "[::1]:8080" */
	char *db;
	int threads;
	int max_connections;
	int per_ip_connections;
	int timeout;		/* seconds */
	bool access_log;
	char *trusted_proxies;	/* space-separated addresses, may be NULL */
	int page_cache_mb;
	/* [comments] */
	enum comment_policy policy;
	int max_length;		/* characters */
	int depth;
	int per_page;
	int front_per_page;
};

/* Sets every key to its default. */
void config_defaults(struct config *c);

/*
 * Reads path over the defaults.  On error returns false with
 * "FILE:LINE: message" in err.
 */
__attribute__((warn_unused_result)) bool
config_load(struct config *c, const char *path, struct buf *err);

/* Sets one key ("section.name") from a command-line option. */
__attribute__((warn_unused_result)) bool
config_set(struct config *c, const char *section, const char *name,
	   const char *value, struct buf *err);

void config_clear(struct config *c);

/* Writes every key with its default and documentation, as an INI file. */
void config_print_reference(FILE *out);

#endif
