/* webhooks.c: the rules of webhooks the API exposes (create, list, delete, test,
 * deliveries) and the fan-out of recorded events into the webhook outbox. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/webhooks.h"
#include "db/store_webhooks.h"
#include "util/timefmt.h"

static const char *const event_names[WHE_N] = {"link_building.link.placed",
    "link_building.link.lost", "link_building.email.sent", "link_building.email.bounced",
    "link_building.reply.received", "link_building.approval.requested",
    "link_building.approval.decided", "link_building.campaign.paused",
    "link_building.campaign.resumed", "link_building.mailbox.paused"};

struct create_tx {
	const struct principal *who;
	const char *url, *description, *public_id, *secret, *now;
	unsigned mask;
	int over_cap;
};

struct test_tx {
	const struct principal *who;
	const char *public_id, *event_id, *now;
	int disabled;
};

static void view_from_row(const struct db_rows *, size_t, struct webhook_view *);
static lc_err create_tx(struct db *, void *);
static lc_err delete_tx(struct db *, void *);
static lc_err test_tx(struct db *, void *);
static int internal_to_webhook(unsigned);

const char *
webhook_event_name(unsigned i)
{
	return i < WHE_N ? event_names[i] : NULL;
}

int
webhook_event_from_name(const char *s)
{
	unsigned i;

	for (i = 0; s && i < WHE_N; i++)
		if (strcmp(s, event_names[i]) == 0)
			return (int)i;
	return -1;
}

int
webhook_url_check(const char *url, int allow_http, const char **why)
{
	const char *p, *auth, *end, *host_end, *c;
	size_t len = url ? strlen(url) : 0;

	*why = "url must be an absolute https URL.";
	if (len == 0)
		return -1;
	if (len > WEBHOOK_URL_MAX) {
		*why = "url is longer than 2000 characters.";
		return -1;
	}
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			*why =
			    "url must be printable ASCII without spaces (percent-encode the rest).";
			return -1;
		}
	if (strncasecmp(url, "https://", 8) == 0) {
		auth = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		if (!allow_http) {
			*why = "url must use https (this server does not allow http webhooks).";
			return -1;
		}
		auth = url + 7;
	} else {
		return -1;
	}
	end = auth + strcspn(auth, "/?#");
	if (end == auth) {
		*why = "url has no host.";
		return -1;
	}
	for (c = auth; c < end; c++)
		if (*c == '@') {
			*why = "url must not contain credentials.";
			return -1;
		}
	host_end = end;
	if (*auth == '[') { /* an IPv6 literal */
		const char *close = memchr(auth, ']', (size_t)(end - auth));
		if (close == NULL || close == auth + 1) {
			*why = "url has a malformed IPv6 host.";
			return -1;
		}
		for (c = auth + 1; c < close; c++)
			if (!(strchr("0123456789abcdefABCDEF:.", *c))) {
				*why = "url has a malformed IPv6 host.";
				return -1;
			}
		host_end = close + 1;
		if (host_end != end && *host_end != ':') {
			*why = "url has a malformed host.";
			return -1;
		}
	} else {
		const char *colon = memchr(auth, ':', (size_t)(end - auth));
		if (colon)
			host_end = colon;
		if (host_end == auth) {
			*why = "url has no host.";
			return -1;
		}
		for (c = auth; c < host_end; c++)
			if (!(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"
			             "9-._~%",
			        *c))) {
				*why = "url has a malformed host.";
				return -1;
			}
	}
	if (host_end < end) { /* ":port" */
		unsigned long port = 0;
		if (*host_end != ':' || host_end + 1 == end || end - host_end > 6) {
			*why = "url has a malformed port.";
			return -1;
		}
		for (c = host_end + 1; c < end; c++) {
			if (*c < '0' || *c > '9') {
				*why = "url has a malformed port.";
				return -1;
			}
			port = port * 10 + (unsigned long)(*c - '0');
		}
		if (port == 0 || port > 65535) {
			*why = "url has a malformed port.";
			return -1;
		}
	}
	return 0;
}

/* view_from_row reads a row of store_webhook_list/find. */
static void
view_from_row(const struct db_rows *r, size_t i, struct webhook_view *v)
{
	const char *s;

	memset(v, 0, sizeof(*v));
	v->id = db_str(r, i, WHL_COL_PUBLIC);
	v->url = db_str(r, i, WHL_COL_URL);
	v->description = db_str(r, i, WHL_COL_DESC);
	v->disabled_reason = db_str(r, i, WHL_COL_REASON);
	v->events_mask = (unsigned)db_i64(r, i, WHL_COL_MASK);
	v->disabled = db_i64(r, i, WHL_COL_STATUS) != WH_ACTIVE;
	v->created_ms = v->updated_ms = -1;
	if ((s = db_str(r, i, WHL_COL_CREATED)) != NULL)
		sqltime_parse(s, strlen(s), &v->created_ms);
	if ((s = db_str(r, i, WHL_COL_UPDATED)) != NULL)
		sqltime_parse(s, strlen(s), &v->updated_ms);
}

