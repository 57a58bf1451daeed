/* events.c: the append-only event log and everything an event moves. Counters,
 * relationship stamps and per-day aggregates change in the caller's transaction, so
 * metrics read them instead of scanning events; so does the workspace's data version. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/funnel.h"
#include "db/store_campaigns.h"
#include "db/store_events.h"
#include "db/store_outbox.h"
#include "db/store_relationships.h"
#include "db/store_batch.h"
#include "core/webhooks.h"
#include "util/timefmt.h"

#define BIT(x) (1u << (x))

static lc_err first_stamp(
    struct db *, const struct event_in *, enum rel_stamp, const char *, enum campaign_counter, int);
static lc_err funnel_move(
    struct db *, const struct event_in *, enum funnel_event, const char *, int *);
static lc_err apply(struct db *, const struct event_in *, const char *, const char *, int *);
static size_t distinct_sorted(int64_t *, size_t);

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

/* funnel_move applies a funnel event to the relationship's facts and moves the campaign's
 * counters by what that changes (core/funnel.h: the one counting rule). *counted says
 * whether the event counts at all (a reply before any send does not). */
static lc_err
funnel_move(
    struct db *db, const struct event_in *ev, enum funnel_event fe, const char *at, int *counted)
{
	static const enum campaign_counter counter_of[FS_NSTAGES] = {
	    COUNTER_DRAFTS, COUNTER_SENT, COUNTER_DELIVERED, COUNTER_OPENED, COUNTER_REPLIED};
	int d[FS_NSTAGES], delta[COUNTER_NCOUNTERS] = {0}, any = 0;
	unsigned facts = 0, next;
	size_t i;
	lc_err e;

	if ((e = store_rel_funnel_lock(db, ev->relationship_id, &facts)) != LC_OK)
		return e;
	*counted = funnel_accepts(facts, fe);
	next = funnel_next(facts, fe);
	if (next == facts)
		return LC_OK;
	if ((e = store_rel_funnel_set(db, ev->relationship_id, next)) != LC_OK)
		return e;
	funnel_delta(facts, next, d);
	for (i = 0; i < FS_NSTAGES; i++) {
		delta[counter_of[i]] = d[i];
		any |= d[i] != 0;
	}
	return any ? store_campaign_counters_add(db, ev->campaign_id, delta, at) : LC_OK;
}

lc_err
events_reply_counts(struct db *db, int64_t rel_id, int *yes)
{
	unsigned facts = 0;
	lc_err e;

	if ((e = store_rel_funnel_lock(db, rel_id, &facts)) != LC_OK)
		return e;
	*yes = funnel_accepts(facts, FE_REPLIED);
	return LC_OK;
}

/* apply moves what the event moves: stamps, statuses, counters, aggregates, notes.
 * *contacted receives the change in the workspace's sent-or-opened relationships. */
