/* tls.h - aduana's own strict reader of a TLS ClientHello (DESIGN 4.2).
 *
 * The caller feeds the client-to-server TCP stream, in order, from its first
 * byte; the reader joins the handshake message across segments and across
 * TLS records into a buffer the caller gives, then checks it whole. Anything
 * a server could read differently is refused with a named reason
 * (docs/tls.md). No allocation, no global state, nothing from dataplane/.
 */
#ifndef ADUANA_TLS_H
#define ADUANA_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest handshake message read (its 4-byte header included). A
 * caller gives a buffer of this size for the full bound; a smaller buffer
 * lowers the bound (a longer hello is refused as too_long). */
#define TLS_CH_MAX 16384
/* A host name: at most 253 bytes (RFC 1035, without a trailing dot). */
#define TLS_CH_NAME_MAX 253
/* nDPI 4.2 keeps the last 79 bytes of a long name (host_server_name[80]). */
#define TLS_NDPI_NAME_MAX 79

/* Why a stream is malformed. Every name is a counter / log word. */
#define TLS_CH_REASONS(X)                                                                          \
	X(none)		       /* not malformed */                                                 \
	X(sslv2)	       /* an SSLv2-format hello: no extensions, read by some servers */    \
	X(record_version)      /* record version not 0x0301..0x0303, or changed */                 \
	X(record_length)       /* a record of 0 bytes or over 2^14 */                              \
	X(record_type)	       /* a record other than handshake before the hello ended */          \
	X(not_client_hello)    /* the first handshake message is not a ClientHello */              \
	X(too_long)	       /* the hello does not fit the buffer (TLS_CH_MAX) */                \
	X(trailing_data)       /* bytes after the hello in its last record */                      \
	X(hello_version)       /* legacy_version not 0x0301..0x0303 */                             \
	X(truncated)	       /* a fixed field or length runs past the end of the hello */        \
	X(session_id)	       /* session id over 32 bytes */                                      \
	X(cipher_suites)       /* cipher suites empty or of odd length */                          \
	X(compression)	       /* no compression method */                                         \
	X(extensions_length)   /* the extensions block does not exactly fill the hello */          \
	X(extension_length)    /* an extension runs past the block */                              \
	X(too_many_extensions) /* more than TLS_CH_MAX_EXT extensions */                           \
	X(duplicate_extension) /* an extension type seen twice */                                  \
	X(sni_length)	       /* server_name list or name length disagrees */                     \
	X(sni_multiple)	       /* more than one server_name entry */                               \
	X(sni_type)	       /* a server_name entry that is not a host_name */                   \
	X(name_length)	       /* name empty or over 253 bytes */                                  \
	X(name_char)	       /* a byte no host name has (NUL, space, non-ASCII, ...) */          \
	X(name_label)	       /* an empty label or one over 63 bytes */                           \
	X(name_trailing_dot)   /* "example.com.": RFC 6066 forbids it */                           \
	X(alpn_length)	       /* ALPN list length disagrees, or an empty protocol */              \
	X(supported_versions)  /* supported_versions length disagrees, odd or empty */

enum tls_ch_reason {
#define X(n) TLS_CH_R_##n,
	TLS_CH_REASONS(X)
#undef X
		TLS_CH_R_COUNT
};

/* At most this many extensions in one hello (real clients send about 20). */
#define TLS_CH_MAX_EXT 64

enum tls_ch_status {
	TLS_CH_NEED_MORE = 0, /* all bytes taken; the hello is not complete yet */
	TLS_CH_DONE,	      /* a well-formed ClientHello: read s->info */
	TLS_CH_NOT_TLS,	      /* the stream does not start with a handshake record */
	TLS_CH_MALFORMED,     /* refused: s->reason says why */
};

/* What the hello said. Valid once the status is TLS_CH_DONE; alpn points
 * into the caller's buffer. */
struct tls_ch_info {
	char sni[TLS_CH_NAME_MAX + 1]; /* lower-cased; "" when no server_name */
	uint16_t sni_len;
	uint16_t record_version; /* of the first record */
	uint16_t legacy_version; /* ClientHello.legacy_version */
	uint16_t max_version;	 /* highest non-GREASE supported_versions, else legacy */
	uint16_t n_extensions;
	uint16_t n_alpn;       /* protocols in the ALPN list */
	uint16_t alpn_size;    /* bytes of the ALPN protocol list (without its length) */
	const uint8_t *alpn;   /* that list: 1-byte length, name, ... */
	uint32_t hello_size;   /* bytes of the handshake message, header included */
	uint32_t stream_bytes; /* bytes of the stream up to the hello's end */
	uint16_t records;      /* TLS records the hello came in */
	bool has_sni;
	bool has_ech; /* encrypted_client_hello (0xfe0d, or a draft's codepoint, ESNI's
		       * 0xffce included): real or GREASE */
	bool has_alpn;
	bool has_supported_versions;
	bool has_grease; /* a GREASE extension type (0x?a?a) */
	bool has_early_data; /* early_data: application_data records may follow it */
};

