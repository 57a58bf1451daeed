/* placements.c: the API's side of link placements: validate, record, list. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/placements.h"
#include "core/webhooks.h"
#include "db/store_placements.h"

#include "util/money.h"
#include "util/regdomain.h"
#include "util/utf8.h"
#include "util/timefmt.h"

static const char *const status_names[PL_NSTATUS] = {"pending", "verified", "not_found", "lost"};

struct create_tx {
	const char *public_id, *url, *now;
	const struct relationship *rel;
	const struct store_pl_expect *x;
	int64_t workspace_id;
	int inserted;
};

#define EXPECTED_ANCHOR_MAX 500 /* bytes */

static int expect_check(const struct placement_expect_in *, const char *, struct store_pl_expect *,
    char *, struct core_fail *);

static lc_err create_tx(struct db *, void *);
static int64_t ms_or_never(const char *);
static lc_err fill(struct page *, const struct relationship *, int);

const char *
placement_status_name(unsigned status)
{
	return status < PL_NSTATUS ? status_names[status] : "unknown";
}

static int64_t
ms_or_never(const char *s)
{
	int64_t ms;

	if (s == NULL || sqltime_parse(s, strlen(s), &ms) != LC_OK)
		return -1;
	return ms;
}

/* view_from_row: how a row of store_pl_list / store_pl_find becomes a struct
 * placement_view (core/paging.h); the relationship's ids are copied in after (fill). */
static void
view_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct placement_view *v = item;

	memset(v, 0, sizeof(*v));
	v->id = db_str(r, i, PLC_COL_PUBLIC);
	v->link_url = db_str(r, i, PLC_COL_URL);
	v->error = db_str(r, i, PLC_COL_ERROR);
	v->status = (unsigned)db_i64(r, i, PLC_COL_STATUS);
	v->http_status = (long)db_i64(r, i, PLC_COL_HTTP);
	v->checked_ms = ms_or_never(db_str(r, i, PLC_COL_CHECKED));
	v->verified_ms = ms_or_never(db_str(r, i, PLC_COL_VERIFIED));
	v->lost_ms = ms_or_never(db_str(r, i, PLC_COL_LOST));
	v->created_ms = ms_or_never(db_str(r, i, PLC_COL_CREATED));
	v->next_check_ms = ms_or_never(db_str(r, i, PLC_COL_DUE));
	v->verdict = db_str(r, i, PLC_COL_VERDICT) ? (int)db_i64(r, i, PLC_COL_VERDICT) : -1;
	v->issues = db_str(r, i, PLC_COL_ISSUES);
	v->expected_anchor = db_str(r, i, PLC_COL_ANCHOR);
	v->expected_rel =
	    db_str(r, i, PLC_COL_REL_EXPECTED) ? (int)db_i64(r, i, PLC_COL_REL_EXPECTED) : -1;
	v->guarantee_ms = ms_or_never(db_str(r, i, PLC_COL_GUARANTEE));
	v->price_cents = db_str(r, i, PLC_COL_PRICE) ? db_i64(r, i, PLC_COL_PRICE) : -1;
	v->price_currency = db_str(r, i, PLC_COL_CURRENCY);
	v->price_digits = money_currency_digits(v->price_currency);
	if (v->price_cents >= 0 && v->price_digits < 0) {
		/* migration 130 gives every price its currency; a row without one is
		 * shown without a price rather than in a made-up money */
		v->price_cents = -1;
		v->price_currency = NULL;
	}
}

static const struct page_spec view_spec = {sizeof(struct placement_view), view_from_row, 0, 0};

/* fill makes the items of p from its rows — one (one != 0: LC_ENOTFOUND unless exactly one
 * row) or all of them (a relationship's placements are few) — for relationship rel. */
