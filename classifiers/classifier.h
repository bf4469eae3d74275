/* classifier.h - flow classification with nDPI (application, category) and
 * Hyperscan (domain lists on SNI / Host / CONNECT / DNS names, payload marks).
 *
 * Two levels: one engine (class map + compiled Hyperscan database), built on
 * the main lcore from conf/classes.conf and conf/lists/, shared read-only; and
 * one cls_worker per worker lcore (its own nDPI detection module, a cloned
 * Hyperscan scratch and a fixed pool of per-flow states). A flow holds a
 * state slot only while it is undecided; the worker ends it at the verdict.
 */
#ifndef ADUANA_CLASSIFIER_H
#define ADUANA_CLASSIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define CLS_NO_SLOT UINT32_MAX
/* Bytes of each direction's TCP stream start that the classifier joins in
 * order for its payload signatures (ndpi.c, cls_take_joined). The judge
 * forwards no initiator segment past a gap within them before the verdict
 * (judge.c), so the joined bytes are the ones the receiver reads. */
#define CLS_JOIN_MAX 64

struct cls_engine;
struct cls_worker;

/* What classification knows of a flow so far. Strings are valid until the
 * next call on the same slot or cls_flow_end(). */
struct cls_result {
	const char *app_master; /* nDPI master protocol name, NULL if unknown */
	const char *app;	/* nDPI app protocol name, NULL if none */
	uint16_t master_id;	/* nDPI protocol ids, 0 = unknown */
	uint16_t app_id;
	bool known;   /* nDPI finished with a real (not guessed) protocol */
	bool guessed; /* from a port/IP guess: may block, never allow */
	bool done;    /* nothing more will be learned from further packets */
	uint8_t cls;  /* enum policy_class, from the class map or a list match */
	const char *sni;
	const char *host; /* HTTP Host or CONNECT target */
	const char *dns_query;
	/* Our payload signature's family (lists/<class>.sig: "Gnutella",
	 * "DNSCrypt", ...) when one matched, else NULL. The flow log's app
	 * comes from nDPI's ids; this names what gave the class. */
	const char *family;
	/* The request carried a CONNECT target, absolute-form authority or
	 * Host value with a NUL or characters no host name has: a server may
	 * read it otherwise than we do (DESIGN 4.2). The worker should judge
	 * the flow as exception:malformed. */
	bool malformed;
};

/* Build the engine: load the class map and compile every list under
 * lists_dir. NULL on error with "FILE:LINE: message" in err. Main lcore. */
struct cls_engine *cls_engine_create(const char *classes_path, const char *lists_dir, char *err,
				     size_t errlen);

/* Free the engine. Accepts NULL. Main lcore, after every worker is gone. */
void cls_engine_destroy(struct cls_engine *e);

/* Write the flow log's "app" string for a pair of protocol ids ("TLS.Facebook",
 * "DNS", "Unknown"). Any thread; read-only. */
void cls_app_name(const struct cls_engine *e, uint16_t master_id, uint16_t app_id, char *buf,
		  size_t size);

/* Our reading of an HTTP request head that the client sent over several
 * segments, joined by the caller (judge.c, the first-bytes slot: a head
 * in one-byte segments outlasts the packet budget, and no one segment
 * holds its Host): read as a payload that held it whole would be (the
 * Host or CONNECT target of each pipelined head, proxy behaviour, names no
 * host has). seq_end: the sequence number of the byte after p's last; a
 * body the last head declares that goes on past it is not read as requests
 * by the later payloads that fall in it. Owning worker; no allocation. */
void cls_flow_own_http(struct cls_worker *w, uint32_t slot, const uint8_t *p, size_t n,
		       uint32_t seq_end);

/* Our reading of an HTTP/2 request's authority (h2.h: the :authority or
 * host of the first header block of an h2c stream, RFC 9113 8.3.1): the
 * flow's HTTP host, as a Host header is (len 0: none was read);
 * malformed: the block could be read otherwise (two authorities, HPACK
 * errors). The worker that owns the slot. */
void cls_flow_own_host(struct cls_worker *w, uint32_t slot, const char *name, size_t len,
		       bool malformed);

/* The client's whole first message as our own reader joined it (a
 * ClientHello over several segments): the payload signatures run over it
 * as over one payload of the initiator to responder port dport (red team
 * round 21, anydesk_seg: AnyDesk's ALPN lay past the 64 bytes the
 * classifier joins itself). */
void cls_flow_own_first(struct cls_worker *w, uint32_t slot, const uint8_t *p, size_t n,
			uint16_t dport);

/* Our own reading saw the client ask for a tunnel (an HTTP/2 CONNECT,
 * h2.h): proxy behaviour, as an HTTP/1 CONNECT is. */
void cls_flow_own_connect(struct cls_worker *w, uint32_t slot);

/* One request of the flow's client that the judge's own framing read
 * (judge.c, judge_http_more: in order, heads cut by segments joined,
 * bodies followed), with hs_http_requests()'s arguments: its names and
 * marks are taken as cls_flow_own_http takes a payload's, and from then on
 * the classifier's own per-payload reading of requests stops for the flow.
 * Owning worker. */
void cls_flow_http_visit(struct cls_worker *w, uint32_t slot, const uint8_t *p, size_t n,
			 unsigned http);

/* The class proxy behaviour gets (classes.conf: HTTP_Connect for a CONNECT,
 * HTTP_Proxy for an absolute-form target). Any thread; read-only. */
