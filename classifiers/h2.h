/* h2.h - aduana's own reader of the first requests of an HTTP/2 stream with
 * prior knowledge (h2c, RFC 9113 3.3): the preface, the frames before the
 * first header block, that block (HEADERS + CONTINUATION) and its HPACK
 * decoding (RFC 7541), to get the :authority the server will route by; and
 * every further whole block already in when the first completes, since a
 * server serves each stream by its own :authority (8.3.1).
 *
 * The name is matched against the block lists, so anything a server could
 * read differently (or a proxy in front of it could turn into another
 * HTTP/1.1 request) is refused with a named reason. No allocation, no global
 * state, nothing from dataplane/.
 */
#ifndef ADUANA_H2_H
#define ADUANA_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */
#define H2_PREFACE_LEN 24
/* SETTINGS_MAX_FRAME_SIZE's default: the client cannot send larger frames
 * until the server's SETTINGS raise it, and we do not read those. */
#define H2_FRAME_MAX 16384
/* The largest header block read (HEADERS + CONTINUATION fragments joined). */
#define H2_BLOCK_MAX 16384
/* The largest header list decoded from a block (RFC 9113 6.5.2: names and
 * values plus 32 bytes a field). Servers refuse far less (nginx 32 KiB);
 * the bound keeps a block of 1-byte indexes to 4 KiB entries cheap. */
#define H2_LIST_MAX 65536
/* At most this many frames (HEADERS and CONTINUATION) to a header block:
 * a flood of empty CONTINUATION frames is refused (too_long). */
#define H2_FRAGS_MAX 32
/* Header blocks read after the first, on the call that completes it: the
 * HEADERS of one more is refused (too_long). */
#define H2_MORE_MAX 64
/* The server's HPACK decoder table: SETTINGS_HEADER_TABLE_SIZE's default.
 * A size update above it is malformed: we do not read the server's
 * SETTINGS, and a client may not assume more. */
#define H2_TABLE_MAX 4096
/* Entries of that table: each costs at least 32 bytes (RFC 7541 4.1). */
#define H2_TABLE_ENTRIES (H2_TABLE_MAX / 32)
/* A host name: at most 253 bytes, 254 with a trailing dot (kept: the lists
 * ignore one). The caller's name buffer holds at least H2_NAME_CAP. */
#define H2_NAME_MAX 254
#define H2_NAME_CAP 256
/* Bytes of a field's name and value together that h2_hpack_decode() keeps
 * for its callback (and for the table: a longer field cannot be an entry). */
#define H2_FIELD_KEEP H2_TABLE_MAX

/* Why a stream is malformed. Every name is a counter / log word. */
#define H2_REASONS(X)                                                                              \
	X(none)		/* not malformed */                                                        \
	X(settings)	/* first frame not SETTINGS (RFC 9113 3.4), or a bad SETTINGS frame */     \
	X(frame_size)	/* a frame over 16384 bytes, or a fixed-size frame of another size */      \
	X(frame)	/* PUSH_PROMISE, DATA on a stream no HEADERS opened, a frame on the */     \
			/* wrong stream, HEADERS on a stream not above the last, a zero */         \
			/* WINDOW_UPDATE, a stream depending on itself */                          \
	X(padding)	/* pad length beyond the frame, or padding bytes not zero */               \
	X(continuation) /* a CONTINUATION missing, for another stream, or outside a block */       \
	X(too_long)	/* a header block over 16 KiB or in over H2_FRAGS_MAX frames, its */       \
			/* header list over H2_LIST_MAX, over H2_MORE_MAX further blocks */        \
	X(hpack)	/* a malformed block: bad index, integer, Huffman code or padding, a */    \
			/* string past the block, a table size update over 4096 or not at */       \
			/* the block's start */                                                    \
	X(field)	/* a name with upper case or a non-token byte, a value with NUL, CR, */    \
			/* LF or white space at either end, a connection-specific field */         \
	X(pseudo)	/* a pseudo-header unknown, repeated, after a regular field or */          \
			/* missing, or a :path neither "/..." nor "*" */                           \
	X(authority)	/* two :authority or host, :authority and host that differ, an */          \
			/* empty or over-long name, a byte no host name has, userinfo, a */        \
			/* bad port */

