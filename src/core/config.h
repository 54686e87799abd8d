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
/* A config file larger than this is refused unread. */
#define CONFIG_MAX_BYTES (1024 * 1024)

enum account_delete { DELETE_ANONYMISE, DELETE_REMOVE };

/* Which new comments wait for a moderator. */
enum moderation_policy {
	MODERATION_OPEN,  /* shown at once, unless a rule holds them */
	MODERATION_FIRST, /* held until one of the commenter's is approved */
	MODERATION_HOLD,  /* every comment held */
};

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
	int per_ip_connections;	     /* an IPv4 address, an IPv6 /64 */
	int per_network_connections; /* an IPv4 /24, an IPv6 /48 */
	int timeout;		     /* seconds idle */
	int header_timeout;	     /* seconds for a request head */
	int body_min_rate;	     /* body bytes a second, at least */
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
	int edit_minutes;      /* a commenter may change theirs; 0: never */
	int posts_per_minute;  /* per address, account, verified email */
	int posts_burst;       /* ... at once */
	int posts_per_hour;    /* ... in an hour */
	int posts_ipv4_prefix; /* the network one address is: a /32 */
	int posts_ipv6_prefix; /* ... and a /64 */
	int thread_posts_per_minute; /* on one discussion, from everyone */
	int site_posts_per_minute;   /* on the whole site */
	int min_fill_seconds;	     /* between showing a form and its post */
	int duplicate_minutes;	     /* the same text refused again */
	enum moderation_policy moderation;
	/* [moderation]: the rules every new comment meets (model/rules.c) */
	int max_links;	       /* more links than this hold a comment */
	char *hold_words;      /* comma-separated words and phrases that hold */
	char *refuse_words;    /* ... that refuse it (422, text kept) */
	char *blocked_emails;  /* addresses, separated by spaces or commas */
	char *blocked_domains; /* email domains */
	char *blocked_networks;	   /* addresses and CIDR networks */
	char *blocked_accounts;	   /* user ids */
	int spam_percent;	   /* a score at or above it: spam */
	int hold_percent;	   /* ... at or above it: held */
	int purge_days;		   /* spam and trash kept at least this long */
	int flags_to_hold;	   /* readers' flags that hold a comment */
	int flags_per_comment;	   /* flags a comment keeps at most */
	int flags_per_minute;	   /* per address and account, on average */
	int flags_burst;	   /* ... at once */
	int flags_per_hour;	   /* ... in an hour */
	int site_flags_per_minute; /* from everyone together */
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
