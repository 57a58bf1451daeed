/* api.c: what the API's handlers share to read a request and answer it. The routing
 * table and the checks before a handler (route → method → query → auth) are the
 * dispatcher's (src/http/dispatch.c, src/routes.c). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/cursor.h"
#include "util/log.h"
#include "util/timefmt.h"

void
api_bad_param(struct http_ctx *ctx, const char *param, const char *detail)
{
	http_bad_param(ctx, param, detail);
}

void
api_fail(struct http_ctx *ctx, lc_err e, const char *not_found_code)
{
	http_fail(ctx, e, not_found_code);
}

int
api_only_params(struct http_ctx *ctx, const char *const *allowed)
{
	char detail[256];
	size_t i, j;

	for (i = 0; i < ctx->query.n; i++) {
		for (j = 0; allowed[j]; j++)
			if (strcmp(ctx->query.p[i].key, allowed[j]) == 0)
				break;
		if (allowed[j] == NULL) {
			snprintf(detail, sizeof(detail), "Unknown query parameter.");
			api_bad_param(ctx, ctx->query.p[i].key, detail);
			return -1;
		}
	}
	return 0;
}

int
api_parse_limit_cursor(
    struct http_ctx *ctx, unsigned *limit, int *has_cursor, int64_t *cursor_ms, int64_t *cursor_id)
{
	const char *s;
	unsigned v = 0;
	size_t i;

	*limit = 50;
	*has_cursor = 0;
	*cursor_ms = 0;
	*cursor_id = 0; /* lists paged by id alone pass cursor_id, 0 on the first page */
	if ((s = query_get(&ctx->query, "limit")) != NULL) {
		for (i = 0; s[i]; i++) {
			if (s[i] < '0' || s[i] > '9' || i >= 3) {
				v = 0;
				break;
			}
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (v < 1 || v > 200) {
			api_bad_param(ctx, "limit", "limit must be an integer from 1 to 200.");
			return -1;
		}
		*limit = v;
	}
	if ((s = query_get(&ctx->query, "cursor")) != NULL) {
		/* a cursor without an id names no position: refused here, for every list */
		if (cursor_decode(s, strlen(s), cursor_ms, cursor_id) != LC_OK || *cursor_id <= 0) {
			api_bad_param(ctx, "cursor", "cursor is not one this API returned.");
			return -1;
		}
		*has_cursor = 1;
	}
	return 0;
}

int
api_read_no_fields(struct http_ctx *ctx)
{
	json_t *doc;

	if ((doc = api_read_json(ctx, 1)) == NULL)
		return -1;
	if (json_object_size(doc) != 0) {
		http_problem(ctx->req, 422, "validation_failed", "This route takes no fields.",
		    json_object_iter_key(json_object_iter(doc)), NULL, NULL);
		json_decref(doc);
		return -1;
	}
	json_decref(doc);
	return 0;
}

int
api_no_params(struct http_ctx *ctx)
{
	static const char *const none[] = {NULL};

	return api_only_params(ctx, none);
}

void
api_delete_one(struct http_ctx *ctx, api_delete_fn del, const char *not_found_code)
{
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = del(ctx->core, &ctx->who, ctx->match.captures[0])) != LC_OK) {
		api_fail(ctx, e, not_found_code);
		return;
	}
	http_send(ctx->req, 204, "application/json", NULL, "", 0);
}

void
api_send_page(
    struct http_ctx *ctx, json_t *data, int64_t total, int has_next, const char *next_cursor)
{
	/* json_pack takes data even when it fails, and a NULL answer is http_send_json's 500 */
	http_send_json(ctx->req, 200,
	    json_pack("{s:o,s:I,s:o}", "data", data, "total", (json_int_t)total, "nextCursor",
	        has_next ? json_string(next_cursor) : json_null()),
	    NULL);
}

void
api_send_whole_list(struct http_ctx *ctx, json_t *data, size_t n)
{
	api_send_page(ctx, data, (int64_t)n, 0, NULL); /* a small, capped set: never a next */
}

void
api_send_whole_page(struct http_ctx *ctx, lc_err e, struct page *l, size_t item_size,
    api_item_json item_json, const char *not_found_code)
{
	const char *items = l->items;
	json_t *data;
	size_t i;

	if (e != LC_OK) {
		api_fail(ctx, e, not_found_code);
	} else {
		data = json_array();
		for (i = 0; data && i < l->n; i++)
			json_array_append_new(data, item_json(items + i * item_size));
		api_send_whole_list(ctx, data, l->n);
	}
	page_free(l);
}

json_t *
api_time_or_null(int64_t ms)
{
	char t[TIME_RFC3339_LEN];

	if (ms < 0)
		return json_null();
	rfc3339_format(ms, t);
	return json_string(t);
}

json_t *
api_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}
