/* mcp.c: the JSON-RPC 2.0 dispatcher of the MCP server. It knows the protocol
 * (initialize, ping, tools/list, tools/call, notifications) and nothing of HTTP or the
 * database: tools run through the call function the transport gives it. */
#include <stdlib.h>
#include <string.h>

#include "mcp/mcp.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static const char *const versions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

static json_t *error_answer(json_t *id, int code, const char *message);
static json_t *result_answer(json_t *id, json_t *result);
static json_t *initialize(json_t *params, int *code, const char **why);
static json_t *tools_call(const struct mcp_server *, json_t *params, int *code, const char **why);
static int id_valid(json_t *id);
static enum mcp_outcome finish(json_t *answer, enum mcp_outcome outcome, char **out);

int
mcp_version_supported(const char *v)
{
	size_t i;

	for (i = 0; v && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(v, versions[i]) == 0)
			return 1;
	return 0;
}

/* error_answer builds {"jsonrpc":"2.0","id":id,"error":{code,message}}; id borrowed
 * (NULL: null). New reference or NULL. */
static json_t *
error_answer(json_t *id, int code, const char *message)
{
	return json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
	    "error", "code", code, "message", message);
}

/* result_answer wraps result (stolen) with id (borrowed); NULL when result is NULL. */
static json_t *
result_answer(json_t *id, json_t *result)
{
	if (result == NULL)
		return NULL;
	return json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result", result);
}

/* id_valid: MCP ids are strings or integers (never null). */
static int
id_valid(json_t *id)
{
	return json_is_string(id) || json_is_integer(id);
}

/* initialize answers with the client's version when we speak it, else our latest. */
static json_t *
initialize(json_t *params, int *code, const char **why)
{
	json_t *v = json_object_get(params, "protocolVersion");
	const char *want;

	if (!json_is_string(v)) {
		*code = MCP_INVALID_PARAMS;
		*why = "initialize needs params.protocolVersion (a string).";
		return NULL;
	}
	want = json_string_value(v);
	return json_pack("{s:s,s:{s:{s:b}},s:{s:s,s:s,s:s},s:s}", "protocolVersion",
	    mcp_version_supported(want) ? want : MCP_VERSION_LATEST, "capabilities", "tools",
	    "listChanged", 0, "serverInfo", "name", "linkcamp", "title", "linkcamp", "version",
	    PACKAGE_VERSION, "instructions",
	    "linkcamp manages link-building outreach campaigns of one workspace. Read with the "
	    "list/get/metrics tools; pause or resume with link_building_campaign_toggle; "
	    "send_email and respond queue real emails that cost 2 credits each once sent and "
	    "usually wait for a person's approval.");
}

/* tools_call checks the call's shape and runs the tool. Unknown tools and malformed
 * calls are JSON-RPC errors; what the tool itself refuses is a result with isError. */
static json_t *
tools_call(const struct mcp_server *srv, json_t *params, int *code, const char **why)
{
	const struct mcp_tool *tool;
	json_t *name = json_object_get(params, "name"),
	       *args = json_object_get(params, "arguments");
	json_t *empty = NULL, *result;

	*code = MCP_INVALID_PARAMS;
	if (!json_is_string(name)) {
		*why = "tools/call needs params.name (a string).";
		return NULL;
	}
	if ((tool = mcp_tool_find(json_string_value(name))) == NULL) {
		*why = "Unknown tool.";
		return NULL;
	}
	if (args != NULL && !json_is_null(args) && !json_is_object(args)) {
		*why = "params.arguments must be an object.";
		return NULL;
	}
	if (args == NULL || json_is_null(args)) {
		if ((args = empty = json_object()) == NULL) {
			*code = MCP_INTERNAL_ERROR;
			*why = "Out of memory.";
			return NULL;
		}
	}
	result = srv->call(srv->arg, tool, args);
	json_decref(empty);
	if (result == NULL) {
		*code = MCP_INTERNAL_ERROR;
		*why = "The tool could not be run.";
	}
	return result;
}

/* finish serializes answer (stolen) into *out. */
static enum mcp_outcome
finish(json_t *answer, enum mcp_outcome outcome, char **out)
{
	*out = answer ? json_dumps(answer, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(answer);
	return outcome;
}

enum mcp_outcome
mcp_handle(const struct mcp_server *srv, const char *text, size_t len, char **out)
{
	json_t *msg, *id, *method, *params, *result = NULL;
	const char *m, *why = NULL;
	json_error_t jerr;
	enum mcp_outcome outcome = MCP_REPLY;
	json_t *answer;
	int code = 0;

	*out = NULL;
	msg = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (msg == NULL)
		return finish(error_answer(NULL, MCP_PARSE_ERROR, "Parse error: not valid JSON."),
		    MCP_BAD_MESSAGE, out);
	if (json_is_array(msg)) {
		json_decref(msg);
		return finish(error_answer(NULL, MCP_INVALID_REQUEST,
		                  "Batches are not supported (removed from MCP in 2025-06-18)."),
		    MCP_BAD_MESSAGE, out);
	}
	id = json_object_get(msg, "id");
	method = json_object_get(msg, "method");
	params = json_object_get(msg, "params");
	if (!json_is_object(msg) || !json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0) {
		answer = error_answer(id_valid(id) ? id : NULL, MCP_INVALID_REQUEST,
		    "Invalid Request: not a JSON-RPC 2.0 message.");
		json_decref(msg);
		return finish(answer, MCP_BAD_MESSAGE, out);
	}
	if (method == NULL && id != NULL &&
	    (json_object_get(msg, "result") != NULL || json_object_get(msg, "error") != NULL)) {
		json_decref(msg); /* a response to a request we never make: nothing to say */
		return MCP_NO_REPLY;
	}
	if (!json_is_string(method) || (id != NULL && !id_valid(id)) ||
	    (params != NULL && !json_is_object(params))) {
		answer = error_answer(id_valid(id) ? id : NULL, MCP_INVALID_REQUEST,
		    !json_is_string(method) ? "Invalid Request: method must be a string."
		    : params != NULL && !json_is_object(params)
		        ? "Invalid Request: params must be an object."
		        : "Invalid Request: id must be a string or an integer.");
		json_decref(msg);
		return finish(answer, MCP_BAD_MESSAGE, out);
	}
	if (id == NULL) {
		/* a notification (initialized, cancelled, ...): never answered */
		json_decref(msg);
		return MCP_NO_REPLY;
	}
	m = json_string_value(method);
	if (strcmp(m, "initialize") == 0) {
		result = params ? initialize(params, &code, &why) : NULL;
		if (params == NULL) {
			code = MCP_INVALID_PARAMS;
			why = "initialize needs params.";
		}
	} else if (strcmp(m, "ping") == 0) {
		result = json_object();
	} else if (strcmp(m, "tools/list") == 0) {
		result = mcp_tools_list(srv->dotted_names);
	} else if (strcmp(m, "tools/call") == 0) {
		if (params == NULL) {
			code = MCP_INVALID_PARAMS;
			why = "tools/call needs params.";
		} else {
			result = tools_call(srv, params, &code, &why);
		}
	} else {
		code = MCP_METHOD_NOT_FOUND;
		why = "Method not found.";
	}
	if (result != NULL)
		answer = result_answer(id, result);
	else
		answer = error_answer(
		    id, code ? code : MCP_INTERNAL_ERROR, why ? why : "Internal error.");
	json_decref(msg);
	return finish(answer, outcome, out);
}
