/* ui_app.h: what the approval pages share — settings, cookies, the signed-in user and
 * workspace, the checks every POST passes (Origin, session, CSRF token), form bodies,
 * and page contexts. Only src/ui includes this. */
#ifndef LC_UI_APP_H
#define LC_UI_APP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/sending.h"
#include "http/dispatch.h"
#include "core/users.h"
#include "core/decisions.h"

struct ui_settings {
	int secure_cookies;
	struct session_settings session;
};
/* ui_settings borrows the settings ui_init copied. */
const struct ui_settings *ui_settings(void);

/* ---- form bodies (ui_form.c) ---- */
#define UI_FORM_MAX_FIELDS 256

struct ui_form {
	size_t n;
	const char *key[UI_FORM_MAX_FIELDS];
	const char *value[UI_FORM_MAX_FIELDS]; /* decoded, valid UTF-8 without NUL */
	char *storage;                         /* one allocation holding every string */
};
/* ui_form_parse decodes an application/x-www-form-urlencoded body. Repeated keys are
 * kept (several checkboxes of one name). LC_EINVAL for a bad escape, invalid UTF-8, a NUL
 * or too many fields; LC_ENOMEM. Free with ui_form_free. */
lc_err ui_form_parse(const char *s, size_t len, struct ui_form *f);
/* ui_form_get borrows the first value of key, or NULL. */
const char *ui_form_get(const struct ui_form *f, const char *key);
/* ui_form_free releases f; safe on a zeroed struct. */
void ui_form_free(struct ui_form *f);

/* ---- the signed-in user (ui_session.c) ---- */
struct ui_ws {
	struct principal who;
	char name[256];
	unsigned role;
};
struct ui_user {
	struct user_session s;
	char sid[USER_SECRET_MAX];
	char csrf[USER_SECRET_MAX]; /* the token every form of this session carries */
	/* On a page of a workspace (/app/w/{ws}/...) the session's statement read the user's
	 * role there as well (sessions_resolve_in): ws_read is 1, ws_member says whether the
	 * user has a role there, and ws is what ui_need_ws hands out without a statement. */
	int ws_read, ws_member;
	struct ui_ws ws;
};

/* Cookie names: __Host- ones when cookies are Secure, plain ones otherwise. */
const char *ui_session_cookie(void);
const char *ui_login_cookie(void);
/* ui_cookie copies the value of the first cookie called name into out (len bytes); NULL
 * when absent or too long. */
const char *ui_cookie(const struct http_request *req, const char *name, char *out, size_t len);
/* ui_set_cookie writes a Set-Cookie header line (Path=/, HttpOnly, SameSite=Lax, Secure
 * when configured). max_age 0 deletes the cookie. */
void ui_set_cookie(char *out, size_t len, const char *name, const char *value, long max_age);
/* ui_client_addr borrows the client's address as nginx saw it (REMOTE_ADDR) or NULL. */
const char *ui_client_addr(const struct http_request *req);

/* ui_user_get resolves the session cookie: 1 with u filled, 0 when there is no live
 * session, -1 after answering (the database is down). On a workspace's page the same
 * statement reads the user's role in the path's workspace (u->ws_read), for ui_need_ws. */
int ui_user_get(struct http_ctx *ctx, struct ui_user *u);
/* ui_need_user is for GET pages: without a session it redirects to the login page (which
 * brings the visitor back) and returns -1. */
int ui_need_user(struct http_ctx *ctx, struct ui_user *u);
/* ui_need_ws resolves the workspace of the path (captures[0]) for the user: 404 page when
 * the user has no role there. Without a statement when ui_user_get read it already. -1
 * after answering. */
int ui_need_ws(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *w);

/* ui_origin_ok answers 403 and returns 0 when the request carries an Origin header that
 * is not the configured public_url's origin. "null" counts as absent: browsers send it
 * for every form of a page with Referrer-Policy: no-referrer, ours included. */
int ui_origin_ok(struct http_ctx *ctx);
/* ui_read_form reads and decodes the body (415 unless a form, 413 when too large, 400 when
 * malformed); -1 after answering. */
int ui_read_form(struct http_ctx *ctx, struct ui_form *f);
/* ui_post runs the checks of every signed-in POST, in order: Origin, session, form body,
 * CSRF token of this session (constant-time). Each failure is a 403 page (a bad body:
 * 400/413/415) and nothing changes. With ws non-NULL, the path's workspace as well. -1
 * after answering; free f on 0. */
int ui_post(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *ws, struct ui_form *f);

/* ---- pages (ui_session.c) ---- */
/* ui_ctx_new starts the context of a signed-in page: title, the user's address, the CSRF
 * token, the workspace (id, name, approver) and the navigation. New reference. */
json_t *ui_ctx_new(const struct ui_user *u, const struct ui_ws *w, const char *title);
/* ui_render renders tmpl with page (stolen) and status; NULL page (out of memory) is 500. */
void ui_render(
    struct http_ctx *ctx, int status, const char *tmpl, json_t *page, const char *extra_headers);
/* ui_error answers an error page. */
void ui_error(struct http_ctx *ctx, int status, const char *title, const char *message,
    const char *extra_headers);
/* ui_fail answers the page for a core error (404, 403, 503, 500). */
void ui_fail(struct http_ctx *ctx, lc_err e);
/* ui_time writes ms as "2025-01-31 14:05 UTC" ("—" when ms < 0); 32 bytes. */
void ui_time(int64_t ms, char out[32]);
/* ui_set_time sets obj[key] to ui_time(ms). */
void ui_set_time(json_t *obj, const char *key, int64_t ms);
/* ui_set_str sets obj[key] to s, or removes it when s is NULL. */
void ui_set_str(json_t *obj, const char *key, const char *s);
/* ui_rate writes hundredths as a percentage ("36%"), 16 bytes. */
void ui_rate(unsigned hundredths, char out[16]);

#endif
