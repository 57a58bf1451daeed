/* hook_http.c: one webhook POST or one page GET with libcurl. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <curl/curl.h>

#include "hook/hook_http.h"
#include "util/netaddr.h"
#include "util/utf8.h"

#define USER_AGENT "linkcamp-webhooks/1.0"
#define PAGE_USER_AGENT "linkcamp-placement-check/1.0 (+https://linkcamp.local/bot)"

struct sink {
	struct hook_response *res;
	size_t len;
};

/* What every outbound request is held to (guard). */
struct guard_opts {
	const char *url;
	long connect_ms, total_ms;
	int allow_private, https_only;
	const char *ca_file;
};

struct page_sink {
	struct hook_page *page;
	size_t cap, max;
};

static size_t on_body(char *, size_t, size_t, void *);
static size_t on_page(char *, size_t, size_t, void *);
static size_t on_header(char *, size_t, size_t, void *);
static void keep_header(char *, size_t, const char *, size_t, int);
static curl_socket_t open_socket(void *, curlsocktype, struct curl_sockaddr *);
static void guard(CURL *, const struct guard_opts *, int *);
static void failure_text(CURLcode, int, int, const char *, char *, size_t);

/* Each thread's easy handle for webhook POSTs (post_handle), freed when the thread ends. */
static pthread_key_t post_key;
static int post_key_made;

static void
post_handle_free(void *handle)
{
	curl_easy_cleanup(handle);
}

lc_err
hook_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return LC_EINVAL;
	/* without the key every POST makes a handle of its own: slower, not wrong */
	post_key_made = pthread_key_create(&post_key, post_handle_free) == 0;
	return LC_OK;
}

void
hook_global_cleanup(void)
{
	if (post_key_made) {
		CURL *mine = pthread_getspecific(post_key);
		if (mine != NULL) {
			pthread_setspecific(post_key, NULL);
			curl_easy_cleanup(mine);
		}
		pthread_key_delete(post_key);
		post_key_made = 0;
	}
	curl_global_cleanup();
}

/* post_handle is the calling thread's easy handle for webhook POSTs, made at its first use
 * and reset after each (*owned = 0), so that libcurl's connection cache, which belongs to
 * the handle, keeps a receiver's connection — and its TLS session — open from one delivery
 * to the next instead of connecting for each. A reused connection was opened through the
 * same guard (open_socket checked its address then), and libcurl reuses one only for the
 * same scheme, host, port and TLS settings. When there is no per-thread handle, a one-off
 * (*owned = 1, the caller cleans it up). NULL: out of memory. */
static CURL *
post_handle(int *owned)
{
	CURL *c;

	*owned = 0;
	if (post_key_made && (c = pthread_getspecific(post_key)) != NULL)
		return c;
	if ((c = curl_easy_init()) == NULL)
		return NULL;
	if (!post_key_made || pthread_setspecific(post_key, c) != 0)
		*owned = 1;
	return c;
}

/* on_body keeps the first bytes of the answer and drops the rest. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, room = HOOK_EXCERPT_MAX - 1 - s->len;

	if (room > 0) {
		size_t take = n < room ? n : room;
		size_t i;
		/* printable ASCII only: the excerpt goes into a utf8mb4 column and a log */
		for (i = 0; i < take; i++) {
			unsigned char ch = (unsigned char)data[i];
			s->res->excerpt[s->len + i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		s->len += take;
		s->res->excerpt[s->len] = '\0';
	}
	return n;
}

/* on_page keeps up to max bytes of the page and stops the transfer past them. */
static size_t
on_page(char *data, size_t size, size_t nmemb, void *arg)
{
	struct page_sink *s = arg;
	struct hook_page *p = s->page;
	size_t n = size * nmemb, take = n;

	if (p->len + take > s->max) {
		take = s->max - p->len;
		p->truncated = 1;
	}
	if (p->len + take + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 65536;
		char *b;
		while (cap < p->len + take + 1)
			cap *= 2;
		if (cap > s->max + 1)
			cap = s->max + 1;
		if ((b = realloc(p->body, cap)) == NULL)
			return 0; /* stops the transfer: a write error */
		p->body = b;
		s->cap = cap;
	}
	memcpy(p->body + p->len, data, take);
	p->len += take;
	p->body[p->len] = '\0';
	return p->truncated ? 0 : n;
}

