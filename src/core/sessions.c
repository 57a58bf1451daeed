/* sessions.c: signing in (users_login), server-side sessions and their CSRF tokens.
 *
 * A session id is a secret (secret.h): 32 random bytes in base64url, of which only the
 * SHA-256 is stored, so a copy of the database opens no session. A CSRF token is an HMAC of
 * a constant under the session's own secret: another session's token never matches. Idle
 * and absolute expiry fold into one indexed expires_at; the id changes at every sign-in. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/passwords.h"
#include "core/sessions.h"
#include "core/signin_throttle.h"
#include "core/users.h"
#include "core/validate.h"
#include "db/store_users.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define TOUCH_EVERY_MS 60000 /* move a session's idle deadline at most once a minute */

static const char csrf_label[] = "linkcamp csrf v1";

void
csrf_token(const struct user_session *s, char out[USER_SECRET_MAX])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(
	    mac, (const unsigned char *)csrf_label, sizeof(csrf_label) - 1, s->csrf_secret);
	sodium_bin2base64(
	    out, USER_SECRET_MAX, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
csrf_valid(const struct user_session *s, const char *token)
{
	char want[USER_SECRET_MAX];
	int ok;

	if (token == NULL)
		return 0;
	csrf_token(s, want);
	ok = secret_equal(want, token);
	sodium_memzero(want, sizeof(want));
	return ok;
}

lc_err
users_login(struct core *core, const struct session_settings *st, const char *email,
    const char *password, const char *client, const char *old_sid, char sid_out[USER_SECRET_MAX],
    unsigned *retry_after)
{
	char now_sql[TIME_SQL_LEN], expires[TIME_SQL_LEN];
	char sid[USER_SECRET_MAX], user_public[ID_MAX];
	unsigned char sid_hash[32], csrf[32];
	struct signin_subject guess;
	struct db_rows r;
	const char *stored = NULL;
	int64_t now = now_ms(), user_id = 0, account_id = 0, abs_ms, idle_ms;
	int ok, email_ok = strlen(email) <= EMAIL_MAX_BYTES && utf8_valid(email, strlen(email));
	lc_err e;

	sid_out[0] = '\0';
	*retry_after = 0;
	memset(&r, 0, sizeof(r));
	sqltime_format(now, now_sql);
	/* the lookup first: the throttle counts guesses at what it finds */
	if (email_ok) {
		if ((e = store_user_by_email(core->db, email, &r)) != LC_OK)
			return e;
		if (r.nrows == 1)
			account_id = db_i64(&r, 0, USR_COL_ID);
	}
	if ((e = signin_throttle_check(core, st, account_id, email, email_ok, client, now, &guess,
	         retry_after)) != LC_OK) {
		db_rows_free(&r);
		return e;
	}
	if (*retry_after > 0) {
		db_rows_free(&r);
		log_msg(LOG_WARN, "login throttled for %u s", *retry_after);
		return LC_EFORBIDDEN;
	}

	if (r.nrows == 1 && db_isnull(&r, 0, USR_COL_DISABLED) && !db_isnull(&r, 0, USR_COL_HASH)) {
		user_id = db_i64(&r, 0, USR_COL_ID);
		stored = db_str(&r, 0, USR_COL_HASH);
		snprintf(user_public, sizeof(user_public), "%s", db_str(&r, 0, USR_COL_PUBLIC));
	}
	/* no such user verifies against a dummy hash: the same answer in about the same time */
	ok = password_verify(stored, password) && user_id != 0;
	if (ok && password_stale(stored)) {
		char fresh[PASSWORD_HASH_MAX];
		if (password_hash(password, fresh) == LC_OK)
			(void)store_user_set_password(core->db, user_id, fresh, now_sql);
		sodium_memzero(fresh, sizeof(fresh));
	}
	db_rows_free(&r);

	if (!ok) {
		if ((e = signin_throttle_failed(core, &guess, now)) != LC_OK)
			return e;
		log_msg(LOG_INFO, "login failed");
		return LC_EAUTH;
	}

	idle_ms = (int64_t)st->idle_seconds * 1000;
	abs_ms = (int64_t)st->absolute_seconds * 1000;
	sqltime_format(now + (idle_ms < abs_ms ? idle_ms : abs_ms), expires);
	secret_new(sid);
	secret_hash(sid, sid_hash);
	randombytes_buf(csrf, sizeof(csrf));
	if ((e = signin_throttle_passed(core, &guess)) != LC_OK ||
	    (e = store_session_purge(core->db, now_sql)) != LC_OK)
		goto out;
	if (old_sid && secret_shape(old_sid)) {
		unsigned char old_hash[32];
		secret_hash(old_sid, old_hash);
		if ((e = store_session_delete(core->db, old_hash)) != LC_OK)
			goto out;
	}
	if ((e = store_session_insert(core->db, sid_hash, user_id, csrf, now_sql, expires)) !=
	    LC_OK)
		goto out;
	memcpy(sid_out, sid, USER_SECRET_MAX);
	log_msg(LOG_INFO, "login of user %s", user_public);
out:
	sodium_memzero(sid, sizeof(sid));
	sodium_memzero(csrf, sizeof(csrf));
	return e;
}

/* session_settle takes the session of row 0 of r (SES_COL_* columns; r has one row) into
 * out, applies the limits in force and moves the idle deadline. It is the one place the
 * limits are checked, for sessions_resolve and sessions_resolve_in alike. LC_EAUTH (and
 * the session deleted) when a limit has passed; database errors of the touch. r is not
 * freed. */
static lc_err
session_settle(struct core *core, const struct session_settings *st, const unsigned char *hash,
    int64_t now, const char *now_sql, const struct db_rows *r, struct user_session *out)
{
	char expires[TIME_SQL_LEN];
	int64_t last_seen, absolute, next;
	lc_err e;

	out->user_id = db_i64(r, 0, SES_COL_USER);
	snprintf(
	    out->user_public, sizeof(out->user_public), "%s", db_str(r, 0, SES_COL_USER_PUBLIC));
	snprintf(out->email, sizeof(out->email), "%s", db_str(r, 0, SES_COL_EMAIL));
	memcpy(out->csrf_secret, db_str(r, 0, SES_COL_CSRF), sizeof(out->csrf_secret));
	out->created_ms = db_ms(r, 0, SES_COL_CREATED);
	last_seen = db_ms(r, 0, SES_COL_LAST_SEEN);
	out->expires_ms = db_ms(r, 0, SES_COL_EXPIRES);

	/* The limits in force now apply, also to sessions opened under longer ones. */
	absolute = out->created_ms + (int64_t)st->absolute_seconds * 1000;
	if (now >= absolute || now >= last_seen + (int64_t)st->idle_seconds * 1000) {
		(void)store_session_delete(core->db, hash);
		memset(out, 0, sizeof(*out));
		return LC_EAUTH;
	}
	if (now - last_seen >= TOUCH_EVERY_MS) {
		next = now + (int64_t)st->idle_seconds * 1000;
		if (next > absolute)
			next = absolute;
		sqltime_format(next, expires);
		if ((e = store_session_touch(core->db, hash, now_sql, expires)) != LC_OK) {
			memset(out, 0, sizeof(*out));
			return e;
		}
		out->expires_ms = next;
	}
	return LC_OK;
}

/* session_row_ok is 1 when r holds one session row with a well-formed CSRF secret. */
static int
session_row_ok(const struct db_rows *r)
{
	struct user_session s;

	return r->nrows == 1 && db_len(r, 0, SES_COL_CSRF) == sizeof(s.csrf_secret);
}

lc_err
sessions_resolve(
    struct core *core, const struct session_settings *st, const char *sid, struct user_session *out)
{
	char now_sql[TIME_SQL_LEN];
	unsigned char hash[32];
	struct db_rows r;
	int64_t now = now_ms();
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (sid == NULL || !secret_shape(sid))
		return LC_EAUTH;
	secret_hash(sid, hash);
	sqltime_format(now, now_sql);
	if ((e = store_session_get(core->db, hash, now_sql, &r)) != LC_OK)
		return e;
	if (!session_row_ok(&r)) {
		db_rows_free(&r);
		return LC_EAUTH;
	}
	e = session_settle(core, st, hash, now, now_sql, &r, out);
	db_rows_free(&r);
	return e;
}

lc_err
sessions_resolve_in(struct core *core, const struct session_settings *st, const char *sid,
    const char *ws_public, struct user_session *out, struct principal *who, char *name,
    size_t name_len, unsigned *role, int *member)
{
	char now_sql[TIME_SQL_LEN];
	unsigned char hash[32];
	struct db_rows r;
	int64_t now = now_ms();
	lc_err e;

	memset(who, 0, sizeof(*who));
	*role = 0;
	*member = 0;
	if (name && name_len)
		name[0] = '\0';
	/* an id of another shape names no workspace: as users_principal, no query for it */
	if (!id_has_shape("ws_", ws_public, strlen(ws_public)))
		return sessions_resolve(core, st, sid, out);
	memset(out, 0, sizeof(*out));
	if (sid == NULL || !secret_shape(sid))
		return LC_EAUTH;
	secret_hash(sid, hash);
	sqltime_format(now, now_sql);
	if ((e = store_session_in_workspace(core->db, hash, now_sql, ws_public, &r)) != LC_OK)
		return e;
	if (!session_row_ok(&r)) {
		db_rows_free(&r);
		return LC_EAUTH;
	}
	if ((e = session_settle(core, st, hash, now, now_sql, &r, out)) == LC_OK &&
	    !db_isnull(&r, 0, SES_COL_N + UWS_COL_ROLE)) {
		users_principal_row(&r, SES_COL_N, who, name, name_len, role);
		*member = 1;
	}
	db_rows_free(&r);
	return e;
}

lc_err
sessions_end(struct core *core, const char *sid)
{
	unsigned char hash[32];

	if (sid == NULL || !secret_shape(sid))
		return LC_OK;
	secret_hash(sid, hash);
	return store_session_delete(core->db, hash);
}
