/* How packets reach a worker and leave it (see worker.h and
 * docs/dispatch.md): RSS queues, software dispatch by a symmetric hash,
 * and the replay merge of the two ports. What happens to each packet is
 * judge.c's. */
#include "worker.h"

#include <netinet/in.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "parse.h"
#include "parse_frame.h"
#include "policy.h"

/* The live clock at TSC value tsc (read by the caller, which may use it
 * for its own accounting too: a TSC read is not free in a VM). */
static inline uint64_t worker_clock_at(const struct dp *dp, uint64_t tsc)
{
	uint64_t base, epoch, npc;
	uint32_t seq;

	do {
		seq = __atomic_load_n(&dp->clk_seq, __ATOMIC_ACQUIRE);
		base = __atomic_load_n(&dp->tsc_base, __ATOMIC_RELAXED);
		epoch = __atomic_load_n(&dp->epoch_ns, __ATOMIC_RELAXED);
		npc = __atomic_load_n(&dp->ns_per_cycle, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&dp->clk_seq, __ATOMIC_RELAXED));
	/* Fixed point: cycles * 1e9 would overflow 64 bits after ~9 s. */
	return epoch + (uint64_t)(((unsigned __int128)(tsc - base) * npc) >> 32);
}

uint64_t worker_clock(const struct dp *dp)
{
	return worker_clock_at(dp, rte_rdtsc());
}

void worker_clock_anchor(struct dp *dp, uint64_t tsc, uint64_t wall_ns)
{
	uint32_t seq = dp->clk_seq;

	__atomic_store_n(&dp->clk_seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&dp->tsc_base, tsc, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->epoch_ns, wall_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->clk_seq, seq + 2, __ATOMIC_RELEASE);
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
	parse_frame_inline(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), r);
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

/* Worker 0 in dispatch mode: hash, keep its own share (parsed here), pass
 * the rest on to be parsed by their owner. */
static inline void worker_dispatch_run(struct worker *w, const struct policy *pol,
				       struct rte_mbuf **pkts, unsigned n, struct worker_out *out,
				       const bool timed)
{
	const struct dp *dp = w->dp;
	struct parse_result r[WORKER_BURST * 2];
	struct rte_mbuf *local[WORKER_BURST * 2], **pkts_local = local;
	struct rte_mbuf *to[WORKER_MAX][WORKER_BURST * 2];
	unsigned nt[WORKER_MAX] = {0};
	unsigned i, t, nl = 0, done;

	if (dp->n_workers == 1) {
		for (i = 0; i < n; i++)
			worker_parse(pkts[i], &r[i]);
		nl = n;
		pkts_local = pkts;
		goto judge;
	}
	/* Worker 0 only hashes the addresses of the frames it hands on:
	 * they are parsed once, by their owner. The frames it keeps, and
	 * those the short hash does not cover (ICMP errors, tunnels,
	 * extension headers), are parsed here. */
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t h;

		if (likely(m->nb_segs == 1) &&
		    parse_dispatch_hash(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &h)) {
			t = h % dp->n_workers;
			if (t == 0)
				worker_parse(m, &r[nl]);
		} else {
			worker_parse(m, &r[nl]);
			t = r[nl].kind == PARSE_IP ? judge_dispatch_hash(m, &r[nl]) % dp->n_workers
						   : 0;
		}
		if (t == 0)
			local[nl++] = m;
		else
			to[t][nt[t]++] = m;
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
		w->sent[t] += done;
	}
judge:
	if (timed) {
		worker_stage(w, STATS_stage_parse);
		judge_burst_timed(w, pol, pkts_local, r, nl, out);
	} else {
		judge_burst(w, pol, pkts_local, r, nl, out);
	}
}

/* Replay with several workers: a DNS answer may teach an address that a
 * later flow on another worker looks up (learn.h). Live, the round trip
 * between the answer and the connection orders them; a replay runs far
 * faster than its capture, so the dispatcher waits after such a packet
 * until every peer has judged what it was handed. */
