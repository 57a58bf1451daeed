/* dkim_sign.c: DKIM signing with libopendkim (Debian's libopendkim-dev, the library of
 * the OpenDKIM milter). One library handle for the process (libopendkim's handles are
 * shared by the milter's threads; a signing handle belongs to one thread). The private
 * key passes through libopendkim's allocations, so they go through our allocator, which
 * wipes every block before freeing it. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <dkim.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mail/dkim_headers.h"
#include "mail/dkim_sign.h"

#define SIG_FIELD "DKIM-Signature: "

static DKIM_LIB *lib;

static int rsa_key_ok(const char *);
static void *lib_malloc(void *, size_t);
static void lib_free(void *, void *);
static lc_err sign_one(
    const struct dkim_signer *, const char *, size_t, struct buf *, char *, size_t);

static void *
lib_malloc(void *closure, size_t n)
{
	(void)closure;
	return malloc(n);
}

/* lib_free wipes a block before freeing it: some of them held the private key. */
static void
lib_free(void *closure, void *p)
{
	(void)closure;
	if (p != NULL)
		sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

lc_err
dkim_sign_global_init(void)
{
	if ((lib = dkim_init(lib_malloc, lib_free)) == NULL)
		return LC_ENOMEM;
	/* libopendkim takes the address of a NULL-ended list (it only reads it); len is the
	 * pointer's size. The lists are shared with the Ed25519 signer (dkim_headers.c). */
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
	        (void *)(uintptr_t)dkim_sign_headers, sizeof(char **)) != DKIM_STAT_OK ||
	    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS,
	        (void *)(uintptr_t)dkim_oversign_headers, sizeof(char **)) != DKIM_STAT_OK) {
		dkim_close(lib);
		lib = NULL;
		return LC_ENOMEM;
	}
	return LC_OK;
}

void
dkim_sign_global_end(void)
{
	if (lib != NULL)
		dkim_close(lib);
	lib = NULL;
}

/* rsa_key_ok says whether pem is an RSA private key. libopendkim is given only keys that
 * pass: when it fails to load one it leaks its key state (dkim_privkey_load's allocation
 * is never freed), and a key that does not load can only be a damaged row. */
static int
rsa_key_ok(const char *pem)
{
	EVP_PKEY *pkey;
	BIO *bio;
	int ok;

	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return 0;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ok = pkey != NULL && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA;
	EVP_PKEY_free(pkey);
	return ok;
}

/* sign_one makes the rsa-sha256 signature of msg and appends its header field (CRLF line
 * ends) to out. */
static lc_err
sign_one(const struct dkim_signer *s, const char *msg, size_t len, struct buf *out, char *why,
    size_t whylen)
{
	DKIM_STAT st = DKIM_STAT_OK;
	DKIM *d;
	u_char *hdr = NULL;
	size_t hlen = 0, i;
	lc_err e = LC_EINVAL;

	d = dkim_sign(lib, (const unsigned char *)"linkcamp", NULL, (dkim_sigkey_t)s->rsa_pem,
	    (const unsigned char *)s->selector, (const unsigned char *)s->domain,
	    DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	if (d == NULL) {
		snprintf(why, whylen, "DKIM: %s", dkim_getresultstr(st));
		return LC_EINVAL;
	}
	/* dkim_chunk takes a non-const buffer but only reads it */
	if ((st = dkim_chunk(d, (u_char *)(uintptr_t)msg, len)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(d, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(d, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr_d(d, strlen(SIG_FIELD), &hdr, &hlen)) != DKIM_STAT_OK) {
		const char *more = dkim_geterror(d);
		snprintf(why, whylen, "DKIM: %s%s%s", dkim_getresultstr(st), more ? ": " : "",
		    more ? more : "");
		goto out;
	}
	/* libopendkim folds with a bare LF; the message is CRLF throughout */
	e = buf_puts(out, SIG_FIELD);
	for (i = 0; e == LC_OK && i < hlen; i++) {
		if (hdr[i] == '\r')
			continue;
		e = hdr[i] == '\n' ? buf_append(out, "\r\n", 2) : buf_append(out, &hdr[i], 1);
	}
	if (e == LC_OK)
		e = buf_append(out, "\r\n", 2);
	if (e != LC_OK)
		snprintf(why, whylen, "DKIM: the signed message is too large");
out:
	dkim_free(d);
	return e;
}

lc_err
dkim_sign_message(const struct dkim_signer *s, const char *msg, size_t len, struct buf *out,
    char *why, size_t whylen)
{
	lc_err e;

	why[0] = '\0';
	if (lib == NULL) {
		snprintf(why, whylen, "DKIM: the signing library is not set up");
		return LC_ECONFLICT;
	}
	/* rsa-sha256 only: libopendkim 2.11.0~beta2 leaks the key objects of every
	 * ed25519-sha256 signature (its dkim_free frees a signature's crypto state for RSA
	 * keys only), which a worker signing all day cannot afford (docs/dkim.md) */
	if (s->rsa_pem == NULL || !rsa_key_ok(s->rsa_pem)) {
		snprintf(why, whylen, "DKIM: the domain's stored key is not an RSA private key");
		return LC_EINVAL;
	}
	e = sign_one(s, msg, len, out, why, whylen);
	if (e == LC_OK)
		e = buf_append(out, msg, len);
	if (e != LC_OK)
		buf_reset(out);
	return e;
}
