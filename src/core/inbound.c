/* inbound.c: storing, matching and classifying received mail, and what a reply sets off.
 * Matching prefers threading (a DSN's returned Message-ID, In-Reply-To, then References
 * newest first) and falls back to the sender's address among the workspace's prospects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "core/dsn_bounce.h"
#include "core/inbound.h"
#include "core/placements.h"
#include "core/reply_token.h"
#include "core/suppressions.h"
#include "db/store_outbox.h"
#include "db/store_sending.h"
#include "db/store_inbound.h"
#include "mail/mime.h"
#include "util/log.h"
#include "util/timefmt.h"

/* The outbound message an inbound one matched by its threading headers. */
struct thread_match {
	int64_t id;
	char public_id[ID_MAX];
	char message_id[256]; /* its Message-ID header (outbound_messages.message_id_header) */
};

struct ingest_ctx {
	const struct principal *who;
	const struct mime_parsed *mp;
	const char *raw;
	size_t len;
	struct inbound_result *out;
	int allow_http; /* links in replies become placements under the API's rule */
};

static const char *const class_names[] = {
    "reply", "auto_reply", "bounce", "unsubscribe", "delayed"};
static const char *const match_names[] = {"none", "thread", "sender", "domain", "manual", "token"};

static void dedupe_key(int64_t, const struct mime_parsed *, const char *, size_t, char *, size_t);
static lc_err match_thread(struct db *, const struct mime_parsed *, int64_t *, int64_t *, int64_t *,
    struct thread_match *);
static lc_err match_token(struct db *, const struct mime_parsed *, int64_t *, int64_t *, int64_t *,
    struct thread_match *);
static lc_err match_domain(
    struct db *, int64_t, const struct mime_parsed *, int64_t *, int64_t *, unsigned *);
static lc_err cancel_rows(struct db *, struct db_rows *, const char *);
static lc_err queue_auto_response(
    struct db *, int64_t, int64_t, int64_t, int64_t, const struct mime_parsed *, const char *);
static lc_err ingest_tx(struct db *, void *);

const char *
inbound_class_name(unsigned klass)
{
	return klass < IN_NCLASSES ? class_names[klass] : "reply";
}

