/* test_h2.c - the h2c first-request reader (classifiers/h2.c): the HPACK
 * examples of RFC 7541 Appendix C.3 and C.4 with their dynamic tables;
 * h2c streams built frame by frame here, cut at every byte; CONTINUATION,
 * padding and priority; each malformation by its reason; and truncated and
 * mutated streams, which must never read out of bounds (run under ASan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h2.h"
#include "unit.h"

/* ---- a small builder ------------------------------------------------------ */

struct buf {
	uint8_t b[70000];
	size_t n;
};

static void b_u8(struct buf *b, unsigned v)
{
	CU_ASSERT_FATAL(b->n < sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
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

static struct buf *b_new(void)
{
	struct buf *b = calloc(1, sizeof(*b));

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	return b;
}

/* Bytes from hex text; spaces ignored. */
static void b_hex(struct buf *b, const char *hex)
{
	unsigned v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		CU_ASSERT_FATAL(sscanf(hex, "%2x", &v) == 1);
		b_u8(b, v);
		hex += 2;
	}
}

/* An HPACK integer (RFC 7541 5.1): first holds the representation bits. */
static void hp_int(struct buf *b, unsigned first, unsigned prefix, uint32_t v)
{
	unsigned mask = (1u << prefix) - 1;

	if (v < mask) {
		b_u8(b, first | v);
		return;
	}
	b_u8(b, first | mask);
	v -= mask;
	while (v >= 128) {
		b_u8(b, (v & 0x7f) | 0x80);
		v >>= 7;
	}
	b_u8(b, v);
}

/* A string literal, raw or Huffman-coded. */
static void hp_str(struct buf *b, const char *s, bool huff)
{
	if (huff) {
		uint8_t h[8192];
		size_t n = h2_huff_encode(s, strlen(s), h, sizeof(h));

		CU_ASSERT_FATAL(n > 0 || !*s);
		hp_int(b, 0x80, 7, (uint32_t)n);
		b_mem(b, h, n);
	} else {
		hp_int(b, 0, 7, (uint32_t)strlen(s));
		b_str(b, s);
	}
}

/* A literal field without indexing (6.2.2), name by index idx or literal. */
static void hp_lit(struct buf *b, unsigned idx, const char *name, const char *value, bool huff)
{
	hp_int(b, 0x00, 4, idx);
	if (!idx)
		hp_str(b, name, huff);
	hp_str(b, value, huff);
}

/* The usual start of a request: :method GET, :scheme http, :path /. */
static void hp_get(struct buf *b)
{
	b_u8(b, 0x82);
	b_u8(b, 0x86);
	b_u8(b, 0x84);
}

/* A block: GET http / with :authority auth (NULL: none). */
static void hp_request(struct buf *b, const char *auth, bool huff)
{
	hp_get(b);
	if (auth)
		hp_lit(b, 1, NULL, auth, huff);
}

static void frame(struct buf *b, unsigned type, unsigned flags, uint32_t sid, const void *p,
		  size_t n)
{
	b_u8(b, (unsigned)(n >> 16));
	b_u8(b, (unsigned)(n >> 8));
	b_u8(b, (unsigned)n);
	b_u8(b, type);
	b_u8(b, flags);
	b_u8(b, sid >> 24);
	b_u8(b, sid >> 16);
	b_u8(b, sid >> 8);
	b_u8(b, sid);
	b_mem(b, p, n);
}

/* The preface and a SETTINGS frame as curl sends them. */
static void start(struct buf *b)
{
	static const uint8_t settings[] = {0, 3, 0, 0, 0, 100, 0, 4, 0, 0x60, 0, 0};

	b_str(b, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	frame(b, 4, 0, 0, settings, sizeof(settings));
}

static void window_update(struct buf *b)
{
	static const uint8_t inc[] = {0, 0x3f, 0xff, 0x01};

	frame(b, 8, 0, 0, inc, sizeof(inc));
}

/* A whole stream: preface, SETTINGS, WINDOW_UPDATE, HEADERS(block) on 1. */
static void stream(struct buf *s, const struct buf *block)
{
	start(s);
	window_update(s);
	frame(s, 1, 0x04 | 0x01, 1, block->b, block->n);
}

/* h2_read over data at once, with a fresh reader. */
static enum h2_status read_all(const uint8_t *p, size_t n, char *name, unsigned *reason)
{
	static struct h2_reader r;

	h2_reader_init(&r);
	return h2_read(&r, p, n, name, H2_NAME_CAP, reason);
}

static void expect(const struct buf *s, enum h2_status st, unsigned why, const char *want)
{
	char name[H2_NAME_CAP];
	unsigned reason = 99;
	enum h2_status got = read_all(s->b, s->n, name, &reason);

	CU_ASSERT_EQUAL(got, st);
	CU_ASSERT_EQUAL(reason, why);
	if (got != st || reason != why)
		printf("\n  got %d %s, want %d %s  ", got, h2_reason_name(reason), st,
		       h2_reason_name(why));
	if (want) {
		CU_ASSERT_STRING_EQUAL(name, want);
	}
}

/* A stream with a one-frame block, checked. */
static void expect_block(const struct buf *block, enum h2_status st, unsigned why, const char *want)
{
	struct buf *s = b_new();

	stream(s, block);
	expect(s, st, why, want);
	free(s);
}

/* ---- RFC 7541 Appendix C.3 and C.4 ---------------------------------------- */

struct seen {
	char text[1024]; /* "name: value\n" each */
};

static void collect(void *arg, const struct h2_field *f)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%.*s: %.*s\n", (int)f->name_have, f->name,
		 (int)f->value_have, f->value);
}

static void check_entry(const struct h2_hpack *t, unsigned i, const char *name, const char *value)
{
	char n[256], v[256];

	CU_ASSERT_FATAL(h2_hpack_entry(t, i, n, sizeof(n), v, sizeof(v)));
	CU_ASSERT_STRING_EQUAL(n, name);
	CU_ASSERT_STRING_EQUAL(v, value);
}

static void rfc_requests(const char *const hex[3])
{
	static struct h2_hpack t;
	static const char *const want[3] = {
		":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n",
		":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n"
		"cache-control: no-cache\n",
		":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\n"
		"custom-key: custom-value\n",
	};
	static const uint32_t size[3] = {57, 110, 164};

	h2_hpack_init(&t);
	for (unsigned i = 0; i < 3; i++) {
		struct buf *b = b_new();
		struct seen seen = {{0}};
		char name[H2_NAME_CAP];
		unsigned reason = 99;

		b_hex(b, hex[i]);
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, b->b, b->n, name, sizeof(name), &reason,
						collect, &seen),
				H2_DONE);
		CU_ASSERT_EQUAL(reason, H2_R_none);
		CU_ASSERT_STRING_EQUAL(name, "www.example.com");
		CU_ASSERT_STRING_EQUAL(seen.text, want[i]);
		CU_ASSERT_EQUAL(h2_hpack_count(&t), i + 1);
		CU_ASSERT_EQUAL(h2_hpack_size(&t), size[i]);
		free(b);
	}
	/* After C.x.3: [1] custom-key, [2] cache-control, [3] :authority. */
	check_entry(&t, 1, "custom-key", "custom-value");
	check_entry(&t, 2, "cache-control", "no-cache");
	check_entry(&t, 3, ":authority", "www.example.com");
	CU_ASSERT_FALSE(h2_hpack_entry(&t, 4, (char[8]){0}, 8, (char[8]){0}, 8));
}

static void test_rfc_c3(void)
{
	static const char *const hex[3] = {
		"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
		"8286 84be 5808 6e6f 2d63 6163 6865",
		"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
	};
	static struct h2_hpack t;
	struct buf *b = b_new();
	char name[H2_NAME_CAP];
	unsigned reason;

	rfc_requests(hex);
	/* The tables after C.3.1 and C.3.2, one at a time. */
	h2_hpack_init(&t);
	b_hex(b, hex[0]);
	CU_ASSERT_EQUAL(h2_hpack_decode(&t, b->b, b->n, name, sizeof(name), &reason, NULL, NULL),
			H2_DONE);
	check_entry(&t, 1, ":authority", "www.example.com");
	b->n = 0;
	b_hex(b, hex[1]);
	CU_ASSERT_EQUAL(h2_hpack_decode(&t, b->b, b->n, name, sizeof(name), &reason, NULL, NULL),
			H2_DONE);
	check_entry(&t, 1, "cache-control", "no-cache");
	check_entry(&t, 2, ":authority", "www.example.com");
	free(b);
}

static void test_rfc_c4(void)
{
	static const char *const hex[3] = {
		"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
		"8286 84be 5886 a8eb 1064 9cbf",
		"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
	};
	uint8_t h[64];

	rfc_requests(hex);
	/* The encoder gives C.4.1's bytes for www.example.com. */
	CU_ASSERT_EQUAL(h2_huff_encode("www.example.com", 15, h, sizeof(h)), 12);
	CU_ASSERT_EQUAL(memcmp(h, "\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff", 12), 0);
	CU_ASSERT_EQUAL(h2_huff_encode("www.example.com", 15, h, 11), 0);
}

