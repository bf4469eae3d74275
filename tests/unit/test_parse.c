/* Unit tests for dataplane/parse.c: frames are assembled byte by byte and
 * parsed from heap copies of exactly their length, so ASan catches any read
 * past the end. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "unit.h"

#define ETH_IPV4     0x0800
#define ETH_IPV6     0x86dd
#define ETH_ARP	     0x0806
#define ETH_VLAN     0x8100
#define ETH_QINQ     0x88a8
#define ETH_QINQ_OLD 0x9100

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* A frame under construction. */
struct frame {
	uint8_t b[2048];
	uint32_t len;
	uint32_t l3;  /* IP header offset */
	uint32_t udp; /* UDP header offset, 0 = none */
	int family;
};

static const uint8_t v4_a[4] = {10, 10, 0, 5};
static const uint8_t v4_b[4] = {192, 0, 2, 25};
static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xe2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
static const uint8_t v6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25};

static void fr_put8(struct frame *f, uint8_t v)
{
	f->b[f->len++] = v;
}

static void fr_put16(struct frame *f, uint16_t v)
{
	fr_put8(f, (uint8_t)(v >> 8));
	fr_put8(f, (uint8_t)v);
}

static void fr_set16(struct frame *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static void fr_bytes(struct frame *f, const uint8_t *p, unsigned n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void fr_zeros(struct frame *f, unsigned n)
{
	memset(f->b + f->len, 0, n);
	f->len += n;
}

static void fr_eth(struct frame *f, uint16_t type)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

	memset(f, 0, sizeof(*f));
	fr_bytes(f, macs, sizeof(macs));
	fr_put16(f, type);
}

static void fr_vlan(struct frame *f, uint16_t vid, uint16_t next)
{
	fr_put16(f, (uint16_t)(0x2000 | vid)); /* PCP 1: must not leak into the id */
	fr_put16(f, next);
}

/* IPv4 header with opt_len bytes of options (NOPs) and the raw flags and
 * fragment offset field; total_len is fixed by fr_done. */
static void fr_ipv4(struct frame *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
		    unsigned opt_len, uint16_t frag_field)
{
	f->l3 = f->len;
	f->family = 4;
	fr_put8(f, (uint8_t)(0x40 | (20 + opt_len) / 4));
	fr_put8(f, 0);
	fr_put16(f, 0);
	fr_put16(f, 0x1234);
	fr_put16(f, frag_field);
	fr_put8(f, 64);
	fr_put8(f, proto);
	fr_put16(f, 0);
	fr_bytes(f, src, 4);
	fr_bytes(f, dst, 4);
	memset(f->b + f->len, 1, opt_len);
	f->len += opt_len;
}

static void fr_ipv6(struct frame *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16])
{
	f->l3 = f->len;
	f->family = 6;
	fr_put16(f, 0x6000);
	fr_put16(f, 0);
	fr_put16(f, 0);
	fr_put8(f, nh);
	fr_put8(f, 64);
	fr_bytes(f, src, 16);
	fr_bytes(f, dst, 16);
}

/* Hop-by-hop, routing or destination options: (len8 + 1) * 8 bytes. */
static void fr_ip6ext(struct frame *f, uint8_t next, uint8_t len8)
{
	fr_put8(f, next);
	fr_put8(f, len8);
	fr_zeros(f, (unsigned)(len8 + 1) * 8 - 2);
}

static void fr_ip6frag(struct frame *f, uint8_t next, uint16_t offset8, int more)
{
	fr_put8(f, next);
	fr_put8(f, 0);
	fr_put16(f, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
	fr_put16(f, 0xabcd);
	fr_put16(f, 0x0001);
}

static void fr_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, unsigned opt_len)
{
	fr_put16(f, sport);
	fr_put16(f, dport);
	fr_put16(f, 0x1111);
	fr_put16(f, 0x2222); /* seq */
	fr_put16(f, 0);
	fr_put16(f, 0); /* ack */
	fr_put8(f, (uint8_t)((20 + opt_len) / 4 << 4));
	fr_put8(f, flags);
	fr_put16(f, 65535);
	fr_put16(f, 0);
	fr_put16(f, 0);
	memset(f->b + f->len, 1, opt_len);
	f->len += opt_len;
}

static void fr_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	f->udp = f->len;
	fr_put16(f, sport);
	fr_put16(f, dport);
	fr_put16(f, 0);
	fr_put16(f, 0);
}

static void fr_icmp(struct frame *f, uint8_t type, uint8_t code, uint16_t id)
{
	fr_put8(f, type);
	fr_put8(f, code);
	fr_put16(f, 0);
	fr_put16(f, id);
	fr_put16(f, 7); /* sequence */
}

static void fr_payload(struct frame *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		fr_put8(f, (uint8_t)('a' + i % 26));
}

/* Fix the IP and UDP lengths to what was appended. */
static void fr_done(struct frame *f)
{
	if (f->family == 4)
		fr_set16(f, f->l3 + 2, (uint16_t)(f->len - f->l3));
	else if (f->family == 6)
		fr_set16(f, f->l3 + 4, (uint16_t)(f->len - f->l3 - 40));
	if (f->udp)
		fr_set16(f, f->udp + 4, (uint16_t)(f->len - f->udp));
}

/* Properties every result has, whatever the input. */
static void check_invariants(const struct parse_result *r, uint32_t len)
{
	CU_ASSERT(r->kind <= PARSE_BAD_L3);
	CU_ASSERT(r->err < PARSE_ERR_COUNT);
	CU_ASSERT(r->frag <= PARSE_FRAG_LATER);
	CU_ASSERT(r->n_vlans <= 2);
	if (r->kind == PARSE_BAD_L2 || r->kind == PARSE_BAD_L3)
		CU_ASSERT(r->err != PARSE_ERR_NONE);
	if (r->kind == PARSE_L2_PASS || r->kind == PARSE_L2_OTHER)
		CU_ASSERT(r->err == PARSE_ERR_NONE);
	if (r->kind == PARSE_IP) {
		CU_ASSERT(r->family == 4 || r->family == 6);
		CU_ASSERT(r->l3_off < len);
		CU_ASSERT(r->l4_off > r->l3_off && r->l4_off <= len);
		CU_ASSERT(r->payload_off >= r->l4_off);
		CU_ASSERT((uint32_t)r->payload_off + r->payload_len <= len);
		if (r->frag == PARSE_FRAG_LATER)
			CU_ASSERT(r->sport == 0 && r->dport == 0);
	}
}

/* Parse the first len bytes of f from a heap buffer of exactly len bytes. */
static void parse_exact(const struct frame *f, uint32_t len, struct parse_result *r)
{
	uint8_t *p = malloc(len);

	CU_ASSERT_FATAL(p != NULL || len == 0);
	if (len)
		memcpy(p, f->b, len);
	parse_frame(p, len, r);
	free(p);
	check_invariants(r, len);
}

static void parse_full(const struct frame *f, struct parse_result *r)
{
	parse_exact(f, f->len, r);
}

static void check_v4_addrs(const struct parse_result *r, const uint8_t src[4], const uint8_t dst[4])
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	CU_ASSERT(memcmp(r->src, prefix, 12) == 0);
	CU_ASSERT(memcmp(r->dst, prefix, 12) == 0);
	CU_ASSERT(memcmp(r->src + 12, src, 4) == 0);
	CU_ASSERT(memcmp(r->dst + 12, dst, 4) == 0);
}

static void build_tcp_v4(struct frame *f, unsigned tcp_opt, unsigned payload)
{
	fr_eth(f, ETH_IPV4);
	fr_ipv4(f, 6, v4_a, v4_b, 0, 0x4000 /* DF */);
	fr_tcp(f, 40000, 443, TCP_SYN | TCP_ACK, tcp_opt);
	fr_payload(f, payload);
	fr_done(f);
}

static void test_tcp_v4(void)
{
	struct frame f;
	struct parse_result r;

	build_tcp_v4(&f, 0, 100);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.family, 4);
	CU_ASSERT_EQUAL(r.l4proto, 6);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_NONE);
	CU_ASSERT_EQUAL(r.n_vlans, 0);
	CU_ASSERT_EQUAL(r.vlan, 0);
	CU_ASSERT_EQUAL(r.sport, 40000);
	CU_ASSERT_EQUAL(r.dport, 443);
	CU_ASSERT_EQUAL(r.tcp_flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(r.l3_off, 14);
	CU_ASSERT_EQUAL(r.l4_off, 34);
	CU_ASSERT_EQUAL(r.payload_off, 54);
	CU_ASSERT_EQUAL(r.payload_len, 100);
	check_v4_addrs(&r, v4_a, v4_b);
}

