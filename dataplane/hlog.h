/* hlog.h - the header log of a checked TLS flow (DESIGN 4.2; docs/stream.md,
 * "The header log"): for each direction, the bytes its conformance reading
 * depended on (every record header, the checked first byte of a handshake
 * body; conform.h, struct conform_marks), at their sequence numbers, from
 * the receiver's newest acknowledgement to our next byte.
 *
 * Why. A receiver reads each byte from whichever copy of it it keeps. Where
 * it keeps another copy than the one we read (a loss after us, which the
 * sender learns of from SACK blocks or chooses: a full-size DF segment that
 * a smaller MTU downstream drops; or two copies held past a gap, sent in
 * turn; Linux tcp_data_queue_ofo replaces a queued segment that a later one
 * covers), its record boundaries are ours as long as that copy holds the
 * same bytes where we read headers. Every later copy of a logged byte that
 * passes us is compared with the log, so that whichever copy the receiver
 * keeps, it reads the headers we read; the bytes inside record bodies move
 * no boundary and are not compared.
 *
 * Bounded: HLOG_ENTRIES per direction. The entries its receiver
 * acknowledged are released (it reads no copy of those bytes again); a
 * header that finds the log full is not logged (conform_log_full), and its
 * later copies are taken as before the log: unread. Every segment is still
 * summed and vetted before it is read (judge.c): the log does not replace
 * that (docs/stream.md says why: the acknowledgement that releases an entry
 * is not authenticated). Pure C, no allocation; judge.c keeps a pool per
 * worker. Owning worker.
 */
#ifndef ADUANA_HLOG_H
#define ADUANA_HLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#define HLOG_ENTRIES 256 /* per direction, a power of two */
#define HLOG_SLOTS   1024 /* logs per worker */

/* Bytes read at seq (len of them, 1..5); or, where len has HLOG_SUMMED,
 * a summed run (hlog_add_sum): its length (len & 0x7f) << 8 | b[0], its
 * sum (hlog_sum) in b[1..4]. 12 bytes. */
struct hlog_ent {
	uint32_t seq;
	uint8_t len;
	uint8_t b[5];
	uint16_t t; /* when it was logged: the owner's clock (hlog.now) */
};

#define HLOG_SUMMED  0x80
#define HLOG_SUM_MAX 0x7fff /* the longest summed run */

static inline uint32_t hlog_ent_len(const struct hlog_ent *e)
{
	return (e->len & HLOG_SUMMED) ? (uint32_t)(e->len & 0x7f) << 8 | e->b[0] : e->len;
}

struct hlog_dir {
	uint16_t head; /* the oldest entry */
	uint16_t n;    /* entries */
	uint8_t full;  /* an entry found no room since the caller last cleared it */
	uint8_t unv;   /* [unv_lo, unv_hi) holds headers read but not logged:
			* HLOG_UNV, or HLOG_UNV_SUM where unv_h sums the range */
	uint16_t unv_t; /* when that range was made (hlog.now) */
	uint32_t lo_end; /* where the oldest entry ends (n > 0): release looks here first */
	/* Headers read that found the log full (a segment with more than a
	 * log holds, read alone: judge.c, judge_conform_read): no later copy
	 * of these bytes can be compared, so any is refused (hlog_agrees)
	 * until the receiver acknowledges them. */
	uint32_t unv_lo, unv_hi;
	/* The range's bytes as the segment that made it held them, summed
	 * with a key of this process (hlog_sum; HLOG_UNV_SUM): a later copy
	 * that holds the whole range and sums the same agrees with it (an
	 * honest retransmission of a segment with more headers than a log
	 * holds: rt19_dns_tcp_pipe_resend_ok). A copy of a part of it is
	 * still refused. */
	uint32_t unv_h;
};

#define HLOG_UNV     1
#define HLOG_UNV_SUM 2

/* What each packet reads (the owner, both directions' counts) in the first
 * cache line; the entries after it. */
struct hlog {
	uint32_t fidx; /* the flow's slot in the table, UINT32_MAX: free */
	uint32_t gen;  /* its flow's gen when taken: the flow is gone when it differs */
	struct hlog_dir d[2];
	uint16_t now; /* the owner's clock (mod 2^16; judge.c: 2^30 ns), given to new entries */
	uint16_t bucket; /* the owner's inside source bucket (judge.c: its share of the pool) */
	uint16_t net;	 /* ... and its IPv6 /64's (STREAM_NO_NET for IPv4) */
	/* The low byte of the length of the last TLS application-data
	 * header read at once (judge.c, judge_conform_read); its first four
	 * bytes are the flow's conform_dir.hdr. The server's next header
	 * segment is read before its sum only when its header is the same. */
	uint8_t last_lo[2];
	struct hlog_ent e[2][HLOG_ENTRIES];
};

static inline void hlog_init(struct hlog *l, uint32_t fidx, uint32_t gen)
{
	l->fidx = fidx;
	l->gen = gen;
	memset(l->d, 0, sizeof(l->d));
	l->now = 0;
	l->last_lo[0] = l->last_lo[1] = 0;
}

