/* workspaces.c: an agency's workspaces, for GET /v1/workspaces and for choosing the
 * workspaces of a bulk action. Every read is bounded by the account's workspaces (an
 * index range) and a few counter rows per workspace; nothing counts history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/paging.h"
#include "db/store_accounts.h"
#include "db/store_workspaces.h"
#include "util/timefmt.h"

static void item_from_row(const struct db_rows *, size_t, void *);

static const struct page_spec spec = {
    sizeof(struct workspace_info), item_from_row, PAGE_KEY(struct workspace_info, created_ms, id)};

static void
item_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct workspace_info *w = item;

	w->id = db_i64(r, i, WSP_COL_ID);
	w->public_id = db_str(r, i, WSP_COL_PUBLIC);
	w->name = db_str(r, i, WSP_COL_NAME);
	w->created_ms = db_ms(r, i, WSP_COL_CREATED);
	w->credits_balance = db_i64(r, i, WSP_COL_BALANCE);
	w->credits_reserved = db_i64(r, i, WSP_COL_RESERVED);
	w->relationships = db_i64(r, i, WSP_COL_RELATIONSHIPS);
	w->campaigns = db_i64(r, i, WSP_COL_CAMPAIGNS);
	w->active_campaigns = db_i64(r, i, WSP_COL_ACTIVE);
}

lc_err
workspaces_list(struct core *core, const struct principal *who, unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id, struct page *page)
{
	struct store_window w;
	char before[TIME_SQL_LEN];
	lc_err e;

	memset(page, 0, sizeof(*page));
	if (!who->account_key)
		return LC_EFORBIDDEN;
	page_window(&w, before, limit, has_cursor, cursor_ms, cursor_id);
	if ((e = store_workspace_page(core->db, who->account_id, &w, &page->rows)) != LC_OK ||
	    (e = store_workspace_count(core->db, who->account_id, &page->total)) != LC_OK ||
	    (e = page_build(page, limit, &spec)) != LC_OK)
		page_free(page);
	return e;
}

lc_err
workspaces_principal(
    struct core *core, const struct principal *who, const char *public_id, struct principal *out)
{
	struct db_rows r;
	lc_err e;

	if (!who->account_key)
		return LC_EFORBIDDEN;
	if (!id_has_shape("ws_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_workspace_by_public(core->db, who->account_id, public_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	workspaces_principal_of(who, db_i64(&r, 0, WS_COL_ID), public_id, out);
	db_rows_free(&r);
	return LC_OK;
}

void
workspaces_principal_of(
    const struct principal *who, int64_t workspace_id, const char *public_id, struct principal *out)
{
	*out = *who;
	out->workspace_id = workspace_id;
	snprintf(out->workspace_public, sizeof(out->workspace_public), "%s", public_id);
}
