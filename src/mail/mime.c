/* mime.c: inbound mail parsing with GMime 3: the entry points and the walk of the message.
 *
 * GMime does the MIME structure (headers, RFC 2047 words, boundaries, transfer encodings,
 * address lists, dates); this file reads the headers, addresses, message ids and date and
 * chooses the body part; the small string helpers the other parts share are in mime_util.c,
 * which calls none of them. Turning the part into
 * text (charset conversion with a replacement policy, HTML to text, format=flowed, quote
 * stripping, link extraction) is in mime_text.c; DSN fields and classification are in
 * mime_classify.c. Every string that leaves the parser passes mime_clean, so it is valid UTF-8
 * without NUL whatever the input was. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"
#include "util/timefmt.h"

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;
static GMimeParserOptions *mime_options;
static int mime_ready;

static void mime_init_once(void);
static void mime_truncate(struct buf *, size_t);
static lc_err mime_addr_norm(const char *, char **);
static lc_err mime_address(InternetAddressList *, int, char **, char **);
static int64_t mime_date(GMimeMessage *);
static lc_err mime_rcpt_list(InternetAddressList *, int, struct buf *, size_t *);
static lc_err mime_recipients(GMimeMessage *, char **);
static lc_err mime_part_text(GMimePart *, int, struct buf *);
static int mime_is_attachment(GMimeObject *);
static lc_err mime_body(GMimeObject *, int, struct buf *, int *);
static void mime_warm_up(void);

static void
mime_init_once(void)
{
	const char *fallback[] = {"UTF-8", "windows-1252", NULL};

	g_mime_init();
	mime_options = g_mime_parser_options_new();
	g_mime_parser_options_set_address_compliance_mode(mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(
	    mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_rfc2047_compliance_mode(mime_options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(mime_options, TRUE);
	g_mime_parser_options_set_fallback_charsets(mime_options, fallback);
	g_mime_parser_options_set_warning_callback(mime_options, NULL, NULL);
	mime_warm_up();
	mime_html_init();
	mime_ready = 1;
}

/* mime_warm_up parses, once, a message holding every kind of part inbound mail has, so
 * that GObject makes their classes here, in the thread that initialises GMime before the
 * program starts its threads. GObject makes a class at a type's first instance, in that
 * thread, ordered for later readers by locks and g_once that helgrind cannot see: the
 * worker's IMAP fetchers, which parse side by side, were reported racing on a class one
 * of them had made. Made before pthread_create, every later read is ordered by it. */
static void
mime_warm_up(void)
{
	static const char sample[] =
	    "From: a@example.com\r\nTo: b@example.com\r\nSubject: =?UTF-8?Q?warm?=\r\n"
	    "Message-ID: <warm@example.com>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
	    "--o\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
	    "--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nw=E4rm\r\n"
	    "--a\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nPHA+d2FybTwvcD4=\r\n--a--\r\n"
	    "--o\r\nContent-Type: message/delivery-status\r\n\r\nAction: delayed\r\n\r\n"
	    "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\n"
	    "Subject: inner\r\n\r\ninner\r\n"
	    "--o\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"w.bin\"\r\n\r\nx\r\n--o--\r\n";
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(sample, sizeof(sample) - 1);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, mime_options);

	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
}

void
mime_global_init(void)
{
	pthread_once(&mime_once, mime_init_once);
}

void
mime_global_shutdown(void)
{
	if (!mime_ready)
		return;
	g_mime_parser_options_free(mime_options);
	mime_options = NULL;
	mime_ready = 0;
	g_mime_shutdown();
}

const char *
mime_class_name(enum mime_class klass)
{
	switch (klass) {
	case MIME_HUMAN: return "human";
	case MIME_AUTO_REPLY: return "auto_reply";
	case MIME_BOUNCE: return "bounce";
	case MIME_UNSUBSCRIBE: return "unsubscribe";
	case MIME_DELAYED: return "delayed";
	}
	return "unknown";
}

/* mime_truncate shortens b to at most max bytes without splitting a UTF-8 sequence. */
static void
mime_truncate(struct buf *b, size_t max)
{
	size_t cut = max;

	if (b->len <= max)
		return;
	while (cut > 0 && ((unsigned char)b->data[cut] & 0xC0) == 0x80)
		cut--;
	b->len = cut;
	b->data[cut] = '\0';
}

