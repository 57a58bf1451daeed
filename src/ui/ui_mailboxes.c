/* ui_mailboxes.c: the list of the workspace's sender mailboxes (docs/mailboxes.md), read
 * by every role; each links to its own page (ui_mailbox_edit.c), where an admin changes
 * it. Mailboxes are added through the API or the CLI. The page shows no password, only
 * whether one is set. */
#include <stdio.h>
#include <string.h>

#include "core/mailbox.h"
#include "core/mailbox_imap.h"
#include "ui/ui.h"
#include "ui/ui_app.h"

void
ui_mailboxes_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct page l, imap;
	const struct mailbox_view *views;
	struct imap_view iv;
	json_t *page, *items, *o;
	char server[300];
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	memset(&imap, 0, sizeof(imap));
	if ((e = mailboxes_list(ctx->core, &w.who, &l)) != LC_OK ||
	    (e = mailbox_imap_list(ctx->core, w.who.workspace_id, &imap)) != LC_OK) {
		page_free(&imap);
		page_free(&l);
		ui_fail(ctx, e);
		return;
	}
	views = l.items;
	page = ui_ctx_new(&u, &w, "Mailboxes");
	items = json_array();
	for (i = 0; items && i < l.n; i++) {
		const struct mailbox_view *v = &views[i];
		snprintf(server, sizeof(server), "%s:%u", v->host, v->port);
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:b}", "id", v->public_id,
		    "from_address", v->from_address, "server", server, "security",
		    mailbox_security_name(v->security), "username", v->username, "daily_cap",
		    (json_int_t)v->daily_cap, "sent_today", (json_int_t)v->sent_today, "paused",
		    v->status == MBX_PAUSED, "password_set", v->password_set);
		if (o) {
			ui_set_str(o, "from_name", v->from_name);
			ui_set_str(o, "reply_to", v->reply_to);
			ui_set_str(o, "paused_reason", v->paused_reason);
			if (v->status == MBX_PAUSED && v->paused_ms >= 0)
				ui_set_time(o, "paused_at", v->paused_ms);
			/* IMAP (docs/imap.md): where replies are read from and how that goes */
			if (mailbox_imap_find(&imap, v->id, &iv)) {
				snprintf(server, sizeof(server), "%s:%u", iv.host, iv.port);
				ui_set_str(o, "imap_server", server);
				ui_set_str(o, "imap_status", imap_state_name(iv.state));
				json_object_set_new(o, "imap_trouble",
				    json_boolean(
				        iv.state == IMAP_ERROR || iv.state == IMAP_AUTH_FAILED));
				ui_set_str(o, "imap_error", iv.last_error);
				if (iv.last_sync_ms >= 0)
					ui_set_time(o, "imap_synced_at", iv.last_sync_ms);
			}
			json_array_append_new(items, o);
		}
	}
	if (page) {
		json_object_set_new(page, "items", items ? items : json_array());
		json_object_set_new(page, "empty", json_boolean(l.n == 0));
		json_object_set_new(page, "total", json_integer((json_int_t)l.n));
	} else {
		json_decref(items);
	}
	page_free(&imap);
	page_free(&l);
	ui_render(ctx, 200, "mailboxes", page, NULL);
}
