/* mailbox_imap.c: the rules of a mailbox's IMAP settings (docs/imap.md): what the API
 * and the CLI may set, the defaults, the password sealed like the SMTP one (or the SMTP
 * one itself, never copied), and the sync made pending again on every change so that the
 * worker reconnects with the new settings and a login refused earlier is tried again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/mailbox_imap.h"
#include "core/validate.h"
#include "db/store_imap.h"
#include "util/utf8.h"
#include "util/timefmt.h"

static const char *const state_names[IMAP_NSTATES] = {
    "pending", "syncing", "idle", "polling", "error", "auth_failed"};

static lc_err bad(struct core_fail *, const char *, const char *);

const char *
imap_state_name(unsigned state)
{
	return state < IMAP_NSTATES ? state_names[state] : "off";
}

int
imap_folder_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i;

	if (n == 0 || n > IMAP_FOLDER_MAX || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		/* no control characters, C1 ones (U+0080..U+009F, C2 80..C2 9F) included */
		if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] < 0xa0))
			return 0;
		if (u[i] == '"' || u[i] == '\\' || u[i] == '*' || u[i] == '%')
			return 0;
	}
	return 1;
}

static lc_err
bad(struct core_fail *fail, const char *param, const char *detail)
{
	fail->code = "validation_failed";
	fail->param = param;
	fail->detail = detail;
	return LC_EINVAL;
}

lc_err
mailbox_imap_check(const struct imap_in *in, struct core_fail *fail)
{
	static const char *const folder_params[IMAP_FOLDERS_MAX] = {"imap.folders[0]",
	    "imap.folders[1]", "imap.folders[2]", "imap.folders[3]", "imap.folders[4]"};
	size_t i, j;

	if (in->remove)
		return LC_OK;
	if (in->host && !mailbox_host_valid(in->host))
		return bad(fail, "imap.host", "imap.host must be a host name or an IPv4 address.");
	if (in->port != -1 && (in->port < 1 || in->port > 65535))
		return bad(fail, "imap.port", "imap.port must be from 1 to 65535.");
	if (in->security != -1 && in->security != MBX_TLS && in->security != MBX_STARTTLS)
		return bad(
		    fail, "imap.security", "imap.security is tls (implicit TLS) or starttls.");
	if (in->username && !text_valid(in->username, 1, 320, 0))
		return bad(fail, "imap.username", "imap.username is 1 to 320 characters.");
	if (in->password && (strlen(in->password) > MAILBOX_PASSWORD_MAX ||
	                        !text_valid(in->password, 1, MAILBOX_PASSWORD_MAX, 0)))
		return bad(fail, "imap.password", "imap.password is 1 to 256 bytes on one line.");
	if (in->folders_given && in->nfolders == 0)
		return bad(fail, "imap.folders", "imap.folders names 1 to 5 folders.");
	for (i = 0; i < in->nfolders; i++) {
		if (!imap_folder_valid(in->folders[i]))
			return bad(fail, folder_params[i],
			    "A folder name is 1 to 200 bytes of printable UTF-8 text, as a mail "
			    "client shows it, without \", \\, * or %.");
		for (j = 0; j < i; j++)
			if (strcmp(in->folders[i], in->folders[j]) == 0)
				return bad(fail, folder_params[i], "A folder is named twice.");
	}
	return LC_OK;
}

lc_err
mailbox_imap_write_tx(
    struct db *db, int64_t mailbox_id, const struct imap_in *in, struct core_fail *fail)
{
	unsigned char box[MAILBOX_BOX_MAX];
	char now[TIME_SQL_LEN], folders[IMAP_FOLDERS_TEXT];
	struct store_imap s;
	struct db_rows cur;
	size_t box_len = 0, i, off = 0;
	int have;
	lc_err e;

