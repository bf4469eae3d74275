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

static unsigned revoked[256];

static void revoke_cb(void *arg, const uint8_t addr[16])
{
	(void)arg;
	revoked[addr[15]]++;
}

/* One source's share of the table (DNS_PENDING_SHARE): its own next query
 * is not remembered, another source's is, a retry of a remembered one
 * keeps its entry, and an expired one frees the share (red team round 45,
 * rt45_dns_busy_ok: one host's answered queries held every entry). */
static void test_dns_pending_share(void)
{
	static struct dns_pending t;
	struct dns_question q;
	const uint64_t s = 1000000000ull;
	unsigned i;

	dns_pending_init(&t);
	memset(&q, 0, sizeof(q));
	q.qtype = DNS_TYPE_A;
	q.qclass = DNS_CLASS_IN;
	strcpy(q.name, "e2m.customs.example");
	for (i = 0; i < DNS_PENDING_SHARE; i++) {
		q.id = (uint16_t)(100 + i);
		CU_ASSERT_TRUE(dns_pending_add_src(&t, 1, 5, &q, s));
	}
	q.id = 999;
	CU_ASSERT_FALSE(dns_pending_add_src(&t, 1, 5, &q, s));
	CU_ASSERT_FALSE(dns_pending_add_src(&t, 2, 5, &q, s)); /* another flow, the same source */
	CU_ASSERT_TRUE(dns_pending_add_src(&t, 3, 6, &q, s));  /* another source */
	CU_ASSERT_TRUE(dns_pending_add(&t, 4, &q, s));	       /* not counted */
	q.id = 100;
	CU_ASSERT_TRUE(dns_pending_add_src(&t, 1, 5, &q, s)); /* a retry */
	q.id = 999;
	CU_ASSERT_TRUE(dns_pending_add_src(&t, 1, 5, &q, s + DNS_PENDING_NS));
}

/* A flow's answered queries taken back at once (an old copy over TCP that
 * cannot be compared): each address once, another flow's kept, and a
 * later address answer conflicts. */
static void test_dns_pending_revoke(void)
{
	static struct dns_pending t;
	const struct dns_pending_entry *first;
	struct dns_answer a1[2];
	struct dns_question q;
	const uint64_t s = 1000000000ull;

	memset(a1, 0, sizeof(a1));
	memset(revoked, 0, sizeof(revoked));
	a1[0].addr[15] = 5;
	a1[1].addr[15] = 6;
	dns_pending_init(&t);
	memset(&q, 0, sizeof(q));
	q.id = 7;
	q.qtype = DNS_TYPE_A;
	q.qclass = DNS_CLASS_IN;
	strcpy(q.name, "e2m.customs.example");
	CU_ASSERT_TRUE(dns_pending_add(&t, 1, &q, s));
	CU_ASSERT_TRUE(dns_pending_add(&t, 2, &q, s));
	q.id = 8;
	CU_ASSERT_TRUE(dns_pending_add(&t, 1, &q, s)); /* waiting: nothing to revoke */
	q.id = 7;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &q, a1, 2, s, &first), DNS_OK);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 2, &q, a1, 1, s, &first), DNS_OK);
	CU_ASSERT_EQUAL(dns_pending_revoke_flow(&t, 1, 2 * s, revoke_cb, NULL), 1);
	CU_ASSERT_EQUAL(revoked[5], 1);
	CU_ASSERT_EQUAL(revoked[6], 1);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &q, a1, 2, 2 * s, &first), DNS_R_conflict);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 2, &q, a1, 1, 2 * s, &first), DNS_R_duplicate);
	CU_ASSERT_EQUAL(dns_pending_revoke_flow(&t, 1, 2 * s, revoke_cb, NULL), 1);
	CU_ASSERT_EQUAL(revoked[5], 1); /* its addresses were taken back once */
	CU_ASSERT_EQUAL(dns_pending_revoke_flow(&t, 3, 2 * s, revoke_cb, NULL), 0);
}

