/* http.h: one FastCGI request as the fronts see it, and the ways to answer it.
 * Every answer carries X-Request-Id; API errors are RFC 9457 problem+json. */
#ifndef LC_HTTP_H
#define LC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <fcgiapp.h>
#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

#define HTTP_BODY_MAX (1024 * 1024)
#define REQUEST_ID_MAX 72

struct http_request {
	FCGX_Request *fx;
	const char *method; /* borrowed from the FastCGI environment */
	const char *path;   /* REQUEST_URI up to '?' (not NUL-terminated there) */
	size_t path_len;
	const char *query; /* after '?', or "" */
	size_t query_len;
	const char *authorization, *workspace_id, *content_type, *origin, *idempotency_key;
	const char *host;          /* the Host header, or NULL */
	const char *if_none_match; /* the If-None-Match header, or NULL (api_openapi.c) */
	char request_id[REQUEST_ID_MAX];
	long long content_length; /* -1 when absent or unparseable */
	struct buf body;
	int status; /* 0 until answered */
	int64_t start_ms;
	int64_t start_us;  /* monotonic, for the latency metrics */
	const char *route; /* the matched route's pattern (static), for the metrics;
	                    * NULL until a front sets it (REQSTATS_UNMATCHED) */
	int body_read;     /* http_read_body already ran */
	int capture;       /* keep a copy of the answer's body (idempotent replays) */
	struct buf captured;
	const char *cache_status; /* static "hit" or "miss": sent as X-Cache when set */
	/* A local request (fx NULL, made by http_request_init_local for the MCP front) keeps
	 * its answer here instead of writing it to a FastCGI stream. */
	struct buf out;
	const char *out_type; /* the answer's Content-Type (static) */
	int out_lost;         /* the answer was larger than out may hold */
	/* While hold is set, http_send keeps the answer here instead of sending it, until
	 * http_release sends it or http_discard drops it (an idempotent request answers only
	 * once its transaction has committed). */
	int hold;
	struct buf held, held_headers;
	char held_type[96];
};

/* http_request_init reads the parameters of fx (borrowed; must outlive req). */
void http_request_init(struct http_request *req, FCGX_Request *fx);

/* http_request_init_local makes a request that runs inside the process, without FastCGI:
 * method, path and query (all borrowed; must outlive req) as a client would send them,
 * body (copied, may be NULL) as read from the client with content_type (borrowed, may be
 * NULL), and request_id to answer with (NULL: a new one). Its answer (status, out,
 * out_type) stays in req. LC_ENOMEM when the body cannot be copied; free it with
 * http_request_done_local in any case. */
lc_err http_request_init_local(struct http_request *req, const char *method, const char *path,
    const char *query, const char *content_type, const char *body, size_t body_len,
    const char *request_id);

/* http_request_done_local frees what a local request allocated (no access line). */
void http_request_done_local(struct http_request *req);

/* http_origin_of writes the origin (scheme://host[:port], no default port) of url into
 * out (size len, always terminated). */
void http_origin_of(const char *url, char *out, size_t len);

/* http_host_of writes the host name of a Host header value or of a URL's authority (no
 * scheme, user, port or brackets; "[::1]:8080" gives "::1") into out (size len, always
 * terminated). A name too long for out gives "". */
void http_host_of(const char *authority, char *out, size_t len);

/* http_read_body reads the request body into req->body. LC_ENOMEM when it is longer
 * than max, LC_EIO when the stream ends early. */
lc_err http_read_body(struct http_request *req, size_t max);

/* http_read_body_or_refuse reads the body like http_read_body(req, HTTP_BODY_MAX) and,
 * when it cannot, answers req — 413 payload_too_large when the body is (or says it is)
 * over the limit, 400 with code cut_code (static) when it ended before its
 * Content-Length — and returns -1. 0 when req->body holds the whole body. */
int http_read_body_or_refuse(struct http_request *req, const char *cut_code);

/* http_send writes a complete response. extra_headers (may be NULL) are CRLF-terminated
 * header lines; unless they hold a Cache-Control line, the answer says no-store. Only the
 * first call has an effect. */
void http_send(struct http_request *req, int status, const char *content_type,
    const char *extra_headers, const char *body, size_t len);

/* http_release sends the answer kept while req->hold was set, and stops holding. */
void http_release(struct http_request *req);

/* http_discard drops the answer kept while req->hold was set, so that req may be answered
 * again (also its captured copy), and stops holding. */
void http_discard(struct http_request *req);

/* http_send_json serializes doc (reference stolen) compactly and sends it. */
void http_send_json(struct http_request *req, int status, json_t *doc, const char *extra_headers);

/* http_problem sends application/problem+json with type, title, status, code, detail,
 * requestId and, when param is non-NULL, param; extra (stolen, may be NULL) adds fields. */
void http_problem(struct http_request *req, int status, const char *code, const char *detail,
    const char *param, json_t *extra, const char *extra_headers);

/* http_request_done logs the access line and frees what the request allocated. */
void http_request_done(struct http_request *req);

/* http_reason returns the reason phrase of a status code. */
const char *http_reason(int status);

#endif
