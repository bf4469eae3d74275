/* test_arena.c - the per-worker nDPI heap (dataplane/arena.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "unit.h"

static void test_alloc_free_reuse(void)
{
	struct arena *a = arena_create(1 << 20);
	struct arena_stats st;
	struct arena *prev;
	void *p, *q, *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	prev = arena_swap(a);
	CU_ASSERT_PTR_NULL(prev);
	p = arena_malloc_any(100);
	q = arena_malloc_any(100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT(((uintptr_t)p & 15) == 0);
	CU_ASSERT(arena_mine(p));
	memset(p, 0xab, 100);
	memset(q, 0xcd, 100);
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.allocs, 2);
	CU_ASSERT_EQUAL(st.bytes_in_use, 2 * 128);
	arena_free_any(p);
	r = arena_malloc_any(90); /* same class: the block just freed (LIFO) */
	CU_ASSERT_PTR_EQUAL(r, p);
	arena_free_any(r);
	arena_free_any(q);
	arena_free_any(NULL);
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.allocs, 3);
	CU_ASSERT_EQUAL(st.frees, 3);
	CU_ASSERT_EQUAL(st.bytes_in_use, 0);
	CU_ASSERT_EQUAL(st.high_water, 2 * 128);
	CU_ASSERT_EQUAL(st.failures, 0);
	arena_swap(prev);
	arena_destroy(a);
}

static void test_calloc_realloc(void)
{
	struct arena *a = arena_create(1 << 20);
	unsigned char *p, *q;
	struct arena_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	arena_swap(a);
	p = arena_calloc_any(10, 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(p[i], 0);
	memset(p, 7, 100);
	q = arena_realloc_any(p, 110); /* fits its 128-byte block: in place */
	CU_ASSERT_PTR_EQUAL(q, p);
	q = arena_realloc_any(p, 5000); /* moves, keeps the bytes */
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT(q != p);
	CU_ASSERT_EQUAL(q[0], 7);
	CU_ASSERT_EQUAL(q[99], 7);
	CU_ASSERT_PTR_NULL(arena_calloc_any(SIZE_MAX / 2, 4)); /* overflow: refused */
	arena_free_any(q);
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.bytes_in_use, 0);
	CU_ASSERT_EQUAL(st.failures, 1);
	arena_swap(NULL);
	arena_destroy(a);
}

/* Full: refused and counted, never libc; what was freed serves again. */
static void test_full(void)
{
	struct arena *a = arena_create(64 * 1024);
	struct arena_stats st;
	void *blocks[64];
	unsigned n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	arena_swap(a);
	while (n < 64 && (blocks[n] = arena_malloc_any(4000)) != NULL)
		n++;
	CU_ASSERT_EQUAL(n, 16); /* 64 KiB of 4 KiB blocks */
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.failures, 1);
	CU_ASSERT_PTR_NULL(arena_malloc_any(ARENA_MAX_BLOCK + 1));
	CU_ASSERT_PTR_NULL(arena_malloc_any(16)); /* another class: nothing left to carve */
	arena_free_any(blocks[3]);
	CU_ASSERT_PTR_EQUAL(arena_malloc_any(4000), blocks[3]);
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.failures, 3);
	CU_ASSERT_EQUAL(st.high_water, 64 * 1024);
	arena_swap(NULL);
	arena_destroy(a); /* blocks still held go back with the region */
}

/* A thread without an arena gets libc, and frees what it got to libc; a
 * block of an arena freed there (teardown) goes back to that arena. */
static void test_libc_and_teardown(void)
{
	struct arena *a = arena_create(1 << 20);
	struct arena_stats st;
	uint64_t al0, fr0, al1, fr1;
	void *p, *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	arena_totals(&al0, &fr0, NULL);
	p = arena_malloc_any(50); /* no arena: libc */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(!arena_mine(p));
	arena_swap(a);
	q = arena_malloc_any(50);
	CU_ASSERT(arena_mine(q));
	arena_swap(NULL);
	arena_free_any(p);
	arena_free_any(q); /* teardown path */
	arena_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.frees, 1);
	CU_ASSERT_EQUAL(st.bytes_in_use, 0);
	arena_totals(&al1, &fr1, NULL);
	CU_ASSERT_EQUAL(al1 - al0, 2);
	CU_ASSERT_EQUAL(fr1 - fr0, 2);
	arena_destroy(a);
	arena_totals(&al1, &fr1, NULL); /* a's counts outlive it */
	CU_ASSERT_EQUAL(al1 - al0, 2);
	CU_ASSERT_EQUAL(fr1 - fr0, 2);
}

/* Two threads, two arenas: each allocates from its own; a block of one
 * freed on the other is left alone and counted. */
struct thr {
	struct arena *a;
	void *give;  /* a block of the other arena to free here */
	void *taken; /* a block allocated here */
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;

	arena_swap(t->a);
	for (int i = 0; i < 1000; i++) {
		void *p = arena_malloc_any((size_t)(i % 700) + 1);

		if (!p || !arena_mine(p))
			return (void *)1;
		arena_free_any(p);
	}
	t->taken = arena_malloc_any(64);
	if (t->give)
		arena_free_any(t->give);
	arena_swap(NULL);
	return NULL;
}

static void test_threads(void)
{
	struct thr t1 = {0}, t2 = {0};
	struct arena_stats s1, s2;
	pthread_t th;
	void *rv;

	t1.a = arena_create(1 << 20);
	t2.a = arena_create(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t1.a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t2.a);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, thr_main, &t1), 0);
	pthread_join(th, &rv);
	CU_ASSERT_PTR_NULL(rv);
	t2.give = t1.taken;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, thr_main, &t2), 0);
	pthread_join(th, &rv);
	CU_ASSERT_PTR_NULL(rv);
	arena_get_stats(t1.a, &s1);
	arena_get_stats(t2.a, &s2);
	CU_ASSERT_EQUAL(s1.allocs, 1001);
	CU_ASSERT_EQUAL(s1.frees, 1000); /* t1.taken was not given back to t1 */
	CU_ASSERT_EQUAL(s2.foreign, 1);
	CU_ASSERT_EQUAL(s2.allocs, 1001);
	CU_ASSERT_EQUAL(s2.frees, 1000);
	arena_destroy(t1.a);
	arena_destroy(t2.a);
}

static void test_prefault_keeps_contents(void)
{
	struct arena *a = arena_create(8 << 20);
	unsigned char *p, *q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	arena_swap(a);
	p = arena_malloc_any(100000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, 0x5a, 100000);
	arena_prefault(a, 4 << 20);
	arena_prefault(a, (size_t)64 << 20); /* more than the region: clamped */
	for (int i = 0; i < 100000; i++)
		if (p[i] != 0x5a) {
			CU_FAIL("prefault changed a block's contents");
			break;
		}
	q = arena_malloc_any(200000); /* never touched before: still zero */
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT(q[0] == 0 && q[199999] == 0);
	arena_prefault(NULL, 4096);
	arena_swap(NULL);
	arena_destroy(a);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"arena: alloc, free, reuse, counters", test_alloc_free_reuse},
		{"arena: calloc, realloc in place and moved", test_calloc_realloc},
		{"arena: full fails closed and counts", test_full},
		{"arena: libc without an arena, teardown frees", test_libc_and_teardown},
		{"arena: one per thread, foreign frees left alone", test_threads},
		{"arena: prefault keeps contents", test_prefault_keeps_contents},
		CU_TEST_INFO_NULL,
	};

	return unit_run("arena", NULL, NULL, tests);
}
