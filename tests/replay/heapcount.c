/* heapcount.c - an LD_PRELOAD library for tests/replay/heap.sh: counts the
 * libc heap calls (malloc, calloc, realloc, reallocarray, free,
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc) made on the
 * dataplane's worker threads, which DPDK names "rte-worker-N" (22.11;
 * "lcore-worker-N" in other releases).
 *
 * A thread is taken for a worker once its name says so (DPDK names it
 * after creating it, before it runs any work); a thread that has taken
 * another name is never one. At exit the counts go to the file named by
 * HEAPCOUNT_OUT, as "key value" lines, with the return addresses of the
 * first calls on workers (symbolised by dladdr) to say where they came
 * from. The real allocator is glibc's, through its __libc_* entry points.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

enum { OP_MALLOC, OP_CALLOC, OP_REALLOC, OP_FREE, OP_MEMALIGN, OP_COUNT };
static const char *const op_name[OP_COUNT] = {"malloc", "calloc", "realloc", "free",
					      "memalign"};

static atomic_ulong worker_calls[OP_COUNT];
static atomic_ulong other_calls;
/* Calls on workers from inside libpcap: the replay device (net_pcap) reads
 * the capture on the worker that receives, and libpcap grows its packet
 * buffer for a frame longer than any before. Counted apart: a live port
 * has no such reader. */
static atomic_ulong device_calls;
static atomic_ulong worker_threads;

#define SAMPLES 32
#define DEPTH	10
static void *sample_bt[SAMPLES][DEPTH];
static int sample_depth[SAMPLES];
static int sample_op[SAMPLES];
static atomic_ulong named_workers;
static atomic_uint n_samples;

/* 0: not known yet, 1: a worker, 2: not a worker. */
static __thread int tl_kind;
static __thread int tl_busy; /* inside our own bookkeeping */
static char proc_name[16];

__attribute__((constructor)) static void hc_init(void)
{
	prctl(PR_GET_NAME, proc_name, 0, 0, 0);
	tl_kind = 2; /* the main thread */
}

static int hc_worker_name(const char *name);

static int hc_is_worker(void)
{
	char name[16] = "";

	if (tl_kind)
		return tl_kind == 1;
	if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0)
		return 0;
	if (hc_worker_name(name)) {
		tl_kind = 1;
		atomic_fetch_add(&worker_threads, 1);
		return 1;
	}
	if (name[0] && strcmp(name, proc_name) != 0)
		tl_kind = 2; /* named, and not a worker: for good */
	return 0;
}

static int hc_from_pcap(void)
{
	void *bt[6];
	int n = backtrace(bt, 6);

	for (int i = 2; i < n; i++) {
		Dl_info di;

		if (dladdr(bt[i], &di) && di.dli_fname && strstr(di.dli_fname, "/libpcap.so"))
			return 1;
	}
	return 0;
}

static void hc_count(int op, void *ra)
{
	int saved = errno;

	if (tl_busy) {
		errno = saved;
		return;
	}
	tl_busy = 1;
	if (hc_is_worker() && hc_from_pcap()) {
		atomic_fetch_add(&device_calls, 1);
	} else if (tl_kind == 1) {
		unsigned k = atomic_fetch_add(&n_samples, 1);

		atomic_fetch_add(&worker_calls[op], 1);
		if (k < SAMPLES) {
			sample_depth[k] = backtrace(sample_bt[k], DEPTH);
			if (sample_depth[k] < 2) {
				sample_bt[k][0] = ra;
				sample_depth[k] = 1;
			}
			sample_op[k] = op;
		}
	} else {
		atomic_fetch_add(&other_calls, 1);
	}
	tl_busy = 0;
	errno = saved;
}

#define RA __builtin_return_address(0)

static int hc_worker_name(const char *name)
{
	return strncmp(name, "rte-worker-", 11) == 0 || strncmp(name, "lcore-worker-", 13) == 0;
}

/* DPDK names each worker thread from the main thread: count them, so that
 * a worker that never calls the allocator is still known to exist. */
int pthread_setname_np(pthread_t t, const char *name)
{
	static int (*real)(pthread_t, const char *);

	if (!real)
		real = (int (*)(pthread_t, const char *))dlsym(RTLD_NEXT, "pthread_setname_np");
	if (hc_worker_name(name))
		atomic_fetch_add(&named_workers, 1);
	return real ? real(t, name) : ENOSYS;
}

void *malloc(size_t n)
{
	hc_count(OP_MALLOC, RA);
	return __libc_malloc(n);
}

void *calloc(size_t c, size_t n)
{
	hc_count(OP_CALLOC, RA);
	return __libc_calloc(c, n);
}

void *realloc(void *p, size_t n)
{
	hc_count(OP_REALLOC, RA);
	return __libc_realloc(p, n);
}

void *reallocarray(void *p, size_t c, size_t n)
{
	hc_count(OP_REALLOC, RA);
	if (n && c > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, c * n);
}

void free(void *p)
{
	if (p)
		hc_count(OP_FREE, RA);
	__libc_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	hc_count(OP_MEMALIGN, RA);
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	hc_count(OP_MEMALIGN, RA);
	return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
	hc_count(OP_MEMALIGN, RA);
	return __libc_memalign(align, n);
}

void *valloc(size_t n)
{
	hc_count(OP_MEMALIGN, RA);
	return __libc_memalign(4096, n);
}

void *pvalloc(size_t n)
{
	hc_count(OP_MEMALIGN, RA);
	return __libc_memalign(4096, (n + 4095) & ~(size_t)4095);
}

__attribute__((destructor)) static void hc_report(void)
{
	const char *path = getenv("HEAPCOUNT_OUT");
	unsigned long total = 0;
	unsigned n;
	FILE *f;

	if (!path)
		return;
	tl_busy = 1;
	f = fopen(path, "w");
	if (!f)
		return;
	for (int i = 0; i < OP_COUNT; i++) {
		unsigned long v = atomic_load(&worker_calls[i]);

		fprintf(f, "worker_%s %lu\n", op_name[i], v);
		total += v;
	}
	fprintf(f, "worker_total %lu\n", total);
	fprintf(f, "worker_threads %lu\n", atomic_load(&named_workers));
	fprintf(f, "worker_threads_calling %lu\n", atomic_load(&worker_threads));
	fprintf(f, "other_calls %lu\n", atomic_load(&other_calls));
	fprintf(f, "worker_device_calls %lu\n", atomic_load(&device_calls));
	n = atomic_load(&n_samples);
	for (unsigned k = 0; k < n && k < SAMPLES; k++) {
		fprintf(f, "sample %s", op_name[sample_op[k]]);
		/* Frame 0 is hc_count itself. */
		for (int d = sample_depth[k] > 1 ? 1 : 0; d < sample_depth[k]; d++) {
			Dl_info di;
			const char *obj = "?", *sym = "?";
			uintptr_t off = 0;
			void *pc = sample_bt[k][d];

			if (dladdr(pc, &di)) {
				obj = di.dli_fname ? strrchr(di.dli_fname, '/') : NULL;
				obj = obj ? obj + 1 : (di.dli_fname ? di.dli_fname : "?");
				sym = di.dli_sname ? di.dli_sname : "?";
				off = (uintptr_t)pc - (uintptr_t)(di.dli_saddr ? di.dli_saddr : di.dli_fbase);
			}
			fprintf(f, " < %s+0x%lx(%s)", sym, (unsigned long)off, obj);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}
