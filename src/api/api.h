/* api.h: the JSON API front. api_dispatch answers one request: route, query, auth,
 * handler, with every failure mapped to problem+json. */
#ifndef LC_API_H
#define LC_API_H

#include <jansson.h>

#include "core/core.h"
#include "core/sending.h"
#include "http/http.h"
#include "http/query.h"
#include "http/router.h"

struct api_ctx {
	struct http_request *req;
	struct core *core;
	struct route_match match;
	struct principal who;
	struct query query;
	/* A cacheable handler (api_cache.c) sets this when it answers 200: until when the
	 * answer stays right if the data does not change (INT64_MAX: until it does). */
	int64_t fresh_until_ms;
};

/* api_dispatch handles req completely using core (both borrowed). */
void api_dispatch(struct core *core, struct http_request *req);

/* api_authenticate resolves req's bearer key (and X-Workspace-Id for an agency key) to a
 * workspace principal in who, exactly as every workspace route does. On failure it has
 * answered req (401, 403, 404 or 503 problem) and returns -1. */
int api_authenticate(struct core *core, struct http_request *req, struct principal *who);

/* api_invoke answers req, a request made inside the process (http_request_init_local),
 * for the principal who (both borrowed) without authenticating it again: routing, query
 * checks, the idempotency record (req->idempotency_key), the response cache and the
 * handler, as api_dispatch would. Only workspace routes are reachable (else 404). The
 * answer is always in req. This is how the MCP front runs its tools. */
void api_invoke(struct core *core, const struct principal *who, struct http_request *req);

/* ---- api_cache.c ---- */
/* api_cache_init makes the process's response cache of max_bytes (0: none). Call once
 * before the threads start; LC_ENOMEM when it cannot be made. */
lc_err api_cache_init(size_t max_bytes);
/* api_cache_free logs the cache's counters and frees it, after the threads ended. */
void api_cache_free(void);
/* api_cacheable says whether r's answers go through the response cache. */
int api_cacheable(const struct route *r);
/* api_run_cached answers an authenticated request of a cacheable route from the cache
 * or by running its handler (keeping a 200 that the handler marked fresh). */
void api_run_cached(struct api_ctx *ctx);

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

/* ---- api_body.c ---- */
/* api_fail_core answers the problem a core call described in fail (or, without a code,
 * the generic mapping of e). */
void api_fail_core(struct api_ctx *ctx, lc_err e, const struct core_fail *fail);
/* api_body_is_json says whether a body of content_type (may be NULL) is read as JSON:
 * application/json, or application/x-www-form-urlencoded (what `curl -d` sends) holding a
 * JSON object — first non-blank byte '{' and it parses. For bearer-key routes only. */
int api_body_is_json(const char *content_type, const char *body, size_t len);
/* api_read_json reads the body and parses it as a JSON object (new reference); NULL after
 * answering 413/415/400. An empty body is {} when allow_empty. The body must be JSON by
 * api_body_is_json, else 415. */
json_t *api_read_json(struct api_ctx *ctx, int allow_empty);
/* api_only_keys answers 422 validation_failed naming the first key of obj outside allowed
 * (param is prefix.key) and returns -1. */
int api_only_keys(struct api_ctx *ctx, json_t *obj, const char *const *allowed,
    const char *prefix);
/* api_get_str borrows a string member (NULL when absent/null and optional); -1 after
 * answering 422 when it is required and missing, or not a string. */
int api_get_str(struct api_ctx *ctx, json_t *obj, const char *key, int required,
    const char **out, const char *param);
/* api_get_int reads an integer member in lo..hi: 1 when present, 0 when absent and
 * optional, -1 after answering 422. */
int api_get_int(struct api_ctx *ctx, json_t *obj, const char *key, int required, long long lo,
    long long hi, long long *out, const char *param);
/* api_requester names who acted (the key's workspace or account) for the records. */
void api_requester(const struct api_ctx *ctx, char *out, size_t len);
/* api_campaign_json renders a campaign's detail view (new reference). */
json_t *api_campaign_json(const struct campaign *c);

/* Handlers (api_campaigns.c, api_crm.c, api_health.c). ctx is a struct api_ctx. */
void api_campaign_list(void *ctx);
void api_campaign_get(void *ctx);
void api_campaign_metrics(void *ctx);
void api_crm_relationship_list(void *ctx);
void api_crm_relationship_get(void *ctx);
void api_placement_create(void *ctx); /* api_placements.c */
void api_placement_list(void *ctx);
void api_placement_update(void *ctx);
void api_placement_checks(void *ctx);
void api_campaign_create(void *ctx);
void api_campaign_add_relationships(void *ctx);
void api_campaign_pause(void *ctx);
void api_campaign_resume(void *ctx);
void api_campaign_cancel(void *ctx);
void api_campaign_launch(void *ctx);
void api_campaign_complete(void *ctx);
void api_campaign_send_email(void *ctx);
void api_invocation_get(void *ctx);
void api_campaign_respond(void *ctx);
void api_inbound_post(void *ctx);
void api_inbound_list(void *ctx);
void api_inbound_get(void *ctx);
void api_approval_list(void *ctx);
void api_approval_get(void *ctx);
void api_approval_approve(void *ctx);
void api_approval_reject(void *ctx);
void api_policy_get(void *ctx);
void api_policy_put(void *ctx);
void api_credits_get(void *ctx);
/* Account routes (api_workspaces.c, api_bulk.c): ctx->who is an agency key's principal
 * without a workspace. */
void api_workspaces_list(void *ctx);
void api_workspaces_bulk_action(void *ctx);
void api_webhook_create(void *ctx);
void api_webhook_list(void *ctx);
void api_webhook_delete(void *ctx);
void api_webhook_deliveries(void *ctx);
void api_webhook_test(void *ctx);
/* Sender mailboxes (api_mailboxes.c, docs/mailboxes.md). */
void api_mailbox_create(void *ctx);
void api_mailbox_list(void *ctx);
void api_mailbox_get(void *ctx);
void api_mailbox_update(void *ctx);
void api_mailbox_delete(void *ctx);
void api_mailbox_resume(void *ctx);
void api_mailbox_test(void *ctx);
void api_mailbox_test_get(void *ctx);
void api_campaign_patch(void *ctx);
/* api_mailbox_ids reads the optional mailboxIds list of doc into ids (borrowed from doc,
 * at most max) and *n; -1 after answering 422. */
int api_mailbox_ids(struct api_ctx *ctx, json_t *doc, const char **ids, size_t max, size_t *n);
/* api_campaign_mailboxes sets "mailboxIds" of campaign (a campaign's JSON; borrowed) to the
 * public ids of the mailboxes campaign id sends from. */
void api_campaign_mailboxes(struct api_ctx *ctx, json_t *campaign, int64_t id);
void api_healthz(void *ctx);
void api_readyz(void *ctx);

#endif
