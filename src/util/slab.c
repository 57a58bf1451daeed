/* slab.c: size-class regions mapped from the kernel (see slab.h). Every region is
 * REGION-aligned, so a block's region header is found by masking its address. The
 * header holds a bitmap of the region's free blocks rather than a list through them, so
 * a free block's pages can go back to the kernel without losing anything, and a block is
 * handed out lowest address first, which keeps the live blocks packed at the start of
 * their regions and the pages past them free. Under AddressSanitizer everything but the
 * header and the allocated bytes of live blocks is poisoned, so reading past an entry or
 * after its release is caught as with malloc. */
#include <sanitizer/asan_interface.h> /* the macros do nothing without ASan */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/slab.h"

#define REGION ((size_t)1 << 20)
#define SMALL_MAX (REGION / 4) /* larger blocks get a mapping each */
#define NCLASSES 49            /* 64 B, then 4 classes per doubling up to SMALL_MAX */
#define LARGE UINT32_MAX       /* the class of a block with its own mapping */
/* Released blocks' whole pages go back to the kernel once a region has had this many
 * bytes released since it last gave pages back: often enough that resident memory
 * follows the live blocks, rarely enough that an answer replaced by one of its own size
 * does not cost a system call and a page fault every time. */
#define RETURN_AFTER ((size_t)32 << 10)

struct region {
	struct region *next, *prev;         /* the class's regions with room */
	struct region *all_next, *all_prev; /* every region of the slab */
	char *blocks;                       /* block i is at blocks + i * size */
	size_t map_len;
	size_t released; /* bytes released since pages last went back to the kernel */
	uint32_t cls, size, nblocks, live, in_room;
	uint32_t hint;      /* no free block in a word below this one */
	uint32_t nwords;    /* of each bitmap */
	uint64_t bitmaps[]; /* free[nwords], then kept[nwords]: free blocks whose pages
	                     * were not given back yet */
};

/* where a LARGE region's block starts */
#define LARGE_HEAD ((sizeof(struct region) + 15) & ~(size_t)15)

struct slab {
	struct region *room[NCLASSES]; /* per class, the regions a block can come from */
	struct region *all;
	size_t mapped, page;
};

static unsigned class_of(size_t);
static size_t class_size(unsigned);
static void *map_aligned(size_t);
static struct region *region_new(struct slab *, uint32_t, size_t);
static void region_unmap(struct slab *, struct region *);
static void room_add(struct slab *, struct region *);
static void room_remove(struct slab *, struct region *);
static void give_back(const struct slab *, struct region *);

/* class_of: 0 holds up to 64 bytes; above, 2^k < n <= 2^(k+1) falls in one of four
 * classes 2^k + j * 2^(k-2), j = 1..4. */
static unsigned
class_of(size_t n)
{
	unsigned k;

	if (n <= 64)
		return 0;
	k = 63 - (unsigned)__builtin_clzll((unsigned long long)(n - 1));
	return 1 + (k - 6) * 4 + (unsigned)((n - 1 - ((size_t)1 << k)) >> (k - 2));
}

static size_t
class_size(unsigned c)
{
	unsigned k;

	if (c == 0)
		return 64;
	k = 6 + (c - 1) / 4;
	return ((size_t)1 << k) + ((c - 1) % 4 + 1) * ((size_t)1 << (k - 2));
}

