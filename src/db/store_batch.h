/* store_batch.h: SQL that writes down a batch of delivered messages in a few statements
 * instead of a dozen per message. Each function takes up to STORE_BATCH_MAX rows and
 * runs inside the caller's transaction; the rules of what to write live in src/core
 * (delivery.c, events.c), these only write it. */
#ifndef LC_STORE_BATCH_H
#define LC_STORE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "util/buf.h"

/* store_msg_lock_batch locks the n (1..STORE_BATCH_MAX) messages with FOR UPDATE, in
 * primary-key order whatever the order of ids. */
lc_err store_msg_lock_batch(struct db *db, const int64_t *ids, size_t n);

/* store_msg_sent_batch marks n messages, locked by the caller and found sending under
 * its fence, as sent at now_sql with their reservation charged. *changed receives the
 * rows changed. */
lc_err store_msg_sent_batch(
    struct db *db, const int64_t *ids, size_t n, const char *now_sql, uint64_t *changed);

/* One finished invocation: its id, the credits it charged and its event (a public id). */
struct store_inv_done {
	int64_t inv_id;
	unsigned charged;
	const char *event_public_id;
};
/* store_inv_done_batch sets n invocations to status with their charge and event.
 * LC_EINVAL if an event id is not id-shaped. */
lc_err store_inv_done_batch(
    struct db *db, const struct store_inv_done *v, size_t n, unsigned status, const char *now_sql);

/* One event row of a batch; every row of a batch shares type and time. */
struct store_event_row {
	const char *public_id;
	int64_t workspace_id, campaign_id, relationship_id; /* relationship 0: none */
	const char *message_public_id;                      /* or NULL */
};
/* store_event_rows_json appends v[0..n) to b as the JSON array of
 * [public_id, workspace_id, campaign_id, relationship_id, message_public_id or ""] rows
 * that the batch statements read with JSON_TABLE. LC_EINVAL if a public id is not
 * id-shaped, LC_ENOMEM over b's max. */
lc_err store_event_rows_json(struct buf *b, const struct store_event_row *v, size_t n);

/* store_event_insert_batch appends n events of one type at at_sql, in array order.
 * LC_EINVAL if a public id is not id-shaped. */
lc_err store_event_insert_batch(
    struct db *db, const struct store_event_row *v, size_t n, const char *type, const char *at_sql);

/* store_rel_lock_batch locks n relationships (ids may repeat) with FOR UPDATE and reads
 * what a delivery changes; columns are the RLB_COL_ enum. Caller frees out. */
enum { RLB_COL_ID, RLB_COL_STATUS, RLB_COL_FIRST_SENT_UNSET, RLB_COL_FUNNEL };
lc_err store_rel_lock_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);

/* What one delivery changes on a relationship besides its last contact. */
struct store_rel_contact {
	int64_t id;           /* each id at most once per batch */
	int stamp_first_sent; /* set first_sent_at */
	int advance;          /* set status (and updated_at) */
};
/* store_rel_contacted_batch stamps last_contacted_at = at_sql on n relationships, and
 * first_sent_at and status = to_status where asked. */
lc_err store_rel_contacted_batch(struct db *db, const struct store_rel_contact *v, size_t n,
    unsigned to_status, const char *at_sql);

#endif
