/* store_imap.c: SQL for the IMAP settings of mailboxes, the sync's state and the folder
 * checkpoints (sql/070_mailbox_imap.sql). */
#include <string.h>

#include "db/store_imap.h"

#define IMC_SELECT                                                                                 \
	"SELECT i.mailbox_id, i.host, i.port, i.security, i.username, "                            \
	"i.password_box IS NOT NULL, i.folders, i.state, i.last_error, i.last_sync_at, "           \
	"i.version FROM mailbox_imap i "

lc_err
store_imap_get(struct db *db, int64_t mailbox_id, int lock, struct db_rows *out)
{
	static const char sql[] = IMC_SELECT "WHERE i.mailbox_id = ?";
	static const char lock_sql[] = IMC_SELECT "WHERE i.mailbox_id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(mailbox_id)};

	return db_query(db, lock ? lock_sql : sql, p, 1, out);
}

lc_err
store_imap_by_workspace(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] = IMC_SELECT "JOIN mailboxes b ON b.id = i.mailbox_id "
	                                     "WHERE b.workspace_id = ? AND b.status IN (0, 1)";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_imap_put(struct db *db, int64_t mailbox_id, const struct store_imap *s, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO mailbox_imap (mailbox_id, host, port, security, username, password_box, "
	    "folders, state, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, "
	    "?, ?) "
	    "ON DUPLICATE KEY UPDATE host = VALUES(host), port = VALUES(port), "
	    "security = VALUES(security), username = VALUES(username), "
	    "password_box = IF(?, password_box, VALUES(password_box)), folders = VALUES(folders), "
	    "state = 0, last_error = NULL, failures = 0, version = version + 1, "
	    "updated_at = VALUES(updated_at)";
	struct db_param p[] = {DB_I64(mailbox_id), DB_CSTR(s->host), DB_I64(s->port),
	    DB_I64(s->security), s->username ? DB_CSTR(s->username) : DB_NULL,
	    s->password_box ? DB_STR((const char *)s->password_box, s->box_len) : DB_NULL,
	    DB_CSTR(s->folders), DB_CSTR(now_sql), DB_CSTR(now_sql),
	    DB_I64(s->keep_box && s->password_box == NULL ? 1 : 0)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_imap_delete(struct db *db, int64_t mailbox_id)
{
	static const char sql[] = "DELETE FROM mailbox_imap WHERE mailbox_id = ?";
	static const char folders_sql[] = "DELETE FROM mailbox_imap_folders WHERE mailbox_id = ?";
	struct db_param p[] = {DB_I64(mailbox_id)};
	lc_err e;

	if ((e = db_exec(db, sql, p, 1, NULL, NULL)) != LC_OK)
		return e;
	return db_exec(db, folders_sql, p, 1, NULL, NULL);
}

lc_err
store_imap_touch(struct db *db, int64_t mailbox_id, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE mailbox_imap SET state = 0, last_error = NULL, failures = 0, "
	    "version = version + 1, updated_at = ? WHERE mailbox_id = ?";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(mailbox_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_imap_lease(struct db *db, const char *owner, const char *now_sql, const char *lease_until_sql,
    unsigned max)
{
	static const char renew_sql[] = "UPDATE mailbox_imap SET lease_until = ? WHERE owner = ?";
	static const char take_sql[] =
	    "UPDATE mailbox_imap SET owner = ?, lease_until = ? "
	    "WHERE lease_until IS NULL OR lease_until < ? LIMIT ?"; /* one range of
	                                                               ix_mailbox_imap_lease */
	struct db_param pr[] = {DB_CSTR(lease_until_sql), DB_CSTR(owner)};
	struct db_param pt[] = {
	    DB_CSTR(owner), DB_CSTR(lease_until_sql), DB_CSTR(now_sql), DB_I64(max)};
	lc_err e;

	if ((e = db_exec(db, renew_sql, pr, 2, NULL, NULL)) != LC_OK)
		return e;
	return db_exec(db, take_sql, pt, 4, NULL, NULL);
}

lc_err
store_imap_release(struct db *db, const char *owner)
{
	static const char sql[] =
	    "UPDATE mailbox_imap SET owner = NULL, lease_until = NULL WHERE owner = ?";
	struct db_param p[] = {DB_CSTR(owner)};

	return db_exec(db, sql, p, 1, NULL, NULL);
}

lc_err
store_imap_versions(struct db *db, const char *owner, struct db_rows *out)
{
	static const char sql[] = "SELECT i.mailbox_id, i.version, i.state FROM mailbox_imap i "
	                          "JOIN mailboxes b ON b.id = i.mailbox_id WHERE i.owner = ? "
	                          "AND b.status IN (0, 1)";
	struct db_param p[] = {DB_CSTR(owner)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_imap_load(struct db *db, int64_t mailbox_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT b.workspace_id, i.host, i.port, i.security, COALESCE(i.username, b.username), "
	    "COALESCE(i.password_box, b.password_box), i.folders, i.version, i.state "
	    "FROM mailbox_imap i JOIN mailboxes b ON b.id = i.mailbox_id "
	    "WHERE i.mailbox_id = ? AND b.status IN (0, 1)";
	struct db_param p[] = {DB_I64(mailbox_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_imap_state(struct db *db, int64_t mailbox_id, int64_t version, unsigned state,
    const char *error, int synced, unsigned failures, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE mailbox_imap SET state = ?, last_error = ?, failures = ?, "
	    "last_sync_at = IF(?, ?, last_sync_at) WHERE mailbox_id = ? AND version = ?";
	struct db_param p[] = {DB_I64(state), error ? DB_CSTR(error) : DB_NULL, DB_I64(failures),
	    DB_I64(synced ? 1 : 0), DB_CSTR(now_sql), DB_I64(mailbox_id), DB_I64(version)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_imap_folder_get(struct db *db, int64_t mailbox_id, const char *folder, struct db_rows *out)
{
	static const char sql[] = "SELECT uidvalidity, last_uid FROM mailbox_imap_folders "
	                          "WHERE mailbox_id = ? AND folder = ?";
	struct db_param p[] = {DB_I64(mailbox_id), DB_CSTR(folder)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_imap_folder_set(struct db *db, int64_t mailbox_id, const char *folder, uint64_t uidvalidity,
    uint64_t last_uid, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO mailbox_imap_folders (mailbox_id, folder, uidvalidity, last_uid, "
	    "updated_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	    "uidvalidity = VALUES(uidvalidity), last_uid = VALUES(last_uid), "
	    "updated_at = VALUES(updated_at)";
	struct db_param p[] = {DB_I64(mailbox_id), DB_CSTR(folder), DB_I64(uidvalidity),
	    DB_I64(last_uid), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}
