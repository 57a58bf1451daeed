/* inbound.h: mail received from prospects — ingested, matched to our outbound mail,
 * classified, listed and answered. */
#ifndef LC_INBOUND_H
#define LC_INBOUND_H

#include "core/inbound_view.h"
#include "core/sending.h"

struct inbound_result {
	char public_id[ID_MAX];
	int duplicate; /* the same message was stored before; nothing changed */
	unsigned klass, match;
};

#define INBOUND_MAX_BYTES (10 * 1024 * 1024)

/* inbound_ingest parses raw[0..len) (untrusted) and stores it once. who is the API
 * caller's principal (the workspace is then fixed) or NULL for mail from the MTA pipe,
 * whose workspace comes from threading headers or the campaign it was written to.
 * A human reply marks the prospect replied, stops its follow-ups and queues the
 * campaign's auto-response; bounces mark the message and prospect bounced (hard ones
 * suppress the address); delayed DSNs change nothing; an out-of-office with a return date
 * moves the prospect's pending follow-ups to the day after it; unsubscribe requests
 * suppress the sender (and its domain, per policy). Errors: LC_EINVAL
 * (not a mail message, or too large), database errors (LC_EDBDOWN: try again later). */
lc_err inbound_ingest(struct core *core, const struct principal *who, const char *raw, size_t len,
    struct inbound_result *out);

/* inbound_stop_follow_ups_tx cancels the relationship's pending follow-ups (credits
 * released), inside the caller's transaction; why becomes their lastError. */
lc_err inbound_stop_follow_ups_tx(struct db *db, int64_t rel, const char *why);

/* inbound_references_new builds the References of an answer to an inbound message: the
 * inbound's References (parent_refs), our message it answered (ours) unless already listed,
 * and the inbound's Message-ID (parent_id), space-separated, each given once. Any of them
 * may be NULL. *out (the caller frees it) is NULL when there is nothing to refer to.
 * Errors: LC_ENOMEM. */
lc_err inbound_references_new(
    const char *parent_refs, const char *ours, const char *parent_id, char **out);

struct respond_in {
	const char *inbound_id, *subject, *body; /* subject NULL: "Re: <inbound subject>" */
	int64_t schedule_ms;
	const char *requested_by;
};
/* outbox_respond answers an inbound message (threaded to it) with the same gating,
 * credits and policy as send-email, and cancels its pending auto-response. inv receives the
 * invocation it wrote (as outbox_send_email). fail->code as outbox_send_email, plus
 * inbound_message_not_found. */
lc_err outbox_respond(struct core *core, const struct principal *who, const struct respond_in *in,
    struct page *inv, struct core_fail *fail);

struct history_entry {
	int inbound; /* 0 outbound, 1 inbound */
	const char *public_id, *subject;
	unsigned kind;   /* msg_kind for outbound, inbound_class for inbound */
	unsigned status; /* msg_status for outbound */
	int64_t at_ms;
	unsigned held_reason; /* enum pacing_reason while an outbound message is held */
	int64_t next_slot_ms; /* -1: none */
};
/* relationships_history lists a relationship's messages both ways, oldest first (at most
 * 500), in h (items: struct history_entry; page_free in any case). */
lc_err relationships_history(struct core *core, int64_t relationship_id, struct page *h);

#endif
