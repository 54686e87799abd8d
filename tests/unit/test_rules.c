/*
 * The moderation rules (model/rules.c) and addresses and networks
 * (core/cidr.c): CIDR parsing and matching, IPv4 and IPv6 (an IPv4
 * reader on a dual-stack socket included), link counting on rendered
 * comments, whole-word lists in any case, blocked emails and domains,
 * listed accounts, and the verdict each rule gives.
 */
#include <string.h>

#include "core/arena.h"
#include "core/cidr.h"
#include "core/config.h"
#include "model/rules.h"
#include "store/store.h"
#include "test.h"

static bool
parses(const char *s)
{
	struct cidr c;

	return cidr_parse(s, strlen(s), &c);
}

static bool
inside(const char *net, const char *addr)
{
	struct cidr n, a;

	return cidr_parse(net, strlen(net), &n) &&
	       cidr_parse(addr, strlen(addr), &a) && cidr_contains(&n, &a);
}

static const char *
formatted(const char *s, char out[CIDR_TEXT_MAX])
{
	struct cidr c;

	if (!cidr_parse(s, strlen(s), &c))
		return "(refused)";
	cidr_format(&c, out);
	return out;
}

static void
test_cidr(void)
{
	char out[CIDR_TEXT_MAX];

	CHECK(parses("192.0.2.7"));
	CHECK(parses("192.0.2.0/24"));
	CHECK(parses("2001:db8::/32"));
	CHECK(parses("::1"));
	CHECK(parses("0.0.0.0/0"));
	CHECK(!parses(""));
	CHECK(!parses("192.0.2.0/33"));
	CHECK(!parses("2001:db8::/129"));
	CHECK(!parses("192.0.2.0/024"));
	CHECK(!parses("192.0.2.0/"));
	CHECK(!parses("192.0.2.0/-1"));
	CHECK(!parses(" 192.0.2.1"));
	CHECK(!parses("192.0.2.256"));
	CHECK(!parses("fe80::1%eth0"));
	CHECK(!parses("example.org"));
	CHECK(!cidr_parse("192.0.2.1\0junk", 14, &(struct cidr){0}));

	CHECK(inside("192.0.2.0/24", "192.0.2.7"));
	CHECK(inside("192.0.2.0/24", "192.0.2.255"));
	CHECK(!inside("192.0.2.0/24", "192.0.3.0"));
	CHECK(inside("192.0.2.0/25", "192.0.2.127"));
	CHECK(!inside("192.0.2.0/25", "192.0.2.128"));
	CHECK(inside("192.0.2.7", "192.0.2.7"));
	CHECK(!inside("192.0.2.7", "192.0.2.8"));
	/* A dual-stack socket shows an IPv4 reader as ::ffff:a.b.c.d. */
	CHECK(inside("192.0.2.0/24", "::ffff:192.0.2.7"));
	CHECK(inside("::ffff:192.0.2.0/120", "192.0.2.9"));
	CHECK(!inside("192.0.2.0/24", "2001:db8::c000:207"));
	CHECK(inside("0.0.0.0/0", "203.0.113.1"));
	CHECK(!inside("0.0.0.0/0", "2001:db8::1"));
	CHECK(inside("2001:db8:1:2::/64", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
	CHECK(!inside("2001:db8:1:2::/64", "2001:db8:1:3::"));
	CHECK(inside("2001:db8::/33", "2001:db8:7fff::1"));
	CHECK(!inside("2001:db8::/33", "2001:db8:8000::1"));
	CHECK(inside("::/0", "::1"));
	/* A network is not inside a smaller one. */
	CHECK(!inside("192.0.2.0/25", "192.0.2.0/24"));
	CHECK(inside("192.0.2.0/24", "192.0.2.0/25"));

	CHECK_STR(formatted("192.0.2.77/24", out), "192.0.2.0/24");
	CHECK_STR(formatted("192.0.2.77", out), "192.0.2.77");
	CHECK_STR(formatted("::ffff:192.0.2.77", out), "192.0.2.77");
	CHECK_STR(formatted("2001:DB8:0:0:1::ff/64", out), "2001:db8::/64");
	CHECK_STR(formatted("2001:db8::1", out), "2001:db8::1");

	CHECK(cidr_list_match("10.0.0.0/8, 192.0.2.0/24", "192.0.2.1"));
	CHECK(cidr_list_match("10.0.0.0/8 2001:db8::/32", "2001:db8::1"));
	CHECK(!cidr_list_match("10.0.0.0/8 2001:db8::/32", "192.0.2.1"));
	CHECK(!cidr_list_match("", "192.0.2.1"));
	CHECK(!cidr_list_match("192.0.2.0/24", "not an address"));
	CHECK(cidr_list_valid("10.0.0.0/8, ::1 2001:db8::/32", NULL));
}

static void
test_links(void)
{
	CHECK(rules_count_links("") == 0);
	CHECK(rules_count_links("<p>no links, only &lt;a href=\"x\"&gt;</p>") ==
	      0);
	CHECK(rules_count_links("<p><a href=\"https://a.example\" rel=\"x\">a"
				"</a> and <a href=\"https://b.example\">b</a>"
				"</p>") == 2);
}

static void
test_words(void)
{
	struct arena a;

	arena_init(&a);
	CHECK_STR(
	    rules_words_match(&a, "casino, free money", "Visit the CASINO!"),
	    "casino");
	CHECK_STR(
	    rules_words_match(&a, "casino, free money", "get Free Money now"),
	    "free money");
	/* Whole words only: no "class" in "classic", no "ass" in "pass". */
	CHECK(rules_words_match(&a, "class, ass", "a classic pass") == NULL);
	CHECK_STR(rules_words_match(&a, " spaced ,", "so spaced out"),
		  "spaced");
	CHECK(rules_words_match(&a, "", "anything") == NULL);
	CHECK(rules_words_match(&a, ",,", "anything") == NULL);
	/* A word next to non-ASCII letters is part of a longer word. */
	CHECK(rules_words_match(&a, "spam", "spamé") == NULL);
	CHECK_STR(rules_words_match(&a, "spam", "(spam)"), "spam");
	arena_clear(&a);
}

static void
test_senders(void)
{
	CHECK(rules_email_blocked("bad@example.org", "", "BAD@example.org"));
	CHECK(!rules_email_blocked("bad@example.org", "", "bad@example.net"));
	CHECK(rules_email_blocked("", "spam.test", "x@spam.test"));
	CHECK(rules_email_blocked("", "spam.test", "x@mail.spam.test"));
	CHECK(!rules_email_blocked("", "spam.test", "x@notspam.test"));
	CHECK(!rules_email_blocked("", "spam.test", ""));
	CHECK(rules_id_listed("3, 17 40", 17));
	CHECK(!rules_id_listed("3, 17 40", 4));
	CHECK(!rules_id_listed("3, 17 40", 0));
	CHECK(!rules_id_listed("170", 17));
}

static void
test_judge(void)
{
	struct config defaults, cfg;
	struct arena a;
	const char *why;
	struct rules_input in = {
	    "hello", "<p>hello</p>", "Ada", "ada@example.org",
	    "",	     "192.0.2.7",    0};

	/* cfg's strings are changed to literals: defaults keeps the owned ones.
	 */
	config_defaults(&defaults);
	cfg = defaults;
	arena_init(&a);
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_APPROVED);
	CHECK(why == NULL);
	in.body_html = "<a href=\"1\">1</a><a href=\"2\">2</a>";
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_APPROVED);
	in.body_html = "<a href=\"1\">1</a><a href=\"2\">2</a><a href=\"3\">";
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_PENDING);
	CHECK_STR(why, "3 links");
	in.body_html = "";
	cfg.hold_words = "lottery";
	in.url = "https://lottery.example";
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_PENDING);
	CHECK_STR(why, "word: lottery");
	in.url = "";
	cfg.blocked_networks = "192.0.2.0/24";
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_SPAM);
	CHECK_STR(why, "blocked address");
	cfg.blocked_networks = "";
	cfg.blocked_accounts = "9";
	in.user_id = 9;
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_SPAM);
	cfg.blocked_accounts = "";
	cfg.blocked_domains = "example.org";
	CHECK(rules_judge(&cfg, &a, &in, &why) == STATUS_SPAM);
	CHECK_STR(why, "blocked email");
	cfg.blocked_domains = "";
	cfg.refuse_words = "viagra";
	in.author = "Viagra Seller";
	CHECK_STR(rules_refused(&cfg, &a, &in), "viagra");
	in.author = "Ada";
	CHECK(rules_refused(&cfg, &a, &in) == NULL);
	arena_clear(&a);
	config_clear(&defaults);
}

int
main(void)
{
	test_cidr();
	test_links();
	test_words();
	test_senders();
	test_judge();
	TEST_DONE();
}
