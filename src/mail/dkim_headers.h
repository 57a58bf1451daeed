/* dkim_headers.h: the header fields linkcamp's DKIM signatures cover (docs/dkim.md), one
 * list for both signatures, so that the rsa-sha256 one (libopendkim, dkim_sign.c) and the
 * ed25519-sha256 one (dkim_ed25519.c) sign the same fields. */
#ifndef LC_MAIL_DKIM_HEADERS_H
#define LC_MAIL_DKIM_HEADERS_H

/* Lower-case names signed when present (RFC 6376 5.4.1), NULL-ended. */
extern const char *const dkim_sign_headers[];
/* Names listed once more than they occur (oversigned), NULL-ended: nobody can add a second
 * one in transit without breaking the signature. */
extern const char *const dkim_oversign_headers[];

#endif
