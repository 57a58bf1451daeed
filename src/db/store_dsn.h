/* store_dsn.h: SQL of bounces reported after the send (core/dsn_bounce.c): the bounced
 * message read under its lock, its move from sent to bounced, and the campaign's window of
 * its last 20 outcomes (sql/051_health.sql) read and written under the campaign's lock.
 * Every statement is a primary-key point read or write. All return db_* errors. */
#ifndef LC_STORE_DSN_H
#define LC_STORE_DSN_H

#include <stdint.h>
#include "db/db.h"

/* Columns of store_dsn_message_locked. */
enum {
	DSNM_COL_WORKSPACE,
	DSNM_COL_CAMPAIGN,
	DSNM_COL_RELATIONSHIP,
	DSNM_COL_MAILBOX,
	DSNM_COL_STATUS,
	DSNM_COL_TO,
	DSNM_COL_PUBLIC,
	DSNM_NCOLS
};

/* store_dsn_message_locked reads outbound message id FOR UPDATE (0 or 1 row; mailbox_id
 * NULL when it went through the operator's relay): two DSNs of one message are judged one
 * after the other. */
lc_err store_dsn_message_locked(struct db *db, int64_t id, struct db_rows *out);
/* store_dsn_message_bounced moves message id from sent to bounced with why as its
 * lastError (valid UTF-8, at most 500 characters); *changed is 0 when it was not sent. */
lc_err store_dsn_message_bounced(
    struct db *db, int64_t id, const char *why, const char *now_sql, uint64_t *changed);
/* store_campaign_window_locked reads campaign id's window (recent_bounces, recent_sends)
 * FOR UPDATE; *found is 0 when there is no such campaign. */
lc_err store_campaign_window_locked(
    struct db *db, int64_t id, uint32_t *bits, unsigned *sends, int *found);
/* store_campaign_window_set writes campaign id's window. */
lc_err store_campaign_window_set(struct db *db, int64_t id, uint32_t bits, unsigned sends);

#endif
