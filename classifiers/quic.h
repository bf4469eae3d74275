/* quic.h - aduana's own reader of a QUIC client's Initial packets.
 *
 * nDPI 4.2 misses a ClientHello whose CRYPTO frames come out of order
 * (Chrome's "chaos protection"), one spread over two Initial datagrams sent
 * in reverse order, and QUIC version 2. This reader removes the Initial
 * packet protection itself (RFC 9001 5, RFC 9369 3.3) and joins the CRYPTO
 * stream by offset into a buffer the caller gives. It does not parse TLS:
 * the caller hands buf[0..need) (the ClientHello handshake message) to its
 * TLS reader (tls.h).
 *
 * As with tls.h, a packet a server would drop is dropped here too, and
 * anything a server could read differently from us is refused with a named
 * reason. No allocation on the feed path (libgcrypt's cipher handles are
 * opened once per thread), no global state besides libgcrypt's.
 */
#ifndef ADUANA_QUIC_H
#define ADUANA_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of the CRYPTO stream kept: the caller puts a 5-byte TLS record
 * header before them, and the whole must fit TLS_CH_MAX (16384). */
#define QUIC_CRYPTO_MAX 16379

/* RFC 9000 14.1: a server MUST discard an Initial carried in a UDP datagram
 * of less than 1200 bytes; so do we (else a short datagram could show us a
 * hello the server never reads). */
#define QUIC_MIN_DATAGRAM 1200

/* Long-header packets read per datagram, at most (quic_feed,
 * quic_feed_after): each Initial costs a decryption, and a jumbo datagram of
 * many tiny coalesced Initials would cost thousands. No client coalesces more
 * than a few (Initial, 0-RTT, Handshake), so more is refused. */
#define QUIC_MAX_PACKETS 8

#define QUIC_V1	      0x00000001u
#define QUIC_V2	      0x6b3343cfu /* RFC 9369 */
#define QUIC_DRAFT_29 0xff00001du

/* Why a flow is malformed. Every name is a counter / log word. */
#define QUIC_REASONS(X)                                                                            \
	X(none)	    /* not malformed */                                                            \
	X(version)  /* a long-header Initial of a version we cannot read */                        \
	X(conflict) /* CRYPTO bytes at an offset already received differ */                        \
	X(too_long) /* the message or a CRYPTO range beyond the buffer (QUIC_CRYPTO_MAX) */        \
	X(frame)    /* a frame not allowed in an Initial, one past the payload, no frames */       \
	X(not_client_hello) /* the first CRYPTO byte is not 1 (ClientHello) */                     \
	X(reserved_bits)    /* an Initial with its reserved header bits set (RFC 9000 17.2) */     \
	X(short_datagram)   /* an Initial in a datagram under QUIC_MIN_DATAGRAM bytes */           \
	X(coalesced)	    /* an Initial after a packet of another DCID in a datagram (12.2) */   \
	X(packet_number) /* an Initial's number too far below the largest read to tell a repeat */ \
	X(connection)	 /* Initials under a third set of keys: two connections on one flow */     \
	X(too_many_packets) /* over QUIC_MAX_PACKETS long-header packets in a datagram */

enum quic_reason {
#define X(n) QUIC_R_##n,
	QUIC_REASONS(X)
#undef X
		QUIC_R_COUNT
};

enum quic_status {
	QUIC_NEED_MORE = 0, /* the ClientHello is not complete yet */
	QUIC_DONE,	    /* buf[0..need) is the ClientHello message */
	QUIC_NOT_QUIC,	    /* the first datagram is not a client's Initial */
	QUIC_MALFORMED,	    /* refused: reason says why */
};

