/* DNS queries and answers for endpoint learning (see dns.h). */
#include "dns.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
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

bool dns_query_err_only(const uint8_t *p, size_t n)
{
	return n < 12 || (p[2] & 0x02) || (p[3] & 0x40) || dns_rd16(p + 10) > 1;
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

bool dns_pending_add(struct dns_pending *t, uint64_t flow, const struct dns_question *q,
		     uint64_t now)
{
	return dns_pending_add_src(t, flow, 0, q, now);
}

bool dns_pending_add_src(struct dns_pending *t, uint64_t flow, uint32_t src,
			 const struct dns_question *q, uint64_t now)
{
	struct dns_pending_entry *e = NULL;
	unsigned i, mine = 0;
	bool retry = false;

	for (i = 0; i < DNS_PENDING; i++) {
		struct dns_pending_entry *c = &t->e[i];

		/* The same query again (a retry) keeps one entry; one
		 * answered already keeps its question and what its answer
		 * taught, and any other answer to it conflicts. */
		if (c->expires > now && c->flow == flow && c->q.id == q->id) {
			if (c->answered)
				return true;
			e = c;
			retry = true;
			break;
		}
		if (src && c->expires > now && c->src == src)
			mine++;
		if (!e && c->expires <= now)
			e = c;
	}
	/* A source past its share: its own query is not remembered (its
	 * answer teaches nothing), and no other source's entry gives way. */
	if (!retry && src && mine >= DNS_PENDING_SHARE)
		return false;
	/* All busy: the next one still waiting for its answer gives way (its
	 * answer then teaches nothing). An answered one never does, or a
	 * burst of queries would push out the entry whose second answer
	 * shows a forgery (review of red team round 21); with every entry
	 * answered, the query is not remembered. */
	for (i = 0; !e && i < DNS_PENDING; i++) {
		struct dns_pending_entry *c = &t->e[t->next];

		t->next = (t->next + 1) % DNS_PENDING;
		if (!c->answered)
			e = c;
	}
	if (!e)
		return false;
	e->answered = 0;
	e->error = 0;
	e->n_addr = 0;
	e->expires = now + DNS_PENDING_NS;
	e->flow = flow;
	e->src = src;
	e->q = *q;
	return true;
}

/* Whether answer ans (n addresses) gives the addresses e kept, in any order. */
static bool dns_same_answer(const struct dns_pending_entry *e, const struct dns_answer *ans, int n)
{
	if (n < 0 || e->error)
		return n < 0 && e->error;
	if ((unsigned)n != e->n_addr)
		return false;
	for (int i = 0; i < n; i++) {
		unsigned k;

		for (k = 0; k < e->n_addr && memcmp(e->addr[k], ans[i].addr, 16) != 0; k++)
			;
		if (k == e->n_addr)
			return false;
	}
	return true;
}

enum dns_reason dns_pending_take(struct dns_pending *t, uint64_t flow, const struct dns_question *a,
				 const struct dns_answer *ans, int n, uint64_t now,
				 const struct dns_pending_entry **first)
{
	enum dns_reason r = DNS_R_unsolicited;
	unsigned i;

	*first = NULL;
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
		if (e->answered) {
			if (dns_same_answer(e, ans, n))
				return DNS_R_duplicate;
			*first = e;
			return DNS_R_conflict;
		}
		e->answered = 1;
		e->n_addr = 0;
		e->expires = now + DNS_ANSWERED_NS;
		/* An error first teaches nothing, and an address answer after
		 * it conflicts (review of red team round 21: a query the
		 * resolver fails, then a forged answer, taught). */
		if (n < 0) {
			e->error = 1;
			return DNS_R_rcode;
		}
		for (int k = 0; k < n && k < DNS_MAX_ANSWERS; k++)
			memcpy(e->addr[e->n_addr++], ans[k].addr, 16);
		e->expires = now + DNS_ANSWERED_NS;
		return DNS_OK;
	}
	return r;
}

bool dns_pending_answered(const struct dns_pending *t, uint64_t flow, const struct dns_question *a,
			  uint64_t now)
{
	for (unsigned i = 0; i < DNS_PENDING; i++) {
		const struct dns_pending_entry *e = &t->e[i];

		if (e->expires > now && e->flow == flow && e->answered && e->q.id == a->id &&
		    e->q.qtype == a->qtype && e->q.qclass == a->qclass &&
		    strcmp(e->q.name, a->name) == 0)
			return true;
	}
	return false;
}

bool dns_pending_flow_answered(const struct dns_pending *t, uint64_t flow, uint64_t now)
{
	for (unsigned i = 0; i < DNS_PENDING; i++) {
		const struct dns_pending_entry *e = &t->e[i];

		if (e->expires > now && e->flow == flow && e->answered)
			return true;
	}
	return false;
}

unsigned dns_pending_revoke_flow(struct dns_pending *t, uint64_t flow, uint64_t now,
				 void (*fn)(void *arg, const uint8_t addr[16]), void *arg)
{
	unsigned k = 0;

	for (unsigned i = 0; i < DNS_PENDING; i++) {
		struct dns_pending_entry *e = &t->e[i];

		if (e->expires <= now || e->flow != flow || !e->answered)
			continue;
		for (unsigned j = 0; j < e->n_addr; j++)
			fn(arg, e->addr[j]);
		e->n_addr = 0;
		e->error = 1; /* a later address answer conflicts */
		k++;
	}
	return k;
}

