/* names.c: the wire names of the enumerated values core.h and sending.h declare — campaign
 * types and statuses, relationship statuses, message kinds and statuses, invocation
 * statuses, ledger kinds, event types and timeline kinds — in one place, each with its
 * reverse where the API reads it.
 *
 * The enums of one module keep their names beside them, in the file that owns the enum, so
 * that this file does not include every module's header and a module's enum and its names
 * change together: decision kinds (decisions.c), user roles (users.c), inbound classes and
 * match methods (inbound.c), triage decisions (inbound_triage.c), webhook events
 * (webhooks.c), mailbox security and IMAP states (mailboxes.c, mailbox_imap.c), pacing
 * reasons and days (pacing.c), placement statuses, verdicts and rels (placements.c,
 * placement_verdict.c), report verdicts (report.c), delivery outcomes (delivery.c) and
 * MIME classes (src/mail/mime.c). */
#include <string.h>

#include "core/core.h"

static const char *const type_names[] = {"serp", "competitor", "custom"};
static const char *const type_prefixes[] = {"scmp_", "ccmp_", "xcmp_"};
static const char *const status_names[] = {"draft", "active", "paused", "completed", "cancelled"};
static const char *const rel_names[] = {"prospect", "awaiting_approval", "scheduled", "sent",
    "opened", "replied", "link_placed", "bounced", "unsubscribed", "declined", "no_response"};

static const char *const event_names[] = {"campaign_created", "draft_created", "approval_completed",
    "email_sent", "email_opened", "reply_received", "link_placed", "email_bounced",
    "campaign_paused", "campaign_resumed", "approval_requested", "approval_rejected",
    "message_scheduled", "campaign_cancelled", "campaign_completed", "unsubscribed", "link_lost"};

static const char *const timeline_names[] = {"campaign_created", "drafts_ready",
    "approvals_completed", "emails_sent", "first_reply", "first_link_placed", "campaign_paused",
    "campaign_resumed"};

static int lookup(const char *const *names, size_t n, const char *s, size_t len);

static int
lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *
campaign_type_name(unsigned type)
{
	return type < CAMPAIGN_NTYPES ? type_names[type] : "custom";
}

const char *
campaign_type_prefix(unsigned type)
{
	return type < CAMPAIGN_NTYPES ? type_prefixes[type] : "xcmp_";
}

int
campaign_type_from_name(const char *s, size_t len)
{
	return lookup(type_names, CAMPAIGN_NTYPES, s, len);
}

const char *
campaign_status_name(unsigned status)
{
	return status < CSTATUS_N ? status_names[status] : "draft";
}

int
campaign_status_from_name(const char *s, size_t len)
{
	return lookup(status_names, CSTATUS_N, s, len);
}

const char *
rel_status_name(unsigned status)
{
	return status < REL_NSTATUS ? rel_names[status] : "prospect";
}

int
rel_status_from_name(const char *s, size_t len)
{
	return lookup(rel_names, REL_NSTATUS, s, len);
}

/* ---- sending ---- */
#include "core/sending.h"

static const char *const kind_names[] = {
    "draft", "send_email", "respond", "auto_response", "follow_up"};
static const char *const msg_status_names[] = {"awaiting_approval", "scheduled", "sending", "sent",
    "failed", "unknown", "rejected", "cancelled", "held", "deferred", "bounced", "suppressed"};
static const char *const inv_status_names[] = {
    "awaiting_approval", "scheduled", "completed", "rejected", "failed", "cancelled", "unknown"};

const char *
msg_kind_name(unsigned kind)
{
	return kind < MSG_NKINDS ? kind_names[kind] : "send_email";
}

int
msg_kind_from_name(const char *s, size_t len)
{
	return lookup(kind_names, MSG_NKINDS, s, len);
}

const char *
msg_status_name(unsigned status)
{
	return status < MS_N ? msg_status_names[status] : "unknown";
}

int
msg_status_from_name(const char *s, size_t len)
{
	return lookup(msg_status_names, MS_N, s, len);
}

const char *
inv_status_name(unsigned status)
{
	return status < INV_N ? inv_status_names[status] : "unknown";
}

unsigned
inv_status_of(unsigned msg_status)
{
	switch (msg_status) {
	case MS_AWAITING_APPROVAL: return INV_AWAITING_APPROVAL;
	case MS_SENT: return INV_COMPLETED;
	case MS_BOUNCED:
		return INV_COMPLETED; /* it was sent (and charged); the bounce came later */
	case MS_FAILED: return INV_FAILED;
	case MS_UNKNOWN: return INV_UNKNOWN;
	case MS_REJECTED: return INV_REJECTED;
	case MS_CANCELLED: return INV_CANCELLED;
	case MS_SUPPRESSED: return INV_CANCELLED; /* never sent, nothing charged */
	default: return INV_SCHEDULED;            /* scheduled, sending, held, deferred */
	}
}

const char *
ledger_kind_name(unsigned kind)
{
	static const char *const names[] = {"grant", "reserve", "capture", "release"};

	return kind < 4 ? names[kind] : "unknown";
}

const char *
event_type_name(unsigned type)
{
	return type < EV_NTYPES ? event_names[type] : "unknown";
}

const char *
timeline_kind_name(unsigned kind)
{
	return kind < TL_NKINDS ? timeline_names[kind] : "unknown";
}
