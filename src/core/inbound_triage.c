/* inbound_triage.c: the decisions people take on inbound mail that matched no prospect
 * (docs/inbound.md, "Triage"). Vendors sort an "Unmatched" folder by hand and never know
 * what was missed; here every unmatched message waits in one list until someone matches it
 * to a relationship, matches it and unsubscribes, or dismisses it — and the decision, who
 * took it and when, stay on the message. */
#include <stdio.h>
#include <string.h>

#include "core/inbound.h"
#include "core/suppressions.h"
#include "db/store_relationships.h"
#include "db/store_inbound.h"
#include "util/timefmt.h"

static const char *const decision_names[] = {"match", "match_and_unsubscribe", "dismiss"};

struct decide_ctx {
	const struct principal *who;
	const char *public_id, *rel_public, *by;
	unsigned decision;
	struct core_fail *fail;
};

static lc_err matched_effects(struct db *, const struct db_rows *, int64_t, int64_t, const char *);
static lc_err unsubscribe_effects(
    struct db *, const struct db_rows *, const char *, int64_t, int64_t, const char *);
static lc_err decide_tx(struct db *, void *);

const char *
triage_decision_name(unsigned d)
{
	return d < TRIAGE_N ? decision_names[d] : "dismiss";
}

/* matched_effects does, for a message matched by hand, what matching on arrival would
 * have done that still makes sense later: a person's reply counts and stops the follow-ups
 * (no auto-response: the reply may be days old, a person is looking at it now), an
 * unsubscribe request lists the sender, an out-of-office moves the follow-ups. */
static lc_err
matched_effects(
    struct db *db, const struct db_rows *in, int64_t campaign, int64_t rel, const char *now)
{
	unsigned klass = (unsigned)db_i64(in, 0, IN_COL_KLASS);
	int64_t ws = db_i64(in, 0, IN_COL_WORKSPACE), back;
	struct event_in ev;
	int counts = 0;
	lc_err e;

	memset(&ev, 0, sizeof(ev));
	ev.workspace_id = ws;
	ev.campaign_id = campaign;
	ev.relationship_id = rel;
	ev.at_ms = now_ms();
	switch (klass) {
	case IN_HUMAN:
		if ((e = events_reply_counts(db, rel, &counts)) != LC_OK || !counts)
			return e;
		ev.type = EV_REPLY_RECEIVED;
		if ((e = events_record(db, &ev, NULL)) != LC_OK)
			return e;
		return inbound_stop_follow_ups_tx(db, rel, "the prospect replied");
	case IN_UNSUBSCRIBE:
		if (!db_isnull(in, 0, IN_COL_FROM) &&
		    (e = suppression_unsubscribe_tx(
		         db, ws, db_str(in, 0, IN_COL_FROM), "triage", now)) != LC_OK)
			return e;
		ev.type = EV_UNSUBSCRIBED;
		return events_record(db, &ev, NULL);
	case IN_AUTO_REPLY:
		if (db_isnull(in, 0, IN_COL_OOO_RETURN) ||
		    sqltime_parse(db_str(in, 0, IN_COL_OOO_RETURN),
		        strlen(db_str(in, 0, IN_COL_OOO_RETURN)), &back) != LC_OK)
			return LC_OK;
		return store_msg_follow_ups_not_before(db, rel, back + 86400000, now);
	default: return LC_OK; /* a bounce or a receipt: the match is the record */
	}
}

/* unsubscribe_effects: the prospect (and whoever wrote, if someone else) is listed, marked
 * unsubscribed, and nothing more is sent to them. */
static lc_err
unsubscribe_effects(struct db *db, const struct db_rows *in, const char *prospect, int64_t campaign,
    int64_t rel, const char *now)
{
	int64_t ws = db_i64(in, 0, IN_COL_WORKSPACE);
	struct event_in ev;
	lc_err e;

	if (!db_isnull(in, 0, IN_COL_FROM) &&
	    (e = suppression_unsubscribe_tx(db, ws, db_str(in, 0, IN_COL_FROM), "triage", now)) !=
	        LC_OK)
		return e;
	if ((e = suppression_unsubscribe_tx(db, ws, prospect, "triage", now)) != LC_OK)
		return e;
	if ((e = inbound_stop_follow_ups_tx(db, rel, "the prospect unsubscribed")) != LC_OK)
		return e;
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_UNSUBSCRIBED;
	ev.workspace_id = ws;
	ev.campaign_id = campaign;
	ev.relationship_id = rel;
	ev.at_ms = now_ms();
	return events_record(db, &ev, NULL);
}

