/* conform.h - lifelong conformance of a flow that an endpoint allowed for
 * the applications it declares (DESIGN 4.2): TLS record framing in both
 * directions for the flow's whole life, SMTP held to command lines,
 * content and chunks one way and reply lines the other, then TLS after
 * STARTTLS, and DNS over TCP, message by message. Fed the in-order
 * bytes of each direction; says when the stream stops being what the
 * verdict was about.
 *
 * Pure C over byte runs, 21 bytes of state (and 15 that judge.c keeps
 * here, 4 of them in SMTP's place once the flow speaks TLS or DNS), no
 * allocation. The owning worker.
 */
#ifndef ADUANA_CONFORM_H
#define ADUANA_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

#define CONFORM_REASONS(X)                                                                         \
	X(tls_type)	 /* a record type TLS does not have (or heartbeat) */                      \
	X(tls_version)	 /* a record version that is not 3.1 .. 3.4 */                             \
	X(tls_length)	 /* a record of 0 bytes or over 2^14 + 2048 */                             \
	X(tls_rehello)	 /* a plaintext Client/ServerHello after application data */               \
	X(not_tls)	 /* the first bytes of a TLS flow are no TLS record */                     \
	X(smtp_pipeline) /* bytes after STARTTLS before the server's answer */                     \
	X(smtp_greeting) /* the server of an SMTP flow does not greet with a reply code */         \
	X(smtp_line)	 /* an SMTP command line with a byte no line has, or too long */           \
	X(smtp_reply)	 /* an SMTP server line that is no reply (a code, then ' ', '-' or end) */ \
	X(smtp_bdat)	 /* a BDAT line whose size or LAST a server could read otherwise */        \
	X(smtp_dot)	 /* a dot next to a bare CR in content: an end of data to some servers */ \
	X(dns_length)	 /* a DNS message (over TCP) shorter than a DNS header */                  \
	X(dns_header)	 /* a DNS message that is no standard query (or answer) of one question */ \
	X(dns_name)	 /* a label over 63 or of another type, a bad pointer, a query name byte not printable */ \
	X(dns_record)	 /* a question or record cut by its message's end, or counts past it */   \
	X(dns_trailing)	 /* bytes in a DNS message after the records its header counts */

enum conform_reason {
	CONFORM_OK = 0,
#define X(n) CONFORM_R_##n,
	CONFORM_REASONS(X)
#undef X
		CONFORM_R_COUNT
};

enum conform_mode {
	CONFORM_UNSET = 0, /* no byte yet: the first ones choose */
	CONFORM_TLS,	   /* TLS records both ways */
	CONFORM_SMTP,	   /* SMTP lines until STARTTLS and the server's 220 */
	CONFORM_OFF,	   /* an application without a check of its own */
	CONFORM_DNS,	   /* DNS messages both ways, each after its 2-byte length */
};

#define CONFORM_D_APPDATA   0x01 /* this direction sent application data */
#define CONFORM_D_CHECKBODY 0x02 /* the current record's first bytes must be looked at */
#define CONFORM_D_SEEN	    0x04 /* this direction sent a byte */
/* a hello is known by its type and a length a server takes alone, any
 * version (conform_no_rehello) */
#define CONFORM_D_ANYHELLO 0x08

/* In CONFORM_DNS the same 8 bytes are the DNS stream's (dns.h): the
 * message being read, parsed as it streams past, all zero between
 * messages. */
struct conform_dir {
	union {
		struct {
			uint16_t left;	  /* bytes of the current record's body still to come */
			uint8_t hdr_have; /* bytes of a record header seen (0..4) */
			uint8_t hdr[4];
			uint8_t flags; /* CONFORM_D_* */
		};
		struct dns_wire_stream dns; /* CONFORM_DNS */
	};
};

