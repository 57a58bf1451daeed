/* users.c: users, Argon2id passwords, one-time set-password links, server-side sessions,
 * CSRF tokens and login throttling; and the reads only the approval pages make.
 *
 * Secrets handed to people (session ids, link tokens) are 32 random bytes in base64url;
 * only their SHA-256 is stored, so a copy of the database opens no session. A CSRF token
 * is an HMAC of a constant under the session's own secret: another session's token never
 * matches. Passwords are never logged, never stored in clear and never kept in a buffer
 * longer than the call that hashes or verifies them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/paging.h"
#include "core/sending.h"
#include "core/users.h"
#include "core/validate.h"
#include "db/store.h"
#include "db/store_users.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define TOUCH_EVERY_MS 60000 /* move a session's idle deadline at most once a minute */

static const char csrf_label[] = "linkcamp csrf v1";

struct add_ctx {
	const char *email, *ws_public, *password_hash;
	unsigned role;
	const unsigned char *link_hash;
	char *user_out;
	int created;
};

struct link_ctx {
	unsigned char hash[32];
	const char *password_hash;
};

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static int64_t ms_of(const struct db_rows *, size_t, size_t);
static int secret_shape(const char *);
static void secret_hash(const char *, unsigned char[32]);
/* Failed guesses at an account from a client are remembered this long, so the back-off
 * keeps growing for a patient attacker (docs/signin.md); the client-wide count keeps its
 * window. LOGIN_BACKOFF_STEPS failures past the limit reach any cap from 1 s. */
#define LOGIN_MEMORY_MS (INT64_C(24) * 3600 * 1000)
#define LOGIN_BACKOFF_STEPS 32

static void address_hash(const char *, unsigned char[32]);
static lc_err password_hash(const char *, char[crypto_pwhash_STRBYTES]);
static void dummy_init(void);
static lc_err add_tx(struct db *, void *);
static lc_err link_tx(struct db *, void *);
static lc_err throttled(
    struct db *, unsigned, const unsigned char *, unsigned, unsigned, int64_t, unsigned *);
static lc_err backed_off(
    struct db *, const struct session_settings *, const unsigned char *, int64_t, unsigned *);
static lc_err guess_subject(
    struct db *, int64_t, const char *, int, const char *, unsigned char[32]);
static lc_err decisions_fill(struct decision_page *, size_t);

static int64_t
ms_of(const struct db_rows *r, size_t row, size_t col)
{
	const char *s = db_str(r, row, col);
	int64_t ms;

	if (s == NULL || sqltime_parse(s, db_len(r, row, col), &ms) != LC_OK)
		return -1;
	return ms;
}

const char *
user_role_name(unsigned role)
{
	return role == ROLE_ADMIN      ? "admin"
	       : role == ROLE_APPROVER ? "approver"
	       : role == ROLE_VIEWER   ? "viewer"
	                               : "unknown";
}

int
user_role_approves(unsigned role)
{
	return role == ROLE_APPROVER || role == ROLE_ADMIN;
}

int
user_role_manages(unsigned role)
{
	return role == ROLE_ADMIN;
}

int
user_role_from_name(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(s, "approver") == 0)
		return ROLE_APPROVER;
	if (strcmp(s, "viewer") == 0)
		return ROLE_VIEWER;
	return -1;
}

const char *
decision_kind_name(unsigned d)
{
	static const char *const names[] = {"approved", "rejected", "returned"};

	return d < DECISION_N ? names[d] : "unknown";
}

/* ---- secrets ---- */

