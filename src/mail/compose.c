/* compose.c: the outbound message composer.
 *
 * Hand-written rather than GMime 3, for reasons measured against GMime 3.2.13 when issue 14
 * item 7 asked to move it (docs/mail.md, "Composing"): GMime's writer RFC 2047-encodes
 * List-Unsubscribe when its URI is longer than a line (the header then names no URI for
 * RFC 2369/8058 readers, so one-click unsubscribe breaks), and its quoted-printable
 * encoder leaves "From " and "." at a line start literal (a relay's mbox ">From " munging
 * then breaks the DKIM body hash). Working around both means writing those headers' raw
 * values and the body's QP ourselves, which is most of this file. The output is one fixed
 * shape whose every byte we control and test: 7-bit only, CRLF line ends, headers folded
 * at whitespace to 78 octets and never past 998, RFC 2047 encoded-words that never split a
 * UTF-8 character (and B words that GMime's decoder reads whole; the header writer is
 * hdr_encode.c), and quoted-printable that is safe for SMTP dot-stuffing and mbox "From "
 * lines. Every composed message is read back by GMime (tests/unit/test_compose_gmime.c)
 * and, after the worker sent it, by Python's strict policy and GMime side by side
 * (tests/integration/test_mail_shape.py). Input is validated completely before a byte is
 * written, and a failed compose leaves the output buffer as it was. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "mail/compose.h"
#include "mail/hdr_encode.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define MAIL_QP_LINE 76   /* longest quoted-printable line (RFC 2045 6.7 rule 5) */
#define MAIL_LOCAL_MAX 64 /* local part of an address (RFC 5321 4.5.3.1.1) */
#define MAIL_HOST_MAX 253
#define MAIL_LABEL_MAX 63
#define MAIL_DAY_MS INT64_C(86400000)

static const char mail_hex[] = "0123456789ABCDEF";

static int mail_given(const char *);
static int mail_host_valid(const char *, size_t);
static int mail_addr_valid(const char *);
static int mail_msgid_valid(const char *, size_t, int);
static int mail_refs_valid(const char *);
static int mail_uri_valid(const char *, const char *);
static int mail_text_valid(const char *);
static lc_err mail_out_check(const struct mail_out *);
static lc_err mail_field_token(struct buf *, const char *, const char *);
static lc_err mail_field_mailbox(struct buf *, const char *, const char *, const char *);
static lc_err mail_field_subject(struct buf *, const char *);
static lc_err mail_field_references(struct buf *, const char *);
static lc_err mail_field_unsubscribe(struct buf *, const char *, const char *);
static size_t mail_qp_char(const unsigned char *, size_t, size_t, size_t, size_t, int, char *);
static lc_err mail_body_qp(struct buf *, const char *, size_t);
static lc_err mail_part_qp(struct buf *, const char *, size_t);
static lc_err mail_body_html(const char *, const char *, struct buf *);

/* mail_given is 1 for an optional string that is present and not empty. */
static int
mail_given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* mail_host_valid: 1..253 bytes of LDH labels (1..63 bytes, no hyphen at either end)
 * separated by single dots; a single label such as "localhost" is allowed. */
static int
mail_host_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > MAIL_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '-'))
			return 0;
		if ((label == 0 && c == '-') || ++label > MAIL_LABEL_MAX)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* mail_addr_valid: a dot-atom local part of 1..64 bytes, one "@", a host name; at most
 * MAIL_ADDR_MAX bytes. Quoted local parts and address literals are not accepted. */
