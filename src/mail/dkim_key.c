/* dkim_key.c: DKIM key pairs with OpenSSL 3's EVP interface. RSA-2048 is what every
 * verifier accepts (RFC 8301 makes 1024 the floor; 2048 still fits one TXT string set);
 * Ed25519 (RFC 8463) rides along as a second signature for the verifiers that know it. */
#include <string.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mail/dkim_key.h"

static lc_err pem_out(EVP_PKEY *, char *, size_t *);
static lc_err pub_out(EVP_PKEY *, char[DKIM_PUB_MAX]);

/* pem_out writes pkey's private key as PKCS#8 PEM (unencrypted: it is sealed by the
 * caller) into out (DKIM_PEM_MAX bytes, NUL-ended). */
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
	    (n = BIO_get_mem_data(bio, &data)) > 0 && (size_t)n < DKIM_PEM_MAX) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
		*len = (size_t)n;
		OPENSSL_cleanse(data, (size_t)n);
		e = LC_OK;
	}
	BIO_free(bio);
	return e;
}

/* pub_out writes the p= value of pkey: the base64 of the DER SubjectPublicKeyInfo for RSA
 * (RFC 6376 3.6.1), the base64 of the raw 32 bytes for Ed25519 (RFC 8463 4.2). */
static lc_err
pub_out(EVP_PKEY *pkey, char out[DKIM_PUB_MAX])
{
	unsigned char der[DKIM_PUB_MAX], *p = der;
	size_t raw_len = sizeof(der);
	int n;

	if (EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(pkey, der, &raw_len) != 1 || raw_len != 32)
			return LC_ENOMEM;
		n = (int)raw_len;
	} else {
		if ((n = i2d_PUBKEY(pkey, NULL)) <= 0 || (size_t)n > sizeof(der) ||
		    i2d_PUBKEY(pkey, &p) != n)
			return LC_ENOMEM;
	}
	/* EVP_EncodeBlock writes 4 * ceil(n / 3) characters and a NUL, no line breaks */
	if ((size_t)(4 * ((n + 2) / 3)) >= DKIM_PUB_MAX)
		return LC_ENOMEM;
	EVP_EncodeBlock((unsigned char *)out, der, n);
	return LC_OK;
}

lc_err
dkim_keys_generate(struct dkim_keys *k)
{
	EVP_PKEY *rsa = NULL, *ed = NULL;
	lc_err e = LC_ENOMEM;

	memset(k, 0, sizeof(*k));
	if ((rsa = EVP_RSA_gen(DKIM_RSA_BITS)) == NULL ||
	    (ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		goto out;
	if (pem_out(rsa, k->rsa_pem, &k->rsa_pem_len) != LC_OK ||
	    pem_out(ed, k->ed_pem, &k->ed_pem_len) != LC_OK || pub_out(rsa, k->rsa_pub) != LC_OK ||
	    pub_out(ed, k->ed_pub) != LC_OK)
		goto out;
	e = LC_OK;
out:
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
	if (e != LC_OK)
		dkim_keys_wipe(k);
	return e;
}

void
dkim_keys_wipe(struct dkim_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

lc_err
dkim_pub_from_pem(const char *pem, size_t len, char out[DKIM_PUB_MAX])
{
	EVP_PKEY *pkey;
	BIO *bio;
	lc_err e;

	out[0] = '\0';
	if (len > DKIM_PEM_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return LC_EINVAL;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (pkey == NULL)
		return LC_EINVAL;
	e = pub_out(pkey, out) == LC_OK ? LC_OK : LC_EINVAL;
	EVP_PKEY_free(pkey);
	return e;
}
