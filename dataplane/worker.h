/* worker.h - the worker lcores' shared state. A worker processes bursts to
 * completion: parse, flow lookup, first-packet policy, classification of
 * undecided flows, verdict, counters, and flow records to its ring.
 *
 * Two files share the work. io.c (worker_main, the poll loops) decides how
 * packets reach a worker and leave it: with symmetric RSS, worker i owns
 * RX/TX queue i of both ports; without it (virtual devices), worker 0 owns
 * the ports' single queues and dispatches by a symmetric hash to the others
 * through SPSC rings; replay merges the two ports back into capture order.
 * judge.c judges packets, with the port a frame arrived on as a constant
 * argument (DESIGN 4.1). docs/dispatch.md.
 */
#ifndef ADUANA_WORKER_H
#define ADUANA_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dns.h"
#include "flow.h"
#include "flowdump.h"
#include "frag.h"
#include "h2.h"
#include "hlog.h"
#include "rlog.h"
#include "stats.h"
#include "stream.h"
#include "tomb.h"

#define WORKER_MAX   16
#define WORKER_BURST 32

struct rte_ring;
struct rte_rcu_qsbr;
struct flow_table;
struct cls_engine;
struct cls_worker;
struct policy;
struct policy_grants;
struct learn_table;
struct rte_mbuf;
struct parse_result;

enum worker_mode {
	WORKER_RSS = 0,	 /* one queue pair per worker on each port */
	WORKER_DISPATCH, /* worker 0 owns the ports and dispatches */
};

/* What all workers share; set up by main before launch, read-only after
 * except `policy` (swapped by the main lcore, RCU) and the stop flags. */
struct dp {
	uint16_t port_in;  /* inside port id */
	uint16_t port_out; /* outside port id */
	int32_t port_drop; /* replay --drop-pcap: dropped packets go here, or -1 */
	uint8_t mode;	   /* enum worker_mode */
	bool replay;	   /* time from packet timestamps, lossless rings */
	bool stages;	   /* --stage-cycles: the loops that stamp each stage (io.c) */
	uint64_t stage_stamp_cycles; /* what one stamp costs, measured at start */
	unsigned n_workers;
	int ts_off;	  /* mbuf timestamp dynfield offset (replay) */
	uint64_t ts_flag; /* its ol_flags bit */
	uint64_t tsc_hz;
	/* Live clock: the wall clock at tsc_base, re-anchored by the main
	 * lcore every second (worker_clock_anchor) so that flow times, DNS
	 * TTLs and grant expiry do not drift with the TSC over months. A
	 * sequence count guards the three fields: odd while being written. */
	uint32_t clk_seq;
	uint64_t ns_per_cycle; /* 32.32 fixed point */
	uint64_t epoch_ns;
	uint64_t tsc_base;
	const struct cls_engine *cls;
	struct learn_table **learn; /* every worker's learned addresses (learn.h) */
	bool learn_on;		    /* the policy has endpoints with hostnames */
	struct policy *policy;	    /* current snapshot; read with an acquire load */
	/* The live grants (grant.h), published apart from the snapshot by the
	 * main lcore (dataplane/grant.c), the same way; NULL when none. */
	struct policy_grants *grants;
	/* Bumped (atomic) when a worker took learned addresses back (two
	 * answers that differ: judge_learn): each worker then judges again
	 * the flows it allowed through learned addresses (judge_relearn). */
	uint32_t learn_gen;
	/* Global addresses seen sending neighbour discovery on the outside
	 * port with a hop limit of 255: on the link (judge.c, judge_nd_ok).
	 * Any worker writes (a slot taken round-robin) and reads: a torn
	 * entry only fails to match. */
	uint8_t nd_onlink[64][16];
	uint32_t nd_onlink_next;
	/* MACs announced on the outside port by a gratuitous ARP or an
	 * unsolicited neighbour advertisement (a gateway's address moved to
	 * another MAC: judge.c, judge_l2_note), as the keyed hash a frame to
	 * that MAC carries (judge_l2_dst). Same sharing as nd_onlink. */
	uint32_t l2_moved[16];
	uint32_t l2_moved_next;
	struct rte_rcu_qsbr *qsbr;
	volatile bool stop;	/* live: leave the loop now */
	volatile unsigned done; /* replay: workers finished (flush included) */
	volatile bool eof;	/* replay: worker 0 saw the end of both inputs */
};

