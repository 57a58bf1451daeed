/* api.c: the routing table and the checks every request passes before its handler:
 * route → method → query → auth, in that order, before the database is touched
 * for anything but the key. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <sodium.h>

#include "api/api.h"
#include "api/api_metrics.h"
#include "ui/ui.h"
#include "util/cursor.h"
#include "util/log.h"
#include "util/timefmt.h"

#define IDEM_ATTEMPTS 3 /* runs of a request whose transaction a deadlock or a lost connection ended */

static const struct route routes[] = {
	{"GET", "/healthz", api_healthz, AUTH_NONE},
	{"GET", "/readyz", api_readyz, AUTH_NONE},
	{"GET", "/metrics", api_metrics, AUTH_NONE}, /* its own access rule (api_metrics.c) */
	{"GET", "/v1/link-building/campaign", api_campaign_list, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/campaign/{id}", api_campaign_get, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/campaign/{id}/metrics", api_campaign_metrics, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/crm/relationship", api_crm_relationship_list, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/crm/relationship/{id}", api_crm_relationship_get,
	    AUTH_WORKSPACE},
	{"POST", "/v1/link-building/relationship/{id}/placement", api_placement_create,
	    AUTH_WORKSPACE},
	{"GET", "/v1/link-building/relationship/{id}/placement", api_placement_list,
	    AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign", api_campaign_create, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/relationships", api_campaign_add_relationships,
	    AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/pause", api_campaign_pause, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/resume", api_campaign_resume, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/cancel", api_campaign_cancel, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/launch", api_campaign_launch, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/complete", api_campaign_complete,
	    AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/{id}/send-email", api_campaign_send_email,
	    AUTH_WORKSPACE},
	{"POST", "/v1/link-building/campaign/respond", api_campaign_respond, AUTH_WORKSPACE},
	{"POST", "/v1/link-building/inbound", api_inbound_post, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/inbound", api_inbound_list, AUTH_WORKSPACE},
	{"GET", "/v1/link-building/inbound/{id}", api_inbound_get, AUTH_WORKSPACE},
	{"GET", "/v1/invocations/{id}", api_invocation_get, AUTH_WORKSPACE},
	{"GET", "/v1/approvals", api_approval_list, AUTH_WORKSPACE},
	{"GET", "/v1/approvals/{id}", api_approval_get, AUTH_WORKSPACE},
	{"POST", "/v1/approvals/{id}/approve", api_approval_approve, AUTH_WORKSPACE},
	{"POST", "/v1/approvals/{id}/reject", api_approval_reject, AUTH_WORKSPACE},
	{"GET", "/v1/workspace/policy", api_policy_get, AUTH_WORKSPACE},
	{"PUT", "/v1/workspace/policy", api_policy_put, AUTH_WORKSPACE},
	{"GET", "/v1/credits", api_credits_get, AUTH_WORKSPACE},
	{"GET", "/v1/workspaces", api_workspaces_list, AUTH_ACCOUNT},
	{"POST", "/v1/workspaces/bulk-action", api_workspaces_bulk_action, AUTH_ACCOUNT},
	{"POST", "/v1/webhooks", api_webhook_create, AUTH_WORKSPACE},
	{"GET", "/v1/webhooks", api_webhook_list, AUTH_WORKSPACE},
	{"DELETE", "/v1/webhooks/{id}", api_webhook_delete, AUTH_WORKSPACE},
	{"GET", "/v1/webhooks/{id}/deliveries", api_webhook_deliveries, AUTH_WORKSPACE},
	{"POST", "/v1/webhooks/{id}/test", api_webhook_test, AUTH_WORKSPACE},
	{"PATCH", "/v1/link-building/campaign/{id}", api_campaign_patch, AUTH_WORKSPACE},
	{"POST", "/v1/mailboxes", api_mailbox_create, AUTH_WORKSPACE},
	{"GET", "/v1/mailboxes", api_mailbox_list, AUTH_WORKSPACE},
	{"GET", "/v1/mailboxes/{id}", api_mailbox_get, AUTH_WORKSPACE},
	{"PATCH", "/v1/mailboxes/{id}", api_mailbox_update, AUTH_WORKSPACE},
	{"DELETE", "/v1/mailboxes/{id}", api_mailbox_delete, AUTH_WORKSPACE},
	{"POST", "/v1/mailboxes/{id}/resume", api_mailbox_resume, AUTH_WORKSPACE},
	{"POST", "/v1/mailboxes/{id}/test", api_mailbox_test, AUTH_WORKSPACE},
	{"GET", "/v1/mailboxes/{id}/tests/{test}", api_mailbox_test_get, AUTH_WORKSPACE},
};

static int authenticate(struct api_ctx *, enum route_auth);
static void run_route(struct api_ctx *, const char *);
static int idempotency_key_sane(const char *);
static void run_idempotent(struct api_ctx *);
static void allow_header(const char *, char *, size_t);

void
api_bad_param(struct api_ctx *ctx, const char *param, const char *detail)
{
	http_problem(ctx->req, 400, "invalid_parameter", detail, param, NULL, NULL);
}

void
api_fail(struct api_ctx *ctx, lc_err e, const char *not_found_code)
{
	switch (e) {
	case LC_ENOTFOUND:
		http_problem(ctx->req, 404, not_found_code, "No such object in this workspace.", NULL,
		    NULL, NULL);
		break;
	case LC_EDBDOWN:
	case LC_ERETRY:
		http_problem(ctx->req, 503, "service_unavailable",
		    "The database is unavailable; retry shortly.", NULL, NULL, "Retry-After: 5\r\n");
		break;
	case LC_EAUTH:
		http_problem(ctx->req, 401, "unauthorized", "A valid API key is required.", NULL,
		    NULL, "WWW-Authenticate: Bearer\r\n");
		break;
	case LC_EFORBIDDEN:
		http_problem(ctx->req, 403, "forbidden", "This key may not do that.", NULL, NULL,
		    NULL);
		break;
	case LC_EINVAL:
		http_problem(ctx->req, 400, "invalid_parameter", "A parameter is invalid.", NULL,
		    NULL, NULL);
		break;
	default:
		log_msg(LOG_ERROR, "request %s failed: %s", ctx->req->request_id, lc_strerror(e));
		http_problem(ctx->req, 500, "internal_error", "Something went wrong on our side.",
		    NULL, NULL, NULL);
		break;
	}
}

int
api_only_params(struct api_ctx *ctx, const char *const *allowed)
{
	char detail[256];
	size_t i, j;

	for (i = 0; i < ctx->query.n; i++) {
		for (j = 0; allowed[j]; j++)
			if (strcmp(ctx->query.p[i].key, allowed[j]) == 0)
				break;
		if (allowed[j] == NULL) {
			snprintf(detail, sizeof(detail), "Unknown query parameter.");
			api_bad_param(ctx, ctx->query.p[i].key, detail);
			return -1;
		}
	}
	return 0;
}

int
api_parse_limit_cursor(struct api_ctx *ctx, unsigned *limit, int *has_cursor,
    int64_t *cursor_ms, int64_t *cursor_id)
{
	const char *s;
	unsigned v = 0;
	size_t i;

	*limit = 50;
	*has_cursor = 0;
	if ((s = query_get(&ctx->query, "limit")) != NULL) {
		for (i = 0; s[i]; i++) {
			if (s[i] < '0' || s[i] > '9' || i >= 3) {
				v = 0;
				break;
			}
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (v < 1 || v > 200) {
			api_bad_param(ctx, "limit", "limit must be an integer from 1 to 200.");
			return -1;
		}
		*limit = v;
	}
	if ((s = query_get(&ctx->query, "cursor")) != NULL) {
		if (cursor_decode(s, strlen(s), cursor_ms, cursor_id) != LC_OK) {
			api_bad_param(ctx, "cursor", "cursor is not one this API returned.");
			return -1;
		}
		*has_cursor = 1;
	}
	return 0;
}

json_t *
api_time_or_null(int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	if (ms < 0)
		return json_null();
	rfc3339_format(ms, t);
	return json_string(t);
}

json_t *
api_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* authenticate resolves the bearer key and the workspace for a route of kind auth; -1
 * after answering. */
static int
authenticate(struct api_ctx *ctx, enum route_auth auth)
{
	const char *h = ctx->req->authorization, *ws = ctx->req->workspace_id;
	lc_err e;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		api_fail(ctx, LC_EAUTH, NULL);
		return -1;
	}
	h += 7;
	while (*h == ' ')
		h++;
	/* an account route acts on the account: X-Workspace-Id means nothing there */
	if (auth == AUTH_ACCOUNT)
		ws = NULL;
	e = auth_key(ctx->core, h, strlen(h), ws, ws ? strlen(ws) : 0, &ctx->who);
	if (e == LC_ENOTFOUND) {
		http_problem(ctx->req, 404, "workspace_not_found",
		    "X-Workspace-Id names no workspace of this account.", "X-Workspace-Id", NULL, NULL);
		return -1;
	}
	if (e == LC_EFORBIDDEN) {
		http_problem(ctx->req, 403, "forbidden",
		    "A workspace key acts only on its own workspace.", "X-Workspace-Id", NULL, NULL);
		return -1;
	}
	if (e != LC_OK) {
		api_fail(ctx, e, NULL);
		return -1;
	}
	if (auth == AUTH_ACCOUNT && !ctx->who.account_key) {
		http_problem(ctx->req, 403, "forbidden", "This route needs an account key.", NULL,
		    NULL, NULL);
		return -1;
	}
	if (auth == AUTH_WORKSPACE && ctx->who.workspace_id == 0) {
		api_bad_param(ctx, "X-Workspace-Id",
		    "An account key must name the workspace in the X-Workspace-Id header.");
		return -1;
	}
	return 0;
}

static int
idempotency_key_sane(const char *k)
{
	size_t n = 0;

	for (; *k; k++, n++)
		if (n >= 255 || (unsigned char)*k < 0x21 || (unsigned char)*k > 0x7e)
			return 0;
	return n > 0;
}

/* run_idempotent runs the handler of a POST that carries Idempotency-Key: the first answer
 * (status and body) is stored and replayed byte for byte; the same key with another
 * request is 422; while the first is still running, 409. */
static void
run_idempotent(struct api_ctx *ctx)
{
	struct http_request *req = ctx->req;
	crypto_hash_sha256_state st;
	unsigned char hash[32];
	enum idem_state state;
	char *body = NULL;
	size_t len = 0;
	int status = 0, attempt;
	lc_err e;

	if (!idempotency_key_sane(req->idempotency_key)) {
		api_bad_param(ctx, "Idempotency-Key",
		    "Idempotency-Key must be 1 to 255 printable ASCII characters.");
		return;
	}
	if (http_read_body_or_refuse(req, "invalid_json") != 0)
		return;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->path, req->path_len);
	crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)req->body.data, req->body.len);
	crypto_hash_sha256_final(&st, hash);
	for (attempt = 0;; attempt++) {
		if ((e = idempotency_begin(ctx->core, &ctx->who, req->idempotency_key, hash, &state,
		         &status, &body, &len)) != LC_OK) {
			api_fail(ctx, e, NULL);
			return;
		}
		switch (state) {
		case IDEM_REPLAY:
			http_send(req, status,
			    status >= 400 ? "application/problem+json" : "application/json",
			    "Idempotent-Replayed: true\r\n", body, len);
			free(body);
			return;
		case IDEM_IN_USE:
			http_problem(req, 409, "idempotency_key_in_use",
			    "A request with this Idempotency-Key is still being processed.",
			    "Idempotency-Key", NULL, NULL);
			return;
		case IDEM_REUSED:
			http_problem(req, 422, "idempotency_key_reused",
			    "This Idempotency-Key was used with a different request.", "Idempotency-Key",
			    NULL, NULL);
			return;
		case IDEM_NEW:
			break;
		}
		/* The handler runs inside the key's transaction (core/idempotency.c); its answer
		 * is held until that commits, so no client hears of an effect that rolled back. */
		req->capture = 1;
		req->hold = 1;
		ctx->match.route->handler(ctx);
		if (req->status == 0)
			api_fail(ctx, LC_EDB, NULL);
		e = idempotency_finish(ctx->core, &ctx->who, req->idempotency_key, req->status,
		    req->capture, req->captured.data ? req->captured.data : "", req->captured.len);
		if (e == LC_OK) {
			http_release(req);
			return;
		}
		http_discard(req);
		if ((e == LC_ERETRY || e == LC_EDBDOWN) && attempt < IDEM_ATTEMPTS - 1)
			continue; /* nothing committed: the whole request again */
		log_msg(LOG_ERROR, "an idempotent request did not commit: %s", lc_strerror(e));
		api_fail(ctx, e, NULL);
		return;
	}
}