/* mime_addr_norm stores a cleaned addr-spec with ASCII letters lowercased in *out, or NULL
 * when addr is empty or holds whitespace. */
static lc_err
mime_addr_norm(const char *addr, char **out)
{
	char *p;
	lc_err e;

	*out = NULL;
	if ((e = mime_dup_line(addr, 0, out)) != LC_OK || *out == NULL)
		return e;
	for (p = *out; *p != '\0'; p++) {
		if (*p == ' ' || strlen(*out) > MIME_ADDR_MAX) {
			free(*out);
			*out = NULL;
			return LC_OK;
		}
		*p = mime_lower(*p);
	}
	return LC_OK;
}

/* mime_address reads the first mailbox of list (looking into one level of groups) into
 * *email and, when name is not NULL, its display name into *name. */
static lc_err
mime_address(InternetAddressList *list, int depth, char **email, char **name)
{
	int i, n;
	lc_err e;

	if (list == NULL || depth > 1)
		return LC_OK;
	n = internet_address_list_length(list);
	for (i = 0; i < n && *email == NULL; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			e = mime_address(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    depth + 1, email, name);
			if (e != LC_OK)
				return e;
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		e = mime_addr_norm(
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), email);
		if (e != LC_OK)
			return e;
		if (*email != NULL && name != NULL)
			return mime_dup_line(internet_address_get_name(ia), 0, name);
	}
	return LC_OK;
}

/* mime_rcpt_list appends the addr-specs of list (one level of groups) to b, lower-cased and
 * space-separated, while *count < MIME_RCPTS_MAX. */
static lc_err
mime_rcpt_list(InternetAddressList *list, int depth, struct buf *b, size_t *count)
{
	int i, n;
	char *a;
	lc_err e;

	if (list == NULL || depth > 1)
		return LC_OK;
	n = internet_address_list_length(list);
	for (i = 0; i < n && *count < MIME_RCPTS_MAX; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if ((e = mime_rcpt_list(
			         internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			         depth + 1, b, count)) != LC_OK)
				return e;
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		a = NULL;
		if ((e = mime_addr_norm(
		         internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), &a)) !=
		    LC_OK)
			return e;
		if (a == NULL || a[0] == '\0' || strchr(a, '@') == NULL) {
			free(a);
			continue;
		}
		e = b->len > 0 ? buf_puts(b, " ") : LC_OK;
		if (e == LC_OK)
			e = buf_puts(b, a);
		free(a);
		if (e != LC_OK)
			return e;
		(*count)++;
	}
	return LC_OK;
}

/* mime_recipients stores in *out (caller frees; NULL when none) every address the message
 * was delivered or addressed to: To, Cc, Delivered-To, X-Original-To and Envelope-To, each
 * header as often as it occurs, at most MIME_RCPTS_MAX addresses. */
static lc_err
mime_recipients(GMimeMessage *msg, char **out)
{
	static const char *const names[] = {
	    "to", "cc", "delivered-to", "x-original-to", "envelope-to", NULL};
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int i, n = g_mime_header_list_get_count(hl);
	size_t count = 0;
	struct buf b;
	lc_err e = LC_OK;

	*out = NULL;
	buf_init(&b, (size_t)MIME_RCPTS_MAX * (MIME_ADDR_MAX + 1) + 1);
	for (i = 0; i < n && count < MIME_RCPTS_MAX && e == LC_OK; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h), *value = g_mime_header_get_value(h);
		InternetAddressList *l;

		if (name == NULL || value == NULL || !mime_in_list(name, strlen(name), names))
			continue;
		if ((l = internet_address_list_parse(mime_options, value)) == NULL)
			continue;
		e = mime_rcpt_list(l, 0, &b, &count);
		g_object_unref(l);
	}
	if (e == LC_OK && b.len > 0)
		e = mime_buf_take(&b, out);
	buf_free(&b);
	return e;
}

/* mime_date returns the Date header in UTC ms, or -1. */
static int64_t
mime_date(GMimeMessage *msg)
{
	GDateTime *dt = g_mime_message_get_date(msg);
	gint64 s;
	int64_t ms;

	if (dt == NULL)
		return -1;
	s = g_date_time_to_unix(dt);
	if (s < 0 || s > TIME_MAX_MS / 1000)
		return -1;
	ms = (int64_t)s * 1000 + g_date_time_get_microsecond(dt) / 1000;
	return (ms < TIME_MIN_MS || ms > TIME_MAX_MS) ? -1 : ms;
}

