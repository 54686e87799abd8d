/*
 * The spam classifier (model/spam.c) and its CSV reader (model/spam_csv.c)
 * on comments written for this test: the features a comment gives, that
 * training moves scores the right way, that one learning step moves a
 * score, that a saved model loads back the same and that damaged bytes
 * are refused, the features named as weighing most, and the CSV rules.
 */
#include <math.h>
#include <stdint.h>

#include "core/arena.h"
#include "model/spam.h"
#include "model/spam_csv.h"
#include "test.h"

/* Readers' comments on articles about cities, libraries and transport. */
static const char *const ham[] = {
    "I grew up two streets from that library and it was the only warm place open after school.",
    "The article skips over the cost of maintenance; who pays for the roof in ten years?",
    "My grandmother still takes the 14 bus every morning, so cutting that route would hurt her.",
    "Interesting point about the reading rooms, but the opening hours are the real problem here.",
    "I disagree with the second paragraph. Density is not the same thing as crowding.",
    "Has anyone compared these numbers with what the council published last spring?",
    "We tried a tool library in our neighbourhood and it worked better than I expected.",
    "The photo caption says 2019 but the building was renovated in 2021, I think.",
    "Thanks for writing this, it explains the budget vote far better than the local paper did.",
    "Bike lanes are fine, but please do not pretend the hill on Mill Road is flat.",
    "My kids learnt to read in that children's corner. Closing it would be a loss for the town.",
    "The author is right that trains are late, though the new timetable helped a little.",
    "I would like to see the same analysis for the villages outside the ring road.",
    "Parking fees went up twice this year and the shops on the high street noticed it.",
    "Good article. One correction: the museum is free on Sundays, not Saturdays.",
    "As a nurse working night shifts, I rely on the late buses more than most people realise.",
    "The debate last night was heated but the moderator kept it fair for both sides.",
    "I changed my mind after reading the section on flood defences; the evidence is strong.",
    "Why does the survey only count people who answered online?",
    "The old market hall deserves better than another car park.",
    "Our street had three water main bursts in a year. Maintenance matters more than new projects.",
    "I teach at the primary school nearby and the pupils love the storytelling hour.",
    "Fair summary, though the quotes from residents all seem to come from one meeting.",
    "Could the next piece look at how other cities fund their libraries?",
};

/* Spam as it arrives on comment forms. */
static const char *const spam[] = {
    "CHECK OUT MY CHANNEL for the best videos!!! Subscribe now http://www.vidzone-promo.com",
    "Earn $500 a day from home, click here: http://fastcash-jobs.biz/start",
    "Hey guys please subscribe to my channel, I post new music every week!!",
    "Cheap watches and bags at cheapluxe-store.net free shipping worldwide",
    "Visit www.bestpills-online.ru for discount medicine without prescription",
    "Make money online with this one simple trick http://get-rich-now.info",
    "Follow me and like my page, I follow back! www.followme-now.tk",
    "Free gift cards!!! Go to http://giftcard-free.xyz and claim yours today",
    "Subscribe to my channel and I will subscribe back, check my videos!",
    "WIN AN IPHONE NOW!!! Click http://iphone-winner.club before it ends",
    "Check out my new website about crypto profits http://cryptoprofit-daily.com",
    "Please check out my channel, it would mean a lot, subscribe and like!!",
    "Work from home and earn 3000 dollars a week, visit jobsfromhome-easy.com",
    "Buy followers and likes cheap at http://socialboost-cheap.net",
    "Best casino bonus 200% on first deposit www.luckyspin-casino.online",
    "Hot singles in your area tonight, click here http://meetnow-singles.site",
    "Download free movies and music at http://freemovies-hd.me no signup",
    "Lose 10 kg in one week with this pill, order at slimfast-pills.biz",
    "My channel has the best gaming videos, subscribe please!!! thanks",
    "Click this link to double your bitcoin http://btc-doubler.io fast and safe",
    "Get paid to take surveys, sign up at http://surveycash-online.com today",
    "Check out my page for free followers www.freefollowers-now.org",
    "Promote your business with us, cheap SEO services at seo-rank-fast.com",
    "Like and subscribe to my channel for more videos like this!!!",
};

