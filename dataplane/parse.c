/* L2-L4 parser (see parse.h). Every read is bounds-checked against the
 * frame, so a hostile or truncated frame can only produce an error. */
#include "parse.h"
#include "parse_frame.h"

#include <stddef.h>
#include <string.h>

/* Left unformatted: clang-format cannot lay out an X-macro initialiser. */
/* clang-format off */
static const char *const parse_error_names[PARSE_ERR_COUNT] = {
	[PARSE_ERR_NONE] = "none",
#define X(n) [PARSE_ERR_##n] = #n,
	PARSE_ERRORS(X)
#undef X
};
/* clang-format on */

void parse_frame(const uint8_t *data, uint32_t len, struct parse_result *r)
{
	parse_frame_inline(data, len, r);
}

bool parse_is_nd(const struct parse_result *r)
{
	return r->kind == PARSE_IP && r->family == 6 && r->l4proto == PARSE_P_ICMPV6 &&
	       r->err == PARSE_ERR_NONE && r->frag != PARSE_FRAG_LATER && r->icmp_type >= 133 &&
	       r->icmp_type <= 137;
}

static bool parse_icmp_is_error(const struct parse_result *r)
{
	if (r->family == 4 && r->l4proto == PARSE_P_ICMP)
		return r->icmp_type == 3 || r->icmp_type == 4 || r->icmp_type == 5 ||
		       r->icmp_type == 11 || r->icmp_type == 12;
	if (r->family == 6 && r->l4proto == PARSE_P_ICMPV6)
		return r->icmp_type >= 1 && r->icmp_type <= 4;
	return false;
}

bool parse_icmp_inner(const uint8_t *data, uint32_t len, const struct parse_result *outer,
		      struct parse_result *inner)
{
	uint32_t off = (uint32_t)outer->l4_off + PARSE_ICMP_HLEN, hlen;
	const uint8_t *ip;
	uint8_t nh;
	unsigned n_ext;

	if (outer->kind != PARSE_IP || outer->err != PARSE_ERR_NONE ||
	    outer->frag != PARSE_FRAG_NONE || !parse_icmp_is_error(outer))
		return false;
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	memset(inner, 0, sizeof(*inner));
	inner->kind = PARSE_IP;
	inner->vlan = outer->vlan;
	ip = data + off;
	if (outer->family == 4) {
		if (off + PARSE_IPV4_HLEN > len || ip[0] >> 4 != 4)
			return false;
		hlen = (uint32_t)(ip[0] & 0x0f) * 4;
		/* Only a first (or no) fragment carries the ports. */
		if (hlen < PARSE_IPV4_HLEN || off + hlen > len || (parse_rd16(ip + 6) & 0x1fff))
			return false;
		inner->family = 4;
		inner->l4proto = ip[9];
		inner->src[10] = inner->src[11] = inner->dst[10] = inner->dst[11] = 0xff;
		memcpy(inner->src + 12, ip + 12, 4);
		memcpy(inner->dst + 12, ip + 16, 4);
		off += hlen;
	} else {
		if (off + PARSE_IPV6_HLEN > len || ip[0] >> 4 != 6)
			return false;
		inner->family = 6;
		memcpy(inner->src, ip + 8, 16);
		memcpy(inner->dst, ip + 24, 16);
		if (parse_is_mapped(inner->src) || parse_is_mapped(inner->dst))
			return false;
		nh = ip[6];
		off += PARSE_IPV6_HLEN;
		for (n_ext = 0; nh == PARSE_P_HOPOPTS || nh == PARSE_P_ROUTING ||
				nh == PARSE_P_DSTOPTS || nh == PARSE_P_FRAGMENT;
		     n_ext++) {
			if (n_ext == PARSE_IPV6_EXT_MAX || off + 8 > len)
				return false;
			if (nh == PARSE_P_FRAGMENT) {
				if (parse_rd16(data + off + 2) & 0xfff8)
					return false;
				hlen = 8;
			} else {
				hlen = ((uint32_t)data[off + 1] + 1) * 8;
			}
			nh = data[off];
			off += hlen;
		}
		inner->l4proto = nh;
	}
	if (inner->l4proto == PARSE_P_TCP || inner->l4proto == PARSE_P_UDP) {
		/* RFC 792 and 4443 quote at least the first 8 bytes. */
		if (off + 4 > len)
			return false;
		inner->sport = parse_rd16(data + off);
		inner->dport = parse_rd16(data + off + 2);
		inner->l4_off = (uint16_t)off; /* in the outer frame */
		return true;
	}
	return false;
}

