/* sending.h: the core of sending — messages waiting in MySQL for approval and delivery,
 * credits, policy, invocations, idempotency and campaign state changes. */
#ifndef LC_SENDING_H
#define LC_SENDING_H

#include "core/core.h"
#include "db/db.h"

#define SEND_COST 2 /* credits per email actually sent */

enum msg_kind {
	MSG_DRAFT = 0,
	MSG_SEND_EMAIL,
	MSG_RESPOND,
	MSG_AUTO_RESPONSE,
	MSG_FOLLOW_UP,
	MSG_NKINDS
};
enum msg_status {
	MS_AWAITING_APPROVAL = 0,
	MS_SCHEDULED,
	MS_SENDING,
	MS_SENT,
	MS_FAILED,
	MS_UNKNOWN,
	MS_REJECTED,
	MS_CANCELLED,
	MS_HELD,
	MS_DEFERRED,
	MS_BOUNCED,
	MS_SUPPRESSED, /* the recipient is on a do-not-email list: never sent (suppressions.h) */
	MS_N
};
enum inv_status {
	INV_AWAITING_APPROVAL = 0,
	INV_SCHEDULED,
	INV_COMPLETED,
	INV_REJECTED,
	INV_FAILED,
	INV_CANCELLED,
	INV_UNKNOWN,
	INV_N
};

const char *msg_kind_name(unsigned kind);
int msg_kind_from_name(const char *s, size_t len);
const char *msg_status_name(unsigned status);
int msg_status_from_name(const char *s, size_t len);
const char *inv_status_name(unsigned status);
const char *ledger_kind_name(unsigned kind);
/* inv_status_of maps a message status to its invocation's status. */
unsigned inv_status_of(unsigned msg_status);

/* Why a core call failed, for the front to answer: code is the API error code (static),
 * param the offending field (static or NULL), required/available for credits. */
struct core_fail {
	const char *code;
	const char *param;
	const char *detail;
	int64_t required, available;
};

/* ---- policy.c ---- */
struct policy {
	unsigned approve[MSG_NKINDS]; /* 1 = required, 0 = auto; indexed by enum msg_kind */
	unsigned max_lateness_hours;
	int track_opens;          /* emails carry an HTML copy with an open-tracking image */
	unsigned bounce_permille; /* autoPause.bounceRate in thousandths: a campaign whose
	                             hard bounces among its last 20 sends pass it pauses */
	int unsubscribe_domain;   /* an unsubscribe also suppresses the sender's domain
	                             (not a shared provider's: suppressions.h) */
	char currency[4];         /* defaultCurrency: ISO 4217, a bare price's money
	                             (placements.h) */
};
lc_err policy_get(struct core *core, const struct principal *who, struct policy *out);
/* policy_put stores p whole, in one statement; LC_EINVAL with fail when a value is out
 * of range or the currency is not ISO 4217's (nothing is written then). */
lc_err policy_put(
    struct core *core, const struct principal *who, const struct policy *p, struct core_fail *fail);

/* ---- enqueue.c: one message into the outbox, inside the caller's transaction ---- */
struct enqueue {
	int64_t workspace_id, campaign_id, relationship_id, parent_id;
	int64_t inbound_id; /* the inbound message this answers (respond, auto-response), or 0 */
	unsigned kind, follow_up_step;
	unsigned campaign_status;
	const char *from, *to, *to_name, *subject, *body, *in_reply_to, *references;
	int64_t schedule_ms;
	int64_t at_ms; /* when it was created (0: now); the demo seeds history */
	const char *requested_by;
	const char *action; /* non-NULL: also create an invocation with this action */
	unsigned approve;   /* policy: 1 = a person must approve */
	/* 1: the caller refuses a suppressed recipient and found q->to not suppressed in this
	 * transaction, so the check is not run twice (a statement of two subqueries less) */
	int recipient_cleared;
	/* 1: the caller found q->to suppressed in this transaction: the message is kept as
	 * suppressed without the check being run again */
	int recipient_suppressed;
	/* out */
	char msg_public[ID_MAX];
	char inv_public[ID_MAX];
	int64_t msg_id;
	unsigned status;
};
/* outbox_enqueue_tx reserves SEND_COST credits, stores the message (and invocation) and
 * records its events. LC_ECONFLICT with fail->code "insufficient_credits" when the
 * workspace cannot cover it. */
