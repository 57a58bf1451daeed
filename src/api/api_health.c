/* api_health.c: /healthz (the process answers) and /readyz (the database answers). */
#include "api/api.h"

void
api_healthz(void *arg)
{
	struct http_ctx *ctx = arg;
	static const char body[] = "{\"status\":\"ok\"}";

	http_send(ctx->req, 200, "application/json", NULL, body, sizeof(body) - 1);
}

void
api_readyz(void *arg)
{
	struct http_ctx *ctx = arg;
	static const char body[] = "{\"status\":\"ready\"}";
	lc_err e;

	if ((e = core_ready(ctx->core)) != LC_OK) {
		api_fail(ctx, e, "route_not_found");
		return;
	}
	http_send(ctx->req, 200, "application/json", NULL, body, sizeof(body) - 1);
}
