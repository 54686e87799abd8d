/*
 * change: the one stream of change events.  After a write is committed,
 * the code that made it publishes what it changed as a list of tags (an
 * article, a debate, a user, the front page); subscribers registered at
 * start-up (the page cache now, live streams and other nodes later) hear
 * every event in the order of its sequence number.  Lower layers publish;
 * they never call the layers that keep copies of what they wrote.
 */
#ifndef PARLEY_CHANGE_H
#define PARLEY_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum change_kind {
	CHANGE_ARTICLE, /* an article's page or its discussion; id */
	CHANGE_DEBATE,	/* a debate's own rows; id is the debate's */
	CHANGE_USER,	/* an account; id */
	CHANGE_FRONT,	/* what lists articles or debates; id 0 */
	CHANGE__MAX
};

struct change_tag {
	enum change_kind kind;
	int64_t id;
};

struct change_event {
	uint64_t seq; /* 1, 2, ... in the order subscribers hear them */
	const struct change_tag *tags;
	size_t ntags;
};

/* At most this many subscribers: they are parts of the program, not clients. */
#define CHANGE_SUBSCRIBERS_MAX 8

struct change_bus;

/* NULL when out of memory. */
struct change_bus *change_bus_new(void);
void change_bus_free(struct change_bus *bus);

/*
 * Adds fn(arg, event) to the subscribers; only at start-up, before the
 * first publish.  False when the table is full.  fn runs on the
 * publisher's thread with the bus's lock held, so it must be quick and
 * must not publish.
 */
bool change_subscribe(struct change_bus *bus,
		      void (*fn)(void *arg, const struct change_event *ev),
		      void *arg) __attribute__((warn_unused_result));

/*
 * Publishes one event made of tags[0..n) to every subscriber, in
 * subscription order, and returns its sequence number.  A NULL bus (a
 * program that wired none) or an empty list publishes nothing (0).
 */
uint64_t change_publish(struct change_bus *bus, const struct change_tag *tags,
			size_t n);

/* Publishes one tag; the common case. */
uint64_t change_publish_one(struct change_bus *bus, enum change_kind kind,
			    int64_t id);

#endif
