/* stream.h - the first bytes of a TCP flow's initiator stream, kept until
 * the verdict (DESIGN 4.2): segments are placed by sequence number whatever
 * order they come in, bytes that two segments both cover are compared, and
 * the contiguous prefix is fed to aduana's own ClientHello reader (tls.h).
 *
 * A bounded pool of slots per worker, allocated at start-up; a flow takes a
 * slot while it is undecided and gives it back at its verdict. Pure C, no
 * DPDK types. Each pool belongs to one worker.
 */
#ifndef ADUANA_STREAM_H
#define ADUANA_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "h2.h"
#include "quic.h"
#include "tls.h"

/* Bytes of the stream kept: a ClientHello's bound (TLS_CH_MAX) and what an
 * honest client sends behind it before its server answers, twice that:
 * 0-RTT early data (OpenSSL's and nginx's bound, 16 KiB) and, after a
 * HelloRetryRequest that rejected it, the second hello. At 16 KiB, an
 * honest s_client's second hello behind 15.6 KiB of early data lay past
 * the slot and was refused (rt38_early_hrr16k_ok, tests/e2e/variety.sh
 * early_hrr_16k). Offsets into it fit 16 bits (stream_slot.cut,
 * flow_seal.end). */
#define STREAM_MAX     (2 * TLS_CH_MAX)
#define STREAM_NO_SLOT UINT32_MAX
/* The responder's first handshake bytes kept, joined across its records:
 * a HelloRetryRequest's message header, version and random. */
#define STREAM_RESP_MAX 38
#define STREAM_RESP_BAD 0xff /* stream_slot.resp_hdr: not a handshake record */
/* Sources (the caller's hash of a flow's initiator address) and networks
 * (of its IPv6 /64) whose slots are counted (stream_own), a power of two;
 * an address's share of the pool, and a network's. */
#define STREAM_SRC_BUCKETS 1024
#define STREAM_SRC_SHARE   8 /* one address holds at most n / 8 counted slots */
#define STREAM_NET_SHARE   2 /* one IPv6 /64 at most n / 2 */
#define STREAM_NO_NET	   UINT16_MAX
#define STREAM_POOL_MAX	   4096 /* slots a pool may have */
#define STREAM_CUTS	   8	/* segment edges a slot keeps (stream_slot.cut) */
/* stream_pool.state[] bits */
#define STREAM_ST_USED	  0x01
#define STREAM_ST_COUNTED 0x02
/* kept only for its initiator's word (judge.c, judge_slot_spent): that it
 * heard the acknowledgement of its bytes (judge_slot_heard), or the walk of
 * its records behind early data (judge_hello_tail): taken back first, at
 * any age, sealed, with no exception */
#define STREAM_ST_SOFT	  0x04

enum stream_add {
	STREAM_ADDED = 0, /* stored (or already there, the same bytes) */
	STREAM_CONFLICT,  /* bytes already seen differ: the receiver may read either */
};

enum {
	STREAM_HTTP_LEAD = 0, /* white space a server skips before the request line */
	STREAM_HTTP_LINE,     /* the request line, until its LF */
	STREAM_HTTP_MID,      /* inside a header line */
	STREAM_HTTP_BOL,      /* at a header line's start */
	STREAM_HTTP_CR,	      /* a CR at a header line's start */
	STREAM_HTTP_DONE,     /* the head read whole, the slot kept (judge.c: bytes unsent or not acknowledged) */
};

