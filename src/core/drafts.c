/* drafts.c: creating campaigns with their prospects and one draft per prospect, rendered
 * from the campaign's mustache template; and adding prospects later. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "core/sending.h"
#include "core/mailbox.h"
#include "core/validate.h"
#include "db/store_campaigns.h"
#include "db/store_credits.h"
#include "db/store_relationships.h"
#include "db/store_sending.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/tmpl.h"

#define FOLLOW_UPS_MAX 5

struct drafts_ctx {
	const struct principal *who;
	int64_t campaign_id;
	unsigned campaign_status;
	const char *campaign_name, *target_url, *sender, *subject, *body;
	const struct prospect_in *prospects;
	size_t n;
	const char *requested_by;
	struct core_fail *fail;
	/* create only */
	const struct campaign_new *in;
	const struct campaign_extras *extras;
	char *out_id;
	const char *add_to; /* add only: campaign public id */
	int skip_existing;  /* add only: a contact already in the campaign is skipped */
	size_t added, skipped;
};

static lc_err render(const char *, json_t *, size_t, char **, const char **);
static json_t *prospect_context(const struct drafts_ctx *, const struct prospect_in *);
static lc_err drafts_prepare(struct db *, struct drafts_ctx *, size_t, struct policy *);
static lc_err draft_one(
    struct db *, struct drafts_ctx *, const struct policy *, int64_t, const struct prospect_in *);
static lc_err add_prospects_tx(struct db *, struct drafts_ctx *);
static lc_err launch_tx(struct db *, void *);
static lc_err create_tx(struct db *, void *);
static lc_err add_tx(struct db *, void *);
static lc_err validate_extras(const struct campaign_extras *, struct core_fail *);
static lc_err add_prospects(struct core *, const struct principal *, const char *,
    const struct prospect_in *, size_t, const char *, int, size_t *, size_t *, struct core_fail *);

/* render expands a template without HTML escaping (email is plain text) into a new
 * malloc'd string of at most max bytes. */
static lc_err
render(const char *tpl, json_t *ctx, size_t max, char **out, const char **why)
{
	struct buf b;
	char err[160];
	lc_err e;

	buf_init(&b, max);
	e = tmpl_render(tpl, strlen(tpl), ctx, NULL, TMPL_ESCAPE_NONE, &b, err, sizeof(err));
	if (e == LC_OK && b.data == NULL)
		e = buf_append(&b, "", 0);
	if (e != LC_OK) {
		buf_free(&b);
		*why = e == LC_EINVAL ? "The template has a syntax error."
		                      : "The rendered text is too long.";
		return e == LC_ENOMEM ? LC_EINVAL : e;
	}
	*out = b.data;
	return LC_OK;
}

static json_t *
prospect_context(const struct drafts_ctx *ctx, const struct prospect_in *p)
{
	const char *name = p->contact_name ? p->contact_name : "";
	size_t first = strcspn(name, " \t");
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "contactName", json_string(name));
	json_object_set_new(o, "contactFirstName", json_stringn(name, first));
	json_object_set_new(o, "contactEmail", json_string(p->contact_email));
	json_object_set_new(o, "domain", json_string(p->domain));
	json_object_set_new(o, "campaignName", json_string(ctx->campaign_name));
	json_object_set_new(o, "targetUrl", json_string(ctx->target_url));
	json_object_set_new(o, "senderEmail", json_string(ctx->sender));
	return o;
}

/* drafts_prepare checks up front that the workspace has credits for n drafts (so a 402
 * names the whole requirement) and reads whether drafts wait for approval. */
static lc_err
drafts_prepare(struct db *db, struct drafts_ctx *ctx, size_t n, struct policy *pol)
{
	struct db_rows r, pr;
	int64_t available = 0;
	lc_err e;

	if ((e = store_credit_balance(db, ctx->who->workspace_id, &r)) != LC_OK)
		return e;
	if (r.nrows == 1)
		available = db_i64(&r, 0, CR_COL_BALANCE) - db_i64(&r, 0, CR_COL_RESERVED);
	db_rows_free(&r);
	if (available < (int64_t)(n * SEND_COST)) {
		ctx->fail->code = "insufficient_credits";
		ctx->fail->detail =
		    "The workspace does not have enough credits for one draft per prospect.";
		ctx->fail->required = (int64_t)(n * SEND_COST);
		ctx->fail->available = available;
		return LC_ECONFLICT;
	}
	if ((e = store_policy_get(db, ctx->who->workspace_id, &pr)) != LC_OK)
		return e;
	pol->approve[MSG_DRAFT] = pr.nrows == 1 ? db_i64(&pr, 0, POL_COL_DRAFTS) != 0 : 1;
	db_rows_free(&pr);
	return LC_OK;
}

