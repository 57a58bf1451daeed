/* hdr_encode.c: header fields written the way compose.c wants every one of them: 7-bit
 * only, folded at whitespace to 78 octets and never past 998 (RFC 5322 2.1.1), non-ASCII
 * text as RFC 2047 UTF-8 encoded-words that never split a character, never pass 76
 * octets on their line, and (for B words) read whole in GMime 3 (see hdr_encoded). A
 * display name is written as atoms, a quoted-string or encoded-words, whichever its text
 * allows, and unstructured text (a subject) as plain words or encoded-words. The input
 * has been validated by the caller (UTF-8, no control characters): this file only
 * encodes and folds. */
#include <string.h>
#include <sodium.h>

#include "mail/hdr_encode.h"
#include "util/utf8.h"

#define HDR_EW_MAX 75      /* longest encoded-word (RFC 2047 2) */
#define HDR_EW_OVERHEAD 12 /* "=?UTF-8?B?" and "?=" */

/* How a display name is written. */
enum hdr_phrase { HDR_PHRASE_ATOMS, HDR_PHRASE_QUOTED, HDR_PHRASE_ENCODED };

static const char hdr_hex[] = "0123456789ABCDEF";

static size_t hdr_q_len(unsigned char);
static int hdr_plain_ok(const char *, size_t, size_t, int);
static enum hdr_phrase hdr_phrase_kind(const char *, size_t, size_t);
static lc_err hdr_quoted(struct hdr_field *, const char *, size_t);
static size_t hdr_ew_take(const unsigned char *, size_t, size_t, size_t, int, int, size_t *);

int
hdr_is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int
hdr_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* hdr_q_len is the size of c in an RFC 2047 Q encoded-word, using only the characters
 * allowed in a phrase (5.3) so that the same words serve names and subjects. */
static size_t
hdr_q_len(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '!' || c == '*' || c == '+' || c == '-' || c == '/' || c == ' ')
		return 1;
	return 3;
}

/* hdr_plain_ok is 1 when s[0..n) can be written as it is: printable ASCII words separated
 * by single spaces, nothing a reader could take for an encoded-word ("=?"), the first word
 * at most first_max octets and every other word short enough for a continuation line.
 * With phrase, every word must also be an RFC 5322 atom. */
static int
hdr_plain_ok(const char *s, size_t n, size_t first_max, int phrase)
{
	size_t i, word = 0, max = first_max;

	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			if (s[i - 1] == ' ')
				return 0;
			word = 0;
			max = HDR_LINE_SOFT - 1;
			continue;
		}
		if (c < 0x21 || c > 0x7e || (phrase && !hdr_is_atext(c)))
			return 0;
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return 0;
		if (++word > max)
			return 0;
	}
	return 1;
}

/* hdr_phrase_kind picks how a display name is written: as atoms when it is a phrase of
 * plain atoms, as a quoted-string when it is printable ASCII that fits on the first line,
 * otherwise as encoded-words (which never go inside quotes). */
static enum hdr_phrase
hdr_phrase_kind(const char *s, size_t n, size_t first_max)
{
	size_t i, qlen = n + 2;

	if (hdr_plain_ok(s, n, first_max, 1))
		return HDR_PHRASE_ATOMS;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return HDR_PHRASE_ENCODED;
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?')
			return HDR_PHRASE_ENCODED;
		if (s[i] == '"' || s[i] == '\\')
			qlen++;
	}
	return qlen <= first_max ? HDR_PHRASE_QUOTED : HDR_PHRASE_ENCODED;
}

lc_err
hdr_begin(struct hdr_field *h, struct buf *out, const char *name)
{
	lc_err e;

	h->out = out;
	h->col = strlen(name) + 1;
	h->ntok = 0;
	h->ew_line = 0;
	h->ew_next = 0;
	if ((e = buf_puts(out, name)) != LC_OK)
		return e;
	return buf_append(out, ":", 1);
}

/* hdr_token writes pre, s[0..n) and post as one unbreakable token, after a space or,
 * when the token would pass the soft limit of the line and is not the first, after a fold.
 * LC_EINVAL when the token cannot fit in HDR_LINE_HARD octets even on a line of its own. */
lc_err
hdr_token(struct hdr_field *h, const char *pre, const char *s, size_t n, const char *post)
{
	size_t plen = strlen(pre), qlen = strlen(post), tlen = plen + n + qlen;
	int ew = h->ew_next;
	lc_err e;

	h->ew_next = 0;
	if (h->ntok > 0 && h->col + 1 + tlen > (h->ew_line || ew ? HDR_LINE_EW : HDR_LINE_SOFT)) {
		if ((e = buf_append(h->out, "\r\n", 2)) != LC_OK)
			return e;
		h->col = 0;
		h->ew_line = 0;
	}
	if (h->col + 1 + tlen > HDR_LINE_HARD)
		return LC_EINVAL;
	if ((e = buf_append(h->out, " ", 1)) != LC_OK ||
	    (e = buf_append(h->out, pre, plen)) != LC_OK ||
	    (e = buf_append(h->out, s, n)) != LC_OK ||
	    (e = buf_append(h->out, post, qlen)) != LC_OK)
		return e;
	h->col += 1 + tlen;
	h->ntok++;
	h->ew_line |= ew;
	return LC_OK;
}

lc_err
hdr_end(struct hdr_field *h)
{
	return buf_append(h->out, "\r\n", 2);
}

/* hdr_words writes the words of s[0..n), split at runs of spaces and tabs, as tokens;
 * the header is folded between words where needed. */
