/* test_mcp.c: the MCP JSON-RPC dispatcher without a database — parsing, the error
 * answers, version negotiation, notifications, the tool table and tools/call routing
 * (with a stand-in for the API). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mcp/mcp.h"

struct fake {
	const struct mcp_tool *tool;
	json_t *args;
	int calls;
};

static json_t *
fake_call(void *arg, const struct mcp_tool *tool, json_t *args)
{
	struct fake *f = arg;

	f->calls++;
	f->tool = tool;
	json_decref(f->args);
	f->args = json_deep_copy(args);
	return json_pack("{s:[{s:s,s:s}],s:{s:b},s:b}", "content", "type", "text", "text",
	    "{\"ok\":true}", "structuredContent", "ok", 1, "isError", 0);
}

/* handle runs msg through a server with fake and returns the parsed answer (NULL when
 * none) and the outcome in *outcome. */
static json_t *
handle(struct fake *f, int dotted, const char *msg, enum mcp_outcome *outcome)
{
	struct mcp_server srv = {dotted, fake_call, f};
	json_error_t jerr;
	char *out = NULL;
	json_t *doc = NULL;

	*outcome = mcp_handle(&srv, msg, strlen(msg), &out);
	if (*outcome == MCP_NO_REPLY) {
		assert_null(out);
		return NULL;
	}
	assert_non_null(out);
	doc = json_loads(out, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "jsonrpc")), "2.0");
	free(out);
	return doc;
}

static int
error_code(json_t *doc)
{
	json_t *e = json_object_get(doc, "error");

	assert_non_null(e);
	assert_true(json_is_string(json_object_get(e, "message")));
	assert_null(json_object_get(doc, "result"));
	return (int)json_integer_value(json_object_get(e, "code"));
}

static void
expect_error(const char *msg, int code, enum mcp_outcome want, const char *id)
{
	struct fake f = {0};
	enum mcp_outcome o;
	json_t *doc = handle(&f, 0, msg, &o);

	assert_int_equal(o, want);
	assert_int_equal(error_code(doc), code);
	if (id == NULL)
		assert_true(json_is_null(json_object_get(doc, "id")));
	else
		assert_string_equal(json_string_value(json_object_get(doc, "id")), id);
	assert_int_equal(f.calls, 0);
	json_decref(doc);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	expect_error("", MCP_PARSE_ERROR, MCP_BAD_MESSAGE, NULL);
	expect_error("{", MCP_PARSE_ERROR, MCP_BAD_MESSAGE, NULL);
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x", MCP_PARSE_ERROR,
	    MCP_BAD_MESSAGE, NULL);
	/* duplicate keys and invalid UTF-8 are not JSON we accept */
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}", MCP_PARSE_ERROR,
	    MCP_BAD_MESSAGE, NULL);
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"ping\"}", MCP_PARSE_ERROR,
	    MCP_BAD_MESSAGE, NULL);
}

static void
test_invalid_requests(void **state)
{
	(void)state;
	expect_error("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, NULL);
	expect_error("[]", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, NULL);
	expect_error("42", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, NULL);
	expect_error("\"ping\"", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, NULL);
	expect_error("null", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, NULL);
	expect_error(
	    "{\"id\":\"a\",\"method\":\"ping\"}", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, "a");
	expect_error("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"ping\"}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, "a");
	expect_error("{\"jsonrpc\":2,\"id\":\"a\",\"method\":\"ping\"}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, "a");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":5}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, "a");
	expect_error(
	    "{\"jsonrpc\":\"2.0\",\"id\":\"a\"}", MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, "a");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, NULL);
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, NULL);
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", MCP_INVALID_REQUEST,
	    MCP_BAD_MESSAGE, NULL);
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\",\"params\":[1]}",
	    MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, "a");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"ping\",\"params\":\"x\"}",
	    MCP_INVALID_REQUEST, MCP_BAD_MESSAGE, "a");
}

static void
test_unknown_method_and_ping(void **state)
{
	struct fake f = {0};
	enum mcp_outcome o;
	json_t *doc;

	(void)state;
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"m\",\"method\":\"resources/list\"}",
	    MCP_METHOD_NOT_FOUND, MCP_REPLY, "m");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"m\",\"method\":\"\"}", MCP_METHOD_NOT_FOUND,
	    MCP_REPLY, "m");
	doc = handle(&f, 0, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}", &o);
	assert_int_equal(o, MCP_REPLY);
	assert_int_equal(json_integer_value(json_object_get(doc, "id")), 7);
	assert_true(json_is_object(json_object_get(doc, "result")));
	assert_int_equal(json_object_size(json_object_get(doc, "result")), 0);
	json_decref(doc);
}

static void
test_notifications_and_responses_get_no_answer(void **state)
{
	struct fake f = {0};
	enum mcp_outcome o;

	(void)state;
	assert_null(
	    handle(&f, 0, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &o));
	assert_int_equal(o, MCP_NO_REPLY);
	assert_null(handle(&f, 0,
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "cancelled\",\"params\":{\"requestId\":1}}",
	    &o));
	assert_int_equal(o, MCP_NO_REPLY);
	/* even a notification naming a tools/call is never run */
	assert_null(handle(&f, 0,
	    "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":"
	    "\"link_building_campaign_list\"}}",
	    &o));
	assert_int_equal(o, MCP_NO_REPLY);
	assert_int_equal(f.calls, 0);
	assert_null(handle(&f, 0, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}", &o));
	assert_int_equal(o, MCP_NO_REPLY);
	assert_null(handle(
	    &f, 0, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":1,\"message\":\"x\"}}", &o));
	assert_int_equal(o, MCP_NO_REPLY);
}

static void
negotiate(const char *asked, const char *want)
{
	struct fake f = {0};
	enum mcp_outcome o;
	char msg[512];
	json_t *doc, *r;

	snprintf(msg, sizeof(msg),
	    "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{"
	    "\"protocolVersion\":\"%s\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
	    "\"version\":\"1\"}}}",
	    asked);
	doc = handle(&f, 0, msg, &o);
	assert_int_equal(o, MCP_REPLY);
	r = json_object_get(doc, "result");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "protocolVersion")), want);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r, "serverInfo"), "name")),
	    "linkcamp");
	assert_true(json_is_string(json_object_get(json_object_get(r, "serverInfo"), "version")));
	assert_true(json_is_object(json_object_get(json_object_get(r, "capabilities"), "tools")));
	json_decref(doc);
}

