#include "http/gate.h"

#include <arpa/inet.h>
#include <linux/tcp.h> /* tcp_info with tcpi_bytes_received */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"

/*
 * What a connection is counted under: its kind, then the address's first
 * bytes, the rest zero.
 */
enum key_kind { KEY_V4_ADDRESS = 1, KEY_V4_NETWORK, KEY_V6_64, KEY_V6_48 };

struct gate_key {
	unsigned char b[17];
};

struct gate_slot {
	struct gate_key key;
	int count; /* 0: the slot is free */
};

enum phase { PHASE_WAITING, PHASE_BODY, PHASE_SERVING };

/* Data that came in less than this after a wait began counts as before. */
#define DATA_SLACK_MS 10
/* How often a waiting connection's socket is looked at, at most. */
#define PROBE_MS 1000

struct gate_conn {
	struct gate_conn *prev, *next; /* the gate's list, under its lock */
	int fd;
	bool proxy;
	bool counted; /* addr and net count this connection */
	bool claimed; /* claim_addr and claim_net count its request */
	bool closing; /* shut down by the gate, not yet gone */
	struct gate_key addr, net, claim_addr, claim_net;
	/* When the phase began, in ms, shifted left 2, | enum phase. */
	_Atomic uint64_t phase;
	_Atomic size_t body; /* body bytes of the current request */
	/* The phase in which a request line came; a head has begun. */
	_Atomic uint64_t request_line;
	atomic_bool reused; /* a request was answered on it */
	/* The sweeper's, under the lock: */
	uint64_t seen_phase; /* the phase head_at belongs to */
	int64_t head_at;     /* when data of a request was seen; 0: none */
	int64_t probe_at;    /* when to look at the socket next */
};

struct gate {
	struct gate_limits lim;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t sweeper;
	bool stopping;
	struct gate_conn *head, *tail; /* oldest first */
	size_t open;		       /* in the list */
	size_t closing;		       /* of those, shut down by the gate */
	struct gate_slot *slots;       /* counts by key, linear probing */
	size_t mask;
	size_t used; /* slots in use */
	atomic_bool draining;
};

/*
 * The gate's own clock: monotonic and never moved by the tests' clock
 * file, which may jump days ahead while connections are open.
 */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t
pack(int64_t ms, enum phase p)
{
	return (uint64_t)ms << 2 | (uint64_t)p;
}

static size_t
key_hash(const struct gate_key *k)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(k->b); i++)
		h = (h ^ k->b[i]) * 16777619u;
	return h;
}

/* The slot holding k, or the free slot where it would go. */
static size_t
slot_find(const struct gate *g, const struct gate_key *k)
{
	size_t i = key_hash(k) & g->mask;

	while (g->slots[i].count != 0 &&
	       memcmp(&g->slots[i].key, k, sizeof(*k)) != 0)
		i = (i + 1) & g->mask;
	return i;
}

static int
key_count(const struct gate *g, const struct gate_key *k)
{
	return g->slots[slot_find(g, k)].count;
}

static void
key_add(struct gate *g, const struct gate_key *k)
{
	size_t i = slot_find(g, k);

	if (g->slots[i].count++ == 0) {
		g->slots[i].key = *k;
		g->used++;
	}
}

/* Takes one off k's count; a count that reaches 0 frees its slot. */
static void
key_remove(struct gate *g, const struct gate_key *k)
{
	size_t i = slot_find(g, k), j = i;

	if (g->slots[i].count == 0 || --g->slots[i].count > 0)
		return;
	/* Move later entries of the run back so no search stops short. */
	for (;;) {
		size_t home;

		j = (j + 1) & g->mask;
		if (g->slots[j].count == 0)
			break;
		home = key_hash(&g->slots[j].key) & g->mask;
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && home <= i && home > j)) {
			g->slots[i] = g->slots[j];
			i = j;
		}
	}
	memset(&g->slots[i], 0, sizeof(g->slots[i]));
	g->used--;
}

/* The keys of an address: itself (IPv6: its /64) and its network. */
static bool
keys_of(const struct sockaddr *sa, struct gate_key *addr, struct gate_key *net)
{
	const unsigned char *v4 = NULL, *v6 = NULL;

	memset(addr, 0, sizeof(*addr));
	memset(net, 0, sizeof(*net));
	if (sa->sa_family == AF_INET) {
		v4 = (const unsigned char *)&(
			 (const struct sockaddr_in *)(const void *)sa)
			 ->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a))
			v4 = &a->s6_addr[12];
		else
			v6 = a->s6_addr;
	} else {
		return false;
	}
	if (v4) {
		addr->b[0] = KEY_V4_ADDRESS;
		memcpy(addr->b + 1, v4, 4);
		net->b[0] = KEY_V4_NETWORK;
		memcpy(net->b + 1, v4, 3);
	} else {
		addr->b[0] = KEY_V6_64;
		memcpy(addr->b + 1, v6, 8);
		net->b[0] = KEY_V6_48;
		memcpy(net->b + 1, v6, 6);
	}
	return true;
}

