/* test_cls.c - the classifier end to end: engine and worker lifecycle,
 * crafted packets (list matches on SNI/Host/CONNECT/DNS names, payload
 * marks), and real captures from nDPI's corpus run flow by flow through a
 * cls_worker the way the dataplane worker does. Runs from the repository
 * root; the corpus is ../shared/corpus/ndpi (or $ADUANA_CORPUS) and its
 * tests pass with a notice when it is absent. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ndpi_api.h>

#include "arena.h"
#include "classifier.h"
#include "parse.h"
#include "policy.h"
#include "unit.h"

#define CLASSES_CONF "conf/classes.conf"
#define LISTS_DIR    "conf/lists"
#define BUDGET	     32 /* packets per flow, as aduana.conf's classify_packets */
#define MAX_FLOWS    4096

static struct cls_engine *engine;
static char engine_err[512];

static int suite_init(void)
{
	engine = cls_engine_create(CLASSES_CONF, LISTS_DIR, engine_err, sizeof(engine_err));
	if (!engine)
		fprintf(stderr, "engine: %s\n", engine_err);
	return engine ? 0 : 1;
}

static int suite_fini(void)
{
	cls_engine_destroy(engine);
	return 0;
}

/* ---- engine and pool ---------------------------------------------------- */

static void test_engine_errors(void)
{
	const char *bad = unit_write_tmp("bad-classes.conf",
					 "classes = {\n  p2p = { protocols = [ \"BitTorrentz\" ]; "
					 "};\n};\n");
	char err[512], want[600];
	struct cls_engine *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	e = cls_engine_create(bad, LISTS_DIR, err, sizeof(err));
	CU_ASSERT_PTR_NULL(e);
	snprintf(want, sizeof(want), "%s:2: unknown nDPI protocol \"BitTorrentz\"", bad);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(bad);

	e = cls_engine_create(CLASSES_CONF, "/nonexistent/lists", err, sizeof(err));
	CU_ASSERT_PTR_NULL(e);
	CU_ASSERT(strncmp(err, "/nonexistent/lists:0:", 21) == 0);

	/* No list directory at all is allowed. */
	e = cls_engine_create(CLASSES_CONF, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(e);
	cls_engine_destroy(e);
	cls_engine_destroy(NULL);
	cls_worker_destroy(NULL);
}

static void test_app_name(void)
{
	char buf[64];

	cls_app_name(engine, 0, 0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "Unknown");
	cls_app_name(engine, 91, 119, buf, sizeof(buf)); /* nDPI 4.2 ids */
	CU_ASSERT_STRING_EQUAL(buf, "TLS.Facebook");
	cls_app_name(engine, 88, 0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "RDP");
	cls_app_name(engine, 0, 88, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "RDP");
	cls_app_name(engine, 91, 91, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "TLS");
	cls_app_name(engine, 60000, 0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "Unknown");
	cls_app_name(engine, 91, 119, buf, 6);
	CU_ASSERT_STRING_EQUAL(buf, "TLS.F");
}

static void test_pool(void)
{
	struct cls_worker *w = cls_worker_create(engine, 3, 0);
	uint32_t a, b, c, d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NULL(cls_worker_create(engine, 0, 0));
	CU_ASSERT(cls_worker_slot_size(w) % 64 == 0);
	CU_ASSERT(cls_worker_slot_size(w) >= 688);
	a = cls_flow_begin(w);
	b = cls_flow_begin(w);
	c = cls_flow_begin(w);
	CU_ASSERT(a != b && b != c && a != c);
	CU_ASSERT(a < 3 && b < 3 && c < 3);
	CU_ASSERT_EQUAL(cls_flow_begin(w), CLS_NO_SLOT);
	CU_ASSERT_EQUAL(cls_worker_active(w), 3);
	cls_flow_end(w, b);
	cls_flow_end(w, b);  /* twice: ignored */
	cls_flow_end(w, 77); /* out of range: ignored */
	CU_ASSERT_EQUAL(cls_worker_active(w), 2);
	d = cls_flow_begin(w);
	CU_ASSERT_EQUAL(d, b);
	CU_ASSERT_EQUAL(cls_flow_begin(w), CLS_NO_SLOT);
	cls_flow_end(w, a);
	cls_flow_end(w, c);
	cls_flow_end(w, d);
	CU_ASSERT_EQUAL(cls_worker_active(w), 0);
	cls_worker_destroy(w);
}

/* ---- crafted packets ---------------------------------------------------- */

struct pkt {
	uint8_t frame[1600];
	uint32_t len;
	struct parse_result r;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Ethernet + IPv4 + TCP (flags, seq, ack) or UDP, then payload. */
static void build(struct pkt *k, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, uint8_t tcp_flags, uint32_t seq, uint32_t ack,
		  const void *payload, size_t plen)
{
	uint8_t *ip = k->frame + 14, *l4 = ip + 20;
	size_t l4len = proto == 6 ? 20 : 8;

	memset(k, 0, sizeof(*k));
	put16(k->frame + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len + plen));
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (proto == 6) {
		put32(l4 + 4, seq);
		put32(l4 + 8, ack);
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)(8 + plen));
	}
	if (plen)
		memcpy(l4 + l4len, payload, plen);
	k->len = (uint32_t)(14 + 20 + l4len + plen);
	parse_frame(k->frame, k->len, &k->r);
	CU_ASSERT_EQUAL_FATAL(k->r.kind, PARSE_IP);
}