static void test_dns_pending(void)
{
	static struct dns_pending t;
	const struct dns_pending_entry *first;
	struct dns_answer a1[2], a2[2];
	struct dns_question q, ans;
	const uint64_t s = 1000000000ull;

	memset(a1, 0, sizeof(a1));
	memset(a2, 0, sizeof(a2));
	a1[0].addr[15] = 5;
	a1[1].addr[15] = 6;
	a2[0].addr[15] = 66; /* another address: a forged answer */
	dns_pending_init(&t);
	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.qtype = DNS_TYPE_A;
	q.qclass = DNS_CLASS_IN;
	strcpy(q.name, "e2m.customs.example");
	ans = q;
	/* nothing asked: unsolicited */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_unsolicited);
	dns_pending_add(&t, 1, &q, 10 * s);
	/* another flow's answer, a wrong ID, another question */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 2, &ans, a1, 1, 10 * s, &first), DNS_R_unsolicited);
	ans.id = 0x9999;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_id);
	ans.id = q.id;
	strcpy(ans.name, "evil.example");
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_question);
	strcpy(ans.name, q.name);
	ans.qtype = DNS_TYPE_AAAA;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_question);
	ans.qtype = DNS_TYPE_A;
	ans.qclass = 3;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_question);
	ans.qclass = DNS_CLASS_IN;
	/* an error answer first teaches nothing, and an address answer after
	 * it is a conflict (a forged one after a failed query) */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, NULL, -1, 10 * s, &first), DNS_R_rcode);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, NULL, -1, 10 * s, &first), DNS_R_duplicate);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 10 * s, &first), DNS_R_conflict);
	CU_ASSERT_PTR_NOT_NULL(first);
	q.id = ans.id = 0x1235;
	CU_ASSERT_TRUE(dns_pending_add(&t, 1, &q, 10 * s));
	CU_ASSERT_FALSE(dns_pending_answered(&t, 1, &ans, 11 * s));
	/* the real answer, once; the same again (in another order) is a
	 * duplicate; another one is a conflict, with the first's addresses */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 2, 11 * s, &first), DNS_OK);
	CU_ASSERT_TRUE(dns_pending_answered(&t, 1, &ans, 11 * s));
	CU_ASSERT_FALSE(dns_pending_answered(&t, 2, &ans, 11 * s));
	CU_ASSERT_FALSE(dns_pending_answered(&t, 1, &ans, 11 * s + DNS_ANSWERED_NS));
	a2[1] = a1[0];
	a2[0] = a1[1];
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a2, 2, 11 * s, &first), DNS_R_duplicate);
	CU_ASSERT_PTR_NULL(first);
	memset(a2, 0, sizeof(a2));
	a2[0].addr[15] = 66;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a2, 1, 11 * s, &first), DNS_R_conflict);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	CU_ASSERT_EQUAL(first->n_addr, 2);
	CU_ASSERT_EQUAL(first->addr[0][15], 5);
	CU_ASSERT_EQUAL(first->addr[1][15], 6);
	/* an error answer after an address one conflicts too */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, NULL, -1, 12 * s, &first), DNS_R_conflict);
	/* kept DNS_ANSWERED_NS after the answer, then gone */
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a2, 1, 11 * s + DNS_ANSWERED_NS, &first),
			DNS_R_unsolicited);
	/* a retry of an answered query (the same ID) changes nothing: not
	 * its question either */
	ans.qtype = DNS_TYPE_AAAA;
	q.qtype = DNS_TYPE_AAAA;
	CU_ASSERT_TRUE(dns_pending_add(&t, 1, &q, 12 * s));
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a2, 1, 12 * s, &first), DNS_R_question);
	q.qtype = ans.qtype = DNS_TYPE_A;
	/* a query waits DNS_PENDING_NS at most */
	dns_pending_add(&t, 1, &q, 20 * s);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 1, &ans, a1, 1, 20 * s + DNS_PENDING_NS, &first),
			DNS_R_unsolicited);
	/* bounded: many queries never grow it; the newest is kept */
	for (unsigned i = 0; i < DNS_PENDING * 3; i++) {
		q.id = (uint16_t)i;
		dns_pending_add(&t, 5, &q, 30 * s);
	}
	ans.id = (uint16_t)(DNS_PENDING * 3 - 1);
	CU_ASSERT_EQUAL(dns_pending_take(&t, 5, &ans, a1, 1, 30 * s, &first), DNS_OK);
	/* an answered entry is never pushed out in its 10 s: with every
	 * entry answered a new query is not remembered */
	for (unsigned i = 0; i < DNS_PENDING; i++) {
		q.id = ans.id = (uint16_t)(1000 + i);
		CU_ASSERT_TRUE(dns_pending_add(&t, 6, &q, 40 * s));
		CU_ASSERT_EQUAL(dns_pending_take(&t, 6, &ans, a1, 1, 40 * s, &first), DNS_OK);
	}
	q.id = 2000;
	CU_ASSERT_FALSE(dns_pending_add(&t, 6, &q, 41 * s));
	ans.id = 1000;
	CU_ASSERT_EQUAL(dns_pending_take(&t, 6, &ans, a2, 1, 41 * s, &first), DNS_R_conflict);
	CU_ASSERT_TRUE(dns_pending_add(&t, 6, &q, 40 * s + DNS_ANSWERED_NS));
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
	/* revoked: gone from its table, for every endpoint; not from another */
	CU_ASSERT_TRUE(learn_revoke(&t1, a));
	CU_ASSERT_EQUAL(learn_lookup(&both[0], 1, a, 2002), 0);
	CU_ASSERT_EQUAL(learn_lookup(both, 2, a, 2002), 1u << 3);
	CU_ASSERT_FALSE(learn_revoke(&t1, a));
	CU_ASSERT_TRUE(learn_add(&t1, a, 1u << 2, 600, 2001));
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

/* The wire format (dns_wire_check, dns_wire_feed): a bigger builder, for
 * messages up to a TCP message's 65535 bytes. */
struct wmsg {
	uint8_t p[2 + 65535 + 64]; /* the TCP length first */
	size_t n;		   /* the message's bytes, after p[2] */
};

static struct wmsg wm, wtmp;

static uint8_t *w_at(struct wmsg *m)
{
	return m->p + 2 + m->n;
}

static void w_bytes(struct wmsg *m, const void *b, size_t n)
{
	memcpy(w_at(m), b, n);
	m->n += n;
}

static void w_u16(struct wmsg *m, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	w_bytes(m, b, 2);
}

/* A name in labels, as given (case kept), then a pointer to ptr (> 0) or
 * the root. */
static void w_name(struct wmsg *m, const char *name, unsigned ptr)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		*w_at(m) = (uint8_t)len;
		m->n++;
		w_bytes(m, name, len);
		name += len + (dot ? 1 : 0);
	}
	if (ptr)
		w_u16(m, 0xc000 | ptr);
	else
		w_u16(m, 0), m->n--;
}

static void w_hdr(struct wmsg *m, uint8_t flags2, unsigned qd, unsigned an, unsigned ns,
		  unsigned ar)
{
	m->n = 0;
	w_u16(m, 0xbeef);
	w_u16(m, (unsigned)flags2 << 8 | 0x80);
	w_u16(m, qd);
	w_u16(m, an);
	w_u16(m, ns);
	w_u16(m, ar);
}

/* A record's fixed part and RDATA, after its owner. */
static void w_rr(struct wmsg *m, unsigned type, unsigned cls, const void *rd, unsigned rdlen)
{
	w_u16(m, type);
	w_u16(m, cls);
	w_u16(m, 0);
	w_u16(m, 300);
	w_u16(m, rdlen);
	w_bytes(m, rd, rdlen);
}

/* The TCP verdict of the message in m: fed after its length, whole, cut
 * in two at every place, and between two good messages. The state is
 * all zero after a good one. */
static enum dns_wire w_stream(struct wmsg *m, unsigned flags)
{
	static const uint8_t q[] = {0,	 21, 1,	  2, 0x01, 0x00, 0, 1, 0, 0, 0, 0,
				    0,	 0,  1,	  'a', 1,  'b',	 0, 0, 1, 0, 1};
	static const uint8_t a[] = {0, 21, 1, 2, 0x81, 0x80, 0, 1, 0, 0, 0, 0,
				    0, 0,  1, 'a', 1,  'b',  0, 0, 1, 0, 1};
	const uint8_t *good = flags & DNS_WIRE_QUERY ? q : a;
	struct dns_wire_stream s, zero = {0};
	size_t total = m->n + 2, cut;
	enum dns_wire whole, e;

