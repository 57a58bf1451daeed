/* ui_routes.c: the routes of the HTML pages. Handlers take a struct api_ctx. */
#include "ui/ui.h"

const struct route ui_routes[] = {
	{"GET", "/u/{token}", ui_unsubscribe_get, AUTH_NONE},
	{"POST", "/u/{token}", ui_unsubscribe_post, AUTH_NONE},
};

const size_t ui_nroutes = sizeof(ui_routes) / sizeof(ui_routes[0]);
