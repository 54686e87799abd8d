/*
 * debate_doc: reads a debate file (the header keys, the introduction,
 * the speakers and the rounds) into a debate_doc, with an error naming
 * the line for anything it refuses.  Storing it is debate.c's job.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "core/util.h"
#include "model/debate.h"

/* The debate file. */

enum section { SEC_HEADER, SEC_INTRO, SEC_SPEAKER, SEC_ROUND };

struct parse {
	struct arena *a;
	struct buf *err;
	int64_t now;
	struct debate_doc *doc;
	int line;
	enum section sec;
	int round;	   /* SEC_ROUND: which */
	bool speaker_keys; /* SEC_SPEAKER: still reading key lines */
	struct buf text;   /* the Markdown of the open section */
	int text_line;	   /* where it started */
	bool labels_set[3];
	bool comments_set;
};

__attribute__((format(printf, 3, 4))) static enum err
fail(struct parse *p, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_seterr(p->err, "%d: %s", line, msg);
	return ERR_INVALID;
}

/* Characters in s, or (size_t)-1 when it is not text we store. */
static size_t
chars_of(const char *s)
{
	size_t n;

	return utf8_valid(s, strlen(s), &n) ? n : (size_t)-1;
}

/*
 * A time: "2026-12-01 18:00" (UTC), or relative to now: "now", "+3d",
 * "-2h", "+90m", "+1w" (also "now+3d").
 */
static bool
parse_when(const char *v, int64_t now, int64_t *out)
{
	char *end;
	long long n;
	int64_t unit;

	if (strncmp(v, "now", 3) == 0) {
		v += 3;
		if (*v == '\0') {
			*out = now;
			return true;
		}
	}
	if (*v != '+' && *v != '-')
		return time_parse(v, out) && *out > 0;
	if (!isdigit((unsigned char)v[1]))
		return false;
	n = strtoll(v + 1, &end, 10);
	if (n > 100000 || end[0] == '\0' || end[1] != '\0')
		return false;
	switch (*end) {
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return false;
	}
	*out = now + (v[0] == '-' ? -1 : 1) * (int64_t)n * unit;
	return *out > 0;
}

/* Which side a speaker's "side:" names: a, b, or a label. */
static int
side_named(const struct debate *d, const char *v)
{
	if (strcasecmp(v, "a") == 0 || strcasecmp(v, d->label[SIDE_A]) == 0)
		return SIDE_A;
	if (strcasecmp(v, "b") == 0 || strcasecmp(v, d->label[SIDE_B]) == 0)
		return SIDE_B;
	return SIDE_NONE;
}

