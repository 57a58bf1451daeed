/* core.h: the one core every front (JSON API, MCP, pages, CLI) calls. Types and
 * functions here know nothing of HTTP, JSON or HTML; they validate business rules and
 * call the store. */
#ifndef LC_CORE_H
#define LC_CORE_H

#include <stddef.h>
#include <stdint.h>
#include "core/paging.h"
#include "db/db.h"
#include "util/cursor.h"
#include "util/err.h"
#include "util/ids.h"

/* Per-thread context: a database connection and the settings rules depend on. */
struct core {
	struct db *db;
	unsigned no_response_days;
	unsigned key_cache_seconds;
	const char *public_url;    /* base URL for links we hand out (approval URLs) */
	const char *templates_dir; /* HTML templates of the pages */
	int webhook_allow_http;    /* [webhooks] allow_http: accept http:// webhook URLs */
};

enum campaign_type { CAMPAIGN_SERP = 0, CAMPAIGN_COMPETITOR, CAMPAIGN_CUSTOM, CAMPAIGN_NTYPES };
enum campaign_status {
	CSTATUS_DRAFT = 0,
	CSTATUS_ACTIVE,
	CSTATUS_PAUSED,
	CSTATUS_COMPLETED,
	CSTATUS_CANCELLED,
	CSTATUS_N
};
/* Stored relationship statuses, then the derived REL_NO_RESPONSE. */
enum rel_status {
	REL_PROSPECT = 0,
	REL_AWAITING_APPROVAL,
	REL_SCHEDULED,
	REL_SENT,
	REL_OPENED,
	REL_REPLIED,
	REL_LINK_PLACED,
	REL_BOUNCED,
	REL_UNSUBSCRIBED,
	REL_DECLINED,
	REL_NO_RESPONSE,
	REL_NSTATUS
};

/* Name tables (static strings) and reverse lookups (-1 when unknown). */
const char *campaign_type_name(unsigned type);
const char *campaign_type_prefix(unsigned type);
int campaign_type_from_name(const char *s, size_t len);
const char *campaign_status_name(unsigned status);
int campaign_status_from_name(const char *s, size_t len);
const char *rel_status_name(unsigned status);
int rel_status_from_name(const char *s, size_t len);

/* ---- versions.c: the data version behind the API's response cache ---- */
struct principal;
/* data_changed_tx moves the workspace's data version, inside the caller's transaction
 * (which holds the workspace row from then until it ends). Every change to campaigns,
 * their counters, aggregates, notes or relationships must call it, or be recorded by
 * events_record(), which does. contacted is the change in the workspace's count of
 * relationships whose stored status is sent or opened (011): events_record passes what
 * its status changes did, everyone else 0. */
lc_err data_changed_tx(struct db *db, int64_t workspace_id, int contacted);
/* data_version reads the principal's workspace's data version (one primary-key read).
 * Read it before the data it guards. LC_ENOTFOUND when the workspace is gone. */
lc_err data_version(struct core *core, const struct principal *who, uint64_t *version);

/* core_ready checks the database with one round trip (ready.c). */
lc_err core_ready(struct core *core);
/* core_schema_check opens its own connection to cfg's database and refuses
 * (LC_ECONFLICT, or the error met reading schema_migrations) when a migration in
 * cfg->sql_dir is not applied, saying why into why (size why_len). An unreachable
 * database is LC_OK with a note in why: starting without a database is allowed. */
lc_err core_schema_check(const struct config *cfg, char *why, size_t why_len);

/* ---- auth.c ---- */

struct principal {
	int64_t account_id;
	int64_t workspace_id; /* 0 until a workspace is chosen */
	char workspace_public[ID_MAX];
	int account_key; /* 1 for an agency (account-level) key */
	int can_approve;
};

/* auth_key resolves a bearer key. For an account key, ws (may be NULL) selects the
 * workspace. Errors: LC_EAUTH (unknown or revoked key), LC_ENOTFOUND (ws not in the
 * account), LC_EFORBIDDEN (a workspace key naming another workspace), database errors. */
lc_err auth_key(struct core *core, const char *key, size_t keylen, const char *ws, size_t wslen,
    struct principal *out);

/* ---- campaigns.c ---- */

struct campaign {
	int64_t id;
	const char *public_id, *name, *target_url, *sender, *pause_reason; /* borrowed */
	unsigned type, status;
	int64_t created_ms, updated_ms, paused_ms; /* paused_ms < 0: not paused */
	int64_t drafts, sent, delivered, opened, replied, placed, pending_approvals;
};

struct campaign_query {
	unsigned type_mask;   /* bits (1 << enum campaign_type); 0 = all */
	unsigned status_mask; /* bits (1 << enum campaign_status); 0 = all */
	int64_t since_ms;     /* < 0: no lower bound */
	const char *q;        /* name contains (UTF-8), or NULL */
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	unsigned limit; /* 1..200 */
};

/* campaigns_list fills page (items: struct campaign; free with page_free) with one page,
 * newest first. */
