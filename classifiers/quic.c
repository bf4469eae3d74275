/* quic.c - the reader of a QUIC client's Initial packets (quic.h).
 *
 * Per datagram: walk the coalesced packets by their long headers; for each
 * Initial remove header protection (AES-ECB mask), open the payload
 * (AES-128-GCM), then read its frames and put the CRYPTO bytes at their
 * offsets in the caller's buffer. The rule throughout: drop what a server
 * drops, read what it reads, and refuse (QUIC_MALFORMED) an authenticated
 * packet that a server might read differently from us. A client holds the
 * Initial keys (anyone can derive them), so authentication only proves the
 * packet is one the server will accept, not that it is honest.
 */
#include "quic.h"

#include <gcrypt.h>
#include <stdatomic.h>
#include <string.h>

#define QUIC_TAG     16 /* AES-GCM tag */
#define QUIC_SAMPLE  16 /* header protection sample, taken 4 bytes after the pn offset */
#define QUIC_CID_MAX 20
/* Packets are opened in a copy on the stack: any packet of a UDP datagram
 * (at most 65527 bytes) fits. */
#define QUIC_PKT_MAX 65536
/* Packet numbers remembered below the largest, to drop a repeat as the
 * server does (RFC 9000 12.3). */
#define QUIC_PN_WINDOW 64

#define QUIC_F_PADDING		0x00
#define QUIC_F_PING		0x01
#define QUIC_F_ACK		0x02
#define QUIC_F_ACK_ECN		0x03
#define QUIC_F_CRYPTO		0x06
#define QUIC_F_CONNECTION_CLOSE 0x1c

static const char *const quic_reason_names[] = {
#define X(n) #n,
	QUIC_REASONS(X)
#undef X
};

const char *quic_reason_name(unsigned reason)
{
	return reason < QUIC_R_COUNT ? quic_reason_names[reason] : "?";
}

static inline uint32_t quic_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline bool quic_known(uint32_t v)
{
	return v == QUIC_V1 || v == QUIC_V2 || v == QUIC_DRAFT_29;
}

/* The long-header packet types, by version: v2 permutes them (RFC 9369 3.2). */
enum quic_type { QT_INITIAL, QT_0RTT, QT_HANDSHAKE, QT_RETRY };

static inline enum quic_type quic_type(uint32_t version, uint8_t b0)
{
	unsigned t = (b0 >> 4) & 3;

	if (version == QUIC_V2)
		return (enum quic_type)((t + 3) & 3); /* 1 Initial, 2 0-RTT, 3 Handshake, 0 Retry */
	return (enum quic_type)t;
}

/* A variable-length integer (RFC 9000 16) at p[*off], n bytes in all. */
static bool quic_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v)
{
	size_t i = *off, len;
	uint64_t x;

	if (i >= n)
		return false;
	len = (size_t)1 << (p[i] >> 6);
	if (n - i < len)
		return false;
	x = p[i] & 0x3f;
	for (size_t k = 1; k < len; k++)
		x = x << 8 | p[i + k];
	*off = i + len;
	*v = x;
	return true;
}

static bool quic_alias_first(const uint8_t *d, size_t len);

bool quic_looks_initial(const uint8_t *p, size_t len)
{
	uint32_t v;

	if (!p || len < 5 || !(p[0] & 0x80))
		return false;
	v = quic_be32(p + 1);
	if (v == 0)
		return false; /* version negotiation */
	/* A version we know: the fixed bit may be greased (RFC 9287), and the
	 * type says Initial. One we do not: the fixed bit is the only sign of
	 * QUIC left; greased, only an alias's first packet, which opens under
	 * v1's or draft 29's keys, is one (red team round 39,
	 * rt39_quic_alias_grease_fb: 0xfaceb003 with the bit clear was taken
	 * for no QUIC, and nDPI 4.2 read no name of it). */
	if (!quic_known(v))
		return (p[0] & 0x40) || quic_alias_first(p, len);
	return quic_type(v, p[0]) == QT_INITIAL;
}

/* ---- keys ------------------------------------------------------------------ */

static atomic_bool quic_gcry_ready;

static void quic_gcry_init(void)
{
	/* Safe to call again and from several threads: it only initialises
	 * libgcrypt once itself. */
	if (!atomic_load_explicit(&quic_gcry_ready, memory_order_acquire)) {
		gcry_check_version(NULL);
		atomic_store_explicit(&quic_gcry_ready, true, memory_order_release);
	}
}

/* HMAC-SHA256 (RFC 2104) of m1 || m2 over libgcrypt's one-shot SHA-256: no
 * handle, so nothing allocated. key is at most a block (64 bytes). */
