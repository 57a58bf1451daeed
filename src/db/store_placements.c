/* store_placements.c: SQL for link placements. */
#include <string.h>

#include "db/batch.h"
#include "db/store_placements.h"

#define PL_COLS                                                                                    \
	"id, public_id, relationship_id, campaign_id, link_url, status, http_status, "             \
	"last_error, checked_at, verified_at, lost_at, created_at, due_at, verdict, issues, "      \
	"expected_anchor, expected_rel, guarantee_until, price_cents, price_currency"

lc_err
store_pl_insert(struct db *db, const char *public_id, int64_t workspace_id, int64_t campaign_id,
    int64_t relationship_id, const char *link_url, const char *now_sql, int *inserted)
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
store_pl_requeue(struct db *db, int64_t relationship_id, const char *link_url, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE placements SET status = 0, misses = 0, due_at = ?, updated_at = ? "
	    "WHERE relationship_id = ? AND link_url = ? AND status = 2";
	struct db_param p[] = {
	    DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(relationship_id), DB_CSTR(link_url)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_pl_find(struct db *db, int64_t relationship_id, const char *link_url, struct db_rows *out)
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
store_pl_due(struct db *db, const unsigned priority[STORE_PL_PRIORITIES], const char *now_sql,
    unsigned limit, struct db_rows *out)
{
	/* one index range per priority, read in the index's order, so the rows come in the
	 * claim's order with no sort: priority, then due_at, id */
	static const char sql[] = "SELECT id FROM placements WHERE leased = 0 "
	                          "AND priority IN (?, ?, ?) AND due_at <= ? "
	                          "ORDER BY priority, due_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_I64(priority[0]), DB_I64(priority[1]), DB_I64(priority[2]),
	    DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, sizeof(p) / sizeof(p[0]), out);
}

lc_err
store_pl_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *lease_sql)
{
	/* leased = 0 guards the claim (see store_notify_claim) */
	static const char sql[] = "UPDATE placements SET leased = 1, fence = fence + 1, "
	                          "lease_expires_at = ? WHERE id IN (" Q64 ") AND leased = 0";

	return batch_lease(db, sql, ids, n, lease_sql);
}

#define PLJ_COLS                                                                                   \
	"p.id, p.fence, p.status, p.misses, p.link_url, c.target_url, p.workspace_id, "            \
	"p.campaign_id, p.relationship_id, p.leased, r.domain, p.expected_anchor, "                \
	"p.expected_rel, p.missing_days, p.missing_at"

lc_err
store_pl_job(struct db *db, int64_t id, int lock, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT " PLJ_COLS " FROM placements p "
	    "JOIN campaigns c ON c.id = p.campaign_id JOIN relationships r ON r.id = "
	    "p.relationship_id WHERE p.id = ?";
	static const char sql_lock[] =
	    "SELECT " PLJ_COLS " FROM placements p "
	    "JOIN campaigns c ON c.id = p.campaign_id JOIN relationships r ON r.id = "
	    "p.relationship_id WHERE p.id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(id)};

	return db_query(db, lock ? sql_lock : sql, p, 1, out);
}

lc_err
store_pl_job_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out)
{
	static const char sql[] = "SELECT " PLJ_COLS " FROM placements p "
	                          "JOIN campaigns c ON c.id = p.campaign_id "
	                          "JOIN relationships r ON r.id = p.relationship_id "
	                          "WHERE p.id IN (" Q64 ")";

	return batch_query(db, sql, ids, n, out);
}

