/* tls.c - the strict ClientHello reader (tls.h, docs/tls.md).
 *
 * Two stages. tls_ch_feed() walks the record layer of the stream bytes as
 * they come, checks each record header, and copies the record bodies into
 * the caller's buffer until the handshake message is whole. tls_ch_parse()
 * then reads the message once, with every length checked against the one
 * around it. Nothing here allocates or keeps global state.
 */
#include "tls.h"

#include <string.h>

#define TLS_CT_CCS	    20
#define TLS_CT_ALERT	    21
#define TLS_CT_HANDSHAKE    22
#define TLS_HS_CLIENT_HELLO 1
#define TLS_RECORD_MAX	    16384 /* 2^14: a plaintext record's body */
#define TLS_LABEL_MAX	    63

#define TLS_EXT_SERVER_NAME	   0x0000
#define TLS_EXT_ALPN		   0x0010
#define TLS_EXT_SUPPORTED_VERSIONS 0x002b
#define TLS_EXT_ECH		   0xfe0d
#define TLS_EXT_EARLY_DATA	   0x002a
#define TLS_SNI_HOST_NAME	   0

static const char *const tls_ch_reason_names[] = {
#define X(n) #n,
	TLS_CH_REASONS(X)
#undef X
};

const char *tls_ch_reason_name(unsigned reason)
{
	return reason < TLS_CH_R_COUNT ? tls_ch_reason_names[reason] : "?";
}

static inline uint16_t tls_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* GREASE values (RFC 8701) are 0x?a?a with both bytes equal. */
static inline bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

static inline bool tls_name_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static inline char tls_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool tls_name_valid(const uint8_t *name, size_t len, enum tls_ch_reason *reason)
{
	enum tls_ch_reason r = TLS_CH_R_none;
	size_t label = 0;

	if (!name || len == 0 || len > TLS_CH_NAME_MAX) {
		r = TLS_CH_R_name_length;
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0) {
				r = TLS_CH_R_name_label; /* leading dot or ".." */
				goto out;
			}
			label = 0;
		} else if (!tls_name_byte(name[i])) {
			r = TLS_CH_R_name_char;
			goto out;
		} else if (++label > TLS_LABEL_MAX) {
			r = TLS_CH_R_name_label;
			goto out;
		}
	}
	/* Only a single dot after a label can leave the last label empty. */
	if (label == 0)
		r = TLS_CH_R_name_trailing_dot;
out:
	if (reason)
		*reason = r;
	return r == TLS_CH_R_none;
}

void tls_ch_init(struct tls_ch *s, uint8_t *buf, size_t size)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->cap = buf ? (uint32_t)(size < TLS_CH_MAX ? size : TLS_CH_MAX) : 0;
}

/* server_name (RFC 6066 3): a list of (type, name) entries. A server may take
 * the first entry, the last, or the first of its type; so exactly one entry,
 * a host_name, whose lengths fill the extension exactly. */
static enum tls_ch_reason tls_ch_sni(struct tls_ch_info *in, const uint8_t *p, size_t len)
{
	const uint8_t *name = NULL;
	enum tls_ch_reason r;
	size_t off, list, name_len = 0;
	unsigned entries = 0;
	uint8_t type = 0;

	if (len < 2)
		return TLS_CH_R_sni_length;
	list = tls_u16(p);
	if (list != len - 2 || list == 0)
		return TLS_CH_R_sni_length;
	for (off = 2; off < len;) {
		size_t n;

		if (len - off < 3)
			return TLS_CH_R_sni_length;
		n = tls_u16(p + off + 1);
		if (n > len - off - 3)
			return TLS_CH_R_sni_length;
		if (entries++ == 0) {
			type = p[off];
			name = p + off + 3;
			name_len = n;
		}
		off += 3 + n;
	}
	if (entries > 1)
		return TLS_CH_R_sni_multiple;
	if (type != TLS_SNI_HOST_NAME)
		return TLS_CH_R_sni_type;
	if (!tls_name_valid(name, name_len, &r))
		return r;
	for (size_t i = 0; i < name_len; i++)
		in->sni[i] = tls_lower((char)name[i]);
	in->sni[name_len] = '\0';
	in->sni_len = (uint16_t)name_len;
	in->has_sni = true;
	return TLS_CH_R_none;
}

