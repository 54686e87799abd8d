/*
 * gate: the budget of open connections.  It counts them per address (an
 * IPv4 address, an IPv6 /64) and per network (an IPv4 /24, an IPv6 /48),
 * keeps a reserve free for new readers by closing the connection that has
 * waited longest for a request, and closes a connection whose request
 * head takes too long or whose body comes too slowly.  libmicrohttpd's own
 * timeout restarts on every byte: a reader sending one header line every
 * few seconds would otherwise hold a connection for as long as it likes.
 *
 * A connection is closed with shutdown(): the server's event loop sees the
 * stream end and frees the connection as if the reader had gone.  A
 * trusted proxy's connections are not counted by its address; each request
 * they carry is counted by the reader's address instead (gate_claim).
 *
 * Open and close take the gate's lock; the calls a request makes on its
 * way (head, body, serving, idle) do not, unless it came through a proxy.
 */
#ifndef PARLEY_GATE_H
#define PARLEY_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;
struct gate;
struct gate_conn;

struct gate_limits {
	int max_connections; /* open at most (the server holds the rest) */
	int reserve;	     /* kept free: past max - reserve, one closes */
	int per_address;     /* from one IPv4 address or IPv6 /64 */
	int per_network;     /* from one IPv4 /24 or IPv6 /48 */
	int head_ms;	     /* a request head, from its first byte */
	long body_rate;	     /* body bytes a second, after head_ms */
	int sweep_ms;	     /* how often deadlines are looked at */
};

/* Starts the gate and its sweeper thread; NULL when out of memory. */
struct gate *gate_new(const struct gate_limits *lim);
/* Stops the sweeper and frees the gate (every connection closed first). */
void gate_free(struct gate *g);

/*
 * A connection was accepted on fd from sa.  A proxy's connection is not
 * counted by its address.  Returns its record, to give back to
 * gate_close(); a connection over its address's or network's budget is
 * shut down at once (still recorded).  NULL when out of memory, the
 * connection shut down then too.
 */
struct gate_conn *gate_open(struct gate *g, int fd, const struct sockaddr *sa,
			    bool proxy);
/* The connection is gone (its fd not yet closed); c is freed. */
void gate_close(struct gate *g, struct gate_conn *c);

/* A request line came: a head has begun (it may yet come slowly). */
void gate_request_line(struct gate_conn *c);
/* A request's head is complete: its body, if any, comes next. */
void gate_head(struct gate_conn *c);
/* n more body bytes arrived. */
void gate_body(struct gate_conn *c, size_t n);
/* The request is being answered: no deadline holds until it is done. */
void gate_serving(struct gate_conn *c);
/* The answer is done: the connection waits for its next request. */
void gate_idle(struct gate *g, struct gate_conn *c);

/* True when c came from a trusted proxy. */
bool gate_is_proxy(const struct gate_conn *c);
/*
 * Counts c's current request against the reader's address (text, as
 * inet_ntop writes it) until gate_idle(); false, and nothing counted, when
 * that address or its network is at its budget.
 */
bool gate_claim(struct gate *g, struct gate_conn *c, const char *reader);

/*
 * The server is stopping: shuts down every connection waiting for a
 * request that has not begun to send one, now and at every call, so
 * clients retry elsewhere rather than send into a closing socket.
 * Returns the connections still open.
 */
size_t gate_drain(struct gate *g);
/* True once gate_drain() was called: answers say Connection: close. */
bool gate_draining(const struct gate *g);

/* Closes what is past its deadline now (the sweeper's pass; for tests). */
void gate_sweep(struct gate *g);

/* Open connections, and how many the gate has shut (for tests). */
size_t gate_open_count(struct gate *g);

#endif
