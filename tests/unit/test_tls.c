/* test_tls.c - the strict ClientHello reader (classifiers/tls.c): hellos
 * built byte by byte here, cut at every byte and across 2 and 3 records;
 * each malformation by its reason; the 16 KiB bound; nDPI 4.2's reading
 * of the same hellos (tls_name_agrees); and the real hellos of nDPI's
 * corpus (../shared/corpus/ndpi or $ADUANA_CORPUS; skipped when absent). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ndpi_api.h>

#include "parse.h"
#include "tls.h"
#include "unit.h"

/* ---- a small builder ------------------------------------------------------ */

struct buf {
	uint8_t b[40000];
	size_t n;
};

static void b_u8(struct buf *b, unsigned v)
{
	CU_ASSERT_FATAL(b->n < sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
}

static void b_u16(struct buf *b, unsigned v)
{
	b_u8(b, v >> 8);
	b_u8(b, v);
}

static void b_mem(struct buf *b, const void *p, size_t n)
{
	CU_ASSERT_FATAL(b->n + n <= sizeof(b->b));
	if (n)
		memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void b_str(struct buf *b, const char *s)
{
	b_mem(b, s, strlen(s));
}

/* One extension: type, 2-byte length, body. */
static void ext(struct buf *e, unsigned type, const void *body, size_t n)
{
	b_u16(e, type);
	b_u16(e, (unsigned)n);
	b_mem(e, body, n);
}

/* A server_name extension with one host_name entry of n bytes. */
static void ext_sni_n(struct buf *e, const void *name, size_t n)
{
	struct buf *x = calloc(1, sizeof(*x));

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	b_u16(x, (unsigned)(3 + n));
	b_u8(x, 0);
	b_u16(x, (unsigned)n);
	b_mem(x, name, n);
	ext(e, 0x0000, x->b, x->n);
	free(x);
}

static void ext_sni(struct buf *e, const char *name)
{
	ext_sni_n(e, name, strlen(name));
}

enum {
	H_ECH = 1 << 0,	   /* encrypted_client_hello (0xfe0d) */
	H_GREASE = 1 << 1, /* GREASE extensions, suite and version */
	H_ALPN = 1 << 2,
	H_VERSIONS = 1 << 3, /* supported_versions: TLS 1.3, 1.2 */
	H_NO_EXT = 1 << 4,   /* no extensions block at all */
	H_BROWSER = H_ECH | H_GREASE | H_ALPN | H_VERSIONS,
};

/* A ClientHello handshake message (type, 3-byte length, body). sni NULL:
 * no server_name. raw, when given, is the whole extensions block content
 * instead of the usual ones. pad adds a padding extension (21). */
static void hello(struct buf *m, const char *sni, unsigned flags, const struct buf *raw, size_t pad)
{
	static const uint8_t groups[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
	static const uint8_t alpn[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h',
				       't',  't',  'p',	 '/', '1', '.',	 '1'};
	static const uint8_t versions[] = {0x04, 0x03, 0x04, 0x03, 0x03};
	static const uint8_t versions_g[] = {0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03};
	static const uint8_t ech[] = {0x00, 0x00, 0x01, 0x00, 0x01, 0x42, 0x00, 0x02, 0xab, 0xcd};
	struct buf *e = calloc(1, sizeof(*e));
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	memset(m, 0, sizeof(*m));
	b_u8(m, 1);
	b_u8(m, 0); /* length, below */
	b_u16(m, 0);
	b_u16(m, 0x0303);
	for (unsigned i = 0; i < 32; i++)
		b_u8(m, i * 13 + 1); /* random */
	b_u8(m, 32);
	for (unsigned i = 0; i < 32; i++)
		b_u8(m, 0xa0 + i); /* session id */
	b_u16(m, 8);
	b_u16(m, flags & H_GREASE ? 0x2a2a : 0x00ff);
	b_u16(m, 0x1301);
	b_u16(m, 0xc02f);
	b_u16(m, 0x009c);
	b_u8(m, 1);
	b_u8(m, 0);
	if (raw) {
		b_mem(e, raw->b, raw->n);
	} else if (!(flags & H_NO_EXT)) {
		if (flags & H_GREASE)
			ext(e, 0x0a0a, NULL, 0);
		if (sni)
			ext_sni(e, sni);
		ext(e, 0x000a, groups, sizeof(groups));
		if (flags & H_ALPN)
			ext(e, 0x0010, alpn, sizeof(alpn));
		if (flags & H_VERSIONS)
			ext(e, 0x002b, flags & H_GREASE ? versions_g : versions,
			    flags & H_GREASE ? sizeof(versions_g) : sizeof(versions));
		if (flags & H_ECH)
			ext(e, 0xfe0d, ech, sizeof(ech));
		if (flags & H_GREASE)
			ext(e, 0x1a1a, "", 1);
	}
	if (pad) {
		b_u16(e, 21);
		b_u16(e, (unsigned)pad);
		for (size_t i = 0; i < pad; i++)
			b_u8(e, 0);
	}
	if (!(flags & H_NO_EXT) || raw || pad) {
		b_u16(m, (unsigned)e->n);
		b_mem(m, e->b, e->n);
	}
	free(e);
	len = m->n - 4;
	m->b[1] = (uint8_t)(len >> 16);
	m->b[2] = (uint8_t)(len >> 8);
	m->b[3] = (uint8_t)len;
}

/* Wrap msg into records: cut[] are the offsets in msg where a new record
 * starts (ascending, inside (0, msg->n)). */
static void records(struct buf *s, const struct buf *msg, const size_t *cut, unsigned ncut,
		    unsigned version)
{
	size_t from = 0;

	memset(s, 0, sizeof(*s));
	for (unsigned i = 0; i <= ncut; i++) {
		size_t to = i < ncut ? cut[i] : msg->n;

		b_u8(s, 22);
		b_u16(s, version);
		b_u16(s, (unsigned)(to - from));
		b_mem(s, msg->b + from, to - from);
		from = to;
	}
}

static void record1(struct buf *s, const struct buf *msg)
{
	records(s, msg, NULL, 0, 0x0301);
}

/* ---- feeding -------------------------------------------------------------- */

static uint8_t chbuf[TLS_CH_MAX];

/* Feed s->b in pieces ending at pos[] (ascending), then the rest. Every
 * piece but the one that decides must answer NEED_MORE. */
static enum tls_ch_status feed_at(struct tls_ch *t, const struct buf *s, const size_t *pos,
				  unsigned npos)
{
	enum tls_ch_status st = TLS_CH_NEED_MORE;
	size_t from = 0;

	tls_ch_init(t, chbuf, sizeof(chbuf));
	for (unsigned i = 0; i <= npos && st == TLS_CH_NEED_MORE; i++) {
		size_t to = i < npos ? pos[i] : s->n;

		st = tls_ch_feed(t, s->b + from, to - from);
		from = to;
	}
	return st;
}

static enum tls_ch_status feed_all(struct tls_ch *t, const struct buf *s)
{
	return feed_at(t, s, NULL, 0);
}

/* One byte per call. */
static enum tls_ch_status feed_bytes(struct tls_ch *t, const struct buf *s)
{
	enum tls_ch_status st = TLS_CH_NEED_MORE;

	tls_ch_init(t, chbuf, sizeof(chbuf));
	for (size_t i = 0; i < s->n && st == TLS_CH_NEED_MORE; i++)
		st = tls_ch_feed(t, s->b + i, 1);
	return st;
}

static bool same_info(const struct tls_ch_info *a, const struct tls_ch_info *b)
{
	return strcmp(a->sni, b->sni) == 0 && a->sni_len == b->sni_len &&
	       a->has_sni == b->has_sni && a->has_ech == b->has_ech && a->has_alpn == b->has_alpn &&
	       a->n_alpn == b->n_alpn && a->has_grease == b->has_grease &&
	       a->has_early_data == b->has_early_data &&
	       a->max_version == b->max_version && a->legacy_version == b->legacy_version &&
	       a->n_extensions == b->n_extensions && a->hello_size == b->hello_size &&
	       a->stream_bytes == b->stream_bytes && a->records == b->records &&
	       a->record_version == b->record_version;
}

/* The stream is malformed for reason r, read whole and byte by byte. */
static void expect_bad_at(const struct buf *s, enum tls_ch_reason r, int line)
{
	struct tls_ch t;
	enum tls_ch_status st = feed_all(&t, s);

	if (st != TLS_CH_MALFORMED || tls_ch_reason(&t) != r)
		fprintf(stderr, "\n  line %d: status %d reason %s, want malformed %s\n", line, st,
			tls_ch_reason_name(tls_ch_reason(&t)), tls_ch_reason_name(r));
	CU_ASSERT_EQUAL(st, TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), r);
	st = feed_bytes(&t, s);
	CU_ASSERT_EQUAL(st, TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), r);
	/* Sticky: more bytes change nothing. */
	CU_ASSERT_EQUAL(tls_ch_feed(&t, s->b, s->n), TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), r);
}
#define expect_bad(s, r) expect_bad_at(s, r, __LINE__)