static enum err
header_key(struct parse *p, const char *key, const char *value, size_t n)
{
	struct debate *d = &p->doc->d;
	int64_t *when = NULL;

	if (strcmp(key, "motion") == 0) {
		d->motion = value;
	} else if (strcmp(key, "slug") == 0) {
		d->slug = value;
	} else if (strcmp(key, "moderator") == 0) {
		if (n > DEBATE_MAX_NAME)
			return fail(p, p->line,
				    "moderator may be at most %d characters",
				    DEBATE_MAX_NAME);
		d->moderator = value;
	} else if (strcmp(key, "side a") == 0 || strcmp(key, "side b") == 0) {
		int side = key[5] == 'a' ? SIDE_A : SIDE_B;

		if (n == 0 || n > DEBATE_MAX_LABEL)
			return fail(p, p->line,
				    "%s: a side's label is 1 to %d characters",
				    key, DEBATE_MAX_LABEL);
		d->label[side] = value;
		p->labels_set[side] = true;
	} else if (strcmp(key, "status") == 0) {
		if (strcmp(value, "draft") == 0)
			d->status = DEBATE_DRAFT;
		else if (strcmp(value, "scheduled") == 0)
			d->status = DEBATE_SCHEDULED;
		else if (strcmp(value, "open") == 0)
			d->status = DEBATE_OPEN;
		else if (strcmp(value, "closed") == 0)
			d->status = DEBATE_CLOSED;
		else
			return fail(
			    p, p->line,
			    "status must be draft, scheduled, open or closed");
	} else if (strcmp(key, "comments") == 0) {
		if (strcmp(value, "open") != 0 && strcmp(value, "closed") != 0)
			return fail(p, p->line,
				    "comments must be open or closed");
		d->comments_open = strcmp(value, "open") == 0;
		p->comments_set = true;
	} else if (strcmp(key, "opening") == 0) {
		when = &d->sched.round[ROUND_OPENING];
	} else if (strcmp(key, "rebuttal") == 0) {
		when = &d->sched.round[ROUND_REBUTTAL];
	} else if (strcmp(key, "closing") == 0) {
		when = &d->sched.round[ROUND_CLOSING];
	} else if (strcmp(key, "voting opens") == 0) {
		when = &d->sched.voting_opens;
	} else if (strcmp(key, "voting closes") == 0) {
		when = &d->sched.voting_closes;
	} else if (strcmp(key, "pre vote closes") == 0) {
		when = &d->sched.pre_closes;
	} else if (strcmp(key, "post vote opens") == 0) {
		when = &d->sched.post_opens;
	} else {
		return fail(
		    p, p->line,
		    "unknown key \"%.40s\" (known: motion, slug, "
		    "moderator, side a, side b, status, comments, opening, "
		    "rebuttal, closing, voting opens, voting closes, "
		    "pre vote closes, post vote opens)",
		    key);
	}
	if (when && !parse_when(value, p->now, when))
		return fail(p, p->line,
			    "%s: a time looks like 2026-12-01 18:00 "
			    "(UTC), or now, +3d, -2h, +30m, +1w",
			    key);
	return ERR_OK;
}

static enum err
speaker_key(struct parse *p, const char *key, const char *value, size_t n)
{
	struct debate_doc *doc = p->doc;
	struct debate_speaker *sp = &doc->speakers[doc->nspeakers - 1];

	if (strcmp(key, "name") == 0) {
		if (n == 0 || n > DEBATE_MAX_NAME)
			return fail(p, p->line,
				    "a speaker's name is 1 to %d characters",
				    DEBATE_MAX_NAME);
		sp->name = value;
	} else if (strcmp(key, "side") == 0) {
		sp->side = side_named(&doc->d, value);
		if (sp->side == SIDE_NONE)
			return fail(p, p->line,
				    "side must be a, b, \"%s\" or \"%s\"",
				    doc->d.label[SIDE_A], doc->d.label[SIDE_B]);
	} else if (strcmp(key, "bio") == 0) {
		if (n > DEBATE_MAX_BIO)
			return fail(
			    p, p->line,
			    "a bio is one line of at most %d characters",
			    DEBATE_MAX_BIO);
		sp->bio = value;
	} else if (strcmp(key, "photo") == 0) {
		if (n > 0 && (n > 2000 || !image_src_valid(value)))
			return fail(p, p->line,
				    "photo must be an http(s) address or a "
				    "path starting with /");
		sp->photo = value;
	} else if (strcmp(key, "link") == 0) {
		if (n > 0 && (n > 2000 || !http_url_valid(value)))
			return fail(p, p->line,
				    "link must be an http(s) address");
		sp->link = value;
	} else {
		return fail(
		    p, p->line,
		    "unknown speaker key \"%.40s\" (known: name, "
		    "side, bio, photo, link; statements go under [opening], "
		    "[rebuttal] and [closing])",
		    key);
	}
	return ERR_OK;
}

