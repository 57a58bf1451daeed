/* bench/mixed.c: an open-loop HTTP/1.1 load driver for bench/mixed (issue 20, item 2).
 *
 * wrk is closed-loop: a connection sends its next request only when the last one is
 * answered, so a slow server is asked less and its latency is under-reported
 * ("coordinated omission"). This driver fixes the arrival times instead: request i is due
 * at start + i / RATE whatever happened before, and its latency is counted from that due
 * time, so time spent waiting for a free connection counts as the server's. Classes of
 * requests are interleaved by smooth weighted round robin (the mix), each class cycling
 * through its own requests in file order.
 *
 *   mixed HOST PORT RATE SECONDS WARMUP REQFILE MIX OUT.json
 *
 *   REQFILE  one request a line: class TAB method TAB path TAB headers TAB body, where
 *            headers are "Name: value" lines joined by \n and headers and body use the
 *            escapes \n \r \t \\ (bench/mixed writes it)
 *   MIX      class=weight,... (every class named must have requests in REQFILE)
 *   WARMUP   seconds at the start whose requests are sent but not counted
 *
 * Output: per class the requests counted, their statuses, p50/p99/max latency in ms and
 * the completed rate; plus how many requests were still unanswered 10 s after the end
 * (counted as errors), and how many requests were sent in all, warm-up included ("sent":
 * bench/mixed divides a class's whole CPU by it). Single-threaded (epoll); at most
 * MAX_CONNS connections. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLASSES 16
#define MAX_CONNS 1024
#define MAX_RESPONSE (8u << 20)

struct request {
	char *wire; /* the whole request as sent */
	size_t len;
};

struct klass {
	char name[32];
	int weight, current;
	struct request *reqs;
	size_t nreqs, next;
	uint32_t *lat_us; /* counted latencies */
	size_t nlat, caplat;
	unsigned long status[6]; /* 1xx..5xx by hundreds; [0] = transport errors */
	unsigned long sent_counted;
};

struct conn {
	int fd;
	int busy;
	int klass;
	int counted;
	int64_t due_ns;
	const struct request *req;
	size_t sent;
	char *in;
	size_t inlen, incap;
};

static struct klass classes[MAX_CLASSES];
static int nclasses;
static struct conn conns[MAX_CONNS];
static int nconns;
static struct sockaddr_in addr;
static int ep;

static void
die(const char *what)
{
	fprintf(stderr, "bench/mixed.c: %s%s%s\n", what, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	exit(2);
}

static int64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		die("out of memory");
	return q;
}

/* unescape turns \n \r \t \\ into their bytes in place; returns the new length. */
static size_t
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r == 't' ? '\t' : *r;
			r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int
class_index(const char *name)
{
	int i;

	for (i = 0; i < nclasses; i++)
		if (strcmp(classes[i].name, name) == 0)
			return i;
	return -1;
}

static void
parse_mix(char *mix)
{
	char *tok, *save = NULL, *eq;

	for (tok = strtok_r(mix, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL || nclasses == MAX_CLASSES ||
		    (size_t)(eq - tok) >= sizeof(classes[0].name))
			die("MIX must be class=weight,...");
		*eq = '\0';
		snprintf(classes[nclasses].name, sizeof(classes[0].name), "%s", tok);
		classes[nclasses].weight = atoi(eq + 1);
		if (classes[nclasses].weight <= 0)
			die("a weight must be a positive number");
		nclasses++;
	}
}

