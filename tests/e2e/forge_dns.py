#!/usr/bin/python3
"""forge_dns.py GW_MAC HOST RESOLVER NAME FORGED - the E2M host forges its own
resolver's answer (DESIGN 4.1, an e2e check).

Sends a real query for NAME from HOST to RESOLVER over a UDP socket, then at
once, on the host's own interface, a frame that claims to come from
RESOLVER:53 and answers the query (same ID, same question) with FORGED. The
real answer arrives too. Prints what came back on the socket. aduana must
drop the forged frame (it arrives on the inside port from an address in no
zone) and learn nothing from it.
"""
import socket
import sys

from scapy.config import conf

conf.verb = 0
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.layers.inet import IP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.sendrecv import sendp  # noqa: E402


def main(argv):
    gw_mac, host, resolver, name, forged = argv[1:6]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 45353))  # run.sh tells its flow apart by this port
    port = s.getsockname()[1]
    qid = 0x5eed
    s.sendto(bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype="A"))), (resolver, 53))
    fake = DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
               an=DNSRR(rrname=name, type="A", ttl=3600, rdata=forged))
    frame = Ether(dst=gw_mac) / IP(src=resolver, dst=host) / UDP(sport=53, dport=port) / fake
    sendp(frame, iface="host")
    s.settimeout(3)
    try:
        data, _ = s.recvfrom(2048)
        ans = DNS(data)
        print("answer:", [ans.an[i].rdata for i in range(ans.ancount)])
    except socket.timeout:
        print("no answer")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