#define N_HAM  (sizeof(ham) / sizeof(ham[0]))
#define N_SPAM (sizeof(spam) / sizeof(spam[0]))

static struct spam_features *feat;

/* Whether the features of text include one named name. */
static bool
has_feature(const char *text, const struct spam_meta *meta, const char *name)
{
	size_t i;

	spam_features_of(feat, text, strlen(text), meta);
	for (i = 0; i < feat->count; i++)
		if (strcmp(feat->items[i].name, name) == 0)
			return true;
	return false;
}

static double
score_of(const struct spam_model *m, const char *text)
{
	spam_features_of(feat, text, strlen(text), NULL);
	return spam_score(m, feat);
}

static bool
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80 ? 0 : *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;

		if (*p >= 0x80 && *p < 0xc2)
			return false;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static void
test_features(void)
{
	struct spam_meta meta = {40 * 86400, SPAM_YES, 12};
	double sum[SPAM_FAMILY__MAX] = {0};
	char *big;
	size_t i;

	CHECK(has_feature("Check OUT my channel", NULL, "w:check"));
	CHECK(has_feature("Check OUT my channel", NULL, "w:out"));
	CHECK(has_feature("Check OUT my channel", NULL, "b:my channel"));
	CHECK(has_feature("Check OUT my channel", NULL, "c:k ou"));
	CHECK(has_feature("Check OUT my channel", NULL, "c:che"));
	CHECK(!has_feature("Check OUT my channel", NULL, "w:OUT"));
	CHECK(has_feature("Check OUT my channel", NULL, "l:0"));
	CHECK(has_feature("Check OUT my channel", NULL, "bias"));
	/* Links: with a scheme, with www., bare with a known top level. */
	CHECK(has_feature("see http://Shop.Example.org/a?b=c", NULL,
			  "d:shop.example.org"));
	CHECK(has_feature("see http://Shop.Example.org/a?b=c", NULL, "t:org"));
	CHECK(has_feature("see http://Shop.Example.org/a?b=c", NULL, "l:1"));
	CHECK(has_feature("go to www.example.zzz now", NULL, "d:example.zzz"));
	CHECK(has_feature("visit cheapwatches.biz today", NULL,
			  "d:cheapwatches.biz"));
	CHECK(has_feature("a.com b.net c.org d.info e.biz", NULL, "l:3"));
	/* Not links: a number, an abbreviation, an unknown top level. */
	CHECK(has_feature("it rose 3.5 percent, e.g. in the file.txt", NULL,
			  "l:0"));
	/* The path of a link is not another link. */
	CHECK(has_feature("http://a.example.com/x.com/y.net", NULL, "l:1"));
	/* Shape. */
	CHECK(has_feature("BUY NOW!!!! CHEAP", NULL, "s:caps=3"));
	CHECK(has_feature("BUY NOW!!!! CHEAP", NULL, "s:bang=3"));
	CHECK(has_feature("quiet words here", NULL, "s:caps=0"));
	/* Metadata only when the caller knows it. */
	CHECK(has_feature("hello there", &meta, "m:first=yes"));
	CHECK(has_feature("hello there", &meta, "m:age=5"));
	CHECK(has_feature("hello there", &meta, "m:rate=3"));
	meta = (struct spam_meta){0, SPAM_UNKNOWN, 0};
	spam_features_of(feat, "hello there", 11, &meta);
	for (i = 0; i < feat->count; i++)
		CHECK(feat->items[i].family != SPAM_META);
	/* Each family scaled to its weight: the values' squares sum to it. */
	spam_features_of(feat, spam[0], strlen(spam[0]), NULL);
	for (i = 0; i < feat->count; i++)
		sum[feat->items[i].family] +=
		    (double)feat->items[i].value * feat->items[i].value;
	CHECK(fabs(sum[SPAM_WORD] - 1) < 1e-4);
	CHECK(fabs(sum[SPAM_CHAR] - 1) < 1e-4);
	CHECK(fabs(sum[SPAM_DOMAIN] - 1) < 1e-4);
	CHECK(fabs(sum[SPAM_BIAS] - 1) < 1e-4);
	/* Names are whole UTF-8, even for n-grams cut inside a character. */
	spam_features_of(feat,
			 "caf\xc3\xa9 \xe2\x82\xac\xe2\x82\xac na\xc3\xafve",
			 18, NULL);
	for (i = 0; i < feat->count; i++)
		CHECK(utf8_ok(feat->items[i].name));
	CHECK(has_feature("caf\xc3\xa9 ok", NULL, "w:caf\xc3\xa9"));
	/* Bounded: a long comment is looked at up to SPAM_TEXT_MAX bytes. */
	big = malloc(100000);
	for (i = 0; i < 100000; i++)
		big[i] = "ab c"[i % 4];
	spam_features_of(feat, big, 100000, NULL);
	CHECK(feat->truncated);
	CHECK(feat->count <= SPAM_FEATURES_MAX);
	{
		size_t count = feat->count;
		uint32_t last = feat->items[count - 1].hash;

		spam_features_of(feat, big, SPAM_TEXT_MAX, NULL);
		CHECK(feat->count == count);
		CHECK(feat->items[count - 1].hash == last);
	}
	free(big);
}