/* mime_part_text appends the text of a text/plain (html 0) or text/html (html 1) part:
 * decoded, converted to UTF-8, cleaned, then converted from HTML or format=flowed. */
static lc_err
mime_part_text(GMimePart *part, int html, struct buf *out)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeStream *stream = NULL;
	struct buf u, c;
	const char *data, *cs, *fmt, *delsp;
	char meta[64];
	size_t n;
	lc_err e;

	buf_init(&u, MIME_WORK_MAX);
	buf_init(&c, MIME_WORK_MAX);
	mime_part_bytes(part, &data, &n, &stream);
	cs = g_mime_object_get_content_type_parameter(obj, "charset");
	if (html && (cs == NULL || *cs == '\0'))
		cs = mime_html_charset(data, n, meta, sizeof(meta));
	if ((e = mime_to_utf8(&u, cs, data, n)) != LC_OK)
		goto out;
	if ((e = mime_clean(&c, u.data ? u.data : "", u.len, 0)) != LC_OK)
		goto out;
	if (html) {
		e = mime_html_convert(c.data ? c.data : "", c.len, out);
	} else {
		fmt = g_mime_object_get_content_type_parameter(obj, "format");
		delsp = g_mime_object_get_content_type_parameter(obj, "delsp");
		if (mime_eq(fmt, strlen(fmt ? fmt : ""), "flowed"))
			e = mime_flowed(out, c.data ? c.data : "", c.len,
			    mime_eq(delsp, strlen(delsp ? delsp : ""), "yes"));
		else
			e = buf_append(out, c.data ? c.data : "", c.len);
	}
out:
	if (stream != NULL)
		g_object_unref(stream);
	buf_free(&u);
	buf_free(&c);
	return e;
}

/* mime_is_attachment is 1 when obj has Content-Disposition: attachment. */
static int
mime_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* mime_body appends to out the best text of obj and sets *found when there was some: see
 * struct mime_parsed.text. Attachments and attached messages are never read. */
static lc_err
mime_body(GMimeObject *obj, int depth, struct buf *out, int *found)
{
	GMimeMultipart *mp;
	size_t mark = out->len;
	int i, n, pass;
	lc_err e;

	*found = 0;
	if (obj == NULL || depth > MIME_DEPTH_MAX)
		return LC_OK;
	if (GMIME_IS_PART(obj)) {
		if (mime_is_attachment(obj))
			return LC_OK;
		if (mime_ct_is(obj, "text", "plain"))
			e = mime_part_text(GMIME_PART(obj), 0, out);
		else if (mime_ct_is(obj, "text", "html"))
			e = mime_part_text(GMIME_PART(obj), 1, out);
		else
			return LC_OK;
		if (e != LC_OK)
			return e;
		if (mime_blank(out->data ? out->data + mark : "", out->len - mark)) {
			out->len = mark;
			if (out->data != NULL)
				out->data[mark] = '\0';
		} else {
			*found = 1;
		}
		return LC_OK;
	}
	if (!GMIME_IS_MULTIPART(obj) || GMIME_IS_MULTIPART_ENCRYPTED(obj))
		return LC_OK;
	mp = GMIME_MULTIPART(obj);
	n = g_mime_multipart_get_count(mp);
	if (mime_ct_is(obj, "multipart", "alternative")) {
		/* pass 0: text/plain; pass 1: anything else (HTML, related, nested) */
		for (pass = 0; pass < 2; pass++) {
			for (i = 0; i < n; i++) {
				GMimeObject *c = g_mime_multipart_get_part(mp, i);
				int plain = GMIME_IS_PART(c) && mime_ct_is(c, "text", "plain");

				if (plain != (pass == 0))
					continue;
				if ((e = mime_body(c, depth + 1, out, found)) != LC_OK || *found)
					return e;
			}
		}
		return LC_OK;
	}
	if (mime_ct_is(obj, "multipart", "related")) {
		const char *start = g_mime_object_get_content_type_parameter(obj, "start");
		GMimeObject *root = NULL;
		char cid[256];
		size_t sl;

		if (start != NULL && (sl = strlen(start)) > 2 && sl < sizeof(cid) &&
		    start[0] == '<') {
			memcpy(cid, start + 1, sl - 2);
			cid[sl - 2] = '\0';
			root = g_mime_multipart_get_subpart_from_content_id(mp, cid);
		}
		if (root == NULL && n > 0)
			root = g_mime_multipart_get_part(mp, 0);
		return mime_body(root, depth + 1, out, found);
	}
	for (i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);

		if (mime_is_attachment(c))
			continue;
		if ((e = mime_body(c, depth + 1, out, found)) != LC_OK || *found)
			return e;
	}
	return LC_OK;
}

