/* mailboxes.c: the rules of sender mailboxes the API, the pages and the CLI share
 * (docs/mailboxes.md): validation, the password sealed before it reaches the store,
 * another workspace's mailbox indistinguishable from a missing one, and the mailboxes a
 * campaign sends from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/mailbox.h"
#include "core/pacing.h"
#include "core/mailbox_imap.h"
#include "core/validate.h"
#include "db/store_campaigns.h"
#include "db/store_mailboxes.h"
#include "util/timefmt.h"

static const char *const security_names[MBX_NSECURITY] = {"tls", "starttls", "plain"};

struct write_tx {
	const struct principal *who;
	const char *public_id; /* update: the mailbox; create: the new id */
	const struct mailbox_in *in;
	struct core_fail *fail;
	struct db_rows *rows; /* the written mailbox as read back */
	int create;
};

struct id_tx {
	const struct principal *who;
	const char *public_id;
	struct core_fail *fail;
};

struct links_tx {
	const struct principal *who;
	const char *campaign_public_id;
	const char *const *ids;
	size_t n;
	struct core_fail *fail;
};

static void day_start(int64_t, char[TIME_SQL_LEN]);
static void view_from_row(const struct db_rows *, size_t, struct mailbox_view *);
static lc_err bad(struct core_fail *, const char *, const char *);
static lc_err check_in(const struct mailbox_in *, int, struct core_fail *);
static lc_err write_tx(struct db *, void *);
static lc_err delete_tx(struct db *, void *);
static lc_err resume_tx(struct db *, void *);
static lc_err links_tx(struct db *, void *);

const char *
mailbox_security_name(unsigned s)
{
	return s < MBX_NSECURITY ? security_names[s] : NULL;
}

int
mailbox_security_from_name(const char *s)
{
	unsigned i;

	for (i = 0; s && i < MBX_NSECURITY; i++)
		if (strcmp(s, security_names[i]) == 0)
			return (int)i;
	return -1;
}

/* mailbox_host_valid: a host name of LDH labels or an IPv4 literal, 1..253 bytes (the SMTP
 * and the IMAP host alike). */
int
mailbox_host_valid(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        (c == '-' && label > 0)) ||
		    ++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* day_start is the start of t's UTC day: a mailbox's "today" for its daily cap. */
static void
day_start(int64_t t, char out[TIME_SQL_LEN])
{
	sqltime_format(t - t % (INT64_C(86400) * 1000), out);
}

static void pacing_view(const struct db_rows *, size_t, struct mailbox_view *);

static void
view_from_row(const struct db_rows *r, size_t i, struct mailbox_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = db_i64(r, i, MBX_COL_ID);
	v->public_id = db_str(r, i, MBX_COL_PUBLIC);
	v->from_name = db_str(r, i, MBX_COL_FROM_NAME);
	v->from_address = db_str(r, i, MBX_COL_FROM_ADDRESS);
	v->reply_to = db_str(r, i, MBX_COL_REPLY_TO);
	v->host = db_str(r, i, MBX_COL_HOST);
	v->username = db_str(r, i, MBX_COL_USERNAME);
	v->paused_reason = db_str(r, i, MBX_COL_PAUSED_REASON);
	v->port = (unsigned)db_i64(r, i, MBX_COL_PORT);
	v->security = (unsigned)db_i64(r, i, MBX_COL_SECURITY);
	v->status = (unsigned)db_i64(r, i, MBX_COL_STATUS);
	v->daily_cap = (unsigned)db_i64(r, i, MBX_COL_DAILY_CAP);
	v->sent_today = db_i64(r, i, MBX_COL_SENT_TODAY);
	v->created_ms = db_ms(r, i, MBX_COL_CREATED);
	v->updated_ms = db_ms(r, i, MBX_COL_UPDATED);
	v->paused_ms = db_ms(r, i, MBX_COL_PAUSED_AT);
	v->password_set = db_len(r, i, MBX_COL_BOX) > 0;
	v->plus_reply_to = db_i64(r, i, MBX_COL_PLUS_REPLY_TO) != 0;
	pacing_view(r, i, v);
}

/* pacing_view fills the pacing part of v: the settings, and today's cap and the end of
 * the gap as the worker will see them (core/pacing.c). */
