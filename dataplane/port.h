/* port.h - ethdev set-up: resolve a port by id or device name, configure
 * its queues (symmetric RSS when the device can hash and the workers need
 * it), and start it. Main lcore, at start-up only.
 */
#ifndef ADUANA_PORT_H
#define ADUANA_PORT_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mempool;

/* Port id from "0", "1", ... or a device name ("net_pcap0", "0000:03:00.0").
 * Returns 0 or -ENODEV. */
int port_resolve(const char *text, uint16_t *port);

/* True when the port can spread nq queues by a symmetric hash: RSS with a
 * symmetric key, or net_af_packet with qpairs=nq (the kernel's symmetric
 * fanout hash; see port.c). */
bool port_can_rss(uint16_t port, uint16_t nq);

/* Configure nq RX and TX queues (RSS across them when rss), enable RX
 * timestamps when timestamps and the device offers them, and start the
 * port in promiscuous mode. Returns 0 or -errno, with a message printed. */
int port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp, bool rss, bool timestamps);

/* Name of a port's device, for messages. */
const char *port_name(uint16_t port);

#endif
