/* The worker poll loop (see worker.h and docs/dispatch.md). */
#include "worker.h"

#include <netinet/in.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "classifier.h"
#include "dns.h"
#include "flow.h"
#include "flowlog.h"
#include "learn.h"
#include "parse.h"
#include "policy.h"

#define EXPIRE_BUDGET 64 /* flow slots visited per call at most */
#define EXPIRE_LAP_NS 1000000000ull /* the sweep passes over the table once a second */

enum { ACT_FWD = 0, ACT_DROP = 1 };

/* A packet's flow key and the result of the burst's bulk lookup. */
struct worker_lk {
	struct flow_key k;
	struct flow *f;
	bool src_is_a;
};

/* Output of one burst, by destination. */
struct worker_out {
	struct rte_mbuf *fwd[2][WORKER_BURST * 2]; /* [0]: to port_in, [1]: to port_out */
	uint16_t n_fwd[2];
	struct rte_mbuf *drop[WORKER_BURST * 2];
	uint16_t n_drop;
};

static inline uint64_t worker_clock(const struct dp *dp)
{
	/* Fixed point: cycles * 1e9 would overflow 64 bits after ~9 s. */
	return dp->epoch_ns +
	       (uint64_t)(((unsigned __int128)(rte_rdtsc() - dp->tsc_base) * dp->ns_per_cycle) >>
			  32);
}

static inline uint64_t worker_pkt_time(const struct dp *dp, const struct rte_mbuf *m)
{
	/* net_pcap stamps microseconds since the epoch. */
	return *RTE_MBUF_DYNFIELD(m, dp->ts_off, const rte_mbuf_timestamp_t *) * 1000ull;
}

/* Hand a record to the main lcore. While replaying or flushing at exit the
 * worker waits for room (nothing is lost); on the live path a full ring
 * costs the record, never the packet. */
static void worker_emit(struct worker *w, const struct flow *f, bool lossless)
{
	struct flowlog_rec rec;

	flowlog_rec_from_flow(&rec, f);
	while (rte_ring_sp_enqueue_elem(w->rec_ring, &rec, sizeof(rec)) != 0) {
		if (!lossless) {
			w->st.c[STATS_flowlog_dropped]++;
			return;
		}
		rte_pause();
	}
}

static void worker_name_set(struct flow *f, const struct cls_result *cr)
{
	const char *name = NULL;

	if (cr->sni) {
		name = cr->sni;
		f->name_kind = FLOW_NAME_SNI;
	} else if (cr->host) {
		name = cr->host;
		f->name_kind = FLOW_NAME_HOST;
	} else if (cr->dns_query) {
		name = cr->dns_query;
		f->name_kind = FLOW_NAME_DNS;
	}
	if (name)
		snprintf(f->name, sizeof(f->name), "%s", name);
}

/* What the evaluator needs of a flow, from its key and state. */
static void worker_policy_flow(struct policy_flow *pf, const struct flow *f, uint64_t now)
{
	const struct flow_key *k = &f->key;
	/* The inside address is the initiator's for outbound flows. */
	bool inside_is_a = f->outbound ? f->init_is_a : !f->init_is_a;

	memset(pf, 0, sizeof(*pf));
	pf->zone = f->zone;
	pf->outbound = f->outbound;
	pf->l4proto = k->l4proto;
	memcpy(pf->local, inside_is_a ? k->addr_a : k->addr_b, 16);
	memcpy(pf->remote, inside_is_a ? k->addr_b : k->addr_a, 16);
	pf->local_port = inside_is_a ? k->port_a : k->port_b;
	pf->remote_port = inside_is_a ? k->port_b : k->port_a;
	pf->now = now / 1000000000ull;
	pf->learned = f->learned;
}

/* A UDP flow to port 53 that an endpoint allowed is a trusted resolver:
 * its answers for endpoint names may teach addresses (learn.h). */
static inline void worker_learn_flag(const struct worker *w, struct flow *f)
{
	bool inside_is_a = f->init_is_a; /* outbound flows only */

	if (w->dp->learn_on && f->outbound && f->key.l4proto == IPPROTO_UDP &&
	    f->decision.verdict == POLICY_ALLOW && f->decision.reason == POLICY_R_ENDPOINT &&
	    (inside_is_a ? f->key.port_b : f->key.port_a) == 53)
		f->learn = 1;
}