/* A model trained on every comment above but the last three of each. */
static struct spam_model *
trained(void)
{
	struct spam_example ex[N_HAM + N_SPAM];
	struct spam_model *m = spam_model_new();
	size_t i, n = 0;

	for (i = 0; i + 3 < N_HAM; i++)
		ex[n++] = (struct spam_example){
		    ham[i], strlen(ham[i]), false, {0, SPAM_UNKNOWN, 0}};
	for (i = 0; i + 3 < N_SPAM; i++)
		ex[n++] = (struct spam_example){
		    spam[i], strlen(spam[i]), true, {0, SPAM_UNKNOWN, 0}};
	CHECK(spam_train(m, ex, n, 10, 7) == ERR_OK);
	return m;
}

static void
test_training(void)
{
	struct spam_model *m = spam_model_new(), *m2;
	uint64_t nspam;
	size_t i;

	CHECK(fabs(score_of(m, spam[0]) - 0.5) < 1e-9);
	CHECK(spam_model_examples(m, &nspam) == 0 && nspam == 0);
	spam_model_free(m);
	m = trained();
	CHECK(spam_model_examples(m, &nspam) == 10 * (N_HAM - 3 + N_SPAM - 3));
	CHECK(nspam == 10 * (N_SPAM - 3));
	/* The comments it learnt from, and the three of each it did not. */
	for (i = 0; i < N_HAM; i++) {
		double s = score_of(m, ham[i]);

		if (s >= SPAM_THRESHOLD)
			printf("ham scored %.3f: %s\n", s, ham[i]);
		CHECK(s < SPAM_THRESHOLD);
	}
	for (i = 0; i < N_SPAM; i++) {
		double s = score_of(m, spam[i]);

		if (s < SPAM_THRESHOLD)
			printf("spam scored %.3f: %s\n", s, spam[i]);
		CHECK(s >= SPAM_THRESHOLD);
	}
	CHECK(
	    score_of(m, "Subscribe to my channel!!! http://new-spam-site.com") >
	    0.8);
	CHECK(score_of(m, "The council should publish the library budget.") <
	      0.2);
	/* The same seed gives the same model. */
	m2 = trained();
	{
		struct buf a, b;

		buf_init(&a, 0);
		buf_init(&b, 0);
		CHECK(spam_model_save(m, &a) == ERR_OK);
		CHECK(spam_model_save(m2, &b) == ERR_OK);
		CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		buf_clear(&a);
		buf_clear(&b);
	}
	spam_model_free(m2);
	spam_model_free(m);
}

static void
test_incremental(void)
{
	struct spam_model *m = trained();
	const char *odd = "Warm regards from the allotment society, see "
			  "allotments-united.org for the seed swap";
	double before, after;
	uint64_t n0 = spam_model_examples(m, NULL);
	int i;

	before = score_of(m, odd);
	spam_learn(m, feat, true);
	after = score_of(m, odd);
	CHECK(after > before + 0.01);
	CHECK(spam_model_examples(m, NULL) == n0 + 1);
	/* A few decisions the other way bring it below the threshold. */
	for (i = 0; i < 20; i++)
		spam_learn(m, feat, false);
	CHECK(score_of(m, odd) < before);
	CHECK(score_of(m, odd) < SPAM_THRESHOLD);
	/* Moderators marking a new kind of spam teach it in a few steps. */
	before = score_of(m, "Knitted llama scarves, ask me for the catalogue");
	for (i = 0; i < 5; i++)
		spam_learn(m, feat, true);
	CHECK(before < SPAM_THRESHOLD);
	CHECK(score_of(m, "Knitted llama scarves, ask me for the catalogue") >=
	      SPAM_THRESHOLD);
	spam_model_free(m);
}