/* allow_header writes the Allow header line for the router's method list: HEAD joins
 * every GET, since a HEAD is answered as that GET without its body. */
static void
allow_header(const char *methods, char *out, size_t len)
{
	const char *p = methods, *comma;
	size_t used, tlen;
	int n;

	n = snprintf(out, len, "Allow: ");
	used = n > 0 ? (size_t)n : 0;
	while (*p && used < len) {
		comma = strchr(p, ',');
		tlen = comma ? (size_t)(comma - p) : strlen(p);
		n = snprintf(out + used, len - used, "%s%.*s%s", p == methods ? "" : ", ", (int)tlen,
		    p, tlen == 3 && memcmp(p, "GET", 3) == 0 ? ", HEAD" : "");
		used += n > 0 ? (size_t)n : 0;
		if (comma == NULL)
			break;
		p = comma + 1;
		while (*p == ' ')
			p++;
	}
	if (used < len)
		snprintf(out + used, len - used, "\r\n");
}

void
api_dispatch(struct core *core, struct http_request *req)
{
	struct api_ctx ctx;
	const char *method = req->method, *bad = NULL;
	char allow[sizeof(ctx.match.allow) + 64];
	lc_err e;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	router_match(routes, sizeof(routes) / sizeof(routes[0]), method, req->path, req->path_len,
	    &ctx.match);
	if (ctx.match.route == NULL && !ctx.match.path_exists)
		router_match(ui_routes, ui_nroutes, method, req->path, req->path_len, &ctx.match);
	req->route = ctx.match.route ? ctx.match.route->pattern : NULL; /* the metrics' label */
	if (ctx.match.route == NULL) {
		if (ctx.match.path_exists) {
			allow_header(ctx.match.allow, allow, sizeof(allow));
			http_problem(req, 405, "method_not_allowed",
			    "This path does not support that method.", NULL, NULL, allow);
		} else {
			http_problem(req, 404, "route_not_found", "No such route.", NULL, NULL, NULL);
		}
		return;
	}
	if ((e = query_parse(req->query, req->query_len, &ctx.query, &bad)) != LC_OK) {
		if (e == LC_ENOMEM)
			api_fail(&ctx, e, NULL);
		else
			api_bad_param(&ctx, bad ? bad : "query",
			    "The query string is malformed, too long, repeats a parameter or is not "
			    "valid UTF-8.");
		query_free(&ctx.query);
		return;
	}
	if (ctx.match.route->auth == AUTH_NONE || authenticate(&ctx, ctx.match.route->auth) == 0)
		run_route(&ctx, method);
	if (req->status == 0)
		api_fail(&ctx, LC_EDB, NULL);
	query_free(&ctx.query);
}

