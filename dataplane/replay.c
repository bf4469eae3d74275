/* Capture preparation for replay (see replay.h). */
#include "replay.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

#define REPLAY_SNAPLEN 262144
#define REPLAY_ETH_LEN 14

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

/* The ethertype of a raw IP packet, from its version nibble. */
static uint16_t replay_ip_type(const uint8_t *p, uint32_t n)
{
	if (n < 1)
		return 0;
	switch (p[0] >> 4) {
	case 4:
		return 0x0800;
	case 6:
		return 0x86dd;
	default:
		return 0;
	}
}

/* BSD loopback: a 4-byte address family, in either byte order. */
static uint16_t replay_loop_type(const uint8_t *p)
{
	uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	uint32_t af = be < 256 ? be : le;

	if (af == 2)
		return 0x0800;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return 0x86dd;
	return 0;
}

/* Turn one captured frame into an Ethernet frame in buf. Returns its length
 * or 0 when the frame is too short for its own link header. */
static uint32_t replay_to_eth(int dlt, const uint8_t *p, uint32_t n, uint8_t *buf)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
	uint32_t skip;
	uint16_t type;

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(buf, p, n);
		return n;
	case DLT_LINUX_SLL:
		if (n < 16)
			return 0;
		skip = 16;
		type = (uint16_t)(p[14] << 8 | p[15]);
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return 0;
		skip = 20;
		type = (uint16_t)(p[0] << 8 | p[1]);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (n < 4)
			return 0;
		skip = 4;
		type = replay_loop_type(p);
		break;
	default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
		skip = 0;
		type = replay_ip_type(p, n);
	}
	memcpy(buf, macs, 12);
	buf[12] = (uint8_t)(type >> 8);
	buf[13] = (uint8_t)type;
	memcpy(buf + REPLAY_ETH_LEN, p + skip, n - skip);
	return n - skip + REPLAY_ETH_LEN;
}

static bool replay_dlt_ok(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return true;
	default:
		/* LINKTYPE_RAW (101) is DLT_RAW, whatever its number here. */
		return pcap_datalink_val_to_name(dlt) &&
		       strcmp(pcap_datalink_val_to_name(dlt), "RAW") == 0;
	}
}

/* Which port a frame arrives on: inside when its source is in a zone. */
static bool replay_is_inside(const struct policy *pol, const uint8_t *frame, uint32_t len)
{
	struct parse_result r;
	uint8_t addr[16];

	parse_frame(frame, len, &r);
	if (r.kind == PARSE_IP)
		return policy_zone_find(pol, r.src) >= 0;
	if (r.kind == PARSE_L2_PASS && len >= r.l3_off + 18u) {
		/* ARP: the sender protocol address */
		policy_addr_from_v4(addr, frame + r.l3_off + 14);
		return policy_zone_find(pol, addr) >= 0;
	}
	return false;
}

