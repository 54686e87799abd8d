#include "core/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/cidr.h"
#include "core/parse.h"

enum key_type {
	KEY_STR,
	KEY_INT,
	KEY_BOOL,
	KEY_POLICY,
	KEY_DELETE,
	KEY_MODERATION,
	KEY_NETWORKS,
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;
	long min, max; /* for KEY_INT */
	const char *doc;
};

#define OFF(f) offsetof(struct config, f)

/* THE table of configuration keys: default, range and documentation. */
static const struct key keys[] = {
    {"site", "title", KEY_STR, OFF(site_title), "Parley", 0, 0,
     "The site's name, shown in the header and in titles."},
    {"site", "tagline", KEY_STR, OFF(site_tagline), "Commentary and debate", 0,
     0, "A line under the site's name."},
    {"site", "base_url", KEY_STR, OFF(base_url), "", 0, 0,
     "The public address, e.g. https://example.org; used for absolute "
     "links. Empty: http://LISTEN. Links are never built from the "
     "request's Host header."},
    {"site", "templates", KEY_STR, OFF(templates_dir), "", 0, 0,
     "A folder whose NAME.html files replace the built-in templates."},
    {"site", "secret_file", KEY_STR, OFF(secret_file), "", 0, 0,
     "File holding the site's 32-byte secret key; created when missing. "
     "Empty: DB.secret beside a SQLite database; on PostgreSQL, kept in "
     "the database, shared by every node."},
    {"server", "listen", KEY_STR, OFF(listen), "127.0.0.1:8080", 0, 0,
     "Address and port to listen on; [::1]:8080 for IPv6."},
    {"server", "db", KEY_STR, OFF(db), "parley.db", 0, 0,
     "The SQLite database file; created when missing, unless its "
     "site's key is there without it (moved or deleted). Or a "
     "PostgreSQL connection string: postgresql://user@host/dbname, or "
     "key=value pairs. Empty stops the start."},
    {"server", "threads", KEY_INT, OFF(threads), "16", 1, 256,
     "Threads serving requests. A comment post waiting for its commit "
     "holds none (its connection is set aside), so any number of posts "
     "share one commit; about one thread a core is enough."},
    {"server", "max_connections", KEY_INT, OFF(max_connections), "4096", 16,
     1000000, "Open connections at most, in all."},
    {"server", "per_ip_connections", KEY_INT, OFF(per_ip_connections), "64", 1,
     100000,
     "Open connections at most from one address (an IPv6 /64 counts as "
     "one); behind a trusted proxy, requests at once from one reader."},
    {"server", "per_network_connections", KEY_INT, OFF(per_network_connections),
     "256", 1, 1000000,
     "Open connections at most from one network: an IPv4 /24 or an IPv6 "
     "/48."},
    {"server", "timeout", KEY_INT, OFF(timeout), "30", 1, 3600,
     "Seconds an idle connection is kept."},
    {"server", "header_timeout", KEY_INT, OFF(header_timeout), "10", 1, 3600,
     "Seconds a request's head (request line and headers) may take from "
     "its first byte; a slower one's connection is closed."},
    {"server", "body_min_rate", KEY_INT, OFF(body_min_rate), "1024", 1,
     1000000000,
     "Bytes a second a request body must average once header_timeout "
     "has passed since its head; a slower one's connection is closed."},
    {"server", "access_log", KEY_BOOL, OFF(access_log), "true", 0, 0,
     "One line per request on standard output."},
    {"server", "trusted_proxies", KEY_STR, OFF(trusted_proxies), "", 0, 0,
     "Addresses of reverse proxies whose X-Forwarded-For is believed, "
     "separated by spaces. Empty: the header is ignored."},
    {"server", "page_cache_mb", KEY_INT, OFF(page_cache_mb), "64", 0, 65536,
     "Memory for rendered pages, in MB; 0 turns the cache off."},
    {"server", "hash_workers", KEY_INT, OFF(hash_workers), "2", 1, 64,
     "Threads that check and make password hashes (64 MiB each); a "
     "request waiting for one holds no server thread."},
    {"server", "hash_queue", KEY_INT, OFF(hash_queue), "64", 1, 100000,
     "Requests waiting for a password hash at most; more get 503."},
    {"comments", "policy", KEY_POLICY, OFF(policy), "name_email", 0, 0,
     "Who may comment: anonymous (name and email optional), name_email "
     "(both required), signin (signed-in readers only)."},
    {"comments", "max_length", KEY_INT, OFF(max_length), "10000", 1, 100000,
     "Longest comment, in characters."},
    {"comments", "depth", KEY_INT, OFF(depth), "5", 1, 20,
     "Deepest reply level; deeper replies attach at this level."},
    {"comments", "per_page", KEY_INT, OFF(per_page), "50", 1, 1000,
     "Top-level comments per page, with all their replies."},
    {"comments", "edit_minutes", KEY_INT, OFF(edit_minutes), "10", 0, 10080,
     "Minutes after posting in which commenters may edit or remove their "
     "own comment (the same account, or for anonymous comments the same "
     "browser); 0 turns it off.  Signed-in commenters may remove theirs "
     "at any time."},
    {"comments", "front_per_page", KEY_INT, OFF(front_per_page), "10", 1, 100,
     "Articles per page on the front page."},
    {"comments", "posts_per_minute", KEY_INT, OFF(posts_per_minute), "2", 1,
     1000000,
     "Comments one address (see posts_ipv4_prefix), one account and one "
     "verified email may each post per minute, on average; more get 429 "
     "with Retry-After and the text kept."},
    {"comments", "posts_burst", KEY_INT, OFF(posts_burst), "5", 1, 1000000,
     "How many of those each may post at once."},
    {"comments", "posts_per_hour", KEY_INT, OFF(posts_per_hour), "30", 1,
     1000000, "How many of those each may post in an hour."},
    {"comments", "posts_ipv4_prefix", KEY_INT, OFF(posts_ipv4_prefix), "32", 8,
     32,
     "The IPv4 network the comment limits count as one address: 32, each "
     "address alone; 24, its /24."},
    {"comments", "posts_ipv6_prefix", KEY_INT, OFF(posts_ipv6_prefix), "64", 16,
     128,
     "The IPv6 network the comment limits count as one address: 64, one "
     "subscriber's /64."},
    {"comments", "thread_posts_per_minute", KEY_INT,
     OFF(thread_posts_per_minute), "60", 1, 1000000,
     "Comments one discussion (an article's or a debate's) takes per "
     "minute from everyone together: a pile-on gets 429, \"busy\"."},
    {"comments", "site_posts_per_minute", KEY_INT, OFF(site_posts_per_minute),
     "600", 1, 1000000,
     "Comments the whole site takes per minute, from every address "
     "together: a ceiling for many addresses at once."},
    {"comments", "min_fill_seconds", KEY_INT, OFF(min_fill_seconds), "3", 0,
     3600,
     "Seconds between showing a comment form and taking its post; sooner "
     "gets 422 with the text kept. 0 turns the check off."},
    {"comments", "duplicate_minutes", KEY_INT, OFF(duplicate_minutes), "10", 0,
     10080,
     "The same text from the same email, account or address within this "
     "many minutes is refused (422, \"You already said that\"). 0 turns "
     "the check off."},
    {"comments", "moderation", KEY_MODERATION, OFF(moderation), "open", 0, 0,
     "Which new comments wait for a moderator: open (none, unless a "
     "rule of [moderation] holds them), first (a commenter's comments "
     "until one is approved; commenters are known by their account, so "
     "anonymous comments always wait), hold (every comment)."},
    {"moderation", "max_links", KEY_INT, OFF(max_links), "2", 0, 1000,
     "A comment with more links than this waits for a moderator."},
    {"moderation", "hold_words", KEY_STR, OFF(hold_words), "", 0, 0,
     "Words and phrases, separated by commas, that make a comment wait "
     "for a moderator (in its text, name, email or website; any case; "
     "whole words)."},
    {"moderation", "refuse_words", KEY_STR, OFF(refuse_words), "", 0, 0,
     "Words and phrases, separated by commas, that refuse a comment: "
     "the form comes back (422) with the text kept."},
    {"moderation", "blocked_emails", KEY_STR, OFF(blocked_emails), "", 0, 0,
     "Email addresses, separated by spaces or commas, whose comments go "
     "to spam."},
    {"moderation", "blocked_domains", KEY_STR, OFF(blocked_domains), "", 0, 0,
     "Email domains (example.com, and its subdomains) whose comments go "
     "to spam."},
    {"moderation", "blocked_networks", KEY_NETWORKS, OFF(blocked_networks), "",
     0, 0,
     "Addresses and networks (192.0.2.0/24, 2001:db8::/32), separated by "
     "spaces or commas, whose comments go to spam."},
    {"moderation", "blocked_accounts", KEY_STR, OFF(blocked_accounts), "", 0, 0,
     "Account ids, separated by spaces or commas, whose comments go to "
     "spam."},
    {"moderation", "spam_percent", KEY_INT, OFF(spam_percent), "90", 1, 101,
     "A comment the spam classifier scores at or above this (in percent) "
     "goes to spam; 101: never. Scored only once a model is trained "
     "(parley spam train)."},
    {"moderation", "hold_percent", KEY_INT, OFF(hold_percent), "50", 1, 101,
     "A comment scored at or above this (and below spam_percent) waits "
     "for a moderator; 101: never."},
    {"moderation", "purge_days", KEY_INT, OFF(purge_days), "30", 0, 36500,
     "parley comments purge deletes spam and trash older than this many "
     "days."},
    {"moderation", "flags_to_hold", KEY_INT, OFF(flags_to_hold), "3", 1, 1000,
     "Readers (each counted once, by account or browser) whose open flags "
     "hold an approved comment for review: it goes back to pending, its "
     "reason naming the flags, until a moderator decides."},
    {"moderation", "flags_per_comment", KEY_INT, OFF(flags_per_comment), "50",
     1, 10000,
     "Flags a comment keeps at most, open and resolved together (never "
     "fewer than flags_to_hold); more are thanked and not stored."},
    {"moderation", "flags_per_minute", KEY_INT, OFF(flags_per_minute), "2", 1,
     1000000,
     "Flags one address (an IPv4 address, an IPv6 /64) and one account may "
     "each send per minute, on average; more get 429 with Retry-After and "
     "the note kept."},
    {"moderation", "flags_burst", KEY_INT, OFF(flags_burst), "5", 1, 1000000,
     "How many of those each may send at once."},
    {"moderation", "flags_per_hour", KEY_INT, OFF(flags_per_hour), "20", 1,
     1000000, "How many of those each may send in an hour."},
    {"moderation", "site_flags_per_minute", KEY_INT, OFF(site_flags_per_minute),
     "120", 1, 1000000,
     "Flags the whole site takes per minute, from every address together."},
    {"accounts", "signup", KEY_BOOL, OFF(signup), "true", 0, 0,
     "Readers may create password accounts."},
    {"accounts", "session_days", KEY_INT, OFF(session_days), "30", 1, 365,
     "Days a sign-in lasts."},
    {"accounts", "on_delete", KEY_DELETE, OFF(on_delete), "anonymise", 0, 0,
     "What deleting an account does to its comments: anonymise (kept, "
     "without name or email) or remove (their text is removed too)."},
    {"accounts", "signin_per_address", KEY_INT, OFF(signin_per_address), "20",
     1, 100000,
     "Password checks (sign-in, sign-up, password changes, deletion) "
     "from one address (an IPv6 /64) per 15 minutes; more get 429 with "
     "Retry-After."},
    {"accounts", "signin_per_account", KEY_INT, OFF(signin_per_account), "5", 1,
     100000,
     "Failed sign-ins for one account from one address before each "
     "further try waits, twice as long each time. From all addresses "
     "together, four times as many (a browser that signed in to the "
     "account before is not held up by either)."},
    {"accounts", "signin_wait_max", KEY_INT, OFF(signin_wait_max), "900", 1,
     86400, "The longest wait after failed sign-ins, in seconds."},
    {"accounts", "mail_per_address", KEY_INT, OFF(mail_per_address), "10", 1,
     100000,
     "Emails (links to confirm, reset, link) that one address may have "
     "sent per hour."},
    {"accounts", "mail_per_recipient", KEY_INT, OFF(mail_per_recipient), "3", 1,
     100000, "Emails to one address or account per hour."},
    {"accounts", "mail_per_hour", KEY_INT, OFF(mail_per_hour), "1000", 1,
     10000000, "Emails of accounts per hour, all told."},
    {"accounts", "external_per_address", KEY_INT, OFF(external_per_address),
     "30", 1, 100000,
     "External sign-ins one address may begin per 10 minutes."},
    {"accounts", "external_total", KEY_INT, OFF(external_total), "3000", 1,
     10000000, "External sign-ins begun per 10 minutes, all told."},
    {"accounts", "profile_roles", KEY_BOOL, OFF(profile_roles), "false", 0, 0,
     "Public profiles show a moderator's, editor's or admin's role."},
    {"mail", "smtp_url", KEY_STR, OFF(smtp_url), "", 0, 0,
     "SMTP server, e.g. smtps://mail.example.org:465 or "
     "smtp://127.0.0.1:25. Empty: emails are written to the log."},
    {"mail", "from", KEY_STR, OFF(mail_from), "", 0, 0,
     "Sender address. Empty: parley@ the base_url's host."},
    {"mail", "user", KEY_STR, OFF(smtp_user), "", 0, 0,
     "SMTP user name, when the server wants one."},
    {"mail", "password", KEY_STR, OFF(smtp_password), "", 0, 0,
     "SMTP password."},
    {"mail", "retry_seconds", KEY_INT, OFF(mail_retry_seconds), "60", 1, 86400,
     "Wait before a failed email is tried again; doubles after "
     "each failure, at most 6 hours."},
    {"mail", "max_attempts", KEY_INT, OFF(mail_max_attempts), "12", 1, 100,
     "Tries before an email is given up."},
    {"debates", "results_always", KEY_BOOL, OFF(results_always), "false", 0, 0,
     "Show a debate's results to every reader. false: only to "
     "readers who have voted, and to everyone once voting closes."},
    {"debates", "votes_per_minute", KEY_INT, OFF(votes_per_minute), "6", 1,
     1000000,
     "Votes and \"changed my mind\" marks one network (see "
     "votes_ipv4_prefix) may send per minute, on average; more get 429."},
    {"debates", "votes_burst", KEY_INT, OFF(votes_burst), "20", 1, 1000000,
     "How many of those one network may send at once."},
    {"debates", "votes_per_hour", KEY_INT, OFF(votes_per_hour), "60", 1,
     1000000,
     "How many of those one network may send in an hour: fresh "
     "cookies make new voters, so this bounds what one network weighs."},
    {"debates", "votes_ipv4_prefix", KEY_INT, OFF(votes_ipv4_prefix), "24", 8,
     32,
     "The IPv4 network the vote limits count together, as a prefix "
     "length: 24 counts 192.0.2.0 to 192.0.2.255 as one; 32, each "
     "address alone."},
    {"debates", "votes_ipv6_prefix", KEY_INT, OFF(votes_ipv6_prefix), "64", 16,
     128,
     "The IPv6 network the vote limits count together: 64, one "
     "subscriber's /64."},
};

