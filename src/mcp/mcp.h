/* mcp.h: the MCP server front (SPEC §9). JSON-RPC 2.0 messages in, JSON-RPC answers out;
 * the tools run through the JSON API's own routes (http_invoke), so a tool and its
 * endpoint validate and answer alike. Two transports: Streamable HTTP at POST /mcp in
 * linkcamp-fcgi (mcp_http.c) and newline-delimited stdio in `linkcamp mcp` (mcp_stdio.c). */
#ifndef LC_MCP_H
#define LC_MCP_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "core/core.h"
#include "http/http.h"

#define MCP_VERSION_LATEST "2025-11-25"

/* JSON-RPC 2.0 error codes. */
#define MCP_PARSE_ERROR (-32700)
#define MCP_INVALID_REQUEST (-32600)
#define MCP_METHOD_NOT_FOUND (-32601)
#define MCP_INVALID_PARAMS (-32602)
#define MCP_INTERNAL_ERROR (-32603)

/* How a tool reaches the API: a GET whose arguments become the query, a POST whose
 * arguments become the JSON body, or pause/resume chosen by the action argument. */
enum mcp_call_kind { MCP_CALL_GET = 0, MCP_CALL_POST, MCP_CALL_TOGGLE };

struct mcp_tool {
	const char *name;   /* link_building_campaign_list */
	const char *dotted; /* link_building.campaign.list */
	const char *title, *description;
	const char *input_schema;  /* JSON text */
	const char *output_schema; /* JSON text of the success answer */
	int read_only, destructive, idempotent, open_world;
	enum mcp_call_kind kind;
	const char *path;      /* the API path; "{id}" stands for path_arg */
	const char *path_arg;  /* the argument naming the object in the path, or NULL */
	const char *not_found; /* the problem code when path_arg names nothing */
};

/* ---- mcp_tools.c ---- */
/* mcp_tools returns the static table of tools and writes its length to n. */
const struct mcp_tool *mcp_tools(size_t *n);
/* mcp_tool_find looks a tool up by its name or its dotted name; NULL when unknown. */
const struct mcp_tool *mcp_tool_find(const char *name);
/* mcp_tools_list builds the tools/list result ({"tools":[...]}) with the dotted names
 * published instead of the underscored ones when dotted. New reference; NULL when out
 * of memory or when a schema in the table is not valid JSON (a bug the unit test finds). */
json_t *mcp_tools_list(int dotted);

/* ---- mcp.c: the JSON-RPC dispatcher ---- */
struct mcp_server {
	int dotted_names; /* publish link_building.campaign.list ... in tools/list */
	/* call runs tool with args (both borrowed) and returns a CallToolResult (new
	 * reference), or NULL when out of memory (answered as an internal error). */
	json_t *(*call)(void *arg, const struct mcp_tool *tool, json_t *args);
	void *arg;
};

enum mcp_outcome {
	MCP_REPLY = 0,  /* a request: *out is its answer */
	MCP_NO_REPLY,   /* a notification, or a response from the client: nothing to send */
	MCP_BAD_MESSAGE /* not JSON or not a JSON-RPC message: *out is the error answer */
};

/* mcp_handle answers one JSON-RPC message text[0..len). *out receives the answer as
 * compact JSON (malloc'd, caller frees) or NULL: always NULL for MCP_NO_REPLY, and NULL
 * for the other two only when out of memory. Never fails otherwise: every bad input is a
 * JSON-RPC error answer. */
enum mcp_outcome mcp_handle(const struct mcp_server *srv, const char *text, size_t len, char **out);

/* mcp_version_supported is 1 for the protocol versions this server speaks. */
int mcp_version_supported(const char *v);

/* ---- mcp_call.c: tools through the API ---- */
struct mcp_caller {
	struct core *core;
	struct principal who; /* the workspace the tools act on */
	/* "Bearer <key>" and X-Workspace-Id (may be NULL): when set, the key is resolved again
	 * on every call, so a revoked key stops working at once */
	const char *authorization, *workspace;
	const char *request_id; /* answer problems with this id (NULL: a new one per call) */
};

/* mcp_call_api is the mcp_server call function: arg is a struct mcp_caller. It turns the
 * arguments into the API request of the tool, runs it with http_invoke, and makes the
 * answer the result: structuredContent is the API's JSON object, content[0] its text, and
 * isError is true when the API answered a problem (then the problem is the object). New
 * reference; NULL when out of memory. */
json_t *mcp_call_api(void *arg, const struct mcp_tool *tool, json_t *args);

/* ---- mcp_http.c: Streamable HTTP ---- */
/* mcp_http_init sets whether tools/list publishes the dotted names ([mcp] dotted_names).
 * Call once at start-up, before the threads. */
void mcp_http_init(int dotted_names);
/* mcp_http_post is the handler of POST /mcp (ctx is a struct http_ctx; the dispatcher
 * answered other methods 405 with Allow: POST). It answers completely: Origin equal to
 * core->public_url's origin when present (403), Host naming core->public_url's host or a
 * loopback name when present (403), the bearer key as the API checks it (401/403/404),
 * MCP-Protocol-Version when present (400), the API's body limit (413), JSON as
 * http_body_is_json takes it (415); then the JSON-RPC message, answered as
 * application/json (200; 400 for a message that is not JSON-RPC) or 202 with no body for
 * a notification or a response. */
void mcp_http_post(void *ctx);

/* ---- mcp_stdio.c: stdio ---- */
/* mcp_stdio_run serves newline-delimited JSON-RPC from in to out (borrowed) until EOF,
 * acting with key (and, for an agency key, workspace; may be NULL). Nothing but JSON-RPC
 * is written to out; reasons go to stderr. Returns 0 at EOF, 77 when the key is missing
 * or not valid, 75 when the database cannot be reached at start, 74 on an I/O error. */
int mcp_stdio_run(struct core *core, FILE *in, FILE *out, const char *key, const char *workspace,
    int dotted_names);
/* mcp_stdio_serve is mcp_stdio_run's framing after the key was accepted: each line of in
 * (without its '\n'; the last may lack one) that is not blank (spaces, tabs, CRs) goes to
 * mcp_handle with srv, and its answer, when it has one, is written to out as one line,
 * flushed; a line over line_max bytes is read to its end, dropped, and answered with a
 * JSON-RPC parse error. Messages are neither merged, split, dropped nor reordered.
 * Returns 0 at EOF, 74 on an I/O error. */
int mcp_stdio_serve(const struct mcp_server *srv, FILE *in, FILE *out, size_t line_max);

#endif
