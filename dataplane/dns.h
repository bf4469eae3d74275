/* dns.h - what DNS learning needs of a resolver flow: the queries a zone
 * host sent, and the answers that may teach endpoint addresses (DESIGN 4.1).
 *
 * An answer teaches only when it answers a query that the same flow sent
 * (transaction ID, name, type and class), and only its records whose owner
 * is the question name or is reached from it through the answer's own CNAME
 * chain. Everything else is refused with a reason. Pure C over the DNS
 * message (the UDP payload, or a TCP message without its length prefix);
 * never reads past n. Any thread; the pending-query table belongs to one.
 */
#ifndef ADUANA_DNS_H
#define ADUANA_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_ANSWERS 32 /* addresses one answer teaches; more are ignored */
#define DNS_NAME_MAX	256	       /* a presentation name of at most 253 characters, NUL */
#define DNS_CHAIN_MAX	8	       /* names in one CNAME chain, the question's included */
#define DNS_PENDING	256	       /* outstanding queries per worker (64 before the thirty-sixth session) */
/* ... of which one inside source (an address, an IPv6 /64) holds at most
 * these: answered entries never give way (dns_pending_add), so one host's
 * queries held every entry for 10 s and another host's query was refused
 * (red team round 45, rt45_dns_busy_ok) */
#define DNS_PENDING_SHARE 16
#define DNS_PENDING_NS	10000000000ull /* a query waits 10 s for its answer */

#define DNS_TYPE_A     1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA  28
#define DNS_CLASS_IN   1

/* Why an answer taught nothing: the counters' names (dns_bad_<reason>). */
#define DNS_REASONS(X)                                                                             \
	X(format)      /* not a well-formed message, name or record */                             \
	X(rcode)       /* an error answer (NXDOMAIN, SERVFAIL, ...) or a truncated one */          \
	X(unsolicited) /* no query of this flow is waiting */                                      \
	X(id)	       /* queries wait, but none with this transaction ID */                       \
	X(question)    /* the ID matches, the question (name, type, class) does not */             \
	X(offchain)    /* an address record off the question's CNAME chain, or of another type */  \
	X(tcp_split)   /* a TCP message not whole in one segment */                                \
	X(wrong_side)  /* an answer from the inside, or a query from the outside */                \
	X(duplicate)   /* the same answer again for a query answered already */                   \
	X(conflict)    /* another answer for a query answered already: what both taught is revoked */ \
	X(unvetted)    /* a query the resolver may never get (TTL under 32, bad checksum) */      \
	X(busy)	       /* a query not remembered: every entry holds one answered in 10 s */         \
	X(behind)      /* over TCP, the resolver's own copy of an answer that taught may be still to come (bytes before it sent again, a part of it, a probe behind it): taken back */

enum dns_reason {
	DNS_OK = 0,
#define X(n) DNS_R_##n,
	DNS_REASONS(X)
#undef X
		DNS_R_COUNT
};

struct dns_answer {
	uint8_t addr[16]; /* IPv4-mapped for A records */
	uint32_t ttl;
};

struct dns_question {
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	char name[DNS_NAME_MAX]; /* lower case, no trailing dot */
};

/* Parse a standard query (QR 0, opcode 0, one question) into q. Names with
 * bytes no hostname has are refused. Returns 0 or -EINVAL. */
int dns_parse_query(const uint8_t *p, size_t n, struct dns_question *q);

/* A query (whole, n bytes) that a resolver answers only with an error it
 * may leave out: TC or Z set, or more than one additional record (Unbound
 * answers such a query FORMERR, rate-limited; red team round 46), or one
 * shorter than a header. */
bool dns_query_err_only(const uint8_t *p, size_t n);

/* Parse an answer (QR 1, opcode 0, RCODE 0, TC 0, one question): its own
 * question into q and, into out, the A records (for an A question) or AAAA
 * records (for AAAA) whose owner is on the question's CNAME chain. Any
 * address record off the chain or of the other type refuses the whole
 * answer. Returns the number of addresses (0 and more), or -EINVAL with
 * *why set. */
