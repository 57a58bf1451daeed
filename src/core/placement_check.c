/* placement_check.c: the worker's side of placements. Claims due checks with a lease
 * (FOR UPDATE SKIP LOCKED, a fence) and writes each outcome; the fetch and the HTML parse
 * are the worker's (src/hook/). The schedule is in docs/placements.md. */
#include <stdlib.h>
#include <string.h>

#include "core/placements.h"
#include "db/store_placements.h"
#include "core/lease.h"
#include "util/timefmt.h"

/* Seconds before retry k (k = 1 after the first miss) of a pending placement: it is
 * not_found after the last one fails. */
static const long pending_backoff[] = {30, 120, 600};
#define PENDING_CHECKS (1 + sizeof(pending_backoff) / sizeof(pending_backoff[0]))
/* The claim's order: never-verified links first (a client waits for them), then verified
 * ones due for their re-check, then lost ones (rarely due: lost_recheck_seconds). */
#define PRIORITY_NEW 0
#define PRIORITY_VERIFIED 1
#define PRIORITY_LOST 2

_Static_assert(PLACEMENT_CLAIM_MAX <= LEASE_CLAIM_MAX, "one claim's ids fit its lease_pick");

struct record_tx {
	const struct placement_job *job;
	const struct placement_evidence *ev;
	const struct placement_timing *t;
	int64_t now;
	enum placement_verdict verdict;
	int lost; /* this check made the placement lost */
};

/* The next state of a placement after one check (decide). */
struct next_state {
	unsigned status, misses, missing_days, priority;
	int verified, lost, event; /* event: EV_* or -1 */
	int64_t wait_ms;           /* < 0: no next check */
	int64_t missing_ms;        /* the last counted missing result, < 0: none */
};

static void decide(const struct placement_job *, enum placement_verdict,
    const struct placement_timing *, int64_t, struct next_state *);

static lc_err pick_tx(struct db *, void *);
static lc_err record_tx(struct db *, void *);
static lc_err load_job(struct db *, const struct db_rows *, size_t, void *, int *);

static lc_err
pick_tx(struct db *db, void *arg)
{
	static const unsigned order[STORE_PL_PRIORITIES] = {
	    PRIORITY_NEW, PRIORITY_VERIFIED, PRIORITY_LOST};
	struct lease_pick *p = arg;
	struct db_rows r;
	lc_err e;

	p->n = 0;
	if ((e = store_pl_due(db, order, p->now, p->max, &r)) != LC_OK)
		return e;
	return lease_take_batch(db, &r, store_pl_claim_batch, p);
}

/* load_job reads row k of a claim's rows into *j (never skipped: a row gone is not among
 * them). */
static lc_err
load_job(struct db *db, const struct db_rows *rows, size_t k, void *job, int *skip)
{
	struct placement_job *j = job;
	const struct db_rows *r = rows;
	int64_t id = db_i64(rows, k, PLJ_COL_ID);

	(void)db;
	*skip = 0;
	memset(j, 0, sizeof(*j));
	j->id = id;
	j->fence = db_i64(r, k, PLJ_COL_FENCE);
	j->status = (unsigned)db_i64(r, k, PLJ_COL_STATUS);
	j->misses = (unsigned)db_i64(r, k, PLJ_COL_MISSES);
	j->workspace_id = db_i64(r, k, PLJ_COL_WORKSPACE);
	j->campaign_id = db_i64(r, k, PLJ_COL_CAMPAIGN);
	j->relationship_id = db_i64(r, k, PLJ_COL_REL);
	j->link_url = strdup(db_str(r, k, PLJ_COL_URL));
	j->target_url = strdup(db_str(r, k, PLJ_COL_TARGET));
	j->domain = strdup(db_str(r, k, PLJ_COL_DOMAIN));
	if (db_str(r, k, PLJ_COL_ANCHOR) != NULL &&
	    (j->expected_anchor = strdup(db_str(r, k, PLJ_COL_ANCHOR))) == NULL)
		j->domain = (free(j->domain), NULL); /* reported as out of memory below */
	j->expected_rel = db_str(r, k, PLJ_COL_REL_EXPECTED) != NULL
	                      ? (int)db_i64(r, k, PLJ_COL_REL_EXPECTED)
	                      : PL_REL_FOLLOW;
	j->missing_days = (unsigned)db_i64(r, k, PLJ_COL_MISSING_DAYS);
	j->missing_ms = -1;
	if (db_str(r, k, PLJ_COL_MISSING_AT) != NULL)
		sqltime_parse(db_str(r, k, PLJ_COL_MISSING_AT),
		    strlen(db_str(r, k, PLJ_COL_MISSING_AT)), &j->missing_ms);
	if (j->link_url == NULL || j->target_url == NULL || j->domain == NULL) {
		placement_job_clear(j);
		return LC_ENOMEM;
	}
	return LC_OK;
}