static void test_tcp_v6(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 6, v6_a, v6_b);
	fr_tcp(&f, 51000, 22, TCP_ACK | TCP_FIN, 12);
	fr_payload(&f, 33);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.family, 6);
	CU_ASSERT_EQUAL(r.l4proto, 6);
	CU_ASSERT_EQUAL(r.sport, 51000);
	CU_ASSERT_EQUAL(r.dport, 22);
	CU_ASSERT_EQUAL(r.tcp_flags, TCP_ACK | TCP_FIN);
	CU_ASSERT_EQUAL(r.l3_off, 14);
	CU_ASSERT_EQUAL(r.l4_off, 54);
	CU_ASSERT_EQUAL(r.payload_off, 86);
	CU_ASSERT_EQUAL(r.payload_len, 33);
	CU_ASSERT(memcmp(r.src, v6_a, 16) == 0);
	CU_ASSERT(memcmp(r.dst, v6_b, 16) == 0);
}

static void test_ipv4_options(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 12, 0);
	fr_udp(&f, 5353, 53);
	fr_payload(&f, 30);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	CU_ASSERT_EQUAL(r.l4_off, 14 + 32);
	CU_ASSERT_EQUAL(r.payload_off, 14 + 32 + 8);
	CU_ASSERT_EQUAL(r.payload_len, 30);
	CU_ASSERT_EQUAL(r.sport, 5353);
	CU_ASSERT_EQUAL(r.dport, 53);
	check_v4_addrs(&r, v4_a, v4_b);
}

/* Short frames are padded to 60 bytes on the wire: the IP length wins. */
static void test_ipv4_padding(void)
{
	struct frame f;
	struct parse_result r;

	build_tcp_v4(&f, 0, 0);
	CU_ASSERT_EQUAL(f.len, 54);
	fr_zeros(&f, 6);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.payload_len, 0);

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 0, 0);
	fr_udp(&f, 1000, 2000);
	fr_payload(&f, 2);
	fr_done(&f);
	fr_zeros(&f, 60 - f.len);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.payload_len, 2);
}

static void test_vlan_single(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_VLAN);
	fr_vlan(&f, 100, ETH_IPV4);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0);
	fr_tcp(&f, 1234, 80, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.n_vlans, 1);
	CU_ASSERT_EQUAL(r.vlan, 100);
	CU_ASSERT_EQUAL(r.l3_off, 18);
	CU_ASSERT_EQUAL(r.l4_off, 38);
	CU_ASSERT_EQUAL(r.dport, 80);
}

static void test_qinq(void)
{
	static const uint16_t outer[] = {ETH_QINQ, ETH_QINQ_OLD, ETH_VLAN};
	struct frame f;
	struct parse_result r;
	unsigned i;

	for (i = 0; i < sizeof(outer) / sizeof(outer[0]); i++) {
		fr_eth(&f, outer[i]);
		fr_vlan(&f, 300, ETH_VLAN);
		fr_vlan(&f, 100, ETH_IPV6);
		fr_ipv6(&f, 17, v6_a, v6_b);
		fr_udp(&f, 4000, 53);
		fr_payload(&f, 10);
		fr_done(&f);
		parse_full(&f, &r);
		CU_ASSERT_EQUAL(r.kind, PARSE_IP);
		CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
		CU_ASSERT_EQUAL(r.n_vlans, 2);
		CU_ASSERT_EQUAL(r.vlan, 300);
		CU_ASSERT_EQUAL(r.l3_off, 22);
		CU_ASSERT_EQUAL(r.l4_off, 62);
		CU_ASSERT_EQUAL(r.sport, 4000);
		CU_ASSERT_EQUAL(r.payload_len, 10);
	}
}

static void test_three_vlans(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_QINQ);
	fr_vlan(&f, 300, ETH_VLAN);
	fr_vlan(&f, 100, ETH_VLAN);
	fr_vlan(&f, 7, ETH_IPV4);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0);
	fr_tcp(&f, 1234, 80, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L2);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_too_many_vlans);

	/* A tag cut in half. */
	fr_eth(&f, ETH_VLAN);
	fr_put16(&f, 100);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L2);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_vlan);
}

static void test_arp_and_other(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_ARP);
	fr_zeros(&f, 28);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_PASS);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);

	fr_eth(&f, ETH_VLAN);
	fr_vlan(&f, 42, ETH_ARP);
	fr_zeros(&f, 28);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_PASS);
	CU_ASSERT_EQUAL(r.vlan, 42);

	fr_eth(&f, 0x88cc); /* LLDP */
	fr_zeros(&f, 40);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_OTHER);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);

	/* An Ethernet header and nothing else is still a (useless) frame. */
	fr_eth(&f, 0x88b5);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_OTHER);
}

/* Every prefix of a TCP/IPv4 frame: the error names the layer the frame
 * ends in. Past the TCP header the datagram is shorter than its IP length. */
static void test_truncation_tcp_v4(void)
{
	struct frame f;
	struct parse_result r;
	uint32_t len;

	build_tcp_v4(&f, 8, 10); /* 14 + 20 + 28 + 10 = 72 */
	CU_ASSERT_EQUAL_FATAL(f.len, 72);
	for (len = 0; len < f.len; len++) {
		parse_exact(&f, len, &r);
		if (len < 14) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L2);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_l2);
		} else if (len < 34) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_ipv4);
		} else if (len < 62) {
			/* The IP header is whole: the addresses can be trusted. */
			CU_ASSERT_EQUAL(r.kind, PARSE_IP);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_tcp);
			check_v4_addrs(&r, v4_a, v4_b);
		} else {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv4_total_len);
		}
	}
	parse_exact(&f, f.len, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
}

/* The same over VLAN + IPv6 + two extension headers + UDP. */
static void test_truncation_udp_v6(void)
{
	struct frame f;
	struct parse_result r;
	uint32_t len;

	fr_eth(&f, ETH_VLAN);
	fr_vlan(&f, 9, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 60, 1); /* 16 */
	fr_ip6ext(&f, 17, 0); /* 8 */
	fr_udp(&f, 3000, 4000);
	fr_payload(&f, 12);
	fr_done(&f);
	/* 18 + 40 + 24 + 8 + 12 */
	CU_ASSERT_EQUAL_FATAL(f.len, 102);
	for (len = 0; len <= f.len; len++) {
		parse_exact(&f, len, &r);
		if (len < 14) {
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_l2);
		} else if (len < 18) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L2);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_vlan);
		} else if (len < 58) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_ipv6);
		} else if (len < 82) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_ipv6_ext);
		} else if (len < 90) {
			CU_ASSERT_EQUAL(r.kind, PARSE_IP);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_udp);
		} else if (len < f.len) {
			CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv6_payload_len);
		} else {
			CU_ASSERT_EQUAL(r.kind, PARSE_IP);
			CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
			CU_ASSERT_EQUAL(r.l4_off, 82);
			CU_ASSERT_EQUAL(r.vlan, 9);
		}
	}
}

static void test_truncation_icmp(void)
{
	struct frame f;
	struct parse_result r;
	uint32_t len;

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 1, v4_a, v4_b, 0, 0);
	fr_icmp(&f, 8, 0, 99);
	fr_done(&f);
	for (len = 34; len < f.len; len++) {
		parse_exact(&f, len, &r);
		CU_ASSERT_EQUAL(r.kind, PARSE_IP);
		CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_icmp);
	}
}

static void test_bad_ipv4(void)
{
	struct frame f;
	struct parse_result r;

	build_tcp_v4(&f, 0, 10);
	f.b[14] = 0x55; /* version 5 */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv4_version);

	build_tcp_v4(&f, 0, 10);
	f.b[14] = 0x44; /* IHL 4 */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv4_ihl);

	build_tcp_v4(&f, 0, 30);
	f.b[14] = 0x4f; /* 60-byte header in a 70-byte datagram: fits, TCP becomes options */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_tcp);

	build_tcp_v4(&f, 0, 0);
	f.b[14] = 0x4f; /* 60-byte header, 40 bytes in the frame */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_ipv4);

	build_tcp_v4(&f, 0, 10);
	fr_set16(&f, 16, (uint16_t)(f.len - 14 + 1)); /* one byte more than present */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv4_total_len);

	build_tcp_v4(&f, 0, 10);
	fr_set16(&f, 16, 19); /* shorter than the header */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv4_total_len);

	build_tcp_v4(&f, 0, 10);
	fr_set16(&f, 16, 30); /* header fits, TCP does not */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_tcp);

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 6, v6_a, v6_b);
	fr_tcp(&f, 1, 2, TCP_SYN, 0);
	fr_done(&f);
	f.b[14] = 0x40;
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv6_version);
	f.b[14] = 0x60;
	fr_set16(&f, 18, 21); /* payload length one more than present */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_ipv6_payload_len);
}