	if (in->remove)
		return store_imap_delete(db, mailbox_id);
	if (in->password && !mailbox_configured()) {
		fail->code = "mailboxes_not_configured";
		fail->detail =
		    "The operator has not configured [mailboxes] key_file on this server.";
		return LC_ECONFLICT;
	}
	if ((e = store_imap_get(db, mailbox_id, 1, &cur)) != LC_OK)
		return e;
	have = cur.nrows == 1;
	if (!have && in->host == NULL) {
		db_rows_free(&cur);
		return bad(fail, "imap.host", "imap.host is required.");
	}
	memset(&s, 0, sizeof(s));
	s.host = in->host ? in->host : db_str(&cur, 0, IMC_COL_HOST);
	s.security = in->security != -1 ? (unsigned)in->security
	             : have             ? (unsigned)db_i64(&cur, 0, IMC_COL_SECURITY)
	                                : MBX_TLS;
	s.port = in->port != -1               ? (unsigned)in->port
	         : have && in->security == -1 ? (unsigned)db_i64(&cur, 0, IMC_COL_PORT)
	         : s.security == MBX_TLS      ? 993
	                                      : 143;
	s.username = in->username ? in->username : have ? db_str(&cur, 0, IMC_COL_USERNAME) : NULL;
	s.keep_box = have;
	folders[0] = '\0';
	if (in->folders_given) {
		for (i = 0; i < in->nfolders; i++)
			off += (size_t)snprintf(folders + off, sizeof(folders) - off, "%s%s",
			    i ? "\n" : "", in->folders[i]);
		s.folders = folders;
	} else {
		s.folders = have ? db_str(&cur, 0, IMC_COL_FOLDERS) : "INBOX";
	}
	if (in->password) {
		if ((e = mailbox_seal(in->password, strlen(in->password), box, &box_len)) != LC_OK)
			goto out;
		s.password_box = box;
		s.box_len = box_len;
	}
	sqltime_format(now_ms(), now);
	e = store_imap_put(db, mailbox_id, &s, now);
out:
	sodium_memzero(box, sizeof(box));
	db_rows_free(&cur);
	return e;
}

lc_err
mailbox_imap_password_changed_tx(struct db *db, int64_t mailbox_id)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_imap_touch(db, mailbox_id, now);
}

/* view_from_row: how a row of store_imap_by_workspace / store_imap_get becomes a struct
 * imap_view (core/paging.h). */
static void
view_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct imap_view *v = item;

	memset(v, 0, sizeof(*v));
	v->mailbox_id = db_i64(r, i, IMC_COL_MAILBOX);
	v->host = db_str(r, i, IMC_COL_HOST);
	v->port = (unsigned)db_i64(r, i, IMC_COL_PORT);
	v->security = (unsigned)db_i64(r, i, IMC_COL_SECURITY);
	v->username = db_str(r, i, IMC_COL_USERNAME);
	v->own_password = db_i64(r, i, IMC_COL_OWN_BOX) != 0;
	v->folders = db_str(r, i, IMC_COL_FOLDERS);
	v->state = (unsigned)db_i64(r, i, IMC_COL_STATE);
	v->last_error = db_str(r, i, IMC_COL_ERROR);
	v->last_sync_ms = db_ms(r, i, IMC_COL_SYNCED);
}

static const struct page_spec imap_spec = {sizeof(struct imap_view), view_from_row, 0, 0};

lc_err
mailbox_imap_list(struct core *core, int64_t workspace_id, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_imap_by_workspace(core->db, workspace_id, &out->rows)) != LC_OK)
		return e;
	/* one row per mailbox of the workspace: all of them, no next page */
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &imap_spec);
}

lc_err
mailbox_imap_get(struct core *core, int64_t mailbox_id, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_imap_get(core->db, mailbox_id, 0, &out->rows)) != LC_OK)
		return e;
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &imap_spec);
}

int
mailbox_imap_find(const struct page *p, int64_t mailbox_id, struct imap_view *v)
{
	const struct imap_view *items = p->items;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (items[i].mailbox_id == mailbox_id) {
			*v = items[i];
			return 1;
		}
	}
	memset(v, 0, sizeof(*v));
	v->last_sync_ms = -1;
	return 0;
}
