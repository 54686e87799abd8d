#include "http/server.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "http/cache.h"
#include "http/gate.h"
#include "http/request.h"
#include "http/route.h"

struct server {
	struct MHD_Daemon *daemon;
	struct app *app;
	struct gate *gate; /* the connections' budget and deadlines */
	unsigned port;
};

/*
 * Requests begun and not yet completed, so a stop can wait for them
 * without waiting for idle keep-alive connections too.
 */
static atomic_int in_flight;

/* What MHD keeps for one request between its calls. */
struct exchange {
	struct request req; /* first: request_suspend() finds x from it */
	struct response res;
	struct server *srv;
	struct gate_conn *gc; /* its connection's record in the gate */
	unsigned status;
	size_t bytes;
	size_t dropped; /* body bytes past the limit, thrown away */
	bool dispatched;
	/*
	 * A suspended handler's continuation (request_suspend), NULL once
	 * it has run.  suspended and resumed are guarded by suspend_lock.
	 */
	void (*cont)(struct request *req, struct response *res, void *arg);
	void *cont_arg;
	bool suspended; /* MHD_suspend_connection() was called */
	bool resumed;	/* request_resume() was called */
};

/*
 * Orders a handler's suspension against its work's completion, which may
 * come first, on another thread: MHD must never be asked to resume a
 * connection it has not suspended.
 */
static pthread_mutex_t suspend_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Requests suspended whose continuation has not run.  The daemon may not
 * stop while any is left: MHD refuses to stop with suspended connections,
 * and the work that will resume them holds their memory.
 */
static atomic_int waiting;

/*
 * Handlers running now, and whether the daemon is about to stop: once
 * closing is set, no handler starts (a request on a kept-alive
 * connection is answered 503), so no request can be suspended between
 * server_stop's last look and MHD_stop_daemon().
 */
static atomic_int dispatching;
static atomic_bool closing;

/*
 * What libmicrohttpd keeps per connection: a request's headers must fit
 * (about 30 KB of them), and it zeroes all of it after every request, so
 * more costs every answer.
 */
#define CONNECTION_MEMORY (32 * 1024)

/* Headers every response carries. */
static const struct header security_headers[] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; "
     "img-src 'self' https: data:; form-action 'self'; "
     "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "strict-origin-when-cross-origin"},
    {"X-Frame-Options", "DENY"},
};

static enum method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return METHOD_GET;
	if (strcmp(m, "HEAD") == 0)
		return METHOD_HEAD;
	if (strcmp(m, "POST") == 0)
		return METHOD_POST;
	return METHOD_OTHER;
}

/* Is addr one of the configured proxies (space-separated list)? */
static bool
trusted_proxy(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, addr, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p = strchr(p, ' ');
	}
	return false;
}

/*
 * An IPv4 address as inet_ntop() spells it (dotted decimal, no leading
 * zeros), into out (16 bytes): made for every request, where
 * inet_ntop() costs ten times as much.
 */
static void
ipv4_text(const unsigned char *a, char *out)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

/*
 * The peer's address as text (an IPv4-mapped IPv6 address as IPv4), or
 * "unknown"; outsz is at least INET6_ADDRSTRLEN.
 */
static void
peer_address(const struct sockaddr *sa, char *out, size_t outsz)
{
	snprintf(out, outsz, "unknown");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		ipv4_text((const unsigned char *)&(
			      (const struct sockaddr_in *)(const void *)sa)
			      ->sin_addr,
			  out);
	else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6))
			ipv4_text(&a6->s6_addr[12], out);
		else
			inet_ntop(AF_INET6, a6, out, (socklen_t)outsz);
	}
}

/*
 * The reader's address: the peer's, or, when the peer is a trusted proxy,
 * the last address in X-Forwarded-For that is not itself a trusted proxy.
 * Addresses are normalized through inet_pton/inet_ntop, so one IPv6
 * address has one spelling for rate limits and deduplication.
 */
