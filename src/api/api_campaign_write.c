/* api_campaign_write.c: creating campaigns, adding prospects, and the state changes
 * pause, resume, cancel and complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mailbox.h"
#include "api/campaign_input.h"

static int parse_extras(
    struct http_ctx *, json_t *, struct campaign_extras *, struct follow_up_in **);
static void transition(struct http_ctx *, enum campaign_action);
static void answer_campaign(struct http_ctx *, const char *, int);

void
api_requester(const struct http_ctx *ctx, char *out, size_t len)
{
	snprintf(out, len, "%s:%s", ctx->who.account_key ? "account-key" : "key",
	    ctx->who.workspace_public);
}

/* answer_campaign sends the campaign's current detail view with status. */
static void
answer_campaign(struct http_ctx *ctx, const char *id, int status)
{
	struct page v;
	const struct campaign *c;
	json_t *doc;
	lc_err e;

	if ((e = campaigns_get(ctx->core, &ctx->who, id, &v)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		return;
	}
	c = v.items;
	doc = api_campaign_json(c);
	if (doc)
		api_campaign_mailboxes(ctx, doc, c->id);
	http_send_json(ctx->req, status, doc, NULL);
	page_free(&v);
}

/* parse_extras reads followUps and autoResponse, the parts of a new campaign beyond the
 * template; -1 after answering. */
static int
parse_extras(
    struct http_ctx *ctx, json_t *doc, struct campaign_extras *x, struct follow_up_in **fus)
{
	static const char *const fu_keys[] = {"afterDays", "body", NULL};
	static const char *const ar_keys[] = {"body", "delayMinutes", NULL};
	json_t *list, *item, *ar;
	long long v = 0;
	size_t i;

	memset(x, 0, sizeof(*x));
	*fus = NULL;
	if ((list = json_object_get(doc, "launch")) != NULL) {
		if (!json_is_boolean(list)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "launch must be true (the default) or false (create a draft).",
			    "launch", NULL, NULL);
			return -1;
		}
		x->draft = json_is_false(list);
	}
	if ((list = json_object_get(doc, "followUps")) != NULL) {
		if (!json_is_array(list) || json_array_size(list) > 5) {
			http_problem(ctx->req, 422, "validation_failed",
			    "followUps must be a list of at most 5 follow-ups.", "followUps", NULL,
			    NULL);
			return -1;
		}
		if (json_array_size(list) > 0 &&
		    (*fus = calloc(json_array_size(list), sizeof(**fus))) == NULL) {
			api_fail(ctx, LC_ENOMEM, NULL);
			return -1;
		}
		json_array_foreach(list, i, item)
		{
			if (!json_is_object(item)) {
				http_problem(ctx->req, 422, "validation_failed",
				    "Each follow-up is an object.", "followUps", NULL, NULL);
				return -1;
			}
			if (api_only_keys(ctx, item, fu_keys, "followUps[]") != 0 ||
			    api_get_int(ctx, item, "afterDays", 1, 1, 90, &v,
			        "followUps[].afterDays") < 0 ||
			    api_get_str(
			        ctx, item, "body", 1, &(*fus)[i].body, "followUps[].body") != 0)
				return -1;
			(*fus)[i].after_days = (unsigned)v;
		}
		x->follow_ups = *fus;
		x->nfollow_ups = json_array_size(list);
	}
	if ((ar = json_object_get(doc, "autoResponse")) != NULL && !json_is_null(ar)) {
		if (!json_is_object(ar)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "autoResponse is an object.", "autoResponse", NULL, NULL);
			return -1;
		}
		v = 60;
		if (api_only_keys(ctx, ar, ar_keys, "autoResponse") != 0 ||
		    api_get_str(ctx, ar, "body", 1, &x->auto_response_body, "autoResponse.body") !=
		        0 ||
		    api_get_int(
		        ctx, ar, "delayMinutes", 0, 0, 10080, &v, "autoResponse.delayMinutes") < 0)
			return -1;
		x->auto_response_delay_minutes = (int)v;
	}
	return 0;
}

void
api_campaign_create(void *arg)
{
	struct http_ctx *ctx = arg;
	struct campaign_new in;
	struct campaign_extras extras;
	const char *mailbox_ids[MAILBOXES_MAX_PER_WORKSPACE];
	struct follow_up_in *fus = NULL;
	struct prospect_in *prospects = NULL;
	struct core_fail fail;
	const char *bad = NULL;
	char badbuf[128];
	char id[ID_MAX], by[96];
	json_t *doc, *base;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	/* the shared parser knows the base fields; the extras are this route's */
	base = json_deep_copy(doc);
	if (base) {
		json_object_del(base, "followUps");
		json_object_del(base, "autoResponse");
		json_object_del(base, "mailboxIds");
		json_object_del(base, "launch");
	}
	if (base == NULL) {
		api_fail(ctx, LC_ENOMEM, NULL);
		goto out;
	}
	if ((e = campaign_input_parse(base, &in, &prospects, &bad, badbuf, sizeof(badbuf))) !=
	    LC_OK) {
		if (e == LC_ENOMEM)
			api_fail(ctx, e, NULL);
		else
			http_problem(ctx->req, 422, "validation_failed",
			    "A field is missing, unknown or of the wrong type.", bad, NULL, NULL);
		goto out;
	}
	if (parse_extras(ctx, doc, &extras, &fus) != 0 ||
	    api_mailbox_ids(
	        ctx, doc, mailbox_ids, MAILBOXES_MAX_PER_WORKSPACE, &extras.nmailbox_ids) != 0)
		goto out;
	extras.mailbox_ids = mailbox_ids;
	memset(&fail, 0, sizeof(fail));
	api_requester(ctx, by, sizeof(by));
	e = campaigns_create_full(ctx->core, &ctx->who, &in, &extras, by, id, &fail);
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	answer_campaign(ctx, id, 201);
out:
	free(prospects);
	free(fus);
	json_decref(base);
	json_decref(doc);
}

