/* store_inbound.h: SQL for inbound mail, its matching and relationship histories. */
#ifndef LC_STORE_INBOUND_H
#define LC_STORE_INBOUND_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

struct store_inbound_new {
	const char *public_id, *dedupe_key;
	int64_t workspace_id, campaign_id, relationship_id, outbound_id; /* 0: none */
	unsigned klass, match_method;
	const char *message_id, *in_reply_to, *references, *from_email, *from_name, *to_email;
	const char *subject, *text, *text_new, *bounce_status, *bounce_recipient, *sent_sql;
	const char *now_sql;
	const char *ooo_return; /* "YYYY-MM-DD" or NULL */
	size_t raw_size;
};
/* store_inbound_insert stores a received message and, when it has a workspace, counts it
 * in that workspace's inbound_counts. Database errors (a duplicate dedupe_key included). */
lc_err store_inbound_insert(struct db *db, const struct store_inbound_new *m, uint64_t *id);
/* store_inbound_by_dedupe returns (id, public_id) of an already stored message. */
lc_err store_inbound_by_dedupe(struct db *db, const char *key, struct db_rows *out);
lc_err store_inbound_set_auto(struct db *db, int64_t id, int64_t msg_id);

enum {
	IN_COL_ID,
	IN_COL_PUBLIC,
	IN_COL_WORKSPACE,
	IN_COL_CAMPAIGN_PUBLIC,
	IN_COL_REL_PUBLIC,
	IN_COL_OUT_PUBLIC,
	IN_COL_KLASS,
	IN_COL_MATCH,
	IN_COL_MSGID,
	IN_COL_IN_REPLY_TO,
	IN_COL_REFERENCES,
	IN_COL_FROM,
	IN_COL_FROM_NAME,
	IN_COL_TO,
	IN_COL_SUBJECT,
	IN_COL_TEXT,
	IN_COL_TEXT_NEW,
	IN_COL_BOUNCE_STATUS,
	IN_COL_BOUNCE_RCPT,
	IN_COL_SENT,
	IN_COL_RECEIVED,
	IN_COL_CAMPAIGN_ID,
	IN_COL_REL_ID,
	IN_COL_AUTO_PUBLIC,
	IN_COL_OUT_MSGID,
	IN_COL_OOO_RETURN,
	IN_COL_TRIAGE_DECISION,
	IN_COL_TRIAGED_BY,
	IN_COL_TRIAGED_AT,
	IN_COL_NCOLS
};
lc_err store_inbound_get(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
struct store_inbound_filter {
	int64_t workspace_id, campaign_id; /* campaign 0: any */
	unsigned klass_mask;
	int matched;           /* -1 any, 0 unmatched, 1 matched */
	struct store_window w; /* the page: cursor and rows to read */
};
lc_err store_inbound_list(struct db *db, const struct store_inbound_filter *f, struct db_rows *out);
/* store_inbound_count counts what f selects from the counts kept per workspace, campaign,
 * class and match (inbound_counts, sql/190), which store_inbound_insert and
 * store_triage_set move with the mail they write: a row per campaign and class, never one
 * per message. Database errors. */
lc_err store_inbound_count(struct db *db, const struct store_inbound_filter *f, int64_t *n);

/* Triage of unmatched mail (sql/081_inbound_triage.sql): the waiting messages of a
 * workspace, newest first, along ix_inbound_triage; their count; one locked for a decision
 * (IN_SELECT columns); the decision. */
lc_err store_triage_list(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out);
lc_err store_triage_count(struct db *db, int64_t workspace_id, int64_t *n);
lc_err store_inbound_get_locked(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
/* store_triage_set records the decision on message id, still undecided, whose lock the
 * caller holds; rel_id != 0 matches it to that prospect of campaign_id and moves it
 * between the kept counts of the workspace's mail. Database errors. */
lc_err store_triage_set(struct db *db, int64_t id, int64_t campaign_id, int64_t rel_id,
    unsigned decision, const char *by, const char *now_sql);

/* Matching. */
enum {
	OM_COL_ID,
	OM_COL_WORKSPACE,
	OM_COL_CAMPAIGN,
	OM_COL_RELATIONSHIP,
	OM_COL_STATUS,
	OM_COL_PUBLIC,
	OM_COL_MSGID
};
lc_err store_outbound_by_msgid(struct db *db, const char *msgid, struct db_rows *out);
/* store_outbound_by_token finds our message whose Message-ID starts with "<token." (a
 * range of ux_outbound_msgid); token is [a-z2-7] only, so it holds no LIKE wildcard. */
lc_err store_outbound_by_token(struct db *db, const char *token, struct db_rows *out);
enum { RE_COL_ID, RE_COL_CAMPAIGN };
lc_err store_rel_by_email(
    struct db *db, int64_t workspace_id, const char *email, struct db_rows *out);
/* store_rel_by_domain lists (id, campaign) of at most two prospects of the workspace at
 * domain (or www.domain) who were written to (sent, opened, replied, placed) in an active or
 * paused campaign, newest first. */
lc_err store_rel_by_domain(
    struct db *db, int64_t workspace_id, const char *domain, struct db_rows *out);
lc_err store_workspaces_by_sender(struct db *db, const char *email, struct db_rows *out);
/* store_msg_pending_answers lists (locked) pending auto-responses to an inbound message. */
lc_err store_msg_pending_answers(struct db *db, int64_t inbound_id, struct db_rows *out);
/* store_msg_pending_follow_ups lists (locked) pending follow-ups of a relationship. */
lc_err store_msg_pending_follow_ups(struct db *db, int64_t rel_id, struct db_rows *out);
/* store_msg_follow_ups_not_before moves the pending follow-ups of a relationship that are
 * due before not_before_ms to not_before_ms (an out-of-office's return). */
lc_err store_msg_follow_ups_not_before(
    struct db *db, int64_t rel_id, int64_t not_before_ms, const char *now_sql);
/* store_campaign_auto_get reads a campaign's auto-response (body may be NULL) with what
 * queueing it needs, in one statement: the workspace's approval policy for auto-responses
 * and the do-not-email entries of email, the address it would go to (SUPPRESSED_SQL; may be
 * NULL: none). */
enum {
	AR_COL_BODY,
	AR_COL_DELAY,
	AR_COL_STATUS,
	AR_COL_SENDER,
	AR_COL_APPROVE,   /* approve_auto_responses */
	AR_COL_SUPPRESSED /* > 0: email is on a do-not-email list */
};
lc_err store_campaign_auto_get(
    struct db *db, int64_t campaign_id, const char *email, struct db_rows *out);

/* History of one relationship, oldest first: direction 0 outbound, 1 inbound. */
enum {
	H_COL_DIRECTION,
	H_COL_PUBLIC,
	H_COL_KIND,
	H_COL_STATUS,
	H_COL_SUBJECT,
	H_COL_AT,
	H_COL_HELD_REASON,
	H_COL_NEXT_SLOT
};
lc_err store_rel_history(struct db *db, int64_t rel_id, struct db_rows *out);

#endif