static void quic_hmac(const uint8_t *key, size_t klen, const void *m1, size_t n1, const void *m2,
		      size_t n2, uint8_t out[32])
{
	uint8_t ipad[64], opad[64], inner[32];
	gcry_buffer_t iov[3];
	int cnt = 0;

	for (size_t i = 0; i < 64; i++) {
		uint8_t k = i < klen ? key[i] : 0;

		ipad[i] = k ^ 0x36;
		opad[i] = k ^ 0x5c;
	}
	memset(iov, 0, sizeof(iov));
	iov[cnt].data = ipad;
	iov[cnt++].len = 64;
	if (n1) {
		iov[cnt].data = (void *)(uintptr_t)m1;
		iov[cnt++].len = n1;
	}
	if (n2) {
		iov[cnt].data = (void *)(uintptr_t)m2;
		iov[cnt++].len = n2;
	}
	gcry_md_hash_buffers(GCRY_MD_SHA256, 0, inner, iov, cnt);
	memset(iov, 0, sizeof(iov));
	iov[0].data = opad;
	iov[0].len = 64;
	iov[1].data = inner;
	iov[1].len = 32;
	gcry_md_hash_buffers(GCRY_MD_SHA256, 0, out, iov, 2);
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for out_len <= 32:
 * one HMAC block suffices. */
static void quic_expand_label(const uint8_t secret[32], const char *label, uint8_t *out,
			      size_t out_len)
{
	uint8_t info[2 + 1 + 6 + 32 + 1 + 1], t[32];
	size_t llen = strlen(label), n = 0;

	info[n++] = 0;
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + llen);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0; /* context: empty */
	info[n++] = 1; /* HKDF-Expand's counter, T(1) */
	quic_hmac(secret, 32, info, n, NULL, 0, t);
	memcpy(out, t, out_len);
}

bool quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint8_t key[16],
		      uint8_t iv[12], uint8_t hp[16])
{
	/* The initial salts: RFC 9001 5.2, RFC 9369 3.3.1, draft-ietf-quic-tls-29 5.2. */
	static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
					    0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
					    0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
	static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
					    0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
					    0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
	static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2,
					     0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
					     0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
	const uint8_t *salt;
	uint8_t initial[32], client[32];
	bool v2 = version == QUIC_V2;

	if (version == QUIC_V1)
		salt = salt_v1;
	else if (v2)
		salt = salt_v2;
	else if (version == QUIC_DRAFT_29)
		salt = salt_d29;
	else
		return false;
	quic_gcry_init();
	quic_hmac(salt, 20, dcid, dcid_len, NULL, 0, initial); /* HKDF-Extract */
	quic_expand_label(initial, "client in", client, 32);
	quic_expand_label(client, v2 ? "quicv2 key" : "quic key", key, 16);
	quic_expand_label(client, v2 ? "quicv2 iv" : "quic iv", iv, 12);
	quic_expand_label(client, v2 ? "quicv2 hp" : "quic hp", hp, 16);
	return true;
}

/* ---- packets --------------------------------------------------------------- */

/* libgcrypt's handles allocate when opened, so each thread opens its two
 * once and keys them per packet. */
static _Thread_local gcry_cipher_hd_t quic_ecb, quic_gcm;

static bool quic_handles(void)
{
	if (quic_ecb && quic_gcm)
		return true;
	quic_gcry_init();
	if (!quic_ecb && gcry_cipher_open(&quic_ecb, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0))
		quic_ecb = NULL;
	if (!quic_gcm && gcry_cipher_open(&quic_gcm, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0))
		quic_gcm = NULL;
	return quic_ecb && quic_gcm;
}

/* A long-header packet of a version we know, as far as its header says. */
struct quic_pkt {
	uint32_t version;
	uint32_t keyv; /* the version whose keys it is under: its own, or the one an alias stands for */
	enum quic_type type;
	const uint8_t *dcid;
	uint8_t dcid_len;
	size_t pn_off; /* the protected packet number, from the packet's start */
	size_t size;   /* the whole packet: pn_off + its Length */
};

/* Read the long header at p (n bytes to the datagram's end). false when it
 * cannot be read or its Length runs past the datagram: a server cannot find
 * the packet's end either, and drops the rest of the datagram with it. */
