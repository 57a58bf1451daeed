/* test_compose.c: the outbound message composer (RFC 5322 headers, RFC 2047 encoded-words,
 * quoted-printable bodies, List-Unsubscribe), mail_date_format and mail_message_id_new.
 * Every composed message goes through wire_check (7-bit, CRLF only, 998/78 octets, QP line
 * rules) and is read back with decoders written here, independent of the composer: a
 * header parser that unfolds, an RFC 2047 B/Q decoder and a quoted-printable decoder.
 * Expected dates were computed with Python's email.utils.format_datetime. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <sodium.h>

#include "mail/compose.h"
#include "util/buf.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define BIG_MAX (1u << 24)
#define MAX_HDRS 32
#define T_NOV26 INT64_C(1795671635000) /* Thu, 26 Nov 2026 05:40:35 +0000 */

/* A composed message read back: unfolded header fields in order, and the raw body. */
struct parsed {
	size_t n;
	char name[MAX_HDRS][64];
	struct buf value[MAX_HDRS];
	const char *body;
	size_t body_len;
};

enum phrase_kind { PK_NONE, PK_ATOMS, PK_QUOTED, PK_ENCODED };

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static int setup_sodium(void **);
static uint64_t rng(void);
static size_t rng_below(size_t);
static void base_message(struct mail_out *);
static void test_open_pixel_makes_multipart_alternative(void **);
static void compose_ok(const struct mail_out *, struct buf *);
static void assert_rejected(const struct mail_out *);
static int strstr_n(const char *, size_t, const char *);
static void wire_check(const char *, size_t, int);
static void parse_message(const char *, size_t, struct parsed *);
static void parsed_free(struct parsed *);
static const char *hdr(const struct parsed *, const char *);
static int is_atext(unsigned char);
static int hexval(char);
static int b64val(char);
static void ew_decode_word(const char *, size_t, struct buf *, int *);
static char *ew_decode(const char *, int *);
static char *qp_decode(const char *, size_t);
static char *normalize(const char *);
static enum phrase_kind mailbox_check(const char *, const char *, const char *);
static void check_round_trip(const struct mail_out *, int);
static void gen_text(struct buf *, size_t, int);
static void repeat(struct buf *, const char *, size_t);
static char *body_of(const struct mail_out *);
static void assert_body(struct mail_out *, const char *, const char *);
static int cmp_ids(const void *, const void *);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* xorshift64*: a deterministic generator so failures reproduce. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static size_t
rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

static void
base_message(struct mail_out *m)
{
	memset(m, 0, sizeof(*m));
	m->from_email = "marina@example.com";
	m->from_name = "Marina Petrova";
	m->to_email = "editor@blog.example";
	m->to_name = NULL;
	m->subject = "Quick question about your guide";
	m->body = "Hi there,\n\nI liked your post.\n";
	m->message_id = "<abc123@mail.example.com>";
	m->date_ms = T_NOV26;
}

/* compose_ok composes m into a fresh b (freed by the caller) and checks the wire rules. */
static void
compose_ok(const struct mail_out *m, struct buf *b)
{
	lc_err e;

	buf_init(b, BIG_MAX);
	e = mail_compose(m, b);
	if (e != LC_OK)
		fail_msg("mail_compose: %s", lc_strerror(e));
	assert_non_null(b->data);
	assert_int_equal(strlen(b->data), b->len);
	wire_check(b->data, b->len, 1);
}

/* assert_rejected checks LC_EINVAL and that a pre-filled buffer is left as it was. */
static void
assert_rejected(const struct mail_out *m)
{
	struct buf b;

	buf_init(&b, BIG_MAX);
	assert_int_equal(buf_puts(&b, "KEEP"), LC_OK);
	assert_int_equal(mail_compose(m, &b), LC_EINVAL);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "KEEP");
	buf_free(&b);
}

/* strstr_n is 1 when needle occurs in s[0..n). */
static int
strstr_n(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

/* wire_check: 7-bit, no NUL, every CR followed by LF and every LF preceded by CR, every
 * line at most 998 octets, header lines at most 78 (76 with an encoded-word) when fold78,
 * no continuation line made of whitespace only, a blank line after the headers, body lines
 * that follow the quoted-printable rules (<= 76, no trailing whitespace, no leading "." or
 * "From "). */
static void
wire_check(const char *s, size_t len, int fold78)
{
	size_t i, start = 0, ll, k;
	int in_headers = 1;

	assert_true(len >= 2);
	assert_memory_equal(s + len - 2, "\r\n", 2);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c >= 0x80)
			fail_msg("byte 0x%02x at %zu is not 7-bit text", c, i);
		if (c == '\n')
			fail_msg("bare LF at %zu", i);
		if (c != '\r')
			continue;
		if (i + 1 >= len || s[i + 1] != '\n')
			fail_msg("bare CR at %zu", i);
		ll = i - start;
		if (ll > 998)
			fail_msg("line of %zu octets at %zu", ll, start);
		if (in_headers) {
			if (ll == 0) {
				in_headers = 0;
			} else {
				if (fold78 && ll > 78)
					fail_msg("header line of %zu octets: %.*s", ll, (int)ll,
					    s + start);
				/* RFC 2047 2: a line holding an encoded-word is at most 76. */
				if (fold78 && ll > 76 && strstr_n(s + start, ll, "=?UTF-8?"))
					fail_msg("encoded-word line of %zu octets: %.*s", ll,
					    (int)ll, s + start);
				if (s[start] == ' ' || s[start] == '\t') {
					for (k = start; k < i && (s[k] == ' ' || s[k] == '\t'); k++)
						;
					if (k == i)
						fail_msg("whitespace-only continuation line");
				} else if (memchr(s + start, ':', ll) == NULL) {
					fail_msg(
					    "header line without colon: %.*s", (int)ll, s + start);
				}
			}
		} else {
			if (ll > 76)
				fail_msg("body line of %zu characters", ll);
			if (ll > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				fail_msg("body line ends in whitespace");
			if (ll > 0 && s[start] == '.')
				fail_msg("body line starts with a dot");
			if (ll >= 5 && memcmp(s + start, "From ", 5) == 0)
				fail_msg("body line starts with From_");
		}
		i++;
		start = i + 1;
	}
	assert_false(in_headers);
}

/* parse_message splits headers, unfolds them (CRLF before WSP removed) and strips the
 * whitespace that starts each value. */
static void
parse_message(const char *s, size_t len, struct parsed *p)
{
	size_t i = 0, eol;
	const char *colon;

	memset(p, 0, sizeof(*p));
	for (;;) {
		const char *crlf = strstr(s + i, "\r\n");

		assert_non_null(crlf);
		eol = (size_t)(crlf - s);
		if (eol == i)
			break;
		if (s[i] == ' ' || s[i] == '\t') {
			assert_true(p->n > 0);
			assert_int_equal(buf_append(&p->value[p->n - 1], s + i, eol - i), LC_OK);
		} else {
			assert_true(p->n < MAX_HDRS);
			colon = memchr(s + i, ':', eol - i);
			assert_non_null(colon);
			assert_true((size_t)(colon - (s + i)) < sizeof(p->name[0]));
			memcpy(p->name[p->n], s + i, (size_t)(colon - (s + i)));
			p->name[p->n][colon - (s + i)] = '\0';
			buf_init(&p->value[p->n], BIG_MAX);
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			assert_int_equal(
			    buf_append(&p->value[p->n], colon, (size_t)(crlf - colon)), LC_OK);
			p->n++;
		}
		i = eol + 2;
	}
	p->body = s + i + 2;
	p->body_len = len - i - 2;
	for (i = 0; i < p->n; i++)
		if (p->value[i].data == NULL)
			assert_int_equal(buf_append(&p->value[i], "", 0), LC_OK);
}

static void
parsed_free(struct parsed *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		buf_free(&p->value[i]);
}

