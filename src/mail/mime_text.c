/* mime_text.c: text handling of the inbound mail parser (see mime.c).
 *
 * UTF-8 cleaning, charset conversion (windows-1252 by table, the rest with iconv),
 * format=flowed, quote stripping and link extraction. HTML to text is in mime_html.c. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <gmime/gmime.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"

#define MIME_ATTRIB_MAX 400 /* longest "On ... wrote:" attribution, joined */

static const char mime_fffd[] = "\xEF\xBF\xBD";

/* How a declared charset is read. */
enum mime_cs { MIME_CS_UNDECLARED, MIME_CS_UTF8, MIME_CS_CP1252, MIME_CS_ICONV };

const unsigned short mime_cp1252_hi[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020,
    0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019,
    0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E,
    0x0178};

/* Attribution lines: a start word and the verb that must be in the line. */
static const char *const mime_attrib[][2] = {{"on ", "wrote"}, {"am ", "schrieb"},
    {"le ", "a écrit"}, {"el ", "escribió"}, {"il ", "ha scritto"}, {"op ", "schreef"},
    {"em ", "escreveu"}, {"den ", "skrev"}, {NULL, NULL}};

/* Separator words of an original-message line, inside dashes. */
static const char *const mime_original[] = {"original message", "ursprüngliche nachricht",
    "message d'origine", "mensaje original", "messaggio originale", "oorspronkelijk bericht",
    "mensagem original", "original meddelelse", "ursprungligt meddelande", NULL};

/* Outlook header block: the "From:" line and the "Sent:" line, in some languages. */
static const char *const mime_ol_from[] = {
    "from:", "von:", "de :", "de:", "da:", "van:", "fra:", "från:", NULL};
static const char *const mime_ol_sent[] = {"sent:", "gesendet:", "envoyé :", "envoyé:", "enviado:",
    "enviado el:", "inviato:", "verzonden:", "sendt:", "skickat:", NULL};

/* Forward markers: everything from here on is kept. */
static const char *const mime_forward[] = {"---------- forwarded message",
    "-------- forwarded message", "-----forwarded message", "----- forwarded message",
    "begin forwarded message:", "-------- weitergeleitete nachricht",
    "---------- weitergeleitete nachricht", "-------- message transféré", NULL};

static enum mime_cs mime_charset_kind(const char *);
static lc_err mime_cp1252(struct buf *, const unsigned char *, size_t);
static lc_err mime_iconv(struct buf *, const char *, const char *, size_t, int *);
static int mime_is_quoted(const char *, size_t);
static size_t mime_skip_ws(const char *, size_t);
static int mime_attribution(const char **, const size_t *, size_t, size_t);
static int mime_original_line(const char *, size_t);
static int mime_outlook_block(const char **, const size_t *, size_t, size_t);
static int mime_underscores(const char *, size_t);
static int mime_url_char(unsigned char);

/* mime_put_cp appends code point cp as UTF-8 (U+FFFD for surrogates, 0 and > U+10FFFF). */
lc_err
mime_put_cp(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* mime_clean appends s[0..n) to b as valid UTF-8 without NUL: every byte that does not start
 * a well-formed sequence becomes U+FFFD and U+FEFF (BOM) is dropped. With oneline, CR, LF,
 * TAB and other controls become spaces; otherwise CR LF and lone CR become LF, TAB stays,
 * other C0 controls and DEL are dropped. */
lc_err
mime_clean(struct buf *b, const char *s, size_t n, int oneline)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	lc_err e;

	while (i < n) {
		unsigned c = u[i];
		const char *rep = NULL;
		size_t skip = 1;

		if (c >= 0x20 && c < 0x7F) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			if ((k = mime_utf8_seq(u + i, n - i)) != 0 &&
			    !(k == 3 && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)) {
				i += k;
				continue;
			}
			if (k == 3) {
				rep =
				    ""; /* U+FEFF, a byte order mark or zero-width no-break space */
				skip = 3;
			} else {
				rep = mime_fffd;
			}
		} else if (oneline) {
			rep = " ";
		} else if (c == '\r') {
			rep = "\n";
			if (i + 1 < n && u[i + 1] == '\n')
				skip = 2;
		} else if (c == '\n' || c == '\t') {
			i++;
			continue;
		} else {
			rep = "";
		}
		if ((e = buf_append(b, s + run, i - run)) != LC_OK ||
		    (e = buf_puts(b, rep)) != LC_OK)
			return e;
		i += skip;
		run = i;
	}
	return buf_append(b, s + run, i - run);
}

