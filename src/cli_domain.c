/* cli_domain.c: `linkcamp domain add|list|check` and the doctor's DNS lines. The rules are
 * the core's (core/domains.c, core/domain_check.c), the same the API applies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli_domain.h"
#include "core/domain.h"
#include "core/mailbox.h"

#define DOCTOR_DOMAINS_MAX 200

static int domain_usage(void);
static int fail_exit(const char *, lc_err, const struct core_fail *);
static void print_records(const struct domain_view *);
static int print_check(const struct domain_check *);
static int cmd_add(struct core *, const struct principal *, int, char **);
static int cmd_list(struct core *, const struct principal *);
static int cmd_zone(struct core *, const struct principal *, const char *);
static int cmd_check(struct core *, const struct principal *, int, char **);
static int cmd_ed25519(struct core *, const struct principal *, const char *);

static int
domain_usage(void)
{
	fprintf(stderr, "usage: linkcamp domain add WS_ID DOMAIN [--selector SELECTOR]\n"
	                "       linkcamp domain list WS_ID\n"
	                "       linkcamp domain zone WS_ID DOMAIN_ID\n"
	                "       linkcamp domain check WS_ID DOMAIN_ID [--from ADDRESS]\n"
	                "       linkcamp domain ed25519 WS_ID DOMAIN_ID\n");
	return EX_USAGE;
}

static int
fail_exit(const char *what, lc_err e, const struct core_fail *fail)
{
	if (fail && fail->code) {
		fprintf(stderr, "linkcamp: domain %s: %s%s%s%s\n", what, fail->code,
		    fail->param ? " (" : "", fail->param ? fail->param : "",
		    fail->param ? ")" : "");
		if (fail->detail)
			fprintf(stderr, "  %s\n", fail->detail);
		return e == LC_ECONFLICT && strcmp(fail->code, "mailboxes_not_configured") == 0
		           ? EX_CONFIG
		           : EX_DATAERR;
	}
	fprintf(stderr, "linkcamp: domain %s: %s\n", what, lc_strerror(e));
	return e == LC_ENOTFOUND                   ? EX_DATAERR
	       : e == LC_EDBDOWN || e == LC_ERETRY ? EX_TEMPFAIL
	                                           : EX_SOFTWARE;
}

static void
print_records(const struct domain_view *v)
{
	struct domain_record rec[DOMAIN_RECORDS_MAX];
	size_t n = domain_records(v, rec), i;

	printf("publish %s:\n", n > 1 ? "these TXT records" : "this TXT record");
	for (i = 0; i < n; i++)
		printf("  %s  (%s)\n    %s\n", rec[i].name, rec[i].algorithm, rec[i].value);
}

/* print_check prints one line per item; 0 when all are ok. */
static int
print_check(const struct domain_check *c)
{
	size_t i;

	printf("%s (From %s): %s\n", c->domain, c->from, c->ok ? "ok" : "needs attention");
	for (i = 0; i < c->n; i++) {
		const struct domain_check_item *it = &c->items[i];
		printf("  %-4s %-15s %s%s%s\n", it->ok ? "ok" : "FAIL", it->item, it->detail,
		    it->name[0] ? " — " : "", it->name);
		if (!it->ok) {
			if (it->found[0])
				printf("       found:    %s\n", it->found);
			printf("       expected: %s\n", it->expected);
		}
	}
	return c->ok ? 0 : 1;
}

static int
cmd_add(struct core *core, const struct principal *who, int argc, char **argv)
{
	const char *selector = NULL;
	struct core_fail fail;
	struct page p;
	lc_err e;

	if (argc == 6 && strcmp(argv[4], "--selector") == 0)
		selector = argv[5];
	else if (argc != 4)
		return domain_usage();
	memset(&fail, 0, sizeof(fail));
	if ((e = domains_create(core, who, argv[3], selector, &p, &fail)) != LC_OK) {
		page_free(&p);
		return fail_exit("add", e, &fail);
	}
	printf("%s\n", ((struct domain_view *)p.items)->public_id);
	print_records(p.items);
	page_free(&p);
	return 0;
}

static int
cmd_list(struct core *core, const struct principal *who)
{
	struct page l;
	const struct domain_view *items;
	size_t i;
	lc_err e;

	if ((e = domains_list(core, who, &l)) != LC_OK) {
		page_free(&l);
		return fail_exit("list", e, NULL);
	}
	items = l.items;
	for (i = 0; i < l.n; i++)
		printf("%s\t%s\tselector %s\t%s\n", items[i].public_id, items[i].domain,
		    items[i].selector,
		    items[i].ed25519_selector ? items[i].ed25519_selector : "(rsa-sha256 only)");
	page_free(&l);
	return 0;
}

/* cmd_zone prints the domain's DKIM records as zone file lines, one a line. */
static int
cmd_zone(struct core *core, const struct principal *who, const char *id)
{
	struct domain_record rec[DOMAIN_RECORDS_MAX];
	struct page p;
	size_t n, i;
	lc_err e;

	if ((e = domains_get(core, who, id, &p)) != LC_OK) {
		page_free(&p);
		return fail_exit("zone", e, NULL);
	}
	n = domain_records(p.items, rec);
	for (i = 0; i < n; i++)
		printf("%s\n", rec[i].zone_line);
	page_free(&p);
	return 0;
}

