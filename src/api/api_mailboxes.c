/* api_mailboxes.c: /v1/mailboxes (SPEC §6a, docs/mailboxes.md) — create, list, get,
 * update, delete, resume and the connection test — and the mailboxes of a campaign
 * (mailboxIds on PATCH /v1/link-building/campaign/{id}). A password goes in and never
 * comes out: answers say passwordSet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mailbox.h"
#include "core/pacing.h"
#include "core/mailbox_imap.h"

static json_t *mailbox_json(const struct mailbox_view *);
static void answer_test(struct http_ctx *, const char *, int, int, const char *);
static int parse_pacing(struct http_ctx *, json_t *, struct mailbox_in *);
static int bad_field(struct http_ctx *, const char *, const char *);
static json_t *window_json(const struct mailbox_view *);

static int
bad_field(struct http_ctx *ctx, const char *param, const char *detail)
{
	http_problem(ctx->req, 422, "validation_failed", detail, param, NULL, NULL);
	return -1;
}

/* parse_pacing reads window, warmup, minGapSeconds and jitterSeconds (docs/mailboxes.md,
 * "Pacing"); -1 after answering 422. The ranges are checked by the core. */
static int
parse_pacing(struct http_ctx *ctx, json_t *doc, struct mailbox_in *in)
{
	static const char *const window_keys[] = {"days", "start", "end", "timeZone", NULL};
	static const char *const warmup_keys[] = {"start", "increment", NULL};
	const char *start = NULL, *end = NULL;
	json_t *w, *days, *day;
	long long v;
	size_t i;
	int r, bit;

	if ((r = api_get_int(
	         ctx, doc, "minGapSeconds", 0, 0, PACING_GAP_MAX, &v, "minGapSeconds")) < 0)
		return -1;
	if (r == 1)
		in->gap_s = (long)v;
	if ((r = api_get_int(
	         ctx, doc, "jitterSeconds", 0, 0, PACING_GAP_MAX, &v, "jitterSeconds")) < 0)
		return -1;
	if (r == 1)
		in->jitter_s = (long)v;
	if ((w = json_object_get(doc, "warmup")) != NULL) {
		if (json_is_null(w)) {
			in->warmup_start = in->warmup_step = 0;
		} else if (!json_is_object(w)) {
			return bad_field(ctx, "warmup",
			    "warmup is null or an object: {\"start\": N, \"increment\": K}.");
		} else {
			if (api_only_keys(ctx, w, warmup_keys, "warmup") != 0 ||
			    (r = api_get_int(ctx, w, "start", 1, 1, MAILBOX_DAILY_CAP_MAX, &v,
			         "warmup.start")) < 0)
				return -1;
			in->warmup_start = (long)v;
			if ((r = api_get_int(ctx, w, "increment", 1, 0, MAILBOX_DAILY_CAP_MAX, &v,
			         "warmup.increment")) < 0)
				return -1;
			in->warmup_step = (long)v;
		}
	}
	if ((w = json_object_get(doc, "window")) == NULL)
		return 0;
	if (!json_is_object(w))
		return bad_field(
		    ctx, "window", "window is an object: days, start, end (HH:MM) and timeZone.");
	if (api_only_keys(ctx, w, window_keys, "window") != 0 ||
	    api_get_str(ctx, w, "start", 0, &start, "window.start") != 0 ||
	    api_get_str(ctx, w, "end", 0, &end, "window.end") != 0 ||
	    api_get_str(ctx, w, "timeZone", 0, &in->time_zone, "window.timeZone") != 0)
		return -1;
	if (start && (in->start_min = pacing_hhmm_parse(start)) < 0)
		return bad_field(ctx, "window.start", "window.start is a time of day, HH:MM.");
	if (end && (in->end_min = pacing_hhmm_parse(end)) < 0)
		return bad_field(
		    ctx, "window.end", "window.end is a time of day, HH:MM (24:00 allowed).");
	if ((days = json_object_get(doc, "window") ? json_object_get(w, "days") : NULL) == NULL)
		return 0;
	if (!json_is_array(days) || json_array_size(days) == 0 || json_array_size(days) > 7)
		return bad_field(ctx, "window.days",
		    "window.days is a list of 1 to 7 days: mon, tue, wed, thu, fri, sat, sun.");
	in->days = 0;
	json_array_foreach(days, i, day)
	{
		if (!json_is_string(day) ||
		    (bit = pacing_day_from_name(json_string_value(day))) < 0 ||
		    (in->days & (1L << bit)) != 0)
			return bad_field(ctx, "window.days",
			    "window.days names each of mon, tue, wed, thu, fri, sat, sun at most "
			    "once.");
		in->days |= 1L << bit;
	}
	return 0;
}