static void feed(struct cls_worker *w, uint32_t slot, struct pkt *k, bool from_init, uint64_t ts,
		 struct cls_result *out)
{
	cls_flow_packet(w, slot, k->frame + k->r.l3_off, (uint16_t)(k->len - k->r.l3_off), &k->r,
			from_init, ts, out);
}

#define CLI 0x0a0a0001u /* 10.10.0.1 */
#define SRV 0xc6336407u /* 198.51.100.7 */

/* A TCP session: handshake, then the client's payload(s), then a server
 * ACK; returns the result after the last packet. */
static void tcp_session(struct cls_worker *w, uint16_t dport, const char *const *payloads,
			const size_t *lens, unsigned n, struct cls_result *out)
{
	uint32_t slot = cls_flow_begin(w), cseq = 1000, sseq = 5000;
	uint64_t ts = 1700000000000000000ull;
	struct pkt k;

	CU_ASSERT_NOT_EQUAL_FATAL(slot, CLS_NO_SLOT);
	build(&k, 6, CLI, SRV, 40000, dport, 0x02, cseq++, 0, NULL, 0);
	feed(w, slot, &k, true, ts, out);
	build(&k, 6, SRV, CLI, dport, 40000, 0x12, sseq++, cseq, NULL, 0);
	feed(w, slot, &k, false, ts += 1000000, out);
	build(&k, 6, CLI, SRV, 40000, dport, 0x10, cseq, sseq, NULL, 0);
	feed(w, slot, &k, true, ts += 1000000, out);
	for (unsigned i = 0; i < n; i++) {
		build(&k, 6, CLI, SRV, 40000, dport, 0x18, cseq, sseq, payloads[i], lens[i]);
		feed(w, slot, &k, true, ts += 1000000, out);
		cseq += (uint32_t)lens[i];
	}
	build(&k, 6, SRV, CLI, dport, 40000, 0x10, sseq, cseq, NULL, 0);
	feed(w, slot, &k, false, ts += 1000000, out);
	/* The caller ends the slot after looking at out. */
	CU_ASSERT_EQUAL(cls_worker_active(w), 1);
}

static void end_all(struct cls_worker *w)
{
	for (uint32_t s = 0; s < 64; s++)
		cls_flow_end(w, s);
	CU_ASSERT_EQUAL(cls_worker_active(w), 0);
}

