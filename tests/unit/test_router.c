/* test_router.c: route table matching, captures and the 405 Allow list.
 * Paths are copied to exact-size heap buffers without a NUL so that a read past len
 * is caught by ASan or valgrind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"

static void h_healthz(void *);
static void h_list(void *);
static void h_get(void *);
static void h_metrics(void *);
static void h_pause(void *);
static void match(const struct route *, size_t, const char *, const char *, struct route_match *);
static void route(const char *, const char *, struct route_match *);
static void assert_no_route(
    const char *method, const char *path, int path_exists, const char *allow);

static void
h_healthz(void *ctx)
{
	(void)ctx;
}

static void
h_list(void *ctx)
{
	(void)ctx;
}

static void
h_get(void *ctx)
{
	(void)ctx;
}

static void
h_metrics(void *ctx)
{
	(void)ctx;
}

static void
h_pause(void *ctx)
{
	(void)ctx;
}

static const struct route table[] = {
    {"GET", "/healthz", h_healthz, AUTH_NONE},
    {"GET", "/v1/x", h_list, AUTH_WORKSPACE},
    {"GET", "/v1/x/{id}", h_get, AUTH_WORKSPACE},
    {"GET", "/v1/x/{id}/metrics", h_metrics, AUTH_WORKSPACE},
    {"POST", "/v1/x/{id}/pause", h_pause, AUTH_WORKSPACE},
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

/* match runs router_match on a copy of path without a terminating NUL. */
static void
match(const struct route *t, size_t n, const char *method, const char *path, struct route_match *m)
{
	size_t len = strlen(path);
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, path, len);
	router_match(t, n, method, copy, len, m);
	free(copy);
}

static void
route(const char *method, const char *path, struct route_match *m)
{
	match(table, NTABLE, method, path, m);
}

static void
assert_no_route(const char *method, const char *path, int path_exists, const char *allow)
{
	struct route_match m;

	route(method, path, &m);
	if (m.route != NULL)
		fail_msg("%s %s matched %s", method, path, m.route->pattern);
	assert_int_equal(m.path_exists, path_exists);
	assert_string_equal(m.allow, allow);
}

/* ---- matches ---- */

static void
test_match_literal_route(void **state)
{
	struct route_match m;

	(void)state;
	route("GET", "/healthz", &m);
	assert_ptr_equal(m.route, &table[0]);
	assert_ptr_equal(m.route->handler, h_healthz);
	assert_int_equal(m.route->auth, AUTH_NONE);
	assert_int_equal(m.ncaptures, 0);
	route("GET", "/v1/x", &m);
	assert_ptr_equal(m.route, &table[1]);
	assert_int_equal(m.ncaptures, 0);
}

static void
test_match_capture(void **state)
{
	struct route_match m;

	(void)state;
	route("GET", "/v1/x/scmp_abc-DEF_123", &m);
	assert_ptr_equal(m.route, &table[2]);
	assert_int_equal(m.ncaptures, 1);
	assert_string_equal(m.captures[0], "scmp_abc-DEF_123");
	assert_int_equal(m.path_exists, 0);
}

static void
test_match_capture_followed_by_literal(void **state)
{
	struct route_match m;

	(void)state;
	route("GET", "/v1/x/abc/metrics", &m);
	assert_ptr_equal(m.route, &table[3]);
	assert_int_equal(m.ncaptures, 1);
	assert_string_equal(m.captures[0], "abc");
}

static void
test_match_post_route(void **state)
{
	struct route_match m;

	(void)state;
	route("POST", "/v1/x/abc/pause", &m);
	assert_ptr_equal(m.route, &table[4]);
	assert_ptr_equal(m.route->handler, h_pause);
	assert_int_equal(m.ncaptures, 1);
	assert_string_equal(m.captures[0], "abc");
}

static void
test_match_honours_len(void **state)
{
	const char *path = "/v1/x/abc?x=1";
	struct route_match m;

	(void)state;
	router_match(table, NTABLE, "GET", path, 9, &m);
	assert_ptr_equal(m.route, &table[2]);
	assert_string_equal(m.captures[0], "abc");
}