/* hdr returns the unfolded value of the one field called name, or NULL. */
static const char *
hdr(const struct parsed *p, const char *name)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcasecmp(p->name[i], name) == 0) {
			if (v != NULL)
				fail_msg("%s appears twice", name);
			v = p->value[i].data;
		}
	}
	return v;
}

static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* hexval accepts uppercase hex only, as RFC 2045 and 2047 require of encoders. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
b64val(char c)
{
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(alpha, c) : NULL;

	return p ? (int)(p - alpha) : -1;
}

/* ew_decode_word decodes one "=?UTF-8?B|Q?...?=" of n <= 75 characters into out; the
 * decoded bytes must be valid UTF-8 on their own (no character split across words). */
static void
ew_decode_word(const char *w, size_t n, struct buf *out, int *kinds)
{
	struct buf d;
	size_t i, plen;
	const char *pl;
	unsigned acc = 0, bits = 0;
	int v, hi, lo;

	if (n > 75)
		fail_msg("encoded-word of %zu characters: %.*s", n, (int)n, w);
	assert_true(n >= 12);
	assert_true(strncasecmp(w, "=?UTF-8?", 8) == 0);
	assert_true(w[9] == '?');
	assert_memory_equal(w + n - 2, "?=", 2);
	pl = w + 10;
	plen = n - 12;
	assert_true(plen > 0);
	buf_init(&d, 1024);
	if (w[8] == 'B' || w[8] == 'b') {
		*kinds |= 2;
		assert_int_equal(plen % 4, 0);
		for (i = 0; i < plen; i++) {
			unsigned char byte;

			if (pl[i] == '=') {
				assert_true(i >= plen - 2);
				continue;
			}
			v = b64val(pl[i]);
			assert_true(v >= 0);
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				byte = (unsigned char)(acc >> bits);
				acc &= (1u << bits) - 1;
				assert_int_equal(buf_append(&d, &byte, 1), LC_OK);
			}
		}
	} else {
		assert_true(w[8] == 'Q' || w[8] == 'q');
		*kinds |= 1;
		for (i = 0; i < plen; i++) {
			char c = pl[i];

			if (c == '_') {
				c = ' ';
			} else if (c == '=') {
				assert_true(i + 2 < plen);
				hi = hexval(pl[i + 1]);
				lo = hexval(pl[i + 2]);
				assert_true(hi >= 0 && lo >= 0);
				c = (char)(hi << 4 | lo);
				i += 2;
			} else {
				/* RFC 2047 5(3): only these may appear in a phrase. */
				assert_true(strchr("!*+-/", c) != NULL || (c >= 'a' && c <= 'z') ||
				            (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
			}
			assert_int_equal(buf_append(&d, &c, 1), LC_OK);
		}
	}
	assert_true(d.len > 0);
	if (!utf8_valid(d.data, d.len))
		fail_msg("encoded-word %.*s splits a UTF-8 character", (int)n, w);
	assert_int_equal(buf_append(out, d.data, d.len), LC_OK);
	buf_free(&d);
}

/* ew_decode decodes an unfolded unstructured value or phrase: encoded-words are decoded
 * and whitespace between two adjacent encoded-words is dropped (RFC 2047 6.2). kinds gets
 * 1 for Q and 2 for B words seen. Returns a malloc'd string. */
static char *
ew_decode(const char *v, int *kinds)
{
	struct buf out;
	size_t i = 0, ws, tok, n;
	int prev_ew = 0, is_ew;
	char *r;

	buf_init(&out, BIG_MAX);
	assert_int_equal(buf_append(&out, "", 0), LC_OK);
	while (v[i] != '\0') {
		ws = i;
		while (v[i] == ' ' || v[i] == '\t')
			i++;
		tok = i;
		while (v[i] != '\0' && v[i] != ' ' && v[i] != '\t')
			i++;
		n = i - tok;
		is_ew = n >= 4 && v[tok] == '=' && v[tok + 1] == '?' && v[i - 2] == '?' &&
		        v[i - 1] == '=';
		if (!(is_ew && prev_ew))
			assert_int_equal(buf_append(&out, v + ws, tok - ws), LC_OK);
		if (is_ew)
			ew_decode_word(v + tok, n, &out, kinds);
		else
			assert_int_equal(buf_append(&out, v + tok, n), LC_OK);
		prev_ew = is_ew;
	}
	r = strdup(out.data);
	assert_non_null(r);
	buf_free(&out);
	return r;
}

/* qp_decode decodes a quoted-printable body, checking the encoder's rules on the way:
 * uppercase =XX only, literals printable ASCII or inner SP/TAB, lines <= 76. */
static char *
qp_decode(const char *s, size_t len)
{
	struct buf out;
	size_t i = 0, eol, j, ll;
	const char *crlf;
	char *r;
	int hi, lo;

	buf_init(&out, BIG_MAX);
	assert_int_equal(buf_append(&out, "", 0), LC_OK);
	while (i < len) {
		crlf = strstr(s + i, "\r\n");
		assert_non_null(crlf);
		eol = (size_t)(crlf - s);
		ll = eol - i;
		assert_true(ll <= 76);
		for (j = i; j < eol; j++) {
			char c = s[j];

			if (c == '=') {
				if (j + 1 == eol)
					break; /* soft line break */
				assert_true(j + 2 < eol);
				hi = hexval(s[j + 1]);
				lo = hexval(s[j + 2]);
				if (hi < 0 || lo < 0)
					fail_msg("bad escape %.3s", s + j);
				c = (char)(hi << 4 | lo);
				j += 2;
			} else {
				assert_true((c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t');
			}
			assert_int_equal(buf_append(&out, &c, 1), LC_OK);
		}
		if (!(ll > 0 && s[eol - 1] == '=' && j == eol - 1))
			assert_int_equal(buf_append(&out, "\r\n", 2), LC_OK);
		i = eol + 2;
	}
	r = strdup(out.data);
	assert_non_null(r);
	buf_free(&out);
	return r;
}

/* normalize is the body a reader should see: LF and CRLF as CRLF, and a final CRLF
 * added to a non-empty body that lacks one. */
static char *
normalize(const char *body)
{
	struct buf out;
	size_t i, n = strlen(body);
	char *r;

	buf_init(&out, BIG_MAX);
	assert_int_equal(buf_append(&out, "", 0), LC_OK);
	for (i = 0; i < n; i++) {
		if (body[i] == '\r' && body[i + 1] == '\n') {
			assert_int_equal(buf_append(&out, "\r\n", 2), LC_OK);
			i++;
		} else if (body[i] == '\n') {
			assert_int_equal(buf_append(&out, "\r\n", 2), LC_OK);
		} else {
			assert_int_equal(buf_append(&out, body + i, 1), LC_OK);
		}
	}
	if (n > 0 && body[n - 1] != '\n')
		assert_int_equal(buf_append(&out, "\r\n", 2), LC_OK);
	r = strdup(out.data);
	assert_non_null(r);
	buf_free(&out);
	return r;
}

/* mailbox_check reads an unfolded From/To value back and checks it is addr with the
 * display name name; returns how the name was written. */
static enum phrase_kind
mailbox_check(const char *v, const char *addr, const char *name)
{
	size_t vlen = strlen(v), alen = strlen(addr), plen, i;
	char *phrase, *dec;
	int kinds = 0;
	enum phrase_kind kind;

	if (name == NULL || name[0] == '\0') {
		assert_string_equal(v, addr);
		return PK_NONE;
	}
	assert_true(vlen > alen + 3);
	assert_true(v[vlen - alen - 3] == ' ' && v[vlen - alen - 2] == '<' && v[vlen - 1] == '>');
	assert_memory_equal(v + vlen - alen - 1, addr, alen);
	plen = vlen - alen - 3;
	phrase = strndup(v, plen);
	assert_non_null(phrase);
	if (phrase[0] == '"') {
		struct buf un;

		kind = PK_QUOTED;
		assert_true(plen >= 2 && phrase[plen - 1] == '"');
		buf_init(&un, BIG_MAX);
		assert_int_equal(buf_append(&un, "", 0), LC_OK);
		for (i = 1; i < plen - 1; i++) {
			if (phrase[i] == '\\')
				i++;
			else
				assert_true(phrase[i] != '"');
			assert_int_equal(buf_append(&un, phrase + i, 1), LC_OK);
		}
		/* Encoded-words never appear inside quotes. */
		assert_null(strstr(un.data, "=?"));
		assert_string_equal(un.data, name);
		buf_free(&un);
	} else if (strncmp(phrase, "=?", 2) == 0) {
		kind = PK_ENCODED;
		assert_null(strchr(phrase, '"'));
		dec = ew_decode(phrase, &kinds);
		assert_string_equal(dec, name);
		free(dec);
	} else {
		kind = PK_ATOMS;
		for (i = 0; i < plen; i++)
			assert_true(phrase[i] == ' ' || is_atext((unsigned char)phrase[i]));
		assert_null(strstr(phrase, "=?"));
		assert_string_equal(phrase, name);
	}
	free(phrase);
	return kind;
}

static char *
body_of(const struct mail_out *m)
{
	return normalize(m->body ? m->body : "");
}

/* check_round_trip composes m and reads every field back. */
/* assert_body composes m with body and checks that the body on the wire is exactly want. */
static void
assert_body(struct mail_out *m, const char *body, const char *want)
{
	struct buf b;
	struct parsed p;

	m->body = body;
	compose_ok(m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(p.body_len, strlen(want));
	assert_memory_equal(p.body, want, p.body_len);
	parsed_free(&p);
	buf_free(&b);
}

static void
check_round_trip(const struct mail_out *m, int fold78)
{
	struct buf b;
	struct parsed p;
	char *s, *want;
	int kinds = 0;

	buf_init(&b, BIG_MAX);
	assert_int_equal(mail_compose(m, &b), LC_OK);
	wire_check(b.data, b.len, fold78);
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "Message-ID"), m->message_id);
	mailbox_check(hdr(&p, "From"), m->from_email, m->from_name);
	mailbox_check(hdr(&p, "To"), m->to_email, m->to_name);
	s = ew_decode(hdr(&p, "Subject"), &kinds);
	assert_string_equal(s, m->subject);
	free(s);
	s = qp_decode(p.body, p.body_len);
	want = body_of(m);
	assert_string_equal(s, want);
	free(s);
	free(want);
	parsed_free(&p);
	buf_free(&b);
}

static void
repeat(struct buf *b, const char *s, size_t n)
{
	while (n-- > 0)
		assert_int_equal(buf_puts(b, s), LC_OK);
}

/* gen_text appends up to maxpieces random pieces: ASCII, specials, spaces, "=?",
 * multibyte characters, long words and, when lines, line breaks and "."/"From " starts. */
static void
gen_text(struct buf *b, size_t maxpieces, int lines)
{
	static const char *const pieces[] = {"a", "b", "Z", "0", " ", " ", "  ", "=", "?", "=?",
	    "?=", "_", "\"", "\\", ".", ",", "<", ">", "(", ")", "@", ":", ";", "\xc3\xa9",
	    "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe4\xb8\xad", "\t", "From ", "From", "x", "-",
	    "/", "!", "~", "\xc3\x9f", "\xce\xa9", "word", "longer words", "'",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
	static const char *const breaks[] = {
	    "\n", "\r\n", "\n.", "\nFrom ", " \n", "\t\r\n", "\n\n", "\r", "=\n"};
	size_t n = rng_below(maxpieces + 1), i;
	size_t np = sizeof(pieces) / sizeof(pieces[0]), nb = sizeof(breaks) / sizeof(breaks[0]);

	assert_int_equal(buf_append(b, "", 0), LC_OK);
	for (i = 0; i < n; i++) {
		if (lines && rng_below(6) == 0)
			assert_int_equal(buf_puts(b, breaks[rng_below(nb)]), LC_OK);
		else
			assert_int_equal(buf_puts(b, pieces[rng_below(np)]), LC_OK);
	}
}

/* ---- the plain message, header by header ---- */

static void
test_plain_ascii_message_exact(void **state)
{
	struct mail_out m;
	struct buf b;

	(void)state;
	base_message(&m);
	compose_ok(&m, &b);
	assert_string_equal(b.data, "Message-ID: <abc123@mail.example.com>\r\n"
	                            "Date: Thu, 26 Nov 2026 05:40:35 +0000\r\n"
	                            "From: Marina Petrova <marina@example.com>\r\n"
	                            "To: editor@blog.example\r\n"
	                            "Subject: Quick question about your guide\r\n"
	                            "MIME-Version: 1.0\r\n"
	                            "Content-Type: text/plain; charset=UTF-8\r\n"
	                            "Content-Transfer-Encoding: quoted-printable\r\n"
	                            "\r\n"
	                            "Hi there,\r\n"
	                            "\r\n"
	                            "I liked your post.\r\n");
	buf_free(&b);
}

static void
test_plain_ascii_message_headers(void **state)
{
	static const char *const order[] = {"Message-ID", "Date", "From", "To", "Subject",
	    "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
	struct mail_out m;
	struct buf b;
	struct parsed p;
	size_t i;
	char *body;

	(void)state;
	base_message(&m);
	m.to_name = "Editor";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(p.n, 8);
	for (i = 0; i < p.n; i++)
		assert_string_equal(p.name[i], order[i]);
	assert_string_equal(hdr(&p, "Message-ID"), "<abc123@mail.example.com>");
	assert_string_equal(hdr(&p, "Date"), "Thu, 26 Nov 2026 05:40:35 +0000");
	assert_string_equal(hdr(&p, "From"), "Marina Petrova <marina@example.com>");
	assert_string_equal(hdr(&p, "To"), "Editor <editor@blog.example>");
	assert_string_equal(hdr(&p, "Subject"), "Quick question about your guide");
	assert_string_equal(hdr(&p, "MIME-Version"), "1.0");
	assert_string_equal(hdr(&p, "Content-Type"), "text/plain; charset=UTF-8");
	assert_string_equal(hdr(&p, "Content-Transfer-Encoding"), "quoted-printable");
	assert_null(hdr(&p, "In-Reply-To"));
	assert_null(hdr(&p, "References"));
	assert_null(hdr(&p, "List-Unsubscribe"));
	assert_null(hdr(&p, "List-Unsubscribe-Post"));
	body = qp_decode(p.body, p.body_len);
	assert_string_equal(body, "Hi there,\r\n\r\nI liked your post.\r\n");
	free(body);
	parsed_free(&p);
	buf_free(&b);
}

static void
test_all_optional_headers_in_order(void **state)
{
	static const char *const order[] = {"Message-ID", "Date", "From", "To", "Subject",
	    "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "In-Reply-To",
	    "References", "List-Unsubscribe", "List-Unsubscribe-Post"};
	struct mail_out m;
	struct buf b;
	struct parsed p;
	size_t i;

	(void)state;
	base_message(&m);
	m.in_reply_to = "<r2@x.example>";
	m.references = "<r1@x.example> <r2@x.example>";
	m.list_unsubscribe_url = "https://lc.example/u/tok123";
	m.list_unsubscribe_mailto = "mailto:unsub@lc.example?subject=unsubscribe";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(p.n, 12);
	for (i = 0; i < p.n; i++)
		assert_string_equal(p.name[i], order[i]);
	assert_string_equal(hdr(&p, "In-Reply-To"), "<r2@x.example>");
	assert_string_equal(hdr(&p, "References"), "<r1@x.example> <r2@x.example>");
	assert_string_equal(hdr(&p, "List-Unsubscribe"),
	    "<https://lc.example/u/tok123>, <mailto:unsub@lc.example?subject=unsubscribe>");
	assert_string_equal(hdr(&p, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
	parsed_free(&p);
	buf_free(&b);
}

static void
test_compose_appends_to_existing_content(void **state)
{
	struct mail_out m;
	struct buf alone, b;

	(void)state;
	base_message(&m);
	compose_ok(&m, &alone);
	buf_init(&b, BIG_MAX);
	assert_int_equal(buf_puts(&b, "X-Prefix\r\n"), LC_OK);
	assert_int_equal(mail_compose(&m, &b), LC_OK);
	assert_int_equal(b.len, 10 + alone.len);
	assert_memory_equal(b.data, "X-Prefix\r\n", 10);
	assert_string_equal(b.data + 10, alone.data);
	buf_free(&alone);
	buf_free(&b);
}

/* ---- In-Reply-To and References ---- */

static void
test_in_reply_to_and_references_only_when_given(void **state)
{
	struct mail_out m;
	struct buf b;
	struct parsed p;

	(void)state;
	base_message(&m);
	m.in_reply_to = "";
	m.references = "";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_null(hdr(&p, "In-Reply-To"));
	assert_null(hdr(&p, "References"));
	parsed_free(&p);
	buf_free(&b);

	m.in_reply_to = "<only@x.example>";
	m.references = NULL;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "In-Reply-To"), "<only@x.example>");
	assert_null(hdr(&p, "References"));
	parsed_free(&p);
	buf_free(&b);

	m.in_reply_to = NULL;
	m.references = "  <a@x.example>\t\t<b@x.example>   <no-at-sign> ";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_null(hdr(&p, "In-Reply-To"));
	assert_string_equal(hdr(&p, "References"), "<a@x.example> <b@x.example> <no-at-sign>");
	parsed_free(&p);
	buf_free(&b);
}

static void
test_long_references_are_folded(void **state)
{
	struct mail_out m;
	struct buf refs, b;
	struct parsed p;
	size_t i;

	(void)state;
	buf_init(&refs, BIG_MAX);
	for (i = 0; i < 40; i++) {
		assert_int_equal(buf_printf(&refs, "%s<msg-%zu-0123456789abcdef@mail.example.com>",
		                     i ? " " : "", i),
		    LC_OK);
	}
	base_message(&m);
	m.references = refs.data;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "References"), refs.data);
	assert_non_null(strstr(b.data, "@mail.example.com>\r\n <msg-"));
	parsed_free(&p);
	buf_free(&b);
	buf_free(&refs);
}

/* ---- List-Unsubscribe ---- */

static void
test_list_unsubscribe_variants(void **state)
{
	struct mail_out m;
	struct buf b;
	struct parsed p;

	(void)state;
	base_message(&m);

	m.list_unsubscribe_url = "https://lc.example/u/abc";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "List-Unsubscribe"), "<https://lc.example/u/abc>");
	assert_string_equal(hdr(&p, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
	assert_non_null(
	    strstr(b.data, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	parsed_free(&p);
	buf_free(&b);

	m.list_unsubscribe_url = NULL;
	m.list_unsubscribe_mailto = "mailto:u@lc.example";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "List-Unsubscribe"), "<mailto:u@lc.example>");
	assert_null(hdr(&p, "List-Unsubscribe-Post")); /* RFC 8058 needs an https URI */
	parsed_free(&p);
	buf_free(&b);

	m.list_unsubscribe_url = "HTTPS://lc.example/u/abc";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_string_equal(
	    hdr(&p, "List-Unsubscribe"), "<HTTPS://lc.example/u/abc>, <mailto:u@lc.example>");
	assert_non_null(hdr(&p, "List-Unsubscribe-Post"));
	parsed_free(&p);
	buf_free(&b);

	m.list_unsubscribe_url = "";
	m.list_unsubscribe_mailto = "";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_null(hdr(&p, "List-Unsubscribe"));
	assert_null(hdr(&p, "List-Unsubscribe-Post"));
	parsed_free(&p);
	buf_free(&b);
}

static void
test_list_unsubscribe_long_url_folds_between_uris(void **state)
{
	struct mail_out m;
	struct buf url, b;
	struct parsed p;
	char *want;

	(void)state;
	buf_init(&url, BIG_MAX);
	assert_int_equal(buf_puts(&url, "https://lc.example/u/"), LC_OK);
	repeat(&url, "t", 100);
	base_message(&m);
	m.list_unsubscribe_url = url.data;
	m.list_unsubscribe_mailto = "mailto:u@lc.example";
	buf_init(&b, BIG_MAX);
	assert_int_equal(mail_compose(&m, &b), LC_OK);
	wire_check(b.data, b.len, 0); /* the URL line itself cannot be 78 */
	assert_non_null(strstr(b.data, "t>,\r\n <mailto:u@lc.example>\r\n"));
	parse_message(b.data, b.len, &p);
	assert_true(asprintf(&want, "<%s>, <mailto:u@lc.example>", url.data) > 0);
	assert_string_equal(hdr(&p, "List-Unsubscribe"), want);
	free(want);
	parsed_free(&p);
	buf_free(&b);
	buf_free(&url);
}

static void
test_list_unsubscribe_rejects_bad_uris(void **state)
{
	static const char *const urls[] = {"http://", "http:///u", "https://", "https:///u",
	    "https://?x", "ftp://lc.example", "https://lc.example/u v", "https://lc.example/<u>",
	    "lc.example/u", "https://lc.example/\xc3\xa9", "https://lc.example/u\r\nBcc: x@y.z",
	    "mailto:u@lc.example"};
	static const char *const mailtos[] = {"mailto:", "u@lc.example", "https://lc.example",
	    "mailto:u@lc.example\nBcc: x@y.z", "mailto:a b@c.d", "mailto:<u@lc.example>"};
	struct mail_out m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		base_message(&m);
		m.list_unsubscribe_url = urls[i];
		assert_rejected(&m);
	}
	for (i = 0; i < sizeof(mailtos) / sizeof(mailtos[0]); i++) {
		base_message(&m);
		m.list_unsubscribe_mailto = mailtos[i];
		assert_rejected(&m);
	}
}

/* ---- display names ---- */

static void
test_display_name_atoms_as_is(void **state)
{
	static const char *const names[] = {
	    "Marina", "Marina Petrova", "O'Brien", "a+b", "Jean-Luc Picard", "x_y {z} ~w"};
	struct mail_out m;
	struct buf b;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		base_message(&m);
		m.from_name = names[i];
		m.to_name = names[i];
		compose_ok(&m, &b);
		parse_message(b.data, b.len, &p);
		assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, names[i]), PK_ATOMS);
		assert_int_equal(mailbox_check(hdr(&p, "To"), m.to_email, names[i]), PK_ATOMS);
		parsed_free(&p);
		buf_free(&b);
	}
}