/* application_layer_protocol_negotiation (RFC 7301 3.1): a 2-byte list
 * length, then non-empty names each with a 1-byte length. */
static enum tls_ch_reason tls_ch_alpn(struct tls_ch_info *in, const uint8_t *p, size_t len)
{
	size_t off, list;
	unsigned n = 0;

	if (len < 2)
		return TLS_CH_R_alpn_length;
	list = tls_u16(p);
	if (list != len - 2 || list == 0)
		return TLS_CH_R_alpn_length;
	for (off = 2; off < len; n++) {
		size_t l = p[off];

		if (l == 0 || l > len - off - 1)
			return TLS_CH_R_alpn_length;
		off += 1 + l;
	}
	in->has_alpn = true;
	in->n_alpn = (uint16_t)n;
	in->alpn = p + 2;
	in->alpn_size = (uint16_t)list;
	return TLS_CH_R_none;
}

/* supported_versions in a ClientHello (RFC 8446 4.2.1): a 1-byte length,
 * then 2-byte versions. */
static enum tls_ch_reason tls_ch_versions(struct tls_ch_info *in, const uint8_t *p, size_t len)
{
	size_t n;
	uint16_t max = 0;

	if (len < 1)
		return TLS_CH_R_supported_versions;
	n = p[0];
	if (n != len - 1 || n == 0 || (n & 1))
		return TLS_CH_R_supported_versions;
	for (size_t off = 1; off < len; off += 2) {
		uint16_t v = tls_u16(p + off);

		if (!tls_is_grease(v) && v > max)
			max = v;
	}
	in->has_supported_versions = true;
	if (max)
		in->max_version = max;
	return TLS_CH_R_none;
}

static enum tls_ch_reason tls_ch_extensions(struct tls_ch_info *in, const uint8_t *p,
					    const uint8_t *end)
{
	uint16_t seen[TLS_CH_MAX_EXT];
	unsigned n = 0;

	while (p < end) {
		enum tls_ch_reason r = TLS_CH_R_none;
		uint16_t type;
		size_t len;

		if (end - p < 4)
			return TLS_CH_R_extension_length;
		type = tls_u16(p);
		len = tls_u16(p + 2);
		p += 4;
		if (len > (size_t)(end - p))
			return TLS_CH_R_extension_length;
		for (unsigned i = 0; i < n; i++)
			if (seen[i] == type)
				return TLS_CH_R_duplicate_extension;
		if (n == TLS_CH_MAX_EXT)
			return TLS_CH_R_too_many_extensions;
		seen[n++] = type;
		switch (type) {
		case TLS_EXT_SERVER_NAME:
			r = tls_ch_sni(in, p, len);
			break;
		case TLS_EXT_ALPN:
			r = tls_ch_alpn(in, p, len);
			break;
		case TLS_EXT_SUPPORTED_VERSIONS:
			r = tls_ch_versions(in, p, len);
			break;
		case TLS_EXT_EARLY_DATA:
			in->has_early_data = true;
			break;
		case TLS_EXT_ECH:
		/* The drafts' codepoints: encrypted_server_name (ESNI, drafts
		 * 01 to 06, which Cloudflare served in 2018-2020),
		 * encrypted_client_hello of drafts 07 (0xff02) and 08 to 12
		 * (0xfe08 to 0xfe0c). A front that still speaks one serves the
		 * name it hides (red team round 3, the nineteenth session:
		 * rt3_esni_front, rt3_ech_d10_front). */
		case 0xffce:
		case 0xff02:
		case 0xfe08:
		case 0xfe09:
		case 0xfe0a:
		case 0xfe0b:
		case 0xfe0c:
			in->has_ech = true;
			break;
		default:
			if (tls_is_grease(type))
				in->has_grease = true;
			break;
		}
		if (r != TLS_CH_R_none)
			return r;
		p += len;
	}
	in->n_extensions = (uint16_t)n;
	return TLS_CH_R_none;
}

/* The whole message is in buf[0, need): RFC 8446 4.1.2 (and RFC 5246 7.4.1.2,
 * whose layout is the same). */
