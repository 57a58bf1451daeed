/* slab.c: size-class regions mapped from the kernel (see slab.h). Every region is
 * REGION-aligned, so a block's region header is found by masking its address. Under
 * AddressSanitizer everything but the header and the allocated bytes of live blocks is
 * poisoned, so reading past an entry or after its release is caught as with malloc. */
#include <sanitizer/asan_interface.h> /* the macros do nothing without ASan */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/slab.h"

#define REGION ((size_t)1 << 20)
#define HEADER ((size_t)128)   /* a region's header; blocks after it stay 16-byte aligned */
#define SMALL_MAX (REGION / 4) /* larger blocks get a mapping each */
#define NCLASSES 49            /* 64 B, then 4 classes per doubling up to SMALL_MAX */
#define LARGE UINT32_MAX       /* the class of a block with its own mapping */

struct region {
	struct region *next, *prev;         /* the class's regions with room */
	struct region *all_next, *all_prev; /* every region of the slab */
	void *free;                         /* released blocks, linked through their first word */
	char *bump;                         /* blocks from here on were never handed out */
	size_t map_len;
	uint32_t cls, live, in_room;
};

_Static_assert(sizeof(struct region) <= HEADER, "a region header must fit before its blocks");

struct slab {
	struct region *room[NCLASSES]; /* per class, the regions a block can come from */
	struct region *all;
	size_t mapped;
};

static unsigned class_of(size_t);
static size_t class_size(unsigned);
static void *map_aligned(size_t);
static struct region *region_new(struct slab *, uint32_t, size_t);
static void region_unmap(struct slab *, struct region *);
static void room_add(struct slab *, struct region *);
static void room_remove(struct slab *, struct region *);

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

static struct region *
region_new(struct slab *s, uint32_t cls, size_t len)
{
	struct region *r = map_aligned(len);

	if (r == NULL)
		return NULL;
	r->next = r->prev = NULL;
	r->free = NULL;
	r->bump = (char *)r + HEADER;
	r->map_len = len;
	r->cls = cls;
	r->live = 0;
	r->in_room = 0;
	r->all_prev = NULL;
	r->all_next = s->all;
	if (s->all)
		s->all->all_prev = r;
	s->all = r;
	s->mapped += len;
	ASAN_POISON_MEMORY_REGION(r->bump, len - HEADER);
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

struct slab *
slab_new(void)
{
	return calloc(1, sizeof(struct slab));
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
	size_t size, page;
	long pagesize;
	void *p;

	if (n == 0)
		return NULL;
	if (n > SMALL_MAX) {
		pagesize = sysconf(_SC_PAGESIZE);
		page = pagesize > 0 ? (size_t)pagesize : 4096;
		if (n > SIZE_MAX - HEADER - page)
			return NULL;
		size = (HEADER + n + page - 1) / page * page;
		if ((r = region_new(s, LARGE, size)) == NULL)
			return NULL;
		r->live = 1;
		*taken = size;
		ASAN_UNPOISON_MEMORY_REGION((char *)r + HEADER, n);
		return (char *)r + HEADER;
	}
	c = class_of(n);
	size = class_size(c);
	if ((r = s->room[c]) == NULL) {
		if ((r = region_new(s, c, REGION)) == NULL)
			return NULL;
		room_add(s, r);
	}
	if (r->free) {
		p = r->free;
		ASAN_UNPOISON_MEMORY_REGION(p, sizeof(void *));
		r->free = *(void **)p;
		ASAN_POISON_MEMORY_REGION(p, size);
	} else {
		p = r->bump;
		r->bump += size;
	}
	r->live++;
	if (r->free == NULL && r->bump + size > (char *)r + REGION)
		room_remove(s, r); /* full */
	*taken = size;
	ASAN_UNPOISON_MEMORY_REGION(p, n);
	return p;
}

void
slab_release(struct slab *s, void *p)
{
	struct region *r;

	if (p == NULL)
		return;
	r = (struct region *)((uintptr_t)p & ~(uintptr_t)(REGION - 1));
	if (r->cls == LARGE) {
		region_unmap(s, r);
		return;
	}
	ASAN_UNPOISON_MEMORY_REGION(p, sizeof(void *));
	*(void **)p = r->free;
	r->free = p;
	ASAN_POISON_MEMORY_REGION(p, class_size(r->cls));
	r->live--;
	if (!r->in_room)
		room_add(s, r);
	/* an empty region goes back to the kernel unless it is its class's last one with
	 * room (kept, so that one block coming and going does not map and unmap a region) */
	if (r->live == 0 && (s->room[r->cls] != r || r->next != NULL))
		region_unmap(s, r);
}

size_t
slab_mapped(const struct slab *s)
{
	return s->mapped;
}
