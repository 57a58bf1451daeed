/* ui_routes.c: the routes of the HTML pages. Handlers take a struct api_ctx. Every
 * state change is a POST; every GET only reads (a session's idle deadline aside). */
#include "ui/ui.h"

const struct route ui_routes[] = {
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
	{"GET", "/app/w/{ws}/unmatched", ui_triage_get, AUTH_NONE},
	{"POST", "/app/w/{ws}/unmatched/{id}", ui_triage_post, AUTH_NONE},
};

const size_t ui_nroutes = sizeof(ui_routes) / sizeof(ui_routes[0]);