/* Minimal TLS 1.2 ClientHello with an SNI extension. */
static size_t client_hello(uint8_t *b, const char *sni)
{
	size_t nl = strlen(sni), o = 0, hs_len, ext_len = 9 + nl;
	static const uint8_t suites[] = {0x00, 0x04, 0xc0, 0x2f, 0x00, 0x9c};

	b[o++] = 0x16; /* record: handshake, TLS 1.0 */
	b[o++] = 0x03;
	b[o++] = 0x01;
	o += 2;	       /* record length, below */
	b[o++] = 0x01; /* ClientHello */
	o += 3;	       /* handshake length, below */
	b[o++] = 0x03;
	b[o++] = 0x03;
	for (int i = 0; i < 32; i++)
		b[o++] = (uint8_t)(i * 7);
	b[o++] = 0; /* session id */
	memcpy(b + o, suites, sizeof(suites));
	o += sizeof(suites);
	b[o++] = 1; /* compression: null */
	b[o++] = 0;
	put16(b + o, (uint16_t)ext_len);
	o += 2;
	put16(b + o, 0x0000); /* server_name */
	put16(b + o + 2, (uint16_t)(5 + nl));
	put16(b + o + 4, (uint16_t)(3 + nl));
	b[o + 6] = 0; /* host_name */
	put16(b + o + 7, (uint16_t)nl);
	memcpy(b + o + 9, sni, nl);
	o += ext_len;
	hs_len = o - 9;
	b[6] = (uint8_t)(hs_len >> 16);
	put16(b + 7, (uint16_t)hs_len);
	put16(b + 3, (uint16_t)(o - 5));
	return o;
}

static void test_tls_sni_list(void)
{
	struct cls_worker *w = cls_worker_create(engine, 8, 0);
	uint8_t hello[512];
	const char *p[1] = {(const char *)hello};
	size_t len[1];
	struct cls_result r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* nDPI 4.2 knows mega.nz only as TLS: the list gives file_sharing. */
	len[0] = client_hello(hello, "eu.static.mega.nz");
	tcp_session(w, 443, p, len, 1, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.app_master);
	CU_ASSERT_STRING_EQUAL(r.app_master, "TLS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.sni);
	CU_ASSERT_STRING_EQUAL(r.sni, "eu.static.mega.nz");
	CU_ASSERT_PTR_NULL(r.host);
	CU_ASSERT_TRUE(r.known);
	CU_ASSERT_FALSE(r.guessed);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_file_sharing);
	end_all(w);

	/* An ordinary name: TLS, no class. */
	len[0] = client_hello(hello, "www.example.org");
	tcp_session(w, 443, p, len, 1, &r);
	CU_ASSERT_STRING_EQUAL(r.sni, "www.example.org");
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_NONE);
	end_all(w);

	/* TLS.Facebook: nDPI's app part maps to social. */
	len[0] = client_hello(hello, "www.facebook.com");
	tcp_session(w, 443, p, len, 1, &r);
	CU_ASSERT_PTR_NOT_NULL(r.app);
	if (r.app)
		CU_ASSERT_STRING_EQUAL(r.app, "Facebook");
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_social);
	end_all(w);

	/* A punycode SNI is matched as the ASCII it is. */
	len[0] = client_hello(hello, "xn--80ak6aa92e.com.vpn-api.proton.me");
	tcp_session(w, 8443, p, len, 1, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_vpn);
	end_all(w);
	cls_worker_destroy(w);
}

static void test_http_names(void)
{
	static const char get[] = "GET /files HTTP/1.1\r\nHost: www.mediafire.com:8080\r\n"
				  "User-Agent: curl/8\r\nAccept: */*\r\n\r\n";
	static const char conn[] = "CONNECT relay.torproject.org:443 HTTP/1.1\r\n"
				   "Host: relay.torproject.org:443\r\n\r\n";
	static const char plain[] = "GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n";
	struct cls_worker *w = cls_worker_create(engine, 8, 0);
	const char *p[1];
	size_t len[1];
	struct cls_result r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	p[0] = get;
	len[0] = sizeof(get) - 1;
	tcp_session(w, 80, p, len, 1, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.app_master);
	CU_ASSERT_STRING_EQUAL(r.app_master, "HTTP");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.host);
	CU_ASSERT_STRING_EQUAL(r.host, "www.mediafire.com"); /* port stripped */
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_file_sharing);
	end_all(w);

	p[0] = conn;
	len[0] = sizeof(conn) - 1;
	tcp_session(w, 3128, p, len, 1, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.host);
	CU_ASSERT_STRING_EQUAL(r.host, "relay.torproject.org");
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_proxy);
	end_all(w);

	p[0] = plain;
	len[0] = sizeof(plain) - 1;
	tcp_session(w, 80, p, len, 1, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_NONE);
	CU_ASSERT_FALSE(r.done); /* a document could still follow */
	end_all(w);
	cls_worker_destroy(w);
}

