/* fuzz_headers.c: libFuzzer target for the request headers every front reads before the
 * body: the FastCGI parameters http_request_init takes apart (REQUEST_URI into path and
 * query, CONTENT_LENGTH, X-Request-Id, src/http/http.c), the Origin reduction
 * (http_origin_of), the Cookie reader of the /app pages (ui_cookie, src/ui/ui_session.c),
 * the Authorization header (http_authenticate, src/http/dispatch.c) and Idempotency-Key (its
 * check in http_run_idempotent, reached through http_invoke). The input is up to eight
 * newline-separated header values: Authorization, X-Workspace-Id, Idempotency-Key,
 * Cookie, Content-Length, X-Request-Id, Request-URI, Origin.
 *
 * The database of the core is one that cannot be reached (a socket path that does not
 * exist), so every request that passes the header checks ends in 503; the promises are
 * about which requests get that far. Checked: the path and query split REQUEST_URI at its
 * first '?'; Content-Length is -1 or the header's decimal value; the request id echoed in
 * every answer is the client's only when 1..64 of [A-Za-z0-9._-], else a fresh "req_"
 * one, and never holds anything else (it is a header value); an origin is a prefix of the
 * URL it came from; a cookie value is the text after "name=" up to ';' without trailing
 * blanks and shorter than the buffer; a missing or non-Bearer Authorization, or a key
 * under 8 or over KEY_MAX bytes, is 401 before the database is asked; an Idempotency-Key
 * that is not 1..255 printable ASCII is 400 before the database is asked; every answer
 * is a problem+json object whose status is the HTTP status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "api/api.h"
#include "fuzz.h"
#include "fuzz_core.h"
#include "http/http.h"
#include "ui/ui_app.h"
#include "util/config.h"
#include "util/ids.h"
#include "util/log.h"

#define NFIELDS 8

enum { F_AUTH, F_WS, F_IDEM, F_COOKIE, F_CLEN, F_RID, F_URI, F_ORIGIN };

static void fuzz_die(const char *);
static void fuzz_init(void);
static void fuzz_answer(const struct http_request *, int);
static void fuzz_fcgi(char *const *);
static void fuzz_auth(const char *, const char *);
static void fuzz_idem(const char *);
static int id_char(char);

static struct config cfg;
static struct core core;

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_headers: broken promise: %s\n", what);
	abort();
}

static void
fuzz_init(void)
{
	if (!fuzz_core_init(&core, &cfg))
		return;
	core.key_cache_seconds = 0; /* every key is looked up */
}

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* fuzz_answer checks that req was answered with status as problem+json. */
static void
fuzz_answer(const struct http_request *req, int status)
{
	json_t *doc, *st;

	if (req->status != status) {
		fprintf(stderr, "status %d, expected %d\n", req->status, status);
		fuzz_die("unexpected status");
	}
	doc = json_loadb(req->out.data ? req->out.data : "", req->out.len, 0, NULL);
	st = json_object_get(doc, "status");
	if (!json_is_integer(st) || json_integer_value(st) != status ||
	    !json_is_string(json_object_get(doc, "code")))
		fuzz_die("answer is not problem+json with its status");
	json_decref(doc);
}

