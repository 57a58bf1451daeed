/* report_share.c: the report's share links (report.h, docs/report.md). A link is a
 * capability: "<public id>.<secret>", 256 random bits of secret. Only the SHA-256 of the
 * secret is stored, so a copy of the database opens no report; the row is found by its
 * public id and the hashes are compared in constant time, so the lookup tells an attacker
 * nothing about how close a guess was. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"
#include "db/store_report.h"
#include "util/cursor.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#define SHARE_PREFIX "rsh_"
#define SECRET_BYTES 32
#define SECRET_CHARS 43 /* base64url of 32 bytes, no padding */

static void share_from_row(const struct db_rows *r, size_t i, struct report_share *s);
static lc_err share_items(struct report_share_list *l);
static int label_ok(const char *s);

const char *
report_share_state(const struct report_share *s, int64_t now)
{
	if (s->revoked_ms >= 0)
		return "revoked";
	return now >= s->expires_ms ? "expired" : "active";
}

static void
share_from_row(const struct db_rows *r, size_t i, struct report_share *s)
{
	s->id = db_str(r, i, RSL_COL_PUBLIC);
	s->campaign_id = db_str(r, i, RSL_COL_CAMPAIGN_PUBLIC);
	s->campaign_name = db_str(r, i, RSL_COL_CAMPAIGN_NAME);
	s->label = db_str(r, i, RSL_COL_LABEL);
	s->created_by = db_str(r, i, RSL_COL_CREATED_BY);
	s->created_ms = db_ms(r, i, RSL_COL_CREATED);
	s->expires_ms = db_ms(r, i, RSL_COL_EXPIRES);
	s->revoked_ms = db_ms(r, i, RSL_COL_REVOKED);
}

/* share_items makes l's items from its rows (all of them). */
static lc_err
share_items(struct report_share_list *l)
{
	size_t i;

	l->n = l->rows.nrows;
	if (l->n == 0)
		return LC_OK;
	if ((l->items = calloc(l->n, sizeof(*l->items))) == NULL)
		return LC_ENOMEM;
	for (i = 0; i < l->n; i++)
		share_from_row(&l->rows, i, &l->items[i]);
	return LC_OK;
}

/* label_ok: valid UTF-8 (the fronts already ensure it), at most REPORT_SHARE_LABEL_MAX
 * bytes, no control characters (it is shown on pages and in CSV file names' neighbours). */
