/* store.h: every SQL statement linkcamp runs, one function each. Column orders of the
 * returned rows are the enums below. Callers own the db_rows they pass in. */
#ifndef LC_STORE_H
#define LC_STORE_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

/* ---- accounts, workspaces, keys (store_accounts.c) ---- */

enum { KEY_COL_ACCOUNT, KEY_COL_WORKSPACE, KEY_COL_WS_PUBLIC, KEY_COL_APPROVE };
/* store_key_lookup finds a live key by its SHA-256. */
lc_err store_key_lookup(struct db *db, const unsigned char *hash, struct db_rows *out);

enum { WS_COL_ID, WS_COL_PUBLIC, WS_COL_NAME, WS_COL_CREATED, WS_COL_ACCOUNT };
/* store_workspace_touch adds one to the workspace's data version (009) and contacted to
 * its count of sent-or-opened relationships (011). */
lc_err store_workspace_touch(struct db *db, int64_t workspace_id, int contacted);
/* store_workspace_version reads the workspace's data version; LC_ENOTFOUND when gone. */
lc_err store_workspace_version(struct db *db, int64_t workspace_id, uint64_t *version);
/* store_workspace_by_public finds a workspace of the account (account_id 0: any account). */
lc_err store_workspace_by_public(
    struct db *db, int64_t account_id, const char *public_id, struct db_rows *out);
/* store_workspaces_of_account lists an account's workspaces, oldest first. */
lc_err store_workspaces_of_account(struct db *db, int64_t account_id, struct db_rows *out);

/* ---- an account's workspaces (store_workspaces.c) ---- */

enum {
	WSP_COL_ID,
	WSP_COL_PUBLIC,
	WSP_COL_NAME,
	WSP_COL_CREATED,
	WSP_COL_BALANCE,
	WSP_COL_RESERVED,
	WSP_COL_RELATIONSHIPS,
	WSP_COL_CAMPAIGNS,
	WSP_COL_ACTIVE
};
/* store_workspace_page lists up to limit workspaces of the account, newest first, before
 * the position (before_sql, before_id) or from the newest when before_sql is NULL, with
 * their counters (columns WSP_COL_*). Caller frees out. */
lc_err store_workspace_page(
    struct db *db, int64_t account_id, const struct store_window *w, struct db_rows *out);
/* store_workspace_count counts the account's workspaces (an index range). */
lc_err store_workspace_count(struct db *db, int64_t account_id, int64_t *n);

enum { ACCT_COL_ID, ACCT_COL_PUBLIC, ACCT_COL_NAME };
lc_err store_account_by_public(struct db *db, const char *public_id, struct db_rows *out);
lc_err store_account_insert(
    struct db *db, const char *public_id, const char *name, const char *now_sql, uint64_t *id);
lc_err store_workspace_insert(struct db *db, const char *public_id, int64_t account_id,
    const char *name, const char *now_sql, uint64_t *id);
lc_err store_key_insert(struct db *db, const char *public_id, const unsigned char *hash,
    int64_t account_id, int64_t workspace_id, const char *name, int can_approve,
    const char *now_sql);
/* store_key_revoke marks the live key with this SHA-256 revoked at now_sql; *changed is 1
 * when there was one, 0 when no live key has that hash. */
lc_err store_key_revoke(
    struct db *db, const unsigned char *hash, const char *now_sql, uint64_t *changed);

/* ---- campaigns (store_campaigns.c) ---- */

enum {
	CMP_COL_ID,
	CMP_COL_PUBLIC,
	CMP_COL_TYPE,
	CMP_COL_NAME,
	CMP_COL_CREATED,
	CMP_COL_STATUS,
	CMP_COL_DRAFTS,
	CMP_COL_SENT,
	CMP_COL_REPLIED,
	CMP_COL_PLACED,
	CMP_COL_OPENED,
	CMP_COL_LIST_NCOLS, /* store_campaign_list returns only the columns before this */
	CMP_COL_LIST_TOTAL = CMP_COL_LIST_NCOLS, /* ... and then the filter's total */
	CMP_COL_TARGET = CMP_COL_LIST_NCOLS,
	CMP_COL_SENDER,
	CMP_COL_UPDATED,
	CMP_COL_DELIVERED,
	CMP_COL_PAUSED_AT,
	CMP_COL_PAUSE_REASON,
	CMP_COL_PENDING,
	CMP_COL_NCOLS
};

