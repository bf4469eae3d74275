/* L2-L4 parser (see parse.h). Every read is bounds-checked against the
 * frame, so a hostile or truncated frame can only produce an error. */
#include "parse.h"
#include "parse_frame.h"

#include <ctype.h>
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

/*
 * Link services from the inside port, held to what honest stacks send
 * (DESIGN 4.2, docs/stream.md "Link services"). They are passed unjudged so
 * the link works, and every byte of them reaches the outside link (a relay
 * forwards a DHCP message whole to its server off the link): red team round
 * 10 (the twentieth session) carried 1400 bytes a frame in a PADI's
 * Vendor-Specific tag, DHCP and DHCPv6 vendor options, an ND option of an
 * unassigned type, bytes after an MLD report. Each message is read whole:
 * its fixed fields as its RFC sets them for a client (or a host), options
 * and tags of known types only where the set is closed, at the lengths their
 * uses have, each type once, and nothing after the message. Free-form fields
 * (vendor classes and options, user classes, unknown DHCP options) share a
 * small budget.
 */

/* DHCP (RFC 2131, 2132): the fixed BOOTP part, the magic cookie, and at
 * most 312 bytes of options with the pad after END: the options field of the
 * 576-byte message every client keeps to (RFC 2131 2: dhclient builds its
 * messages for 576 bytes unless told more, systemd-networkd's are 312 bytes
 * of options, Windows' and dhcpcd's are smaller). */
#define LINK_DHCP_FIXED	   236
#define LINK_DHCP_OPTS_MAX 312
/* The free-form options of one message, DHCP or DHCPv6, together: a vendor
 * class ("MSFT 5.0", "android-dhcp-14", dhcpcd's "dhcpcd-10.0.6:Linux-6.8.0-
 * 45-generic:x86_64:GenuineIntel"), iPXE's user class and encapsulated
 * options, PXE's vendor options. */
#define LINK_FREEFORM_MAX 128

static bool parse_zeros(const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Whether bit c of seen was set; sets it. */
static bool parse_seen(uint8_t *seen, unsigned c)
{
	bool was = seen[c >> 3] & (1u << (c & 7));

	seen[c >> 3] |= (uint8_t)(1u << (c & 7));
	return was;
}

/* The names a client gives for itself in DHCP (host name, FQDN): the
 * letters, digits, hyphen, dot and underscore of host names, at most
 * LINK_NAME_MAX bytes. Windows, macOS, iOS, Android and Linux clients send
 * their host names (Windows' `DESKTOP-5KQ2R1T`, `Johns-iPhone`); red team
 * round 17 (the twenty-third session) carried 255 bytes of anything in a
 * host name, a client identifier and a DHCPv6 FQDN
 * (rt17_dhcp_hostname_carrier, rt17_dhcp_clientid_carrier,
 * rt17_dhcp6_fqdn_carrier). */
#define LINK_NAME_MAX 64
/* A DUID a client gives for itself (RFC 8415 11: LLT 8 and a hardware
 * address, EN 6 and an identifier, LL 4 and an address, UUID 18): 38
 * bytes hold every one an operating system makes (Windows' and dhclient's
 * LLT 14, systemd's EN 14, a UUID 18, InfiniBand's 20-byte address). */
#define LINK_DUID_MAX 38

static bool parse_host_chars(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!isalnum(p[i]) && p[i] != '-' && p[i] != '.' && p[i] != '_')
			return false;
	return true;
}

/* An IPv6 address a host or a server has: not unspecified, not multicast. */
static bool parse_v6_unicast(const uint8_t *a)
{
	return a[0] != 0xff && !parse_zeros(a, 16);
}

