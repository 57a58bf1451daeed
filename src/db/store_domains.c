/* store_domains.c: SQL for sending domains (sql/060_sending_domains.sql). */
#include <string.h>

#include "db/store_domains.h"

#define DOM_SELECT                                                                                 \
	"SELECT d.id, d.public_id, d.domain, d.selector, d.rsa_public, d.created_at, "             \
	"d.ed25519_selector, d.ed25519_public "                                                    \
	"FROM sending_domains d "

lc_err
store_domain_count_lock(struct db *db, int64_t workspace_id, unsigned *count)
{
	static const char sql[] =
	    "SELECT id FROM sending_domains WHERE workspace_id = ? AND status = 0 FOR UPDATE";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_count_rows(db, sql, p, 1, count);
}

lc_err
store_domain_insert(struct db *db, const struct store_domain *d, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO sending_domains (public_id, workspace_id, domain, selector, rsa_public, "
	    "rsa_box, status, created_at, ed25519_selector, ed25519_public, ed25519_box) "
	    "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)";
	int ed = d->ed25519_box != NULL;
	struct db_param p[] = {DB_CSTR(d->public_id), DB_I64(d->workspace_id), DB_CSTR(d->domain),
	    DB_CSTR(d->selector), DB_CSTR(d->rsa_public),
	    DB_STR((const char *)d->rsa_box, d->rsa_box_len), DB_CSTR(now_sql),
	    ed ? DB_CSTR(d->ed25519_selector) : DB_NULL, ed ? DB_CSTR(d->ed25519_public) : DB_NULL,
	    ed ? DB_STR((const char *)d->ed25519_box, d->ed25519_box_len) : DB_NULL};

	if (d->rsa_box == NULL ||
	    (ed && (d->ed25519_selector == NULL || d->ed25519_public == NULL)))
		return LC_EINVAL;
	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_domain_list(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] = DOM_SELECT "WHERE d.workspace_id = ? AND d.status = 0 "
	                                     "ORDER BY d.created_at DESC, d.id DESC";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_domain_list_all(struct db *db, unsigned max, struct db_rows *out)
{
	static const char sql[] = DOM_SELECT "WHERE d.status = 0 ORDER BY d.id LIMIT ?";
	struct db_param p[] = {DB_I64(max)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_domain_find(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = DOM_SELECT "WHERE d.public_id = ? AND d.workspace_id = ? "
	                                     "AND d.status = 0";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_domain_delete(struct db *db, int64_t workspace_id, const char *public_id, uint64_t *changed)
{
	static const char sql[] = "UPDATE sending_domains SET status = 2 WHERE public_id = ? "
	                          "AND workspace_id = ? AND status = 0";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_exec(db, sql, p, 2, changed, NULL);
}

lc_err
store_domain_add_ed25519(struct db *db, int64_t workspace_id, const char *public_id,
    const char *selector, const char *pub, const unsigned char *box, size_t box_len,
    uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE sending_domains SET ed25519_selector = ?, ed25519_public = ?, ed25519_box = ? "
	    "WHERE public_id = ? AND workspace_id = ? AND status = 0 AND ed25519_box IS NULL";
	struct db_param p[] = {DB_CSTR(selector), DB_CSTR(pub), DB_STR((const char *)box, box_len),
	    DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), changed, NULL);
}

lc_err
store_domain_key(struct db *db, int64_t message_id, const char *domain, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT d.domain, d.selector, d.rsa_box, d.ed25519_selector, d.ed25519_box "
	    "FROM outbound_messages o "
	    "JOIN sending_domains d ON d.workspace_id = o.workspace_id AND d.live_domain = ? "
	    "WHERE o.id = ?";
	struct db_param p[] = {DB_CSTR(domain), DB_I64(message_id)};

	return db_query(db, sql, p, 2, out);
}
