/* placement_reclaim.c: the paid-link guarantee (docs/placements.md). A placement lost
 * before its guaranteeUntil gets a reclaim email to the prospect, quoting the evidence,
 * that waits for a person's approval whatever the workspace's policy (a reclaim is a
 * negotiation, never an automatic mail), in the approvals queue like any other. */
#include <stdio.h>
#include <string.h>

#include "core/placements.h"
#include "db/store_sending.h"
#include "db/store_placements.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timefmt.h"

#define RECLAIM_SUBJECT_MAX 300

struct reclaim_tx {
	const struct placement_job *job;
	int64_t now;
	int queued;
	const char *skipped; /* why no reclaim was queued, or NULL */
};

static lc_err reclaim_tx(struct db *, void *);

static lc_err
reclaim_tx(struct db *db, void *arg)
{
	struct reclaim_tx *t = arg;
	const struct placement_job *j = t->job;
	struct db_rows r;
	struct enqueue q;
	struct core_fail fail;
	struct buf body;
	char subject[RECLAIM_SUBJECT_MAX], until[TIME_DATE_LEN];
	const char *name, *email, *target, *guarantee;
	int64_t gms = 0;
	int suppressed = 0;
	lc_err e;

	if ((e = store_pl_reclaim_facts(db, j->id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1 || (guarantee = db_str(&r, 0, PLR_COL_GUARANTEE)) == NULL ||
	    sqltime_parse(guarantee, strlen(guarantee), &gms) != LC_OK || gms <= t->now) {
		t->skipped = "no guarantee in force";
		db_rows_free(&r);
		return LC_OK;
	}
	name = db_str(&r, 0, PLR_COL_NAME);
	email = db_str(&r, 0, PLR_COL_EMAIL);
	target = db_str(&r, 0, PLR_COL_TARGET);
	if ((e = store_suppressed(db, j->workspace_id, email, &suppressed)) != LC_OK ||
	    suppressed) {
		t->skipped = suppressed ? "the prospect's address is suppressed" : NULL;
		db_rows_free(&r);
		return e;
	}
	date_format(gms, until);
	snprintf(subject, sizeof(subject), "Our link on %.200s", j->link_url);
	buf_init(&body, 16384);
	/* the evidence of the check that decided the loss, in words */
	e = buf_printf(&body,
	    "Hi %s,\n\n"
	    "The link to %s that we agreed on, guaranteed until %s, is no longer on\n%s\n\n"
	    "Our checker fetched the page on different days and found it without the link; "
	    "the last time:\n"
	    "- checked at %s UTC, HTTP %s, final URL %s\n"
	    "- %s links on the page, none to %s\n"
	    "- page SHA-256 %s\n\n"
	    "Could you put it back? Thank you.\n",
	    name && name[0] ? name : "there", target, until, j->link_url,
	    db_str(&r, 0, PLR_COL_CHECKED) ? db_str(&r, 0, PLR_COL_CHECKED) : "?",
	    db_str(&r, 0, PLR_COL_HTTP) ? db_str(&r, 0, PLR_COL_HTTP) : "?",
	    db_str(&r, 0, PLR_COL_FINAL) ? db_str(&r, 0, PLR_COL_FINAL) : j->link_url,
	    db_str(&r, 0, PLR_COL_ANCHORS) ? db_str(&r, 0, PLR_COL_ANCHORS) : "?", target,
	    db_str(&r, 0, PLR_COL_SHA) ? db_str(&r, 0, PLR_COL_SHA) : "?");
	if (e != LC_OK) {
		buf_free(&body);
		db_rows_free(&r);
		return LC_ENOMEM;
	}
	memset(&q, 0, sizeof(q));
	memset(&fail, 0, sizeof(fail));
	q.workspace_id = j->workspace_id;
	q.campaign_id = j->campaign_id;
	q.relationship_id = j->relationship_id;
	q.kind = MSG_SEND_EMAIL;
	q.campaign_status = (unsigned)db_i64(&r, 0, PLR_COL_STATUS);
	q.from = db_str(&r, 0, PLR_COL_SENDER);
	q.to = email;
	q.to_name = name;
	q.subject = subject;
	q.body = body.data;
	q.requested_by = "linkcamp (paid-link guarantee)";
	q.action = "link_building.placement.reclaim";
	q.approve = 1;
	q.recipient_cleared = 1; /* refused above when suppressed */
	e = outbox_enqueue_tx(db, &q, &fail);
	if (e == LC_ECONFLICT || e == LC_EINVAL) {
		t->skipped = fail.detail ? fail.detail : "the workspace cannot cover it";
		e = LC_EINVAL; /* roll back what the enqueue wrote, without a retry */
	} else if (e == LC_OK) {
		t->queued = 1;
	}
	buf_free(&body);
	db_rows_free(&r);
	return e;
}

lc_err
placement_reclaim(struct core *core, const struct placement_job *job, int *queued)
{
	struct reclaim_tx t;
	lc_err e;

	memset(&t, 0, sizeof(t));
	t.job = job;
	t.now = now_ms();
	e = db_tx(core->db, reclaim_tx, &t);
	if (e == LC_EINVAL && t.skipped != NULL)
		e = LC_OK; /* nothing to queue after all: rolled back on purpose */
	if (t.skipped != NULL && e == LC_OK && strcmp(t.skipped, "no guarantee in force") != 0)
		log_msg(LOG_WARN,
		    "placement %lld lost inside its guarantee: no reclaim queued (%s)",
		    (long long)job->id, t.skipped);
	*queued = t.queued;
	return e;
}