static void
test_display_name_specials_quoted(void **state)
{
	static const char *const names[] = {"J. Smith", "Smith, John", "Dr. \"Doc\" Who",
	    "back\\slash", "a@b.c", "<bracket>", "colon: semi;", " leading", "trailing ",
	    "double  space", "(comment)", "[x]"};
	struct mail_out m;
	struct buf b;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		base_message(&m);
		m.from_name = names[i];
		compose_ok(&m, &b);
		parse_message(b.data, b.len, &p);
		assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, names[i]), PK_QUOTED);
		parsed_free(&p);
		buf_free(&b);
	}
	base_message(&m);
	m.from_name = "Dr. \"Doc\" \\o/";
	compose_ok(&m, &b);
	assert_non_null(
	    strstr(b.data, "\r\nFrom: \"Dr. \\\"Doc\\\" \\\\o/\" <marina@example.com>\r\n"));
	buf_free(&b);
}

static void
test_display_name_non_ascii_encoded(void **state)
{
	static const char *const names[] = {"Марина Петрова", "José", "Zoë O'Brien", "李雷",
	    "\xf0\x9f\x98\x80 Emoji", "=?UTF-8?B?SGk=?=", "tab\there", "a \"=?x?=\""};
	struct mail_out m;
	struct buf b;
	struct parsed p;
	const char *from;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		base_message(&m);
		m.from_name = names[i];
		m.to_name = names[i];
		compose_ok(&m, &b);
		/* never "=?UTF-8?...?=" inside a quoted-string */
		assert_null(strstr(b.data, "\"=?"));
		parse_message(b.data, b.len, &p);
		from = hdr(&p, "From");
		assert_int_equal(strncmp(from, "=?UTF-8?", 8), 0);
		assert_int_equal(mailbox_check(from, m.from_email, names[i]), PK_ENCODED);
		assert_int_equal(mailbox_check(hdr(&p, "To"), m.to_email, names[i]), PK_ENCODED);
		parsed_free(&p);
		buf_free(&b);
	}
	base_message(&m);
	/* Q or B, whichever is shorter; Q on a tie. */
	m.from_name = "Zoë Smith";
	compose_ok(&m, &b);
	assert_non_null(
	    strstr(b.data, "\r\nFrom: =?UTF-8?Q?Zo=C3=AB_Smith?= <marina@example.com>\r\n"));
	buf_free(&b);
	m.from_name = "José";
	compose_ok(&m, &b);
	assert_non_null(strstr(b.data, "\r\nFrom: =?UTF-8?B?Sm9zw6k=?= <marina@example.com>\r\n"));
	buf_free(&b);
}

