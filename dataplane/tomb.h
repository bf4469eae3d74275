/* tomb.h - where TCP connections ended for us but perhaps not for their
 * server (docs/stream.md, "Tombstones"): the keys of TCP flows whose
 * responder answered, kept from its answer on, for ever (until pushed out).
 *
 * Why. A flow leaves our table when it went idle past its timeout (Linux
 * keeps an idle established connection for ever, so no time is long
 * enough), when a RST or FIN closed it for us that the server did not take
 * (a segment lost after us left the server behind our count), or when it
 * was dropped (its server holds a connection whose bytes we refused); and a
 * flow on another VLAN is another flow to us while the server behind the
 * router sees one connection. A SYN on the same ports then opens a new
 * flow to us, while the server still holds the old connection: it answers
 * the SYN with a challenge ACK (RFC 5961 4.2), drops the new flow's first
 * bytes where they lie below its next expected byte, and reads the rest as
 * the old connection's. A fake hello that ends where the old connection's
 * next byte lies, then any bytes: we read the hello, the server the bytes.
 * judge.c therefore holds a new flow whose key (without its VLAN) has a
 * tombstone to the rule no honest client breaks: no initiator bytes before
 * the responder's SYN-ACK (a server that kept the old connection never
 * sends one).
 *
 * Bounded and fail-closed: a fixed table of sets of TOMB_WAYS entries per
 * worker, indexed by a keyed hash (the worker's secret seed: no sender can
 * aim at one set). A set whose every entry is taken pushes one out in turn,
 * and from then on every key of the set counts as present (`lost`): churn
 * or a flood of ended flows makes every new flow of those sets wait for its
 * SYN-ACK, which costs an honest, two-sided flow nothing. Keys are compared
 * by a 32-bit signature: a collision only makes an honest flow wait for its
 * SYN-ACK too.
 *
 * A flow picked up midstream (no SYN: a zone whose exceptions allow it)
 * on such ports continues the old connection at the server, from the
 * server's next byte, which we do not know: its first bytes to us may lie
 * past a gap that a later segment fills, and the server then reads bytes
 * we took for a retransmission (an office client's hello, refused as
 * social; the flow forgotten 10 s later; then the hello's tail, and its
 * head: office_midstream_gap_social). Each entry therefore says whether its
 * connection ended allowed (a later segment of an allowed connection
 * carries nothing the old flow did not let through already); a midstream
 * pickup on any other entry, or in a lost set, is refused (judge.c,
 * judge_flow_new).
 *
 * Pure C, no allocation (the caller gives the sets, a power of two of
 * them). Owning worker.
 */
#ifndef ADUANA_TOMB_H
#define ADUANA_TOMB_H

#include <stdbool.h>
#include <stdint.h>

#define TOMB_WAYS 14

/* One cache line. sig: 0 = free. */
struct tomb_set {
	uint32_t sig[TOMB_WAYS];
	uint16_t allowed; /* bit i: entry i's connection ended allowed (tomb_put) */
	uint8_t lost;	  /* an entry was pushed out: every key of the set counts as present */
	uint8_t next;	  /* the entry pushed out next, once the set is full */
	uint32_t pad;
};
_Static_assert(sizeof(struct tomb_set) == 64, "a tomb set is one cache line");

/* What the table says of a key (tomb_find). */
enum tomb_kind {
	TOMB_NONE = 0, /* no connection ended on it */
	TOMB_HELD,     /* one did, not allowed, or it is live (answered, not ended) */
	TOMB_ALLOWED,  /* the newest one ended allowed */
	TOMB_LOST,     /* no entry, but its set lost one: unknown */
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

static inline void tomb_mark(struct tomb_set *s, unsigned i, bool allowed)
{
	if (allowed)
		s->allowed |= (uint16_t)(1u << i);
	else
		s->allowed &= (uint16_t)~(1u << i);
}

/* Note the key of hash h: its connection answered (allowed false) or ended
 * with the verdict allow (true) or another. True when an entry was pushed
 * out for it (the set is lost from then on). */
static inline bool tomb_put(struct tomb_table *t, uint64_t h, bool allowed)
{
	struct tomb_set *s = &t->sets[(uint32_t)h & t->mask];
	uint32_t sig = tomb_sig(h);
	unsigned i, v;

	for (i = 0; i < TOMB_WAYS; i++) {
		if (s->sig[i] == sig || !s->sig[i]) {
			s->sig[i] = sig;
			tomb_mark(s, i, allowed);
			return false;
		}
	}
	v = s->next % TOMB_WAYS;
	s->next = (uint8_t)(v + 1);
	s->sig[v] = sig;
	tomb_mark(s, v, allowed);
	s->lost = 1;
	return true;
}

/* What the table holds for a key of hash h. */
static inline enum tomb_kind tomb_find(const struct tomb_table *t, uint64_t h)
{
	const struct tomb_set *s = &t->sets[(uint32_t)h & t->mask];
	uint32_t sig = tomb_sig(h);
	unsigned i;

	for (i = 0; i < TOMB_WAYS && s->sig[i]; i++)
		if (s->sig[i] == sig)
			return (s->allowed >> i) & 1 ? TOMB_ALLOWED : TOMB_HELD;
	return s->lost ? TOMB_LOST : TOMB_NONE;
}

/* Whether a flow of hash h may have been answered before: its entry is
 * there, or its set lost one. */
static inline bool tomb_has(const struct tomb_table *t, uint64_t h)
{
	return tomb_find(t, h) != TOMB_NONE;
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
