/* enqueue.c: putting one message into the outbox and taking one out for good. Both run
 * inside the caller's transaction so credits, invocation, counters and the message can
 * never disagree. */
#include <string.h>
#include <sodium.h>

#include "core/notify.h"
#include "core/sending.h"
#include "core/reply_token.h"
#include "core/suppressions.h"
#include "db/store_credits.h"
#include "db/store_outbox.h"
#include "mail/compose.h"
#include "util/log.h"
#include "util/timefmt.h"

static lc_err record(
    struct db *, enum event_type, int64_t, int64_t, int64_t, const char *, int64_t, int);
static lc_err release(
    struct db *, const struct out_message *, unsigned, const char *, int, const char *, int *);

/* record records an event of a message; version_moved: the transaction's credit
 * reservation moved the data version already (struct event_in). */
static lc_err
record(struct db *db, enum event_type type, int64_t ws, int64_t campaign, int64_t rel,
    const char *msg_public, int64_t at, int version_moved)
{
	struct event_in ev;

	memset(&ev, 0, sizeof(ev));
	ev.version_moved = version_moved;
	ev.type = type;
	ev.workspace_id = ws;
	ev.campaign_id = campaign;
	ev.relationship_id = rel;
	ev.message_id = msg_public;
	ev.at_ms = at;
	return events_record(db, &ev, NULL);
}

lc_err
outbox_enqueue_tx(struct db *db, struct enqueue *q, struct core_fail *fail)
{
	char now[TIME_SQL_LEN], sched[TIME_SQL_LEN], due[TIME_SQL_LEN], msgid[REPLY_MSGID_MAX];
	char token[ID_MAX], open_token[ID_MAX];
	const char *domain;
	struct store_msg_new m;
	struct db_rows r;
	int64_t clock = now_ms(), t = q->at_ms > 0 ? q->at_ms : clock;
	int64_t schedule = q->schedule_ms > 0 ? q->schedule_ms : clock;
	uint64_t inv_id = 0, msg_id = 0;
	int ok = 0, suppressed = 0;
	lc_err e;

	sqltime_format(t, now);
	sqltime_format(schedule, sched);
	sqltime_format(schedule > clock ? schedule : clock, due);
	/* do-not-email, checked as the message enters the queue: it is kept (the draft shows
	 * why nothing goes out) as suppressed, with nothing reserved or asked of anyone */
	if (q->recipient_suppressed)
		suppressed = 1;
	else if (!q->recipient_cleared &&
	         (e = suppression_check_tx(db, q->workspace_id, q->to, &suppressed)) != LC_OK)
		return e;
	if (suppressed)
		q->status = MS_SUPPRESSED;
	else if (q->approve)
		q->status = MS_AWAITING_APPROVAL;
	else
		q->status = q->campaign_status == CSTATUS_PAUSED ? MS_HELD : MS_SCHEDULED;
	id_new("out_", q->msg_public);
	id_new("", token);
	id_new("", open_token);
	domain = strrchr(q->from, '@');
	/* the reply token leads the Message-ID (core/reply_token.h) */
	if ((e = reply_token_msgid_new(domain ? domain + 1 : "linkcamp.invalid", msgid)) != LC_OK)
		return e;
	q->inv_public[0] = '\0';
	if (q->action) {
		id_new("inv_", q->inv_public);
		if ((e = store_inv_insert(db, q->inv_public, q->workspace_id, q->action,
		         inv_status_of(q->status), SEND_COST, now, &inv_id)) != LC_OK)
			return e;
	}
	memset(&m, 0, sizeof(m));
	m.public_id = q->msg_public;
	m.workspace_id = q->workspace_id;
	m.campaign_id = q->campaign_id;
	m.relationship_id = q->relationship_id;
	m.invocation_id = (int64_t)inv_id;
	m.parent_id = q->parent_id;
	m.inbound_id = q->inbound_id;
	m.kind = q->kind;
	m.status = q->status;
	m.follow_up_step = q->follow_up_step;
	m.from_email = q->from;
	m.to_email = q->to;
	m.to_name = q->to_name ? q->to_name : "";
	m.subject = q->subject;
	m.body = q->body;
	m.message_id_header = msgid;
	m.in_reply_to = q->in_reply_to;
	m.references = q->references;
	m.unsubscribe_token = token;
	m.open_token = open_token;
	m.schedule_sql = sched;
	m.due_sql = due;
	m.now_sql = now;
	m.requested_by = q->requested_by ? q->requested_by : "system";
	m.credits_reserved = suppressed ? 0 : SEND_COST;
	if ((e = store_msg_insert(db, &m, &msg_id)) != LC_OK)
		return e;
	q->msg_id = (int64_t)msg_id;
	if (inv_id && (e = store_inv_link(db, (int64_t)inv_id, (int64_t)msg_id)) != LC_OK)
		return e;
	if (suppressed)
		return q->kind == MSG_DRAFT
		           ? record(db, EV_DRAFT_CREATED, q->workspace_id, q->campaign_id,
		                 q->relationship_id, q->msg_public, t, 0)
		           : LC_OK;
	/* the reservation moves the data version too: the events below need not (versions.c) */
	if ((e = store_credit_move_touch(db, q->workspace_id, CREDIT_RESERVE, SEND_COST,
	         (int64_t)msg_id, now, &ok)) != LC_OK)
		return e;
	if (!ok) {
		fail->code = "insufficient_credits";
		fail->detail = "The workspace does not have enough credits for this email.";
		fail->required = SEND_COST;
		fail->available = 0;
		if (store_credit_balance(db, q->workspace_id, &r) == LC_OK) {
			if (r.nrows == 1)
				fail->available =
				    db_i64(&r, 0, CR_COL_BALANCE) - db_i64(&r, 0, CR_COL_RESERVED);
			db_rows_free(&r);
		}
		return LC_ECONFLICT;
	}
	if (q->kind == MSG_DRAFT &&
	    (e = record(db, EV_DRAFT_CREATED, q->workspace_id, q->campaign_id, q->relationship_id,
	         q->msg_public, t, 1)) != LC_OK)
		return e;
	if (q->approve && (e = notify_queue_tx(db, q->workspace_id, q->msg_id)) != LC_OK)
		return e;
	return record(db, q->approve ? EV_APPROVAL_REQUESTED : EV_MESSAGE_SCHEDULED,
	    q->workspace_id, q->campaign_id, q->relationship_id, q->msg_public, t, 1);
}