/* The message msg in one record is malformed for reason r. */
static void expect_bad_msg_at(const struct buf *msg, enum tls_ch_reason r, int line)
{
	struct buf *s = calloc(1, sizeof(*s));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	record1(s, msg);
	expect_bad_at(s, r, line);
	free(s);
}
#define expect_bad_msg(m, r) expect_bad_msg_at(m, r, __LINE__)

/* A hello whose extensions block is raw is malformed for reason r. */
static void expect_bad_ext_at(const struct buf *raw, enum tls_ch_reason r, int line)
{
	struct buf *m = calloc(1, sizeof(*m));

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	hello(m, NULL, 0, raw, 0);
	expect_bad_msg_at(m, r, line);
	free(m);
}
#define expect_bad_ext(raw, r) expect_bad_ext_at(raw, r, __LINE__)

static struct buf msg, stream, raw, tmp;

/* Offsets in hello()'s message. */
#define OFF_VERSION 4
#define OFF_SID_LEN 38
#define OFF_CS_LEN  71
#define OFF_COMP    81
#define OFF_EXT_LEN 83
#define OFF_EXT	    85

/* ---- valid hellos --------------------------------------------------------- */

static void test_valid(void)
{
	struct tls_ch t;

	hello(&msg, "WWW.Example.COM", H_ALPN | H_VERSIONS, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL_FATAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_none);
	CU_ASSERT_STRING_EQUAL(t.info.sni, "www.example.com");
	CU_ASSERT_EQUAL(t.info.sni_len, 15);
	CU_ASSERT_TRUE(t.info.has_sni);
	CU_ASSERT_FALSE(t.info.has_ech);
	CU_ASSERT_FALSE(t.info.has_grease);
	CU_ASSERT_TRUE(t.info.has_alpn);
	CU_ASSERT_EQUAL(t.info.n_alpn, 2);
	CU_ASSERT_EQUAL(t.info.alpn_size, 12);
	CU_ASSERT(t.info.alpn && memcmp(t.info.alpn, "\x02h2\x08http/1.1", 12) == 0);
	CU_ASSERT_TRUE(t.info.has_supported_versions);
	CU_ASSERT_EQUAL(t.info.legacy_version, 0x0303);
	CU_ASSERT_EQUAL(t.info.max_version, 0x0304);
	CU_ASSERT_EQUAL(t.info.record_version, 0x0301);
	CU_ASSERT_EQUAL(t.info.n_extensions, 4);
	CU_ASSERT_EQUAL(t.info.hello_size, msg.n);
	CU_ASSERT_EQUAL(t.info.stream_bytes, stream.n);
	CU_ASSERT_EQUAL(t.info.records, 1);
	/* Sticky; further bytes are not looked at. */
	CU_ASSERT_EQUAL(tls_ch_feed(&t, (const uint8_t *)"junk", 4), TLS_CH_DONE);

	/* No server_name: done, no name. */
	hello(&msg, NULL, H_ALPN, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_FALSE(t.info.has_sni);
	CU_ASSERT_STRING_EQUAL(t.info.sni, "");
	CU_ASSERT_EQUAL(t.info.sni_len, 0);
	CU_ASSERT_EQUAL(t.info.max_version, 0x0303);

	/* No extensions block at all (old clients); and an empty one. */
	hello(&msg, NULL, H_NO_EXT, NULL, 0);
	CU_ASSERT_EQUAL(msg.n, OFF_EXT_LEN);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_FALSE(t.info.has_sni);
	CU_ASSERT_EQUAL(t.info.n_extensions, 0);
	memset(&raw, 0, sizeof(raw));
	hello(&msg, NULL, 0, &raw, 0);
	CU_ASSERT_EQUAL(msg.n, OFF_EXT);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);

	/* Record versions 0x0301..0x0303 all do. */
	for (unsigned v = 0x0301; v <= 0x0303; v++) {
		hello(&msg, "a.example", 0, NULL, 0);
		records(&stream, &msg, NULL, 0, v);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_EQUAL(t.info.record_version, v);
	}

	/* Names: '_', digits, a 63-byte label, 253 bytes in all, one label. */
	{
		static const char *const ok[] = {
			"my_host.example.net",
			"r3---sn-ab5l6nzr.googlevideo.com",
			"192.0.2.1",
			"localhost",
			"xn--bcher-kva.example",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
		};
		char big[254];

		for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			hello(&msg, ok[i], 0, NULL, 0);
			record1(&stream, &msg);
			CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
			CU_ASSERT_STRING_EQUAL(t.info.sni, ok[i]);
		}
		/* 4 labels of 63 and a dot between: 255; trim to 253. */
		memset(big, 'a', sizeof(big));
		big[63] = big[127] = big[191] = '.';
		big[253] = '\0';
		CU_ASSERT_EQUAL(strlen(big), 253);
		hello(&msg, big, 0, NULL, 0);
		record1(&stream, &msg);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_EQUAL(t.info.sni_len, 253);
		CU_ASSERT_STRING_EQUAL(t.info.sni, big);
	}
}

