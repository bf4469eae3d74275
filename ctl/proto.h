/* proto.h - the framing shared by the dataplane's private control socket,
 * aduanad's operators' socket and their clients (docs/control.md), and a
 * small reader for the flat JSON objects that travel in the frames.
 *
 * No DPDK types: linked by the dataplane, aduanad, aduanactl and the fuzz
 * target alike.
 */
#ifndef ADUANA_PROTO_H
#define ADUANA_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC0   'A'
#define PROTO_MAGIC1   'D'
#define PROTO_VERSION  1
#define PROTO_HDR_SIZE 8
#define PROTO_BODY_MAX (1u << 20) /* a frame's body, bytes */

/* Frame types. Requests are below 0x40; a reply to request T is T | 0x80. */
enum proto_type {
	PROTO_STATUS = 0x01,	 /* -> JSON object of counters */
	PROTO_FLOWS = 0x02,	 /* body: "key=value" lines -> JSON lines */
	PROTO_RELOAD = 0x03,	 /* body: config path -> JSON object */
	PROTO_SUBSCRIBE = 0x04,	 /* dataplane: this connection becomes the record stream */
	PROTO_GRANT_ADD = 0x05,	 /* dataplane: grant lines; aduanad: key=value lines */
	PROTO_GRANT_DEL = 0x06,	 /* body: a grant id */
	PROTO_GRANT_LIST = 0x07, /* -> JSON: the live grants */
	PROTO_REPORT = 0x08,	 /* aduanad: body "key=value" lines -> the compliance report */
	PROTO_AUDIT = 0x09,	 /* aduanad: body "key=value" lines -> verdict + entries */
	PROTO_SIMULATE = 0x0a,	 /* reserved: simulate runs in aduanactl (role: operator) */
	PROTO_RECORD = 0x10,	 /* dataplane -> aduanad: u64 seq (BE) + one JSON line */
	PROTO_ACK = 0x11,	 /* aduanad -> dataplane: u64 seq (BE), all <= seq stored */
	PROTO_REPLY = 0x80,	 /* OR-ed with the request type */
	PROTO_ERROR = 0x7f,	 /* body: {"error": "..."} */
};

/* A buffered, non-blocking connection. in: bytes read, not yet framed;
 * out: bytes queued, not yet written. Owned by one thread. */
struct proto_conn {
	int fd;
	uint8_t *in;
	size_t in_off, in_len, in_cap; /* unframed bytes: in[in_off..in_len) */
	uint8_t *out;
	size_t out_len, out_off, out_cap;
	size_t out_max; /* a peer that reads nothing cannot make us grow beyond this */
};

/* Set up c around fd (made non-blocking). out_max: the most bytes queued.
 * Returns 0 or -errno. */
int proto_conn_init(struct proto_conn *c, int fd, size_t out_max);

/* Close the fd and free the buffers. Accepts an unused (fd -1) conn. */
void proto_conn_close(struct proto_conn *c);

/* Read what is there without blocking. Returns bytes read (0: nothing
 * now), -EPIPE when the peer closed, or -errno. */
long proto_conn_read(struct proto_conn *c);

/* Take the next whole frame from c->in. Returns 1 with type/body/len set
 * (body valid until proto_conn_pop; len may be 0), 0 when more bytes are
 * needed, or a negative error for a frame that can never become valid:
 * -EBADMSG (bad magic), -EPROTONOSUPPORT (version), -EMSGSIZE (too big).
 * After an error the stream cannot be resynchronised: reply, then close. */
int proto_conn_next(struct proto_conn *c, uint8_t *type, const uint8_t **body, uint32_t *len);

/* Drop the frame proto_conn_next() returned (len: its body length), once
 * the caller is done with its body. */
void proto_conn_pop(struct proto_conn *c, uint32_t len);

/* Queue one frame. Returns 0, or -ENOBUFS when out_max would be passed
 * (nothing is queued then). */
int proto_conn_send(struct proto_conn *c, uint8_t type, const void *body, size_t len);

/* Write queued bytes without blocking. Returns bytes still queued, or
 * -errno (-EPIPE when the peer is gone). */
long proto_conn_flush(struct proto_conn *c);

/* Check a frame header (8 bytes). Returns the body length, or the same
 * negative errors as proto_conn_next(). */
long proto_hdr_check(const uint8_t hdr[PROTO_HDR_SIZE], uint8_t *type);

/* Write a frame header. */
void proto_hdr_write(uint8_t hdr[PROTO_HDR_SIZE], uint8_t type, uint32_t len);

/* Blocking client helpers (aduanad, aduanactl, tests; never the dataplane's
 * main lcore). proto_connect: a unix stream socket to path, or -errno.
 * proto_call: send one request and wait up to timeout_ms for one frame;
 * *body is malloc'd (caller frees). Returns 0 or -errno. */
int proto_connect(const char *path);
int proto_call(int fd, uint8_t type, const void *body, size_t len, int timeout_ms, uint8_t *rtype,
	       char **rbody, uint32_t *rlen);

/* Flat JSON objects. proto_json_get finds key at the top level of obj
 * (len bytes) and writes its value into out (strings unescaped, numbers
 * and literals as written, nested values raw). *is_str tells a string
 * (may be NULL). Returns 0, -ENOENT, -EINVAL (malformed) or -ENOSPC. */
int proto_json_get(const char *obj, size_t len, const char *key, char *out, size_t size,
		   bool *is_str);

/* Iterate the top level of obj: *pos starts at 0. Returns 1 with key and
 * value (as proto_json_get), 0 at the end, -EINVAL when malformed. */
int proto_json_next(const char *obj, size_t len, size_t *pos, char *key, size_t ksize, char *val,
		    size_t vsize, bool *is_str);

/* Append s as a JSON string (quotes included) to buf at *off, escaping
 * everything that is not printable ASCII. NULL writes null. Truncates at
 * size (the result stays NUL-terminated). */
void proto_json_str(char *buf, size_t size, size_t *off, const char *s);

#endif