/* The keys of an [oidc.NAME] section. */
struct provider_key {
	const char *name;
	size_t offset;
	const char *doc;
};

#define POFF(f) offsetof(struct config_provider, f)

static const struct provider_key provider_keys[] = {
    {"preset", POFF(preset),
     "google, microsoft, gitlab (OpenID Connect) "
     "or github, wordpress (OAuth 2); fills in the addresses below"},
    {"label", POFF(label), "shown as \"Sign in with LABEL\""},
    {"issuer", POFF(issuer),
     "the OpenID Connect issuer URL (discovery "
     "at ISSUER/.well-known/openid-configuration)"},
    {"client_id", POFF(client_id), "from the provider (required)"},
    {"client_secret", POFF(client_secret), "from the provider"},
    {"scopes", POFF(scopes), "default: openid email profile"},
    {"authorize_url", POFF(authorize_url),
     "OAuth 2: authorization "
     "endpoint (presets set it)"},
    {"token_url", POFF(token_url), "OAuth 2: token endpoint"},
    {"userinfo_url", POFF(userinfo_url), "OAuth 2: the user endpoint"},
    {"emails_url", POFF(emails_url),
     "OAuth 2: GitHub's email list "
     "endpoint"},
};

#define NPKEYS (sizeof(provider_keys) / sizeof(provider_keys[0]))

