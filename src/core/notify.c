/* notify.c: approver notifications. A notification may, rarely, go out twice (a worker
 * that dies after the relay accepted it is retried): it is a reminder, not outreach, so
 * it is not fenced like outbound mail. The link only shows the item; deciding is a POST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "core/sending.h"
#include "db/store_notify.h"
#include "util/buf.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define NOTIFY_MAX_ATTEMPTS 5
#define NOTIFY_EXCERPT 600

struct claim_ctx {
	struct core *core;
	unsigned lease_seconds, max;
	struct notify_job *jobs;
	size_t n;
};

static lc_err compose(
    struct core *, const struct db_rows *, const struct db_rows *, struct notify_job *);
static lc_err claim_tx(struct db *, void *);
static const char *kind_phrase(unsigned);

lc_err
notify_queue_tx(struct db *db, int64_t workspace_id, int64_t msg_id)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_notify_insert(db, workspace_id, msg_id, now);
}

/* kind_phrase names a message kind the way the notice's first sentence reads: "A
 * follow-up to ...", "A reply to ...", never the API's names (auto_response). */
static const char *
kind_phrase(unsigned kind)
{
	switch (kind) {
	case MSG_DRAFT: return "A draft";
	case MSG_RESPOND: return "A reply";
	case MSG_AUTO_RESPONSE: return "An automatic reply";
	case MSG_FOLLOW_UP: return "A follow-up";
	case MSG_SEND_EMAIL:
	default: return "An email";
	}
}

/* compose writes the subject, the text and the recipients of one notification. */
static lc_err
compose(struct core *core, const struct db_rows *r, const struct db_rows *approvers,
    struct notify_job *j)
{
	const char *body = db_str(r, 0, NT_COL_BODY), *subject = db_str(r, 0, NT_COL_SUBJECT);
	size_t blen = strlen(body), cut = utf8_prefix(body, NOTIFY_EXCERPT);
	size_t slen = strlen(subject), scut = utf8_prefix(subject, 120), i;
	struct buf t;
	lc_err e;

	buf_init(&t, 64 * 1024);
	if ((e = buf_printf(&t,
	         "%s to %s in campaign \"%s\" is waiting for your approval:\n\n"
	         "%s/app/w/%s/approvals/%s\n\n"
	         "Opening the link shows the message; nothing is approved or rejected until you "
	         "press a button there.\n\nSubject: %s\n\n%.*s%s\n",
	         kind_phrase((unsigned)db_i64(r, 0, NT_COL_KIND)), db_str(r, 0, NT_COL_TO),
	         db_str(r, 0, NT_COL_CAMPAIGN), core->public_url, db_str(r, 0, NT_COL_WS_PUBLIC),
	         db_str(r, 0, NT_COL_MSG_PUBLIC), subject, (int)cut, body,
	         cut < blen ? "\n[…]" : "")) != LC_OK) {
		buf_free(&t);
		return e;
	}
	j->text = t.data;
	if ((j->subject = malloc(160)) == NULL)
		return LC_ENOMEM;
	snprintf(
	    j->subject, 160, "Approval needed: %.*s%s", (int)scut, subject, scut < slen ? "…" : "");
	if ((j->rcpts = calloc(approvers->nrows, sizeof(*j->rcpts))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < approvers->nrows; i++) {
		if ((j->rcpts[i] = strdup(db_str(approvers, i, 0))) == NULL)
			return LC_ENOMEM;
		j->nrcpts++;
	}
	return LC_OK;
}

static lc_err
claim_tx(struct db *db, void *arg)
{
	struct claim_ctx *ctx = arg;
	char now[TIME_SQL_LEN], lease[TIME_SQL_LEN];
	struct db_rows ids, r, approvers;
	size_t i;
	lc_err e;

	notify_jobs_free(ctx->jobs, ctx->n);
	ctx->jobs = NULL;
	ctx->n = 0;
	sqltime_format(now_ms(), now);
	sqltime_format(now_ms() + (int64_t)ctx->lease_seconds * 1000, lease);
	if ((e = store_notify_due(db, now, ctx->max, &ids)) != LC_OK)
		return e;
	if (ids.nrows > 0 && (ctx->jobs = calloc(ids.nrows, sizeof(*ctx->jobs))) == NULL) {
		db_rows_free(&ids);
		return LC_ENOMEM;
	}
	for (i = 0; i < ids.nrows && e == LC_OK; i++) {
		int64_t id = db_i64(&ids, i, 0);

		if ((e = store_notify_get(db, id, &r)) != LC_OK)
			break;
		if (r.nrows != 1 || db_i64(&r, 0, NT_COL_MSG_STATUS) != MS_AWAITING_APPROVAL) {
			/* decided (or gone) before anyone had to be told */
			e = store_notify_done(db, id, 2, NULL, "no longer waiting", now);
			db_rows_free(&r);
			continue;
		}
		if ((e = store_notify_approvers(db, db_i64(&r, 0, NT_COL_WS), &approvers)) !=
		    LC_OK) {
			db_rows_free(&r);
			break;
		}
		if (approvers.nrows == 0) {
			e = store_notify_done(
			    db, id, 4, NULL, "the workspace has no approvers", now);
		} else if ((e = store_notify_claim(db, id, lease)) == LC_OK) {
			struct notify_job *j = &ctx->jobs[ctx->n++];
			j->id = id;
			j->attempts = (unsigned)db_i64(&r, 0, NT_COL_ATTEMPTS) + 1;
			e = compose(ctx->core, &r, &approvers, j);
		}
		db_rows_free(&approvers);
		db_rows_free(&r);
	}
	db_rows_free(&ids);
	return e;
}

lc_err
notify_claim(
    struct core *core, unsigned lease_seconds, unsigned max, struct notify_job **jobs, size_t *n)
{
	struct claim_ctx ctx = {core, lease_seconds, max, NULL, 0};
	lc_err e;

	*jobs = NULL;
	*n = 0;
	if ((e = db_tx(core->db, claim_tx, &ctx)) != LC_OK) {
		notify_jobs_free(ctx.jobs, ctx.n);
		return e;
	}
	*jobs = ctx.jobs;
	*n = ctx.n;
	return LC_OK;
}

void
notify_jobs_free(struct notify_job *jobs, size_t n)
{
	size_t i, k;

	for (i = 0; jobs && i < n; i++) {
		for (k = 0; k < jobs[i].nrcpts; k++)
			free(jobs[i].rcpts[k]);
		free(jobs[i].rcpts);
		free(jobs[i].subject);
		free(jobs[i].text);
	}
	free(jobs);
}

lc_err
notify_done(struct core *core, const struct notify_job *job, int delivered, const char *error)
{
	char now[TIME_SQL_LEN], due[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	if (delivered)
		return store_notify_done(core->db, job->id, 2, NULL, NULL, now);
	if (job->attempts >= NOTIFY_MAX_ATTEMPTS)
		return store_notify_done(core->db, job->id, 3, NULL, error, now);
	sqltime_format(now_ms() + (int64_t)job->attempts * 5 * 60 * 1000, due);
	return store_notify_done(core->db, job->id, 0, due, error, now);
}

lc_err
notify_reap(struct core *core)
{
	char now[TIME_SQL_LEN];

	sqltime_format(now_ms(), now);
	return store_notify_reap(core->db, now);
}