static lc_err
fill(struct page *p, const struct relationship *rel, int one)
{
	struct placement_view *items;
	size_t i;
	lc_err e;

	if (one)
		e = page_one(p, &view_spec);
	else if ((e = page_build(p, (unsigned)p->rows.nrows, &view_spec)) == LC_OK)
		p->total = (int64_t)p->n;
	if (e != LC_OK)
		return e;
	items = p->items;
	for (i = 0; i < p->n; i++) {
		snprintf(items[i].relationship_id, sizeof(items[i].relationship_id), "%s",
		    rel->public_id);
		snprintf(items[i].campaign_id, sizeof(items[i].campaign_id), "%s",
		    rel->campaign_public_id);
	}
	return LC_OK;
}

static lc_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *t = arg;
	lc_err e;

	if ((e = store_pl_insert(db, t->public_id, t->workspace_id, t->rel->campaign_id, t->rel->id,
	         t->url, t->now, &t->inserted)) != LC_OK)
		return e;
	if (!t->inserted)
		return store_pl_requeue(db, t->rel->id, t->url, t->now);
	if (t->x->set_anchor || t->x->set_rel || t->x->set_guarantee || t->x->set_price) {
		struct db_rows r;
		if ((e = store_pl_find(db, t->rel->id, t->url, &r)) != LC_OK)
			return e;
		e = r.nrows == 1 ? store_pl_set_expect(db, db_i64(&r, 0, PLC_COL_ID), t->x, t->now)
		                 : LC_EDB;
		db_rows_free(&r);
	}
	return e;
}

/* price_currency_of reads the workspace's default currency into out (4 bytes) when x
 * sets a price without priceCurrency (else out is ""). db errors. */
static lc_err
price_currency_of(
    struct core *core, const struct principal *who, const struct placement_expect_in *x, char *out)
{
	out[0] = '\0';
	if (!x->has_price || x->price_null || x->currency != NULL)
		return LC_OK;
	return store_pl_workspace_currency(core->db, who->workspace_id, out);
}

/* expect_check validates x into out (guarantee_sql is written to sql, TIME_SQL_LEN
 * bytes; out->currency borrows x's or ws_currency, the workspace's default currency
 * for a price without one): 0, or -1 with fail set (validation_failed naming the key). */
static int
expect_check(const struct placement_expect_in *x, const char *ws_currency,
    struct store_pl_expect *out, char *sql, struct core_fail *fail)
{
	memset(out, 0, sizeof(*out));
	out->rel = -1;
	out->price_cents = -1;
	fail->code = "validation_failed";
	if ((out->set_anchor = x->has_anchor) && x->anchor != NULL) {
		size_t n = strlen(x->anchor);
		if (n == 0 || n > EXPECTED_ANCHOR_MAX || !utf8_valid(x->anchor, n)) {
			fail->param = "expectedAnchor";
			fail->detail =
			    "expectedAnchor must be 1 to 500 bytes of UTF-8 text (null: any).";
			return -1;
		}
		out->anchor = x->anchor;
	}
	if ((out->set_rel = x->has_rel) && x->rel != NULL &&
	    (out->rel = placement_rel_from_name(x->rel)) < 0) {
		fail->param = "expectedRel";
		fail->detail =
		    "expectedRel must be follow, nofollow, sponsored or ugc (null: follow).";
		return -1;
	}
	if ((out->set_guarantee = x->has_guarantee) && x->guarantee != NULL) {
		int64_t ms;
		if (rfc3339_parse(x->guarantee, strlen(x->guarantee), &ms) != LC_OK || ms < 0) {
			fail->param = "guaranteeUntil";
			fail->detail = "guaranteeUntil must be an RFC 3339 date-time (null: none).";
			return -1;
		}
		sqltime_format(ms, sql);
		out->guarantee_sql = sql;
	}
	if (x->has_currency && x->currency != NULL && !x->has_price) {
		/* a currency alone would re-read the stored amount in another money */
		fail->param = "priceCurrency";
		fail->detail =
		    "priceCurrency goes with price: send both (price: null clears both).";
		return -1;
	}
	if ((out->set_price = x->has_price) && x->price_null) {
		if (x->has_currency && x->currency != NULL) {
			fail->param = "priceCurrency";
			fail->detail = "priceCurrency must be null or left out when price is null.";
			return -1;
		}
	} else if (out->set_price) {
		const char *cur = x->currency != NULL ? x->currency : ws_currency;
		int digits = money_currency_digits(cur), bad;
		if (digits < 0) {
			fail->param = "priceCurrency";
			fail->detail = "priceCurrency must be a current ISO 4217 currency code in "
			               "capitals, such as EUR, USD or JPY.";
			return -1;
		}
		bad = x->price_text != NULL
		          ? money_parse(
		                x->price_text, strlen(x->price_text), digits, &out->price_cents)
		          : money_from_double(x->price, digits, &out->price_cents);
		if (bad) {
			out->price_cents = -1;
			fail->param = "price";
			fail->detail =
			    "price must be an amount from 0 to 1000000000 with no more "
			    "decimals than its currency has (2 for EUR or USD, 0 for JPY, 3 "
			    "for KWD): a number, or a decimal string such as \"150.00\" "
			    "(null: none).";
			return -1;
		}
		out->currency = cur;
	}
	fail->code = NULL;
	return 0;
}

