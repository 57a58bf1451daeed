/* campaigns.c: reading and creating campaigns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/like.h"
#include "core/sending.h"
#include "core/validate.h"
#include "core/paging.h"
#include "db/store_campaigns.h"
#include "util/timefmt.h"

#define LIKE_MAX 1024

static void campaign_from_row(const struct db_rows *, size_t, void *);

/* campaign_from_row: a campaign row (a list's columns or all) as the struct campaign at item
 * (a page_spec reader) */
static void
campaign_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct campaign *c = item;

	memset(c, 0, sizeof(*c));
	c->id = db_i64(r, i, CMP_COL_ID);
	c->public_id = db_str(r, i, CMP_COL_PUBLIC);
	c->type = (unsigned)db_i64(r, i, CMP_COL_TYPE);
	c->name = db_str(r, i, CMP_COL_NAME);
	c->created_ms = db_ms(r, i, CMP_COL_CREATED);
	c->status = (unsigned)db_i64(r, i, CMP_COL_STATUS);
	c->drafts = db_i64(r, i, CMP_COL_DRAFTS);
	c->sent = db_i64(r, i, CMP_COL_SENT);
	c->replied = db_i64(r, i, CMP_COL_REPLIED);
	c->placed = db_i64(r, i, CMP_COL_PLACED);
	c->opened = db_i64(r, i, CMP_COL_OPENED);
	c->paused_ms = -1;
	if (r->ncols < CMP_COL_NCOLS)
		return; /* a list item: the detail columns were not asked for */
	c->target_url = db_str(r, i, CMP_COL_TARGET);
	c->sender = db_str(r, i, CMP_COL_SENDER);
	c->updated_ms = db_ms(r, i, CMP_COL_UPDATED);
	c->delivered = db_i64(r, i, CMP_COL_DELIVERED);
	c->paused_ms = db_ms(r, i, CMP_COL_PAUSED_AT);
	c->pause_reason = db_str(r, i, CMP_COL_PAUSE_REASON);
	c->pending_approvals = db_i64(r, i, CMP_COL_PENDING);
}

static const struct page_spec spec = {
    sizeof(struct campaign), campaign_from_row, PAGE_KEY(struct campaign, created_ms, id)};

lc_err
campaigns_list(struct core *core, const struct principal *who, const struct campaign_query *q,
    struct page *page)
{
	struct store_campaign_filter f = {.workspace_id = who->workspace_id}; /* the rest 0 */
	char since[TIME_SQL_LEN], before[TIME_SQL_LEN], like[LIKE_MAX];
	lc_err e;

	memset(page, 0, sizeof(*page));
	f.type_mask = q->type_mask ? q->type_mask : (1u << CAMPAIGN_NTYPES) - 1;
	f.status_mask = q->status_mask ? q->status_mask : (1u << CSTATUS_N) - 1;
	sqltime_format(q->since_ms >= 0 ? q->since_ms : 0, since);
	f.since_sql = since;
	f.has_since = q->since_ms >= 0;
	if (q->q) {
		if (like_contains(q->q, like, sizeof(like)) != 0)
			return LC_EINVAL;
		f.q_like = like;
	}
	page_window(&f.w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	/* the page's rows carry its total; only an empty page asks for it on its own */
	if ((e = store_campaign_list(core->db, &f, &page->rows)) != LC_OK)
		goto fail;
	if (page->rows.nrows > 0)
		page->total = db_i64(&page->rows, 0, CMP_COL_LIST_TOTAL);
	else if ((e = store_campaign_count(core->db, &f, &page->total)) != LC_OK)
		goto fail;
	if ((e = page_build(page, q->limit, &spec)) == LC_OK)
		return LC_OK;
fail:
	page_free(page);
	return e;
}

lc_err
campaigns_get(struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!campaign_id_valid(public_id))
		return LC_ENOTFOUND;
	if ((e = store_campaign_get(core->db, who->workspace_id, public_id, &v->rows)) != LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK)
		page_free(v);
	return e;
}

lc_err
campaigns_get_detail(struct core *core, const struct principal *who, const char *public_id,
    struct page *v, const char **ids, size_t max, size_t *n)
{
	char *list, *save = NULL, *id;
	lc_err e;

	memset(v, 0, sizeof(*v));
	*n = 0;
	if (!campaign_id_valid(public_id))
		return LC_ENOTFOUND;
	if ((e = store_campaign_get_detail(core->db, who->workspace_id, public_id, &v->rows)) !=
	        LC_OK ||
	    (e = page_one(v, &spec)) != LC_OK) {
		page_free(v);
		return e;
	}
	/* the row's own copy of the list is split in place: the ids point into it */
	list = v->rows.cell[CMP_COL_MAILBOX_IDS];
	if (list == NULL || v->rows.null[CMP_COL_MAILBOX_IDS])
		return LC_OK;
	for (id = strtok_r(list, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		if (*n == max) {
			page_free(v);
			return LC_ENOMEM;
		}
		ids[(*n)++] = id;
	}
	return LC_OK;
}

lc_err
campaigns_filter_id(
    struct core *core, const struct principal *who, const char *public_id, int64_t *id, int *none)
{
	struct page v;
	lc_err e;

	*id = 0;
	*none = 0;
	if (public_id == NULL)
		return LC_OK; /* no filter: any campaign */
	e = campaigns_get(core, who, public_id, &v);
	if (e == LC_ENOTFOUND) {
		*none = 1;
		return LC_OK;
	}
	if (e != LC_OK)
		return e;
	*id = ((const struct campaign *)v.items)->id;
	page_free(&v);
	return LC_OK;
}