static bool
keys_of_text(const char *text, struct gate_key *addr, struct gate_key *net)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	a4.sin_family = AF_INET;
	a6.sin6_family = AF_INET6;
	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
		return keys_of((const struct sockaddr *)&a4, addr, net);
	if (inet_pton(AF_INET6, text, &a6.sin6_addr) == 1)
		return keys_of((const struct sockaddr *)&a6, addr, net);
	return false;
}

static bool
over_budget(const struct gate *g, const struct gate_key *addr,
	    const struct gate_key *net)
{
	/* A full table would make a search endless: refuse first. */
	if (g->used + 2 > g->mask - g->mask / 4)
		return true;
	return key_count(g, addr) >= g->lim.per_address ||
	       key_count(g, net) >= g->lim.per_network;
}

/*
 * When a request began to come in on c during its wait of phase ph: the
 * time of the latest data, else 0.  The server has the bytes; the kernel
 * knows when they came.  On a new connection any byte is a request's; on
 * a kept-alive one, a byte that came after the last answer.
 */
static int64_t
head_begun(struct gate_conn *c, uint64_t ph, int64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int64_t since = (int64_t)(ph >> 2), latest;

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return atomic_load(&c->request_line) == ph ? now : 0;
	latest = now - (int64_t)ti.tcpi_last_data_recv;
	if (atomic_load(&c->request_line) == ph)
		return latest;
	if (!atomic_load(&c->reused))
		return ti.tcpi_bytes_received > 0 ? latest : 0;
	return latest > since + DATA_SLACK_MS ? latest : 0;
}

/* Closes c's stream; the server frees it when it sees the end. */
static void
shut(struct gate *g, struct gate_conn *c, const char *why)
{
	shutdown(c->fd, SHUT_RDWR);
	c->closing = true;
	g->closing++;
	log_debug("gate: closed a connection: %s", why);
}

/*
 * Frees room in the reserve: closes the connection that has waited
 * longest for a request, one sending its head slowly before an idle one.
 */
static void
evict_one(struct gate *g, const struct gate_conn *keep)
{
	struct gate_conn *c, *victim = NULL;
	uint64_t victim_since = 0;
	bool victim_slow = false;

	for (c = g->head; c; c = c->next) {
		uint64_t ph = atomic_load(&c->phase);
		bool slow;

		if (c->closing || c == keep || (ph & 3) != PHASE_WAITING)
			continue;
		slow = c->head_at != 0 && c->seen_phase == ph;
		if (victim == NULL || (slow && !victim_slow) ||
		    (slow == victim_slow && (ph >> 2) < victim_since)) {
			victim = c;
			victim_since = ph >> 2;
			victim_slow = slow;
		}
	}
	if (victim)
		shut(g, victim,
		     "the connections are near their limit, and "
		     "it waited longest");
}

struct gate_conn *
gate_open(struct gate *g, int fd, const struct sockaddr *sa, bool proxy)
{
	struct gate_conn *c = calloc(1, sizeof(*c));
	size_t threshold;

	if (c == NULL) {
		shutdown(fd, SHUT_RDWR);
		return NULL;
	}
	c->fd = fd;
	c->proxy = proxy;
	atomic_init(&c->phase, pack(now_ms(), PHASE_WAITING));
	atomic_init(&c->body, 0);
	atomic_init(&c->request_line, 0);
	atomic_init(&c->reused, false);
	pthread_mutex_lock(&g->lock);
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	g->open++;
	if (atomic_load(&g->draining)) {
		/* Stopping: a connection that comes now gets no request in. */
		shut(g, c, "the server is stopping");
	} else if (!proxy && sa && keys_of(sa, &c->addr, &c->net)) {
		if (over_budget(g, &c->addr, &c->net)) {
			shut(g, c, "its address or network is at its budget");
		} else {
			key_add(g, &c->addr);
			key_add(g, &c->net);
			c->counted = true;
		}
	}
	threshold = (size_t)(g->lim.max_connections - g->lim.reserve);
	if (!c->closing && g->open - g->closing > threshold)
		evict_one(g, c);
	pthread_mutex_unlock(&g->lock);
	return c;
}

static void
unclaim(struct gate *g, struct gate_conn *c)
{
	if (!c->claimed)
		return;
	key_remove(g, &c->claim_addr);
	key_remove(g, &c->claim_net);
	c->claimed = false;
}

void
gate_close(struct gate *g, struct gate_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	g->open--;
	if (c->closing)
		g->closing--;
	if (c->counted) {
		key_remove(g, &c->addr);
		key_remove(g, &c->net);
	}
	unclaim(g, c);
	pthread_mutex_unlock(&g->lock);
	free(c);
}

void
gate_request_line(struct gate_conn *c)
{
	if (c)
		atomic_store(&c->request_line, atomic_load(&c->phase));
}