static enum tls_ch_reason tls_ch_parse(struct tls_ch *s)
{
	struct tls_ch_info *in = &s->info;
	const uint8_t *p = s->buf + 4, *end = s->buf + s->need;
	size_t n;

	if (end - p < 2 + 32 + 1)
		return TLS_CH_R_truncated;
	in->legacy_version = tls_u16(p);
	in->max_version = in->legacy_version;
	if (p[0] != 3 || p[1] < 1 || p[1] > 3)
		return TLS_CH_R_hello_version;
	p += 2 + 32;
	n = *p++;
	if (n > 32)
		return TLS_CH_R_session_id;
	if ((size_t)(end - p) < n + 2)
		return TLS_CH_R_truncated;
	p += n;
	n = tls_u16(p);
	p += 2;
	if (n == 0 || (n & 1))
		return TLS_CH_R_cipher_suites;
	if ((size_t)(end - p) < n + 1)
		return TLS_CH_R_truncated;
	p += n;
	n = *p++;
	if (n == 0)
		return TLS_CH_R_compression;
	if ((size_t)(end - p) < n)
		return TLS_CH_R_truncated;
	p += n;
	if (p == end)
		return TLS_CH_R_none; /* no extensions at all (old clients): no name */
	if (end - p < 2)
		return TLS_CH_R_extensions_length;
	n = tls_u16(p);
	p += 2;
	if (n != (size_t)(end - p))
		return TLS_CH_R_extensions_length;
	return tls_ch_extensions(in, p, end);
}

static enum tls_ch_status tls_ch_fail(struct tls_ch *s, enum tls_ch_reason r)
{
	s->status = TLS_CH_MALFORMED;
	s->reason = (uint8_t)r;
	return TLS_CH_MALFORMED;
}

/* An SSLv2-format CLIENT-HELLO: a 2-byte length with the top bit set,
 * message type 1, then version 0x0002 or 0x0300..0x0303. */
static bool tls_ch_is_sslv2(const uint8_t h[5])
{
	return (h[0] & 0x80) && h[2] == 1 && ((h[3] == 0 && h[4] == 2) || (h[3] == 3 && h[4] <= 3));
}

/* A record header is whole in s->hdr: check it and start its body. */
static enum tls_ch_status tls_ch_record(struct tls_ch *s)
{
	uint16_t version = tls_u16(s->hdr + 1), len = tls_u16(s->hdr + 3);

	if (s->records == 0) {
		if (s->hdr[0] != TLS_CT_HANDSHAKE) {
			if (tls_ch_is_sslv2(s->hdr))
				return tls_ch_fail(s, TLS_CH_R_sslv2);
			s->status = TLS_CH_NOT_TLS;
			return TLS_CH_NOT_TLS;
		}
		if (version < 0x0301 || version > 0x0303)
			return tls_ch_fail(s, TLS_CH_R_record_version);
		s->info.record_version = version;
	} else {
		if (s->hdr[0] != TLS_CT_HANDSHAKE)
			return tls_ch_fail(s, TLS_CH_R_record_type);
		if (version != s->info.record_version)
			return tls_ch_fail(s, TLS_CH_R_record_version);
	}
	if (len == 0 || len > TLS_RECORD_MAX)
		return tls_ch_fail(s, TLS_CH_R_record_length);
	s->rec_left = len;
	s->records++;
	s->hdr_have = 0;
	return TLS_CH_NEED_MORE;
}

enum tls_ch_status tls_ch_feed(struct tls_ch *s, const uint8_t *data, size_t len)
{
	enum tls_ch_status st;
	size_t i = 0;

