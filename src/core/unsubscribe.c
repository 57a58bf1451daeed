/* unsubscribe.c: one-click unsubscribe (RFC 8058). The token in List-Unsubscribe names
 * one message; using it suppresses that recipient in the message's workspace (and its
 * domain, per the workspace policy: suppressions.h), which the worker checks again when it
 * claims any later message. */
#include <stdio.h>
#include <string.h>

#include "core/sending.h"
#include "core/suppressions.h"
#include "db/store_outbox.h"
#include "util/timefmt.h"

struct unsub_ctx {
	const char *token;
	struct unsub_view *view;
};

static lc_err load(struct db *, const char *, struct unsub_view *, struct db_rows *);
static lc_err apply_tx(struct db *, void *);

static lc_err
load(struct db *db, const char *token, struct unsub_view *v, struct db_rows *r)
{
	lc_err e;

	memset(v, 0, sizeof(*v));
	if (!id_has_shape("", token, strlen(token)) || strlen(token) != ID_RANDOM_CHARS)
		return LC_ENOTFOUND;
	if ((e = store_msg_by_token(db, token, r)) != LC_OK)
		return e;
	if (r->nrows != 1) {
		db_rows_free(r);
		return LC_ENOTFOUND;
	}
	snprintf(v->email, sizeof(v->email), "%s", db_str(r, 0, TOK_COL_TO));
	snprintf(v->sender, sizeof(v->sender), "%s", db_str(r, 0, TOK_COL_FROM));
	v->already = db_i64(r, 0, TOK_COL_SUPPRESSED) > 0;
	return LC_OK;
}

lc_err
unsubscribe_lookup(struct core *core, const char *token, struct unsub_view *view)
{
	struct db_rows r;
	lc_err e;

	if ((e = load(core->db, token, view, &r)) != LC_OK)
		return e;
	db_rows_free(&r);
	return LC_OK;
}

static lc_err
apply_tx(struct db *db, void *arg)
{
	struct unsub_ctx *ctx = arg;
	char now[TIME_SQL_LEN];
	struct event_in ev;
	struct db_rows r;
	lc_err e;

	if ((e = load(db, ctx->token, ctx->view, &r)) != LC_OK)
		return e;
	if (!ctx->view->already) {
		sqltime_format(now_ms(), now);
		memset(&ev, 0, sizeof(ev));
		ev.type = EV_UNSUBSCRIBED;
		ev.workspace_id = db_i64(&r, 0, TOK_COL_WORKSPACE);
		ev.campaign_id = db_i64(&r, 0, TOK_COL_CAMPAIGN);
		ev.relationship_id = db_i64(&r, 0, TOK_COL_RELATIONSHIP);
		ev.message_id = db_str(&r, 0, TOK_COL_PUBLIC);
		ev.at_ms = now_ms();
		if ((e = suppression_unsubscribe_tx(
		         db, ev.workspace_id, ctx->view->email, "unsubscribe_link", now)) == LC_OK)
			e = events_record(db, &ev, NULL);
	}
	db_rows_free(&r);
	return e;
}

lc_err
unsubscribe_apply(struct core *core, const char *token, struct unsub_view *view)
{
	struct unsub_ctx ctx = {token, view};

	return db_tx(core->db, apply_tx, &ctx);
}