lc_err
placements_create(struct core *core, const struct principal *who, const char *rel_public,
    const char *link_url, int allow_http, const struct placement_expect_in *x, struct page *out,
    int *created, struct core_fail *fail)
{
	const struct relationship *rel;
	struct create_tx t;
	struct store_pl_expect sx;
	struct page rp;
	char id[ID_MAX], now[TIME_SQL_LEN], guarantee[TIME_SQL_LEN], ws_currency[4];
	const char *why;
	lc_err e;

	memset(out, 0, sizeof(*out));
	*created = 0;
	if ((e = relationships_get(core, who, rel_public, &rp)) != LC_OK)
		goto out;
	rel = rp.items;
	if (webhook_url_check(link_url, allow_http, &why) != 0) {
		fail->code = "validation_failed";
		fail->param = "linkUrl";
		fail->detail = why;
		e = LC_EINVAL;
		goto out;
	}
	if (!regdomain_url_on(link_url, rel->domain)) {
		fail->code = "validation_failed";
		fail->param = "linkUrl";
		fail->detail = "linkUrl must be on the prospect's domain (the same registrable "
		               "domain; subdomains count).";
		e = LC_EINVAL;
		goto out;
	}
	if ((e = price_currency_of(core, who, x, ws_currency)) != LC_OK)
		goto out;
	if (expect_check(x, ws_currency, &sx, guarantee, fail) != 0) {
		e = LC_EINVAL;
		goto out;
	}
	id_new("pl_", id);
	sqltime_format(now_ms(), now);
	memset(&t, 0, sizeof(t));
	t.x = &sx;
	t.public_id = id;
	t.url = link_url;
	t.now = now;
	t.rel = rel;
	t.workspace_id = who->workspace_id;
	if ((e = db_tx(core->db, create_tx, &t)) != LC_OK ||
	    (e = store_pl_find(core->db, rel->id, link_url, &out->rows)) != LC_OK)
		goto out;
	if ((e = fill(out, rel, 1)) == LC_ENOTFOUND)
		e = LC_EDB; /* the row just written is not there */
	if (e == LC_OK)
		*created = t.inserted;
out:
	page_free(&rp);
	return e;
}

lc_err
placements_from_reply(struct db *db, int64_t workspace_id, int64_t campaign_id,
    int64_t relationship_id, char *const *links, size_t n, int allow_http, const char *now_sql)
{
	struct db_rows r;
	const char *why, *domain;
	char id[ID_MAX];
	size_t i, made = 0;
	int inserted;
	lc_err e;

	if (n == 0)
		return LC_OK;
	if ((e = store_pl_rel_domain(db, relationship_id, &r)) != LC_OK)
		return e;
	domain = r.nrows == 1 ? db_str(&r, 0, 0) : NULL;
	for (i = 0; i < n && domain && made < PLACEMENT_REPLY_LINKS_MAX && e == LC_OK; i++) {
		if (links[i] == NULL || webhook_url_check(links[i], allow_http, &why) != 0 ||
		    !regdomain_url_on(links[i], domain))
			continue;
		id_new("pl_", id);
		if ((e = store_pl_insert(db, id, workspace_id, campaign_id, relationship_id,
		         links[i], now_sql, &inserted)) == LC_OK)
			made++;
	}
	db_rows_free(&r);
	return e;
}

