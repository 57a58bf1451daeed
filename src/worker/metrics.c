/* worker_metrics.c: the worker's counters and its loopback scrape listener
 * (worker/metrics.h). The listener answers one connection at a time with HTTP/1.0 and
 * closes it: a scrape every few seconds needs nothing more, and a client that stalls is
 * cut off by the socket timeouts. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/prom.h"
#include "util/scrape_auth.h"
#include "util/timefmt.h"
#include "worker/metrics.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define REQUEST_MAX 8192
#define IO_TIMEOUT_S 2

static _Atomic uint64_t deliveries[WM_NDELIVERY], webhooks[WM_NWEBHOOK], placements[WM_NPLACEMENT];
static struct prom_hist delivery_time;
static struct scrape_auth access_rule;
static int listen_fd = -1;
static pthread_t listener;
static atomic_int stopping;
static double started_s;

static const char *const delivery_names[WM_NDELIVERY] = {"sent", "deferred", "failed", "unknown"};
static const char *const webhook_names[WM_NWEBHOOK] = {"success", "http_error", "network_error"};
static const char *const placement_names[WM_NPLACEMENT] = {
    "live", "live_with_issues", "missing", "unverifiable"};

static void *serve(void *);
static void answer(int, const struct sockaddr_storage *);
static lc_err exposition(struct buf *);
static lc_err counter_family(struct buf *, const char *, const char *, const char *,
    const char *const *, _Atomic uint64_t *, size_t);
static int parse_listen(const char *, struct sockaddr_storage *, socklen_t *);
static void send_all(int, const char *, size_t);
static void drain(int);

void
worker_metrics_delivery(enum wm_delivery outcome, uint64_t us)
{
	if ((unsigned)outcome >= WM_NDELIVERY)
		outcome = WM_UNKNOWN;
	prom_atomic_add(&deliveries[outcome], 1);
	prom_hist_observe(&delivery_time, us);
}

void
worker_metrics_webhook(enum wm_webhook outcome)
{
	if ((unsigned)outcome < WM_NWEBHOOK)
		prom_atomic_add(&webhooks[outcome], 1);
}

void
worker_metrics_placement(enum wm_placement outcome)
{
	if ((unsigned)outcome < WM_NPLACEMENT)
		prom_atomic_add(&placements[outcome], 1);
}

/* parse_listen reads "a.b.c.d:port" or "[v6]:port" into sa; -1 unless it parses and the
 * address is loopback (127/8 or ::1): the worker's metrics are for the host itself. */
static int
parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	char host[64], *end;
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t n;

	if (colon == NULL || colon == s)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return -1;
		s++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)sa)->sin_addr) == 1) {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -1;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)sa)->sin6_addr) == 1) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

lc_err
worker_metrics_start(const struct config *cfg, char *why, size_t whylen)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char name[INET6_ADDRSTRLEN];
	unsigned port;
	int one = 1;
	lc_err e;

	started_s = (double)now_ms() / 1000.0;
	if (cfg->metrics_worker_listen[0] == '\0')
		return LC_OK;
	if ((e = scrape_auth_init(
	         &access_rule, cfg->metrics_token, cfg->metrics_allow, why, whylen)) != LC_OK)
		return e;
	if (parse_listen(cfg->metrics_worker_listen, &sa, &len) != 0) {
		snprintf(why, whylen,
		    "metrics.worker_listen must be a loopback host:port "
		    "(127.0.0.1:9465, [::1]:9465), not %s",
		    cfg->metrics_worker_listen);
		return LC_EINVAL;
	}
	if ((listen_fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(listen_fd, (struct sockaddr *)&sa, len) != 0 || listen(listen_fd, 16) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len) != 0) {
		snprintf(why, whylen, "metrics.worker_listen %s: %s", cfg->metrics_worker_listen,
		    strerror(errno));
		if (listen_fd >= 0)
			close(listen_fd);
		listen_fd = -1;
		return LC_EIO;
	}
	if (sa.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, name, sizeof(name));
		port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, name, sizeof(name));
		port = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	}
	if (pthread_create(&listener, NULL, serve, NULL) != 0) {
		snprintf(why, whylen, "cannot start the metrics listener thread");
		close(listen_fd);
		listen_fd = -1;
		return LC_EIO;
	}
	if (log_enabled(LOG_INFO)) {
		json_t *f = json_pack("{s:s,s:i}", "address", name, "port", (int)port);

		log_json(LOG_INFO, "metrics listening", f);
		json_decref(f);
	}
	return LC_OK;
}

