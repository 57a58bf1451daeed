/* store_campaigns.h: SQL of campaigns, their counters, timeline aggregates and notes
 * (store_campaigns.c). Column orders of the returned rows are the enums below; callers own the
 * db_rows they pass in. */
#ifndef LC_STORE_CAMPAIGNS_H
#define LC_STORE_CAMPAIGNS_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

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

#endif