/* draft_one renders the campaign's template for prospect p (relationship rid) and queues
 * the draft, waiting for approval per pol. */
static lc_err
draft_one(struct db *db, struct drafts_ctx *ctx, const struct policy *pol, int64_t rid,
    const struct prospect_in *p)
{
	struct enqueue q;
	json_t *vars;
	char *subject = NULL, *body = NULL;
	const char *why = NULL;
	lc_err e;

	if ((vars = prospect_context(ctx, p)) == NULL)
		return LC_ENOMEM;
	e = render(ctx->subject, vars, SUBJECT_MAX_CHARS * 4, &subject, &why);
	if (e == LC_OK && !text_valid(subject, 1, SUBJECT_MAX_CHARS, 0)) {
		why = "The rendered subject is empty, too long or has line breaks.";
		e = LC_EINVAL;
	}
	if (e != LC_OK) {
		ctx->fail->param = "template.subject";
	} else if ((e = render(ctx->body ? ctx->body : "", vars, BODY_MAX_BYTES, &body, &why)) !=
	           LC_OK) {
		ctx->fail->param = "template.body";
	}
	json_decref(vars);
	if (e == LC_EINVAL) {
		ctx->fail->code = "validation_failed";
		ctx->fail->detail = why;
	}
	if (e == LC_OK) {
		memset(&q, 0, sizeof(q));
		q.workspace_id = ctx->who->workspace_id;
		q.campaign_id = ctx->campaign_id;
		q.relationship_id = rid;
		q.kind = MSG_DRAFT;
		q.campaign_status = ctx->campaign_status;
		q.from = ctx->sender;
		q.to = p->contact_email;
		q.to_name = p->contact_name;
		q.subject = subject;
		q.body = body;
		q.requested_by = ctx->requested_by;
		q.approve = pol->approve[MSG_DRAFT];
		e = outbox_enqueue_tx(db, &q, ctx->fail);
	}
	free(subject);
	free(body);
	return e;
}

/* add_prospects_tx inserts each prospect and, when the campaign has a template and is not
 * a draft (docs: a draft campaign queues nothing until launched), its draft. */
static lc_err
add_prospects_tx(struct db *db, struct drafts_ctx *ctx)
{
	char now[TIME_SQL_LEN], rel_id[ID_MAX];
	struct policy pol = {{1, 1, 1, 1, 1}, 24, 0, 100, 0, ""};
	int with_drafts = ctx->subject && *ctx->subject && ctx->campaign_status != CSTATUS_DRAFT;
	size_t i;
	lc_err e;

	sqltime_format(now_ms(), now);
	if (with_drafts && ctx->n > 0 && (e = drafts_prepare(db, ctx, ctx->n, &pol)) != LC_OK)
		return e;
	for (i = 0; i < ctx->n; i++) {
		const struct prospect_in *p = &ctx->prospects[i];
		uint64_t rid = 0;

		id_new("rel_", rel_id);
		e = store_rel_insert(db, rel_id, ctx->who->workspace_id, ctx->campaign_id,
		    p->domain, p->contact_name ? p->contact_name : "", p->contact_email, now, &rid);
		if (e == LC_ECONFLICT && ctx->skip_existing) {
			ctx->skipped++;
			continue;
		}
		if (e == LC_ECONFLICT) {
			ctx->fail->code = "validation_failed";
			ctx->fail->param = "prospects[].contactEmail";
			ctx->fail->detail = "This contact is already a prospect of the campaign.";
			return LC_EINVAL;
		}
		if (e != LC_OK)
			return e;
		ctx->added++;
		if (with_drafts && (e = draft_one(db, ctx, &pol, (int64_t)rid, p)) != LC_OK)
			return e;
	}
	/* prospects without drafts record no event: the metrics' byDomain still changed */
	return ctx->added > 0 ? data_changed_tx(db, ctx->who->workspace_id, 0) : LC_OK;
}

/* launch_tx launches a draft campaign: it becomes active (a paused one stays paused, its
 * drafts held) and every prospect without a draft gets one, through approval per policy. */
