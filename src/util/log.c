#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/timefmt.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

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
	rec = json_pack("{s:s+,s:s,s:s}", "ts", ts, "Z", "level", level_names[level], "msg",
	    msg ? msg : "");
	if (rec == NULL)
		return;
	if (fields)
		json_object_update(rec, fields);
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