/* FNV-1a, as the saved form's checksum, to forge well-summed bytes. */
static void
reseal(unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i + 8 < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 8; i++)
		p[len - 8 + i] = (unsigned char)(h >> (8 * i));
}

/* Whether bytes p[0..len) are refused with a reason. */
static bool
refused(const unsigned char *p, size_t len)
{
	struct spam_model *m = (struct spam_model *)1;
	struct buf why;
	enum err e;
	bool ok;

	buf_init(&why, 256);
	e = spam_model_load(p, len, &m, &why);
	ok = e == ERR_INVALID && m == NULL &&
	     strstr(buf_cstr(&why), "not a saved spam model") != NULL;
	if (e == ERR_OK)
		spam_model_free(m);
	buf_clear(&why);
	return ok;
}

static void
test_save_load(void)
{
	struct spam_model *m = trained(), *back = NULL;
	struct buf a, b;
	unsigned char *p;
	uint64_t ns, nb;
	size_t i, len, bad = 0;

	buf_init(&a, 0);
	buf_init(&b, 0);
	CHECK(spam_model_save(m, &a) == ERR_OK);
	CHECK(a.len > 36 && memcmp(a.data, "PSPM\x01", 5) == 0);
	CHECK(spam_model_load(a.data, a.len, &back, NULL) == ERR_OK);
	CHECK(back != NULL);
	if (back == NULL)
		return;
	CHECK(spam_model_examples(back, &nb) == spam_model_examples(m, &ns));
	CHECK(nb == ns);
	for (i = 0; i < N_SPAM; i++)
		CHECK(score_of(back, spam[i]) == score_of(m, spam[i]));
	for (i = 0; i < N_HAM; i++)
		CHECK(score_of(back, ham[i]) == score_of(m, ham[i]));
	CHECK(spam_model_save(back, &b) == ERR_OK);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	/* A loaded model keeps learning where the saved one stopped. */
	spam_features_of(feat, ham[0], strlen(ham[0]), NULL);
	spam_learn(m, feat, true);
	spam_learn(back, feat, true);
	CHECK(score_of(back, ham[0]) == score_of(m, ham[0]));
	spam_model_free(back);

	/* Damaged copies: every byte of the header, then one in 37. */
	len = a.len;
	p = malloc(len + 1);
	for (i = 0; i < len; i += i < 40 ? 1 : 37) {
		memcpy(p, a.data, len);
		p[i] ^= 0x10;
		bad += !refused(p, len);
	}
	CHECK(bad == 0);
	/* Cut short anywhere, or with a byte more. */
	memcpy(p, a.data, len);
	for (i = 0; i < len; i += i < 64 ? 1 : 101)
		bad += !refused(p, i);
	p[len] = 0;
	bad += !refused(p, len + 1);
	CHECK(bad == 0);
	/* Well summed but wrong inside: the checksum is not the only guard. */
	memcpy(p, a.data, len);
	p[4] = 2; /* a version this build does not know */
	reseal(p, len);
	CHECK(refused(p, len));
	memcpy(p, a.data, len);
	p[5] = 40; /* a table too large */
	reseal(p, len);
	CHECK(refused(p, len));
	memcpy(p, a.data, len);
	p[16] = 0xff, p[17] = 0xff; /* more spam than examples */
	reseal(p, len);
	CHECK(refused(p, len));
	memcpy(p, a.data, len);
	p[24]++; /* one entry more than there is */
	reseal(p, len);
	CHECK(refused(p, len));
	memcpy(p, a.data, len);
	p[24]--; /* one entry fewer: bytes left over */
	reseal(p, len);
	CHECK(refused(p, len));
	/* The first entry's weight made infinite: its bytes after the slot. */
	memcpy(p, a.data, len);
	for (i = 28; p[i] & 0x80; i++)
		;
	memcpy(p + i + 1, "\x00\x00\x80\x7f", 4);
	reseal(p, len);
	CHECK(refused(p, len));
	free(p);
	/* A short input is refused before anything is read past it. */
	CHECK(refused((const unsigned char *)"PSPM", 4));
	CHECK(refused((const unsigned char *)"", 0));
	buf_clear(&a);
	buf_clear(&b);
	spam_model_free(m);
}

