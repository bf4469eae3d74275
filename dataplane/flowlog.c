/* Flow records and their JSON lines (see flowlog.h). */
#include "flowlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include "classifier.h"

_Static_assert(sizeof(struct flowlog_rec) % 4 == 0, "ring elements are 4-byte multiples");
_Static_assert(sizeof(struct flowlog_rec) <= 256, "keep records small: they are copied");

void flowlog_rec_from_flow(struct flowlog_rec *rec, const struct flow *f)
{
	const struct flow_key *k = &f->key;

	rec->ts_start = f->ts_start;
	rec->ts_end = f->ts_last;
	rec->bytes_out = f->bytes_out;
	rec->bytes_in = f->bytes_in;
	if (f->init_is_a) {
		memcpy(rec->src, k->addr_a, 16);
		memcpy(rec->dst, k->addr_b, 16);
		rec->sport = k->port_a;
		rec->dport = k->port_b;
	} else {
		memcpy(rec->src, k->addr_b, 16);
		memcpy(rec->dst, k->addr_a, 16);
		rec->sport = k->port_b;
		rec->dport = k->port_a;
	}
	rec->pkts_out = f->pkts_out;
	rec->pkts_in = f->pkts_in;
	rec->dropped_pkts = f->dropped_pkts;
	rec->policy_version = f->policy_version;
	rec->pkts_to_verdict = f->pkts_to_verdict;
	rec->app_master = f->app_master;
	rec->app = f->app;
	rec->zone = f->zone;
	rec->decision = f->decision;
	rec->l4proto = k->l4proto;
	rec->family = k->family;
	rec->outbound = f->outbound;
	rec->cls = f->cls;
	rec->name_kind = f->name_kind;
	rec->end = (f->tcp & FLOW_TCP_RST) || (f->tcp & (FLOW_TCP_FIN_A | FLOW_TCP_FIN_B)) ==
						      (FLOW_TCP_FIN_A | FLOW_TCP_FIN_B)
			   ? FLOWLOG_END_FLOW
			   : FLOWLOG_END_IDLE;
	memcpy(rec->name, f->name, sizeof(rec->name));
	rec->n_learned = f->n_learned;
	rec->aggregate = 0;
	rec->grant_id = f->grant_id;
	memcpy(rec->learned_addr, f->learned_addr, sizeof(rec->learned_addr));
	rec->name[sizeof(rec->name) - 1] = '\0';
}

static const char *(*flowlog_approval)(void *arg, uint32_t id);
static void *flowlog_approval_arg;

void flowlog_set_approvals(const char *(*lookup)(void *arg, uint32_t id), void *arg)
{
	flowlog_approval = lookup;
	flowlog_approval_arg = arg;
}

