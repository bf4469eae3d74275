/* DNS queries and answers for endpoint learning (see dns.h). */
#include "dns.h"

#include <errno.h>
#include <string.h>

#define DNS_HDR	      12
#define DNS_PTR_HOPS  16 /* compression pointers followed per name at most */
#define DNS_MAX_LABEL 63

/* clang-format off */
static const char *const dns_reason_names[DNS_R_COUNT] = {
	[DNS_OK] = "ok",
#define X(n) [DNS_R_##n] = #n,
	DNS_REASONS(X)
#undef X
};
/* clang-format on */

const char *dns_reason_name(unsigned r)
{
	return r < DNS_R_COUNT ? dns_reason_names[r] : NULL;
}

static uint16_t dns_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A byte a hostname label may hold. A dot inside a label, a NUL or a
 * space would make two different DNS names print the same: refused. */
static bool dns_label_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Decode the name at *off (compression allowed when ptr_ok) into out, in
 * lower case without the trailing dot. *off moves past the name as it
 * stands in the message. Returns 0 or -EINVAL. */
static int dns_read_name(const uint8_t *p, size_t n, size_t *off, bool ptr_ok, char *out)
{
	size_t o = *off, w = 0, end = 0;
	unsigned hops = 0;

	for (;;) {
		uint8_t len, i;

		if (o >= n)
			return -EINVAL;
		len = p[o];
		if (len == 0) {
			if (!end)
				end = o + 1;
			break;
		}
		if ((len & 0xc0) == 0xc0) {
			size_t to;

			if (!ptr_ok || o + 2 > n || ++hops > DNS_PTR_HOPS)
				return -EINVAL;
			to = (size_t)(len & 0x3f) << 8 | p[o + 1];
			if (!end)
				end = o + 2;
			/* Backwards only: no loops, however the hops go. */
			if (to >= o)
				return -EINVAL;
			o = to;
			continue;
		}
		if (len & 0xc0 || len > DNS_MAX_LABEL || o + 1 + len > n)
			return -EINVAL;
		if (w + (w ? 1u : 0u) + len + 1 > DNS_NAME_MAX - 2) /* 253 characters at most */
			return -EINVAL;
		if (w)
			out[w++] = '.';
		for (i = 0; i < len; i++) {
			uint8_t c = p[o + 1 + i];

			if (!dns_label_char(c))
				return -EINVAL;
			out[w++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		o += 1u + len;
	}
	out[w] = '\0';
	*off = end;
	return 0;
}

/* Header and question, common to queries and answers. */
static int dns_read_question(const uint8_t *p, size_t n, struct dns_question *q, size_t *off)
{
	if (n < DNS_HDR || dns_rd16(p + 4) != 1)
		return -EINVAL;
	q->id = dns_rd16(p);
	*off = DNS_HDR;
	if (dns_read_name(p, n, off, false, q->name) != 0 || *off + 4 > n)
		return -EINVAL;
	q->qtype = dns_rd16(p + *off);
	q->qclass = dns_rd16(p + *off + 2);
	*off += 4;
	return 0;
}

int dns_parse_query(const uint8_t *p, size_t n, struct dns_question *q)
{
	size_t off;

	/* QR 0, opcode 0 (a standard query) */
	if (n < DNS_HDR || (p[2] & 0x80) || (p[2] & 0x78))
		return -EINVAL;
	return dns_read_question(p, n, q, &off);
}

static bool dns_in_chain(char (*chain)[DNS_NAME_MAX], unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(chain[i], name) == 0)
			return true;
	return false;
}

/* One resource record's fixed part. */
struct dns_rr {
	size_t owner_off; /* where its owner name starts */
	size_t rdata_off;
	uint16_t type, cls, rdlen;
	uint32_t ttl;
};

static int dns_read_rr(const uint8_t *p, size_t n, size_t *off, char *owner, struct dns_rr *rr)
{
	rr->owner_off = *off;
	if (dns_read_name(p, n, off, true, owner) != 0 || *off + 10 > n)
		return -EINVAL;
	rr->type = dns_rd16(p + *off);
	rr->cls = dns_rd16(p + *off + 2);
	rr->ttl = (uint32_t)dns_rd16(p + *off + 4) << 16 | dns_rd16(p + *off + 6);
	rr->rdlen = dns_rd16(p + *off + 8);
	*off += 10;
	rr->rdata_off = *off;
	if (*off + rr->rdlen > n)
		return -EINVAL;
	*off += rr->rdlen;
	return 0;
}

static int dns_fail(enum dns_reason *why, enum dns_reason r)
{
	*why = r;
	return -EINVAL;
}

int dns_parse_answer(const uint8_t *p, size_t n, struct dns_question *q, struct dns_answer *out,
		     unsigned max, enum dns_reason *why)
{
	char chain[DNS_CHAIN_MAX][DNS_NAME_MAX], owner[DNS_NAME_MAX];
	unsigned an, i, n_chain = 1, got = 0;
	size_t off, rr_start;
	struct dns_rr rr;
	bool grew;

	*why = DNS_OK;
	/* QR 1 and opcode 0 */
	if (n < DNS_HDR || !(p[2] & 0x80) || (p[2] & 0x78))
		return dns_fail(why, DNS_R_format);
	if (dns_read_question(p, n, q, &off) != 0)
		return dns_fail(why, DNS_R_format);
	/* An error, or a truncated answer whose records may be missing. */
	if ((p[3] & 0x0f) || (p[2] & 0x02))
		return dns_fail(why, DNS_R_rcode);
	an = dns_rd16(p + 6);
	rr_start = off;
	strcpy(chain[0], q->name);

	/* The chain first: a CNAME counts when its owner is on the chain,
	 * whatever order the records come in. A fixed point over at most
	 * DNS_CHAIN_MAX names. */
	do {
		grew = false;
		off = rr_start;
		for (i = 0; i < an; i++) {
			char target[DNS_NAME_MAX];
			size_t t;

			if (dns_read_rr(p, n, &off, owner, &rr) != 0)
				return dns_fail(why, DNS_R_format);
			if (rr.type != DNS_TYPE_CNAME || rr.cls != DNS_CLASS_IN ||
			    !dns_in_chain(chain, n_chain, owner))
				continue;
			t = rr.rdata_off;
			if (dns_read_name(p, rr.rdata_off + rr.rdlen, &t, true, target) != 0 ||
			    t != rr.rdata_off + rr.rdlen)
				return dns_fail(why, DNS_R_format);
			if (dns_in_chain(chain, n_chain, target))
				continue;
			if (n_chain == DNS_CHAIN_MAX)
				return dns_fail(why, DNS_R_offchain);
			strcpy(chain[n_chain++], target);
			grew = true;
		}
	} while (grew);

	off = rr_start;
	for (i = 0; i < an; i++) {
		if (dns_read_rr(p, n, &off, owner, &rr) != 0)
			return dns_fail(why, DNS_R_format);
		if (rr.type != DNS_TYPE_A && rr.type != DNS_TYPE_AAAA)
			continue; /* CNAME, RRSIG, ...: teach nothing themselves */
		if (rr.cls != DNS_CLASS_IN || rr.type != q->qtype || q->qclass != DNS_CLASS_IN ||
		    !dns_in_chain(chain, n_chain, owner))
			return dns_fail(why, DNS_R_offchain);
		if (rr.rdlen != (rr.type == DNS_TYPE_A ? 4 : 16))
			return dns_fail(why, DNS_R_format);
		if (got == max)
			continue;
		memset(out[got].addr, 0, 16);
		if (rr.type == DNS_TYPE_A) {
			out[got].addr[10] = out[got].addr[11] = 0xff;
			memcpy(out[got].addr + 12, p + rr.rdata_off, 4);
		} else {
			static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
							   0, 0, 0, 0, 0xff, 0xff};

			/* An AAAA in ::ffff:0:0/96 would teach an IPv4 address. */
			if (memcmp(p + rr.rdata_off, mapped, sizeof(mapped)) == 0)
				return dns_fail(why, DNS_R_format);
			memcpy(out[got].addr, p + rr.rdata_off, 16);
		}
		/* A TTL with the top bit set is treated as 0 (RFC 2181). */
		out[got].ttl = rr.ttl & 0x80000000u ? 0 : rr.ttl;
		got++;
	}
	return (int)got;
}

