/* flow.h - the per-worker flow table: an rte_hash on a symmetric 5-tuple key
 * plus a flat array of flow state indexed by the hash's key position.
 *
 * One table per worker, created on the main lcore, then used by that worker
 * only (no locks). Capacity is exact: the hash uses its extendable buckets,
 * so a table is full only when it holds `capacity` flows.
 */
#ifndef ADUANA_FLOW_H
#define ADUANA_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "conform.h"
#include "hs.h"
#include "parse.h"
#include "policy.h"

/* Symmetric key: side a is the (address, port) pair that sorts first, so
 * both directions of a flow give the same key. 40 bytes, no padding holes. */
struct flow_key {
	uint8_t l4proto; /* first: the per-packet timeout check reads it */
	uint8_t family;
	uint16_t vlan;
	uint16_t port_a;
	uint16_t port_b;
	uint8_t addr_a[16];
	uint8_t addr_b[16];
} __attribute__((aligned(8))); /* rte_hash_crc reads the key 8 bytes at a time */

/* TCP bits kept for timeouts only. */
enum flow_tcp_bits {
	FLOW_TCP_SYN = 1 << 0, /* a SYN without ACK opened the flow */
	FLOW_TCP_FIN_A = 1 << 1,
	FLOW_TCP_FIN_B = 1 << 2,
	FLOW_TCP_RST = 1 << 3,
	/* A segment with a good checksum came from that side (judge.c): from
	 * then on its bad ones are refused. A side whose every segment has a
	 * bad one was captured before its NIC's checksum offload. */
	FLOW_TCP_CSUM_INIT = 1 << 4,
	FLOW_TCP_CSUM_RESP = 1 << 5,
	/* Its SYN (INIT) or SYN-ACK (RESP) carried a TCP timestamp: with both,
	 * the receivers check them (PAWS, RFC 7323) and so do we. */
	FLOW_TCP_TS_INIT = 1 << 6,
	FLOW_TCP_TS_RESP = 1 << 7,
};

/* A UDP flow's use of the same byte (struct flow.tcp): its first datagram
 * was a QUIC Initial that aduana reads (judge.c, judge_quic). */
enum flow_udp_bits {
	FLOW_UDP_QUIC = 1 << 0,
};

/* Per-flow bits the judge reads on every packet. */
enum flow_flags {
	FLOW_F_LEARN = 1 << 0,	     /* a resolver flow: its answers may teach addresses */
	FLOW_F_INIT_ZONED = 1 << 1,  /* the initiator's address is in a zone */
	FLOW_F_RESP_ZONED = 1 << 2,  /* the responder's address is in a zone */
	FLOW_F_INIT_INSIDE = 1 << 3, /* the initiator's frames arrive on the inside port */
	FLOW_F_CONFORM = 1 << 4,     /* its endpoints declare applications: bytes are checked */
	FLOW_F_FIRST_OUT = 1 << 5,   /* the initiator's first payload was seen */
	FLOW_F_FIRST_IN = 1 << 6,    /* the responder's first payload was seen */
	FLOW_F_RESP_SEQ = 1 << 7,    /* seq_resp holds the responder's next sequence number */
};

/* struct flow.hw.flags */
enum flow_hw_flags {
	FLOW_HW_ON = 1 << 0,   /* read */
	FLOW_HW_SEEN = 1 << 1, /* its first payload was looked at */
	FLOW_HW_LOST = 1 << 2, /* a cut head's kept bytes were taken back: refused */
	FLOW_HW_OK = 1 << 3,   /* its first request line was whole and HTTP/1's */
	FLOW_HW_BODY = 1 << 4, /* body_to holds the end of a Content-Length body */
	FLOW_HW_TUNNEL = 1 << 5, /* its last head asked for an upgrade or a CONNECT */
	FLOW_HW_HEAD = 1 << 6,	 /* a head was read whole */
	FLOW_HW_LOG = 1 << 7,	 /* bytes read are in its request log (rlog.h): later copies compared */
};