static void
load_requests(const char *path, const char *host)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *field[5];
	size_t cap = 0;
	ssize_t n;
	int i, k;

	if (f == NULL)
		die("cannot open REQFILE");
	while ((n = getline(&line, &cap, f)) > 0) {
		struct klass *c;
		struct request *r;
		size_t hlen, blen, need;
		char *p = line;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		for (i = 0; i < 5; i++) {
			field[i] = p;
			p = i < 4 ? strchr(p, '\t') : NULL;
			if (i < 4 && p == NULL)
				die("a REQFILE line needs five tab-separated fields");
			if (p)
				*p++ = '\0';
		}
		if ((k = class_index(field[0])) < 0)
			continue; /* a class the mix leaves out */
		c = &classes[k];
		hlen = unescape(field[3]);
		blen = unescape(field[4]);
		/* headers joined by \n become CRLF lines: at most twice as long */
		need = strlen(field[1]) + strlen(field[2]) + strlen(host) + 2 * hlen + blen + 128;
		c->reqs = xrealloc(c->reqs, (c->nreqs + 1) * sizeof(*c->reqs));
		r = &c->reqs[c->nreqs++];
		r->wire = xrealloc(NULL, need);
		r->len = (size_t)snprintf(
		    r->wire, need, "%s %s HTTP/1.1\r\nHost: %s\r\n", field[1], field[2], host);
		for (i = 0; (size_t)i < hlen; i++) {
			if (field[3][i] == '\n')
				r->wire[r->len++] = '\r';
			r->wire[r->len++] = field[3][i];
		}
		if (hlen > 0)
			r->len += (size_t)snprintf(r->wire + r->len, need - r->len, "\r\n");
		r->len += (size_t)snprintf(
		    r->wire + r->len, need - r->len, "Content-Length: %zu\r\n\r\n", blen);
		memcpy(r->wire + r->len, field[4], blen);
		r->len += blen;
	}
	free(line);
	fclose(f);
	for (k = 0; k < nclasses; k++)
		if (classes[k].nreqs == 0) {
			fprintf(
			    stderr, "bench/mixed.c: class %s has no request\n", classes[k].name);
			exit(2);
		}
}

/* pick is smooth weighted round robin (nginx's): the mix spread evenly over time. */
static int
pick(void)
{
	int i, best = 0, total = 0;

	for (i = 0; i < nclasses; i++) {
		classes[i].current += classes[i].weight;
		total += classes[i].weight;
		if (classes[i].current > classes[best].current)
			best = i;
	}
	classes[best].current -= total;
	return best;
}

static void
record(struct conn *c, int status, int64_t t)
{
	struct klass *k = &classes[c->klass];
	int64_t us = (t - c->due_ns) / 1000;

	c->busy = 0;
	if (!c->counted)
		return;
	k->status[status >= 100 && status < 600 ? status / 100 : 0]++;
	if (k->nlat == k->caplat) {
		k->caplat = k->caplat ? 2 * k->caplat : 4096;
		k->lat_us = xrealloc(k->lat_us, k->caplat * sizeof(*k->lat_us));
	}
	k->lat_us[k->nlat++] = us < 0 ? 0 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->inlen = 0;
}

static int
conn_open(struct conn *c)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET};
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 && errno != EINPROGRESS) {
		conn_close(c);
		return -1;
	}
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		conn_close(c);
		return -1;
	}
	return 0;
}

static void
try_send(struct conn *c)
{
	while (c->busy && c->sent < c->req->len) {
		ssize_t n =
		    send(c->fd, c->req->wire + c->sent, c->req->len - c->sent, MSG_NOSIGNAL);
		if (n > 0) {
			c->sent += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN))
			return;
		record(c, 0, now_ns());
		conn_close(c);
		return;
	}
}

/* response_done: 1 when c->in holds a whole response (status in *status, its length in
 * *used), 0 when more is needed, -1 when it cannot be parsed. */
