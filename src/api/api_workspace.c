/* api_workspace.c: the workspace's approval policy and its credits. */
#include <string.h>

#include "api/api.h"

static const char *const policy_names[MSG_NKINDS + 1] = {
    "drafts", "sendEmail", "respond", "autoResponses", "followUps", NULL};

static void answer_policy(struct http_ctx *);

static void
answer_policy(struct http_ctx *ctx)
{
	struct policy p;
	json_t *approval;
	size_t i;
	lc_err e;

	if ((e = policy_get(ctx->core, &ctx->who, &p)) != LC_OK) {
		api_fail(ctx, e, "route_not_found");
		return;
	}
	approval = json_object();
	for (i = 0; approval && i < MSG_NKINDS; i++)
		json_object_set_new(
		    approval, policy_names[i], json_string(p.approve[i] ? "required" : "auto"));
	http_send_json(ctx->req, 200,
	    json_pack("{s:o,s:I,s:b,s:{s:f},s:b,s:s}", "approval", approval, "maxLatenessHours",
	        (json_int_t)p.max_lateness_hours, "trackOpens", p.track_opens, "autoPause",
	        "bounceRate", p.bounce_permille / 1000.0, "unsubscribeSuppressesDomain",
	        p.unsubscribe_domain, "defaultCurrency", p.currency),
	    NULL);
}

void
api_policy_get(void *arg)
{
	struct http_ctx *ctx = arg;

	if (api_no_params(ctx) == 0)
		answer_policy(ctx);
}

void
api_policy_put(void *arg)
{
	static const char *const keys[] = {"approval", "maxLatenessHours", "trackOpens",
	    "autoPause", "unsubscribeSuppressesDomain", "defaultCurrency", NULL};
	static const char *const auto_keys[] = {"bounceRate", NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct policy p;
	json_t *doc, *approval, *track, *ap, *rate;
	long long hours = 0;
	char param[64];
	size_t i;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0)
		goto out;
	/* PUT merges: fields left out keep their value */
	if ((e = policy_get(ctx->core, &ctx->who, &p)) != LC_OK) {
		api_fail(ctx, e, "route_not_found");
		goto out;
	}
	if ((approval = json_object_get(doc, "approval")) != NULL) {
		if (!json_is_object(approval)) {
			http_problem(ctx->req, 422, "validation_failed", "approval is an object.",
			    "approval", NULL, NULL);
			goto out;
		}
		if (api_only_keys(ctx, approval, policy_names, "approval") != 0)
			goto out;
		for (i = 0; i < MSG_NKINDS; i++) {
			const char *v = NULL;
			snprintf(param, sizeof(param), "approval.%s", policy_names[i]);
			if (api_get_str(ctx, approval, policy_names[i], 0, &v, param) != 0)
				goto out;
			if (v == NULL)
				continue;
			if (strcmp(v, "required") != 0 && strcmp(v, "auto") != 0) {
				http_problem(ctx->req, 422, "validation_failed",
				    "Each approval setting is \"required\" or \"auto\".", param,
				    NULL, NULL);
				goto out;
			}
			p.approve[i] = strcmp(v, "required") == 0;
		}
	}
	if (api_get_int(ctx, doc, "maxLatenessHours", 0, 1, 720, &hours, NULL) < 0)
		goto out;
	if ((track = json_object_get(doc, "trackOpens")) != NULL) {
		if (!json_is_boolean(track)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "trackOpens is true or false.", "trackOpens", NULL, NULL);
			goto out;
		}
		p.track_opens = json_is_true(track);
	}
	if ((ap = json_object_get(doc, "autoPause")) != NULL) {
		if (!json_is_object(ap) || api_only_keys(ctx, ap, auto_keys, "autoPause") != 0) {
			if (!json_is_object(ap))
				http_problem(ctx->req, 422, "validation_failed",
				    "autoPause is an object: {\"bounceRate\": 0.1}.", "autoPause",
				    NULL, NULL);
			goto out;
		}
		if ((rate = json_object_get(ap, "bounceRate")) != NULL) {
			/* thousandths: a rate finer than that means nothing over 20 sends */
			if (!json_is_number(rate) || json_number_value(rate) < 0 ||
			    json_number_value(rate) > 1) {
				http_problem(ctx->req, 422, "validation_failed",
				    "autoPause.bounceRate is a number from 0 to 1 (0 turns it "
				    "off).",
				    "autoPause.bounceRate", NULL, NULL);
				goto out;
			}
			p.bounce_permille = (unsigned)(json_number_value(rate) * 1000.0 + 0.5);
		}
	}
	if ((track = json_object_get(doc, "unsubscribeSuppressesDomain")) != NULL) {
		if (!json_is_boolean(track)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "unsubscribeSuppressesDomain is true or false.",
			    "unsubscribeSuppressesDomain", NULL, NULL);
			goto out;
		}
		p.unsubscribe_domain = json_is_true(track);
	}
	if ((track = json_object_get(doc, "defaultCurrency")) != NULL) {
		/* core checks the code against ISO 4217's list */
		if (!json_is_string(track) || json_string_length(track) != 3) {
			http_problem(ctx->req, 422, "validation_failed",
			    "defaultCurrency must be an ISO 4217 currency code such as EUR.",
			    "defaultCurrency", NULL, NULL);
			goto out;
		}
		memcpy(p.currency, json_string_value(track), sizeof(p.currency));
	}
	if (hours > 0)
		p.max_lateness_hours = (unsigned)hours;
	memset(&fail, 0, sizeof(fail));
	if ((e = policy_put(ctx->core, &ctx->who, &p, &fail)) != LC_OK) {
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	answer_policy(ctx);
out:
	json_decref(doc);
}

void
api_credits_get(void *arg)
{
	static const char *const allowed[] = {"limit", "cursor", NULL};
	struct http_ctx *ctx = arg;
	struct credits_view v;
	unsigned limit;
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	json_t *ledger;
	size_t i;
	lc_err e;

	if (api_only_params(ctx, allowed) != 0 ||
	    api_parse_limit_cursor(ctx, &limit, &has_cursor, &cursor_ms, &cursor_id) != 0)
		return;
	if ((e = credits_get(ctx->core, &ctx->who, limit, has_cursor, cursor_ms, cursor_id, &v)) !=
	    LC_OK) {
		api_fail(ctx, e, "route_not_found");
		return;
	}
	ledger = json_array();
	for (i = 0; ledger && i < v.n; i++) {
		const struct ledger_entry *l = &v.entries[i];
		json_array_append_new(ledger,
		    json_pack("{s:s,s:I,s:I,s:o,s:o,s:o}", "kind", ledger_kind_name(l->kind),
		        "balanceChange", (json_int_t)l->balance_change, "reservedChange",
		        (json_int_t)l->reserved_change, "messageId", api_str_or_null(l->message_id),
		        "note", api_str_or_null(l->note), "at", api_time_or_null(l->at_ms)));
	}
	http_send_json(ctx->req, 200,
	    json_pack("{s:I,s:I,s:I,s:o,s:o}", "balance", (json_int_t)v.balance, "reserved",
	        (json_int_t)v.reserved, "available", (json_int_t)(v.balance - v.reserved), "ledger",
	        ledger, "nextCursor", v.has_next ? json_string(v.next_cursor) : json_null()),
	    NULL);
	credits_view_free(&v);
}
