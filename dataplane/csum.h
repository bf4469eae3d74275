/* csum.h - the Internet checksum (RFC 1071) over a buffer, for the TCP
 * checks of judge.c. rte_raw_cksum adds one 16-bit word at a time; here
 * the bulk of a segment is added 16 words at a time (AVX2, chosen at run
 * time) or 8 (SSE2, always there on x86-64), and what is left, or a short
 * buffer, as native 32-bit halves of 64-bit words.
 *
 * Exactness. Every path returns a non-negative integer congruent, modulo
 * 0xffff, to the sum of the buffer's native 16-bit words (the last odd
 * byte padded with a zero byte after it, as rte_raw_cksum pads it), and 0
 * only for an all-zero buffer (each part is a sum of non-negative terms).
 * Folded to 16 bits with end-around carries (csum_fold) that is exactly
 * rte_raw_cksum's value, since 2^16 = 1 mod 0xffff. tests/unit/test_stream.c
 * holds every path to rte_raw_cksum at every length and alignment.
 *
 * The vector paths. PMADDWD multiplies signed 16-bit words and adds
 * adjacent pairs into 32-bit lanes. A word u (0..65535) XORed with 0x8000
 * reads, signed, as u - 32768 exactly; multiplied by 1 and paired, each
 * 32-bit lane gains a value in [-65536, 65534] per vector. The lanes are
 * summed in blocks of at most CSUM_BLOCK bytes (no 32-bit lane can
 * overflow: 4 accumulators x 512 vectors x 2^16 < 2^31), widened to 64
 * bits, and 32768 per word is added back: the exact sum of the words.
 * Unaligned loads: any alignment, the same words as the scalar path reads.
 */
#ifndef ADUANA_CSUM_H
#define ADUANA_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && !defined(CSUM_NO_SIMD)
#include <immintrin.h>
#define CSUM_X86 1
#endif

/* Fold a 64-bit one's complement sum to 16 bits (end-around carries). */
static inline uint16_t csum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The portable path: four independent chains of 32-bit halves of native
 * 64-bit words (no carries to chase). Buffers up to 2^32 bytes. */
static inline uint64_t csum_sum_scalar(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint64_t w[4];

	while (n >= 32) {
		memcpy(w, p, 32);
		a += (w[0] & 0xffffffffu) + (w[0] >> 32);
		b += (w[1] & 0xffffffffu) + (w[1] >> 32);
		c += (w[2] & 0xffffffffu) + (w[2] >> 32);
		d += (w[3] & 0xffffffffu) + (w[3] >> 32);
		p += 32;
		n -= 32;
	}
	while (n >= 8) {
		memcpy(w, p, 8);
		a += (w[0] & 0xffffffffu) + (w[0] >> 32);
		p += 8;
		n -= 8;
	}
	if (n >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		b += v;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		c += v;
		p += 2;
		n -= 2;
	}
	if (n) {
		/* The last odd byte, padded with a zero byte after it. */
		uint16_t v = 0;

		memcpy(&v, p, 1);
		d += v;
	}
	return a + b + c + d;
}

/* Below this many bytes the scalar path is as fast (a pseudo-header, a
 * bare TCP header). */
#define CSUM_SIMD_MIN 64
/* Bytes summed in 32-bit lanes before they are widened (see above). */
#define CSUM_BLOCK 65536

