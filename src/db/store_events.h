/* store_events.h: SQL of the event log (store_events.c). Column orders of the returned rows are
 * the enums below; callers own the db_rows they pass in. */
#ifndef LC_STORE_EVENTS_H
#define LC_STORE_EVENTS_H

#include <stdint.h>
#include "db/db.h"

lc_err store_event_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, int64_t rel_id, const char *message_public_id, const char *type,
    const char *at_sql, const char *detail);

#endif
