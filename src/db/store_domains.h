/* store_domains.h: SQL for sending domains and their sealed DKIM keys
 * (sql/060_sending_domains.sql). The rules live in src/core/domains.c; these only read and
 * write. All return db_* errors (LC_ECONFLICT for a second live row of a domain). */
#ifndef LC_STORE_DOMAINS_H
#define LC_STORE_DOMAINS_H

#include <stddef.h>
#include <stdint.h>
#include "db/db.h"

/* One domain row to write; the box is binary (the sealed PEM). */
struct store_domain {
	const char *public_id;
	int64_t workspace_id;
	const char *domain, *selector, *rsa_public;
	const unsigned char *rsa_box;
	size_t rsa_box_len;
	/* the Ed25519 key (sql/150_dkim_ed25519.sql); NULL ed25519_box: none */
	const char *ed25519_selector, *ed25519_public;
	const unsigned char *ed25519_box;
	size_t ed25519_box_len;
};

/* Columns of the reads below (the key box only in store_domain_key). */
enum {
	SDOM_COL_ID,
	SDOM_COL_PUBLIC,
	SDOM_COL_DOMAIN,
	SDOM_COL_SELECTOR,
	SDOM_COL_RSA_PUBLIC,
	SDOM_COL_CREATED,
	SDOM_COL_ED_SELECTOR, /* NULL: no Ed25519 key */
	SDOM_COL_ED_PUBLIC,
	SDOM_NCOLS
};

/* store_domain_count_lock counts the workspace's live domains, locking their index range
 * so that two creations cannot both pass the limit. */
lc_err store_domain_count_lock(struct db *db, int64_t workspace_id, unsigned *count);
lc_err store_domain_insert(struct db *db, const struct store_domain *d, const char *now_sql);
/* store_domain_list reads the workspace's live domains, newest first. */
lc_err store_domain_list(struct db *db, int64_t workspace_id, struct db_rows *out);
/* store_domain_list_all reads up to max live domains of every workspace, oldest first
 * (the operator's doctor, not a request). */
lc_err store_domain_list_all(struct db *db, unsigned max, struct db_rows *out);
/* store_domain_find reads one live domain of the workspace by public id (0 or 1 row). */
lc_err store_domain_find(
    struct db *db, int64_t workspace_id, const char *public_id, struct db_rows *out);
/* store_domain_delete marks a live domain of the workspace deleted; *changed 0: none. */
lc_err store_domain_delete(
    struct db *db, int64_t workspace_id, const char *public_id, uint64_t *changed);

/* store_domain_add_ed25519 gives a live domain of the workspace that has no Ed25519 key this
 * one (box: the sealed seed); *changed 0: no such domain, or it has one already. A point
 * of ux_sending_domains_public. */
lc_err store_domain_add_ed25519(struct db *db, int64_t workspace_id, const char *public_id,
    const char *selector, const char *pub, const unsigned char *box, size_t box_len,
    uint64_t *changed);

/* Columns of store_domain_key. */
enum {
	DKEY_COL_DOMAIN,
	DKEY_COL_SELECTOR,
	DKEY_COL_RSA_BOX,
	DKEY_COL_ED_SELECTOR,
	DKEY_COL_ED_BOX
};
/* store_domain_key reads the signing key of domain for the workspace of outbound message
 * message_id (0 or 1 row): a primary key read and one point of ux_sending_domains_live. */
lc_err store_domain_key(struct db *db, int64_t message_id, const char *domain, struct db_rows *out);

#endif
