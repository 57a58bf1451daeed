/* counts.c: the kept counts of a workspace against the rows they count (counts.h). The
 * rules of the counts stay where they are: the funnel's in funnel.c (funnel_counts),
 * what counts as contacted and awaiting approval in the store's statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/counts.h"
#include "core/funnel.h"
#include "core/inbound_view.h"
#include "core/sending.h"
#include "db/store_accounts.h"
#include "db/store_counts.h"

#define WS_BATCH 100

/* The campaign counters in the order of store_counts_set_campaign's values. */
enum { CC_DRAFTED, CC_SENT, CC_DELIVERED, CC_OPENED, CC_REPLIED, CC_PENDING, CC_N };
static const char *const campaign_counter[CC_N] = {"drafts_count", "sent_count", "delivered_count",
    "opened_count", "replied_count", "pending_approvals"};
static const int stage_of[FS_NSTAGES] = {
    [FS_DRAFTED] = CC_DRAFTED,
    [FS_SENT] = CC_SENT,
    [FS_DELIVERED] = CC_DELIVERED,
    [FS_OPENED] = CC_OPENED,
    [FS_REPLIED] = CC_REPLIED,
};

/* One workspace's run: what was found, kept until its transaction has committed (a retry
 * starts the list again). */
struct ws_run {
	int64_t ws;
	const char *ws_public;
	int repair;
	struct count_drift *d;
	size_t n, cap;
};

/* The rows of one workspace, read in one transaction. */
struct ws_rows {
	struct db_rows kws, ktot, kcmp, kwait, kin, rel, tot, wait, in, ledger;
};

static lc_err found(struct ws_run *, const char *, const char *, int64_t, int64_t);
static lc_err read_rows(struct db *, const struct ws_run *, struct ws_rows *);
static void free_rows(struct ws_rows *);
static lc_err compare_campaigns(struct db *, struct ws_run *, const struct ws_rows *);
static lc_err ws_counts(struct db *, void *);
static lc_err run_one(
    struct core *, int64_t, const char *, int, count_drift_fn, void *, unsigned *);

/* found records one difference; LC_ENOMEM when the list cannot grow. */
static lc_err
found(struct ws_run *r, const char *where, const char *what, int64_t kept, int64_t counted)
{
	struct count_drift *d;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;

		if ((d = realloc(r->d, cap * sizeof(*d))) == NULL)
			return LC_ENOMEM;
		r->d = d;
		r->cap = cap;
	}
	d = &r->d[r->n++];
	d->workspace = r->ws_public;
	snprintf(d->where, sizeof(d->where), "%s", where);
	snprintf(d->what, sizeof(d->what), "%s", what);
	d->kept = kept;
	d->counted = counted;
	return LC_OK;
}

/* read_rows reads the kept counts first (FOR UPDATE in a repair, so that their writers
 * wait), then the rows: in this transaction the rows are read at one moment after the
 * counts were locked, and every writer moves a count in the transaction that moves its
 * rows, so a difference is never a write in progress. The counts are locked in the order
 * the writers take them — a campaign's row, the queue's counts, then the workspace's row
 * (a send: the campaign FOR UPDATE first, the workspace's credits and data version later)
 * — so a repair and a writer wait for each other rather than deadlock. The counts of
 * inbound mail come after the queue's: the one writer that takes them first (a received
 * message, counted as it is stored) may meet a repair in a deadlock, which MariaDB ends by
 * rolling one back and db_tx runs again. */
