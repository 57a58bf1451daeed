/* domain_check.c: what DNS says about a sending domain, item by item (docs/dkim.md): SPF
 * of the From domain, the DKIM selector record against the key we hold, DMARC, and
 * whether From aligns with DKIM d= and with SPF (RFC 7489 3.1). Lookups go through
 * [dns] resolver (util/dns_txt.c); organisational domains come from the Public Suffix List
 * (libpsl's built-in copy). Nothing read from DNS is trusted: records are printable ASCII
 * by then, cut to size, and only compared. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpsl.h>

#include "core/domain.h"
#include "core/validate.h"

#define DNS_TIMEOUT_S 2

static char resolver[CONFIG_STR];

static lc_err lookup(struct domain_check *, const char *, struct dns_txt *);
static struct domain_check_item *item_add(struct domain_check *, const char *, const char *);
static void item_set(struct domain_check_item *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static void found_join(const struct dns_txt *, const char *, char *, size_t, size_t *);
static const char *org_domain(const char *);
static int tag_get(const char *, const char *, char *, size_t);
static void check_spf(struct domain_check *, const char *);
static void check_dkim(
    struct domain_check *, const char *, const char *, const char *, const char *, const char *);
static void check_dmarc(struct domain_check *, const char *, char *, char *);
static int aligned(const char *, const char *, const char *);
static void check_alignment(
    struct domain_check *, const char *, const char *, const char *, const char *, int);

void
domain_settings_load(const struct config *cfg)
{
	snprintf(resolver, sizeof(resolver), "%s", cfg->dns_resolver);
}

/* lookup asks the resolver for the TXT records of name, unless it already failed to
 * answer during this check: a dead resolver then costs one timeout, not one per item. */
static lc_err
lookup(struct domain_check *c, const char *name, struct dns_txt *t)
{
	lc_err e;

	if (c->resolver_failed[0] != '\0') {
		memset(t, 0, sizeof(*t));
		t->status = DNS_FAILED;
		snprintf(t->why, sizeof(t->why), "%s", c->resolver_failed);
		return LC_EIO;
	}
	e = dns_txt_lookup(resolver, name, DNS_TIMEOUT_S, t);
	if (e != LC_OK)
		snprintf(c->resolver_failed, sizeof(c->resolver_failed), "%s", t->why);
	return e;
}

static struct domain_check_item *
item_add(struct domain_check *c, const char *item, const char *name)
{
	struct domain_check_item *it = &c->items[c->n++];

	memset(it, 0, sizeof(*it));
	it->item = item;
	snprintf(it->name, sizeof(it->name), "%s", name ? name : "");
	return it;
}

static void
item_set(struct domain_check_item *it, int ok, const char *status, const char *fmt, ...)
{
	va_list ap;

	it->ok = ok;
	it->status = status;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

/* found_join writes the records of t that start with prefix (case-insensitive; NULL: all)
 * into out, joined by " | ", and counts them in *n. */
static void
found_join(const struct dns_txt *t, const char *prefix, char *out, size_t max, size_t *n)
{
	size_t i, len = 0, pl = prefix ? strlen(prefix) : 0;

	out[0] = '\0';
	*n = 0;
	for (i = 0; i < t->n; i++) {
		if (prefix &&
		    (strncasecmp(t->txt[i], prefix, pl) != 0 ||
		        (t->txt[i][pl] != '\0' && t->txt[i][pl] != ' ' && t->txt[i][pl] != ';')))
			continue;
		if (len < max)
			len += (size_t)snprintf(
			    out + len, max - len, "%s%s", *n ? " | " : "", t->txt[i]);
		(*n)++;
	}
}

/* org_domain is the organisational domain of d (RFC 7489 3.2): its registrable domain by
 * the Public Suffix List, or d itself when the list has none. The result is malloc'd. */
static const char *
org_domain(const char *d)
{
	const char *r = psl_registrable_domain(psl_builtin(), d);

	return strdup(r ? r : d);
}

/* tag_get finds tag name in a tag-list (RFC 6376 3.2: "a=b; c=d", spaces around) and copies
 * its value without whitespace into out; 0 when found. */
static int
tag_get(const char *list, const char *name, char *out, size_t max)
{
	const char *p = list, *eq, *end;
	size_t nl = strlen(name), o;

	out[0] = '\0';
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		eq = strchr(p, '=');
		end = strchr(p, ';');
		if (eq == NULL || (end && end < eq))
			return -1;
		{
			const char *k_end = eq;
			while (k_end > p && (k_end[-1] == ' ' || k_end[-1] == '\t'))
				k_end--;
			if ((size_t)(k_end - p) == nl && strncasecmp(p, name, nl) == 0) {
				for (o = 0, p = eq + 1; *p && *p != ';'; p++)
					if (!isspace((unsigned char)*p) && o + 1 < max)
						out[o++] = *p;
				out[o] = '\0';
				return 0;
			}
		}
		p = end ? end + 1 : eq + strlen(eq);
	}
	return -1;
}

