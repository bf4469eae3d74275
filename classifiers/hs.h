/* hs.h - the domain lists (conf/lists/<class>.txt) compiled into one
 * Hyperscan block-mode database and matched against flow names (TLS/QUIC
 * SNI, HTTP Host, CONNECT target, DNS query), plus the payload marks:
 * document signatures, WebDAV methods and the CONNECT request line.
 *
 * The database is built on the main lcore and shared read-only; each worker
 * owns an hs_matcher (a cloned scratch). The payload helpers are pure.
 * (Our functions never clash with Hyperscan's: none of theirs is hs_lists_*,
 * hs_matcher_*, hs_match_name or hs_docsig/webdav/connect/authority_*.)
 */
#ifndef ADUANA_HS_H
#define ADUANA_HS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name matched or copied (DNS names are at most 253 characters). */
#define HS_NAME_MAX 255
/* Payload signatures (<class>.sig): longest family name, responder ports
 * per line, payload bytes scanned. */
#define HS_FAMILY_MAX 31
#define HS_SIG_PORTS  8
#define HS_SCAN_MAX   2048
/* HTTP request heads (hs_http_*, hs_connect_target): the bytes read of a
 * head joined across segments, a ClientHello's bound (TLS_CH_MAX). Before,
 * HS_SCAN_MAX: a Host line behind 3 KB of cookies went unread (red team
 * round 21, http_3k_cut_vk). */
#define HS_HEAD_MAX   16384
#define HS_DIR_OUT    1 /* the initiator's payloads */
#define HS_DIR_IN     2 /* the responder's */

struct hs_lists;
struct hs_matcher;

/* Read every <class>.txt under dir (in name order; other files are ignored)
 * and compile all their lines into one database. A line is a domain pattern
 * ("example.com": the name and its sub-names; "*.example.com": sub-names
 * only; '*' inside a label: any run of label characters) or "re:REGEX"
 * (a raw Hyperscan regex, unanchored unless written so); '#' starts a
 * comment. Returns NULL with "FILE:LINE: message" in err on a bad line, an
 * unknown class file or a compile error. An empty or list-less dir, or a
 * NULL dir, gives an empty set.
 * Main lcore; the result is owned by the caller. */
struct hs_lists *hs_lists_load(const char *dir, char *err, size_t errlen);

/* The same directory's <class>.sig files are payload signatures for the
 * protocols nDPI 4.2 lacks, compiled into a second database. One per line:
 *   FAMILY TRANSPORT DIR [port=N,...] [size=N] [len=KIND@OFF+ADD] re:REGEX
 * TRANSPORT is tcp, udp or any; DIR is out (the initiator's payloads), in
 * or any; port= lists responder ports; size= is the exact payload size;
 * len= says a length field (u8, le16, be16, le32, be32 at byte OFF) plus ADD
 * equals the payload size; confirm makes the line confirm nDPI's protocol
 * only (see hs_match_payload). REGEX (the rest of the line) is a Hyperscan
 * regex over the payload bytes, DOTALL, anchored with ^ where meant. Only
 * whole lines are comments ('#' may be part of a regex). Errors are
 * "FILE:LINE: message" like the lists'. See conf/lists/README.md. */

/* Free the database. Accepts NULL. Main lcore, after every matcher is gone. */
void hs_lists_free(struct hs_lists *l);

/* Patterns compiled (0 for an empty set). Any thread. */
unsigned hs_lists_count(const struct hs_lists *l);

/* Per-worker matcher: a clone of the database's scratch. l must outlive it.
 * Main lcore, before the worker starts. NULL on failure. */
struct hs_matcher *hs_matcher_create(const struct hs_lists *l);

/* Free a matcher. Accepts NULL. Main lcore, after the worker stopped. */
void hs_matcher_free(struct hs_matcher *m);

/* The host part of a name as a server takes it: up to its first ':' (a
 * port, or anything: nginx's ngx_http_validate_host ends the host there,
 * for a Host header and for the TLS server name alike), unless it starts
 * with '[' (an IPv6 literal) or with ':'. Pure. */
size_t hs_name_host_len(const char *name, size_t len);

/* Class (enum policy_class) of a name, any case, optional trailing dot;
 * POLICY_CLASS_NONE when no list matches. The name's host part is matched
 * (hs_name_host_len: "m.vk.com:443" is social, red team of the seventeenth
 * session). When several patterns match, the
 * longest domain pattern wins (so "drive.proton.me" beats "proton.me"), and
 * a domain pattern beats a regex. Owning worker; no allocation. */
unsigned hs_match_name(struct hs_matcher *m, const char *name, size_t len);

/* Payload signatures compiled (0 for none). Any thread. */
unsigned hs_sigs_count(const struct hs_lists *l);