static lc_err
decide_tx(struct db *db, void *arg)
{
	struct decide_ctx *c = arg;
	struct db_rows in, rr;
	char now[TIME_SQL_LEN];
	const char *email = NULL;
	int64_t rel = 0, campaign = 0;
	lc_err e;

	memset(&rr, 0, sizeof(rr));
	if ((e = store_inbound_get_locked(db, c->who->workspace_id, c->public_id, &in)) != LC_OK)
		return e;
	if (in.nrows != 1) {
		c->fail->code = "inbound_message_not_found";
		e = LC_ENOTFOUND;
		goto out;
	}
	if (!db_isnull(&in, 0, IN_COL_REL_ID) || !db_isnull(&in, 0, IN_COL_TRIAGE_DECISION)) {
		c->fail->code = "already_decided";
		c->fail->detail = "This message is matched or decided already.";
		e = LC_ECONFLICT;
		goto out;
	}
	sqltime_format(now_ms(), now);
	if (c->decision != TRIAGE_DISMISS) {
		/* a relationship id, or (the pages) a prospect's address: its newest relationship
		 */
		if (strchr(c->rel_public, '@') != NULL) {
			if ((e = store_rel_by_email(
			         db, c->who->workspace_id, c->rel_public, &rr)) != LC_OK)
				goto out;
			if (rr.nrows == 1) {
				rel = db_i64(&rr, 0, RE_COL_ID);
				campaign = db_i64(&rr, 0, RE_COL_CAMPAIGN);
				email = c->rel_public;
			}
		} else {
			if ((e = store_rel_get(db, c->who->workspace_id, c->rel_public,
			         "1970-01-01 00:00:00.000", &rr)) != LC_OK)
				goto out;
			if (rr.nrows == 1) {
				rel = db_i64(&rr, 0, REL_COL_ID);
				campaign = db_i64(&rr, 0, REL_COL_CAMPAIGN_ID);
				email = db_str(&rr, 0, REL_COL_EMAIL);
			}
		}
		if (rel == 0) {
			c->fail->code = "relationship_not_found";
			c->fail->param = "relationshipId";
			e = LC_ENOTFOUND;
			goto out;
		}
	}
	if ((e = store_triage_set(
	         db, db_i64(&in, 0, IN_COL_ID), campaign, rel, c->decision, c->by, now)) != LC_OK)
		goto out;
	if (c->decision == TRIAGE_MATCH)
		e = matched_effects(db, &in, campaign, rel, now);
	else if (c->decision == TRIAGE_MATCH_UNSUBSCRIBE)
		e = unsubscribe_effects(db, &in, email, campaign, rel, now);
out:
	db_rows_free(&in);
	db_rows_free(&rr);
	return e;
}

lc_err
inbound_triage_decide(struct core *core, const struct principal *who, const char *public_id,
    unsigned decision, const char *rel_public, const char *by, struct core_fail *fail)
{
	struct decide_ctx c = {who, public_id, rel_public, by, decision, fail};

	if (decision >= TRIAGE_N)
		return LC_EINVAL;
	if (!id_has_shape("msg_", public_id, strlen(public_id))) {
		fail->code = "inbound_message_not_found";
		return LC_ENOTFOUND;
	}
	if (decision != TRIAGE_DISMISS &&
	    (rel_public == NULL || (!id_has_shape("rel_", rel_public, strlen(rel_public)) &&
	                               !email_valid(rel_public)))) {
		fail->code = rel_public == NULL ? "validation_failed" : "relationship_not_found";
		fail->param = "relationshipId";
		fail->detail = rel_public == NULL ? "relationshipId is required to match." : NULL;
		return rel_public == NULL ? LC_EINVAL : LC_ENOTFOUND;
	}
	return db_tx(core->db, decide_tx, &c);
}