/* Ticks of the owner's clock since the oldest entry of a direction was
 * logged (mod 2^16: judge.c's ticks are 1.07 s, so an entry older than 19
 * hours may look young); 0 when there is none. */
static inline unsigned hlog_age(const struct hlog *l, unsigned dir, uint16_t now)
{
	if (!l->d[dir].n)
		return l->d[dir].unv ? (uint16_t)(now - l->d[dir].unv_t) : 0;
	return (uint16_t)(now - l->e[dir][l->d[dir].head].t);
}

static inline unsigned hlog_room(const struct hlog *l, unsigned dir)
{
	return HLOG_ENTRIES - l->d[dir].n;
}

/* Release the entries wholly before ack: its receiver has every byte
 * before it and reads no copy of them again. */
static inline void hlog_release(struct hlog *l, unsigned dir, uint32_t ack)
{
	struct hlog_dir *d = &l->d[dir];

	if (d->unv && (int32_t)(d->unv_hi - ack) <= 0)
		d->unv = 0;
	while (d->n && (int32_t)(d->lo_end - ack) <= 0) {
		d->head = (uint16_t)((d->head + 1) & (HLOG_ENTRIES - 1));
		if (--d->n) {
			const struct hlog_ent *e = &l->e[dir][d->head];

			d->lo_end = e->seq + hlog_ent_len(e);
		}
	}
}

/* The entry to fill for len bytes at seq, or NULL where the log is full
 * (full is set, and the bytes join the unlogged range). */
static inline struct hlog_ent *hlog_put(struct hlog *l, unsigned dir, uint32_t seq, unsigned len)
{
	struct hlog_dir *d = &l->d[dir];
	struct hlog_ent *e;

	if (d->n == HLOG_ENTRIES) {
		d->full = 1;
		if (!d->unv) {
			d->unv = HLOG_UNV;
			d->unv_t = l->now;
			d->unv_lo = seq;
			d->unv_hi = seq + len;
		} else {
			d->unv = HLOG_UNV; /* a sum covers the range it was made for */
			if ((int32_t)(seq - d->unv_lo) < 0)
				d->unv_lo = seq;
			if ((int32_t)(seq + len - d->unv_hi) > 0)
				d->unv_hi = seq + len;
		}
		return NULL;
	}
	e = &l->e[dir][(d->head + d->n) & (HLOG_ENTRIES - 1)];
	e->seq = seq;
	e->t = l->now;
	if (d->n++ == 0)
		d->lo_end = seq + len;
	return e;
}

/* Log len (1..5) bytes read at seq; none when full (full is set). */
static inline void hlog_add(struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *b,
			    unsigned len)
{
	struct hlog_ent *e = hlog_put(l, dir, seq, len);

	if (e) {
		e->len = (uint8_t)len;
		memcpy(e->b, b, len);
	}
}

/* Log the n bytes read at seq as summed runs of HLOG_SUM_MAX at most: a
 * later copy that touches any of them must hold them all and sum the same
 * (hlog_agrees). For a reading that depends on every byte (SMTP's lines),
 * where an entry a byte run would not fit a log. */
void hlog_add_sum(struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p, uint32_t n);

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of n bytes under key k. */
uint64_t hlog_siphash(const uint64_t k[2], const uint8_t *m, size_t n);

/* n bytes summed under this process's key (random, from its start). */
uint32_t hlog_sum(const uint8_t *p, uint32_t n);

/* n secret random bytes into buf: getrandom, else /dev/urandom. False
 * when neither gives them: the process has no secret to key its sums and
 * hashes with, and must not run (main refuses to start: a key an attacker
 * can guess, from the clock say, makes every keyed check forgeable). */
bool hlog_secret(void *buf, size_t n);
/* Whether the header log's key was drawn (hlog_secret) when the process
 * started. */
bool hlog_key_ok(void);

/* Sum a direction's unlogged range, where the n bytes at seq (the segment
 * that made it, just read) hold all of it; the range then agrees with a
 * later copy that sums the same (hlog_agrees). */
static inline void hlog_unv_seal(struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p,
				 uint32_t n)
{
	struct hlog_dir *d = &l->d[dir];

	if (d->unv == HLOG_UNV && d->unv_lo - seq <= n && d->unv_hi - seq <= n &&
	    (int32_t)(d->unv_hi - d->unv_lo) > 0) {
		d->unv_h = hlog_sum(p + (d->unv_lo - seq), d->unv_hi - d->unv_lo);
		d->unv = HLOG_UNV_SUM;
	}
}

/* Whether n bytes at seq agree with every logged byte of a direction that
 * they cover. */
bool hlog_agrees(const struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p, uint32_t n);

/* The same, but a summed run that the copy does not hold whole agrees on
 * condition: *cut is then where the first such run starts (an offset into
 * the copy; 0 where the copy begins inside one), and the copy agrees only
 * if cut there (0: nothing of it is left to pass); UINT32_MAX where it
 * agrees whole. Every byte before *cut is compared as hlog_agrees
 * compares it. */
bool hlog_agrees_cut(const struct hlog *l, unsigned dir, uint32_t seq, const uint8_t *p,
		     uint32_t n, uint32_t *cut);

#endif