static void
pacing_view(const struct db_rows *r, size_t i, struct mailbox_view *v)
{
	struct pacing_rules rules;
	const struct tz *tz = NULL;
	int64_t t = now_ms();

	v->days = (unsigned)db_i64(r, i, MBX_COL_DAYS);
	v->start_min = (unsigned)db_i64(r, i, MBX_COL_WSTART);
	v->end_min = (unsigned)db_i64(r, i, MBX_COL_WEND);
	v->time_zone = db_str(r, i, MBX_COL_TZ);
	v->warmup_start = (unsigned)db_i64(r, i, MBX_COL_WARMUP_START);
	v->warmup_step = (unsigned)db_i64(r, i, MBX_COL_WARMUP_STEP);
	v->gap_s = (unsigned)db_i64(r, i, MBX_COL_GAP);
	v->jitter_s = (unsigned)db_i64(r, i, MBX_COL_JITTER);
	v->next_send_ms = db_ms(r, i, MBX_COL_NEXT_SEND);
	if (v->next_send_ms <= t)
		v->next_send_ms = -1;
	v->cap_today = v->daily_cap;
	if (v->time_zone == NULL || tz_get(v->time_zone, &tz) != LC_OK)
		return;
	memset(&rules, 0, sizeof(rules));
	rules.tz = tz;
	rules.daily_cap = v->daily_cap;
	rules.warmup_start = v->warmup_start;
	rules.warmup_step = v->warmup_step;
	rules.warmup_from =
	    db_isnull(r, i, MBX_COL_WARMUP_FROM) ? -1 : db_i64(r, i, MBX_COL_WARMUP_FROM);
	v->cap_today = pacing_cap_on(&rules, pacing_local_day(&rules, t));
}

static void
view_item(const struct db_rows *rows, size_t i, void *item)
{
	view_from_row(rows, i, item);
}

static const struct page_spec view_spec = {sizeof(struct mailbox_view), view_item, 0, 0};

/* written makes v the mailbox a create or update transaction that ended with e read back;
 * v is freed when anything failed. */
static lc_err
written(lc_err e, struct page *v)
{
	if (e == LC_OK)
		e = page_one(v, &view_spec);
	if (e != LC_OK)
		page_free(v);
	return e;
}

static lc_err
bad(struct core_fail *fail, const char *param, const char *detail)
{
	fail->code = "validation_failed";
	fail->param = param;
	fail->detail = detail;
	return LC_EINVAL;
}

static lc_err check_pacing(const struct mailbox_in *, struct core_fail *);

void
mailbox_in_init(struct mailbox_in *in)
{
	memset(in, 0, sizeof(*in));
	in->port = in->security = in->daily_cap = -1;
	in->days = in->start_min = in->end_min = -1;
	in->warmup_start = in->warmup_step = in->gap_s = in->jitter_s = -1;
	in->plus_reply_to = -1;
}

/* check_in validates the fields given (all required ones when create). */
static lc_err
check_in(const struct mailbox_in *in, int create, struct core_fail *fail)
{
	if (create && in->from_address == NULL)
		return bad(fail, "fromAddress", "fromAddress is required.");
	if (create && in->host == NULL)
		return bad(fail, "smtp.host", "smtp.host is required.");
	if (create && in->username == NULL)
		return bad(fail, "smtp.username", "smtp.username is required.");
	if (create && in->password == NULL)
		return bad(fail, "smtp.password", "smtp.password is required.");
	if (in->from_address && !email_valid(in->from_address))
		return bad(fail, "fromAddress", "fromAddress must be an email address.");
	if (in->from_name && !text_valid(in->from_name, 0, 200, 0))
		return bad(fail, "fromName", "fromName is at most 200 characters on one line.");
	if (in->reply_to && !email_valid(in->reply_to))
		return bad(fail, "replyTo", "replyTo must be an email address or null.");
	if (in->host && !mailbox_host_valid(in->host))
		return bad(fail, "smtp.host", "smtp.host must be a host name or an IPv4 address.");
	if (in->port != -1 && (in->port < 1 || in->port > 65535))
		return bad(fail, "smtp.port", "smtp.port must be from 1 to 65535.");
	if (in->security == MBX_PLAIN && !mailbox_allow_plain())
		return bad(fail, "smtp.security",
		    "smtp.security plain is not allowed on this server ([mailboxes] allow_plain); "
		    "use tls or starttls.");
	if (in->security != -1 && (in->security < 0 || in->security >= MBX_NSECURITY))
		return bad(fail, "smtp.security", "smtp.security is one of tls, starttls, plain.");
	if (in->username && !text_valid(in->username, 1, 320, 0))
		return bad(fail, "smtp.username", "smtp.username is 1 to 320 characters.");
	if (in->password &&
	    (in->password[0] == '\0' || strlen(in->password) > MAILBOX_PASSWORD_MAX ||
	        !text_valid(in->password, 1, MAILBOX_PASSWORD_MAX, 0)))
		return bad(fail, "smtp.password", "smtp.password is 1 to 256 bytes on one line.");
	if (in->daily_cap != -1 && (in->daily_cap < 1 || in->daily_cap > MAILBOX_DAILY_CAP_MAX))
		return bad(fail, "dailyCap", "dailyCap must be from 1 to 100000.");
	return check_pacing(in, fail);
}

