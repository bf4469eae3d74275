/* frag.h - IP fragments reassembled so that they are judged as their flow
 * (DESIGN 4.2). The fragments are held, not forwarded, until their datagram
 * is whole; then the datagram is judged once and every fragment follows its
 * verdict. Overlaps (but an exact duplicate), a first fragment without the
 * whole upper-layer header, too many fragments and a full table are
 * exceptions; a datagram not whole in time is dropped. The rebuilt datagram
 * shows its worst fragment: the lowest TTL (hop limit), options (IPv4) or
 * extension headers before the Fragment header (IPv6) that any fragment
 * had, and a wrong IPv4 header checksum if any had one, so that it is
 * judged as the decoy a receiver never completes (docs/stream.md).
 *
 * Bounded: FRAG_SLOTS datagrams of at most FRAG_MAX_FRAGS fragments and
 * FRAG_MAX_BYTES bytes per worker, allocated at start-up. The owning worker.
 */
#ifndef ADUANA_FRAG_H
#define ADUANA_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"

#define FRAG_SLOTS	32
#define FRAG_MAX_FRAGS	16
#define FRAG_MAX_BYTES	65535u
#define FRAG_HDR_MAX	128 /* L2 and L3 header of the first fragment kept */
#define FRAG_TIMEOUT_NS 2000000000ull
#define FRAG_MARK_LEN	8 /* room kept in hdr for the mark of options */

/* What a receiver may drop some fragment of a datagram for. */
#define FRAG_M_OPTS  0x01 /* IPv4 options, IPv6 extension headers before the Fragment header */
#define FRAG_M_IPSUM 0x02 /* a wrong IPv4 header checksum */
#define FRAG_M_L2    0x04 /* fragments under other frame headers (destination MAC, tags), or to many */
#define FRAG_L2_MAX  64	  /* bytes of a frame header (before the IP header) compared */

struct rte_mbuf;

enum frag_add {
	FRAG_HELD = 0, /* kept; the datagram is not whole yet */
	FRAG_WHOLE,    /* the datagram is whole: frag_datagram() has it */
	FRAG_OVERLAP,  /* a fragment covers bytes another covered, carries none, or mixes ECN */
	FRAG_TOO_MANY, /* more fragments than FRAG_MAX_FRAGS, too long, or past the end */
	FRAG_FULL,     /* no room for another datagram */
	FRAG_BAD,      /* a fragment that cannot be placed (bad offset, length) */
	FRAG_SHORT,    /* a first fragment without the whole upper-layer header */
	FRAG_DUP,      /* the same bytes at the same place as fragments held: not held, dropped */
};

struct frag_slot {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t family;
	uint8_t l4proto;
	uint8_t in_use;
	uint8_t n_frags;
	uint64_t first_ns;
	uint32_t total; /* payload bytes of the datagram, known from its last fragment; 0 before */
	uint32_t end;	/* end of the furthest fragment held */
	uint16_t hdr_len;
	uint16_t l3_off; /* where the IP header starts in hdr */
	uint8_t ttl_min; /* the lowest TTL (hop limit) of its fragments */
	uint8_t mark;	 /* FRAG_M_* of any of its fragments */
	uint8_t ecn;	 /* bit 1 << ECN codepoint of each of its fragments */
	uint8_t l2_len;	 /* the first fragment held: its destination MAC and what follows */
	uint8_t l2[FRAG_L2_MAX]; /* the source MAC, to the IP header (FRAG_M_L2) */
	struct rte_mbuf *m[FRAG_MAX_FRAGS];
	uint8_t hdr[FRAG_HDR_MAX]; /* frame of the first fragment up to its L4 (rewritten) */
	uint8_t map[FRAG_MAX_BYTES / 8 + 1];
	uint8_t buf[FRAG_MAX_BYTES + FRAG_HDR_MAX]; /* the whole frame once rebuilt */
};

struct frag_table {
	struct frag_slot slot[FRAG_SLOTS];
	uint32_t held; /* fragments held over all slots */
};

/* Empty a table. Before its worker starts. */
void frag_init(struct frag_table *t);

/* Place a fragment (the frame d of n bytes in mbuf m, parsed as r, arrived
 * at now ns) and hold its mbuf.
 * On FRAG_WHOLE, *slot is the datagram's slot. On any other answer but
 * FRAG_HELD the fragment is not held (the caller judges and frees it) and,
 * for FRAG_OVERLAP, FRAG_TOO_MANY and FRAG_SHORT, *slot is the datagram
 * whose held fragments the caller must release with the same judgement. */
enum frag_add frag_add(struct frag_table *t, struct rte_mbuf *m, const uint8_t *d, uint32_t n,
		       const struct parse_result *r, uint64_t now, unsigned *slot);

/* The whole datagram of a slot as one frame (no fragment header, lengths
 * set), in the slot's buffer, with its worst fragment's marks: the lowest
 * TTL, options shown (IPv4: NOPs where the first fragment had none; IPv6:
 * an empty Destination Options header in place of those dropped), the IPv4
 * header checksum right unless a fragment's was wrong. Returns its length. */
uint32_t frag_datagram(struct frag_table *t, unsigned slot, const uint8_t **frame);

/* Hand over a slot's held mbufs (up to FRAG_MAX_FRAGS into out) and free
 * the slot. Returns how many. */
unsigned frag_release(struct frag_table *t, unsigned slot, struct rte_mbuf **out);

/* A slot whose datagram has waited longer than FRAG_TIMEOUT_NS at now, or
 * -1. The caller releases it (and drops what it gets). */
int frag_expired(const struct frag_table *t, uint64_t now);

#endif
