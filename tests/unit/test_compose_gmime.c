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
static GMimeMessage *parse(const struct buf *, GMimeParser **, GMimeStream **);
static char *content_text(GMimeObject *);
static void check_headers(const struct mail_out *);
static void test_headers_read_back(void **);

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

/* parse reads raw with GMime; the caller unrefs the message, *parser and *in. */
static GMimeMessage *
parse(const struct buf *raw, GMimeParser **parser, GMimeStream **in)
{
	GMimeMessage *msg;

	*in = g_mime_stream_mem_new_with_buffer(raw->data, raw->len);
	*parser = g_mime_parser_new_with_stream(*in);
	msg = g_mime_parser_construct_message(*parser, NULL);
	assert_non_null(msg);
	return msg;
}

/* content_text is the decoded content of leaf part obj (malloc'd), CRLF made LF. */
static char *
content_text(GMimeObject *obj)
{
	GMimeDataWrapper *content;
	GMimeStream *out;
	GByteArray *bytes;
	char *s;
	size_t i, j;

	assert_true(GMIME_IS_PART(obj));
	content = g_mime_part_get_content(GMIME_PART(obj));
	out = g_mime_stream_mem_new();
	if (content != NULL)
		assert_true(g_mime_data_wrapper_write_to_stream(content, out) >= 0);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	s = malloc(bytes->len + 1);
	assert_non_null(s);
	for (i = 0, j = 0; i < bytes->len; i++)
		if (!(bytes->data[i] == '\r' && i + 1 < bytes->len && bytes->data[i + 1] == '\n'))
			s[j++] = (char)bytes->data[i];
	s[j] = '\0';
	g_object_unref(out);
	return s;
}

/* check_headers composes m and reads it back with GMime: the wire is 7-bit CRLF lines of
 * at most 998 octets, and every header and the text are what m said. */
static void
check_headers(const struct mail_out *m)
{
	GMimeParser *parser;
	GMimeStream *in;
	GMimeMessage *msg;
	InternetAddressList *l;
	InternetAddressMailbox *mb;
	GMimeObject *top;
	GMimeReferences *refs;
	const char *v;
	char *u, *text, *want;
	struct buf b, w;
	size_t i, col = 0;
	int n;

	buf_init(&b, 1 << 20);
	assert_int_equal(mail_compose(m, &b), LC_OK);
	for (i = 0; i < b.len; i++) {
		assert_true((unsigned char)b.data[i] < 0x80);
		if (b.data[i] == '\n') {
			assert_true(i > 0 && b.data[i - 1] == '\r');
			col = 0;
		} else {
			assert_true(b.data[i] != '\r' || (i + 1 < b.len && b.data[i + 1] == '\n'));
			assert_true(++col <= 999); /* 998 and the CR */
		}
	}
	msg = parse(&b, &parser, &in);
	assert_string_equal(g_mime_message_get_subject(msg), m->subject);
	assert_string_equal(g_mime_message_get_message_id(msg), "abc123@mail.example.com");
	l = g_mime_message_get_from(msg);
	assert_int_equal(internet_address_list_length(l), 1);
	mb = INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(l, 0));
	assert_string_equal(internet_address_mailbox_get_addr(mb), m->from_email);
	v = internet_address_get_name(INTERNET_ADDRESS(mb));
	assert_string_equal(v ? v : "", m->from_name ? m->from_name : "");
	l = g_mime_message_get_to(msg);
	assert_int_equal(internet_address_list_length(l), 1);
	mb = INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(l, 0));
	assert_string_equal(internet_address_mailbox_get_addr(mb), m->to_email);
	v = internet_address_get_name(INTERNET_ADDRESS(mb));
	assert_string_equal(v ? v : "", m->to_name ? m->to_name : "");
	if (m->reply_to != NULL) {
		l = g_mime_message_get_reply_to(msg);
		assert_int_equal(internet_address_list_length(l), 1);
		mb = INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(l, 0));
		assert_string_equal(internet_address_mailbox_get_addr(mb), m->reply_to);
	}
	if (m->in_reply_to != NULL) {
		v = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
		assert_non_null(v);
		assert_string_equal(v, m->in_reply_to);
	}
	if (m->references != NULL) {
		v = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
		assert_non_null(v);
		refs = g_mime_references_parse(NULL, v);
		buf_init(&w, 1 << 16);
		for (n = 0; n < g_mime_references_length(refs); n++)
			assert_int_equal(buf_printf(&w, "%s<%s>", n ? " " : "",
			                     g_mime_references_get_message_id(refs, n)),
			    LC_OK);
		assert_string_equal(w.data, m->references);
		buf_free(&w);
		g_mime_references_free(refs);
	}
	if (m->list_unsubscribe_url != NULL) {
		v = g_mime_object_get_header(GMIME_OBJECT(msg), "List-Unsubscribe");
		assert_non_null(v);
		u = g_mime_utils_header_unfold(v);
		buf_init(&w, 1 << 16);
		assert_int_equal(buf_printf(&w, "<%s>, <%s>", m->list_unsubscribe_url,
		                     m->list_unsubscribe_mailto),
		    LC_OK);
		/* unfolding keeps the folding white space: compare without it */
		for (i = 0, n = 0; u[i] != '\0'; i++)
			if (u[i] != ' ' && u[i] != '\t')
				u[n++] = u[i];
		u[n] = '\0';
		for (i = 0, n = 0; w.data[i] != '\0'; i++)
			if (w.data[i] != ' ')
				w.data[n++] = w.data[i];
		w.data[n] = '\0';
		assert_string_equal(u, w.data);
		g_free(u);
		buf_free(&w);
		v = g_mime_object_get_header(GMIME_OBJECT(msg), "List-Unsubscribe-Post");
		assert_non_null(v);
		assert_string_equal(v, "List-Unsubscribe=One-Click");
	}
	top = g_mime_message_get_mime_part(msg);
	if (m->open_pixel_url != NULL) {
		assert_true(GMIME_IS_MULTIPART(top));
		top = g_mime_multipart_get_part(GMIME_MULTIPART(top), 0);
	}
	text = content_text(top);
	buf_init(&w, 1 << 20);
	for (v = m->body; *v != '\0'; v++)
		if (!(v[0] == '\r' && v[1] == '\n'))
			assert_int_equal(buf_append(&w, v, 1), LC_OK);
	/* a single part's non-empty text ends with CRLF on the wire (mail_compose's contract,
	 * SMTP's DATA needs it): read back, it ends with a line break */
	if (m->open_pixel_url == NULL && w.len > 0 && w.data[w.len - 1] != '\n')
		assert_int_equal(buf_append(&w, "\n", 1), LC_OK);
	want = w.data ? w.data : "";
	if (strcmp(text, want) != 0)
		fail_msg("text read back as \"%s\", composed from \"%s\"", text, want);
	buf_free(&w);
	free(text);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(in);
	buf_free(&b);
}

