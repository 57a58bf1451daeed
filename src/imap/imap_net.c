/* imap_net.c: TCP with deadlines and an OpenSSL mailstream driver for libetpan
 * (imap_net.h says why). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "imap/imap_net.h"
#include "util/timefmt.h"

struct tls_low {
	SSL *ssl; /* NULL: plain (before STARTTLS) */
	int fd;
	long timeout_ms;
	size_t budget, used; /* budget 0: no limit */
	int64_t deadline;    /* 0: none */
};

static SSL_CTX *ctx; /* read-only once threads run */
static int stopping; /* read and written with __atomic builtins: threads share it */

static int wait_fd(int, short, long);
static int wait_low(struct tls_low *, short);
static ssize_t low_read(mailstream_low *, void *, size_t);
static ssize_t low_write(mailstream_low *, const void *, size_t);
static int low_close(mailstream_low *);
static int low_get_fd(mailstream_low *);
static void low_free(mailstream_low *);
static void low_cancel(mailstream_low *);
static struct mailstream_cancel *low_get_cancel(mailstream_low *);
static carray *low_chain(mailstream_low *);

static mailstream_low_driver tls_driver = {
    low_read,
    low_write,
    low_close,
    low_get_fd,
    low_free,
    low_cancel,
    low_get_cancel,
    low_chain,
    NULL,
    NULL,
    NULL,
};

lc_err
imap_net_init(const char *ca_file)
{
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return LC_ENOMEM;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		ERR_clear_error(); /* no system store: only ca_file is trusted */
	if (ca_file && ca_file[0] && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		ERR_clear_error();
		return LC_EIO;
	}
	return LC_OK;
}

void
imap_net_end(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
}

void
imap_net_stop(void)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
}

/* wait_fd waits until fd is ready for events, at most ms: 1 ready, 0 timed out (or the
 * worker stops), -1 error. It looks at the stop flag every half second. */
static int
wait_fd(int fd, short events, long ms)
{
	struct pollfd p = {fd, events, 0};
	int64_t end = now_ms() + ms, left;
	int r;

	for (;;) {
		left = end - now_ms();
		if (left <= 0 || __atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
			return 0;
		r = poll(&p, 1, (int)(left > 500 ? 500 : left));
		if (r == 0)
			continue;
		if (r > 0)
			return (p.revents & (events | POLLHUP | POLLERR)) ? 1 : -1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int
imap_net_connect(const char *host, unsigned port, long timeout_ms, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8];
	int fd = -1, r, err = 0;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%u", port);
	if ((r = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		         ai->ai_protocol)) < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, timeout_ms) == 1) {
			len = sizeof(err);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				break;
		} else {
			err = errno ? errno : ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(why, whylen, "cannot connect to %s:%u: %s", host, port,
		    strerror(err ? err : ETIMEDOUT));
	return fd;
}

mailstream_low *
imap_tls_open(int fd, const char *host, long timeout_ms, char *why, size_t whylen)
{
	struct in_addr a4;
	struct tls_low *t;
	mailstream_low *low;
	SSL *ssl;
	int64_t end;
	int r, err;
	long v;

	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		snprintf(why, whylen, "TLS: out of memory");
		goto fail;
	}
	if (inet_pton(AF_INET, host, &a4) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1)
			goto fail;
	} else if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set1_host(ssl, host) != 1) {
		snprintf(why, whylen, "TLS: bad host name");
		goto fail;
	}
	end = now_ms() + timeout_ms; /* the whole handshake, not each step of it */
	for (;;) {
		if ((r = SSL_connect(ssl)) == 1)
			break;
		err = SSL_get_error(ssl, r);
		if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) &&
		    wait_fd(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
		        (long)(end - now_ms())) == 1)
			continue;
		if ((v = SSL_get_verify_result(ssl)) != X509_V_OK)
			snprintf(why, whylen,
			    "TLS refused: the server's certificate is not trusted (%s)",
			    X509_verify_cert_error_string(v));
		else if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			snprintf(
			    why, whylen, "TLS: the server did not answer the handshake in time");
		else
			snprintf(why, whylen, "TLS handshake failed");
		goto fail;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto fail;
	t->ssl = ssl;
	t->fd = fd;
	t->timeout_ms = timeout_ms;
	if ((low = mailstream_low_new(t, &tls_driver)) == NULL) {
		free(t);
		goto fail;
	}
	return low;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return NULL;
}

