/* stats.h - the dataplane's counters, from one X-macro list so the enum,
 * the names in the summary and the telemetry cannot drift apart.
 *
 * Each worker owns a cache-aligned array of them (written by that worker
 * only); the main lcore sums them for the summary and telemetry.
 */
#ifndef ADUANA_STATS_H
#define ADUANA_STATS_H

#include <stdint.h>

#include "dns.h"
#include "parse.h"
#include "policy.h"

/* General counters. rx = tx + dropped always holds at exit. */
#define STATS_COUNTERS(X)                                                                          \
	X(rx)                                                                                      \
	X(tx)                                                                                      \
	X(dropped)                                                                                 \
	X(flows)	   /* flows created (table entries) */                                     \
	X(flows_ended)	   /* records emitted for table entries */                                 \
	X(flows_untracked) /* packets without a table entry: spoofed, unzoned, full, bad L4, frag  \
			    */                                                                     \
	X(records_aggregated) /* records that stood for packets without an entry */                \
	X(first_drops_aggregated) /* flows dropped at packet 1 past first_drop_records: no entry */ \
	X(evicted)	      /* dropped or half-open flows ended to make room */                  \
	X(flowlog_dropped)    /* a record lost because the ring was full */                        \
	X(l2_pass)	      /* ARP forwarded */                                                  \
	X(nd_pass)	      /* IPv6 neighbour discovery forwarded */                             \
	X(nd_judged)	      /* ND messages that may leave the link (hop limit, addresses): judged as packets */ \
	X(link_pass)	      /* DHCP, DHCPv6, MLD from hosts not (yet) in a zone, forwarded */    \
	X(link_refused)	      /* link services from inside (DHCP, DHCPv6, MLD, ND, PPPoE discovery) past what honest stacks send: dropped */ \
	X(icmp_err_flow)      /* ICMP errors that followed the verdict of the flow they quote */   \
	X(icmp_err_refused) /* ICMP errors from inside that no sender of the quoted flow makes: judged as their own packets */ \
	X(classify_timeout)   /* undecided flows that gave up on time, not packets */              \
	X(udp_late_class)     /* allowed UDP datagrams of a zone a blocked payload signature named later in the flow: dropped */ \
	X(conform_after_rst)  /* TCP segments with data after a counted RST (the other side's, or old bytes of the side that reset): dropped, the verdict kept */ \
	X(classify_parked)    /* undecided TCP flows without payload past the time budget: slot freed */ \
	X(rejudged)	      /* flows judged again under a newer policy snapshot */               \
	X(rejudged_changed)   /* ...whose verdict changed */                                       \
	X(rejudge_cycles)     /* TSC cycles the workers spent re-judging (a reload's cost) */      \
	X(grant_allowed)      /* flows a grant allowed (reason grant:<id>) */                      \
	X(grant_ended)	      /* granted flows judged again because their grant expired or went */ \
	X(stream_exceptions)  /* flows dropped for their bytes (DESIGN 4.2) */                     \
	X(stream_full)	      /* TCP flows that found no reassembly slot */                        \
	X(flow_share_refused) /* new flows of an inside source over its share of the flow table: dropped */ \
	X(stream_reclaimed)   /* slots taken back from flows that held them too long (refused) */ \
	X(bad_checksum)	      /* segments not classified: the receiver discards them */            \
	X(conform_reordered)  /* segments of checked flows dropped until the gap is filled */      \
	X(hello_held)	      /* segments of unfinished ClientHellos held until the hello was whole */ \
	X(hello_no_room)      /* ... dropped: the worker's hold slots all taken */ \
	X(hello_merged)	      /* ... appended to the held segment they follow: past the flow's 16 slots */ \
	X(early_discardable)  /* initiator segments its receiver may discard (TTL, MAC, options, PAWS) while the first-bytes slot lasts: their bytes stay unsent */ \
	X(unsent_acked)	      /* flows refused: the responder acknowledged bytes read and never passed on (forged) */ \
	X(icmp_lost)	      /* ICMP errors from past us that said an initiator's bytes we passed never arrived */ \
	X(sealed)	      /* flows whose first-bytes slot closed into a seal (judge_slot_seal) */ \
	X(seal_differs)	      /* flows refused: a later copy of sealed bytes held other bytes */ \
	X(seal_partial)	      /* later copies that held part of a sealed run (cannot be compared): dropped, the zone decides (refused where the bytes were never acknowledged) */ \
	X(tcp_keepalive_probe) /* one-byte keep-alive probes at the end of a head or hello read whole, acknowledged: forwarded with the byte read there */ \
	X(hello_after_answer) /* flows refused: a ClientHello after the responder's answer that was no HelloRetryRequest (a forged answer, judge_hello_tail) */ \
	X(answer_forged)      /* flows refused: the responder's HelloRetryRequest came after we took another answer for its first bytes (a forged answer, judge_answer_forged) */ \
	X(early_past_slot)    /* segments of a client whose hello offered early data, past its first-bytes slot before the server's answer: dropped, sent again after it */ \
	X(tail_unread)        /* client segments behind its hello that the walk of its records could not read yet (a decided unchecked flow's, past a hole, before the answer): dropped, sent again */ \
	X(seal_retired)	      /* seals dropped after 3 GiB from the initiator (sequence numbers come round) */ \
	X(hello_unheld)	      /* ... dropped, read: past the flow's 16 hold slots, or rebuilt from fragments */ \
	X(conform_held)	      /* segments of checked flows held past a gap, read once it filled */ \
	X(conform_gap_passed) /* responder gaps of checked flows inside a record's body, passed over (the segment past each then read, or dropped as any) */ \
	X(conform_zero_window) /* segments of checked flows with new bytes into a closed window */ \
	X(conform_past_window) /* segments of checked flows with bytes past the receiver's window */ \
	X(conform_paws_old)    /* segments of checked flows with new bytes its receiver's PAWS drops */ \
	X(conform_before_start) /* TCP segments with bytes before their stream's first (after its SYN) */ \
	X(conform_rewrite)     /* copies of checked flows' bytes that disagree with the header log */ \
	X(conform_acked_zeroed) /* copies of bytes their receiver acknowledged, forwarded as zeros (a checked flow's, a read HTTP client's) */ \
	X(conform_copy_cut)    /* copies cut where a summed run begins that they do not hold whole */ \
	X(conform_copy_part)   /* copies dropped, unread: they hold a part of a summed run and no whole one before it */ \
	X(conform_copy_unseen) /* an initiator's copies of old bytes its receiver never takes (a TTL that may expire, no ACK, IP options...), dropped */ \
	X(conform_log_full)    /* segments of checked flows dropped: their header log had no room */ \
	X(tcp_reopened)	      /* TCP flows opened on ports where one ended (tomb.h): they wait for the SYN-ACK */ \
	X(tcp_reopened_early) /* ...their initiator's segments with bytes before it, dropped */   \
	X(tcp_syn_data) /* SYNs with data in a zone that allows on exceptions, dropped */         \
	X(tcp_outside_ignored) /* segments from outside to an inside initiator that it would not take (out of its window, a wrong sum, a SYN-ACK once established, bytes before the SYN-ACK): dropped, the flow kept */ \
	X(tcp_resumed_inbound) /* TCP flows picked up midstream from outside on ports whose connection ended allowed: the inside host's flow (judge_resumes_inside) */ \
	X(tcp_midstream_refused) /* TCP flows picked up midstream on ports where one ended not allowed (tomb.h): dropped */ \
	X(tcp_tombs_lost)     /* tombstones pushed out (their set's flows all wait for a SYN-ACK) */ \
	X(tcp_bad_ack_early)  /* initiator segments before the verdict its receiver may take otherwise (ACK, start) */ \
	X(conform_log_reclaimed) /* header logs taken back from flows whose receiver never acknowledged (refused) */ \
	X(conform_log_none)    /* checked TLS flows that found no header log (they sum every segment) */ \
	X(quic_flows)	      /* UDP flows whose first datagram is a QUIC Initial: read by aduana (quic.h) */ \
	X(quic_hellos)	      /* ...whose ClientHello it joined whole */                           \
	X(quic_other)	      /* ...client Initials of another connection on its ports, dropped */   \
	X(quic_refused)	      /* ...refused: CRYPTO bytes that differ, a version it cannot read, ... */ \
	X(h2_heads)	      /* h2c streams (HTTP/2 with prior knowledge) whose first header block aduana read (h2.h) */ \
	X(h2_refused)	      /* ...refused: a block read otherwise, or over the slot */           \
	X(h2_upgrades)	      /* HTTP/1 clients read on as h2c after an upgrade's head (the server's 101) */ \
	X(h2_reclaimed)	      /* h2c readings taken back from an address over its share when none was free (the flow refused at its next bytes) */ \
	X(http_heads)	      /* HTTP/1 request heads read by the judge's own framing, before and after the verdict (judge_http_more) */ \
	X(http_joined)	      /* ...read joined across segments (a head a segment cut) */          \
	X(http_refused)	      /* ...whose name or proxy use the policy refuses: the flow dropped */ \
	X(http_carry_full)    /* segments ending in a cut head dropped: no room to keep it (sent again) */ \
	X(http_reordered)     /* segments past a gap, dropped: read in order (sent again) */ \
	X(http_zero_window)   /* segments with new bytes past the server's window edge, dropped */ \
	X(frame_trailer_cut)  /* frames forwarded without the bytes they carried past the IP datagram and a minimum frame's padding */ \
	X(tcp_bad_options)    /* bare ACKs of checked flows dropped for their options (a length, a kind out of place, SACK blocks) */ \
	X(tcp_mptcp_stripped) /* MPTCP options taken off checked flows' SYNs from inside (the connection falls back to TCP) */ \
	X(tcp_tfo_stripped)   /* Fast Open cookies taken off checked flows' SYNs from inside and SYN-ACKs from outside (an ordinary handshake follows) */ \
	X(tcp_syn_ecr_zeroed) /* timestamp echoes set to 0 on checked flows' SYNs from inside (a SYN echoes nothing) */ \
	X(http_rewrite)	      /* copies of read HTTP clients' bytes that disagree with the request log: refused */ \
	X(http_log_full)      /* segments of read HTTP clients dropped: no room in a request log (sent again) */ \
	X(http_log_reclaimed) /* request logs taken back from flows whose server never acknowledged (refused) */ \
	X(tls_hellos)	      /* ClientHellos read by aduana's own reader */                       \
	X(tls_malformed)      /* ClientHellos it refused */                                        \
	X(dns_tcp_heads)      /* first queries of resolver flows over TCP read by aduana's own reader */ \
	X(frag_reassembled)   /* datagrams made whole from their fragments and judged */           \
	X(frag_refused)	      /* fragments refused whatever the zone: overlaps, too many, tiny, unplaceable */              \
	X(frag_evicted)	      /* datagrams not whole dropped to make room in a full fragment table */ \
	X(frag_dup)	      /* fragments dropped as exact duplicates of bytes held (the datagram goes on) */ \
	X(frag_expired)	      /* fragments of datagrams not whole in time, dropped */              \
	X(dns_queries)	      /* queries of zone hosts to a resolver endpoint, awaiting answers */ \
	X(classified)	      /* flows that took a classifier slot */                              \
	X(dns_learned)	      /* endpoint addresses learned from DNS answers */                    \
	X(dns_bad)	      /* answers that taught nothing (dns_bad_by_reason says why) */       \
	X(dns_conflicts)      /* queries answered twice, differently: what they taught taken back */ \
	X(dns_taken_back)     /* resolver flows gone (evicted) while an answer could still be contradicted */ \
	X(dns_rst_held)       /* client RSTs and FINs of TCP resolver flows held back while an answer can be contradicted */ \
	X(relearned)	      /* flows judged again after learned addresses were taken back */     \
	X(cycles)	      /* TSC cycles spent on packets */                                    \
	X(cycles_new)	      /* ...of which making (and ending) flows */                          \
	X(cycles_classify)    /* ...of which classifying undecided flows */                        \
	X(pkts_new)	      /* packets judged as new flows (an entry, or a first-drop aggregate) */ \
	X(pkts_classify)      /* packets of undecided flows (classifying) */                       \
	/* --stage-cycles only (io.c): the worker loop's TSC cycles by stage;                      \
	 * they add up to the loop's whole time from its first stamp. */                           \
	X(stage_rx)	 /* rte_eth_rx_burst: the PMD's receive and its mbuf refill */             \
	X(stage_parse)	 /* parse_frame, and dispatch hashing */                                  \
	X(stage_lookup)	 /* flow keys, the bulk hash lookup, prefetches */                         \
	X(stage_judge)	 /* the per-packet verdict: flow state, policy, classifiers */             \
	X(stage_tx)	 /* rte_eth_tx_burst, and freeing dropped mbufs */                         \
	X(stage_house)	 /* housekeeping: clock, expiry sweep, aggregated records, RCU */          \
	X(stage_idle)	 /* loop turns that received nothing */                                    \
	X(stage_stamps)	 /* stamps taken (their cost: the summary's stage_stamp_cycles) */