static int
mail_addr_valid(const char *s)
{
	const char *at;
	size_t len, i, local;

	if (s == NULL || (at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	len = strlen(s);
	local = (size_t)(at - s);
	if (len > MAIL_ADDR_MAX || local == 0 || local > MAIL_LOCAL_MAX || s[0] == '.' ||
	    at[-1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!hdr_is_atext((unsigned char)s[i])) {
			return 0;
		}
	}
	return mail_host_valid(at + 1, len - local - 1);
}

/* mail_msgid_valid: "<" printable ASCII without spaces or angle brackets ">"; with need_at
 * the inside must be "left@right" with both sides non-empty. */
static int
mail_msgid_valid(const char *s, size_t n, int need_at)
{
	const char *at;
	size_t i;

	if (n < 3 || s[0] != '<' || s[n - 1] != '>')
		return 0;
	for (i = 1; i < n - 1; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '<' ||
		    s[i] == '>')
			return 0;
	if (!need_at)
		return 1;
	at = memchr(s + 1, '@', n - 2);
	return at != NULL && at > s + 1 && at < s + n - 2;
}

/* mail_refs_valid: one or more message ids separated by spaces or tabs. */
static int
mail_refs_valid(const char *s)
{
	size_t i = 0, start, count = 0;

	for (;;) {
		while (hdr_is_wsp(s[i]))
			i++;
		if (s[i] == '\0')
			break;
		start = i;
		while (s[i] != '\0' && !hdr_is_wsp(s[i]))
			i++;
		if (!mail_msgid_valid(s + start, i - start, 0))
			return 0;
		count++;
	}
	return count > 0;
}

/* mail_uri_valid: scheme (matched case-insensitively, e.g. "https://") followed by at
 * least one byte of printable ASCII without spaces or angle brackets. An https URL must
 * name a host. */
static int
mail_uri_valid(const char *s, const char *scheme)
{
	size_t slen = strlen(scheme), i;

	if (strncasecmp(s, scheme, slen) != 0 || s[slen] == '\0')
		return 0;
	if (scheme[slen - 1] == '/' && strchr("/?#", s[slen]) != NULL)
		return 0;
	for (i = slen; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '<' ||
		    s[i] == '>')
			return 0;
	return 1;
}

/* mail_text_valid: UTF-8 without control characters other than TAB (so no CR, LF, NUL). */
static int
mail_text_valid(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return 0;
	return utf8_valid(s, n);
}

/* mail_out_check validates every field of m before anything is written. */
static lc_err
mail_out_check(const struct mail_out *m)
{
	size_t n;

	if (m == NULL || !mail_addr_valid(m->from_email) || !mail_addr_valid(m->to_email))
		return LC_EINVAL;
	if (mail_given(m->reply_to) && !mail_addr_valid(m->reply_to))
		return LC_EINVAL;
	if ((mail_given(m->from_name) && !mail_text_valid(m->from_name)) ||
	    (mail_given(m->to_name) && !mail_text_valid(m->to_name)))
		return LC_EINVAL;
	if (m->subject == NULL || !mail_text_valid(m->subject))
		return LC_EINVAL;
	n = strlen(m->subject);
	if (n == 0 || utf8_chars(m->subject, n) > MAIL_SUBJECT_MAX)
		return LC_EINVAL;
	if (m->body != NULL && !utf8_valid(m->body, strlen(m->body)))
		return LC_EINVAL;
	if (m->message_id == NULL || !mail_msgid_valid(m->message_id, strlen(m->message_id), 1))
		return LC_EINVAL;
	if (mail_given(m->in_reply_to) &&
	    !mail_msgid_valid(m->in_reply_to, strlen(m->in_reply_to), 0))
		return LC_EINVAL;
	if (mail_given(m->references) && !mail_refs_valid(m->references))
		return LC_EINVAL;
	/* RFC 8058 wants https; plain http is accepted for local and test deployments */
	if (mail_given(m->list_unsubscribe_url) &&
	    !mail_uri_valid(m->list_unsubscribe_url, "https://") &&
	    !mail_uri_valid(m->list_unsubscribe_url, "http://"))
		return LC_EINVAL;
	if (mail_given(m->list_unsubscribe_mailto) &&
	    !mail_uri_valid(m->list_unsubscribe_mailto, "mailto:"))
		return LC_EINVAL;
	if (mail_given(m->open_pixel_url) && !mail_uri_valid(m->open_pixel_url, "https://") &&
	    !mail_uri_valid(m->open_pixel_url, "http://"))
		return LC_EINVAL;
	if (m->date_ms < TIME_MIN_MS || m->date_ms > TIME_MAX_MS)
		return LC_EINVAL;
	return LC_OK;
}

/* mail_field_token writes "name: value" where value is a single token. */
static lc_err
mail_field_token(struct buf *out, const char *name, const char *value)
{
	struct hdr_field h;
	lc_err e;

	if ((e = hdr_begin(&h, out, name)) != LC_OK ||
	    (e = hdr_token(&h, "", value, strlen(value), "")) != LC_OK)
		return e;
	return hdr_end(&h);
}

/* mail_field_mailbox writes "name: addr" or "name: display-name <addr>". */
static lc_err
mail_field_mailbox(struct buf *out, const char *name, const char *display, const char *addr)
{
	struct hdr_field h;
	lc_err e;

	if ((e = hdr_begin(&h, out, name)) != LC_OK)
		return e;
	if (!mail_given(display))
		e = hdr_token(&h, "", addr, strlen(addr), "");
	else if ((e = hdr_phrase(&h, display, strlen(display))) == LC_OK)
		e = hdr_token(&h, "<", addr, strlen(addr), ">");
	if (e != LC_OK)
		return e;
	return hdr_end(&h);
}

/* mail_field_subject writes the subject as folded plain words when it is plain ASCII with
 * single spaces and short words, otherwise as encoded-words (hdr_text). */
static lc_err
mail_field_subject(struct buf *out, const char *subject)
{
	struct hdr_field h;
	lc_err e;

	if ((e = hdr_begin(&h, out, "Subject")) != LC_OK ||
	    (e = hdr_text(&h, subject, strlen(subject))) != LC_OK)
		return e;
	return hdr_end(&h);
}

/* mail_field_references writes the message ids of refs separated by single spaces. */
static lc_err
mail_field_references(struct buf *out, const char *refs)
{
	struct hdr_field h;
	lc_err e;

	if ((e = hdr_begin(&h, out, "References")) != LC_OK ||
	    (e = hdr_words(&h, refs, strlen(refs))) != LC_OK)
		return e;
	return hdr_end(&h);
}

/* mail_field_unsubscribe writes List-Unsubscribe with whichever URIs are given and, for an
 * https URL, the RFC 8058 one-click List-Unsubscribe-Post. */
static lc_err
mail_field_unsubscribe(struct buf *out, const char *url, const char *mailto)
{
	struct hdr_field h;
	lc_err e;

	if (!mail_given(url) && !mail_given(mailto))
		return LC_OK;
	if ((e = hdr_begin(&h, out, "List-Unsubscribe")) != LC_OK)
		return e;
	if (mail_given(url) &&
	    (e = hdr_token(&h, "<", url, strlen(url), mail_given(mailto) ? ">," : ">")) != LC_OK)
		return e;
	if (mail_given(mailto) && (e = hdr_token(&h, "<", mailto, strlen(mailto), ">")) != LC_OK)
		return e;
	if ((e = hdr_end(&h)) != LC_OK)
		return e;
	if (mail_given(url))
		return buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	return LC_OK;
}

/* mail_qp_char encodes the character s[i..i+clen) into enc (room for 12 bytes) and
 * returns the encoded length. col is the column it will start at and eol says whether a
 * line break or the end of the body follows it. Literal are printable ASCII except "=",
 * and SP/TAB unless trailing; a "." or the "F" of "From " starting a line is encoded. */
static size_t
mail_qp_char(
    const unsigned char *s, size_t len, size_t i, size_t clen, size_t col, int eol, char *enc)
{
	size_t j, k = 0;

	for (j = 0; j < clen; j++) {
		unsigned char c = s[i + j];
		int literal =
		    (c >= 0x21 && c <= 0x7e && c != '=') || ((c == ' ' || c == '\t') && !eol);

		if (col == 0 && j == 0 &&
		    (c == '.' || (c == 'F' && len - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
			literal = 0;
		if (literal) {
			enc[k++] = (char)c;
		} else {
			enc[k++] = '=';
			enc[k++] = mail_hex[c >> 4];
			enc[k++] = mail_hex[c & 15];
		}
	}
	return k;
}

/* mail_body_qp writes body[0..len) as quoted-printable: LF and CRLF become CRLF hard
 * breaks, lines are soft-broken to at most MAIL_QP_LINE characters without splitting the
 * encoding of one UTF-8 character, and a non-empty body ends with CRLF. */
static lc_err
mail_body_qp(struct buf *out, const char *body, size_t len)
{
	const unsigned char *s = (const unsigned char *)body;
	char enc[12];
	size_t i = 0, col = 0, clen, elen, next;
	int eol;
	lc_err e;

	while (i < len) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
			i += s[i] == '\r' ? 2 : 1;
			col = 0;
			if ((e = buf_append(out, "\r\n", 2)) != LC_OK)
				return e;
			continue;
		}
		clen = utf8_lead_len(s + i, len - i);
		next = i + clen;
		eol = next == len || s[next] == '\n' ||
		      (s[next] == '\r' && next + 1 < len && s[next + 1] == '\n');
		elen = mail_qp_char(s, len, i, clen, col, eol, enc);
		if (col + elen > (eol ? MAIL_QP_LINE : MAIL_QP_LINE - 1)) {
			if ((e = buf_append(out, "=\r\n", 3)) != LC_OK)
				return e;
			col = 0;
			elen = mail_qp_char(s, len, i, clen, col, eol, enc);
		}
		if ((e = buf_append(out, enc, elen)) != LC_OK)
			return e;
		col += elen;
		i = next;
	}
	if (len > 0 && s[len - 1] != '\n')
		return buf_append(out, "\r\n", 2);
	return LC_OK;
}

/* mail_part_qp writes one part of a multipart body as quoted-printable. The CRLF before a
 * boundary line belongs to the boundary (RFC 2046 5.1.1), so a text that ends with a line
 * break gets one more CRLF: "Hi\n" is "Hi=CRLF" + CRLF + "--boundary", and a parser reads
 * "Hi\n" back rather than "Hi". A text without a final break ends with the boundary's CRLF. */
static lc_err
mail_part_qp(struct buf *out, const char *text, size_t len)
{
	lc_err e;

	if (len == 0)
		return LC_OK;
	if ((e = mail_body_qp(out, text, len)) != LC_OK)
		return e;
	if (text[len - 1] == '\n')
		return buf_append(out, "\r\n", 2);
	return LC_OK;
}

/* mail_body_html writes the HTML copy of a plain-text body: the text escaped, its line
 * breaks kept (pre-wrap), and the open-tracking image. */
static lc_err
mail_body_html(const char *text, const char *pixel, struct buf *html)
{
	const char *p;
	lc_err e;

	if ((e = buf_puts(html, "<!doctype html>\n<html><body>\n"
	                        "<div style=\"white-space:pre-wrap\">")) != LC_OK)
		return e;
	for (p = text ? text : ""; *p && e == LC_OK; p++) {
		switch (*p) {
		case '&': e = buf_puts(html, "&amp;"); break;
		case '<': e = buf_puts(html, "&lt;"); break;
		case '>': e = buf_puts(html, "&gt;"); break;
		case '"': e = buf_puts(html, "&quot;"); break;
		case '\r': break;
		default: e = buf_append(html, p, 1); break;
		}
	}
	if (e == LC_OK)
		e = buf_printf(html,
		    "</div>\n<img src=\"%s\" width=\"1\" height=\"1\" alt=\"\" "
		    "style=\"display:block;border:0\">\n</body></html>\n",
		    pixel);
	return e;
}

lc_err
mail_compose(const struct mail_out *m, struct buf *out)
{
	char date[MAIL_DATE_MAX], boundary[40];
	unsigned char raw[12];
	size_t start = out->len;
	struct buf html;
	lc_err e;

	buf_init(&html, 4 * 1024 * 1024);
	boundary[0] = '\0';
	if ((e = mail_out_check(m)) != LC_OK)
		return e;
	mail_date_format(m->date_ms, date);
	if ((e = mail_field_token(out, "Message-ID", m->message_id)) != LC_OK ||
	    (e = mail_field_token(out, "Date", date)) != LC_OK ||
	    (e = mail_field_mailbox(out, "From", m->from_name, m->from_email)) != LC_OK ||
	    (e = mail_field_mailbox(out, "To", m->to_name, m->to_email)) != LC_OK ||
	    (mail_given(m->reply_to) &&
	        (e = mail_field_mailbox(out, "Reply-To", NULL, m->reply_to)) != LC_OK) ||
	    (e = mail_field_subject(out, m->subject)) != LC_OK)
		goto out;
	if (mail_given(m->open_pixel_url)) {
		/* "=_" never occurs in quoted-printable text, so it cannot clash with the parts */
		randombytes_buf(raw, sizeof(raw));
		memcpy(boundary, "=_lc_", 5);
		sodium_bin2hex(boundary + 5, sizeof(boundary) - 5, raw, sizeof(raw));
		e = buf_printf(out,
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n",
		    boundary);
	} else {
		e = buf_puts(out, "MIME-Version: 1.0\r\n"
		                  "Content-Type: text/plain; charset=UTF-8\r\n"
		                  "Content-Transfer-Encoding: quoted-printable\r\n");
	}
	if (e != LC_OK)
		goto out;
	if (mail_given(m->in_reply_to) &&
	    (e = mail_field_token(out, "In-Reply-To", m->in_reply_to)) != LC_OK)
		goto out;
	if (mail_given(m->references) && (e = mail_field_references(out, m->references)) != LC_OK)
		goto out;
	if ((e = mail_field_unsubscribe(
	         out, m->list_unsubscribe_url, m->list_unsubscribe_mailto)) != LC_OK)
		goto out;
	if ((e = buf_append(out, "\r\n", 2)) != LC_OK)
		goto out;
	if (boundary[0] == '\0') {
		if (m->body != NULL)
			e = mail_body_qp(out, m->body, strlen(m->body));
		goto out;
	}
	if ((e = buf_printf(out,
	         "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	         boundary)) != LC_OK ||
	    (m->body && (e = mail_part_qp(out, m->body, strlen(m->body))) != LC_OK) ||
	    (e = mail_body_html(m->body, m->open_pixel_url, &html)) != LC_OK ||
	    (e = buf_printf(out,
	         "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	         boundary)) != LC_OK ||
	    (e = mail_part_qp(out, html.data, html.len)) != LC_OK)
		goto out;
	e = buf_printf(out, "--%s--\r\n", boundary);
out:
	buf_free(&html);
	if (e != LC_OK) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
	}
	return e;
}

lc_err
mail_message_id_new(const char *domain, char out[MAIL_MSGID_MAX])
{
	unsigned char raw[16];
	size_t dlen;

	out[0] = '\0';
	if (domain == NULL)
		return LC_EINVAL;
	dlen = strlen(domain);
	/* "<" + 22 + "@" + domain + ">" + NUL */
	if (!mail_host_valid(domain, dlen) || dlen > MAIL_MSGID_MAX - 26)
		return LC_EINVAL;
	randombytes_buf(raw, sizeof(raw));
	out[0] = '<';
	sodium_bin2base64(out + 1, MAIL_MSGID_MAX - 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out[23] = '@';
	memcpy(out + 24, domain, dlen);
	out[24 + dlen] = '>';
	out[25 + dlen] = '\0';
	return LC_OK;
}

void
mail_date_format(int64_t ms, char out[MAIL_DATE_MAX])
{
	static const char wday[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char mon[12][4] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t days = ms / MAIL_DAY_MS, rem = ms % MAIL_DAY_MS, w, y;
	unsigned m, d;

	if (rem < 0) {
		rem += MAIL_DAY_MS;
		days--;
	}
	w = days % 7; /* 1970-01-01 was a Thursday */
	if (w < 0)
		w += 7;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, MAIL_DATE_MAX, "%s, %02u %s %04lld %02u:%02u:%02u +0000", wday[w], d,
	    mon[m - 1], (long long)y, (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60),
	    (unsigned)(rem / 1000 % 60));
}
