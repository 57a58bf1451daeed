/* scrape_auth.h: who may read /metrics — a bearer token, an allow list of client
 * addresses, or both ([metrics] token and allow). Shared by linkcamp-fcgi's /metrics and
 * the worker's loopback listener, so the rule lives in one place. */
#ifndef LC_SCRAPE_AUTH_H
#define LC_SCRAPE_AUTH_H

#include <stddef.h>

#include "util/err.h"

#define SCRAPE_ALLOW_MAX 32

struct scrape_net {
	int v6; /* 0: IPv4 (addr[0..3]), 1: IPv6 */
	unsigned char addr[16];
	unsigned prefix; /* bits */
};

struct scrape_auth {
	int enabled;                  /* token or allow list set; else /metrics is off */
	unsigned char token_hash[32]; /* BLAKE2b of the token; the token is not kept */
	int has_token;
	struct scrape_net allow[SCRAPE_ALLOW_MAX];
	size_t nallow;
};

/* scrape_auth_init reads token ("" for none) and allow ("" for none: a comma- or
 * space-separated list of addresses and CIDR blocks, IPv4 or IPv6) into a. With neither,
 * a->enabled is 0. LC_EINVAL with a one-line reason in why (size whylen) for an allow
 * entry that does not parse, more than SCRAPE_ALLOW_MAX entries, or a token shorter than
 * 16 bytes (a guessable token is no protection). Call once before threads start. */
lc_err scrape_auth_init(
    struct scrape_auth *a, const char *token, const char *allow, char *why, size_t whylen);

/* scrape_auth_check decides one scrape: LC_OK, LC_ENOTFOUND when metrics are off,
 * LC_EAUTH when a token is configured and authorization (the Authorization header, may be
 * NULL) does not carry it as "Bearer TOKEN", LC_EFORBIDDEN when an allow list is
 * configured and remote_addr (text, may be NULL) is not in it. Both configured: both must
 * pass. Constant time in the token. Thread-safe (a is only read). */
lc_err scrape_auth_check(
    const struct scrape_auth *a, const char *authorization, const char *remote_addr);

#endif
