/* Unit tests for dataplane/flow.c on a real rte_hash: DPDK runs without
 * hugepages or devices, so the suite needs no special machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "flow.h"
#include "unit.h"

#define NS 1000000000ULL

/* A parsed packet from 10.0.<host>.<host> to 192.0.2.<dst>, or the IPv6
 * equivalents, with the given ports. */
static struct parse_result mk_pkt(int family, uint8_t proto, uint16_t host, uint16_t sport,
				  uint8_t dst, uint16_t dport)
{
	struct parse_result r;

	memset(&r, 0, sizeof(r));
	r.kind = PARSE_IP;
	r.family = (uint8_t)family;
	r.l4proto = proto;
	r.sport = sport;
	r.dport = dport;
	if (family == 4) {
		r.src[10] = r.src[11] = r.dst[10] = r.dst[11] = 0xff;
		r.src[12] = 10;
		r.src[14] = (uint8_t)(host >> 8);
		r.src[15] = (uint8_t)host;
		r.dst[12] = 192;
		r.dst[14] = 2;
		r.dst[15] = dst;
	} else {
		r.src[0] = r.dst[0] = 0x20;
		r.src[1] = r.dst[1] = 0x01;
		r.src[14] = (uint8_t)(host >> 8);
		r.src[15] = (uint8_t)host;
		r.dst[15] = dst;
		r.dst[2] = 0xff; /* dst sorts after src */
	}
	return r;
}

static struct parse_result reverse(const struct parse_result *p)
{
	struct parse_result r = *p;

	memcpy(r.src, p->dst, 16);
	memcpy(r.dst, p->src, 16);
	r.sport = p->dport;
	r.dport = p->sport;
	return r;
}

static struct flow_key key_of(const struct parse_result *r)
{
	struct flow_key k;
	bool a;

	flow_key_make(&k, r, &a);
	return k;
}

/* The i-th distinct TCP flow of a test. */
static struct flow_key key_n(unsigned i)
{
	struct parse_result r = mk_pkt(i % 2 ? 6 : 4, 6, (uint16_t)(i / 7), (uint16_t)(1024 + i),
				       (uint8_t)(i % 7), 443);

	return key_of(&r);
}

static bool flow_key_cmp_eq(const struct flow_key *a, const struct flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void test_key_symmetric(void)
{
	static const int families[] = {4, 6};
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct parse_result out = mk_pkt(families[i], 6, 5, 40000, 25, 443);
		struct parse_result in = reverse(&out);
		struct flow_key ko, ki;
		bool a_out, a_in;

		memset(&ko, 0xa5, sizeof(ko)); /* garbage must not survive */
		flow_key_make(&ko, &out, &a_out);
		flow_key_make(&ki, &in, &a_in);
		CU_ASSERT(memcmp(&ko, &ki, sizeof(ko)) == 0);
		CU_ASSERT(a_out != a_in);
		CU_ASSERT(a_out); /* the source address sorts first */
		CU_ASSERT_EQUAL(ko.port_a, 40000);
		CU_ASSERT_EQUAL(ko.port_b, 443);
		CU_ASSERT_EQUAL(ko.l4proto, 6);
		CU_ASSERT_EQUAL(ko.family, families[i]);
		CU_ASSERT(memcmp(ko.addr_a, out.src, 16) == 0);
		CU_ASSERT(memcmp(ko.addr_b, out.dst, 16) == 0);
	}

	/* Same address both ways (loopback-like): the ports decide. */
	{
		struct parse_result p = mk_pkt(4, 17, 1, 5000, 0, 53);
		struct parse_result q;
		struct flow_key kp, kq;
		bool ap, aq;

		memcpy(p.dst, p.src, 16);
		q = reverse(&p);
		flow_key_make(&kp, &p, &ap);
		flow_key_make(&kq, &q, &aq);
		CU_ASSERT(memcmp(&kp, &kq, sizeof(kp)) == 0);
		CU_ASSERT(ap != aq);
		CU_ASSERT_EQUAL(kp.port_a, 53);
	}

	/* VLAN and protocol are part of the identity. */
	{
		struct parse_result p = mk_pkt(4, 6, 1, 5000, 0, 80);
		struct flow_key k1 = key_of(&p), k2;

		p.vlan = 10;
		k2 = key_of(&p);
		CU_ASSERT_EQUAL(k2.vlan, 10);
		CU_ASSERT(memcmp(&k1, &k2, sizeof(k1)) != 0);
		p.vlan = 0;
		p.l4proto = 17;
		k2 = key_of(&p);
		CU_ASSERT(memcmp(&k1, &k2, sizeof(k1)) != 0);
	}
}

