/* test_rcache.c: the response cache: versions, freshness, replacement, the byte budget
 * with least-recently-used eviction, and threads sharing it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>
#include <sodium.h>

#include "util/rcache.h"

#define NOW INT64_C(1700000000000)
#define FOREVER INT64_MAX

static int setup_sodium(void **);
static int get(struct rcache *, const char *, uint64_t, int64_t, char *, size_t);
static void put(struct rcache *, const char *, uint64_t, int64_t, const char *);
static void *hammer(void *);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* get copies a hit's value into out as a string; returns the hit flag. */
static int
get(struct rcache *c, const char *key, uint64_t version, int64_t now, char *out, size_t outlen)
{
	struct buf b;
	int hit;

	buf_init(&b, 1 << 20);
	hit = rcache_get(c, key, strlen(key), version, now, &b);
	snprintf(out, outlen, "%s", hit && b.data ? b.data : "");
	if (!hit)
		assert_int_equal(b.len, 0);
	buf_free(&b);
	return hit;
}

static void
put(struct rcache *c, const char *key, uint64_t version, int64_t expires, const char *value)
{
	rcache_put(c, key, strlen(key), version, expires, value, strlen(value));
}

static void
test_hit_needs_same_version(void **state)
{
	struct rcache *c = rcache_new(1 << 20);
	char v[64];

	(void)state;
	assert_non_null(c);
	assert_int_equal(get(c, "a", 1, NOW, v, sizeof(v)), 0);
	put(c, "a", 1, FOREVER, "one");
	assert_int_equal(get(c, "a", 1, NOW, v, sizeof(v)), 1);
	assert_string_equal(v, "one");
	/* the data moved on: the old answer is never given again, even for the old version */
	assert_int_equal(get(c, "a", 2, NOW, v, sizeof(v)), 0);
	assert_int_equal(get(c, "a", 1, NOW, v, sizeof(v)), 0);
	put(c, "a", 2, FOREVER, "two");
	assert_int_equal(get(c, "a", 2, NOW, v, sizeof(v)), 1);
	assert_string_equal(v, "two");
	rcache_free(c);
}

static void
test_keys_are_exact_bytes(void **state)
{
	struct rcache *c = rcache_new(1 << 20);
	unsigned char k1[] = {1, 0, 'x'}, k2[] = {1, 0, 'y'};
	struct buf b;

	(void)state;
	rcache_put(c, k1, sizeof(k1), 7, FOREVER, "v1", 2);
	buf_init(&b, 64);
	assert_int_equal(rcache_get(c, k2, sizeof(k2), 7, NOW, &b), 0);
	assert_int_equal(rcache_get(c, k1, 2, 7, NOW, &b), 0); /* a prefix is another key */
	assert_int_equal(rcache_get(c, k1, sizeof(k1), 7, NOW, &b), 1);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.data, "v1", 2);
	buf_free(&b);
	rcache_free(c);
}

static void
test_expiry(void **state)
{
	struct rcache *c = rcache_new(1 << 20);
	char v[64];

	(void)state;
	put(c, "m", 3, NOW + 1000, "fresh");
	assert_int_equal(get(c, "m", 3, NOW + 999, v, sizeof(v)), 1);
	assert_int_equal(get(c, "m", 3, NOW + 1000, v, sizeof(v)), 0);
	assert_int_equal(get(c, "m", 3, NOW, v, sizeof(v)), 0); /* dropped when found stale */
	rcache_free(c);
}

static void
test_empty_value(void **state)
{
	struct rcache *c = rcache_new(1 << 20);
	struct buf b;

	(void)state;
	rcache_put(c, "e", 1, 1, FOREVER, "", 0);
	buf_init(&b, 16);
	assert_int_equal(rcache_get(c, "e", 1, 1, NOW, &b), 1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	rcache_free(c);
}

static void
test_value_too_big_for_out(void **state)
{
	struct rcache *c = rcache_new(1 << 20);
	struct buf b;

	(void)state;
	rcache_put(c, "k", 1, 1, FOREVER, "0123456789", 10);
	buf_init(&b, 4);
	assert_int_equal(rcache_get(c, "k", 1, 1, NOW, &b), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	rcache_free(c);
}

static void
test_budget_and_lru(void **state)
{
	/* 16 shards of 64 KiB; values of 1 KiB: a shard holds under 64 of them */
	struct rcache *c = rcache_new(16 * 65536);
	struct rcache_stats st;
	char key[32], value[1024], v[1100];
	int i, kept = 0;

	(void)state;
	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		put(c, key, 1, FOREVER, value);
		/* k0 is read after every store, so it stays the most recently used */
		assert_int_equal(get(c, "k0", 1, NOW, v, sizeof(v)), 1);
	}
	rcache_get_stats(c, &st);
	assert_true(st.bytes <= 16 * 65536);
	assert_true(st.evictions > 0);
	assert_int_equal(st.stores, 5000);
	assert_int_equal(st.entries + st.evictions, 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		kept += get(c, key, 1, NOW, v, sizeof(v));
	}
	assert_int_equal((size_t)kept, st.entries);
	assert_true(kept < 1100 && kept > 500);
	snprintf(key, sizeof(key), "k%d", 4999); /* the newest survives */
	assert_int_equal(get(c, key, 1, NOW, v, sizeof(v)), 1);
	rcache_free(c);
}

static void
test_oversized_value_not_kept(void **state)
{
	struct rcache *c = rcache_new(16 * 65536);
	char *big = malloc(20000), v[16];

	(void)state;
	assert_non_null(big);
	memset(big, 'y', 19999);
	big[19999] = '\0';
	put(c, "big", 1, FOREVER, big); /* over an eighth of a 64 KiB shard */
	assert_int_equal(get(c, "big", 1, NOW, v, sizeof(v)), 0);
	free(big);
	rcache_free(c);
}

static void
test_zero_budget(void **state)
{
	(void)state;
	assert_null(rcache_new(0));
	rcache_free(NULL);
}

struct hammer_arg {
	struct rcache *c;
	int id, bad;
};

static void *
hammer(void *p)
{
	struct hammer_arg *a = p;
	char key[32], value[64], v[64];
	int i;

	for (i = 0; i < 20000; i++) {
		int k = (i * 7 + a->id) % 500;
		snprintf(key, sizeof(key), "key%d", k);
		snprintf(value, sizeof(value), "value-of-%d", k);
		if (i % 3 == 0)
			put(a->c, key, (uint64_t)k, FOREVER, value);
		else if (get(a->c, key, (uint64_t)k, NOW, v, sizeof(v)) && strcmp(v, value) != 0)
			a->bad++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct rcache *c = rcache_new(64 * 1024);
	struct hammer_arg args[4];
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		args[i].c = c;
		args[i].id = i;
		args[i].bad = 0;
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].bad, 0);
	}
	rcache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_needs_same_version),
	    cmocka_unit_test(test_keys_are_exact_bytes),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_empty_value),
	    cmocka_unit_test(test_value_too_big_for_out),
	    cmocka_unit_test(test_budget_and_lru),
	    cmocka_unit_test(test_oversized_value_not_kept),
	    cmocka_unit_test(test_zero_budget),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