static lc_err
read_rows(struct db *db, const struct ws_run *r, struct ws_rows *w)
{
	lc_err e;

	if ((e = store_counts_kept_campaigns(db, r->ws, r->repair, &w->kcmp)) != LC_OK ||
	    (e = store_counts_kept_waiting(db, r->ws, r->repair, &w->kwait)) != LC_OK ||
	    (e = store_counts_kept_inbound(db, r->ws, r->repair, &w->kin)) != LC_OK ||
	    (e = store_counts_kept_totals(db, r->ws, r->repair, &w->ktot)) != LC_OK ||
	    (e = store_counts_kept_workspace(db, r->ws, r->repair, &w->kws)) != LC_OK ||
	    (e = store_counts_of_relationships(db, r->ws, &w->rel)) != LC_OK ||
	    (e = store_counts_of_campaigns(db, r->ws, &w->tot)) != LC_OK ||
	    (e = store_counts_of_waiting(db, r->ws, &w->wait)) != LC_OK ||
	    (e = store_counts_of_inbound(db, r->ws, &w->in)) != LC_OK ||
	    (e = store_counts_of_ledger(db, r->ws, &w->ledger)) != LC_OK)
		return e;
	return w->kws.nrows == 1 ? LC_OK : LC_ENOTFOUND;
}

static void
free_rows(struct ws_rows *w)
{
	db_rows_free(&w->kws);
	db_rows_free(&w->ktot);
	db_rows_free(&w->kcmp);
	db_rows_free(&w->kwait);
	db_rows_free(&w->kin);
	db_rows_free(&w->rel);
	db_rows_free(&w->tot);
	db_rows_free(&w->wait);
	db_rows_free(&w->in);
	db_rows_free(&w->ledger);
}

/* key2 orders rows by two integer columns; a row past the end sorts last. */
static int
key2_cmp(const struct db_rows *a, size_t i, const struct db_rows *b, size_t j)
{
	long long a1, a2, b1, b2;

	if (i >= a->nrows)
		return j >= b->nrows ? 0 : 1;
	if (j >= b->nrows)
		return -1;
	a1 = db_i64(a, i, PAIR_COL_K1), a2 = db_i64(a, i, PAIR_COL_K2);
	b1 = db_i64(b, j, PAIR_COL_K1), b2 = db_i64(b, j, PAIR_COL_K2);
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return a2 < b2 ? -1 : a2 > b2;
}

/* A count keyed by two integers whose rows differ: what to say and what to set. */
typedef lc_err (*pair_differs)(struct db *, struct ws_run *, const struct ws_rows *, long long k1,
    long long k2, int64_t kept, int64_t counted);

/* compare_pairs walks kept counts and counted rows, both (k1, k2, n) sorted by (k1, k2),
 * as one merge: a key on one side only is 0 on the other. */
static lc_err
compare_pairs(struct db *db, struct ws_run *r, const struct ws_rows *w,
    const struct db_rows *kept_rows, const struct db_rows *counted_rows, pair_differs differs)
{
	size_t i = 0, j = 0;
	lc_err e = LC_OK;

	while (e == LC_OK && (i < kept_rows->nrows || j < counted_rows->nrows)) {
		int c = key2_cmp(kept_rows, i, counted_rows, j);
		const struct db_rows *k = c <= 0 ? kept_rows : counted_rows;
		size_t at = c <= 0 ? i : j;
		long long k1 = db_i64(k, at, PAIR_COL_K1), k2 = db_i64(k, at, PAIR_COL_K2);
		int64_t kept = c <= 0 ? db_i64(kept_rows, i, PAIR_COL_N) : 0;
		int64_t counted = c >= 0 ? db_i64(counted_rows, j, PAIR_COL_N) : 0;

		i += c <= 0;
		j += c >= 0;
		if (kept != counted)
			e = differs(db, r, w, k1, k2, kept, counted);
	}
	return e;
}

/* total_differs: workspace_campaign_counts against the campaigns, by type and status. */
static lc_err
total_differs(struct db *db, struct ws_run *r, const struct ws_rows *w, long long type,
    long long status, int64_t kept, int64_t counted)
{
	char what[64];
	lc_err e;

	(void)w;
	snprintf(what, sizeof(what), "campaigns %s/%s", campaign_type_name((unsigned)type),
	    campaign_status_name((unsigned)status));
	if ((e = found(r, "", what, kept, counted)) == LC_OK && r->repair)
		e = store_counts_set_total(db, r->ws, (unsigned)type, (unsigned)status, counted);
	return e;
}

/* compare_campaigns: each campaign's funnel counters against its relationships' funnel
 * facts (funnel_counts, the rule the events follow), and its pending approvals against
 * its messages awaiting approval. The three results are sorted by campaign id. */