	m->p[0] = (uint8_t)(m->n >> 8);
	m->p[1] = (uint8_t)m->n;
	s = zero;
	whole = dns_wire_feed(&s, flags, m->p, total);
	if (whole == DNS_WIRE_OK)
		CU_ASSERT_EQUAL(memcmp(&s, &zero, sizeof(s)), 0);
	for (cut = 0; cut <= total; cut++) {
		s = zero;
		e = dns_wire_feed(&s, flags, m->p, cut);
		if (e == DNS_WIRE_OK)
			e = dns_wire_feed(&s, flags, m->p + cut, total - cut);
		CU_ASSERT_EQUAL(e, whole);
	}
	/* byte by byte, after a good message, and one after it */
	s = zero;
	e = dns_wire_feed(&s, flags, good, sizeof(q));
	for (cut = 0; cut < total && e == DNS_WIRE_OK; cut++)
		e = dns_wire_feed(&s, flags, m->p + cut, 1);
	if (e == DNS_WIRE_OK)
		e = dns_wire_feed(&s, flags, good, sizeof(q));
	CU_ASSERT_EQUAL(e, whole);
	return whole;
}

/* Both verdicts, which must agree. */
static enum dns_wire w_both(struct wmsg *m, unsigned flags)
{
	enum dns_wire e = dns_wire_check(m->p + 2, m->n, flags);

	CU_ASSERT_EQUAL(w_stream(m, flags), e);
	return e;
}

static const uint8_t w_cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}; /* EDNS client cookie */

/* A query with EDNS0 and a cookie, 0x20 case; a DNS header then anything
 * else. */
