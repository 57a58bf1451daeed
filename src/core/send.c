/* send.c: a one-off email within a campaign (send-email). Same gating for every front. */
#include <string.h>

#include "core/sending.h"
#include "core/validate.h"
#include "db/store_sending.h"
#include "util/log.h"
#include "util/timefmt.h"

#define YEAR_MS (INT64_C(366) * 86400 * 1000)
#define PAST_SLACK_MS (INT64_C(5) * 60 * 1000)

static lc_err send_tx(struct db *, void *);

/* send_tx: the campaign locked, then one read for the relationship, its address's
 * suppression and the policy (store_send_gate_rel), then the message queued. */
static lc_err
send_tx(struct db *db, void *arg)
{
	struct email_ctx *ctx = arg;
	const struct send_in *in = ctx->in;
	struct db_rows cr, gr;
	struct enqueue q;
	unsigned approve = 1;
	lc_err e;

	if ((e = email_campaign_lock(
	         db, ctx->who->workspace_id, in->campaign_id, &cr, ctx->fail)) != LC_OK)
		return e;
	memset(&gr, 0, sizeof(gr));
	if (!id_has_shape("rel_", in->relationship_id, strlen(in->relationship_id))) {
		ctx->fail->code = "relationship_not_found";
		e = LC_ENOTFOUND;
		goto out;
	}
	if ((e = store_send_gate_rel(db, ctx->who->workspace_id, db_i64(&cr, 0, CL_COL_ID),
	         in->relationship_id, &gr)) != LC_OK)
		goto out;
	if (gr.nrows != 1 || db_i64(&gr, 0, SG_COL_REL_ID) == 0) {
		ctx->fail->code = "relationship_not_found";
		ctx->fail->detail = "No such relationship in this campaign.";
		e = LC_ENOTFOUND;
		goto out;
	}
	if ((e = email_gate_check(&gr, MSG_SEND_EMAIL, &approve, ctx->fail)) != LC_OK)
		goto out;
	memset(&q, 0, sizeof(q));
	q.workspace_id = ctx->who->workspace_id;
	q.campaign_id = db_i64(&cr, 0, CL_COL_ID);
	q.relationship_id = db_i64(&gr, 0, SG_COL_REL_ID);
	q.kind = MSG_SEND_EMAIL;
	q.campaign_status = (unsigned)db_i64(&cr, 0, CL_COL_STATUS);
	q.from = db_str(&cr, 0, CL_COL_SENDER);
	q.to = db_str(&gr, 0, SG_COL_REL_EMAIL);
	q.to_name = db_str(&gr, 0, SG_COL_REL_NAME);
	q.subject = in->subject;
	q.body = in->body;
	q.schedule_ms = in->schedule_ms;
	q.requested_by = in->requested_by;
	q.action = "link_building.campaign.send_email";
	q.approve = approve;
	q.recipient_cleared = 1; /* refused above when suppressed */
	if ((e = outbox_enqueue_tx(db, &q, ctx->fail)) == LC_OK)
		memcpy(ctx->inv_id, q.inv_public, ID_MAX);
out:
	db_rows_free(&cr);
	db_rows_free(&gr);
	return e;
}

lc_err
outbox_check_subject(const char *subject, struct core_fail *fail)
{
	if (text_valid(subject, 1, SUBJECT_MAX_CHARS, 0))
		return LC_OK;
	fail->code = "validation_failed";
	fail->param = "subject";
	fail->detail = "subject must be 1 to 998 characters without line breaks.";
	return LC_EINVAL;
}

lc_err
outbox_check_body(const char *body, struct core_fail *fail)
{
	if (strlen(body) <= BODY_MAX_BYTES && text_valid(body, 1, BODY_MAX_BYTES, 1))
		return LC_OK;
	fail->code = "validation_failed";
	fail->param = "body";
	fail->detail = "body must be UTF-8 text of 1 byte to 100 KiB.";
	return LC_EINVAL;
}

lc_err
outbox_check_email(
    const char *subject, const char *body, int64_t schedule_ms, struct core_fail *fail)
{
	int64_t now = now_ms();

	if (subject && outbox_check_subject(subject, fail) != LC_OK)
		return LC_EINVAL;
	if (body == NULL) {
		fail->code = "validation_failed";
		fail->param = "body";
		fail->detail = "body must be UTF-8 text of 1 byte to 100 KiB.";
		return LC_EINVAL;
	}
	if (outbox_check_body(body, fail) != LC_OK)
		return LC_EINVAL;
	fail->code = "validation_failed";
	if (schedule_ms != 0 &&
	    (schedule_ms > now + YEAR_MS || schedule_ms < now - PAST_SLACK_MS)) {
		fail->param = "scheduleAt";
		fail->detail = "scheduleAt must be \"now\" or a time from now to one year ahead.";
		return LC_EINVAL;
	}
	fail->code = NULL;
	return LC_OK;
}

lc_err
outbox_send_email(struct core *core, const struct principal *who, const struct send_in *in,
    struct page *inv, struct core_fail *fail)
{
	struct email_ctx ctx = {who, in, fail, ""};
	lc_err e;

	memset(inv, 0, sizeof(*inv));
	if (in->subject == NULL) {
		fail->code = "validation_failed";
		fail->param = "subject";
		fail->detail = "subject is required.";
		return LC_EINVAL;
	}
	if ((e = outbox_check_email(in->subject, in->body, in->schedule_ms, fail)) != LC_OK)
		return e;
	if (!campaign_id_valid(in->campaign_id)) {
		fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	return email_run(core, &ctx, send_tx, inv);
}

lc_err
invocation_written(
    struct core *core, const struct principal *who, const char *inv_id, struct page *inv)
{
	lc_err e = invocations_get(core, who, inv_id, inv);

	/* committed a moment ago: not finding it is the database's failure, not the client's
	 * (logged with the id: the Galera chaos test has met it twice after a failover) */
	if (e == LC_ENOTFOUND) {
		log_msg(
		    LOG_ERROR, "invocation %s written but not found on reading it back", inv_id);
		return LC_EDB;
	}
	return e;
}