/* cmd_ed25519 gives an older domain its Ed25519 key and prints the records to publish. */
static int
cmd_ed25519(struct core *core, const struct principal *who, const char *id)
{
	struct core_fail fail;
	struct page p;
	lc_err e;

	memset(&fail, 0, sizeof(fail));
	if ((e = domains_add_ed25519(core, who, id, &p, &fail)) != LC_OK) {
		page_free(&p);
		return fail_exit("ed25519", e, &fail);
	}
	print_records(p.items);
	page_free(&p);
	return 0;
}

static int
cmd_check(struct core *core, const struct principal *who, int argc, char **argv)
{
	const char *from = NULL;
	struct domain_check *c;
	struct core_fail fail;
	int rc;
	lc_err e;

	if (argc == 6 && strcmp(argv[4], "--from") == 0)
		from = argv[5];
	else if (argc != 4)
		return domain_usage();
	if ((c = malloc(sizeof(*c))) == NULL)
		return EX_SOFTWARE;
	memset(&fail, 0, sizeof(fail));
	if ((e = domains_check(core, who, argv[3], from, c, &fail)) != LC_OK) {
		free(c);
		return fail_exit("check", e, &fail);
	}
	rc = print_check(c);
	free(c);
	return rc;
}

int
cli_domain(struct core *core, const struct config *cfg, int argc, char **argv)
{
	struct principal who;
	char why[256];
	int rc;
	lc_err e;

	if (argc < 3)
		return domain_usage();
	if (mailbox_settings_load(cfg, why, sizeof(why)) != LC_OK) {
		fprintf(stderr, "linkcamp: %s\n", why);
		return EX_CONFIG;
	}
	domain_settings_load(cfg);
	if ((e = admin_principal_for(core, argv[2], &who)) != LC_OK) {
		mailbox_settings_free();
		if (e != LC_ENOTFOUND)
			return fail_exit(argv[1], e, NULL);
		fprintf(stderr, "linkcamp: domain: no workspace %s\n", argv[2]);
		return EX_DATAERR;
	}
	if (strcmp(argv[1], "add") == 0 && argc >= 4)
		rc = cmd_add(core, &who, argc, argv);
	else if (strcmp(argv[1], "list") == 0 && argc == 3)
		rc = cmd_list(core, &who);
	else if (strcmp(argv[1], "zone") == 0 && argc == 4)
		rc = cmd_zone(core, &who, argv[3]);
	else if (strcmp(argv[1], "ed25519") == 0 && argc == 4)
		rc = cmd_ed25519(core, &who, argv[3]);
	else if (strcmp(argv[1], "check") == 0 && argc >= 4)
		rc = cmd_check(core, &who, argc, argv);
	else
		rc = domain_usage();
	mailbox_settings_free();
	return rc;
}

void
cli_domain_doctor(struct core *core, const struct config *cfg, int *failed)
{
	struct domain_check *c;
	struct page l;
	const struct domain_view *items;
	size_t i, k;
	const char *dns = cfg->dns_resolver[0] ? cfg->dns_resolver : "the system resolver";

	domain_settings_load(cfg);
	if (domains_all(core, DOCTOR_DOMAINS_MAX, &l) != LC_OK) {
		page_free(&l);
		printf("%-5s %-9s cannot read the sending domains\n", "FAIL", "dns");
		*failed = 1;
		return;
	}
	if (l.n == 0)
		printf(
		    "%-5s %-9s no sending domains yet (DKIM: linkcamp domain add)\n", "ok", "dns");
	if ((c = malloc(sizeof(*c))) == NULL) {
		page_free(&l);
		*failed = 1;
		return;
	}
	items = l.items;
	for (i = 0; i < l.n; i++) {
		domain_check_run(&items[i], NULL, c);
		for (k = 0; k < c->n; k++) {
			const struct domain_check_item *it = &c->items[k];
			/* an RSA key record that is missing or wrong fails every signature: FAIL;
			 * no answer from DNS: FAIL; a missing SPF or DMARC record weakens delivery:
			 * warn; so does a wrong Ed25519 key record ("dkim-ed25519"): its
			 * signature fails, but the RSA one still passes DMARC, and a failed
			 * signature counts as none (RFC 6376 6.1) */
			int fatal = !it->ok && (strcmp(it->status, "unknown") == 0 ||
			                           strcmp(it->item, "dkim") == 0);
			printf("%-5s %-9s %s %s: %s%s%s\n",
			    it->ok  ? "ok"
			    : fatal ? "FAIL"
			            : "warn",
			    "dns", c->domain, it->item, it->detail,
			    it->ok ? "" : "; expected: ", it->ok ? "" : it->expected);
			if (fatal)
				*failed = 1;
		}
	}
	if (l.n > 0)
		printf(
		    "%-5s %-9s %zu sending domain(s) checked through %s\n", "ok", "dns", l.n, dns);
	free(c);
	page_free(&l);
}