static void test_ech_grease(void)
{
	struct tls_ch t;

	hello(&msg, "public.example.com", H_BROWSER, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL_FATAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_TRUE(t.info.has_ech);
	CU_ASSERT_TRUE(t.info.has_grease);
	CU_ASSERT_STRING_EQUAL(t.info.sni, "public.example.com");
	/* GREASE in supported_versions is not a version. */
	CU_ASSERT_EQUAL(t.info.max_version, 0x0304);
	CU_ASSERT_EQUAL(t.info.n_extensions, 7);

	/* ECH without a server_name: no name to judge, the caller decides. */
	hello(&msg, NULL, H_ECH, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_TRUE(t.info.has_ech);
	CU_ASSERT_FALSE(t.info.has_sni);
	CU_ASSERT_FALSE(t.info.has_grease);

	/* The drafts' codepoints count as ECH too (ESNI 0xffce, ECH draft
	 * 07 0xff02, drafts 08 to 12 0xfe08 to 0xfe0c); their neighbours
	 * do not */
	{
		static const unsigned yes[] = {0xffce, 0xff02, 0xfe08, 0xfe09, 0xfe0a, 0xfe0b, 0xfe0c};
		static const unsigned no[] = {0xffcd, 0xff01, 0xfe07, 0xfe0e, 0xfd00};
		const unsigned n_yes = sizeof(yes) / sizeof(yes[0]);
		const unsigned n_all = n_yes + sizeof(no) / sizeof(no[0]);

		for (unsigned i = 0; i < n_all; i++) {
			unsigned cp = i < n_yes ? yes[i] : no[i - n_yes];

			memset(&raw, 0, sizeof(raw));
			ext_sni(&raw, "portal.example.com");
			ext(&raw, cp, "\x00\x01\x02\x03", 4);
			hello(&msg, NULL, 0, &raw, 0);
			record1(&stream, &msg);
			CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
			CU_ASSERT_EQUAL(t.info.has_ech, i < n_yes);
			CU_ASSERT_STRING_EQUAL(t.info.sni, "portal.example.com");
		}
	}
}

/* early_data (42) offered: application_data records may follow the hello
 * (judge.c, judge_hello_tail walks past them); its neighbours are not it. */
static void test_early_data(void)
{
	struct tls_ch t;
	static const unsigned cps[] = {42, 41, 43, 0x2a00};

	hello(&msg, "zero.example.org", H_BROWSER, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL_FATAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_FALSE(t.info.has_early_data);
	for (unsigned i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		memset(&raw, 0, sizeof(raw));
		ext_sni(&raw, "zero.example.org");
		/* (supported_versions, 43, wants a list: a version list it is) */
		if (cps[i] == 43)
			ext(&raw, cps[i], "\x02\x03\x04", 3);
		else
			ext(&raw, cps[i], "", 0);
		hello(&msg, NULL, 0, &raw, 0);
		record1(&stream, &msg);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_EQUAL(t.info.has_early_data, i == 0);
		CU_ASSERT_STRING_EQUAL(t.info.sni, "zero.example.org");
	}
}

/* Split at every byte: two feeds, and three feeds around each record edge. */
static void test_every_split(void)
{
	struct tls_ch whole, t;
	size_t pos[2];
	unsigned bad = 0;

	hello(&msg, "split.example.org", H_BROWSER, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL_FATAL(feed_all(&whole, &stream), TLS_CH_DONE);
	for (size_t i = 0; i <= stream.n; i++) {
		pos[0] = i;
		if (feed_at(&t, &stream, pos, 1) != TLS_CH_DONE || !same_info(&t.info, &whole.info))
			bad++;
		for (size_t j = i; j <= stream.n; j += 7) {
			pos[1] = j;
			if (feed_at(&t, &stream, pos, 2) != TLS_CH_DONE ||
			    !same_info(&t.info, &whole.info))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(feed_bytes(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_TRUE(same_info(&t.info, &whole.info));

	/* A feed that ends with the hello and goes on into the next record
	 * (a ChangeCipherSpec): the hello's end is where stream_bytes says. */
	tmp = stream;
	b_mem(&tmp, "\x14\x03\x03\x00\x01\x01", 6);
	CU_ASSERT_EQUAL(feed_all(&t, &tmp), TLS_CH_DONE);
	CU_ASSERT_EQUAL(t.info.stream_bytes, stream.n);
}

/* The message over 2 and 3 records, at every cut (record edges inside the
 * handshake header too), each stream also cut at a few byte positions. */
static void test_records(void)
{
	struct tls_ch whole, t;
	size_t cut[2], pos[3];
	unsigned bad = 0, n2 = 0, n3 = 0;

	hello(&msg, "Records.Example.org", H_BROWSER, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL_FATAL(feed_all(&whole, &stream), TLS_CH_DONE);
	for (size_t i = 1; i < msg.n; i++) {
		cut[0] = i;
		records(&stream, &msg, cut, 1, 0x0301);
		n2++;
		if (feed_all(&t, &stream) != TLS_CH_DONE || t.info.records != 2 ||
		    strcmp(t.info.sni, "records.example.org") != 0 ||
		    t.info.stream_bytes != msg.n + 10)
			bad++;
		pos[0] = i / 2;
		pos[1] = i + 3;
		pos[2] = i + 7 < stream.n ? i + 7 : stream.n;
		if (feed_at(&t, &stream, pos, 3) != TLS_CH_DONE)
			bad++;
		if (feed_bytes(&t, &stream) != TLS_CH_DONE)
			bad++;
		for (size_t j = i + 1; j < msg.n; j += 5) {
			cut[1] = j;
			records(&stream, &msg, cut, 2, 0x0303);
			n3++;
			if (feed_all(&t, &stream) != TLS_CH_DONE || t.info.records != 3 ||
			    strcmp(t.info.sni, whole.info.sni) != 0 ||
			    t.info.n_extensions != whole.info.n_extensions ||
			    t.info.stream_bytes != msg.n + 15)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(n2 > 100 && n3 > 1000);

	/* One byte per record. */
	{
		size_t *c = calloc(msg.n, sizeof(*c));

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		for (size_t i = 1; i < msg.n; i++)
			c[i - 1] = i;
		records(&stream, &msg, c, (unsigned)msg.n - 1, 0x0301);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_EQUAL(t.info.records, msg.n);
		CU_ASSERT_STRING_EQUAL(t.info.sni, "records.example.org");
		free(c);
	}
}

/* The 16 KiB bound: a message of exactly TLS_CH_MAX bytes (header
 * included) is read, over two records; one byte more is too_long, and so
 * is anything over a smaller buffer the caller gives. */
static void test_bound(void)
{
	struct tls_ch t;
	size_t cut[1] = {10000}; /* records hold at most 2^14 bytes */
	size_t base;
	uint8_t small[600];

	hello(&msg, "big.example", H_BROWSER, NULL, 4);
	base = msg.n - 4; /* without the padding body */
	hello(&msg, "big.example", H_BROWSER, NULL, TLS_CH_MAX - base);
	CU_ASSERT_EQUAL_FATAL(msg.n, TLS_CH_MAX);
	records(&stream, &msg, cut, 1, 0x0303);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
	CU_ASSERT_EQUAL(t.info.hello_size, TLS_CH_MAX);
	CU_ASSERT_EQUAL(t.info.records, 2);
	CU_ASSERT_STRING_EQUAL(t.info.sni, "big.example");

	hello(&msg, "big.example", H_BROWSER, NULL, TLS_CH_MAX - base + 1);
	records(&stream, &msg, cut, 1, 0x0303);
	expect_bad(&stream, TLS_CH_R_too_long);

	/* A buffer of 600 bytes: a 600-byte hello fits, 601 does not. */
	hello(&msg, "s.example", 0, NULL, 4);
	base = msg.n - 4;
	hello(&msg, "s.example", 0, NULL, 600 - base);
	record1(&stream, &msg);
	tls_ch_init(&t, small, sizeof(small));
	CU_ASSERT_EQUAL(tls_ch_feed(&t, stream.b, stream.n), TLS_CH_DONE);
	hello(&msg, "s.example", 0, NULL, 601 - base);
	record1(&stream, &msg);
	tls_ch_init(&t, small, sizeof(small));
	CU_ASSERT_EQUAL(tls_ch_feed(&t, stream.b, stream.n), TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_too_long);
	/* No buffer at all: nothing can be read. */
	tls_ch_init(&t, NULL, 0);
	CU_ASSERT_EQUAL(tls_ch_feed(&t, stream.b, stream.n), TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_too_long);
}

/* ---- refusals ------------------------------------------------------------- */

static void test_not_tls(void)
{
	static const char *const other[] = {
		"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
		"SSH-2.0-OpenSSH_9.2\r\n",
		"\x17\x03\x03\x00\x10",
		"\x15\x03\x03\x00\x02\x02\x28",
		"\x80\x2e\x02\x03\x01", /* SSLv2 header, not a CLIENT-HELLO */
	};
	/* An SSLv2-format hello: 2-byte header, CLIENT-HELLO, version 3.1. */
	static const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00,
				     0x00, 0x10, 0x00, 0x00, 0x39, 0x00, 0x00, 0x38};
	struct tls_ch t;

	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		memset(&stream, 0, sizeof(stream));
		b_str(&stream, other[i]);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_NOT_TLS);
		CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_none);
		CU_ASSERT_EQUAL(feed_bytes(&t, &stream), TLS_CH_NOT_TLS);
	}
	/* Nothing yet, or one byte of a handshake: wait. */
	tls_ch_init(&t, chbuf, sizeof(chbuf));
	CU_ASSERT_EQUAL(tls_ch_feed(&t, NULL, 0), TLS_CH_NEED_MORE);
	CU_ASSERT_EQUAL(tls_ch_feed(&t, (const uint8_t *)"\x16", 1), TLS_CH_NEED_MORE);

	memset(&stream, 0, sizeof(stream));
	b_mem(&stream, v2, sizeof(v2));
	expect_bad(&stream, TLS_CH_R_sslv2);
	/* Its first 4 bytes only: not decided yet. */
	tls_ch_init(&t, chbuf, sizeof(chbuf));
	CU_ASSERT_EQUAL(tls_ch_feed(&t, v2, 4), TLS_CH_NEED_MORE);
	CU_ASSERT_EQUAL(tls_ch_feed(&t, v2 + 4, 1), TLS_CH_MALFORMED);
}

static void test_bad_records(void)
{
	size_t cut[1] = {40};

	hello(&msg, "r.example", H_BROWSER, NULL, 0);
	/* Record versions. */
	records(&stream, &msg, NULL, 0, 0x0300);
	expect_bad(&stream, TLS_CH_R_record_version);
	records(&stream, &msg, NULL, 0, 0x0304);
	expect_bad(&stream, TLS_CH_R_record_version);
	records(&stream, &msg, NULL, 0, 0x0201);
	expect_bad(&stream, TLS_CH_R_record_version);
	records(&stream, &msg, NULL, 0, 0xfefd); /* DTLS 1.2 */
	expect_bad(&stream, TLS_CH_R_record_version);
	/* A second record with another version. */
	records(&stream, &msg, cut, 1, 0x0301);
	stream.b[5 + 40 + 2] = 0x03;
	expect_bad(&stream, TLS_CH_R_record_version);

	/* Record lengths: 0, and over 2^14. */
	records(&stream, &msg, cut, 1, 0x0301);
	memset(&tmp, 0, sizeof(tmp));
	b_mem(&tmp, stream.b, 45);
	b_mem(&tmp, "\x16\x03\x01\x00\x00", 5);
	b_mem(&tmp, stream.b + 45, stream.n - 45);
	expect_bad(&tmp, TLS_CH_R_record_length);
	record1(&stream, &msg);
	stream.b[3] = 0x40;
	stream.b[4] = 0x01;
	expect_bad(&stream, TLS_CH_R_record_length);

	/* Another record type before the hello ended: alert, CCS,
	 * application data, heartbeat. */
	for (unsigned ct = 20; ct <= 24; ct++) {
		if (ct == 22)
			continue;
		records(&stream, &msg, cut, 1, 0x0301);
		stream.b[45] = (uint8_t)ct;
		expect_bad(&stream, TLS_CH_R_record_type);
	}

	/* Not a ClientHello: ServerHello, and a HelloRequest ahead of the
	 * hello in the same record. */
	tmp = msg;
	tmp.b[0] = 2;
	expect_bad_msg(&tmp, TLS_CH_R_not_client_hello);
	memset(&tmp, 0, sizeof(tmp));
	b_mem(&tmp, "\x00\x00\x00\x00", 4);
	b_mem(&tmp, msg.b, msg.n);
	expect_bad_msg(&tmp, TLS_CH_R_not_client_hello);

	/* Bytes after the hello in its record: a second hello. */
	tmp = msg;
	b_mem(&tmp, msg.b, msg.n);
	expect_bad_msg(&tmp, TLS_CH_R_trailing_data);
	tmp = msg;
	b_u8(&tmp, 0);
	expect_bad_msg(&tmp, TLS_CH_R_trailing_data);
	/* The handshake length one short of the record: trailing data too. */
	tmp = msg;
	tmp.b[3]--;
	expect_bad_msg(&tmp, TLS_CH_R_trailing_data);
	/* One more than the record: waits, then an alert arrives. */
	tmp = msg;
	tmp.b[3]++;
	record1(&stream, &tmp);
	{
		struct tls_ch t;

		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_NEED_MORE);
		CU_ASSERT_EQUAL(tls_ch_feed(&t, (const uint8_t *)"\x15\x03\x01\x00\x02\x01\x00", 7),
				TLS_CH_MALFORMED);
		CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_record_type);
		/* ... or the missing byte, which then overfills the block. */
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_NEED_MORE);
		CU_ASSERT_EQUAL(tls_ch_feed(&t, (const uint8_t *)"\x16\x03\x01\x00\x01\x00", 6),
				TLS_CH_MALFORMED);
		CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_extensions_length);
	}
}

static void test_bad_fields(void)
{
	hello(&msg, "f.example", H_BROWSER, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(msg.b[OFF_SID_LEN], 32);
	CU_ASSERT_EQUAL_FATAL(msg.b[OFF_CS_LEN + 1], 8);
	CU_ASSERT_EQUAL_FATAL(msg.b[OFF_COMP], 1);

	/* legacy_version */
	for (unsigned i = 0; i < 4; i++) {
		static const uint16_t v[] = {0x0300, 0x0304, 0x0002, 0x7f1c};

		tmp = msg;
		tmp.b[OFF_VERSION] = (uint8_t)(v[i] >> 8);
		tmp.b[OFF_VERSION + 1] = (uint8_t)v[i];
		expect_bad_msg(&tmp, TLS_CH_R_hello_version);
	}
	/* session id over 32 */
	tmp = msg;
	tmp.b[OFF_SID_LEN] = 33;
	expect_bad_msg(&tmp, TLS_CH_R_session_id);
	/* cipher suites odd, empty */
	tmp = msg;
	tmp.b[OFF_CS_LEN + 1] = 7;
	expect_bad_msg(&tmp, TLS_CH_R_cipher_suites);
	tmp = msg;
	tmp.b[OFF_CS_LEN + 1] = 0;
	expect_bad_msg(&tmp, TLS_CH_R_cipher_suites);
	/* no compression method */
	tmp = msg;
	tmp.b[OFF_COMP] = 0;
	expect_bad_msg(&tmp, TLS_CH_R_compression);
	/* Lengths that run past the message. */
	tmp = msg;
	tmp.b[OFF_CS_LEN] = 0x40;
	expect_bad_msg(&tmp, TLS_CH_R_truncated);
	tmp = msg;
	tmp.b[OFF_COMP] = 200;
	expect_bad_msg(&tmp, TLS_CH_R_truncated);
	memset(&tmp, 0, sizeof(tmp));
	b_mem(&tmp, "\x01\x00\x00\x22\x03\x03", 6);
	for (unsigned i = 0; i < 32; i++)
		b_u8(&tmp, i);
	expect_bad_msg(&tmp, TLS_CH_R_truncated);
	memset(&tmp, 0, sizeof(tmp));
	b_mem(&tmp, "\x01\x00\x00\x00", 4);
	expect_bad_msg(&tmp, TLS_CH_R_truncated);
	/* Extensions block one byte long or short of the message. */
	tmp = msg;
	tmp.b[OFF_EXT_LEN + 1]++;
	expect_bad_msg(&tmp, TLS_CH_R_extensions_length);
	tmp = msg;
	tmp.b[OFF_EXT_LEN + 1]--;
	expect_bad_msg(&tmp, TLS_CH_R_extensions_length);
	/* One byte where the block length should be. */
	hello(&tmp, NULL, H_NO_EXT, NULL, 0);
	b_u8(&tmp, 0);
	tmp.b[3]++;
	expect_bad_msg(&tmp, TLS_CH_R_extensions_length);
}

static void test_bad_extensions(void)
{
	/* An extension that runs past the block. */
	memset(&raw, 0, sizeof(raw));
	ext_sni(&raw, "x.example");
	b_mem(&raw, "\x00\x0a\x00\x09\x00\x04", 6);
	expect_bad_ext(&raw, TLS_CH_R_extension_length);
	/* Three stray bytes after the last extension. */
	memset(&raw, 0, sizeof(raw));
	ext_sni(&raw, "x.example");
	b_mem(&raw, "\x00\x0a\x00", 3);
	expect_bad_ext(&raw, TLS_CH_R_extension_length);

	/* Repeated: server_name twice, with one name or two; ALPN; an
	 * unknown type; the same GREASE value. */
	memset(&raw, 0, sizeof(raw));
	ext_sni(&raw, "x.example");
	ext_sni(&raw, "x.example");
	expect_bad_ext(&raw, TLS_CH_R_duplicate_extension);
	memset(&raw, 0, sizeof(raw));
	ext_sni(&raw, "allowed.example");
	ext(&raw, 0x0010, "\x00\x03\x02h2", 5);
	ext_sni(&raw, "blocked.example");
	expect_bad_ext(&raw, TLS_CH_R_duplicate_extension);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00\x03\x02h2", 5);
	ext(&raw, 0x0010, "\x00\x03\x02h2", 5);
	expect_bad_ext(&raw, TLS_CH_R_duplicate_extension);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x7777, NULL, 0);
	ext_sni(&raw, "x.example");
	ext(&raw, 0x7777, "a", 1);
	expect_bad_ext(&raw, TLS_CH_R_duplicate_extension);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x5a5a, NULL, 0);
	ext(&raw, 0x5a5a, NULL, 0);
	expect_bad_ext(&raw, TLS_CH_R_duplicate_extension);

	/* TLS_CH_MAX_EXT distinct extensions do; one more does not. */
	memset(&raw, 0, sizeof(raw));
	for (unsigned i = 0; i < TLS_CH_MAX_EXT; i++)
		ext(&raw, 0x1000 + i, NULL, 0);
	{
		struct tls_ch t;

		hello(&msg, NULL, 0, &raw, 0);
		record1(&stream, &msg);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_EQUAL(t.info.n_extensions, TLS_CH_MAX_EXT);
	}
	ext(&raw, 0x2000, NULL, 0);
	expect_bad_ext(&raw, TLS_CH_R_too_many_extensions);

	/* ALPN */
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00\x04\x02h2", 5);
	expect_bad_ext(&raw, TLS_CH_R_alpn_length);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00\x03\x03h2", 5);
	expect_bad_ext(&raw, TLS_CH_R_alpn_length);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00\x04\x02h2\x00", 6);
	expect_bad_ext(&raw, TLS_CH_R_alpn_length);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00\x00", 2);
	expect_bad_ext(&raw, TLS_CH_R_alpn_length);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0010, "\x00", 1);
	expect_bad_ext(&raw, TLS_CH_R_alpn_length);

	/* supported_versions: odd, empty, length off. */
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x002b, "\x03\x03\x04\x03", 4);
	expect_bad_ext(&raw, TLS_CH_R_supported_versions);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x002b, "\x00", 1);
	expect_bad_ext(&raw, TLS_CH_R_supported_versions);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x002b, "\x04\x03\x04\x03\x03\x03\x02", 7);
	expect_bad_ext(&raw, TLS_CH_R_supported_versions);
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x002b, NULL, 0);
	expect_bad_ext(&raw, TLS_CH_R_supported_versions);
}

