/* mime_text.c: text handling of the inbound mail parser (see mime.c).
 *
 * UTF-8 cleaning, charset conversion (windows-1252 by table, the rest with iconv),
 * format=flowed, HTML to text, quote stripping and link extraction. The HTML converter is
 * hand-written because libxml2 is not in the build and a tolerant one-pass tag stripper is
 * what mail needs (no DOM, unbalanced tags, no scripts). */
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

/* State of the HTML to text converter. */
struct mime_html {
	struct buf *out;
	int pre;        /* inside <pre>: whitespace is kept */
	int quote;      /* <blockquote> depth */
	int space;      /* a collapsed space is pending */
	int nl;         /* line breaks pending (0..2) */
	int bol;        /* at the beginning of a line: the quote prefix is not written yet */
	char *href;     /* http(s) target of the open <a>, or NULL */
	size_t a_start; /* out->len when that <a> opened */
};

struct mime_entity {
	const char *name;
	unsigned cp;
};

static const unsigned short mime_cp1252_hi[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026,
    0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018,
    0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D,
    0x017E, 0x0178};

/* Named character references seen in mail; the rest stay literal. */
static const struct mime_entity mime_entities[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'},
    {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}, {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E}, {"laquo", 0xAB},
    {"raquo", 0xBB}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"bull", 0x2022}, {"middot", 0xB7},
    {"euro", 0x20AC}, {"pound", 0xA3}, {"yen", 0xA5}, {"cent", 0xA2}, {"sect", 0xA7},
    {"para", 0xB6}, {"deg", 0xB0}, {"plusmn", 0xB1}, {"times", 0xD7}, {"divide", 0xF7},
    {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE}, {"shy", 0xAD}, {"iexcl", 0xA1},
    {"iquest", 0xBF}, {"ordf", 0xAA}, {"ordm", 0xBA}, {"micro", 0xB5}, {"dagger", 0x2020},
    {"zwnj", 0x200C}, {"zwj", 0x200D}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009},
    {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3}, {"Auml", 0xC4},
    {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7}, {"Egrave", 0xC8}, {"Eacute", 0xC9},
    {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE},
    {"Iuml", 0xCF}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3}, {"Ocirc", 0xD4},
    {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Oslash", 0xD8}, {"Ugrave", 0xD9}, {"Uacute", 0xDA},
    {"Ucirc", 0xDB}, {"Uuml", 0xDC}, {"Yacute", 0xDD}, {"szlig", 0xDF}, {"agrave", 0xE0},
    {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3}, {"auml", 0xE4}, {"aring", 0xE5},
    {"aelig", 0xE6}, {"ccedil", 0xE7}, {"egrave", 0xE8}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED}, {"icirc", 0xEE}, {"iuml", 0xEF},
    {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3}, {"ocirc", 0xF4}, {"otilde", 0xF5},
    {"ouml", 0xF6}, {"oslash", 0xF8}, {"ugrave", 0xF9}, {"uacute", 0xFA}, {"ucirc", 0xFB},
    {"uuml", 0xFC}, {"yacute", 0xFD}, {"yuml", 0xFF}, {"OElig", 0x152}, {"oelig", 0x153},
    {"Scaron", 0x160}, {"scaron", 0x161}, {"Yuml", 0x178}, {"circ", 0x2C6}, {"tilde", 0x2DC},
    {"larr", 0x2190}, {"rarr", 0x2192}, {"uarr", 0x2191}, {"darr", 0x2193}, {NULL, 0}};

/* Named references that are also recognised without their ';'. */
static const char *const mime_legacy_entities[] = {
    "amp", "lt", "gt", "quot", "nbsp", "copy", "reg", NULL};

/* Elements whose content is not text. */
static const char *const mime_html_skip[] = {"script", "style", "title", "template", NULL};
/* Elements that end a line. */
static const char *const mime_html_block1[] = {"div", "li", "tr", "dt", "dd", "section", "article",
    "header", "footer", "nav", "aside", "center", "address", "form", "fieldset", "figure",
    "figcaption", "main", "caption", "hr", "body", "html", NULL};
/* Elements that end a paragraph (a blank line). */
static const char *const mime_html_block2[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "blockquote", NULL};

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

