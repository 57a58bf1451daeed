/* store_campaigns.c: campaigns, their counters and per-day aggregates. */
#include <string.h>

#include "db/store_campaigns.h"
#include "db/store_mailboxes.h"

#define CAMPAIGN_COLUMNS                                                                           \
	"id, public_id, type, name, created_at, status, drafts_count, sent_count, "                \
	"replied_count, placed_count, opened_count, target_url, sender, updated_at, "              \
	"delivered_count, paused_at, pause_reason, pending_approvals"

/* One WHERE clause serves list and count so they can never disagree. The cursor bound
 * "created_at <= ?" gives the index range its upper end; the OR breaks ties by id. When
 * one status is asked (the usual "active"), (workspace_id, status, created_at, id) reads
 * only campaigns in it, however many older ones the workspace has ended. */
#define CAMPAIGN_WHERE                                                                             \
	"AND ((1 << type) & ?) <> 0 AND ((1 << status) & ?) <> 0 AND created_at >= ? "             \
	"AND (? IS NULL OR name LIKE ? ESCAPE '!') "
#define CAMPAIGN_FILTER                                                                            \
	" FROM campaigns FORCE INDEX (ix_campaigns_ws_created) WHERE workspace_id = "              \
	"? " CAMPAIGN_WHERE
#define CAMPAIGN_FILTER_ONE_STATUS                                                                 \
	" FROM campaigns FORCE INDEX (ix_campaigns_ws_status) WHERE workspace_id = ? "             \
	"AND status = ? " CAMPAIGN_WHERE

static int one_status(unsigned mask);
static size_t filter_params(const struct store_campaign_filter *, int, struct db_param *);

static lc_err count_move(struct db *, int64_t, unsigned, unsigned, int);

/* one_status returns the only status in mask, or -1 when it names none or several. */
static int
one_status(unsigned mask)
{
	int s;

	if (mask == 0 || (mask & (mask - 1)) != 0)
		return -1;
	for (s = 0; !(mask & 1u << s); s++)
		;
	return s;
}

/* count_move adds delta to the (workspace, type, status) campaign counter. */
static lc_err
count_move(struct db *db, int64_t workspace_id, unsigned type, unsigned status, int delta)
{
	static const char add_sql[] =
	    "INSERT INTO workspace_campaign_counts (workspace_id, type, status, n) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = n + VALUES(n)";
	static const char sub_sql[] =
	    "UPDATE workspace_campaign_counts SET n = GREATEST(CAST(n AS SIGNED) - ?, 0) "
	    "WHERE workspace_id = ? AND type = ? AND status = ?";
	struct db_param add[] = {DB_I64(workspace_id), DB_I64(type), DB_I64(status), DB_I64(delta)};
	struct db_param sub[] = {
	    DB_I64(-delta), DB_I64(workspace_id), DB_I64(type), DB_I64(status)};

	if (delta >= 0)
		return db_exec(db, add_sql, add, 4, NULL, NULL);
	return db_exec(db, sub_sql, sub, 4, NULL, NULL);
}

/* filter_params binds the scope and CAMPAIGN_WHERE's parameters (the status only for the
 * one-status form); returns how many it wrote. */
static size_t
filter_params(const struct store_campaign_filter *f, int status, struct db_param *p)
{
	size_t n = 0;

	p[n++] = DB_I64(f->workspace_id);
	if (status >= 0)
		p[n++] = DB_I64(status);
	p[n++] = DB_I64(f->type_mask);
	p[n++] = DB_I64(f->status_mask);
	p[n++] = DB_CSTR(f->since_sql);
	p[n++] = f->q_like ? DB_CSTR(f->q_like) : DB_NULL;
	p[n++] = f->q_like ? DB_CSTR(f->q_like) : DB_NULL;
	return n;
}