static void test_wire_query(void)
{
	uint8_t junk[64];
	size_t i;

	w_hdr(&wm, 0x01, 1, 0, 0, 1);
	w_name(&wm, "wWw.ExAmPle.cOM", 0);
	w_u16(&wm, DNS_TYPE_A);
	w_u16(&wm, DNS_CLASS_IN);
	w_name(&wm, "", 0); /* OPT: the root, 1232 bytes, DO */
	w_rr(&wm, 41, 1232, w_cookie, sizeof(w_cookie));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* ... the same from the server, or as an answer: its QR bit */
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_HEADER);
	/* a TXT query, no EDNS */
	w_hdr(&wm, 0x01, 1, 0, 0, 0);
	w_name(&wm, "_dmarc.customs.example", 0);
	w_u16(&wm, 16);
	w_u16(&wm, 1);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* one byte more: trailing; one less: the question cut */
	*w_at(&wm) = 0;
	wm.n++;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_TRAILING);
	wm.n -= 2;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	/* the tunnel: a right header, then bytes of no name (0x4c > 63) */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(0x4c + i * 37);
	w_hdr(&wm, 0x01, 1, 0, 0, 0);
	w_bytes(&wm, junk, sizeof(junk));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
	/* a label of 64, of type 0x40 and 0x80; a name over 255 bytes */
	w_hdr(&wm, 0x01, 1, 0, 0, 0);
	*w_at(&wm) = 64;
	wm.n++;
	memset(w_at(&wm), 'a', 64);
	wm.n += 64;
	w_u16(&wm, 0);
	w_u16(&wm, 1);
	wm.n--;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
	wm.p[2 + 12] = 0x41;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
	wm.p[2 + 12] = 0x81;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
	w_hdr(&wm, 0x01, 1, 0, 0, 0);
	for (i = 0; i < 4; i++) { /* 4 * 64 + 1 = 257 bytes */
		*w_at(&wm) = 63;
		wm.n++;
		memset(w_at(&wm), 'a', 63);
		wm.n += 63;
	}
	w_name(&wm, "", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
	wm.p[2 + 12 + 3 * 64] = 61; /* 255: the longest */
	memmove(wm.p + 2 + 12 + 3 * 64 + 62, wm.p + 2 + 12 + 4 * 64, 5);
	wm.n -= 2;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* the header's rules, as they were */
	w_hdr(&wm, 0x01, 2, 0, 0, 0);
	w_name(&wm, "a", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	w_name(&wm, "b", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_HEADER); /* two questions */
	wm.p[2 + 5] = 0;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY | DNS_WIRE_NOQ), DNS_WIRE_HEADER);
	wm.p[2 + 5] = 1;
	wm.p[2 + 2] = 0x21; /* opcode 4, NOTIFY: no client sends one */
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_HEADER);
	wm.p[2 + 2] = 0x11; /* opcode 2, STATUS */
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_HEADER);
	/* A dynamic update (opcode 5, RFC 2136): the zone (one SOA entry),
	 * no prerequisite, one A record to add; the same wire format */
	w_hdr(&wm, 0x28, 1, 0, 1, 0);
	w_name(&wm, "customs.example", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	w_name(&wm, "ws-10.customs.example", 0);
	w_rr(&wm, DNS_TYPE_A, DNS_CLASS_IN, "\x0a\x0a\x01\x0a", 4);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* from the server's side it must be the answer (QR) */
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_HEADER);
	/* its answer: QR, opcode 5, the zone echoed */
	w_hdr(&wm, 0xa8, 1, 0, 0, 0);
	w_name(&wm, "customs.example", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
	/* two zones, or a record cut short: refused as any message is */
	w_hdr(&wm, 0x28, 2, 0, 0, 0);
	w_name(&wm, "a", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	w_name(&wm, "b", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_HEADER);
	w_hdr(&wm, 0x28, 1, 0, 1, 0);
	w_name(&wm, "customs.example", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	w_name(&wm, "ws-10.customs.example", 0);
	w_rr(&wm, DNS_TYPE_A, DNS_CLASS_IN, "\x0a\x0a\x01\x0a", 4);
	wm.n -= 2;
	CU_ASSERT_NOT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* shorter than a header */
	CU_ASSERT_EQUAL(dns_wire_check(wm.p + 2, 11, DNS_WIRE_QUERY), DNS_WIRE_LENGTH);
	wm.n = 11;
	CU_ASSERT_EQUAL(w_stream(&wm, DNS_WIRE_QUERY), DNS_WIRE_LENGTH);
}

/* A client's standard query: in its additional section an OPT, a TSIG
 * or a SIG(0), 2 at most, each of 128 bytes of data at most, and no
 * answer or authority record (dns_stdq_type_ok; red team round 8's
 * 900-byte NULL record carrier). Updates and answers keep theirs. */
static void w_query_ab(unsigned ar)
{
	w_hdr(&wm, 0x01, 1, 0, 0, ar);
	w_name(&wm, "e2m.customs.example", 0);
	w_u16(&wm, DNS_TYPE_A);
	w_u16(&wm, DNS_CLASS_IN);
}

/* An OPT record (the root, 1232 bytes, a client cookie). */
static void w_opt(struct wmsg *m)
{
	w_name(m, "", 0);
	w_rr(m, 41, 1232, w_cookie, sizeof(w_cookie));
}

/* dns_wire_feed_marked: a bit per byte of what it told */
struct w_marks {
	uint8_t bit[2 + 65535 + 64];
	size_t base; /* the run's place in the message */
	unsigned calls;
};

static void w_mark(void *arg, size_t off, size_t len)
{
	struct w_marks *mk = arg;

	CU_ASSERT(len > 0);
	memset(mk->bit + mk->base + off, 1, len);
	mk->calls++;
}

/* The marks of a query whose records are OPT (a cookie and 121 zeros of
 * padding: 137 bytes of data) and a TSIG: every byte but the OPT's first
 * 128 of data and the TSIG's data; the same whatever the cuts. */
static void test_wire_marks(void)
{
	static struct w_marks whole, cut;
	static const uint8_t mac[40] = {1, 2, 3};
	uint8_t pad[137];
	size_t total, opt_data, tsig_data, i, at;
	struct dns_wire_stream s;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, w_cookie, sizeof(w_cookie));
	pad[13] = 12;
	pad[15] = 137 - 16;
	w_query_ab(2);
	w_name(&wm, "", 0);
	opt_data = wm.n + 2 + 10;
	w_rr(&wm, 41, 1232, pad, sizeof(pad));
	w_name(&wm, "key.customs.example", 0);
	tsig_data = wm.n + 2 + 10;
	w_rr(&wm, 250, 255, mac, sizeof(mac));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	total = wm.n + 2;
	memset(&whole, 0, sizeof(whole));
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(dns_wire_feed_marked(&s, DNS_WIRE_QUERY, wm.p, total, w_mark, &whole),
			DNS_WIRE_OK);
	for (i = 0; i < total; i++) {
		bool unread = (i >= opt_data && i < opt_data + 128) ||
			      (i >= tsig_data && i < tsig_data + sizeof(mac));

		CU_ASSERT_EQUAL(whole.bit[i], !unread);
	}
	/* in three runs, and a byte a run */
	for (at = 1; at < total; at += 7) {
		memset(&cut, 0, sizeof(cut));
		memset(&s, 0, sizeof(s));
		CU_ASSERT_EQUAL(dns_wire_feed_marked(&s, DNS_WIRE_QUERY, wm.p, at, w_mark, &cut),
				DNS_WIRE_OK);
		cut.base = at;
		CU_ASSERT_EQUAL(dns_wire_feed_marked(&s, DNS_WIRE_QUERY, wm.p + at, total - at,
						     w_mark, &cut),
				DNS_WIRE_OK);
		CU_ASSERT_EQUAL(memcmp(cut.bit, whole.bit, total), 0);
	}
	memset(&cut, 0, sizeof(cut));
	memset(&s, 0, sizeof(s));
	for (i = 0; i < total; i++) {
		cut.base = i;
		CU_ASSERT_EQUAL(dns_wire_feed_marked(&s, DNS_WIRE_QUERY, wm.p + i, 1, w_mark, &cut),
				DNS_WIRE_OK);
	}
	CU_ASSERT_EQUAL(memcmp(cut.bit, whole.bit, total), 0);
	CU_ASSERT_EQUAL(memcmp(&s, &(struct dns_wire_stream){0}, sizeof(s)), 0);
}

static void test_wire_query_records(void)
{
	static const uint8_t tsig[] = {11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0,
				       0,  0,   0x67, 0x4f, 0x30, 0x00, 1, 0x2c, 0, 32,
				       1,  2,   3,   4,   5,   6,   7,   8,   9,   10,  11, 12,
				       13, 14,  15,  16,  17,  18,  19,  20,  21,  22,  23, 24,
				       25, 26,  27,  28,  29,  30,  31,  32,  0xbe, 0xef, 0, 0, 0, 0};
	uint8_t big[900];

	memset(big, 'M', sizeof(big));
	/* OPT, then OPT and TSIG: as stubs and nsupdate -y send them */
	w_query_ab(2);
	w_opt(&wm);
	w_name(&wm, "key.customs.example", 0);
	w_rr(&wm, 250, 255, tsig, sizeof(tsig));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* the same, the TSIG first; two OPTs; an OPT owned by a name; a
	 * key name of 130 bytes (red team round 17's carriers) */
	w_query_ab(2);
	w_name(&wm, "key.customs.example", 0);
	w_rr(&wm, 250, 255, tsig, sizeof(tsig));
	w_opt(&wm);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	w_query_ab(2);
	w_opt(&wm);
	w_opt(&wm);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	w_query_ab(1);
	w_name(&wm, "x", 0);
	w_rr(&wm, 41, 1232, w_cookie, sizeof(w_cookie));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	{
		char key[140];

		memset(key, 'k', sizeof(key));
		key[60] = key[121] = '.';
		key[129] = 0; /* 3 labels: 60 + 60 + 7, 130 bytes on the wire */
		w_query_ab(1);
		w_name(&wm, key, 0);
		w_rr(&wm, 250, 255, tsig, sizeof(tsig));
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		key[100] = 0; /* 60 + 39: 101 bytes */
		w_query_ab(1);
		w_name(&wm, key, 0);
		w_rr(&wm, 250, 255, tsig, sizeof(tsig));
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	}
	/* a third record */
	w_query_ab(3);
	w_opt(&wm);
	w_opt(&wm);
	w_opt(&wm);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	/* the carrier: a NULL record of 900 bytes; a TXT of 20 */
	w_query_ab(1);
	w_name(&wm, "", 0);
	w_rr(&wm, 10, 1, big, sizeof(big));
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	w_query_ab(1);
	w_name(&wm, "x", 0);
	w_rr(&wm, 16, 1, big, 20);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	/* an OPT of 129 bytes of data; of 128 */
	w_query_ab(1);
	w_name(&wm, "", 0);
	w_rr(&wm, 41, 1232, big, 129);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	w_query_ab(1);
	w_name(&wm, "", 0);
	w_rr(&wm, 41, 1232, big, 128);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	/* EDNS Padding (dig +padding=128 for a long name): a cookie, then a
	 * Padding option of zeros past the 128 bytes; 255 zeros past them,
	 * not 256; a byte other than 0 past them, at the first and the last
	 * place; the same length in a TSIG's data */
	{
		uint8_t pad[128 + 256];

		memset(pad, 0, sizeof(pad));
		memcpy(pad, w_cookie, sizeof(w_cookie));
		pad[12] = 0;
		pad[13] = 12;
		pad[14] = 0;
		pad[15] = 137 - 16;
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
		pad[14] = 1;
		pad[15] = 128 + 255 - 16 - 256;
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 128 + 255);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
		pad[15]++;
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 128 + 256);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		pad[14] = 0;
		pad[15] = 137 - 16;
		pad[128] = 1;
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		pad[128] = 0;
		pad[136] = 0x80;
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		pad[136] = 0;
		pad[127] = 0x55; /* within the 128: passed over */
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
		pad[127] = 0;
		/* padded OPT, then a TSIG; a TSIG of 137 bytes of data */
		w_query_ab(2);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		w_name(&wm, "key.customs.example", 0);
		w_rr(&wm, 250, 255, tsig, sizeof(tsig));
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
		w_query_ab(1);
		w_name(&wm, "key.customs.example", 0);
		w_rr(&wm, 250, 255, pad, 137);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		/* IXFR (RFC 1995 3): the client's SOA in the authority
		 * section, then a padded OPT and a TSIG; the SOA with another
		 * question type, of another type, or two of them */
		{
			static const uint8_t soa[] = {3, 'n', 's', '1', 0xc0, 12, 0, 0, 0, 0, 1,
						      0,  0,   0,   2,   0,	   0,  0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
			static const struct {
				unsigned qtype, ns, rtype;
				enum dns_wire want;
			} ix[] = {{251, 1, 6, DNS_WIRE_OK},	 {1, 1, 6, DNS_WIRE_RECORD},
				  {251, 1, 2, DNS_WIRE_RECORD},	 {251, 2, 6, DNS_WIRE_RECORD},
				  {251, 0, 6, DNS_WIRE_OK},	 {252, 1, 6, DNS_WIRE_RECORD}};

			for (unsigned k = 0; k < sizeof(ix) / sizeof(ix[0]); k++) {
				w_hdr(&wm, 0x00, 1, 0, ix[k].ns, 2);
				w_name(&wm, "customs.example", 0);
				w_u16(&wm, ix[k].qtype);
				w_u16(&wm, DNS_CLASS_IN);
				for (unsigned j = 0; j < ix[k].ns; j++) {
					w_u16(&wm, 0xc00c);
					w_rr(&wm, ix[k].rtype, 1, soa, sizeof(soa));
				}
				w_name(&wm, "", 0);
				w_rr(&wm, 41, 1232, pad, 137);
				w_name(&wm, "key.customs.example", 0);
				w_rr(&wm, 250, 255, tsig, sizeof(tsig));
				CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), ix[k].want);
			}
		}
		/* the padded OPT's data runs past the message's end */
		w_query_ab(1);
		w_name(&wm, "", 0);
		w_rr(&wm, 41, 1232, pad, 137);
		wm.n -= 3;
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	}
	/* an answer record in a query, and an authority record */
	w_query_ab(0);
	wm.p[2 + 7] = 1;
	w_u16(&wm, 0xc00c);
	w_rr(&wm, DNS_TYPE_A, DNS_CLASS_IN, "\x0a\x0a\x01\x0a", 4);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	wm.p[2 + 7] = 0;
	wm.p[2 + 9] = 1;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	/* GSS-TSIG's key exchange (RFC 3645): a TKEY query, its TKEY record
	 * with a token of 1500 bytes in the additional section; the same
	 * record in an A query, or a NULL record in the TKEY query: refused */
	{
		static uint8_t tk[1500];

		memset(tk, 0x60, sizeof(tk));
		w_hdr(&wm, 0x00, 1, 0, 0, 1);
		w_name(&wm, "1234-ms-7.ws-10.customs.example", 0);
		w_u16(&wm, 249);
		w_u16(&wm, 255);
		w_u16(&wm, 0xc00c);
		w_rr(&wm, 249, 255, tk, sizeof(tk));
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
		wm.p[2 + 12 + 34] = 1; /* the question's type: A */
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
		wm.p[2 + 12 + 34] = 249;
		wm.p[2 + 12 + 33 + 4 + 2 + 1] = 10; /* the record's type: NULL */
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_RECORD);
	}
	/* the same records in an update (opcode 5) or from the server */
	w_hdr(&wm, 0x28, 1, 0, 1, 1);
	w_name(&wm, "customs.example", 0);
	w_u16(&wm, 6); /* SOA */
	w_u16(&wm, DNS_CLASS_IN);
	w_name(&wm, "ws-10.customs.example", 0);
	w_rr(&wm, 16, DNS_CLASS_IN, big, 300);
	w_opt(&wm);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	w_hdr(&wm, 0x81, 1, 1, 0, 0);
	w_name(&wm, "e2m.customs.example", 0);
	w_u16(&wm, 16);
	w_u16(&wm, DNS_CLASS_IN);
	w_u16(&wm, 0xc00c);
	w_rr(&wm, 16, DNS_CLASS_IN, big, 900);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
}

