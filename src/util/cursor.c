#include <sodium.h>

#include "util/cursor.h"
#include "util/timefmt.h"

#define CURSOR_VERSION 1
#define CURSOR_RAW 17

static void put64(unsigned char *, uint64_t);
static uint64_t get64(const unsigned char *);

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void
cursor_encode(int64_t ms, int64_t id, char out[CURSOR_MAX])
{
	unsigned char raw[CURSOR_RAW];

	raw[0] = CURSOR_VERSION;
	put64(raw + 1, (uint64_t)ms);
	put64(raw + 9, (uint64_t)id);
	sodium_bin2base64(
	    out, CURSOR_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

lc_err
cursor_decode(const char *s, size_t len, int64_t *ms, int64_t *id)
{
	unsigned char raw[CURSOR_RAW + 1];
	size_t got = 0;
	const char *end = NULL;
	uint64_t m, i;
	size_t k;

	if (len != 23)
		return LC_EINVAL;
	/* libsodium 1.0.18 decodes any byte >= 0x80 as '_': check the alphabet first */
	for (k = 0; k < len; k++)
		if (!((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
		        (s[k] >= '0' && s[k] <= '9') || s[k] == '-' || s[k] == '_'))
			return LC_EINVAL;
	if (sodium_base642bin(raw, sizeof(raw), s, len, NULL, &got, &end,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    got != CURSOR_RAW || end != s + len || raw[0] != CURSOR_VERSION)
		return LC_EINVAL;
	m = get64(raw + 1);
	i = get64(raw + 9);
	if (m > (uint64_t)TIME_MAX_MS || i == 0 || i > (uint64_t)INT64_MAX)
		return LC_EINVAL;
	*ms = (int64_t)m;
	*id = (int64_t)i;
	return LC_OK;
}