/* A full arena fails the flow closed: the request nDPI could not keep
 * memory for is given up unknown, not classified on half an answer, and
 * the refusal is counted; nothing reaches libc, nothing crashes. */
static void test_arena_full(void)
{
	static const char get[] = "GET /files/archive.zip HTTP/1.1\r\nHost: www.mediafire.com\r\n"
				  "User-Agent: curl/8\r\nAccept: */*\r\n\r\n";
	struct cls_worker *w = cls_worker_create(engine, 8, 0);
	struct arena_stats st0, st1;
	struct arena *prev;
	unsigned held = 0;
	const char *p[1] = {get};
	size_t len[1] = {sizeof(get) - 1};
	struct cls_result r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* The same request classifies with room in the arena. */
	tcp_session(w, 80, p, len, 1, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_file_sharing);
	end_all(w);
	/* Take every block the arena can give, of every class. */
	prev = arena_swap(cls_worker_arena(w));
	for (size_t sz = ARENA_MAX_BLOCK; sz >= 16; sz /= 2)
		while (arena_malloc_any(sz))
			held++;
	arena_swap(prev);
	CU_ASSERT(held > 0);
	cls_worker_heap_stats(w, &st0);
	tcp_session(w, 80, p, len, 1, &r);
	cls_worker_heap_stats(w, &st1);
	CU_ASSERT(st1.failures > st0.failures);
	CU_ASSERT_TRUE(r.done);
	CU_ASSERT_FALSE(r.known);
	CU_ASSERT_EQUAL(r.master_id, 0);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_NONE);
	cls_flow_giveup(w, 0, &r); /* the give-up path keeps it unknown */
	CU_ASSERT_EQUAL(r.master_id, 0);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_NONE);
	end_all(w);
	cls_worker_destroy(w); /* the held blocks go with the arena */
}

static void test_dns_name(void)
{
	struct cls_worker *w = cls_worker_create(engine, 4, 0);
	uint8_t q[128];
	size_t o = 12;
	struct pkt k;
	struct cls_result r;
	uint32_t slot;
	const char *labels[] = {"www", "wetransfer", "com"};

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	memset(q, 0, sizeof(q));
	put16(q, 0x1234);
	put16(q + 2, 0x0100); /* standard query, RD */
	put16(q + 4, 1);
	for (int i = 0; i < 3; i++) {
		q[o++] = (uint8_t)strlen(labels[i]);
		memcpy(q + o, labels[i], strlen(labels[i]));
		o += strlen(labels[i]);
	}
	q[o++] = 0;
	put16(q + o, 1); /* A */
	put16(q + o + 2, 1);
	o += 4;
	slot = cls_flow_begin(w);
	build(&k, 17, CLI, 0xc0000235u, 53000, 53, 0, 0, 0, q, o);
	feed(w, slot, &k, true, 1700000000000000000ull, &r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.app_master);
	CU_ASSERT_STRING_EQUAL(r.app_master, "DNS");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.dns_query);
	CU_ASSERT_STRING_EQUAL(r.dns_query, "www.wetransfer.com");
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_file_sharing);
	cls_flow_end(w, slot);
	cls_worker_destroy(w);
}