static void
test_display_name_empty_is_bare_address(void **state)
{
	struct mail_out m;
	struct buf b;

	(void)state;
	base_message(&m);
	m.from_name = "";
	m.to_name = NULL;
	compose_ok(&m, &b);
	assert_non_null(
	    strstr(b.data, "\r\nFrom: marina@example.com\r\nTo: editor@blog.example\r\n"));
	buf_free(&b);
}

static void
test_display_name_long_folds(void **state)
{
	struct mail_out m;
	struct buf name, b;
	struct parsed p;

	(void)state;
	base_message(&m);
	buf_init(&name, BIG_MAX);
	repeat(&name, "Averyveryverylongfirstname ", 8);
	assert_int_equal(buf_puts(&name, "Last"), LC_OK);
	m.from_name = name.data;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, name.data), PK_ATOMS);
	parsed_free(&p);
	buf_free(&b);

	buf_reset(&name);
	repeat(&name, "J. Smith, ", 20); /* too long for one quoted line: encoded instead */
	m.from_name = name.data;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, name.data), PK_ENCODED);
	parsed_free(&p);
	buf_free(&b);

	buf_reset(&name);
	repeat(&name, "\xc3\xa9", 200);
	m.from_name = name.data;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, name.data), PK_ENCODED);
	parsed_free(&p);
	buf_free(&b);

	buf_reset(&name);
	repeat(&name, "x", 990); /* one atom longer than any line: encoded */
	m.from_name = name.data;
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	assert_int_equal(mailbox_check(hdr(&p, "From"), m.from_email, name.data), PK_ENCODED);
	parsed_free(&p);
	buf_free(&b);
	buf_free(&name);
}