/* struct flow_acks.aws */
enum flow_aws {
	FLOW_AWS_SHIFT = 0x0f, /* the responder's shift */
	FLOW_AWS_INIT = 0x10,  /* the initiator's SYN offered a scale */
	FLOW_AWS_RESP = 0x20,  /* the responder's SYN-ACK offered one */
	FLOW_AWS_SYN = 0x40,   /* the initiator's SYN was seen */
	FLOW_AWS_EDGE = 0x80,  /* edge[1] holds the responder's window's right edge, hi[1] its ACK */
};

/* Which hostname a flow carries (the flow log's sni / host / dns_query). */
enum flow_name_kind { FLOW_NAME_NONE = 0, FLOW_NAME_SNI, FLOW_NAME_HOST, FLOW_NAME_DNS };

#define FLOW_NAME_MAX	 64
#define FLOW_NO_CLS	 UINT32_MAX
#define FLOW_LEARNED_MAX 2

/* State of one flow. Written only by the owning worker. */
struct flow {
	/* What every packet of a decided flow touches, in the first 64 bytes
	 * (the array is cache-aligned and a flow is 4 cache lines). */
	uint64_t ts_last;   /* ns, packet time */
	uint64_t bytes_out; /* initiator -> responder, bytes on the wire */
	uint64_t bytes_in;
	uint32_t pkts_out;
	uint32_t pkts_in;
	uint32_t dropped_pkts;
	struct policy_decision decision;
	uint32_t cls_idx;  /* classifier state slot, FLOW_NO_CLS when none */
	uint8_t init_is_a; /* the initiator is side a of the key */
	uint8_t tcp;	   /* enum flow_tcp_bits */
	uint8_t flags;	   /* enum flow_flags */
	uint8_t in_use;
	uint8_t outbound;	 /* the inside side opened the flow */
	uint8_t cls;		 /* enum policy_class */
	int16_t zone;		 /* zone index, -1 = none */
	uint32_t policy_version; /* the snapshot that decided it (checked per packet) */
	struct flow_key key;	 /* from byte 56: l4proto in the first line too */
	/* The rest: flow start, classification results, the log's names. */
	uint64_t ts_start;
	uint64_t learned;  /* endpoints whose DNS-learned addresses hold the remote */
	uint32_t seq_next; /* TCP: the initiator's next sequence number, while undecided */
	/* Packets to the verdict, once decided; while undecided, the packets
	 * that carried new payload (the budget, classify_packets) */
	uint16_t pkts_to_verdict;
	uint16_t app_master; /* nDPI protocol ids, 0 = unknown */
	uint16_t app;
	uint8_t app_guessed;
	uint8_t name_kind;	  /* enum flow_name_kind */
	uint8_t n_learned;	  /* addresses it taught (the first FLOW_LEARNED_MAX kept) */
	char name[FLOW_NAME_MAX]; /* NUL-terminated, truncated */
	union {
		/* resolver flows over UDP (FLOW_F_LEARN) */
		uint8_t learned_addr[FLOW_LEARNED_MAX][16];
		/* TCP flows checked for their whole life (FLOW_F_CONFORM),
		 * resolver flows too (DNS over TCP, message by message) */
		struct conform conform;
		/* A TCP flow that is not checked whose initiator's first
		 * line is an HTTP/1 request line: every request head it sends
		 * is read, before the verdict and after (judge.c,
		 * judge_http_more). Zero in every other flow. Within the
		 * union's first 16 bytes: a pending flow's held segments
		 * count in conform.held (byte 17). */
		struct {
			uint32_t next;	  /* the next byte to read: read in order */
			uint32_t body_to; /* where the last head's body ends, while FLOW_HW_BODY */
			struct hs_chunk ch; /* a chunked body being read */
			uint16_t carry;	    /* the cut head kept (worker.h, worker_carry): index + 1 */
			uint8_t flags;	    /* FLOW_HW_* */
		} __attribute__((packed, aligned(2))) hw; /* the union's alignment stays 2 */
	};
	/* TCP: the highest TTL (hop limit) each side's accepted segments have
	 * carried, [0] initiator (judge_discardable). */
	uint8_t ttl_max[2];
	uint32_t gen;	   /* bumped each time the slot takes a new flow */
	uint32_t seq_resp; /* TCP: the responder's next sequence number (FLOW_F_RESP_SEQ) */
	union {
		/* TCP, per side ([0] initiator), once it sent a FIN: where its
		 * FIN ended its stream (FLOW_TCP_FIN_*) */
		uint32_t fin_seq[2];
		/* ... and before: the newest timestamp it sent in a segment we
		 * read (FLOW_TCP_TS_*; judge_discardable) */
		uint32_t ts_recent[2];
	};
	uint32_t stream_idx; /* first-bytes reassembly slot (stream.h), STREAM_NO_SLOT if none */
	/* The grant that allowed it (reason grant:<id>), kept after the grant
	 * ends so the record names its approval; 0 = none. */
	uint32_t grant_id;
	uint32_t grant_until; /* its end, seconds since the epoch */
	uint32_t grant_gen;   /* the grant table it was last found in */
} __attribute__((aligned(64)));

