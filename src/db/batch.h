/* batch.h: helpers for the store's statements over a batch of rows (internal to src/db).
 * A prepared statement is cached by its text, so a batch statement has one fixed text for
 * every batch size: ids go into sixty-four placeholders padded with 0, which no row has;
 * rows with values of their own go into one JSON parameter read by JSON_TABLE. */
#ifndef LC_DB_BATCH_H
#define LC_DB_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "util/buf.h"

#define Q8 "?, ?, ?, ?, ?, ?, ?, ?"
#define Q64 Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8 ", " Q8
#define BATCH_IDS 64 /* the placeholders of Q64; STORE_BATCH_MAX is the same number */

/* batch_ids fills BATCH_IDS id parameters of p from ids (n <= BATCH_IDS) and zeros. */
void batch_ids(const int64_t *ids, size_t n, struct db_param *p);

/* batch_query runs sql, whose only parameters are the Q64 ids, for the n (1..BATCH_IDS)
 * ids into *out (emptied first). LC_EINVAL for a bad n; the statement's errors. */
lc_err batch_query(
    struct db *db, const char *sql, const int64_t *ids, size_t n, struct db_rows *out);

/* batch_lease runs a queue's claim of n (1..BATCH_IDS) picked rows: sql has the lease's end
 * (lease_sql) as its first parameter, then the Q64 ids, and a guard that changes only rows
 * still free. LC_ERETRY when fewer than n changed (one was claimed first on another Galera
 * node: the caller's pick runs again), LC_EINVAL for a bad n; the statement's errors. */
lc_err batch_lease(
    struct db *db, const char *sql, const int64_t *ids, size_t n, const char *lease_sql);

/* batch_json_id appends s as a JSON string if it is a public id (letters, digits, '_'
 * and '-', 1..47 bytes), which needs no escaping; LC_EINVAL for anything else, so no
 * caller can put text from outside into a JSON parameter by mistake. */
lc_err batch_json_id(struct buf *b, const char *s);

#endif