/* run_route runs the matched route of an authenticated request: through the idempotency
 * record, the response cache, or directly. */
static void
run_route(struct api_ctx *ctx, const char *method)
{
	if (ctx->req->idempotency_key && strcmp(method, "POST") == 0 &&
	    ctx->match.route->auth != AUTH_NONE)
		run_idempotent(ctx);
	else if (api_cacheable(ctx->match.route))
		api_run_cached(ctx);
	else
		ctx->match.route->handler(ctx);
}

int
api_authenticate(struct core *core, struct http_request *req, struct principal *who)
{
	struct api_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	if (authenticate(&ctx, AUTH_WORKSPACE) != 0)
		return -1;
	*who = ctx.who;
	return 0;
}

void
api_invoke(struct core *core, const struct principal *who, struct http_request *req)
{
	struct api_ctx ctx;
	const char *bad = NULL;
	lc_err e;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	ctx.who = *who;
	router_match(routes, sizeof(routes) / sizeof(routes[0]), req->method, req->path,
	    req->path_len, &ctx.match);
	if (ctx.match.route == NULL || ctx.match.route->auth != AUTH_WORKSPACE) {
		http_problem(req, 404, "route_not_found", "No such route.", NULL, NULL, NULL);
		return;
	}
	if ((e = query_parse(req->query, req->query_len, &ctx.query, &bad)) != LC_OK) {
		if (e == LC_ENOMEM)
			api_fail(&ctx, e, NULL);
		else
			api_bad_param(&ctx, bad ? bad : "query",
			    "The query string is malformed, too long, repeats a parameter or is not "
			    "valid UTF-8.");
		query_free(&ctx.query);
		return;
	}
	run_route(&ctx, req->method);
	if (req->status == 0)
		api_fail(&ctx, LC_EDB, NULL);
	query_free(&ctx.query);
}