int replay_split(const char *in, const struct policy *pol, const char *in_path,
		 const char *out_path, struct replay_stats *st, char *err, size_t errlen)
{
	static uint8_t frame[REPLAY_SNAPLEN + 64];
	char perr[PCAP_ERRBUF_SIZE];
	pcap_dumper_t *d_in = NULL, *d_out = NULL;
	pcap_t *src, *dead = NULL;
	struct pcap_pkthdr *h, oh;
	const u_char *data;
	uint64_t prev_us = 0;
	int rc = 0, r;

	memset(st, 0, sizeof(*st));
	src = pcap_open_offline(in, perr);
	if (!src) {
		/* libpcap names the file for some errors, not for all */
		if (strstr(perr, in))
			snprintf(err, errlen, "%s", perr);
		else
			snprintf(err, errlen, "%s: %s", in, perr);
		return -EINVAL;
	}
	st->linktype = pcap_datalink(src);
	st->linktype_name = pcap_datalink_val_to_name(st->linktype);
	if (!replay_dlt_ok(st->linktype)) {
		snprintf(err, errlen,
			 "%s: link type %d (%s) is not supported; replay reads Ethernet, "
			 "Linux cooked (SLL, SLL2), raw IP and BSD loopback captures",
			 in, st->linktype, st->linktype_name ? st->linktype_name : "unknown");
		rc = -ENOTSUP;
		goto out_close_src;
	}
	dead = pcap_open_dead(DLT_EN10MB, REPLAY_SNAPLEN);
	if (!dead) {
		snprintf(err, errlen, "cannot create a capture writer");
		rc = -ENOMEM;
		goto out_close_src;
	}
	d_in = pcap_dump_open(dead, in_path);
	d_out = d_in ? pcap_dump_open(dead, out_path) : NULL;
	if (!d_out) {
		snprintf(err, errlen, "%s", pcap_geterr(dead));
		rc = -EIO;
		goto out_close_dump;
	}
	while ((r = pcap_next_ex(src, &h, &data)) == 1) {
		uint64_t us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		uint32_t n = h->caplen > REPLAY_SNAPLEN ? REPLAY_SNAPLEN : h->caplen;
		uint32_t len = replay_to_eth(st->linktype, data, n, frame);

		st->total++;
		if (len == 0) {
			/* Shorter than its link header: keep it (the
			 * dataplane counts it as a broken frame). */
			memset(frame, 0, REPLAY_ETH_LEN);
			len = 1;
		}
		if (us <= prev_us) {
			us = prev_us + 1;
			st->nudged++;
		}
		prev_us = us;
		oh.ts.tv_sec = (time_t)(us / 1000000u);
		oh.ts.tv_usec = (suseconds_t)(us % 1000000u);
		oh.caplen = len;
		oh.len = len + (h->len > n ? h->len - n : 0);
		if (replay_is_inside(pol, frame, len)) {
			pcap_dump((u_char *)d_in, &oh, frame);
			st->inside++;
		} else {
			pcap_dump((u_char *)d_out, &oh, frame);
			st->outside++;
		}
	}
	if (r == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s (after %lu packets)", in, pcap_geterr(src),
			 (unsigned long)st->total);
		rc = -EIO;
	}
out_close_dump:
	if (d_out)
		pcap_dump_close(d_out);
	if (d_in)
		pcap_dump_close(d_in);
	if (dead)
		pcap_close(dead);
out_close_src:
	pcap_close(src);
	return rc;
}

int replay_merge(const char *a, const char *b, const char *out, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *in[2], *dead;
	pcap_dumper_t *d;
	struct pcap_pkthdr *h[2];
	const u_char *p[2];
	bool have[2];
	int i, rc = 0;

	in[0] = pcap_open_offline_with_tstamp_precision(a, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!in[0]) {
		snprintf(err, errlen, "%s", perr);
		return -EIO;
	}
	in[1] = pcap_open_offline_with_tstamp_precision(b, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!in[1]) {
		snprintf(err, errlen, "%s", perr);
		pcap_close(in[0]);
		return -EIO;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, REPLAY_SNAPLEN,
						    PCAP_TSTAMP_PRECISION_NANO);
	d = dead ? pcap_dump_open(dead, out) : NULL;
	if (!d) {
		snprintf(err, errlen, "%s: %s", out, dead ? pcap_geterr(dead) : "no memory");
		rc = -EIO;
		goto out_close;
	}
	for (i = 0; i < 2; i++)
		have[i] = pcap_next_ex(in[i], &h[i], &p[i]) == 1;
	while (have[0] || have[1]) {
		i = !have[0] || (have[1] && timercmp(&h[1]->ts, &h[0]->ts, <));
		pcap_dump((u_char *)d, h[i], p[i]);
		have[i] = pcap_next_ex(in[i], &h[i], &p[i]) == 1;
	}
	pcap_dump_close(d);
out_close:
	if (dead)
		pcap_close(dead);
	pcap_close(in[0]);
	pcap_close(in[1]);
	return rc;
}

int replay_empty_pcap(const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, REPLAY_SNAPLEN);
	pcap_dumper_t *d;

	if (!dead)
		return -ENOMEM;
	d = pcap_dump_open(dead, path);
	pcap_close(dead);
	if (!d)
		return -EIO;
	pcap_dump_close(d);
	return 0;
}
