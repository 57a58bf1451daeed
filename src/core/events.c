/* events.c: the append-only event log and everything an event moves. Counters,
 * relationship stamps and per-day aggregates change in the caller's transaction, so
 * metrics read them instead of scanning events; so does the workspace's data version. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "db/store.h"
#include "util/timefmt.h"

#define BIT(x) (1u << (x))

static const char *const event_names[] = {"campaign_created", "draft_created",
    "approval_completed", "email_sent", "email_opened", "reply_received", "link_placed",
    "email_bounced", "campaign_paused", "campaign_resumed", "approval_requested",
    "approval_rejected", "message_scheduled", "campaign_cancelled", "campaign_completed", "unsubscribed"};

static lc_err first_stamp(struct db *, const struct event_in *, enum rel_stamp, const char *,
    enum campaign_counter, int);
static lc_err apply(struct db *, const struct event_in *, const char *, const char *, int *);

const char *
event_type_name(unsigned type)
{
	return type < EV_NTYPES ? event_names[type] : "unknown";
}

/* first_stamp sets a relationship stamp if unset and, when it was, moves a counter. */
static lc_err
first_stamp(struct db *db, const struct event_in *ev, enum rel_stamp stamp, const char *at,
    enum campaign_counter counter, int delta)
{
	uint64_t changed = 0;
	lc_err e;

	if ((e = store_rel_stamp(db, ev->relationship_id, stamp, at, 1, &changed)) != LC_OK)
		return e;
	if (changed)
		return store_campaign_counter_add(db, ev->campaign_id, counter, delta, at);
	return LC_OK;
}

/* apply moves what the event moves: stamps, statuses, counters, aggregates, notes.
 * *contacted receives the change in the workspace's sent-or-opened relationships. */
