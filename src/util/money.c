/* money.c: ISO 4217 currencies and exact decimal amounts (money.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/money.h"

/* ISO 4217's current list (list one, with the 2024-2025 amendments: SLE, VED, ZWG, XCG),
 * each code with its minor-unit exponent. Codes whose minor unit is "N.A." (precious
 * metals, SDR, bond units, XTS, XXX) are left out: a link's price is not paid in them.
 * Sorted, so that a lookup is a binary search. */
static const struct {
	char code[4];
	unsigned char digits;
} currencies[] = {{"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2},
    {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3},
    {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2},
    {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2},
    {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2},
    {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2},
    {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2},
    {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4},
    {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2},
    {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}};

static const int64_t pow10s[] = {1, 10, 100, 1000, 10000};

int
money_currency_digits(const char *code)
{
	size_t lo = 0, hi = sizeof(currencies) / sizeof(currencies[0]);

	if (code == NULL || strlen(code) != 3)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, currencies[mid].code);
		if (c == 0)
			return currencies[mid].digits;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
money_parse(const char *text, size_t len, int digits, int64_t *minor)
{
	int64_t whole = 0, frac = 0;
	size_t i = 0, nwhole = 0, nfrac = 0;

	if (digits < 0 || digits > 4 || text == NULL)
		return -1;
	/* the whole part: at least one digit, no more than MONEY_MAJOR_MAX (10 digits) */
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++, nwhole++) {
		if (nwhole >= 10)
			return -1;
		whole = whole * 10 + (text[i] - '0');
	}
	if (nwhole == 0)
		return -1;
	if (i < len && text[i] == '.') {
		for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++, nfrac++) {
			if ((int)nfrac >= digits)
				return -1; /* more decimals than the currency has */
			frac = frac * 10 + (text[i] - '0');
		}
		if (nfrac == 0)
			return -1; /* "150." */
	}
	if (i != len || whole > MONEY_MAJOR_MAX || (whole == MONEY_MAJOR_MAX && frac != 0))
		return -1;
	*minor = whole * pow10s[digits] + frac * pow10s[digits - (int)nfrac];
	return 0;
}

int
money_from_double(double v, int digits, int64_t *minor)
{
	double units, off;
	int64_t whole;

	if (digits < 0 || digits > 4 || !isfinite(v) || v < 0 || v > (double)MONEY_MAJOR_MAX)
		return -1;
	units = v * (double)pow10s[digits];
	whole = (int64_t)(units + 0.5);
	/* a decimal such as 150.07 is not exact in binary; at 10^13 minor units a double is
	 * still within 0.002 of it, while a real third decimal is off by 0.1 or more */
	off = units - (double)whole;
	if (off > 0.01 || off < -0.01)
		return -1;
	*minor = whole;
	return 0;
}

void
money_format(int64_t minor, int digits, char *out)
{
	if (digits <= 0 || digits > 4) {
		snprintf(out, MONEY_TEXT_MAX, "%lld", (long long)minor);
		return;
	}
	snprintf(out, MONEY_TEXT_MAX, "%lld.%0*lld", (long long)(minor / pow10s[digits]), digits,
	    (long long)(minor % pow10s[digits]));
}
