/* retry.h: which database errors are worth another try, and how long to wait before it
 * (internal to src/db; apart from <mysql.h> so that tests/unit/test_db_retry.c tests it
 * alone). docs/scaling.md explains the choices. */
#ifndef LC_DB_RETRY_H
#define LC_DB_RETRY_H

#include <stdint.h>

/* What an error number means to a caller. */
enum db_errclass {
	DBE_OTHER, /* a bug or bad data: report it, do not retry */
	DBE_RETRY, /* the transaction was rolled back (deadlock, lock wait, Galera
	            * certification failure): run the whole transaction again */
	DBE_DOWN,  /* this server cannot serve us (gone, killed, not a synced Galera
	            * member): drop the connection and try the next host */
	DBE_DUP,   /* a duplicate key */
	DBE_NOMEM, /* the client library ran out of memory */
};

/* db_errclass_of classifies a client or server error number. on_commit is 1 when the error
 * came from COMMIT: Galera reports a transaction aborted by a replicated one there as 1180
 * (error during commit) or 1317 (query interrupted), which elsewhere mean something else:
 * 1180 from another statement is a node that cannot replicate (outside the primary
 * component), so "down"; 1317 elsewhere is a KILL QUERY, reported. */
enum db_errclass db_errclass_of(unsigned err, int on_commit);

/* The retry schedule of a whole transaction. A busy three-node cluster was seen to abort
 * one claim 107 times in a row without a pause between tries (issue #18): the pause grows
 * so the writers spread out, and the limit is far above what a pause-spread run needs. */
#define DB_RETRY_LIMIT 40   /* tries of one transaction, the first included */
#define DB_RETRY_BASE_MS 2  /* the mean pause after the first failure */
#define DB_RETRY_CAP_MS 250 /* no pause is longer */

/* db_backoff_ms is the pause before try number attempt + 1 (attempt >= 1 failures so
 * far): half of min(cap, base * 2^(attempt-1)) plus a random part up to the other half,
 * taken from rnd. Never above cap_ms; no overflow for any attempt. */
unsigned db_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint32_t rnd);

/* db_rand advances a xorshift32 state (never 0) and returns its next value: jitter only,
 * not for secrets. */
uint32_t db_rand(uint32_t *state);

#endif
