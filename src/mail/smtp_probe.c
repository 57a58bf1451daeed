/* smtp_probe.c: a mailbox's connection test, written by hand over OpenSSL.
 *
 * Why not libesmtp: it runs a session only to deliver a message (with no message queued,
 * smtp_start_session answers "nothing to do" without connecting), it hides the replies to
 * EHLO, STARTTLS and AUTH, and it has no implicit TLS. The test must show each step with
 * the server's words and send nothing, so it speaks the few commands it needs itself:
 * EHLO, STARTTLS, AUTH PLAIN or LOGIN, QUIT — never MAIL.
 *
 * The certificate is checked against the system store plus the configured CA file, and
 * its names against the host (SSL_set1_host / the IP address). The handshake itself
 * does not verify (SSL_VERIFY_NONE) so that a refusal can name its reason; no credential
 * is sent unless the verification passed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "mail/smtp_probe.h"
#include "util/utf8.h"

#define LINE_MAX_BYTES 1024

struct conn {
	int fd;
	SSL *ssl;
	char buf[4096];
	size_t len;
	int broken; /* a TLS handshake failed midway: no QUIT can be understood */
};

static struct smtp_probe_step *step_add(struct smtp_probe *, const char *);
static void step_text(struct smtp_probe_step *, const char *);
static int conn_open(const struct smtp_probe_cfg *, struct conn *, char *, size_t);
static int conn_write(struct conn *, const char *, size_t);
static int conn_line(struct conn *, char *, size_t);
static int reply_read(struct conn *, char *, size_t, int *, int *, int *);
static int command(struct conn *, struct smtp_probe *, const char *, const char *, int);
static int tls_start(const struct smtp_probe_cfg *, SSL_CTX *, struct conn *, struct smtp_probe *);
static int auth(const struct smtp_probe_cfg *, struct conn *, struct smtp_probe *, int, int);
static void clean_text(char *);

static struct smtp_probe_step *
step_add(struct smtp_probe *p, const char *name)
{
	struct smtp_probe_step *s;

	if (p->n == SMTP_PROBE_STEPS)
		p->n--; /* cannot happen with the steps below: keep the last slot */
	s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->step, sizeof(s->step), "%s", name);
	return s;
}

static void
step_text(struct smtp_probe_step *s, const char *text)
{
	snprintf(s->text, sizeof(s->text), "%s", text);
	clean_text(s->text);
}

/* clean_text keeps a server's words printable UTF-8 on one line. */
static void
clean_text(char *s)
{
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	utf8_sanitize(s);
}

static int
conn_open(const struct smtp_probe_cfg *cfg, struct conn *c, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv;
	char port[8], addr[INET6_ADDRSTRLEN];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", cfg->port);
	if ((rc = getaddrinfo(cfg->host, port, &hints, &res)) != 0) {
		snprintf(why, whylen, "cannot resolve %s: %s", cfg->host, gai_strerror(rc));
		return -1;
	}
	tv.tv_sec = cfg->timeout_ms / 1000;
	tv.tv_usec = (cfg->timeout_ms % 1000) * 1000;
	snprintf(why, whylen, "no address of %s", cfg->host);
	for (ai = res; ai; ai = ai->ai_next) {
		if ((c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0)) < 0)
			continue;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
			    NI_NUMERICHOST);
			snprintf(why, whylen, "connected to %s port %u (%s)", cfg->host, cfg->port,
			    addr);
			freeaddrinfo(res);
			return 0;
		}
		snprintf(why, whylen, "cannot connect to %s port %u: %s", cfg->host, cfg->port,
		    strerror(errno));
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	return -1;
}

