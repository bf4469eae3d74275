/* rlog.h - the request log of a read HTTP client (judge.c,
 * judge_http_more; docs/classification.md, "The request log"): the bytes
 * the office's HTTP reading took from the client's stream (request heads,
 * chunk-size lines, h2c frames), at their sequence numbers, from the
 * server's newest acknowledgement to our next byte.
 *
 * Why. The reading takes each byte once, from the first copy that passes
 * every check, and lets later copies through as old bytes. A copy that the
 * server never gets, for a reason no check sees (a full-size segment with
 * Don't Fragment that a smaller MTU past us drops: rtk2_pmtu_decoy_vk; a
 * flow picked up midstream, whose window scale was never seen, so that a
 * decoy past the server's real window edge looked inside it:
 * rt7_midstream_edge_vk), let other bytes at its place pass unread: the
 * server read those. Every later copy of a logged byte is compared with the
 * log, so that whichever copy the server keeps, it reads what we read. The
 * header log (hlog.h) does the same for checked TLS flows.
 *
 * What is logged: every byte the reading parses. The bytes of a body whose
 * length a head declared (Content-Length) or of chunk data at a segment's
 * start move no boundary (the head and the chunk-size line that framed them
 * are logged) and are not.
 *
 * Bounded: RLOG_BYTES bytes in RLOG_RUNS runs per flow, RLOG_SLOTS logs per
 * worker, taken by a flow only while it has bytes its server has not
 * acknowledged. Bytes read that find the log full (a head of more than
 * RLOG_BYTES in one flight) are not logged but summed, each append apart,
 * with the key of the header log's sums (hlog_sum): a later copy that
 * holds the whole of each such piece it touches and sums the same agrees
 * (since the twenty-fifth session: an honest copy of a segment lost after
 * us, rt10e_head20k_loss_ok). Where RLOG_SUMS pieces are held, the range
 * of what finds no room is kept, and every later copy of any byte of it
 * disagrees until the server acknowledges it, as the header log does. Pure
 * C, no allocation. Owning worker.
 */
#ifndef ADUANA_RLOG_H
#define ADUANA_RLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hlog.h" /* hlog_sum */

#define RLOG_BYTES 16384 /* per flow, a power of two: a whole head (judge.c reads 16 KiB) */
#define RLOG_RUNS  1024	/* per flow, a power of two */
#define RLOG_SLOTS 256	/* logs per worker */
#define RLOG_SUMS  32	/* summed pieces per flow: 46 KiB of full segments */
#define RLOG_LOST  4	/* ranges said lost by ICMP errors, per flow */

/* len bytes logged at seq, at off in the byte ring, at time t. */
struct rlog_run {
	uint32_t seq;
	uint16_t len;
	uint16_t off;
	uint16_t t;
	uint16_t pad;
};

/* len bytes read at seq past the log's room, at time t, summed (hlog_sum). */
struct rlog_sum {
	uint32_t seq;
	uint16_t len;
	uint16_t t;
	uint32_t h;
};

struct rlog {
	uint32_t fidx; /* the flow's slot in the table, UINT32_MAX: free */
	uint32_t gen;  /* its flow's gen when taken */
	uint16_t head; /* the oldest run */
	uint16_t n;    /* runs */
	uint16_t bused; /* bytes held, from the oldest run's off on */
	uint8_t unv;	/* [unv_lo, unv_hi) holds bytes read but not logged */
	uint8_t ns;	/* summed pieces, s[0] the oldest, in sequence order */
	uint16_t bucket; /* its owner's inside source (judge.c counts them) */
	uint16_t net;	 /* ... and its IPv6 /64 (STREAM_NO_NET for IPv4) */
	uint16_t unv_t; /* when that range was begun (the owner's clock) */
	uint32_t unv_lo, unv_hi;
	/* Ranges [lo, hi) of bytes an ICMP error from past us said never
	 * reached the server, until a copy of them goes on (judge.c,
	 * judge_icmp_lost): no honest server acknowledges them before.
	 * lost: how many of lostr are in use. */
	uint8_t lost;
	struct rlog_lost {
		uint32_t lo, hi;
	} lostr[RLOG_LOST];
	struct rlog_sum s[RLOG_SUMS];
	struct rlog_run r[RLOG_RUNS];
	uint8_t b[RLOG_BYTES];
};

/* Where an append can be taken back (rlog_undo). */
struct rlog_mark {
	uint16_t n, bused, last_len;
	uint8_t unv, ns;
	uint32_t unv_lo, unv_hi;
};

static inline void rlog_init(struct rlog *l, uint32_t fidx, uint32_t gen)
{
	l->fidx = fidx;
	l->gen = gen;
	l->head = 0;
	l->n = 0;
	l->bused = 0;
	l->unv = 0;
	l->ns = 0;
	l->lost = 0;
}

static inline bool rlog_empty(const struct rlog *l)
{
	return l->n == 0 && !l->unv && !l->ns;
}

