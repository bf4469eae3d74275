/* aduana: the dataplane process. EAL and port set-up, worker launch, and the
 * main lcore's control loop (flow records, timers, summary). The main lcore
 * never touches packets.
 */
#include <errno.h>
#include <grp.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memory.h>
#include <rte_rcu_qsbr.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_telemetry.h>

#include "arena.h"
#include "classifier.h"
#include "config.h"
#include "ctlsock.h"
#include "dns.h"
#include "flow.h"
#include "flowlog.h"
#include "frag.h"
#include "grantreg.h"
#include "learn.h"
#include "policy.h"
#include "port.h"
#include "replay.h"
#include "stats.h"
#include "stream.h"
#include "worker.h"

#define MAIN_REC_RING	   65536	 /* flow records in flight per worker */
#define MAIN_DRAIN_SLICE   4096		 /* records written per control-loop turn at most */
#define MAIN_ANCHOR_NS	   1000000000ull /* re-anchor the live clock every second */
#define MAIN_CTL_LINGER_MS 5000		 /* at exit, wait this long for aduanad to ack records */
#define MAIN_STREAM_SLOTS  512		 /* undecided TCP flows (and QUIC Initials) per worker read at once */
#define MAIN_PKT_RING	   4096		 /* dispatch rings */
#define MAIN_WARM_SLOTS	   2048		 /* replay: classifier slots faulted in at start */
/* Replay never drops at a ring (producers wait), so the mbufs in flight are
 * bounded by the dispatch rings plus a few bursts. */
#define MAIN_MBUFS_REPLAY(nw) (2048u + 2u * MAIN_PKT_RING * ((nw)-1u))
#define MAIN_MBUFS_LIVE	      32767
/* Captures hold frames bigger than the wire's (taken with segmentation
 * offloads), up to jumbo size: replay buffers fit those whole. */
#define MAIN_REPLAY_DATAROOM (9216 + RTE_PKTMBUF_HEADROOM)

struct main_opts {
	const char *conf;
	const char *replay;
	const char *flow_log;
	const char *pass_pcap;
	const char *drop_pcap;
	const char *inside;
	const char *outside;
	const char *ctl;  /* the private control socket (ctlsock.h) */
	const char *ctl_group; /* its group; NULL: "aduana" when that group exists */
	const char *grants; /* grant lines to start with (grantreg.h) */
	unsigned workers; /* 0: from the config */
	double duration;  /* 0: until a signal */
	bool quiet;
	bool stages; /* --stage-cycles */
	bool check;		   /* validate CONF and its class map and lists, then exit */
	struct replay_sides sides; /* --inside-mac, --by-interface */
	bool sides_set;
};

static volatile sig_atomic_t main_quit;

static void main_signal(int sig)
{
	(void)sig;
	main_quit = 1;
}

static void main_usage(FILE *out)
{
	fputs("NAME\n"
	      "    aduana - inline data-egress inspection dataplane (DPDK)\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    aduana --replay IN.pcap -c CONF [--flow-log FILE|-] [--pass-pcap FILE]\n"
	      "           [--drop-pcap FILE] [--workers N]\n"
	      "           [--inside-mac MAC[,MAC...] | --by-interface] [--grants FILE]\n"
	      "    aduana [EAL options] -- -c CONF --inside PORT --outside PORT\n"
	      "           [--flow-log FILE|-] [--duration SECONDS] [--workers N]\n"
	      "           [--ctl PATH] [--grants FILE]\n"
	      "    aduana --check -c CONF\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Bridges an inside and an outside port, classifies every flow and\n"
	      "    enforces the policy in CONF. At exit (SIGINT, SIGTERM, --duration or\n"
	      "    the end of a replay) prints one JSON line {\"summary\": {...}}.\n"
	      "\n"
	      "    --replay runs the same dataplane on DPDK pcap virtual devices, with\n"
	      "    the EAL arguments set for you: packets whose source is in a zone\n"
	      "    enter the inside port, the rest the outside port, in capture order.\n"
	      "    pcap and pcapng; Ethernet, Linux cooked, raw IP and loopback.\n"
	      "\n"
	      "OPTIONS\n"
	      "    -c, --config CONF     policy file (libconfig; see conf/aduana.conf)\n"
	      "    --inside PORT         port id or device name facing the protected LAN\n"
	      "    --outside PORT        port id or device name facing the WAN\n"
	      "    --flow-log FILE|-     flow records as JSON lines (default: log.flow_log)\n"
	      "    --workers N           worker lcores (default: dataplane.workers)\n"
	      "    --duration SECONDS    stop after this long (live mode)\n"
	      "    --ctl PATH            serve the private control socket for aduanad here\n"
	      "                          (status, reload, grants, the flow-record stream);\n"
	      "                          mode 0660, group aduana when that group exists\n"
	      "    --ctl-group GROUP     the control socket's group (must exist)\n"
	      "    --grants FILE         start with these grants, one a line:\n"
	      "                          id=N src=ADDR|ZONE dst=HOST|ADDR[:PORT] from=T\n"
	      "                          until=T approval=REF (T: epoch seconds; replay\n"
	      "                          judges them by the packets' time)\n"
	      "    --pass-pcap FILE      replay: write forwarded packets here\n"
	      "    --drop-pcap FILE      replay: write dropped packets here\n"
	      "    --inside-mac MAC,...  replay: frames from these source MACs enter the\n"
	      "                          inside port, all others the outside port\n"
	      "    --by-interface        replay: pcapng interface 0 is the inside port,\n"
	      "                          the other interfaces the outside port\n"
	      "    --check               validate CONF, its class map and lists; exit\n"
	      "    -q, --quiet           no progress lines on stderr\n"
	      "    --stage-cycles        the workers stamp each stage of their loop (receive,\n"
	      "                          parse, lookup, judge, transmit, housekeeping) and the\n"
	      "                          summary and progress lines split the cycles by stage\n"
	      "                          (for perf/; a run without it pays nothing)\n"
	      "    -h, --help            this text\n"
	      "\n"
	      "EXAMPLES\n"
	      "    aduana --replay pcaps/demo.pcap -c conf/aduana.conf --flow-log -\n"
	      "    aduana -l 0-2 -a 0000:03:00.0 -a 0000:03:00.1 -- -c /etc/aduana/aduana.conf \\\n"
	      "           --inside 0000:03:00.0 --outside 0000:03:00.1\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 on success, 1 on a runtime failure, 2 on bad arguments or config.\n",
	      out);
}

