/* test_jsonw.c: the streaming JSON writer answers byte for byte what jansson's
 * json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(15)) answers for the same document — the
 * promise that lets the list, get and metrics routes use it without changing an answer —
 * and fails, never half-writes, on what jansson refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "util/jsonw.h"
#include "util/timefmt.h"

#define FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* same_as_jansson checks that the writer's text equals json_dumps of doc (stolen). */
static void
same_as_jansson(const struct buf *b, json_t *doc)
{
	char *want;

	assert_non_null(doc);
	want = json_dumps(doc, FLAGS);
	json_decref(doc);
	assert_non_null(want);
	assert_string_equal(b->data, want);
	free(want);
}

/* Strings: every control character, quotes, backslashes, '/', DEL, 2- 3- and 4-byte
 * UTF-8, an empty string, each as a value and as a key. */
static void
test_strings(void **state)
{
	static const char *const cases[] = {"", "plain", "a\"b\\c/d", "\b\f\n\r\t", "\x01\x1f\x7f",
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x97", "<script>&amp;</script>", "line\u2028sep",
	    "\x1b[31m"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct jsonw w;

		buf_init(&b, 1 << 16);
		jsonw_init(&w, &b);
		jsonw_obj(&w);
		jsonw_key(&w, cases[i]);
		jsonw_str(&w, cases[i]);
		jsonw_key(&w, "n");
		jsonw_str(&w, NULL);
		jsonw_end(&w);
		assert_int_equal(jsonw_finish(&w), LC_OK);
		same_as_jansson(&b, json_pack("{s:s,s:n}", cases[i], cases[i], "n"));
		buf_free(&b);
	}
}

/* A NUL inside a counted string is written as json_stringn's \u0000. */
static void
test_nul_byte(void **state)
{
	struct buf b;
	struct jsonw w;

	(void)state;
	buf_init(&b, 1024);
	jsonw_init(&w, &b);
	jsonw_arr(&w);
	jsonw_strn(&w, "a\0b", 3);
	jsonw_end(&w);
	assert_int_equal(jsonw_finish(&w), LC_OK);
	same_as_jansson(&b, json_pack("[o]", json_stringn("a\0b", 3)));
	buf_free(&b);
}

/* Numbers: integers at the edges, and reals in every form %.15g takes (integral, with a
 * fraction, with a negative and a positive exponent, negative zero), as the rates are. */
static void
test_numbers(void **state)
{
	static const long long ints[] = {0, 1, -1, 9007199254740993LL, INT64_MAX, INT64_MIN};
	static const double reals[] = {0.0, -0.0, 1.0, 0.01, 0.37, 0.29, 0.57, 1.0 / 3, 100.0, 1e-5,
	    1.5e-7, 1e20, 1.25e300, -2.5e-300, 123456789012345.0, 1234567890123456.0};
	struct buf b;
	struct jsonw w;
	json_t *want;
	size_t i;

	(void)state;
	buf_init(&b, 1 << 24);
	jsonw_init(&w, &b);
	want = json_array();
	jsonw_arr(&w);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		jsonw_int(&w, ints[i]);
		json_array_append_new(want, json_integer(ints[i]));
	}
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		jsonw_real(&w, reals[i]);
		json_array_append_new(want, json_real(reals[i]));
	}
	/* every hundredths form (the rates take a path of their own in the writer), negative
	 * ones, large ones, and values next to a hundredth that are not one */
	for (i = 0; i <= 100000; i++) {
		jsonw_real(&w, (double)i / 100.0);
		json_array_append_new(want, json_real((double)i / 100.0));
		jsonw_real(&w, -(double)i / 100.0);
		json_array_append_new(want, json_real(-(double)i / 100.0));
	}
	for (i = 0; i < 200; i++) {
		double big = (double)(1234567890123LL - (long long)i * 7919) / 100.0;
		double near = (double)i / 100.0 + 1e-9;
		jsonw_real(&w, big);
		json_array_append_new(want, json_real(big));
		jsonw_real(&w, near);
		json_array_append_new(want, json_real(near));
	}
	jsonw_end(&w);
	assert_int_equal(jsonw_finish(&w), LC_OK);
	same_as_jansson(&b, want);
	buf_free(&b);
}

/* Nesting: empty containers, arrays of objects, objects in objects, times and nulls. */
static void
test_nesting(void **state)
{
	struct buf b;
	struct jsonw w;
	char t[TIME_RFC3339_LEN];

	(void)state;
	buf_init(&b, 1 << 16);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	jsonw_key(&w, "data");
	jsonw_arr(&w);
	jsonw_obj(&w);
	jsonw_end(&w);
	jsonw_obj(&w);
	jsonw_key(&w, "at");
	jsonw_time(&w, 1717243200123);
	jsonw_key(&w, "never");
	jsonw_time(&w, -1);
	jsonw_key(&w, "e");
	jsonw_arr(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	jsonw_key(&w, "total");
	jsonw_int(&w, 2);
	jsonw_key(&w, "nextCursor");
	jsonw_null(&w);
	jsonw_end(&w);
	assert_int_equal(jsonw_finish(&w), LC_OK);
	rfc3339_format(1717243200123, t);
	same_as_jansson(&b, json_pack("{s:[{},{s:s,s:n,s:[]}],s:i,s:n}", "data", "at", t, "never",
	                        "e", "total", 2, "nextCursor"));
	buf_free(&b);
}

/* What jansson refuses fails the document: text that is not UTF-8 (an overlong form, a
 * lone continuation byte, a surrogate), a non-finite number, a key outside an object,
 * a close too many, one left open, nesting past the limit, the buffer's maximum. */
static void
test_refusals(void **state)
{
	static const char *const bad[] = {"\xc0\xaf", "\x80", "\xed\xa0\x80", "ok\xff"};
	struct buf b;
	struct jsonw w;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(json_string(bad[i]));
		buf_init(&b, 1024);
		jsonw_init(&w, &b);
		jsonw_str(&w, bad[i]);
		jsonw_int(&w, 1); /* sticky: nothing more is written */
		assert_int_equal(jsonw_finish(&w), LC_EINVAL);
		assert_true(b.len == 0);
		buf_free(&b);
	}
	buf_init(&b, 1024);
	jsonw_init(&w, &b);
	jsonw_real(&w, NAN);
	assert_int_equal(jsonw_finish(&w), LC_EINVAL);
	jsonw_init(&w, &b);
	jsonw_arr(&w);
	jsonw_key(&w, "k");
	assert_int_equal(jsonw_finish(&w), LC_EINVAL);
	jsonw_init(&w, &b);
	jsonw_arr(&w);
	jsonw_end(&w);
	jsonw_end(&w);
	assert_int_equal(jsonw_finish(&w), LC_EINVAL);
	jsonw_init(&w, &b);
	jsonw_obj(&w);
	assert_int_equal(jsonw_finish(&w), LC_EINVAL);
	jsonw_init(&w, &b);
	for (i = 0; i <= JSONW_DEPTH; i++)
		jsonw_arr(&w);
	assert_int_equal(jsonw_finish(&w), LC_EINVAL);
	buf_free(&b);
	buf_init(&b, 8);
	jsonw_init(&w, &b);
	jsonw_str(&w, "longer than eight");
	assert_int_equal(jsonw_finish(&w), LC_ENOMEM);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