/* A server_name extension body, as given. */
static void raw_sni_body(const void *body, size_t n)
{
	memset(&raw, 0, sizeof(raw));
	ext(&raw, 0x0000, body, n);
}

static void test_bad_sni(void)
{
	/* Two host_name entries; a host_name and another type, both orders. */
	raw_sni_body("\x00\x18"
		     "\x00\x00\x09"
		     "a.example"
		     "\x00\x00\x09"
		     "b.example",
		     26);
	expect_bad_ext(&raw, TLS_CH_R_sni_multiple);
	raw_sni_body("\x00\x18"
		     "\x00\x00\x09"
		     "a.example"
		     "\x01\x00\x09"
		     "b.example",
		     26);
	expect_bad_ext(&raw, TLS_CH_R_sni_multiple);
	raw_sni_body("\x00\x18"
		     "\x07\x00\x09"
		     "b.example"
		     "\x00\x00\x09"
		     "a.example",
		     26);
	expect_bad_ext(&raw, TLS_CH_R_sni_multiple);
	/* One entry of another type. */
	raw_sni_body("\x00\x0c\x01\x00\x09"
		     "a.example",
		     14);
	expect_bad_ext(&raw, TLS_CH_R_sni_type);
	/* List length off by one each way; name length off; empty list;
	 * no list length; an entry cut short; an empty extension. */
	raw_sni_body("\x00\x0d\x00\x00\x09"
		     "a.example",
		     14);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00\x0b\x00\x00\x09"
		     "a.example",
		     14);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00\x0c\x00\x00\x0a"
		     "a.example",
		     14);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00\x0c\x00\x00\x08"
		     "a.example",
		     14);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00\x00", 2);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00", 1);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body("\x00\x02\x00\x00", 4);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	raw_sni_body(NULL, 0);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
	/* The extension length covers more than the list. */
	raw_sni_body("\x00\x0c\x00\x00\x09"
		     "a.example\x00",
		     15);
	expect_bad_ext(&raw, TLS_CH_R_sni_length);
}

