/* domains.c: the rules of sending domains the API and the CLI share (docs/dkim.md):
 * validation, the key pairs made and sealed before they reach the store, another
 * workspace's domain indistinguishable from a missing one, the records to publish, and the
 * key a message is signed with. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/domain.h"
#include "core/mailbox.h"
#include "core/validate.h"
#include "db/store_domains.h"
#include "mail/dkim_key.h"
#include "util/ids.h"
#include "util/timefmt.h"

#define TXT_STRING_MAX 255          /* bytes of one DNS character-string (RFC 1035 3.3) */
#define BOX_MAX (DKIM_PEM_MAX + 64) /* a sealed PEM: nonce, text, tag */
#define ED_BOX_MAX 128              /* a sealed Ed25519 seed: 24 + 32 + 16 */

struct create_tx {
	const struct principal *who;
	const struct store_domain *d;
	struct core_fail *fail;
	struct page *out; /* the new domain, read back */
};

static int selector_valid(const char *);
static void zone_line(struct domain_record *);
static void view_from_row(const struct db_rows *, size_t, void *);
static lc_err bad(struct core_fail *, const char *, const char *);
static lc_err create_tx(struct db *, void *);
static lc_err open_pem(const struct db_rows *, size_t, char **);
static lc_err open_seed(const struct db_rows *, size_t, unsigned char **);

/* selector_valid: one DNS label of lower-case letters, digits and inner hyphens, at most
 * DOMAIN_SELECTOR_MAX bytes, not ending in DOMAIN_ED25519_SUFFIX (that name belongs to the
 * Ed25519 key of the selector before it). */