static void
client_address(struct request *req)
{
	const union MHD_ConnectionInfo *ci;
	const char *xff, *list = req->app->cfg.trusted_proxies;
	char buf[INET6_ADDRSTRLEN];

	ci = MHD_get_connection_info(req->conn,
				     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	peer_address(ci ? ci->client_addr : NULL, req->client,
		     sizeof(req->client));
	if (list == NULL || *list == '\0' || !trusted_proxy(list, req->client))
		return;
	xff = request_header(req, "X-Forwarded-For");
	while (xff && *xff) {
		const char *end = xff + strlen(xff), *start;
		size_t n;
		unsigned char bin[16];

		while (end > xff && (end[-1] == ' ' || end[-1] == ','))
			end--;
		start = end;
		while (start > xff && start[-1] != ',')
			start--;
		while (start < end && *start == ' ')
			start++;
		n = (size_t)(end - start);
		if (n == 0 || n >= sizeof(buf))
			return;
		memcpy(buf, start, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET, buf, bin) == 1)
			inet_ntop(AF_INET, bin, req->client,
				  sizeof(req->client));
		else if (inet_pton(AF_INET6, buf, bin) == 1)
			inet_ntop(AF_INET6, bin, req->client,
				  sizeof(req->client));
		else
			return; /* garbage: keep the last good address */
		if (!trusted_proxy(list, req->client))
			return;
		if (start == xff)
			return;
		/* Walk left past this proxy. */
		{
			char *left = arena_strndup(&req->arena, xff,
						   (size_t)(start - xff));

			if (left == NULL)
				return;
			xff = left;
		}
	}
}

static void
exchange_free(struct exchange *x)
{
	size_t i;

	if (x->res.page)
		page_cache_release(x->req.app->cache, x->res.page);
	for (i = 0; i < x->res.nheld; i++)
		page_cache_release(x->req.app->cache, x->res.held[i]);
	buf_clear(&x->res.body);
	buf_clear(&x->req.body);
	arena_clear(&x->req.arena);
	free(x);
}

/* What a response made of a cached page's pieces keeps until it is sent. */
struct page_send {
	struct page_cache *cache;
	struct page_entry *page;
	struct page_entry *held[RESPONSE_HELD]; /* what fills point into */
	size_t nheld;
	char *fills; /* the other fills, one after the other */
};

static void
page_send_free(void *cls)
{
	struct page_send *ps = cls;
	size_t i;

	page_cache_release(ps->cache, ps->page);
	for (i = 0; i < ps->nheld; i++)
		page_cache_release(ps->cache, ps->held[i]);
	free(ps->fills);
	free(ps);
}

/*
 * The response of a cached page: its bytes up to the first hole, that
 * hole's fill, the bytes up to the next hole, and so on (scatter/gather).
 * The page is not copied, nor a fill from an entry the response holds
 * (a debate's results); the other fills, small and the reader's own, are
 * copied once, out of the arena, which may go before the response does.
 */
static struct MHD_Response *
page_response(struct exchange *x)
{
	struct response *res = &x->res;
	const struct page_entry *e = res->page;
	struct MHD_IoVec iov[2 * PAGE_HOLES_MAX + 1];
	struct page_send *ps;
	struct MHD_Response *r;
	size_t i, n = 0, from = 0, total = 0, at = 0, bytes = e->len;
	char *p;

	if (e->nholes > PAGE_HOLES_MAX)
		return NULL;
	for (i = 0; i < e->nholes; i++)
		bytes += res->fill_len[i];
	for (i = 0; i < e->nholes; i++)
		if (!response_holds_bytes(res, res->fill[i], res->fill_len[i]))
			total += res->fill_len[i];
	if ((ps = malloc(sizeof(*ps))) == NULL)
		return NULL;
	if ((ps->fills = malloc(total + 1)) == NULL) {
		free(ps);
		return NULL;
	}
	ps->cache = x->req.app->cache;
	ps->page = res->page;
	p = ps->fills;
	for (i = 0; i < e->nholes; i++) {
		at = e->holes[i].at;
		if (at > from) {
			iov[n].iov_base = e->data + from;
			iov[n++].iov_len = at - from;
		}
		if (res->fill_len[i] &&
		    response_holds_bytes(res, res->fill[i], res->fill_len[i])) {
			iov[n].iov_base = res->fill[i];
			iov[n++].iov_len = res->fill_len[i];
		} else if (res->fill_len[i]) {
			memcpy(p, res->fill[i], res->fill_len[i]);
			iov[n].iov_base = p;
			iov[n++].iov_len = res->fill_len[i];
			p += res->fill_len[i];
		}
		from = at;
	}
	if (e->len > from) {
		iov[n].iov_base = e->data + from;
		iov[n++].iov_len = e->len - from;
	}
	r = MHD_create_response_from_iovec(iov, (unsigned)n, page_send_free,
					   ps);
	if (r == NULL) {
		free(ps->fills);
		free(ps);
		return NULL;
	}
	/* The page and the held entries are now the response's. */
	memcpy(ps->held, res->held, sizeof(ps->held));
	ps->nheld = res->nheld;
	res->nheld = 0;
	res->page = NULL;
	x->bytes = bytes;
	return r;
}

