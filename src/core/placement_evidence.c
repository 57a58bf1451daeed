/* placement_evidence.c: a check's evidence as JSON, one shape for the API's checks list
 * and the link.placed / link.lost webhooks (docs/placements.md). */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/placements.h"
#include "db/store_placements.h"
#include "util/timefmt.h"

static json_t *str_or_null(const char *);
static json_t *issues_json(const char *);

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* issues_json splits a stored comma-separated issue list into an array. */
static json_t *
issues_json(const char *s)
{
	json_t *a = json_array();

	while (a && s && *s) {
		size_t n = strcspn(s, ",");
		if (n > 0)
			json_array_append_new(a, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return a;
}

json_t *
placement_check_json(const struct db_rows *r, size_t i)
{
	char when[TIME_RFC3339_LEN], id[32];
	const char *at = db_str(r, i, PCK_COL_AT), *links = db_str(r, i, PCK_COL_LINKS);
	const char *hops = db_str(r, i, PCK_COL_HOPS);
	json_t *lj = NULL, *hj = NULL, *o;
	int64_t ms = 0;

	if (at == NULL || sqltime_parse(at, strlen(at), &ms) != LC_OK)
		ms = 0;
	rfc3339_format(ms, when);
	snprintf(id, sizeof(id), "chk_%lld", (long long)db_i64(r, i, PCK_COL_ID));
	/* the worker wrote it with jansson; a row that does not parse shows no links */
	if (links != NULL)
		lj = json_loads(links, 0, NULL);
	if (lj == NULL || !json_is_array(lj)) {
		json_decref(lj);
		lj = json_array();
	}
	o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:{s:o,s:o,s:o},s:o,s:o,s:b,s:o,s:o,"
	              "s:I,s:o}",
	    "id", id, "checkedAt", when, "verdict",
	    placement_verdict_name((unsigned)db_i64(r, i, PCK_COL_VERDICT)), "issues",
	    issues_json(db_str(r, i, PCK_COL_ISSUES)), "reason",
	    str_or_null(db_str(r, i, PCK_COL_REASON)), "httpStatus",
	    db_str(r, i, PCK_COL_HTTP) ? json_integer(db_i64(r, i, PCK_COL_HTTP)) : json_null(),
	    "finalUrl", str_or_null(db_str(r, i, PCK_COL_FINAL)), "redirects",
	    (json_int_t)db_i64(r, i, PCK_COL_REDIRECTS), "headers", "contentType",
	    str_or_null(db_str(r, i, PCK_COL_CTYPE)), "xRobotsTag",
	    str_or_null(db_str(r, i, PCK_COL_XROBOTS)), "lastModified",
	    str_or_null(db_str(r, i, PCK_COL_LASTMOD)), "bodySha256",
	    str_or_null(db_str(r, i, PCK_COL_SHA)), "bodySize",
	    db_str(r, i, PCK_COL_SIZE) ? json_integer(db_i64(r, i, PCK_COL_SIZE)) : json_null(),
	    "truncated", (int)db_i64(r, i, PCK_COL_TRUNCATED), "metaRobots",
	    str_or_null(db_str(r, i, PCK_COL_META)), "canonical",
	    str_or_null(db_str(r, i, PCK_COL_CANONICAL)), "anchorsOnPage",
	    (json_int_t)db_i64(r, i, PCK_COL_ANCHORS), "links", lj);
	/* the hop chain: null for checks made before it was recorded; a row that does not
	 * parse shows none */
	if (o != NULL) {
		if (hops != NULL && (hj = json_loads(hops, 0, NULL)) != NULL &&
		    !json_is_array(hj)) {
			json_decref(hj);
			hj = json_array();
		}
		if (hops != NULL && hj == NULL)
			hj = json_array();
		if (json_object_set_new(o, "hops", hj != NULL ? hj : json_null()) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *
placement_event_evidence(struct db *db, const char *rel_public, const char *link_url, int lost,
    char *placement_public, size_t len)
{
	struct db_rows r;
	json_t *out = NULL;

	placement_public[0] = '\0';
	if (store_pl_event_check(db, rel_public, link_url, lost, &r) != LC_OK)
		return NULL;
	if (r.nrows == 1) {
		out = placement_check_json(&r, 0);
		snprintf(placement_public, len, "%s",
		    db_str(&r, 0, PCK_COL_PLACEMENT_PUBLIC)
		        ? db_str(&r, 0, PCK_COL_PLACEMENT_PUBLIC)
		        : "");
	}
	db_rows_free(&r);
	return out;
}