static int
conn_write(struct conn *c, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if (c->ssl) {
			int k = SSL_write(c->ssl, s, (int)n);
			if (k <= 0)
				return -1;
			w = k;
		} else if ((w = send(c->fd, s, n, MSG_NOSIGNAL)) <= 0) {
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* conn_line reads one line (without CRLF) into line; -1 on EOF, error or timeout. */
static int
conn_line(struct conn *c, char *line, size_t size)
{
	char *nl;
	size_t n;
	ssize_t r;

	for (;;) {
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = (size_t)(nl - c->buf);
			if (n > 0 && c->buf[n - 1] == '\r')
				n--;
			if (n >= size)
				n = size - 1;
			memcpy(line, c->buf, n);
			line[n] = '\0';
			n = (size_t)(nl - c->buf) + 1;
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			return 0;
		}
		if (c->len == sizeof(c->buf))
			c->len = 0; /* a line longer than any reply we read: drop it */
		if (c->ssl) {
			int k = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len));
			r = k > 0 ? k : -1;
		} else {
			r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		}
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* reply_read reads one (multi-line) reply: *code, its text joined with " / " into text,
 * and whether its lines announce STARTTLS and AUTH PLAIN/LOGIN (*exts bits 1, 2, 4).
 * -1 when the connection ended first. */
static int
reply_read(struct conn *c, char *text, size_t size, int *code, int *exts, int *last)
{
	char line[LINE_MAX_BYTES];
	size_t used = 0;

	text[0] = '\0';
	*code = 0;
	for (;;) {
		if (conn_line(c, line, sizeof(line)) != 0)
			return -1;
		if (strlen(line) < 3 || line[0] < '1' || line[0] > '5')
			return -1;
		*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (exts) {
			if (strncasecmp(line + 4, "STARTTLS", 8) == 0)
				*exts |= 1;
			if (strncasecmp(line + 4, "AUTH", 4) == 0 &&
			    (line[8] == ' ' || line[8] == '=')) {
				if (strstr(line + 8, "PLAIN") || strstr(line + 8, "plain"))
					*exts |= 2;
				if (strstr(line + 8, "LOGIN") || strstr(line + 8, "login"))
					*exts |= 4;
			}
		}
		if (used < size - 1)
			used += (size_t)snprintf(
			    text + used, size - used, "%s%s", used ? " / " : "", line);
		if (used >= size)
			used = size - 1;
		if (line[3] != '-')
			break;
	}
	if (last)
		*last = *code;
	clean_text(text);
	return 0;
}

/* command sends cmd (shown as name) and reads its reply into a new step; the step passes
 * when the reply's first digit is want. Returns the reply code, -1 when the connection
 * ended. */
static int
command(struct conn *c, struct smtp_probe *p, const char *name, const char *cmd, int want)
{
	struct smtp_probe_step *s = step_add(p, name);
	char line[LINE_MAX_BYTES];
	int code = 0;

	snprintf(line, sizeof(line), "%s\r\n", cmd);
	if (conn_write(c, line, strlen(line)) != 0 ||
	    reply_read(c, s->text, sizeof(s->text), &code, NULL, NULL) != 0) {
		step_text(s, "the connection ended without a reply");
		return -1;
	}
	s->code = code;
	s->ok = code / 100 == want;
	return code;
}

/* tls_start runs the TLS handshake on c and checks the certificate (a "tls" step). */
static int
tls_start(const struct smtp_probe_cfg *cfg, SSL_CTX *ctx, struct conn *c, struct smtp_probe *p)
{
	struct smtp_probe_step *s = step_add(p, "tls");
	unsigned char ip[16];
	long vr;
	int is_ip = inet_pton(AF_INET, cfg->host, ip) == 1;

	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		step_text(s, "cannot set up TLS");
		return -1;
	}
	if (!is_ip)
		SSL_set_tlsext_host_name(c->ssl, cfg->host);
	if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), cfg->host) != 1
	          : SSL_set1_host(c->ssl, cfg->host) != 1) {
		step_text(s, "cannot set up the host name check");
		return -1;
	}
	if (SSL_connect(c->ssl) != 1) {
		char err[200];
		ERR_error_string_n(ERR_get_error(), err, sizeof(err));
		snprintf(s->text, sizeof(s->text), "TLS handshake failed: %s", err);
		clean_text(s->text);
		SSL_free(c->ssl);
		c->ssl = NULL;
		c->broken = 1;
		return -1;
	}
	if ((vr = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
		snprintf(s->text, sizeof(s->text), "certificate refused: %s",
		    X509_verify_cert_error_string(vr));
		return -1;
	}
	snprintf(s->text, sizeof(s->text), "%s, certificate verified for %s",
	    SSL_get_version(c->ssl), cfg->host);
	s->ok = 1;
	return 0;
}

/* auth sends AUTH PLAIN (or LOGIN when only that is offered); the credentials pass
 * through local buffers that are wiped before returning. */
