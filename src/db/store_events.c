/* store_events.c: the append-only event log. */
#include <string.h>

#include "db/store_events.h"

lc_err
store_event_insert(struct db *db, const char *public_id, int64_t workspace_id, int64_t campaign_id,
    int64_t rel_id, const char *message_public_id, const char *type, const char *at_sql,
    const char *detail)
{
	static const char sql[] =
	    "INSERT INTO events (public_id, workspace_id, campaign_id, relationship_id, "
	    "message_public_id, type, occurred_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_I64(campaign_id),
	    rel_id ? DB_I64(rel_id) : DB_NULL,
	    message_public_id ? DB_CSTR(message_public_id) : DB_NULL, DB_CSTR(type),
	    DB_CSTR(at_sql), detail ? DB_CSTR(detail) : DB_NULL};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}
