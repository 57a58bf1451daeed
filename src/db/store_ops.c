/* store_ops.c: the backlog gauges of /metrics (store_ops.h). Every statement reads a range
 * of an index whose size is a queue's, which EXPLAIN shows (docs/metrics.md). */
#include <string.h>

#include "db/store_ops.h"

lc_err
store_ops_messages(struct db *db, struct db_rows *out)
{
	static const char sql[] = "SELECT status, COUNT(*) FROM outbound_messages "
	                          "WHERE status IN (0, 1, 2, 8, 9) GROUP BY status";

	return db_query(db, sql, NULL, 0, out);
}

lc_err
store_ops_oldest_due(struct db *db, struct db_rows *out)
{
	static const char sql[] = "SELECT (SELECT MIN(queue_due) FROM outbound_messages), "
	                          "(SELECT MIN(due_at) FROM webhook_outbox WHERE state = 0)";

	return db_query(db, sql, NULL, 0, out);
}

lc_err
store_ops_webhooks(struct db *db, struct db_rows *out)
{
	static const char sql[] = "SELECT state, COUNT(*) FROM webhook_outbox "
	                          "WHERE state IN (0, 1) GROUP BY state";

	return db_query(db, sql, NULL, 0, out);
}

lc_err
store_ops_placements(struct db *db, const char *now_sql, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT (SELECT COUNT(*) FROM placements WHERE leased = 0 AND due_at <= ?), "
	    "(SELECT COUNT(*) FROM placements WHERE leased = 1)";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_query(db, sql, p, 1, out);
}
