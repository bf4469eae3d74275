/* parse_frame.h - the frame parser's body (see parse.h), for the two
 * places that run it: parse.c's parse_frame(), and the worker's per-packet
 * loop (io.c), where it is inlined: a call per packet there costs more than
 * the common frame's parse itself. One source: the two cannot differ.
 * Internal to the dataplane; nothing else includes it. */
#ifndef ADUANA_PARSE_FRAME_H
#define ADUANA_PARSE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

#define PARSE_ETH_HLEN	   14
#define PARSE_VLAN_HLEN	   4
#define PARSE_VLAN_MAX	   2
#define PARSE_IPV4_HLEN	   20
#define PARSE_IPV6_HLEN	   40
#define PARSE_IPV6_EXT_MAX 8
#define PARSE_TCP_HLEN	   20
#define PARSE_UDP_HLEN	   8
#define PARSE_ICMP_HLEN	   8 /* type, code, checksum and the 4-byte rest of header */

#define PARSE_ETH_IPV4	     0x0800
#define PARSE_ETH_ARP	     0x0806
#define PARSE_ETH_IPV6	     0x86dd
#define PARSE_ETH_VLAN	     0x8100
#define PARSE_ETH_QINQ	     0x88a8
#define PARSE_ETH_QINQ_OLD   0x9100
#define PARSE_ETH_PPPOE_DISC 0x8863
#define PARSE_ETH_PPPOE_SESS 0x8864
#define PARSE_PPPOE_HLEN     8 /* 6-byte PPPoE header + 2-byte PPP protocol */

#define PARSE_P_HOPOPTS	 0
#define PARSE_P_ICMP	 1
#define PARSE_P_TCP	 6
#define PARSE_P_UDP	 17
#define PARSE_P_ROUTING	 43
#define PARSE_P_FRAGMENT 44
#define PARSE_P_ESP	 50
#define PARSE_P_AH	 51
#define PARSE_P_ICMPV6	 58
#define PARSE_P_NONE	 59
#define PARSE_P_DSTOPTS	 60

static inline uint16_t parse_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t parse_min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline bool parse_is_mapped(const uint8_t a[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, mapped, sizeof(mapped)) == 0;
}

/*
 * Parse the L4 header at off. The IP header claims the datagram ends at
 * `claimed`; the frame may end earlier (`have` = min(claimed, len)). Needing
 * bytes beyond `have` is a truncated header, a header field contradicting
 * `claimed` is a bad one. Returns the error, or PARSE_ERR_NONE.
 */