static lc_err
apply(struct db *db, const struct event_in *ev, const char *at, const char *day, int *contacted)
{
	const unsigned before_sent =
	    BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL) | BIT(REL_SCHEDULED);
	int first = 0, counted = 0;
	lc_err e;

	switch (ev->type) {
	case EV_CAMPAIGN_CREATED:
		return store_campaign_day_add(db, ev->campaign_id, day, TL_CAMPAIGN_CREATED, 1);
	case EV_DRAFT_CREATED:
		if ((e = funnel_move(db, ev, FE_DRAFTED, at, &counted)) != LC_OK ||
		    (e = store_rel_stamp(db, ev->relationship_id, STAMP_DRAFTED, at, 1, NULL)) !=
		        LC_OK)
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
		if ((e = store_campaign_counter_add(
		         db, ev->campaign_id, COUNTER_PENDING, -1, at)) != LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_PROSPECT,
		    BIT(REL_AWAITING_APPROVAL), at, contacted);
	case EV_MESSAGE_SCHEDULED:
		return store_rel_advance(db, ev->relationship_id, REL_SCHEDULED,
		    BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL), at, contacted);
	case EV_CAMPAIGN_CANCELLED:
	case EV_CAMPAIGN_COMPLETED: return LC_OK;
	case EV_LINK_LOST:
		/* counters and the relationship keep "ever placed"; the placement shows lost
		 * (docs/placements.md) */
		return LC_OK;
	case EV_UNSUBSCRIBED:
		return store_rel_advance(db, ev->relationship_id, REL_UNSUBSCRIBED,
		    ~(BIT(REL_LINK_PLACED) | BIT(REL_UNSUBSCRIBED)) & (BIT(REL_NSTATUS) - 1), at,
		    contacted);
	case EV_APPROVAL_COMPLETED:
		if ((e = store_campaign_counter_add(
		         db, ev->campaign_id, COUNTER_PENDING, -1, at)) != LC_OK ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_SCHEDULED,
		         BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL), at, contacted)) != LC_OK)
			return e;
		return store_campaign_day_add(db, ev->campaign_id, day, TL_APPROVALS_COMPLETED, 1);
	case EV_EMAIL_SENT: /* events_record_sent */ break;
	case EV_EMAIL_OPENED:
		/* an open, a reply or a bounce moves nothing for a prospect never sent anything
		 * (core/funnel.h); the callers do not record one, this is the backstop */
		if ((e = funnel_move(db, ev, FE_OPENED, at, &counted)) != LC_OK || !counted ||
		    (e = store_rel_stamp(db, ev->relationship_id, STAMP_OPENED, at, 1, NULL)) !=
		        LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_OPENED,
		    before_sent | BIT(REL_SENT), at, contacted);
	case EV_REPLY_RECEIVED:
		/* a counted reply also moves a bounced prospect on: they are reachable after all */
		if ((e = funnel_move(db, ev, FE_REPLIED, at, &counted)) != LC_OK || !counted ||
		    (e = store_rel_stamp(db, ev->relationship_id, STAMP_LAST_REPLY, at, 0, NULL)) !=
		        LC_OK ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_REPLIED,
		         before_sent | BIT(REL_SENT) | BIT(REL_OPENED) | BIT(REL_BOUNCED), at,
		         contacted)) != LC_OK ||
		    (e = store_campaign_first_set(db, ev->campaign_id, 0, at, &first)) != LC_OK)
			return e;
		return first ? store_campaign_day_add(db, ev->campaign_id, day, TL_FIRST_REPLY, 1)
		             : LC_OK;
	case EV_LINK_PLACED:
		if ((e = first_stamp(db, ev, STAMP_PLACED, at, COUNTER_PLACED, 1)) != LC_OK ||
		    (ev->detail &&
		        (e = store_rel_set_link(db, ev->relationship_id, ev->detail)) != LC_OK) ||
		    (e = store_rel_advance(db, ev->relationship_id, REL_LINK_PLACED,
		         before_sent | BIT(REL_SENT) | BIT(REL_OPENED) | BIT(REL_REPLIED) |
		             BIT(REL_DECLINED),
		         at, contacted)) != LC_OK ||
		    (e = store_campaign_first_set(db, ev->campaign_id, 1, at, &first)) != LC_OK)
			return e;
		return first ? store_campaign_day_add(
		                   db, ev->campaign_id, day, TL_FIRST_LINK_PLACED, 1)
		             : LC_OK;
	case EV_EMAIL_BOUNCED:
		/* A bounce after a send takes the prospect out of "delivered" unless they opened
		 * or replied (core/funnel.h); one refused before any acceptance only shows. */
		if ((e = funnel_move(db, ev, FE_BOUNCED, at, &counted)) != LC_OK ||
		    (e = store_rel_stamp(db, ev->relationship_id, STAMP_BOUNCED, at, 1, NULL)) !=
		        LC_OK)
			return e;
		return store_rel_advance(db, ev->relationship_id, REL_BOUNCED,
		    before_sent | BIT(REL_SENT) | BIT(REL_OPENED), at, contacted);
	case EV_CAMPAIGN_PAUSED:
		return store_campaign_note_add(db, ev->campaign_id, at, 0, ev->detail);
	case EV_CAMPAIGN_RESUMED:
		return store_campaign_note_add(db, ev->campaign_id, at, 1, ev->detail);
	case EV_NTYPES: break;
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
	if (ev->type == EV_EMAIL_SENT) {
		struct event_in one = *ev;

		one.public_id = id;
		return events_record_sent(db, &one, 1);
	}
	if ((e = store_event_insert(db, id, ev->workspace_id, ev->campaign_id, ev->relationship_id,
	         ev->message_id, event_type_name(ev->type), at, ev->detail)) != LC_OK ||
	    (e = webhooks_fanout(db, ev, id, at)) != LC_OK)
		return e;

	/* The data version (versions.c) moves last, so this transaction takes the
	 * workspace row's lock as late as it can. */
	if ((e = apply(db, ev, at, day, &contacted)) != LC_OK)
		return e;
	if (ev->version_moved && contacted == 0)
		return LC_OK; /* moved in this transaction already: once is what readers need */
	return data_changed_tx(db, ev->workspace_id, contacted);
}

