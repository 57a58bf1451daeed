/* metrics.c: campaign metrics from counters, per-day aggregates and the campaign's
 * relationships: a bounded number of rows whatever the length of the event history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "db/store_campaigns.h"
#include "db/store_relationships.h"
#include "util/timefmt.h"

static lc_err build_timeline(struct metrics *);
static lc_err build_by_domain(struct metrics *);
static int cmp_domain(const void *, const void *);
static int cmp_rank(const void *, const void *);

unsigned
metrics_rate(int64_t num, int64_t den)
{
	if (den <= 0 || num <= 0)
		return 0;
	/* round half up: floor((200*num + den) / (2*den)) == round(100*num/den) */
	return (unsigned)((num * 200 + den) / (den * 2));
}

void
metrics_rates(const struct campaign *c, unsigned *open, unsigned *reply, unsigned *placement)
{
	*open = metrics_rate(c->opened, c->sent);
	*reply = metrics_rate(c->replied, c->sent);
	*placement = metrics_rate(c->placed, c->sent);
}

int
timeline_kind_counted(unsigned kind)
{
	return kind == TL_DRAFTS_READY || kind == TL_APPROVALS_COMPLETED || kind == TL_EMAILS_SENT;
}

int
metrics_domain_rank(unsigned status)
{
	static const int rank[REL_NSTATUS] = {[REL_PROSPECT] = 1,
	    [REL_AWAITING_APPROVAL] = 3,
	    [REL_SCHEDULED] = 4,
	    [REL_SENT] = 6,
	    [REL_OPENED] = 7,
	    [REL_REPLIED] = 9,
	    [REL_LINK_PLACED] = 10,
	    [REL_BOUNCED] = 2,
	    [REL_UNSUBSCRIBED] = 2,
	    [REL_DECLINED] = 8,
	    [REL_NO_RESPONSE] = 5};

	return status < REL_NSTATUS ? rank[status] : 0;
}

/* build_timeline reads the store's timeline rows: oldest first, aggregates before the
 * pauses and resumes of the same day. */
static lc_err
build_timeline(struct metrics *m)
{
	size_t n = m->day_rows.nrows, i;

	if (n == 0)
		return LC_OK;
	if ((m->timeline = calloc(n, sizeof(*m->timeline))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < n; i++) {
		struct timeline_entry *t = &m->timeline[i];
		const char *day = db_str(&m->day_rows, i, TLR_COL_DAY);

		snprintf(t->date, sizeof(t->date), "%.10s", day ? day : "");
		t->kind = (unsigned)db_i64(&m->day_rows, i, TLR_COL_KIND);
		t->count = db_i64(&m->day_rows, i, TLR_COL_COUNT);
		t->reason = db_str(&m->day_rows, i, TLR_COL_REASON);
	}
	m->ntimeline = n;
	return LC_OK;
}

static int
cmp_domain(const void *a, const void *b)
{
	const struct domain_entry *x = a, *y = b;

	return strcasecmp(x->domain, y->domain);
}

static int
cmp_rank(const void *a, const void *b)
{
	const struct domain_entry *x = a, *y = b;
	int rx = metrics_domain_rank(x->status), ry = metrics_domain_rank(y->status);

	if (rx != ry)
		return ry - rx;
	return strcasecmp(x->domain, y->domain);
}

/* build_by_domain gives one entry per domain: when several contacts of a campaign share
 * a domain, the furthest status along the funnel speaks for the domain. Entries are
 * ordered furthest first, then by domain. */
static lc_err
build_by_domain(struct metrics *m)
{
	size_t n = m->rel_rows.nrows, i, out = 0;

	if (n == 0)
		return LC_OK;
	if ((m->by_domain = calloc(n, sizeof(*m->by_domain))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned status = (unsigned)db_i64(&m->rel_rows, i, DOM_COL_STATUS);
		m->by_domain[i].domain = db_str(&m->rel_rows, i, DOM_COL_DOMAIN);
		m->by_domain[i].status = status;
		m->by_domain[i].link_url =
		    status == REL_LINK_PLACED ? db_str(&m->rel_rows, i, DOM_COL_LINK) : NULL;
	}
	qsort(m->by_domain, n, sizeof(*m->by_domain), cmp_domain);
	for (i = 0; i < n; i++) {
		if (out > 0 &&
		    strcasecmp(m->by_domain[out - 1].domain, m->by_domain[i].domain) == 0) {
			if (metrics_domain_rank(m->by_domain[i].status) >
			    metrics_domain_rank(m->by_domain[out - 1].status))
				m->by_domain[out - 1] = m->by_domain[i];
			continue;
		}
		m->by_domain[out++] = m->by_domain[i];
	}
	m->ndomains = out;
	qsort(m->by_domain, out, sizeof(*m->by_domain), cmp_rank);
	return LC_OK;
}

lc_err
metrics_get(
    struct core *core, const struct principal *who, const char *public_id, struct metrics *m)
{
	char cutoff[TIME_SQL_LEN];
	const struct campaign *c = &m->campaign;
	size_t i;
	lc_err e;

	memset(m, 0, sizeof(*m));
	if ((e = campaigns_get(core, who, public_id, &m->campaign_one)) != LC_OK)
		return e;
	m->campaign = *(const struct campaign *)m->campaign_one.items;
	m->drafted = c->drafts;
	m->sent = c->sent;
	m->delivered = c->delivered;
	m->opened = c->opened;
	m->replied = c->replied;
	m->placed = c->placed;
	metrics_rates(c, &m->open_rate, &m->reply_rate, &m->placement_rate);
	sqltime_format(now_ms() - (int64_t)core->no_response_days * 86400000, cutoff);
	if ((e = store_campaign_timeline(core->db, c->id, &m->day_rows)) != LC_OK ||
	    (e = store_rel_domains(core->db, c->id, cutoff, &m->rel_rows)) != LC_OK ||
	    (e = build_timeline(m)) != LC_OK || (e = build_by_domain(m)) != LC_OK) {
		metrics_free(m);
		return e;
	}
	/* A sent prospect turns no_response no_response_days after its last email, with no
	 * write to mark it: the answer is right until the first such turn. */
	m->stable_until_ms = INT64_MAX;
	for (i = 0; i < m->rel_rows.nrows; i++) {
		int64_t turns;
		if (db_isnull(&m->rel_rows, i, DOM_COL_TURNS))
			continue;
		turns = db_ms(&m->rel_rows, i, DOM_COL_TURNS) +
		        (int64_t)core->no_response_days * 86400000;
		if (turns < m->stable_until_ms)
			m->stable_until_ms = turns;
	}
	return LC_OK;
}

void
metrics_free(struct metrics *m)
{
	page_free(&m->campaign_one);
	db_rows_free(&m->day_rows);
	db_rows_free(&m->rel_rows);
	free(m->timeline);
	free(m->by_domain);
	m->timeline = NULL;
	m->by_domain = NULL;
	m->ntimeline = m->ndomains = 0;
}
