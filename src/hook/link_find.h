/* link_find.h: does an HTML page link to a URL? The placement checker's parser (libxml2's
 * HTML parser, linked into linkcamp-worker and its unit test only). Matching rules are in
 * docs/placements.md: scheme http and https are the same, host case-insensitive (a final
 * dot dropped), default ports implied, an empty path is "/", a trailing slash ignored,
 * the fragment ignored; the query must be equal when the target has one, and anything is
 * accepted when it has none (tracking parameters). */
#ifndef LC_LINK_FIND_H
#define LC_LINK_FIND_H

#include <stddef.h>
#include <libxml/xmlstring.h>

/* link_find_init initialises libxml2 once, before threads start. */
void link_find_init(void);
/* link_find_cleanup undoes link_find_init after the threads ended. */
void link_find_cleanup(void);

/* link_url_same is 1 when the absolute URLs link and target (borrowed) name the same page
 * under the rules above, 0 when not or when either is not an absolute http(s) URL. */
int link_url_same(const char *link, const char *target);

/* link_resolve makes href (borrowed; trimmed of surrounding HTML whitespace) absolute
 * against base (RFC 3986, xmlBuildURI): a new string (xmlFree), or NULL when it cannot. */
xmlChar *link_resolve(const xmlChar *href, const char *base);

/* link_find parses html (len bytes, borrowed; any bytes at all) as the page at page_url
 * and looks for an <a href> that resolves (against <base href> when the page has one, else
 * page_url) to target. Returns 1 when found, 0 when not, -1 when libxml2 made no document
 * of the page at all (out of memory, or bytes it cannot decode: a page starting "<\0\0\0"
 * reads as UTF-32 and fails). Never recurses on the document's depth. */
int link_find(const char *html, size_t len, const char *page_url, const char *target);

#endif
