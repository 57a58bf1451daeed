/* idempotency.c: Idempotency-Key on POST. The first request with a key inserts a row
 * ("in progress"); the unique key makes concurrent duplicates lose that race and see
 * "in use"; the stored answer is replayed byte for byte for 24 hours. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/sending.h"
#include "db/store_outbox.h"
#include "util/timefmt.h"

#define IDEM_TTL_MS (INT64_C(24) * 3600 * 1000)

lc_err
idempotency_begin(struct core *core, const struct principal *who, const char *key,
    const unsigned char hash[32], enum idem_state *state, int *status, char **body, size_t *len)
{
	char now[TIME_SQL_LEN], cutoff[TIME_SQL_LEN];
	struct db_rows r;
	int attempt;
	lc_err e;

	*body = NULL;
	*len = 0;
	sqltime_format(now_ms(), now);
	sqltime_format(now_ms() - IDEM_TTL_MS, cutoff);
	for (attempt = 0; attempt < 2; attempt++) {
		e = store_idem_insert(core->db, who->workspace_id, key, hash, now);
		if (e == LC_OK) {
			*state = IDEM_NEW;
			return LC_OK;
		}
		if (e != LC_ECONFLICT)
			return e;
		if ((e = store_idem_get(core->db, who->workspace_id, key, cutoff, &r)) != LC_OK)
			return e;
		if (r.nrows != 1) { /* deleted meanwhile: try again */
			db_rows_free(&r);
			continue;
		}
		if (db_i64(&r, 0, IDEM_COL_EXPIRED) == 1) {
			db_rows_free(&r);
			if ((e = store_idem_delete(core->db, who->workspace_id, key)) != LC_OK)
				return e;
			continue;
		}
		if (db_len(&r, 0, IDEM_COL_HASH) != 32 ||
		    sodium_memcmp(db_str(&r, 0, IDEM_COL_HASH), hash, 32) != 0) {
			*state = IDEM_REUSED;
		} else if (db_i64(&r, 0, IDEM_COL_STATE) == 0) {
			*state = IDEM_IN_USE;
		} else {
			size_t n = db_len(&r, 0, IDEM_COL_BODY);
			*state = IDEM_REPLAY;
			*status = (int)db_i64(&r, 0, IDEM_COL_STATUS);
			if ((*body = malloc(n + 1)) == NULL) {
				db_rows_free(&r);
				return LC_ENOMEM;
			}
			memcpy(*body, db_str(&r, 0, IDEM_COL_BODY) ? db_str(&r, 0, IDEM_COL_BODY) : "", n);
			(*body)[n] = '\0';
			*len = n;
		}
		db_rows_free(&r);
		return LC_OK;
	}
	*state = IDEM_IN_USE;
	return LC_OK;
}

lc_err
idempotency_finish(struct core *core, const struct principal *who, const char *key, int status,
    const char *body, size_t len)
{
	if (status >= 500)
		return store_idem_delete(core->db, who->workspace_id, key);
	return store_idem_finish(core->db, who->workspace_id, key, status, body, len);
}
