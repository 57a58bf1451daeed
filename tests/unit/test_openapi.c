/* test_openapi.c: the API reference linkcamp-fcgi embeds (docs/openapi.md) is the
 * document make generated from docs/openapi.yaml, and it and the route table of
 * src/routes.c name the same operations: a route added without its description, or a
 * described operation no route serves, fails here before any integration test runs. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "api/openapi_doc.h"
#include "http/dispatch.h"

static json_t *load_doc(void);
static int described(const char *pattern);
static const char *lower(const char *method, char *out, size_t len);

/* load_doc parses the embedded document (a new reference; the test fails when it does
 * not parse as one JSON object). */
static json_t *
load_doc(void)
{
	json_error_t err;
	json_t *doc = json_loadb(openapi_json, openapi_json_len, JSON_REJECT_DUPLICATES, &err);

	if (doc == NULL)
		fail_msg("openapi_json does not parse: %s at line %d", err.text, err.line);
	assert_true(json_is_object(doc));
	return doc;
}

/* described says whether a route of the table belongs in the document: the JSON API,
 * the probes, the metrics and the reference itself (the HTML pages and /mcp do not). */
static int
described(const char *pattern)
{
	return strncmp(pattern, "/v1/", 4) == 0 || strcmp(pattern, "/healthz") == 0 ||
	       strcmp(pattern, "/readyz") == 0 || strcmp(pattern, "/metrics") == 0 ||
	       strcmp(pattern, "/docs/api") == 0;
}

static const char *
lower(const char *method, char *out, size_t len)
{
	size_t i;

	for (i = 0; method[i] && i + 1 < len; i++)
		out[i] = (char)tolower((unsigned char)method[i]);
	out[i] = '\0';
	return out;
}

static void
test_document(void **state)
{
	json_t *doc;

	(void)state;
	assert_int_equal(strlen(openapi_json), openapi_json_len);
	doc = load_doc();
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	assert_true(json_is_object(json_object_get(doc, "paths")));
	assert_true(json_is_object(json_object_get(json_object_get(doc, "components"), "schemas")));
	json_decref(doc);
}

static void
test_every_route_described(void **state)
{
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths"), *op;
	char m[16];
	size_t i;

	(void)state;
	for (i = 0; i < http_nroutes; i++) {
		const struct route *r = &http_routes[i];
		if (!described(r->pattern))
			continue;
		op = json_object_get(
		    json_object_get(paths, r->pattern), lower(r->method, m, sizeof(m)));
		if (!json_is_object(op) || !json_is_object(json_object_get(op, "responses")))
			fail_msg("%s %s is routed but docs/openapi.yaml does not describe it",
			    r->method, r->pattern);
	}
	json_decref(doc);
}

static void
test_every_operation_routed(void **state)
{
	static const char *const methods[] = {"GET", "PUT", "POST", "DELETE", "PATCH", NULL};
	json_t *doc = load_doc(), *paths = json_object_get(doc, "paths"), *item;
	const char *path;
	char m[16];
	size_t i, j;

	(void)state;
	json_object_foreach(paths, path, item)
	{
		for (j = 0; methods[j]; j++) {
			if (json_object_get(item, lower(methods[j], m, sizeof(m))) == NULL)
				continue;
			for (i = 0; i < http_nroutes; i++)
				if (strcmp(http_routes[i].pattern, path) == 0 &&
				    strcmp(http_routes[i].method, methods[j]) == 0)
					break;
			if (i == http_nroutes)
				fail_msg("docs/openapi.yaml describes %s %s, which no route serves",
				    methods[j], path);
		}
	}
	json_decref(doc);
}

static void
test_page_and_tags(void **state)
{
	(void)state;
	assert_int_equal(strlen(openapi_html), openapi_html_len);
	assert_int_equal(strncmp(openapi_html, "<!doctype html>", 15), 0);
	assert_non_null(strstr(openapi_html, "/v1/openapi.json"));
	/* strong entity tags: a quoted hash, no W/ */
	assert_int_equal(strlen(openapi_json_etag), 34);
	assert_int_equal(openapi_json_etag[0], '"');
	assert_int_equal(openapi_json_etag[33], '"');
	assert_int_equal(strlen(openapi_html_etag), 34);
	assert_string_not_equal(openapi_json_etag, openapi_html_etag);
	assert_int_equal(strncmp(openapi_html_style_hash, "sha256-", 7), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_document),
	    cmocka_unit_test(test_every_route_described),
	    cmocka_unit_test(test_every_operation_routed),
	    cmocka_unit_test(test_page_and_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
