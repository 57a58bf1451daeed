/* dispatch.c: route → method → query → auth → handler, for every front. Two entries share
 * the pipeline from the query on: http_dispatch for requests from nginx, and http_invoke
 * for requests the MCP front makes inside the process for a principal it already holds. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/dispatch.h"
#include "util/log.h"

static int authenticate(struct http_ctx *, enum route_auth);
static void run(struct http_ctx *, const char *, int);
static void allow_header(const char *, char *, size_t);

void
http_bad_param(struct http_ctx *ctx, const char *param, const char *detail)
{
	http_problem(ctx->req, 400, "invalid_parameter", detail, param, NULL, NULL);
}

void
http_fail(struct http_ctx *ctx, lc_err e, const char *not_found_code)
{
	switch (e) {
	case LC_ENOTFOUND:
		http_problem(ctx->req, 404, not_found_code, "No such object in this workspace.",
		    NULL, NULL, NULL);
		break;
	case LC_EDBDOWN:
	case LC_ERETRY:
		http_problem(ctx->req, 503, "service_unavailable",
		    "The database is unavailable; retry shortly.", NULL, NULL,
		    "Retry-After: 5\r\n");
		break;
	case LC_EAUTH:
		http_problem(ctx->req, 401, "unauthorized", "A valid API key is required.", NULL,
		    NULL, "WWW-Authenticate: Bearer\r\n");
		break;
	case LC_EFORBIDDEN:
		http_problem(
		    ctx->req, 403, "forbidden", "This key may not do that.", NULL, NULL, NULL);
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

/* authenticate resolves the bearer key and the workspace for a route of kind auth; -1
 * after answering. */
static int
authenticate(struct http_ctx *ctx, enum route_auth auth)
{
	const char *h = ctx->req->authorization, *ws = ctx->req->workspace_id;
	lc_err e;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		http_fail(ctx, LC_EAUTH, NULL);
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
		    "X-Workspace-Id names no workspace of this account.", "X-Workspace-Id", NULL,
		    NULL);
		return -1;
	}
	if (e == LC_EFORBIDDEN) {
		http_problem(ctx->req, 403, "forbidden",
		    "A workspace key acts only on its own workspace.", "X-Workspace-Id", NULL,
		    NULL);
		return -1;
	}
	if (e != LC_OK) {
		http_fail(ctx, e, NULL);
		return -1;
	}
	if (auth == AUTH_ACCOUNT && !ctx->who.account_key) {
		http_problem(ctx->req, 403, "forbidden", "This route needs an account key.", NULL,
		    NULL, NULL);
		return -1;
	}
	if (auth == AUTH_WORKSPACE && ctx->who.workspace_id == 0) {
		http_bad_param(ctx, "X-Workspace-Id",
		    "An account key must name the workspace in the X-Workspace-Id header.");
		return -1;
	}
	return 0;
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
		n = snprintf(out + used, len - used, "%s%.*s%s", p == methods ? "" : ", ",
		    (int)tlen, p, tlen == 3 && memcmp(p, "GET", 3) == 0 ? ", HEAD" : "");
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

/* run is the pipeline after the route matched: the query checks, the key when auth says
 * so (an invoked request arrives authenticated), then the handler directly, through the
 * idempotency record or through the response cache. Always answers and frees the query. */
static void
run(struct http_ctx *ctx, const char *method, int auth)
{
	const struct route *r = ctx->match.route;
	const char *bad = NULL;
	lc_err e;

	if ((e = query_parse(ctx->req->query, ctx->req->query_len, &ctx->query, &bad)) != LC_OK) {
		if (e == LC_ENOMEM)
			http_fail(ctx, e, NULL);
		else
			http_bad_param(ctx, bad ? bad : "query",
			    "The query string is malformed, too long, repeats a parameter or is "
			    "not "
			    "valid UTF-8.");
		query_free(&ctx->query);
		return;
	}
	if (!auth || r->auth == AUTH_NONE || authenticate(ctx, r->auth) == 0) {
		if (ctx->req->idempotency_key && strcmp(method, "POST") == 0 &&
		    r->auth != AUTH_NONE)
			http_run_idempotent(ctx);
		else if (http_route_cached(r))
			http_run_cached(ctx);
		else
			r->handler(ctx);
	}
	if (ctx->req->status == 0)
		http_fail(ctx, LC_EDB, NULL);
	query_free(&ctx->query);
}

void
http_dispatch(struct core *core, struct http_request *req)
{
	struct http_ctx ctx;
	const char *method = req->method;
	char allow[sizeof(ctx.match.allow) + 64];

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	router_match(http_routes, http_nroutes, method, req->path, req->path_len, &ctx.match);
	req->route = ctx.match.route ? ctx.match.route->pattern : NULL; /* the metrics' label */
	if (ctx.match.route == NULL) {
		if (ctx.match.path_exists) {
			allow_header(ctx.match.allow, allow, sizeof(allow));
			http_problem(req, 405, "method_not_allowed",
			    "This path does not support that method.", NULL, NULL, allow);
		} else {
			http_problem(
			    req, 404, "route_not_found", "No such route.", NULL, NULL, NULL);
		}
		return;
	}
	run(&ctx, method, 1);
}

int
http_authenticate(struct core *core, struct http_request *req, struct principal *who)
{
	struct http_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	if (authenticate(&ctx, AUTH_WORKSPACE) != 0)
		return -1;
	*who = ctx.who;
	return 0;
}

void
http_invoke(struct core *core, const struct principal *who, struct http_request *req)
{
	struct http_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.req = req;
	ctx.core = core;
	ctx.who = *who;
	router_match(http_routes, http_nroutes, req->method, req->path, req->path_len, &ctx.match);
	if (ctx.match.route == NULL || ctx.match.route->auth != AUTH_WORKSPACE) {
		http_problem(req, 404, "route_not_found", "No such route.", NULL, NULL, NULL);
		return;
	}
	run(&ctx, req->method, 0);
}