/* An answer on a resolver flow: learn the addresses of endpoint names. */
static void worker_learn(struct worker *w, const struct policy *pol, struct flow *f,
			 const struct rte_mbuf *m, const struct parse_result *r)
{
	struct dns_answer ans[DNS_MAX_ANSWERS];
	char qname[256];
	uint64_t mask;
	int n, i;

	n = dns_parse_response(rte_pktmbuf_mtod(m, const uint8_t *) + r->payload_off,
			       r->payload_len, qname, sizeof(qname), ans, RTE_DIM(ans));
	if (n < 0) {
		w->st.c[STATS_dns_bad]++;
		return;
	}
	mask = n ? policy_endpoints_for_host(pol, qname) : 0;
	for (i = 0; i < n && mask; i++) {
		learn_add(w->learn, ans[i].addr, mask, ans[i].ttl,
			  (uint32_t)(w->now / 1000000000ull));
		if (f->n_learned < FLOW_LEARNED_MAX)
			memcpy(f->learned_addr[f->n_learned], ans[i].addr, 16);
		if (f->n_learned < UINT8_MAX)
			f->n_learned++;
		w->st.c[STATS_dns_learned]++;
	}
}

/* final: no more packets will be classified. Until nDPI is done with a
 * flow its answer may still be refined: TLS is "TLS" at the ClientHello
 * and "TLS.AnyDesk" a few packets later, at the certificate. */
static void worker_cls_apply(struct policy_flow *pf, const struct cls_result *cr, bool final)
{
	pf->app_master = cr->app_master;
	pf->app = cr->app;
	pf->app_known = cr->known;
	pf->app_partial = cr->known && !cr->done && !final;
	pf->app_guessed = cr->guessed;
	pf->cls = cr->cls;
	pf->sni = cr->sni;
	pf->host = cr->host;
	pf->dns_query = cr->dns_query;
}

/* A verdict is final: keep what the log needs and free the classifier. */
static void worker_decided(struct worker *w, struct flow *f, const struct cls_result *cr)
{
	f->app_master = cr->master_id;
	f->app = cr->app_id;
	f->cls = cr->cls;
	f->app_guessed = cr->guessed;
	worker_name_set(f, cr);
	cls_flow_end(w->cls, f->cls_idx);
	f->cls_idx = FLOW_NO_CLS;
	f->pkts_to_verdict = (uint16_t)RTE_MIN(f->pkts_out + f->pkts_in, UINT16_MAX);
	worker_learn_flag(w, f);
}

/* Judge a still-undecided flow with the give-up rule (budget spent, or the
 * flow ended first). */
static void worker_giveup(struct worker *w, const struct policy *pol, struct flow *f)
{
	struct policy_flow pf;
	struct cls_result cr;

	cls_flow_giveup(w->cls, f->cls_idx, &cr);
	worker_policy_flow(&pf, f, w->now);
	worker_cls_apply(&pf, &cr, true);
	pf.giveup = true;
	policy_evaluate(pol, &pf, &f->decision);
	if (f->decision.verdict == POLICY_PENDING) /* cannot happen: fail closed anyway */
		policy_exception(pol, f->zone, POLICY_EXC_giveup, &f->decision);
	worker_decided(w, f, &cr);
}

/* A flow leaves the table: settle it and log it. The caller removes it. */
static void worker_flow_end(struct worker *w, const struct policy *pol, struct flow *f,
			    bool lossless)
{
	if (f->cls_idx != FLOW_NO_CLS)
		worker_giveup(w, pol, f);
	worker_emit(w, f, lossless);
	w->st.c[STATS_flows_ended]++;
}

struct worker_expire_arg {
	struct worker *w;
	const struct policy *pol;
	bool lossless;
};

static void worker_expire_cb(struct flow *f, void *arg)
{
	struct worker_expire_arg *a = arg;

	worker_flow_end(a->w, a->pol, f, a->lossless);
}

static inline void worker_drop_count(struct worker *w, const struct flow *f)
{
	w->st.drop[stats_drop_for(f->decision.reason, f->decision.arg)]++;
	if (f->decision.reason == POLICY_R_CLASS && f->decision.arg < POLICY_CLASS_COUNT)
		w->st.class_drop[f->decision.arg]++;
}

static inline int worker_zone_of(const struct policy *pol, const struct parse_result *r,
				 bool *outbound)
{
	int z = policy_zone_find(pol, r->src);

	*outbound = true;
	if (z >= 0)
		return z;
	*outbound = false;
	return policy_zone_find(pol, r->dst);
}

/* A packet that cannot have a table entry (full table, malformed L4,
 * fragment): judged by the zone's exception action and logged as a flow of
 * one packet. */