lc_err outbox_enqueue_tx(struct db *db, struct enqueue *q, struct core_fail *fail);
struct out_message;
/* outbox_release_tx ends a message that will never be sent (rejected, cancelled, failed,
 * unknown): its status, the release of its credits, its invocation and, when it was
 * awaiting approval, the pending count. m is the locked message as loaded; when fenced,
 * the change applies only while m->fence still holds (the worker's lease). *changed is 0
 * when the message had already moved on. */
lc_err outbox_release_tx(struct db *db, const struct out_message *m, unsigned status,
    const char *error, int fenced, int *changed);
/* outbox_reject_tx is outbox_release_tx of a person's rejection (MS_REJECTED, reason as the
 * message's last error, not fenced) that also stamps the message's decided_at with
 * decided_sql in the same UPDATE. */
lc_err outbox_reject_tx(struct db *db, const struct out_message *m, const char *reason,
    const char *decided_sql, int *changed);
/* outbox_inv_set mirrors a message's new state onto its invocation, if it has one, inside
 * the caller's transaction: status, credits charged and (when event_id is non-NULL) the
 * event that completed it. */
lc_err outbox_inv_set(struct db *db, const struct out_message *m, unsigned status, unsigned charged,
    const char *event_id, const char *now_sql);

/* ---- send.c ---- */
/* outbox_check_email applies the rules every email shares: subject (when given) 1..998
 * characters on one line, body 1 byte..100 KiB of text, scheduleAt 0 (now) or from five
 * minutes ago to a year ahead. LC_EINVAL with fail filled in. */
lc_err outbox_check_email(
    const char *subject, const char *body, int64_t schedule_ms, struct core_fail *fail);
/* outbox_check_subject and outbox_check_body are the two text rules of outbox_check_email
 * (subject and body non-NULL): every subject or body a message gets — sent, answered,
 * edited by an approver — passes them. LC_EINVAL with fail (validation_failed + param). */
lc_err outbox_check_subject(const char *subject, struct core_fail *fail);
lc_err outbox_check_body(const char *body, struct core_fail *fail);
struct send_in {
	const char *campaign_id, *relationship_id, *subject, *body;
	int64_t schedule_ms; /* 0: now */
	const char *requested_by;
};
/* outbox_send_email queues a one-off email; inv receives the invocation it wrote, as
 * invocations_get reads it (one struct invocation; page_free in any case).
 * Errors carry fail->code: campaign_not_found, relationship_not_found (LC_ENOTFOUND),
 * invalid_state_for_send, recipient_suppressed, validation_failed (LC_EINVAL),
 * insufficient_credits (LC_ECONFLICT). */
lc_err outbox_send_email(struct core *core, const struct principal *who, const struct send_in *in,
    struct page *inv, struct core_fail *fail);
/* ---- email_gate.c: the steps send-email and respond share ---- */
/* email_ctx is the argument of an email's transaction: in is the front's input
 * (struct send_in or struct respond_in); the transaction leaves its invocation's id in
 * inv_id and the reason of a refusal in fail. */
struct email_ctx {
	const struct principal *who;
	const void *in;
	struct core_fail *fail;
	char inv_id[ID_MAX];
};
/* email_campaign_lock locks campaign public_id of the workspace FOR UPDATE into cr (one row,
 * store_campaign_lock's columns; the caller frees it) when the campaign can send: else cr
 * is freed and the error is LC_ENOTFOUND (campaign_not_found) or LC_EINVAL
 * (invalid_state_for_send: cancelled, completed, or a draft never launched). */
lc_err email_campaign_lock(struct db *db, int64_t workspace_id, const char *public_id,
    struct db_rows *cr, struct core_fail *fail);
/* email_gate_check applies a send gate row (store_send_gate_*): LC_EINVAL with
 * recipient_suppressed when the address is on a do-not-email list, else *approve is the
 * policy for a message of kind (MSG_SEND_EMAIL or MSG_RESPOND; 1 when there is no row). */
lc_err email_gate_check(
    const struct db_rows *gate, unsigned kind, unsigned *approve, struct core_fail *fail);
