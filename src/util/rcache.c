/* rcache.c: sixteen shards, each a chained hash table and an LRU list under one mutex,
 * so threads looking up different keys rarely wait for each other. A value is copied
 * out under the shard's lock: entries are never shared with callers, so eviction needs
 * no reference counts. Entries live in each shard's slab (util/slab.h), not in malloc's
 * heap, where they would make every request's own allocations slower as the cache grows. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "util/rcache.h"
#include "util/slab.h"

#define SHARDS 16
#define FIRST_BUCKETS 64

struct entry {
	struct entry *chain;         /* next in the bucket */
	struct entry *newer, *older; /* LRU list, circular through the shard's head */
	uint64_t hash, version;
	int64_t expires_ms;
	size_t keylen, len;
	size_t taken;         /* what the entry occupies in the slab: the budget counts it */
	unsigned char data[]; /* key, then value */
};

struct shard {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t nbuckets, entries, bytes, max_bytes;
	struct entry lru;  /* head: lru.older is the newest, lru.newer the oldest */
	struct slab *slab; /* the entries' memory */
	uint64_t hits, misses, stores, evictions;
};

struct rcache {
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct shard shards[SHARDS];
};

static uint64_t hash_of(const struct rcache *, const void *, size_t);
static void unlink_entry(struct shard *, struct entry *);
static void touch(struct shard *, struct entry *);
static struct entry **slot_of(struct shard *, uint64_t, const void *, size_t);
static void grow(struct shard *);

static uint64_t
hash_of(const struct rcache *c, const void *key, size_t keylen)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, key, keylen, c->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

/* unlink_entry takes e out of its bucket and the LRU list and releases it. */
static void
unlink_entry(struct shard *s, struct entry *e)
{
	struct entry **p = &s->buckets[(e->hash >> 4) & (s->nbuckets - 1)];

	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	e->newer->older = e->older;
	e->older->newer = e->newer;
	s->entries--;
	s->bytes -= e->taken;
	slab_release(s->slab, e);
}

/* touch makes e the most recently used entry. */
static void
touch(struct shard *s, struct entry *e)
{
	e->newer->older = e->older;
	e->older->newer = e->newer;
	e->older = s->lru.older;
	e->newer = &s->lru;
	s->lru.older->newer = e;
	s->lru.older = e;
}

/* slot_of returns the link that points at key's entry, or at NULL when there is none. */
static struct entry **
slot_of(struct shard *s, uint64_t hash, const void *key, size_t keylen)
{
	struct entry **p = &s->buckets[(hash >> 4) & (s->nbuckets - 1)];

	for (; *p; p = &(*p)->chain)
		if ((*p)->hash == hash && (*p)->keylen == keylen &&
		    memcmp((*p)->data, key, keylen) == 0)
			break;
	return p;
}

/* grow doubles the bucket array; when memory is short the chains just get longer. */
static void
grow(struct shard *s)
{
	size_t n = s->nbuckets * 2, i;
	struct entry **b = calloc(n, sizeof(*b)), *e, *next;

	if (b == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++)
		for (e = s->buckets[i]; e; e = next) {
			next = e->chain;
			e->chain = b[(e->hash >> 4) & (n - 1)];
			b[(e->hash >> 4) & (n - 1)] = e;
		}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
}

struct rcache *
rcache_new(size_t max_bytes)
{
	struct rcache *c;
	size_t i;

	if (max_bytes == 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	randombytes_buf(c->hash_key, sizeof(c->hash_key));
	for (i = 0; i < SHARDS; i++) {
		struct shard *s = &c->shards[i];
		pthread_mutex_init(&s->lock, NULL);
		s->nbuckets = FIRST_BUCKETS;
		s->max_bytes = max_bytes / SHARDS;
		s->lru.newer = s->lru.older = &s->lru;
		if ((s->buckets = calloc(s->nbuckets, sizeof(*s->buckets))) == NULL ||
		    (s->slab = slab_new()) == NULL) {
			rcache_free(c);
			return NULL;
		}
	}
	return c;
}

void
rcache_free(struct rcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < SHARDS; i++) {
		struct shard *s = &c->shards[i];
		if (s->buckets == NULL)
			continue;   /* rcache_new failed before this shard */
		slab_free(s->slab); /* every entry with it */
		free(s->buckets);
		pthread_mutex_destroy(&s->lock);
	}
	free(c);
}

int
rcache_get(struct rcache *c, const void *key, size_t keylen, uint64_t version, int64_t now_ms,
    struct buf *out)
{
	uint64_t h = hash_of(c, key, keylen);
	struct shard *s = &c->shards[h & (SHARDS - 1)];
	struct entry *e;
	int hit = 0;

	pthread_mutex_lock(&s->lock);
	e = *slot_of(s, h, key, keylen);
	if (e != NULL && (e->version != version || e->expires_ms <= now_ms)) {
		unlink_entry(s, e);
		e = NULL;
	}
	if (e != NULL && buf_append(out, e->data + e->keylen, e->len) == LC_OK) {
		touch(s, e);
		hit = 1;
	}
	if (hit)
		s->hits++;
	else
		s->misses++;
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void
rcache_put(struct rcache *c, const void *key, size_t keylen, uint64_t version, int64_t expires_ms,
    const void *value, size_t len)
{
	uint64_t h = hash_of(c, key, keylen);
	struct shard *s = &c->shards[h & (SHARDS - 1)];
	struct entry *e, *old;
	size_t need = sizeof(*e) + keylen + len, taken;

	if (keylen > s->max_bytes || len > s->max_bytes || need > s->max_bytes / 8)
		return;
	pthread_mutex_lock(&s->lock);
	if ((old = *slot_of(s, h, key, keylen)) != NULL)
		unlink_entry(s, old);
	if ((e = slab_alloc(s->slab, need, &taken)) == NULL) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	e->hash = h;
	e->version = version;
	e->expires_ms = expires_ms;
	e->keylen = keylen;
	e->len = len;
	e->taken = taken;
	memcpy(e->data, key, keylen);
	memcpy(e->data + keylen, value, len);
	while (s->bytes + taken > s->max_bytes && s->lru.newer != &s->lru) {
		unlink_entry(s, s->lru.newer);
		s->evictions++;
	}
	if (s->entries >= s->nbuckets)
		grow(s);
	e->chain = s->buckets[(h >> 4) & (s->nbuckets - 1)];
	s->buckets[(h >> 4) & (s->nbuckets - 1)] = e;
	e->older = s->lru.older;
	e->newer = &s->lru;
	s->lru.older->newer = e;
	s->lru.older = e;
	s->entries++;
	s->bytes += taken;
	s->stores++;
	pthread_mutex_unlock(&s->lock);
}

void
rcache_get_stats(struct rcache *c, struct rcache_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < SHARDS; i++) {
		struct shard *s = &c->shards[i];
		pthread_mutex_lock(&s->lock);
		st->hits += s->hits;
		st->misses += s->misses;
		st->stores += s->stores;
		st->evictions += s->evictions;
		st->bytes += s->bytes;
		st->entries += s->entries;
		pthread_mutex_unlock(&s->lock);
	}
}
