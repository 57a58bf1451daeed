/* ui_login.c: signing in and out, one-time set-password links and the workspace chooser.
 *
 * Forms shown before there is a session (login, set password) carry a token that must
 * equal the value of a short-lived login cookie (double submit): a cross-site page can
 * neither read the cookie nor guess the token, so it cannot sign a visitor in to an
 * account of its choosing. After a login the session id is new whatever the browser had. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "util/log.h"

#define LOGIN_COOKIE_SECONDS 3600
#define COOKIE_LINE_MAX 256

static const char *safe_next(const char *);
static const char *login_token(struct http_ctx *, char *, int *);
static void login_form(
    struct http_ctx *, int, const char *, const char *, const char *, const char *);
static int pre_session_post(struct http_ctx *, struct ui_form *);
static void password_form(struct http_ctx *, int, const char *, const char *, const char *);

/* safe_next returns next when it is a path of the pages (no scheme, no host, no "//"),
 * else "/app/". */
static const char *
safe_next(const char *next)
{
	size_t i;

	if (next == NULL || strncmp(next, "/app/", 5) != 0 || strlen(next) > 200 ||
	    strstr(next, "//") != NULL)
		return "/app/";
	for (i = 0; next[i]; i++) {
		char c = next[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '_' || c == '-' || c == '/'))
			return "/app/";
	}
	return next;
}

/* login_token returns the visitor's login-form token (from the cookie, or new, in which
 * case *fresh is 1 and the caller sets the cookie). */
static const char *
login_token(struct http_ctx *ctx, char *out, int *fresh)
{
	*fresh = 0;
	if (ui_cookie(ctx->req, ui_login_cookie(), out, USER_SECRET_MAX) != NULL &&
	    strlen(out) == USER_SECRET_LEN)
		return out;
	secret_new(out);
	*fresh = 1;
	return out;
}

static void
login_form(struct http_ctx *ctx, int status, const char *email, const char *next, const char *error,
    const char *extra_headers)
{
	char token[USER_SECRET_MAX], cookie[COOKIE_LINE_MAX], headers[COOKIE_LINE_MAX * 2];
	json_t *page;
	int fresh;

	login_token(ctx, token, &fresh);
	headers[0] = '\0';
	if (fresh) {
		ui_set_cookie(
		    cookie, sizeof(cookie), ui_login_cookie(), token, LOGIN_COOKIE_SECONDS);
		snprintf(headers, sizeof(headers), "%s", cookie);
	}
	if (extra_headers)
		snprintf(headers + strlen(headers), sizeof(headers) - strlen(headers), "%s",
		    extra_headers);
	page = json_pack("{s:s,s:s,s:s,s:s}", "title", "Sign in", "csrf", token, "next",
	    safe_next(next), "email", email ? email : "");
	if (page && error)
		json_object_set_new(page, "error", json_string(error));
	ui_render(ctx, status, "login", page, headers[0] ? headers : NULL);
}

/* pre_session_post checks Origin, reads the form and compares its token with the login
 * cookie; -1 after answering 403. */
static int
pre_session_post(struct http_ctx *ctx, struct ui_form *f)
{
	char cookie[USER_SECRET_MAX];

	memset(f, 0, sizeof(*f));
	if (!ui_origin_ok(ctx) || ui_read_form(ctx, f) != 0)
		return -1;
	if (ui_cookie(ctx->req, ui_login_cookie(), cookie, sizeof(cookie)) == NULL ||
	    !secret_equal(cookie, ui_form_get(f, "csrf"))) {
		ui_form_free(f);
		ui_error(ctx, 403, "Request refused",
		    "This form has expired or did not come from this site. Open the page again and "
		    "retry.",
		    NULL);
		return -1;
	}
	return 0;
}

void
ui_app_root(void *arg)
{
	struct http_ctx *ctx = arg;

	ui_redirect(ctx->req, "/app/", NULL);
}

void
ui_login_get(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	int rc;

	if ((rc = ui_user_get(ctx, &u)) < 0)
		return;
	if (rc == 1) {
		ui_redirect(ctx->req, safe_next(query_get(&ctx->query, "next")), NULL);
		return;
	}
	login_form(ctx, 200, NULL, query_get(&ctx->query, "next"), NULL, NULL);
}

void
ui_login_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_form f;
	char old[USER_SECRET_MAX], sid[USER_SECRET_MAX], headers[COOKIE_LINE_MAX * 2], retry[64];
	const char *email, *password, *next;
	unsigned retry_after = 0;
	size_t n;
	lc_err e;

	if (pre_session_post(ctx, &f) != 0)
		return;
	email = ui_form_get(&f, "email");
	password = ui_form_get(&f, "password");
	next = safe_next(ui_form_get(&f, "next"));
	if (email == NULL || password == NULL || email[0] == '\0' || password[0] == '\0') {
		login_form(ctx, 422, email, next, "Enter your e-mail address and password.", NULL);
		ui_form_free(&f);
		return;
	}
	e = users_login(ctx->core, &ui_settings()->session, email, password,
	    ui_client_addr(ctx->req), ui_cookie(ctx->req, ui_session_cookie(), old, sizeof(old)),
	    sid, &retry_after);
	if (e == LC_EAUTH) {
		login_form(ctx, 401, email, next, "Wrong e-mail address or password.",
		    "WWW-Authenticate: Session realm=\"linkcamp\"\r\n");
	} else if (e == LC_EFORBIDDEN) {
		snprintf(retry, sizeof(retry), "Retry-After: %u\r\n", retry_after);
		ui_error(ctx, 429, "Too many attempts",
		    "Too many failed sign-ins for this address or from your network. Wait a few "
		    "minutes and try again.",
		    retry);
	} else if (e != LC_OK) {
		ui_fail(ctx, e);
	} else {
		ui_set_cookie(headers, sizeof(headers), ui_session_cookie(), sid,
		    (long)ui_settings()->session.absolute_seconds);
		n = strlen(headers);
		ui_set_cookie(headers + n, sizeof(headers) - n, ui_login_cookie(), "", 0);
		ui_redirect(ctx->req, next, headers);
	}
	ui_form_free(&f);
}