/* ---- subjects ---- */

static void
test_subject_long_ascii_folds_at_spaces(void **state)
{
	struct mail_out m;
	struct buf subj, b;
	struct parsed p;
	char *dec;
	int kinds = 0;

	(void)state;
	buf_init(&subj, BIG_MAX);
	repeat(&subj, "Quick question about your excellent guide ", 20);
	assert_int_equal(buf_puts(&subj, "end"), LC_OK);
	base_message(&m);
	m.subject = subj.data;
	compose_ok(&m, &b);
	assert_null(strstr(b.data, "=?"));
	parse_message(b.data, b.len, &p);
	assert_string_equal(hdr(&p, "Subject"), subj.data);
	dec = ew_decode(hdr(&p, "Subject"), &kinds);
	assert_string_equal(dec, subj.data);
	assert_int_equal(kinds, 0);
	free(dec);
	parsed_free(&p);
	buf_free(&b);
	buf_free(&subj);
}

static void
test_subject_998_ascii_without_spaces(void **state)
{
	static const char *const fills[] = {"a", "=", "?", "_", "\"", "~"};
	struct mail_out m;
	struct buf subj, b;
	size_t i;

	(void)state;
	buf_init(&subj, BIG_MAX);
	for (i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
		buf_reset(&subj);
		repeat(&subj, fills[i], 998);
		base_message(&m);
		m.subject = subj.data;
		check_round_trip(&m, 1);
		compose_ok(&m, &b); /* wire_check with the 78 rule */
		buf_free(&b);
	}
	assert_int_equal(buf_puts(&subj, "a"), LC_OK); /* 999 characters */
	m.subject = subj.data;
	assert_rejected(&m);
	buf_free(&subj);
}

static void
test_subject_long_utf8_encoded_words(void **state)
{
	static const char *const chars[] = {"\xc3\xa9", "\xf0\x9f\x98\x80", "\xe4\xb8\xad",
	    "a\xc3\xa9", "\xe2\x82\xac ", "ab\xf0\x9f\x98\x80"};
	struct mail_out m;
	struct buf subj, b;
	struct parsed p;
	size_t i;
	int kinds;
	char *dec;

	(void)state;
	buf_init(&subj, BIG_MAX);
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		buf_reset(&subj);
		repeat(&subj, chars[i], 300 / utf8_chars(chars[i], strlen(chars[i])));
		base_message(&m);
		m.subject = subj.data;
		compose_ok(&m, &b);
		parse_message(b.data, b.len, &p);
		kinds = 0;
		dec = ew_decode(hdr(&p, "Subject"), &kinds);
		assert_string_equal(dec, subj.data);
		assert_true(kinds != 0);
		free(dec);
		parsed_free(&p);
		buf_free(&b);
	}
	buf_reset(&subj);
	repeat(&subj, "\xc3\xa9", 998); /* 998 characters, 1996 bytes */
	m.subject = subj.data;
	check_round_trip(&m, 1);
	assert_int_equal(buf_puts(&subj, "\xc3\xa9"), LC_OK);
	assert_rejected(&m);
	buf_free(&subj);
}

static void
test_subject_q_and_b_encodings(void **state)
{
	struct mail_out m;
	struct buf b;
	struct parsed p;
	int kinds;
	char *dec;

	(void)state;
	base_message(&m);
	m.subject = "Caf\xc3\xa9 au lait, please";
	compose_ok(&m, &b);
	assert_non_null(strstr(b.data, "\r\nSubject: =?UTF-8?Q?Caf=C3=A9_au_lait=2C_please?=\r\n"));
	buf_free(&b);

	m.subject = "Привет, мир";
	compose_ok(&m, &b);
	parse_message(b.data, b.len, &p);
	kinds = 0;
	dec = ew_decode(hdr(&p, "Subject"), &kinds);
	assert_string_equal(dec, m.subject);
	assert_int_equal(kinds, 2);
	assert_int_equal(strncmp(hdr(&p, "Subject"), "=?UTF-8?B?", 10), 0);
	free(dec);
	parsed_free(&p);
	buf_free(&b);
}

static void
test_subject_odd_ascii_round_trips(void **state)
{
	static const char *const subjects[] = {" leading", "trailing ", "double  space",
	    "looks =?UTF-8?Q?encoded?= here", "tab\there", "=?", "?=", "_under_score_", " ", "a",
	    "100% = sure?"};
	struct mail_out m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		base_message(&m);
		m.subject = subjects[i];
		check_round_trip(&m, 1);
	}
}

/* ---- rejected input ---- */