/* The seal of a TCP flow's first bytes (judge.c, judge_slot_seal): what its
 * first-bytes slot held when it closed, bytes [lo, lo + end[n - 1]) of the
 * initiator's stream, as n runs (run i ends at offset end[i]) at the edges
 * of the copies that brought them, each summed with the process's key
 * (hlog_sum). Kept for the flow's life: every later copy of a sealed byte
 * must hold whole runs that sum the same (judge_seal_check). n = 0: none. */
#define FLOW_SEAL_RUNS 4
struct flow_seal {
	uint32_t lo;
	uint32_t sum[FLOW_SEAL_RUNS];
	uint16_t end[FLOW_SEAL_RUNS];
	uint8_t n;
	uint8_t acked; /* its responder had acknowledged them all (judge.c, judge_slot_ack) */
	uint8_t last;  /* the last byte sealed (a keep-alive probe's, judge_seal_check) */
	/* its slot was taken back before its client showed it heard the
	 * acknowledgement of its hello (judge.c, judge_slot_heard): a part
	 * copy of acknowledged bytes is dropped with no exception */
	uint8_t unheard;
};

/* A checked TCP flow's acknowledgement bounds (judge.c, judge_discardable),
 * kept beside the flow array, one per slot, for want of room in struct
 * flow: [0] the initiator, [1] the responder. Written at the SYN-ACK and
 * by a checked flow's segments. Any TCP flow's seal after them. */