/* Why a packet was dropped: the summary's "drops" object. The policy's
 * exceptions are part of the list, so each has its own counter. */
#define STATS_DROPS(X)                                                                             \
	X(default)                                                                                 \
	X(class)                                                                                   \
	POLICY_EXCEPTIONS(X)                                                                       \
	X(bad_l2)                                                                                  \
	X(bad_l3)                                                                                  \
	X(l2_other)                                                                                \
	X(dispatch_full)                                                                           \
	X(reordered) /* a checked flow's segment ahead of a gap, a duplicate fragment (flow goes on) */ \
	X(hello_wait) /* a held segment of a ClientHello whose rest did not come in time (flow goes on) */ \
	X(hello_merged) /* a segment of an unfinished ClientHello past its flow's hold slots: its bytes went into the held segment it follows (they go on) */ \
	X(tx_failed)

enum stats_counter {
#define X(n) STATS_##n,
	STATS_COUNTERS(X)
#undef X
		STATS_COUNT
};

enum stats_drop {
#define X(n) STATS_DROP_##n,
	STATS_DROPS(X)
#undef X
		STATS_DROP_COUNT
};

/* One worker's counters. */
struct stats {
	uint64_t c[STATS_COUNT];
	uint64_t drop[STATS_DROP_COUNT];
	uint64_t parse_err[PARSE_ERR_COUNT];
	uint64_t class_drop[POLICY_CLASS_COUNT]; /* drops by policy class */
	uint64_t dns_bad[DNS_R_COUNT];		 /* answers refused, by reason */
};

/* Name of a counter / drop reason. */
const char *stats_counter_name(unsigned i);
const char *stats_drop_name(unsigned i);

/* The drop reason for a policy decision that dropped. */
unsigned stats_drop_for(uint8_t reason, uint16_t arg);

/* sum += one. Main lcore; one is read without locks, so a sum taken while
 * the workers run may be a few packets behind. */
void stats_add(struct stats *sum, const struct stats *one);

#endif
