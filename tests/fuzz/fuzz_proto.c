/* fuzz_proto.c - libFuzzer target for the control protocol (ctl/proto.c)
 * and what the receivers do with a frame's body (ctl/flowrec.c, the flat
 * JSON reader).
 *
 * Input: byte 0 chooses how the rest is cut into writes (its low 4 bits,
 * plus one: the chunk size); the rest is what a peer sends. The bytes go
 * through a real socketpair into a proto_conn, are framed as they arrive,
 * and every frame's body is handed to the JSON readers and, for a record,
 * to the flow-record parser. The same bytes are framed again in one piece:
 * both readings must give the same frames and the same final state (the
 * framing may not depend on segmentation); every frame must respect the
 * header's limits. Any breach aborts. Seeds: tests/fuzz/seeds_proto.py.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flowrec.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "fuzz_proto: %s:%d: %s\n", __FILE__, __LINE__, #c);        \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define FZ_FRAMES 256

struct fz_reading {
	unsigned n;
	uint8_t type[FZ_FRAMES];
	uint32_t len[FZ_FRAMES];
	uint32_t sum[FZ_FRAMES];
	int end; /* 0: waiting for more, < 0: the framing error */
};

static uint32_t fz_sum(const uint8_t *b, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* What a receiver does with a body: nothing may crash or read past it. */
static void fz_body(uint8_t type, const uint8_t *body, uint32_t len)
{
	char key[64], val[256], *copy;
	size_t pos = 0;
	bool is_str;
	int rc, n = 0;

	copy = malloc(len + 1); /* the readers get exactly len bytes */
	FZ_CHECK(copy);
	memcpy(copy, body, len);
	copy[len] = '\0';
	while ((rc = proto_json_next(copy, len, &pos, key, sizeof(key), val, sizeof(val),
				     &is_str)) == 1 &&
	       n++ < 1000)
		FZ_CHECK(pos <= len);
	(void)proto_json_get(copy, len, "error", val, sizeof(val), &is_str);
	if (type == PROTO_RECORD && len > 8) {
		struct flowrec r;
		char err[128];

		if (flowrec_parse(copy + 8, len - 8, &r, err, sizeof(err)) == 0) {
			FZ_CHECK(r.family == 4 || r.family == 6);
			FZ_CHECK(memchr(r.zone, '\0', sizeof(r.zone)) != NULL);
			FZ_CHECK(memchr(r.reason, '\0', sizeof(r.reason)) != NULL);
		} else {
			FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		}
	}
	free(copy);
}

/* Take every whole frame out of c; note them in rd. False once the stream
 * cannot go on (a framing error). */
static bool fz_drain(struct proto_conn *c, struct fz_reading *rd)
{
	const uint8_t *body;
	uint8_t type;
	uint32_t len;
	int rc;

	while ((rc = proto_conn_next(c, &type, &body, &len)) == 1) {
		FZ_CHECK(len <= PROTO_BODY_MAX);
		if (rd->n < FZ_FRAMES) {
			rd->type[rd->n] = type;
			rd->len[rd->n] = len;
			rd->sum[rd->n] = fz_sum(body, len);
		}
		rd->n++;
		fz_body(type, body, len);
		proto_conn_pop(c, len);
	}
	if (rc < 0) {
		FZ_CHECK(rc == -EBADMSG || rc == -EPROTONOSUPPORT || rc == -EMSGSIZE);
		rd->end = rc;
		return false;
	}
	return true;
}

static void fz_read(const uint8_t *data, size_t size, size_t chunk, struct fz_reading *rd)
{
	struct proto_conn c;
	int sv[2];
	size_t off = 0;
	long n;

	memset(rd, 0, sizeof(*rd));
	FZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	FZ_CHECK(proto_conn_init(&c, sv[1], 1 << 16) == 0);
	while (off < size) {
		size_t k = size - off < chunk ? size - off : chunk;

		FZ_CHECK(write(sv[0], data + off, k) == (ssize_t)k);
		off += k;
		do
			n = proto_conn_read(&c);
		while (n > 0);
		FZ_CHECK(n == 0 || n == -EAGAIN || n == -EWOULDBLOCK);
		if (!fz_drain(&c, rd))
			break;
	}
	close(sv[0]);
	proto_conn_close(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_reading cut, whole;
	size_t chunk;

	if (size < 1 || size > 65536)
		return 0;
	chunk = (size_t)(data[0] & 15) + 1;
	fz_read(data + 1, size - 1, chunk, &cut);
	fz_read(data + 1, size - 1, size, &whole);
	FZ_CHECK(cut.n == whole.n);
	FZ_CHECK(cut.end == whole.end);
	for (unsigned i = 0; i < cut.n && i < FZ_FRAMES; i++) {
		FZ_CHECK(cut.type[i] == whole.type[i]);
		FZ_CHECK(cut.len[i] == whole.len[i]);
		FZ_CHECK(cut.sum[i] == whole.sum[i]);
	}
	return 0;
}