static void
check_spf(struct domain_check *c, const char *from_domain)
{
	struct domain_check_item *it = item_add(c, "spf", from_domain);
	struct dns_txt *t = malloc(sizeof(*t));
	size_t n = 0;

	snprintf(it->expected, sizeof(it->expected),
	    "one TXT record \"v=spf1 ... -all\" (or ~all) naming the servers that send for %s, "
	    "e.g. your mailbox provider's include: or your relay's ip4:",
	    from_domain);
	if (t == NULL) {
		item_set(it, 0, "unknown", "out of memory");
		return;
	}
	if (lookup(c, from_domain, t) != LC_OK) {
		item_set(it, 0, "unknown", "%s", t->why);
	} else {
		found_join(t, "v=spf1", it->found, sizeof(it->found), &n);
		if (n == 0)
			item_set(it, 0, "missing",
			    "%s has no SPF record: receivers cannot tell which "
			    "servers may send its mail",
			    from_domain);
		else if (n > 1)
			item_set(it, 0, "invalid",
			    "%s has %zu SPF records; RFC 7208 makes that a permanent error",
			    from_domain, n);
		else if (strstr(it->found, "+all") != NULL)
			item_set(it, 0, "invalid",
			    "\"+all\" lets every server on the Internet send as %s", from_domain);
		else
			item_set(it, 1, "ok", "one SPF record");
	}
	free(t);
}

static void
check_dkim(struct domain_check *c, const char *item, const char *name, const char *k,
    const char *expected_p, const char *expected)
{
	struct domain_check_item *it = item_add(c, item, name);
	struct dns_txt *t = malloc(sizeof(*t));
	char p[DNS_TXT_LEN], kv[32];
	size_t n = 0;

	snprintf(it->expected, sizeof(it->expected), "%s", expected);
	if (t == NULL) {
		item_set(it, 0, "unknown", "out of memory");
		return;
	}
	if (lookup(c, name, t) != LC_OK) {
		item_set(it, 0, "unknown", "%s", t->why);
		free(t);
		return;
	}
	found_join(t, NULL, it->found, sizeof(it->found), &n);
	if (n == 0)
		item_set(it, 0, "missing", "no key record at %s: verifiers fail the %s signature",
		    name, k);
	else if (n > 1)
		item_set(it, 0, "invalid", "%zu TXT records at %s; a selector has one key record",
		    t->total, name);
	else if (tag_get(t->txt[0], "p", p, sizeof(p)) != 0)
		item_set(it, 0, "invalid", "the record has no p= tag");
	else if (p[0] == '\0')
		item_set(it, 0, "mismatch", "p= is empty: the key is revoked");
	else if (tag_get(t->txt[0], "k", kv, sizeof(kv)) == 0 && strcasecmp(kv, k) != 0)
		item_set(it, 0, "mismatch", "k=%s is published; this key is k=%s", kv, k);
	else if (strcmp(p, expected_p) != 0)
		item_set(it, 0, "mismatch",
		    "the published key is not this domain's key: signatures will fail (publish the "
		    "expected record)");
	else
		item_set(it, 1, "ok", "the published key is this domain's key");
	free(t);
}