int dns_parse_answer(const uint8_t *p, size_t n, struct dns_question *q, struct dns_answer *out,
		     unsigned max, enum dns_reason *why);

/* The wire format of a whole message, as a resolver parses it (RFC 1035
 * 4.1): the applications' checks of a flow held to DNS (policy.c, each UDP
 * datagram; conform.c, each TCP message). The header is a standard query
 * (QR 0 from the client) or its answer (QR 1), opcode 0, one question;
 * then exactly the counted questions and records, each whole inside the
 * message, and nothing after them. A name is labels of 1 to 63 bytes
 * (types 0x40 and 0x80 refused) and at most one compression pointer,
 * strictly before the name's own start and past the header. Any byte may
 * stand in a label, and RDATA is not read: a DNS tunnel that speaks the
 * wire format passes; a DNS header followed by anything else does not. */
#define DNS_WIRE_QUERY 0x01 /* from the client: QR 0 */
#define DNS_WIRE_NOQ	0x02 /* an answer may have no question (a zone transfer's later ones) */

enum dns_wire {
	DNS_WIRE_OK = 0,
	DNS_WIRE_LENGTH,   /* shorter than a header */
	DNS_WIRE_HEADER,   /* QR, opcode or the question count as above they are not */
	DNS_WIRE_NAME,	   /* a label over 63 or of type 0x40/0x80, a bad pointer, over 255 */
	DNS_WIRE_RECORD,   /* a question or record that the message's end cuts, counts that
			    * cannot fit in it, or in a client's standard query a record no
			    * stub puts there (dns.c, dns_stdq_type_ok) */
	DNS_WIRE_TRAILING, /* bytes after the last question or record counted */
};

/* Check one whole message of n bytes (a UDP payload). Names are followed
 * through their pointers: each points strictly before every byte of the
 * name read so far (no loop can form), at most DNS_WIRE_HOPS times, and
 * the whole name has at most 255 bytes. Bounded work: O(n) names, each
 * at most 127 labels and DNS_WIRE_HOPS pointers. */
#define DNS_WIRE_HOPS 32
enum dns_wire dns_wire_check(const uint8_t *p, size_t n, unsigned flags);

/* The same over a stream of messages, each after its 2-byte length (TCP,
 * RFC 1035 4.2.2), fed in runs cut anywhere: 8 bytes of state per
 * direction, no copy of the message. What a stream cannot see it does
 * not check: a pointer is not followed (its target lies behind, in bytes
 * gone), so only its first hop is checked, and a name's length only up
 * to its pointer. All zero between messages (and to start). */
struct dns_wire_stream {
	uint16_t left; /* bytes of the current message still to come */
	uint16_t len;  /* its length */
	uint16_t rrs;  /* records still to come, and the stage (dns.c) */
	uint16_t x;    /* the stage's own (dns.c) */
};

/* Feed n bytes. Returns DNS_WIRE_OK or the first breach; after one the
 * state is undefined. */
enum dns_wire dns_wire_feed(struct dns_wire_stream *s, unsigned flags, const uint8_t *p, size_t n);

/* dns_wire_feed, telling mark(arg, off, len) of the runs of p whose bytes
 * its reading depends on: every byte but the data of records passed over
 * unread (an answer's, an OPT's first DNS_STDQ_RDATA bytes, a TKEY's
 * token); the zeros of a padded OPT are read. In order; adjacent runs may
 * come apart. Runs after a breach are not told. */
enum dns_wire dns_wire_feed_marked(struct dns_wire_stream *s, unsigned flags, const uint8_t *p,
				   size_t n, void (*mark)(void *arg, size_t off, size_t len),
				   void *arg);

/* Queries waiting for their answers, on one worker. */
/* An answered query is kept this long: a second answer that differs (a
 * forged one raced the resolver's: red team round 21, dns_forged_learn)
 * takes back what either taught. */
#define DNS_ANSWERED_NS 10000000000ull

