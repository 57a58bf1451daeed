/* store_placements.h: SQL for link placements (sql/014_placements.sql). The rules live in
 * src/core/placements.c; these only read and write, each through an index. All return
 * db_* errors. */
#ifndef LC_STORE_PLACEMENTS_H
#define LC_STORE_PLACEMENTS_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

enum { PL_PENDING = 0, PL_VERIFIED, PL_NOT_FOUND, PL_LOST, PL_NSTATUS };

/* store_pl_insert adds a pending placement due at now_sql unless the relationship already
 * has one for link_url (INSERT IGNORE on the unique key); *inserted is 1 when it did. */
lc_err store_pl_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, int64_t relationship_id, const char *link_url, const char *now_sql,
    int *inserted);
/* store_pl_rel_domain reads a relationship's domain (0 or 1 row, column 0). */
lc_err store_pl_rel_domain(struct db *db, int64_t relationship_id, struct db_rows *out);
/* store_pl_requeue makes a not_found placement pending again, due at now_sql. */
lc_err store_pl_requeue(
    struct db *db, int64_t relationship_id, const char *link_url, const char *now_sql);

/* Columns of store_pl_find and store_pl_list. */
enum {
	PLC_COL_ID,
	PLC_COL_PUBLIC,
	PLC_COL_REL,
	PLC_COL_CAMPAIGN,
	PLC_COL_URL,
	PLC_COL_STATUS,
	PLC_COL_HTTP,
	PLC_COL_ERROR,
	PLC_COL_CHECKED,
	PLC_COL_VERIFIED,
	PLC_COL_LOST,
	PLC_COL_CREATED,
	PLC_COL_DUE,
	PLC_COL_VERDICT,
	PLC_COL_ISSUES,
	PLC_COL_ANCHOR,
	PLC_COL_REL_EXPECTED,
	PLC_COL_GUARANTEE,
	PLC_COL_PRICE,
	PLC_COL_CURRENCY
};
/* store_pl_find reads the relationship's placement for link_url (0 or 1 row). */
lc_err store_pl_find(
    struct db *db, int64_t relationship_id, const char *link_url, struct db_rows *out);
/* store_pl_list reads the relationship's placements, oldest first (at most 1000). */
lc_err store_pl_list(struct db *db, int64_t relationship_id, struct db_rows *out);

/* The placements.priority values a claim reads, in its order (migration 090). */
#define STORE_PL_PRIORITIES 3
/* store_pl_due locks up to limit due, unleased rows of the given priorities, skipping rows
 * others locked: by priority in the order given as numbers (ascending), then due first
 * (ix_placements_claim, one range each). */
lc_err store_pl_due(struct db *db, const unsigned priority[STORE_PL_PRIORITIES],
    const char *now_sql, unsigned limit, struct db_rows *out);
/* store_pl_claim_batch leases the n (1..BATCH_IDS) rows of ids that store_pl_due locked and
 * moves their fences, in one statement; LC_ERETRY when one is leased already (claimed first
 * on another Galera node: the pick runs again), LC_EINVAL for a bad n. */
lc_err store_pl_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *lease_sql);

/* Columns of store_pl_job. */
enum {
	PLJ_COL_ID,
	PLJ_COL_FENCE,
	PLJ_COL_STATUS,
	PLJ_COL_MISSES,
	PLJ_COL_URL,
	PLJ_COL_TARGET,
	PLJ_COL_WORKSPACE,
	PLJ_COL_CAMPAIGN,
	PLJ_COL_REL,
	PLJ_COL_LEASED,
	PLJ_COL_DOMAIN,
	PLJ_COL_ANCHOR,
	PLJ_COL_REL_EXPECTED,
	PLJ_COL_MISSING_DAYS,
	PLJ_COL_MISSING_AT
};
/* store_pl_job reads a placement with its campaign's target URL and its prospect's
 * domain (0 or 1 row); lock
 * (FOR UPDATE) when lock is 1. */
lc_err store_pl_job(struct db *db, int64_t id, int lock, struct db_rows *out);
/* store_pl_job_batch reads the placements of ids (1..BATCH_IDS of them) as store_pl_job
 * does, one row each that still exists, in no order; LC_EINVAL for a bad n. */
lc_err store_pl_job_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out);

/* The outcome of one check, written by store_pl_finish. */
struct store_pl_finish {
	int64_t id, fence;
	unsigned status, misses;
	const char *due_sql; /* next check, or NULL: none */
	long http_status;    /* 0: none */
	const char *error;   /* or NULL */
	const char *now_sql;
	int verified, lost; /* stamp verified_at / lost_at with now (and the check id) */
	unsigned verdict, priority, missing_days;
	const char *issues;      /* comma-separated, or NULL */
	const char *missing_sql; /* when the last counted missing result was, or NULL */
	int64_t check_id;        /* the evidence row of this check */
};
/* store_pl_finish ends the check of a row still leased under fence; *changed is 0 when
 * the lease was lost. */
