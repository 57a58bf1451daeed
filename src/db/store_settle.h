/* store_settle.h: SQL for settling a campaign's messages after a state change in batches
 * (sql/030_campaign_settle.sql, core/campaign_settle.c). */
#ifndef LC_STORE_SETTLE_H
#define LC_STORE_SETTLE_H

#include <stdint.h>
#include "db/db.h"

/* store_settle_arm records that campaign_id has messages left to settle, due now_sql;
 * an existing row is made due again. */
lc_err store_settle_arm(
    struct db *db, int64_t campaign_id, int64_t workspace_id, const char *now_sql);
/* store_settle_next reads (campaign_id, workspace_id) of the row due first at now_sql,
 * without locking it: the caller locks the campaign, then the row (store_settle_lock). */
lc_err store_settle_next(struct db *db, const char *now_sql, struct db_rows *out);
/* store_settle_lock locks campaign_id's row FOR UPDATE SKIP LOCKED; out has no row when
 * it is gone or another worker holds it. */
lc_err store_settle_lock(struct db *db, int64_t campaign_id, struct db_rows *out);
/* store_settle_again counts a batch and makes the row due at due_sql (behind the others). */
lc_err store_settle_again(struct db *db, int64_t campaign_id, const char *due_sql);
/* store_settle_done deletes campaign_id's row. */
lc_err store_settle_done(struct db *db, int64_t campaign_id);

/* store_campaign_status_lock reads the status of campaign_id FOR UPDATE; out has no row
 * when it does not exist. */
lc_err store_campaign_status_lock(struct db *db, int64_t campaign_id, struct db_rows *out);

/* store_msg_open_batch locks FOR UPDATE and returns the ids of up to limit messages of
 * the campaign in status (one value: an index range scan that stops at limit). */
lc_err store_msg_open_batch(
    struct db *db, int64_t campaign_id, unsigned status, unsigned limit, struct db_rows *out);
/* store_msg_move_batch moves up to limit messages of the campaign from status from to
 * status to (hold 1/9 -> 8, release 8 -> 1); *n receives how many moved. LC_EINVAL for a
 * move into or out of awaiting approval (0): its counts follow single messages
 * (store_msg_set_status). */
lc_err store_msg_move_batch(struct db *db, int64_t campaign_id, unsigned from, unsigned to,
    unsigned limit, const char *now_sql, uint64_t *n);

/* store_credit_release_row writes the ledger row of one released reservation without
 * touching the workspace's counters; the caller moves them once for the whole batch with
 * store_credit_release_sum in the same transaction, so the ledger still sums to them. */
lc_err store_credit_release_row(
    struct db *db, int64_t workspace_id, int64_t amount, int64_t msg_id, const char *now_sql);
/* store_credit_release_sum lowers the workspace's reserved credits by total; *ok is 1 when
 * the row changed. */
lc_err store_credit_release_sum(struct db *db, int64_t workspace_id, int64_t total, int *ok);

#endif