lc_err
mime_parse(const char *raw, size_t len, struct mime_parsed *out)
{
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	GMimeObject *mobj;
	struct buf text, tnew;
	size_t off = 0;
	int found;
	lc_err e;

	if (out == NULL)
		return LC_EINVAL;
	memset(out, 0, sizeof(*out));
	out->ooo_return_ms = -1;
	buf_init(&text, MIME_WORK_MAX);
	buf_init(&tnew, MIME_WORK_MAX);
	if (raw == NULL)
		return LC_EINVAL;
	if (len > MIME_RAW_MAX)
		return LC_ENOMEM;
	mime_global_init();
	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);

		off = nl ? (size_t)(nl - raw) + 1 : len;
	}
	stream = g_mime_stream_mem_new_with_buffer(raw + off, len - off);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, mime_options);
	if (msg == NULL ||
	    g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
		e = LC_EINVAL;
		goto out;
	}
	mobj = GMIME_OBJECT(msg);
	out->date_ms = mime_date(msg);
	if ((e = mime_header_ids(mobj, "Message-ID", 1, &out->message_id)) != LC_OK ||
	    (e = mime_header_ids(mobj, "In-Reply-To", 1, &out->in_reply_to)) != LC_OK ||
	    (e = mime_header_ids(mobj, "References", 0, &out->references)) != LC_OK ||
	    (e = mime_address(
	         g_mime_message_get_from(msg), 0, &out->from_email, &out->from_name)) != LC_OK ||
	    (e = mime_address(g_mime_message_get_to(msg), 0, &out->to_email, NULL)) != LC_OK ||
	    (e = mime_recipients(msg, &out->recipients)) != LC_OK ||
	    (e = mime_dup_line(g_mime_message_get_subject(msg), 1, &out->subject)) != LC_OK ||
	    (e = mime_dup_line(g_mime_object_get_header(mobj, "Auto-Submitted"), 0,
	         &out->auto_submitted)) != LC_OK)
		goto out;
	if ((e = mime_body(g_mime_message_get_mime_part(msg), 0, &text, &found)) != LC_OK)
		goto out;
	mime_truncate(&text, MIME_TEXT_MAX);
	if ((e = mime_buf_take(&text, &out->text)) != LC_OK ||
	    (e = mime_strip(out->text, &tnew)) != LC_OK ||
	    (e = mime_buf_take(&tnew, &out->text_new)) != LC_OK ||
	    (e = mime_links(out->text_new, out)) != LC_OK)
		goto out;
	if ((e = mime_classify(msg, out)) == LC_OK && out->klass == MIME_AUTO_REPLY)
		mime_ooo_return(out->subject, out->text_new,
		    out->date_ms >= 0 ? out->date_ms : now_ms(), &out->ooo_return_ms);
out:
	if (msg != NULL)
		g_object_unref(msg);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	buf_free(&text);
	buf_free(&tnew);
	if (e != LC_OK)
		mime_parsed_free(out);
	return e;
}

void
mime_parsed_free(struct mime_parsed *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->message_id);
	free(p->in_reply_to);
	free(p->references);
	free(p->from_email);
	free(p->from_name);
	free(p->to_email);
	free(p->recipients);
	free(p->subject);
	free(p->text);
	free(p->text_new);
	free(p->auto_submitted);
	free(p->bounce_recipient);
	free(p->bounce_status);
	free(p->bounce_original_message_id);
	free(p->bounce_action);
	free(p->bounce_diagnostic);
	for (i = 0; i < p->nlinks; i++)
		free(p->links[i]);
	free(p->links);
	memset(p, 0, sizeof(*p));
	p->ooo_return_ms = -1;
}