enum h2_reason {
#define X(n) H2_R_##n,
	H2_REASONS(X)
#undef X
		H2_R_COUNT
};

enum h2_status {
	H2_NEED_MORE = 0, /* all bytes read; the first header block is not complete yet */
	H2_DONE,	  /* the first request's header block read (and the further whole */
			  /* ones): see name */
	H2_NOT_H2,	  /* the stream does not start with the preface */
	H2_MALFORMED,	  /* refused: reason says why */
};

/* The server's HPACK decoder table (RFC 7541 2.3.2), as it would hold it.
 * Entry bytes (name then value) lie in a ring, the oldest first; ent[] is
 * a ring of entries too. The bytes of live entries never exceed
 * max - 32 * count < H2_TABLE_MAX, so a new one never overwrites them. */
struct h2_hpack {
	uint32_t size;	/* RFC 7541 4.1 size of the entries (bytes + 32 each) */
	uint32_t max;	/* the maximum the last size update set, <= H2_TABLE_MAX */
	uint16_t wr;	/* ring offset of the next entry's bytes */
	uint16_t first; /* ent[] slot of the oldest entry */
	uint16_t count; /* entries */
	struct h2_entry {
		uint16_t off; /* ring offset of the name; the value follows */
		uint16_t name_len;
		uint16_t value_len;
	} ent[H2_TABLE_ENTRIES];
	uint8_t ring[H2_TABLE_MAX];
};

/* A header field as h2_hpack_decode() hands it to its callback. name and
 * value hold the first name_have / value_have bytes (not NUL-terminated);
 * name_len / value_len are the whole lengths. Both are whole when
 * name_len + value_len <= H2_FIELD_KEEP. */
struct h2_field {
	const char *name;
	const char *value;
	uint32_t name_len, value_len;
	uint32_t name_have, value_have;
};

typedef void (*h2_field_fn)(void *arg, const struct h2_field *f);

/* Per-flow reader state (about 5 KiB, x86-64): the walk over the frames,
 * where the current header block's fragments lie in the caller's stream (they are
 * decoded once the block is whole, straight from the stream: no copy), and
 * the HPACK table. */
struct h2_reader {
	uint32_t at;	    /* stream offset of the next frame header; 0 before the preface */
	uint32_t frames;    /* frames read after the preface */
	uint32_t last_sid;  /* the stream of the last HEADERS; 0 before the first */
	uint32_t blocks;    /* HEADERS frames (header blocks) read */
	uint32_t block_len; /* bytes of the header block so far */
	uint32_t block_sid; /* stream of the header block being joined; 0 outside one */
	uint32_t block_at;  /* ... the stream offset of its HEADERS frame */
	uint32_t prev_sid;  /* ... the last stream before its HEADERS */
	uint32_t frag_off[H2_FRAGS_MAX]; /* stream offset of each fragment */
	uint32_t frag_len[H2_FRAGS_MAX];
	uint8_t nfrag;
	uint8_t status;		/* enum h2_status; sticky once not NEED_MORE */
	uint8_t reason;		/* enum h2_reason */
	uint8_t connect;	/* a block decoded was a CONNECT without :protocol: a tunnel */
	char name[H2_NAME_CAP]; /* the result, once DONE */
	struct h2_hpack hpack;
};

/* True when the bytes so far are a prefix of the preface (len < 24), or
 * start with it. Pure. */
bool h2_is_preface(const uint8_t *p, size_t len);

/* A fresh reader. */
void h2_reader_init(struct h2_reader *r);