/* fuzz_fcgi runs http_request_init on the fields as FastCGI parameters. */
static void
fuzz_fcgi(char *const *f)
{
	static const char *const names[NFIELDS] = {"HTTP_AUTHORIZATION", "HTTP_X_WORKSPACE_ID",
	    "HTTP_IDEMPOTENCY_KEY", "HTTP_COOKIE", "CONTENT_LENGTH", "HTTP_X_REQUEST_ID",
	    "REQUEST_URI", "HTTP_ORIGIN"};
	char *env[NFIELDS + 2], cookie[128], origin[256];
	const char *uri = f[F_URI] ? f[F_URI] : "/", *got;
	struct http_request req;
	FCGX_Request fx;
	size_t i, n = 0, l;
	struct buf b;

	buf_init(&b, 1 << 20);
	for (i = 0; i < NFIELDS; i++) {
		if (f[i] == NULL)
			continue;
		l = b.len;
		if (buf_printf(&b, "%s=%s", names[i], f[i]) != LC_OK ||
		    buf_append(&b, "", 1) != LC_OK)
			fuzz_die("buf");
		env[n++] = (char *)(uintptr_t)l; /* offsets until b stops moving */
	}
	for (i = 0; i < n; i++)
		env[i] = b.data + (uintptr_t)env[i];
	env[n] = NULL;
	memset(&fx, 0, sizeof(fx));
	fx.envp = env;
	http_request_init(&req, &fx);
	/* path and query */
	if (strcmp(req.method, "GET") != 0 || strncmp(req.path, uri, req.path_len) != 0 ||
	    memchr(req.path, '?', req.path_len) != NULL ||
	    (req.query_len > 0 && req.path[req.path_len] != '?') ||
	    req.path_len + (uri[req.path_len] == '?') + req.query_len != strlen(uri) ||
	    strlen(req.query) != req.query_len)
		fuzz_die("path and query do not split REQUEST_URI at its first '?'");
	/* Content-Length */
	if (req.content_length < -1)
		fuzz_die("negative Content-Length");
	if (f[F_CLEN] && f[F_CLEN][0] >= '0' && f[F_CLEN][0] <= '9' &&
	    strspn(f[F_CLEN], "0123456789") == strlen(f[F_CLEN]) && strlen(f[F_CLEN]) <= 18 &&
	    req.content_length != strtoll(f[F_CLEN], NULL, 10))
		fuzz_die("a decimal Content-Length is not taken");
	if (f[F_CLEN] == NULL && req.content_length != -1)
		fuzz_die("Content-Length without the header");
	/* request id */
	l = strlen(req.request_id);
	for (i = 0; i < l; i++)
		if (!id_char(req.request_id[i]))
			fuzz_die("request id holds a character outside [A-Za-z0-9._-]");
	if (f[F_RID] && strcmp(req.request_id, f[F_RID]) == 0) {
		if (l == 0 || l > 64)
			fuzz_die("a client request id of the wrong length is echoed");
	} else if (l != 20 || strncmp(req.request_id, "req_", 4) != 0) {
		fuzz_die("a fresh request id of the wrong shape");
	}
	/* cookies */
	if ((got = ui_cookie(&req, "linkcamp_session", cookie, sizeof(cookie))) != NULL) {
		char pair[160];
		l = strlen(got);
		if (got != cookie || l >= sizeof(cookie) || strchr(got, ';') != NULL ||
		    (l > 0 && got[l - 1] == ' '))
			fuzz_die("cookie value shape");
		snprintf(pair, sizeof(pair), "linkcamp_session=%s", got);
		if (f[F_COOKIE] == NULL || strstr(f[F_COOKIE], pair) == NULL)
			fuzz_die("cookie value not in the header after its name");
	}
	if (f[F_COOKIE] == NULL && got != NULL)
		fuzz_die("cookie without a Cookie header");
	/* origin */
	if (f[F_ORIGIN]) {
		http_origin_of(f[F_ORIGIN], origin, sizeof(origin));
		l = strlen(origin);
		if (strncmp(origin, f[F_ORIGIN], l) != 0)
			fuzz_die("origin is not a prefix of its URL");
	}
	buf_free(&req.body);
	buf_free(&req.captured);
	buf_free(&b);
}

/* fuzz_auth runs the Authorization check of every API route. */
static void
fuzz_auth(const char *auth, const char *ws)
{
	struct http_request req;
	struct principal who;
	const char *k;
	size_t kl;
	int expect = 503;

	if (http_request_init_local(&req, "GET", "/v1/credits", "", NULL, NULL, 0, NULL) != LC_OK)
		fuzz_die("http_request_init_local");
	req.authorization = auth;
	req.workspace_id = ws;
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
		expect = 401;
	} else {
		for (k = auth + 7; *k == ' '; k++)
			;
		kl = strlen(k);
		if (kl < 8 || kl > KEY_MAX)
			expect = 401;
	}
	if (http_authenticate(&core, &req, &who) == 0)
		fuzz_die("a key accepted without a database");
	fuzz_answer(&req, expect);
	http_request_done_local(&req);
}

/* fuzz_idem runs a POST with Idempotency-Key key as the MCP front does (already
 * authenticated). */
static void
fuzz_idem(const char *key)
{
	struct http_request req;
	struct principal who;
	const char *p;
	int expect = 503;

	if (http_request_init_local(&req, "POST", "/v1/link-building/campaign/cmp_x/pause", "",
	        "application/json", "{}", 2, NULL) != LC_OK)
		fuzz_die("http_request_init_local");
	req.idempotency_key = key;
	memset(&who, 0, sizeof(who));
	who.account_id = 1;
	who.workspace_id = 1;
	snprintf(who.workspace_public, sizeof(who.workspace_public), "ws_fuzz");
	if (*key == '\0' || strlen(key) > 255)
		expect = 400;
	for (p = key; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			expect = 400;
	http_invoke(&core, &who, &req);
	fuzz_answer(&req, expect);
	http_request_done_local(&req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *f[NFIELDS] = {NULL}, *p, *nl;
	size_t i;

	fuzz_init();
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* header values cannot hold NUL: the FastCGI parameter ends there */
	for (i = 0, p = copy; i < NFIELDS && p != NULL; i++) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		f[i] = p;
		p = nl ? nl + 1 : NULL;
	}
	fuzz_fcgi(f);
	fuzz_auth(f[F_AUTH], f[F_WS]);
	if (f[F_IDEM])
		fuzz_idem(f[F_IDEM]);
	free(copy);
	return 0;
}