lc_err
store_campaign_list(struct db *db, const struct store_campaign_filter *f, struct db_rows *out)
{
	/* A list item needs only the first CMP_COL_LIST_NCOLS columns (opened_count for its
	 * openRate); the page's total rides along as one more column, an uncorrelated scalar
	 * subquery MariaDB evaluates once per statement, so a page and its total are one round
	 * trip (issue 20). Without a time or text filter the per-status counters answer it
	 * exactly; with one it is COUNT(*) over the same WHERE as the page, so the two can
	 * never disagree. */
#define FAST_TOTAL                                                                                 \
	"(SELECT COALESCE(SUM(n), 0) FROM workspace_campaign_counts WHERE workspace_id = ? "       \
	"AND ((1 << type) & ?) <> 0 AND ((1 << status) & ?) <> 0)"
#define LIST_SQL(total, filter, window)                                                            \
	"SELECT id, public_id, type, name, created_at, status, drafts_count, sent_count, "         \
	"replied_count, placed_count, opened_count, " total filter window                          \
	"ORDER BY created_at DESC, id DESC LIMIT ?"
	/* A first page has no cursor: without the window's range the optimizer has one
	 * condition less to weigh on every execution (most lists are first pages). */
#define WINDOW "AND created_at <= ? AND (created_at < ? OR id < ?) "
#define COUNT_TOTAL "(SELECT COUNT(*)" CAMPAIGN_FILTER ")"
#define COUNT_TOTAL_ONE "(SELECT COUNT(*)" CAMPAIGN_FILTER_ONE_STATUS ")"
	static const char *const sql[2][2][2] = {
	    {{LIST_SQL(COUNT_TOTAL, CAMPAIGN_FILTER, ""),
	         LIST_SQL(COUNT_TOTAL, CAMPAIGN_FILTER, WINDOW)},
	        {LIST_SQL(COUNT_TOTAL_ONE, CAMPAIGN_FILTER_ONE_STATUS, ""),
	            LIST_SQL(COUNT_TOTAL_ONE, CAMPAIGN_FILTER_ONE_STATUS, WINDOW)}},
	    {{LIST_SQL(FAST_TOTAL, CAMPAIGN_FILTER, ""),
	         LIST_SQL(FAST_TOTAL, CAMPAIGN_FILTER, WINDOW)},
	        {LIST_SQL(FAST_TOTAL, CAMPAIGN_FILTER_ONE_STATUS, ""),
	            LIST_SQL(FAST_TOTAL, CAMPAIGN_FILTER_ONE_STATUS, WINDOW)}}};
#undef LIST_SQL
#undef WINDOW
#undef COUNT_TOTAL
#undef COUNT_TOTAL_ONE
#undef FAST_TOTAL
	int status = one_status(f->status_mask);
	int fast = f->q_like == NULL && !f->has_since;
	int cursor = f->w.before_sql != NULL;
	struct db_param p[24];
	size_t n = 0;

	if (fast) {
		p[n++] = DB_I64(f->workspace_id);
		p[n++] = DB_I64(f->type_mask);
		p[n++] = DB_I64(f->status_mask);
	} else {
		n += filter_params(f, status, p + n);
	}
	n += filter_params(f, status, p + n);
	if (cursor) {
		p[n++] = DB_CSTR(f->w.before_sql);
		p[n++] = DB_CSTR(f->w.before_sql);
		p[n++] = DB_I64(f->w.before_id);
	}
	p[n++] = DB_I64(f->w.limit);
	return db_query(db, sql[fast][status >= 0][cursor], p, n, out);
}

lc_err
store_campaign_count(struct db *db, const struct store_campaign_filter *f, int64_t *n)
{
	static const char fast_sql[] =
	    "SELECT COALESCE(SUM(n), 0) FROM workspace_campaign_counts WHERE workspace_id = ? "
	    "AND ((1 << type) & ?) <> 0 AND ((1 << status) & ?) <> 0";
	static const char sql[] = "SELECT COUNT(*)" CAMPAIGN_FILTER;
	static const char one_sql[] = "SELECT COUNT(*)" CAMPAIGN_FILTER_ONE_STATUS;
	/* without a time or text filter the per-status counters answer exactly */
	int fast = f->q_like == NULL && !f->has_since;
	int status = fast ? -1 : one_status(f->status_mask);
	struct db_param p[8];
	size_t np = filter_params(f, status, p);

	if (fast) /* workspace, type and status masks */
		return db_query_i64(db, fast_sql, p, 3, n);
	return db_query_i64(db, status >= 0 ? one_sql : sql, p, np, n);
}

