/* smtp_probe.h: the connection test of a sender mailbox — connect, greeting, EHLO,
 * STARTTLS (or implicit TLS), certificate check, EHLO, AUTH, QUIT — reporting each step
 * with the server's own words. It sends no mail (no MAIL FROM). */
#ifndef LC_MAIL_SMTP_PROBE_H
#define LC_MAIL_SMTP_PROBE_H

#include <stddef.h>
#include "util/err.h"

#define SMTP_PROBE_STEPS 12

enum smtp_probe_security { PROBE_TLS = 0, PROBE_STARTTLS, PROBE_PLAIN };

struct smtp_probe_cfg {
	const char *host; /* a host name (checked against the certificate) or IPv4 */
	unsigned port;
	enum smtp_probe_security security;
	const char *helo;            /* EHLO name */
	const char *user, *password; /* borrowed; the password is wiped from every buffer used */
	const char *ca_file;         /* extra trust anchors besides the system store, or NULL */
	long timeout_ms;             /* each read and write */
};

struct smtp_probe_step {
	char step[16]; /* connect, tls, greeting, ehlo, starttls, auth, quit */
	int ok;
	int code;       /* the server's reply code, 0 when the step had none */
	char text[300]; /* the server's words (printable UTF-8), or what went wrong */
};

struct smtp_probe {
	struct smtp_probe_step steps[SMTP_PROBE_STEPS];
	size_t n;
	int ok;          /* every step passed: the mailbox can send */
	int auth_failed; /* the server refused our credentials */
};

/* smtp_probe_run runs the test and fills out; LC_OK whenever it ran (whatever the
 * server said), LC_ENOMEM when TLS could not be set up at all. The first failing step ends
 * the test (after a QUIT when the connection still stands). AUTH is only ever sent over a
 * verified TLS connection, or over plain SMTP when security is PROBE_PLAIN. */
lc_err smtp_probe_run(const struct smtp_probe_cfg *cfg, struct smtp_probe *out);

#endif