static void test_ipv6_ext_chain(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 43, 0); /* hop-by-hop, 8 bytes */
	fr_ip6ext(&f, 60, 1); /* routing, 16 bytes */
	fr_ip6ext(&f, 17, 0); /* destination options, 8 bytes */
	fr_udp(&f, 5353, 53);
	fr_payload(&f, 20);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_NONE);
	CU_ASSERT_EQUAL(r.l4_off, 14 + 40 + 32);
	CU_ASSERT_EQUAL(r.payload_off, 14 + 40 + 32 + 8);
	CU_ASSERT_EQUAL(r.payload_len, 20);
	CU_ASSERT_EQUAL(r.sport, 5353);
	CU_ASSERT_EQUAL(r.dport, 53);

	/* AH: length in 4-byte units, minus 2 (24 bytes here). */
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 51, v6_a, v6_b);
	fr_put8(&f, 6);
	fr_put8(&f, 4);
	fr_zeros(&f, 22);
	fr_tcp(&f, 7000, 443, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 6);
	CU_ASSERT_EQUAL(r.l4_off, 14 + 40 + 24);
	CU_ASSERT_EQUAL(r.dport, 443);
}

static void build_ext_run(struct frame *f, unsigned n)
{
	unsigned i;

	fr_eth(f, ETH_IPV6);
	fr_ipv6(f, 60, v6_a, v6_b);
	for (i = 0; i < n; i++)
		fr_ip6ext(f, i + 1 < n ? 60 : 17, 0);
	fr_udp(f, 1, 2);
	fr_done(f);
}

static void test_ipv6_ext_limits(void)
{
	struct frame f;
	struct parse_result r;

	build_ext_run(&f, 8);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.sport, 1);

	build_ext_run(&f, 9);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_too_many_ipv6_ext);

	/* Hop-by-Hop first is fine; after another header (or twice) it is
	 * what a host drops. */
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 17, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 0, 0);
	fr_ip6ext(&f, 17, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_ipv6_hopopts_late);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 60, v6_a, v6_b);
	fr_ip6ext(&f, 0, 0);
	fr_ip6ext(&f, 17, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_ipv6_hopopts_late);

	/* Two Fragment headers: an atomic one in front of a real first
	 * fragment (Linux refuses the second: red team round 44), and a real
	 * one in front of an atomic one. One alone still parses. */
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 44, v6_a, v6_b);
	fr_ip6frag(&f, 44, 0, 0);
	fr_ip6frag(&f, 17, 0, 1);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_ipv6_frag_twice);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 44, v6_a, v6_b);
	fr_ip6frag(&f, 60, 0, 1);
	fr_ip6ext(&f, 44, 0);
	fr_ip6frag(&f, 17, 0, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_ipv6_frag_twice);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 44, v6_a, v6_b);
	fr_ip6frag(&f, 17, 0, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_NONE);

	/* An extension header longer than the datagram that holds it. */
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 17, 0);
	fr_udp(&f, 1, 2);
	fr_done(&f);
	f.b[14 + 40 + 1] = 10; /* claims 88 bytes */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L3);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_ipv6_ext);
}

static void test_ipv6_esp_none(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 50, 0);
	fr_payload(&f, 40);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 50);
	CU_ASSERT_EQUAL(r.sport, 0);
	CU_ASSERT_EQUAL(r.dport, 0);
	CU_ASSERT_EQUAL(r.payload_len, 40);

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 59, v6_a, v6_b);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.l4proto, 59);
	CU_ASSERT_EQUAL(r.payload_len, 0);

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 47, v4_a, v4_b, 0, 0); /* GRE: no ports */
	fr_payload(&f, 24);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.l4proto, 47);
	CU_ASSERT_EQUAL(r.payload_off, 34);
	CU_ASSERT_EQUAL(r.payload_len, 24);
}

static void test_ipv6_fragments(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 44, v6_a, v6_b);
	fr_ip6frag(&f, 17, 0, 1);
	fr_udp(&f, 5000, 6000);
	fr_payload(&f, 100);
	fr_done(&f);
	fr_set16(&f, f.udp + 4, 3000); /* the whole datagram's length */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_FIRST);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	CU_ASSERT_EQUAL(r.sport, 5000);
	CU_ASSERT_EQUAL(r.dport, 6000);
	CU_ASSERT_EQUAL(r.payload_len, 100);

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 0, v6_a, v6_b);
	fr_ip6ext(&f, 44, 0);
	fr_ip6frag(&f, 17, 185, 0);
	fr_payload(&f, 50);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_LATER);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	CU_ASSERT_EQUAL(r.sport, 0);
	CU_ASSERT_EQUAL(r.dport, 0);
	CU_ASSERT_EQUAL(r.l4_off, 14 + 40 + 16);
	CU_ASSERT_EQUAL(r.payload_len, 50);

	/* Offset 0 and no M: an atomic fragment is a whole packet. */
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 44, v6_a, v6_b);
	fr_ip6frag(&f, 6, 0, 0);
	fr_tcp(&f, 1, 2, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_NONE);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.dport, 2);
}

static void test_ipv4_fragments(void)
{
	struct frame f;
	struct parse_result r;

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 0, 0x2000 /* MF */);
	fr_udp(&f, 5000, 6000);
	fr_payload(&f, 64);
	fr_done(&f);
	fr_set16(&f, f.udp + 4, 3000);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_FIRST);
	CU_ASSERT_EQUAL(r.sport, 5000);
	CU_ASSERT_EQUAL(r.dport, 6000);

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 0, 0x2000 | 9);
	fr_payload(&f, 64);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_LATER);
	CU_ASSERT_EQUAL(r.l4proto, 17);
	CU_ASSERT_EQUAL(r.sport, 0);
	CU_ASSERT_EQUAL(r.dport, 0);
	CU_ASSERT_EQUAL(r.payload_len, 64);

	/* The last fragment: offset set, MF clear. */
	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0x4000 | 100);
	fr_payload(&f, 3); /* shorter than any TCP header: must not be parsed */
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.frag, PARSE_FRAG_LATER);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
}

static void test_bad_tcp_udp(void)
{
	struct frame f;
	struct parse_result r;

	build_tcp_v4(&f, 0, 20);
	f.b[34 + 12] = 4 << 4;
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_tcp_doff);
	CU_ASSERT_EQUAL(r.dport, 443); /* ports were read before the check */

	build_tcp_v4(&f, 0, 20);
	f.b[34 + 12] = 15 << 4; /* 60 bytes, the datagram has 40 after IP */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_tcp_doff);

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 0, 0);
	fr_udp(&f, 1, 2);
	fr_payload(&f, 10);
	fr_done(&f);
	fr_set16(&f, f.udp + 4, 7);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_udp_len);
	fr_set16(&f, f.udp + 4, 19); /* one more than the datagram */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_udp_len);
	fr_set16(&f, f.udp + 4, 12); /* shorter: bytes inside the datagram past it */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_bad_udp_len);
	fr_set16(&f, f.udp + 4, 18); /* the datagram's own */
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.payload_len, 10);
}

static void build_icmp(struct frame *f, int family, int reverse, uint8_t type, uint8_t code,
		       uint16_t id)
{
	if (family == 4) {
		fr_eth(f, ETH_IPV4);
		fr_ipv4(f, 1, reverse ? v4_b : v4_a, reverse ? v4_a : v4_b, 0, 0);
	} else {
		fr_eth(f, ETH_IPV6);
		fr_ipv6(f, 58, reverse ? v6_b : v6_a, reverse ? v6_a : v6_b);
	}
	fr_icmp(f, type, code, id);
	fr_payload(f, 56);
	fr_done(f);
}

