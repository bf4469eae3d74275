/* First-bytes reassembly of a TCP stream (see stream.h). */
#include "stream.h"

#include <assert.h>
#include <string.h>

/* offsets into a slot (stream_slot.cut, flow_seal.end) fit 16 bits; a hello fits */
static_assert(STREAM_MAX <= UINT16_MAX && STREAM_MAX >= TLS_CH_MAX, "STREAM_MAX: 16-bit offsets");

size_t stream_pool_size(uint32_t n)
{
	return (size_t)n * sizeof(struct stream_slot);
}

void stream_pool_init(struct stream_pool *p, void *slots, uint32_t n)
{
	p->slots = slots;
	p->n = n < STREAM_POOL_MAX ? n : STREAM_POOL_MAX;
	p->high = 0;
	p->free_head = STREAM_NO_SLOT;
	p->active = 0;
	memset(p->src, 0, sizeof(p->src));
	memset(p->net, 0, sizeof(p->net));
	memset(p->state, 0, sizeof(p->state));
}

uint32_t stream_open(struct stream_pool *p, uint32_t base)
{
	struct stream_slot *s;
	uint32_t i;

	if (p->free_head != STREAM_NO_SLOT) {
		i = p->free_head;
		p->free_head = p->slots[i].next_free;
	} else if (p->high < p->n) {
		i = p->high++;
	} else {
		return STREAM_NO_SLOT;
	}
	s = &p->slots[i];
	/* The map must start empty; the buffers need not. */
	memset(s->map, 0, sizeof(s->map));
	s->base = base;
	s->have = 0;
	s->fed = 0;
	s->in_use = 1;
	p->state[i] = STREAM_ST_USED;
	s->reported = 0;
	s->any = 0;
	s->hrr = 0;
	s->resp_n = 0;
	s->resp_hdr = 0;
	s->resp_left = 0;
	s->resp_at = 0;
	memset(&s->names, 0, sizeof(s->names));
	s->http_at = 0;
	s->http = STREAM_HTTP_LEAD;
	s->quic_on = 0;
	s->quic_ch2 = 0;
	s->h2_on = 0;
	s->h2_at = 0;
	s->unsent_any = 0;
	s->fwd_end = 0;
	s->ncut = 0;
	s->acked = 0;
	s->mark = 0;
	s->mark_seq = 0;
	s->heard = 0;
	s->tail_at = 0;
	s->tail_done = 0;
	s->tail_end = 0;
	tls_ch_init(&s->ch, s->hello, sizeof(s->hello));
	s->tls = TLS_CH_NEED_MORE;
	p->active++;
	return i;
}

void stream_close(struct stream_pool *p, uint32_t slot)
{
	if (slot >= p->n || !p->slots[slot].in_use)
		return;
	if (p->state[slot] & STREAM_ST_COUNTED) {
		p->src[p->own_src[slot]]--;
		if (p->own_net[slot] != STREAM_NO_NET)
			p->net[p->own_net[slot]]--;
	}
	p->state[slot] = 0;
	p->slots[slot].in_use = 0;
	p->slots[slot].next_free = p->free_head;
	p->free_head = slot;
	p->active--;
}

static inline bool stream_bit(const uint8_t *map, uint32_t i)
{
	return map[i >> 3] & (1u << (i & 7));
}

/* Note an edge of a stored copy (an offset in (0, STREAM_MAX]). */
static void stream_cut(struct stream_slot *s, uint32_t at)
{
	uint32_t i, j;

	if (at == 0 || at > STREAM_MAX)
		return;
	for (i = 0; i < s->ncut && s->cut[i] < at; i++)
		;
	if (i < s->ncut && s->cut[i] == at)
		return;
	if (s->ncut == STREAM_CUTS) {
		/* full: the middle one gives way (the lowest and highest
		 * halves stay) */
		const uint32_t mid = STREAM_CUTS / 2;

		if (i == mid)
			return;
		if (i < mid) {
			for (j = mid; j > i; j--)
				s->cut[j] = s->cut[j - 1];
		} else {
			i--;
			for (j = mid; j < i; j++)
				s->cut[j] = s->cut[j + 1];
		}
		s->cut[i] = (uint16_t)at;
		return;
	}
	for (j = s->ncut; j > i; j--)
		s->cut[j] = s->cut[j - 1];
	s->cut[i] = (uint16_t)at;
	s->ncut++;
}

