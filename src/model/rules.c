#include "model/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cidr.h"
#include "core/parse.h"
#include "store/store.h"

size_t
rules_count_links(const char *html)
{
	size_t n = 0;
	const char *p = html;

	/* The renderer writes every link as "<a href=": nothing else does. */
	while ((p = strstr(p, "<a href=")) != NULL) {
		n++;
		p += 8;
	}
	return n;
}

/* A byte that is part of a word: letters, digits, and any UTF-8 byte. */
static bool
word_byte(unsigned char c)
{
	return isalnum(c) || c >= 0x80;
}

/* True when needle[0..n) is in text as whole words, in any ASCII case. */
static bool
has_words(const char *text, const char *needle, size_t n)
{
	const char *p;

	for (p = text; *p; p++) {
		if (strncasecmp(p, needle, n) != 0)
			continue;
		if ((p == text || !word_byte((unsigned char)p[-1])) &&
		    !word_byte((unsigned char)p[n]))
			return true;
	}
	return false;
}

const char *
rules_words_match(struct arena *a, const char *list, const char *text)
{
	const char *p = list ? list : "";

	while (*p) {
		size_t n = strcspn(p, ","), lead = strspn(p, " \t");
		size_t len = n > lead ? n - lead : 0;

		while (len > 0 &&
		       (p[lead + len - 1] == ' ' || p[lead + len - 1] == '\t'))
			len--;
		if (len > 0 && has_words(text, p + lead, len))
			return arena_strndup(a, p + lead, len);
		p += n;
		if (*p == ',')
			p++;
	}
	return NULL;
}

/* The next entry of a list separated by spaces or commas; false at the end. */
static bool
next_entry(const char **p, size_t *n)
{
	const char *s = *p + strspn(*p, " ,\t");

	*n = strcspn(s, " ,\t");
	*p = s;
	return *n > 0;
}

bool
rules_email_blocked(const char *emails, const char *domains, const char *email)
{
	const char *at = strrchr(email, '@'), *p;
	size_t n, elen = strlen(email);

	if (elen == 0)
		return false;
	for (p = emails ? emails : ""; next_entry(&p, &n); p += n)
		if (n == elen && strncasecmp(p, email, n) == 0)
			return true;
	if (at == NULL)
		return false;
	at++;
	elen = strlen(at);
	for (p = domains ? domains : ""; next_entry(&p, &n); p += n) {
		if (n > elen)
			continue;
		/* The domain itself, or one under it after a dot. */
		if (strncasecmp(at + elen - n, p, n) == 0 &&
		    (n == elen || at[elen - n - 1] == '.'))
			return true;
	}
	return false;
}

bool
rules_id_listed(const char *list, int64_t id)
{
	const char *p = list ? list : "";
	int64_t v;
	size_t n;

	if (id == 0)
		return false;
	for (; next_entry(&p, &n); p += n)
		if (parse_int(p, n, 1, INT64_MAX, &v) && v == id)
			return true;
	return false;
}

/* The first entry of list found in any of the comment's fields. */
static const char *
words_in_fields(struct arena *a, const char *list, const struct rules_input *in)
{
	const char *fields[] = {in->body, in->author, in->email, in->url};
	const char *w = NULL;
	size_t i;

	if (list == NULL || list[0] == '\0')
		return NULL;
	for (i = 0; w == NULL && i < sizeof(fields) / sizeof(fields[0]); i++)
		w = rules_words_match(a, list, fields[i]);
	return w;
}

const char *
rules_refused(const struct config *cfg, struct arena *a,
	      const struct rules_input *in)
{
	return words_in_fields(a, cfg->refuse_words, in);
}

int
rules_judge(const struct config *cfg, struct arena *a,
	    const struct rules_input *in, const char **reason)
{
	const char *w;
	size_t links;

	*reason = NULL;
	if (rules_email_blocked(cfg->blocked_emails, cfg->blocked_domains,
				in->email)) {
		*reason = "blocked email";
		return STATUS_SPAM;
	}
	if (cidr_list_match(cfg->blocked_networks, in->ip)) {
		*reason = "blocked address";
		return STATUS_SPAM;
	}
	if (rules_id_listed(cfg->blocked_accounts, in->user_id)) {
		*reason = "blocked account";
		return STATUS_SPAM;
	}
	links = rules_count_links(in->body_html);
	if (links > (size_t)cfg->max_links) {
		*reason = arena_printf(a, "%zu links", links);
		return STATUS_PENDING;
	}
	if ((w = words_in_fields(a, cfg->hold_words, in)) != NULL) {
		*reason = arena_printf(a, "word: %s", w);
		return STATUS_PENDING;
	}
	return STATUS_APPROVED;
}