static lc_err
launch_tx(struct db *db, void *arg)
{
	struct drafts_ctx *ctx = arg;
	struct policy pol = {{1, 1, 1, 1, 1}, 24, 0, 100, 0, ""};
	char now[TIME_SQL_LEN];
	struct db_rows c, r;
	uint64_t changed = 0;
	size_t i;
	lc_err e;

	memset(&r, 0, sizeof(r));
	sqltime_format(now_ms(), now);
	if ((e = store_campaign_lock(db, ctx->who->workspace_id, ctx->add_to, &c)) != LC_OK)
		return e;
	if (c.nrows != 1) {
		db_rows_free(&c);
		ctx->fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	ctx->campaign_id = db_i64(&c, 0, CL_COL_ID);
	ctx->campaign_status = (unsigned)db_i64(&c, 0, CL_COL_STATUS);
	if (ctx->campaign_status == CSTATUS_COMPLETED ||
	    ctx->campaign_status == CSTATUS_CANCELLED) {
		ctx->fail->code = "invalid_state_transition";
		ctx->fail->detail = "The campaign has ended; it cannot be launched.";
		e = LC_EINVAL;
		goto out;
	}
	if (db_i64(&c, 0, CL_COL_LAUNCHED) != 0) {
		ctx->fail->code = "already_launched";
		ctx->fail->detail = "The campaign was launched already.";
		e = LC_ECONFLICT;
		goto out;
	}
	if (ctx->campaign_status == CSTATUS_DRAFT) {
		if ((e = store_campaign_set_status(db, ctx->campaign_id, CSTATUS_DRAFT,
		         CSTATUS_ACTIVE, NULL, now, &changed)) != LC_OK)
			goto out;
		if (changed != 1) {
			e = LC_ERETRY;
			goto out;
		}
		ctx->campaign_status = CSTATUS_ACTIVE;
	}
	if ((e = store_campaign_set_launched(db, ctx->campaign_id, now)) != LC_OK)
		goto out;
	ctx->campaign_name = db_str(&c, 0, CL_COL_NAME);
	ctx->target_url = db_str(&c, 0, CL_COL_TARGET);
	ctx->sender = db_str(&c, 0, CL_COL_SENDER);
	ctx->subject = db_str(&c, 0, CL_COL_SUBJECT);
	ctx->body = db_str(&c, 0, CL_COL_BODY);
	if (ctx->subject && *ctx->subject) {
		if ((e = store_rel_undrafted(db, ctx->campaign_id, &r)) != LC_OK)
			goto out;
		if (r.nrows > 0 && (e = drafts_prepare(db, ctx, r.nrows, &pol)) != LC_OK)
			goto out;
		for (i = 0; i < r.nrows && e == LC_OK; i++) {
			struct prospect_in p;

			memset(&p, 0, sizeof(p));
			p.domain = db_str(&r, i, 1);
			p.contact_name = db_str(&r, i, 2);
			p.contact_email = db_str(&r, i, 3);
			e = draft_one(db, ctx, &pol, db_i64(&r, i, 0), &p);
			ctx->added += e == LC_OK;
		}
		if (e != LC_OK)
			goto out;
	}
	e = data_changed_tx(db, ctx->who->workspace_id, 0);
out:
	db_rows_free(&r);
	db_rows_free(&c);
	return e;
}

lc_err
campaigns_launch(struct core *core, const struct principal *who, const char *campaign_id,
    const char *requested_by, size_t *drafted, struct core_fail *fail)
{
	struct drafts_ctx ctx;
	lc_err e;

	*drafted = 0;
	if (!campaign_id_valid(campaign_id)) {
		fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.who = who;
	ctx.add_to = campaign_id;
	ctx.requested_by = requested_by;
	ctx.fail = fail;
	e = db_tx(core->db, launch_tx, &ctx);
	if (e == LC_OK)
		*drafted = ctx.added;
	return e;
}

static lc_err
create_tx(struct db *db, void *arg)
{
	struct drafts_ctx *ctx = arg;
	const struct campaign_new *in = ctx->in;
	char now[TIME_SQL_LEN];
	struct event_in ev;
	uint64_t cid = 0;
	size_t i;
	lc_err e;

	ctx->added = 0;
	sqltime_format(in->created_ms, now);
	id_new(campaign_type_prefix(in->type), ctx->out_id);
	if ((e = store_campaign_insert(db, ctx->out_id, ctx->who->workspace_id, in->type, in->name,
	         in->target_url, in->sender, ctx->campaign_status, in->subject ? in->subject : "",
	         in->body ? in->body : "", now, &cid)) != LC_OK)
		return e;
	ctx->campaign_id = (int64_t)cid;
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_CAMPAIGN_CREATED;
	ev.workspace_id = ctx->who->workspace_id;
	ev.campaign_id = (int64_t)cid;
	ev.at_ms = in->created_ms;
	if ((e = events_record(db, &ev, NULL)) != LC_OK)
		return e;
	for (i = 0; ctx->extras && i < ctx->extras->nfollow_ups; i++)
		if ((e = store_follow_up_insert(db, (int64_t)cid, (unsigned)i + 1,
		         ctx->extras->follow_ups[i].after_days, ctx->extras->follow_ups[i].body)) !=
		    LC_OK)
			return e;
	if (ctx->extras && ctx->extras->auto_response_body &&
	    (e = store_campaign_auto_response(db, (int64_t)cid, ctx->extras->auto_response_body,
	         ctx->extras->auto_response_delay_minutes)) != LC_OK)
		return e;
	if (ctx->extras && ctx->extras->nmailbox_ids > 0 &&
	    (e = campaign_mailboxes_set_tx(db, ctx->who->workspace_id, (int64_t)cid,
	         ctx->extras->mailbox_ids, ctx->extras->nmailbox_ids, ctx->fail)) != LC_OK)
		return e;
	return add_prospects_tx(db, ctx);
}

static lc_err
validate_extras(const struct campaign_extras *x, struct core_fail *fail)
{
	size_t i;

	if (x == NULL)
		return LC_OK;
	fail->code = "validation_failed";
	if (x->nfollow_ups > FOLLOW_UPS_MAX) {
		fail->param = "followUps";
		fail->detail = "At most 5 follow-ups.";
		return LC_EINVAL;
	}
	for (i = 0; i < x->nfollow_ups; i++) {
		if (x->follow_ups[i].after_days < 1 || x->follow_ups[i].after_days > 90) {
			fail->param = "followUps[].afterDays";
			fail->detail = "afterDays must be an integer from 1 to 90.";
			return LC_EINVAL;
		}
		if (!text_valid(x->follow_ups[i].body, 1, BODY_MAX_BYTES, 1) ||
		    strlen(x->follow_ups[i].body) > BODY_MAX_BYTES) {
			fail->param = "followUps[].body";
			fail->detail = "body must be UTF-8 text of 1 byte to 100 KiB.";
			return LC_EINVAL;
		}
	}
	if (x->auto_response_body && (!text_valid(x->auto_response_body, 1, BODY_MAX_BYTES, 1) ||
	                                 strlen(x->auto_response_body) > BODY_MAX_BYTES)) {
		fail->param = "autoResponse.body";
		fail->detail = "body must be UTF-8 text of 1 byte to 100 KiB.";
		return LC_EINVAL;
	}
	if (x->auto_response_body &&
	    (x->auto_response_delay_minutes < 0 || x->auto_response_delay_minutes > 10080)) {
		fail->param = "autoResponse.delayMinutes";
		fail->detail = "delayMinutes must be an integer from 0 to 10080.";
		return LC_EINVAL;
	}
	fail->code = NULL;
	return LC_OK;
}

lc_err
campaigns_create_full(struct core *core, const struct principal *who, const struct campaign_new *in,
    const struct campaign_extras *extras, const char *requested_by, char out_id[ID_MAX],
    struct core_fail *fail)
{
	struct campaign_new copy = *in;
	struct drafts_ctx ctx;
	const char *bad = NULL;
	lc_err e;

	if ((e = validate_campaign_new(in, &bad)) != LC_OK) {
		fail->code = "validation_failed";
		fail->param = bad;
		fail->detail = "A field is missing or invalid.";
		return e;
	}
	if ((e = validate_extras(extras, fail)) != LC_OK)
		return e;
	if (in->nprospects > 0 && (in->subject == NULL || *in->subject == '\0')) {
		fail->code = "validation_failed";
		fail->param = "template.subject";
		fail->detail = "A campaign with prospects needs a template to draft from.";
		return LC_EINVAL;
	}
	if (copy.created_ms == 0)
		copy.created_ms = now_ms();
	memset(&ctx, 0, sizeof(ctx));
	ctx.who = who;
	ctx.in = &copy;
	ctx.extras = extras;
	ctx.out_id = out_id;
	ctx.campaign_status = extras && extras->draft ? CSTATUS_DRAFT : CSTATUS_ACTIVE;
	ctx.campaign_name = in->name;
	ctx.target_url = in->target_url;
	ctx.sender = in->sender;
	ctx.subject = in->subject;
	ctx.body = in->body;
	ctx.prospects = in->prospects;
	ctx.n = in->nprospects;
	ctx.requested_by = requested_by;
	ctx.fail = fail;
	return db_tx(core->db, create_tx, &ctx);
}

static lc_err
add_tx(struct db *db, void *arg)
{
	struct drafts_ctx *ctx = arg;
	struct db_rows r;
	lc_err e;

	ctx->added = 0;
	ctx->skipped = 0;
	if ((e = store_campaign_lock(db, ctx->who->workspace_id, ctx->add_to, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		ctx->fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	ctx->campaign_id = db_i64(&r, 0, CL_COL_ID);
	ctx->campaign_status = (unsigned)db_i64(&r, 0, CL_COL_STATUS);
	if (ctx->campaign_status == CSTATUS_COMPLETED ||
	    ctx->campaign_status == CSTATUS_CANCELLED) {
		db_rows_free(&r);
		ctx->fail->code = "invalid_state_for_send";
		ctx->fail->detail = "The campaign has ended.";
		return LC_EINVAL;
	}
	ctx->campaign_name = db_str(&r, 0, CL_COL_NAME);
	ctx->target_url = db_str(&r, 0, CL_COL_TARGET);
	ctx->sender = db_str(&r, 0, CL_COL_SENDER);
	ctx->subject = db_str(&r, 0, CL_COL_SUBJECT);
	ctx->body = db_str(&r, 0, CL_COL_BODY);
	e = add_prospects_tx(db, ctx);
	db_rows_free(&r);
	return e;
}

lc_err
campaigns_add_prospects(struct core *core, const struct principal *who, const char *campaign_id,
    const struct prospect_in *prospects, size_t n, const char *requested_by, size_t *added,
    struct core_fail *fail)
{
	size_t skipped;

	return add_prospects(
	    core, who, campaign_id, prospects, n, requested_by, 0, added, &skipped, fail);
}

lc_err
campaigns_import_prospects(struct core *core, const struct principal *who, const char *campaign_id,
    const struct prospect_in *prospects, size_t n, const char *requested_by, size_t *added,
    size_t *skipped, struct core_fail *fail)
{
	return add_prospects(
	    core, who, campaign_id, prospects, n, requested_by, 1, added, skipped, fail);
}

/* add_prospects adds n prospects to the campaign in one transaction; with skip_existing a
 * contact already in it is counted in *skipped instead of refusing the whole list. */
static lc_err
add_prospects(struct core *core, const struct principal *who, const char *campaign_id,
    const struct prospect_in *prospects, size_t n, const char *requested_by, int skip_existing,
    size_t *added, size_t *skipped, struct core_fail *fail)
{
	struct campaign_new probe;
	struct drafts_ctx ctx;
	const char *bad = NULL;
	lc_err e;

	*added = 0;
	*skipped = 0;
	if (!campaign_id_valid(campaign_id)) {
		fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	/* the prospect rules are the campaign's: validate them through the same function */
	memset(&probe, 0, sizeof(probe));
	probe.name = "x";
	probe.target_url = "https://example.com";
	probe.sender = "a@example.com";
	probe.prospects = prospects;
	probe.nprospects = n;
	if (n == 0 || validate_campaign_new(&probe, &bad) != LC_OK) {
		fail->code = "validation_failed";
		fail->param = n == 0 ? "prospects" : bad;
		fail->detail =
		    n == 0 ? "Give at least one prospect." : "A prospect field is invalid.";
		return LC_EINVAL;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.who = who;
	ctx.add_to = campaign_id;
	ctx.prospects = prospects;
	ctx.n = n;
	ctx.requested_by = requested_by;
	ctx.fail = fail;
	ctx.skip_existing = skip_existing;
	e = db_tx(core->db, add_tx, &ctx);
	if (e == LC_OK) {
		*added = ctx.added;
		*skipped = ctx.skipped;
	}
	return e;
}

/* drafts_follow_up_tx queues the next follow-up of the campaign after sent (a draft or a
 * follow-up) went out, threaded to it. No follow-up configured, or no credits left: nothing
 * is queued (the latter is logged). Runs inside the delivery transaction. */
lc_err
drafts_follow_up_tx(struct db *db, const struct out_message *sent, int64_t sent_ms)
{
	char *body = NULL, subject[SUBJECT_MAX_CHARS * 4 + 8], *refs = NULL;
	const char *why = NULL;
	struct db_rows fu, pr, rr;
	struct core_fail fail;
	struct enqueue q;
	struct prospect_in p;
	struct drafts_ctx ctx;
	json_t *vars = NULL;
	size_t rlen;
	lc_err e;

	if (sent->kind != MSG_DRAFT && sent->kind != MSG_FOLLOW_UP)
		return LC_OK;
	if ((e = store_follow_up_get(db, sent->campaign_id, sent->follow_up_step + 1, &fu)) !=
	    LC_OK)
		return e;
	if (fu.nrows != 1) {
		db_rows_free(&fu);
		return LC_OK;
	}
	memset(&pr, 0, sizeof(pr));
	memset(&rr, 0, sizeof(rr));
	memset(&ctx, 0, sizeof(ctx));
	memset(&p, 0, sizeof(p));
	if ((e = store_policy_get(db, sent->workspace_id, &pr)) != LC_OK ||
	    (e = store_rel_get(db, sent->workspace_id, sent->relationship_public_id,
	         "1970-01-01 00:00:00.000", &rr)) != LC_OK)
		goto out;
	p.contact_name = sent->to_name;
	p.contact_email = sent->to;
	p.domain = rr.nrows == 1 ? db_str(&rr, 0, REL_COL_DOMAIN) : "";
	ctx.campaign_name = "";
	ctx.target_url = "";
	ctx.sender = sent->from;
	if ((vars = prospect_context(&ctx, &p)) == NULL) {
		e = LC_ENOMEM;
		goto out;
	}
	if ((e = render(db_str(&fu, 0, FU_COL_BODY), vars, BODY_MAX_BYTES, &body, &why)) != LC_OK) {
		log_msg(LOG_WARN, "follow-up of %s not queued: %s", sent->public_id, why);
		e = LC_OK;
		goto out;
	}
	if (strncasecmp(sent->subject, "Re:", 3) == 0)
		snprintf(subject, sizeof(subject), "%s", sent->subject);
	else
		snprintf(subject, sizeof(subject), "Re: %s", sent->subject);
	rlen = (sent->references ? strlen(sent->references) + 1 : 0) + strlen(sent->message_id) + 1;
	if ((refs = malloc(rlen)) == NULL) {
		e = LC_ENOMEM;
		goto out;
	}
	snprintf(refs, rlen, "%s%s%s", sent->references ? sent->references : "",
	    sent->references ? " " : "", sent->message_id);
	memset(&q, 0, sizeof(q));
	memset(&fail, 0, sizeof(fail));
	q.workspace_id = sent->workspace_id;
	q.campaign_id = sent->campaign_id;
	q.relationship_id = sent->relationship_id;
	q.parent_id = sent->id;
	q.kind = MSG_FOLLOW_UP;
	q.follow_up_step = sent->follow_up_step + 1;
	q.campaign_status = sent->campaign_status;
	q.from = sent->from;
	q.to = sent->to;
	q.to_name = sent->to_name;
	q.subject = subject;
	q.body = body;
	q.in_reply_to = sent->message_id;
	q.references = refs;
	q.schedule_ms = sent_ms + (int64_t)db_i64(&fu, 0, FU_COL_AFTER) * 86400000;
	q.requested_by = "system";
	q.approve = pr.nrows == 1 ? db_i64(&pr, 0, POL_COL_FOLLOW) != 0 : 1;
	/* A savepoint lets a follow-up that cannot be paid for vanish without undoing the
	 * delivery record it belongs to. */
	if ((e = db_exec_text(db, "SAVEPOINT follow_up")) != LC_OK)
		goto out;
	e = outbox_enqueue_tx(db, &q, &fail);
	if (e == LC_ECONFLICT && fail.code && strcmp(fail.code, "insufficient_credits") == 0) {
		log_msg(
		    LOG_WARN, "follow-up of %s not queued: insufficient credits", sent->public_id);
		e = db_exec_text(db, "ROLLBACK TO SAVEPOINT follow_up");
	}
out:
	json_decref(vars);
	free(body);
	free(refs);
	db_rows_free(&fu);
	db_rows_free(&pr);
	db_rows_free(&rr);
	return e;
}