/* window_json is a mailbox's window as the API shows it. */
static json_t *
window_json(const struct mailbox_view *v)
{
	char start[6], end[6];
	json_t *days = json_array();
	unsigned i;

	for (i = 0; days && i < 7; i++)
		if (v->days & (1u << i))
			json_array_append_new(days, json_string(pacing_day_name(i)));
	pacing_hhmm_format(v->start_min, start);
	pacing_hhmm_format(v->end_min, end);
	return json_pack("{s:o,s:s,s:s,s:s}", "days", days ? days : json_null(), "start", start,
	    "end", end, "timeZone", v->time_zone ? v->time_zone : "UTC");
}
static int parse_in(struct http_ctx *, json_t *, int, struct mailbox_in *, struct imap_in *);
static void answer_mailbox(struct http_ctx *, lc_err, const struct core_fail *);
static void send_mailbox(struct http_ctx *, int, const struct mailbox_view *);

static json_t *
mailbox_json(const struct mailbox_view *v)
{
	json_t *o =
	    json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:I,s:s,s:s,s:b},s:I,s:I,s:s,s:o,s:o,s:o,s:o}", "id",
	        v->public_id, "fromName", v->from_name ? v->from_name : "", "fromAddress",
	        v->from_address, "replyTo", api_str_or_null(v->reply_to), "smtp", "host", v->host,
	        "port", (json_int_t)v->port, "security", mailbox_security_name(v->security),
	        "username", v->username, "passwordSet", v->password_set, "dailyCap",
	        (json_int_t)v->daily_cap, "sentToday", (json_int_t)v->sent_today, "status",
	        v->status == MBX_PAUSED ? "paused" : "active", "pausedReason",
	        api_str_or_null(v->status == MBX_PAUSED ? v->paused_reason : NULL), "pausedAt",
	        api_time_or_null(v->status == MBX_PAUSED ? v->paused_ms : -1), "createdAt",
	        api_time_or_null(v->created_ms), "updatedAt", api_time_or_null(v->updated_ms));

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "window", window_json(v));
	json_object_set_new(o, "warmup",
	    v->warmup_start == 0 ? json_null()
	                         : json_pack("{s:I,s:I}", "start", (json_int_t)v->warmup_start,
	                               "increment", (json_int_t)v->warmup_step));
	json_object_set_new(o, "minGapSeconds", json_integer(v->gap_s));
	json_object_set_new(o, "jitterSeconds", json_integer(v->jitter_s));
	json_object_set_new(o, "capToday", json_integer(v->cap_today));
	json_object_set_new(o, "nextSendAt", api_time_or_null(v->next_send_ms));
	if (o != NULL)
		json_object_set_new(o, "plusReplyTo", json_boolean(v->plus_reply_to));
	return o;
}

/* send_mailbox answers status with v and its IMAP (api_mailbox_imap.c). */
static void
send_mailbox(struct http_ctx *ctx, int status, const struct mailbox_view *v)
{
	json_t *doc = api_imap_one(ctx, mailbox_json(v), v->id);

	if (doc == NULL) {
		api_fail(ctx, LC_EDB, "mailbox_not_found");
		return;
	}
	http_send_json(ctx->req, status, doc, NULL);
}

/* parse_in reads a mailbox body into in and its "imap" into imap (strings borrowed from
 * doc); -1 after answering 422. create: the required fields must be there. */