/* map_aligned maps len bytes at a REGION-aligned address; NULL when refused. */
static void *
map_aligned(size_t len)
{
	char *p, *aligned;
	size_t head, tail;

	if (len > SIZE_MAX - REGION)
		return NULL;
	p = mmap(NULL, len + REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = (char *)(((uintptr_t)p + REGION - 1) & ~(uintptr_t)(REGION - 1));
	head = (size_t)(aligned - p);
	tail = REGION - head;
	if (head > 0)
		munmap(p, head);
	if (tail > 0)
		munmap(aligned + len, tail);
	return aligned;
}

/* region_new maps a region of class cls (len bytes; a LARGE region holds one block
 * after its header). Blocks of a page or more start on a page, so that each of their
 * pages is theirs alone and goes back to the kernel with them. */
static struct region *
region_new(struct slab *s, uint32_t cls, size_t len)
{
	struct region *r = map_aligned(len);
	size_t size = cls == LARGE ? len : class_size(cls), head, n, w;

	if (r == NULL)
		return NULL;
	n = cls == LARGE ? 1 : (REGION - sizeof(*r)) / size;
	r->nwords = cls == LARGE ? 0 : (uint32_t)((n + 63) / 64);
	head = sizeof(*r) + 2 * r->nwords * sizeof(uint64_t);
	head = (head + 15) & ~(size_t)15;
	if (cls != LARGE && size >= s->page)
		head = (head + s->page - 1) / s->page * s->page;
	if (cls != LARGE)
		n = (REGION - head) / size; /* no more than the bitmaps were sized for */
	r->next = r->prev = NULL;
	r->blocks = (char *)r + head;
	r->map_len = len;
	r->released = 0;
	r->cls = cls;
	r->size = cls == LARGE ? 0 : (uint32_t)size;
	r->nblocks = (uint32_t)n;
	r->live = 0;
	r->in_room = 0;
	r->hint = 0;
	for (w = 0; w < r->nwords; w++) {
		size_t bits = n - w * 64 >= 64 ? 64 : n - w * 64;
		r->bitmaps[w] = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
		r->bitmaps[r->nwords + w] = 0; /* never touched: nothing to give back */
	}
	r->all_prev = NULL;
	r->all_next = s->all;
	if (s->all)
		s->all->all_prev = r;
	s->all = r;
	s->mapped += len;
	ASAN_POISON_MEMORY_REGION(r->blocks, len - head);
	return r;
}

static void
region_unmap(struct slab *s, struct region *r)
{
	if (r->in_room)
		room_remove(s, r);
	if (r->all_prev)
		r->all_prev->all_next = r->all_next;
	else
		s->all = r->all_next;
	if (r->all_next)
		r->all_next->all_prev = r->all_prev;
	s->mapped -= r->map_len;
	ASAN_UNPOISON_MEMORY_REGION(r, r->map_len); /* the next mapping here starts clean */
	munmap(r, r->map_len);
}

static void
room_add(struct slab *s, struct region *r)
{
	r->prev = NULL;
	r->next = s->room[r->cls];
	if (r->next)
		r->next->prev = r;
	s->room[r->cls] = r;
	r->in_room = 1;
}

static void
room_remove(struct slab *s, struct region *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		s->room[r->cls] = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
	r->in_room = 0;
}

#define BIT_SET(map, i) (((map)[(i) / 64] >> ((i) % 64)) & 1)

/* give_back returns to the kernel every whole page inside a run of free blocks that
 * holds a block released since the last time (the run's ends may share a page with a
 * live block, which stays). The pages read as zeros when a block there is next handed
 * out. A failed madvise leaves the pages resident, which is all it costs. */
static void
give_back(const struct slab *s, struct region *r)
{
	uint64_t *free = r->bitmaps, *kept = r->bitmaps + r->nwords;
	uint32_t w, lo, hi;
	uintptr_t start, end;

	for (w = 0; w < r->nwords; w++) {
		while (kept[w]) {
			lo = w * 64 + (uint32_t)__builtin_ctzll(kept[w]);
			hi = lo + 1;
			while (lo > 0 && BIT_SET(free, lo - 1))
				lo--;
			while (hi < r->nblocks && BIT_SET(free, hi))
				hi++;
			start = (uintptr_t)(r->blocks + (size_t)lo * r->size);
			end = hi == r->nblocks ? (uintptr_t)r + REGION
			                       : (uintptr_t)(r->blocks + (size_t)hi * r->size);
			start = (start + s->page - 1) & ~(uintptr_t)(s->page - 1);
			end &= ~(uintptr_t)(s->page - 1);
			if (start < end)
				(void)madvise((void *)start, end - start, MADV_DONTNEED);
			for (; lo < hi; lo++)
				kept[lo / 64] &= ~((uint64_t)1 << (lo % 64));
		}
	}
	r->released = 0;
}

struct slab *
slab_new(void)
{
	struct slab *s = calloc(1, sizeof(struct slab));
	long page = sysconf(_SC_PAGESIZE);

	if (s == NULL)
		return NULL;
	/* a page size that is not a power of two up to a region would break the layout */
	s->page = page >= 4096 && (size_t)page <= REGION / 4 && (page & (page - 1)) == 0
	              ? (size_t)page
	              : 4096;
	return s;
}

void
slab_free(struct slab *s)
{
	if (s == NULL)
		return;
	while (s->all)
		region_unmap(s, s->all);
	free(s);
}

void *
slab_alloc(struct slab *s, size_t n, size_t *taken)
{
	struct region *r;
	unsigned c;
	uint32_t w, i;
	size_t size;
	char *p;

	if (n == 0)
		return NULL;
	if (n > SMALL_MAX) {
		if (n > SIZE_MAX - s->page - LARGE_HEAD)
			return NULL;
		size = (LARGE_HEAD + n + s->page - 1) / s->page * s->page;
		if ((r = region_new(s, LARGE, size)) == NULL)
			return NULL;
		r->live = 1;
		*taken = size;
		ASAN_UNPOISON_MEMORY_REGION(r->blocks, n);
		return r->blocks;
	}
	c = class_of(n);
	size = class_size(c);
	if ((r = s->room[c]) == NULL) {
		if ((r = region_new(s, c, REGION)) == NULL)
			return NULL;
		room_add(s, r);
	}
	/* a region with room has a free block at or past its hint */
	for (w = r->hint; r->bitmaps[w] == 0; w++)
		;
	r->hint = w;
	i = w * 64 + (uint32_t)__builtin_ctzll(r->bitmaps[w]);
	r->bitmaps[w] &= r->bitmaps[w] - 1;
	r->bitmaps[r->nwords + w] &= ~((uint64_t)1 << (i % 64));
	r->live++;
	if (r->live == r->nblocks)
		room_remove(s, r); /* full */
	p = r->blocks + (size_t)i * size;
	*taken = size;
	ASAN_UNPOISON_MEMORY_REGION(p, n);
	return p;
}

void
slab_release(struct slab *s, void *p)
{
	struct region *r;
	uint32_t i;

	if (p == NULL)
		return;
	r = (struct region *)((uintptr_t)p & ~(uintptr_t)(REGION - 1));
	if (r->cls == LARGE) {
		region_unmap(s, r);
		return;
	}
	i = (uint32_t)(((char *)p - r->blocks) / r->size);
	ASAN_POISON_MEMORY_REGION(p, r->size);
	r->bitmaps[i / 64] |= (uint64_t)1 << (i % 64);
	r->bitmaps[r->nwords + i / 64] |= (uint64_t)1 << (i % 64);
	if (i / 64 < r->hint)
		r->hint = i / 64;
	r->live--;
	if (!r->in_room)
		room_add(s, r);
	/* an empty region goes back to the kernel unless it is its class's last one with
	 * room (kept, so that one block coming and going does not map and unmap a region;
	 * its pages go back all the same) */
	if (r->live == 0 && (s->room[r->cls] != r || r->next != NULL)) {
		region_unmap(s, r);
		return;
	}
	r->released += r->size;
	if (r->released >= RETURN_AFTER || r->live == 0)
		give_back(s, r);
}

size_t
slab_mapped(const struct slab *s)
{
	return s->mapped;
}
