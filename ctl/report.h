/* report.h - the compliance report, computed by aduanad from its flow
 * store (README "Compliance report"). The answer is JSON lines, each a
 * flat object whose first member "t" names its kind:
 *   meta         generated, since, zone, first, last; flows, allowed,
 *                blocked, grant_flows, exception_flows
 *   zone         zone, flows, blocked, grant_flows, exception_flows
 *   class        class (null: none), blocked
 *   blocked      zone, host (the inside host), class, attempts
 *   destination  destination (sni, else HTTP host, else address), attempts
 *   grant        reason (grant:<id>), zone, host, approval, flows
 *   exception    reason (exception:<name>), zone, host, flows
 * "blocked" keeps the 1000 largest rows and "destination" the top 10;
 * meta's figures count everything. aduanad's thread only.
 */
#ifndef ADUANA_REPORT_H
#define ADUANA_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define REPORT_BLOCKED_ROWS 1000
#define REPORT_TOP_DESTS    10

/* Build the report over flows that ended at or after since_ms (0: all),
 * in zone (NULL: every zone). *out is malloc'd (caller frees). Returns 0,
 * or -EIO/-ENOMEM/-E2BIG with err. */
int report_build(struct store *s, uint64_t since_ms, const char *zone, char **out, size_t *len,
		 char *err, size_t errlen);

#endif
