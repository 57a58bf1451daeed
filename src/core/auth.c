/* auth.c: bearer keys to principals. Only SHA-256 hashes of keys are stored; a key has
 * 256 random bits, so a fast hash is enough (no password stretching needed).
 * Resolved keys are cached per thread for key_cache_seconds (default 10): a revoked key
 * stops working within that time, and a request saves one database round trip. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/core.h"
#include "db/store_accounts.h"
#include "util/timefmt.h"

#define KEY_CACHE_SLOTS 4096 /* direct-mapped: ~120 B a slot, so under 0.5 MiB a thread */

struct key_cache_slot {
	unsigned char hash[KEY_HASH_LEN];
	int64_t expires_ms;
	struct principal p;
};

static __thread struct key_cache_slot key_cache[KEY_CACHE_SLOTS];

static lc_err resolve_key(struct core *, const unsigned char *, struct principal *);

static lc_err
resolve_key(struct core *core, const unsigned char *hash, struct principal *p)
{
	uint32_t h = (uint32_t)hash[0] | (uint32_t)hash[1] << 8 | (uint32_t)hash[2] << 16 |
	             (uint32_t)hash[3] << 24;
	struct key_cache_slot *slot = &key_cache[h % KEY_CACHE_SLOTS];
	int64_t now = now_ms();
	struct db_rows r;
	const char *ws;
	lc_err e;

	if (core->key_cache_seconds > 0 && slot->expires_ms > now &&
	    sodium_memcmp(slot->hash, hash, KEY_HASH_LEN) == 0) {
		*p = slot->p;
		return LC_OK;
	}
	if ((e = store_key_lookup(core->db, hash, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_EAUTH;
	}
	memset(p, 0, sizeof(*p));
	p->account_id = db_i64(&r, 0, KEY_COL_ACCOUNT);
	p->workspace_id = db_i64(&r, 0, KEY_COL_WORKSPACE);
	p->account_key = db_isnull(&r, 0, KEY_COL_WORKSPACE);
	p->can_approve = db_i64(&r, 0, KEY_COL_APPROVE) != 0;
	if ((ws = db_str(&r, 0, KEY_COL_WS_PUBLIC)) != NULL)
		snprintf(p->workspace_public, sizeof(p->workspace_public), "%s", ws);
	db_rows_free(&r);
	if (core->key_cache_seconds > 0) {
		memcpy(slot->hash, hash, KEY_HASH_LEN);
		slot->p = *p;
		slot->expires_ms = now + (int64_t)core->key_cache_seconds * 1000;
	}
	return LC_OK;
}

lc_err
auth_key(struct core *core, const char *key, size_t keylen, const char *ws, size_t wslen,
    struct principal *out)
{
	unsigned char hash[KEY_HASH_LEN];
	char wsbuf[ID_MAX];
	struct db_rows r;
	lc_err e;

	if (keylen < 8 || keylen > KEY_MAX)
		return LC_EAUTH;
	key_hash(key, keylen, hash);
	if ((e = resolve_key(core, hash, out)) != LC_OK)
		return e;
	if (ws == NULL)
		return LC_OK;
	if (!id_has_shape("ws_", ws, wslen))
		return LC_ENOTFOUND;
	if (!out->account_key) {
		/* A workspace key may name its own workspace, and nothing else. */
		if (strlen(out->workspace_public) != wslen ||
		    memcmp(out->workspace_public, ws, wslen) != 0)
			return LC_EFORBIDDEN;
		return LC_OK;
	}
	memcpy(wsbuf, ws, wslen);
	wsbuf[wslen] = '\0';
	if ((e = store_workspace_by_public(core->db, out->account_id, wsbuf, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out->workspace_id = db_i64(&r, 0, WS_COL_ID);
	snprintf(out->workspace_public, sizeof(out->workspace_public), "%s", wsbuf);
	db_rows_free(&r);
	return LC_OK;
}