static int
selector_valid(const char *s)
{
	size_t n = strlen(s), i, sl = strlen(DOMAIN_ED25519_SUFFIX);

	if (n == 0 || n > DOMAIN_SELECTOR_MAX || s[0] == '-' || s[n - 1] == '-' ||
	    (n >= sl && strcmp(s + n - sl, DOMAIN_ED25519_SUFFIX) == 0))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* How a row becomes a struct domain_view (core/paging.h). */
static const struct page_spec domain_spec = {sizeof(struct domain_view), view_from_row, 0, 0};

static void
view_from_row(const struct db_rows *r, size_t i, void *item)
{
	struct domain_view *v = item;

	memset(v, 0, sizeof(*v));
	v->id = db_i64(r, i, SDOM_COL_ID);
	v->public_id = db_str(r, i, SDOM_COL_PUBLIC);
	v->domain = db_str(r, i, SDOM_COL_DOMAIN);
	v->selector = db_str(r, i, SDOM_COL_SELECTOR);
	v->rsa_public = db_str(r, i, SDOM_COL_RSA_PUBLIC);
	v->created_ms = db_ms(r, i, SDOM_COL_CREATED);
	v->ed25519_selector = db_str(r, i, SDOM_COL_ED_SELECTOR);
	v->ed25519_public = db_str(r, i, SDOM_COL_ED_PUBLIC);
	if (v->ed25519_selector == NULL || v->ed25519_public == NULL)
		v->ed25519_selector = v->ed25519_public = NULL; /* both or neither */
}

static lc_err
bad(struct core_fail *fail, const char *param, const char *detail)
{
	fail->code = "validation_failed";
	fail->param = param;
	fail->detail = detail;
	return LC_EINVAL;
}

/* zone_line writes r as a zone file line: a TXT value longer than 255 bytes must be cut
 * into several character-strings, which DNS joins again. */
static void
zone_line(struct domain_record *r)
{
	size_t len, o, vl = strlen(r->value), i, max = sizeof(r->zone_line);

	o = (size_t)snprintf(r->zone_line, max, "%s. 3600 IN TXT", r->name);
	for (i = 0; i < vl && o < max; i += TXT_STRING_MAX) {
		len = vl - i < TXT_STRING_MAX ? vl - i : TXT_STRING_MAX;
		o += (size_t)snprintf(
		    r->zone_line + o, max - o, " \"%.*s\"", (int)len, r->value + i);
	}
}

void
domain_record(const struct domain_view *v, struct domain_record *out)
{
	snprintf(out->name, sizeof(out->name), "%s._domainkey.%s", v->selector, v->domain);
	snprintf(out->value, sizeof(out->value), "v=DKIM1; k=rsa; p=%s", v->rsa_public);
	out->purpose = "dkim";
	out->algorithm = "rsa-sha256";
	out->selector = v->selector;
	zone_line(out);
}

size_t
domain_records(const struct domain_view *v, struct domain_record out[DOMAIN_RECORDS_MAX])
{
	struct domain_record *r = &out[1];

	domain_record(v, &out[0]);
	if (v->ed25519_selector == NULL)
		return 1;
	snprintf(r->name, sizeof(r->name), "%s._domainkey.%s", v->ed25519_selector, v->domain);
	/* RFC 8463 4.2: k=ed25519, p= the raw public key in base64 */
	snprintf(r->value, sizeof(r->value), "v=DKIM1; k=ed25519; p=%s", v->ed25519_public);
	r->purpose = "dkim";
	r->algorithm = "ed25519-sha256";
	r->selector = v->ed25519_selector;
	zone_line(r);
	return 2;
}

/* create_tx checks the workspace's limit and stores the domain; a second live row of the
 * same domain is refused by ux_sending_domains_live (LC_ECONFLICT). */
static lc_err
create_tx(struct db *db, void *arg)
{
	struct create_tx *t = arg;
	char now[TIME_SQL_LEN];
	unsigned count = 0;
	lc_err e;

	page_free(t->out); /* a retried transaction starts afresh */
	sqltime_format(now_ms(), now);
	if ((e = store_domain_count_lock(db, t->who->workspace_id, &count)) != LC_OK)
		return e;
	if (count >= DOMAINS_MAX_PER_WORKSPACE) {
		t->fail->code = "domain_limit_reached";
		t->fail->detail = "A workspace has at most 100 sending domains.";
		return LC_EINVAL;
	}
	if ((e = store_domain_insert(db, t->d, now)) != LC_OK) {
		if (e == LC_ECONFLICT) {
			t->fail->code = "domain_exists";
			t->fail->param = "domain";
			t->fail->detail =
			    "This workspace already has this domain; delete it first to "
			    "make new keys.";
		}
		return e;
	}
	if ((e = store_domain_find(db, t->who->workspace_id, t->d->public_id, &t->out->rows)) !=
	    LC_OK)
		return e;
	if ((e = page_one(t->out, &domain_spec)) == LC_ENOTFOUND)
		e = LC_EDB; /* the row just written is not there */
	return e;
}

lc_err
domains_create(struct core *core, const struct principal *who, const char *domain,
    const char *selector, struct page *out, struct core_fail *fail)
{
	unsigned char rsa_box[BOX_MAX], ed_box[ED_BOX_MAX];
	char id[ID_MAX], name[DOMAIN_NAME_MAX + 1], sel[DOMAIN_SELECTOR_MAX + 1],
	    ed_sel[DOMAIN_ED_SELECTOR_MAX + 1];
	struct store_domain d;
	struct create_tx t = {who, &d, fail, out};
	struct dkim_keys *keys;
	size_t i, n;
	lc_err e;

	memset(out, 0, sizeof(*out));
	memset(&d, 0, sizeof(d));
	if (domain == NULL)
		return bad(fail, "domain", "domain is required.");
	if ((n = strlen(domain)) > DOMAIN_NAME_MAX)
		return bad(fail, "domain", "domain is a DNS name of at most 253 characters.");
	for (i = 0; i <= n; i++)
		name[i] = (char)tolower((unsigned char)domain[i]);
	if (n > 0 && name[n - 1] == '.')
		name[--n] = '\0'; /* the root's dot, as DNS tools write it */
	if (!domain_valid(name))
		return bad(fail, "domain",
		    "domain must be a DNS name such as example.com (letters, digits, hyphens).");
	if (selector != NULL && !selector_valid(selector))
		return bad(fail, "selector",
		    "selector is 1 to 40 lower-case letters, digits and inner hyphens, not ending "
		    "in -ed25519 (the Ed25519 key's selector is the selector + \"-ed25519\").");
	if (!mailbox_configured()) {
		fail->code = "mailboxes_not_configured";
		fail->detail =
		    "The operator has not configured [mailboxes] key_file on this server: "
		    "DKIM keys are sealed with it.";
		return LC_ECONFLICT;
	}
	if (selector != NULL) {
		snprintf(sel, sizeof(sel), "%s", selector);
	} else {
		/* "lc" + 8 random characters: a new key never reuses an old selector, so a
		 * record cached by resolvers cannot shadow the new key */
		char rnd[ID_MAX];
		id_new("x", rnd);
		snprintf(sel, sizeof(sel), "lc");
		for (i = 1; i < 9 && rnd[i]; i++)
			sel[i + 1] = isalnum((unsigned char)rnd[i])
			                 ? (char)tolower((unsigned char)rnd[i])
			                 : '0';
		sel[i + 1] = '\0';
	}
	/* the key lives on the heap libsodium guards, only until it is sealed */
	if ((keys = sodium_malloc(sizeof(*keys))) == NULL)
		return LC_ENOMEM;
	if ((e = dkim_keys_generate(keys)) != LC_OK)
		goto out;
	if ((e = secret_seal(keys->rsa_pem, keys->rsa_pem_len, rsa_box, sizeof(rsa_box),
	         &d.rsa_box_len)) != LC_OK ||
	    (e = secret_seal(keys->ed_seed, sizeof(keys->ed_seed), ed_box, sizeof(ed_box),
	         &d.ed25519_box_len)) != LC_OK)
		goto out;
	/* one rule for the second selector: each key has its own record, and a new RSA
	 * selector (a new key) makes a new Ed25519 one too */
	snprintf(ed_sel, sizeof(ed_sel), "%s%s", sel, DOMAIN_ED25519_SUFFIX);
	id_new("dom_", id);
	d.public_id = id;
	d.workspace_id = who->workspace_id;
	d.domain = name;
	d.selector = sel;
	d.rsa_public = keys->rsa_pub;
	d.rsa_box = rsa_box;
	d.ed25519_selector = ed_sel;
	d.ed25519_public = keys->ed_pub;
	d.ed25519_box = ed_box;
	e = db_tx(core->db, create_tx, &t);
out:
	sodium_free(keys); /* wipes */
	return e;
}

lc_err
domains_list(struct core *core, const struct principal *who, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_domain_list(core->db, who->workspace_id, &out->rows)) != LC_OK)
		return e;
	/* every row: a workspace has at most DOMAINS_MAX_PER_WORKSPACE */
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &domain_spec);
}