static int main_parse_opts(int argc, char **argv, struct main_opts *o)
{
	enum {
		O_REPLAY = 256,
		O_FLOWLOG,
		O_PASS,
		O_DROP,
		O_INSIDE,
		O_OUTSIDE,
		O_WORKERS,
		O_DURATION,
		O_CHECK,
		O_INSIDE_MAC,
		O_BY_IFACE,
		O_CTL,
		O_GRANTS,
		O_STAGES,
		O_CTL_GROUP
	};
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"replay", required_argument, NULL, O_REPLAY},
		{"flow-log", required_argument, NULL, O_FLOWLOG},
		{"pass-pcap", required_argument, NULL, O_PASS},
		{"drop-pcap", required_argument, NULL, O_DROP},
		{"inside", required_argument, NULL, O_INSIDE},
		{"outside", required_argument, NULL, O_OUTSIDE},
		{"workers", required_argument, NULL, O_WORKERS},
		{"duration", required_argument, NULL, O_DURATION},
		{"quiet", no_argument, NULL, 'q'},
		{"check", no_argument, NULL, O_CHECK},
		{"inside-mac", required_argument, NULL, O_INSIDE_MAC},
		{"by-interface", no_argument, NULL, O_BY_IFACE},
		{"ctl", required_argument, NULL, O_CTL},
		{"grants", required_argument, NULL, O_GRANTS},
		{"stage-cycles", no_argument, NULL, O_STAGES},
		{"ctl-group", required_argument, NULL, O_CTL_GROUP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->conf = optarg;
			break;
		case O_REPLAY:
			o->replay = optarg;
			break;
		case O_FLOWLOG:
			o->flow_log = optarg;
			break;
		case O_PASS:
			o->pass_pcap = optarg;
			break;
		case O_DROP:
			o->drop_pcap = optarg;
			break;
		case O_INSIDE:
			o->inside = optarg;
			break;
		case O_OUTSIDE:
			o->outside = optarg;
			break;
		case O_WORKERS:
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > WORKER_MAX) {
				fprintf(stderr, "aduana: --workers: expected 1..%d, got '%s'\n",
					WORKER_MAX, optarg);
				return -EINVAL;
			}
			o->workers = (unsigned)v;
			break;
		case O_DURATION:
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0) {
				fprintf(stderr,
					"aduana: --duration: expected seconds > 0, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case O_CHECK:
			o->check = true;
			break;
		case O_INSIDE_MAC:
			if (replay_parse_macs(optarg, &o->sides) != 0) {
				fprintf(stderr,
					"aduana: --inside-mac: expected MAC[,MAC...] (at most %d, "
					"aa:bb:cc:dd:ee:ff), got '%s'\n",
					REPLAY_MACS_MAX, optarg);
				return -EINVAL;
			}
			o->sides_set = true;
			break;
		case O_BY_IFACE:
			o->sides.by_iface = true;
			o->sides_set = true;
			break;
		case O_STAGES:
			o->stages = true;
			break;
		case O_CTL:
			o->ctl = optarg;
			break;
		case O_CTL_GROUP:
			if (!getgrnam(optarg)) {
				fprintf(stderr, "aduana: --ctl-group %s: no such group\n", optarg);
				return -EINVAL;
			}
			o->ctl_group = optarg;
			break;
		case O_GRANTS:
			o->grants = optarg;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'aduana --help'.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aduana: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->conf) {
		fprintf(stderr, "aduana: -c CONF is required. Try 'aduana --help'.\n");
		return -EINVAL;
	}
	if (o->check)
		return 0;
	if (!o->replay && (!o->inside || !o->outside)) {
		fprintf(stderr, "aduana: live mode needs --inside PORT and --outside PORT "
				"(or use --replay FILE)\n");
		return -EINVAL;
	}
	if (o->sides.by_iface && o->sides.n_macs) {
		fprintf(stderr, "aduana: --inside-mac and --by-interface exclude each other\n");
		return -EINVAL;
	}
	if (!o->replay && o->sides_set) {
		fprintf(stderr, "aduana: --inside-mac and --by-interface are for --replay\n");
		return -EINVAL;
	}
	if (!o->replay && (o->pass_pcap || o->drop_pcap)) {
		fprintf(stderr, "aduana: --pass-pcap and --drop-pcap are for --replay\n");
		return -EINVAL;
	}
	return 0;
}

/* Everything the process owns, for one clean-up path. */
struct main_ctx {
	struct main_opts o;
	struct policy *pol;
	struct cls_engine *cls;
	struct dp dp;
	struct worker *workers;
	struct rte_mempool *mp;
	struct ctlsock *ctl;
	struct grant_reg *grants;
	FILE *flow_log;
	char tmpdir[PATH_MAX];
	char f_in[PATH_MAX + 32], f_out[PATH_MAX + 32], f_tx_in[PATH_MAX + 32],
		f_tx_out[PATH_MAX + 32], f_empty[PATH_MAX + 32];
	struct replay_stats rs;
	uint64_t started_ns;
	uint64_t records;
	uint64_t write_errors;
};

static uint64_t main_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int main_open_flow_log(struct main_ctx *x)
{
	const char *path = x->o.flow_log ? x->o.flow_log : x->pol->flow_log;

	if (!path || !*path)
		return 0;
	if (strcmp(path, "-") == 0) {
		x->flow_log = stdout;
		return 0;
	}
	x->flow_log = fopen(path, "a");
	if (!x->flow_log && errno == ENOENT) {
		/* A first start on a new machine: make the log's directory
		 * (one level, like systemd's LogsDirectory=). */
		char dir[PATH_MAX];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0750) == 0)
				x->flow_log = fopen(path, "a");
		}
	}
	if (!x->flow_log) {
		int e = errno;

		fprintf(stderr, "aduana: flow log %s: %s (set log.flow_log or --flow-log)\n", path,
			strerror(e));
		return -e;
	}
	return 0;
}

/* Main lcore: move finished flow records from the workers' rings to the
 * log, at most MAIN_DRAIN_SLICE records per call, taken from each worker
 * in turn, so that the caller looks at the clock, the stop flag and its
 * other duties between slices whatever the workers produce (a ring that
 * stays full is the workers' problem: they drop and count records, never
 * packets). Returns how many it wrote. */