/* Answers over TCP joined across segments (dns.h). */

/* flow's message being joined, or NULL. */
static struct dns_asm_entry *dns_asm_open(struct dns_asm *t, uint64_t flow)
{
	for (unsigned i = 0; i < DNS_ASM_N; i++)
		if (t->e[i].flow == flow && !t->e[i].done)
			return &t->e[i];
	return NULL;
}

/* Which entries give way first: a message kept, then one that taught, then
 * one being joined. */
static inline unsigned dns_asm_rank(const struct dns_asm_entry *e)
{
	return e->done == DNS_ASM_KEPT ? 0 : e->done == DNS_ASM_TAUGHT ? 1 : 2;
}

/* An entry for a new message: a free one, one idle DNS_ASM_NS, else the
 * one used least lately of the lowest rank. */
static struct dns_asm_entry *dns_asm_take(struct dns_asm *t, uint64_t now, unsigned *fl)
{
	struct dns_asm_entry *old = NULL;

	for (unsigned i = 0; i < DNS_ASM_N; i++) {
		struct dns_asm_entry *e = &t->e[i];

		if (!e->flow || e->used + DNS_ASM_NS <= now)
			return e;
		if (!old || dns_asm_rank(e) < dns_asm_rank(old) ||
		    (dns_asm_rank(e) == dns_asm_rank(old) && e->used < old->used))
			old = e;
	}
	if (!old->done)
		*fl |= DNS_ASM_EVICT;
	return old;
}

unsigned dns_asm_feed(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p, size_t n,
		      bool at, uint64_t now,
		      int (*msg)(void *arg, const uint8_t *m, size_t len, uint32_t mseq), void *arg)
{
	struct dns_asm_entry *e = dns_asm_open(t, flow);
	unsigned fl = 0;
	size_t off = 0;

	if (e ? at || e->seq0 + e->have != seq : !at) {
		/* bytes of the flow went by that were not fed, or its message
		 * being joined gave way to another flow's: where its messages
		 * begin is not known */
		if (e)
			e->flow = 0;
		return DNS_ASM_LOST;
	}
	while (off < n) {
		size_t take, keep;

		if (!e) {
			/* a message's start: whole in the segment, read there */
			if (n - off >= 2) {
				size_t len = (size_t)p[off] << 8 | p[off + 1];

				if (len + 2 <= n - off) {
					msg(arg, p + off + 2, len, seq + (uint32_t)off);
					off += len + 2;
					continue;
				}
			}
			e = dns_asm_take(t, now, &fl);
			memset(e, 0, offsetof(struct dns_asm_entry, buf));
			e->flow = flow;
			e->seq0 = seq + (uint32_t)off;
		}
		e->used = now;
		while (e->have < 2 && off < n)
			e->buf[e->have++] = p[off++];
		if (e->have < 2) {
			fl |= DNS_ASM_OPEN;
			break;
		}
		if (!e->need)
			e->need = 2 + ((uint32_t)e->buf[0] << 8 | e->buf[1]);
		take = n - off;
		if (take > e->need - e->have)
			take = e->need - e->have;
		keep = 0;
		if (e->have < DNS_ASM_MAX)
			keep = take < DNS_ASM_MAX - e->have ? take : DNS_ASM_MAX - e->have;
		memcpy(e->buf + e->have, p + off, keep);
		e->have += (uint32_t)take;
		off += take;
		if (e->have < e->need) {
			fl |= DNS_ASM_OPEN;
			break;
		}
		e->done = DNS_ASM_KEPT;
		if (e->need > DNS_ASM_MAX)
			fl |= DNS_ASM_LONG;
		else if (msg(arg, e->buf + 2, e->need - 2, e->seq0) == DNS_ASM_TAUGHT)
			e->done = DNS_ASM_TAUGHT;
		e = NULL;
	}
	return fl;
}

enum dns_asm_copy dns_asm_copy(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p,
			       size_t n, uint64_t now, size_t *past)
{
	size_t shared = 0;

	*past = 0;
	for (unsigned i = 0; i < DNS_ASM_N; i++) {
		struct dns_asm_entry *e = &t->e[i];
		int64_t at, lo, hi, held;

		if (e->flow != flow || e->used + DNS_ASM_NS <= now)
			continue;
		held = e->have < DNS_ASM_MAX ? e->have : DNS_ASM_MAX;
		at = (int32_t)(seq - e->seq0); /* where the copy starts in the message */
		lo = at > 0 ? at : 0;
		hi = at + (int64_t)n < held ? at + (int64_t)n : held;
		if (lo >= hi)
			continue;
		if (memcmp(e->buf + lo, p + (lo - at), (size_t)(hi - lo)) != 0) {
			e->flow = 0;
			return DNS_ASM_DIFF;
		}
		shared += (size_t)(hi - lo);
		/* the copy starts inside a message kept whole: where it ends,
		 * the next message starts */
		if (at >= 0 && e->done && e->have == e->need && held == (int64_t)e->need)
			*past = (size_t)(hi - at);
	}
	return !shared ? DNS_ASM_NONE : shared == n ? DNS_ASM_SAME : DNS_ASM_PART;
}

