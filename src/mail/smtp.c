/* smtp.c: one message, one recipient, one SMTP transaction through libesmtp.
 *
 * The verdict rests on what the server said about the recipient and the message, not on
 * whether the session "succeeded": a session can succeed while RCPT was refused, and fail
 * after the final dot was sent (then nobody knows whether the mail was accepted). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <auth-client.h> /* before libesmtp.h: it enables smtp_auth_set_context */
#include <openssl/ssl.h> /* before libesmtp.h: it declares smtp_starttls_set_ctx */
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <libesmtp.h>

#include "mail/smtp.h"
#include "mail/smtp_tunnel.h"
#include "util/utf8.h"

/* What the protocol monitor learnt about AUTH (see monitor_cb). */
struct auth_watch {
	int attempted;     /* an AUTH command was written */
	int in_auth;       /* an AUTH command was written and its exchange has not ended */
	int authenticated; /* the server answered 235 */
	int refused;       /* the server answered AUTH with 4xx/5xx; text has its words */
	char text[200];
};

struct feed {
	const char *message;
	size_t len;
	int started;         /* the body was asked for: DATA is under way */
	int finished;        /* the whole body was handed over: the final dot follows */
	int refused;         /* the hook said we may no longer send */
	int unauthenticated; /* require_auth, and AUTH did not succeed: refused */
	int require_auth;
	struct auth_watch *auth;
	smtp_data_hook hook;
	void *hook_arg;
};

/* The TLS context of every STARTTLS session, made once by smtp_global_init (the system
 * store, plus smtp_set_trust's CA file) and read-only once threads run. libesmtp 1.1 frees
 * a session's context when the session ends; when it made the context itself, that is its
 * one shared default, and the next session uses freed memory (ASan caught it with two
 * mailers). smtp_starttls_set_ctx takes a reference of ours for each session instead. */
static SSL_CTX *tls_ctx;

/* libesmtp fills a character table (tokens.c) on first use, without a lock, when it
 * parses a server's EHLO reply; threads that read it while another fills it can misread
 * a reply. So sessions start one at a time until one has had its MAIL FROM answered (EHLO
 * comes before it): that session lets the next ones go as soon as the reply is read, not
 * when it ends, and from then on the table is complete and sessions run side by side.
 * (The cost: while the relay answers nothing at all, sessions time out one after another
 * instead of together.) */
static pthread_mutex_t first_session = PTHREAD_MUTEX_INITIALIZER;
static int tables_ready; /* guarded by first_session */

/* One session that holds first_session until its MAIL FROM is answered, and the reason
 * a server's certificate was refused, if it was. */
struct gate {
	smtp_message_t msg;
	int holding;
	char tls_refused[160];
};

static const char *feed_cb(void **, int *, void *);
static void gate_event_cb(smtp_session_t, int, void *, ...);
static void monitor_cb(const char *, int, int, void *);
static void gate_open(struct gate *);
static int auth_interact(auth_client_request_t, char **, int, void *);
static void classify(const smtp_status_t *, struct smtp_outcome *);
static int is_permanent(int);

/* feed_cb hands libesmtp the message in one piece. libesmtp rewinds (len == NULL) before
 * reading; the first read is the moment DATA begins. When the hook refuses, the message
 * must not go out at all: an empty read alone would make libesmtp end the DATA phase
 * normally (its own Date/Message-ID headers, an empty body, the final dot: a blank mail
 * delivered). An empty read with errno set makes it drop the connection instead, and a
 * server discards a mail transaction whose final dot never came (RFC 5321, 4.1.1.4). */
static const char *
feed_cb(void **ctx, int *len, void *arg)
{
	struct feed *f = arg;

	(void)ctx;
	if (len == NULL)
		return NULL; /* rewind: nothing to do, reads start from the beginning */
	if (!f->started) {
		f->started = 1;
		if (f->require_auth && !f->auth->authenticated) {
			/* libesmtp goes on to MAIL after a refused AUTH (a server must accept mail
			 * for its own domains): a sender mailbox sends nothing unauthenticated */
			f->unauthenticated = 1;
			*len = 0;
			errno = EACCES;
			return NULL;
		}
		if (f->hook && f->hook(f->hook_arg) != 0) {
			f->refused = 1;
			*len = 0;
			errno = ECANCELED;
			return NULL;
		}
		*len = (int)f->len;
		return f->message;
	}
	f->finished = 1;
	*len = 0;
	return NULL;
}

/* gate_open releases first_session if g holds it, marking the tables ready when the
 * session's MAIL FROM got a reply. */
