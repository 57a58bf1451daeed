/* domain.h: sending domains and DKIM (issue 15 item 5, docs/dkim.md). A workspace's
 * domains, each with an RSA-2048 key made here, sealed at rest with the mailbox key
 * (core/mailbox.h: secret_seal); the DNS record to publish; the key the worker signs a
 * message with; and the check of what DNS really says (domain_check.c). No SQL, no JSON
 * and no DKIM library here. */
#ifndef LC_DOMAIN_H
#define LC_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include "core/core.h"
#include "core/sending.h"
#include "util/config.h"
#include "util/dns_txt.h"

#define DOMAINS_MAX_PER_WORKSPACE 100
#define DOMAIN_NAME_MAX 253
#define DOMAIN_SELECTOR_MAX 40      /* bytes of a selector we accept (a DNS label is 63) */
#define DOMAIN_RECORD_NAME_MAX 320  /* "<selector>._domainkey.<domain>" */
#define DOMAIN_RECORD_VALUE_MAX 600 /* "v=DKIM1; k=rsa; p=<392 base64>" */
#define DOMAIN_RECORDS_MAX 2        /* the RSA key's record, the Ed25519 key's */
/* the Ed25519 key's selector is the RSA one's with this suffix (docs/dkim.md) */
#define DOMAIN_ED25519_SUFFIX "-ed25519"
#define DOMAIN_ED_SELECTOR_MAX (DOMAIN_SELECTOR_MAX + sizeof(DOMAIN_ED25519_SUFFIX) - 1)

/* domain_settings_load keeps [dns] resolver of cfg for the checks; call once before threads
 * start. */
void domain_settings_load(const struct config *cfg);

/* One domain as the API shows it (never its private keys): the item of the struct page
 * (core/paging.h) its reads return; strings borrow from the page. */
struct domain_view {
	int64_t id;
	const char *public_id, *domain, *selector, *rsa_public;
	int64_t created_ms;
	/* the Ed25519 key's selector and p=; NULL for a domain added before linkcamp made
	 * Ed25519 keys: its mail is signed rsa-sha256 only */
	const char *ed25519_selector, *ed25519_public;
};

/* One DNS record to publish. */
struct domain_record {
	char name[DOMAIN_RECORD_NAME_MAX];   /* owner name, without the final dot */
	char value[DOMAIN_RECORD_VALUE_MAX]; /* the TXT text, unsplit */
	char zone_line[DOMAIN_RECORD_NAME_MAX + DOMAIN_RECORD_VALUE_MAX + 64]; /* the record as
	                                        a zone file line, the text cut into 255-byte
	                                        strings (RFC 1035 3.3; DNS joins them again) */
	const char *purpose;                                                   /* "dkim" (static) */
	const char *algorithm; /* "rsa-sha256" or "ed25519-sha256": what it verifies (static) */
	const char *selector;  /* borrowed from the view */
};

/* domain_record writes the RSA key's DKIM record of v into out. */
void domain_record(const struct domain_view *v, struct domain_record *out);
/* domain_records writes every DKIM record of v to publish into out: the RSA key's, then the
 * Ed25519 key's when v has one. Returns how many (1 or 2). */
size_t domain_records(const struct domain_view *v, struct domain_record out[DOMAIN_RECORDS_MAX]);

/* domains_create makes the key pair of domain (any case; stored lower-case) for the
 * principal's workspace, seals the private keys and stores them. selector may be NULL
 * (then "lc" and 8 random characters). out (the caller frees it with page_free, also
 * after an error) holds the new domain, one struct domain_view.
 * LC_EINVAL with fail (validation_failed + param, domain_limit_reached); LC_ECONFLICT with
 * fail->code domain_exists (the workspace has it) or mailboxes_not_configured (no key to
 * seal with). */
lc_err domains_create(struct core *core, const struct principal *who, const char *domain,
    const char *selector, struct page *out, struct core_fail *fail);
/* domains_list reads the workspace's domains (at most DOMAINS_MAX_PER_WORKSPACE, so one
 * page without a next), newest first: items are struct domain_view; page_free it. */
lc_err domains_list(struct core *core, const struct principal *who, struct page *out);
/* domains_all reads up to max domains of every workspace, oldest first, for the operator's
 * doctor, as domains_list does. */
lc_err domains_all(struct core *core, unsigned max, struct page *out);
/* domains_get reads one domain of the workspace into out (one struct domain_view; the
 * caller page_frees out in every case). LC_ENOTFOUND for another workspace's, a deleted or
 * a missing one. */
