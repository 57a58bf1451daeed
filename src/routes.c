/* routes.c: the one routing table of linkcamp-fcgi — the JSON API, the HTML pages and
 * /mcp — that src/http/dispatch.c matches every request against. It is wiring, like the
 * programs: the only file that names the handlers of every front, so that no front names
 * another and src/http names none. The most specific pattern names a path (router.c), so
 * the order of the rows only orders a 405's Allow list; keep each front's rows together.
 * How to add a route: docs/architecture.md. */
#include "api/api.h"
#include "api/api_metrics.h"
#include "mcp/mcp.h"
#include "ui/ui.h"

const struct route http_routes[] = {
    /* ---- the JSON API (src/api): problem+json answers, bearer keys ---- */
    {"GET", "/healthz", api_healthz, AUTH_NONE},
    {"GET", "/readyz", api_readyz, AUTH_NONE},
    {"GET", "/metrics", api_metrics, AUTH_NONE}, /* its own access rule (api_metrics.c) */
    {"GET", "/v1/openapi.json", api_openapi_get, AUTH_NONE}, /* docs/openapi.md */
    {"GET", "/docs/api", api_docs_page, AUTH_NONE},
    {"GET", "/v1/link-building/campaign", api_campaign_list, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/campaign/{id}", api_campaign_get, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/campaign/{id}/metrics", api_campaign_metrics, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/crm/relationship", api_crm_relationship_list, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/crm/relationship/{id}", api_crm_relationship_get, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/relationship/{id}/placement", api_placement_create, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/relationship/{id}/placement", api_placement_list, AUTH_WORKSPACE},
    {"PATCH", "/v1/link-building/relationship/{id}/placement/{pid}", api_placement_update,
        AUTH_WORKSPACE},
    {"GET", "/v1/link-building/relationship/{id}/placement/{pid}/checks", api_placement_checks,
        AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign", api_campaign_create, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/relationships", api_campaign_add_relationships,
        AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/pause", api_campaign_pause, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/resume", api_campaign_resume, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/cancel", api_campaign_cancel, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/launch", api_campaign_launch, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/complete", api_campaign_complete, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/{id}/send-email", api_campaign_send_email, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/campaign/respond", api_campaign_respond, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/inbound", api_inbound_post, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/inbound", api_inbound_list, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/inbound/{id}", api_inbound_get, AUTH_WORKSPACE},
    {"GET", "/v1/invocations/{id}", api_invocation_get, AUTH_WORKSPACE},
    {"GET", "/v1/approvals", api_approval_list, AUTH_WORKSPACE},
    {"GET", "/v1/approvals/{id}", api_approval_get, AUTH_WORKSPACE},
    {"POST", "/v1/approvals/{id}/approve", api_approval_approve, AUTH_WORKSPACE},
    {"POST", "/v1/approvals/{id}/reject", api_approval_reject, AUTH_WORKSPACE},
    {"GET", "/v1/workspace/policy", api_policy_get, AUTH_WORKSPACE},
    {"PUT", "/v1/workspace/policy", api_policy_put, AUTH_WORKSPACE},
    {"GET", "/v1/credits", api_credits_get, AUTH_WORKSPACE},
    {"GET", "/v1/workspaces", api_workspaces_list, AUTH_ACCOUNT},
    {"POST", "/v1/workspaces/bulk-action", api_workspaces_bulk_action, AUTH_ACCOUNT},
    {"POST", "/v1/webhooks", api_webhook_create, AUTH_WORKSPACE},
    {"GET", "/v1/webhooks", api_webhook_list, AUTH_WORKSPACE},
    {"DELETE", "/v1/webhooks/{id}", api_webhook_delete, AUTH_WORKSPACE},
    {"GET", "/v1/webhooks/{id}/deliveries", api_webhook_deliveries, AUTH_WORKSPACE},
    {"POST", "/v1/webhooks/{id}/test", api_webhook_test, AUTH_WORKSPACE},
    {"PATCH", "/v1/link-building/campaign/{id}", api_campaign_patch, AUTH_WORKSPACE},
    {"POST", "/v1/mailboxes", api_mailbox_create, AUTH_WORKSPACE},
    {"GET", "/v1/mailboxes", api_mailbox_list, AUTH_WORKSPACE},
    {"GET", "/v1/mailboxes/{id}", api_mailbox_get, AUTH_WORKSPACE},
    {"PATCH", "/v1/mailboxes/{id}", api_mailbox_update, AUTH_WORKSPACE},
    {"DELETE", "/v1/mailboxes/{id}", api_mailbox_delete, AUTH_WORKSPACE},
    {"POST", "/v1/mailboxes/{id}/resume", api_mailbox_resume, AUTH_WORKSPACE},
    {"POST", "/v1/mailboxes/{id}/pause", api_mailbox_pause, AUTH_WORKSPACE},
    {"POST", "/v1/mailboxes/{id}/test", api_mailbox_test, AUTH_WORKSPACE},
    {"GET", "/v1/mailboxes/{id}/tests/{test}", api_mailbox_test_get, AUTH_WORKSPACE},
    {"POST", "/v1/domains", api_domain_create, AUTH_WORKSPACE},
    {"GET", "/v1/domains", api_domain_list, AUTH_WORKSPACE},
    {"GET", "/v1/domains/{id}", api_domain_get, AUTH_WORKSPACE},
    {"DELETE", "/v1/domains/{id}", api_domain_delete, AUTH_WORKSPACE},
    {"GET", "/v1/domains/{id}/check", api_domain_check, AUTH_WORKSPACE},
    {"POST", "/v1/domains/{id}/ed25519", api_domain_add_ed25519, AUTH_WORKSPACE},
    {"GET", "/v1/inbound/unmatched", api_triage_list, AUTH_WORKSPACE},
    {"POST", "/v1/inbound/unmatched/{id}/match", api_triage_match, AUTH_WORKSPACE},
    {"POST", "/v1/inbound/unmatched/{id}/match-and-unsubscribe", api_triage_match_unsubscribe,
        AUTH_WORKSPACE},
    {"POST", "/v1/inbound/unmatched/{id}/dismiss", api_triage_dismiss, AUTH_WORKSPACE},
    {"GET", "/v1/suppressions", api_suppression_list, AUTH_WORKSPACE},
    {"POST", "/v1/suppressions", api_suppression_create, AUTH_WORKSPACE},
    {"DELETE", "/v1/suppressions", api_suppression_delete, AUTH_WORKSPACE},
    {"GET", "/v1/suppressions/export", api_suppression_export, AUTH_WORKSPACE},
    {"POST", "/v1/suppressions/import", api_suppression_import, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/report", api_report_get, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/report/export", api_report_export, AUTH_WORKSPACE},
    {"POST", "/v1/link-building/report/shares", api_report_share_create, AUTH_WORKSPACE},
    {"GET", "/v1/link-building/report/shares", api_report_share_list, AUTH_WORKSPACE},
    {"DELETE", "/v1/link-building/report/shares/{id}", api_report_share_delete, AUTH_WORKSPACE},

    /* ---- the HTML pages (src/ui): every state change is a POST; every GET only reads
     * (a session's idle deadline aside). The pages check their own sessions. ---- */
    {"GET", "/u/{token}", ui_unsubscribe_get, AUTH_NONE},
    {"POST", "/u/{token}", ui_unsubscribe_post, AUTH_NONE},
    {"GET", "/t/o/{file}", ui_open_pixel, AUTH_NONE},
    {"GET", "/app", ui_app_root, AUTH_NONE},
    {"GET", "/app/", ui_app_home, AUTH_NONE},
    {"GET", "/app/login", ui_login_get, AUTH_NONE},
    {"POST", "/app/login", ui_login_post, AUTH_NONE},
    {"POST", "/app/logout", ui_logout_post, AUTH_NONE},
    {"GET", "/app/set-password/{token}", ui_set_password_get, AUTH_NONE},
    {"POST", "/app/set-password/{token}", ui_set_password_post, AUTH_NONE},
    {"GET", "/app/w/{ws}/approvals", ui_queue_get, AUTH_NONE},
    {"POST", "/app/w/{ws}/approvals", ui_queue_post, AUTH_NONE},
    {"GET", "/app/w/{ws}/approvals/{id}", ui_message_get, AUTH_NONE},
    {"POST", "/app/w/{ws}/approvals/{id}/approve", ui_message_approve, AUTH_NONE},
    {"POST", "/app/w/{ws}/approvals/{id}/reject", ui_message_reject, AUTH_NONE},
    {"GET", "/app/w/{ws}/campaigns", ui_campaigns_get, AUTH_NONE},
    {"GET", "/app/w/{ws}/campaigns/{id}", ui_campaign_get, AUTH_NONE},
    {"POST", "/app/w/{ws}/campaigns/{id}/pause", ui_campaign_pause, AUTH_NONE},
    {"POST", "/app/w/{ws}/campaigns/{id}/resume", ui_campaign_resume, AUTH_NONE},
    {"GET", "/app/w/{ws}/activity", ui_activity_get, AUTH_NONE},
    {"GET", "/app/w/{ws}/mailboxes", ui_mailboxes_get, AUTH_NONE},
    {"GET", "/app/w/{ws}/mailboxes/{id}", ui_mailbox_get, AUTH_NONE},
    {"POST", "/app/w/{ws}/mailboxes/{id}", ui_mailbox_post, AUTH_NONE},
    {"POST", "/app/w/{ws}/mailboxes/{id}/pause", ui_mailbox_pause, AUTH_NONE},
    {"POST", "/app/w/{ws}/mailboxes/{id}/resume", ui_mailbox_resume, AUTH_NONE},
    {"GET", "/app/w/{ws}/unmatched", ui_triage_get, AUTH_NONE},
    {"POST", "/app/w/{ws}/unmatched/{id}", ui_triage_post, AUTH_NONE},
    {"GET", "/app/w/{ws}/report", ui_report_get, AUTH_NONE},
    {"GET", "/app/w/{ws}/report/export", ui_report_export, AUTH_NONE},
    {"GET", "/app/w/{ws}/campaigns/{id}/report", ui_report_campaign_get, AUTH_NONE},
    {"GET", "/app/w/{ws}/campaigns/{id}/report/export", ui_report_campaign_export, AUTH_NONE},
    {"POST", "/app/w/{ws}/report/shares", ui_report_share_post, AUTH_NONE},
    {"POST", "/app/w/{ws}/report/shares/{id}/revoke", ui_report_share_revoke, AUTH_NONE},
    {"GET", "/r/{token}", ui_report_public_get, AUTH_NONE},
    {"GET", "/r/{token}/export", ui_report_public_export, AUTH_NONE},

    /* ---- the MCP endpoint (src/mcp): it checks Origin and Host before the key ---- */
    {"POST", "/mcp", mcp_http_post, AUTH_NONE},
};

const size_t http_nroutes = sizeof(http_routes) / sizeof(http_routes[0]);

/* The read endpoints dashboards poll go through the response cache (src/http/cache.c);
 * their handlers set fresh_until_ms, and every write that could change their answers
 * moves the workspace's data version. */
int
http_route_cached(const struct route *r)
{
	return r->handler == api_campaign_list || r->handler == api_campaign_get ||
	       r->handler == api_campaign_metrics;
}
