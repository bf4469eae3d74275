/* Capture preparation for replay (see replay.h). */
#include "replay.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

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

int replay_parse_macs(const char *text, struct replay_sides *sides)
{
	const char *p = text;

	sides->n_macs = 0;
	for (;;) {
		unsigned b[6];
		int used = 0, i;

		if (sides->n_macs == REPLAY_MACS_MAX ||
		    sscanf(p, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
			   &used) != 6 ||
		    used != 17)
			return -EINVAL;
		for (i = 0; i < 6; i++)
			sides->macs[sides->n_macs][i] = (uint8_t)b[i];
		sides->n_macs++;
		p += used;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

static uint32_t replay_rd32(const uint8_t *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* The interface of every packet of a pcapng file, in file order (libpcap
 * reads the packets but does not say which interface each came from).
 * Returns the count, or -1 when the file is not pcapng or is broken. The
 * caller frees *ids. */
static long replay_pcapng_ifaces(const char *path, uint8_t **ids)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[12], *out = NULL;
	size_t cap = 0, n = 0;
	bool swap = false, first = true;
	long ret = -1;

	*ids = NULL;
	if (!f)
		return -1;
	for (;;) {
		uint32_t type, len, ifc = 0;
		size_t got = fread(hdr, 1, 12, f);

		if (got == 0 && !first)
			break; /* the end, between blocks */
		if (got != 12)
			goto out;
		/* A Section Header Block (its type reads the same in both byte
		 * orders) sets the byte order of what follows. */
		if (replay_rd32(hdr, false) == 0x0a0d0d0a) {
			uint32_t bom = replay_rd32(hdr + 8, false);

			if (bom != 0x1a2b3c4d && bom != 0x4d3c2b1a)
				goto out;
			swap = bom != 0x1a2b3c4d;
		} else if (first) {
			goto out; /* not pcapng */
		}
		first = false;
		type = replay_rd32(hdr, swap);
		len = replay_rd32(hdr + 4, swap);
		if (len < 12 || len % 4 || fseek(f, (long)len - 12, SEEK_CUR) != 0)
			goto out;
		if (type != 6 && type != 3) /* Enhanced / Simple Packet Block */
			continue;
		if (type == 6)
			ifc = replay_rd32(hdr + 8, swap);
		if (n == cap) {
			uint8_t *grown = realloc(out, cap * 2 + 1024);

			if (!grown)
				goto out;
			out = grown;
			cap = cap * 2 + 1024;
		}
		out[n++] = ifc > 255 ? 255 : (uint8_t)ifc;
	}
	*ids = out;
	out = NULL;
	ret = (long)n;
out:
	free(out);
	fclose(f);
	return ret;
}

static bool replay_mac_inside(const struct replay_sides *sides, const uint8_t *frame)
{
	unsigned i;

	for (i = 0; i < sides->n_macs; i++)
		if (memcmp(frame + 6, sides->macs[i], 6) == 0)
			return true;
	return false;
}

int replay_split(const char *in, const struct policy *pol, const struct replay_sides *sides,
		 const char *in_path, const char *out_path, struct replay_stats *st, char *err,
		 size_t errlen)
{
	uint8_t *ifaces = NULL;
	long n_ifaces = 0;
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
	if (sides && sides->by_iface) {
		n_ifaces = replay_pcapng_ifaces(in, &ifaces);
		if (n_ifaces < 0) {
			snprintf(err, errlen,
				 "%s: --by-interface needs a pcapng capture (its packets name "
				 "their interface)",
				 in);
			rc = -EINVAL;
			goto out_close_src;
		}
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
		if (sides && sides->by_iface
			    ? (long)(st->total - 1) < n_ifaces && ifaces[st->total - 1] == 0
		    : sides && sides->n_macs
			    ? len >= REPLAY_ETH_LEN && replay_mac_inside(sides, frame)
			    : replay_is_inside(pol, frame, len)) {
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
	free(ifaces);
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

/* Reading the replay's own captures from a memory map (replay.h). */
static char replay_map_root[4096];

void replay_set_map_dir(const char *dir)
{
	if (!dir || snprintf(replay_map_root, sizeof(replay_map_root), "%s", dir) >=
			    (int)sizeof(replay_map_root))
		replay_map_root[0] = '\0';
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
#define REPLAY_MAP_AHEAD ((size_t)2 << 20)

struct replay_map {
	const uint8_t *p;
	size_t len;
	size_t pos;
	size_t mapped; /* [0, mapped) has been populated */
};

static ssize_t replay_map_read(void *cookie, char *buf, size_t n)
{
	struct replay_map *m = cookie;
	size_t k = m->len - m->pos < n ? m->len - m->pos : n;

	/* The reader maps the file's pages itself, 2 MiB at a time, rather
	 * than by a page fault every 16 pages. */
	if (m->pos + k > m->mapped) {
		size_t from = m->mapped, to = m->pos + k + REPLAY_MAP_AHEAD;

		if (to > m->len)
			to = m->len;
		(void)madvise((void *)(m->p + from), to - from, MADV_POPULATE_READ);
		m->mapped = to;
	}
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

static int replay_map_seek(void *cookie, off64_t *off, int whence)
{
	struct replay_map *m = cookie;
	off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos : (off64_t)m->len;

	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		return -1;
	if (*off < -base || base + *off > (off64_t)m->len)
		return -1;
	m->pos = (size_t)(base + *off);
	*off = (off64_t)m->pos;
	return 0;
}

static int replay_map_close(void *cookie)
{
	struct replay_map *m = cookie;

	munmap((void *)m->p, m->len);
	free(m);
	return 0;
}

/* fname mapped read-only as a stdio stream, or NULL (not one of ours, empty,
 * or the map failed: the caller opens it the ordinary way). */
static FILE *replay_map_open(const char *fname)
{
	static const cookie_io_functions_t io = {
		.read = replay_map_read, .seek = replay_map_seek, .close = replay_map_close};
	size_t root = strlen(replay_map_root);
	struct replay_map *m;
	struct stat st;
	void *p;
	FILE *f;
	int fd;

	if (!root || strncmp(fname, replay_map_root, root) != 0 || fname[root] != '/')
		return NULL;
	fd = open(fname, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
	m = malloc(sizeof(*m));
	f = m ? fopencookie(m, "rb", io) : NULL;
	if (!f) {
		free(m);
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	m->p = p;
	m->len = (size_t)st.st_size;
	m->pos = 0;
	m->mapped = 0;
	/* One reader (the port's queue, or the main thread): no stdio lock
	 * around each of libpcap's two freads a packet. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
}

/* libpcap's own pcap_open_offline(), for every caller in the process (the
 * dynamic linker binds the net_pcap driver's call here, as it binds nDPI's
 * ndpi_malloc to classifiers/ndpi.c's): the replay's captures through a
 * map, anything else exactly as libpcap opens it. */
pcap_t *pcap_open_offline(const char *fname, char *errbuf)
{
	FILE *f = fname ? replay_map_open(fname) : NULL;
	pcap_t *p;

	if (!f)
		return pcap_open_offline_with_tstamp_precision(fname, PCAP_TSTAMP_PRECISION_MICRO,
								 errbuf);
	p = pcap_fopen_offline(f, errbuf);
	if (!p)
		fclose(f);
	return p;
}