static void
test_match_several_captures(void **state)
{
	static const struct route t[] = {
	    {"GET", "/a/{w}/b/{x}/{y}/{z}", h_get, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 1, "GET", "/a/1/b/22/333/4444", &m);
	assert_ptr_equal(m.route, &t[0]);
	assert_int_equal(m.ncaptures, 4);
	assert_string_equal(m.captures[0], "1");
	assert_string_equal(m.captures[1], "22");
	assert_string_equal(m.captures[2], "333");
	assert_string_equal(m.captures[3], "4444");
}

static void
test_match_literal_before_capture(void **state)
{
	static const struct route t[] = {
	    {"GET", "/v1/x/new", h_list, AUTH_NONE},
	    {"GET", "/v1/x/{id}", h_get, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 2, "GET", "/v1/x/new", &m);
	assert_ptr_equal(m.route, &t[0]);
	assert_int_equal(m.ncaptures, 0);
	match(t, 2, "GET", "/v1/x/old", &m);
	assert_ptr_equal(m.route, &t[1]);
	assert_string_equal(m.captures[0], "old");
}

/* ---- non-matches ---- */

static void
test_trailing_slash_does_not_match(void **state)
{
	(void)state;
	assert_no_route("GET", "/healthz/", 0, "");
	assert_no_route("GET", "/v1/x/", 0, "");
	assert_no_route("GET", "/v1/x/abc/", 0, "");
	assert_no_route("GET", "/v1/x/abc/metrics/", 0, "");
}

static void
test_empty_capture_does_not_match(void **state)
{
	(void)state;
	assert_no_route("GET", "/v1/x//metrics", 0, "");
	assert_no_route("POST", "/v1/x//pause", 0, "");
}

static void
test_capture_does_not_span_segments(void **state)
{
	(void)state;
	assert_no_route("GET", "/v1/x/a/b", 0, "");
	assert_no_route("GET", "/v1/x/a/b/metrics", 0, "");
}

static void
test_prefix_and_extension_do_not_match(void **state)
{
	(void)state;
	assert_no_route("GET", "/healthzz", 0, "");
	assert_no_route("GET", "/health", 0, "");
	assert_no_route("GET", "/v1", 0, "");
	assert_no_route("GET", "/v1/xy", 0, "");
	assert_no_route("GET", "/v1/x/abc/metricsx", 0, "");
	assert_no_route("GET", "/v1/x/abc/metric", 0, "");
	assert_no_route("GET", "", 0, "");
	assert_no_route("GET", "/", 0, "");
	assert_no_route("GET", "//v1/x", 0, "");
}

static void
test_capture_of_127_bytes_matches(void **state)
{
	char path[8 + ROUTE_CAPTURE_MAX];
	char want[ROUTE_CAPTURE_MAX];
	struct route_match m;

	(void)state;
	memcpy(path, "/v1/x/", 6);
	memset(path + 6, 'a', ROUTE_CAPTURE_MAX - 1);
	path[6 + ROUTE_CAPTURE_MAX - 1] = '\0';
	memset(want, 'a', ROUTE_CAPTURE_MAX - 1);
	want[ROUTE_CAPTURE_MAX - 1] = '\0';
	route("GET", path, &m);
	assert_ptr_equal(m.route, &table[2]);
	assert_string_equal(m.captures[0], want);
}

static void
test_capture_of_128_bytes_does_not_match(void **state)
{
	char path[8 + ROUTE_CAPTURE_MAX];

	(void)state;
	memcpy(path, "/v1/x/", 6);
	memset(path + 6, 'a', ROUTE_CAPTURE_MAX);
	path[6 + ROUTE_CAPTURE_MAX] = '\0';
	assert_no_route("GET", path, 0, "");
}

static void
test_long_capture_before_literal_does_not_match(void **state)
{
	char path[32 + ROUTE_CAPTURE_MAX];

	(void)state;
	memcpy(path, "/v1/x/", 6);
	memset(path + 6, 'a', ROUTE_CAPTURE_MAX);
	memcpy(path + 6 + ROUTE_CAPTURE_MAX, "/pause", 7);
	assert_no_route("POST", path, 0, "");
}

static void
test_method_is_case_sensitive(void **state)
{
	(void)state;
	assert_no_route("get", "/healthz", 1, "GET");
}

/* ---- 405 ---- */

static void
test_wrong_method_reports_allow_get(void **state)
{
	(void)state;
	assert_no_route("POST", "/healthz", 1, "GET");
	assert_no_route("POST", "/v1/x", 1, "GET");
	assert_no_route("DELETE", "/v1/x/abc", 1, "GET");
	assert_no_route("PUT", "/v1/x/abc/metrics", 1, "GET");
}

static void
test_wrong_method_reports_allow_post(void **state)
{
	(void)state;
	assert_no_route("GET", "/v1/x/abc/pause", 1, "POST");
}

static void
test_unknown_path_is_not_405(void **state)
{
	(void)state;
	assert_no_route("GET", "/nope", 0, "");
	assert_no_route("POST", "/v1/y/abc/pause", 0, "");
}

static void
test_allow_lists_every_method_once(void **state)
{
	static const struct route t[] = {
	    {"GET", "/v1/y/{id}", h_get, AUTH_NONE},
	    {"POST", "/v1/y/{id}", h_pause, AUTH_NONE},
	    {"GET", "/v1/{kind}/abc", h_list, AUTH_NONE},
	    {"DELETE", "/v1/y/{id}", h_pause, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 4, "PUT", "/v1/y/abc", &m);
	assert_null(m.route);
	assert_int_equal(m.path_exists, 1);
	assert_string_equal(m.allow, "GET, POST, DELETE");
}

static void
test_match_after_other_methods_keeps_route_and_captures(void **state)
{
	static const struct route t[] = {
	    {"GET", "/v1/y/{id}", h_get, AUTH_NONE},
	    {"POST", "/v1/y/{name}", h_pause, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 2, "POST", "/v1/y/abc", &m);
	assert_ptr_equal(m.route, &t[1]);
	assert_int_equal(m.ncaptures, 1);
	assert_string_equal(m.captures[0], "abc");
}

static void
test_literal_segment_beats_capture_in_any_order(void **state)
{
	static const struct route t[] = {
	    {"GET", "/v1/c/{id}", h_get, AUTH_NONE},
	    {"DELETE", "/v1/c/{id}", h_pause, AUTH_NONE},
	    {"POST", "/v1/c/respond", h_list, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 3, "POST", "/v1/c/respond", &m);
	assert_ptr_equal(m.route, &t[2]);
	assert_int_equal(m.ncaptures, 0);
	/* the literal route names the path: GET is not a capture of "respond" */
	match(t, 3, "GET", "/v1/c/respond", &m);
	assert_null(m.route);
	assert_int_equal(m.path_exists, 1);
	assert_string_equal(m.allow, "POST");
	match(t, 3, "DELETE", "/v1/c/respond", &m);
	assert_null(m.route);
	assert_string_equal(m.allow, "POST");
	/* other ids still reach the capture routes */
	match(t, 3, "POST", "/v1/c/abc", &m);
	assert_null(m.route);
	assert_string_equal(m.allow, "GET, DELETE");
	match(t, 3, "DELETE", "/v1/c/abc", &m);
	assert_ptr_equal(m.route, &t[1]);
	assert_string_equal(m.captures[0], "abc");
}

static void
test_earlier_literal_segment_decides(void **state)
{
	static const struct route t[] = {
	    {"GET", "/v1/{kind}/abc", h_list, AUTH_NONE},
	    {"POST", "/v1/y/{id}", h_pause, AUTH_NONE},
	};
	struct route_match m;

	(void)state;
	match(t, 2, "GET", "/v1/y/abc", &m);
	assert_null(m.route);
	assert_string_equal(m.allow, "POST");
	match(t, 2, "GET", "/v1/z/abc", &m);
	assert_ptr_equal(m.route, &t[0]);
	assert_string_equal(m.captures[0], "z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match_literal_route),
	    cmocka_unit_test(test_match_capture),
	    cmocka_unit_test(test_match_capture_followed_by_literal),
	    cmocka_unit_test(test_match_post_route),
	    cmocka_unit_test(test_match_honours_len),
	    cmocka_unit_test(test_match_several_captures),
	    cmocka_unit_test(test_match_literal_before_capture),
	    cmocka_unit_test(test_trailing_slash_does_not_match),
	    cmocka_unit_test(test_empty_capture_does_not_match),
	    cmocka_unit_test(test_capture_does_not_span_segments),
	    cmocka_unit_test(test_prefix_and_extension_do_not_match),
	    cmocka_unit_test(test_capture_of_127_bytes_matches),
	    cmocka_unit_test(test_capture_of_128_bytes_does_not_match),
	    cmocka_unit_test(test_long_capture_before_literal_does_not_match),
	    cmocka_unit_test(test_method_is_case_sensitive),
	    cmocka_unit_test(test_wrong_method_reports_allow_get),
	    cmocka_unit_test(test_wrong_method_reports_allow_post),
	    cmocka_unit_test(test_unknown_path_is_not_405),
	    cmocka_unit_test(test_allow_lists_every_method_once),
	    cmocka_unit_test(test_match_after_other_methods_keeps_route_and_captures),
	    cmocka_unit_test(test_literal_segment_beats_capture_in_any_order),
	    cmocka_unit_test(test_earlier_literal_segment_decides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