static void
view_item(const struct db_rows *r, size_t i, void *item)
{
	view_from_row(r, i, item);
}

/* How a row becomes a struct webhook_view (core/paging.h). */
static const struct page_spec view_spec = {sizeof(struct webhook_view), view_item, 0, 0};

static lc_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *t = arg;
	unsigned count = 0;
	lc_err e;

	t->over_cap = 0;
	if ((e = store_webhook_count_lock(db, t->who->workspace_id, &count)) != LC_OK)
		return e;
	if (count >= WEBHOOKS_MAX_PER_WORKSPACE) {
		t->over_cap = 1;
		return LC_EINVAL;
	}
	return store_webhook_insert(db, t->public_id, t->who->workspace_id, t->url, t->description,
	    t->mask, t->secret, t->now);
}

lc_err
webhooks_create(struct core *core, const struct principal *who, const char *url,
    const char *const *events, size_t n, const char *description, int allow_http, struct page *v,
    char secret[WHSIG_SECRET_MAX], struct core_fail *fail)
{
	char now[TIME_SQL_LEN], id[ID_MAX];
	struct create_tx t;
	const char *why;
	size_t i;
	int ev;
	lc_err e;

	memset(v, 0, sizeof(*v));
	memset(&t, 0, sizeof(t));
	if (webhook_url_check(url, allow_http, &why) != 0) {
		fail->code = "validation_failed";
		fail->param = "url";
		fail->detail = why;
		return LC_EINVAL;
	}
	if (n == 0) {
		fail->code = "validation_failed";
		fail->param = "events";
		fail->detail = "events must name at least one event.";
		return LC_EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((ev = webhook_event_from_name(events[i])) < 0) {
			fail->code = "validation_failed";
			fail->param = "events";
			fail->detail = "events holds an unknown event name (see docs/webhooks.md).";
			return LC_EINVAL;
		}
		t.mask |= 1u << ev;
	}
	if (description && strlen(description) > WEBHOOK_DESCRIPTION_MAX) {
		fail->code = "validation_failed";
		fail->param = "description";
		fail->detail = "description is longer than 500 bytes.";
		return LC_EINVAL;
	}
	id_new("wh_", id);
	whsig_secret_new(secret);
	sqltime_format(now_ms(), now);
	t.who = who;
	t.url = url;
	t.description = description;
	t.public_id = id;
	t.secret = secret;
	t.now = now;
	if ((e = db_tx(core->db, create_tx, &t)) != LC_OK) {
		if (e == LC_EINVAL && t.over_cap) {
			fail->code = "webhook_limit_reached";
			fail->param = NULL;
			fail->detail = "A workspace has at most 20 webhooks; delete one first.";
		}
		return e;
	}
	/* the row was just committed: not finding it is the database's failure */
	if ((e = store_webhook_find(core->db, who->workspace_id, id, &v->rows)) != LC_OK ||
	    (e = page_one(v, &view_spec)) != LC_OK) {
		page_free(v);
		return e == LC_ENOTFOUND ? LC_EDB : e;
	}
	return LC_OK;
}

lc_err
webhooks_list(struct core *core, const struct principal *who, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_webhook_list(core->db, who->workspace_id, &out->rows)) != LC_OK)
		return e;
	/* every row: a workspace has at most WEBHOOKS_MAX_PER_WORKSPACE */
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &view_spec);
}

