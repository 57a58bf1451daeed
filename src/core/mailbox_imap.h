/* mailbox_imap.h: the IMAP side of a mailbox (issue 16, docs/imap.md): its settings, the
 * API's rules for them, and the state of its sync as the API and the pages show it. The
 * sync itself is src/imap/ (linkcamp-worker). No IMAP and no JSON here. */
#ifndef LC_MAILBOX_IMAP_H
#define LC_MAILBOX_IMAP_H

#include <stddef.h>
#include <stdint.h>
#include "core/mailbox.h"

#define IMAP_FOLDERS_MAX 5  /* folders watched per mailbox */
#define IMAP_FOLDER_MAX 200 /* bytes of a folder name */
#define IMAP_FOLDERS_TEXT (IMAP_FOLDERS_MAX * (IMAP_FOLDER_MAX + 1))
#define IMAP_ERROR_MAX 300 /* bytes of lastError */

/* The sync's state (mailbox_imap.state). */
enum imap_state {
	IMAP_PENDING = 0,
	IMAP_SYNCING,
	IMAP_IDLE,
	IMAP_POLLING,
	IMAP_ERROR,
	IMAP_AUTH_FAILED,
	IMAP_NSTATES
};

/* imap_state_name is the API's name of a state ("pending", "syncing", "idle", "polling",
 * "error", "auth_failed"; static); "off" out of range. */
const char *imap_state_name(unsigned state);

/* IMAP input of create and update (strings borrowed). remove: "imap": null. Otherwise a
 * field NULL / -1 is "not given": update keeps the stored value; the first time, host is
 * required and the rest defaults (security tls, port 993 or 143, the SMTP username and
 * password, folders INBOX). */
struct imap_in {
	int remove;
	const char *host, *username, *password;
	long port;    /* -1: not given */
	int security; /* -1: not given; MBX_TLS or MBX_STARTTLS */
	const char *folders[IMAP_FOLDERS_MAX];
	size_t nfolders;
	int folders_given;
};

/* imap_folder_valid: 1 when s is a folder name linkcamp can watch: 1..200 bytes of
 * well-formed UTF-8 without control characters (C1 ones included), '"', '\\', '*' or
 * '%' (LIST's wildcards). The name is kept as people see it; the IMAP layer says it to
 * the server in modified UTF-7 (imap/mutf7.h). */
int imap_folder_valid(const char *s);

/* mailbox_imap_check validates in (not yet merged with the stored settings). LC_EINVAL
 * with fail (validation_failed + param imap.*). */
lc_err mailbox_imap_check(const struct imap_in *in, struct core_fail *fail);

/* mailbox_imap_write_tx applies in to mailbox_id (inside the caller's transaction): merged
 * with the stored settings, a given password sealed, the sync made pending again.
 * LC_EINVAL with fail (imap.host required the first time); LC_ECONFLICT with fail->code
 * mailboxes_not_configured when a password is given and no key is loaded. */
lc_err mailbox_imap_write_tx(
    struct db *db, int64_t mailbox_id, const struct imap_in *in, struct core_fail *fail);

/* mailbox_imap_password_changed_tx: the SMTP password of mailbox_id changed; a sync that
 * shares it (and was paused by a refused login) tries again. */
lc_err mailbox_imap_password_changed_tx(struct db *db, int64_t mailbox_id);

/* One mailbox's IMAP as the API shows it: the item of the struct page (core/paging.h)
 * mailbox_imap_list and mailbox_imap_get return; strings borrow from the page. */
struct imap_view {
	int64_t mailbox_id;
	const char *host, *username,
	    *folders; /* username NULL: the SMTP one; folders: one a line */
	unsigned port, security, state;
	int own_password;       /* 0: the SMTP password */
	const char *last_error; /* NULL: none */
	int64_t last_sync_ms;   /* -1: never */
};

/* mailbox_imap_list reads the IMAP settings of the workspace's mailboxes (one struct
 * imap_view each, no next page) into out, which the caller page_frees in every case;
 * mailbox_imap_find then finds one mailbox's. LC_ENOMEM, database errors. */
lc_err mailbox_imap_list(struct core *core, int64_t workspace_id, struct page *out);
/* mailbox_imap_find copies into *v the item of p (borrowed: v's strings are p's) for
 * mailbox_id: 1 when it has IMAP, 0 when not (v then empty, last_sync_ms -1). */
int mailbox_imap_find(const struct page *p, int64_t mailbox_id, struct imap_view *v);
/* mailbox_imap_get reads one mailbox's IMAP settings into out (0 or 1 item), as
 * mailbox_imap_list does. */
lc_err mailbox_imap_get(struct core *core, int64_t mailbox_id, struct page *out);

#endif
