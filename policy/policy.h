/* policy.h - the policy snapshot and its evaluation (DESIGN 4).
 *
 * Pure C, no DPDK types, so it is unit-testable on its own. A snapshot is built
 * by config.c on the control path, is immutable once published, and is read
 * concurrently by every worker. Addresses are always 16 bytes: IPv4 is stored
 * IPv4-mapped (::ffff:a.b.c.d) and an IPv4 prefix length is stored plus 96.
 */
#ifndef ADUANA_POLICY_H
#define ADUANA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_NAME_MAX 48
#define POLICY_PATH_MAX 512

/* Policy classes (DESIGN 4). One list, so the enum and the names agree. */
#define POLICY_CLASSES(X)                                                                          \
	X(file_sharing)                                                                            \
	X(social)                                                                                  \
	X(proxy)                                                                                   \
	X(p2p)                                                                                     \
	X(remote_access)                                                                           \
	X(vpn)                                                                                     \
	X(mail)                                                                                    \
	X(webmail)                                                                                 \
	X(encrypted_dns)                                                                           \
	X(storage)                                                                                 \
	X(document_upload)

enum policy_class {
	POLICY_CLASS_NONE = 0,
#define X(n) POLICY_CLASS_##n,
	POLICY_CLASSES(X)
#undef X
		POLICY_CLASS_COUNT
};

/* Fail-closed exceptions (DESIGN 4): each has a per-zone action (the
 * profile's on_exception), its own counter, and the flow-log reason
 * "exception:<name>". "giveup" is the classification budget running out;
 * it uses on_giveup instead of on_exception. */
#define POLICY_EXCEPTIONS(X)                                                                       \
	X(flow_table_full)                                                                         \
	X(classifier_alloc)                                                                        \
	X(fragment)                                                                                \
	X(malformed)                                                                               \
	X(midstream)                                                                               \
	X(reassembly)                                                                              \
	X(giveup)                                                                                  \
	X(ech)	       /* Encrypted Client Hello to a shared front: the real name is hidden */     \
	X(ambiguous)   /* SYN data, urgent data: the receiver may read it either way */            \
	X(conformance) /* the bytes stopped being what the verdict was about */                    \
	X(spoofed)     /* outside port, source in a zone: always dropped */                        \
	X(unzoned)     /* inside port, source in no zone: the site's unzoned action */

enum policy_exception {
#define X(n) POLICY_EXC_##n,
	POLICY_EXCEPTIONS(X)
#undef X
		POLICY_EXC_COUNT
};

enum policy_action { POLICY_ACT_ALLOW = 0, POLICY_ACT_DROP = 1 };

enum policy_verdict {
	POLICY_PENDING = 0, /* not decided yet: forward and keep classifying */
	POLICY_ALLOW = 1,
	POLICY_DROP = 2,
};

/* Why a verdict was given; printed as DESIGN 3.2's "reason". */
enum policy_reason {
	POLICY_R_NONE = 0,
	POLICY_R_ENDPOINT,    /* allow:<endpoint>, arg = endpoint index */
	POLICY_R_CLASS,	      /* class:<class>, arg = enum policy_class */
	POLICY_R_DEFAULT,     /* default:<profile>, arg = profile index */
	POLICY_R_GRANT,	      /* grant:<id>, arg = grant index */
	POLICY_R_EXCEPTION,   /* exception:<name>, arg = enum policy_exception */
	POLICY_R_PASSTHROUGH, /* no zone on either side */
};

struct policy_decision {
	uint8_t verdict; /* enum policy_verdict */
	uint8_t reason;	 /* enum policy_reason */
	uint16_t arg;
};

struct policy_prefix {
	uint8_t addr[16]; /* masked to len */
	uint8_t len;	  /* 0..128; IPv4 prefixes are stored as len + 96 */
};

struct policy_endpoint {
	char name[POLICY_NAME_MAX];
	struct policy_prefix *prefixes;
	unsigned n_prefixes;
	char **hosts; /* lower case, no trailing dot; "*.x.y" matches sub-names of x.y */
	unsigned n_hosts;
	uint16_t *ports;
	unsigned n_ports;
	char **apps; /* nDPI names; matches either part of "Master.App" */
	unsigned n_apps;
	bool shared_front; /* its addresses serve other names too (a CDN): ECH hides which */
};

struct policy_profile {
	char name[POLICY_NAME_MAX];
	uint8_t default_action; /* enum policy_action */
	uint8_t inbound_action;
	uint8_t on_giveup;
	uint8_t on_exception;
	/* A port or address guess of a blocked class: true drops it at once,
	 * false waits until DPI confirms it or gives up ("guess" key; the
	 * default is true when default_action is drop, false otherwise). */
	bool guess_blocks;
	uint16_t *allow; /* endpoint indexes */
	unsigned n_allow;
	uint32_t block_mask; /* bit (1u << enum policy_class) */
};

