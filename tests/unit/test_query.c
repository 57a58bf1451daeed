/* test_query.c: strict application/x-www-form-urlencoded decoding.
 * Inputs are copied to exact-size heap buffers without a NUL so that a read past len
 * is caught by ASan or valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"
#include "http/query.h"

static lc_err parse(const char *s, struct query *q, const char **bad);
static void assert_bad(const char *s, const char *want_bad);
static long decode(const char *s, char *dst);

/* parse runs query_parse on a copy of s without a terminating NUL. */
static lc_err
parse(const char *s, struct query *q, const char **bad)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, s, len);
	e = query_parse(copy, len, q, bad);
	free(copy);
	return e;
}

/* assert_bad checks that s is rejected with *bad naming want_bad. */
static void
assert_bad(const char *s, const char *want_bad)
{
	struct query q;
	const char *bad = NULL;

	if (parse(s, &q, &bad) != LC_EINVAL) {
		query_free(&q);
		fail_msg("query_parse accepted \"%s\"", s);
	}
	assert_non_null(bad);
	if (strcmp(bad, want_bad) != 0)
		fail_msg("\"%s\": bad is \"%s\", want \"%s\"", s, bad, want_bad);
	query_free(&q);
}

static long
decode(const char *s, char *dst)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	long n;

	assert_non_null(copy);
	memcpy(copy, s, len);
	n = url_decode(copy, len, dst);
	free(copy);
	return n;
}

/* ---- query_parse: accepted forms ---- */

static void
test_parse_simple_pairs(void **state)
{
	struct query q;
	const char *bad = "unset";

	(void)state;
	assert_int_equal(parse("a=1&b=two", &q, &bad), LC_OK);
	assert_null(bad);
	assert_int_equal(q.n, 2);
	assert_string_equal(q.p[0].key, "a");
	assert_string_equal(q.p[0].value, "1");
	assert_int_equal(q.p[0].vlen, 1);
	assert_string_equal(q.p[1].key, "b");
	assert_string_equal(q.p[1].value, "two");
	assert_int_equal(q.p[1].vlen, 3);
	query_free(&q);
}

static void
test_parse_empty_string(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(query_parse("", 0, &q, &bad), LC_OK);
	assert_int_equal(q.n, 0);
	assert_null(query_get(&q, "a"));
	query_free(&q);
}

static void
test_parse_percent_decoding(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("name=caf%C3%A9&sym=%2B%26%3D%25&low=%c3%a9", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "name"), "caf\xc3\xa9");
	assert_int_equal(q.p[0].vlen, 5);
	assert_string_equal(query_get(&q, "sym"), "+&=%");
	assert_string_equal(query_get(&q, "low"), "\xc3\xa9");
	query_free(&q);
}

static void
test_parse_plus_is_space(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("q=link+building&k+y=%2B+", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "q"), "link building");
	assert_string_equal(query_get(&q, "k y"), "+ ");
	query_free(&q);
}

static void
test_parse_decodes_keys(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("campaign%49d=x", &q, &bad), LC_OK);
	assert_string_equal(q.p[0].key, "campaignId");
	assert_string_equal(query_get(&q, "campaignId"), "x");
	query_free(&q);
}

static void
test_parse_does_not_decode_twice(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("a=%2541", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "a"), "%41");
	query_free(&q);
}

static void
test_parse_skips_empty_pairs(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("a=1&&b=2", &q, &bad), LC_OK);
	assert_int_equal(q.n, 2);
	assert_string_equal(query_get(&q, "a"), "1");
	assert_string_equal(query_get(&q, "b"), "2");
	query_free(&q);
	assert_int_equal(parse("&a=1&", &q, &bad), LC_OK);
	assert_int_equal(q.n, 1);
	query_free(&q);
	assert_int_equal(parse("&&&", &q, &bad), LC_OK);
	assert_int_equal(q.n, 0);
	query_free(&q);
}

static void
test_parse_key_without_equals_is_empty_value(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("flag&a=1&other", &q, &bad), LC_OK);
	assert_int_equal(q.n, 3);
	assert_string_equal(query_get(&q, "flag"), "");
	assert_int_equal(q.p[0].vlen, 0);
	assert_string_equal(query_get(&q, "a"), "1");
	assert_string_equal(query_get(&q, "other"), "");
	query_free(&q);
}

static void
test_parse_empty_value(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("a=&b=", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "a"), "");
	assert_string_equal(query_get(&q, "b"), "");
	query_free(&q);
}

