/* test_quic.c - the QUIC Initial reader (classifiers/quic.c): the keys and
 * the protected client Initial of RFC 9001 Appendix A and RFC 9369
 * Appendix A; Initials protected here as a client would (protect()), with
 * the ClientHello cut into CRYPTO frames in and across packets and
 * datagrams, out of order; every refusal by its reason; packets a server
 * drops; the fixed bit greased (RFC 9287); quic_has_initial, against
 * quic_feed on a fresh reader; and every truncation and random damage of a
 * datagram (run under ASan). */
#include <gcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quic.h"
#include "unit.h"

/* ---- RFC vectors (facts) ---------------------------------------------------- */

static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

/* RFC 9001 A.2: the CRYPTO frame of the client's Initial (type, offset 0,
 * length 241, then the ClientHello). */
static const char rfc_crypto_frame[] =
	"060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
	"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
	"616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
	"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
	"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
	"0d0010000e0403050306030203080408050806002d00020101001c0002400100"
	"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
	"75300901100f088394c8f03e51570806048000ffff";

/* RFC 9001 A.2: the start and the end of the protected packet (1200 bytes). */
static const char rfc_v1_protected_head[] =
	"c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11";
static const char rfc_v1_protected_tail[] =
	"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
	"e221af44860018ab0856972e194cd934";
