/* fuzz_json.c: libFuzzer target for the JSON request bodies of the API: api_read_json and
 * the field readers (src/api/api_body.c), the campaign body (src/api/campaign_input.c) and
 * each route's own checks, run through http_invoke as the MCP front runs them. The first
 * input byte picks one of the routes that take a JSON body, the rest is the body.
 *
 * The core's database cannot be reached (a socket path that does not exist), so a body
 * that passes every check ends in 503 when the route first needs the database. Promises
 * checked: every answer is a problem+json object whose "status" is the HTTP status and
 * whose "param", when present, is a string; the status is a client error (400, 404, 409,
 * 413, 415, 422) or 503 — never 500, which would be a bug on our side; a body that is not a
 * JSON object (with unique keys) is 400 invalid_json, and only such a body is. Then
 * campaign_input_parse on the body itself: LC_OK or LC_EINVAL with a parameter name that
 * is valid UTF-8 (it is sent back in the problem) and a campaign whose strings are valid
 * UTF-8 without NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/api.h"
#include "api/campaign_input.h"
#include "fuzz.h"
#include "fuzz_core.h"
#include "util/config.h"
#include "util/log.h"
#include "util/utf8.h"

static void fuzz_die(const char *);
static void fuzz_init(void);
static void fuzz_route(unsigned, const char *, size_t);
static void fuzz_campaign(const char *, size_t);
static void fuzz_text(const char *);

static const struct {
	const char *method, *path;
} routes[] = {
    {"POST", "/v1/link-building/campaign"},
    {"POST", "/v1/link-building/campaign/cmp_fuzz/relationships"},
    {"POST", "/v1/link-building/campaign/cmp_fuzz/send-email"},
    {"POST", "/v1/link-building/campaign/respond"},
    {"POST", "/v1/approvals/apr_fuzz/approve"},
    {"POST", "/v1/approvals/apr_fuzz/reject"},
    {"PUT", "/v1/workspace/policy"},
    {"POST", "/v1/webhooks"},
    {"POST", "/v1/webhooks/wh_fuzz/test"},
    {"POST", "/v1/link-building/relationship/rel_fuzz/placement"},
    {"POST", "/v1/link-building/campaign/cmp_fuzz/pause"},
    {"POST", "/v1/link-building/campaign/cmp_fuzz/complete"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static struct config cfg;
static struct core core;

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_json: broken promise: %s\n", what);
	abort();
}

static void
fuzz_init(void)
{
	if (!fuzz_core_init(&core, &cfg))
		return;
}

static void
fuzz_text(const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		fuzz_die("a string of the campaign is not valid UTF-8");
}

/* fuzz_route sends body to route r and checks the answer. */
static void
fuzz_route(unsigned r, const char *body, size_t len)
{
	struct http_request req;
	struct principal who;
	json_t *doc, *st, *param, *parsed;
	const char *code;
	int s, object;

	parsed = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	object = json_is_object(parsed);
	json_decref(parsed);
	if (http_request_init_local(&req, routes[r].method, routes[r].path, "", "application/json",
	        body, len, NULL) != LC_OK)
		fuzz_die("http_request_init_local");
	memset(&who, 0, sizeof(who));
	who.account_id = 1;
	who.workspace_id = 1;
	who.can_approve = 1;
	snprintf(who.workspace_public, sizeof(who.workspace_public), "ws_fuzz");
	http_invoke(&core, &who, &req);
	s = req.status;
	doc = json_loadb(req.out.data ? req.out.data : "", req.out.len, 0, NULL);
	st = json_object_get(doc, "status");
	param = json_object_get(doc, "param");
	code = json_string_value(json_object_get(doc, "code"));
	if (!json_is_integer(st) || json_integer_value(st) != s || code == NULL) {
		fprintf(stderr, "status %d: %.*s\n", s, (int)req.out.len,
		    req.out.data ? req.out.data : "");
		fuzz_die("answer is not problem+json with its status");
	}
	if (param != NULL && !json_is_string(param))
		fuzz_die("problem param is not a string");
	if (s != 400 && s != 404 && s != 409 && s != 413 && s != 415 && s != 422 && s != 503) {
		fprintf(stderr, "status %d: %.*s\n", s, (int)req.out.len, req.out.data);
		fuzz_die("a body answered with a status outside the client errors and 503");
	}
	if (!object && len > 0 && (s != 400 || strcmp(code, "invalid_json") != 0))
		fuzz_die("a body that is not a JSON object passed as one");
	if (object && strcmp(code, "invalid_json") == 0)
		fuzz_die("a JSON object refused as invalid_json");
	json_decref(doc);
	http_request_done_local(&req);
}

/* fuzz_campaign runs the campaign body reader on body, when it is a JSON object. */
static void
fuzz_campaign(const char *body, size_t len)
{
	struct campaign_new in;
	struct prospect_in *prospects = NULL;
	const char *bad = NULL;
	char buf[128];
	json_t *doc;
	lc_err e;

	if ((doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return;
	}
	memset(&in, 0, sizeof(in));
	e = campaign_input_parse(doc, &in, &prospects, &bad, buf, sizeof(buf));
	if (e == LC_EINVAL) {
		if (bad == NULL || !utf8_valid(bad, strlen(bad)))
			fuzz_die("campaign_input_parse names no parameter, or one not valid UTF-8");
	} else if (e == LC_OK) {
		fuzz_text(in.name);
		fuzz_text(in.target_url);
		fuzz_text(in.sender);
		fuzz_text(in.subject);
		fuzz_text(in.body);
	} else if (e != LC_ENOMEM) {
		fuzz_die("campaign_input_parse error outside the documented list");
	}
	free(prospects);
	json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	if (size == 0)
		return 0;
	fuzz_route(data[0] % NROUTES, (const char *)data + 1, size - 1);
	fuzz_campaign((const char *)data + 1, size - 1);
	return 0;
}
