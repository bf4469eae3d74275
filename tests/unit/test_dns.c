/* CUnit: DNS response parsing and the learned-address table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns.h"
#include "learn.h"
#include "policy.h"
#include "unit.h"

/* A response to "E2M.Customs.Example A" with a CNAME, one A and one AAAA. */
static size_t dns_build(uint8_t *p, uint8_t flags2, uint8_t flags3, uint32_t ttl)
{
	static const uint8_t q[] = {3,	 'E', '2', 'M', 7,   'C', 'u', 's', 't', 'o', 'm', 's', 7,
				    'E', 'x', 'a', 'm', 'p', 'l', 'e', 0,   0,	 1,   0,   1};
	size_t o = 0;

	memcpy(p, (uint8_t[]){0x12, 0x34, flags2, flags3, 0, 1, 0, 3, 0, 0, 0, 0}, 12);
	o = 12;
	memcpy(p + o, q, sizeof(q));
	o += sizeof(q);
	/* CNAME (pointer to the question), rdata: "x" + pointer */
	memcpy(p + o, (uint8_t[]){0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12}, 16);
	o += 16;
	/* A 198.51.100.7 */
	memcpy(p + o,
	       (uint8_t[]){0xc0, 12, 0, 1, 0, 1, (uint8_t)(ttl >> 24), (uint8_t)(ttl >> 16),
			   (uint8_t)(ttl >> 8), (uint8_t)ttl, 0, 4, 198, 51, 100, 7},
	       16);
	o += 16;
	/* AAAA 2001:db8::7 */
	memcpy(p + o, (uint8_t[]){0xc0, 12, 0, 28, 0, 1, 0, 0, 1, 0, 0, 16}, 12);
	o += 12;
	memset(p + o, 0, 16);
	p[o] = 0x20;
	p[o + 1] = 0x01;
	p[o + 2] = 0x0d;
	p[o + 3] = 0xb8;
	p[o + 15] = 7;
	return o + 16;
}

static void test_dns_response(void)
{
	uint8_t p[256];
	size_t n = dns_build(p, 0x81, 0x80, 300);
	struct dns_answer a[4];
	char qname[64];
	uint8_t v4[16] = {[10] = 0xff, [11] = 0xff, [12] = 198, [13] = 51, [14] = 100, [15] = 7};

	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, sizeof(qname), a, 4), 2);
	CU_ASSERT_STRING_EQUAL(qname, "e2m.customs.example");
	CU_ASSERT_EQUAL(memcmp(a[0].addr, v4, 16), 0);
	CU_ASSERT_EQUAL(a[0].ttl, 300);
	CU_ASSERT_EQUAL(a[1].addr[0], 0x20);
	CU_ASSERT_EQUAL(a[1].addr[15], 7);
	CU_ASSERT_EQUAL(a[1].ttl, 256);
	/* max bounds the answers kept */
	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, sizeof(qname), a, 1), 1);
}

static void test_dns_rejects(void)
{
	uint8_t p[256];
	size_t n = dns_build(p, 0x01, 0x00, 300), cut;
	struct dns_answer a[4];
	char qname[64];

	/* a query, not a response */
	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, sizeof(qname), a, 4), -EINVAL);
	/* NXDOMAIN */
	n = dns_build(p, 0x81, 0x83, 300);
	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, sizeof(qname), a, 4), -EINVAL);
	/* every truncation of a good response is refused, never read past */
	n = dns_build(p, 0x81, 0x80, 300);
	for (cut = 0; cut < n; cut++) {
		uint8_t *q = malloc(cut ? cut : 1);

		memcpy(q, p, cut);
		CU_ASSERT_EQUAL(dns_parse_response(q, cut, qname, sizeof(qname), a, 4), -EINVAL);
		free(q);
	}
	/* a negative TTL (top bit) counts as 0 */
	n = dns_build(p, 0x81, 0x80, 0x80000010u);
	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, sizeof(qname), a, 4), 2);
	CU_ASSERT_EQUAL(a[0].ttl, 0);
	/* a tiny qname buffer truncates the name, not the parse */
	CU_ASSERT_EQUAL(dns_parse_response(p, n, qname, 4, a, 4), 2);
	CU_ASSERT_STRING_EQUAL(qname, "e2m");
}