/* A client's names hold printable ASCII (the space too); control and
 * 8-bit bytes in a query's name are refused, in an answer's not. */
static void test_wire_label_bytes(void)
{
	static const char *const good[] = {"www.example.com", "xn--bcher-kva.example",
					   "Office Printer._ipp._tcp.example", "_ldap._tcp.dc._msdcs.x",
					   "a~b!c.example"};
	static const char *const bad[] = {"\x80\x81\x82.t.example", "a\x7f.example", "a\x01.example",
					  "caf\xc3\xa9.example", "x.\xff"};

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		w_hdr(&wm, 0x01, 1, 0, 0, 0);
		w_name(&wm, good[i], 0);
		w_u16(&wm, 1);
		w_u16(&wm, 1);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_OK);
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w_hdr(&wm, 0x01, 1, 0, 0, 0);
		w_name(&wm, bad[i], 0);
		w_u16(&wm, 10); /* NULL, as iodine asks */
		w_u16(&wm, 1);
		CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_NAME);
		/* the same name in an answer: the resolver's to send */
		wm.p[2 + 2] = 0x81;
		CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
	}
}

/* Answers: compression, a CNAME chain, TXT, EDNS; a zone transfer's
 * later messages; records cut, counts past the end. */
static void test_wire_answer(void)
{
	uint8_t txt[700], rd[64];
	unsigned www, cdn, i;
	size_t at;

	w_hdr(&wm, 0x81, 1, 4, 0, 1);
	www = (unsigned)wm.n;
	w_name(&wm, "WwW.customs.Example", 0);
	w_u16(&wm, DNS_TYPE_A);
	w_u16(&wm, DNS_CLASS_IN);
	/* www CNAME cdn.<customs.example>; cdn CNAME edge.cdn.example */
	w_u16(&wm, 0xc000 | www);
	wtmp.n = 0;
	cdn = (unsigned)wm.n + 10;
	w_name(&wtmp, "cdn", www + 4);
	w_rr(&wm, DNS_TYPE_CNAME, 1, wtmp.p + 2, (unsigned)wtmp.n);
	w_u16(&wm, 0xc000 | cdn);
	wtmp.n = 0;
	w_name(&wtmp, "edge", cdn);
	w_rr(&wm, DNS_TYPE_CNAME, 1, wtmp.p + 2, (unsigned)wtmp.n);
	w_name(&wm, "edge", cdn);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	/* a TXT of strings (700 bytes of RDATA) */
	for (i = 0; i < sizeof(txt); i++)
		txt[i] = (uint8_t)(i % 256 == 0 ? 255 : 'a' + i % 26);
	txt[sizeof(txt) - 188] = 187;
	w_u16(&wm, 0xc000 | www);
	w_rr(&wm, 16, 1, txt, sizeof(txt));
	w_name(&wm, "", 0);
	w_rr(&wm, 41, 1232, w_cookie, sizeof(w_cookie));
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_QUERY), DNS_WIRE_HEADER);
	/* a count one too many, one too few */
	wm.p[2 + 7] = 5;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);
	wm.p[2 + 7] = 3;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_TRAILING);
	wm.p[2 + 7] = 4;
	/* counts no message of its size holds */
	wm.p[2 + 10] = 0xff;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);
	wm.p[2 + 10] = 0;
	/* RDLENGTH past the end (the last record's), the message cut in the
	 * last fixed part, in RDATA */
	at = wm.n - sizeof(w_cookie) - 2;
	wm.p[2 + at + 1]++;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);
	wm.p[2 + at + 1]--;
	wm.n = at;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);
	wm.n = at + 5;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);

	/* An AXFR's later message: no question, owners compressed, an SOA
	 * whose names point back. Only where a flow may have them (TCP). */
	w_hdr(&wm, 0x84, 0, 3, 0, 0);
	at = wm.n;
	w_name(&wm, "customs.example", 0);
	wtmp.n = 0;
	w_name(&wtmp, "ns1", (unsigned)at);
	w_name(&wtmp, "hostmaster", (unsigned)at);
	memset(rd, 0, 20);
	w_bytes(&wtmp, rd, 20);
	w_rr(&wm, 6, 1, wtmp.p + 2, (unsigned)wtmp.n);
	w_name(&wm, "www", (unsigned)at);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	w_name(&wm, "mail", (unsigned)at);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_NOQ), DNS_WIRE_OK);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_HEADER);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_NOQ | DNS_WIRE_QUERY), DNS_WIRE_HEADER);
	/* an empty answer (a header alone) */
	w_hdr(&wm, 0x81, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_NOQ), DNS_WIRE_OK);
	wm.n++;
	CU_ASSERT_EQUAL(w_both(&wm, DNS_WIRE_NOQ), DNS_WIRE_TRAILING);

	/* One record as large as a TCP message holds: 65535 bytes. */
	w_hdr(&wm, 0x81, 0, 1, 0, 0);
	w_name(&wm, "", 0);
	memset(txt, 'x', sizeof(txt));
	w_rr(&wm, 10, 1, txt, 0);
	wm.p[2 + wm.n - 2] = (uint8_t)((65535 - wm.n) >> 8);
	wm.p[2 + wm.n - 1] = (uint8_t)(65535 - wm.n);
	memset(w_at(&wm), 0x4c, 65535 - wm.n);
	wm.n = 65535;
	CU_ASSERT_EQUAL(dns_wire_check(wm.p + 2, wm.n, DNS_WIRE_NOQ), DNS_WIRE_OK);
	{
		struct dns_wire_stream s = {0};

		wm.p[0] = wm.p[1] = 0xff;
		CU_ASSERT_EQUAL(dns_wire_feed(&s, DNS_WIRE_NOQ, wm.p, 2 + 65535), DNS_WIRE_OK);
		CU_ASSERT_EQUAL(s.rrs, 0);
		CU_ASSERT_EQUAL(s.left, 0);
	}
}

