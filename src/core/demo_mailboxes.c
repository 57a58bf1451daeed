/* demo_mailboxes.c: the demo's sender mailboxes (docs/mailboxes.md): two mailboxes of the
 * first client, one paused by an AUTH failure, a campaign that sends from both, and three
 * of its drafts approved and held by pacing with their next slot — what an agency sees
 * on a normal morning. The messages are approved and held by the same store calls the
 * approval and the claim use, in one transaction each, so the worker finds them exactly
 * as it would have left them. Without [mailboxes] key_file the demo has no mailboxes
 * (a password cannot be sealed). */
#include <stdio.h>
#include <string.h>

#include "core/demo.h"
#include "core/mailbox.h"
#include "core/pacing.h"
#include "db/store_mailboxes.h"
#include "db/store_outbox.h"
#include "db/store_pacing.h"
#include "util/timefmt.h"

struct hold_ctx {
	int64_t workspace_id;
	const char *message_id;
	int64_t mailbox_id;
	unsigned reason;
	int64_t slot_ms; /* -1: none */
};

static lc_err hold_tx(struct db *, void *);
static lc_err pause_tx(struct db *, void *);

static lc_err
pause_tx(struct db *db, void *arg)
{
	return mailbox_auth_failed_tx(
	    db, *(const int64_t *)arg, "535 5.7.8 Authentication failed.", now_ms());
}
static lc_err make_mailbox(
    struct core *, const struct principal *, const char *, const char *, int64_t *, char *);

/* hold_tx approves one draft (decided by "demo") and holds it on its mailbox. */
static lc_err
hold_tx(struct db *db, void *arg)
{
	const struct hold_ctx *h = arg;
	char now[TIME_SQL_LEN], slot[TIME_SQL_LEN], why[80];
	struct out_message m;
	struct event_in ev;
	struct db_rows r;
	uint64_t n = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	if ((e = store_msg_get(db, h->workspace_id, h->message_id, 1, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out_message_from_row(&r, 0, &m);
	if (h->slot_ms >= 0)
		sqltime_format(h->slot_ms, slot);
	snprintf(why, sizeof(why), "held: %s", pacing_reason_name(h->reason));
	if ((e = store_decision_insert(
	         db, m.id, m.workspace_id, 0, "demo", NULL, NULL, NULL, now)) != LC_OK ||
	    (e = store_msg_decided(db, m.id, now)) != LC_OK ||
	    (e = store_msg_set_status(db, m.id, 1u << MS_AWAITING_APPROVAL, MS_SCHEDULED, NULL,
	         NULL, now, &n)) != LC_OK ||
	    (e = store_route_assign(db, m.id, m.relationship_id, h->mailbox_id, 1, now)) != LC_OK ||
	    (e = store_msg_hold(
	         db, m.id, h->reason, h->slot_ms >= 0 ? slot : NULL, why, now, &n)) != LC_OK)
		goto out;
	message_event(&m, EV_APPROVAL_COMPLETED, now_ms(), &ev);
	if ((e = events_record(db, &ev, NULL)) != LC_OK)
		goto out;
	e = outbox_inv_set(db, &m, inv_status_of(MS_HELD), 0, NULL, now);
out:
	db_rows_free(&r);
	return e;
}

/* make_mailbox creates one demo mailbox, paced weekdays 09:00-17:00 New York time. */
static lc_err
make_mailbox(struct core *core, const struct principal *who, const char *name, const char *from,
    int64_t *id, char *public_id)
{
	struct mailbox_in in;
	const struct mailbox_view *mb;
	struct core_fail fail;
	struct page v;
	lc_err e;

	mailbox_in_init(&in);
	in.from_name = name;
	in.from_address = from;
	in.host = "smtp.acme-analytics.example";
	in.username = from;
	in.password = "demo password, not a real one";
	in.daily_cap = 30;
	in.days = 0x1f;
	in.start_min = 9 * 60;
	in.end_min = 17 * 60;
	in.time_zone = "America/New_York";
	in.warmup_start = 5;
	in.warmup_step = 5;
	in.gap_s = 120;
	in.jitter_s = 60;
	memset(&fail, 0, sizeof(fail));
	if ((e = mailboxes_create(core, who, &in, &v, &fail)) != LC_OK)
		return e;
	mb = v.items;
	*id = mb->id;
	snprintf(public_id, ID_MAX, "%s", mb->public_id);
	page_free(&v);
	return LC_OK;
}

lc_err
demo_mailboxes_seed(struct core *core, const struct principal *who, const char *campaign_id)
{
	char sam[ID_MAX], dana[ID_MAX];
	const char *ids[2] = {sam, dana};
	struct approval_query q;
	struct page ap;
	const struct out_message *msgs;
	struct core_fail fail;
	struct pacing_rules rules;
	struct hold_ctx h;
	const struct tz *tz = NULL;
	int64_t sam_id, dana_id, t, open;
	size_t i;
	lc_err e;

	if (!mailbox_configured())
		return LC_OK;
	if ((e = make_mailbox(
	         core, who, "Sam Sender", "sam@acme-analytics.example", &sam_id, sam)) != LC_OK ||
	    (e = make_mailbox(
	         core, who, "Dana Doe", "dana@acme-analytics.example", &dana_id, dana)) != LC_OK)
		return e;
	/* Dana's server refused our credentials: the pause a failed delivery leaves */
	if ((e = db_tx(core->db, pause_tx, &dana_id)) != LC_OK)
		return e;
	memset(&fail, 0, sizeof(fail));
	if ((e = campaign_mailboxes_set(core, who, campaign_id, ids, 2, &fail)) != LC_OK)
		return e;

	/* Sam's next slot: the window's next opening (or, inside it, the gap after a send) */
	if ((e = tz_get("America/New_York", &tz)) != LC_OK)
		return e;
	memset(&rules, 0, sizeof(rules));
	rules.days = 0x1f;
	rules.start_min = 9 * 60;
	rules.end_min = 17 * 60;
	rules.tz = tz;
	t = now_ms();
	open = pacing_window_open(&rules, t, 0);

	memset(&q, 0, sizeof(q));
	q.campaign_id = campaign_id;
	q.limit = 3;
	if ((e = approvals_list(core, who, &q, &ap)) != LC_OK)
		return e;
	msgs = ap.items;
	for (i = 0; i < ap.n && e == LC_OK; i++) {
		memset(&h, 0, sizeof(h));
		h.workspace_id = who->workspace_id;
		h.message_id = msgs[i].public_id;
		if (i == 2) {
			h.mailbox_id = dana_id;
			h.reason = PACE_MAILBOX_PAUSED;
			h.slot_ms = -1;
		} else {
			h.mailbox_id = sam_id;
			h.reason = open == t ? PACE_GAP : PACE_OUTSIDE_WINDOW;
			h.slot_ms = open == t ? t + (int64_t)(120 + 60 * i) * 1000 : open;
		}
		e = db_tx(core->db, hold_tx, &h);
	}
	page_free(&ap);
	return e;
}
