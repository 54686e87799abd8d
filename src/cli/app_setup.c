/* app_setup: configuration, secret, store, templates: once, at start. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/change.h"
#include "core/fetch.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "jobs/mail.h"
#include "jobs/spam_train.h"
#include "model/oidc.h"
#include "http/cache.h"
#include "http/workers.h"
#include "model/comment_limits.h"
#include "model/debate.h"
#include "model/flag.h"
#include "model/limits_shared.h"
#include "model/site_key.h"
#include "model/spam_live.h"
#include "model/throttle.h"
#include "render/template.h"
#include "store/store.h"
#include "web/moderate.h"
#include "web/web.h"

/* Options of one command, left in argv for it to read (cli/comments.c). */
static bool
command_option(const char *arg)
{
	static const char *const known[] = {"--status", "--days", "--reason",
					    "--limit",	"--from", "--to"};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(arg, known[i]) == 0)
			return true;
	return false;
}

bool
cli_parse(int argc, char **argv, struct cli_opts *o)
{
	int i, out = 0;

	memset(o, 0, sizeof(*o));
	o->argv = calloc((size_t)argc + 1, sizeof(char *));
	if (o->argv == NULL)
		return false;
	for (i = 1; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--config") == 0)
			slot = &o->config;
		else if (strcmp(argv[i], "--db") == 0)
			slot = &o->db;
		else if (strcmp(argv[i], "--listen") == 0)
			slot = &o->listen;
		if (slot == NULL) {
			if (strncmp(argv[i], "--", 2) == 0 &&
			    argv[i][2] != '\0' && !command_option(argv[i])) {
				fprintf(
				    stderr,
				    "parley: unknown option %s (see parley help)\n",
				    argv[i]);
				return false;
			}
			o->argv[out++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || argv[i + 1][0] == '\0') {
			fprintf(stderr, "parley: %s needs a value\n", argv[i]);
			return false;
		}
		*slot = argv[++i];
	}
	o->argc = out;
	return true;
}

const char *
cli_take_option(struct cli_opts *o, const char *name, bool *bad)
{
	const char *v = NULL;
	int i, j;

	for (i = 1; i < o->argc; i++) {
		if (strcmp(o->argv[i], name) != 0)
			continue;
		if (i + 1 >= o->argc) {
			*bad = true;
			return NULL;
		}
		v = o->argv[i + 1];
		for (j = i; j + 2 <= o->argc; j++)
			o->argv[j] = o->argv[j + 2];
		o->argc -= 2;
		break;
	}
	return v;
}

char *
cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;

	if (f == NULL)
		return NULL;
	data = malloc(max + 1);
	if (data == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(data, 1, max + 1, f);
	if (ferror(f) || n > max) {
		errno = ferror(f) ? EIO : EFBIG;
		fclose(f);
		free(data);
		return NULL;
	}
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
}

/* Reads the site secret, or makes one (mode 0600) when there is none. */
static bool
load_secret(struct app *app)
{
	const char *path = app->cfg.secret_file;
	char fallback[4096];
	size_t n;
	char *data;
	int fd;

	if (path == NULL || path[0] == '\0') {
		snprintf(fallback, sizeof(fallback), "%s.secret", app->cfg.db);
		path = fallback;
	}
	data = cli_read_file(path, 256, &n);
	if (data != NULL) {
		bool ok = n >= APP_SECRET_BYTES;

		if (ok)
			memcpy(app->secret, data, APP_SECRET_BYTES);
		else
			fprintf(stderr,
				"parley: %s: too short for a secret key\n",
				path);
		sodium_memzero(data, n);
		free(data);
		return ok;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "parley: %s: %s\n", path, strerror(errno));
		return false;
	}
	randombytes_buf(app->secret, sizeof(app->secret));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 ||
	    write(fd, app->secret, sizeof(app->secret)) !=
		(ssize_t)sizeof(app->secret) ||
	    fsync(fd) != 0) {
		fprintf(stderr, "parley: cannot write the secret key %s: %s\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

/*
 * A database that is missing where its site's key is found was moved or
 * deleted: making an empty one there would serve an empty site over it.
 * Only the default key beside the database tells; a new site has none.
 */
static bool
database_not_lost(const struct app *app)
{
	char key[4096];
	struct stat sb;

	if ((app->cfg.secret_file && app->cfg.secret_file[0] != '\0') ||
	    stat(app->cfg.db, &sb) == 0 || errno != ENOENT)
		return true;
	snprintf(key, sizeof(key), "%s.secret", app->cfg.db);
	if (stat(key, &sb) != 0)
		return true;
	fprintf(stderr,
		"parley: database %s is missing, but its site's key %s is"
		" there: was the database moved or deleted?  Put it back"
		" (or give its new place with --db); to start a new site"
		" here instead, remove %s\n",
		app->cfg.db, key, key);
	return false;
}

/*
 * Whether a PostgreSQL connection string carries a password: a URI's
 * user:password@ or a password= pair.
 */
bool
cli_conninfo_has_password(const char *db)
{
	const char *at, *colon, *auth;

	if (strstr(db, "password=") != NULL)
		return true;
	if ((auth = strstr(db, "://")) == NULL)
		return false;
	auth += 3;
	at = strchr(auth, '@');
	colon = strchr(auth, ':');
	return at != NULL && colon != NULL && colon < at;
}

/* db as it may be shown in a message: a password replaced by "***". */
static const char *
conninfo_shown(const char *db, char *out, size_t n)
{
	const char *auth = strstr(db, "://"), *at, *colon;

	if (!store_is_postgres(db) || !cli_conninfo_has_password(db) ||
	    auth == NULL)
		return store_is_postgres(db) && cli_conninfo_has_password(db)
			   ? "(a PostgreSQL database)"
			   : db;
	at = strchr(auth + 3, '@');
	colon = strchr(auth + 3, ':');
	snprintf(out, n, "%.*s:***%s", (int)(colon - db), db, at);
	return out;
}

bool
cli_app_open(struct app *app, const struct cli_opts *o, bool serving)
{
	const char *check;
	char shown[512];
	struct buf err;

	memset(app, 0, sizeof(*app));
	config_defaults(&app->cfg);
	buf_init(&err, 1024);
	if (sodium_init() < 0) {
		fprintf(stderr, "parley: libsodium failed to start\n");
		goto fail;
	}
	if ((o->config && !config_load(&app->cfg, o->config, &err)) ||
	    (o->db && !config_set(&app->cfg, "server", "db", o->db, &err)) ||
	    (o->listen &&
	     !config_set(&app->cfg, "server", "listen", o->listen, &err))) {
		fprintf(stderr, "parley: %s\n", buf_cstr(&err));
		goto fail;
	}
	if (app->cfg.base_url[0])
		snprintf(app->base_url, sizeof(app->base_url), "%s",
			 app->cfg.base_url);
	else
		snprintf(app->base_url, sizeof(app->base_url), "http://%s",
			 app->cfg.listen);
	if (app->cfg.db == NULL || app->cfg.db[0] == '\0') {
		fprintf(stderr, "parley: no database named ([server] db or"
				" --db is empty)\n");
		goto fail;
	}
	if (o->db && store_is_postgres(o->db) &&
	    cli_conninfo_has_password(o->db)) {
		fprintf(stderr,
			"parley: --db carries a password, which other users of"
			" this machine can read on the command line: put the"
			" connection string in the config file ([server] db)"
			" or the password in PGPASSFILE\n");
		goto fail;
	}
	if (!store_is_postgres(app->cfg.db) &&
	    (!database_not_lost(app) || !load_secret(app)))
		goto fail;
	app->store = store_open(app->cfg.db, &err);
	if (app->store == NULL) {
		fprintf(stderr, "parley: database %s: %s\n",
			conninfo_shown(app->cfg.db, shown, sizeof(shown)),
			buf_cstr(&err));
		goto fail;
	}
	/* Several nodes share one key: a file names it, or the database
	 * keeps it. */
	if (store_is_postgres(app->cfg.db)) {
		if (app->cfg.secret_file && app->cfg.secret_file[0] != '\0') {
			if (!load_secret(app))
				goto fail;
		} else if (site_key_load(app->store, app->secret,
					 sizeof(app->secret)) != ERR_OK) {
			fprintf(stderr, "parley: cannot read or store the"
					" site's key in the database\n");
			goto fail;
		}
	}
	/* What sign-ins, emails and external sign-ins may cost. */
	app->throttle = throttle_new(&app->cfg);
	/* Moderation actions (web/moderate.c). */
	app->limit_moderation =
	    ratelimit_new("moderation", MODERATE_BURST, MODERATE_RATE, 1024);
	app->limit_moderation_all = ratelimit_new(
	    "moderation_all", MODERATE_BURST_ALL, MODERATE_RATE_ALL, 1);
	if (app->throttle == NULL || app->limit_moderation == NULL ||
	    app->limit_moderation_all == NULL || !fetch_global_init())
		goto fail;
	app->fetch_ready = true;
	if (!oidc_registry_open(app, &err)) {
		fprintf(stderr, "parley: %s\n", buf_cstr(&err));
		goto fail;
	}
	/* Even the CLI invalidates pages: a cache of 0 bytes costs nothing. */
	app->cache = page_cache_new(
	    serving ? (size_t)app->cfg.page_cache_mb * 1024 * 1024 : 0);
	if (app->cache == NULL)
		goto fail;
	app->routes = &web_routes;
	/* Writers publish what they changed; the cache drops those pages. */
	app->changes = change_bus_new();
	if (app->changes == NULL ||
	    !change_subscribe(app->changes, page_cache_on_change, app->cache))
		goto fail;
	if (serving) {
		/* Vote rate limits and refusal counts (model/debate.c). */
		app->debates = debate_runtime_new(&app->cfg);
		/* Readers' votes, remembered in a table of fixed size. */
		app->voters = debate_voters_new();
		/* Comment post budgets, in tables of fixed size. */
		app->comment_limits = comment_limits_new(&app->cfg);
		/* Readers' flag budgets, in tables of fixed size too. */
		app->flag_limits = flag_limits_new(&app->cfg);
		if (app->debates == NULL || app->voters == NULL ||
		    app->comment_limits == NULL || app->flag_limits == NULL)
			goto fail;
		/* Kept with the pages: none with the cache off. */
		if (app->cfg.page_cache_mb > 0 &&
		    (app->parts = part_memo_new()) == NULL)
			goto fail;
		/* The spam model new comments are scored with. */
		if ((app->spam = spam_live_new()) == NULL ||
		    spam_live_load(app->spam, app) != ERR_OK)
			goto fail;
		/* Another process's writes (the CLI) drop every cached page. */
		app->store->changed_arg = app->cache;
		app->store->changed_elsewhere = page_cache_flush;
		/* Rate limits held in the database when nodes share it. */
		if (limits_share(app))
			log_info("rate limits: shared through the database");
		app->tpl = tpl_set_load(
		    app->cfg.templates_dir[0] ? app->cfg.templates_dir : NULL,
		    &err);
		if (app->tpl == NULL) {
			fprintf(stderr, "parley: templates: %s\n",
				buf_cstr(&err));
			goto fail;
		}
		/*
		 * The test suite's checked mode: a view that disagrees with
		 * its template, or a handler reading a field its route does
		 * not declare, fails the request instead of passing unseen.
		 */
		check = getenv("PARLEY_CHECK_VIEWS");
		if (check != NULL && strcmp(check, "1") == 0) {
			tpl_set_check(app->tpl, TPL_CHECK_FAIL);
			route_set_strict(true);
			if (!tpl_set_check_pending(
				app->tpl, getenv("PARLEY_CHECK_VIEWS_PENDING")))
				goto fail;
		} else if (check != NULL && strcmp(check, "log") == 0) {
			tpl_set_check(app->tpl, TPL_CHECK_LOG);
		}
	}
	buf_clear(&err);
	return true;
fail:
	buf_clear(&err);
	cli_app_close(app);
	return false;
}

void
cli_app_close(struct app *app)
{
	ratelimit_set_shared(NULL);
	mail_stop(app->mailer); /* it uses the store */
	app->mailer = NULL;
	spam_train_stop(app->spam_trainer); /* so does the learner */
	app->spam_trainer = NULL;
	workers_free(app->hashers); /* they use the store */
	app->hashers = NULL;
	workers_free(app->callers);
	app->callers = NULL;
	spam_live_free(app->spam);
	app->spam = NULL;
	oidc_registry_free(app->oidc);
	app->oidc = NULL;
	throttle_free(app->throttle);
	app->throttle = NULL;
	ratelimit_free(app->limit_moderation);
	ratelimit_free(app->limit_moderation_all);
	app->limit_moderation = app->limit_moderation_all = NULL;
	if (app->fetch_ready)
		fetch_global_cleanup();
	app->fetch_ready = false;
	debate_runtime_free(app->debates, app->store); /* saves refusals */
	app->debates = NULL;
	debate_voters_free(app->voters);
	app->voters = NULL;
	comment_limits_free(app->comment_limits);
	app->comment_limits = NULL;
	flag_limits_free(app->flag_limits);
	app->flag_limits = NULL;
	part_memo_free(app->parts);
	app->parts = NULL;
	store_close(app->store);
	tpl_set_free(app->tpl);
	page_cache_free(app->cache);
	change_bus_free(app->changes);
	config_clear(&app->cfg);
	sodium_memzero(app->secret, sizeof(app->secret));
	app->store = NULL;
	app->tpl = NULL;
	app->cache = NULL;
	app->changes = NULL;
}
