/* test_utf8.c: strict UTF-8 validation and code point counts; growable buffers with a
 * hard maximum. Inputs are copied to exact-size heap buffers so that a read past len is
 * caught by ASan or valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/utf8.h"

struct bytes {
	const char *s;
	size_t len;
	const char *what;
};

/* clang-format off */
#define B(lit, what) {lit, sizeof(lit) - 1, what}
/* clang-format on */

static int valid(const char *s, size_t len);
static int ref_valid(const unsigned char *s, size_t len);

/* valid runs utf8_valid on an exact-size heap copy of s[0..len). */
static int
valid(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = utf8_valid(copy, len);
	free(copy);
	return r;
}

/* ref_valid is Table 3-7 of the Unicode Standard (well-formed byte sequences), written
 * as byte ranges rather than decoded code points, minus NUL. */
static int
ref_valid(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		unsigned char c = s[i];

		lo = 0x80;
		hi = 0xBF;
		if (c >= 0x01 && c <= 0x7F) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
		} else if (c == 0xE0) {
			n = 2;
			lo = 0xA0;
		} else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
			n = 2;
		} else if (c == 0xED) {
			n = 2;
			hi = 0x9F;
		} else if (c == 0xF0) {
			n = 3;
			lo = 0x90;
		} else if (c >= 0xF1 && c <= 0xF3) {
			n = 3;
		} else if (c == 0xF4) {
			n = 3;
			hi = 0x8F;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* ---- utf8_valid ---- */

static void
test_utf8_decode_gives_code_points(void **state)
{
	uint32_t cp = 7;

	(void)state;
	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(utf8_decode("\xc3\xa9x", 3, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe6\x97\xa5", 3, &cp), 3);
	assert_int_equal(cp, 0x65e5);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	cp = 7;
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 3, &cp), 0); /* cut by len */
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0);     /* a surrogate */
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 0);         /* overlong */
	assert_int_equal(utf8_decode("", 1, &cp), 0);                 /* NUL */
	assert_int_equal(utf8_decode("A", 0, &cp), 0);
	assert_int_equal(cp, 7);
}

