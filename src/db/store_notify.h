/* store_notify.h: SQL for approver notifications. */
#ifndef LC_STORE_NOTIFY_H
#define LC_STORE_NOTIFY_H

#include "db/db.h"

lc_err store_notify_insert(
    struct db *db, int64_t workspace_id, int64_t msg_id, const char *now_sql);
/* store_notify_due returns ids of due pending notifications (locked, skipping locked). */
lc_err store_notify_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_notify_claim leases a pending notification; LC_ERETRY when it is no longer pending
 * (another node's worker claimed it first: the caller's transaction must start over). */
lc_err store_notify_claim(struct db *db, int64_t id, const char *lease_sql);
enum {
	NT_COL_ID,
	NT_COL_WS,
	NT_COL_WS_PUBLIC,
	NT_COL_MSG_PUBLIC,
	NT_COL_KIND,
	NT_COL_TO,
	NT_COL_SUBJECT,
	NT_COL_BODY,
	NT_COL_CAMPAIGN,
	NT_COL_MSG_STATUS,
	NT_COL_ATTEMPTS
};
lc_err store_notify_get(struct db *db, int64_t id, struct db_rows *out);
/* store_notify_approvers lists the e-mail addresses of a workspace's approvers. */
lc_err store_notify_approvers(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_notify_done sets the final or retry state of a claimed notification. */
lc_err store_notify_done(struct db *db, int64_t id, unsigned status, const char *due_sql,
    const char *error, const char *now_sql);
/* store_notify_reap returns claimed notifications whose lease expired to pending. */
lc_err store_notify_reap(struct db *db, const char *now_sql);

#endif