void dns_asm_keep(struct dns_asm *t, uint64_t flow, uint32_t seq, const uint8_t *p, size_t n,
		  uint64_t now, bool taught)
{
	unsigned fl = 0;
	struct dns_asm_entry *e = dns_asm_take(t, now, &fl);

	if (n > DNS_ASM_MAX)
		n = DNS_ASM_MAX; /* its first bytes are compared */
	memset(e, 0, offsetof(struct dns_asm_entry, buf));
	e->flow = flow;
	e->used = now;
	e->seq0 = seq;
	e->need = e->have = (uint32_t)n;
	e->done = taught ? DNS_ASM_TAUGHT : DNS_ASM_KEPT;
	memcpy(e->buf, p, n);
}

bool dns_asm_behind(const struct dns_asm *t, uint64_t flow, uint32_t seq, size_t n, uint64_t now)
{
	for (unsigned i = 0; i < DNS_ASM_N; i++) {
		const struct dns_asm_entry *e = &t->e[i];
		int64_t at = (int32_t)(seq - e->seq0), end = e->need;

		if (e->flow != flow || e->done != DNS_ASM_TAUGHT || e->used + DNS_ASM_NS <= now)
			continue;
		if (!n) {
			if (at < end - 1)
				return true;
			continue;
		}
		if (at + (int64_t)n <= 0)
			return true; /* wholly before it */
		if (at + (int64_t)n < end)
			return true; /* a part of it that stops short of its end */
	}
	return false;
}

void dns_asm_forget(struct dns_asm *t, uint64_t flow)
{
	for (unsigned i = 0; i < DNS_ASM_N; i++)
		if (t->e[i].flow == flow)
			t->e[i].flow = 0;
}

/* The wire format (dns.h). The smallest question is a root name and its
 * type and class; the smallest record a root name and its fixed part. */
#define DNS_WIRE_MIN_Q	5
#define DNS_WIRE_MIN_RR 11
#define DNS_WIRE_NAME_MAX 255 /* a name's bytes on the wire, its root's included (RFC 1035 3.1) */

/* A client's standard query (opcode 0) carries its question and, in its
 * additional section, what stubs and forwarders put there: an OPT record
 * (EDNS: the UDP size, DO, a cookie, a client subnet, dnsmasq's MAC), a
 * TSIG and a SIG(0). No answer or authority record, at most
 * DNS_STDQ_ADDITIONAL records, each of those types and no more than
 * DNS_STDQ_RDATA bytes of data (a TSIG with HMAC-SHA512 has 93, an OPT
 * with a cookie and a subnet about 30). Before the twenty-third session a
 * query to the resolver carried a NULL record of 900 bytes of anything,
 * well-formed to the byte (red team round 8: rt8b_dns_query_rr_carrier,
 * rt8b_dns_tcp_rr_carrier); a resolver reads it and forwards nothing of
 * it, so it reached whoever taps the path: a carrier, now bounded. A
 * SIG(0) by an RSA key of 2048 bits or more (rarely seen but on updates,
 * opcode 5, which keep their records) is refused in a standard query.
 * A TKEY query (its question's type TKEY: GSS-TSIG's key exchange, RFC
 * 3645, which a Windows domain member sends before each secure dynamic
 * update) carries its TKEY record in the additional section, with a GSS
 * token (a Kerberos AP-REQ) of a few KiB: a TKEY record is taken there,
 * of any length, and only there. And each as its RFC has it (red team
 * round 17 of that session carried 245 bytes in an OPT's owner name,
 * rt17_dns_opt_owner_carrier, as many in a TSIG's key name,
 * rt17_dns_tcp_tsig_owner_carrier, and 248 in two OPTs,
 * rt17_dns_two_opt_carrier): an OPT's and a SIG(0)'s owner the root (RFC
 * 6891 6.1.2, RFC 2931 3), a key name (TSIG, TKEY) of at most
 * DNS_STDQ_KEYNAME bytes where it stands, one OPT (RFC 6891 6.1.1), and a
 * TSIG or SIG(0) last (RFC 8945 5.1, RFC 2931 3). */
#define DNS_STDQ_ADDITIONAL 2
#define DNS_STDQ_RDATA	    128
#define DNS_TYPE_TKEY	    249
#define DNS_STDQ_KEYNAME    128
/* EDNS Padding (RFC 7830; RFC 8467 pads a query to a multiple of 128
 * bytes: dig +padding, kdig, BIND's padding for a server) makes an OPT's
 * data longer than DNS_STDQ_RDATA: a cookie and a Padding option of up to
 * 127 bytes for a long name (red team round 17, rt17_dns_padding_ok, was
 * refused). Every sender fills the padding with zeros (RFC 7830 3: SHOULD)
 * and puts the option last, as its length depends on all the rest. So an
 * OPT's data may run past DNS_STDQ_RDATA by at most DNS_STDQ_ZEROS bytes,
 * each of them 0: zeros carry nothing (the bound stays a bound on what a
 * query carries), and the rule needs no reading of the options, so that
 * the TCP reader holds it in its 8 bytes (dns_wire_feed). */
