/* placement_check.c: the worker's side of placements. Claims due checks with a lease
 * (FOR UPDATE SKIP LOCKED, a fence) and writes each outcome; the fetch and the HTML parse
 * are the worker's (src/hook/). The schedule is in docs/placements.md. */
#include <stdlib.h>
#include <string.h>

#include "core/placements.h"
#include "db/store_placements.h"
#include "util/timefmt.h"

/* Seconds before retry k (k = 1 after the first miss) of a pending placement: it is
 * not_found after the last one fails. */
static const long pending_backoff[] = {30, 120, 600};
#define PENDING_CHECKS (1 + sizeof(pending_backoff) / sizeof(pending_backoff[0]))
/* A verified link missing on a re-check is checked again this much later; missing twice
 * in a row, it is lost. */
#define CONFIRM_SECONDS 60
#define LOST_AFTER 2

struct claim_tx {
	const char *now, *lease;
	unsigned max;
	int64_t ids[PLACEMENT_CLAIM_MAX];
	size_t n;
};

struct record_tx {
	const struct placement_job *job;
	const struct placement_result *res;
	const struct placement_timing *t;
	int64_t now;
};

static lc_err claim_tx(struct db *, void *);
static lc_err record_tx(struct db *, void *);
static lc_err load_job(struct db *, int64_t, struct placement_job *, int *);

static lc_err
claim_tx(struct db *db, void *arg)
{
	struct claim_tx *t = arg;
	struct db_rows r;
	size_t i;
	lc_err e;

	t->n = 0;
	if ((e = store_pl_due(db, t->now, t->max, &r)) != LC_OK)
		return e;
	for (i = 0; i < r.nrows && e == LC_OK; i++) {
		t->ids[t->n] = db_i64(&r, i, 0);
		if ((e = store_pl_claim(db, t->ids[t->n], t->lease)) == LC_OK)
			t->n++;
	}
	db_rows_free(&r);
	return e;
}

