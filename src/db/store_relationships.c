/* store_relationships.c: prospects of campaigns (the CRM view) and their status stamps. */
#include <string.h>

#include "db/store_relationships.h"

#define REL_COLUMNS                                                                                \
	"r.id, r.public_id, c.public_id, r.domain, r.contact_name, r.contact_email, "              \
	"IF(r.status IN (3, 4) AND r.last_contacted_at < ?, 10, r.status), r.link_url, "           \
	"r.last_contacted_at, r.last_reply_at, r.created_at, r.campaign_id"

/* Shown status 10 is "no_response": sent or opened, silent since the cutoff. */
#define REL_FILTER                                                                                 \
	"AND (? IS NULL OR r.domain = ?) "                                                         \
	"AND ((1 << IF(r.status IN (3, 4) AND r.last_contacted_at < ?, 10, r.status)) & ?) <> 0 "  \
	"AND (? IS NULL OR r.contact_name LIKE ? ESCAPE '!' OR r.contact_email LIKE ? ESCAPE "     \
	"'!') "

#define REL_PAGE                                                                                   \
	"AND r.created_at <= ? AND (r.created_at < ? OR r.id < ?) "                                \
	"ORDER BY r.created_at DESC, r.id DESC LIMIT ?"

static const char no_cursor_sql[] = "9999-12-31 23:59:59.999";

static size_t rel_filter_params(const struct store_rel_filter *, struct db_param *);

/* rel_filter_params fills the parameters shared by every list/count statement after
 * the leading scope (workspace, optional campaign). Returns how many it wrote. */
static size_t
rel_filter_params(const struct store_rel_filter *f, struct db_param *p)
{
	size_t n = 0;

	p[n++] = f->domain ? DB_CSTR(f->domain) : DB_NULL;
	p[n++] = f->domain ? DB_CSTR(f->domain) : DB_NULL;
	p[n++] = DB_CSTR(f->no_response_before_sql);
	p[n++] = DB_I64(f->status_mask);
	p[n++] = f->q_like ? DB_CSTR(f->q_like) : DB_NULL;
	p[n++] = f->q_like ? DB_CSTR(f->q_like) : DB_NULL;
	p[n++] = f->q_like ? DB_CSTR(f->q_like) : DB_NULL;
	return n;
}

lc_err
store_rel_list(struct db *db, const struct store_rel_filter *f, struct db_rows *out)
{
	static const char ws_sql[] =
	    "SELECT " REL_COLUMNS " FROM relationships r FORCE INDEX (ix_relationships_ws_created) "
	    "JOIN campaigns c ON c.id = r.campaign_id WHERE r.workspace_id = ? " REL_FILTER
	        REL_PAGE;
	static const char cmp_sql[] =
	    "SELECT " REL_COLUMNS " FROM relationships r FORCE INDEX (ix_relationships_campaign) "
	    "JOIN campaigns c ON c.id = r.campaign_id WHERE r.workspace_id = ? "
	    "AND r.campaign_id = ? " REL_FILTER REL_PAGE;
	/* a domain's contacts, newest first, without reading the rest of the workspace */
	static const char domain_sql[] =
	    "SELECT " REL_COLUMNS " FROM relationships r FORCE INDEX (ix_relationships_ws_domain) "
	    "JOIN campaigns c ON c.id = r.campaign_id WHERE r.workspace_id = ? "
	    "AND r.domain = ? " REL_FILTER REL_PAGE;
	const char *before = f->w.before_sql ? f->w.before_sql : no_cursor_sql;
	struct db_param p[16];
	size_t n = 0;

	p[n++] = DB_CSTR(f->no_response_before_sql);
	p[n++] = DB_I64(f->workspace_id);
	if (f->campaign_id)
		p[n++] = DB_I64(f->campaign_id);
	else if (f->domain)
		p[n++] = DB_CSTR(f->domain);
	n += rel_filter_params(f, p + n);
	p[n++] = DB_CSTR(before);
	p[n++] = DB_CSTR(before);
	p[n++] = DB_I64(f->w.before_sql ? f->w.before_id : INT64_MAX);
	p[n++] = DB_I64(f->w.limit);
	return db_query(db, f->campaign_id ? cmp_sql : f->domain ? domain_sql : ws_sql, p, n, out);
}

/* count_by_status counts a workspace's relationships shown in any status of mask without
 * reading its history: stored statuses other than sent/opened through index ranges of
 * (workspace_id, status, last_contacted_at) (matching rows only, and those statuses are
 * either transient or ends); sent and opened shown as themselves are the ones contacted
 * since the cutoff (a range of the last no_response_days); no_response is the workspace's
 * kept count of sent-or-opened relationships (011) minus those recent ones. */