static struct MHD_Response *
build_response(struct exchange *x)
{
	struct response *res = &x->res;
	struct MHD_Response *r;
	size_t i;

	if (res->page) {
		if ((r = page_response(x)) == NULL)
			return NULL;
	} else {
		size_t len;
		char *data = buf_steal(&res->body, &len);

		r = MHD_create_response_from_buffer(len, data,
						    MHD_RESPMEM_MUST_FREE);
		if (r == NULL) {
			free(data);
			return NULL;
		}
		x->bytes = len;
	}
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]);
	     i++)
		MHD_add_response_header(r, security_headers[i].name,
					security_headers[i].value);
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	for (i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name,
					res->headers[i].value);
	/* Stopping: the connection ends with this answer, not mid-request. */
	if (gate_draining(x->srv->gate))
		MHD_add_response_header(r, "Connection", "close");
	return r;
}

void
request_suspend(struct request *req,
		void (*cont)(struct request *req, struct response *res,
			     void *arg),
		void *arg)
{
	struct exchange *x = (struct exchange *)req;

	x->cont = cont;
	x->cont_arg = arg;
	atomic_fetch_add(&waiting, 1);
}

void
request_resume(struct request *req)
{
	struct exchange *x = (struct exchange *)req;

	pthread_mutex_lock(&suspend_lock);
	x->resumed = true;
	if (x->suspended)
		MHD_resume_connection(req->conn);
	pthread_mutex_unlock(&suspend_lock);
}

/*
 * After a handler asked to be suspended: true when the connection is now
 * suspended (MHD calls access_handler again once it is resumed), false
 * when the work is already done and the answer can be made at once.
 */
static bool
suspend_connection(struct exchange *x)
{
	bool later;

	pthread_mutex_lock(&suspend_lock);
	later = !x->resumed;
	if (later) {
		x->suspended = true;
		MHD_suspend_connection(x->req.conn);
	}
	pthread_mutex_unlock(&suspend_lock);
	return later;
}

/* Runs a resumed request's continuation, which fills in its response. */
static void
resume_continue(struct exchange *x)
{
	void (*cont)(struct request *, struct response *, void *) = x->cont;

	x->cont = NULL;
	cont(&x->req, &x->res, x->cont_arg);
	atomic_fetch_sub(&waiting, 1);
}

/* Sends the response the handler (or its continuation) filled in. */
static enum MHD_Result
answer(struct exchange *x, struct MHD_Connection *conn)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	x->status = x->res.status ? x->res.status : 500;
	r = build_response(x);
	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, x->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* How a request says its body's length. */
