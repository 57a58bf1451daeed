/* hook_http.h: the worker's HTTP client (libcurl; linked into linkcamp-worker only — the
 * FastCGI processes never make outbound calls): the webhook sender's POST and the
 * placement checker's GET. One request, no redirects,
 * https only (http too when allowed), certificates checked against the system's CAs or
 * the operator's ca_file, and unless allowed no connection to a private address (checked on
 * the resolved address each socket is opened for, so DNS rebinding cannot bypass it). */
#ifndef LC_HOOK_HTTP_H
#define LC_HOOK_HTTP_H

#include <stddef.h>
#include "util/err.h"

#define HOOK_EXCERPT_MAX 200 /* bytes of the response body kept (buffer size incl. NUL) */
#define HOOK_ERROR_MAX 256

struct hook_request {
	const char *url, *body;
	size_t body_len;
	const char *webhook_id, *timestamp, *signature; /* header values */
	long connect_timeout_ms, timeout_ms;
	int allow_private;
	int https_only;      /* refuse http:// ([webhooks] allow_http = no) */
	const char *ca_file; /* PEM CAs to trust instead of the system's; NULL: the system's */
};

struct hook_response {
	long status;                    /* HTTP status; 0 when none was received */
	char excerpt[HOOK_EXCERPT_MAX]; /* start of the body, printable ASCII, may be cut */
	char error[HOOK_ERROR_MAX];     /* why no status arrived (empty when one did); UTF-8 */
	int refused;                    /* the SSRF guard refused the address */
	long duration_ms;
};

/* hook_global_init initialises libcurl once, before threads start; LC_EINVAL if it fails. */
lc_err hook_global_init(void);
/* hook_global_cleanup undoes hook_global_init after the threads that post ended. */
void hook_global_cleanup(void);

/* hook_post sends req (borrowed) and fills *res. Returns LC_OK when the attempt ran (any
 * status or a transport error is in res), LC_ENOMEM when it could not start. Each thread
 * keeps one libcurl handle for its POSTs, so a receiver's connection is reused by the
 * thread's next delivery; the handle is freed when the thread ends (or, for the thread
 * that calls it, by hook_global_cleanup). */
lc_err hook_post(const struct hook_request *req, struct hook_response *res);

/* A page fetch (the placement checker). */
struct hook_get_request {
	const char *url;
	long connect_timeout_ms, timeout_ms;
	size_t max_bytes; /* body bytes kept; the transfer stops there (truncated = 1) */
	int allow_private;
	int https_only;         /* refuse http:// ([webhooks] allow_http = no) */
	const char *ca_file;    /* PEM CAs to trust instead of the system's; NULL: the system's */
	const char *user_agent; /* NULL: linkcamp-placement-check/1.0 */
};

#define HOOK_HEADER_MAX 300 /* bytes kept of a header's value (buffer size incl. NUL) */
#define HOOK_URL_MAX 2048   /* bytes kept of a redirect's Location (buffer size incl. NUL) */

struct hook_page {
	long status; /* HTTP status; 0 when none was received */
	/* the headers a placement verdict reads, as printable ASCII, cut to the buffer; a
	 * repeated X-Robots-Tag joined with ", " */
	char content_type[HOOK_HEADER_MAX], x_robots_tag[HOOK_HEADER_MAX];
	char last_modified[HOOK_HEADER_MAX];
	char location[HOOK_URL_MAX]; /* a 3xx's Location resolved against the URL; "" if none
	                                or too long */
	char *body; /* malloc'd, NUL-terminated (len bytes before it); NULL when empty */
	size_t len;
	int truncated;              /* the body was longer than max_bytes: only the start is kept */
	int refused;                /* the SSRF guard refused the address */
	char error[HOOK_ERROR_MAX]; /* why no status arrived (empty when one did) */
};

/* hook_get GETs req->url (borrowed) with the same guard as hook_post (http/https only, no
 * redirects: a 3xx is answered as is, no proxy, private addresses refused unless allowed)
 * and fills *page; free it with hook_page_free. Returns LC_OK when the attempt ran,
 * LC_ENOMEM when it could not start. */
lc_err hook_get(const struct hook_get_request *req, struct hook_page *page);
/* hook_page_free frees the body of page and clears it. */
void hook_page_free(struct hook_page *page);

#endif