static void
gate_open(struct gate *g)
{
	const smtp_status_t *st;

	if (!g->holding)
		return;
	st = smtp_reverse_path_status(g->msg);
	if (st != NULL && st->code >= 200)
		tables_ready = 1;
	g->holding = 0;
	pthread_mutex_unlock(&first_session);
}

/* gate_event_cb opens the gate as soon as libesmtp has read the reply to MAIL FROM, and
 * keeps the reason of a refused certificate. libesmtp checks the chain (tls_ctx's trust
 * store) and the host's name (DNS names only: it does not match IP addresses); a refusal
 * leaves ok at 0 and libesmtp QUITs before AUTH. */
static void
gate_event_cb(smtp_session_t session, int event_no, void *arg, ...)
{
	struct gate *g = arg;
	va_list ap;
	long vfy;

	(void)session;
	va_start(ap, arg);
	switch (event_no) {
	case SMTP_EV_MAILSTATUS: gate_open(g); break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		vfy = va_arg(ap, long);
		snprintf(g->tls_refused, sizeof(g->tls_refused),
		    "not sent: the server's TLS certificate is not trusted (OpenSSL verify error "
		    "%ld: %s)",
		    vfy, X509_verify_cert_error_string(vfy));
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		snprintf(g->tls_refused, sizeof(g->tls_refused),
		    "not sent: the server's TLS certificate does not name the host it was reached "
		    "at");
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		snprintf(g->tls_refused, sizeof(g->tls_refused),
		    "not sent: the server's TLS certificate is missing");
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		snprintf(g->tls_refused, sizeof(g->tls_refused),
		    "not sent: the server does not offer STARTTLS, which is required");
		break;
	default: break;
	}
	va_end(ap);
}

/* monitor_cb watches the protocol for the outcome of AUTH. What we write is only looked
 * at for the word AUTH (it carries the credentials, base64: never kept or logged); what
 * the server answers to it is kept when it refuses. */
static void
monitor_cb(const char *buf, int len, int writing, void *arg)
{
	struct auth_watch *a = arg;
	const char *p = buf, *end = buf + (len > 0 ? len : 0), *eol;
	size_t n;

	if (writing) {
		for (; writing == 1 && p < end; p = eol + 1) {
			if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
				eol = end;
			if (eol - p >= 5 && strncmp(p, "AUTH ", 5) == 0)
				a->in_auth = a->attempted = 1;
		}
		return;
	}
	for (; a->in_auth && p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (eol - p < 3 || p[0] < '2' || p[0] > '5')
			continue;
		if (p[0] == '3')
			continue; /* a challenge: the exchange goes on */
		if (eol - p > 3 && p[3] == '-')
			continue; /* a multi-line reply goes on */
		if (p[0] == '2') {
			a->authenticated = 1;
		} else {
			a->refused = 1;
			n = (size_t)(eol - p);
			if (n >= sizeof(a->text))
				n = sizeof(a->text) - 1;
			memcpy(a->text, p, n);
			a->text[n] = '\0';
			for (char *c = a->text; *c; c++)
				if (*c == '\r' || *c == '\n')
					*c = '\0';
			utf8_sanitize(a->text);
		}
		a->in_auth = 0;
	}
}

static int
auth_interact(auth_client_request_t req, char **result, int fields, void *arg)
{
	const struct smtp_config *cfg = arg;
	int i;

	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = (char *)cfg->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = (char *)cfg->password;
		else
			return 0;
	}
	return 1;
}

/* is_permanent: only a 5xx reply refuses for good. A code SMTP does not have (6xx-9xx,
 * RFC 5321 4.2.1) is the server misbehaving: before DATA it is treated as temporary, so
 * the message is tried again later rather than failed on a garbled reply. */
static int
is_permanent(int code)
{
	return code >= 500 && code <= 599;
}