/* Called by h2_read_all() with each header block's name (len bytes, also
 * NUL-terminated), as name gives the first. */
typedef void h2_name_fn(void *arg, const char *name, size_t len);

/* Read the client's stream: data, len is always the whole stream so far,
 * from its first byte (the preface included); the same buffer grows
 * between calls. Frames after the preface: the first must be SETTINGS;
 * SETTINGS, WINDOW_UPDATE, PRIORITY, PING, RST_STREAM, GOAWAY and unknown
 * types are skipped, DATA too on a stream a HEADERS opened (odd, at most
 * the last HEADERS' stream; padding checked), other DATA and PUSH_PROMISE
 * are refused (frame). A HEADERS (flags PADDED, PRIORITY, END_HEADERS) on
 * an odd stream above the last one's, and its CONTINUATION frames, make a
 * header block, HPACK-decoded once whole. Each frame header is checked
 * as soon as it is in, its payload once whole.
 *
 * Returns H2_NEED_MORE until the first block is whole. On the call that
 * completes it, every further block whole in data[0..len) is decoded too,
 * in order, with the same table and rules (at most H2_MORE_MAX of them);
 * a trailing frame or block not whole is left (its bytes come after the
 * verdict: the caller's known limit). Then H2_DONE with name set to the
 * first block's :authority host (or that of "host" when :authority is
 * absent), lower-cased, its port and IPv6 brackets stripped; "" when there
 * is neither. fn (when not NULL) is called on that call with each block's
 * name, the first's included, in order, but not with "". A refused frame
 * or block, the first or a later one, makes it H2_MALFORMED with *reason
 * (when reason is not NULL) set, and the names fn was given before are of
 * no further use. Else H2_NOT_H2, or H2_NEED_MORE.
 *
 * Once not H2_NEED_MORE the status (and name) stay, and fn is not called
 * again. name_cap >= H2_NAME_CAP (a smaller one refuses longer names as
 * authority, in every block). The caller bounds the stream (its buffer):
 * frames between blocks are skipped however many. No allocation (about
 * 5 KiB of stack: the field being decoded); the caller's thread only. */
enum h2_status h2_read_all(struct h2_reader *r, const uint8_t *data, size_t len, char *name,
			   size_t name_cap, unsigned *reason, h2_name_fn *fn, void *arg);

/* h2_read_all() without fn: the later blocks are still read (and can make
 * the stream H2_MALFORMED), their names are not given. */
enum h2_status h2_read(struct h2_reader *r, const uint8_t *data, size_t len, char *name,
		       size_t name_cap, unsigned *reason);

/* ---- After the first requests: every later header block ------------------- */

/* A synthetic stream of the preface, an empty SETTINGS frame and one
 * header block's frames (HEADERS, CONTINUATION), as h2_read_all() reads a
 * stream: the block's room, its frame headers and HEADERS padding and
 * priority included. */
#define H2_AFTER_BUF (H2_PREFACE_LEN + 9 + H2_BLOCK_MAX + 9 * H2_FRAGS_MAX + 512)

/* The reading of a client's stream after the first-bytes reader is done
 * (h2_read_all gave H2_DONE): frames fed in order as they come, each
 * header block joined and decoded whole with the server's HPACK table as
 * it stands (the first reader's, carried on), under the same rules (a
 * server serves each stream's :authority, RFC 9113 8.3.1: red team, the
 * eighteenth session, rtk_h2pk_late_vk: four requests for an allowed name,
 * the fifth for m.vk.com, were read no further than the first). Other
 * frames are passed over by their length. About 21 KiB. */
