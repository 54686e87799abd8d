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
	POLICY_ANONYMOUS,  /* name and email optional */
	POLICY_NAME_EMAIL, /* name and email required */
	POLICY_SIGNIN,	   /* only signed-in readers */
};

/* One [oidc.NAME] section: an external sign-in provider. */
struct config_provider {
	char *name;   /* NAME: [a-z0-9_-], in URLs /auth/NAME/... */
	char *preset; /* google, microsoft, gitlab, github, wordpress */
	char *label;  /* "Sign in with LABEL" */
	char *issuer; /* OpenID Connect: the issuer URL */
	char *client_id;
	char *client_secret;
	char *scopes;
	/* OAuth 2 providers (and overrides of a preset's endpoints). */
	char *authorize_url;
	char *token_url;
	char *userinfo_url;
	char *emails_url;
};

#define CONFIG_PROVIDERS 16

enum account_delete { DELETE_ANONYMISE, DELETE_REMOVE };

struct config {
	/* [site] */
	char *site_title;
	char *site_tagline;
	char *base_url;	     /* for absolute links; never from Host */
	char *templates_dir; /* overrides, may be NULL */
	char *secret_file;   /* key for CSRF tokens and avatar hashes */
	/* [server] */
	char *listen; /* "127.0.0.1:8080" or "[::1]:8080" */
	char *db;
	int threads;
	int max_connections;
	int per_ip_connections;
	int timeout; /* seconds */
	bool access_log;
	char *trusted_proxies; /* space-separated addresses, may be NULL */
	int page_cache_mb;
	int hash_workers; /* threads that hash passwords */
	int hash_queue;	  /* requests waiting for them at most */
	/* [comments] */
	enum comment_policy policy;
	int max_length; /* characters */
	int depth;
	int per_page;
	int front_per_page;
	/* [accounts] */
	bool signup; /* password sign-ups open */
	int session_days;
	int on_delete;		/* enum account_delete */
	int signin_per_address; /* password checks per 15 minutes */
	int signin_per_account; /* failures before the waits begin */
	int signin_wait_max;	/* seconds: the longest wait */
	int mail_per_address;	/* emails asked for per hour */
	int mail_per_recipient; /* emails to one address or account per hour */
	int mail_per_hour;	/* emails, all told */
	int external_per_address; /* external sign-ins begun per 10 minutes */
	int external_total;
	bool profile_roles; /* profiles show staff roles */
	/* [mail] */
	char *smtp_url; /* "" : mail is written to the log */
	char *mail_from;
	char *smtp_user;
	char *smtp_password;
	int mail_retry_seconds; /* first retry; doubles each time */
	int mail_max_attempts;
	/* [debates] */
	bool results_always;   /* results shown before a reader votes */
	int votes_per_minute;  /* votes and marks per address, on average */
	int votes_burst;       /* ... and at once */
	int votes_per_hour;    /* ... and in an hour */
	int votes_ipv4_prefix; /* the network one limit covers: a /24 */
	int votes_ipv6_prefix; /* ... and a /64 */
	/* [oidc.NAME] sections */
	struct config_provider providers[CONFIG_PROVIDERS];
	int nproviders;
};

/* True when url may be fetched: https, or http to a loopback address. */
bool config_url_allowed(const char *url);

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
