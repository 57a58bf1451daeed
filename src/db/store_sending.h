/* store_sending.h: SQL the sending rules read and write besides the messages themselves
 * (store_sending.c): a workspace's policy, idempotency keys, the per-workspace suppression
 * check, follow-ups, and a campaign's details for sending. Row column orders are the enums
 * below. */
#ifndef LC_STORE_SENDING_H
#define LC_STORE_SENDING_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* ---- policy ---- */
enum {
	POL_COL_DRAFTS,
	POL_COL_SEND,
	POL_COL_RESPOND,
	POL_COL_AUTO,
	POL_COL_FOLLOW,
	POL_COL_LATENESS,
	POL_COL_TRACK,
	POL_COL_BOUNCE_PERMILLE,
	POL_COL_UNSUB_DOMAIN,
	POL_COL_CURRENCY
};
lc_err store_policy_get(struct db *db, int64_t workspace_id, struct db_rows *out);
/* The stored policy, as store_policy_put writes it. */
struct store_policy {
	unsigned flags[5]; /* approval required per message kind, 0/1 */
	unsigned lateness_hours;
	int track_opens, unsubscribe_domain;
	unsigned bounce_permille;
	const char *currency; /* ISO 4217, borrowed */
};
/* store_policy_put writes the workspace's whole policy in one statement. */
lc_err store_policy_put(struct db *db, int64_t workspace_id, const struct store_policy *p);

/* ---- idempotency ---- */
enum { IDEM_COL_HASH, IDEM_COL_STATE, IDEM_COL_STATUS, IDEM_COL_BODY, IDEM_COL_EXPIRED };
/* store_idem_claim reads and locks the key's row (FOR UPDATE SKIP LOCKED: no row when a
 * live transaction holds it); inside a transaction. */
lc_err store_idem_claim(struct db *db, int64_t workspace_id, const char *key,
    const char *cutoff_sql, struct db_rows *out);
/* store_idem_renew makes an expired key's row a fresh claim for the request hash. */
lc_err store_idem_renew(struct db *db, int64_t workspace_id, const char *key,
    const unsigned char *hash, const char *now_sql);
lc_err store_idem_insert(struct db *db, int64_t workspace_id, const char *key,
    const unsigned char *hash, const char *now_sql);
lc_err store_idem_delete(struct db *db, int64_t workspace_id, const char *key);
lc_err store_idem_finish(
    struct db *db, int64_t workspace_id, const char *key, int status, const char *body, size_t len);

/* ---- suppressions ---- */
lc_err store_suppressed(struct db *db, int64_t workspace_id, const char *email, int *yes);
lc_err store_suppress(struct db *db, int64_t workspace_id, const char *email, const char *reason,
    const char *now_sql);

/* ---- campaign details for sending ---- */
lc_err store_follow_up_insert(
    struct db *db, int64_t campaign_id, unsigned step, unsigned after_days, const char *body);
enum { FU_COL_AFTER, FU_COL_BODY };
lc_err store_follow_up_get(struct db *db, int64_t campaign_id, unsigned step, struct db_rows *out);
lc_err store_campaign_auto_response(
    struct db *db, int64_t campaign_id, const char *body, int delay_minutes);
/* store_campaign_lock reads status of a campaign of a workspace FOR UPDATE. */
enum {
	CL_COL_ID,
	CL_COL_STATUS,
	CL_COL_SENDER,
	CL_COL_SUBJECT,
	CL_COL_BODY,
	CL_COL_NAME,
	CL_COL_TARGET,
	CL_COL_LAUNCHED
};
lc_err store_campaign_lock(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
/* store_campaign_launched: *yes unless the campaign is a draft never launched (also 1 when
 * there is no such campaign). */
lc_err store_campaign_launched(
    struct db *db, int64_t workspace_id, const char *public_id, int *yes);
/* store_campaign_set_launched records the campaign's launch (once). */
lc_err store_campaign_set_launched(struct db *db, int64_t campaign_id, const char *now_sql);
/* store_rel_undrafted lists the campaign's relationships without a draft yet, oldest first:
 * columns id, domain, contact_name, contact_email. */
lc_err store_rel_undrafted(struct db *db, int64_t campaign_id, struct db_rows *out);

/* The send gate: what an email's transaction reads after locking its campaign, in one
 * statement instead of two or three (the approval policy, the recipient's do-not-email
 * entries and, for send-email, the relationship). Both return one row per existing
 * workspace (none when it does not exist) with these columns first; neither locks
 * anything, so the campaign's FOR UPDATE row lock stays the only lock taken here. */
enum {
	SG_COL_APPROVE_SEND,    /* approve_send_email */
	SG_COL_APPROVE_RESPOND, /* approve_respond */
	SG_COL_SUPPRESSED,      /* > 0: the address is on a do-not-email list (SUPPRESSED_SQL) */
	SG_COL_REL_ID,          /* store_send_gate_rel: NULL when no such relationship */
	SG_COL_REL_EMAIL,
	SG_COL_REL_NAME
};
/* store_send_gate_rel reads the gate for relationship public_id of campaign campaign_id:
 * the suppression is that of the relationship's address. */
lc_err store_send_gate_rel(struct db *db, int64_t workspace_id, int64_t campaign_id,
    const char *public_id, struct db_rows *out);
/* store_send_gate_addr reads the gate for the address email (columns up to
 * SG_COL_SUPPRESSED). */
lc_err store_send_gate_addr(
    struct db *db, int64_t workspace_id, const char *email, struct db_rows *out);

#endif