/* Compression pointers: backwards, past the header, never into the name
 * itself; over UDP followed (each hop lower than the last), over TCP the
 * first hop only. */
static void test_wire_pointers(void)
{
	unsigned q, own, i;

	w_hdr(&wm, 0x81, 1, 1, 0, 0);
	q = (unsigned)wm.n;
	w_name(&wm, "e2m.customs.example", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	own = (unsigned)wm.n;
	w_name(&wm, "a", q);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
	/* forward, to itself, into the header, into its own labels */
	wm.p[2 + own + 3] = (uint8_t)(own + 20);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_NAME);
	wm.p[2 + own + 3] = (uint8_t)(own + 2);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_NAME);
	wm.p[2 + own + 3] = (uint8_t)own;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_NAME);
	wm.p[2 + own + 3] = 4;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_NAME);
	/* into the question's middle: a name too ("customs.example") */
	wm.p[2 + own + 3] = (uint8_t)(q + 4);
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
	/* the message cut between a pointer's bytes */
	wm.n = own + 3;
	wm.p[2 + 7] = 1;
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_RECORD);

	/* A pointer back into RDATA whose bytes point at themselves (a
	 * loop): the first hop is fine, the second is not. UDP sees it, a
	 * stream cannot (the target is gone). */
	w_hdr(&wm, 0x81, 1, 2, 0, 0);
	w_name(&wm, "x", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	w_name(&wm, "x", 12);
	own = (unsigned)wm.n + 10; /* the RDATA */
	{
		uint8_t rd[2] = {0xc0, (uint8_t)own};

		w_rr(&wm, 10, 1, rd, 2);
	}
	w_u16(&wm, 0xc000 | own);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	CU_ASSERT_EQUAL(dns_wire_check(wm.p + 2, wm.n, 0), DNS_WIRE_NAME);
	CU_ASSERT_EQUAL(w_stream(&wm, 0), DNS_WIRE_OK);
	/* A name over 255 bytes through its pointer: the same */
	w_hdr(&wm, 0x81, 1, 1, 0, 0);
	for (i = 0; i < 3; i++) { /* 3 * 64 + 1 = 193 */
		*w_at(&wm) = 63;
		wm.n++;
		memset(w_at(&wm), 'a', 63);
		wm.n += 63;
	}
	w_name(&wm, "", 0);
	w_u16(&wm, 1);
	w_u16(&wm, 1);
	w_name(&wm, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 12);
	w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
	CU_ASSERT_EQUAL(dns_wire_check(wm.p + 2, wm.n, 0), DNS_WIRE_NAME);
	CU_ASSERT_EQUAL(w_stream(&wm, 0), DNS_WIRE_OK);
	/* ... and at 255 both agree */
	wm.p[2 + 12 + 2 * 64] = 61;
	memmove(wm.p + 2 + 12 + 2 * 64 + 62, wm.p + 2 + 12 + 3 * 64, wm.n - (12 + 3 * 64));
	wm.n -= 2;
	wm.p[2 + wm.n - 14 - 1] = 12; /* the pointer's low byte stays 12 */
	CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
}

