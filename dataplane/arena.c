/* arena.c - a per-worker heap for nDPI (arena.h). */
#include "arena.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Classes: 32, 64, ... 1 MiB block sizes, header included. nDPI's largest
 * request on a worker is its BitTorrent cache, 256 KiB, made at first use. */
#define ARENA_MIN_SHIFT 5
#define ARENA_MAX_SHIFT 20
#define ARENA_CLASSES	(ARENA_MAX_SHIFT - ARENA_MIN_SHIFT + 1)
#define ARENA_MAGIC	0xa4e2a11cu

/* 16 bytes before every block's data: keeps the data 16-byte aligned. */
struct arena_hdr {
	uint32_t magic;
	uint16_t cls;
	uint16_t unused;
	uint32_t size; /* bytes asked for */
	uint32_t next; /* on a free list: offset of the next free block + 1, 0 = end */
};

_Static_assert(sizeof(struct arena_hdr) == 16, "arena header is 16 bytes");
_Static_assert(ARENA_MAX_BLOCK == (1u << ARENA_MAX_SHIFT) - sizeof(struct arena_hdr),
	       "ARENA_MAX_BLOCK matches the largest class");

struct arena {
	uint8_t *base;
	uint8_t *end;
	size_t carved;			 /* [base, base + carved) is cut into blocks */
	uint32_t free_head[ARENA_CLASSES]; /* offset + 1 of the first free block, 0 = none */
	struct arena_stats st;
	int slot; /* index in arena_all */
};

/* Every live arena, for arena_free_any's address test. Written on the main
 * thread before workers use the arenas (create) or after (destroy). */
static struct arena *arena_all[ARENA_MAX_ARENAS];
static _Atomic unsigned arena_n; /* highest slot used + 1 */

static __thread struct arena *arena_tls;

/* libc calls on threads without an arena, and the counts of destroyed
 * arenas. Never touched by a thread that has an arena. */
static atomic_uint_fast64_t arena_libc_allocs, arena_libc_frees, arena_dead_allocs,
	arena_dead_frees, arena_dead_failures;

static inline unsigned arena_class_of(size_t n)
{
	size_t total = n + sizeof(struct arena_hdr);
	unsigned shift = ARENA_MIN_SHIFT;

	while (((size_t)1 << shift) < total)
		shift++;
	return shift - ARENA_MIN_SHIFT;
}

static inline size_t arena_class_size(unsigned cls)
{
	return (size_t)1 << (cls + ARENA_MIN_SHIFT);
}

static inline bool arena_owns(const struct arena *a, const void *p)
{
	return (const uint8_t *)p >= a->base && (const uint8_t *)p < a->end;
}

struct arena *arena_create(size_t bytes)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	struct arena *a;
	unsigned i;
	void *m;

	if (bytes == 0 || bytes > (size_t)UINT32_MAX - page) {
		errno = EINVAL;
		return NULL;
	}
	bytes = (bytes + page - 1) & ~(page - 1);
	for (i = 0; i < ARENA_MAX_ARENAS && arena_all[i]; i++)
		;
	if (i == ARENA_MAX_ARENAS) {
		errno = ENOSPC;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	/* Reserved, not committed: a page costs memory once the owning worker
	 * first touches it, which also places it on that worker's node. */
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED) {
		free(a);
		return NULL;
	}
	a->base = m;
	a->end = a->base + bytes;
	a->st.reserved = bytes;
	a->slot = (int)i;
	arena_all[i] = a;
	if (i + 1 > atomic_load(&arena_n))
		atomic_store(&arena_n, i + 1);
	return a;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

void arena_prefault(struct arena *a, size_t bytes)
{
	size_t size;

	if (!a)
		return;
	size = (size_t)(a->end - a->base);
	/* A kernel without it refuses: the pages then come as they are used. */
	(void)madvise(a->base, bytes < size ? bytes : size, MADV_POPULATE_WRITE);
}

void arena_destroy(struct arena *a)
{
	if (!a)
		return;
	atomic_fetch_add(&arena_dead_allocs, a->st.allocs);
	atomic_fetch_add(&arena_dead_frees, a->st.frees);
	atomic_fetch_add(&arena_dead_failures, a->st.failures);
	arena_all[a->slot] = NULL;
	if (arena_tls == a)
		arena_tls = NULL;
	/* The shadow outlives the mapping: clear it for whoever maps here next. */
	ARENA_UNPOISON(a->base, a->carved);
	munmap(a->base, (size_t)(a->end - a->base));
	free(a);
}

struct arena *arena_swap(struct arena *a)
{
	struct arena *prev = arena_tls;

	arena_tls = a;
	return prev;
}

struct arena *arena_current(void)
{
	return arena_tls;
}

static inline struct arena_hdr *arena_hdr_at(const struct arena *a, uint32_t off)
{
	return (struct arena_hdr *)(a->base + off);
}

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_hdr *h;
	unsigned cls;
	size_t sz;

	if (n > ARENA_MAX_BLOCK) {
		a->st.failures++;
		return NULL;
	}
	cls = arena_class_of(n);
	sz = arena_class_size(cls);
	if (a->free_head[cls]) {
		h = arena_hdr_at(a, a->free_head[cls] - 1);
		ARENA_UNPOISON(h, sizeof(*h));
		a->free_head[cls] = h->next;
	} else if ((size_t)(a->end - a->base) - a->carved >= sz) {
		h = arena_hdr_at(a, (uint32_t)a->carved);
		ARENA_UNPOISON(h, sizeof(*h));
		a->carved += sz;
		a->st.carved = a->carved;
		h->magic = ARENA_MAGIC;
		h->cls = (uint16_t)cls;
		h->unused = 0;
	} else {
		a->st.failures++;
		return NULL;
	}
	h->size = (uint32_t)n;
	h->next = 0;
	ARENA_POISON(h, sz);
	ARENA_UNPOISON(h + 1, n);
	a->st.allocs++;
	a->st.bytes_in_use += sz;
	if (a->st.bytes_in_use > a->st.high_water)
		a->st.high_water = a->st.bytes_in_use;
	return h + 1;
}

