/* signin_throttle.c: counting wrong guesses at sign-in, and how long a client waits. The
 * rule of the wait is login_backoff (backoff.c, pure); this file reads and writes the
 * failures it counts (store_users.c). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/secret.h"
#include "core/signin_throttle.h"
#include "db/store_users.h"
#include "util/timefmt.h"

/* Failed guesses at an account from a client are remembered this long, so the back-off
 * keeps growing for a patient attacker (docs/signin.md); the client-wide count keeps its
 * window. LOGIN_BACKOFF_STEPS failures past the limit reach any cap from 1 s. */
#define LOGIN_MEMORY_MS (INT64_C(24) * 3600 * 1000)
#define LOGIN_BACKOFF_STEPS 32

static lc_err throttled(
    struct db *, unsigned, const unsigned char *, unsigned, unsigned, int64_t, unsigned *);
static lc_err backed_off(
    struct db *, const struct session_settings *, const unsigned char *, int64_t, unsigned *);
static lc_err guess_subject(
    struct db *, int64_t, const char *, int, const char *, unsigned char[32]);

/* throttled sets *retry_after (seconds) when `limit` failures of subject happened within
 * the window before now: it is the time until the oldest of them leaves the window. */
static lc_err
throttled(struct db *db, unsigned scope, const unsigned char *hash, unsigned limit,
    unsigned window_s, int64_t now, unsigned *retry_after)
{
	char cutoff[TIME_SQL_LEN];
	struct db_rows r;
	int64_t oldest, wait_ms;
	lc_err e;

	if (limit == 0)
		return LC_OK;
	sqltime_format(now - (int64_t)window_s * 1000, cutoff);
	if ((e = store_login_failures(db, scope, hash, cutoff, limit, &r)) != LC_OK)
		return e;
	if (r.nrows >= limit) {
		oldest = db_ms(&r, r.nrows - 1, 0);
		wait_ms = oldest + (int64_t)window_s * 1000 - now;
		if (wait_ms < 1000)
			wait_ms = 1000;
		if ((unsigned)((wait_ms + 999) / 1000) > *retry_after)
			*retry_after = (unsigned)((wait_ms + 999) / 1000);
	}
	db_rows_free(&r);
	return LC_OK;
}

/* backed_off sets *retry_after when the client must still wait after its failed guesses
 * at one account (pair_hash): login_backoff of how many it made within a day, counted from
 * the newest. */
static lc_err
backed_off(struct db *db, const struct session_settings *st, const unsigned char *pair_hash,
    int64_t now, unsigned *retry_after)
{
	char cutoff[TIME_SQL_LEN];
	struct db_rows r;
	unsigned wait_s;
	int64_t until;
	lc_err e;

	sqltime_format(now - LOGIN_MEMORY_MS, cutoff);
	if ((e = store_login_failures(db, LOGIN_SCOPE_ACCOUNT_CLIENT, pair_hash, cutoff,
	         st->max_failures_email + LOGIN_BACKOFF_STEPS, &r)) != LC_OK)
		return e;
	wait_s = login_backoff((unsigned)r.nrows, st->max_failures_email, st->backoff_seconds,
	    st->backoff_max_seconds);
	if (wait_s > 0 && r.nrows > 0) {
		until = db_ms(&r, 0, 0) + (int64_t)wait_s * 1000;
		if (until > now && (unsigned)((until - now + 999) / 1000) > *retry_after)
			*retry_after = (unsigned)((until - now + 999) / 1000);
	}
	db_rows_free(&r);
	return LC_OK;
}

/* guess_subject makes the hash that failed guesses are counted under: the account the
 * address finds (user_id), or else the address's collation key (the same for every
 * spelling the lookup would take as that address), each with the client address, so that
 * an attacker elsewhere neither shares nor spends the real user's guesses. */
static lc_err
guess_subject(struct db *db, int64_t user_id, const char *email, int email_ok, const char *client,
    unsigned char out[32])
{
	crypto_hash_sha256_state st;
	char head[32];
	struct db_rows r;
	lc_err e;

	crypto_hash_sha256_init(&st);
	if (user_id != 0) {
		snprintf(head, sizeof(head), "u:%lld", (long long)user_id);
		crypto_hash_sha256_update(&st, (const unsigned char *)head, strlen(head));
	} else if (email_ok) {
		if ((e = store_address_key(db, email, &r)) != LC_OK)
			return e;
		crypto_hash_sha256_update(&st, (const unsigned char *)"a:", 2);
		if (r.nrows == 1 && db_str(&r, 0, 0))
			crypto_hash_sha256_update(
			    &st, (const unsigned char *)db_str(&r, 0, 0), db_len(&r, 0, 0));
		db_rows_free(&r);
	} else { /* no account can have it: the bytes themselves */
		crypto_hash_sha256_update(&st, (const unsigned char *)"x:", 2);
		crypto_hash_sha256_update(&st, (const unsigned char *)email, strlen(email));
	}
	crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)client, strlen(client));
	crypto_hash_sha256_final(&st, out);
	return LC_OK;
}

lc_err
signin_throttle_check(struct core *core, const struct session_settings *st, int64_t user_id,
    const char *email, int email_ok, const char *client, int64_t now, struct signin_subject *s,
    unsigned *retry_after)
{
	lc_err e;

	memset(s, 0, sizeof(*s));
	*retry_after = 0;
	s->has_client = client != NULL;
	address_hash(client ? client : "", s->client);
	if ((e = guess_subject(
	         core->db, user_id, email, email_ok, client ? client : "", s->pair)) != LC_OK ||
	    (e = backed_off(core->db, st, s->pair, now, retry_after)) != LC_OK)
		return e;
	if (s->has_client)
		return throttled(core->db, LOGIN_SCOPE_CLIENT, s->client, st->max_failures_ip,
		    st->failure_window_seconds, now, retry_after);
	return LC_OK;
}

lc_err
signin_throttle_failed(struct core *core, const struct signin_subject *s, int64_t now)
{
	char now_sql[TIME_SQL_LEN], cutoff[TIME_SQL_LEN];
	lc_err e;

	sqltime_format(now, now_sql);
	sqltime_format(now - LOGIN_MEMORY_MS, cutoff);
	if ((e = store_login_failure_add(core->db, LOGIN_SCOPE_ACCOUNT_CLIENT, s->pair, now_sql)) !=
	        LC_OK ||
	    (s->has_client && (e = store_login_failure_add(
	                           core->db, LOGIN_SCOPE_CLIENT, s->client, now_sql)) != LC_OK))
		return e;
	return store_login_failures_purge(core->db, cutoff);
}

lc_err
signin_throttle_passed(struct core *core, const struct signin_subject *s)
{
	return store_login_failures_clear(core->db, LOGIN_SCOPE_ACCOUNT_CLIENT, s->pair);
}
