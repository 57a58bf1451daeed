/* admin.c: operator actions behind the CLI: accounts, workspaces, keys, credits. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/validate.h"
#include "db/store_accounts.h"
#include "db/store_credits.h"
#include "util/timefmt.h"

static lc_err find_account(struct core *, const char *, int64_t *);
static lc_err find_workspace(struct core *, const char *, int64_t *, int64_t *);
static lc_err grant_tx(struct db *, void *);

static lc_err
find_account(struct core *core, const char *public_id, int64_t *id)
{
	struct db_rows r;
	lc_err e;

	if (!id_has_shape("acct_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_account_by_public(core->db, public_id, &r)) != LC_OK)
		return e;
	e = r.nrows == 1 ? LC_OK : LC_ENOTFOUND;
	if (e == LC_OK)
		*id = db_i64(&r, 0, ACCT_COL_ID);
	db_rows_free(&r);
	return e;
}

static lc_err
find_workspace(struct core *core, const char *public_id, int64_t *id, int64_t *account_id)
{
	struct db_rows r;
	lc_err e;

	if (!id_has_shape("ws_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_workspace_by_public(core->db, 0, public_id, &r)) != LC_OK)
		return e;
	e = r.nrows == 1 ? LC_OK : LC_ENOTFOUND;
	if (e == LC_OK) {
		*id = db_i64(&r, 0, WS_COL_ID);
		*account_id = db_i64(&r, 0, WS_COL_ACCOUNT);
	}
	db_rows_free(&r);
	return e;
}

lc_err
admin_account_create(struct core *core, const char *name, char out_id[ID_MAX])
{
	char now[TIME_SQL_LEN];

	if (!text_valid(name, 1, NAME_MAX_CHARS, 0))
		return LC_EINVAL;
	sqltime_format(now_ms(), now);
	id_new("acct_", out_id);
	return store_account_insert(core->db, out_id, name, now, NULL);
}

lc_err
admin_workspace_create(
    struct core *core, const char *account_public, const char *name, char out_id[ID_MAX])
{
	char now[TIME_SQL_LEN];
	int64_t account_id = 0;
	lc_err e;

	if (!text_valid(name, 1, NAME_MAX_CHARS, 0))
		return LC_EINVAL;
	if ((e = find_account(core, account_public, &account_id)) != LC_OK)
		return e;
	sqltime_format(now_ms(), now);
	id_new("ws_", out_id);
	return store_workspace_insert(core->db, out_id, account_id, name, now, NULL);
}

lc_err
admin_key_create(struct core *core, const char *account_public, const char *ws_public,
    const char *name, int can_approve, char key_out[KEY_MAX])
{
	unsigned char hash[KEY_HASH_LEN];
	char now[TIME_SQL_LEN], id[ID_MAX];
	int64_t account_id = 0, ws_id = 0, ws_account = 0;
	lc_err e;

	if (!text_valid(name, 1, NAME_MAX_CHARS, 0))
		return LC_EINVAL;
	if ((e = find_account(core, account_public, &account_id)) != LC_OK)
		return e;
	if (ws_public) {
		if ((e = find_workspace(core, ws_public, &ws_id, &ws_account)) != LC_OK)
			return e;
		if (ws_account != account_id)
			return LC_ENOTFOUND;
	}
	key_new(key_out);
	key_hash(key_out, strlen(key_out), hash);
	id_new("key_", id);
	sqltime_format(now_ms(), now);
	return store_key_insert(core->db, id, hash, account_id, ws_id, name, can_approve, now);
}

lc_err
admin_key_revoke(struct core *core, const char *key, size_t len)
{
	unsigned char hash[KEY_HASH_LEN];
	char now[TIME_SQL_LEN];
	uint64_t changed = 0;
	lc_err e;

	if (len < 8 || len > KEY_MAX)
		return LC_ENOTFOUND;
	key_hash(key, len, hash);
	sqltime_format(now_ms(), now);
	if ((e = store_key_revoke(core->db, hash, now, &changed)) != LC_OK)
		return e;
	return changed == 1 ? LC_OK : LC_ENOTFOUND;
}

struct grant_ctx {
	int64_t workspace_id, amount;
};

static lc_err
grant_tx(struct db *db, void *arg)
{
	struct grant_ctx *g = arg;
	char now[TIME_SQL_LEN];
	int ok = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	e = store_credit_move(
	    db, g->workspace_id, CREDIT_GRANT, g->amount, 0, "granted by operator", now, &ok);
	return e == LC_OK && !ok ? LC_ENOTFOUND : e;
}

lc_err
admin_credits_grant(struct core *core, const char *ws_public, int64_t amount)
{
	struct grant_ctx g = {0, amount};
	int64_t account_id = 0;
	lc_err e;

	if (amount <= 0 || amount > INT64_C(1000000000))
		return LC_EINVAL;
	if ((e = find_workspace(core, ws_public, &g.workspace_id, &account_id)) != LC_OK)
		return e;
	return db_tx(core->db, grant_tx, &g);
}

lc_err
admin_principal_for(struct core *core, const char *ws_public, struct principal *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = find_workspace(core, ws_public, &out->workspace_id, &out->account_id)) != LC_OK)
		return e;
	snprintf(out->workspace_public, sizeof(out->workspace_public), "%s", ws_public);
	return LC_OK;
}