/* Per-flow reader state (128 bytes on x86-64) plus the caller's buffers. */
struct quic_init {
	uint8_t *buf;	  /* caller's: CRYPTO byte o goes to buf[o] */
	uint8_t *map;	  /* caller's: a bit per byte of buf, set once received (cap/8+1 bytes) */
	uint32_t cap;	  /* bytes of buf used, at most QUIC_CRYPTO_MAX */
	uint32_t version; /* 0 until the first Initial that authenticates */
	uint8_t dcid[20]; /* that Initial's Destination Connection ID */
	uint8_t dcid_len;
	uint8_t key[16], iv[12], hp[16]; /* the client's Initial keys, from dcid */
	uint32_t have;			 /* contiguous CRYPTO bytes from offset 0 */
	uint32_t need;			 /* 4 + the handshake message's length once known, else 0 */
	uint32_t need2; /* after: the end of a second hello (HelloRetryRequest), once known */
	uint16_t packets, bad_packets;	 /* Initials read, and ones dropped (AEAD failure etc.) */
	uint8_t status;			 /* enum quic_status */
	uint8_t reason;			 /* enum quic_reason */
	/* The reader's own: */
	uint8_t rekeyed;    /* the keys changed once (after a Retry, RFC 9001 5.2) */
	uint16_t datagrams; /* datagrams fed (saturating): the first one decides NOT_QUIC */
	uint64_t pn_next;   /* largest packet number read + 1, to decode the next (RFC 9000 A.3) */
	uint64_t pn_seen;   /* bit i: packet number pn_next-1-i was read (a repeat is dropped) */
	/* A version we do not know whose first Initial opened under v1's or
	 * draft 29's keys (quic_feed): read as that one (0: none) */
	uint32_t alias, alias_keys;
};

/* Make q a fresh reader over the caller's buf (cap bytes; bytes beyond
 * QUIC_CRYPTO_MAX are not used) and map (cap/8+1 bytes, cleared here). The
 * caller owns both and keeps them while it uses q. Any thread. */
void quic_init_begin(struct quic_init *q, uint8_t *buf, uint8_t *map, size_t cap);

/* Feed one UDP datagram of the flow, client to server. Every Initial in it
 * is read (coalesced packets, RFC 9000 12.2), whatever its fixed bit
 * (RFC 9287 grease); other long-header packets are passed over by their
 * Length; a short-header packet ends it. More than
 * QUIC_MAX_PACKETS long-header packets: MALFORMED (too_many_packets). Returns the
 * status; once it is not QUIC_NEED_MORE it stays so, and further calls
 * return it without reading. No allocation (but the first call on a thread
 * opens that thread's two cipher handles); uses about 64 KiB of stack. */
enum quic_status quic_feed(struct quic_init *q, const uint8_t *udp_payload, size_t len);

enum quic_after {
	QUIC_AFTER_OK = 0,   /* nothing in the datagram differs from the hello read */
	QUIC_AFTER_OTHER,    /* an Initial not under the flow's keys: another connection, junk */
	QUIC_AFTER_CONFLICT, /* an Initial under them that a server reads otherwise */
};

/* For a reader in QUIC_DONE: one more client datagram, until the client's
 * first short-header packet (a UDP 5-tuple may carry a second connection).
 *
 * OK: every Initial in it opens under the flow's keys (the ones the hello was
 * read with, or the Retry keys it moved to) and its CRYPTO bytes agree with
 * buf[0..need) (no CRYPTO byte at or past need: a ClientHello is the only
 * message a client sends in Initials); a datagram with no Initial
 * (Handshake, 0-RTT, short header) is OK. A repeated packet number is
 * checked all the same (a duplicate agrees; a new connection on the same
 * DCID starts its numbers over).
 *
 * One exception to "the flow's keys": a Retry after the hello was whole
 * (the usual case: the server answers the client's first datagram). The
 * client then sends the same CRYPTO stream under keys of the Retry's
 * connection ID (RFC 9001 5.2); an Initial under the keys of its own DCID,
 * when the keys have not changed before, that passes every rule below and
 * carries at least one CRYPTO byte, all of them the hello's, moves the flow
 * to those keys (once, as quic_feed does) and is OK: a server reads the
 * same hello from it whichever connection it is.
 *
 * OTHER: an Initial in it does not open under those keys (another
 * connection, or junk), or is of another version; a long-header packet
 * whose header cannot be read (an unknown version: perhaps an Initial a
 * server reads and we cannot). The caller drops the datagram, which an
 * honest client never sends.
 *
 * Past the hello's end (need) a client sends one more message, only when the
 * server's HelloRetryRequest asks for it (RFC 8446 4.1.4): a second
 * ClientHello, which the Initial CRYPTO stream carries on from need (RFC
 * 9001 4.1.3). Its bytes are joined at buf[need..) (quic_hello2 tells when
 * it is whole); the caller must read it before it lets the datagram that
 * completes it go.
 *
 * CONFLICT: an Initial that opens carries CRYPTO bytes that differ from the
 * hello's or the second hello's, a second message that is no ClientHello
 * or does not fit buf, or bytes past the second hello's end; or is
 * otherwise refused by the rules
 * quic_feed applies (reserved bits, frames, packet number window, datagram
 * size, coalesced DCIDs); more than QUIC_MAX_PACKETS long-header packets; a
 * reader not in QUIC_DONE. The caller refuses the flow.
 *
 * Writes buf and map past need only (a second hello); updates the packet
 * number state, the keys (the Retry case) and the packets / bad_packets
 * counters. Bounded work (at most
 * QUIC_MAX_PACKETS packets, two decryptions and a key derivation each at
 * most), no allocation;
 * about 64 KiB of stack, as quic_feed. */
