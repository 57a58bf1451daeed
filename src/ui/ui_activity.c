/* ui_activity.c: the workspace's log of approval decisions (approval_decisions), newest
 * first: who decided what, when, with which reason and whether they edited. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "util/cursor.h"

#define ACTIVITY_PAGE 50

void
ui_activity_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct decision_page d;
	const char *cursor = query_get(&ctx->query, "cursor");
	int64_t cms = 0, cid = 0;
	char next[256];
	json_t *page, *items;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	if (cursor && cursor_decode(cursor, strlen(cursor), &cms, &cid) != LC_OK) {
		ui_error(ctx, 400, "Bad page", "This page link is not one the site made.", NULL);
		return;
	}
	if ((e = decisions_list(ctx->core, &w.who, ACTIVITY_PAGE, cursor != NULL, cms, cid, &d)) !=
	    LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	page = ui_ctx_new(&u, &w, "Activity");
	items = json_array();
	for (i = 0; items && i < d.n; i++) {
		const struct decision_entry *x = &d.items[i];
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "decision",
		    decision_kind_name(x->decision), "by",
		    x->user_email ? x->user_email : x->decided_by, "message_id",
		    x->message_public_id, "subject", x->subject, "to", x->to, "campaign_id",
		    x->campaign_public_id, "campaign_name", x->campaign_name, "edited_subject",
		    x->edited_subject, "edited_body", x->edited_body, "edited",
		    x->edited_subject || x->edited_body);
		if (o == NULL)
			continue;
		ui_set_time(o, "at", x->at_ms);
		ui_set_str(o, "to_name", x->to_name && x->to_name[0] ? x->to_name : NULL);
		ui_set_str(o, "reason", x->reason);
		json_array_append_new(items, o);
	}
	if (page) {
		json_object_set_new(page, "items", items ? items : json_array());
		json_object_set_new(page, "empty", json_boolean(d.n == 0));
		if (d.has_next) {
			snprintf(next, sizeof(next), "/app/w/%s/activity?cursor=%s",
			    w.who.workspace_public, d.next_cursor);
			json_object_set_new(page, "next", json_string(next));
		}
	} else {
		json_decref(items);
	}
	decision_page_free(&d);
	ui_render(ctx, 200, "activity", page, NULL);
}
