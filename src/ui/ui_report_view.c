/* ui_report_view.c: the report as a page context and as a CSV answer (ui_report_view.h). */
#include <stdio.h>
#include <string.h>

#include "core/placements.h"
#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_labels.h"
#include "ui/ui_report_view.h"
#include "util/buf.h"
#include "util/timefmt.h"

/* The rows of one page stay within this many bytes of HTML, so that the page fits
 * ui.c's page limit (2 MiB) with the layout and the share links around it whatever the
 * URLs and anchors hold; rows past it are in the CSV. */
#define ROWS_HTML_BUDGET ((size_t)1536 * 1024)
#define ROW_HTML_FIXED 900 /* the markup of one row around its values */

static size_t slen(const char *s);
static size_t row_cost(const struct report_row *it);

/* The verdicts in words, for people; the CSV and the API keep the names. */
static const char *const verdict_label[RV_N] = {
    "Live", "Live, with issues", "Missing", "Unverifiable", "Lost", "Not checked yet"};

static size_t
slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* row_cost bounds the HTML of one row: every value escaped at worst ("&" is "&amp;", 5
 * bytes for 1), the campaign's id twice (its link), the issues' words (at most 4 bytes for
 * a byte of their identifiers: ui_labels.c) and the fixed markup. */
static size_t
row_cost(const struct report_row *it)
{
	return ROW_HTML_FIXED +
	       5 * (slen(it->link_url) + slen(it->domain) + slen(it->anchor) + slen(it->rel) +
	               4 * slen(it->issues) + slen(it->expected_anchor) + slen(it->campaign_name) +
	               2 * slen(it->campaign_id));
}

static json_t *
funnel_json(const struct report *r)
{
	char reply[16], place[16];

	ui_rate(r->reply_rate, reply);
	ui_rate(r->placement_rate, place);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s}", "campaigns",
	    (json_int_t)r->campaigns, "drafted", (json_int_t)r->drafted, "sent",
	    (json_int_t)r->sent, "delivered", (json_int_t)r->delivered, "opened",
	    (json_int_t)r->opened, "replied", (json_int_t)r->replied, "placed",
	    (json_int_t)r->placed, "reply_rate", reply, "placement_rate", place);
}

static json_t *
row_json(const struct report_row *it, const char *ws_id, int public)
{
	char checked[32], guarantee[32], href[256];
	json_t *o;

	ui_time(it->checked_ms, checked);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", it->id, "domain", it->domain, "url",
	    it->link_url, "verdict", report_verdict_name(it->verdict), "verdict_label",
	    verdict_label[it->verdict], "checked", checked, "campaign",
	    it->campaign_name ? it->campaign_name : it->campaign_id);
	if (o == NULL)
		return NULL;
	/* a followed link is what everyone expects unless told otherwise: only say so then */
	if (strcmp(it->expected_rel, "follow") != 0)
		json_object_set_new(o, "expected_rel", json_string(it->expected_rel));
	if (!public && ws_id) {
		snprintf(
		    href, sizeof(href), "/app/w/%s/campaigns/%s/report", ws_id, it->campaign_id);
		json_object_set_new(o, "campaign_href", json_string(href));
	}
	if (it->guarantee_ms >= 0) {
		ui_time(it->guarantee_ms, guarantee);
		json_object_set_new(o, "guarantee", json_string(guarantee));
	}
	if (it->issues && it->issues[0]) {
		char words[PLACEMENT_ISSUES_MAX * 4];

		ui_labels_join(it->issues, words, sizeof(words));
		ui_set_str(o, "issues", words);
	}
	ui_set_str(o, "expected_anchor", it->expected_anchor);
	if (it->anchor) {
		json_object_set_new(o, "found", json_true());
		ui_set_str(o, "anchor", it->anchor[0] ? it->anchor : NULL);
		ui_set_str(o, "rel", it->rel && it->rel[0] ? it->rel : NULL);
	}
	return o;
}

int
ui_report_fill(json_t *page, const struct report *r, const char *ws_id, int public)
{
	json_t *rows = json_array(), *verdicts = json_array(), *f = funnel_json(r);
	char generated[32];
	size_t i, spent = 0;

	if (rows == NULL || verdicts == NULL || f == NULL)
		goto fail;
	for (i = 0; i < RV_N; i++) {
		json_t *v = json_pack("{s:s,s:s,s:I}", "name", report_verdict_name((unsigned)i),
		    "label", verdict_label[i], "count", (json_int_t)r->verdicts[i]);
		if (v == NULL || json_array_append_new(verdicts, v) != 0)
			goto fail;
	}
	for (i = 0; i < r->n; i++) {
		json_t *o;

		if ((spent += row_cost(&r->items[i])) > ROWS_HTML_BUDGET)
			break;
		if ((o = row_json(&r->items[i], ws_id, public)) == NULL ||
		    json_array_append_new(rows, o) != 0)
			goto fail;
	}
	if (i < r->n) {
		json_object_set_new(page, "cut", json_true());
		json_object_set_new(page, "shown", json_integer((json_int_t)i));
		json_object_set_new(page, "read", json_integer((json_int_t)r->n));
	}
	ui_time(now_ms(), generated);
	json_object_set_new(page, "generated", json_string(generated));
	json_object_set_new(page, "report", json_true());
	json_object_set_new(page, "funnel", f);
	json_object_set_new(page, "verdicts", verdicts);
	json_object_set_new(page, "rows", rows);
	json_object_set_new(page, "has_rows", json_boolean(r->n > 0));
	json_object_set_new(page, "no_campaigns", json_boolean(r->campaigns == 0));
	json_object_set_new(page, "truncated", json_boolean(r->truncated));
	json_object_set_new(page, "rows_max", json_integer(REPORT_ROWS_MAX));
	json_object_set_new(page, "all_campaigns", json_boolean(r->campaign_id == NULL));
	json_object_set_new(page, "public", json_boolean(public));
	ui_set_str(page, "campaign_id", r->campaign_id);
	ui_set_str(page, "campaign_name", r->campaign_name);
	ui_set_str(page, "target", r->target_url);
	return 0;
fail:
	json_decref(rows);
	json_decref(verdicts);
	json_decref(f);
	return -1;
}

void
ui_report_send_csv(struct http_ctx *ctx, const struct report *r, const char *extra_headers)
{
	struct buf out;
	char headers[512];
	lc_err e;

	buf_init(&out, REPORT_CSV_MAX);
	if ((e = report_csv(r, &out)) != LC_OK) {
		buf_free(&out);
		ui_fail(ctx, e);
		return;
	}
	/* the file is named after the scope's public id: no name typed by anyone goes into a
	 * header */
	snprintf(headers, sizeof(headers),
	    "Content-Disposition: attachment; filename=\"report-%s.csv\"\r\n%s%s",
	    r->campaign_id ? r->campaign_id : "workspace",
	    r->truncated ? "X-Linkcamp-Truncated: true\r\n" : "",
	    extra_headers ? extra_headers : "");
	http_send(
	    ctx->req, 200, "text/csv; charset=utf-8", headers, out.data ? out.data : "", out.len);
	buf_free(&out);
}
