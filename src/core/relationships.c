/* relationships.c: the CRM read side — prospects across the workspace's campaigns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/like.h"
#include "core/validate.h"
#include "core/paging.h"
#include "db/store_relationships.h"
#include "util/timefmt.h"

#define LIKE_MAX 1024

void
relationship_from_row(const struct db_rows *rows, size_t i, struct relationship *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_i64(rows, i, REL_COL_ID);
	r->public_id = db_str(rows, i, REL_COL_PUBLIC);
	r->campaign_public_id = db_str(rows, i, REL_COL_CAMPAIGN_PUBLIC);
	r->campaign_id = db_i64(rows, i, REL_COL_CAMPAIGN_ID);
	r->domain = db_str(rows, i, REL_COL_DOMAIN);
	r->contact_name = db_str(rows, i, REL_COL_NAME);
	r->contact_email = db_str(rows, i, REL_COL_EMAIL);
	r->status = (unsigned)db_i64(rows, i, REL_COL_STATUS);
	r->link_url = db_str(rows, i, REL_COL_LINK);
	r->last_contacted_ms = db_ms(rows, i, REL_COL_LAST_CONTACTED);
	r->last_reply_ms = db_ms(rows, i, REL_COL_LAST_REPLY);
	r->created_ms = db_ms(rows, i, REL_COL_CREATED);
}

static void
item_from_row(const struct db_rows *rows, size_t i, void *item)
{
	relationship_from_row(rows, i, item);
}

static const struct page_spec spec = {
    sizeof(struct relationship), item_from_row, PAGE_KEY(struct relationship, created_ms, id)};

lc_err
relationships_list(
    struct core *core, const struct principal *who, const struct rel_query *q, struct page *page)
{
	struct store_rel_filter f = {.workspace_id = who->workspace_id}; /* the rest 0 */
	char cutoff[TIME_SQL_LEN], before[TIME_SQL_LEN], like[LIKE_MAX];
	int none;
	lc_err e;

	memset(page, 0, sizeof(*page));
	if ((e = campaigns_filter_id(core, who, q->campaign_id, &f.campaign_id, &none)) != LC_OK ||
	    none)
		return e; /* none: the filter names no campaign, so the page is empty */
	f.domain = q->domain;
	f.status_mask = q->status_mask ? q->status_mask : (1u << REL_NSTATUS) - 1;
	sqltime_format(now_ms() - (int64_t)core->no_response_days * 86400000, cutoff);
	f.no_response_before_sql = cutoff;
	if (q->q) {
		if (like_contains(q->q, like, sizeof(like)) != 0)
			return LC_EINVAL;
		f.q_like = like;
	}
	page_window(&f.w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	if ((e = store_rel_list(core->db, &f, &page->rows)) != LC_OK ||
	    (e = store_rel_count(core->db, &f, &page->total)) != LC_OK ||
	    (e = page_build(page, q->limit, &spec)) != LC_OK)
		page_free(page);
	return e;
}

lc_err
relationships_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	char cutoff[TIME_SQL_LEN];
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!id_has_shape("rel_", public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	sqltime_format(now_ms() - (int64_t)core->no_response_days * 86400000, cutoff);
	if ((e = store_rel_get(core->db, who->workspace_id, public_id, cutoff, &v->rows)) !=
	        LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK)
		page_free(v);
	return e;
}
