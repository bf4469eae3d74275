/* flowlog.h - flow records: built by a worker when a flow ends, carried to
 * the main lcore through that worker's SPSC ring (by copy, no allocation),
 * and written there as one JSON object per line (DESIGN 3.2).
 *
 * A full ring loses the record, never the packet, and is counted.
 */
#ifndef ADUANA_FLOWLOG_H
#define ADUANA_FLOWLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "policy.h"

struct cls_engine;
struct rte_ring;

/* Why a record was written (IPFIX flowEndReason). */
enum flowlog_end {
	FLOWLOG_END_IDLE = 0, /* idle timeout */
	FLOWLOG_END_FLOW,     /* TCP FIN both ways or RST, then its short timeout */
	FLOWLOG_END_FORCED,   /* still open at exit (set by the worker's flush) */
	FLOWLOG_END_OPEN,     /* still open: the open-flow dump (flowdump.c) */
};

/* One finished flow, from the initiator's point of view. */
struct flowlog_rec {
	uint64_t ts_start; /* ns since the epoch */
	uint64_t ts_end;
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t pkts_out;
	uint32_t pkts_in;
	uint32_t dropped_pkts;
	uint32_t policy_version;
	uint16_t sport;
	uint16_t dport;
	uint16_t pkts_to_verdict;
	uint16_t app_master;
	uint16_t app;
	int16_t zone;
	struct policy_decision decision;
	uint8_t l4proto;
	uint8_t family;
	uint8_t outbound;
	uint8_t cls;
	uint8_t name_kind;
	uint8_t n_learned;
	uint8_t end;	    /* enum flowlog_end */
	uint32_t aggregate; /* packets an aggregated record stands for; 0 = a flow's record */
	uint32_t grant_id;  /* the grant that allowed it (or some of it); 0 = none */
	char name[FLOW_NAME_MAX];
	uint8_t learned_addr[FLOW_LEARNED_MAX][16];
} __attribute__((aligned(64)));

/* Fill rec from a flow (end: idle, or flow from the TCP bits; the exit
 * flush sets FLOWLOG_END_FORCED itself). Owning worker. */
void flowlog_rec_from_flow(struct flowlog_rec *rec, const struct flow *f);

/* Create the SPSC ring of records for one worker (count: power of two).
 * Main lcore. NULL on failure. */
struct rte_ring *flowlog_ring_create(const char *name, unsigned count, int socket);

/* Write one record as a JSON line. Main lcore. Names come from pol (zone,
 * reason) and e (app; may be NULL). Returns 0 or -errno from the stream. */
int flowlog_write(FILE *out, const struct flowlog_rec *rec, const struct policy *pol,
		  const struct cls_engine *e);

/* Where records find the approval reference of their grant (grant_id):
 * lookup(arg, id) returns it, or NULL. Main lcore, before records are
 * written; NULL lookup: approvals print as null. */
void flowlog_set_approvals(const char *(*lookup)(void *arg, uint32_t id), void *arg);

/* Format ns since the epoch as RFC 3339 UTC with microseconds. */
void flowlog_time(char *buf, size_t size, uint64_t ns);

#endif
