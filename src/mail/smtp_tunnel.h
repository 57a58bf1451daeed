/* smtp_tunnel.h: implicit TLS (SMTPS, port 465) for libesmtp, which speaks only
 * STARTTLS: a TLS connection to the server, relayed to a one-shot listener on 127.0.0.1
 * that libesmtp connects to in the clear. */
#ifndef LC_MAIL_SMTP_TUNNEL_H
#define LC_MAIL_SMTP_TUNNEL_H

#include <stddef.h>
#include <openssl/ssl.h>
#include "util/err.h"

struct smtp_tunnel;

/* smtp_tunnel_open connects to host:port, runs the TLS handshake with ctx (borrowed; the
 * chain is verified against its store and the certificate must name host), then listens
 * on 127.0.0.1 (an ephemeral port, written to *local_port) and starts a thread that
 * accepts one connection and relays bytes both ways until either side ends. LC_OK with
 * *out (close it with smtp_tunnel_close); otherwise a one-line reason in why (what TLS or
 * the network said) and LC_EIO. */
lc_err smtp_tunnel_open(SSL_CTX *ctx, const char *host, unsigned port, long timeout_ms,
    struct smtp_tunnel **out, unsigned *local_port, char *why, size_t whylen);

/* smtp_tunnel_close ends the relay, joins its thread and frees t (NULL: nothing). */
void smtp_tunnel_close(struct smtp_tunnel *t);

#endif