static inline const struct rlog_run *rlog_last(const struct rlog *l)
{
	return &l->r[(l->head + l->n - 1) & (RLOG_RUNS - 1)];
}

/* Ticks of the owner's clock since the oldest byte was logged; 0 when
 * there is none. */
static inline unsigned rlog_age(const struct rlog *l, uint16_t now)
{
	unsigned a = l->n ? (uint16_t)(now - l->r[l->head].t) : 0;
	unsigned u = l->unv ? (uint16_t)(now - l->unv_t) : 0;
	unsigned s = l->ns ? (uint16_t)(now - l->s[0].t) : 0;

	if (s > a)
		a = s;
	return a > u ? a : u;
}

/* The oldest byte the log still answers for (rlog_empty false). */
static inline uint32_t rlog_lo(const struct rlog *l)
{
	uint32_t lo = 0;
	bool any = false;

	if (l->n) {
		lo = l->r[l->head].seq;
		any = true;
	}
	if (l->unv && (!any || (int32_t)(l->unv_lo - lo) < 0)) {
		lo = l->unv_lo;
		any = true;
	}
	if (l->ns && (!any || (int32_t)(l->s[0].seq - lo) < 0))
		lo = l->s[0].seq;
	return lo;
}

/* Join [lo, hi) to the range no copy may touch. */
static inline void rlog_unv_add(struct rlog *l, uint32_t lo, uint32_t hi, uint16_t now)
{
	if (!l->unv) {
		l->unv = 1;
		l->unv_t = now;
		l->unv_lo = lo;
		l->unv_hi = hi;
		return;
	}
	if ((int32_t)(lo - l->unv_lo) < 0)
		l->unv_lo = lo;
	if ((int32_t)(hi - l->unv_hi) > 0)
		l->unv_hi = hi;
}

/* Forget the bytes before ack: its server has them and reads no copy of
 * them again. A run keeps its time (its bytes were all logged within the
 * tick it was begun in: rlog_add merges no later ones into it), so a log's
 * age is its oldest byte's, which a trickle of acknowledgements does not
 * renew (red team round 10, the twentieth session). */
static inline void rlog_release(struct rlog *l, uint32_t ack)
{
	unsigned g = 0;

	/* Summed pieces wholly acknowledged go; one cut by ack can no longer
	 * be summed by a copy that starts at ack: its rest joins the range no
	 * copy may touch (a server acknowledges whole segments: rare). */
	while (g < l->ns && (int32_t)(ack - l->s[g].seq) > 0) {
		if ((int32_t)(l->s[g].seq + l->s[g].len - ack) > 0)
			rlog_unv_add(l, ack, l->s[g].seq + l->s[g].len, l->s[g].t);
		g++;
	}
	if (g) {
		l->ns = (uint8_t)(l->ns - g);
		memmove(l->s, l->s + g, sizeof(l->s[0]) * l->ns);
	}
	if (l->unv && (int32_t)(ack - l->unv_lo) > 0) {
		if ((int32_t)(l->unv_hi - ack) <= 0)
			l->unv = 0;
		else
			l->unv_lo = ack;
	}
	while (l->n) {
		struct rlog_run *o = &l->r[l->head];
		int32_t k = (int32_t)(ack - o->seq);

		if (k <= 0)
			return;
		if (k < o->len) {
			o->seq += (uint32_t)k;
			o->len = (uint16_t)(o->len - k);
			o->off = (uint16_t)((o->off + k) & (RLOG_BYTES - 1));
			l->bused = (uint16_t)(l->bused - k);
			return;
		}
		l->bused = (uint16_t)(l->bused - o->len);
		l->head = (uint16_t)((l->head + 1) & (RLOG_RUNS - 1));
		l->n--;
	}
}

/* Whether n bytes at seq can be logged (rlog_add). */
static inline bool rlog_fits(const struct rlog *l, uint32_t seq, uint32_t n, uint16_t now)
{
	if (n > (uint32_t)(RLOG_BYTES - l->bused))
		return false;
	if (l->n && rlog_last(l)->seq + rlog_last(l)->len == seq &&
	    rlog_last(l)->len + n <= UINT16_MAX && rlog_last(l)->t == now)
		return true;
	return l->n < RLOG_RUNS;
}

static inline struct rlog_mark rlog_mark(const struct rlog *l)
{
	struct rlog_mark m = {l->n, l->bused, l->n ? rlog_last(l)->len : 0,
			      l->unv, l->ns, l->unv_lo, l->unv_hi};

	return m;
}

/* Take back what was added since m (nothing released in between). */
static inline void rlog_undo(struct rlog *l, struct rlog_mark m)
{
	l->n = m.n;
	l->bused = m.bused;
	l->unv = m.unv;
	l->ns = m.ns;
	l->unv_lo = m.unv_lo;
	l->unv_hi = m.unv_hi;
	if (l->n)
		l->r[(l->head + l->n - 1) & (RLOG_RUNS - 1)].len = m.last_len;
}