#define DNS_STDQ_ZEROS 255
#define DNS_TYPE_OPT   41
/* An incremental zone transfer's query (IXFR, RFC 1995 3: an inside
 * secondary's, or dig ixfr=) carries the client's SOA of the zone in its
 * authority section: one record there, of type SOA, first, with an owner
 * and data as a key name's and a record's bounds have them (red team round
 * 18, the twenty-fourth session: rt18_dns_ixfr_ok was refused). */
#define DNS_TYPE_IXFR 251
#define DNS_TYPE_SOA  6

static bool dns_stdq_type_ok(unsigned type, bool tkey)
{
	return type == DNS_TYPE_OPT || type == 250 /* TSIG */ || type == 24 /* SIG */ ||
	       (tkey && type == DNS_TYPE_TKEY);
}

/* A standard query's record of that type (dns_stdq_type_ok) with an
 * owner of owner_len bytes where it stands (root: the owner is the root),
 * after an OPT or not (*opt, set by an OPT), with more records after it
 * or not. */
static bool dns_stdq_rr_ok(unsigned type, bool tkey, bool root, unsigned owner_len, bool *opt,
			   bool more)
{
	if (!dns_stdq_type_ok(type, tkey))
		return false;
	switch (type) {
	case DNS_TYPE_OPT:
		if (*opt || !root)
			return false;
		*opt = true;
		return true;
	case 24:
		return root && !more;
	case 250:
		return owner_len <= DNS_STDQ_KEYNAME && !more;
	default: /* TKEY */
		return owner_len <= DNS_STDQ_KEYNAME;
	}
}

/* A standard query's record's data (its type's, rdlen bytes at d): a
 * TKEY's of any length; others up to DNS_STDQ_RDATA bytes, an OPT's then
 * up to DNS_STDQ_ZEROS more, all zero (EDNS Padding). */
static bool dns_stdq_rdata_ok(unsigned type, const uint8_t *d, unsigned rdlen)
{
	if (type == DNS_TYPE_TKEY || rdlen <= DNS_STDQ_RDATA)
		return true;
	if (type != DNS_TYPE_OPT || rdlen > DNS_STDQ_RDATA + DNS_STDQ_ZEROS)
		return false;
	for (unsigned i = DNS_STDQ_RDATA; i < rdlen; i++)
		if (d[i])
			return false;
	return true;
}

/* QR as the direction says, a standard query (opcode 0) or a dynamic
 * update (opcode 5, RFC 2136: its zone section in the question's place,
 * one entry from the client; its prerequisite, update and additional
 * sections in the records' places, in the same wire format). Windows
 * domain members register their addresses with the zone's DNS server
 * that way (evasion case dns_update_ok). */
static bool dns_wire_flags_ok(uint8_t b, unsigned flags)
{
	return ((b & 0x80) != 0) == !(flags & DNS_WIRE_QUERY) &&
	       ((b & 0x78) == 0 || (b & 0x78) == 5 << 3);
}

/* QDCOUNT's low byte (the high one is 0): one question, or none in an
 * answer where a flow may have those. */
static bool dns_wire_qd_ok(uint8_t lo, unsigned flags)
{
	return lo == 1 || (lo == 0 && (flags & (DNS_WIRE_QUERY | DNS_WIRE_NOQ)) == DNS_WIRE_NOQ);
}

/* Whether a label's bytes are ones a client's name has: printable ASCII,
 * the space included (host names, IDN's punycode, DNS-SD instance names).
 * A query whose name holds control or 8-bit bytes comes from no stub
 * resolver; resolvers pass it on (RFC 2181 11), and iodine's raw
 * encoding carries data out that way (red team round 5, the nineteenth
 * session: rt5_dns_binlabel_tunnel). Base32 names still pass: a limit of
 * what a DNS-only check can see. */
static bool dns_wire_label_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* The name at *off, followed through its pointers; *off moves past it as
 * it stands in the message. Each pointer goes strictly before the lowest
 * byte of the name read so far (BIND's rule: the offsets fall, so no loop
 * forms and no name points into itself), and never into the header: no
 * encoder writes either. query: a client's message (dns_wire_label_ok). */
static enum dns_wire dns_wire_name(const uint8_t *p, size_t n, size_t *off, bool query)
{
	size_t o = *off, low = *off, end = 0;
	unsigned total = 1, hops = 0; /* the root's byte */

	for (;;) {
		uint8_t len;

		if (o >= n)
			return DNS_WIRE_RECORD;
		len = p[o];
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			size_t to;

			if (o + 2 > n)
				return DNS_WIRE_RECORD;
			to = (size_t)(len & 0x3f) << 8 | p[o + 1];
			if (to >= low || to < DNS_HDR || ++hops > DNS_WIRE_HOPS)
				return DNS_WIRE_NAME;
			if (!end)
				end = o + 2;
			low = o = to;
			continue;
		}
		/* 0x40 and 0x80 (RFC 6891 6.1.1: extended label types, none
		 * in use) are over 63 too. */
		if (len > DNS_MAX_LABEL)
			return DNS_WIRE_NAME;
		total += 1u + len;
		if (total > DNS_WIRE_NAME_MAX)
			return DNS_WIRE_NAME;
		if (o + 1 + len > n)
			return DNS_WIRE_RECORD;
		if (query && !dns_wire_label_ok(p + o + 1, len))
			return DNS_WIRE_NAME;
		o += 1u + len;
	}
	*off = end ? end : o + 1;
	return DNS_WIRE_OK;
}

