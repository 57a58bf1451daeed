/* ui.c: rendering pages. */
#include <stdio.h>
#include <string.h>

#include "ui/ui.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/tmpl.h"

#define TEMPLATE_MAX (256 * 1024)
#define PAGE_MAX (2 * 1024 * 1024)

static const char page_headers[] =
    "Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

static lc_err read_template(const char *, const char *, struct buf *);

static lc_err
read_template(const char *dir, const char *name, struct buf *out)
{
	char path[1024], chunk[4096];
	size_t n;
	FILE *f;
	lc_err e = LC_OK;

	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		log_msg(LOG_ERROR, "cannot open template %s", path);
		return LC_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((e = buf_append(out, chunk, n)) != LC_OK)
			break;
	fclose(f);
	if (e == LC_OK && out->data == NULL)
		e = buf_append(out, "", 0);
	return e;
}

void
ui_page(struct core *core, struct http_request *req, int status, const char *name, json_t *ctx)
{
	static const char broken[] = "<!doctype html><title>Error</title><p>Something went wrong.";
	struct buf layout, body, page;
	json_t *partials = NULL, *empty = NULL;
	char err[160];
	lc_err e;

	buf_init(&layout, TEMPLATE_MAX);
	buf_init(&body, TEMPLATE_MAX);
	buf_init(&page, PAGE_MAX);
	if ((e = read_template(core->templates_dir, "layout", &layout)) != LC_OK ||
	    (e = read_template(core->templates_dir, name, &body)) != LC_OK)
		goto out;
	if ((partials = json_pack("{s:s}", "content", body.data)) == NULL) {
		e = LC_ENOMEM;
		goto out;
	}
	if (ctx == NULL)
		ctx = empty = json_object();
	e = tmpl_render(layout.data, layout.len, ctx, partials, TMPL_ESCAPE_HTML, &page, err,
	    sizeof(err));
	if (e != LC_OK)
		log_msg(LOG_ERROR, "template %s: %s", name, e == LC_EINVAL ? err : lc_strerror(e));
out:
	if (e == LC_OK)
		http_send(req, status, "text/html; charset=utf-8", page_headers, page.data, page.len);
	else
		http_send(req, 500, "text/html; charset=utf-8", page_headers, broken,
		    sizeof(broken) - 1);
	json_decref(partials);
	json_decref(empty);
	buf_free(&layout);
	buf_free(&body);
	buf_free(&page);
}
