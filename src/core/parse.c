#include "core/parse.h"

#include <string.h>

bool
parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, limit;
	size_t i = 0;

	if (s == NULL || n == 0)
		return false;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	/* Digits must follow; a zero stands alone, and never after '-'. */
	if (i == n || (s[i] == '0' && (n - i > 1 || neg)))
		return false;
	/* The magnitude of INT64_MIN is one more than INT64_MAX's. */
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		/* -(2^63) has no positive twin: build it without overflow. */
		int64_t r =
		    v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;

		if (r < min || r > max)
			return false;
		*out = r;
		return true;
	}
	if ((int64_t)v < min || (int64_t)v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

bool
parse_int_str(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s != NULL && parse_int(s, strlen(s), min, max, out);
}

bool
parse_id(const char *s, int64_t *out)
{
	return parse_int_str(s, 1, INT64_MAX, out);
}
