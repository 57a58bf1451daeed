/* health.h: automatic pauses that protect a mailbox's and a sending domain's reputation
 * (docs/mailboxes.md, "Health"). All run inside the caller's transaction. */
#ifndef LC_HEALTH_H
#define LC_HEALTH_H

#include <stdint.h>
#include "core/delivery.h"
#include "core/sending.h"

#define HEALTH_REFUSALS 3 /* 5.7.x refusals in a row that pause a mailbox */
#define HEALTH_WINDOW 20  /* the sends a campaign's bounce rate is measured over */

/* health_policy_refusal says whether a permanent failure is a policy refusal of the
 * sender: enhanced code 5.7.x, or a generic 5.0.0 whose text starts with "5.7." (a
 * submission server relaying the final server's refusal, as Dovecot does, puts its own
 * code first and the original after it). */
int health_policy_refusal(const struct delivery_result *res);
/* health_mailbox_refused_tx counts a 5.7.x refusal of mailbox_id (reply: the server's
 * words, borrowed); the HEALTH_REFUSALS-th in a row pauses the mailbox with them and
 * emits link_building.mailbox.paused. */
lc_err health_mailbox_refused_tx(struct db *db, int64_t mailbox_id, const char *reply,
    int64_t now_ms);
/* health_mailbox_sent_tx forgets mailbox_id's refusals: it sent a message. */
lc_err health_mailbox_sent_tx(struct db *db, int64_t mailbox_id);
/* health_campaign_outcomes_tx records sends outcomes of campaign_id (the last one a hard
 * bounce when bounce is set) and, after a bounce, pauses the campaign when its bounce
 * rate passed the workspace's autoPause.bounceRate. */
lc_err health_campaign_outcomes_tx(struct db *db, int64_t campaign_id, unsigned sends,
    int bounce);
/* health_bounce_rate_passed is the rule: bounces among HEALTH_WINDOW sends above
 * permille thousandths (0: never). */
int health_bounce_rate_passed(unsigned bounces, unsigned permille);

#endif