struct dns_pending_entry {
	uint64_t flow;	  /* the flow's identity: slot address ^ generation */
	uint64_t expires; /* ns; 0 = free */
	struct dns_question q;
	uint32_t src;	  /* its sender's source bucket + 1 (0: not counted) */
	uint8_t answered; /* its first answer came: addr holds what it taught */
	uint8_t error;	  /* ... and it was an error (RCODE, TC): it taught nothing */
	uint8_t n_addr;
	uint8_t addr[DNS_MAX_ANSWERS][16];
};

struct dns_pending {
	struct dns_pending_entry e[DNS_PENDING];
	unsigned next; /* the entry the next add may overwrite when all are busy */
};

/* Empty the table. Before its worker starts. */
void dns_pending_init(struct dns_pending *t);

/* Remember that flow sent q at time now (ns). When all entries are busy,
 * the next one still waiting for its answer is forgotten; an answered one
 * never is (false: q is not remembered). Owning worker. */
bool dns_pending_add(struct dns_pending *t, uint64_t flow, const struct dns_question *q,
		     uint64_t now);

/* The same, for a query from source bucket src (its address, or its
 * IPv6 /64: the caller's keyed hash; 0: not counted): a source that holds
 * DNS_PENDING_SHARE live entries has no new query remembered (false),
 * whatever room the table has. */
bool dns_pending_add_src(struct dns_pending *t, uint64_t flow, uint32_t src,
			 const struct dns_question *q, uint64_t now);

/* Take the query of flow that answer a (its own question) answers, with
 * its n addresses ans (n < 0: an error or truncated answer). The first
 * answer: DNS_OK, and the entry keeps its addresses for DNS_ANSWERED_NS, so
 * that one query teaches once. A later one: DNS_R_duplicate when it gives
 * the same addresses, else DNS_R_conflict with *first set to the entry
 * (its n_addr addresses are what the first answer taught: the caller takes
 * them back, and the later answer's too); an error answer after an
 * address one is a conflict too. Else DNS_R_unsolicited, DNS_R_id or
 * DNS_R_question. Owning worker. */
enum dns_reason dns_pending_take(struct dns_pending *t, uint64_t flow, const struct dns_question *a,
				 const struct dns_answer *ans, int n, uint64_t now,
				 const struct dns_pending_entry **first);

/* Whether flow's query for question a (its ID, name, type and class) was
 * answered within DNS_ANSWERED_NS. Reads t only. Owning worker. */
bool dns_pending_answered(const struct dns_pending *t, uint64_t flow, const struct dns_question *a,
			  uint64_t now);

/* Whether any query of flow was answered within DNS_ANSWERED_NS. Reads t
 * only. Owning worker. */
bool dns_pending_flow_answered(const struct dns_pending *t, uint64_t flow, uint64_t now);

/* Every query of flow answered within DNS_ANSWERED_NS: fn(arg, addr) for
 * each address its first answer taught, and from then on it counts as
 * answered with an error (a later address answer conflicts). Returns how
 * many. Owning worker. */
unsigned dns_pending_revoke_flow(struct dns_pending *t, uint64_t flow, uint64_t now,
				 void (*fn)(void *arg, const uint8_t addr[16]), void *arg);

/* Answers over TCP joined across segments (DESIGN 4.1). A resolver's
 * answer over TCP comes cut by its MSS when it is big, and TCP is where a
 * stub asks again after a truncated (TC) answer over UDP, exactly for the
 * big ones (a DNSSEC-signed RRset: red team round 45,
 * rt45_dns_tc_tcp_learn_ok); before the thirty-seventh session such an
 * answer taught nothing. A flow's responder stream is walked message by
 * message (each after its 2-byte length, RFC 1035 4.2.2), from segments
 * that bring its next byte only; a message that a segment does not hold
 * whole is copied into an entry until it is. The entry then keeps the
 * message, so that a later copy of any of its bytes (a retransmission; or,
 * after a forged first copy, the resolver's own) is compared with it. */
#define DNS_ASM_N   16	 /* messages being joined (or kept), per worker */
#define DNS_ASM_MAX 8192 /* the longest message joined, its length included; a longer
			  * one is walked over and teaches nothing */
#define DNS_ASM_NS  DNS_ANSWERED_NS /* a message's later copies compared this long */

