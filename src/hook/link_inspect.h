/* link_inspect.h: what a fetched page says about a link to the campaign's target — the
 * matching <a> elements with their anchor text, rel tokens and the text around them, and
 * the page facts a verdict needs (meta robots, canonical, how many links it has, whether
 * it is a script-only shell or a bot challenge). libxml2's HTML parser, no network, the
 * tree walked without recursion. The verdict itself is core's (placement_verdict). */
#ifndef LC_LINK_INSPECT_H
#define LC_LINK_INSPECT_H

#include <stddef.h>

#define LINK_HITS_MAX 10       /* matching links kept as evidence */
#define LINK_ANCHOR_MAX 300    /* bytes of anchor text kept (UTF-8, cut on a character) */
#define LINK_CONTEXT_CHARS 100 /* characters of text kept on each side of a link */

enum { LINK_REL_NOFOLLOW = 1, LINK_REL_SPONSORED = 2, LINK_REL_UGC = 4 };

struct link_hit {
	char *href;    /* the resolved href (ASCII or UTF-8 as written) */
	char *anchor;  /* the link's text, whitespace collapsed ("" when none; an image's alt) */
	char *rel;     /* the rel tokens, lowercased, space-separated ("" when none) */
	char *context; /* about LINK_CONTEXT_CHARS characters either side, the anchor between */
	unsigned rel_bits; /* LINK_REL_* */
};

struct page_facts {
	struct link_hit hits[LINK_HITS_MAX];
	size_t nhits;      /* kept */
	size_t hits_total; /* matching <a> elements seen */
	size_t anchors;    /* <a href> elements seen */
	size_t scripts;    /* <script> elements */
	size_t text_bytes; /* visible text (outside script, style, noscript, template) */
	int meta_noindex;  /* <meta name="robots" or "googlebot"> says noindex or none */
	char *meta_robots; /* those metas' content, joined with ", " (NULL: none) */
	char *canonical;   /* the first <link rel="canonical"> resolved (NULL: none) */
	int challenge;     /* the page looks like a bot check (Cloudflare, captcha, ...) */
};

/* link_inspect parses html (len bytes, borrowed; any bytes) as the page at page_url in
 * charset (from Content-Type, or NULL: the page's own <meta charset>, else libxml2's
 * guess; an unknown name is ignored) and fills *out (free with page_facts_free) with the
 * <a href> elements that resolve to target (rules of link_url_same). Returns 0, or -1
 * when libxml2 made no document at all (out is then empty) or memory ran out. */
int link_inspect(const char *html, size_t len, const char *charset, const char *page_url,
    const char *target, struct page_facts *out);
/* page_facts_free frees what link_inspect stored in f and zeroes it. */
void page_facts_free(struct page_facts *f);

#endif