lc_err
placements_list(
    struct core *core, const struct principal *who, const char *rel_public, struct page *out)
{
	struct page rp;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = relationships_get(core, who, rel_public, &rp)) == LC_OK &&
	    (e = store_pl_list(
	         core->db, ((const struct relationship *)rp.items)->id, &out->rows)) == LC_OK)
		e = fill(out, rp.items, 0);
	page_free(&rp);
	return e;
}

lc_err
placements_update(struct core *core, const struct principal *who, const char *rel_public,
    const char *pid, const struct placement_expect_in *x, struct page *out, struct core_fail *fail)
{
	const struct relationship *rel;
	struct store_pl_expect sx;
	struct page rp;
	char now[TIME_SQL_LEN], guarantee[TIME_SQL_LEN], ws_currency[4];
	int64_t id;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = relationships_get(core, who, rel_public, &rp)) != LC_OK) {
		page_free(&rp);
		fail->code = "relationship_not_found";
		return e;
	}
	rel = rp.items;
	if ((e = store_pl_find_public(core->db, rel->id, pid, &out->rows)) != LC_OK)
		goto done;
	if (out->rows.nrows != 1) {
		fail->code = "placement_not_found";
		e = LC_ENOTFOUND;
		goto done;
	}
	if ((e = price_currency_of(core, who, x, ws_currency)) != LC_OK)
		goto done;
	if (expect_check(x, ws_currency, &sx, guarantee, fail) != 0) {
		e = LC_EINVAL;
		goto done;
	}
	id = db_i64(&out->rows, 0, PLC_COL_ID);
	db_rows_free(&out->rows);
	sqltime_format(now_ms(), now);
	if ((e = store_pl_set_expect(core->db, id, &sx, now)) != LC_OK ||
	    (e = store_pl_find_public(core->db, rel->id, pid, &out->rows)) != LC_OK)
		goto done;
	if ((e = fill(out, rel, 1)) == LC_ENOTFOUND)
		e = LC_EDB; /* the row just written is not there */
done:
	page_free(&rp);
	return e;
}

lc_err
placements_checks(struct core *core, const struct principal *who, const char *rel_public,
    const char *pid, unsigned limit, int64_t before_id, struct placement_checks *out,
    const char **what)
{
	const struct relationship *rel;
	int64_t id;
	lc_err e;

	memset(out, 0, sizeof(*out));
	*what = "relationship_not_found";
	if ((e = relationships_get(core, who, rel_public, &out->rel)) != LC_OK) {
		page_free(&out->rel);
		return e;
	}
	rel = out->rel.items;
	if ((e = store_pl_find_public(core->db, rel->id, pid, &out->pl_rows)) != LC_OK)
		goto fail;
	if (out->pl_rows.nrows != 1) {
		*what = "placement_not_found";
		e = LC_ENOTFOUND;
		goto fail;
	}
	id = db_i64(&out->pl_rows, 0, PLC_COL_ID);
	if ((e = store_pl_checks_count(core->db, id, &out->total)) != LC_OK ||
	    (e = store_pl_checks_list(core->db, id, before_id, limit + 1, &out->rows)) != LC_OK)
		goto fail;
	out->n = out->rows.nrows > limit ? limit : out->rows.nrows;
	if (out->rows.nrows > limit) {
		out->has_next = 1;
		cursor_encode(0, db_i64(&out->rows, limit - 1, PCK_COL_ID), out->next_cursor);
	}
	return LC_OK;
fail:
	placement_checks_free(out);
	return e;
}

void
placement_checks_free(struct placement_checks *c)
{
	if (c == NULL)
		return;
	db_rows_free(&c->rows);
	page_free(&c->rel);
	db_rows_free(&c->pl_rows);
	memset(c, 0, sizeof(*c));
}
