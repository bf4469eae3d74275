/* Port set-up (see port.h). */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* A Toeplitz key of one repeated 16-bit word hashes (a, b) and (b, a) to
 * the same value, so both directions of a flow land on one queue. */
static uint8_t port_sym_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int port_resolve(const char *text, uint16_t *port)
{
	char *end;
	unsigned long id = strtoul(text, &end, 10);

	if (*text && !*end) {
		if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)id))
			return -ENODEV;
		*port = (uint16_t)id;
		return 0;
	}
	return rte_eth_dev_get_port_by_name(text, port) == 0 ? 0 : -ENODEV;
}

const char *port_name(uint16_t port)
{
	static char name[RTE_ETH_NAME_MAX_LEN];

	if (rte_eth_dev_get_name_by_port(port, name) != 0)
		snprintf(name, sizeof(name), "port%u", port);
	return name;
}

/* net_af_packet with qpairs=N spreads its N queues itself: each queue is a
 * socket of one PACKET_FANOUT group of type HASH, and the kernel picks the
 * socket by __skb_get_hash_symmetric(), which orders the addresses and
 * ports before hashing: both directions of a flow get one hash, and since
 * the inside and the outside port use the same function with the same N,
 * one queue index on both ports (tests/rss/run.sh checks it on veths). The
 * PMD also asks for DEFRAG (the kernel reassembles IP fragments before it
 * hashes) and ROLLOVER: a packet whose socket's ring is full goes to
 * another socket, so under overload a flow's packet can reach another
 * worker (which sees it as a flow it does not know, and judges it so).
 * Every socket of the group must be polled: the queue count must be the
 * PMD's qpairs exactly. */
static bool port_kernel_fanout(const struct rte_eth_dev_info *info, uint16_t nq)
{
	return info->driver_name && strcmp(info->driver_name, "net_af_packet") == 0 &&
	       info->max_rx_queues == nq && info->max_tx_queues == nq;
}

bool port_can_rss(uint16_t port, uint16_t nq)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return false;
	if (port_kernel_fanout(&info, nq))
		return true;
	return info.max_rx_queues >= nq && info.max_tx_queues >= nq &&
	       (info.flow_type_rss_offloads & RTE_ETH_RSS_IP) &&
	       (info.hash_key_size == 0 || info.hash_key_size == sizeof(port_sym_key));
}

int port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp, bool rss, bool timestamps)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = PORT_RX_DESC, ntx = PORT_TX_DESC, q;
	int socket = rte_eth_dev_socket_id(port), rc;

	if (socket < 0)
		socket = 0;
	rc = rte_eth_dev_info_get(port, &info);
	if (rc) {
		fprintf(stderr, "aduana: %s: cannot read device info: %s\n", port_name(port),
			strerror(-rc));
		return rc;
	}
	memset(&conf, 0, sizeof(conf));
	/* A device that spreads by itself (port_kernel_fanout) takes no RSS
	 * settings: it has no key and no hash types to set. */
	if (rss && nq > 1 && !port_kernel_fanout(&info, nq)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = port_sym_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(port_sym_key);
		/* The addresses only: IP fragments (no ports) must reach the
		 * worker of their flow (frag.h). */
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	if (timestamps && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	/* The judge checks the TCP checksum of segments whose bytes matter
	 * (DESIGN 4.2); a NIC that checks it saves a pass over each of them. */
	conf.rxmode.offloads |= info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM;

	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc) {
		fprintf(stderr, "aduana: %s: cannot configure %u queue(s): %s\n", port_name(port),
			nq, strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc)
		return rc;
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nrx, (unsigned)socket, NULL, mp);
		if (rc) {
			fprintf(stderr, "aduana: %s: rx queue %u: %s\n", port_name(port), q,
				strerror(-rc));
			return rc;
		}
		rc = rte_eth_tx_queue_setup(port, q, ntx, (unsigned)socket, NULL);
		if (rc) {
			fprintf(stderr, "aduana: %s: tx queue %u: %s\n", port_name(port), q,
				strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc) {
		fprintf(stderr, "aduana: %s: cannot start: %s\n", port_name(port), strerror(-rc));
		return rc;
	}
	/* A bump in the wire forwards every frame, whatever its MAC. Some
	 * virtual devices have no such switch, which is fine. */
	rte_eth_promiscuous_enable(port);
	return 0;
}