/* check_dmarc looks up _dmarc of the From domain, then of its organisational domain
 * (RFC 7489 6.6.3); adkim and aspf receive the modes ("r" or "s"). */
static void
check_dmarc(struct domain_check *c, const char *from_domain, char *adkim, char *aspf)
{
	char name[DOMAIN_RECORD_NAME_MAX], pol[32];
	const char *org = org_domain(from_domain);
	struct domain_check_item *it;
	struct dns_txt *t = malloc(sizeof(*t));
	size_t n = 0;
	int pass;

	snprintf(adkim, 2, "r");
	snprintf(aspf, 2, "r");
	snprintf(name, sizeof(name), "_dmarc.%s", from_domain);
	it = item_add(c, "dmarc", name);
	snprintf(it->expected, sizeof(it->expected),
	    "one TXT record \"v=DMARC1; p=none|quarantine|reject; rua=mailto:...\" at _dmarc.%s",
	    org ? org : from_domain);
	if (t == NULL || org == NULL) {
		item_set(it, 0, "unknown", "out of memory");
		goto out;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (strcmp(org, from_domain) == 0)
				break;
			snprintf(it->name, sizeof(it->name), "_dmarc.%s", org);
		}
		if (lookup(c, it->name, t) != LC_OK) {
			item_set(it, 0, "unknown", "%s", t->why);
			goto out;
		}
		found_join(t, "v=DMARC1", it->found, sizeof(it->found), &n);
		if (n > 0)
			break;
	}
	if (n == 0) {
		/* name the first place a receiver looks; the detail names both */
		snprintf(it->name, sizeof(it->name), "_dmarc.%s", from_domain);
		if (strcmp(org, from_domain) == 0)
			item_set(it, 0, "missing",
			    "no DMARC record at _dmarc.%s: receivers apply their "
			    "own policy and send no reports",
			    from_domain);
		else
			item_set(it, 0, "missing",
			    "no DMARC record at _dmarc.%s nor at the organisational domain's "
			    "_dmarc.%s: "
			    "receivers apply their own policy and send no reports",
			    from_domain, org);
	} else if (n > 1) {
		item_set(it, 0, "invalid", "%zu DMARC records; RFC 7489 then ignores them all", n);
	} else if (tag_get(it->found, "p", pol, sizeof(pol)) != 0 ||
	           (strcasecmp(pol, "none") && strcasecmp(pol, "quarantine") &&
	               strcasecmp(pol, "reject"))) {
		item_set(it, 0, "invalid", "p= must be none, quarantine or reject");
	} else {
		char v[8];
		if (tag_get(it->found, "adkim", v, sizeof(v)) == 0 && (v[0] == 's' || v[0] == 'S'))
			snprintf(adkim, 2, "s");
		if (tag_get(it->found, "aspf", v, sizeof(v)) == 0 && (v[0] == 's' || v[0] == 'S'))
			snprintf(aspf, 2, "s");
		item_set(it, 1, "ok", "policy p=%s, DKIM alignment %s, SPF alignment %s", pol,
		    adkim[0] == 's' ? "strict" : "relaxed", aspf[0] == 's' ? "strict" : "relaxed");
	}
out:
	free((void *)org);
	free(t);
}

/* aligned says whether a and b align in mode ("s": equal; "r": same organisational
 * domain). */
static int
aligned(const char *a, const char *b, const char *mode)
{
	const char *oa, *ob;
	int r;

	if (strcasecmp(a, b) == 0)
		return 1;
	if (mode[0] == 's')
		return 0;
	oa = org_domain(a);
	ob = org_domain(b);
	r = oa && ob && strcasecmp(oa, ob) == 0;
	free((void *)oa);
	free((void *)ob);
	return r;
}