static int
parse_in(struct http_ctx *ctx, json_t *doc, int create, struct mailbox_in *in, struct imap_in *imap)
{
	static const char *const keys[] = {"fromName", "fromAddress", "replyTo", "dailyCap", "smtp",
	    "window", "warmup", "minGapSeconds", "jitterSeconds", "imap", "plusReplyTo", NULL};
	static const char *const smtp_keys[] = {
	    "host", "port", "security", "username", "password", NULL};
	const char *security = NULL;
	long long v;
	json_t *smtp, *rt;
	int r, imap_given;

	mailbox_in_init(in);
	if (api_imap_parse(ctx, doc, imap, &imap_given) != 0)
		return -1;
	in->imap = imap_given ? imap : NULL;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "fromName", 0, &in->from_name, "fromName") != 0 ||
	    api_get_str(ctx, doc, "fromAddress", create, &in->from_address, "fromAddress") != 0)
		return -1;
	if ((rt = json_object_get(doc, "replyTo")) != NULL) {
		in->reply_to_given = 1;
		if (!json_is_null(rt) &&
		    api_get_str(ctx, doc, "replyTo", 0, &in->reply_to, "replyTo") != 0)
			return -1;
	}
	if ((rt = json_object_get(doc, "plusReplyTo")) != NULL) {
		/* issue 16: replies come back to local+<reply token>@domain */
		if (!json_is_boolean(rt)) {
			http_problem(ctx->req, 422, "validation_failed",
			    "plusReplyTo is true or false.", "plusReplyTo", NULL, NULL);
			return -1;
		}
		in->plus_reply_to = json_is_true(rt);
	}
	if ((r = api_get_int(ctx, doc, "dailyCap", 0, 1, MAILBOX_DAILY_CAP_MAX, &v, "dailyCap")) <
	    0)
		return -1;
	if (r == 1)
		in->daily_cap = (long)v;
	if (parse_pacing(ctx, doc, in) != 0)
		return -1;
	smtp = json_object_get(doc, "smtp");
	if (smtp == NULL && !create)
		return 0;
	if (!json_is_object(smtp)) {
		http_problem(ctx->req, 422, "validation_failed",
		    "smtp is an object: host, port, security, username, password.", "smtp", NULL,
		    NULL);
		return -1;
	}
	if (api_only_keys(ctx, smtp, smtp_keys, "smtp") != 0 ||
	    api_get_str(ctx, smtp, "host", create, &in->host, "smtp.host") != 0 ||
	    api_get_str(ctx, smtp, "username", create, &in->username, "smtp.username") != 0 ||
	    api_get_str(ctx, smtp, "password", create, &in->password, "smtp.password") != 0 ||
	    api_get_str(ctx, smtp, "security", 0, &security, "smtp.security") != 0 ||
	    (r = api_get_int(ctx, smtp, "port", 0, 1, 65535, &v, "smtp.port")) < 0)
		return -1;
	if (r == 1)
		in->port = (long)v;
	if (security && (in->security = mailbox_security_from_name(security)) < 0) {
		http_problem(ctx->req, 422, "validation_failed",
		    "smtp.security is one of tls (implicit TLS), starttls, plain.", "smtp.security",
		    NULL, NULL);
		return -1;
	}
	return 0;
}

/* write_mailbox creates a mailbox (id NULL: 201) or updates the one id names (200; 404 when
 * there is none): the same body, read by parse_in, and the same answer. */
static void
write_mailbox(struct http_ctx *ctx, const char *id)
{
	struct mailbox_in in;
	struct imap_in imap;
	struct page v;
	struct core_fail fail;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (parse_in(ctx, doc, id == NULL, &in, &imap) != 0)
		goto out;
	memset(&fail, 0, sizeof(fail));
	e = id ? mailboxes_update(ctx->core, &ctx->who, id, &in, &v, &fail)
	       : mailboxes_create(ctx->core, &ctx->who, &in, &v, &fail);
	if (e == LC_ENOTFOUND && id)
		api_fail(ctx, e, "mailbox_not_found");
	else if (e != LC_OK)
		api_fail_core(ctx, e, &fail);
	else
		send_mailbox(ctx, id ? 200 : 201, v.items);
	page_free(&v); /* the core's to fill, ours to free in any case */
out:
	json_decref(doc); /* the only copy of the password the front had */
}

void
api_mailbox_create(void *arg)
{
	write_mailbox(arg, NULL);
}