/* email_run runs tx(db, ctx) as one transaction and reads into inv the invocation it wrote
 * (invocation_written; page_free in any case). Errors: tx's, or the database's. */
lc_err email_run(
    struct core *core, struct email_ctx *ctx, lc_err (*tx)(struct db *, void *), struct page *inv);
/* invocation_written reads into inv the invocation inv_id that the caller's transaction
 * just committed (the answer of a send); LC_EDB when it is not there. */
lc_err invocation_written(
    struct core *core, const struct principal *who, const char *inv_id, struct page *inv);

/* ---- approvals.c ---- */
struct out_message {
	int64_t id, workspace_id, campaign_id, relationship_id, invocation_id;
	const char *public_id, *campaign_public_id, *relationship_public_id, *invocation_public_id;
	unsigned kind, status, follow_up_step;
	const char *from, *to, *to_name, *subject, *body, *message_id, *in_reply_to, *references;
	const char *unsubscribe_token, *requested_by, *last_error;
	int64_t schedule_ms, due_ms, created_ms, sent_ms, decided_ms;
	unsigned credits_reserved, credits_charged, attempts, smtp_phase;
	uint64_t fence;
	unsigned campaign_status, relationship_status, max_lateness_hours;
	int suppressed;  /* on a do-not-email list: read by the claim only, else 0 */
	int track_opens; /* the workspace tracks opens */
	const char *open_token;
	unsigned held_reason; /* enum pacing_reason while held (0: none) */
	int64_t next_slot_ms; /* when pacing lets it go; -1: not paced */
};
void out_message_from_row(const struct db_rows *rows, size_t i, struct out_message *m);
/* message_event fills *ev with an event of type about message m (its workspace,
 * campaign, prospect and public id) at at_ms; ev keeps pointers into m. */
void message_event(
    const struct out_message *m, enum event_type type, int64_t at_ms, struct event_in *ev);

struct approval_query {
	unsigned status_mask; /* message statuses; 0 = awaiting approval */
	unsigned kind_mask;   /* 0 = all */
	const char *campaign_id;
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	unsigned limit;
	int no_total; /* 1: the caller shows no total; page->total stays 0 (one statement less) */
	/* the internal id of campaign_id when the caller has just read that campaign of this
	 * workspace (a struct campaign's id): saves looking it up again; 0: look it up */
	int64_t campaign_row_id;
};
/* approvals_list fills page (items: struct out_message; free with page_free). */
lc_err approvals_list(struct core *core, const struct principal *who,
    const struct approval_query *q, struct page *page);
/* A campaign with messages in an approval list's view (approvals_by_campaign). Strings
 * borrowed from the page. */
struct approval_campaign {
	const char *public_id, *name;
	int64_t n;
};
/* approvals_by_campaign fills page (items: struct approval_campaign; free with page_free)
 * with every campaign of the workspace that has messages awaiting approval of the kinds
 * q's kind filter selects, by name, with how many; page->total receives how many q
 * selects with its campaign filter too (that campaign's count; 0 when it has none), as
 * approvals_list's total would. One statement, on the workspace's counts of waiting
 * messages rather than the messages: a page that shows both needs no count of its own
 * (no_total), and its cost does not grow with the queue. LC_EINVAL when q asks for
 * another status; database errors, LC_ENOMEM. */
lc_err approvals_by_campaign(struct core *core, const struct principal *who,
    const struct approval_query *q, struct page *page);
/* A message as a list shows it (approvals_list_brief): no body, headers or suppression
 * check. Strings borrowed from the page. */
struct msg_brief {
	int64_t id, schedule_ms, created_ms;
	const char *public_id, *campaign_public_id, *campaign_name, *to, *to_name, *subject;
	unsigned kind, status, credits_reserved;
	unsigned held_reason; /* as in struct out_message */
	int64_t next_slot_ms; /* as in struct out_message */
};
/* approvals_list_brief is approvals_list with items of struct msg_brief: the same page,
 * order and next_cursor from one lighter statement, for the pages that list messages. */
lc_err approvals_list_brief(struct core *core, const struct principal *who,
    const struct approval_query *q, struct page *page);