static void test_payload_marks(void)
{
	static const char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n";
	static const char post_hdr[] =
		"POST /up HTTP/1.1\r\nHost: files.example.org\r\n"
		"Content-Type: application/pdf\r\nContent-Length: 9000\r\n\r\n";
	static const char propfind[] = "PROPFIND /remote.php/dav/ HTTP/1.1\r\n"
				       "Host: cloud.example.org\r\nDepth: 1\r\n\r\n";
	static const char zip[] = "PK\x03\x04\x14\x00\x06\x00\x08\x00";
	struct cls_worker *w = cls_worker_create(engine, 4, 0);
	const char *p[2];
	size_t len[2];
	struct cls_result r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* A raw TCP upload starting with a PDF. */
	p[0] = pdf;
	len[0] = sizeof(pdf) - 1;
	tcp_session(w, 9999, p, len, 1, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_document_upload);
	end_all(w);

	/* HTTP POST: headers, then the body in the next segment. */
	p[0] = post_hdr;
	len[0] = sizeof(post_hdr) - 1;
	p[1] = pdf;
	len[1] = sizeof(pdf) - 1;
	tcp_session(w, 80, p, len, 2, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_document_upload);
	end_all(w);

	/* WebDAV (not a protocol in nDPI 4.2) is storage. */
	p[0] = propfind;
	len[0] = sizeof(propfind) - 1;
	tcp_session(w, 80, p, len, 1, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_storage);
	end_all(w);

	/* A document on a storage flow becomes document_upload. */
	p[1] = zip;
	len[1] = sizeof(zip) - 1;
	tcp_session(w, 80, p, len, 2, &r);
	CU_ASSERT_EQUAL(r.cls, POLICY_CLASS_document_upload);
	end_all(w);
	cls_worker_destroy(w);
}

/* ---- corpus ------------------------------------------------------------- */

struct cflow {
	struct parse_result first; /* the initiator's first packet */
	uint32_t slot;
	unsigned pkts;
	bool ended;
	char app[64];
	uint8_t cls;
	bool known, guessed;
	char sni[96], host[96], dns[96];
};

struct corpus {
	struct cflow *flows;
	unsigned n;
	bool truncated;
};

/* nDPI heap calls made while packets were fed (worker path), all runs. */
static uint64_t pkt_allocs, pkt_frees;
static size_t slot_size;

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

static void cflow_record(struct cflow *f, const struct cls_result *r)
{
	cls_app_name(engine, r->master_id, r->app_id, f->app, sizeof(f->app));
	f->cls = r->cls;
	f->known = r->known;
	f->guessed = r->guessed;
	snprintf(f->sni, sizeof(f->sni), "%s", r->sni ? r->sni : "");
	snprintf(f->host, sizeof(f->host), "%s", r->host ? r->host : "");
	snprintf(f->dns, sizeof(f->dns), "%s", r->dns_query ? r->dns_query : "");
}

static void cflow_finish(struct cls_worker *w, struct cflow *f, bool giveup,
			 const struct cls_result *r)
{
	struct cls_result g;

	if (giveup) {
		cls_flow_giveup(w, f->slot, &g);
		r = &g;
	}
	cflow_record(f, r);
	cls_flow_end(w, f->slot);
	f->ended = true;
}

/* Turn a capture's link layer into the Ethernet frame parse_frame wants. */
static bool to_ether(int dlt, const uint8_t *data, uint32_t caplen, uint8_t *out, uint32_t *len)
{
	uint32_t skip;

	if (dlt == DLT_EN10MB) {
		if (caplen > 9000)
			return false;
		memcpy(out, data, caplen);
		*len = caplen;
		return true;
	}
	if (dlt == DLT_NULL || dlt == DLT_LOOP)
		skip = 4;
	else if (dlt == DLT_RAW || dlt == 12 /* DLT_RAW on some systems */)
		skip = 0;
	else if (dlt == DLT_LINUX_SLL)
		skip = 16;
	else
		return false;
	if (caplen <= skip || caplen - skip + 14 > 9000)
		return false;
	memset(out, 0, 12);
	put16(out + 12, (data[skip] >> 4) == 6 ? 0x86dd : 0x0800);
	memcpy(out + 14, data + skip, caplen - skip);
	*len = caplen - skip + 14;
	return true;
}

