/* test_csv.c: the RFC 4180 record reader: quoting, line ends, limits, malformed input; and
 * csv_cell, the writer of one formula-safe field, read back by the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/csv.h"

/* open_text makes a stream over len bytes of text (a copy the stream owns). */
static FILE *
open_text(const char *text, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	rewind(f);
	return f;
}

static void
test_csv_reads_fields_quotes_and_line_ends(void **state)
{
	static const char text[] = "\xef\xbb\xbf"
	                           "domain,contactName,contactEmail\r\n"
	                           "a.example,\"Ann, Jr.\",ann@a.example\n"
	                           "b.example,\"Bo \"\"Bob\"\" B\",\"b\r\nb@b.example\"\r\n"
	                           "\n"
	                           "c.example,,c@c.example";
	struct csv_reader r;
	FILE *f = open_text(text, sizeof(text) - 1);

	(void)state;
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(csv_field(&r, 0), "domain"); /* the byte-order mark is gone */
	assert_string_equal(csv_field(&r, 2), "contactEmail");
	assert_int_equal(r.line, 1);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_string_equal(csv_field(&r, 1), "Ann, Jr.");
	assert_int_equal(r.line, 2);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_string_equal(csv_field(&r, 1), "Bo \"Bob\" B");
	assert_string_equal(csv_field(&r, 2), "b\r\nb@b.example");
	assert_int_equal(r.line, 3);
	assert_int_equal(csv_next(&r), LC_OK); /* the blank line */
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "");
	assert_int_equal(r.line, 5);
	assert_int_equal(csv_next(&r), LC_OK); /* no line break at the end */
	assert_int_equal(r.nfields, 3);
	assert_string_equal(csv_field(&r, 1), "");
	assert_string_equal(csv_field(&r, 2), "c@c.example");
	assert_null(csv_field(&r, 3));
	assert_int_equal(r.line, 6);
	assert_int_equal(csv_next(&r), LC_ENOTFOUND);
	csv_free(&r);
	fclose(f);
}

static void
test_csv_refuses_malformed_records(void **state)
{
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
	    {"a,\"open", 7},     /* a quote never closed */
	    {"a,\"x\"y,b\n", 9}, /* a character after the closing quote */
	    {"a,\"x\"\rb\n", 8}, /* a CR after the closing quote that is no CRLF */
	    {"a,b\0c\n", 6},     /* a NUL byte */
	    {"\xef\xbb"
	     "a\n",
	        4}, /* a broken byte-order mark */
	};
	struct csv_reader r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = open_text(bad[i].text, bad[i].len);
		csv_init(&r, f);
		if (csv_next(&r) != LC_EINVAL)
			fail_msg("case %zu was accepted", i);
		csv_free(&r);
		fclose(f);
	}
}

static void
test_csv_limits_a_record(void **state)
{
	struct csv_reader r;
	char *text;
	FILE *f;
	size_t i, len;

	(void)state;
	/* CSV_FIELDS_MAX fields are fine, one more is not */
	len = CSV_FIELDS_MAX * 2;
	text = malloc(len + 2);
	assert_non_null(text);
	for (i = 0; i < CSV_FIELDS_MAX; i++) {
		text[2 * i] = 'x';
		text[2 * i + 1] = i + 1 < CSV_FIELDS_MAX ? ',' : '\n';
	}
	f = open_text(text, len);
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_int_equal(r.nfields, CSV_FIELDS_MAX);
	assert_string_equal(csv_field(&r, CSV_FIELDS_MAX - 1), "x");
	csv_free(&r);
	fclose(f);
	text[len - 1] = ',';
	text[len] = 'y';
	text[len + 1] = '\n';
	f = open_text(text, len + 2);
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_ENOMEM);
	csv_free(&r);
	fclose(f);
	free(text);

	/* a record over CSV_RECORD_MAX bytes */
	len = CSV_RECORD_MAX + 10;
	text = malloc(len);
	assert_non_null(text);
	memset(text, 'z', len);
	f = open_text(text, len);
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_ENOMEM);
	csv_free(&r);
	fclose(f);
	free(text);
}

static void
test_csv_empty_input_has_no_record(void **state)
{
	struct csv_reader r;
	FILE *f = open_text("", 0);

	(void)state;
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_ENOTFOUND);
	csv_free(&r);
	fclose(f);
}

/* csv_cell: every field quoted, quotes doubled, formulas prefixed, and what it writes is
 * read back as the text it was given (with the prefix). */
static void
test_csv_cell_writes_safe_fields(void **state)
{
	static const char *const in[] = {"plain", "=1+2", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx",
	    "a \"quoted\", word", "two\r\nlines", "Résumé ✓", "", "x=1"};
	static const char *const want[] = {"plain", "'=1+2", "'+cmd", "'-2", "'@SUM(A1)", "'\tx",
	    "'\rx", "a \"quoted\", word", "two\r\nlines", "Résumé ✓", "", "x=1"};
	const size_t n = sizeof(in) / sizeof(in[0]);
	struct buf b;
	struct csv_reader r;
	FILE *f;
	size_t i;

	(void)state;
	buf_init(&b, 4096);
	for (i = 0; i < n; i++)
		assert_int_equal(csv_cell(&b, in[i], i == n - 1), LC_OK);
	assert_int_equal(csv_cell(&b, NULL, 1), LC_OK); /* NULL: an empty cell */
	assert_non_null(strstr(b.data, "\"a \"\"quoted\"\", word\""));
	assert_int_equal(memcmp(b.data + b.len - 4, "\"\"\r\n", 4), 0);
	f = open_text(b.data, b.len);
	csv_init(&r, f);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_int_equal(r.nfields, n);
	for (i = 0; i < n; i++)
		assert_string_equal(csv_field(&r, i), want[i]);
	assert_int_equal(csv_next(&r), LC_OK);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "");
	assert_int_equal(csv_next(&r), LC_ENOTFOUND);
	csv_free(&r);
	fclose(f);
	buf_free(&b);

	/* a full buffer is LC_ENOMEM, never a cut field */
	buf_init(&b, 8);
	assert_int_equal(csv_cell(&b, "0123456789", 1), LC_ENOMEM);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_reads_fields_quotes_and_line_ends),
	    cmocka_unit_test(test_csv_refuses_malformed_records),
	    cmocka_unit_test(test_csv_limits_a_record),
	    cmocka_unit_test(test_csv_empty_input_has_no_record),
	    cmocka_unit_test(test_csv_cell_writes_safe_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