int
inbound_class_from_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < IN_NCLASSES; i++)
		if (strlen(class_names[i]) == len && memcmp(class_names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *
inbound_match_name(unsigned method)
{
	return method < MATCH_N ? match_names[method] : "none";
}

/* dedupe_key: the Message-ID within the workspace, or a hash of the bytes without one. */
static void
dedupe_key(
    int64_t ws, const struct mime_parsed *mp, const char *raw, size_t len, char *out, size_t outlen)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	if (mp->message_id && strlen(mp->message_id) <= 200) {
		snprintf(out, outlen, "%lld:%s", (long long)ws, mp->message_id);
		return;
	}
	crypto_hash_sha256(h, (const unsigned char *)raw, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, outlen, "%lld:sha256:%s", (long long)ws, hex);
}

/* match_thread finds our outbound message this mail refers to. *ws may be preset (API);
 * then only that workspace's messages count. out->id stays 0 when none matched. */
static lc_err
match_thread(struct db *db, const struct mime_parsed *mp, int64_t *ws, int64_t *campaign,
    int64_t *rel, struct thread_match *out)
{
	const char *ids[64];
	char *refs = NULL, *save = NULL, *tok;
	size_t n = 0, i;
	struct db_rows r;
	lc_err e = LC_OK;

	if (mp->bounce_original_message_id)
		ids[n++] = mp->bounce_original_message_id;
	if (mp->in_reply_to)
		ids[n++] = mp->in_reply_to;
	if (mp->references && (refs = strdup(mp->references)) != NULL) {
		const char *list[60];
		size_t k = 0;
		for (tok = strtok_r(refs, " \t", &save); tok && k < 60;
		     tok = strtok_r(NULL, " \t", &save))
			list[k++] = tok;
		while (k > 0 && n < 64)
			ids[n++] = list[--k]; /* newest reference first */
	}
	for (i = 0; i < n; i++) {
		if ((e = store_outbound_by_msgid(db, ids[i], &r)) != LC_OK)
			break;
		if (r.nrows == 1 && (*ws == 0 || db_i64(&r, 0, OM_COL_WORKSPACE) == *ws)) {
			*ws = db_i64(&r, 0, OM_COL_WORKSPACE);
			*campaign = db_i64(&r, 0, OM_COL_CAMPAIGN);
			*rel = db_i64(&r, 0, OM_COL_RELATIONSHIP);
			out->id = db_i64(&r, 0, OM_COL_ID);
			snprintf(out->public_id, sizeof(out->public_id), "%s",
			    db_str(&r, 0, OM_COL_PUBLIC));
			snprintf(out->message_id, sizeof(out->message_id), "%s",
			    db_str(&r, 0, OM_COL_MSGID));
			db_rows_free(&r);
			break;
		}
		db_rows_free(&r);
	}
	free(refs);
	return e;
}

/* match_token finds our message by the reply token (core/reply_token.h) in an address the
 * mail went to (a plus-addressed Reply-To, also when a colleague forwarded the thread from
 * another address) or leading a Message-ID it refers to, newest reference first. *ws may
 * be preset (API): a token of another workspace's message is then ignored, so a reply never
 * lands in a workspace that did not send what it answers. */
static lc_err
match_token(struct db *db, const struct mime_parsed *mp, int64_t *ws, int64_t *campaign,
    int64_t *rel, struct thread_match *out)
{
	char tokens[MIME_RCPTS_MAX + 66][REPLY_TOKEN_LEN + 1], *copy = NULL, *save = NULL, *tok;
	size_t n = 0, i, k;
	struct db_rows r;
	lc_err e = LC_OK;

	if (mp->recipients != NULL && (copy = strdup(mp->recipients)) == NULL)
		return LC_ENOMEM;
	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok && n < MIME_RCPTS_MAX;
	     tok = strtok_r(NULL, " ", &save))
		n += (size_t)reply_token_of_address(tok, tokens[n]);
	free(copy);
	copy = NULL;
	save = NULL;
	if (mp->in_reply_to != NULL)
		n += (size_t)reply_token_of_msgid(mp->in_reply_to, tokens[n]);
	if (mp->references != NULL && (copy = strdup(mp->references)) == NULL)
		return LC_ENOMEM;
	{
		char *list[64];
		size_t m = 0;

		for (tok = copy ? strtok_r(copy, " \t", &save) : NULL; tok && m < 64;
		     tok = strtok_r(NULL, " \t", &save))
			list[m++] = tok;
		while (m > 0 && n < sizeof(tokens) / sizeof(tokens[0]))
			n += (size_t)reply_token_of_msgid(list[--m], tokens[n]);
	}
	free(copy);
	for (i = 0; i < n && e == LC_OK; i++) {
		for (k = 0; k < i && strcmp(tokens[k], tokens[i]) != 0; k++)
			;
		if (k < i)
			continue; /* asked already */
		if ((e = store_outbound_by_token(db, tokens[i], &r)) != LC_OK)
			break;
		if (r.nrows == 1 && (*ws == 0 || db_i64(&r, 0, OM_COL_WORKSPACE) == *ws)) {
			*ws = db_i64(&r, 0, OM_COL_WORKSPACE);
			*campaign = db_i64(&r, 0, OM_COL_CAMPAIGN);
			*rel = db_i64(&r, 0, OM_COL_RELATIONSHIP);
			out->id = db_i64(&r, 0, OM_COL_ID);
			snprintf(out->public_id, sizeof(out->public_id), "%s",
			    db_str(&r, 0, OM_COL_PUBLIC));
			snprintf(out->message_id, sizeof(out->message_id), "%s",
			    db_str(&r, 0, OM_COL_MSGID));
			db_rows_free(&r);
			break;
		}
		db_rows_free(&r);
	}
	return e;
}

/* match_domain: the last guess, a person at the domain of exactly one prospect of workspace
 * ws who was written to in a campaign still running (a colleague answering for them).
 * Several such prospects: no guess, the mail waits in triage. Bounces and delayed DSNs come
 * from mail servers, and a shared provider's domain (gmail.com) says nothing of who wrote. */
