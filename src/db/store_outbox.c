/* store_outbox.c: outbound messages, invocations and approval decisions. */
#include <string.h>

#include "db/batch.h"
#include "db/store_outbox.h"
#include "db/store_suppressions.h"

/* A message's status awaiting approval (enum msg_status's first), and the bit of it in a
 * status mask: the approval queue's counts follow it (approval_waiting, sql/180). */
#define AWAITING 0u
#define AWAITING_BIT (1u << AWAITING)

static lc_err waiting_move(struct db *, int64_t, int);
static lc_err waiting_count(struct db *, const struct store_msg_filter *, int64_t *);
static lc_err batch_read(struct db *, const char *, const int64_t *, size_t, struct db_rows *);
static lc_err status_move(
    struct db *, const char *, struct db_param *, size_t, int64_t, unsigned, unsigned, uint64_t *);

/* waiting_move moves the count of messages awaiting approval of message id's workspace,
 * campaign and kind by delta. Its caller has just written the message into or out of
 * awaiting approval in this transaction, so the row it reads is locked. */
static lc_err
waiting_move(struct db *db, int64_t id, int delta)
{
	static const char sql[] =
	    "INSERT INTO approval_waiting (workspace_id, campaign_id, kind, n) "
	    "SELECT workspace_id, campaign_id, kind, ? FROM outbound_messages WHERE id = ? "
	    "ON DUPLICATE KEY UPDATE n = n + VALUES(n)";
	struct db_param p[] = {DB_I64(delta), DB_I64(id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

/* status_move runs sql, an UPDATE of message id whose last parameter (p[np - 1]) is the
 * status mask it may move the message from, to status, and moves the count of messages
 * awaiting approval with it. As store_rel_advance does for its count: one UPDATE per side
 * of from_mask (awaiting approval, the rest; the row matches at most one), a single one
 * when from_mask lies on one side, so which status the message left is known without
 * reading it. */
static lc_err
status_move(struct db *db, const char *sql, struct db_param *p, size_t np, int64_t id,
    unsigned from_mask, unsigned status, uint64_t *changed)
{
	const unsigned part[2] = {from_mask & AWAITING_BIT, from_mask & ~AWAITING_BIT};
	const int to_counted = status == AWAITING;
	uint64_t n = 0;
	size_t i;
	lc_err e;

	if (changed)
		*changed = 0;
	for (i = 0; i < 2; i++) {
		if (part[i] == 0)
			continue;
		p[np - 1] = DB_I64(part[i]);
		if ((e = db_exec(db, sql, p, np, &n, NULL)) != LC_OK)
			return e;
		if (n == 1) {
			if (changed)
				*changed = 1;
			return to_counted == (i == 0) ? LC_OK
			                              : waiting_move(db, id, to_counted - (i == 0));
		}
	}
	return LC_OK;
}

/* MSG_SELECT_WITH(SUPPRESSED) reads a message with what its rules need from its campaign,
 * prospect, workspace and invocation. Only the delivery claim reads whether the address is
 * on a do-not-email list (MSG_SELECT_CLAIM): SUPPRESSED_SQL's two subqueries are 40% of
 * the statement's cost (67 of 161 µs, measured with performance_schema), and every other
 * read (a decision, its answer, a reply, the lists) left the answer unused. */
#define MSG_COLUMNS(SUPPRESSED)                                                                    \
	"SELECT m.id, m.public_id, m.workspace_id, m.campaign_id, m.relationship_id, "             \
	"m.invocation_id, m.kind, m.status, m.follow_up_step, m.parent_id, m.from_email, "         \
	"m.to_email, m.to_name, m.subject, m.body, m.message_id_header, m.in_reply_to, "           \
	"m.references_header, m.unsubscribe_token, m.schedule_at, m.due_at, m.created_at, "        \
	"m.updated_at, m.requested_by, m.credits_reserved, m.credits_charged, m.attempts, "        \
	"m.fence, m.smtp_phase, m.last_error, m.sent_at, c.public_id, r.public_id, c.status, "     \
	"r.status, " SUPPRESSED ", w.max_lateness_hours, i.public_id, m.decided_at, "              \
	"w.track_opens, m.open_token, m.held_reason, m.next_slot_at "
#define MSG_JOINS                                                                                  \
	"JOIN campaigns c ON c.id = m.campaign_id "                                                \
	"JOIN relationships r ON r.id = m.relationship_id "                                        \
	"JOIN workspaces w ON w.id = m.workspace_id "                                              \
	"LEFT JOIN invocations i ON i.id = m.invocation_id "
#define MSG_SELECT_WITH(SUPPRESSED) MSG_COLUMNS(SUPPRESSED) "FROM outbound_messages m " MSG_JOINS
#define MSG_SELECT MSG_SELECT_WITH("NULL")
#define MSG_SELECT_CLAIM                                                                           \
	MSG_SELECT_WITH(                                                                           \
	    SUPPRESSED_SQL("w.account_id", "m.workspace_id", "m.to_email", "m.to_email"))

lc_err
store_msg_insert(struct db *db, const struct store_msg_new *m, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO outbound_messages (public_id, workspace_id, campaign_id, relationship_id, "
	    "invocation_id, parent_id, kind, status, follow_up_step, from_email, to_email, "
	    "to_name, "
	    "subject, body, message_id_header, in_reply_to, references_header, unsubscribe_token, "
	    "schedule_at, due_at, created_at, updated_at, requested_by, credits_reserved, "
	    "inbound_id, "
	    "open_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, "
	    "?, ?)";
	struct db_param p[] = {DB_CSTR(m->public_id), DB_I64(m->workspace_id),
	    DB_I64(m->campaign_id), DB_I64(m->relationship_id),
	    m->invocation_id ? DB_I64(m->invocation_id) : DB_NULL,
	    m->parent_id ? DB_I64(m->parent_id) : DB_NULL, DB_I64(m->kind), DB_I64(m->status),
	    DB_I64(m->follow_up_step), DB_CSTR(m->from_email), DB_CSTR(m->to_email),
	    DB_CSTR(m->to_name), DB_CSTR(m->subject), DB_CSTR(m->body),
	    DB_CSTR(m->message_id_header), m->in_reply_to ? DB_CSTR(m->in_reply_to) : DB_NULL,
	    m->references ? DB_CSTR(m->references) : DB_NULL, DB_CSTR(m->unsubscribe_token),
	    DB_CSTR(m->schedule_sql), DB_CSTR(m->due_sql), DB_CSTR(m->now_sql), DB_CSTR(m->now_sql),
	    DB_CSTR(m->requested_by), DB_I64(m->credits_reserved),
	    m->inbound_id ? DB_I64(m->inbound_id) : DB_NULL, DB_CSTR(m->open_token)};
	uint64_t new_id = 0;
	lc_err e;

	if ((e = db_exec(db, sql, p, sizeof(p) / sizeof(p[0]), NULL, &new_id)) != LC_OK)
		return e;
	if (id)
		*id = new_id;
	return m->status == AWAITING ? waiting_move(db, (int64_t)new_id, 1) : LC_OK;
}

lc_err
store_msg_get(
    struct db *db, int64_t workspace_id, const char *public_id, int lock, struct db_rows *out)
{
	static const char lock_sql[] = "SELECT id FROM outbound_messages "
	                               "WHERE public_id = ? AND workspace_id = ? FOR UPDATE";
	static const char sql[] = MSG_SELECT "WHERE m.public_id = ? AND m.workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};
	int64_t id;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (lock) {
		if ((e = db_query_i64(db, lock_sql, p, 2, &id)) != LC_OK)
			return e;
		if (id == 0)
			return db_query(db, sql, p, 2, out); /* an empty result */
	}
	return db_query(db, sql, p, 2, out);
}

lc_err
store_msg_get_locked(struct db *db, int64_t id, struct db_rows *out)
{
	static const char lock_sql[] = "SELECT id FROM outbound_messages WHERE id = ? FOR UPDATE";
	static const char sql[] = MSG_SELECT "WHERE m.id = ?";
	struct db_param p[] = {DB_I64(id)};
	int64_t got;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = db_query_i64(db, lock_sql, p, 1, &got)) != LC_OK)
		return e;
	return db_query(db, sql, p, 1, out);
}

/* batch_read runs sql, a message read ending in "IN (" Q64 ")", for ids[0..n). */
static lc_err
batch_read(struct db *db, const char *sql, const int64_t *ids, size_t n, struct db_rows *out)
{
	struct db_param p[STORE_BATCH_MAX];

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > STORE_BATCH_MAX)
		return n == 0 ? LC_OK : LC_EINVAL;
	batch_ids(ids, n, p);
	return db_query(db, sql, p, STORE_BATCH_MAX, out);
}

lc_err
store_msg_get_batch(struct db *db, const int64_t *ids, size_t n, struct db_rows *out)
{
	static const char sql[] = MSG_SELECT "WHERE m.id IN (" Q64 ")";

	return batch_read(db, sql, ids, n, out);
}

lc_err
store_msg_read_for_claim(struct db *db, const int64_t *ids, size_t n, struct db_rows *out)
{
	static const char sql[] = MSG_SELECT_CLAIM "WHERE m.id IN (" Q64 ")";

	return batch_read(db, sql, ids, n, out);
}

lc_err
store_msg_claim_batch(struct db *db, const int64_t *ids, size_t n, const char *owner,
    const char *lease_sql, const char *now_sql, uint64_t *claimed)
{
	/* the guard names every status the due query can return — scheduled (1), held by
	 * pacing until its slot (8), deferred (9) — so that only a row another Galera node
	 * claimed first is left out (the caller then retries) */
	static const char sql[] =
	    "UPDATE outbound_messages SET status = 2, fence = fence + 1, lease_owner = ?, "
	    "lease_expires_at = ?, smtp_phase = 0, attempts = attempts + 1, held_reason = NULL, "
	    "next_slot_at = NULL, updated_at = ? "
	    "WHERE id IN (" Q64 ") AND status IN (1, 8, 9)";
	struct db_param p[3 + STORE_BATCH_MAX];

	*claimed = 0;
	if (n == 0 || n > STORE_BATCH_MAX)
		return n == 0 ? LC_OK : LC_EINVAL;
	p[0] = DB_CSTR(owner);
	p[1] = DB_CSTR(lease_sql);
	p[2] = DB_CSTR(now_sql);
	batch_ids(ids, n, p + 3);
	return db_exec(db, sql, p, 3 + STORE_BATCH_MAX, claimed, NULL);
}

/* A mask of statuses is tested bit by bit, which no index can use past workspace_id: the
 * list then sorts, and the count reads, every message the workspace ever had. One status
 * (the approval queue's awaiting approval, the campaign page's held) is an equality, so
 * ix_outbound_ws_status (workspace_id, status, created_at, id, kind, campaign_id) gives
 * the rows of that status in order, and the count reads those index entries only: kind
 * and campaign_id are in the index (160), so no row is fetched to test them.
 *
 * The index is named, and a campaign filter has statements of its own. With one
 * "(? = 0 OR m.campaign_id = ?)" for both, MariaDB read the whole message list of a
 * workspace through its campaigns: every campaign by ux_campaigns_public, each one's
 * messages of the status by ix_outbound_campaign, all of them sorted to keep 51. On the
 * bench data set (10,878 messages awaiting approval in one workspace) that was 103 ms a
 * page of GET /v1/approvals; in ix_outbound_ws_status's order it is 0.4 ms. A campaign's
 * messages are read by ix_outbound_campaign (campaign_id, status) and sorted: they are that
 * campaign's alone (0.5 ms for 140; 5.5 ms by walking the workspace's). */
#define MSG_FROM_WS "FROM outbound_messages m FORCE INDEX (ix_outbound_ws_status) "
#define MSG_FROM_CAMPAIGN "FROM outbound_messages m FORCE INDEX (ix_outbound_campaign) "
#define MSG_LIST_FILTER(status_test)                                                               \
	"WHERE m.workspace_id = ? AND " status_test " AND ((1 << m.kind) & ?) <> 0 "
#define MSG_LIST_CAMPAIGN "AND m.campaign_id = ? "
#define MSG_STATUS_MASK "((1 << m.status) & ?) <> 0"
#define MSG_STATUS_ONE "m.status = ?"

/* status_one is 1 when the filter names exactly one status, whose number *st receives;
 * else 0 and *st is the mask. */
static int
status_one(unsigned mask, int64_t *st)
{
	if (mask != 0 && (mask & (mask - 1)) == 0) {
		*st = __builtin_ctz(mask);
		return 1;
	}
	*st = mask;
	return 0;
}

/* The window and order of every list of messages, after its filter; a first page (no
 * cursor) goes without the window's range, one condition less for the optimizer. */
#define MSG_LIST_WINDOW "AND m.created_at <= ? AND (m.created_at < ? OR m.id < ?) "
#define MSG_LIST_ORDER "ORDER BY m.created_at DESC, m.id DESC LIMIT ?"
/* the eight statements of a list whose columns are cols, read from a message m and joins:
 * [one status][campaign filter][cursor] */
#define MSG_LIST_ONE(cols, joins, status_test)                                                     \
	{                                                                                          \
		{cols MSG_FROM_WS joins MSG_LIST_FILTER(status_test) MSG_LIST_ORDER,               \
		    cols MSG_FROM_WS joins MSG_LIST_FILTER(status_test)                            \
		        MSG_LIST_WINDOW MSG_LIST_ORDER},                                           \
		{                                                                                  \
			cols MSG_FROM_CAMPAIGN joins MSG_LIST_FILTER(status_test)                  \
			    MSG_LIST_CAMPAIGN MSG_LIST_ORDER,                                      \
			    cols MSG_FROM_CAMPAIGN joins MSG_LIST_FILTER(status_test)              \
			        MSG_LIST_CAMPAIGN MSG_LIST_WINDOW MSG_LIST_ORDER                   \
		}                                                                                  \
	}
#define MSG_LIST_SQLS(cols, joins)                                                                 \
	{                                                                                          \
		MSG_LIST_ONE(cols, joins, MSG_STATUS_MASK),                                        \
		    MSG_LIST_ONE(cols, joins, MSG_STATUS_ONE)                                      \
	}

/* list_run binds the parameters of the filter, the campaign when it names one, the window
 * when the page has a cursor, and the limit, and runs sql[one status][campaign][cursor]. */
static lc_err
list_run(struct db *db, const char *const sql[2][2][2], const struct store_msg_filter *f,
    struct db_rows *out)
{
	struct db_param p[8];
	int64_t st;
	int one = status_one(f->status_mask, &st), cursor = f->w.before_sql != NULL;
	int campaign = f->campaign_id != 0;
	size_t n = 0;

	p[n++] = DB_I64(f->workspace_id);
	p[n++] = DB_I64(st);
	p[n++] = DB_I64(f->kind_mask);
	if (campaign)
		p[n++] = DB_I64(f->campaign_id);
	if (cursor) {
		p[n++] = DB_CSTR(f->w.before_sql);
		p[n++] = DB_CSTR(f->w.before_sql);
		p[n++] = DB_I64(f->w.before_id);
	}
	p[n++] = DB_I64(f->w.limit);
	return db_query(db, sql[one][campaign][cursor], p, n, out);
}

lc_err
store_msg_list(struct db *db, const struct store_msg_filter *f, struct db_rows *out)
{
	static const char *const sql[2][2][2] = MSG_LIST_SQLS(MSG_COLUMNS("NULL"), MSG_JOINS);

	return list_run(db, sql, f, out);
}

lc_err
store_msg_list_brief(struct db *db, const struct store_msg_filter *f, struct db_rows *out)
{
#define MSG_BRIEF_COLUMNS                                                                          \
	"SELECT m.id, m.public_id, m.kind, m.status, m.to_email, m.to_name, m.subject, "           \
	"m.schedule_at, m.created_at, m.credits_reserved, m.held_reason, m.next_slot_at, "         \
	"c.public_id, c.name "
	static const char *const sql[2][2][2] =
	    MSG_LIST_SQLS(MSG_BRIEF_COLUMNS, "JOIN campaigns c ON c.id = m.campaign_id ");
#undef MSG_BRIEF_COLUMNS

	return list_run(db, sql, f, out);
}

/* waiting_count counts f's messages awaiting approval from approval_waiting. */
static lc_err
waiting_count(struct db *db, const struct store_msg_filter *f, int64_t *n)
{
	/* the workspace's counts above 0, or one campaign's by the primary key: a row per
	 * campaign and kind at most, however long the queue */
	static const char *const sql[2] = {
	    "SELECT COALESCE(SUM(n), 0) FROM approval_waiting FORCE INDEX (ix_waiting_open) "
	    "WHERE workspace_id = ? AND n > 0 AND ((1 << kind) & ?) <> 0",
	    "SELECT COALESCE(SUM(n), 0) FROM approval_waiting "
	    "WHERE workspace_id = ? AND ((1 << kind) & ?) <> 0 AND campaign_id = ?"};
	struct db_param p[] = {
	    DB_I64(f->workspace_id), DB_I64(f->kind_mask), DB_I64(f->campaign_id)};

	return db_query_i64(db, sql[f->campaign_id != 0], p, f->campaign_id != 0 ? 3 : 2, n);
}

lc_err
store_msg_count(struct db *db, const struct store_msg_filter *f, int64_t *n)
{
	static const char *const sql[2][2] = {
	    {"SELECT COUNT(*) " MSG_FROM_WS MSG_LIST_FILTER(MSG_STATUS_MASK),
	        "SELECT COUNT(*) " MSG_FROM_CAMPAIGN MSG_LIST_FILTER(MSG_STATUS_MASK)
	            MSG_LIST_CAMPAIGN},
	    {"SELECT COUNT(*) " MSG_FROM_WS MSG_LIST_FILTER(MSG_STATUS_ONE),
	        "SELECT COUNT(*) " MSG_FROM_CAMPAIGN MSG_LIST_FILTER(MSG_STATUS_ONE)
	            MSG_LIST_CAMPAIGN}};
	int64_t st;
	int one = status_one(f->status_mask, &st), campaign = f->campaign_id != 0;
	struct db_param p[] = {
	    DB_I64(f->workspace_id), DB_I64(st), DB_I64(f->kind_mask), DB_I64(f->campaign_id)};

	if (f->status_mask == AWAITING_BIT)
		return waiting_count(db, f, n);
	return db_query_i64(db, sql[one][campaign], p, campaign ? 4 : 3, n);
}

lc_err
store_msg_waiting_by_campaign(
    struct db *db, int64_t workspace_id, unsigned kind_mask, struct db_rows *out)
{
	/* the workspace's counts above 0 (ix_waiting_open, covering), then one campaign row
	 * by primary key per campaign. Named: with few rows per workspace MariaDB chose the
	 * primary key's range, which also reads every count left at 0, and those only grow. */
	static const char sql[] =
	    "SELECT c.public_id, c.name, x.n FROM (SELECT campaign_id, SUM(n) AS n "
	    "FROM approval_waiting FORCE INDEX (ix_waiting_open) "
	    "WHERE workspace_id = ? AND n > 0 AND ((1 << kind) & ?) <> 0 "
	    "GROUP BY campaign_id) x JOIN campaigns c ON c.id = x.campaign_id "
	    "ORDER BY c.name, c.id";
	struct db_param p[] = {DB_I64(workspace_id), DB_I64(kind_mask)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_msg_set_status(struct db *db, int64_t id, unsigned from_mask, unsigned status,
    const char *due_sql, const char *error, const char *now_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE outbound_messages SET status = ?, due_at = COALESCE(?, due_at), "
	    "last_error = COALESCE(?, last_error), updated_at = ? "
	    "WHERE id = ? AND ((1 << status) & ?) <> 0";
	struct db_param p[] = {DB_I64(status), due_sql ? DB_CSTR(due_sql) : DB_NULL,
	    error ? DB_CSTR(error) : DB_NULL, DB_CSTR(now_sql), DB_I64(id), DB_I64(from_mask)};

	return status_move(db, sql, p, sizeof(p) / sizeof(p[0]), id, from_mask, status, changed);
}

lc_err
store_msg_decide(struct db *db, int64_t id, unsigned from_mask, unsigned status,
    const char *subject, const char *body, const char *error, const char *decided_sql,
    const char *now_sql, uint64_t *changed)
{
	/* store_msg_set_status, store_msg_edit and store_msg_decided of one decision at once:
	 * the approve and the reject of the API write the message's row once */
	static const char sql[] = "UPDATE outbound_messages SET status = ?, decided_at = ?, "
	                          "subject = COALESCE(?, subject), body = COALESCE(?, body), "
	                          "last_error = COALESCE(?, last_error), updated_at = ? "
	                          "WHERE id = ? AND ((1 << status) & ?) <> 0";
	struct db_param p[] = {DB_I64(status), DB_CSTR(decided_sql),
	    subject ? DB_CSTR(subject) : DB_NULL, body ? DB_CSTR(body) : DB_NULL,
	    error ? DB_CSTR(error) : DB_NULL, DB_CSTR(now_sql), DB_I64(id), DB_I64(from_mask)};

	return status_move(db, sql, p, sizeof(p) / sizeof(p[0]), id, from_mask, status, changed);
}

lc_err
store_msg_decided(struct db *db, int64_t id, const char *now_sql)
{
	static const char sql[] = "UPDATE outbound_messages SET decided_at = ? WHERE id = ?";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_msg_due(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	/* queue_due is due_at for scheduled and deferred messages, NULL otherwise (008) */
	static const char sql[] = "SELECT id FROM outbound_messages "
	                          "WHERE queue_due <= ? "
	                          "ORDER BY queue_due, id LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_msg_phase(struct db *db, int64_t id, uint64_t fence, unsigned phase, int *held)
{
	static const char sql[] = "UPDATE outbound_messages SET smtp_phase = ? "
	                          "WHERE id = ? AND fence = ? AND status = 2";
	struct db_param p[] = {DB_I64(phase), DB_I64(id), DB_I64(fence)};
	uint64_t n = 0;
	lc_err e;

	e = db_exec(db, sql, p, 3, &n, NULL);
	*held = n == 1;
	return e;
}

lc_err
store_msg_expired(struct db *db, const char *now_sql, unsigned limit, struct db_rows *out)
{
	static const char sql[] = "SELECT id FROM outbound_messages "
	                          "WHERE status = 2 AND lease_expires_at < ? "
	                          "LIMIT ? FOR UPDATE SKIP LOCKED";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(limit)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_msg_result(struct db *db, int64_t id, uint64_t fence, unsigned status, const char *due_sql,
    const char *error, const char *now_sql, uint64_t *changed)
{
	static const char sql[] =
	    "UPDATE outbound_messages SET status = ?, due_at = COALESCE(?, due_at), "
	    "last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? "
	    "WHERE id = ? AND fence = ? AND status = 2";
	struct db_param p[] = {DB_I64(status), due_sql ? DB_CSTR(due_sql) : DB_NULL,
	    error ? DB_CSTR(error) : DB_NULL, DB_CSTR(now_sql), DB_I64(id), DB_I64(fence)};

	if (status == AWAITING)
		return LC_EINVAL; /* back to approval goes through store_msg_set_status */
	return db_exec(db, sql, p, 6, changed, NULL);
}

lc_err
store_inv_insert(struct db *db, const char *public_id, int64_t workspace_id, const char *action,
    unsigned status, unsigned reserved, const char *now_sql, uint64_t *id)
{
	static const char sql[] =
	    "INSERT INTO invocations (public_id, workspace_id, action, status, credits_reserved, "
	    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id), DB_CSTR(action),
	    DB_I64(status), DB_I64(reserved), DB_CSTR(now_sql), DB_CSTR(now_sql)};

	return db_exec(db, sql, p, 7, NULL, id);
}

lc_err
store_inv_link(struct db *db, int64_t inv_id, int64_t msg_id)
{
	static const char sql[] = "UPDATE invocations SET message_id = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(msg_id), DB_I64(inv_id)};

	return db_exec(db, sql, p, 2, NULL, NULL);
}

lc_err
store_inv_set(struct db *db, int64_t inv_id, unsigned status, unsigned charged,
    const char *event_public_id, const char *now_sql)
{
	static const char sql[] =
	    "UPDATE invocations SET status = ?, credits_charged = ?, "
	    "event_public_id = COALESCE(?, event_public_id), updated_at = ? WHERE id = ?";
	struct db_param p[] = {DB_I64(status), DB_I64(charged),
	    event_public_id ? DB_CSTR(event_public_id) : DB_NULL, DB_CSTR(now_sql), DB_I64(inv_id)};

	return db_exec(db, sql, p, 5, NULL, NULL);
}

lc_err
store_inv_get(struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT i.id, i.public_id, i.action, i.status, i.credits_reserved, i.credits_charged, "
	    "i.created_at, i.updated_at, m.public_id, m.status, m.schedule_at, e.public_id, "
	    "e.type, "
	    "e.occurred_at, c.public_id, r.public_id, m.held_reason, m.next_slot_at "
	    "FROM invocations i "
	    "LEFT JOIN outbound_messages m ON m.id = i.message_id "
	    "LEFT JOIN events e ON e.public_id = i.event_public_id "
	    "LEFT JOIN campaigns c ON c.id = e.campaign_id "
	    "LEFT JOIN relationships r ON r.id = e.relationship_id "
	    "WHERE i.public_id = ? AND i.workspace_id = ?";
	struct db_param p[] = {DB_CSTR(public_id), DB_I64(workspace_id)};

	return db_query(db, sql, p, 2, out);
}

lc_err
store_decision_insert(struct db *db, int64_t msg_id, int64_t workspace_id, unsigned decision,
    const char *by, const char *reason, const char *subject, const char *body, const char *now_sql)
{
	static const char sql[] =
	    "INSERT INTO approval_decisions (message_id, workspace_id, decision, decided_by, "
	    "decided_at, reason, edited_subject, edited_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_param p[] = {DB_I64(msg_id), DB_I64(workspace_id), DB_I64(decision), DB_CSTR(by),
	    DB_CSTR(now_sql), reason ? DB_CSTR(reason) : DB_NULL,
	    subject ? DB_CSTR(subject) : DB_NULL, body ? DB_CSTR(body) : DB_NULL};

	return db_exec(db, sql, p, 8, NULL, NULL);
}

lc_err
store_msg_by_token(struct db *db, const char *token, struct db_rows *out)
{
	static const char sql[] =
	    "SELECT m.id, m.workspace_id, m.campaign_id, m.relationship_id, m.to_email, "
	    "m.from_email, m.public_id, " SUPPRESSED_SQL("w.account_id", "m.workspace_id",
	        "m.to_email", "m.to_email") " FROM outbound_messages m JOIN workspaces w ON w.id = "
	                                    "m.workspace_id "
	                                    "WHERE m.unsubscribe_token = ?";
	struct db_param p[] = {DB_CSTR(token)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_by_open_token(struct db *db, const char *token, struct db_rows *out)
{
	static const char sql[] = "SELECT id, workspace_id, campaign_id, relationship_id, "
	                          "public_id, status, opened_at FROM outbound_messages "
	                          "WHERE open_token = ? FOR UPDATE";
	struct db_param p[] = {DB_CSTR(token)};

	return db_query(db, sql, p, 1, out);
}

lc_err
store_msg_opened(struct db *db, int64_t id, const char *now_sql, uint64_t *changed)
{
	static const char sql[] = "UPDATE outbound_messages SET opened_at = ? "
	                          "WHERE id = ? AND opened_at IS NULL";
	struct db_param p[] = {DB_CSTR(now_sql), DB_I64(id)};

	return db_exec(db, sql, p, 2, changed, NULL);
}