/* p lies in a: give it back. */
static void arena_release(struct arena *a, void *p)
{
	struct arena_hdr *h = (struct arena_hdr *)p - 1;
	unsigned cls;

	ARENA_UNPOISON(h, sizeof(*h));
	if (h->magic != ARENA_MAGIC || h->cls >= ARENA_CLASSES) {
		/* Not a block start: a caller's bug. Leave it, count it. */
		ARENA_POISON(h, sizeof(*h));
		a->st.foreign++;
		return;
	}
	cls = h->cls;
	h->next = a->free_head[cls];
	a->free_head[cls] = (uint32_t)((uint8_t *)h - a->base) + 1;
	ARENA_POISON(h, arena_class_size(cls));
	a->st.frees++;
	a->st.bytes_in_use -= arena_class_size(cls);
}

/* The arena holding p, or NULL. */
static struct arena *arena_find(const void *p)
{
	unsigned n = atomic_load_explicit(&arena_n, memory_order_relaxed);

	for (unsigned i = 0; i < n; i++)
		if (arena_all[i] && arena_owns(arena_all[i], p))
			return arena_all[i];
	return NULL;
}

bool arena_mine(const void *p)
{
	return arena_tls && arena_owns(arena_tls, p);
}

void *arena_malloc_any(size_t n)
{
	struct arena *a = arena_tls;

	if (a)
		return arena_alloc(a, n ? n : 1);
	atomic_fetch_add_explicit(&arena_libc_allocs, 1, memory_order_relaxed);
	return malloc(n);
}

void *arena_calloc_any(size_t count, size_t n)
{
	void *p;

	if (n && count > SIZE_MAX / n) {
		if (arena_tls)
			arena_tls->st.failures++;
		return NULL;
	}
	p = arena_malloc_any(count * n);
	if (p)
		memset(p, 0, count * n);
	return p;
}

void arena_free_any(void *p)
{
	struct arena *a = arena_tls, *owner;

	if (!p)
		return;
	if (a && arena_owns(a, p)) {
		arena_release(a, p);
		return;
	}
	owner = arena_find(p);
	if (owner) {
		if (!a) {
			/* A thread without an arena: the main lcore tearing a
			 * stopped worker down (the only such caller). */
			arena_release(owner, p);
			return;
		}
		/* Another worker's block: touching its lists could race. The
		 * region goes back whole at arena_destroy(). */
		a->st.foreign++;
		return;
	}
	if (a) {
		/* A libc block freed on a thread with an arena: only memory
		 * allocated at start-up, before the thread took its arena.
		 * Counted so that the test sees it. */
		a->st.foreign++;
	} else {
		atomic_fetch_add_explicit(&arena_libc_frees, 1, memory_order_relaxed);
	}
	free(p);
}

void *arena_realloc_any(void *p, size_t n)
{
	struct arena *a = arena_tls;
	size_t old;
	void *q;

	if (!p)
		return arena_malloc_any(n);
	if (n == 0) {
		arena_free_any(p);
		return NULL;
	}
	if (a && arena_owns(a, p)) {
		struct arena_hdr *h = (struct arena_hdr *)p - 1;

		ARENA_UNPOISON(h, sizeof(*h));
		old = h->size;
		if (h->magic == ARENA_MAGIC && h->cls < ARENA_CLASSES &&
		    n + sizeof(*h) <= arena_class_size(h->cls)) {
			h->size = (uint32_t)n;
			ARENA_POISON(h, arena_class_size(h->cls));
			ARENA_UNPOISON(p, n);
			return p;
		}
		ARENA_POISON(h, sizeof(*h));
		q = arena_alloc(a, n);
		if (!q)
			return NULL;
		memcpy(q, p, old < n ? old : n);
		arena_release(a, p);
		return q;
	}
	if (!a && !arena_find(p)) {
		atomic_fetch_add_explicit(&arena_libc_allocs, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&arena_libc_frees, 1, memory_order_relaxed);
		return realloc(p, n);
	}
	/* A block from elsewhere (libc, or another arena): its size is not
	 * known here, so it cannot be copied. Refuse. */
	if (a)
		a->st.failures++;
	return NULL;
}

uint64_t arena_failures(const struct arena *a)
{
	return a ? a->st.failures : 0;
}

void arena_get_stats(const struct arena *a, struct arena_stats *st)
{
	if (!a) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = a->st;
}

void arena_totals(uint64_t *allocs, uint64_t *frees, uint64_t *failures)
{
	uint64_t al = atomic_load(&arena_libc_allocs) + atomic_load(&arena_dead_allocs);
	uint64_t fr = atomic_load(&arena_libc_frees) + atomic_load(&arena_dead_frees);
	uint64_t fa = atomic_load(&arena_dead_failures);
	unsigned n = atomic_load(&arena_n);

	for (unsigned i = 0; i < n; i++) {
		const struct arena *a = arena_all[i];

		if (!a)
			continue;
		al += a->st.allocs;
		fr += a->st.frees;
		fa += a->st.failures;
	}
	if (allocs)
		*allocs = al;
	if (frees)
		*frees = fr;
	if (failures)
		*failures = fa;
}
