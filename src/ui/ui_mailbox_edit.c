/* ui_mailbox_edit.c: one mailbox on the pages, and its editing by an admin
 * (docs/mailboxes.md, "The pages and the CLI").
 *
 * Everyone with a role in the workspace reads the settings; only an admin gets the form,
 * and only an admin's POST is taken (the role is checked again on every POST, after the
 * CSRF token: the form's absence is no protection). A save goes through mailboxes_update,
 * the function behind the API's PATCH /v1/mailboxes/{id}, so the rules and their messages
 * are the API's; a refused save shows the form again with what was typed (never a
 * password) and the error next to its field. Passwords are never shown, not even as
 * their length: an empty password field keeps the stored one. The IMAP settings are
 * handed on only when they changed, because any change makes the sync start over. The
 * form itself, its values and its reading, is ui_mailbox_form.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"
#include "core/mailbox_imap.h"
#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_mailbox_form.h"

static int load(struct http_ctx *, struct ui_ws *, const char *, struct page *, struct page *,
    struct imap_view *, int *);
static void show(struct http_ctx *, struct ui_user *, struct ui_ws *, int, json_t *, const char *,
    const char *, const char *);

/* load reads the path's mailbox (captures[1]) and its IMAP settings. -1 after answering. */
static int
load(struct http_ctx *ctx, struct ui_ws *w, const char *id, struct page *v, struct page *imap_rows,
    struct imap_view *iv, int *have_imap)
{
	const struct mailbox_view *mv;
	lc_err e;

	memset(imap_rows, 0, sizeof(*imap_rows));
	if ((e = mailboxes_get(ctx->core, &w->who, id, v)) != LC_OK) {
		page_free(v);
		ui_fail(ctx, e);
		return -1;
	}
	mv = v->items;
	if ((e = mailbox_imap_get(ctx->core, mv->id, imap_rows)) != LC_OK) {
		page_free(v);
		ui_fail(ctx, e);
		return -1;
	}
	*have_imap = mailbox_imap_find(imap_rows, mv->id, iv);
	return 0;
}

/* show renders the mailbox page: form (stolen) holds the fields' values; error and
 * error_field (may be NULL) say what a save refused, notice what one did. */
static void
show(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *w, int status, json_t *form,
    const char *error, const char *error_field, const char *notice)
{
	struct page v;
	struct page imap_rows;
	struct imap_view iv;
	const struct mailbox_view *mv;
	json_t *page, *m, *bad;
	int have_imap = 0;

	if (load(ctx, w, ctx->match.captures[1], &v, &imap_rows, &iv, &have_imap) != 0) {
		json_decref(form);
		return;
	}
	mv = v.items;
	if (form == NULL)
		form = ui_mbx_stored_form(mv, &iv, have_imap);
	page = ui_ctx_new(u, w, "Mailbox");
	m = json_pack("{s:s,s:s,s:b,s:s,s:I,s:I}", "id", mv->public_id, "from_address",
	    mv->from_address, "paused", mv->status == MBX_PAUSED, "security",
	    mailbox_security_name(mv->security), "sent_today", (json_int_t)mv->sent_today,
	    "cap_today", (json_int_t)mv->cap_today);
	if (m) {
		ui_set_str(m, "paused_reason", mv->status == MBX_PAUSED ? mv->paused_reason : NULL);
		if (have_imap) {
			ui_set_str(m, "imap_status", imap_state_name(iv.state));
			ui_set_str(m, "imap_error", iv.last_error);
		}
	}
	bad = json_object();
	if (bad && error_field)
		json_object_set_new(bad, error_field, json_true());
	if (page && form) {
		json_object_set_new(page, "m", m ? m : json_null());
		json_object_set_new(page, "f", form);
		json_object_set_new(page, "bad", bad ? bad : json_object());
		ui_set_str(page, "error", error);
		ui_set_str(page, "notice", notice);
	} else {
		json_decref(page);
		json_decref(m);
		json_decref(form);
		json_decref(bad);
		page = NULL;
	}
	page_free(&imap_rows);
	page_free(&v);
	ui_render(ctx, status, "mailbox", page, NULL);
}