/* Run one capture through a fresh worker: one slot per flow (symmetric
 * 5-tuple), fed until done or BUDGET packets, then given up; flows still
 * open at the end of the capture are given up too. */
static bool corpus_run(const char *file, struct corpus *c)
{
	char path[1024], errbuf[PCAP_ERRBUF_SIZE];
	struct cls_worker *w;
	struct pcap_pkthdr *h;
	const uint8_t *data;
	static uint8_t frame[9000];
	uint64_t a0, f0, a1, f1;
	pcap_t *pc;
	int dlt;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), file);
	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, "\n  %s: %s\n", path, errbuf);
		return false;
	}
	dlt = pcap_datalink(pc);
	w = cls_worker_create(engine, MAX_FLOWS, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	slot_size = cls_worker_slot_size(w);
	memset(c, 0, sizeof(*c));
	c->flows = calloc(MAX_FLOWS, sizeof(*c->flows));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->flows);
	cls_ndpi_heap_stats(&a0, &f0);

	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct parse_result r;
		struct cls_result out;
		struct cflow *f = NULL;
		uint32_t len;
		bool from_init = true;
		uint64_t ts =
			(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000ull;

		if (!to_ether(dlt, data, h->caplen, frame, &len))
			continue;
		parse_frame(frame, len, &r);
		if (r.kind != PARSE_IP || r.err != PARSE_ERR_NONE)
			continue;
		for (unsigned i = 0; i < c->n && !f; i++) {
			if (same_dir(&c->flows[i].first, &r))
				f = &c->flows[i];
			else if (reverse_dir(&c->flows[i].first, &r))
				f = &c->flows[i], from_init = false;
		}
		if (!f) {
			if (c->n == MAX_FLOWS) {
				c->truncated = true;
				continue;
			}
			f = &c->flows[c->n++];
			f->first = r;
			f->slot = cls_flow_begin(w);
			CU_ASSERT_NOT_EQUAL_FATAL(f->slot, CLS_NO_SLOT);
		}
		if (f->ended)
			continue;
		cls_flow_packet(w, f->slot, frame + r.l3_off, (uint16_t)(len - r.l3_off), &r,
				from_init, ts, &out);
		f->pkts++;
		if (out.done)
			cflow_finish(w, f, false, &out);
		else if (f->pkts >= BUDGET)
			cflow_finish(w, f, true, NULL);
	}
	for (unsigned i = 0; i < c->n; i++)
		if (!c->flows[i].ended)
			cflow_finish(w, &c->flows[i], true, NULL);
	cls_ndpi_heap_stats(&a1, &f1);
	pkt_allocs += a1 - a0;
	pkt_frees += f1 - f0;
	CU_ASSERT_EQUAL(cls_worker_active(w), 0);
	cls_worker_destroy(w);
	pcap_close(pc);
	return true;
}

static void cflow_print(const char *file, const struct cflow *f)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool v4 = f->first.family == 4;

	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? f->first.src + 12 : f->first.src, src, sizeof(src));
	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? f->first.dst + 12 : f->first.dst, dst, sizeof(dst));
	printf("  %-22s %-3s %s:%u -> %s:%u  %s  class=%s%s%s%s%s%s%s%s\n", file,
	       f->first.l4proto == 6	? "TCP"
	       : f->first.l4proto == 17 ? "UDP"
					: "IP",
	       src, f->first.sport, dst, f->first.dport, f->app,
	       f->cls ? policy_class_name(f->cls) : "-", f->known ? " known" : "",
	       f->guessed ? " guessed" : "", f->sni[0] ? " sni=" : "", f->sni,
	       f->host[0] ? " host=" : "", f->host, f->dns[0] ? " dns=" : "");
	if (f->dns[0])
		printf("%*s%s\n", 26, "", f->dns);
}

static bool corpus_present(void)
{
	const char *env = getenv("ADUANA_CORPUS");

	if (corpus_dir())
		return true;
	printf("\n  SKIP: no corpus at %s (set ADUANA_CORPUS)  ",
	       env ? env : "../shared/corpus/ndpi");
	CU_PASS("corpus absent");
	return false;
}

