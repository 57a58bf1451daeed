/* policy.c: the workspace's approval policy. */
#include <stdio.h>
#include <string.h>

#include "core/sending.h"
#include "db/store_sending.h"
#include "util/money.h"

lc_err
policy_get(struct core *core, const struct principal *who, struct policy *out)
{
	struct db_rows r;
	lc_err e;

	if ((e = store_policy_get(core->db, who->workspace_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out->approve[MSG_DRAFT] = db_i64(&r, 0, POL_COL_DRAFTS) != 0;
	out->approve[MSG_SEND_EMAIL] = db_i64(&r, 0, POL_COL_SEND) != 0;
	out->approve[MSG_RESPOND] = db_i64(&r, 0, POL_COL_RESPOND) != 0;
	out->approve[MSG_AUTO_RESPONSE] = db_i64(&r, 0, POL_COL_AUTO) != 0;
	out->approve[MSG_FOLLOW_UP] = db_i64(&r, 0, POL_COL_FOLLOW) != 0;
	out->max_lateness_hours = (unsigned)db_i64(&r, 0, POL_COL_LATENESS);
	out->track_opens = db_i64(&r, 0, POL_COL_TRACK) != 0;
	out->bounce_permille = (unsigned)db_i64(&r, 0, POL_COL_BOUNCE_PERMILLE);
	out->unsubscribe_domain = db_i64(&r, 0, POL_COL_UNSUB_DOMAIN) != 0;
	snprintf(out->currency, sizeof(out->currency), "%s",
	    db_str(&r, 0, POL_COL_CURRENCY) ? db_str(&r, 0, POL_COL_CURRENCY) : "");
	db_rows_free(&r);
	return LC_OK;
}

lc_err
policy_put(
    struct core *core, const struct principal *who, const struct policy *p, struct core_fail *fail)
{
	struct store_policy sp;
	size_t i;

	if (p->max_lateness_hours < 1 || p->max_lateness_hours > 24 * 30) {
		fail->code = "validation_failed";
		fail->param = "maxLatenessHours";
		fail->detail = "maxLatenessHours must be an integer from 1 to 720.";
		return LC_EINVAL;
	}
	if (p->bounce_permille > 1000) {
		fail->code = "validation_failed";
		fail->param = "autoPause.bounceRate";
		fail->detail = "autoPause.bounceRate is a number from 0 to 1 (0 turns it off).";
		return LC_EINVAL;
	}
	if (money_currency_digits(p->currency) < 0) {
		fail->code = "validation_failed";
		fail->param = "defaultCurrency";
		fail->detail =
		    "defaultCurrency must be a current ISO 4217 currency code in capitals, "
		    "such as EUR, USD or JPY.";
		return LC_EINVAL;
	}
	memset(&sp, 0, sizeof(sp));
	for (i = 0; i < 5; i++)
		sp.flags[i] = p->approve[i] ? 1 : 0;
	sp.lateness_hours = p->max_lateness_hours;
	sp.track_opens = p->track_opens;
	sp.unsubscribe_domain = p->unsubscribe_domain;
	sp.bounce_permille = p->bounce_permille;
	sp.currency = p->currency;
	return store_policy_put(core->db, who->workspace_id, &sp);
}