static void
test_header_injection_rejected(void **state)
{
	static const char *const evil[] = {"x\r\nBcc: victim@evil.example", "x\nBcc: v@e.example",
	    "x\rBcc: v@e.example", "\r\n", "x\x01y", "x\x7fy", "x\x1b[31m"};
	struct mail_out m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		base_message(&m);
		m.subject = evil[i];
		assert_rejected(&m);
		base_message(&m);
		m.from_name = evil[i];
		assert_rejected(&m);
		base_message(&m);
		m.to_name = evil[i];
		assert_rejected(&m);
	}
	base_message(&m);
	m.from_email = "marina@example.com\r\nBcc: v@e.example";
	assert_rejected(&m);
	base_message(&m);
	m.to_email = "editor@blog.example\nBcc: v@e.example";
	assert_rejected(&m);
	base_message(&m);
	m.message_id = "<abc@x.example>\r\nBcc: v@e.example";
	assert_rejected(&m);
	base_message(&m);
	m.message_id = "<abc\r\n@x.example>";
	assert_rejected(&m);
	base_message(&m);
	m.in_reply_to = "<abc@x.example>\r\nBcc: v@e.example";
	assert_rejected(&m);
	base_message(&m);
	m.references = "<a@x.example>\r\n<b@x.example>";
	assert_rejected(&m);
	base_message(&m);
	m.references = "<a@x.example>\nBcc: v@e.example";
	assert_rejected(&m);
}

static void
test_required_fields_and_shapes(void **state)
{
	static const char *const bad_addrs[] = {"", "no-at-sign", "a@b@c.example", "a b@c.example",
	    "<a@c.example>", ".a@c.example", "a.@c.example", "a..b@c.example", "a@-c.example",
	    "a@c-.example", "a@c..example", "a@c.example.", "a@", "@c.example",
	    "\"quoted\"@c.example", "a@[127.0.0.1]", "jos\xc3\xa9@c.example", "a@c_d.example",
	    "a,b@c.example", "a@c.example>"};
	static const char *const bad_ids[] = {"", "abc@x.example", "<abc@x.example",
	    "abc@x.example>", "<>", "<abc>", "<@x.example>", "<abc@>", "<a b@x.example>",
	    "<a<b@x.example>", "<a@x.example><b@x.example>", "<\xc3\xa9@x.example>"};
	struct mail_out m;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, BIG_MAX);
	assert_int_equal(mail_compose(NULL, &b), LC_EINVAL);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	base_message(&m);
	m.from_email = NULL;
	assert_rejected(&m);
	base_message(&m);
	m.to_email = NULL;
	assert_rejected(&m);
	base_message(&m);
	m.subject = NULL;
	assert_rejected(&m);
	base_message(&m);
	m.subject = "";
	assert_rejected(&m);
	base_message(&m);
	m.message_id = NULL;
	assert_rejected(&m);
	for (i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		base_message(&m);
		m.from_email = bad_addrs[i];
		assert_rejected(&m);
		base_message(&m);
		m.to_email = bad_addrs[i];
		assert_rejected(&m);
	}
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		base_message(&m);
		m.message_id = bad_ids[i];
		assert_rejected(&m);
	}
	base_message(&m);
	m.in_reply_to = "no-brackets@x.example";
	assert_rejected(&m);
	base_message(&m);
	m.references = "<a@x.example> b@x.example";
	assert_rejected(&m);
	base_message(&m);
	m.references = "   ";
	assert_rejected(&m);
	base_message(&m);
	m.date_ms = -1;
	assert_rejected(&m);
	m.date_ms = TIME_MAX_MS + 1;
	assert_rejected(&m);
	m.date_ms = TIME_MAX_MS;
	check_round_trip(&m, 1);
}

static void
test_invalid_utf8_rejected(void **state)
{
	static const char *const bad[] = {
	    "\xff", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok \x80"};
	struct mail_out m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		base_message(&m);
		m.subject = bad[i];
		assert_rejected(&m);
		base_message(&m);
		m.from_name = bad[i];
		assert_rejected(&m);
		base_message(&m);
		m.to_name = bad[i];
		assert_rejected(&m);
		base_message(&m);
		m.body = bad[i];
		assert_rejected(&m);
	}
}

static void
test_long_tokens_respect_998(void **state)
{
	struct mail_out m;
	struct buf id, url;

	(void)state;
	buf_init(&id, BIG_MAX);
	buf_init(&url, BIG_MAX);
	assert_int_equal(buf_puts(&id, "<"), LC_OK);
	repeat(&id, "i", 900);
	assert_int_equal(buf_puts(&id, "@x.example>"), LC_OK);
	base_message(&m);
	m.message_id = id.data;
	m.in_reply_to = id.data;
	m.references = id.data;
	check_round_trip(&m, 0);

	buf_reset(&id);
	assert_int_equal(buf_puts(&id, "<"), LC_OK);
	repeat(&id, "i", 990);
	assert_int_equal(buf_puts(&id, "@x.example>"), LC_OK);
	base_message(&m);
	m.message_id = id.data;
	assert_rejected(&m);
	base_message(&m);
	m.references = id.data;
	assert_rejected(&m);

	assert_int_equal(buf_puts(&url, "https://lc.example/"), LC_OK);
	repeat(&url, "u", 900);
	base_message(&m);
	m.list_unsubscribe_url = url.data;
	m.list_unsubscribe_mailto = "mailto:u@lc.example";
	check_round_trip(&m, 0);
	repeat(&url, "u", 100);
	assert_rejected(&m);
	buf_free(&id);
	buf_free(&url);
}

/* ---- quoted-printable bodies ---- */

static void
test_qp_exact_encodings(void **state)
{
	static const struct {
		const char *body, *wire;
	} cases[] = {
	    {"a=b", "a=3Db\r\n"},
	    {"trailing  \nx\t\n", "trailing =20\r\nx=09\r\n"},
	    {"in ner\ttab", "in ner\ttab\r\n"},
	    {".\n.dot\nFrom here\nFromage\nA From b\n",
	        "=2E\r\n=2Edot\r\n=46rom here\r\nFromage\r\n"
	        "A From b\r\n"},
	    {"caf\xc3\xa9", "caf=C3=A9\r\n"},
	    {"lone\rcr", "lone=0Dcr\r\n"},
	    {"a\r\nb\nc", "a\r\nb\r\nc\r\n"},
	    {"\n\n", "\r\n\r\n"},
	    {"bell\x07 esc\x1b del\x7f", "bell=07 esc=1B del=7F\r\n"},
	    {"ends with cr\r", "ends with cr=0D\r\n"},
	    {" ", "=20\r\n"},
	};
	struct mail_out m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		base_message(&m);
		assert_body(&m, cases[i].body, cases[i].wire);
	}
}