static void
check_alignment(struct domain_check *c, const char *from_domain, const char *d, const char *adkim,
    const char *aspf, int spf_ok)
{
	struct domain_check_item *it;
	size_t dl = strlen(d), fl = strlen(from_domain);
	int signs =
	    strcasecmp(from_domain, d) == 0 || (fl > dl && from_domain[fl - dl - 1] == '.' &&
	                                           strcasecmp(from_domain + fl - dl, d) == 0);

	it = item_add(c, "dkim-alignment", "");
	snprintf(it->expected, sizeof(it->expected), "From domain %s and d=%s %s", from_domain, d,
	    adkim[0] == 's' ? "equal (adkim=s)" : "in the same organisational domain (adkim=r)");
	if (!signs)
		item_set(it, 0, "misaligned",
		    "mail From %s is not signed with d=%s: linkcamp signs mail from this domain "
		    "and "
		    "below it only; add %s as a sending domain",
		    from_domain, d, from_domain);
	else if (!aligned(from_domain, d, adkim))
		item_set(it, 0, "misaligned",
		    "From %s is below d=%s and DMARC asks strict DKIM alignment (adkim=s)",
		    from_domain, d);
	else
		item_set(it, 1, "ok", "From %s aligns with d=%s (%s)", from_domain, d,
		    adkim[0] == 's' ? "strict" : "relaxed");

	it = item_add(c, "spf-alignment", "");
	snprintf(it->expected, sizeof(it->expected),
	    "the envelope sender's domain aligns with From %s (aspf=%s)", from_domain, aspf);
	/* linkcamp's envelope sender (MAIL FROM) is the From address on both paths, the
	 * operator's relay and a sender mailbox: SPF is evaluated for From's own domain */
	if (spf_ok)
		item_set(it, 1, "ok",
		    "the envelope sender is the From address, so SPF is checked for %s itself",
		    from_domain);
	else
		item_set(it, 0, "missing",
		    "the envelope sender is the From address, but %s has no usable SPF record to "
		    "align",
		    from_domain);
}

void
domain_check_run(const struct domain_view *v, const char *from, struct domain_check *out)
{
	struct domain_record rec[DOMAIN_RECORDS_MAX];
	char adkim[2], aspf[2], from_domain[DOMAIN_NAME_MAX + 1];
	const char *at;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	snprintf(out->domain, sizeof(out->domain), "%s", v->domain);
	if (from == NULL)
		snprintf(out->from, sizeof(out->from), "postmaster@%s", v->domain);
	else
		snprintf(out->from, sizeof(out->from), "%s", from);
	at = strrchr(out->from, '@');
	snprintf(from_domain, sizeof(from_domain), "%s", at ? at + 1 : v->domain);
	for (i = 0; from_domain[i]; i++)
		from_domain[i] = (char)tolower((unsigned char)from_domain[i]);
	n = domain_records(v, rec);
	check_spf(out, from_domain);
	check_dkim(out, "dkim", rec[0].name, "rsa", v->rsa_public, rec[0].value);
	/* the Ed25519 key's record is checked like the RSA one: found, expected, matches */
	if (n > 1)
		check_dkim(
		    out, "dkim-ed25519", rec[1].name, "ed25519", v->ed25519_public, rec[1].value);
	check_dmarc(out, from_domain, adkim, aspf);
	check_alignment(out, from_domain, v->domain, adkim, aspf, out->items[0].ok);
	out->ok = 1;
	for (i = 0; i < out->n; i++)
		out->ok = out->ok && out->items[i].ok;
}

lc_err
domains_check(struct core *core, const struct principal *who, const char *public_id,
    const char *from, struct domain_check *out, struct core_fail *fail)
{
	struct page p;
	lc_err e;

	if (from != NULL && !email_valid(from)) {
		fail->code = "validation_failed";
		fail->param = "from";
		fail->detail = "from must be an email address.";
		return LC_EINVAL;
	}
	if ((e = domains_get(core, who, public_id, &p)) != LC_OK) {
		page_free(&p);
		return e;
	}
	domain_check_run(p.items, from, out);
	page_free(&p);
	return LC_OK;
}
