/* ui_unsubscribe.c: GET /u/<token> asks (and changes nothing); POST /u/<token> is the
 * RFC 8058 one-click unsubscribe: no cookie, no CSRF token (mail clients post it without
 * one), no redirect, 200. */
#include <string.h>

#include "core/sending.h"
#include "http/dispatch.h"
#include "ui/ui.h"

static void answer(struct http_ctx *, int);

static void
answer(struct http_ctx *ctx, int apply)
{
	struct unsub_view v;
	json_t *page;
	lc_err e;

	e = apply ? unsubscribe_apply(ctx->core, ctx->match.captures[0], &v)
	          : unsubscribe_lookup(ctx->core, ctx->match.captures[0], &v);
	if (e == LC_ENOTFOUND) {
		page = json_pack("{s:s}", "title", "Link not found");
		ui_page(ctx->core, ctx->req, 404, "unsubscribe_unknown", page);
		json_decref(page);
		return;
	}
	if (e != LC_OK) {
		page = json_pack("{s:s}", "title", "Please try again");
		ui_page(ctx->core, ctx->req, e == LC_EDBDOWN ? 503 : 500, "unavailable", page);
		json_decref(page);
		return;
	}
	page = json_pack("{s:s,s:s,s:s,s:b,s:b}", "title",
	    apply ? "You are unsubscribed" : "Unsubscribe", "email", v.email, "sender", v.sender,
	    "done", apply || v.already, "ask", !apply && !v.already);
	ui_page(ctx->core, ctx->req, 200, "unsubscribe", page);
	json_decref(page);
}

void
ui_unsubscribe_get(void *arg)
{
	answer(arg, 0);
}

void
ui_unsubscribe_post(void *arg)
{
	answer(arg, 1);
}
