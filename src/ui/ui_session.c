/* ui_session.c: cookies, the signed-in user and workspace, the checks every POST passes,
 * and page contexts. The order of the POST checks is fixed — Origin, session, body, CSRF
 * token — and each failure answers before anything is read from or written to the
 * workspace. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "util/log.h"
#include "util/timefmt.h"

#define FORM_MAX (512 * 1024) /* an edited body is at most 100 KiB, percent-encoded x3 */

static int login_redirect(struct http_ctx *);

const char *
ui_session_cookie(void)
{
	return ui_settings()->secure_cookies ? "__Host-linkcamp_session" : "linkcamp_session";
}

const char *
ui_login_cookie(void)
{
	return ui_settings()->secure_cookies ? "__Host-linkcamp_login" : "linkcamp_login";
}

const char *
ui_cookie(const struct http_request *req, const char *name, char *out, size_t len)
{
	const char *h = FCGX_GetParam("HTTP_COOKIE", req->fx->envp), *p, *v, *end;
	size_t nlen = strlen(name);

	if (h == NULL)
		return NULL;
	for (p = h; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			v = p + nlen + 1;
			while (end > v && end[-1] == ' ')
				end--;
			if ((size_t)(end - v) >= len)
				return NULL;
			memcpy(out, v, (size_t)(end - v));
			out[end - v] = '\0';
			return out;
		}
		p = end;
	}
	return NULL;
}

void
ui_set_cookie(char *out, size_t len, const char *name, const char *value, long max_age)
{
	snprintf(out, len, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s\r\n",
	    name, value, max_age, ui_settings()->secure_cookies ? "; Secure" : "");
}

const char *
ui_client_addr(const struct http_request *req)
{
	return FCGX_GetParam("REMOTE_ADDR", req->fx->envp);
}

/* ---- sessions ---- */

/* path_ws borrows the workspace id of the path when the route is a workspace's page
 * (/app/w/{ws}/...: captures[0]), else NULL. */
static const char *
path_ws(const struct http_ctx *ctx)
{
	static const char prefix[] = "/app/w/{ws}/";
	const struct route *r = ctx->match.route;

	if (r == NULL || ctx->match.ncaptures < 1 ||
	    strncmp(r->pattern, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	return ctx->match.captures[0];
}

int
ui_user_get(struct http_ctx *ctx, struct ui_user *u)
{
	const char *ws = path_ws(ctx);
	lc_err e;

	memset(u, 0, sizeof(*u));
	if (ui_cookie(ctx->req, ui_session_cookie(), u->sid, sizeof(u->sid)) == NULL)
		return 0;
	/* one statement for the session and the role on a workspace's page (issue 20) */
	if (ws) {
		e = sessions_resolve_in(ctx->core, &ui_settings()->session, u->sid, ws, &u->s,
		    &u->ws.who, u->ws.name, sizeof(u->ws.name), &u->ws.role, &u->ws_member);
		u->ws_read = e == LC_OK;
	} else {
		e = sessions_resolve(ctx->core, &ui_settings()->session, u->sid, &u->s);
	}
	if (e == LC_EAUTH) {
		u->sid[0] = '\0';
		return 0;
	}
	if (e != LC_OK) {
		ui_fail(ctx, e);
		return -1;
	}
	csrf_token(&u->s, u->csrf);
	return 1;
}

/* login_redirect sends the visitor to the login page, to come back to this page after. */
static int
login_redirect(struct http_ctx *ctx)
{
	char loc[512];
	size_t i, n = 0;

	n = (size_t)snprintf(loc, sizeof(loc), "/app/login?next=");
	/* the path has only id characters and '/': percent-encode the slashes */
	for (i = 0; i < ctx->req->path_len && n + 4 < sizeof(loc); i++) {
		char c = ctx->req->path[i];
		if (c == '/') {
			memcpy(loc + n, "%2F", 3);
			n += 3;
		} else {
			loc[n++] = c;
		}
	}
	loc[n] = '\0';
	ui_redirect(ctx->req, i == ctx->req->path_len ? loc : "/app/login", NULL);
	return -1;
}

int
ui_need_user(struct http_ctx *ctx, struct ui_user *u)
{
	int rc = ui_user_get(ctx, u);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return login_redirect(ctx);
	return 0;
}

int
ui_need_ws(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *w)
{
	lc_err e;

	memset(w, 0, sizeof(*w));
	/* ui_user_get read the role in the path's workspace (captures[0]) with the session */
	if (u->ws_read) {
		e = u->ws_member ? LC_OK : LC_ENOTFOUND;
		if (e == LC_OK)
			*w = u->ws;
	} else {
		e = users_principal(ctx->core, &u->s, ctx->match.captures[0], &w->who, w->name,
		    sizeof(w->name), &w->role);
	}
	if (e == LC_ENOTFOUND) {
		ui_error(ctx, 404, "Workspace not found",
		    "You have no role in this workspace, or it does not exist.", NULL);
		return -1;
	}
	if (e != LC_OK) {
		ui_fail(ctx, e);
		return -1;
	}
	return 0;
}

/* ---- the checks of a POST ---- */

int
ui_origin_ok(struct http_ctx *ctx)
{
	char want[600];

	/* "null" says as little as no header: our own pages send it on every form POST,
	 * because Referrer-Policy: no-referrer makes browsers withhold the origin (Fetch
	 * "serializing a request origin"). The CSRF token decides then. */
	if (ctx->req->origin == NULL || strcmp(ctx->req->origin, "null") == 0)
		return 1;
	http_origin_of(ctx->core->public_url ? ctx->core->public_url : "", want, sizeof(want));
	if (strcasecmp(ctx->req->origin, want) == 0)
		return 1;
	log_msg(LOG_WARN, "request %s: refused a POST from another origin", ctx->req->request_id);
	ui_error(ctx, 403, "Request refused",
	    "This form was sent from another site. Open the page again and retry.", NULL);
	return 0;
}

int
ui_read_form(struct http_ctx *ctx, struct ui_form *f)
{
	const char *ct = ctx->req->content_type;
	lc_err e;

	memset(f, 0, sizeof(*f));
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ct[33] != '\0' && ct[33] != ';')) {
		ui_error(
		    ctx, 415, "Unsupported form", "The form was not sent as a web form.", NULL);
		return -1;
	}
	if ((e = http_read_body(ctx->req, FORM_MAX)) != LC_OK) {
		if (e == LC_ENOMEM)
			ui_error(ctx, 413, "Too large",
			    "The form is larger than this site accepts.", NULL);
		else
			ui_error(ctx, 400, "Incomplete form", "The form arrived incomplete.", NULL);
		return -1;
	}
	if ((e = ui_form_parse(ctx->req->body.data, ctx->req->body.len, f)) != LC_OK) {
		if (e == LC_ENOMEM)
			ui_fail(ctx, e);
		else
			ui_error(ctx, 400, "Malformed form", "The form could not be read.", NULL);
		return -1;
	}
	return 0;
}

