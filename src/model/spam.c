/*
 * spam: the features of a comment, the model that scores them, and its
 * saved form.  See spam.h for what each call promises.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/spam.h"

/*
 * The step size and the pull towards zero of the learning rule.  AdaGrad
 * divides the step by the root of each weight's summed squared
 * gradients, so a feature seen often moves less each time while a rare
 * one (a new spammer's domain) still moves at once.
 */
#define SPAM_ETA       0.3
#define SPAM_L2	       1e-5
#define SPAM_EPS       1e-6
#define SPAM_WORD_MAX  32 /* bytes of one word; a longer one is cut */
#define SPAM_LINKS_MAX 16

/* How much each family weighs after its values are scaled to unit length. */
static const float family_weight[SPAM_FAMILY__MAX] = {
    [SPAM_BIAS] = 1.0f,	 [SPAM_WORD] = 1.0f, [SPAM_BIGRAM] = 0.7f,
    [SPAM_CHAR] = 1.0f,	 [SPAM_LINK] = 1.0f, [SPAM_DOMAIN] = 1.0f,
    [SPAM_SHAPE] = 0.5f, [SPAM_META] = 1.0f,
};

/* Top-level domains that make "word.tld" a link without http:// or www. */
static const char *const link_tlds[] = {
    "com", "net", "org",  "info",   "biz",  "ru",  "de",   "uk",
    "co",  "io",  "me",	  "tv",	    "ly",   "tk",  "us",   "ca",
    "fr",  "it",  "nl",	  "pl",	    "br",   "in",  "cn",   "jp",
    "au",  "es",  "eu",	  "ws",	    "cc",   "gl",  "gd",   "be",
    "to",  "xyz", "site", "online", "club", "top", "link", "blogspot",
};

struct spam_model {
	unsigned bits;
	uint64_t examples, spam;
	float *w;  /* the weights, 2^bits of them */
	float *g2; /* each weight's summed squared gradients */
};

/* FNV-1a over 64 bits, then a finalizer so the low bits mix well. */
static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

static uint32_t
hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/*
 * Copies s[0..n) into out (size SPAM_NAME_MAX) for people to read: only
 * whole UTF-8 sequences (an n-gram may start or end inside one), control
 * characters as spaces, cut before the name would overflow.
 */