/* RFC 9369 A.2: the start of the protected v2 packet. */
static const char rfc_v2_protected_head[] =
	"d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485";

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned v;

		CU_ASSERT_FATAL(n < cap);
		CU_ASSERT_FATAL(sscanf(h, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* The RFC's ClientHello (241 bytes), from its CRYPTO frame. */
static uint8_t hello[241];

static int suite_init(void)
{
	uint8_t f[300];
	size_t n = 0;

	for (const char *h = rfc_crypto_frame; h[0] && h[1]; h += 2) {
		unsigned v;

		if (n >= sizeof(f) || sscanf(h, "%2x", &v) != 1)
			return 1;
		f[n++] = (uint8_t)v;
	}
	if (n != 4 + sizeof(hello))
		return 1;
	memcpy(hello, f + 4, sizeof(hello));
	gcry_check_version(NULL);
	return 0;
}

/* ---- a client's packet protection (test code) ---------------------------- */

struct pkt {
	uint8_t b[2048];
	size_t n;
};

static void p_u8(struct pkt *p, unsigned v)
{
	CU_ASSERT_FATAL(p->n < sizeof(p->b));
	p->b[p->n++] = (uint8_t)v;
}

static void p_mem(struct pkt *p, const void *m, size_t n)
{
	CU_ASSERT_FATAL(p->n + n <= sizeof(p->b));
	if (n)
		memcpy(p->b + p->n, m, n);
	p->n += n;
}

/* A varint of 1, 2 or 4 bytes. */
static void p_varint(struct pkt *p, uint64_t v)
{
	if (v < 64) {
		p_u8(p, (unsigned)v);
	} else if (v < 16384) {
		p_u8(p, 0x40 | (unsigned)(v >> 8));
		p_u8(p, (unsigned)v & 0xff);
	} else {
		p_u8(p, 0x80 | (unsigned)(v >> 24));
		p_u8(p, (unsigned)(v >> 16) & 0xff);
		p_u8(p, (unsigned)(v >> 8) & 0xff);
		p_u8(p, (unsigned)v & 0xff);
	}
}

static void p_crypto(struct pkt *p, size_t off, const void *d, size_t n)
{
	p_u8(p, 0x06);
	p_varint(p, off);
	p_varint(p, n);
	p_mem(p, d, n);
}

/* How to protect a packet. Zero fields: v1, the RFC's DCID for the header
 * and the keys, no SCID, no token, packet number 0 in 4 bytes, padded so the
 * packet is 1200 bytes. */
struct how {
	uint32_t version;
	const uint8_t *dcid; /* the header's */
	size_t dcid_len;
	const uint8_t *key_dcid; /* the keys' (default: the header's) */
	size_t key_dcid_len;
	uint64_t pn;
	unsigned pn_len;
	size_t size;	   /* pad the plaintext so the packet has this size; 0: 1200, 1: none */
	unsigned type;	   /* the type bits (default: Initial of the version) */
	bool set_type;	   /* use type */
	uint8_t reserved;  /* reserved bits to set (0x0c) */
	bool bad_tag;	   /* flip the tag's last byte */
	const char *token; /* a token, a string */
	bool grease;	   /* the fixed bit clear (RFC 9287), under the protection */
	uint32_t keyv;	   /* the keys of this version (default: the header's) */
};

/* Protect the plaintext frames pt (a client's Initial) and append the
 * packet to out. */
static void protect(struct pkt *out, const struct how *h0, const uint8_t *pt, size_t pt_len)
{
	struct how h = *h0;
	uint8_t key[16], iv[12], hp[16], nonce[12], mask[16], plain[2048];
	size_t start = out->n, pn_off, hdr_end, tok = h.token ? strlen(h.token) : 0;
	gcry_cipher_hd_t c;
	unsigned type;

	if (!h.version)
		h.version = QUIC_V1;
	if (!h.dcid) {
		h.dcid = rfc_dcid;
		h.dcid_len = sizeof(rfc_dcid);
	}
	if (!h.key_dcid) {
		h.key_dcid = h.dcid;
		h.key_dcid_len = h.dcid_len;
	}
	if (!h.pn_len)
		h.pn_len = 4;
	type = h.set_type ? h.type : h.version == QUIC_V2 ? 1 : 0;
	CU_ASSERT_FATAL(
		quic_client_keys(h.keyv ? h.keyv : h.version, h.key_dcid, h.key_dcid_len, key, iv, hp));
	CU_ASSERT_FATAL(pt_len <= sizeof(plain));
	memcpy(plain, pt, pt_len);
	/* header: 1 + 4 + 1 + dcid + 1 + token length (1 or 2) + token + 2 + pn
	 * (a byte short for other types: padded to a byte more, no matter) */
	if (h.size != 1) {
		size_t want = h.size ? h.size : 1200;
		size_t hdr = 1 + 4 + 1 + h.dcid_len + 1 + (tok < 64 ? 1 : 2) + tok + 2 + h.pn_len;

		while (hdr + pt_len + 16 < want) {
			CU_ASSERT_FATAL(pt_len < sizeof(plain));
			plain[pt_len++] = 0; /* PADDING */
		}
	}
	p_u8(out, (h.grease ? 0x80 : 0xc0) | type << 4 | h.reserved | (h.pn_len - 1));
	p_u8(out, h.version >> 24);
	p_u8(out, (h.version >> 16) & 0xff);
	p_u8(out, (h.version >> 8) & 0xff);
	p_u8(out, h.version & 0xff);
	p_u8(out, (unsigned)h.dcid_len);
	p_mem(out, h.dcid, h.dcid_len);
	p_u8(out, 0);					/* SCID */
	if (type == (h.version == QUIC_V2 ? 1u : 0u)) { /* Initial: a token */
		p_varint(out, tok);
		p_mem(out, h.token, tok);
	}
	/* Length in 2 bytes, as the RFC's packet has it */
	p_u8(out, 0x40 | (unsigned)((h.pn_len + pt_len + 16) >> 8));
	p_u8(out, (unsigned)(h.pn_len + pt_len + 16) & 0xff);
	pn_off = out->n;
	for (unsigned i = 0; i < h.pn_len; i++)
		p_u8(out, (unsigned)(h.pn >> (8 * (h.pn_len - 1 - i))) & 0xff);
	hdr_end = out->n;
	memcpy(nonce, iv, 12);
	for (unsigned i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(h.pn >> (56 - 8 * i));
	CU_ASSERT_FATAL(out->n + pt_len + 16 <= sizeof(out->b));
	CU_ASSERT_FATAL(!gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0));
	CU_ASSERT_FATAL(!gcry_cipher_setkey(c, key, 16));
	CU_ASSERT_FATAL(!gcry_cipher_setiv(c, nonce, 12));
	CU_ASSERT_FATAL(!gcry_cipher_authenticate(c, out->b + start, hdr_end - start));
	CU_ASSERT_FATAL(!gcry_cipher_encrypt(c, out->b + out->n, pt_len, plain, pt_len));
	out->n += pt_len;
	CU_ASSERT_FATAL(!gcry_cipher_gettag(c, out->b + out->n, 16));
	out->n += 16;
	gcry_cipher_close(c);
	if (h.bad_tag)
		out->b[out->n - 1] ^= 1;
	/* header protection, sampled 4 bytes after the packet number's start */
	CU_ASSERT_FATAL(!gcry_cipher_open(&c, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0));
	CU_ASSERT_FATAL(!gcry_cipher_setkey(c, hp, 16));
	CU_ASSERT_FATAL(!gcry_cipher_encrypt(c, mask, 16, out->b + pn_off + 4, 16));
	gcry_cipher_close(c);
	out->b[start] ^= mask[0] & 0x0f;
	for (unsigned i = 0; i < h.pn_len; i++)
		out->b[pn_off + i] ^= mask[1 + i];
}

/* ---- the reader under test ------------------------------------------------ */

static uint8_t qbuf[QUIC_CRYPTO_MAX];
static uint8_t qmap[QUIC_CRYPTO_MAX / 8 + 1];

static void fresh(struct quic_init *q)
{
	memset(qbuf, 0xee, sizeof(qbuf)); /* no stale hello to find */
	quic_init_begin(q, qbuf, qmap, sizeof(qbuf));
}

/* Feed a copy of exactly n bytes on the heap, so ASan sees any read past. */
static enum quic_status feed(struct quic_init *q, const uint8_t *d, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	enum quic_status st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (n)
		memcpy(c, d, n);
	st = quic_feed(q, c, n);
	free(c);
	return st;
}

static enum quic_status feed_pkt(struct quic_init *q, const struct pkt *p)
{
	return feed(q, p->b, p->n);
}

static void assert_hello(const struct quic_init *q)
{
	CU_ASSERT_EQUAL(q->status, QUIC_DONE);
	CU_ASSERT_EQUAL(q->need, sizeof(hello));
	CU_ASSERT(q->have >= q->need);
	CU_ASSERT(memcmp(q->buf, hello, sizeof(hello)) == 0);
}

/* One datagram of one Initial with CRYPTO(off, hello[off..off+n)). */
static void one(struct pkt *d, const struct how *h, size_t off, size_t n)
{
	struct pkt f = {.n = 0};

	p_crypto(&f, off, hello + off, n);
	protect(d, h, f.b, f.n);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_rfc9001_keys(void)
{
	uint8_t key[16], iv[12], hp[16], want[16];

	CU_ASSERT_TRUE(quic_client_keys(QUIC_V1, rfc_dcid, sizeof(rfc_dcid), key, iv, hp));
	unhex("1f369613dd76d5467730efcbe3b1a22d", want, 16);
	CU_ASSERT(memcmp(key, want, 16) == 0);
	unhex("fa044b2f42a3fd3b46fb255c", want, 12);
	CU_ASSERT(memcmp(iv, want, 12) == 0);
	unhex("9f50449e04a0e810283a1e9933adedd2", want, 16);
	CU_ASSERT(memcmp(hp, want, 16) == 0);
	CU_ASSERT_FALSE(quic_client_keys(0x1a2a3a4a, rfc_dcid, sizeof(rfc_dcid), key, iv, hp));
	/* draft-29 has its own salt: other keys (draft-ietf-quic-tls-29 A.1) */
	CU_ASSERT_TRUE(quic_client_keys(QUIC_DRAFT_29, rfc_dcid, sizeof(rfc_dcid), key, iv, hp));
	unhex("175257a31eb09dea9366d8bb79ad80ba", want, 16);
	CU_ASSERT(memcmp(key, want, 16) == 0);
	unhex("6b26114b9cba2b63a9e8dd4f", want, 12);
	CU_ASSERT(memcmp(iv, want, 12) == 0);
	unhex("9ddd12c994c0698b89374a9c077a3077", want, 16);
	CU_ASSERT(memcmp(hp, want, 16) == 0);
}

static void test_rfc9001_initial(void)
{
	struct pkt f = {.n = 0}, d = {.n = 0};
	struct how h = {.pn = 2};
	uint8_t want[128];
	size_t n;
	struct quic_init q;

	n = unhex(rfc_crypto_frame, f.b, sizeof(f.b));
	f.n = n;
	while (f.n < 1162)
		f.b[f.n++] = 0;
	protect(&d, &h, f.b, f.n);
	/* our protection gives the RFC's bytes */
	CU_ASSERT_EQUAL_FATAL(d.n, 1200);
	n = unhex(rfc_v1_protected_head, want, sizeof(want));
	CU_ASSERT(memcmp(d.b, want, n) == 0);
	n = unhex(rfc_v1_protected_tail, want, sizeof(want));
	CU_ASSERT(memcmp(d.b + d.n - n, want, n) == 0);

	fresh(&q);
	CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.version, QUIC_V1);
	CU_ASSERT_EQUAL(q.dcid_len, 8);
	CU_ASSERT(memcmp(q.dcid, rfc_dcid, 8) == 0);
	unhex("1f369613dd76d5467730efcbe3b1a22d", want, 16);
	CU_ASSERT(memcmp(q.key, want, 16) == 0);
	CU_ASSERT_EQUAL(q.packets, 1);
	CU_ASSERT_EQUAL(q.bad_packets, 0);
	CU_ASSERT_EQUAL(q.pn_next, 3);
	/* done stays done, without reading */
	CU_ASSERT_EQUAL(quic_feed(&q, (const uint8_t *)"x", 1), QUIC_DONE);
	CU_ASSERT_EQUAL(quic_feed(&q, NULL, 0), QUIC_DONE);
}

/* A version of another number under v1's or draft 29's keys (an alias,
 * mvfst's 0xfaceb0xx): read as that one; under v2's, or any other, not. */
static void test_alias(void)
{
	static const struct {
		uint32_t version, keyv;
		enum quic_status st;
	} t[] = {
		{0xfaceb003, QUIC_V1, QUIC_DONE},
		{0xfaceb00e, QUIC_DRAFT_29, QUIC_DONE},
		{0x1a2a3a4a, QUIC_V1, QUIC_DONE},
		{0xfaceb003, QUIC_V2, QUIC_MALFORMED},
	};
	struct pkt f = {.n = 0};
	struct quic_init q;

	f.n = unhex(rfc_crypto_frame, f.b, sizeof(f.b));
	while (f.n < 1162)
		f.b[f.n++] = 0;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pkt d = {.n = 0}, d2 = {.n = 0};
		struct how h = {.version = t[i].version, .keyv = t[i].keyv, .pn = 2};

		protect(&d, &h, f.b, f.n);
		fresh(&q);
		CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), t[i].st);
		if (t[i].st != QUIC_DONE) {
			CU_ASSERT_EQUAL(q.reason, QUIC_R_version);
			continue;
		}
		assert_hello(&q);
		CU_ASSERT_EQUAL(q.version, t[i].version);
		CU_ASSERT_EQUAL(q.alias, t[i].version);
		CU_ASSERT_EQUAL(q.alias_keys, t[i].keyv);
		/* the same hello again: the same connection */
		CU_ASSERT_EQUAL(quic_feed_after(&q, d.b, d.n), QUIC_AFTER_OK);
		/* another packet of the connection under the alias's number (a
		 * PING where padding was): its CRYPTO bytes the hello's, read */
		h.pn = 3;
		f.b[f.n - 1] = 0x01; /* a PING where padding was */
		protect(&d2, &h, f.b, f.n);
		f.b[f.n - 1] = 0;
		CU_ASSERT_EQUAL(quic_feed_after(&q, d2.b, d2.n), QUIC_AFTER_OK);
	}
	/* the alias's bytes with their number changed: its AEAD fails */
	{
		struct pkt d = {.n = 0};
		struct how h = {.version = 0xfaceb003, .keyv = QUIC_V1, .pn = 2};

		protect(&d, &h, f.b, f.n);
		d.b[4] ^= 1;
		fresh(&q);
		CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_MALFORMED);
		CU_ASSERT_EQUAL(q.reason, QUIC_R_version);
	}
	/* an alias's first datagram with the fixed bit greased (RFC 9287):
	 * QUIC still, read as the alias (red team round 39,
	 * rt39_quic_alias_grease_fb); with the bit cleared after the
	 * protection it opens under no keys, and is not */
	{
		struct pkt d = {.n = 0};
		struct how h = {.version = 0xfaceb003, .keyv = QUIC_V1, .pn = 2, .grease = true};

		protect(&d, &h, f.b, f.n);
		CU_ASSERT_EQUAL(d.b[0] & 0x40, 0);
		CU_ASSERT_TRUE(quic_looks_initial(d.b, d.n));
		CU_ASSERT_TRUE(quic_has_initial(d.b, d.n));
		fresh(&q);
		CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_DONE);
		assert_hello(&q);
		CU_ASSERT_EQUAL(q.alias, 0xfaceb003);
		d.n = 0;
		h.grease = false;
		protect(&d, &h, f.b, f.n);
		d.b[0] &= ~0x40;
		CU_ASSERT_FALSE(quic_looks_initial(d.b, d.n));
		CU_ASSERT_FALSE(quic_has_initial(d.b, d.n));
	}
}

