/* imap_conn.h: one IMAP connection of the sync (docs/imap.md), on libetpan: connect with
 * implicit TLS or STARTTLS (our verified TLS, imap_net.h), LOGIN, EXAMINE (read-only: no
 * flag can change), list new UIDs with their RFC822.SIZE, fetch one message with
 * BODY.PEEK[] within a byte budget, and IDLE (RFC 2177). Nothing here writes to a mailbox:
 * no STORE, EXPUNGE, COPY or APPEND exists in this file. Every answer of the server is
 * untrusted; reasons given back are cleaned to one printable line. */
#ifndef LC_IMAP_CONN_H
#define LC_IMAP_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

#define IMAP_WHY_MAX 300

struct imap_conn;

struct imap_account {
	const char *host, *user, *password; /* borrowed for the call */
	unsigned port;
	int starttls; /* 0: implicit TLS */
	long timeout_ms;
};

/* imap_conn_open connects and logs in. LC_OK with *out; LC_EAUTH when the server refused
 * the login (why: its words); LC_EIO otherwise (why: what failed). */
lc_err imap_conn_open(
    const struct imap_account *a, struct imap_conn **out, char *why, size_t whylen);
/* imap_conn_close ends the connection (LOGOUT when it is in a state to) and frees c. */
void imap_conn_close(struct imap_conn *c);

/* imap_conn_examine opens folder read-only: *uidvalidity and *uidnext (0 when the server
 * did not say). folder is UTF-8, as people see it; the server is told its modified UTF-7
 * (imap/mutf7.h). LC_ENOTFOUND when the server refused it (no such folder) or the name is
 * not UTF-8; LC_ENOMEM; LC_EIO. */
lc_err imap_conn_examine(struct imap_conn *c, const char *folder, uint32_t *uidvalidity,
    uint32_t *uidnext, char *why, size_t whylen);

struct imap_uid {
	uint32_t uid;
	uint32_t size; /* RFC822.SIZE */
};
/* imap_conn_list lists the messages of the examined folder with a UID above after,
 * ascending, at most max (*out malloc'd, the caller frees). LC_EIO. */
lc_err imap_conn_list(struct imap_conn *c, uint32_t after, size_t max, struct imap_uid **out,
    size_t *n, char *why, size_t whylen);

/* imap_conn_fetch_cb receives one message (borrowed for the call). */
typedef lc_err (*imap_conn_fetch_cb)(void *arg, const char *raw, size_t len);
/* imap_conn_fetch fetches message uid (announced as size bytes, at most limit) with
 * BODY.PEEK[] and hands it to cb. Reading stops a little past size: a server that sends
 * more is cut off (LC_EIO). LC_ENOTFOUND when the message is gone; cb's error. */
lc_err imap_conn_fetch(struct imap_conn *c, uint32_t uid, uint32_t size, imap_conn_fetch_cb cb,
    void *arg, char *why, size_t whylen);

/* imap_conn_has_idle says whether the server offers IDLE. */
int imap_conn_has_idle(struct imap_conn *c);
/* imap_conn_idle starts IDLE on the examined folder. LC_EIO. */
lc_err imap_conn_idle(struct imap_conn *c, char *why, size_t whylen);
/* imap_conn_idle_fd is the socket to poll while idling; imap_conn_idle_ready says whether
 * bytes already wait in a buffer (poll would not see them). */
int imap_conn_idle_fd(struct imap_conn *c);
int imap_conn_idle_ready(struct imap_conn *c);
/* imap_conn_idle_done ends IDLE. LC_EIO (then close the connection). */
lc_err imap_conn_idle_done(struct imap_conn *c, char *why, size_t whylen);

/* imap_clean_text copies the untrusted text s (NULL: "") into out as one line of printable
 * ASCII, at most outlen - 1 bytes. */
void imap_clean_text(const char *s, char *out, size_t outlen);

#endif