static void test_corpus_rdp(void)
{
	struct corpus c;
	unsigned rdp = 0;

	if (!corpus_present() || !corpus_run("rdp.pcap", &c))
		return;
	for (unsigned i = 0; i < c.n; i++) {
		const struct cflow *f = &c.flows[i];

		if (f->first.dport != 3389)
			continue;
		rdp++;
		CU_ASSERT_STRING_EQUAL(f->app, "RDP");
		CU_ASSERT_EQUAL(f->cls, POLICY_CLASS_remote_access);
		CU_ASSERT_TRUE(f->known);
	}
	CU_ASSERT_EQUAL(rdp, 1);
	free(c.flows);
}

static void test_corpus_bittorrent(void)
{
	struct corpus c;
	unsigned bt = 0;

	if (!corpus_present() || !corpus_run("bittorrent.pcap", &c))
		return;
	for (unsigned i = 0; i < c.n; i++) {
		const struct cflow *f = &c.flows[i];

		CU_ASSERT_EQUAL(f->cls, POLICY_CLASS_p2p);
		if (strcmp(f->app, "BitTorrent") == 0 && f->known)
			bt++;
	}
	/* nDPI's own .out lists 24 BitTorrent flows, all found by DPI. */
	CU_ASSERT(c.n >= 20);
	CU_ASSERT_EQUAL(bt, c.n);
	free(c.flows);
}

static void test_corpus_tls_curl(void)
{
	struct corpus c;
	unsigned tls = 0;

	if (!corpus_present() || !corpus_run("443-curl.pcap", &c))
		return;
	for (unsigned i = 0; i < c.n; i++) {
		const struct cflow *f = &c.flows[i];

		if (f->first.dport != 443)
			continue;
		tls++;
		/* .out: [proto: 91.26/TLS.ntop][Hostname/SNI: www.ntop.org] */
		CU_ASSERT(strncmp(f->app, "TLS", 3) == 0);
		CU_ASSERT_STRING_EQUAL(f->sni, "www.ntop.org");
		CU_ASSERT_EQUAL(f->cls, POLICY_CLASS_NONE);
		CU_ASSERT_TRUE(f->known);
	}
	CU_ASSERT_EQUAL(tls, 1);
	free(c.flows);
}

/* Every capture of the corpus with the class its README expects; printed as
 * a table (the classification report), asserting only that nothing leaks
 * and that most flows of each capture get the expected class. */
