/* api_body.c: JSON request bodies, validated once at the edge, and core failures mapped
 * to the documented problem codes. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/utf8.h"

static const struct {
	const char *code;
	int status;
} fail_status[] = {
    {"campaign_not_found", 404},
    {"relationship_not_found", 404},
    {"approval_not_found", 404},
    {"invocation_not_found", 404},
    {"inbound_message_not_found", 404},
    {"already_paused", 409},
    {"already_active", 409},
    {"already_decided", 409},
    {"already_launched", 409},
    {"invalid_state_for_send", 422},
    {"invalid_state_transition", 422},
    {"recipient_suppressed", 422},
    {"validation_failed", 422},
    {"insufficient_credits", 402},
    {"forbidden", 403},
    {"webhook_not_found", 404},
    {"webhook_limit_reached", 422},
    {"mailbox_not_found", 404},
    {"mailbox_limit_reached", 422},
    {"mailboxes_not_configured", 409},
    {"domain_not_found", 404},
    {"domain_exists", 409},
    {"domain_limit_reached", 422},
    {"domain_key_exists", 409},
};

void
api_fail_core(struct http_ctx *ctx, lc_err e, const struct core_fail *fail)
{
	json_t *extra = NULL;
	size_t i;

	if (fail->code == NULL || e == LC_EDBDOWN || e == LC_ERETRY || e == LC_ENOMEM ||
	    e == LC_EDB) {
		api_fail(ctx, e == LC_OK ? LC_EDB : e, "route_not_found");
		return;
	}
	for (i = 0; i < sizeof(fail_status) / sizeof(fail_status[0]); i++) {
		if (strcmp(fail_status[i].code, fail->code) != 0)
			continue;
		if (fail_status[i].status == 402)
			extra = json_pack("{s:I,s:I}", "required", (json_int_t)fail->required,
			    "available", (json_int_t)fail->available);
		http_problem(ctx->req, fail_status[i].status, fail->code,
		    fail->detail                   ? fail->detail
		    : fail_status[i].status == 404 ? "No such object in this workspace."
		                                   : "The request cannot be carried out.",
		    fail->param, extra, NULL);
		return;
	}
	api_fail(ctx, LC_EDB, NULL);
}

json_t *
api_read_json(struct http_ctx *ctx, int allow_empty)
{
	json_error_t jerr;
	char detail[256];
	json_t *doc;

	if (http_read_body_or_refuse(ctx->req, "invalid_json") != 0)
		return NULL;
	if (ctx->req->body.len == 0 && allow_empty)
		return json_object();
	if (!http_body_is_json(ctx->req->content_type, ctx->req->body.data, ctx->req->body.len)) {
		http_problem(ctx->req, 415, "unsupported_media_type",
		    "Send the body as JSON with Content-Type: application/json.", NULL, NULL, NULL);
		return NULL;
	}
	doc = json_loadb(ctx->req->body.data, ctx->req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(detail, sizeof(detail),
		    "The body is not valid JSON: %s (line %d, column %d).",
		    utf8_valid(jerr.text, strlen(jerr.text)) ? jerr.text : "invalid text",
		    jerr.line, jerr.column);
		http_problem(ctx->req, 400, "invalid_json", detail, NULL, NULL, NULL);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		http_problem(ctx->req, 400, "invalid_json", "The body must be a JSON object.", NULL,
		    NULL, NULL);
		return NULL;
	}
	return doc;
}

int
api_only_keys(struct http_ctx *ctx, json_t *obj, const char *const *allowed, const char *prefix)
{
	const char *key;
	char param[160];
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(param, sizeof(param), "%s%s%.100s", prefix ? prefix : "",
			    prefix ? "." : "", key);
			http_problem(ctx->req, 422, "validation_failed", "Unknown field.", param,
			    NULL, NULL);
			return -1;
		}
	}
	return 0;
}

int
api_get_str(struct http_ctx *ctx, json_t *obj, const char *key, int required, const char **out,
    const char *param)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		http_problem(ctx->req, 422, "validation_failed", "This field is required.",
		    param ? param : key, NULL, NULL);
		return -1;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		http_problem(ctx->req, 422, "validation_failed", "This field must be a string.",
		    param ? param : key, NULL, NULL);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int
api_get_int(struct http_ctx *ctx, json_t *obj, const char *key, int required, long long lo,
    long long hi, long long *out, const char *param)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		if (!required)
			return 0;
		http_problem(ctx->req, 422, "validation_failed", "This field is required.",
		    param ? param : key, NULL, NULL);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		char detail[128];
		snprintf(detail, sizeof(detail), "This field must be an integer from %lld to %lld.",
		    lo, hi);
		http_problem(
		    ctx->req, 422, "validation_failed", detail, param ? param : key, NULL, NULL);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}
