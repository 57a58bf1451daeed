/* utf8.h: strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef LC_UTF8_H
#define LC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* utf8_decode reads the character at s[0..len): its code point in *cp and its length in
 * bytes, or 0 (and *cp untouched) when no well-formed character starts there — an
 * overlong form, a surrogate, a code point above U+10FFFF, a sequence cut short, a stray
 * continuation byte, or a NUL. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* utf8_valid is 1 when s[0..len) is well-formed UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t len);

/* utf8_sanitize makes the NUL-terminated s printable UTF-8 in place, for text from outside
 * that is only shown (an SMTP server's reply): each byte that starts no well-formed
 * character, and each control character, becomes '?'. The length does not change. */
void utf8_sanitize(char *s);

/* utf8_chars counts code points of valid UTF-8 s[0..len). */
size_t utf8_chars(const char *s, size_t len);

/* utf8_prefix returns the length of the longest prefix of valid UTF-8 s that is at most
 * max bytes and ends on a character boundary. */
size_t utf8_prefix(const char *s, size_t max);

/* utf8_lead_len is the length of the character that starts at s[0] of UTF-8 that has
 * been validated, told by its lead byte alone, and at most the n (> 0) bytes left: for
 * encoders that must not split a character (RFC 2047 words, quoted-printable lines). */
size_t utf8_lead_len(const unsigned char *s, size_t n);

#endif
