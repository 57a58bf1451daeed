/* test_prom.c: the metrics' building blocks — label escaping, histograms whose _count is
 * their +Inf bucket, the request table's bounded labels (many threads at once), and the
 * scrape access rule (token, allow list, IPv4-mapped addresses). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "http/reqstats.h"
#include "util/prom.h"
#include "util/scrape_auth.h"

#define THREADS 8
#define PER_THREAD 5000

static int setup_sodium(void **);
static void *hammer(void *);

static int
setup_sodium(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_label_escapes_and_refuses_overflow(void **state)
{
	char lbl[64] = "";

	(void)state;
	assert_int_equal(prom_label(lbl, sizeof(lbl), "a", "x\"y\\z\nw"), 0);
	assert_string_equal(lbl, "a=\"x\\\"y\\\\z\\nw\"");
	assert_int_equal(prom_label(lbl, sizeof(lbl), "b", "1"), 0);
	assert_string_equal(lbl, "a=\"x\\\"y\\\\z\\nw\",b=\"1\"");
	/* too long: the list is left as it was, never cut inside a value */
	assert_int_equal(
	    prom_label(lbl, sizeof(lbl), "c", "0123456789012345678901234567890123456789"), -1);
	assert_string_equal(lbl, "a=\"x\\\"y\\\\z\\nw\",b=\"1\"");
}

static void
test_histogram_is_cumulative_and_counts(void **state)
{
	static struct prom_hist h;
	struct buf b;

	(void)state;
	prom_hist_observe(&h, 500);      /* 0.5 ms: the first bucket */
	prom_hist_observe(&h, 30000);    /* 30 ms: le 0.05 */
	prom_hist_observe(&h, 60000000); /* a minute: only +Inf */
	buf_init(&b, 65536);
	assert_int_equal(prom_hist_write(&b, "x", "r=\"1\"", &h), LC_OK);
	assert_non_null(strstr(b.data, "x_bucket{r=\"1\",le=\"0.001\"} 1\n"));
	assert_non_null(strstr(b.data, "x_bucket{r=\"1\",le=\"0.025\"} 1\n"));
	assert_non_null(strstr(b.data, "x_bucket{r=\"1\",le=\"0.05\"} 2\n"));
	assert_non_null(strstr(b.data, "x_bucket{r=\"1\",le=\"10\"} 2\n"));
	assert_non_null(strstr(b.data, "x_bucket{r=\"1\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(b.data, "x_sum{r=\"1\"} 60.030500\n"));
	assert_non_null(strstr(b.data, "x_count{r=\"1\"} 3\n"));
	buf_free(&b);
}

static const char route_a[] = "/a/{id}", route_b[] = "/b";

static void *
hammer(void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < PER_THREAD; i++)
		reqstats_observe((i + n) % 2 ? route_a : route_b, reqstats_method("GET"),
		    i % 3 ? 200 : 404, (uint64_t)i);
	return NULL;
}