struct dns_asm_entry {
	uint64_t flow;	/* the flow's identity, as dns_pending's; 0: free */
	uint64_t used;	/* ns of its last segment: the oldest entry gives way */
	uint32_t seq0;	/* the sequence number of its length's first byte */
	uint32_t need;	/* its bytes with the length (0 while the length is not whole) */
	uint32_t have;	/* its bytes seen; buf holds the first DNS_ASM_MAX of them */
	uint8_t done;	/* 0 being joined, else DNS_ASM_KEPT or DNS_ASM_TAUGHT */
	uint8_t buf[DNS_ASM_MAX];
};

struct dns_asm {
	struct dns_asm_entry e[DNS_ASM_N];
};

/* struct dns_asm_entry.done: a whole message kept for comparing its later
 * copies; one that taught (DNS_ASM_TAUGHT) is also the mark that its
 * resolver's own copy may still be to come (dns_asm_behind). */
#define DNS_ASM_KEPT   1
#define DNS_ASM_TAUGHT 2

/* What dns_asm_feed saw of a segment, besides its whole messages. */
#define DNS_ASM_LOST  0x01 /* where the segment's messages begin is not known: no message of
			    * the flow being joined ends where it starts, nor does one begin
			    * there, or one is being joined where one begins */
#define DNS_ASM_LONG  0x02 /* a message longer than DNS_ASM_MAX ended in it */
#define DNS_ASM_EVICT 0x04 /* another flow's message being joined gave way */
#define DNS_ASM_OPEN  0x08 /* a message of the flow is left being joined */

/* A segment of flow's responder stream that brings its next byte: seq, its
 * n bytes p; at: a message starts at its first byte (the caller knows it
 * from a reader of the whole stream, conform.c). Calls msg(arg, m, len,
 * mseq) for each message it completes or holds whole (without its length;
 * mseq: its length's first byte), in order; one it joined is kept, marked
 * DNS_ASM_TAUGHT when msg answers so. Returns DNS_ASM_* flags; after
 * DNS_ASM_LOST nothing was read. */
unsigned dns_asm_feed(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p, size_t n,
		      bool at, uint64_t now,
		      int (*msg)(void *arg, const uint8_t *m, size_t len, uint32_t mseq), void *arg);

/* Keep a message read whole elsewhere (its n bytes p with its length, from
 * sequence number seq), for comparing later copies (dns_asm_copy); taught:
 * it taught (DNS_ASM_TAUGHT). */
void dns_asm_keep(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p, size_t n,
		  uint64_t now, bool taught);

/* Whether a segment of flow's resolver (seq, n bytes, not at its next
 * byte; n may be 0), compared already (dns_asm_copy: not DNS_ASM_DIFF),
 * says that the resolver's own copy of a message that taught may still be
 * to come: it lies wholly before the message (bytes sent again: its client
 * did not acknowledge them), holds a part of it that stops short of its
 * end (the rest held back by its client's window; a copy of its tail, sent
 * again after a loss, does not), or, bare, stands before the
 * message's last byte (its next byte, or its window probe, behind the
 * message). A bare segment at the last byte (a keep-alive probe) does not. */
bool dns_asm_behind(const struct dns_asm *t, uint64_t flow, uint32_t seq, size_t n, uint64_t now);

/* A later copy (not at the stream's next byte) of flow's bytes, compared
 * with the message its entry holds, joined or being joined. *past: when
 * the copy starts inside a message kept whole, its bytes up to that
 * message's end (where the next one starts), else 0. */
enum dns_asm_copy {
	DNS_ASM_NONE = 0, /* it shares no byte with what the entry holds */
	DNS_ASM_SAME,	  /* every byte it has lies there, the same */
	DNS_ASM_PART,	  /* the bytes it shares are the same, others lie outside */
	DNS_ASM_DIFF,	  /* a byte differs: the entry is dropped */
};
enum dns_asm_copy dns_asm_copy(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p,
			       size_t n, uint64_t now, size_t *past);

/* Forget flow's entry (its flow left, or was refused). */
void dns_asm_forget(struct dns_asm *t, uint64_t flow);

/* Name of a reason ("offchain"), or NULL. */
const char *dns_reason_name(unsigned r);

#endif