/* Class (enum policy_class) of the first signature line whose regex matches
 * the payload p (n bytes, the first HS_SCAN_MAX scanned) and whose checks
 * (transport, direction, responder port, size, length field) pass; its
 * family name (owned by the database) in *family. POLICY_CLASS_NONE and
 * NULL when none. A line with the option "confirm" never gives the class:
 * it only confirms an nDPI protocol that classes.conf lists under
 * "confirm". *classes (when not NULL) gets a bit (1 << class) for the
 * class of every line that matched, confirm lines included. Owning worker;
 * no allocation. */
unsigned hs_match_payload(struct hs_matcher *m, const uint8_t *p, size_t n, uint8_t l4proto,
			  bool from_initiator, uint16_t resp_port, const char **family,
			  unsigned *classes);

/* hs_match_payload's class for a payload later in a flow's life (an allowed
 * UDP flow's later datagrams, judge.c judge_udp_late): lines marked
 * "first" (too few fixed bits to be read for a flow's whole life) do not
 * count. Owning worker; no allocation. */
unsigned hs_match_late(struct hs_matcher *m, const uint8_t *p, size_t n, uint8_t l4proto,
		       bool from_initiator, uint16_t resp_port);

/* True when name (len bytes) has the shape of the random host name a Tor
 * client puts in its TLS SNI: "www." then 4 to 25 characters of Tor's
 * base32 alphabet [a-z2-7], then ".com" or ".net" (Tor's
 * crypto_random_hostname(), used by tortls for the fake SNI and the link
 * certificates). Pure. */
bool hs_tor_name(const char *name, size_t len);

/* True when p starts with a document signature: PDF "%PDF-", OLE2
 * (D0 CF 11 E0 A1 B1 1A E1: .doc/.xls/.ppt/.msg) or ZIP "PK\3\4" (OOXML
 * .docx/.xlsx/.pptx, ODF, any zip); or when one starts right after an
 * empty line ("\r\n\r\n": an HTTP body or a multipart part). Pure. */
bool hs_docsig_match(const uint8_t *p, size_t n);

/* True when p starts an HTTP request with a WebDAV-only method (PROPFIND,
 * PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK). Pure. */
bool hs_webdav_match(const uint8_t *p, size_t n);

/* Bytes of white space (CR, LF, SP, HTAB) before an HTTP request line:
 * servers skip empty lines there (RFC 9112 2.2), Squid any white space.
 * The HTTP helpers below skip them too. Pure. */
size_t hs_http_lead(const uint8_t *p, size_t n);

/* When p starts with "CONNECT host:port HTTP/...", copy host (no port, no
 * IPv6 brackets) into out and return its length; else return 0. Pure. */
size_t hs_connect_target(const uint8_t *p, size_t n, char *out, size_t size);