/* Ends the open Markdown section: the text without blank edges. */
static enum err
section_end(struct parse *p)
{
	struct debate_doc *doc = p->doc;
	const char *s = buf_cstr(&p->text);
	size_t n = p->text.len, chars;
	char *text;

	if (buf_failed(&p->text))
		return fail(p, p->text_line,
			    "a section is longer than %d bytes",
			    DEBATE_MAX_FILE);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	while (n > 0 && (*s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	text = arena_strndup(p->a, s, n);
	if (text == NULL)
		return ERR_NOMEM;
	if (p->sec == SEC_INTRO) {
		doc->d.intro_md = text;
	} else if (p->sec == SEC_ROUND) {
		struct debate_statement *st =
		    &doc->statements[doc->nstatements];

		if (!utf8_valid(text, n, &chars))
			return fail(p, p->text_line,
				    "the statement is not valid text");
		if (chars == 0)
			return fail(p, p->text_line,
				    "the [%s] section is empty",
				    p->round == ROUND_OPENING	 ? "opening"
				    : p->round == ROUND_REBUTTAL ? "rebuttal"
								 : "closing");
		if (chars > DEBATE_MAX_STATEMENT)
			return fail(p, p->text_line,
				    "a statement may be at most %d characters",
				    DEBATE_MAX_STATEMENT);
		memset(st, 0, sizeof(*st));
		st->speaker = doc->nspeakers - 1;
		st->round = p->round;
		st->body_md = text;
		st->body_html = "";
		doc->nstatements++;
	}
	buf_reset(&p->text);
	return ERR_OK;
}

/* A line "[name]" of lowercase letters and spaces; NULL otherwise. */
static const char *
section_name(char *l)
{
	size_t n = strlen(l), i;

	if (n < 3 || l[0] != '[' || l[n - 1] != ']')
		return NULL;
	for (i = 1; i < n - 1; i++)
		if (!((l[i] >= 'a' && l[i] <= 'z') || l[i] == ' '))
			return NULL;
	l[n - 1] = '\0';
	return l + 1;
}

static enum err
section_start(struct parse *p, const char *name)
{
	struct debate_doc *doc = p->doc;
	enum err e;
	size_t i;
	int round = 0;

	if ((e = section_end(p)) != ERR_OK)
		return e;
	p->text_line = p->line + 1;
	if (strcmp(name, "introduction") == 0) {
		if (doc->d.intro_md[0] != '\0' || p->sec != SEC_HEADER)
			return fail(
			    p, p->line,
			    "[introduction] comes once, before the speakers");
		p->sec = SEC_INTRO;
		return ERR_OK;
	}
	if (strcmp(name, "speaker") == 0) {
		if (doc->nspeakers == 2 * DEBATE_MAX_SPEAKERS)
			return fail(p, p->line, "at most %d speakers per side",
				    DEBATE_MAX_SPEAKERS);
		memset(&doc->speakers[doc->nspeakers], 0,
		       sizeof(doc->speakers[0]));
		doc->speakers[doc->nspeakers].name = "";
		doc->speakers[doc->nspeakers].bio = "";
		doc->speakers[doc->nspeakers].photo = "";
		doc->speakers[doc->nspeakers].link = "";
		doc->nspeakers++;
		p->sec = SEC_SPEAKER;
		p->speaker_keys = true;
		return ERR_OK;
	}
	if (strcmp(name, "opening") == 0)
		round = ROUND_OPENING;
	else if (strcmp(name, "rebuttal") == 0)
		round = ROUND_REBUTTAL;
	else if (strcmp(name, "closing") == 0)
		round = ROUND_CLOSING;
	else
		return fail(
		    p, p->line,
		    "unknown section [%.40s] (known: [introduction], "
		    "[speaker], [opening], [rebuttal], [closing]; write \\[ for a "
		    "bracket at the start of a line)",
		    name);
	if (doc->nspeakers == 0)
		return fail(
		    p, p->line,
		    "[%s] belongs to a speaker: start one with [speaker]",
		    name);
	for (i = 0; i < doc->nstatements; i++)
		if (doc->statements[i].speaker == doc->nspeakers - 1 &&
		    doc->statements[i].round == round)
			return fail(p, p->line,
				    "this speaker already has an [%s]", name);
	p->sec = SEC_ROUND;
	p->round = round;
	p->speaker_keys = false;
	return ERR_OK;
}

/* One line of the file (without its newline), modifiable. */
static enum err
parse_line(struct parse *p, char *raw)
{
	char *l, *colon, *key, *value;
	const char *name;
	size_t rawlen = strlen(raw), n;

	if (rawlen && raw[rawlen - 1] == '\r')
		raw[--rawlen] = '\0';
	l = arena_strdup(p->a, raw);
	if (l == NULL)
		return ERR_NOMEM;
	str_trim(l);
	if ((name = section_name(l)) != NULL)
		return section_start(p, name);
	if (p->sec == SEC_INTRO || p->sec == SEC_ROUND) {
		if (!buf_append(&p->text, raw, rawlen) ||
		    !buf_putc(&p->text, '\n'))
			return fail(p, p->line, "a section is too long");
		return ERR_OK;
	}
	/* The header and a speaker's keys: "key: value" lines. */
	if (l[0] == '\0' || l[0] == '#')
		return ERR_OK;
	colon = strchr(l, ':');
	if (colon == NULL)
		return fail(
		    p, p->line,
		    p->sec == SEC_SPEAKER
			? "expected \"key: value\" (a speaker's statements go under "
			  "[opening], [rebuttal] or [closing])"
			: "expected \"key: value\" or a section such as [introduction]");
	*colon = '\0';
	key = str_trim(l);
	value = str_trim(colon + 1);
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	n = chars_of(value);
	if (n == (size_t)-1)
		return fail(p, p->line, "%s has characters we cannot store",
			    key);
	/* The line's buffer is reused: keep the value in the arena. */
	value = arena_strdup(p->a, value);
	if (value == NULL)
		return ERR_NOMEM;
	return p->sec == SEC_SPEAKER ? speaker_key(p, key, value, n)
				     : header_key(p, key, value, n);
}

/* The width of a vote-history bucket: about 48 over the voting time. */
static int64_t
bucket_width(const struct debate *d)
{
	static const int64_t nice[] = {60,    300,    600,   900,   1800,
				       3600,  7200,   10800, 21600, 43200,
				       86400, 172800, 604800};
	int64_t opens = d->sched.voting_opens ? d->sched.voting_opens
					      : d->sched.round[ROUND_OPENING];
	int64_t span = d->sched.voting_closes && opens
			   ? d->sched.voting_closes - opens
			   : 0;
	size_t i;

	if (span <= 0)
		return 3600;
	for (i = 0; i < sizeof(nice) / sizeof(nice[0]); i++)
		if (nice[i] * 48 >= span)
			return nice[i];
	return nice[sizeof(nice) / sizeof(nice[0]) - 1];
}

static enum err
check_doc(struct parse *p)
{
	struct debate *d = &p->doc->d;
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	size_t i, per_side[3] = {0, 0, 0}, chars;
	int r;

	if (d->motion == NULL || d->motion[0] == '\0')
		return fail(p, 1, "the debate needs a motion");
	chars = chars_of(d->motion);
	if (chars > DEBATE_MAX_MOTION)
		return fail(p, 1, "the motion may be at most %d characters",
			    DEBATE_MAX_MOTION);
	if (d->motion[strlen(d->motion) - 1] != '?')
		return fail(p, 1,
			    "the motion is a question: end it with \"?\"");
	if (d->slug == NULL || d->slug[0] == '\0') {
		char *slug = arena_alloc(p->a, 101);

		if (slug == NULL)
			return ERR_NOMEM;
		slug_from_title(d->motion, slug, 101);
		d->slug = slug;
	}
	if (!slug_valid(d->slug))
		return fail(p, 1, "slug must be 1-100 of a-z, 0-9 and '-'");
	if (strcasecmp(d->label[SIDE_A], d->label[SIDE_B]) == 0)
		return fail(p, 1, "the two sides need different labels");
	if (!utf8_valid(d->intro_md, strlen(d->intro_md), &chars) ||
	    chars > DEBATE_MAX_STATEMENT)
		return fail(p, 1,
			    "the introduction may be at most %d characters",
			    DEBATE_MAX_STATEMENT);
	for (i = 0; i < p->doc->nspeakers; i++) {
		const struct debate_speaker *sp = &p->doc->speakers[i];

		if (sp->name[0] == '\0')
			return fail(
			    p, 1,
			    "speaker %zu (from the top) needs a name:", i + 1);
		if (sp->side == SIDE_NONE)
			return fail(p, 1,
				    "speaker %.100s needs a side: (a or b)",
				    sp->name);
		if (++per_side[sp->side] > DEBATE_MAX_SPEAKERS)
			return fail(p, 1, "at most %d speakers per side",
				    DEBATE_MAX_SPEAKERS);
		p->doc->speakers[i].position = (int)per_side[sp->side];
	}
	if (per_side[SIDE_A] == 0 || per_side[SIDE_B] == 0)
		return fail(p, 1, "each side needs at least one [speaker]");
	for (r = ROUND_REBUTTAL; r <= ROUND_CLOSING; r++)
		if (s->round[r] && s->round[r - 1] &&
		    s->round[r] <= s->round[r - 1])
			return fail(
			    p, 1, "the %s round must open after the %s round",
			    r == ROUND_REBUTTAL ? "rebuttal" : "closing",
			    r == ROUND_REBUTTAL ? "opening" : "rebuttal");
	if (s->voting_closes && opens && s->voting_closes <= opens)
		return fail(p, 1, "voting must close after it opens");
	if (s->pre_closes && opens && s->pre_closes <= opens)
		return fail(p, 1, "the pre vote must close after voting opens");
	if (s->post_opens && s->voting_closes &&
	    s->post_opens >= s->voting_closes)
		return fail(p, 1,
			    "the post vote must open before voting closes");
	d->bucket_secs = bucket_width(d);
	return ERR_OK;
}

enum err
debate_parse(struct arena *a, const char *text, size_t n, int64_t now,
	     struct debate_doc *out, struct buf *err)
{
	struct parse p;
	const char *s = text, *end = text + n, *eol;
	enum err e = ERR_OK;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.a = a;
	p.err = err;
	p.now = now;
	p.doc = out;
	out->d.slug = NULL;
	out->d.moderator = "";
	out->d.intro_md = "";
	out->d.intro_html = "";
	out->d.label[SIDE_NONE] = "";
	out->d.label[SIDE_A] = "Yes";
	out->d.label[SIDE_B] = "No";
	out->d.status = DEBATE_SCHEDULED;
	out->d.comments_open = true;
	out->d.created = now;
	if (n > DEBATE_MAX_FILE) {
		buf_seterr(err, "1: the file is larger than %d bytes",
			   DEBATE_MAX_FILE);
		return ERR_INVALID;
	}
	if (!utf8_valid(text, n, NULL)) {
		buf_seterr(err, "1: the file is not valid UTF-8 text");
		return ERR_INVALID;
	}
	out->speakers =
	    arena_zalloc(a, 2 * DEBATE_MAX_SPEAKERS * sizeof(*out->speakers));
	out->statements = arena_zalloc(a, 2 * DEBATE_MAX_SPEAKERS * 3 *
					      sizeof(*out->statements));
	if (out->speakers == NULL || out->statements == NULL)
		return ERR_NOMEM;
	buf_init(&p.text, DEBATE_MAX_FILE);
	while (s < end && e == ERR_OK) {
		char *line;

		p.line++;
		eol = memchr(s, '\n', (size_t)(end - s));
		if (eol == NULL)
			eol = end;
		line = arena_strndup(a, s, (size_t)(eol - s));
		if (line == NULL)
			e = ERR_NOMEM;
		else
			e = parse_line(&p, line);
		s = eol < end ? eol + 1 : end;
	}
	if (e == ERR_OK)
		e = section_end(&p);
	buf_clear(&p.text);
	if (e == ERR_OK)
		e = check_doc(&p);
	return e;
}
