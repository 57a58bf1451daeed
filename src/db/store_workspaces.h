/* store_workspaces.h: SQL of an account's workspaces as a paged list with their counters
 * (store_workspaces.c). Column orders of the returned rows are the enums below; callers own the
 * db_rows they pass in. */
#ifndef LC_STORE_WORKSPACES_H
#define LC_STORE_WORKSPACES_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

enum {
	WSP_COL_ID,
	WSP_COL_PUBLIC,
	WSP_COL_NAME,
	WSP_COL_CREATED,
	WSP_COL_BALANCE,
	WSP_COL_RESERVED,
	WSP_COL_RELATIONSHIPS,
	WSP_COL_CAMPAIGNS,
	WSP_COL_ACTIVE
};
/* store_workspace_page lists up to limit workspaces of the account, newest first, before
 * the position (before_sql, before_id) or from the newest when before_sql is NULL, with
 * their counters (columns WSP_COL_*). Caller frees out. */
lc_err store_workspace_page(
    struct db *db, int64_t account_id, const struct store_window *w, struct db_rows *out);
/* store_workspace_count counts the account's workspaces (an index range). */
lc_err store_workspace_count(struct db *db, int64_t account_id, int64_t *n);

#endif