/* The list filter: masks have bit (1 << type) and (1 << status) set for accepted values. */
struct store_campaign_filter {
	int64_t workspace_id;
	unsigned type_mask, status_mask;
	const char *since_sql; /* createdAt >= since */
	int has_since;         /* 0: since_sql is the epoch (no lower bound) */
	const char *q_like;    /* LIKE pattern with escapes, or NULL */
	struct store_window w; /* the page: cursor and rows to read */
};

/* store_campaign_list reads up to f->limit campaigns matching f, newest first, with the
 * list's columns and in each row CMP_COL_LIST_TOTAL, how many match f in all (without the
 * cursor): one statement. An empty page has no row to carry the total:
 * store_campaign_count answers it then. Caller frees out. */
lc_err store_campaign_list(
    struct db *db, const struct store_campaign_filter *f, struct db_rows *out);
lc_err store_campaign_count(struct db *db, const struct store_campaign_filter *f, int64_t *n);
/* store_campaign_get_detail is store_campaign_get with one more column,
 * CMP_COL_MAILBOX_IDS: the public ids of the campaign's mailboxes (not deleted, oldest
 * first) separated by single spaces, NULL when it has none. */
enum { CMP_COL_MAILBOX_IDS = CMP_COL_NCOLS };
lc_err store_campaign_get_detail(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
lc_err store_campaign_get(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
lc_err store_campaign_insert(struct db *db, const char *public_id, int64_t workspace_id,
    unsigned type, const char *name, const char *target_url, const char *sender, unsigned status,
    const char *subject, const char *body, const char *now_sql, uint64_t *id);

/* store_campaign_timeline: aggregates and pause/resume notes in timeline order. (Folding
 * this and store_rel_domains into one UNION was measured and rejected: docs/first-reads.md.) */
enum { TLR_COL_DAY, TLR_COL_KIND, TLR_COL_COUNT, TLR_COL_REASON };
lc_err store_campaign_timeline(struct db *db, int64_t campaign_id, struct db_rows *out);
/* store_campaign_day_add adds n to the (campaign, day, kind) aggregate. */
lc_err store_campaign_day_add(
    struct db *db, int64_t campaign_id, const char *day, unsigned kind, unsigned n);

lc_err store_campaign_note_add(
    struct db *db, int64_t campaign_id, const char *at_sql, unsigned kind, const char *reason);

/* Counter columns of campaigns that events move. */
enum campaign_counter {
	COUNTER_DRAFTS,
	COUNTER_SENT,
	COUNTER_DELIVERED,
	COUNTER_OPENED,
	COUNTER_REPLIED,
	COUNTER_PLACED,
	COUNTER_PENDING,
	COUNTER_NCOUNTERS
};
/* store_campaign_counters_add adds delta[c] to every counter c in one statement (for a
 * batch that moves several); same rules as store_campaign_counter_add. */
lc_err store_campaign_counters_add(
    struct db *db, int64_t campaign_id, const int delta[COUNTER_NCOUNTERS], const char *now_sql);
/* store_campaign_counter_add adds delta (may be negative; never below 0) to a counter. */
lc_err store_campaign_counter_add(
    struct db *db, int64_t campaign_id, enum campaign_counter c, int delta, const char *now_sql);
/* store_campaign_first_set sets first_reply_at (which 0) or first_placed_at (1) when
 * still NULL; *was_first is 1 when this call set it. */
lc_err store_campaign_first_set(
    struct db *db, int64_t campaign_id, int which, const char *at_sql, int *was_first);
/* store_campaign_set_status changes status (and pause fields) when it is from_status. */
lc_err store_campaign_set_status(struct db *db, int64_t campaign_id, unsigned from_status,
    unsigned to_status, const char *reason, const char *now_sql, uint64_t *changed);

/* ---- relationships (store_relationships.c) ---- */

enum {
	REL_COL_ID,
	REL_COL_PUBLIC,
	REL_COL_CAMPAIGN_PUBLIC,
	REL_COL_DOMAIN,
	REL_COL_NAME,
	REL_COL_EMAIL,
	REL_COL_STATUS,
	REL_COL_LINK,
	REL_COL_LAST_CONTACTED,
	REL_COL_LAST_REPLY,
	REL_COL_CREATED,
	REL_COL_CAMPAIGN_ID,
	REL_COL_NCOLS
};

struct store_rel_filter {
	int64_t workspace_id;
	int64_t campaign_id;  /* 0: any */
	const char *domain;   /* exact, or NULL */
	unsigned status_mask; /* shown statuses: stored 0..9, and 10 (no_response) */
	const char *no_response_before_sql;
	const char *q_like;    /* over contact name and email, or NULL */
	struct store_window w; /* the page: cursor and rows to read */
};

lc_err store_rel_list(struct db *db, const struct store_rel_filter *f, struct db_rows *out);
#define STORE_REL_SHOWN_ALL ((1u << 11) - 1)
/* store_rel_count counts what store_rel_list would page through. */
lc_err store_rel_count(struct db *db, const struct store_rel_filter *f, int64_t *n);
/* store_rel_get takes the no-response cutoff for the shown status. */
lc_err store_rel_get(struct db *db, int64_t workspace_id, const char *public_id,
    const char *cutoff_sql, struct db_rows *out);
/* store_rel_domains: (domain, shown status, link_url, last_contacted_at of a sent or
 * opened relationship that is not yet past the cutoff, else NULL) of a campaign's
 * relationships. */
enum { DOM_COL_DOMAIN, DOM_COL_STATUS, DOM_COL_LINK, DOM_COL_TURNS };
lc_err store_rel_domains(
    struct db *db, int64_t campaign_id, const char *cutoff_sql, struct db_rows *out);
lc_err store_rel_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, const char *domain, const char *name, const char *email,
    const char *now_sql, uint64_t *id);

/* Timestamp columns of relationships that events set. */
enum rel_stamp {
	STAMP_DRAFTED,
	STAMP_FIRST_SENT,
	STAMP_LAST_CONTACTED,
	STAMP_OPENED,
	STAMP_LAST_REPLY,
	STAMP_PLACED,
	STAMP_BOUNCED
};
/* store_rel_stamp sets a timestamp; only_if_null makes it a first-time-only change and
 * *changed tells whether it happened. */
lc_err store_rel_stamp(struct db *db, int64_t rel_id, enum rel_stamp s, const char *at_sql,
    int only_if_null, uint64_t *changed);
/* store_rel_advance raises status to `status` when the current one is in from_mask, and
 * adds to *contacted the change in sent-or-opened relationships (+1, -1 or 0). */
lc_err store_rel_advance(struct db *db, int64_t rel_id, unsigned status, unsigned from_mask,
    const char *now_sql, int *contacted);
lc_err store_rel_set_link(struct db *db, int64_t rel_id, const char *url);
/* store_rel_was_sent is 1 when the relationship has had an email accepted. */
lc_err store_rel_was_sent(struct db *db, int64_t rel_id, int *yes);
/* store_rel_funnel_lock reads the relationship's funnel facts (core/funnel.h) and locks its
 * row until the transaction ends; LC_ENOTFOUND when there is no such relationship. */
lc_err store_rel_funnel_lock(struct db *db, int64_t rel_id, unsigned *facts);
/* store_rel_funnel_set stores the relationship's funnel facts. */
lc_err store_rel_funnel_set(struct db *db, int64_t rel_id, unsigned facts);

/* ---- events (store_events.c) ---- */
lc_err store_event_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, int64_t rel_id, const char *message_public_id, const char *type,
    const char *at_sql, const char *detail);

#endif
