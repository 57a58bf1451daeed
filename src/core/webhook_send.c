/* webhook_send.c: the worker's side of webhooks. Claims due outbox rows with a lease
 * (FOR UPDATE SKIP LOCKED, a fence), builds each payload in the Standard Webhooks shape
 * {"type","timestamp","data"} and records the attempts of a batch, each with its retry
 * schedule, in one transaction (four statements for up to 32 deliveries). The HTTP
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

/* A batch of attempts being recorded: the rows to write and the webhooks to disable (a
 * 410 Gone), all in one transaction. */
struct record_tx {
	const struct store_whrec *rows;
	size_t n;
	const int64_t *disable; /* webhook ids */
	size_t ndisable;
	const char *now;
};

static lc_err pick_tx(struct db *, void *);
static lc_err record_tx(struct db *, void *);
static lc_err load_job(struct db *, const struct db_rows *, size_t, void *, int *);
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
	return lease_take_batch(db, &r, store_whout_claim_batch, p);
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

/* load_job makes row k of a claimed batch (store_whout_get_batch) into *j; *skip is 1
 * (and j left empty) when its webhook is no longer active, in which case the row has been
 * cancelled. The row stays the caller's. */
static lc_err
load_job(struct db *db, const struct db_rows *rows, size_t k, void *job, int *skip)
{
	struct webhook_job *j = job;
	json_t *data = NULL, *doc = NULL;
	const char *type, *s, *at;
	char ts[TIME_RFC3339_LEN];
	int64_t at_ms = 0, id = db_i64(rows, k, WHG_COL_ID);

	*skip = 0;
	memset(j, 0, sizeof(*j));
	if (db_i64(rows, k, WHG_COL_STATUS) != WH_ACTIVE) {
		uint64_t changed = 0;
		*skip = 1;
		return store_whout_finish(db, id, db_i64(rows, k, WHG_COL_FENCE), WHO_CANCELLED,
		    (unsigned)db_i64(rows, k, WHG_COL_ATTEMPTS), NULL, &changed);
	}
	type = db_str(rows, k, WHG_COL_TYPE);
	at = db_str(rows, k, WHG_COL_AT);
	if (at)
		sqltime_parse(at, strlen(at), &at_ms);
	data = json_object();
	if (data == NULL)
		goto nomem;
	json_object_set_new(data, "eventId", json_string(db_str(rows, k, WHG_COL_EVENT)));
	json_object_set_new(data, "workspaceId", json_string(db_str(rows, k, WHG_COL_WORKSPACE)));
	if (strcmp(type, WEBHOOK_TEST_EVENT) == 0) {
		json_object_set_new(
		    data, "webhookId", json_string(db_str(rows, k, WHG_COL_WEBHOOK_PUBLIC)));
	} else {
		if ((s = db_str(rows, k, WHG_COL_CAMPAIGN)) != NULL)
			json_object_set_new(data, "campaignId", json_string(s));
		if ((s = db_str(rows, k, WHG_COL_REL)) != NULL)
			json_object_set_new(data, "relationshipId", json_string(s));
		if ((s = db_str(rows, k, WHG_COL_MSG)) != NULL)
			json_object_set_new(data,
			    strcmp(type, "link_building.mailbox.paused") == 0 ? "mailboxId"
			                                                      : "messageId",
			    json_string(s));
		if ((s = db_str(rows, k, WHG_COL_DETAIL)) != NULL) {
			const char *key = strcmp(type, "link_building.approval.decided") == 0
			                      ? "decision"
			                  : strcmp(type, "link_building.link.placed") == 0 ||
			                          strcmp(type, "link_building.link.lost") == 0
			                      ? "linkUrl"
			                      : "reason";
			json_object_set_new(data, key, json_string(s));
			if (strcmp(key, "linkUrl") == 0)
				add_link_evidence(db, data, db_str(rows, k, WHG_COL_REL), s,
				    strcmp(type, "link_building.link.lost") == 0);
		}
	}
	rfc3339_format(at_ms, ts);
	if ((doc = json_pack("{s:s,s:s,s:o}", "type", type, "timestamp", ts, "data", data)) == NULL)
		goto nomem;
	data = NULL;
	j->outbox_id = id;
	j->fence = db_i64(rows, k, WHG_COL_FENCE);
	j->webhook_id = db_i64(rows, k, WHG_COL_WEBHOOK_ID);
	j->attempts = (unsigned)db_i64(rows, k, WHG_COL_ATTEMPTS);
	j->url = strdup(db_str(rows, k, WHG_COL_URL));
	j->secret = strdup(db_str(rows, k, WHG_COL_SECRET));
	j->event_id = strdup(db_str(rows, k, WHG_COL_EVENT));
	j->type = dup_or_null(type);
	j->body = json_dumps(doc, JSON_COMPACT);
	j->timestamp = now_ms() / 1000;
	json_decref(doc);
	if (!j->url || !j->secret || !j->event_id || !j->type || !j->body) {
		webhook_job_clear(j);
		return LC_ENOMEM;
	}
	j->body_len = strlen(j->body);
	return LC_OK;
nomem:
	json_decref(data);
	return LC_ENOMEM;
}

