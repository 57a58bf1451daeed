/* store_suppressions.h: SQL of the do-not-email list (sql/080_replies.sql,
 * docs/suppressions.md). The rule "is this recipient suppressed for this workspace" lives in
 * SUPPRESSED_SQL and nowhere else: the claim's message read, the send checks and the API all
 * expand it. */
#ifndef LC_STORE_SUPPRESSIONS_H
#define LC_STORE_SUPPRESSIONS_H

#include <stdint.h>
#include "db/db.h"
#include "db/store_window.h"

/* SUPPRESSED_SQL(ACCT, WS, EMAIL, EMAIL2) is an SQL expression counting the list entries that
 * stop mail to EMAIL from workspace WS of account ACCT: the address itself or its domain, on
 * the workspace's list or the account's (workspace_id 0). ACCT and WS are SQL column names
 * (each is used twice); EMAIL and EMAIL2 are the same value, a column or "?" (bound twice).
 * Two subqueries, each a lookup of the primary key (account_id, email, workspace_id) of at
 * most two rows: as one "email IN (address, domain)" MariaDB reads every entry of the account
 * when the subquery is correlated (EXPLAIN in docs/suppressions.md). */
#define SUPPRESSED_SQL(ACCT, WS, EMAIL, EMAIL2)                                                    \
	"((SELECT COUNT(*) FROM suppressions s WHERE s.account_id = " ACCT " AND s.email = " EMAIL \
	" AND s.workspace_id IN (0, " WS ")) + (SELECT COUNT(*) FROM suppressions s "              \
	"WHERE s.account_id = " ACCT " AND s.email = SUBSTRING_INDEX(" EMAIL2 ", '@', -1) "        \
	"AND s.workspace_id IN (0, " WS ")))"

/* Columns of a listed entry. */
enum {
	SUP_COL_EMAIL,
	SUP_COL_KIND,
	SUP_COL_WORKSPACE,
	SUP_COL_REASON,
	SUP_COL_SOURCE,
	SUP_COL_BY,
	SUP_COL_CREATED,
	SUP_COL_WS_PUBLIC,
	SUP_COL_ID,
	SUP_NCOLS
};

struct store_suppression_new {
	int64_t account_id, workspace_id; /* workspace 0: account-wide */
	const char *value;                /* normalised address or domain */
	unsigned kind;                    /* 0 address, 1 domain */
	const char *reason, *source, *created_by, *now_sql;
};
/* store_suppression_insert adds an entry; *created is 0 when it was there already (then
 * nothing changes: the first reason and source stay). */
lc_err store_suppression_insert(struct db *db, const struct store_suppression_new *n, int *created);
/* store_suppression_get reads the entry (value, workspace or 0) of the account, or no row. */
lc_err store_suppression_get(struct db *db, int64_t account_id, int64_t workspace_id,
    const char *value, struct db_rows *out);
/* store_suppression_delete removes one entry; *deleted 0 when there was none. */
lc_err store_suppression_delete(
    struct db *db, int64_t account_id, int64_t workspace_id, const char *value, int *deleted);

struct store_suppression_filter {
	int64_t account_id, workspace_id;
	int scope;             /* -1 both lists, 0 the workspace's, 1 the account's */
	struct store_window w; /* the page: cursor and rows to read */
};
/* store_suppression_list lists the entries that apply to the workspace, newest first, read
 * along ix_suppressions_list (one range per list). */
lc_err store_suppression_list(
    struct db *db, const struct store_suppression_filter *f, struct db_rows *out);

/* store_account_of reads a workspace's account id and its unsubscribe_suppresses_domain
 * policy (columns 0, 1), or no row. */
lc_err store_suppression_policy(struct db *db, int64_t workspace_id, struct db_rows *out);

#endif