static void test_rfc9369_v2(void)
{
	struct pkt f = {.n = 0}, d = {.n = 0};
	struct how h = {.version = QUIC_V2, .pn = 2};
	uint8_t key[16], iv[12], hp[16], want[64];
	size_t n;
	struct quic_init q;

	CU_ASSERT_TRUE(quic_client_keys(QUIC_V2, rfc_dcid, sizeof(rfc_dcid), key, iv, hp));
	unhex("8b1a0bc121284290a29e0971b5cd045d", want, 16);
	CU_ASSERT(memcmp(key, want, 16) == 0);
	unhex("91f73e2351d8fa91660e909f", want, 12);
	CU_ASSERT(memcmp(iv, want, 12) == 0);
	unhex("45b95e15235d6f45a6b19cbcb0294ba9", want, 16);
	CU_ASSERT(memcmp(hp, want, 16) == 0);

	/* RFC 9369 A.2: the same CRYPTO frame, padded to 1162 bytes */
	f.n = unhex(rfc_crypto_frame, f.b, sizeof(f.b));
	while (f.n < 1162)
		f.b[f.n++] = 0;
	protect(&d, &h, f.b, f.n);
	n = unhex(rfc_v2_protected_head, want, sizeof(want));
	CU_ASSERT(memcmp(d.b, want, n) == 0);
	CU_ASSERT_TRUE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.version, QUIC_V2);
	CU_ASSERT(memcmp(q.key, key, 16) == 0);

	/* v2's type 0b00 is a Retry, not an Initial: the first datagram is not
	 * a client's Initial */
	d.n = 0;
	h.set_type = true;
	h.type = 0;
	one(&d, &h, 0, sizeof(hello));
	CU_ASSERT_FALSE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_NOT_QUIC);

	/* draft-29 reads too */
	d.n = 0;
	h = (struct how){.version = QUIC_DRAFT_29};
	one(&d, &h, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(quic_feed(&q, d.b, d.n), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.version, QUIC_DRAFT_29);
}

/* Chrome's chaos protection: CRYPTO frames out of order, with PING and
 * PADDING between, ACK and CONNECTION_CLOSE frames passed over. */
static void test_split_in_packet(void)
{
	struct pkt f = {.n = 0}, d = {.n = 0};
	struct how h = {0};
	struct quic_init q;
	static const uint8_t ack[] = {0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x01};
	static const uint8_t ack_ecn[] = {0x03, 0x05, 0x40, 0x10, 0x00, 0x00, 0x01, 0x02, 0x03};
	static const uint8_t close_[] = {0x1c, 0x00, 0x00, 0x02, 'o', 'k'};

	p_crypto(&f, 120, hello + 120, sizeof(hello) - 120);
	p_u8(&f, 0x01); /* PING */
	p_mem(&f, ack, sizeof(ack));
	p_u8(&f, 0x00);
	p_crypto(&f, 0, hello, 120);
	p_mem(&f, ack_ecn, sizeof(ack_ecn));
	p_mem(&f, close_, sizeof(close_));
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);

	/* in small pieces, backwards */
	f.n = 0;
	for (size_t off = sizeof(hello); off > 0;) {
		size_t n = off >= 7 ? 7 : off;

		off -= n;
		p_crypto(&f, off, hello + off, n);
	}
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);
}

/* A hello over two datagrams, its second half sent first. */
static void test_two_datagrams(void)
{
	struct pkt d1 = {.n = 0}, d2 = {.n = 0};
	struct how h1 = {.pn = 0}, h2 = {.pn = 1};
	struct quic_init q;

	one(&d1, &h1, 100, sizeof(hello) - 100);
	one(&d2, &h2, 0, 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.have, 0);
	CU_ASSERT_EQUAL(q.need, 0);
	CU_ASSERT_EQUAL(q.packets, 1);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.packets, 2);

	/* the packets reordered too (pn 1 before pn 0), and a later packet
	 * under another DCID with the first keys (the server's ID) */
	{
		static const uint8_t srv[5] = {1, 2, 3, 4, 5};
		struct how h3 = {.pn = 1}, h4 = {.pn = 0,
						 .dcid = srv,
						 .dcid_len = 5,
						 .key_dcid = rfc_dcid,
						 .key_dcid_len = 8};

		d1.n = d2.n = 0;
		one(&d1, &h3, 0, 100);
		one(&d2, &h4, 100, sizeof(hello) - 100);
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
		CU_ASSERT_EQUAL(q.have, 100);
		CU_ASSERT_EQUAL(q.need, sizeof(hello));
		CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
		assert_hello(&q);
		CU_ASSERT_EQUAL(q.dcid_len, 8); /* the first Initial's */
		CU_ASSERT_EQUAL(q.rekeyed, 0);
	}

	/* two Initials coalesced in one datagram, a Handshake packet between */
	{
		struct pkt d = {.n = 0}, f = {.n = 0};
		struct how a = {.pn = 0, .size = 1}, b = {.pn = 1, .size = 500},
			   hs = {.pn = 0, .size = 1, .set_type = true, .type = 2};
		uint8_t zero[40] = {0};

		one(&d, &a, 150, sizeof(hello) - 150);
		protect(&d, &hs, zero, sizeof(zero)); /* keys do not matter: skipped */
		p_crypto(&f, 0, hello, 150);
		protect(&d, &b, f.b, f.n);
		CU_ASSERT_FATAL(d.n < 1200);
		while (d.n < 1200)
			d.b[d.n++] = 0x40; /* a short header: ignored to the end */
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
		assert_hello(&q);
		CU_ASSERT_EQUAL(q.packets, 2);
		CU_ASSERT_EQUAL(q.bad_packets, 0);
	}
}

static void test_overlap(void)
{
	struct pkt d1 = {.n = 0}, d2 = {.n = 0}, f = {.n = 0};
	struct how h1 = {.pn = 0}, h2 = {.pn = 1};
	uint8_t alt[241];
	struct quic_init q;

	/* identical overlap: a retransmission */
	one(&d1, &h1, 0, 150);
	one(&d2, &h2, 100, sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);

	/* one byte differs in the overlap */
	memcpy(alt, hello, sizeof(alt));
	alt[120] ^= 0x20;
	d2.n = 0;
	p_crypto(&f, 100, alt + 100, sizeof(alt) - 100);
	protect(&d2, &h2, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_conflict);
	CU_ASSERT_STRING_EQUAL(quic_reason_name(q.reason), "conflict");
	/* and stays so */
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_MALFORMED);

	/* within one packet */
	f.n = 0;
	p_crypto(&f, 0, hello, 50);
	p_crypto(&f, 40, alt + 40, 20);
	alt[45] ^= 1;
	p_crypto(&f, 40, alt + 40, 20);
	d1.n = 0;
	protect(&d1, &h1, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_conflict);

	/* bytes past the message are refused (a second hello right behind
	 * the first, which a server that answers with an HRR reads), before
	 * its length is known or after */
	f.n = 0;
	p_crypto(&f, 0, hello, sizeof(hello));
	memset(alt, 0x55, 10);
	p_crypto(&f, sizeof(hello), alt, 10);
	d1.n = 0;
	protect(&d1, &h1, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_conflict);
	f.n = 0;
	p_crypto(&f, sizeof(hello), alt, 10);
	p_crypto(&f, 0, hello, sizeof(hello));
	d1.n = 0;
	protect(&d1, &h1, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_conflict);
	/* ... an empty frame at the message's end is no byte past it */
	f.n = 0;
	p_crypto(&f, 0, hello, sizeof(hello));
	p_crypto(&f, sizeof(hello), alt, 0);
	d1.n = 0;
	protect(&d1, &h1, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_DONE);
	assert_hello(&q);
}

static void test_bad_tag(void)
{
	struct pkt d1 = {.n = 0}, d2 = {.n = 0}, d3 = {.n = 0};
	struct how h1 = {.pn = 0, .bad_tag = true}, h2 = {.pn = 0};
	struct quic_init q;

	one(&d1, &h1, 0, sizeof(hello));
	one(&d2, &h2, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.bad_packets, 1);
	CU_ASSERT_EQUAL(q.packets, 0);
	CU_ASSERT_EQUAL(q.version, 0); /* a dropped packet does not pin the keys */
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.bad_packets, 1);
	CU_ASSERT_EQUAL(q.packets, 1);

	/* a forged first Initial under another DCID's keys does not pin them
	 * either; a packet of another version after the first is dropped */
	{
		static const uint8_t other[8] = {9, 9, 9, 9, 9, 9, 9, 9};
		struct how hf = {.pn = 0,
				 .dcid = rfc_dcid,
				 .dcid_len = 8,
				 .key_dcid = other,
				 .key_dcid_len = 8};
		struct how hv2 = {.version = QUIC_V2, .pn = 1};
		struct how h0 = {.pn = 0}, h1b = {.pn = 1};

		d1.n = d2.n = 0;
		one(&d1, &hf, 0, 100);
		one(&d2, &h0, 0, 100);
		one(&d3, &hv2, 100, sizeof(hello) - 100);
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
		CU_ASSERT_EQUAL(q.bad_packets, 1);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_NEED_MORE);
		CU_ASSERT_EQUAL(q.version, QUIC_V1);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d3), QUIC_NEED_MORE);
		CU_ASSERT_EQUAL(q.bad_packets, 2);
		d3.n = 0;
		one(&d3, &h1b, 100, sizeof(hello) - 100);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d3), QUIC_DONE);
		assert_hello(&q);
	}
}