struct stream_slot {
	uint32_t base;	    /* sequence number of stream byte 0 */
	uint32_t have;	    /* contiguous bytes from byte 0 */
	uint32_t fed;	    /* bytes handed to the reader */
	uint32_t next_free; /* free list link */
	/* Who holds it (the caller's: judge.c takes a slot back from a
	 * holder that kept it too long): a flow's slot and generation. */
	uint32_t owner;
	uint32_t owner_gen;
	uint8_t in_use;
	uint8_t tls;		/* enum tls_ch_status of the reader so far */
	uint8_t reported;	/* the caller took the reader's answer */
	uint8_t any;		/* a byte was stored */
	uint8_t hrr;		/* the responder asked for a second ClientHello (stream_hello2) */
	/* The responder's first handshake bytes (judge.c, judge_resp_first):
	 * resp_n of them joined in resp from its records' bodies; resp_hdr
	 * bytes of the current record's header read (5: in its body;
	 * STREAM_RESP_BAD: a record of another type or empty); resp_left the
	 * body bytes left in it; resp_at the stream bytes read. */
	uint8_t resp_n;
	uint8_t resp_hdr;
	uint16_t resp_left;
	uint16_t resp_at;
	uint8_t resp[STREAM_RESP_MAX];
	uint8_t ch2_in;		/* stream_hello2: past the ChangeCipherSpec records */
	uint32_t ch2_at;	/* stream_hello2: the next stream byte it looks at */
	struct tls_ch_info ch1; /* the first hello's reading, once hrr is set */
	struct tls_ch ch;
	/* Where the lenient reading of a refused hello stopped
	 * (judge_hello_names): each byte is walked once. */
	struct tls_names_at names;
	/* The client's first bytes as an HTTP request head being joined
	 * (judge.c, judge_http_head): bytes looked at, and where they stand
	 * (STREAM_HTTP_*). */
	uint32_t http_at;
	uint8_t http;
	/* A UDP flow's QUIC Initials (judge.c, judge_quic): the CRYPTO
	 * stream joined in buf from byte 5 on (a TLS record header goes
	 * before it once the hello is whole), map a bit per CRYPTO byte. */
	uint8_t quic_on;
	uint8_t quic_ch2; /* judge.c: a QUIC flow's second hello was read (judge_quic_hello2) */
	struct quic_init quic;
	/* The client's first bytes as HTTP/2 with prior knowledge (judge.c,
	 * judge_h2): 0 not known yet, 1 the preface so far, 2 not h2c. */
	uint8_t h2_on;
	uint32_t h2_at; /* where its h2 bytes start: 0, or past an HTTP/1.1 upgrade's head */
	struct h2_reader h2;
	/* Bytes of the initiator's read here and not passed on (judge.c,
	 * judge_unsent_mark: a hello segment dropped after it was read), a
	 * bit per byte, until a copy of them goes on; unsent_any: a bit may
	 * be set (the map is cleared when the first is). */
	uint8_t unsent_any;
	uint8_t unsent[STREAM_MAX / 8];
	/* Where the furthest initiator byte passed on ends (an offset; the
	 * bytes passed on before the verdict are a prefix: none past a gap
	 * goes): a byte before it is not unsent when a later copy of it is
	 * dropped. */
	uint32_t fwd_end;
	/* Where the copies stored here began and ended (offsets in (0,
	 * STREAM_MAX], ascending; ncut of them): the edges an honest sender's
	 * later copy keeps, which the flow's seal cuts its runs at (judge.c,
	 * judge_slot_seal). Past STREAM_CUTS the middle ones give way: the
	 * first segment's end (a retransmission timer's copy) and the last
	 * one's start (a tail loss probe's) are the ones that matter. */
	uint8_t ncut;
	uint16_t cut[STREAM_CUTS];
	/* The responder's newest acknowledgement of the initiator's bytes,
	 * as an offset (0 until one; judge.c, judge_slot_ack): an allowed
	 * flow keeps its slot until it covers every byte held (have), so
	 * that a copy lost past us is compared when it comes again, in
	 * whatever pieces (an ICMP error's smaller segments). */
	uint32_t acked;
	/* Whether the initiator heard it (judge.c, judge_slot_heard): the
	 * responder's segment with bytes that first acknowledged `mark` of
	 * the slot's bytes ends at mark_seq (in the responder's sequence);
	 * heard is the most of them the initiator showed it knows to be
	 * acknowledged (its ACK reached such a mark_seq). The slot stays
	 * until heard covers every byte held: until then an honest initiator
	 * may send any of them again, cut as its first copies were. */
	uint32_t mark;
	uint32_t mark_seq;
	uint32_t heard;
	/* The client's records after its first hello (judge.c,
	 * judge_hello_tail): where the next one starts (0: not walked yet),
	 * and whether the walk is over (after an answer that is no
	 * HelloRetryRequest: the client showed it read a ServerHello). */
	uint32_t tail_at;
	uint8_t tail_done; /* 1: over; 2: a ClientHello found there, being read (judge_hello2) */
	uint32_t tail_end; /* once over: where the bytes it ended on end (the seal keeps them) */
	uint8_t map[STREAM_MAX / 8]; /* bit per byte: received */
	uint8_t buf[STREAM_MAX];
	uint8_t hello[TLS_CH_MAX]; /* the reader's buffer */
};

