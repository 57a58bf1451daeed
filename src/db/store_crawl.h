/* store_crawl.h: SQL for the checker's per-host manners (sql/091_crawl_hosts.sql): the
 * host's request slot and its cached robots.txt. Every statement reads the primary key.
 * All return db_* errors. */
#ifndef LC_STORE_CRAWL_H
#define LC_STORE_CRAWL_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* store_crawl_ensure adds host's row (next_at in the past) unless it exists. */
lc_err store_crawl_ensure(struct db *db, const char *host, const char *past_sql);
/* store_crawl_lock reads host's next_at (column 0), locked (FOR UPDATE): 0 or 1 row. */
lc_err store_crawl_lock(struct db *db, const char *host, struct db_rows *out);
/* store_crawl_next sets host's next_at. */
lc_err store_crawl_next(struct db *db, const char *host, const char *next_sql);

/* Columns of store_crawl_robots_get. */
enum { CRW_COL_FETCHED, CRW_COL_STATUS, CRW_COL_BODY };
/* store_crawl_robots_get reads host's cached robots.txt (0 or 1 row). */
lc_err store_crawl_robots_get(struct db *db, const char *host, struct db_rows *out);
/* store_crawl_robots_put stores host's robots.txt as fetched at now_sql (status 0: could
 * not be fetched; body may be NULL with len 0). */
lc_err store_crawl_robots_put(struct db *db, const char *host, long status, const char *body,
    size_t len, const char *now_sql);

#endif