struct policy_zone {
	char name[POLICY_NAME_MAX];
	unsigned profile; /* profile index */
};

/* One subnet of one zone, for the longest-prefix lookup. */
struct policy_zone_prefix {
	struct policy_prefix pfx;
	uint16_t zone;
};

enum policy_timeout {
	POLICY_TO_TCP = 0,
	POLICY_TO_TCP_CLOSED,
	POLICY_TO_UDP,
	POLICY_TO_ICMP,
	POLICY_TO_OTHER,
	POLICY_TO_TCP_SYN, /* half-open: a SYN the responder has not answered */
	POLICY_TO_DROPPED, /* any flow whose verdict is drop */
	POLICY_TO_COUNT
};

struct policy_dataplane {
	unsigned workers;
	uint32_t flows_per_worker;
	unsigned classify_packets;
	uint32_t classify_seconds;	    /* an undecided flow gives up after this long */
	uint32_t dns_ttl_max;		    /* learned addresses live at most this long (s) */
	/* Flows dropped at their first packet that get a table entry and a
	 * record of their own, per worker, direction and second; past it (a flood or a
	 * scan) they get neither and are logged as aggregates. 0 = no limit. */
	uint32_t first_drop_records;
	uint32_t timeouts[POLICY_TO_COUNT]; /* seconds */
};

/* An immutable snapshot. Owned by whoever built it; freed with
 * policy_free() once no worker can still read it. */
struct policy {
	uint32_t version;
	char source[POLICY_PATH_MAX]; /* the config file it came from */
	char hash[65];		      /* sha-256 hex of the config text */
	struct policy_dataplane dp;
	char flow_log[POLICY_PATH_MAX];	    /* "" = none, "-" = stdout */
	char classes_path[POLICY_PATH_MAX]; /* resolved relative to source */
	char lists_path[POLICY_PATH_MAX];
	uint8_t unzoned_action; /* enum policy_action for inside sources in no zone */
	/* Set by the config when no endpoint declares applications (then only
	 * a host grant can make a flow's bytes checked). false = look. */
	bool no_apps;

	struct policy_endpoint *endpoints;
	unsigned n_endpoints;
	struct policy_profile *profiles;
	unsigned n_profiles;
	struct policy_zone *zones;
	unsigned n_zones;
	struct policy_zone_prefix *zone_prefixes; /* sorted, longest first */
	unsigned n_zone_prefixes;
};

/* Grants (grant.h) live in a table of their own, published apart from the
 * snapshot: a grant changes nothing of the config. */
struct policy_grants;

/* What the evaluator knows of a flow. The dataplane fills the first block at
 * the first packet; classification fills the rest as it learns it (NULL or
 * zero until known). */
struct policy_flow {
	int zone;	      /* zone index, -1 = none */
	bool outbound;	      /* the inside side opened the flow */
	uint8_t l4proto;      /* IPPROTO_* */
	uint8_t local[16];    /* the inside address */
	uint8_t remote[16];   /* the outside address */
	uint16_t remote_port; /* outbound: the responder's port */
	uint16_t local_port;  /* inbound: the inside responder's port */
	uint64_t now;	      /* seconds since the epoch, for grant expiry */
	const struct policy_grants *grants; /* the live grants (grant.h), or NULL */

	const char *app_master; /* nDPI master protocol name, e.g. "TLS" */
	const char *app;	/* nDPI app protocol name, e.g. "Facebook" */
	bool app_known;		/* detection finished with a real protocol */
	bool app_guessed;	/* app/class come from a port/IP guess: may block, never allow */
	bool app_partial;	/* known, but the classifier may still refine it (TLS -> TLS.X) */
	uint8_t cls;		/* enum policy_class */
	const char *sni;
	const char *host;
	const char *dns_query;
	bool giveup;	  /* the classification budget is spent */
	bool empty;	  /* TCP, ended before any payload either way (judge.c, judge_flow_end) */
	uint64_t learned; /* bit i: remote is a DNS-learned address of endpoint i */
};

/* Parse "a.b.c.d[/len]" or "x::y[/len]" into a masked prefix. An IPv6
 * prefix inside ::ffff:0:0/96 (IPv4-mapped) is refused: write it as IPv4.
 * Returns 0 or -EINVAL. Any thread. */
int policy_prefix_parse(const char *text, struct policy_prefix *out);

/* True for an address in ::ffff:0:0/96 (how IPv4 is stored here). */
bool policy_addr_is_v4(const uint8_t addr[16]);