enum dns_wire dns_wire_check(const uint8_t *p, size_t n, unsigned flags)
{
	uint32_t qd, rrs, i;
	size_t off = DNS_HDR;
	enum dns_wire e;
	bool std, tkey = false, opt = false;
	unsigned ns;

	if (n < DNS_HDR)
		return DNS_WIRE_LENGTH;
	if (!dns_wire_flags_ok(p[2], flags) || p[4] != 0 || !dns_wire_qd_ok(p[5], flags))
		return DNS_WIRE_HEADER;
	qd = p[5];
	std = (flags & DNS_WIRE_QUERY) && (p[2] & 0x78) == 0;
	if (std && (dns_rd16(p + 6) || dns_rd16(p + 8) > 1 || dns_rd16(p + 10) > DNS_STDQ_ADDITIONAL))
		return DNS_WIRE_RECORD;
	ns = std ? dns_rd16(p + 8) : 0; /* an IXFR query's SOA (DNS_TYPE_IXFR) */
	rrs = (uint32_t)dns_rd16(p + 6) + dns_rd16(p + 8) + dns_rd16(p + 10);
	/* Counts that no message of n bytes holds are refused before any
	 * record is read: the loop below is over at most n / 11 of them. */
	if (qd * DNS_WIRE_MIN_Q + rrs * DNS_WIRE_MIN_RR > n - DNS_HDR)
		return DNS_WIRE_RECORD;
	for (i = 0; i < qd + rrs; i++) {
		size_t o0 = off;

		if ((e = dns_wire_name(p, n, &off, flags & DNS_WIRE_QUERY)) != DNS_WIRE_OK)
			return e;
		if (i < qd) {
			if (off + 4 > n)
				return DNS_WIRE_RECORD;
			tkey = dns_rd16(p + off) == DNS_TYPE_TKEY;
			if (ns && dns_rd16(p + off) != DNS_TYPE_IXFR)
				return DNS_WIRE_RECORD;
			off += 4;
			continue;
		}
		/* type, class, TTL, RDLENGTH, then RDATA, inside the message */
		if (off + 10 > n || off + 10 + dns_rd16(p + off + 8) > n)
			return DNS_WIRE_RECORD;
		if (std && i == qd && ns) {
			/* the IXFR query's SOA, first of its records */
			if (dns_rd16(p + off) != DNS_TYPE_SOA || off - o0 > DNS_STDQ_KEYNAME ||
			    dns_rd16(p + off + 8) > DNS_STDQ_RDATA)
				return DNS_WIRE_RECORD;
		} else if (std && (!dns_stdq_rr_ok(dns_rd16(p + off), tkey, off - o0 == 1 && p[o0] == 0,
					    (unsigned)(off - o0), &opt, i + 1 < qd + rrs) ||
			    !dns_stdq_rdata_ok(dns_rd16(p + off), p + off + 10, dns_rd16(p + off + 8))))
			return DNS_WIRE_RECORD;
		off += 10u + dns_rd16(p + off + 8);
	}
	/* Nothing after the counted records: no stack sends trailing bytes
	 * (BIND logs them as garbage, Knot refuses the query), and they
	 * would carry anything. */
	return off == n ? DNS_WIRE_OK : DNS_WIRE_TRAILING;
}

/* The stream's stages, in the top 3 bits of rrs (its low 13 bits: records
 * not yet begun, at most 65523 / 11 = 5956). x per stage:
 *   HDR: bits 8..11 the header byte's place, bit 12 a question counted,
 *	  bits 0..7 a count's high byte;
 *   names: bits 0..7 the name's bytes so far (up to its pointer), bits
 *	  8..13 the label's bytes still to come, or a pointer's high 6 bits
 *	  when bit 14 says its second byte is to come;
 *   QFIX, RRFIX: bits 8..11 the place in the fixed part, bits 0..7
 *	  RDLENGTH's high byte;
 *   RDATA: its bytes still to come (never 0). */
enum { DWS_LEN0 = 0, DWS_LEN1, DWS_HDR, DWS_QNAME, DWS_QFIX, DWS_RRNAME, DWS_RRFIX, DWS_RDATA };