static bool worker_learn_point(const struct dp *dp, const struct rte_mbuf *m)
{
	struct parse_result r;

	if (m->port != dp->port_out)
		return false;
	parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &r);
	return r.kind == PARSE_IP && r.err == PARSE_ERR_NONE && r.sport == 53 &&
	       (r.l4proto == IPPROTO_UDP || r.l4proto == IPPROTO_TCP);
}

static void worker_barrier(struct worker *w)
{
	unsigned t;

	for (t = 1; t < w->dp->n_workers; t++)
		while (__atomic_load_n(&w->peers[t].processed, __ATOMIC_ACQUIRE) < w->sent[t]) {
			worker_drain_peers(w); /* the peer may be waiting on us */
			rte_pause();
		}
}

static inline void worker_dispatch(struct worker *w, const struct policy *pol,
				   struct rte_mbuf **pkts, unsigned n, struct worker_out *out,
				   const bool timed)
{
	const struct dp *dp = w->dp;
	unsigned i, start = 0;

	if (!dp->replay || dp->n_workers < 2 || !dp->learn_on) {
		worker_dispatch_run(w, pol, pkts, n, out, timed);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!worker_learn_point(dp, pkts[i]))
			continue;
		worker_dispatch_run(w, pol, pkts + start, i + 1 - start, out, timed);
		worker_barrier(w);
		start = i + 1;
	}
	if (start < n)
		worker_dispatch_run(w, pol, pkts + start, n - start, out, timed);
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

static inline const struct policy *worker_policy(const struct dp *dp)
{
	return __atomic_load_n(&dp->policy, __ATOMIC_ACQUIRE);
}

/* Fragments whose datagram never came whole (judge.c) leave with the next
 * flush, through the drop port like any dropped packet. */
static void worker_late_flush(struct worker *w)
{
	struct worker_out out;

	if (!w->n_late)
		return;
	out.n_fwd[0] = out.n_fwd[1] = 0;
	memcpy(out.drop, w->late, w->n_late * sizeof(w->late[0]));
	out.n_drop = (uint16_t)w->n_late;
	w->n_late = 0;
	worker_out_flush(w, &out);
}

static void worker_finish(struct worker *w)
{
	judge_finish(w, worker_policy(w->dp));
	worker_late_flush(w);
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

/* Worker 0 of dispatch mode: owns both ports' queue 0. `timed` is a
 * constant in each caller (--stage-cycles). */
static inline void worker_loop_dispatcher_x(struct worker *w, const bool timed)
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
		}
		if (timed)
			worker_stage(w, n ? STATS_stage_rx : STATS_stage_idle);
		t0 = rte_rdtsc();
		if (!dp->replay)
			w->now = worker_clock_at(dp, t0);
		if (n) {
			worker_dispatch(w, pol, pkts, n, &out, timed);
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
			if (timed)
				worker_stage(w, STATS_stage_tx);
		}
		if (dp->n_workers > 1)
			worker_drain_peers(w);
		if (timed && dp->n_workers > 1)
			worker_stage(w, STATS_stage_tx);
		judge_housekeeping(w, pol);
		worker_late_flush(w);
		if (!n && !dp->replay)
			rte_pause();
		if (timed)
			worker_stage(w, n ? STATS_stage_house : STATS_stage_idle);
	}
	__atomic_store_n(&dp->eof, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&dp->done, __ATOMIC_ACQUIRE) < dp->n_workers - 1) {
		worker_drain_peers(w);
		rte_pause();
	}
	while (worker_drain_peers(w))
		;
}

static void worker_loop_dispatcher(struct worker *w)
{
	if (w->dp->stages)
		worker_loop_dispatcher_x(w, true);
	else
		worker_loop_dispatcher_x(w, false);
}