static int
response_done(struct conn *c, int *status, size_t *used, int *close_after)
{
	char *end, *h, *p;
	size_t head, clen = 0;
	int chunked = 0;

	if (c->inlen < 12)
		return 0;
	c->in[c->inlen] = '\0';
	if ((end = strstr(c->in, "\r\n\r\n")) == NULL)
		return c->inlen > 65536 ? -1 : 0;
	head = (size_t)(end - c->in) + 4;
	if (strncmp(c->in, "HTTP/1.", 7) != 0)
		return -1;
	*status = atoi(c->in + 9);
	*close_after = 0;
	for (h = strstr(c->in, "\r\n") + 2; h < end; h = strstr(h, "\r\n") + 2) {
		if (strncasecmp(h, "Content-Length:", 15) == 0)
			clen = strtoul(h + 15, NULL, 10);
		else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0 && strstr(h, "chunked") &&
		         strstr(h, "chunked") < strstr(h, "\r\n"))
			chunked = 1;
		else if (strncasecmp(h, "Connection:", 11) == 0 && strstr(h, "close") &&
		         strstr(h, "close") < strstr(h, "\r\n"))
			*close_after = 1;
	}
	if (!chunked) {
		if (c->inlen < head + clen)
			return 0;
		*used = head + clen;
		return 1;
	}
	for (p = c->in + head;;) {
		char *eol = strstr(p, "\r\n");
		unsigned long sz;

		if (eol == NULL)
			return 0;
		sz = strtoul(p, NULL, 16);
		if ((size_t)(eol + 2 - c->in) + sz + 2 > c->inlen)
			return 0;
		p = eol + 2 + sz + 2;
		if (sz == 0) {
			*used = (size_t)(p - c->in);
			return 1;
		}
	}
}