struct framing {
	int lengths;   /* Content-Length headers */
	int encodings; /* Transfer-Encoding headers */
	bool chunked;  /* the last of those says exactly "chunked" */
};

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
	      const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0) {
		f->lengths++;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->encodings++;
		f->chunked = value && strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/*
 * A body's length given twice, or two ways, or an encoding other than
 * chunked: a proxy in front may have read the body otherwise than we
 * would, and bytes it took for a body would run here as a request of
 * their own (request smuggling).  Looked for only when a request has a
 * Content-Length or a Transfer-Encoding, so a GET costs one lookup.
 */
static bool
framing_ambiguous(struct MHD_Connection *conn, const char *length)
{
	struct framing f = {0};

	if (length == NULL &&
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					"Transfer-Encoding") == NULL)
		return false;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
	return f.lengths > 1 || f.encodings > 1 ||
	       (f.encodings == 1 && (f.lengths > 0 || !f.chunked));
}

/*
 * Answers a request refused before it is read, and closes its connection:
 * what follows on it cannot be trusted to start a request.
 */
static enum MHD_Result
refuse(struct exchange *x, struct MHD_Connection *conn, unsigned status,
       const char *message)
{
	x->dispatched = true;
	gate_serving(x->gc);
	x->req.app->routes->error_page(&x->req, &x->res, status, message);
	(void)response_header(&x->res, "Connection", "close");
	if (status == 503)
		(void)response_header(&x->res, "Retry-After", "1");
	return answer(x, conn);
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
	       const char *method, const char *version, const char *upload_data,
	       size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct app *app = srv->app;
	struct exchange *x = *con_cls;

	(void)version;
	if (x == NULL) {
		const union MHD_ConnectionInfo *ci;
		const char *cl;

		x = calloc(1, sizeof(*x));
		if (x == NULL)
			return MHD_NO;
		atomic_fetch_add(&in_flight, 1);
		x->srv = srv;
		ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		x->gc = ci ? ci->socket_context : NULL;
		gate_head(x->gc);
		arena_init(&x->req.arena);
		buf_init(&x->req.body, app->body_limit);
		buf_init(&x->res.body, LIMIT_PAGE_HTML);
		x->req.app = app;
		x->req.conn = conn;
		x->req.start_usec = time_now_usec();
		x->req.method = method_of(method);
		x->req.method_name = arena_strdup(&x->req.arena, method);
		x->req.path = arena_strdup(&x->req.arena, url);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > app->body_limit)
			x->req.body_too_large = true;
		*con_cls = x;
		client_address(&x->req);
		if (framing_ambiguous(conn, cl))
			return refuse(x, conn, 400,
				      "The request's length is ambiguous "
				      "(Content-Length given twice, or with "
				      "Transfer-Encoding).");
		/*
		 * Through a trusted proxy, the reader's address is known only
		 * now: each of its requests counts against that address.
		 */
		if (gate_is_proxy(x->gc) &&
		    !gate_claim(srv->gate, x->gc, x->req.client))
			return refuse(x, conn, 503,
				      "Too many requests from your address "
				      "at once. Please try again in a "
				      "moment.");
		/*
		 * Answer on a later call: answering now would close the
		 * connection.  Except for a body announced over the limit:
		 * then closing is right, and reading it all would be wrong.
		 */
		if (!x->req.body_too_large)
			return MHD_YES;
	}
	if (x->dispatched && x->cont != NULL) {
		/* Resumed: the suspended handler's work is done. */
		resume_continue(x);
		return answer(x, conn);
	}
	if (x->dispatched) {
		/* Answered already (413): drop whatever else arrives. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/*
		 * A body without a length that outgrows the limit: MHD only
		 * lets us answer once it has all arrived, so the rest is
		 * dropped as it comes, up to a point; past it, the
		 * connection is cut.
		 */
		gate_body(x->gc, *upload_data_size);
		if (!x->req.body_too_large &&
		    !buf_append(&x->req.body, upload_data, *upload_data_size))
			x->req.body_too_large = true;
		if (x->req.body_too_large) {
			x->dropped += *upload_data_size;
			if (x->dropped > 16 * app->body_limit)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	x->dispatched = true;
	gate_serving(x->gc);
	atomic_fetch_add(&dispatching, 1);
	if (atomic_load(&closing)) {
		app->routes->error_page(&x->req, &x->res, 503,
					"The site is restarting. Please try "
					"again in a moment.");
		atomic_fetch_sub(&dispatching, 1);
		return answer(x, conn);
	}
	route_dispatch(&x->req, &x->res);
	if (x->cont != NULL) {
		/*
		 * The handler waits on work finishing elsewhere: the
		 * connection is set aside and this thread goes on with
		 * others, unless the work finished meanwhile.
		 */
		bool later = suspend_connection(x);

		atomic_fetch_sub(&dispatching, 1);
		if (later)
			return MHD_YES;
		resume_continue(x);
		return answer(x, conn);
	}
	atomic_fetch_sub(&dispatching, 1);
	return answer(x, conn);
}

/*
 * A connection that ends with its continuation not yet run: its client
 * went away while the request waited, and MHD, once the request was
 * resumed, closed it without calling access_handler again.  The
 * continuation still runs, for what it holds (its answer goes nowhere),
 * and the request stops counting as waiting: else a stop would wait for
 * it in vain.  False when the work has not finished (MHD closing a
 * connection still suspended, at a stop that gave up waiting): the work
 * still points into the request, which must then outlive it.
 */
static bool
continuation_settled(struct exchange *x)
{
	bool done;

	pthread_mutex_lock(&suspend_lock);
	done = x->resumed;
	pthread_mutex_unlock(&suspend_lock);
	if (done)
		resume_continue(x);
	return done;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct exchange *x = *con_cls;

	(void)conn;
	(void)toe;
	if (x == NULL)
		return;
	if (x->cont != NULL && !continuation_settled(x))
		return;
	gate_idle(srv->gate, x->gc);
	log_access(x->req.client[0] ? x->req.client : "-",
		   x->req.method_name ? x->req.method_name : "-",
		   x->req.path ? x->req.path : "-", x->status, x->bytes,
		   (long long)(time_now_usec() - x->req.start_usec));
	exchange_free(x);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

/*
 * A connection opened or closed: the gate counts it, and may shut it at
 * once when its address or network is at its budget.  A trusted proxy's
 * connections are counted by the readers they carry, request by request.
 */
static void
connection_event(void *cls, struct MHD_Connection *conn, void **socket_context,
		 enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	const union MHD_ConnectionInfo *fd, *peer;
	const char *list = srv->app->cfg.trusted_proxies;
	char addr[INET6_ADDRSTRLEN];
	bool proxy;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		gate_close(srv->gate, *socket_context);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	peer =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (fd == NULL)
		return;
	peer_address(peer ? peer->client_addr : NULL, addr, sizeof(addr));
	proxy = list && *list && trusted_proxy(list, addr);
	*socket_context = gate_open(srv->gate, fd->connect_fd,
				    peer ? peer->client_addr : NULL, proxy);
}

/*
 * A request line was read (MHD calls this before the headers): from here
 * the connection is in a request, not idle, should the server stop.
 */
static void *
request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	(void)uri;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci)
		gate_request_line(ci->socket_context);
	return NULL; /* the request's own state is made at its head */
}