static void
test_parse_value_may_contain_equals(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("cursor=AQ==&x==", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "cursor"), "AQ==");
	assert_string_equal(query_get(&q, "x"), "=");
	query_free(&q);
}

static void
test_parse_honours_len(void **state)
{
	const char *s = "a=1&b=2";
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(query_parse(s, 3, &q, &bad), LC_OK);
	assert_int_equal(q.n, 1);
	assert_string_equal(query_get(&q, "a"), "1");
	assert_null(query_get(&q, "b"));
	query_free(&q);
}

/* ---- query_parse: rejected forms ---- */

static void
test_parse_rejects_duplicate_key(void **state)
{
	(void)state;
	assert_bad("a=1&b=2&a=3", "a");
	assert_bad("limit=1&limit=1", "limit");
	assert_bad("flag&flag", "flag");
}

static void
test_parse_rejects_duplicate_key_after_decoding(void **state)
{
	(void)state;
	assert_bad("a=1&%61=2", "a");
	assert_bad("a+b=1&a%20b=2", "a b");
}

static void
test_parse_rejects_empty_key(void **state)
{
	(void)state;
	assert_bad("=1", "query");
	assert_bad("a=1&=2", "query");
	assert_bad("=", "query");
}

static void
test_parse_rejects_truncated_escape(void **state)
{
	(void)state;
	assert_bad("a=%4", "a");
	assert_bad("a=%", "a");
	assert_bad("a=%&b=1", "a");
	assert_bad("a=x%4&b=1", "a");
}

static void
test_parse_rejects_non_hex_escape(void **state)
{
	(void)state;
	assert_bad("a=%zz", "a");
	assert_bad("a=%g1", "a");
	assert_bad("a=%1g", "a");
	assert_bad("a=% 1", "a");
	assert_bad("a=%+1", "a");
}

static void
test_parse_rejects_bad_escape_in_key(void **state)
{
	(void)state;
	assert_bad("%zz=1", "query");
	assert_bad("%4=1", "query");
	assert_bad("a%=1", "query");
}

static void
test_parse_rejects_decoded_nul(void **state)
{
	(void)state;
	assert_bad("a=%00", "a");
	assert_bad("a=x%00y", "a");
	assert_bad("%00=1", "query");
	assert_bad("a%00=1", "query");
}

static void
test_parse_rejects_invalid_utf8_value(void **state)
{
	(void)state;
	assert_bad("a=%ff", "a");
	assert_bad("a=%c0%af", "a");       /* overlong '/' */
	assert_bad("a=%ed%a0%80", "a");    /* U+D800 */
	assert_bad("a=%f4%90%80%80", "a"); /* > U+10FFFF */
	assert_bad("a=%c3", "a");          /* truncated */
	assert_bad("a=\xff", "a");         /* raw, not escaped */
}

static void
test_parse_rejects_invalid_utf8_key(void **state)
{
	(void)state;
	assert_bad("%ff=1", "query");
	assert_bad("%c0%af=1", "query");
}

static void
test_parse_accepts_valid_utf8(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("q=%e2%82%ac%f0%9f%98%80&%c3%a9=1", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "q"), "\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(query_get(&q, "\xc3\xa9"), "1");
	query_free(&q);
}

static void
test_parse_max_bytes(void **state)
{
	char *s = malloc(QUERY_MAX_BYTES + 2);
	struct query q;
	const char *bad;

	(void)state;
	assert_non_null(s);
	memset(s, 'x', QUERY_MAX_BYTES + 1);
	memcpy(s, "a=", 2);
	s[QUERY_MAX_BYTES] = '\0';
	assert_int_equal(parse(s, &q, &bad), LC_OK);
	assert_int_equal(q.p[0].vlen, QUERY_MAX_BYTES - 2);
	query_free(&q);
	s[QUERY_MAX_BYTES] = 'x';
	s[QUERY_MAX_BYTES + 1] = '\0';
	assert_int_equal(parse(s, &q, &bad), LC_EINVAL);
	assert_string_equal(bad, "query");
	query_free(&q);
	free(s);
}