static void
test_qp_soft_line_breaks(void **state)
{
	struct mail_out m;
	struct buf body, want;

	(void)state;
	buf_init(&body, BIG_MAX);
	buf_init(&want, BIG_MAX);

	/* 76 characters fit on one line; 77 need a soft break after 75. */
	repeat(&body, "a", 76);
	assert_int_equal(buf_puts(&body, "\n"), LC_OK);
	repeat(&body, "b", 77);
	repeat(&want, "a", 76);
	assert_int_equal(buf_puts(&want, "\r\n"), LC_OK);
	repeat(&want, "b", 75);
	assert_int_equal(buf_puts(&want, "=\r\nbb\r\n"), LC_OK);
	base_message(&m);
	assert_body(&m, body.data, want.data);

	/* A "." or "From " that lands at the start of a line after a soft break. */
	buf_reset(&body);
	buf_reset(&want);
	repeat(&body, "a", 75);
	assert_int_equal(buf_puts(&body, ".b\n"), LC_OK);
	repeat(&body, "c", 75);
	assert_int_equal(buf_puts(&body, "From x"), LC_OK);
	repeat(&want, "a", 75);
	assert_int_equal(buf_puts(&want, "=\r\n=2Eb\r\n"), LC_OK);
	repeat(&want, "c", 75);
	assert_int_equal(buf_puts(&want, "=\r\n=46rom x\r\n"), LC_OK);
	assert_body(&m, body.data, want.data);

	/* The encoding of one UTF-8 character is never split by a soft break. */
	buf_reset(&body);
	buf_reset(&want);
	repeat(&body, "a", 72);
	assert_int_equal(buf_puts(&body, "\xc3\xa9z"), LC_OK);
	repeat(&want, "a", 72);
	assert_int_equal(buf_puts(&want, "=\r\n=C3=A9z\r\n"), LC_OK);
	assert_body(&m, body.data, want.data);

	/* Trailing space exactly at the limit: "=20" moves to the next line. */
	buf_reset(&body);
	buf_reset(&want);
	repeat(&body, "a", 75);
	assert_int_equal(buf_puts(&body, " \n"), LC_OK);
	repeat(&want, "a", 75);
	assert_int_equal(buf_puts(&want, "=\r\n=20\r\n"), LC_OK);
	assert_body(&m, body.data, want.data);
	buf_free(&body);
	buf_free(&want);
}

static void
test_qp_round_trips(void **state)
{
	struct mail_out m;
	struct buf body;
	size_t i;
	const char *fixed[] = {"", "x", "\n", "\r\n", "=", "==\n=", "   \n\t\t\n", ".", "..\n.",
	    "From ", "From\n", "From me\r\nFrom you", "\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
	    "mixed\r\nends\nand\r\n\r\n", "no final newline"};

	(void)state;
	base_message(&m);
	m.body = NULL;
	check_round_trip(&m, 1);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		m.body = fixed[i];
		check_round_trip(&m, 1);
	}
	buf_init(&body, BIG_MAX);
	repeat(&body, "0123456789", 500); /* one 5000-character line */
	m.body = body.data;
	check_round_trip(&m, 1);
	buf_reset(&body);
	repeat(&body, "word  = \xc3\xa9\t", 300);
	m.body = body.data;
	check_round_trip(&m, 1);
	buf_reset(&body);
	repeat(&body, " ", 200);
	m.body = body.data;
	check_round_trip(&m, 1);
	buf_reset(&body);
	repeat(&body, "\xe4\xb8\xad", 1000);
	m.body = body.data;
	check_round_trip(&m, 1);
	buf_free(&body);
}

static void
test_empty_body(void **state)
{
	struct mail_out m;
	struct buf b;
	struct parsed p;

	(void)state;
	base_message(&m);
	m.body = "";
	compose_ok(&m, &b);
	assert_memory_equal(b.data + b.len - 4, "\r\n\r\n", 4);
	parse_message(b.data, b.len, &p);
	assert_int_equal(p.body_len, 0);
	parsed_free(&p);
	buf_free(&b);
}

/* ---- many generated messages ---- */

static void
test_generated_messages(void **state)
{
	struct mail_out m;
	struct buf from, to, subj, body;
	size_t i;

	(void)state;
	buf_init(&from, BIG_MAX);
	buf_init(&to, BIG_MAX);
	buf_init(&subj, BIG_MAX);
	buf_init(&body, BIG_MAX);
	for (i = 0; i < 3000; i++) {
		buf_reset(&from);
		buf_reset(&to);
		buf_reset(&subj);
		buf_reset(&body);
		gen_text(&from, 30, 0);
		gen_text(&to, 8, 0);
		do {
			gen_text(&subj, i % 3 == 0 ? 300 : 40, 0);
		} while (subj.len == 0);
		if (utf8_chars(subj.data, subj.len) > MAIL_SUBJECT_MAX)
			continue;
		gen_text(&body, 400, 1);
		base_message(&m);
		m.from_name = from.data;
		m.to_name = to.data;
		m.subject = subj.data;
		m.body = body.data;
		m.in_reply_to = i % 2 ? "<r@x.example>" : NULL;
		m.references = i % 4 == 1 ? "<q@x.example> <r@x.example>" : NULL;
		m.list_unsubscribe_url = i % 5 ? "https://lc.example/u/t" : NULL;
		m.date_ms = (int64_t)(rng() % (uint64_t)TIME_MAX_MS);
		check_round_trip(&m, 1);
	}
	buf_free(&from);
	buf_free(&to);
	buf_free(&subj);
	buf_free(&body);
}

/* ---- out of memory ---- */

static void
test_enomem_when_max_too_small(void **state)
{
	struct mail_out m;
	struct buf full, b;

	(void)state;
	base_message(&m);
	m.from_name = "Марина";
	m.list_unsubscribe_url = "https://lc.example/u/abc";
	compose_ok(&m, &full);

	buf_init(&b, full.len);
	assert_int_equal(mail_compose(&m, &b), LC_OK);
	assert_string_equal(b.data, full.data);
	buf_free(&b);

	buf_init(&b, full.len - 1);
	assert_int_equal(mail_compose(&m, &b), LC_ENOMEM);
	assert_int_equal(b.len, 0);
	assert_true(b.data == NULL || b.data[0] == '\0');
	buf_free(&b);

	buf_init(&b, full.len + 3);
	assert_int_equal(buf_puts(&b, "abcd"), LC_OK);
	assert_int_equal(mail_compose(&m, &b), LC_ENOMEM);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "abcd");
	buf_free(&b);

	buf_init(&b, 10);
	assert_int_equal(mail_compose(&m, &b), LC_ENOMEM);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	buf_free(&full);
}

/* ---- mail_date_format ---- */

static void
test_date_format_known_instants(void **state)
{
	char out[MAIL_DATE_MAX];

	(void)state;
	mail_date_format(0, out);
	assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 +0000");
	mail_date_format(INT64_C(951825600000), out);
	assert_string_equal(out, "Tue, 29 Feb 2000 12:00:00 +0000");
	mail_date_format(days_from_civil(2000, 2, 29) * 86400000, out);
	assert_string_equal(out, "Tue, 29 Feb 2000 00:00:00 +0000");
	mail_date_format(T_NOV26, out);
	assert_string_equal(out, "Thu, 26 Nov 2026 05:40:35 +0000");
	mail_date_format(T_NOV26 + 999, out); /* milliseconds are truncated */
	assert_string_equal(out, "Thu, 26 Nov 2026 05:40:35 +0000");
	mail_date_format(INT64_C(1709251199000), out);
	assert_string_equal(out, "Thu, 29 Feb 2024 23:59:59 +0000");
	mail_date_format(TIME_MAX_MS, out);
	assert_string_equal(out, "Fri, 31 Dec 9999 23:59:59 +0000");
	mail_date_format(-1, out);
	assert_string_equal(out, "Wed, 31 Dec 1969 23:59:59 +0000");
	mail_date_format(INT64_MIN, out); /* nonsense in, no crash and NUL-terminated */
	assert_true(strlen(out) < MAIL_DATE_MAX);
	mail_date_format(INT64_MAX, out);
	assert_true(strlen(out) < MAIL_DATE_MAX);
}

/* Walks the calendar one day at a time from 1970-01-01 (a Thursday) to 2200 and checks
 * every day against mail_date_format; independent of days_from_civil. */
