/* store_outbox.h: SQL for outbound messages, invocations, approval decisions and open
 * tracking (store_outbox.c). Row column orders are the enums below. */
#ifndef LC_STORE_OUTBOX_H
#define LC_STORE_OUTBOX_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

/* ---- outbound messages (store_outbox.c) ---- */

struct store_msg_new {
	const char *public_id;
	int64_t workspace_id, campaign_id, relationship_id, invocation_id, parent_id, inbound_id;
	unsigned kind, status, follow_up_step;
	const char *from_email, *to_email, *to_name, *subject, *body;
	const char *message_id_header, *in_reply_to, *references, *unsubscribe_token, *open_token;
	const char *schedule_sql, *due_sql, *now_sql, *requested_by;
	unsigned credits_reserved;
};
lc_err store_msg_insert(struct db *db, const struct store_msg_new *m, uint64_t *id);

enum {
	MSG_COL_ID,
	MSG_COL_PUBLIC,
	MSG_COL_WORKSPACE,
	MSG_COL_CAMPAIGN,
	MSG_COL_RELATIONSHIP,
	MSG_COL_INVOCATION,
	MSG_COL_KIND,
	MSG_COL_STATUS,
	MSG_COL_STEP,
	MSG_COL_PARENT,
	MSG_COL_FROM,
	MSG_COL_TO,
	MSG_COL_TO_NAME,
	MSG_COL_SUBJECT,
	MSG_COL_BODY,
	MSG_COL_MSGID,
	MSG_COL_IN_REPLY_TO,
	MSG_COL_REFERENCES,
	MSG_COL_UNSUB,
	MSG_COL_SCHEDULE,
	MSG_COL_DUE,
	MSG_COL_CREATED,
	MSG_COL_UPDATED,
	MSG_COL_REQUESTED_BY,
	MSG_COL_RESERVED,
	MSG_COL_CHARGED,
	MSG_COL_ATTEMPTS,
	MSG_COL_FENCE,
	MSG_COL_PHASE,
	MSG_COL_LAST_ERROR,
	MSG_COL_SENT_AT,
	MSG_COL_CAMPAIGN_PUBLIC,
	MSG_COL_REL_PUBLIC,
	MSG_COL_CAMPAIGN_STATUS,
	MSG_COL_REL_STATUS,
	MSG_COL_SUPPRESSED, /* NULL but in store_msg_read_for_claim's rows */
	MSG_COL_MAX_LATENESS,
	MSG_COL_INV_PUBLIC,
	MSG_COL_DECIDED_AT,
	MSG_COL_TRACK_OPENS,
	MSG_COL_OPEN_TOKEN,
	MSG_COL_HELD_REASON,
	MSG_COL_NEXT_SLOT,
	MSG_COL_NCOLS
};
/* store_msg_get loads one message of a workspace by public id; lock adds FOR UPDATE. */
lc_err store_msg_get(
    struct db *db, int64_t workspace_id, const char *public_id, int lock, struct db_rows *out);
/* store_msg_get_by_id loads one message by internal id with FOR UPDATE. */
lc_err store_msg_get_locked(struct db *db, int64_t id, struct db_rows *out);
/* store_msg_get_batch reads n (0..STORE_BATCH_MAX) messages as store_msg_get_locked does,
 * without locking them again (the caller holds their locks), in no particular order. */
#define STORE_BATCH_MAX 64
lc_err store_msg_get_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);
/* store_msg_read_for_claim reads as store_msg_get_batch does and fills MSG_COL_SUPPRESSED:
 * > 0 when the address or its domain is on a do-not-email list of the account or the
 * workspace (SUPPRESSED_SQL). The delivery claim's read; every other read of a message
 * leaves that column NULL. */
lc_err store_msg_read_for_claim(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);

struct store_msg_filter {
	int64_t workspace_id;
	unsigned status_mask;
	unsigned kind_mask;
	int64_t campaign_id;   /* 0: any */
	struct store_window w; /* the page: cursor and rows to read */
};
lc_err store_msg_list(struct db *db, const struct store_msg_filter *f, struct db_rows *out);
/* store_msg_count sets *n to how many messages f selects (its window aside). Awaiting
 * approval alone, the queue's view, is read from the counts the status moves keep
 * (approval_waiting): a row per campaign and kind, never an index entry per message;
 * other statuses count their index entries. Database errors. */
lc_err store_msg_count(struct db *db, const struct store_msg_filter *f, int64_t *n);
/* Columns of store_msg_waiting_by_campaign. */
enum { MCC_COL_CAMPAIGN_PUBLIC, MCC_COL_CAMPAIGN_NAME, MCC_COL_N };
/* store_msg_waiting_by_campaign reads, for every campaign of the workspace with messages
 * of a kind in kind_mask awaiting approval, the campaign's public id and name and how
 * many, by name: from the counts the status moves below keep (approval_waiting), one row
 * per campaign and kind, never one per message. */
lc_err store_msg_waiting_by_campaign(
    struct db *db, int64_t workspace_id, unsigned kind_mask, struct db_rows *out);