lc_err campaigns_list(struct core *core, const struct principal *who,
    const struct campaign_query *q, struct page *page);

/* campaigns_get reads one campaign of the principal's workspace into v (one struct
 * campaign; free with page_free in any case). LC_ENOTFOUND when absent or another
 * workspace's. */
lc_err campaigns_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);

/* campaigns_get_detail is campaigns_get that also reads the campaign's mailboxes, in the
 * same statement: *n public ids (not deleted, oldest first) into ids[0..max), borrowed
 * from v. LC_ENOTFOUND as campaigns_get; LC_ENOMEM when the campaign has more than max. */
lc_err campaigns_get_detail(struct core *core, const struct principal *who, const char *public_id,
    struct page *v, const char **ids, size_t max, size_t *n);

/* campaigns_filter_id turns a campaignId list filter into the internal id (0 and *none 0
 * for a NULL public_id: no filter). *none is 1 when it names no campaign of the
 * workspace: the filtered list is then simply empty. Database errors. */
lc_err campaigns_filter_id(
    struct core *core, const struct principal *who, const char *public_id, int64_t *id, int *none);

struct prospect_in {
	const char *domain, *contact_name, *contact_email;
};

struct campaign_new {
	unsigned type;
	const char *name, *target_url, *sender, *subject, *body;
	const struct prospect_in *prospects;
	size_t nprospects;
	int64_t created_ms; /* 0: now */
};

/* ---- metrics.c ---- */

/* metrics_rate returns num/den in hundredths rounded half-up; 0 when den is 0. */
unsigned metrics_rate(int64_t num, int64_t den);

struct campaign;
/* metrics_rates writes a campaign's openRate, replyRate and placementRate in hundredths:
 * its opened, replied and placed counters over sent, by metrics_rate. The one rule for
 * the metrics summary and the list items. */
void metrics_rates(const struct campaign *c, unsigned *open, unsigned *reply, unsigned *placement);

enum timeline_kind {
	TL_CAMPAIGN_CREATED = 0,
	TL_DRAFTS_READY,
	TL_APPROVALS_COMPLETED,
	TL_EMAILS_SENT,
	TL_FIRST_REPLY,
	TL_FIRST_LINK_PLACED,
	TL_CAMPAIGN_PAUSED,
	TL_CAMPAIGN_RESUMED,
	TL_NKINDS
};
const char *timeline_kind_name(unsigned kind);
/* timeline_kind_counted is 1 for kinds that carry a count. */
int timeline_kind_counted(unsigned kind);

struct timeline_entry {
	char date[11];
	unsigned kind;
	int64_t count;
	const char *reason; /* borrowed; NULL when none */
};

struct domain_entry {
	const char *domain;   /* borrowed */
	unsigned status;      /* enum rel_status */
	const char *link_url; /* borrowed; NULL unless placed */
};

struct metrics {
	struct page campaign_one;          /* owns campaign's strings */
	struct db_rows day_rows, rel_rows; /* own the strings of the rest */
	struct campaign campaign;
	int64_t drafted, sent, delivered, opened, replied, placed;
	unsigned open_rate, reply_rate, placement_rate; /* hundredths */
	struct timeline_entry *timeline;
	size_t ntimeline;
	struct domain_entry *by_domain;
	size_t ndomains;
	int64_t stable_until_ms; /* when time alone next changes the answer (no_response) */
};

/* metrics_get assembles a campaign's metrics from counters and per-day aggregates.
 * Free with metrics_free. LC_ENOTFOUND as campaigns_get. */
lc_err metrics_get(
    struct core *core, const struct principal *who, const char *public_id, struct metrics *m);
void metrics_free(struct metrics *m);

/* metrics_domain_rank orders statuses for merging several contacts of one domain. */
int metrics_domain_rank(unsigned status);

/* ---- relationships.c ---- */

struct relationship {
	int64_t id, campaign_id;
	const char *public_id, *campaign_public_id, *domain, *contact_name, *contact_email,
	    *link_url; /* borrowed */
	unsigned status;
	int64_t last_contacted_ms, last_reply_ms, created_ms; /* < 0: never */
};

struct rel_query {
	const char *campaign_id; /* public id, or NULL */
	const char *domain;
	unsigned status_mask; /* bits (1 << enum rel_status); 0 = all */
	const char *q;
	int has_cursor;
	int64_t cursor_ms, cursor_id;
	unsigned limit;
};

/* relationships_list fills page (items: struct relationship; free with page_free). An
 * unknown campaignId is an empty page, not an error: it filters. */
lc_err relationships_list(
    struct core *core, const struct principal *who, const struct rel_query *q, struct page *page);
/* relationships_get reads one relationship into v (one struct relationship; page_free in
 * any case). LC_ENOTFOUND. */
lc_err relationships_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *v);
/* relationship_from_row reads row i of a store relationship result. */
void relationship_from_row(const struct db_rows *rows, size_t i, struct relationship *r);

/* ---- events.c ---- */