static lc_err
delete_tx(struct db *db, void *arg)
{
	struct test_tx *t = arg; /* the same fields: who, public_id, now */
	struct db_rows r;
	int64_t id;
	lc_err e;

	if ((e = store_webhook_find(db, t->who->workspace_id, t->public_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, WHL_COL_ID);
	db_rows_free(&r);
	return store_webhook_set_status(db, id, WH_DELETED, NULL, t->now);
}

lc_err
webhooks_delete(struct core *core, const struct principal *who, const char *public_id)
{
	char now[TIME_SQL_LEN];
	struct test_tx t;

	memset(&t, 0, sizeof(t));
	sqltime_format(now_ms(), now);
	t.who = who;
	t.public_id = public_id;
	t.now = now;
	return db_tx(core->db, delete_tx, &t);
}

static lc_err
test_tx(struct db *db, void *arg)
{
	struct test_tx *t = arg;
	struct db_rows r;
	int64_t id;
	lc_err e;

	if ((e = store_webhook_find(db, t->who->workspace_id, t->public_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, WHL_COL_ID);
	t->disabled = db_i64(&r, 0, WHL_COL_STATUS) != WH_ACTIVE;
	db_rows_free(&r);
	if (t->disabled)
		return LC_ECONFLICT;
	return store_whout_insert(
	    db, id, t->who->workspace_id, t->event_id, WEBHOOK_TEST_EVENT, t->now);
}

lc_err
webhooks_test(
    struct core *core, const struct principal *who, const char *public_id, char event_id[ID_MAX])
{
	char now[TIME_SQL_LEN];
	struct test_tx t;

	memset(&t, 0, sizeof(t));
	id_new("evt_", event_id);
	sqltime_format(now_ms(), now);
	t.who = who;
	t.public_id = public_id;
	t.event_id = event_id;
	t.now = now;
	return db_tx(core->db, test_tx, &t);
}

lc_err
webhooks_deliveries(struct core *core, const struct principal *who, const char *public_id,
    unsigned limit, int64_t before_id, struct webhook_attempts *out)
{
	struct db_rows r;
	int64_t wid;
	size_t i;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_webhook_find(core->db, who->workspace_id, public_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	wid = db_i64(&r, 0, WHL_COL_ID);
	db_rows_free(&r);
	if ((e = store_whdel_count(core->db, wid, &out->total)) != LC_OK ||
	    (e = store_whdel_list(core->db, wid, before_id, limit + 1, &out->rows)) != LC_OK)
		return e;
	out->n = out->rows.nrows > limit ? limit : out->rows.nrows;
	if (out->rows.nrows > limit) {
		out->has_next = 1;
		cursor_encode(0, db_i64(&out->rows, limit - 1, WHD_COL_ID), out->next_cursor);
	}
	if (out->n > 0 && (out->items = calloc(out->n, sizeof(*out->items))) == NULL) {
		webhook_attempts_free(out);
		return LC_ENOMEM;
	}
	for (i = 0; i < out->n; i++) {
		struct webhook_attempt *a = &out->items[i];
		const char *at = db_str(&out->rows, i, WHD_COL_AT);

		a->id = db_i64(&out->rows, i, WHD_COL_ID);
		a->event_id = db_str(&out->rows, i, WHD_COL_EVENT);
		a->type = db_str(&out->rows, i, WHD_COL_TYPE);
		a->error = db_str(&out->rows, i, WHD_COL_ERROR);
		a->attempt = (unsigned)db_i64(&out->rows, i, WHD_COL_ATTEMPT);
		a->status_code = (long)db_i64(&out->rows, i, WHD_COL_STATUS);
		a->duration_ms = (long)db_i64(&out->rows, i, WHD_COL_DURATION);
		a->at_ms = -1;
		if (at)
			sqltime_parse(at, strlen(at), &a->at_ms);
	}
	return LC_OK;
}

void
webhook_attempts_free(struct webhook_attempts *a)
{
	db_rows_free(&a->rows);
	free(a->items);
	memset(a, 0, sizeof(*a));
}

/* internal_to_webhook maps an internal event type to the webhook event it is, or -1. */
static int
internal_to_webhook(unsigned type)
{
	switch (type) {
	case EV_EMAIL_SENT: return WHE_EMAIL_SENT;
	case EV_EMAIL_BOUNCED: return WHE_EMAIL_BOUNCED;
	case EV_REPLY_RECEIVED: return WHE_REPLY_RECEIVED;
	case EV_APPROVAL_REQUESTED: return WHE_APPROVAL_REQUESTED;
	case EV_APPROVAL_COMPLETED:
	case EV_APPROVAL_REJECTED: return WHE_APPROVAL_DECIDED;
	case EV_CAMPAIGN_PAUSED: return WHE_CAMPAIGN_PAUSED;
	case EV_CAMPAIGN_RESUMED: return WHE_CAMPAIGN_RESUMED;
	case EV_LINK_PLACED: return WHE_LINK_PLACED;
	case EV_LINK_LOST: return WHE_LINK_LOST;
	default: return -1;
	}
}

lc_err
webhooks_fanout(struct db *db, const struct event_in *ev, const char *event_id, const char *at_sql)
{
	const char *detail = ev->detail;
	int w = internal_to_webhook(ev->type);

	if (w < 0)
		return LC_OK;
	/* approval.decided carries its decision where other events carry their detail */
	if (ev->type == EV_APPROVAL_COMPLETED)
		detail = "approved";
	else if (ev->type == EV_APPROVAL_REJECTED)
		detail = "rejected";
	return store_whout_fanout(db, ev->workspace_id, 1u << w, event_id, event_names[w], at_sql,
	    ev->campaign_id, ev->relationship_id, ev->message_id, detail);
}

lc_err
webhooks_fanout_sent(
    struct db *db, const struct store_event_row *rows, size_t n, const char *at_sql)
{
	if (n == 0 || n > 64)
		return LC_EINVAL;
	return store_whout_fanout_batch(
	    db, rows, n, 1u << WHE_EMAIL_SENT, event_names[WHE_EMAIL_SENT], at_sql);
}

lc_err
webhooks_emit_mailbox_paused(struct db *db, int64_t workspace_id, const char *mailbox_public_id,
    const char *reason, const char *at_sql)
{
	char event_id[ID_MAX];

	/* not an event of a campaign: the mailbox's id travels in the message id column */
	id_new("evt_", event_id);
	return store_whout_fanout(db, workspace_id, 1u << WHE_MAILBOX_PAUSED, event_id,
	    event_names[WHE_MAILBOX_PAUSED], at_sql, 0, 0, mailbox_public_id, reason);
}