/* Random bytes after a good header, and random mutations of a good
 * answer: both parsers agree wherever no pointer is followed past its
 * first hop, and the stream never reads outside what it is given. */
static void test_wire_random(void)
{
	unsigned seed = 12345, round, i, k, q;

	for (round = 0; round < 300; round++) {
		w_hdr(&wm, 0x81, 1, 1 + round % 3, 0, round % 2);
		q = (unsigned)wm.n;
		w_name(&wm, "e2m.customs.example", 0);
		w_u16(&wm, 1);
		w_u16(&wm, 1);
		for (i = 0; i < 1 + round % 3; i++) {
			w_u16(&wm, 0xc000 | q);
			w_rr(&wm, DNS_TYPE_A, 1, v4_7, 4);
		}
		if (round % 2) {
			w_name(&wm, "", 0);
			w_rr(&wm, 41, 1232, w_cookie, sizeof(w_cookie));
		}
		CU_ASSERT_EQUAL(w_both(&wm, 0), DNS_WIRE_OK);
		for (k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			wm.p[2 + 12 + (seed >> 8) % (wm.n - 12)] = (uint8_t)(seed >> 20);
		}
		{
			enum dns_wire e = dns_wire_check(wm.p + 2, wm.n, 0), t = w_stream(&wm, 0);

			/* The stream passes more (pointers unfollowed), never less. */
			CU_ASSERT(t == e || (t == DNS_WIRE_OK && e == DNS_WIRE_NAME));
		}
	}
}

/* Answers over TCP joined across segments (dns_asm): messages whole in a
 * segment read there, one cut anywhere (its length too) joined, the place
 * lost where no message starts, later copies compared. */
static unsigned asm_got, asm_len[8];
static uint8_t asm_first[8];

static uint32_t asm_seq[8];

/* every message "teaches" (a joined one is then marked DNS_ASM_TAUGHT) */
static int asm_msg(void *arg, const uint8_t *m, size_t len, uint32_t mseq)
{
	(void)arg;
	if (asm_got < 8) {
		asm_len[asm_got] = (unsigned)len;
		asm_first[asm_got] = len ? m[0] : 0;
		asm_seq[asm_got] = mseq;
	}
	asm_got++;
	return DNS_ASM_TAUGHT;
}