static void
display_name(char *out, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2, j;

		if (c >= 0x80 && c < 0xc0) {
			i++; /* a continuation byte without its lead */
			continue;
		}
		for (j = 1; j < k && i + j < n; j++)
			if (((unsigned char)s[i + j] & 0xc0) != 0x80)
				break;
		if (j < k || c > 0xf4) {
			i += j;
			continue;
		}
		if (o + k >= SPAM_NAME_MAX)
			break;
		if (k == 1 && (c < 0x20 || c == 0x7f)) {
			out[o++] = ' ';
		} else {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
}

/* Adds the feature named prefix + s[0..n), value 1 until scaled. */
static void
add(struct spam_features *f, enum spam_family fam, const char *prefix,
    const char *s, size_t n)
{
	struct spam_feature *it;
	char name[SPAM_NAME_MAX + 8];
	size_t plen = strlen(prefix);
	uint64_t h;

	if (f->count == SPAM_FEATURES_MAX) {
		f->truncated = true;
		return;
	}
	it = &f->items[f->count++];
	h = hash_bytes(HASH_SEED, prefix, plen);
	it->hash = hash_final(hash_bytes(h, s, n));
	it->value = 1.0f;
	it->family = (uint8_t)fam;
	memcpy(name, prefix, plen);
	if (n > sizeof(name) - plen)
		n = sizeof(name) - plen;
	memcpy(name + plen, s, n);
	display_name(it->name, name, plen + n);
}

/* A feature whose name is prefix followed by a small number. */
static void
add_num(struct spam_features *f, enum spam_family fam, const char *prefix,
	int v)
{
	char num[16];
	int len = 0;
	unsigned u = v < 0 ? (unsigned)-v : (unsigned)v;
	char tmp[16];
	int t = 0;

	if (v < 0)
		num[len++] = '-';
	do {
		tmp[t++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (t > 0)
		num[len++] = tmp[--t];
	add(f, fam, prefix, num, (size_t)len);
}

static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static bool
host_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c >= 0x80;
}

static bool
known_tld(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(link_tlds) / sizeof(link_tlds[0]); i++)
		if (strlen(link_tlds[i]) == n &&
		    memcmp(link_tlds[i], s, n) == 0)
			return true;
	return false;
}

/*
 * Whether the host-like run t[0..n) names a host: two labels or more,
 * none empty; with no scheme or "www." before it, its top level must be
 * one spammers use.
 */
static bool
host_shaped(const char *t, size_t n, bool any_tld)
{
	const char *dot = NULL;
	size_t i;

	if (n < 3 || t[0] == '.' || t[n - 1] == '.' || t[0] == '-')
		return false;
	for (i = 0; i + 1 < n; i++)
		if (t[i] == '.' && t[i + 1] == '.')
			return false;
	for (i = 0; i < n; i++)
		if (t[i] == '.')
			dot = t + i;
	if (dot == NULL)
		return false;
	if (any_tld)
		return true;
	return known_tld(dot + 1, (size_t)(t + n - dot - 1));
}

/*
 * Finds the links of the folded text: "http(s)://host", "www.host" and
 * bare "name.com".  Adds a domain and a top-level feature for each (up
 * to SPAM_LINKS_MAX) and one feature for how many there are.
 */
static void
link_features(struct spam_features *f, const char *t, size_t n)
{
	size_t i = 0, links = 0;

	while (i < n) {
		size_t start, end, h;
		bool scheme;

		if (!host_byte((unsigned char)t[i]) ||
		    (i > 0 && host_byte((unsigned char)t[i - 1]))) {
			i++;
			continue;
		}
		start = i;
		if (n - i > 7 && memcmp(t + i, "http://", 7) == 0)
			start = i + 7;
		else if (n - i > 8 && memcmp(t + i, "https://", 8) == 0)
			start = i + 8;
		scheme = start > i;
		for (end = start; end < n && host_byte((unsigned char)t[end]);
		     end++)
			;
		h = start;
		if (end - h > 4 && memcmp(t + h, "www.", 4) == 0) {
			h += 4;
			scheme = true;
		}
		if (!host_shaped(t + h, end - h, scheme)) {
			i = end > i ? end : i + 1;
			continue;
		}
		if (links < SPAM_LINKS_MAX) {
			const char *dot = memrchr(t + h, '.', end - h);

			add(f, SPAM_DOMAIN, "d:", t + h, end - h);
			add(f, SPAM_DOMAIN, "t:", dot + 1,
			    (size_t)(t + end - dot - 1));
		}
		links++;
		/* The rest of the address (its path) is not another link. */
		while (end < n && t[end] != ' ')
			end++;
		i = end;
	}
	add_num(f, SPAM_LINK, "l:", links > 3 ? 3 : (int)links);
}

/* The words, word pairs and character n-grams of the folded text. */
static void
text_features(struct spam_features *f, const char *t, size_t n)
{
	const char *prev = NULL;
	size_t plen = 0, i = 0, k;
	char pair[2 * SPAM_WORD_MAX + 1];

	while (i < n) {
		size_t start, len;

		if (!word_byte((unsigned char)t[i])) {
			i++;
			continue;
		}
		for (start = i; i < n && word_byte((unsigned char)t[i]); i++)
			;
		len = i - start > SPAM_WORD_MAX ? SPAM_WORD_MAX : i - start;
		add(f, SPAM_WORD, "w:", t + start, len);
		if (prev != NULL) {
			memcpy(pair, prev, plen);
			pair[plen] = ' ';
			memcpy(pair + plen + 1, t + start, len);
			add(f, SPAM_BIGRAM, "b:", pair, plen + 1 + len);
		}
		prev = t + start;
		plen = len;
	}
	for (k = 3; k <= 5; k++)
		for (i = 0; i + k <= n; i++)
			add(f, SPAM_CHAR, "c:", t + i, k);
}

static int
log2_bucket(double x, int lo, int hi)
{
	int b = x > 0 ? (int)floor(log2(x)) : lo;

	return b < lo ? lo : b > hi ? hi : b;
}

/* Length, capitals, exclamation marks and digits of the raw text. */
static void
shape_features(struct spam_features *f, const char *s, size_t n)
{
	size_t i, chars = 0, letters = 0, caps = 0, bangs = 0, digits = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		chars += (c & 0xc0) != 0x80;
		letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		caps += c >= 'A' && c <= 'Z';
		bangs += c == '!';
		digits += c >= '0' && c <= '9';
	}
	add_num(f, SPAM_SHAPE, "s:len=", log2_bucket((double)chars + 1, 0, 11));
	if (letters >= 4)
		add_num(f, SPAM_SHAPE, "s:caps=",
			caps * 10 < letters	  ? 0
			: caps * 10 < letters * 3 ? 1
			: caps * 10 < letters * 6 ? 2
						  : 3);
	add_num(f, SPAM_SHAPE, "s:bang=", bangs > 3 ? 3 : (int)bangs);
	if (chars > 0)
		add_num(f, SPAM_SHAPE, "s:digits=",
			digits == 0	      ? 0
			: digits * 20 < chars ? 1
			: digits * 5 < chars  ? 2
					      : 3);
}