/* load_job reads a claimed row into *j; *skip is 1 when it is gone. */
static lc_err
load_job(struct db *db, int64_t id, struct placement_job *j, int *skip)
{
	struct db_rows r;
	lc_err e;

	*skip = 0;
	memset(j, 0, sizeof(*j));
	if ((e = store_pl_job(db, id, 0, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		*skip = 1;
		db_rows_free(&r);
		return LC_OK;
	}
	j->id = id;
	j->fence = db_i64(&r, 0, PLJ_COL_FENCE);
	j->status = (unsigned)db_i64(&r, 0, PLJ_COL_STATUS);
	j->misses = (unsigned)db_i64(&r, 0, PLJ_COL_MISSES);
	j->workspace_id = db_i64(&r, 0, PLJ_COL_WORKSPACE);
	j->campaign_id = db_i64(&r, 0, PLJ_COL_CAMPAIGN);
	j->relationship_id = db_i64(&r, 0, PLJ_COL_REL);
	j->link_url = strdup(db_str(&r, 0, PLJ_COL_URL));
	j->target_url = strdup(db_str(&r, 0, PLJ_COL_TARGET));
	db_rows_free(&r);
	if (j->link_url == NULL || j->target_url == NULL) {
		placement_job_clear(j);
		return LC_ENOMEM;
	}
	return LC_OK;
}

lc_err
placement_claim(struct core *core, unsigned lease_seconds, unsigned max,
    struct placement_job **jobs, size_t *n)
{
	char now[TIME_SQL_LEN], lease[TIME_SQL_LEN];
	struct claim_tx t;
	struct placement_job *out;
	int64_t ms = now_ms();
	size_t i;
	int skip;
	lc_err e = LC_OK;

	*jobs = NULL;
	*n = 0;
	memset(&t, 0, sizeof(t));
	sqltime_format(ms, now);
	sqltime_format(ms + (int64_t)lease_seconds * 1000, lease);
	t.now = now;
	t.lease = lease;
	t.max = max < PLACEMENT_CLAIM_MAX ? max : PLACEMENT_CLAIM_MAX;
	if (t.max == 0)
		return LC_OK;
	if ((e = db_tx(core->db, claim_tx, &t)) != LC_OK || t.n == 0)
		return e;
	if ((out = calloc(t.n, sizeof(*out))) == NULL)
		return LC_ENOMEM; /* the leases expire and the reaper returns them */
	for (i = 0; i < t.n; i++) {
		if ((e = load_job(core->db, t.ids[i], &out[*n], &skip)) != LC_OK)
			break;
		if (!skip)
			(*n)++;
	}
	if (*n == 0) {
		free(out);
		out = NULL;
	}
	*jobs = out;
	return e == LC_OK || *n > 0 ? LC_OK : e;
}

void
placement_job_clear(struct placement_job *j)
{
	if (j == NULL)
		return;
	free(j->link_url);
	free(j->target_url);
	memset(j, 0, sizeof(*j));
}

static lc_err
record_tx(struct db *db, void *arg)
{
	struct record_tx *t = arg;
	const struct placement_job *j = t->job;
	struct store_pl_finish f;
	struct event_in ev;
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN];
	struct db_rows r;
	uint64_t changed = 0;
	long wait = -1;
	int event = -1;
	lc_err e;

	/* the row, locked: a check whose lease was lost writes nothing */
	if ((e = store_pl_job(db, j->id, 1, &r)) != LC_OK)
		return e;
	if (r.nrows != 1 || db_i64(&r, 0, PLJ_COL_FENCE) != j->fence ||
	    db_i64(&r, 0, PLJ_COL_LEASED) != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	db_rows_free(&r);
	memset(&f, 0, sizeof(f));
	sqltime_format(t->now, now);
	f.id = j->id;
	f.fence = j->fence;
	f.now_sql = now;
	f.http_status = t->res->http_status;
	f.error = t->res->found ? NULL : t->res->error;
	if (t->res->found) {
		f.status = PL_VERIFIED;
		f.misses = 0;
		wait = (long)t->t->recheck_seconds * 1000;
		if (j->status != PL_VERIFIED) {
			f.verified = 1;
			event = EV_LINK_PLACED;
		}
	} else if (j->status == PL_VERIFIED) {
		f.misses = j->misses + 1;
		if (f.misses >= LOST_AFTER) {
			f.status = PL_LOST;
			f.lost = 1;
			event = EV_LINK_LOST;
		} else {
			f.status = PL_VERIFIED;
			wait = (long)CONFIRM_SECONDS * t->t->backoff_scale_ms;
		}
	} else {
		f.misses = j->misses + 1;
		if (f.misses >= PENDING_CHECKS) {
			f.status = PL_NOT_FOUND;
		} else {
			f.status = PL_PENDING;
			wait = pending_backoff[f.misses - 1] * (long)t->t->backoff_scale_ms;
		}
	}
	if (wait >= 0) {
		sqltime_format(t->now + wait, due);
		f.due_sql = due;
	}
	if ((e = store_pl_finish(db, &f, &changed)) != LC_OK || changed == 0 || event < 0)
		return e;
	/* the event last: it takes the campaign's and the workspace's hot rows */
	memset(&ev, 0, sizeof(ev));
	ev.type = (enum event_type)event;
	ev.workspace_id = j->workspace_id;
	ev.campaign_id = j->campaign_id;
	ev.relationship_id = j->relationship_id;
	ev.at_ms = t->now;
	ev.detail = j->link_url;
	return events_record(db, &ev, NULL);
}

lc_err
placement_record(struct core *core, const struct placement_job *job,
    const struct placement_result *res, const struct placement_timing *t)
{
	struct record_tx x;

	x.job = job;
	x.res = res;
	x.t = t;
	x.now = now_ms();
	return db_tx(core->db, record_tx, &x);
}

lc_err
placement_reap(struct core *core, unsigned *n)
{
	char now[TIME_SQL_LEN];
	uint64_t changed = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	e = store_pl_reap(core->db, now, &changed);
	*n = (unsigned)changed;
	return e;
}
