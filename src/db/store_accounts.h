/* store_accounts.h: SQL of accounts, their workspaces and API keys (store_accounts.c). Column
 * orders of the returned rows are the enums below; callers own the db_rows they pass in. */
#ifndef LC_STORE_ACCOUNTS_H
#define LC_STORE_ACCOUNTS_H

#include <stdint.h>
#include "db/db.h"

enum { KEY_COL_ACCOUNT, KEY_COL_WORKSPACE, KEY_COL_WS_PUBLIC, KEY_COL_APPROVE };
/* store_key_lookup finds a live key by its SHA-256. */
lc_err store_key_lookup(struct db *db, const unsigned char *hash, struct db_rows *out);

enum { WS_COL_ID, WS_COL_PUBLIC, WS_COL_NAME, WS_COL_CREATED, WS_COL_ACCOUNT };
/* WS_VERSION_MOVE_SQL is the SET clause that moves a workspace's data version (009): every
 * UPDATE of workspaces that moves it (store_workspace_touch, store_credit_move_touch)
 * says it with these words. */
#define WS_VERSION_MOVE_SQL "data_version = data_version + 1"
/* store_workspace_touch adds one to the workspace's data version (009) and contacted to
 * its count of sent-or-opened relationships (011). */
lc_err store_workspace_touch(struct db *db, int64_t workspace_id, int contacted);
/* store_workspace_version reads the workspace's data version; LC_ENOTFOUND when gone. */
lc_err store_workspace_version(struct db *db, int64_t workspace_id, uint64_t *version);
/* store_workspace_by_public finds a workspace of the account (account_id 0: any account). */
lc_err store_workspace_by_public(
    struct db *db, int64_t account_id, const char *public_id, struct db_rows *out);
/* store_workspaces_of_account lists an account's workspaces, oldest first. */
lc_err store_workspaces_of_account(struct db *db, int64_t account_id, struct db_rows *out);

enum { ACCT_COL_ID, ACCT_COL_PUBLIC, ACCT_COL_NAME };
lc_err store_account_by_public(struct db *db, const char *public_id, struct db_rows *out);
lc_err store_account_insert(
    struct db *db, const char *public_id, const char *name, const char *now_sql, uint64_t *id);
lc_err store_workspace_insert(struct db *db, const char *public_id, int64_t account_id,
    const char *name, const char *now_sql, uint64_t *id);
lc_err store_key_insert(struct db *db, const char *public_id, const unsigned char *hash,
    int64_t account_id, int64_t workspace_id, const char *name, int can_approve,
    const char *now_sql);
/* store_key_revoke marks the live key with this SHA-256 revoked at now_sql; *changed is 1
 * when there was one, 0 when no live key has that hash. */
lc_err store_key_revoke(
    struct db *db, const unsigned char *hash, const char *now_sql, uint64_t *changed);

#endif
