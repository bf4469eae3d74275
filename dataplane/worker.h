/* worker.h - the worker lcores: the only poll loop. Each processes bursts
 * to completion: parse, flow lookup, first-packet policy, classification of
 * undecided flows, verdict, counters, and flow records to its ring.
 *
 * Two ways packets reach workers. With symmetric RSS, worker i owns RX/TX
 * queue i of both ports. Without it (virtual devices), worker 0 owns the
 * ports' single queues and dispatches by a symmetric hash to the others
 * through SPSC rings; they hand forwarded packets back the same way. Either
 * way both directions of a flow meet on one worker. docs/dispatch.md.
 */
#ifndef ADUANA_WORKER_H
#define ADUANA_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "stats.h"

#define WORKER_MAX   16
#define WORKER_BURST 32

struct rte_ring;
struct rte_rcu_qsbr;
struct flow_table;
struct cls_engine;
struct cls_worker;
struct policy;
struct learn_table;

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
	unsigned n_workers;
	int ts_off;	  /* mbuf timestamp dynfield offset (replay) */
	uint64_t ts_flag; /* its ol_flags bit */
	uint64_t tsc_hz;
	uint64_t ns_per_cycle; /* 32.32 fixed point */
	uint64_t epoch_ns;     /* wall clock at tsc_base (live mode) */
	uint64_t tsc_base;
	const struct cls_engine *cls;
	struct learn_table **learn; /* every worker's learned addresses (learn.h) */
	bool learn_on;		    /* the policy has endpoints with hostnames */
	struct policy *policy;	    /* current snapshot; read with an acquire load */
	struct rte_rcu_qsbr *qsbr;
	volatile bool stop;	/* live: leave the loop now */
	volatile unsigned done; /* replay: workers finished (flush included) */
	volatile bool eof;	/* replay: worker 0 saw the end of both inputs */
};

/* One worker's state. Written by its own lcore only (counters are read by
 * the main lcore without locks). */
struct worker {
	struct stats st; /* first: hot, cache-aligned with the struct */
	unsigned id;
	unsigned lcore;
	struct dp *dp;
	struct flow_table *ft;
	struct cls_worker *cls;
	struct rte_ring *rx_ring;  /* dispatch: packets for this worker */
	struct rte_ring *tx_ring;  /* dispatch: this worker's output, mbuf->port = destination */
	struct rte_ring *rec_ring; /* flow records to the main lcore */
	struct learn_table *learn; /* written by this worker only */
	uint64_t now;		   /* ns since the epoch: packet time or wall clock */
	bool ft_changed;	   /* the table changed since this burst's bulk lookup */
	uint64_t sweep_ts;	   /* expiry pacing: last housekeeping time (ns) */
	uint64_t sweep_credit;	   /* slot-nanoseconds not yet spent */
	uint64_t first_ts;	   /* replay: first and last packet processed (TSC) */
	uint64_t last_ts;
	struct worker *peers; /* the array of all workers (dispatch) */
} __rte_cache_aligned;

/* The lcore entry point; arg is the struct worker. */
int worker_main(void *arg);

#endif