lc_err
placement_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct placement_job **jobs, size_t *n)
{
	void *out = NULL;
	lc_err e;

	e = lease_claim(core, lease_seconds, max < PLACEMENT_CLAIM_MAX ? max : PLACEMENT_CLAIM_MAX,
	    pick_tx, store_pl_job_batch, sizeof(**jobs), load_job, &out, n);
	*jobs = out;
	return e;
}

void
placement_job_clear(struct placement_job *j)
{
	if (j == NULL)
		return;
	free(j->link_url);
	free(j->target_url);
	free(j->domain);
	free(j->expected_anchor);
	memset(j, 0, sizeof(*j));
}

/* unverifiable_wait is how long after the k-th unverifiable result in a row (k = 0 the
 * first) a link is looked at again: the recheck interval, doubling, at most the lost
 * links' interval. A site that is down or blocks us is asked less and less often. */
static int64_t
unverifiable_wait(const struct placement_timing *t, unsigned k)
{
	int64_t w = (int64_t)t->recheck_seconds * 1000,
	        cap = (int64_t)t->lost_recheck_seconds * 1000;

	while (k-- > 0 && w < cap)
		w *= 2;
	return w < cap ? w : cap;
}

/* decide is the schedule of docs/placements.md: what one verdict does to a placement in
 * its current status. unverifiable never moves a link toward lost; a missing result
 * counts toward lost only lost_confirm_seconds after the last counted one (another day). */
static void
decide(const struct placement_job *j, enum placement_verdict v, const struct placement_timing *t,
    int64_t now, struct next_state *n)
{
	const int present = v == PV_LIVE || v == PV_LIVE_ISSUES;
	const int64_t recheck = (int64_t)t->recheck_seconds * 1000;

	memset(n, 0, sizeof(*n));
	n->event = -1;
	n->status = j->status;
	n->misses = j->misses;
	n->missing_days = j->missing_days;
	n->missing_ms = j->missing_ms;
	n->wait_ms = recheck;
	if (present) {
		n->status = PL_VERIFIED;
		n->priority = PRIORITY_VERIFIED;
		n->misses = 0;
		n->missing_days = 0;
		n->missing_ms = -1;
		if (j->status == PL_PENDING || j->status == PL_NOT_FOUND) {
			n->verified = 1;
			n->event = EV_LINK_PLACED;
		}
		return;
	}
	switch (j->status) {
	case PL_VERIFIED:
		n->priority = PRIORITY_VERIFIED;
		if (v != PV_MISSING) {
			/* unverifiable: no step toward lost; asked again, backing off */
			n->misses = j->misses + 1;
			n->wait_ms = unverifiable_wait(t, j->misses);
			return;
		}
		if (j->missing_ms < 0 ||
		    now - j->missing_ms >= (int64_t)t->lost_confirm_seconds * 1000) {
			n->missing_days = j->missing_days + 1;
			n->missing_ms = now;
		}
		if (n->missing_days >= t->lost_after) {
			n->status = PL_LOST;
			n->priority = PRIORITY_LOST;
			n->lost = 1;
			n->event = EV_LINK_LOST;
			n->wait_ms = (int64_t)t->lost_recheck_seconds * 1000;
		} else {
			/* confirm on another day */
			n->wait_ms = (int64_t)t->lost_confirm_seconds * 1000;
		}
		return;
	case PL_LOST:
		n->priority = PRIORITY_LOST;
		n->wait_ms = (int64_t)t->lost_recheck_seconds * 1000;
		return;
	default: /* pending (or a not_found one that was claimed anyway) */
		n->priority = PRIORITY_NEW;
		n->misses = j->misses + 1;
		if (n->misses < PENDING_CHECKS) {
			n->status = PL_PENDING;
			n->wait_ms = pending_backoff[n->misses - 1] * (int64_t)t->backoff_scale_ms;
		} else if (v == PV_MISSING) {
			n->status = PL_NOT_FOUND;
			n->wait_ms = -1;
		} else {
			/* unverifiable after every retry: we still do not know; keep looking,
			 * backing off from the recheck interval */
			n->status = PL_PENDING;
			n->wait_ms = unverifiable_wait(t, n->misses - PENDING_CHECKS);
		}
		return;
	}
}