void
worker_metrics_stop(void)
{
	if (listen_fd < 0)
		return;
	prom_atomic_store_int(&stopping, 1);
	pthread_join(listener, NULL);
	close(listen_fd);
	listen_fd = -1;
}

/* serve accepts scrapes until worker_metrics_stop; it looks at the stop flag at least
 * every 200 ms. */
static void *
serve(void *arg)
{
	struct pollfd p;
	struct sockaddr_storage peer;
	socklen_t plen;
	int fd;

	(void)arg;
	while (!prom_atomic_load_int(&stopping)) {
		p.fd = listen_fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 200) <= 0)
			continue;
		plen = sizeof(peer);
		if ((fd = accept4(listen_fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC)) < 0)
			continue;
		answer(fd, &peer);
		drain(fd);
		close(fd);
	}
	return NULL;
}

/* drain ends the answer (FIN) and reads what the client still sends, for at most a
 * second and 64 KiB, so that closing with unread input does not reset the connection
 * before the client has read the answer. */
static void
drain(int fd)
{
	char sink[4096];
	struct pollfd p = {fd, POLLIN, 0};
	int64_t end = now_ms() + 1000;
	size_t total = 0;
	ssize_t n;

	shutdown(fd, SHUT_WR);
	while (total < 65536 && now_ms() < end) {
		if (poll(&p, 1, (int)(end - now_ms() > 0 ? end - now_ms() : 0)) <= 0)
			return;
		if ((n = recv(fd, sink, sizeof(sink), 0)) <= 0)
			return;
		total += (size_t)n;
	}
}

/* send_all writes len bytes, giving up on an error or the send timeout. */
static void
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* answer reads one request from fd (up to REQUEST_MAX bytes of head, IO_TIMEOUT_S per
 * read) and writes one response: the exposition for GET/HEAD /metrics, else a short
 * error. Nothing from the request is echoed back. */
static void
answer(int fd, const struct sockaddr_storage *peer)
{
	struct timeval tv = {IO_TIMEOUT_S, 0};
	char req[REQUEST_MAX + 1], addr[INET6_ADDRSTRLEN] = "", *auth = NULL, *line, *eol;
	const char *status = NULL;
	size_t got = 0;
	ssize_t n;
	int head = 0;
	struct buf body;
	char hdr[256];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < REQUEST_MAX) {
		n = recv(fd, req + got, REQUEST_MAX - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (!(strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))) {
		status =
		    got >= REQUEST_MAX ? "431 Request Header Fields Too Large" : "400 Bad Request";
	} else if (strncmp(req, "GET /metrics ", 13) == 0) {
		head = 0;
	} else if (strncmp(req, "HEAD /metrics ", 14) == 0) {
		head = 1;
	} else if (strncmp(req, "GET ", 4) == 0 || strncmp(req, "HEAD ", 5) == 0) {
		status = "404 Not Found";
	} else {
		status = "405 Method Not Allowed";
	}
	if (status == NULL) {
		/* the Authorization header, if any: header lines after the request line */
		for (line = strchr(req, '\n'); line && line[1]; line = eol) {
			line++;
			eol = strchr(line, '\n');
			if (eol == NULL)
				break;
			if (eol > line && eol[-1] == '\r')
				eol[-1] = '\0';
			*eol = '\0';
			if (strncasecmp(line, "Authorization:", 14) == 0) {
				auth = line + 14;
				auth += strspn(auth, " \t");
			}
		}
		if (peer->ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, addr,
			    sizeof(addr));
		else if (peer->ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, addr,
			    sizeof(addr));
		if (access_rule.enabled) {
			switch (scrape_auth_check(&access_rule, auth, addr)) {
			case LC_OK: break;
			case LC_EAUTH: status = "401 Unauthorized"; break;
			default: status = "403 Forbidden"; break;
			}
		}
	}
	if (status) {
		snprintf(hdr, sizeof(hdr),
		    "HTTP/1.0 %s\r\nContent-Type: text/plain\r\n%s"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
		    status,
		    strncmp(status, "401", 3) == 0
		        ? "WWW-Authenticate: Bearer realm=\"metrics\"\r\n"
		        : "",
		    strlen(status) + 1, status);
		send_all(fd, hdr, strlen(hdr));
		return;
	}
	buf_init(&body, 1024 * 1024);
	if (exposition(&body) != LC_OK) {
		static const char oom[] =
		    "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n";

		send_all(fd, oom, sizeof(oom) - 1);
		buf_free(&body);
		return;
	}
	snprintf(hdr, sizeof(hdr),
	    "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
	    "charset=utf-8\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
	    "Connection: close\r\n\r\n",
	    body.len);
	send_all(fd, hdr, strlen(hdr));
	if (!head)
		send_all(fd, body.data, body.len);
	buf_free(&body);
}