static unsigned main_drain_records(struct main_ctx *x)
{
	struct flowlog_rec recs[64];
	unsigned i, j, n, total = 0, got;

	do {
		got = 0;
		for (i = 0; i < x->dp.n_workers && total < MAIN_DRAIN_SLICE; i++) {
			n = rte_ring_sc_dequeue_burst_elem(x->workers[i].rec_ring, recs,
							   sizeof(recs[0]), RTE_DIM(recs), NULL);
			for (j = 0; j < n; j++) {
				ctlsock_record(x->ctl, &recs[j]);
				if (x->flow_log &&
				    flowlog_write(
					    x->flow_log, &recs[j],
					    ctlsock_policy(x->ctl, x->pol, recs[j].policy_version),
					    x->cls) != 0)
					x->write_errors++;
			}
			total += n;
			got += n;
		}
	} while (got && total < MAIN_DRAIN_SLICE);
	x->records += total;
	return total;
}

static void main_sum(const struct main_ctx *x, struct stats *sum)
{
	unsigned i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < x->dp.n_workers; i++)
		stats_add(sum, &x->workers[i].st);
}

/* nDPI's heap on each worker (its arena, issue 13): allocations, frees,
 * bytes in use, high water and refusals (each gave a flow up unknown). */
static void main_print_heap(struct main_ctx *x)
{
	struct arena_stats a, sum;
	unsigned i;

	memset(&sum, 0, sizeof(sum));
	printf(",\"ndpi_heap\":{\"workers\":[");
	for (i = 0; i < x->dp.n_workers; i++) {
		cls_worker_heap_stats(x->workers[i].cls, &a);
		printf("%s{\"allocs\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"in_use\":%" PRIu64
		       ",\"high_water\":%" PRIu64 ",\"failures\":%" PRIu64 ",\"foreign\":%" PRIu64
		       ",\"reserved\":%" PRIu64 "}",
		       i ? "," : "", a.allocs, a.frees, a.bytes_in_use, a.high_water, a.failures,
		       a.foreign, a.reserved);
		sum.allocs += a.allocs;
		sum.frees += a.frees;
		sum.failures += a.failures;
		sum.foreign += a.foreign;
	}
	printf("],\"allocs\":%" PRIu64 ",\"frees\":%" PRIu64 ",\"failures\":%" PRIu64
	       ",\"foreign\":%" PRIu64 "}",
	       sum.allocs, sum.frees, sum.failures, sum.foreign);
}