static void
test_utf8_valid_accepts_well_formed(void **state)
{
	static const struct bytes ok[] = {
	    B("", "empty"),
	    B("plain ASCII ~\x7f", "ASCII incl. DEL"),
	    B("\xc2\x80", "U+0080"),
	    B("\xc3\xa9", "U+00E9"),
	    B("\xdf\xbf", "U+07FF"),
	    B("\xe0\xa0\x80", "U+0800"),
	    B("\xe2\x82\xac", "U+20AC"),
	    B("\xed\x9f\xbf", "U+D7FF"),
	    B("\xee\x80\x80", "U+E000"),
	    B("\xef\xbf\xbf", "U+FFFF"),
	    B("\xf0\x90\x80\x80", "U+10000"),
	    B("\xf0\x9f\x98\x80", "U+1F600"),
	    B("\xf4\x8f\xbf\xbf", "U+10FFFF"),
	    B("a\xc3\xa9z\xe2\x82\xacx\xf0\x9f\x98\x80y", "mixed"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!valid(ok[i].s, ok[i].len))
			fail_msg("utf8_valid rejected %s", ok[i].what);
}

static void
test_utf8_valid_rejects_ill_formed(void **state)
{
	static const struct bytes bad[] = {
	    B("\0", "NUL"),
	    B("a\0b", "NUL inside"),
	    B("\xc0\x80", "overlong NUL"),
	    B("\xc0\xaf", "overlong '/'"),
	    B("\xc1\xbf", "overlong U+007F"),
	    B("\xe0\x80\xaf", "overlong 3-byte '/'"),
	    B("\xe0\x9f\xbf", "overlong U+07FF"),
	    B("\xf0\x80\x80\xaf", "overlong 4-byte '/'"),
	    B("\xf0\x8f\xbf\xbf", "overlong U+FFFF"),
	    B("\xed\xa0\x80", "U+D800"),
	    B("\xed\xbf\xbf", "U+DFFF"),
	    B("\xed\xa0\xbd\xed\xb8\x80", "CESU-8 surrogate pair"),
	    B("\xf4\x90\x80\x80", "U+110000"),
	    B("\xf5\x80\x80\x80", "lead F5"),
	    B("\xf7\xbf\xbf\xbf", "lead F7"),
	    B("\xf8\x88\x80\x80\x80", "5-byte form"),
	    B("\xfc\x84\x80\x80\x80\x80", "6-byte form"),
	    B("\xfe", "FE"),
	    B("\xff", "FF"),
	    B("\x80", "lone continuation"),
	    B("a\xbfz", "continuation after ASCII"),
	    B("\xc3", "truncated 2-byte"),
	    B("a\xc3", "truncated 2-byte at end"),
	    B("\xe2\x82", "truncated 3-byte"),
	    B("\xf0\x9f\x98", "truncated 4-byte"),
	    B("\xf0\x9f", "truncated 4-byte after 2"),
	    B("\xc3Z", "ASCII as continuation"),
	    B("\xe2Z\xac", "ASCII as 2nd of 3"),
	    B("\xe2\x82Z", "ASCII as 3rd of 3"),
	    B("\xf0\x9f\x98Z", "ASCII as 4th of 4"),
	    B("\xc3\xc3\xa9", "lead as continuation"),
	    B("\xc3\xa9\xa9", "extra continuation"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid(bad[i].s, bad[i].len))
			fail_msg("utf8_valid accepted %s", bad[i].what);
}

static void
test_utf8_valid_honours_len(void **state)
{
	(void)state;
	assert_true(utf8_valid("ab\xc3\xa9", 2));
	assert_false(utf8_valid("ab\xc3\xa9", 3)); /* cuts the sequence */
	assert_true(utf8_valid("a\0b", 1));
}

/* Every string of 1 to 4 bytes over boundary byte values agrees with Table 3-7. */
static void
test_utf8_valid_agrees_with_table_3_7(void **state)
{
	static const unsigned char v[] = {0x00, 0x01, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F,
	    0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
	    0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
	const size_t nv = sizeof(v);
	unsigned char s[4];
	size_t len, idx, total, k, rest;

	(void)state;
	for (len = 1; len <= 4; len++) {
		total = 1;
		for (k = 0; k < len; k++)
			total *= nv;
		for (idx = 0; idx < total; idx++) {
			rest = idx;
			for (k = 0; k < len; k++) {
				s[k] = v[rest % nv];
				rest /= nv;
			}
			if (utf8_valid((const char *)s, len) != ref_valid(s, len))
				fail_msg("disagree on %zu bytes %02x %02x %02x %02x", len, s[0],
				    len > 1 ? s[1] : 0, len > 2 ? s[2] : 0, len > 3 ? s[3] : 0);
		}
	}
}

/* ---- utf8_sanitize ---- */

static void
test_utf8_sanitize_replaces_what_is_not_printable_utf8(void **state)
{
	char a[] = "550 5.1.1 caf\xc3\xa9 \xe6\x97\xa5 ok";
	char b[] = "x\xff\xfey\xc3"; /* stray bytes, a cut sequence at the end */
	char c[] = "a\x01"
	           "b\tc\x7f\xed\xa0\x80"
	           "d";                        /* controls, an encoded surrogate */
	char d[] = "\xc0\xaf\xf5\x80\x80\x80"; /* an overlong '/', above U+10FFFF */

	(void)state;
	utf8_sanitize(a);
	assert_string_equal(a, "550 5.1.1 caf\xc3\xa9 \xe6\x97\xa5 ok");
	utf8_sanitize(b);
	assert_string_equal(b, "x??y?");
	utf8_sanitize(c);
	assert_string_equal(c, "a?b?c????d");
	utf8_sanitize(d);
	assert_string_equal(d, "??????");
}

/* Whatever the bytes, the result is valid UTF-8 of the same length, and text that was
 * already printable UTF-8 is left alone. */
static void
test_utf8_sanitize_always_gives_valid_utf8(void **state)
{
	static const unsigned char v[] = {0x01, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
	    0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
	char s[5], before[5];
	size_t idx, k, rest, total = 1;

	(void)state;
	for (k = 0; k < 4; k++)
		total *= sizeof(v);
	for (idx = 0; idx < total; idx++) {
		rest = idx;
		for (k = 0; k < 4; k++) {
			s[k] = (char)v[rest % sizeof(v)];
			rest /= sizeof(v);
		}
		s[4] = '\0';
		memcpy(before, s, sizeof(s));
		utf8_sanitize(s);
		assert_int_equal(strlen(s), 4);
		assert_true(utf8_valid(s, 4));
		if (utf8_valid(before, 4) && memchr(before, 0x01, 4) == NULL &&
		    memchr(before, 0x7F, 4) == NULL)
			assert_memory_equal(s, before, 4);
	}
}

/* ---- utf8_chars ---- */

static void
test_utf8_chars_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars("", 0), 0);
	assert_int_equal(utf8_chars("abc", 3), 3);
	assert_int_equal(utf8_chars("caf\xc3\xa9", 5), 4);
	assert_int_equal(utf8_chars("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9), 3);
	assert_int_equal(utf8_chars("\xf0\x9f\x98\x80z", 5), 2);
	assert_int_equal(utf8_chars("\xf4\x8f\xbf\xbf", 4), 1);
}

static void
test_utf8_chars_honours_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_chars("abcdef", 2), 2);
	assert_int_equal(utf8_chars("\xc3\xa9\xc3\xa9", 2), 1);
}

/* ---- buf ---- */

static void
test_buf_append_and_nul_termination(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(buf_append(&b, "abc", 3), LC_OK);
	assert_int_equal(buf_append(&b, "defXX", 3), LC_OK);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcdef");
	assert_int_equal(buf_puts(&b, "!"), LC_OK);
	assert_string_equal(b.data, "abcdef!");
	assert_int_equal(b.len, 7);
	buf_free(&b);
}

static void
test_buf_append_keeps_embedded_nul(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "a\0b", 3), LC_OK);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b\0", 4);
	buf_free(&b);
}