static void
meta_features(struct spam_features *f, const struct spam_meta *m)
{
	if (m == NULL)
		return;
	if (m->account_age > 0)
		add_num(
		    f, SPAM_META, "m:age=",
		    log2_bucket((double)m->account_age / 86400.0 + 1, 0, 12));
	if (m->first == SPAM_YES)
		add(f, SPAM_META, "m:first=", "yes", 3);
	else if (m->first == SPAM_NO)
		add(f, SPAM_META, "m:first=", "no", 2);
	if (m->per_hour > 0 && isfinite(m->per_hour))
		add_num(f, SPAM_META,
			"m:rate=", log2_bucket(m->per_hour, -3, 8));
}

struct spam_features *
spam_features_new(void)
{
	return calloc(1, sizeof(struct spam_features));
}

void
spam_features_free(struct spam_features *f)
{
	free(f);
}

void
spam_features_of(struct spam_features *f, const char *text, size_t len,
		 const struct spam_meta *meta)
{
	char fold[SPAM_TEXT_MAX];
	size_t i, n = 0, count[SPAM_FAMILY__MAX] = {0};
	bool space = true;

	f->count = 0;
	f->truncated = false;
	if (len > SPAM_TEXT_MAX) {
		/* Cut before a UTF-8 sequence rather than inside it. */
		len = SPAM_TEXT_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
		f->truncated = true;
	}
	/* Lower case, every run of white space as one space. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v' || c == 0) {
			if (!space)
				fold[n++] = ' ';
			space = true;
			continue;
		}
		fold[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		space = false;
	}
	if (space && n > 0)
		n--; /* the space of trailing white space */
	add(f, SPAM_BIAS, "bias", "", 0);
	link_features(f, fold, n);
	shape_features(f, text, len);
	meta_features(f, meta);
	text_features(f, fold, n);
	for (i = 0; i < f->count; i++)
		count[f->items[i].family]++;
	for (i = 0; i < f->count; i++) {
		unsigned fam = f->items[i].family;

		f->items[i].value =
		    family_weight[fam] / sqrtf((float)count[fam]);
	}
}

struct spam_model *
spam_model_new(void)
{
	struct spam_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->bits = SPAM_BITS;
	m->w = calloc((size_t)1 << m->bits, sizeof(float));
	m->g2 = calloc((size_t)1 << m->bits, sizeof(float));
	if (m->w == NULL || m->g2 == NULL) {
		spam_model_free(m);
		return NULL;
	}
	return m;
}

void
spam_model_free(struct spam_model *m)
{
	if (m == NULL)
		return;
	free(m->w);
	free(m->g2);
	free(m);
}

uint64_t
spam_model_examples(const struct spam_model *m, uint64_t *spam)
{
	if (spam != NULL)
		*spam = m->spam;
	return m->examples;
}

static uint32_t
slot(const struct spam_model *m, uint32_t hash)
{
	return hash & (((uint32_t)1 << m->bits) - 1);
}

double
spam_score(const struct spam_model *m, const struct spam_features *f)
{
	double z = 0;
	size_t i;

	for (i = 0; i < f->count; i++)
		z +=
		    (double)m->w[slot(m, f->items[i].hash)] * f->items[i].value;
	if (z > 30)
		z = 30;
	else if (z < -30)
		z = -30;
	return 1.0 / (1.0 + exp(-z));
}

void
spam_learn(struct spam_model *m, const struct spam_features *f, bool spam)
{
	double g = spam_score(m, f) - (spam ? 1.0 : 0.0);
	size_t i;

	for (i = 0; i < f->count; i++) {
		uint32_t s = slot(m, f->items[i].hash);
		double grad = g * f->items[i].value + SPAM_L2 * m->w[s];

		m->g2[s] += (float)(grad * grad);
		m->w[s] -=
		    (float)(SPAM_ETA * grad / (sqrt(m->g2[s]) + SPAM_EPS));
	}
	m->examples++;
	m->spam += spam;
}

