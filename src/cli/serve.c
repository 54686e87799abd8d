/* serve: runs the web server until SIGTERM or SIGINT. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "http/server.h"
#include "http/workers.h"
#include "jobs/mail.h"
#include "jobs/spam_train.h"

/*
 * Threads for calls out to sign-in providers, and how many such requests
 * may wait for one: a provider that never answers holds one of them (it
 * is fetched by one request at a time, model/oidc.c), never a server
 * thread.
 */
#define CALLOUT_WORKERS 4
#define CALLOUT_QUEUE	256
#include "model/user.h"
#include "store/store.h"

int
cmd_serve(struct cli_opts *o)
{
	struct app app;
	struct server *srv;
	struct buf err;
	sigset_t set;
	int sig = 0;

	if (o->argc > 1) {
		fprintf(stderr, "parley serve: unexpected argument %s\n",
			o->argv[1]);
		return 2;
	}
	/* Block the stop signals before threads start, then wait for one. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/*
	 * Pages are rendered into buffers of a few hundred KB; glibc would
	 * map and unmap each one (a page fault per 4 KB, every render).
	 * Keeping them on the heap costs a little memory and saves that.
	 */
	mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	if (!cli_app_open(&app, o, true))
		return 1;
	/* Password hashes are made off the server threads (ROUTE_HASH). */
	app.hashers = workers_new(app.cfg.hash_workers, app.cfg.hash_queue);
	/* So are calls out to sign-in providers (ROUTE_CALLOUT). */
	app.callers = workers_new(CALLOUT_WORKERS, CALLOUT_QUEUE);
	if (app.hashers == NULL || app.callers == NULL) {
		fprintf(stderr, "parley: cannot start the worker threads\n");
		cli_app_close(&app);
		return 1;
	}
	log_set_access(app.cfg.access_log);
	setvbuf(stdout, NULL, _IOLBF, 0);
	buf_init(&err, 512);
	srv = server_start(&app, &err);
	if (srv == NULL) {
		fprintf(stderr, "parley: %s\n", buf_cstr(&err));
		buf_clear(&err);
		cli_app_close(&app);
		return 1;
	}
	buf_clear(&err);
	{
		/* The real port, when 0 asked the system for a free one. */
		char where[300];
		const char *colon = strrchr(app.cfg.listen, ':');
		int hostlen = colon ? (int)(colon - app.cfg.listen) : 0;

		snprintf(where, sizeof(where), "http://%.*s:%u/", hostlen,
			 app.cfg.listen, server_port(srv));
		/* With no base_url, links use the address really listened on.
		 */
		if (app.cfg.base_url[0] == '\0')
			snprintf(app.base_url, sizeof(app.base_url), "%.*s",
				 (int)strlen(where) - 1, where);
		log_info("serving %s on %s (database %s)", app.cfg.site_title,
			 where, app.cfg.db);
	}
	app.mailer = mail_start(&app);
	app.spam_trainer = spam_train_start(&app);
	{
		struct arena a;
		const char *link;

		arena_init(&a);
		if ((link = user_setup_link(&app, &a)) != NULL)
			log_info("no admin yet: create the first one at %s "
				 "(a one-time link, valid for a day; or use "
				 "parley user add EMAIL NAME admin)",
				 link);
		arena_clear(&a);
		fflush(stderr);
	}
	while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
	log_info("signal %d: finishing requests in flight, then stopping", sig);
	server_stop(srv, 3000);
	cli_app_close(&app);
	log_info("stopped cleanly");
	return 0;
}
