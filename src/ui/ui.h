/* ui.h: the HTML front. Pages are mustache templates from templates/, every value
 * HTML-escaped, sent with the security headers of SPEC §8. */
#ifndef LC_UI_H
#define LC_UI_H

#include <jansson.h>
#include "core/core.h"
#include "http/http.h"
#include "util/config.h"

/* ui_init copies the pages' settings from cfg ([app] secure_cookies, session timeouts,
 * login throttling). Call once at start-up, before the threads; until then the defaults
 * of config_load apply. */
void ui_init(const struct config *cfg);

/* ui_page renders templates_dir/name.html with ctx (borrowed; may be NULL) inside
 * layout.html and sends it with status. A missing or broken template is a plain 500 page. */
void ui_page(
    struct core *core, struct http_request *req, int status, const char *name, json_t *ctx);
/* ui_page_ex is ui_page with more header lines (CRLF-terminated; may be NULL), such as
 * Set-Cookie or Retry-After. */
void ui_page_ex(struct core *core, struct http_request *req, int status, const char *name,
    json_t *ctx, const char *extra_headers);
/* ui_redirect answers 303 See Other to location (a path of this site) with the page
 * headers and extra_headers (may be NULL). */
void ui_redirect(struct http_request *req, const char *location, const char *extra_headers);

/* Handlers (ui_unsubscribe.c); ctx is a struct http_ctx (src/http/dispatch.h). Their
 * routes are rows of the one table in src/routes.c. */
void ui_unsubscribe_get(void *ctx);
void ui_unsubscribe_post(void *ctx);
void ui_open_pixel(void *ctx);

/* Handlers of the approval pages under /app/ (ui_login.c, ui_approvals.c,
 * ui_campaigns.c, ui_activity.c); ctx is a struct http_ctx. */
void ui_app_root(void *ctx);
void ui_app_home(void *ctx);
void ui_login_get(void *ctx);
void ui_login_post(void *ctx);
void ui_logout_post(void *ctx);
void ui_set_password_get(void *ctx);
void ui_set_password_post(void *ctx);
void ui_queue_get(void *ctx);
void ui_queue_post(void *ctx);
void ui_message_get(void *ctx);
void ui_message_approve(void *ctx);
void ui_message_reject(void *ctx);
void ui_campaigns_get(void *ctx);
void ui_campaign_get(void *ctx);
void ui_campaign_pause(void *ctx);
void ui_campaign_resume(void *ctx);
void ui_activity_get(void *ctx);
/* ui_mailboxes.c: the sender mailboxes, read-only */
void ui_mailboxes_get(void *ctx);
/* One mailbox: everyone reads it, an admin edits, pauses and resumes it
 * (ui_mailbox_edit.c). */
void ui_mailbox_get(void *ctx);
void ui_mailbox_post(void *ctx);
void ui_mailbox_pause(void *ctx);
void ui_mailbox_resume(void *ctx);
/* ui_triage.c: unmatched inbound mail and the decisions on it */
void ui_triage_get(void *ctx);
void ui_triage_post(void *ctx);
/* ui_report.c: the client's report, its CSV, its share links; ui_report_public.c: the
 * report behind a share link, without an account (docs/report.md) */
void ui_report_get(void *ctx);
void ui_report_export(void *ctx);
void ui_report_campaign_get(void *ctx);
void ui_report_campaign_export(void *ctx);
void ui_report_share_post(void *ctx);
void ui_report_share_revoke(void *ctx);
void ui_report_public_get(void *ctx);
void ui_report_public_export(void *ctx);

#endif