	if (s->status != TLS_CH_NEED_MORE)
		return (enum tls_ch_status)s->status;
	while (i < len) {
		size_t take;

		if (s->rec_left == 0) {
			/* A record header, perhaps cut by the segment's end. Not
			 * a handshake as its first byte: no need to wait for
			 * the rest (an SSLv2 hello needs all five). */
			take = sizeof(s->hdr) - s->hdr_have;
			if (take > len - i)
				take = len - i;
			memcpy(s->hdr + s->hdr_have, data + i, take);
			s->hdr_have += (uint8_t)take;
			i += take;
			if (s->hdr[0] != TLS_CT_HANDSHAKE) {
				if (s->records)
					return tls_ch_fail(s, TLS_CH_R_record_type);
				if (!(s->hdr[0] & 0x80)) {
					s->status = TLS_CH_NOT_TLS;
					return TLS_CH_NOT_TLS;
				}
			}
			if (s->hdr_have < sizeof(s->hdr))
				break;
			st = tls_ch_record(s);
			if (st != TLS_CH_NEED_MORE)
				return st;
			continue;
		}
		if (s->cap < 4)
			return tls_ch_fail(s, TLS_CH_R_too_long);
		/* Until the message header is in, take only up to it; then only
		 * up to the message's end. */
		take = (s->need ? s->need : 4) - s->have;
		if (take > s->rec_left)
			take = s->rec_left;
		if (take > len - i)
			take = len - i;
		memcpy(s->buf + s->have, data + i, take);
		s->have += (uint32_t)take;
		s->rec_left -= (uint16_t)take;
		i += take;
		if (s->buf[0] != TLS_HS_CLIENT_HELLO)
			return tls_ch_fail(s, TLS_CH_R_not_client_hello);
		if (!s->need && s->have == 4) {
			s->need = 4 + ((uint32_t)s->buf[1] << 16 | (uint32_t)s->buf[2] << 8 |
				       s->buf[3]);
			if (s->need > s->cap)
				return tls_ch_fail(s, TLS_CH_R_too_long);
		}
		if (s->need && s->have == s->need) {
			enum tls_ch_reason r;

			/* The record goes on past the hello: a second handshake
			 * message, which a server would read and we would not. */
			if (s->rec_left)
				return tls_ch_fail(s, TLS_CH_R_trailing_data);
			r = tls_ch_parse(s);
			if (r != TLS_CH_R_none)
				return tls_ch_fail(s, r);
			s->consumed += (uint32_t)i;
			s->info.hello_size = s->need;
			s->info.stream_bytes = s->consumed;
			s->info.records = s->records;
			s->status = TLS_CH_DONE;
			return TLS_CH_DONE;
		}
	}
	s->consumed += (uint32_t)i;
	return TLS_CH_NEED_MORE;
}

/* The lenient reading (tls_ch_names): every server_name extension, every
 * host_name entry in it, each bounded by what holds it. */
static void tls_names_sni(const uint8_t *p, size_t len, tls_ch_name_fn *fn, void *arg)
{
	char name[TLS_CH_NAME_MAX + 1];
	size_t off, list;

	if (len < 2)
		return;
	list = tls_u16(p);
	if (list > len - 2)
		list = len - 2;
	for (off = 2; off + 3 <= 2 + list;) {
		size_t n = tls_u16(p + off + 1), k;

		if (n > 2 + list - off - 3)
			n = 2 + list - off - 3;
		if (p[off] == TLS_SNI_HOST_NAME && n > 0 && n <= TLS_CH_NAME_MAX) {
			for (k = 0; k < n && p[off + 3 + k]; k++)
				name[k] = tls_lower((char)p[off + 3 + k]);
			name[k] = '\0'; /* a C reader stops at a NUL */
			if (k)
				fn(arg, name, k);
		}
		off += 3 + n;
	}
}

/* tls_ch_names_more's answer once the hello was read or refused: later
 * calls give it again without reading. */
static enum tls_ch_status tls_names_end(struct tls_names_at *at, enum tls_ch_status st)
{
	at->done = (uint8_t)st;
	return st;
}

