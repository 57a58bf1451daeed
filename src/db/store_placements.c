/* store_placements.c: SQL for link placements. */
#include <string.h>

#include "db/store_placements.h"

#define PL_COLS                                                                            \
	"id, public_id, relationship_id, campaign_id, link_url, status, http_status, "       \
	"last_error, checked_at, verified_at, lost_at, created_at, due_at"

lc_err
store_pl_insert(struct db *db, const char *public_id, int64_t workspace_id,
    int64_t campaign_id, int64_t relationship_id, const char *link_url, const char *now_sql,
    int *inserted)
{
	static const char sql[] =
	    "INSERT IGNORE INTO placements (public_id, workspace_id, campaign_id, relationship_id, "
	    "link_url, status, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_I64(campaign_id),
	    DB_I64(relationship_id), DB_CSTR(link_url), DB_CSTR(now_sql), DB_CSTR(now_sql),
	    DB_CSTR(now_sql)};
	uint64_t affected = 0;
	lc_err e;

	e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), &affected, NULL);
	*inserted = e == LC_OK && affected == 1;
	return e;
}

lc_err
store_pl_rel_domain(struct db *db, int64_t relationship_id, struct db_rows *out)
{
	static const char sql[] = "SELECT domain FROM relationships WHERE id = ?";
	struct db_param p[] = {DB_I64(relationship_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_pl_requeue(struct db *db, int64_t relationship_id, const char *link_url,
    const char *now_sql)
{
	static const char sql[] =
	    "UPDATE placements SET status = 0, misses = 0, due_at = ?, updated_at = ? "
	    "WHERE relationship_id = ? AND link_url = ? AND status = 2";
	struct db_param p[] = {DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(relationship_id),
	    DB_CSTR(link_url)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_pl_find(struct db *db, int64_t relationship_id, const char *link_url,
    struct db_rows *out)
{
	static const char sql[] = "SELECT " PL_COLS " FROM placements "
	                          "WHERE relationship_id = ? AND link_url = ?";
	struct db_param p[] = {DB_I64(relationship_id), DB_CSTR(link_url)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_pl_list(struct db *db, int64_t relationship_id, struct db_rows *out)
{
	static const char sql[] = "SELECT " PL_COLS " FROM placements "
	                          "WHERE relationship_id = ? ORDER BY id LIMIT 1000";
	struct db_param p[] = {DB_I64(relationship_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_pl_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] = "SELECT id FROM placements WHERE leased = 0 AND due_at <= ? "
	                          "ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_pl_claim(struct db *db, int64_t id, const char *lease_sql)
{
	/* leased = 0 guards the claim (see store_notify_claim) */
	static const char sql[] = "UPDATE placements SET leased = 1, fence = fence + 1, "
	                          "lease_expires_at = ? WHERE id = ? AND leased = 0";
	struct db_param p[] = {DB_CSTR(lease_sql), DB_I64(id)};
	uint64_t n = 0;
	lc_err e;

	if ((e = db_exec(db, sql, p, 2, &n, NULL)) != LC_OK)
		return e;
	return n == 1 ? LC_OK : LC_ERETRY;
}

lc_err
store_pl_job(struct db *db, int64_t id, int lock, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT p.id, p.fence, p.status, p.misses, p.link_url, c.target_url, p.workspace_id, "
	    "p.campaign_id, p.relationship_id, p.leased FROM placements p "
	    "JOIN campaigns c ON c.id = p.campaign_id WHERE p.id = ?";
	static const char sql_lock[] =
	    "SELECT p.id, p.fence, p.status, p.misses, p.link_url, c.target_url, p.workspace_id, "
	    "p.campaign_id, p.relationship_id, p.leased FROM placements p "
	    "JOIN campaigns c ON c.id = p.campaign_id WHERE p.id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, lock ? sql_lock : sql, p, 1, out);
}

lc_err
store_pl_finish(struct db *db, const struct store_pl_finish *f, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE placements SET leased = 0, lease_expires_at = NULL, status = ?, misses = ?, "
	    "due_at = ?, http_status = ?, last_error = ?, checked_at = ?, updated_at = ?, "
	    "verified_at = IF(?, ?, verified_at), lost_at = IF(?, ?, lost_at) "
	    "WHERE id = ? AND fence = ? AND leased = 1";
	struct db_param p[] = {DB_I64(f->status), DB_I64(f->misses),
	    f->due_sql ? DB_CSTR(f->due_sql) : DB_NULL,
	    f->http_status ? DB_I64(f->http_status) : DB_NULL,
	    f->error ? DB_CSTR(f->error) : DB_NULL, DB_CSTR(f->now_sql), DB_CSTR(f->now_sql),
	    DB_I64(f->verified), DB_CSTR(f->now_sql), DB_I64(f->lost), DB_CSTR(f->now_sql),
	    DB_I64(f->id), DB_I64(f->fence)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), changed, NULL);
}

lc_err
store_pl_reap(struct db *db, const char *now_sql, uint64_t *n)
{
	static const char sql[] = "UPDATE placements SET leased = 0, lease_expires_at = NULL "
	                          "WHERE leased = 1 AND lease_expires_at < ?";
	struct db_param p[] = {DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 1, n, NULL);
}