static int worker_untracked(struct worker *w, const struct policy *pol,
			    const struct parse_result *r, enum policy_exception exc, uint32_t len)
{
	struct flow f;
	bool src_is_a, outbound;

	memset(&f, 0, sizeof(f));
	flow_key_make(&f.key, r, &src_is_a);
	f.init_is_a = src_is_a;
	f.zone = (int16_t)worker_zone_of(pol, r, &outbound);
	f.outbound = f.zone >= 0 ? outbound : true;
	f.ts_start = f.ts_last = w->now;
	f.pkts_out = 1;
	f.bytes_out = len;
	f.pkts_to_verdict = 1;
	f.policy_version = pol->version;
	f.cls_idx = FLOW_NO_CLS;
	policy_exception(pol, f.zone, exc, &f.decision);
	w->st.c[STATS_flows_untracked]++;
	if (f.decision.verdict == POLICY_DROP) {
		f.dropped_pkts = 1;
		worker_drop_count(w, &f);
	}
	worker_emit(w, &f, w->dp->replay);
	return f.decision.verdict == POLICY_DROP ? ACT_DROP : ACT_FWD;
}

static struct flow *worker_flow_new(struct worker *w, const struct policy *pol,
				    const struct parse_result *r, const struct flow_key *k,
				    bool src_is_a)
{
	struct policy_flow pf;
	struct cls_result cr;
	struct flow *f;
	bool outbound;
	int zone;

	f = flow_insert(w->ft, k);
	if (unlikely(!f))
		return NULL;
	w->st.c[STATS_flows]++;
	zone = worker_zone_of(pol, r, &outbound);
	f->ts_start = w->now;
	f->init_is_a = src_is_a;
	f->policy_version = pol->version;
	f->zone = (int16_t)zone;
	f->outbound = zone >= 0 ? outbound : true;
	f->pkts_to_verdict = 1;

	if (zone < 0) {
		f->decision.verdict = POLICY_ALLOW;
		f->decision.reason = POLICY_R_PASSTHROUGH;
		return f;
	}
	if (k->l4proto == IPPROTO_TCP) {
		/* A flow whose first packet is not a SYN began before we
		 * were watching (restart, asymmetric path): nothing vouches
		 * for how it started. */
		if ((r->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) != RTE_TCP_SYN_FLAG) {
			policy_exception(pol, zone, POLICY_EXC_midstream, &f->decision);
			if (f->decision.verdict == POLICY_DROP)
				return f;
			/* A zone that allows on exceptions still applies the
			 * rest of its policy: classify from here on. */
			f->decision.verdict = POLICY_PENDING;
			f->seq_next = r->tcp_seq;
		} else {
			f->tcp = FLOW_TCP_SYN;
			f->seq_next = r->tcp_seq + 1 + r->payload_len;
		}
	}
	if (w->dp->learn_on && f->outbound)
		f->learned = learn_lookup(w->dp->learn, w->dp->n_workers,
					  f->init_is_a ? k->addr_b : k->addr_a,
					  (uint32_t)(w->now / 1000000000ull));
	worker_policy_flow(&pf, f, w->now);
	policy_evaluate(pol, &pf, &f->decision);
	if (f->decision.verdict != POLICY_PENDING) {
		worker_learn_flag(w, f);
		return f;
	}
	f->cls_idx = cls_flow_begin(w->cls);
	if (unlikely(f->cls_idx == CLS_NO_SLOT)) {
		f->cls_idx = FLOW_NO_CLS;
		policy_exception(pol, zone, POLICY_EXC_classifier_alloc, &f->decision);
		return f;
	}
	w->st.c[STATS_classified]++;
	/* Before any payload: what the responder's port or address suggests
	 * may block (a guess never allows), so such flows leak nothing. */
	cls_guess(w->cls, k->l4proto, f->init_is_a ? k->addr_a : k->addr_b,
		  f->init_is_a ? k->addr_b : k->addr_a, f->init_is_a ? k->port_b : k->port_a, &cr);
	if (cr.cls != POLICY_CLASS_NONE) {
		worker_cls_apply(&pf, &cr, false);
		policy_evaluate(pol, &pf, &f->decision);
		if (f->decision.verdict == POLICY_DROP) {
			worker_decided(w, f, &cr);
			f->pkts_to_verdict = 1;
			return f;
		}
		f->decision.verdict = POLICY_PENDING;
	}
	f->pkts_to_verdict = 0;
	return f;
}

/* The classifier reads the start of a TCP stream in order. A segment of the
 * initiator that leaves a gap or rewrites bytes already seen could show the
 * classifier something else than the server gets (the classic evasion), so
 * it is an exception, fail-closed where the zone says so. An exact
 * retransmission is harmless and skipped. Returns false when the packet must
 * not reach the classifier. */
static bool worker_seq_check(struct worker *w, const struct policy *pol, struct flow *f,
			     const struct parse_result *r)
{
	int32_t gap = (int32_t)(r->tcp_seq - f->seq_next);
	struct policy_decision d;
	struct cls_result cr;

	if (gap == 0) {
		f->seq_next += r->payload_len;
		return true;
	}
	if (gap < 0 && (int32_t)(r->tcp_seq + r->payload_len - f->seq_next) <= 0)
		return false; /* retransmission */
	policy_exception(pol, f->zone, POLICY_EXC_reassembly, &d);
	if (d.verdict != POLICY_DROP) {
		/* Zones that allow on exceptions keep classifying. */
		if (gap > 0 || (int32_t)(r->tcp_seq + r->payload_len - f->seq_next) > 0)
			f->seq_next = r->tcp_seq + r->payload_len;
		return true;
	}
	f->decision = d;
	memset(&cr, 0, sizeof(cr));
	worker_decided(w, f, &cr);
	return false;
}