static void test_not_quic(void)
{
	/* a DNS query for example.com */
	static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
				      0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',	'p',  'l',  'e',
				      0x03, 'c',  'o',	'm',  0x00, 0x00, 0x01, 0x00, 0x01};
	uint8_t b[1200];
	struct pkt d = {.n = 0};
	struct how h = {0};
	struct quic_init q;

	fresh(&q);
	CU_ASSERT_FALSE(quic_looks_initial(dns, sizeof(dns)));
	CU_ASSERT_EQUAL(feed(&q, dns, sizeof(dns)), QUIC_NOT_QUIC);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_none);
	/* a later Initial changes nothing: the first datagram decided */
	one(&d, &h, 0, sizeof(hello));
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NOT_QUIC);

	/* a short header first */
	memset(b, 0, sizeof(b));
	b[0] = 0x41;
	fresh(&q);
	CU_ASSERT_FALSE(quic_looks_initial(b, sizeof(b)));
	CU_ASSERT_EQUAL(feed(&q, b, sizeof(b)), QUIC_NOT_QUIC);

	/* an empty datagram, a NULL one */
	fresh(&q);
	CU_ASSERT_EQUAL(feed(&q, b, 0), QUIC_NOT_QUIC);
	fresh(&q);
	CU_ASSERT_EQUAL(quic_feed(&q, NULL, 0), QUIC_NOT_QUIC);

	/* version negotiation (version 0) */
	memcpy(b, d.b, sizeof(b));
	b[1] = b[2] = b[3] = b[4] = 0;
	fresh(&q);
	CU_ASSERT_FALSE(quic_looks_initial(b, sizeof(b)));
	CU_ASSERT_EQUAL(feed(&q, b, sizeof(b)), QUIC_NOT_QUIC);

	/* an unknown version: looks like QUIC, we cannot read it */
	b[1] = 0x1a, b[2] = 0x2a, b[3] = 0x3a, b[4] = 0x4a;
	fresh(&q);
	CU_ASSERT_TRUE(quic_looks_initial(b, sizeof(b)));
	CU_ASSERT_EQUAL(feed(&q, b, sizeof(b)), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_version);
	CU_ASSERT_STRING_EQUAL(quic_reason_name(q.reason), "version");

	/* a v1 Handshake packet first, a fixed bit clear */
	d.n = 0;
	h.set_type = true;
	h.type = 2;
	one(&d, &h, 0, sizeof(hello));
	CU_ASSERT_FALSE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NOT_QUIC);
	/* a fixed bit clear is QUIC's grease (RFC 9287), in a version we
	 * read: an Initial like any; one cleared after the protection is
	 * damaged (the bit is in the tag's header): dropped */
	d.n = 0;
	one(&d, &(struct how){0}, 0, sizeof(hello));
	d.b[0] &= ~0x40;
	CU_ASSERT_TRUE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.bad_packets, 1);
	CU_ASSERT_EQUAL(q.version, 0);
	/* ... in a version we do not know, not QUIC */
	d.b[1] = 0x1a, d.b[2] = 0x2a, d.b[3] = 0x3a, d.b[4] = 0x4a;
	CU_ASSERT_FALSE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NOT_QUIC);
}

/* Each refusal of an authenticated Initial, by its reason. */
static void test_refusals(void)
{
	struct pkt d = {.n = 0}, f = {.n = 0};
	struct how h = {0};
	struct quic_init q;
	uint8_t m[8];

	/* a STREAM frame */
	p_crypto(&f, 0, hello, 50);
	p_u8(&f, 0x08);
	p_u8(&f, 0x00);
	p_u8(&f, 'x');
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_frame);

	/* a CRYPTO frame past the payload (the padding is not enough) */
	f.n = 0;
	p_u8(&f, 0x06);
	p_u8(&f, 0x00);
	p_varint(&f, 5000);
	p_mem(&f, hello, 10);
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_frame);

	/* CRYPTO type in 2 bytes; a HANDSHAKE_DONE; a 0x1d close; a truncated ACK */
	static const uint8_t bad[][4] = {
		{0x40, 0x06, 0x00, 0x00}, {0x1e, 0, 0, 0}, {0x1d, 0, 0, 0}, {0x02, 0x40, 0, 0}};
	for (unsigned i = 0; i < 4; i++) {
		f.n = 0;
		p_mem(&f, bad[i], 4);
		d.n = 0;
		protect(&d, &(struct how){.size = 1}, f.b, f.n);
		/* the ACK would be cut by padding zeros otherwise: no padding,
		 * the datagram made long by a short-header tail */
		while (d.n < 1200)
			d.b[d.n++] = 0x40;
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
		CU_ASSERT_EQUAL(q.reason, QUIC_R_frame);
	}

	/* not a ClientHello */
	memcpy(m, hello, 8);
	m[0] = 2;
	f.n = 0;
	p_crypto(&f, 0, m, 8);
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_not_client_hello);

	/* a message longer than the buffer: whole, or a smaller caller's */
	memcpy(m, hello, 8);
	m[1] = 0, m[2] = 0x40, m[3] = 0;
	f.n = 0;
	p_crypto(&f, 0, m, 8);
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_too_long);
	d.n = 0;
	one(&d, &h, 0, sizeof(hello));
	quic_init_begin(&q, qbuf, qmap, 200);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_too_long);
	/* a CRYPTO range beyond QUIC_CRYPTO_MAX, before the header is in */
	f.n = 0;
	p_crypto(&f, QUIC_CRYPTO_MAX - 5, hello, 6);
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_too_long);
	/* ... and up to it is fine */
	f.n = 0;
	p_crypto(&f, QUIC_CRYPTO_MAX - 6, hello, 6);
	d.n = 0;
	protect(&d, &h, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NEED_MORE);

	/* reserved bits set under the protection */
	d.n = 0;
	one(&d, &(struct how){.reserved = 0x04}, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_reserved_bits);

	/* an Initial in a short datagram: some servers read it, RFC 9000 14.1
	 * says drop it; it is refused. A forged one (bad tag) only dropped. */
	d.n = 0;
	one(&d, &(struct how){.size = 600}, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_short_datagram);
	d.n = 0;
	one(&d, &(struct how){.size = 600, .bad_tag = true}, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.bad_packets, 1);

	/* a coalesced Initial of another DCID (under the flow's keys) */
	{
		static const uint8_t srv[4] = {7, 7, 7, 7};

		d.n = 0;
		one(&d, &(struct how){.pn = 0, .size = 1}, 0, 100);
		one(&d,
		    &(struct how){.pn = 1,
				  .dcid = srv,
				  .dcid_len = 4,
				  .key_dcid = rfc_dcid,
				  .key_dcid_len = 8},
		    100, sizeof(hello) - 100);
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
		CU_ASSERT_EQUAL(q.reason, QUIC_R_coalesced);
	}

	for (unsigned r = 0; r < QUIC_R_COUNT; r++)
		CU_ASSERT_STRING_NOT_EQUAL(quic_reason_name(r), "?");
	CU_ASSERT_STRING_EQUAL(quic_reason_name(QUIC_R_COUNT), "?");
	CU_ASSERT_STRING_EQUAL(quic_reason_name(0), "none");
}

/* Packet numbers: a repeat is dropped as the server drops it; numbers
 * decode against the largest read (RFC 9000 A.3). */
static void test_packet_numbers(void)
{
	struct pkt d1 = {.n = 0}, d2 = {.n = 0}, f = {.n = 0};
	struct quic_init q;
	uint8_t alt[241];

	/* the same number again with other bytes: the server drops it, so a
	 * forged rest of the hello in it is not read */
	memcpy(alt, hello, sizeof(alt));
	alt[200] ^= 1;
	one(&d1, &(struct how){.pn = 0}, 0, 100);
	p_crypto(&f, 100, alt + 100, sizeof(alt) - 100);
	protect(&d2, &(struct how){.pn = 0}, f.b, f.n);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.bad_packets, 1);
	CU_ASSERT_EQUAL(q.have, 100);
	d2.n = 0;
	one(&d2, &(struct how){.pn = 1}, 100, sizeof(hello) - 100);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);

	/* after number 1000, a 1-byte number 0xe9 is 1001 (0x3e9), not 233 */
	d1.n = d2.n = 0;
	one(&d1, &(struct how){.pn = 1000, .pn_len = 2}, 0, 100);
	one(&d2, &(struct how){.pn = 1001, .pn_len = 1}, 100, sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.pn_next, 1002);
	/* ... and one protected for 233 (0xe9) does not open */
	d2.n = 0;
	one(&d2, &(struct how){.pn = 233, .pn_len = 1}, 100, sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(q.bad_packets, 1);

	/* reordered within the window is fine; far below it is refused */
	d1.n = d2.n = 0;
	one(&d1, &(struct how){.pn = 100}, 0, 100);
	one(&d2, &(struct how){.pn = 90}, 100, sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	d2.n = 0;
	one(&d2, &(struct how){.pn = 20}, 100, sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_packet_number);
}

/* After a Retry the client derives new keys from the Retry's connection ID
 * (RFC 9001 5.2): read once; keys changing again are refused. */
static void test_retry_keys(void)
{
	static const uint8_t retry_cid[8] = {0xaa, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t third[8] = {0xbb, 1, 2, 3, 4, 5, 6, 7};
	struct pkt d1 = {.n = 0}, d2 = {.n = 0}, d3 = {.n = 0};
	struct quic_init q;

	one(&d1, &(struct how){.pn = 0}, 0, 100);
	one(&d2, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, 100,
	    sizeof(hello) - 100);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.rekeyed, 1);
	CU_ASSERT(memcmp(q.dcid, retry_cid, 8) == 0);

	/* the old keys again, or a third set: two connections on one flow */
	d2.n = 0;
	one(&d2, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, 0, 50);
	one(&d3, &(struct how){.pn = 2, .dcid = third, .dcid_len = 8}, 50, 10);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d3), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_connection);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d2), QUIC_NEED_MORE);
	d3.n = 0;
	one(&d3, &(struct how){.pn = 3}, 50, 10); /* the first DCID, the first keys */
	CU_ASSERT_EQUAL(feed_pkt(&q, &d3), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_connection);

	/* with a token (the Retry's), the header still reads */
	d1.n = 0;
	one(&d1, &(struct how){.token = "retry-token-0123456789"}, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d1), QUIC_DONE);
	assert_hello(&q);
}