void
ui_logout_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct ui_form f;
	char headers[COOKIE_LINE_MAX];
	lc_err e;

	if (ui_post(ctx, &u, NULL, &f) != 0)
		return;
	ui_form_free(&f);
	if ((e = sessions_end(ctx->core, u.sid)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	ui_set_cookie(headers, sizeof(headers), ui_session_cookie(), "", 0);
	ui_redirect(ctx->req, "/app/login", headers);
}

static void
password_form(
    struct http_ctx *ctx, int status, const char *token, const char *email, const char *error)
{
	char csrf[USER_SECRET_MAX], cookie[COOKIE_LINE_MAX];
	json_t *page;
	int fresh;

	login_token(ctx, csrf, &fresh);
	if (fresh)
		ui_set_cookie(
		    cookie, sizeof(cookie), ui_login_cookie(), csrf, LOGIN_COOKIE_SECONDS);
	page = json_pack("{s:s,s:s,s:s,s:s}", "title", "Choose a password", "csrf", csrf, "token",
	    token, "email", email);
	if (page && error)
		json_object_set_new(page, "error", json_string(error));
	ui_render(ctx, status, "set_password", page, fresh ? cookie : NULL);
}

void
ui_set_password_get(void *arg)
{
	struct http_ctx *ctx = arg;
	char email[USER_EMAIL_MAX];
	lc_err e;

	e = users_link_lookup(ctx->core, ctx->match.captures[0], email);
	if (e == LC_ENOTFOUND) {
		ui_error(ctx, 404, "Link not valid",
		    "This link is unknown, was already used or has expired. Ask your administrator "
		    "for a new one.",
		    NULL);
		return;
	}
	if (e != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	password_form(ctx, 200, ctx->match.captures[0], email, NULL);
}

void
ui_set_password_post(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_form f;
	char email[USER_EMAIL_MAX];
	const char *pw, *again, *token = ctx->match.captures[0];
	json_t *page;
	lc_err e;

	if (pre_session_post(ctx, &f) != 0)
		return;
	pw = ui_form_get(&f, "password");
	again = ui_form_get(&f, "password2");
	if ((e = users_link_lookup(ctx->core, token, email)) != LC_OK) {
		ui_form_free(&f);
		if (e == LC_ENOTFOUND)
			ui_error(ctx, 404, "Link not valid",
			    "This link is unknown, was already used or has expired.", NULL);
		else
			ui_fail(ctx, e);
		return;
	}
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0) {
		password_form(ctx, 422, token, email, "The two passwords differ.");
	} else if (!users_password_ok(pw)) {
		password_form(ctx, 422, token, email,
		    "Choose a password of at least 8 characters (no control characters).");
	} else if ((e = users_link_use(ctx->core, token, pw)) == LC_ENOTFOUND) {
		ui_error(ctx, 404, "Link not valid",
		    "This link is unknown, was already used or has expired.", NULL);
	} else if (e != LC_OK) {
		ui_fail(ctx, e);
	} else {
		page = json_pack("{s:s,s:s}", "title", "Password set", "email", email);
		ui_render(ctx, 200, "password_set", page, NULL);
	}
	ui_form_free(&f);
}

void
ui_app_home(void *arg)
{
	struct http_ctx *ctx = arg;
	struct ui_user u;
	struct user_workspace_list l;
	char loc[128];
	json_t *page, *list;
	size_t i;
	lc_err e;

	if (ui_need_user(ctx, &u) != 0)
		return;
	if ((e = users_workspaces(ctx->core, u.s.user_id, &l)) != LC_OK) {
		ui_fail(ctx, e);
		return;
	}
	if (l.n == 1 && query_get(&ctx->query, "choose") == NULL) {
		snprintf(loc, sizeof(loc), "/app/w/%s/approvals", l.items[0].public_id);
		user_workspace_list_free(&l);
		ui_redirect(ctx->req, loc, NULL);
		return;
	}
	page = ui_ctx_new(&u, NULL, "Choose a workspace");
	list = json_array();
	for (i = 0; list && i < l.n; i++)
		json_array_append_new(
		    list, json_pack("{s:s,s:s,s:s}", "id", l.items[i].public_id, "name",
		              l.items[i].name, "role", user_role_name(l.items[i].role)));
	if (page)
		json_object_set_new(page, "workspaces", list ? list : json_array());
	else
		json_decref(list);
	user_workspace_list_free(&l);
	ui_render(ctx, 200, "workspaces", page, NULL);
}
