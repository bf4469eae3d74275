/* flowrec.h - a flow record as aduanad sees it: one flow-log JSON line
 * (DESIGN 3.2) parsed into fields, for the store and the IPFIX export.
 * The line itself is kept as it came: JSON exports pass it on unchanged.
 */
#ifndef ADUANA_FLOWREC_H
#define ADUANA_FLOWREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOWREC_STR 80

struct flowrec {
	uint64_t ms_start, ms_end; /* ms since the epoch */
	char ts_start[40], ts_end[40];
	char zone[FLOWREC_STR], dir[8], proto[16];
	uint8_t l4proto;
	uint8_t family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	char src_s[48], dst_s[48];
	uint16_t sport, dport;
	char app[FLOWREC_STR], cls[FLOWREC_STR], sni[FLOWREC_STR], host[FLOWREC_STR],
		dns_query[FLOWREC_STR];
	bool has_cls, has_sni, has_host, has_dns;
	char verdict[8], reason[FLOWREC_STR];
	char end[8]; /* "idle", "end" (FIN/RST), "forced" (exit); "" when absent */
	uint32_t policy_version, pkts_to_verdict;
	uint64_t pkts_out, bytes_out, pkts_in, bytes_in, dropped_pkts;
};

/* Parse one JSON line. Returns 0, or -EINVAL naming the first bad or
 * missing field in err. Any thread. */
int flowrec_parse(const char *line, size_t len, struct flowrec *r, char *err, size_t errlen);

/* RFC 3339 UTC ("2024-01-02T03:04:05.123456Z") to ms since the epoch.
 * Returns 0 or -EINVAL. */
int flowrec_time(const char *s, uint64_t *ms);

#endif