/* approvals_get reads one outbound message of the workspace into v (one struct
 * out_message; page_free in any case). LC_ENOTFOUND. */
lc_err approvals_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);
/* approvals_reason_check is the rule for a rejection's reason: present, not only spaces,
 * at most 500 characters of text. LC_OK, or LC_EINVAL with fail naming "reason". Fronts
 * that reject many messages at once check it before the first. */
lc_err approvals_reason_check(const char *reason, struct core_fail *fail);

/* approvals_decide approves (approve=1, optional edited subject/body) or rejects (a reason
 * is required, see approvals_reason_check) a message awaiting approval; decided_by names
 * the key or user. Only changed fields make an edit: a subject equal to the message's, or a
 * body equal to it but for line ends (CRLF, CR, LF), is no edit (nothing recorded, nothing
 * rewritten), whichever front sent it. The decision is final: LC_ECONFLICT with fail->code
 * "already_decided" on a second one. On LC_OK, v (may be NULL) receives the message as
 * decided (one struct out_message; page_free in any case). */
lc_err approvals_decide(struct core *core, const struct principal *who, const char *public_id,
    int approve, const char *decided_by, const char *subject, const char *body, const char *reason,
    struct page *v, struct core_fail *fail);

/* ---- campaign_state.c ---- */
enum campaign_action { CAMPAIGN_PAUSE, CAMPAIGN_RESUME, CAMPAIGN_CANCEL, CAMPAIGN_COMPLETE };
/* campaigns_transition pauses/resumes/cancels/completes; fail->code already_paused,
 * already_active (LC_ECONFLICT) or invalid_state_transition (LC_EINVAL). */
lc_err campaigns_transition(struct core *core, const struct principal *who, const char *public_id,
    enum campaign_action action, const char *reason, struct core_fail *fail);
/* campaigns_pause_tx pauses an active campaign of workspace_id inside the caller's
 * transaction, exactly as a person's pause does (timeline reason, held messages,
 * campaign.paused webhook); a campaign that is not active is left alone (LC_OK). Used by
 * the worker's automatic pause (core/health.c). */
lc_err campaigns_pause_tx(
    struct db *db, int64_t workspace_id, const char *public_id, const char *reason);
/* campaigns_transition_preview says what campaigns_transition would do, changing
 * nothing: the campaign's status now in *from and, when allowed, the status it would get
 * in *to (LC_OK); otherwise the same error and fail as the transition would give (the
 * answer of a read: a concurrent change may make the real call answer differently). */
lc_err campaigns_transition_preview(struct core *core, const struct principal *who,
    const char *public_id, enum campaign_action action, const char *reason, struct core_fail *fail,
    unsigned *from, unsigned *to);

/* ---- campaign drafts (send.c) ---- */
struct campaign_extras {
	const struct follow_up_in {
		unsigned after_days;
		const char *body;
	} * follow_ups;
	size_t nfollow_ups;
	const char *auto_response_body; /* NULL: none */
	int auto_response_delay_minutes;
	const char *const *mailbox_ids; /* public ids of the workspace's mailboxes to send from */
	size_t nmailbox_ids;
	int draft; /* create it as a draft: nothing is drafted or queued until it is launched */
};
/* campaigns_create_full creates a campaign, its prospects and one draft per prospect
 * rendered from the template, all in one transaction (credits reserved per draft). */
lc_err campaigns_create_full(struct core *core, const struct principal *who,
    const struct campaign_new *in, const struct campaign_extras *extras, const char *requested_by,
    char out_id[ID_MAX], struct core_fail *fail);
/* campaigns_launch launches a draft campaign (draft -> active; a paused one never launched
 * stays paused) and drafts every prospect without a draft yet, all in one transaction.
 * *drafted receives how many drafts it queued. Errors with fail->code: campaign_not_found
 * (LC_ENOTFOUND), already_launched (LC_ECONFLICT), invalid_state_transition (LC_EINVAL,
 * ended), insufficient_credits (LC_ECONFLICT), validation_failed (a template that does
 * not render). */
lc_err campaigns_launch(struct core *core, const struct principal *who, const char *campaign_id,
    const char *requested_by, size_t *drafted, struct core_fail *fail);
