/* report.c: reading the client's report and writing it as CSV (report.h,
 * docs/report.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/placements.h"
#include "core/report.h"
#include "db/store_placements.h"
#include "db/store_report.h"
#include "util/csv.h"
#include "util/timefmt.h"

static void rel_tokens(char *cell);
static unsigned row_verdict(const struct db_rows *r, size_t i);

const char *
report_verdict_name(unsigned v)
{
	static const char *const names[RV_N] = {
	    "live", "live_with_issues", "missing", "unverifiable", "lost", "pending"};

	return v < RV_N ? names[v] : "pending";
}

/* rel_tokens rewrites a rel cell, the JSON array text of the link's rel tokens
 * (["nofollow","sponsored"]), in place as the tokens separated by spaces. The result is
 * never longer than the text it replaces. A cell that is not such an array becomes "". */
static void
rel_tokens(char *cell)
{
	json_t *a = json_loads(cell, JSON_REJECT_DUPLICATES, NULL);
	size_t i, used = 0, cap = strlen(cell);
	json_t *t;

	cell[0] = '\0';
	if (!json_is_array(a)) {
		json_decref(a);
		return;
	}
	json_array_foreach(a, i, t)
	{
		const char *s = json_string_value(t);
		size_t len = s ? strlen(s) : 0;

		/* a token is written with at most one separator; its quotes in the JSON text
		 * were two bytes, so the rewrite stays inside the cell */
		if (len == 0 || used + len + (used ? 1 : 0) > cap)
			continue;
		if (used)
			cell[used++] = ' ';
		memcpy(cell + used, s, len);
		used += len;
		cell[used] = '\0';
	}
	json_decref(a);
}

static unsigned
row_verdict(const struct db_rows *r, size_t i)
{
	long long v;

	if (db_i64(r, i, RPR_COL_STATUS) == PL_LOST)
		return RV_LOST;
	if (db_isnull(r, i, RPR_COL_VERDICT))
		return RV_PENDING;
	v = db_i64(r, i, RPR_COL_VERDICT);
	switch (v) {
	case PV_LIVE: return RV_LIVE;
	case PV_LIVE_ISSUES: return RV_LIVE_ISSUES;
	case PV_MISSING: return RV_MISSING;
	default: return RV_UNVERIFIABLE;
	}
}

lc_err
report_read(
    struct core *core, const struct principal *who, const char *campaign_public, struct report *out)
{
	struct db_rows f;
	int64_t campaign_id = 0;
	size_t i;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (campaign_public) {
		if ((e = store_report_campaign(
		         core->db, who->workspace_id, campaign_public, &out->campaign)) != LC_OK)
			return e;
		if (out->campaign.nrows != 1)
			return LC_ENOTFOUND;
		campaign_id = db_i64(&out->campaign, 0, RPC_COL_ID);
		out->campaign_id = db_str(&out->campaign, 0, RPC_COL_PUBLIC);
		out->campaign_name = db_str(&out->campaign, 0, RPC_COL_NAME);
		out->target_url = db_str(&out->campaign, 0, RPC_COL_TARGET);
	}
	if ((e = store_report_funnel(core->db, who->workspace_id, campaign_id, &f)) != LC_OK)
		return e;
	if (f.nrows == 1) {
		out->campaigns = db_i64(&f, 0, RPF_COL_CAMPAIGNS);
		out->drafted = db_i64(&f, 0, RPF_COL_DRAFTED);
		out->sent = db_i64(&f, 0, RPF_COL_SENT);
		out->delivered = db_i64(&f, 0, RPF_COL_DELIVERED);
		out->opened = db_i64(&f, 0, RPF_COL_OPENED);
		out->replied = db_i64(&f, 0, RPF_COL_REPLIED);
		out->placed = db_i64(&f, 0, RPF_COL_PLACED);
	}
	db_rows_free(&f);
	out->reply_rate = metrics_rate(out->replied, out->sent);
	out->placement_rate = metrics_rate(out->placed, out->sent);