/* Map a raw address (4 or 16 bytes, network order) to the 16-byte form. */
void policy_addr_from_v4(uint8_t out[16], const uint8_t v4[4]);

/* True when addr lies inside pfx. An IPv6 prefix never matches an IPv4
 * (mapped) address, whatever its length: "::/0" is not every address. The
 * dataplane refuses IPv6 packets that carry ::ffff:0:0/96 addresses, so a
 * mapped address here is always a real IPv4 one. Any thread. */
bool policy_prefix_match(const struct policy_prefix *pfx, const uint8_t addr[16]);

/* Zone of an address by longest prefix, or -1. Any thread; read-only. */
int policy_zone_find(const struct policy *p, const uint8_t addr[16]);

/* True when host (any case, optional trailing dot) matches pattern (lower
 * case, "*.suffix" for any name below suffix). Any thread. */
bool policy_host_match(const char *pattern, const char *host);

/* Endpoints (bit i = endpoint i, the first POLICY_LEARN_ENDPOINTS) with a
 * hostname matching host: whose DNS answers may add addresses to them. Any
 * thread. */
#define POLICY_LEARN_ENDPOINTS 48
uint64_t policy_endpoints_for_host(const struct policy *p, const char *host);

/* The same, plus the learn bits (grant.h) of the host grants in t whose
 * name matches host. Any thread. */
uint64_t policy_learn_mask(const struct policy *p, const struct policy_grants *t,
			   const char *host);

/* True when name equals either part of an nDPI "Master.App" pair (case
 * insensitive). */
bool policy_app_match(const char *name, const char *app_master, const char *app);

/* What an outbound flow's candidate endpoints (address or learned address,
 * and port, of the endpoints its zone allows) say about its application
 * (DESIGN 4.2). */
enum policy_apps {
	POLICY_APPS_FREE = 0, /* no candidate, or one that declares no application */
	POLICY_APPS_CHECKED,  /* every candidate declares applications: check them */
};

/* Whether the flow's bytes must be checked against the applications its
 * candidate endpoints declare. *tls_only: every one of those applications
 * is TLS or TLS-wrapped (TLS, SMTPS, IMAPS, POPS, HTTPS, ...). Any thread. */
enum policy_apps policy_flow_apps(const struct policy *p, const struct policy_flow *f,
				  bool *tls_only);

/* True when a candidate endpoint of the flow declares app. Any thread. */
bool policy_flow_declares(const struct policy *p, const struct policy_flow *f, const char *app);

/* Whether every application that f's candidate endpoints declare is app
 * (and there is one): nothing else can run on the flow. Any thread. */
bool policy_flow_declares_only(const struct policy *p, const struct policy_flow *f,
			       const char *app);

/* True when a candidate endpoint of the flow is declared a shared front
 * (shared_front = true): there an Encrypted Client Hello hides the name the
 * front really serves (DESIGN 4.2). Any thread. */
bool policy_flow_shared_front(const struct policy *p, const struct policy_flow *f);

/* True when the first payload of one direction (from the initiator, or
 * not) is a plausible start of an application some candidate endpoint of
 * the flow declares: a TLS handshake record, an SMTP greeting or command,
 * a well-formed DNS message, ... Over UDP nothing is a plausible start of
 * an application that runs over TCP only (TLS and TLS-wrapped ones, SMTP,
 * HTTP, SSH, POP3, IMAP). Applications without a check of ours are taken
 * as plausible. Any thread. */
bool policy_payload_plausible(const struct policy *p, const struct policy_flow *f, bool from_init,
			      const uint8_t *d, size_t n);

/* Judge a flow with what is known of it, in the order of DESIGN 4. Returns
 * POLICY_PENDING when more classification could change the answer. Called
 * by workers on the packet path for undecided flows only; read-only. */
void policy_evaluate(const struct policy *p, const struct policy_flow *f,
		     struct policy_decision *d);

/* The zone's action for an exception (zone -1: allow, passthrough). */
void policy_exception(const struct policy *p, int zone, enum policy_exception e,
		      struct policy_decision *d);

/* Format d as DESIGN 3.2's reason ("allow:e2m", "class:p2p", ...).
 * Returns the length written (truncated to size). Any thread. */
int policy_reason_format(const struct policy *p, const struct policy_decision *d, char *buf,
			 size_t size);

/* Names of classes and exceptions; NULL when out of range. */
const char *policy_class_name(unsigned cls);
const char *policy_exception_name(unsigned e);
/* enum policy_class for a name, or POLICY_CLASS_NONE. */
unsigned policy_class_from_name(const char *name);

/* Free a snapshot and everything it owns. Accepts NULL. */
void policy_free(struct policy *p);

#endif