void dns_pending_init(struct dns_pending *t)
{
	memset(t, 0, sizeof(*t));
}

void dns_pending_add(struct dns_pending *t, uint64_t flow, const struct dns_question *q,
		     uint64_t now)
{
	struct dns_pending_entry *e = NULL;
	unsigned i;

	for (i = 0; i < DNS_PENDING; i++) {
		struct dns_pending_entry *c = &t->e[i];

		/* The same query again (a retry) keeps one entry. */
		if (c->expires > now && c->flow == flow && c->q.id == q->id) {
			e = c;
			break;
		}
		if (!e && c->expires <= now)
			e = c;
	}
	if (!e) {
		e = &t->e[t->next];
		t->next = (t->next + 1) % DNS_PENDING;
	}
	e->flow = flow;
	e->expires = now + DNS_PENDING_NS;
	e->q = *q;
}

enum dns_reason dns_pending_take(struct dns_pending *t, uint64_t flow, const struct dns_question *a,
				 uint64_t now)
{
	enum dns_reason r = DNS_R_unsolicited;
	unsigned i;

	for (i = 0; i < DNS_PENDING; i++) {
		struct dns_pending_entry *e = &t->e[i];

		if (e->expires <= now || e->flow != flow)
			continue;
		if (e->q.id != a->id) {
			if (r == DNS_R_unsolicited)
				r = DNS_R_id;
			continue;
		}
		if (e->q.qtype != a->qtype || e->q.qclass != a->qclass ||
		    strcmp(e->q.name, a->name) != 0) {
			r = DNS_R_question;
			continue;
		}
		e->expires = 0;
		return DNS_OK;
	}
	return r;
}