static lc_err mime_put_cp(struct buf *, unsigned);
static enum mime_cs mime_charset_kind(const char *);
static lc_err mime_cp1252(struct buf *, const unsigned char *, size_t);
static lc_err mime_iconv(struct buf *, const char *, const char *, size_t, int *);
static lc_err mime_html_emit(struct mime_html *, const char *, size_t);
static void mime_html_break(struct mime_html *, int);
static lc_err mime_html_close_a(struct mime_html *);
static size_t mime_html_entity(const char *, size_t, unsigned *);
static lc_err mime_html_text(struct mime_html *, const char *, size_t);
static size_t mime_html_tag(struct mime_html *, const char *, size_t, size_t, lc_err *);
static int mime_is_quoted(const char *, size_t);
static size_t mime_skip_ws(const char *, size_t);
static int mime_attribution(const char **, const size_t *, size_t, size_t);
static int mime_original_line(const char *, size_t);
static int mime_outlook_block(const char **, const size_t *, size_t, size_t);
static int mime_underscores(const char *, size_t);
static int mime_url_char(unsigned char);

/* mime_utf8_seq returns the length of the well-formed UTF-8 sequence at s (1..4), or 0
 * when s[0] does not start one (overlongs, surrogates and > U+10FFFF are not well-formed). */
size_t
mime_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* mime_put_cp appends code point cp as UTF-8 (U+FFFD for surrogates, 0 and > U+10FFFF). */
static lc_err
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

/* mime_html_emit writes text s[0..n) (already entity-decoded) through the whitespace rules:
 * runs of whitespace collapse to one space outside <pre>, pending line breaks are written
 * before the next visible character, and each line inside <blockquote> starts with "> ". */
static lc_err
mime_html_emit(struct mime_html *h, const char *s, size_t n)
{
	size_t i;
	int q;
	lc_err e;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (h->pre && c == '\n') {
			if ((e = buf_puts(h->out, "\n")) != LC_OK)
				return e;
			h->bol = 1;
			h->space = 0;
			continue;
		}
		if (!h->pre && mime_is_wsp(c)) {
			h->space = 1;
			continue;
		}
		if (h->nl > 0 && h->out->len > 0) {
			if ((e = buf_puts(h->out, h->nl > 1 ? "\n\n" : "\n")) != LC_OK)
				return e;
			h->bol = 1;
		}
		h->nl = 0;
		if (h->bol) {
			for (q = 0; q < h->quote; q++)
				if ((e = buf_puts(h->out, "> ")) != LC_OK)
					return e;
			h->bol = 0;
			h->space = 0;
		}
		if (h->space && h->out->len > 0 && h->out->data[h->out->len - 1] != ' ' &&
		    h->out->data[h->out->len - 1] != '\n' && (e = buf_puts(h->out, " ")) != LC_OK)
			return e;
		h->space = 0;
		if ((e = buf_append(h->out, &c, 1)) != LC_OK)
			return e;
	}
	return LC_OK;
}

/* mime_html_break asks for n line breaks (1: end of line, 2: blank line) before the next
 * text; n < 0 adds one (for <br>). Pending spaces are dropped. */
static void
mime_html_break(struct mime_html *h, int n)
{
	if (n < 0)
		h->nl = h->nl < 2 ? h->nl + 1 : 2;
	else if (h->nl < n)
		h->nl = n;
	h->space = 0;
	if (h->out->len == 0)
		h->nl = 0;
}

/* mime_html_close_a ends the open <a>: when its text is not empty and does not show the URL
 * already, " <url>" is written after it, so the target stays in the text. */
static lc_err
mime_html_close_a(struct mime_html *h)
{
	lc_err e = LC_OK;
	const char *t;
	size_t tl;

	if (h->href == NULL)
		return LC_OK;
	t = h->out->data ? h->out->data + h->a_start : "";
	tl = h->out->len - h->a_start;
	if (!mime_blank(t, tl) && memmem(t, tl, h->href, strlen(h->href)) == NULL) {
		h->space = 1;
		if ((e = mime_html_emit(h, "<", 1)) == LC_OK &&
		    (e = mime_html_emit(h, h->href, strlen(h->href))) == LC_OK)
			e = mime_html_emit(h, ">", 1);
	}
	free(h->href);
	h->href = NULL;
	return e;
}

/* mime_html_entity reads a character reference at s[0] == '&' and stores its code point in
 * *cp; returns its length, or 0 when s does not start one (the '&' is then literal). */
