/* store_ops.h: the operator's gauges for /metrics — backlogs read from indexes, bounded by
 * the size of each queue, never by history. All return db_* errors. */
#ifndef LC_STORE_OPS_H
#define LC_STORE_OPS_H

#include "db/db.h"

/* store_ops_messages reads (status, count) of the outbound messages not yet settled:
 * statuses 0 awaiting_approval, 1 scheduled, 2 sending, 8 held, 9 deferred (a range of
 * ix_outbound_lease per status). */
lc_err store_ops_messages(struct db *db, struct db_rows *out);

/* store_ops_oldest_due reads one row: the earliest due_at of a message waiting to be
 * claimed (the first entry of ix_outbound_queue) and of a pending webhook delivery (the
 * first of ix_whout_due for state 0), each NULL when there is none. */
lc_err store_ops_oldest_due(struct db *db, struct db_rows *out);

/* store_ops_webhooks reads (state, count) of webhook deliveries not yet done: 0 pending,
 * 1 sending (ranges of ix_whout_due). */
lc_err store_ops_webhooks(struct db *db, struct db_rows *out);

/* store_ops_placements reads one row: the placements due for a check at now_sql (leased = 0
 * and due_at <= now_sql, a range of ix_placements_due) and those being checked (leased =
 * 1). */
lc_err store_ops_placements(struct db *db, const char *now_sql, struct db_rows *out);

#endif
