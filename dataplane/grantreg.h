/* grantreg.h - the dataplane's grant registry: the live grants
 * aduanad pushed (or `--grants FILE` named), published to the workers as an
 * immutable table (policy/grant.h) with one atomic store and freed after
 * an RCU grace period, like a policy snapshot. docs/control.md.
 *
 * Main lcore only: created before the workers start, changed from the
 * control socket and the control loop.
 */
#ifndef ADUANA_GRANTREG_H
#define ADUANA_GRANTREG_H

#include <stddef.h>
#include <stdint.h>

struct dp;
struct policy;
struct grant_reg;

/* A registry publishing into dp->grants; pol: where the current snapshot
 * pointer lives (zone names are resolved against it). NULL when out of
 * memory. */
struct grant_reg *grant_reg_create(struct dp *dp, struct policy **pol);

/* Unpublish and free everything. After the workers stopped. Accepts NULL. */
void grant_reg_destroy(struct grant_reg *r);

/* Add the grants of a file (grant lines, '#' comments; policy/grant.h).
 * Returns 0 or -EINVAL with err naming FILE:LINE. */
int grant_reg_load(struct grant_reg *r, const char *path, char *err, size_t errlen);

/* One control-socket request: PROTO_GRANT_ADD (body: grant lines; a first
 * line "replace" replaces the whole table, as aduanad does at each
 * connect), PROTO_GRANT_DEL (body: an id), PROTO_GRANT_LIST. Writes the
 * JSON answer into reply. Returns 0, or -errno with the message in reply;
 * nothing changes on an error. */
int grant_reg_request(struct grant_reg *r, uint8_t type, const uint8_t *body, uint32_t len,
		      char *reply, size_t size);

/* Live: drop the grants that ended by now (seconds since the epoch). The
 * workers cut their flows themselves at the next packet; this keeps the
 * table small. */
void grant_reg_tick(struct grant_reg *r, uint64_t now);

/* After a reload: publish the table again with zone indexes of the new
 * snapshot. */
void grant_reg_rebind(struct grant_reg *r);

/* The approval reference of grant id (live, or one of the last 4096
 * ended), or NULL. For flowlog_set_approvals(). */
const char *grant_reg_approval(void *r, uint32_t id);

/* Live grants now. */
unsigned grant_reg_count(const struct grant_reg *r);

#endif