static void
test_parse_max_params(void **state)
{
	char s[512];
	struct query q;
	const char *bad;
	size_t i, o = 0;

	(void)state;
	for (i = 0; i < QUERY_MAX_PARAMS; i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "%sk%zu=%zu", i ? "&" : "", i, i);
	assert_int_equal(parse(s, &q, &bad), LC_OK);
	assert_int_equal(q.n, QUERY_MAX_PARAMS);
	assert_string_equal(query_get(&q, "k31"), "31");
	query_free(&q);
	snprintf(s + o, sizeof(s) - o, "&k%d=x", QUERY_MAX_PARAMS);
	assert_int_equal(parse(s, &q, &bad), LC_EINVAL);
	assert_string_equal(bad, "query");
	query_free(&q);
}

/* Short key-only pairs decode to more bytes than they take in the input (two NULs per
 * pair): the storage must still be large enough. */
static void
test_parse_max_params_of_bare_keys(void **state)
{
	static const char keys[] = "abcdefghijklmnopqrstuvwxyzABCDEF";
	char s[2 * QUERY_MAX_PARAMS];
	struct query q;
	const char *bad;
	size_t i;

	(void)state;
	for (i = 0; i < QUERY_MAX_PARAMS; i++) {
		s[2 * i] = keys[i];
		s[2 * i + 1] = '&';
	}
	s[2 * QUERY_MAX_PARAMS - 1] = '\0';
	assert_int_equal(parse(s, &q, &bad), LC_OK);
	assert_int_equal(q.n, QUERY_MAX_PARAMS);
	assert_string_equal(query_get(&q, "F"), "");
	query_free(&q);
}

/* ---- query_get, query_free ---- */

static void
test_query_get_is_exact(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	assert_int_equal(parse("limit=5&Limit=6", &q, &bad), LC_OK);
	assert_string_equal(query_get(&q, "limit"), "5");
	assert_string_equal(query_get(&q, "Limit"), "6");
	assert_null(query_get(&q, "lim"));
	assert_null(query_get(&q, "limits"));
	assert_null(query_get(&q, ""));
	query_free(&q);
}

static void
test_query_free_on_zeroed_struct_and_twice(void **state)
{
	struct query q;
	const char *bad;

	(void)state;
	memset(&q, 0, sizeof(q));
	query_free(&q);
	assert_int_equal(parse("a=1", &q, &bad), LC_OK);
	query_free(&q);
	query_free(&q);
	assert_null(q.storage);
	assert_int_equal(q.n, 0);
}

/* ---- url_decode ---- */

static void
test_url_decode_escapes_and_plus(void **state)
{
	char dst[32];

	(void)state;
	assert_int_equal(decode("a%20b+c", dst), 5);
	assert_string_equal(dst, "a b c");
	assert_int_equal(decode("%41%42%4a%4A", dst), 4);
	assert_string_equal(dst, "ABJJ");
	assert_int_equal(decode("%2B", dst), 1);
	assert_string_equal(dst, "+");
	assert_int_equal(decode("plain", dst), 5);
	assert_string_equal(dst, "plain");
}

static void
test_url_decode_empty(void **state)
{
	char dst[1] = {'x'};

	(void)state;
	assert_int_equal(url_decode("", 0, dst), 0);
	assert_int_equal(dst[0], '\0');
}

static void
test_url_decode_keeps_nul_length(void **state)
{
	char dst[8];

	(void)state;
	assert_int_equal(decode("a%00b", dst), 3);
	assert_memory_equal(dst, "a\0b", 4);
}

static void
test_url_decode_rejects_malformed(void **state)
{
	static const char *const bad[] = {
	    "%", "%4", "%zz", "abc%", "abc%4", "%g0", "%0g", "%%41", "% 41"};
	char dst[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decode(bad[i], dst) != -1)
			fail_msg("url_decode accepted \"%s\"", bad[i]);
}

static void
test_url_decode_escape_at_end(void **state)
{
	char dst[8];

	(void)state;
	assert_int_equal(decode("ab%41", dst), 3);
	assert_string_equal(dst, "abA");
}

/* query_id_plausible lets through what ids look like, and nothing that could change the
 * route of a path it is spliced into. */
static void
test_query_id_plausible(void **state)
{
	char longest[101], too_long[102];

	(void)state;
	memset(longest, 'a', 100);
	longest[100] = '\0';
	memset(too_long, 'a', 101);
	too_long[101] = '\0';
	assert_true(query_id_plausible("scmp_AbC-12_x"));
	assert_true(query_id_plausible(longest));
	assert_false(query_id_plausible(too_long));
	assert_false(query_id_plausible(""));
	assert_false(query_id_plausible("scmp_x/pause"));
	assert_false(query_id_plausible(".."));
	assert_false(query_id_plausible("a%2fb"));
	assert_false(query_id_plausible("a?b=c"));
	assert_false(query_id_plausible("a b"));
	assert_false(query_id_plausible("caf\xc3\xa9"));
}