/* counter_family appends a counter family with one series per name of label. */
static lc_err
counter_family(struct buf *out, const char *name, const char *help, const char *label,
    const char *const *names, _Atomic uint64_t *v, size_t n)
{
	char lbl[96];
	size_t i;
	lc_err e;

	if ((e = prom_family(out, name, "counter", help)) != LC_OK)
		return e;
	for (i = 0; i < n; i++) {
		lbl[0] = '\0';
		prom_label(lbl, sizeof(lbl), label, names[i]);
		if ((e = prom_sample_u64(out, name, lbl, prom_atomic_load(&v[i]))) != LC_OK)
			return e;
	}
	return LC_OK;
}

static lc_err
exposition(struct buf *out)
{
	lc_err e;

	if ((e = prom_family(out, "linkcamp_build_info", "gauge",
	         "Always 1; the version label names the running build.")) != LC_OK ||
	    (e = prom_sample(out, "linkcamp_build_info",
	         "program=\"linkcamp-worker\",version=\"" PACKAGE_VERSION "\"", 1)) != LC_OK ||
	    (e = prom_family(out, "process_start_time_seconds", "gauge",
	         "When linkcamp-worker started, in seconds since the epoch.")) != LC_OK ||
	    (e = prom_sample(out, "process_start_time_seconds", NULL, started_s)) != LC_OK)
		return e;
	if ((e = counter_family(out, "linkcamp_worker_deliveries_total",
	         "SMTP delivery attempts by outcome: sent (accepted), deferred (a temporary "
	         "failure, retried), failed (permanent), unknown (the relay's answer was lost).",
	         "outcome", delivery_names, deliveries, WM_NDELIVERY)) != LC_OK)
		return e;
	if ((e = prom_family(out, "linkcamp_worker_delivery_duration_seconds", "histogram",
	         "Time of one SMTP delivery attempt, from connecting to the relay's answer.")) !=
	        LC_OK ||
	    (e = prom_hist_write(
	         out, "linkcamp_worker_delivery_duration_seconds", NULL, &delivery_time)) != LC_OK)
		return e;
	if ((e = counter_family(out, "linkcamp_worker_webhook_attempts_total",
	         "Webhook delivery attempts by result: success (2xx), http_error (another "
	         "status), network_error (no answer).",
	         "result", webhook_names, webhooks, WM_NWEBHOOK)) != LC_OK)
		return e;
	return counter_family(out, "linkcamp_worker_placement_checks_total",
	    "Placement checks by result: found (the link is on the page), not_found, error "
	    "(the page could not be fetched or parsed).",
	    "result", placement_names, placements, WM_NPLACEMENT);
}
