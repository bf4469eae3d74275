/* h2.c - the h2c first-request reader (h2.h).
 *
 * Two stages, as in tls.c. h2_walk() goes over the frames as the stream
 * grows, checks each frame header as soon as it is in (so a bad stream is
 * refused before its payload comes) and notes where the header block's
 * fragments lie; the caller's buffer holds the whole stream, so they are
 * not copied. Once the block is whole, h2_decode() reads it once through a
 * cursor over those fragments, with every integer, index and string length
 * checked against what is left. h2_read_all() does that for the first
 * block, then, on the same call, for each further block already whole.
 * Nothing here allocates or keeps global state.
 */
#include "h2.h"

#include <string.h>

#define H2_FT_DATA	    0x0
#define H2_FT_HEADERS	    0x1
#define H2_FT_PRIORITY	    0x2
#define H2_FT_RST_STREAM    0x3
#define H2_FT_SETTINGS	    0x4
#define H2_FT_PUSH_PROMISE  0x5
#define H2_FT_PING	    0x6
#define H2_FT_GOAWAY	    0x7
#define H2_FT_WINDOW_UPDATE 0x8
#define H2_FT_CONTINUATION  0x9

#define H2_FL_ACK	  0x01 /* SETTINGS, PING */
#define H2_FL_END_HEADERS 0x04
#define H2_FL_PADDED	  0x08
#define H2_FL_PRIORITY	  0x20

#define H2_FRAME_HDR 9
#define H2_STATIC_N  61 /* RFC 7541 Appendix A */
#define H2_ENTRY_OH  32 /* RFC 7541 4.1: each entry's overhead */
/* No integer here (a length, an index, a size) means anything near 2^24;
 * a bound keeps the sums in 32 bits and refuses over-long encodings. */
#define H2_INT_MAX   (1u << 24)
#define H2_LABEL_MAX 63

static const char h2_preface[H2_PREFACE_LEN + 1] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static const char *const h2_reason_names[] = {
#define X(n) #n,
	H2_REASONS(X)
#undef X
};

const char *h2_reason_name(unsigned reason)
{
	return reason < H2_R_COUNT ? h2_reason_names[reason] : "?";
}

bool h2_is_preface(const uint8_t *p, size_t len)
{
	size_t n = len < H2_PREFACE_LEN ? len : H2_PREFACE_LEN;

	if (!p)
		return len == 0;
	return memcmp(p, h2_preface, n) == 0;
}

/* ---- static table and Huffman code (RFC 7541 Appendices A and B) ---------- */

static const struct {
	const char *name, *value;
} h2_static[H2_STATIC_N] = {
	{":authority", ""},
	{":method", "GET"},
	{":method", "POST"},
	{":path", "/"},
	{":path", "/index.html"},
	{":scheme", "http"},
	{":scheme", "https"},
	{":status", "200"},
	{":status", "204"},
	{":status", "206"},
	{":status", "304"},
	{":status", "400"},
	{":status", "404"},
	{":status", "500"},
	{"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"},
	{"accept-language", ""},
	{"accept-ranges", ""},
	{"accept", ""},
	{"access-control-allow-origin", ""},
	{"age", ""},
	{"allow", ""},
	{"authorization", ""},
	{"cache-control", ""},
	{"content-disposition", ""},
	{"content-encoding", ""},
	{"content-language", ""},
	{"content-length", ""},
	{"content-location", ""},
	{"content-range", ""},
	{"content-type", ""},
	{"cookie", ""},
	{"date", ""},
	{"etag", ""},
	{"expect", ""},
	{"expires", ""},
	{"from", ""},
	{"host", ""},
	{"if-match", ""},
	{"if-modified-since", ""},
	{"if-none-match", ""},
	{"if-range", ""},
	{"if-unmodified-since", ""},
	{"last-modified", ""},
	{"link", ""},
	{"location", ""},
	{"max-forwards", ""},
	{"proxy-authenticate", ""},
	{"proxy-authorization", ""},
	{"range", ""},
	{"referer", ""},
	{"refresh", ""},
	{"retry-after", ""},
	{"server", ""},
	{"set-cookie", ""},
	{"strict-transport-security", ""},
	{"transfer-encoding", ""},
	{"user-agent", ""},
	{"vary", ""},
	{"via", ""},
	{"www-authenticate", ""},
};

/* The HPACK Huffman code is canonical (codes of one length are consecutive,
 * in symbol order, each length's first code following the last shorter one)
 * and complete, so the per-length counts and the symbols sorted by (code
 * length, symbol) define it; decoding walks one bit at a time, at most 30
 * steps a symbol. Derived from Appendix B's table. */
static const uint8_t h2_huff_count[31] = {
	0, 0, 0, 0, 0, 10, 26, 32, 6,  0, 5,  3,  2,  6, 2, 3,
	0, 0, 0, 3, 8, 13, 26, 29, 12, 4, 15, 19, 29, 0, 4,
};

#define H2_HUFF_EOS 256

/* Derived from h2_huff_count: for each length, the first code past the
 * codes of that length and shorter, left-justified in 30 bits; and the
 * first code of that length less the index of its first symbol in
 * h2_huff_sym. */
static const uint32_t h2_huff_limit[31] = {
	0x0,	    0x0,	0x0,	    0x0,	0x0,	    0x14000000, 0x2e000000,
	0x3e000000, 0x3f800000, 0x3f800000, 0x3fd00000, 0x3fe80000, 0x3ff00000, 0x3ffc0000,
	0x3ffe0000, 0x3fff8000, 0x3fff8000, 0x3fff8000, 0x3fff8000, 0x3fff9800, 0x3fffb800,
	0x3fffd200, 0x3fffec00, 0x3ffffa80, 0x3ffffd80, 0x3ffffe00, 0x3ffffef0, 0x3fffff88,
	0x3ffffffc, 0x3ffffffc, 0x40000000,
};
static const uint32_t h2_huff_base[31] = {
	0,	  0,	    0,	      0,	 0,	    0,	       10,	   56,
	180,	  434,	    942,      1963,	 4008,	    8100,      16290,	   32672,
	65439,	  130973,   262041,   524177,	 1048452,   2097010,   4194139,	   8388423,
	16777020, 33554226, 67108642, 134217489, 268435202, 536870657, 1073741567,
};