static __attribute__((format(printf, 2, 0))) void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

/* Parses "HOST:PORT" or "[V6]:PORT" into a socket address. */
static bool
parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6,
	     struct buf *err)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	char *end;
	long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	colon = strrchr(s, ':');
	if (colon == NULL)
		goto bad;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535)
		goto bad;
	n = (size_t)(colon - s);
	if (n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[n - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			goto bad;
		*v6 = true;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (strcmp(host, "localhost") == 0)
			strcpy(host, "127.0.0.1");
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*v6 = false;
	}
	return true;
bad:
	buf_seterr(err, "listen address %s: expected HOST:PORT or [IPV6]:PORT",
		   s);
	return false;
}

struct server *
server_start(struct app *app, struct buf *err)
{
	struct sockaddr_storage ss;
	struct server *srv;
	const union MHD_DaemonInfo *info;
	/* Quiescing a thread pool, and resuming connections, need ITC. */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	bool v6 = false;

	if (!parse_listen(app->cfg.listen, &ss, &v6, err))
		return NULL;
	/*
	 * A form must fit the longest comment allowed in any script: a
	 * character may take 4 bytes, 12 once percent-encoded.
	 */
	app->body_limit = (size_t)app->cfg.max_length * 12 + 16384;
	if (app->body_limit < LIMIT_BODY)
		app->body_limit = LIMIT_BODY;
	if (v6)
		flags |= MHD_USE_IPv6;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		buf_seterr(err, "out of memory");
		return NULL;
	}
	srv->app = app;
	{
		struct gate_limits lim = {
		    .max_connections = app->cfg.max_connections,
		    .reserve = app->cfg.max_connections / 8,
		    .per_address = app->cfg.per_ip_connections,
		    .per_network = app->cfg.per_network_connections,
		    .head_ms = app->cfg.header_timeout * 1000,
		    .body_rate = app->cfg.body_min_rate,
		    .sweep_ms = 250,
		};

		srv->gate = gate_new(&lim);
	}
	if (srv->gate == NULL) {
		buf_seterr(err, "out of memory");
		free(srv);
		return NULL;
	}
	atomic_store(&closing, false);
	/*
	 * The gate, not MHD, limits connections per address: MHD would hold
	 * a trusted proxy to one reader's budget, and count IPv6 readers
	 * by whole addresses where they have a /64 each.
	 */
	srv->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, access_handler, srv, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)app->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, completed,
	    srv, MHD_OPTION_NOTIFY_CONNECTION, connection_event, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, request_line, srv,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->cfg.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg.timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_log, NULL, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		buf_seterr(
		    err,
		    "cannot listen on %s (in use, or not an address of this machine)",
		    app->cfg.listen);
		gate_free(srv->gate);
		free(srv);
		return NULL;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	return srv;
}

