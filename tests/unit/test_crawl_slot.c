/* test_crawl_slot.c: the per-host visit slot rule (core/crawl.c, crawl_slot_wait): a slot
 * in the past or now is free, one up to an interval ahead is waited for, and one further
 * ahead (set by a clock that went back) is free. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/crawl.h"

#define NOW INT64_C(1796000000000) /* epoch ms, late 2026 */

static void
test_a_past_or_current_slot_is_free(void **state)
{
	(void)state;
	assert_int_equal(crawl_slot_wait(0, NOW, 5000), 0); /* never visited */
	assert_int_equal(crawl_slot_wait(NOW - 1, NOW, 5000), 0);
	assert_int_equal(crawl_slot_wait(NOW, NOW, 5000), 0);
}

static void
test_a_slot_within_the_interval_is_waited_for(void **state)
{
	(void)state;
	assert_int_equal(crawl_slot_wait(NOW + 1, NOW, 5000), 1);
	assert_int_equal(crawl_slot_wait(NOW + 2500, NOW, 5000), 2500);
	assert_int_equal(crawl_slot_wait(NOW + 5000, NOW, 5000), 5000);
}

static void
test_a_slot_beyond_the_interval_is_free(void **state)
{
	(void)state;
	/* the clock went back after the slot was set: waiting would leave the host unvisited
	 * for as long as it went back */
	assert_int_equal(crawl_slot_wait(NOW + 5001, NOW, 5000), 0);
	assert_int_equal(crawl_slot_wait(NOW + INT64_C(86400000), NOW, 5000), 0);
	assert_int_equal(crawl_slot_wait(NOW + 1, NOW, 0), 0); /* no interval: never wait */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_past_or_current_slot_is_free),
	    cmocka_unit_test(test_a_slot_within_the_interval_is_waited_for),
	    cmocka_unit_test(test_a_slot_beyond_the_interval_is_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