#define DWS_RRS_MASK 0x1fffu
#define DWS_Q	     0x1000u
#define DWS_PTR	     0x4000u
/* A client's standard query (dns_stdq_rr_ok): in the header, bit 13 of
 * x; after it, rrs at DWS_STDQ or above, which no other message's count
 * reaches (5956 at most): its records still to come in the low 2 bits,
 * DWS_SQ_OPT once an OPT came, DWS_SQ_TK once its question's type is
 * TKEY, DWS_SQ_NS while its authority record (an IXFR query's SOA) is to
 * come. In a record's fixed part (x): DWS_TKREC, its type is TKEY (its
 * data unbounded); DWS_OWN_ROOT, its owner is the root; DWS_OWN_LONG, its
 * owner took more than DNS_STDQ_KEYNAME bytes; DWS_OPTREC, its type is
 * OPT. In the data of an OPT past DNS_STDQ_RDATA bytes (dns_stdq_rdata_ok),
 * the count's bits both set (DWS_SQ_PAD: no record's count is 3 once it
 * began) and the count in DWS_SQ_OPT's place (an OPT's data: that bit is
 * set), and x holds the bytes to pass over (bits 8..15) and then the zeros
 * (bits 0..7) still to come. */
#define DWS_HSTD     0x2000u
#define DWS_HNS	     0x4000u /* in the header: a standard query with an authority record */
#define DWS_STDQ     0x1fe0u
#define DWS_SQ_OPT   0x4u
#define DWS_SQ_TK    0x8u
#define DWS_SQ_NS    0x10u /* an IXFR query's SOA is the next record */
#define DWS_TKREC    0x1000u
#define DWS_OWN_ROOT 0x2000u
#define DWS_OWN_LONG 0x4000u
#define DWS_OPTREC   0x8000u
#define DWS_SQ_PAD   0x3u
#define DWS_FIX_KEEP (DWS_TKREC | DWS_OWN_ROOT | DWS_OWN_LONG | DWS_OPTREC)
_Static_assert(DNS_STDQ_RDATA <= 0xff && DNS_STDQ_ZEROS <= 0xff, "x holds both");

static inline unsigned dws_count(unsigned rrs)
{
	return rrs >= DWS_STDQ ? rrs & 3u : rrs;
}

static inline void dws_set(struct dns_wire_stream *s, unsigned stage, unsigned rrs, unsigned x)
{
	s->rrs = (uint16_t)(stage << 13 | rrs);
	s->x = (uint16_t)x;
}

/* An element (the header, a question, a record) ended: the next record
 * begins, or the message ends here and must. */
static enum dns_wire dws_next(struct dns_wire_stream *s, unsigned rrs)
{
	if (dws_count(rrs)) {
		dws_set(s, DWS_RRNAME, rrs - 1, 0);
		return DNS_WIRE_OK;
	}
	if (s->left)
		return DNS_WIRE_TRAILING;
	memset(s, 0, sizeof(*s));
	return DNS_WIRE_OK;
}

/* One byte of the header, b at place pos. */
static enum dns_wire dws_header(struct dns_wire_stream *s, unsigned flags, unsigned rrs,
				unsigned x, uint8_t b)
{
	unsigned pos = (x >> 8) & 0xf, q = x & DWS_Q, std = x & DWS_HSTD, hns = x & DWS_HNS;

	switch (pos) {
	case 2:
		if (!dns_wire_flags_ok(b, flags))
			return DNS_WIRE_HEADER;
		if ((flags & DNS_WIRE_QUERY) && (b & 0x78) == 0)
			std = DWS_HSTD;
		break;
	case 4:
		if (b != 0)
			return DNS_WIRE_HEADER;
		break;
	case 5:
		if (!dns_wire_qd_ok(b, flags))
			return DNS_WIRE_HEADER;
		q = b ? DWS_Q : 0;
		break;
	case 6:
	case 8:
	case 10:
		if (std && b) /* no answer record, 1 authority and 2 more at most */
			return DNS_WIRE_RECORD;
		x = (x & ~0xffu) | b;
		break;
	case 7:
	case 9:
	case 11: {
		uint32_t r = rrs + ((x & 0xffu) << 8 | b);

		if (std && (pos == 7 ? b != 0 : pos == 9 ? b > 1 : b > DNS_STDQ_ADDITIONAL))
			return DNS_WIRE_RECORD;
		if (std && pos == 9 && b)
			hns = DWS_HNS;
		/* As dns_wire_check: counts the message cannot hold. */
		if ((q ? DNS_WIRE_MIN_Q : 0) + r * DNS_WIRE_MIN_RR > (uint32_t)s->len - DNS_HDR)
			return DNS_WIRE_RECORD;
		rrs = r;
		break;
	}
	default:
		break;
	}
	if (++pos < DNS_HDR) {
		dws_set(s, DWS_HDR, rrs, std | hns | q | pos << 8 | (x & 0xffu));
		return DNS_WIRE_OK;
	}
	if (std)
		rrs += DWS_STDQ | (hns ? DWS_SQ_NS : 0u);
	if (q) {
		dws_set(s, DWS_QNAME, rrs, 0);
		return DNS_WIRE_OK;
	}
	return dws_next(s, rrs);
}