int
ui_post(struct http_ctx *ctx, struct ui_user *u, struct ui_ws *ws, struct ui_form *f)
{
	int rc;

	memset(f, 0, sizeof(*f));
	if (!ui_origin_ok(ctx))
		return -1;
	if ((rc = ui_user_get(ctx, u)) < 0)
		return -1;
	if (rc == 0) {
		ui_error(ctx, 403, "Session ended",
		    "You are not signed in (or your session ended). Sign in and try again.", NULL);
		return -1;
	}
	if (ui_read_form(ctx, f) != 0)
		return -1;
	if (!csrf_valid(&u->s, ui_form_get(f, "csrf"))) {
		log_msg(LOG_WARN, "request %s: refused a POST without this session's CSRF token",
		    ctx->req->request_id);
		ui_form_free(f);
		ui_error(ctx, 403, "Request refused",
		    "This form has expired or did not come from this site. Open the page again and "
		    "retry.",
		    NULL);
		return -1;
	}
	if (ws && ui_need_ws(ctx, u, ws) != 0) {
		ui_form_free(f);
		return -1;
	}
	return 0;
}

/* ---- pages ---- */

json_t *
ui_ctx_new(const struct ui_user *u, const struct ui_ws *w, const char *title)
{
	json_t *page = json_object(), *ws;

	if (page == NULL)
		return NULL;
	json_object_set_new(page, "title", json_string(title));
	json_object_set_new(page, "wide", json_true());
	if (u) {
		json_object_set_new(page, "nav", json_true());
		json_object_set_new(page, "email", json_string(u->s.email));
		json_object_set_new(page, "csrf", json_string(u->csrf));
	}
	if (w) {
		ws = json_pack("{s:s,s:s,s:s,s:b,s:b}", "id", w->who.workspace_public, "name",
		    w->name, "role", user_role_name(w->role), "approver",
		    user_role_approves(w->role), "admin", user_role_manages(w->role));
		json_object_set_new(page, "ws", ws ? ws : json_null());
	}
	return page;
}

void
ui_render(
    struct http_ctx *ctx, int status, const char *tmpl, json_t *page, const char *extra_headers)
{
	if (page == NULL) {
		ui_fail(ctx, LC_ENOMEM);
		return;
	}
	ui_page_ex(ctx->core, ctx->req, status, tmpl, page, extra_headers);
	json_decref(page);
}

void
ui_error(struct http_ctx *ctx, int status, const char *title, const char *message,
    const char *extra_headers)
{
	json_t *page =
	    json_pack("{s:s,s:s,s:i}", "title", title, "message", message, "status", status);

	ui_render(ctx, status, "error", page, extra_headers);
}

void
ui_fail(struct http_ctx *ctx, lc_err e)
{
	switch (e) {
	case LC_ENOTFOUND:
		ui_error(ctx, 404, "Not found", "There is no such page in this workspace.", NULL);
		break;
	case LC_EFORBIDDEN:
		ui_error(ctx, 403, "Not allowed",
		    "Your role in this workspace does not allow that.", NULL);
		break;
	case LC_EDBDOWN:
	case LC_ERETRY:
		ui_error(ctx, 503, "Please try again",
		    "We could not complete this just now. Please try again in a minute.",
		    "Retry-After: 5\r\n");
		break;
	default:
		log_msg(LOG_ERROR, "request %s failed: %s", ctx->req->request_id, lc_strerror(e));
		ui_error(
		    ctx, 500, "Something went wrong", "Something went wrong on our side.", NULL);
		break;
	}
}

void
ui_time(int64_t ms, char out[32])
{
	char t[TIME_RFC3339_LEN];

	if (ms < 0) {
		snprintf(out, 32, "—");
		return;
	}
	rfc3339_format(ms, t);
	/* "2025-01-31T14:05:09Z" -> "2025-01-31 14:05 UTC" */
	snprintf(out, 32, "%.10s %.5s UTC", t, t + 11);
}

void
ui_set_time(json_t *obj, const char *key, int64_t ms)
{
	char t[32];

	ui_time(ms, t);
	json_object_set_new(obj, key, json_string(t));
}

void
ui_set_str(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, json_string(s));
	else
		json_object_del(obj, key);
}

void
ui_rate(unsigned hundredths, char out[16])
{
	snprintf(out, 16, "%u%%", hundredths);
}
