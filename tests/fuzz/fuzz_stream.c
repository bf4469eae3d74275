/* fuzz_stream.c - libFuzzer target for first-bytes reassembly
 * (dataplane/stream.c) and lifelong conformance (dataplane/conform.c).
 *
 * Input: byte 0: segments - 1 (bits 0-2), the conformance mode (bits 3-4:
 * the first bytes choose, TLS only, DNS only, DNS beside others); bytes
 * 1-4: the stream's base sequence number (little-endian); then 6 bytes per segment
 * (offset and length, 2 bytes each little-endian, a flip byte and a cut
 * byte); the rest is the body.
 *
 * Stream: segment k carries the stream's bytes [offset - 16, + length)
 * (the body, then a filler of their position), one of them changed when
 * the flip byte's top bit is set. The segments go to one slot in order and
 * to another reversed. Neither may report a conflict when nothing was
 * changed; when neither did, both hold the same contiguous prefix, the
 * stream's where nothing was changed, and their readers agree with a reader
 * fed that prefix at once.
 *
 * Conform: the body is cut into runs (segment k: length % 512 + 1 bytes,
 * the last takes the rest; cut byte bit 0: from the responder), fed whole,
 * at two cuts per run (cut and flip bytes), and one byte at a time: the
 * first breach (run and reason) must be the same. Any difference aborts.
 * Seeds: tests/fuzz/seeds_stream.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "hlog.h"
#include "stream.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_SEG_MAX  8
#define FZ_BODY_MAX (2 * STREAM_MAX)

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_stream: %s:%d: %s\n", __FILE__, __LINE__, #c);       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fz_seg {
	int64_t off; /* stream offset of the first byte, may be negative */
	size_t len;
	uint8_t flip;
	uint8_t cut;
	uint16_t raw_len;
};

static struct stream_pool fz_pool;
static struct stream_slot *fz_slots;
static uint8_t fz_seg_buf[FZ_SEG_MAX][FZ_BODY_MAX + 64];
static uint8_t fz_hello[TLS_CH_MAX];

/* The stream's byte at pos: the body's where it lies, a filler elsewhere. */
static uint8_t fz_byte(int64_t pos, const uint8_t *body, size_t blen)
{
	return pos >= 0 && (size_t)pos < blen ? body[pos] : (uint8_t)(pos * 131 + 17);
}

static void fz_seg_bytes(const struct fz_seg *s, const uint8_t *body, size_t blen, uint8_t *out)
{
	for (size_t j = 0; j < s->len; j++)
		out[j] = fz_byte(s->off + (int64_t)j, body, blen);
	if ((s->flip & 0x80) && s->len)
		out[s->flip % s->len] ^= 0x5a;
}