void
api_mailbox_list(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page l, imap;
	const struct mailbox_view *items;
	struct imap_view iv;
	json_t *data, *item;
	size_t i;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	memset(&imap, 0, sizeof(imap));
	if ((e = mailboxes_list(ctx->core, &ctx->who, &l)) != LC_OK ||
	    (e = mailbox_imap_list(ctx->core, ctx->who.workspace_id, &imap)) != LC_OK) {
		page_free(&imap);
		page_free(&l);
		api_fail(ctx, e, "mailbox_not_found");
		return;
	}
	items = l.items;
	data = json_array();
	for (i = 0; data && i < l.n; i++) {
		item = mailbox_json(&items[i]);
		api_imap_decorate(item, &iv, mailbox_imap_find(&imap, items[i].id, &iv));
		json_array_append_new(data, item);
	}
	page_free(&imap);
	api_send_whole_list(ctx, data, l.n);
	page_free(&l);
}

void
api_mailbox_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct page v;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = mailboxes_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		api_fail(ctx, e, "mailbox_not_found");
		return;
	}
	send_mailbox(ctx, 200, v.items);
	page_free(&v);
}

void
api_mailbox_update(void *arg)
{
	struct http_ctx *ctx = arg;

	write_mailbox(ctx, ctx->match.captures[0]);
}

void
api_mailbox_delete(void *arg)
{
	api_delete_one(arg, mailboxes_delete, "mailbox_not_found");
}

/* answer_mailbox answers a change to the mailbox the path names, e being the change's result:
 * 404 mailbox_not_found, the core's failure, or 200 with the mailbox as it is now. */
