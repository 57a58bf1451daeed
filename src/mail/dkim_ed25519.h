/* dkim_ed25519.h: the ed25519-sha256 DKIM signature (RFC 8463) of a composed message, made
 * here rather than by libopendkim (whose 2.11 frees an Ed25519 key's OpenSSL objects only
 * for RSA, docs/dkim.md): relaxed/relaxed canonicalisation (RFC 6376 3.4.2, 3.4.4), the body
 * hash, the header hash and Ed25519 (OpenSSL EVP, PureEdDSA) over its SHA-256.
 *
 * Every input is treated as hostile: a message is refused (LC_EINVAL, with words that never
 * hold the key) when a line ends in a bare LF or a bare CR, a header field has no colon or a
 * name outside printable ASCII, a header block starts with a continuation line, or it has more
 * than DKIM_ED_FIELDS_MAX fields. 8-bit bytes in values and bodies are signed as they are;
 * a message without a body (no empty line) has the empty body. Output goes to struct buf,
 * bounded by its max. */
#ifndef LC_MAIL_DKIM_ED25519_H
#define LC_MAIL_DKIM_ED25519_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/err.h"

#define DKIM_ED_SEED_LEN 32    /* an Ed25519 private key: its 32-byte seed (RFC 8032 5.1.5) */
#define DKIM_ED_PUB_B64_MAX 48 /* base64 of the 32-byte raw public key (44) with NUL */
#define DKIM_ED_SIG_LEN 64
#define DKIM_ED_FIELDS_MAX 1000 /* header fields of a message we sign */
#define DKIM_ED_LINE_MAX 78     /* the folded field's lines, where a value lets us cut */

/* What one message is signed with. seed is a secret the caller keeps and wipes. */
struct dkim_ed25519_signer {
	const char *domain;                  /* d= */
	const char *selector;                /* s= */
	const unsigned char *seed;           /* DKIM_ED_SEED_LEN bytes */
	const char *const *sign_headers;     /* lower-case names signed when present, NULL-ended */
	const char *const *oversign_headers; /* named once more than present, NULL-ended */
	int64_t time_s;                      /* t=, seconds since the epoch; <= 0: no t= */
};

/* dkim_canon_header_relaxed appends the relaxed form (RFC 6376 3.4.2) of one header field
 * to out: field[0..len) is the field from its name to its last byte before the final CRLF,
 * folds included. crlf: end it with CRLF (a signed field) or not (the signature's own
 * field). LC_EINVAL when it has no colon or its name is empty or not printable ASCII;
 * LC_ENOMEM past out's max. */
lc_err dkim_canon_header_relaxed(const char *field, size_t len, int crlf, struct buf *out);

/* dkim_canon_body_relaxed appends the relaxed form (RFC 6376 3.4.4) of body[0..len) to out.
 * LC_EINVAL for a bare CR or LF; LC_ENOMEM past out's max. */
lc_err dkim_canon_body_relaxed(const char *body, size_t len, struct buf *out);

/* dkim_body_hash writes the SHA-256 of the relaxed body of msg[0..len) (a whole message:
 * what follows its first empty line) into hash. LC_EINVAL for a message refused above;
 * LC_ENOMEM when OpenSSL fails. */
lc_err dkim_body_hash(const char *msg, size_t len, unsigned char hash[32]);

/* dkim_ed25519_signature computes the b= value's bytes for msg[0..len): the relaxed fields
 * named by names[0..nnames) (each name takes the next instance from the bottom; one not
 * present adds nothing), then the relaxed signature field sig_field[0..sig_len) (the whole
 * "DKIM-Signature: ...b=" field with b= empty, folds allowed, no final CRLF), hashed with
 * SHA-256 and signed with Ed25519 under seed. why (never the key) on error: LC_EINVAL
 * (refused message or key), LC_ENOMEM. */
lc_err dkim_ed25519_signature(const unsigned char seed[DKIM_ED_SEED_LEN], const char *msg,
    size_t len, const char *const *names, size_t nnames, const char *sig_field, size_t sig_len,
    unsigned char sig[DKIM_ED_SIG_LEN], char *why, size_t whylen);

/* dkim_ed25519_sign appends the folded "DKIM-Signature: v=1; a=ed25519-sha256;
 * c=relaxed/relaxed; ..." field of msg[0..len) with its final CRLF to out: h= names the
 * signer's headers present in msg (top to bottom) and each oversigned header once more. On
 * error out is as it was and why (never the key) says why: LC_EINVAL (refused message or
 * key), LC_ENOMEM (out's max, OpenSSL). */
lc_err dkim_ed25519_sign(const struct dkim_ed25519_signer *s, const char *msg, size_t len,
    struct buf *out, char *why, size_t whylen);

/* dkim_ed25519_public writes the p= value of the key record (k=ed25519, RFC 8463 4.2: the
 * base64 of the raw 32-byte public key) of seed into pub. LC_ENOMEM when OpenSSL fails. */
lc_err dkim_ed25519_public(
    const unsigned char seed[DKIM_ED_SEED_LEN], char pub[DKIM_ED_PUB_B64_MAX]);

#endif