/* xorshift64*: a small generator, so a seed gives the same order anywhere. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

enum err
spam_train(struct spam_model *m, const struct spam_example *ex, size_t n,
	   unsigned epochs, uint64_t seed)
{
	struct spam_features *f = spam_features_new();
	size_t *order = malloc((n > 0 ? n : 1) * sizeof(size_t)), i;
	uint64_t state = seed != 0 ? seed : 0x9e3779b97f4a7c15ULL;
	unsigned e;

	if (f == NULL || order == NULL) {
		spam_features_free(f);
		free(order);
		return ERR_NOMEM;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	for (e = 0; e < epochs; e++) {
		for (i = n; i > 1; i--) {
			size_t j = (size_t)(next_random(&state) % i),
			       t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		for (i = 0; i < n; i++) {
			const struct spam_example *x = &ex[order[i]];

			spam_features_of(f, x->text, x->len, &x->meta);
			spam_learn(m, f, x->spam);
		}
	}
	spam_features_free(f);
	free(order);
	return ERR_OK;
}

struct weighed {
	uint32_t slot;
	size_t item; /* the first item of f with this slot */
	double weight;
};

static int
by_slot(const void *a, const void *b)
{
	const struct weighed *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

static int
by_weight(const void *a, const void *b)
{
	const struct weighed *x = a, *y = b;
	double wx = fabs(x->weight), wy = fabs(y->weight);

	if (wx != wy)
		return wx > wy ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

size_t
spam_explain(const struct spam_model *m, const struct spam_features *f,
	     struct spam_reason *out, size_t n)
{
	struct weighed *w;
	size_t i, k = 0, got;

	if (n == 0 || f->count == 0)
		return 0;
	w = malloc(f->count * sizeof(*w));
	if (w == NULL)
		return 0;
	for (i = 0; i < f->count; i++) {
		uint32_t s = slot(m, f->items[i].hash);

		w[i].slot = s;
		w[i].item = i;
		w[i].weight = (double)m->w[s] * f->items[i].value;
	}
	qsort(w, f->count, sizeof(*w), by_slot);
	for (i = 0; i < f->count; i++) {
		/* The bias is the model's, not the comment's. */
		if (f->items[w[i].item].family == SPAM_BIAS)
			continue;
		if (k > 0 && w[k - 1].slot == w[i].slot)
			w[k - 1].weight += w[i].weight;
		else
			w[k++] = w[i];
	}
	qsort(w, k, sizeof(*w), by_weight);
	got = k < n ? k : n;
	for (i = 0; i < got; i++) {
		memcpy(out[i].name, f->items[w[i].item].name, SPAM_NAME_MAX);
		out[i].weight = w[i].weight;
	}
	free(w);
	return got;
}

/*
 * The saved form, all integers little-endian:
 *   "PSPM", version (1 byte), bits (1 byte), two zero bytes,
 *   examples (8 bytes), spam (8 bytes), entries (4 bytes),
 *   each entry: the gap since the last slot (LEB128, at most 5 bytes;
 *   the first is the slot itself), the weight and its squared gradients
 *   (IEEE 754 binary32, 4 bytes each),
 *   then FNV-1a (64 bits) of every byte before it.
 * Only slots whose weight or gradients are not zero are written.
 */
#define SPAM_MAGIC	"PSPM"
#define SPAM_VERSION	1
#define SPAM_HEADER	28
#define SPAM_BITS_MIN	10
#define SPAM_BITS_LIMIT 24

static bool
put_le(struct buf *b, uint64_t v, int bytes)
{
	unsigned char s[8];
	int i;

	for (i = 0; i < bytes; i++)
		s[i] = (unsigned char)(v >> (8 * i));
	return buf_append(b, s, (size_t)bytes);
}

static uint64_t
get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
float_bits(float x)
{
	uint32_t u;

	memcpy(&u, &x, sizeof(u));
	return u;
}

static float
bits_float(uint32_t u)
{
	float x;

	memcpy(&x, &u, sizeof(x));
	return x;
}

enum err
spam_model_save(const struct spam_model *m, struct buf *out)
{
	size_t start = out->len, size = (size_t)1 << m->bits, i;
	uint32_t entries = 0, last = 0;
	bool ok = true;

	for (i = 0; i < size; i++)
		entries += m->w[i] != 0 || m->g2[i] != 0;
	ok = buf_append(out, SPAM_MAGIC, 4) && put_le(out, SPAM_VERSION, 1) &&
	     put_le(out, m->bits, 1) && put_le(out, 0, 2) &&
	     put_le(out, m->examples, 8) && put_le(out, m->spam, 8) &&
	     put_le(out, entries, 4);
	for (i = 0; ok && i < size; i++) {
		uint32_t gap;

		if (m->w[i] == 0 && m->g2[i] == 0)
			continue;
		gap = (uint32_t)i - last;
		last = (uint32_t)i;
		do {
			ok = ok &&
			     put_le(out, (gap & 0x7f) | (gap > 0x7f ? 0x80 : 0),
				    1);
			gap >>= 7;
		} while (gap > 0);
		ok = ok && put_le(out, float_bits(m->w[i]), 4) &&
		     put_le(out, float_bits(m->g2[i]), 4);
	}
	if (ok && !buf_failed(out))
		ok = put_le(
		    out,
		    hash_bytes(HASH_SEED, out->data + start, out->len - start),
		    8);
	return ok && !buf_failed(out) ? ERR_OK : ERR_NOMEM;
}

static enum err
refuse(struct buf *why, const char *reason)
{
	if (why != NULL)
		buf_seterr(why, "not a saved spam model: %s", reason);
	return ERR_INVALID;
}

enum err
spam_model_load(const void *data, size_t len, struct spam_model **out,
		struct buf *why)
{
	const unsigned char *p = data, *end;
	struct spam_model *m = NULL;
	uint32_t entries, e, at = 0;
	const char *bad = NULL;
	unsigned bits;

	*out = NULL;
	if (len < SPAM_HEADER + 8)
		return refuse(why, "too short");
	if (memcmp(p, SPAM_MAGIC, 4) != 0)
		return refuse(why, "wrong magic bytes");
	if (p[4] != SPAM_VERSION)
		return refuse(why, "unknown version");
	if (get_le(p + len - 8, 8) != hash_bytes(HASH_SEED, p, len - 8))
		return refuse(why, "checksum does not match");
	bits = p[5];
	if (bits < SPAM_BITS_MIN || bits > SPAM_BITS_LIMIT || p[6] || p[7])
		return refuse(why, "bad header");
	if (get_le(p + 16, 8) > get_le(p + 8, 8))
		return refuse(why, "more spam than examples");
	entries = (uint32_t)get_le(p + 24, 4);
	if (entries > (uint32_t)1 << bits)
		return refuse(why, "more entries than slots");
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return ERR_NOMEM;
	m->bits = bits;
	m->examples = get_le(p + 8, 8);
	m->spam = get_le(p + 16, 8);
	m->w = calloc((size_t)1 << bits, sizeof(float));
	m->g2 = calloc((size_t)1 << bits, sizeof(float));
	if (m->w == NULL || m->g2 == NULL) {
		spam_model_free(m);
		return ERR_NOMEM;
	}
	end = p + len - 8;
	p += SPAM_HEADER;
	for (e = 0; e < entries && bad == NULL; e++) {
		uint64_t gap = 0;
		int shift = 0;
		float w, g2;

		for (;;) {
			if (p == end || shift > 28) {
				bad = "an entry is cut short or too long";
				break;
			}
			gap |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
			if ((*p++ & 0x80) == 0)
				break;
		}
		if (bad != NULL)
			break;
		if (shift > 7 && p[-1] == 0) {
			bad =
			    "an entry's slot is not written in its shortest form";
			break;
		}
		if ((e > 0 && gap == 0) || at + gap >= (uint64_t)1 << bits) {
			bad = "slots out of order or out of the table";
			break;
		}
		at += (uint32_t)gap;
		if (end - p < 8) {
			bad = "an entry is cut short";
			break;
		}
		w = bits_float((uint32_t)get_le(p, 4));
		g2 = bits_float((uint32_t)get_le(p + 4, 4));
		p += 8;
		if (!isfinite(w) || !isfinite(g2) || g2 < 0 ||
		    (w == 0 && g2 == 0)) {
			bad = "a weight that is not a finite number";
			break;
		}
		m->w[at] = w;
		m->g2[at] = g2;
	}
	if (bad == NULL && p != end)
		bad = "bytes after the last entry";
	if (bad != NULL) {
		spam_model_free(m);
		return refuse(why, bad);
	}
	*out = m;
	return ERR_OK;
}