unsigned cls_proxy_class(struct cls_worker *w, bool connect);

/* aduana's own ClientHello reader (tls.h) read a well-formed hello of this
 * flow: its server name (len 0: none) is the flow's SNI from now on, the
 * flow is TLS, and a name nDPI reads otherwise marks the result malformed
 * (DESIGN 4.2). The worker that owns the slot. */
void cls_flow_own_sni(struct cls_worker *w, uint32_t slot, const char *name, size_t len);

/* aduana's own reading of a DNS query over TCP (judge.c, judge_dns_head:
 * the client's first message joined across segments and held to the rule
 * a query over UDP is held to, dns_wire_check): the flow is DNS, whatever
 * nDPI guessed from the port so far (nDPI 4.2 reads a message over TCP
 * only from a segment that holds its header and question), and name (len
 * 0: none, a dynamic update's) is its query. Owning worker. */
void cls_flow_own_dns(struct cls_worker *w, uint32_t slot, const char *name, size_t len);

/* The class a TLS server name (len bytes) gets, as the flow's SNI would:
 * the lists, else nDPI's host table (one trailing dot ignored) mapped
 * through classes.conf as TLS.<app>. For the names of a ClientHello our
 * reader refused (tls_ch_names). Owning worker; no allocation. */
unsigned cls_name_class(struct cls_worker *w, const char *name, size_t len);

/* The class the payload signatures (lists/<class>.sig, but the lines
 * marked "first") give one payload p (n bytes) of a flow, read on its own
 * as the classifier reads a payload, or POLICY_CLASS_NONE. For an allowed
 * UDP flow's later datagrams (judge.c, judge_udp_late): each datagram
 * stands alone at its receiver. Owning worker; no allocation. */
unsigned cls_payload_class(struct cls_worker *w, const uint8_t *p, size_t n, uint8_t l4proto,
			   bool from_initiator, uint16_t resp_port);

/* The nDPI name of one protocol id, or NULL for 0 (unknown). Any thread;
 * read-only. */
const char *cls_proto_str(const struct cls_engine *e, uint16_t id);

/* Per-worker state with room for max_active flows under classification at
 * once. Main lcore, before the worker starts. NULL on failure. */
struct cls_worker *cls_worker_create(const struct cls_engine *e, uint32_t max_active, int socket);

/* Fault in, now, the memory the first `slots` flows under classification
 * would fault in one page at a time on the worker: their slots and as much
 * of nDPI's heap. Contents unchanged. Main lcore, before the worker starts
 * (the pages are then placed by this thread, not by first touch). */
void cls_worker_prefault(struct cls_worker *w, uint32_t slots);

/* Free it. Accepts NULL. Main lcore, after the worker stopped. */
void cls_worker_destroy(struct cls_worker *w);

/* Take a state slot for a new flow; CLS_NO_SLOT when the pool is exhausted
 * (the caller applies exception:classifier_alloc). Owning worker. */
uint32_t cls_flow_begin(struct cls_worker *w);

/* Give the slot back. Owning worker. */
void cls_flow_end(struct cls_worker *w, uint32_t slot);

/* Feed one packet of the flow: l3 points at its IP header, l3_len bytes;
 * r is its parse result; from_initiator tells the direction. Fills out with
 * all that is known so far. Owning worker; no allocation on this path. */
void cls_flow_packet(struct cls_worker *w, uint32_t slot, const uint8_t *l3, uint16_t l3_len,
		     const struct parse_result *r, bool from_initiator, uint64_t now_ns,
		     struct cls_result *out);

/* What nDPI guesses from the responder's port and (IPv4) the addresses
 * alone, before any payload: a guess, so it may block but never allow.
 * Addresses are 16-byte (IPv4-mapped); port in host order. Owning worker;
 * needs no slot. */
void cls_guess(struct cls_worker *w, uint8_t l4proto, const uint8_t src[16], const uint8_t dst[16],
	       uint16_t dport, struct cls_result *out);

/* The packet budget is spent: ask nDPI for its guess and fill out (guessed
 * results are marked so). Owning worker. */
void cls_flow_giveup(struct cls_worker *w, uint32_t slot, struct cls_result *out);

/* Additions (classifiers/ndpi.c). */

/* Flows holding a state slot now. Owning worker (or any thread for stats,
 * as an approximate value). */
uint32_t cls_worker_active(const struct cls_worker *w);

/* Bytes of one per-flow state slot (nDPI's flow struct plus ours, cache-line
 * rounded). Any thread. */
size_t cls_worker_slot_size(const struct cls_worker *w);

/* nDPI heap calls since start (ndpi_malloc/ndpi_free and libgcrypt's, all
 * threads, arenas and libc). nDPI 4.2 allocates on a few per-packet paths
 * (TLS/QUIC reassembly buffers, HTTP URL/UA, certificate names), freed at
 * cls_flow_end(); on a worker that memory comes from the worker's arena
 * (dataplane/arena.h), never from libc. Any thread. */
void cls_ndpi_heap_stats(uint64_t *allocs, uint64_t *frees);

/* The worker's nDPI arena: allocations, frees, bytes in use, high water,
 * refusals (each refusal gave a flow up unknown). Any thread (approximate
 * while the worker runs). */
struct arena_stats;
void cls_worker_heap_stats(const struct cls_worker *w, struct arena_stats *st);

/* The worker's nDPI arena itself (dataplane/arena.h): for tests that fill
 * it. */
struct arena *cls_worker_arena(const struct cls_worker *w);

#endif