static void
test_requests_counted_from_many_threads(void **state)
{
	pthread_t t[THREADS];
	int ids[THREADS], i;
	struct buf b;
	char want[128];

	(void)state;
	for (i = 0; i < THREADS; i++) {
		ids[i] = i;
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &ids[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	reqstats_observe(NULL, reqstats_method("BREW"), 405, 10);
	reqstats_observe(route_b, reqstats_method(NULL), 1000, 10);
	buf_init(&b, 1024 * 1024);
	assert_int_equal(reqstats_write(&b), LC_OK);
	/* each thread: 2500 of each route; a third of the i's are 404 */
	snprintf(want, sizeof(want),
	    "linkcamp_http_request_duration_seconds_count{route=\"/a/{id}\","
	    "method=\"GET\"} %d\n",
	    THREADS * PER_THREAD / 2);
	assert_non_null(strstr(b.data, want));
	assert_non_null(strstr(b.data, "linkcamp_http_requests_total{route=\"unmatched\","
	                               "method=\"other\",code=\"405\"} 1\n"));
	assert_non_null(strstr(b.data, "linkcamp_http_requests_total{route=\"/b\",method=\"other\","
	                               "code=\"599\"} 1\n"));
	assert_null(strstr(b.data, "BREW"));
	buf_free(&b);
}

static void
test_scrape_auth_rules(void **state)
{
	struct scrape_auth a;
	char why[128];

	(void)state;
	assert_int_equal(scrape_auth_init(&a, "", "", why, sizeof(why)), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "127.0.0.1"), LC_ENOTFOUND);
	assert_int_equal(scrape_auth_init(&a, "short", "", why, sizeof(why)), LC_EINVAL);
	assert_non_null(strstr(why, "metrics.token"));
	assert_int_equal(scrape_auth_init(&a, "0123456789abcdef", "", why, sizeof(why)), LC_OK);
	assert_int_equal(scrape_auth_check(&a, "Bearer 0123456789abcdef", NULL), LC_OK);
	assert_int_equal(scrape_auth_check(&a, "bearer 0123456789abcdef", NULL), LC_OK);
	assert_int_equal(scrape_auth_check(&a, "Bearer 0123456789abcde", NULL), LC_EAUTH);
	assert_int_equal(scrape_auth_check(&a, "Bearer 0123456789abcdefg", NULL), LC_EAUTH);
	assert_int_equal(scrape_auth_check(&a, "Basic 0123456789abcdef", NULL), LC_EAUTH);
	assert_int_equal(scrape_auth_check(&a, NULL, NULL), LC_EAUTH);

	assert_int_equal(
	    scrape_auth_init(&a, "", "10.1.0.0/16, 192.0.2.7 2001:db8::/32", why, sizeof(why)),
	    LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "10.1.255.3"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "10.2.0.1"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_check(&a, NULL, "192.0.2.7"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "192.0.2.8"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_check(&a, NULL, "::ffff:10.1.2.3"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "2001:db8:1::5"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "2001:db9::5"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_check(&a, NULL, "garbage"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_check(&a, NULL, NULL), LC_EFORBIDDEN);
	/* odd prefixes: /0 holds everything of its family, /23 splits a byte */
	assert_int_equal(scrape_auth_init(&a, "", "0.0.0.0/0", why, sizeof(why)), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "203.0.113.9"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "::1"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_init(&a, "", "198.51.100.0/23", why, sizeof(why)), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "198.51.101.200"), LC_OK);
	assert_int_equal(scrape_auth_check(&a, NULL, "198.51.102.1"), LC_EFORBIDDEN);
	/* both: both must pass */
	assert_int_equal(
	    scrape_auth_init(&a, "0123456789abcdef", "127.0.0.1", why, sizeof(why)), LC_OK);
	assert_int_equal(
	    scrape_auth_check(&a, "Bearer 0123456789abcdef", "127.0.0.2"), LC_EFORBIDDEN);
	assert_int_equal(scrape_auth_check(&a, NULL, "127.0.0.1"), LC_EAUTH);
	assert_int_equal(scrape_auth_check(&a, "Bearer 0123456789abcdef", "127.0.0.1"), LC_OK);
	/* what does not parse is refused at start-up, naming the entry */
	assert_int_equal(scrape_auth_init(&a, "", "10.0.0.0/33", why, sizeof(why)), LC_EINVAL);
	assert_int_equal(scrape_auth_init(&a, "", "10.0.0.0/", why, sizeof(why)), LC_EINVAL);
	assert_int_equal(scrape_auth_init(&a, "", "10.0.0.0/-1", why, sizeof(why)), LC_EINVAL);
	assert_int_equal(scrape_auth_init(&a, "", "::1/129", why, sizeof(why)), LC_EINVAL);
	assert_int_equal(scrape_auth_init(&a, "", "example.com", why, sizeof(why)), LC_EINVAL);
	assert_non_null(strstr(why, "example.com"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_label_escapes_and_refuses_overflow),
	    cmocka_unit_test(test_histogram_is_cumulative_and_counts),
	    cmocka_unit_test(test_requests_counted_from_many_threads),
	    cmocka_unit_test(test_scrape_auth_rules),
	};

	return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