static size_t
mime_html_entity(const char *s, size_t n, unsigned *cp)
{
	size_t i = 1, k, start;
	unsigned v = 0;
	int hex = 0;

	if (n > 1 && s[1] == '#') {
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		start = i;
		while (i < n && i - start < 8) {
			char c = mime_lower(s[i]);

			if (mime_is_digit(c))
				v = v * (hex ? 16 : 10) + (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else
				break;
			i++;
		}
		if (i == start)
			return 0;
		while (i < n && (mime_is_digit(s[i]) || (hex && mime_is_alnum(s[i]))))
			i++, v = 0x110000; /* too many digits */
		if (i < n && s[i] == ';')
			i++;
		if (v >= 0x80 && v < 0xA0)
			v = mime_cp1252_hi[v - 0x80];
		*cp = v;
		return i;
	}
	while (i < n && i < 10 && mime_is_alnum(s[i]))
		i++;
	for (k = 0; mime_entities[k].name != NULL; k++) {
		size_t l = strlen(mime_entities[k].name);

		if (l != i - 1 || memcmp(s + 1, mime_entities[k].name, l) != 0)
			continue;
		if (i < n && s[i] == ';') {
			*cp = mime_entities[k].cp;
			return i + 1;
		}
		/* references that HTML 5 (13.5) also knows without ';', for the common ones */
		if (mime_in_list(mime_entities[k].name, l, mime_legacy_entities)) {
			*cp = mime_entities[k].cp;
			return i;
		}
	}
	return 0;
}

/* mime_html_text decodes character references of s[0..n) and emits the result; a reference
 * to a control character becomes whitespace (TAB, LF, CR, FF, VT) or nothing. */
static lc_err
mime_html_text(struct mime_html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0, k;
	unsigned cp;
	struct buf one;
	lc_err e;

	while (i < n) {
		if (s[i] != '&' || (k = mime_html_entity(s + i, n - i, &cp)) == 0) {
			i++;
			continue;
		}
		if ((e = mime_html_emit(h, s + run, i - run)) != LC_OK)
			return e;
		/* a reference can name any code point: keep the text's rules (no CR, no
		 * controls but TAB and LF) */
		if (cp == 0xA0 || cp == '\t' || cp == '\f' || cp == '\v') {
			e = mime_html_emit(h, " ", 1);
		} else if (cp == '\r' || cp == '\n') {
			e = mime_html_emit(h, "\n", 1);
		} else if ((cp > 0 && cp < 0x20) || cp == 0x7F) {
			e = LC_OK;
		} else {
			buf_init(&one, 8);
			if ((e = mime_put_cp(&one, cp)) == LC_OK)
				e = mime_html_emit(h, one.data, one.len);
			buf_free(&one);
		}
		if (e != LC_OK)
			return e;
		i += k;
		run = i;
	}
	return mime_html_emit(h, s + run, n - run);
}

/* mime_html_tag handles the markup starting at s[i] == '<' and returns the index after it
 * (i + 1 when the '<' is literal text, which the caller then emits). */
static size_t
mime_html_tag(struct mime_html *h, const char *s, size_t n, size_t i, lc_err *e)
{
	char name[16];
	size_t p = i + 1, nl = 0, k;
	int closing = 0;
	const char *end;
	struct buf href;

	*e = LC_OK;
	if (p < n && s[p] == '!') {
		if (n - p >= 3 && memcmp(s + p, "!--", 3) == 0) {
			end = mime_find(s + p + 3, n - p - 3, "-->");
			return end ? (size_t)(end - s) + 3 : n;
		}
		end = memchr(s + p, '>', n - p);
		return end ? (size_t)(end - s) + 1 : n;
	}
	if (p < n && s[p] == '?') {
		end = memchr(s + p, '>', n - p);
		return end ? (size_t)(end - s) + 1 : n;
	}
	if (p < n && s[p] == '/') {
		closing = 1;
		p++;
	}
	if (p >= n || !mime_is_alpha(s[p]))
		return i + 1;
	while (p < n && (mime_is_alnum(s[p]) || s[p] == ':' || s[p] == '-')) {
		if (nl + 1 < sizeof(name))
			name[nl] = mime_lower(s[p]);
		nl++, p++;
	}
	name[nl < sizeof(name) ? nl : sizeof(name) - 1] = '\0';
	if (nl >= sizeof(name))
		name[0] = '\0'; /* too long: no element we know */
	buf_init(&href, (size_t)MIME_LINK_LEN_MAX * 8);
	/* attributes, honouring quotes, up to '>' */
	while (p < n && s[p] != '>') {
		size_t an = p, al, vs, vl;
		char q;

		if (mime_is_wsp(s[p]) || s[p] == '/') {
			p++;
			continue;
		}
		while (p < n && !mime_is_wsp(s[p]) && s[p] != '=' && s[p] != '>' && s[p] != '/')
			p++;
		al = p - an;
		if (al == 0)
			p++;
		while (p < n && mime_is_wsp(s[p]))
			p++;
		if (p >= n || s[p] != '=')
			continue;
		p++;
		while (p < n && mime_is_wsp(s[p]))
			p++;
		if (p < n && (s[p] == '"' || s[p] == '\'')) {
			q = s[p++];
			vs = p;
			while (p < n && s[p] != q)
				p++;
			vl = p - vs;
			if (p < n)
				p++;
		} else {
			vs = p;
			while (p < n && !mime_is_wsp(s[p]) && s[p] != '>')
				p++;
			vl = p - vs;
		}
		if (!closing && strcmp(name, "a") == 0 && al == 4 &&
		    mime_has_prefix(s + an, al, "href")) {
			buf_reset(&href);
			for (k = vs; k < vs + vl; k++) {
				unsigned cp;
				size_t el;

				if (s[k] == '&' &&
				    (el = mime_html_entity(s + k, vs + vl - k, &cp)) > 0) {
					if (mime_put_cp(&href, cp) != LC_OK)
						break;
					k += el - 1;
				} else if (!mime_is_wsp(s[k]) &&
				           buf_append(&href, s + k, 1) != LC_OK) {
					break;
				}
			}
		}
	}
	p = p < n ? p + 1 : n;

	if (!closing && mime_in_list(name, strlen(name), mime_html_skip)) {
		/* skip to the matching end tag */
		char close[20];
		const char *c;

		close[0] = '<';
		close[1] = '/';
		memcpy(close + 2, name, strlen(name) + 1);
		c = mime_find(s + p, n - p, close);
		if (c == NULL) {
			p = n;
		} else {
			end = memchr(c, '>', (size_t)(s + n - c));
			p = end ? (size_t)(end - s) + 1 : n;
		}
	} else if (strcmp(name, "br") == 0) {
		mime_html_break(h, -1);
	} else if (strcmp(name, "a") == 0) {
		if ((*e = mime_html_close_a(h)) != LC_OK)
			goto out;
		if (!closing && href.len > 0 && href.len <= MIME_LINK_LEN_MAX &&
		    (mime_has_prefix(href.data, href.len, "http://") ||
		        mime_has_prefix(href.data, href.len, "https://")) &&
		    mime_utf8_seq((const unsigned char *)href.data, href.len) != 0) {
			struct buf clean;

			buf_init(&clean, MIME_WORK_MAX);
			if ((*e = mime_clean(&clean, href.data, href.len, 1)) == LC_OK)
				*e = mime_buf_take(&clean, &h->href);
			buf_free(&clean);
			if (*e != LC_OK)
				goto out;
			h->a_start = h->out->len;
		}
	} else if (strcmp(name, "pre") == 0) {
		mime_html_break(h, 2);
		h->pre = closing ? 0 : 1;
	} else if (strcmp(name, "blockquote") == 0) {
		mime_html_break(h, 1);
		if (closing && h->quote > 0)
			h->quote--;
		else if (!closing && h->quote < 32)
			h->quote++;
		h->bol = 1;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		h->space = 1;
	} else if (mime_in_list(name, strlen(name), mime_html_block2)) {
		mime_html_break(h, 2);
	} else if (mime_in_list(name, strlen(name), mime_html_block1)) {
		mime_html_break(h, 1);
	} else if (strcmp(name, "img") != 0 && strcmp(name, "span") != 0 && name[0] != '\0') {
		/* inline elements: nothing */
	}
	if (h->nl > 0)
		h->bol = 1;
out:
	buf_free(&href);
	return p;
}

/* mime_html_convert appends the text of UTF-8 HTML s[0..n) to out. */
lc_err
mime_html_convert(const char *s, size_t n, struct buf *out)
{
	struct mime_html h;
	size_t i = 0, run = 0, start = out->len, next;
	lc_err e = LC_OK;

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.bol = 1;
	/* the converter decides on spaces by looking at what it wrote: start on a clean line */
	if (out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
		return e;
	start = out->len;
	h.a_start = start;
	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if ((e = mime_html_text(&h, s + run, i - run)) != LC_OK)
			goto out;
		next = mime_html_tag(&h, s, n, i, &e);
		if (e != LC_OK)
			goto out;
		if (next == i + 1 && (e = mime_html_emit(&h, "<", 1)) != LC_OK)
			goto out;
		i = run = next;
	}
	if ((e = mime_html_text(&h, s + run, n - run)) != LC_OK)
		goto out;
	e = mime_html_close_a(&h);
	if (e == LC_OK && out->len > start)
		e = buf_puts(out, "\n");
out:
	free(h.href);
	return e;
}

lc_err
mime_html_to_text(const char *html, size_t len, char **out)
{
	struct buf u, t;
	lc_err e;

	*out = NULL;
	buf_init(&u, MIME_WORK_MAX);
	buf_init(&t, MIME_WORK_MAX);
	if (html == NULL)
		html = "";
	if ((e = mime_clean(&u, html, len, 0)) != LC_OK)
		goto out;
	if ((e = mime_html_convert(u.data ? u.data : "", u.len, &t)) != LC_OK)
		goto out;
	e = mime_buf_take(&t, out);
out:
	buf_free(&u);
	buf_free(&t);
	return e;
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
