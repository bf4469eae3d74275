/* Flow-log JSON line -> struct flowrec (see flowrec.h). */
#include "flowrec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"

int flowrec_time(const char *s, uint64_t *ms)
{
	struct tm tm;
	const char *p;
	unsigned frac = 0, digits = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				frac = frac * 10 + (unsigned)(*p - '0');
		while (digits < 3) {
			frac *= 10;
			digits++;
		}
	}
	if (strcmp(p, "Z") != 0)
		return -EINVAL;
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*ms = (uint64_t)t * 1000u + frac;
	return 0;
}

/* Names longer than the field are cut: they come from the wire. */
static void flowrec_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int flowrec_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!*v || *v == '-')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

int flowrec_parse(const char *line, size_t len, struct flowrec *r, char *err, size_t errlen)
{
	char key[32], val[160];
	size_t pos = 0;
	bool is_str;
	unsigned seen = 0;
	uint64_t u;
	int rc;

	memset(r, 0, sizeof(*r));
	while ((rc = proto_json_next(line, len, &pos, key, sizeof(key), val, sizeof(val),
				     &is_str)) == 1) {
		bool null = !is_str && strcmp(val, "null") == 0;

#define STR(name, field, bit)                                                                      \
	if (strcmp(key, name) == 0) {                                                              \
		if (!null)                                                                         \
			flowrec_copy(r->field, sizeof(r->field), val);                             \
		seen |= bit;                                                                       \
		continue;                                                                          \
	}
#define NUM(name, field, bit)                                                                      \
	if (strcmp(key, name) == 0) {                                                              \
		if (is_str || flowrec_u64(val, &u) != 0)                                           \
			goto bad;                                                                  \
		r->field = (__typeof__(r->field))u;                                                \
		seen |= bit;                                                                       \
		continue;                                                                          \
	}
		STR("ts_start", ts_start, 1u << 0)
		STR("ts_end", ts_end, 1u << 1)
		STR("zone", zone, 1u << 2)
		STR("dir", dir, 0)
		STR("src", src_s, 1u << 3)
		STR("dst", dst_s, 1u << 4)
		STR("app", app, 0)
		STR("verdict", verdict, 1u << 5)
		STR("reason", reason, 0)
		STR("end", end, 0)
		NUM("sport", sport, 1u << 6)
		NUM("dport", dport, 1u << 7)
		NUM("policy_version", policy_version, 0)
		NUM("pkts_to_verdict", pkts_to_verdict, 0)
		NUM("pkts_out", pkts_out, 1u << 8)
		NUM("bytes_out", bytes_out, 1u << 9)
		NUM("pkts_in", pkts_in, 1u << 10)
		NUM("bytes_in", bytes_in, 1u << 11)
		NUM("dropped_pkts", dropped_pkts, 0)
#undef STR
#undef NUM
		if (strcmp(key, "proto") == 0) {
			flowrec_copy(r->proto, sizeof(r->proto), val);
			if (strcmp(val, "tcp") == 0)
				r->l4proto = IPPROTO_TCP;
			else if (strcmp(val, "udp") == 0)
				r->l4proto = IPPROTO_UDP;
			else if (strcmp(val, "icmp") == 0)
				r->l4proto = IPPROTO_ICMP;
			else if (strcmp(val, "icmp6") == 0)
				r->l4proto = IPPROTO_ICMPV6;
			else if (flowrec_u64(val, &u) == 0 && u < 256)
				r->l4proto = (uint8_t)u;
			else
				goto bad;
			seen |= 1u << 12;
			continue;
		}
#define OPT(name, field, flag)                                                                     \
	if (strcmp(key, name) == 0) {                                                              \
		r->flag = !null;                                                                   \
		if (!null)                                                                         \
			flowrec_copy(r->field, sizeof(r->field), val);                             \
		continue;                                                                          \
	}
		OPT("class", cls, has_cls)
		OPT("sni", sni, has_sni)
		OPT("host", host, has_host)
		OPT("dns_query", dns_query, has_dns)
#undef OPT
		/* Fields this version does not use (learned, ...) are fine. */
	}
	if (rc < 0) {
		snprintf(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	if (seen != (1u << 13) - 1) {
		snprintf(err, errlen, "missing fields (mask %#x)", seen ^ ((1u << 13) - 1));
		return -EINVAL;
	}
	if (flowrec_time(r->ts_start, &r->ms_start) || flowrec_time(r->ts_end, &r->ms_end)) {
		snprintf(err, errlen, "bad timestamp");
		return -EINVAL;
	}
	if (inet_pton(AF_INET, r->src_s, r->src + 12) == 1 &&
	    inet_pton(AF_INET, r->dst_s, r->dst + 12) == 1) {
		r->family = 4;
	} else if (inet_pton(AF_INET6, r->src_s, r->src) == 1 &&
		   inet_pton(AF_INET6, r->dst_s, r->dst) == 1) {
		r->family = 6;
	} else {
		snprintf(err, errlen, "bad address");
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value for %s", key);
	return -EINVAL;
}
