/* api_mailbox_imap.c: the "imap" object of /v1/mailboxes (docs/imap.md) — read from POST
 * and PATCH bodies, shown with the sync's state (imapStatus, lastError, lastSyncAt) on
 * every mailbox answer. The password goes in and never comes out. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/mailbox_imap.h"

int
api_imap_parse(struct http_ctx *ctx, json_t *doc, struct imap_in *in, int *given)
{
	static const char *const keys[] = {
	    "host", "port", "security", "username", "password", "folders", NULL};
	const char *security = NULL;
	json_t *imap, *folders, *f;
	long long v;
	size_t i;
	int r;

	memset(in, 0, sizeof(*in));
	in->port = in->security = -1;
	*given = 0;
	if ((imap = json_object_get(doc, "imap")) == NULL)
		return 0;
	*given = 1;
	if (json_is_null(imap)) {
		in->remove = 1;
		return 0;
	}
	if (!json_is_object(imap)) {
		http_problem(ctx->req, 422, "validation_failed",
		    "imap is an object (host, port, security, username, password, folders) or "
		    "null.",
		    "imap", NULL, NULL);
		return -1;
	}
	if (api_only_keys(ctx, imap, keys, "imap") != 0 ||
	    api_get_str(ctx, imap, "host", 0, &in->host, "imap.host") != 0 ||
	    api_get_str(ctx, imap, "username", 0, &in->username, "imap.username") != 0 ||
	    api_get_str(ctx, imap, "password", 0, &in->password, "imap.password") != 0 ||
	    api_get_str(ctx, imap, "security", 0, &security, "imap.security") != 0 ||
	    (r = api_get_int(ctx, imap, "port", 0, 1, 65535, &v, "imap.port")) < 0)
		return -1;
	if (r == 1)
		in->port = (long)v;
	if (security) {
		in->security = mailbox_security_from_name(security);
		if (in->security != MBX_TLS && in->security != MBX_STARTTLS) {
			http_problem(ctx->req, 422, "validation_failed",
			    "imap.security is tls (implicit TLS) or starttls.", "imap.security",
			    NULL, NULL);
			return -1;
		}
	}
	if ((folders = json_object_get(imap, "folders")) != NULL) {
		if (!json_is_array(folders) || json_array_size(folders) < 1 ||
		    json_array_size(folders) > IMAP_FOLDERS_MAX) {
			http_problem(ctx->req, 422, "validation_failed",
			    "imap.folders is a list of 1 to 5 folder names.", "imap.folders", NULL,
			    NULL);
			return -1;
		}
		json_array_foreach(folders, i, f)
		{
			if (!json_is_string(f)) {
				http_problem(ctx->req, 422, "validation_failed",
				    "imap.folders holds folder names (strings).", "imap.folders",
				    NULL, NULL);
				return -1;
			}
			in->folders[i] = json_string_value(f);
		}
		in->nfolders = json_array_size(folders);
		in->folders_given = 1;
	}
	return 0;
}

void
api_imap_decorate(json_t *mailbox, const struct imap_view *v, int has)
{
	json_t *imap = json_null(), *folders;
	const char *p, *nl;

	if (mailbox == NULL)
		return;
	if (has && (folders = json_array()) != NULL) {
		for (p = v->folders ? v->folders : ""; *p; p = *nl ? nl + 1 : nl) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p);
			json_array_append_new(folders, json_stringn(p, (size_t)(nl - p)));
		}
		imap = json_pack("{s:s,s:I,s:s,s:o,s:b,s:b,s:o}", "host", v->host, "port",
		    (json_int_t)v->port, "security", mailbox_security_name(v->security), "username",
		    api_str_or_null(v->username), "passwordSet", 1, "ownPassword", v->own_password,
		    "folders", folders);
	}
	json_object_set_new(mailbox, "imap", imap ? imap : json_null());
	json_object_set_new(
	    mailbox, "imapStatus", json_string(has ? imap_state_name(v->state) : "off"));
	json_object_set_new(mailbox, "lastError", api_str_or_null(has ? v->last_error : NULL));
	json_object_set_new(mailbox, "lastSyncAt", api_time_or_null(has ? v->last_sync_ms : -1));
}

json_t *
api_imap_one(struct http_ctx *ctx, json_t *mailbox, int64_t mailbox_id)
{
	struct page p;
	struct imap_view v;
	int has;

	memset(&p, 0, sizeof(p));
	if (mailbox == NULL || mailbox_imap_get(ctx->core, mailbox_id, &p) != LC_OK) {
		page_free(&p);
		json_decref(mailbox);
		return NULL;
	}
	has = mailbox_imap_find(&p, mailbox_id, &v);
	api_imap_decorate(mailbox, &v, has);
	page_free(&p);
	return mailbox;
}
