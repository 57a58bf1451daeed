/* api.h: the JSON API front: its handlers and what they share, every failure mapped to
 * problem+json. Handlers take a struct http_ctx (src/http/dispatch.h); their routes are
 * rows of the one table in src/routes.c. */
#ifndef LC_API_H
#define LC_API_H

#include <jansson.h>

#include "core/core.h"
#include "core/sending.h"
#include "http/dispatch.h"

/* api_only_params answers 400 and returns -1 when the query has a key outside the
 * NULL-terminated list allowed. */
int api_only_params(struct http_ctx *ctx, const char *const *allowed);
/* api_no_params is api_only_params for a route that takes no query parameter at all. */
int api_no_params(struct http_ctx *ctx);

/* api_fail answers the problem for a core error; not_found_code names the 404 code
 * (http_fail under the API's name). */
void api_fail(struct http_ctx *ctx, lc_err e, const char *not_found_code);

/* api_bad_param answers 400 invalid_parameter for param with detail (http_bad_param). */
void api_bad_param(struct http_ctx *ctx, const char *param, const char *detail);

/* api_parse_limit_cursor reads limit (1..200, default 50) and cursor: *has_cursor, and the
 * position it names (*cursor_ms, *cursor_id > 0; both 0 without a cursor). A bad limit, or a
 * cursor this API did not return, is answered 400 invalid_parameter: -1 then. */
int api_parse_limit_cursor(
    struct http_ctx *ctx, unsigned *limit, int *has_cursor, int64_t *cursor_ms, int64_t *cursor_id);

/* api_time_or_null returns an RFC 3339 string for ms, or JSON null when ms < 0. New ref. */
json_t *api_time_or_null(int64_t ms);

/* api_read_no_fields reads the body of a route that takes none: empty or {}. 0, or -1
 * after answering (400/415 as api_read_json, 422 validation_failed naming a field). */
int api_read_no_fields(struct http_ctx *ctx);

/* A core delete of one object of the principal's workspace by its public id: LC_ENOTFOUND
 * when it has none by that id; other errors as api_fail maps them. */
typedef lc_err (*api_delete_fn)(struct core *core, const struct principal *who, const char *id);
/* api_delete_one answers a DELETE of the object the route's first capture names: 400 for any
 * query parameter, the error del returns (404 not_found_code when absent), else 204 with
 * no body. */
void api_delete_one(struct http_ctx *ctx, api_delete_fn del, const char *not_found_code);
/* api_send_page answers 200 with one page of a paged list, the one envelope of every list:
 * {"data", "total", "nextCursor": next_cursor when has_next, else null}. Takes data, an
 * array; NULL (out of memory) answers 500. */
void api_send_page(
    struct http_ctx *ctx, json_t *data, int64_t total, int has_next, const char *next_cursor);
/* api_send_whole_list answers 200 with a list read whole (a small, capped set: domains,
 * mailboxes, webhooks, a relationship's placements): {"data", "total": n, "nextCursor":
 * null}. Takes data, an array of n items; NULL (out of memory) answers 500. */
void api_send_whole_list(struct http_ctx *ctx, json_t *data, size_t n);
/* How one item of a page becomes its JSON object (NULL when out of memory). */
typedef json_t *(*api_item_json)(const void *item);
/* api_send_whole_page answers a list read whole into l: e is the read's result (an error is
 * answered by api_fail with not_found_code), else each of l's items (item_size bytes each)
 * through item_json, by api_send_whole_list. Frees l in every case. */
void api_send_whole_page(struct http_ctx *ctx, lc_err e, struct page *l, size_t item_size,
    api_item_json item_json, const char *not_found_code);
/* api_str_or_null returns a JSON string (or null for NULL). New reference. */
json_t *api_str_or_null(const char *s);

/* ---- api_body.c ---- */
/* api_fail_core answers the problem a core call described in fail (or, without a code,
 * the generic mapping of e). */
void api_fail_core(struct http_ctx *ctx, lc_err e, const struct core_fail *fail);
/* api_read_json reads the body and parses it as a JSON object (new reference); NULL after
 * answering 413/415/400. An empty body is {} when allow_empty. The body must be JSON by
 * http_body_is_json, else 415. */
json_t *api_read_json(struct http_ctx *ctx, int allow_empty);
/* api_only_keys answers 422 validation_failed naming the first key of obj outside allowed
 * (param is prefix.key) and returns -1. */
int api_only_keys(
    struct http_ctx *ctx, json_t *obj, const char *const *allowed, const char *prefix);
/* api_get_str borrows a string member (NULL when absent/null and optional); -1 after
 * answering 422 when it is required and missing, or not a string. */
int api_get_str(struct http_ctx *ctx, json_t *obj, const char *key, int required, const char **out,
    const char *param);
/* api_get_int reads an integer member in lo..hi: 1 when present, 0 when absent and
 * optional, -1 after answering 422. */
int api_get_int(struct http_ctx *ctx, json_t *obj, const char *key, int required, long long lo,
    long long hi, long long *out, const char *param);
/* api_requester names who acted (the key's workspace or account) for the records. */
void api_requester(const struct http_ctx *ctx, char *out, size_t len);
/* api_campaign_json renders a campaign's detail view (new reference). */
json_t *api_campaign_json(const struct campaign *c);