lc_err
store_pl_finish(struct db *db, const struct store_pl_finish *f, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE placements SET leased = 0, lease_expires_at = NULL, status = ?, misses = ?, "
	    "due_at = ?, http_status = ?, last_error = ?, checked_at = ?, updated_at = ?, "
	    "verified_at = IF(?, ?, verified_at), lost_at = IF(?, ?, lost_at), verdict = ?, "
	    "issues = ?, missing_days = ?, missing_at = ?, priority = ?, "
	    "placed_check_id = IF(?, ?, placed_check_id), lost_check_id = IF(?, ?, lost_check_id) "
	    "WHERE id = ? AND fence = ? AND leased = 1";
	struct db_param p[] = {DB_I64(f->status), DB_I64(f->misses),
	    f->due_sql ? DB_CSTR(f->due_sql) : DB_NULL,
	    f->http_status ? DB_I64(f->http_status) : DB_NULL,
	    f->error ? DB_CSTR(f->error) : DB_NULL, DB_CSTR(f->now_sql), DB_CSTR(f->now_sql),
	    DB_I64(f->verified), DB_CSTR(f->now_sql), DB_I64(f->lost), DB_CSTR(f->now_sql),
	    DB_I64(f->verdict), f->issues && f->issues[0] ? DB_CSTR(f->issues) : DB_NULL,
	    DB_I64(f->missing_days), f->missing_sql ? DB_CSTR(f->missing_sql) : DB_NULL,
	    DB_I64(f->priority), DB_I64(f->verified), DB_I64(f->check_id), DB_I64(f->lost),
	    DB_I64(f->check_id), DB_I64(f->id), DB_I64(f->fence)};

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

lc_err
store_pl_check_insert(struct db *db, const struct store_pl_check *c, int64_t *id)
{
	static const char sql[] =
	    "INSERT INTO placement_checks (placement_id, checked_at, verdict, issues, reason, "
	    "http_status, final_url, redirects, content_type, x_robots_tag, last_modified, "
	    "body_sha256, body_size, truncated, meta_robots, canonical, anchors, links, hops) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define OPT(s) ((s) != NULL && (s)[0] != '\0' ? DB_CSTR(s) : DB_NULL)
	struct db_param p[] = {DB_I64(c->placement_id), DB_CSTR(c->now_sql), DB_I64(c->verdict),
	    OPT(c->issues), OPT(c->reason), c->http_status ? DB_I64(c->http_status) : DB_NULL,
	    OPT(c->final_url), DB_I64(c->redirects), OPT(c->content_type), OPT(c->x_robots_tag),
	    OPT(c->last_modified), OPT(c->body_sha256),
	    c->body_sha256 ? DB_I64((int64_t)c->body_size) : DB_NULL, DB_I64(c->truncated),
	    OPT(c->meta_robots), OPT(c->canonical), DB_I64((int64_t)c->anchors), OPT(c->links),
	    OPT(c->hops)};
#undef OPT
	uint64_t affected = 0, iid = 0;
	lc_err e;

	e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), &affected, &iid);
	*id = (int64_t)iid;
	return e;
}

#define PCK_COLS                                                                                   \
	"c.id, c.checked_at, c.verdict, c.issues, c.reason, c.http_status, c.final_url, "          \
	"c.redirects, c.content_type, c.x_robots_tag, c.last_modified, c.body_sha256, "            \
	"c.body_size, c.truncated, c.meta_robots, c.canonical, c.anchors, c.links, c.hops"

lc_err
store_pl_checks_list(
    struct db *db, int64_t placement_id, int64_t before_id, unsigned limit, struct db_rows *out)
{
	static const char sql[] = "SELECT " PCK_COLS " FROM placement_checks c "
	                          "WHERE c.placement_id = ? AND (? = 0 OR c.id < ?) "
	                          "ORDER BY c.id DESC LIMIT ?";
	struct db_param p[] = {
	    DB_I64(placement_id), DB_I64(before_id), DB_I64(before_id), DB_I64(limit)};

	return db_query(db, sql, p, 4, out);
}

lc_err
store_pl_checks_count(struct db *db, int64_t placement_id, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM placement_checks WHERE placement_id = ?";
	struct db_param p[] = {DB_I64(placement_id)};

	return db_query_i64(db, sql, p, 1, n);
}