static lc_err
compare_campaigns(struct db *db, struct ws_run *r, const struct ws_rows *w)
{
	size_t c, i = 0, j = 0, k;
	lc_err e = LC_OK;

	for (c = 0; e == LC_OK && c < w->kcmp.nrows; c++) {
		long long id = db_i64(&w->kcmp, c, KCMP_COL_ID);
		int64_t counted[CC_N] = {0};
		int differs = 0;

		for (; i < w->rel.nrows && db_i64(&w->rel, i, CREL_COL_CAMPAIGN) <= id; i++) {
			int add[FS_NSTAGES];
			long long n = db_i64(&w->rel, i, CREL_COL_N);

			if (db_i64(&w->rel, i, CREL_COL_CAMPAIGN) != id)
				continue; /* a campaign not of this workspace's rows: none, by the
				             key */
			funnel_counts((unsigned)db_i64(&w->rel, i, CREL_COL_FUNNEL), add);
			for (k = 0; k < FS_NSTAGES; k++)
				counted[stage_of[k]] += add[k] * n;
		}
		for (; j < w->wait.nrows && db_i64(&w->wait, j, CWAIT_COL_CAMPAIGN) <= id; j++)
			if (db_i64(&w->wait, j, CWAIT_COL_CAMPAIGN) == id)
				counted[CC_PENDING] += db_i64(&w->wait, j, CWAIT_COL_N);
		for (k = 0; e == LC_OK && k < CC_N; k++) {
			int64_t kept = db_i64(&w->kcmp, c, KCMP_COL_DRAFTED + k);

			if (kept != counted[k]) {
				differs = 1;
				e = found(r, db_str(&w->kcmp, c, KCMP_COL_PUBLIC),
				    campaign_counter[k], kept, counted[k]);
			}
		}
		if (e == LC_OK && differs && r->repair)
			e = store_counts_set_campaign(db, id, counted);
	}
	return e;
}