bool
config_url_allowed(const char *url)
{
	const char *host, *end;
	size_t n;

	if (strncmp(url, "https://", 8) == 0)
		return url[8] != '\0' && url[8] != '/';
	if (strncmp(url, "http://", 7) != 0)
		return false;
	/* Plain http only to this machine (tests, a local provider). */
	host = url + 7;
	end = host + strcspn(host, "/?#");
	n = (size_t)(end - host);
	if (n >= 9 && strncmp(host, "127.", 4) == 0)
		return strspn(host, "0123456789.:") == n;
	if (n >= 5 && strncmp(host, "[::1]", 5) == 0)
		return n == 5 || host[5] == ':';
	if (n >= 9 && strncmp(host, "localhost", 9) == 0)
		return n == 9 || host[9] == ':';
	return false;
}

static bool
provider_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 32 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Sets a key of [oidc.NAME], making the provider on its first key. */
static bool
provider_set(struct config *c, const char *name, const char *key,
	     const char *value, struct buf *err)
{
	struct config_provider *p = NULL;
	char **slot, *copy;
	size_t i;
	int j;

	if (!provider_name_valid(name)) {
		buf_seterr(err,
			   "[oidc.%s]: a provider's name is 1 to 32 of "
			   "a-z, 0-9, _ and -",
			   name);
		return false;
	}
	for (i = 0; i < NPKEYS; i++)
		if (strcmp(provider_keys[i].name, key) == 0)
			break;
	if (i == NPKEYS) {
		buf_seterr(err, "unknown key oidc.%s.%s", name, key);
		return false;
	}
	for (j = 0; j < c->nproviders; j++)
		if (strcmp(c->providers[j].name, name) == 0)
			p = &c->providers[j];
	if (p == NULL) {
		if (c->nproviders == CONFIG_PROVIDERS) {
			buf_seterr(err, "at most %d [oidc.NAME] sections",
				   CONFIG_PROVIDERS);
			return false;
		}
		p = &c->providers[c->nproviders];
		memset(p, 0, sizeof(*p));
		if ((p->name = strdup(name)) == NULL) {
			buf_seterr(err, "%s", "out of memory");
			return false;
		}
		c->nproviders++;
	}
	if (strstr(key, "_url") || strcmp(key, "issuer") == 0) {
		if (!config_url_allowed(value)) {
			buf_seterr(err,
				   "oidc.%s.%s must be an https:// URL "
				   "(http:// only to 127.0.0.1, [::1] or "
				   "localhost)",
				   name, key);
			return false;
		}
	}
	slot = (char **)(void *)((char *)p + provider_keys[i].offset);
	if ((copy = strdup(value)) == NULL) {
		buf_seterr(err, "%s", "out of memory");
		return false;
	}
	free(*slot);
	*slot = copy;
	return true;
}

