/* fuzz_mcp.c: libFuzzer target for the MCP front's JSON-RPC message reader (mcp_handle,
 * src/mcp/mcp.c) and the tool-argument translation behind tools/call (mcp_call_api,
 * src/mcp/mcp_call.c): every line a stdio client writes and every POST /mcp body reaches
 * mcp_handle as it is. The input is one message. The tools run against a core whose
 * database cannot be reached, so a call that passes the argument checks answers the API's
 * 503 as a tool error.
 *
 * Promises checked, from mcp.h: the outcome is one of the three; MCP_NO_REPLY comes with no
 * answer and the others always with one (no out-of-memory here); an answer is a JSON-RPC
 * 2.0 object with an "id" and exactly one of "result" and "error"; an error has an integer
 * code of the JSON-RPC set and a string message; a parse error and only a parse error
 * answers input that is not JSON; MCP_BAD_MESSAGE answers -32700 or -32600; a request's
 * answer carries the request's id; a tools/call result has a "content" array and a
 * boolean "isError"; an answer never holds a NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "fuzz.h"
#include "fuzz_mcp.h"
#include "mcp/mcp.h"
#include "util/config.h"
#include "util/log.h"

static void fuzz_die(const char *);
static void fuzz_answer(const uint8_t *, size_t, enum mcp_outcome, const char *);

static struct fuzz_mcp m;

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_mcp: broken promise: %s\n", what);
	abort();
}

static void
fuzz_answer(const uint8_t *data, size_t size, enum mcp_outcome o, const char *out)
{
	json_t *msg, *ans, *id, *err, *res, *code, *mid, *method;
	json_int_t c;

	msg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (o == MCP_NO_REPLY) {
		if (out != NULL)
			fuzz_die("an answer to a message that gets none");
		if (msg == NULL)
			fuzz_die("no answer to text that is not JSON");
		json_decref(msg);
		return;
	}
	if (o != MCP_REPLY && o != MCP_BAD_MESSAGE)
		fuzz_die("outcome outside the three");
	if (out == NULL)
		fuzz_die("no answer");
	if ((ans = json_loads(out, 0, NULL)) == NULL || !json_is_object(ans))
		fuzz_die("answer is not a JSON object (or holds a NUL)");
	id = json_object_get(ans, "id");
	err = json_object_get(ans, "error");
	res = json_object_get(ans, "result");
	if (!json_is_string(json_object_get(ans, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(ans, "jsonrpc")), "2.0") != 0 || id == NULL ||
	    (err == NULL) == (res == NULL))
		fuzz_die("answer is not JSON-RPC 2.0 with an id and one of result and error");
	c = 0;
	if (err != NULL) {
		code = json_object_get(err, "code");
		c = json_integer_value(code);
		if (!json_is_integer(code) || !json_is_string(json_object_get(err, "message")) ||
		    (c != MCP_PARSE_ERROR && c != MCP_INVALID_REQUEST &&
		        c != MCP_METHOD_NOT_FOUND && c != MCP_INVALID_PARAMS &&
		        c != MCP_INTERNAL_ERROR))
			fuzz_die("error without a JSON-RPC code or a message");
	}
	if ((msg == NULL) != (c == MCP_PARSE_ERROR))
		fuzz_die("parse error for JSON, or none for text that is not JSON");
	if (o == MCP_BAD_MESSAGE && c != MCP_PARSE_ERROR && c != MCP_INVALID_REQUEST)
		fuzz_die("a bad message answered with another code");
	if (o == MCP_REPLY) {
		mid = json_object_get(msg, "id");
		if (mid == NULL || !json_equal(mid, id))
			fuzz_die("the answer to a request does not carry its id");
		method = json_object_get(msg, "method");
		if (res != NULL && json_is_string(method) &&
		    strcmp(json_string_value(method), "tools/call") == 0 &&
		    (!json_is_array(json_object_get(res, "content")) ||
		        !json_is_boolean(json_object_get(res, "isError"))))
			fuzz_die("a tools/call result without content or isError");
	}
	json_decref(ans);
	json_decref(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum mcp_outcome o;
	char *out = NULL;

	fuzz_mcp_init(&m);
	o = mcp_handle(&m.srv, (const char *)data, size, &out);
	fuzz_answer(data, size, o, out);
	free(out);
	return 0;
}