void
api_campaign_add_relationships(void *arg)
{
	static const char *const keys[] = {"prospects", NULL};
	struct http_ctx *ctx = arg;
	struct prospect_in *prospects = NULL;
	struct campaign_new in;
	struct core_fail fail;
	struct rel_query q;
	struct page page;
	const struct relationship *items;
	const char *bad = NULL;
	char badbuf[128];
	char by[96];
	size_t added = 0, i;
	json_t *doc, *wrapper = NULL, *data, *list;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0)
		goto out;
	list = json_object_get(doc, "prospects");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		http_problem(ctx->req, 422, "validation_failed",
		    "prospects must be a non-empty list.", "prospects", NULL, NULL);
		goto out;
	}
	/* reuse the campaign parser for the prospect list */
	wrapper = json_pack("{s:s,s:s,s:s,s:s,s:O}", "type", "custom", "name", "x", "targetUrl",
	    "https://example.com", "sender", "a@example.com", "prospects", list);
	if (wrapper == NULL) {
		api_fail(ctx, LC_ENOMEM, NULL);
		goto out;
	}
	if ((e = campaign_input_parse(wrapper, &in, &prospects, &bad, badbuf, sizeof(badbuf))) !=
	    LC_OK) {
		http_problem(ctx->req, 422, "validation_failed",
		    "A prospect field is missing, unknown or of the wrong type.", bad, NULL, NULL);
		goto out;
	}
	memset(&fail, 0, sizeof(fail));
	api_requester(ctx, by, sizeof(by));
	e = campaigns_add_prospects(ctx->core, &ctx->who, ctx->match.captures[0], in.prospects,
	    in.nprospects, by, &added, &fail);
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		goto out;
	}
	/* the new relationships are the campaign's newest */
	memset(&q, 0, sizeof(q));
	q.campaign_id = ctx->match.captures[0];
	q.limit = (unsigned)(added > 0 && added <= 200 ? added : 200);
	if ((e = relationships_list(ctx->core, &ctx->who, &q, &page)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		goto out;
	}
	items = page.items;
	data = json_array();
	for (i = 0; data && i < page.n; i++)
		json_array_append_new(
		    data, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", items[i].public_id, "domain",
		              items[i].domain, "contactName", items[i].contact_name, "contactEmail",
		              items[i].contact_email, "status", rel_status_name(items[i].status)));
	page_free(&page);
	http_send_json(
	    ctx->req, 201, json_pack("{s:I,s:o}", "added", (json_int_t)added, "data", data), NULL);
out:
	free(prospects);
	json_decref(wrapper);
	json_decref(doc);
}

static void
transition(struct http_ctx *ctx, enum campaign_action action)
{
	static const char *const keys[] = {"reason", NULL};
	struct core_fail fail;
	const char *reason = NULL;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "reason", 0, &reason, NULL) != 0) {
		json_decref(doc);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	e = campaigns_transition(
	    ctx->core, &ctx->who, ctx->match.captures[0], action, reason, &fail);
	json_decref(doc);
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		return;
	}
	answer_campaign(ctx, ctx->match.captures[0], 200);
}

/* api_campaign_launch launches a draft campaign: 200 with the campaign, now active (or
 * still paused when it was paused as a draft) and its drafts queued per policy. */
void
api_campaign_launch(void *arg)
{
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	char by[96];
	size_t drafted = 0;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, (const char *const[]){NULL}, NULL) != 0) {
		json_decref(doc);
		return;
	}
	json_decref(doc);
	memset(&fail, 0, sizeof(fail));
	api_requester(ctx, by, sizeof(by));
	e = campaigns_launch(ctx->core, &ctx->who, ctx->match.captures[0], by, &drafted, &fail);
	if (e != LC_OK) {
		api_fail_core(ctx, e, &fail);
		return;
	}
	answer_campaign(ctx, ctx->match.captures[0], 200);
}

void
api_campaign_pause(void *arg)
{
	transition(arg, CAMPAIGN_PAUSE);
}

void
api_campaign_resume(void *arg)
{
	transition(arg, CAMPAIGN_RESUME);
}

void
api_campaign_cancel(void *arg)
{
	transition(arg, CAMPAIGN_CANCEL);
}

void
api_campaign_complete(void *arg)
{
	transition(arg, CAMPAIGN_COMPLETE);
}
