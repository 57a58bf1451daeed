/* mime.h: parsing of inbound mail (replies, auto-replies, bounces) with GMime 3.
 *
 * mime_parse turns one raw RFC 5322 message from an untrusted sender into the few things
 * the core needs: threading ids to match it to an outbound message, the sender, the best
 * plain-text body with and without the quoted part, links for placement checks, a class
 * (human, auto-reply, bounce, unsubscribe request) and, for delivery status notifications,
 * the failed recipient, status and the Message-ID of the returned message. */
#ifndef LC_MAIL_MIME_H
#define LC_MAIL_MIME_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define MIME_RAW_MAX ((size_t)64 << 20) /* larger input is refused with LC_ENOMEM */
#define MIME_TEXT_MAX ((size_t)4 << 20) /* text is cut (at a character) to this many bytes */
#define MIME_LINKS_MAX 100              /* links beyond this many are dropped */
#define MIME_LINK_LEN_MAX 2048          /* longer URLs are dropped */
#define MIME_REFS_MAX 64    /* References keeps the first id and the last MIME_REFS_MAX - 1 */
#define MIME_ID_LEN_MAX 998 /* longer message ids count as absent */
#define MIME_RCPTS_MAX 50   /* recipients kept (struct mime_parsed.recipients) */
#define MIME_DIAG_MAX 200   /* bytes kept of a DSN's Diagnostic-Code */

enum mime_class { MIME_HUMAN = 0, MIME_AUTO_REPLY, MIME_BOUNCE, MIME_UNSUBSCRIBE, MIME_DELAYED };

/* One parsed message. Every string is malloc'd, valid UTF-8 without NUL bytes, and owned by
 * the struct: free everything with mime_parsed_free. Header-derived strings are on one line
 * (control characters become spaces, ends trimmed); text and text_new use LF line ends. */
struct mime_parsed {
	char *message_id;  /* "<...>" or NULL when absent or not a msg-id */
	char *in_reply_to; /* the first msg-id of In-Reply-To, "<...>", or NULL */
	char *references;  /* every msg-id of References, "<a> <b>" (see MIME_REFS_MAX), or NULL */
	char *from_email;  /* addr-spec of From, ASCII letters lowercased, or NULL */
	char *from_name;   /* decoded display name of From, UTF-8, or NULL */
	char *to_email;    /* first To addr-spec, ASCII letters lowercased, or NULL */
	char *recipients;  /* the addr-specs of every To, Cc, Delivered-To, X-Original-To and
	                      Envelope-To header, lowercased, space-separated, at most
	                      MIME_RCPTS_MAX; NULL when none (where a reply token may hide) */
	char *subject;     /* decoded (RFC 2047) UTF-8, or "" */
	int64_t date_ms;   /* Date header in UTC ms, -1 when absent, unparseable or out of
	                      TIME_MIN_MS..TIME_MAX_MS */
	char *text;        /* the best plain-text body as UTF-8, never NULL: text/plain preferred
	                      in multipart/alternative, else HTML converted to text (tags stripped,
	                      entities decoded, block elements to newlines, <blockquote> lines
	                      prefixed with "> ", http(s) link targets kept as "anchor <url>");
	                      charset (ISO-8859-1 and US-ASCII read as windows-1252, anything iconv
	                      knows), transfer encoding and format=flowed decoded. In multipart/mixed
	                      the first inline body is used; attachments, attached messages and
	                      parts nested deeper than 64 levels are not read. Invalid UTF-8 becomes
	                      U+FFFD; CR LF becomes LF; U+FEFF and C0 controls but TAB and LF are
	                      dropped. */
	char *text_new;    /* text without the quoted part, never NULL: lines starting with '>'
	                      are dropped, and everything from the first quote header on: "On ...
	                      wrote:" (also wrapped over up to 3 lines, and the German, French,
	                      Spanish, Italian, Dutch, Portuguese and Scandinavian forms), in any
	                      language a line ending in ':' holding "wrote" or an address right
	                      before a quoted line, "-----Original Message-----" (and translations),
	                      an Outlook "From:" line followed within 5 lines by "Sent:" (or by
	                      "Date:" and "Subject:"), an underscore separator before such a block.
	                      From a forward marker on ("---------- Forwarded message ---------",
	                      "Begin forwarded message:") everything is kept, '>' lines too: it is
	                      what the sender sends us. Trailing blanks of lines, leading and
	                      trailing blank lines are dropped, runs of blank lines become one. */
	enum mime_class klass;
	char *auto_submitted; /* value of Auto-Submitted, or NULL */
	/* DSN (multipart/report; report-type=delivery-status) details, else NULL/0. For a
	 * non-standard bounce (see mime_parse) they are guessed from the text, may stay NULL. */
	char *bounce_recipient;           /* Original-Recipient, else Final-Recipient, addr-spec,
	                                     ASCII lowercased; the first recipient whose Action is
	                                     "failed", else the first recipient */
	char *bounce_status;              /* "5.1.1" (class.subject.detail, digits only) */
	int bounce_hard;                  /* 1 when the status class is 5; without a status (a
	                                     non-standard bounce), when the first SMTP reply code
	                                     in the text is 5xx */
	char *bounce_original_message_id; /* "<...>": Message-ID of the returned message/rfc822
	                                     or text/rfc822-headers part, or the report's
	                                     Original-Message-ID field (which comes first) */
	char *bounce_action;              /* Action of that recipient, lower case ("failed",
	                                     "delayed", "delivered", "relayed", "expanded"), or
	                                     NULL (none, or a non-standard bounce) */
	char *bounce_diagnostic;          /* Diagnostic-Code of that recipient without its type
	                                     ("550 5.1.1 user unknown"), one cleaned line of at
	                                     most MIME_DIAG_MAX bytes, or NULL */
	int64_t ooo_return_ms;            /* MIME_AUTO_REPLY only: 00:00 UTC of the day the
	                                     writer says they are back (mime_ooo_return), else -1 */
	char **links; /* http(s) URLs found in text_new (not in the quoted part, so our own
	                 outbound links do not count), in order, without duplicates */
	size_t nlinks;
};

