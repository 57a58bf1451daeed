/* ops.c: the backlog gauges of /metrics (ops.h), from the store's index reads. */
#include <stdlib.h>
#include <string.h>

#include "core/ops.h"
#include "core/sending.h"
#include "db/store_ops.h"
#include "util/timefmt.h"

/* awaiting_approval, scheduled, sending, held, deferred: a message in any other status
 * is settled and counted by the worker's deliveries, not here */
const unsigned ops_msg_status[OPS_MSG_STATES] = {
    MS_AWAITING_APPROVAL, MS_SCHEDULED, MS_SENDING, MS_HELD, MS_DEFERRED};

lc_err
ops_backlog_read(struct core *core, struct ops_backlog *out)
{
	struct db_rows r;
	char now[TIME_SQL_LEN];
	size_t i, k;
	lc_err e;

	memset(out, 0, sizeof(*out));
	out->msg_oldest_due_ms = out->webhook_oldest_due_ms = -1;
	if ((e = store_ops_messages(core->db, &r)) != LC_OK)
		return e;
	for (i = 0; i < r.nrows; i++)
		for (k = 0; k < OPS_MSG_STATES; k++)
			if ((long long)ops_msg_status[k] == db_i64(&r, i, 0))
				out->msg[k] = (uint64_t)db_i64(&r, i, 1);
	db_rows_free(&r);
	if ((e = store_ops_oldest_due(core->db, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		out->msg_oldest_due_ms = db_ms(&r, 0, 0);
		out->webhook_oldest_due_ms = db_ms(&r, 0, 1);
	}
	db_rows_free(&r);
	if ((e = store_ops_webhooks(core->db, &r)) != LC_OK)
		return e;
	for (i = 0; i < r.nrows; i++) {
		if (db_i64(&r, i, 0) == 0)
			out->webhook_pending = (uint64_t)db_i64(&r, i, 1);
		else if (db_i64(&r, i, 0) == 1)
			out->webhook_sending = (uint64_t)db_i64(&r, i, 1);
	}
	db_rows_free(&r);
	sqltime_format(now_ms(), now);
	if ((e = store_ops_placements(core->db, now, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		out->placement_due = (uint64_t)db_i64(&r, 0, 0);
		out->placement_checking = (uint64_t)db_i64(&r, 0, 1);
	}
	db_rows_free(&r);
	return LC_OK;
}