lc_err
store_pl_event_check(
    struct db *db, const char *rel_public, const char *link_url, int lost, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT " PCK_COLS ", p.public_id FROM relationships r JOIN placements p ON "
	    "p.relationship_id = r.id AND p.link_url = ? JOIN placement_checks c ON c.id = "
	    "IF(?, p.lost_check_id, p.placed_check_id) WHERE r.public_id = ?";
	struct db_param p[] = {DB_CSTR(link_url), DB_I64(lost), DB_CSTR(rel_public)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_pl_find_public(
    struct db *db, int64_t relationship_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = "SELECT " PL_COLS " FROM placements "
	                          "WHERE public_id = ? AND relationship_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(relationship_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_pl_set_expect(struct db *db, int64_t id, const struct store_pl_expect *x, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE placements SET expected_anchor = IF(?, ?, expected_anchor), "
	    "expected_rel = IF(?, ?, expected_rel), guarantee_until = IF(?, ?, guarantee_until), "
	    "price_cents = IF(?, ?, price_cents), price_currency = IF(?, ?, price_currency), "
	    "updated_at = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(x->set_anchor), x->anchor ? DB_CSTR(x->anchor) : DB_NULL,
	    DB_I64(x->set_rel), x->rel >= 0 ? DB_I64(x->rel) : DB_NULL, DB_I64(x->set_guarantee),
	    x->guarantee_sql ? DB_CSTR(x->guarantee_sql) : DB_NULL, DB_I64(x->set_price),
	    x->price_cents >= 0 ? DB_I64(x->price_cents) : DB_NULL, DB_I64(x->set_price),
	    x->price_cents >= 0 ? DB_CSTR(x->currency) : DB_NULL, DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

lc_err
store_pl_workspace_currency(struct db *db, int64_t workspace_id, char out[4])
{
	static const char sql[] = "SELECT currency FROM workspaces WHERE id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};
	struct db_rows r;
	const char *s;
	lc_err e;

	out[0] = '\0';
	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	if (r.nrows == 1 && (s = db_str(&r, 0, 0)) != NULL && strlen(s) == 3)
		memcpy(out, s, 4);
	db_rows_free(&r);
	return out[0] ? LC_OK : LC_ENOTFOUND;
}

lc_err
store_pl_defer(struct db *db, int64_t id, int64_t fence, const char *due_sql)
{
	static const char sql[] = "UPDATE placements SET leased = 0, lease_expires_at = NULL, "
	                          "due_at = ? WHERE id = ? AND fence = ? AND leased = 1";
	struct db_param p[] = {DB_CSTR(due_sql), DB_I64(id), DB_I64(fence)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_pl_reclaim_facts(struct db *db, int64_t placement_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT p.guarantee_until, r.contact_name, r.contact_email, c.target_url, c.status, "
	    "c.sender, k.checked_at, k.http_status, k.final_url, k.anchors, k.body_sha256 "
	    "FROM placements p JOIN campaigns c ON c.id = p.campaign_id "
	    "JOIN relationships r ON r.id = p.relationship_id "
	    "LEFT JOIN placement_checks k ON k.id = p.lost_check_id WHERE p.id = ?";
	struct db_param p[] = {DB_I64(placement_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_pl_demo_state(struct db *db, int64_t id, unsigned status, unsigned verdict,
    const char *issues, long http_status, const char *error, const char *at_sql,
    const char *due_sql, int64_t check_id)
{
	static const char sql[] =
	    "UPDATE placements SET status = ?, verdict = ?, issues = ?, http_status = ?, "
	    "last_error = ?, checked_at = ?, verified_at = IF(? = 1, ?, NULL), due_at = ?, "
	    "priority = IF(? = 1, 1, 0), placed_check_id = IF(? = 1, ?, NULL), misses = 1 "
	    "WHERE id = ?";
	struct db_param p[] = {DB_I64(status), DB_I64(verdict), issues ? DB_CSTR(issues) : DB_NULL,
	    DB_I64(http_status), error ? DB_CSTR(error) : DB_NULL, DB_CSTR(at_sql), DB_I64(status),
	    DB_CSTR(at_sql), DB_CSTR(due_sql), DB_I64(status), DB_I64(status), DB_I64(check_id),
	    DB_I64(id)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}