/* Every truncation, and random damage, of valid datagrams: no crash, no
 * read past the end (ASan), and never DONE with other bytes. */
static void test_truncations(void)
{
	struct pkt d = {.n = 0}, f = {.n = 0};
	struct quic_init q;
	uint8_t *c;
	unsigned seed = 12345;

	p_crypto(&f, 100, hello + 100, sizeof(hello) - 100);
	p_u8(&f, 0x01);
	p_u8(&f, 0x02), p_u8(&f, 3), p_u8(&f, 0), p_u8(&f, 1), p_u8(&f, 0), p_u8(&f, 1),
		p_u8(&f, 0), p_u8(&f, 1);
	p_crypto(&f, 0, hello, 100);
	protect(&d, &(struct how){.size = 1}, f.b, f.n);
	one(&d, &(struct how){.pn = 1, .size = 1}, 0, 10);
	while (d.n < 1250)
		d.b[d.n++] = 0;
	for (size_t n = 0; n <= d.n; n++) {
		fresh(&q);
		feed(&q, d.b, n);
		/* a cut datagram: every packet in it whole or not read */
		CU_ASSERT(q.status != QUIC_DONE || n >= 1200);
	}
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);

	/* as a later datagram too, after an Initial that set the keys */
	for (size_t n = 0; n <= d.n; n++) {
		struct pkt d0 = {.n = 0};

		one(&d0, &(struct how){.pn = 5}, 0, 4);
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d0), QUIC_NEED_MORE);
		feed(&q, d.b, n);
	}

	/* random damage: a byte or a few, anywhere */
	c = malloc(d.n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (unsigned i = 0; i < 20000; i++) {
		size_t n;

		memcpy(c, d.b, d.n);
		for (unsigned k = 0, m = 1 + (unsigned)(rand_r(&seed) % 4); k < m; k++)
			c[rand_r(&seed) % d.n] = (uint8_t)rand_r(&seed);
		n = i & 1 ? d.n : (size_t)rand_r(&seed) % (d.n + 1);
		fresh(&q);
		if (feed(&q, c, n) == QUIC_DONE) {
			CU_ASSERT(memcmp(q.buf, hello, sizeof(hello)) == 0);
		}
	}
	free(c);
}

/* Random bytes after a valid long header's fields: lengths and varints of
 * every size, decoded under the right keys. */
static void test_random_frames(void)
{
	unsigned seed = 777;
	struct quic_init q;

	for (unsigned i = 0; i < 3000; i++) {
		struct pkt d = {.n = 0}, f = {.n = 0};
		size_t n = 1 + (size_t)rand_r(&seed) % 60;

		for (size_t k = 0; k < n; k++) {
			unsigned r = (unsigned)rand_r(&seed);

			/* mostly small bytes: frame types that exist */
			p_u8(&f, r & 0x100 ? r & 0x07 : r & 0xff);
		}
		protect(&d, &(struct how){.size = 1}, f.b, f.n);
		while (d.n < 1200)
			d.b[d.n++] = 0x40;
		fresh(&q);
		feed_pkt(&q, &d);
		CU_ASSERT(q.status == QUIC_NEED_MORE || q.status == QUIC_MALFORMED);
	}
}

/* quic_feed_after on a copy of exactly n bytes on the heap; the hello,
 * the status and the stream are not touched whatever it says. */
static enum quic_after after(struct quic_init *q, const struct pkt *p)
{
	uint8_t *c = malloc(p->n ? p->n : 1), before[sizeof(hello)];
	uint32_t need = q->need, have = q->have;
	enum quic_after a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (p->n)
		memcpy(c, p->b, p->n);
	memcpy(before, q->buf, sizeof(before));
	a = quic_feed_after(q, c, p->n);
	free(c);
	CU_ASSERT_EQUAL(q->status, QUIC_DONE);
	CU_ASSERT_EQUAL(q->reason, QUIC_R_none);
	CU_ASSERT_EQUAL(q->need, need);
	/* the hello's bytes stay; a second hello's may join past it */
	CU_ASSERT(q->have >= have);
	CU_ASSERT(memcmp(q->buf, before, sizeof(before)) == 0);
	return a;
}

/* A reader DONE with the hello in one datagram (pn 0, the RFC's DCID). */
static void done(struct quic_init *q)
{
	struct pkt d = {.n = 0};

	one(&d, &(struct how){.pn = 0}, 0, sizeof(hello));
	fresh(q);
	CU_ASSERT_EQUAL_FATAL(feed_pkt(q, &d), QUIC_DONE);
	assert_hello(q);
}

/* After DONE: the same connection's Initials and its other packets are OK;
 * another connection's Initial is OTHER; one under the flow's keys with
 * other bytes is a CONFLICT. */