/* check_pacing validates the pacing fields given (the window's order is checked on the
 * merged values, in write_tx). */
static lc_err
check_pacing(const struct mailbox_in *in, struct core_fail *fail)
{
	const struct tz *tz = NULL;

	if (in->days != -1 && (in->days < 1 || in->days > (long)PACING_ALL_DAYS))
		return bad(fail, "window.days", "window.days names at least one day: mon .. sun.");
	if (in->start_min != -1 && (in->start_min < 0 || in->start_min >= PACING_MINUTES_PER_DAY))
		return bad(
		    fail, "window.start", "window.start is a time of day from 00:00 to 23:59.");
	if (in->end_min != -1 && (in->end_min < 1 || in->end_min > PACING_MINUTES_PER_DAY))
		return bad(fail, "window.end", "window.end is a time of day from 00:01 to 24:00.");
	if (in->time_zone && (!tz_name_ok(in->time_zone, strlen(in->time_zone)) ||
	                         tz_get(in->time_zone, &tz) != LC_OK))
		return bad(fail, "window.timeZone",
		    "window.timeZone is an IANA time zone this server knows, e.g. "
		    "America/New_York.");
	if (in->warmup_start != -1 &&
	    (in->warmup_start < 0 || in->warmup_start > MAILBOX_DAILY_CAP_MAX))
		return bad(fail, "warmup.start", "warmup.start is from 1 to 100000.");
	if (in->warmup_step != -1 &&
	    (in->warmup_step < 0 || in->warmup_step > MAILBOX_DAILY_CAP_MAX))
		return bad(fail, "warmup.increment", "warmup.increment is from 0 to 100000.");
	if (in->gap_s != -1 && (in->gap_s < 0 || in->gap_s > (long)PACING_GAP_MAX))
		return bad(fail, "minGapSeconds", "minGapSeconds is from 0 to 86400.");
	if (in->jitter_s != -1 && (in->jitter_s < 0 || in->jitter_s > (long)PACING_GAP_MAX))
		return bad(fail, "jitterSeconds", "jitterSeconds is from 0 to 86400.");
	if (in->imap)
		return mailbox_imap_check(in->imap, fail);
	return LC_OK;
}

