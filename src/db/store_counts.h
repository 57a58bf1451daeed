/* store_counts.h: SQL of the counts the application keeps instead of counting rows on
 * every request, read beside the rows they count, and set to what the rows say
 * (store_counts.c; the rules of comparing and repairing are core/counts.c). Column orders
 * of the returned rows are the enums below; callers own the db_rows they pass in. */
#ifndef LC_STORE_COUNTS_H
#define LC_STORE_COUNTS_H

#include <stdint.h>
#include "db/db.h"

/* store_counts_workspaces lists up to limit workspaces after after_id, by id (the
 * primary key): columns CWS_COL_*. */
enum { CWS_COL_ID, CWS_COL_PUBLIC };
lc_err store_counts_workspaces(
    struct db *db, int64_t after_id, unsigned limit, struct db_rows *out);

/* The kept totals and queue counts and the rows they count (KTOT, KWAIT, KIN, CTOT,
 * CWAIT, CIN below) share one shape, two keys and a number, sorted by the keys: core compares them
 * by these columns. */
enum { PAIR_COL_K1, PAIR_COL_K2, PAIR_COL_N };

/* The kept counts of one workspace. With lock != 0 they are read FOR UPDATE (a repair:
 * a writer that would move one of them waits until the repair commits). */
enum { KWS_COL_RELATIONSHIPS, KWS_COL_CONTACTED, KWS_COL_BALANCE, KWS_COL_RESERVED };
lc_err store_counts_kept_workspace(struct db *db, int64_t ws, int lock, struct db_rows *out);
/* workspace_campaign_counts, by type and status */
enum { KTOT_COL_TYPE, KTOT_COL_STATUS, KTOT_COL_N };
lc_err store_counts_kept_totals(struct db *db, int64_t ws, int lock, struct db_rows *out);
/* every campaign's funnel counters and pending approvals, by campaign id */
enum {
	KCMP_COL_ID,
	KCMP_COL_PUBLIC,
	KCMP_COL_DRAFTED,
	KCMP_COL_SENT,
	KCMP_COL_DELIVERED,
	KCMP_COL_OPENED,
	KCMP_COL_REPLIED,
	KCMP_COL_PENDING
};
lc_err store_counts_kept_campaigns(struct db *db, int64_t ws, int lock, struct db_rows *out);
/* approval_waiting, by campaign id and kind */
enum { KWAIT_COL_CAMPAIGN, KWAIT_COL_KIND, KWAIT_COL_N };
lc_err store_counts_kept_waiting(struct db *db, int64_t ws, int lock, struct db_rows *out);
/* inbound_counts, by campaign id (0: none) and class * 2 + matched */
enum { KIN_COL_CAMPAIGN, KIN_COL_CLASS_MATCHED, KIN_COL_N };
lc_err store_counts_kept_inbound(struct db *db, int64_t ws, int lock, struct db_rows *out);

/* What the rows say. The workspace's relationships grouped by campaign, funnel facts and
 * whether they count as contacted (sent or opened, migration 011), by campaign id. */
enum { CREL_COL_CAMPAIGN, CREL_COL_FUNNEL, CREL_COL_CONTACTED, CREL_COL_N };
lc_err store_counts_of_relationships(struct db *db, int64_t ws, struct db_rows *out);
/* its campaigns by type and status */
enum { CTOT_COL_TYPE, CTOT_COL_STATUS, CTOT_COL_N };
lc_err store_counts_of_campaigns(struct db *db, int64_t ws, struct db_rows *out);
/* its messages awaiting approval by campaign id and kind */
enum { CWAIT_COL_CAMPAIGN, CWAIT_COL_KIND, CWAIT_COL_N };
lc_err store_counts_of_waiting(struct db *db, int64_t ws, struct db_rows *out);
/* its inbound mail by campaign id (0: none) and class * 2 + matched */
enum { CIN_COL_CAMPAIGN, CIN_COL_CLASS_MATCHED, CIN_COL_N };
lc_err store_counts_of_inbound(struct db *db, int64_t ws, struct db_rows *out);
/* its credit ledger's sums: what the balance and the reservations are (sql/002: always
 * equal to workspaces.credits_balance and credits_reserved) */
enum { CLED_COL_BALANCE, CLED_COL_RESERVED };
lc_err store_counts_of_ledger(struct db *db, int64_t ws, struct db_rows *out);

/* The repairs: each sets a kept count to the value given. store_counts_set_workspace also
 * moves the workspace's data version, so that no cached answer outlives a repair. */
/* v: relationships, contacted, credits balance, credits reserved */
lc_err store_counts_set_workspace(struct db *db, int64_t ws, const int64_t v[4]);
lc_err store_counts_set_total(struct db *db, int64_t ws, unsigned type, unsigned status, int64_t n);
/* v: drafted, sent, delivered, opened, replied, pending */
lc_err store_counts_set_campaign(struct db *db, int64_t campaign_id, const int64_t v[6]);
lc_err store_counts_set_waiting(
    struct db *db, int64_t ws, int64_t campaign_id, unsigned kind, int64_t n);
/* class_matched: class * 2 + matched, as the readers above give it */
lc_err store_counts_set_inbound(
    struct db *db, int64_t ws, int64_t campaign_id, unsigned class_matched, int64_t n);

#endif
