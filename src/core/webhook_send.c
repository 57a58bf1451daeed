/* webhook_send.c: the worker's side of webhooks. Claims due outbox rows with a lease
 * (FOR UPDATE SKIP LOCKED, a fence), builds each payload in the Standard Webhooks shape
 * {"type","timestamp","data"} and records each attempt with its retry schedule. The HTTP
 * request itself is the worker's (src/hook/); delivery is at least once. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/placements.h"
#include "core/webhooks.h"
#include "db/store_webhooks.h"
#include "core/lease.h"
#include "util/timefmt.h"

/* Seconds to wait before retry k (k = 1 after the first failure): ≈ 3 days in all. */
static const long backoff[] = {
    5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000, 36000};

struct record_tx {
	const struct webhook_job *job;
	const struct webhook_result *res;
	const char *now, *due;
	unsigned state, attempts;
	int disable;
};

static lc_err pick_tx(struct db *, void *);
static lc_err record_tx(struct db *, void *);
static lc_err load_job(struct db *, int64_t, void *, int *);
static char *dup_or_null(const char *);

long
webhook_backoff_seconds(unsigned attempts)
{
	if (attempts == 0 || attempts > sizeof(backoff) / sizeof(backoff[0]))
		return -1;
	return backoff[attempts - 1];
}

static lc_err
pick_tx(struct db *db, void *arg)
{
	struct lease_pick *p = arg;
	struct db_rows r;
	lc_err e;

	p->n = 0;
	if ((e = store_whout_due(db, p->now, p->max, &r)) != LC_OK)
		return e;
	return lease_take(db, &r, store_whout_claim, p);
}

/* add_link_evidence adds to a link.placed / link.lost payload the placement's id, the
 * verdict and the evidence of the check that decided it (docs/placements.md); a
 * placement without recorded evidence (a check from before migration 090) adds nothing. */
static void
add_link_evidence(
    struct db *db, json_t *data, const char *rel_public, const char *link_url, int lost)
{
	char pid[ID_MAX];
	json_t *ev;

