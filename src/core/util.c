#include "core/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool
utf8_valid(const char *str, size_t n, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, count = 0;

	while (i < n) {
		unsigned c = s[i], cp, len, k;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			    c == 0x7f)
				return false;
			i++;
			count++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
		count++;
	}
	if (chars)
		*chars = count;
	return true;
}

/* Does the output end, at w, with a bidirectional control? Its length. */
static size_t
bidi_tail(const unsigned char *start, const unsigned char *w)
{
	size_t n = (size_t)(w - start);

	if (n >= 2 && w[-2] == 0xD8 && w[-1] == 0x9C)
		return 2; /* U+061C */
	if (n < 3 || w[-3] != 0xE2)
		return 0;
	if (w[-2] == 0x80 && (w[-1] == 0x8E || w[-1] == 0x8F ||
			      (w[-1] >= 0xAA && w[-1] <= 0xAE)))
		return 3; /* U+200E, U+200F, U+202A-202E */
	if (w[-2] == 0x81 && w[-1] >= 0xA6 && w[-1] <= 0xA9)
		return 3; /* U+2066-2069 */
	return 0;
}

size_t
str_strip_bidi(char *s)
{
	unsigned char *start = (unsigned char *)s, *r = start, *w = start;

	/*
	 * Checked on what is kept, not on what is read: taking one out of
	 * broken UTF-8 cannot join its neighbours into another.
	 */
	while (*r) {
		*w++ = *r++;
		w -= bidi_tail(start, w);
	}
	*w = '\0';
	return (size_t)(w - start);
}

char *
str_trim(char *s)
{
	size_t n = strlen(s), start = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (start < n && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, n - start);
	s[n - start] = '\0';
	return s;
}

bool
email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *p, *dot;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == '"' || *p == '\'' || *p == ',' ||
		    *p == ';' || *p == '\\')
			return false;
	dot = strrchr(at + 1, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0')
		return false;
	return strstr(at, "..") == NULL;
}

/*
 * No white space, control character, quote, angle bracket, backtick or
 * backslash: what could end an attribute or change the address a browser
 * reads.
 */
static bool
url_chars_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '"' ||
		    *s == '<' || *s == '>' || *s == '\\' || *s == '`')
			return false;
	return true;
}

bool
http_url_valid(const char *s)
{
	const char *host;

	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return false;
	return url_chars_ok(s);
}

bool
image_src_valid(const char *s)
{
	if (http_url_valid(s))
		return true;
	/* url_chars_ok() refuses a backslash, "/\host" included. */
	return s[0] == '/' && s[1] != '/' && url_chars_ok(s);
}

bool
slug_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 100 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

void
slug_from_title(const char *title, char *out, size_t outsz)
{
	size_t o = 0;
	bool dash = false;

	for (; *title && o + 2 < outsz && o < 100; title++) {
		unsigned char c = (unsigned char)*title;

		if (isalnum(c) && c < 0x80) {
			if (dash && o > 0)
				out[o++] = '-';
			dash = false;
			out[o++] = (char)tolower(c);
		} else if (c != '\'') {
			dash = true;
		}
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o == 0 && outsz > 5) {
		memcpy(out, "post", 4);
		o = 4;
	}
	out[o] = '\0';
}

/*
 * The test clock.  Tests rewrite PARLEY_CLOCK_FILE while the server runs,
 * so its bytes are mapped, not read: a rewrite shows at the next call
 * without a system call.  State: 0 not looked at yet, 1 no file, 2 mapped.
 */
#define CLOCK_FILE_BYTES 32

static pthread_once_t clock_once = PTHREAD_ONCE_INIT;
static atomic_int clock_state;
static const volatile char *clock_map;

static void
clock_open(void)
{
	const char *path = getenv("PARLEY_CLOCK_FILE");
	struct stat st;
	void *p = MAP_FAILED;

	if (path != NULL && path[0] != '\0') {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		/* An empty file cannot be mapped: reading it would fault. */
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
			p = mmap(NULL, CLOCK_FILE_BYTES, PROT_READ, MAP_SHARED,
				 fd, 0);
		if (fd >= 0)
			close(fd);
		if (p == MAP_FAILED)
			fprintf(stderr,
				"parley: PARLEY_CLOCK_FILE %s: cannot "
				"be read; the clock is not moved\n",
				path);
	}
	clock_map = p == MAP_FAILED ? NULL : p;
	atomic_store_explicit(&clock_state, clock_map ? 2 : 1,
			      memory_order_release);
}