static void test_icmp_echo(void)
{
	static const uint8_t types[2][2] = {{8, 0}, {128, 129}};
	struct frame f;
	struct parse_result req, rep, other;
	unsigned i;

	for (i = 0; i < 2; i++) {
		int fam = i == 0 ? 4 : 6;

		build_icmp(&f, fam, 0, types[i][0], 0, 0x4242);
		parse_full(&f, &req);
		build_icmp(&f, fam, 1, types[i][1], 0, 0x4242);
		parse_full(&f, &rep);
		build_icmp(&f, fam, 0, types[i][0], 0, 0x4243);
		parse_full(&f, &other);
		CU_ASSERT_EQUAL(req.kind, PARSE_IP);
		CU_ASSERT_EQUAL(req.err, PARSE_ERR_NONE);
		CU_ASSERT_EQUAL(req.l4proto, fam == 4 ? 1 : 58);
		CU_ASSERT_EQUAL(req.icmp_type, types[i][0]);
		CU_ASSERT_EQUAL(rep.icmp_type, types[i][1]);
		CU_ASSERT_EQUAL(req.sport, 0x4242);
		CU_ASSERT_EQUAL(req.dport, types[i][0] << 8);
		/* The reply mirrors the request like a TCP server's answer. */
		CU_ASSERT_EQUAL(rep.sport, req.dport);
		CU_ASSERT_EQUAL(rep.dport, req.sport);
		CU_ASSERT_EQUAL(req.payload_off, req.l4_off + 8);
		CU_ASSERT_EQUAL(req.payload_len, 56);
		CU_ASSERT_EQUAL(parse_sym_hash(&req), parse_sym_hash(&rep));
		CU_ASSERT_NOT_EQUAL(parse_sym_hash(&req), parse_sym_hash(&other));
	}

	/* Other ICMP: type and code in dport, no source port. */
	build_icmp(&f, 4, 1, 3, 3, 0);
	parse_full(&f, &req);
	CU_ASSERT_EQUAL(req.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(req.icmp_type, 3);
	CU_ASSERT_EQUAL(req.sport, 0);
	CU_ASSERT_EQUAL(req.dport, 0x0303);
}

static void test_icmpv6_nd(void)
{
	struct frame f;
	struct parse_result r;
	unsigned t;

	for (t = 128; t <= 140; t++) {
		build_icmp(&f, 6, 0, (uint8_t)t, 0, 0);
		parse_full(&f, &r);
		CU_ASSERT_EQUAL(r.kind, PARSE_IP);
		CU_ASSERT_EQUAL(r.icmp_type, t);
		CU_ASSERT_EQUAL(parse_is_nd(&r), t >= 133 && t <= 137);
	}
	/* The same type numbers over IPv4 ICMP are not ND. */
	build_icmp(&f, 4, 0, 135, 0, 0);
	parse_full(&f, &r);
	CU_ASSERT_FALSE(parse_is_nd(&r));
	/* Nor is a truncated ICMPv6 header. */
	build_icmp(&f, 6, 0, 135, 0, 0);
	fr_set16(&f, 18, 4);
	parse_exact(&f, 14 + 40 + 4, &r);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_icmp);
	CU_ASSERT_FALSE(parse_is_nd(&r));
}

/* DHCP from a source in no zone passes as a link service only from a host
 * without an address, 0.0.0.0, to the limited broadcast (red team round
 * 21: from any source to any address it was a way out). */
static void test_link_service_dhcp(void)
{
	static const uint8_t any[4] = {0, 0, 0, 0}, bcast[4] = {255, 255, 255, 255},
			     other[4] = {10, 99, 0, 7}, far[4] = {198, 18, 0, 66};
	const uint8_t *src[4] = {any, other, any, other}, *dst[4] = {bcast, far, far, bcast};
	struct frame f;
	struct parse_result r;

	for (unsigned k = 0; k < 4; k++) {
		memset(&f, 0, sizeof(f));
		fr_eth(&f, ETH_IPV4);
		fr_ipv4(&f, 17, src[k], dst[k], 0, 0);
		fr_udp(&f, 68, 67);
		fr_payload(&f, 300);
		fr_done(&f);
		parse_full(&f, &r);
		CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
		CU_ASSERT_EQUAL(parse_is_link_service(&r), k == 0);
	}
	/* the server's port the other way is no client's */
	memset(&f, 0, sizeof(f));
	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, any, bcast, 0, 0);
	fr_udp(&f, 67, 68);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT(!parse_is_link_service(&r));
}

static void test_sym_hash(void)
{
	struct frame f;
	struct parse_result a, b, c, d;

	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0);
	fr_tcp(&f, 40000, 443, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &a);
	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 6, v4_b, v4_a, 0, 0);
	fr_tcp(&f, 443, 40000, TCP_SYN | TCP_ACK, 0);
	fr_done(&f);
	parse_full(&f, &b);
	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0);
	fr_tcp(&f, 40001, 443, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &c);
	fr_eth(&f, ETH_IPV4);
	fr_ipv4(&f, 17, v4_a, v4_b, 0, 0);
	fr_udp(&f, 40000, 443);
	fr_done(&f);
	parse_full(&f, &d);
	CU_ASSERT_EQUAL(parse_sym_hash(&a), parse_sym_hash(&b));
	CU_ASSERT_NOT_EQUAL(parse_sym_hash(&a), parse_sym_hash(&c));
	CU_ASSERT_NOT_EQUAL(parse_sym_hash(&a), parse_sym_hash(&d));

	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 6, v6_a, v6_b);
	fr_tcp(&f, 40000, 443, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &a);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 6, v6_b, v6_a);
	fr_tcp(&f, 443, 40000, TCP_RST, 0);
	fr_done(&f);
	parse_full(&f, &b);
	fr_eth(&f, ETH_IPV6);
	fr_ipv6(&f, 6, v6_a, v6_b);
	fr_tcp(&f, 40000, 444, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &c);
	CU_ASSERT_EQUAL(parse_sym_hash(&a), parse_sym_hash(&b));
	CU_ASSERT_NOT_EQUAL(parse_sym_hash(&a), parse_sym_hash(&c));
}

/* Dispatch takes the hash modulo a few workers: flows that differ only in
 * the source port or the last address byte must spread evenly. */
static void test_sym_hash_spread(void)
{
	unsigned buckets[16] = {0};
	struct parse_result r;
	unsigned i, max = 0, min = ~0u;

	memset(&r, 0, sizeof(r));
	r.kind = PARSE_IP;
	r.family = 4;
	r.l4proto = 6;
	r.src[10] = r.src[11] = r.dst[10] = r.dst[11] = 0xff;
	memcpy(r.src + 12, v4_a, 4);
	memcpy(r.dst + 12, v4_b, 4);
	r.dport = 443;
	for (i = 0; i < 16384; i++) {
		r.sport = (uint16_t)(32768 + i / 4);
		r.src[15] = (uint8_t)(i % 4);
		buckets[parse_sym_hash(&r) % 16]++;
	}
	for (i = 0; i < 16; i++) {
		max = buckets[i] > max ? buckets[i] : max;
		min = buckets[i] < min ? buckets[i] : min;
	}
	/* 1024 expected per bucket; +-20 % is far outside random variation. */
	CU_ASSERT(min > 820 && max < 1230);
}

static void test_error_names(void)
{
	unsigned i, j;

	CU_ASSERT_STRING_EQUAL(parse_error_name(PARSE_ERR_truncated_tcp), "truncated_tcp");
	CU_ASSERT_STRING_EQUAL(parse_error_name(PARSE_ERR_too_many_ipv6_ext), "too_many_ipv6_ext");
	CU_ASSERT_PTR_NULL(parse_error_name(PARSE_ERR_COUNT));
	CU_ASSERT_PTR_NULL(parse_error_name(1000));
	for (i = 1; i < PARSE_ERR_COUNT; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(parse_error_name(i));
		for (j = 1; j < i; j++)
			CU_ASSERT(strcmp(parse_error_name(i), parse_error_name(j)) != 0);
	}
}

static uint32_t fuzz_state = 0x12345678;

static uint32_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

/* Random byte flips and cuts of valid frames: nothing may crash or read
 * past the end (ASan), and every result keeps the invariants. */
static void test_fuzz(void)
{
	struct frame seeds[4], f;
	struct parse_result r;
	unsigned i, k;

	build_tcp_v4(&seeds[0], 8, 20);
	fr_eth(&seeds[1], ETH_QINQ);
	fr_vlan(&seeds[1], 1, ETH_VLAN);
	fr_vlan(&seeds[1], 2, ETH_IPV6);
	fr_ipv6(&seeds[1], 0, v6_a, v6_b);
	fr_ip6ext(&seeds[1], 44, 0);
	fr_ip6frag(&seeds[1], 51, 0, 1);
	fr_put8(&seeds[1], 17);
	fr_put8(&seeds[1], 1);
	fr_zeros(&seeds[1], 10);
	fr_udp(&seeds[1], 1, 2);
	fr_payload(&seeds[1], 8);
	fr_done(&seeds[1]);
	build_icmp(&seeds[2], 6, 0, 135, 0, 0);
	build_icmp(&seeds[3], 4, 0, 8, 0, 1);

	for (i = 0; i < 40000; i++) {
		f = seeds[i % 4];
		for (k = fuzz_next() % 5; k > 0; k--)
			f.b[fuzz_next() % f.len] = (uint8_t)fuzz_next();
		parse_exact(&f, fuzz_next() % (f.len + 1), &r);
	}
}