static lc_err
match_domain(struct db *db, int64_t ws, const struct mime_parsed *mp, int64_t *campaign,
    int64_t *rel, unsigned *method)
{
	const char *at;
	struct db_rows r;
	lc_err e;

	if (mp->klass == MIME_BOUNCE || mp->klass == MIME_DELAYED || mp->from_email == NULL ||
	    (at = strrchr(mp->from_email, '@')) == NULL || suppression_shared_domain(at + 1))
		return LC_OK;
	if ((e = store_rel_by_domain(db, ws, at + 1, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		*rel = db_i64(&r, 0, RE_COL_ID);
		*campaign = db_i64(&r, 0, RE_COL_CAMPAIGN);
		*method = MATCH_DOMAIN;
	}
	db_rows_free(&r);
	return LC_OK;
}

lc_err
inbound_stop_follow_ups_tx(struct db *db, int64_t rel, const char *why)
{
	struct db_rows ids;
	lc_err e;

	if ((e = store_msg_pending_follow_ups(db, rel, &ids)) != LC_OK)
		return e;
	e = cancel_rows(db, &ids, why);
	db_rows_free(&ids);
	return e;
}

/* cancel_rows ends every (locked) outbound message listed in ids. */
static lc_err
cancel_rows(struct db *db, struct db_rows *ids, const char *why)
{
	struct db_rows r;
	struct out_message m;
	size_t i;
	int changed;
	lc_err e = LC_OK;

	for (i = 0; i < ids->nrows && e == LC_OK; i++) {
		if ((e = store_msg_get_locked(db, db_i64(ids, i, 0), &r)) != LC_OK)
			break;
		if (r.nrows == 1) {
			out_message_from_row(&r, 0, &m);
			e = outbox_release_tx(db, &m, MS_CANCELLED, why, 0, &changed);
		}
		db_rows_free(&r);
	}
	return e;
}

/* queue_auto_response answers a human reply with the campaign's auto-response, if it has
 * one, threaded to the reply (and to ours, the reply's parent, when known: ours may be
 * NULL) and waiting for approval per policy. No credits: skipped. */
static lc_err
queue_auto_response(struct db *db, int64_t ws, int64_t campaign, int64_t rel, int64_t inbound,
    const struct mime_parsed *mp, const char *ours)
{
	char subject[1100], *refs = NULL;
	struct db_rows ar;
	struct enqueue q;
	struct core_fail fail;
	unsigned status;
	lc_err e;

	/* the policy and the suppression of the address come with it (one statement) */
	if ((e = store_campaign_auto_get(db, campaign, mp->from_email, &ar)) != LC_OK)
		return e;
	if (ar.nrows != 1 || db_isnull(&ar, 0, AR_COL_BODY) || mp->from_email == NULL) {
		db_rows_free(&ar);
		return LC_OK;
	}
	status = (unsigned)db_i64(&ar, 0, AR_COL_STATUS);
	if (status == CSTATUS_CANCELLED || status == CSTATUS_COMPLETED) {
		db_rows_free(&ar);
		return LC_OK;
	}
	if (strncasecmp(mp->subject, "Re:", 3) == 0)
		snprintf(subject, sizeof(subject), "%.998s", mp->subject);
	else
		snprintf(subject, sizeof(subject), "Re: %.994s",
		    mp->subject[0] ? mp->subject : "your reply");
	if ((e = inbound_references_new(mp->references, ours, mp->message_id, &refs)) != LC_OK)
		goto out;
	memset(&q, 0, sizeof(q));
	memset(&fail, 0, sizeof(fail));
	q.workspace_id = ws;
	q.campaign_id = campaign;
	q.relationship_id = rel;
	q.inbound_id = inbound;
	q.kind = MSG_AUTO_RESPONSE;
	q.campaign_status = status;
	q.from = db_str(&ar, 0, AR_COL_SENDER);
	q.to = mp->from_email;
	q.to_name = mp->from_name;
	q.subject = subject;
	q.body = db_str(&ar, 0, AR_COL_BODY);
	q.in_reply_to = mp->message_id;
	q.references = refs;
	q.schedule_ms = now_ms() + db_i64(&ar, 0, AR_COL_DELAY) * 60000;
	q.requested_by = "system";
	q.approve = db_i64(&ar, 0, AR_COL_APPROVE) != 0;
	/* checked above, in this transaction: a suppressed address's auto-response is kept as
	 * suppressed (outbox_enqueue_tx) without a second check */
	q.recipient_suppressed = db_i64(&ar, 0, AR_COL_SUPPRESSED) > 0;
	q.recipient_cleared = !q.recipient_suppressed;
	if ((e = db_exec_text(db, "SAVEPOINT auto_response")) != LC_OK)
		goto out;
	e = outbox_enqueue_tx(db, &q, &fail);
	if (e == LC_ECONFLICT && fail.code && strcmp(fail.code, "insufficient_credits") == 0) {
		log_msg(LOG_WARN, "auto-response not queued: insufficient credits");
		e = db_exec_text(db, "ROLLBACK TO SAVEPOINT auto_response");
	} else if (e == LC_OK) {
		e = store_inbound_set_auto(db, inbound, q.msg_id);
	}
out:
	free(refs);
	db_rows_free(&ar);
	return e;
}

static lc_err
ingest_tx(struct db *db, void *arg)
{
	struct ingest_ctx *ctx = arg;
	const struct mime_parsed *mp = ctx->mp;
	struct store_inbound_new m;
	struct event_in ev;
	struct db_rows r;
	char key[300], now[TIME_SQL_LEN], sent[TIME_SQL_LEN], ooo[TIME_DATE_LEN];
	int64_t ws = ctx->who ? ctx->who->workspace_id : 0, campaign = 0, rel = 0;
	struct thread_match tm;
	uint64_t id = 0;
	unsigned method = MATCH_NONE;
	lc_err e;

	memset(ctx->out, 0, sizeof(*ctx->out));
	memset(&tm, 0, sizeof(tm));
	ctx->out->klass = (unsigned)mp->klass;
	if ((e = match_thread(db, mp, &ws, &campaign, &rel, &tm)) != LC_OK)
		return e;
	if (rel) {
		method = MATCH_THREAD;
	} else if ((e = match_token(db, mp, &ws, &campaign, &rel, &tm)) != LC_OK) {
		return e;
	} else if (rel) {
		method = MATCH_TOKEN;
	} else {
		if (ws == 0 && mp->to_email) {
			if ((e = store_workspaces_by_sender(db, mp->to_email, &r)) != LC_OK)
				return e;
			if (r.nrows == 1)
				ws = db_i64(&r, 0, 0);
			db_rows_free(&r);
		}
		{
			const char *who_email = mp->klass == MIME_BOUNCE && mp->bounce_recipient
			                            ? mp->bounce_recipient
			                            : mp->from_email;
			if (ws && who_email) {
				if ((e = store_rel_by_email(db, ws, who_email, &r)) != LC_OK)
					return e;
				if (r.nrows == 1) {
					rel = db_i64(&r, 0, RE_COL_ID);
					campaign = db_i64(&r, 0, RE_COL_CAMPAIGN);
					method = MATCH_SENDER;
				}
				db_rows_free(&r);
			}
		}
		if (!rel && ws && (e = match_domain(db, ws, mp, &campaign, &rel, &method)) != LC_OK)
			return e;
	}
	ctx->out->match = method;
	dedupe_key(ws, mp, ctx->raw, ctx->len, key, sizeof(key));
	if ((e = store_inbound_by_dedupe(db, key, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		snprintf(ctx->out->public_id, ID_MAX, "%s", db_str(&r, 0, 1));
		ctx->out->duplicate = 1;
		db_rows_free(&r);
		return LC_OK;
	}
	db_rows_free(&r);

	sqltime_format(now_ms(), now);
	if (mp->date_ms >= 0)
		sqltime_format(mp->date_ms, sent);
	id_new("msg_", ctx->out->public_id);
	memset(&m, 0, sizeof(m));
	m.public_id = ctx->out->public_id;
	m.dedupe_key = key;
	m.workspace_id = ws;
	m.campaign_id = campaign;
	m.relationship_id = rel;
	m.outbound_id = tm.id;
	m.klass = (unsigned)mp->klass;
	m.match_method = method;
	m.message_id = mp->message_id;
	m.in_reply_to = mp->in_reply_to;
	m.references = mp->references;
	m.from_email = mp->from_email;
	m.from_name = mp->from_name;
	m.to_email = mp->to_email;
	m.subject = mp->subject;
	m.text = mp->text;
	m.text_new = mp->text_new;
	m.bounce_status = mp->bounce_status;
	m.bounce_recipient = mp->bounce_recipient;
	m.sent_sql = mp->date_ms >= 0 ? sent : NULL;
	m.now_sql = now;
	m.raw_size = ctx->len;
	if (mp->klass == MIME_AUTO_REPLY && mp->ooo_return_ms >= 0) {
		date_format(mp->ooo_return_ms, ooo);
		m.ooo_return = ooo;
	}
	if ((e = store_inbound_insert(db, &m, &id)) != LC_OK)
		return e;

	memset(&ev, 0, sizeof(ev));
	ev.workspace_id = ws;
	ev.campaign_id = campaign;
	ev.relationship_id = rel;
	ev.message_id = tm.id ? tm.public_id : NULL; /* the message it answers or bounces */
	ev.at_ms = now_ms();
	switch (mp->klass) {
	case MIME_HUMAN:
		if (!rel)
			break;
		/* links on the prospect's own domain are placements to check (docs/placements.md):
		 * a verified link is a fact of its own, whoever wrote first */
		if ((e = placements_from_reply(db, ws, campaign, rel, mp->links, mp->nlinks,
		         ctx->allow_http, now)) != LC_OK)
			return e;
		/* A reply from a prospect who was never sent anything is kept and listed as
		 * inbound mail, matched to them, but is no funnel reply: no reply_received event
		 * or webhook, no status or counter change, no auto-response (docs/metrics.md). */
		{
			int counts = 0;
			if ((e = events_reply_counts(db, rel, &counts)) != LC_OK)
				return e;
			if (!counts)
				break;
		}
		ev.type = EV_REPLY_RECEIVED;
		if ((e = events_record(db, &ev, NULL)) != LC_OK)
			return e;
		if ((e = inbound_stop_follow_ups_tx(db, rel, "the prospect replied")) != LC_OK)
			return e;
		return queue_auto_response(
		    db, ws, campaign, rel, (int64_t)id, mp, tm.id ? tm.message_id : NULL);
	case MIME_BOUNCE:
		/* a success DSN (delivered, relayed, expanded) bounced nothing */
		if (mp->bounce_action != NULL && strcmp(mp->bounce_action, "failed") != 0)
			return LC_OK;
		/* our message named: judged and counted once, as at SMTP time (dsn_bounce.c) */
		if (tm.id)
			return dsn_bounce_tx(db, ws, tm.id, mp, now_ms(), NULL);
		/* matched by the failed recipient alone (no returned headers): that prospect and
		 * its address, no message to mark or count. An address that is no prospect of
		 * the workspace is not suppressed: anyone can mail a report naming anyone. */
		if (!rel || !dsn_bounce_hard(mp) || mp->bounce_recipient == NULL)
			return LC_OK;
		ev.type = EV_EMAIL_BOUNCED;
		if ((e = events_record(db, &ev, NULL)) != LC_OK)
			return e;
		return store_suppress(db, ws, mp->bounce_recipient, "hard_bounce", now);
	case MIME_UNSUBSCRIBE:
		if (ws && mp->from_email &&
		    (e = suppression_unsubscribe_tx(
		         db, ws, mp->from_email, "unsubscribe_reply", now)) != LC_OK)
			return e;
		if (rel) {
			ev.type = EV_UNSUBSCRIBED;
			return events_record(db, &ev, NULL);
		}
		return LC_OK;
	case MIME_AUTO_REPLY:
		/* kept and listed; not a reply. One that says when its writer is back moves the
		 * prospect's pending follow-ups to the day after (the mailbox's window and pacing
		 * then place them in that day). */
		if (rel && mp->ooo_return_ms >= 0)
			return store_msg_follow_ups_not_before(
			    db, rel, mp->ooo_return_ms + 86400000, now);
		break;
	case MIME_DELAYED:
		break; /* "still trying": informational, nothing bounced, nothing suppressed */
	}
	return LC_OK;
}

lc_err
inbound_ingest(struct core *core, const struct principal *who, const char *raw, size_t len,
    struct inbound_result *out)
{
	struct mime_parsed mp;
	struct ingest_ctx ctx = {who, &mp, raw, len, out, core->webhook_allow_http};
	lc_err e;

	if (len == 0 || len > INBOUND_MAX_BYTES)
		return LC_EINVAL;
	if ((e = mime_parse(raw, len, &mp)) != LC_OK)
		return e;
	e = db_tx(core->db, ingest_tx, &ctx);
	mime_parsed_free(&mp);
	return e;
}