/* wait_low waits for t's socket within the per-wait timeout and the command's deadline. */
static int
wait_low(struct tls_low *t, short events)
{
	long ms = t->timeout_ms;
	int64_t left;

	if (t->deadline) {
		if ((left = t->deadline - now_ms()) <= 0)
			return 0;
		if (left < ms)
			ms = (long)left;
	}
	return wait_fd(t->fd, events, ms);
}

mailstream_low *
imap_plain_open(int fd, long timeout_ms)
{
	struct tls_low *t;
	mailstream_low *low;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		close(fd);
		return NULL;
	}
	t->fd = fd;
	t->timeout_ms = timeout_ms;
	if ((low = mailstream_low_new(t, &tls_driver)) == NULL) {
		free(t);
		close(fd);
	}
	return low;
}

void
imap_tls_budget(mailstream_low *low, size_t bytes, int64_t deadline_ms)
{
	struct tls_low *t = low->data;

	if (low->driver != &tls_driver)
		return;
	t->budget = bytes;
	t->used = 0;
	t->deadline = deadline_ms;
}

int
imap_tls_pending(mailstream_low *low)
{
	struct tls_low *t = low->data;

	return low->driver == &tls_driver && t->ssl && SSL_pending(t->ssl) > 0;
}

static ssize_t
low_read(mailstream_low *s, void *buf, size_t count)
{
	struct tls_low *t = s->data;
	int r, err;

	if (t->budget) {
		if (t->used >= t->budget)
			return -1; /* more than announced: treated as a dropped connection */
		if (count > t->budget - t->used)
			count = t->budget - t->used;
	}
	if (count > INT32_MAX)
		count = INT32_MAX;
	if (t->ssl == NULL) {
		ssize_t n;
		for (;;) {
			if ((n = recv(t->fd, buf, count, 0)) >= 0) {
				t->used += (size_t)n;
				return n;
			}
			if ((errno != EAGAIN && errno != EINTR) || wait_low(t, POLLIN) != 1)
				return -1;
		}
	}
	for (;;) {
		r = SSL_read(t->ssl, buf, (int)count);
		if (r > 0) {
			t->used += (size_t)r;
			return r;
		}
		err = SSL_get_error(t->ssl, r);
		if (err == SSL_ERROR_ZERO_RETURN)
			return 0;
		if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) &&
		    wait_low(t, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) == 1)
			continue;
		ERR_clear_error();
		return -1;
	}
}

static ssize_t
low_write(mailstream_low *s, const void *buf, size_t count)
{
	struct tls_low *t = s->data;
	int r, err;

	if (count > INT32_MAX)
		count = INT32_MAX;
	if (t->ssl == NULL) {
		ssize_t n;
		for (;;) {
			if ((n = send(t->fd, buf, count, MSG_NOSIGNAL)) >= 0)
				return n;
			if ((errno != EAGAIN && errno != EINTR) || wait_low(t, POLLOUT) != 1)
				return -1;
		}
	}
	for (;;) {
		r = SSL_write(t->ssl, buf, (int)count);
		if (r > 0)
			return r;
		err = SSL_get_error(t->ssl, r);
		if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) &&
		    wait_low(t, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) == 1)
			continue;
		ERR_clear_error();
		return -1;
	}
}

static int
low_close(mailstream_low *s)
{
	struct tls_low *t = s->data;

	if (t->fd >= 0) {
		if (t->ssl)
			SSL_shutdown(
			    t->ssl); /* one try, never waited for: the fd is non-blocking */
		ERR_clear_error();
		close(t->fd);
		t->fd = -1;
	}
	return 0;
}

static int
low_get_fd(mailstream_low *s)
{
	return ((struct tls_low *)s->data)->fd;
}

static void
low_free(mailstream_low *s)
{
	struct tls_low *t = s->data;

	if (t->fd >= 0)
		close(t->fd);
	SSL_free(t->ssl);
	free(t);
	free(s);
}

static void
low_cancel(mailstream_low *s)
{
	(void)s;
}

static struct mailstream_cancel *
low_get_cancel(mailstream_low *s)
{
	(void)s;
	return NULL;
}

static carray *
low_chain(mailstream_low *s)
{
	(void)s;
	return NULL;
}
