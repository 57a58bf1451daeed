/* ui_pixel.c: GET /t/o/<token>.gif — a 1x1 transparent GIF, the same bytes whatever the
 * token (no oracle for guessing); a valid token's first fetch records the open. */
#include <string.h>

#include "core/sending.h"
#include "http/dispatch.h"
#include "ui/ui.h"
#include "util/log.h"

static const unsigned char pixel_gif[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01,
    0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01,
    0x00, 0x3b};

void
ui_open_pixel(void *arg)
{
	struct http_ctx *ctx = arg;
	char *file = ctx->match.captures[0];
	size_t len = strlen(file);
	lc_err e;

	if (len > 4 && strcmp(file + len - 4, ".gif") == 0) {
		file[len - 4] = '\0';
		if ((e = opens_record(ctx->core, file)) != LC_OK && e != LC_ENOTFOUND)
			log_msg(LOG_WARN, "recording an open failed: %s", lc_strerror(e));
	}
	http_send(ctx->req, 200, "image/gif", "Referrer-Policy: no-referrer\r\n",
	    (const char *)pixel_gif, sizeof(pixel_gif));
}
