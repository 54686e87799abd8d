#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_min = LOG_INFO;
static int log_access_on = 1;

void
log_set_level(enum log_level level)
{
	log_min = level;
}

void
log_set_access(int enabled)
{
	log_access_on = enabled;
}

static __attribute__((format(printf, 2, 0))) void
log_emit(const char *level, const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	/* One fprintf per line keeps lines whole across threads. */
	if (suffix)
		fprintf(stderr, "parley: %s: %s: %s\n", level, line, suffix);
	else
		fprintf(stderr, "parley: %s: %s\n", level, line);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	char err[256];
	int saved = errno;

	strerror_r(saved, err, sizeof(err));
	va_start(ap, fmt);
	log_emit("warning", fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("warning", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_min > LOG_INFO)
		return;
	va_start(ap, fmt);
	log_emit("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_min > LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_emit("debug", fmt, ap, NULL);
	va_end(ap);
}

const char *
log_clean(char *out, size_t outsz, const char *s)
{
	size_t i;

	if (outsz == 0)
		return "";
	for (i = 0; s[i] && i + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c >= 0x7f || c == '"') ? '?' : (char)c;
	}
	out[i] = '\0';
	return out;
}

void
log_access(const char *client, const char *method, const char *path,
	   unsigned status, size_t bytes, long long usec)
{
	char c[64], m[16], p[512], ts[32];
	struct timespec now;
	struct tm tm;

	if (!log_access_on)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stdout, "%s %s \"%s %s\" %u %zu %lldus\n", ts,
		log_clean(c, sizeof(c), client),
		log_clean(m, sizeof(m), method), log_clean(p, sizeof(p), path),
		status, bytes, usec);
}