/* write_tx creates or updates one mailbox and reads it back into ctx->rows. */
static lc_err
write_tx(struct db *db, void *arg)
{
	struct write_tx *t = arg;
	const struct mailbox_in *in = t->in;
	unsigned char box[MAILBOX_BOX_MAX];
	char now[TIME_SQL_LEN], day[TIME_SQL_LEN];
	struct store_mailbox m;
	struct db_rows cur;
	struct mailbox_view old;
	unsigned count = 0;
	int64_t t_ms = now_ms(), id = 0;
	size_t box_len = 0;
	lc_err e;

	sqltime_format(t_ms, now);
	day_start(t_ms, day);
	memset(&m, 0, sizeof(m));
	memset(&cur, 0, sizeof(cur));
	if (t->create) {
		if ((e = store_mailbox_count_lock(db, t->who->workspace_id, &count)) != LC_OK)
			return e;
		if (count >= MAILBOXES_MAX_PER_WORKSPACE) {
			t->fail->code = "mailbox_limit_reached";
			t->fail->detail = "A workspace has at most 100 mailboxes.";
			return LC_EINVAL;
		}
		m.from_name = in->from_name ? in->from_name : "";
		m.from_address = in->from_address;
		m.reply_to = in->reply_to;
		m.host = in->host;
		m.port = in->port != -1 ? (unsigned)in->port : 587;
		m.security = in->security != -1 ? (unsigned)in->security : MBX_STARTTLS;
		m.username = in->username;
		m.daily_cap =
		    in->daily_cap != -1 ? (unsigned)in->daily_cap : MAILBOX_DAILY_CAP_DEFAULT;
		/* no window, no ramp, no gap: what a mailbox did before pacing existed */
		old.days = PACING_ALL_DAYS;
		old.start_min = 0;
		old.end_min = PACING_MINUTES_PER_DAY;
		old.time_zone = "UTC";
		old.warmup_start = old.warmup_step = old.gap_s = old.jitter_s = 0;
		m.plus_reply_to = in->plus_reply_to == 1;
	} else {
		if ((e = store_mailbox_find(
		         db, t->who->workspace_id, t->public_id, 1, day, &cur)) != LC_OK)
			return e;
		if (cur.nrows != 1) {
			db_rows_free(&cur);
			return LC_ENOTFOUND;
		}
		view_from_row(&cur, 0, &old);
		id = old.id;
		m.from_name = in->from_name ? in->from_name : old.from_name;
		m.from_address = in->from_address ? in->from_address : old.from_address;
		m.reply_to = in->reply_to_given ? in->reply_to : old.reply_to;
		m.host = in->host ? in->host : old.host;
		m.port = in->port != -1 ? (unsigned)in->port : old.port;
		m.security = in->security != -1 ? (unsigned)in->security : old.security;
		m.username = in->username ? in->username : old.username;
		m.daily_cap = in->daily_cap != -1 ? (unsigned)in->daily_cap : old.daily_cap;
		m.plus_reply_to =
		    in->plus_reply_to != -1 ? in->plus_reply_to == 1 : old.plus_reply_to;
	}
	m.days = in->days != -1 ? (unsigned)in->days : old.days;
	m.start_min = in->start_min != -1 ? (unsigned)in->start_min : old.start_min;
	m.end_min = in->end_min != -1 ? (unsigned)in->end_min : old.end_min;
	m.time_zone = in->time_zone ? in->time_zone : old.time_zone;
	m.warmup_start = in->warmup_start != -1 ? (unsigned)in->warmup_start : old.warmup_start;
	m.warmup_step = in->warmup_step != -1 ? (unsigned)in->warmup_step : old.warmup_step;
	m.gap_s = in->gap_s != -1 ? (unsigned)in->gap_s : old.gap_s;
	m.jitter_s = in->jitter_s != -1 ? (unsigned)in->jitter_s : old.jitter_s;
	if (m.start_min >= m.end_min) {
		t->fail->code = "validation_failed";
		t->fail->param = "window.end";
		t->fail->detail =
		    "window.end must be after window.start (a window within one day).";
		e = LC_EINVAL;
		goto out;
	}
	m.public_id = t->public_id;
	m.workspace_id = t->who->workspace_id;
	if (in->password) {
		if ((e = mailbox_seal(in->password, strlen(in->password), box, &box_len)) != LC_OK)
			goto out;
		m.password_box = box;
		m.box_len = box_len;
	}
	if (t->create)
		e = store_mailbox_insert(db, &m, now);
	else
		e = store_mailbox_update(db, id, &m, now);
	if (e == LC_OK)
		e = store_mailbox_find(db, t->who->workspace_id, t->public_id, 0, day, t->rows);
	if (e == LC_OK && t->rows->nrows != 1)
		e = LC_EDB;
	/* IMAP (docs/imap.md): its own table; a new SMTP password may be the IMAP one too */
	if (e == LC_OK && in->imap)
		e = mailbox_imap_write_tx(db, db_i64(t->rows, 0, MBX_COL_ID), in->imap, t->fail);
	if (e == LC_OK && !t->create && in->password)
		e = mailbox_imap_password_changed_tx(db, db_i64(t->rows, 0, MBX_COL_ID));
out:
	sodium_memzero(box, sizeof(box));
	db_rows_free(&cur);
	return e;
}

