/* mutf7.c: UTF-8 to IMAP's modified UTF-7 (mutf7.h). */
#include <stdint.h>

#include "imap/mutf7.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

struct out {
	char *p;
	size_t len, at;
	uint32_t bits; /* base64 bits not yet written, nbits of them */
	int nbits, open;
};

static int
put(struct out *o, char c)
{
	if (o->at + 1 >= o->len)
		return -1;
	o->p[o->at++] = c;
	return 0;
}

/* unit adds one UTF-16 code unit to the base64 run, opening it with "&" if needed. */
static int
unit(struct out *o, unsigned u)
{
	if (!o->open && put(o, '&') != 0)
		return -1;
	o->open = 1;
	o->bits = (o->bits << 16) | (u & 0xffff);
	o->nbits += 16;
	while (o->nbits >= 6) {
		o->nbits -= 6;
		if (put(o, b64[(o->bits >> o->nbits) & 0x3f]) != 0)
			return -1;
	}
	o->bits &= (1u << o->nbits) - 1;
	return 0;
}

/* close_run writes the run's last bits (zero-padded) and its "-". */
static int
close_run(struct out *o)
{
	if (!o->open)
		return 0;
	if (o->nbits > 0 && put(o, b64[(o->bits << (6 - o->nbits)) & 0x3f]) != 0)
		return -1;
	o->open = 0;
	o->bits = 0;
	o->nbits = 0;
	return put(o, '-');
}

/* next decodes one code point from s; returns its length in bytes, or 0 when s does not
 * start with a well-formed UTF-8 sequence. */
static size_t
next(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
mutf7_encode(const char *utf8, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)utf8;
	struct out o = {out, outlen, 0, 0, 0, 0};
	uint32_t cp;
	size_t n;
	int r = 0;

	if (outlen == 0)
		return -1;
	while (r == 0 && *s) {
		if ((n = next(s, &cp)) == 0) {
			r = -1;
			break;
		}
		s += n;
		if (cp >= 0x20 && cp <= 0x7e) {
			r = close_run(&o);
			if (r == 0)
				r = put(&o, (char)cp);
			if (r == 0 && cp == '&')
				r = put(&o, '-');
		} else if (cp < 0x10000) {
			r = unit(&o, cp);
		} else {
			cp -= 0x10000;
			r = unit(&o, 0xd800 | (cp >> 10));
			if (r == 0)
				r = unit(&o, 0xdc00 | (cp & 0x3ff));
		}
	}
	if (r == 0)
		r = close_run(&o);
	out[r == 0 ? o.at : 0] = '\0';
	return r;
}
