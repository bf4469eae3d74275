/* tomb.h - where TCP connections ended for us but perhaps not for their
 * server (docs/stream.md, "Tombstones"): the keys of ended TCP flows, kept
 * for TOMB_LIFE_S after their flow left the table.
 *
 * Why. A flow leaves our table when it went idle past its timeout (Linux
 * keeps an idle established connection for ever), when a RST or FIN closed
 * it for us that the server did not take (a segment lost after us left the
 * server behind our count), or when it was dropped (its server holds a
 * connection whose bytes we refused). A SYN on the same ports then opens a
 * new flow to us, while the server still holds the old connection: it
 * answers the SYN with a challenge ACK (RFC 5961 4.2), drops the new
 * flow's first bytes where they lie below its next expected byte, and reads
 * the rest as the old connection's. A fake hello that ends where the old
 * connection's next byte lies, then any bytes: we read the hello, the
 * server the bytes. judge.c therefore holds a new flow whose key has a
 * tombstone to the rule no honest client breaks: no initiator bytes before
 * the responder's SYN-ACK (a server that kept the old connection never
 * sends one).
 *
 * Bounded and fail-closed: a fixed table of sets of TOMB_WAYS entries per
 * worker, indexed by a keyed hash (the worker's secret seed: no sender can
 * aim at one set). A set whose every entry is alive pushes out the one
 * that ends first, and from then on, until that entry would have ended,
 * every key of the set counts as present (`lost`): a flood of ended flows
 * makes every new flow of those sets wait for its SYN-ACK, which costs an
 * honest, two-sided flow nothing. Keys are compared by a 32-bit signature:
 * a collision only makes an honest flow wait for its SYN-ACK too.
 *
 * Pure C, no allocation (the caller gives the sets, a power of two of
 * them). Owning worker.
 */
#ifndef ADUANA_TOMB_H
#define ADUANA_TOMB_H

#include <stdbool.h>
#include <stdint.h>

#define TOMB_WAYS   7
#define TOMB_LIFE_S (7u * 24 * 3600) /* a week: longer than any honest idle */

/* One cache line. until: the second the entry ends, 0 = free. */
struct tomb_set {
	uint32_t sig[TOMB_WAYS];
	uint32_t until[TOMB_WAYS];
	uint32_t lost; /* a live entry was pushed out: the set counts as full of keys until then */
	uint32_t pad;
};

struct tomb_table {
	struct tomb_set *sets;
	uint32_t mask; /* sets - 1 */
};

/* The signature of a key's 64-bit hash: never 0. */
static inline uint32_t tomb_sig(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1u;
}

/* Note that the flow of hash h ended at `now` (seconds): its key counts
 * until now + TOMB_LIFE_S. True when a live entry was pushed out for it. */
static inline bool tomb_put(struct tomb_table *t, uint64_t h, uint32_t now)
{
	struct tomb_set *s = &t->sets[(uint32_t)h & t->mask];
	uint32_t sig = tomb_sig(h), until = now + TOMB_LIFE_S;
	unsigned i, v = 0;
	bool lost;

	for (i = 0; i < TOMB_WAYS; i++) {
		if (s->until[i] && s->sig[i] == sig) {
			s->until[i] = until;
			return false;
		}
	}
	/* A free or ended entry, else the one that ends first. */
	for (i = 0; i < TOMB_WAYS; i++) {
		if (s->until[i] <= now) {
			v = i;
			break;
		}
		if (s->until[i] < s->until[v])
			v = i;
	}
	lost = s->until[v] > now;
	if (lost && s->until[v] > s->lost)
		s->lost = s->until[v];
	s->sig[v] = sig;
	s->until[v] = until;
	return lost;
}

/* Whether a flow of hash h may have ended within TOMB_LIFE_S of `now`
 * (seconds): its entry is alive, or its set lost one that still would be. */
static inline bool tomb_has(const struct tomb_table *t, uint64_t h, uint32_t now)
{
	const struct tomb_set *s = &t->sets[(uint32_t)h & t->mask];
	uint32_t sig = tomb_sig(h);
	unsigned i;

	if (s->lost > now)
		return true;
	for (i = 0; i < TOMB_WAYS; i++)
		if (s->sig[i] == sig && s->until[i] > now)
			return true;
	return false;
}

/* Sets for a table that keeps about `keys` entries: a power of two, at
 * least 256. */
static inline uint32_t tomb_sets_for(uint32_t keys)
{
	uint32_t n = 256;

	while (n < keys / 4 && n < (1u << 24))
		n <<= 1;
	return n;
}

#endif