static void bad_name_at(const void *name, size_t n, enum tls_ch_reason r, int line)
{
	enum tls_ch_reason got;

	CU_ASSERT_FALSE(tls_name_valid(name, n, &got));
	CU_ASSERT_EQUAL(got, r);
	memset(&raw, 0, sizeof(raw));
	ext_sni_n(&raw, name, n);
	expect_bad_ext_at(&raw, r, line);
}
#define bad_name(s, r)	    bad_name_at(s, sizeof(s) - 1, r, __LINE__)
#define bad_name_n(s, n, r) bad_name_at(s, n, r, __LINE__)

static void test_bad_names(void)
{
#define N(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}
	static const struct {
		const char *s;
		size_t n;
	} chars[] = {
		N("a\0b.example"),
		N("a.example\0"),
		N("a.example\0evil.example"),
		N("a b.example"),
		N("a.example:443"),
		N("a/b.example"),
		N("*.example"),
		N("a%2eexample"),
		N("b\xc3\xbc"
		  "cher.example"),
		N("a.example\r\n"),
		N("a\tb"),
		N("[::1]"),
		N("a@b.example"),
		N("a\\.example"),
		N("\x7f.example"),
		N("a.exam\xffple"),
	};
#undef N
	char label64[80], name254[260];
	enum tls_ch_reason r;

	for (unsigned i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		bad_name_n(chars[i].s, chars[i].n, TLS_CH_R_name_char);
	bad_name("a..example", TLS_CH_R_name_label);
	bad_name(".a.example", TLS_CH_R_name_label);
	bad_name(".", TLS_CH_R_name_label);
	bad_name("..", TLS_CH_R_name_label);
	bad_name("a.example..", TLS_CH_R_name_label);
	bad_name("a.example.", TLS_CH_R_name_trailing_dot);
	bad_name("localhost.", TLS_CH_R_name_trailing_dot);
	bad_name_n("", 0, TLS_CH_R_name_length);
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".example");
	bad_name_n(label64, strlen(label64), TLS_CH_R_name_label);
	memset(name254, 'a', 254);
	name254[63] = name254[127] = name254[191] = '.';
	bad_name_n(name254, 254, TLS_CH_R_name_length);
	CU_ASSERT_TRUE(tls_name_valid((const uint8_t *)name254, 253, &r));
	CU_ASSERT_EQUAL(r, TLS_CH_R_none);
	CU_ASSERT_FALSE(tls_name_valid(NULL, 3, &r));
	CU_ASSERT_EQUAL(r, TLS_CH_R_name_length);
	CU_ASSERT_TRUE(tls_name_valid((const uint8_t *)"A-b_C.d", 7, NULL));
}