/* mime_charset_kind says how text declared in charset is read. US-ASCII and undeclared text
 * is UTF-8 when it is valid UTF-8 and windows-1252 otherwise; ISO-8859-1 is read as its
 * superset windows-1252, as browsers do. */
static enum mime_cs
mime_charset_kind(const char *cs)
{
	static const char *const undeclared[] = {"", "us-ascii", "ascii", "ansi_x3.4-1968",
	    "iso646-us", "x-unknown", "unknown-8bit", "unknown", "default", "8bit",
	    "x-user-defined", "us", NULL};
	static const char *const utf8[] = {
	    "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8", "unicode", NULL};
	static const char *const cp1252[] = {"iso-8859-1", "iso8859-1", "iso_8859-1",
	    "iso_8859-1:1987", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819",
	    "csisolatin1", "windows-1252", "cp1252", "x-cp1252", "windows-cp1252", "cp-1252", NULL};
	size_t n;

	if (cs == NULL)
		return MIME_CS_UNDECLARED;
	n = strlen(cs);
	if (mime_in_list(cs, n, undeclared))
		return MIME_CS_UNDECLARED;
	if (mime_in_list(cs, n, utf8))
		return MIME_CS_UTF8;
	if (mime_in_list(cs, n, cp1252))
		return MIME_CS_CP1252;
	return MIME_CS_ICONV;
}

/* mime_cp1252 appends windows-1252 s[0..n) as UTF-8 (the five unassigned bytes map to the
 * C1 controls of the same value, as in the WHATWG encoding standard). */
static lc_err
mime_cp1252(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i, run = 0;
	lc_err e;

	for (i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c < 0x80)
			continue;
		if ((e = buf_append(b, s + run, i - run)) != LC_OK)
			return e;
		if ((e = mime_put_cp(b, c < 0xA0 ? mime_cp1252_hi[c - 0x80] : c)) != LC_OK)
			return e;
		run = i + 1;
	}
	return buf_append(b, s + run, n - run);
}

/* mime_iconv appends s[0..n) converted from charset cs with iconv; an invalid or incomplete
 * sequence becomes U+FFFD and conversion goes on after its first byte. *known is 0 when
 * iconv does not know cs (then nothing is appended). */
static lc_err
mime_iconv(struct buf *b, const char *cs, const char *s, size_t n, int *known)
{
	iconv_t cd;
	char chunk[4096];
	char *in = (char *)(uintptr_t)s, *op;
	size_t il = n, ol;
	lc_err e = LC_OK;

	*known = 0;
	if ((cd = iconv_open("UTF-8", g_mime_charset_iconv_name(cs))) == (iconv_t)-1)
		return LC_OK;
	*known = 1;
	for (;;) {
		size_t r;
		int err;

		op = chunk;
		ol = sizeof(chunk);
		r = il > 0 ? iconv(cd, &in, &il, &op, &ol) : iconv(cd, NULL, NULL, &op, &ol);
		err = errno;
		if ((e = buf_append(b, chunk, sizeof(chunk) - ol)) != LC_OK)
			goto out;
		if (r != (size_t)-1) {
			if (il == 0 && op == chunk)
				break;
			continue;
		}
		if (err == E2BIG)
			continue;
		if (err == EILSEQ || err == EINVAL) {
			if ((e = buf_puts(b, mime_fffd)) != LC_OK)
				goto out;
			if (il > 0) {
				in++;
				il--;
			}
			continue;
		}
		break;
	}
out:
	iconv_close(cd);
	return e;
}

/* mime_to_utf8 appends s[0..n), declared in charset cs (may be NULL), as UTF-8 (which may
 * still hold invalid sequences or controls: mime_clean runs afterwards). */
lc_err
mime_to_utf8(struct buf *b, const char *cs, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	int known;
	lc_err e;

	switch (mime_charset_kind(cs)) {
	case MIME_CS_UTF8: return buf_append(b, s, n);
	case MIME_CS_CP1252: return mime_cp1252(b, u, n);
	case MIME_CS_ICONV:
		if ((e = mime_iconv(b, cs, s, n, &known)) != LC_OK || known)
			return e;
		break;
	case MIME_CS_UNDECLARED: break;
	}
	for (i = 0; i < n; i += k)
		if ((k = mime_utf8_seq(u + i, n - i)) == 0)
			return mime_cp1252(b, u, n);
	return buf_append(b, s, n);
}

/* mime_html_charset finds a <meta> charset in the first 4 KiB of html and copies it to cs
 * (size csz); returns cs or NULL. */