struct flow_acks {
	uint32_t start[2]; /* where each side's stream starts (after its SYN) */
	uint32_t hi[2];	   /* the newest ACK each side sent (at or after its receiver's snd_una) */
	union {
		/* The furthest right edge of each side's receive window that
		 * it advertised (ACK + window, scaled): no byte past it is
		 * taken (judge.c, judge_past_edge). From the responder's
		 * SYN-ACK on. */
		uint32_t edge[2];
		/* Before it, for a checked flow opened from inside: its
		 * initiator's newest SYN's number + 1 (judge.c,
		 * judge_synack_take) */
		uint32_t syn_last;
	};
	union {
		/* A checked TLS flow's header log (hlog.h) in the worker's
		 * pool: the index plus 1; 0: none yet; UINT32_MAX: none to be
		 * had (judge.c, judge_hlog) */
		uint32_t hlog;
		/* A read HTTP client's request log (rlog.h), never a checked
		 * flow: the index plus 1, 0: none (judge.c, judge_rlog) */
		uint32_t rlog;
	};
	/* TCP: its ports had a connection that ended for us (tomb.h): the
	 * initiator's bytes wait for the responder's SYN-ACK */
	uint8_t reopened : 1;
	/* TCP, undecided: its first payload takes a first-bytes slot
	 * (judge.c, judge_stream_open) */
	uint8_t want_slot : 1;
	/* TCP: picked up from the responder's segment (judge.c,
	 * judge_resumes_inside): the initiator's first segment must start at
	 * the next byte that segment acknowledged */
	uint8_t resumed : 1;
	/* TCP: the side whose RST closed it for us (FLOW_TCP_RST), 1 the
	 * responder (judge.c, judge_tcp_long) */
	uint8_t rst_resp : 1;
	/* TCP, undecided: segments of its unfinished ClientHello are held
	 * (judge.c, judge_wait_take) */
	uint8_t waits : 1;
	/* TCP, a zone that allows on exceptions: a SYN of its initiator
	 * came with data, which was dropped with the SYN (judge.c,
	 * judge_tcp_long): a SYN-ACK that acknowledges such data says that
	 * its responder read bytes we never passed */
	uint8_t syn_data : 1;
	/* TCP: the responder's SYN-ACK carried an MPTCP option (RFC 8684:
	 * it agreed to MP_CAPABLE), so MPTCP options may follow (judge.c,
	 * judge_tcp_opts_flow) */
	uint8_t mptcp : 1;
	/* TCP: the responder's SYN-ACK agreed to AccECN (RFC 9768), so its
	 * options may follow (judge.c, judge_tcp_opts_flow) */
	uint8_t accecn : 1;
	/* TCP, not checked: the window scales its handshake offered
	 * (FLOW_AWS_*), for a read HTTP client's server window (judge.c,
	 * judge_http_window) */
	uint8_t aws;
	/* While undecided: when its classification began (its first payload),
	 * or began again after it was parked (judge.c, judge_cls_park): its
	 * time budget counts from here. Packet time in units of 2^26 ns (67
	 * ms; it wraps after 73 minutes, past classify_seconds' 3600). */
	uint16_t cls_since;
	struct flow_seal seal;
} __attribute__((aligned(64)));
/* One to a cache line: what a packet reads of it is in one. */
_Static_assert(sizeof(struct flow_acks) == 64, "struct flow_acks is 64 bytes");

struct flow_table;

/* Create a table for `capacity` flows on NUMA socket `socket`. name must be
 * unique in the process. Main lcore, at start-up. NULL on failure. */
struct flow_table *flow_table_create(const char *name, uint32_t capacity, int socket);

/* Destroy a table. Accepts NULL. Main lcore, after the worker stopped. */
void flow_table_destroy(struct flow_table *ft);

/* Idle timeouts in seconds, indexed by enum policy_timeout. Owning worker or
 * before the worker starts. */
void flow_table_set_timeouts(struct flow_table *ft, const uint32_t timeouts[POLICY_TO_COUNT]);

/* Build the symmetric key of a parsed packet. *src_is_a tells whether the
 * packet's source is side a. Any thread. Inline: once per packet. */
static inline void flow_key_make(struct flow_key *k, const struct parse_result *r, bool *src_is_a)
{
	uint64_t s[2], d[2], s0, d0, s1, d1;
	bool a;

	/* memcmp's order of the two addresses, from two big-endian words
	 * each (no call, no byte loop): side a sorts first. */
	memcpy(s, r->src, 16);
	memcpy(d, r->dst, 16);
	s0 = rte_be_to_cpu_64(s[0]);
	d0 = rte_be_to_cpu_64(d[0]);
	s1 = rte_be_to_cpu_64(s[1]);
	d1 = rte_be_to_cpu_64(d[1]);
	a = s0 < d0 || (s0 == d0 && (s1 < d1 || (s1 == d1 && r->sport <= r->dport)));
	k->l4proto = r->l4proto;
	k->family = r->family;
	k->vlan = r->vlan;
	if (a) {
		memcpy(k->addr_a, s, 16);
		memcpy(k->addr_b, d, 16);
		k->port_a = r->sport;
		k->port_b = r->dport;
	} else {
		memcpy(k->addr_a, d, 16);
		memcpy(k->addr_b, s, 16);
		k->port_a = r->dport;
		k->port_b = r->sport;
	}
	*src_is_a = a;
}

/* Find a flow; NULL when absent. Owning worker. */
struct flow *flow_lookup(struct flow_table *ft, const struct flow_key *k);

/* Look up n (<= 64) keys at once; flows[i] is NULL when absent. Owning worker. */
void flow_lookup_bulk(struct flow_table *ft, const struct flow_key **keys, unsigned n,
		      struct flow **flows);

