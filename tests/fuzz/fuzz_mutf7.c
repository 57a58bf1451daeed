/* fuzz_mutf7.c: libFuzzer target for IMAP's modified UTF-7 encoder (src/imap/mutf7.c),
 * which turns a folder name a client gave into what the worker says to an IMAP server.
 * Promises checked, from mutf7.h: the input (up to its first NUL) is encoded exactly when
 * it is well-formed UTF-8 (utf8_valid); the output is printable ASCII, at most
 * MUTF7_SIZE(n) - 1 bytes; decoded here by a decoder of its own, written from RFC 3501
 * section 5.1.3, it is the input again; a base64 run encodes no printable ASCII, ends
 * with "-" and zero padding bits, and is not followed by another run; a buffer too small
 * gives -1 and "", never a cut name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "imap/mutf7.h"
#include "util/utf8.h"

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_mutf7: broken promise: %s\n", what);
	abort();
}

static int
b64_value(char c)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* put_utf8 appends code point cp to out as UTF-8. */
static size_t
put_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* decode reads modified UTF-7 s back into UTF-8 (out, large enough), checking the form. */
static void
decode(const char *s, char *out)
{
	size_t o = 0;

	while (*s) {
		unsigned long bits = 0, hi = 0;
		int nbits = 0, units = 0, v;

		if (*s != '&') {
			out[o++] = *s++;
			continue;
		}
		s++;
		if (*s == '-') {
			out[o++] = '&';
			s++;
			continue;
		}
		for (; (v = b64_value(*s)) >= 0; s++) {
			bits = (bits << 6) | (unsigned long)v;
			nbits += 6;
			if (nbits < 16)
				continue;
			nbits -= 16;
			unsigned long u = (bits >> nbits) & 0xffff;
			bits &= (1ul << nbits) - 1;
			units++;
			if (hi) {
				if (u < 0xdc00 || u > 0xdfff)
					fuzz_die("a high surrogate without its low one");
				o += put_utf8(
				    0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00), out + o);
				hi = 0;
			} else if (u >= 0xd800 && u <= 0xdbff) {
				hi = u;
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				fuzz_die("a low surrogate alone");
			} else {
				if (u >= 0x20 && u <= 0x7e)
					fuzz_die("printable ASCII inside a base64 run");
				o += put_utf8(u, out + o);
			}
		}
		if (*s != '-')
			fuzz_die("a base64 run not ended by '-'");
		s++;
		if (units == 0 || hi || nbits >= 6 || bits != 0)
			fuzz_die("an empty run, a cut surrogate pair or padding that is not zero");
		if (*s == '&' && s[1] != '-')
			fuzz_die("two base64 runs in a row");
	}
	out[o] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out, *back, *small;
	size_t n, cap, i;
	int r, valid;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	n = strlen(in);
	cap = MUTF7_SIZE(n);
	out = malloc(cap);
	back = malloc(2 * cap); /* a wrong encoding may decode to more than n bytes */
	small = malloc(cap / 2 + 1);
	if (out == NULL || back == NULL || small == NULL)
		goto done;
	valid = utf8_valid(in, n);
	r = mutf7_encode(in, out, cap);
	if ((r == 0) != (valid != 0))
		fuzz_die("encoded exactly the well-formed UTF-8");
	if (r != 0) {
		if (out[0] != '\0')
			fuzz_die("a refusal leaves \"\"");
		goto done;
	}
	if (strlen(out) + 1 > cap)
		fuzz_die("longer than MUTF7_SIZE");
	for (i = 0; out[i]; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			fuzz_die("not printable ASCII");
	decode(out, back);
	if (strcmp(back, in) != 0)
		fuzz_die("does not decode to the input");
	r = mutf7_encode(in, small, cap / 2 + 1);
	if (r == 0 ? strcmp(small, out) != 0 : small[0] != '\0')
		fuzz_die("a small buffer gives the whole name or \"\"");
done:
	free(small);
	free(back);
	free(out);
	free(in);
	return 0;
}