static void test_after(void)
{
	static const uint8_t srv[5] = {1, 2, 3, 4, 5};
	static const uint8_t other_dcid[8] = {0x42, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t ack[] = {0x02, 0x00, 0x00, 0x00, 0x00};
	struct how server_cid = {
		.dcid = srv, .dcid_len = 5, .key_dcid = rfc_dcid, .key_dcid_len = 8};
	struct pkt d = {.n = 0}, f = {.n = 0};
	uint8_t alt[241], zero[40] = {0};
	struct quic_init q;
	struct how h;

	memcpy(alt, hello, sizeof(alt));
	alt[100] ^= 0x20; /* another ClientHello: one byte of it */

	/* an ACK-only Initial to the server's connection ID, the first keys */
	done(&q);
	h = server_cid;
	h.pn = 1;
	protect(&d, &h, ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.packets, 2);
	CU_ASSERT_EQUAL(q.pn_next, 2);
	/* the hello retransmitted, whole and in pieces, under a new number */
	d.n = 0;
	one(&d, &(struct how){.pn = 2}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = f.n = 0;
	p_crypto(&f, 200, hello + 200, sizeof(hello) - 200);
	p_u8(&f, 0x01);
	p_crypto(&f, 7, hello + 7, 50);
	h.pn = 3;
	protect(&d, &h, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	/* the first datagram again (the network duplicated it): pn 0 again,
	 * the same bytes */
	d.n = 0;
	one(&d, &(struct how){.pn = 0}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.packets, 4); /* a repeat is not counted */
	/* an ACK Initial coalesced with a Handshake packet and a short header */
	d.n = 0;
	h.pn = 4;
	h.size = 1;
	protect(&d, &h, ack, sizeof(ack));
	protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1}, zero, sizeof(zero));
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.bad_packets, 0);
	/* no Initial: a Handshake packet, a 0-RTT one, a short header, nothing */
	d.n = 0;
	protect(&d, &(struct how){.set_type = true, .type = 2}, zero, sizeof(zero));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = 0;
	protect(&d, &(struct how){.set_type = true, .type = 1, .dcid = other_dcid, .dcid_len = 8},
		zero, sizeof(zero));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = 0;
	while (d.n < 1200)
		d.b[d.n++] = 0x41;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = 0;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(quic_feed_after(&q, NULL, 0), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.bad_packets, 0);

	/* the fixed bit greased (RFC 9287): the connection's, the hello's
	 * bytes; with other bytes, a conflict as any */
	d.n = 0;
	one(&d, &(struct how){.pn = 7, .grease = true}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.pn_next, 8);
	CU_ASSERT_EQUAL(q.bad_packets, 0);
	{
		struct quic_init q2;

		done(&q2);
		d.n = f.n = 0;
		p_crypto(&f, 0, alt, sizeof(alt));
		protect(&d, &(struct how){.pn = 1, .grease = true}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q2, &d), QUIC_AFTER_CONFLICT);
	}

	/* a new connection: another DCID, another hello; or the same hello
	 * with a bad tag; or a packet that opens under nobody's keys */
	d.n = 0;
	f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.dcid = other_dcid, .dcid_len = 8}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	CU_ASSERT_EQUAL(q.rekeyed, 0);
	CU_ASSERT(memcmp(q.dcid, rfc_dcid, 8) == 0);
	d.n = 0;
	one(&d, &(struct how){.dcid = other_dcid, .dcid_len = 8, .bad_tag = true}, 0,
	    sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 9, .bad_tag = true}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	/* ... another version (v2, draft-29), one we do not know, a fixed bit
	 * cleared after the protection, a greased Initial of another
	 * connection, a header cut short */
	d.n = 0;
	one(&d, &(struct how){.version = QUIC_V2, .pn = 9}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.version = QUIC_DRAFT_29, .pn = 9}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 9}, 0, sizeof(hello));
	d.b[1] = 0x1a, d.b[2] = 0x2a, d.b[3] = 0x3a, d.b[4] = 0x4a;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 9}, 0, sizeof(hello));
	d.b[0] &= ~0x40; /* after the protection: does not open */
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.dcid = other_dcid, .dcid_len = 8, .grease = true}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER); /* greased, another connection's */
	CU_ASSERT_EQUAL(q.rekeyed, 0);
	d.n = 0;
	one(&d, &(struct how){.pn = 9}, 0, sizeof(hello));
	d.n = 30;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	/* ... and a good ACK of the connection in the same datagram does not
	 * make it OK */
	d.n = 0;
	h.pn = 5;
	h.size = 1;
	protect(&d, &h, ack, sizeof(ack));
	f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.dcid = other_dcid, .dcid_len = 8}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	/* still the first keys: the connection's ACK is OK */
	d.n = 0;
	h.pn = 6;
	h.size = 0;
	protect(&d, &h, ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);

	/* the same DCID (the first connection closed), another hello: it
	 * opens under the flow's keys, numbered from 0 again */
	d.n = f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.pn = 0}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	/* ... under a new number, or only the byte that differs */
	done(&q);
	d.n = f.n = 0;
	p_crypto(&f, 100, alt + 100, 1);
	protect(&d, &(struct how){.pn = 7}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	/* ... the hello, then a second message past it that is no
	 * ClientHello (its first byte says so) */
	done(&q);
	d.n = f.n = 0;
	p_crypto(&f, 0, hello, sizeof(hello));
	p_crypto(&f, sizeof(hello), zero, 1);
	protect(&d, &(struct how){.pn = 1}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = f.n = 0;
	p_crypto(&f, sizeof(hello), zero, 0);
	protect(&d, &(struct how){.pn = 1}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK); /* at the end, no byte */
	CU_ASSERT_EQUAL(quic_hello2(&q, &(const uint8_t *){NULL}, &(size_t){0}), QUIC_HELLO2_NONE);
	/* ... a second hello (after a HelloRetryRequest) joined past the
	 * first, in two parts, the later first: PART until it is whole;
	 * its bytes again, the same, are OK; other bytes, or any past its
	 * end, are a conflict */
	{
		const uint8_t *p2 = NULL;
		size_t n2 = 0;

		done(&q);
		d.n = f.n = 0;
		p_crypto(&f, sizeof(hello) + 100, hello + 100, sizeof(hello) - 100);
		protect(&d, &(struct how){.pn = 1}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
		CU_ASSERT_EQUAL(q.have, sizeof(hello));
		/* nothing joined from the first hello's end yet */
		CU_ASSERT_EQUAL(quic_hello2(&q, &p2, &n2), QUIC_HELLO2_NONE);
		d.n = f.n = 0;
		p_crypto(&f, sizeof(hello), hello, 100);
		protect(&d, &(struct how){.pn = 2}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
		CU_ASSERT_EQUAL(q.have, 2 * sizeof(hello));
		CU_ASSERT_EQUAL_FATAL(quic_hello2(&q, &p2, &n2), QUIC_HELLO2_WHOLE);
		CU_ASSERT_EQUAL(n2, sizeof(hello));
		CU_ASSERT(p2 && memcmp(p2, hello, sizeof(hello)) == 0);
		d.n = f.n = 0;
		p_crypto(&f, sizeof(hello) + 50, hello + 50, 20);
		protect(&d, &(struct how){.pn = 3}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
		d.n = f.n = 0;
		p_crypto(&f, sizeof(hello) + 100, alt + 100, 1); /* the byte that differs */
		protect(&d, &(struct how){.pn = 4}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
		d.n = f.n = 0;
		p_crypto(&f, 2 * sizeof(hello), hello, 1);
		protect(&d, &(struct how){.pn = 5}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
		d.n = f.n = 0;
		p_crypto(&f, 2 * sizeof(hello) + 1, zero, 0);
		protect(&d, &(struct how){.pn = 6}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT); /* empty, past its end */
		/* ... and a part that lies past the end its header then gives */
		done(&q);
		d.n = f.n = 0;
		p_crypto(&f, 2 * sizeof(hello) + 10, zero, 4);
		protect(&d, &(struct how){.pn = 1}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
		d.n = f.n = 0;
		p_crypto(&f, sizeof(hello), hello, 4);
		protect(&d, &(struct how){.pn = 2}, f.b, f.n);
		CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	}
	/* ... quic_feed's other rules: reserved bits, a short datagram, a
	 * STREAM frame, no frames, a coalesced Initial of another DCID, a
	 * number far below the largest */
	done(&q);
	d.n = 0;
	one(&d, &(struct how){.pn = 1, .reserved = 0x08}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	h = server_cid;
	h.pn = 1;
	h.size = 600;
	protect(&d, &h, ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	protect(&d, &(struct how){.pn = 1}, (const uint8_t *)"\x08\x00\x01x", 4);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	protect(&d, &(struct how){.pn = 1, .size = 1}, zero, 0);
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	one(&d, &(struct how){.pn = 1, .size = 1}, 0, 10);
	h = server_cid;
	h.pn = 2;
	protect(&d, &h, ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	one(&d, &(struct how){.pn = 200}, 0, 10);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = 0;
	one(&d, &(struct how){.pn = 100}, 0, 10);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);

	/* a reader not DONE: refused without reading */
	fresh(&q);
	d.n = 0;
	one(&d, &(struct how){.pn = 0}, 0, 100);
	CU_ASSERT_EQUAL(quic_feed_after(&q, d.b, d.n), QUIC_AFTER_CONFLICT);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NEED_MORE);
	CU_ASSERT_EQUAL(quic_feed_after(&q, d.b, d.n), QUIC_AFTER_CONFLICT);
	CU_ASSERT_EQUAL(q.status, QUIC_NEED_MORE);
}

/* A Retry after the hello was whole: the client sends the same CRYPTO
 * stream under the keys of the Retry's connection ID; the flow moves to
 * them, once. */
static void test_after_retry(void)
{
	static const uint8_t retry_cid[8] = {0xaa, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t third[8] = {0xbb, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t srv[5] = {1, 2, 3, 4, 5};
	static const uint8_t ack[] = {0x02, 0x00, 0x00, 0x00, 0x00};
	struct pkt d = {.n = 0}, f = {.n = 0};
	uint8_t alt[241];
	struct quic_init q;

	memcpy(alt, hello, sizeof(alt));
	alt[200] ^= 1;

	/* the hello again, in two datagrams, under the Retry's keys, with its
	 * token; the client's numbers go on (RFC 9000 17.2.5.3) */
	done(&q);
	one(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8, .token = "tok"}, 120,
	    sizeof(hello) - 120);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	CU_ASSERT_EQUAL(q.rekeyed, 1);
	CU_ASSERT(memcmp(q.dcid, retry_cid, 8) == 0);
	CU_ASSERT_EQUAL(q.pn_next, 2);
	d.n = 0;
	one(&d, &(struct how){.pn = 2, .dcid = retry_cid, .dcid_len = 8, .token = "tok"}, 0, 120);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	/* then the server's connection ID, the Retry keys */
	d.n = 0;
	protect(&d,
		&(struct how){.pn = 3,
			      .dcid = srv,
			      .dcid_len = 5,
			      .key_dcid = retry_cid,
			      .key_dcid_len = 8},
		ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	/* the first keys now, or a third set, even with the hello: OTHER */
	d.n = 0;
	one(&d, &(struct how){.pn = 4}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 4, .dcid = third, .dcid_len = 8}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	CU_ASSERT(memcmp(q.dcid, retry_cid, 8) == 0);
	/* the Retry keys with another hello: a CONFLICT now */
	d.n = f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.pn = 5, .dcid = retry_cid, .dcid_len = 8}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);

	/* new keys with another hello, with no CRYPTO at all, or with a rule
	 * broken: another connection, the keys stay */
	done(&q);
	d.n = f.n = 0;
	p_crypto(&f, 0, alt, sizeof(alt));
	protect(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, f.b, f.n);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	protect(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, ack, sizeof(ack));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8, .reserved = 0x04}, 0,
	    sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8, .size = 700}, 0,
	    sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	CU_ASSERT_EQUAL(q.rekeyed, 0);
	CU_ASSERT(memcmp(q.dcid, rfc_dcid, 8) == 0);
	d.n = 0;
	one(&d, &(struct how){.pn = 1}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);

	/* a Retry before the hello was whole (quic_feed moved the keys):
	 * no second move after it */
	fresh(&q);
	d.n = 0;
	one(&d, &(struct how){.pn = 0}, 0, 100);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_NEED_MORE);
	d.n = 0;
	one(&d, &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, 100, sizeof(hello) - 100);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	CU_ASSERT_EQUAL(q.rekeyed, 1);
	d.n = 0;
	one(&d, &(struct how){.pn = 2, .dcid = third, .dcid_len = 8}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OTHER);
	d.n = 0;
	one(&d, &(struct how){.pn = 2, .dcid = retry_cid, .dcid_len = 8}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
}

/* Long-header packets per datagram: QUIC_MAX_PACKETS, no more. */
static void test_max_packets(void)
{
	static const uint8_t ack[] = {0x02, 0x00, 0x00, 0x00, 0x00};
	uint8_t zero[20] = {0};
	struct pkt d = {.n = 0};
	struct quic_init q;
	size_t piece = (sizeof(hello) + 7) / 8;

	/* the hello in 8 Initials: read */
	for (unsigned i = 0; i < 8; i++) {
		size_t off = i * piece,
		       n = off + piece > sizeof(hello) ? sizeof(hello) - off : piece;

		one(&d, &(struct how){.pn = i, .size = 1}, off, n);
	}
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.packets, 8);

	/* in 9: refused before the ninth is opened, in the first datagram or
	 * a later one */
	d.n = 0;
	for (unsigned i = 0; i < 9; i++) {
		size_t off = i * 27, n = off + 27 > sizeof(hello) ? sizeof(hello) - off : 27;

		one(&d, &(struct how){.pn = i, .size = 1}, off, n);
	}
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_too_many_packets);
	CU_ASSERT_STRING_EQUAL(quic_reason_name(q.reason), "too_many_packets");
	CU_ASSERT_EQUAL(q.packets, 8);
	{
		struct pkt d0 = {.n = 0};

		one(&d0, &(struct how){.pn = 20}, 0, 10);
		fresh(&q);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d0), QUIC_NEED_MORE);
		CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
		CU_ASSERT_EQUAL(q.reason, QUIC_R_too_many_packets);
	}

	/* after the hello: 9 Initials, each of them fine, are a CONFLICT; so
	 * are 9 Handshake packets; 8 are not */
	done(&q);
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	done(&q);
	d.n = 0;
	for (unsigned i = 0; i < 8; i++)
		protect(&d, &(struct how){.pn = 1 + i, .size = 1}, ack, sizeof(ack));
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_OK);
	d.n = 0;
	for (unsigned i = 0; i < 9; i++)
		protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1}, zero,
			sizeof(zero));
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
	d.n -= 10; /* the ninth cut short: still a ninth long header */
	CU_ASSERT_EQUAL(after(&q, &d), QUIC_AFTER_CONFLICT);
}