bool parse_is_link_service(const struct parse_result *r)
{
	static const uint8_t dhcp6_servers[16] = {0xff, 0x02, [13] = 0x01, [15] = 0x02};

	if (r->kind != PARSE_IP || r->err != PARSE_ERR_NONE || r->frag != PARSE_FRAG_NONE)
		return false;
	/* DHCP client to server, from a host without an address yet: from
	 * 0.0.0.0 to the limited broadcast (RFC 2131 4.1; a client with an
	 * address has a zone, and its zone's policy judges it). Any other
	 * address there left the link (red team round 21: one-way exfil to
	 * any address from a forged unzoned source). */
	if (r->l4proto == PARSE_P_UDP && r->family == 4)
		return r->sport == 68 && r->dport == 67 &&
		       memcmp(r->src + 12, "\0\0\0\0", 4) == 0 &&
		       memcmp(r->dst + 12, "\xff\xff\xff\xff", 4) == 0;
	if (r->family != 6)
		return false;
	/* Link-local (fe80::/10) or unspecified sources only: these never leave the link. */
	if (!((r->src[0] == 0xfe && (r->src[1] & 0xc0) == 0x80) ||
	      (r->src[0] == 0 && memcmp(r->src, r->src + 1, 15) == 0)))
		return false;
	if (r->l4proto == PARSE_P_UDP)
		return r->sport == 546 && r->dport == 547 && memcmp(r->dst, dhcp6_servers, 16) == 0;
	if (r->l4proto == PARSE_P_ICMPV6) /* MLD query, report, done; MLDv2 report */
		return r->icmp_type == 130 || r->icmp_type == 131 || r->icmp_type == 132 ||
		       r->icmp_type == 143;
	return false;
}

static inline uint64_t parse_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* One side's (address, port), mixed on its own so that combining the two
 * sides with a commutative + keeps the hash symmetric without the
 * cancellations a plain xor of the raw fields would have. */
static inline uint64_t parse_side_hash(const uint8_t addr[16], uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, addr, 8);
	memcpy(&w1, addr + 8, 8);
	return parse_fmix64(w0 * 0x9e3779b97f4a7c15ULL ^ parse_fmix64(w1 ^ port));
}

uint32_t parse_sym_hash(const struct parse_result *r)
{
	uint64_t h = parse_side_hash(r->src, r->sport) + parse_side_hash(r->dst, r->dport);

	h = parse_fmix64(h ^ (uint64_t)r->l4proto << 56);
	return (uint32_t)(h ^ h >> 32);
}

uint32_t parse_addr_hash(const struct parse_result *r)
{
	uint64_t h = parse_side_hash(r->src, 0) + parse_side_hash(r->dst, 0);

	h = parse_fmix64(h ^ (uint64_t)r->family << 56);
	return (uint32_t)(h ^ h >> 32);
}

bool parse_dispatch_hash(const uint8_t *data, uint32_t len, uint32_t *hash)
{
	struct parse_result r;
	uint32_t off = PARSE_ETH_HLEN, ihl;
	uint16_t etype;
	const uint8_t *ip;

	if (len < PARSE_ETH_HLEN + PARSE_IPV4_HLEN || len > UINT16_MAX)
		return false;
	etype = parse_rd16(data + 12);
	if (etype == PARSE_ETH_VLAN) {
		etype = parse_rd16(data + off + 2);
		off += PARSE_VLAN_HLEN;
	}
	if (len - off < (etype == PARSE_ETH_IPV6 ? PARSE_IPV6_HLEN : PARSE_IPV4_HLEN))
		return false;
	ip = data + off;
	/* Only what parse_frame certainly takes for PARSE_IP of a flow,
	 * and not ICMP (an error goes with the flow it quotes). */
	if (etype == PARSE_ETH_IPV4) {
		ihl = (uint32_t)(ip[0] & 0x0f) * 4;
		if (ip[0] >> 4 != 4 || ihl < PARSE_IPV4_HLEN || ihl > len - off ||
		    parse_rd16(ip + 2) < ihl || parse_rd16(ip + 2) > len - off ||
		    ip[9] == PARSE_P_ICMP)
			return false;
		memset(r.src, 0, 10);
		memset(r.dst, 0, 10);
		r.src[10] = r.src[11] = r.dst[10] = r.dst[11] = 0xff;
		memcpy(r.src + 12, ip + 12, 4);
		memcpy(r.dst + 12, ip + 16, 4);
		r.family = 4;
	} else if (etype == PARSE_ETH_IPV6) {
		if (ip[0] >> 4 != 6 || (ip[6] != PARSE_P_TCP && ip[6] != PARSE_P_UDP) ||
		    parse_rd16(ip + 4) > len - off - PARSE_IPV6_HLEN)
			return false;
		memcpy(r.src, ip + 8, 16);
		memcpy(r.dst, ip + 24, 16);
		if (parse_is_mapped(r.src) || parse_is_mapped(r.dst))
			return false;
		r.family = 6;
	} else {
		return false;
	}
	*hash = parse_addr_hash(&r);
	return true;
}

const char *parse_error_name(unsigned err)
{
	return err < PARSE_ERR_COUNT ? parse_error_names[err] : NULL;
}
