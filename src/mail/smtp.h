/* smtp.h: delivering one composed message to one recipient with libesmtp, reading the
 * per-recipient and per-message status rather than only the session's. */
#ifndef LC_MAIL_SMTP_H
#define LC_MAIL_SMTP_H

#include <stddef.h>
#include "util/config.h"
#include "util/err.h"

enum smtp_tls { SMTP_TLS_NO = 0, SMTP_TLS_OPTIONAL, SMTP_TLS_REQUIRED };

struct smtp_config {
	char hostport[CONFIG_STR + 8]; /* "host:port" */
	char helo[CONFIG_STR];         /* name for EHLO; empty: libesmtp's default */
	enum smtp_tls starttls;
	char user[CONFIG_STR], password[CONFIG_STR]; /* AUTH when user is non-empty */
	long timeout_ms;  /* each protocol phase, including the wait after the final dot */
	int require_auth; /* a sender mailbox: send nothing unless AUTH succeeded */
	int implicit_tls; /* TLS from the first byte (SMTPS, port 465), through
	                     smtp_tunnel.c; starttls is then ignored */
};

enum smtp_verdict {
	SMTP_ACCEPTED,  /* 2xx after DATA */
	SMTP_TEMPORARY, /* 4xx, or no connection / dropped before the final dot */
	SMTP_PERMANENT, /* 5xx on MAIL, RCPT or after DATA */
	SMTP_UNKNOWN    /* the final dot went out and no reply came back */
};

struct smtp_outcome {
	enum smtp_verdict verdict;
	int code;
	int enh_class, enh_subject, enh_detail;
	char text[200];
	int auth_failed; /* require_auth and the server refused AUTH (text: its words) or did
	                    not offer it; nothing was sent and verdict is SMTP_TEMPORARY */
};

/* smtp_data_hook is called once, when libesmtp starts reading the message body (DATA is
 * under way). It returns 0 to go on; nonzero means this sender lost the right to send:
 * the connection is then dropped before any of the message, and the verdict is
 * SMTP_TEMPORARY. */
typedef int (*smtp_data_hook)(void *arg);

/* smtp_global_init prepares libesmtp's auth client and the TLS context of STARTTLS
 * sessions (the system store); call once before threads start. */
void smtp_global_init(void);

/* smtp_set_trust adds the certificates in ca_file (PEM) to the ones a STARTTLS server's
 * certificate may chain to; call once, after smtp_global_init, before threads start.
 * libesmtp checks the chain and the host name (DNS names, not IP addresses). LC_EIO when
 * the file cannot be read. */
lc_err smtp_set_trust(const char *ca_file);

/* smtp_deliver sends message[0..len) (CRLF lines) from `from` to `to` in one SMTP
 * transaction and classifies the result into out. LC_OK whenever a verdict was reached
 * (including failures of delivery); LC_ENOMEM when libesmtp could not be set up. */
lc_err smtp_deliver(const struct smtp_config *cfg, const char *from, const char *to,
    const char *message, size_t len, smtp_data_hook hook, void *hook_arg, struct smtp_outcome *out);

#endif
