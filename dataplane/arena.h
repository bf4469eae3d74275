/* arena.h - a per-worker heap for nDPI (issue 13 item 4).
 *
 * One arena per worker: a region reserved at start (one anonymous mmap, on
 * the main lcore, before the workers run), carved on demand into blocks of
 * power-of-two size classes kept on LIFO free lists. The owning thread
 * allocates and frees with no lock, no atomic and no call into libc; a
 * request the region cannot meet (too big, or the region is used up) fails
 * and is counted, and the caller fails closed (classifiers/ndpi.c gives the
 * flow up unclassified).
 *
 * Which arena serves a thread is a thread-local pointer that the caller
 * sets around its calls into nDPI (arena_swap). A thread with none gets
 * libc (the main lcore at start-up and teardown). arena_free_any() tells
 * the two kinds of block apart by address: a block of an arena goes back
 * to it when that arena is the thread's own, or when the thread has none
 * (the main lcore freeing a stopped worker's memory at teardown); a block
 * of another arena freed by a thread with its own is left alone and
 * counted (foreign); anything else goes to libc.
 *
 * Under AddressSanitizer a free block, the block headers and the tail of
 * each block past the bytes asked for are poisoned, so a use after free or
 * an overflow inside the arena is reported as it would be with malloc.
 */
#ifndef ADUANA_ARENA_H
#define ADUANA_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* Per-arena counters. Only the owning thread writes them; other threads
 * may read them (approximate, like the other per-worker counters). */
struct arena_stats {
	uint64_t allocs;       /* blocks handed out */
	uint64_t frees;	       /* blocks given back */
	uint64_t bytes_in_use; /* block bytes held now (class sizes) */
	uint64_t high_water;   /* most bytes_in_use ever */
	uint64_t failures;     /* requests refused: too big or region full */
	uint64_t foreign;      /* frees of another arena's block: left alone */
	uint64_t reserved;     /* bytes of the region */
	uint64_t carved;       /* bytes of the region carved into blocks so far */
};

/* Largest block an arena hands out (bytes the caller may use). */
#define ARENA_MAX_BLOCK (1024u * 1024u - 16u)

/* Reserve an arena of about bytes (rounded up to pages). Main thread,
 * before any thread uses it. NULL on failure (errno set). At most
 * ARENA_MAX_ARENAS exist at once. */
#define ARENA_MAX_ARENAS 256
struct arena *arena_create(size_t bytes);

/* Fault the first `bytes` of the region in now (where the kernel can:
 * MADV_POPULATE_WRITE), so that the worker does not take a page fault per
 * 4 KiB as it carves them. The contents are not changed. Main thread,
 * before the owner runs. */
void arena_prefault(struct arena *a, size_t bytes);

/* Give the region back. Its counters are added to the totals of
 * arena_totals(). Main thread, once no thread uses it. Accepts NULL. */
void arena_destroy(struct arena *a);

/* Make a the calling thread's arena (NULL: libc) and return the previous
 * one. */
struct arena *arena_swap(struct arena *a);

/* The calling thread's arena, or NULL. */
struct arena *arena_current(void);

/* From the calling thread's arena if it has one (NULL when it cannot),
 * else from libc. free/realloc/strdup likewise; arena_free_any accepts
 * NULL and blocks of either kind. */
void *arena_malloc_any(size_t n);
void *arena_calloc_any(size_t count, size_t n);
void *arena_realloc_any(void *p, size_t n);
void arena_free_any(void *p);

/* p is a block of the calling thread's arena. */
bool arena_mine(const void *p);

/* a's refusals so far (arena_stats.failures); 0 for NULL. Cheap: for a
 * check around each call into nDPI. */
uint64_t arena_failures(const struct arena *a);

/* a's counters. Any thread. */
void arena_get_stats(const struct arena *a, struct arena_stats *st);

/* Heap calls since start, all threads: libc calls made through the *_any
 * functions on threads without an arena, plus every arena's own (live and
 * destroyed). Any thread (approximate while arenas are in use). */
void arena_totals(uint64_t *allocs, uint64_t *frees, uint64_t *failures);

#endif