/* Segments of checked TCP flows held past a gap (judge.c, DESIGN 4.2):
 * per worker, per flow, and for how long (packet or wall time). */
#define WORKER_HOLD_SLOTS    64
#define WORKER_HOLD_PER_FLOW 16
#define WORKER_HOLD_NS	     1000000000ull
/* ... of which an unchecked flow's responder segments before its verdict
 * (judge.c, "early" holds) take at most these, per worker and per flow, and
 * only within this many bytes of its next byte: any server an office client
 * reaches sends them, and they must not take the slots that hellos and
 * checked flows need (red team round 29, rt29_srv_hold_pin_anydesk). */
#define WORKER_HOLD_EARLY	   16
#define WORKER_HOLD_EARLY_PER_FLOW 4
#define WORKER_HOLD_EARLY_AHEAD	   65536

struct worker_hold {
	struct rte_mbuf *m; /* NULL: a free slot */
	struct flow *f;
	uint32_t gen; /* f->gen when held: the flow is gone when it differs */
	uint32_t seq;
	uint64_t ts; /* w->now when held */
	struct parse_result r;
	uint8_t dir;	/* 0: the initiator's segment */
	uint8_t inside; /* the port it came in on */
	/* 1: a segment of an unfinished ClientHello, read already, waiting
	 * for the rest before anything of it goes (judge_wait_take) */
	uint8_t wait;
	uint8_t early; /* 1: an early hold (WORKER_HOLD_EARLY) */
};

/* Packets of a burst by where they go. */
/* Room for a burst, for every fragment the reassembly may release and for
 * every segment held past a gap. */
#define WORKER_OUT_MAX (WORKER_BURST * 2 + FRAG_SLOTS * FRAG_MAX_FRAGS + WORKER_HOLD_SLOTS)

struct worker_out {
	struct rte_mbuf *fwd[2][WORKER_OUT_MAX]; /* [0]: to port_in, [1]: to port_out */
	uint16_t n_fwd[2];
	struct rte_mbuf *drop[WORKER_OUT_MAX];
	uint16_t n_drop;
};

/* Packets that cannot have a table entry (spoofed, unzoned, malformed,
 * fragments, a full table) are logged as one record per zone, reason and
 * second, carrying how many packets it stands for (DESIGN 4.1). */
#define WORKER_AGG_SLOTS 32
#define WORKER_AGG_NS	 1000000000ull

struct worker_agg {
	struct flow f;	/* the first packet's identity; counts of all of them */
	uint32_t count; /* packets; 0 = free slot */
	uint8_t exc;	/* enum policy_exception */
};

/* One worker's state. Written by its own lcore only (counters are read by
 * the main lcore without locks). */
/* An HTTP client's request head that a segment cut, kept until the
 * segments that complete it (judge.c, judge_http_more): a server reads
 * the head whole, so it is read whole. */
#define WORKER_CARRY_SLOTS 128
#define WORKER_CARRY_MAX   16384 /* bytes of a head kept: hs.h's HS_HEAD_MAX */
#define WORKER_CARRY_STALE 4000000000ull /* ns a cut head waits for its rest before its room is taken back */
#define WORKER_CARRY_PER_SRC 16 /* cut heads one inside address keeps at once */
struct worker_carry {
	uint32_t fidx; /* the flow's slot in the table, UINT32_MAX: free */
	uint32_t gen;  /* its flow's gen when taken */
	uint32_t seq;  /* the sequence number of b[0] */
	uint32_t len;
	uint64_t ts; /* w->now when taken */
	uint8_t b[WORKER_CARRY_MAX];
};

/* The reading of an h2c (prior knowledge) client's later header blocks,
 * after its first-bytes slot (judge.c, judge_h2w_open; h2.h, struct
 * h2_after): few flows speak it, each needs its HPACK table for life. */