static const uint16_t h2_huff_sym[257] = {
	48,  49,  50,  97,  99,	 101, 105, 111, 115, 116, 32,  37,  45,	 46,  47,  51,	52,  53,
	54,  55,  56,  57,  61,	 65,  95,  98,	100, 102, 103, 104, 108, 109, 110, 112, 114, 117,
	58,  66,  67,  68,  69,	 70,  71,  72,	73,  74,  75,  76,  77,	 78,  79,  80,	81,  82,
	83,  84,  85,  86,  87,	 89,  106, 107, 113, 118, 119, 120, 121, 122, 38,  42,	44,  59,
	88,  90,  33,  34,  40,	 41,  63,  39,	43,  124, 35,  62,  0,	 36,  64,  91,	93,  126,
	94,  125, 60,  96,  123, 92,  195, 208, 128, 130, 131, 162, 184, 194, 224, 226, 153, 161,
	167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230, 129, 132, 133, 134, 136, 146, 154,
	156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232,
	233, 1,	  135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165,
	166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239, 9,	 142, 144, 145, 148, 159,
	171, 206, 215, 225, 236, 237, 199, 207, 234, 235, 192, 193, 200, 201, 202, 205, 210, 213,
	218, 219, 238, 240, 242, 243, 255, 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245,
	246, 247, 248, 250, 251, 252, 253, 254, 2,   3,	  4,   5,   6,	 7,   8,   11,	12,  14,
	15,  16,  17,  18,  19,	 20,  21,  23,	24,  25,  26,  27,  28,	 29,  30,  31,	127, 220,
	249, 10,  13,  22,  256,
};

/* The code of sym (MSB first) and its length. For the encoder only. */
static unsigned h2_huff_code(unsigned sym, uint32_t *code)
{
	uint32_t c = 0;
	unsigned i = 0;

	for (unsigned len = 1; len <= 30; len++) {
		for (unsigned k = 0; k < h2_huff_count[len]; k++, i++, c++) {
			if (h2_huff_sym[i] == sym) {
				*code = c;
				return len;
			}
		}
		c <<= 1;
	}
	return 0;
}

