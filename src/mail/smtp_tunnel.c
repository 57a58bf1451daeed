/* smtp_tunnel.c: implicit TLS for libesmtp. libesmtp 1.1 connects by "host:port" and
 * speaks TLS only after STARTTLS, so a mailbox on an SMTPS port (465) is reached through
 * this relay: the worker opens the TLS connection itself (verified like every other:
 * the chain against the context's store, the certificate's names against the host with
 * SSL_set1_host), then lets libesmtp connect to a listener on 127.0.0.1 that accepts
 * exactly one connection, and copies bytes between the two.
 *
 * Hazards handled here:
 * - OpenSSL may hold decrypted bytes that poll() on the socket cannot see (a reply that
 *   came in the same record as a TLS 1.3 session ticket): SSL_pending is checked before
 *   waiting.
 * - Another local process could connect to the listener first; it would get an
 *   unauthenticated TLS connection to the server, nothing more (no credential has been
 *   sent), and libesmtp would then fail to connect: a temporary failure. The listener
 *   accepts one connection and closes. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "mail/smtp_tunnel.h"

struct smtp_tunnel {
	int remote;   /* TCP to the server, under ssl */
	int listener; /* 127.0.0.1:ephemeral, until the one accept */
	int stop[2];  /* a pipe: a byte written ends the relay */
	SSL *ssl;
	pthread_t thread;
	long timeout_ms;
};

static int connect_to(const char *, unsigned, long, char *, size_t);
static void *relay(void *);

static int
connect_to(const char *host, unsigned port, long timeout_ms, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	char p[8];
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(p, sizeof(p), "%u", port);
	if ((rc = getaddrinfo(host, p, &hints, &res)) != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	snprintf(why, whylen, "no address of %s", host);
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0)) < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		snprintf(
		    why, whylen, "cannot connect to %s port %u: %s", host, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

lc_err
smtp_tunnel_open(SSL_CTX *ctx, const char *host, unsigned port, long timeout_ms,
    struct smtp_tunnel **out, unsigned *local_port, char *why, size_t whylen)
{
	struct smtp_tunnel *t;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	unsigned char ip[16];
	long vr;
	int is_ip = inet_pton(AF_INET, host, ip) == 1;

	*out = NULL;
	*local_port = 0;
	if (ctx == NULL || (t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(why, whylen, "cannot set up TLS");
		return LC_ENOMEM;
	}
	t->listener = t->stop[0] = t->stop[1] = -1;
	t->timeout_ms = timeout_ms;
	if ((t->remote = connect_to(host, port, timeout_ms, why, whylen)) < 0)
		goto fail;
	if ((t->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(t->ssl, t->remote) != 1 ||
	    (!is_ip && SSL_set_tlsext_host_name(t->ssl, host) != 1) ||
	    (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host)
	           : SSL_set1_host(t->ssl, host)) != 1) {
		snprintf(why, whylen, "cannot set up TLS");
		goto fail;
	}
	if (SSL_connect(t->ssl) != 1) {
		char err[160];
		ERR_error_string_n(ERR_get_error(), err, sizeof(err));
		snprintf(why, whylen, "TLS refused: handshake failed (%s)", err);
		goto fail;
	}
	if ((vr = SSL_get_verify_result(t->ssl)) != X509_V_OK) {
		snprintf(why, whylen, "TLS refused: the server's certificate is not trusted (%s)",
		    X509_verify_cert_error_string(vr));
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((t->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(t->listener, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(t->listener, 1) != 0 ||
	    getsockname(t->listener, (struct sockaddr *)&sa, &len) != 0 ||
	    pipe2(t->stop, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "cannot listen on 127.0.0.1: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&t->thread, NULL, relay, t) != 0) {
		snprintf(why, whylen, "cannot start the TLS relay");
		goto fail;
	}
	*local_port = ntohs(sa.sin_port);
	*out = t;
	return LC_OK;
fail:
	if (t->ssl)
		SSL_free(t->ssl);
	if (t->remote >= 0)
		close(t->remote);
	if (t->listener >= 0)
		close(t->listener);
	if (t->stop[0] >= 0) {
		close(t->stop[0]);
		close(t->stop[1]);
	}
	free(t);
	return LC_EIO;
}

/* relay accepts libesmtp's connection, then copies bytes until either side ends, the
 * stop pipe is written or nothing moves for the timeout. */
static void *
relay(void *arg)
{
	struct smtp_tunnel *t = arg;
	struct pollfd p[3];
	char buf[16384];
	int local = -1, n, timeout = t->timeout_ms > 0 ? (int)t->timeout_ms : 60000;

	p[0].fd = t->listener;
	p[0].events = POLLIN;
	p[1].fd = t->stop[0];
	p[1].events = POLLIN;
	if (poll(p, 2, timeout) <= 0 || (p[1].revents & POLLIN) ||
	    (local = accept4(t->listener, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return NULL;
	close(t->listener);
	t->listener = -1;
	for (;;) {
		if (SSL_pending(t->ssl) == 0) {
			p[0].fd = local;
			p[0].events = POLLIN;
			p[1].fd = t->remote;
			p[1].events = POLLIN;
			p[2].fd = t->stop[0];
			p[2].events = POLLIN;
			if (poll(p, 3, timeout) <= 0 || (p[2].revents & POLLIN))
				break;
		} else {
			p[0].revents = 0;
			p[1].revents = POLLIN;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = SSL_read(t->ssl, buf, sizeof(buf))) <= 0 ||
			    send(local, buf, (size_t)n, MSG_NOSIGNAL) != n)
				break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = (int)recv(local, buf, sizeof(buf), 0)) <= 0 ||
			    SSL_write(t->ssl, buf, n) != n)
				break;
		}
	}
	close(local);
	return NULL;
}

void
smtp_tunnel_close(struct smtp_tunnel *t)
{
	if (t == NULL)
		return;
	if (write(t->stop[1], "x", 1) != 1) {
		/* the pipe is ours and empty: cannot fail; the relay ends at its timeout anyway */
	}
	pthread_join(t->thread, NULL);
	SSL_shutdown(t->ssl);
	SSL_free(t->ssl);
	close(t->remote);
	if (t->listener >= 0)
		close(t->listener);
	close(t->stop[0]);
	close(t->stop[1]);
	free(t);
}
