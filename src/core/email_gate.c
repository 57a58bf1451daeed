/* email_gate.c: what every email a person asks for (send-email, respond) goes through in
 * its transaction, in one place: the campaign locked and open for sending, the recipient
 * refused when suppressed, the approval policy read with it, and the run of the transaction
 * with its answer. */
#include <string.h>

#include "core/sending.h"
#include "db/store_sending.h"

lc_err
email_campaign_lock(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *cr,
    struct core_fail *fail)
{
	unsigned status;
	lc_err e;

	memset(cr, 0, sizeof(*cr));
	/* the campaign's row lock orders the writers of its messages (docs/scaling.md) */
	if ((e = store_campaign_lock(db, workspace_id, public_id, cr)) != LC_OK)
		return e;
	if (cr->nrows != 1) {
		fail->code = "campaign_not_found";
		e = LC_ENOTFOUND;
		goto fail;
	}
	status = (unsigned)db_i64(cr, 0, CL_COL_STATUS);
	if (status == CSTATUS_CANCELLED || status == CSTATUS_COMPLETED) {
		fail->code = "invalid_state_for_send";
		fail->detail = "The campaign is cancelled or completed.";
		e = LC_EINVAL;
		goto fail;
	}
	if (db_i64(cr, 0, CL_COL_LAUNCHED) == 0) { /* a draft queues nothing until launched */
		fail->code = "invalid_state_for_send";
		fail->detail = "The campaign is a draft: launch it first.";
		e = LC_EINVAL;
		goto fail;
	}
	return LC_OK;
fail:
	db_rows_free(cr);
	return e;
}

lc_err
email_gate_check(
    const struct db_rows *gate, unsigned kind, unsigned *approve, struct core_fail *fail)
{
	/* no workspace row (it cannot vanish under a signed-in principal): the strict policy */
	if (gate->nrows == 1 && db_i64(gate, 0, SG_COL_SUPPRESSED) > 0) {
		fail->code = "recipient_suppressed";
		fail->detail = "This address unsubscribed or hard-bounced; it is never sent to.";
		return LC_EINVAL;
	}
	*approve = gate->nrows == 1 ? db_i64(gate, 0,
	                                  kind == MSG_RESPOND ? SG_COL_APPROVE_RESPOND
	                                                      : SG_COL_APPROVE_SEND) != 0
	                            : 1;
	return LC_OK;
}

lc_err
email_run(
    struct core *core, struct email_ctx *ctx, lc_err (*tx)(struct db *, void *), struct page *inv)
{
	lc_err e;

	ctx->inv_id[0] = '\0';
	if ((e = db_tx(core->db, tx, ctx)) != LC_OK)
		return e;
	return invocation_written(core, ctx->who, ctx->inv_id, inv);
}
