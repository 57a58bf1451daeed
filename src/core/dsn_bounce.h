/* dsn_bounce.h: a bounce reported by a DSN after the send (docs/mailboxes.md, "Bounces
 * after sending"): matched to our message, it counts once, exactly as the same refusal at
 * SMTP time would have. */
#ifndef LC_DSN_BOUNCE_H
#define LC_DSN_BOUNCE_H

#include <stdint.h>
#include "db/db.h"
#include "mail/mime.h"

/* What a DSN did to the message it was matched to. */
enum dsn_effect {
	DSN_BOUNCED,         /* the message went from sent to bounced (and what follows) */
	DSN_NOT_SENT,        /* it was not sent, or bounced already: nothing counted again */
	DSN_OTHER_RECIPIENT, /* the DSN names another address (a forward failed): nothing */
	DSN_OTHER_WORKSPACE, /* not a message of the workspace the DSN arrived in: nothing */
};

/* dsn_bounce_tx applies the failure DSN mp (untrusted; its class MIME_BOUNCE with Action
 * "failed" or none) to outbound message msg_id of workspace ws, which its threading headers
 * or reply token named, inside the caller's transaction and under the message's lock:
 * a sent message becomes bounced with the DSN's status and Diagnostic-Code as lastError
 * (its credits stay captured); a hard bounce (health_hard_bounce: 5.1.x) also suppresses
 * the message's recipient, records link_building.email.bounced and turns a send of the
 * campaign's window into a bounce (which may pause the campaign); a policy refusal (5.7.x)
 * counts on the sending mailbox's refusals (the third in a row pauses it). *effect (may
 * be NULL) says which. Errors: database errors. */
lc_err dsn_bounce_tx(struct db *db, int64_t ws, int64_t msg_id, const struct mime_parsed *mp,
    int64_t now_ms, enum dsn_effect *effect);

/* dsn_bounce_hard says whether a bounce's status (mp->bounce_status) is a hard bounce
 * under health_hard_bounce. */
int dsn_bounce_hard(const struct mime_parsed *mp);

#endif
