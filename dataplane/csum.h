/* csum.h - the Internet checksum (RFC 1071) over a buffer, for the TCP
 * checks of judge.c: a few words a cycle where rte_raw_cksum adds one
 * 16-bit word at a time. The sum of native 32-bit words folded to 16 bits
 * is the sum of native 16-bit words folded (2^16 = 1 mod 0xffff), so the
 * result is rte_raw_cksum's: the same folded 16-bit value, 0 only for an
 * all-zero buffer. tests/unit/test_csum.c holds it to rte_raw_cksum.
 */
#ifndef ADUANA_CSUM_H
#define ADUANA_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Fold a 64-bit one's complement sum to 16 bits (end-around carries). */
static inline uint16_t csum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The unfolded sum of n bytes from p (any alignment), in the byte order
 * of the host as rte_raw_cksum takes it. Buffers up to 2^32 bytes. */
static inline uint64_t csum_sum(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint64_t w[4];

	/* Four independent chains of 32-bit halves: no carries to chase. */
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

#endif
