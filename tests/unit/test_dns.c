/* CUnit: DNS queries and answers, pending queries, the learned-address table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dns.h"
#include "learn.h"
#include "policy.h"
#include "unit.h"

/* A small DNS message builder: a header with one question, then records. */
struct msg {
	uint8_t p[512];
	size_t n;
};

static void msg_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		m->p[m->n++] = (uint8_t)len;
		memcpy(m->p + m->n, name, len);
		m->n += len;
		name += len + (dot ? 1 : 0);
	}
	m->p[m->n++] = 0;
}

static void msg_u16(struct msg *m, unsigned v)
{
	m->p[m->n++] = (uint8_t)(v >> 8);
	m->p[m->n++] = (uint8_t)v;
}

/* flags2: 0x81 = response + RD, 0x01 = query; flags3: 0x80 = RA, rcode */
static void msg_begin(struct msg *m, unsigned id, uint8_t flags2, uint8_t flags3, const char *qname,
		      unsigned qtype)
{
	memset(m, 0, sizeof(*m));
	msg_u16(m, id);
	m->p[2] = flags2;
	m->p[3] = flags3;
	m->n = 4;
	msg_u16(m, 1);
	msg_u16(m, 0);
	msg_u16(m, 0);
	msg_u16(m, 0);
	msg_name(m, qname);
	msg_u16(m, qtype);
	msg_u16(m, 1);
}

/* A record; owner NULL = a pointer to the question name. */
static void msg_rr(struct msg *m, const char *owner, unsigned type, uint32_t ttl,
		   const uint8_t *rdata, unsigned rdlen)
{
	if (owner) {
		msg_name(m, owner);
	} else {
		m->p[m->n++] = 0xc0;
		m->p[m->n++] = 12;
	}
	msg_u16(m, type);
	msg_u16(m, 1);
	msg_u16(m, ttl >> 16);
	msg_u16(m, ttl & 0xffff);
	msg_u16(m, rdlen);
	memcpy(m->p + m->n, rdata, rdlen);
	m->n += rdlen;
	m->p[7]++; /* ANCOUNT */
}

static void msg_cname(struct msg *m, const char *owner, const char *target)
{
	struct msg t = {.n = 0};

	msg_name(&t, target);
	msg_rr(m, owner, DNS_TYPE_CNAME, 60, t.p, (unsigned)t.n);
}

static const uint8_t v4_7[4] = {198, 51, 100, 7};
static const uint8_t v4_evil[4] = {203, 0, 113, 66};

static void test_dns_query(void)
{
	struct dns_question q;
	struct msg m;

	msg_begin(&m, 0x1234, 0x01, 0x00, "E2M.Customs.Example", DNS_TYPE_AAAA);
	CU_ASSERT_EQUAL(dns_parse_query(m.p, m.n, &q), 0);
	CU_ASSERT_EQUAL(q.id, 0x1234);
	CU_ASSERT_EQUAL(q.qtype, DNS_TYPE_AAAA);
	CU_ASSERT_EQUAL(q.qclass, DNS_CLASS_IN);
	CU_ASSERT_STRING_EQUAL(q.name, "e2m.customs.example");
	/* a response is not a query */
	msg_begin(&m, 0x1234, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	CU_ASSERT_EQUAL(dns_parse_query(m.p, m.n, &q), -EINVAL);
	/* a label holding a dot would print as another name: refused */
	msg_begin(&m, 1, 0x01, 0, "x", DNS_TYPE_A);
	m.n = 12;
	memcpy(m.p + m.n,
	       "\x0b"
	       "e2m.customs\x07"
	       "example\0\0\1\0\1",
	       25);
	m.n += 25;
	CU_ASSERT_EQUAL(dns_parse_query(m.p, m.n, &q), -EINVAL);
	/* so does a NUL or a space in a label */
	msg_begin(&m, 1, 0x01, 0, "e2m.customs.example", DNS_TYPE_A);
	m.p[14] = ' ';
	CU_ASSERT_EQUAL(dns_parse_query(m.p, m.n, &q), -EINVAL);
	m.p[14] = 0;
	CU_ASSERT_EQUAL(dns_parse_query(m.p, m.n, &q), -EINVAL);
}

static void test_dns_answer(void)
{
	uint8_t v4[16] = {[10] = 0xff, [11] = 0xff, [12] = 198, [13] = 51, [14] = 100, [15] = 7};
	struct dns_answer a[4];
	struct dns_question q;
	enum dns_reason why;
	struct msg m;

	/* the question name directly */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, NULL, DNS_TYPE_A, 300, v4_7, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), 1);
	CU_ASSERT_EQUAL(why, DNS_OK);
	CU_ASSERT_EQUAL(q.id, 7);
	CU_ASSERT_STRING_EQUAL(q.name, "e2m.customs.example");
	CU_ASSERT_EQUAL(memcmp(a[0].addr, v4, 16), 0);
	CU_ASSERT_EQUAL(a[0].ttl, 300);
	/* through the answer's own CNAME chain, in either order */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, "edge.cdn.example", DNS_TYPE_A, 30, v4_7, 4);
	msg_cname(&m, "mid.customs.example", "edge.cdn.example");
	msg_cname(&m, NULL, "mid.customs.example");
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), 1);
	CU_ASSERT_EQUAL(a[0].ttl, 30);
	/* a top-bit TTL counts as 0 */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, NULL, DNS_TYPE_A, 0x80000010u, v4_7, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), 1);
	CU_ASSERT_EQUAL(a[0].ttl, 0);
	/* max bounds what is kept, not what is checked */
	msg_rr(&m, NULL, DNS_TYPE_A, 60, v4_evil, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 1, &why), 1);
}

