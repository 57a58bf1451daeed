/* suppressions.c: do-not-email by address and by domain (suppressions.h,
 * docs/suppressions.md). Entries are checked twice: when a message is queued
 * (outbox_enqueue_tx: it is stored as suppressed, never sent) and when the worker claims it
 * (suppression_claim_tx), so an address listed while a message waited is still never mailed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/paging.h"
#include "core/suppressions.h"
#include "db/store_sending.h"
#include "db/store_suppressions.h"
#include "util/csv.h"
#include "util/timefmt.h"
#include "util/utf8.h"

struct add_ctx {
	const struct principal *who;
	const struct suppression_in *in;
	char value[SUPP_VALUE_MAX];
	unsigned kind;
	int *created;
	struct db_rows *rows;
};

struct import_ctx {
	const struct principal *who;
	const char *csv;
	size_t len;
	int account_wide;
	const char *created_by;
	struct suppression_import *out;
	struct core_fail *fail;
};

/* Shared mailbox providers: one person's unsubscribe must not stop mail to everyone there. */
static const char *const shared_domains[] = {"gmail.com", "googlemail.com", "outlook.com",
    "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.es", "hotmail.it",
    "live.com", "live.co.uk", "live.fr", "live.nl", "msn.com", "yahoo.com", "yahoo.co.uk",
    "yahoo.fr", "yahoo.de", "yahoo.es", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "gmx.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de",
    "proton.me", "protonmail.com", "pm.me", "zoho.com", "mail.com", "yandex.com", "yandex.ru",
    "mail.ru", "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "libero.it",
    "virgilio.it", "telefonica.net", "ziggo.nl", "kpnmail.nl", "hetnet.nl", "home.nl", "planet.nl",
    "qq.com", "163.com", "126.com", "fastmail.com", "hey.com", "tutanota.com", "tuta.io",
    "bluewin.ch", "seznam.cz", "wp.pl", "o2.pl", "onet.pl", "rambler.ru", "naver.com", "daum.net",
    "rediffmail.com", NULL};

static void lower(char *);
static int scope_allowed(const struct principal *, int, struct core_fail *);
static int value_of(const struct suppression_in *, char *, unsigned *, struct core_fail *);
static void view_from_row(const struct db_rows *, size_t, struct suppression_view *);
static lc_err add_tx(struct db *, void *);
static const struct page_spec spec; /* defined with suppressions_list */
static lc_err remove_tx(struct db *, void *);
static lc_err import_tx(struct db *, void *);

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int
suppression_normalize(const char *in, unsigned kind, char out[SUPP_VALUE_MAX])
{
	size_t len;

	if (in == NULL)
		return 0;
	while (*in == ' ' || *in == '\t')
		in++;
	if (kind == SUPP_DOMAIN && *in == '@')
		in++;
	len = strlen(in);
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= SUPP_VALUE_MAX)
		return 0;
	memcpy(out, in, len);
	out[len] = '\0';
	lower(out);
	if (kind == SUPP_DOMAIN) {
		if (len > 0 && out[len - 1] == '.')
			out[--len] = '\0'; /* "site.example." is the same domain */
		return strchr(out, '@') == NULL && domain_valid(out);
	}
	return email_valid(out) && domain_valid(strrchr(out, '@') + 1);
}

int
suppression_shared_domain(const char *domain)
{
	size_t i;

	for (i = 0; shared_domains[i] != NULL; i++)
		if (strcmp(domain, shared_domains[i]) == 0)
			return 1;
	return 0;
}

lc_err
suppression_check_tx(struct db *db, int64_t ws, const char *email, int *yes)
{
	return store_suppressed(db, ws, email, yes);
}

lc_err
suppression_unsubscribe_tx(
    struct db *db, int64_t ws, const char *email, const char *source, const char *now_sql)
{
	struct store_suppression_new n;
	struct db_rows r;
	char value[SUPP_VALUE_MAX];
	int created, domain_too;
	lc_err e;

