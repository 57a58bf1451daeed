/* api.h: the JSON API front. api_dispatch answers one request: route, query, auth,
 * handler, with every failure mapped to problem+json. */
#ifndef LC_API_H
#define LC_API_H

#include <jansson.h>

#include "core/core.h"
#include "http/http.h"
#include "http/query.h"
#include "http/router.h"

struct api_ctx {
	struct http_request *req;
	struct core *core;
	struct route_match match;
	struct principal who;
	struct query query;
};

/* api_dispatch handles req completely using core (both borrowed). */
void api_dispatch(struct core *core, struct http_request *req);

/* api_only_params answers 400 and returns -1 when the query has a key outside the
 * NULL-terminated list allowed. */
int api_only_params(struct api_ctx *ctx, const char *const *allowed);

/* api_fail answers the problem for a core error; not_found_code names the 404 code. */
void api_fail(struct api_ctx *ctx, lc_err e, const char *not_found_code);

/* api_bad_param answers 400 invalid_parameter for param with detail. */
void api_bad_param(struct api_ctx *ctx, const char *param, const char *detail);

/* api_parse_limit_cursor reads limit (1..200, default 50) and cursor; -1 after answering. */
int api_parse_limit_cursor(struct api_ctx *ctx, unsigned *limit, int *has_cursor,
    int64_t *cursor_ms, int64_t *cursor_id);

/* api_time_or_null returns an RFC 3339 string for ms, or JSON null when ms < 0. New ref. */
json_t *api_time_or_null(int64_t ms);
/* api_str_or_null returns a JSON string (or null for NULL). New reference. */
json_t *api_str_or_null(const char *s);

/* Handlers (api_campaigns.c, api_crm.c, api_health.c). ctx is a struct api_ctx. */
void api_campaign_list(void *ctx);
void api_campaign_get(void *ctx);
void api_campaign_metrics(void *ctx);
void api_crm_relationship_list(void *ctx);
void api_crm_relationship_get(void *ctx);
void api_healthz(void *ctx);
void api_readyz(void *ctx);

#endif