	if (rel_public == NULL || (ev = placement_event_evidence(
	                               db, rel_public, link_url, lost, pid, sizeof(pid))) == NULL)
		return;
	if (pid[0])
		json_object_set_new(data, "placementId", json_string(pid));
	json_object_set(data, "verdict", json_object_get(ev, "verdict"));
	json_object_set_new(data, "evidence", ev);
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* load_job reads a claimed row into *j; *skip is 1 (and j untouched) when the row is gone
 * or its webhook is no longer active, in which case it has been cancelled. */
static lc_err
load_job(struct db *db, int64_t id, void *job, int *skip)
{
	struct webhook_job *j = job;
	struct db_rows r;
	json_t *data = NULL, *doc = NULL;
	const char *type, *s, *at;
	char ts[TIME_RFC3339_LEN];
	int64_t at_ms = 0;
	lc_err e;

	*skip = 0;
	memset(j, 0, sizeof(*j));
	if ((e = store_whout_get(db, id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1 || db_i64(&r, 0, WHG_COL_STATUS) != WH_ACTIVE) {
		uint64_t changed = 0;
		*skip = 1;
		if (r.nrows == 1)
			e = store_whout_finish(db, id, db_i64(&r, 0, WHG_COL_FENCE), WHO_CANCELLED,
			    (unsigned)db_i64(&r, 0, WHG_COL_ATTEMPTS), NULL, &changed);
		db_rows_free(&r);
		return e;
	}
	type = db_str(&r, 0, WHG_COL_TYPE);
	at = db_str(&r, 0, WHG_COL_AT);
	if (at)
		sqltime_parse(at, strlen(at), &at_ms);
	data = json_object();
	if (data == NULL)
		goto nomem;
	json_object_set_new(data, "eventId", json_string(db_str(&r, 0, WHG_COL_EVENT)));
	json_object_set_new(data, "workspaceId", json_string(db_str(&r, 0, WHG_COL_WORKSPACE)));
	if (strcmp(type, WEBHOOK_TEST_EVENT) == 0) {
		json_object_set_new(
		    data, "webhookId", json_string(db_str(&r, 0, WHG_COL_WEBHOOK_PUBLIC)));
	} else {
		if ((s = db_str(&r, 0, WHG_COL_CAMPAIGN)) != NULL)
			json_object_set_new(data, "campaignId", json_string(s));
		if ((s = db_str(&r, 0, WHG_COL_REL)) != NULL)
			json_object_set_new(data, "relationshipId", json_string(s));
		if ((s = db_str(&r, 0, WHG_COL_MSG)) != NULL)
			json_object_set_new(data,
			    strcmp(type, "link_building.mailbox.paused") == 0 ? "mailboxId"
			                                                      : "messageId",
			    json_string(s));
		if ((s = db_str(&r, 0, WHG_COL_DETAIL)) != NULL) {
			const char *key = strcmp(type, "link_building.approval.decided") == 0
			                      ? "decision"
			                  : strcmp(type, "link_building.link.placed") == 0 ||
			                          strcmp(type, "link_building.link.lost") == 0
			                      ? "linkUrl"
			                      : "reason";
			json_object_set_new(data, key, json_string(s));
			if (strcmp(key, "linkUrl") == 0)
				add_link_evidence(db, data, db_str(&r, 0, WHG_COL_REL), s,
				    strcmp(type, "link_building.link.lost") == 0);
		}
	}
	rfc3339_format(at_ms, ts);
	if ((doc = json_pack("{s:s,s:s,s:o}", "type", type, "timestamp", ts, "data", data)) == NULL)
		goto nomem;
	data = NULL;
	j->outbox_id = id;
	j->fence = db_i64(&r, 0, WHG_COL_FENCE);
	j->webhook_id = db_i64(&r, 0, WHG_COL_WEBHOOK_ID);
	j->attempts = (unsigned)db_i64(&r, 0, WHG_COL_ATTEMPTS);
	j->url = strdup(db_str(&r, 0, WHG_COL_URL));
	j->secret = strdup(db_str(&r, 0, WHG_COL_SECRET));
	j->event_id = strdup(db_str(&r, 0, WHG_COL_EVENT));
	j->type = dup_or_null(type);
	j->body = json_dumps(doc, JSON_COMPACT);
	j->timestamp = now_ms() / 1000;
	json_decref(doc);
	db_rows_free(&r);
	if (!j->url || !j->secret || !j->event_id || !j->type || !j->body) {
		webhook_job_clear(j);
		return LC_ENOMEM;
	}
	j->body_len = strlen(j->body);
	return LC_OK;
nomem:
	json_decref(data);
	db_rows_free(&r);
	return LC_ENOMEM;
}

lc_err
webhook_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct webhook_job **jobs, size_t *n)
{
	void *out = NULL;
	lc_err e;

	e = lease_claim(core, lease_seconds, max, pick_tx, sizeof(**jobs), load_job, &out, n);
	*jobs = out;
	return e;
}

void
webhook_job_clear(struct webhook_job *j)
{
	if (j == NULL)
		return;
	free(j->url);
	free(j->secret);
	free(j->event_id);
	free(j->type);
	free(j->body);
	memset(j, 0, sizeof(*j));
}

static lc_err
record_tx(struct db *db, void *arg)
{
	struct record_tx *t = arg;
	const struct webhook_job *j = t->job;
	uint64_t changed = 0;
	lc_err e;

	if ((e = store_whdel_insert(db, j->webhook_id, j->event_id, j->type, j->attempts + 1,
	         t->res->status, t->res->error, t->res->excerpt, t->now, t->res->duration_ms)) !=
	        LC_OK ||
	    (e = store_whout_finish(
	         db, j->outbox_id, j->fence, t->state, t->attempts, t->due, &changed)) != LC_OK)
		return e;
	if (t->disable)
		return store_webhook_set_status(
		    db, j->webhook_id, WH_DISABLED, "the receiver answered 410 Gone", t->now);
	return LC_OK;
}

lc_err
webhook_record(struct core *core, const struct webhook_job *job, const struct webhook_result *res,
    unsigned scale_ms)
{
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN];
	struct record_tx t;
	int64_t ms = now_ms();
	long wait;

	memset(&t, 0, sizeof(t));
	sqltime_format(ms, now);
	t.job = job;
	t.res = res;
	t.now = now;
	t.attempts = job->attempts + 1;
	if (res->status >= 200 && res->status < 300) {
		t.state = WHO_DELIVERED;
	} else if (res->status == 410) {
		t.state = WHO_FAILED;
		t.disable = 1;
	} else if ((wait = webhook_backoff_seconds(t.attempts)) < 0) {
		t.state = WHO_FAILED;
	} else {
		t.state = WHO_PENDING;
		sqltime_format(ms + (int64_t)wait * scale_ms, due);
		t.due = due;
	}
	return db_tx(core->db, record_tx, &t);
}

lc_err
webhook_reap(struct core *core, unsigned *n)
{
	char now[TIME_SQL_LEN];
	uint64_t changed = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	e = store_whout_reap(core->db, now, &changed);
	*n = (unsigned)changed;
	return e;
}