lc_err store_pl_finish(struct db *db, const struct store_pl_finish *f, uint64_t *changed);
/* store_pl_defer returns a row still leased under fence to the queue, due at due_sql,
 * without a check (its host was busy). */
lc_err store_pl_defer(struct db *db, int64_t id, int64_t fence, const char *due_sql);
/* Columns of store_pl_reclaim_facts. */
enum {
	PLR_COL_GUARANTEE,
	PLR_COL_NAME,
	PLR_COL_EMAIL,
	PLR_COL_TARGET,
	PLR_COL_STATUS,
	PLR_COL_SENDER,
	PLR_COL_CHECKED,
	PLR_COL_HTTP,
	PLR_COL_FINAL,
	PLR_COL_ANCHORS,
	PLR_COL_SHA
};
/* store_pl_reclaim_facts reads what a reclaim email of a lost placement needs: its
 * guarantee, the prospect, the campaign and the evidence of the check that lost it (0 or
 * 1 row). */
lc_err store_pl_reclaim_facts(struct db *db, int64_t placement_id, struct db_rows *out);
/* store_pl_demo_state sets a demo placement's state as if a check at at_sql had decided
 * it (the demo seeds history; nothing else writes placements this way). */
lc_err store_pl_demo_state(struct db *db, int64_t id, unsigned status, unsigned verdict,
    const char *issues, long http_status, const char *error, const char *at_sql,
    const char *due_sql, int64_t check_id);
/* store_pl_reap returns rows whose lease expired before now_sql to the queue; *n rows. */
lc_err store_pl_reap(struct db *db, const char *now_sql, uint64_t *n);

/* One row of placement_checks (strings borrowed; NULL or "" stored as NULL). */
struct store_pl_check {
	int64_t placement_id;
	const char *now_sql;
	unsigned verdict, redirects;
	int truncated;
	long http_status;
	const char *issues, *reason, *final_url, *content_type, *x_robots_tag, *last_modified;
	const char *body_sha256; /* NULL: no body was read (body_size not stored either) */
	uint64_t body_size, anchors;
	const char *meta_robots, *canonical, *links;
	const char *hops; /* the hop chain, a JSON array text (placement_evidence.hops) */
};
/* store_pl_check_insert adds the evidence of one check; *id is its row id. */
lc_err store_pl_check_insert(struct db *db, const struct store_pl_check *c, int64_t *id);

/* Columns of store_pl_checks_list and store_pl_event_check (which adds the placement's
 * public id after them). */
enum {
	PCK_COL_ID,
	PCK_COL_AT,
	PCK_COL_VERDICT,
	PCK_COL_ISSUES,
	PCK_COL_REASON,
	PCK_COL_HTTP,
	PCK_COL_FINAL,
	PCK_COL_REDIRECTS,
	PCK_COL_CTYPE,
	PCK_COL_XROBOTS,
	PCK_COL_LASTMOD,
	PCK_COL_SHA,
	PCK_COL_SIZE,
	PCK_COL_TRUNCATED,
	PCK_COL_META,
	PCK_COL_CANONICAL,
	PCK_COL_ANCHORS,
	PCK_COL_LINKS,
	PCK_COL_HOPS,
	PCK_COL_PLACEMENT_PUBLIC
};
/* store_pl_checks_list reads a placement's checks, newest first, with id < before_id
 * (0: from the newest), at most limit (ix_placement_checks_placement). */
lc_err store_pl_checks_list(
    struct db *db, int64_t placement_id, int64_t before_id, unsigned limit, struct db_rows *out);
/* store_pl_checks_count counts a placement's checks into *n. */
lc_err store_pl_checks_count(struct db *db, int64_t placement_id, int64_t *n);
/* store_pl_event_check reads the check that decided link_placed (lost 0) or link_lost
 * (lost 1) of the placement (rel_public, link_url): 0 or 1 row. */
lc_err store_pl_event_check(
    struct db *db, const char *rel_public, const char *link_url, int lost, struct db_rows *out);
/* store_pl_find_public reads the relationship's placement public_id (0 or 1 row, the
 * columns of store_pl_find). */
lc_err store_pl_find_public(
    struct db *db, int64_t relationship_id, const char *public_id, struct db_rows *out);

/* What a client expects of a placement; set_* says which to write (a NULL or negative
 * value clears it). */
struct store_pl_expect {
	int set_anchor, set_rel, set_guarantee, set_price;
	const char *anchor;        /* or NULL */
	int rel;                   /* PL_REL_*, or -1 */
	const char *guarantee_sql; /* or NULL */
	int64_t price_cents;       /* minor units of currency, or -1 */
	const char *currency;      /* ISO 4217 code when price_cents >= 0 */
};
/* store_pl_workspace_currency reads the workspace's default currency (ISO 4217, 3
 * letters and a NUL into out). LC_ENOTFOUND for no such workspace; db errors. */
lc_err store_pl_workspace_currency(struct db *db, int64_t workspace_id, char out[4]);
/* store_pl_set_expect writes x to placement id. */
lc_err store_pl_set_expect(
    struct db *db, int64_t id, const struct store_pl_expect *x, const char *now_sql);

#endif