unsigned
server_port(struct server *srv)
{
	return srv->port;
}

/* How long a stop waits for requests being answered or suspended. */
#define STOP_WAIT_MS 10000

void
server_stop(struct server *srv, int grace_ms)
{
	int waited = 0;

	if (srv == NULL)
		return;
	/*
	 * From here the gate shuts every new connection at once; the
	 * listening socket closes with the daemon.  MHD_quiesce_daemon() is
	 * not used: with a pool of threads it races a thread's own removal
	 * of the listening socket from its epoll set, and libmicrohttpd
	 * 0.9.75 then aborts ("Failed to remove listen FD from epoll set").
	 */
	/*
	 * A connection waiting for a request is closed now, before one is
	 * sent into a socket about to close: its client retries, as after
	 * any idle close.  A request already begun is answered, with
	 * Connection: close, and its connection then closes too.
	 */
	while (gate_drain(srv->gate) > 0 && waited < grace_ms) {
		usleep(20000);
		waited += 20;
	}
	/*
	 * A suspended request is waiting on a write that always ends
	 * (committed or failed), and MHD may not stop before it is resumed
	 * and answered, grace or not.
	 */
	atomic_store(&closing, true);
	for (waited = 0;
	     (atomic_load(&dispatching) > 0 || atomic_load(&waiting) > 0) &&
	     waited < STOP_WAIT_MS;
	     waited++)
		usleep(1000);
	/*
	 * Every write ends within the store's lock wait, so a count still
	 * up after that belongs to a connection already gone (closed while
	 * its request waited): say so, and stop rather than hang.
	 */
	if (waited >= STOP_WAIT_MS)
		log_warnx(
		    "stop: %d requests still counted after %d s; stopping",
		    atomic_load(&dispatching) + atomic_load(&waiting),
		    STOP_WAIT_MS / 1000);
	/* The answers just given (503 while closing) go out before the end. */
	for (waited = 0; waited < 500 && atomic_load(&in_flight) > 0;
	     waited += 10)
		usleep(10000);
	MHD_stop_daemon(srv->daemon);
	gate_free(srv->gate);
	free(srv);
}

/* Accessors for request and response, used by every handler. */

const char *
request_query(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
request_header(struct request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}