static void worker_classify(struct worker *w, const struct policy *pol, struct flow *f,
			    const struct rte_mbuf *m, const struct parse_result *r, bool from_init)
{
	const uint8_t *l3 = rte_pktmbuf_mtod(m, const uint8_t *) + r->l3_off;
	uint16_t l3_len = (uint16_t)(rte_pktmbuf_data_len(m) - r->l3_off);
	struct policy_flow pf;
	struct cls_result cr;
	bool giveup;

	if (r->l4proto == IPPROTO_TCP && from_init && r->payload_len &&
	    !(r->tcp_flags & RTE_TCP_SYN_FLAG) && !worker_seq_check(w, pol, f, r))
		return;
	cls_flow_packet(w->cls, f->cls_idx, l3, l3_len, r, from_init, w->now, &cr);
	giveup = f->pkts_out + f->pkts_in >= pol->dp.classify_packets || (cr.done && !cr.known);
	if (giveup) {
		worker_giveup(w, pol, f);
		return;
	}
	worker_policy_flow(&pf, f, w->now);
	worker_cls_apply(&pf, &cr, false);
	policy_evaluate(pol, &pf, &f->decision);
	if (f->decision.verdict != POLICY_PENDING)
		worker_decided(w, f, &cr);
}

static inline void worker_tcp_track(struct flow *f, const struct parse_result *r, bool src_is_a)
{
	if (r->tcp_flags & RTE_TCP_RST_FLAG)
		f->tcp |= FLOW_TCP_RST;
	if (r->tcp_flags & RTE_TCP_FIN_FLAG)
		f->tcp |= src_is_a ? FLOW_TCP_FIN_A : FLOW_TCP_FIN_B;
}