static void test_insert_lookup_remove(void)
{
	struct flow_table *ft = flow_table_create("t_basic", 64, SOCKET_ID_ANY);
	struct flow_key k = key_n(1), other = key_n(2);
	struct flow *f, *g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	CU_ASSERT_EQUAL(flow_capacity(ft), 64);
	CU_ASSERT_EQUAL(flow_count(ft), 0);
	CU_ASSERT_PTR_NULL(flow_lookup(ft, &k));

	f = flow_insert(ft, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->in_use, 1);
	CU_ASSERT_EQUAL(f->cls_idx, FLOW_NO_CLS);
	CU_ASSERT_EQUAL(f->pkts_out, 0);
	CU_ASSERT(memcmp(&f->key, &k, sizeof(k)) == 0);
	CU_ASSERT_EQUAL(flow_count(ft), 1);
	CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &k), f);
	CU_ASSERT_PTR_NULL(flow_lookup(ft, &other));

	/* Inserting a present key keeps the flow's state. */
	f->pkts_out = 7;
	g = flow_insert(ft, &k);
	CU_ASSERT_PTR_EQUAL(g, f);
	CU_ASSERT_EQUAL(g->pkts_out, 7);
	CU_ASSERT_EQUAL(flow_count(ft), 1);

	g = flow_insert(ft, &other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_EQUAL(g, f);
	CU_ASSERT_EQUAL(flow_count(ft), 2);

	flow_remove(ft, f);
	CU_ASSERT_EQUAL(f->in_use, 0);
	CU_ASSERT_EQUAL(flow_count(ft), 1);
	CU_ASSERT_PTR_NULL(flow_lookup(ft, &k));
	CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &other), g);
	flow_remove(ft, f); /* twice: harmless */
	flow_remove(ft, NULL);
	CU_ASSERT_EQUAL(flow_count(ft), 1);
	flow_table_destroy(ft);
}

static void fill_exact(uint32_t cap, const char *name)
{
	struct flow_table *ft = flow_table_create(name, cap, SOCKET_ID_ANY);
	struct flow_key k;
	struct flow *f;
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	for (i = 0; i < cap; i++) {
		k = key_n(i);
		f = flow_insert(ft, &k);
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f == NULL)
			break;
		f->pkts_out = i;
	}
	CU_ASSERT_EQUAL(flow_count(ft), cap);
	k = key_n(cap);
	CU_ASSERT_PTR_NULL(flow_insert(ft, &k));
	CU_ASSERT_EQUAL(flow_count(ft), cap);

	/* Every flow is still there with its own state. */
	for (i = 0; i < cap; i++) {
		k = key_n(i);
		f = flow_lookup(ft, &k);
		CU_ASSERT_PTR_NOT_NULL(f);
		if (f != NULL)
			CU_ASSERT_EQUAL(f->pkts_out, i);
	}

	/* One out, one in; then full again. */
	k = key_n(cap / 2);
	flow_remove(ft, flow_lookup(ft, &k));
	k = key_n(cap);
	f = flow_insert(ft, &k);
	CU_ASSERT_PTR_NOT_NULL(f);
	CU_ASSERT_EQUAL(flow_count(ft), cap);
	k = key_n(cap + 1);
	CU_ASSERT_PTR_NULL(flow_insert(ft, &k));
	flow_table_destroy(ft);
}