static void test_learn_table(void)
{
	static struct learn_table t1, t2;
	struct learn_table *both[2] = {&t1, &t2};
	uint8_t a[16] = {[10] = 0xff, [11] = 0xff, [12] = 203, [13] = 0, [14] = 113, [15] = 50};
	uint8_t b[16];
	unsigned i;

	learn_init(&t1);
	learn_init(&t2);
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 1000), 0);
	CU_ASSERT_TRUE(learn_add(&t1, a, 1u << 1, 60, 1000));
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 1000), 1u << 1);
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 1059), 1u << 1);
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 1060), 0); /* expired with its TTL */
	/* a second table's entry for another endpoint adds up */
	CU_ASSERT_TRUE(learn_add(&t1, a, 1u << 1, 60, 2000));
	CU_ASSERT_TRUE(learn_add(&t2, a, 1u << 3, 60, 2000));
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 2001), (1u << 1) | (1u << 3));
	/* the same address again merges masks and keeps the later expiry */
	CU_ASSERT_FALSE(learn_add(&t1, a, 1u << 2, 600, 2001));
	CU_ASSERT_EQUAL(learn_lookup(&both[0], 1, a, 2500), (1u << 1) | (1u << 2));
	/* TTL 0 still lasts LEARN_TTL_MIN; a huge TTL is capped */
	memset(b, 0x11, sizeof(b));
	learn_init(&t2);
	learn_add(&t2, b, 1, 0, 100);
	CU_ASSERT_EQUAL(learn_lookup(&both[1], 1, b, 100 + LEARN_TTL_MIN - 1), 1);
	CU_ASSERT_EQUAL(learn_lookup(&both[1], 1, b, 100 + LEARN_TTL_MIN), 0);
	learn_add(&t2, b, 1, 0xffffffffu, 100);
	CU_ASSERT_EQUAL(learn_lookup(&both[1], 1, b, 100 + LEARN_TTL_MAX), 0);
	/* bounded: many addresses never grow the table, and evict the oldest */
	learn_init(&t1);
	for (i = 0; i < LEARN_SETS * LEARN_WAYS * 4; i++) {
		memset(b, 0, sizeof(b));
		memcpy(b, &i, sizeof(i));
		learn_add(&t1, b, 1, 3600, 5000 + i);
	}
	CU_ASSERT_TRUE(t1.evicted > 0);
	CU_ASSERT_EQUAL(learn_lookup(&both[0], 1, b, 5000 + i), 1); /* the newest is there */
}

static void test_policy_learned(void)
{
	static const char conf[] =
		"version = 1;\n"
		"endpoints = ( { name = \"e2m\"; addresses = [ \"198.51.100.0/28\" ];\n"
		"  hosts = [ \"e2m.customs.example\" ]; ports = [ 443 ]; apps = [ \"TLS\" ]; },\n"
		"  { name = \"plain\"; addresses = [ \"192.0.2.1\" ]; } );\n"
		"profiles = ( { name = \"strict\"; default = \"drop\"; allow = [ \"e2m\", "
		"\"plain\" ]; } );\n"
		"zones = ( { name = \"z\"; subnets = [ \"10.10.0.0/16\" ]; profile = \"strict\"; } "
		");\n";
	char err[256];
	struct policy *p = config_load(unit_write_tmp("learned.conf", conf), 1, err, sizeof(err));
	struct policy_flow f;
	struct policy_decision d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(policy_endpoints_for_host(p, "E2M.customs.example."), 1u << 0);
	CU_ASSERT_EQUAL(policy_endpoints_for_host(p, "evil.example"), 0);
	memset(&f, 0, sizeof(f));
	f.zone = 0;
	f.outbound = true;
	f.l4proto = 6;
	{
		struct policy_prefix pf;

		policy_prefix_parse("203.0.113.50", &pf);
		memcpy(f.remote, pf.addr, 16);
	}
	f.remote_port = 443;
	/* not learned: dropped at the first packet */
	policy_evaluate(p, &f, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);
	CU_ASSERT_EQUAL(d.reason, POLICY_R_DEFAULT);
	/* learned for the endpoint: undecided until the app and SNI are known */
	f.learned = 1u << 0;
	policy_evaluate(p, &f, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_PENDING);
	f.app_known = true;
	f.app_master = "TLS";
	f.sni = "e2m.customs.example";
	policy_evaluate(p, &f, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_ALLOW);
	CU_ASSERT_EQUAL(d.reason, POLICY_R_ENDPOINT);
	/* a learned address never allows another name */
	f.sni = "evil.example";
	policy_evaluate(p, &f, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);
	/* the learned bit of an address-only endpoint is not set by DNS, and a
	 * learned bit for another index does not make this one a candidate */
	f.learned = 1u << 5;
	f.sni = "e2m.customs.example";
	policy_evaluate(p, &f, &d);
	CU_ASSERT_EQUAL(d.verdict, POLICY_DROP);
	policy_free(p);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"dns response", test_dns_response},
		{"dns rejects and truncation", test_dns_rejects},
		{"learn table", test_learn_table},
		{"policy with learned addresses", test_policy_learned},
		CU_TEST_INFO_NULL,
	};

	return unit_run("dns", NULL, NULL, tests);
}