/* One byte of a name that is no label's content. */
static enum dns_wire dws_name(struct dns_wire_stream *s, unsigned stage, unsigned rrs, unsigned x,
			      uint8_t b)
{
	unsigned inl = x & 0xffu, fix = stage == DWS_QNAME ? DWS_QFIX : DWS_RRFIX;

	if (x & DWS_PTR) {
		/* Its second byte: the first stood 2 bytes back, the name's
		 * start inl bytes before that. The target behind it is gone:
		 * only this hop is checked, as dns_wire_name checks it. */
		unsigned at = (unsigned)(s->len - s->left) - 2u - inl;
		unsigned to = (x >> 8 & 0x3fu) << 8 | b;

		if (to >= at || to < DNS_HDR)
			return DNS_WIRE_NAME;
		/* a record's owner, for a standard query's (dws_fixed) */
		dws_set(s, fix, rrs,
			stage == DWS_RRNAME && inl + 2u > DNS_STDQ_KEYNAME ? DWS_OWN_LONG : 0u);
		return DNS_WIRE_OK;
	}
	if (b == 0) {
		dws_set(s, fix, rrs,
			stage != DWS_RRNAME	       ? 0u
			: inl == 0		       ? DWS_OWN_ROOT
			: inl + 1u > DNS_STDQ_KEYNAME ? DWS_OWN_LONG
						       : 0u);
		return DNS_WIRE_OK;
	}
	if ((b & 0xc0) == 0xc0) {
		dws_set(s, stage, rrs, DWS_PTR | (b & 0x3fu) << 8 | inl);
		return DNS_WIRE_OK;
	}
	if (b > DNS_MAX_LABEL)
		return DNS_WIRE_NAME;
	inl += 1u + b;
	if (inl + 1 > DNS_WIRE_NAME_MAX)
		return DNS_WIRE_NAME;
	dws_set(s, stage, rrs, (unsigned)b << 8 | inl);
	return DNS_WIRE_OK;
}

/* One byte of a question's type and class, or a record's fixed part. */
static enum dns_wire dws_fixed(struct dns_wire_stream *s, unsigned stage, unsigned rrs, unsigned x,
			       uint8_t b)
{
	unsigned pos = (x >> 8) & 0xf, rdlen;

	if (stage == DWS_QFIX) {
		if (pos == 3)
			return dws_next(s, rrs);
		if (rrs >= DWS_STDQ && pos == 0) {
			x = b; /* a standard query's type, high byte */
		} else if (rrs >= DWS_STDQ && pos == 1) {
			if ((x & 0xffu) == 0 && b == DNS_TYPE_TKEY)
				rrs |= DWS_SQ_TK;
			if ((rrs & DWS_SQ_NS) && ((x & 0xffu) != 0 || b != DNS_TYPE_IXFR))
				return DNS_WIRE_RECORD;
		}
	} else if (rrs >= DWS_STDQ && pos < 2) {
		/* a standard query's record: its type and owner (dns_stdq_rr_ok) */
		if (pos == 0) {
			if (b != 0)
				return DNS_WIRE_RECORD;
		} else if (rrs & DWS_SQ_NS) {
			/* the IXFR query's SOA (dns_wire_check) */
			if (b != DNS_TYPE_SOA || (x & DWS_OWN_LONG))
				return DNS_WIRE_RECORD;
			rrs &= ~DWS_SQ_NS;
		} else {
			bool opt = rrs & DWS_SQ_OPT;

			if (!dns_stdq_rr_ok(b, rrs & DWS_SQ_TK, x & DWS_OWN_ROOT,
					    x & DWS_OWN_LONG ? DNS_STDQ_KEYNAME + 1u : 0u, &opt,
					    dws_count(rrs) != 0))
				return DNS_WIRE_RECORD;
			if (opt)
				rrs |= DWS_SQ_OPT;
			if (b == DNS_TYPE_TKEY)
				x |= DWS_TKREC;
			else if (b == DNS_TYPE_OPT)
				x |= DWS_OPTREC;
		}
	} else if (pos == 8) {
		x = (x & DWS_FIX_KEEP) | b;
	} else if (pos == 9) {
		rdlen = (x & 0xffu) << 8 | b;
		if (rdlen > s->left)
			return DNS_WIRE_RECORD;
		if (rrs >= DWS_STDQ && !(x & DWS_TKREC) && rdlen > DNS_STDQ_RDATA) {
			/* as dns_stdq_rdata_ok: an OPT's padding, zeros */
			if (!(x & DWS_OPTREC) || rdlen > DNS_STDQ_RDATA + DNS_STDQ_ZEROS)
				return DNS_WIRE_RECORD;
			dws_set(s, DWS_RDATA, (rrs & ~7u) | DWS_SQ_PAD | (rrs & 1u) << 2,
				DNS_STDQ_RDATA << 8 | (rdlen - DNS_STDQ_RDATA));
			return DNS_WIRE_OK;
		}
		if (rdlen == 0)
			return dws_next(s, rrs);
		dws_set(s, DWS_RDATA, rrs, rdlen);
		return DNS_WIRE_OK;
	}
	dws_set(s, stage, rrs, (pos + 1) << 8 | (x & (0xffu | DWS_FIX_KEEP)));
	return DNS_WIRE_OK;
}

/* The runs a reading depends on (dns_wire_feed_marked): run is where the
 * current one began, DWS_NO_RUN when none is open. */
#define DWS_NO_RUN SIZE_MAX

