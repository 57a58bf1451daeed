/* ui_report_public.c: the report behind a share link, for people without an account
 * (docs/report.md). The link's token is the only credential: report_share_open checks
 * it, and a malformed, unknown, revoked or expired link gets one and the same 404 page,
 * so nobody learns from the answer whether a link ever existed. The page is read-only
 * and has no way into the app (no navigation, no forms); it is kept out of search
 * engines and shared caches, and sends no Referer, so the address does not travel. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_report_view.h"

/* Beside ui.c's page headers (Referrer-Policy: no-referrer among them) and http_send's
 * Cache-Control: no-store. */
#define PUBLIC_HEADERS "X-Robots-Tag: noindex, nofollow, noarchive\r\n"

static void gone(struct http_ctx *ctx);
static int open_report(struct http_ctx *ctx, struct report *r, char ws_name[REPORT_WS_NAME_MAX]);

static void
gone(struct http_ctx *ctx)
{
	json_t *page = json_pack("{s:s,s:b}", "title", "Report not available", "noindex", 1);

	ui_render(ctx, 404, "report_gone", page, PUBLIC_HEADERS);
}

/* open_report checks the path's token and reads its report; -1 after answering. */
static int
open_report(struct http_ctx *ctx, struct report *r, char ws_name[REPORT_WS_NAME_MAX])
{
	const char *token = ctx->match.captures[0];
	struct principal who;
	char campaign[ID_MAX];
	lc_err e;

	memset(r, 0, sizeof(*r));
	e = report_share_open(ctx->core, token, strlen(token), &who, ws_name, campaign);
	if (e == LC_OK)
		e = report_read(ctx->core, &who, campaign[0] ? campaign : NULL, r);
	if (e == LC_ENOTFOUND) {
		gone(ctx);
		return -1;
	}
	if (e != LC_OK) {
		ui_fail(ctx, e);
		return -1;
	}
	return 0;
}

void
ui_report_public_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct report r;
	char ws_name[REPORT_WS_NAME_MAX], title[300], href[256];
	json_t *page;

	if (open_report(ctx, &r, ws_name) != 0) {
		report_free(&r);
		return;
	}
	snprintf(
	    title, sizeof(title), "Link report · %s", r.campaign_name ? r.campaign_name : ws_name);
	/* the token passed report_share_open's shape check: URL-safe characters only */
	snprintf(href, sizeof(href), "/r/%s/export", ctx->match.captures[0]);
	page = json_pack("{s:s,s:b,s:b,s:s,s:s}", "title", title, "wide", 1, "noindex", 1,
	    "ws_name", ws_name, "export_href", href);
	if (page && ui_report_fill(page, &r, NULL, 1) != 0) {
		json_decref(page);
		page = NULL;
	}
	report_free(&r);
	ui_render(ctx, 200, "report", page, PUBLIC_HEADERS);
}

void
ui_report_public_export(void *arg)
{
	struct http_ctx *ctx = arg;
	struct report r;
	char ws_name[REPORT_WS_NAME_MAX];

	if (open_report(ctx, &r, ws_name) == 0)
		ui_report_send_csv(ctx, &r, PUBLIC_HEADERS "Referrer-Policy: no-referrer\r\n");
	report_free(&r);
}