/* The lenient reading (tls_ch_names): each host_name entry of each
 * server_name extension, lower-cased, in order. */
struct names_seen {
	char all[512];
	unsigned n;
};

static void names_cb(void *arg, const char *name, size_t len)
{
	struct names_seen *a = arg;
	size_t at = strlen(a->all);

	CU_ASSERT_FATAL(at + len + 2 < sizeof(a->all));
	memcpy(a->all + at, name, len);
	a->all[at + len] = ';';
	a->all[at + len + 1] = '\0';
	a->n++;
}

/* tls_ch_names_more over a growing stream reads the same names as
 * tls_ch_names over the whole, once, and walks each byte once: a hello
 * with two names (the strict reader refuses it) in one-byte records,
 * given one byte more per call. */
static void test_names_more(void)
{
	static uint8_t nbuf[TLS_CH_MAX], nbuf2[TLS_CH_MAX];
	struct names_seen whole, grown;
	struct tls_names_at at;
	enum tls_ch_status st = TLS_CH_NEED_MORE;
	size_t *c, calls = 0;

	raw_sni_body("\x00\x18"
		     "\x00\x00\x09"
		     "A.example"
		     "\x00\x00\x09"
		     "b.example",
		     26);
	hello(&msg, NULL, 0, &raw, 0);
	c = calloc(msg.n, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (size_t i = 1; i < msg.n; i++)
		c[i - 1] = i;
	records(&stream, &msg, c, (unsigned)msg.n - 1, 0x0301);
	free(c);

	memset(&whole, 0, sizeof(whole));
	CU_ASSERT_EQUAL(tls_ch_names(stream.b, stream.n, nbuf, sizeof(nbuf), names_cb, &whole),
			TLS_CH_DONE);
	CU_ASSERT_STRING_EQUAL(whole.all, "a.example;b.example;");

	memset(&grown, 0, sizeof(grown));
	memset(&at, 0, sizeof(at));
	for (size_t len = 0; len <= stream.n && st == TLS_CH_NEED_MORE; len++, calls++) {
		size_t walked = at.i;

		st = tls_ch_names_more(&at, stream.b, len, nbuf2, sizeof(nbuf2), names_cb, &grown);
		/* never behind, never past the stream, never back */
		CU_ASSERT_FATAL(at.i >= walked && at.i <= len);
		if (st == TLS_CH_NEED_MORE)
			CU_ASSERT_EQUAL(grown.n, 0);
	}
	CU_ASSERT_EQUAL(st, TLS_CH_DONE);
	CU_ASSERT_EQUAL(calls, stream.n + 1);
	CU_ASSERT_STRING_EQUAL(grown.all, whole.all);
	/* Once answered: the answer again, nothing reported again. */
	CU_ASSERT_EQUAL(
		tls_ch_names_more(&at, stream.b, stream.n, nbuf2, sizeof(nbuf2), names_cb, &grown),
		TLS_CH_DONE);
	CU_ASSERT_EQUAL(grown.n, 2);

	/* A warning alert, then a ChangeCipherSpec, between two records of
	 * the hello: passed over (OpenSSL skips warning alerts). */
	{
		size_t cut[1] = {40};

		records(&stream, &msg, cut, 1, 0x0301);
		memset(&tmp, 0, sizeof(tmp));
		b_mem(&tmp, stream.b, 45);
		b_mem(&tmp, "\x15\x03\x01\x00\x02\x01\x5a\x14\x03\x03\x00\x01\x01", 13);
		b_mem(&tmp, stream.b + 45, stream.n - 45);
		memset(&grown, 0, sizeof(grown));
		CU_ASSERT_EQUAL(tls_ch_names(tmp.b, tmp.n, nbuf2, sizeof(nbuf2), names_cb, &grown),
				TLS_CH_DONE);
		CU_ASSERT_STRING_EQUAL(grown.all, "a.example;b.example;");
		/* cut inside the alert: waits for the rest of it */
		memset(&at, 0, sizeof(at));
		CU_ASSERT_EQUAL(
			tls_ch_names_more(&at, tmp.b, 48, nbuf2, sizeof(nbuf2), names_cb, &grown),
			TLS_CH_NEED_MORE);
		CU_ASSERT_EQUAL(at.i, 45);
	}

	/* Not TLS, found at the first record header, stays so. */
	memset(&at, 0, sizeof(at));
	CU_ASSERT_EQUAL(tls_ch_names_more(&at, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, nbuf2,
					  sizeof(nbuf2), names_cb, &grown),
			TLS_CH_NOT_TLS);
	CU_ASSERT_EQUAL(tls_ch_names_more(&at, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, nbuf2,
					  sizeof(nbuf2), names_cb, &grown),
			TLS_CH_NOT_TLS);
}

static void test_reason_names(void)
{
	CU_ASSERT_STRING_EQUAL(tls_ch_reason_name(TLS_CH_R_none), "none");
	CU_ASSERT_STRING_EQUAL(tls_ch_reason_name(TLS_CH_R_sni_multiple), "sni_multiple");
	CU_ASSERT_STRING_EQUAL(tls_ch_reason_name(TLS_CH_R_supported_versions),
			       "supported_versions");
	CU_ASSERT_STRING_EQUAL(tls_ch_reason_name(TLS_CH_R_COUNT), "?");
	for (unsigned i = 0; i < TLS_CH_R_COUNT; i++)
		for (unsigned j = i + 1; j < TLS_CH_R_COUNT; j++)
			CU_ASSERT(strcmp(tls_ch_reason_name(i), tls_ch_reason_name(j)) != 0);
}

/* ---- nDPI's reading ------------------------------------------------------- */

static void test_name_agrees(void)
{
	char long_name[120], tail[TLS_NDPI_NAME_MAX + 1];

	CU_ASSERT_TRUE(tls_name_agrees("a.example", "a.example"));
	CU_ASSERT_TRUE(tls_name_agrees("a.example", "A.Example"));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", "b.example"));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", "a.example."));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", "a.exampl"));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", "xa.example"));
	CU_ASSERT_TRUE(tls_name_agrees(NULL, NULL));
	CU_ASSERT_TRUE(tls_name_agrees("", NULL));
	CU_ASSERT_TRUE(tls_name_agrees(NULL, ""));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", NULL));
	CU_ASSERT_FALSE(tls_name_agrees("a.example", ""));
	CU_ASSERT_FALSE(tls_name_agrees(NULL, "a.example"));
	CU_ASSERT_FALSE(tls_name_agrees("", "a.example"));
	/* nDPI's tail of a long name. */
	memset(long_name, 0, sizeof(long_name));
	for (unsigned i = 0; i < 100; i++)
		long_name[i] = (char)('a' + i % 26);
	long_name[30] = '.';
	memcpy(tail, long_name + 100 - TLS_NDPI_NAME_MAX, TLS_NDPI_NAME_MAX + 1);
	CU_ASSERT_TRUE(tls_name_agrees(long_name, tail));
	tail[0] = 'X';
	CU_ASSERT_FALSE(tls_name_agrees(long_name, tail));
	/* A tail one shorter than nDPI keeps is not nDPI's cut. */
	CU_ASSERT_FALSE(tls_name_agrees(long_name, long_name + 100 - TLS_NDPI_NAME_MAX + 1));
	/* Our name is never the shorter one. */
	CU_ASSERT_FALSE(tls_name_agrees(long_name + 100 - TLS_NDPI_NAME_MAX, long_name));
}

