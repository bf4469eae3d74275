/* The request log of a read HTTP client (see rlog.h). */
#include "rlog.h"

bool rlog_agrees(const struct rlog *l, uint32_t seq, const uint8_t *p, uint32_t n)
{
	unsigned i;

	/* Bytes read and not logged: no copy of them can be compared. */
	if (l->unv && (int32_t)(seq + n - l->unv_lo) > 0 && (int32_t)(l->unv_hi - seq) > 0)
		return false;
	/* Summed pieces: each one the copy touches, it holds whole, and it
	 * sums the same. */
	for (i = 0; i < l->ns; i++) {
		const struct rlog_sum *s = &l->s[i];

		if ((int32_t)(seq + n - s->seq) <= 0 || (int32_t)(s->seq + s->len - seq) <= 0)
			continue;
		if (s->seq - seq > n || s->seq + s->len - seq > n ||
		    hlog_sum(p + (s->seq - seq), s->len) != s->h)
			return false;
	}
	for (i = 0; i < l->n; i++) {
		const struct rlog_run *e = &l->r[(l->head + i) & (RLOG_RUNS - 1)];
		/* The run's bytes as offsets into the copy: [lo, hi). */
		int64_t lo = (int32_t)(e->seq - seq), hi = lo + e->len, k, end;

		if (hi <= 0 || lo >= (int64_t)n)
			continue;
		k = lo < 0 ? 0 : lo;
		end = hi < (int64_t)n ? hi : (int64_t)n;
		while (k < end) {
			/* the run's byte at k lies at (off + k - lo) in the ring;
			 * compare up to the ring's end at once */
			uint32_t at = (uint32_t)(e->off + (k - lo)) & (RLOG_BYTES - 1);
			int64_t m = end - k;

			if (m > (int64_t)(RLOG_BYTES - at))
				m = RLOG_BYTES - at;
			if (memcmp(p + k, l->b + at, (size_t)m))
				return false;
			k += m;
		}
	}
	return true;
}