lc_err
domains_all(struct core *core, unsigned max, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_domain_list_all(core->db, max, &out->rows)) != LC_OK)
		return e;
	out->total = (int64_t)out->rows.nrows;
	return page_build(out, (unsigned)out->rows.nrows, &domain_spec);
}

lc_err
domains_get(struct core *core, const struct principal *who, const char *public_id, struct page *out)
{
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_domain_find(core->db, who->workspace_id, public_id, &out->rows)) != LC_OK)
		return e;
	return page_one(out, &domain_spec);
}

lc_err
domains_add_ed25519(struct core *core, const struct principal *who, const char *public_id,
    struct page *out, struct core_fail *fail)
{
	unsigned char box[ED_BOX_MAX], *seed;
	char pub[DKIM_ED_PUB_MAX], sel[DOMAIN_ED_SELECTOR_MAX + 1];
	const struct domain_view *v;
	uint64_t changed = 0;
	size_t box_len = 0;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (!mailbox_configured()) {
		fail->code = "mailboxes_not_configured";
		fail->detail =
		    "The operator has not configured [mailboxes] key_file on this server: "
		    "DKIM keys are sealed with it.";
		return LC_ECONFLICT;
	}
	if ((e = domains_get(core, who, public_id, out)) != LC_OK)
		return e;
	v = out->items;
	if (v->ed25519_selector != NULL)
		goto exists;
	snprintf(sel, sizeof(sel), "%s%s", v->selector, DOMAIN_ED25519_SUFFIX);
	/* the seed lives on the heap libsodium guards, only until it is sealed */
	if ((seed = sodium_malloc(DKIM_ED_SEED_BYTES)) == NULL)
		return LC_ENOMEM;
	e = dkim_ed25519_generate(seed, pub);
	if (e == LC_OK)
		e = secret_seal(seed, DKIM_ED_SEED_BYTES, box, sizeof(box), &box_len);
	sodium_free(seed); /* wipes */
	if (e != LC_OK)
		return e;
	page_free(out);
	if ((e = store_domain_add_ed25519(core->db, who->workspace_id, public_id, sel, pub, box,
	         box_len, &changed)) != LC_OK)
		return e;
	if ((e = domains_get(core, who, public_id, out)) != LC_OK)
		return e;
	if (changed == 1)
		return LC_OK;
exists:
	/* it has one (or another request gave it one just now): keys are not replaced here */
	fail->code = "domain_key_exists";
	fail->detail = "This domain has an Ed25519 key already; delete the domain and add it "
	               "again to make new keys.";
	return LC_ECONFLICT;
}

