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
lc_err store_pl_requeue(struct db *db, int64_t relationship_id, const char *link_url,
    const char *now_sql);

/* Columns of store_pl_find and store_pl_list. */
enum { PLC_COL_ID, PLC_COL_PUBLIC, PLC_COL_REL, PLC_COL_CAMPAIGN, PLC_COL_URL, PLC_COL_STATUS,
	PLC_COL_HTTP, PLC_COL_ERROR, PLC_COL_CHECKED, PLC_COL_VERIFIED, PLC_COL_LOST,
	PLC_COL_CREATED, PLC_COL_DUE };
/* store_pl_find reads the relationship's placement for link_url (0 or 1 row). */
lc_err store_pl_find(struct db *db, int64_t relationship_id, const char *link_url,
    struct db_rows *out);
/* store_pl_list reads the relationship's placements, oldest first (at most 1000). */
lc_err store_pl_list(struct db *db, int64_t relationship_id, struct db_rows *out);

/* store_pl_due locks up to limit due, unleased rows, skipping rows others locked. */
lc_err store_pl_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out);
/* store_pl_claim leases a row locked by store_pl_due and moves its fence; LC_ERETRY when
 * it is leased already (claimed first on another Galera node). */
lc_err store_pl_claim(struct db *db, int64_t id, const char *lease_sql);

/* Columns of store_pl_job. */
enum { PLJ_COL_ID, PLJ_COL_FENCE, PLJ_COL_STATUS, PLJ_COL_MISSES, PLJ_COL_URL,
	PLJ_COL_TARGET, PLJ_COL_WORKSPACE, PLJ_COL_CAMPAIGN, PLJ_COL_REL, PLJ_COL_LEASED };
/* store_pl_job reads a placement with its campaign's target URL (0 or 1 row); lock
 * (FOR UPDATE) when lock is 1. */
lc_err store_pl_job(struct db *db, int64_t id, int lock, struct db_rows *out);

/* The outcome of one check, written by store_pl_finish. */
struct store_pl_finish {
	int64_t id, fence;
	unsigned status, misses;
	const char *due_sql;      /* next check, or NULL: none */
	long http_status;         /* 0: none */
	const char *error;        /* or NULL */
	const char *now_sql;
	int verified, lost;       /* stamp verified_at / lost_at with now */
};
/* store_pl_finish ends the check of a row still leased under fence; *changed is 0 when
 * the lease was lost. */
lc_err store_pl_finish(struct db *db, const struct store_pl_finish *f, uint64_t *changed);
/* store_pl_reap returns rows whose lease expired before now_sql to the queue; *n rows. */
lc_err store_pl_reap(struct db *db, const char *now_sql, uint64_t *n);

#endif