lc_err
store_campaign_get(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE public_id = ? AND workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_campaign_get_detail(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	/* the campaign and, in one more column, its mailboxes' public ids separated by spaces
	 * (NULL when none): the one-campaign answer in one round trip instead of two (#20) */
	static const char sql[] =
	    "SELECT " CAMPAIGN_COLUMNS
	    ", (SELECT GROUP_CONCAT(b.public_id ORDER BY" CAMPAIGN_MAILBOXES_ORDER
	    "SEPARATOR ' ')" CAMPAIGN_MAILBOXES_WHERE(
	        "campaigns.id") ") "
	                        "FROM campaigns WHERE public_id = ? AND workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_campaign_insert(struct db *db, const char *public_id, int64_t workspace_id, unsigned type,
    const char *name, const char *target_url, const char *sender, unsigned status,
    const char *subject, const char *body, const char *now_sql, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO campaigns (public_id, workspace_id, type, name, target_url, sender, "
	    "status, template_subject, template_body, created_at, updated_at, launched_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, IF(? = 0, NULL, ?))";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_I64(type),
	    DB_CSTR(name), DB_CSTR(target_url), DB_CSTR(sender), DB_I64(status), DB_CSTR(subject),
	    DB_CSTR(body), DB_CSTR(now_sql), DB_CSTR(now_sql), DB_I64(status), DB_CSTR(now_sql)};
	lc_err e;

	if ((e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, id)) != LC_OK)
		return e;
	return count_move(db, workspace_id, type, status, 1);
}