lc_err
domains_delete(struct core *core, const struct principal *who, const char *public_id)
{
	uint64_t changed = 0;
	lc_err e;

	if ((e = store_domain_delete(core->db, who->workspace_id, public_id, &changed)) != LC_OK)
		return e;
	return changed ? LC_OK : LC_ENOTFOUND;
}

/* open_pem opens the sealed PEM in column col of row 0 into guarded memory (*pem). */
static lc_err
open_pem(const struct db_rows *r, size_t col, char **pem)
{
	size_t len = 0;

	if ((*pem = sodium_malloc(DKIM_PEM_MAX)) == NULL)
		return LC_ENOMEM;
	if (secret_open((const unsigned char *)db_str(r, 0, col), db_len(r, 0, col),
	        (unsigned char *)*pem, DKIM_PEM_MAX - 1, &len) != LC_OK) {
		sodium_free(*pem);
		*pem = NULL;
		return LC_EINVAL;
	}
	(*pem)[len] = '\0';
	return LC_OK;
}

/* open_seed opens the sealed Ed25519 seed in column col of row 0 into guarded memory. */
static lc_err
open_seed(const struct db_rows *r, size_t col, unsigned char **seed)
{
	size_t len = 0;

	if ((*seed = sodium_malloc(DKIM_ED_SEED_BYTES)) == NULL)
		return LC_ENOMEM;
	if (secret_open((const unsigned char *)db_str(r, 0, col), db_len(r, 0, col), *seed,
	        DKIM_ED_SEED_BYTES, &len) != LC_OK ||
	    len != DKIM_ED_SEED_BYTES) {
		sodium_free(*seed);
		*seed = NULL;
		return LC_EINVAL;
	}
	return LC_OK;
}

lc_err
domain_signing_load(
    struct core *core, int64_t message_id, const char *from_address, struct domain_signing *out)
{
	const char *at, *d;
	char name[DOMAIN_NAME_MAX + 1];
	struct db_rows r;
	size_t i, n;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (from_address == NULL || (at = strrchr(from_address, '@')) == NULL ||
	    (n = strlen(at + 1)) == 0 || n > DOMAIN_NAME_MAX)
		return LC_ENOTFOUND;
	for (i = 0; i <= n; i++)
		name[i] = (char)tolower((unsigned char)at[1 + i]);
	/* the address's domain, then each parent that still has a dot: a point read each */
	for (d = name;; d = strchr(d, '.') + 1) {
		if (strchr(d, '.') == NULL)
			return LC_ENOTFOUND;
		if ((e = store_domain_key(core->db, message_id, d, &r)) != LC_OK)
			return e;
		if (r.nrows == 1)
			break;
		db_rows_free(&r);
	}
	snprintf(out->domain, sizeof(out->domain), "%s", db_str(&r, 0, DKEY_COL_DOMAIN));
	snprintf(out->selector, sizeof(out->selector), "%s", db_str(&r, 0, DKEY_COL_SELECTOR));
	e = open_pem(&r, DKEY_COL_RSA_BOX, &out->rsa_pem);
	/* the Ed25519 key is a second signature: one that does not open (a damaged row) only
	 * leaves it out, and the caller says so */
	if (e == LC_OK && db_str(&r, 0, DKEY_COL_ED_BOX) != NULL &&
	    db_str(&r, 0, DKEY_COL_ED_SELECTOR) != NULL) {
		snprintf(out->ed_selector, sizeof(out->ed_selector), "%s",
		    db_str(&r, 0, DKEY_COL_ED_SELECTOR));
		if (open_seed(&r, DKEY_COL_ED_BOX, &out->ed_seed) != LC_OK)
			out->ed_unopened = 1;
	}
	db_rows_free(&r);
	if (e != LC_OK)
		domain_signing_clear(out);
	return e;
}

void
domain_signing_clear(struct domain_signing *s)
{
	sodium_free(s->rsa_pem); /* wipes; NULL is fine */
	sodium_free(s->ed_seed);
	memset(s, 0, sizeof(*s));
}