/* campaign_public finds a campaign's public id in the kept campaigns (sorted by id). */
static const char *
campaign_public(const struct ws_rows *w, long long id)
{
	size_t lo = 0, hi = w->kcmp.nrows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long at = db_i64(&w->kcmp, mid, KCMP_COL_ID);

		if (at == id)
			return db_str(&w->kcmp, mid, KCMP_COL_PUBLIC);
		if (at < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "(no campaign)";
}

/* waiting_differs: approval_waiting against the messages awaiting approval, by campaign
 * and kind. */
static lc_err
waiting_differs(struct db *db, struct ws_run *r, const struct ws_rows *w, long long campaign,
    long long kind, int64_t kept, int64_t counted)
{
	char what[64];
	lc_err e;

	snprintf(what, sizeof(what), "awaiting approval (%s)", msg_kind_name((unsigned)kind));
	if ((e = found(r, campaign_public(w, campaign), what, kept, counted)) == LC_OK && r->repair)
		e = store_counts_set_waiting(db, r->ws, campaign, (unsigned)kind, counted);
	return e;
}

/* inbound_differs: inbound_counts against the workspace's inbound mail, by campaign and
 * class and match. */
static lc_err
inbound_differs(struct db *db, struct ws_run *r, const struct ws_rows *w, long long campaign,
    long long class_matched, int64_t kept, int64_t counted)
{
	char what[64];
	lc_err e;

	snprintf(what, sizeof(what), "inbound mail (%s, %s)",
	    inbound_class_name((unsigned)(class_matched / 2)),
	    class_matched % 2 ? "matched" : "unmatched");
	if ((e = found(r, campaign_public(w, campaign), what, kept, counted)) == LC_OK && r->repair)
		e = store_counts_set_inbound(db, r->ws, campaign, (unsigned)class_matched, counted);
	return e;
}

/* The workspace's own kept counts, in the order of store_counts_set_workspace's values:
 * the CRM's totals (kept by the relationship writers) and the credits (kept by the
 * statement of every ledger entry; the ledger is what the money is, sql/002). */
static const char *const workspace_counter[4] = {
    "relationships_count", "contacted_count", "credits_balance", "credits_reserved"};

/* ws_counts is one workspace's transaction (db_tx may run it again from the start). */
static lc_err
ws_counts(struct db *db, void *arg)
{
	struct ws_run *r = arg;
	struct ws_rows w;
	int64_t counted[4] = {0}, kept;
	size_t i;
	lc_err e;

	r->n = 0;
	memset(&w, 0, sizeof(w));
	if ((e = read_rows(db, r, &w)) != LC_OK)
		goto out;
	for (i = 0; i < w.rel.nrows; i++) {
		counted[0] += db_i64(&w.rel, i, CREL_COL_N);
		if (db_i64(&w.rel, i, CREL_COL_CONTACTED))
			counted[1] += db_i64(&w.rel, i, CREL_COL_N);
	}
	counted[2] = db_i64(&w.ledger, 0, CLED_COL_BALANCE);
	counted[3] = db_i64(&w.ledger, 0, CLED_COL_RESERVED);
	for (i = 0; e == LC_OK && i < 4; i++)
		if ((kept = db_i64(&w.kws, 0, KWS_COL_RELATIONSHIPS + i)) != counted[i])
			e = found(r, "", workspace_counter[i], kept, counted[i]);
	if (e == LC_OK)
		e = compare_pairs(db, r, &w, &w.ktot, &w.tot, total_differs);
	if (e == LC_OK)
		e = compare_campaigns(db, r, &w);
	if (e == LC_OK)
		e = compare_pairs(db, r, &w, &w.kwait, &w.wait, waiting_differs);
	if (e == LC_OK)
		e = compare_pairs(db, r, &w, &w.kin, &w.in, inbound_differs);
	/* the workspace's row last: it moves the data version once for all the repairs */
	if (e == LC_OK && r->repair && r->n > 0)
		e = store_counts_set_workspace(db, r->ws, counted);
out:
	free_rows(&w);
	return e;
}

static lc_err
run_one(struct core *core, int64_t ws, const char *ws_public, int repair, count_drift_fn fn,
    void *arg, unsigned *ndrift)
{
	struct ws_run r;
	size_t i;
	lc_err e;

	memset(&r, 0, sizeof(r));
	r.ws = ws;
	r.ws_public = ws_public;
	r.repair = repair;
	e = db_tx(core->db, ws_counts, &r);
	if (e == LC_ENOTFOUND && ws_public == NULL)
		e = LC_OK; /* deleted while the list was read */
	for (i = 0; e == LC_OK && i < r.n; i++)
		if (fn)
			fn(arg, &r.d[i]);
	if (e == LC_OK)
		*ndrift += (unsigned)r.n;
	free(r.d);
	return e;
}

lc_err
counts_check(struct core *core, const char *ws_public, int repair, count_drift_fn fn, void *arg,
    unsigned *nws, unsigned *ndrift)
{
	struct db_rows ws;
	int64_t after = 0;
	size_t i;
	lc_err e;

	*nws = *ndrift = 0;
	if (ws_public) {
		if ((e = store_workspace_by_public(core->db, 0, ws_public, &ws)) != LC_OK)
			return e;
		e = ws.nrows == 1 ? run_one(core, db_i64(&ws, 0, WS_COL_ID), ws_public, repair, fn,
		                        arg, ndrift)
		                  : LC_ENOTFOUND;
		*nws = e == LC_OK;
		db_rows_free(&ws);
		return e;
	}
	do {
		if ((e = store_counts_workspaces(core->db, after, WS_BATCH, &ws)) != LC_OK)
			return e;
		for (i = 0; e == LC_OK && i < ws.nrows; i++) {
			after = db_i64(&ws, i, CWS_COL_ID);
			e = run_one(
			    core, after, db_str(&ws, i, CWS_COL_PUBLIC), repair, fn, arg, ndrift);
			*nws += e == LC_OK;
		}
		i = ws.nrows;
		db_rows_free(&ws);
	} while (e == LC_OK && i == WS_BATCH);
	return e;
}
