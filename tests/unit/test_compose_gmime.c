/* test_compose_gmime.c: a multipart/alternative message from mail_compose, read back by
 * an independent parser (GMime 3), gives back the exact text it was made from, its last
 * line break included. The CRLF before a boundary line belongs to the boundary (RFC 2046
 * 5.1.1): a composer that writes "Hi" CRLF "--b" for the text "Hi\n" loses the break in
 * every conforming reader. tests/integration/test_mail_shape.py checks the same with
 * Python's strict email policy on mail that went through the worker and the SMTP sink. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gmime/gmime.h>
#include <sodium.h>

#include "mail/compose.h"
#include "util/buf.h"

#define T_NOV26 INT64_C(1795671635000)

static int setup(void **);
static int teardown(void **);
static void compose_multipart(const char *, struct buf *);
static char *part_text(const struct buf *, int, const char *);
static void check_round_trip(const char *);
static void test_text_with_final_break(void **);
static void test_text_without_final_break(void **);
static void test_text_ending_in_blank_lines(void **);
static void test_html_part_keeps_its_final_break(void **);

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	g_mime_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	g_mime_shutdown();
	return 0;
}

/* compose_multipart composes a message with an open-tracking image (so it is
 * multipart/alternative) around body into a fresh b. */
static void
compose_multipart(const char *body, struct buf *b)
{
	struct mail_out m;

	memset(&m, 0, sizeof(m));
	m.from_email = "marina@example.com";
	m.to_email = "editor@blog.example";
	m.subject = "Quick question";
	m.body = body;
	m.message_id = "<abc123@mail.example.com>";
	m.open_pixel_url = "https://lc.example/t/o/AAAAAAAAAAAAAAAAAAAAAA.gif";
	m.date_ms = T_NOV26;
	buf_init(b, 1 << 20);
	assert_int_equal(mail_compose(&m, b), LC_OK);
}

/* part_text parses raw with GMime and returns (malloc'd) the decoded content of part
 * index of the top-level multipart, which must have the given content type, with CRLF
 * turned into LF. */
static char *
part_text(const struct buf *raw, int index, const char *type)
{
	GMimeStream *in, *out;
	GMimeParser *parser;
	GMimeMessage *msg;
	GMimeObject *top, *part;
	GMimeDataWrapper *content;
	GByteArray *bytes;
	char *s, *ct;
	size_t i, j;

	in = g_mime_stream_mem_new_with_buffer(raw->data, raw->len);
	parser = g_mime_parser_new_with_stream(in);
	msg = g_mime_parser_construct_message(parser, NULL);
	assert_non_null(msg);
	top = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_MULTIPART(top));
	assert_int_equal(g_mime_multipart_get_count(GMIME_MULTIPART(top)), 2);
	part = g_mime_multipart_get_part(GMIME_MULTIPART(top), index);
	assert_true(GMIME_IS_PART(part));
	ct = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
	assert_string_equal(ct, type);
	g_free(ct);
	content = g_mime_part_get_content(GMIME_PART(part));
	assert_non_null(content);
	out = g_mime_stream_mem_new();
	assert_true(g_mime_data_wrapper_write_to_stream(content, out) >= 0);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	s = malloc(bytes->len + 1);
	assert_non_null(s);
	for (i = 0, j = 0; i < bytes->len; i++)
		if (!(bytes->data[i] == '\r' && i + 1 < bytes->len && bytes->data[i + 1] == '\n'))
			s[j++] = (char)bytes->data[i];
	s[j] = '\0';
	g_object_unref(out);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(in);
	return s;
}

/* check_round_trip: the text part read back by GMime is body, byte for byte (LF ends). */
static void
check_round_trip(const char *body)
{
	struct buf b;
	char *text;

	compose_multipart(body, &b);
	text = part_text(&b, 0, "text/plain");
	if (strcmp(text, body) != 0)
		fail_msg("text part read back as \"%s\", composed from \"%s\"", text, body);
	free(text);
	buf_free(&b);
}

static void
test_text_with_final_break(void **state)
{
	(void)state;
	check_round_trip("Hi Marina,\n\nthanks.\n");
	check_round_trip("one line\n");
}

static void
test_text_without_final_break(void **state)
{
	(void)state;
	check_round_trip("Hi Marina,\n\nthanks.");
	check_round_trip("x");
}

static void
test_text_ending_in_blank_lines(void **state)
{
	(void)state;
	check_round_trip("Hi\n\n\n");
	check_round_trip("=\n");
}

/* The HTML copy is written ending with a line break; it is read back with it. */
static void
test_html_part_keeps_its_final_break(void **state)
{
	struct buf b;
	char *html;
	size_t n;

	(void)state;
	compose_multipart("Hi\n", &b);
	html = part_text(&b, 1, "text/html");
	n = strlen(html);
	assert_true(n > 16);
	assert_string_equal(html + n - 15, "</body></html>\n");
	free(html);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_with_final_break),
	    cmocka_unit_test(test_text_without_final_break),
	    cmocka_unit_test(test_text_ending_in_blank_lines),
	    cmocka_unit_test(test_html_part_keeps_its_final_break),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
