/* mailbox_route.c: which mailbox a message leaves from, decided by the worker when it
 * first claims the message (docs/mailboxes.md, "Rotation"), and the pause of a mailbox
 * whose server refused our AUTH.
 *
 * Routing happens at claim time, inside the claim's transaction, because that is when a
 * send really happens: "capacity left today" is the mailbox's daily cap minus the messages
 * routed to it since midnight UTC, and a message routed in this transaction is already
 * counted for the next one. A thread (a relationship) keeps the mailbox of its first
 * email: follow-ups, auto-responses and responds go out from it too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"
#include "core/webhooks.h"
#include "db/store_mailboxes.h"
#include "util/timefmt.h"

static char *dup_or_null(const char *);
static lc_err route_to(struct db *, int64_t, const char *, struct mailbox_route *);

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* route_to fills out for mailbox id: ROUTE_MAILBOX, or ROUTE_HELD when it is paused;
 * ROUTE_RELAY with mailbox_id 0 when it was deleted meanwhile. */
static lc_err
route_to(struct db *db, int64_t id, const char *day, struct mailbox_route *out)
{
	struct db_rows r;
	lc_err e;

	if ((e = store_mailbox_by_id(db, id, day, &r)) != LC_OK)
		return e;
	if (r.nrows == 1 && db_i64(&r, 0, MBX_COL_STATUS) != MBX_DELETED) {
		out->mailbox_id = id;
		snprintf(out->mailbox_public, sizeof(out->mailbox_public), "%s",
		    db_str(&r, 0, MBX_COL_PUBLIC));
		if (db_i64(&r, 0, MBX_COL_STATUS) == MBX_PAUSED) {
			out->kind = ROUTE_HELD;
			snprintf(out->held_reason, sizeof(out->held_reason),
			    "mailbox %s is paused: %s", out->mailbox_public,
			    db_str(&r, 0, MBX_COL_PAUSED_REASON)
			        ? db_str(&r, 0, MBX_COL_PAUSED_REASON)
			        : "paused");
		} else {
			out->kind = ROUTE_MAILBOX;
		}
	}
	db_rows_free(&r);
	return LC_OK;
}

lc_err
mailbox_route_tx(struct db *db, const struct out_message *m, int64_t t, struct mailbox_route *out)
{
	char now[TIME_SQL_LEN], day[TIME_SQL_LEN];
	struct db_rows r;
	int64_t msg_mailbox, rel_mailbox, pick = 0;
	int has_mailboxes;
	lc_err e;

	memset(out, 0, sizeof(*out));
	out->kind = ROUTE_RELAY;
	sqltime_format(t, now);
	sqltime_format(t - t % (INT64_C(86400) * 1000), day);
	if ((e = store_route_info(db, m->id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	msg_mailbox = db_i64(&r, 0, RTI_COL_MSG_MAILBOX);
	rel_mailbox = db_i64(&r, 0, RTI_COL_REL_MAILBOX);
	has_mailboxes = db_i64(&r, 0, RTI_COL_HAS_MAILBOXES) != 0;
	db_rows_free(&r);

	/* a retry, or a message held while its mailbox was paused: the same mailbox */
	if (msg_mailbox != 0) {
		if ((e = route_to(db, msg_mailbox, day, out)) != LC_OK || out->mailbox_id != 0)
			return e;
	}
	/* the thread's mailbox */
	if (rel_mailbox != 0) {
		if ((e = route_to(db, rel_mailbox, day, out)) != LC_OK)
			return e;
		if (out->mailbox_id != 0)
			return msg_mailbox == rel_mailbox
			           ? LC_OK
			           : store_route_assign(
			                 db, m->id, m->relationship_id, rel_mailbox, 0, now);
	}
	if (!has_mailboxes)
		return LC_OK; /* the operator's relay, as before mailboxes existed */
	/* a new thread (or one whose mailbox was deleted): the most capacity left today */
	if ((e = store_route_pick(db, m->campaign_id, day, &r)) != LC_OK)
		return e;
	if (r.nrows == 1)
		pick = db_i64(&r, 0, 0);
	db_rows_free(&r);
	if (pick == 0)
		return LC_OK;
	if ((e = store_route_assign(db, m->id, m->relationship_id, pick, 1, now)) != LC_OK)
		return e;
	return route_to(db, pick, day, out);
}

lc_err
mailbox_send_load(struct core *core, int64_t id, struct mailbox_send *out)
{
	char day[TIME_SQL_LEN];
	struct db_rows r;
	size_t n;
	lc_err e;

	memset(out, 0, sizeof(*out));
	sqltime_format(now_ms(), day);
	if ((e = store_mailbox_by_id(core->db, id, day, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out->id = id;
	snprintf(out->public_id, sizeof(out->public_id), "%s", db_str(&r, 0, MBX_COL_PUBLIC));
	out->from_name = dup_or_null(db_str(&r, 0, MBX_COL_FROM_NAME));
	out->from_address = dup_or_null(db_str(&r, 0, MBX_COL_FROM_ADDRESS));
	out->reply_to = dup_or_null(db_str(&r, 0, MBX_COL_REPLY_TO));
	out->host = dup_or_null(db_str(&r, 0, MBX_COL_HOST));
	out->username = dup_or_null(db_str(&r, 0, MBX_COL_USERNAME));
	out->port = (unsigned)db_i64(&r, 0, MBX_COL_PORT);
	out->security = (unsigned)db_i64(&r, 0, MBX_COL_SECURITY);
	out->plus_reply_to = db_i64(&r, 0, MBX_COL_PLUS_REPLY_TO) != 0;
	n = db_len(&r, 0, MBX_COL_BOX);
	if ((out->box = malloc(n > 0 ? n : 1)) != NULL) {
		memcpy(out->box, db_str(&r, 0, MBX_COL_BOX), n);
		out->box_len = n;
	}
	db_rows_free(&r);
	if (!out->from_name || !out->from_address || !out->host || !out->username || !out->box) {
		mailbox_send_clear(out);
		return LC_ENOMEM;
	}
	return LC_OK;
}

void
mailbox_send_clear(struct mailbox_send *s)
{
	free(s->from_name);
	free(s->from_address);
	free(s->reply_to);
	free(s->host);
	free(s->username);
	free(s->box);
	memset(s, 0, sizeof(*s));
}

lc_err
mailbox_auth_failed_tx(struct db *db, int64_t mailbox_id, const char *reason, int64_t t)
{
	char now[TIME_SQL_LEN], why[MAILBOX_TEXT_MAX + 1];
	struct db_rows r;
	uint64_t changed = 0;
	int64_t ws;
	lc_err e;

	sqltime_format(t, now);
	snprintf(why, sizeof(why), "%s", reason && reason[0] ? reason : "AUTH refused");
	if ((e = store_mailbox_set_status(db, mailbox_id, MBX_PAUSED, why, now, &changed)) !=
	        LC_OK ||
	    changed == 0)
		return e; /* already paused (or deleted): its webhook went out the first time */
	if ((e = store_mailbox_by_id(db, mailbox_id, now, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	ws = db_i64(&r, 0, MBX_COL_WORKSPACE);
	e = webhooks_emit_mailbox_paused(db, ws, db_str(&r, 0, MBX_COL_PUBLIC), why, now);
	db_rows_free(&r);
	return e;
}
