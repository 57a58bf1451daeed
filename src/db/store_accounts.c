/* store_accounts.c: accounts, workspaces, API keys and credit grants. */
#include <string.h>

#include "db/store_accounts.h"
#include "util/ids.h"

lc_err
store_key_lookup(struct db *db, const unsigned char *hash, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT k.account_id, k.workspace_id, w.public_id, k.can_approve FROM api_keys k "
	    "LEFT JOIN workspaces w ON w.id = k.workspace_id "
	    "WHERE k.key_hash = ? AND k.revoked_at IS NULL";
	struct db_param p[] = {DB_STR((const char *)hash, KEY_HASH_LEN)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_workspace_by_public(
    struct db *db, int64_t account_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, public_id, name, created_at, account_id "
	    "FROM workspaces WHERE public_id = ? AND (? = 0 OR account_id = ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(account_id), DB_I64(account_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_workspace_touch(struct db *db, int64_t workspace_id, int contacted)
{
	static const char sql[] =
	    "UPDATE workspaces SET " WS_VERSION_MOVE_SQL ", "
	    "contacted_count = GREATEST(CAST(contacted_count AS SIGNED) + ?, 0) WHERE id = ?";
	struct db_param p[] = {DB_I64(contacted), DB_I64(workspace_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

/* The response cache asks for the version on every hit, so on MariaDB it is answered from
 * the query cache when the server keeps one (query_cache_type = DEMAND): about what
 * SELECT 1 costs (≈ 30 µs of MariaDB's CPU on the benchmark machine), where the primary-key read
 * costs ≈ 50–60 µs. The query cache is transactional — a change to workspaces drops the
 * entry when it commits, and no entry is kept while a change is uncommitted — so the
 * answer is the committed version, as without it. The "M!" comment is executed only by
 * MariaDB: MySQL 8, which has neither the query cache nor SQL_CACHE, reads it as a
 * comment. */
lc_err
store_workspace_version(struct db *db, int64_t workspace_id, uint64_t *version)
{
	static const char sql[] =
	    "SELECT /*M! SQL_CACHE */ data_version FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	*version = (uint64_t)db_i64(&r, 0, 0);
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_workspaces_of_account(struct db *db, int64_t account_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, name, created_at, account_id "
	                          "FROM workspaces WHERE account_id = ? ORDER BY created_at, id";
	struct db_param p[] = {DB_I64(account_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_account_by_public(struct db *db, const char *public_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, name FROM accounts WHERE public_id = ?";
	struct db_param p[] = {DB_CSTR(public_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_account_insert(
    struct db *db, const char *public_id, const char *name, const char *now_sql, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO accounts (public_id, name, created_at) VALUES (?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_CSTR(name), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 3, NULL, id);
}

lc_err
store_workspace_insert(struct db *db, const char *public_id, int64_t account_id, const char *name,
    const char *now_sql, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO workspaces (public_id, account_id, name, created_at) "
	    "VALUES (?, ?, ?, ?)";
	struct db_param p[] = {
	    DB_CSTR(public_id), DB_I64(account_id), DB_CSTR(name), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 4, NULL, id);
}

lc_err
store_key_insert(struct db *db, const char *public_id, const unsigned char *hash,
    int64_t account_id, int64_t workspace_id, const char *name, int can_approve,
    const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO api_keys (public_id, key_hash, account_id, workspace_id, name, "
	    "can_approve, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_STR((const char *)hash, KEY_HASH_LEN),
	    DB_I64(account_id), workspace_id ? DB_I64(workspace_id) : DB_NULL, DB_CSTR(name),
	    DB_I64(can_approve ? 1 : 0), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 7, NULL, NULL);
}

lc_err
store_key_revoke(struct db *db, const unsigned char *hash, const char *now_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE api_keys SET revoked_at = ? WHERE key_hash = ? AND revoked_at IS NULL";
	struct db_param p[] = {DB_CSTR(now_sql), DB_STR((const char *)hash, KEY_HASH_LEN)};

	return db_exec(db, sql, p, 2, changed, NULL);
}