/* Printable ASCII, the space included: a user name, a URI, a peer's text. */
static bool parse_printable(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* A name in DNS wire form of host-name labels, exactly n bytes (RFC 4704
 * allows a partial name without the root). */
static bool parse_host_wire(const uint8_t *p, uint32_t n)
{
	uint32_t i = 0;

	if (n > LINK_NAME_MAX + 2)
		return false;
	while (i < n) {
		uint8_t l = p[i];

		if (l == 0)
			return i + 1 == n;
		if (l > 63 || i + 1u + l > n || !parse_host_chars(p + i + 1, l))
			return false;
		i += 1u + l;
	}
	return true;
}

static bool parse_link_dhcp4(const uint8_t *p, uint32_t n)
{
	uint8_t seen[32] = {0};
	uint32_t i, freeform = 0;
	int type = -1;

	if (n < LINK_DHCP_FIXED + 4 || n > LINK_DHCP_FIXED + 4 + LINK_DHCP_OPTS_MAX)
		return false;
	/* A client's request (op 1), hops 0, only the broadcast flag; yiaddr,
	 * siaddr and giaddr 0, chaddr past its length, sname and file unused
	 * (RFC 2131 table 5: no client overloads them); the cookie. */
	if (p[0] != 1 || p[2] > 16 || p[3] != 0 || (p[10] & 0x7f) || p[11] ||
	    !parse_zeros(p + 16, 12) || !parse_zeros(p + 28 + p[2], 16u - p[2]) ||
	    !parse_zeros(p + 44, 192) || memcmp(p + 236, "\x63\x82\x53\x63", 4) != 0)
		return false;
	for (i = LINK_DHCP_FIXED + 4; i < n;) {
		uint8_t c = p[i], l;

		if (c == 0) {
			i++;
			continue;
		}
		if (c == 255) /* END; then only the pad to BOOTP's 300 bytes */
			return type >= 0 && parse_zeros(p + i + 1, n - i - 1);
		if (i + 2 > n || i + 2u + p[i + 1] > n || parse_seen(seen, c))
			return false;
		l = p[i + 1];
		switch (c) {
		case 53: /* DISCOVER, REQUEST, DECLINE, RELEASE, INFORM */
			if (l != 1 || (p[i + 2] != 1 && p[i + 2] != 3 && p[i + 2] != 4 &&
				       p[i + 2] != 7 && p[i + 2] != 8))
				return false;
			type = p[i + 2];
			break;
		case 50:  /* requested address */
		case 51:  /* lease time */
		case 54:  /* server identifier */
		case 118: /* subnet selection */
			if (l != 4)
				return false;
			break;
		case 57: /* maximum message size */
			if (l != 2)
				return false;
			break;
		case 116: /* auto-configure */
		case 145: /* FORCERENEW nonce capable */
			if (l < 1 || l > 4)
				return false;
			break;
		case 80: /* rapid commit */
			if (l != 0)
				return false;
			break;
		case 55: /* parameter request list: Windows asks 14, dhcpcd about 25 */
			if (l < 1 || l > 64)
				return false;
			break;
		case 12: /* host name */
			if (l < 1 || l > LINK_NAME_MAX || !parse_host_chars(p + i + 2, l))
				return false;
			break;
		case 61: /* client identifier: a MAC, or IAID and DUID (RFC 4361) */
			if (l < 2 || (p[i + 2] == 1 ? l != 7
				      : p[i + 2] == 255 ? l < 1 + 4 + 2 || l > 1 + 4 + LINK_DUID_MAX
							: (freeform += l) > LINK_FREEFORM_MAX))
				return false;
			break;
		case 81: /* client FQDN: flags, two RCODEs, a name (E: in wire form) */
			if (l < 3 || ((p[i + 2] & 0x04) ? !parse_host_wire(p + i + 5, l - 3u)
						       : l - 3u > LINK_NAME_MAX ||
								 !parse_host_chars(p + i + 5, l - 3u)))
				return false;
			break;
		case 93: /* PXE client system architectures */
			if (l < 2 || l > 16 || (l & 1))
				return false;
			break;
		case 94: /* PXE network interface identifier */
			if (l != 3)
				return false;
			break;
		case 97: /* PXE client machine identifier: a type and a GUID */
			if (l != 17)
				return false;
			break;
		default: /* vendor class and options, user class, iPXE's 175, others */
			freeform += l;
			if (freeform > LINK_FREEFORM_MAX)
				return false;
			break;
		}
		i += 2u + l;
	}
	return false; /* no END */
}

/* The options inside a DHCPv6 IA_NA, IA_TA or IA_PD a client sends: the
 * addresses (IAADDR, 24 bytes) or prefixes (IAPREFIX, 25) it asks for, with
 * no options of their own. */
static bool parse_link_dhcp6_ia(const uint8_t *p, uint32_t n, uint16_t want, uint16_t want_len)
{
	uint32_t i;

	for (i = 0; i < n;) {
		if (i + 4 > n || parse_rd16(p + i) != want || parse_rd16(p + i + 2) != want_len ||
		    i + 4u + want_len > n)
			return false;
		i += 4u + want_len;
	}
	return true;
}

/* DHCPv6 (RFC 8415) from a client to All_DHCP_Relay_Agents_and_Servers.
 * One IA_NA and one IA_TA at most, and two IA_PD (a router asking for a
 * prefix per downstream link): Windows, NetworkManager, systemd-networkd
 * and dhclient ask for one of each kind; seven IA_NA of four addresses
 * each carried 756 bytes a Solicit (red team round 18, the twenty-fourth
 * session: rt18_dhcp6_ia). The server identifier only in the messages
 * that name the server (RFC 8415 16: Request, Renew, Release, Decline,
 * Information-request), its DUID as LINK_DUID_MAX bounds a client's. */
#define LINK_DHCP6_MAX 1024
#define LINK_DHCP6_IA_MAX 4 /* addresses or prefixes in one IA */
#define LINK_DHCP6_PD_MAX 2 /* IA_PD options in one message */

static bool parse_link_dhcp6(const uint8_t *p, uint32_t n)
{
	uint8_t seen[8] = {0};
	uint32_t i, freeform = 0, pd = 0;

	if (n < 4 || n > LINK_DHCP6_MAX)
		return false;
	/* Solicit, Request, Confirm, Renew, Rebind, Release, Decline,
	 * Information-request */
	switch (p[0]) {
	case 1: case 3: case 4: case 5: case 6: case 8: case 9: case 11:
		break;
	default:
		return false;
	}
	for (i = 4; i < n;) {
		uint16_t c, l;

		if (i + 4 > n)
			return false;
		c = parse_rd16(p + i);
		l = parse_rd16(p + i + 2);
		if (i + 4u + l > n)
			return false;
		/* each once, but IA_PD (LINK_DHCP6_PD_MAX) */
		if (c < 64 && c != 25 && parse_seen(seen, c))
			return false;
		switch (c) {
		case 1: /* client identifier: the client's own DUID */
			if (l < 2 || l > LINK_DUID_MAX)
				return false;
			break;
		case 2: /* server identifier: the server's, as it gave it */
			if (l < 2 || l > LINK_DUID_MAX || p[0] == 1 || p[0] == 4 || p[0] == 6)
				return false;
			break;
		case 3: /* IA_NA: IAID, T1, T2, addresses */
			if (l < 12 || l > 12 + LINK_DHCP6_IA_MAX * 28 ||
			    !parse_link_dhcp6_ia(p + i + 16, l - 12u, 5, 24))
				return false;
			break;
		case 4: /* IA_TA: IAID, addresses */
			if (l < 4 || l > 4 + LINK_DHCP6_IA_MAX * 28 ||
			    !parse_link_dhcp6_ia(p + i + 8, l - 4u, 5, 24))
				return false;
			break;
		case 25: /* IA_PD: IAID, T1, T2, prefixes */
			if (++pd > LINK_DHCP6_PD_MAX || l < 12 || l > 12 + LINK_DHCP6_IA_MAX * 29 ||
			    !parse_link_dhcp6_ia(p + i + 16, l - 12u, 26, 25))
				return false;
			break;
		case 6: /* option request: Windows asks 3, NetworkManager about 10 */
			if (l < 2 || l > 64 || (l & 1))
				return false;
			break;
		case 8: /* elapsed time */
			if (l != 2)
				return false;
			break;
		case 14: /* rapid commit */
		case 20: /* reconfigure accept */
			if (l != 0)
				return false;
			break;
		case 39: /* client FQDN: flags and a name in wire form (RFC 4704 4.2) */
			if (l < 1 || !parse_host_wire(p + i + 5, l - 1u))
				return false;
			break;
		case 61: /* PXE client system architectures */
			if (l < 2 || l > 16 || (l & 1))
				return false;
			break;
		case 62: /* PXE network interface identifier */
			if (l != 3)
				return false;
			break;
		default: /* user class, vendor class and options, others */
			freeform += l;
			if (freeform > LINK_FREEFORM_MAX)
				return false;
			break;
		}
		i += 4u + l;
	}
	return true;
}

/* MLD from a host or a querier (RFC 2710, 3810): the message its type
 * defines, nothing after it; groups are multicast; MLDv2 records have no
 * auxiliary data (RFC 3810 5.2.10: MUST be 0). Sources are unicast
 * addresses, at most LINK_MLD_SOURCES in a report (all its records: an
 * IPTV receiver's source-specific channels, one to a few sources each) and
 * LINK_MLD_QUERY_SOURCES in a query (a querier's group-and-source query
 * from an inside host, rare), and a report has at most LINK_MLD_RECORDS
 * records (a host's groups: solicited-node, mDNS, LLMNR, SSDP, a few
 * more). A record of 80 sources carried 1280 bytes a report, and a query
 * as many (red team round 18, the twenty-fourth session: rt18_mld_src,
 * rt18_mld_query_src; must-allow rt18_mld_ssm_ok). */
#define LINK_MLD_SOURCES       16
#define LINK_MLD_QUERY_SOURCES 8
#define LINK_MLD_RECORDS       32

static bool parse_mld_sources(const uint8_t *p, uint32_t ns)
{
	for (uint32_t j = 0; j < ns; j++)
		if (!parse_v6_unicast(p + 16 * j))
			return false;
	return true;
}

static bool parse_link_mld(const uint8_t *p, uint32_t n)
{
	uint32_t i, k, nrec, ns, total = 0;

	if (n < 24 || p[1] != 0)
		return false;
	switch (p[0]) {
	case 130: /* query: MLDv1 24 bytes, MLDv2 28 and its sources; reserved
		   * 0, the group unspecified (a general query) or multicast
		   * (red team round 19: 20 bytes of anything there,
		   * rt19_mld_qgrp) */
		if (p[6] || p[7] || (p[8] != 0xff && !parse_zeros(p + 8, 16)))
			return false;
		if (n == 24)
			return true;
		ns = n >= 28 ? parse_rd16(p + 26) : 0;
		return n >= 28 && n == 28 + 16u * ns && !(p[24] & 0xf0) &&
		       ns <= LINK_MLD_QUERY_SOURCES && parse_mld_sources(p + 28, ns);
	case 131: /* MLDv1 report, done: max delay and reserved 0 */
	case 132:
		return n == 24 && p[8] == 0xff && parse_zeros(p + 4, 4);
	case 143: /* MLDv2 report: reserved 0 */
		if (p[4] || p[5])
			return false;
		nrec = parse_rd16(p + 6);
		if (nrec > LINK_MLD_RECORDS)
			return false;
		for (i = 8, k = 0; k < nrec; k++) {
			if (i + 20 > n || p[i] < 1 || p[i] > 6 || p[i + 1] != 0 || p[i + 4] != 0xff)
				return false;
			ns = parse_rd16(p + i + 2);
			total += ns;
			if (total > LINK_MLD_SOURCES || i + 20u + 16u * ns > n ||
			    !parse_mld_sources(p + i + 20, ns))
				return false;
			i += 20u + 16u * ns;
		}
		return i == n;
	default:
		return false;
	}
}

/* Neighbour discovery from a host (RFC 4861): the message, then options of
 * the types its message takes, at their lengths (Ethernet's link-layer
 * address: 1; a nonce, RFC 3971 and 7527: 1 to 4), each once but a router
 * advertisement's prefixes and routes. Receivers skip an option they do not
 * know (4.6), so one of any other type is a carrier. Redirects are a
 * router's to a host on its own link; an inside host has no reason to send
 * one across aduana (refused). */
#define LINK_ND_RA_MAX 1024
/* A router advertisement's options whose contents are read (red team round
 * 18, the twenty-fourth session: rt18_nd_ra_fill carried 880 bytes an RA
 * in a search list of no names, a captive portal of no URI and 24 DNS
 * "servers"): a search list (RFC 8106 5.2) of names in wire form of
 * host-name labels, then zeros; a captive portal (RFC 8910 2.3) of a
 * printable URI, then zeros; RDNSS of unicast addresses, LINK_ND_RDNSS_MAX
 * in all (radvd's and routers' few). */
#define LINK_ND_RDNSS_MAX 4
/* An RA's prefixes and routes (RFC 4861 4.6.2, RFC 4191 2.3): reserved
 * fields 0, a prefix length of at most 128 with the bits past it 0, a
 * route option's length as its prefix length needs, LINK_ND_PREFIX_MAX of
 * each (red team round 19, the twenty-fourth session: 30 prefixes and 41
 * routes of anything carried about 900 bytes an RA, rt19_nd_ra_prefix_fill,
 * rt19_nd_ra_rio; odhcpd's RA passes, rt19_nd_ra_openwrt_ok). */
#define LINK_ND_PREFIX_MAX 8

/* The bits of a prefix (16 bytes at a) past its length len are 0. */
static bool parse_prefix_clean(const uint8_t *a, unsigned len, unsigned bytes)
{
	unsigned i;

	if (len > 128 || len > bytes * 8u)
		return false;
	if (len % 8 && (a[len / 8] & (0xffu >> (len % 8))))
		return false;
	for (i = (len + 7) / 8; i < bytes; i++)
		if (a[i])
			return false;
	return true;
}

/* DNSSL's names (RFC 8106 5.2): labels of host-name characters, each name
 * ended by its root, the rest zeros. */
static bool parse_nd_dnssl(const uint8_t *p, uint32_t n)
{
	uint32_t i = 0;
	bool any = false;

	while (i < n && p[i]) {
		uint32_t k = i;

		while (k < n && p[k]) {
			if (p[k] > 63 || k + 1u + p[k] >= n || !parse_host_chars(p + k + 1, p[k]))
				return false;
			k += 1u + p[k];
		}
		if (k >= n || k - i > 254) /* its root, within the option */
			return false;
		i = k + 1;
		any = true;
	}
	return any && parse_zeros(p + i, n - i);
}

static bool parse_link_nd(const uint8_t *p, uint32_t n)
{
	uint8_t seen[8] = {0};
	uint32_t i, base, rdnss = 0, prefixes = 0, routes = 0;

	if (p[1] != 0) /* RFC 4861 6.1, 7.1: code 0 */
		return false;
	switch (p[0]) {
	case 133: /* RS: reserved */
		base = 8;
		if (n < base || !parse_zeros(p + 4, 4))
			return false;
		break;
	case 134: /* RA */
		base = 16;
		if (n < base || n > LINK_ND_RA_MAX)
			return false;
		break;
	case 135: /* NS: reserved, target */
		base = 24;
		if (n < base || !parse_zeros(p + 4, 4))
			return false;
		break;
	case 136: /* NA: R, S, O, reserved, target */
		base = 24;
		if (n < base || (p[4] & 0x1f) || !parse_zeros(p + 5, 3))
			return false;
		break;
	default:
		return false;
	}
	for (i = base; i < n;) {
		uint8_t t = p[i], l;

		if (i + 2 > n || p[i + 1] == 0 || i + 8u * p[i + 1] > n)
			return false;
		l = p[i + 1];
		if (t != 3 && t != 24 && t != 25 && parse_seen(seen, t & 63))
			return false;
		switch (t) {
		case 1: /* source link-layer address */
			if (l != 1 || p[0] == 136)
				return false;
			break;
		case 2: /* target link-layer address */
			if (l != 1 || p[0] != 136)
				return false;
			break;
		case 14: /* nonce */
			if (l > 4 || p[0] == 134)
				return false;
			break;
		case 3:	 /* prefix information */
		case 5:	 /* MTU */
		case 7:	 /* advertisement interval */
		case 8:	 /* home agent information */
		case 24: /* route information */
		case 25: /* recursive DNS servers */
		case 26: /* RA flags extension */
		case 31: /* DNS search list */
		case 37: /* captive portal */
		case 38: /* PREF64 */
			if (p[0] != 134 || (t == 3 && l != 4) || ((t == 5 || t == 7 || t == 8 || t == 26) && l != 1) ||
			    (t == 24 && l > 3) || (t == 25 && (l < 3 || !(l & 1))) ||
			    (t == 31 && (l < 2 || l > 32)) || (t == 37 && l > 32) || (t == 38 && l != 2))
				return false;
			if (t == 3) {
				/* length, flags L A R P (RFC 9762), lifetimes, reserved, prefix */
				if (++prefixes > LINK_ND_PREFIX_MAX || (p[i + 3] & 0x0f) ||
				    !parse_zeros(p + i + 12, 4) ||
				    !parse_prefix_clean(p + i + 16, p[i + 2], 16))
					return false;
			} else if (t == 24) {
				/* length, reserved, preference, reserved, lifetime,
				 * the prefix in 0, 8 or 16 bytes as its length needs */
				unsigned plen = p[i + 2], need = plen == 0 ? 1 : plen <= 64 ? 2 : 3;

				if (++routes > LINK_ND_PREFIX_MAX || (p[i + 3] & 0xe7) ||
				    (p[i + 3] & 0x18) == 0x10 || l < need ||
				    !parse_prefix_clean(p + i + 8, plen, 8u * l - 8u))
					return false;
			} else if (t == 25) {
				uint32_t a, na = (l - 1u) / 2u;

				if ((rdnss += na) > LINK_ND_RDNSS_MAX || !parse_zeros(p + i + 2, 2))
					return false;
				for (a = 0; a < na; a++)
					if (!parse_v6_unicast(p + i + 8 + 16 * a))
						return false;
			} else if (t == 31) {
				if (!parse_zeros(p + i + 2, 2) || !parse_nd_dnssl(p + i + 8, 8u * l - 8u))
					return false;
			} else if (t == 37) {
				uint32_t u = 0, len = 8u * l - 2u;

				while (u < len && p[i + 2 + u])
					u++;
				if (u == 0 || !parse_printable(p + i + 2, u) ||
				    !parse_zeros(p + i + 2 + u, len - u))
					return false;
			}
			break;
		default:
			return false;
		}
		i += 8u * l;
	}
	return true;
}

/* PPPoE discovery from a client (RFC 2516, 4638, 5578): version and type
 * 1, a client's discovery code (PADI, PADR, PADT; an access
 * concentrator's PADO and PADS come from the outside: from inside, 22
 * Service-Name tags of a PADO carried 1400 bytes, red team round 18, the
 * twenty-fourth session, rt18_pppoe_pado), session 0 before the session,
 * tags of the known types a client sends (no AC-Name, no AC's errors; an
 * AC-Cookie echoed in a PADR or PADT), each once, each at most 64 bytes
 * (Service-Name a short string, pppd's Host-Uniq 4 to 8 bytes, an
 * AC-Cookie a digest, a Vendor-Specific tag from a client a vendor number
 * and a few bytes), nothing after End-Of-List. */
#define LINK_PPPOE_TAG_MAX 64

static bool parse_link_pppoe(const uint8_t *p, uint32_t n)
{
	uint8_t seen[8] = {0}, code;
	uint32_t i, plen;

	if (n < 6 || p[0] != 0x11)
		return false;
	code = p[1];
	switch (code) {
	case 0x09: /* PADI */
	case 0x19: /* PADR */
		if (parse_rd16(p + 2) != 0)
			return false;
		break;
	case 0xa7: /* PADT */
		break;
	default:
		return false;
	}
	plen = parse_rd16(p + 4);
	if (6 + plen > n)
		return false;
	p += 6;
	for (i = 0; i < plen;) {
		uint16_t t, l;

		if (i + 4 > plen)
			return false;
		t = parse_rd16(p + i);
		l = parse_rd16(p + i + 2);
		if (i + 4u + l > plen || l > LINK_PPPOE_TAG_MAX)
			return false;
		switch (t) {
		case 0x0000: /* End-Of-List */
			return l == 0 && i + 4 == plen;
		case 0x0120: /* PPP-Max-Payload */
		case 0x0108: /* Sequence Number */
		case 0x0109: /* Credit Scale Factor */
			if (l != 2)
				return false;
			break;
		case 0x0106: /* Credits */
			if (l != 4)
				return false;
			break;
		case 0x0107: /* Metrics */
			if (l != 10)
				return false;
			break;
		case 0x0104: /* AC-Cookie: the AC's, echoed */
			if (code == 0x09)
				return false;
			break;
		case 0x0203: /* Generic-Error: a client's in its PADT */
			if (code != 0xa7)
				return false;
			break;
		case 0x0101: /* Service-Name */
		case 0x0103: /* Host-Uniq */
		case 0x0105: /* Vendor-Specific */
		case 0x0110: /* Relay-Session-Id */
			break;
		default:
			return false;
		}
		/* 0x0101 to 0x0120 by their low byte, the errors from 33 */
		if (parse_seen(seen, (t >> 8 == 2 ? 32u : 0u) + (t & 0xff)))
			return false;
		i += 4u + l;
	}
	return true;
}

/* A PPP control packet in a PPPoE session (p: the PPPoE header, n bytes
 * to the frame's end) as a client sends it: version and type 1, code 0,
 * the PPPoE length over the protocol and one packet of a control protocol
 * a client negotiates (LCP, PAP, CHAP, EAP, LQR, IPCP, IPv6CP, CCP), its
 * own length exactly the rest (no PPP padding: pppd and Windows send
 * none, and 1400 bytes of it rode an 8-byte echo, red team round 18, the
 * twenty-fourth session: rt18_ppp_pad), and no more than LINK_PPP_MAX
 * bytes of it. LCP's Echo-Request, Echo-Reply and Discard-Request hold the
 * magic number and at most LINK_PPP_ECHO_DATA bytes of data (pppd sends
 * none): a concentrator answers an echo with its data (RFC 1661 5.8), and
 * 1000 bytes of anything rode each one (red team round 8, the twentieth
 * session: rt8b_pppoe_lcp_carrier). LCP's Identification and
 * Time-Remaining (RFC 1570: Windows RAS sends two Identifications in every
 * session, rt18_ppp_win_lcp_ok) hold the magic number, the seconds for
 * Time-Remaining, and at most LINK_PPP_TEXT bytes of printable text. EAP:
 * parse_link_eap. */
#define LINK_PPP_MAX	   300
#define LINK_PPP_ECHO_DATA 16
#define LINK_PPP_TEXT	   64

/* EAP from a PPP client (RFC 3748): the peer sends Responses only (a
 * Request, 1400 bytes of MD5-Challenge, rode from inside: red team round
 * 18, rt18_ppp_eap), each as its method has it: an Identity of printable
 * text, a Notification's empty answer, a Nak's few method types, MD5's 16
 * bytes and a printable name, MS-CHAPv2's message (RFC draft-kamath: 54
 * bytes and a name); EAP-TLS, TTLS and PEAP (13, 21, 25: RFC 5216, 5281)
 * their flags (no Start from a peer, the reserved bits 0), the message
 * length where L says so, and a fragment that starts a message (L) starts
 * with a TLS record header whose records follow one another to its end.
 * A later fragment of a message is bounded by the frame alone: a
 * certificate's bytes are anything, there as in its first fragment. */
#define LINK_EAP_TEXT 128

static bool parse_link_eap(const uint8_t *e, uint32_t clen)
{
	const uint8_t *d = e + 5;
	uint32_t dl, i;

	if (e[0] != 2 || clen < 5) /* a Response, with its type */
		return false;
	dl = clen - 5;
	switch (e[4]) {
	case 1: /* Identity */
		return dl <= LINK_EAP_TEXT && parse_printable(d, dl);
	case 2: /* Notification */
		return dl == 0;
	case 3: /* Nak: the methods it would take */
		return dl >= 1 && dl <= 8;
	case 4: /* MD5-Challenge: value size 16, the value, a name */
		return dl >= 17 && d[0] == 16 && dl - 17 <= LINK_PPP_TEXT &&
		       parse_printable(d + 17, dl - 17);
	case 26: /* MS-CHAPv2 */
		return dl >= 1 && dl <= LINK_EAP_TEXT;
	case 13: /* EAP-TLS */
	case 21: /* EAP-TTLS */
	case 25: /* PEAP */
		if (dl < 1 || (d[0] & 0x20) || (d[0] & (e[4] == 13 ? 0x1f : 0x18)))
			return false;
		if (!(d[0] & 0x80))
			return true;
		if (dl < 5)
			return false;
		for (i = 5; i < dl;) {
			if (i + 5 > dl || d[i] < 20 || d[i] > 23 || d[i + 1] != 3 || d[i + 2] < 1 ||
			    d[i + 2] > 4)
				return false;
			i += 5u + parse_rd16(d + i + 3);
		}
		/* the last record may go on in the next fragment (M) */
		return i == dl || (d[0] & 0x40);
	default:
		return false;
	}
}

static bool parse_link_ppp(const uint8_t *p, uint32_t n)
{
	uint32_t plen, clen;
	uint16_t proto;

	if (n < PARSE_PPPOE_HLEN + 4 || p[0] != 0x11 || p[1] != 0)
		return false;
	plen = parse_rd16(p + 4);
	proto = parse_rd16(p + 6);
	if (plen < 2 + 4 || 6 + plen > n)
		return false;
	clen = parse_rd16(p + PARSE_PPPOE_HLEN + 2);
	if (clen < 4 || clen != plen - 2)
		return false;
	switch (proto) {
	case 0xc021: /* LCP */ {
		const uint8_t *c = p + PARSE_PPPOE_HLEN;

		if (c[0] < 1 || c[0] > 13)
			return false;
		if (c[0] >= 9 && c[0] <= 11 && clen > 8 + LINK_PPP_ECHO_DATA)
			return false;
		if (c[0] == 12) /* Identification: magic, text */
			return clen >= 8 && clen - 8 <= LINK_PPP_TEXT && parse_printable(c + 8, clen - 8);
		if (c[0] == 13) /* Time-Remaining: magic, seconds, text */
			return clen >= 12 && clen - 12 <= LINK_PPP_TEXT &&
			       parse_printable(c + 12, clen - 12);
		break;
	}
	case 0xc227: /* EAP */
		return parse_link_eap(p + PARSE_PPPOE_HLEN, clen);
	case 0xc023: /* PAP */
	case 0xc223: /* CHAP */
	case 0xc025: /* LQR */
	case 0x8021: /* IPCP */
	case 0x8057: /* IPv6CP */
	case 0x80fd: /* CCP */
		break;
	default:
		return false;
	}
	return clen <= LINK_PPP_MAX;
}

bool parse_link_bounded(const uint8_t *data, uint32_t len, const struct parse_result *r)
{
	const uint8_t *p;
	uint32_t n, hdr;

	if (len > UINT16_MAX)
		len = UINT16_MAX;
	if (r->kind == PARSE_L2_PASS) {
		uint32_t t = 12;

		if (r->l3_off < 14 || r->l3_off > len)
			return true;
		/* the ethertype past the tags parse_frame took */
		while (t + 6 <= r->l3_off &&
		       (parse_rd16(data + t) == PARSE_ETH_VLAN || parse_rd16(data + t) == PARSE_ETH_QINQ ||
			parse_rd16(data + t) == PARSE_ETH_QINQ_OLD))
			t += 4;
		if (parse_rd16(data + t) == PARSE_ETH_PPPOE_SESS && r->l3_off >= PARSE_PPPOE_HLEN)
			return parse_link_ppp(data + r->l3_off - PARSE_PPPOE_HLEN,
					      len - (r->l3_off - PARSE_PPPOE_HLEN));
		if (parse_rd16(data + t) != PARSE_ETH_PPPOE_DISC)
			return true; /* ARP (judge_arp_odd) */
		return parse_link_pppoe(data + r->l3_off, len - r->l3_off);
	}
	if (r->kind != PARSE_IP || r->err != PARSE_ERR_NONE || r->frag != PARSE_FRAG_NONE)
		return true;
	if ((uint32_t)r->payload_off + r->payload_len > len || r->l4_off > r->payload_off)
		return false;
	/* No IP options or IPv6 extension headers, but MLD's Hop-by-Hop
	 * header with the Router Alert (RFC 2711) and 2 bytes of padding, as
	 * every stack lays it out: a skipped option is a carrier. */
	hdr = r->family == 4 ? PARSE_IPV4_HLEN : PARSE_IPV6_HLEN;
	if (r->l4proto == PARSE_P_UDP) {
		p = data + r->payload_off;
		n = r->payload_len;
		if (r->family == 4 && r->sport == 68 && r->dport == 67)
			return r->l4_off == r->l3_off + hdr && parse_link_dhcp4(p, n);
		if (r->family == 6 && r->sport == 546 && r->dport == 547)
			return r->l4_off == r->l3_off + hdr && parse_link_dhcp6(p, n);
		return true;
	}
	if (r->l4proto != PARSE_P_ICMPV6 || r->family != 6)
		return true;
	p = data + r->l4_off;
	n = (uint32_t)r->payload_off + r->payload_len - r->l4_off;
	if (r->icmp_type >= 133 && r->icmp_type <= 137)
		return r->l4_off == r->l3_off + hdr && parse_link_nd(p, n);
	if (r->icmp_type == 130 || r->icmp_type == 131 || r->icmp_type == 132 ||
	    r->icmp_type == 143) {
		const uint8_t *h = data + r->l3_off + hdr;

		/* Router Alert then PadN(0) or two Pad1 (Linux, Windows), or
		 * PadN(0) then Router Alert (xnu and FreeBSD's mld6.c: red
		 * team round 17, rt17_mld_macos_hbh_ok) */
		if (r->l4_off != r->l3_off + hdr &&
		    (r->l4_off != r->l3_off + hdr + 8 || h[0] != PARSE_P_ICMPV6 || h[1] != 0 ||
		     !((memcmp(h + 2, "\x05\x02\x00\x00", 4) == 0 &&
			(memcmp(h + 6, "\x01\x00", 2) == 0 || memcmp(h + 6, "\x00\x00", 2) == 0)) ||
		       memcmp(h + 2, "\x01\x00\x05\x02\x00\x00", 6) == 0)))
			return false;
		return parse_link_mld(p, n);
	}
	return true;
}
