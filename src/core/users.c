/* users.c: users and their role per workspace, one-time set-password links, and the
 * principal a signed-in user acts as. Passwords are passwords.c's, sessions sessions.c's.
 *
 * A set-password token is a secret (secret.h): only its SHA-256 is stored, and it is used
 * up by the one request that sets the password, which also ends every session of the
 * user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/passwords.h"
#include "core/users.h"
#include "core/validate.h"
#include "db/store_accounts.h"
#include "db/store_users.h"
#include "util/log.h"
#include "util/timefmt.h"

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

static lc_err add_tx(struct db *, void *);
static lc_err link_tx(struct db *, void *);

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
	char hash[PASSWORD_HASH_MAX];
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
	char hash[PASSWORD_HASH_MAX];
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

void
users_principal_row(const struct db_rows *r, size_t col0, struct principal *out, char *name,
    size_t name_len, unsigned *role)
{
	memset(out, 0, sizeof(*out));
	out->account_id = db_i64(r, 0, col0 + UWS_COL_ACCOUNT);
	out->workspace_id = db_i64(r, 0, col0 + UWS_COL_ID);
	snprintf(out->workspace_public, sizeof(out->workspace_public), "%s",
	    db_str(r, 0, col0 + UWS_COL_PUBLIC));
	out->account_key = 0;
	*role = (unsigned)db_i64(r, 0, col0 + UWS_COL_ROLE);
	out->can_approve = user_role_approves(*role);
	if (name && name_len)
		snprintf(name, name_len, "%s", db_str(r, 0, col0 + UWS_COL_NAME));
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
	users_principal_row(&r, 0, out, name, name_len, role);
	db_rows_free(&r);
	return LC_OK;
}

void
users_actor(const struct user_session *s, char *out, size_t len)
{
	snprintf(out, len, "user:%s", s->user_public);
}