struct conform {
	struct conform_dir d[2]; /* [0] initiator -> responder, [1] back */
	uint8_t mode;		 /* enum conform_mode */
	uint8_t held;		 /* segments of the flow held past a gap (judge.c) */
	union {
		/* CONFORM_UNSET and CONFORM_SMTP */
		struct {
			uint8_t smtp;	    /* SMTP state (conform.c) */
			uint8_t match;	    /* a client line's start against STARTTLS, DATA, BDAT */
			uint8_t bol;	    /* bit per direction: at the start of a line; flags */
			uint8_t unanswered; /* SMTP commands sent and not answered yet */
		};
		/* CONFORM_TLS and CONFORM_DNS (zeroed when the mode becomes
		 * one of them): the largest
		 * window field each side has sent in a segment its receiver
		 * surely applied, unscaled; a lower bound of the receiver's
		 * max_window, which bounds how old an ACK it accepts
		 * (judge.c, judge_ack_old) */
		uint16_t wmax[2];
	};
	uint8_t l2dst[2][4]; /* each side's frames' destination MAC, keyed hash (judge.c) */
	/* Window scale (RFC 7323 2.3) each side's SYN offered, judge.c:
	 * CONFORM_WS_* flags and the smallest shift seen per side */
	uint8_t ws_flags;
	uint8_t ws_shift; /* low nibble initiator, high nibble responder */
};

#define CONFORM_WS_INIT	  0x01 /* a SYN of the initiator was seen */
#define CONFORM_WS_RESP	  0x02 /* a SYN-ACK of the responder was seen */
#define CONFORM_WS_ABSENT 0x04 /* one of them had no window scale option */
/* The newest segment of the initiator (ZERO_INIT) or the responder
 * (ZERO_RESP) advertised a window of 0 (judge.c, judge_zero_window). */
#define CONFORM_WS_ZERO_INIT 0x08
#define CONFORM_WS_ZERO_RESP 0x10

/* Start a flow's state; tls_only: the endpoint declares TLS-only
 * applications (TLS, SMTPS, IMAPS, POPS), so both directions must be TLS
 * from byte 0. */
void conform_init(struct conform *c, bool tls_only);

/* The endpoint declares SMTP: a client that speaks before the server's
 * greeting is still checked as SMTP (not left unchecked). */
void conform_declare_smtp(struct conform *c);

/* The endpoint declares DNS, and the flow runs over TCP: its bytes are DNS
 * messages, each after its length (RFC 1035 4.2.2, RFC 7766), both ways, for
 * its whole life. dns_only: the endpoint declares nothing else, so from
 * byte 0. */
void conform_declare_dns(struct conform *c, bool dns_only);

/* The flow's bytes are DNS messages (conform_declare_dns): from byte 0, or
 * from its first bytes, which chose DNS, or will. */
bool conform_is_dns(const struct conform *c);
/* Whether a client's first bytes, b0 their first, make an undecided flow
 * SMTP (conform_feed_marked: an early talker to an endpoint that declares
 * SMTP and not DNS, whose first byte is no TLS record's). */
bool conform_early_smtp(const struct conform *c, uint8_t b0);

/* Whether judge.c keeps window bounds in c (wmax): TLS and DNS. */
static inline bool conform_has_wmax(const struct conform *c)
{
	return c->mode == CONFORM_TLS || c->mode == CONFORM_DNS;
}

/* Feed n in-order bytes of one direction. Returns CONFORM_OK or the first
 * breach; after a breach the state is undefined (the flow is dropped). */
enum conform_reason conform_feed(struct conform *c, bool from_init, const uint8_t *p, size_t n);

/* The bytes a TLS direction's reading depends on: each record header (5
 * bytes; one cut by the end of a run is marked in two parts, each with its
 * run) and the first body byte of a handshake record after application
 * data (CONFORM_D_CHECKBODY). Every other byte is passed over whatever it
 * holds. judge.c keeps them, to compare with any later copy of the same
 * bytes (docs/stream.md, "The header log"). mark() gets the offset in the
 * run, the bytes and their count; it is called before the bytes are
 * checked, and a run that breaches may have marked bytes past the breach. */
struct conform_marks {
	void (*mark)(void *arg, uint32_t off, const uint8_t *b, unsigned len);
	void *arg;
};