/* release is outbox_release_tx; decided_sql non-NULL (a person's rejection, never fenced):
 * the status change also stamps decided_at with it (store_msg_decide). */
static lc_err
release(struct db *db, const struct out_message *m, unsigned status, const char *error, int fenced,
    const char *decided_sql, int *changed)
{
	const unsigned open = (1u << MS_AWAITING_APPROVAL) | (1u << MS_SCHEDULED) |
	                      (1u << MS_HELD) | (1u << MS_DEFERRED);
	/* a message awaiting approval records an event, which moves the data version: the
	 * release moves it instead when there is one (struct event_in's version_moved) */
	const int event = m->status == MS_AWAITING_APPROVAL;
	const int release = m->credits_reserved > 0 && m->credits_charged == 0;
	char now[TIME_SQL_LEN];
	uint64_t n = 0;
	int ok = 0;
	lc_err e;

	*changed = 0;
	sqltime_format(now_ms(), now);
	if (fenced)
		e = store_msg_result(db, m->id, m->fence, status, NULL, error, now, &n);
	else if (decided_sql)
		e = store_msg_decide(
		    db, m->id, open, status, NULL, NULL, error, decided_sql, now, &n);
	else
		e = store_msg_set_status(db, m->id, open, status, NULL, error, now, &n);
	if (e != LC_OK || n != 1)
		return e;
	*changed = 1;
	if (release && event &&
	    (e = store_credit_move_touch(db, m->workspace_id, CREDIT_RELEASE, m->credits_reserved,
	         m->id, now, &ok)) != LC_OK)
		return e;
	if (release && !event &&
	    (e = store_credit_move(db, m->workspace_id, CREDIT_RELEASE, m->credits_reserved, m->id,
	         NULL, now, &ok)) != LC_OK)
		return e;
	if (release && !ok) {
		log_msg(LOG_ERROR, "credit release failed for %s", m->public_id);
		return LC_EDB;
	}
	if (event && (e = record(db, EV_APPROVAL_REJECTED, m->workspace_id, m->campaign_id,
	                  m->relationship_id, m->public_id, now_ms(), release)) != LC_OK)
		return e;
	return outbox_inv_set(db, m, inv_status_of(status), 0, NULL, now);
}

lc_err
outbox_release_tx(struct db *db, const struct out_message *m, unsigned status, const char *error,
    int fenced, int *changed)
{
	return release(db, m, status, error, fenced, NULL, changed);
}

lc_err
outbox_reject_tx(struct db *db, const struct out_message *m, const char *reason,
    const char *decided_sql, int *changed)
{
	return release(db, m, MS_REJECTED, reason, 0, decided_sql, changed);
}

lc_err
outbox_inv_set(struct db *db, const struct out_message *m, unsigned status, unsigned charged,
    const char *event_id, const char *now_sql)
{
	if (m->invocation_id == 0)
		return LC_OK;
	return store_inv_set(db, m->invocation_id, status, charged, event_id, now_sql);
}
