/* mime_html.c: HTML to text for the inbound mail parser (see mime.c).
 *
 * Hand-written because libxml2 is not in the build and a tolerant one-pass tag stripper is
 * what mail needs (no DOM, unbalanced tags, no scripts): whitespace collapsed, block
 * elements to line breaks, <blockquote> to "> ", entities decoded, links kept as
 * "text <url>". */
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"

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

static lc_err mime_html_emit(struct mime_html *, const char *, size_t);
static void mime_html_break(struct mime_html *, int);
static lc_err mime_html_close_a(struct mime_html *);
static size_t mime_html_entity(const char *, size_t, unsigned *);
static lc_err mime_html_text(struct mime_html *, const char *, size_t);
static size_t mime_html_tag(struct mime_html *, const char *, size_t, size_t, lc_err *);

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

