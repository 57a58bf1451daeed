/* dispatch.h: the one dispatcher of every front. A request goes route → method → query →
 * auth, in that order, before any handler runs and before the database is touched for
 * anything but the key; then the handler runs directly, through the idempotency record
 * (a POST with Idempotency-Key) or through the response cache (http_route_cached).
 *
 * The table is one array of struct route for the JSON API, the HTML pages and /mcp. It is
 * defined by the program wiring (src/routes.c), not here: the fronts sit above src/http,
 * so src/http names no front and no front names another. See docs/architecture.md, "How
 * to add a route". */
#ifndef LC_HTTP_DISPATCH_H
#define LC_HTTP_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "http/http.h"
#include "http/query.h"
#include "http/router.h"

/* The context every handler receives (as its void * argument): the request, the thread's
 * core, the route that matched with its captures, the authenticated principal (zero on an
 * AUTH_NONE route) and the parsed query. All borrowed or owned by the dispatcher. */
struct http_ctx {
	struct http_request *req;
	struct core *core;
	struct route_match match;
	struct principal who;
	struct query query;
	/* A cacheable handler sets this when it answers 200: until when the answer stays
	 * right if the data does not change (INT64_MAX: until it does). */
	int64_t fresh_until_ms;
};

/* ---- the table (defined in src/routes.c) ---- */
extern const struct route http_routes[];
extern const size_t http_nroutes;
/* http_route_cached says whether r's answers go through the response cache. */
int http_route_cached(const struct route *r);

/* ---- dispatch.c ---- */
/* http_dispatch answers req completely using core (both borrowed): 404/405 for a route
 * the table lacks, 400 for a malformed query, 401/403/404 for a key that may not use the
 * route, then the handler; a handler that answered nothing is a 500. */
void http_dispatch(struct core *core, struct http_request *req);

/* http_invoke answers req, a request made inside the process (http_request_init_local),
 * for the principal who (both borrowed) without authenticating it again: the same query
 * checks, idempotency record, response cache and handler as http_dispatch. Only workspace
 * routes are reachable (else 404). The answer is always in req. The MCP front runs its
 * tools this way. */
void http_invoke(struct core *core, const struct principal *who, struct http_request *req);

/* http_authenticate resolves req's bearer key (and X-Workspace-Id for an agency key) to a
 * workspace principal in who, exactly as every workspace route does. On failure it has
 * answered req (401, 403, 404 or 503 problem) and returns -1. */
int http_authenticate(struct core *core, struct http_request *req, struct principal *who);

/* http_fail answers the problem for a core error; not_found_code names the 404 code. */
void http_fail(struct http_ctx *ctx, lc_err e, const char *not_found_code);

/* http_bad_param answers 400 invalid_parameter for param with detail. */
void http_bad_param(struct http_ctx *ctx, const char *param, const char *detail);

/* ---- idempotent.c ---- */
/* http_run_idempotent runs the handler of an authenticated POST that carries
 * Idempotency-Key: the first answer (status and body) is stored and replayed byte for
 * byte; the same key with another request is 422; while the first still runs, 409. Always
 * answers. */
void http_run_idempotent(struct http_ctx *ctx);

/* ---- cache.c ---- */
/* http_cache_init makes the process's response cache of max_bytes (0: none). Call once
 * before the threads start; LC_ENOMEM when it cannot be made. */
lc_err http_cache_init(size_t max_bytes);
/* http_cache_write_metrics appends the response cache's counters to out in the Prometheus
 * text format (docs/metrics.md): lookups by result, bytes and entries held. Nothing when
 * the cache is off. LC_ENOMEM when out is full. Thread-safe (rcache's counters). */
struct buf;
lc_err http_cache_write_metrics(struct buf *out);
/* http_cache_free logs the cache's counters and frees it, after the threads ended. */
void http_cache_free(void);
/* http_run_cached answers an authenticated request of a cacheable route from the cache
 * or by running its handler (keeping a 200 that the handler marked fresh). */
void http_run_cached(struct http_ctx *ctx);

/* ---- json_body.c ---- */
/* http_body_is_json says whether a body of content_type (may be NULL) is read as JSON:
 * application/json, or application/x-www-form-urlencoded (what `curl -d` sends) holding a
 * JSON object — first non-blank byte '{' and it parses. For bearer-key routes only: a
 * cross-site form cannot carry the key. */
int http_body_is_json(const char *content_type, const char *body, size_t len);

#endif