/* Log n bytes read at seq, after every byte logged so far; where they do
 * not fit (rlog_fits), they are summed as a piece of their own, and where
 * RLOG_SUMS are held, the range they span joins the unlogged one. */
static inline void rlog_add(struct rlog *l, uint32_t seq, const uint8_t *p, uint32_t n,
			    uint16_t now)
{
	struct rlog_run *e;
	uint32_t at, k;

	if (!n)
		return;
	if (!rlog_fits(l, seq, n, now)) {
		if (l->ns < RLOG_SUMS && n <= UINT16_MAX) {
			struct rlog_sum *s = &l->s[l->ns++];

			s->seq = seq;
			s->len = (uint16_t)n;
			s->t = now;
			s->h = hlog_sum(p, n);
			return;
		}
		rlog_unv_add(l, seq, seq + n, now);
		return;
	}
	at = l->n ? (uint32_t)(l->r[l->head].off + l->bused) & (RLOG_BYTES - 1) : 0;
	if (!l->n)
		l->bused = 0;
	k = RLOG_BYTES - at < n ? RLOG_BYTES - at : n;
	memcpy(l->b + at, p, k);
	memcpy(l->b, p + k, n - k);
	if (l->n && rlog_last(l)->seq + rlog_last(l)->len == seq && rlog_last(l)->t == now) {
		e = &l->r[(l->head + l->n - 1) & (RLOG_RUNS - 1)];
		e->len = (uint16_t)(e->len + n);
	} else {
		e = &l->r[(l->head + l->n) & (RLOG_RUNS - 1)];
		e->seq = seq;
		e->len = (uint16_t)n;
		e->off = (uint16_t)at;
		e->t = now;
		l->n++;
	}
	l->bused = (uint16_t)(l->bused + n);
}

/* Whether n bytes at seq agree with every logged byte they cover. */
bool rlog_agrees(const struct rlog *l, uint32_t seq, const uint8_t *p, uint32_t n);

/* Bytes [seq, seq + n) an ICMP error said never reached the server: a
 * range of their own, joined with those they touch; with no room left,
 * joined with the last (one range that covers both: bytes the server has
 * may then count as lost, which refuses rather than passes). */
static inline void rlog_lost_add(struct rlog *l, uint32_t seq, uint32_t n)
{
	uint32_t lo = seq, hi = seq + n;
	unsigned i = 0;

	if (!n)
		return;
	while (i < l->lost) {
		struct rlog_lost *r = &l->lostr[i];

		if ((int32_t)(hi - r->lo) >= 0 && (int32_t)(r->hi - lo) >= 0) {
			if ((int32_t)(r->lo - lo) < 0)
				lo = r->lo;
			if ((int32_t)(r->hi - hi) > 0)
				hi = r->hi;
			l->lostr[i] = l->lostr[--l->lost];
			continue;
		}
		i++;
	}
	if (l->lost == RLOG_LOST) {
		struct rlog_lost *r = &l->lostr[RLOG_LOST - 1];

		if ((int32_t)(r->lo - lo) < 0)
			lo = r->lo;
		if ((int32_t)(r->hi - hi) > 0)
			hi = r->hi;
		l->lost--;
	}
	l->lostr[l->lost].lo = lo;
	l->lostr[l->lost].hi = hi;
	l->lost++;
}

/* A copy of [seq, seq + n) reached the server: those bytes are lost no
 * more (a range they cut in two becomes two, where there is room; else
 * its part before them stays, the whole range). */
static inline void rlog_lost_sent(struct rlog *l, uint32_t seq, uint32_t n)
{
	uint32_t end = seq + n;
	unsigned i = 0;

	while (i < l->lost) {
		struct rlog_lost *r = &l->lostr[i];

		if ((int32_t)(end - r->lo) <= 0 || (int32_t)(r->hi - seq) <= 0) {
			i++;
			continue;
		}
		if ((int32_t)(seq - r->lo) <= 0) {
			/* from its start: what is left lies past the copy */
			if ((int32_t)(r->hi - end) <= 0) {
				l->lostr[i] = l->lostr[--l->lost];
				continue;
			}
			r->lo = end;
		} else if ((int32_t)(r->hi - end) <= 0) {
			r->hi = seq; /* to its end: what is left lies before */
		} else if (l->lost < RLOG_LOST) {
			l->lostr[l->lost].lo = end; /* inside it: two */
			l->lostr[l->lost].hi = r->hi;
			l->lost++;
			r->hi = seq;
		}
		i++;
	}
}

/* Whether an ACK of ack acknowledges a byte still said lost. */
static inline bool rlog_lost_acked(const struct rlog *l, uint32_t ack)
{
	for (unsigned i = 0; i < l->lost; i++)
		if ((int32_t)(ack - l->lostr[i].lo) > 0)
			return true;
	return false;
}

#endif