/* Every byte value Huffman-coded and decoded back, as a header value. */
static void test_huffman_all_bytes(void)
{
	struct buf *blk = b_new();
	static struct h2_hpack t;
	struct seen seen = {{0}};
	char value[300], name[H2_NAME_CAP];
	unsigned reason, n = 0;

	/* Bytes a value may hold: all but NUL, CR, LF; no white space at the ends. */
	value[n++] = 'a';
	for (unsigned c = 1; c < 256; c++)
		if (c != '\r' && c != '\n')
			value[n++] = (char)c;
	value[n++] = 'z';
	value[n] = '\0';
	hp_request(blk, "m.vk.com", true);
	hp_lit(blk, 0, "x-all", value, true);
	h2_hpack_init(&t);
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, collect, &seen),
		H2_DONE);
	CU_ASSERT_STRING_EQUAL(name, "m.vk.com");
	CU_ASSERT_PTR_NOT_NULL(strstr(seen.text, value));
	free(blk);
}

/* ---- whole streams --------------------------------------------------------- */

static void test_stream(void)
{
	struct buf *blk = b_new(), *s = b_new();

	hp_request(blk, "m.vk.com", false);
	stream(s, blk);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Huffman-coded :authority. */
	blk->n = 0;
	hp_request(blk, "m.vk.com", true);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");

	/* With incremental indexing, and a literal name. */
	blk->n = 0;
	hp_get(blk);
	b_u8(blk, 0x40);
	hp_str(blk, ":authority", true);
	hp_str(blk, "M.VK.COM", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");

	/* Neither :authority nor host: "". */
	blk->n = 0;
	hp_request(blk, NULL, false);
	expect_block(blk, H2_DONE, H2_R_none, "");

	/* PING, PRIORITY, RST_STREAM, GOAWAY, an unknown type and a SETTINGS
	 * ACK before the HEADERS are skipped. */
	s->n = 0;
	start(s);
	frame(s, 6, 0, 0, "12345678", 8);
	frame(s, 2, 0, 3, "\0\0\0\0\x10", 5);
	frame(s, 3, 0, 5, "\0\0\0\x08", 4);
	frame(s, 0xfa, 0xff, 7, "whatever", 8);
	frame(s, 4, 1, 0, NULL, 0);
	frame(s, 7, 0, 0, "\0\0\0\0\0\0\0\0", 8);
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	frame(s, 1, 0x04, 1, blk->b, blk->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Bytes after the block are frames too: under a frame header's 9
	 * they are left; a frame header is checked as soon as it is in. */
	b_str(s, "garbage!");
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	b_str(s, " after the headers");
	expect(s, H2_MALFORMED, H2_R_frame_size, "");
	free(blk);
	free(s);
}

/* Fed with a growing len, one byte more each call: NEED_MORE until the
 * block's last byte, then DONE, and DONE after that. */
static void grow(const struct buf *s, enum h2_status last, unsigned why, const char *want)
{
	static struct h2_reader r;
	char name[H2_NAME_CAP];
	unsigned reason;
	size_t done_at = 0;

	h2_reader_init(&r);
	for (size_t n = 0; n <= s->n; n++) {
		enum h2_status st = h2_read(&r, s->b, n, name, sizeof(name), &reason);

		if (st == H2_NEED_MORE) {
			CU_ASSERT_EQUAL(reason, H2_R_none);
			CU_ASSERT_STRING_EQUAL(name, "");
			continue;
		}
		CU_ASSERT_EQUAL(st, last);
		CU_ASSERT_EQUAL(reason, why);
		if (want)
			CU_ASSERT_STRING_EQUAL(name, want);
		if (!done_at)
			done_at = n;
	}
	CU_ASSERT_EQUAL(done_at, s->n);
}

static void test_every_split(void)
{
	struct buf *blk = b_new(), *s = b_new();
	char name[H2_NAME_CAP];
	unsigned reason;

	hp_request(blk, "m.vk.com", false);
	stream(s, blk);
	grow(s, H2_DONE, H2_R_none, "m.vk.com");

	blk->n = 0;
	hp_request(blk, "m.vk.com", true);
	s->n = 0;
	stream(s, blk);
	grow(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Refused at the block's end: its last byte is the bad one. */
	s->n = 0;
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 0, "Upper", "x", false);
	stream(s, blk);
	grow(s, H2_MALFORMED, H2_R_field, "");

	/* The preface refused at its first wrong byte. */
	for (size_t n = 0; n <= H2_PREFACE_LEN; n++) {
		CU_ASSERT_EQUAL(read_all((const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", n,
					 name, &reason),
				H2_NEED_MORE);
		CU_ASSERT_TRUE(
			h2_is_preface((const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", n));
	}
	CU_ASSERT_EQUAL(read_all((const uint8_t *)"PRI * HTTP/1.1", 14, name, &reason), H2_NOT_H2);
	CU_ASSERT_FALSE(h2_is_preface((const uint8_t *)"PRI * HTTP/1.1", 14));
	free(blk);
	free(s);
}

static void test_continuation(void)
{
	struct buf *blk = b_new(), *s = b_new();
	size_t cut;

	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 0, "user-agent", "curl/7.88.1", false);
	cut = 5; /* inside the :authority field */

	/* HEADERS without END_HEADERS, then CONTINUATION with it. */
	start(s);
	frame(s, 1, 0x01, 1, blk->b, cut);
	frame(s, 9, 0x04, 1, blk->b + cut, blk->n - cut);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	grow(s, H2_DONE, H2_R_none, "m.vk.com");

	/* The block in H2_FRAGS_MAX fragments, the first empty. */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, NULL, 0);
	{
		size_t step = (blk->n + H2_FRAGS_MAX - 2) / (H2_FRAGS_MAX - 1);

		CU_ASSERT(step < blk->n);
		for (size_t i = 0; i < blk->n; i += step) {
			size_t k = blk->n - i < step ? blk->n - i : step;

			frame(s, 9, i + k == blk->n ? 0x04 : 0, 1, blk->b + i, k);
		}
	}
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	grow(s, H2_DONE, H2_R_none, "m.vk.com");

	/* CONTINUATION for another stream. */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, blk->b, cut);
	frame(s, 9, 0x04, 3, blk->b + cut, blk->n - cut);
	expect(s, H2_MALFORMED, H2_R_continuation, "");

	/* Another frame inside the block. */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, blk->b, cut);
	window_update(s);
	frame(s, 9, 0x04, 1, blk->b + cut, blk->n - cut);
	expect(s, H2_MALFORMED, H2_R_continuation, "");

	/* CONTINUATION with no block open. */
	s->n = 0;
	start(s);
	frame(s, 9, 0x04, 1, blk->b, blk->n);
	expect(s, H2_MALFORMED, H2_R_continuation, "");

	/* Refused at the frame header, before its payload is in. */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, blk->b, cut);
	frame(s, 9, 0x04, 3, blk->b + cut, blk->n - cut);
	s->n -= blk->n - cut;
	expect(s, H2_MALFORMED, H2_R_continuation, "");

	/* Too many fragments: a CONTINUATION flood. */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, NULL, 0);
	for (unsigned i = 0; i < H2_FRAGS_MAX - 1; i++)
		frame(s, 9, 0, 1, NULL, 0);
	frame(s, 9, 0x04, 1, blk->b, blk->n);
	expect(s, H2_MALFORMED, H2_R_too_long, "");

	/* A block over 16 KiB (the first frame full, the second adds one). */
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	while (blk->n < H2_FRAME_MAX)
		b_u8(blk, 0x82); /* :method GET again: would be refused, later */
	s->n = 0;
	start(s);
	frame(s, 1, 0, 1, blk->b, H2_FRAME_MAX);
	frame(s, 9, 0x04, 1, blk->b, 1);
	expect(s, H2_MALFORMED, H2_R_too_long, "");
	free(blk);
	free(s);
}