static inline enum parse_error parse_l4(const uint8_t *data, uint32_t off, uint32_t claimed,
					uint32_t have, bool first_frag, struct parse_result *r)
{
	const uint8_t *l4 = data + off;
	uint32_t avail = have - off;
	uint32_t hlen;

	r->l4_off = (uint16_t)off;
	r->payload_off = (uint16_t)off;
	switch (r->l4proto) {
	case PARSE_P_TCP: {
		if (avail < PARSE_TCP_HLEN)
			return PARSE_ERR_truncated_tcp;
		r->sport = parse_rd16(l4);
		r->dport = parse_rd16(l4 + 2);
		r->tcp_flags = l4[13];
		r->tcp_seq = (uint32_t)parse_rd16(l4 + 4) << 16 | parse_rd16(l4 + 6);
		hlen = (uint32_t)(l4[12] >> 4) * 4;
		if (hlen < PARSE_TCP_HLEN || off + hlen > claimed)
			return PARSE_ERR_bad_tcp_doff;
		if (hlen > avail) /* options cut by the end of the frame */
			return PARSE_ERR_truncated_tcp;
		break;
	}
	case PARSE_P_UDP: {
		uint32_t ulen;

		if (avail < PARSE_UDP_HLEN)
			return PARSE_ERR_truncated_udp;
		r->sport = parse_rd16(l4);
		r->dport = parse_rd16(l4 + 2);
		ulen = parse_rd16(l4 + 4);
		/* A first fragment carries only part of the datagram that the
		 * UDP length describes, so only the lower bound holds there.
		 * A whole datagram's UDP length is the rest of it: bytes past
		 * it inside the IP datagram are no UDP payload, yet every
		 * router carries them to the receiver's host (a carrier past
		 * the DNS query we judged: red team round 22, dns_udp_trailer).
		 * No honest sender leaves any. */
		if (ulen < PARSE_UDP_HLEN || (!first_frag && off + ulen != claimed))
			return PARSE_ERR_bad_udp_len;
		hlen = PARSE_UDP_HLEN;
		break;
	}
	case PARSE_P_ICMP:
	case PARSE_P_ICMPV6: {
		uint8_t type, code, echo_req, echo_rep;
		uint16_t service;

		if ((r->l4proto == PARSE_P_ICMP) != (r->family == 4)) {
			hlen = 0; /* ICMP in the wrong IP version: no ports */
			break;
		}
		if (avail < PARSE_ICMP_HLEN)
			return PARSE_ERR_truncated_icmp;
		type = l4[0];
		code = l4[1];
		echo_req = r->family == 4 ? 8 : 128;
		echo_rep = r->family == 4 ? 0 : 129;
		r->icmp_type = type;
		if (type == echo_req || type == echo_rep) {
			/* A ping and its reply must be one flow, and separate pings
			 * separate flows: the requester's "port" is the identifier
			 * and the responder's is the request type, mirrored like a
			 * TCP client and server. */
			service = (uint16_t)(echo_req << 8 | code);
			if (type == echo_req) {
				r->sport = parse_rd16(l4 + 4);
				r->dport = service;
			} else {
				r->sport = service;
				r->dport = parse_rd16(l4 + 4);
			}
		} else {
			r->sport = 0;
			r->dport = (uint16_t)(type << 8 | code);
		}
		hlen = PARSE_ICMP_HLEN;
		break;
	}
	default:
		/* ESP, no-next-header, GRE, SCTP, ...: no ports; the rest is payload. */
		hlen = 0;
		break;
	}
	r->payload_off = (uint16_t)(off + hlen);
	r->payload_len = (uint16_t)(avail - hlen);
	return PARSE_ERR_NONE;
}

/*
 * Common tail of IPv4 and IPv6 once the L3 header is valid: off is the L4
 * header, claimed the datagram's end per the IP header, len the frame's end.
 * A datagram longer than the frame is an error; when the frame ends inside
 * the L4 header the L4 error is the more precise one (and the addresses are
 * still good), otherwise the IP length itself is to blame.
 */
static inline void parse_l3_tail(const uint8_t *data, uint32_t off, uint32_t claimed, uint32_t len,
				 enum parse_error len_err, struct parse_result *r)
{
	uint32_t have = parse_min32(claimed, len);
	enum parse_error err = PARSE_ERR_NONE;

	if (r->frag == PARSE_FRAG_LATER) {
		/* No L4 header in a later fragment: nothing to identify it by
		 * but the addresses and protocol. */
		r->l4_off = (uint16_t)off;
		r->payload_off = (uint16_t)off;
		r->payload_len = (uint16_t)(have - off);
	} else {
		err = parse_l4(data, off, claimed, have, r->frag == PARSE_FRAG_FIRST, r);
	}
	if (err != PARSE_ERR_NONE) {
		r->err = (uint8_t)err;
		return;
	}
	if (claimed > len) {
		r->kind = PARSE_BAD_L3;
		r->err = (uint8_t)len_err;
	}
}

static inline void parse_ipv4(const uint8_t *data, uint32_t len, uint32_t off,
			      struct parse_result *r)
{
	const uint8_t *ip = data + off;
	uint32_t ihl, total, fo;