enum stream_add stream_add(struct stream_pool *p, uint32_t slot, uint32_t seq, const uint8_t *data,
			   size_t n)
{
	struct stream_slot *s = &p->slots[slot];
	int64_t off = (int32_t)(seq - s->base);
	size_t i, from = 0, to = n;
	bool conflict = false;
	uint32_t h;

	/* Only what lies in [0, STREAM_MAX) of the stream is kept. */
	if (off < 0)
		from = (size_t)(-off) < n ? (size_t)(-off) : n;
	if (off + (int64_t)n > STREAM_MAX)
		to = off >= STREAM_MAX ? from : (size_t)(STREAM_MAX - off);
	if (to > from) {
		stream_cut(s, (uint32_t)(off + (int64_t)from));
		stream_cut(s, (uint32_t)(off + (int64_t)to));
	}
	for (i = from; i < to; i++) {
		uint32_t at = (uint32_t)(off + (int64_t)i);

		if (stream_bit(s->map, at)) {
			/* The first copy stays (Linux keeps the bytes it
			 * queued); the segment's other bytes are still taken,
			 * so that a zone that allows the exception reads the
			 * stream as such a receiver does, from this segment. */
			conflict |= s->buf[at] != data[i];
			continue;
		}
		s->buf[at] = data[i];
		s->map[at >> 3] |= (uint8_t)(1u << (at & 7));
		s->any = 1;
	}
	for (h = s->have; h < STREAM_MAX && stream_bit(s->map, h); h++)
		;
	s->have = h;
	if (s->fed < s->have && s->tls == TLS_CH_NEED_MORE && !s->hrr) {
		s->tls = (uint8_t)tls_ch_feed(&s->ch, s->buf + s->fed, s->have - s->fed);
		s->fed = s->have;
	}
	return conflict ? STREAM_CONFLICT : STREAM_ADDED;
}

void stream_expect_hello2(struct stream_pool *p, uint32_t slot)
{
	struct stream_slot *s = &p->slots[slot];

	s->ch1 = s->ch.info;
	s->ch1.alpn = NULL; /* its bytes go with the reader's buffer */
	s->hrr = 1;
	s->ch2_in = 0;
	/* Where the first hello's records end: our reading's, or, for one it
	 * refused, the lenient names walk's (judge.c, judge_hello_names). */
	s->ch2_at = s->tls == TLS_CH_MALFORMED ? s->names.i : s->ch.info.stream_bytes;
	memset(&s->names, 0, sizeof(s->names)); /* the hello buffer is the reader's again */
	tls_ch_init(&s->ch, s->hello, sizeof(s->hello));
	s->tls = TLS_CH_NEED_MORE;
}

enum tls_ch_status stream_hello2(struct stream_pool *p, uint32_t slot)
{
	struct stream_slot *s = &p->slots[slot];

	while (s->tls == TLS_CH_NEED_MORE && s->ch2_at < s->have) {
		if (!s->ch2_in) {
			uint32_t len;

			if (s->have - s->ch2_at < 5)
				break;
			/* ChangeCipherSpec (middlebox compatibility), and early
			 * data (application_data records after a hello that
			 * offered it): a server that answered with an HRR
			 * skips early data (RFC 8446 4.2.10), and one whose
			 * client offered none refuses the record (red team,
			 * the seventeenth session: 0-RTT data rejected by an
			 * HRR was read as the second hello: a false block). */
			if (s->buf[s->ch2_at] != 20 && s->buf[s->ch2_at] != 23) {
				s->ch2_in = 1;
				continue;
			}
			len = (uint32_t)s->buf[s->ch2_at + 3] << 8 | s->buf[s->ch2_at + 4];
			if (s->have - s->ch2_at < 5 + len)
				break;
			s->ch2_at += 5 + len;
			continue;
		}
		s->tls = (uint8_t)tls_ch_feed(&s->ch, s->buf + s->ch2_at, s->have - s->ch2_at);
		s->ch2_at = s->have;
	}
	/* A second hello that does not fit the slot cannot be read whole. */
	if (s->tls == TLS_CH_NEED_MORE && s->have >= STREAM_MAX)
		s->tls = TLS_CH_MALFORMED;
	return (enum tls_ch_status)s->tls;
}
