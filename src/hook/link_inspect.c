/* link_inspect.c: one walk over a page's tree collecting the evidence of a placement check
 * (link_inspect.h). Everything read from the page is hostile: sizes are capped, strings
 * are made valid UTF-8, the tree is walked without recursion. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "hook/link_find.h"
#include "hook/link_inspect.h"
#include "util/utf8.h"

#define LINK_MAX_ANCHORS 100000 /* <a> elements looked at per page */
#define BLOCK_TEXT_MAX 65536    /* bytes of a block's text read for a link's context */
#define META_ROBOTS_MAX 200

struct walk {
	struct page_facts *f;
	const char *target, *page_url;
	xmlChar *base;
	size_t meta_len;
	int failed; /* out of memory */
};

static int name_is(const xmlNode *, const char *);
static xmlAttr *find_attr(const xmlNode *, const char *);
static xmlChar *attr(const xmlNode *, const char *);
static char *collapse(const char *, size_t);
static int has_token(const char *, const char *);
static void on_anchor(struct walk *, xmlNode *);
static void on_meta(struct walk *, const xmlNode *);
static void on_link(struct walk *, const xmlNode *);
static char *context_of(xmlNode *, const char *);
static int looks_like_challenge(const char *, size_t, const xmlChar *);
static xmlNode *next_node(xmlNode *);

static int
name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name != NULL &&
	       strcasecmp((const char *)n->name, name) == 0;
}

/* find_attr is n's first attribute called name (ASCII case-insensitive), or NULL. */
static xmlAttr *
find_attr(const xmlNode *n, const char *name)
{
	xmlAttr *a;

	for (a = n->properties; a; a = a->next)
		if (a->name != NULL && strcasecmp((const char *)a->name, name) == 0)
			return a;
	return NULL;
}

/* attr is the value of n's first attribute called name (xmlFree), or NULL. */
static xmlChar *
attr(const xmlNode *n, const char *name)
{
	xmlAttr *a = find_attr(n, name);

	return a ? xmlNodeGetContent((xmlNodePtr)a) : NULL;
}

/* collapse copies s (at most max bytes of it) with runs of whitespace made one space and
 * none at either end, as valid printable UTF-8; malloc'd or NULL. */
static char *
collapse(const char *s, size_t max)
{
	size_t len = strlen(s), i, o = 0;
	char *out;
	int space = 0;

	if (len > max)
		len = max;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	out[utf8_prefix(out, o)] = '\0'; /* a cut character at the end goes */
	utf8_sanitize(out);
	return out;
}

/* has_token is 1 when the comma- or space-separated list s holds tok (ASCII
 * case-insensitive). */
static int
has_token(const char *s, const char *tok)
{
	size_t tl = strlen(tok);

	while (*s) {
		size_t n;
		s += strspn(s, " \t\r\n\f,");
		n = strcspn(s, " \t\r\n\f,");
		if (n == tl && strncasecmp(s, tok, tl) == 0)
			return 1;
		s += n;
	}
	return 0;
}

/* context_of is the text of the block around a (its nearest ancestor that is not inline),
 * collapsed, cut to LINK_CONTEXT_CHARS characters either side of the anchor text;
 * malloc'd, or NULL when out of memory. */
static char *
context_of(xmlNode *a, const char *anchor)
{
	static const char *const inline_names[] = {"a", "span", "b", "strong", "i", "em", "u",
	    "small", "mark", "code", "font", "abbr", "cite", "q", "sub", "sup", "label", NULL};
	xmlNode *b = a->parent;
	xmlChar *raw;
	char *text, *out;
	const char *at, *start, *end;
	size_t i, n;

	while (b != NULL && b->type == XML_ELEMENT_NODE && b->parent != NULL &&
	       b->parent->type == XML_ELEMENT_NODE) {
		int is_inline = 0;
		for (i = 0; inline_names[i]; i++)
			if (name_is(b, inline_names[i]))
				is_inline = 1;
		if (!is_inline)
			break;
		b = b->parent;
	}
	if (b == NULL || (raw = xmlNodeGetContent(b)) == NULL)
		return strdup(anchor);
	text = collapse((const char *)raw, BLOCK_TEXT_MAX);
	xmlFree(raw);
	if (text == NULL)
		return NULL;
	at = anchor[0] ? strstr(text, anchor) : NULL;
	end = at ? at + strlen(anchor) : text;
	if (at == NULL)
		at = text;
	/* back LINK_CONTEXT_CHARS characters (UTF-8 continuation bytes are 10xxxxxx) */
	for (start = at, n = 0; start > text && n < LINK_CONTEXT_CHARS; n++)
		do
			start--;
		while (start > text && ((unsigned char)*start & 0xc0) == 0x80);
	for (n = 0; *end && n < LINK_CONTEXT_CHARS; n++)
		do
			end++;
		while (*end && ((unsigned char)*end & 0xc0) == 0x80);
	out = strndup(start, (size_t)(end - start));
	free(text);
	return out;
}

