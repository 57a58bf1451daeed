/* test_robots.c: the robots.txt matcher (RFC 9309): groups, the "*" fallback, longest
 * match, allow on ties, wildcards and anchors, hostile files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/robots.h"

#define A "linkcamp-placement-check"

static int
allowed(const char *txt, const char *agent, const char *path)
{
	return robots_allowed(txt, strlen(txt), agent, path);
}

static void
test_groups(void **state)
{
	static const char txt[] =
	    "# comment\r\nUser-agent: *\nDisallow: /private\n\n"
	    "User-agent: Googlebot\nUser-Agent: bingbot\nDisallow: /nogoogle\n"
	    "\nuser-agent: LinkCamp-Placement-Check/1.0\nallow: /\n"
	    "disallow: /secret  # ours only\n";
	(void)state;
	/* our own group applies, not "*" */
	assert_int_equal(allowed(txt, A, "/private/page"), 1);
	assert_int_equal(allowed(txt, A, "/secret/x"), 0);
	assert_int_equal(allowed(txt, "Googlebot", "/nogoogle/a"), 0);
	assert_int_equal(allowed(txt, "bingbot", "/nogoogle"), 0);
	assert_int_equal(allowed(txt, "Googlebot", "/private"), 1);
	assert_int_equal(allowed(txt, "otherbot", "/private"), 0);
	assert_int_equal(allowed(txt, "otherbot", "/public"), 1);
	assert_int_equal(allowed("", A, "/"), 1);
	assert_int_equal(allowed("User-agent: other\nDisallow: /\n", A, "/x"), 1);
	/* groups naming us are merged */
	assert_int_equal(allowed("User-agent: " A "\nDisallow: /a\nUser-agent: x\nDisallow: /\n"
	                         "User-agent: " A "\nDisallow: /b\n",
	                     A, "/b/1"),
	    0);
}

static void
test_rules(void **state)
{
	(void)state;
	/* the longest match wins; allow wins a tie */
	assert_int_equal(allowed("User-agent: *\nDisallow: /a\nAllow: /a/b\n", A, "/a/b/c"), 1);
	assert_int_equal(allowed("User-agent: *\nAllow: /a\nDisallow: /a/b\n", A, "/a/b/c"), 0);
	assert_int_equal(allowed("User-agent: *\nDisallow: /a\nAllow: /a\n", A, "/a"), 1);
	assert_int_equal(allowed("User-agent: *\nDisallow:\n", A, "/a"), 1);
	assert_int_equal(allowed("User-agent: *\nDisallow: /\n", A, "/"), 0);
	/* wildcards and the end anchor */
	assert_int_equal(allowed("User-agent: *\nDisallow: /*.pdf$\n", A, "/x/y.pdf"), 0);
	assert_int_equal(allowed("User-agent: *\nDisallow: /*.pdf$\n", A, "/x/y.pdf?z"), 1);
	assert_int_equal(allowed("User-agent: *\nDisallow: /*/private/\n", A, "/a/b/private/c"), 0);
	assert_int_equal(allowed("User-agent: *\nDisallow: /*?session=\n", A, "/p?session=1"), 0);
	assert_int_equal(allowed("User-agent: *\nDisallow: /post$\n", A, "/post/1"), 1);
	assert_int_equal(allowed("User-agent: *\nDisallow: **a*b*c$\n", A, "/xaxbxc"), 0);
}

static void
test_hostile(void **state)
{
	size_t n = ROBOTS_MAX_BYTES + 4096, i;
	char *big = malloc(n + 1), tok[16];
	static const char bin[] = "User-agent: *\0\nDisallow: /a\n\xff\xfe:\x01\n";

	(void)state;
	assert_non_null(big);
	/* a long run of stars against a long path ends, and the cap is honoured */
	memcpy(big, "User-agent: *\nDisallow: /", 25);
	for (i = 25; i < n; i++)
		big[i] = '*';
	big[n] = '\0';
	assert_int_equal(robots_allowed(big, n, A, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
	/* a rule past 512 KiB is not read */
	memset(big, '\n', n);
	memcpy(big, "User-agent: *\n", 14);
	memcpy(big + ROBOTS_MAX_BYTES + 10, "Disallow: /\n", 12);
	assert_int_equal(robots_allowed(big, n, A, "/x"), 1);
	free(big);
	assert_int_equal(robots_allowed(bin, sizeof(bin) - 1, A, "/a"), 0);
	assert_int_equal(robots_allowed(NULL, 0, A, "/a"), 1);
	robots_agent_token("linkcamp-placement-check/1.0 (+https://x)", tok, sizeof(tok));
	assert_string_equal(tok, "linkcamp-placem");
	robots_agent_token("Bot_1 x", tok, sizeof(tok));
	assert_string_equal(tok, "Bot_1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
