/* test_slab.c: the response cache's allocator: block sizes and alignment, blocks that
 * never overlap under a random mix of allocations and releases, regions and released
 * blocks' pages going back to the kernel (and never a live block's), blocks with their
 * own mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/slab.h"

#define MIB ((size_t)1 << 20)

struct block {
	unsigned char *p;
	size_t n;
	unsigned char fill;
};

static void
check_block(const struct block *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->p[i] != b->fill)
			fail_msg("block of %zu bytes overwritten at %zu", b->n, i);
}

/* resident_pages counts the pages of [p, p + len) in memory (p page-aligned). */
static size_t
resident_pages(const void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page, i, in = 0;
	unsigned char *vec = calloc(n, 1);

	assert_non_null(vec);
	assert_int_equal(mincore((void *)p, len, vec), 0);
	for (i = 0; i < n; i++)
		in += vec[i] & 1;
	free(vec);
	return in;
}

static void
test_sizes_and_alignment(void **state)
{
	struct slab *s = slab_new();
	size_t n, taken, prev_taken = 0;
	void *p;

	(void)state;
	assert_non_null(s);
	for (n = 1; n <= 300000; n += n < 2048 ? 1 : 997) {
		p = slab_alloc(s, n, &taken);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(taken >= n);
		if (n > 64 && n <= MIB / 4)
			assert_true(taken * 4 <= n * 5 + 4); /* a class wastes at most a fifth */
		assert_true(taken >= prev_taken || n > MIB / 4); /* classes grow with n */
		prev_taken = n > MIB / 4 ? prev_taken : taken;
		memset(p, 0xab, n);
		slab_release(s, p);
	}
	assert_null(slab_alloc(s, 0, &taken));
	slab_release(s, NULL);
	slab_free(s);
	slab_free(NULL);
}

static void
test_reuse_and_regions_returned(void **state)
{
	struct slab *s = slab_new();
	void **ps = calloc(20000, sizeof(*ps));
	size_t taken, i, base;
	void *p, *q;

	(void)state;
	assert_non_null(s);
	assert_non_null(ps);
	assert_int_equal(slab_mapped(s), 0);
	p = slab_alloc(s, 100, &taken);
	assert_int_equal(taken, 112);
	slab_release(s, p);
	q = slab_alloc(s, 100, &taken);
	assert_ptr_equal(p, q); /* a released block is the next one handed out */
	slab_release(s, q);
	base = slab_mapped(s);
	assert_int_equal(base, MIB); /* the class's last region is kept */
	for (i = 0; i < 20000; i++)  /* 112-byte blocks: three regions */
		assert_non_null(ps[i] = slab_alloc(s, 100, &taken));
	assert_int_equal(slab_mapped(s), 3 * MIB);
	for (i = 0; i < 20000; i++)
		slab_release(s, ps[i]);
	assert_int_equal(slab_mapped(s), MIB);

	p = slab_alloc(s, 300000, &taken); /* over a quarter region: a mapping of its own */
	assert_non_null(p);
	assert_true(taken >= 300000 && taken % 4096 == 0);
	assert_int_equal(slab_mapped(s), MIB + taken);
	memset(p, 0x5a, 300000);
	slab_release(s, p);
	assert_int_equal(slab_mapped(s), MIB);
	free(ps);
	slab_free(s);
}

static void
test_lowest_free_block_first(void **state)
{
	struct slab *s = slab_new();
	void *ps[10];
	size_t taken, i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 10; i++)
		assert_non_null(ps[i] = slab_alloc(s, 500, &taken));
	slab_release(s, ps[3]);
	slab_release(s, ps[7]);
	assert_ptr_equal(slab_alloc(s, 500, &taken), ps[3]); /* not the last one released */
	assert_ptr_equal(slab_alloc(s, 500, &taken), ps[7]);
	slab_free(s);
}

/* Released blocks' pages leave memory; the pages of live blocks, and the bytes in them,
 * stay, also where a live block shares a page with released ones. */