/* keep_header copies value (n bytes) into dst (size cap) as printable ASCII, trimmed;
 * append joins it to what dst holds with ", " (a repeated header). */
static void
keep_header(char *dst, size_t cap, const char *value, size_t n, int append)
{
	size_t o = append ? strlen(dst) : 0, i;

	while (n > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		n--;
	}
	while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
	                    value[n - 1] == '\n'))
		n--;
	if (append && o > 0 && n > 0 && o + 2 < cap - 1) {
		dst[o++] = ',';
		dst[o++] = ' ';
	}
	for (i = 0; i < n && o < cap - 1; i++) {
		unsigned char ch = (unsigned char)value[i];
		dst[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	dst[o] = '\0';
}

/* on_header keeps the headers a placement check reads; a new status line (a 1xx before
 * the answer) starts over. */
static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct hook_page *p = arg;
	size_t n = size * nmemb;
	const char *colon = memchr(data, ':', n);
	size_t nl;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		p->content_type[0] = p->x_robots_tag[0] = p->last_modified[0] = '\0';
		return n;
	}
	if (colon == NULL)
		return n;
	nl = (size_t)(colon - data);
	colon++;
	if (nl == 12 && strncasecmp(data, "content-type", 12) == 0)
		keep_header(p->content_type, sizeof(p->content_type), colon, n - nl - 1, 0);
	else if (nl == 12 && strncasecmp(data, "x-robots-tag", 12) == 0)
		keep_header(p->x_robots_tag, sizeof(p->x_robots_tag), colon, n - nl - 1, 1);
	else if (nl == 13 && strncasecmp(data, "last-modified", 13) == 0)
		keep_header(p->last_modified, sizeof(p->last_modified), colon, n - nl - 1, 0);
	return n;
}

/* open_socket is the SSRF guard: it sees the address curl is about to connect to (after
 * DNS) and refuses a private one unless the operator allowed it (clientp, an int set to 1
 * on a refusal, non-NULL). */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	int *refused = clientp;

	if (purpose != CURLSOCKTYPE_IPCXN || addr == NULL)
		return CURL_SOCKET_BAD;
	if (refused != NULL && netaddr_is_private(&addr->addr)) {
		*refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/* guard sets what every outbound request of linkcamp must have, in one place: https
 * (and http only when the operator allows it), no redirects followed, no proxy from the
 * environment, certificates verified (against the operator's ca_file alone when one is
 * set: CURLOPT_CAINFO replaces the built-in bundle and the CA directory is switched off,
 * so "trusted" means exactly the CAs in that file), the timeouts, and the address check
 * after DNS (open_socket; *refused is set when it refuses) unless private addresses are
 * allowed. */
static void
guard(CURL *c, const struct guard_opts *o, int *refused)
{
	const char *protocols = o->https_only ? "https" : "http,https";

	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->total_ms);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, o->allow_private ? NULL : refused);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL && o->ca_file[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
}

/* failure_text says why a request got no answer into err (size len): our own refusals
 * in our words, else libcurl's detailed message (detail, its CURLOPT_ERRORBUFFER: "SSL:
 * certificate subject name (a) does not match target host name 'b'" says more than the
 * code's "SSL peer certificate or SSH remote key was not OK"), else the code's text.
 * One exception: Debian's libcurl is the GnuTLS flavour, whose message for a chain that
 * does not verify names the operator's CA file ("server certificate verification failed.
 * CAfile: /etc/... CRLfile: none"); a path on the operator's disk is not the API user's
 * business, so that case is said in our words. */