size_t h2_huff_encode(const void *s, size_t n, uint8_t *out, size_t cap)
{
	const uint8_t *p = s;
	uint64_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t code = 0;
		unsigned len = h2_huff_code(p[i], &code);

		acc = acc << len | code;
		bits += len;
		while (bits >= 8) {
			if (o == cap)
				return 0;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (bits) {
		/* Pad with the most significant bits of EOS: ones. */
		if (o == cap)
			return 0;
		out[o++] = (uint8_t)(acc << (8 - bits) | (0xffu >> bits));
	}
	return o;
}

/* ---- the dynamic table ---------------------------------------------------- */

void h2_hpack_init(struct h2_hpack *t)
{
	memset(t, 0, sizeof(*t));
	t->max = H2_TABLE_MAX;
}

unsigned h2_hpack_count(const struct h2_hpack *t)
{
	return t->count;
}

uint32_t h2_hpack_size(const struct h2_hpack *t)
{
	return t->size;
}

static void h2_ring_read(const struct h2_hpack *t, uint32_t off, uint32_t n, char *dst)
{
	for (uint32_t k = 0; k < n; k++)
		dst[k] = (char)t->ring[(off + k) % H2_TABLE_MAX];
}

/* Drop the oldest entries until need more bytes fit under max. */
static void h2_tbl_evict(struct h2_hpack *t, uint32_t need)
{
	while (t->count && t->size + need > t->max) {
		const struct h2_entry *e = &t->ent[t->first];

		t->size -= (uint32_t)e->name_len + e->value_len + H2_ENTRY_OH;
		t->first = (uint16_t)((t->first + 1) % H2_TABLE_ENTRIES);
		t->count--;
	}
}

/* RFC 7541 4.4: a new entry evicts old ones; one larger than max empties
 * the table and is not added. name and value are whole here (the entry
 * fits, so they fit H2_FIELD_KEEP). */
static void h2_tbl_add(struct h2_hpack *t, const char *name, uint32_t nl, const char *value,
		       uint32_t vl)
{
	uint32_t sz = nl + vl + H2_ENTRY_OH;
	struct h2_entry *e;

	if (sz > t->max) {
		t->count = 0;
		t->size = 0;
		return;
	}
	h2_tbl_evict(t, sz);
	/* Each entry is at least 32 bytes, so count + 1 <= max / 32 <=
	 * H2_TABLE_ENTRIES now: the slot is free. */
	e = &t->ent[(t->first + t->count) % H2_TABLE_ENTRIES];
	e->off = t->wr;
	e->name_len = (uint16_t)nl;
	e->value_len = (uint16_t)vl;
	for (uint32_t k = 0; k < nl; k++)
		t->ring[(t->wr + k) % H2_TABLE_MAX] = (uint8_t)name[k];
	for (uint32_t k = 0; k < vl; k++)
		t->ring[(t->wr + nl + k) % H2_TABLE_MAX] = (uint8_t)value[k];
	t->wr = (uint16_t)((t->wr + nl + vl) % H2_TABLE_MAX);
	t->count++;
	t->size += sz;
}

/* Entry i of the dynamic table, 1 the newest. */
static const struct h2_entry *h2_tbl_get(const struct h2_hpack *t, uint32_t i)
{
	if (i < 1 || i > t->count)
		return NULL;
	return &t->ent[(t->first + t->count - i) % H2_TABLE_ENTRIES];
}

bool h2_hpack_entry(const struct h2_hpack *t, unsigned i, char *name, size_t name_size, char *value,
		    size_t value_size)
{
	const struct h2_entry *e = h2_tbl_get(t, i);
	uint32_t n;

	if (!e || !name_size || !value_size)
		return false;
	n = e->name_len < name_size - 1 ? e->name_len : (uint32_t)(name_size - 1);
	h2_ring_read(t, e->off, n, name);
	name[n] = '\0';
	n = e->value_len < value_size - 1 ? e->value_len : (uint32_t)(value_size - 1);
	h2_ring_read(t, (uint32_t)(e->off + e->name_len) % H2_TABLE_MAX, n, value);
	value[n] = '\0';
	return true;
}

/* ---- reading a header block ------------------------------------------------ */

/* A cursor over the block's fragments in the stream. */
struct h2_cur {
	const uint8_t *base;
	const uint32_t *off, *len;
	unsigned n, fi; /* fragments, the current one */
	uint32_t pos;	/* in the current fragment */
	uint32_t left;	/* bytes of the block left */
};

static int h2_get(struct h2_cur *c)
{
	while (c->fi < c->n && c->pos >= c->len[c->fi]) {
		c->fi++;
		c->pos = 0;
	}
	if (c->fi >= c->n || !c->left)
		return -1;
	c->left--;
	return c->base[c->off[c->fi] + c->pos++];
}

/* RFC 7541 5.1: an integer with an n-bit prefix, b its first byte. */
static bool h2_int(struct h2_cur *c, unsigned b, unsigned n, uint32_t *v)
{
	uint32_t mask = (1u << n) - 1, x = b & mask;

	if (x < mask) {
		*v = x;
		return true;
	}
	/* At most 4 more bytes: 2^28 is past H2_INT_MAX already. */
	for (unsigned shift = 0; shift <= 21; shift += 7) {
		int o = h2_get(c);

		if (o < 0)
			return false;
		x += (uint32_t)(o & 0x7f) << shift;
		if (!(o & 0x80)) {
			*v = x;
			return x <= H2_INT_MAX;
		}
	}
	return false;
}

/* Where a decoded string goes: the first cap bytes kept, every byte
 * checked by the field rules of its kind (RFC 9113 8.2.1). */
struct h2_sink {
	char *buf;
	uint32_t cap, have, len;
	bool name;    /* a field name, else a value */
	uint8_t last; /* the last byte */
	unsigned why; /* the first rule broken, H2_R_none when none */
};

/* tchar (RFC 9110 5.6.2) without upper case: the bytes of a field name. */
static bool h2_name_byte(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void h2_put(struct h2_sink *s, uint8_t c)
{
	if (s->name) {
		/* ':' only opens a pseudo-header's name. Upper case, controls,
		 * white space, non-ASCII and separators are refused: servers
		 * differ on what they make of them. */
		if (!h2_name_byte(c) && !(c == ':' && s->len == 0))
			s->why = s->why ? s->why : H2_R_field;
	} else {
		/* NUL, CR and LF could split a field when a proxy writes the
		 * request as HTTP/1.1; white space at the start is trimmed by
		 * some and kept by others. */
		if (c == 0 || c == '\r' || c == '\n' || (s->len == 0 && (c == ' ' || c == '\t')))
			s->why = s->why ? s->why : H2_R_field;
	}
	if (s->have < s->cap)
		s->buf[s->have++] = (char)c;
	s->len++;
	s->last = c;
}

/* Huffman-decode n bytes (RFC 7541 5.2) into s, a symbol at a time: the
 * next 30 bits, left-justified, are below h2_huff_limit[len] for the first
 * len that is their code's length (shorter codes are numerically smaller
 * in a canonical code). Past the end the window is filled with ones, so a
 * code longer than the bits left means the rest is padding. */
static unsigned h2_huff(struct h2_cur *c, uint32_t n, struct h2_sink *s)
{
	uint64_t acc = 0; /* the low nb bits are unread input */
	unsigned nb = 0;
	uint32_t in = 0;

	for (;;) {
		uint32_t w, pad;
		unsigned len = 5;

		while (nb <= 56 && in < n) {
			int o = h2_get(c);

			if (o < 0)
				return H2_R_hpack;
			acc = acc << 8 | (unsigned)o;
			nb += 8;
			in++;
		}
		if (nb == 0)
			return H2_R_none;
		if (nb >= 30)
			w = (uint32_t)(acc >> (nb - 30)) & 0x3fffffffu;
		else
			w = (uint32_t)(acc << (30 - nb)) | ((1u << (30 - nb)) - 1);
		while (w >= h2_huff_limit[len])
			len++; /* ends by 30: h2_huff_limit[30] is 2^30 */
		if (len > nb) {
			/* Padding: fewer than 8 bits, the most significant
			 * of EOS (ones). */
			pad = (1u << nb) - 1;
			return nb <= 7 && (acc & pad) == pad ? H2_R_none : H2_R_hpack;
		}
		{
			unsigned sym = h2_huff_sym[(w >> (30 - len)) - h2_huff_base[len]];

			if (sym == H2_HUFF_EOS)
				return H2_R_hpack; /* RFC 7541 5.2: EOS is an error */
			h2_put(s, (uint8_t)sym);
		}
		nb -= len;
		acc &= nb ? (UINT64_MAX >> (64 - nb)) : 0;
	}
}

/* A string literal (RFC 7541 5.2), b... its first byte read from c. */
static unsigned h2_string(struct h2_cur *c, struct h2_sink *s)
{
	int b = h2_get(c);
	uint32_t n;

	if (b < 0 || !h2_int(c, (unsigned)b, 7, &n) || n > c->left)
		return H2_R_hpack;
	if (b & 0x80)
		return h2_huff(c, n, s);
	for (uint32_t i = 0; i < n; i++)
		h2_put(s, (uint8_t)h2_get(c));
	return H2_R_none;
}

/* The pseudo-headers of a request (RFC 9113 8.3.1; :protocol RFC 8441). */
enum {
	H2_PS_METHOD = 1 << 0,
	H2_PS_SCHEME = 1 << 1,
	H2_PS_AUTHORITY = 1 << 2,
	H2_PS_PATH = 1 << 3,
	H2_PS_PROTOCOL = 1 << 4,
};

/* What the fields of one block said so far. */
struct h2_fields {
	bool trailers;	 /* a trailer section (RFC 9113 8.1): no pseudo-header, no host */
	unsigned pseudo; /* H2_PS_* seen */
	bool regular;	 /* a regular field seen: no pseudo-header after it */
	bool connect;	 /* :method CONNECT */
	bool has_host;
	char authority[H2_NAME_CAP]; /* the :authority host */
	char host[H2_NAME_CAP];	     /* the host field's host */
};

static bool h2_host_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static bool h2_hex_byte(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* An authority (RFC 9113 8.3.1, RFC 3986 3.2) of n bytes: a host name or
 * IPv4 address, or "[IPv6]", and an optional ":port" of 1 to 5 digits up
 * to 65535. Its host goes to out, lower-cased, without brackets. Refused:
 * userinfo, percent-encoding, a zone, empty or over-long labels and names,
 * an empty port: none are in a real client's request, and servers do not
 * all read them alike. */
static unsigned h2_authority(const char *v, size_t n, char *out, size_t cap)
{
	size_t hs, he, i, label = 0;

	if (n == 0)
		return H2_R_authority;
	if (v[0] == '[') {
		const char *rb = memchr(v, ']', n);
		bool colon = false;

		if (!rb)
			return H2_R_authority;
		hs = 1;
		he = (size_t)(rb - v);
		for (i = hs; i < he; i++) {
			if (v[i] == ':')
				colon = true;
			else if (!h2_hex_byte((uint8_t)v[i]) && v[i] != '.')
				return H2_R_authority;
		}
		if (!colon)
			return H2_R_authority;
		i = he + 1;
	} else {
		hs = 0;
		for (i = 0; i < n && v[i] != ':'; i++) {
			if (v[i] == '.') {
				if (label == 0)
					return H2_R_authority; /* a leading dot, or ".." */
				label = 0;
			} else if (!h2_host_byte((uint8_t)v[i]) || ++label > H2_LABEL_MAX) {
				return H2_R_authority;
			}
		}
		he = i;
		/* One trailing dot is kept: the lists ignore it. */
		if (he - hs > H2_NAME_MAX || (he - hs == H2_NAME_MAX && v[he - 1] != '.'))
			return H2_R_authority;
	}
	if (i < n) {
		uint32_t port = 0;
		size_t d;

		if (v[i] != ':')
			return H2_R_authority;
		for (d = i + 1; d < n && d - i <= 5; d++) {
			if (v[d] < '0' || v[d] > '9')
				return H2_R_authority;
			port = port * 10 + (uint32_t)(v[d] - '0');
		}
		if (d != n || d == i + 1 || d - i > 6 || port > 65535)
			return H2_R_authority;
	}
	if (he <= hs || he - hs >= cap)
		return H2_R_authority;
	for (i = hs; i < he; i++)
		out[i - hs] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
	out[he - hs] = '\0';
	return H2_R_none;
}

static bool h2_is(const struct h2_field *f, const char *s)
{
	size_t n = strlen(s);

	return f->name_len == n && f->name_have == n && memcmp(f->name, s, n) == 0;
}

static bool h2_value_is(const struct h2_field *f, const char *s)
{
	size_t n = strlen(s);

	return f->value_len == n && f->value_have == n && memcmp(f->value, s, n) == 0;
}

/* One field, in order: the request rules of RFC 9113 8.2.2 and 8.3. */
static unsigned h2_field(struct h2_fields *fs, const struct h2_field *f, size_t name_cap)
{
	static const char *const conn[] = {"connection", "proxy-connection", "keep-alive",
					   "transfer-encoding", "upgrade"};
	unsigned bit = 0;

	if (f->name_len && f->name[0] == ':') {
		if (fs->regular || fs->trailers)
			return H2_R_pseudo;
		if (h2_is(f, ":method"))
			bit = H2_PS_METHOD;
		else if (h2_is(f, ":scheme"))
			bit = H2_PS_SCHEME;
		else if (h2_is(f, ":authority"))
			bit = H2_PS_AUTHORITY;
		else if (h2_is(f, ":path"))
			bit = H2_PS_PATH;
		else if (h2_is(f, ":protocol"))
			bit = H2_PS_PROTOCOL;
		else
			return H2_R_pseudo; /* :status and the unknown */
		if (fs->pseudo & bit)
			return bit == H2_PS_AUTHORITY ? H2_R_authority : H2_R_pseudo;
		fs->pseudo |= bit;
		if (bit == H2_PS_METHOD)
			fs->connect = h2_value_is(f, "CONNECT");
		if (bit == H2_PS_PATH && !h2_value_is(f, "*") &&
		    (f->value_len == 0 || f->value[0] != '/'))
			return H2_R_pseudo; /* an absolute form: its host could win */
		if (bit == H2_PS_AUTHORITY) {
			if (f->value_have < f->value_len)
				return H2_R_authority;
			return h2_authority(f->value, f->value_len, fs->authority, name_cap);
		}
		return H2_R_none;
	}
	fs->regular = true;
	if (h2_is(f, "host")) {
		if (fs->has_host || fs->trailers || f->value_have < f->value_len)
			return H2_R_authority;
		fs->has_host = true;
		return h2_authority(f->value, f->value_len, fs->host, name_cap);
	}
	for (unsigned i = 0; i < sizeof(conn) / sizeof(conn[0]); i++)
		if (h2_is(f, conn[i]))
			return H2_R_field;
	if (h2_is(f, "te") && !h2_value_is(f, "trailers"))
		return H2_R_field;
	return H2_R_none;
}

/* The block's end: the pseudo-headers a request needs (RFC 9113 8.3.1,
 * 8.5; RFC 8441 4), then the name. */
static unsigned h2_fields_end(struct h2_fields *fs, char *name)
{
	unsigned p = fs->pseudo;

	if (fs->trailers) {
		name[0] = '\0';
		return H2_R_none;
	}
	if (!(p & H2_PS_METHOD))
		return H2_R_pseudo;
	if (fs->connect && !(p & H2_PS_PROTOCOL)) {
		if (!(p & H2_PS_AUTHORITY) || (p & (H2_PS_SCHEME | H2_PS_PATH)))
			return H2_R_pseudo;
	} else if (!(p & H2_PS_SCHEME) || !(p & H2_PS_PATH) ||
		   ((p & H2_PS_PROTOCOL) && !fs->connect)) {
		return H2_R_pseudo;
	}
	if ((p & H2_PS_AUTHORITY) && fs->has_host && strcmp(fs->authority, fs->host) != 0)
		return H2_R_authority;
	strcpy(name, (p & H2_PS_AUTHORITY) ? fs->authority : fs->has_host ? fs->host : "");
	return H2_R_none;
}

/* Decode the block that c walks, with table t (RFC 7541 6). */
static enum h2_status h2_decode(struct h2_hpack *t, struct h2_cur *c, char *name, size_t name_cap,
				unsigned *reason, h2_field_fn fn, void *arg, bool trailers)
{
	char buf[H2_FIELD_KEEP]; /* the field being read: name, then value */
	struct h2_fields fs;
	bool any = false;      /* a field seen: no size update after it */
	uint32_t list = 0;     /* the header list's size so far (RFC 9113 6.5.2) */
	char own[H2_NAME_CAP]; /* the name, when the caller wants none */
	unsigned why = H2_R_none;
	int b;

	memset(&fs, 0, sizeof(fs));
	fs.trailers = trailers;
	if (!name || name_cap == 0) {
		name = own;
		name_cap = sizeof(own);
	}
	if (name_cap > H2_NAME_CAP)
		name_cap = H2_NAME_CAP;
	name[0] = '\0';
	while ((b = h2_get(c)) >= 0) {
		struct h2_sink s = {.buf = buf, .cap = sizeof(buf)};
		struct h2_field f = {.name = buf};
		uint32_t idx;
		bool index = false;

		if (b & 0x80) {
			/* 6.1 indexed: name and value from a table */
			if (!h2_int(c, (unsigned)b, 7, &idx) || idx == 0) {
				why = H2_R_hpack;
				goto out;
			}
		} else if ((b & 0xe0) == 0x20) {
			/* 6.3 size update: only before the block's first field,
			 * and within the limit the server's SETTINGS gave. */
			if (any || !h2_int(c, (unsigned)b, 5, &idx) || idx > H2_TABLE_MAX) {
				why = H2_R_hpack;
				goto out;
			}
			t->max = idx;
			h2_tbl_evict(t, 0);
			continue;
		} else {
			/* 6.2 literal: with incremental indexing (01, 6-bit
			 * index), without (0000) or never indexed (0001) */
			index = (b & 0x40) != 0;
			if (!h2_int(c, (unsigned)b, index ? 6 : 4, &idx)) {
				why = H2_R_hpack;
				goto out;
			}
		}
		any = true;
		/* The name: from a table entry, or a string. */
		if (idx == 0) {
			s.name = true;
			why = h2_string(c, &s);
			if (!why && s.len == 0)
				why = H2_R_field;
			if (!why)
				why = s.why;
			if (why)
				goto out;
			f.name_len = s.len;
			f.name_have = s.have;
		} else if (idx <= H2_STATIC_N) {
			f.name_len = f.name_have = (uint32_t)strlen(h2_static[idx - 1].name);
			memcpy(buf, h2_static[idx - 1].name, f.name_len);
			if (b & 0x80) {
				f.value_len = f.value_have =
					(uint32_t)strlen(h2_static[idx - 1].value);
				memcpy(buf + f.name_len, h2_static[idx - 1].value, f.value_len);
			}
		} else {
			const struct h2_entry *e = h2_tbl_get(t, idx - H2_STATIC_N);

			if (!e) {
				why = H2_R_hpack;
				goto out;
			}
			/* Bounded before the copy: a 1-byte index to a 4 KiB
			 * entry must not cost 4 KiB over and over. */
			if (list + e->name_len + e->value_len + H2_ENTRY_OH > H2_LIST_MAX) {
				why = H2_R_too_long;
				goto out;
			}
			/* Copied before the new entry may evict it (4.4). */
			f.name_len = f.name_have = e->name_len;
			h2_ring_read(t, e->off, e->name_len, buf);
			if (b & 0x80) {
				f.value_len = f.value_have = e->value_len;
				h2_ring_read(t, (uint32_t)(e->off + e->name_len) % H2_TABLE_MAX,
					     e->value_len, buf + e->name_len);
			}
		}
		f.value = buf + f.name_have;
		/* The value: a string, unless indexed (its bytes were checked
		 * when they came in). */
		if (!(b & 0x80)) {
			s.buf = buf + f.name_have;
			s.cap = (uint32_t)sizeof(buf) - f.name_have;
			s.have = s.len = 0;
			s.name = false;
			why = h2_string(c, &s);
			if (!why && s.len && (s.last == ' ' || s.last == '\t'))
				why = H2_R_field; /* white space at the end */
			if (!why)
				why = s.why;
			if (why)
				goto out;
			f.value_len = s.len;
			f.value_have = s.have;
		}
		list += f.name_len + f.value_len + H2_ENTRY_OH;
		if (list > H2_LIST_MAX) {
			why = H2_R_too_long;
			goto out;
		}
		why = h2_field(&fs, &f, name_cap);
		if (why)
			goto out;
		if (fn)
			fn(arg, &f);
		if (index)
			h2_tbl_add(t, f.name, f.name_len, f.value, f.value_len);
	}
	why = h2_fields_end(&fs, name);
out:
	if (reason)
		*reason = why;
	if (why)
		name[0] = '\0';
	return why ? H2_MALFORMED : H2_DONE;
}

enum h2_status h2_hpack_decode(struct h2_hpack *t, const uint8_t *block, size_t len, char *name,
			       size_t name_cap, unsigned *reason, h2_field_fn fn, void *arg)
{
	uint32_t off = 0, n = block ? (uint32_t)len : 0;
	struct h2_cur c = {.base = block, .off = &off, .len = &n, .n = 1, .left = n};

	/* A block is at most H2_BLOCK_MAX in h2_read_all(); the bound here only
	 * keeps the offsets in 32 bits. */
	if (len > H2_INT_MAX) {
		if (reason)
			*reason = H2_R_too_long;
		if (name && name_cap)
			name[0] = '\0';
		return H2_MALFORMED;
	}
	return h2_decode(t, &c, name, name_cap, reason, fn, arg, false);
}

/* ---- the frames ------------------------------------------------------------ */

void h2_reader_init(struct h2_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->status = H2_NEED_MORE;
	h2_hpack_init(&r->hpack);
}

static uint32_t h2_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The checks a frame header allows, before its payload is in. */
static unsigned h2_frame_head(const struct h2_reader *r, uint32_t flen, unsigned type,
			      unsigned flags, uint32_t sid)
{
	if (flen > H2_FRAME_MAX)
		return H2_R_frame_size;
	/* RFC 9113 3.4: the preface goes on with a SETTINGS frame (not an
	 * acknowledgement: there was nothing to acknowledge). */
	if (r->frames == 0 && (type != H2_FT_SETTINGS || (flags & H2_FL_ACK)))
		return H2_R_settings;
	/* 6.10: a header block is one run of frames on its stream. */
	if (r->block_sid && (type != H2_FT_CONTINUATION || sid != r->block_sid))
		return H2_R_continuation;
	switch (type) {
	case H2_FT_DATA:
		/* 5.1: DATA on an idle stream (none opened yet, or above the
		 * last one a HEADERS opened; an even one the client cannot
		 * open) is a connection error. On a stream a HEADERS opened
		 * it is a request body, skipped (on one closed since, a
		 * stream error at most): it carries no request. */
		return sid == 0 || !(sid & 1) || sid > r->last_sid ? H2_R_frame : H2_R_none;
	case H2_FT_PUSH_PROMISE:
		return H2_R_frame; /* a client never pushes */
	case H2_FT_HEADERS:
		/* 5.1.1: a client opens odd streams, each above the last
		 * (a second HEADERS on an open stream, trailers, would carry
		 * no request: refused too). */
		if (sid == 0 || !(sid & 1) || sid <= r->last_sid)
			return H2_R_frame;
		return r->blocks > H2_MORE_MAX ? H2_R_too_long : H2_R_none;
	case H2_FT_PRIORITY:
		return flen != 5 ? H2_R_frame_size : sid == 0 ? H2_R_frame : H2_R_none;
	case H2_FT_RST_STREAM:
		return flen != 4 ? H2_R_frame_size : sid == 0 ? H2_R_frame : H2_R_none;
	case H2_FT_SETTINGS:
		if (sid)
			return H2_R_settings;
		return ((flags & H2_FL_ACK) ? flen != 0 : flen % 6 != 0) ? H2_R_frame_size
									 : H2_R_none;
	case H2_FT_PING:
		return flen != 8 ? H2_R_frame_size : sid ? H2_R_frame : H2_R_none;
	case H2_FT_GOAWAY:
		return flen < 8 ? H2_R_frame_size : sid ? H2_R_frame : H2_R_none;
	case H2_FT_WINDOW_UPDATE:
		return flen != 4 ? H2_R_frame_size : H2_R_none;
	case H2_FT_CONTINUATION:
		if (!r->block_sid)
			return H2_R_continuation;
		if (r->nfrag >= H2_FRAGS_MAX || r->block_len + flen > H2_BLOCK_MAX)
			return H2_R_too_long;
		return H2_R_none;
	default:
		return H2_R_none; /* 5.5: unknown types are ignored */
	}
}

/* SETTINGS values a server refuses (6.5.2; RFC 8441 3). */
static unsigned h2_settings(const uint8_t *p, uint32_t flen)
{
	for (uint32_t i = 0; i + 6 <= flen; i += 6) {
		unsigned id = (unsigned)p[i] << 8 | p[i + 1];
		uint32_t v = h2_u32(p + i + 2);

		if (((id == 0x2 || id == 0x8) && v > 1) || (id == 0x4 && v > 0x7fffffffu) ||
		    (id == 0x5 && (v < 16384 || v > 0xffffffu)))
			return H2_R_settings;
	}
	return H2_R_none;
}

/* Where a HEADERS frame's fragment lies in its payload (p, flen bytes):
 * past *head bytes (pad length, priority), before *pad bytes of padding. */
static unsigned h2_headers_frag(const uint8_t *p, uint32_t flen, unsigned flags, uint32_t sid,
				uint32_t *head, uint32_t *pad)
{
	*head = 0;
	*pad = 0;
	if (flags & H2_FL_PADDED) {
		if (flen < 1)
			return H2_R_padding;
		*pad = p[0];
		*head = 1;
	}
	if (flags & H2_FL_PRIORITY) {
		if (flen < *head + 5)
			return H2_R_frame_size;
		/* 5.3.1: a stream cannot depend on itself. */
		if ((h2_u32(p + *head) & 0x7fffffffu) == sid)
			return H2_R_frame;
		*head += 5;
	}
	if (*pad > flen - *head)
		return H2_R_padding;
	/* 6.2: padding is zeros; a receiver may refuse other bytes. */
	for (uint32_t i = flen - *pad; i < flen; i++)
		if (p[i])
			return H2_R_padding;
	return H2_R_none;
}

/* A HEADERS frame's fragment: without pad length, priority and padding. */
static unsigned h2_headers(struct h2_reader *r, const uint8_t *p, uint32_t flen, unsigned flags,
			   uint32_t sid, uint32_t at)
{
	uint32_t head, pad;
	unsigned why = h2_headers_frag(p, flen, flags, sid, &head, &pad);

	if (why)
		return why;
	r->frag_off[0] = at + head;
	r->frag_len[0] = flen - head - pad;
	r->nfrag = 1;
	r->block_len = r->frag_len[0];
	r->last_sid = sid;
	r->blocks++;
	return H2_R_none;
}

/* A DATA frame's padding (6.1), as a HEADERS frame's. */
static unsigned h2_data(const uint8_t *p, uint32_t flen, unsigned flags)
{
	uint32_t pad;

	if (!(flags & H2_FL_PADDED))
		return H2_R_none;
	if (flen < 1 || p[0] > flen - 1)
		return H2_R_padding;
	pad = p[0];
	for (uint32_t i = flen - pad; i < flen; i++)
		if (p[i])
			return H2_R_padding;
	return H2_R_none;
}

static enum h2_status h2_end(struct h2_reader *r, enum h2_status st, unsigned why, char *name,
			     size_t name_cap, unsigned *reason)
{
	r->status = (uint8_t)st;
	r->reason = (uint8_t)why;
	if (reason)
		*reason = r->reason;
	if (name && name_cap) {
		size_t n = st == H2_DONE ? strlen(r->name) : 0;

		if (n >= name_cap)
			n = 0; /* cannot happen: the name was read to fit */
		memcpy(name, r->name, n);
		name[n] = '\0';
	}
	return st;
}

/* Walk the frames from r->at to len, checking each frame header as soon as
 * it is in and each frame once whole. True when a header block has just
 * been completed (its fragments in r->frag_*, r->at past it); false when
 * the bytes ran out first (r->at at the first frame not whole) or with
 * *why set when a frame was refused. */
static bool h2_walk(struct h2_reader *r, const uint8_t *data, uint32_t len, unsigned *why)
{
	*why = H2_R_none;
	while (len - r->at >= H2_FRAME_HDR) {
		const uint8_t *h = data + r->at;
		uint32_t flen = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
		unsigned type = h[3], flags = h[4];
		uint32_t sid = h2_u32(h + 5) & 0x7fffffffu; /* the reserved bit is ignored */
		const uint8_t *p = h + H2_FRAME_HDR;
		bool end = false;

		*why = h2_frame_head(r, flen, type, flags, sid);
		if (*why)
			return false;
		if (len - r->at - H2_FRAME_HDR < flen)
			return false;
		switch (type) {
		case H2_FT_DATA:
			*why = h2_data(p, flen, flags);
			break;
		case H2_FT_SETTINGS:
			if (!(flags & H2_FL_ACK))
				*why = h2_settings(p, flen);
			break;
		case H2_FT_WINDOW_UPDATE:
			if (!(h2_u32(p) & 0x7fffffffu))
				*why = H2_R_frame; /* 6.9: a zero increment */
			break;
		case H2_FT_PRIORITY:
			if ((h2_u32(p) & 0x7fffffffu) == sid)
				*why = H2_R_frame;
			break;
		case H2_FT_HEADERS: {
			uint32_t prev = r->last_sid;

			*why = h2_headers(r, p, flen, flags, sid, r->at + H2_FRAME_HDR);
			end = flags & H2_FL_END_HEADERS;
			if (!*why && !end) {
				r->block_sid = sid;
				r->block_at = r->at;
				r->prev_sid = prev;
			}
			break;
		}
		case H2_FT_CONTINUATION:
			r->frag_off[r->nfrag] = r->at + H2_FRAME_HDR;
			r->frag_len[r->nfrag] = flen;
			r->nfrag++;
			r->block_len += flen;
			end = flags & H2_FL_END_HEADERS;
			break;
		default:
			break;
		}
		if (*why)
			return false;
		r->at += H2_FRAME_HDR + flen;
		r->frames++;
		if (end) {
			r->block_sid = 0;
			return true;
		}
	}
	return false;
}

/* What a block's fields say of the request: a CONNECT (RFC 9113 8.5), and
 * whether its :protocol is websocket (RFC 8441: not a tunnel). */
struct h2_block_seen {
	bool connect, protocol;
};

static void h2_block_field(void *arg, const struct h2_field *f)
{
	struct h2_block_seen *s = arg;

	if (f->name_len == 7 && f->name_have == 7 && memcmp(f->name, ":method", 7) == 0)
		s->connect = f->value_len == 7 && f->value_have == 7 &&
			     memcmp(f->value, "CONNECT", 7) == 0;
	else if (f->name_len == 9 && f->name_have == 9 && memcmp(f->name, ":protocol", 9) == 0)
		/* a WebSocket only: connect-udp and connect-ip (RFC 9298,
		 * RFC 9484) are proxies too */
		s->protocol = f->value_len == 9 && f->value_have == 9 &&
			      strncasecmp(f->value, "websocket", 9) == 0;
}

/* Decode the block h2_walk() just completed, with r's table. A CONNECT
 * marks the reader (h2_reader.connect: the caller's proxy class; red team
 * round 21, h2c_connect: an h2c CONNECT tunnel passed as plain HTTP). */
static enum h2_status h2_block(struct h2_reader *r, const uint8_t *data, char *name,
			       size_t name_cap, unsigned *why)
{
	struct h2_cur c = {.base = data,
			   .off = r->frag_off,
			   .len = r->frag_len,
			   .n = r->nfrag,
			   .left = r->block_len};
	struct h2_block_seen seen = {false, false};
	enum h2_status st =
		h2_decode(&r->hpack, &c, name, name_cap, why, h2_block_field, &seen, false);

	if (st == H2_DONE && seen.connect && !seen.protocol)
		r->connect = 1;
	return st;
}

enum h2_status h2_read_all(struct h2_reader *r, const uint8_t *data, size_t len, char *name,
			   size_t name_cap, unsigned *reason, h2_name_fn *fn, void *arg)
{
	/* The cap the names are read with: a smaller buffer than
	 * H2_NAME_CAP refuses longer names, for every block alike. */
	size_t cap = name && name_cap && name_cap < H2_NAME_CAP ? name_cap : H2_NAME_CAP;
	char more[H2_NAME_CAP]; /* a further block's name */
	unsigned why = H2_R_none;
	uint32_t n;

	if (r->status != H2_NEED_MORE)
		return h2_end(r, (enum h2_status)r->status, r->reason, name, name_cap, reason);
	if (!data)
		len = 0;
	if (r->at == 0) {
		if (!h2_is_preface(data, len))
			return h2_end(r, H2_NOT_H2, H2_R_none, name, name_cap, reason);
		if (len < H2_PREFACE_LEN)
			return h2_end(r, H2_NEED_MORE, H2_R_none, name, name_cap, reason);
		r->at = H2_PREFACE_LEN;
	}
	/* The stream offsets are 32-bit: a longer stream is read no further
	 * (the block is far over its bound by then). */
	n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	if (n < r->at)
		n = r->at; /* a shorter stream than before: nothing new */
	if (!h2_walk(r, data, n, &why))
		return h2_end(r, why ? H2_MALFORMED : H2_NEED_MORE, why, name, name_cap, reason);
	if (h2_block(r, data, r->name, cap, &why) != H2_DONE)
		return h2_end(r, H2_MALFORMED, why, name, name_cap, reason);
	if (fn && r->name[0])
		fn(arg, r->name, strlen(r->name));
	/* The further whole blocks already in: a server serves each by its
	 * own :authority (RFC 9113 8.3.1). At most H2_MORE_MAX of them
	 * (h2_frame_head() refuses the HEADERS of one more); a block or
	 * frame not whole is left, its bytes come after our verdict. */
	while (h2_walk(r, data, n, &why)) {
		if (h2_block(r, data, more, cap, &why) != H2_DONE)
			break;
		if (fn && more[0])
			fn(arg, more, strlen(more));
	}
	if (why)
		return h2_end(r, H2_MALFORMED, why, name, name_cap, reason);
	return h2_end(r, H2_DONE, H2_R_none, name, name_cap, reason);
}

enum h2_status h2_read(struct h2_reader *r, const uint8_t *data, size_t len, char *name,
		       size_t name_cap, unsigned *reason)
{
	return h2_read_all(r, data, len, name, name_cap, reason, NULL, NULL);
}

/* ---- After the first requests (h2.h, struct h2_after) ------------------------ */

static const uint8_t h2_after_prefix[H2_PREFACE_LEN + H2_FRAME_HDR] = {
	'P', 'R', 'I', ' ', '*', ' ', 'H', 'T', 'T', 'P', '/', '2', '.', '0', '\r', '\n',
	'\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n', 0, 0, 0, H2_FT_SETTINGS, 0, 0, 0, 0, 0};

uint32_t h2_after_init(struct h2_after *a, const struct h2_reader *r)
{
	a->hpack = r->hpack;
	a->skip = a->want = 0;
	a->hdr_have = a->in_block = a->end = a->trailer = 0;
	a->tsid = 0;
	a->status = H2_NEED_MORE;
	a->reason = H2_R_none;
	memcpy(a->buf, h2_after_prefix, sizeof(h2_after_prefix));
	a->len = sizeof(h2_after_prefix);
	if (r->at == 0) { /* the preface not whole yet: passed over */
		a->last_sid = 0;
		a->skip = H2_PREFACE_LEN;
		return 0;
	}
	if (r->block_sid) { /* a block not whole: read again from its HEADERS */
		a->last_sid = r->prev_sid;
		return r->block_at;
	}
	a->last_sid = r->last_sid;
	return r->at;
}

/* A trailer section in a->buf, whole (its HEADERS on a stream already
 * open, with END_STREAM: RFC 9113 8.1; Go's http2.Transport sends a
 * request's Trailer so, red team round 6, rt6_h2pk_trailers_ok): its
 * fragments joined, without padding and priority, and decoded with the
 * table, which it updates as the server's; no pseudo-header, no host. */
static unsigned h2_after_trailers(struct h2_after *a)
{
	uint8_t blk[H2_BLOCK_MAX];
	uint32_t bl = 0, o = sizeof(h2_after_prefix), off = 0, n;
	unsigned why = H2_R_none;

	while (o < a->len) {
		const uint8_t *h = a->buf + o, *p = h + H2_FRAME_HDR;
		uint32_t flen = (uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2];
		uint32_t head = 0, pad = 0;

		if (h[3] == H2_FT_HEADERS &&
		    (why = h2_headers_frag(p, flen, h[4], a->tsid, &head, &pad)) != H2_R_none)
			return why;
		if (bl + (flen - head - pad) > sizeof(blk))
			return H2_R_too_long;
		memcpy(blk + bl, p + head, flen - head - pad);
		bl += flen - head - pad;
		o += H2_FRAME_HDR + flen;
	}
	n = bl;
	{
		struct h2_cur c = {.base = blk, .off = &off, .len = &n, .n = 1, .left = n};
		char name[H2_NAME_CAP];

		if (h2_decode(&a->hpack, &c, name, sizeof(name), &why, NULL, NULL, true) != H2_DONE)
			return why ? why : H2_R_hpack;
	}
	a->len = sizeof(h2_after_prefix);
	a->trailer = 0;
	return H2_R_none;
}

/* The block in a->buf, whole: decoded as h2_read_all() decodes a stream's
 * first, with the table carried on. */
static unsigned h2_after_block(struct h2_after *a, h2_name_fn *fn, void *arg, bool *connect)
{
	struct h2_reader rd;
	unsigned why = H2_R_none;

	if (a->trailer)
		return h2_after_trailers(a);
	h2_reader_init(&rd);
	rd.hpack = a->hpack;
	rd.last_sid = a->last_sid;
	if (h2_read_all(&rd, a->buf, a->len, NULL, 0, &why, fn, arg) != H2_DONE)
		return why ? why : H2_R_continuation;
	a->hpack = rd.hpack;
	a->last_sid = rd.last_sid;
	if (rd.connect && connect)
		*connect = true;
	a->len = sizeof(h2_after_prefix);
	return H2_R_none;
}

static enum h2_status h2_after_fail(struct h2_after *a, unsigned why, unsigned *reason)
{
	a->status = H2_MALFORMED;
	a->reason = (uint8_t)why;
	if (reason)
		*reason = why;
	return H2_MALFORMED;
}

void h2_after_runs(const struct h2_after *a, const uint8_t *p, size_t n, h2_run_fn *run,
		   void *arg)
{
	uint32_t skip = a->skip, want = a->want;
	unsigned have = a->hdr_have;
	uint8_t hdr[H2_FRAME_HDR];
	size_t i = 0, k;

	memcpy(hdr, a->hdr, have);
	while (i < n) {
		if (skip) {
			k = n - i < skip ? n - i : skip;
			skip -= (uint32_t)k;
			i += k;
			continue;
		}
		if (want) {
			k = n - i < want ? n - i : want;
			run(arg, i, k);
			want -= (uint32_t)k;
			i += k;
			continue;
		}
		k = H2_FRAME_HDR - have;
		if (k > n - i)
			k = n - i;
		memcpy(hdr + have, p + i, k);
		run(arg, i, k);
		have += (unsigned)k;
		i += k;
		if (have < H2_FRAME_HDR)
			break;
		have = 0;
		/* as h2_after_feed: a frame other than HEADERS or CONTINUATION
		 * is passed over */
		if (hdr[3] != H2_FT_HEADERS && hdr[3] != H2_FT_CONTINUATION)
			skip = (uint32_t)hdr[0] << 16 | (uint32_t)hdr[1] << 8 | hdr[2];
		else
			want = (uint32_t)hdr[0] << 16 | (uint32_t)hdr[1] << 8 | hdr[2];
	}
}

enum h2_status h2_after_feed(struct h2_after *a, const uint8_t *p, size_t n, h2_name_fn *fn,
			     void *arg, bool *connect, unsigned *reason)
{
	if (a->status != H2_NEED_MORE)
		return h2_after_fail(a, a->reason, reason);
	while (n) {
		size_t k;

		if (a->skip) {
			k = n < a->skip ? n : a->skip;
			a->skip -= (uint32_t)k;
			p += k;
			n -= k;
			continue;
		}
		if (a->want) {
			k = n < a->want ? n : a->want;
			memcpy(a->buf + a->len, p, k);
			a->len += (uint32_t)k;
			a->want -= (uint32_t)k;
			p += k;
			n -= k;
			if (!a->want && a->end) {
				unsigned why = h2_after_block(a, fn, arg, connect);

				if (why)
					return h2_after_fail(a, why, reason);
			}
			continue;
		}
		k = H2_FRAME_HDR - a->hdr_have;
		if (k > n)
			k = n;
		memcpy(a->hdr + a->hdr_have, p, k);
		a->hdr_have = (uint8_t)(a->hdr_have + k);
		p += k;
		n -= k;
		if (a->hdr_have < H2_FRAME_HDR)
			break;
		a->hdr_have = 0;
		{
			uint32_t flen = (uint32_t)a->hdr[0] << 16 | (uint32_t)a->hdr[1] << 8 | a->hdr[2];
			unsigned type = a->hdr[3], flags = a->hdr[4];

			uint32_t sid = h2_u32(a->hdr + 5) & 0x7fffffffu;

			/* 6.10: a block is one run of frames on its stream */
			if (a->in_block != (type == H2_FT_CONTINUATION))
				return h2_after_fail(a, H2_R_continuation, reason);
			/* a HEADERS on a stream already opened: its trailers, which
			 * end it (8.1); a CONTINUATION of them on the same one */
			if (type == H2_FT_HEADERS) {
				a->trailer = sid && (sid & 1) && sid <= a->last_sid;
				a->tsid = sid;
				if (a->trailer && !(flags & 0x01)) /* END_STREAM */
					return h2_after_fail(a, H2_R_frame, reason);
			} else if (type == H2_FT_CONTINUATION && a->trailer && sid != a->tsid) {
				return h2_after_fail(a, H2_R_continuation, reason);
			}
			if (type == H2_FT_PUSH_PROMISE)
				return h2_after_fail(a, H2_R_frame, reason);
			if (type != H2_FT_HEADERS && type != H2_FT_CONTINUATION) {
				a->skip = flen;
				continue;
			}
			if (flen > H2_FRAME_MAX)
				return h2_after_fail(a, H2_R_frame_size, reason);
			if (a->len + H2_FRAME_HDR + flen > sizeof(a->buf))
				return h2_after_fail(a, H2_R_too_long, reason);
			memcpy(a->buf + a->len, a->hdr, H2_FRAME_HDR);
			a->len += H2_FRAME_HDR;
			a->want = flen;
			a->end = (flags & H2_FL_END_HEADERS) != 0;
			a->in_block = !a->end;
			if (!flen && a->end) {
				unsigned why = h2_after_block(a, fn, arg, connect);

				if (why)
					return h2_after_fail(a, why, reason);
			}
		}
	}
	return H2_NEED_MORE;
}
