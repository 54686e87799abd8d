/*
 * log: messages to standard error, one line each, with a level.  The
 * access log is its own stream (standard output), one line a request.
 * Untrusted strings must go through log_clean() before they are logged.
 */
#ifndef PARLEY_LOG_H
#define PARLEY_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN };

void log_set_level(enum log_level level);
void log_set_access(int enabled);

/* log_warn appends strerror(errno). */
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warnx(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);

/*
 * One access-log line: the reader's address (the proxied one behind a
 * trusted proxy), the request, status, bytes sent and time taken.
 */
void log_access(const char *client, const char *method, const char *path,
		unsigned status, size_t bytes, long long usec);

/*
 * Copies s into out (size outsz), replacing control characters and
 * non-ASCII bytes with '?' and truncating, so a log line stays one line.
 */
const char *log_clean(char *out, size_t outsz, const char *s);

#endif
