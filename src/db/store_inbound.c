/* store_inbound.c: inbound mail, its matching, and relationship histories. */
#include <string.h>

#include "db/store_inbound.h"
#include "db/store_suppressions.h"
#include "util/timefmt.h"

static size_t in_filter(const struct store_inbound_filter *, struct db_param *);
static lc_err counted_move(struct db *, int64_t, int64_t, unsigned, int, int);
static lc_err counted_move_row(struct db *, int64_t, int);

#define IN_SELECT_COLUMNS                                                                          \
	"SELECT i.id, i.public_id, i.workspace_id, c.public_id, r.public_id, o.public_id, "        \
	"i.klass, i.match_method, i.message_id_header, i.in_reply_to, i.references_header, "       \
	"i.from_email, i.from_name, i.to_email, i.subject, i.body_text, i.body_new, "              \
	"i.bounce_status, i.bounce_recipient, i.sent_at, i.received_at, i.campaign_id, "           \
	"i.relationship_id, a.public_id, o.message_id_header, i.ooo_return, i.triage_decision, "   \
	"i.triaged_by, i.triaged_at "
#define IN_JOINS                                                                                   \
	"LEFT JOIN campaigns c ON c.id = i.campaign_id "                                           \
	"LEFT JOIN relationships r ON r.id = i.relationship_id "                                   \
	"LEFT JOIN outbound_messages o ON o.id = i.outbound_id "                                   \
	"LEFT JOIN outbound_messages a ON a.id = i.auto_response_id "
#define IN_SELECT IN_SELECT_COLUMNS "FROM inbound_messages i " IN_JOINS

/* counted_move moves the list's kept count of a workspace's mail of one campaign (0:
 * none), class and match by delta (inbound_counts, sql/190). */
