/*
 * The connection budget (http/gate.c) on socket pairs: counts per IPv6
 * /64 and /48 (which loopback tests cannot reach), IPv4-mapped addresses
 * counted as IPv4, counts that survive many opens and closes, requests
 * through a proxy counted by reader, the reserve closing the connection
 * that waited longest, the head and body deadlines, and the drain.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/gate.h"
#include "test.h"

#define CONNS 512

/* A socket pair: the gate holds [0], the test watches [1]. */
static int fds[CONNS][2];
static struct gate_conn *conns[CONNS];
static int nconns;

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static struct sockaddr_in6
v6(const char *text)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, text, &a.sin6_addr) != 1)
		abort();
	return a;
}

static struct sockaddr_in
v4(const char *text)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	if (inet_pton(AF_INET, text, &a.sin_addr) != 1)
		abort();
	return a;
}

/* Opens connection i from sa; returns i. */
static int
open_from(struct gate *g, const void *sa, bool proxy)
{
	int i = nconns++;

	if (i >= CONNS || socketpair(AF_UNIX, SOCK_STREAM, 0, fds[i]) != 0)
		abort();
	conns[i] = gate_open(g, fds[i][0], sa, proxy);
	return i;
}

/* Was connection i shut down by the gate?  (Its peer reads the end.) */
static bool
was_shut(int i)
{
	char c;
	ssize_t n = recv(fds[i][1], &c, 1, MSG_DONTWAIT);

	return n == 0;
}

static void
close_conn(struct gate *g, int i)
{
	gate_close(g, conns[i]);
	conns[i] = NULL;
	close(fds[i][0]);
	close(fds[i][1]);
}

static void
close_all(struct gate *g)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i])
			close_conn(g, i);
	nconns = 0;
}

static struct gate *
gate_with(int max, int per_address, int per_network, int head_ms)
{
	struct gate_limits lim = {
	    .max_connections = max,
	    .reserve = max / 8,
	    .per_address = per_address,
	    .per_network = per_network,
	    .head_ms = head_ms,
	    .body_rate = 1000,
	    .sweep_ms = 10,
	};

	return gate_new(&lim);
}

static void
test_ipv6_prefixes(void)
{
	struct gate *g = gate_with(4096, 2, 3, 60000);
	struct sockaddr_in6 a = v6("2001:db8:1:2::1"),
			    b = v6("2001:db8:1:2::2"),
			    c = v6("2001:db8:1:2:ffff::3"),
			    d = v6("2001:db8:1:3::1"),
			    e = v6("2001:db8:1:4::1"), f = v6("2001:db8:2::1");
	int i;

	/* One /64 is one address: two connections, not three. */
	CHECK(!was_shut(open_from(g, &a, false)));
	CHECK(!was_shut(open_from(g, &b, false)));
	CHECK(was_shut(open_from(g, &c, false)));
	/* The /48 holds three: the /64s next door fill it. */
	CHECK(!was_shut(open_from(g, &d, false)));
	CHECK(was_shut(open_from(g, &e, false)));
	CHECK(!was_shut(open_from(g, &f, false)));
	/* Closing one of the /64's makes room for one more in it. */
	close_conn(g, 0);
	i = open_from(g, &c, false);
	CHECK(!was_shut(i));
	close_all(g);
	CHECK(gate_open_count(g) == 0);
	gate_free(g);
}

static void
test_ipv4_mapped(void)
{
	struct gate *g = gate_with(4096, 2, 100, 60000);
	struct sockaddr_in a = v4("192.0.2.1");
	struct sockaddr_in6 m = v6("::ffff:192.0.2.1");

	CHECK(!was_shut(open_from(g, &a, false)));
	CHECK(!was_shut(open_from(g, &m, false)));
	CHECK(was_shut(open_from(g, &a, false)));
	close_all(g);
	gate_free(g);
}

/*
 * Many addresses opened twice, closed in a scrambled order: every count
 * goes back to zero and each address again takes two and not three (the
 * table's removals keep every entry findable).
 */
static void
test_counts_survive_churn(void)
{
	struct gate *g = gate_with(4096, 2, 1000, 60000);
	struct sockaddr_in6 a[100];
	char text[64];
	int i, ok = 0, refused = 0;

	for (i = 0; i < 100; i++) {
		snprintf(text, sizeof(text), "2001:db8:%x:%x::1", i % 7, i);
		a[i] = v6(text);
		open_from(g, &a[i], false);
		open_from(g, &a[i], false);
	}
	for (i = 0; i < 200; i++) {
		int k = (i * 73) % 200;

		close_conn(g, k);
	}
	nconns = 0;
	CHECK(gate_open_count(g) == 0);
	for (i = 0; i < 100; i++) {
		ok += !was_shut(open_from(g, &a[i], false));
		ok += !was_shut(open_from(g, &a[i], false));
		refused += was_shut(open_from(g, &a[i], false));
	}
	CHECK(ok == 200);
	CHECK(refused == 100);
	close_all(g);
	gate_free(g);
}

