/* grant.h - approved, time-limited exceptions (DESIGN 4, rule 1): what a
 * grant names, its text form (the line aduanad pushes to the dataplane and
 * `aduana --grants FILE` reads), and the bounded table the evaluator reads.
 *
 * Pure C, no DPDK types: aduanad validates with it, the dataplane publishes
 * tables of it (dataplane/grant.c), policy.c evaluates them. docs/grants.md.
 */
#ifndef ADUANA_GRANT_H
#define ADUANA_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define GRANT_MAX	   64 /* live grants in one table */
#define GRANT_HOST_SLOTS   16 /* host grants at once: one learned-address bit each */
#define GRANT_LEARN_BIT0   48 /* their bits: 48..63 (endpoints learn with bits 0..47) */
#define GRANT_HOST_MAX	   64 /* bytes, NUL included: a flow keeps 63 bytes of its name */
#define GRANT_APPROVAL_MAX 65 /* bytes, NUL included */
#define GRANT_LINE_MAX	   512

/* One grant. src is a zone (zone_name) or an inside address or prefix
 * (local); dst is an outside address or prefix (remote) or a host name
 * (host), with an optional port. Active in [from, until). */
struct policy_grant {
	uint32_t id;
	char zone_name[POLICY_NAME_MAX]; /* "" when src is an address */
	struct policy_prefix local;	 /* src address (len 0 with a zone) */
	struct policy_prefix remote;	 /* dst address (len 0 with a host) */
	char host[GRANT_HOST_MAX];	 /* dst host, lower case, "*.x.y" allowed; "" */
	uint16_t port;			 /* responder port; 0 = any */
	uint8_t learn_bit;		 /* host grants: bit in learned-address masks */
	uint64_t from, until;		 /* seconds since the epoch */
	char approval[GRANT_APPROVAL_MAX];
	/* Derived (grant_fix): the zone index in the table's snapshot, and
	 * for a host grant the endpoint the candidate rules read: its name,
	 * DNS-learned addresses only (learn_bit), the port, TLS or HTTP. */
	int zone;
	struct policy_endpoint ep;
	char *ep_hosts[1];
	char *ep_apps[2];
	uint16_t ep_ports[1];
};

/* An immutable table, published like a policy snapshot (RCU). */
struct policy_grants {
	uint32_t gen;	       /* bumped at each change */
	uint32_t resolved_for; /* the policy version whose zone indexes `zone` holds */
	unsigned n;
	struct policy_grant g[GRANT_MAX];
};

/* Parse src: an address or prefix ("10.10.1.5", "10.10.1.0/24",
 * "2001:db8:e2::10") or a zone name. Returns 0 or -EINVAL with err. */
int grant_parse_src(const char *s, struct policy_grant *g, char *err, size_t errlen);

/* Parse dst: HOST|ADDR[/LEN][:PORT] ("files.e2m.example:443",
 * "203.0.113.80", "[2001:db8::1]:443", "*.example.org"). A name whose
 * last label is all digits is a bad address, not a host. Returns 0 or
 * -EINVAL with err. */
int grant_parse_dst(const char *s, struct policy_grant *g, char *err, size_t errlen);

/* True for an approval reference: 1..64 of [A-Za-z0-9._:/#+-]. */
bool grant_approval_ok(const char *s);

/* Parse one line "id=N src=S dst=D from=T until=T approval=R" (any order;
 * '#' starts a comment). Returns 0, 1 for a blank or comment line, or
 * -EINVAL with err. */
int grant_parse_line(const char *line, struct policy_grant *g, char *err, size_t errlen);

/* The line grant_parse_line() reads. Returns its length (truncated at
 * size). */
int grant_format(const struct policy_grant *g, char *buf, size_t size);

/* dst as the operator wrote it: "host:port", "addr", "[v6]:port". */
void grant_dst_str(const struct policy_grant *g, char *buf, size_t size);
/* src as the operator wrote it: the zone or the prefix. */
void grant_src_str(const struct policy_grant *g, char *buf, size_t size);

/* Check a grant against a snapshot: its zone exists, or its src address
 * lies in a zone (a grant for a host in no zone grants nothing). Returns 0
 * or -ENOENT with err. */
int grant_check(const struct policy_grant *g, const struct policy *p, char *err, size_t errlen);

/* Set the derived fields of g (after a copy: they point into g itself),
 * resolving its zone against p (NULL: no zone). */
void grant_fix(struct policy_grant *g, const struct policy *p);

/* The grant of a decision whose reason is POLICY_R_GRANT, or NULL. */
const struct policy_grant *grant_of(const struct policy_grants *t,
				    const struct policy_decision *d);

#endif
