/* hook_http.h: the webhook sender's HTTP client (libcurl; linked into linkcamp-worker
 * only — the FastCGI processes never make outbound calls). One POST, no redirects,
 * http/https only, and unless allowed no connection to a private address (checked on
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
};

struct hook_response {
	long status;                    /* HTTP status; 0 when none was received */
	char excerpt[HOOK_EXCERPT_MAX]; /* start of the body, NUL-terminated, may be cut */
	char error[HOOK_ERROR_MAX];     /* why no status arrived (empty when one did) */
	int refused;                    /* the SSRF guard refused the address */
	long duration_ms;
};

/* hook_global_init initialises libcurl once, before threads start; LC_EINVAL if it fails. */
lc_err hook_global_init(void);
/* hook_global_cleanup undoes hook_global_init after the threads ended. */
void hook_global_cleanup(void);

/* hook_post sends req (borrowed) and fills *res. Returns LC_OK when the attempt ran (any
 * status or a transport error is in res), LC_ENOMEM when it could not start. */
lc_err hook_post(const struct hook_request *req, struct hook_response *res);

#endif