/* Workers 1..N-1 of dispatch mode: fed by worker 0's ring. */
static inline void worker_loop_peer_x(struct worker *w, const bool timed)
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
		if (timed)
			worker_stage(w, n ? STATS_stage_rx : STATS_stage_idle);
		if (!dp->replay)
			w->now = worker_clock(dp);
		if (n) {
			uint64_t t0 = rte_rdtsc();

			for (i = 0; i < n; i++)
				worker_parse(pkts[i], &r[i]);
			if (timed) {
				worker_stage(w, STATS_stage_parse);
				judge_burst_timed(w, pol, pkts, r, n, &out);
			} else {
				judge_burst(w, pol, pkts, r, n, &out);
			}
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
			__atomic_store_n(&w->processed, w->processed + n, __ATOMIC_RELEASE);
			if (timed)
				worker_stage(w, STATS_stage_tx);
		} else if (eof) {
			break; /* eof was set after worker 0's last enqueue */
		} else {
			rte_pause();
		}
		judge_housekeeping(w, pol);
		worker_late_flush(w);
		if (timed)
			worker_stage(w, n ? STATS_stage_house : STATS_stage_idle);
	}
}

static void worker_loop_peer(struct worker *w)
{
	if (w->dp->stages)
		worker_loop_peer_x(w, true);
	else
		worker_loop_peer_x(w, false);
}

/* RSS mode: this worker owns queue `id` of both ports. */
static inline void worker_loop_rss_x(struct worker *w, const bool timed)
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
		if (timed)
			worker_stage(w, n ? STATS_stage_rx : STATS_stage_idle);
		uint64_t t0 = rte_rdtsc();

		w->now = worker_clock_at(dp, t0);
		if (n) {
			for (i = 0; i < n; i++)
				worker_parse(pkts[i], &r[i]);
			if (timed) {
				worker_stage(w, STATS_stage_parse);
				judge_burst_timed(w, pol, pkts, r, n, &out);
			} else {
				judge_burst(w, pol, pkts, r, n, &out);
			}
			worker_out_flush(w, &out);
			worker_account(w, t0, n);
			if (timed)
				worker_stage(w, STATS_stage_tx);
		} else {
			rte_pause();
		}
		judge_housekeeping(w, pol);
		worker_late_flush(w);
		if (timed)
			worker_stage(w, n ? STATS_stage_house : STATS_stage_idle);
	}
}

static void worker_loop_rss(struct worker *w)
{
	if (w->dp->stages)
		worker_loop_rss_x(w, true);
	else
		worker_loop_rss_x(w, false);
}

/* What one stamp costs: the mean of a run of back-to-back stamps into a
 * counter nobody reads, taken before the loop starts. bench_run.py
 * subtracts stamps x this from the stages. */
static void worker_stage_calibrate(struct worker *w)
{
	uint64_t save_n = w->st.c[STATS_stage_stamps], t0, t1;
	unsigned i;

	w->stage_t = rte_rdtsc();
	t0 = rte_rdtsc();
	for (i = 0; i < 4096; i++)
		worker_stage(w, STATS_stage_idle);
	t1 = rte_rdtsc();
	w->st.c[STATS_stage_idle] = 0;
	w->st.c[STATS_stage_stamps] = save_n;
	if (w->id == 0)
		w->dp->stage_stamp_cycles = (t1 - t0) / 4096;
	w->stage_t = rte_rdtsc();
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct dp *dp = w->dp;

	if (dp->qsbr) {
		rte_rcu_qsbr_thread_register(dp->qsbr, w->id);
		rte_rcu_qsbr_thread_online(dp->qsbr, w->id);
	}
	if (dp->stages)
		worker_stage_calibrate(w);
	if (dp->mode == WORKER_RSS)
		worker_loop_rss(w);
	else if (w->id == 0)
		worker_loop_dispatcher(w);
	else
		worker_loop_peer(w);
	worker_finish(w);
	return 0;
}