static inline bool worker_tcp_reopens(const struct flow *f, const struct parse_result *r)
{
	bool closed = (f->tcp & FLOW_TCP_RST) || (f->tcp & (FLOW_TCP_FIN_A | FLOW_TCP_FIN_B)) ==
							 (FLOW_TCP_FIN_A | FLOW_TCP_FIN_B);

	return closed && (r->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG;
}

/* One IP packet through the flow table and the policy. */
static int worker_ip(struct worker *w, const struct policy *pol, const struct rte_mbuf *m,
		     const struct parse_result *r, const struct worker_lk *lk)
{
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const struct flow_key *k;
	bool src_is_a, from_init;
	struct flow *f;

	if (unlikely(r->err != PARSE_ERR_NONE)) {
		w->st.parse_err[r->err]++;
		return worker_untracked(w, pol, r, POLICY_EXC_malformed, len);
	}
	if (unlikely(r->frag != PARSE_FRAG_NONE))
		return worker_untracked(w, pol, r, POLICY_EXC_fragment, len);

	/* Only trackable packets have a key and a lookup result. */
	k = &lk->k;
	src_is_a = lk->src_is_a;
	f = lk->f;
	/* An earlier packet of this burst may have added or ended the flow
	 * after the bulk lookup: then look again. */
	if (unlikely(w->ft_changed))
		f = flow_lookup(w->ft, k);
	if (unlikely(!f) ||
	    unlikely(flow_expired(w->ft, f, w->now) ||
		     (k->l4proto == IPPROTO_TCP && worker_tcp_reopens(f, r)))) {
		/* The slow path of new flows is timed apart (summary:
		 * cycles_per_new_flow), so the cost of established packets
		 * can be read on its own. */
		uint64_t t0 = rte_rdtsc();

		if (f) {
			worker_flow_end(w, pol, f, w->dp->replay);
			flow_remove(w->ft, f);
		}
		w->ft_changed = true;
		f = worker_flow_new(w, pol, r, k, src_is_a);
		w->st.c[STATS_pkts_new]++;
		w->st.c[STATS_cycles_new] += rte_rdtsc() - t0;
		if (unlikely(!f))
			return worker_untracked(w, pol, r, POLICY_EXC_flow_table_full, len);
	}
	from_init = src_is_a == f->init_is_a;
	f->ts_last = w->now;
	if (from_init) {
		f->pkts_out++;
		f->bytes_out += len;
	} else {
		f->pkts_in++;
		f->bytes_in += len;
	}
	if (k->l4proto == IPPROTO_TCP)
		worker_tcp_track(f, r, src_is_a);
	if (unlikely(f->decision.verdict == POLICY_PENDING)) {
		uint64_t t0 = rte_rdtsc();

		worker_classify(w, pol, f, m, r, from_init);
		w->st.c[STATS_pkts_classify]++;
		w->st.c[STATS_cycles_classify] += rte_rdtsc() - t0;
	}
	if (unlikely(f->learn) && !from_init)
		worker_learn(w, pol, f, m, r);
	if (f->decision.verdict == POLICY_DROP) {
		f->dropped_pkts++;
		worker_drop_count(w, f);
		return ACT_DROP;
	}
	return ACT_FWD;
}

/* Judge one parsed packet; drops are counted by reason where decided. */
static inline int worker_judge(struct worker *w, const struct policy *pol, const struct rte_mbuf *m,
			       const struct parse_result *r, const struct worker_lk *lk)
{
	switch (r->kind) {
	case PARSE_IP:
		if (unlikely(r->l4proto == IPPROTO_ICMPV6 && r->err == PARSE_ERR_NONE &&
			     parse_is_nd(r))) {
			w->st.c[STATS_nd_pass]++;
			return ACT_FWD;
		}
		return worker_ip(w, pol, m, r, lk);
	case PARSE_L2_PASS:
		w->st.c[STATS_l2_pass]++;
		return ACT_FWD;
	case PARSE_L2_OTHER:
		w->st.drop[STATS_DROP_l2_other]++;
		return ACT_DROP;
	case PARSE_BAD_L2:
		w->st.parse_err[r->err]++;
		w->st.drop[STATS_DROP_bad_l2]++;
		return ACT_DROP;
	default:
		w->st.parse_err[r->err]++;
		w->st.drop[STATS_DROP_bad_l3]++;
		return ACT_DROP;
	}
}

static inline bool worker_trackable(const struct parse_result *r)
{
	return r->kind == PARSE_IP && r->err == PARSE_ERR_NONE && r->frag == PARSE_FRAG_NONE;
}

/* Judge n parsed packets and sort them into out. The flows of the whole
 * burst are looked up at once and prefetched, so their cache misses
 * overlap instead of adding up. `replay` is a constant in each caller. */
static inline void worker_burst_x(struct worker *w, const struct policy *pol,
				  struct rte_mbuf **pkts, const struct parse_result *r, unsigned n,
				  struct worker_out *out, const bool replay)
{
	const struct dp *dp = w->dp;
	struct worker_lk lk[WORKER_BURST * 2];
	const struct flow_key *keys[WORKER_BURST * 2];
	struct flow *found[WORKER_BURST * 2];
	uint8_t map[WORKER_BURST * 2];
	unsigned i, nk = 0;

	for (i = 0; i < n; i++) {
		if (!worker_trackable(&r[i]))
			continue;
		flow_key_make(&lk[i].k, &r[i], &lk[i].src_is_a);
		keys[nk] = &lk[i].k;
		map[nk++] = (uint8_t)i;
	}
	if (nk)
		flow_lookup_bulk(w->ft, keys, nk, found);
	for (i = 0; i < nk; i++) {
		lk[map[i]].f = found[i];
		if (found[i])
			rte_prefetch0(found[i]);
	}
	w->ft_changed = false;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (replay)
			w->now = worker_pkt_time(dp, m);
		w->st.c[STATS_rx]++;
		if (worker_judge(w, pol, m, &r[i], &lk[i]) == ACT_FWD) {
			unsigned d = m->port == dp->port_in; /* out the other side */

			out->fwd[d][out->n_fwd[d]++] = m;
		} else {
			w->st.c[STATS_dropped]++;
			out->drop[out->n_drop++] = m;
		}
	}
}

static void worker_burst(struct worker *w, const struct policy *pol, struct rte_mbuf **pkts,
			 const struct parse_result *r, unsigned n, struct worker_out *out)
{
	if (w->dp->replay)
		worker_burst_x(w, pol, pkts, r, n, out, true);
	else
		worker_burst_x(w, pol, pkts, r, n, out, false);
}

static inline void worker_parse(struct rte_mbuf *m, struct parse_result *r)
{
	/* The parser and the classifiers read one contiguous buffer. A frame
	 * spread over segments (jumbo, or a capture made with offloads) is
	 * joined when its first segment has room, else refused and counted. */
	if (unlikely(m->nb_segs > 1) && rte_pktmbuf_linearize(m) != 0) {
		memset(r, 0, sizeof(*r));
		r->kind = PARSE_BAD_L2;
		r->err = PARSE_ERR_frame_too_long;
		return;
	}
	parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), r);
}

/* Transmit on a port queue; returns how many went out, frees the rest. */
static unsigned worker_tx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, unsigned n)
{
	unsigned sent = 0;

	while (sent < n) {
		uint16_t k = rte_eth_tx_burst(port, queue, pkts + sent, (uint16_t)(n - sent));

		if (k == 0)
			break;
		sent += k;
	}
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	return sent;
}

