/* store_metrics.c: the rows of a campaign's metrics answer past the campaign itself — its
 * timeline and its relationships' domains — in one statement (issue 20). They used to be
 * two. Folding the campaign's own row in as well (one statement in all) was measured and
 * rejected: padded to the campaign's 18 columns, the UNION's temporary table and sort cost
 * MariaDB 2.5 times what the separate statements cost (bench/README.md, "First reads"). */
#include <string.h>

#include "db/store.h"

lc_err
store_campaign_metrics(struct db *db, int64_t campaign_id, const char *cutoff_sql,
    struct db_rows *out)
{
	/* The per-day aggregates and the pause/resume notes (part 1) in timeline order — day,
	 * aggregates before notes, notes by time, then kind: the key MET_COL_KEY spells as
	 * text of fixed width —, then the domains (part 2) in the order of their index,
	 * (created_at, id): when two contacts share a domain and a status, metrics.c keeps
	 * the first, so the order decides which link a placed domain shows. Each part reads
	 * by an index on campaign_id. */
	static const char sql[] =
	    "SELECT day, kind, count, NULL, 1 AS part, CONCAT(day, ' 0 ', LPAD(kind, 2, '0')) AS k "
	    "FROM campaign_days WHERE campaign_id = ? UNION ALL "
	    "SELECT DATE(occurred_at), 6 + kind, 0, reason, 1, CONCAT(DATE(occurred_at), ' 1 ', "
	    "DATE_FORMAT(occurred_at, '%Y-%m-%d %H:%i:%s.%f'), ' ', LPAD(6 + kind, 2, '0')) "
	    "FROM campaign_state_notes WHERE campaign_id = ? UNION ALL "
	    "SELECT domain, IF(status IN (3, 4) AND last_contacted_at < ?, 10, status), link_url, "
	    "IF(status IN (3, 4) AND last_contacted_at >= ?, last_contacted_at, NULL), 2, "
	    "CONCAT(DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'), LPAD(id, 20, '0')) "
	    "FROM relationships FORCE INDEX (ix_relationships_campaign) WHERE campaign_id = ? "
	    "ORDER BY 5, 6";
	struct db_param p[] = {DB_I64(campaign_id), DB_I64(campaign_id), DB_CSTR(cutoff_sql),
	    DB_CSTR(cutoff_sql), DB_I64(campaign_id)};

	return db_query(db, sql, p, sizeof(p) / sizeof(p[0]), out);
}