static void test_dns_answer_refused(void)
{
	static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, [12] = 203, [15] = 66};
	struct dns_answer a[4];
	struct dns_question q;
	enum dns_reason why;
	struct msg m, good;
	size_t cut;

	/* an owner off the chain: the whole answer teaches nothing */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, NULL, DNS_TYPE_A, 300, v4_7, 4);
	msg_rr(&m, "evil.example", DNS_TYPE_A, 300, v4_evil, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_offchain);
	/* a CNAME whose owner is off the chain extends nothing */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_cname(&m, "other.example", "evil.example");
	msg_rr(&m, "evil.example", DNS_TYPE_A, 300, v4_evil, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_offchain);
	/* an AAAA in the answer to an A question */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, NULL, DNS_TYPE_AAAA, 300, mapped, 16);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_offchain);
	/* an IPv4-mapped AAAA would teach an IPv4 address */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_AAAA);
	msg_rr(&m, NULL, DNS_TYPE_AAAA, 300, mapped, 16);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_format);
	/* NXDOMAIN, and a truncated (TC) answer */
	msg_begin(&m, 7, 0x81, 0x83, "e2m.customs.example", DNS_TYPE_A);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_rcode);
	msg_begin(&m, 7, 0x83, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_rr(&m, NULL, DNS_TYPE_A, 300, v4_7, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_rcode);
	/* a query is not an answer */
	msg_begin(&m, 7, 0x01, 0x00, "e2m.customs.example", DNS_TYPE_A);
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_format);
	/* a compression pointer to itself (a loop) */
	msg_begin(&m, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	m.p[m.n] = 0xc0;
	m.p[m.n + 1] = (uint8_t)m.n;
	m.n += 2;
	memcpy(m.p + m.n, "\0\1\0\1\0\0\0\1\0\4\306\63\144\7", 14);
	m.n += 14;
	m.p[7] = 1;
	CU_ASSERT_EQUAL(dns_parse_answer(m.p, m.n, &q, a, 4, &why), -EINVAL);
	CU_ASSERT_EQUAL(why, DNS_R_format);
	/* every truncation of a good answer is refused, never read past */
	msg_begin(&good, 7, 0x81, 0x80, "e2m.customs.example", DNS_TYPE_A);
	msg_cname(&good, NULL, "edge.customs.example");
	msg_rr(&good, "edge.customs.example", DNS_TYPE_A, 300, v4_7, 4);
	CU_ASSERT_EQUAL(dns_parse_answer(good.p, good.n, &q, a, 4, &why), 1);
	for (cut = 0; cut < good.n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);

		memcpy(p, good.p, cut);
		CU_ASSERT_EQUAL(dns_parse_answer(p, cut, &q, a, 4, &why), -EINVAL);
		free(p);
	}
}

static void test_dns_pending(void)
{
	static struct dns_pending t;
	struct dns_question q, ans;
	const uint64_t s = 1000000000ull;

	dns_pending_init(&t);
	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.qtype = DNS_TYPE_A;
	q.qclass = DNS_CLASS_IN;
	strcpy(q.name, "e2m.customs.example");
	ans = q;
	/* nothing asked: unsolicited */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 10 * s), DNS_R_unsolicited);
	dns_pending_add(&t, 1, &q, 10 * s);
	/* another flow's answer, a wrong ID, another question */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 2, &ans, 10 * s), DNS_R_unsolicited);
	ans.id = 0x9999;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 10 * s), DNS_R_id);
	ans.id = q.id;
	strcpy(ans.name, "evil.example");
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 10 * s), DNS_R_question);
	strcpy(ans.name, q.name);
	ans.qtype = DNS_TYPE_AAAA;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 10 * s), DNS_R_question);
	ans.qtype = DNS_TYPE_A;
	ans.qclass = 3;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 10 * s), DNS_R_question);
	ans.qclass = DNS_CLASS_IN;
	/* the real answer, once */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 11 * s), DNS_OK);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 11 * s), DNS_R_unsolicited);
	/* a query waits DNS_PENDING_NS at most */
	dns_pending_add(&t, 1, &q, 20 * s);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, 20 * s + DNS_PENDING_NS), DNS_R_unsolicited);
	/* bounded: many queries never grow it; the newest is kept */
	for (unsigned i = 0; i < DNS_PENDING * 3; i++) {
		q.id = (uint16_t)i;
		dns_pending_add(&t, 5, &q, 30 * s);
	}
	ans.id = (uint16_t)(DNS_PENDING * 3 - 1);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 5, &ans, 30 * s), DNS_OK);
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
		{"dns query", test_dns_query},
		{"dns answer and CNAME chain", test_dns_answer},
		{"dns answers refused, truncations", test_dns_answer_refused},
		{"dns pending queries", test_dns_pending},
		{"learn table", test_learn_table},
		{"policy with learned addresses", test_policy_learned},
		CU_TEST_INFO_NULL,
	};

	return unit_run("dns", NULL, NULL, tests);
}