static void test_padded_priority(void)
{
	struct buf *blk = b_new(), *s = b_new(), *p = b_new();

	hp_request(blk, "m.vk.com", false);

	/* PADDED: pad length, block, 10 zeros. */
	b_u8(p, 10);
	b_mem(p, blk->b, blk->n);
	b_mem(p, "\0\0\0\0\0\0\0\0\0\0", 10);
	start(s);
	frame(s, 1, 0x0c, 1, p->b, p->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	grow(s, H2_DONE, H2_R_none, "m.vk.com");

	/* PRIORITY: exclusive bit, stream 0, weight 255. */
	p->n = 0;
	b_mem(p, "\x80\0\0\0\xff", 5);
	b_mem(p, blk->b, blk->n);
	s->n = 0;
	start(s);
	frame(s, 1, 0x24, 1, p->b, p->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Both: pad length, priority, block, padding. */
	p->n = 0;
	b_u8(p, 3);
	b_mem(p, "\0\0\0\0\x0f", 5);
	b_mem(p, blk->b, blk->n);
	b_mem(p, "\0\0\0", 3);
	s->n = 0;
	start(s);
	frame(s, 1, 0x2c, 1, p->b, p->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Padding that fills the frame: an empty fragment, the block follows. */
	s->n = 0;
	start(s);
	frame(s, 1, 0x08, 1, "\x03\0\0\0", 4);
	frame(s, 9, 0x04, 1, blk->b, blk->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");

	/* Pad length beyond the frame. */
	p->n = 0;
	b_u8(p, (unsigned)blk->n + 1);
	b_mem(p, blk->b, blk->n);
	s->n = 0;
	start(s);
	frame(s, 1, 0x0c, 1, p->b, p->n);
	expect(s, H2_MALFORMED, H2_R_padding, "");

	/* PADDED with an empty payload. */
	s->n = 0;
	start(s);
	frame(s, 1, 0x0c, 1, NULL, 0);
	expect(s, H2_MALFORMED, H2_R_padding, "");

	/* Padding not zero. */
	p->n = 0;
	b_u8(p, 2);
	b_mem(p, blk->b, blk->n);
	b_mem(p, "\0x", 2);
	s->n = 0;
	start(s);
	frame(s, 1, 0x0c, 1, p->b, p->n);
	expect(s, H2_MALFORMED, H2_R_padding, "");

	/* PRIORITY flag with fewer than 5 bytes; with padding pushing it out. */
	s->n = 0;
	start(s);
	frame(s, 1, 0x24, 1, "\0\0\0", 3);
	expect(s, H2_MALFORMED, H2_R_frame_size, "");
	s->n = 0;
	start(s);
	frame(s, 1, 0x2c, 1, "\0\0\0\0\0", 5);
	expect(s, H2_MALFORMED, H2_R_frame_size, "");

	/* A stream depending on itself. */
	p->n = 0;
	b_mem(p, "\0\0\0\x01\x10", 5);
	b_mem(p, blk->b, blk->n);
	s->n = 0;
	start(s);
	frame(s, 1, 0x24, 1, p->b, p->n);
	expect(s, H2_MALFORMED, H2_R_frame, "");
	free(blk);
	free(s);
	free(p);
}

/* ---- frame refusals -------------------------------------------------------- */

static void test_frames(void)
{
	struct buf *blk = b_new(), *s = b_new();

	hp_request(blk, "m.vk.com", false);
	static const struct {
		unsigned type, flags;
		uint32_t sid;
		const char *payload;
		size_t n;
		unsigned why;
	} bad[] = {
		{0, 0, 1, "data", 4, H2_R_frame},		   /* DATA */
		{5, 4, 1, "\0\0\0\x02\x82", 5, H2_R_frame},	   /* PUSH_PROMISE */
		{1, 4, 0, "\x82\x86\x84", 3, H2_R_frame},	   /* HEADERS on stream 0 */
		{1, 4, 2, "\x82\x86\x84", 3, H2_R_frame},	   /* HEADERS on an even stream */
		{6, 0, 0, "1234567", 7, H2_R_frame_size},	   /* PING of 7 */
		{6, 0, 1, "12345678", 8, H2_R_frame},		   /* PING on a stream */
		{2, 0, 3, "\0\0\0\0", 4, H2_R_frame_size},	   /* PRIORITY of 4 */
		{2, 0, 0, "\0\0\0\x01\x01", 5, H2_R_frame},	   /* PRIORITY on stream 0 */
		{2, 0, 3, "\0\0\0\x03\x01", 5, H2_R_frame},	   /* PRIORITY on itself */
		{3, 0, 1, "\0\0\0", 3, H2_R_frame_size},	   /* RST_STREAM of 3 */
		{3, 0, 0, "\0\0\0\0", 4, H2_R_frame},		   /* RST_STREAM on 0 */
		{7, 0, 0, "\0\0\0\0", 4, H2_R_frame_size},	   /* GOAWAY of 4 */
		{7, 0, 1, "\0\0\0\0\0\0\0\0", 8, H2_R_frame},	   /* GOAWAY on a stream */
		{8, 0, 0, "\0\0\0", 3, H2_R_frame_size},	   /* WINDOW_UPDATE of 3 */
		{8, 0, 0, "\x80\0\0\0", 4, H2_R_frame},		   /* a zero increment */
		{4, 1, 0, "\0\0\0\0\0\0", 6, H2_R_frame_size},	   /* SETTINGS ACK with a payload */
		{4, 0, 0, "\0\x01\0\0", 4, H2_R_frame_size},	   /* SETTINGS of 4 */
		{4, 0, 1, "", 0, H2_R_settings},		   /* SETTINGS on a stream */
		{4, 0, 0, "\0\x02\0\0\0\x02", 6, H2_R_settings},   /* ENABLE_PUSH 2 */
		{4, 0, 0, "\0\x04\x80\0\0\0", 6, H2_R_settings},   /* INITIAL_WINDOW_SIZE 2^31 */
		{4, 0, 0, "\0\x05\0\0\x3f\xff", 6, H2_R_settings}, /* MAX_FRAME_SIZE 16383 */
		{4, 0, 0, "\0\x05\x01\0\0\0", 6, H2_R_settings},   /* MAX_FRAME_SIZE 2^24 */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s->n = 0;
		start(s);
		frame(s, bad[i].type, bad[i].flags, bad[i].sid, bad[i].payload, bad[i].n);
		frame(s, 1, 0x04, 1, blk->b, blk->n);
		expect(s, H2_MALFORMED, bad[i].why, "");
	}

	/* A frame over 16384 bytes: refused from its header alone. */
	s->n = 0;
	start(s);
	b_mem(s, "\0\x40\x01\x00\x00\0\0\0\0", 9);
	expect(s, H2_MALFORMED, H2_R_frame_size, "");
	s->n = 0;
	start(s);
	b_mem(s, "\xff\xff\xff\x01\x04\0\0\0\x01", 9);
	expect(s, H2_MALFORMED, H2_R_frame_size, "");

	/* An unknown type of 16384 bytes is skipped. */
	{
		static uint8_t big[H2_FRAME_MAX];

		s->n = 0;
		start(s);
		frame(s, 0x20, 0, 0, big, sizeof(big));
		frame(s, 1, 0x04, 1, blk->b, blk->n);
		expect(s, H2_DONE, H2_R_none, "m.vk.com");
	}

	/* The first frame must be SETTINGS, and not an ACK. */
	s->n = 0;
	b_str(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	frame(s, 1, 0x04, 1, blk->b, blk->n);
	expect(s, H2_MALFORMED, H2_R_settings, "");
	s->n = 0;
	b_str(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	window_update(s);
	expect(s, H2_MALFORMED, H2_R_settings, "");
	s->n = 0;
	b_str(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	frame(s, 4, 1, 0, NULL, 0);
	expect(s, H2_MALFORMED, H2_R_settings, "");

	/* An empty SETTINGS is fine; a later HEADERS on stream 5 too. */
	s->n = 0;
	b_str(s, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	frame(s, 4, 0, 0, NULL, 0);
	frame(s, 1, 0x05, 5, blk->b, blk->n);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	free(blk);
	free(s);
}

/* ---- :authority and host --------------------------------------------------- */

static void authority(const char *auth, const char *host, enum h2_status st, unsigned why,
		      const char *want)
{
	struct buf *blk = b_new();

	hp_request(blk, auth, false);
	if (host)
		hp_lit(blk, 38, NULL, host, false);
	expect_block(blk, st, why, want);
	free(blk);
}

static void test_authority(void)
{
	struct buf *blk = b_new();
	char long_name[400];

	authority("M.VK.COM:8080", NULL, H2_DONE, H2_R_none, "m.vk.com");
	authority("m.vk.com:80", NULL, H2_DONE, H2_R_none, "m.vk.com");
	authority(NULL, "m.vk.com", H2_DONE, H2_R_none, "m.vk.com");
	authority(NULL, "M.Vk.Com:443", H2_DONE, H2_R_none, "m.vk.com");
	authority("m.vk.com", "m.vk.com", H2_DONE, H2_R_none, "m.vk.com");
	authority("m.vk.com", "M.VK.COM:80", H2_DONE, H2_R_none, "m.vk.com");
	authority("m.vk.com", "ok.ru", H2_MALFORMED, H2_R_authority, "");
	authority("[2001:db8::1]:8080", NULL, H2_DONE, H2_R_none, "2001:db8::1");
	authority("[::FFFF:1.2.3.4]", NULL, H2_DONE, H2_R_none, "::ffff:1.2.3.4");
	authority("10.0.0.1:80", NULL, H2_DONE, H2_R_none, "10.0.0.1");
	authority("m.vk.com.", NULL, H2_DONE, H2_R_none, "m.vk.com.");
	authority("user@m.vk.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("user:pw@m.vk.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com:", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com:65536", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com:080808", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com:80:80", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com:8x", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m%2evk.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m..vk.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority(".m.vk.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com..", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk.com/x", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("m.vk\x01.com", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("2001:db8::1", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("[2001:db8::1%25eth0]", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("[2001:db8::1", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("[2001:db8::1]x", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("[1.2.3.4]", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("[]", NULL, H2_MALFORMED, H2_R_authority, "");
	authority(":80", NULL, H2_MALFORMED, H2_R_authority, "");
	authority("", NULL, H2_MALFORMED, H2_R_authority, "");
	authority(NULL, "", H2_MALFORMED, H2_R_authority, "");

	/* Label and name lengths: 63 and 253 (254 with the dot) pass. */
	memset(long_name, 'a', 63);
	strcpy(long_name + 63, ".com");
	authority(long_name, NULL, H2_DONE, H2_R_none, long_name);
	memset(long_name, 'a', 64);
	strcpy(long_name + 64, ".com");
	authority(long_name, NULL, H2_MALFORMED, H2_R_authority, "");
	for (unsigned i = 0; i < 4; i++) {
		memset(long_name + i * 64, 'b', 63);
		long_name[i * 64 + 63] = '.';
	}
	long_name[253] = '\0'; /* 4 labels: 63.63.63.61 */
	authority(long_name, NULL, H2_DONE, H2_R_none, long_name);
	long_name[253] = '.';
	long_name[254] = '\0';
	authority(long_name, NULL, H2_DONE, H2_R_none, long_name);
	long_name[253] = 'b';
	authority(long_name, NULL, H2_MALFORMED, H2_R_authority, "");

	/* :authority twice; host twice, even the same. */
	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 1, NULL, "ok.ru", false);
	expect_block(blk, H2_MALFORMED, H2_R_authority, "");
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 1, NULL, "m.vk.com", false);
	expect_block(blk, H2_MALFORMED, H2_R_authority, "");
	blk->n = 0;
	hp_request(blk, NULL, false);
	hp_lit(blk, 38, NULL, "m.vk.com", false);
	hp_lit(blk, 38, NULL, "m.vk.com", false);
	expect_block(blk, H2_MALFORMED, H2_R_authority, "");

	/* The static :authority entry, empty. */
	blk->n = 0;
	hp_get(blk);
	b_u8(blk, 0x81);
	expect_block(blk, H2_MALFORMED, H2_R_authority, "");

	/* :authority from the dynamic table, in a later block of the same
	 * table: only through h2_hpack_decode (h2_read stops at the first). */
	{
		static struct h2_hpack t;
		char name[H2_NAME_CAP];
		unsigned reason;

		h2_hpack_init(&t);
		blk->n = 0;
		hp_get(blk);
		b_u8(blk, 0x41);
		hp_str(blk, "m.vk.com", true);
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason,
						NULL, NULL),
				H2_DONE);
		blk->n = 0;
		hp_get(blk);
		b_u8(blk, 0xbe);
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason,
						NULL, NULL),
				H2_DONE);
		CU_ASSERT_STRING_EQUAL(name, "m.vk.com");
		/* A smaller name buffer refuses a name that does not fit. */
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, blk->b, blk->n, name, 8, &reason, NULL, NULL),
				H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, H2_R_authority);
	}
	free(blk);
}

/* ---- field rules ----------------------------------------------------------- */

static void test_fields(void)
{
	struct buf *blk = b_new();
	static const struct {
		const char *name, *value;
		unsigned why;
	} bad[] = {
		{"Upper", "x", H2_R_field},
		{"x y", "x", H2_R_field},
		{"x\"", "x", H2_R_field},
		{"x:y", "x", H2_R_field},
		{"x\x80", "x", H2_R_field},
		{"", "x", H2_R_field},
		{"x-a", "a\r\nhost: ok.ru", H2_R_field},
		{"x-a", "a\nb", H2_R_field},
		{"x-a", " a", H2_R_field},
		{"x-a", "a\t", H2_R_field},
		{"connection", "close", H2_R_field},
		{"transfer-encoding", "chunked", H2_R_field},
		{"upgrade", "h2c", H2_R_field},
		{"keep-alive", "1", H2_R_field},
		{"te", "gzip", H2_R_field},
		{":status", "200", H2_R_pseudo},
		{":foo", "x", H2_R_pseudo},
		{":path", "/again", H2_R_pseudo},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int huff = 0; huff < 2; huff++) {
			blk->n = 0;
			hp_request(blk, "m.vk.com", huff);
			hp_lit(blk, 0, bad[i].name, bad[i].value, huff);
			expect_block(blk, H2_MALFORMED, bad[i].why, "");
		}
	}

	/* Fine: te trailers, a value with inner white space, an empty value. */
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 0, "te", "trailers", false);
	hp_lit(blk, 0, "x-a", "a b\tc", false);
	hp_lit(blk, 0, "x-b", "", false);
	hp_lit(blk, 0, "x-!#$%&'*+-.^_`|~09", "1", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");

	/* A pseudo-header after a regular field. */
	blk->n = 0;
	b_u8(blk, 0x82);
	b_u8(blk, 0x86);
	hp_lit(blk, 0, "x-a", "1", false);
	b_u8(blk, 0x84);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");

	/* Missing :method, :path; an absolute-form :path; "*" is fine. */
	blk->n = 0;
	b_u8(blk, 0x86);
	b_u8(blk, 0x84);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	blk->n = 0;
	b_u8(blk, 0x82);
	b_u8(blk, 0x86);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	blk->n = 0;
	b_u8(blk, 0x82);
	b_u8(blk, 0x86);
	hp_lit(blk, 4, NULL, "http://ok.ru/", false);
	hp_lit(blk, 1, NULL, "m.vk.com", false);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	blk->n = 0;
	b_u8(blk, 0x82);
	b_u8(blk, 0x86);
	hp_lit(blk, 4, NULL, "*", false);
	hp_lit(blk, 1, NULL, "m.vk.com", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");

	/* CONNECT: :authority alone; with :path it is refused. */
	blk->n = 0;
	hp_lit(blk, 2, NULL, "CONNECT", false);
	hp_lit(blk, 1, NULL, "m.vk.com:443", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");
	b_u8(blk, 0x84);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	blk->n = 0;
	hp_lit(blk, 2, NULL, "CONNECT", false);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	/* :protocol only with CONNECT (RFC 8441). */
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	hp_lit(blk, 0, ":protocol", "websocket", false);
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	blk->n = 0;
	hp_lit(blk, 2, NULL, "CONNECT", false);
	b_u8(blk, 0x86);
	b_u8(blk, 0x84);
	hp_lit(blk, 1, NULL, "m.vk.com", false);
	hp_lit(blk, 0, ":protocol", "websocket", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");
	free(blk);
}

/* ---- HPACK refusals -------------------------------------------------------- */

static void test_bad_hpack(void)
{
	struct buf *blk = b_new();
	static const struct {
		const char *hex; /* after GET http / */
		unsigned why;
	} bad[] = {
		{"80", H2_R_hpack},		   /* index 0 */
		{"be", H2_R_hpack},		   /* index 62, table empty */
		{"ff 80 80 80 80 01", H2_R_hpack}, /* index over 2^24 */
		{"ff", H2_R_hpack},		   /* an integer cut */
		{"ff 80", H2_R_hpack},		   /* an integer cut */
		{"7f 00 01 61 01 61", H2_R_hpack}, /* literal name index 63 */
		{"0f 2b 05 61", H2_R_hpack},	   /* a string past the block */
		{"00 85 61", H2_R_hpack},	   /* Huffman string past the block */
		{"0f 2b", H2_R_hpack},		   /* no value */
		/* Huffman "a" (00011) padded with 0s, not ones */
		{"0f 2b 81 18", H2_R_hpack},
		/* "a" then 8 bits of padding: 00011111 11111111 */
		{"0f 2b 82 1f ff", H2_R_hpack},
		/* EOS (30 ones) coded in a string */
		{"0f 2b 84 ff ff ff ff", H2_R_hpack},
		/* "a" then EOS */
		{"0f 2b 85 1f ff ff ff ff", H2_R_hpack},
		{"3f e1 1f", H2_R_hpack}, /* size update 4097, late anyway */
		{"20", H2_R_hpack},	  /* size update after fields */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		blk->n = 0;
		hp_request(blk, "m.vk.com", false);
		b_hex(blk, bad[i].hex);
		expect_block(blk, H2_MALFORMED, bad[i].why, "");
	}

	/* Good: 7 bits of one-padding after "a" (00011 111). */
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	b_hex(blk, "0f 2b 81 1f");
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");

	/* Size updates at the block's start: to 0 and back, two of them. */
	blk->n = 0;
	b_hex(blk, "20 3f e1 1f");
	hp_request(blk, "m.vk.com", false);
	expect_block(blk, H2_DONE, H2_R_none, "m.vk.com");
	blk->n = 0;
	b_hex(blk, "3f e2 1f"); /* 4098 */
	hp_request(blk, "m.vk.com", false);
	expect_block(blk, H2_MALFORMED, H2_R_hpack, "");

	/* An empty block: no :method. */
	blk->n = 0;
	expect_block(blk, H2_MALFORMED, H2_R_pseudo, "");
	free(blk);
}

/* The table's bound: entries evicted oldest first, a size update shrinking
 * it, an entry over the maximum emptying it, 128 entries of 32 bytes. */
static void test_table(void)
{
	static struct h2_hpack t;
	struct buf *blk = b_new();
	char name[H2_NAME_CAP], v[4200];
	unsigned reason;

	h2_hpack_init(&t);
	/* 200 entries "x: <i>" (about 36 bytes each): at most 113 stay. */
	hp_request(blk, "m.vk.com", false);
	for (unsigned i = 0; i < 200; i++) {
		char val[16];

		snprintf(val, sizeof(val), "%u", i);
		b_u8(blk, 0x40);
		hp_str(blk, "x", false);
		hp_str(blk, val, i & 1);
	}
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, NULL, NULL),
		H2_DONE);
	CU_ASSERT(h2_hpack_size(&t) <= 4096);
	CU_ASSERT(h2_hpack_size(&t) > 4096 - 40);
	check_entry(&t, 1, "x", "199");
	check_entry(&t, 2, "x", "198");
	{
		char n1[8], v1[8], last[8];
		unsigned c = h2_hpack_count(&t);

		CU_ASSERT_TRUE(h2_hpack_entry(&t, c, n1, sizeof(n1), v1, sizeof(v1)));
		snprintf(last, sizeof(last), "%u", 200 - c);
		CU_ASSERT_STRING_EQUAL(v1, last);
	}

	/* Shrink to 100: two "x: 19x" entries (36 bytes) stay. */
	blk->n = 0;
	hp_int(blk, 0x20, 5, 100);
	hp_request(blk, "m.vk.com", false);
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, NULL, NULL),
		H2_DONE);
	CU_ASSERT_EQUAL(h2_hpack_count(&t), 2);
	CU_ASSERT_EQUAL(h2_hpack_size(&t), 72);
	check_entry(&t, 2, "x", "198");

	/* Back to 4096, then an entry of 4097 bytes: the table empties. */
	blk->n = 0;
	hp_int(blk, 0x20, 5, 4096);
	hp_request(blk, "m.vk.com", false);
	b_u8(blk, 0x40);
	hp_str(blk, "y", false);
	memset(v, 'v', 4064);
	v[4064] = '\0';
	hp_str(blk, v, false);
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, NULL, NULL),
		H2_DONE);
	CU_ASSERT_EQUAL(h2_hpack_count(&t), 0);
	CU_ASSERT_EQUAL(h2_hpack_size(&t), 0);

	/* One of exactly 4096 stays, alone; then wraps around the ring. */
	for (unsigned round = 0; round < 3; round++) {
		blk->n = 0;
		hp_request(blk, "m.vk.com", false);
		b_u8(blk, 0x40);
		hp_str(blk, "y", false);
		memset(v, 'a' + round, 4063);
		v[4063] = '\0';
		hp_str(blk, v, round & 1);
		b_u8(blk, 0xbe); /* and indexed back */
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason,
						NULL, NULL),
				H2_DONE);
		CU_ASSERT_EQUAL(h2_hpack_count(&t), 1);
		CU_ASSERT_EQUAL(h2_hpack_size(&t), 4096);
		{
			static char n1[8], v1[4100];

			CU_ASSERT_TRUE(h2_hpack_entry(&t, 1, n1, sizeof(n1), v1, sizeof(v1)));
			CU_ASSERT_STRING_EQUAL(v1, v);
		}
	}

	/* The header list bound: that 4096-byte entry indexed 14 times passes,
	 * 16 times is over H2_LIST_MAX. */
	for (unsigned times = 14; times <= 16; times += 2) {
		blk->n = 0;
		hp_request(blk, "m.vk.com", false);
		for (unsigned i = 0; i < times; i++)
			b_u8(blk, 0xbe);
		CU_ASSERT_EQUAL(h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason,
						NULL, NULL),
				times == 14 ? H2_DONE : H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, times == 14 ? H2_R_none : H2_R_too_long);
	}

	/* 128 entries of 32 bytes (empty name? no: names are not empty):
	 * "a": "" is 33 bytes, 124 of them fit. */
	h2_hpack_init(&t);
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	for (unsigned i = 0; i < 300; i++) {
		b_u8(blk, 0x40);
		hp_str(blk, "a", false);
		hp_str(blk, "", false);
	}
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, NULL, NULL),
		H2_DONE);
	CU_ASSERT_EQUAL(h2_hpack_count(&t), 4096 / 33);
	/* The entry's name reused while the entry itself is evicted (4.4). */
	blk->n = 0;
	hp_request(blk, "m.vk.com", false);
	hp_int(blk, 0x40, 6, 61 + 4096 / 33);
	hp_str(blk, "m.vk.com", false);
	CU_ASSERT_EQUAL(
		h2_hpack_decode(&t, blk->b, blk->n, name, sizeof(name), &reason, NULL, NULL),
		H2_DONE);
	check_entry(&t, 1, "a", "m.vk.com");
	CU_ASSERT_EQUAL(h2_hpack_count(&t), 4096 / 33 - 1);
	CU_ASSERT_EQUAL(h2_hpack_size(&t), (4096 / 33 - 2) * 33 + 41);
	free(blk);
}

