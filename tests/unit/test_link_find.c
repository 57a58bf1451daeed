/* test_link_find.c: URL comparison and the HTML link finder behind placement checks
 * (src/hook/link_find.c): relative hrefs, case, default ports, trailing slashes,
 * fragments, queries, <base href>, entities, broken and hostile documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/placements.h"
#include "hook/link_find.h"

#define PAGE "https://blog.example.org/posts/2024/guide.html"
#define TARGET "https://www.Target.example/tools/checker"

static int setup(void **);
static int teardown(void **);
static int find(const char *, const char *);

static int
setup(void **state)
{
	(void)state;
	link_find_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	link_find_cleanup();
	return 0;
}

static int
find(const char *html, const char *target)
{
	return link_find(html, strlen(html), PAGE, target);
}

static void
test_same_url(void **state)
{
	(void)state;
	assert_int_equal(link_url_same("https://www.target.example/tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("HTTPS://WWW.TARGET.EXAMPLE/tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("https://www.target.example:443/tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("https://www.target.example/tools/checker/", TARGET), 1);
	assert_int_equal(link_url_same("https://www.target.example./tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("https://www.target.example/tools/checker#top", TARGET), 1);
	assert_int_equal(link_url_same("http://www.target.example/tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("http://www.target.example:80/tools/checker", TARGET), 1);
	assert_int_equal(link_url_same("https://www.target.example/tools/%63hecker", TARGET), 1);
	/* tracking parameters on a link to a target without a query */
	assert_int_equal(
	    link_url_same("https://www.target.example/tools/checker?utm_source=x", TARGET), 1);
	/* the path is case-sensitive; another port, host or path is another page */
	assert_int_equal(link_url_same("https://www.target.example/Tools/checker", TARGET), 0);
	assert_int_equal(link_url_same("https://www.target.example:8443/tools/checker", TARGET), 0);
	assert_int_equal(link_url_same("https://target.example/tools/checker", TARGET), 0);
	assert_int_equal(link_url_same("https://www.target.example/tools", TARGET), 0);
	assert_int_equal(link_url_same("https://www.target.example/tools/checker2", TARGET), 0);
	/* the root: empty path and "/" are the same */
	assert_int_equal(link_url_same("https://a.example", "https://a.example/"), 1);
	assert_int_equal(link_url_same("https://a.example/", "https://A.example"), 1);
	/* a target with a query needs the same query */
	assert_int_equal(link_url_same("https://a.example/p?id=1", "https://a.example/p?id=1"), 1);
	assert_int_equal(link_url_same("https://a.example/p?id=2", "https://a.example/p?id=1"), 0);
	assert_int_equal(link_url_same("https://a.example/p", "https://a.example/p?id=1"), 0);
	/* not http(s) or not absolute */
	assert_int_equal(link_url_same("mailto:a@target.example", TARGET), 0);
	assert_int_equal(link_url_same("javascript:alert(1)", TARGET), 0);
	assert_int_equal(link_url_same("/tools/checker", TARGET), 0);
	assert_int_equal(link_url_same("ftp://www.target.example/tools/checker", TARGET), 0);
	assert_int_equal(link_url_same(NULL, TARGET), 0);
	assert_int_equal(link_url_same(TARGET, "not a url"), 0);
}

static void
test_absolute_and_relative(void **state)
{
	(void)state;
	assert_int_equal(
	    find("<p>See <a href=\"https://www.target.example/tools/checker\">x</a>", TARGET), 1);
	/* relative to the page */
	assert_int_equal(find("<a href=\"/about\">a</a>", "https://blog.example.org/about"), 1);
	assert_int_equal(
	    find("<a href=\"other.html\">a</a>", "https://blog.example.org/posts/2024/other.html"),
	    1);
	assert_int_equal(
	    find("<a href=\"../2023/x.html\">a</a>", "https://blog.example.org/posts/2023/x.html"),
	    1);
	assert_int_equal(find("<a href=\"//www.target.example/tools/checker/\">a</a>", TARGET), 1);
	/* surrounding whitespace in the attribute */
	assert_int_equal(
	    find("<a href=\"  https://www.target.example/tools/checker \n\">a</a>", TARGET), 1);
	/* upper-case tag and attribute names, unquoted value */
	assert_int_equal(find("<A HREF=https://www.target.example/tools/checker>a</A>", TARGET), 1);
}