static void main_print_summary(struct main_ctx *x)
{
	struct stats s;
	uint64_t first = UINT64_MAX, last = 0, nombuf = 0, rx_pkts;
	struct rte_eth_stats es;
	double seconds;
	unsigned i;

	main_sum(x, &s);
	for (i = 0; i < x->dp.n_workers; i++) {
		if (x->workers[i].first_ts && x->workers[i].first_ts < first)
			first = x->workers[i].first_ts;
		if (x->workers[i].last_ts > last)
			last = x->workers[i].last_ts;
	}
	if (x->dp.replay)
		seconds = first < last ? (double)(last - first) / (double)x->dp.tsc_hz : 0;
	else
		seconds = (double)(main_wall_ns() - x->started_ns) / 1e9;
	if (rte_eth_stats_get(x->dp.port_in, &es) == 0)
		nombuf += es.rx_nombuf;
	if (rte_eth_stats_get(x->dp.port_out, &es) == 0)
		nombuf += es.rx_nombuf;
	rx_pkts = s.c[STATS_rx];

	printf("{\"summary\": {\"mode\":\"%s\",\"rx\":%" PRIu64 ",\"tx\":%" PRIu64
	       ",\"dropped\":%" PRIu64 ",\"drops\":{",
	       x->dp.replay ? "replay" : "live", s.c[STATS_rx], s.c[STATS_tx], s.c[STATS_dropped]);
	for (i = 0; i < STATS_DROP_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", stats_drop_name(i), s.drop[i]);
	printf("},\"drops_by_class\":{");
	for (i = 1; i < POLICY_CLASS_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i > 1 ? "," : "", policy_class_name(i),
		       s.class_drop[i]);
	printf("},\"parse_errors\":{");
	for (i = 1; i < PARSE_ERR_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i > 1 ? "," : "", parse_error_name(i), s.parse_err[i]);
	/* Every counter of the X-macro list, for scripts and tests. */
	printf("},\"counters\":{");
	for (i = 0; i < STATS_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", stats_counter_name(i), s.c[i]);
	printf("},\"dns_bad_by_reason\":{");
	for (i = 1; i < DNS_R_COUNT; i++)
		printf("%s\"%s\":%" PRIu64, i > 1 ? "," : "", dns_reason_name(i), s.dns_bad[i]);
	printf("},\"evicted\":%" PRIu64 ",\"records_aggregated\":%" PRIu64 ",\"link_pass\":%" PRIu64
	       ",\"link_refused\":%" PRIu64 ",\"icmp_err_flow\":%" PRIu64 ",\"classify_timeout\":%" PRIu64
	       ",\"dns_queries\":%" PRIu64 ",\"dns_bad\":%" PRIu64 ",\"rejudged\":%" PRIu64
	       ",\"rejudged_changed\":%" PRIu64,
	       s.c[STATS_evicted], s.c[STATS_records_aggregated], s.c[STATS_link_pass],
	       s.c[STATS_link_refused], s.c[STATS_icmp_err_flow], s.c[STATS_classify_timeout], s.c[STATS_dns_queries],
	       s.c[STATS_dns_bad], s.c[STATS_rejudged], s.c[STATS_rejudged_changed]);
	printf(",\"flows\":%" PRIu64 ",\"flows_untracked\":%" PRIu64 ",\"flow_records\":%" PRIu64
	       ",\"flowlog_dropped\":%" PRIu64 ",\"l2_pass\":%" PRIu64 ",\"nd_pass\":%" PRIu64
	       ",\"classified\":%" PRIu64 ",\"dns_learned\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64
	       ",\"workers\":%u,\"policy_version\":%u",
	       s.c[STATS_flows], s.c[STATS_flows_untracked], x->records, s.c[STATS_flowlog_dropped],
	       s.c[STATS_l2_pass], s.c[STATS_nd_pass], s.c[STATS_classified],
	       s.c[STATS_dns_learned], nombuf, x->dp.n_workers, x->pol->version);
	if (x->dp.replay)
		printf(",\"input_packets\":%" PRIu64 ",\"timestamps_nudged\":%" PRIu64, x->rs.total,
		       x->rs.nudged);
	main_print_heap(x);
	printf(",\"worker_mode\":\"%s\",\"worker_rx\":[", x->dp.mode == WORKER_RSS ? "rss" : "dispatch");
	for (i = 0; i < x->dp.n_workers; i++)
		printf("%s%" PRIu64, i ? "," : "", x->workers[i].st.c[STATS_rx]);
	printf("]");
	/* Where the worker's cycles go: the base path every packet takes
	 * (parse, lookup, verdict, TX), making flows, and classifying. */
	printf(",\"seconds\":%.6f,\"pps\":%.0f,\"cycles_per_packet\":%.1f"
	       ",\"cycles_per_packet_base\":%.1f,\"cycles_per_new_flow\":%.1f"
	       ",\"cycles_per_classified_packet\":%.1f,\"stage_stamp_cycles\":%" PRIu64 "}}\n",
	       seconds, seconds > 0 ? (double)rx_pkts / seconds : 0,
	       rx_pkts ? (double)s.c[STATS_cycles] / (double)rx_pkts : 0,
	       rx_pkts ? (double)(s.c[STATS_cycles] - s.c[STATS_cycles_new] -
				  s.c[STATS_cycles_classify]) /
				 (double)rx_pkts
		       : 0,
	       s.c[STATS_pkts_new] ? (double)s.c[STATS_cycles_new] / (double)s.c[STATS_pkts_new]
				   : 0,
	       s.c[STATS_pkts_classify]
		       ? (double)s.c[STATS_cycles_classify] / (double)s.c[STATS_pkts_classify]
		       : 0,
	       x->dp.stage_stamp_cycles);
	fflush(stdout);
	if (nombuf)
		fprintf(stderr, "aduana: warning: %" PRIu64 " packets lost for lack of mbufs\n",
			nombuf);
	if (s.c[STATS_flowlog_dropped])
		fprintf(stderr,
			"aduana: warning: %" PRIu64 " flow records dropped: the log could not keep "
			"up (packets were not affected)\n",
			s.c[STATS_flowlog_dropped]);
	if (x->write_errors)
		fprintf(stderr, "aduana: warning: %" PRIu64 " flow records failed to write\n",
			x->write_errors);
}

/* DPDK telemetry: /aduana/stats (counters and drops), /aduana/parse_errors.
 * Called on the telemetry thread; the counters are read without locks, so
 * a reading may be a few packets behind the workers. */
static struct main_ctx *main_tel_ctx;

static int main_tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stats s;
	char name[64];
	unsigned i;

	(void)cmd;
	(void)params;
	main_sum(main_tel_ctx, &s);
	rte_tel_data_start_dict(d);
	for (i = 0; i < STATS_COUNT; i++)
		rte_tel_data_add_dict_u64(d, stats_counter_name(i), s.c[i]);
	for (i = 0; i < STATS_DROP_COUNT; i++) {
		snprintf(name, sizeof(name), "drop_%s", stats_drop_name(i));
		rte_tel_data_add_dict_u64(d, name, s.drop[i]);
	}
	for (i = 1; i < POLICY_CLASS_COUNT; i++) {
		snprintf(name, sizeof(name), "drop_class_%s", policy_class_name(i));
		rte_tel_data_add_dict_u64(d, name, s.class_drop[i]);
	}
	for (i = 1; i < DNS_R_COUNT; i++) {
		snprintf(name, sizeof(name), "dns_bad_%s", dns_reason_name(i));
		rte_tel_data_add_dict_u64(d, name, s.dns_bad[i]);
	}
	return 0;
}

static int main_tel_parse(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stats s;
	unsigned i;

	(void)cmd;
	(void)params;
	main_sum(main_tel_ctx, &s);
	rte_tel_data_start_dict(d);
	for (i = 1; i < PARSE_ERR_COUNT; i++)
		rte_tel_data_add_dict_u64(d, parse_error_name(i), s.parse_err[i]);
	return 0;
}

static void main_telemetry(struct main_ctx *x)
{
	main_tel_ctx = x;
	rte_telemetry_register_cmd("/aduana/stats", main_tel_stats,
				   "aduana counters and drops by reason. No parameters");
	rte_telemetry_register_cmd("/aduana/parse_errors", main_tel_parse,
				   "aduana malformed frames by reason. No parameters");
}

/* Build the EAL arguments of a replay: pcap virtual devices, no hugepages,
 * no PCI, nothing shared with other DPDK processes. */
static int main_replay_eal(struct main_ctx *x, char **eargv, int max, char *store, size_t size)
{
	unsigned ncpu = (unsigned)sysconf(_SC_NPROCESSORS_ONLN), i;
	uint64_t mem_mb;
	int n = 0;
	size_t off = 0;

#define EARG(...)                                                                                  \
	do {                                                                                       \
		int len_ = snprintf(store + off, size - off, __VA_ARGS__);                         \
		if (n >= max - 1 || len_ < 0 || (size_t)len_ >= size - off)                        \
			return -E2BIG;                                                             \
		eargv[n++] = store + off;                                                          \
		off += (size_t)len_ + 1;                                                           \
	} while (0)

	/* Memory, counted from the parts: the mbuf pool (about 2.5 KB each),
	 * and per worker its flow table (under 300 B a flow, flow-table.md),
	 * its record ring and rings, plus room for DPDK itself. */
	mem_mb = 64 +
		 (uint64_t)MAIN_MBUFS_REPLAY(x->dp.n_workers) * (MAIN_REPLAY_DATAROOM + 512) /
			 (1 << 20) +
		 (uint64_t)x->dp.n_workers *
			 (40 + (uint64_t)x->pol->dp.flows_per_worker * 384 / (1 << 20) +
			  (uint64_t)tomb_sets_for(x->pol->dp.flows_per_worker) *
				  sizeof(struct tomb_set) / (1 << 20) +
			  (stream_pool_size(MAIN_STREAM_SLOTS) + sizeof(struct frag_table)) /
				  (1 << 20) +
			  1);
	EARG("aduana");
	EARG("--no-huge");
	EARG("--no-pci");
	EARG("--no-shconf");
	EARG("--file-prefix=aduana-replay-%d", (int)getpid());
	EARG("--no-telemetry");
	EARG("-m");
	EARG("%" PRIu64, mem_mb);
	EARG("--log-level=*:warning");
	/* lcore 0 (main) on CPU 0, workers spread over the other CPUs. */
	{
		char lc[256];
		size_t lo = (size_t)snprintf(lc, sizeof(lc), "0@0");

		for (i = 1; i <= x->dp.n_workers && lo < sizeof(lc); i++)
			lo += (size_t)snprintf(lc + lo, sizeof(lc) - lo, ",%u@%u", i,
					       ncpu > 1 ? 1 + (i - 1) % (ncpu - 1) : 0);
		EARG("--lcores=%s", lc);
	}
	/* Without --pass-pcap nobody reads what the ports send: net_pcap
	 * with no tx_pcap drops it instead of writing a file per packet. */
	if (x->o.pass_pcap) {
		EARG("--vdev=net_pcap_in,rx_pcap=%s,tx_pcap=%s", x->f_in, x->f_tx_in);
		EARG("--vdev=net_pcap_out,rx_pcap=%s,tx_pcap=%s", x->f_out, x->f_tx_out);
	} else {
		EARG("--vdev=net_pcap_in,rx_pcap=%s", x->f_in);
		EARG("--vdev=net_pcap_out,rx_pcap=%s", x->f_out);
	}
	if (x->o.drop_pcap)
		EARG("--vdev=net_pcap_drop,rx_pcap=%s,tx_pcap=%s", x->f_empty, x->o.drop_pcap);
	eargv[n] = NULL;
	return n;
#undef EARG
}

static int main_replay_prepare(struct main_ctx *x)
{
	char err[512];
	int rc;

	snprintf(x->tmpdir, sizeof(x->tmpdir), "%s/aduana-replay-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(x->tmpdir)) {
		fprintf(stderr, "aduana: cannot create %s: %s\n", x->tmpdir, strerror(errno));
		x->tmpdir[0] = '\0';
		return -errno;
	}
	snprintf(x->f_in, sizeof(x->f_in), "%s/inside.pcap", x->tmpdir);
	snprintf(x->f_out, sizeof(x->f_out), "%s/outside.pcap", x->tmpdir);
	snprintf(x->f_tx_in, sizeof(x->f_tx_in), "%s/tx-inside.pcap", x->tmpdir);
	snprintf(x->f_tx_out, sizeof(x->f_tx_out), "%s/tx-outside.pcap", x->tmpdir);
	snprintf(x->f_empty, sizeof(x->f_empty), "%s/empty.pcap", x->tmpdir);
	replay_set_map_dir(x->tmpdir);
	rc = replay_split(x->o.replay, x->pol, x->o.sides_set ? &x->o.sides : NULL, x->f_in,
			  x->f_out, &x->rs, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aduana: %s\n", err);
		return rc;
	}
	if (x->o.drop_pcap && replay_empty_pcap(x->f_empty) != 0) {
		fprintf(stderr, "aduana: cannot write %s\n", x->f_empty);
		return -EIO;
	}
	if (!x->o.quiet)
		fprintf(stderr,
			"aduana: replay %s (%s): %" PRIu64 " packets, %" PRIu64 " inside, %" PRIu64
			" outside\n",
			x->o.replay, x->rs.linktype_name ? x->rs.linktype_name : "?", x->rs.total,
			x->rs.inside, x->rs.outside);
	return 0;
}

static void main_replay_cleanup(struct main_ctx *x)
{
	char err[512];

	if (!x->tmpdir[0])
		return;
	if (x->o.pass_pcap && access(x->f_tx_in, R_OK) == 0 &&
	    replay_merge(x->f_tx_out, x->f_tx_in, x->o.pass_pcap, err, sizeof(err)) != 0)
		fprintf(stderr, "aduana: --pass-pcap: %s\n", err);
	unlink(x->f_in);
	unlink(x->f_out);
	unlink(x->f_tx_in);
	unlink(x->f_tx_out);
	unlink(x->f_empty);
	rmdir(x->tmpdir);
}

static int main_setup_workers(struct main_ctx *x)
{
	struct dp *dp = &x->dp;
	char name[RTE_RING_NAMESIZE];
	unsigned i, lcore;
	int socket = (int)rte_socket_id();
	void *stream_mem;
	size_t qsz;

	x->workers =
		rte_zmalloc("workers", sizeof(*x->workers) * dp->n_workers, RTE_CACHE_LINE_SIZE);
	dp->learn = rte_zmalloc("learn", sizeof(*dp->learn) * dp->n_workers, 0);
	if (!x->workers || !dp->learn)
		return -ENOMEM;
	for (i = 0; i < x->pol->n_endpoints; i++)
		dp->learn_on |= x->pol->endpoints[i].n_hosts > 0;
	qsz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->qsbr = rte_zmalloc("qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (!dp->qsbr || rte_rcu_qsbr_init(dp->qsbr, dp->n_workers) != 0)
		return -ENOMEM;

	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		struct worker *w;

		if (i == dp->n_workers)
			break;
		w = &x->workers[i];
		w->id = i;
		w->lcore = lcore;
		w->dp = dp;
		w->peers = x->workers;
		w->learn =
			rte_zmalloc_socket("learn", sizeof(*w->learn), RTE_CACHE_LINE_SIZE, socket);
		if (!w->learn)
			return -ENOMEM;
		learn_init(w->learn);
		dp->learn[i] = w->learn;
		w->dnsq = rte_zmalloc_socket("dnsq", sizeof(*w->dnsq), RTE_CACHE_LINE_SIZE, socket);
		if (!w->dnsq)
			return -ENOMEM;
		dns_pending_init(w->dnsq);
		/* zeroed: every entry free */
		w->dnsasm = rte_zmalloc_socket("dnsasm", sizeof(*w->dnsasm), RTE_CACHE_LINE_SIZE,
					       socket);
		if (!w->dnsasm)
			return -ENOMEM;
		w->streams = rte_zmalloc_socket("streams", sizeof(*w->streams), RTE_CACHE_LINE_SIZE,
						socket);
		stream_mem = w->streams ? rte_zmalloc_socket("stream_slots",
							     stream_pool_size(MAIN_STREAM_SLOTS),
							     RTE_CACHE_LINE_SIZE, socket)
					: NULL;
		if (!stream_mem) {
			fprintf(stderr, "aduana: worker %u: cannot allocate %u reassembly slots\n",
				i, MAIN_STREAM_SLOTS);
			return -ENOMEM;
		}
		stream_pool_init(w->streams, stream_mem, MAIN_STREAM_SLOTS);
		w->frags =
			rte_zmalloc_socket("frags", sizeof(*w->frags), RTE_CACHE_LINE_SIZE, socket);
		if (!w->frags)
			return -ENOMEM;
		frag_init(w->frags);
		w->hlogs = rte_zmalloc_socket("hlogs", sizeof(*w->hlogs) * HLOG_SLOTS,
					      RTE_CACHE_LINE_SIZE, socket);
		if (!w->hlogs)
			return -ENOMEM;
		for (unsigned k = 0; k < HLOG_SLOTS; k++)
			w->hlogs[k].fidx = UINT32_MAX;
		w->rlogs = rte_zmalloc_socket("rlogs", sizeof(*w->rlogs) * RLOG_SLOTS,
					      RTE_CACHE_LINE_SIZE, socket);
		if (!w->rlogs)
			return -ENOMEM;
		for (unsigned k = 0; k < RLOG_SLOTS; k++)
			w->rlogs[k].fidx = UINT32_MAX;
		w->carries = rte_zmalloc_socket("carries", sizeof(*w->carries) * WORKER_CARRY_SLOTS,
						RTE_CACHE_LINE_SIZE, socket);
		if (!w->carries)
			return -ENOMEM;
		for (unsigned k = 0; k < WORKER_CARRY_SLOTS; k++)
			w->carries[k].fidx = UINT32_MAX;
		w->h2ws = rte_zmalloc_socket("h2ws", sizeof(*w->h2ws) * WORKER_H2W_SLOTS,
					     RTE_CACHE_LINE_SIZE, socket);
		if (!w->h2ws)
			return -ENOMEM;
		for (unsigned k = 0; k < WORKER_H2W_SLOTS; k++)
			w->h2ws[k].fidx = UINT32_MAX;
		w->tombs.mask = tomb_sets_for(x->pol->dp.flows_per_worker) - 1;
		w->tombs.sets = rte_zmalloc_socket("tombs",
						   sizeof(struct tomb_set) * (w->tombs.mask + 1),
						   RTE_CACHE_LINE_SIZE, socket);
		if (!w->tombs.sets)
			return -ENOMEM;
		/* Secret: no sender can aim its ended flows at one set. */
		w->tomb_seed[0] = (uint32_t)rte_rand();
		w->tomb_seed[1] = (uint32_t)rte_rand();
		snprintf(name, sizeof(name), "flows%u", i);
		w->ft = flow_table_create(name, x->pol->dp.flows_per_worker, socket);
		if (!w->ft) {
			fprintf(stderr,
				"aduana: worker %u: cannot create a flow table of %u flows\n", i,
				x->pol->dp.flows_per_worker);
			return -ENOMEM;
		}
		flow_table_set_timeouts(w->ft, x->pol->dp.timeouts);
		w->flows = flow_table_flows(w->ft);
		w->acks = flow_table_acks(w->ft);
		w->cls = cls_worker_create(
			x->cls, RTE_MIN(x->pol->dp.flows_per_worker, (uint32_t)65536), socket);
		if (!w->cls) {
			fprintf(stderr, "aduana: worker %u: cannot create its classifier\n", i);
			return -ENOMEM;
		}
		snprintf(name, sizeof(name), "recs%u", i);
		w->rec_ring = flowlog_ring_create(name, MAIN_REC_RING, socket);
		if (!w->rec_ring)
			return -ENOMEM;
		if (dp->mode == WORKER_DISPATCH && i > 0) {
			snprintf(name, sizeof(name), "rx%u", i);
			w->rx_ring = rte_ring_create(name, MAIN_PKT_RING, socket,
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
			snprintf(name, sizeof(name), "tx%u", i);
			w->tx_ring = rte_ring_create(name, MAIN_PKT_RING, socket,
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (!w->rx_ring || !w->tx_ring)
				return -ENOMEM;
		}
		i++;
	}
	if (i < dp->n_workers) {
		fprintf(stderr,
			"aduana: %u worker(s) need %u worker lcores, EAL gave %u; "
			"pass e.g. -l 0-%u\n",
			dp->n_workers, dp->n_workers, i, dp->n_workers);
		return -EINVAL;
	}
	return 0;
}

/* At exit: what lives on the C heap (the classifiers, nDPI) is freed here,
 * so that a leak checker sees a clean end. What lives on DPDK's heap (flow
 * tables, rings, stream and reassembly slots, the mbuf pool) is not freed one
 * by one: rte_eal_cleanup(), which always follows, unmaps that memory whole.
 * Freeing it first would cost more than the run itself on small pages:
 * DPDK's rte_free() zeroes every freed byte, faulting in, only to clear them,
 * the pages of a table the run never reached (about 200 MB for a replay with
 * 2 workers). */
static void main_free(struct main_ctx *x)
{
	unsigned i;

	if (x->workers)
		for (i = 0; i < x->dp.n_workers; i++)
			cls_worker_destroy(x->workers[i].cls);
	cls_engine_destroy(x->cls);
	if (x->flow_log && x->flow_log != stdout)
		fclose(x->flow_log);
}

static int main_ports(struct main_ctx *x)
{
	struct dp *dp = &x->dp;
	uint16_t nq = 1;
	bool rss = false;
	int rc;

	if (x->o.replay) {
		rc = port_resolve("net_pcap_in", &dp->port_in);
		rc = rc ? rc : port_resolve("net_pcap_out", &dp->port_out);
		dp->port_drop = -1;
		if (!rc && x->o.drop_pcap) {
			uint16_t pd;

			rc = port_resolve("net_pcap_drop", &pd);
			dp->port_drop = pd;
		}
		if (rc) {
			fprintf(stderr, "aduana: replay devices missing (net_pcap driver?)\n");
			return rc;
		}
	} else {
		dp->port_drop = -1;
		if (port_resolve(x->o.inside, &dp->port_in) != 0) {
			fprintf(stderr,
				"aduana: --inside %s: no such port (have %u; a device that failed "
				"to start says why in DPDK's messages above)\n",
				x->o.inside, rte_eth_dev_count_avail());
			return -ENODEV;
		}
		if (port_resolve(x->o.outside, &dp->port_out) != 0) {
			fprintf(stderr,
				"aduana: --outside %s: no such port (have %u; a device that failed "
				"to start says why in DPDK's messages above)\n",
				x->o.outside, rte_eth_dev_count_avail());
			return -ENODEV;
		}
		if (dp->port_in == dp->port_out) {
			fprintf(stderr, "aduana: --inside and --outside are the same port\n");
			return -EINVAL;
		}
		rss = dp->n_workers > 1 && port_can_rss(dp->port_in, (uint16_t)dp->n_workers) &&
		      port_can_rss(dp->port_out, (uint16_t)dp->n_workers);
		if (rss)
			nq = (uint16_t)dp->n_workers;
	}
	dp->mode = rss ? WORKER_RSS : WORKER_DISPATCH;
	x->mp = rte_pktmbuf_pool_create(
		"mbufs", x->o.replay ? MAIN_MBUFS_REPLAY(dp->n_workers) : MAIN_MBUFS_LIVE, 256, 0,
		x->o.replay ? MAIN_REPLAY_DATAROOM : RTE_MBUF_DEFAULT_BUF_SIZE,
		(int)rte_socket_id());
	if (!x->mp) {
		fprintf(stderr, "aduana: cannot allocate the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = port_setup(dp->port_in, nq, x->mp, rss, x->o.replay != NULL);
	rc = rc ? rc : port_setup(dp->port_out, nq, x->mp, rss, x->o.replay != NULL);
	if (!rc && dp->port_drop >= 0)
		rc = port_setup((uint16_t)dp->port_drop, 1, x->mp, false, false);
	return rc;
}

static void main_progress(struct main_ctx *x, uint64_t *next_ns)
{
	uint64_t now = main_wall_ns();
	struct stats s;

	if (x->o.quiet || now < *next_ns)
		return;
	*next_ns = now + 2000000000ull;
	main_sum(x, &s);
	if (x->dp.replay)
		fprintf(stderr, "aduana: %" PRIu64 "/%" PRIu64 " packets, %" PRIu64 " flows\n",
			s.c[STATS_rx], x->rs.total, s.c[STATS_flows]);
	else
		fprintf(stderr,
			"aduana: rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 " flows %" PRIu64
			"%s",
			s.c[STATS_rx], s.c[STATS_tx], s.c[STATS_dropped], s.c[STATS_flows],
			x->dp.stages ? "" : "\n");
	if (!x->dp.replay && x->dp.stages) {
		/* Cumulative stage cycles, for a window between two lines. */
		fprintf(stderr, " stages");
		for (unsigned i = STATS_stage_rx; i <= STATS_stage_stamps; i++)
			fprintf(stderr, " %s=%" PRIu64, stats_counter_name(i) + 6, s.c[i]);
		fprintf(stderr, "\n");
	}
}

/* The main lcore's loop: records, progress, clock, stop conditions. Each
 * turn is bounded (one drain slice), so a stop request, the deadline and
 * the progress line are answered within milliseconds under any load. */
static void main_control_loop(struct main_ctx *x)
{
	uint64_t next_progress = main_wall_ns() + 2000000000ull;
	uint64_t next_anchor = main_wall_ns() + MAIN_ANCHOR_NS;
	uint64_t deadline =
		x->o.duration > 0 ? main_wall_ns() + (uint64_t)(x->o.duration * 1e9) : UINT64_MAX;

	while (__atomic_load_n(&x->dp.done, __ATOMIC_ACQUIRE) < x->dp.n_workers) {
		uint64_t now = main_wall_ns();

		if (!x->dp.stop && (main_quit || now >= deadline))
			x->dp.stop = true;
		if (!x->dp.replay && now >= next_anchor) {
			worker_clock_anchor(&x->dp, rte_rdtsc(), main_wall_ns());
			next_anchor = now + MAIN_ANCHOR_NS;
			/* Ended grants leave the table; workers cut their
			 * flows by their own clock meanwhile. */
			grant_reg_tick(x->grants, now / 1000000000ull);
		}
		/* Records reach the file as flows end, for whoever tails it. */
		if (main_drain_records(x) == 0)
			usleep(1000);
		else if (x->flow_log)
			fflush(x->flow_log);
		main_progress(x, &next_progress);
		ctlsock_poll(x->ctl);
	}
	rte_eal_mp_wait_lcore();
	while (main_drain_records(x))
		;
	if (x->flow_log)
		fflush(x->flow_log);
	ctlsock_finish(x->ctl, MAIN_CTL_LINGER_MS);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

static int main_prefault_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
			     size_t len, void *arg)
{
	uint64_t *bytes = arg;

	/* Hugepages are already there (EAL faults them in as it maps them). */
	if (msl->page_sz > (uint64_t)sysconf(_SC_PAGESIZE))
		return 0;
	/* Faults every page in for writing without changing its contents
	 * (memory in use stays as it is). A kernel without it: nothing. */
	if (madvise(ms->addr, len, MADV_POPULATE_WRITE) == 0)
		*bytes += len;
	return 0;
}

/* Replay runs on small pages (--no-huge): the mbuf pool, the flow tables,
 * the rings, the reassembly slots, the classifier's slots and nDPI's heap
 * would be faulted in one 4 KiB page at a time by the worker as the capture
 * first reaches them, a kernel trap each on the packet path. An appliance faults its memory in at start: so does
 * the replay, here, before the workers are launched. The replay's memory
 * (-m) is sized to its parts (main_replay_eal), so this is about what it
 * uses. */
static void main_prefault(struct main_ctx *x)
{
	uint64_t bytes = 0;
	unsigned i;

	rte_memseg_contig_walk(main_prefault_seg, &bytes);
	/* The classifier's slots and nDPI's heap are sized for 65536 flows
	 * under classification at once (reserved, not committed): the first
	 * MAIN_WARM_SLOTS of them, the part a capture reaches first. */
	for (i = 0; i < x->dp.n_workers; i++)
		cls_worker_prefault(x->workers[i].cls, MAIN_WARM_SLOTS);
}

/* ADUANA_REPLAY_PREFAULT=0: a replay leaves its memory to be faulted in as
 * it is first reached. The test suites run thousands of small replays, for
 * verdicts not timings; for each, faulting in all of its memory would take
 * longer than the replay. Anything else, or unset: faulted in at start. */
static bool main_replay_prefault(void)
{
	const char *v = getenv("ADUANA_REPLAY_PREFAULT");

	return !v || strcmp(v, "0") != 0;
}

/* --check: everything a start would load, without starting anything. */
static int main_check(struct main_ctx *x)
{
	char err[1024];

	x->cls = cls_engine_create(x->pol->classes_path, x->pol->lists_path, err, sizeof(err));
	if (!x->cls) {
		fprintf(stderr, "aduana: %s\n", err);
		policy_free(x->pol);
		return 2;
	}
	printf("%s: ok: %u zones, %u profiles, %u endpoints; sha256 %s\n", x->o.conf,
	       x->pol->n_zones, x->pol->n_profiles, x->pol->n_endpoints, x->pol->hash);
	cls_engine_destroy(x->cls);
	policy_free(x->pol);
	return 0;
}

int main(int argc, char **argv)
{
	static char estore[8192];
	struct main_ctx x;
	char *eargv[32], err[1024];
	int eargc, rc, status = 1;
	unsigned i;
	bool replay_mode = false;

	memset(&x, 0, sizeof(x));
	for (i = 1; i < (unsigned)argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--replay") == 0 || strncmp(argv[i], "--replay=", 9) == 0 ||
		    strcmp(argv[i], "--check") == 0)
			replay_mode = true; /* no EAL arguments before our own */
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			main_usage(stdout);
			return 0;
		}
	}

	if (replay_mode) {
		if (main_parse_opts(argc, argv, &x.o) != 0)
			return 2;
	} else {
		/* Live: EAL takes its own arguments first (up to "--"). */
		rc = rte_eal_init(argc, argv);
		if (rc < 0) {
			fprintf(stderr, "aduana: EAL initialisation failed: %s\n",
				rte_strerror(rte_errno));
			return 2;
		}
		argv[rc] = argv[0];
		if (main_parse_opts(argc - rc, argv + rc, &x.o) != 0)
			return 2;
	}

	x.pol = config_load(x.o.conf, 1, err, sizeof(err));
	if (!x.pol) {
		fprintf(stderr, "aduana: %s\n", err);
		return 2;
	}
	if (x.o.check)
		return main_check(&x);
	/* (--help and --check read no packet and need no key) */
	if (!judge_keys_ok()) {
		fprintf(stderr, "aduana: no secret key: neither getrandom(2) nor /dev/urandom gave "
				"random bytes; the header log's sums and the L2 hashes need a key no "
				"sender can guess, so aduana does not start\n");
		policy_free(x.pol);
		return 1;
	}
	x.dp.n_workers = x.o.workers ? x.o.workers : x.pol->dp.workers;
	if (x.dp.n_workers > WORKER_MAX)
		x.dp.n_workers = WORKER_MAX;
	x.dp.replay = replay_mode;
	x.dp.stages = x.o.stages;
	if (main_open_flow_log(&x) != 0) {
		policy_free(x.pol);
		return 2;
	}
	/* A live run writes a record per flow, fast: say where. */
	if (!replay_mode && !x.o.quiet)
		fprintf(stderr, "aduana: flow records to %s\n",
			x.flow_log == stdout ? "stdout"
			: x.flow_log	     ? (x.o.flow_log ? x.o.flow_log : x.pol->flow_log)
					     : "nowhere (log.flow_log is empty)");

	if (replay_mode) {
		if (main_replay_prepare(&x) != 0) {
			status = 2;
			goto out_replay;
		}
		eargc = main_replay_eal(&x, eargv, RTE_DIM(eargv), estore, sizeof(estore));
		if (eargc < 0 || rte_eal_init(eargc, eargv) < 0) {
			fprintf(stderr, "aduana: EAL initialisation failed: %s\n",
				rte_strerror(rte_errno));
			goto out_replay;
		}
	}

	x.cls = cls_engine_create(x.pol->classes_path, x.pol->lists_path, err, sizeof(err));
	if (!x.cls) {
		fprintf(stderr, "aduana: %s\n", err);
		status = 2;
		goto out_eal;
	}
	x.dp.cls = x.cls;
	x.dp.policy = x.pol;
	x.dp.tsc_hz = rte_get_tsc_hz();
	x.dp.ns_per_cycle = (uint64_t)(((unsigned __int128)1000000000ull << 32) / x.dp.tsc_hz);
	x.dp.tsc_base = rte_rdtsc();
	x.dp.epoch_ns = main_wall_ns();
	x.started_ns = x.dp.epoch_ns;
	if (replay_mode) {
		rc = rte_mbuf_dyn_rx_timestamp_register(&x.dp.ts_off, &x.dp.ts_flag);
		if (rc) {
			fprintf(stderr, "aduana: cannot register the mbuf timestamp field\n");
			goto out_free;
		}
	}
	if (main_ports(&x) != 0 || main_setup_workers(&x) != 0)
		goto out_free;
	if (replay_mode && main_replay_prefault())
		main_prefault(&x);

	x.grants = grant_reg_create(&x.dp, &x.pol);
	if (!x.grants) {
		fprintf(stderr, "aduana: out of memory\n");
		goto out_free;
	}
	flowlog_set_approvals(grant_reg_approval, x.grants);
	if (x.o.grants && grant_reg_load(x.grants, x.o.grants, err, sizeof(err)) != 0) {
		fprintf(stderr, "aduana: %s\n", err);
		status = 2;
		goto out_free;
	}
	if (x.o.ctl) {
		x.ctl = ctlsock_create(x.o.ctl, x.o.ctl_group, &x.dp, &x.pol, x.workers, x.cls, err, sizeof(err));
		if (!x.ctl) {
			fprintf(stderr, "aduana: %s\n", err);
			goto out_free;
		}
		ctlsock_set_grants(x.ctl, x.grants);
	}
	main_telemetry(&x);
	signal(SIGINT, main_signal);
	signal(SIGTERM, main_signal);
	x.started_ns = main_wall_ns();
	for (i = 0; i < x.dp.n_workers; i++)
		rte_eal_remote_launch(worker_main, &x.workers[i], x.workers[i].lcore);
	main_control_loop(&x);
	rte_eth_dev_stop(x.dp.port_in);
	rte_eth_dev_stop(x.dp.port_out);
	if (x.dp.port_drop >= 0)
		rte_eth_dev_stop((uint16_t)x.dp.port_drop);
	main_print_summary(&x);
	status = 0;
out_free:
	ctlsock_destroy(x.ctl);
	flowlog_set_approvals(NULL, NULL);
	grant_reg_destroy(x.grants);
	main_free(&x);
out_eal:
	rte_eal_cleanup();
out_replay:
	if (replay_mode)
		main_replay_cleanup(&x);
	policy_free(x.pol);
	return status;
}