/* distinct_sorted sorts v and drops repeats; returns how many remain. */
static size_t
distinct_sorted(int64_t *v, size_t n)
{
	size_t i, j, k = 0;

	for (i = 1; i < n; i++) /* insertion sort: n <= STORE_BATCH_MAX */
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

lc_err
events_record_sent(struct db *db, const struct event_in *evs, size_t n)
{
	const unsigned before_sent =
	    BIT(REL_PROSPECT) | BIT(REL_AWAITING_APPROVAL) | BIT(REL_SCHEDULED);
	struct store_event_row rows[STORE_BATCH_MAX];
	struct store_rel_contact rc[STORE_BATCH_MAX];
	int64_t rel_ids[STORE_BATCH_MAX], owners[STORE_BATCH_MAX];
	int first[STORE_BATCH_MAX], advanced[STORE_BATCH_MAX], moved[STORE_BATCH_MAX][FS_NSTAGES];
	char at[TIME_SQL_LEN], day[TIME_DATE_LEN];
	struct db_rows r;
	size_t i, j, k, nrc = 0, nown;
	lc_err e;

	if (n == 0 || n > STORE_BATCH_MAX)
		return LC_EINVAL;
	for (i = 0; i < n; i++) {
		if (evs[i].type != EV_EMAIL_SENT || evs[i].relationship_id == 0 ||
		    evs[i].public_id == NULL || evs[i].at_ms != evs[0].at_ms)
			return LC_EINVAL;
		rows[i].public_id = evs[i].public_id;
		rows[i].workspace_id = evs[i].workspace_id;
		rows[i].campaign_id = evs[i].campaign_id;
		rows[i].relationship_id = evs[i].relationship_id;
		rows[i].message_public_id = evs[i].message_id;
		rel_ids[i] = evs[i].relationship_id;
	}
	sqltime_format(evs[0].at_ms, at);
	date_format(evs[0].at_ms, day);
	if ((e = store_event_insert_batch(db, rows, n, event_type_name(EV_EMAIL_SENT), at)) !=
	        LC_OK ||
	    (e = webhooks_fanout_sent(db, rows, n, at)) != LC_OK ||
	    (e = store_rel_lock_batch(db, rel_ids, n, &r)) != LC_OK)
		return e;

	/* What each event moves, in order: a relationship's first send moves the funnel once
	 * (core/funnel.h: sent, delivered, and drafted for a one-off email), and its move to sent
	 * (from before it) enters the workspace's sent-or-opened count once, however often it
	 * appears in the batch. */
	for (i = 0; i < n; i++) {
		first[i] = advanced[i] = 0;
		memset(moved[i], 0, sizeof(moved[i]));
		for (k = 0; k < nrc && rc[k].id != evs[i].relationship_id; k++)
			;
		if (k < nrc)
			continue; /* moved by an earlier event of the batch */
		for (j = 0; j < r.nrows && db_i64(&r, j, RLB_COL_ID) != evs[i].relationship_id; j++)
			;
		if (j == r.nrows) {
			db_rows_free(&r);
			return LC_ENOTFOUND;
		}
		first[i] = db_i64(&r, j, RLB_COL_FIRST_SENT_UNSET) != 0;
		advanced[i] = (before_sent >> db_i64(&r, j, RLB_COL_STATUS)) & 1;
		{
			unsigned facts = (unsigned)db_i64(&r, j, RLB_COL_FUNNEL);
			funnel_delta(facts, funnel_next(facts, FE_SENT), moved[i]);
		}
		rc[nrc].id = evs[i].relationship_id;
		rc[nrc].stamp_first_sent = first[i];
		rc[nrc].advance = advanced[i];
		nrc++;
	}
	db_rows_free(&r);
	if ((e = store_rel_contacted_batch(db, rc, nrc, REL_SENT, at)) != LC_OK)
		return e;

	/* The rows every sender waits for come last, each campaign and workspace once, in
	 * id order so that concurrent batches take them in the same order. */
	for (i = 0; i < n; i++)
		owners[i] = evs[i].campaign_id;
	nown = distinct_sorted(owners, n);
	for (k = 0; k < nown; k++) {
		int delta[COUNTER_NCOUNTERS] = {0};
		unsigned sent = 0;

		for (i = 0; i < n; i++)
			if (evs[i].campaign_id == owners[k]) {
				sent++;
				delta[COUNTER_DRAFTS] += moved[i][FS_DRAFTED];
				delta[COUNTER_SENT] += moved[i][FS_SENT];
				delta[COUNTER_DELIVERED] += moved[i][FS_DELIVERED];
				delta[COUNTER_OPENED] += moved[i][FS_OPENED];
				delta[COUNTER_REPLIED] += moved[i][FS_REPLIED];
			}
		if (((delta[COUNTER_DRAFTS] | delta[COUNTER_SENT] | delta[COUNTER_DELIVERED]) !=
		            0 &&
		        (e = store_campaign_counters_add(db, owners[k], delta, at)) != LC_OK) ||
		    (e = store_campaign_day_add(db, owners[k], day, TL_EMAILS_SENT, sent)) != LC_OK)
			return e;
	}
	for (i = 0; i < n; i++)
		owners[i] = evs[i].workspace_id;
	nown = distinct_sorted(owners, n);
	for (k = 0; k < nown; k++) {
		int contacted = 0;

		for (i = 0; i < n; i++)
			if (evs[i].workspace_id == owners[k])
				contacted += advanced[i];
		if ((e = data_changed_tx(db, owners[k], contacted)) != LC_OK)
			return e;
	}
	return LC_OK;
}