static void test_capacity_exact(void)
{
	fill_exact(1000, "t_cap1000");
	fill_exact(5, "t_cap5"); /* below one rte_hash bucket */
	fill_exact(8, "t_cap8");
}

static void test_bulk(void)
{
	struct flow_table *ft = flow_table_create("t_bulk", 256, SOCKET_ID_ANY);
	struct flow_key keys[100];
	const struct flow_key *kp[100];
	struct flow *res[100];
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	for (i = 0; i < 100; i++) {
		keys[i] = key_n(i);
		kp[i] = &keys[i];
		if (i % 3 == 0)
			CU_ASSERT_PTR_NOT_NULL(flow_insert(ft, &keys[i]));
	}
	flow_lookup_bulk(ft, kp, 64, res);
	for (i = 0; i < 64; i++) {
		CU_ASSERT_PTR_EQUAL(res[i], flow_lookup(ft, &keys[i]));
		CU_ASSERT_EQUAL(res[i] != NULL, i % 3 == 0);
	}
	/* More than one rte_hash burst, and an odd size. */
	memset(res, 0xff, sizeof(res));
	flow_lookup_bulk(ft, kp, 100, res);
	for (i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(res[i] != NULL, i % 3 == 0);
	flow_lookup_bulk(ft, kp + 1, 1, res);
	CU_ASSERT_PTR_NULL(res[0]);
	flow_lookup_bulk(ft, kp, 0, res);
	flow_table_destroy(ft);
}

static struct flow *insert_proto(struct flow_table *ft, uint8_t proto, uint16_t port)
{
	struct parse_result r = mk_pkt(proto == 58 ? 6 : 4, proto, 9, port, 9, 9);
	struct flow_key k = key_of(&r);

	return flow_insert(ft, &k);
}

static void test_timeouts(void)
{
	static const uint32_t to[POLICY_TO_COUNT] = {
		[POLICY_TO_TCP] = 100,	 [POLICY_TO_TCP_CLOSED] = 5, [POLICY_TO_UDP] = 30,
		[POLICY_TO_ICMP] = 10,	 [POLICY_TO_OTHER] = 20,     [POLICY_TO_TCP_SYN] = 3,
		[POLICY_TO_DROPPED] = 4,
	};
	struct flow_table *ft = flow_table_create("t_timeouts", 64, SOCKET_ID_ANY);
	struct flow *tcp, *udp, *icmp, *icmp6, *gre;
	uint64_t t0 = 5000 * NS;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	tcp = insert_proto(ft, 6, 1);
	udp = insert_proto(ft, 17, 2);
	icmp = insert_proto(ft, 1, 3);
	icmp6 = insert_proto(ft, 58, 4);
	gre = insert_proto(ft, 47, 5);
	CU_ASSERT_FATAL(tcp && udp && icmp && icmp6 && gre);

	/* The DESIGN defaults hold until the config sets its own. */
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 3600 * NS);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, udp), 120 * NS);

	flow_table_set_timeouts(ft, to);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 100 * NS);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, udp), 30 * NS);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, icmp), 10 * NS);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, icmp6), 10 * NS);
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, gre), 20 * NS);

	/* Half-open (a SYN nobody answered) and dropped flows are what an
	 * outsider can make at will: their own short timeouts (DESIGN 4.1). */
	tcp->tcp = FLOW_TCP_SYN;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 3 * NS);
	udp->decision.verdict = POLICY_DROP;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, udp), 4 * NS);
	udp->decision.verdict = POLICY_ALLOW;
	tcp->pkts_in = 1;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 100 * NS);
	tcp->decision.verdict = POLICY_DROP;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 4 * NS);
	tcp->decision.verdict = POLICY_ALLOW;

	/* TCP is closed after a RST or a FIN from each side, not one FIN. */
	tcp->tcp = FLOW_TCP_SYN | FLOW_TCP_FIN_A;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 100 * NS);
	tcp->tcp |= FLOW_TCP_FIN_B;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 5 * NS);
	tcp->tcp = FLOW_TCP_RST;
	CU_ASSERT_EQUAL(flow_timeout_ns(ft, tcp), 5 * NS);

	udp->ts_last = t0;
	CU_ASSERT_FALSE(flow_expired(ft, udp, t0));
	CU_ASSERT_FALSE(flow_expired(ft, udp, t0 + 30 * NS));
	CU_ASSERT_TRUE(flow_expired(ft, udp, t0 + 30 * NS + 1));
	CU_ASSERT_FALSE(flow_expired(ft, udp, t0 - 100 * NS)); /* clock behind the flow */
	tcp->ts_last = t0;
	CU_ASSERT_TRUE(flow_expired(ft, tcp, t0 + 6 * NS));
	tcp->tcp = 0;
	CU_ASSERT_FALSE(flow_expired(ft, tcp, t0 + 6 * NS));
	flow_table_destroy(ft);
}