/* quic_feed_after on every truncation and random damage of datagrams of
 * each kind: no crash, no read past the end (ASan), the hello untouched
 * (after() checks), the status DONE. */
static void test_after_damage(void)
{
	static const uint8_t retry_cid[8] = {0xaa, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t ack[] = {0x02, 0x00, 0x00, 0x00, 0x00};
	struct pkt d[3] = {{.n = 0}, {.n = 0}, {.n = 0}}, c;
	unsigned seed = 4242;
	struct quic_init q;

	one(&d[0], &(struct how){.pn = 1, .size = 1}, 0, sizeof(hello));
	protect(&d[0], &(struct how){.pn = 2, .size = 1}, ack, sizeof(ack));
	while (d[0].n < 1250)
		d[0].b[d[0].n++] = 0;
	one(&d[1], &(struct how){.pn = 1, .dcid = retry_cid, .dcid_len = 8}, 0, sizeof(hello));
	protect(&d[2], &(struct how){.set_type = true, .type = 2, .size = 1}, ack, sizeof(ack));
	one(&d[2], &(struct how){.pn = 3, .size = 1}, 10, 100);
	while (d[2].n < 1200)
		d[2].b[d[2].n++] = 0x40;
	for (unsigned k = 0; k < 3; k++) {
		done(&q);
		CU_ASSERT_EQUAL(after(&q, &d[k]), QUIC_AFTER_OK);
		for (size_t n = 0; n <= d[k].n; n += 1 + n / 64) {
			c = d[k];
			c.n = n;
			done(&q);
			after(&q, &c);
		}
	}
	for (unsigned i = 0; i < 6000; i++) {
		unsigned k = i % 3;

		c = d[k];
		for (unsigned j = 0, m = 1 + (unsigned)(rand_r(&seed) % 3); j < m; j++)
			c.b[rand_r(&seed) % c.n] = (uint8_t)rand_r(&seed);
		if (i & 4)
			c.n = (size_t)rand_r(&seed) % (c.n + 1);
		done(&q);
		after(&q, &c);
	}
}

static void test_looks_initial(void)
{
	uint8_t b[8] = {0xc0, 0, 0, 0, 1, 8, 0, 0};

	CU_ASSERT_TRUE(quic_looks_initial(b, 5));
	CU_ASSERT_FALSE(quic_looks_initial(b, 4));
	CU_ASSERT_FALSE(quic_looks_initial(NULL, 0));
	b[0] = 0xd0; /* v1 0-RTT */
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
	b[1] = 0x6b, b[2] = 0x33, b[3] = 0x43, b[4] = 0xcf; /* v2: 0b01 is Initial */
	CU_ASSERT_TRUE(quic_looks_initial(b, 8));
	b[0] = 0xc0;
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
	b[1] = 0xff, b[2] = 0x00, b[3] = 0x00, b[4] = 0x1d; /* draft-29 */
	CU_ASSERT_TRUE(quic_looks_initial(b, 8));
	b[4] = 0x1b; /* draft-27: unknown, any type */
	b[0] = 0xf0;
	CU_ASSERT_TRUE(quic_looks_initial(b, 8));
	b[0] = 0xb0; /* fixed bit clear, a version we do not know */
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
	/* fixed bit clear in one we read: grease (RFC 9287), by type as ever */
	b[1] = 0, b[2] = 0, b[3] = 0, b[4] = 1;
	b[0] = 0x80;
	CU_ASSERT_TRUE(quic_looks_initial(b, 8));
	b[0] = 0xa0; /* v1 Handshake */
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
	b[1] = 0x6b, b[2] = 0x33, b[3] = 0x43, b[4] = 0xcf;
	b[0] = 0x90; /* v2 Initial */
	CU_ASSERT_TRUE(quic_looks_initial(b, 8));
	b[1] = b[2] = b[3] = b[4] = 0; /* version negotiation */
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
	b[0] = 0x40; /* short header */
	b[4] = 1;
	CU_ASSERT_FALSE(quic_looks_initial(b, 8));
}

/* The fixed bit greased (RFC 9287): Initials read as any, coalesced with
 * greased Handshake packets, in v1 and v2. */
static void test_grease(void)
{
	uint8_t zero[40] = {0};
	struct pkt d = {.n = 0};
	struct quic_init q;

	one(&d, &(struct how){.grease = true}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(d.b[0] & 0xc0, 0x80);
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);

	d.n = 0;
	one(&d, &(struct how){.pn = 0, .size = 1, .grease = true}, 100, sizeof(hello) - 100);
	protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1, .grease = true}, zero,
		sizeof(zero));
	one(&d, &(struct how){.pn = 1, .size = 1}, 0, 100);
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.packets, 2);
	CU_ASSERT_EQUAL(q.bad_packets, 0);

	d.n = 0;
	one(&d, &(struct how){.version = QUIC_V2, .grease = true}, 0, sizeof(hello));
	CU_ASSERT_EQUAL(d.b[0] & 0xf0, 0x90);
	CU_ASSERT_TRUE(quic_looks_initial(d.b, d.n));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_DONE);
	assert_hello(&q);
	CU_ASSERT_EQUAL(q.version, QUIC_V2);

	/* the other rules stay: reserved bits */
	d.n = 0;
	one(&d, &(struct how){.grease = true, .reserved = 0x08}, 0, sizeof(hello));
	fresh(&q);
	CU_ASSERT_EQUAL(feed_pkt(&q, &d), QUIC_MALFORMED);
	CU_ASSERT_EQUAL(q.reason, QUIC_R_reserved_bits);
}

/* quic_has_initial on a copy of exactly n bytes on the heap. */
static bool has(const uint8_t *b, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	bool r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (n)
		memcpy(c, b, n);
	r = quic_has_initial(c, n);
	free(c);
	return r;
}

/* quic_has_initial agrees with quic_feed on a fresh reader wherever that
 * walks the datagram (quic.h): true exactly when the reader took keys. */
static bool has_agrees(const uint8_t *b, size_t n)
{
	struct quic_init q;
	bool h = has(b, n);
	enum quic_status st;

	fresh(&q);
	st = feed(&q, b, n);
	if (st != QUIC_NOT_QUIC && !(st == QUIC_MALFORMED && q.reason == QUIC_R_version))
		CU_ASSERT_EQUAL(h, q.version != 0);
	return h;
}

