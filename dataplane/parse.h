/* parse.h - L2-L4 parser for one frame (Ethernet, 802.1Q/QinQ, IPv4 with
 * options, IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6).
 *
 * Pure C over a byte buffer, no DPDK types: the worker calls it on each
 * mbuf's data, the unit tests call it on arrays. It never reads past len.
 */
#ifndef ADUANA_PARSE_H
#define ADUANA_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Why a frame could not be parsed fully. One list for the enum, the names
 * and the counters. */
#define PARSE_ERRORS(X)                                                                            \
	X(truncated_l2)                                                                            \
	X(truncated_vlan)                                                                          \
	X(too_many_vlans)                                                                          \
	X(truncated_pppoe)                                                                         \
	X(frame_too_long) /* does not fit one mbuf segment (worker) */                             \
	X(truncated_ipv4)                                                                          \
	X(bad_ipv4_version)                                                                        \
	X(bad_ipv4_ihl)                                                                            \
	X(bad_ipv4_total_len)                                                                      \
	X(truncated_ipv6)                                                                          \
	X(bad_ipv6_version)                                                                        \
	X(bad_ipv6_payload_len)                                                                    \
	X(ipv6_mapped_addr) /* ::ffff:0:0/96 on the wire (RFC 6890: never forwardable) */          \
	X(truncated_ipv6_ext)                                                                      \
	X(too_many_ipv6_ext)                                                                       \
	X(ipv6_hopopts_late) /* Hop-by-Hop not first (RFC 8200 4.1: receivers drop it) */         \
	X(ipv6_frag_twice) /* a second Fragment header (Linux ipv6_frag_rcv: parameter problem) */   \
	X(truncated_tcp)                                                                           \
	X(bad_tcp_doff)                                                                            \
	X(truncated_udp)                                                                           \
	X(bad_udp_len)                                                                             \
	X(truncated_icmp)

enum parse_error {
	PARSE_ERR_NONE = 0,
#define X(n) PARSE_ERR_##n,
	PARSE_ERRORS(X)
#undef X
		PARSE_ERR_COUNT
};

/* What the frame is, as far as the dataplane is concerned. */
enum parse_kind {
	PARSE_IP = 0,	/* IPv4/IPv6 with addresses; see err/frag for the L4 */
	PARSE_L2_PASS,	/* ARP, PPPoE discovery and PPP link control: forwarded so the link works */
	PARSE_L2_OTHER, /* any other ethertype */
	PARSE_BAD_L2,	/* Ethernet/VLAN header broken: err says why */
	PARSE_BAD_L3,	/* IP header broken, no trustworthy addresses */
};

enum parse_frag {
	PARSE_FRAG_NONE = 0,
	PARSE_FRAG_FIRST, /* offset 0, more fragments: has the L4 header */
	PARSE_FRAG_LATER, /* offset > 0: no L4 header */
};

struct parse_result {
	uint8_t kind;	   /* enum parse_kind */
	uint8_t err;	   /* enum parse_error; for PARSE_IP: the L4 is malformed */
	uint8_t family;	   /* 4 or 6 (PARSE_IP only) */
	uint8_t l4proto;   /* IPPROTO_*, after IPv6 extension headers */
	uint8_t frag;	   /* enum parse_frag */
	uint8_t tcp_flags; /* TCP only */
	uint8_t n_vlans;
	uint8_t icmp_type; /* ICMP / ICMPv6 only */
	uint16_t vlan;	   /* outermost VLAN id, 0 = untagged */
	uint16_t sport;	   /* host order; ICMP echo: see parse.c (request and reply mirror) */
	uint16_t dport;	   /* host order; ICMP: type << 8 | code */
	uint16_t l3_off;   /* bytes from the frame start */
	uint16_t l4_off;
	uint16_t payload_off; /* first byte after the L4 header */
	uint16_t payload_len; /* bytes of L4 payload present in the frame */
	uint32_t tcp_seq;     /* TCP sequence number, host order */
	uint8_t src[16];      /* IPv4-mapped for IPv4 */
	uint8_t dst[16];
};

/* Parse one frame. Always fills r->kind (and r->err when something is
 * wrong); addresses are valid only for PARSE_IP. Any thread; no state. */
void parse_frame(const uint8_t *data, uint32_t len, struct parse_result *r);

/* For an ICMP or ICMPv6 error (unreachable, packet too big, time
 * exceeded, parameter problem, source quench/redirect for IPv4) whose
 * embedded datagram shows addresses and, for TCP and UDP, ports: fill inner
 * with that datagram's identity (family, l4proto, src, dst, sport, dport,
 * vlan of the outer frame) and return true. The embedded header is the
 * original packet as its sender sent it. Any thread; no state. */
bool parse_icmp_inner(const uint8_t *data, uint32_t len, const struct parse_result *outer,
		      struct parse_result *inner);

/* True for link services an address-less or unzoned host needs before it
 * has a zone address: DHCPv4 and DHCPv6 client requests, MLD reports. */
bool parse_is_link_service(const struct parse_result *r);

/* For a link service from the inside port (DHCP and DHCPv6 requests, MLD,
 * neighbour discovery, PPPoE discovery), whether it keeps to what honest
 * stacks send: the message whole as its RFC sets it, options and tags of
 * known types at their lengths, free-form ones within a small budget,
 * nothing after it (parse.c). True for any other frame. data and len: the
 * frame that r was parsed from. Any thread; no state. */
bool parse_link_bounded(const uint8_t *data, uint32_t len, const struct parse_result *r);

/* True for ICMPv6 neighbour discovery (router/neighbour solicitation and
 * advertisement, redirect): passed like ARP so the link works. */
bool parse_is_nd(const struct parse_result *r);

/* A hash of the flow's addresses, ports and protocol that is the same in
 * both directions; used for software dispatch to workers. */
uint32_t parse_sym_hash(const struct parse_result *r);

/* The same over the two addresses only (and the IP version): what
 * dispatch uses, so that fragments meet their flow. Any thread. */
uint32_t parse_addr_hash(const struct parse_result *r);

/* Name of a parse error ("truncated_tcp"), or NULL. */
const char *parse_error_name(unsigned err);

/* Dispatch mode (io.c): the owning worker's hash of a frame without a
 * full parse, for the common frames of flows (Ethernet, at most one
 * 802.1Q tag, IPv4 other than ICMP, IPv6 straight to TCP or UDP). The
 * hash is parse_addr_hash's of what parse_frame would find, so a flow's
 * fragments and the ICMP errors about it (which return false here: the
 * caller parses them and uses judge_dispatch_hash) meet on one worker.
 * False when the frame needs the full parse. Any thread; no state. */
bool parse_dispatch_hash(const uint8_t *data, uint32_t len, uint32_t *hash);

#endif