lc_err
mailboxes_create(struct core *core, const struct principal *who, const struct mailbox_in *in,
    struct page *v, struct core_fail *fail)
{
	char id[ID_MAX];
	struct write_tx t = {who, id, in, fail, &v->rows, 1};
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!mailbox_configured()) {
		fail->code = "mailboxes_not_configured";
		fail->detail =
		    "The operator has not configured [mailboxes] key_file on this server.";
		return LC_ECONFLICT;
	}
	if ((e = check_in(in, 1, fail)) != LC_OK)
		return e;
	id_new("mbx_", id);
	return written(db_tx(core->db, write_tx, &t), v);
}

lc_err
mailboxes_update(struct core *core, const struct principal *who, const char *public_id,
    const struct mailbox_in *in, struct page *v, struct core_fail *fail)
{
	struct write_tx t = {who, public_id, in, fail, &v->rows, 0};
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (in->password && !mailbox_configured()) {
		fail->code = "mailboxes_not_configured";
		fail->detail =
		    "The operator has not configured [mailboxes] key_file on this server.";
		return LC_ECONFLICT;
	}
	if ((e = check_in(in, 0, fail)) != LC_OK)
		return e;
	return written(db_tx(core->db, write_tx, &t), v);
}

lc_err
mailboxes_list(struct core *core, const struct principal *who, struct page *out)
{
	char day[TIME_SQL_LEN];
	lc_err e;

	memset(out, 0, sizeof(*out));
	day_start(now_ms(), day);
	if ((e = store_mailbox_list(core->db, who->workspace_id, day, &out->rows)) != LC_OK)
		return e;
	/* every row: a workspace's mailboxes are few (MAILBOXES_MAX_PER_WORKSPACE) */
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &view_spec);
}

lc_err
mailboxes_get(struct core *core, const struct principal *who, const char *public_id, struct page *v)
{
	char day[TIME_SQL_LEN];
	lc_err e;

	memset(v, 0, sizeof(*v));
	day_start(now_ms(), day);
	if ((e = store_mailbox_find(core->db, who->workspace_id, public_id, 0, day, &v->rows)) !=
	        LC_OK ||
	    (e = page_one(v, &view_spec)) != LC_OK)
		page_free(v);
	return e;
}

