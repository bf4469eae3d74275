/* Learned endpoint addresses (see learn.h). */
#include "learn.h"

#include <string.h>

static unsigned learn_set_of(const uint8_t addr[16])
{
	uint32_t h = 2166136261u;
	unsigned i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return (h ^ (h >> 16)) % LEARN_SETS;
}

void learn_init(struct learn_table *t)
{
	memset(t, 0, sizeof(*t));
}

static uint32_t learn_clamp(uint32_t ttl)
{
	if (ttl < LEARN_TTL_MIN)
		return LEARN_TTL_MIN;
	return ttl > LEARN_TTL_MAX ? LEARN_TTL_MAX : ttl;
}

/* Single writer: make the entry odd, write, make it even again. The
 * release stores order the fields between the two counts for readers. */
static void learn_write(struct learn_entry *e, const uint8_t addr[16], uint64_t mask,
			uint32_t expires)
{
	uint32_t seq = e->seq;

	__atomic_store_n(&e->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(e->addr, addr, 16);
	__atomic_store_n(&e->mask, mask, __ATOMIC_RELAXED);
	__atomic_store_n(&e->expires, expires, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, seq + 2, __ATOMIC_RELEASE);
}

bool learn_add(struct learn_table *t, const uint8_t addr[16], uint64_t mask, uint32_t ttl,
	       uint32_t now)
{
	struct learn_entry *set = t->set[learn_set_of(addr)], *victim = NULL;
	uint32_t expires = now + learn_clamp(ttl);
	unsigned i;

	for (i = 0; i < LEARN_WAYS; i++) {
		struct learn_entry *e = &set[i];

		if (e->expires > now && memcmp(e->addr, addr, 16) == 0) {
			learn_write(e, addr, e->mask | mask,
				    e->expires > expires ? e->expires : expires);
			return false;
		}
		/* Prefer a free or expired way; else the one ending first. */
		if (!victim || e->expires <= now ||
		    (victim->expires > now && e->expires < victim->expires))
			victim = e;
	}
	if (victim->expires > now)
		t->evicted++;
	learn_write(victim, addr, mask, expires);
	t->added++;
	return true;
}

bool learn_revoke(struct learn_table *t, const uint8_t addr[16])
{
	struct learn_entry *set = t->set[learn_set_of(addr)];
	bool found = false;

	for (unsigned i = 0; i < LEARN_WAYS; i++)
		if (set[i].expires && memcmp(set[i].addr, addr, 16) == 0) {
			learn_write(&set[i], addr, 0, 0);
			found = true;
		}
	return found;
}

uint64_t learn_lookup(struct learn_table *const *t, unsigned n, const uint8_t addr[16],
		      uint32_t now)
{
	unsigned set = learn_set_of(addr), k, i;
	uint64_t found = 0;

	for (k = 0; k < n; k++) {
		for (i = 0; i < LEARN_WAYS; i++) {
			const struct learn_entry *e = &t[k]->set[set][i];
			struct learn_entry copy;
			uint32_t s1, s2;

			do {
				s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
				memcpy(copy.addr, e->addr, 16);
				copy.mask = __atomic_load_n(&e->mask, __ATOMIC_RELAXED);
				copy.expires = __atomic_load_n(&e->expires, __ATOMIC_RELAXED);
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
			} while ((s1 & 1) || s1 != s2);
			if (copy.expires > now && memcmp(copy.addr, addr, 16) == 0)
				found |= copy.mask;
		}
	}
	return found;
}