static lc_err
count_by_status(struct db *db, const struct store_rel_filter *f, int64_t *count)
{
#define RECENT(statuses)                                                                           \
	"(SELECT COUNT(*) FROM relationships FORCE INDEX (ix_relationships_ws_status) "            \
	"WHERE workspace_id = ? AND status IN " statuses " "                                       \
	"AND (last_contacted_at >= ? OR last_contacted_at IS NULL))"
	static const char sql[] =
	    "SELECT (SELECT COUNT(*) FROM relationships FORCE INDEX (ix_relationships_ws_status) "
	    "WHERE workspace_id = ? AND status IN (?, ?, ?, ?, ?, ?, ?, ?)) + " RECENT(
	        "(?, ?)") " + IF(? = 0, 0, (SELECT CAST(contacted_count AS SIGNED) FROM workspaces "
	                  "WHERE id = ?) - " RECENT("(3, 4)") ")";
#undef RECENT
	const unsigned none = 255; /* no stored status: pads the IN lists */
	struct db_param p[19];
	unsigned s;
	size_t n = 0, k;

	p[n++] = DB_I64(f->workspace_id);
	for (s = 0, k = 0; s < 10; s++)
		if (s != 3 && s != 4 && (f->status_mask >> s & 1))
			p[n + k++] = DB_I64(s);
	for (; k < 8; k++)
		p[n + k] = DB_I64(none);
	n += 8;
	p[n++] = DB_I64(f->workspace_id);
	p[n++] = DB_I64(f->status_mask >> 3 & 1 ? 3 : none);
	p[n++] = DB_I64(f->status_mask >> 4 & 1 ? 4 : none);
	p[n++] = DB_CSTR(f->no_response_before_sql);
	p[n++] = DB_I64(f->status_mask >> 10 & 1);
	p[n++] = DB_I64(f->workspace_id);
	p[n++] = DB_I64(f->workspace_id);
	p[n++] = DB_CSTR(f->no_response_before_sql);
	return db_query_i64(db, sql, p, n, count);
}

lc_err
store_rel_count(struct db *db, const struct store_rel_filter *f, int64_t *count)
{
	static const char all_sql[] = "SELECT relationships_count FROM workspaces WHERE id = ?";
	static const char ws_sql[] = "SELECT COUNT(*) FROM relationships r "
	                             "FORCE INDEX (ix_relationships_ws_created) "
	                             "WHERE r.workspace_id = ? " REL_FILTER;
	static const char domain_sql[] = "SELECT COUNT(*) FROM relationships r "
	                                 "FORCE INDEX (ix_relationships_ws_domain) "
	                                 "WHERE r.workspace_id = ? AND r.domain = ? " REL_FILTER;
	static const char cmp_sql[] = "SELECT COUNT(*) FROM relationships r "
	                              "FORCE INDEX (ix_relationships_campaign) "
	                              "WHERE r.workspace_id = ? AND r.campaign_id = ? " REL_FILTER;
	const char *sql = f->campaign_id ? cmp_sql : f->domain ? domain_sql : ws_sql;
	struct db_param p[16];
	size_t n = 0;

	/* Without a campaign, domain or text filter the total must not cost a pass over the
	 * workspace's history: a kept count, or index ranges over the asked statuses. A
	 * campaign or a domain bounds the rows counted; text search (q) reads them all. */
	if (!f->campaign_id && !f->domain && !f->q_like) {
		if ((f->status_mask & STORE_REL_SHOWN_ALL) != STORE_REL_SHOWN_ALL)
			return count_by_status(db, f, count);
		p[0] = DB_I64(f->workspace_id);
		return db_query_i64(db, all_sql, p, 1, count);
	}
	p[n++] = DB_I64(f->workspace_id);
	if (f->campaign_id)
		p[n++] = DB_I64(f->campaign_id);
	else if (f->domain)
		p[n++] = DB_CSTR(f->domain);
	n += rel_filter_params(f, p + n);
	return db_query_i64(db, sql, p, n, count);
}