/* ---- not h2, cut and mutated streams -------------------------------------- */

static void test_not_h2(void)
{
	char name[H2_NAME_CAP];
	unsigned reason = 99;
	static const char *const other[] = {
		"GET / HTTP/1.1\r\nHost: m.vk.com\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\n",
		"pri * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"P",
	};

	for (unsigned i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		size_t n = strlen(other[i]);
		enum h2_status st = read_all((const uint8_t *)other[i], n, name, &reason);

		CU_ASSERT_EQUAL(st, i == 4 ? H2_NEED_MORE : H2_NOT_H2);
		CU_ASSERT_EQUAL(reason, H2_R_none);
	}
	CU_ASSERT_EQUAL(read_all(NULL, 0, name, &reason), H2_NEED_MORE);
	CU_ASSERT_EQUAL(read_all((const uint8_t *)"", 0, name, &reason), H2_NEED_MORE);

	/* Sticky: a later call with more bytes gives the same answer. */
	{
		static struct h2_reader r;
		const char *g = "GET / HTTP/1.1\r\n";

		h2_reader_init(&r);
		CU_ASSERT_EQUAL(h2_read(&r, (const uint8_t *)g, 1, name, sizeof(name), &reason),
				H2_NOT_H2);
		CU_ASSERT_EQUAL(
			h2_read(&r, (const uint8_t *)g, strlen(g), name, sizeof(name), &reason),
			H2_NOT_H2);
	}
	CU_ASSERT_STRING_EQUAL(h2_reason_name(H2_R_none), "none");
	CU_ASSERT_STRING_EQUAL(h2_reason_name(H2_R_authority), "authority");
	CU_ASSERT_STRING_EQUAL(h2_reason_name(H2_R_COUNT), "?");
}

