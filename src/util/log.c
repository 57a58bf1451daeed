#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/timefmt.h"

static enum log_level min_level = LOG_INFO;
static enum log_format format = LOG_FORMAT_JSON;
static const char *const level_names[] = {"debug", "info", "warn", "error"};
/* the request the calling thread answers; "" outside a request */
static _Thread_local char request_id[80];

static char *text_line(json_t *rec);

int
log_format_parse(const char *name, enum log_format *out)
{
	if (strcmp(name, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else if (strcmp(name, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else
		return -1;
	return 0;
}

void
log_set_format(enum log_format f)
{
	format = f;
}

void
log_set_request_id(const char *id)
{
	snprintf(request_id, sizeof(request_id), "%s", id ? id : "");
}

/* text_line renders rec as `ts LEVEL msg key=value ...` (values as compact JSON, so a
 * value with spaces or newlines stays on the line and unambiguous). Caller frees. */
static char *
text_line(json_t *rec)
{
	struct buf b;
	const char *key;
	json_t *v;
	const unsigned char *m;

	buf_init(&b, 1024 * 1024);
	if (buf_printf(&b, "%s %s ", json_string_value(json_object_get(rec, "ts")),
	        json_string_value(json_object_get(rec, "level"))) != LC_OK)
		goto fail;
	/* a message may quote a peer (an SMTP reply): control bytes never end the line */
	for (m = (const unsigned char *)json_string_value(json_object_get(rec, "msg")); m && *m;
	     m++) {
		if ((*m < 0x20 || *m == 0x7f ? buf_printf(&b, "\\x%02x", *m)
		                             : buf_append(&b, m, 1)) != LC_OK)
			goto fail;
	}
	json_object_foreach(rec, key, v)
	{
		char *val;
		lc_err e;

		if (strcmp(key, "ts") == 0 || strcmp(key, "level") == 0 || strcmp(key, "msg") == 0)
			continue;
		if ((val = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
			goto fail;
		e = buf_printf(&b, " %s=%s", key, val);
		free(val);
		if (e != LC_OK)
			goto fail;
	}
	return b.data;
fail:
	buf_free(&b);
	return NULL;
}

int
log_level_parse(const char *name, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void
log_set_level(enum log_level level)
{
	min_level = level;
}

int
log_enabled(enum log_level level)
{
	return level >= min_level;
}

void
log_json(enum log_level level, const char *msg, json_t *fields)
{
	json_t *rec;
	char ts[TIME_SQL_LEN], *line;
	size_t len;

	if (level < min_level)
		return;
	sqltime_format(now_ms(), ts);
	ts[10] = 'T';
	rec = json_pack(
	    "{s:s+,s:s,s:s}", "ts", ts, "Z", "level", level_names[level], "msg", msg ? msg : "");
	if (rec == NULL)
		return;
	if (request_id[0] && json_object_set_new(rec, "requestId", json_string(request_id)) != 0) {
		json_decref(rec);
		return;
	}
	if (fields)
		json_object_update(rec, fields);
	if (format == LOG_FORMAT_TEXT)
		line = text_line(rec);
	else
		line = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (line == NULL)
		return;
	len = strlen(line);
	line[len] = '\n';
	/* One write per record so lines from several threads never interleave. */
	if (write(STDERR_FILENO, line, len + 1) < 0) {
		/* nothing sensible to do when stderr is gone */
	}
	free(line);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_json(level, msg, NULL);
}
