#include "model/debate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "core/ratelimit.h"
#include "render/markdown.h"

/* Refusal counts are saved at most this often per debate (seconds). */
#define REFUSAL_FLUSH_SECS 10
#define PENDING_SLOTS	   64

const char *
debate_round_name(int round)
{
	switch (round) {
	case ROUND_OPENING:
		return "Opening";
	case ROUND_REBUTTAL:
		return "Rebuttal";
	case ROUND_CLOSING:
		return "Closing";
	default:
		return "";
	}
}

const char *
debate_status_name(enum debate_status s)
{
	switch (s) {
	case DEBATE_DRAFT:
		return "draft";
	case DEBATE_SCHEDULED:
		return "scheduled";
	case DEBATE_OPEN:
		return "open";
	case DEBATE_CLOSED:
		return "closed";
	}
	return "draft";
}

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

static bool
image_ok(const char *v)
{
	return http_url_valid(v) || (v[0] == '/' && v[1] != '/');
}

static enum err
header_key(struct parse *p, const char *key, const char *value)
{
	struct debate *d = &p->doc->d;
	const char *copy = arena_strdup(p->a, value);
	int64_t *when = NULL;
	size_t n = chars_of(value);

	if (copy == NULL)
		return ERR_NOMEM;
	if (n == (size_t)-1)
		return fail(p, p->line, "%s has characters we cannot store",
			    key);
	if (strcmp(key, "motion") == 0) {
		d->motion = copy;
	} else if (strcmp(key, "slug") == 0) {
		d->slug = copy;
	} else if (strcmp(key, "moderator") == 0) {
		if (n > DEBATE_MAX_NAME)
			return fail(p, p->line,
				    "moderator may be at most %d characters",
				    DEBATE_MAX_NAME);
		d->moderator = copy;
	} else if (strcmp(key, "side a") == 0 || strcmp(key, "side b") == 0) {
		int side = key[5] == 'a' ? SIDE_A : SIDE_B;

		if (n == 0 || n > DEBATE_MAX_LABEL)
			return fail(p, p->line,
				    "%s: a side's label is 1 to %d characters",
				    key, DEBATE_MAX_LABEL);
		d->label[side] = copy;
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
speaker_key(struct parse *p, const char *key, const char *value)
{
	struct debate_doc *doc = p->doc;
	struct debate_speaker *sp = &doc->speakers[doc->nspeakers - 1];
	const char *copy = arena_strdup(p->a, value);
	size_t n = chars_of(value);

	if (copy == NULL)
		return ERR_NOMEM;
	if (n == (size_t)-1)
		return fail(p, p->line, "%s has characters we cannot store",
			    key);
	if (strcmp(key, "name") == 0) {
		if (n == 0 || n > DEBATE_MAX_NAME)
			return fail(p, p->line,
				    "a speaker's name is 1 to %d characters",
				    DEBATE_MAX_NAME);
		sp->name = copy;
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
		sp->bio = copy;
	} else if (strcmp(key, "photo") == 0) {
		if (n > 0 && (n > 2000 || !image_ok(value)))
			return fail(p, p->line,
				    "photo must be an http(s) address or a "
				    "path starting with /");
		sp->photo = copy;
	} else if (strcmp(key, "link") == 0) {
		if (n > 0 && (n > 2000 || !http_url_valid(value)))
			return fail(p, p->line,
				    "link must be an http(s) address");
		sp->link = copy;
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
	size_t rawlen = strlen(raw);

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
	return p->sec == SEC_SPEAKER ? speaker_key(p, key, value)
				     : header_key(p, key, value);
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

/* Renders Markdown into a string in the arena; NULL when out of memory. */
static const char *
render(struct arena *a, const char *md)
{
	struct buf html;
	const char *out = NULL;

	buf_init(&html, LIMIT_PAGE_HTML);
	if (markdown_render(&html, md, strlen(md), MARKDOWN_AUTHOR))
		out = arena_strndup(a, buf_cstr(&html), html.len);
	buf_clear(&html);
	return out;
}

enum err
debate_create(struct app *app, struct debate_doc *doc, int64_t *id)
{
	struct arena a;
	enum err e = ERR_NOMEM;
	size_t i;

	arena_init(&a);
	if ((doc->d.intro_html = render(&a, doc->d.intro_md)) == NULL)
		goto done;
	for (i = 0; i < doc->nstatements; i++)
		if ((doc->statements[i].body_html =
			 render(&a, doc->statements[i].body_md)) == NULL)
			goto done;
	e = app->store->ops->debate_insert(app->store, doc, id);
	if (e == ERR_OK) {
		/* The new debate shows in the front page's list. */
		struct change_tag tags[] = {{CHANGE_DEBATE, *id},
					    {CHANGE_FRONT, 0}};

		change_publish(app->changes, tags, 2);
	}
done:
	/* The HTML lived in this function's arena. */
	doc->d.intro_html = "";
	for (i = 0; i < doc->nstatements; i++)
		doc->statements[i].body_html = "";
	arena_clear(&a);
	return e;
}

/* The schedule. */

static void
next_after(int64_t *next, int64_t t, int64_t now)
{
	if (t > now && (*next == 0 || t < *next))
		*next = t;
}

void
debate_clock_at(const struct debate *d, int64_t now, struct debate_clock *c)
{
	const struct debate_schedule *s = &d->sched;
	int64_t opens =
	    s->voting_opens ? s->voting_opens : s->round[ROUND_OPENING];
	int64_t closes = s->voting_closes;
	int r;

	memset(c, 0, sizeof(*c));
	c->pre_closes =
	    s->pre_closes ? s->pre_closes : s->round[ROUND_REBUTTAL];
	c->post_opens = s->post_opens ? s->post_opens : s->round[ROUND_CLOSING];
	switch (d->status) {
	case DEBATE_DRAFT:
		c->status = DEBATE_DRAFT;
		return;
	case DEBATE_CLOSED:
		c->status = DEBATE_CLOSED;
		break;
	case DEBATE_OPEN:
		c->status =
		    closes && now >= closes ? DEBATE_CLOSED : DEBATE_OPEN;
		break;
	case DEBATE_SCHEDULED:
		if (opens == 0 || now < opens)
			c->status = DEBATE_SCHEDULED;
		else if (closes && now >= closes)
			c->status = DEBATE_CLOSED;
		else
			c->status = DEBATE_OPEN;
		break;
	}
	for (r = ROUND_OPENING; r <= ROUND_CLOSING; r++) {
		bool open;

		if (c->status == DEBATE_CLOSED)
			open = true; /* the record is complete */
		else if (c->status == DEBATE_OPEN)
			open = s->round[r] == 0 || now >= s->round[r];
		else
			open = s->round[r] != 0 && now >= s->round[r];
		/* Rounds open in order. */
		c->round_open[r] =
		    open && (r == ROUND_OPENING || c->round_open[r - 1]);
		if (c->round_open[r] && c->status == DEBATE_OPEN)
			c->round = r;
	}
	if (c->status == DEBATE_OPEN) {
		c->pre_open = c->pre_closes == 0 || now < c->pre_closes;
		c->post_open = c->post_opens == 0 || now >= c->post_opens;
	}
	if (d->status == DEBATE_CLOSED)
		return; /* nothing changes any more */
	next_after(&c->next_change, opens, now);
	next_after(&c->next_change, closes, now);
	next_after(&c->next_change, c->pre_closes, now);
	next_after(&c->next_change, c->post_opens, now);
	for (r = ROUND_OPENING; r <= ROUND_CLOSING; r++)
		next_after(&c->next_change, s->round[r], now);
}

/* The tally. */

/* round(1000 * num / den) for num, den >= 0 (den > 0). */
static int
permille(int64_t num, int64_t den)
{
	long double v = 1000.0L * (long double)num / (long double)den;

	return (int)(v + 0.5L);
}

/* Rounds a signed value in tenths, halves away from zero. */
static int
round_tenths(long double v)
{
	return (int)(v < 0 ? v - 0.5L : v + 0.5L);
}

/*
 * The sign of gain(A) - gain(B), where gain(X) = post(X)/P - pre(X)/Q:
 * the sign of (postA - postB) * Q - (preA - preB) * P, exact in integers
 * while the counts fit in 31 bits (then in long double).
 */
static int
gain_sign(const struct debate_result *r)
{
	int64_t dpost = r->post[SIDE_A] - r->post[SIDE_B];
	int64_t dpre = r->pre[SIDE_A] - r->pre[SIDE_B];
	int64_t P = r->post_total, Q = r->pre_total;

	if (P < ((int64_t)1 << 31) && Q < ((int64_t)1 << 31)) {
		int64_t lhs = dpost * Q, rhs = dpre * P;

		return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
	} else {
		long double lhs = (long double)dpost * Q,
			    rhs = (long double)dpre * P;

		return lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
	}
}

void
debate_result_of(const struct debate_tally *t, struct debate_result *r)
{
	int pre, post, side;
	int sign;

	memset(r, 0, sizeof(*r));
	for (pre = 0; pre <= 3; pre++)
		for (post = 0; post <= 2; post++) {
			int64_t n = t->moves[pre][post];

			r->pre[pre] += pre ? n : 0;
			r->post[post] += post ? n : 0;
			if (pre && post)
				r->pairs += n;
		}
	r->pre[0] = r->post[0] = 0;
	r->pre_total = r->pre[SIDE_A] + r->pre[SIDE_B] + r->pre[SIDE_UNDECIDED];
	r->post_total = r->post[SIDE_A] + r->post[SIDE_B];
	for (side = SIDE_A; side <= SIDE_UNDECIDED; side++)
		if (r->pre_total)
			r->pre_share[side] =
			    permille(r->pre[side], r->pre_total);
	for (side = SIDE_A; side <= SIDE_B; side++)
		if (r->post_total)
			r->post_share[side] =
			    permille(r->post[side], r->post_total);
	if (r->pre_total == 0 || r->post_total == 0) {
		r->outcome = r->pre_total == 0 && r->post_total == 0
				 ? OUTCOME_NO_VOTES
			     : r->pre_total == 0 ? OUTCOME_NO_PRE
						 : OUTCOME_NO_POST;
		return;
	}
	for (side = SIDE_A; side <= SIDE_B; side++)
		r->gain[side] =
		    round_tenths(1000.0L * (long double)r->post[side] /
				     (long double)r->post_total -
				 1000.0L * (long double)r->pre[side] /
				     (long double)r->pre_total);
	sign = gain_sign(r);
	r->outcome = sign > 0 ? OUTCOME_A : sign < 0 ? OUTCOME_B : OUTCOME_TIE;
	if (sign != 0 && r->gain[SIDE_A] == r->gain[SIDE_B])
		r->narrow = true;
	/* Rounding must not show the loser ahead: nudge the shown gains. */
	if (sign > 0 && r->gain[SIDE_A] < r->gain[SIDE_B])
		r->gain[SIDE_A] = r->gain[SIDE_B];
	if (sign < 0 && r->gain[SIDE_B] < r->gain[SIDE_A])
		r->gain[SIDE_B] = r->gain[SIDE_A];
	if (sign == 0)
		r->gain[SIDE_B] = r->gain[SIDE_A];
}

enum err
debate_history(struct arena *a, const struct debate_bucket *b, size_t n,
	       size_t max, struct debate_point **out, size_t *npoints)
{
	struct debate_point *pts, run;
	size_t i, count = 0, kept = 0, step;

	*out = NULL;
	*npoints = 0;
	if (n == 0 || max == 0)
		return ERR_OK;
	pts = arena_zalloc(a, n * sizeof(*pts));
	if (pts == NULL)
		return ERR_NOMEM;
	memset(&run, 0, sizeof(run));
	for (i = 0; i < n; i++) {
		if (b[i].phase == PHASE_PRE && b[i].choice >= SIDE_A &&
		    b[i].choice <= SIDE_UNDECIDED)
			run.pre[b[i].choice] += b[i].delta;
		else if (b[i].phase == PHASE_POST && b[i].choice >= SIDE_A &&
			 b[i].choice <= SIDE_B)
			run.post[b[i].choice] += b[i].delta;
		run.at = b[i].start;
		/* The last row of a bucket closes it. */
		if (i + 1 == n || b[i + 1].start != b[i].start)
			pts[count++] = run;
	}
	step = (count + max - 1) / max;
	for (i = 0; i < count; i++)
		if ((count - 1 - i) % step == 0)
			pts[kept++] = pts[i];
	*out = pts;
	*npoints = kept;
	return ERR_OK;
}

/* Readers, votes and the run's state. */

struct pending {
	int64_t debate_id; /* 0: free */
	int64_t n[REFUSED__MAX];
	int64_t last_flush;
};

struct debate_runtime {
	struct ratelimit *limit;
	pthread_mutex_t lock;
	struct pending slots[PENDING_SLOTS];
	uint64_t generation; /* under lock */
};

uint64_t
debate_generation(const struct app *app)
{
	struct debate_runtime *rt = app->debates;
	uint64_t g;

	if (rt == NULL)
		return 0;
	pthread_mutex_lock(&rt->lock);
	g = rt->generation;
	pthread_mutex_unlock(&rt->lock);
	return g;
}

/* After a write of this process: what was read before may be stale. */
static void
written(struct debate_runtime *rt)
{
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->generation++;
	pthread_mutex_unlock(&rt->lock);
}

struct debate_runtime *
debate_runtime_new(const struct config *cfg)
{
	struct debate_runtime *rt = calloc(1, sizeof(*rt));

	if (rt == NULL)
		return NULL;
	rt->limit = ratelimit_new((double)cfg->votes_burst,
				  (double)cfg->votes_per_minute / 60.0, 8192);
	if (rt->limit == NULL) {
		free(rt);
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	return rt;
}

static bool
pending_any(const struct pending *p)
{
	int i;

	for (i = 0; i < REFUSED__MAX; i++)
		if (p->n[i])
			return true;
	return false;
}

void
debate_runtime_free(struct debate_runtime *rt, struct store *st)
{
	size_t i;

	if (rt == NULL)
		return;
	for (i = 0; st && i < PENDING_SLOTS; i++)
		if (rt->slots[i].debate_id && pending_any(&rt->slots[i]) &&
		    st->ops->debate_add_refusals(st, rt->slots[i].debate_id,
						 rt->slots[i].n) != ERR_OK)
			log_warnx("debate %lld: refusal counts not saved",
				  (long long)rt->slots[i].debate_id);
	ratelimit_free(rt->limit);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* The slot of a debate, or a free one, or one with nothing pending. */
static struct pending *
pending_slot(struct debate_runtime *rt, int64_t debate_id)
{
	struct pending *spare = NULL, *idle = NULL;
	size_t i;

	for (i = 0; i < PENDING_SLOTS; i++) {
		struct pending *p = &rt->slots[i];

		if (p->debate_id == debate_id)
			return p;
		if (spare == NULL && p->debate_id == 0)
			spare = p;
		if (idle == NULL && p->debate_id != 0 && !pending_any(p))
			idle = p;
	}
	/* A free slot first; else one whose debate has nothing pending. */
	if (spare == NULL)
		spare = idle;
	if (spare) {
		/* last_flush 0: a debate's first refusal is saved at once. */
		memset(spare, 0, sizeof(*spare));
		spare->debate_id = debate_id;
	}
	return spare;
}

/* Takes the pending counts of a debate (out zeroed when none). */
static void
pending_take(struct debate_runtime *rt, int64_t debate_id, int64_t *out)
{
	struct pending *p;
	size_t i;

	memset(out, 0, REFUSED__MAX * sizeof(*out));
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < PENDING_SLOTS; i++) {
		p = &rt->slots[i];
		if (p->debate_id == debate_id) {
			memcpy(out, p->n, sizeof(p->n));
			memset(p->n, 0, sizeof(p->n));
			p->last_flush = time_now();
			break;
		}
	}
	pthread_mutex_unlock(&rt->lock);
}

/* Gives back counts a failed write did not save. */
static void
pending_restore(struct debate_runtime *rt, int64_t debate_id, const int64_t *n)
{
	struct pending *p;
	int i;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	p = pending_slot(rt, debate_id);
	for (i = 0; p && i < REFUSED__MAX; i++)
		p->n[i] += n[i];
	pthread_mutex_unlock(&rt->lock);
}

void
debate_refusals_flush(struct app *app, int64_t debate_id, bool force)
{
	struct debate_runtime *rt = app->debates;
	int64_t n[REFUSED__MAX];
	bool due = false;
	size_t i;

	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	for (i = 0; i < PENDING_SLOTS; i++)
		if (rt->slots[i].debate_id == debate_id)
			due = pending_any(&rt->slots[i]) &&
			      (force || time_now() - rt->slots[i].last_flush >=
					    REFUSAL_FLUSH_SECS);
	pthread_mutex_unlock(&rt->lock);
	if (!due)
		return;
	pending_take(rt, debate_id, n);
	if (app->store->ops->debate_add_refusals(app->store, debate_id, n) !=
	    ERR_OK)
		pending_restore(rt, debate_id, n);
	written(rt);
}

/* Counts a refused vote; saved with the next vote, or within seconds. */
static void
refused(struct app *app, int64_t debate_id, enum refusal why)
{
	struct debate_runtime *rt = app->debates;
	int64_t one[REFUSED__MAX] = {0};
	struct pending *p;

	if (rt == NULL) {
		/* Not serving (the CLI): save it at once. */
		one[why] = 1;
		(void)app->store->ops->debate_add_refusals(app->store,
							   debate_id, one);
		return;
	}
	pthread_mutex_lock(&rt->lock);
	p = pending_slot(rt, debate_id);
	if (p)
		p->n[why]++;
	pthread_mutex_unlock(&rt->lock);
	if (p == NULL) {
		/* Every slot busy: save this one now rather than lose it. */
		one[why] = 1;
		(void)app->store->ops->debate_add_refusals(app->store,
							   debate_id, one);
		written(rt);
		return;
	}
	debate_refusals_flush(app, debate_id, false);
}

void
debate_voter_hash(const struct app *app, int64_t debate_id, const char *reader,
		  char out[33])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char id[24];

	snprintf(id, sizeof(id), "%lld:", (long long)debate_id);
	crypto_auth_hmacsha256_init(&st, app->secret, sizeof(app->secret));
	crypto_auth_hmacsha256_update(
	    &st, (const unsigned char *)"debate-voter:", 13);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id,
				      strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)reader,
				      strlen(reader));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 33, mac, 16);
}

void
debate_address_key(const char *client, char *out, size_t outsz)
{
	unsigned char bin[16];
	char text[INET6_ADDRSTRLEN];

	/* One IPv6 subscriber holds a whole /64: limit the /64. */
	if (inet_pton(AF_INET6, client, bin) == 1) {
		memset(bin + 8, 0, 8);
		if (inet_ntop(AF_INET6, bin, text, sizeof(text)) != NULL) {
			snprintf(out, outsz, "%s/64", text);
			return;
		}
	}
	snprintf(out, outsz, "%s", client);
}

/* Takes a token of the address's bucket; true when allowed. */
static bool
rate_ok(struct app *app, const char *client, int *retry_after)
{
	char key[80];

	if (app->debates == NULL)
		return true; /* the CLI */
	debate_address_key(client, key, sizeof(key));
	return ratelimit_take(app->debates->limit, key,
			      (double)time_now_usec() / 1e6, retry_after);
}

enum err
debate_vote_cast(struct app *app, const struct debate *d, const char *reader,
		 const char *client, int phase, int choice, int64_t now,
		 enum vote_result *res, int *retry_after)
{
	struct debate_clock clk;
	struct debate_vote v;
	int64_t pending[REFUSED__MAX];
	char voter[33];
	int pre = 0, post = 0;
	enum err e;

	*res = VOTE_SAME;
	if (!(phase == PHASE_PRE && choice >= SIDE_A &&
	      choice <= SIDE_UNDECIDED) &&
	    !(phase == PHASE_POST && choice >= SIDE_A && choice <= SIDE_B))
		return ERR_INVALID;
	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_DRAFT)
		return ERR_NOTFOUND;
	if (!(phase == PHASE_PRE ? clk.pre_open : clk.post_open)) {
		refused(app, d->id, REFUSED_CLOSED);
		return ERR_FORBIDDEN;
	}
	if (!rate_ok(app, client, retry_after)) {
		refused(app, d->id, REFUSED_RATE);
		return ERR_LIMIT;
	}
	debate_voter_hash(app, d->id, reader, voter);
	e = app->store->ops->debate_voter(app->store, d->id, voter, &pre,
					  &post);
	if (e != ERR_OK)
		return e;
	if ((phase == PHASE_PRE ? pre : post) == choice) {
		refused(app, d->id, REFUSED_DUPLICATE);
		return ERR_OK;
	}
	memset(&v, 0, sizeof(v));
	v.debate_id = d->id;
	v.voter = voter;
	v.phase = phase;
	v.choice = choice;
	v.at = now;
	v.bucket_secs = d->bucket_secs;
	/* Refusals waiting to be saved ride along with this write. */
	pending_take(app->debates, d->id, pending);
	e = app->store->ops->debate_vote(app->store, &v, pending, res);
	written(app->debates);
	if (e != ERR_OK) {
		pending_restore(app->debates, d->id, pending);
		return e;
	}
	if (*res == VOTE_SAME)
		refused(app, d->id, REFUSED_DUPLICATE); /* a race with itself */
	return ERR_OK;
}

