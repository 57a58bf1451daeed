/* ui.c: rendering pages, redirects, and the pages' settings. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "ui/ui_app.h"
#include "ui/ui_tmpl.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/tmpl.h"

#define PAGE_MAX (2 * 1024 * 1024)
#define HEADERS_MAX 2048

static const char page_headers[] =
    "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

/* Written once by ui_init before the threads start; read-only afterwards. The defaults
 * are config_load's. */
static struct ui_settings settings = {1, {30 * 60, 12 * 3600, 5, 20, 15 * 60, 30, 900}};

void
ui_init(const struct config *cfg)
{
	settings.secure_cookies = cfg->secure_cookies != 0;
	settings.session.idle_seconds = cfg->session_idle_minutes * 60;
	settings.session.absolute_seconds = cfg->session_max_hours * 3600;
	settings.session.max_failures_email = cfg->login_max_failures;
	settings.session.max_failures_ip = cfg->login_max_failures_ip;
	settings.session.failure_window_seconds = cfg->login_window_minutes * 60;
	settings.session.backoff_seconds = cfg->login_backoff_seconds;
	settings.session.backoff_max_seconds = cfg->login_backoff_max_seconds;
}

const struct ui_settings *
ui_settings(void)
{
	return &settings;
}

void
ui_page(struct core *core, struct http_request *req, int status, const char *name, json_t *ctx)
{
	ui_page_ex(core, req, status, name, ctx, NULL);
}

void
ui_page_ex(struct core *core, struct http_request *req, int status, const char *name, json_t *ctx,
    const char *extra_headers)
{
	static const char broken[] = "<!doctype html><title>Error</title><p>Something went wrong.";
	struct tmpl_partial content = {"content", NULL};
	const struct tmpl *layout;
	const char *where = "";
	struct buf page;
	json_t *empty = NULL;
	char err[160], headers[HEADERS_MAX];
	lc_err e;

	buf_init(&page, PAGE_MAX);
	/* Read and compiled once per process (ui_tmpl.c), which logs a file it cannot read.
	 * A syntax error is logged as when the page's template was parsed as the layout's
	 * partial "content": the same line as before the cache. */
	e = ui_tmpl_get(core->templates_dir, "layout", &layout, err, sizeof(err));
	if (e == LC_OK) {
		e = ui_tmpl_get(core->templates_dir, name, &content.tmpl, err, sizeof(err));
		where = "in partial \"content\": ";
	}
	if (e == LC_EINVAL)
		log_msg(LOG_ERROR, "template %s: %s%s", name, where, err);
	if (e == LC_OK) {
		if (ctx == NULL)
			ctx = empty = json_object();
		e = tmpl_render_compiled(
		    layout, ctx, &content, 1, TMPL_ESCAPE_HTML, &page, err, sizeof(err));
		if (e != LC_OK)
			log_msg(LOG_ERROR, "template %s: %s", name,
			    e == LC_EINVAL ? err : lc_strerror(e));
	}
	if (e == LC_OK && extra_headers &&
	    snprintf(headers, sizeof(headers), "%s%s", page_headers, extra_headers) >=
	        (int)sizeof(headers))
		e = LC_ENOMEM;
	if (e == LC_OK)
		http_send(req, status, "text/html; charset=utf-8",
		    extra_headers ? headers : page_headers, page.data, page.len);
	else
		http_send(
		    req, 500, "text/html; charset=utf-8", page_headers, broken, sizeof(broken) - 1);
	json_decref(empty);
	buf_free(&page);
}

void
ui_redirect(struct http_request *req, const char *location, const char *extra_headers)
{
	static const char body[] = "<!doctype html><title>See other</title>";
	char headers[HEADERS_MAX];
	int n;

	n = snprintf(headers, sizeof(headers), "%sLocation: %s\r\n%s", page_headers, location,
	    extra_headers ? extra_headers : "");
	if (n < 0 || n >= (int)sizeof(headers) || strpbrk(location, "\r\n") != NULL) {
		http_send(
		    req, 500, "text/html; charset=utf-8", page_headers, body, sizeof(body) - 1);
		return;
	}
	http_send(req, 303, "text/html; charset=utf-8", headers, body, sizeof(body) - 1);
}