static void
test_no_link(void **state)
{
	(void)state;
	assert_int_equal(find("", TARGET), 0);
	assert_int_equal(find("<html><body><p>nothing here</p></body></html>", TARGET), 0);
	assert_int_equal(find("<a>no href</a><a name=\"x\">anchor</a>", TARGET), 0);
	/* the URL as text or in another element's attribute is not a link */
	assert_int_equal(find("<p>https://www.target.example/tools/checker</p>"
	                      "<img src=\"https://www.target.example/tools/checker\">"
	                      "<link href=\"https://www.target.example/tools/checker\">",
	                     TARGET),
	    0);
	/* in a comment or a script */
	assert_int_equal(
	    find("<!-- <a href=\"https://www.target.example/tools/checker\">x</a> -->"
	         "<script>var a='<a href=\"https://www.target.example/tools/checker\">'"
	         "</script>",
	        TARGET),
	    0);
}

static void
test_base_href(void **state)
{
	(void)state;
	assert_int_equal(find("<html><head><base href=\"https://www.target.example/tools/\">"
	                      "</head><body><a href=\"checker\">x</a></body></html>",
	                     TARGET),
	    1);
	/* without the base the same href resolves against the page */
	assert_int_equal(find("<a href=\"checker\">x</a>", TARGET), 0);
}

static void
test_entities_and_broken_html(void **state)
{
	(void)state;
	assert_int_equal(find("<a href=\"https://a.example/p?x=1&amp;y=2\">e</a>",
	                     "https://a.example/p?x=1&y=2"),
	    1);
	assert_int_equal(
	    find("<a href=\"https&#58;//www.target.example/tools/checker\">e</a>", TARGET), 1);
	/* unclosed tags, nested tables, stray closing tags */
	assert_int_equal(find("<table><tr><td><table><tr><td><div><span>"
	                      "<a href=\"https://www.target.example/tools/checker\">deep"
	                      "</td></tr></table></b></i></td></tr>",
	                     TARGET),
	    1);
	/* a tag cut off at the end of the page: libxml2 recovers it or not; no crash */
	assert_true(find("<a href=\"https://www.target.example/tools/checker\"", TARGET) >= 0);
	assert_int_equal(find("<<<>>><a href=>x</a><a href=\"\">y</a></a></a>", TARGET), 0);
}

static void
test_hostile_documents(void **state)
{
	const char *link = "<a href=\"https://www.target.example/tools/checker\">x</a>";
	size_t i, n = 20000, len;
	char *b;

	(void)state;
	/* deeply nested */
	len = n * 5 + strlen(link) + 1;
	b = malloc(len);
	assert_non_null(b);
	b[0] = '\0';
	for (i = 0; i < n; i++)
		memcpy(b + i * 5, "<div>", 5);
	memcpy(b + n * 5, link, strlen(link) + 1);
	assert_true(link_find(b, strlen(b), PAGE, TARGET) >= 0);
	free(b);
	/* thousands of links, the right one last */
	len = 5000 * 40 + strlen(link) + 1;
	b = malloc(len);
	assert_non_null(b);
	b[0] = '\0';
	for (i = 0; i < 5000; i++)
		snprintf(b + strlen(b), len - strlen(b), "<a href=\"/page/%05zu\">p</a>", i);
	snprintf(b + strlen(b), len - strlen(b), "%s", link);
	assert_int_equal(link_find(b, strlen(b), PAGE, TARGET), 1);
	free(b);
	/* binary, NUL bytes and invalid UTF-8 */
	b = malloc(65536);
	assert_non_null(b);
	for (i = 0; i < 65536; i++)
		b[i] = (char)((i * 7919 + 13) & 0xff);
	assert_true(link_find(b, 65536, PAGE, TARGET) >= 0);
	memcpy(b + 1000, link, strlen(link));
	assert_true(link_find(b, 65536, PAGE, TARGET) >= 0);
	free(b);
	assert_int_equal(
	    find("\xc3(\xff\x80<a href=\"https://www.target.example/tools/checker\">\xc3(x</a>",
	        TARGET),
	    1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_url),
	    cmocka_unit_test(test_absolute_and_relative),
	    cmocka_unit_test(test_no_link),
	    cmocka_unit_test(test_base_href),
	    cmocka_unit_test(test_entities_and_broken_html),
	    cmocka_unit_test(test_hostile_documents),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
