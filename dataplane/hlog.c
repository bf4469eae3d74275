/* The header log of a checked TLS flow (see hlog.h). */
#include "hlog.h"

bool hlog_agrees(const struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p, uint32_t n)
{
	const struct hlog_dir *d = &l->d[dir];
	unsigned i;

	/* Headers read and not logged: no copy of them can be compared. */
	if (d->unv && (int32_t)(seq + n - d->unv_lo) > 0 && (int32_t)(d->unv_hi - seq) > 0)
		return false;

	for (i = 0; i < d->n; i++) {
		const struct hlog_ent *e = &l->e[dir][(d->head + i) & (HLOG_ENTRIES - 1)];
		/* The entry's bytes as offsets into the copy: [lo, hi). */
		int64_t lo = (int32_t)(e->seq - seq), hi = lo + e->len, k;

		if (hi <= 0 || lo >= (int64_t)n)
			continue;
		for (k = lo < 0 ? 0 : lo; k < hi && k < (int64_t)n; k++)
			if (p[k] != e->b[k - lo])
				return false;
	}
	return true;
}
