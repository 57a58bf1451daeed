/* netaddr.h: which addresses a webhook may not reach (SSRF guard). */
#ifndef LC_NETADDR_H
#define LC_NETADDR_H

#include <sys/socket.h>

/* netaddr_is_private is 1 when sa (borrowed; AF_INET or AF_INET6) is an address a
 * webhook must not reach: unspecified, loopback, private (RFC 1918), carrier-grade NAT
 * (100.64/10), link-local, "this network" (0/8), benchmarking (198.18/15), reserved
 * (240/4), broadcast, multicast, IPv6 unique-local (fc00::/7), site-local (fec0::/10),
 * link-local (fe80::/10), multicast (ff00::/8), and any IPv4 among these inside an
 * IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) or 6to4
 * (2002::/16) IPv6 address. Any other family is private (refused) too. */
int netaddr_is_private(const struct sockaddr *sa);

#endif