static void
try_read(struct conn *c)
{
	for (;;) {
		ssize_t n;
		int status = 0, rc, close_after = 0;
		size_t used = 0;

		if (c->incap - c->inlen < 16384) {
			if (c->incap > MAX_RESPONSE) {
				record(c, 0, now_ns());
				conn_close(c);
				return;
			}
			c->incap = c->incap ? 2 * c->incap : 32768;
			c->in = xrealloc(c->in, c->incap + 1);
		}
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (c->busy)
				record(c, 0, now_ns());
			conn_close(c);
			return;
		}
		c->inlen += (size_t)n;
		if (!c->busy)
			continue; /* nothing asked: discard */
		rc = response_done(c, &status, &used, &close_after);
		if (rc < 0) {
			record(c, 0, now_ns());
			conn_close(c);
			return;
		}
		if (rc == 1) {
			record(c, status, now_ns());
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			if (close_after) {
				conn_close(c);
				return;
			}
		}
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const struct klass *k, double p)
{
	size_t i;

	if (k->nlat == 0)
		return 0;
	i = (size_t)(p * (double)(k->nlat - 1) + 0.5);
	return k->lat_us[i] / 1000.0;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[256];
	double rate, seconds, warmup;
	int64_t start, end, warm_end, next_due, interval_ns, t;
	unsigned long due_index = 0, backlog_max = 0, unanswered = 0;
	char hostport[64];
	FILE *out;
	int i, k;

	if (argc != 9) {
		fprintf(
		    stderr, "usage: mixed HOST PORT RATE SECONDS WARMUP REQFILE MIX OUT.json\n");
		return 2;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1)
		die("HOST must be an IPv4 address");
	rate = atof(argv[3]);
	seconds = atof(argv[4]);
	warmup = atof(argv[5]);
	if (rate <= 0 || seconds <= 0 || warmup < 0)
		die("RATE and SECONDS must be positive");
	snprintf(hostport, sizeof(hostport), "%s:%s", argv[1], argv[2]);
	parse_mix(argv[7]);
	load_requests(argv[6], hostport);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1");
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	interval_ns = (int64_t)(1e9 / rate);
	start = now_ns() + 10000000;
	warm_end = start + (int64_t)(warmup * 1e9);
	end = warm_end + (int64_t)(seconds * 1e9);
	next_due = start;
	for (;;) {
		int n, inflight = 0;
		struct timespec timeout;
		int64_t wait_ns;

		t = now_ns();
		/* hand every request that is due to a free connection, opening one when none is */
		while (next_due <= t && next_due < end) {
			struct conn *c = NULL;
			for (i = 0; i < nconns; i++)
				if (!conns[i].busy && conns[i].fd >= 0) {
					c = &conns[i];
					break;
				}
			if (c == NULL) {
				for (i = 0; i < nconns && conns[i].fd >= 0; i++)
					;
				if (i == nconns && nconns < MAX_CONNS)
					nconns++;
				if (i < nconns && conn_open(&conns[i]) == 0)
					c = &conns[i];
			}
			if (c == NULL) {
				unsigned long lag = (unsigned long)((t - next_due) / interval_ns);
				if (lag > backlog_max)
					backlog_max = lag;
				break; /* all busy: it waits, and its wait counts */
			}
			k = pick();
			c->klass = k;
			c->req = &classes[k].reqs[classes[k].next++ % classes[k].nreqs];
			c->due_ns = next_due;
			c->counted = next_due >= warm_end;
			c->busy = 1;
			c->sent = 0;
			if (c->counted)
				classes[k].sent_counted++;
			try_send(c);
			due_index++;
			next_due = start + (int64_t)due_index * interval_ns;
		}
		for (i = 0; i < nconns; i++)
			inflight += conns[i].busy;
		if (t >= end && inflight == 0)
			break;
		if (t >= end + 10000000000LL) {
			unanswered = (unsigned long)inflight;
			for (i = 0; i < nconns; i++)
				if (conns[i].busy)
					record(&conns[i], 0, t);
			break;
		}
		/* sleep until the next request is due, to the nanosecond: a timeout in whole
		 * milliseconds is 0 whenever requests are due less than 1 ms apart (above 1,000
		 * req/s), and the loop then spun on epoll_wait, taking half a core from the
		 * stack it measures on a two-core machine */
		wait_ns = next_due < end ? next_due - t : 100000000;
		if (wait_ns < 0)
			wait_ns = 0;
		timeout.tv_sec = (time_t)(wait_ns / 1000000000);
		timeout.tv_nsec = (long)(wait_ns % 1000000000);
		n = epoll_pwait2(ep, evs, 256, &timeout, NULL);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->fd < 0)
				continue;
			if (evs[i].events & (EPOLLERR | EPOLLHUP) && !(evs[i].events & EPOLLIN)) {
				if (c->busy)
					record(c, 0, now_ns());
				conn_close(c);
				continue;
			}
			if (evs[i].events & EPOLLOUT)
				try_send(c);
			if (c->fd >= 0 && evs[i].events & EPOLLIN)
				try_read(c);
		}
	}
	if ((out = fopen(argv[8], "w")) == NULL)
		die("cannot write OUT");
	fprintf(out,
	    "{\"rate\": %.1f, \"seconds\": %.1f, \"warmup\": %.1f, \"connections\": %d, "
	    "\"unanswered\": %lu, \"backlog_max\": %lu, \"sent\": %lu, \"classes\": {",
	    rate, seconds, warmup, nconns, unanswered, backlog_max, due_index);
	for (k = 0; k < nclasses; k++) {
		struct klass *c = &classes[k];
		qsort(c->lat_us, c->nlat, sizeof(*c->lat_us), cmp_u32);
		fprintf(out,
		    "%s\"%s\": {\"weight\": %d, \"count\": %zu, \"rps\": %.1f, "
		    "\"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, \"errors\": %lu, "
		    "\"s2xx\": %lu, \"s3xx\": %lu, \"s4xx\": %lu, \"s5xx\": %lu}",
		    k ? ", " : "", c->name, c->weight, c->nlat, c->nlat / seconds, pct(c, 0.5),
		    pct(c, 0.99), c->nlat ? c->lat_us[c->nlat - 1] / 1000.0 : 0.0, c->status[0],
		    c->status[2], c->status[3], c->status[4], c->status[5]);
	}
	fprintf(out, "}}\n");
	fclose(out);
	return 0;
}
