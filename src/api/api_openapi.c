/* api_openapi.c: GET /v1/openapi.json and GET /docs/api, the API reference embedded at
 * make time (openapi_doc.h, docs/openapi.md). Both are public and the same for everyone,
 * and change only with the program, so each carries a strong ETag and may be cached; a
 * revalidation that names the current tag is answered 304 without the body. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/openapi_doc.h"

/* Five minutes: an upgrade shows within that, and a client that kept the ETag revalidates
 * for a few bytes. */
#define REFERENCE_CACHE "Cache-Control: public, max-age=300\r\n"

static int etag_listed(const char *if_none_match, const char *etag);
static void send_reference(struct http_ctx *, const char *type, const char *body, size_t len,
    const char *etag, const char *more_headers);

/* etag_listed says whether an If-None-Match value (a comma list of entity tags, or "*")
 * names etag, comparing weakly as RFC 9110 section 13.1.2 asks of If-None-Match: a W/
 * prefix is ignored. A malformed value names nothing, so the full answer is sent. */
static int
etag_listed(const char *if_none_match, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = if_none_match, *close, *next;

	if (p == NULL)
		return 0;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"' || (close = strchr(p + 1, '"')) == NULL)
			return 0;
		/* a tag is followed by the end, or by blanks and a comma before the next */
		next = close + 1 + strspn(close + 1, " \t");
		if (*next != '\0' && *next != ',')
			return 0;
		if ((size_t)(close + 1 - p) == n && memcmp(p, etag, n) == 0)
			return 1;
		p = next;
	}
}

/* send_reference answers 200 with body, or 304 when the request's If-None-Match names
 * etag; more_headers (CRLF lines, may be NULL) go with either. */
static void
send_reference(struct http_ctx *ctx, const char *type, const char *body, size_t len,
    const char *etag, const char *more_headers)
{
	char headers[1024];
	int n;

	n = snprintf(headers, sizeof(headers), "ETag: %s\r\n" REFERENCE_CACHE "%s", etag,
	    more_headers ? more_headers : "");
	if (n < 0 || (size_t)n >= sizeof(headers)) {
		api_fail(ctx, LC_ENOMEM, NULL);
		return;
	}
	if (etag_listed(ctx->req->if_none_match, etag))
		http_send(ctx->req, 304, type, headers, "", 0);
	else
		http_send(ctx->req, 200, type, headers, body, len);
}

void
api_openapi_get(void *arg)
{
	struct http_ctx *ctx = arg;

	if (api_no_params(ctx) != 0)
		return;
	send_reference(ctx, "application/json", openapi_json, openapi_json_len, openapi_json_etag,
	    "Access-Control-Allow-Origin: *\r\n");
}

void
api_docs_page(void *arg)
{
	struct http_ctx *ctx = arg;
	char headers[512];
	int n;

	/* the page's one <style> is allowed by its hash; nothing else may load or run */
	n = snprintf(headers, sizeof(headers),
	    "Content-Security-Policy: default-src 'none'; style-src '%s'; form-action 'none'; "
	    "frame-ancestors 'none'; base-uri 'none'\r\n"
	    "X-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n",
	    openapi_html_style_hash);
	if (n < 0 || (size_t)n >= sizeof(headers)) {
		api_fail(ctx, LC_ENOMEM, NULL);
		return;
	}
	send_reference(ctx, "text/html; charset=utf-8", openapi_html, openapi_html_len,
	    openapi_html_etag, headers);
}
