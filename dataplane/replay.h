/* replay.h - capture preparation for `aduana --replay`: any supported link
 * type in pcap or pcapng becomes two Ethernet pcaps, one per port, split by
 * the zones (a source address in a zone arrives on the inside port), with
 * timestamps made strictly increasing so the dataplane can merge the ports
 * back into capture order. Also the merge of the two TX captures.
 *
 * Main thread, before EAL start-up and after the ports are stopped.
 */
#ifndef ADUANA_REPLAY_H
#define ADUANA_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct replay_stats {
	uint64_t total;	  /* frames read */
	uint64_t inside;  /* frames written for the inside port */
	uint64_t outside; /* ... for the outside port */
	uint64_t nudged;  /* timestamps moved forward to keep the order strict */
	int linktype;	  /* the input's DLT_* */
	const char *linktype_name;
};

#define REPLAY_MACS_MAX 16

/* How frames are put on the two ports. By default by address: a frame
 * whose source is in a zone enters the inside port. With MACs, frames from
 * those source MACs enter the inside port and all others the outside one;
 * by_iface puts pcapng interface 0 inside and every other interface
 * outside. The last two let a capture show spoofed and unzoned frames. */
struct replay_sides {
	uint8_t macs[REPLAY_MACS_MAX][6];
	unsigned n_macs;
	bool by_iface;
};

/* Parse "aa:bb:cc:dd:ee:ff[,...]" into sides. Returns 0 or -EINVAL. */
int replay_parse_macs(const char *text, struct replay_sides *sides);

/* Split `in` into in_path / out_path (sides NULL: by address). Returns 0, or
 * -errno with a one-line message in err (unreadable file, unsupported link
 * type, by_iface on a file that is not pcapng, ...). */
int replay_split(const char *in, const struct policy *pol, const struct replay_sides *sides,
		 const char *in_path, const char *out_path, struct replay_stats *st, char *err,
		 size_t errlen);

/* Merge two Ethernet captures by timestamp into out (nanosecond pcap).
 * Returns 0 or -errno with a message in err. */
int replay_merge(const char *a, const char *b, const char *out, char *err, size_t errlen);

/* Write an Ethernet pcap with no packets (an input for a TX-only port). */
int replay_empty_pcap(const char *path);

/* The replay's own working directory (its split captures). Captures under
 * it that libpcap's pcap_open_offline() opens, in particular the ones the
 * net_pcap ports read on the worker, are read from a memory map of the file
 * instead of through read(2) into a 4 KiB stdio buffer: the same bytes,
 * parsed by the same libpcap, without a system call and a kernel copy every
 * few packets. NULL: none (every capture opens as libpcap opens it). */
void replay_set_map_dir(const char *dir);

#endif