/* PPPoE session header (6 bytes) and PPP protocol. */
static void fr_pppoe(struct frame *f, uint16_t ppp_proto)
{
	fr_put8(f, 0x11); /* version 1, type 1 */
	fr_put8(f, 0);	  /* session data */
	fr_put16(f, 0x0042);
	fr_put16(f, 0); /* length: not checked */
	fr_put16(f, ppp_proto);
}

static void test_pppoe(void)
{
	struct frame f;
	struct parse_result r;

	/* VLAN + PPPoE + IPv4 + TCP: judged like any IP packet */
	fr_eth(&f, ETH_VLAN);
	fr_vlan(&f, 7, 0x8864);
	fr_pppoe(&f, 0x0021);
	fr_ipv4(&f, 6, v4_a, v4_b, 0, 0);
	fr_tcp(&f, 1234, 443, TCP_SYN, 0);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.err, PARSE_ERR_NONE);
	CU_ASSERT_EQUAL(r.vlan, 7);
	CU_ASSERT_EQUAL(r.l3_off, 14 + 4 + 8);
	CU_ASSERT_EQUAL(r.dport, 443);
	check_v4_addrs(&r, v4_a, v4_b);

	/* PPPoE + IPv6 + UDP */
	fr_eth(&f, 0x8864);
	fr_pppoe(&f, 0x0057);
	fr_ipv6(&f, 17, v6_a, v6_b);
	fr_udp(&f, 5353, 53);
	fr_done(&f);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_IP);
	CU_ASSERT_EQUAL(r.family, 6);
	CU_ASSERT_EQUAL(r.dport, 53);

	/* LCP (0xc021) and discovery (0x8863) keep the link up: passed */
	fr_eth(&f, 0x8864);
	fr_pppoe(&f, 0xc021);
	fr_zeros(&f, 8);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_PASS);
	fr_eth(&f, 0x8863);
	fr_zeros(&f, 12);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_PASS);

	/* an unknown PPP data protocol is not IP and not control */
	fr_eth(&f, 0x8864);
	fr_pppoe(&f, 0x0031);
	fr_zeros(&f, 8);
	parse_full(&f, &r);
	CU_ASSERT_EQUAL(r.kind, PARSE_L2_OTHER);

	/* every cut inside the PPPoE header is truncated_pppoe */
	fr_eth(&f, 0x8864);
	fr_pppoe(&f, 0x0021);
	for (uint32_t len = 14; len < 22; len++) {
		parse_exact(&f, len, &r);
		CU_ASSERT_EQUAL(r.kind, PARSE_BAD_L2);
		CU_ASSERT_EQUAL(r.err, PARSE_ERR_truncated_pppoe);
	}
}

/* Dispatch hashing without a full parse (parse_dispatch_hash) gives the
 * owner a full parse would: on frames of every shape, and on each of them
 * cut short and with bytes flipped. */
static void dispatch_agrees(const uint8_t *b, uint32_t len, unsigned *covered, unsigned *bad)
{
	struct parse_result r;
	uint32_t h;

	if (!parse_dispatch_hash(b, len, &h))
		return;
	(*covered)++;
	parse_frame(b, len, &r);
	if (r.kind != PARSE_IP || parse_addr_hash(&r) != h ||
	    ((r.l4proto == 1 || r.l4proto == 58) && r.icmp_type)) {
		(*bad)++;
		if (getenv("DEBUG_DISPATCH"))
			fprintf(stderr, "kind %u err %u fam %u l4 %u len %u etype %02x%02x\n", r.kind,
				r.err, r.family, r.l4proto, len, b[12], b[13]);
	}
}

static void test_dispatch_hash(void)
{
	struct frame f[8];
	unsigned i, n = 0, covered = 0, bad = 0, cut, k;
	uint8_t b[2048];

	memset(f, 0, sizeof(f));
	fr_eth(&f[n], 0x0800), fr_ipv4(&f[n], 6, v4_a, v4_b, 0, 0), fr_tcp(&f[n], 1, 2, TCP_SYN, 0),
		fr_payload(&f[n], 10), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x8100), fr_vlan(&f[n], 7, 0x0800), fr_ipv4(&f[n], 17, v4_b, v4_a, 8, 0),
		fr_udp(&f[n], 53, 53), fr_payload(&f[n], 30), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x0800), fr_ipv4(&f[n], 17, v4_a, v4_b, 0, 0x2000 | 0), fr_udp(&f[n], 9, 9),
		fr_payload(&f[n], 100), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x0800), fr_ipv4(&f[n], 1, v4_a, v4_b, 0, 0), fr_icmp(&f[n], 3, 1, 0),
		fr_payload(&f[n], 28), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x86dd), fr_ipv6(&f[n], 6, v6_a, v6_b), fr_tcp(&f[n], 443, 5000, TCP_ACK, 12),
		fr_payload(&f[n], 40), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x86dd), fr_ipv6(&f[n], 44, v6_b, v6_a), fr_ip6frag(&f[n], 17, 0, 1),
		fr_udp(&f[n], 1, 2), fr_payload(&f[n], 20), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x8100), fr_vlan(&f[n], 9, 0x86dd), fr_ipv6(&f[n], 17, v6_a, v6_b),
		fr_udp(&f[n], 5, 6), fr_payload(&f[n], 4), fr_done(&f[n]), n++;
	fr_eth(&f[n], 0x86dd), fr_ipv6(&f[n], 58, v6_a, v6_b), fr_icmp(&f[n], 1, 4, 0),
		fr_payload(&f[n], 48), fr_done(&f[n]), n++;
	srand(5);
	for (i = 0; i < n; i++) {
		for (cut = 0; cut <= f[i].len; cut++)
			dispatch_agrees(f[i].b, cut, &covered, &bad);
		for (k = 0; k < 3000; k++) {
			memcpy(b, f[i].b, f[i].len);
			b[rand() % (int)f[i].len] ^= (uint8_t)(1u << (rand() % 8));
			if (k & 1)
				b[rand() % 60] = (uint8_t)rand();
			dispatch_agrees(b, f[i].len, &covered, &bad);
		}
	}
	CU_ASSERT(covered > 1000);
	CU_ASSERT_EQUAL(bad, 0);
}

/* Link services from the inside port held to what honest stacks send
 * (parse_link_bounded; red team round 10, the twentieth session). */
static const uint8_t ll6[16] = {0xfe, 0x80, [8] = 0x02, [13] = 0x18, [14] = 0xe9, [15] = 0x38};

/* A DHCP client's message from 0.0.0.0 to the limited broadcast: the fixed
 * part with chaddr, the cookie, then opts (n bytes) as given. */
static void build_dhcp4(struct frame *f, const uint8_t *opts, unsigned n, unsigned ip_opt)
{
	static const uint8_t any[4] = {0, 0, 0, 0}, bcast[4] = {255, 255, 255, 255};
	static const uint8_t hw[6] = {2, 0, 0, 0, 0, 1};
	uint32_t p;

	fr_eth(f, ETH_IPV4);
	fr_ipv4(f, 17, any, bcast, ip_opt, 0);
	fr_udp(f, 68, 67);
	p = f->len;
	fr_zeros(f, 236);
	f->b[p] = 1;	 /* BOOTREQUEST */
	f->b[p + 1] = 1; /* Ethernet */
	f->b[p + 2] = 6;
	f->b[p + 4] = 0x39; /* xid */
	memcpy(f->b + p + 28, hw, 6);
	fr_bytes(f, (const uint8_t *)"\x63\x82\x53\x63", 4);
	fr_bytes(f, opts, n);
	fr_done(f);
}

static bool link_ok(const struct frame *f)
{
	struct parse_result r;

	parse_full(f, &r);
	return parse_link_bounded(f->b, f->len, &r);
}

