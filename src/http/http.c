#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sodium.h>

#include "http/http.h"
#include "http/reqstats.h"
#include "util/log.h"
#include "util/timefmt.h"

#define LOCAL_OUT_MAX (64 * 1024 * 1024)

static int request_id_sane(const char *);
static const char *loggable_path(const struct http_request *, char *, size_t, size_t *);
static void new_request_id(char *, size_t);
static int64_t mono_us(void);
static int header_given(const char *, const char *);

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* header_given says whether extra (CRLF-terminated header lines, may be NULL) has a line
 * that starts with name (its colon included), in any case: a handler that sets its own
 * Cache-Control replaces the default one instead of sending two. */
static int
header_given(const char *extra, const char *name)
{
	size_t n = strlen(name);
	const char *p = extra;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0)
			return 1;
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return 0;
}

/* A client's X-Request-Id is echoed only when it is short and plain. */
static int
request_id_sane(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		char c = *s;
		if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                   (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return n > 0;
}

/* new_request_id writes req_ and 16 random URL-safe characters. */
static void
new_request_id(char *out, size_t len)
{
	unsigned char raw[12];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "req_", 4);
	sodium_bin2base64(
	    out + 4, len - 4, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
http_origin_of(const char *url, char *out, size_t len)
{
	const char *host = strstr(url, "://"), *end;
	size_t n;

	if (host == NULL) {
		snprintf(out, len, "%s", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	n = (size_t)(end - url);
	if (strncasecmp(url, "https://", 8) == 0 && end - host > 4 &&
	    strncmp(end - 4, ":443", 4) == 0)
		n -= 4;
	else if (strncasecmp(url, "http://", 7) == 0 && end - host > 3 &&
	         strncmp(end - 3, ":80", 3) == 0)
		n -= 3;
	snprintf(out, len, "%.*s", (int)n, url);
}

void
http_host_of(const char *authority, char *out, size_t len)
{
	const char *s = authority, *end, *at;
	size_t n;

	if ((end = strstr(s, "://")) != NULL)
		s = end + 3;
	end = s + strcspn(s, "/?#");
	at = memchr(s, '@', (size_t)(end - s));
	if (at != NULL)
		s = at + 1;
	if (*s == '[') {
		s++;
		n = strcspn(s, "]");
		if (s + n > end)
			n = (size_t)(end - s);
	} else {
		n = strcspn(s, ":/?#");
	}
	if (n >= len) {
		if (len > 0)
			out[0] = '\0';
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

lc_err
http_request_init_local(struct http_request *req, const char *method, const char *path,
    const char *query, const char *content_type, const char *body, size_t body_len,
    const char *request_id)
{
	memset(req, 0, sizeof(*req));
	req->start_ms = now_ms();
	buf_init(&req->body, HTTP_BODY_MAX);
	buf_init(&req->captured, 2 * HTTP_BODY_MAX);
	buf_init(&req->out, LOCAL_OUT_MAX);
	req->method = method;
	req->path = path;
	req->path_len = strlen(path);
	req->query = query ? query : "";
	req->query_len = strlen(req->query);
	req->content_type = content_type;
	req->content_length = body ? (long long)body_len : 0;
	if (request_id && request_id_sane(request_id))
		snprintf(req->request_id, sizeof(req->request_id), "%s", request_id);
	else
		new_request_id(req->request_id, sizeof(req->request_id));
	/* the body is already read: handlers find it as if http_read_body had run */
	req->body_read = 1;
	return buf_append(&req->body, body ? body : "", body ? body_len : 0);
}

/* mono_us reads the monotonic clock in microseconds: a latency never goes negative when
 * the wall clock is set back. */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
http_request_done_local(struct http_request *req)
{
	buf_free(&req->body);
	buf_free(&req->captured);
	buf_free(&req->out);
	buf_free(&req->held);
	buf_free(&req->held_headers);
}

void
http_request_init(struct http_request *req, FCGX_Request *fx)
{
	const char *uri, *q, *cl, *rid;
	char *end;

	memset(req, 0, sizeof(*req));
	req->fx = fx;
	req->start_ms = now_ms();
	req->start_us = mono_us();
	buf_init(&req->body, HTTP_BODY_MAX);
	buf_init(&req->captured, 2 * HTTP_BODY_MAX);
	req->method = FCGX_GetParam("REQUEST_METHOD", fx->envp);
	if (req->method == NULL)
		req->method = "GET";
	uri = FCGX_GetParam("REQUEST_URI", fx->envp);
	if (uri == NULL)
		uri = "/";
	q = strchr(uri, '?');
	req->path = uri;
	req->path_len = q ? (size_t)(q - uri) : strlen(uri);
	req->query = q ? q + 1 : "";
	req->query_len = strlen(req->query);
	req->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", fx->envp);
	req->workspace_id = FCGX_GetParam("HTTP_X_WORKSPACE_ID", fx->envp);
	req->content_type = FCGX_GetParam("CONTENT_TYPE", fx->envp);
	req->origin = FCGX_GetParam("HTTP_ORIGIN", fx->envp);
	req->host = FCGX_GetParam("HTTP_HOST", fx->envp);
	req->idempotency_key = FCGX_GetParam("HTTP_IDEMPOTENCY_KEY", fx->envp);
	req->if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", fx->envp);
	req->content_length = -1;
	if ((cl = FCGX_GetParam("CONTENT_LENGTH", fx->envp)) != NULL && *cl) {
		long long v;
		errno = 0;
		v = strtoll(cl, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			req->content_length = v;
	}
	rid = FCGX_GetParam("HTTP_X_REQUEST_ID", fx->envp);
	if (rid && request_id_sane(rid)) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", rid);
	} else {
		new_request_id(req->request_id, sizeof(req->request_id));
	}
	log_set_request_id(req->request_id);
}

lc_err
http_read_body(struct http_request *req, size_t max)
{
	char chunk[16384];
	int n;
	lc_err e;

	if (req->body_read)
		return req->body.len > max ? LC_ENOMEM : LC_OK;
	req->body_read = 1;
	if (req->content_length > (long long)max)
		return LC_ENOMEM;
	req->body.max = max;
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), req->fx->in)) > 0) {
		if ((e = buf_append(&req->body, chunk, (size_t)n)) != LC_OK)
			return e;
	}
	if (req->content_length >= 0 && (long long)req->body.len != req->content_length)
		return LC_EIO;
	if (req->body.data == NULL && buf_append(&req->body, "", 0) != LC_OK)
		return LC_ENOMEM;
	return LC_OK;
}

int
http_read_body_or_refuse(struct http_request *req, const char *cut_code)
{
	lc_err e = http_read_body(req, HTTP_BODY_MAX);

	if (e == LC_OK)
		return 0;
	if (e == LC_ENOMEM)
		http_problem(req, 413, "payload_too_large", "Request bodies are limited to 1 MiB.",
		    NULL, NULL, NULL);
	else
		http_problem(
		    req, 400, cut_code, "The request body was cut short.", NULL, NULL, NULL);
	return -1;
}

void
http_send(struct http_request *req, int status, const char *content_type, const char *extra_headers,
    const char *body, size_t len)
{
	char head[1024];
	int n;

	if (req->status != 0)
		return;
	req->status = status;
	if (req->hold) {
		snprintf(req->held_type, sizeof(req->held_type), "%s", content_type);
		buf_init(&req->held, 2 * HTTP_BODY_MAX);
		buf_init(&req->held_headers, 4096);
		if (buf_append(&req->held, body ? body : "", len) != LC_OK ||
		    buf_puts(&req->held_headers, extra_headers ? extra_headers : "") != LC_OK) {
			/* cannot be kept: the request answers 500 (and its transaction rolls back)
			 */
			static const char lost[] =
			    "{\"type\":\"about:blank\",\"title\":\"Internal "
			    "Server Error\",\"status\":500,\"code\":\"internal_error\"}";
			req->status = 500;
			req->capture = 0;
			snprintf(
			    req->held_type, sizeof(req->held_type), "application/problem+json");
			buf_reset(&req->held);
			buf_reset(&req->held_headers);
			(void)buf_append(&req->held, lost, sizeof(lost) - 1);
			return;
		}
		if (req->capture && buf_append(&req->captured, body ? body : "", len) != LC_OK)
			req->capture = 0;
		return;
	}
	if (req->fx == NULL) {
		/* a local request: keep the answer for the caller */
		req->out_type = content_type;
		if (buf_append(&req->out, body ? body : "", len) != LC_OK)
			req->out_lost = 1;
		if (req->capture && buf_append(&req->captured, body ? body : "", len) != LC_OK)
			req->capture = 0;
		return;
	}
	n = snprintf(head, sizeof(head),
	    "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "X-Request-Id: %s\r\n%sX-Content-Type-Options: nosniff\r\n",
	    status, http_reason(status), content_type, len, req->request_id,
	    header_given(extra_headers, "Cache-Control:") ? "" : "Cache-Control: no-store\r\n");
	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	FCGX_PutStr(head, n, req->fx->out);
	if (req->cache_status) {
		FCGX_PutS("X-Cache: ", req->fx->out);
		FCGX_PutS(req->cache_status, req->fx->out);
		FCGX_PutStr("\r\n", 2, req->fx->out);
	}
	if (extra_headers)
		FCGX_PutS(extra_headers, req->fx->out);
	FCGX_PutStr("\r\n", 2, req->fx->out);
	if (len > 0 && strcmp(req->method, "HEAD") != 0)
		FCGX_PutStr(body, (int)len, req->fx->out);
	if (req->capture && buf_append(&req->captured, body, len) != LC_OK)
		req->capture =
		    0; /* too big to keep: the key is then forgotten, not replayed wrong */
}

void
http_release(struct http_request *req)
{
	int status = req->status;

	if (!req->hold)
		return;
	req->hold = 0;
	if (status == 0)
		return;
	req->status = 0;
	req->capture = 0; /* already captured when it was held */
	http_send(req, status, req->held_type,
	    req->held_headers.data && req->held_headers.data[0] ? req->held_headers.data : NULL,
	    req->held.data ? req->held.data : "", req->held.len);
	buf_free(&req->held);
	buf_free(&req->held_headers);
}

void
http_discard(struct http_request *req)
{
	req->hold = 0;
	req->status = 0;
	buf_free(&req->held);
	buf_free(&req->held_headers);
	buf_reset(&req->captured);
}

void
http_send_json(struct http_request *req, int status, json_t *doc, const char *extra_headers)
{
	char *text;

	if (doc == NULL) {
		http_problem(req, 500, "internal_error", "The response could not be built.", NULL,
		    NULL, NULL);
		return;
	}
	text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (text == NULL) {
		http_problem(req, 500, "internal_error", "The response could not be built.", NULL,
		    NULL, NULL);
		return;
	}
	http_send(req, status, "application/json", extra_headers, text, strlen(text));
	free(text);
}

void
http_problem(struct http_request *req, int status, const char *code, const char *detail,
    const char *param, json_t *extra, const char *extra_headers)
{
	static const char fallback[] = "{\"type\":\"about:blank\",\"title\":\"Internal Server "
	                               "Error\",\"status\":500,\"code\":\"internal_error\"}";
	json_t *doc;
	char *text;

	doc = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s}", "type", "about:blank", "title",
	    http_reason(status), "status", status, "code", code, "detail", detail, "requestId",
	    req->request_id);
	if (doc && param)
		json_object_set_new(doc, "param", json_string(param));
	if (doc && extra)
		json_object_update(doc, extra);
	json_decref(extra);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL) {
		http_send(
		    req, 500, "application/problem+json", NULL, fallback, sizeof(fallback) - 1);
		return;
	}
	http_send(req, status, "application/problem+json", extra_headers, text, strlen(text));
	free(text);
}

