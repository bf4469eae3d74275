/* flowdump.h - the open-flow dump: a snapshot of the flows a worker holds,
 * taken by the worker itself, a slice per loop turn, into a buffer the main
 * lcore owns (docs/control.md, "The open-flow dump").
 *
 * The main lcore asks by bumping `req` (release) after setting the filter
 * and the buffer; the worker answers by setting `done` = `req` (release)
 * once it has visited every slot or filled the buffer. A worker never waits
 * for anything; the buffer stays the main lcore's until `done` == `req`.
 */
#ifndef ADUANA_FLOWDUMP_H
#define ADUANA_FLOWDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

struct flowlog_rec;
struct worker;

/* Slots a worker visits per loop turn: bounds the time a dump takes from
 * packet processing (a few microseconds). */
#define FLOWDUMP_SLICE 256

struct flowdump_filter {
	int16_t zone;	  /* zone index, -2 = any */
	int8_t verdict;	  /* enum policy_verdict, -1 = any */
	int16_t cls;	  /* enum policy_class, -1 = any */
	uint8_t has_addr; /* addr/family hold an address to match either end */
	uint8_t family;
	uint8_t addr[16];
	uint64_t since_ns;	  /* last packet at or after, 0 = any */
	char name[FLOW_NAME_MAX]; /* substring of the flow's name, "" = any */
};

struct flowdump {
	/* Written by the main lcore before it bumps req. */
	struct flowdump_filter flt;
	struct flowlog_rec *buf;
	uint32_t cap;
	/* Written by the worker while req != done. */
	uint32_t n;	/* records in buf */
	uint32_t pos;	/* next slot to visit */
	uint32_t seen;	/* flows that matched (n <= seen: the rest did not fit) */
	uint32_t total; /* flows visited */
	uint32_t req;	/* main: bumped to ask (release) */
	uint32_t done;	/* worker: set to req when finished (release) */
};

/* True when a match: flow f against filter flt. */
bool flowdump_match(const struct flowdump_filter *flt, const struct flow *f);

/* One slice of a pending dump, if any. Owning worker, between bursts. */
void flowdump_slice(struct worker *w);

#endif