/* Every prefix of a stream, read at once into a buffer of exactly that
 * size (ASan sees any read past it). */
static void cut_everywhere(const struct buf *s)
{
	char name[H2_NAME_CAP];
	unsigned reason;

	for (size_t n = 0; n <= s->n; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, s->b, n);
		(void)read_all(copy, n, name, &reason);
		CU_ASSERT(strlen(name) < H2_NAME_CAP);
		free(copy);
	}
}

/* A small deterministic generator. */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void test_cut_and_mutate(void)
{
	struct buf *blk = b_new(), *s = b_new(), *m = b_new();
	char name[H2_NAME_CAP];
	unsigned reason;

	hp_request(blk, "m.vk.com", true);
	hp_lit(blk, 0, "user-agent", "curl/7.88.1", true);
	b_u8(blk, 0x40);
	hp_str(blk, "x-k", false);
	hp_str(blk, "v", true);
	b_u8(blk, 0xbe);
	start(s);
	window_update(s);
	b_u8(s, 0);
	b_u8(s, 0);
	b_u8(s, (unsigned)(blk->n + 6 + 2));
	b_mem(s, "\x01\x2c\0\0\0\x01\x02\0\0\0\0\x10", 12);
	b_mem(s, blk->b, blk->n);
	b_mem(s, "\0\0", 2);
	expect(s, H2_DONE, H2_R_none, "m.vk.com");
	cut_everywhere(s);

	/* Mutations: a byte or a few changed, bytes cut, each read whole and
	 * grown; only the status range and name bound are checked. */
	for (unsigned it = 0; it < 20000; it++) {
		uint8_t *copy;
		size_t n;
		enum h2_status st;

		m->n = 0;
		b_mem(m, s->b, s->n);
		for (unsigned k = 1 + rnd() % 4; k; k--) {
			size_t at;

			if (m->n <= H2_PREFACE_LEN)
				break;
			at = H2_PREFACE_LEN + rnd() % (m->n - H2_PREFACE_LEN);

			switch (rnd() % 4) {
			case 0:
				m->b[at] = (uint8_t)rnd();
				break;
			case 1:
				m->b[at] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 2:
				m->b[at] = (uint8_t)(rnd() & 1 ? 0xff : 0);
				break;
			default:
				m->n = at;
				break;
			}
		}
		n = m->n;
		copy = malloc(n ? n : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, m->b, n);
		st = read_all(copy, n, name, &reason);
		CU_ASSERT(st <= H2_MALFORMED);
		CU_ASSERT(strlen(name) < H2_NAME_CAP);
		CU_ASSERT(reason < H2_R_COUNT);
		free(copy);
	}
	free(blk);
	free(s);
	free(m);
}

/* Random header blocks straight into the HPACK decoder. */
static void test_random_blocks(void)
{
	static struct h2_hpack t;
	char name[H2_NAME_CAP];
	unsigned reason;

	h2_hpack_init(&t);
	for (unsigned it = 0; it < 20000; it++) {
		size_t n = rnd() % 64;
		uint8_t *b = malloc(n ? n : 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)rnd();
		(void)h2_hpack_decode(&t, b, n, name, sizeof(name), &reason, NULL, NULL);
		CU_ASSERT(h2_hpack_size(&t) <= H2_TABLE_MAX);
		if (it % 100 == 0)
			h2_hpack_init(&t);
		free(b);
	}
}

/* ---- further header blocks (h2_read_all) ---------------------------------- */

/* The names h2_read_all() reports, "a,b,", and how many. */
struct names {
	char text[4096];
	unsigned n;
};

static void on_name(void *arg, const char *name, size_t len)
{
	struct names *ns = arg;
	size_t k = strlen(ns->text);

	CU_ASSERT_EQUAL(strlen(name), len);
	CU_ASSERT(len > 0 && len < H2_NAME_CAP);
	snprintf(ns->text + k, sizeof(ns->text) - k, "%.*s,", (int)len, name);
	ns->n++;
}