#ifdef CSUM_X86
/* SSE2: 64 bytes (four vectors, four chains) a round. */
static inline uint64_t csum_sum_sse2(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	const __m128i flip = _mm_set1_epi16((short)0x8000);
	const __m128i one = _mm_set1_epi16(1);
	int64_t s = 0;
	uint64_t words = 0;

	while (n >= 16) {
		size_t blk = n < CSUM_BLOCK ? n & ~(size_t)15 : CSUM_BLOCK;
		__m128i a = _mm_setzero_si128(), b = a, c = a, d = a;
		const uint8_t *e = p + blk;
		int32_t l[4];

		for (; e - p >= 64; p += 64) {
			__m128i v0 = _mm_loadu_si128((const __m128i *)p);
			__m128i v1 = _mm_loadu_si128((const __m128i *)(p + 16));
			__m128i v2 = _mm_loadu_si128((const __m128i *)(p + 32));
			__m128i v3 = _mm_loadu_si128((const __m128i *)(p + 48));

			a = _mm_add_epi32(a, _mm_madd_epi16(_mm_xor_si128(v0, flip), one));
			b = _mm_add_epi32(b, _mm_madd_epi16(_mm_xor_si128(v1, flip), one));
			c = _mm_add_epi32(c, _mm_madd_epi16(_mm_xor_si128(v2, flip), one));
			d = _mm_add_epi32(d, _mm_madd_epi16(_mm_xor_si128(v3, flip), one));
		}
		for (; p < e; p += 16)
			a = _mm_add_epi32(
				a, _mm_madd_epi16(
					   _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), flip),
					   one));
		a = _mm_add_epi32(_mm_add_epi32(a, b), _mm_add_epi32(c, d));
		_mm_storeu_si128((__m128i *)l, a);
		s += (int64_t)l[0] + l[1] + l[2] + l[3];
		words += blk / 2;
		n -= blk;
	}
	return (uint64_t)(s + (int64_t)(words * 32768u)) + csum_sum_scalar(p, n);
}

/* Bytes 64..127 set: the masks of csum_sum_avx2's last window. */
#define CSUM_FF8 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
static const uint8_t csum_tail_ones[128] __attribute__((aligned(64))) = {
	[64] = CSUM_FF8, CSUM_FF8, CSUM_FF8, CSUM_FF8, CSUM_FF8, CSUM_FF8, CSUM_FF8, CSUM_FF8};
#undef CSUM_FF8

/* AVX2: 128 bytes (four vectors, four chains) a round, and a last round
 * of 64 where the block holds an odd number of them (fewer loop steps a
 * segment than 64 a round: the twenty-eighth session), then the last n % 64
 * bytes from the 64-byte window that ends where the buffer ends, the bytes
 * already added masked off: no branch on the tail's length, where the
 * scalar tail took several (a segment's length varies from one to the
 * next, so they were mispredicted). When n % 64 is odd that window starts
 * at an odd offset: each of its words holds its two bytes the other way
 * round, and its sum times 256 is congruent to theirs modulo 0xffff
 * (2^16 = 1). Masked bytes are zero words, which the flip and the 32768 a
 * word cancel. Below 64 bytes, the scalar path. GCC's generic tuning
 * would split each unaligned 256-bit load in two (half the speed here):
 * tuned for the first AVX2 core instead. */
