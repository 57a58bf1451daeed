/* placements.c: the API's side of link placements: validate, record, list. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/placements.h"
#include "core/webhooks.h"
#include "db/store_placements.h"
#include "util/timefmt.h"

static const char *const status_names[PL_NSTATUS] = {"pending", "verified", "not_found",
    "lost"};

struct create_tx {
	const char *public_id, *url, *now;
	const struct relationship *rel;
	int64_t workspace_id;
	int inserted;
};

static lc_err create_tx(struct db *, void *);
static int64_t ms_or_never(const char *);
static lc_err fill(struct placement_list *, const struct relationship *);

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

/* fill makes l->items from l->rows for relationship rel. */
static lc_err
fill(struct placement_list *l, const struct relationship *rel)
{
	const struct db_rows *r = &l->rows;
	size_t i;

	l->n = 0;
	if (r->nrows == 0)
		return LC_OK;
	if ((l->items = calloc(r->nrows, sizeof(*l->items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < r->nrows; i++) {
		struct placement_view *v = &l->items[i];
		v->id = db_str(r, i, PLC_COL_PUBLIC);
		v->relationship_id = rel->public_id;
		v->campaign_id = rel->campaign_public_id;
		v->link_url = db_str(r, i, PLC_COL_URL);
		v->error = db_str(r, i, PLC_COL_ERROR);
		v->status = (unsigned)db_i64(r, i, PLC_COL_STATUS);
		v->http_status = (long)db_i64(r, i, PLC_COL_HTTP);
		v->checked_ms = ms_or_never(db_str(r, i, PLC_COL_CHECKED));
		v->verified_ms = ms_or_never(db_str(r, i, PLC_COL_VERIFIED));
		v->lost_ms = ms_or_never(db_str(r, i, PLC_COL_LOST));
		v->created_ms = ms_or_never(db_str(r, i, PLC_COL_CREATED));
		v->next_check_ms = ms_or_never(db_str(r, i, PLC_COL_DUE));
	}
	l->n = r->nrows;
	return LC_OK;
}

static lc_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *t = arg;
	lc_err e;

	if ((e = store_pl_insert(db, t->public_id, t->workspace_id, t->rel->campaign_id,
	         t->rel->id, t->url, t->now, &t->inserted)) != LC_OK)
		return e;
	if (!t->inserted)
		return store_pl_requeue(db, t->rel->id, t->url, t->now);
	return LC_OK;
}

lc_err
placements_create(struct core *core, const struct principal *who, const char *rel_public,
    const char *link_url, int allow_http, struct placement_list *out, int *created,
    struct core_fail *fail)
{
	const struct relationship *rel;
	struct create_tx t;
	char id[ID_MAX], now[TIME_SQL_LEN];
	const char *why;
	lc_err e;

	memset(out, 0, sizeof(*out));
	*created = 0;
	if ((e = relationships_get(core, who, rel_public, &out->rel)) != LC_OK)
		return e;
	rel = out->rel.items;
	if (webhook_url_check(link_url, allow_http, &why) != 0) {
		fail->code = "validation_failed";
		fail->param = "linkUrl";
		fail->detail = why;
		placement_list_free(out);
		return LC_EINVAL;
	}
	id_new("pl_", id);
	sqltime_format(now_ms(), now);
	memset(&t, 0, sizeof(t));
	t.public_id = id;
	t.url = link_url;
	t.now = now;
	t.rel = rel;
	t.workspace_id = who->workspace_id;
	if ((e = db_tx(core->db, create_tx, &t)) != LC_OK ||
	    (e = store_pl_find(core->db, rel->id, link_url, &out->rows)) != LC_OK) {
		placement_list_free(out);
		return e;
	}
	if (out->rows.nrows != 1) {
		placement_list_free(out);
		return LC_EDB;
	}
	*created = t.inserted;
	if ((e = fill(out, rel)) != LC_OK)
		placement_list_free(out);
	return e;
}

int
placement_host_on_domain(const char *url, const char *domain)
{
	const char *h = strstr(url, "://");
	size_t hl, dl;

	if (h == NULL || domain == NULL)
		return 0;
	h += 3;
	hl = strcspn(h, ":/?#");
	if (hl > 4 && strncasecmp(h, "www.", 4) == 0) {
		h += 4;
		hl -= 4;
	}
	if (strlen(domain) > 4 && strncasecmp(domain, "www.", 4) == 0)
		domain += 4;
	dl = strlen(domain);
	if (dl == 0 || hl < dl || strncasecmp(h + hl - dl, domain, dl) != 0)
		return 0;
	return hl == dl || h[hl - dl - 1] == '.';
}

lc_err
placements_from_reply(struct db *db, int64_t workspace_id, int64_t campaign_id,
    int64_t relationship_id, char *const *links, size_t n, int allow_http,
    const char *now_sql)
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
		    !placement_host_on_domain(links[i], domain))
			continue;
		id_new("pl_", id);
		if ((e = store_pl_insert(db, id, workspace_id, campaign_id, relationship_id, links[i],
		         now_sql, &inserted)) == LC_OK)
			made++;
	}
	db_rows_free(&r);
	return e;
}

lc_err
placements_list(struct core *core, const struct principal *who, const char *rel_public,
    struct placement_list *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = relationships_get(core, who, rel_public, &out->rel)) != LC_OK)
		return e;
	if ((e = store_pl_list(core->db, ((const struct relationship *)out->rel.items)->id,
	         &out->rows)) != LC_OK ||
	    (e = fill(out, out->rel.items)) != LC_OK)
		placement_list_free(out);
	return e;
}

void
placement_list_free(struct placement_list *l)
{
	if (l == NULL)
		return;
	db_rows_free(&l->rows);
	page_free(&l->rel);
	free(l->items);
	memset(l, 0, sizeof(*l));
}
