/* link_find.c: the HTML link finder and URL comparison behind placement checks. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "hook/link_find.h"
#include "hook/link_inspect.h"

struct url_parts {
	xmlURIPtr uri;
	int https;
	int port;
	const char *host;
	size_t hostlen;
	const char *path;
	size_t pathlen;
};

static int parse_parts(const char *, struct url_parts *);
static void quiet(void *, const char *, ...);

/* quiet drops libxml2's generic error messages (hostile pages make many). */
static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void
link_find_init(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
}

void
link_find_cleanup(void)
{
	xmlCleanupParser();
}

/* parse_parts splits an absolute http(s) URL; 0 on success (free p->uri), -1 otherwise. */
static int
parse_parts(const char *s, struct url_parts *p)
{
	memset(p, 0, sizeof(*p));
	if (s == NULL || (p->uri = xmlParseURI(s)) == NULL)
		return -1;
	if (p->uri->scheme == NULL || p->uri->server == NULL || p->uri->server[0] == '\0' ||
	    (strcasecmp(p->uri->scheme, "https") != 0 && strcasecmp(p->uri->scheme, "http") != 0)) {
		xmlFreeURI(p->uri);
		p->uri = NULL;
		return -1;
	}
	p->https = strcasecmp(p->uri->scheme, "https") == 0;
	p->port = p->uri->port;
	if (p->port <= 0 || (p->https && p->port == 443) || (!p->https && p->port == 80))
		p->port = 0;
	p->host = p->uri->server;
	p->hostlen = strlen(p->host);
	if (p->hostlen > 1 && p->host[p->hostlen - 1] == '.')
		p->hostlen--;
	p->path = p->uri->path ? p->uri->path : "/";
	p->pathlen = strlen(p->path);
	while (p->pathlen > 1 && p->path[p->pathlen - 1] == '/')
		p->pathlen--;
	if (p->pathlen == 0) {
		p->path = "/";
		p->pathlen = 1;
	}
	return 0;
}

int
link_url_same(const char *link, const char *target)
{
	struct url_parts a, b;
	const char *qa, *qb;
	int same;

	if (parse_parts(link, &a) != 0)
		return 0;
	if (parse_parts(target, &b) != 0) {
		xmlFreeURI(a.uri);
		return 0;
	}
	qa = a.uri->query_raw;
	qb = b.uri->query_raw;
	same = a.port == b.port && a.hostlen == b.hostlen &&
	       strncasecmp(a.host, b.host, a.hostlen) == 0 && a.pathlen == b.pathlen &&
	       memcmp(a.path, b.path, a.pathlen) == 0 &&
	       (qb == NULL || qb[0] == '\0' || (qa != NULL && strcmp(qa, qb) == 0));
	xmlFreeURI(a.uri);
	xmlFreeURI(b.uri);
	return same;
}

/* link_resolve (link_find.h): href trimmed of surrounding HTML whitespace, made absolute against
 * base; a new string (xmlFree) or NULL. */
xmlChar *
link_resolve(const xmlChar *href, const char *base)
{
	const char *s = (const char *)href;
	size_t len;
	char *t;
	xmlChar *out;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
	                      s[len - 1] == '\r' || s[len - 1] == '\f'))
		len--;
	if ((t = strndup(s, len)) == NULL)
		return NULL;
	out = xmlBuildURI((const xmlChar *)t, (const xmlChar *)base);
	free(t);
	return out;
}

int
link_find(const char *html, size_t len, const char *page_url, const char *target)
{
	struct page_facts f;
	int found;

	if (link_inspect(html, len, NULL, page_url, target, &f) != 0)
		return -1;
	found = f.hits_total > 0;
	page_facts_free(&f);
	return found;
}