/* Per-flow reader state: 336 bytes (x86-64) plus the caller's buffer. */
struct tls_ch {
	uint8_t *buf;	   /* caller's: the handshake message, record headers stripped */
	uint32_t cap;	   /* bytes of buf, at most TLS_CH_MAX used */
	uint32_t have;	   /* bytes in buf */
	uint32_t need;	   /* 4 + message length once the header is in, else 0 */
	uint32_t consumed; /* stream bytes taken */
	uint16_t rec_left; /* bytes of the current record's body still to come */
	uint16_t records;
	uint8_t hdr[5]; /* a record header being assembled */
	uint8_t hdr_have;
	uint8_t status; /* enum tls_ch_status */
	uint8_t reason; /* enum tls_ch_reason */
	struct tls_ch_info info;
};

/* Make s a fresh reader over the caller's buffer buf of size bytes (bytes
 * beyond TLS_CH_MAX are not used). The caller owns both, and keeps buf
 * until it is done with s (info.alpn points into it). Any thread; s is
 * then the caller's thread's alone. */
void tls_ch_init(struct tls_ch *s, uint8_t *buf, size_t size);

/* Feed the next len bytes of the client's stream, in TCP order, without
 * gaps or overlaps (the caller's reassembly has settled them). Returns the
 * status; once it is not TLS_CH_NEED_MORE it stays so, and further bytes
 * are ignored. Bytes after the hello's last record are not looked at (they
 * are later records: the caller's record conformance checks them). No
 * allocation; the caller's thread only. */
enum tls_ch_status tls_ch_feed(struct tls_ch *s, const uint8_t *data, size_t len);

/* The malformation reason (TLS_CH_R_none unless TLS_CH_MALFORMED). */
static inline enum tls_ch_reason tls_ch_reason(const struct tls_ch *s)
{
	return (enum tls_ch_reason)s->reason;
}

/* "sni_multiple", ...: the reason's name for counters and logs; "?" when
 * out of range. Any thread. */
const char *tls_ch_reason_name(unsigned reason);

/* For a hello the strict reader refused, in a zone that allows that
 * exception: what a lenient server could read as the name. */
typedef void tls_ch_name_fn(void *arg, const char *name, size_t len);

/* Read the ClientHello at the start of a stream (data, len: its first
 * bytes) leniently, as the most forgiving server would: handshake records
 * of any 3.x version joined (ChangeCipherSpec and alert records between
 * them passed over), every server_name extension and every
 * host_name entry in each, lengths clamped to what holds them. Calls fn
 * with each name (lower-cased, cut at a NUL, 1..253 bytes). buf (cap
 * bytes, at most TLS_CH_MAX used) holds the joined message. Returns
 * TLS_CH_DONE once the whole hello was read, TLS_CH_NEED_MORE while it is
 * incomplete (no name reported yet), TLS_CH_NOT_TLS when there is no
 * ClientHello to read (or it exceeds cap). No allocation; pure. */
enum tls_ch_status tls_ch_names(const uint8_t *data, size_t len, uint8_t *buf, size_t cap,
				tls_ch_name_fn *fn, void *arg);

/* Where tls_ch_names_more stopped in a stream (zeroed before its first
 * call on that stream). */
struct tls_names_at {
	uint32_t i;	/* stream bytes walked; once done, where the hello's last record ends */
	uint32_t have;	/* bytes of the hello joined in buf */
	uint32_t need;	/* the hello's size with its header; 0 until known */
	uint32_t rlen;	/* bytes left in the current record */
	uint8_t in_rec; /* inside a record (its header walked) */
	uint8_t done;	/* the answer, once it is not TLS_CH_NEED_MORE */
};

/* tls_ch_names over a stream that grows between calls: each call walks
 * only the bytes the last one did not (data, len: the stream's first
 * bytes, the same as before and at least as many; buf and cap the same
 * as before, kept by the caller). The same answer and the same names as
 * tls_ch_names on the whole of data; names are reported once, by the call
 * that completes the hello, and later calls give that call's answer
 * without reading or reporting. */
enum tls_ch_status tls_ch_names_more(struct tls_names_at *at, const uint8_t *data, size_t len,
				     uint8_t *buf, size_t cap, tls_ch_name_fn *fn, void *arg);

/* Whether our name and nDPI's reading of the same hello agree: equal
 * without regard to ASCII case; NULL and "" both mean no name, and agree
 * only with no name. nDPI 4.2 keeps the last TLS_NDPI_NAME_MAX bytes of a
 * longer name, so an nDPI name of exactly that length agrees with our
 * name's tail. The caller treats a disagreement as malformed, and calls it
 * only when nDPI had the whole hello to read (nDPI 4.2 does not join
 * records: see info.records). Any thread. */
bool tls_name_agrees(const char *ours, const char *ndpi);

/* Whether name (len bytes) is a host name this reader accepts: 1..253
 * bytes of labels of 1..63 bytes of letters, digits, '-' and '_',
 * separated by single dots, no trailing dot. Sets *reason when not.
 * Any thread. */
bool tls_name_valid(const uint8_t *name, size_t len, enum tls_ch_reason *reason);

#endif
