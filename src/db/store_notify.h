/* store_notify.h: SQL for approver notifications, gathered per workspace (sql/006, sql/170,
 * docs/notifications.md). */
#ifndef LC_STORE_NOTIFY_H
#define LC_STORE_NOTIFY_H

#include "db/db.h"

#define STORE_NOTIFY_BATCH_MAX 500 /* notifications one claim of a workspace takes at most */

/* store_notify_insert records that msg_id of workspace_id waits for approval, due now:
 * one statement, in the caller's transaction. */
lc_err store_notify_insert(
    struct db *db, int64_t workspace_id, int64_t msg_id, const char *now_sql);
/* store_notify_due_workspaces lists the workspaces of up to limit due pending
 * notifications, oldest due first (a workspace may repeat): its id, its gate's next_at
 * ("" when it has none) and "1" when that is after now (the workspace is mailed later),
 * else "0". Nothing locked: a gate read here as open is decided again under
 * store_notify_gate_lock; one read as closed stays closed until its next_at. */
enum { ND_COL_WS, ND_COL_NEXT, ND_COL_CLOSED };
lc_err store_notify_due_workspaces(
    struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_notify_gate_lock locks the workspace's gate row until the transaction ends
 * (made, open, when missing) and reads its latest version: column 0 its next_at, column 1
 * "1" when next_at is after now (the workspace is mailed later), else "0". Called first
 * in its transaction, the reads after it see every claim another worker committed. */
enum { NG_COL_NEXT, NG_COL_CLOSED };
lc_err store_notify_gate_lock(
    struct db *db, int64_t workspace_id, const char *now_sql, struct db_rows *out);
/* store_notify_gate_set records that the workspace was mailed at now and may be next at
 * next. */
lc_err store_notify_gate_set(
    struct db *db, int64_t workspace_id, const char *next_sql, const char *now_sql);
/* store_notify_postpone makes the workspace's pending notifications due before next_sql
 * due at next_sql, when its gate opens. */
lc_err store_notify_postpone(struct db *db, int64_t workspace_id, const char *next_sql);
/* store_notify_pending reads up to limit due pending notifications of one workspace,
 * oldest first, with what the email says of each item (columns NT_COL_*; a message that
 * is gone reads status 255 and empty strings). Nothing locked: store_notify_claim is
 * guarded by status. */
enum {
	NT_COL_ID,
	NT_COL_ATTEMPTS,
	NT_COL_MSG_STATUS,
	NT_COL_WS_PUBLIC,
	NT_COL_WS_NAME,
	NT_COL_MSG_PUBLIC,
	NT_COL_KIND,
	NT_COL_TO,
	NT_COL_SUBJECT,
	NT_COL_BODY, /* at most its first 601 characters: enough to quote 600 bytes */
	NT_COL_CAMPAIGN
};
lc_err store_notify_pending(
    struct db *db, int64_t workspace_id, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_notify_claim leases the pending notifications ids[0..n) (n <= STORE_NOTIFY_BATCH_MAX)
 * in one statement; LC_ERETRY when any of them is no longer pending (another node's
 * worker claimed it first: the caller's transaction must start over). */
lc_err store_notify_claim(struct db *db, const int64_t *ids, size_t n, const char *lease_sql);
/* store_notify_approvers lists the e-mail addresses of a workspace's approvers. */
lc_err store_notify_approvers(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_notify_done sets the final or retry state of notifications ids[0..n) in one
 * statement: status, due (NULL: unchanged), error (NULL: none). */
lc_err store_notify_done(struct db *db, const int64_t *ids, size_t n, unsigned status,
    const char *due_sql, const char *error, const char *now_sql);
/* store_notify_reap returns claimed notifications whose lease expired to pending. */
lc_err store_notify_reap(struct db *db, const char *now_sql);

#endif