static void
test_explain(void)
{
	struct spam_model *m = trained();
	struct spam_reason r[8];
	const char *text =
	    "Subscribe to my channel!!! http://new-spam-site.com";
	size_t n, i, j;

	spam_features_of(feat, text, strlen(text), NULL);
	n = spam_explain(m, feat, r, 8);
	CHECK(n == 8);
	CHECK(r[0].weight > 0);
	for (i = 0; i < n; i++) {
		CHECK(strcmp(r[i].name, "bias") != 0);
		if (i > 0)
			CHECK(fabs(r[i].weight) <= fabs(r[i - 1].weight));
		for (j = 0; j < i; j++)
			CHECK(strcmp(r[i].name, r[j].name) != 0);
	}
	/* "channel" or "subscribe" is among what weighed most. */
	for (i = 0, j = 0; i < n; i++)
		j += strstr(r[i].name, "channel") != NULL ||
		     strstr(r[i].name, "subscri") != NULL;
	CHECK(j > 0);
	CHECK(spam_explain(m, feat, r, 2) == 2);
	CHECK(spam_explain(m, feat, r, 0) == 0);
	/* Asked for every feature: each once, and never the bias. */
	{
		struct spam_reason *all = malloc(feat->count * sizeof(*all));
		size_t every = spam_explain(m, feat, all, feat->count);

		CHECK(every > 8 && every < feat->count);
		for (i = 0; i < every; i++)
			CHECK(strcmp(all[i].name, "bias") != 0);
		free(all);
	}
	/* A ham comment's heaviest features pull towards ham. */
	spam_features_of(feat, ham[0], strlen(ham[0]), NULL);
	n = spam_explain(m, feat, r, 3);
	CHECK(n == 3 && r[0].weight < 0);
	spam_model_free(m);
}

/* Reads every record of s; the fields joined by '|', records by '/'. */
static const char *
records(struct arena *a, const char *s, struct buf *why)
{
	struct spam_csv c = {s, strlen(s), 0, 0, 0};
	struct spam_csv_field f[SPAM_CSV_FIELDS_MAX];
	enum spam_csv_status st;
	const char *got;
	struct buf out;
	size_t n, i;
	bool ok = true;

	buf_init(&out, 0);
	while ((st = spam_csv_next(&c, a, f, &n, why)) == SPAM_CSV_RECORD) {
		if (out.len > 0)
			ok = ok && buf_putc(&out, '/');
		for (i = 0; i < n; i++) {
			if (i > 0)
				ok = ok && buf_putc(&out, '|');
			ok = ok && buf_append(&out, f[i].text, f[i].len);
		}
	}
	CHECK(ok);
	got = st == SPAM_CSV_ERROR ? "ERROR" : arena_strdup(a, buf_cstr(&out));
	buf_clear(&out);
	return got;
}

