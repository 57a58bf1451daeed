/* mime_html.c: HTML to text for the inbound mail parser (see mime.c).
 *
 * libxml2's HTML parser (the one the placement checker uses, src/hook/link_inspect.c) reads
 * the markup: it recovers from what hostile or sloppy mail sends (unclosed and misnested
 * tags, stray '<', unterminated comments), decodes HTML's character references and nothing
 * more (no DTD, no external entities, no network: HTML_PARSE_NONET), and reports nothing
 * (NOERROR, NOWARNING). This file only walks the tree it builds and writes text: whitespace
 * collapsed, block elements to line breaks, <blockquote> to "> ", script/style/title/template
 * dropped with their content, links kept as "text <url>". It replaced a hand-written tag
 * stripper (issue 14 item 7); what changed for mail is in docs/mail.md ("HTML to text").
 *
 * Bounds, for a hostile sender: the parser sees at most MIME_HTML_MAX bytes (the rest of a
 * part that large is not read as text; real mail HTML is a few hundred KiB at most).
 * XML_PARSE_HUGE lifts libxml2's nesting cap of 256 elements, past which it stops parsing and
 * the rest of the mail would be lost; the input bound keeps the tree's size bounded instead,
 * and both the parser and the walk below are iterative, so depth costs no stack (10,000 and
 * 1,000,000 nested <div>s were measured under ASan). The input is already UTF-8 (mime.c
 * converted it with the part's charset), so libxml2 is told UTF-8 and told to ignore any
 * <meta charset> (HTML_PARSE_IGNORE_ENC): decoding twice would garble it.
 *
 * Threads: xmlInitParser runs in mime_html_init, called from mime_global_init before any
 * thread starts; each conversion has its own parser context and document. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "mail/mime.h"
#include "mail/mime_internal.h"
#include "util/buf.h"

/* The most HTML one part hands to the parser. */
#define MIME_HTML_MAX ((size_t)8 << 20)
/* Deeper <blockquote>s than this write no more "> " (a line of 32 is plenty to read). */
#define MIME_HTML_QUOTE_MAX 32

/* State of the HTML to text converter. */
struct mime_html {
	struct buf *out;
	int pre;        /* open <pre> elements: whitespace is kept while > 0 */
	int quote;      /* open <blockquote> elements */
	int space;      /* a collapsed space is pending */
	int nl;         /* line breaks pending (0..2) */
	int bol;        /* at the beginning of a line: the quote prefix is not written yet */
	char *href;     /* http(s) target of the open <a>, or NULL */
	size_t a_start; /* out->len when that <a> opened */
};

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
static lc_err mime_html_text(struct mime_html *, const char *, size_t);
static lc_err mime_html_open_a(struct mime_html *, xmlNode *);
static lc_err mime_html_element(struct mime_html *, xmlNode *, int);
static lc_err mime_html_walk(struct mime_html *, xmlDoc *);

void
mime_html_init(void)
{
	xmlInitParser();
}

/* mime_html_emit writes text s[0..n) through the whitespace rules: runs of whitespace
 * collapse to one space outside <pre>, pending line breaks are written before the next
 * visible character, and each line inside <blockquote> starts with "> ". */