lc_err domains_get(
    struct core *core, const struct principal *who, const char *public_id, struct page *out);
/* domains_add_ed25519 gives a domain of the workspace added before linkcamp made Ed25519 keys
 * its Ed25519 key (made, sealed and stored here; the selector by the one rule), so that its
 * mail is signed ed25519-sha256 too once the new record is published; the RSA key stays.
 * out as domains_get (the caller page_frees it in every case). LC_ENOTFOUND; LC_ECONFLICT
 * with fail->code domain_key_exists (it has one) or mailboxes_not_configured. */
lc_err domains_add_ed25519(struct core *core, const struct principal *who, const char *public_id,
    struct page *out, struct core_fail *fail);
/* domains_delete deletes a domain: its mail is no longer signed, its key stays sealed in
 * the row. LC_ENOTFOUND. */
lc_err domains_delete(struct core *core, const struct principal *who, const char *public_id);

/* What the worker signs one message with; the keys are in memory libsodium guards and
 * wipes (domain_signing_clear). */
struct domain_signing {
	char domain[DOMAIN_NAME_MAX + 1];
	char selector[DOMAIN_SELECTOR_MAX + 1];
	char *rsa_pem; /* sodium_malloc'd, NUL-ended */
	char ed_selector[DOMAIN_ED_SELECTOR_MAX + 1];
	unsigned char *ed_seed; /* sodium_malloc'd 32 bytes; NULL: no Ed25519 key, or ed_unopened */
	int ed_unopened;        /* the domain has an Ed25519 key but its box did not open */
};
/* domain_signing_load finds the key for mail from from_address sent as message_id: the
 * workspace's domain equal to the address's domain, else the nearest parent domain
 * (news.example.com is signed by example.com; relaxed DMARC alignment accepts that). It
 * opens the sealed keys. LC_ENOTFOUND when no domain signs it (the mail goes unsigned);
 * LC_EINVAL when the RSA key does not open (another key_file: the message must not leave
 * unsigned — the caller defers it). An Ed25519 key that does not open is not an error: it
 * sets ed_unopened (the mail leaves with the RSA signature alone). */
lc_err domain_signing_load(
    struct core *core, int64_t message_id, const char *from_address, struct domain_signing *out);
/* domain_signing_clear wipes and frees the key of s. */
void domain_signing_clear(struct domain_signing *s);

/* ---- domain_check.c ---- */

#define DOMAIN_CHECK_ITEMS 8
/* One item of a check: what was looked up, found, expected, and the verdict. */
struct domain_check_item {
	const char *item;   /* "spf", "dkim", "dkim-ed25519" (a domain with an Ed25519 key),
	                       "dmarc", "dkim-alignment", "spf-alignment" (static) */
	const char *status; /* "ok", "missing", "mismatch", "invalid", "misaligned", "unknown"
	                       (no answer from DNS) (static) */
	int ok;
	char name[DOMAIN_RECORD_NAME_MAX]; /* the name looked up, or "" */
	char found[DNS_TXT_LEN];           /* what DNS had (records joined by " | "), or "" */
	char expected[DOMAIN_RECORD_VALUE_MAX];
	char detail[300]; /* in words */
};
struct domain_check {
	char domain[DOMAIN_NAME_MAX + 1];
	char from[330]; /* the From address the alignment was judged for */
	int ok;         /* every item ok */
	size_t n;
	struct domain_check_item items[DOMAIN_CHECK_ITEMS];
	char resolver_failed[160]; /* why the resolver did not answer, once it did not: the
	                              later items are not asked again */
};

/* domains_check looks up SPF, the DKIM selector record and DMARC of a domain of the
 * workspace through [dns] resolver and judges each, and whether From (from: an address at
 * the domain or below it; NULL: postmaster@domain) aligns with DKIM d= and SPF (the
 * envelope sender linkcamp uses is the From address). LC_ENOTFOUND; LC_EINVAL with fail
 * (param "from") for a from that is not an address at the domain or below it. A DNS
 * failure is an item with status "unknown", not an error. */
lc_err domains_check(struct core *core, const struct principal *who, const char *public_id,
    const char *from, struct domain_check *out, struct core_fail *fail);
/* domain_check_run checks domain with its public key (the part of domains_check after the
 * database), for the doctor. */
void domain_check_run(const struct domain_view *v, const char *from, struct domain_check *out);

#endif
