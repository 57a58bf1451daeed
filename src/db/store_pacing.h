/* store_pacing.h: SQL of mailbox pacing (sql/050_pacing.sql): a mailbox's pacing settings
 * and counters read under its lock, the slot a claim takes, the per-domain hourly counts,
 * and holding a message with its reason and next slot. The rules live in core/pacing.c.
 * All return db_* errors. */
#ifndef LC_STORE_PACING_H
#define LC_STORE_PACING_H

#include <stdint.h>
#include "db/db.h"

/* Columns of store_pace_lock. */
enum {
	PACE_COL_DAYS,
	PACE_COL_START,
	PACE_COL_END,
	PACE_COL_TZ,
	PACE_COL_CAP,
	PACE_COL_WARMUP_START,
	PACE_COL_WARMUP_STEP,
	PACE_COL_WARMUP_FROM,
	PACE_COL_GAP,
	PACE_COL_JITTER,
	PACE_COL_DAY,
	PACE_COL_COUNT,
	PACE_COL_NEXT_SEND,
	PACE_COL_WORKSPACE
};

/* store_pace_lock reads mailbox id's pacing settings and counters FOR UPDATE (0 or 1
 * row): two claims of one mailbox take its slots one after the other. */
lc_err store_pace_lock(struct db *db, int64_t id, struct db_rows *out);
/* store_pace_take records a send of mailbox id on local day (count: the day's sends so
 * far, this one included; the ramp begins on day if it had not), at now, with the gap
 * ending at next_send. */
lc_err store_pace_take(struct db *db, int64_t id, int64_t day, unsigned count, const char *now_sql,
    const char *next_send_sql);
/* store_domain_sent reads how many messages the workspace sent to domain in the hour
 * starting at hour_sql, locking that row (or the gap where it would be). */
lc_err store_domain_sent(
    struct db *db, int64_t workspace_id, const char *domain, const char *hour_sql, unsigned *sent);
/* store_domain_take counts one more. */
lc_err store_domain_take(
    struct db *db, int64_t workspace_id, const char *domain, const char *hour_sql);
/* store_msg_hold holds message id (scheduled, deferred or already held) with reason (0:
 * none, e.g. its campaign was paused), error as its last error (NULL keeps it) and, for a
 * pacing reason, next_slot_sql as both its next slot and its due time (NULL: not
 * claimable until released). *changed is 1 when it was in one of those statuses. */
lc_err store_msg_hold(struct db *db, int64_t id, unsigned reason, const char *next_slot_sql,
    const char *error, const char *now_sql, uint64_t *changed);

/* ---- health (docs/mailboxes.md, "Health") ---- */

/* store_mailbox_refusal counts one more 5.7.x refusal of mailbox id in a row; *count is
 * the new count. */
lc_err store_mailbox_refusal(struct db *db, int64_t id, unsigned *count);
/* store_mailbox_refusals_clear forgets mailbox id's refusals (it sent a message). */
lc_err store_mailbox_refusals_clear(struct db *db, int64_t id);
/* store_campaign_outcomes shifts n sends into campaign id's last 20, the newest a hard
 * bounce when bounce is set. */
lc_err store_campaign_outcomes(struct db *db, int64_t id, unsigned n, int bounce);
/* Columns of store_campaign_health. */
enum {
	CH_COL_BOUNCES,
	CH_COL_SENDS,
	CH_COL_PERMILLE,
	CH_COL_STATUS,
	CH_COL_WORKSPACE,
	CH_COL_PUBLIC
};
/* store_campaign_health reads the hard bounces among campaign id's last 20 sends, how
 * many of the 20 happened, its workspace's autoPause.bounceRate (thousandths), its status,
 * workspace and public id (0 or 1 row). */
lc_err store_campaign_health(struct db *db, int64_t id, struct db_rows *out);

#endif
