/* dsn_bounce.c: bounces that arrive after the send, as DSNs (dsn_bounce.h).
 *
 * Design note. A message the submission server accepted was recorded sent: its credits
 * captured, its send counted on its campaign's window of 20 outcomes and on its mailbox.
 * The final server may still refuse it later, and says so in a DSN that comes back to the
 * mailbox (read by core/imap_sync.c) or through the MTA pipe. Such a DSN is judged with
 * the rules of an SMTP-time refusal (core/health.c), once:
 *  - it must name our message (the returned Message-ID, the threading headers or the
 *    reply token: inbound.c matched it, within the workspace the DSN arrived in), and its
 *    failed recipient, when it names one, must be that message's recipient: a forward
 *    that failed further on is not our prospect's address bouncing;
 *  - only a sent message bounces, under its row lock: the same DSN read twice is a
 *    duplicate inbound message already, and a second DSN for the message finds it bounced
 *    and changes nothing;
 *  - a hard bounce (5.1.x) suppresses the message's recipient (not whatever address the
 *    DSN names: a hostile DSN cannot put a stranger on the list), marks the prospect
 *    bounced and turns a clean send of the campaign's window into a bounce; a 5.7.x
 *    refusal counts on the mailbox that sent it, as a refusal at SMTP time does;
 *  - the credits stay captured: the send was made and accepted; the ledger only moves
 *    for a message that never left (docs/mailboxes.md, "Bounces after sending"). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "core/dsn_bounce.h"
#include "core/health.h"
#include "db/store_dsn.h"
#include "db/store_sending.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define WHY_MAX 480 /* bytes of lastError (the column holds 500 characters) */

static void why_of(const struct mime_parsed *, char *, size_t);

int
dsn_bounce_hard(const struct mime_parsed *mp)
{
	unsigned klass, subject;

	return health_status_parse(mp->bounce_status, &klass, &subject) &&
	       health_hard_bounce(klass, subject);
}

/* why_of writes the lastError of a bounced message: the DSN's status and the final
 * server's words, cut at a character boundary. */
static void
why_of(const struct mime_parsed *mp, char *why, size_t len)
{
	snprintf(why, len, "bounced after sending (DSN): %s%s%s",
	    mp->bounce_status ? mp->bounce_status : "no status", mp->bounce_diagnostic ? " " : "",
	    mp->bounce_diagnostic ? mp->bounce_diagnostic : "");
	why[utf8_prefix(why, len - 1)] = '\0';
}

lc_err
dsn_bounce_tx(struct db *db, int64_t ws, int64_t msg_id, const struct mime_parsed *mp, int64_t t,
    enum dsn_effect *effect)
{
	char why[WHY_MAX + 1], now[TIME_SQL_LEN], to[330], public_id[ID_MAX];
	struct db_rows r;
	struct event_in ev;
	enum dsn_effect dummy;
	int64_t campaign, rel, mailbox;
	unsigned klass = 0, subject = 0;
	uint64_t changed = 0;
	lc_err e;

	if (effect == NULL)
		effect = &dummy;
	*effect = DSN_NOT_SENT;
	if ((e = store_dsn_message_locked(db, msg_id, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_OK;
	}
	if (db_i64(&r, 0, DSNM_COL_WORKSPACE) != ws) {
		*effect = DSN_OTHER_WORKSPACE;
		db_rows_free(&r);
		return LC_OK;
	}
	snprintf(to, sizeof(to), "%s", db_str(&r, 0, DSNM_COL_TO));
	snprintf(public_id, sizeof(public_id), "%s", db_str(&r, 0, DSNM_COL_PUBLIC));
	campaign = db_i64(&r, 0, DSNM_COL_CAMPAIGN);
	rel = db_i64(&r, 0, DSNM_COL_RELATIONSHIP);
	mailbox = db_isnull(&r, 0, DSNM_COL_MAILBOX) ? 0 : db_i64(&r, 0, DSNM_COL_MAILBOX);
	db_rows_free(&r);
	if (mp->bounce_recipient != NULL && strcasecmp(mp->bounce_recipient, to) != 0) {
		*effect = DSN_OTHER_RECIPIENT;
		return LC_OK;
	}
	sqltime_format(t, now);
	why_of(mp, why, sizeof(why));
	if ((e = store_dsn_message_bounced(db, msg_id, why, now, &changed)) != LC_OK || !changed)
		return e; /* not sent, or bounced already: counted once */
	*effect = DSN_BOUNCED;
	health_status_parse(mp->bounce_status, &klass, &subject);
	if (health_policy_code(klass, subject) && mailbox != 0)
		return health_mailbox_refused_tx(db, mailbox, why, t);
	if (!health_hard_bounce(klass, subject))
		return LC_OK; /* bounced, but the address is not known bad */
	if ((e = store_suppress(db, ws, to, "hard_bounce", now)) != LC_OK)
		return e;
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_EMAIL_BOUNCED;
	ev.workspace_id = ws;
	ev.campaign_id = campaign;
	ev.relationship_id = rel;
	ev.message_id = public_id;
	ev.at_ms = t;
	if ((e = events_record(db, &ev, NULL)) != LC_OK)
		return e;
	return health_campaign_late_bounce_tx(db, campaign);
}