lc_err
hdr_words(struct hdr_field *h, const char *s, size_t n)
{
	size_t i = 0, start;
	lc_err e;

	for (;;) {
		while (i < n && hdr_is_wsp(s[i]))
			i++;
		if (i == n)
			return LC_OK;
		start = i;
		while (i < n && !hdr_is_wsp(s[i]))
			i++;
		if ((e = hdr_token(h, "", s + start, i - start, "")) != LC_OK)
			return e;
	}
}

/* hdr_quoted writes printable ASCII s[0..n) as one quoted-string with " and \
 * escaped; hdr_phrase_kind has checked that it fits on the current line. */
static lc_err
hdr_quoted(struct hdr_field *h, const char *s, size_t n)
{
	char q[HDR_LINE_SOFT + 1];
	size_t i, len = 0;

	q[len++] = '"';
	for (i = 0; i < n; i++) {
		if (len + 3 > sizeof(q))
			return LC_EINVAL;
		if (s[i] == '"' || s[i] == '\\')
			q[len++] = '\\';
		q[len++] = s[i];
	}
	q[len++] = '"';
	return hdr_token(h, "", q, len, "");
}

/* hdr_ew_take measures the next encoded-word of u[i..n): the most whole characters whose
 * encoding (B when b64, else Q) fits budget. Returns that byte count and its encoded
 * length in *elen; with mult3, the most whose byte count is a multiple of 3 (0 when none
 * is). */
static size_t
hdr_ew_take(
    const unsigned char *u, size_t i, size_t n, size_t budget, int b64, int mult3, size_t *elen)
{
	size_t take, clen, k, j, plen = 0, best = 0, best_len = 0;

	for (take = 0; i + take < n; take += clen, plen = k) {
		if (take % 3 == 0) {
			best = take;
			best_len = plen;
		}
		clen = utf8_lead_len(u + i + take, n - i - take);
		if (b64) {
			k = (take + clen + 2) / 3 * 4;
		} else {
			for (k = plen, j = 0; j < clen; j++)
				k += hdr_q_len(u[i + take + j]);
		}
		if (k > budget)
			break;
	}
	if (take % 3 == 0 || i + take == n || !mult3) {
		*elen = plen;
		return take;
	}
	*elen = best_len;
	return best;
}

/* hdr_encoded writes UTF-8 s[0..n) as RFC 2047 UTF-8 encoded-words, each at most
 * HDR_EW_MAX characters and each holding whole characters only, one token per word so
 * that folds fall between words and no line holding one passes HDR_LINE_EW. Q is used
 * when it is not longer than B. A B word that another follows holds a multiple of 3
 * bytes, so it has no "=" padding: GMime 3 (and so Evolution and others built on it)
 * joins adjacent B words before decoding and drops everything after a padded one
 * (measured: "=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=" reads "é"; docs/mail.md). When no
 * such split of whole characters fits, that word is written in Q. */
lc_err
hdr_encoded(struct hdr_field *h, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char word[HDR_EW_MAX + 1];
	size_t i, j, qlen = 0, room, budget, take, plen, k, wlen;
	int b64, wb64;
	lc_err e;

	for (i = 0; i < n; i++)
		qlen += hdr_q_len(u[i]);
	b64 = (n + 2) / 3 * 4 < qlen;
	for (i = 0; i < n; i += take) {
		room = h->ntok == 0 ? HDR_LINE_EW - h->col - 1 : HDR_LINE_EW - 1;
		if (room > HDR_EW_MAX)
			room = HDR_EW_MAX;
		budget = room - HDR_EW_OVERHEAD;
		wb64 = b64;
		take = hdr_ew_take(u, i, n, budget, wb64, 1, &plen);
		if (take == 0 && wb64) {
			wb64 = 0;
			take = hdr_ew_take(u, i, n, budget, 0, 0, &plen);
		}
		if (take == 0)
			return LC_EINVAL; /* cannot happen: budget fits any character */
		memcpy(word, wb64 ? "=?UTF-8?B?" : "=?UTF-8?Q?", 10);
		if (wb64) {
			sodium_bin2base64(word + 10, sizeof(word) - 10, u + i, take,
			    sodium_base64_VARIANT_ORIGINAL);
		} else {
			for (k = 10, j = 0; j < take; j++) {
				unsigned char c = u[i + j];

				if (c == ' ') {
					word[k++] = '_';
				} else if (hdr_q_len(c) == 1) {
					word[k++] = (char)c;
				} else {
					word[k++] = '=';
					word[k++] = hdr_hex[c >> 4];
					word[k++] = hdr_hex[c & 15];
				}
			}
		}
		wlen = 10 + plen;
		memcpy(word + wlen, "?=", 2);
		wlen += 2;
		h->ew_next = 1;
		if ((e = hdr_token(h, "", word, wlen, "")) != LC_OK)
			return e;
	}
	return LC_OK;
}

lc_err
hdr_phrase(struct hdr_field *h, const char *s, size_t n)
{
	switch (hdr_phrase_kind(s, n, HDR_LINE_SOFT - h->col - 1)) {
	case HDR_PHRASE_ATOMS: return hdr_words(h, s, n);
	case HDR_PHRASE_QUOTED: return hdr_quoted(h, s, n);
	default: return hdr_encoded(h, s, n);
	}
}

lc_err
hdr_text(struct hdr_field *h, const char *s, size_t n)
{
	if (hdr_plain_ok(s, n, HDR_LINE_SOFT - h->col - 1, 0))
		return hdr_words(h, s, n);
	return hdr_encoded(h, s, n);
}