enum err
debate_feature(struct app *app, const struct debate *d, int64_t comment_id,
	       bool on)
{
	enum err e =
	    app->store->ops->debate_feature(app->store, d->id, comment_id, on);

	written(app->debates);
	return e;
}

enum err
debate_mind_mark(struct app *app, const struct debate *d, const char *reader,
		 const char *client, char kind, int64_t item_id, int64_t now,
		 bool *added, int *retry_after)
{
	struct debate_clock clk;
	char voter[33];
	enum err e;

	*added = false;
	if (kind != 's' && kind != 'c')
		return ERR_INVALID;
	debate_clock_at(d, now, &clk);
	if (clk.status == DEBATE_DRAFT)
		return ERR_NOTFOUND;
	if (clk.status != DEBATE_OPEN)
		return ERR_FORBIDDEN;
	if (!rate_ok(app, client, retry_after))
		return ERR_LIMIT;
	debate_voter_hash(app, d->id, reader, voter);
	e = app->store->ops->debate_mind(app->store, d->id, kind, item_id,
					 voter, now, added);
	written(app->debates);
	return e;
}

enum err
debate_by_slug(struct app *app, struct arena *a, const char *slug,
	       struct debate *out)
{
	return app->store->ops->debate_by_slug(app->store, a, slug, out);
}