/* campaigns_add_prospects adds prospects (and their drafts) to an existing campaign. */
lc_err campaigns_add_prospects(struct core *core, const struct principal *who,
    const char *campaign_id, const struct prospect_in *prospects, size_t n,
    const char *requested_by, size_t *added, struct core_fail *fail);
/* campaigns_import_prospects is campaigns_add_prospects for an import: a contact already
 * in the campaign is counted in *skipped rather than refusing the list. The credit check
 * still counts every prospect given (it runs before duplicates are known). */
lc_err campaigns_import_prospects(struct core *core, const struct principal *who,
    const char *campaign_id, const struct prospect_in *prospects, size_t n,
    const char *requested_by, size_t *added, size_t *skipped, struct core_fail *fail);

/* drafts_follow_up_tx queues the campaign's next follow-up after sent went out at
 * sent_ms (inside the delivery transaction). */
lc_err drafts_follow_up_tx(struct db *db, const struct out_message *sent, int64_t sent_ms);

/* ---- credits.c ---- */
struct ledger_entry {
	unsigned kind; /* 0 grant, 1 reserve, 2 capture, 3 release */
	int64_t balance_change, reserved_change, at_ms;
	const char *message_id, *note; /* borrowed; may be NULL */
};
struct credits_view {
	int64_t balance, reserved;
	struct db_rows ledger;        /* owns the strings of entries */
	struct ledger_entry *entries; /* newest first */
	size_t n;
	int has_next;
	char next_cursor[CURSOR_MAX];
};
lc_err credits_get(struct core *core, const struct principal *who, unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id, struct credits_view *out);
void credits_view_free(struct credits_view *v);

/* ---- invocations.c ---- */
struct invocation {
	const char *public_id, *action, *message_public_id, *event_public_id, *event_type;
	const char *event_campaign_id, *event_relationship_id;
	unsigned status, message_status, credits_reserved, credits_charged;
	int64_t created_ms, schedule_ms, event_ms;
	unsigned message_held_reason; /* enum pacing_reason while its message is held */
	int64_t message_next_slot_ms; /* -1: not paced */
};
/* invocations_get reads one invocation into v (one struct invocation; page_free in any
 * case). LC_ENOTFOUND. */
lc_err invocations_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);

/* ---- unsubscribe.c ---- */
struct unsub_view {
	char email[321];
	char sender[321];
	int already; /* the address was already suppressed in this workspace */
};
/* unsubscribe_lookup describes the recipient behind an unsubscribe token (GET shows it;
 * nothing changes). LC_ENOTFOUND for an unknown token. */
lc_err unsubscribe_lookup(struct core *core, const char *token, struct unsub_view *view);
/* unsubscribe_apply suppresses the recipient in the message's workspace; doing it again
 * changes nothing. */
lc_err unsubscribe_apply(struct core *core, const char *token, struct unsub_view *view);

/* ---- opens.c ---- */
/* opens_record counts the first fetch of a delivered message's tracking image.
 * LC_ENOTFOUND for a token that names no message. */
lc_err opens_record(struct core *core, const char *token);

/* ---- idempotency.c ---- */
enum idem_state { IDEM_NEW, IDEM_REPLAY, IDEM_IN_USE, IDEM_REUSED };
/* idempotency_begin claims key for this request (hash of method, path and body). When a
 * stored answer exists, IDEM_REPLAY with *status and *body (malloc'd; caller frees).
 * IDEM_NEW leaves the request transaction open (db_request_begin): the handler's writes
 * join it, and idempotency_finish must follow. */
lc_err idempotency_begin(struct core *core, const struct principal *who, const char *key,
    const unsigned char hash[32], enum idem_state *state, int *status, char **body, size_t *len);
/* idempotency_finish ends the request transaction of an IDEM_NEW: status < 500 stores the
 * answer (keep) or forgets the key (!keep: too large to keep) and commits with the
 * handler's writes; status >= 500 rolls everything back. LC_OK when it committed, or
 * rolled back a 5xx of a transaction still sound; LC_ERETRY or LC_EDBDOWN: a deadlock or a
 * lost connection ended it, nothing was committed, run the request again. */
lc_err idempotency_finish(struct core *core, const struct principal *who, const char *key,
    int status, int keep, const char *body, size_t len);

#endif