static void
test_date_format_every_day(void **state)
{
	static const char *const wd[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *const mon[] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char out[MAIL_DATE_MAX], want[64];
	int y = 1970, mo = 1, d = 1, leap, len;
	int64_t day;

	(void)state;
	for (day = 0; y < 2200; day++) {
		int64_t ms = day * 86400000 + (day % 86400) * 1000;
		unsigned sec = (unsigned)(day % 86400);

		mail_date_format(ms, out);
		snprintf(want, sizeof(want), "%s, %02d %s %04d %02u:%02u:%02u +0000", wd[day % 7],
		    d, mon[mo - 1], y, sec / 3600, sec / 60 % 60, sec % 60);
		assert_string_equal(out, want);
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		len = dm[mo - 1] + (mo == 2 && leap);
		if (++d > len) {
			d = 1;
			if (++mo > 12) {
				mo = 1;
				y++;
			}
		}
	}
}

/* ---- mail_message_id_new ---- */

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
test_message_id_new_shape(void **state)
{
	char id[MAIL_MSGID_MAX];
	struct mail_out m;
	size_t i;

	(void)state;
	assert_int_equal(mail_message_id_new("mail.example.com", id), LC_OK);
	assert_int_equal(strlen(id), 1 + 22 + 1 + 16 + 1);
	assert_int_equal(id[0], '<');
	for (i = 1; i <= 22; i++)
		assert_true((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= 'a' && id[i] <= 'z') ||
		            (id[i] >= '0' && id[i] <= '9') || id[i] == '-' || id[i] == '_');
	assert_string_equal(id + 23, "@mail.example.com>");
	base_message(&m);
	m.message_id = id;
	check_round_trip(&m, 1);

	assert_int_equal(mail_message_id_new("localhost", id), LC_OK);
	assert_string_equal(id + 23, "@localhost>");
}

static void
test_message_id_new_unique(void **state)
{
	enum { N = 4096 };
	char(*ids)[MAIL_MSGID_MAX] = calloc(N, MAIL_MSGID_MAX);
	size_t i;

	(void)state;
	assert_non_null(ids);
	for (i = 0; i < N; i++)
		assert_int_equal(mail_message_id_new("x.example", ids[i]), LC_OK);
	qsort(ids, N, MAIL_MSGID_MAX, cmp_ids);
	for (i = 1; i < N; i++)
		assert_true(strcmp(ids[i - 1], ids[i]) != 0);
	free(ids);
}

static void
test_message_id_new_rejects_bad_domains(void **state)
{
	static const char *const bad[] = {"", "-a.example", "a-.example", "a..example", ".example",
	    "example.", "ex ample.com", "exa_mple.com", "ex\xc3\xa9mple.com", "a@b.example",
	    "<a.example>", "a.example\r\n"};
	char id[MAIL_MSGID_MAX], dom[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(id, 'z', sizeof(id));
		assert_int_equal(mail_message_id_new(bad[i], id), LC_EINVAL);
		assert_int_equal(id[0], '\0');
	}
	assert_int_equal(mail_message_id_new(NULL, id), LC_EINVAL);
	/* 63-character label is the longest; 64 is not a host name */
	memset(dom, 'a', 64);
	memcpy(dom + 64, ".example", 9);
	assert_int_equal(mail_message_id_new(dom, id), LC_EINVAL);
	assert_int_equal(mail_message_id_new(dom + 1, id), LC_OK);
	/* 102 bytes fit in MAIL_MSGID_MAX with "<", 22, "@", ">" and NUL; 103 do not */
	memset(dom, 'b', 103);
	dom[40] = dom[80] = '.';
	dom[103] = '\0';
	assert_int_equal(mail_message_id_new(dom, id), LC_EINVAL);
	assert_int_equal(mail_message_id_new(dom + 1, id), LC_OK);
	assert_int_equal(strlen(id), MAIL_MSGID_MAX - 1);
}

/* With an open-tracking image the message is multipart/alternative: the plain text first,
 * then an HTML copy (escaped) that loads the image; the boundary never occurs in a part. */
static void
test_open_pixel_makes_multipart_alternative(void **state)
{
	struct mail_out m;
	struct buf b;
	const char *ct, *q, *boundary;
	char bnd[64];
	size_t n, i, line = 0;

	(void)state;
	base_message(&m);
	m.body = "Hi <Marina> & co,\nsee \"this\".\n";
	m.open_pixel_url = "https://lc.example/t/o/AAAAAAAAAAAAAAAAAAAAAA.gif";
	buf_init(&b, 1 << 20);
	compose_ok(&m, &b);
	ct = strstr(b.data, "Content-Type: multipart/alternative; boundary=\"");
	assert_non_null(ct);
	boundary = ct + strlen("Content-Type: multipart/alternative; boundary=\"");
	q = strchr(boundary, '"');
	assert_non_null(q);
	n = (size_t)(q - boundary);
	assert_true(n > 5 && n < sizeof(bnd) - 3);
	bnd[0] = '-';
	bnd[1] = '-';
	memcpy(bnd + 2, boundary, n);
	bnd[n + 2] = '\0';
	/* two part openings and the closing delimiter, nothing else */
	for (i = 0, line = 0; i + strlen(bnd) <= b.len; i++)
		if (memcmp(b.data + i, bnd, strlen(bnd)) == 0)
			line++;
	assert_int_equal(line, 3);
	line = 0;
	assert_non_null(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(b.data, "Content-Type: text/html; charset=UTF-8\r\n"));
	assert_non_null(strstr(b.data, "&lt;Marina&gt; &amp; co"));
	assert_non_null(strstr(b.data, "<img src=3D\"https://lc.example/t/o/"));
	assert_null(strstr(b.data, "Content-Transfer-Encoding: quoted-printable\r\nMIME"));
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == '\n') {
			assert_true(i > 0 && b.data[i - 1] == '\r');
			line = 0;
		} else {
			assert_true(++line <= 998);
		}
	}
	m.open_pixel_url = "javascript:alert(1)";
	assert_rejected(&m);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_ascii_message_exact),
	    cmocka_unit_test(test_plain_ascii_message_headers),
	    cmocka_unit_test(test_all_optional_headers_in_order),
	    cmocka_unit_test(test_compose_appends_to_existing_content),
	    cmocka_unit_test(test_in_reply_to_and_references_only_when_given),
	    cmocka_unit_test(test_long_references_are_folded),
	    cmocka_unit_test(test_list_unsubscribe_variants),
	    cmocka_unit_test(test_list_unsubscribe_long_url_folds_between_uris),
	    cmocka_unit_test(test_list_unsubscribe_rejects_bad_uris),
	    cmocka_unit_test(test_open_pixel_makes_multipart_alternative),
	    cmocka_unit_test(test_display_name_atoms_as_is),
	    cmocka_unit_test(test_display_name_specials_quoted),
	    cmocka_unit_test(test_display_name_non_ascii_encoded),
	    cmocka_unit_test(test_display_name_empty_is_bare_address),
	    cmocka_unit_test(test_display_name_long_folds),
	    cmocka_unit_test(test_subject_long_ascii_folds_at_spaces),
	    cmocka_unit_test(test_subject_998_ascii_without_spaces),
	    cmocka_unit_test(test_subject_long_utf8_encoded_words),
	    cmocka_unit_test(test_subject_q_and_b_encodings),
	    cmocka_unit_test(test_subject_odd_ascii_round_trips),
	    cmocka_unit_test(test_header_injection_rejected),
	    cmocka_unit_test(test_required_fields_and_shapes),
	    cmocka_unit_test(test_invalid_utf8_rejected),
	    cmocka_unit_test(test_long_tokens_respect_998),
	    cmocka_unit_test(test_qp_exact_encodings),
	    cmocka_unit_test(test_qp_soft_line_breaks),
	    cmocka_unit_test(test_qp_round_trips),
	    cmocka_unit_test(test_empty_body),
	    cmocka_unit_test(test_generated_messages),
	    cmocka_unit_test(test_enomem_when_max_too_small),
	    cmocka_unit_test(test_date_format_known_instants),
	    cmocka_unit_test(test_date_format_every_day),
	    cmocka_unit_test(test_message_id_new_shape),
	    cmocka_unit_test(test_message_id_new_unique),
	    cmocka_unit_test(test_message_id_new_rejects_bad_domains),
	};

	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
