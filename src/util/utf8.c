#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp_out)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c;
	uint32_t cp;
	unsigned need, k;

	if (len == 0 || (c = s[0]) == 0)
		return 0;
	if (c < 0x80) {
		*cp_out = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len <= need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*cp_out = cp;
	return need + 1;
}

/* seq_len is the length of the well-formed UTF-8 character at s[0..len) (len > 0), or
 * 0 when none starts there (a NUL byte counts as none). */
static size_t
seq_len(const unsigned char *s, size_t len)
{
	uint32_t cp;

	return utf8_decode((const char *)s, len, &cp);
}

int
utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	while (i < len) {
		if ((n = seq_len(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

void
utf8_sanitize(char *str)
{
	unsigned char *s = (unsigned char *)str;
	size_t i = 0, len = strlen(str), n;

	while (i < len) {
		n = seq_len(s + i, len - i);
		if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7F))) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
}

size_t
utf8_chars(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

size_t
utf8_prefix(const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), cut = len > max ? max : len;

	while (cut > 0 && cut < len && (s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

size_t
utf8_lead_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		len = 1;
	else if (s[0] >= 0xF0)
		len = 4;
	else if (s[0] >= 0xE0)
		len = 3;
	else
		len = 2;
	return len < n ? len : n;
}