struct rte_ring *flowlog_ring_create(const char *name, unsigned count, int socket)
{
	return rte_ring_create_elem(name, sizeof(struct flowlog_rec), count, socket,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
}

void flowlog_time(char *buf, size_t size, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	unsigned usec = (unsigned)((ns % 1000000000ull) / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06uZ", usec);
}

static void flowlog_addr(char *buf, size_t size, const uint8_t a[16], uint8_t family)
{
	if (family == 4)
		inet_ntop(AF_INET, a + 12, buf, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)size);
}

/* JSON string or null; names come from the wire, so escape everything that
 * is not printable ASCII. */
static void flowlog_str(FILE *out, const char *s)
{
	const unsigned char *p;

	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void flowlog_proto(FILE *out, uint8_t l4proto)
{
	switch (l4proto) {
	case IPPROTO_TCP:
		fputs("\"tcp\"", out);
		break;
	case IPPROTO_UDP:
		fputs("\"udp\"", out);
		break;
	case IPPROTO_ICMP:
		fputs("\"icmp\"", out);
		break;
	case IPPROTO_ICMPV6:
		fputs("\"icmp6\"", out);
		break;
	default:
		fprintf(out, "%u", l4proto);
	}
}

int flowlog_write(FILE *out, const struct flowlog_rec *rec, const struct policy *pol,
		  const struct cls_engine *e)
{
	char t0[40], t1[40], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], reason[128], app[64];
	const char *zone = "none";

	flowlog_time(t0, sizeof(t0), rec->ts_start);
	flowlog_time(t1, sizeof(t1), rec->ts_end);
	flowlog_addr(src, sizeof(src), rec->src, rec->family);
	flowlog_addr(dst, sizeof(dst), rec->dst, rec->family);
	if (rec->zone >= 0 && (unsigned)rec->zone < pol->n_zones)
		zone = pol->zones[rec->zone].name;
	if (rec->decision.reason == POLICY_R_GRANT)
		snprintf(reason, sizeof(reason), "grant:%u", rec->grant_id);
	else
		policy_reason_format(pol, &rec->decision, reason, sizeof(reason));
	if (e)
		cls_app_name(e, rec->app_master, rec->app, app, sizeof(app));
	else
		snprintf(app, sizeof(app), "Unknown");

	fprintf(out, "{\"ts_start\":\"%s\",\"ts_end\":\"%s\",\"zone\":", t0, t1);
	flowlog_str(out, zone);
	fprintf(out, ",\"dir\":\"%s\",\"proto\":", rec->outbound ? "out" : "in");
	flowlog_proto(out, rec->l4proto);
	fprintf(out, ",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,\"app\":", src,
		rec->sport, dst, rec->dport);
	flowlog_str(out, app);
	fputs(",\"class\":", out);
	flowlog_str(out, rec->cls ? policy_class_name(rec->cls) : NULL);
	fputs(",\"sni\":", out);
	flowlog_str(out, rec->name_kind == FLOW_NAME_SNI ? rec->name : NULL);
	fputs(",\"host\":", out);
	flowlog_str(out, rec->name_kind == FLOW_NAME_HOST ? rec->name : NULL);
	fputs(",\"dns_query\":", out);
	flowlog_str(out, rec->name_kind == FLOW_NAME_DNS ? rec->name : NULL);
	fprintf(out, ",\"verdict\":\"%s\",\"reason\":",
		rec->decision.verdict == POLICY_DROP ? "drop"
		: rec->decision.verdict == POLICY_PENDING && rec->end == FLOWLOG_END_OPEN
			? "pending" /* only an open flow can still be undecided */
			: "allow");
	flowlog_str(out, reason);
	/* The grant that allowed the flow (or its first part, when the grant
	 * ended under it) and its approval reference. */
	if (rec->grant_id) {
		fprintf(out, ",\"grant\":%u,\"approval\":", rec->grant_id);
		flowlog_str(out, flowlog_approval
					 ? flowlog_approval(flowlog_approval_arg, rec->grant_id)
					 : NULL);
	} else {
		fputs(",\"grant\":null,\"approval\":null", out);
	}
	fputs(",\"learned\":[", out);
	/* A TCP resolver flow keeps its conformance state where a UDP one
	 * keeps the addresses (flow.h): it counts them, lists none. */
	for (unsigned i = 0;
	     rec->l4proto == IPPROTO_UDP && i < rec->n_learned && i < FLOW_LEARNED_MAX; i++) {
		char a[INET6_ADDRSTRLEN];
		static const uint8_t v4pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		bool v4 = memcmp(rec->learned_addr[i], v4pre, sizeof(v4pre)) == 0;

		flowlog_addr(a, sizeof(a), rec->learned_addr[i], v4 ? 4 : 6);
		fprintf(out, "%s\"%s\"", i ? "," : "", a);
	}
	fprintf(out, "],\"learned_count\":%u,\"end\":\"%s\"", rec->n_learned,
		rec->end == FLOWLOG_END_FLOW	 ? "end"
		: rec->end == FLOWLOG_END_FORCED ? "forced"
		: rec->end == FLOWLOG_END_OPEN	 ? "open"
						 : "idle");
	if (rec->aggregate)
		fprintf(out, ",\"aggregate\":%u", rec->aggregate);
	fprintf(out,
		",\"policy_version\":%u,\"pkts_to_verdict\":%u,\"pkts_out\":%u,"
		"\"bytes_out\":%lu,\"pkts_in\":%u,\"bytes_in\":%lu,\"dropped_pkts\":%u}\n",
		rec->policy_version, rec->pkts_to_verdict, rec->pkts_out,
		(unsigned long)rec->bytes_out, rec->pkts_in, (unsigned long)rec->bytes_in,
		rec->dropped_pkts);
	return ferror(out) ? -EIO : 0;
}