static inline void dws_flush(void (*mark)(void *, size_t, size_t), void *arg, size_t *run,
			     size_t i)
{
	if (mark && *run != DWS_NO_RUN) {
		if (i > *run)
			mark(arg, *run, i - *run);
		*run = DWS_NO_RUN;
	}
}

static inline void dws_open(size_t *run, size_t i)
{
	if (*run == DWS_NO_RUN)
		*run = i;
}

static enum dns_wire dws_feed(struct dns_wire_stream *s, unsigned flags, const uint8_t *p, size_t n,
			      void (*mark)(void *, size_t, size_t), void *arg)
{
	size_t i = 0, run = DWS_NO_RUN;

	while (i < n) {
		unsigned stage = s->rrs >> 13, rrs = s->rrs & DWS_RRS_MASK, x = s->x, lab;
		enum dns_wire e;
		uint8_t b;

		if (stage == DWS_RDATA && rrs >= DWS_STDQ && (rrs & DWS_SQ_PAD) == DWS_SQ_PAD) {
			/* An OPT's data past DNS_STDQ_RDATA: its first bytes
			 * passed over, then zeros (dns_stdq_rdata_ok). Within
			 * the message (dws_fixed checked rdlen). */
			unsigned skip = x >> 8, zeros = x & 0xffu;
			size_t k;

			if (skip) {
				dws_flush(mark, arg, &run, i);
				k = n - i < skip ? n - i : skip;
				skip -= (unsigned)k;
			} else {
				dws_open(&run, i);
				k = n - i < zeros ? n - i : zeros;
				for (size_t j = 0; j < k; j++)
					if (p[i + j])
						return DNS_WIRE_RECORD;
				zeros -= (unsigned)k;
			}
			s->left = (uint16_t)(s->left - k);
			i += k;
			if (skip || zeros)
				s->x = (uint16_t)(skip << 8 | zeros);
			else if ((e = dws_next(s, (rrs & ~7u) | DWS_SQ_OPT | (rrs >> 2 & 1u))) !=
				 DNS_WIRE_OK)
				return e;
			if (s->left == 0 && s->rrs >> 13 != DWS_LEN0)
				return DNS_WIRE_RECORD;
			continue;
		}
		/* RDATA and a label's content: passed over, whatever they hold. */
		lab = stage == DWS_RDATA ? x
		      : (stage == DWS_QNAME || stage == DWS_RRNAME) && !(x & DWS_PTR)
			      ? (x >> 8) & 0x3fu
			      : 0;
		if (lab) {
			size_t k = n - i < lab ? n - i : lab;

			if (stage == DWS_RDATA)
				dws_flush(mark, arg, &run, i);
			else
				dws_open(&run, i);
			/* the label's bytes within the message first, then
			 * whether it runs past the message's end: the same
			 * answer however the bytes are cut (one at a time, a
			 * bad byte came first; libFuzzer, the thirty-fourth
			 * session) */
			if (stage != DWS_RDATA && (flags & DNS_WIRE_QUERY) &&
			    !dns_wire_label_ok(p + i, k > s->left ? s->left : k))
				return DNS_WIRE_NAME;
			if (k > s->left)
				return DNS_WIRE_RECORD;
			s->left = (uint16_t)(s->left - k);
			i += k;
			lab -= (unsigned)k;
			if (stage == DWS_RDATA) {
				if (lab)
					s->x = (uint16_t)lab;
				else if ((e = dws_next(s, rrs)) != DNS_WIRE_OK)
					return e;
			} else {
				s->x = (uint16_t)((x & ~0x3f00u) | lab << 8);
			}
		} else {
			dws_open(&run, i);
			b = p[i++];
			if (stage == DWS_LEN0) {
				s->len = (uint16_t)(b << 8);
				s->rrs = DWS_LEN1 << 13;
				continue;
			}
			if (stage == DWS_LEN1) {
				s->len |= b;
				if (s->len < DNS_HDR)
					return DNS_WIRE_LENGTH;
				s->left = s->len;
				dws_set(s, DWS_HDR, 0, 0);
				continue;
			}
			s->left--; /* a byte of the message: left > 0 here (below) */
			if (stage == DWS_HDR)
				e = dws_header(s, flags, rrs, x, b);
			else if (stage == DWS_QNAME || stage == DWS_RRNAME)
				e = dws_name(s, stage, rrs, x, b);
			else
				e = dws_fixed(s, stage, rrs, x, b);
			if (e != DNS_WIRE_OK)
				return e;
		}
		/* The message ended, and what it counts did not. */
		if (s->left == 0 && s->rrs >> 13 != DWS_LEN0)
			return DNS_WIRE_RECORD;
	}
	dws_flush(mark, arg, &run, i);
	return DNS_WIRE_OK;
}

enum dns_wire dns_wire_feed(struct dns_wire_stream *s, unsigned flags, const uint8_t *p, size_t n)
{
	return dws_feed(s, flags, p, n, NULL, NULL);
}

enum dns_wire dns_wire_feed_marked(struct dns_wire_stream *s, unsigned flags, const uint8_t *p,
				   size_t n, void (*mark)(void *arg, size_t off, size_t len),
				   void *arg)
{
	return dws_feed(s, flags, p, n, mark, arg);
}