void
ui_mailbox_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	const char *saved;

	if (ui_need_user(ctx, &u) != 0 || ui_need_ws(ctx, &u, &w) != 0)
		return;
	/* ?done=saved, paused or resumed after a redirect: what the POST did, said once */
	saved = query_get(&ctx->query, "done");
	show(ctx, &u, &w, 200, NULL, NULL, NULL,
	    saved == NULL                   ? NULL
	    : strcmp(saved, "saved") == 0   ? "Saved."
	    : strcmp(saved, "paused") == 0  ? "Paused: its messages wait until it is resumed."
	    : strcmp(saved, "resumed") == 0 ? "Resumed: its held messages are due again."
	                                    : NULL);
}

/* admin_post runs the checks of every POST here; -1 after answering (403 for a role that
 * is not admin). */
static int
admin_post(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *w, struct ui_form *f)
{
	if (ui_post(ctx, u, w, f) != 0)
		return -1;
	if (!user_role_manages(w->role)) {
		ui_form_free(f);
		ui_fail(ctx, LC_EFORBIDDEN);
		return -1;
	}
	return 0;
}

void
ui_mailbox_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct page v, after;
	struct page imap_rows;
	struct imap_view iv;
	struct mailbox_in in;
	struct imap_in imap;
	struct form_fail ff = {NULL, NULL};
	struct core_fail fail;
	const char *field;
	char folders[UI_MBX_FOLDERS_MAX], why[400], back[256];
	int have_imap = 0;
	lc_err e;

	if (admin_post(ctx, &u, &w, &f) != 0)
		return;
	if (load(ctx, &w, ctx->match.captures[1], &v, &imap_rows, &iv, &have_imap) != 0) {
		ui_form_free(&f);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	if (ui_mbx_form_in(&f, &iv, have_imap, &in, &imap, folders, &ff) != 0) {
		snprintf(why, sizeof(why), "%s: %s", ui_mbx_label(ff.field), ff.detail);
		page_free(&imap_rows);
		page_free(&v);
		show(ctx, &u, &w, 422, ui_mbx_typed_form(&f), why, ff.field, NULL);
		ui_form_free(&f);
		return;
	}
	e = mailboxes_update(ctx->core, &w.who, ctx->match.captures[1], &in, &after, &fail);
	page_free(&imap_rows);
	page_free(&v);
	if (e == LC_OK) {
		page_free(&after);
		ui_form_free(&f);
		snprintf(back, sizeof(back), "/app/w/%s/mailboxes/%s?done=saved",
		    w.who.workspace_public, ctx->match.captures[1]);
		ui_redirect(ctx->req, back, NULL);
		return;
	}
	if (e == LC_EINVAL || e == LC_ECONFLICT) {
		field = ui_mbx_field_of_param(fail.param);
		snprintf(why, sizeof(why), "%s%s%s", field ? ui_mbx_label(field) : "",
		    field ? ": " : "",
		    fail.detail ? fail.detail : "The mailbox cannot be saved so.");
		show(ctx, &u, &w, e == LC_EINVAL ? 422 : 409, ui_mbx_typed_form(&f), why, field,
		    NULL);
	} else {
		ui_fail(ctx, e);
	}
	ui_form_free(&f);
}

/* state_post pauses (pause 1) or resumes the path's mailbox. */
static void
state_post(struct http_ctx *ctx, int pause)
{
	struct ui_user u;
	struct ui_ws w;
	struct ui_form f;
	struct core_fail fail;
	const char *reason;
	char back[256];
	lc_err e;

	if (admin_post(ctx, &u, &w, &f) != 0)
		return;
	memset(&fail, 0, sizeof(fail));
	reason = ui_form_get(&f, "reason");
	e = pause ? mailboxes_pause(ctx->core, &w.who, ctx->match.captures[1], u.s.email,
	                reason && reason[0] ? reason : NULL, &fail)
	          : mailboxes_resume(ctx->core, &w.who, ctx->match.captures[1], &fail);
	if (e == LC_OK) {
		ui_form_free(&f);
		snprintf(back, sizeof(back), "/app/w/%s/mailboxes/%s?done=%s",
		    w.who.workspace_public, ctx->match.captures[1], pause ? "paused" : "resumed");
		ui_redirect(ctx->req, back, NULL);
		return;
	}
	ui_form_free(&f);
	if (e == LC_EINVAL || e == LC_ECONFLICT)
		show(ctx, &u, &w, e == LC_EINVAL ? 422 : 409, NULL,
		    fail.detail ? fail.detail : "Not possible now.", NULL, NULL);
	else
		ui_fail(ctx, e);
}

void
ui_mailbox_pause(void *arg)
{
	state_post(arg, 1);
}

void
ui_mailbox_resume(void *arg)
{
	state_post(arg, 0);
}
