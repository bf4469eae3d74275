/* flowmem - bytes per flow of aduana's flow table and classifier pool, for
 * perf/bench.sh. Creates a flow table of CAPACITY flows on a no-huge EAL
 * (the table measures its own heap use, flow_table_memory()) and one worker
 * classifier, and prints one JSON line. Links build/libaduana.a.
 *
 *   flowmem CAPACITY CLASSES_CONF LISTS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "classifier.h"
#include "flow.h"

int main(int argc, char **argv)
{
	char prefix[64], mem[32], err[512];
	char *eargv[] = {"flowmem",
			 "--no-huge",
			 "--no-pci",
			 "--no-shconf",
			 "--no-telemetry",
			 "--log-level=*:error",
			 "-l",
			 "0",
			 "-m",
			 mem,
			 prefix,
			 NULL};
	struct flow_table *ft;
	struct cls_engine *e;
	struct cls_worker *w;
	unsigned long cap;
	uint32_t pool;

	if (argc != 4) {
		fprintf(stderr, "usage: flowmem CAPACITY CLASSES_CONF LISTS_DIR\n");
		return 2;
	}
	cap = strtoul(argv[1], NULL, 10);
	snprintf(prefix, sizeof(prefix), "--file-prefix=flowmem%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%lu", 256 + cap * 512 / (1 << 20));
	if (rte_eal_init((int)(sizeof(eargv) / sizeof(eargv[0])) - 1, eargv) < 0) {
		fprintf(stderr, "flowmem: EAL init failed\n");
		return 1;
	}
	ft = flow_table_create("flowmem", (uint32_t)cap, (int)rte_socket_id());
	if (!ft) {
		fprintf(stderr, "flowmem: cannot create a table of %lu flows\n", cap);
		return 1;
	}
	e = cls_engine_create(argv[2], argv[3], err, sizeof(err));
	if (!e) {
		fprintf(stderr, "flowmem: %s\n", err);
		return 1;
	}
	pool = cap < 65536 ? (uint32_t)cap : 65536; /* as dataplane/main.c sizes it */
	w = cls_worker_create(e, pool, (int)rte_socket_id());
	if (!w) {
		fprintf(stderr, "flowmem: cannot create a classifier\n");
		return 1;
	}
	printf("{\"capacity\":%lu,\"table_bytes\":%llu,\"table_bytes_per_flow\":%.1f,"
	       "\"flow_struct_bytes\":%zu,\"cls_slot_bytes\":%zu,\"cls_pool_slots\":%u}\n",
	       cap, (unsigned long long)flow_table_memory(ft),
	       (double)flow_table_memory(ft) / (double)cap, sizeof(struct flow),
	       cls_worker_slot_size(w), pool);
	cls_worker_destroy(w);
	cls_engine_destroy(e);
	flow_table_destroy(ft);
	rte_eal_cleanup();
	return 0;
}