const char *
mime_html_charset(const char *html, size_t n, char *cs, size_t csz)
{
	const char *p;
	size_t i = 0;

	if (n > 4096)
		n = 4096;
	if ((p = mime_find(html, n, "charset=")) == NULL)
		return NULL;
	p += 8;
	n -= (size_t)(p - html);
	while (n > 0 && (*p == '"' || *p == '\'' || *p == ' ')) {
		p++;
		n--;
	}
	while (i < n && i + 1 < csz &&
	       (mime_is_alnum(p[i]) || p[i] == '-' || p[i] == '_' || p[i] == ':' || p[i] == '.')) {
		cs[i] = p[i];
		i++;
	}
	cs[i] = '\0';
	return i > 0 ? cs : NULL;
}

/* mime_blank is 1 when s[0..n) holds only whitespace. */
int
mime_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!mime_is_wsp(s[i]))
			return 0;
	return 1;
}

/* mime_flowed appends LF text s[0..n) in format=flowed (RFC 3676) as fixed lines: soft line
 * breaks (a trailing space) are joined, space-stuffing is removed and quoted lines are
 * written with a "> " prefix per level. delsp removes the space of a soft break. */
lc_err
mime_flowed(struct buf *b, const char *s, size_t n, int delsp)
{
	size_t i = 0, depth = 0, k;
	int open = 0; /* a paragraph is being written */
	lc_err e;

	while (i < n) {
		const char *line = s + i, *nl = memchr(line, '\n', n - i);
		size_t len = nl ? (size_t)(nl - line) : n - i, d = 0;
		int flowed;

		i += len + (nl ? 1 : 0);
		while (d < len && line[d] == '>')
			d++;
		line += d;
		len -= d;
		if (len > 0 && line[0] == ' ')
			line++, len--;
		flowed =
		    len > 0 && line[len - 1] == ' ' && !(len == 3 && memcmp(line, "-- ", 3) == 0);
		if (flowed && delsp)
			len--;
		if (open && d != depth) {
			if ((e = buf_puts(b, "\n")) != LC_OK)
				return e;
			open = 0;
		}
		if (!open) {
			for (k = 0; k < d; k++)
				if ((e = buf_puts(b, ">")) != LC_OK)
					return e;
			if (d > 0 && (e = buf_puts(b, " ")) != LC_OK)
				return e;
			depth = d;
			open = 1;
		}
		if ((e = buf_append(b, line, len)) != LC_OK)
			return e;
		if (!flowed) {
			if ((e = buf_puts(b, "\n")) != LC_OK)
				return e;
			open = 0;
		}
	}
	return open ? buf_puts(b, "\n") : LC_OK;
}

/* mime_is_quoted is 1 for a line that starts with '>' after optional blanks. */
static int
mime_is_quoted(const char *l, size_t n)
{
	size_t i = mime_skip_ws(l, n);

	return i < n && l[i] == '>';
}

/* mime_skip_ws returns the index of the first character of l[0..n) that is not a blank or
 * a '*' (Outlook's plain-text bold). */
static size_t
mime_skip_ws(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '*'))
		i++;
	return i;
}

/* mime_line_starts is 1 when line l[0..n), after blanks, starts with one of list. */
int
mime_line_starts(const char *l, size_t n, const char *const *list)
{
	size_t i = mime_skip_ws(l, n), k;

	for (k = 0; list[k] != NULL; k++)
		if (mime_has_prefix(l + i, n - i, list[k]))
			return 1;
	return 0;
}

/* mime_attribution is 1 when lines i.. (joined, at most 3) are an attribution line such as
 * "On Thu, 26 Nov 2026 at 05:40, Marina <m@example.com> wrote:": a known start word, the
 * verb, a digit (every client writes a date), ending with ':'. A single line ending in ':'
 * that holds "wrote" or an address and is followed (after blank lines) by a quoted line
 * counts too, whatever its language. */
static int
mime_attribution(const char **l, const size_t *ln, size_t nl, size_t i)
{
	char join[MIME_ATTRIB_MAX + 1];
	size_t jl = 0, k, a, s;
	int digit;

	for (k = i; k < nl && k < i + 3; k++) {
		if (k > i && jl < MIME_ATTRIB_MAX)
			join[jl++] = ' ';
		if (ln[k] > MIME_ATTRIB_MAX - jl)
			return 0;
		memcpy(join + jl, l[k], ln[k]);
		jl += ln[k];
		while (jl > 0 && (join[jl - 1] == ' ' || join[jl - 1] == '\t'))
			jl--;
		join[jl] = '\0';
		if (jl == 0 || join[jl - 1] != ':')
			continue;
		s = mime_skip_ws(join, jl);
		digit = 0;
		for (a = s; a < jl; a++)
			digit |= mime_is_digit(join[a]);
		for (a = 0; mime_attrib[a][0] != NULL; a++)
			if (digit && mime_has_prefix(join + s, jl - s, mime_attrib[a][0]) &&
			    mime_find(join + s, jl - s, mime_attrib[a][1]) != NULL)
				return 1;
		/* any other language: a line naming someone ("wrote", an address) before a quote */
		if (k == i &&
		    (mime_find(join, jl, "wrote") != NULL || memchr(join, '@', jl) != NULL)) {
			size_t q = k + 1;

			while (q < nl && mime_blank(l[q], ln[q]))
				q++;
			if (q < nl && mime_is_quoted(l[q], ln[q]))
				return 1;
		}
	}
	return 0;
}