/* Columns of store_msg_list_brief: what a list of messages shows. */
enum {
	MSGB_COL_ID,
	MSGB_COL_PUBLIC,
	MSGB_COL_KIND,
	MSGB_COL_STATUS,
	MSGB_COL_TO,
	MSGB_COL_TO_NAME,
	MSGB_COL_SUBJECT,
	MSGB_COL_SCHEDULE,
	MSGB_COL_CREATED,
	MSGB_COL_RESERVED,
	MSGB_COL_HELD_REASON,
	MSGB_COL_NEXT_SLOT,
	MSGB_COL_CAMPAIGN_PUBLIC,
	MSGB_COL_CAMPAIGN_NAME,
	MSGB_COL_NCOLS
};
/* store_msg_list_brief reads the page store_msg_list reads (the same filter, window and
 * order) with only the MSGB_COL_* columns: no body or headers, and none of the joins and
 * per-row suppression lookups a whole message needs. */
lc_err store_msg_list_brief(struct db *db, const struct store_msg_filter *f, struct db_rows *out);

/* store_msg_set_status moves a message from a status in from_mask to status. Like
 * store_msg_insert and store_msg_decide, it keeps the counts of messages awaiting approval
 * (approval_waiting) in step: those three are the only statements that move a message
 * into or out of that status. */
lc_err store_msg_set_status(struct db *db, int64_t id, unsigned from_mask, unsigned status,
    const char *due_sql, const char *error, const char *now_sql, uint64_t *changed);
/* store_msg_decide records a person's decision on a message in one UPDATE: it moves the
 * message from a status in from_mask to status, stamps decided_at = decided_sql, replaces
 * subject and/or body (NULL keeps) and last_error (NULL keeps). *changed is 0 when the
 * message was in no status of from_mask (then nothing changed). */
lc_err store_msg_decide(struct db *db, int64_t id, unsigned from_mask, unsigned status,
    const char *subject, const char *body, const char *error, const char *decided_sql,
    const char *now_sql, uint64_t *changed);
/* store_msg_decided stamps decided_at. */
lc_err store_msg_decided(struct db *db, int64_t id, const char *now_sql);

/* store_msg_due returns ids of up to limit claimable messages, locked, skipping locked ones. */
lc_err store_msg_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_msg_claim_batch marks n (1..STORE_BATCH_MAX) messages, locked by the caller,
 * sending under their fence + 1 and a lease; *claimed is the number of rows changed. Only
 * scheduled or deferred rows change, so a row another node claimed first is not counted
 * and the caller, finding *claimed < n, starts its transaction over. */
lc_err store_msg_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *owner,
    const char *lease_sql, const char *now_sql, uint64_t *claimed);
/* store_msg_phase sets smtp_phase when the fence still holds; *held is 0 if it was lost. */
lc_err store_msg_phase(struct db *db, int64_t id, uint64_t fence, unsigned phase, int *held);
/* store_msg_expired returns ids of sending messages whose lease expired (locked). */
lc_err store_msg_expired(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_msg_result records any other outcome under the fence; LC_EINVAL for awaiting
 * approval (0), which would pass the counts by (store_msg_set_status). */
lc_err store_msg_result(struct db *db, int64_t id, uint64_t fence, unsigned status,
    const char *due_sql, const char *error, const char *now_sql, uint64_t *changed);

/* store_msg_by_token finds a message by its unsubscribe token. */
enum {
	TOK_COL_ID,
	TOK_COL_WORKSPACE,
	TOK_COL_CAMPAIGN,
	TOK_COL_RELATIONSHIP,
	TOK_COL_TO,
	TOK_COL_FROM,
	TOK_COL_PUBLIC,
	TOK_COL_SUPPRESSED
};
lc_err store_msg_by_token(struct db *db, const char *token, struct db_rows *out);

/* ---- invocations ---- */
lc_err store_inv_insert(struct db *db, const char *public_id, int64_t workspace_id,
    const char *action, unsigned status, unsigned reserved, const char *now_sql, uint64_t *id);
lc_err store_inv_link(struct db *db, int64_t inv_id, int64_t msg_id);
lc_err store_inv_set(struct db *db, int64_t inv_id, unsigned status, unsigned charged,
    const char *event_public_id, const char *now_sql);
enum {
	INV_COL_ID,
	INV_COL_PUBLIC,
	INV_COL_ACTION,
	INV_COL_STATUS,
	INV_COL_RESERVED,
	INV_COL_CHARGED,
	INV_COL_CREATED,
	INV_COL_UPDATED,
	INV_COL_MSG_PUBLIC,
	INV_COL_MSG_STATUS,
	INV_COL_MSG_SCHEDULE,
	INV_COL_EVENT_PUBLIC,
	INV_COL_EVENT_TYPE,
	INV_COL_EVENT_AT,
	INV_COL_EVENT_CAMPAIGN,
	INV_COL_EVENT_REL,
	INV_COL_MSG_HELD_REASON,
	INV_COL_MSG_NEXT_SLOT
};
lc_err store_inv_get(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);

/* ---- approval decisions ---- */
lc_err store_decision_insert(struct db *db, int64_t msg_id, int64_t workspace_id, unsigned decision,
    const char *by, const char *reason, const char *subject, const char *body, const char *now_sql);

/* store_msg_open records the first open of a sent message by its open token; *first is
 * 1 when this was it, and out receives (workspace, campaign, relationship, public id). */
enum {
	OPEN_COL_ID,
	OPEN_COL_WS,
	OPEN_COL_CAMPAIGN,
	OPEN_COL_REL,
	OPEN_COL_PUBLIC,
	OPEN_COL_STATUS,
	OPEN_COL_OPENED
};
lc_err store_msg_by_open_token(struct db *db, const char *token, struct db_rows *out);
lc_err store_msg_opened(struct db *db, int64_t id, const char *now_sql, uint64_t *changed);

#endif
