/* test_funnel.c: the funnel's counting rule (core/funnel.c). For every set of facts a
 * relationship can have, and over random sequences of events across many relationships
 * with the counters moved only by funnel_delta, replied <= delivered <= sent <= drafted and
 * opened <= delivered hold, the counters equal the sum of what each relationship adds, and
 * none goes below zero. The seed is printed when a check fails. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/funnel.h"

#define RELS 12
#define STEPS 400
#define SEEDS 200

static uint64_t rng_next(uint64_t *);
static void check_invariants(const int c[FS_NSTAGES], uint64_t seed, int step);

/* rng_next is splitmix64: a fixed, portable sequence per seed. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void
check_invariants(const int c[FS_NSTAGES], uint64_t seed, int step)
{
	if (!(c[FS_REPLIED] <= c[FS_DELIVERED] && c[FS_DELIVERED] <= c[FS_SENT] &&
	        c[FS_SENT] <= c[FS_DRAFTED] && c[FS_OPENED] <= c[FS_DELIVERED] &&
	        c[FS_REPLIED] >= 0 && c[FS_OPENED] >= 0)) {
		print_error(
		    "seed %llu step %d: drafted %d sent %d delivered %d opened %d replied %d\n",
		    (unsigned long long)seed, step, c[FS_DRAFTED], c[FS_SENT], c[FS_DELIVERED],
		    c[FS_OPENED], c[FS_REPLIED]);
		fail();
	}
}

static void
test_every_set_of_facts_is_a_funnel(void **state)
{
	unsigned f;
	int c[FS_NSTAGES];

	(void)state;
	for (f = 0; f < 32; f++) {
		funnel_counts(f, c);
		check_invariants(c, f, 0);
	}
}

static void
test_random_sequences_keep_counters_honest(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= SEEDS; seed++) {
		unsigned facts[RELS] = {0};
		int counters[FS_NSTAGES] = {0}, sum[FS_NSTAGES], one[FS_NSTAGES], d[FS_NSTAGES];
		uint64_t s = seed;
		int step, i, k;

		for (step = 0; step < STEPS; step++) {
			int rel = (int)(rng_next(&s) % RELS);
			enum funnel_event ev = (enum funnel_event)(rng_next(&s) % FE_NEVENTS);
			unsigned next = funnel_next(facts[rel], ev);

			funnel_delta(facts[rel], next, d);
			for (k = 0; k < FS_NSTAGES; k++) {
				counters[k] += d[k];
				if (counters[k] < 0) {
					print_error("seed %llu step %d: stage %d below zero\n",
					    (unsigned long long)seed, step, k);
					fail();
				}
			}
			facts[rel] = next;
			memset(sum, 0, sizeof(sum));
			for (i = 0; i < RELS; i++) {
				funnel_counts(facts[i], one);
				for (k = 0; k < FS_NSTAGES; k++)
					sum[k] += one[k];
			}
			if (memcmp(sum, counters, sizeof(sum)) != 0) {
				print_error("seed %llu step %d: counters drifted from the facts\n",
				    (unsigned long long)seed, step);
				fail();
			}
			check_invariants(counters, seed, step);
		}
	}
}

static void
test_a_reply_before_any_send_never_counts(void **state)
{
	unsigned f = funnel_next(FUNNEL_DRAFTED, FE_REPLIED);
	int c[FS_NSTAGES];

	(void)state;
	assert_int_equal(f, FUNNEL_DRAFTED);
	assert_false(funnel_accepts(FUNNEL_DRAFTED, FE_REPLIED));
	assert_false(funnel_accepts(0, FE_OPENED));
	assert_false(funnel_accepts(0, FE_BOUNCED));
	f = funnel_next(f, FE_SENT); /* sent later: the earlier reply still is not a reply */
	funnel_counts(f, c);
	assert_int_equal(c[FS_SENT], 1);
	assert_int_equal(c[FS_REPLIED], 0);
	assert_true(funnel_accepts(f, FE_REPLIED));
	funnel_counts(funnel_next(f, FE_REPLIED), c);
	assert_int_equal(c[FS_REPLIED], 1);
}

static void
test_bounce_leaves_delivered_unless_they_showed_it_arrived(void **state)
{
	unsigned f = funnel_next(funnel_next(0, FE_SENT), FE_BOUNCED);
	int c[FS_NSTAGES];

	(void)state;
	funnel_counts(f, c);
	assert_int_equal(c[FS_DRAFTED], 1); /* a one-off email counts as drafted */
	assert_int_equal(c[FS_SENT], 1);
	assert_int_equal(c[FS_DELIVERED], 0);
	funnel_counts(funnel_next(f, FE_OPENED), c);
	assert_int_equal(c[FS_DELIVERED], 1);
	assert_int_equal(c[FS_OPENED], 1);
	funnel_counts(funnel_next(f, FE_REPLIED), c);
	assert_int_equal(c[FS_DELIVERED], 1);
	assert_int_equal(c[FS_REPLIED], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_set_of_facts_is_a_funnel),
	    cmocka_unit_test(test_random_sequences_keep_counters_honest),
	    cmocka_unit_test(test_a_reply_before_any_send_never_counts),
	    cmocka_unit_test(test_bounce_leaves_delivered_unless_they_showed_it_arrived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