	r->kind = PARSE_BAD_L3;
	if (len - off < PARSE_IPV4_HLEN) {
		r->err = PARSE_ERR_truncated_ipv4;
		return;
	}
	if (ip[0] >> 4 != 4) {
		r->err = PARSE_ERR_bad_ipv4_version;
		return;
	}
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < PARSE_IPV4_HLEN) {
		r->err = PARSE_ERR_bad_ipv4_ihl;
		return;
	}
	if (ihl > len - off) {
		r->err = PARSE_ERR_truncated_ipv4;
		return;
	}
	total = parse_rd16(ip + 2);
	if (total < ihl) {
		r->err = PARSE_ERR_bad_ipv4_total_len;
		return;
	}

	r->kind = PARSE_IP;
	r->family = 4;
	r->l4proto = ip[9];
	r->src[10] = r->src[11] = 0xff;
	r->dst[10] = r->dst[11] = 0xff;
	memcpy(r->src + 12, ip + 12, 4);
	memcpy(r->dst + 12, ip + 16, 4);
	fo = parse_rd16(ip + 6);
	if (fo & 0x1fff)
		r->frag = PARSE_FRAG_LATER;
	else if (fo & 0x2000)
		r->frag = PARSE_FRAG_FIRST;
	parse_l3_tail(data, off + ihl, off + total, len, PARSE_ERR_bad_ipv4_total_len, r);
}

static inline void parse_ipv6(const uint8_t *data, uint32_t len, uint32_t off,
			      struct parse_result *r)
{
	const uint8_t *ip = data + off;
	uint32_t claimed, have, hlen;
	uint8_t nh;
	unsigned n_ext;
	bool seen_frag = false;

	r->kind = PARSE_BAD_L3;
	if (len - off < PARSE_IPV6_HLEN) {
		r->err = PARSE_ERR_truncated_ipv6;
		return;
	}
	if (ip[0] >> 4 != 6) {
		r->err = PARSE_ERR_bad_ipv6_version;
		return;
	}
	r->family = 6;
	memcpy(r->src, ip + 8, 16);
	memcpy(r->dst, ip + 24, 16);
	/* IPv4 is kept as ::ffff:a.b.c.d here; a packet that carries such an
	 * address would otherwise be judged as the IPv4 host it names. */
	if (parse_is_mapped(r->src) || parse_is_mapped(r->dst)) {
		r->err = PARSE_ERR_ipv6_mapped_addr;
		return;
	}
	claimed = off + PARSE_IPV6_HLEN + parse_rd16(ip + 4);
	have = parse_min32(claimed, len);
	nh = ip[6];
	off += PARSE_IPV6_HLEN;

	/* Extension headers are part of L3: an error in them leaves the
	 * packet without a trustworthy L4 identity, so the kind stays BAD_L3. */
	for (n_ext = 0;; n_ext++) {
		const uint8_t *x = data + off;

		if (nh != PARSE_P_HOPOPTS && nh != PARSE_P_ROUTING && nh != PARSE_P_DSTOPTS &&
		    nh != PARSE_P_FRAGMENT && nh != PARSE_P_AH)
			break;
		if (n_ext == PARSE_IPV6_EXT_MAX) {
			r->err = PARSE_ERR_too_many_ipv6_ext;
			return;
		}
		/* Hop-by-Hop options come right after the IPv6 header or not
		 * at all: a host drops a packet with them anywhere else, so
		 * its bytes must not count as read. */
		if (nh == PARSE_P_HOPOPTS && n_ext > 0) {
			r->err = PARSE_ERR_ipv6_hopopts_late;
			return;
		}
		if (have - off < 8) { /* every extension header is at least 8 bytes */
			r->err = PARSE_ERR_truncated_ipv6_ext;
			return;
		}
		if (nh == PARSE_P_FRAGMENT) {
			uint16_t fo = parse_rd16(x + 2);

			/* One Fragment header at most (RFC 8200 4.1: each
			 * header but Destination Options once): Linux refuses
			 * a second one, after an atomic fragment's or inside
			 * a datagram it made whole (ipv6_frag_rcv,
			 * IP6SKB_FRAGMENTED). Read as the first alone, an
			 * atomic one in front of a real fragment made a
			 * "whole" datagram whose inner fragment went on as an
			 * exception (red team round 44, rt44_frag6_nest_vk). */
			if (seen_frag) {
				r->err = PARSE_ERR_ipv6_frag_twice;
				return;
			}
			seen_frag = true;
			hlen = 8;
			/* Offset 0 without M is an atomic fragment (RFC 6946):
			 * a whole packet, not a fragment. */
			if (fo & 0xfff8)
				r->frag = PARSE_FRAG_LATER;
			else if (fo & 1)
				r->frag = PARSE_FRAG_FIRST;
		} else if (nh == PARSE_P_AH) {
			hlen = ((uint32_t)x[1] + 2) * 4;
		} else {
			hlen = ((uint32_t)x[1] + 1) * 8;
		}
		if (hlen > have - off) {
			r->err = PARSE_ERR_truncated_ipv6_ext;
			return;
		}
		nh = x[0];
		off += hlen;
		if (r->frag == PARSE_FRAG_LATER)
			break; /* what follows is the middle of someone's payload */
	}