static void
classify(const smtp_status_t *st, struct smtp_outcome *out)
{
	out->code = st ? st->code : 0;
	out->enh_class = st ? st->enh_class : 0;
	out->enh_subject = st ? st->enh_subject : 0;
	out->enh_detail = st ? st->enh_detail : 0;
	snprintf(out->text, sizeof(out->text), "%s", st && st->text ? st->text : "");
	/* keep the server's text on one line, and make it UTF-8 the database and the logs
	 * accept: a relay may send any bytes, and the cut above may split a character */
	for (char *p = out->text; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	utf8_sanitize(out->text);
	/* libesmtp parses RFC 3463 codes only when the server announced ENHANCEDSTATUSCODES;
	 * many servers send them anyway at the start of the text */
	if (out->enh_class == 0) {
		int c = 0, s = 0, d = 0, used = 0;
		if (sscanf(out->text, "%1d.%3d.%3d %n", &c, &s, &d, &used) == 3 && used > 0 &&
		    c >= 2 && c <= 5) {
			out->enh_class = c;
			out->enh_subject = s;
			out->enh_detail = d;
			memmove(out->text, out->text + used, strlen(out->text + used) + 1);
		}
	}
}

void
smtp_global_init(void)
{
	auth_client_init();
	if (tls_ctx == NULL && (tls_ctx = SSL_CTX_new(TLS_client_method())) != NULL) {
		SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
		/* TLS 1.2 at most: libesmtp waits for the socket with poll() before each read and
		 * does not look at what OpenSSL has already buffered; under TLS 1.3 a reply that
		 * arrived with the server's session tickets sat unread until the timeout */
		SSL_CTX_set_max_proto_version(tls_ctx, TLS1_2_VERSION);
		SSL_CTX_set_default_verify_paths(tls_ctx);
	}
}

lc_err
smtp_set_trust(const char *ca_file)
{
	if (ca_file == NULL || ca_file[0] == '\0')
		return LC_OK;
	if (tls_ctx == NULL)
		return LC_ENOMEM;
	return SSL_CTX_load_verify_locations(tls_ctx, ca_file, NULL) == 1 ? LC_OK : LC_EIO;
}

lc_err
smtp_deliver(const struct smtp_config *cfg, const char *from, const char *to, const char *message,
    size_t len, smtp_data_hook hook, void *hook_arg, struct smtp_outcome *out)
{
	struct auth_watch aw;
	struct feed f = {message, len, 0, 0, 0, 0, cfg->require_auth, &aw, hook, hook_arg};
	smtp_session_t session = NULL;
	smtp_message_t msg;
	smtp_recipient_t rcpt;
	auth_context_t auth = NULL;
	const smtp_status_t *st;
	char err[128];
	struct gate gate;
	struct smtp_tunnel *tunnel = NULL;
	char local[32], host[CONFIG_STR + 8], *colon;
	unsigned local_port = 0;
	long port = 0;
	int ok;

	memset(out, 0, sizeof(*out));
	memset(&aw, 0, sizeof(aw));
	memset(&gate, 0, sizeof(gate));
	if (len > (size_t)1 << 30)
		return LC_ENOMEM;
	if (cfg->implicit_tls) {
		/* libesmtp speaks TLS only after STARTTLS: it talks to our end of a TLS tunnel */
		snprintf(host, sizeof(host), "%s", cfg->hostport);
		if ((colon = strrchr(host, ':')) == NULL ||
		    (port = strtol(colon + 1, NULL, 10)) <= 0 || port > 65535) {
			out->verdict = SMTP_TEMPORARY;
			snprintf(out->text, sizeof(out->text), "no port in the server's address");
			return LC_OK;
		}
		*colon = '\0';
		if (smtp_tunnel_open(tls_ctx, host, (unsigned)port, cfg->timeout_ms, &tunnel,
		        &local_port, out->text, sizeof(out->text)) != LC_OK) {
			out->verdict = SMTP_TEMPORARY; /* nothing was sent; text says why */
			return LC_OK;
		}
		snprintf(local, sizeof(local), "127.0.0.1:%u", local_port);
	}
	if ((session = smtp_create_session()) == NULL) {
		smtp_tunnel_close(tunnel);
		return LC_ENOMEM;
	}
	smtp_set_server(session, tunnel ? local : cfg->hostport);
	if (cfg->helo[0])
		smtp_set_hostname(session, cfg->helo);
	if (tls_ctx != NULL && cfg->starttls != SMTP_TLS_NO && !tunnel)
		smtp_starttls_set_ctx(session, tls_ctx); /* takes a reference, dropped at the end */
	smtp_starttls_enable(session, tunnel                               ? Starttls_DISABLED
	                              : cfg->starttls == SMTP_TLS_REQUIRED ? Starttls_REQUIRED
	                              : cfg->starttls == SMTP_TLS_OPTIONAL ? Starttls_ENABLED
	                                                                   : Starttls_DISABLED);
	if (cfg->timeout_ms > 0) {
		int which;
		for (which = Timeout_GREETING; which <= Timeout_DATA2; which++)
			smtp_set_timeout(
			    session, which | Timeout_OVERRIDE_RFC2822_MINIMUM, cfg->timeout_ms);
	}
	if (cfg->user[0]) {
		if ((auth = auth_create_context()) == NULL) {
			smtp_destroy_session(session);
			smtp_tunnel_close(tunnel);
			return LC_ENOMEM;
		}
		auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(auth, auth_interact, (void *)cfg);
		smtp_auth_set_context(session, auth);
		smtp_set_monitorcb(session, monitor_cb, &aw, 0);
	}
	if ((msg = smtp_add_message(session)) == NULL || !smtp_set_reverse_path(msg, from) ||
	    (rcpt = smtp_add_recipient(msg, to)) == NULL || !smtp_set_messagecb(msg, feed_cb, &f)) {
		smtp_destroy_session(session);
		if (auth)
			auth_destroy_context(auth);
		smtp_tunnel_close(tunnel);
		return LC_ENOMEM;
	}
	gate.msg = msg;
	pthread_mutex_lock(&first_session);
	gate.holding = !tables_ready;
	if (!gate.holding)
		pthread_mutex_unlock(&first_session);
	smtp_set_eventcb(session, gate_event_cb, &gate);
	ok = smtp_start_session(session);
	gate_open(&gate); /* no MAIL FROM reply came: let the next session try */

	if (cfg->require_auth && !aw.authenticated && !f.finished) {
		/* nothing was sent: AUTH was refused, not offered, or never reached */
		out->verdict = SMTP_TEMPORARY;
		st = smtp_reverse_path_status(msg);
		if (gate.tls_refused[0]) {
			snprintf(out->text, sizeof(out->text), "%s", gate.tls_refused);
		} else if (aw.refused) {
			out->auth_failed = 1;
			snprintf(out->text, sizeof(out->text), "%s", aw.text);
		} else if (!aw.attempted && (f.unauthenticated || (st != NULL && st->code > 0))) {
			out->auth_failed = 1;
			snprintf(out->text, sizeof(out->text),
			    "the server did not offer AUTH PLAIN or LOGIN; nothing was sent");
		} else {
			snprintf(out->text, sizeof(out->text), "%s",
			    ok ? "not sent: no usable reply from the server before AUTH"
			       : smtp_strerror(smtp_errno(), err, sizeof(err)));
		}
	} else if (f.refused) {
		/* the connection was dropped before any of the message: nothing was delivered */
		out->verdict = SMTP_TEMPORARY;
		snprintf(out->text, sizeof(out->text),
		    "not sent: DATA abandoned (lease lost or database unreachable)");
	} else if (gate.tls_refused[0] && !f.started) {
		out->verdict = SMTP_TEMPORARY;
		snprintf(out->text, sizeof(out->text), "%s", gate.tls_refused);
	} else if ((st = smtp_reverse_path_status(msg)) != NULL && st->code >= 400) {
		classify(st, out);
		out->verdict = is_permanent(st->code) ? SMTP_PERMANENT : SMTP_TEMPORARY;
	} else if ((st = smtp_recipient_status(rcpt)) != NULL && st->code >= 400) {
		classify(st, out);
		out->verdict = is_permanent(st->code) ? SMTP_PERMANENT : SMTP_TEMPORARY;
	} else if ((st = smtp_message_transfer_status(msg)) != NULL && st->code >= 200) {
		classify(st, out);
		/* after the final dot, a reply that is no verdict (3xx, or a code SMTP does
		 * not have) leaves the outcome unknown */
		out->verdict = st->code < 300                      ? SMTP_ACCEPTED
		               : is_permanent(st->code)            ? SMTP_PERMANENT
		               : st->code >= 400 && st->code < 500 ? SMTP_TEMPORARY
		                                                   : SMTP_UNKNOWN;
		/* a 2xx for the message with a session error is still an acceptance */
	} else if (f.finished) {
		/* the whole message went out and no verdict came back */
		out->verdict = SMTP_UNKNOWN;
		snprintf(out->text, sizeof(out->text), "no reply after the final dot: %s",
		    ok ? "session ended" : smtp_strerror(smtp_errno(), err, sizeof(err)));
	} else {
		out->verdict = SMTP_TEMPORARY;
		snprintf(out->text, sizeof(out->text), "%s",
		    ok ? "not sent: no usable reply from the server before the end of DATA"
		       : smtp_strerror(smtp_errno(), err, sizeof(err)));
	}
	smtp_destroy_session(session);
	if (auth)
		auth_destroy_context(auth);
	smtp_tunnel_close(tunnel);
	return LC_OK;
}
