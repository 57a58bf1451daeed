/* mcp_http.c: the MCP Streamable HTTP transport at POST /mcp in linkcamp-fcgi. Each POST
 * carries one JSON-RPC message and is answered with application/json (no SSE streams, no
 * sessions: every request stands alone, authenticated by its bearer key like /v1). The
 * checks run in a fixed order before anything else: method (the dispatcher: the table has
 * POST only), Origin, Host, key, protocol version, size, media type (application/json, or
 * a JSON object sent as a form by `curl -d`, as on /v1). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/dispatch.h"
#include "mcp/mcp.h"
#include "util/log.h"

#define ORIGIN_MAX 600
#define HOST_MAX 300

static int origin_ok(const struct core *, const char *);
static int host_ok(const struct core *, const char *);

static int dotted_names; /* set once by mcp_http_init before the threads start */

void
mcp_http_init(int dotted)
{
	dotted_names = dotted;
}

/* origin_ok: no Origin header, or exactly public_url's origin (DNS rebinding guard). */
static int
origin_ok(const struct core *core, const char *origin)
{
	char want[ORIGIN_MAX];

	if (origin == NULL)
		return 1;
	http_origin_of(core->public_url ? core->public_url : "", want, sizeof(want));
	return strcasecmp(origin, want) == 0;
}

/* host_ok: no Host header, or a Host naming public_url's host or a loopback name (the
 * other half of the DNS rebinding guard: a page of evil.example that rebinds its name to
 * this server's address still sends Host: evil.example). The port is not compared: a
 * rebinding attacker cannot choose it, and proxies differ in whether they keep it. */
static int
host_ok(const struct core *core, const char *host)
{
	static const char *const loopback[] = {"localhost", "127.0.0.1", "::1"};
	char got[HOST_MAX], want[HOST_MAX];
	size_t i;

	if (host == NULL)
		return 1;
	http_host_of(host, got, sizeof(got));
	if (got[0] == '\0')
		return 0;
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		if (strcasecmp(got, loopback[i]) == 0)
			return 1;
	http_host_of(core->public_url ? core->public_url : "", want, sizeof(want));
	return want[0] != '\0' && strcasecmp(got, want) == 0;
}

void
mcp_http_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct core *core = ctx->core;
	struct http_request *req = ctx->req;
	struct mcp_caller caller;
	struct mcp_server srv;
	const char *version;
	enum mcp_outcome outcome;
	char *answer = NULL;

	if (!origin_ok(core, req->origin)) {
		log_msg(LOG_WARN, "request %s: refused /mcp from another origin", req->request_id);
		http_problem(req, 403, "forbidden", "Requests from this Origin are not accepted.",
		    "Origin", NULL, NULL);
		return;
	}
	if (!host_ok(core, req->host)) {
		log_msg(LOG_WARN, "request %s: refused /mcp for another Host", req->request_id);
		http_problem(req, 403, "forbidden", "Requests for this Host are not accepted.",
		    "Host", NULL, NULL);
		return;
	}
	memset(&caller, 0, sizeof(caller));
	if (http_authenticate(core, req, &caller.who) != 0)
		return;
	version = req->fx ? FCGX_GetParam("HTTP_MCP_PROTOCOL_VERSION", req->fx->envp) : NULL;
	if (version != NULL && !mcp_version_supported(version)) {
		http_problem(req, 400, "invalid_parameter",
		    "MCP-Protocol-Version must be 2025-11-25, 2025-06-18 or 2025-03-26.",
		    "MCP-Protocol-Version", NULL, NULL);
		return;
	}
	if (http_read_body_or_refuse(req, "invalid_json") != 0)
		return;
	if (!http_body_is_json(req->content_type, req->body.data, req->body.len)) {
		http_problem(req, 415, "unsupported_media_type",
		    "Send the JSON-RPC message with Content-Type: application/json.", NULL, NULL,
		    NULL);
		return;
	}
	caller.core = core;
	caller.request_id = req->request_id;
	srv.dotted_names = dotted_names;
	srv.call = mcp_call_api;
	srv.arg = &caller;
	outcome = mcp_handle(&srv, req->body.data ? req->body.data : "", req->body.len, &answer);
	if (outcome == MCP_NO_REPLY) {
		http_send(req, 202, "application/json", NULL, "", 0);
		return;
	}
	if (answer == NULL) {
		http_problem(
		    req, 500, "internal_error", "The answer could not be built.", NULL, NULL, NULL);
		return;
	}
	http_send(req, outcome == MCP_BAD_MESSAGE ? 400 : 200, "application/json", NULL, answer,
	    strlen(answer));
	free(answer);
}