static void
test_csv(void)
{
	struct arena a;
	struct buf why;
	struct spam_example *ex;
	size_t n, len;
	const char *s;

	arena_init(&a);
	buf_init(&why, 512);
	CHECK_STR(records(&a, "a,b,c\n1,2,3\n", &why), "a|b|c/1|2|3");
	CHECK_STR(records(&a, "a,b\r\n1,2", &why), "a|b/1|2");
	CHECK_STR(records(&a,
			  "\xef\xbb\xbf"
			  "a,b\n\n\n1,\n",
			  &why),
		  "a|b/1|");
	CHECK_STR(records(&a, "\"x, y\",\"say \"\"hi\"\"\"\n", &why),
		  "x, y|say \"hi\"");
	CHECK_STR(records(&a, "\"line one\nline two\",2\n3,4\n", &why),
		  "line one\nline two|2/3|4");
	CHECK_STR(records(&a, "\"\",\"\"\n", &why), "|");
	CHECK_STR(records(&a, "a\rb,c\n", &why), "a\rb|c");
	CHECK_STR(records(&a, "\"open,1\n", &why), "ERROR");
	CHECK(strstr(buf_cstr(&why), "line 1: a quoted field is not closed"));
	CHECK_STR(records(&a, "a,b\n\"x\"y,2\n", &why), "ERROR");
	CHECK(strstr(buf_cstr(&why), "line 2: text after a closing quote"));
	CHECK_STR(records(&a, "a,b\n1,\"2\n3\"\nx\"y,2\n", &why), "ERROR");
	CHECK(strstr(buf_cstr(&why), "line 4: a quote inside a field"));
	{
		char wide[SPAM_CSV_FIELDS_MAX * 2 + 4];
		int i;

		for (i = 0; i <= SPAM_CSV_FIELDS_MAX; i++)
			wide[2 * i] = 'x', wide[2 * i + 1] = ',';
		wide[2 * SPAM_CSV_FIELDS_MAX + 1] = '\0';
		CHECK_STR(records(&a, wide, &why), "ERROR");
		CHECK(strstr(buf_cstr(&why), "more than 64 fields"));
		wide[2 * SPAM_CSV_FIELDS_MAX - 1] = '\0';
		CHECK(strcmp(records(&a, wide, &why), "ERROR") != 0);
	}

	/* The corpus's HTML as plain text, links kept. */
	s = "Tom &amp; Jerry&#39;s &quot;show&quot;<br />next";
	s = spam_csv_plain(&a, s, strlen(s), &len);
	CHECK_STR(s, "Tom & Jerry's \"show\" next");
	CHECK(len == strlen(s));
	s = "see <a href=\"http://x.example.com/p\">here</a>!";
	s = spam_csv_plain(&a, s, strlen(s), &len);
	CHECK_STR(s, "see  http://x.example.com/p here !");
	s = "1 < 2 &notanentity; &#x41;&#0; &#12";
	s = spam_csv_plain(&a, s, strlen(s), &len);
	CHECK_STR(s, "1 < 2 &notanentity; A\xef\xbf\xbd &#12");

	/* Labelled files: columns found by name, any order. */
	s = "CLASS,ID,CONTENT\n1,a,\"Buy now, &amp; save\"\n0,b,Nice piece\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) == ERR_OK);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(ex[0].text, "Buy now, & save");
		CHECK(ex[0].spam && !ex[1].spam);
		CHECK_STR(ex[1].text, "Nice piece");
	}
	s = "ID,CONTENT\n1,x\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) ==
	      ERR_INVALID);
	CHECK_STR(buf_cstr(&why), "line 1: the header has no CLASS column");
	s = "ID,CLASS\n1,x\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) ==
	      ERR_INVALID);
	CHECK_STR(buf_cstr(&why), "line 1: the header has no CONTENT column");
	s = "CONTENT,CLASS\n\"two\nlines\",1\nthree,fields,0\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) ==
	      ERR_INVALID);
	CHECK_STR(buf_cstr(&why), "line 4: 3 fields where the header has 2");
	s = "CONTENT,CLASS\nfine,0\nodd,spam\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) ==
	      ERR_INVALID);
	CHECK_STR(buf_cstr(&why), "line 3: CLASS is not 0 or 1");
	s = "CONTENT,CLASS\nfine,10\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) ==
	      ERR_INVALID);
	CHECK(spam_csv_examples(&a, "", 0, &ex, &n, &why) == ERR_INVALID);
	CHECK_STR(buf_cstr(&why), "empty file: no header line");
	s = "CONTENT,CLASS\n";
	CHECK(spam_csv_examples(&a, s, strlen(s), &ex, &n, &why) == ERR_OK);
	CHECK(n == 0);
	buf_clear(&why);
	arena_clear(&a);
}

int
main(void)
{
	feat = spam_features_new();
	if (feat == NULL)
		return 1;
	test_features();
	test_training();
	test_incremental();
	test_save_load();
	test_explain();
	test_csv();
	spam_features_free(feat);
	TEST_DONE();
}
