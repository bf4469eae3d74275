/* The header log of a checked TLS flow (see hlog.h). */
#include "hlog.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

_Static_assert(offsetof(struct hlog, e) <= 64, "what each packet reads is one cache line");

static inline uint64_t hlog_rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* One SipRound over the four words of state. */
#define HLOG_SIPROUND(v)                                                                          \
	do {                                                                                      \
		v[0] += v[1];                                                                     \
		v[1] = hlog_rotl(v[1], 13) ^ v[0];                                                \
		v[0] = hlog_rotl(v[0], 32);                                                       \
		v[2] += v[3];                                                                     \
		v[3] = hlog_rotl(v[3], 16) ^ v[2];                                                \
		v[0] += v[3];                                                                     \
		v[3] = hlog_rotl(v[3], 21) ^ v[0];                                                \
		v[2] += v[1];                                                                     \
		v[1] = hlog_rotl(v[1], 17) ^ v[2];                                                \
		v[2] = hlog_rotl(v[2], 32);                                                       \
	} while (0)

static inline uint64_t hlog_le64(const uint8_t *p)
{
	uint64_t x = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

/* The words are read little-endian whatever the host, as the paper
 * defines them, so that its test vector checks this code anywhere. */
uint64_t hlog_siphash(const uint64_t k[2], const uint8_t *m, size_t n)
{
	uint64_t v[4] = {k[0] ^ 0x736f6d6570736575ull, k[1] ^ 0x646f72616e646f6dull,
			 k[0] ^ 0x6c7967656e657261ull, k[1] ^ 0x7465646279746573ull};
	uint64_t w, last = (uint64_t)(n & 0xff) << 56;
	size_t i, full = n & ~(size_t)7;

	for (i = 0; i < full; i += 8) {
		w = hlog_le64(m + i);
		v[3] ^= w;
		HLOG_SIPROUND(v);
		HLOG_SIPROUND(v);
		v[0] ^= w;
	}
	for (; i < n; i++)
		last |= (uint64_t)m[i] << (8 * (i - full));
	v[3] ^= last;
	HLOG_SIPROUND(v);
	HLOG_SIPROUND(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	HLOG_SIPROUND(v);
	HLOG_SIPROUND(v);
	HLOG_SIPROUND(v);
	HLOG_SIPROUND(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Drawn once, before any worker starts: no one who sends copies can know
 * it, so none can make bytes that differ and sum the same but by chance
 * (2^-32 a try, and a try that fails costs its flow). */
static uint64_t hlog_key[2];

static bool hlog_key_drawn;

bool hlog_secret(void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t got = 0;
	ssize_t k;
	FILE *f;

	while (got < n) {
		k = getrandom(p + got, n - got, 0);
		if (k > 0)
			got += (size_t)k;
		else if (k < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	if (got == n)
		return true;
	/* getrandom refused (a seccomp filter, ENOSYS): the device, which
	 * gives the same bytes */
	f = fopen("/dev/urandom", "rbe");
	if (!f)
		return false;
	got = fread(p, 1, n, f);
	fclose(f);
	return got == n;
}

__attribute__((constructor)) static void hlog_key_init(void)
{
	hlog_key_drawn = hlog_secret(hlog_key, sizeof(hlog_key));
}

bool hlog_key_ok(void)
{
	return hlog_key_drawn;
}

uint32_t hlog_sum(const uint8_t *p, uint32_t n)
{
	return (uint32_t)hlog_siphash(hlog_key, p, n);
}

void hlog_add_sum(struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p, uint32_t n)
{
	while (n) {
		uint32_t k = n > HLOG_SUM_MAX ? HLOG_SUM_MAX : n, h;
		struct hlog_ent *e = hlog_put(l, dir, seq, k);

		if (e) {
			h = hlog_sum(p, k);
			e->len = (uint8_t)(HLOG_SUMMED | (k >> 8));
			e->b[0] = (uint8_t)k;
			memcpy(e->b + 1, &h, sizeof(h));
		}
		seq += k;
		p += k;
		n -= k;
	}
}

bool hlog_agrees(const struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p, uint32_t n)
{
	uint32_t cut;

	return hlog_agrees_cut(l, dir, seq, p, n, &cut) && cut == UINT32_MAX;
}

bool hlog_agrees_cut(const struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p,
		     uint32_t n, uint32_t *cut)
{
	const struct hlog_dir *d = &l->d[dir];
	unsigned i;

	*cut = UINT32_MAX;
	/* Headers read and not logged: a copy of them is compared with
	 * their sum, where one was made and the copy holds the whole range;
	 * otherwise it cannot be compared, and is refused. */
	if (d->unv && (int32_t)(seq + n - d->unv_lo) > 0 && (int32_t)(d->unv_hi - seq) > 0) {
		if (d->unv != HLOG_UNV_SUM || d->unv_lo - seq > n || d->unv_hi - seq > n ||
		    hlog_sum(p + (d->unv_lo - seq), d->unv_hi - d->unv_lo) != d->unv_h)
			return false;
	}

	for (i = 0; i < d->n; i++) {
		const struct hlog_ent *e = &l->e[dir][(d->head + i) & (HLOG_ENTRIES - 1)];
		/* The entry's bytes as offsets into the copy: [lo, hi). */
		int64_t lo = (int32_t)(e->seq - seq), hi = lo + hlog_ent_len(e), k;

		if (hi <= 0 || lo >= (int64_t)n)
			continue;
		if (e->len & HLOG_SUMMED) {
			uint32_t h;

			/* a summed run: held whole, and the same sum; or
			 * not held whole (a stack that cuts what it sends
			 * again where it likes: BSD's retransmission is an
			 * MSS from the first byte not acknowledged, and a
			 * window of them goes at once), which the copy loses:
			 * it is cut where the run begins */
			if (lo < 0 || hi > (int64_t)n) {
				/* a copy begun inside it keeps nothing: 0 */
				uint32_t at = lo < 0 ? 0 : (uint32_t)lo;

				if (at < *cut)
					*cut = at;
				continue;
			}
			memcpy(&h, e->b + 1, sizeof(h));
			if (hlog_sum(p + lo, (uint32_t)(hi - lo)) != h)
				return false;
			continue;
		}
		for (k = lo < 0 ? 0 : lo; k < hi && k < (int64_t)n; k++)
			if (p[k] != e->b[k - lo])
				return false;
	}
	return true;
}