	r->kind = PARSE_IP;
	r->l4proto = nh;
	parse_l3_tail(data, off, claimed, len, PARSE_ERR_bad_ipv6_payload_len, r);
}

static inline __attribute__((always_inline)) void
parse_frame_inline(const uint8_t *data, uint32_t len, struct parse_result *r)
{
	uint32_t off = PARSE_ETH_HLEN;
	uint16_t etype;

	/* About 54 bytes: cheaper than tracking which fields each path must
	 * set, and every field is defined whatever the kind. */
	memset(r, 0, sizeof(*r));
	if (len < PARSE_ETH_HLEN) {
		r->kind = PARSE_BAD_L2;
		r->err = PARSE_ERR_truncated_l2;
		return;
	}
	/* The result's offsets are 16-bit and no Ethernet frame is longer:
	 * clamp rather than let a bogus length overflow them. */
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	etype = parse_rd16(data + 12);
	while (etype == PARSE_ETH_VLAN || etype == PARSE_ETH_QINQ || etype == PARSE_ETH_QINQ_OLD) {
		if (r->n_vlans == PARSE_VLAN_MAX) {
			r->kind = PARSE_BAD_L2;
			r->err = PARSE_ERR_too_many_vlans;
			return;
		}
		if (len - off < PARSE_VLAN_HLEN) {
			r->kind = PARSE_BAD_L2;
			r->err = PARSE_ERR_truncated_vlan;
			return;
		}
		if (r->n_vlans == 0)
			r->vlan = parse_rd16(data + off) & 0x0fff;
		r->n_vlans++;
		etype = parse_rd16(data + off + 2);
		off += PARSE_VLAN_HLEN;
	}
	if (etype == PARSE_ETH_PPPOE_SESS) {
		uint16_t ppp;

		if (len - off < PARSE_PPPOE_HLEN) {
			r->kind = PARSE_BAD_L2;
			r->err = PARSE_ERR_truncated_pppoe;
			return;
		}
		ppp = parse_rd16(data + off + 6);
		off += PARSE_PPPOE_HLEN;
		/* IP inside PPP is judged like any IP; PPP's own control
		 * protocols (LCP, IPCP, auth: 0x8000 and up) keep the link up. */
		etype = ppp == 0x0021	? PARSE_ETH_IPV4
			: ppp == 0x0057 ? PARSE_ETH_IPV6
			: ppp >= 0x8000 ? PARSE_ETH_ARP
					: 0;
	} else if (etype == PARSE_ETH_PPPOE_DISC) {
		etype = PARSE_ETH_ARP;
	}
	r->l3_off = (uint16_t)off;

	switch (etype) {
	case PARSE_ETH_IPV4:
		parse_ipv4(data, len, off, r);
		break;
	case PARSE_ETH_IPV6:
		parse_ipv6(data, len, off, r);
		break;
	case PARSE_ETH_ARP:
		r->kind = PARSE_L2_PASS;
		break;
	default:
		r->kind = PARSE_L2_OTHER;
		break;
	}
}

#endif
