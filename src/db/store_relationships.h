/* store_relationships.h: SQL of relationships (prospects), their stamps, statuses and funnel
 * facts (store_relationships.c). Column orders of the returned rows are the enums below; callers
 * own the db_rows they pass in. */
#ifndef LC_STORE_RELATIONSHIPS_H
#define LC_STORE_RELATIONSHIPS_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

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

#endif
