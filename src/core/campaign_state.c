/* campaign_state.c: pause, resume, cancel and complete. The transaction that changes the
 * campaign's status settles its first SETTLE_ANSWER messages (a pause holds scheduled and
 * deferred ones, a resume schedules held ones again, cancel and complete end pending ones
 * and release their credits) and, when more remain, leaves a marker for the worker, which
 * settles the rest in batches (campaign_settle.c). The answer therefore comes at once
 * however big the campaign. Nothing waits on the batches for safety: the worker's claim
 * reads the campaign's status and holds a paused campaign's message or cancels an ended
 * campaign's message instead of sending it (delivery.c). */
#include <string.h>

#include "core/sending.h"
#include "core/settle.h"
#include "core/validate.h"
#include "db/store_campaigns.h"
#include "db/store_sending.h"
#include "util/timefmt.h"

struct transition_ctx {
	const struct principal *who;
	const char *public_id, *reason;
	enum campaign_action action;
	struct core_fail *fail;
};

static lc_err transition_tx(struct db *, void *);
static lc_err transition_rule(unsigned, int, enum campaign_action, unsigned *, struct core_fail *);
static lc_err check_input(const char *, const char *, struct core_fail *);

/* transition_rule says which status action leads to from status from, or why it may not
 * (fail->code already_paused / already_active with LC_ECONFLICT, invalid_state_transition
 * with LC_EINVAL). The one place that decides it: the real transition and its preview.
 * A campaign paused while a draft (never launched) resumes as a draft. */
static lc_err
transition_rule(
    unsigned from, int launched, enum campaign_action action, unsigned *to, struct core_fail *fail)
{
	if (from == CSTATUS_COMPLETED || from == CSTATUS_CANCELLED) {
		fail->code = "invalid_state_transition";
		fail->detail = "The campaign has ended; it cannot change state any more.";
		return LC_EINVAL;
	}
	switch (action) {
	case CAMPAIGN_PAUSE:
		if (from == CSTATUS_PAUSED) {
			fail->code = "already_paused";
			fail->detail = "The campaign is already paused.";
			return LC_ECONFLICT;
		}
		*to = CSTATUS_PAUSED;
		break;
	case CAMPAIGN_RESUME:
		if (from == CSTATUS_ACTIVE) {
			fail->code = "already_active";
			fail->detail = "The campaign is already active.";
			return LC_ECONFLICT;
		}
		if (from != CSTATUS_PAUSED) {
			fail->code = "invalid_state_transition";
			fail->detail = "Only a paused campaign can be resumed.";
			return LC_EINVAL;
		}
		*to = launched ? CSTATUS_ACTIVE : CSTATUS_DRAFT;
		break;
	case CAMPAIGN_CANCEL: *to = CSTATUS_CANCELLED; break;
	case CAMPAIGN_COMPLETE:
	default: *to = CSTATUS_COMPLETED; break;
	}
	return LC_OK;
}

static lc_err
transition_tx(struct db *db, void *arg)
{
	struct transition_ctx *ctx = arg;
	char now[TIME_SQL_LEN];
	struct db_rows r;
	struct event_in ev;
	unsigned from, to;
	int64_t id;
	uint64_t n = 0;
	int more = 0;
	int launched;
	lc_err e;

	sqltime_format(now_ms(), now);
	if ((e = store_campaign_lock(db, ctx->who->workspace_id, ctx->public_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		ctx->fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, CL_COL_ID);
	from = (unsigned)db_i64(&r, 0, CL_COL_STATUS);
	launched = db_i64(&r, 0, CL_COL_LAUNCHED) != 0;
	db_rows_free(&r);

	if ((e = transition_rule(from, launched, ctx->action, &to, ctx->fail)) != LC_OK)
		return e;
	memset(&ev, 0, sizeof(ev));
	ev.workspace_id = ctx->who->workspace_id;
	ev.campaign_id = id;
	ev.at_ms = now_ms();
	ev.detail = ctx->reason;
	ev.type = to == CSTATUS_PAUSED                          ? EV_CAMPAIGN_PAUSED
	          : to == CSTATUS_ACTIVE || to == CSTATUS_DRAFT ? EV_CAMPAIGN_RESUMED
	          : to == CSTATUS_CANCELLED                     ? EV_CAMPAIGN_CANCELLED
	                                                        : EV_CAMPAIGN_COMPLETED;
	if ((e = store_campaign_set_status(
	         db, id, from, to, to == CSTATUS_PAUSED ? ctx->reason : NULL, now, &n)) != LC_OK)
		return e;
	if (n != 1)
		return LC_ERETRY; /* changed under us despite the lock: run the transaction again */
	if ((e = campaign_settle_tx(db, id, ctx->who->workspace_id, to, SETTLE_ANSWER, &more)) !=
	        LC_OK ||
	    (more && (e = campaign_settle_arm_tx(db, id, ctx->who->workspace_id)) != LC_OK))
		return e;
	return events_record(db, &ev, NULL);
}

/* check_input refuses what no campaign could accept: an id of the wrong shape (404) and a
 * reason that is not short text (422). */
static lc_err
check_input(const char *public_id, const char *reason, struct core_fail *fail)
{
	if (!campaign_id_valid(public_id)) {
		fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	if (reason && !text_valid(reason, 0, 500, 1)) {
		fail->code = "validation_failed";
		fail->param = "reason";
		fail->detail = "reason must be at most 500 characters of text.";
		return LC_EINVAL;
	}
	return LC_OK;
}

lc_err
campaigns_transition(struct core *core, const struct principal *who, const char *public_id,
    enum campaign_action action, const char *reason, struct core_fail *fail)
{
	struct transition_ctx ctx = {who, public_id, reason, action, fail};
	lc_err e;

	if ((e = check_input(public_id, reason, fail)) != LC_OK)
		return e;
	return db_tx(core->db, transition_tx, &ctx);
}

lc_err
campaigns_pause_tx(struct db *db, int64_t workspace_id, const char *public_id, const char *reason)
{
	struct principal who;
	struct core_fail fail;
	struct transition_ctx ctx = {&who, public_id, reason, CAMPAIGN_PAUSE, &fail};
	lc_err e;

	memset(&who, 0, sizeof(who));
	memset(&fail, 0, sizeof(fail));
	who.workspace_id = workspace_id;
	e = transition_tx(db, &ctx);
	return e == LC_ECONFLICT || e == LC_EINVAL ? LC_OK : e; /* already paused, or ended */
}

lc_err
campaigns_transition_preview(struct core *core, const struct principal *who, const char *public_id,
    enum campaign_action action, const char *reason, struct core_fail *fail, unsigned *from,
    unsigned *to)
{
	struct page v;
	int launched = 1;
	lc_err e;

	if ((e = check_input(public_id, reason, fail)) != LC_OK)
		return e;
	if ((e = store_campaign_launched(core->db, who->workspace_id, public_id, &launched)) !=
	    LC_OK)
		return e;
	if ((e = campaigns_get(core, who, public_id, &v)) != LC_OK) {
		if (e == LC_ENOTFOUND)
			fail->code = "campaign_not_found";
		return e;
	}
	*from = ((const struct campaign *)v.items)->status;
	page_free(&v);
	return transition_rule(*from, launched, action, to, fail);
}
