#include "core/change.h"

#include <pthread.h>
#include <stdlib.h>

struct change_subscriber {
	void (*fn)(void *arg, const struct change_event *ev);
	void *arg;
};

struct change_bus {
	/*
	 * One lock around numbering and delivery: two writers' events reach
	 * every subscriber in the same order, the order of their numbers.
	 */
	pthread_mutex_t lock;
	uint64_t seq;
	struct change_subscriber subs[CHANGE_SUBSCRIBERS_MAX];
	size_t nsubs;
};

struct change_bus *
change_bus_new(void)
{
	struct change_bus *bus = calloc(1, sizeof(*bus));

	if (bus == NULL)
		return NULL;
	if (pthread_mutex_init(&bus->lock, NULL) != 0) {
		free(bus);
		return NULL;
	}
	return bus;
}

void
change_bus_free(struct change_bus *bus)
{
	if (bus == NULL)
		return;
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

bool
change_subscribe(struct change_bus *bus,
		 void (*fn)(void *arg, const struct change_event *ev),
		 void *arg)
{
	if (bus == NULL || fn == NULL || bus->nsubs == CHANGE_SUBSCRIBERS_MAX)
		return false;
	pthread_mutex_lock(&bus->lock);
	bus->subs[bus->nsubs].fn = fn;
	bus->subs[bus->nsubs].arg = arg;
	bus->nsubs++;
	pthread_mutex_unlock(&bus->lock);
	return true;
}

uint64_t
change_publish(struct change_bus *bus, const struct change_tag *tags, size_t n)
{
	struct change_event ev;
	size_t i;

	if (bus == NULL || n == 0)
		return 0;
	ev.tags = tags;
	ev.ntags = n;
	pthread_mutex_lock(&bus->lock);
	ev.seq = ++bus->seq;
	for (i = 0; i < bus->nsubs; i++)
		bus->subs[i].fn(bus->subs[i].arg, &ev);
	pthread_mutex_unlock(&bus->lock);
	return ev.seq;
}

uint64_t
change_publish_one(struct change_bus *bus, enum change_kind kind, int64_t id)
{
	struct change_tag t = {kind, id};

	return change_publish(bus, &t, 1);
}
