/* money.h: exact amounts of money in ISO 4217 currencies (docs/placements.md, "price").
 * An amount is an integer count of the currency's minor unit (cents, or yen, or fils:
 * ISO 4217's exponent, 0 to 4), never a floating-point number; the list of currencies
 * is ISO 4217's current one, in money.c. */
#ifndef LC_MONEY_H
#define LC_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define MONEY_MAJOR_MAX 1000000000LL /* the largest amount accepted, in major units */
#define MONEY_TEXT_MAX 24            /* "1000000000.0000" and its NUL fit */

/* money_currency_digits is the ISO 4217 exponent (minor-unit digits, 0 to 4) of the
 * currency named by code (borrowed; exactly three uppercase letters), or -1 when code
 * is not a current ISO 4217 currency with a minor unit (funds and metals such as XAU,
 * XDR and the test code XTS are not prices). */
int money_currency_digits(const char *code);

/* money_parse reads text (borrowed; len bytes, not NUL-terminated necessarily), a plain
 * decimal amount "150", "150.5", "150.50" with no sign, exponent, spaces or group
 * separators, with at most digits decimals and at most MONEY_MAJOR_MAX, into *minor
 * (units of 10^-digits). 0, or -1 when text is not such an amount (*minor untouched). */
int money_parse(const char *text, size_t len, int digits, int64_t *minor);

/* money_from_double converts a JSON number (the API's legacy bare-number price) to
 * *minor, accepting it only when it is within 0..MONEY_MAJOR_MAX and a whole number of
 * minor units up to the binary representation's error. 0, or -1. */
int money_from_double(double v, int digits, int64_t *minor);

/* money_format writes minor (>= 0) units of a currency with digits decimals as a decimal
 * text into out (MONEY_TEXT_MAX bytes): 15050 with 2 digits is "150.50", 150 with 0 is
 * "150". */
void money_format(int64_t minor, int digits, char *out);

#endif
