/* inbound.h: mail received from prospects — ingested, matched to our outbound mail,
 * classified, listed and answered. */
#ifndef LC_INBOUND_H
#define LC_INBOUND_H

#include "core/sending.h"

enum inbound_class { IN_HUMAN = 0, IN_AUTO_REPLY, IN_BOUNCE, IN_UNSUBSCRIBE, IN_NCLASSES };
enum inbound_match { MATCH_NONE = 0, MATCH_THREAD, MATCH_SENDER };
const char *inbound_class_name(unsigned klass);
int inbound_class_from_name(const char *s, size_t len);
const char *inbound_match_name(unsigned method);

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
 * suppress the address); unsubscribe requests suppress the sender. Errors: LC_EINVAL
 * (not a mail message, or too large), database errors (LC_EDBDOWN: try again later). */
lc_err inbound_ingest(struct core *core, const struct principal *who, const char *raw,
    size_t len, struct inbound_result *out);

struct inbound_view {
	int64_t id, campaign_id, relationship_id;
	const char *public_id, *campaign_public_id, *relationship_public_id, *outbound_public_id;
	const char *auto_response_public_id;
	unsigned klass, match;
	const char *message_id, *in_reply_to, *references, *from, *from_name, *to, *subject;
	const char *text, *text_new, *bounce_status, *bounce_recipient;
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
lc_err inbound_list(struct core *core, const struct principal *who,
    const struct inbound_query *q, struct page *page);
/* inbound_get reads one inbound message into v (one struct inbound_view; page_free in any
 * case). LC_ENOTFOUND. */
lc_err inbound_get(struct core *core, const struct principal *who, const char *public_id,
    struct page *v);

/* inbound_references_new builds the References of an answer to an inbound message: the
 * inbound's References (parent_refs), our message it answered (ours) unless already listed,
 * and the inbound's Message-ID (parent_id), space-separated, each given once. Any of them
 * may be NULL. *out (the caller frees it) is NULL when there is nothing to refer to.
 * Errors: LC_ENOMEM. */
lc_err inbound_references_new(const char *parent_refs, const char *ours, const char *parent_id,
    char **out);

struct respond_in {
	const char *inbound_id, *subject, *body; /* subject NULL: "Re: <inbound subject>" */
	int64_t schedule_ms;
	const char *requested_by;
};
/* outbox_respond answers an inbound message (threaded to it) with the same gating,
 * credits and policy as send-email, and cancels its pending auto-response. inv receives the
 * invocation it wrote (as outbox_send_email). fail->code as outbox_send_email, plus
 * inbound_message_not_found. */
lc_err outbox_respond(struct core *core, const struct principal *who,
    const struct respond_in *in, struct page *inv, struct core_fail *fail);

struct history_entry {
	int inbound;        /* 0 outbound, 1 inbound */
	const char *public_id, *subject;
	unsigned kind;      /* msg_kind for outbound, inbound_class for inbound */
	unsigned status;    /* msg_status for outbound */
	int64_t at_ms;
};
/* relationships_history lists a relationship's messages both ways, oldest first (at most
 * 500), in h (items: struct history_entry; page_free in any case). */
lc_err relationships_history(struct core *core, int64_t relationship_id, struct page *h);

#endif