/* Dispatch workers hand their output to worker 0 (mbuf->port names the
 * destination). Replay waits for room; live traffic is dropped and counted. */
static void worker_handoff(struct worker *w, struct rte_mbuf **pkts, unsigned n, bool fwd)
{
	unsigned done = 0;

	while (done < n) {
		done += rte_ring_sp_enqueue_burst(w->tx_ring, (void **)pkts + done, n - done, NULL);
		if (done == n || !w->dp->replay)
			break;
		rte_pause();
	}
	if (done < n) {
		if (fwd) {
			w->st.c[STATS_dropped] += n - done;
			w->st.drop[STATS_DROP_tx_failed] += n - done;
		}
		rte_pktmbuf_free_bulk(pkts + done, n - done);
	}
}

static void worker_out_flush(struct worker *w, struct worker_out *out)
{
	const struct dp *dp = w->dp;
	const uint16_t ports[2] = {dp->port_in, dp->port_out};
	unsigned d, i, sent;

	if (dp->mode == WORKER_DISPATCH && w->id != 0) {
		for (d = 0; d < 2; d++) {
			for (i = 0; i < out->n_fwd[d]; i++)
				out->fwd[d][i]->port = ports[d];
			worker_handoff(w, out->fwd[d], out->n_fwd[d], true);
		}
		if (dp->port_drop >= 0) {
			for (i = 0; i < out->n_drop; i++)
				out->drop[i]->port = (uint16_t)dp->port_drop;
			worker_handoff(w, out->drop, out->n_drop, false);
		} else if (out->n_drop) {
			rte_pktmbuf_free_bulk(out->drop, out->n_drop);
		}
	} else {
		uint16_t q = dp->mode == WORKER_RSS ? (uint16_t)w->id : 0;

		for (d = 0; d < 2; d++) {
			if (!out->n_fwd[d])
				continue;
			sent = worker_tx(ports[d], q, out->fwd[d], out->n_fwd[d]);
			w->st.c[STATS_tx] += sent;
			w->st.c[STATS_dropped] += out->n_fwd[d] - sent;
			w->st.drop[STATS_DROP_tx_failed] += out->n_fwd[d] - sent;
		}
		if (out->n_drop) {
			if (dp->port_drop >= 0)
				worker_tx((uint16_t)dp->port_drop, q, out->drop, out->n_drop);
			else
				rte_pktmbuf_free_bulk(out->drop, out->n_drop);
		}
	}
	out->n_fwd[0] = out->n_fwd[1] = 0;
	out->n_drop = 0;
}

/* Worker 0 in dispatch mode: transmit what the other workers handed back,
 * one burst per worker. Returns how many packets it took. */
static unsigned worker_drain_peers(struct worker *w)
{
	const struct dp *dp = w->dp;
	struct rte_mbuf *pkts[WORKER_BURST * 2], *to[3][WORKER_BURST * 2];
	unsigned j, i, n, nt[3], sent, total = 0;
	const uint16_t ports[2] = {dp->port_in, dp->port_out};

	for (j = 1; j < dp->n_workers; j++) {
		n = rte_ring_sc_dequeue_burst(w->peers[j].tx_ring, (void **)pkts, RTE_DIM(pkts),
					      NULL);
		if (!n)
			continue;
		total += n;
		nt[0] = nt[1] = nt[2] = 0;
		for (i = 0; i < n; i++) {
			unsigned d = pkts[i]->port == ports[0]	 ? 0
				     : pkts[i]->port == ports[1] ? 1
								 : 2;

			to[d][nt[d]++] = pkts[i];
		}
		for (i = 0; i < 2; i++) {
			if (!nt[i])
				continue;
			sent = worker_tx(ports[i], 0, to[i], nt[i]);
			w->st.c[STATS_tx] += sent;
			w->st.c[STATS_dropped] += nt[i] - sent;
			w->st.drop[STATS_DROP_tx_failed] += nt[i] - sent;
		}
		if (nt[2])
			worker_tx((uint16_t)dp->port_drop, 0, to[2], nt[2]);
	}
	return total;
}

