/* store_report.c: SQL of the client's report and its share links (store_report.h). */
#include <string.h>

#include "db/store_report.h"

lc_err
store_report_funnel(struct db *db, int64_t workspace_id, int64_t campaign_id, struct db_rows *out)
{
#define FUNNEL_SUMS                                                                                \
	"SELECT COUNT(*), COALESCE(SUM(drafts_count), 0), COALESCE(SUM(sent_count), 0), "          \
	"COALESCE(SUM(delivered_count), 0), COALESCE(SUM(opened_count), 0), "                      \
	"COALESCE(SUM(replied_count), 0), COALESCE(SUM(placed_count), 0) FROM campaigns "
	static const char ws_sql[] = FUNNEL_SUMS "WHERE workspace_id = ?";
	static const char one_sql[] = FUNNEL_SUMS "WHERE id = ? AND workspace_id = ?";
#undef FUNNEL_SUMS
	struct db_param ws[] = {DB_I64(workspace_id)};
	struct db_param one[] = {DB_I64(campaign_id), DB_I64(workspace_id)};

	if (campaign_id > 0)
		return db_query(db, one_sql, one, 2, out);
	return db_query(db, ws_sql, ws, 1, out);
}

lc_err
store_report_campaign(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id, name, target_url FROM campaigns "
	                          "WHERE public_id = ? AND workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_report_rows(struct db *db, int64_t workspace_id, int64_t campaign_id, int64_t after_id,
    unsigned limit, struct db_rows *out)
{
	/* the last check is the newest row of ix_placement_checks_placement; its first
	 * matching link is what the report shows as the link's anchor and rel */
#define ROWS_SELECT                                                                                \
	"SELECT p.id, p.public_id, p.link_url, p.status, p.verdict, p.issues, p.checked_at, "      \
	"p.guarantee_until, p.expected_anchor, p.expected_rel, r.domain, c.public_id, c.name, "    \
	"JSON_UNQUOTE(JSON_EXTRACT(k.links, '$[0].anchor')), JSON_EXTRACT(k.links, '$[0].rel') "   \
	"FROM placements p JOIN relationships r ON r.id = p.relationship_id "                      \
	"JOIN campaigns c ON c.id = p.campaign_id "                                                \
	"LEFT JOIN placement_checks k ON k.id = (SELECT MAX(k2.id) FROM placement_checks k2 "      \
	"WHERE k2.placement_id = p.id) "
	static const char ws_sql[] = ROWS_SELECT "WHERE p.workspace_id = ? AND p.id > ? "
	                                         "ORDER BY p.id LIMIT ?";
	static const char one_sql[] = ROWS_SELECT "WHERE p.workspace_id = ? AND p.campaign_id = ? "
	                                          "AND p.id > ? ORDER BY p.id LIMIT ?";
#undef ROWS_SELECT
	struct db_param ws[] = {DB_I64(workspace_id), DB_I64(after_id), DB_I64(limit)};
	struct db_param one[] = {
	    DB_I64(workspace_id), DB_I64(campaign_id), DB_I64(after_id), DB_I64(limit)};

	if (campaign_id > 0)
		return db_query(db, one_sql, one, 4, out);
	return db_query(db, ws_sql, ws, 3, out);
}

lc_err
store_share_insert(struct db *db, const char *public_id, int64_t workspace_id, int64_t campaign_id,
    const unsigned char *hash, const char *label, const char *created_by, const char *now_sql,
    const char *expires_sql)
{
	static const char sql[] =
	    "INSERT INTO report_shares (public_id, workspace_id, campaign_id, token_hash, label, "
	    "created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id),
	    campaign_id > 0 ? DB_I64(campaign_id) : DB_NULL, DB_STR((const char *)hash, 32),
	    label ? DB_CSTR(label) : DB_NULL, DB_CSTR(created_by), DB_CSTR(now_sql),
	    DB_CSTR(expires_sql)};

	return db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, NULL);
}

#define SHARE_COLS                                                                                 \
	"s.id, s.public_id, c.public_id, c.name, s.label, s.created_by, s.created_at, "            \
	"s.expires_at, s.revoked_at FROM report_shares s LEFT JOIN campaigns c ON c.id = "         \
	"s.campaign_id "

lc_err
store_share_list(
    struct db *db, int64_t workspace_id, int64_t before_id, unsigned limit, struct db_rows *out)
{
	static const char sql[] = "SELECT " SHARE_COLS "WHERE s.workspace_id = ? AND s.id < ? "
	                          "ORDER BY s.id DESC LIMIT ?";
	struct db_param p[] = {
	    DB_I64(workspace_id), DB_I64(before_id > 0 ? before_id : INT64_MAX), DB_I64(limit)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_share_count(struct db *db, int64_t workspace_id, struct db_rows *out)
{
	static const char sql[] = "SELECT COUNT(*) FROM report_shares WHERE workspace_id = ?";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_share_find(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = "SELECT " SHARE_COLS "WHERE s.public_id = ? AND "
	                          "s.workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_share_revoke(struct db *db, int64_t workspace_id, int64_t id, const char *now_sql)
{
	static const char sql[] = "UPDATE report_shares SET revoked_at = ? WHERE id = ? AND "
	                          "workspace_id = ? AND revoked_at IS NULL";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(id), DB_I64(workspace_id)};

	return db_exec(db, sql, p, 3, NULL, NULL);
}

lc_err
store_share_open(struct db *db, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT s.token_hash, s.expires_at, s.revoked_at, s.workspace_id, w.public_id, "
	    "w.name, w.account_id, c.public_id, s.campaign_id FROM report_shares s "
	    "JOIN workspaces w ON w.id = s.workspace_id "
	    "LEFT JOIN campaigns c ON c.id = s.campaign_id WHERE s.public_id = ?";
	struct db_param p[] = {DB_CSTR(public_id)};

	return db_query(db, sql, p, 1, out);
}