/* url_encode leaves the unreserved characters and escapes everything else, so what it
 * writes decodes back to the input (the MCP and bulk-action fronts build queries with it). */
static void
test_url_encode_round_trip(void **state)
{
	const char *in = "a-Z_0.~ &=+,/%\xc3\xa9";
	struct buf b;
	char dst[64];
	long n;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(url_encode(&b, in), 0);
	assert_int_equal(buf_append(&b, "", 1), LC_OK);
	assert_string_equal(b.data, "a-Z_0.~%20%26%3D%2B%2C%2F%25%C3%A9");
	n = url_decode(b.data, strlen(b.data), dst);
	assert_int_equal(n, (long)strlen(in));
	dst[n] = '\0';
	assert_string_equal(dst, in);
	buf_free(&b);
}

/* url_encode reports a buffer that cannot hold the escaped text. */
static void
test_url_encode_respects_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(url_encode(&b, "&&"), -1);
	buf_free(&b);
}

/* ---- http_host_of: the host name /mcp compares (Host header or public_url) ---- */

static void
test_host_of(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"linkcamp.example.com", "linkcamp.example.com"},
	    {"linkcamp.example.com:8443", "linkcamp.example.com"},
	    {"127.0.0.1:18080", "127.0.0.1"},
	    {"[::1]:8080", "::1"},
	    {"[::1]", "::1"},
	    {"https://linkcamp.example.com", "linkcamp.example.com"},
	    {"https://linkcamp.example.com:8443/base/?x#y", "linkcamp.example.com"},
	    {"http://user@127.0.0.1:80/", "127.0.0.1"},
	    {"", ""},
	};
	char out[64], small[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		http_host_of(cases[i].in, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	http_host_of("much-too-long.example:80", small, sizeof(small));
	assert_string_equal(small, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_of),
	    cmocka_unit_test(test_parse_simple_pairs),
	    cmocka_unit_test(test_parse_empty_string),
	    cmocka_unit_test(test_parse_percent_decoding),
	    cmocka_unit_test(test_parse_plus_is_space),
	    cmocka_unit_test(test_parse_decodes_keys),
	    cmocka_unit_test(test_parse_does_not_decode_twice),
	    cmocka_unit_test(test_parse_skips_empty_pairs),
	    cmocka_unit_test(test_parse_key_without_equals_is_empty_value),
	    cmocka_unit_test(test_parse_empty_value),
	    cmocka_unit_test(test_parse_value_may_contain_equals),
	    cmocka_unit_test(test_parse_honours_len),
	    cmocka_unit_test(test_parse_rejects_duplicate_key),
	    cmocka_unit_test(test_parse_rejects_duplicate_key_after_decoding),
	    cmocka_unit_test(test_parse_rejects_empty_key),
	    cmocka_unit_test(test_parse_rejects_truncated_escape),
	    cmocka_unit_test(test_parse_rejects_non_hex_escape),
	    cmocka_unit_test(test_parse_rejects_bad_escape_in_key),
	    cmocka_unit_test(test_parse_rejects_decoded_nul),
	    cmocka_unit_test(test_parse_rejects_invalid_utf8_value),
	    cmocka_unit_test(test_parse_rejects_invalid_utf8_key),
	    cmocka_unit_test(test_parse_accepts_valid_utf8),
	    cmocka_unit_test(test_parse_max_bytes),
	    cmocka_unit_test(test_parse_max_params),
	    cmocka_unit_test(test_parse_max_params_of_bare_keys),
	    cmocka_unit_test(test_query_get_is_exact),
	    cmocka_unit_test(test_query_free_on_zeroed_struct_and_twice),
	    cmocka_unit_test(test_url_decode_escapes_and_plus),
	    cmocka_unit_test(test_url_decode_empty),
	    cmocka_unit_test(test_url_decode_keeps_nul_length),
	    cmocka_unit_test(test_url_decode_rejects_malformed),
	    cmocka_unit_test(test_url_decode_escape_at_end),
	    cmocka_unit_test(test_query_id_plausible),
	    cmocka_unit_test(test_url_encode_round_trip),
	    cmocka_unit_test(test_url_encode_respects_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