enum event_type {
	EV_CAMPAIGN_CREATED = 0,
	EV_DRAFT_CREATED,
	EV_APPROVAL_COMPLETED,
	EV_EMAIL_SENT,
	EV_EMAIL_OPENED,
	EV_REPLY_RECEIVED,
	EV_LINK_PLACED,
	EV_EMAIL_BOUNCED,
	EV_CAMPAIGN_PAUSED,
	EV_CAMPAIGN_RESUMED,
	EV_APPROVAL_REQUESTED,
	EV_APPROVAL_REJECTED,
	EV_MESSAGE_SCHEDULED,
	EV_CAMPAIGN_CANCELLED,
	EV_CAMPAIGN_COMPLETED,
	EV_UNSUBSCRIBED,
	EV_LINK_LOST,
	EV_NTYPES
};
const char *event_type_name(unsigned type);

struct event_in {
	enum event_type type;
	int64_t workspace_id, campaign_id, relationship_id; /* relationship 0: none */
	const char *message_id;                             /* public out_ id, or NULL */
	int64_t at_ms;
	const char *detail;    /* pause reason or placed/lost link URL, or NULL */
	const char *public_id; /* an evt_ id made by the caller beforehand, or NULL: a new one */
	/* 1: the caller's transaction has moved the workspace's data version already (its
	 * credit reservation or release did: store_credit_move_touch), so events_record moves it
	 * again only when the contacted count changes too (one statement less) */
	int version_moved;
};

/* events_record appends the event and moves every counter, stamp and per-day aggregate
 * it implies. Must run inside the caller's transaction. event_id (may be NULL) receives
 * the public id. It takes the hot rows (the campaign's day aggregate, the workspace's
 * data version) last, so callers should record events late in their transactions. */
lc_err events_record(struct db *db, const struct event_in *ev, char event_id[ID_MAX]);
/* events_reply_counts says whether a human reply from the relationship would count in the
 * funnel (core/funnel.h: only once it was sent something), locking its row. */
lc_err events_reply_counts(struct db *db, int64_t rel_id, int *yes);
/* events_record_sent records n (1..STORE_BATCH_MAX) email_sent events at once, as n
 * calls of events_record would, in a few statements (the worker's delivery record). The
 * events share at_ms, and each carries its public_id and relationship; LC_EINVAL
 * otherwise, LC_ENOTFOUND if a relationship is gone. events_record of one email_sent
 * comes here, so this is the only place that says what sending moves. */
lc_err events_record_sent(struct db *db, const struct event_in *evs, size_t n);

/* ---- workspaces.c: an agency's workspaces ---- */

struct workspace_info {
	int64_t id;
	const char *public_id, *name; /* borrowed from the page's rows */
	int64_t created_ms;
	int64_t credits_balance, credits_reserved, relationships, campaigns, active_campaigns;
};

/* workspaces_list fills page (items: struct workspace_info; free with page_free, also
 * after an error) with up to limit (1..200) workspaces of the principal's account, newest first,
 * after the cursor position when has_cursor. LC_EFORBIDDEN for a workspace key; database errors. */
lc_err workspaces_list(struct core *core, const struct principal *who, unsigned limit,
    int has_cursor, int64_t cursor_ms, int64_t cursor_id, struct page *page);

/* workspaces_principal makes in out the principal of who (an account key) acting on the
 * account's workspace public_id (borrowed). LC_ENOTFOUND when public_id is malformed, does
 * not exist or belongs to another account (indistinguishable); LC_EFORBIDDEN for a
 * workspace key; database errors. */
lc_err workspaces_principal(
    struct core *core, const struct principal *who, const char *public_id, struct principal *out);
/* workspaces_principal_of makes the principal of who acting on a workspace already known
 * to be of its account (internal id and public id). Cannot fail. */
void workspaces_principal_of(const struct principal *who, int64_t workspace_id,
    const char *public_id, struct principal *out);

/* ---- admin.c (operator actions behind the CLI) ---- */

lc_err admin_account_create(struct core *core, const char *name, char out_id[ID_MAX]);
lc_err admin_workspace_create(
    struct core *core, const char *account_public, const char *name, char out_id[ID_MAX]);
/* admin_key_create makes a key for a workspace (ws_public) or, when ws_public is NULL,
 * for the account. The secret is written to key_out and never stored. */
lc_err admin_key_create(struct core *core, const char *account_public, const char *ws_public,
    const char *name, int can_approve, char key_out[KEY_MAX]);
/* admin_key_revoke revokes the key (the secret itself, len bytes): API requests with it are
 * 401 once every linkcamp-fcgi thread's cache of it has expired (key_cache_seconds).
 * LC_ENOTFOUND when no live key matches. */
lc_err admin_key_revoke(struct core *core, const char *key, size_t len);
lc_err admin_credits_grant(struct core *core, const char *ws_public, int64_t amount);
/* admin_principal_for builds the principal of a workspace for operator actions. */
lc_err admin_principal_for(struct core *core, const char *ws_public, struct principal *out);

#endif