enum err
debate_list(struct app *app, struct arena *a, bool drafts, int limit,
	    struct debate **out, size_t *n)
{
	return app->store->ops->debate_list(app->store, a, drafts, limit, out,
					    n);
}

enum err
debate_speakers(struct app *app, struct arena *a, int64_t debate_id,
		struct debate_speaker **out, size_t *n)
{
	return app->store->ops->debate_speakers(app->store, a, debate_id, out,
						n);
}

enum err
debate_statements(struct app *app, struct arena *a, int64_t debate_id,
		  struct debate_statement **out, size_t *n)
{
	return app->store->ops->debate_statements(app->store, a, debate_id, out,
						  n);
}

enum err
debate_tally_get(struct app *app, int64_t debate_id, struct debate_tally *out)
{
	return app->store->ops->debate_tally(app->store, debate_id, out);
}

enum err
debate_buckets(struct app *app, struct arena *a, int64_t debate_id,
	       struct debate_bucket **out, size_t *n)
{
	return app->store->ops->debate_buckets(app->store, a, debate_id, out,
					       n);
}

enum err
debate_voter(struct app *app, int64_t debate_id, const char *voter, int *pre,
	     int *post)
{
	return app->store->ops->debate_voter(app->store, debate_id, voter, pre,
					     post);
}