/* h2_read_all over data at once, with a fresh reader. */
static enum h2_status read_names(const uint8_t *p, size_t n, char *name, unsigned *reason,
				 struct names *ns)
{
	static struct h2_reader r;

	memset(ns, 0, sizeof(*ns));
	h2_reader_init(&r);
	return h2_read_all(&r, p, n, name, H2_NAME_CAP, reason, on_name, ns);
}

static void expect_names(const struct buf *s, enum h2_status st, unsigned why, const char *first,
			 const char *all)
{
	char name[H2_NAME_CAP];
	unsigned reason = 99;
	struct names ns;
	enum h2_status got = read_names(s->b, s->n, name, &reason, &ns);

	CU_ASSERT_EQUAL(got, st);
	CU_ASSERT_EQUAL(reason, why);
	if (got != st || reason != why)
		printf("\n  got %d %s, want %d %s  ", got, h2_reason_name(reason), st,
		       h2_reason_name(why));
	CU_ASSERT_STRING_EQUAL(name, first);
	if (all) {
		CU_ASSERT_STRING_EQUAL(ns.text, all);
		if (strcmp(ns.text, all) != 0)
			printf("\n  names %s, want %s  ", ns.text, all);
	}
	/* h2_read() agrees. */
	CU_ASSERT_EQUAL(read_all(s->b, s->n, name, &reason), st);
	CU_ASSERT_EQUAL(reason, why);
	CU_ASSERT_STRING_EQUAL(name, first);
}

/* A whole-block HEADERS (END_HEADERS, flags more) on stream sid. */
static void headers(struct buf *s, uint32_t sid, unsigned flags, const struct buf *blk)
{
	frame(s, 1, 0x04 | flags, sid, blk->b, blk->n);
}

/* The blocks of the red team's stream. The first adds [63] ":authority:
 * www.example.org" and [62] "user-agent: curl/8" to the table; the second
 * takes its :authority's name from [63] with a Huffman-coded value, and
 * its user-agent from [62]: with a fresh table it would be malformed. The
 * third is plain. */
static void blocks3(struct buf *b1, struct buf *b2, struct buf *b3)
{
	hp_get(b1);
	b_u8(b1, 0x41);
	hp_str(b1, "www.example.org", false);
	b_u8(b1, 0x40 | 58);
	hp_str(b1, "curl/8", false);

	hp_get(b2);
	hp_int(b2, 0x00, 4, 63);
	hp_str(b2, "m.vk.com", true);
	b_u8(b2, 0x80 | 62);

	hp_request(b3, "ok.ru:8080", false);
}

static void test_more_blocks(void)
{
	struct buf *b1 = b_new(), *b2 = b_new(), *b3 = b_new(), *s = b_new(), *x = b_new();
	const char *two = "www.example.org,m.vk.com,";

	blocks3(b1, b2, b3);

	/* The red team's stream: both names, the first in name. */
	start(s);
	window_update(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, b2);
	expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);

	/* The second alone, with a fresh table: its index is not there. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b2);
	expect_names(s, H2_MALFORMED, H2_R_hpack, "", NULL);

	/* A third block cut off anywhere (frame header, payload), or one in
	 * HEADERS + CONTINUATION without its CONTINUATION: left. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, b2);
	{
		size_t at = s->n;

		headers(s, 5, 0x01, b3);
		expect_names(s, H2_DONE, H2_R_none, "www.example.org",
			     "www.example.org,m.vk.com,ok.ru,");
		for (size_t n = at; n < s->n; n++) {
			struct buf *c = b_new();

			b_mem(c, s->b, n);
			expect_names(c, H2_DONE, H2_R_none, "www.example.org", two);
			free(c);
		}
		s->n = at;
		frame(s, 1, 0x01, 5, b3->b, 4);
		expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);
		frame(s, 9, 0x04, 5, b3->b + 4, b3->n - 4);
		expect_names(s, H2_DONE, H2_R_none, "www.example.org",
			     "www.example.org,m.vk.com,ok.ru,");
	}

	/* A CONNECT block (a tunnel) marks the reader; one with :protocol
	 * (RFC 8441, a WebSocket) and a plain request do not. */
	{
		struct h2_reader r;
		char name[H2_NAME_CAP];
		unsigned reason;

		for (unsigned k = 0; k < 4; k++) {
			x->n = 0;
			if (k == 2) {
				hp_request(x, "www.example.org", false);
			} else {
				hp_lit(x, 2, NULL, "CONNECT", false);
				if (k == 1 || k == 3) {
					b_u8(x, 0x86);
					b_u8(x, 0x84);
				}
				hp_lit(x, 1, NULL, "m.vk.com:443", false);
				if (k == 1)
					hp_lit(x, 0, ":protocol", "websocket", false);
				if (k == 3) /* MASQUE (RFC 9298): a proxy */
					hp_lit(x, 0, ":protocol", "connect-udp", false);
			}
			s->n = 0;
			start(s);
			headers(s, 1, 0x01, b1);
			headers(s, 3, 0x01, x);
			h2_reader_init(&r);
			CU_ASSERT_EQUAL(h2_read_all(&r, s->b, s->n, name, sizeof(name), &reason,
						    NULL, NULL),
					H2_DONE);
			CU_ASSERT_EQUAL(r.connect, k == 0 || k == 3);
		}
	}

	/* A malformed second block refuses the stream, with its reason. */
	x->n = 0;
	hp_request(x, "m.vk.com", true);
	hp_lit(x, 0, "Upper", "x", false);
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, x);
	expect_names(s, H2_MALFORMED, H2_R_field, "", NULL);
	x->n = 0;
	hp_request(x, "m.vk.com", false);
	b_u8(x, 0xff); /* an index cut */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, x);
	expect_names(s, H2_MALFORMED, H2_R_hpack, "", NULL);
	x->n = 0;
	hp_request(x, "m.vk.com", false);
	hp_lit(x, 1, NULL, "ok.ru", false);
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, x);
	expect_names(s, H2_MALFORMED, H2_R_authority, "", NULL);
	/* ... and so does a bad third, after a good second. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, b2);
	headers(s, 5, 0x01, x);
	expect_names(s, H2_MALFORMED, H2_R_authority, "", NULL);

	/* A later block without :authority or host gives no name; a first
	 * one without gives "" in name and none to fn. */
	x->n = 0;
	hp_request(x, NULL, false);
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	headers(s, 3, 0x01, x);
	headers(s, 5, 0x01, b3);
	expect_names(s, H2_DONE, H2_R_none, "www.example.org", "www.example.org,ok.ru,");
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, x);
	headers(s, 3, 0x01, b3);
	expect_names(s, H2_DONE, H2_R_none, "", "ok.ru,");

	/* A smaller name buffer refuses a later name that does not fit. */
	{
		static struct h2_reader r;
		char name[H2_NAME_CAP];
		unsigned reason;

		s->n = 0;
		start(s);
		headers(s, 1, 0x01, b3);
		headers(s, 3, 0x01, b1);
		h2_reader_init(&r);
		CU_ASSERT_EQUAL(h2_read_all(&r, s->b, s->n, name, 8, &reason, NULL, NULL),
				H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, H2_R_authority);
	}

	/* The second block in PADDED + PRIORITY HEADERS and a CONTINUATION. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	x->n = 0;
	b_u8(x, 2);
	b_mem(x, "\0\0\0\x01\x10", 5);
	b_mem(x, b2->b, 3);
	b_mem(x, "\0\0", 2);
	frame(s, 1, 0x01 | 0x08 | 0x20, 3, x->b, x->n);
	frame(s, 9, 0x04, 3, b2->b + 3, b2->n - 3);
	expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);
	/* ... with another frame between its fragments. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	frame(s, 1, 0x01, 3, b2->b, 3);
	window_update(s);
	frame(s, 9, 0x04, 3, b2->b + 3, b2->n - 3);
	expect_names(s, H2_MALFORMED, H2_R_continuation, "", NULL);
	/* A CONTINUATION after a whole block. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x01, b1);
	frame(s, 9, 0x04, 1, b2->b, b2->n);
	expect_names(s, H2_MALFORMED, H2_R_continuation, "", NULL);

	/* Frames between the blocks skipped; PUSH_PROMISE refused. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x00, b1);
	frame(s, 6, 0, 0, "12345678", 8);
	frame(s, 4, 1, 0, NULL, 0);
	frame(s, 4, 0, 0, "\0\x03\0\0\0\x10", 6);
	frame(s, 8, 0, 1, "\0\0\x10\0", 4);
	frame(s, 2, 0, 3, "\0\0\0\x01\x10", 5);
	frame(s, 3, 0, 1, "\0\0\0\x08", 4);
	frame(s, 0xfa, 0xff, 9, "whatever", 8);
	frame(s, 7, 0, 0, "\0\0\0\0\0\0\0\0", 8);
	headers(s, 3, 0x01, b2);
	expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);
	s->n = 0;
	start(s);
	headers(s, 1, 0x00, b1);
	frame(s, 5, 4, 1, "\0\0\0\x02\x82", 5);
	headers(s, 3, 0x01, b2);
	expect_names(s, H2_MALFORMED, H2_R_frame, "", NULL);

	/* DATA on stream 1 (opened) between the blocks: skipped, padded too;
	 * a request body on stream 3 after its block as well. */
	s->n = 0;
	start(s);
	headers(s, 1, 0x00, b1);
	frame(s, 0, 0, 1, "body", 4);
	frame(s, 0, 0x08, 1, "\002ab\0\0", 5);
	frame(s, 0, 0x09, 1, "\0", 1);
	headers(s, 3, 0x00, b2);
	frame(s, 0, 0x01, 3, "x", 1);
	frame(s, 0, 0x01, 1, "late", 4); /* on a closed stream: skipped */
	expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);
	{
		static const struct {
			unsigned flags;
			uint32_t sid;
			const char *payload;
			size_t n;
			unsigned why;
		} bad[] = {
			{0, 3, "body", 4, H2_R_frame},	       /* stream 3 not opened yet */
			{0, 0, "body", 4, H2_R_frame},	       /* stream 0 */
			{0, 2, "body", 4, H2_R_frame},	       /* an even stream */
			{0x08, 1, "", 0, H2_R_padding},	       /* PADDED, empty */
			{0x08, 1, "\004abc", 4, H2_R_padding}, /* pad past the frame */
			{0x08, 1, "\001ab", 3, H2_R_padding},  /* padding not zero */
		};

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			s->n = 0;
			start(s);
			headers(s, 1, 0x00, b1);
			frame(s, 0, bad[i].flags, bad[i].sid, bad[i].payload, bad[i].n);
			headers(s, 3, 0x01, b2);
			expect_names(s, H2_MALFORMED, bad[i].why, "", NULL);
		}
	}

	/* Streams in order: 3 then 1, 1 twice (trailers), 1 then an even
	 * one or 0 are refused; 1 then 7 is fine (3 and 5 never opened). */
	{
		static const uint32_t second[] = {1, 2, 0};

		s->n = 0;
		start(s);
		headers(s, 3, 0x01, b1);
		headers(s, 1, 0x01, b2);
		expect_names(s, H2_MALFORMED, H2_R_frame, "", NULL);
		for (unsigned i = 0; i < sizeof(second) / sizeof(second[0]); i++) {
			s->n = 0;
			start(s);
			headers(s, 1, 0x01, b1);
			headers(s, second[i], 0x01, b2);
			expect_names(s, H2_MALFORMED, H2_R_frame, "", NULL);
		}
		s->n = 0;
		start(s);
		headers(s, 1, 0x01, b1);
		headers(s, 7, 0x01, b2);
		expect_names(s, H2_DONE, H2_R_none, "www.example.org", two);
	}

	/* H2_MORE_MAX further blocks are read; the HEADERS of one more is
	 * refused from its frame header alone. */
	{
		char want[H2_MORE_MAX * 20 + 32], host[32];
		size_t w = 0, before;

		s->n = 0;
		start(s);
		for (unsigned i = 0; i <= H2_MORE_MAX; i++) {
			x->n = 0;
			snprintf(host, sizeof(host), "h%u.example", i);
			hp_request(x, host, i & 1);
			headers(s, 1 + 2 * i, 0x01, x);
			w += (size_t)snprintf(want + w, sizeof(want) - w, "%s,", host);
		}
		expect_names(s, H2_DONE, H2_R_none, "h0.example", want);
		before = s->n;
		headers(s, 3 + 2 * H2_MORE_MAX, 0x01, b3);
		expect_names(s, H2_MALFORMED, H2_R_too_long, "", NULL);
		s->n = before + 9;
		expect_names(s, H2_MALFORMED, H2_R_too_long, "", NULL);
		s->n = before + 8;
		expect_names(s, H2_DONE, H2_R_none, "h0.example", want);
	}

	/* Grown a byte at a time: DONE on the first block's last byte, with
	 * the first name only; then sticky, fn not called again. */
	{
		static struct h2_reader r;
		struct names ns;
		char name[H2_NAME_CAP];
		unsigned reason;
		size_t end1;

		s->n = 0;
		start(s);
		headers(s, 1, 0x01, b1);
		end1 = s->n;
		headers(s, 3, 0x01, b2);
		memset(&ns, 0, sizeof(ns));
		h2_reader_init(&r);
		for (size_t n = 0; n <= s->n; n++) {
			enum h2_status st =
				h2_read_all(&r, s->b, n, name, sizeof(name), &reason, on_name, &ns);

			CU_ASSERT_EQUAL(st, n < end1 ? H2_NEED_MORE : H2_DONE);
			CU_ASSERT_STRING_EQUAL(name, n < end1 ? "" : "www.example.org");
		}
		CU_ASSERT_STRING_EQUAL(ns.text, "www.example.org,");
		/* The same, with the second block in by the first's end. */
		memset(&ns, 0, sizeof(ns));
		h2_reader_init(&r);
		CU_ASSERT_EQUAL(
			h2_read_all(&r, s->b, end1 - 1, name, sizeof(name), &reason, on_name, &ns),
			H2_NEED_MORE);
		CU_ASSERT_EQUAL(
			h2_read_all(&r, s->b, s->n, name, sizeof(name), &reason, on_name, &ns),
			H2_DONE);
		CU_ASSERT_STRING_EQUAL(ns.text, two);
		CU_ASSERT_EQUAL(
			h2_read_all(&r, s->b, s->n, name, sizeof(name), &reason, on_name, &ns),
			H2_DONE);
		CU_ASSERT_STRING_EQUAL(ns.text, two);
		CU_ASSERT_STRING_EQUAL(name, "www.example.org");
	}
	free(b1);
	free(b2);
	free(b3);
	free(s);
	free(x);
}