static void
on_anchor(struct walk *w, xmlNode *n)
{
	struct page_facts *f = w->f;
	struct link_hit *h;
	xmlChar *href, *abs, *rel, *text;
	xmlNode *c;

	if ((href = attr(n, "href")) == NULL)
		return;
	if (f->anchors++ >= LINK_MAX_ANCHORS) {
		xmlFree(href);
		return;
	}
	abs = link_resolve(href, w->base ? (const char *)w->base : w->page_url);
	xmlFree(href);
	if (abs == NULL || !link_url_same((const char *)abs, w->target)) {
		xmlFree(abs);
		return;
	}
	if (f->hits_total++ >= LINK_HITS_MAX) {
		xmlFree(abs);
		return;
	}
	h = &f->hits[f->nhits];
	memset(h, 0, sizeof(*h));
	h->href = collapse((const char *)abs, 2000);
	xmlFree(abs);
	rel = attr(n, "rel");
	h->rel = collapse(rel ? (const char *)rel : "", 200);
	xmlFree(rel);
	if (h->rel != NULL) {
		char *p;
		for (p = h->rel; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		h->rel_bits = (has_token(h->rel, "nofollow") ? LINK_REL_NOFOLLOW : 0) |
		              (has_token(h->rel, "sponsored") ? LINK_REL_SPONSORED : 0) |
		              (has_token(h->rel, "ugc") ? LINK_REL_UGC : 0);
	}
	text = xmlNodeGetContent(n);
	h->anchor = collapse(text ? (const char *)text : "", LINK_ANCHOR_MAX);
	xmlFree(text);
	/* an image link's text is its alt */
	if (h->anchor != NULL && h->anchor[0] == '\0') {
		for (c = n->children; c != NULL; c = c->next)
			if (name_is(c, "img") && (text = attr(c, "alt")) != NULL) {
				free(h->anchor);
				h->anchor = collapse((const char *)text, LINK_ANCHOR_MAX);
				xmlFree(text);
				break;
			}
	}
	h->context = h->anchor ? context_of(n, h->anchor) : NULL;
	f->nhits++;
	if (!h->href || !h->rel || !h->anchor || !h->context)
		w->failed = 1;
}

static void
on_meta(struct walk *w, const xmlNode *n)
{
	xmlChar *name = attr(n, "name"), *content = NULL;
	char *grown;
	size_t cl;

	if (name == NULL || (strcasecmp((const char *)name, "robots") != 0 &&
	                        strcasecmp((const char *)name, "googlebot") != 0))
		goto out;
	if ((content = attr(n, "content")) == NULL)
		goto out;
	if (has_token((const char *)content, "noindex") || has_token((const char *)content, "none"))
		w->f->meta_noindex = 1;
	cl = strlen((const char *)content);
	if (w->meta_len + cl + 3 > META_ROBOTS_MAX)
		goto out;
	if ((grown = realloc(w->f->meta_robots, w->meta_len + cl + 3)) == NULL) {
		w->failed = 1;
		goto out;
	}
	w->f->meta_robots = grown;
	if (w->meta_len > 0) {
		memcpy(grown + w->meta_len, ", ", 2);
		w->meta_len += 2;
	}
	memcpy(grown + w->meta_len, content, cl + 1);
	w->meta_len += cl;
	utf8_sanitize(grown);
out:
	xmlFree(name);
	xmlFree(content);
}

static void
on_link(struct walk *w, const xmlNode *n)
{
	xmlChar *rel, *href, *abs;

	if (w->f->canonical != NULL || (rel = attr(n, "rel")) == NULL)
		return;
	if (has_token((const char *)rel, "canonical") && (href = attr(n, "href")) != NULL) {
		abs = link_resolve(href, w->base ? (const char *)w->base : w->page_url);
		xmlFree(href);
		if (abs != NULL) {
			if ((w->f->canonical = collapse((const char *)abs, 2000)) == NULL)
				w->failed = 1;
			xmlFree(abs);
		}
	}
	xmlFree(rel);
}

/* looks_like_challenge: the marks of the bot checks of Cloudflare, Akamai, Imperva,
 * DataDome, PerimeterX, Sucuri and DDoS-Guard, and of captcha walls, in the raw page or
 * its title. Only asked when the link was not found. */
static int
looks_like_challenge(const char *html, size_t len, const xmlChar *title)
{
	static const char *const marks[] = {"/cdn-cgi/challenge-platform/", "cf_chl_opt", "cf-chl-",
	    "_Incapsula_Resource", "captcha-delivery.com", "px-captcha", "sucuri_cloudproxy",
	    "ddos-guard", "g-recaptcha", "h-captcha", "cf-turnstile", NULL};
	static const char *const titles[] = {"just a moment", "attention required",
	    "checking your browser", "access denied", "are you a robot", "security check",
	    "ddos-guard", "please wait", NULL};
	size_t i, scan = len < 262144 ? len : 262144;

	for (i = 0; marks[i]; i++)
		if (memmem(html, scan, marks[i], strlen(marks[i])) != NULL)
			return 1;
	for (i = 0; title && titles[i]; i++)
		if (strcasestr((const char *)title, titles[i]) != NULL)
			return 1;
	return 0;
}

/* next_node is the node after n in document order (children first), or NULL. */
static xmlNode *
next_node(xmlNode *n)
{
	if (n->children != NULL && n->type == XML_ELEMENT_NODE)
		return n->children;
	while (n != NULL && n->next == NULL)
		n = n->parent == NULL || n->parent->type == XML_DOCUMENT_NODE ||
		            n->parent->type == XML_HTML_DOCUMENT_NODE
		        ? NULL
		        : n->parent;
	return n ? n->next : NULL;
}

int
link_inspect(const char *html, size_t len, const char *charset, const char *page_url,
    const char *target, struct page_facts *out)
{
	const int opts =
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
	struct walk w;
	htmlDocPtr doc = NULL;
	xmlNode *n, *root;
	xmlChar *title = NULL;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.f = out;
	w.target = target;
	w.page_url = page_url;
	if (len > INT_MAX)
		len = INT_MAX;
	if (len == 0) {
		html = " ";
		len = 1;
	}
	if (charset != NULL && charset[0] != '\0')
		doc = htmlReadMemory(html, (int)len, page_url, charset, opts);
	if (doc == NULL) /* no charset, or one libxml2 does not know */
		doc = htmlReadMemory(html, (int)len, page_url, NULL, opts);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		xmlFreeDoc(doc);
		return doc == NULL ? -1 : 0;
	}
	/* the first <base href> first: it applies to links before it too */
	for (n = root; n != NULL && w.base == NULL; n = next_node(n))
		if (name_is(n, "base")) {
			xmlChar *v = attr(n, "href");
			if (v != NULL) {
				w.base = link_resolve(v, page_url);
				xmlFree(v);
			}
		}
	for (n = root; n != NULL && !w.failed; n = next_node(n)) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			const xmlNode *p = n->parent;
			if (n->content && p && !name_is(p, "script") && !name_is(p, "style") &&
			    !name_is(p, "noscript") && !name_is(p, "template")) {
				const char *s = (const char *)n->content;
				for (; *s; s++)
					if (!isspace((unsigned char)*s))
						out->text_bytes++;
			}
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || n->name == NULL)
			continue;
		if (name_is(n, "a"))
			on_anchor(&w, n);
		else if (name_is(n, "meta"))
			on_meta(&w, n);
		else if (name_is(n, "link"))
			on_link(&w, n);
		else if (name_is(n, "script"))
			out->scripts++;
		else if (name_is(n, "title") && title == NULL)
			title = xmlNodeGetContent(n);
	}
	if (out->hits_total == 0)
		out->challenge = looks_like_challenge(html, len, title);
	xmlFree(title);
	xmlFree(w.base);
	xmlFreeDoc(doc);
	if (w.failed) {
		page_facts_free(out);
		return -1;
	}
	return 0;
}

void
page_facts_free(struct page_facts *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nhits; i++) {
		free(f->hits[i].href);
		free(f->hits[i].anchor);
		free(f->hits[i].rel);
		free(f->hits[i].context);
	}
	free(f->meta_robots);
	free(f->canonical);
	memset(f, 0, sizeof(*f));
}
