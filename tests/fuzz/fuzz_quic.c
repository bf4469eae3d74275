/* fuzz_quic.c - libFuzzer target for the QUIC Initial reader (classifiers/quic.c).
 *
 * Input: byte 0 picks the caller's buffer (bits 0-1: QUIC_CRYPTO_MAX, 1000,
 * 256 bytes, none); then datagrams, each as a flags byte, a 2-byte
 * little-endian length and that many bytes (fewer if the input ends). The
 * datagrams go to quic_feed while it says NEED_MORE, then, once DONE, to
 * quic_feed_after, each in a heap copy of its exact size (ASan sees a read
 * past it).
 *
 * Flags bit 0: the datagram's Initials are written in the clear, and this
 * harness protects them as a client would (so the fuzzer reaches the frames
 * and the stream, which it could never do through AES-GCM): each packet's
 * number is its truncated value, the last 16 bytes of each packet become the
 * tag. Bit 1: under the keys of the first DCID protected here (the flow's,
 * as a client's later Initials to the server's connection ID), else of the
 * packet's own DCID.
 *
 * Checked: statuses and reasons in range and named, a decided reader stays
 * decided, a DONE one holds a ClientHello of the length it says, within the
 * buffer; quic_looks_initial says QUIC exactly when the first datagram is
 * not NOT_QUIC; quic_feed_after never changes the hello, the stream map, the
 * status; too_many_packets only for a datagram of more than
 * QUIC_MAX_PACKETS long headers. quic_has_initial on every datagram: false
 * without a long header; and, against quic_feed of the datagram on a
 * fresh reader wherever that walks it (not NOT_QUIC, not an unknown
 * version), true exactly when that reader took keys (an Initial opened
 * under its own DCID's: quic.h). Any breach aborts.
 * Seeds: tests/fuzz/seeds_quic.py.
 */
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_quic: %s:%d: %s\n", __FILE__, __LINE__, #c);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint8_t fz_buf[QUIC_CRYPTO_MAX];
static uint8_t fz_map[QUIC_CRYPTO_MAX / 8 + 1];
static uint8_t fz_hello[QUIC_CRYPTO_MAX];
static uint8_t fz_map_copy[QUIC_CRYPTO_MAX / 8 + 1];
static uint8_t fz_buf1[QUIC_CRYPTO_MAX]; /* the fresh reader's, for quic_has_initial */
static uint8_t fz_map1[QUIC_CRYPTO_MAX / 8 + 1];

static gcry_cipher_hd_t fz_gcm, fz_ecb;

/* ---- the harness's own walk (as quic.c's) and protection ------------------- */

static uint32_t fz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fz_known(uint32_t v)
{
	return v == QUIC_V1 || v == QUIC_V2 || v == QUIC_DRAFT_29;
}

static int fz_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
	size_t i = *off, len;
	uint64_t x;

	if (i >= n)
		return 0;
	len = (size_t)1 << (p[i] >> 6);
	if (n - i < len)
		return 0;
	x = p[i] & 0x3f;
	for (size_t k = 1; k < len; k++)
		x = x << 8 | p[i + k];
	*off = i + len;
	*v = x;
	return 1;
}

/* The flow's DCID for flags bit 1: the first one protected. */
static uint8_t fz_flow_dcid[20];
static size_t fz_flow_dcid_len;
static int fz_have_flow;