/* Every prefix of a 3-block stream (DATA, CONTINUATION, padding between),
 * read at once from a buffer of exactly that size: the names reported are
 * the blocks whole in it. Then mutated: never a crash, names in bounds. */
static void test_more_blocks_cut(void)
{
	struct buf *b1 = b_new(), *b2 = b_new(), *b3 = b_new(), *s = b_new(), *m = b_new();
	size_t end[3];
	char name[H2_NAME_CAP];
	unsigned reason;
	struct names ns;

	blocks3(b1, b2, b3);
	start(s);
	window_update(s);
	frame(s, 1, 0x00, 1, b1->b, 6);
	frame(s, 9, 0x04, 1, b1->b + 6, b1->n - 6);
	end[0] = s->n;
	frame(s, 0, 0x08, 1, "\003body\0\0\0", 8);
	headers(s, 3, 0x01, b2);
	end[1] = s->n;
	frame(s, 6, 0, 0, "12345678", 8);
	frame(s, 1, 0x21, 5, "\0\0\0\0\x10", 5);
	frame(s, 9, 0x00, 5, b3->b, 2);
	frame(s, 9, 0x04, 5, b3->b + 2, b3->n - 2);
	end[2] = s->n;
	for (size_t n = 0; n <= s->n; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		enum h2_status st;

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, s->b, n);
		st = read_names(copy, n, name, &reason, &ns);
		CU_ASSERT_EQUAL(st, n < end[0] ? H2_NEED_MORE : H2_DONE);
		CU_ASSERT_EQUAL(ns.n, n < end[0] ? 0 : n < end[1] ? 1 : n < end[2] ? 2 : 3);
		free(copy);
	}
	CU_ASSERT_STRING_EQUAL(ns.text, "www.example.org,m.vk.com,ok.ru,");

	for (unsigned it = 0; it < 20000; it++) {
		uint8_t *copy;
		size_t n;
		enum h2_status st;

		m->n = 0;
		b_mem(m, s->b, s->n);
		for (unsigned k = 1 + rnd() % 4; k; k--) {
			size_t at = H2_PREFACE_LEN + rnd() % (m->n - H2_PREFACE_LEN);

			switch (rnd() % 4) {
			case 0:
				m->b[at] = (uint8_t)rnd();
				break;
			case 1:
				m->b[at] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 2:
				m->b[at] = (uint8_t)(rnd() & 1 ? 0xff : 0);
				break;
			default:
				if (at > H2_PREFACE_LEN)
					m->n = at;
				break;
			}
		}
		n = m->n;
		copy = malloc(n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, m->b, n);
		st = read_names(copy, n, name, &reason, &ns);
		CU_ASSERT(st <= H2_MALFORMED);
		CU_ASSERT(strlen(name) < H2_NAME_CAP);
		CU_ASSERT(reason < H2_R_COUNT);
		CU_ASSERT(ns.n <= 1 + H2_MORE_MAX);
		if (st == H2_DONE && name[0]) {
			CU_ASSERT(strncmp(ns.text, name, strlen(name)) == 0);
		}
		free(copy);
	}
	free(b1);
	free(b2);
	free(b3);
	free(s);
	free(m);
}

/* ---- after the first requests (h2_after) ------------------------------------- */

/* The first reader over first[0..n1), then h2_after over the stream from
 * its offset to n, fed in two parts cut at cut (relative to that offset;
 * 0: at once). The names the later blocks give, and the status. */