/* What hs_http_request_check() found. */
#define HS_HTTP_REQUEST	  1u /* p starts an HTTP request line */
#define HS_HTTP_PROXY	  2u /* CONNECT (CONNECT-UDP...), an absolute-form target
			      * (http://...), or an Upgrade to a protocol other than
			      * websocket, h2c, HTTP or TLS (connect-udp...) */
#define HS_HTTP_MALFORMED 4u /* a NUL in the request line, or a CONNECT target,
			      * absolute-form authority or Host value with
			      * characters no host name or address has */

/* Judge the start of an HTTP request (p, n bytes; the first HS_HEAD_MAX):
 * HS_HTTP_* bits, 0 when p is not a request line. Proxy use is behaviour:
 * a CONNECT, an absolute-form target or a tunnel's Upgrade, never the
 * port. Pure. */
unsigned hs_http_request_check(const uint8_t *p, size_t n);

/* When p starts an HTTP request (hs_http_request_check) whose head, as far
 * as p holds it, has a complete Host header line of host name characters,
 * copy its host (no port, no IPv6 brackets) into out, NUL-terminated, and
 * return its length; else return 0. The name of a request nDPI does not
 * read (one after leading white space). Pure. */
size_t hs_http_host(const uint8_t *p, size_t n, char *out, size_t size);

/* Where the request head that starts p (after any leading white space)
 * ends: the offset from p just past its empty line (CRLF or bare LF), or 0
 * when p holds no whole head. The next pipelined request starts there (one with
 * a body too: what follows is read as a request only if it is one).
 * Pure. */
size_t hs_http_head_end(const uint8_t *p, size_t n);

/* A chunked request body read as it streams past (hs_chunk_feed): st 0
 * when none is being read. 5 bytes, for per-flow state. */
enum {
	HS_CH_NONE = 0,
	HS_CH_SIZE0, /* a chunk-size line's start: a hex digit must come */
	HS_CH_SIZE,  /* its digits */
	HS_CH_EXT,   /* past them, to the line's LF */
	HS_CH_DATA,  /* left bytes of chunk data to come */
	HS_CH_DEND,  /* the CRLF (or LF) after the data */
	HS_CH_DCR,   /* its LF */
	HS_CH_TBOL,  /* a trailer line's start: an empty one ends the body */
	HS_CH_TCR,   /* a CR there */
	HS_CH_TLINE, /* inside a trailer line */
};
struct hs_chunk {
	uint32_t left; /* HS_CH_SIZE: the size so far; HS_CH_DATA: bytes to come */
	uint8_t st;
} __attribute__((packed));

/* Feed n bytes of a chunked body (c->st set, HS_CH_SIZE0 at its start):
 * the bytes taken, up to the body's end (then c->st is 0), else all n. A
 * framing servers could read otherwise sets *malformed (and c->st 0). */
size_t hs_chunk_feed(struct hs_chunk *c, const uint8_t *p, size_t n, bool *malformed);

/* The request head p[0..head) (hs_http_head_end) declares its body's
 * length (RFC 9112 6.3): where in p the body that follows it ends, that is
 * where the next pipelined request starts. head when it has no body (no
 * Content-Length, no Transfer-Encoding). 0 when p does not hold the whole
 * body (or its chunked framing) or when the head's framing is one a server
 * could take otherwise (*malformed set): a Content-Length that is not all
 * digits, two that differ, a Transfer-Encoding other than chunked alone,
 * both headers. Chunked: every chunk size line, chunk and the trailer up to
 * its empty line. *cl_end (when not NULL): head plus the Content-Length
 * where one is declared (past n when the body goes on past p), else 0.
 * Pure. */
size_t hs_http_body_end(const uint8_t *p, size_t n, size_t head, bool *malformed, uint64_t *cl_end);

/* Whether the first line of p (n bytes, after the white space servers
 * skip) is whole and ends in an HTTP/1.x version (any case, after the
 * white space a relaxed parser takes between fields): an HTTP/1 request,
 * not RTSP, SIP, ICAP or a mail command that looks like one. Pure. */
bool hs_http_versioned(const uint8_t *p, size_t n);

/* What the request head at p (n bytes) asks of its connection, in one
 * walk of it up to its empty line: HS_HEAD_H2C, HTTP/2 over cleartext (the
 * preface's "PRI" method, an Upgrade header that names h2c, or
 * HTTP2-Settings: RFC 7540 3.2); HS_HEAD_TUNNEL, a tunnel (a CONNECT, or
 * any Upgrade header: RFC 9110 7.8). Pure. */
#define HS_HEAD_H2C    1u
#define HS_HEAD_TUNNEL 2u
/* An upgrade to h2c asked (an Upgrade header that names it, or
 * HTTP2-Settings): HTTP/2 follows only where the server answers 101; one
 * that does not goes on in HTTP/1.1 (curl --http2 on http:// asks every
 * server so). HS_HEAD_H2C is the preface itself. */
#define HS_HEAD_H2C_UP 4u
unsigned hs_head_asks(const uint8_t *p, size_t n);

/* Whether p (n bytes) starts an HTTP request line, or may (its first
 * bytes, cut by the segment). Pure. */
bool hs_http_starts(const uint8_t *p, size_t n);

/* Flags hs_http_requests() adds for its visitor. */
#define HS_HTTP_BODY 0x100u /* a request line inside a declared body: only its name counts */
#define HS_HTTP_NOREQ 0x200u /* bytes that start no request where one may start (alone) */

/* What hs_http_requests() found: a request line at p (n bytes to the end
 * of what is here) with hs_http_request_check()'s bits, HS_HTTP_BODY
 * added for one inside a body; or p NULL (http HS_HTTP_MALFORMED): a
 * head whose body framing a server could read otherwise. */
typedef void (*hs_http_visit_fn)(void *arg, const uint8_t *p, size_t n, unsigned http);

/* The HTTP requests a client's bytes p (n) hold, as servers frame them:
 * from p's first byte (after leading white space), every pipelined one
 * after the body its head declares (hs_http_body_end); where bytes start
 * no request, visit gets them with HS_HTTP_NOREQ alone; past a
 * framing we cannot follow as every server would, every line that starts
 * a request line (at most 64). With body, p lies in a body a head declared
 * before: a request line at its start is visited with HS_HTTP_BODY, and
 * nothing else is read. With ch (not NULL), a chunked body is followed
 * across calls: one that goes on past p leaves its state in *ch, and a
 * call with ch->st set reads the rest of it first. Returns the bytes of a declared body
 * (Content-Length) that go on past p, 0 when none. *partial (when not
 * NULL): the offset in p where a request starts whose head p does not hold
 * whole (its request line's first bytes, or a head without its empty
 * line), SIZE_MAX when none: a server reads it with the bytes that come
 * next. Pure but for visit. */
uint64_t hs_http_requests(const uint8_t *p, size_t n, bool body, struct hs_chunk *ch,
			  hs_http_visit_fn visit, void *arg, size_t *partial);

/* Copy the host part of an authority "host[:port]" or "[v6addr][:port]"
 * (s, n bytes) into out, NUL-terminated. Returns its length, 0 when empty
 * or when it does not fit in size. Pure. */
size_t hs_authority_host(const char *s, size_t n, char *out, size_t size);

#endif
