/* store_metrics.c: everything a campaign's metrics answer reads, in one statement
 * (issue 20). It used to be three — the campaign, its timeline, its relationships'
 * domains — and a statement's round trip and dispatch cost MariaDB and linkcamp-fcgi more
 * than the ≈ 100 rows it reads. */
#include <string.h>

#include "db/store.h"

/* NULLs that pad a part's few columns to the campaign's CMP_COL_NCOLS */
#define PAD4 "NULL, NULL, NULL, NULL, "
#define PAD14 PAD4 PAD4 PAD4 "NULL, NULL, "
#define THE_CAMPAIGN " c.public_id = ? AND c.workspace_id = ? "

lc_err
store_campaign_metrics(struct db *db, int64_t workspace_id, const char *public_id,
    const char *cutoff_sql, struct db_rows *out)
{
	/* Four parts, each reading the campaign by its unique public id (a const table) and
	 * then its own rows by an index on campaign_id: the campaign (part 0), the per-day
	 * aggregates and the pause/resume notes (part 1, in timeline order: day, aggregates
	 * before notes, notes by time, then kind — the key MET_COL_KEY spells as text of fixed
	 * width), the relationships' domains (part 2). A campaign that is not the
	 * workspace's gives no row at all. */
	static const char sql[] =
	    "SELECT c.id, c.public_id, c.type, c.name, c.created_at, c.status, c.drafts_count, "
	    "c.sent_count, c.replied_count, c.placed_count, c.opened_count, c.target_url, c.sender, "
	    "c.updated_at, c.delivered_count, c.paused_at, c.pause_reason, c.pending_approvals, "
	    "0 AS part, '' AS k FROM campaigns c WHERE" THE_CAMPAIGN
	    "UNION ALL SELECT d.day, d.kind, d.count, NULL, " PAD14 "1, "
	    "CONCAT(d.day, ' 0 ', LPAD(d.kind, 2, '0')) "
	    "FROM campaigns c JOIN campaign_days d ON d.campaign_id = c.id WHERE" THE_CAMPAIGN
	    "UNION ALL SELECT DATE(n.occurred_at), 6 + n.kind, 0, n.reason, " PAD14 "1, "
	    "CONCAT(DATE(n.occurred_at), ' 1 ', DATE_FORMAT(n.occurred_at, '%Y-%m-%d %H:%i:%s.%f'), "
	    "' ', LPAD(6 + n.kind, 2, '0')) "
	    "FROM campaigns c JOIN campaign_state_notes n ON n.campaign_id = c.id WHERE" THE_CAMPAIGN
	    "UNION ALL SELECT r.domain, IF(r.status IN (3, 4) AND r.last_contacted_at < ?, 10, "
	    "r.status), r.link_url, IF(r.status IN (3, 4) AND r.last_contacted_at >= ?, "
	    "r.last_contacted_at, NULL), " PAD14 "2, '' "
	    "FROM campaigns c JOIN relationships r FORCE INDEX (ix_relationships_campaign) "
	    "ON r.campaign_id = c.id WHERE" THE_CAMPAIGN "ORDER BY 19, 20";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_CSTR(public_id),
	    DB_I64(workspace_id), DB_CSTR(public_id), DB_I64(workspace_id), DB_CSTR(cutoff_sql),
	    DB_CSTR(cutoff_sql), DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, sizeof(p) / sizeof(p[0]), out);
}
