/* inbound_view.h: inbound mail as the fronts read it — classes, how it matched, the view
 * of one message, lists, and the triage of unmatched mail. Apart from inbound.h so that the
 * pages, which know users.h's history_entry, can include it. */
#ifndef LC_INBOUND_VIEW_H
#define LC_INBOUND_VIEW_H

#include "core/core.h"
#include "core/paging.h"
#include "db/db.h"
#include "util/cursor.h"

struct core_fail; /* core/sending.h */

enum inbound_class {
	IN_HUMAN = 0,
	IN_AUTO_REPLY,
	IN_BOUNCE,
	IN_UNSUBSCRIBE,
	IN_DELAYED,
	IN_NCLASSES
};
/* How an inbound message found its prospect (docs/inbound.md, "Matching"). MATCH_DOMAIN is
 * the lower-confidence guess: someone else at the prospect's domain. MATCH_MANUAL: a person
 * decided it in the triage of unmatched mail. */
enum inbound_match {
	MATCH_NONE = 0,
	MATCH_THREAD,
	MATCH_SENDER,
	MATCH_DOMAIN,
	MATCH_MANUAL,
	MATCH_TOKEN,
	MATCH_N
};
const char *inbound_class_name(unsigned klass);
int inbound_class_from_name(const char *s, size_t len);
const char *inbound_match_name(unsigned method);

struct inbound_view {
	int64_t id, campaign_id, relationship_id;
	const char *public_id, *campaign_public_id, *relationship_public_id, *outbound_public_id;
	const char *auto_response_public_id;
	unsigned klass, match;
	const char *message_id, *in_reply_to, *references, *from, *from_name, *to, *subject;
	const char *text, *text_new, *bounce_status, *bounce_recipient;
	const char
	    *ooo_return; /* "YYYY-MM-DD": the day an out-of-office says they are back, or NULL */
	int triage_decision; /* enum triage_decision, or -1: none taken */
	const char *triaged_by;
	int64_t triaged_ms;
	int64_t sent_ms, received_ms;
};
struct inbound_query {
	const char *campaign_id;
	unsigned klass_mask; /* 0: all */
	int matched;         /* -1 any */
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	unsigned limit;
};
/* inbound_list fills page (items: struct inbound_view; free with page_free). */
lc_err inbound_list(struct core *core, const struct principal *who, const struct inbound_query *q,
    struct page *page);
/* inbound_get reads one inbound message into v (one struct inbound_view; page_free in any
 * case). LC_ENOTFOUND. */
lc_err inbound_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);

/* ---- inbound_triage.c: unmatched mail waiting for a person (docs/inbound.md, "Triage") ---- */
enum triage_decision { TRIAGE_MATCH = 0, TRIAGE_MATCH_UNSUBSCRIBE, TRIAGE_DISMISS, TRIAGE_N };
/* triage_decision_name: "match", "match_and_unsubscribe", "dismiss" (static). */
const char *triage_decision_name(unsigned d);

/* inbound_triage_list pages the workspace's unmatched, undecided mail (every class but
 * delayed), newest first; q->campaign_id, klass_mask and matched are ignored. Free with
 * page_free. Errors: LC_ENOMEM, database errors. */
lc_err inbound_triage_list(struct core *core, const struct principal *who,
    const struct inbound_query *q, struct page *page);

/* inbound_triage_decide records a person's decision on an unmatched inbound message:
 * TRIAGE_MATCH ties it to the relationship rel_public (a relationship id, or a prospect's
 * address: their newest relationship in the workspace) (what a match would have done then
 * follows: a human reply counts as the prospect's reply and stops their follow-ups; an
 * unsubscribe request lists the sender), TRIAGE_MATCH_UNSUBSCRIBE also lists the sender and
 * the prospect's address and marks the prospect unsubscribed, TRIAGE_DISMISS only records
 * it. by (who decided) is kept with the time. fail->code: inbound_message_not_found,
 * relationship_not_found, already_decided (matched or decided before). */
lc_err inbound_triage_decide(struct core *core, const struct principal *who, const char *public_id,
    unsigned decision, const char *rel_public, const char *by, struct core_fail *fail);

#endif
