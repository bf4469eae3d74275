/* The open-flow dump, worker side (see flowdump.h). */
#include "flowdump.h"

#include <string.h>

#include <rte_branch_prediction.h>

#include "flowlog.h"
#include "worker.h"

bool flowdump_match(const struct flowdump_filter *flt, const struct flow *f)
{
	if (flt->zone != -2 && f->zone != flt->zone)
		return false;
	if (flt->verdict >= 0 && f->decision.verdict != (uint8_t)flt->verdict)
		return false;
	if (flt->cls >= 0 && f->cls != (uint8_t)flt->cls)
		return false;
	if (flt->since_ns && f->ts_last < flt->since_ns)
		return false;
	if (flt->has_addr) {
		const uint8_t *a = f->key.addr_a, *b = f->key.addr_b;
		size_t off = flt->family == 4 ? 12 : 0, len = flt->family == 4 ? 4 : 16;

		if (f->key.family != flt->family ||
		    (memcmp(a + off, flt->addr + off, len) != 0 &&
		     memcmp(b + off, flt->addr + off, len) != 0))
			return false;
	}
	if (flt->name[0] && !strstr(f->name, flt->name))
		return false;
	return true;
}

void flowdump_slice(struct worker *w)
{
	struct flowdump *d = &w->dump;
	uint32_t req = __atomic_load_n(&d->req, __ATOMIC_ACQUIRE);
	uint32_t end, slots = flow_slots(w->ft);

	if (likely(req == d->done))
		return;
	end = d->pos + FLOWDUMP_SLICE;
	if (end > slots)
		end = slots;
	for (; d->pos < end; d->pos++) {
		const struct flow *f = flow_at(w->ft, d->pos);

		if (!f)
			continue;
		d->total++;
		if (!flowdump_match(&d->flt, f))
			continue;
		d->seen++;
		if (d->n < d->cap) {
			flowlog_rec_from_flow(&d->buf[d->n], f);
			d->buf[d->n++].end = FLOWLOG_END_OPEN;
		}
	}
	if (d->pos >= slots)
		__atomic_store_n(&d->done, req, __ATOMIC_RELEASE);
}
