/* mcp_call.c: runs a tool as the JSON API request it stands for. The arguments become the
 * route's query (reads) or JSON body (writes); http_invoke then runs the very route a
 * client of /v1 reaches — its validation, core calls, idempotency record and JSON — and
 * its answer becomes the tool's result. Nothing about a campaign is decided here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/dispatch.h"
#include "mcp/mcp.h"
#include "util/buf.h"
#include "util/log.h"

static int query_add(struct buf *, const char *, json_t *);
static json_t *result_of(struct http_request *);
static json_t *run(struct mcp_caller *, const struct mcp_tool *, json_t *, struct buf *);

static int
query_add(struct buf *q, const char *key, json_t *v)
{
	char num[32];
	json_t *item;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i,
		    item) if (!json_is_string(item) ||
		              strlen(json_string_value(item)) != json_string_length(item)) return 1;
	} else if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v))
			return 1; /* an embedded NUL */
	} else if (!json_is_integer(v) && !json_is_boolean(v)) {
		return 1;
	}
	if ((q->len > 0 && buf_append(q, "&", 1) != LC_OK) || url_encode(q, key) != 0 ||
	    buf_append(q, "=", 1) != LC_OK)
		return -1;
	if (json_is_string(v))
		return url_encode(q, json_string_value(v));
	if (json_is_boolean(v))
		return buf_puts(q, json_is_true(v) ? "true" : "false") == LC_OK ? 0 : -1;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return buf_puts(q, num) == LC_OK ? 0 : -1;
	}
	json_array_foreach(v, i, item)
	{
		if ((i > 0 && buf_append(q, ",", 1) != LC_OK) ||
		    url_encode(q, json_string_value(item)) != 0)
			return -1;
	}
	return 0;
}

/* result_of makes the CallToolResult of an answered local request; NULL when out of
 * memory or when the answer is not a JSON object (which the API never sends). */
static json_t *
result_of(struct http_request *req)
{
	json_error_t jerr;
	json_t *doc;

	if (req->out_lost || req->out.data == NULL)
		return NULL;
	doc = json_loadb(req->out.data, req->out.len, 0, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return json_pack("{s:[{s:s,s:s%}],s:o,s:b}", "content", "type", "text", "text",
	    req->out.data, req->out.len, "structuredContent", doc, "isError", req->status >= 400);
}

/* run builds the request of tool from args, runs it and returns its result. q is scratch
 * space for the query and the body. */
static json_t *
run(struct mcp_caller *c, const struct mcp_tool *tool, json_t *args, struct buf *q)
{
	struct http_request req;
	char path[256];
	const char *id = NULL, *idem = NULL, *action = NULL, *key, *problem = NULL, *param = NULL,
	           *method = tool->kind == MCP_CALL_GET ? "GET" : "POST";
	char *body = NULL;
	json_t *v, *fields = NULL, *result = NULL;
	int status = 422, rc;

	/* the arguments that are not the API's own: the path's id, the action, the key */
	if (tool->path_arg) {
		v = json_object_get(args, tool->path_arg);
		param = tool->path_arg;
		if (v == NULL || json_is_null(v))
			problem = "This field is required.";
		else if (!json_is_string(v))
			problem = "This field must be a string.";
		else if (!query_id_plausible(id = json_string_value(v)))
			status = 404, problem = "No such object in this workspace.";
	}
	if (problem == NULL && tool->kind == MCP_CALL_TOGGLE) {
		v = json_object_get(args, "action");
		param = "action";
		action = json_is_string(v) ? json_string_value(v) : NULL;
		if (action == NULL ||
		    (strcmp(action, "pause") != 0 && strcmp(action, "resume") != 0))
			problem = "action must be \"pause\" or \"resume\".";
	}
	if (problem == NULL && tool->kind == MCP_CALL_POST &&
	    (v = json_object_get(args, "idempotencyKey")) != NULL && !json_is_null(v)) {
		param = "idempotencyKey";
		if (!json_is_string(v))
			problem = "This field must be a string.";
		else
			idem = json_string_value(v);
	}
	if (tool->path_arg)
		snprintf(path, sizeof(path), "%.*s%s%s",
		    (int)(strstr(tool->path, "{id}") - tool->path), tool->path, id ? id : "x",
		    strstr(tool->path, "{id}") + 4);
	else
		snprintf(path, sizeof(path), "%s", tool->path);
	if (action)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", action);

	if (problem == NULL && tool->kind == MCP_CALL_GET) {
		json_object_foreach(args, key, v)
		{
			if ((tool->path_arg && strcmp(key, tool->path_arg) == 0) || json_is_null(v))
				continue;
			if ((rc = query_add(q, key, v)) < 0) {
				/* over the buffer's bound: the query a GET route could take anyway
				 */
				status = 400, param = key;
				problem = "The arguments are too long for this tool.";
				break;
			}
			if (rc > 0) {
				status = 400, param = key;
				problem = "This argument must be a string, an integer, a boolean "
				          "or a list "
				          "of strings.";
				break;
			}
		}
	} else if (problem == NULL) {
		/* the body is the arguments without the ones the path and headers carry */
		if ((fields = json_copy(args)) == NULL)
			return NULL;
		if (tool->path_arg)
			json_object_del(fields, tool->path_arg);
		json_object_del(fields, "action");
		json_object_del(fields, "idempotencyKey");
		body = json_dumps(fields, JSON_COMPACT);
		json_decref(fields);
		if (body == NULL)
			return NULL;
	}

	if (http_request_init_local(&req, method, path, q->data ? q->data : "",
	        body ? "application/json" : NULL, body, body ? strlen(body) : 0,
	        c->request_id) != LC_OK) {
		http_request_done_local(&req);
		free(body);
		return NULL;
	}
	req.idempotency_key = idem;
	req.authorization = c->authorization;
	req.workspace_id = c->workspace;
	if (problem)
		/* refused before the API: the API's envelope all the same */
		http_problem(&req, status,
		    status == 404   ? tool->not_found
		    : status == 400 ? "invalid_parameter"
		                    : "validation_failed",
		    problem, param, NULL, NULL);
	else if (c->authorization && http_authenticate(c->core, &req, &c->who) != 0)
		; /* the key stopped working: the answer is the API's 401/403/404 */
	else
		http_invoke(c->core, &c->who, &req);
	log_msg(req.status >= 500 ? LOG_ERROR : LOG_DEBUG, "request %s: mcp tool %s: %s %s -> %d",
	    req.request_id, tool->name, method, path, req.status);
	result = result_of(&req);
	http_request_done_local(&req);
	free(body);
	return result;
}

json_t *
mcp_call_api(void *arg, const struct mcp_tool *tool, json_t *args)
{
	struct mcp_caller *c = arg;
	struct buf q;
	json_t *result;

	buf_init(&q, HTTP_BODY_MAX);
	result = run(c, tool, args, &q);
	buf_free(&q);
	return result;
}
