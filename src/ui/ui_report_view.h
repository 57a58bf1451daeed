/* ui_report_view.h: the client's report as a page context, shared by the signed-in page
 * (ui_report.c) and the share link's page (ui_report_public.c) so that both show the same
 * report. Only src/ui includes this. */
#ifndef LC_UI_REPORT_VIEW_H
#define LC_UI_REPORT_VIEW_H

#include <jansson.h>
#include "core/report.h"
#include "http/dispatch.h"

/* ui_report_fill adds the report r (borrowed) to page: the funnel, the verdict counts,
 * every placement, the empty states; campaign links go to the signed-in campaign reports
 * unless public is set. 0, or -1 when out of memory. */
int ui_report_fill(json_t *page, const struct report *r, const char *ws_id, int public);

/* ui_report_send_csv answers r as CSV, as an attachment named after the scope, with
 * extra_headers (CRLF-terminated lines, may be NULL). */
void ui_report_send_csv(struct http_ctx *ctx, const struct report *r, const char *extra_headers);

#endif