enum quic_after quic_feed_after(struct quic_init *q, const uint8_t *udp_payload, size_t len);

enum quic_hello2 {
	QUIC_HELLO2_NONE = 0, /* nothing joined from the first hello's end */
	QUIC_HELLO2_PART,     /* some of a second hello, not all */
	QUIC_HELLO2_WHOLE,    /* a second hello whole: *p, *n bytes (header included) */
};

/* After quic_feed_after: where a second ClientHello stands. Reads q only. */
enum quic_hello2 quic_hello2(const struct quic_init *q, const uint8_t **p, size_t *n);

/* The malformation reason (QUIC_R_none unless QUIC_MALFORMED). */
static inline enum quic_reason quic_reason(const struct quic_init *q)
{
	return (enum quic_reason)q->reason;
}

/* "conflict", ...: the reason's name for counters and logs; "?" when out of
 * range. Any thread. */
const char *quic_reason_name(unsigned reason);

/* Whether a UDP payload starts as a client's Initial could: a long header,
 * a nonzero version, and for v1 / draft-29 the type Initial (0b00), for v2
 * the type Initial (0b01), the fixed bit (0x40) either way (a client may
 * grease it, RFC 9287); for a version we do not know, any type with the
 * fixed bit set. The caller's test for "this UDP flow speaks QUIC", and
 * quic_feed's on a flow's first datagram (anything else: NOT_QUIC). Pure. */
bool quic_looks_initial(const uint8_t *p, size_t len);

/* Whether a client datagram holds a client Initial of a version we read
 * that authenticates under the keys of its own DCID (header protection
 * removed, AEAD tag good): among its coalesced long-header packets, walked
 * as quic_feed walks them (by their Length, at most QUIC_MAX_PACKETS, to
 * the first short header or unreadable header), the fixed bit a don't-care.
 * For a UDP flow whose reader is not running (decided before its first
 * Initial, or on another port): only the keys prove QUIC, so RTP or any
 * other protocol whose bytes look like a long header is never taken for
 * it. No other rule is applied (datagram size, reserved bits, frames): the
 * reader's, not this test's. A datagram without a long header of a version
 * we read costs a few compares; else at most QUIC_MAX_PACKETS key
 * derivations and decryptions. Stateless, no allocation (but the first
 * call on a thread opens its cipher handles, as quic_feed); about 64 KiB
 * of stack. Any thread.
 *
 * On a flow's first datagram it agrees with quic_feed on a fresh reader
 * wherever that walks the datagram (the first packet an Initial, of a
 * version we read): true exactly when the reader took keys (version set). */
bool quic_has_initial(const uint8_t *p, size_t len);

/* The client's Initial key, iv and header protection key for a version
 * (v1, v2, draft-29) and a Destination Connection ID (RFC 9001 5.2,
 * RFC 9369 3.3). false for another version. Any thread. */
bool quic_client_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint8_t key[16],
		      uint8_t iv[12], uint8_t hp[16]);

#endif