static bool quic_header(const uint8_t *p, size_t n, struct quic_pkt *k)
{
	size_t off = 5;
	uint64_t v;

	if (n < 7)
		return false;
	k->version = quic_be32(p + 1);
	k->keyv = k->version;
	k->type = quic_type(k->version, p[0]);
	k->dcid_len = p[off++];
	if (k->dcid_len > QUIC_CID_MAX || n - off < (size_t)k->dcid_len + 1)
		return false;
	k->dcid = p + off;
	off += k->dcid_len;
	v = p[off++]; /* Source Connection ID */
	if (v > QUIC_CID_MAX || n - off < v)
		return false;
	off += v;
	if (k->type == QT_RETRY)
		return false; /* no Length: a server's packet, nothing to read here */
	if (k->type == QT_INITIAL) {
		if (!quic_varint(p, n, &off, &v) || v > n - off) /* Token */
			return false;
		off += v;
	}
	if (!quic_varint(p, n, &off, &v) || v > n - off)
		return false;
	k->pn_off = off;
	k->size = off + v;
	return true;
}

/* The full packet number from its truncated encoding (RFC 9000 A.3). */
static uint64_t quic_pn_decode(uint64_t expected, uint64_t truncated, unsigned pn_len)
{
	uint64_t win = (uint64_t)1 << (8 * pn_len), hwin = win / 2;
	uint64_t cand = (expected & ~(win - 1)) | truncated;

	if (cand + hwin <= expected && cand < ((uint64_t)1 << 62) - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

/* An opened packet: the plaintext is in the caller's scratch. */
struct quic_open {
	uint8_t b0; /* the first byte, unprotected */
	uint64_t pn;
	const uint8_t *pt;
	size_t pt_len;
};

/* Remove the protection of packet p (header k) with key/iv/hp into s (at
 * least k->size bytes), the packet number decoded against pn_next. false
 * when it does not authenticate: the server drops it. */
static bool quic_unprotect(const struct quic_pkt *k, const uint8_t *p, const uint8_t key[16],
			   const uint8_t iv[12], const uint8_t hp[16], uint64_t pn_next, uint8_t *s,
			   struct quic_open *o)
{
	uint8_t mask[16], nonce[12];
	size_t hdr_len, ct_len;
	unsigned pn_len;
	uint64_t trunc = 0;

	memcpy(s, p, k->size);
	if (gcry_cipher_setkey(quic_ecb, hp, 16) ||
	    gcry_cipher_encrypt(quic_ecb, mask, 16, p + k->pn_off + 4, QUIC_SAMPLE))
		return false;
	s[0] ^= mask[0] & 0x0f; /* long header: 4 bits masked */
	pn_len = (s[0] & 3) + 1;
	for (unsigned i = 0; i < pn_len; i++) {
		s[k->pn_off + i] ^= mask[1 + i];
		trunc = trunc << 8 | s[k->pn_off + i];
	}
	/* The decoding needs the largest number read so far; for the client's
	 * first Initials (numbers from 0, pn_next 0) it is the truncated value
	 * itself. Decoding against pn_next keeps us in step with the server's
	 * decoding when a client jumps its numbers. */
	o->pn = quic_pn_decode(pn_next, trunc, pn_len);
	o->b0 = s[0];
	hdr_len = k->pn_off + pn_len;
	/* the sample needs 20 bytes after pn_off, so the tag always fits */
	ct_len = k->size - hdr_len - QUIC_TAG;
	memcpy(nonce, iv, 12);
	for (unsigned i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(o->pn >> (56 - 8 * i));
	if (gcry_cipher_setkey(quic_gcm, key, 16) || gcry_cipher_setiv(quic_gcm, nonce, 12) ||
	    gcry_cipher_authenticate(quic_gcm, s, hdr_len))
		return false;
	if (ct_len && (gcry_cipher_final(quic_gcm) ||
		       gcry_cipher_decrypt(quic_gcm, s + hdr_len, ct_len, NULL, 0)))
		return false;
	if (gcry_cipher_checktag(quic_gcm, p + k->size - QUIC_TAG, QUIC_TAG))
		return false;
	o->pt = s + hdr_len;
	o->pt_len = ct_len;
	return true;
}

/* Whether packet k (at p) can be opened at all: room for the sample and the
 * tag, and this thread's cipher handles. One that cannot, a server drops. */
static bool quic_openable(const struct quic_pkt *k)
{
	return k->size <= QUIC_PKT_MAX && k->size - k->pn_off >= 4 + QUIC_SAMPLE && quic_handles();
}

/* Open Initial k (at p, openable) under the keys of its own DCID, as a
 * server opens a client's first Initial (its number decoded against 0);
 * the keys are left in key, iv, hp. */
static bool quic_open_own(const struct quic_pkt *k, const uint8_t *p, uint8_t key[16],
			  uint8_t iv[12], uint8_t hp[16], uint8_t *s, struct quic_open *o)
{
	quic_client_keys(k->keyv, k->dcid, k->dcid_len, key, iv, hp);
	return quic_unprotect(k, p, key, iv, hp, 0, s, o);
}

/* A version of another number with v1's or draft 29's wire image, keys
 * and all (an implementation's alias: mvfst's numbers 0xfaceb0xx, a
 * private deployment's): the version whose keys open the datagram's first
 * packet, an Initial as v1 lays it out, under its own DCID, or 0. The
 * AEAD decides: a packet that opens under those keys is one a server with
 * them reads, and nothing else opens (red team round 4, the nineteenth
 * session: an Initial for www.facebook.com under 0xfaceb003 was left to
 * nDPI 4.2, which read no name of it: rt4_quic_fbalias_fb). */
static uint32_t quic_alias_keys(const uint8_t *d, size_t len)
{
	static const uint32_t tries[] = {QUIC_V1, QUIC_DRAFT_29};
	uint8_t scratch[QUIC_PKT_MAX], key[16], iv[12], hp[16];
	struct quic_open o;
	struct quic_pkt k;

	if (!quic_header(d, len, &k) || k.type != QT_INITIAL || !quic_openable(&k))
		return 0;
	for (unsigned i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		k.keyv = tries[i];
		if (quic_open_own(&k, d, key, iv, hp, scratch, &o))
			return tries[i];
	}
	return 0;
}

/* Whether d (len bytes), of a version we do not know, is an alias's
 * first datagram: padded as a client's first (RFC 9000 14.1), its first
 * packet laid out as an Initial, the fixed bit either way (RFC 9287), and
 * opening under v1's or draft 29's keys (quic_alias_keys). */
static bool quic_alias_first(const uint8_t *d, size_t len)
{
	return len >= QUIC_MIN_DATAGRAM && (d[0] & 0xb0) == 0x80 && quic_be32(d + 1) != 0 &&
	       quic_alias_keys(d, len) != 0;
}

/* Whether q reads packets of version v: one we know, or its alias. */
static inline bool quic_reads(const struct quic_init *q, uint32_t v)
{
	return quic_known(v) || (q->alias && v == q->alias);
}

/* ---- the CRYPTO stream ----------------------------------------------------- */

static enum quic_status quic_end(struct quic_init *q, enum quic_status st, enum quic_reason r)
{
	q->status = (uint8_t)st;
	q->reason = (uint8_t)r;
	return st;
}

static inline bool quic_bit(const struct quic_init *q, uint32_t o)
{
	return q->map[o >> 3] & (1u << (o & 7));
}

/* CRYPTO bytes [from, to) at buf[from..), d holding them: false when one
 * differs from a copy joined before (a retransmission must repeat the
 * bytes: a server keeps one copy, the first or the last, we cannot know
 * which). have then runs on over what is joined, up to limit. */
static bool quic_join(struct quic_init *q, uint32_t from, uint32_t to, const uint8_t *d,
		      uint32_t limit)
{
	for (uint32_t o = from; o < to; o++) {
		uint8_t b = d[o - from];

		if (quic_bit(q, o)) {
			if (q->buf[o] != b)
				return false;
		} else {
			q->buf[o] = b;
			q->map[o >> 3] |= (uint8_t)(1u << (o & 7));
		}
	}
	while (q->have < limit && quic_bit(q, q->have))
		q->have++;
	return true;
}

/* Whether any CRYPTO byte from o on was joined (up to the buffer's end). */
static bool quic_any_from(const struct quic_init *q, uint32_t o)
{
	for (; o < q->cap; o++)
		if (quic_bit(q, o))
			return true;
	return false;
}

/* CRYPTO data at offset off. No byte may lie past the message once its
 * length is known: a client sends nothing after its ClientHello in
 * Initials until a HelloRetryRequest asks for a second one, which a server
 * that writes the HRR then reads from what it holds (red team review, the
 * seventeenth session: a second hello for another name right behind the
 * first, in the first Initial, went unread; over TCP, hrr_pipe_same). */
static enum quic_reason quic_crypto(struct quic_init *q, uint64_t off, const uint8_t *d, uint64_t n)
{
	uint32_t limit = q->need ? q->need : q->cap, end;

	if (off > q->cap || n > q->cap - off)
		return QUIC_R_too_long;
	if (q->need && n && off + n > q->need)
		return QUIC_R_conflict;
	end = (uint32_t)(off + n) < limit ? (uint32_t)(off + n) : limit;
	if (!quic_join(q, (uint32_t)off, end, d, limit))
		return QUIC_R_conflict;
	if (!q->need && q->have >= 4) {
		if (q->buf[0] != 1)
			return QUIC_R_not_client_hello;
		q->need = 4 + ((uint32_t)q->buf[1] << 16 | (uint32_t)q->buf[2] << 8 | q->buf[3]);
		if (q->need > q->cap)
			return QUIC_R_too_long;
		/* bytes joined before the length was known, past it */
		if (quic_any_from(q, q->need))
			return QUIC_R_conflict;
		if (q->have > q->need)
			q->have = q->need;
	}
	return QUIC_R_none;
}

/* After the hello (quic_feed_after): CRYPTO data at off must repeat the
 * hello's bytes. Past its end a client sends one message only, and only
 * when the server asked for it: a second ClientHello after a
 * HelloRetryRequest (RFC 8446 4.1.4; the Initial CRYPTO stream goes on,
 * RFC 9001 4.1.3). With `second` its bytes are joined at buf[need..)
 * (q->need2 once its length is in; nothing past it); without, any byte
 * past the hello is a conflict. The caller reads the second hello whole
 * (quic_hello2) before it lets the datagram that completes it go. */
static enum quic_reason quic_crypto_same(struct quic_init *q, uint64_t off, const uint8_t *d,
					 uint64_t n, bool second)
{
	uint64_t same = off < q->need ? (n < q->need - off ? n : q->need - off) : 0;
	uint32_t limit;

	if (same && memcmp(q->buf + off, d, (size_t)same))
		return QUIC_R_conflict;
	if (same == n && off <= q->need)
		return QUIC_R_none;
	if (!second)
		return QUIC_R_conflict;
	off += same;
	d += same;
	n -= same;
	limit = q->need2 ? q->need2 : q->cap;
	if (off > limit || n > limit - off)
		return QUIC_R_conflict; /* past the second hello, or too long to read */
	if (!n)
		return QUIC_R_none;
	if (!quic_join(q, (uint32_t)off, (uint32_t)(off + n), d, limit))
		return QUIC_R_conflict;
	if (quic_bit(q, q->need) && q->buf[q->need] != 1)
		return QUIC_R_conflict; /* a second message that is no ClientHello */
	if (!q->need2 && q->have >= q->need + 4) {
		const uint8_t *h = q->buf + q->need;
		uint64_t end = (uint64_t)q->need + 4 + ((uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);

		if (h[0] != 1 || end > q->cap)
			return QUIC_R_conflict;
		/* none already joined past its end (once, at most cap bits) */
		if (quic_any_from(q, (uint32_t)end))
			return QUIC_R_conflict;
		q->need2 = (uint32_t)end;
	}
	return QUIC_R_none;
}

/* How quic_frames takes CRYPTO data: joined into the hello (0), compared
 * with it, nothing past it (QF_SAME), or compared, with a second hello
 * joined past it (QF_SECOND). */
enum { QF_SAME = 1, QF_SECOND = 2 };

/* The frames of an opened Initial: only those RFC 9000 12.4 allows there
 * (table 3, and 17.2.2). A frame type is one byte here: a longer encoding
 * of an allowed type is one a server MAY refuse, so we refuse it. CRYPTO
 * data is joined into the stream (quic_crypto), or with after compared with
 * the hello (quic_crypto_same, which joins a second hello with QF_SECOND);
 * *crypto counts its bytes. */
static enum quic_reason quic_frames(struct quic_init *q, const uint8_t *p, size_t n, unsigned after,
				    uint64_t *crypto)
{
	size_t i = 0;
	uint64_t a, b, c;

	if (n == 0)
		return QUIC_R_frame; /* a packet with no frames: PROTOCOL_VIOLATION */
	while (i < n) {
		uint8_t t = p[i++];

		switch (t) {
		case QUIC_F_PADDING:
		case QUIC_F_PING:
			break;
		case QUIC_F_ACK:
		case QUIC_F_ACK_ECN:
			/* Largest Acknowledged, ACK Delay, Range Count, First Range */
			if (!quic_varint(p, n, &i, &a) || !quic_varint(p, n, &i, &a) ||
			    !quic_varint(p, n, &i, &c) || !quic_varint(p, n, &i, &a))
				return QUIC_R_frame;
			/* each range takes 2 bytes at least: bounded by n */
			for (; c; c--)
				if (!quic_varint(p, n, &i, &a) || !quic_varint(p, n, &i, &b))
					return QUIC_R_frame;
			if (t == QUIC_F_ACK_ECN &&
			    (!quic_varint(p, n, &i, &a) || !quic_varint(p, n, &i, &a) ||
			     !quic_varint(p, n, &i, &a)))
				return QUIC_R_frame;
			break;
		case QUIC_F_CRYPTO: {
			enum quic_reason r;

			if (!quic_varint(p, n, &i, &a) || !quic_varint(p, n, &i, &b) || b > n - i)
				return QUIC_R_frame;
			r = after ? quic_crypto_same(q, a, p + i, b, after == QF_SECOND)
				  : quic_crypto(q, a, p + i, b);
			if (r != QUIC_R_none)
				return r;
			*crypto += b;
			i += b;
			break;
		}
		case QUIC_F_CONNECTION_CLOSE:
			/* Error Code, Frame Type, Reason Phrase Length, Reason Phrase */
			if (!quic_varint(p, n, &i, &a) || !quic_varint(p, n, &i, &a) ||
			    !quic_varint(p, n, &i, &b) || b > n - i)
				return QUIC_R_frame;
			i += b;
			break;
		default:
			return QUIC_R_frame;
		}
	}
	return QUIC_R_none;
}

/* Packet number pn was read: false when it was read before (the server drops
 * a repeat, RFC 9000 12.3, and so do we). *too_old when it is too far below
 * the largest for us to tell. */
static bool quic_pn_take(struct quic_init *q, uint64_t pn, bool *too_old)
{
	*too_old = false;
	if (pn >= q->pn_next) {
		uint64_t shift = pn - q->pn_next + 1;

		q->pn_seen = shift >= QUIC_PN_WINDOW ? 0 : q->pn_seen << shift;
		q->pn_seen |= 1;
		q->pn_next = pn + 1;
		return true;
	}
	if (q->pn_next - 1 - pn >= QUIC_PN_WINDOW) {
		*too_old = true;
		return false;
	}
	if (q->pn_seen & (1ull << (q->pn_next - 1 - pn)))
		return false;
	q->pn_seen |= 1ull << (q->pn_next - 1 - pn);
	return true;
}

static inline void quic_bad(struct quic_init *q)
{
	if (q->bad_packets < UINT16_MAX)
		q->bad_packets++;
}

/* What the rules of an authenticated Initial say, before its frames. */
static enum quic_reason quic_rules(const struct quic_open *o, size_t datagram_len, bool other_dcid)
{
	if (o->b0 & 0x0c)
		return QUIC_R_reserved_bits;
	if (datagram_len < QUIC_MIN_DATAGRAM)
		return QUIC_R_short_datagram; /* some servers read it in a connection */
	if (other_dcid)
		return QUIC_R_coalesced; /* a server SHOULD drop it: some may not */
	return QUIC_R_none;
}

/* Take key, iv, hp (of dcid) as the flow's keys. */
static void quic_set_keys(struct quic_init *q, const struct quic_pkt *k, const uint8_t key[16],
			  const uint8_t iv[12], const uint8_t hp[16])
{
	q->version = k->version;
	memcpy(q->dcid, k->dcid, k->dcid_len);
	q->dcid_len = k->dcid_len;
	memcpy(q->key, key, 16);
	memcpy(q->iv, iv, 12);
	memcpy(q->hp, hp, 16);
	/* the server starts its packet number space over */
	q->pn_next = 0;
	q->pn_seen = 0;
}

/* One Initial of the flow's version; other_dcid: a packet before it in the
 * datagram had another DCID (RFC 9000 12.2). Returns a reason to refuse the
 * flow, QUIC_R_none otherwise: read, or dropped with bad_packets counted.
 *
 * after (quic_feed_after): nothing is joined; its CRYPTO bytes must be the
 * hello's. One that does not open under the flow's keys sets *other (it is
 * another connection's) instead of being dropped, except the one that moves
 * the flow to Retry keys (quic.h). */
static enum quic_reason quic_initial(struct quic_init *q, const uint8_t *p,
				     const struct quic_pkt *k, size_t datagram_len, bool other_dcid,
				     bool after, uint8_t *s, bool *other)
{
	uint8_t key[16], iv[12], hp[16];
	struct quic_open o;
	uint64_t crypto = 0;
	bool too_old;

	if (!quic_openable(k))
		goto drop;
	if (q->version && quic_unprotect(k, p, q->key, q->iv, q->hp, q->pn_next, s, &o)) {
		/* under the flow's keys, whatever its DCID: after the server's
		 * first Initial the client takes the server's connection ID
		 * and keeps its Initial keys */
	} else if (q->version && k->dcid_len == q->dcid_len &&
		   !memcmp(k->dcid, q->dcid, q->dcid_len)) {
		goto drop; /* the flow's keys, and it does not open */
	} else {
		/* The first Initial that authenticates sets the keys (one that
		 * does not, the server drops too: it must not pin them). A later
		 * one under the keys of its own DCID follows a Retry (RFC 9001
		 * 5.2: the client derives new keys from the Retry's connection
		 * ID); the server reads it, so we do, once. Keys changing
		 * again are a second connection on the flow. */
		if (after && q->rekeyed)
			goto drop; /* no second change: not worth a decryption */
		if (!quic_open_own(k, p, key, iv, hp, s, &o))
			goto drop;
		if (after) {
			/* After the hello, only a Retry's: the same hello,
			 * nothing else a server could read otherwise. Else
			 * another connection (the caller drops it). */
			if (quic_rules(&o, datagram_len, other_dcid) != QUIC_R_none ||
			    quic_frames(q, o.pt, o.pt_len, QF_SAME, &crypto) != QUIC_R_none ||
			    crypto == 0)
				goto drop;
		}
		if (q->version) {
			if (q->rekeyed)
				return QUIC_R_connection;
			q->rekeyed = 1;
		}
		quic_set_keys(q, k, key, iv, hp);
		/* o.pn was decoded against 0, as the server decodes it */
	}
	/* Authenticated: the server reads this packet. Whatever of it a server
	 * could take differently from us refuses the flow. */
	{
		enum quic_reason r = quic_rules(&o, datagram_len, other_dcid);

		if (r != QUIC_R_none)
			return r;
	}
	if (!quic_pn_take(q, o.pn, &too_old)) {
		if (too_old)
			return QUIC_R_packet_number;
		if (!after) {
			quic_bad(q); /* a repeat: dropped, as the server drops it */
			return QUIC_R_none;
		}
		/* After the hello, a repeat is read all the same: a duplicate
		 * agrees, and a new connection on the same DCID (the first one
		 * closed) numbers from 0 again, for a server that has
		 * forgotten the first. */
	} else if (q->packets < UINT16_MAX) {
		q->packets++;
	}
	return quic_frames(q, o.pt, o.pt_len, after ? QF_SECOND : 0, &crypto);

drop:
	quic_bad(q);
	if (after)
		*other = true;
	return QUIC_R_none;
}

void quic_init_begin(struct quic_init *q, uint8_t *buf, uint8_t *map, size_t cap)
{
	memset(q, 0, sizeof(*q));
	if (!buf || !map)
		cap = 0;
	q->buf = buf;
	q->map = map;
	q->cap = (uint32_t)(cap < QUIC_CRYPTO_MAX ? cap : QUIC_CRYPTO_MAX);
	if (map)
		memset(map, 0, q->cap / 8 + 1);
}

/* What quic_walk does with the Initials it meets. */
enum quic_mode {
	QM_FEED,  /* quic_feed: read them */
	QM_AFTER, /* quic_feed_after: compare them with the hello */
	QM_PROBE, /* quic_has_initial: find one that opens under its own DCID's keys */
};

/* Walk the packets of datagram d (len bytes): long headers by their
 * Length, each Initial to quic_initial (QM_AFTER: after there), to the
 * first short header. A reason to refuse the flow, or QUIC_R_none. *flag:
 * with QM_AFTER, set by an Initial (or an unreadable long header) that is
 * not the flow's; with QM_PROBE (q a zeroed reader, only its counters
 * written), set by an Initial that opens under the keys of its own DCID,
 * where the walk stops. */
static enum quic_reason quic_walk(struct quic_init *q, const uint8_t *d, size_t len,
				  enum quic_mode mode, bool *flag)
{
	uint8_t scratch[QUIC_PKT_MAX];
	const uint8_t *dcid0 = NULL;
	uint8_t dcid0_len = 0;
	unsigned packets = 0;
	size_t off = 0;

	while (off < len) {
		const uint8_t *p = d + off;
		struct quic_pkt k;
		enum quic_reason r;

		if (!(p[0] & 0x80))
			break; /* a short header runs to the datagram's end: no Initial after it */
		/* Bounded work: each Initial costs a decryption (two, and a key
		 * derivation, when it does not open under the flow's keys), and
		 * a jumbo datagram could coalesce a few thousand tiny ones. No
		 * client coalesces more than a few (Initial, 0-RTT, Handshake). */
		if (++packets > QUIC_MAX_PACKETS)
			return QUIC_R_too_many_packets;
		if (len - off < 5 || !quic_reads(q, quic_be32(p + 1)) ||
		    !quic_header(p, len - off, &k)) {
			/* no Length to find the next packet by: the server stops
			 * too. After the hello, it may be an Initial of a
			 * version a server reads and we cannot. */
			quic_bad(q);
			if (mode == QM_AFTER)
				*flag = true;
			break;
		}
		if (q->alias && k.version == q->alias)
			k.keyv = q->alias_keys;
		off += k.size;
		if (!dcid0) {
			dcid0 = k.dcid;
			dcid0_len = k.dcid_len;
		}
		if (k.type != QT_INITIAL)
			continue; /* 0-RTT, Handshake: not ours to read */
		/* The fixed bit (0x40) is not looked at: a client may grease it
		 * (RFC 9287) once a server allowed it, and that server reads
		 * the Initial. One that did not drops it; the Initial it reads
		 * instead must then agree with this one's bytes, or the flow is
		 * refused (conflict, QUIC_AFTER_CONFLICT). */
		if (q->version && k.version != q->version) {
			quic_bad(q); /* another version */
			if (mode == QM_AFTER)
				*flag = true;
			continue;
		}
		if (mode == QM_PROBE) {
			uint8_t key[16], iv[12], hp[16];
			struct quic_open o;

			if (quic_openable(&k) && quic_open_own(&k, p, key, iv, hp, scratch, &o)) {
				*flag = true;
				break;
			}
			continue;
		}
		r = quic_initial(q, p, &k, len,
				 k.dcid_len != dcid0_len || memcmp(k.dcid, dcid0, dcid0_len),
				 mode == QM_AFTER, scratch, flag);
		if (r != QUIC_R_none)
			return r;
	}
	return QUIC_R_none;
}

enum quic_status quic_feed(struct quic_init *q, const uint8_t *d, size_t len)
{
	enum quic_reason r;
	bool other = false;

	if (q->status != QUIC_NEED_MORE)
		return (enum quic_status)q->status;
	if (!d)
		len = 0;
	if (q->datagrams++ == 0) {
		/* The first datagram decides whether the flow is QUIC at all:
		 * as the caller's test says (quic_looks_initial), then a
		 * version we read. */
		if (!quic_looks_initial(d, len))
			return quic_end(q, QUIC_NOT_QUIC, QUIC_R_none);
		if (!quic_known(quic_be32(d + 1))) {
			uint32_t kv = quic_alias_keys(d, len);

			if (!kv)
				return quic_end(q, QUIC_MALFORMED, QUIC_R_version);
			q->alias = quic_be32(d + 1);
			q->alias_keys = kv;
		}
	} else if (q->datagrams == 0) {
		q->datagrams = UINT16_MAX; /* saturate */
	}
	r = quic_walk(q, d, len, QM_FEED, &other);
	if (r != QUIC_R_none)
		return quic_end(q, QUIC_MALFORMED, r);
	if (q->need && q->have >= q->need)
		return quic_end(q, QUIC_DONE, QUIC_R_none);
	return QUIC_NEED_MORE;
}

enum quic_hello2 quic_hello2(const struct quic_init *q, const uint8_t **p, size_t *n)
{
	if (q->status != QUIC_DONE || q->have <= q->need)
		return QUIC_HELLO2_NONE;
	if (!q->need2 || q->have < q->need2)
		return QUIC_HELLO2_PART;
	*p = q->buf + q->need;
	*n = q->need2 - q->need;
	return QUIC_HELLO2_WHOLE;
}

enum quic_after quic_feed_after(struct quic_init *q, const uint8_t *d, size_t len)
{
	bool other = false;

	if (q->status != QUIC_DONE || !q->version || q->have < q->need)
		return QUIC_AFTER_CONFLICT; /* not the caller's promise: refuse */
	if (!d)
		len = 0;
	if (quic_walk(q, d, len, QM_AFTER, &other) != QUIC_R_none)
		return QUIC_AFTER_CONFLICT;
	return other ? QUIC_AFTER_OTHER : QUIC_AFTER_OK;
}

bool quic_has_initial(const uint8_t *d, size_t len)
{
	struct quic_init probe;
	bool found = false;

	/* Most datagrams that are not QUIC end here, before the walk's stack
	 * and any key derivation: no long header, or not a version we read
	 * (a long header we cannot read ends the walk anyway). */
	if (!d || len < 5 || !(d[0] & 0x80))
		return false;
	/* A version of another number: an alias whose first packet opens
	 * under v1's or draft 29's keys (quic_alias_keys), looked for only in
	 * a datagram padded as a client's first (RFC 9000 14.1) whose first
	 * packet is laid out as an Initial (review of the nineteenth session:
	 * a later Initial under an alias passed unread) */
	if (!quic_known(quic_be32(d + 1)))
		return quic_alias_first(d, len);
	/* A zeroed reader: no keys, so each Initial is tried under its own
	 * DCID's, as a fresh quic_feed tries it; no buffer is touched. */
	memset(&probe, 0, sizeof(probe));
	quic_walk(&probe, d, len, QM_PROBE, &found);
	return found;
}
