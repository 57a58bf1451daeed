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
/* health_policy_code is the rule behind it for an enhanced code: 5.7.x (a DSN's Status). */
int health_policy_code(unsigned enh_class, unsigned enh_subject);
/* health_mailbox_refused_tx counts a 5.7.x refusal of mailbox_id (reply: the server's
 * words, borrowed); the HEALTH_REFUSALS-th in a row pauses the mailbox with them and
 * emits link_building.mailbox.paused. */
lc_err health_mailbox_refused_tx(
    struct db *db, int64_t mailbox_id, const char *reply, int64_t now_ms);
/* health_mailbox_sent_tx forgets mailbox_id's refusals: it sent a message. */
lc_err health_mailbox_sent_tx(struct db *db, int64_t mailbox_id);
/* health_campaign_outcomes_tx records sends outcomes of campaign_id (the last one a hard
 * bounce when bounce is set) and, after a bounce, pauses the campaign when its bounce
 * rate passed the workspace's autoPause.bounceRate. */
lc_err health_campaign_outcomes_tx(struct db *db, int64_t campaign_id, unsigned sends, int bounce);
/* health_hard_bounce is the one rule for a hard bounce, at SMTP time or in a DSN that
 * comes later: enhanced status 5.1.x (the address or its domain does not exist). Only a
 * hard bounce suppresses the address, marks the prospect bounced and counts in the
 * campaign's bounce rate; other permanent failures (mailbox full, message too big) do not
 * say the address is bad. */
int health_hard_bounce(unsigned enh_class, unsigned enh_subject);
/* health_status_parse reads an enhanced status code "c.s.d" (digits only, as a DSN's
 * Status) into *enh_class and *enh_subject; 0 (outputs 0) when s is NULL or not one. */
int health_status_parse(const char *s, unsigned *enh_class, unsigned *enh_subject);
/* health_late_bounce turns one send of a campaign's window (bits: its last HEALTH_WINDOW
 * outcomes, bit 0 the newest, a set bit a hard bounce; sends: how many of those bits are
 * outcomes) into a hard bounce: a bounce reported by a DSN after the send was counted as
 * a clean send. Which bit was that send's is not recorded, so the newest clean send
 * becomes the bounce (it stays in the window longest: the stricter choice). A window
 * without a clean send takes the bounce as a new outcome, shifted in. */
void health_late_bounce(uint32_t *bits, unsigned *sends);
/* health_campaign_late_bounce_tx records a hard bounce reported after the send on
 * campaign_id's window (health_late_bounce, the row locked) and pauses the campaign when
 * its bounce rate passed the workspace's autoPause.bounceRate, like
 * health_campaign_outcomes_tx. */
lc_err health_campaign_late_bounce_tx(struct db *db, int64_t campaign_id);
/* health_bounce_rate_passed is the rule: bounces among HEALTH_WINDOW sends above
 * permille thousandths (0: never). */
int health_bounce_rate_passed(unsigned bounces, unsigned permille);

#endif