static void
failure_text(CURLcode rc, int refused, int https_only, const char *detail, char *err, size_t len)
{
	if (refused)
		snprintf(err, len, "refused: the address is private, loopback or link-local");
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL && https_only)
		snprintf(err, len, "refused: only https is allowed ([webhooks] allow_http = no)");
	else if (rc == CURLE_PEER_FAILED_VERIFICATION && strstr(detail, "CAfile:") != NULL)
		snprintf(err, len,
		    "SSL certificate problem: the certificate's issuer is not trusted "
		    "(an unknown CA, or a chain that does not verify)");
	else if (detail[0] != '\0')
		snprintf(err, len, "%s", detail);
	else
		snprintf(err, len, "%s", curl_easy_strerror(rc));
	/* libcurl's detail can quote what the other side sent (a certificate's name, a
	 * status line): it goes into a utf8mb4 column, a JSON parameter and the API */
	utf8_sanitize(err);
}

lc_err
hook_post(const struct hook_request *req, struct hook_response *res)
{
	struct curl_slist *h = NULL, *t;
	struct sink sink;
	char line[512], detail[CURL_ERROR_SIZE];
	CURL *c;
	CURLcode rc;
	lc_err e = LC_ENOMEM;
	size_t i;
	const char *names[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
	const char *values[] = {req->webhook_id, req->timestamp, req->signature};
	int owned;

	memset(res, 0, sizeof(*res));
	sink.res = res;
	sink.len = 0;
	if ((c = post_handle(&owned)) == NULL)
		return LC_ENOMEM;
	if ((t = curl_slist_append(h, "Content-Type: application/json")) == NULL)
		goto out;
	h = t;
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "%s: %s", names[i], values[i]);
		if ((t = curl_slist_append(h, line)) == NULL)
			goto out;
		h = t;
	}
	if ((t = curl_slist_append(h, "Expect:")) == NULL)
		goto out;
	h = t;
	{
		struct guard_opts o = {req->url, req->connect_timeout_ms, req->timeout_ms,
		    req->allow_private, req->https_only, req->ca_file};
		guard(c, &o, &res->refused);
	}
	detail[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	else
		failure_text(
		    rc, res->refused, req->https_only, detail, res->error, sizeof(res->error));
	{
		curl_off_t us = 0;
		if (curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us) == CURLE_OK)
			res->duration_ms = (long)(us / 1000);
	}
	e = LC_OK;
out:
	/* a kept handle is reset at once, so that it never points at this call's headers,
	 * sink, error buffer or refusal flag; its connections stay */
	if (owned)
		curl_easy_cleanup(c);
	else
		curl_easy_reset(c);
	curl_slist_free_all(h);
	return e;
}

lc_err
hook_get(const struct hook_get_request *req, struct hook_page *page)
{
	struct page_sink sink;
	char detail[CURL_ERROR_SIZE];
	CURL *c;
	CURLcode rc;

	memset(page, 0, sizeof(*page));
	memset(&sink, 0, sizeof(sink));
	sink.page = page;
	sink.max = req->max_bytes;
	if ((c = curl_easy_init()) == NULL)
		return LC_ENOMEM;
	{
		struct guard_opts o = {req->url, req->connect_timeout_ms, req->timeout_ms,
		    req->allow_private, req->https_only, req->ca_file};
		guard(c, &o, &page->refused);
	}
	detail[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_USERAGENT, req->user_agent ? req->user_agent : PAGE_USER_AGENT);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, page);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* decoded bytes count toward the cap */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_page);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && page->truncated)) {
		char *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &page->status);
		/* libcurl resolves Location against the URL (it does not follow it: guard) */
		if (page->status >= 300 && page->status < 400 &&
		    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL &&
		    strlen(loc) < sizeof(page->location))
			snprintf(page->location, sizeof(page->location), "%s", loc);
	} else
		failure_text(
		    rc, page->refused, req->https_only, detail, page->error, sizeof(page->error));
	curl_easy_cleanup(c);
	return LC_OK;
}

void
hook_page_free(struct hook_page *page)
{
	if (page == NULL)
		return;
	free(page->body);
	memset(page, 0, sizeof(*page));
}
