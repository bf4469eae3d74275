/* test_replay.c - reading the replay's own captures through a memory map
 * (dataplane/replay.h, replay_set_map_dir and pcap_open_offline). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "unit.h"

#define N_PKTS 6000

/* A capture of N_PKTS frames of 60..1514 bytes (about 4.6 MB: more than two
 * of the reader's 2 MiB populate steps), each frame's bytes from its index. */
static void write_capture(const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	static uint8_t frame[1514];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	d = pcap_dump_open(dead, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (unsigned i = 0; i < N_PKTS; i++) {
		struct pcap_pkthdr h = {.ts = {.tv_sec = 1000 + i, .tv_usec = i}};

		h.caplen = h.len = 60 + (i * 7919u) % (1514 - 60 + 1);
		for (unsigned k = 0; k < h.caplen; k++)
			frame[k] = (uint8_t)(i * 31u + k);
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* Every frame of path, as libpcap reads it: 0 when all N_PKTS are there
 * with the right bytes. *mapped: the stream is not a plain file. */
static int read_capture(const char *path, int *mapped)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned i = 0;
	int r, bad = 0;

	if (!p)
		return -1;
	*mapped = fileno(pcap_file(p)) < 0;
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen != 60 + (i * 7919u) % (1514 - 60 + 1) || h->ts.tv_sec != 1000 + i ||
		    h->ts.tv_usec != (suseconds_t)i)
			bad++;
		else
			for (unsigned k = 0; k < h->caplen; k++)
				if (data[k] != (uint8_t)(i * 31u + k)) {
					bad++;
					break;
				}
		i++;
	}
	pcap_close(p);
	return r == PCAP_ERROR_BREAK && i == N_PKTS && !bad ? 0 : -1;
}

static void test_map_reads_the_same(void)
{
	char path[4096], dir[4096];
	int mapped = -1;
	char *slash;

	snprintf(path, sizeof(path), "%s", unit_tmp_path("cap.pcap"));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	CU_ASSERT_PTR_NOT_NULL_FATAL(slash);
	*slash = '\0';
	write_capture(path);

	replay_set_map_dir(NULL);
	CU_ASSERT_EQUAL(read_capture(path, &mapped), 0);
	CU_ASSERT_EQUAL(mapped, 0); /* not the replay's: libpcap's own stream */

	replay_set_map_dir(dir);
	CU_ASSERT_EQUAL(read_capture(path, &mapped), 0);
	CU_ASSERT_EQUAL(mapped, 1);

	/* A directory that only shares a prefix is not the replay's. */
	*slash = '\0';
	strncat(dir, "/ca", sizeof(dir) - strlen(dir) - 1);
	replay_set_map_dir(dir);
	CU_ASSERT_EQUAL(read_capture(path, &mapped), 0);
	CU_ASSERT_EQUAL(mapped, 0);
	replay_set_map_dir(NULL);
}

static void test_map_errors_as_libpcap(void)
{
	char err[PCAP_ERRBUF_SIZE], dir[4096];
	const char *path = unit_write_tmp("junk.pcap", "not a capture at all, just text\n");
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	replay_set_map_dir(dir);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(pcap_open_offline(path, err));
	CU_ASSERT(err[0] != '\0');
	/* Missing files and empty ones go to libpcap, which names them. */
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(pcap_open_offline(unit_tmp_path("missing.pcap"), err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing.pcap"));
	path = unit_write_tmp("empty.pcap", "");
	CU_ASSERT_PTR_NULL(pcap_open_offline(path, err));
	replay_set_map_dir(NULL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{"replay: a mapped capture reads as libpcap reads the file", test_map_reads_the_same},
		{"replay: bad, missing and empty captures fail as in libpcap", test_map_errors_as_libpcap},
		CU_TEST_INFO_NULL,
	};

	return unit_run("replay", NULL, NULL, tests);
}