	/* one row more than shown says whether there are more */
	if ((e = store_report_rows(core->db, who->workspace_id, campaign_id, 0, REPORT_ROWS_MAX + 1,
	         &out->rows)) != LC_OK)
		return e;
	out->truncated = out->rows.nrows > REPORT_ROWS_MAX;
	out->n = out->truncated ? REPORT_ROWS_MAX : out->rows.nrows;
	if (out->n == 0)
		return LC_OK;
	if ((out->items = calloc(out->n, sizeof(*out->items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < out->n; i++) {
		const struct db_rows *r = &out->rows;
		struct report_row *it = &out->items[i];
		int rel = db_isnull(r, i, RPR_COL_EXP_REL) ? PL_REL_FOLLOW
		                                           : (int)db_i64(r, i, RPR_COL_EXP_REL);

		it->id = db_str(r, i, RPR_COL_PUBLIC);
		it->link_url = db_str(r, i, RPR_COL_URL);
		it->domain = db_str(r, i, RPR_COL_DOMAIN);
		it->campaign_id = db_str(r, i, RPR_COL_CAMPAIGN_PUBLIC);
		it->campaign_name = db_str(r, i, RPR_COL_CAMPAIGN_NAME);
		it->issues = db_str(r, i, RPR_COL_ISSUES);
		if (it->issues && it->issues[0] == '\0')
			it->issues = NULL;
		it->expected_anchor = db_str(r, i, RPR_COL_EXP_ANCHOR);
		it->expected_rel = placement_rel_name(rel) ? placement_rel_name(rel) : "follow";
		it->verdict = row_verdict(r, i);
		it->checked_ms = db_ms(r, i, RPR_COL_CHECKED);
		it->guarantee_ms = db_ms(r, i, RPR_COL_GUARANTEE);
		/* anchor and rel describe a link the last check found: none when it found none */
		if (!db_isnull(r, i, RPR_COL_ANCHOR) || !db_isnull(r, i, RPR_COL_REL)) {
			it->anchor = db_str(r, i, RPR_COL_ANCHOR);
			if (it->anchor == NULL)
				it->anchor = "";
			if (!db_isnull(r, i, RPR_COL_REL)) {
				rel_tokens(r->cell[i * r->ncols + RPR_COL_REL]);
				it->rel = db_str(r, i, RPR_COL_REL);
			} else {
				it->rel = "";
			}
		}
		out->verdicts[it->verdict]++;
	}
	return LC_OK;
}

void
report_free(struct report *r)
{
	db_rows_free(&r->rows);
	db_rows_free(&r->campaign);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

lc_err
report_csv(const struct report *r, struct buf *out)
{
	char checked[TIME_RFC3339_LEN], guarantee[TIME_RFC3339_LEN];
	size_t i;
	lc_err e;

	/* a byte-order mark first: spreadsheet programs otherwise read UTF-8 as Latin-1 */
	if ((e = buf_puts(out, "\xEF\xBB\xBF")) != LC_OK ||
	    (e = buf_puts(out,
	         "campaign_id,campaign,domain,link_url,verdict,issues,anchor,rel,"
	         "expected_anchor,expected_rel,last_checked_at,guarantee_until\r\n")) != LC_OK)
		return e;
	for (i = 0; i < r->n; i++) {
		const struct report_row *it = &r->items[i];

		checked[0] = guarantee[0] = '\0';
		if (it->checked_ms >= 0)
			rfc3339_format(it->checked_ms, checked);
		if (it->guarantee_ms >= 0)
			rfc3339_format(it->guarantee_ms, guarantee);
		if ((e = csv_cell(out, it->campaign_id, 0)) != LC_OK ||
		    (e = csv_cell(out, it->campaign_name, 0)) != LC_OK ||
		    (e = csv_cell(out, it->domain, 0)) != LC_OK ||
		    (e = csv_cell(out, it->link_url, 0)) != LC_OK ||
		    (e = csv_cell(out, report_verdict_name(it->verdict), 0)) != LC_OK ||
		    (e = csv_cell(out, it->issues, 0)) != LC_OK ||
		    (e = csv_cell(out, it->anchor, 0)) != LC_OK ||
		    (e = csv_cell(out, it->rel, 0)) != LC_OK ||
		    (e = csv_cell(out, it->expected_anchor, 0)) != LC_OK ||
		    (e = csv_cell(out, it->expected_rel, 0)) != LC_OK ||
		    (e = csv_cell(out, checked, 0)) != LC_OK ||
		    (e = csv_cell(out, guarantee, 1)) != LC_OK)
			return e;
	}
	return LC_OK;
}