static void fz_stream(const struct fz_seg *seg, unsigned nseg, uint32_t base, const uint8_t *body,
		      size_t blen)
{
	uint32_t a, b;
	bool conflict_a = false, conflict_b = false, changed = false;
	const struct tls_ch *ca, *cb;
	struct tls_ch ref;
	int st;

	for (unsigned k = 0; k < nseg; k++) {
		fz_seg_bytes(&seg[k], body, blen, fz_seg_buf[k]);
		changed |= (seg[k].flip & 0x80) && seg[k].len;
	}
	a = stream_open(&fz_pool, base);
	b = stream_open(&fz_pool, base);
	FZ_CHECK(a != STREAM_NO_SLOT && b != STREAM_NO_SLOT && a != b);
	FZ_CHECK(stream_open(&fz_pool, base) == STREAM_NO_SLOT);
	for (unsigned k = 0; k < nseg; k++)
		conflict_a |= stream_add(&fz_pool, a, base + (uint32_t)seg[k].off, fz_seg_buf[k],
					 seg[k].len) == STREAM_CONFLICT;
	for (unsigned k = nseg; k-- > 0;)
		conflict_b |= stream_add(&fz_pool, b, base + (uint32_t)seg[k].off, fz_seg_buf[k],
					 seg[k].len) == STREAM_CONFLICT;
	if (!changed)
		FZ_CHECK(!conflict_a && !conflict_b);
	if (!conflict_a && !conflict_b) {
		uint32_t have = stream_have(&fz_pool, a);
		const uint8_t *buf = fz_pool.slots[a].buf;

		FZ_CHECK(have <= STREAM_MAX);
		FZ_CHECK(have == stream_have(&fz_pool, b));
		FZ_CHECK(memcmp(buf, fz_pool.slots[b].buf, have) == 0);
		for (uint32_t i = 0; i < have && !changed; i++)
			FZ_CHECK(buf[i] == fz_byte(i, body, blen));
		ca = stream_tls(&fz_pool, a);
		cb = stream_tls(&fz_pool, b);
		FZ_CHECK(ca->status == cb->status && ca->reason == cb->reason);
		FZ_CHECK(ca->status == fz_pool.slots[a].tls);
		/* The same as one reader fed the prefix at once. */
		tls_ch_init(&ref, fz_hello, sizeof(fz_hello));
		st = have ? (int)tls_ch_feed(&ref, buf, have) : TLS_CH_NEED_MORE;
		FZ_CHECK(st == ca->status && ref.reason == ca->reason);
		if (st == TLS_CH_DONE) {
			FZ_CHECK(strcmp(ca->info.sni, cb->info.sni) == 0);
			FZ_CHECK(strcmp(ca->info.sni, ref.info.sni) == 0);
			FZ_CHECK(ca->info.stream_bytes == cb->info.stream_bytes &&
				 ca->info.stream_bytes == ref.info.stream_bytes);
			FZ_CHECK(ca->info.hello_size == ref.info.hello_size);
		}
	}
	stream_close(&fz_pool, b);
	stream_close(&fz_pool, a);
	FZ_CHECK(fz_pool.active == 0);
}

/* how 4: conform_feed_marked, its marks kept in a header log by their
 * place in body (both directions in one log: their places differ). Each
 * mark lies within its run, holds 1 to 5 of its bytes, and the log agrees
 * with body. */
static struct hlog fz_log;
static const uint8_t *fz_run;
static size_t fz_run_len, fz_run_at;

static void fz_mark(void *arg, uint32_t off, const uint8_t *b, unsigned len)
{
	(void)arg;
	FZ_CHECK(len >= 1 && len <= 5 && off + len <= fz_run_len && b == fz_run + off);
	hlog_add(&fz_log, 0, (uint32_t)(fz_run_at + off), b, len);
}

/* The first breach of a reading: run index * 256 + reason, or 0. */
/* mode: 0 the first bytes choose, 1 TLS only, 2 DNS only (over TCP), 3 DNS
 * declared beside others. */
