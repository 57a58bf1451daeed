/* test_money.c: ISO 4217 currencies and exact amounts (src/util/money.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/money.h"

static int64_t
parsed(const char *s, int digits)
{
	int64_t v = -7;

	if (money_parse(s, strlen(s), digits, &v) != 0)
		return -1;
	return v;
}

static void
test_money_currencies_and_their_digits(void **state)
{
	(void)state;
	assert_int_equal(money_currency_digits("EUR"), 2);
	assert_int_equal(money_currency_digits("USD"), 2);
	assert_int_equal(money_currency_digits("JPY"), 0);
	assert_int_equal(money_currency_digits("KWD"), 3);
	assert_int_equal(money_currency_digits("CLF"), 4);
	assert_int_equal(money_currency_digits("AED"), 2); /* the first */
	assert_int_equal(money_currency_digits("ZWG"), 2); /* the last */
	/* not prices, not codes, not current */
	assert_int_equal(money_currency_digits("XAU"), -1);
	assert_int_equal(money_currency_digits("XTS"), -1);
	assert_int_equal(money_currency_digits("eur"), -1);
	assert_int_equal(money_currency_digits("EURO"), -1);
	assert_int_equal(money_currency_digits("EU"), -1);
	assert_int_equal(money_currency_digits(""), -1);
	assert_int_equal(money_currency_digits("DEM"), -1);
	assert_int_equal(money_currency_digits(NULL), -1);
}

static void
test_money_parse_is_exact(void **state)
{
	int64_t v = 5;

	(void)state;
	assert_int_equal(parsed("150", 2), 15000);
	assert_int_equal(parsed("150.5", 2), 15050);
	assert_int_equal(parsed("150.50", 2), 15050);
	assert_int_equal(parsed("0.07", 2), 7);
	assert_int_equal(parsed("0", 2), 0);
	assert_int_equal(parsed("1000000000", 2), 100000000000LL);
	assert_int_equal(parsed("1000000000.00", 2), 100000000000LL);
	assert_int_equal(parsed("999999999.99", 2), 99999999999LL);
	assert_int_equal(parsed("1500", 0), 1500);
	assert_int_equal(parsed("1.234", 3), 1234);
	assert_int_equal(parsed("1.2", 3), 1200);
	/* refused */
	assert_int_equal(parsed("1000000000.01", 2), -1);
	assert_int_equal(parsed("10000000000", 2), -1);
	assert_int_equal(parsed("1.5", 0), -1);
	assert_int_equal(parsed("1.234", 2), -1);
	assert_int_equal(parsed("-1", 2), -1);
	assert_int_equal(parsed("+1", 2), -1);
	assert_int_equal(parsed("1e3", 2), -1);
	assert_int_equal(parsed(" 1", 2), -1);
	assert_int_equal(parsed("1 ", 2), -1);
	assert_int_equal(parsed("1,000", 2), -1);
	assert_int_equal(parsed("1.", 2), -1);
	assert_int_equal(parsed(".5", 2), -1);
	assert_int_equal(parsed("", 2), -1);
	assert_int_equal(parsed("12345678901234567890", 2), -1);
	assert_int_equal(parsed("1", 5), -1);
	/* only len bytes are read: "1.5" of "1.5x" */
	assert_int_equal(money_parse("1.5x", 3, 2, &v), 0);
	assert_int_equal(v, 150);
	assert_int_equal(money_parse("1\0"
	                             "5",
	                     3, 2, &v),
	    -1);
}

static void
test_money_from_double_takes_only_whole_minor_units(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(money_from_double(150.5, 2, &v), 0);
	assert_int_equal(v, 15050);
	assert_int_equal(money_from_double(0.07, 2, &v), 0); /* 7.000000000000001 */
	assert_int_equal(v, 7);
	assert_int_equal(money_from_double(999999999.99, 2, &v), 0);
	assert_int_equal(v, 99999999999LL);
	assert_int_equal(money_from_double(1000000000, 3, &v), 0);
	assert_int_equal(v, 1000000000000LL);
	assert_int_equal(money_from_double(0.105, 2, &v), -1);
	assert_int_equal(money_from_double(1.5, 0, &v), -1);
	assert_int_equal(money_from_double(-0.01, 2, &v), -1);
	assert_int_equal(money_from_double(1000000000.01, 2, &v), -1);
	assert_int_equal(money_from_double(1.0 / 0.0, 2, &v), -1);
	assert_int_equal(money_from_double(0.0 / 0.0, 2, &v), -1);
}

static void
test_money_format(void **state)
{
	char out[MONEY_TEXT_MAX];

	(void)state;
	money_format(15050, 2, out);
	assert_string_equal(out, "150.50");
	money_format(7, 2, out);
	assert_string_equal(out, "0.07");
	money_format(1500, 0, out);
	assert_string_equal(out, "1500");
	money_format(1234, 3, out);
	assert_string_equal(out, "1.234");
	money_format(10000000000000LL, 4, out);
	assert_string_equal(out, "1000000000.0000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_money_currencies_and_their_digits),
	    cmocka_unit_test(test_money_parse_is_exact),
	    cmocka_unit_test(test_money_from_double_takes_only_whole_minor_units),
	    cmocka_unit_test(test_money_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