static int
label_ok(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > REPORT_SHARE_LABEL_MAX || !utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

lc_err
report_share_create(struct core *core, const struct principal *who, const char *campaign_public,
    long days, const char *label, const char *created_by, struct report_share_list *out,
    char token[REPORT_TOKEN_MAX], struct core_fail *fail)
{
	unsigned char secret[SECRET_BYTES], hash[KEY_HASH_LEN];
	char public_id[ID_MAX], secret_text[SECRET_CHARS + 1], now[TIME_SQL_LEN],
	    expires[TIME_SQL_LEN];
	struct db_rows c;
	int64_t campaign_id = 0, t = now_ms();
	lc_err e;

	memset(out, 0, sizeof(*out));
	token[0] = '\0';
	if (days < 1 || days > REPORT_SHARE_DAYS_MAX) {
		fail->code = "validation_failed";
		fail->param = "expiresInDays";
		fail->detail = "expiresInDays is a whole number of days from 1 to 90.";
		return LC_EINVAL;
	}
	if (label && !label_ok(label)) {
		fail->code = "validation_failed";
		fail->param = "label";
		fail->detail = "label is 1 to 200 bytes of text without control characters.";
		return LC_EINVAL;
	}
	if (campaign_public) {
		if ((e = store_report_campaign(core->db, who->workspace_id, campaign_public, &c)) !=
		    LC_OK)
			return e;
		campaign_id = c.nrows == 1 ? db_i64(&c, 0, RPC_COL_ID) : 0;
		db_rows_free(&c);
		if (campaign_id == 0) {
			fail->code = "campaign_not_found";
			fail->param = "campaignId";
			fail->detail = "No campaign with this id in this workspace.";
			return LC_ENOTFOUND;
		}
	}
	id_new(SHARE_PREFIX, public_id);
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2base64(secret_text, sizeof(secret_text), secret, sizeof(secret),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
	key_hash(secret_text, SECRET_CHARS, hash);
	sqltime_format(t, now);
	sqltime_format(t + (int64_t)days * 86400000, expires);
	e = store_share_insert(core->db, public_id, who->workspace_id, campaign_id, hash, label,
	    created_by, now, expires);
	if (e == LC_OK) {
		snprintf(token, REPORT_TOKEN_MAX, "%s.%s", public_id, secret_text);
		if ((e = store_share_find(core->db, who->workspace_id, public_id, &out->rows)) ==
		    LC_OK)
			e = out->rows.nrows == 1 ? share_items(out) : LC_EDB;
	}
	sodium_memzero(secret_text, sizeof(secret_text));
	if (e != LC_OK)
		sodium_memzero(token, REPORT_TOKEN_MAX);
	return e;
}

lc_err
report_share_list(struct core *core, const struct principal *who, unsigned limit, int64_t before_id,
    struct report_share_list *out)
{
	struct db_rows c;
	lc_err e;

	memset(out, 0, sizeof(*out));
	if ((e = store_share_list(core->db, who->workspace_id, before_id, limit + 1, &out->rows)) !=
	    LC_OK)
		return e;
	if ((e = store_share_count(core->db, who->workspace_id, &c)) != LC_OK)
		return e;
	out->total = c.nrows == 1 ? db_i64(&c, 0, 0) : 0;
	db_rows_free(&c);
	if ((e = share_items(out)) != LC_OK)
		return e;
	if (out->n > limit) {
		const struct report_share *last = &out->items[limit - 1];

		out->n = limit;
		out->has_next = 1;
		cursor_encode(
		    last->created_ms, db_i64(&out->rows, limit - 1, RSL_COL_ID), out->next_cursor);
	}
	return LC_OK;
}

lc_err
report_share_revoke(struct core *core, const struct principal *who, const char *public_id,
    struct report_share_list *out)
{
	char now[TIME_SQL_LEN];
	lc_err e;

	memset(out, 0, sizeof(*out));
	if (!id_has_shape(SHARE_PREFIX, public_id, strlen(public_id)))
		return LC_ENOTFOUND;
	if ((e = store_share_find(core->db, who->workspace_id, public_id, &out->rows)) != LC_OK)
		return e;
	if (out->rows.nrows != 1)
		return LC_ENOTFOUND;
	if (db_isnull(&out->rows, 0, RSL_COL_REVOKED)) {
		sqltime_format(now_ms(), now);
		if ((e = store_share_revoke(core->db, who->workspace_id,
		         db_i64(&out->rows, 0, RSL_COL_ID), now)) != LC_OK)
			return e;
		db_rows_free(&out->rows);
		if ((e = store_share_find(core->db, who->workspace_id, public_id, &out->rows)) !=
		    LC_OK)
			return e;
		if (out->rows.nrows != 1)
			return LC_ENOTFOUND;
	}
	return share_items(out);
}

lc_err
report_share_url(const struct core *core, const char *token, char *out, size_t len)
{
	const char *base = core->public_url ? core->public_url : "";
	size_t blen = strlen(base);
	int n;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	n = snprintf(out, len, "%.*s/r/%s", (int)blen, base, token);
	return n < 0 || (size_t)n >= len ? LC_ENOMEM : LC_OK;
}

void
report_share_list_free(struct report_share_list *l)
{
	db_rows_free(&l->rows);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

lc_err
report_share_open(struct core *core, const char *token, size_t len, struct principal *who,
    char ws_name[REPORT_WS_NAME_MAX], char campaign[ID_MAX])
{
	unsigned char hash[KEY_HASH_LEN];
	char public_id[ID_MAX];
	const char *dot = memchr(token, '.', len), *s;
	struct db_rows r;
	size_t idlen, i;
	int ok;
	lc_err e;

	memset(who, 0, sizeof(*who));
	ws_name[0] = campaign[0] = '\0';
	if (dot == NULL || (idlen = (size_t)(dot - token)) >= ID_MAX ||
	    !id_has_shape(SHARE_PREFIX, token, idlen) || len - idlen - 1 != SECRET_CHARS)
		return LC_ENOTFOUND;
	for (i = idlen + 1; i < len; i++)
		if (!((token[i] >= 'a' && token[i] <= 'z') ||
		        (token[i] >= 'A' && token[i] <= 'Z') ||
		        (token[i] >= '0' && token[i] <= '9') || token[i] == '_' || token[i] == '-'))
			return LC_ENOTFOUND;
	memcpy(public_id, token, idlen);
	public_id[idlen] = '\0';
	key_hash(dot + 1, SECRET_CHARS, hash);
	if ((e = store_share_open(core->db, public_id, &r)) != LC_OK)
		return e;
	ok = r.nrows == 1 && db_len(&r, 0, RSO_COL_HASH) == KEY_HASH_LEN &&
	     sodium_memcmp(db_str(&r, 0, RSO_COL_HASH), hash, KEY_HASH_LEN) == 0 &&
	     db_isnull(&r, 0, RSO_COL_REVOKED) && now_ms() < db_ms(&r, 0, RSO_COL_EXPIRES) &&
	     /* a campaign's link never falls back to the whole workspace */
	     (db_isnull(&r, 0, RSO_COL_CAMPAIGN_ID) || !db_isnull(&r, 0, RSO_COL_CAMPAIGN_PUBLIC));
	if (ok) {
		who->account_id = db_i64(&r, 0, RSO_COL_ACCOUNT);
		who->workspace_id = db_i64(&r, 0, RSO_COL_WORKSPACE);
		snprintf(who->workspace_public, sizeof(who->workspace_public), "%s",
		    db_str(&r, 0, RSO_COL_WORKSPACE_PUBLIC));
		snprintf(ws_name, REPORT_WS_NAME_MAX, "%s", db_str(&r, 0, RSO_COL_WORKSPACE_NAME));
		if ((s = db_str(&r, 0, RSO_COL_CAMPAIGN_PUBLIC)) != NULL)
			snprintf(campaign, ID_MAX, "%s", s);
	}
	db_rows_free(&r);
	sodium_memzero(hash, sizeof(hash));
	return ok ? LC_OK : LC_ENOTFOUND;
}