static void test_has_initial(void)
{
	static const uint8_t dns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
				      0x00, 0x00, 0x07, 'e',  'x',  'a',  'm',	'p',  'l',  'e',
				      0x03, 'c',  'o',	'm',  0x00, 0x00, 0x01, 0x00, 0x01};
	static const uint8_t srv[5] = {1, 2, 3, 4, 5};
	uint8_t zero[40] = {0};
	struct pkt d = {.n = 0}, f = {.n = 0}, c;
	unsigned seed = 9001;
	size_t end;

	/* RFC 9001 A.2's Initial */
	f.n = unhex(rfc_crypto_frame, f.b, sizeof(f.b));
	while (f.n < 1162)
		f.b[f.n++] = 0;
	protect(&d, &(struct how){.pn = 2}, f.b, f.n);
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	/* ... its tag corrupted, or its fixed bit cleared after protection */
	d.b[d.n - 1] ^= 1;
	CU_ASSERT_FALSE(has_agrees(d.b, d.n));
	d.b[d.n - 1] ^= 1;
	d.b[0] &= ~0x40;
	CU_ASSERT_FALSE(has_agrees(d.b, d.n));
	d.b[0] |= 0x40;
	/* ... its version one we do not read: no key to try */
	d.b[1] = 0x1a, d.b[2] = 0x2a, d.b[3] = 0x3a, d.b[4] = 0x4a;
	CU_ASSERT_FALSE(has(d.b, d.n));

	/* v2, draft-29, the fixed bit greased, a bad tag */
	d.n = 0;
	one(&d, &(struct how){.version = QUIC_V2}, 0, sizeof(hello));
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	one(&d, &(struct how){.version = QUIC_DRAFT_29}, 0, sizeof(hello));
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	one(&d, &(struct how){.grease = true}, 0, sizeof(hello));
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	one(&d, &(struct how){.version = QUIC_V2, .grease = true}, 0, sizeof(hello));
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	one(&d, &(struct how){.bad_tag = true}, 0, sizeof(hello));
	CU_ASSERT_FALSE(has_agrees(d.b, d.n));

	/* only authentication counts, no other rule: a short datagram,
	 * reserved bits, a STREAM frame */
	d.n = 0;
	one(&d, &(struct how){.size = 300}, 0, 10);
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	one(&d, &(struct how){.reserved = 0x0c}, 0, sizeof(hello));
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	d.n = 0;
	protect(&d, &(struct how){0}, (const uint8_t *)"\x08\x00\x01x", 4);
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));

	/* under the keys of another DCID (a later Initial to the server's
	 * connection ID): not its own DCID's, so not proof */
	d.n = 0;
	one(&d, &(struct how){.dcid = srv, .dcid_len = 5, .key_dcid = rfc_dcid, .key_dcid_len = 8},
	    0, sizeof(hello));
	CU_ASSERT_FALSE(has_agrees(d.b, d.n));

	/* coalesced behind a Handshake packet (greased too), a bad Initial
	 * first, a short-header tail */
	d.n = 0;
	protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1, .grease = true}, zero,
		sizeof(zero));
	one(&d, &(struct how){.pn = 1, .size = 1, .bad_tag = true}, 0, 50);
	one(&d, &(struct how){.pn = 2, .size = 1}, 0, 50);
	end = d.n;
	while (d.n < 1200)
		d.b[d.n++] = 0x40;
	CU_ASSERT_FALSE(quic_looks_initial(d.b, d.n));
	CU_ASSERT_TRUE(has(d.b, d.n));
	/* every truncation: true exactly when the good Initial is whole */
	for (size_t n = 0; n <= d.n; n++)
		CU_ASSERT_EQUAL(has(d.b, n), n >= end);
	/* a Handshake, a 0-RTT packet alone: no Initial */
	d.n = 0;
	protect(&d, &(struct how){.set_type = true, .type = 2}, zero, sizeof(zero));
	CU_ASSERT_FALSE(has(d.b, d.n));
	d.n = 0;
	protect(&d, &(struct how){.set_type = true, .type = 1}, zero, sizeof(zero));
	CU_ASSERT_FALSE(has(d.b, d.n));

	/* at most QUIC_MAX_PACKETS long headers: an Initial eighth counts,
	 * ninth not */
	for (unsigned behind = 7; behind <= 8; behind++) {
		d.n = 0;
		for (unsigned i = 0; i < behind; i++)
			protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1}, zero,
				sizeof(zero));
		one(&d, &(struct how){.size = 1}, 0, 10);
		CU_ASSERT_EQUAL(has(d.b, d.n), behind < QUIC_MAX_PACKETS);
	}

	/* a short header first (the Initial after it is not looked at), a DNS
	 * query, nothing */
	d.n = 0;
	p_u8(&d, 0x41);
	p_mem(&d, rfc_dcid, 8);
	one(&d, &(struct how){0}, 0, sizeof(hello));
	CU_ASSERT_FALSE(has(d.b, d.n));
	CU_ASSERT_TRUE(has(d.b + 9, d.n - 9));
	CU_ASSERT_FALSE(has(dns, sizeof(dns)));
	CU_ASSERT_FALSE(has(d.b, 0));
	CU_ASSERT_FALSE(quic_has_initial(NULL, 0));
	CU_ASSERT_FALSE(quic_has_initial(NULL, 1200));

	/* RTP (version 2: a first byte 0x80..0xbf), random after it; the
	 * "version" bytes (payload type, sequence number, a timestamp byte)
	 * made v1's, v2's or draft-29's in most, so that its bytes read as a
	 * long header's */
	for (unsigned i = 0; i < 3000; i++) {
		static const uint32_t vs[3] = {QUIC_V1, QUIC_V2, QUIC_DRAFT_29};

		c.n = 40 + (size_t)rand_r(&seed) % 1361;
		for (size_t k = 0; k < c.n; k++)
			c.b[k] = (uint8_t)rand_r(&seed);
		c.b[0] = (uint8_t)(0x80 | (c.b[0] & 0x3f));
		if (i % 4) {
			uint32_t v = vs[i % 3];

			c.b[1] = (uint8_t)(v >> 24), c.b[2] = (uint8_t)(v >> 16);
			c.b[3] = (uint8_t)(v >> 8), c.b[4] = (uint8_t)v;
			/* a DCID and SCID that fit, a small token and Length */
			if (i & 4) {
				c.b[5] = (uint8_t)(c.b[5] % 21);
				c.b[6 + c.b[5]] = 0;
				c.b[7 + c.b[5]] = 0;
				c.b[8 + c.b[5]] = (uint8_t)(0x40 | ((c.n - 10 - c.b[5]) >> 8));
				c.b[9 + c.b[5]] = (uint8_t)(c.n - 10 - c.b[5]);
				c.b[0] &= 0xcf; /* Initial in v1, draft-29 */
				if (i % 3 == 1)
					c.b[0] |= 0x10; /* in v2 */
			}
		}
		CU_ASSERT_FALSE(has_agrees(c.b, c.n));
	}

	/* random damage to datagrams with Initials: as quic_feed says */
	d.n = 0;
	one(&d, &(struct how){.pn = 0, .size = 1}, 0, 100);
	protect(&d, &(struct how){.set_type = true, .type = 2, .size = 1}, zero, sizeof(zero));
	one(&d, &(struct how){.pn = 1, .size = 1, .dcid = srv, .dcid_len = 5}, 100, 20);
	while (d.n < 1250)
		d.b[d.n++] = 0;
	CU_ASSERT_TRUE(has_agrees(d.b, d.n));
	for (unsigned i = 0; i < 4000; i++) {
		c = d;
		for (unsigned k = 0, m = 1 + (unsigned)(rand_r(&seed) % 3); k < m; k++)
			c.b[rand_r(&seed) % c.n] = (uint8_t)rand_r(&seed);
		if (i & 1)
			c.n = (size_t)rand_r(&seed) % (c.n + 1);
		has_agrees(c.b, c.n);
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"RFC 9001 A.1 keys", test_rfc9001_keys},
		{"RFC 9001 A.2 client Initial", test_rfc9001_initial},
		{"RFC 9369 v2 keys and Initial, draft-29", test_rfc9369_v2},
		{"another number under v1's or draft 29's keys", test_alias},
		{"CRYPTO frames out of order in a packet", test_split_in_packet},
		{"a hello over two datagrams, coalesced packets", test_two_datagrams},
		{"overlaps: identical and conflicting", test_overlap},
		{"a bad tag is dropped, keys pinned only by a good one", test_bad_tag},
		{"not QUIC, short header, versions", test_not_quic},
		{"refusals by reason", test_refusals},
		{"packet numbers: repeats, decoding, window", test_packet_numbers},
		{"Retry keys once, then a second connection", test_retry_keys},
		{"truncations and damage", test_truncations},
		{"random frames", test_random_frames},
		{"after DONE: the same connection, another, a conflict", test_after},
		{"after DONE: a Retry's keys, once", test_after_retry},
		{"at most QUIC_MAX_PACKETS long headers a datagram", test_max_packets},
		{"after DONE: truncations and damage", test_after_damage},
		{"quic_looks_initial", test_looks_initial},
		{"the fixed bit greased (RFC 9287)", test_grease},
		{"quic_has_initial", test_has_initial},
		CU_TEST_INFO_NULL,
	};

	return unit_run("quic", suite_init, NULL, tests);
}