/* Worker 0 in dispatch mode: parse, keep its own share, pass the rest on. */
static void worker_dispatch(struct worker *w, const struct policy *pol, struct rte_mbuf **pkts,
			    unsigned n, struct worker_out *out)
{
	const struct dp *dp = w->dp;
	struct parse_result r[WORKER_BURST * 2];
	struct rte_mbuf *local[WORKER_BURST * 2];
	struct rte_mbuf *to[WORKER_MAX][WORKER_BURST * 2];
	unsigned nt[WORKER_MAX] = {0};
	unsigned i, t, nl = 0, done;

	for (i = 0; i < n; i++) {
		worker_parse(pkts[i], &r[nl]);
		t = 0;
		if (dp->n_workers > 1 && r[nl].kind == PARSE_IP)
			t = parse_sym_hash(&r[nl]) % dp->n_workers;
		if (t == 0)
			local[nl++] = pkts[i];
		else
			to[t][nt[t]++] = pkts[i];
	}
	for (t = 1; t < dp->n_workers; t++) {
		if (!nt[t])
			continue;
		done = 0;
		for (;;) {
			done += rte_ring_sp_enqueue_burst(
				w->peers[t].rx_ring, (void **)to[t] + done, nt[t] - done, NULL);
			if (done == nt[t] || !dp->replay)
				break;
			worker_drain_peers(w); /* the peer may be waiting on us */
			rte_pause();
		}
		if (done < nt[t]) {
			w->st.c[STATS_rx] += nt[t] - done;
			w->st.c[STATS_dropped] += nt[t] - done;
			w->st.drop[STATS_DROP_dispatch_full] += nt[t] - done;
			rte_pktmbuf_free_bulk(to[t] + done, nt[t] - done);
		}
	}
	worker_burst(w, pol, local, r, nl, out);
}

/* Replay input: the two ports' streams merged back into capture order by
 * their timestamps (made strictly increasing when the capture was split). */
struct worker_merge {
	struct rte_mbuf *b[2][WORKER_BURST];
	uint16_t n[2], i[2];
	bool eof[2];
};

static unsigned worker_merge_rx(struct worker *w, struct worker_merge *mg, struct rte_mbuf **out,
				unsigned max, bool *end)
{
	const struct dp *dp = w->dp;
	const uint16_t ports[2] = {dp->port_in, dp->port_out};
	unsigned s, cnt = 0;

	for (s = 0; s < 2; s++) {
		if (mg->i[s] < mg->n[s] || mg->eof[s])
			continue;
		mg->n[s] = rte_eth_rx_burst(ports[s], 0, mg->b[s], WORKER_BURST);
		mg->i[s] = 0;
		/* net_pcap returns nothing only at the end of its file. */
		if (mg->n[s] == 0)
			mg->eof[s] = true;
	}
	while (cnt < max) {
		bool a = mg->i[0] < mg->n[0], b = mg->i[1] < mg->n[1];

		/* An empty side that is not finished must be refilled
		 * before anything else is taken, or order would be lost. */
		if ((!a && !mg->eof[0]) || (!b && !mg->eof[1]) || (!a && !b))
			break;
		s = a && b ? worker_pkt_time(dp, mg->b[0][mg->i[0]]) >
				     worker_pkt_time(dp, mg->b[1][mg->i[1]])
			   : !a;
		out[cnt++] = mg->b[s][mg->i[s]++];
	}
	*end = mg->eof[0] && mg->eof[1] && mg->i[0] >= mg->n[0] && mg->i[1] >= mg->n[1];
	return cnt;
}

/* The expiry sweep is paced by time, not by loop turns: the table is
 * visited once per EXPIRE_LAP_NS of (packet or wall) time, so a fast loop
 * does not spend its cycles walking empty slots. A flow therefore ends at
 * most a lap after its timeout; a packet of an expired flow ends it at once. */
static inline unsigned worker_sweep_budget(struct worker *w)
{
	uint64_t elapsed = w->now > w->sweep_ts ? w->now - w->sweep_ts : 0;
	uint64_t slots;

	w->sweep_ts = w->now;
	if (elapsed > EXPIRE_LAP_NS)
		elapsed = EXPIRE_LAP_NS;
	w->sweep_credit += elapsed * flow_capacity(w->ft); /* slot-nanoseconds */
	slots = w->sweep_credit / EXPIRE_LAP_NS;
	if (slots > EXPIRE_BUDGET)
		slots = EXPIRE_BUDGET;
	w->sweep_credit -= slots * EXPIRE_LAP_NS;
	if (w->sweep_credit > EXPIRE_BUDGET * EXPIRE_LAP_NS)
		w->sweep_credit = EXPIRE_BUDGET * EXPIRE_LAP_NS; /* no catching up in bursts */
	return (unsigned)slots;
}

static void worker_housekeeping(struct worker *w, const struct policy *pol)
{
	struct worker_expire_arg a = {w, pol, w->dp->replay};
	unsigned budget;

	if (!w->dp->replay)
		w->now = worker_clock(w->dp);
	budget = worker_sweep_budget(w);
	if (budget)
		flow_expire_slice(w->ft, w->now, budget, worker_expire_cb, &a);
	if (w->dp->qsbr)
		rte_rcu_qsbr_quiescent(w->dp->qsbr, w->id);
}

static inline const struct policy *worker_policy(const struct dp *dp)
{
	return __atomic_load_n(&dp->policy, __ATOMIC_ACQUIRE);
}

