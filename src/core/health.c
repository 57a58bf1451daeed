/* health.c: the worker's automatic pauses (docs/mailboxes.md, "Health"), applied inside
 * the transaction that records a delivery's outcome:
 * - a mailbox whose server refuses our mail for policy reasons (5.7.x) HEALTH_REFUSALS
 *   times in a row is paused like one whose AUTH failed: its reputation, not the
 *   prospect, is the problem, and more attempts make it worse;
 * - a campaign whose hard bounces among its last 20 sends pass the workspace policy's
 *   autoPause.bounceRate pauses itself, the reason in its timeline: a list that bounces
 *   burns the sending domain. The last 20 are twenty bits on the campaign's row, shifted
 *   at each outcome, so the check reads one row and never the history. A hard bounce that
 *   a DSN reports after the send (core/dsn_bounce.c) turns one of those sends into a
 *   bounce instead of adding an outcome: the send was counted when it was made. */
#include <stdio.h>
#include <string.h>

#include "core/health.h"
#include "core/mailbox.h"
#include "db/store_dsn.h"
#include "db/store_pacing.h"

int
health_policy_refusal(const struct delivery_result *res)
{
	if (health_policy_code(res->enh_class, res->enh_subject))
		return 1;
	return res->code >= 500 && res->code < 600 && res->enh_class == 5 &&
	       res->enh_subject == 0 && res->enh_detail == 0 && strncmp(res->text, "5.7.", 4) == 0;
}

int
health_policy_code(unsigned enh_class, unsigned enh_subject)
{
	return enh_class == 5 && enh_subject == 7;
}

lc_err
health_mailbox_refused_tx(struct db *db, int64_t mailbox_id, const char *reply, int64_t now)
{
	char why[MAILBOX_TEXT_MAX + 1];
	unsigned n = 0;
	lc_err e;

	if ((e = store_mailbox_refusal(db, mailbox_id, &n)) != LC_OK || n < HEALTH_REFUSALS)
		return e;
	snprintf(why, sizeof(why), "%u policy refusals in a row: %s", n, reply);
	return mailbox_auth_failed_tx(db, mailbox_id, why, now);
}

lc_err
health_mailbox_sent_tx(struct db *db, int64_t mailbox_id)
{
	return store_mailbox_refusals_clear(db, mailbox_id);
}

int
health_bounce_rate_passed(unsigned bounces, unsigned permille)
{
	/* the rate over a window of 20 sends: a campaign with fewer sends so far is judged on
	 * the same 20, so three early bounces of a 0.1 policy are enough */
	return permille > 0 && (uint64_t)bounces * 1000 > (uint64_t)permille * HEALTH_WINDOW;
}

int
health_hard_bounce(unsigned enh_class, unsigned enh_subject)
{
	return enh_class == 5 && enh_subject == 1;
}

int
health_status_parse(const char *s, unsigned *enh_class, unsigned *enh_subject)
{
	unsigned v[3] = {0, 0, 0};
	size_t i, digits;

	*enh_class = *enh_subject = 0;
	if (s == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		for (digits = 0; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
			v[i] = v[i] * 10 + (unsigned)(*s - '0');
		if (digits == 0 || (i < 2 && *s++ != '.'))
			return 0;
	}
	if (*s != '\0' || (v[0] != 2 && v[0] != 4 && v[0] != 5))
		return 0;
	*enh_class = v[0];
	*enh_subject = v[1];
	return 1;
}

void
health_late_bounce(uint32_t *bits, unsigned *sends)
{
	uint32_t window = (UINT32_C(1) << HEALTH_WINDOW) - 1, clean;
	unsigned n = *sends > HEALTH_WINDOW ? HEALTH_WINDOW : *sends;

	/* the lowest clear bit among the n outcomes: the newest clean send */
	clean = ~*bits & ((UINT32_C(1) << n) - 1);
	*sends = n;
	if (clean != 0) {
		*bits = (*bits | (clean & (~clean + 1))) & window;
		return;
	}
	*bits = ((*bits << 1) | 1) & window;
	*sends = n + 1 > HEALTH_WINDOW ? HEALTH_WINDOW : n + 1;
}

static lc_err check_rate(struct db *, int64_t);

lc_err
health_campaign_late_bounce_tx(struct db *db, int64_t campaign_id)
{
	uint32_t bits;
	unsigned sends;
	int found;
	lc_err e;

	if ((e = store_campaign_window_locked(db, campaign_id, &bits, &sends, &found)) != LC_OK ||
	    !found)
		return e;
	health_late_bounce(&bits, &sends);
	if ((e = store_campaign_window_set(db, campaign_id, bits, sends)) != LC_OK)
		return e;
	return check_rate(db, campaign_id);
}

lc_err
health_campaign_outcomes_tx(struct db *db, int64_t campaign_id, unsigned sends, int bounce)
{
	lc_err e;

	if ((e = store_campaign_outcomes(db, campaign_id, sends, bounce)) != LC_OK || !bounce)
		return e; /* only a bounce can pass the rate */
	return check_rate(db, campaign_id);
}

/* check_rate pauses campaign_id when its window's bounces passed the workspace's rate. */
static lc_err
check_rate(struct db *db, int64_t campaign_id)
{
	char why[160];
	struct db_rows r;
	unsigned bounces, permille;
	lc_err e;

	if ((e = store_campaign_health(db, campaign_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	bounces = (unsigned)db_i64(&r, 0, CH_COL_BOUNCES);
	permille = (unsigned)db_i64(&r, 0, CH_COL_PERMILLE);
	if (health_bounce_rate_passed(bounces, permille)) {
		snprintf(why, sizeof(why),
		    "paused automatically: %u hard bounces in the last %u sends passed the "
		    "workspace's autoPause.bounceRate of %u.%03u",
		    bounces, (unsigned)db_i64(&r, 0, CH_COL_SENDS), permille / 1000,
		    permille % 1000);
		e = campaigns_pause_tx(
		    db, db_i64(&r, 0, CH_COL_WORKSPACE), db_str(&r, 0, CH_COL_PUBLIC), why);
	}
	db_rows_free(&r);
	return e;
}
