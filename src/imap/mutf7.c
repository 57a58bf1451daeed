/* mutf7.c: UTF-8 to IMAP's modified UTF-7 (mutf7.h). */
#include <stdint.h>
#include <string.h>

#include "imap/mutf7.h"
#include "util/utf8.h"

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

int
mutf7_encode(const char *utf8, char *out, size_t outlen)
{
	struct out o = {out, outlen, 0, 0, 0, 0};
	size_t len = strlen(utf8), at = 0, n;
	uint32_t cp = 0;
	int r = 0;

	if (outlen == 0)
		return -1;
	while (r == 0 && at < len) {
		if ((n = utf8_decode(utf8 + at, len - at, &cp)) == 0) {
			r = -1;
			break;
		}
		at += n;
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
