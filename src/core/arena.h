/*
 * arena: a memory pool that lives as long as one request (or one CLI
 * command).  Allocations are never freed one by one; arena_free() releases
 * everything at once.  Allocation failure returns NULL.
 */
#ifndef PARLEY_ARENA_H
#define PARLEY_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_clear(struct arena *a); /* frees every block; reusable after */

__attribute__((warn_unused_result, malloc)) void *arena_alloc(struct arena *a,
							      size_t n);
__attribute__((warn_unused_result)) void *arena_zalloc(struct arena *a,
						       size_t n);
__attribute__((warn_unused_result)) char *arena_strdup(struct arena *a,
						       const char *s);
__attribute__((warn_unused_result)) char *
arena_strndup(struct arena *a, const char *s, size_t n);
__attribute__((warn_unused_result, format(printf, 2, 3))) char *
arena_printf(struct arena *a, const char *fmt, ...);

#endif