static lc_err
counted_move(struct db *db, int64_t ws, int64_t campaign, unsigned klass, int matched, int delta)
{
	static const char sql[] =
	    "INSERT INTO inbound_counts (workspace_id, campaign_id, klass, matched, n) "
	    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE n = n + VALUES(n)";
	struct db_param p[] = {
	    DB_I64(ws), DB_I64(campaign), DB_I64(klass), DB_I64(matched != 0), DB_I64(delta)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}

/* counted_move_row moves the kept count message id is counted in by delta, read from its
 * row as it stands in this transaction (a caller that holds its lock). */
static lc_err
counted_move_row(struct db *db, int64_t id, int delta)
{
	static const char sql[] =
	    "INSERT INTO inbound_counts (workspace_id, campaign_id, klass, matched, n) "
	    "SELECT workspace_id, COALESCE(campaign_id, 0), klass, relationship_id IS NOT NULL, ? "
	    "FROM inbound_messages WHERE id = ? AND workspace_id IS NOT NULL "
	    "ON DUPLICATE KEY UPDATE n = n + VALUES(n)";
	struct db_param p[] = {DB_I64(delta), DB_I64(id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_inbound_insert(struct db *db, const struct store_inbound_new *m, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO inbound_messages (public_id, dedupe_key, workspace_id, campaign_id, "
	    "relationship_id, outbound_id, klass, match_method, message_id_header, in_reply_to, "
	    "references_header, from_email, from_name, to_email, subject, body_text, body_new, "
	    "bounce_status, bounce_recipient, sent_at, received_at, raw_size, ooo_return) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define OPT_I(v) ((v) ? DB_I64(v) : DB_NULL)
#define OPT_S(v) ((v) ? DB_CSTR(v) : DB_NULL)
	struct db_param p[] = {DB_CSTR(m->public_id), DB_CSTR(m->dedupe_key),
	    OPT_I(m->workspace_id), OPT_I(m->campaign_id), OPT_I(m->relationship_id),
	    OPT_I(m->outbound_id), DB_I64(m->klass), DB_I64(m->match_method), OPT_S(m->message_id),
	    OPT_S(m->in_reply_to), OPT_S(m->references), OPT_S(m->from_email), OPT_S(m->from_name),
	    OPT_S(m->to_email), DB_CSTR(m->subject), DB_CSTR(m->text), DB_CSTR(m->text_new),
	    OPT_S(m->bounce_status), OPT_S(m->bounce_recipient), OPT_S(m->sent_sql),
	    DB_CSTR(m->now_sql), DB_I64(m->raw_size), OPT_S(m->ooo_return)};
#undef OPT_I
#undef OPT_S
	lc_err e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, id);

	if (e != LC_OK || m->workspace_id == 0)
		return e; /* mail of no workspace is in no workspace's list */
	return counted_move(
	    db, m->workspace_id, m->campaign_id, m->klass, m->relationship_id != 0, 1);
}

lc_err
store_inbound_by_dedupe(struct db *db, const char *key, struct db_rows *out)
{
	static const char sql[] = "SELECT id, public_id FROM inbound_messages WHERE dedupe_key = ?";
	struct db_param p[] = {DB_CSTR(key)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_inbound_set_auto(struct db *db, int64_t id, int64_t msg_id)
{
	static const char sql[] = "UPDATE inbound_messages SET auto_response_id = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(msg_id), DB_I64(id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_inbound_get(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] = IN_SELECT "WHERE i.public_id = ? AND i.workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

/* The list and its count name their index, and a campaign filter has statements of its
 * own: with one "(? = 0 OR i.campaign_id = ?)" for both, a campaign's page walked the
 * workspace's mail until it found its 50, and the count of a workspace holding half the
 * table was a scan of the whole table (the count now reads inbound_counts).
 * ix_inbound_ws and ix_inbound_campaign (190) hold the class, campaign and match the
 * filter tests, so no row is fetched to test them. [campaign filter] */
#define IN_FILTER                                                                                  \
	"WHERE i.workspace_id = ? AND ((1 << i.klass) & ?) <> 0 "                                  \
	"AND (? = -1 OR (i.relationship_id IS NOT NULL) = ?) "
#define IN_FROM_WS "FROM inbound_messages i FORCE INDEX (ix_inbound_ws) "
#define IN_FROM_CAMPAIGN "FROM inbound_messages i FORCE INDEX (ix_inbound_campaign) "
#define IN_CAMPAIGN "AND i.campaign_id = ? "

/* in_filter binds the filter's parameters into p (5 at most) and returns how many. */
static size_t
in_filter(const struct store_inbound_filter *f, struct db_param *p)
{
	size_t n = 0;

	p[n++] = DB_I64(f->workspace_id);
	p[n++] = DB_I64(f->klass_mask);
	p[n++] = DB_I64(f->matched);
	p[n++] = DB_I64(f->matched);
	if (f->campaign_id != 0)
		p[n++] = DB_I64(f->campaign_id);
	return n;
}

lc_err
store_inbound_list(struct db *db, const struct store_inbound_filter *f, struct db_rows *out)
{
#define IN_PAGE                                                                                    \
	"AND i.received_at <= ? AND (i.received_at < ? OR i.id < ?) "                              \
	"ORDER BY i.received_at DESC, i.id DESC LIMIT ?"
	static const char *const sql[2] = {IN_SELECT_COLUMNS IN_FROM_WS IN_JOINS IN_FILTER IN_PAGE,
	    IN_SELECT_COLUMNS IN_FROM_CAMPAIGN IN_JOINS IN_FILTER IN_CAMPAIGN IN_PAGE};
#undef IN_PAGE
	const char *before = f->w.before_sql ? f->w.before_sql : "9999-12-31 23:59:59.999";
	struct db_param p[9];
	size_t n = in_filter(f, p);

	p[n++] = DB_CSTR(before);
	p[n++] = DB_CSTR(before);
	p[n++] = DB_I64(f->w.before_sql ? f->w.before_id : INT64_MAX);
	p[n++] = DB_I64(f->w.limit);
	return db_query(db, sql[f->campaign_id != 0], p, n, out);
}

lc_err
store_inbound_count(struct db *db, const struct store_inbound_filter *f, int64_t *n)
{
	/* the kept counts (sql/190): a row per campaign, class and match of the workspace by
	 * its primary key, or of one campaign */
	static const char *const sql[2] = {
	    "SELECT COALESCE(SUM(n), 0) FROM inbound_counts WHERE workspace_id = ? "
	    "AND ((1 << klass) & ?) <> 0 AND (? = -1 OR matched = ?)",
	    "SELECT COALESCE(SUM(n), 0) FROM inbound_counts WHERE workspace_id = ? "
	    "AND ((1 << klass) & ?) <> 0 AND (? = -1 OR matched = ?) AND campaign_id = ?"};
	struct db_param p[5];
	size_t np = in_filter(f, p);

	return db_query_i64(db, sql[f->campaign_id != 0], p, np, n);
}

lc_err
store_outbound_by_msgid(struct db *db, const char *msgid, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, workspace_id, campaign_id, relationship_id, status, public_id, "
	    "message_id_header FROM outbound_messages WHERE message_id_header = ?";
	struct db_param p[] = {DB_CSTR(msgid)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_outbound_by_token(struct db *db, const char *token, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT id, workspace_id, campaign_id, relationship_id, status, public_id, "
	    "message_id_header FROM outbound_messages "
	    "WHERE message_id_header LIKE CONCAT('<', ?, '.%') LIMIT 2";
	struct db_param p[] = {DB_CSTR(token)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_rel_by_email(struct db *db, int64_t workspace_id, const char *email, struct db_rows *out)
{
	static const char sql[] = "SELECT id, campaign_id FROM relationships "
	                          "WHERE workspace_id = ? AND contact_email = ? "
	                          "ORDER BY created_at DESC, id DESC LIMIT 1";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(email)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_rel_by_domain(struct db *db, int64_t workspace_id, const char *domain, struct db_rows *out)
{
	/* ix_relationships_ws_domain (workspace_id, domain, created_at, id): the prospects at
	 * that domain only, however large the workspace */
	static const char sql[] = "SELECT r.id, r.campaign_id FROM relationships r "
	                          "FORCE INDEX (ix_relationships_ws_domain) "
	                          "JOIN campaigns c ON c.id = r.campaign_id "
	                          "WHERE r.workspace_id = ? AND r.domain IN (?, CONCAT('www.', ?)) "
	                          "AND r.status IN (3, 4, 5, 6) AND c.status IN (1, 2) "
	                          "ORDER BY r.created_at DESC, r.id DESC LIMIT 2";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(domain), DB_CSTR(domain)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_workspaces_by_sender(struct db *db, const char *email, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT DISTINCT workspace_id FROM campaigns WHERE sender = ? LIMIT 2";
	struct db_param p[] = {DB_CSTR(email)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_pending_answers(struct db *db, int64_t inbound_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id FROM outbound_messages WHERE inbound_id = ? "
	                          "AND kind = 3 AND status IN (0, 1, 8, 9) FOR UPDATE";
	struct db_param p[] = {DB_I64(inbound_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_pending_follow_ups(struct db *db, int64_t rel_id, struct db_rows *out)
{
	static const char sql[] = "SELECT id FROM outbound_messages WHERE relationship_id = ? "
	                          "AND kind = 4 AND status IN (0, 1, 8, 9) FOR UPDATE";
	struct db_param p[] = {DB_I64(rel_id)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_follow_ups_not_before(
    struct db *db, int64_t rel_id, int64_t not_before_ms, const char *now_sql)
{
	/* the rows of ix_outbound_relationship's pending follow-ups (store_msg_pending_follow_ups):
	 * due_at moves with schedule_at, and queue_due (008) follows due_at by itself */
	static const char sql[] =
	    "UPDATE outbound_messages SET schedule_at = GREATEST(schedule_at, ?), "
	    "due_at = GREATEST(due_at, ?), updated_at = ? WHERE relationship_id = ? AND kind = 4 "
	    "AND status IN (0, 1, 8, 9) AND schedule_at < ?";
	char when[TIME_SQL_LEN];

	sqltime_format(not_before_ms, when);
	{
		struct db_param p[] = {
		    DB_CSTR(when), DB_CSTR(when), DB_CSTR(now_sql), DB_I64(rel_id), DB_CSTR(when)};

		return db_exec(db, sql, p, 5, NULL, NULL);
	}
}

lc_err
store_campaign_auto_get(struct db *db, int64_t campaign_id, const char *email, struct db_rows *out)
{
	/* the campaign and its workspace by their primary keys */
	static const char sql[] =
	    "SELECT c.auto_response_body, c.auto_response_delay_minutes, c.status, c.sender, "
	    "w.approve_auto_responses, " SUPPRESSED_SQL("w.account_id", "w.id", "?",
	        "?") " FROM campaigns c JOIN workspaces w ON w.id = c.workspace_id WHERE c.id = ?";
	struct db_param p[] = {email ? DB_CSTR(email) : DB_NULL, email ? DB_CSTR(email) : DB_NULL,
	    DB_I64(campaign_id)};

	return db_query(db, sql, p, 3, out);
}

lc_err
store_rel_history(struct db *db, int64_t rel_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT 0, public_id, kind, status, subject, COALESCE(sent_at, created_at) AS at, "
	    "IF(status = 8, held_reason, NULL), IF(status = 8, next_slot_at, NULL) "
	    "FROM outbound_messages WHERE relationship_id = ? "
	    "UNION ALL SELECT 1, public_id, klass, 0, subject, received_at, NULL, NULL "
	    "FROM inbound_messages WHERE relationship_id = ? ORDER BY at, 2 LIMIT 500";
	struct db_param p[] = {DB_I64(rel_id), DB_I64(rel_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_triage_list(
    struct db *db, int64_t workspace_id, const struct store_window *w, struct db_rows *out)
{
	static const char sql[] = IN_SELECT
	    "WHERE i.workspace_id = ? AND i.triage_at IS NOT NULL AND i.triage_at <= ? "
	    "AND (i.triage_at < ? OR i.id < ?) ORDER BY i.triage_at DESC, i.id DESC LIMIT ?";
	const char *before = w->before_sql ? w->before_sql : "9999-12-31 23:59:59.999";
	struct db_param p[] = {DB_I64(workspace_id), DB_CSTR(before), DB_CSTR(before),
	    DB_I64(w->before_sql ? w->before_id : INT64_MAX), DB_I64(w->limit)};

	return db_query(db, sql, p, 5, out);
}

lc_err
store_triage_count(struct db *db, int64_t workspace_id, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM inbound_messages "
	                          "WHERE workspace_id = ? AND triage_at IS NOT NULL";
	struct db_param p[] = {DB_I64(workspace_id)};

	return db_query_i64(db, sql, p, 1, n);
}

lc_err
store_inbound_get_locked(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    IN_SELECT "WHERE i.public_id = ? AND i.workspace_id = ? FOR UPDATE";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_triage_set(struct db *db, int64_t id, int64_t campaign_id, int64_t rel_id, unsigned decision,
    const char *by, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE inbound_messages SET campaign_id = COALESCE(?, campaign_id), "
	    "relationship_id = COALESCE(?, relationship_id), "
	    "match_method = IF(? IS NULL, match_method, 4), triage_decision = ?, triaged_by = ?, "
	    "triaged_at = ? WHERE id = ? AND triage_decision IS NULL";
	struct db_param p[] = {rel_id ? DB_I64(campaign_id) : DB_NULL,
	    rel_id ? DB_I64(rel_id) : DB_NULL, rel_id ? DB_I64(rel_id) : DB_NULL, DB_I64(decision),
	    DB_CSTR(by), DB_CSTR(now_sql), DB_I64(id)};
	lc_err e;

	/* a match moves the mail to its campaign and prospect: out of the count it was in
	 * before the UPDATE, into the one it is in after (the same one when the UPDATE found
	 * it decided already and changed nothing) */
	if (rel_id && (e = counted_move_row(db, id, -1)) != LC_OK)
		return e;
	if ((e = db_exec(db, sql, p, 7, NULL, NULL)) != LC_OK || rel_id == 0)
		return e;
	return counted_move_row(db, id, 1);
}