static void test_link_bounded_dhcp(void)
{
	/* dhclient: DISCOVER, requested address, host name, 13 parameters */
	static const uint8_t ok[] = {53, 1, 1, 50, 4, 10, 10, 1, 10, 12, 4, 'w', 's', '1', '0',
				     55, 13, 1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42, 255};
	uint8_t o[400];
	struct frame f;
	unsigned n;

	build_dhcp4(&f, ok, sizeof(ok), 0);
	CU_ASSERT(link_ok(&f));
	/* padded with zeros to BOOTP's 300 bytes */
	memcpy(o, ok, sizeof(ok));
	memset(o + sizeof(ok), 0, 60);
	build_dhcp4(&f, o, sizeof(ok) + 60, 0);
	CU_ASSERT(link_ok(&f));
	/* anything but zeros after END */
	o[sizeof(ok) + 10] = 'x';
	build_dhcp4(&f, o, sizeof(ok) + 60, 0);
	CU_ASSERT_FALSE(link_ok(&f));
	/* no END */
	build_dhcp4(&f, ok, sizeof(ok) - 1, 0);
	CU_ASSERT_FALSE(link_ok(&f));
	/* an IP option */
	build_dhcp4(&f, ok, sizeof(ok), 4);
	CU_ASSERT_FALSE(link_ok(&f));
	/* bytes in sname */
	build_dhcp4(&f, ok, sizeof(ok), 0);
	f.b[f.udp + 8 + 44] = 'x';
	CU_ASSERT_FALSE(link_ok(&f));
	/* a server's message type (OFFER) */
	memcpy(o, ok, sizeof(ok));
	o[2] = 2;
	build_dhcp4(&f, o, sizeof(ok), 0);
	CU_ASSERT_FALSE(link_ok(&f));
	/* an option twice */
	memcpy(o, ok, sizeof(ok) - 1);
	memcpy(o + sizeof(ok) - 1, "\x0c\x02hh\xff", 5);
	build_dhcp4(&f, o, sizeof(ok) + 4, 0);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a vendor class of 128 bytes passes, with 1 more of vendor options not */
	n = sizeof(ok) - 1;
	memcpy(o, ok, n);
	o[n] = 60;
	o[n + 1] = 128;
	memset(o + n + 2, 'v', 128);
	o[n + 130] = 255;
	build_dhcp4(&f, o, n + 131, 0);
	CU_ASSERT(link_ok(&f));
	memcpy(o + n + 130, "\x2b\x01\x01\xff", 4);
	build_dhcp4(&f, o, n + 134, 0);
	CU_ASSERT_FALSE(link_ok(&f));
	/* more than 312 bytes of options: a host name of 250 and private 224 of 60 */
	o[n] = 12;
	o[n + 1] = 250;
	memset(o + n + 2, 'h', 250);
	memcpy(o + n + 252, "\xe0\x3c", 2);
	memset(o + n + 254, 'p', 60);
	o[n + 314] = 255;
	build_dhcp4(&f, o, n + 315, 0);
	CU_ASSERT_FALSE(link_ok(&f));
}

/* DHCPv6 from a link-local address to ff02::1:2 with the options given. */
static void build_dhcp6_msg(struct frame *f, uint8_t type, const uint8_t *opts, unsigned n)
{
	static const uint8_t servers[16] = {0xff, 0x02, [13] = 1, [15] = 2};

	fr_eth(f, ETH_IPV6);
	fr_ipv6(f, 17, ll6, servers);
	fr_udp(f, 546, 547);
	fr_put8(f, type);
	fr_bytes(f, (const uint8_t *)"\x7a\x31\x09", 3);
	fr_bytes(f, opts, n);
	fr_done(f);
}

static void build_dhcp6(struct frame *f, const uint8_t *opts, unsigned n)
{
	build_dhcp6_msg(f, 1, opts, n); /* Solicit */
}

static void test_link_bounded_dhcp6(void)
{
	/* Windows: elapsed time, DUID-LLT, IA_NA, vendor class 311 "MSFT 5.0", ORO */
	static const uint8_t ok[] = {0, 8, 0, 2, 0, 0, 0, 1, 0, 14, 0, 1, 0, 1, 0x2c, 0x8f, 0x1a, 0x3b,
				     2, 0, 0, 0, 0, 1, 0, 3, 0, 12, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0,
				     0, 16, 0, 14, 0, 0, 1, 0x37, 0, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0',
				     0, 6, 0, 4, 0, 23, 0, 24};
	uint8_t o[800];
	struct frame f;

	build_dhcp6(&f, ok, sizeof(ok));
	CU_ASSERT(link_ok(&f));
	/* vendor options of 600 bytes */
	memcpy(o, ok, sizeof(ok));
	memcpy(o + sizeof(ok), "\x00\x11\x02\x58", 4);
	memset(o + sizeof(ok) + 4, 'v', 600);
	build_dhcp6(&f, o, sizeof(ok) + 604);
	CU_ASSERT_FALSE(link_ok(&f));
	/* an option cut by the message's end */
	build_dhcp6(&f, ok, sizeof(ok) - 1);
	CU_ASSERT_FALSE(link_ok(&f));
	/* an IA_NA holding something other than an address */
	memcpy(o, ok, sizeof(ok));
	memcpy(o + sizeof(ok), "\x00\x03\x00\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00"
			       "\x00\xc8\x00\x04xxxx", 24);
	build_dhcp6(&f, o, sizeof(ok) + 24);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a second client identifier */
	memcpy(o + sizeof(ok), "\x00\x01\x00\x02\x00\x03", 6);
	build_dhcp6(&f, o, sizeof(ok) + 6);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a second IA_NA (rt18_dhcp6_ia); a second IA_PD, and a third */
	memcpy(o + sizeof(ok), "\x00\x03\x00\x0c\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00", 16);
	build_dhcp6(&f, o, sizeof(ok) + 16);
	CU_ASSERT_FALSE(link_ok(&f));
	memcpy(o + sizeof(ok), "\x00\x19\x00\x0c\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x00", 16);
	memcpy(o + sizeof(ok) + 16, o + sizeof(ok), 16);
	memcpy(o + sizeof(ok) + 32, o + sizeof(ok), 16);
	build_dhcp6(&f, o, sizeof(ok) + 32);
	CU_ASSERT(link_ok(&f));
	build_dhcp6(&f, o, sizeof(ok) + 48);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a server identifier in a Solicit, not in a Request */
	memcpy(o + sizeof(ok), "\x00\x02\x00\x0e\x00\x01\x00\x01\x2c\x8f\x1a\x3b\x02\x00\x00\x00\x00\x02", 18);
	build_dhcp6(&f, o, sizeof(ok) + 18);
	CU_ASSERT_FALSE(link_ok(&f));
	build_dhcp6_msg(&f, 3, o, sizeof(ok) + 18); /* Request */
	CU_ASSERT(link_ok(&f));
}

/* An ICMPv6 message (ND or MLD) of n bytes, hop limit 255, behind hbh (8
 * bytes, or none). */
static void build_icmp6_msg(struct frame *f, const uint8_t *dst, const uint8_t *msg, unsigned n,
			    const uint8_t *hbh)
{
	fr_eth(f, ETH_IPV6);
	fr_ipv6(f, hbh ? 0 : 58, ll6, dst);
	f->b[f->l3 + 7] = 255;
	if (hbh)
		fr_bytes(f, hbh, 8);
	fr_bytes(f, msg, n);
	fr_done(f);
}

