/* ctlsock.h - the dataplane's private control socket (for aduanad alone):
 * status and counters, policy swap (reload), and the flow-record stream
 * with sequence numbers and acknowledgements. Framing: ctl/proto.h;
 * protocol and guarantees: docs/control.md.
 *
 * Everything here runs on the main lcore, never blocks (except the RCU
 * wait of a reload, which waits on workers, not on peers) and never
 * touches packets.
 */
#ifndef ADUANA_CTLSOCK_H
#define ADUANA_CTLSOCK_H

#include <stddef.h>
#include <stdint.h>

struct ctlsock;
struct dp;
struct worker;
struct policy;
struct flowlog_rec;
struct cls_engine;
struct grant_reg;

/* Listen on path (a stale socket file is replaced; mode 0660). pol points
 * at the caller's current snapshot pointer: a reload replaces *pol, and the
 * caller frees whatever *pol is at exit; older snapshots belong to the
 * ctlsock. Main lcore, after the workers are set up. NULL on failure with a
 * message in err. */
struct ctlsock *ctlsock_create(const char *path, const char *group, struct dp *dp, struct policy **pol,
			       struct worker *workers, const struct cls_engine *cls,
			       char *err, size_t errlen);

/* Serve grant requests (add, remove, list) from this registry
 * (grantreg.h). Main lcore, before the first poll. */
void ctlsock_set_grants(struct ctlsock *cs, struct grant_reg *grants);

/* Serve what is ready: accept, read requests, answer, stream records,
 * take acknowledgements. Poll with a zero timeout. Main lcore. */
void ctlsock_poll(struct ctlsock *cs);

/* Queue one finished flow for the record stream (as its flow-log JSON
 * line, with names from the snapshot that decided it). The queue is
 * bounded; a full queue drops the record and counts it. Main lcore. */
void ctlsock_record(struct ctlsock *cs, const struct flowlog_rec *rec);

/* The snapshot of a version if still held (for naming records decided
 * under it), else cur, the current one (always cur when cs is NULL).
 * Main lcore. */
const struct policy *ctlsock_policy(const struct ctlsock *cs, const struct policy *cur,
				    uint32_t version);

/* At exit: keep serving until every queued record is acknowledged or
 * linger_ms passed; then print one line of stream counters on stderr.
 * Main lcore, after the workers stopped. */
void ctlsock_finish(struct ctlsock *cs, unsigned linger_ms);

/* Close everything, remove the socket file, free retired snapshots (not
 * *pol). Accepts NULL. */
void ctlsock_destroy(struct ctlsock *cs);

#endif
