/* rcache.h: a bounded, thread-safe cache of byte strings (rendered responses) keyed by
 * byte strings. Each entry carries the data version it was built from and the time it
 * stops being right; a lookup names the current version, so an entry built from older
 * data is never returned. Least recently used entries are evicted to stay within the
 * byte budget. Keys are hashed with a random SipHash key, so a client choosing keys
 * cannot make chains long. */
#ifndef LC_RCACHE_H
#define LC_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct rcache;

struct rcache_stats {
	uint64_t hits, misses, stores, evictions;
	size_t bytes, entries;
};

/* rcache_new makes a cache that holds at most max_bytes of entries (key, value and
 * bookkeeping, counted as the blocks they occupy in the cache's own memory; about one
 * region per shard and size class in use comes on top).
 * Returns NULL when memory is short or max_bytes is 0. Free with rcache_free. */
struct rcache *rcache_new(size_t max_bytes);
/* rcache_free releases the cache and every entry; NULL is allowed. */
void rcache_free(struct rcache *c);
/* rcache_get appends the value stored under key to out when it was stored with exactly
 * this version and is still fresh at now_ms: 1. Otherwise 0 (a stale entry is dropped);
 * also 0, with out unchanged in length, when out cannot take the value. */
int rcache_get(struct rcache *c, const void *key, size_t keylen, uint64_t version, int64_t now_ms,
    struct buf *out);
/* rcache_put stores a copy of value under key, replacing what was there, valid for
 * version until expires_ms. A value too large for the cache's budget (over an eighth of
 * a shard) is not stored; neither is one on allocation failure: a cache may forget. */
void rcache_put(struct rcache *c, const void *key, size_t keylen, uint64_t version,
    int64_t expires_ms, const void *value, size_t len);
/* rcache_get_stats fills st with counters since rcache_new. */
void rcache_get_stats(struct rcache *c, struct rcache_stats *st);

#endif