#define WORKER_H2W_SLOTS 64
#define WORKER_H2W_PER_SRC 8 /* ... one inside address holds at once (red team round 6: rt6_h2w_slots_dos_ok); an IPv6 /64 half of them (judge_h2w_open) */
#define WORKER_H2W_HEAVY 2 /* none free: a slot of an address that holds more (and more than the taker) is taken back (judge_h2w_slot) */
struct worker_h2w {
	uint32_t fidx; /* the flow's slot in the table, UINT32_MAX: free */
	uint32_t gen;  /* its flow's gen when taken */
	struct h2_after a;
};

struct worker {
	struct stats st; /* first: hot, cache-aligned with the struct */
	unsigned id;
	unsigned lcore;
	struct dp *dp;
	struct flow_table *ft;
	struct flow *flows; /* ft's flow array, and its acks array (flow.h) */
	struct flow_acks *acks;
	struct cls_worker *cls;
	struct rte_ring *rx_ring;  /* dispatch: packets for this worker */
	struct rte_ring *tx_ring;  /* dispatch: this worker's output, mbuf->port = destination */
	struct rte_ring *rec_ring; /* flow records to the main lcore */
	struct learn_table *learn; /* written by this worker only */
	uint64_t now;		   /* ns since the epoch: packet time or wall clock */
	bool ft_changed;	   /* the table changed since this burst's bulk lookup */
	uint32_t relearn_gen;	   /* dp->learn_gen this worker's flows were judged at */
	uint32_t relearn_at;	   /* the next slot judge_relearn looks at; 0: none under way */
	uint64_t relearn_sync;	   /* when judge_learn_conflict last made a whole lap (ns) */
	uint64_t sweep_ts;	   /* expiry pacing: last housekeeping time (ns) */
	uint64_t sweep_credit;	   /* slot-nanoseconds not yet spent */
	uint64_t stage_t;	   /* --stage-cycles: the last stamp (TSC) */
	uint64_t first_ts;	   /* replay: first and last packet processed (TSC) */
	uint64_t last_ts;
	struct worker *peers;	     /* the array of all workers (dispatch) */
	uint64_t flush_deadline;     /* TSC: a live exit flush stops waiting for room here */
	uint64_t processed;	     /* dispatch peers: packets judged (written by the peer) */
	uint64_t sent[WORKER_MAX];   /* dispatcher: packets handed to each peer */
	struct dns_pending *dnsq;    /* queries of resolver flows awaiting answers */
	struct dns_asm *dnsasm;	     /* their answers over TCP being joined (dns.h) */
	struct stream_pool *streams; /* first-bytes reassembly (stream.h) */
	struct frag_table *frags;    /* IP fragments held until whole (frag.h) */
	struct hlog *hlogs;	     /* checked TLS flows' header logs, HLOG_SLOTS (hlog.h) */
	struct worker_carry *carries; /* HTTP request heads cut by a segment, WORKER_CARRY_SLOTS */
	struct worker_h2w *h2ws;      /* h2c clients read after their first blocks, WORKER_H2W_SLOTS */
	uint32_t hlog_next;	     /* where judge_hlog_take looks first */
	struct rlog *rlogs;	     /* read HTTP clients' request logs, RLOG_SLOTS (rlog.h) */
	uint32_t rlog_next;	     /* where judge_rlog_take looks first */
	/* Each pool's logs with an owner, and the busy slots its searches
	 * passed since the last one found a free or idle log: a log is taken
	 * back from its flow only once a whole pool was seen busy (judge.c,
	 * judge_pool_full) */
	uint32_t hlog_owned, hlog_busy, rlog_owned, rlog_busy;
	uint16_t rlog_src[STREAM_SRC_BUCKETS]; /* request logs held per inside source bucket */
	uint16_t rlog_net[STREAM_SRC_BUCKETS]; /* ... per IPv6 /64 bucket */
	uint16_t hlog_src[STREAM_SRC_BUCKETS]; /* header logs held per inside source bucket */
	uint16_t hlog_net[STREAM_SRC_BUCKETS]; /* ... per IPv6 /64 bucket */
	struct tomb_table tombs;     /* ended TCP flows' keys (tomb.h) */
	uint32_t tomb_seed[2];	     /* its secret hash seeds */
	/* Flows initiated from inside per source address and IPv6 /64, by
	 * the first-bytes pool's buckets (judge.c, judge_ft_count). */
	uint32_t ft_src[STREAM_SRC_BUCKETS];
	uint32_t ft_net[STREAM_SRC_BUCKETS];
	uint32_t ft_over; /* buckets of both at or over their share */
	/* expired fragments and held segments to drop */
	/* ... and hello segments joined (judge.c, judge_wait_merge): one a
	 * packet judged, a burst's and its released holds' */
	struct rte_mbuf *late[FRAG_SLOTS * FRAG_MAX_FRAGS + WORKER_HOLD_SLOTS + WORKER_BURST * 2 +
			      WORKER_HOLD_SLOTS];
	unsigned n_late;
	struct worker_hold hold[WORKER_HOLD_SLOTS];
	unsigned n_hold;	  /* slots in use */
	unsigned n_hold_early;	  /* ... by early holds */
	struct worker_hold *hold_put; /* judge_hold_take: the slot this segment took */
	bool hold_wake;		      /* a flow with held segments moved on: release them */
	bool hold_off;		      /* judging a datagram rebuilt from fragments */
	struct flow *wait_f;	      /* a flow whose hello stopped waiting: release its segments */
	struct worker_agg agg[WORKER_AGG_SLOTS];
	/* Flows dropped at their first packet that may still have an entry
	 * and a record of their own this second (dataplane.first_drop_records). */
	uint32_t first_drop_left[2]; /* [outbound] */
	uint64_t first_drop_sec;
	uint32_t agg_open; /* agg[] slots with a count */
	uint32_t new_tick; /* new-flow packets seen: 1 in 8 is timed (cycles_new) */
	struct flowdump dump; /* the open-flow dump (flowdump.h) */
} __rte_cache_aligned;