static void
test_buf_append_nothing_gives_empty_string(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "", 0), LC_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_buf_append_up_to_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "12345", 5), LC_OK);
	assert_int_equal(buf_append(&b, "678", 3), LC_OK);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(buf_append(&b, "", 0), LC_OK);
	buf_free(&b);
}

static void
test_buf_append_over_max_fails_and_keeps_content(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "12345", 5), LC_OK);
	assert_int_equal(buf_append(&b, "6789", 4), LC_ENOMEM);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(buf_puts(&b, "abcd"), LC_ENOMEM);
	assert_int_equal(buf_append(&b, "abc", 3), LC_OK);
	assert_int_equal(buf_append(&b, "x", 1), LC_ENOMEM);
	assert_string_equal(b.data, "12345abc");
	buf_free(&b);
}

static void
test_buf_append_huge_length_does_not_wrap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "abc", 3), LC_OK);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), LC_ENOMEM);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), LC_ENOMEM);
	assert_int_equal(b.len, 3);
	buf_free(&b);
	buf_init(&b, SIZE_MAX);
	assert_int_equal(buf_append(&b, "abc", 3), LC_OK);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 1), LC_ENOMEM);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), LC_ENOMEM);
	assert_int_equal(b.len, 3);
	buf_free(&b);
}

static void
test_buf_max_zero(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a", 1), LC_ENOMEM);
	assert_int_equal(buf_printf(&b, "%s", ""), LC_OK);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_printf(&b, "%d", 1), LC_ENOMEM);
	buf_free(&b);
}

