/*
 * buf: a growable byte buffer with a hard cap.
 *
 * Every append returns a checked result: when memory runs out or the cap
 * would be passed, the buffer is marked failed, keeps what it had, and
 * every later append is refused.  Callers check once, at the end, with
 * buf_failed(), instead of after every append.
 */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when len > 0 or after buf_cstr */
	size_t len;
	size_t cap; /* allocated bytes */
	size_t max; /* hard cap on len; 0 means BUF_DEFAULT_MAX */
	bool failed;
};

#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void buf_init(struct buf *b, size_t max);
void buf_clear(struct buf *b); /* frees the memory */
void buf_reset(struct buf *b); /* keeps the memory, empties */

__attribute__((warn_unused_result)) bool buf_append(struct buf *b,
						    const void *p, size_t n);
__attribute__((warn_unused_result)) bool buf_puts(struct buf *b, const char *s);
__attribute__((warn_unused_result)) bool buf_putc(struct buf *b, char c);
__attribute__((warn_unused_result, format(printf, 2, 3))) bool
buf_printf(struct buf *b, const char *fmt, ...);
__attribute__((warn_unused_result, format(printf, 2, 0))) bool
buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* The contents as a C string; "" for an empty buffer. */
const char *buf_cstr(struct buf *b);

/* Hands the memory to the caller (free() it); the buffer is left empty. */
char *buf_steal(struct buf *b, size_t *len);

static inline bool
buf_failed(const struct buf *b)
{
	return b->failed;
}

/*
 * Replaces the contents with a message, for error reports where a failed
 * append can only mean a shorter message: nothing to check.
 */
__attribute__((format(printf, 2, 3))) void buf_seterr(struct buf *b,
						      const char *fmt, ...);

#endif