enum err
debate_featured(struct app *app, struct arena *a, int64_t article_id, int limit,
		struct comment **out, size_t *n)
{
	return app->store->ops->debate_featured(app->store, a, article_id,
						limit, out, n);
}

enum err
debate_top_comments(struct app *app, struct arena *a, int64_t article_id,
		    int limit, struct comment **out, size_t *n)
{
	return app->store->ops->debate_top_comments(app->store, a, article_id,
						    limit, out, n);
}

enum err
debate_home_epoch(struct app *app, int64_t now, int64_t out[4])
{
	return app->store->ops->debate_home_epoch(app->store, now, out);
}

enum err
debate_set_status(struct app *app, const struct debate *d,
		  enum debate_status status, int64_t voting_closes)
{
	enum err e = app->store->ops->debate_set_status(app->store, d->id,
							status, voting_closes);

	if (e == ERR_OK) {
		/* The status shows on the debate's page and in the front page's
		 * list. */
		struct change_tag tags[] = {{CHANGE_DEBATE, d->id},
					    {CHANGE_ARTICLE, d->article_id},
					    {CHANGE_FRONT, 0}};

		written(app->debates);
		change_publish(app->changes, tags, 3);
	}
	return e;
}

enum err
debate_import_vote(struct app *app, const struct debate_vote *v,
		   enum vote_result *out)
{
	return app->store->ops->debate_vote(app->store, v, NULL, out);
}

enum err
debate_import_mind(struct app *app, int64_t debate_id, char kind,
		   int64_t item_id, const char *voter, int64_t at, bool *added)
{
	return app->store->ops->debate_mind(app->store, debate_id, kind,
					    item_id, voter, at, added);
}

enum err
debate_import_refusals(struct app *app, int64_t debate_id,
		       const int64_t refused[REFUSED__MAX])
{
	return app->store->ops->debate_add_refusals(app->store, debate_id,
						    refused);
}