void
secret_new(char out[USER_SECRET_MAX])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(
	    out, USER_SECRET_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

int
secret_equal(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL || (n = strlen(a)) != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

/* secret_shape is 1 for a string secret_new could have written. */
static int
secret_shape(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (i >= USER_SECRET_LEN || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		                                (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return i == USER_SECRET_LEN;
}

static void
secret_hash(const char *s, unsigned char out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)s, strlen(s));
}

/* address_hash hashes an e-mail or client address, ASCII letters folded to lower case. */
static void
address_hash(const char *s, unsigned char out[32])
{
	crypto_hash_sha256_state st;
	char c;

	crypto_hash_sha256_init(&st);
	for (; *s; s++) {
		c = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
		crypto_hash_sha256_update(&st, (const unsigned char *)&c, 1);
	}
	crypto_hash_sha256_final(&st, out);
}

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

/* ---- passwords ---- */

int
users_password_ok(const char *pw)
{
	size_t len = strlen(pw);

	return len <= USER_PASSWORD_MAX && utf8_valid(pw, len) &&
	       text_valid(pw, USER_PASSWORD_MIN, USER_PASSWORD_MAX, 0);
}

static lc_err
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return LC_ENOMEM; /* the only failure libsodium reports here: no memory */
	return LC_OK;
}

/* dummy_init makes a hash to verify against when the address is unknown, so a wrong
 * address costs as much time as a wrong password. */
static void
dummy_init(void)
{
	char pw[USER_SECRET_MAX];

	secret_new(pw);
	if (password_hash(pw, dummy_hash) != LC_OK)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

/* ---- users ---- */

static lc_err
add_tx(struct db *db, void *arg)
{
	struct add_ctx *ctx = arg;
	char now[TIME_SQL_LEN], expires[TIME_SQL_LEN], pub[ID_MAX];
	struct db_rows r;
	int64_t user_id, ws_id, t = now_ms();
	uint64_t id;
	lc_err e;

	sqltime_format(t, now);
	ctx->created = 0;
	if ((e = store_workspace_by_public(db, 0, ctx->ws_public, &r)) != LC_OK)
		return e;
	ws_id = r.nrows == 1 ? db_i64(&r, 0, WS_COL_ID) : 0;
	db_rows_free(&r);
	if (ws_id == 0)
		return LC_ENOTFOUND;
	if ((e = store_user_by_email(db, ctx->email, &r)) != LC_OK)
		return e;
	if (r.nrows == 1) {
		user_id = db_i64(&r, 0, USR_COL_ID);
		snprintf(pub, sizeof(pub), "%s", db_str(&r, 0, USR_COL_PUBLIC));
		db_rows_free(&r);
		if (ctx->password_hash &&
		    (e = store_user_set_password(db, user_id, ctx->password_hash, now)) != LC_OK)
			return e;
	} else {
		db_rows_free(&r);
		id_new("usr_", pub);
		if ((e = store_user_insert(db, pub, ctx->email, ctx->password_hash, now, &id)) !=
		    LC_OK)
			return e;
		user_id = (int64_t)id;
		ctx->created = 1;
	}
	if ((e = store_user_role_put(db, user_id, ws_id, ctx->role, now)) != LC_OK)
		return e;
	if (ctx->link_hash) {
		sqltime_format(t + (int64_t)USER_LINK_HOURS * 3600 * 1000, expires);
		if ((e = store_token_purge(db, now)) != LC_OK ||
		    (e = store_token_insert(db, ctx->link_hash, user_id, now, expires)) != LC_OK)
			return e;
	}
	if (ctx->user_out)
		snprintf(ctx->user_out, ID_MAX, "%s", pub);
	return LC_OK;
}

lc_err
users_add(struct core *core, const char *email, const char *ws_public, unsigned role,
    const char *password, char *link, char user_out[ID_MAX], int *created, const char **why)
{
	struct add_ctx ctx;
	char hash[crypto_pwhash_STRBYTES];
	unsigned char link_hash[32];
	lc_err e;

	*why = NULL;
	if (!email_valid(email)) {
		*why = "the e-mail address is not valid";
		return LC_EINVAL;
	}
	if (role >= ROLE_N) {
		*why = "the role must be admin, approver or viewer";
		return LC_EINVAL;
	}
	if (password && !users_password_ok(password)) {
		*why = "the password must be 8 or more characters (at most 1024 bytes) of text";
		return LC_EINVAL;
	}
	if (!id_has_shape("ws_", ws_public, strlen(ws_public)))
		return LC_ENOTFOUND;
	memset(&ctx, 0, sizeof(ctx));
	ctx.email = email;
	ctx.ws_public = ws_public;
	ctx.role = role;
	ctx.user_out = user_out;
	if (password) {
		if ((e = password_hash(password, hash)) != LC_OK)
			return e;
		ctx.password_hash = hash;
	}
	if (link) {
		secret_new(link);
		secret_hash(link, link_hash);
		ctx.link_hash = link_hash;
	}
	e = db_tx(core->db, add_tx, &ctx);
	if (e != LC_OK && link)
		link[0] = '\0';
	if (created)
		*created = ctx.created;
	sodium_memzero(hash, sizeof(hash));
	return e;
}

lc_err
users_link_lookup(struct core *core, const char *token, char email[USER_EMAIL_MAX])
{
	char now[TIME_SQL_LEN];
	unsigned char hash[32];
	struct db_rows r;
	lc_err e;

	email[0] = '\0';
	if (!secret_shape(token))
		return LC_ENOTFOUND;
	secret_hash(token, hash);
	sqltime_format(now_ms(), now);
	if ((e = store_token_get(core->db, hash, now, 0, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	snprintf(email, USER_EMAIL_MAX, "%s", db_str(&r, 0, TKN_COL_EMAIL));
	db_rows_free(&r);
	return LC_OK;
}

static lc_err
link_tx(struct db *db, void *arg)
{
	struct link_ctx *ctx = arg;
	char now[TIME_SQL_LEN];
	struct db_rows r;
	int64_t user_id;
	uint64_t n = 0;
	lc_err e;

	sqltime_format(now_ms(), now);
	if ((e = store_token_get(db, ctx->hash, now, 1, &r)) != LC_OK)
		return e;
	user_id = r.nrows == 1 ? db_i64(&r, 0, TKN_COL_USER) : 0;
	db_rows_free(&r);
	if (user_id == 0)
		return LC_ENOTFOUND;
	if ((e = store_token_use(db, ctx->hash, now, &n)) != LC_OK)
		return e;
	if (n != 1)
		return LC_ENOTFOUND;
	if ((e = store_user_set_password(db, user_id, ctx->password_hash, now)) != LC_OK)
		return e;
	return store_session_delete_user(db, user_id);
}

lc_err
users_link_use(struct core *core, const char *token, const char *password)
{
	struct link_ctx ctx;
	char hash[crypto_pwhash_STRBYTES];
	lc_err e;

	if (!secret_shape(token))
		return LC_ENOTFOUND;
	if (!users_password_ok(password))
		return LC_EINVAL;
	memset(&ctx, 0, sizeof(ctx));
	secret_hash(token, ctx.hash);
	if ((e = password_hash(password, hash)) != LC_OK)
		return e;
	ctx.password_hash = hash;
	e = db_tx(core->db, link_tx, &ctx);
	sodium_memzero(hash, sizeof(hash));
	if (e == LC_OK)
		log_msg(LOG_INFO, "a password was set through a one-time link");
	return e;
}

/* ---- login and sessions ---- */

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
		oldest = ms_of(&r, r.nrows - 1, 0);
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
		until = ms_of(&r, 0, 0) + (int64_t)wait_s * 1000;
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
users_login(struct core *core, const struct session_settings *st, const char *email,
    const char *password, const char *client, const char *old_sid, char sid_out[USER_SECRET_MAX],
    unsigned *retry_after)
{
	char now_sql[TIME_SQL_LEN], cutoff[TIME_SQL_LEN], expires[TIME_SQL_LEN];
	char sid[USER_SECRET_MAX], user_public[ID_MAX];
	unsigned char pair_hash[32], client_hash[32], sid_hash[32], csrf[32];
	struct db_rows r;
	const char *stored = NULL;
	int64_t now = now_ms(), user_id = 0, account_id = 0, abs_ms, idle_ms;
	size_t pwlen = strlen(password);
	int ok, email_ok = strlen(email) <= EMAIL_MAX_BYTES && utf8_valid(email, strlen(email));
	lc_err e;

	sid_out[0] = '\0';
	*retry_after = 0;
	memset(&r, 0, sizeof(r));
	sqltime_format(now, now_sql);
	address_hash(client ? client : "", client_hash);
	/* the lookup first: the throttle counts guesses at what it finds */
	if (email_ok) {
		if ((e = store_user_by_email(core->db, email, &r)) != LC_OK)
			return e;
		if (r.nrows == 1)
			account_id = db_i64(&r, 0, USR_COL_ID);
	}
	if ((e = guess_subject(core->db, account_id, email, email_ok, client ? client : "",
	         pair_hash)) != LC_OK ||
	    (e = backed_off(core->db, st, pair_hash, now, retry_after)) != LC_OK ||
	    (client &&
	        (e = throttled(core->db, LOGIN_SCOPE_CLIENT, client_hash, st->max_failures_ip,
	             st->failure_window_seconds, now, retry_after)) != LC_OK)) {
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
	if (stored == NULL) {
		pthread_once(&dummy_once, dummy_init);
		stored = dummy_hash;
	}
	ok = pwlen <= USER_PASSWORD_MAX && stored[0] != '\0' &&
	     crypto_pwhash_str_verify(stored, password, pwlen) == 0 && user_id != 0;
	if (ok && crypto_pwhash_str_needs_rehash(stored, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	              crypto_pwhash_MEMLIMIT_INTERACTIVE) == 1) {
		char fresh[crypto_pwhash_STRBYTES];
		if (password_hash(password, fresh) == LC_OK)
			(void)store_user_set_password(core->db, user_id, fresh, now_sql);
		sodium_memzero(fresh, sizeof(fresh));
	}
	db_rows_free(&r);

	if (!ok) {
		sqltime_format(now - LOGIN_MEMORY_MS, cutoff);
		if ((e = store_login_failure_add(
		         core->db, LOGIN_SCOPE_ACCOUNT_CLIENT, pair_hash, now_sql)) != LC_OK ||
		    (client && (e = store_login_failure_add(core->db, LOGIN_SCOPE_CLIENT,
		                    client_hash, now_sql)) != LC_OK) ||
		    (e = store_login_failures_purge(core->db, cutoff)) != LC_OK)
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
	if ((e = store_login_failures_clear(core->db, LOGIN_SCOPE_ACCOUNT_CLIENT, pair_hash)) !=
	        LC_OK ||
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

lc_err
sessions_resolve(
    struct core *core, const struct session_settings *st, const char *sid, struct user_session *out)
{
	char now_sql[TIME_SQL_LEN], expires[TIME_SQL_LEN];
	unsigned char hash[32];
	struct db_rows r;
	int64_t now = now_ms(), last_seen, absolute, next;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (sid == NULL || !secret_shape(sid))
		return LC_EAUTH;
	secret_hash(sid, hash);
	sqltime_format(now, now_sql);
	if ((e = store_session_get(core->db, hash, now_sql, &r)) != LC_OK)
		return e;
	if (r.nrows != 1 || db_len(&r, 0, SES_COL_CSRF) != sizeof(out->csrf_secret)) {
		db_rows_free(&r);
		return LC_EAUTH;
	}
	out->user_id = db_i64(&r, 0, SES_COL_USER);
	snprintf(
	    out->user_public, sizeof(out->user_public), "%s", db_str(&r, 0, SES_COL_USER_PUBLIC));
	snprintf(out->email, sizeof(out->email), "%s", db_str(&r, 0, SES_COL_EMAIL));
	memcpy(out->csrf_secret, db_str(&r, 0, SES_COL_CSRF), sizeof(out->csrf_secret));
	out->created_ms = ms_of(&r, 0, SES_COL_CREATED);
	last_seen = ms_of(&r, 0, SES_COL_LAST_SEEN);
	out->expires_ms = ms_of(&r, 0, SES_COL_EXPIRES);
	db_rows_free(&r);

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

lc_err
sessions_end(struct core *core, const char *sid)
{
	unsigned char hash[32];

	if (sid == NULL || !secret_shape(sid))
		return LC_OK;
	secret_hash(sid, hash);
	return store_session_delete(core->db, hash);
}

/* ---- a user's workspaces ---- */

lc_err
users_workspaces(struct core *core, int64_t user_id, struct user_workspace_list *out)
{
	size_t i;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_user_workspaces(core->db, user_id, &out->rows)) != LC_OK)
		return e;
	if (out->rows.nrows > 0 &&
	    (out->items = calloc(out->rows.nrows, sizeof(*out->items))) == NULL) {
		db_rows_free(&out->rows);
		return LC_ENOMEM;
	}
	for (i = 0; i < out->rows.nrows; i++) {
		struct user_workspace *w = &out->items[i];
		w->id = db_i64(&out->rows, i, UWS_COL_ID);
		w->account_id = db_i64(&out->rows, i, UWS_COL_ACCOUNT);
		w->public_id = db_str(&out->rows, i, UWS_COL_PUBLIC);
		w->name = db_str(&out->rows, i, UWS_COL_NAME);
		w->role = (unsigned)db_i64(&out->rows, i, UWS_COL_ROLE);
	}
	out->n = out->rows.nrows;
	return LC_OK;
}

void
user_workspace_list_free(struct user_workspace_list *l)
{
	db_rows_free(&l->rows);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

lc_err
users_principal(struct core *core, const struct user_session *s, const char *ws_public,
    struct principal *out, char *name, size_t name_len, unsigned *role)
{
	struct db_rows r;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (!id_has_shape("ws_", ws_public, strlen(ws_public)))
		return LC_ENOTFOUND;
	if ((e = store_user_workspace(core->db, s->user_id, ws_public, &r)) != LC_OK)
		return e;
	if (r.nrows != 1) {
		db_rows_free(&r);
		return LC_ENOTFOUND;
	}
	out->account_id = db_i64(&r, 0, UWS_COL_ACCOUNT);
	out->workspace_id = db_i64(&r, 0, UWS_COL_ID);
	snprintf(out->workspace_public, sizeof(out->workspace_public), "%s",
	    db_str(&r, 0, UWS_COL_PUBLIC));
	out->account_key = 0;
	*role = (unsigned)db_i64(&r, 0, UWS_COL_ROLE);
	out->can_approve = user_role_approves(*role);
	if (name && name_len)
		snprintf(name, name_len, "%s", db_str(&r, 0, UWS_COL_NAME));
	db_rows_free(&r);
	return LC_OK;
}

void
users_actor(const struct user_session *s, char *out, size_t len)
{
	snprintf(out, len, "user:%s", s->user_public);
}

/* ---- reads of the pages ---- */

static lc_err
decisions_fill(struct decision_page *page, size_t n)
{
	const struct db_rows *r = &page->rows;
	size_t i;

	if (n > 0 && (page->items = calloc(n, sizeof(*page->items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < n; i++) {
		struct decision_entry *d = &page->items[i];
		d->id = db_i64(r, i, DEC_COL_ID);
		d->at_ms = ms_of(r, i, DEC_COL_AT);
		d->decision = (unsigned)db_i64(r, i, DEC_COL_DECISION);
		d->decided_by = db_str(r, i, DEC_COL_BY);
		d->user_email = db_str(r, i, DEC_COL_USER_EMAIL);
		d->reason = db_str(r, i, DEC_COL_REASON);
		d->edited_subject = db_i64(r, i, DEC_COL_ED_SUBJECT) != 0;
		d->edited_body = db_i64(r, i, DEC_COL_ED_BODY) != 0;
		d->message_public_id = db_str(r, i, DEC_COL_MSG_PUBLIC);
		d->subject = db_str(r, i, DEC_COL_SUBJECT);
		d->to = db_str(r, i, DEC_COL_TO);
		d->to_name = db_str(r, i, DEC_COL_TO_NAME);
		d->campaign_public_id = db_str(r, i, DEC_COL_CAMPAIGN_PUBLIC);
		d->campaign_name = db_str(r, i, DEC_COL_CAMPAIGN_NAME);
	}
	page->n = n;
	return LC_OK;
}

lc_err
decisions_list(struct core *core, const struct principal *who, unsigned limit, int has_cursor,
    int64_t cursor_ms, int64_t cursor_id, struct decision_page *page)
{
	struct store_window w;
	char before[TIME_SQL_LEN];
	size_t n;
	lc_err e;

	memset(page, 0, sizeof(*page));
	if (limit < 1 || limit > 200)
		return LC_EINVAL;
	page_window(&w, before, limit, has_cursor, cursor_ms, cursor_id);
	if ((e = store_decision_list(core->db, who->workspace_id, &w, &page->rows)) != LC_OK)
		return e;
	n = page->rows.nrows;
	page->has_next = n > limit;
	if (page->has_next)
		n = limit;
	if ((e = decisions_fill(page, n)) != LC_OK) {
		decision_page_free(page);
		return e;
	}
	if (page->has_next)
		cursor_encode(page->items[n - 1].at_ms, page->items[n - 1].id, page->next_cursor);
	return LC_OK;
}

lc_err
decisions_of_message(
    struct core *core, const struct principal *who, int64_t msg_id, struct decision_page *page)
{
	lc_err e;

	memset(page, 0, sizeof(*page));
	if ((e = store_decisions_of_message(core->db, who->workspace_id, msg_id, &page->rows)) !=
	    LC_OK)
		return e;
	if ((e = decisions_fill(page, page->rows.nrows)) != LC_OK)
		decision_page_free(page);
	return e;
}

void
decision_page_free(struct decision_page *page)
{
	db_rows_free(&page->rows);
	free(page->items);
	page->items = NULL;
	page->n = 0;
}

lc_err
messages_of_relationship(struct core *core, const struct principal *who, int64_t relationship_id,
    unsigned limit, struct history *out)
{
	size_t i, n;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_msg_of_relationship(
	         core->db, who->workspace_id, relationship_id, limit, &out->rows)) != LC_OK)
		return e;
	n = out->rows.nrows;
	if (n > 0 && (out->items = calloc(n, sizeof(*out->items))) == NULL) {
		db_rows_free(&out->rows);
		return LC_ENOMEM;
	}
	/* the rows come newest first; the page reads oldest first */
	for (i = 0; i < n; i++) {
		struct history_entry *h = &out->items[n - 1 - i];
		h->public_id = db_str(&out->rows, i, HIST_COL_PUBLIC);
		h->subject = db_str(&out->rows, i, HIST_COL_SUBJECT);
		h->kind = (unsigned)db_i64(&out->rows, i, HIST_COL_KIND);
		h->status = (unsigned)db_i64(&out->rows, i, HIST_COL_STATUS);
		h->created_ms = ms_of(&out->rows, i, HIST_COL_CREATED);
		h->schedule_ms = ms_of(&out->rows, i, HIST_COL_SCHEDULE);
		h->sent_ms = ms_of(&out->rows, i, HIST_COL_SENT);
	}
	out->n = n;
	return LC_OK;
}

void
history_free(struct history *h)
{
	db_rows_free(&h->rows);
	free(h->items);
	h->items = NULL;
	h->n = 0;
}
