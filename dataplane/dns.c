/* Minimal DNS response parsing (see dns.h). */
#include "dns.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define DNS_HDR 12

static uint16_t dns_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Skip a (possibly compressed) name at *off. */
static int dns_skip_name(const uint8_t *p, size_t n, size_t *off)
{
	size_t o = *off;
	unsigned labels = 0;

	while (o < n) {
		uint8_t len = p[o];

		if (len == 0) {
			*off = o + 1;
			return 0;
		}
		if ((len & 0xc0) == 0xc0) { /* a pointer ends the name here */
			if (o + 2 > n)
				return -EINVAL;
			*off = o + 2;
			return 0;
		}
		if ((len & 0xc0) || ++labels > 127)
			return -EINVAL;
		o += 1u + len;
	}
	return -EINVAL;
}

/* Read the question name, which follows the header uncompressed. */
static int dns_read_qname(const uint8_t *p, size_t n, size_t *off, char *out, size_t size)
{
	size_t o = *off, w = 0;

	if (size == 0)
		return -EINVAL;
	while (o < n) {
		uint8_t len = p[o++], i;

		if (len == 0) {
			out[w] = '\0';
			*off = o;
			return 0;
		}
		if (len & 0xc0 || o + len > n)
			return -EINVAL;
		if (w && w + 1 < size)
			out[w++] = '.';
		for (i = 0; i < len; i++) {
			char c = (char)p[o + i];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			/* Names are matched as ASCII; anything else makes the
			 * name useless for matching, not the packet invalid. */
			if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
				c = '?';
			if (w + 1 < size)
				out[w++] = c;
		}
		o += len;
	}
	return -EINVAL;
}

int dns_parse_response(const uint8_t *p, size_t n, char *qname, size_t qsize,
		       struct dns_answer *out, unsigned max)
{
	size_t off = DNS_HDR;
	unsigned an, i, got = 0;

	if (n < DNS_HDR)
		return -EINVAL;
	/* QR = 1, opcode 0, RCODE 0, exactly one question */
	if (!(p[2] & 0x80) || (p[2] & 0x78) || (p[3] & 0x0f) || dns_rd16(p + 4) != 1)
		return -EINVAL;
	an = dns_rd16(p + 6);
	if (dns_read_qname(p, n, &off, qname, qsize) != 0 || off + 4 > n)
		return -EINVAL;
	off += 4; /* qtype, qclass */
	for (i = 0; i < an; i++) {
		uint16_t type, cls, rdlen;
		uint32_t ttl;

		if (dns_skip_name(p, n, &off) != 0 || off + 10 > n)
			return -EINVAL;
		type = dns_rd16(p + off);
		cls = dns_rd16(p + off + 2);
		ttl = (uint32_t)dns_rd16(p + off + 4) << 16 | dns_rd16(p + off + 6);
		rdlen = dns_rd16(p + off + 8);
		off += 10;
		if (off + rdlen > n)
			return -EINVAL;
		if (cls == 1 && got < max &&
		    ((type == 1 && rdlen == 4) || (type == 28 && rdlen == 16))) {
			memset(out[got].addr, 0, 16);
			if (type == 1) {
				out[got].addr[10] = out[got].addr[11] = 0xff;
				memcpy(out[got].addr + 12, p + off, 4);
			} else {
				memcpy(out[got].addr, p + off, 16);
			}
			/* A TTL with the top bit set is treated as 0 (RFC 2181). */
			out[got].ttl = ttl & 0x80000000u ? 0 : ttl;
			got++;
		}
		off += rdlen;
	}
	return (int)got;
}