static void
test_initialize_negotiates(void **state)
{
	(void)state;
	negotiate("2025-11-25", "2025-11-25");
	negotiate("2025-06-18", "2025-06-18");
	negotiate("2025-03-26", "2025-03-26");
	negotiate("2024-11-05", "2025-11-25");
	negotiate("2099-01-01", "2025-11-25");
	negotiate("", "2025-11-25");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":\"initialize\"}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "i");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":\"initialize\",\"params\":{}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "i");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":\"initialize\",\"params\":{"
	             "\"protocolVersion\":20251125}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "i");
}

static void
check_list(int dotted)
{
	static const char *const names[] = {"link_building_campaign_list",
	    "link_building_campaign_get", "link_building_campaign_metrics",
	    "link_building_campaign_toggle", "link_building_campaign_send_email",
	    "link_building_campaign_respond", "link_building_crm_relationship_list",
	    "link_building_inbound_list", "link_building_approval_list"};
	struct fake f = {0};
	enum mcp_outcome o;
	json_t *doc, *tools, *t, *in, *ann;
	size_t i, j;

	doc = handle(&f, dotted, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", &o);
	assert_int_equal(o, MCP_REPLY);
	tools = json_object_get(json_object_get(doc, "result"), "tools");
	assert_int_equal(json_array_size(tools), 9);
	json_array_foreach(tools, i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		char want[64];

		snprintf(want, sizeof(want), "%s", names[i]);
		if (dotted) /* link_building_campaign_list -> link_building.campaign.list */
			for (j = strlen("link_building"); want[j]; j++)
				if (want[j] == '_' && strncmp(want + j + 1, "email", 5) != 0)
					want[j] = '.';
		assert_string_equal(name, want);
		assert_ptr_equal(mcp_tool_find(name), mcp_tool_find(names[i]));
		assert_true(json_is_string(json_object_get(t, "description")));
		in = json_object_get(t, "inputSchema");
		assert_string_equal(json_string_value(json_object_get(in, "type")), "object");
		assert_true(json_is_false(json_object_get(in, "additionalProperties")));
		assert_string_equal(
		    json_string_value(json_object_get(json_object_get(t, "outputSchema"), "type")),
		    "object");
		ann = json_object_get(t, "annotations");
		assert_true(json_is_boolean(json_object_get(ann, "readOnlyHint")));
		assert_true(json_is_boolean(json_object_get(ann, "destructiveHint")));
		assert_true(json_is_boolean(json_object_get(ann, "idempotentHint")));
	}
	json_decref(doc);
}

static void
test_tools_list(void **state)
{
	(void)state;
	check_list(0);
	check_list(1);
	assert_null(mcp_tool_find("link_building_campaign"));
	assert_null(mcp_tool_find(""));
}

static void
test_tools_call(void **state)
{
	struct fake f = {0};
	enum mcp_outcome o;
	json_t *doc, *r;

	(void)state;
	doc = handle(&f, 0,
	    "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":"
	    "\"link_building.campaign.toggle\",\"arguments\":{\"campaignId\":\"scmp_x\","
	    "\"action\":\"pause\"}}}",
	    &o);
	assert_int_equal(o, MCP_REPLY);
	assert_int_equal(f.calls, 1);
	assert_string_equal(f.tool->name, "link_building_campaign_toggle");
	assert_string_equal(json_string_value(json_object_get(f.args, "action")), "pause");
	r = json_object_get(doc, "result");
	assert_true(json_is_false(json_object_get(r, "isError")));
	json_decref(doc);
	/* no arguments is an empty object */
	doc = handle(&f, 0,
	    "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":"
	    "\"link_building_campaign_list\"}}",
	    &o);
	assert_int_equal(f.calls, 2);
	assert_true(json_is_object(f.args));
	assert_int_equal(json_object_size(f.args), 0);
	json_decref(doc);
	json_decref(f.args);

	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{"
	             "\"name\":\"no_such_tool\"}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\"}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{"
	             "\"name\":7}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{"
	             "\"name\":\"link_building_campaign_list\",\"arguments\":[]}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
	expect_error("{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{"
	             "\"name\":\"link_building_campaign_list\",\"arguments\":\"x\"}}",
	    MCP_INVALID_PARAMS, MCP_REPLY, "c");
}

static void
test_versions(void **state)
{
	(void)state;
	assert_true(mcp_version_supported("2025-11-25"));
	assert_true(mcp_version_supported("2025-06-18"));
	assert_true(mcp_version_supported("2025-03-26"));
	assert_false(mcp_version_supported("2024-11-05"));
	assert_false(mcp_version_supported(""));
	assert_false(mcp_version_supported(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_invalid_requests),
	    cmocka_unit_test(test_unknown_method_and_ping),
	    cmocka_unit_test(test_notifications_and_responses_get_no_answer),
	    cmocka_unit_test(test_initialize_negotiates),
	    cmocka_unit_test(test_tools_list),
	    cmocka_unit_test(test_tools_call),
	    cmocka_unit_test(test_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
