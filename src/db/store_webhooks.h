/* store_webhooks.h: SQL for webhooks, their outbox and their delivery attempts
 * (sql/013_webhooks.sql). The rules live in src/core/webhooks.c; these only read and
 * write. Functions that take a transaction's locks say so; all return db_* errors. */
#ifndef LC_STORE_WEBHOOKS_H
#define LC_STORE_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"
#include "db/store_batch.h"

enum { WH_ACTIVE = 0, WH_DISABLED = 1, WH_DELETED = 2 };
enum { WHO_PENDING = 0, WHO_SENDING, WHO_DELIVERED, WHO_FAILED, WHO_CANCELLED };

/* store_webhook_count_lock counts the workspace's active webhooks, locking their index
 * range (FOR UPDATE) so that two concurrent creations cannot both pass the cap. */
lc_err store_webhook_count_lock(struct db *db, int64_t workspace_id, unsigned *count);
/* store_webhook_insert adds an active webhook; description may be NULL. */
lc_err store_webhook_insert(struct db *db, const char *public_id, int64_t workspace_id,
    const char *url, const char *description, unsigned events_mask, const char *secret,
    const char *now_sql);

/* Columns of store_webhook_list and store_webhook_find. */
enum {
	WHL_COL_ID,
	WHL_COL_PUBLIC,
	WHL_COL_URL,
	WHL_COL_DESC,
	WHL_COL_MASK,
	WHL_COL_STATUS,
	WHL_COL_REASON,
	WHL_COL_CREATED,
	WHL_COL_UPDATED
};
/* store_webhook_list reads the workspace's webhooks that are not deleted, newest first
 * (caller frees out). */
lc_err store_webhook_list(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_webhook_find reads one webhook of the workspace that is not deleted (0 or 1 row). */
lc_err store_webhook_find(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);

/* store_webhook_set_status moves a webhook from active or disabled to status (with a
 * reason, may be NULL) and cancels its pending outbox rows. */
lc_err store_webhook_set_status(
    struct db *db, int64_t id, unsigned status, const char *reason, const char *now_sql);

/* store_whout_fanout writes one outbox row per active webhook of the workspace whose
 * events_mask has a bit of mask: one indexed lookup on (workspace_id, status), nothing
 * written when the workspace has none. Ids 0 and NULL strings are stored as NULL. */
lc_err store_whout_fanout(struct db *db, int64_t workspace_id, unsigned mask,
    const char *event_public_id, const char *type, const char *at_sql, int64_t campaign_id,
    int64_t relationship_id, const char *message_public_id, const char *detail);

/* One event of a batch fan-out (all of one type and time). */
/* store_whout_fanout_batch is store_whout_fanout for n (1..64) events in one statement.
 * LC_EINVAL if an id is not id-shaped. */
lc_err store_whout_fanout_batch(struct db *db, const struct store_event_row *v, size_t n,
    unsigned mask, const char *type, const char *at_sql);

/* store_whout_insert queues one event for one webhook (the test event). */
lc_err store_whout_insert(struct db *db, int64_t webhook_id, int64_t workspace_id,
    const char *event_public_id, const char *type, const char *at_sql);

/* store_whout_due locks up to limit due pending rows, skipping rows others locked. */
lc_err store_whout_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_whout_claim_batch leases n (1..64) rows locked by store_whout_due, moving each
 * one's fence, in one statement; LC_ERETRY when one of them is no longer pending (claimed
 * first on another Galera node: the caller's transaction is run again). */
lc_err store_whout_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *lease_sql);

/* Columns of store_whout_get_batch. */
enum {
	WHG_COL_ID,
	WHG_COL_FENCE,
	WHG_COL_EVENT,
	WHG_COL_TYPE,
	WHG_COL_AT,
	WHG_COL_ATTEMPTS,
	WHG_COL_CAMPAIGN,
	WHG_COL_REL,
	WHG_COL_MSG,
	WHG_COL_DETAIL,
	WHG_COL_WEBHOOK_ID,
	WHG_COL_WEBHOOK_PUBLIC,
	WHG_COL_URL,
	WHG_COL_SECRET,
	WHG_COL_STATUS,
	WHG_COL_WORKSPACE
};
/* store_whout_get_batch reads n (1..64) outbox rows with their webhooks and the public ids
 * the payloads name, in one statement: a row per id still there, in no set order. Caller
 * frees out. */
lc_err store_whout_get_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);

/* store_whout_finish ends the attempt of a row still leased under fence: state, attempts
 * and (for a retry) due_sql. *changed is 0 when the lease was lost. */
lc_err store_whout_finish(struct db *db, int64_t id, int64_t fence, unsigned state,
    unsigned attempts, const char *due_sql, uint64_t *changed);
/* store_whout_reap returns rows whose lease expired before now_sql to pending; *n rows. */
lc_err store_whout_reap(struct db *db, const char *now_sql, uint64_t *n);

/* One attempt to record: the outbox row it ends and how (state, the attempts made with
 * this one, and for a retry when it is due), and the deliveries row it adds. */
struct store_whrec {
	int64_t outbox_id, fence;
	unsigned state, attempts; /* attempts: this one included, also the attempt's number */
	const char *due_sql;      /* a retry's due time; NULL: unchanged */
	int64_t webhook_id;
	const char *event_public_id, *type;
	long status_code;            /* 0: no HTTP answer (stored as NULL) */
	const char *error, *excerpt; /* NULL or "": none (stored as NULL); UTF-8 */
	long duration_ms;
};
/* store_whout_record_batch records n (1..64) attempts at now_sql in two statements: a
 * deliveries row for each, and each outbox row still leased under its fence ended as
 * given (*changed: how many; a lost lease still records its attempt). LC_EINVAL if a
 * string is not UTF-8. */
lc_err store_whout_record_batch(
    struct db *db, const struct store_whrec *v, size_t n, const char *now_sql, uint64_t *changed);

/* Columns of store_whdel_list. */
enum {
	WHD_COL_ID,
	WHD_COL_EVENT,
	WHD_COL_TYPE,
	WHD_COL_ATTEMPT,
	WHD_COL_STATUS,
	WHD_COL_ERROR,
	WHD_COL_AT,
	WHD_COL_DURATION
};
/* store_whdel_list reads up to limit attempts of a webhook with id < before_id (0: from
 * the newest), newest first. */
lc_err store_whdel_list(
    struct db *db, int64_t webhook_id, int64_t before_id, unsigned limit, struct db_rows *out);
/* store_whdel_count counts a webhook's attempts. */
lc_err store_whdel_count(struct db *db, int64_t webhook_id, int64_t *count);

#endif