static lc_err
delete_tx(struct db *db, void *arg)
{
	struct id_tx *t = arg;
	char now[TIME_SQL_LEN], day[TIME_SQL_LEN];
	struct db_rows r;
	int64_t id;
	uint64_t changed = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	day_start(now_ms(), day);
	if ((e = store_mailbox_find(db, t->who->workspace_id, t->public_id, 1, day, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, MBX_COL_ID);
	db_rows_free(&r);
	if ((e = store_mailbox_set_status(db, id, MBX_DELETED, NULL, now, &changed)) != LC_OK ||
	    (e = store_campaign_mailboxes_drop(db, id)) != LC_OK ||
	    /* its held messages go back to the queue and find another way out when claimed */
	    (e = store_mailbox_release_held(db, id, now, &changed)) != LC_OK)
		return e;
	/* campaigns' mailboxIds changed: their cached answers must go */
	return data_changed_tx(db, t->who->workspace_id, 0);
}

lc_err
mailboxes_delete(struct core *core, const struct principal *who, const char *public_id)
{
	struct id_tx t = {who, public_id, NULL};

	return db_tx(core->db, delete_tx, &t);
}

static lc_err
resume_tx(struct db *db, void *arg)
{
	struct id_tx *t = arg;
	char now[TIME_SQL_LEN], day[TIME_SQL_LEN];
	struct db_rows r;
	int64_t id;
	unsigned status;
	uint64_t changed = 0, released = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	day_start(now_ms(), day);
	if ((e = store_mailbox_find(db, t->who->workspace_id, t->public_id, 1, day, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	id = db_i64(&r, 0, MBX_COL_ID);
	status = (unsigned)db_i64(&r, 0, MBX_COL_STATUS);
	db_rows_free(&r);
	if (status != MBX_PAUSED) {
		t->fail->code = "already_active";
		t->fail->detail = "This mailbox is not paused.";
		return LC_ECONFLICT;
	}
	if ((e = store_mailbox_set_status(db, id, MBX_ACTIVE, NULL, now, &changed)) != LC_OK)
		return e;
	return store_mailbox_release_held(db, id, now, &released);
}

lc_err
mailboxes_resume(
    struct core *core, const struct principal *who, const char *public_id, struct core_fail *fail)
{
	struct id_tx t = {who, public_id, fail};

	return db_tx(core->db, resume_tx, &t);
}

lc_err
mailboxes_resolve_tx(struct db *db, int64_t workspace_id, const char *const *ids, size_t n,
    int64_t *out, struct core_fail *fail)
{
	/* fail->param must outlive this call: the thread's own buffer, until its next call */
	static _Thread_local char param[32];
	char day[TIME_SQL_LEN];
	struct db_rows r;
	size_t i, j;
	lc_err e;

	if (n > MAILBOXES_MAX_PER_WORKSPACE)
		return bad(fail, "mailboxIds", "mailboxIds names at most 100 mailboxes.");
	day_start(now_ms(), day);
	for (i = 0; i < n; i++) {
		snprintf(param, sizeof(param), "mailboxIds[%zu]", i);
		for (j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				return bad(fail, param, "mailboxIds names a mailbox twice.");
		if ((e = store_mailbox_find(db, workspace_id, ids[i], 0, day, &r)) != LC_OK)
			return e;
		if (r.nrows != 1) {
			db_rows_free(&r);
			return bad(fail, param, "No such mailbox in this workspace.");
		}
		out[i] = db_i64(&r, 0, MBX_COL_ID);
		db_rows_free(&r);
	}
	return LC_OK;
}

lc_err
campaign_mailboxes_set_tx(struct db *db, int64_t workspace_id, int64_t campaign_id,
    const char *const *ids, size_t n, struct core_fail *fail)
{
	int64_t internal[MAILBOXES_MAX_PER_WORKSPACE];
	lc_err e;

	if ((e = mailboxes_resolve_tx(db, workspace_id, ids, n, internal, fail)) != LC_OK ||
	    (e = store_campaign_mailboxes_set(db, campaign_id, internal, n)) != LC_OK)
		return e;
	return data_changed_tx(db, workspace_id, 0);
}

static lc_err
links_tx(struct db *db, void *arg)
{
	struct links_tx *t = arg;
	struct db_rows r;
	int64_t cid;
	lc_err e;

	if ((e = store_campaign_get(db, t->who->workspace_id, t->campaign_public_id, &r)) != LC_OK)
		return e;
	cid = r.nrows == 1 ? db_i64(&r, 0, CMP_COL_ID) : 0;
	db_rows_free(&r);
	if (cid == 0) {
		t->fail->code = "campaign_not_found";
		return LC_ENOTFOUND;
	}
	return campaign_mailboxes_set_tx(db, t->who->workspace_id, cid, t->ids, t->n, t->fail);
}

lc_err
campaign_mailboxes_set(struct core *core, const struct principal *who,
    const char *campaign_public_id, const char *const *ids, size_t n, struct core_fail *fail)
{
	struct links_tx t = {who, campaign_public_id, ids, n, fail};

	return db_tx(core->db, links_tx, &t);
}

static void
id_from_row(const struct db_rows *rows, size_t i, void *item)
{
	*(const char **)item = db_str(rows, i, 0);
}

lc_err
campaign_mailboxes_get(struct core *core, int64_t campaign_id, struct page *ids)
{
	static const struct page_spec spec = {sizeof(const char *), id_from_row, 0, 0};
	lc_err e;

	memset(ids, 0, sizeof(*ids));
	if ((e = store_campaign_mailboxes_get(core->db, campaign_id, &ids->rows)) != LC_OK ||
	    (e = page_build(ids, (unsigned)ids->rows.nrows, &spec)) != LC_OK)
		page_free(ids);
	return e;
}