struct stream_pool {
	struct stream_slot *slots;
	uint32_t n;
	uint32_t high; /* slots [high, n) were never used */
	uint32_t free_head;
	uint32_t active;
	uint16_t src[STREAM_SRC_BUCKETS]; /* counted slots per address (stream_own) */
	uint16_t net[STREAM_SRC_BUCKETS]; /* ... per IPv6 /64 */
	/* Per slot, dense, so that a search for one to take back reads a
	 * few cache lines, not one per slot: STREAM_ST_* bits, the buckets
	 * it counts in, and when it was taken (the caller's clock). */
	uint8_t state[STREAM_POOL_MAX];
	uint16_t own_src[STREAM_POOL_MAX];
	uint16_t own_net[STREAM_POOL_MAX];
	uint64_t t_open[STREAM_POOL_MAX];
};

/* Bytes a pool of n slots takes. */
size_t stream_pool_size(uint32_t n);

/* Set up a pool over caller-owned, zeroed memory of stream_pool_size(n)
 * bytes (slots) for n slots (at most STREAM_POOL_MAX are used). Before the
 * worker starts. */
void stream_pool_init(struct stream_pool *p, void *slots, uint32_t n);

/* Take a slot for a stream whose byte 0 has sequence number base, or
 * STREAM_NO_SLOT when all are taken. */
uint32_t stream_open(struct stream_pool *p, uint32_t base);

/* Give a slot back. Accepts STREAM_NO_SLOT. */
void stream_close(struct stream_pool *p, uint32_t slot);

/* Whether address bucket src (< STREAM_SRC_BUCKETS) holds its whole share
 * of counted slots. */
static inline bool stream_src_full(const struct stream_pool *p, uint16_t src)
{
	return p->src[src] >= p->n / STREAM_SRC_SHARE;
}

/* Whether network bucket net (STREAM_NO_NET: none) holds its whole share. */
static inline bool stream_net_full(const struct stream_pool *p, uint16_t net)
{
	return net != STREAM_NO_NET && p->net[net] >= p->n / STREAM_NET_SHARE;
}

/* Count an open slot against address bucket src and network bucket net
 * (STREAM_NO_NET: none) until it is closed (once). */
static inline void stream_own(struct stream_pool *p, uint32_t slot, uint16_t src, uint16_t net)
{
	if (p->state[slot] & STREAM_ST_COUNTED)
		return;
	p->state[slot] |= STREAM_ST_COUNTED;
	p->own_src[slot] = src;
	p->own_net[slot] = net;
	p->src[src]++;
	if (net != STREAM_NO_NET)
		p->net[net]++;
}

/* Place a segment's bytes (sequence number seq). Bytes outside the first
 * STREAM_MAX of the stream are not kept (the reader refuses a hello that
 * long anyway). Bytes that an earlier segment covered are compared: where
 * they differ the first copy stays and STREAM_CONFLICT is returned, the
 * segment's other bytes taken all the same (as Linux reads it). Newly
 * contiguous bytes go to the reader. */
enum stream_add stream_add(struct stream_pool *p, uint32_t slot, uint32_t seq, const uint8_t *data,
			   size_t n);

/* Move a slot's byte 0 to sequence number base, while it holds no byte.
 * True when byte 0 is there now. */
static inline bool stream_rebase(struct stream_pool *p, uint32_t slot, uint32_t base)
{
	struct stream_slot *s = &p->slots[slot];

	if (!s->any)
		s->base = base;
	return s->base == base;
}

/* True when a slot holds no byte yet. */
static inline bool stream_empty(const struct stream_pool *p, uint32_t slot)
{
	return !p->slots[slot].any;
}

/* The responder answered the first ClientHello (read: TLS_CH_DONE) with a
 * HelloRetryRequest: keep its reading in ->ch1 and read the client's
 * second ClientHello, which follows it after any ChangeCipherSpec record
 * (RFC 8446 4.1.4, D.4), with a fresh reader (stream_hello2). */
void stream_expect_hello2(struct stream_pool *p, uint32_t slot);

/* Read on in the second ClientHello as far as the contiguous bytes go:
 * its status (TLS_CH_NOT_TLS: another record than a handshake one came
 * first; TLS_CH_MALFORMED also when it does not fit the slot). */
enum tls_ch_status stream_hello2(struct stream_pool *p, uint32_t slot);

/* The reader of a slot (status: ->status, result: ->info). */
static inline const struct tls_ch *stream_tls(const struct stream_pool *p, uint32_t slot)
{
	return &p->slots[slot].ch;
}

/* Contiguous bytes of a slot's stream. */
static inline uint32_t stream_have(const struct stream_pool *p, uint32_t slot)
{
	return p->slots[slot].have;
}

#endif