void
gate_head(struct gate_conn *c)
{
	if (c == NULL)
		return;
	/* The count first: the sweeper reads the phase, then the count. */
	atomic_store(&c->body, 0);
	atomic_store(&c->phase, pack(now_ms(), PHASE_BODY));
}

void
gate_body(struct gate_conn *c, size_t n)
{
	if (c)
		atomic_fetch_add_explicit(&c->body, n, memory_order_relaxed);
}

void
gate_serving(struct gate_conn *c)
{
	if (c)
		atomic_store(&c->phase, pack(0, PHASE_SERVING));
}

void
gate_idle(struct gate *g, struct gate_conn *c)
{
	if (c == NULL)
		return;
	if (c->proxy) {
		pthread_mutex_lock(&g->lock);
		unclaim(g, c);
		pthread_mutex_unlock(&g->lock);
	}
	atomic_store(&c->reused, true);
	atomic_store(&c->phase, pack(now_ms(), PHASE_WAITING));
}

bool
gate_is_proxy(const struct gate_conn *c)
{
	return c && c->proxy;
}

bool
gate_claim(struct gate *g, struct gate_conn *c, const char *reader)
{
	struct gate_key addr, net;
	bool ok = true;

	if (c == NULL || !keys_of_text(reader, &addr, &net))
		return true;
	pthread_mutex_lock(&g->lock);
	unclaim(g, c);
	if (over_budget(g, &addr, &net)) {
		ok = false;
	} else {
		key_add(g, &addr);
		key_add(g, &net);
		c->claim_addr = addr;
		c->claim_net = net;
		c->claimed = true;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void
sweep_locked(struct gate *g, int64_t now)
{
	struct gate_conn *c;

	for (c = g->head; c; c = c->next) {
		uint64_t ph = atomic_load(&c->phase);
		int64_t since = (int64_t)(ph >> 2);

		if (c->closing)
			continue;
		if ((ph & 3) == PHASE_WAITING) {
			if (c->seen_phase != ph) {
				c->seen_phase = ph;
				c->head_at = 0;
				c->probe_at = since + g->lim.sweep_ms;
			}
			if (c->head_at == 0 && now >= c->probe_at) {
				c->head_at = head_begun(c, ph, now);
				c->probe_at = now + PROBE_MS;
			}
			if (c->head_at != 0 &&
			    now - c->head_at > g->lim.head_ms)
				shut(g, c, "its request head took too long");
		} else if ((ph & 3) == PHASE_BODY &&
			   now - since > g->lim.head_ms) {
			int64_t late = now - since - g->lim.head_ms;
			size_t need = (size_t)(late * g->lim.body_rate / 1000);

			/* Read the count, then check it is this request's. */
			if (atomic_load(&c->body) < need &&
			    atomic_load(&c->phase) == ph)
				shut(g, c, "its request body came too slowly");
		}
	}
}

void
gate_sweep(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	sweep_locked(g, now_ms());
	pthread_mutex_unlock(&g->lock);
}

static void *
sweeper_main(void *arg)
{
	struct gate *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)g->lim.sweep_ms * 1000000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		if (!g->stopping)
			sweep_locked(g, now_ms());
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

size_t
gate_drain(struct gate *g)
{
	int64_t now = now_ms();
	struct gate_conn *c;
	size_t n;

	atomic_store(&g->draining, true);
	pthread_mutex_lock(&g->lock);
	for (c = g->head; c; c = c->next) {
		uint64_t ph = atomic_load(&c->phase);

		if (!c->closing && (ph & 3) == PHASE_WAITING &&
		    head_begun(c, ph, now) == 0)
			shut(g, c, "the server is stopping");
	}
	n = g->open;
	pthread_mutex_unlock(&g->lock);
	return n;
}

bool
gate_draining(const struct gate *g)
{
	return atomic_load(&((struct gate *)g)->draining);
}

size_t
gate_open_count(struct gate *g)
{
	size_t n;

	pthread_mutex_lock(&g->lock);
	n = g->open;
	pthread_mutex_unlock(&g->lock);
	return n;
}

struct gate *
gate_new(const struct gate_limits *lim)
{
	struct gate *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;
	size_t cap = 16;

	if (g == NULL)
		return NULL;
	g->lim = *lim;
	if (g->lim.sweep_ms <= 0)
		g->lim.sweep_ms = 250;
	/* Two keys a connection at most: the table stays half empty. */
	while (cap < (size_t)lim->max_connections * 4)
		cap *= 2;
	g->slots = calloc(cap, sizeof(*g->slots));
	if (g->slots == NULL) {
		free(g);
		return NULL;
	}
	g->mask = cap - 1;
	atomic_init(&g->draining, false);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&g->sweeper, NULL, sweeper_main, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g->slots);
		free(g);
		return NULL;
	}
	return g;
}

void
gate_free(struct gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->sweeper, NULL);
	while (g->head)
		gate_close(g, g->head);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}