static unsigned fz_conform(unsigned mode, const struct fz_seg *seg, unsigned nseg,
			   const uint8_t *body, size_t blen, int how)
{
	struct conform c;
	size_t at = 0;

	conform_init(&c, mode == 1);
	if (mode >= 2)
		conform_declare_dns(&c, mode == 2);
	for (unsigned k = 0; k < nseg && at < blen; k++) {
		size_t len = k + 1 == nseg ? blen - at : (size_t)seg[k].raw_len % 512 + 1;
		bool from_init = !(seg[k].cut & 1);
		const uint8_t *p = body + at;
		enum conform_reason r = CONFORM_OK;

		if (len > blen - at)
			len = blen - at;
		at += len;
		/* judge.c's cut walk, at the same place whatever the reading
		 * (conform_no_rehello: every way must agree after it too), on
		 * a TLS-only reading as there (a hello at the stream's start;
		 * an SMTP reading turns to TLS where the next bytes are read,
		 * which differs by how they are cut) */
		if (mode == 1 && (seg[k].raw_len & 0x8000))
			conform_no_rehello(&c, from_init);
		if (how == 0) {
			r = conform_feed(&c, from_init, p, len);
		} else if (how == 1) {
			size_t x = (size_t)(seg[k].cut >> 1) % (len + 1),
			       y = seg[k].flip % (len + 1);
			size_t lo = x < y ? x : y, hi = x < y ? y : x;

			r = conform_feed(&c, from_init, p, lo);
			if (r == CONFORM_OK)
				r = conform_feed(&c, from_init, p + lo, hi - lo);
			if (r == CONFORM_OK)
				r = conform_feed(&c, from_init, p + hi, len - hi);
		} else if (how == 2) {
			for (size_t i = 0; i < len && r == CONFORM_OK; i++)
				r = conform_feed(&c, from_init, p + i, 1);
		} else if (how == 3) {
			/* judge_tcp's way: the fast header reader first. */
			if (!conform_next_appdata(&c, from_init, p, (uint32_t)len))
				r = conform_feed(&c, from_init, p, len);
		} else {
			struct conform_marks mk = {fz_mark, NULL};

			fz_run = p;
			fz_run_len = len;
			fz_run_at = at - len;
			r = conform_feed_marked(&c, from_init, p, len, &mk);
		}
		FZ_CHECK(r < CONFORM_R_COUNT && conform_reason_name(r) != NULL);
		if (r != CONFORM_OK)
			return (k + 1) * 256 + r;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_seg seg[FZ_SEG_MAX];
	unsigned nseg, whole;
	const uint8_t *body;
	size_t blen, hdr;
	uint32_t base;
	unsigned mode;

	if (!fz_slots) {
		fz_slots = calloc(1, stream_pool_size(2));
		FZ_CHECK(fz_slots != NULL);
		stream_pool_init(&fz_pool, fz_slots, 2);
	}
	if (size < 5)
		return 0;
	nseg = (data[0] & 7) + 1;
	mode = (data[0] >> 3) & 3;
	base = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
	       (uint32_t)data[4] << 24;
	hdr = 5 + 6 * (size_t)nseg;
	if (size < hdr)
		return 0;
	body = data + hdr;
	blen = size - hdr;
	if (blen > FZ_BODY_MAX)
		blen = FZ_BODY_MAX;
	for (unsigned k = 0; k < nseg; k++) {
		const uint8_t *d = data + 5 + 6 * k;
		unsigned off = d[0] | d[1] << 8, len = d[2] | d[3] << 8;

		seg[k].off = (int64_t)(off % (blen + 48)) - 16;
		seg[k].len = len % (blen + 33);
		seg[k].raw_len = (uint16_t)len;
		seg[k].flip = d[4];
		seg[k].cut = d[5];
	}
	fz_stream(seg, nseg, base, body, blen);
	whole = fz_conform(mode, seg, nseg, body, blen, 0);
	FZ_CHECK(fz_conform(mode, seg, nseg, body, blen, 1) == whole);
	FZ_CHECK(fz_conform(mode, seg, nseg, body, blen, 2) == whole);
	FZ_CHECK(fz_conform(mode, seg, nseg, body, blen, 3) == whole);
	hlog_init(&fz_log, 0, 0);
	FZ_CHECK(fz_conform(mode, seg, nseg, body, blen, 4) == whole);
	/* The log agrees with the bytes it was fed, unless it filled: then
	 * the headers it could not hold are a range that no copy matches
	 * (hlog.h, unv: judge.c refuses any copy of them until they are
	 * acknowledged). A DNS reading marks nearly every byte, five to an
	 * entry: 1481 bytes of labels of two filled the 256 entries
	 * (libFuzzer, the thirty-fourth session). */
	FZ_CHECK(hlog_agrees(&fz_log, 0, 0, body, (uint32_t)blen) ||
		 (fz_log.d[0].full && fz_log.d[0].unv));
	if (fz_log.d[0].n) {
		static uint8_t copy[FZ_BODY_MAX];
		const struct hlog_ent *e = &fz_log.e[0][fz_log.d[0].head];

		memcpy(copy, body, blen);
		copy[e->seq] ^= 1;
		FZ_CHECK(!hlog_agrees(&fz_log, 0, 0, copy, (uint32_t)blen));
	}
	return 0;
}