/* Protect the Initial of header [0, pn_off) and size bytes at p in place. */
static void fz_protect(uint8_t *p, uint32_t version, const uint8_t *dcid, size_t dcid_len,
		       size_t pn_off, size_t size, int flow_keys)
{
	uint8_t key[16], iv[12], hp[16], nonce[12], mask[16];
	unsigned pn_len = (p[0] & 3) + 1;
	uint64_t pn = 0;
	size_t hdr = pn_off + pn_len;

	if (size < pn_off + 4 + 16 || size - hdr < 16)
		return; /* no room for a sample and a tag: left as it is */
	if (!fz_have_flow) {
		memcpy(fz_flow_dcid, dcid, dcid_len);
		fz_flow_dcid_len = dcid_len;
		fz_have_flow = 1;
	}
	if (flow_keys) {
		dcid = fz_flow_dcid;
		dcid_len = fz_flow_dcid_len;
	}
	FZ_CHECK(quic_client_keys(version, dcid, dcid_len, key, iv, hp));
	for (unsigned i = 0; i < pn_len; i++)
		pn = pn << 8 | p[pn_off + i];
	memcpy(nonce, iv, 12);
	for (unsigned i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(pn >> (56 - 8 * i));
	FZ_CHECK(!gcry_cipher_setkey(fz_gcm, key, 16));
	FZ_CHECK(!gcry_cipher_setiv(fz_gcm, nonce, 12));
	FZ_CHECK(!gcry_cipher_authenticate(fz_gcm, p, hdr));
	if (size - hdr > 16) {
		FZ_CHECK(!gcry_cipher_final(fz_gcm));
		FZ_CHECK(!gcry_cipher_encrypt(fz_gcm, p + hdr, size - hdr - 16, NULL, 0));
	}
	FZ_CHECK(!gcry_cipher_gettag(fz_gcm, p + size - 16, 16));
	FZ_CHECK(!gcry_cipher_setkey(fz_ecb, hp, 16));
	FZ_CHECK(!gcry_cipher_encrypt(fz_ecb, mask, 16, p + pn_off + 4, 16));
	p[0] ^= mask[0] & 0x0f;
	for (unsigned i = 0; i < pn_len; i++)
		p[pn_off + i] ^= mask[1 + i];
}

/* Walk datagram d as quic.c does; protect its Initials when asked. The
 * number of long headers met (an unreadable last one included). */
static unsigned fz_walk(uint8_t *d, size_t len, int protect, int flow_keys)
{
	unsigned headers = 0;
	size_t off = 0;

	while (off < len) {
		uint8_t *p = d + off;
		size_t n = len - off, o = 5, pn_off;
		uint32_t version;
		unsigned type;
		uint64_t v;
		uint8_t dcid_len;
		const uint8_t *dcid;

		if (!(p[0] & 0x80))
			break;
		headers++;
		if (n < 7 || !fz_known(version = fz_be32(p + 1)))
			break;
		type = (p[0] >> 4) & 3;
		if (version == QUIC_V2)
			type = (type + 3) & 3; /* 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry */
		dcid_len = p[o++];
		if (dcid_len > 20 || n - o < (size_t)dcid_len + 1)
			break;
		dcid = p + o;
		o += dcid_len;
		v = p[o++];
		if (v > 20 || n - o < v)
			break;
		o += v;
		if (type == 3)
			break;
		if (type == 0 && (!fz_varint(p, n, &o, &v) || v > n - o))
			break;
		if (type == 0)
			o += v;
		if (!fz_varint(p, n, &o, &v) || v > n - o)
			break;
		pn_off = o;
		if (protect && type == 0)
			fz_protect(p, version, dcid, dcid_len, pn_off, pn_off + v, flow_keys);
		off += pn_off + v;
	}
	return headers;
}

/* ---- the checks -------------------------------------------------------------- */

static void fz_check_status(const struct quic_init *q, enum quic_status st)
{
	FZ_CHECK(st >= QUIC_NEED_MORE && st <= QUIC_MALFORMED);
	FZ_CHECK(q->status == st);
	FZ_CHECK(q->reason < QUIC_R_COUNT);
	FZ_CHECK((st == QUIC_MALFORMED) == (q->reason != QUIC_R_none));
	FZ_CHECK(strcmp(quic_reason_name(q->reason), "?") != 0);
	FZ_CHECK(q->have <= q->cap);
	/* need is the message's length as its header says: over cap, refused */
	FZ_CHECK(q->need <= q->cap || (st == QUIC_MALFORMED && q->reason == QUIC_R_too_long));
	FZ_CHECK(q->dcid_len <= 20);
	FZ_CHECK(q->version == 0 || q->version == QUIC_V1 || q->version == QUIC_V2 ||
		 q->version == QUIC_DRAFT_29);
}

static void fz_check_done(const struct quic_init *q)
{
	FZ_CHECK(q->version != 0);
	FZ_CHECK(q->need >= 4 && q->need <= q->cap && q->have >= q->need);
	FZ_CHECK(q->buf[0] == 1);
	FZ_CHECK(q->need == 4 + ((uint32_t)q->buf[1] << 16 | (uint32_t)q->buf[2] << 8 | q->buf[3]));
	for (uint32_t o = 0; o < q->need; o++)
		FZ_CHECK(q->map[o >> 3] & (1u << (o & 7)));
}

/* quic_has_initial on datagram d, against a fresh reader's quic_feed. */
static void fz_check_has(const uint8_t *d, size_t len, unsigned headers)
{
	struct quic_init f;
	enum quic_status st;
	int has = quic_has_initial(d, len);

	if (headers == 0)
		FZ_CHECK(!has);
	quic_init_begin(&f, fz_buf1, fz_map1, sizeof(fz_buf1));
	st = quic_feed(&f, d, len);
	fz_check_status(&f, st);
	if (st != QUIC_NOT_QUIC && !(st == QUIC_MALFORMED && f.reason == QUIC_R_version))
		FZ_CHECK(has == (f.version != 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = {QUIC_CRYPTO_MAX, 1000, 256, 0};
	struct quic_init q;
	enum quic_status st = QUIC_NEED_MORE;
	size_t cap, pos = 1;
	int fed = 0;

	if (!fz_gcm) {
		gcry_check_version(NULL);
		FZ_CHECK(!gcry_cipher_open(&fz_gcm, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0));
		FZ_CHECK(!gcry_cipher_open(&fz_ecb, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0));
	}
	if (size < 1)
		return 0;
	cap = caps[data[0] & 3];
	fz_have_flow = 0;
	quic_init_begin(&q, cap ? fz_buf : NULL, cap ? fz_map : NULL, cap);
	FZ_CHECK(q.cap == cap && q.status == QUIC_NEED_MORE);

	while (pos + 3 <= size && fed < 64) {
		uint8_t flags = data[pos];
		size_t len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
		unsigned headers;
		uint8_t *d;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		d = malloc(len ? len : 1);
		FZ_CHECK(d != NULL);
		if (len)
			memcpy(d, data + pos, len);
		pos += len;
		fed++;
		headers = fz_walk(d, len, flags & 1, flags & 2);
		fz_check_has(d, len, headers);

		if (st == QUIC_NEED_MORE) {
			enum quic_status now = quic_feed(&q, d, len);

			fz_check_status(&q, now);
			/* the caller's test agrees with the reader's first look */
			if (fed == 1)
				FZ_CHECK(quic_looks_initial(d, len) == (now != QUIC_NOT_QUIC));
			if (now == QUIC_MALFORMED && q.reason == QUIC_R_too_many_packets)
				FZ_CHECK(headers > QUIC_MAX_PACKETS);
			if (now == QUIC_NEED_MORE || now == QUIC_DONE)
				FZ_CHECK(headers <= QUIC_MAX_PACKETS);
			if (now == QUIC_DONE) {
				fz_check_done(&q);
				memcpy(fz_hello, q.buf, q.need);
				memcpy(fz_map_copy, q.map, q.cap / 8 + 1);
			}
			st = now;
		} else if (st == QUIC_DONE) {
			uint32_t need = q.need, have = q.have, version = q.version;
			uint8_t rekeyed = q.rekeyed;
			enum quic_after a = quic_feed_after(&q, d, len);

			FZ_CHECK(a == QUIC_AFTER_OK || a == QUIC_AFTER_OTHER ||
				 a == QUIC_AFTER_CONFLICT);
			FZ_CHECK(q.status == QUIC_DONE && q.reason == QUIC_R_none);
			FZ_CHECK(q.need == need && q.have == have && q.version == version);
			FZ_CHECK(memcmp(q.buf, fz_hello, need) == 0);
			FZ_CHECK(memcmp(q.map, fz_map_copy, q.cap / 8 + 1) == 0);
			FZ_CHECK(q.rekeyed >= rekeyed);
			if (headers > QUIC_MAX_PACKETS)
				FZ_CHECK(a == QUIC_AFTER_CONFLICT);
			/* a datagram with no long header has nothing to refuse */
			if (headers == 0)
				FZ_CHECK(a == QUIC_AFTER_OK);
		} else {
			/* decided: stays so, without reading */
			FZ_CHECK(quic_feed(&q, d, len) == st);
			FZ_CHECK(quic_feed_after(&q, d, len) == QUIC_AFTER_CONFLICT);
		}
		free(d);
	}
	return 0;
}