static void test_dns_asm(void)
{
	static struct dns_asm t;
	const uint64_t s = 1000000000ull;
	uint8_t b[64], c[64];
	size_t past;
	unsigned i;

	memset(&t, 0, sizeof(t));
	/* a stream of three messages: 10 bytes (0x11...), 30 (0x22...), 5 (0x33...) */
	memset(b, 0, sizeof(b));
	b[0] = 0, b[1] = 10;
	memset(b + 2, 0x11, 10);
	b[12] = 0, b[13] = 30;
	memset(b + 14, 0x22, 30);
	b[44] = 0, b[45] = 5;
	memset(b + 46, 0x33, 5); /* 51 bytes */
	/* cut at 13 (inside the second length) and 20 */
	asm_got = 0;
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 8, 1000, b, 13, true, s, asm_msg, NULL), DNS_ASM_OPEN);
	CU_ASSERT_EQUAL(asm_got, 1);
	CU_ASSERT_EQUAL(asm_len[0], 10);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 8, 1013, b + 13, 7, false, s, asm_msg, NULL), DNS_ASM_OPEN);
	CU_ASSERT_EQUAL(asm_got, 1);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 8, 1020, b + 20, 31, false, s, asm_msg, NULL), 0);
	CU_ASSERT_EQUAL(asm_got, 3);
	CU_ASSERT_EQUAL(asm_len[1], 30);
	CU_ASSERT_EQUAL(asm_first[1], 0x22);
	CU_ASSERT_EQUAL(asm_seq[1], 1012);
	CU_ASSERT_EQUAL(asm_len[2], 5);
	CU_ASSERT_EQUAL(asm_seq[2], 1044);
	/* the joined message (1012..1044) taught: a resolver segment that
	 * says its own copy may be still to come (dns_asm_behind) */
	CU_ASSERT_TRUE(dns_asm_behind(&t, 8, 1000, 12, s));  /* bytes before, again */
	CU_ASSERT_TRUE(dns_asm_behind(&t, 8, 1012, 20, s));  /* a part short of its end */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1012, 32, s)); /* the whole */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1030, 21, s)); /* its tail and more */
	CU_ASSERT_TRUE(dns_asm_behind(&t, 8, 1011, 0, s));   /* a window probe before it */
	CU_ASSERT_TRUE(dns_asm_behind(&t, 8, 1030, 0, s));   /* a next byte inside it */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1043, 0, s));  /* a keep-alive at its last byte */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1051, 0, s));  /* past it */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 9, 1000, 12, s)); /* another flow */
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1000, 12, s + DNS_ASM_NS));
	/* later copies of the joined message: the same, in part, another */
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1015, b + 15, 10, s, &past), DNS_ASM_SAME);
	CU_ASSERT_EQUAL(past, 10); /* all of it inside the joined message */
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1000, b, 20, s, &past), DNS_ASM_PART);
	CU_ASSERT_EQUAL(past, 0); /* it starts before the message kept */
	/* from inside the joined message (ends at 44) into the next one */
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1030, b + 30, 21, s, &past), DNS_ASM_PART);
	CU_ASSERT_EQUAL(past, 14);
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1000, b, 12, s, &past), DNS_ASM_NONE);
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 9, 1015, b + 15, 10, s, &past), DNS_ASM_NONE); /* another flow */
	memcpy(c, b, sizeof(c));
	c[30] ^= 1;
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1020, c + 20, 20, s, &past), DNS_ASM_DIFF);
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1015, b + 15, 10, s, &past), DNS_ASM_NONE); /* dropped */
	/* kept whole elsewhere, compared until DNS_ASM_NS */
	dns_asm_keep(&t, 8, 1000, b, 12, s, false);
	CU_ASSERT_FALSE(dns_asm_behind(&t, 8, 1000, 0, s)); /* it taught nothing */
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1002, b + 2, 4, s, &past), DNS_ASM_SAME);
	CU_ASSERT_EQUAL(dns_asm_copy(&t, 8, 1002, b + 2, 4, s + DNS_ASM_NS, &past), DNS_ASM_NONE);
	/* where no message starts and none is being joined: lost, nothing read */
	asm_got = 0;
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 10, 5000, b + 14, 10, false, s, asm_msg, NULL), DNS_ASM_LOST);
	CU_ASSERT_EQUAL(asm_got, 0);
	/* one being joined, a segment elsewhere, or where one starts: lost */
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 10, 5000, b + 12, 10, true, s, asm_msg, NULL), DNS_ASM_OPEN);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 10, 5011, b + 23, 10, false, s, asm_msg, NULL), DNS_ASM_LOST);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 10, 5000, b + 12, 10, true, s, asm_msg, NULL), DNS_ASM_OPEN);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 10, 5010, b + 22, 10, true, s, asm_msg, NULL), DNS_ASM_LOST);
	CU_ASSERT_EQUAL(asm_got, 0);
	/* every entry joining another flow's message: the oldest gives way,
	 * and its flow, at its next segment, has lost its place */
	memset(&t, 0, sizeof(t));
	for (i = 0; i < DNS_ASM_N; i++)
		CU_ASSERT_EQUAL(dns_asm_feed(&t, 100 + i, 0, b + 12, 10, true, s + i, asm_msg, NULL),
				DNS_ASM_OPEN);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 200, 0, b + 12, 10, true, s + 99, asm_msg, NULL),
			DNS_ASM_OPEN | DNS_ASM_EVICT);
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 100, 10, b + 22, 22, false, s + 99, asm_msg, NULL),
			DNS_ASM_LOST);
	asm_got = 0;
	CU_ASSERT_EQUAL(dns_asm_feed(&t, 101, 10, b + 22, 22, false, s + 99, asm_msg, NULL), 0);
	CU_ASSERT_EQUAL(asm_got, 1);
	/* a message longer than DNS_ASM_MAX: walked over, not read; the next
	 * one read */
	{
		static uint8_t big[DNS_ASM_MAX + 16];

		memset(&t, 0, sizeof(t));
		memset(big, 0x44, sizeof(big));
		big[0] = (DNS_ASM_MAX + 2) >> 8, big[1] = (DNS_ASM_MAX + 2) & 0xff;
		asm_got = 0;
		CU_ASSERT_EQUAL(dns_asm_feed(&t, 7, 0, big, 3000, true, s, asm_msg, NULL), DNS_ASM_OPEN);
		big[DNS_ASM_MAX + 4] = 0, big[DNS_ASM_MAX + 5] = 2;
		CU_ASSERT_EQUAL(dns_asm_feed(&t, 7, 3000, big + 3000, DNS_ASM_MAX + 8 - 3000, false, s,
					     asm_msg, NULL),
				DNS_ASM_LONG);
		CU_ASSERT_EQUAL(asm_got, 1);
		CU_ASSERT_EQUAL(asm_len[0], 2);
	}
}

/* Queries a resolver answers only with an error it may leave out. */
static void test_dns_query_err_only(void)
{
	uint8_t q[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};

	CU_ASSERT_FALSE(dns_query_err_only(q, sizeof(q)));
	CU_ASSERT_TRUE(dns_query_err_only(q, 11));
	q[2] |= 0x02; /* TC */
	CU_ASSERT_TRUE(dns_query_err_only(q, sizeof(q)));
	q[2] &= (uint8_t)~0x02;
	q[3] |= 0x40; /* Z */
	CU_ASSERT_TRUE(dns_query_err_only(q, sizeof(q)));
	q[3] = 0x20; /* AD: a stub may set it (RFC 6840 5.7) */
	CU_ASSERT_FALSE(dns_query_err_only(q, sizeof(q)));
	q[11] = 2; /* two additional records */
	CU_ASSERT_TRUE(dns_query_err_only(q, sizeof(q)));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"dns query", test_dns_query},
		{"dns answer and CNAME chain", test_dns_answer},
		{"dns answers refused, truncations", test_dns_answer_refused},
		{"dns pending queries", test_dns_pending},
		{"dns pending queries: a flow's answers taken back", test_dns_pending_revoke},
		{"dns pending queries: a source's share", test_dns_pending_share},
		{"dns answers over TCP joined", test_dns_asm},
		{"dns queries answered only with an error", test_dns_query_err_only},
		{"learn table", test_learn_table},
		{"policy with learned addresses", test_policy_learned},
		{"wire: queries, EDNS, a header then junk", test_wire_query},
		{"wire: answers, AXFR, cut and trailing", test_wire_answer},
		{"wire: a query's name bytes", test_wire_label_bytes},
		{"wire: a standard query's records", test_wire_query_records},
		{"wire: the bytes a stream's reading depends on", test_wire_marks},
		{"wire: compression pointers", test_wire_pointers},
		{"wire: random mutations, UDP and TCP agree", test_wire_random},
		CU_TEST_INFO_NULL,
	};

	return unit_run("dns", NULL, NULL, tests);
}
