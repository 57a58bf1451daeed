/* compose.h: the outbound message composer. Turns one validated outreach email into a
 * complete 7-bit RFC 5322 message: folded headers, RFC 2047 encoded-words for non-ASCII
 * names and subjects, a quoted-printable text/plain UTF-8 body, CRLF line ends, and the
 * RFC 2369 / RFC 8058 List-Unsubscribe headers. */
#ifndef LC_MAIL_COMPOSE_H
#define LC_MAIL_COMPOSE_H

#include <stdint.h>
#include "util/buf.h"
#include "util/err.h"

#define MAIL_MSGID_MAX 128   /* buffer size for mail_message_id_new */
#define MAIL_DATE_MAX 40     /* buffer size for mail_date_format */
#define MAIL_SUBJECT_MAX 998 /* code points */
#define MAIL_ADDR_MAX 320    /* bytes of an addr-spec */

/* One outbound message. Every string is borrowed for the duration of mail_compose.
 * Optional strings may be NULL; an empty optional string counts as not given. */
struct mail_out {
	const char *from_email;              /* required, ASCII addr-spec */
	const char *from_name;               /* display name, UTF-8, may be NULL */
	const char *to_email;                /* required */
	const char *to_name;                 /* may be NULL */
	const char *subject;                 /* UTF-8, 1..998 chars, no CR/LF */
	const char *body;                    /* UTF-8 text, LF or CRLF line ends, may be empty */
	const char *message_id;              /* "<...@...>" including angle brackets */
	const char *in_reply_to;             /* "<...>" or NULL */
	const char *references;              /* space-separated "<a> <b>" or NULL */
	const char *list_unsubscribe_url;    /* https URL or NULL */
	const char *list_unsubscribe_mailto; /* "mailto:..." or NULL */
	const char *open_pixel_url;          /* http(s) URL of a 1x1 image, or NULL: when given
	                                        the message is multipart/alternative with an
	                                        HTML copy of the body that loads it */
	int64_t date_ms;                     /* UTC milliseconds since the epoch */
	const char *reply_to;                /* ASCII addr-spec for Reply-To, or NULL */
};

/* mail_compose appends a complete RFC 5322 message to out: every line ends with CRLF, no
 * line is longer than 998 octets and header lines are folded to 78 where the input allows.
 * The caller keeps ownership of m and out. A NULL body is an empty body.
 * Errors: LC_EINVAL when a required field is missing or malformed (addresses, message ids,
 * unsubscribe URIs), any header input contains CR, LF, NUL or another control character
 * other than TAB, text is not UTF-8, the subject is not 1..998 characters, date_ms is outside
 * TIME_MIN_MS..TIME_MAX_MS, or an unbreakable token (a message id, a URI) cannot fit in a
 * 998-octet line; LC_ENOMEM when out's max is exceeded. On error out is left as it was. */
lc_err mail_compose(const struct mail_out *m, struct buf *out);

/* mail_message_id_new writes "<22 random base64url chars@domain>" using libsodium (the
 * caller has run sodium_init). domain must be an ASCII host name (LDH labels) short enough
 * for the result to fit in MAIL_MSGID_MAX bytes. Errors: LC_EINVAL when domain is empty,
 * not a host name or too long; out is then the empty string. */
lc_err mail_message_id_new(const char *domain, char out[MAIL_MSGID_MAX]);

/* mail_date_format writes ms as an RFC 5322 date in UTC, "Thu, 26 Nov 2026 05:40:35 +0000",
 * independent of TZ and locale. Instants before the epoch are floored to the second. */
void mail_date_format(int64_t ms, char out[MAIL_DATE_MAX]);

#endif
