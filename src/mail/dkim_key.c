/* dkim_key.c: DKIM key pairs with OpenSSL 3's EVP interface. RSA-2048: what every
 * verifier accepts (RFC 8301 makes 1024 the floor), and its p= still fits a TXT record of
 * two strings. Ed25519 (RFC 8463) for the second signature: its private key kept as the raw
 * 32-byte seed (what dkim_ed25519.c signs with), its public key raw in base64. */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mail/dkim_key.h"

static lc_err pem_out(EVP_PKEY *, char *, size_t *);
static lc_err pub_out(EVP_PKEY *, char[DKIM_PUB_MAX]);

/* pem_out writes pkey's private key as PKCS#8 PEM (unencrypted: the caller seals it) into
 * out (DKIM_PEM_MAX bytes, NUL-ended); OpenSSL's copy is cleansed. */
static lc_err
pem_out(EVP_PKEY *pkey, char *out, size_t *len)
{
	BIO *bio;
	char *data;
	long n;
	lc_err e = LC_ENOMEM;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return LC_ENOMEM;
	if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0) {
		if ((size_t)n < DKIM_PEM_MAX) {
			memcpy(out, data, (size_t)n);
			out[n] = '\0';
			*len = (size_t)n;
			e = LC_OK;
		}
		OPENSSL_cleanse(data, (size_t)n);
	}
	BIO_free(bio);
	return e;
}

/* pub_out writes the p= value of pkey: the base64 of the DER SubjectPublicKeyInfo
 * (RFC 6376 3.6.1), on one line. */
static lc_err
pub_out(EVP_PKEY *pkey, char out[DKIM_PUB_MAX])
{
	unsigned char der[DKIM_PUB_MAX], *p = der;
	int n;

	if ((n = i2d_PUBKEY(pkey, NULL)) <= 0 || (size_t)n > sizeof(der) ||
	    i2d_PUBKEY(pkey, &p) != n)
		return LC_ENOMEM;
	/* EVP_EncodeBlock writes 4 * ceil(n / 3) characters and a NUL, no line breaks */
	if ((size_t)(4 * ((n + 2) / 3)) >= DKIM_PUB_MAX)
		return LC_ENOMEM;
	EVP_EncodeBlock((unsigned char *)out, der, n);
	return LC_OK;
}

lc_err
dkim_ed25519_generate(unsigned char seed[DKIM_ED_SEED_BYTES], char pub[DKIM_ED_PUB_MAX])
{
	unsigned char raw[32];
	size_t sn = DKIM_ED_SEED_BYTES, pn = sizeof(raw);
	EVP_PKEY *ed;
	lc_err e = LC_ENOMEM;

	if ((ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		return LC_ENOMEM;
	if (EVP_PKEY_get_raw_private_key(ed, seed, &sn) == 1 && sn == DKIM_ED_SEED_BYTES &&
	    EVP_PKEY_get_raw_public_key(ed, raw, &pn) == 1 && pn == sizeof(raw)) {
		EVP_EncodeBlock((unsigned char *)pub, raw, sizeof(raw));
		e = LC_OK;
	}
	EVP_PKEY_free(ed); /* OpenSSL cleanses its copy */
	if (e != LC_OK)
		OPENSSL_cleanse(seed, DKIM_ED_SEED_BYTES);
	return e;
}

lc_err
dkim_keys_generate(struct dkim_keys *k)
{
	EVP_PKEY *rsa;
	lc_err e = LC_ENOMEM;

	memset(k, 0, sizeof(*k));
	if ((rsa = EVP_RSA_gen(DKIM_RSA_BITS)) == NULL)
		return LC_ENOMEM;
	if (pem_out(rsa, k->rsa_pem, &k->rsa_pem_len) == LC_OK &&
	    pub_out(rsa, k->rsa_pub) == LC_OK &&
	    dkim_ed25519_generate(k->ed_seed, k->ed_pub) == LC_OK)
		e = LC_OK;
	EVP_PKEY_free(rsa);
	if (e != LC_OK)
		dkim_keys_wipe(k);
	return e;
}

void
dkim_keys_wipe(struct dkim_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
