/* ui.h: the HTML front. Pages are mustache templates from templates/, every value
 * HTML-escaped, sent with the security headers of SPEC §8. */
#ifndef LC_UI_H
#define LC_UI_H

#include <jansson.h>
#include "core/core.h"
#include "http/http.h"
#include "http/router.h"

/* The pages' routing table (ui_routes.c); api_dispatch consults it after the API's. */
extern const struct route ui_routes[];
extern const size_t ui_nroutes;

/* ui_page renders templates_dir/name.html with ctx (borrowed; may be NULL) inside
 * layout.html and sends it with status. A missing or broken template is a plain 500 page. */
void ui_page(struct core *core, struct http_request *req, int status, const char *name,
    json_t *ctx);

/* Handlers (ui_unsubscribe.c); ctx is a struct api_ctx. */
void ui_unsubscribe_get(void *ctx);
void ui_unsubscribe_post(void *ctx);

#endif