static struct ndpi_detection_module_struct *ndpi;

static int suite_init(void)
{
	NDPI_PROTOCOL_BITMASK all;

	ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (!ndpi)
		return 1;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(ndpi, &all);
	ndpi_finalize_initialization(ndpi);
	return 0;
}

static int suite_fini(void)
{
	if (ndpi)
		ndpi_exit_detection_module(ndpi);
	return 0;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One IPv4/TCP packet of a made-up flow to nDPI. */
static void ndpi_pkt(struct ndpi_flow_struct *f, bool from_client, uint8_t flags, uint32_t seq,
		     uint32_t ack, const uint8_t *payload, size_t n, uint64_t ms)
{
	static uint8_t p[1600];
	uint8_t *tcp = p + 20;

	CU_ASSERT_FATAL(n <= sizeof(p) - 40);
	memset(p, 0, 40);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(40 + n));
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12,
	       from_client ? "\x0a\x0a\x00\x01\xc6\x33\x64\x07"
			   : "\xc6\x33\x64\x07\x0a\x0a\x00\x01",
	       8);
	put16(tcp, from_client ? 40000 : 443);
	put16(tcp + 2, from_client ? 443 : 40000);
	put16(tcp + 4, seq >> 16);
	put16(tcp + 6, seq);
	put16(tcp + 8, ack >> 16);
	put16(tcp + 10, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	if (n)
		memcpy(tcp + 20, payload, n);
	ndpi_detection_process_packet(ndpi, f, p, (unsigned short)(40 + n), ms);
}

/* What nDPI 4.2 reads as the name of this client stream, sent in segments
 * of at most seg bytes after a handshake. */
static void ndpi_name(const struct buf *s, size_t seg, char *out, size_t size)
{
	struct ndpi_flow_struct *f = calloc(1, ndpi_detection_get_sizeof_ndpi_flow_struct());
	uint32_t cseq = 1000, sseq = 9000;
	uint64_t ms = 1700000000000ull;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ndpi_pkt(f, true, 0x02, cseq++, 0, NULL, 0, ms++);
	ndpi_pkt(f, false, 0x12, sseq++, cseq, NULL, 0, ms++);
	ndpi_pkt(f, true, 0x10, cseq, sseq, NULL, 0, ms++);
	for (size_t off = 0; off < s->n; off += seg) {
		size_t n = s->n - off < seg ? s->n - off : seg;

		ndpi_pkt(f, true, 0x18, cseq, sseq, s->b + off, n, ms++);
		cseq += (uint32_t)n;
	}
	snprintf(out, size, "%s", f->host_server_name);
	ndpi_free_flow_data(f);
	free(f);
}

/* Hellos nDPI 4.2 reads in one segment: it agrees with us, the long name
 * included (its tail); our refusals are where a reader could go wrong. */
static void test_ndpi_reads_same(void)
{
	static const char *const names[] = {
		"www.example.com",
		"Mixed.CASE.Example",
		"my_host.example.net",
		"a-very-long-label-to-pass-the-nDPI-limit-of-seventy-nine-bytes.example."
		"co.uk.example",
	};
	char got[128];
	struct tls_ch t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ndpi);
	CU_ASSERT_FATAL(strlen(names[3]) > TLS_NDPI_NAME_MAX);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		hello(&msg, names[i], H_BROWSER, NULL, 0);
		record1(&stream, &msg);
		CU_ASSERT_EQUAL_FATAL(feed_all(&t, &stream), TLS_CH_DONE);
		ndpi_name(&stream, 1400, got, sizeof(got));
		if (!tls_name_agrees(t.info.sni, got))
			fprintf(stderr, "\n  ours %s, nDPI %s\n", t.info.sni, got);
		CU_ASSERT_TRUE(tls_name_agrees(t.info.sni, got));
		CU_ASSERT_STRING_NOT_EQUAL(got, "");
	}
	/* No name: nDPI reads none either. */
	hello(&msg, NULL, H_BROWSER, NULL, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
	ndpi_name(&stream, 1400, got, sizeof(got));
	CU_ASSERT_TRUE(tls_name_agrees(t.info.sni, got));

	/* The hello over two records: nDPI 4.2 does not join records, and
	 * reads no name (or another). The caller compares only one-record
	 * hellos; this pins why. */
	{
		size_t cut[1] = {50};

		hello(&msg, "two.records.example", H_BROWSER, NULL, 0);
		records(&stream, &msg, cut, 1, 0x0301);
		CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_DONE);
		CU_ASSERT_STRING_EQUAL(t.info.sni, "two.records.example");
		ndpi_name(&stream, 1400, got, sizeof(got));
		printf("\n  nDPI on a two-record hello: \"%s\"  ", got);
	}
	/* Two names: the differential our refusal closes. */
	raw_sni_body("\x00\x18"
		     "\x00\x00\x09"
		     "a.example"
		     "\x00\x00\x09"
		     "b.example",
		     26);
	hello(&msg, NULL, 0, &raw, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_MALFORMED);
	ndpi_name(&stream, 1400, got, sizeof(got));
	printf("nDPI on a two-name hello: \"%s\"  ", got);
	/* A NUL in the name: nDPI's copy stops at it, ours refuses. */
	memset(&raw, 0, sizeof(raw));
	ext_sni_n(&raw, "allowed.example\0evil.example", 28);
	hello(&msg, NULL, 0, &raw, 0);
	record1(&stream, &msg);
	CU_ASSERT_EQUAL(feed_all(&t, &stream), TLS_CH_MALFORMED);
	CU_ASSERT_EQUAL(tls_ch_reason(&t), TLS_CH_R_name_char);
}

/* ---- real hellos from nDPI's corpus -------------------------------------- */

#define MAX_FLOWS 256

struct cflow {
	struct parse_result first; /* the client's first packet (its SYN) */
	uint32_t next;		   /* next client sequence number */
	struct tls_ch t;
	struct ndpi_flow_struct *nf;
	uint8_t *buf;
	enum tls_ch_status st;
	bool gap;
	char ndpi_name[128];
};

static const char *corpus_dir(void)
{
	static char dir[512];
	const char *env = getenv("ADUANA_CORPUS");
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", env ? env : "../shared/corpus/ndpi");
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}

