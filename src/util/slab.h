/* slab.h: an allocator for long-lived blocks kept apart from malloc's heap. The response
 * cache holds tens of thousands of entries for as long as they are asked for; allocated
 * with malloc they sit between the short-lived buffers of every request, and each
 * request's allocations then walk and merge a heap spread over the whole cache (measured:
 * at 20,000 campaigns a cache hit cost linkcamp-fcgi ~20% more CPU than at 2,000, almost
 * all of it in malloc). A slab takes its memory from the kernel in aligned 1 MiB regions,
 * each region holding blocks of one size class (sizes step by a quarter of a power of
 * two, so a block wastes at most 20%); a region whose blocks are all released goes back
 * to the kernel, and so, in batches, do the whole pages of released blocks in a region
 * still in use: the cache's answers change size as their data grows, and the blocks
 * they leave in a smaller class would otherwise stay resident for good. Blocks larger
 * than a quarter region get a mapping of their own.
 *
 * A slab is not thread-safe: its owner serializes calls (rcache does, per shard). */
#ifndef LC_SLAB_H
#define LC_SLAB_H

#include <stddef.h>

struct slab;

/* slab_new makes an empty slab; NULL when memory is short. Free with slab_free. */
struct slab *slab_new(void);
/* slab_free returns every region to the kernel, blocks still allocated included; NULL is
 * allowed. */
void slab_free(struct slab *s);
/* slab_alloc returns a block of at least n bytes (1 <= n), 16-byte aligned, and sets
 * *taken to the bytes it occupies (what a budget should count). NULL when n is 0 or the
 * kernel refuses memory. The block is the caller's until slab_release. */
void *slab_alloc(struct slab *s, size_t n, size_t *taken);
/* slab_release gives back a block slab_alloc returned from this slab; NULL is allowed. */
void slab_release(struct slab *s, void *p);
/* slab_mapped is the memory the slab holds from the kernel, in bytes. */
size_t slab_mapped(const struct slab *s);

#endif
