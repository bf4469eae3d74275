/* learn.h - endpoint addresses learned from DNS answers (DESIGN 4): when a
 * declared DNS endpoint answers a zone host's query for an endpoint's name,
 * the answered addresses count as that endpoint's until their TTL runs out.
 *
 * One bounded table per worker, written only by that worker; every worker
 * reads all of them, lock-free (a sequence count per entry: a reader that
 * races a write retries). Pure C, no DPDK types. docs/dns-learning.md.
 */
#ifndef ADUANA_LEARN_H
#define ADUANA_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEARN_SETS    256
#define LEARN_WAYS    4
/* seconds: a TTL of 0 still covers the connect, and Java's 30 s cache
 * (networkaddress.cache.ttl, whatever the TTL) finds the address learned
 * when it connects again without asking (red team round 22,
 * dns_ttl_java_ok) */
#define LEARN_TTL_MIN 30
#define LEARN_TTL_MAX 86400

struct learn_entry {
	uint32_t seq;	  /* odd while being written */
	uint32_t expires; /* seconds since the epoch; 0 = empty */
	uint64_t mask;	  /* endpoints (bit i = endpoint i) */
	uint8_t addr[16];
};

struct learn_table {
	struct learn_entry set[LEARN_SETS][LEARN_WAYS];
	uint64_t added;	  /* new entries */
	uint64_t evicted; /* live entries pushed out by a full set */
};

/* Zero a table. Before its writer starts. */
void learn_init(struct learn_table *t);

/* Add addr for the endpoints in mask until now + ttl seconds (clamped to
 * LEARN_TTL_MIN..MAX). Returns true when the address was new. The table's
 * own worker only. */
bool learn_add(struct learn_table *t, const uint8_t addr[16], uint64_t mask, uint32_t ttl,
	       uint32_t now);

/* Forget addr (for every endpoint). Returns true when it was learned.
 * The table's own worker only. */
bool learn_revoke(struct learn_table *t, const uint8_t addr[16]);

/* Endpoints addr is currently learned for, over n tables. Any worker. */
uint64_t learn_lookup(struct learn_table *const *t, unsigned n, const uint8_t addr[16],
		      uint32_t now);

#endif