static bool same_dir(const struct parse_result *a, const struct parse_result *b)
{
	return a->l4proto == b->l4proto && a->sport == b->sport && a->dport == b->dport &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static bool reverse_dir(const struct parse_result *a, const struct parse_result *b)
{
	return a->l4proto == b->l4proto && a->sport == b->dport && a->dport == b->sport &&
	       memcmp(a->src, b->dst, 16) == 0 && memcmp(a->dst, b->src, 16) == 0;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		s = calloc(1, (size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, fp) != (size_t)n) {
			free(s);
			s = NULL;
		}
	}
	fclose(fp);
	return s;
}

struct corpus_sum {
	unsigned hellos, named, malformed, ndpi_disagree, out_missing;
};

/* Every TCP flow of one Ethernet capture whose handshake we see: the
 * client's stream, in order, to our reader and all packets to nDPI. */
static void corpus_file(const char *dir, const char *file, struct corpus_sum *sum)
{
	char path[1024], errbuf[PCAP_ERRBUF_SIZE], *out;
	static struct cflow flows[MAX_FLOWS];
	struct pcap_pkthdr *h;
	const uint8_t *data;
	unsigned n = 0;
	pcap_t *pc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	pc = pcap_open_offline(path, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pc);
	if (pcap_datalink(pc) != DLT_EN10MB) {
		pcap_close(pc);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.out", dir, file);
	out = slurp(path);
	memset(flows, 0, sizeof(flows));
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct parse_result r;
		struct cflow *f = NULL;
		bool client = false;

		parse_frame(data, h->caplen, &r);
		if (r.kind != PARSE_IP || r.err != PARSE_ERR_NONE || r.l4proto != 6)
			continue;
		for (unsigned i = 0; i < n && !f; i++) {
			if (same_dir(&flows[i].first, &r))
				f = &flows[i], client = true;
			else if (reverse_dir(&flows[i].first, &r))
				f = &flows[i];
		}
		if (!f) {
			/* Flows whose SYN we see, and flows caught after it
			 * whose first data is a hello's start (tls_2_reasms
			 * begins at the SYN-ACK). */
			const uint8_t *pl = data + r.payload_off;
			bool syn = (r.tcp_flags & 0x12) == 0x02;
			bool ch = r.payload_len >= 6 && pl[0] == 0x16 && pl[1] == 3 && pl[5] == 1;

			if ((!syn && !ch) || n == MAX_FLOWS)
				continue;
			f = &flows[n++];
			f->first = r;
			f->next = syn ? r.tcp_seq + 1 : r.tcp_seq;
			f->buf = malloc(TLS_CH_MAX);
			CU_ASSERT_PTR_NOT_NULL_FATAL(f->buf);
			tls_ch_init(&f->t, f->buf, TLS_CH_MAX);
			f->nf = calloc(1, ndpi_detection_get_sizeof_ndpi_flow_struct());
			CU_ASSERT_PTR_NOT_NULL_FATAL(f->nf);
			client = true;
		}
		if (f->st != TLS_CH_NEED_MORE || f->gap)
			continue;
		ndpi_detection_process_packet(ndpi, f->nf, data + r.l3_off,
					      (unsigned short)(h->caplen - r.l3_off),
					      (uint64_t)h->ts.tv_sec * 1000 + h->ts.tv_usec / 1000);
		if (!client || r.payload_len == 0 || r.tcp_seq != f->next) {
			if (client && r.payload_len && (int32_t)(r.tcp_seq - f->next) > 0)
				f->gap = true; /* a hole: our reader cannot go on */
			continue;
		}
		f->st = tls_ch_feed(&f->t, data + r.payload_off, r.payload_len);
		f->next += r.payload_len;
		if (f->st != TLS_CH_NEED_MORE)
			snprintf(f->ndpi_name, sizeof(f->ndpi_name), "%s", f->nf->host_server_name);
	}
	pcap_close(pc);
	for (unsigned i = 0; i < n; i++) {
		struct cflow *f = &flows[i];
		char want[300];

		if (f->st == TLS_CH_DONE || f->st == TLS_CH_MALFORMED) {
			sum->hellos++;
			printf("\n    %-20s :%-5u %s %s%s%s records=%u ech=%d ndpi=\"%s\"", file,
			       f->first.dport, f->st == TLS_CH_DONE ? "done" : "MALFORMED",
			       f->st == TLS_CH_DONE ? "" : tls_ch_reason_name(tls_ch_reason(&f->t)),
			       f->t.info.has_sni ? "sni=" : "no-sni", f->t.info.sni,
			       f->t.info.records, f->t.info.has_ech, f->ndpi_name);
		}
		if (f->st == TLS_CH_MALFORMED)
			sum->malformed++;
		if (f->st == TLS_CH_DONE && f->t.info.has_sni) {
			sum->named++;
			snprintf(want, sizeof(want), "[Hostname/SNI: %s]", f->t.info.sni);
			if (out && !strstr(out, want))
				sum->out_missing++;
		}
		if (f->st == TLS_CH_DONE && f->t.info.records == 1 &&
		    !tls_name_agrees(f->t.info.sni, f->ndpi_name))
			sum->ndpi_disagree++;
		ndpi_free_flow_data(f->nf);
		free(f->nf);
		free(f->buf);
	}
	free(out);
}

static void test_corpus(void)
{
	static const char *const files[] = {
		"443-curl.pcap", "tls_2_reasms.pcapng", "facebook.pcap",   "instagram.pcap",
		"reddit.pcap",	 "doh.pcapng",		"dns_dot.pcap",	   "smtps.pcapng",
		"tor.pcap",	 "dropbox.pcap",	"443-chrome.pcap",
	};
	const char *dir = corpus_dir();
	struct corpus_sum sum = {0};
	struct stat st;

	if (!dir) {
		printf("\n  SKIP: no corpus at %s (set ADUANA_CORPUS)  ",
		       getenv("ADUANA_CORPUS") ? getenv("ADUANA_CORPUS") : "../shared/corpus/ndpi");
		CU_PASS("corpus absent");
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ndpi);
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (stat(path, &st) != 0)
			continue;
		corpus_file(dir, files[i], &sum);
	}
	printf("\n  corpus: %u hellos, %u named, %u malformed, %u nDPI disagreements, %u names "
	       "not in .out  ",
	       sum.hellos, sum.named, sum.malformed, sum.ndpi_disagree, sum.out_missing);
	CU_ASSERT(sum.hellos >= 10);
	CU_ASSERT(sum.named >= 8);
	CU_ASSERT_EQUAL(sum.malformed, 0);
	CU_ASSERT_EQUAL(sum.ndpi_disagree, 0);
	CU_ASSERT_EQUAL(sum.out_missing, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"valid hellos, names and fields", test_valid},
		{"ECH and GREASE", test_ech_grease},
		{"early_data offered", test_early_data},
		{"split at every byte", test_every_split},
		{"split over 2 and 3 records", test_records},
		{"16 KiB bound and smaller buffers", test_bound},
		{"not TLS, SSLv2", test_not_tls},
		{"record layer refusals", test_bad_records},
		{"hello field refusals", test_bad_fields},
		{"extension refusals", test_bad_extensions},
		{"server_name list refusals", test_bad_sni},
		{"host name refusals", test_bad_names},
		{"lenient names over a growing stream", test_names_more},
		{"reason names", test_reason_names},
		{"tls_name_agrees", test_name_agrees},
		{"nDPI 4.2 reads built hellos the same", test_ndpi_reads_same},
		{"real hellos from the nDPI corpus", test_corpus},
		CU_TEST_INFO_NULL,
	};

	return unit_run("tls", suite_init, suite_fini, tests);
}
