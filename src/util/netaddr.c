/* netaddr.c: the private-address classifier behind the webhook sender's SSRF guard. */
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "util/netaddr.h"

static int v4_private(uint32_t a);

/* v4_private classifies an IPv4 address in host byte order. */
static int
v4_private(uint32_t a)
{
	uint32_t b1 = a >> 24, b2 = (a >> 16) & 0xff;

	return b1 == 0 || b1 == 10 || b1 == 127 || b1 >= 224 ||    /* 0/8, 10/8, lo, mc+240/4 */
	       (b1 == 100 && (b2 & 0xc0) == 64) ||                 /* 100.64/10 */
	       (b1 == 169 && b2 == 254) ||                         /* link-local */
	       (b1 == 172 && (b2 & 0xf0) == 16) ||                 /* 172.16/12 */
	       (b1 == 192 && b2 == 168) ||                         /* 192.168/16 */
	       (b1 == 192 && b2 == 0 && ((a >> 8) & 0xff) == 0) || /* 192.0.0/24 */
	       (b1 == 198 && (b2 & 0xfe) == 18);                   /* 198.18/15 */
}

int
netaddr_is_private(const struct sockaddr *sa)
{
	if (sa == NULL)
		return 1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return v4_private(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		const unsigned char *b = in6->sin6_addr.s6_addr;
		static const unsigned char zero10[10] = {0};
		static const unsigned char nat64[12] = {
		    0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
		uint32_t tail =
		    (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];

		if (memcmp(b, zero10, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
			return v4_private(tail); /* ::ffff:a.b.c.d */
		if (memcmp(b, zero10, 10) == 0 && b[10] == 0 && b[11] == 0)
			return 1; /* ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d */
		if (memcmp(b, nat64, 12) == 0)
			return v4_private(tail);
		if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: 2002:a.b.c.d::/48 */
			return v4_private((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 |
			                  (uint32_t)b[4] << 8 | b[5]);
		return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique-local */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10 link-local */
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || /* fec0::/10 site-local */
		       b[0] == 0xff ||                            /* multicast */
		       (b[0] == 0x01 && b[1] == 0 &&
		           memcmp(b + 2, zero10, 6) == 0); /* 100::/64 discard */
	}
	return 1;
}
