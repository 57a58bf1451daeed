/* retry.c: the classification of database errors and the retry pause (see retry.h). The
 * numbers are MariaDB's (mysqld_error.h, errmsg.h), written out so that this file needs
 * no client library header and its unit test no server. */
#include "db/retry.h"

enum db_errclass
db_errclass_of(unsigned err, int on_commit)
{
	switch (err) {
	case 2006: /* CR_SERVER_GONE_ERROR */
	case 2013: /* CR_SERVER_LOST */
	case 2002: /* CR_CONNECTION_ERROR */
	case 2003: /* CR_CONN_HOST_ERROR */
	case 2055: /* CR_SERVER_LOST_EXTENDED */
	case 1927: /* ER_CONNECTION_KILLED */
	case 1053: /* ER_SERVER_SHUTDOWN */
	case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8) */
	case 1047: /* ER_UNKNOWN_COM_ERROR: "WSREP has not yet prepared node for application
	            * use", a Galera node outside the primary component */
		return DBE_DOWN;
	case 1213: /* ER_LOCK_DEADLOCK, and Galera's certification failure */
	case 1205: /* ER_LOCK_WAIT_TIMEOUT */
	case 1020: /* ER_CHECKREAD: record changed since last read */ return DBE_RETRY;
	case 1180: /* ER_ERROR_DURING_COMMIT: at COMMIT, a replicated transaction won; from any
	            * other statement, the node could not replicate it ("Not connected to
	            * Primary Component" for a streamed fragment): this node cannot serve us */
		return on_commit ? DBE_RETRY : DBE_DOWN;
	case 1317: /* ER_QUERY_INTERRUPTED: a brute-force abort met at commit */
		return on_commit ? DBE_RETRY : DBE_OTHER;
	case 1062: /* ER_DUP_ENTRY */ return DBE_DUP;
	case 2008: /* CR_OUT_OF_MEMORY */ return DBE_NOMEM;
	default: return DBE_OTHER;
	}
}

unsigned
db_backoff_ms(unsigned attempt, unsigned base_ms, unsigned cap_ms, uint32_t rnd)
{
	unsigned window = base_ms, n, half;

	if (attempt == 0 || cap_ms == 0)
		return 0;
	if (window > cap_ms)
		window = cap_ms;
	/* doubling per failure, stopping at the cap before it could overflow */
	for (n = 1; n < attempt && window < cap_ms; n++)
		window = window > cap_ms / 2 ? cap_ms : window * 2;
	half = window / 2;
	/* the other half is random, so writers that collided do not collide again in step */
	return half + (unsigned)(rnd % ((uint32_t)(window - half) + 1u));
}

uint32_t
db_rand(uint32_t *state)
{
	uint32_t x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}