lc_err
store_rel_get(struct db *db, int64_t workspace_id, const char *public_id, const char *cutoff_sql,
    struct db_rows *out)
{
	static const char sql[] = "SELECT " REL_COLUMNS " FROM relationships r "
	                          "JOIN campaigns c ON c.id = r.campaign_id "
	                          "WHERE r.public_id = ? AND r.workspace_id = ?";
	struct db_param p[] = {DB_CSTR(cutoff_sql), DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_rel_domains(struct db *db, int64_t campaign_id, const char *cutoff_sql, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT domain, IF(status IN (3, 4) AND last_contacted_at < ?, 10, status), link_url, "
	    "IF(status IN (3, 4) AND last_contacted_at >= ?, last_contacted_at, NULL) "
	    "FROM relationships FORCE INDEX (ix_relationships_campaign) WHERE campaign_id = ?";
	struct db_param p[] = {DB_CSTR(cutoff_sql), DB_CSTR(cutoff_sql), DB_I64(campaign_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_rel_insert(struct db *db, const char *public_id, int64_t workspace_id, int64_t campaign_id,
    const char *domain, const char *name, const char *email, const char *now_sql, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO relationships (public_id, workspace_id, campaign_id, domain, "
	    "contact_name, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	static const char count_sql[] =
	    "UPDATE workspaces SET relationships_count = relationships_count + 1 WHERE id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_I64(campaign_id),
	    DB_CSTR(domain), DB_CSTR(name), DB_CSTR(email), DB_CSTR(now_sql), DB_CSTR(now_sql)};
	lc_err e;

	/* the only INSERT into relationships keeps the workspace's count (010) */
	if ((e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, id)) != LC_OK)
		return e;
	return db_exec(db, count_sql, p + 1, 1, NULL, NULL);
}

lc_err
store_rel_stamp(struct db *db, int64_t rel_id, enum rel_stamp s, const char *at_sql,
    int only_if_null, uint64_t *changed)
{
	/* Column names cannot be bound: two fixed statements per column. */
#define STAMP_SQL(col) "UPDATE relationships SET " col " = ? WHERE id = ?"
#define STAMP_NULL_SQL(col) "UPDATE relationships SET " col " = ? WHERE id = ? AND " col " IS NULL"
	static const char *const always[] = {STAMP_SQL("drafted_at"), STAMP_SQL("first_sent_at"),
	    STAMP_SQL("last_contacted_at"), STAMP_SQL("opened_at"), STAMP_SQL("last_reply_at"),
	    STAMP_SQL("placed_at"), STAMP_SQL("bounced_at")};
	static const char *const first[] = {STAMP_NULL_SQL("drafted_at"),
	    STAMP_NULL_SQL("first_sent_at"), STAMP_NULL_SQL("last_contacted_at"),
	    STAMP_NULL_SQL("opened_at"), STAMP_NULL_SQL("last_reply_at"),
	    STAMP_NULL_SQL("placed_at"), STAMP_NULL_SQL("bounced_at")};
#undef STAMP_SQL
#undef STAMP_NULL_SQL
	struct db_param p[] = {DB_CSTR(at_sql), DB_I64(rel_id)};
	uint64_t n = 0;
	lc_err e;

	e = db_exec(db, only_if_null ? first[s] : always[s], p, 2, &n, NULL);
	if (changed)
		*changed = n;
	return e;
}

lc_err
store_rel_advance(struct db *db, int64_t rel_id, unsigned status, unsigned from_mask,
    const char *now_sql, int *contacted)
{
	static const char sql[] = "UPDATE relationships SET status = ?, updated_at = ? "
	                          "WHERE id = ? AND ((1 << status) & ?) <> 0";
	const unsigned sent_or_opened = (1u << 3) | (1u << 4);
	const unsigned part[2] = {from_mask & sent_or_opened, from_mask & ~sent_or_opened};
	const int to_counted = (sent_or_opened >> status) & 1;
	uint64_t n = 0;
	size_t i;
	lc_err e;

	/* The workspace counts sent-or-opened relationships (011), so the change must know
	 * whether the old status was one of them: one UPDATE per side of from_mask (the row
	 * matches at most one), a single one when from_mask lies on one side. */
	for (i = 0; i < 2; i++) {
		struct db_param p[] = {
		    DB_I64(status), DB_CSTR(now_sql), DB_I64(rel_id), DB_I64(part[i])};
		if (part[i] == 0)
			continue;
		if ((e = db_exec(db, sql, p, 4, &n, NULL)) != LC_OK)
			return e;
		if (n == 1) {
			*contacted += to_counted - (i == 0);
			return LC_OK;
		}
	}
	return LC_OK;
}

lc_err
store_rel_set_link(struct db *db, int64_t rel_id, const char *url)
{
	static const char sql[] = "UPDATE relationships SET link_url = ? WHERE id = ?";
	struct db_param p[] = {DB_CSTR(url), DB_I64(rel_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_rel_was_sent(struct db *db, int64_t rel_id, int *yes)
{
	static const char sql[] =
	    "SELECT first_sent_at IS NOT NULL FROM relationships WHERE id = ?";
	struct db_param p[] = {DB_I64(rel_id)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	*yes = r.nrows == 1 && db_i64(&r, 0, 0) == 1;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
store_rel_funnel_lock(struct db *db, int64_t rel_id, unsigned *facts)
{
	static const char sql[] = "SELECT funnel FROM relationships WHERE id = ? FOR UPDATE";
	struct db_param p[] = {DB_I64(rel_id)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	e = r.nrows == 1 ? LC_OK : LC_ENOTFOUND;
	*facts = r.nrows == 1 ? (unsigned)db_i64(&r, 0, 0) : 0;
	db_rows_free(&r);
	return e;
}

lc_err
store_rel_funnel_set(struct db *db, int64_t rel_id, unsigned facts)
{
	static const char sql[] = "UPDATE relationships SET funnel = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(facts), DB_I64(rel_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}