/* The seconds written in the clock file: optional sign, then digits. */
static int64_t
clock_file_offset(void)
{
	int64_t v = 0;
	size_t i = 0, digits = 0;
	bool neg = false;

	pthread_once(&clock_once, clock_open);
	if (clock_map == NULL)
		return 0;
	while (i < CLOCK_FILE_BYTES &&
	       (clock_map[i] == ' ' || clock_map[i] == '\t'))
		i++;
	if (i < CLOCK_FILE_BYTES &&
	    (clock_map[i] == '-' || clock_map[i] == '+'))
		neg = clock_map[i++] == '-';
	/* 15 digits: any real offset, and no overflow. */
	for (; i < CLOCK_FILE_BYTES && digits < 15; i++, digits++) {
		char c = clock_map[i];

		if (c < '0' || c > '9')
			break;
		v = v * 10 + (c - '0');
	}
	return neg ? -v : v;
}

/* Production (no file): one well-predicted branch, inlined. */
static inline int64_t
clock_offset(void)
{
	int state = atomic_load_explicit(&clock_state, memory_order_acquire);

	if (__builtin_expect(state == 1, 1))
		return 0;
	return clock_file_offset();
}

int64_t
time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + clock_offset();
}

int64_t
time_now_msec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec + clock_offset()) * 1000 +
	       ts.tv_nsec / 1000000;
}

int64_t
time_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 +
	       clock_offset() * 1000000;
}

static const char *const months[] = {
    "January", "February", "March",	"April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

/*
 * The UTC calendar date and time of t, without gmtime_r(): that takes the
 * time zone lock and costs more than the rest of a comment's view, and a
 * page shows a hundred dates.  Days are counted in 400-year eras of
 * 146,097 days from 0000-03-01, so a leap day ends its year.  false for
 * times outside years 1000 to 9999 (four digits, and no negative day
 * count), which the callers format the slow way.
 */
static bool
civil_time(int64_t t, int *year, int *mon, int *mday, int *hour, int *min,
	   int *sec)
{
	int64_t days, secs, era, doe, yoe, doy, mp;

	if (t < -30610224000LL || t >= 253402300800LL)
		return false;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* from 1970-01-01 to 0000-03-01 */
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 2 : mp - 10); /* from 0, January */
	*year = (int)(yoe + era * 400 + (*mon < 2 ? 1 : 0));
	*hour = (int)(secs / 3600);
	*min = (int)(secs / 60 % 60);
	*sec = (int)(secs % 60);
	return true;
}

/* Writes v as width digits, zero-padded; returns the end. */
static char *
put_digits(char *p, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void
time_format_human(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int y, mo, d, h, mi, s;
	char buf[48], *p = buf;
	size_t n;

	if (!civil_time(t, &y, &mo, &d, &h, &mi, &s)) {
		gmtime_r(&tt, &tm);
		snprintf(out, outsz, "%d %s %d at %02d:%02d", tm.tm_mday,
			 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
			 tm.tm_min);
		return;
	}
	p = put_digits(p, d, d < 10 ? 1 : 2);
	*p++ = ' ';
	n = strlen(months[mo]);
	memcpy(p, months[mo], n);
	p += n;
	*p++ = ' ';
	p = put_digits(p, y, 4);
	memcpy(p, " at ", 4);
	p = put_digits(p + 4, h, 2);
	*p++ = ':';
	p = put_digits(p, mi, 2);
	*p = '\0';
	if (outsz > 0) {
		n = (size_t)(p - buf) < outsz ? (size_t)(p - buf) : outsz - 1;
		memcpy(out, buf, n);
		out[n] = '\0';
	}
}

void
time_format_iso(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int y, mo, d, h, mi, s;
	char buf[24], *p = buf;
	size_t n;

	if (!civil_time(t, &y, &mo, &d, &h, &mi, &s)) {
		gmtime_r(&tt, &tm);
		strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return;
	}
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, mo + 1, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, h, 2);
	*p++ = ':';
	p = put_digits(p, mi, 2);
	*p++ = ':';
	p = put_digits(p, s, 2);
	*p++ = 'Z';
	*p = '\0';
	if (outsz > 0) {
		n = (size_t)(p - buf) < outsz ? (size_t)(p - buf) : outsz - 1;
		memcpy(out, buf, n);
		out[n] = '\0';
	}
}

/* Days in month mo (1-12) of year y, by the Gregorian calendar. */
static int
days_in_month(int y, int mo)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

bool
time_parse(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	char sep;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
		return false;
	s += used;
	if (*s != '\0') {
		sep = *s++;
		if (sep != ' ' && sep != 'T')
			return false;
		used = 0;
		if (sscanf(s, "%2d:%2d%n", &h, &mi, &used) != 2)
			return false;
		s += used;
		if (*s == ':') {
			used = 0;
			if (sscanf(s + 1, "%2d%n", &sec, &used) != 1)
				return false;
			s += 1 + used;
		}
		if (*s == 'Z')
			s++;
		if (*s != '\0')
			return false;
	}
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59 ||
	    h < 0 || mi < 0 || sec < 0)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return true;
}
