/* test_ids.c: public ids, API keys and their hash, pagination cursors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "util/cursor.h"
#include "util/ids.h"
#include "util/timefmt.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int setup_sodium(void **);
static int url_safe(const char *s, size_t len);
static int shape(const char *prefix, const char *s);
static lc_err decode(const char *s, int64_t *ms, int64_t *id);
static void raw_cursor(unsigned char version, uint64_t ms, uint64_t id, char out[CURSOR_MAX]);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int
url_safe(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(b64url, s[i]) == NULL)
			return 0;
	return 1;
}

/* shape runs id_has_shape on a copy of s without a terminating NUL. */
static int
shape(const char *prefix, const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, s, len);
	r = id_has_shape(prefix, copy, len);
	free(copy);
	return r;
}

/* decode runs cursor_decode on a copy of s without a terminating NUL. */
static lc_err
decode(const char *s, int64_t *ms, int64_t *id)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	lc_err e;

	assert_non_null(copy);
	memcpy(copy, s, len);
	e = cursor_decode(copy, len, ms, id);
	free(copy);
	return e;
}

/* raw_cursor builds a cursor by hand: version byte, big-endian ms, big-endian id. */
static void
raw_cursor(unsigned char version, uint64_t ms, uint64_t id, char out[CURSOR_MAX])
{
	unsigned char raw[17];
	int i;

	raw[0] = version;
	for (i = 0; i < 8; i++) {
		raw[1 + i] = (unsigned char)(ms >> (56 - 8 * i));
		raw[9 + i] = (unsigned char)(id >> (56 - 8 * i));
	}
	sodium_bin2base64(
	    out, CURSOR_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- id_new ---- */

static void
test_id_new_is_prefix_and_22_url_safe_chars(void **state)
{
	static const char *const prefixes[] = {"scmp_", "rel_", "evt_", "out_", "ws_", ""};
	char id[ID_MAX];
	size_t i, plen;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		plen = strlen(prefixes[i]);
		memset(id, 'Z', sizeof(id));
		id_new(prefixes[i], id);
		assert_int_equal(strlen(id), plen + ID_RANDOM_CHARS);
		assert_memory_equal(id, prefixes[i], plen);
		assert_true(url_safe(id + plen, ID_RANDOM_CHARS));
		if (plen > 0)
			assert_true(id_has_shape(prefixes[i], id, strlen(id)));
	}
}

static void
test_id_new_differs_each_time(void **state)
{
	char ids[64][ID_MAX];
	size_t i, j;

	(void)state;
	for (i = 0; i < 64; i++)
		id_new("rel_", ids[i]);
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			assert_string_not_equal(ids[i], ids[j]);
}

/* ---- id_has_shape ---- */

static void
test_id_has_shape_accepts_16_to_40_chars(void **state)
{
	(void)state;
	assert_true(shape("scmp_", "scmp_AAAAAAAAAAAAAAAA"));
	assert_true(shape("scmp_", "scmp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"));
	assert_true(shape("scmp_", "scmp_az-_09AZaz-_09AZaz"));
	assert_true(shape("rel_", "rel_0123456789-_0123"));
}

static void
test_id_has_shape_rejects_wrong_prefix(void **state)
{
	(void)state;
	assert_false(shape("scmp_", "ccmp_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(shape("scmp_", "Scmp_AAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(shape("scmp_", "scmpAAAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(shape("scmp_", "AAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

static void
test_id_has_shape_rejects_too_short(void **state)
{
	(void)state;
	assert_false(shape("scmp_", "scmp_AAAAAAAAAAAAAAA")); /* 15 */
	assert_false(shape("scmp_", "scmp_"));
	assert_false(shape("scmp_", "scm"));
	assert_false(shape("scmp_", ""));
}

static void
test_id_has_shape_rejects_too_long(void **state)
{
	(void)state;
	assert_false(shape("scmp_", "scmp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO")); /* 41 */
}

static void
test_id_has_shape_rejects_bad_char(void **state)
{
	static const char bad[] = "+/=.~ %\x7f\xc3";
	char id[] = "scmp_AAAAAAAAAAAAAAAAAAAAAA";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) - 1; i++) {
		id[10] = bad[i];
		assert_false(shape("scmp_", id));
		id[10] = 'A';
	}
	assert_false(id_has_shape("scmp_", "scmp_AAAAA\0AAAAAAAAAAAAAAAA", 27));
	assert_true(shape("scmp_", id));
}

/* ---- keys ---- */

static void
test_key_new_shape(void **state)
{
	char a[KEY_MAX], b[KEY_MAX];

	(void)state;
	key_new(a);
	key_new(b);
	assert_int_equal(strlen(a), 4 + 43);
	assert_memory_equal(a, "lck_", 4);
	assert_true(url_safe(a + 4, 43));
	assert_string_not_equal(a, b);
}

static void
test_key_hash_matches_sha256_vector(void **state)
{
	/* FIPS 180-2 test vector: SHA-256("abc") */
	static const unsigned char want[KEY_HASH_LEN] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf,
	    0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96,
	    0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	unsigned char h[KEY_HASH_LEN];

	(void)state;
	key_hash("abcdef", 3, h); /* only len bytes are hashed */
	assert_memory_equal(h, want, KEY_HASH_LEN);
}

static void
test_key_hash_is_deterministic_sha256(void **state)
{
	char key[KEY_MAX];
	unsigned char h1[KEY_HASH_LEN], h2[KEY_HASH_LEN], ref[crypto_hash_sha256_BYTES];
	unsigned char canary[KEY_HASH_LEN + 8];

	(void)state;
	key_new(key);
	key_hash(key, strlen(key), h1);
	key_hash(key, strlen(key), h2);
	assert_memory_equal(h1, h2, KEY_HASH_LEN);
	crypto_hash_sha256(ref, (const unsigned char *)key, strlen(key));
	assert_memory_equal(h1, ref, KEY_HASH_LEN);
	memset(canary, 0xA5, sizeof(canary));
	key_hash(key, strlen(key), canary);
	assert_memory_equal(canary, ref, KEY_HASH_LEN);
	assert_int_equal(canary[KEY_HASH_LEN], 0xA5);
	key[5] ^= 1;
	key_hash(key, strlen(key), h2);
	assert_memory_not_equal(h1, h2, KEY_HASH_LEN);
}

/* ---- cursors ---- */

static void
test_cursor_round_trip(void **state)
{
	static const int64_t cases[][2] = {{0, 1}, {INT64_C(1778248991123), 42},
	    {TIME_MAX_MS, INT64_MAX}, {1, INT64_C(4294967296)}};
	char c[CURSOR_MAX];
	int64_t ms, id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cursor_encode(cases[i][0], cases[i][1], c);
		assert_int_equal(strlen(c), 23);
		assert_true(url_safe(c, 23));
		ms = id = -1;
		assert_int_equal(decode(c, &ms, &id), LC_OK);
		assert_int_equal(ms, cases[i][0]);
		assert_int_equal(id, cases[i][1]);
	}
}

static void
test_cursor_decode_rejects_wrong_length(void **state)
{
	char c[CURSOR_MAX + 4];
	int64_t ms = -7, id = -7;

	(void)state;
	cursor_encode(INT64_C(1778248991123), 42, c);
	assert_int_equal(cursor_decode(c, 22, &ms, &id), LC_EINVAL);
	assert_int_equal(cursor_decode(c, 0, &ms, &id), LC_EINVAL);
	strcat(c, "A");
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	strcat(c, "AAA");
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	assert_int_equal(decode("", &ms, &id), LC_EINVAL);
	assert_int_equal(ms, -7);
	assert_int_equal(id, -7);
}

static void
test_cursor_decode_rejects_bad_base64(void **state)
{
	static const char bad[] = "+/=.~ %\x80";
	char c[CURSOR_MAX];
	int64_t ms, id;
	size_t i, pos;

	(void)state;
	for (pos = 0; pos < 23; pos += 11)
		for (i = 0; i < sizeof(bad) - 1; i++) {
			cursor_encode(INT64_C(1778248991123), 42, c);
			c[pos] = bad[i];
			assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
		}
}

/* libsodium 1.0.18 decodes every byte >= 0x80 as '_' in the URL-safe alphabet. */
static void
test_cursor_decode_rejects_non_ascii(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;
	unsigned b;

	(void)state;
	for (b = 0x80; b <= 0xff; b++) {
		cursor_encode(INT64_C(1778248991123), 42, c);
		c[11] = (char)b;
		assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	}
	cursor_encode(INT64_C(1778248991123), 42, c);
	memcpy(c + 11, "\xc3\xa9", 2); /* valid UTF-8 survives query_parse */
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
}

static void
test_cursor_decode_rejects_wrong_version(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;

	(void)state;
	raw_cursor(1, 1000, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_OK); /* the hand-built form is right */
	raw_cursor(0, 1000, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	raw_cursor(2, 1000, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	raw_cursor(0xff, 1000, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
}

static void
test_cursor_decode_rejects_id_zero(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;

	(void)state;
	cursor_encode(1000, 0, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
}

static void
test_cursor_decode_rejects_negative_values(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;

	(void)state;
	cursor_encode(1000, -1, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	cursor_encode(-1, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	cursor_encode(TIME_MAX_MS + 1, 5, c);
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
}

static void
test_cursor_decode_rejects_tampered_padding_bits(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;
	const char *p;

	(void)state;
	/* 17 bytes fill 22 characters and 4 bits of the 23rd; its 2 low bits must be 0 */
	cursor_encode(INT64_C(1778248991123), 42, c);
	p = strchr(b64url, c[22]);
	assert_non_null(p);
	assert_int_equal((p - b64url) & 3, 0);
	c[22] = b64url[(p - b64url) | 1];
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	c[22] = b64url[(p - b64url) | 2];
	assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
}

static void
test_cursor_decode_rejects_tampered_version_char(void **state)
{
	char c[CURSOR_MAX];
	int64_t ms, id;
	size_t k;

	(void)state;
	for (k = 1; k < 64; k++) {
		cursor_encode(INT64_C(1778248991123), 42, c);
		c[0] = b64url[k]; /* changes the top 6 bits of the version byte */
		assert_int_equal(decode(c, &ms, &id), LC_EINVAL);
	}
}

/* Every single-character change either fails or is a cursor that cursor_encode itself
 * produces for the decoded values: decode accepts nothing non-canonical. */
static void
test_cursor_decode_accepts_only_canonical_forms(void **state)
{
	char orig[CURSOR_MAX], c[CURSOR_MAX], again[CURSOR_MAX];
	int64_t ms, id;
	size_t pos, k;

	(void)state;
	cursor_encode(INT64_C(1778248991123), 42, orig);
	for (pos = 0; pos < 23; pos++)
		for (k = 0; k < 64; k++) {
			memcpy(c, orig, sizeof(c));
			c[pos] = b64url[k];
			if (decode(c, &ms, &id) != LC_OK)
				continue;
			assert_true(ms >= 0 && ms <= TIME_MAX_MS);
			assert_true(id > 0);
			cursor_encode(ms, id, again);
			assert_string_equal(again, c);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_new_is_prefix_and_22_url_safe_chars),
	    cmocka_unit_test(test_id_new_differs_each_time),
	    cmocka_unit_test(test_id_has_shape_accepts_16_to_40_chars),
	    cmocka_unit_test(test_id_has_shape_rejects_wrong_prefix),
	    cmocka_unit_test(test_id_has_shape_rejects_too_short),
	    cmocka_unit_test(test_id_has_shape_rejects_too_long),
	    cmocka_unit_test(test_id_has_shape_rejects_bad_char),
	    cmocka_unit_test(test_key_new_shape),
	    cmocka_unit_test(test_key_hash_matches_sha256_vector),
	    cmocka_unit_test(test_key_hash_is_deterministic_sha256),
	    cmocka_unit_test(test_cursor_round_trip),
	    cmocka_unit_test(test_cursor_decode_rejects_wrong_length),
	    cmocka_unit_test(test_cursor_decode_rejects_bad_base64),
	    cmocka_unit_test(test_cursor_decode_rejects_non_ascii),
	    cmocka_unit_test(test_cursor_decode_rejects_wrong_version),
	    cmocka_unit_test(test_cursor_decode_rejects_id_zero),
	    cmocka_unit_test(test_cursor_decode_rejects_negative_values),
	    cmocka_unit_test(test_cursor_decode_rejects_tampered_padding_bits),
	    cmocka_unit_test(test_cursor_decode_rejects_tampered_version_char),
	    cmocka_unit_test(test_cursor_decode_accepts_only_canonical_forms),
	};

	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