static void test_corpus_table(void)
{
	static const struct {
		const char *file;
		unsigned cls;
	} cases[] = {
		{"teamviewer.pcap", POLICY_CLASS_remote_access},
		{"anydesk.pcapng", POLICY_CLASS_remote_access},
		{"rdp.pcap", POLICY_CLASS_remote_access},
		{"vnc.pcap", POLICY_CLASS_remote_access},
		{"telnet.pcap", POLICY_CLASS_remote_access},
		{"ssh.pcap", POLICY_CLASS_remote_access},
		{"bittorrent.pcap", POLICY_CLASS_p2p},
		{"edonkey.pcap", POLICY_CLASS_p2p},
		{"facebook.pcap", POLICY_CLASS_social},
		{"instagram.pcap", POLICY_CLASS_social},
		{"reddit.pcap", POLICY_CLASS_social},
		{"dropbox.pcap", POLICY_CLASS_file_sharing},
		{"webdav.pcap", POLICY_CLASS_storage},
		{"ftp.pcap", POLICY_CLASS_storage},
		{"smbv1.pcap", POLICY_CLASS_storage},
		{"nfsv3.pcap", POLICY_CLASS_storage},
		{"tor.pcap", POLICY_CLASS_proxy},
		{"socks.pcap", POLICY_CLASS_proxy},
		{"http_connect.pcap", POLICY_CLASS_proxy},
		{"openvpn.pcap", POLICY_CLASS_vpn},
		{"wireguard.pcap", POLICY_CLASS_vpn},
		{"ipsec_isakmp_esp.pcap", POLICY_CLASS_vpn},
		{"smtp.pcap", POLICY_CLASS_mail},
		{"imap.pcap", POLICY_CLASS_mail},
		{"pop3.pcap", POLICY_CLASS_mail},
		{"smtps.pcapng", POLICY_CLASS_mail},
		{"doh.pcapng", POLICY_CLASS_encrypted_dns},
		{"dns_dot.pcap", POLICY_CLASS_encrypted_dns},
		{"443-curl.pcap", POLICY_CLASS_NONE},
		{"443-chrome.pcap", POLICY_CLASS_NONE},
		{"http.pcapng", POLICY_CLASS_NONE},
		{"dns.pcap", POLICY_CLASS_NONE},
		{"quic.pcap", POLICY_CLASS_NONE},
		{"tls_2_reasms.pcapng", POLICY_CLASS_NONE},
	};
	uint64_t a0, f0, a1, f1;
	unsigned with_expected = 0, tried = 0;

	if (!corpus_present())
		return;
	cls_ndpi_heap_stats(&a0, &f0);
	printf("\n");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct corpus c;
		unsigned hit = 0;

		if (!corpus_run(cases[i].file, &c))
			continue;
		tried++;
		for (unsigned j = 0; j < c.n; j++) {
			if (c.flows[j].cls == cases[i].cls)
				hit++;
			if (j < 8)
				cflow_print(cases[i].file, &c.flows[j]);
		}
		if (c.n > 8)
			printf("  %-22s ... %u more flows\n", cases[i].file, c.n - 8);
		printf("  %-22s => %u/%u flows %s\n", cases[i].file, hit, c.n,
		       cases[i].cls ? policy_class_name(cases[i].cls) : "unclassified");
		if (hit > 0)
			with_expected++;
		free(c.flows);
	}
	cls_ndpi_heap_stats(&a1, &f1);
	printf("  per-flow state slot: %zu bytes (nDPI flow struct %u + ours, cache-line "
	       "rounded)\n",
	       slot_size, ndpi_detection_get_sizeof_ndpi_flow_struct());
	printf("  nDPI heap calls while feeding packets: %llu allocs, %llu frees\n",
	       (unsigned long long)pkt_allocs, (unsigned long long)pkt_frees);
	printf("  nDPI heap calls incl. module create/destroy: %llu allocs, %llu frees  ",
	       (unsigned long long)(a1 - a0), (unsigned long long)(f1 - f0));
	/* Every worker was destroyed: whatever nDPI allocated came back. */
	CU_ASSERT_EQUAL(a1 - a0, f1 - f0);
	/* nDPI's own wrappers (which add to a process-wide atomic on every
	 * allocation) never ran: aduana's ndpi_malloc & co. took their calls. */
	printf("nDPI's own allocation counter: %u  ", ndpi_get_tot_allocated_memory());
	CU_ASSERT_EQUAL(ndpi_get_tot_allocated_memory(), 0);
	CU_ASSERT(with_expected * 10 >= tried * 8);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"engine errors name FILE:LINE", test_engine_errors},
		{"app names", test_app_name},
		{"state pool: begin, end, exhaustion", test_pool},
		{"TLS SNI: list match, nDPI app, punycode", test_tls_sni_list},
		{"HTTP Host and CONNECT target", test_http_names},
		{"DNS query name", test_dns_name},
		{"nDPI arena full: the flow fails closed", test_arena_full},
		{"payload marks: documents, WebDAV", test_payload_marks},
		{"corpus: rdp.pcap -> remote_access", test_corpus_rdp},
		{"corpus: bittorrent.pcap -> p2p", test_corpus_bittorrent},
		{"corpus: 443-curl.pcap -> TLS, SNI", test_corpus_tls_curl},
		{"corpus: every capture (table)", test_corpus_table},
		CU_TEST_INFO_NULL,
	};

	return unit_run("cls", suite_init, suite_fini, tests);
}