static lc_err
apply(struct db *db, const struct event_in *ev, const char *at, const char *day, int *contacted)
{
	const unsigned before_sent = BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL) |
	    BIT(REL_SCHEDULED);
	int first = 0;
	uint64_t changed = 0;
	lc_err e;

	switch (ev->type) {
	case EV_CAMPAIGN_CREATED:
		return store_campaign_day_add(db, ev->campaign_id, day, TL_CAMPAIGN_CREATED, 1);
	case EV_DRAFT_CREATED:
		if ((e = first_stamp(db, ev, STAMP_DRAFTED, at, COUNTER_DRAFTS, 1)) != LC_OK)
			return e;
		return store_campaign_day_add(db, ev->campaign_id, day, TL_DRAFTS_READY, 1);
	case EV_APPROVAL_REQUESTED:
		if ((e = store_campaign_counter_add(db, ev->campaign_id, COUNTER_PENDING, 1, at)) !=
		    LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_AWAITING_APPROVAL,
		    BIT(REL_PROSPECT), at, contacted);
	case EV_APPROVAL_REJECTED:
		/* the prospect is a prospect again unless something else moved it on */
		if ((e = store_campaign_counter_add(db, ev->campaign_id, COUNTER_PENDING, -1, at)) !=
		    LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_PROSPECT,
		    BIT(REL_AWAITING_APPROVAL), at, contacted);
	case EV_MESSAGE_SCHEDULED:
		return store_rel_advance(db, ev->relationship_id, REL_SCHEDULED,
		    BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL), at, contacted);
	case EV_CAMPAIGN_CANCELLED:
	case EV_CAMPAIGN_COMPLETED:
		return LC_OK;
	case EV_UNSUBSCRIBED:
		return store_rel_advance(db, ev->relationship_id, REL_UNSUBSCRIBED,
		    ~(BIT(REL_LINK_PLACED) | BIT(REL_UNSUBSCRIBED)) & (BIT(REL_NSTATUS) - 1), at,
		    contacted);
	case EV_APPROVAL_COMPLETED:
		if ((e = store_campaign_counter_add(db, ev->campaign_id, COUNTER_PENDING, -1, at)) !=
		        LC_OK ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_SCHEDULED,
		         BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL), at, contacted)) != LC_OK)
			return e;
		return store_campaign_day_add(db, ev->campaign_id, day, TL_APPROVALS_COMPLETED, 1);
	case EV_EMAIL_SENT:
		if ((e = store_rel_stamp(db, ev->relationship_id, STAMP_LAST_CONTACTED, at, 0,
		         NULL)) != LC_OK)
			return e;
		if ((e = store_rel_stamp(db, ev->relationship_id, STAMP_FIRST_SENT, at, 1,
		         &changed)) != LC_OK)
			return e;
		if (changed &&
		    ((e = store_campaign_counter_add(db, ev->campaign_id, COUNTER_SENT, 1, at)) !=
		            LC_OK ||
		        (e = store_campaign_counter_add(db, ev->campaign_id, COUNTER_DELIVERED, 1,
		             at)) != LC_OK))
			return e;
		if ((e = store_rel_advance(db, ev->relationship_id, REL_SENT, before_sent, at, contacted)) != LC_OK)
			return e;
		return store_campaign_day_add(db, ev->campaign_id, day, TL_EMAILS_SENT, 1);
	case EV_EMAIL_OPENED:
		if ((e = first_stamp(db, ev, STAMP_OPENED, at, COUNTER_OPENED, 1)) != LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_OPENED,
		    before_sent | BIT(REL_SENT), at, contacted);
	case EV_REPLY_RECEIVED:
		if ((e = first_stamp(db, ev, STAMP_LAST_REPLY, at, COUNTER_REPLIED, 1)) != LC_OK ||
		    (e = store_rel_stamp(db, ev->relationship_id, STAMP_LAST_REPLY, at, 0, NULL)) !=
		        LC_OK ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_REPLIED,
		         before_sent | BIT(REL_SENT) | BIT(REL_OPENED), at, contacted)) != LC_OK ||
		    (e = store_campaign_first_set(db, ev->campaign_id, 0, at, &first)) != LC_OK)
			return e;
		return first ? store_campaign_day_add(db, ev->campaign_id, day, TL_FIRST_REPLY, 1)
		             : LC_OK;
	case EV_LINK_PLACED:
		if ((e = first_stamp(db, ev, STAMP_PLACED, at, COUNTER_PLACED, 1)) != LC_OK ||
		    (ev->detail && (e = store_rel_set_link(db, ev->relationship_id, ev->detail)) !=
		                       LC_OK) ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_LINK_PLACED,
		         before_sent | BIT(REL_SENT) | BIT(REL_OPENED) | BIT(REL_REPLIED) |
		             BIT(REL_DECLINED),
		         at, contacted)) != LC_OK ||
		    (e = store_campaign_first_set(db, ev->campaign_id, 1, at, &first)) != LC_OK)
			return e;
		return first ? store_campaign_day_add(db, ev->campaign_id, day, TL_FIRST_LINK_PLACED,
		                   1)
		             : LC_OK;
	case EV_EMAIL_BOUNCED:
		/* A bounced prospect was counted as delivered when its mail was accepted; one
		 * refused before any acceptance never was. */
		if ((e = store_rel_stamp(db, ev->relationship_id, STAMP_BOUNCED, at, 1, &changed)) !=
		    LC_OK)
			return e;
		if (changed) {
			int was_sent = 0;
			if ((e = store_rel_was_sent(db, ev->relationship_id, &was_sent)) != LC_OK)
				return e;
			if (was_sent && (e = store_campaign_counter_add(db, ev->campaign_id,
			                     COUNTER_DELIVERED, -1, at)) != LC_OK)
				return e;
		}
		return store_rel_advance(db, ev->relationship_id, REL_BOUNCED,
		    before_sent | BIT(REL_SENT) | BIT(REL_OPENED), at, contacted);
	case EV_CAMPAIGN_PAUSED:
		return store_campaign_note_add(db, ev->campaign_id, at, 0, ev->detail);
	case EV_CAMPAIGN_RESUMED:
		return store_campaign_note_add(db, ev->campaign_id, at, 1, ev->detail);
	case EV_NTYPES:
		break;
	}
	return LC_EINVAL;
}

lc_err
events_record(struct db *db, const struct event_in *ev, char event_id[ID_MAX])
{
	char at[TIME_SQL_LEN], day[TIME_DATE_LEN], id[ID_MAX];
	int contacted = 0;
	lc_err e;

	if (ev->type >= EV_NTYPES)
		return LC_EINVAL;
	if (ev->relationship_id == 0 && ev->type != EV_CAMPAIGN_CREATED &&
	    ev->type != EV_CAMPAIGN_PAUSED && ev->type != EV_CAMPAIGN_RESUMED &&
	    ev->type != EV_CAMPAIGN_CANCELLED && ev->type != EV_CAMPAIGN_COMPLETED)
		return LC_EINVAL;
	sqltime_format(ev->at_ms, at);
	date_format(ev->at_ms, day);
	if (ev->public_id)
		snprintf(id, sizeof(id), "%s", ev->public_id);
	else
		id_new("evt_", id);
	if (event_id)
		memcpy(event_id, id, ID_MAX);
	if ((e = store_event_insert(db, id, ev->workspace_id, ev->campaign_id, ev->relationship_id,
	         ev->message_id, event_type_name(ev->type), at, ev->detail)) != LC_OK)
		return e;

	/* The data version (versions.c) moves last, so this transaction takes the
	 * workspace row's lock as late as it can. */
	if ((e = apply(db, ev, at, day, &contacted)) != LC_OK)
		return e;
	return data_changed_tx(db, ev->workspace_id, contacted);
}