static lc_err
mime_html_emit(struct mime_html *h, const char *s, size_t n)
{
	size_t i;
	int q;
	lc_err e;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (h->pre > 0 && c == '\n') {
			if ((e = buf_puts(h->out, "\n")) != LC_OK)
				return e;
			h->bol = 1;
			h->space = 0;
			continue;
		}
		if (h->pre == 0 && mime_is_wsp(c)) {
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
			for (q = 0; q < h->quote && q < MIME_HTML_QUOTE_MAX; q++)
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

/* mime_html_text emits the UTF-8 text of a text node (libxml2 decoded its references),
 * keeping the text's rules: NBSP, TAB, FF and VT are spaces, CR a line end, other controls
 * are dropped, and U+0080..U+009F (which &#150; and the like name in Windows-made HTML)
 * are read as windows-1252, as HTML 5 (13.2.5.80) says for references. */
static lc_err
mime_html_text(struct mime_html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0, k;
	unsigned char c, d;
	struct buf one;
	lc_err e;

	while (i < n) {
		c = (unsigned char)s[i];
		d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
		if (c >= 0x20 && c != 0x7F && !(c == 0xC2 && d >= 0x80 && d <= 0xA0)) {
			i++;
			continue;
		}
		if ((e = mime_html_emit(h, s + run, i - run)) != LC_OK)
			return e;
		k = 1;
		if (c == '\t' || c == '\f' || c == '\v') {
			e = mime_html_emit(h, " ", 1);
		} else if (c == '\r' || c == '\n') {
			e = mime_html_emit(h, "\n", 1);
		} else if (c == 0xC2) {
			k = 2;
			if (d == 0xA0) {
				e = mime_html_emit(h, " ", 1);
			} else {
				buf_init(&one, 8);
				if ((e = mime_put_cp(&one, mime_cp1252_hi[d - 0x80])) == LC_OK)
					e = mime_html_emit(h, one.data, one.len);
				buf_free(&one);
			}
		} else {
			e = LC_OK; /* other controls */
		}
		if (e != LC_OK)
			return e;
		i += k;
		run = i;
	}
	return mime_html_emit(h, s + run, n - run);
}

/* mime_html_open_a starts the link of an <a>: an http(s) href (whitespace removed, at most
 * MIME_LINK_LEN_MAX bytes) is written after its text when the <a> ends. */
static lc_err
mime_html_open_a(struct mime_html *h, xmlNode *n)
{
	xmlChar *v;
	struct buf href, clean;
	const char *p;
	size_t len;
	lc_err e = LC_OK;

	if ((e = mime_html_close_a(h)) != LC_OK)
		return e;
	if ((v = xmlGetProp(n, BAD_CAST "href")) == NULL)
		return LC_OK;
	/* count first: a huge attribute costs no copy, its link is just not kept */
	for (p = (const char *)v, len = 0; *p != '\0' && len <= MIME_LINK_LEN_MAX; p++)
		if (!mime_is_wsp(*p))
			len++;
	buf_init(&href, (size_t)MIME_LINK_LEN_MAX + 1);
	if (len > 0 && len <= MIME_LINK_LEN_MAX)
		for (p = (const char *)v; *p != '\0' && e == LC_OK; p++)
			if (!mime_is_wsp(*p))
				e = buf_append(&href, p, 1);
	xmlFree(v);
	if (e == LC_OK && href.len > 0 &&
	    (mime_has_prefix(href.data, href.len, "http://") ||
	        mime_has_prefix(href.data, href.len, "https://")) &&
	    mime_utf8_seq((const unsigned char *)href.data, href.len) != 0) {
		buf_init(&clean, MIME_WORK_MAX);
		if ((e = mime_clean(&clean, href.data, href.len, 1)) == LC_OK)
			e = mime_buf_take(&clean, &h->href);
		buf_free(&clean);
		h->a_start = h->out->len;
	}
	buf_free(&href);
	return e;
}

/* mime_html_element handles the start (closing == 0) or the end of element n. */
static lc_err
mime_html_element(struct mime_html *h, xmlNode *n, int closing)
{
	const char *name = (const char *)n->name;
	size_t nl = strlen(name);
	lc_err e = LC_OK;

	if (strcmp(name, "br") == 0) {
		if (!closing)
			mime_html_break(h, -1);
	} else if (strcmp(name, "a") == 0) {
		e = closing ? mime_html_close_a(h) : mime_html_open_a(h, n);
	} else if (strcmp(name, "pre") == 0) {
		mime_html_break(h, 2);
		h->pre += closing ? -1 : 1;
	} else if (strcmp(name, "blockquote") == 0) {
		mime_html_break(h, 1);
		h->quote += closing ? -1 : 1;
		h->bol = 1;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		h->space = 1;
	} else if (mime_in_list(name, nl, mime_html_block2)) {
		mime_html_break(h, 2);
	} else if (mime_in_list(name, nl, mime_html_block1)) {
		mime_html_break(h, 1);
	}
	if (h->nl > 0)
		h->bol = 1;
	return e;
}

/* mime_html_walk visits the tree in document order without recursion (depth is the
 * sender's to choose): text is emitted, elements are handled at their start and end, and
 * the content of mime_html_skip elements, comments and processing instructions is not
 * visited. */
static lc_err
mime_html_walk(struct mime_html *h, xmlDoc *doc)
{
	xmlNode *n = doc->children;
	lc_err e = LC_OK;
	int into;

	while (n != NULL && e == LC_OK) {
		into = 0;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				e = mime_html_text(
				    h, (const char *)n->content, strlen((const char *)n->content));
		} else if (n->type == XML_ELEMENT_NODE && n->name != NULL &&
		           !mime_in_list((const char *)n->name, strlen((const char *)n->name),
		               mime_html_skip)) {
			e = mime_html_element(h, n, 0);
			into = 1;
		}
		if (e != LC_OK)
			break;
		if (into && n->children != NULL) {
			n = n->children;
			continue;
		}
		if (into)
			e = mime_html_element(h, n, 1);
		/* up until a node has a next sibling, ending each element left */
		while (e == LC_OK && n->next == NULL) {
			n = n->parent;
			if (n == NULL || n == (xmlNode *)doc)
				return LC_OK;
			e = mime_html_element(h, n, 1);
		}
		n = n->next;
	}
	return e;
}

/* mime_html_convert appends the text of UTF-8 HTML s[0..n) to out. */
lc_err
mime_html_convert(const char *s, size_t n, struct buf *out)
{
	const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	                 HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE;
	struct mime_html h;
	size_t start;
	htmlDocPtr doc;
	lc_err e = LC_OK;

	memset(&h, 0, sizeof(h));
	h.out = out;
	h.bol = 1;
	/* the converter decides on spaces by looking at what it wrote: start on a clean line */
	if (out->len > 0 && (e = buf_puts(out, "\n")) != LC_OK)
		return e;
	start = out->len;
	h.a_start = start;
	if (n == 0)
		return LC_OK;
	if (n > MIME_HTML_MAX) {
		/* cut on a character boundary: s is valid UTF-8 */
		n = MIME_HTML_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	doc = htmlReadMemory(s, (int)n, NULL, "UTF-8", opts);
	if (doc == NULL)
		return LC_OK; /* nothing libxml2 could make a document of: no text */
	e = mime_html_walk(&h, doc);
	xmlFreeDoc(doc);
	if (e == LC_OK)
		e = mime_html_close_a(&h);
	if (e == LC_OK && out->len > start)
		e = buf_puts(out, "\n");
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