lc_err
store_campaign_timeline(struct db *db, int64_t campaign_id, struct db_rows *out)
{
	/* per-day aggregates, then pauses and resumes (kinds 6 and 7) on the same day in time
	 * order: one round trip for the whole timeline */
	static const char sql[] =
	    "SELECT day, kind, count, NULL, 0 AS note, day AS at FROM campaign_days "
	    "WHERE campaign_id = ? UNION ALL "
	    "SELECT DATE(occurred_at), 6 + kind, 0, reason, 1, occurred_at "
	    "FROM campaign_state_notes WHERE campaign_id = ? ORDER BY 1, 5, 6, 2";
	struct db_param p[] = {DB_I64(campaign_id), DB_I64(campaign_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_campaign_day_add(
    struct db *db, int64_t campaign_id, const char *day, unsigned kind, unsigned n)
{
	static const char sql[] =
	    "INSERT INTO campaign_days (campaign_id, day, kind, count) VALUES (?, ?, ?, ?) "
	    "ON DUPLICATE KEY UPDATE count = count + VALUES(count)";
	struct db_param p[] = {DB_I64(campaign_id), DB_CSTR(day), DB_I64(kind), DB_I64(n)};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_campaign_note_add(
    struct db *db, int64_t campaign_id, const char *at_sql, unsigned kind, const char *reason)
{
	static const char sql[] = "INSERT INTO campaign_state_notes (campaign_id, occurred_at, "
	                          "kind, reason) VALUES (?, ?, ?, ?)";
	struct db_param p[] = {
	    DB_I64(campaign_id), DB_CSTR(at_sql), DB_I64(kind), reason ? DB_CSTR(reason) : DB_NULL};

	return db_exec(db, sql, p, 4, NULL, NULL);
}

lc_err
store_campaign_counter_add(
    struct db *db, int64_t campaign_id, enum campaign_counter c, int delta, const char *now_sql)
{
	/* Column names cannot be bound: one fixed statement per counter. GREATEST keeps an
	 * unsigned counter from wrapping if a decrement ever races past zero. */
#define COUNTER_SQL(col)                                                                           \
	"UPDATE campaigns SET " col " = GREATEST(CAST(" col " AS SIGNED) + ?, 0), "                \
	"updated_at = ? WHERE id = ?"
	static const char *const sqls[] = {COUNTER_SQL("drafts_count"), COUNTER_SQL("sent_count"),
	    COUNTER_SQL("delivered_count"), COUNTER_SQL("opened_count"),
	    COUNTER_SQL("replied_count"), COUNTER_SQL("placed_count"),
	    COUNTER_SQL("pending_approvals")};
#undef COUNTER_SQL
	struct db_param p[] = {DB_I64(delta), DB_CSTR(now_sql), DB_I64(campaign_id)};

	return db_exec(db, sqls[c], p, 3, NULL, NULL);
}

lc_err
store_campaign_counters_add(
    struct db *db, int64_t campaign_id, const int delta[COUNTER_NCOUNTERS], const char *now_sql)
{
#define ADD(col) col " = GREATEST(CAST(" col " AS SIGNED) + ?, 0), "
	static const char sql[] = "UPDATE campaigns SET " ADD("drafts_count") ADD("sent_count")
	    ADD("delivered_count") ADD("opened_count") ADD("replied_count") ADD("placed_count")
	        ADD("pending_approvals") "updated_at = ? WHERE id = ?";
#undef ADD
	struct db_param p[COUNTER_NCOUNTERS + 2];
	size_t i;

	for (i = 0; i < COUNTER_NCOUNTERS; i++)
		p[i] = DB_I64(delta[i]);
	p[COUNTER_NCOUNTERS] = DB_CSTR(now_sql);
	p[COUNTER_NCOUNTERS + 1] = DB_I64(campaign_id);
	return db_exec(db, sql, p, COUNTER_NCOUNTERS + 2, NULL, NULL);
}

lc_err
store_campaign_first_set(
    struct db *db, int64_t campaign_id, int which, const char *at_sql, int *was_first)
{
	static const char reply_sql[] = "UPDATE campaigns SET first_reply_at = ? "
	                                "WHERE id = ? AND first_reply_at IS NULL";
	static const char placed_sql[] = "UPDATE campaigns SET first_placed_at = ? "
	                                 "WHERE id = ? AND first_placed_at IS NULL";
	struct db_param p[] = {DB_CSTR(at_sql), DB_I64(campaign_id)};
	uint64_t n = 0;
	lc_err e;

	e = db_exec(db, which ? placed_sql : reply_sql, p, 2, &n, NULL);
	*was_first = n == 1;
	return e;
}

lc_err
store_campaign_set_status(struct db *db, int64_t campaign_id, unsigned from_status,
    unsigned to_status, const char *reason, const char *now_sql, uint64_t *changed)
{
	/* paused_at/pause_reason describe the current pause only; resuming clears them. */
	static const char sql[] =
	    "UPDATE campaigns SET status = ?, updated_at = ?, "
	    "paused_at = IF(? = 2, ?, NULL), pause_reason = IF(? = 2, ?, NULL) "
	    "WHERE id = ? AND status = ?";
	/* the (workspace, type, status) counters of both statuses in one statement, the
	 * workspace and type read from the row this transaction just updated: the old status's
	 * counter down (never below 0; a missing one is made at 0), the new one's up */
	static const char move_sql[] =
	    "INSERT INTO workspace_campaign_counts (workspace_id, type, status, n) "
	    "SELECT c.workspace_id, c.type, s.st, s.plus FROM campaigns c "
	    "JOIN (SELECT ? AS st, 0 AS plus UNION ALL SELECT ?, 1) s WHERE c.id = ? "
	    "ON DUPLICATE KEY UPDATE n = IF(VALUES(n) = 0, GREATEST(CAST(n AS SIGNED) - 1, 0), "
	    "n + 1)";
	struct db_param p[] = {DB_I64(to_status), DB_CSTR(now_sql), DB_I64(to_status),
	    DB_CSTR(now_sql), DB_I64(to_status), reason ? DB_CSTR(reason) : DB_NULL,
	    DB_I64(campaign_id), DB_I64(from_status)};
	struct db_param q[] = {DB_I64(from_status), DB_I64(to_status), DB_I64(campaign_id)};
	lc_err e;

	if ((e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), changed, NULL)) != LC_OK ||
	    *changed != 1)
		return e;
	return db_exec(db, move_sql, q, 3, NULL, NULL);
}