static void test_link_bounded_nd(void)
{
	static const uint8_t snode[16] = {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1};
	uint8_t m[1100];
	struct frame f;
	unsigned n;

	/* NS with the source's link-layer address and a nonce */
	memset(m, 0, sizeof(m));
	m[0] = 135;
	m[8] = 0x20;
	m[9] = 0x01;
	m[23] = 1;
	memcpy(m + 24, "\x01\x01\x02\x00\x00\x00\x00\x01", 8);
	memcpy(m + 32, "\x0e\x01\x5a\xc3\x1f\x0e\x92\xd7", 8);
	n = 40;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT(link_ok(&f));
	/* an option of an unassigned type (200) */
	m[n] = 200;
	m[n + 1] = 127;
	build_icmp6_msg(&f, snode, m, n + 1016, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a link-layer address of another length, an option of length 0 */
	m[25] = 2;
	build_icmp6_msg(&f, snode, m, n + 8, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
	m[25] = 0;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
	m[25] = 1;
	/* the reserved field */
	m[5] = 1;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
	m[5] = 0;
	/* an NS with a target address option (an NA's) */
	m[24] = 2;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
	/* the same as an NA (override) passes */
	m[0] = 136;
	m[4] = 0x20;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT(link_ok(&f));
	/* an RA with a search list, a captive portal and RDNSS (RFC 8106,
	 * 8910); a search list of no names, a portal of control bytes, 5
	 * servers, a multicast server (rt18_nd_ra_fill) */
	{
		static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
		static const uint8_t opts[] = {
			31, 4, 0, 0, 0, 0, 2, 0x58, 7, 'c', 'u', 's', 't', 'o', 'm', 's', 7, 'e',
			'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 0, 0, 0, 0, 0, 0,
			37, 3, 'h', 't', 't', 'p', 's', ':', '/', '/', 'c', 'p', '.', 'e', 'x', '/', 0, 0, 0, 0, 0, 0, 0, 0,
			25, 5, 0, 0, 0, 0, 2, 0x58, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
			0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54};
		uint8_t ra[16 + sizeof(opts)];

		memset(ra, 0, 16);
		ra[0] = 134;
		ra[4] = 64;
		memcpy(ra + 16, opts, sizeof(opts));
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT(link_ok(&f));
		ra[16 + 8] = 0; /* the search list: no name */
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
		ra[16 + 8] = 7;
		ra[16 + 29] = 'x'; /* not zeros after the names */
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
		ra[16 + 29] = 0;
		ra[16 + 35] = 1; /* a control byte in the portal's URI */
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
		ra[16 + 35] = 't';
		ra[16 + 64] = 0xff; /* a multicast server */
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
		ra[16 + 64] = 0x20;
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT(link_ok(&f));
	}
	/* an RA's prefix information: a /64 with its host bits 0, not with
	 * bits set past its length, nor with its reserved field (rt19_nd_ra_prefix_fill) */
	{
		static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
		uint8_t ra[16 + 32];

		memset(ra, 0, sizeof(ra));
		ra[0] = 134;
		ra[16] = 3;
		ra[17] = 4;
		ra[18] = 64;
		ra[19] = 0xc0;
		ra[32] = 0x20;
		ra[33] = 0x01;
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT(link_ok(&f));
		ra[47] = 1;
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
		ra[47] = 0;
		ra[29] = 1;
		build_icmp6_msg(&f, all_nodes, ra, sizeof(ra), NULL);
		CU_ASSERT_FALSE(link_ok(&f));
	}
	/* a redirect */
	m[0] = 137;
	m[4] = 0;
	build_icmp6_msg(&f, snode, m, n, NULL);
	CU_ASSERT_FALSE(link_ok(&f));
}

static void test_link_bounded_mld(void)
{
	static const uint8_t mld_all[16] = {0xff, 0x02, [15] = 0x16};
	static const uint8_t ra[8] = {58, 0, 5, 2, 0, 0, 1, 0};
	uint8_t m[1100], hbh[8];
	struct frame f;

	/* an MLDv1 report of ff02::fb, behind the Router Alert */
	memset(m, 0, sizeof(m));
	m[0] = 131;
	m[8] = 0xff;
	m[9] = 0x02;
	m[23] = 0xfb;
	build_icmp6_msg(&f, mld_all, m, 24, ra);
	CU_ASSERT(link_ok(&f));
	build_icmp6_msg(&f, mld_all, m, 24, NULL);
	CU_ASSERT(link_ok(&f));
	/* bytes after it */
	build_icmp6_msg(&f, mld_all, m, 1024, ra);
	CU_ASSERT_FALSE(link_ok(&f));
	/* other padding in the Hop-by-Hop header */
	memcpy(hbh, ra, 8);
	hbh[7] = 'x';
	build_icmp6_msg(&f, mld_all, m, 24, hbh);
	CU_ASSERT_FALSE(link_ok(&f));
	/* MLDv2: two records, the second with one source */
	memset(m, 0, sizeof(m));
	m[0] = 143;
	m[7] = 2;
	m[8] = 4;
	m[12] = 0xff;
	m[28] = 1;
	m[31] = 1;
	m[32] = 0xff;
	m[48] = 0x20;
	m[49] = 0x01;
	build_icmp6_msg(&f, mld_all, m, 8 + 20 + 36, ra);
	CU_ASSERT(link_ok(&f));
	/* its source multicast, or unspecified (rt18_mld_src) */
	m[48] = 0xff;
	build_icmp6_msg(&f, mld_all, m, 8 + 20 + 36, ra);
	CU_ASSERT_FALSE(link_ok(&f));
	m[48] = m[49] = 0;
	build_icmp6_msg(&f, mld_all, m, 8 + 20 + 36, ra);
	CU_ASSERT_FALSE(link_ok(&f));
	m[48] = 0x20;
	m[49] = 0x01;
	/* a record's count that leaves bytes over, auxiliary data */
	build_icmp6_msg(&f, mld_all, m, 8 + 20 + 36 + 16, ra);
	CU_ASSERT_FALSE(link_ok(&f));
	m[9] = 1;
	build_icmp6_msg(&f, mld_all, m, 8 + 20 + 36 + 4, ra);
	CU_ASSERT_FALSE(link_ok(&f));
}

/* PPPoE discovery: code, session and tags (n bytes). */
static void build_pppoe_disc(struct frame *f, uint8_t code, uint16_t sid, const uint8_t *tags,
			     unsigned n)
{
	fr_eth(f, 0x8863);
	fr_put8(f, 0x11);
	fr_put8(f, code);
	fr_put16(f, sid);
	fr_put16(f, (uint16_t)n);
	fr_bytes(f, tags, n);
}

/* A PPPoE session frame of protocol proto with one control packet of
 * code and data (n bytes). */
static void build_ppp_ctl(struct frame *f, uint16_t proto, uint8_t code, const uint8_t *data,
			  unsigned n)
{
	fr_eth(f, 0x8864);
	fr_put8(f, 0x11);
	fr_put8(f, 0);
	fr_put16(f, 0x0042);
	fr_put16(f, (uint16_t)(2 + 4 + n));
	fr_put16(f, proto);
	fr_put8(f, code);
	fr_put8(f, 1);
	fr_put16(f, (uint16_t)(4 + n));
	fr_bytes(f, data, n);
}

/* PPP's control packets from inside (parse_link_ppp): an echo with its
 * magic number and up to 16 bytes, not 1000 (rt8b_pppoe_lcp_carrier); the
 * protocols a client negotiates, 300 bytes at most; LCP Identification
 * with printable text; EAP Responses as their methods have them
 * (parse_link_eap); nothing after the packet (rt18_ppp_pad). */
static void test_link_bounded_ppp(void)
{
	uint8_t d[1200];
	struct frame f;

	memset(d, 'x', sizeof(d));
	build_ppp_ctl(&f, 0xc021, 9, (const uint8_t *)"\x12\x34\x56\x78", 4);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 9, d, 4 + 16);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 9, d, 4 + 17);
	CU_ASSERT_FALSE(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 10, d, 1004);
	CU_ASSERT_FALSE(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 1, (const uint8_t *)"\x01\x04\x05\xd4\x05\x06\x12\x34\x56\x78", 10);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 14, d, 4); /* no LCP code 14 */
	CU_ASSERT_FALSE(link_ok(&f));
	/* Identification: magic, then 64 printable bytes at most */
	build_ppp_ctl(&f, 0xc021, 12, (const uint8_t *)"\x2d\x4e\x11\x93MSRASV5.20", 14);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 12, d, 4 + 65);
	CU_ASSERT_FALSE(link_ok(&f));
	build_ppp_ctl(&f, 0xc021, 12, (const uint8_t *)"\x2d\x4e\x11\x93MSRAS\x01", 10);
	CU_ASSERT_FALSE(link_ok(&f));
	build_ppp_ctl(&f, 0x8021, 1, d, 296);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0x8021, 1, d, 297);
	CU_ASSERT_FALSE(link_ok(&f));
	/* EAP: a Response's Identity; a Request; an unknown type */
	build_ppp_ctl(&f, 0xc227, 2, (const uint8_t *)"\x01user@customs.example", 21);
	CU_ASSERT(link_ok(&f));
	build_ppp_ctl(&f, 0xc227, 1, (const uint8_t *)"\x01user@customs.example", 21);
	CU_ASSERT_FALSE(link_ok(&f));
	build_ppp_ctl(&f, 0xc227, 2, d, 1200);
	CU_ASSERT_FALSE(link_ok(&f));
	/* EAP-TLS: L and M, the length, records to the end or cut by M; a
	 * later fragment; a first fragment that starts no record */
	{
		uint8_t t[1300];

		memset(t, 0x41, sizeof(t));
		t[0] = 13;
		t[1] = 0xc0;
		t[2] = 0;
		t[3] = 0;
		t[4] = 0x06;
		t[5] = 0x18;
		memcpy(t + 6, "\x16\x03\x03\x04\x00", 5); /* a 1024-byte record, then one cut */
		memcpy(t + 11 + 1024, "\x16\x03\x03\x02\x00", 5);
		build_ppp_ctl(&f, 0xc227, 2, t, 1200);
		CU_ASSERT(link_ok(&f));
		t[1] = 0x80; /* no M: the second record must end within */
		build_ppp_ctl(&f, 0xc227, 2, t, 1200);
		CU_ASSERT_FALSE(link_ok(&f));
		t[1] = 0xc0;
		t[6] = 0x41;
		build_ppp_ctl(&f, 0xc227, 2, t, 1200);
		CU_ASSERT_FALSE(link_ok(&f));
		t[1] = 0x40; /* a fragment after the first */
		build_ppp_ctl(&f, 0xc227, 2, t, 1200);
		CU_ASSERT(link_ok(&f));
		t[1] = 0x20; /* Start: the server's */
		build_ppp_ctl(&f, 0xc227, 2, t, 2);
		CU_ASSERT_FALSE(link_ok(&f));
	}
	build_ppp_ctl(&f, 0x8281, 1, d, 4); /* MPLSCP: no client here negotiates it */
	CU_ASSERT_FALSE(link_ok(&f));
	/* the packet's length past the session's */
	build_ppp_ctl(&f, 0xc021, 9, d, 4);
	f.b[f.len - 4 - 4 + 3] = 40;
	CU_ASSERT_FALSE(link_ok(&f));
}