/* A replayed packet's time in ns: net_pcap stamps microseconds since the
 * epoch in the mbuf's timestamp field. Replay only. */
static inline uint64_t worker_pkt_time(const struct dp *dp, const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, dp->ts_off, const rte_mbuf_timestamp_t *) * 1000ull;
}

/* --stage-cycles: the cycles since the last stamp go to `stage` (a
 * STATS_stage_* counter). Only the loops instantiated with `timed` call it,
 * so a run without the option pays nothing. */
static inline void worker_stage(struct worker *w, unsigned stage)
{
	uint64_t t = rte_rdtsc();

	w->st.c[stage] += t - w->stage_t;
	w->st.c[STATS_stage_stamps]++;
	w->stage_t = t;
}

/* The lcore entry point (io.c); arg is the struct worker. */
int worker_main(void *arg);

/* Live time in ns since the epoch, from the TSC and the latest anchor.
 * Any lcore. */
uint64_t worker_clock(const struct dp *dp);

/* Publish a new anchor: the TSC now and the wall clock now. Main lcore. */
void worker_clock_anchor(struct dp *dp, uint64_t tsc, uint64_t wall_ns);

/* Whether the per-process secret keys (the header log's sums, the L2
 * hashes) were drawn from the kernel's random source: main refuses to
 * start without them (hlog_secret). */
bool judge_keys_ok(void);

/* judge.c: judge n parsed packets (their flows looked up in bulk) and sort
 * them into out. Owning worker. */
void judge_burst(struct worker *w, const struct policy *pol, struct rte_mbuf **pkts,
		 const struct parse_result *r, unsigned n, struct worker_out *out);

/* The same, stamping the lookup and judge stages (--stage-cycles). */
void judge_burst_timed(struct worker *w, const struct policy *pol, struct rte_mbuf **pkts,
		       const struct parse_result *r, unsigned n, struct worker_out *out);

/* judge.c: expiry sweep, classification time budget, aggregated records.
 * Once per loop turn, after the loop set w->now (live: worker_clock).
 * Owning worker. */
void judge_housekeeping(struct worker *w, const struct policy *pol);

/* judge.c: end every flow and write out what is aggregated (exit). */
void judge_finish(struct worker *w, const struct policy *pol);

/* judge.c: the flow a packet belongs to for dispatch: for an ICMP error,
 * the flow of the datagram it quotes. Returns the symmetric hash. */
uint32_t judge_dispatch_hash(const struct rte_mbuf *m, const struct parse_result *r);

#endif
