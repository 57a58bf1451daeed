/* respond.c: answering an inbound message, threaded to it (the reference's respond). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/inbound.h"
#include "core/validate.h"
#include "db/store_outbox.h"
#include "db/store_sending.h"
#include "db/store_inbound.h"
#include "util/timefmt.h"

static lc_err respond_tx(struct db *, void *);

/* respond_tx: the inbound message read, its campaign locked, one read for the policy and
 * the suppression of the address answered (store_send_gate_addr), then the auto-responses
 * it replaces cancelled and the answer queued. */
static lc_err
respond_tx(struct db *db, void *arg)
{
	struct email_ctx *ctx = arg;
	const struct respond_in *in = ctx->in;
	struct db_rows ir, cr, gr, ids;
	struct inbound_view v;
	struct enqueue q;
	char subject[1100], *refs = NULL;
	unsigned approve = 1;
	lc_err e;

	memset(&cr, 0, sizeof(cr));
	memset(&gr, 0, sizeof(gr));
	if ((e = store_inbound_get(db, ctx->who->workspace_id, in->inbound_id, &ir)) != LC_OK)
		return e;
	if (ir.nrows != 1) {
		db_rows_free(&ir);
		ctx->fail->code = "inbound_message_not_found";
		return LC_ENOTFOUND;
	}
	memset(&v, 0, sizeof(v));
	v.relationship_id = db_i64(&ir, 0, IN_COL_REL_ID);
	v.campaign_public_id = db_str(&ir, 0, IN_COL_CAMPAIGN_PUBLIC);
	v.from = db_str(&ir, 0, IN_COL_FROM);
	v.from_name = db_str(&ir, 0, IN_COL_FROM_NAME);
	v.subject = db_str(&ir, 0, IN_COL_SUBJECT);
	v.message_id = db_str(&ir, 0, IN_COL_MSGID);
	v.references = db_str(&ir, 0, IN_COL_REFERENCES);
	if (v.relationship_id == 0 || v.campaign_public_id == NULL || v.from == NULL) {
		ctx->fail->code = "validation_failed";
		ctx->fail->param = "inboundMessageId";
		ctx->fail->detail = "This message matched no prospect of a campaign; there is no "
		                    "campaign to answer it from.";
		e = LC_EINVAL;
		goto out;
	}
	if ((e = email_campaign_lock(
	         db, ctx->who->workspace_id, v.campaign_public_id, &cr, ctx->fail)) != LC_OK)
		goto out;
	if ((e = store_send_gate_addr(db, ctx->who->workspace_id, v.from, &gr)) != LC_OK ||
	    (e = email_gate_check(&gr, MSG_RESPOND, &approve, ctx->fail)) != LC_OK)
		goto out;
	if (in->subject)
		snprintf(subject, sizeof(subject), "%s", in->subject);
	else if (strncasecmp(v.subject, "Re:", 3) == 0)
		snprintf(subject, sizeof(subject), "%.998s", v.subject);
	else
		snprintf(subject, sizeof(subject), "Re: %.994s",
		    v.subject[0] ? v.subject : "your reply");
	if ((e = outbox_check_subject(subject, ctx->fail)) != LC_OK)
		goto out;
	/* the whole chain: their References, our message they answered, their Message-ID */
	if ((e = inbound_references_new(
	         v.references, db_str(&ir, 0, IN_COL_OUT_MSGID), v.message_id, &refs)) != LC_OK)
		goto out;
	/* the answer replaces any auto-response still waiting for this message */
	if ((e = store_msg_pending_answers(db, db_i64(&ir, 0, IN_COL_ID), &ids)) != LC_OK)
		goto out;
	{
		size_t i;
		for (i = 0; i < ids.nrows && e == LC_OK; i++) {
			struct db_rows r;
			struct out_message m;
			int changed;
			if ((e = store_msg_get_locked(db, db_i64(&ids, i, 0), &r)) != LC_OK)
				break;
			if (r.nrows == 1) {
				out_message_from_row(&r, 0, &m);
				e = outbox_release_tx(db, &m, MS_CANCELLED,
				    "replaced by a manual response", 0, &changed);
			}
			db_rows_free(&r);
		}
	}
	db_rows_free(&ids);
	if (e != LC_OK)
		goto out;
	memset(&q, 0, sizeof(q));
	q.workspace_id = ctx->who->workspace_id;
	q.campaign_id = db_i64(&cr, 0, CL_COL_ID);
	q.relationship_id = v.relationship_id;
	q.inbound_id = db_i64(&ir, 0, IN_COL_ID);
	q.kind = MSG_RESPOND;
	q.campaign_status = (unsigned)db_i64(&cr, 0, CL_COL_STATUS);
	q.from = db_str(&cr, 0, CL_COL_SENDER);
	q.to = v.from;
	q.to_name = v.from_name;
	q.subject = subject;
	q.body = in->body;
	q.in_reply_to = v.message_id;
	q.references = refs;
	q.schedule_ms = in->schedule_ms;
	q.requested_by = in->requested_by;
	q.action = "link_building.campaign.respond";
	q.approve = approve;
	q.recipient_cleared = 1; /* refused above when suppressed */
	if ((e = outbox_enqueue_tx(db, &q, ctx->fail)) == LC_OK)
		memcpy(ctx->inv_id, q.inv_public, ID_MAX);
out:
	free(refs);
	db_rows_free(&ir);
	db_rows_free(&cr);
	db_rows_free(&gr);
	return e;
}

lc_err
outbox_respond(struct core *core, const struct principal *who, const struct respond_in *in,
    struct page *inv, struct core_fail *fail)
{
	struct email_ctx ctx = {who, in, fail, ""};
	lc_err e;

	memset(inv, 0, sizeof(*inv));
	if ((e = outbox_check_email(in->subject, in->body, in->schedule_ms, fail)) != LC_OK)
		return e;
	if (!id_has_shape("msg_", in->inbound_id, strlen(in->inbound_id))) {
		fail->code = "inbound_message_not_found";
		return LC_ENOTFOUND;
	}
	return email_run(core, &ctx, respond_tx, inv);
}
