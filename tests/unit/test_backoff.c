/* test_backoff.c: the sign-in back-off (core/backoff.c): nothing below the limit, then
 * base, doubling per further failure, never above the cap, never overflowing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/signin_throttle.h"

static void
test_nothing_below_the_limit(void **state)
{
	(void)state;
	assert_int_equal(login_backoff(0, 5, 30, 900), 0);
	assert_int_equal(login_backoff(4, 5, 30, 900), 0);
}

static void
test_doubles_from_base_up_to_the_cap(void **state)
{
	static const unsigned want[] = {30, 60, 120, 240, 480, 900, 900, 900};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(login_backoff(5 + i, 5, 30, 900), want[i]);
}

static void
test_never_overflows_and_never_exceeds_the_cap(void **state)
{
	unsigned f;

	(void)state;
	for (f = 0; f < 100000; f += 7) {
		unsigned w = login_backoff(f, 1, 4000000000u, 4294967295u);
		assert_true(w <= 4294967295u);
		assert_true(login_backoff(f, 5, 30, 900) <= 900);
		assert_true(login_backoff(f + 1, 5, 30, 900) >= login_backoff(f, 5, 30, 900));
	}
	assert_int_equal(login_backoff(10, 5, 1000, 900), 900); /* a base above the cap */
	assert_int_equal(login_backoff(10, 0, 30, 900), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_below_the_limit),
	    cmocka_unit_test(test_doubles_from_base_up_to_the_cap),
	    cmocka_unit_test(test_never_overflows_and_never_exceeds_the_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