static void worker_finish(struct worker *w)
{
	const struct policy *pol = worker_policy(w->dp);
	struct worker_expire_arg a = {w, pol, true};

	if (!w->dp->replay)
		w->now = worker_clock(w->dp);
	flow_flush(w->ft, worker_expire_cb, &a);
	if (w->dp->qsbr)
		rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->id);
	__atomic_add_fetch(&w->dp->done, 1, __ATOMIC_RELEASE);
}

static inline void worker_account(struct worker *w, uint64_t t0, unsigned n)
{
	uint64_t t1 = rte_rdtsc();

	w->st.c[STATS_cycles] += t1 - t0;
	if (!w->first_ts)
		w->first_ts = t0;
	w->last_ts = t1;
	(void)n;
}

/* Worker 0 of dispatch mode: owns both ports' queue 0. */
static void worker_loop_dispatcher(struct worker *w)
{
	struct dp *dp = w->dp;
	struct worker_merge mg = {0};
	struct worker_out out = {0};
	struct rte_mbuf *pkts[WORKER_BURST * 2];
	unsigned n;
	bool end = false;

	while (!end) {
		const struct policy *pol = worker_policy(dp);
		uint64_t t0;

		if (dp->replay) {
			n = worker_merge_rx(w, &mg, pkts, WORKER_BURST, &end);
		} else {
			if (dp->stop)
				break;
			n = rte_eth_rx_burst(dp->port_in, 0, pkts, WORKER_BURST);
			n += rte_eth_rx_burst(dp->port_out, 0, pkts + n, WORKER_BURST);
			w->now = worker_clock(dp);
		}
		if (n) {
			t0 = rte_rdtsc();
			worker_dispatch(w, pol, pkts, n, &out);
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
		}
		if (dp->n_workers > 1)
			worker_drain_peers(w);
		worker_housekeeping(w, pol);
		if (!n && !dp->replay)
			rte_pause();
	}
	__atomic_store_n(&dp->eof, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&dp->done, __ATOMIC_ACQUIRE) < dp->n_workers - 1) {
		worker_drain_peers(w);
		rte_pause();
	}
	while (worker_drain_peers(w))
		;
}

/* Workers 1..N-1 of dispatch mode: fed by worker 0's ring. */
static void worker_loop_peer(struct worker *w)
{
	struct dp *dp = w->dp;
	struct worker_out out = {0};
	struct rte_mbuf *pkts[WORKER_BURST];
	struct parse_result r[WORKER_BURST];
	unsigned n, i;

	for (;;) {
		const struct policy *pol = worker_policy(dp);
		bool eof = __atomic_load_n(&dp->eof, __ATOMIC_ACQUIRE);

		n = rte_ring_sc_dequeue_burst(w->rx_ring, (void **)pkts, WORKER_BURST, NULL);
		if (n) {
			uint64_t t0 = rte_rdtsc();

			if (!dp->replay)
				w->now = worker_clock(dp);
			for (i = 0; i < n; i++)
				worker_parse(pkts[i], &r[i]);
			worker_burst(w, pol, pkts, r, n, &out);
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
		} else if (eof) {
			break; /* eof was set after worker 0's last enqueue */
		} else {
			rte_pause();
		}
		worker_housekeeping(w, pol);
	}
}

/* RSS mode: this worker owns queue `id` of both ports. */
static void worker_loop_rss(struct worker *w)
{
	struct dp *dp = w->dp;
	struct worker_out out = {0};
	struct rte_mbuf *pkts[WORKER_BURST * 2];
	struct parse_result r[WORKER_BURST * 2];
	unsigned n, i;

	while (!dp->stop) {
		const struct policy *pol = worker_policy(dp);

		n = rte_eth_rx_burst(dp->port_in, (uint16_t)w->id, pkts, WORKER_BURST);
		n += rte_eth_rx_burst(dp->port_out, (uint16_t)w->id, pkts + n, WORKER_BURST);
		w->now = worker_clock(dp);
		if (n) {
			uint64_t t0 = rte_rdtsc();

			for (i = 0; i < n; i++)
				worker_parse(pkts[i], &r[i]);
			worker_burst(w, pol, pkts, r, n, &out);
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
		} else {
			rte_pause();
		}
		worker_housekeeping(w, pol);
	}
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct dp *dp = w->dp;

	if (dp->qsbr) {
		rte_rcu_qsbr_thread_register(dp->qsbr, w->id);
		rte_rcu_qsbr_thread_online(dp->qsbr, w->id);
	}
	if (dp->mode == WORKER_RSS)
		worker_loop_rss(w);
	else if (w->id == 0)
		worker_loop_dispatcher(w);
	else
		worker_loop_peer(w);
	worker_finish(w);
	return 0;
}