static void test_link_bounded_pppoe(void)
{
	/* Service-Name "internet", Host-Uniq of 8, PPP-Max-Payload */
	static const uint8_t ok[] = {1, 1, 0, 8, 'i', 'n', 't', 'e', 'r', 'n', 'e', 't', 1, 3, 0, 8, 1, 2, 3,
				     4, 5, 6, 7, 8, 1, 0x20, 0, 2, 5, 0xdc};
	uint8_t t[1500];
	struct frame f;

	build_pppoe_disc(&f, 0x09, 0, ok, sizeof(ok));
	CU_ASSERT(link_ok(&f));
	/* the same as an AC's PADO or PADS: not from a client (rt18_pppoe_pado) */
	build_pppoe_disc(&f, 0x07, 0, ok, sizeof(ok));
	CU_ASSERT_FALSE(link_ok(&f));
	build_pppoe_disc(&f, 0x65, 0x1234, ok, sizeof(ok));
	CU_ASSERT_FALSE(link_ok(&f));
	/* under a VLAN tag */
	fr_eth(&f, ETH_VLAN);
	fr_vlan(&f, 7, 0x8863);
	fr_bytes(&f, (const uint8_t *)"\x11\x09\x00\x00\x00\x1e", 6);
	fr_bytes(&f, ok, sizeof(ok));
	CU_ASSERT(link_ok(&f));
	/* a PADI with a session */
	build_pppoe_disc(&f, 0x09, 5, ok, sizeof(ok));
	CU_ASSERT_FALSE(link_ok(&f));
	/* a Vendor-Specific tag of 64 bytes passes, of 1404 not */
	memcpy(t, ok, sizeof(ok));
	memcpy(t + sizeof(ok), "\x01\x05\x00\x40", 4);
	memset(t + sizeof(ok) + 4, 'v', 1404);
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 68);
	CU_ASSERT(link_ok(&f));
	t[sizeof(ok) + 2] = 0x05;
	t[sizeof(ok) + 3] = 0x7c;
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 1408);
	CU_ASSERT_FALSE(link_ok(&f));
	/* a tag of an unknown type; a Host-Uniq twice; bytes after End-Of-List */
	memcpy(t + sizeof(ok), "\x01\x99\x00\x00", 4);
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 4);
	CU_ASSERT_FALSE(link_ok(&f));
	memcpy(t + sizeof(ok), "\x01\x03\x00\x00", 4);
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 4);
	CU_ASSERT_FALSE(link_ok(&f));
	memcpy(t + sizeof(ok), "\x00\x00\x00\x00\x01\x01\x00\x00", 8);
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 8);
	CU_ASSERT_FALSE(link_ok(&f));
	build_pppoe_disc(&f, 0x09, 0, t, sizeof(ok) + 4);
	CU_ASSERT(link_ok(&f));
	/* a length past the frame */
	build_pppoe_disc(&f, 0x09, 0, ok, sizeof(ok));
	f.len -= 2;
	CU_ASSERT_FALSE(link_ok(&f));
	/* LCP in a session, its lengths 0 and 1000 bytes after: held too
	 * (test_link_bounded_ppp) */
	fr_eth(&f, 0x8864);
	fr_pppoe(&f, 0xc021);
	fr_zeros(&f, 1000);
	CU_ASSERT_FALSE(link_ok(&f));
}

/* Mutated link services: parse_link_bounded reads only inside the frame
 * (an exact-length copy, for the sanitizers). */
static void test_link_bounded_fuzz(void)
{
	static const uint8_t dhcp[] = {53, 1, 1, 12, 2, 'w', 's', 55, 2, 1, 3, 255};
	static const uint8_t dhcp6[] = {0, 8, 0, 2, 0, 0, 0, 3, 0, 12, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t mld_all[16] = {0xff, 0x02, [15] = 0x16};
	static const uint8_t ra[8] = {58, 0, 5, 2, 0, 0, 1, 0};
	static const uint8_t tags[] = {1, 1, 0, 0, 1, 3, 0, 4, 1, 2, 3, 4};
	uint8_t m[64] = {143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 1, 0xff, [28] = 0x20, [29] = 1, [44] = 0x20, [45] = 1};
	struct frame seeds[4], f;
	struct parse_result r;
	unsigned i, k;
	uint32_t len;
	uint8_t *p;

	build_dhcp4(&seeds[0], dhcp, sizeof(dhcp), 0);
	build_dhcp6(&seeds[1], dhcp6, sizeof(dhcp6));
	build_icmp6_msg(&seeds[2], mld_all, m, 8 + 20 + 16, ra);
	build_pppoe_disc(&seeds[3], 0x09, 0, tags, sizeof(tags));
	for (i = 0; i < 4; i++)
		CU_ASSERT(link_ok(&seeds[i]));
	for (i = 0; i < 40000; i++) {
		f = seeds[i % 4];
		for (k = fuzz_next() % 5; k > 0; k--)
			f.b[fuzz_next() % f.len] = (uint8_t)fuzz_next();
		len = fuzz_next() % (f.len + 1);
		p = malloc(len ? len : 1);
		CU_ASSERT_FATAL(p != NULL);
		memcpy(p, f.b, len);
		parse_frame(p, len, &r);
		(void)parse_link_bounded(p, len, &r);
		free(p);
	}
}

static CU_TestInfo parse_tests[] = {
	{"pppoe", test_pppoe},
	{"dhcp link service", test_link_service_dhcp},
	{"link services bounded: dhcp", test_link_bounded_dhcp},
	{"link services bounded: dhcpv6", test_link_bounded_dhcp6},
	{"link services bounded: nd", test_link_bounded_nd},
	{"link services bounded: mld", test_link_bounded_mld},
	{"link services bounded: pppoe discovery", test_link_bounded_pppoe},
	{"link services bounded: ppp control", test_link_bounded_ppp},
	{"link services bounded: fuzz", test_link_bounded_fuzz},
	{"tcp over ipv4", test_tcp_v4},
	{"tcp over ipv6 with options", test_tcp_v6},
	{"ipv4 options", test_ipv4_options},
	{"ethernet padding", test_ipv4_padding},
	{"single vlan", test_vlan_single},
	{"qinq outer id", test_qinq},
	{"three tags, cut tag", test_three_vlans},
	{"arp and other ethertypes", test_arp_and_other},
	{"every truncation of tcp/ipv4", test_truncation_tcp_v4},
	{"every truncation of vlan/ipv6/ext/udp", test_truncation_udp_v6},
	{"truncated icmp", test_truncation_icmp},
	{"bad ipv4/ipv6 headers", test_bad_ipv4},
	{"ipv6 extension chain, ah", test_ipv6_ext_chain},
	{"ipv6 extension limits", test_ipv6_ext_limits},
	{"dispatch hash without a full parse", test_dispatch_hash},
	{"esp, no next header, gre", test_ipv6_esp_none},
	{"ipv6 fragments", test_ipv6_fragments},
	{"ipv4 fragments", test_ipv4_fragments},
	{"bad tcp doff, udp len", test_bad_tcp_udp},
	{"icmp echo is one flow", test_icmp_echo},
	{"icmpv6 nd", test_icmpv6_nd},
	{"symmetric hash", test_sym_hash},
	{"symmetric hash spread", test_sym_hash_spread},
	{"error names", test_error_names},
	{"fuzz", test_fuzz},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("parse", NULL, NULL, parse_tests);
}
