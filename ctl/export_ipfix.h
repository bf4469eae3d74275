/* export_ipfix.h - flow records to IPFIX collectors (RFC 7011) over UDP and
 * TCP: one template per address family, standard elements where they
 * exist, the reverse direction as RFC 5103 biflow elements (PEN 29305),
 * the verdict as forwardingStatus (RFC 7270), and zone, class, reason, SNI
 * and policy version under the operator's enterprise number.
 * Element list: docs/control.md. aduanad's thread only.
 */
#ifndef ADUANA_EXPORT_IPFIX_H
#define ADUANA_EXPORT_IPFIX_H

#include <stdint.h>
#include <stddef.h>

struct flowrec;
struct export_ipfix;

/* pen: our enterprise number; domain: the observation domain id;
 * refresh_s: how often UDP collectors get the templates again. */
struct export_ipfix *export_ipfix_create(uint32_t pen, uint32_t domain, unsigned refresh_s);

/* Add a collector "udp:HOST:PORT" or "tcp:HOST:PORT" (HOST: an address;
 * IPv6 in brackets). Returns 0 or -EINVAL with a message in err. */
int export_ipfix_add(struct export_ipfix *x, const char *spec, char *err, size_t errlen);

/* Encode one record into the message being built; a full message goes out
 * first. */
void export_ipfix_record(struct export_ipfix *x, const struct flowrec *r);

/* The audit log's head as an options record (template 258, scope the
 * observation domain; PEN elements 7: seq, 8 bytes, and 8: the sha256, 32
 * bytes), in a message of its own after what is pending. head: 64 hex
 * digits. Never blocks. */
void export_ipfix_audit(struct export_ipfix *x, uint64_t seq, const char *head);

/* Send the message being built, refresh templates, reconnect TCP
 * collectors, write queued TCP bytes. Never blocks. now: seconds. */
void export_ipfix_flush(struct export_ipfix *x, uint64_t now);

/* Counters: records encoded, messages sent (all collectors), messages
 * lost (a send failed or a TCP backlog was full). */
void export_ipfix_stats(const struct export_ipfix *x, uint64_t *records, uint64_t *messages,
			uint64_t *lost);

/* Free. Accepts NULL. */
void export_ipfix_destroy(struct export_ipfix *x);

#endif