/* mime_parse parses raw[0..len) (untrusted, any bytes) into out, which the caller provides
 * uninitialised. A leading mbox "From " line is skipped.
 *
 * Classification, first match wins:
 *  - MIME_BOUNCE: a multipart/report with report-type=delivery-status (at the top or at
 *    most two levels down), or mail from MAILER-DAEMON / postmaster / "Mail Delivery
 *    System" whose subject reads like a failure ("Undelivered Mail Returned to Sender",
 *    "Delivery Status Notification (Failure)", "Undeliverable:", "failure notice", ...).
 *    A DSN whose recipient's Action is "delayed" (and none "failed") is MIME_DELAYED
 *    instead: a warning that delivery is still being tried, with the same bounce fields.
 *    Success DSNs ("delivered", "relayed", "expanded") stay bounces: see bounce_action.
 *  - MIME_AUTO_REPLY: Auto-Submitted other than "no" (RFC 3834), X-Autoreply, X-Autorespond,
 *    X-Autoresponder, Precedence auto_reply/bulk/junk, a disposition-notification report
 *    (read receipt), X-Auto-Response-Suppress with an out-of-office subject that does not
 *    start with Re:/AW:/Fwd:/..., or a subject that starts with an auto-reply marker ("Out
 *    of Office", "Automatic reply:", "Auto:", "Abwesenheitsnotiz", "Réponse automatique",
 *    ...). Only the subject's start counts, so "Re: Automatic reply: ..." from a person
 *    stays human.
 *  - MIME_UNSUBSCRIBE: text_new (signature and "Sent from my ..." lines ignored) is at most
 *    30 words and asks to be removed ("unsubscribe", "remove me", "stop emailing me",
 *    "take me off your list", ... not negated), or the subject, without Re:/Fwd: prefixes,
 *    starts with such a request.
 *  - MIME_HUMAN otherwise.
 * An auto-reply's return date, if it gives one, is in ooo_return_ms (the Date header, else
 * the time of parsing, is the reference for a date without a year).
 *
 * Errors: LC_EINVAL when raw is NULL or not a mail message at all (GMime finds no header
 * fields); LC_ENOMEM on allocation failure or when len > MIME_RAW_MAX. On error out holds
 * nothing to free (it is zeroed, text and text_new NULL); mime_parsed_free(out) is still
 * safe. Thread-safe once mime_global_init has run. */
lc_err mime_parse(const char *raw, size_t len, struct mime_parsed *out);

/* mime_ooo_return finds the day an out-of-office auto-reply says its writer is back, in
 * text (searched first) or subject, both UTF-8 and either NULL. ref_ms is when the message
 * was written: a date without a year is the next such day (the year of ref_ms, or the year
 * after when that day is more than 30 days before ref_ms). "until X" style dates (the last
 * day away) give the day after X. Returns 1 and sets *return_ms to 00:00 UTC of the return
 * day, or returns 0 and sets it to -1 (no date, or one more than 30 days before or 400 days
 * after ref_ms). Languages, shapes and rules: src/mail/mime_ooo.c. Never fails; reads at
 * most the first 16 KiB of each string. */
int mime_ooo_return(const char *subject, const char *text, int64_t ref_ms, int64_t *return_ms);

/* mime_parsed_free frees every string in p and zeroes it; NULL is a no-op, and freeing
 * twice is safe. p itself is the caller's. */
void mime_parsed_free(struct mime_parsed *p);

/* mime_global_init calls g_mime_init once per process (later calls do nothing). Call it at
 * start-up before threads; mime_parse calls it too, as a safety net. */
void mime_global_init(void);

/* mime_global_shutdown calls g_mime_shutdown when mime_global_init ran: only at exit, when
 * no thread parses any more; mime_parse must not be called afterwards. It exists so leak
 * checkers see GMime's tables freed. */
void mime_global_shutdown(void);

/* mime_class_name returns a static lowercase name: "human", "auto_reply", "bounce",
 * "unsubscribe", "delayed" ("unknown" for anything else). */
const char *mime_class_name(enum mime_class klass);

/* mime_html_to_text converts UTF-8 HTML html[0..len) to text as described for
 * struct mime_parsed.text and stores a malloc'd NUL-terminated string in *out (caller frees).
 * Errors: LC_ENOMEM (then *out is NULL). */
lc_err mime_html_to_text(const char *html, size_t len, char **out);

/* mime_text_new returns in *out (malloc'd, caller frees) text without its quoted part, as
 * described for struct mime_parsed.text_new. text is UTF-8 with LF line ends.
 * Errors: LC_ENOMEM (then *out is NULL). */
lc_err mime_text_new(const char *text, char **out);

/* mime_is_unsubscribe is 1 when subject (may be NULL) or text_new (may be NULL) is
 * essentially a request to stop receiving mail, by the rules given for MIME_UNSUBSCRIBE. */
int mime_is_unsubscribe(const char *subject, const char *text_new);

#endif