/* conform_feed, with mk told of the bytes above (TLS), or of a DNS
 * direction's bytes but the data of records read past unread
 * (dns_wire_feed_marked: over TCP a DNS message's structure, its names
 * and fixed parts, depends on nearly every byte); NULL: none. */
enum conform_reason conform_feed_marked(struct conform *c, bool from_init, const uint8_t *p,
					size_t n, const struct conform_marks *mk);

/* True when the next n in-order bytes of one direction lie wholly inside
 * the body of the current TLS record and none of them is looked at: they
 * move no record boundary and no check reads them, whatever they hold. Not
 * so for the first six bytes of a handshake record after application data
 * (they must not start a plaintext hello, CONFORM_D_CHECKBODY): skipped unread,
 * or taken from a copy the receiver discards, it would leave the check
 * blind to the byte the receiver reads. */
static inline __attribute__((always_inline)) bool conform_in_body(const struct conform *c,
								  bool from_init, uint32_t n)
{
	const struct conform_dir *d = &c->d[from_init ? 0 : 1];

	return c->mode == CONFORM_TLS && d->hdr_have == 0 && d->left >= n &&
	       !(d->flags & CONFORM_D_CHECKBODY);
}

/* Pass over n bytes that lie wholly inside the current record's body
 * (conform_in_body true): their content moves no boundary, so a segment
 * past a gap inside one record needs no order. */
static inline __attribute__((always_inline)) void conform_skip_body(struct conform *c,
								    bool from_init, uint32_t n)
{
	struct conform_dir *d = &c->d[from_init ? 0 : 1];

	d->left = (uint16_t)(d->left - n);
}

#define CONFORM_TLS_MAX (16384 + 2048) /* TLSCiphertext.length at most (RFC 5246) */

/* The common segment of a checked TLS direction that touches a record
 * header: the rest of the current record's body, then one whole header of
 * an application-data record whose body runs to the segment's end or past
 * it. Read in a few compares, with conform_feed's result and state; false,
 * touching nothing, for any other segment (conform_feed reads those). */
static inline bool conform_next_appdata(struct conform *c, bool from_init, const uint8_t *p,
					uint32_t n)
{
	struct conform_dir *d = &c->d[from_init ? 0 : 1];
	uint32_t l = d->left, len;
	const uint8_t *h;

	if (c->mode != CONFORM_TLS || d->hdr_have ||
	    (d->flags & (CONFORM_D_CHECKBODY | CONFORM_D_SEEN)) != CONFORM_D_SEEN || l + 5 > n)
		return false;
	h = p + l; /* within the run: l + 5 <= n */
	if (h[0] != 23 || h[1] != 3 || h[2] < 1 || h[2] > 4)
		return false;
	len = (uint32_t)h[3] << 8 | h[4];
	if (len > CONFORM_TLS_MAX || l + 5 + len < n)
		return false;
	memcpy(d->hdr, h, 4);
	d->left = (uint16_t)(len - (n - l - 5));
	/* a client's before the server sent a byte is early data (conform.c) */
	if (!from_init || (c->d[1].flags & CONFORM_D_SEEN))
		d->flags |= CONFORM_D_APPDATA;
	return true;
}

/* From here, a plaintext hello from that direction is a second handshake
 * (CONFORM_R_tls_rehello), as after its application data: judge.c, where
 * a checked flow's walk of the client's records after the server's answer
 * ends at its first-bytes slot's end, unread (judge_hello_tail). Read as
 * that walk reads one: its type and a length under 192 KiB, whatever its
 * version (OpenSSL takes any legacy_version above 3.0 where
 * supported_versions is offered: red team round 38,
 * rt38_v304_slot_end_e2m, a second hello of version 3.4). */
static inline void conform_no_rehello(struct conform *c, bool from_init)
{
	if (c->mode == CONFORM_TLS)
		c->d[from_init ? 0 : 1].flags |= CONFORM_D_APPDATA | CONFORM_D_ANYHELLO;
}

/* Name of a reason ("tls_type"), or NULL. */
const char *conform_reason_name(unsigned r);

#endif
