/* dns_txt.c: TXT lookups with libresolv (glibc). res_nquery with a res_state of our own,
 * pointed at the one server of [dns] resolver: no /etc/resolv.conf, no search list, no
 * process-wide state, so each thread asks its own way. Answers are parsed with ns_initparse
 * and ns_parserr, which check every length against the message. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dns_txt.h"

#define ANSWER_MAX 65535

static int server_addr(const char *, struct sockaddr_in *);
static void txt_join(const unsigned char *, size_t, char *, size_t);

/* server_addr parses "a.b.c.d:port". */
static int
server_addr(const char *s, struct sockaddr_in *sa)
{
	char host[INET_ADDRSTRLEN];
	const char *colon;
	char *end;
	unsigned long port;
	size_t n;

	if (s == NULL || (colon = strrchr(s, ':')) == NULL || (n = (size_t)(colon - s)) == 0 ||
	    n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port == 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

lc_err
dns_server_parse(const char *s)
{
	struct sockaddr_in sa;

	return server_addr(s, &sa) == 0 ? LC_OK : LC_EINVAL;
}

/* txt_join copies the character-strings of one TXT RDATA (each a length byte and that many
 * bytes) into out, joined without separators; bytes that are not printable ASCII become
 * '?' so nothing a hostile zone serves reaches a log or a JSON answer raw. */
static void
txt_join(const unsigned char *rd, size_t len, char *out, size_t max)
{
	size_t i = 0, o = 0, k, l;

	while (i < len) {
		l = rd[i++];
		for (k = 0; k < l && i < len; k++, i++)
			if (o + 1 < max)
				out[o++] = rd[i] >= 0x20 && rd[i] < 0x7f ? (char)rd[i] : '?';
	}
	out[o] = '\0';
}

lc_err
dns_txt_lookup(const char *server, const char *name, int timeout_s, struct dns_txt *out)
{
	struct __res_state st;
	struct sockaddr_in sa;
	unsigned char *ans;
	ns_msg msg;
	ns_rr rr;
	int len, i, count, rcode;

	memset(out, 0, sizeof(*out));
	out->status = DNS_FAILED;
	if (server != NULL && server[0] != '\0' && server_addr(server, &sa) != 0) {
		snprintf(out->why, sizeof(out->why), "[dns] resolver is not address:port");
		return LC_EINVAL;
	}
	if (name == NULL || name[0] == '\0' || strlen(name) > 253) {
		snprintf(out->why, sizeof(out->why), "not a domain name");
		return LC_EINVAL;
	}
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		snprintf(out->why, sizeof(out->why), "the resolver library cannot start");
		return LC_EIO;
	}
	/* one server, ours (else the system's from /etc/resolv.conf); no search list: the
	 * names asked are absolute */
	if (server != NULL && server[0] != '\0') {
		/* res_ninit keeps each IPv6 server of resolv.conf in _u._ext.nsaddrs; res_nsend
		 * copies nsaddr_list[0] over the first, and the others would not be freed once
		 * nscount is 1 */
		for (i = 1; i < MAXNS; i++) {
			free(st._u._ext.nsaddrs[i]);
			st._u._ext.nsaddrs[i] = NULL;
		}
		st.nsaddr_list[0] = sa;
		st.nscount = 1;
	}
	st.retrans = timeout_s > 0 ? timeout_s : 2;
	st.retry = 2;
	st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	if ((ans = malloc(ANSWER_MAX)) == NULL) {
		res_nclose(&st);
		return LC_ENOMEM;
	}
	len = res_nquery(&st, name, ns_c_in, ns_t_txt, ans, ANSWER_MAX);
	rcode = st.res_h_errno;
	res_nclose(&st);
	if (len < 0) {
		/* res_nquery answers -1 for NXDOMAIN and NODATA too; h_errno tells them apart */
		free(ans);
		if (rcode == HOST_NOT_FOUND) {
			out->status = DNS_NXDOMAIN;
			snprintf(out->why, sizeof(out->why), "no such name (NXDOMAIN)");
			return LC_OK;
		}
		if (rcode == NO_DATA) {
			out->status = DNS_NODATA;
			snprintf(out->why, sizeof(out->why), "no TXT record");
			return LC_OK;
		}
		snprintf(out->why, sizeof(out->why), "no answer from %s (%s)",
		    server && server[0] ? server : "the system resolver",
		    rcode == TRY_AGAIN ? "timeout or SERVFAIL" : "refused or malformed");
		return LC_EIO;
	}
	if (ns_initparse(ans, len, &msg) != 0) {
		free(ans);
		snprintf(out->why, sizeof(out->why), "a malformed answer");
		return LC_EIO;
	}
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) {
			free(ans);
			memset(out->txt, 0, sizeof(out->txt));
			out->n = out->total = 0;
			snprintf(out->why, sizeof(out->why), "a malformed answer");
			return LC_EIO;
		}
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
			continue; /* a CNAME on the way */
		if (out->n < DNS_TXT_MAX)
			txt_join(ns_rr_rdata(rr), ns_rr_rdlen(rr), out->txt[out->n++], DNS_TXT_LEN);
		out->total++;
	}
	free(ans);
	out->status = out->n > 0 ? DNS_FOUND : DNS_NODATA;
	if (out->n == 0)
		snprintf(out->why, sizeof(out->why), "no TXT record");
	return LC_OK;
}