/* Every header and the text of a composed message, single-part and multipart, read back by
 * GMime as they were given: encoded-words in names and subjects (split between whole
 * characters, "=?" in plain text), quoted names, long unbreakable References and
 * List-Unsubscribe URIs, and a body QP has to work for ("From " and "." at a line start,
 * trailing blanks, long lines, CRLF input). */
static void
test_headers_read_back(void **state)
{
	static const char *const names[] = {NULL, "Marina", "Marina \"M\" O'Neil, SEO",
	    "Mar\xC3\xADna \xC3\x9Cn\xC3\xAF", "=?UTF-8?Q?not_a_word?=",
	    "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
	    "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
	    "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
	    "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"};
	static const char *const subjects[] = {"Quick question",
	    "A guide for blog.example: twelve ways to say the same thing in a subject that is "
	    "far longer than one header line of seventy-eight octets",
	    "\xC3\x9C"
	    "ber 50 % mehr Leser \xE2\x80\x94 ein Gastbeitrag f\xC3\xBCr Sie? =?x?",
	    "tab\there  and  double  spaces",
	    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE4\xBB\xB6\xE5\x90\x8D\xE3\x81\xA7"
	    "\xE3\x81\x99\xE3\x80\x82\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE4\xBB\xB6"
	    "\xE5\x90\x8D\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"};
	static const char *const bodies[] = {"", "Hi\n", "Hi Ann,\r\n\r\nFrom here on.\r\n.\r\n",
	    "trailing blanks \t \nmid=dle\n..two dots\nFrom \nlast line without break",
	    "a long line "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3"
	    "\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 "
	    "end\n\n\n"};
	struct mail_out m;
	size_t i;
	int pixel;

	(void)state;
	for (pixel = 0; pixel < 2; pixel++)
		for (i = 0; i < 5; i++) {
			memset(&m, 0, sizeof(m));
			m.from_email = "marina@example.com";
			m.from_name = names[i % 6];
			m.to_email = "editor.in-chief@blog.example";
			m.to_name = names[(i + 3) % 6];
			m.reply_to = i % 2 ? "r+abc@in.example.com" : NULL;
			m.subject = subjects[i];
			m.body = bodies[i];
			m.message_id = "<abc123@mail.example.com>";
			m.in_reply_to = i % 2 ? "<their.reply.0123456789@mx.blog.example>" : NULL;
			m.references =
			    i % 2 ? "<a1@x.example> <bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@x.example> "
			            "<c3@x.example> <their.reply.0123456789@mx.blog.example>"
			          : NULL;
			m.list_unsubscribe_url =
			    i % 2 ? "https://lc.example/u/"
			            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			            "AAAAAA"
			          : "https://lc.example/u/x";
			m.list_unsubscribe_mailto = "mailto:u+x@lc.example";
			m.open_pixel_url =
			    pixel ? "https://lc.example/t/o/AAAAAAAAAAAAAAAAAAAAAA.gif" : NULL;
			m.date_ms = T_NOV26;
			check_headers(&m);
		}
	/* every name, as From */
	for (i = 0; i < 6; i++) {
		memset(&m, 0, sizeof(m));
		m.from_email = "marina@example.com";
		m.from_name = names[i];
		m.to_email = "editor@blog.example";
		m.subject = "s";
		m.body = "b\n";
		m.message_id = "<abc123@mail.example.com>";
		m.date_ms = T_NOV26;
		check_headers(&m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_with_final_break),
	    cmocka_unit_test(test_text_without_final_break),
	    cmocka_unit_test(test_text_ending_in_blank_lines),
	    cmocka_unit_test(test_html_part_keeps_its_final_break),
	    cmocka_unit_test(test_headers_read_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