/* Routes whose last segment is a capability — a one-time set-password token, an
 * unsubscribe token, an open-tracking token, a report share link (whose CSV path goes on
 * after it). Whoever reads a log must not be able to use it, so the request log shows the
 * prefix and "[redacted]" (README: secrets are never logged). */
static const char *const secret_prefixes[] = {"/app/set-password/", "/u/", "/t/o/", "/r/"};

/* loggable_path returns the path as the request log may show it: req's own path, or for
 * a secret-carrying route its prefix and "[redacted]" written into buf (size n). */
static const char *
loggable_path(const struct http_request *req, char *buf, size_t n, size_t *len)
{
	size_t i, plen;
	int w;

	for (i = 0; i < sizeof(secret_prefixes) / sizeof(secret_prefixes[0]); i++) {
		plen = strlen(secret_prefixes[i]);
		if (req->path_len > plen && memcmp(req->path, secret_prefixes[i], plen) == 0) {
			w = snprintf(buf, n, "%s[redacted]", secret_prefixes[i]);
			*len = w < 0 ? 0 : ((size_t)w < n ? (size_t)w : n - 1);
			return buf;
		}
	}
	*len = req->path_len;
	return req->path;
}

void
http_request_done(struct http_request *req)
{
	char buf[64];
	const char *path;
	size_t path_len;
	json_t *f;
	int64_t us = mono_us() - req->start_us;

	reqstats_observe(
	    req->route, reqstats_method(req->method), req->status, us > 0 ? (uint64_t)us : 0);
	if (!log_enabled(req->status >= 500 ? LOG_ERROR : LOG_INFO)) {
		log_set_request_id(NULL);
		buf_free(&req->body);
		buf_free(&req->captured);
		buf_free(&req->out);
		buf_free(&req->held);
		buf_free(&req->held_headers);
		return;
	}
	path = loggable_path(req, buf, sizeof(buf), &path_len);
	f = json_pack("{s:s,s:s%,s:i,s:I,s:s}", "method", req->method, "path", path, path_len,
	    "status", req->status, "ms", (json_int_t)(now_ms() - req->start_ms), "requestId",
	    req->request_id);
	log_json(req->status >= 500 ? LOG_ERROR : LOG_INFO, "request", f);
	json_decref(f);
	log_set_request_id(NULL);
	buf_free(&req->body);
	buf_free(&req->captured);
	buf_free(&req->out);
	buf_free(&req->held);
	buf_free(&req->held_headers);
}
