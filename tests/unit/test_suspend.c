/*
 * The server's suspension (request_suspend / request_resume): a handler
 * that waits on work finishing elsewhere holds no server thread.  With two
 * server threads, WAITERS requests (many more) are all suspended at once,
 * then resumed from another thread, and each is answered by its own
 * continuation, after its work and not before.  Work that finishes before
 * its handler has returned is answered at once; and the server does not
 * stop while a request is still suspended.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "app.h"
#include "core/log.h"
#include "http/request.h"
#include "http/route.h"
#include "http/server.h"
#include "test.h"

#define WAITERS 40

/* The requests suspended in /wait, resumed all at once by resumer(). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct request *parked[WAITERS + 1];
static int nparked;
static int most_parked;			  /* suspended at once, at most */
static atomic_int work_done[WAITERS + 1]; /* set before request_resume */

static void
error_page(struct request *req, struct response *res, unsigned status,
	   const char *message)
{
	(void)req;
	res->status = status;
	if (!buf_puts(&res->body, message ? message : "error"))
		res->status = 500;
}

/* Answers with whether the work of slot was done when it ran. */
static void
cont(struct request *req, struct response *res, void *arg)
{
	int slot = (int)(intptr_t)arg;

	(void)req;
	res->status = 200;
	res->content_type = "text/plain";
	if (!buf_printf(&res->body, "%s %d",
			atomic_load(&work_done[slot]) ? "done" : "early", slot))
		res->status = 500;
}

/* GET /wait/N: suspends; resumer() finishes the work. */
static void
wait_page(struct request *req, struct response *res)
{
	int slot = atoi(req->params[0]);

	(void)res;
	request_suspend(req, cont, (void *)(intptr_t)slot);
	pthread_mutex_lock(&lock);
	parked[slot] = req;
	nparked++;
	if (nparked > most_parked)
		most_parked = nparked;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

/* GET /now/N: the work is done before the handler even returns. */
static void
now_page(struct request *req, struct response *res)
{
	int slot = atoi(req->params[0]);

	(void)res;
	request_suspend(req, cont, (void *)(intptr_t)slot);
	atomic_store(&work_done[slot], 1);
	request_resume(req);
}

static const struct route routes[] = {
    {METHOD_GET, "/wait/*", wait_page, 0, NULL},
    {METHOD_GET, "/now/*", now_page, 0, NULL},
};
static const struct route_table table = {routes, 2, error_page};

/* Resumes the first n parked requests once they are all parked. */
static void *
resumer(void *p)
{
	int n = (int)(intptr_t)p, i;

	pthread_mutex_lock(&lock);
	while (nparked < n)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	for (i = n - 1; i >= 0; i--) {
		struct request *req;

		pthread_mutex_lock(&lock);
		req = parked[i];
		nparked--;
		pthread_mutex_unlock(&lock);
		atomic_store(&work_done[i], 1);
		request_resume(req);
	}
	return NULL;
}

struct client {
	pthread_t th;
	unsigned port;
	char path[32];
	char answer[512];
};

/* Sends one GET and reads the whole answer (10 s at most). */
static void *
client_main(void *p)
{
	struct client *c = p;
	struct sockaddr_in a = {0};
	struct timeval tv = {10, 0};
	char req[128];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)c->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: x\r\n"
			 "Connection: close\r\n\r\n",
			 c->path);
		if (write(fd, req, strlen(req)) == (ssize_t)strlen(req))
			while (got < sizeof(c->answer) - 1 &&
			       (n = read(fd, c->answer + got,
					 sizeof(c->answer) - 1 - got)) > 0)
				got += (size_t)n;
	}
	c->answer[got] = '\0';
	close(fd);
	return NULL;
}

/* Whether answer is a 200 whose body is want. */
static bool
answered(const char *answer, const char *want)
{
	const char *body = strstr(answer, "\r\n\r\n");

	return strncmp(answer, "HTTP/1.1 200", 12) == 0 && body != NULL &&
	       strcmp(body + 4, want) == 0;
}

struct stopper {
	struct server *srv;
	atomic_int stopped;
};

static void *
stopper_main(void *p)
{
	struct stopper *s = p;

	server_stop(s->srv, 100);
	atomic_store(&s->stopped, 1);
	return NULL;
}

int
main(void)
{
	static struct client clients[WAITERS], now, last;
	struct app app;
	struct server *srv;
	struct buf err;
	struct stopper stop = {0};
	pthread_t res_th, stop_th;
	char want[32];
	int i, bad = 0;

	/* A connection never resumed hangs a client: fail, not wait. */
	alarm(60);
	memset(&app, 0, sizeof(app));
	config_defaults(&app.cfg);
	free(app.cfg.listen);
	app.cfg.listen = strdup("127.0.0.1:0");
	app.cfg.threads = 2;
	app.routes = &table;
	log_set_access(0);
	buf_init(&err, 512);
	srv = server_start(&app, &err);
	CHECK(srv != NULL);
	if (srv == NULL) {
		printf("server_start: %s\n", buf_cstr(&err));
		TEST_DONE();
	}

	/* Many more requests than threads, all suspended at once. */
	pthread_create(&res_th, NULL, resumer, (void *)(intptr_t)WAITERS);
	for (i = 0; i < WAITERS; i++) {
		clients[i].port = server_port(srv);
		snprintf(clients[i].path, sizeof(clients[i].path), "/wait/%d",
			 i);
		pthread_create(&clients[i].th, NULL, client_main, &clients[i]);
	}
	for (i = 0; i < WAITERS; i++) {
		pthread_join(clients[i].th, NULL);
		snprintf(want, sizeof(want), "done %d", i);
		if (!answered(clients[i].answer, want)) {
			printf("FAIL: /wait/%d answered: %.80s\n", i,
			       clients[i].answer);
			bad++;
		}
	}
	pthread_join(res_th, NULL);
	CHECK(bad == 0);
	CHECK(most_parked == WAITERS);

	/* Work done before the handler returned: answered at once. */
	now.port = server_port(srv);
	snprintf(now.path, sizeof(now.path), "/now/%d", WAITERS);
	client_main(&now);
	snprintf(want, sizeof(want), "done %d", WAITERS);
	CHECK(answered(now.answer, want));

	/*
	 * A stop waits for a suspended request, past its grace, and the
	 * request is answered.
	 */
	memset(work_done, 0, sizeof(work_done));
	last.port = server_port(srv);
	snprintf(last.path, sizeof(last.path), "/wait/0");
	pthread_create(&last.th, NULL, client_main, &last);
	pthread_mutex_lock(&lock);
	while (nparked < 1)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	stop.srv = srv;
	pthread_create(&stop_th, NULL, stopper_main, &stop);
	usleep(400 * 1000);
	CHECK(atomic_load(&stop.stopped) == 0);
	pthread_create(&res_th, NULL, resumer, (void *)(intptr_t)1);
	pthread_join(res_th, NULL);
	pthread_join(last.th, NULL);
	pthread_join(stop_th, NULL);
	CHECK(answered(last.answer, "done 0"));
	CHECK(atomic_load(&stop.stopped) == 1);

	buf_clear(&err);
	config_clear(&app.cfg);
	TEST_DONE();
}