static int
auth(const struct smtp_probe_cfg *cfg, struct conn *c, struct smtp_probe *p, int plain, int login)
{
	struct smtp_probe_step *s = step_add(p, "auth");
	char raw[1024], b64[1400], line[1500];
	size_t ul = strlen(cfg->user), pl = strlen(cfg->password);
	int code = 0, rc = -1;

	if (!plain && !login) {
		step_text(s, "the server offers neither AUTH PLAIN nor AUTH LOGIN");
		return -1;
	}
	if (ul + pl + 2 > sizeof(raw)) {
		step_text(s, "the username and password are too long");
		return -1;
	}
	if (plain) {
		raw[0] = '\0';
		memcpy(raw + 1, cfg->user, ul);
		raw[ul + 1] = '\0';
		memcpy(raw + ul + 2, cfg->password, pl);
		sodium_bin2base64(b64, sizeof(b64), (unsigned char *)raw, ul + pl + 2,
		    sodium_base64_VARIANT_ORIGINAL);
		snprintf(line, sizeof(line), "AUTH PLAIN %s\r\n", b64);
		if (conn_write(c, line, strlen(line)) != 0 ||
		    reply_read(c, s->text, sizeof(s->text), &code, NULL, NULL) != 0)
			goto gone;
	} else {
		if (conn_write(c, "AUTH LOGIN\r\n", 12) != 0 ||
		    reply_read(c, s->text, sizeof(s->text), &code, NULL, NULL) != 0)
			goto gone;
		if (code == 334) {
			sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cfg->user, ul,
			    sodium_base64_VARIANT_ORIGINAL);
			snprintf(line, sizeof(line), "%s\r\n", b64);
			if (conn_write(c, line, strlen(line)) != 0 ||
			    reply_read(c, s->text, sizeof(s->text), &code, NULL, NULL) != 0)
				goto gone;
		}
		if (code == 334) {
			sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cfg->password,
			    pl, sodium_base64_VARIANT_ORIGINAL);
			snprintf(line, sizeof(line), "%s\r\n", b64);
			if (conn_write(c, line, strlen(line)) != 0 ||
			    reply_read(c, s->text, sizeof(s->text), &code, NULL, NULL) != 0)
				goto gone;
		}
	}
	s->code = code;
	s->ok = code == 235;
	if (!s->ok && code >= 500)
		p->auth_failed = 1;
	rc = s->ok ? 0 : -1;
	goto out;
gone:
	step_text(s, "the connection ended during AUTH");
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(line, sizeof(line));
	return rc;
}

lc_err
smtp_probe_run(const struct smtp_probe_cfg *cfg, struct smtp_probe *p)
{
	struct conn c;
	struct smtp_probe_step *s;
	char why[300], ehlo[300];
	SSL_CTX *ctx = NULL;
	int code = 0, exts = 0, connected = 0, ok = 0;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	if (cfg->security != PROBE_PLAIN) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			return LC_ENOMEM;
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_default_verify_paths(ctx);
		if (cfg->ca_file && SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
			s = step_add(p, "tls");
			step_text(s, "the configured CA file cannot be read");
			goto out;
		}
	}
	s = step_add(p, "connect");
	if (conn_open(cfg, &c, why, sizeof(why)) != 0) {
		step_text(s, why);
		goto out;
	}
	step_text(s, why);
	s->ok = 1;
	connected = 1;
	if (cfg->security == PROBE_TLS && tls_start(cfg, ctx, &c, p) != 0)
		goto out;
	s = step_add(p, "greeting");
	if (reply_read(&c, s->text, sizeof(s->text), &code, NULL, NULL) != 0) {
		step_text(s, "the connection ended before a greeting");
		goto out;
	}
	s->code = code;
	if (!(s->ok = code == 220))
		goto out;
	snprintf(
	    ehlo, sizeof(ehlo), "EHLO %s", cfg->helo && cfg->helo[0] ? cfg->helo : "localhost");
	s = step_add(p, "ehlo");
	if (conn_write(&c, ehlo, strlen(ehlo)) != 0 || conn_write(&c, "\r\n", 2) != 0 ||
	    reply_read(&c, s->text, sizeof(s->text), &code, &exts, NULL) != 0) {
		step_text(s, "the connection ended without a reply");
		goto out;
	}
	s->code = code;
	if (!(s->ok = code == 250))
		goto out;
	if (cfg->security == PROBE_STARTTLS) {
		if (!(exts & 1)) {
			s = step_add(p, "starttls");
			step_text(
			    s, "the server does not offer STARTTLS, which this mailbox requires");
			goto out;
		}
		if (command(&c, p, "starttls", "STARTTLS", 2) != 220)
			goto out;
		c.len = 0; /* nothing read before TLS may be trusted after it */
		if (tls_start(cfg, ctx, &c, p) != 0)
			goto out;
		exts = 0;
		s = step_add(p, "ehlo");
		if (conn_write(&c, ehlo, strlen(ehlo)) != 0 || conn_write(&c, "\r\n", 2) != 0 ||
		    reply_read(&c, s->text, sizeof(s->text), &code, &exts, NULL) != 0) {
			step_text(s, "the connection ended without a reply");
			goto out;
		}
		s->code = code;
		if (!(s->ok = code == 250))
			goto out;
	}
	if (auth(cfg, &c, p, exts & 2, exts & 4) != 0)
		goto out;
	ok = 1;
out:
	if (connected && c.fd >= 0 && !c.broken) {
		/* QUIT is always polite, even after a failure, unless the server is gone */
		if (command(&c, p, "quit", "QUIT", 2) < 0)
			p->n--; /* no reply to QUIT is not worth a step of its own */
	}
	p->ok = ok;
	if (c.ssl) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	if (c.fd >= 0)
		close(c.fd);
	SSL_CTX_free(ctx);
	return LC_OK;
}