/* Handlers (api_campaigns.c, api_crm.c, api_health.c). ctx is a struct http_ctx. */
void api_campaign_list(void *ctx);
void api_campaign_get(void *ctx);
void api_campaign_metrics(void *ctx);
void api_crm_relationship_list(void *ctx);
void api_crm_relationship_get(void *ctx);
void api_placement_create(void *ctx); /* api_placements.c */
void api_placement_list(void *ctx);
void api_placement_update(void *ctx);
void api_placement_checks(void *ctx);
void api_campaign_create(void *ctx);
void api_campaign_add_relationships(void *ctx);
void api_campaign_pause(void *ctx);
void api_campaign_resume(void *ctx);
void api_campaign_cancel(void *ctx);
void api_campaign_launch(void *ctx);
void api_campaign_complete(void *ctx);
void api_campaign_send_email(void *ctx);
void api_invocation_get(void *ctx);
void api_campaign_respond(void *ctx);
void api_inbound_post(void *ctx);
void api_inbound_list(void *ctx);
void api_inbound_get(void *ctx);
void api_approval_list(void *ctx);
void api_approval_get(void *ctx);
void api_approval_approve(void *ctx);
void api_approval_reject(void *ctx);
void api_policy_get(void *ctx);
void api_policy_put(void *ctx);
void api_credits_get(void *ctx);
/* Account routes (api_workspaces.c, api_bulk.c): ctx->who is an agency key's principal
 * without a workspace. */
void api_workspaces_list(void *ctx);
void api_workspaces_bulk_action(void *ctx);
/* api_report.c: the client's report and its share links (docs/report.md) */
void api_report_get(void *ctx);
void api_report_export(void *ctx);
void api_report_share_create(void *ctx);
void api_report_share_list(void *ctx);
void api_report_share_delete(void *ctx);
void api_webhook_create(void *ctx);
void api_webhook_list(void *ctx);
void api_webhook_delete(void *ctx);
void api_webhook_deliveries(void *ctx);
void api_webhook_test(void *ctx);
/* Sender mailboxes (api_mailboxes.c, docs/mailboxes.md). */
void api_mailbox_create(void *ctx);
void api_mailbox_list(void *ctx);
void api_mailbox_get(void *ctx);
void api_mailbox_update(void *ctx);
void api_mailbox_delete(void *ctx);
void api_mailbox_resume(void *ctx);
/* POST /v1/mailboxes/{id}/pause {"reason"?}: paused by hand (mailboxes_pause). */
void api_mailbox_pause(void *ctx);
void api_mailbox_test(void *ctx);
void api_mailbox_test_get(void *ctx);
/* Sending domains and DKIM (api_domains.c, docs/dkim.md). */
void api_domain_create(void *ctx);
void api_domain_list(void *ctx);
void api_domain_get(void *ctx);
void api_domain_delete(void *ctx);
void api_domain_check(void *ctx);
void api_domain_add_ed25519(void *ctx);
void api_campaign_patch(void *ctx);
/* api_mailbox_ids reads the optional mailboxIds list of doc into ids (borrowed from doc,
 * at most max) and *n; -1 after answering 422. */
int api_mailbox_ids(struct http_ctx *ctx, json_t *doc, const char **ids, size_t max, size_t *n);
int api_mailbox_ids(struct http_ctx *ctx, json_t *doc, const char **ids, size_t max, size_t *n);
/* IMAP of a mailbox (api_mailbox_imap.c, docs/imap.md). api_imap_parse reads the optional
 * "imap" member of doc into in (strings borrowed; *given 0 when absent); -1 after
 * answering 422. */
struct imap_in;
struct imap_view;
int api_imap_parse(struct http_ctx *ctx, json_t *doc, struct imap_in *in, int *given);
/* api_imap_decorate sets imap, imapStatus, lastError and lastSyncAt on mailbox (borrowed;
 * NULL: nothing) from v when has, else as a mailbox without IMAP. */
void api_imap_decorate(json_t *mailbox, const struct imap_view *v, int has);
/* api_imap_one decorates mailbox (taken) with mailbox_id's IMAP read now; NULL when mailbox
 * is NULL or the read failed (mailbox is then released). */
json_t *api_imap_one(struct http_ctx *ctx, json_t *mailbox, int64_t mailbox_id);
/* api_campaign_mailboxes sets "mailboxIds" of campaign (a campaign's JSON; borrowed) to the
 * public ids of the mailboxes campaign id sends from. */
void api_campaign_mailboxes(struct http_ctx *ctx, json_t *campaign, int64_t id);
void api_healthz(void *ctx);
void api_readyz(void *ctx);
/* The API reference (api_openapi.c, docs/openapi.md): the embedded OpenAPI document as
 * JSON, and its rendered page; public, with an ETag. */
void api_openapi_get(void *ctx);
void api_docs_page(void *ctx);

/* api_inbound_json renders an inbound message (api_inbound.c; full adds references and
 * text). New reference, NULL on out of memory. */
struct inbound_view;
json_t *api_inbound_json(const struct inbound_view *v, int full);
/* Triage of unmatched mail (api_triage.c, docs/inbound.md). */
void api_triage_list(void *ctx);
void api_triage_match(void *ctx);
void api_triage_match_unsubscribe(void *ctx);
void api_triage_dismiss(void *ctx);
/* Do-not-email (api_suppressions.c, docs/suppressions.md). */
void api_suppression_list(void *ctx);
void api_suppression_create(void *ctx);
void api_suppression_delete(void *ctx);
void api_suppression_export(void *ctx);
void api_suppression_import(void *ctx);

#endif
