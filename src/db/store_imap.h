/* store_imap.h: SQL for the IMAP side of mailboxes (sql/070_mailbox_imap.sql): the
 * settings, the sync's state shown on the mailbox, and the checkpoint of each watched
 * folder. The rules live in src/core/mailbox_imap.c and imap_sync.c; these only read and
 * write. All return db_* errors. */
#ifndef LC_STORE_IMAP_H
#define LC_STORE_IMAP_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* IMAP settings to write; password_box NULL with keep_box keeps the stored one, NULL
 * without it means "the SMTP password". username NULL: the SMTP username. */
struct store_imap {
	const char *host, *username, *folders;
	unsigned port, security;
	const unsigned char *password_box;
	size_t box_len;
	int keep_box;
};

/* Columns of store_imap_get and store_imap_by_workspace. */
enum {
	IMC_COL_MAILBOX,
	IMC_COL_HOST,
	IMC_COL_PORT,
	IMC_COL_SECURITY,
	IMC_COL_USERNAME,
	IMC_COL_OWN_BOX,
	IMC_COL_FOLDERS,
	IMC_COL_STATE,
	IMC_COL_ERROR,
	IMC_COL_SYNCED,
	IMC_COL_VERSION,
	IMC_NCOLS
};

/* store_imap_get reads mailbox_id's IMAP settings (0 or 1 row); lock adds FOR UPDATE. */
lc_err store_imap_get(struct db *db, int64_t mailbox_id, int lock, struct db_rows *out);
/* store_imap_by_workspace reads the IMAP settings of the workspace's mailboxes (through
 * ix_mailboxes_ws, then the primary key). */
lc_err store_imap_by_workspace(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_imap_put writes mailbox_id's settings (a new row, or a new version of it) and
 * makes its sync pending again: the error and the failure count go. */
lc_err store_imap_put(
    struct db *db, int64_t mailbox_id, const struct store_imap *s, const char *now_sql);
/* store_imap_delete removes mailbox_id's IMAP settings and checkpoints. */
lc_err store_imap_delete(struct db *db, int64_t mailbox_id);
/* store_imap_touch makes mailbox_id's sync pending again with a new version (its password
 * changed); nothing when it has no IMAP. */
lc_err store_imap_touch(struct db *db, int64_t mailbox_id, const char *now_sql);

/* store_imap_lease renews owner's leases until lease_until and takes up to max mailboxes
 * whose lease ended (or never began), in that order. */
lc_err store_imap_lease(struct db *db, const char *owner, const char *now_sql,
    const char *lease_until_sql, unsigned max);
/* store_imap_release gives owner's leases back (a worker that stops). */
lc_err store_imap_release(struct db *db, const char *owner);
/* Columns of store_imap_versions: owner's IMAP mailboxes that are not deleted. */
enum { IMV_COL_MAILBOX, IMV_COL_VERSION, IMV_COL_STATE };
lc_err store_imap_versions(struct db *db, const char *owner, struct db_rows *out);

/* Columns of store_imap_load: what the worker connects with. */
enum {
	IML_COL_WORKSPACE,
	IML_COL_HOST,
	IML_COL_PORT,
	IML_COL_SECURITY,
	IML_COL_USERNAME,
	IML_COL_BOX,
	IML_COL_FOLDERS,
	IML_COL_VERSION,
	IML_COL_STATE
};
/* store_imap_load reads mailbox_id's settings with the SMTP username and sealed password
 * in place of the missing ones (0 or 1 row; none when the mailbox is deleted). */
lc_err store_imap_load(struct db *db, int64_t mailbox_id, struct db_rows *out);

/* store_imap_state records the sync's state of mailbox_id, when the settings are still at
 * version: error NULL clears it; synced stamps last_sync_at; failures is stored as is. */
lc_err store_imap_state(struct db *db, int64_t mailbox_id, int64_t version, unsigned state,
    const char *error, int synced, unsigned failures, const char *now_sql);

/* store_imap_folder_get reads a folder's checkpoint: (uidvalidity, last_uid), 0 or 1 row. */
lc_err store_imap_folder_get(
    struct db *db, int64_t mailbox_id, const char *folder, struct db_rows *out);
/* store_imap_folder_set writes a folder's checkpoint. */
lc_err store_imap_folder_set(struct db *db, int64_t mailbox_id, const char *folder,
    uint64_t uidvalidity, uint64_t last_uid, const char *now_sql);

#endif
