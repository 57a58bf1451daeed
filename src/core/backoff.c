/* backoff.c: the sign-in back-off (docs/signin.md), apart from any I/O so that it is
 * tested alone (tests/unit/test_backoff.c). */
#include "core/signin_throttle.h"

unsigned
login_backoff(unsigned failures, unsigned limit, unsigned base, unsigned cap)
{
	unsigned wait = base, n;

	if (limit == 0 || failures < limit)
		return 0;
	if (wait > cap)
		return cap;
	/* base for the limit-th failure, doubling with each further one; no overflow: stop
	 * as soon as the cap is reached */
	for (n = limit; n < failures && wait < cap; n++)
		wait = wait > cap / 2 ? cap : wait * 2;
	return wait;
}
