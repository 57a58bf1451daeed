/* store_credits.h: SQL of a workspace's credits: its balance, reservations and the ledger
 * (store_credits.c). Row column orders are the enums below. */
#ifndef LC_STORE_CREDITS_H
#define LC_STORE_CREDITS_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

enum { CREDIT_GRANT = 0, CREDIT_RESERVE, CREDIT_CAPTURE, CREDIT_RELEASE };
/* store_credit_capture_batch captures the reservations of n (1..STORE_BATCH_MAX) sent
 * messages of one workspace: one balance update for their sum and one ledger entry per
 * message. *ok is 0 (and nothing changed) when the workspace does not exist. */
lc_err store_credit_capture_batch(struct db *db, int64_t workspace_id, const int64_t *msg_ids,
    const int64_t *amounts, size_t n, const char *now_sql, int *ok);
/* store_credit_move applies one grant, reserve or release to the workspace and appends
 * it to the ledger (a capture is store_credit_capture_batch); LC_EINVAL for another kind.
 * For a reserve, *ok is 0 (and nothing changes) when balance - reserved < amount. */
lc_err store_credit_move(struct db *db, int64_t workspace_id, unsigned kind, int64_t amount,
    int64_t msg_id, const char *note, const char *now_sql, int *ok);
/* store_credit_move_touch is store_credit_move of a CREDIT_RESERVE or CREDIT_RELEASE (no
 * note) that also moves the workspace's data version (WS_VERSION_MOVE_SQL) in the same
 * UPDATE: a transaction that moves credits and changes what the campaign endpoints show
 * writes the row once, not twice (versions.c). LC_EINVAL for another kind; *ok as
 * store_credit_move's (0: nothing changed, the version neither). */
lc_err store_credit_move_touch(struct db *db, int64_t workspace_id, unsigned kind, int64_t amount,
    int64_t msg_id, const char *now_sql, int *ok);
enum { CR_COL_BALANCE, CR_COL_RESERVED };
lc_err store_credit_balance(struct db *db, int64_t workspace_id, struct db_rows *out);
enum {
	LEDGER_COL_ID,
	LEDGER_COL_KIND,
	LEDGER_COL_DB,
	LEDGER_COL_DR,
	LEDGER_COL_MSG,
	LEDGER_COL_NOTE,
	LEDGER_COL_AT
};
lc_err store_credit_ledger(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out);

#endif