static enum h2_status after_names(const struct buf *s, size_t n1, size_t cut, struct names *ns,
				  unsigned *reason, bool *connect)
{
	static struct h2_reader r;
	static struct h2_after a;
	char name[H2_NAME_CAP];
	enum h2_status st;
	uint32_t from;

	memset(ns, 0, sizeof(*ns));
	*reason = 0;
	*connect = false;
	h2_reader_init(&r);
	CU_ASSERT_EQUAL_FATAL(h2_read_all(&r, s->b, n1, name, sizeof(name), reason, NULL, NULL),
			      H2_DONE);
	from = h2_after_init(&a, &r);
	CU_ASSERT_FATAL(from <= s->n);
	if (cut > s->n - from)
		cut = s->n - from;
	st = h2_after_feed(&a, s->b + from, cut, on_name, ns, connect, reason);
	if (st == H2_NEED_MORE)
		st = h2_after_feed(&a, s->b + from + cut, s->n - from - cut, on_name, ns, connect,
				   reason);
	return st;
}

static void test_after(void)
{
	struct buf *b1 = b_new(), *b2 = b_new(), *b3 = b_new(), *s = b_new(), *x = b_new();
	static const uint8_t body[40] = {1, 2, 3};
	struct names ns;
	unsigned reason;
	bool connect;
	size_t n1;

	blocks3(b1, b2, b3);
	/* The first block read by the first reader; then a WINDOW_UPDATE, a
	 * body, the second block (whose indexes are the first's entries: the
	 * table is carried on), the third in HEADERS + CONTINUATION. Cut
	 * anywhere, the same names. */
	start(s);
	headers(s, 1, 0x01, b1);
	n1 = s->n;
	window_update(s);
	frame(s, 0, 0x00, 1, body, sizeof(body));
	headers(s, 3, 0x01, b2);
	frame(s, 1, 0x01, 5, b3->b, 4);
	frame(s, 9, 0x04, 5, b3->b + 4, b3->n - 4);
	for (size_t cut = 0; cut <= s->n - n1; cut++) {
		enum h2_status st = after_names(s, n1, cut, &ns, &reason, &connect);

		CU_ASSERT_EQUAL(st, H2_NEED_MORE);
		CU_ASSERT_STRING_EQUAL(ns.text, "m.vk.com,ok.ru,");
		CU_ASSERT_FALSE(connect);
		if (st != H2_NEED_MORE || strcmp(ns.text, "m.vk.com,ok.ru,") != 0) {
			printf("\n  cut %zu: %d %s, names %s  ", cut, st, h2_reason_name(reason),
			       ns.text);
			break;
		}
	}
	/* The first reader stopped inside the third block (its HEADERS in,
	 * its CONTINUATION not): read again from its HEADERS */
	{
		static struct h2_reader r;
		static struct h2_after a;
		char name[H2_NAME_CAP];
		size_t at = s->n - (9 + b3->n - 4);
		uint32_t from;

		h2_reader_init(&r);
		CU_ASSERT_EQUAL(h2_read_all(&r, s->b, at, name, sizeof(name), &reason, NULL, NULL),
				H2_DONE);
		from = h2_after_init(&a, &r);
		CU_ASSERT_EQUAL(from, at - (9 + 4));
		memset(&ns, 0, sizeof(ns));
		CU_ASSERT_EQUAL(h2_after_feed(&a, s->b + from, s->n - from, on_name, &ns, &connect,
					      &reason),
				H2_NEED_MORE);
		CU_ASSERT_STRING_EQUAL(ns.text, "ok.ru,");
	}
	/* A CONNECT later on */
	s->n = n1;
	x->n = 0;
	hp_lit(x, 2, NULL, "CONNECT", false);
	hp_lit(x, 1, NULL, "m.vk.com:443", false);
	headers(s, 3, 0x01, x);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_NEED_MORE);
	CU_ASSERT_TRUE(connect);
	CU_ASSERT_STRING_EQUAL(ns.text, "m.vk.com,");
	/* Refused: a DATA frame inside a block, a CONTINUATION outside one,
	 * a PUSH_PROMISE, a HEADERS on a stream not above the last, the
	 * second block with a fresh table's view (the first reader's table
	 * not carried: here its entries are missing), a HEADERS frame over
	 * 16384 bytes */
	s->n = n1;
	frame(s, 1, 0x01, 3, b2->b, 2);
	frame(s, 0, 0x00, 1, body, sizeof(body));
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_continuation);
	s->n = n1;
	frame(s, 9, 0x04, 3, b2->b, b2->n);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_continuation);
	s->n = n1;
	frame(s, 5, 0x04, 1, body, 8);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_frame);
	/* a request's block on a stream already open: read as its trailers
	 * (8.1), which hold no pseudo-header */
	s->n = n1;
	headers(s, 1, 0x01, b3);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_pseudo);
	/* and without END_STREAM: not trailers either */
	s->n = n1;
	headers(s, 1, 0x00, b3);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_frame);
	s->n = 0;
	start(s);
	x->n = 0;
	hp_request(x, "www.example.org", false);
	headers(s, 1, 0x01, x);
	n1 = s->n;
	headers(s, 3, 0x01, b2);
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_hpack);
	s->n = n1;
	{
		uint8_t *big = calloc(1, 16385);

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		frame(s, 1, 0x04, 3, big, 16385);
		free(big);
	}
	CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
	CU_ASSERT_EQUAL(reason, H2_R_frame_size);
	/* Trailers (RFC 9113 8.1): a POST on stream 3, its body, then a
	 * HEADERS with END_STREAM on stream 3 whose field enters the table
	 * (literal with incremental indexing, x-checksum: abc); stream 5's
	 * request then indexes it (62) as a field of its own: read only with
	 * the trailers decoded into the table. */
	s->n = 0;
	start(s);
	x->n = 0;
	hp_request(x, "www.example.org", false);
	headers(s, 1, 0x01, x);
	n1 = s->n;
	x->n = 0;
	hp_request(x, "www.example.org", false);
	frame(s, 1, 0x04, 3, x->b, x->n); /* no END_STREAM: a body comes */
	frame(s, 0, 0x00, 3, body, sizeof(body));
	{
		struct buf *tr = b_new(), *rq = b_new(), *save = b_new();

		b_u8(tr, 0x40);
		hp_str(tr, "x-checksum", false);
		hp_str(tr, "abc", true);
		hp_request(rq, "m.vk.com", false);
		b_u8(rq, 0x80 | 62);
		b_mem(save, s->b, s->n);
		{
			uint8_t pl[64];
			size_t k = 0;

			pl[k++] = 2; /* PADDED: 2 zeros */
			memcpy(pl + k, tr->b, tr->n);
			k += tr->n;
			pl[k++] = 0;
			pl[k++] = 0;
			frame(s, 1, 0x08 | 0x04 | 0x01, 3, pl, k);
		}
		headers(s, 5, 0x01, rq);
		CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_NEED_MORE);
		CU_ASSERT_STRING_EQUAL(ns.text, "www.example.org,m.vk.com,");
		for (size_t cut = 1; cut < s->n - n1; cut += 7) {
			CU_ASSERT_EQUAL(after_names(s, n1, cut, &ns, &reason, &connect), H2_NEED_MORE);
			CU_ASSERT_STRING_EQUAL(ns.text, "www.example.org,m.vk.com,");
		}
		/* trailers without END_STREAM: refused */
		s->n = save->n;
		memcpy(s->b, save->b, s->n);
		frame(s, 1, 0x04, 3, tr->b, tr->n);
		CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, H2_R_frame);
		/* a pseudo-header in trailers: refused */
		s->n = save->n;
		memcpy(s->b, save->b, s->n);
		frame(s, 1, 0x05, 3, rq->b, rq->n - 1);
		CU_ASSERT_EQUAL(after_names(s, n1, 0, &ns, &reason, &connect), H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, H2_R_pseudo);
		free(tr);
		free(rq);
		free(save);
	}
	/* sticky */
	{
		static struct h2_after a;
		static struct h2_reader r;
		char name[H2_NAME_CAP];

		h2_reader_init(&r);
		CU_ASSERT_EQUAL(h2_read_all(&r, s->b, n1, name, sizeof(name), &reason, NULL, NULL),
				H2_DONE);
		h2_after_init(&a, &r);
		CU_ASSERT_EQUAL(h2_after_feed(&a, (const uint8_t *)"\0\0\0\x05\x04\0\0\0\x01", 9,
					      NULL, NULL, NULL, &reason),
				H2_MALFORMED);
		reason = 0;
		CU_ASSERT_EQUAL(h2_after_feed(&a, body, 1, NULL, NULL, NULL, &reason), H2_MALFORMED);
		CU_ASSERT_EQUAL(reason, H2_R_frame);
	}
	free(b1);
	free(b2);
	free(b3);
	free(s);
	free(x);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"RFC 7541 C.3: requests without Huffman", test_rfc_c3},
		{"RFC 7541 C.4: requests with Huffman", test_rfc_c4},
		{"Huffman: every byte value", test_huffman_all_bytes},
		{"whole h2c streams", test_stream},
		{"split at every byte", test_every_split},
		{"CONTINUATION", test_continuation},
		{"PADDED and PRIORITY", test_padded_priority},
		{"frame refusals", test_frames},
		{":authority and host", test_authority},
		{"field rules", test_fields},
		{"HPACK refusals", test_bad_hpack},
		{"dynamic table bounds", test_table},
		{"not h2, reason names", test_not_h2},
		{"cut and mutated streams", test_cut_and_mutate},
		{"random header blocks", test_random_blocks},
		{"further header blocks", test_more_blocks},
		{"further blocks cut and mutated", test_more_blocks_cut},
		{"after the first requests (h2_after)", test_after},
		CU_TEST_INFO_NULL,
	};

	return unit_run("h2", NULL, NULL, tests);
}