/* mime_original_line is 1 for "-----Original Message-----" and its translations: the words
 * between runs of at least two dashes. */
static int
mime_original_line(const char *l, size_t n)
{
	size_t s = mime_skip_ws(l, n), e = n, d1 = 0, d2 = 0;

	while (s < e && l[s] == '-')
		s++, d1++;
	while (e > s && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	while (e > s && l[e - 1] == '-')
		e--, d2++;
	while (s < e && l[s] == ' ')
		s++;
	while (e > s && l[e - 1] == ' ')
		e--;
	return d1 >= 2 && d2 >= 2 && mime_in_list(l + s, e - s, mime_original);
}

/* mime_outlook_block is 1 when line i starts an Outlook header block: "From:" followed
 * within 5 lines by "Sent:", or by "Date:" and "Subject:". */
static int
mime_outlook_block(const char **l, const size_t *ln, size_t nl, size_t i)
{
	static const char *const date[] = {"date:", "datum:", "fecha:", "data:", NULL};
	static const char *const subj[] = {"subject:", "betreff:", "objet :", "objet:", "asunto:",
	    "oggetto:", "onderwerp:", "assunto:", "emne:", "ämne:", NULL};
	size_t k;
	int has_date = 0, has_subj = 0;

	if (!mime_line_starts(l[i], ln[i], mime_ol_from))
		return 0;
	for (k = i + 1; k < nl && k <= i + 5; k++) {
		if (mime_line_starts(l[k], ln[k], mime_ol_sent))
			return 1;
		has_date |= mime_line_starts(l[k], ln[k], date);
		has_subj |= mime_line_starts(l[k], ln[k], subj);
	}
	return has_date && has_subj;
}

/* mime_underscores is 1 for an Outlook separator line of at least 10 underscores. */
static int
mime_underscores(const char *l, size_t n)
{
	size_t i = mime_skip_ws(l, n), c = 0;

	while (i < n && l[i] == '_')
		i++, c++;
	return c >= 10 && mime_blank(l + i, n - i);
}

/* mime_strip appends text without its quoted part to out (see struct mime_parsed.text_new). */
lc_err
mime_strip(const char *text, struct buf *out)
{
	const char **l = NULL;
	size_t *ln = NULL, nl = 0, cap = 0, i, cut, fwd, blank = 0, p;
	size_t tlen = strlen(text);
	lc_err e = LC_OK;

	for (p = 0; p <= tlen;) {
		const char *s = text + p, *nlp = memchr(s, '\n', tlen - p);
		size_t len = nlp ? (size_t)(nlp - s) : tlen - p;

		if (nl == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			const char **nlv = realloc(l, ncap * sizeof(*l));
			size_t *nln;

			if (nlv == NULL) {
				e = LC_ENOMEM;
				goto out;
			}
			l = nlv;
			if ((nln = realloc(ln, ncap * sizeof(*ln))) == NULL) {
				e = LC_ENOMEM;
				goto out;
			}
			ln = nln;
			cap = ncap;
		}
		l[nl] = s;
		ln[nl++] = len;
		p += len + 1;
	}
	/* the first quote header cuts; a forward marker before it keeps the rest */
	cut = fwd = nl;
	for (i = 0; i < nl; i++) {
		if (mime_is_quoted(l[i], ln[i]))
			continue;
		if (mime_line_starts(l[i], ln[i], mime_forward)) {
			fwd = i;
			break;
		}
		if (mime_attribution(l, ln, nl, i) || mime_original_line(l[i], ln[i]) ||
		    mime_outlook_block(l, ln, nl, i)) {
			cut = i;
			break;
		}
		if (mime_underscores(l[i], ln[i])) {
			size_t q = i + 1;

			while (q < nl && mime_blank(l[q], ln[q]))
				q++;
			if (q < nl && mime_line_starts(l[q], ln[q], mime_ol_from)) {
				cut = i;
				break;
			}
		}
	}
	for (i = 0; i < cut; i++) {
		int b = mime_blank(l[i], ln[i]);

		if (i < fwd && mime_is_quoted(l[i], ln[i]))
			continue;
		if (b) {
			blank = 1;
			continue;
		}
		if (blank && out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
			goto out;
		blank = 0;
		if (out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
			goto out;
		p = ln[i];
		while (p > 0 && (l[i][p - 1] == ' ' || l[i][p - 1] == '\t'))
			p--;
		if ((e = buf_append(out, l[i], p)) != LC_OK)
			goto out;
	}
	if (out->len > 0)
		e = buf_puts(out, "\n");
out:
	free(l);
	free(ln);
	return e;
}

lc_err
mime_text_new(const char *text, char **out)
{
	struct buf b;
	lc_err e;

	*out = NULL;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_strip(text ? text : "", &b)) == LC_OK)
		e = mime_buf_take(&b, out);
	buf_free(&b);
	return e;
}

/* mime_url_char is 1 for a byte that can be part of a URL in text. */
static int
mime_url_char(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= 0x20 || c == 0x7F)
		return 0;
	return strchr("<>\"`{}|\\^", c) == NULL;
}

