/* cache.c: the response cache of the read endpoints dashboards poll: the campaign
 * list, one campaign and its metrics. An answer is kept under (workspace, path, query)
 * with the workspace's data version read before it was built (core/versions.c); a
 * request reads the version again (one primary-key read) and, when it is unchanged and
 * the answer is still fresh, sends the kept bytes. Any write that could change such an
 * answer moves the version in its own transaction, so a kept answer is never older than
 * what the client could already see. Which routes are cached is said beside the table
 * (http_route_cached in src/routes.c). */
#include <stdio.h>
#include <string.h>

#include "http/dispatch.h"
#include "util/log.h"
#include "util/prom.h"
#include "util/rcache.h"
#include "util/timefmt.h"

#define CACHE_KEY_MAX 4096

static struct rcache *cache; /* one per process, shared by the threads */

lc_err
http_cache_init(size_t max_bytes)
{
	if (max_bytes == 0)
		return LC_OK;
	return (cache = rcache_new(max_bytes)) ? LC_OK : LC_ENOMEM;
}

void
http_cache_free(void)
{
	struct rcache_stats st;

	if (cache == NULL)
		return;
	rcache_get_stats(cache, &st);
	log_msg(LOG_INFO, "response cache: %llu hits, %llu misses, %llu stored, %llu evicted",
	    (unsigned long long)st.hits, (unsigned long long)st.misses,
	    (unsigned long long)st.stores, (unsigned long long)st.evictions);
	rcache_free(cache);
	cache = NULL;
}

lc_err
http_cache_write_metrics(struct buf *out)
{
	struct rcache_stats st;
	lc_err e;

	if (cache == NULL)
		return LC_OK;
	rcache_get_stats(cache, &st);
	if ((e = prom_family(out, "linkcamp_response_cache_lookups_total", "counter",
	         "Response cache lookups of the cached read routes, by result.")) != LC_OK ||
	    (e = prom_sample_u64(out, "linkcamp_response_cache_lookups_total", "result=\"hit\"",
	         st.hits)) != LC_OK ||
	    (e = prom_sample_u64(out, "linkcamp_response_cache_lookups_total", "result=\"miss\"",
	         st.misses)) != LC_OK ||
	    (e = prom_family(out, "linkcamp_response_cache_bytes", "gauge",
	         "Bytes the response cache holds (its limit is response_cache_mb).")) != LC_OK ||
	    (e = prom_sample_u64(out, "linkcamp_response_cache_bytes", NULL, st.bytes)) != LC_OK ||
	    (e = prom_family(out, "linkcamp_response_cache_entries", "gauge",
	         "Answers the response cache holds.")) != LC_OK)
		return e;
	return prom_sample_u64(out, "linkcamp_response_cache_entries", NULL, st.entries);
}

void
http_run_cached(struct http_ctx *ctx)
{
	struct http_request *req = ctx->req;
	unsigned char key[CACHE_KEY_MAX];
	uint64_t version = 0, ws = (uint64_t)ctx->who.workspace_id;
	size_t keylen = sizeof(ws) + req->path_len + 1 + req->query_len;
	struct buf body;
	int64_t now;

	if (cache == NULL || keylen > sizeof(key) ||
	    data_version(ctx->core, &ctx->who, &version) != LC_OK) {
		/* no cache, or the version cannot be read: answer as if there were none */
		ctx->match.route->handler(ctx);
		return;
	}
	memcpy(key, &ws, sizeof(ws));
	memcpy(key + sizeof(ws), req->path, req->path_len);
	key[sizeof(ws) + req->path_len] = '?';
	memcpy(key + sizeof(ws) + req->path_len + 1, req->query, req->query_len);
	now = now_ms();
	buf_init(&body, 2 * HTTP_BODY_MAX);
	if (rcache_get(cache, key, keylen, version, now, &body)) {
		req->cache_status = "hit";
		http_send(req, 200, "application/json", NULL, body.data ? body.data : "", body.len);
		buf_free(&body);
		return;
	}
	buf_free(&body);
	req->cache_status = "miss";
	req->capture = 1;
	ctx->fresh_until_ms = 0;
	ctx->match.route->handler(ctx);
	if (req->status == 200 && req->capture && ctx->fresh_until_ms > now)
		rcache_put(cache, key, keylen, version, ctx->fresh_until_ms,
		    req->captured.data ? req->captured.data : "", req->captured.len);
}