static void
test_buf_grows_past_initial_capacity(void **state)
{
	struct buf b;
	char chunk[37];
	size_t i, k;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < sizeof(chunk); k++)
			chunk[k] = (char)('a' + (i + k) % 26);
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), LC_OK);
	}
	assert_int_equal(b.len, 37000);
	assert_true(b.cap > b.len);
	for (i = 0; i < 1000; i++)
		for (k = 0; k < sizeof(chunk); k++)
			assert_int_equal(b.data[i * sizeof(chunk) + k], 'a' + (i + k) % 26);
	assert_int_equal(b.data[b.len], '\0');
	buf_free(&b);
}

static void
test_buf_printf_formats_and_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_puts(&b, "x="), LC_OK);
	assert_int_equal(buf_printf(&b, "%d-%s-%05.1f", -42, "ok", 3.14159), LC_OK);
	assert_string_equal(b.data, "x=-42-ok-003.1");
	assert_int_equal(b.len, strlen("x=-42-ok-003.1"));
	buf_free(&b);
}

static void
test_buf_printf_respects_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%s", "12345"), LC_OK);
	assert_int_equal(buf_printf(&b, "%d", 123456), LC_ENOMEM);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(buf_printf(&b, "%d", 67890), LC_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	assert_int_equal(buf_printf(&b, "%s", "x"), LC_ENOMEM);
	buf_free(&b);
}

static void
test_buf_printf_long_output_grows(void **state)
{
	struct buf b;
	char *big = malloc(5001);

	(void)state;
	assert_non_null(big);
	memset(big, 'q', 5000);
	big[5000] = '\0';
	buf_init(&b, 10000);
	assert_int_equal(buf_printf(&b, "<%s>", big), LC_OK);
	assert_int_equal(b.len, 5002);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[5001], '>');
	assert_int_equal(b.data[5002], '\0');
	buf_free(&b);
	free(big);
}

static void
test_buf_reset_keeps_memory(void **state)
{
	struct buf b;
	size_t cap;

	(void)state;
	buf_init(&b, 100);
	buf_reset(&b); /* on a buffer that never allocated */
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_puts(&b, "hello"), LC_OK);
	cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "hi"), LC_OK);
	assert_string_equal(b.data, "hi");
	buf_free(&b);
}

static void
test_buf_free_and_reuse(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	buf_free(&b); /* never allocated */
	assert_null(b.data);
	assert_int_equal(buf_puts(&b, "abc"), LC_OK);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	buf_free(&b); /* twice */
	buf_init(&b, 4);
	assert_int_equal(buf_puts(&b, "abcd"), LC_OK);
	assert_string_equal(b.data, "abcd");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_decode_gives_code_points),
	    cmocka_unit_test(test_utf8_valid_accepts_well_formed),
	    cmocka_unit_test(test_utf8_valid_rejects_ill_formed),
	    cmocka_unit_test(test_utf8_valid_honours_len),
	    cmocka_unit_test(test_utf8_valid_agrees_with_table_3_7),
	    cmocka_unit_test(test_utf8_sanitize_replaces_what_is_not_printable_utf8),
	    cmocka_unit_test(test_utf8_sanitize_always_gives_valid_utf8),
	    cmocka_unit_test(test_utf8_chars_counts_code_points),
	    cmocka_unit_test(test_utf8_chars_honours_len),
	    cmocka_unit_test(test_buf_append_and_nul_termination),
	    cmocka_unit_test(test_buf_append_keeps_embedded_nul),
	    cmocka_unit_test(test_buf_append_nothing_gives_empty_string),
	    cmocka_unit_test(test_buf_append_up_to_max),
	    cmocka_unit_test(test_buf_append_over_max_fails_and_keeps_content),
	    cmocka_unit_test(test_buf_append_huge_length_does_not_wrap),
	    cmocka_unit_test(test_buf_max_zero),
	    cmocka_unit_test(test_buf_grows_past_initial_capacity),
	    cmocka_unit_test(test_buf_printf_formats_and_appends),
	    cmocka_unit_test(test_buf_printf_respects_max),
	    cmocka_unit_test(test_buf_printf_long_output_grows),
	    cmocka_unit_test(test_buf_reset_keeps_memory),
	    cmocka_unit_test(test_buf_free_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