/* mime_links collects the http(s) URLs of text into out->links (see struct mime_parsed). */
lc_err
mime_links(const char *text, struct mime_parsed *out)
{
	size_t n = strlen(text), i = 0, j, k;

	while (i < n && out->nlinks < MIME_LINKS_MAX) {
		const char *p = mime_find(text + i, n - i, "http");
		size_t s, hs, po = 0, pc = 0, bo = 0, bc = 0; /* ( ) [ ] in the URL */
		char *u;
		int dup = 0;

		if (p == NULL)
			break;
		s = (size_t)(p - text);
		i = s + 4;
		if (s > 0 &&
		    (mime_is_alnum(text[s - 1]) || text[s - 1] == '/' || text[s - 1] == '.'))
			continue;
		if (mime_has_prefix(p, n - s, "https://"))
			hs = s + 8;
		else if (mime_has_prefix(p, n - s, "http://"))
			hs = s + 7;
		else
			continue;
		if (hs >= n || !(mime_is_alnum(text[hs]) || (unsigned char)text[hs] >= 0x80 ||
		                   text[hs] == '['))
			continue;
		for (j = hs; j < n && mime_url_char((unsigned char)text[j]); j++) {
			po += text[j] == '(';
			pc += text[j] == ')';
			bo += text[j] == '[';
			bc += text[j] == ']';
		}
		/* trailing punctuation belongs to the sentence; ')' and ']' only when unbalanced */
		while (j > hs) {
			char c = text[j - 1];

			if (strchr(".,;:!?'*", c) != NULL)
				j--;
			else if (c == ')' && pc > po)
				j--, pc--;
			else if (c == ']' && bc > bo)
				j--, bc--;
			else
				break;
		}
		i = j;
		if (j - s > MIME_LINK_LEN_MAX || j <= hs)
			continue;
		for (k = 0; k < out->nlinks; k++)
			if (strlen(out->links[k]) == j - s && memcmp(out->links[k], p, j - s) == 0)
				dup = 1;
		if (dup)
			continue;
		if (out->links == NULL &&
		    (out->links = calloc(MIME_LINKS_MAX, sizeof(*out->links))) == NULL)
			return LC_ENOMEM;
		if ((u = strndup(p, j - s)) == NULL)
			return LC_ENOMEM;
		out->links[out->nlinks++] = u;
	}
	return LC_OK;
}

/* mime_dup_line stores in *out a cleaned one-line copy of s with its ends trimmed: NULL for
 * a NULL s, and for an empty result unless keep_empty. */
lc_err
mime_dup_line(const char *s, int keep_empty, char **out)
{
	struct buf b;
	size_t start = 0, end;
	lc_err e;

	*out = NULL;
	if (s == NULL)
		return keep_empty ? mime_dup_line("", 1, out) : LC_OK;
	buf_init(&b, MIME_WORK_MAX);
	if ((e = mime_clean(&b, s, strnlen(s, MIME_HDR_MAX), 1)) != LC_OK)
		goto out;
	if ((e = buf_append(&b, "", 0)) != LC_OK)
		goto out;
	end = b.len;
	while (start < end && b.data[start] == ' ')
		start++;
	while (end > start && b.data[end - 1] == ' ')
		end--;
	if (start == end && !keep_empty)
		goto out;
	memmove(b.data, b.data + start, end - start);
	b.data[end - start] = '\0';
	b.len = end - start;
	e = mime_buf_take(&b, out);
out:
	buf_free(&b);
	return e;
}
