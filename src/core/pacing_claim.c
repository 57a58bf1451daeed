/* pacing_claim.c: the claim's side of pacing (docs/mailboxes.md, "Pacing"). Inside the
 * claim's transaction the mailbox's row is locked, its settings and counters read in one
 * primary-key read, the rules of pacing.c applied, and either the slot taken (the
 * counters move in the same transaction, so the next message of the same claim, or
 * another worker's claim, sees it) or the message held with its reason and next slot.
 *
 * A slot is taken when the message is claimed, not when the server accepted it: a
 * message the server defers has still been an attempt from that mailbox, and counting at
 * the claim is what keeps two workers from both passing a cap. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/mailbox.h"
#include "core/pacing.h"
#include "db/store_pacing.h"
#include "util/log.h"
#include "util/timefmt.h"

#define HOUR_MS (INT64_C(3600) * 1000)

static const char *recipient_domain(const char *);

/* recipient_domain is the part after the last '@' (addresses were validated on entry). */
static const char *
recipient_domain(const char *to)
{
	const char *at = to ? strrchr(to, '@') : NULL;

	return at && at[1] ? at + 1 : NULL;
}

lc_err
pacing_claim_tx(struct db *db, const struct out_message *m, int64_t mailbox_id, int64_t t,
    struct pacing_verdict *out)
{
	char now[TIME_SQL_LEN], next[TIME_SQL_LEN], hour[TIME_SQL_LEN];
	struct pacing_rules rules;
	struct pacing_state st;
	const struct tz *tz = NULL;
	const char *domain = recipient_domain(m->to);
	struct db_rows r;
	unsigned limit = mailbox_domain_per_hour(), sent = 0;
	int64_t slot = -1, gap_ms, day;
	lc_err e;

	memset(out, 0, sizeof(*out));
	out->next_slot_ms = -1;
	if ((e = store_pace_lock(db, mailbox_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK; /* gone: the route decided already */
	}
	if (tz_get(db_str(&r, 0, PACE_COL_TZ), &tz) != LC_OK) {
		/* the zone was valid when stored; a server whose tz database lost it cannot pace
		 * the mailbox: it is paused with the reason, so that a person sees it and its
		 * resume releases the messages */
		char why[MAILBOX_TEXT_MAX + 1];

		snprintf(why, sizeof(why), "time zone %s cannot be read on this server",
		    db_str(&r, 0, PACE_COL_TZ));
		log_msg(LOG_WARN, "mailbox %lld: %s; paused", (long long)mailbox_id, why);
		db_rows_free(&r);
		out->reason = PACE_MAILBOX_ERROR;
		return mailbox_auth_failed_tx(db, mailbox_id, why, t);
	}
	memset(&rules, 0, sizeof(rules));
	rules.days = (unsigned)db_i64(&r, 0, PACE_COL_DAYS);
	rules.start_min = (unsigned)db_i64(&r, 0, PACE_COL_START);
	rules.end_min = (unsigned)db_i64(&r, 0, PACE_COL_END);
	rules.tz = tz;
	rules.daily_cap = (unsigned)db_i64(&r, 0, PACE_COL_CAP);
	rules.warmup_start = (unsigned)db_i64(&r, 0, PACE_COL_WARMUP_START);
	rules.warmup_step = (unsigned)db_i64(&r, 0, PACE_COL_WARMUP_STEP);
	rules.warmup_from =
	    db_isnull(&r, 0, PACE_COL_WARMUP_FROM) ? -1 : db_i64(&r, 0, PACE_COL_WARMUP_FROM);
	rules.gap_s = (unsigned)db_i64(&r, 0, PACE_COL_GAP);
	rules.jitter_s = (unsigned)db_i64(&r, 0, PACE_COL_JITTER);
	st.day = db_isnull(&r, 0, PACE_COL_DAY) ? -1 : db_i64(&r, 0, PACE_COL_DAY);
	st.count = (unsigned)db_i64(&r, 0, PACE_COL_COUNT);
	st.next_send_ms = 0;
	if (!db_isnull(&r, 0, PACE_COL_NEXT_SEND) &&
	    sqltime_parse(db_str(&r, 0, PACE_COL_NEXT_SEND),
	        strlen(db_str(&r, 0, PACE_COL_NEXT_SEND)), &st.next_send_ms) != LC_OK)
		st.next_send_ms = 0;
	db_rows_free(&r);

	out->reason = pacing_check(&rules, &st, t, &slot);
	if (out->reason != PACE_OK) {
		out->next_slot_ms = slot;
		return LC_OK;
	}
	/* the workspace's messages to the recipient's domain this hour (UTC) */
	sqltime_format(t - t % HOUR_MS, hour);
	if (limit > 0 && domain != NULL) {
		if ((e = store_domain_sent(db, m->workspace_id, domain, hour, &sent)) != LC_OK)
			return e;
		if (sent >= limit) {
			out->reason = PACE_DOMAIN_RATE;
			out->next_slot_ms =
			    pacing_window_open(&rules, t - t % HOUR_MS + HOUR_MS, 0);
			return LC_OK;
		}
	}
	/* take the slot: today's count, the gap plus a random jitter from now */
	day = pacing_local_day(&rules, t);
	gap_ms = (int64_t)rules.gap_s * 1000;
	if (rules.jitter_s > 0)
		gap_ms += (int64_t)randombytes_uniform(rules.jitter_s * 1000u + 1u);
	sqltime_format(t, now);
	sqltime_format(t + gap_ms, next);
	if ((e = store_pace_take(
	         db, mailbox_id, day, (st.day == day ? st.count : 0) + 1, now, next)) != LC_OK)
		return e;
	if (limit > 0 && domain != NULL)
		return store_domain_take(db, m->workspace_id, domain, hour);
	return LC_OK;
}