struct visit {
	unsigned calls;
	uint64_t stale_before; /* every visited flow must be idle since before this */
	bool wrong;
};

static void visit_cb(struct flow *f, void *arg)
{
	struct visit *v = arg;

	v->calls++;
	if (!f->in_use || f->ts_last >= v->stale_before)
		v->wrong = true;
}

static void test_expire_slice(void)
{
	static const uint32_t to[POLICY_TO_COUNT] = {100, 5, 30, 10, 20};
	struct flow_table *ft = flow_table_create("t_expire", 256, SOCKET_ID_ANY);
	uint64_t now = 10000 * NS;
	struct visit v = {0, now - 30 * NS, false};
	unsigned i, removed, total = 0, calls;
	struct flow_key k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	flow_table_set_timeouts(ft, to);
	for (i = 0; i < 200; i++) {
		struct parse_result r = mk_pkt(4, 17, (uint16_t)i, 1000, 1, 53);
		struct flow *f;

		k = key_of(&r);
		f = flow_insert(ft, &k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		/* Odd flows are idle 31 s (past the UDP 30 s), even ones 29 s. */
		f->ts_last = now - (i % 2 ? 31 : 29) * NS;
	}

	CU_ASSERT_EQUAL(flow_expire_slice(ft, now, 0, visit_cb, &v), 0);
	removed = flow_expire_slice(ft, now, 10, visit_cb, &v);
	CU_ASSERT(removed <= 10);
	total += removed;
	for (calls = 1; calls < 1000 && flow_count(ft) > 100; calls++) {
		removed = flow_expire_slice(ft, now, 10, visit_cb, &v);
		CU_ASSERT(removed <= 10);
		total += removed;
	}
	CU_ASSERT_EQUAL(total, 100);
	CU_ASSERT_EQUAL(v.calls, 100);
	CU_ASSERT_FALSE(v.wrong);
	CU_ASSERT_EQUAL(flow_count(ft), 100);
	/* 100 stale flows in 100 distinct slots, 10 slots per call. */
	CU_ASSERT(calls >= 10);

	/* The survivors are the fresh ones, and a full lap now removes nothing. */
	for (i = 0; i < 200; i++) {
		struct parse_result r = mk_pkt(4, 17, (uint16_t)i, 1000, 1, 53);

		k = key_of(&r);
		CU_ASSERT_EQUAL(flow_lookup(ft, &k) != NULL, i % 2 == 0);
	}
	CU_ASSERT_EQUAL(flow_expire_slice(ft, now, 100000, visit_cb, &v), 0);

	/* Two seconds later the rest have expired too; a NULL callback is fine. */
	CU_ASSERT_EQUAL(flow_expire_slice(ft, now + 2 * NS, 100000, NULL, NULL), 100);
	CU_ASSERT_EQUAL(flow_count(ft), 0);
	CU_ASSERT_EQUAL(flow_expire_slice(ft, now + 2 * NS, 100000, NULL, NULL), 0);
	flow_table_destroy(ft);
}

static void test_flush(void)
{
	struct flow_table *ft = flow_table_create("t_flush", 128, SOCKET_ID_ANY);
	struct visit v = {0, UINT64_MAX, false};
	struct flow_key k;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	for (i = 0; i < 50; i++) {
		k = key_n(i);
		CU_ASSERT_PTR_NOT_NULL(flow_insert(ft, &k));
	}
	CU_ASSERT_EQUAL(flow_flush(ft, visit_cb, &v), 50);
	CU_ASSERT_EQUAL(v.calls, 50);
	CU_ASSERT_FALSE(v.wrong);
	CU_ASSERT_EQUAL(flow_count(ft), 0);
	for (i = 0; i < 50; i++) {
		k = key_n(i);
		CU_ASSERT_PTR_NULL(flow_lookup(ft, &k));
	}
	CU_ASSERT_EQUAL(flow_flush(ft, visit_cb, &v), 0);
	/* The table is reusable after a flush. */
	k = key_n(3);
	CU_ASSERT_PTR_NOT_NULL(flow_insert(ft, &k));
	flow_table_destroy(ft);
}

static void test_create_and_memory(void)
{
	struct flow_table *a, *b, *dup;
	uint64_t ma, mb;

	CU_ASSERT_PTR_NULL(flow_table_create("t_zero", 0, SOCKET_ID_ANY));
	flow_table_destroy(NULL);

	a = flow_table_create("t_mem1k", 1000, SOCKET_ID_ANY);
	b = flow_table_create("t_mem100k", 100000, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	dup = flow_table_create("t_mem1k", 1000, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NULL(dup); /* names are unique per process */

	ma = flow_table_memory(a);
	mb = flow_table_memory(b);
	/* At least the flow array; at most twice what a flow and its hash
	 * share should cost. */
	CU_ASSERT(ma >= 1000 * sizeof(struct flow));
	CU_ASSERT(mb >= 100000 * sizeof(struct flow));
	CU_ASSERT(mb < 100000 * 2 * (sizeof(struct flow) + 64 + 48));
	printf("\n    sizeof(struct flow) %zu; memory 1K %llu B (%llu/flow), 100K %llu B "
	       "(%llu/flow) ",
	       sizeof(struct flow), (unsigned long long)ma, (unsigned long long)(ma / 1000),
	       (unsigned long long)mb, (unsigned long long)(mb / 100000));
	flow_table_destroy(a);
	flow_table_destroy(b);
}

static int suite_init(void)
{
	/* No hugepages, devices, shared files or telemetry socket, so any
	 * number of test processes can run side by side. */
	char *argv[] = {
		"test_flow", "--no-huge", "--no-pci", "--no-shconf",	   "-m",
		"256",	     "-l",	  "0",	      "--log-level=error", "--no-telemetry",
	};

	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0 ? -1 : 0;
}

static int suite_fini(void)
{
	return rte_eal_cleanup() < 0 ? -1 : 0;
}

/* A full table gives up its oldest dropped or half-open flow, never an
 * established allowed one, and skips candidates that changed since. */
static void test_eviction(void)
{
	struct flow_table *ft = flow_table_create("t_evict", 8, SOCKET_ID_ANY);
	struct flow *f[8], *v;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	CU_ASSERT_PTR_NULL(flow_evict_candidate(ft)); /* nothing queued */
	for (i = 0; i < 8; i++) {
		f[i] = insert_proto(ft, 6, (uint16_t)(100 + i));
		CU_ASSERT_PTR_NOT_NULL_FATAL(f[i]);
		f[i]->decision.verdict = POLICY_ALLOW;
		f[i]->pkts_in = 1; /* established */
	}
	CU_ASSERT_PTR_NULL(insert_proto(ft, 6, 200)); /* full */
	/* nothing evictable: established allowed flows stay */
	for (i = 0; i < 8; i++)
		flow_evictable(ft, f[i]);
	CU_ASSERT_PTR_NULL(flow_evict_candidate(ft));
	/* f[2] half-open, then f[5] dropped, then f[1] half-open again */
	f[2]->tcp = FLOW_TCP_SYN;
	f[2]->pkts_in = 0;
	flow_evictable(ft, f[2]);
	f[5]->decision.verdict = POLICY_DROP;
	flow_evictable(ft, f[5]);
	f[1]->tcp = FLOW_TCP_SYN;
	f[1]->pkts_in = 0;
	flow_evictable(ft, f[1]);
	/* f[2] got its answer meanwhile: no longer a candidate */
	f[2]->pkts_in = 1;
	v = flow_evict_candidate(ft);
	CU_ASSERT_PTR_EQUAL(v, f[5]); /* the oldest that still qualifies */
	flow_remove(ft, v);
	CU_ASSERT_PTR_NOT_NULL(insert_proto(ft, 6, 201));
	/* a slot reused by a new flow is not its old self */
	v = flow_evict_candidate(ft);
	CU_ASSERT_PTR_EQUAL(v, f[1]);
	flow_remove(ft, v);
	v = insert_proto(ft, 6, 202);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	v->tcp = FLOW_TCP_SYN; /* half-open, but never queued: generation differs */
	CU_ASSERT_PTR_NULL(flow_evict_candidate(ft));
	CU_ASSERT_TRUE(flow_is_evictable(v));
	/* allowed through from outside to an address of no zone (any
	 * protocol, no SYN seen): evictable until its inside host answers;
	 * one opened from inside, or of a zone, is not (red team round 47,
	 * rt47_ft_passthru_ack) */
	v->tcp = 0;
	v->decision.verdict = POLICY_ALLOW;
	v->zone = -1;
	v->flags = 0;
	v->pkts_in = 0;
	CU_ASSERT_TRUE(flow_is_evictable(v));
	v->flags = FLOW_F_INIT_INSIDE;
	CU_ASSERT_FALSE(flow_is_evictable(v));
	v->flags = 0;
	v->zone = 1;
	CU_ASSERT_FALSE(flow_is_evictable(v));
	v->zone = -1;
	v->pkts_in = 1;
	CU_ASSERT_FALSE(flow_is_evictable(v));
	v->tcp = FLOW_TCP_RST; /* answered with a RST (a closed port) */
	CU_ASSERT_TRUE(flow_is_evictable(v));
	flow_table_destroy(ft);
}

/* flow_renew: the same slot and key, a new generation, the state zeroed;
 * and a sparse table (a few flows in many slots) is swept whole, by the
 * bit per slot in use, with budgets that skip words of empty slots. */
static void test_renew_and_sparse_sweep(void)
{
	static const uint32_t to[POLICY_TO_COUNT] = {100, 5, 30, 10, 20};
	struct flow_table *ft = flow_table_create("t_renew", 4096, SOCKET_ID_ANY);
	uint64_t now = 10000 * NS;
	struct visit v = {0, now - 30 * NS, false};
	struct flow *f, *g;
	struct flow_key k;
	unsigned i, total = 0, calls;
	uint32_t gen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	flow_table_set_timeouts(ft, to);
	{
		struct parse_result r = mk_pkt(4, 6, 1, 1000, 1, 443);

		k = key_of(&r);
	}
	f = flow_insert(ft, &k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	f->pkts_out = 7;
	f->tcp = FLOW_TCP_RST;
	gen = f->gen;
	g = flow_renew(ft, f);
	CU_ASSERT_PTR_EQUAL(g, f);
	CU_ASSERT_NOT_EQUAL(g->gen, gen);
	CU_ASSERT_EQUAL(g->pkts_out, 0);
	CU_ASSERT_EQUAL(g->tcp, 0);
	CU_ASSERT_EQUAL(g->cls_idx, FLOW_NO_CLS);
	CU_ASSERT_EQUAL(memcmp(&g->key, &k, sizeof(k)), 0);
	CU_ASSERT_PTR_EQUAL(flow_lookup(ft, &k), g);
	CU_ASSERT_EQUAL(flow_count(ft), 1);
	flow_remove(ft, g);
	CU_ASSERT_EQUAL(flow_count(ft), 0);

	/* 20 flows, all stale, somewhere among 4096+ slots. */
	for (i = 0; i < 20; i++) {
		struct parse_result r = mk_pkt(4, 17, (uint16_t)(i * 97), 1000, 1, 53);

		k = key_of(&r);
		f = flow_insert(ft, &k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		f->ts_last = now - 31 * NS;
	}
	for (calls = 0; calls < 10000 && flow_count(ft) > 0; calls++)
		total += flow_expire_slice(ft, now, 64 + calls % 7, visit_cb, &v);
	CU_ASSERT_EQUAL(total, 20);
	CU_ASSERT_EQUAL(v.calls, 20);
	CU_ASSERT_FALSE(v.wrong);
	CU_ASSERT_EQUAL(flow_count(ft), 0);
	flow_table_destroy(ft);
}

/* flow_key_make orders the two sides as memcmp does, whatever the bytes. */
static void test_key_order(void)
{
	unsigned i, j, bad = 0;

	srand(11);
	for (i = 0; i < 20000; i++) {
		struct parse_result r;
		struct flow_key k;
		bool a, want;
		int c;

		memset(&r, 0, sizeof(r));
		for (j = 0; j < 16; j++) {
			r.src[j] = (uint8_t)(rand() & (i & 1 ? 0x01 : 0xff));
			r.dst[j] = (uint8_t)(rand() & (i & 1 ? 0x01 : 0xff));
		}
		if (i % 7 == 0)
			memcpy(r.dst, r.src, 16);
		r.sport = (uint16_t)(rand() & 3);
		r.dport = (uint16_t)(rand() & 3);
		c = memcmp(r.src, r.dst, 16);
		want = c < 0 || (c == 0 && r.sport <= r.dport);
		flow_key_make(&k, &r, &a);
		if (a != want || memcmp(k.addr_a, want ? r.src : r.dst, 16) != 0 ||
		    k.port_a != (want ? r.sport : r.dport))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The bulk lookup's slot cache is a hint: under inserts, removals and
 * renewals of more keys than it has entries (so entries collide and slots
 * are reused by other keys), bulk lookups say what the hash says. */
static void test_bulk_cache(void)
{
	struct flow_table *ft = flow_table_create("t_bcache", 16, SOCKET_ID_ANY);
	struct flow_key keys[96];
	const struct flow_key *kp[96];
	struct flow *res[96];
	unsigned i, step, bad = 0, hits = 0;
	uint64_t x = 88172645463325252ull;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ft);
	for (i = 0; i < 96; i++) {
		keys[i] = key_n(i);
		kp[i] = &keys[i];
	}
	for (step = 0; step < 3000; step++) {
		unsigned k;
		struct flow *f;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (unsigned)(x % 96);
		f = flow_lookup(ft, &keys[k]);
		if (f && (x >> 40) % 4 == 0)
			flow_renew(ft, f);
		else if (f)
			flow_remove(ft, f);
		else
			flow_insert(ft, &keys[k]); /* NULL when full: fine */
		flow_lookup_bulk(ft, kp + (step % 32), 64, res);
		for (i = 0; i < 64; i++) {
			f = flow_lookup(ft, kp[step % 32 + i]);
			if (res[i] != f)
				bad++;
			if (f && !flow_key_cmp_eq(&f->key, kp[step % 32 + i]))
				bad++;
			hits += f != NULL;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(hits > 0);
	flow_table_destroy(ft);
}

static CU_TestInfo flow_tests[] = {
	{"eviction", test_eviction},
	{"symmetric key", test_key_symmetric},
	{"key order is memcmp's", test_key_order},
	{"insert, lookup, remove", test_insert_lookup_remove},
	{"capacity is exact", test_capacity_exact},
	{"bulk lookup", test_bulk},
	{"bulk lookup's slot cache", test_bulk_cache},
	{"timeouts", test_timeouts},
	{"expire slice", test_expire_slice},
	{"renew in place, sparse sweep", test_renew_and_sparse_sweep},
	{"flush", test_flush},
	{"create errors, memory", test_create_and_memory},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("flow", suite_init, suite_fini, flow_tests);
}