#ifdef __clang__
#define CSUM_AVX2_TARGET "avx2"
#else
#define CSUM_AVX2_TARGET "avx2,tune=haswell"
#endif
__attribute__((target(CSUM_AVX2_TARGET))) static inline uint64_t csum_sum_avx2(const void *buf,
									       size_t n)
{
	const uint8_t *p = buf;
	const __m256i flip = _mm256_set1_epi16((short)0x8000);
	const __m256i one = _mm256_set1_epi16(1);
	__m256i a, b, c, d, w;
	__m128i h;
	int64_t s = 0, t;
	uint64_t words = 0;

	if (n < 64)
		return csum_sum_scalar(buf, n);
	do {
		size_t blk = n < CSUM_BLOCK ? n & ~(size_t)63 : CSUM_BLOCK;
		const uint8_t *e = p + blk;

		a = _mm256_setzero_si256();
		b = a;
		c = a;
		d = a;
		for (; e - p >= 128; p += 128) {
			__m256i v0 = _mm256_loadu_si256((const __m256i *)p);
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));
			__m256i v2 = _mm256_loadu_si256((const __m256i *)(p + 64));
			__m256i v3 = _mm256_loadu_si256((const __m256i *)(p + 96));

			a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_xor_si256(v0, flip), one));
			b = _mm256_add_epi32(b, _mm256_madd_epi16(_mm256_xor_si256(v1, flip), one));
			c = _mm256_add_epi32(c, _mm256_madd_epi16(_mm256_xor_si256(v2, flip), one));
			d = _mm256_add_epi32(d, _mm256_madd_epi16(_mm256_xor_si256(v3, flip), one));
		}
		if (p < e) { /* blk is a multiple of 64: one round of 64 left */
			__m256i v0 = _mm256_loadu_si256((const __m256i *)p);
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));

			a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_xor_si256(v0, flip), one));
			b = _mm256_add_epi32(b, _mm256_madd_epi16(_mm256_xor_si256(v1, flip), one));
			p += 64;
		}
		/* Eight signed 32-bit lanes widened to four 64-bit ones. */
		a = _mm256_add_epi32(_mm256_add_epi32(a, b), _mm256_add_epi32(c, d));
		w = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)),
				     _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
		h = _mm_add_epi64(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
		s += _mm_cvtsi128_si64(h) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(h, h));
		words += blk / 2;
		n -= blk;
	} while (n >= 64);
	/* The last n (0..63) bytes, at p, at least 64 bytes into the buffer:
	 * the window p + n - 64 .. p + n, its first 64 - n bytes masked. */
	a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + n - 64)),
			     _mm256_loadu_si256((const __m256i *)(csum_tail_ones + n)));
	b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + n - 32)),
			     _mm256_loadu_si256((const __m256i *)(csum_tail_ones + n + 32)));
	a = _mm256_add_epi32(_mm256_madd_epi16(_mm256_xor_si256(a, flip), one),
			     _mm256_madd_epi16(_mm256_xor_si256(b, flip), one));
	w = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(a)),
			     _mm256_cvtepi32_epi64(_mm256_extracti128_si256(a, 1)));
	h = _mm_add_epi64(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
	t = _mm_cvtsi128_si64(h) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(h, h)) + 32 * 32768;
	/* Clean upper halves before any SSE code runs again (the caller):
	 * GCC emits no VZEROUPPER for a function that is AVX2 by attribute
	 * alone, and SSE code after dirty ones pays for it on every
	 * instruction (4.5 times this sum's own time, measured). */
	_mm256_zeroupper();
	return (uint64_t)(s + (int64_t)(words * 32768u)) + ((uint64_t)t << (8 * (n & 1)));
}
#endif

/* The unfolded sum of n bytes from p (any alignment), in the byte order
 * of the host as rte_raw_cksum takes it (see the top for what it is). */
/* An IPv4 header (len: 20..60, a multiple of 4) sums to 0xffff: its
 * 32-bit words added as 64-bit integers (congruent modulo 0xffff to the
 * sum of its 16-bit words, as csum_sum_scalar's halves are), without the
 * general paths' loops and dispatch (a header is summed for every
 * checked segment). */
static inline bool csum_ip4_hdr_ok(const void *hdr, size_t len)
{
	const uint8_t *p = hdr;
	uint64_t s = 0;
	uint32_t v[5];
	size_t i;

	memcpy(v, p, 20);
	s = (uint64_t)v[0] + v[1] + v[2] + v[3] + v[4];
	for (i = 20; i + 4 <= len; i += 4) {
		memcpy(v, p + i, 4);
		s += v[0];
	}
	return csum_fold(s) == 0xffff;
}

static inline uint64_t csum_sum(const void *buf, size_t n)
{
#ifdef CSUM_X86
	if (n >= CSUM_SIMD_MIN) {
		/* One load and test of libgcc's CPU model (filled in before
		 * main by its constructor). AVX-512 is never required. */
		if (__builtin_cpu_supports("avx2"))
			return csum_sum_avx2(buf, n);
		return csum_sum_sse2(buf, n);
	}
#endif
	return csum_sum_scalar(buf, n);
}

#endif