/* Add a flow (zeroed, key set, in_use = 1). NULL when the table is full.
 * Owning worker. */
struct flow *flow_insert(struct flow_table *ft, const struct flow_key *k);

/* End f's flow and start a new one of the same key in its place (zeroed,
 * key kept, in_use = 1, a new generation): what flow_remove and then
 * flow_insert of the key would give, without touching the hash. Owning
 * worker. */
struct flow *flow_renew(struct flow_table *ft, struct flow *f);

/* Remove a flow; its pointer is invalid afterwards. Owning worker. */
void flow_remove(struct flow_table *ft, struct flow *f);

/* True when f is what an outsider can create at will and so what a full
 * table gives up first: a dropped flow, a TCP flow whose SYN the
 * responder has not answered, or a flow opened from outside to an address
 * of no zone whose inside host has not answered (or answered with a RST). */
bool flow_is_evictable(const struct flow *f);

/* Note that f has become evictable (made half-open, or dropped). Cheap; the
 * candidates queue in order, so the oldest goes first. Owning worker. */
void flow_evictable(struct flow_table *ft, const struct flow *f);

/* The oldest flow that is still evictable, or NULL when there is none
 * (after looking at a bounded number of stale candidates). The caller logs
 * it and removes it. Owning worker. */
struct flow *flow_evict_candidate(struct flow_table *ft);

/* A function the expiry sweep calls on every live flow it visits that still
 * holds a classifier slot (cls_idx != FLOW_NO_CLS), with the sweep's arg:
 * where undecided flows that went quiet give up on time. Before the worker
 * starts. */
void flow_table_set_pending_cb(struct flow_table *ft, void (*cb)(struct flow *f, void *arg));

/* Idle timeout of this flow in ns, from its protocol, TCP state and verdict
 * (dropped and half-open flows get their own, short timeouts). */
uint64_t flow_timeout_ns(const struct flow_table *ft, const struct flow *f);

/* True when f has been idle past its timeout at time now (ns). */
bool flow_expired(const struct flow_table *ft, const struct flow *f, uint64_t now);

/* Every timeout is at least this long (flow_table_set_timeouts): a flow
 * seen more recently cannot have expired, whatever its kind. */
#define FLOW_MIN_TIMEOUT_NS 1000000000ull

/* flow_expired, with the common case (seen within the last second) inline. */
static inline bool flow_expired_fast(const struct flow_table *ft, const struct flow *f,
				     uint64_t now)
{
	if (now <= f->ts_last + FLOW_MIN_TIMEOUT_NS)
		return false;
	return flow_expired(ft, f, now);
}

typedef void (*flow_cb)(struct flow *f, void *arg);

/* Visit up to `budget` slots from where the last call stopped, and for each
 * expired flow call cb and then remove it. Returns the flows removed. Owning
 * worker, once per burst: the budget bounds the work. */
unsigned flow_expire_slice(struct flow_table *ft, uint64_t now, unsigned budget, flow_cb cb,
			   void *arg);

/* Call cb on every flow and then remove it (exit flush). Owning worker. */
unsigned flow_flush(struct flow_table *ft, flow_cb cb, void *arg);

/* The flow array and the acks array beside it (flow_acks[i] is slot i's):
 * a worker keeps both to find a flow's entry with a subtraction. Owning
 * worker. */
struct flow *flow_table_flows(struct flow_table *ft);
struct flow_acks *flow_table_acks(struct flow_table *ft);

/* Slots of the table (flow_at's range), and the flow in slot i, or NULL
 * when the slot is free. Owning worker (the open-flow dump, flowdump.c). */
uint32_t flow_slots(const struct flow_table *ft);
const struct flow *flow_at(const struct flow_table *ft, uint32_t i);

/* Flows in the table, and its capacity. */
uint32_t flow_count(const struct flow_table *ft);
uint32_t flow_capacity(const struct flow_table *ft);

/* Bytes of memory the table holds (hash + flow array), for the benchmarks. */
uint64_t flow_table_memory(const struct flow_table *ft);

#endif