static void
answer_mailbox(struct http_ctx *ctx, lc_err e, const struct core_fail *fail)
{
	struct page v;

	if (e == LC_ENOTFOUND)
		api_fail(ctx, e, "mailbox_not_found");
	else if (e != LC_OK)
		api_fail_core(ctx, e, fail);
	else if ((e = mailboxes_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK)
		api_fail(ctx, e, "mailbox_not_found");
	else {
		send_mailbox(ctx, 200, v.items);
		page_free(&v);
	}
}

void
api_mailbox_resume(void *arg)
{
	struct http_ctx *ctx = arg;
	struct core_fail fail;

	if (api_read_no_fields(ctx) != 0)
		return;
	memset(&fail, 0, sizeof(fail));
	answer_mailbox(
	    ctx, mailboxes_resume(ctx->core, &ctx->who, ctx->match.captures[0], &fail), &fail);
}

void
api_mailbox_pause(void *arg)
{
	static const char *const keys[] = {"reason", NULL};
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	const char *reason = NULL;
	json_t *doc;
	lc_err e;

	if ((doc = api_read_json(ctx, 1)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_get_str(ctx, doc, "reason", 0, &reason, "reason") != 0) {
		json_decref(doc);
		return;
	}
	memset(&fail, 0, sizeof(fail));
	e = mailboxes_pause(ctx->core, &ctx->who, ctx->match.captures[0], "an API key",
	    reason && reason[0] ? reason : NULL, &fail);
	json_decref(doc);
	answer_mailbox(ctx, e, &fail);
}

/* answer_test answers a test's state: 200 with its steps when done, else 202. */
static void
answer_test(struct http_ctx *ctx, const char *test_id, int done, int ok, const char *result)
{
	json_error_t jerr;
	json_t *steps = NULL, *doc;

	if (done && (doc = json_loads(result, 0, &jerr)) != NULL) {
		steps = json_incref(json_object_get(doc, "steps"));
		json_decref(doc);
	}
	if (!done) {
		http_send_json(ctx->req, 202,
		    json_pack("{s:s,s:s,s:s}", "id", test_id, "mailboxId", ctx->match.captures[0],
		        "status", "running"),
		    NULL);
		return;
	}
	http_send_json(ctx->req, 200,
	    json_pack("{s:s,s:s,s:s,s:b,s:o}", "id", test_id, "mailboxId", ctx->match.captures[0],
	        "status", "done", "ok", ok, "steps", steps ? steps : json_array()),
	    NULL);
}

void
api_mailbox_test(void *arg)
{
	struct http_ctx *ctx = arg;
	char test_id[ID_MAX], headers[sizeof(ctx->match.captures[0]) + ID_MAX + 80];
	lc_err e;

	if (api_read_no_fields(ctx) != 0)
		return;
	if ((e = mailbox_test_queue(ctx->core, &ctx->who, ctx->match.captures[0], test_id)) !=
	    LC_OK) {
		api_fail(ctx, e, "mailbox_not_found");
		return;
	}
	/* a worker runs it (this process never talks SMTP nor decrypts a password); the
	 * answer comes at once, so no FastCGI thread waits on a remote server: the client
	 * polls the Location */
	snprintf(headers, sizeof(headers),
	    "Location: /v1/mailboxes/%s/tests/%s\r\nRetry-After: 1\r\n", ctx->match.captures[0],
	    test_id);
	http_send_json(ctx->req, 202,
	    json_pack("{s:s,s:s,s:s}", "id", test_id, "mailboxId", ctx->match.captures[0], "status",
	        "running"),
	    headers);
}

void
api_mailbox_test_get(void *arg)
{
	struct http_ctx *ctx = arg;
	char *result = NULL;
	int done = 0, ok = 0;
	lc_err e;

	if (api_no_params(ctx) != 0)
		return;
	if ((e = mailbox_test_result(
	         ctx->core, &ctx->who, ctx->match.captures[1], &done, &ok, &result)) != LC_OK) {
		api_fail(ctx, e, "mailbox_test_not_found");
		return;
	}
	answer_test(ctx, ctx->match.captures[1], done, ok, result);
	free(result);
}

/* api_mailbox_ids reads mailboxIds of doc (absent: *n = 0 and 0; else a list of strings)
 * into ids (borrowed from doc, at most max); -1 after answering 422. */
int
api_mailbox_ids(struct http_ctx *ctx, json_t *doc, const char **ids, size_t max, size_t *n)
{
	json_t *list = json_object_get(doc, "mailboxIds"), *item;
	size_t i;

	*n = 0;
	if (list == NULL)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > max) {
		http_problem(ctx->req, 422, "validation_failed",
		    "mailboxIds is a list of at most 100 mailbox ids.", "mailboxIds", NULL, NULL);
		return -1;
	}
	json_array_foreach(list, i, item)
	{
		if ((ids[i] = json_string_value(item)) == NULL) {
			http_problem(ctx->req, 422, "validation_failed",
			    "Each mailbox id is a string.", "mailboxIds", NULL, NULL);
			return -1;
		}
	}
	*n = json_array_size(list);
	return 0;
}

/* api_campaign_mailboxes adds "mailboxIds" to a campaign's JSON (id: its internal id). */
void
api_campaign_mailboxes(struct http_ctx *ctx, json_t *campaign, int64_t id)
{
	struct page ids;
	json_t *a = json_array();
	size_t i;

	if (a && campaign_mailboxes_get(ctx->core, id, &ids) == LC_OK) {
		for (i = 0; i < ids.n; i++)
			json_array_append_new(a, json_string(((const char *const *)ids.items)[i]));
		page_free(&ids);
	}
	json_object_set_new(campaign, "mailboxIds", a ? a : json_array());
}

void
api_campaign_patch(void *arg)
{
	static const char *const keys[] = {"mailboxIds", NULL};
	const char *ids[MAILBOXES_MAX_PER_WORKSPACE];
	struct http_ctx *ctx = arg;
	struct core_fail fail;
	struct page v;
	const struct campaign *c;
	json_t *doc, *out;
	size_t n = 0;
	lc_err e;

	if ((doc = api_read_json(ctx, 0)) == NULL)
		return;
	if (api_only_keys(ctx, doc, keys, NULL) != 0 ||
	    api_mailbox_ids(ctx, doc, ids, MAILBOXES_MAX_PER_WORKSPACE, &n) != 0)
		goto out;
	if (json_object_get(doc, "mailboxIds") != NULL) {
		memset(&fail, 0, sizeof(fail));
		if ((e = campaign_mailboxes_set(
		         ctx->core, &ctx->who, ctx->match.captures[0], ids, n, &fail)) != LC_OK) {
			api_fail_core(ctx, e, &fail);
			goto out;
		}
	}
	if ((e = campaigns_get(ctx->core, &ctx->who, ctx->match.captures[0], &v)) != LC_OK) {
		api_fail(ctx, e, "campaign_not_found");
		goto out;
	}
	c = v.items;
	out = api_campaign_json(c);
	if (out)
		api_campaign_mailboxes(ctx, out, c->id);
	http_send_json(ctx->req, 200, out, NULL);
	page_free(&v);
out:
	json_decref(doc);
}