enum tls_ch_status tls_ch_names_more(struct tls_names_at *at, const uint8_t *data, size_t len,
				     uint8_t *buf, size_t cap, tls_ch_name_fn *fn, void *arg)
{
	size_t i = at->i, have = at->have, need = at->need, rlen = at->rlen, n;
	const uint8_t *p, *end;

	if (cap > TLS_CH_MAX)
		cap = TLS_CH_MAX;
	if (at->done)
		return (enum tls_ch_status)at->done;
	/* Records: handshake, any 3.x version, bodies joined. Where the
	 * stream ends before the hello does, the place is kept, so that each
	 * byte is walked once however the stream grows (one byte at a time
	 * in one-byte records is otherwise quadratic). */
	while (!need || have < need) {
		size_t take;

		if (!at->in_rec) {
			if (len - i < 5)
				goto more;
			/* A ChangeCipherSpec or alert record between the
			 * hello's records: OpenSSL's record layer passes over
			 * warning alerts in the handshake, and a lenient server
			 * may take a ChangeCipherSpec (TLS 1.3 middlebox
			 * compatibility): passed over whole. */
			if ((data[i] == TLS_CT_CCS || data[i] == TLS_CT_ALERT) &&
			    data[i + 1] == 3) {
				size_t skip = 5 + (size_t)tls_u16(data + i + 3);

				if (len - i < skip)
					goto more;
				i += skip;
				continue;
			}
			if (data[i] != TLS_CT_HANDSHAKE || data[i + 1] != 3)
				return tls_names_end(at, TLS_CH_NOT_TLS);
			rlen = tls_u16(data + i + 3);
			i += 5;
			at->in_rec = 1;
		}
		while (rlen && (!need || have < need)) {
			if (i == len)
				goto more;
			take = need ? need - have : 4 - have;
			if (take > rlen)
				take = rlen;
			if (take > len - i)
				take = len - i;
			if (have + take > cap) /* beyond the bound: no reading */
				return tls_names_end(at, TLS_CH_NOT_TLS);
			memcpy(buf + have, data + i, take);
			have += take;
			rlen -= take;
			i += take;
			if (!need && have == 4) {
				if (buf[0] != TLS_HS_CLIENT_HELLO)
					return tls_names_end(at, TLS_CH_NOT_TLS);
				need = 4 + ((size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3]);
			}
		}
		if (rlen) /* the hello ended inside this record */
			break;
		at->in_rec = 0;
	}
	/* Where the hello's last record ends: a second hello after a
	 * HelloRetryRequest starts past it (stream.c, stream_expect_hello2). */
	at->i = (uint32_t)(i + rlen);
	tls_names_end(at, TLS_CH_DONE);
	/* The hello: fixed fields, then extensions, each bounded. */
	p = buf + 4;
	end = buf + need;
	if (end - p < 2 + 32 + 1)
		return TLS_CH_DONE;
	p += 2 + 32;
	n = *p++;
	if ((size_t)(end - p) < n + 2)
		return TLS_CH_DONE;
	p += n;
	n = tls_u16(p);
	p += 2;
	if ((size_t)(end - p) < n + 1)
		return TLS_CH_DONE;
	p += n;
	n = *p++;
	if ((size_t)(end - p) < n + 2)
		return TLS_CH_DONE;
	p += n + 2; /* the extensions length: the block is read to the end */
	while (end - p >= 4) {
		uint16_t type = tls_u16(p);
		size_t l = tls_u16(p + 2);

		p += 4;
		if (l > (size_t)(end - p))
			l = (size_t)(end - p);
		if (type == TLS_EXT_SERVER_NAME)
			tls_names_sni(p, l, fn, arg);
		p += l;
	}
	return TLS_CH_DONE;
more:
	at->i = (uint32_t)i;
	at->have = (uint32_t)have;
	at->need = (uint32_t)need;
	at->rlen = (uint32_t)rlen;
	return TLS_CH_NEED_MORE;
}

enum tls_ch_status tls_ch_names(const uint8_t *data, size_t len, uint8_t *buf, size_t cap,
				tls_ch_name_fn *fn, void *arg)
{
	struct tls_names_at at;

	memset(&at, 0, sizeof(at));
	return tls_ch_names_more(&at, data, len, buf, cap, fn, arg);
}

bool tls_name_agrees(const char *ours, const char *ndpi)
{
	size_t lo = ours ? strlen(ours) : 0, ln = ndpi ? strlen(ndpi) : 0;

	if (lo == 0 || ln == 0)
		return lo == ln;
	if (lo > ln && ln == TLS_NDPI_NAME_MAX) {
		ours += lo - ln;
		lo = ln;
	}
	if (lo != ln)
		return false;
	for (size_t i = 0; i < lo; i++)
		if (tls_lower(ours[i]) != tls_lower(ndpi[i]))
			return false;
	return true;
}