static lc_err
record_tx(struct db *db, void *arg)
{
	struct record_tx *t = arg;
	const struct placement_job *j = t->job;
	const struct placement_evidence *ev = t->ev;
	struct placement_expect x;
	struct store_pl_finish f;
	struct store_pl_check c;
	struct next_state n;
	struct event_in evin;
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN], missing[TIME_SQL_LEN];
	char issues[PLACEMENT_ISSUES_MAX];
	const char *reason;
	char *links = NULL;
	unsigned bits;
	struct db_rows r;
	uint64_t changed = 0;
	int64_t check_id = 0;
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
	x.anchor = j->expected_anchor;
	x.rel = j->expected_rel;
	t->verdict = placement_verdict(ev, &x, &bits, &reason);
	placement_issues_format(bits, issues);
	if (ev->nhits > 0 && (links = placement_links_json(ev)) == NULL)
		return LC_ENOMEM;
	sqltime_format(t->now, now);
	memset(&c, 0, sizeof(c));
	c.placement_id = j->id;
	c.now_sql = now;
	c.verdict = t->verdict;
	c.issues = issues;
	c.reason = reason;
	c.http_status = ev->http_status;
	c.final_url = ev->final_url;
	c.redirects = ev->redirects;
	c.content_type = ev->content_type;
	c.x_robots_tag = ev->x_robots_tag;
	c.last_modified = ev->last_modified;
	c.body_sha256 = ev->body_sha256;
	c.body_size = ev->body_size;
	c.truncated = ev->truncated;
	c.meta_robots = ev->meta_robots;
	c.canonical = ev->canonical;
	c.anchors = ev->anchors;
	c.links = links;
	c.hops = ev->hops;
	e = store_pl_check_insert(db, &c, &check_id);
	free(links);
	if (e != LC_OK)
		return e;
	decide(j, t->verdict, t->t, t->now, &n);
	memset(&f, 0, sizeof(f));
	f.id = j->id;
	f.fence = j->fence;
	f.now_sql = now;
	f.http_status = ev->http_status;
	f.error = reason;
	f.status = n.status;
	f.misses = n.misses;
	f.verified = n.verified;
	f.lost = n.lost;
	f.verdict = t->verdict;
	f.issues = issues;
	f.missing_days = n.missing_days;
	f.priority = n.priority;
	f.check_id = check_id;
	if (n.missing_ms >= 0) {
		sqltime_format(n.missing_ms, missing);
		f.missing_sql = missing;
	}
	if (n.wait_ms >= 0) {
		sqltime_format(t->now + n.wait_ms, due);
		f.due_sql = due;
	}
	if ((e = store_pl_finish(db, &f, &changed)) != LC_OK || changed == 0 || n.event < 0)
		return e;
	t->lost = n.lost;
	/* the event last: it takes the campaign's and the workspace's hot rows */
	memset(&evin, 0, sizeof(evin));
	evin.type = (enum event_type)n.event;
	evin.workspace_id = j->workspace_id;
	evin.campaign_id = j->campaign_id;
	evin.relationship_id = j->relationship_id;
	evin.at_ms = t->now;
	evin.detail = j->link_url;
	return events_record(db, &evin, NULL);
}

lc_err
placement_record(struct core *core, const struct placement_job *job,
    const struct placement_evidence *ev, const struct placement_timing *t,
    enum placement_verdict *verdict, int *lost)
{
	struct record_tx x;
	lc_err e;

	memset(&x, 0, sizeof(x));
	x.job = job;
	x.ev = ev;
	x.t = t;
	x.now = now_ms();
	e = db_tx(core->db, record_tx, &x);
	if (verdict != NULL)
		*verdict = x.verdict;
	if (lost != NULL)
		*lost = e == LC_OK && x.lost;
	return e;
}

lc_err
placement_defer(struct core *core, const struct placement_job *job, int64_t wait_ms)
{
	char due[TIME_SQL_LEN];

	sqltime_format(now_ms() + wait_ms, due);
	return store_pl_defer(core->db, job->id, job->fence, due);
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
