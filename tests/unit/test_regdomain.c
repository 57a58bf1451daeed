/* test_regdomain.c: the placement host rule: same registrable domain (public suffix aware),
 * subdomains allowed, IP literals equal only, hostile URLs rejected. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/regdomain.h"

static void
test_url_host(void **state)
{
	char h[REGDOMAIN_HOST_MAX];

	(void)state;
	assert_int_equal(url_host("https://BLOG.Example.:8443/a?b#c", h, sizeof(h)), 0);
	assert_string_equal(h, "blog.example");
	assert_int_equal(url_host("http://[::1]:80/", h, sizeof(h)), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(url_host("https://u:p@evil.example@blog.example/", h, sizeof(h)), 0);
	assert_string_equal(h, "blog.example");
	assert_int_equal(url_host("https://x.example?q", h, sizeof(h)), 0);
	assert_string_equal(h, "x.example");
	assert_int_equal(url_host("no scheme", h, sizeof(h)), -1);
	assert_int_equal(url_host("https:///path", h, sizeof(h)), -1);
	assert_int_equal(url_host("https://[::1/", h, sizeof(h)), -1);
	assert_int_equal(url_host("https://averyveryverylonghost.example/", h, 8), -1);
}

static void
test_registrable(void **state)
{
	char r[REGDOMAIN_HOST_MAX];

	(void)state;
	assert_int_equal(regdomain_of("WWW.Blog.CO.UK", r, sizeof(r)), 0);
	assert_string_equal(r, "blog.co.uk");
	assert_int_equal(regdomain_of("a.b.blog.example.", r, sizeof(r)), 0);
	assert_string_equal(r, "blog.example");
	assert_int_equal(regdomain_of("user.github.io", r, sizeof(r)), 0);
	assert_string_equal(r, "user.github.io");
	assert_int_equal(regdomain_of("127.0.0.1", r, sizeof(r)), 0);
	assert_string_equal(r, "127.0.0.1");
	assert_int_equal(regdomain_of("co.uk", r, sizeof(r)), -1);
	assert_int_equal(regdomain_of("github.io", r, sizeof(r)), -1);
	assert_int_equal(regdomain_of("", r, sizeof(r)), -1);
	assert_int_equal(regdomain_of(NULL, r, sizeof(r)), -1);
}

static void
test_url_on_domain(void **state)
{
	(void)state;
	assert_int_equal(regdomain_url_on("https://blog.example/a", "blog.example"), 1);
	assert_int_equal(regdomain_url_on("https://BLOG.example:8443/a", "blog.example"), 1);
	assert_int_equal(regdomain_url_on("https://www.blog.example/a", "blog.example"), 1);
	assert_int_equal(regdomain_url_on("https://blog.example?x", "www.blog.example"), 1);
	assert_int_equal(regdomain_url_on("https://news.blog.example/", "blog.example"), 1);
	assert_int_equal(regdomain_url_on("https://shop.blog.co.uk/", "www.blog.co.uk"), 1);
	assert_int_equal(regdomain_url_on("https://evilblog.example/", "blog.example"), 0);
	assert_int_equal(regdomain_url_on("https://blog.example.evil/", "blog.example"), 0);
	assert_int_equal(regdomain_url_on("https://example/", "blog.example"), 0);
	assert_int_equal(regdomain_url_on("https://other.co.uk/", "blog.co.uk"), 0);
	assert_int_equal(regdomain_url_on("https://co.uk/", "co.uk"), 0);
	/* github.io is a public suffix: another user's site is not the prospect's */
	assert_int_equal(regdomain_url_on("https://mallory.github.io/", "alice.github.io"), 0);
	assert_int_equal(regdomain_url_on("https://127.0.0.1/a", "blog.example"), 0);
	assert_int_equal(regdomain_url_on("https://127.0.0.1:8080/a", "127.0.0.1"), 1);
	assert_int_equal(regdomain_url_on("https://127.0.0.2/a", "127.0.0.1"), 0);
	assert_int_equal(regdomain_url_on("no scheme", "blog.example"), 0);
	assert_int_equal(regdomain_url_on("https://blog.example/", ""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_url_host),
	    cmocka_unit_test(test_registrable),
	    cmocka_unit_test(test_url_on_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
