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

/* batch_json_id appends s as a JSON string if it is a public id (letters, digits, '_'
 * and '-', 1..47 bytes), which needs no escaping; LC_EINVAL for anything else, so no
 * caller can put text from outside into a JSON parameter by mistake. */
lc_err batch_json_id(struct buf *b, const char *s);

#endif
