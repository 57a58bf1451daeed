/* idempotency.c: Idempotency-Key on POST, with never two effects for one key.
 *
 * The key's row is inserted (committed at once, "in progress") the first time the key is
 * seen; then the request opens one transaction (db_request_begin) and locks that row in it
 * (FOR UPDATE SKIP LOCKED). Everything the handler writes joins that transaction, and the
 * stored answer is written in it too, so the effect and "this key is done, here is its
 * answer" commit together or not at all. The lock is the claim:
 *
 * - another request with the key while the first runs finds the row locked: 409 in use;
 * - if the first dies (kill -9, crash, lost connection), MariaDB rolls its transaction
 *   back and the lock dies with the connection: nothing of it happened, the row is still
 *   "in progress" but unlocked, and the next request with the key takes it and runs;
 * - if it committed, the row says done with the answer, replayed byte for byte.
 *
 * An answer of 500 or more rolls the request back (the client may retry); one too large
 * to keep commits the effect and forgets the key, as before. Answers are kept 24 hours;
 * an expired row is claimed afresh. See docs/sending.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/sending.h"
#include "db/store_sending.h"
#include "util/timefmt.h"

#define IDEM_TTL_MS (INT64_C(24) * 3600 * 1000)
#define SCOPED_KEY_MAX 96

struct insert_tx {
	int64_t ws;
	const char *key, *now;
	const unsigned char *hash;
};

static lc_err insert_tx(struct db *, void *);
static const char *scope_of(
    const struct principal *, const char *, int64_t *, char[SCOPED_KEY_MAX]);

/* scope_of says under which (workspace_id, idem_key) a key is kept. A workspace request
 * keeps it in its workspace. An account-level request (an agency key on an account route,
 * such as /v1/workspaces/bulk-action) has no workspace: it is kept under workspace_id 0,
 * which no workspace has, as "acct:<account id>:" and the key's SHA-256 in hex, so two
 * accounts never share a key and the stored key stays within the column's 255. */
static const char *
scope_of(const struct principal *who, const char *key, int64_t *scope, char buf[SCOPED_KEY_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t i, n;

	if (who->workspace_id != 0) {
		*scope = who->workspace_id;
		return key;
	}
	*scope = 0;
	crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
	n = (size_t)snprintf(buf, SCOPED_KEY_MAX, "acct:%lld:", (long long)who->account_id);
	for (i = 0; i < sizeof(h) && n + 2 < SCOPED_KEY_MAX; i++) {
		buf[n++] = hex[h[i] >> 4];
		buf[n++] = hex[h[i] & 15];
	}
	buf[n] = '\0';
	return buf;
}

/* insert_tx writes the key's row in a transaction of its own, so that db_tx retries it:
 * on a Galera cluster two first requests with one key through two nodes both insert it,
 * and the loser's certification failure (1213) is a retry that then finds the row. */
static lc_err
insert_tx(struct db *db, void *arg)
{
	struct insert_tx *t = arg;

	return store_idem_insert(db, t->ws, t->key, t->hash, t->now);
}

lc_err
idempotency_begin(struct core *core, const struct principal *who, const char *key,
    const unsigned char hash[32], enum idem_state *state, int *status, char **body, size_t *len)
{
	char now[TIME_SQL_LEN], cutoff[TIME_SQL_LEN];
	char scoped[SCOPED_KEY_MAX];
	struct db_rows r;
	int64_t ws;
	lc_err e;

	key = scope_of(who, key, &ws, scoped);
	*body = NULL;
	*len = 0;
	sqltime_format(now_ms(), now);
	sqltime_format(now_ms() - IDEM_TTL_MS, cutoff);
	{
		struct insert_tx t = {ws, key, now, hash};
		e = db_tx(core->db, insert_tx, &t);
	}
	if (e != LC_OK && e != LC_ECONFLICT)
		return e;
	if ((e = db_request_begin(core->db)) != LC_OK)
		return e;
	if ((e = store_idem_claim(core->db, ws, key, cutoff, &r)) != LC_OK) {
		(void)db_request_end(core->db, 0);
		return e;
	}
	if (r.nrows != 1) { /* a live request holds it */
		*state = IDEM_IN_USE;
	} else if (db_i64(&r, 0, IDEM_COL_EXPIRED) == 1) {
		if ((e = store_idem_renew(core->db, ws, key, hash, now)) == LC_OK) {
			db_rows_free(&r);
			*state = IDEM_NEW;
			return LC_OK; /* the request transaction stays open */
		}
	} else if (db_len(&r, 0, IDEM_COL_HASH) != 32 ||
	           sodium_memcmp(db_str(&r, 0, IDEM_COL_HASH), hash, 32) != 0) {
		*state = IDEM_REUSED;
	} else if (db_i64(&r, 0, IDEM_COL_STATE) == 0) {
		/* in progress but unlocked: its request died before committing anything */
		db_rows_free(&r);
		*state = IDEM_NEW;
		return LC_OK;
	} else {
		size_t n = db_len(&r, 0, IDEM_COL_BODY);
		*state = IDEM_REPLAY;
		*status = (int)db_i64(&r, 0, IDEM_COL_STATUS);
		if ((*body = malloc(n + 1)) == NULL) {
			e = LC_ENOMEM;
		} else {
			memcpy(*body,
			    db_str(&r, 0, IDEM_COL_BODY) ? db_str(&r, 0, IDEM_COL_BODY) : "", n);
			(*body)[n] = '\0';
			*len = n;
		}
	}
	db_rows_free(&r);
	(void)db_request_end(core->db, 0);
	return e;
}

lc_err
idempotency_finish(struct core *core, const struct principal *who, const char *key, int status,
    int keep, const char *body, size_t len)
{
	char scoped[SCOPED_KEY_MAX];
	int64_t ws;
	lc_err e;

	key = scope_of(who, key, &ws, scoped);
	if (status >= 500) /* a doomed transaction (deadlock, lost connection) says so: rerun */
		return db_request_end(core->db, 0);
	e = keep ? store_idem_finish(core->db, ws, key, status, body, len)
	         : store_idem_delete(core->db, ws, key);
	if (e != LC_OK) {
		lc_err doomed = db_request_end(core->db, 0);
		return doomed != LC_OK ? doomed : e;
	}
	return db_request_end(core->db, 1);
}