static void
provider_free(struct config_provider *p)
{
	size_t i;

	free(p->name);
	for (i = 0; i < NPKEYS; i++)
		free(*(char **)(void *)((char *)p + provider_keys[i].offset));
	memset(p, 0, sizeof(*p));
}

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static bool
key_apply(struct config *c, const struct key *k, const char *value,
	  struct buf *err)
{
	char *base = (char *)c + k->offset;
	int64_t v;

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
		if (!parse_int_str(value, k->min, k->max, &v)) {
			buf_seterr(err,
				   "%s.%s must be a number from %ld to %ld",
				   k->section, k->name, k->min, k->max);
			return false;
		}
		*(int *)(void *)base = (int)v;
		return true;
	case KEY_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1"))
			*(bool *)(void *)base = true;
		else if (!strcasecmp(value, "false") ||
			 !strcasecmp(value, "no") ||
			 !strcasecmp(value, "off") || !strcmp(value, "0"))
			*(bool *)(void *)base = false;
		else {
			buf_seterr(err, "%s.%s must be true or false",
				   k->section, k->name);
			return false;
		}
		return true;
	case KEY_DELETE:
		if (!strcmp(value, "anonymise") || !strcmp(value, "anonymize"))
			c->on_delete = DELETE_ANONYMISE;
		else if (!strcmp(value, "remove"))
			c->on_delete = DELETE_REMOVE;
		else {
			buf_seterr(err, "%s.%s must be anonymise or remove",
				   k->section, k->name);
			return false;
		}
		return true;
	case KEY_MODERATION:
		if (!strcmp(value, "open"))
			c->moderation = MODERATION_OPEN;
		else if (!strcmp(value, "first"))
			c->moderation = MODERATION_FIRST;
		else if (!strcmp(value, "hold"))
			c->moderation = MODERATION_HOLD;
		else {
			buf_seterr(err, "%s.%s must be open, first or hold",
				   k->section, k->name);
			return false;
		}
		return true;
	case KEY_NETWORKS: {
		char **slot = (char **)(void *)base;
		struct buf why;
		char *copy;

		buf_init(&why, 128);
		if (!cidr_list_valid(value, &why)) {
			buf_seterr(err, "%s.%s: %s", k->section, k->name,
				   buf_cstr(&why));
			buf_clear(&why);
			return false;
		}
		buf_clear(&why);
		if ((copy = strdup(value)) == NULL) {
			buf_seterr(err, "%s", "out of memory");
			return false;
		}
		free(*slot);
		*slot = copy;
		return true;
	}
	case KEY_POLICY:
		if (!strcmp(value, "anonymous"))
			c->policy = POLICY_ANONYMOUS;
		else if (!strcmp(value, "name_email"))
			c->policy = POLICY_NAME_EMAIL;
		else if (!strcmp(value, "signin"))
			c->policy = POLICY_SIGNIN;
		else {
			buf_seterr(err,
				   "%s.%s must be anonymous, "
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
			abort(); /* a bad default is a programming error */
	buf_clear(&err);
}

bool
config_set(struct config *c, const char *section, const char *name,
	   const char *value, struct buf *err)
{
	size_t i;

	if (strncmp(section, "oidc.", 5) == 0)
		return provider_set(c, section + 5, name, value, err);
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
	const char *next, *end; /* the file's text not yet handed to inih */
	int line;
	int err_line;  /* the line of the handler's error, if any */
	int long_line; /* the first line too long for inih, if any */
	int max_line;  /* the longest line inih takes, newline aside */
};

/*
 * Hands inih the file line by line from memory, counting lines so errors
 * can name them (inih 55 does not pass them).  A line too long for inih's
 * buffer would reach it in pieces and be reported as a syntax error on a
 * later line: it ends the reading instead, and is reported as too long.
 */
static char *
load_reader(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	const char *eol;
	size_t len;

	if (st->next >= st->end || st->long_line)
		return NULL;
	eol = memchr(st->next, '\n', (size_t)(st->end - st->next));
	len = eol ? (size_t)(eol - st->next) + 1 : (size_t)(st->end - st->next);
	st->line++;
	if (num < 2 || len > (size_t)num - 1) {
		st->long_line = st->line;
		st->max_line = num - 2;
		return NULL;
	}
	memcpy(str, st->next, len);
	str[len] = '\0';
	st->next += len;
	return str;
}

static int
load_handler(void *user, const char *section, const char *name,
	     const char *value)
{
	struct load_state *st = user;

	if (st->err->len > 0)
		return 0; /* report the first error only */
	if (config_set(st->c, section, name, value, st->err))
		return 1;
	st->err_line = st->line;
	return 0;
}

/*
 * Reads the whole of a config file, which must be a regular file of text:
 * a folder, a device or a file holding NUL bytes is an error, not an
 * empty configuration.
 */
static char *
load_text(const char *path, size_t *len, struct buf *err)
{
	struct stat sb;
	char *text = NULL;
	FILE *fp = fopen(path, "rb");
	const char *nul;

	if (fp == NULL) {
		buf_seterr(err, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		buf_seterr(err, "%s: not a file", path);
		goto out;
	}
	if (sb.st_size > CONFIG_MAX_BYTES) {
		buf_seterr(err, "%s: larger than %d bytes", path,
			   CONFIG_MAX_BYTES);
		goto out;
	}
	text = malloc((size_t)sb.st_size + 1);
	if (text == NULL) {
		buf_seterr(err, "%s: out of memory", path);
		goto out;
	}
	*len = fread(text, 1, (size_t)sb.st_size, fp);
	if (ferror(fp)) {
		buf_seterr(err, "%s: cannot read: %s", path, strerror(errno));
		free(text);
		text = NULL;
		goto out;
	}
	text[*len] = '\0';
	nul = memchr(text, '\0', *len);
	if (nul != NULL) {
		int line = 1;
		const char *p;

		for (p = text; p < nul; p++)
			line += *p == '\n';
		buf_seterr(err, "%s:%d: a NUL byte: not a text file", path,
			   line);
		free(text);
		text = NULL;
	}
out:
	fclose(fp);
	return text;
}

bool
config_load(struct config *c, const char *path, struct buf *err)
{
	struct load_state st = {c, err, NULL, NULL, 0, 0, 0, 0};
	struct buf msg;
	size_t len = 0;
	char *text = load_text(path, &len, err);
	int rc, i;

	if (text == NULL)
		return false;
	st.next = text;
	st.end = text + len;
	buf_init(&msg, 1024);
	st.err = &msg;
	rc = ini_parse_stream(load_reader, &st, load_handler, &st);
	free(text);
	if (st.long_line && (rc == 0 || rc >= st.long_line)) {
		buf_seterr(err, "%s:%d: a line longer than %d characters", path,
			   st.long_line, st.max_line);
		buf_clear(&msg);
		return false;
	}
	if (rc != 0) {
		/* Our message only if inih's first bad line was a key's. */
		bool ours = msg.len > 0 && st.err_line == rc;

		buf_seterr(err, "%s:%d: %s", path, rc > 0 ? rc : st.line,
			   ours ? buf_cstr(&msg) : "syntax error");
		buf_clear(&msg);
		return false;
	}
	buf_clear(&msg);
	for (i = 0; i < c->nproviders; i++) {
		const struct config_provider *p = &c->providers[i];

		if (p->client_id == NULL ||
		    (p->issuer == NULL && p->preset == NULL &&
		     p->authorize_url == NULL)) {
			buf_seterr(err,
				   "%s: [oidc.%s] needs client_id, and "
				   "issuer or preset",
				   path, p->name);
			return false;
		}
	}
	return true;
}

void
config_clear(struct config *c)
{
	size_t i;

	int j;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == KEY_STR || keys[i].type == KEY_NETWORKS)
			free(*(char **)(void *)((char *)c + keys[i].offset));
	for (j = 0; j < c->nproviders; j++)
		provider_free(&c->providers[j]);
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
	fprintf(out, "\n; External sign-in: one section per provider, any "
		     "number; NAME appears in\n; the callback address "
		     "BASE_URL/auth/NAME/callback.\n;[oidc.NAME]\n");
	for (i = 0; i < NPKEYS; i++)
		fprintf(out, ";%s =   ; %s\n", provider_keys[i].name,
			provider_keys[i].doc);
}
