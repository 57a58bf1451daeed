/* gmime_view.c: GMime's reading of one message, for the integration tests that compare it
 * with Python's email.policy.strict (tests/integration/test_mail_shape.py, issue 14 item 7:
 * "every composed mail must parse identically under two independent parsers").
 *
 * Reads a message on stdin and writes one JSON object on stdout:
 *   {"headers": [[name, decoded value], ...],   the message's headers, in order (GMime keeps
 *                                               the Content-* ones with the top part)
 *    "type": "multipart/alternative",          the top part's content type
 *    "from": [[addr, name], ...], "to": [...],  the parsed mailboxes ("" for no name)
 *    "subject": decoded subject, "messageId": id without <>,
 *    "parts": [{"type": "text/plain", "charset": ..., "encoding": ..., "content": text}]}
 * where parts are the leaf parts in document order and content is the decoded text with
 * CRLF turned into LF. Exit 0, or 1 (with a line on stderr) when the input is not a
 * message. Test tooling only: not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>
#include <jansson.h>

static json_t *view_addresses(InternetAddressList *);
static json_t *view_headers(GMimeObject *);
static json_t *view_part(GMimePart *);
static void view_leaves(GMimeObject *, json_t *);

/* view_addresses lists the mailboxes of list as [addr, display name] (groups flattened). */
static json_t *
view_addresses(InternetAddressList *list)
{
	json_t *a = json_array();
	int i, n = list ? internet_address_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *name = internet_address_get_name(ia);

			json_array_append_new(
			    a, json_pack("[ss]",
			           internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
			           name ? name : ""));
		} else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			json_t *g = view_addresses(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)));

			json_array_extend(a, g);
			json_decref(g);
		}
	}
	return a;
}

/* view_headers lists obj's headers as [name, value] with value decoded (RFC 2047) and
 * unfolded. */
static json_t *
view_headers(GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	json_t *a = json_array();
	int i, n = g_mime_header_list_get_count(hl);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *v = g_mime_header_get_value(h);
		char *u = g_mime_utils_header_unfold(v ? v : "");

		json_array_append_new(a, json_pack("[ss]", g_mime_header_get_name(h), u));
		g_free(u);
	}
	return a;
}

/* view_part is the JSON of one leaf part: its type, charset, transfer encoding and its
 * decoded content (as bytes read as UTF-8, CRLF made LF). */
static json_t *
view_part(GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *type = g_mime_content_type_get_mime_type(ct), *text;
	const char *cs = g_mime_content_type_get_parameter(ct, "charset");
	size_t i, k = 0;
	json_t *j;

	if (w != NULL)
		g_mime_data_wrapper_write_to_stream(w, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	text = malloc(bytes->len + 1);
	if (text == NULL) {
		fprintf(stderr, "gmime_view: out of memory\n");
		exit(1);
	}
	for (i = 0; i < bytes->len; i++)
		if (!(bytes->data[i] == '\r' && i + 1 < bytes->len && bytes->data[i + 1] == '\n'))
			text[k++] = (char)bytes->data[i];
	j = json_pack("{s:s, s:s?, s:s, s:s%}", "type", type, "charset", cs, "encoding",
	    g_mime_content_encoding_to_string(g_mime_part_get_content_encoding(part)), "content",
	    text, k);
	free(text);
	g_free(type);
	g_object_unref(mem);
	return j;
}

/* view_leaves appends the leaf parts under obj to parts, in document order. */
static void
view_leaves(GMimeObject *obj, json_t *parts)
{
	int i, n;

	if (GMIME_IS_MULTIPART(obj)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < n; i++)
			view_leaves(g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), parts);
	} else if (GMIME_IS_PART(obj)) {
		json_array_append_new(parts, view_part(GMIME_PART(obj)));
	}
}

int
main(void)
{
	GMimeStream *in;
	GMimeParser *parser;
	GMimeMessage *msg;
	json_t *out, *parts;
	const char *subject, *id;
	GMimeObject *top;
	char *type;

	g_mime_init();
	in = g_mime_stream_pipe_new(0);
	g_mime_stream_pipe_set_owner(GMIME_STREAM_PIPE(in), FALSE);
	parser = g_mime_parser_new_with_stream(in);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		fprintf(stderr, "gmime_view: not a message\n");
		return 1;
	}
	parts = json_array();
	top = g_mime_message_get_mime_part(msg);
	type = top ? g_mime_content_type_get_mime_type(g_mime_object_get_content_type(top))
	           : g_strdup("");
	view_leaves(top, parts);
	subject = g_mime_message_get_subject(msg);
	id = g_mime_message_get_message_id(msg);
	out = json_pack("{s:o, s:s, s:o, s:o, s:s?, s:s?, s:o}", "headers",
	    view_headers(GMIME_OBJECT(msg)), "type", type, "from",
	    view_addresses(g_mime_message_get_from(msg)), "to",
	    view_addresses(g_mime_message_get_to(msg)), "subject", subject, "messageId", id,
	    "parts", parts);
	g_free(type);
	if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) != 0) {
		fprintf(stderr, "gmime_view: cannot write JSON\n");
		return 1;
	}
	putchar('\n');
	json_decref(out);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(in);
	g_mime_shutdown();
	return 0;
}