lc_err
webhook_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct webhook_job **jobs, size_t *n)
{
	void *out = NULL;
	lc_err e;

	e = lease_claim(core, lease_seconds, max, pick_tx, store_whout_get_batch, sizeof(**jobs),
	    load_job, &out, n);
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
	uint64_t changed = 0;
	size_t i;
	lc_err e;

	if ((e = store_whout_record_batch(db, t->rows, t->n, t->now, &changed)) != LC_OK)
		return e;
	for (i = 0; i < t->ndisable && e == LC_OK; i++)
		e = store_webhook_set_status(
		    db, t->disable[i], WH_DISABLED, "the receiver answered 410 Gone", t->now);
	return e;
}

lc_err
webhook_record_batch(
    struct core *core, const struct webhook_outcome *v, size_t n, unsigned scale_ms)
{
	struct store_whrec recs[LEASE_CLAIM_MAX];
	char due[LEASE_CLAIM_MAX][TIME_SQL_LEN];
	int64_t disable[LEASE_CLAIM_MAX];
	char now[TIME_SQL_LEN];
	struct record_tx t;
	int64_t ms = now_ms();
	size_t i;
	long wait;

	if (n == 0)
		return LC_OK;
	if (n > LEASE_CLAIM_MAX)
		return LC_EINVAL;
	memset(recs, 0, sizeof(recs));
	memset(&t, 0, sizeof(t));
	sqltime_format(ms, now);
	for (i = 0; i < n; i++) {
		const struct webhook_job *j = v[i].job;
		const struct webhook_result *res = &v[i].res;
		struct store_whrec *r = &recs[i];

		r->outbox_id = j->outbox_id;
		r->fence = j->fence;
		r->attempts = j->attempts + 1;
		r->webhook_id = j->webhook_id;
		r->event_public_id = j->event_id;
		r->type = j->type;
		r->status_code = res->status;
		r->error = res->error;
		r->excerpt = res->excerpt;
		r->duration_ms = res->duration_ms;
		if (res->status >= 200 && res->status < 300) {
			r->state = WHO_DELIVERED;
		} else if (res->status == 410) {
			r->state = WHO_FAILED;
			disable[t.ndisable++] = j->webhook_id;
		} else if ((wait = webhook_backoff_seconds(r->attempts)) < 0) {
			r->state = WHO_FAILED;
		} else {
			r->state = WHO_PENDING;
			sqltime_format(ms + (int64_t)wait * scale_ms, due[i]);
			r->due_sql = due[i];
		}
	}
	t.rows = recs;
	t.n = n;
	t.disable = disable;
	t.now = now;
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