static void
test_proxy_claims(void)
{
	struct gate *g = gate_with(4096, 2, 100, 60000);
	struct sockaddr_in proxy = v4("10.0.0.1");
	int p[4], i;

	/* The proxy's own connections are not counted by its address. */
	for (i = 0; i < 4; i++) {
		p[i] = open_from(g, &proxy, true);
		CHECK(!was_shut(p[i]));
		CHECK(gate_is_proxy(conns[p[i]]));
	}
	CHECK(gate_claim(g, conns[p[0]], "198.51.100.7"));
	CHECK(gate_claim(g, conns[p[1]], "198.51.100.7"));
	CHECK(!gate_claim(g, conns[p[2]], "198.51.100.7"));
	CHECK(gate_claim(g, conns[p[2]], "198.51.100.8"));
	/* A request done gives its reader's place back. */
	gate_idle(g, conns[p[0]]);
	CHECK(gate_claim(g, conns[p[3]], "198.51.100.7"));
	/* So does a connection closed in the middle of one. */
	close_conn(g, p[1]);
	CHECK(gate_claim(g, conns[p[0]], "198.51.100.7"));
	close_all(g);
	gate_free(g);
}

static void
test_reserve_evicts_longest_waiting(void)
{
	struct gate *g = gate_with(16, 100, 100, 60000);
	struct sockaddr_in a = v4("192.0.2.1");
	int i, first, second, third;

	/* 16 less a reserve of 2: fourteen are held as they are. */
	for (i = 0; i < 14; i++) {
		open_from(g, &a, false);
		sleep_ms(2);
	}
	for (i = 0; i < 14; i++)
		CHECK(!was_shut(i));
	first = 0;
	second = 1;
	third = 2;
	/* The second is being answered: it is not the one to go. */
	gate_head(conns[second]);
	gate_serving(conns[second]);
	i = open_from(g, &a, false);
	CHECK(!was_shut(i));
	CHECK(was_shut(first));
	CHECK(!was_shut(second));
	i = open_from(g, &a, false);
	CHECK(!was_shut(i));
	CHECK(!was_shut(second));
	CHECK(was_shut(third));
	close_all(g);
	gate_free(g);
}

static void
test_head_deadline(void)
{
	struct gate *g = gate_with(4096, 100, 100, 100);
	struct sockaddr_in a = v4("192.0.2.1");
	int idle = open_from(g, &a, false), slow = open_from(g, &a, false);

	gate_request_line(conns[slow]);
	sleep_ms(60);
	gate_sweep(g);
	CHECK(!was_shut(slow));
	sleep_ms(200);
	gate_sweep(g);
	CHECK(was_shut(slow));
	CHECK(!was_shut(idle));
	close_all(g);
	gate_free(g);
}

static void
test_body_rate(void)
{
	struct gate *g = gate_with(4096, 100, 100, 50);
	struct sockaddr_in a = v4("192.0.2.1");
	int slow = open_from(g, &a, false), steady = open_from(g, &a, false);

	gate_head(conns[slow]);
	gate_head(conns[steady]);
	gate_body(conns[slow], 10);
	gate_body(conns[steady], 1000);
	/* 1000 bytes a second after 50 ms: 200 are due by now. */
	sleep_ms(250);
	gate_sweep(g);
	CHECK(was_shut(slow));
	CHECK(!was_shut(steady));
	close_all(g);
	gate_free(g);
}

static void
test_drain(void)
{
	struct gate *g = gate_with(4096, 100, 100, 60000);
	struct sockaddr_in a = v4("192.0.2.1");
	int idle = open_from(g, &a, false), begun = open_from(g, &a, false),
	    busy = open_from(g, &a, false);

	gate_request_line(conns[begun]);
	gate_head(conns[busy]);
	gate_serving(conns[busy]);
	CHECK(!gate_draining(g));
	CHECK(gate_drain(g) == 3);
	CHECK(gate_draining(g));
	CHECK(was_shut(idle));
	CHECK(!was_shut(begun));
	CHECK(!was_shut(busy));
	/* Answered, it waits again: the next pass closes it. */
	gate_idle(g, conns[busy]);
	gate_drain(g);
	CHECK(was_shut(busy));
	close_all(g);
	gate_free(g);
}

int
main(void)
{
	test_ipv6_prefixes();
	test_ipv4_mapped();
	test_counts_survive_churn();
	test_proxy_claims();
	test_reserve_evicts_longest_waiting();
	test_head_deadline();
	test_body_rate();
	test_drain();
	TEST_DONE();
}