	if (!suppression_normalize(email, SUPP_ADDRESS, value))
		return LC_OK; /* nothing we could ever send to */
	if ((e = store_suppression_policy(db, ws, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	memset(&n, 0, sizeof(n));
	n.account_id = db_i64(&r, 0, 0);
	domain_too = db_i64(&r, 0, 1) != 0;
	db_rows_free(&r);
	n.workspace_id = ws;
	n.value = value;
	n.kind = SUPP_ADDRESS;
	n.reason = "unsubscribed";
	n.source = source;
	n.created_by = "system";
	n.now_sql = now_sql;
	if ((e = store_suppression_insert(db, &n, &created)) != LC_OK)
		return e;
	n.value = strrchr(value, '@') + 1;
	if (!domain_too || suppression_shared_domain(n.value))
		return LC_OK;
	n.kind = SUPP_DOMAIN;
	return store_suppression_insert(db, &n, &created);
}

lc_err
suppression_claim_tx(struct db *db, const struct out_message *m, int *changed)
{
	return outbox_release_tx(db, m, MS_SUPPRESSED, "recipient suppressed", 0, changed);
}

/* scope_allowed: the account's list changes only with an account key. */
static int
scope_allowed(const struct principal *who, int account_wide, struct core_fail *fail)
{
	if (!account_wide || who->account_key)
		return 1;
	fail->code = "forbidden";
	fail->param = "scope";
	fail->detail = "Only an account key may change the account-wide list.";
	return 0;
}

/* value_of reads exactly one of address and domain into value; 0 with fail otherwise. */
static int
value_of(const struct suppression_in *in, char *value, unsigned *kind, struct core_fail *fail)
{
	fail->code = "validation_failed";
	if ((in->address == NULL) == (in->domain == NULL)) {
		fail->param = "address";
		fail->detail = "Give exactly one of address and domain.";
		return 0;
	}
	*kind = in->address ? SUPP_ADDRESS : SUPP_DOMAIN;
	if (!suppression_normalize(in->address ? in->address : in->domain, *kind, value)) {
		fail->param = in->address ? "address" : "domain";
		fail->detail = in->address ? "address must be an email address (local@domain)."
		                           : "domain must be a DNS name such as example.com.";
		return 0;
	}
	if (in->reason != NULL && !text_valid(in->reason, 0, SUPP_REASON_MAX_CHARS, 0)) {
		fail->param = "reason";
		fail->detail = "reason is text of at most 200 characters on one line.";
		return 0;
	}
	fail->code = NULL;
	return 1;
}

static void
view_from_row(const struct db_rows *r, size_t i, struct suppression_view *v)
{
	memset(v, 0, sizeof(*v));
	v->value = db_str(r, i, SUP_COL_EMAIL);
	v->kind = (unsigned)db_i64(r, i, SUP_COL_KIND);
	v->account_wide = db_i64(r, i, SUP_COL_WORKSPACE) == 0;
	v->workspace_public = v->account_wide ? NULL : db_str(r, i, SUP_COL_WS_PUBLIC);
	v->reason = db_str(r, i, SUP_COL_REASON);
	v->source = db_str(r, i, SUP_COL_SOURCE);
	v->created_by = db_str(r, i, SUP_COL_BY);
	v->created_ms = db_ms(r, i, SUP_COL_CREATED);
	v->id = db_i64(r, i, SUP_COL_ID);
}

static lc_err
add_tx(struct db *db, void *arg)
{
	struct add_ctx *c = arg;
	struct store_suppression_new n;
	char now[TIME_SQL_LEN];
	int64_t ws = c->in->account_wide ? 0 : c->who->workspace_id;
	lc_err e;

	sqltime_format(now_ms(), now);
	memset(&n, 0, sizeof(n));
	n.account_id = c->who->account_id;
	n.workspace_id = ws;
	n.value = c->value;
	n.kind = c->kind;
	n.reason = c->in->reason ? c->in->reason : "";
	n.source = c->in->source ? c->in->source : "api";
	n.created_by = c->in->created_by ? c->in->created_by : "api";
	n.now_sql = now;
	if ((e = store_suppression_insert(db, &n, c->created)) != LC_OK)
		return e;
	db_rows_free(c->rows); /* a retried transaction reads it again */
	return store_suppression_get(db, c->who->account_id, ws, c->value, c->rows);
}

lc_err
suppressions_add(struct core *core, const struct principal *who, const struct suppression_in *in,
    int *created, struct page *out, struct core_fail *fail)
{
	struct add_ctx c;
	lc_err e;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	*created = 0;
	if (!value_of(in, c.value, &c.kind, fail))
		return LC_EINVAL;
	if (!scope_allowed(who, in->account_wide, fail))
		return LC_EFORBIDDEN;
	c.who = who;
	c.in = in;
	c.created = created;
	c.rows = &out->rows;
	if ((e = db_tx(core->db, add_tx, &c)) != LC_OK)
		return e;
	if ((e = page_one(out, &spec)) == LC_ENOTFOUND)
		e = LC_EDB; /* added and gone in between: a concurrent delete */
	return e;
}

static lc_err
remove_tx(struct db *db, void *arg)
{
	struct add_ctx *c = arg;

	return store_suppression_delete(db, c->who->account_id,
	    c->in->account_wide ? 0 : c->who->workspace_id, c->value, c->created);
}

lc_err
suppressions_remove(struct core *core, const struct principal *who, const struct suppression_in *in,
    struct core_fail *fail)
{
	struct add_ctx c;
	int deleted = 0;
	lc_err e;

	memset(&c, 0, sizeof(c));
	if (!value_of(in, c.value, &c.kind, fail))
		return LC_EINVAL;
	if (!scope_allowed(who, in->account_wide, fail))
		return LC_EFORBIDDEN;
	c.who = who;
	c.in = in;
	c.created = &deleted;
	if ((e = db_tx(core->db, remove_tx, &c)) != LC_OK)
		return e;
	return deleted ? LC_OK : LC_ENOTFOUND;
}

static void
item_from_row(const struct db_rows *rows, size_t i, void *item)
{
	view_from_row(rows, i, item);
}

static void
item_position(const void *item, int64_t *ms, int64_t *id)
{
	const struct suppression_view *x = item;

	*ms = x->created_ms;
	*id = x->id;
}

static const struct page_spec spec = {sizeof(struct suppression_view), item_from_row,
    PAGE_KEY(struct suppression_view, created_ms, id)};

lc_err
suppressions_list(struct core *core, const struct principal *who, const struct suppression_query *q,
    struct page *page)
{
	struct store_suppression_filter f;
	char before[TIME_SQL_LEN];
	lc_err e;

	memset(page, 0, sizeof(*page));
	memset(&f, 0, sizeof(f));
	f.account_id = who->account_id;
	f.workspace_id = who->workspace_id;
	f.scope = q->scope;
	page_window(&f.w, before, q->limit, q->has_cursor, q->cursor_ms, q->cursor_id);
	if ((e = store_suppression_list(core->db, &f, &page->rows)) != LC_OK ||
	    (e = page_build(page, q->limit, &spec)) != LC_OK)
		page_free(page);
	return e;
}

/* import_tx adds the file's rows in one transaction: all or nothing. */
static lc_err
import_tx(struct db *db, void *arg)
{
	struct import_ctx *c = arg;
	struct store_suppression_new n;
	struct csv_reader r;
	char now[TIME_SQL_LEN], value[SUPP_VALUE_MAX];
	const char *v, *reason;
	FILE *in;
	int created;
	lc_err e = LC_OK, ce;

	c->out->added = c->out->already = c->out->rows = 0;
	if ((in = fmemopen((void *)c->csv, c->len, "r")) == NULL)
		return LC_ENOMEM;
	csv_init(&r, in);
	sqltime_format(now_ms(), now);
	memset(&n, 0, sizeof(n));
	n.account_id = c->who->account_id;
	n.workspace_id = c->account_wide ? 0 : c->who->workspace_id;
	n.source = "import";
	n.created_by = c->created_by;
	n.now_sql = now;
	while ((ce = csv_next(&r)) == LC_OK) {
		v = csv_field(&r, 0);
		reason = csv_field(&r, 1);
		if (r.nfields == 1 && v[0] == '\0')
			continue; /* blank line */
		if (r.line == 1 &&
		    (strcasecmp(v, "value") == 0 || strcasecmp(v, "email") == 0 ||
		        strcasecmp(v, "address") == 0 || strcasecmp(v, "domain") == 0))
			continue; /* header */
		if (++c->out->rows > SUPP_IMPORT_MAX_ROWS) {
			c->out->bad_line = r.line;
			c->out->bad_detail = "A file holds at most 100000 rows.";
			e = LC_EINVAL;
			break;
		}
		n.kind = strchr(v, '@') && v[0] != '@' ? SUPP_ADDRESS : SUPP_DOMAIN;
		if (!suppression_normalize(v, n.kind, value)) {
			c->out->bad_line = r.line;
			c->out->bad_detail =
			    "The first column must be an email address or a domain.";
			e = LC_EINVAL;
			break;
		}
		if (reason != NULL && !text_valid(reason, 0, SUPP_REASON_MAX_CHARS, 0)) {
			c->out->bad_line = r.line;
			c->out->bad_detail = "The reason column is text of at most 200 characters.";
			e = LC_EINVAL;
			break;
		}
		n.value = value;
		n.reason = reason ? reason : "";
		if ((e = store_suppression_insert(db, &n, &created)) != LC_OK)
			break;
		if (created)
			c->out->added++;
		else
			c->out->already++;
	}
	if (e == LC_OK && ce != LC_ENOTFOUND) {
		c->out->bad_line = r.next_line ? r.next_line : r.line;
		c->out->bad_detail = ce == LC_ENOMEM ? "A line is too long or has too many fields."
		                                     : "The file is not valid CSV (RFC 4180).";
		e = LC_EINVAL;
	}
	csv_free(&r);
	fclose(in);
	return e;
}

lc_err
suppressions_import(struct core *core, const struct principal *who, const char *csv, size_t len,
    int account_wide, const char *created_by, struct suppression_import *out,
    struct core_fail *fail)
{
	struct import_ctx c = {who, csv, len, account_wide, created_by, out, fail};
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (!scope_allowed(who, account_wide, fail))
		return LC_EFORBIDDEN;
	if (len == 0 || !utf8_valid(csv, len)) {
		fail->code = "validation_failed";
		fail->param = "body";
		fail->detail = "The body must be a non-empty UTF-8 CSV file.";
		return LC_EINVAL;
	}
	e = db_tx(core->db, import_tx, &c);
	if (e == LC_EINVAL) {
		fail->code = "validation_failed";
		fail->param = "body";
		fail->detail = out->bad_detail;
	}
	return e;
}

lc_err
suppressions_export(struct core *core, const struct principal *who, struct buf *out, int *truncated)
{
	struct suppression_query q;
	struct page page;
	char when[TIME_RFC3339_LEN];
	size_t i, total = 0;
	lc_err e;

	*truncated = 0;
	if ((e = buf_puts(out,
	         "value,kind,scope,workspace_id,reason,source,created_by,created_at\r\n")) != LC_OK)
		return e;
	memset(&q, 0, sizeof(q));
	q.scope = -1;
	q.limit = 1000;
	for (;;) {
		if ((e = suppressions_list(core, who, &q, &page)) != LC_OK) {
			page_free(&page);
			return e;
		}
		for (i = 0; i < page.n && e == LC_OK; i++) {
			const struct suppression_view *v =
			    (const struct suppression_view *)page.items + i;

			rfc3339_format(v->created_ms, when);
			if ((e = csv_cell(out, v->value, 0)) != LC_OK ||
			    (e = csv_cell(out, v->kind == SUPP_DOMAIN ? "domain" : "address", 0)) !=
			        LC_OK ||
			    (e = csv_cell(out, v->account_wide ? "account" : "workspace", 0)) !=
			        LC_OK ||
			    (e = csv_cell(out, v->workspace_public ? v->workspace_public : "",
			         0)) != LC_OK ||
			    (e = csv_cell(out, v->reason, 0)) != LC_OK ||
			    (e = csv_cell(out, v->source, 0)) != LC_OK ||
			    (e = csv_cell(out, v->created_by, 0)) != LC_OK ||
			    (e = csv_cell(out, when, 1)) != LC_OK)
				break;
			item_position(v, &q.cursor_ms, &q.cursor_id);
		}
		total += page.n;
		q.has_cursor = 1;
		if (e != LC_OK || !page.has_next) {
			page_free(&page);
			return e;
		}
		page_free(&page);
		if (total >= SUPP_EXPORT_MAX_ROWS) {
			*truncated = 1;
			return LC_OK;
		}
	}
}