static void
test_released_pages_go_back(void **state)
{
	enum { N = 250, SMALL = 6000 };
	struct slab *s = slab_new();
	unsigned char *big[N], **small = calloc(SMALL, sizeof(*small));
	size_t page = (size_t)sysconf(_SC_PAGESIZE), taken, i, j;
	uintptr_t region;

	(void)state;
	assert_non_null(s);
	assert_non_null(small);
	for (i = 0; i < N; i++) { /* the 4,096-byte class: a page each */
		assert_non_null(big[i] = slab_alloc(s, 4000, &taken));
		memset(big[i], (int)(i & 0xff), 4000);
	}
	assert_int_equal(resident_pages(big[1], (size_t)(big[N - 1] - big[1])), N - 2);
	for (i = 1; i < N - 1; i++)
		slab_release(s, big[i]);
	/* what was released after the last batch went back may still be in memory */
	assert_true(resident_pages(big[1], (size_t)(big[N - 1] - big[1])) <= 16);
	for (j = 0; j < 4000; j++)
		if (big[0][j] != 0 || big[N - 1][j] != ((N - 1) & 0xff))
			fail_msg("a live block lost its bytes at %zu", j);

	for (i = 0; i < SMALL; i++) { /* 64-byte blocks: 64 to a page */
		assert_non_null(small[i] = slab_alloc(s, 64, &taken));
		memset(small[i], 0x77, 64);
	}
	for (i = 0; i < SMALL; i++) /* all but one block of every page */
		if (((uintptr_t)small[i] & (page - 1)) / 64 != 5)
			slab_release(s, small[i]);
	for (i = 0; i < SMALL; i++)
		if (((uintptr_t)small[i] & (page - 1)) / 64 == 5)
			for (j = 0; j < 64; j++)
				if (small[i][j] != 0x77)
					fail_msg("block %zu shares a page given back", i);
	for (i = 0; i < SMALL; i++)
		if (((uintptr_t)small[i] & (page - 1)) / 64 == 5)
			slab_release(s, small[i]);
	/* the class's last region is kept, and its pages went back with its last block; its
	 * header stays (with the bitmaps of 16,000 blocks, two pages) */
	region = (uintptr_t)small[0] & ~(uintptr_t)(MIB - 1);
	if (resident_pages((void *)region, MIB) > 2)
		fail_msg("%zu pages resident", resident_pages((void *)region, MIB));

	for (i = 0; i < N; i += N - 1)
		slab_release(s, big[i]);
	region = (uintptr_t)big[0] & ~(uintptr_t)(MIB - 1);
	assert_true(resident_pages((void *)region, MIB) <= 1);
	assert_int_equal(slab_mapped(s), 2 * MIB);
	free(small);
	slab_free(s);
}

static void
test_random_mix_never_overlaps(void **state)
{
	enum { LIVE = 3000, ROUNDS = 60000 };
	struct block *blocks = calloc(LIVE, sizeof(*blocks));
	struct slab *s = slab_new();
	size_t taken, i, k;
	unsigned seed = 12345;

	(void)state;
	assert_non_null(s);
	assert_non_null(blocks);
	for (k = 0; k < ROUNDS; k++) {
		struct block *b;
		seed = seed * 1103515245u + 12345u;
		b = &blocks[(seed >> 8) % LIVE];
		if (b->p) {
			check_block(b);
			slab_release(s, b->p);
			b->p = NULL;
			continue;
		}
		seed = seed * 1103515245u + 12345u;
		/* mostly cache-entry sizes (a campaign: ~500 B, a list: ~10 KB), a few large */
		b->n = (seed >> 4) % 100 == 0 ? 262144 + (seed >> 12) % 200000
		       : (seed >> 4) % 3 == 0 ? 8000 + (seed >> 12) % 4000
		                              : 1 + (seed >> 12) % 1200;
		b->fill = (unsigned char)(k & 0xff);
		b->p = slab_alloc(s, b->n, &taken);
		assert_non_null(b->p);
		memset(b->p, b->fill, b->n);
	}
	for (i = 0; i < LIVE; i++)
		if (blocks[i].p) {
			check_block(&blocks[i]);
			slab_release(s, blocks[i].p);
		}
	/* everything released: at most one kept region per class (49 classes) */
	assert_true(slab_mapped(s) <= 49 * MIB);
	free(blocks);
	slab_free(s);
}

#ifdef __SANITIZE_ADDRESS__
/* asan_stops runs how in a child process and returns whether ASan stopped it. */
static int
asan_stops(void (*how)(void))
{
	pid_t pid = fork();
	int status = 0, null;

	assert_true(pid >= 0);
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) >= 0)
			dup2(null, 2); /* the report is expected */
		how();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
read_past_a_block(void)
{
	size_t taken;
	struct slab *s = slab_new();
	volatile char *p = slab_alloc(s, 100, &taken);

	(void)p[100]; /* inside the 112-byte block, past the 100 asked for */
}

static void
read_a_released_block(void)
{
	size_t taken;
	struct slab *s = slab_new();
	volatile char *p = slab_alloc(s, 100, &taken);

	slab_release(s, (void *)p);
	(void)p[50];
}

static void
read_within_a_block(void)
{
	size_t taken;
	struct slab *s = slab_new();
	volatile char *p = slab_alloc(s, 100, &taken);

	p[99] = 1;
	slab_free(s);
}

static void
test_asan_sees_misuse(void **state)
{
	(void)state;
	assert_false(asan_stops(read_within_a_block));
	assert_true(asan_stops(read_past_a_block));
	assert_true(asan_stops(read_a_released_block));
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes_and_alignment),
	    cmocka_unit_test(test_reuse_and_regions_returned),
	    cmocka_unit_test(test_lowest_free_block_first),
	    cmocka_unit_test(test_released_pages_go_back),
	    cmocka_unit_test(test_random_mix_never_overlaps),
#ifdef __SANITIZE_ADDRESS__
	    cmocka_unit_test(test_asan_sees_misuse),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
