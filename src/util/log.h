/* log.h: structured logs on stderr, one record per line: a JSON object (the default, for
 * log shippers) or a human-readable text line ([log] format). A record written while a
 * thread answers a request carries that request's id. Secrets are never passed here. */
#ifndef LC_LOG_H
#define LC_LOG_H

#include <jansson.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* log_level_parse sets *level from its name ("debug", "info", "warn", "error") and
 * returns 0, or returns -1 and leaves *level alone for any other string. The one list of
 * the names: the config check and the programs both use it. */
int log_level_parse(const char *name, enum log_level *level);

enum log_format { LOG_FORMAT_JSON = 0, LOG_FORMAT_TEXT };

/* log_format_parse sets *format from its name ("json", "text") and returns 0, or returns
 * -1 and leaves *format alone for any other string. */
int log_format_parse(const char *name, enum log_format *format);

/* log_set_format chooses how records are written; call it before threads start. */
void log_set_format(enum log_format format);

/* log_set_request_id makes id (copied; NULL or "" clears it) the calling thread's
 * current request id: every record the thread writes until it is cleared carries it as
 * "requestId" (unless the record names one itself). */
void log_set_request_id(const char *id);

/* log_set_level drops records below level. */
void log_set_level(enum log_level level);

/* log_enabled is 1 when records at level are written (so callers can skip building them). */
int log_enabled(enum log_level level);

/* log_json writes fields (borrowed, may be NULL) plus "ts", "level" and "msg" as one line. */
void log_json(enum log_level level, const char *msg, json_t *fields);

/* log_msg writes a record with a formatted message and no other fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