struct h2_after {
	struct h2_hpack hpack;
	uint32_t last_sid; /* the stream of the last HEADERS */
	uint32_t skip;	   /* payload bytes of a frame passed over, still to come */
	uint32_t want;	   /* payload bytes of a HEADERS or CONTINUATION, still to come */
	uint32_t len;	   /* bytes in buf */
	uint8_t hdr[9];	   /* a frame header being joined */
	uint8_t hdr_have;
	uint8_t in_block; /* a block's frame without END_HEADERS read: CONTINUATION to come */
	uint8_t end;	  /* the frame being joined ends its block */
	uint8_t trailer;  /* the block is a trailer section (RFC 9113 8.1) of stream tsid */
	uint32_t tsid;
	uint8_t status;	  /* H2_NEED_MORE, or H2_MALFORMED (sticky) */
	uint8_t reason;
	uint8_t buf[H2_AFTER_BUF];
};

/* Start a after r (H2_DONE, or H2_NEED_MORE: a first block not whole
 * yet): its table and last stream. Returns the offset in r's stream from
 * which the bytes are to be fed (past the last whole block and the frames
 * after it, at the HEADERS of a block not whole, or at the preface when
 * that is not whole yet). */
uint32_t h2_after_init(struct h2_after *a, const struct h2_reader *r);

/* Feed the next n bytes of the client's stream. fn (when not NULL) is
 * called with each whole block's name (not ""); *connect (when not NULL)
 * is set when a block is a CONNECT without :protocol. Returns
 * H2_NEED_MORE, or H2_MALFORMED with *reason set (sticky): a frame or
 * block h2_read_all() refuses, a frame other than CONTINUATION inside a
 * block, a client's PUSH_PROMISE, a HEADERS or CONTINUATION frame over
 * 16384 bytes or a block over the room. */
enum h2_status h2_after_feed(struct h2_after *a, const uint8_t *p, size_t n, h2_name_fn *fn,
			     void *arg, bool *connect, unsigned *reason);

/* The bytes of the next n of the client's stream (p) that a, as it is now,
 * would read: frame headers and the payload of HEADERS and CONTINUATION
 * frames (a DATA frame's, or any other frame's, it passes over: a->skip).
 * run(arg, off, len) for each run, in order. Pure: a is not changed (the
 * request log, judge.c, keeps what h2_after_feed is about to read). */
typedef void h2_run_fn(void *arg, size_t off, size_t len);
void h2_after_runs(const struct h2_after *a, const uint8_t *p, size_t n, h2_run_fn *run,
		   void *arg);

/* The word for a reason ("?" when out of range). */
const char *h2_reason_name(unsigned reason);

/* ---- HPACK, for h2_read_all() and the tests ----------------------------------- */

/* An empty table of H2_TABLE_MAX bytes. */
void h2_hpack_init(struct h2_hpack *t);

/* Decode one whole header block (block, len) with table t, which it
 * updates as the server's would. Checks every field as h2_read() does
 * (RFC 9113 8.2, 8.3) and calls fn (when not NULL) for each, in order.
 * Returns H2_DONE with name as h2_read() gives it, or H2_MALFORMED with
 * *reason set (t is then of no further use). */
enum h2_status h2_hpack_decode(struct h2_hpack *t, const uint8_t *block, size_t len, char *name,
			       size_t name_cap, unsigned *reason, h2_field_fn fn, void *arg);

/* Entries in t and its RFC 7541 4.1 size. */
unsigned h2_hpack_count(const struct h2_hpack *t);
uint32_t h2_hpack_size(const struct h2_hpack *t);

/* Entry i of t (1: the newest, HPACK index 62) copied, NUL-terminated and
 * cut to the sizes, into name and value. False when there is no entry i. */
bool h2_hpack_entry(const struct h2_hpack *t, unsigned i, char *name, size_t name_size, char *value,
		    size_t value_size);

/* Huffman-code s (n bytes) into out (RFC 7541 5.2, Appendix B), padded
 * with ones. Returns the bytes written, 0 when they do not fit. For
 * building test streams. Pure. */
size_t h2_huff_encode(const void *s, size_t n, uint8_t *out, size_t cap);

#endif
