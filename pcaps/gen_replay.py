#!/usr/bin/python3
"""gen_replay.py - deterministic captures for the replay cases and the demo.

usage:
  gen_replay.py OUTDIR [CASE...]  write OUTDIR/<case>/in.pcap (every case by default)
  gen_replay.py --demo FILE       write the `make run` demo capture (pcaps/demo.pcap)
  gen_replay.py --list            list the cases, one per line

Every byte is fixed: timestamps start at 1700000000.000000 and only grow,
MACs derive from the IP address, sequence numbers and TLS randoms are
constants. Running it twice gives identical files, so tests/replay/run.sh
regenerates the inputs instead of storing them, and checks that the
committed pcaps/demo.pcap is still what this script writes.

The address plan matches tests/replay/*/case.conf and conf/aduana.conf
(DESIGN 3.4): zone e2m = 10.10.0.0/16 + 2001:db8:e2::/48 (e2m-strict),
zone office = 10.20.0.0/16; everything else is outside.

Needs scapy: run with /usr/bin/python3 (Debian's python3-scapy).
"""

import hashlib
import ipaddress
import os
import struct
import sys
from decimal import Decimal

from scapy.config import conf as scapy_conf

scapy_conf.verb = 0
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_NOP, IPOption_Router_Alert, fragment  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    PadN,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrHopByHop,
    ICMPv6EchoRequest,
    ICMPv6PacketTooBig,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
    IPv6ExtHdrFragment,
    fragment6,
)
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether  # noqa: E402
from scapy.packet import Padding, Raw  # noqa: E402
from scapy.utils import wrpcap  # noqa: E402
from scapy.layers.tls.all import (  # noqa: E402
    TLS,
    TLSClientHello,
    TLS_Ext_ALPN,
    TLS_Ext_KeyShare_CH,
    TLS_Ext_ServerName,
    TLS_Ext_SignatureAlgorithms,
    TLS_Ext_SupportedGroups,
    TLS_Ext_SupportedVersion_CH,
    KeyShareEntry,
    ProtocolName,
    ServerName,
)

T0_US = 1700000000 * 1000000  # 2023-11-14T22:13:20Z, the first packet's time

INSIDE = [ipaddress.ip_network(n) for n in ("10.10.0.0/16", "2001:db8:e2::/48", "10.20.0.0/16")]
GATEWAY_MAC = "02:00:00:00:fe:01"  # the site firewall behind the outside port


def inside(addr):
    a = ipaddress.ip_address(addr)
    return any(a in n for n in INSIDE if n.version == a.version)


def host_mac(addr):
    """A fixed, locally administered MAC per address."""
    h = hashlib.sha256(addr.encode()).digest()
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(h[:5])


def mac_pair(src, dst):
    """Inside hosts talk to the gateway; outside hosts arrive from it.
    Two outside hosts (passthrough) use their own MACs."""
    s = host_mac(src) if inside(src) or not inside(dst) else GATEWAY_MAC
    d = host_mac(dst) if inside(dst) or not inside(src) else GATEWAY_MAC
    return s, d


def prand(seed, n):
    """n deterministic pseudo-random bytes."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (seed.encode(), i)).digest()
        i += 1
    return out[:n]


def l2(src, dst, vlans=()):
    """Ethernet header plus 802.1Q / 802.1ad tags, outermost first:
    vlans=[(0x88a8, 200), (0x8100, 100)] is QinQ with S-tag 200."""
    s, d = mac_pair(src, dst)
    frame = Ether(src=s, dst=d)
    for tpid, vid in vlans:
        tag = Dot1AD(vlan=vid) if tpid == 0x88A8 else Dot1Q(vlan=vid)
        frame = frame / tag
    # scapy fills each type field from the next layer (0x88a8, 0x8100, 0x0800, 0x86dd)
    return frame


def l3(src, dst, **kw):
    if ":" in src:
        return IPv6(src=src, dst=dst, **kw)
    return IP(src=src, dst=dst, **kw)


class Capture:
    """A list of frames with strictly increasing, fixed timestamps."""

    def __init__(self):
        self.pkts = []
        self.now = T0_US

    def emit(self, pkt, gap_us=1000):
        assert gap_us >= 1
        self.now += gap_us
        pkt.time = Decimal(self.now) / Decimal(1000000)
        self.pkts.append(pkt)

    def idle(self, seconds):
        """Let time pass with no packet (timeouts)."""
        self.now += int(seconds * 1000000)

    def write(self, path):
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        wrpcap(path, self.pkts, linktype=1)


class Tcp:
    """One TCP connection, client c:cport -> server s:sport.

    Frame counts, for working out expected pkts_out / pkts_in by hand:
      handshake()        3 frames: SYN (out), SYN-ACK (in), ACK (out)
      data(client, ...)  2 frames: data from that side, ACK from the other
      close()            3 frames: FIN-ACK (out), FIN-ACK (in), ACK (out)
      syn_retries(n)     n SYNs (out), 1 s then 2 s, 4 s... apart
    """

    def __init__(self, cap, c, cport, s, sport, vlans=(), isn=1000, rtt_us=2000, l3fn=None):
        self.l3 = l3fn or l3  # l3fn(src, dst): the IP layer(s), e.g. with options
        self.cap, self.c, self.s = cap, c, s
        self.cport, self.sport = cport, sport
        self.vlans = vlans
        self.cseq, self.sseq = isn, isn * 7 + 4000
        self.rtt = rtt_us

    def frame(self, from_client, flags, payload=b"", seq=None, ack=None, options=None, gap=None):
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        if ack is None:
            ack = self.sseq if from_client else self.cseq
        if "A" not in flags:
            ack = 0
        tcp = TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=64240,
                  options=options or [])
        pkt = l2(src, dst, self.vlans) / self.l3(src, dst) / tcp
        if payload:
            pkt = pkt / Raw(payload)
        self.cap.emit(pkt, self.rtt // 2 if gap is None else gap)
        return pkt

    SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]

    def syn(self, gap=None):
        self.frame(True, "S", options=self.SYN_OPTS, gap=gap)

    def syn_retries(self, n):
        """A client whose SYN gets no answer: n SYNs with backoff."""
        gap = None
        for i in range(n):
            self.frame(True, "S", options=self.SYN_OPTS, gap=gap)
            gap = 1000000 << i
        self.cseq += 1

    def handshake(self, gap=None):
        self.syn(gap)
        self.cseq += 1
        self.frame(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
        self.sseq += 1
        self.frame(True, "A")

    def data(self, from_client, payload, gap=None):
        self.frame(from_client, "PA", payload, gap=gap)
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)
        self.frame(not from_client, "A")

    def send(self, from_client, payload, gap=None):
        """Data without the peer's ACK (1 frame)."""
        self.frame(from_client, "PA", payload, gap=gap)
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)

    def ack(self, from_client, gap=None):
        self.frame(from_client, "A", gap=gap)

    def close(self, gap=None):
        self.frame(True, "FA", gap=gap)
        self.cseq += 1
        self.frame(False, "FA")
        self.sseq += 1
        self.frame(True, "A")

    def rst(self, from_client, gap=None):
        self.frame(from_client, "RA", gap=gap)

    def session(self, req, resp, gap=None):
        """Handshake, one request, one response, close: 10 frames,
        6 from the client (out) and 4 from the server (in)."""
        self.handshake(gap)
        self.data(True, req)
        self.data(False, resp)
        self.close()


def udp(cap, src, sport, dst, dport, payload, vlans=(), gap=1000):
    cap.emit(l2(src, dst, vlans) / l3(src, dst) / UDP(sport=sport, dport=dport) / Raw(payload), gap)


def http_get(host, path="/"):
    return (b"GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
            % (path.encode(), host.encode()))


HTTP_OK = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
           b"Content-Length: 3\r\n\r\nok\n")

REQ = b"hello aduana, this is a request\n"  # 32 bytes
RESP = b"this is the response of the server: 47 bytes!!\n"  # 47 bytes

# ---------------------------------------------------------------- TLS, apps


def client_hello(sni, seed):
    """A TLS 1.3 ClientHello record (as curl/openssl send it) carrying SNI."""
    ch = TLSClientHello(
        version=0x0303,
        gmt_unix_time=struct.unpack("!I", prand(seed + "t", 4))[0],
        random_bytes=prand(seed + "r", 28),
        sid=prand(seed + "s", 32),
        ciphers=[0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8],
        comp=[0],
        ext=[
            TLS_Ext_ServerName(servernames=[ServerName(servername=sni.encode())]),
            TLS_Ext_SupportedGroups(groups=[29, 23, 24]),
            TLS_Ext_ALPN(protocols=[ProtocolName(protocol=b"h2"), ProtocolName(protocol=b"http/1.1")]),
            TLS_Ext_SignatureAlgorithms(sig_algs=[0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501]),
            TLS_Ext_SupportedVersion_CH(versions=[0x0304, 0x0303]),
            TLS_Ext_KeyShare_CH(client_shares=[KeyShareEntry(group=29, key_exchange=prand(seed + "k", 32))]),
        ],
    )
    return bytes(TLS(type=22, version=0x0301, msg=[ch]))


def server_hello_flight(seed):
    """ServerHello (TLS 1.3, X25519) + ChangeCipherSpec + one encrypted
    record standing in for EncryptedExtensions..Finished. Built by hand."""
    exts = (b"\x00\x2b\x00\x02\x03\x04"                      # supported_versions: 1.3
            + b"\x00\x33\x00\x24\x00\x1d\x00\x20" + prand(seed + "sk", 32))  # key_share
    body = (b"\x03\x03" + prand(seed + "sr", 32) + b"\x20" + prand(seed + "s", 32)
            + b"\x13\x01" + b"\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    rec = b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs
    ccs = b"\x14\x03\x03\x00\x01\x01"
    enc = prand(seed + "enc", 1200)
    return rec + ccs + b"\x17\x03\x03" + struct.pack("!H", len(enc)) + enc


def tls_appdata(seed, n):
    d = prand(seed, n)
    return b"\x17\x03\x03" + struct.pack("!H", len(d)) + d


def tls_session(cap, c, cport, s, sport, sni, seed, isn, vlans=()):
    """Handshake, ClientHello, server flight, a request and a response, close."""
    t = Tcp(cap, c, cport, s, sport, vlans=vlans, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, client_hello(sni, seed))
    t.data(False, server_hello_flight(seed))
    t.data(True, b"\x14\x03\x03\x00\x01\x01" + tls_appdata(seed + "fin", 53))
    t.data(True, tls_appdata(seed + "req", 180))
    t.data(False, tls_appdata(seed + "resp", 900))
    t.close()
    return t


def bittorrent_handshake(seed):
    return (b"\x13BitTorrent protocol" + b"\x00\x00\x00\x00\x00\x10\x00\x05"
            + prand(seed + "infohash", 20) + b"-TR3000-" + prand(seed + "peer", 6).hex()[:12].encode())


def rdp_connection_request(user):
    """TPKT + X.224 Connection Request with the mstshash cookie and an
    RDP Negotiation Request (TLS | CredSSP), as mstsc sends it."""
    cookie = b"Cookie: mstshash=%s\r\n" % user.encode()
    neg = b"\x01\x00\x08\x00\x03\x00\x00\x00"
    x224 = b"\xe0\x00\x00\x00\x00\x00" + cookie + neg
    x224 = bytes([len(x224)]) + x224
    return b"\x03\x00" + struct.pack("!H", 4 + len(x224)) + x224


def rdp_connection_confirm():
    neg = b"\x02\x1f\x08\x00\x02\x00\x00\x00"  # RDP_NEG_RSP: CredSSP
    x224 = b"\xd0\x00\x00\x12\x34\x00" + neg
    x224 = bytes([len(x224)]) + x224
    return b"\x03\x00" + struct.pack("!H", 4 + len(x224)) + x224


# ------------------------------------------------------------ address plan

S1, S2, S3, S4 = "10.10.1.10", "10.10.1.11", "10.10.1.12", "10.10.1.13"  # zone e2m (strict)
S6A, S6B = "2001:db8:e2::10", "2001:db8:e2::11"                          # zone e2m, IPv6
O1, O2, O3 = "10.20.1.20", "10.20.1.21", "10.20.1.22"                    # zone office
SINK, SINK6 = "192.0.2.100", "2001:db8:100::100"  # endpoint "sink": no apps, no hosts, ports 443 5000 8443
E2M = "198.51.100.5"                              # endpoint "e2m": TLS on 443 only
X80, X81, XDNS = "203.0.113.80", "203.0.113.81", "203.0.113.53"
X6 = "2001:db8:ffff::1"
PT1, PT2 = "198.51.100.200", "203.0.113.200"      # two outside hosts (passthrough)


def icmp_echo(cap, src, dst, ident, seq, gap=1000):
    if ":" in src:
        pkt = l2(src, dst) / IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=ident, seq=seq, data=b"x" * 48)
    else:
        pkt = l2(src, dst) / IP(src=src, dst=dst) / ICMP(type=8, id=ident, seq=seq) / Raw(b"x" * 48)
    cap.emit(pkt, gap)


# ------------------------------------------------------------------- cases
# Each case_* function builds one capture. The expected verdicts are in
# tests/replay/<case>/expected.tsv; the comments here give the frame counts.


def case_first_packet():
    """Verdicts decided at the first packet, untagged IPv4/IPv6."""
    cap = Capture()
    # A: allowed by the no-apps endpoint: 10 frames, 6 out / 4 in
    Tcp(cap, S1, 40001, SINK, 443, isn=1001).session(REQ, RESP)
    # B: same over IPv6 to port 8443
    Tcp(cap, S6A, 40002, SINK6, 8443, isn=1002).session(REQ, RESP)
    # C: UDP to the endpoint, 2 requests / 2 answers, 60-byte payloads
    for i in range(2):
        udp(cap, S2, 53000, SINK, 5000, b"Q%059d" % i)
        udp(cap, SINK, 5000, S2, 53000, b"A%059d" % i)
    # D: SYN to a random site, retried twice (3 frames, all dropped)
    Tcp(cap, S1, 40003, X80, 443, isn=1003).syn_retries(3)
    # E: full session to a non-endpoint, as captured before the appliance:
    #    every frame of it, both directions, must be dropped (10 frames)
    Tcp(cap, S3, 40004, X81, 80, isn=1004).session(http_get("x81.example"), HTTP_OK)
    # F: the e2m endpoint's address on a port it does not declare (2 SYNs)
    Tcp(cap, S1, 40005, E2M, 8443, isn=1005).syn_retries(2)
    # G: the sink endpoint's address on a port it does not declare (2 SYNs)
    Tcp(cap, S1, 40006, SINK, 22, isn=1006).syn_retries(2)
    # H: IPv6 to a non-endpoint (3 SYNs)
    Tcp(cap, S6A, 40007, X6, 443, isn=1007).syn_retries(3)
    # I: IPv6 to the sink endpoint's address, wrong port (2 SYNs)
    Tcp(cap, S6B, 40008, SINK6, 22, isn=1008).syn_retries(2)
    # J: DNS to an outside resolver that is not the dns endpoint (2 tries)
    q = bytes(DNS(id=0x1234, rd=1, qd=DNSQR(qname="www.example.com")))
    udp(cap, S4, 53001, XDNS, 53, q)
    udp(cap, S4, 53001, XDNS, 53, q, gap=1000000)
    # ICMP echo from the strict zone to the outside (2 requests, no reply)
    icmp_echo(cap, S1, X80, 0x42, 1)
    icmp_echo(cap, S1, X80, 0x42, 2, gap=1000000)
    icmp_echo(cap, S6A, X6, 0x43, 1)
    icmp_echo(cap, S6A, X6, 0x43, 2, gap=1000000)
    # K: TCP between two outside hosts: passthrough (10 frames)
    Tcp(cap, PT1, 50000, PT2, 80, isn=1011).session(http_get("pt.example"), HTTP_OK)
    # L: UDP between two outside hosts: passthrough (1 + 1 frames)
    udp(cap, PT2, 7000, PT1, 7000, b"M" * 40)
    udp(cap, PT1, 7000, PT2, 7000, b"N" * 40)
    # M: office host to the sink endpoint (office allows sink too)
    Tcp(cap, O1, 40010, SINK, 443, isn=1012).session(REQ, RESP)
    return cap


def case_vlan():
    """The first_packet verdicts on 802.1Q, QinQ (802.1ad) and 8100/8100 frames."""
    cap = Capture()
    variants = [
        ((( 0x8100, 100),), 41000),
        (((0x88A8, 200), (0x8100, 100)), 42000),
        (((0x8100, 300), (0x8100, 101)), 43000),
    ]
    for vlans, base in variants:
        Tcp(cap, S1, base + 1, SINK, 443, vlans=vlans, isn=base + 1).session(REQ, RESP)       # allow:sink, 10
        Tcp(cap, S1, base + 2, X80, 443, vlans=vlans, isn=base + 2).session(REQ, RESP)        # drop, 10
        Tcp(cap, S6A, base + 3, X6, 443, vlans=vlans, isn=base + 3).syn_retries(2)            # drop v6, 2
        Tcp(cap, S6A, base + 4, SINK6, 8443, vlans=vlans, isn=base + 4).session(REQ, RESP)    # allow v6, 10
        udp(cap, S2, base + 5, SINK, 5000, b"V" * 60, vlans=vlans)                           # allow, 1
        udp(cap, PT1, base + 6, PT2, 80, b"P" * 60, vlans=vlans)                             # passthrough, 1
    return cap


def case_inbound():
    """Flows opened from outside toward the zones."""
    cap = Capture()
    # outside -> strict host ssh, 3 SYNs
    Tcp(cap, "203.0.113.9", 51000, S1, 22, isn=2001).syn_retries(3)
    # from the sink endpoint's address to the sink's port on an inside host:
    # endpoints describe servers the inside reaches, not who may come in
    udp(cap, SINK, 40000, S1, 5000, b"U" * 60)
    udp(cap, SINK, 40000, S1, 5000, b"U" * 60, gap=500000)
    # a SYN whose *source* port is the endpoint's port (443), 2 SYNs
    Tcp(cap, SINK, 443, S2, 40001, isn=2002).syn_retries(2)
    # IPv6 inbound ssh, 2 SYNs
    Tcp(cap, "2001:db8:ffff::9", 51001, S6A, 22, isn=2003).syn_retries(2)
    # inbound RDP to an office host: office inbound = drop, 2 SYNs
    Tcp(cap, "203.0.113.9", 51002, O1, 3389, isn=2004).syn_retries(2)
    # control: an outbound session to the endpoint stays allowed (10 frames)
    Tcp(cap, S1, 40002, SINK, 443, isn=2005).session(REQ, RESP)
    return cap


def truncated_l4(src, dst, proto, l4bytes, pad_to=0):
    """An IPv4 packet whose L4 header is cut short by its own IP total
    length. pad_to adds Ethernet padding up to that frame size, as a NIC
    does below 60 bytes: the parser must trust the IP length, not the frame."""
    ip = IP(src=src, dst=dst, proto=proto, len=20 + len(l4bytes), id=0x5151)
    pkt = l2(src, dst) / ip / Raw(l4bytes)
    if len(pkt) < pad_to:
        pkt = pkt / Padding(b"\0" * (pad_to - len(pkt)))
    return pkt


def case_malformed():
    """Malformed headers are counted and handled per zone; good flows are not disturbed."""
    cap = Capture()
    good = Tcp(cap, S1, 40001, SINK, 443, isn=3001)
    good.handshake()
    good.data(True, REQ)
    # strict host: TCP header cut after 12 bytes (ports, seq, ack; no data offset)
    cap.emit(truncated_l4(S1, SINK, 6, bytes(TCP(sport=40002, dport=443, flags="S", seq=77))[:12]))
    # strict host: UDP header cut after 4 bytes (ports only), frame padded to 60
    cap.emit(truncated_l4(S2, SINK, 17, bytes(UDP(sport=40003, dport=5000))[:4], pad_to=60))
    # office host: TCP header cut after 12 bytes; office on_exception = allow
    cap.emit(truncated_l4(O1, SINK, 6, bytes(TCP(sport=40004, dport=443, flags="S", seq=78))[:12]))
    # strict host: IPv4 IHL = 4 (16-byte header claimed); addresses untrustworthy
    bad = l2(S3, SINK) / IP(src=S3, dst=SINK, ihl=4, id=0x5252) / TCP(sport=40005, dport=443, flags="S")
    cap.emit(bad)
    good.data(False, RESP)
    good.close()
    return cap


def with_options(src, dst):
    """IPv4 with Router Alert + 4 NOPs (IHL 7); IPv6 with Hop-by-Hop and
    Destination Options headers before the L4 header."""
    if ":" in src:
        return (IPv6(src=src, dst=dst) / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)])
                / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)]))
    return IP(src=src, dst=dst, options=[IPOption_Router_Alert(), IPOption_NOP(), IPOption_NOP(),
                                         IPOption_NOP(), IPOption_NOP()])


def case_l3_options():
    """IPv4 options and IPv6 extension headers: the ports behind them decide."""
    cap = Capture()
    Tcp(cap, S1, 40001, SINK, 443, isn=4001, l3fn=with_options).session(REQ, RESP)     # allow:sink, 10
    Tcp(cap, S1, 40002, X80, 443, isn=4002, l3fn=with_options).syn_retries(2)          # drop, 2
    Tcp(cap, S6A, 40003, SINK6, 8443, isn=4003, l3fn=with_options).session(REQ, RESP)  # allow:sink, 10
    Tcp(cap, S6A, 40004, X6, 443, isn=4004, l3fn=with_options).syn_retries(2)          # drop, 2
    for i in range(2):                                                                  # allow:sink, 2 + 2
        cap.emit(l2(S6B, SINK6) / with_options(S6B, SINK6) / UDP(sport=40005, dport=5000) / Raw(b"E%059d" % i))
        cap.emit(l2(SINK6, S6B) / with_options(SINK6, S6B) / UDP(sport=5000, dport=40005) / Raw(b"e%059d" % i))
    return cap


def case_fragments():
    """IPv4 and IPv6 fragments, reassembled and judged as their flow (DESIGN 4.2)."""
    cap = Capture()
    big = b"F" * 2000
    # strict IPv4: one 2008-byte UDP datagram in 2 fragments, to the endpoint
    for f in fragment(IP(src=S1, dst=SINK, id=0x6161) / UDP(sport=40001, dport=5000) / Raw(big), fragsize=1480):
        cap.emit(l2(S1, SINK) / f)
    # strict IPv6: same, Fragment extension header, 2 fragments
    p6 = IPv6(src=S6A, dst=SINK6) / IPv6ExtHdrFragment(id=0x6262) / UDP(sport=40002, dport=5000) / Raw(big)
    for f in fragment6(p6, 1280):
        cap.emit(l2(S6A, SINK6) / f)
    # office IPv4 in 2 fragments: office on_exception = allow
    for f in fragment(IP(src=O1, dst=SINK, id=0x6363) / UDP(sport=40003, dport=5000) / Raw(big), fragsize=1480):
        cap.emit(l2(O1, SINK) / f)
    # strict IPv4 to an address no endpoint has: its datagram is dropped, both fragments
    for f in fragment(IP(src=S1, dst=X80, id=0x6464) / UDP(sport=40005, dport=5000) / Raw(big), fragsize=1480):
        cap.emit(l2(S1, X80) / f)
    # strict IPv4 to the sink, a third fragment that rewrites bytes of the first: the
    # receiver may keep either copy -> exception:reassembly, every fragment dropped
    frags = fragment(IP(src=S1, dst=SINK, id=0x6565) / UDP(sport=40006, dport=5000) / Raw(big), fragsize=1480)
    evil = frags[0].copy()
    evil[Raw].load = b"X" * len(evil[Raw].load)
    for f in (frags[0], evil, frags[1]):
        cap.emit(l2(S1, SINK) / f)
    # control: an unfragmented datagram of the same host to the same endpoint
    udp(cap, S1, 40004, SINK, 5000, b"W" * 60)
    udp(cap, SINK, 5000, S1, 40004, b"w" * 60)
    return cap


def case_arp_nd():
    """ARP and IPv6 neighbour discovery are forwarded and make no flow."""
    cap = Capture()
    gw4, gw6 = "10.10.0.1", "2001:db8:e2::1"
    cap.emit(Ether(src=host_mac(S1), dst="ff:ff:ff:ff:ff:ff")
             / ARP(op=1, hwsrc=host_mac(S1), psrc=S1, pdst=gw4))
    cap.emit(Ether(src=GATEWAY_MAC, dst=host_mac(S1))
             / ARP(op=2, hwsrc=GATEWAY_MAC, psrc=gw4, hwdst=host_mac(S1), pdst=S1))
    cap.emit(Ether(src=GATEWAY_MAC, dst="ff:ff:ff:ff:ff:ff")   # gratuitous ARP
             / ARP(op=1, hwsrc=GATEWAY_MAC, psrc=gw4, pdst=gw4))
    snm = "ff02::1:ff00:1"  # solicited-node multicast of ...::1
    cap.emit(Ether(src=host_mac(S6A), dst="33:33:ff:00:00:01")
             / IPv6(src=S6A, dst=snm, hlim=255) / ICMPv6ND_NS(tgt=gw6)
             / ICMPv6NDOptSrcLLAddr(lladdr=host_mac(S6A)))
    cap.emit(Ether(src=GATEWAY_MAC, dst=host_mac(S6A))
             / IPv6(src=gw6, dst=S6A, hlim=255) / ICMPv6ND_NA(tgt=gw6, R=1, S=1, O=1)
             / ICMPv6NDOptDstLLAddr(lladdr=GATEWAY_MAC))
    # one ordinary allowed flow
    udp(cap, S1, 40001, SINK, 5000, b"Z" * 60)
    udp(cap, SINK, 5000, S1, 40001, b"z" * 60)
    return cap


def case_table_full():
    """flows_per_worker = 4: the fifth flow evicts the dropped one, the sixth finds no room."""
    cap = Capture()
    p = b"T" * 100  # 142-byte frames
    udp(cap, O1, 40001, SINK, 5000, p)  # F1 office -> sink: allow:sink
    udp(cap, S1, 40002, SINK, 5000, p)  # F2 strict -> sink: allow:sink
    udp(cap, S2, 40003, X80, 5000, p)   # F3 strict -> outside: drop default (evictable)
    udp(cap, O2, 40004, SINK, 5000, p)  # F4 office -> sink: allow:sink (table now full)
    udp(cap, S3, 40005, SINK, 5000, p)  # F5 strict: evicts F3, then allow:sink
    udp(cap, O3, 40006, "203.0.113.60", 5000, p)  # F6 office, nothing to evict: exception:flow_table_full
    # the first four go on with their verdicts
    udp(cap, SINK, 5000, O1, 40001, p)
    udp(cap, SINK, 5000, S1, 40002, p)
    udp(cap, S2, 40003, X80, 5000, p)
    udp(cap, SINK, 5000, O2, 40004, p)
    # second packets: F3's finds no room now; F5 goes on; F6 still no room
    udp(cap, S3, 40005, SINK, 5000, p)
    udp(cap, O3, 40006, "203.0.113.60", 5000, p)
    udp(cap, O1, 40001, SINK, 5000, p)
    udp(cap, S1, 40002, SINK, 5000, p)
    return cap


def case_timeout_udp():
    """dataplane.timeouts.udp = 5: a 10 s gap splits a flow, a 3 s gap does not."""
    cap = Capture()
    p = b"U" * 60
    udp(cap, S1, 53000, SINK, 5000, p)  # F1 first life (t = 0.001)
    udp(cap, SINK, 5000, S1, 53000, p)
    udp(cap, S2, 53001, SINK, 5000, p)  # F2
    udp(cap, S3, 53002, XDNS, 53, p)    # F3 strict -> outside: dropped
    udp(cap, S2, 53001, SINK, 5000, p, gap=3000000)  # F2 again after 3 s: same flow (t = 3.004)
    udp(cap, S1, 53000, SINK, 5000, p, gap=7000000)  # F1 after 10 s idle: new flow (t = 10.004)
    udp(cap, SINK, 5000, S1, 53000, p)
    udp(cap, S3, 53002, XDNS, 53, p)    # F3 after 10 s idle: new flow (t = 10.006)
    return cap


def case_timeout_tcp():
    """tcp_closed = 2, tcp = 3600: reuse after FIN or RST and a 5 s gap is a
    new flow; an open connection idle for 5 s is not."""
    cap = Capture()
    Tcp(cap, S1, 40001, SINK, 443, isn=5001).session(REQ, RESP)   # F1 life 1: 10 frames
    idle = Tcp(cap, S2, 40002, SINK, 443, isn=5002)               # F2: stays open
    idle.handshake()
    idle.data(True, REQ)
    rst = Tcp(cap, S3, 40003, SINK, 443, isn=5003)                # F3: reset by the server
    rst.handshake()
    rst.data(True, REQ)
    rst.rst(False)                                                # 6 frames: 3 out, 3 in
    cap.idle(5)
    Tcp(cap, S1, 40001, SINK, 443, isn=6001).session(REQ, RESP)   # F1 life 2: 10 frames
    idle.data(False, RESP)                                        # F2 goes on after 5 s idle
    idle.close()                                                  # F2 total: 10 frames
    r2 = Tcp(cap, S3, 40003, SINK, 443, isn=6003)                 # F3 life 2: 10 frames
    r2.session(REQ, RESP)
    return cap


def case_midstream():
    """Flows whose first packet is not a SYN (e.g. after a restart)."""
    cap = Capture()

    def mid(c, cport, s, sport, isn):
        t = Tcp(cap, c, cport, s, sport, isn=isn)
        t.send(True, REQ)       # out: data, no SYN seen
        t.ack(False)            # in
        t.send(False, RESP)     # in
        t.ack(True)             # out: 4 frames, 2 out / 2 in
    mid(S1, 40001, SINK, 443, 7001)      # strict: drop exception:midstream
    mid(S6A, 40002, SINK6, 443, 7002)    # strict IPv6: drop exception:midstream
    mid(O1, 40003, SINK, 443, 7003)      # office (exceptions allow): judged on, allow:sink
    Tcp(cap, S2, 40004, SINK, 443, isn=7004).session(REQ, RESP)  # control: allow:sink
    return cap


def case_tls_split():
    """ClientHellos over two TCP segments: in order (must be read), and out
    of order or overlapping (the classic evasion: fail closed in the strict
    zone). Plus a verdict that must stick when the protocol changes."""
    cap = Capture()

    def split(c, cport, sni, seed, isn, order):
        """handshake 3 + ClientHello segments (2 or 3) + ACK + server flight 2
        + request 2 + close 3 frames."""
        t = Tcp(cap, c, cport, E2M, 443, isn=isn, rtt_us=20000)
        t.handshake()
        ch = client_hello(sni, seed)
        a, b = ch[:40], ch[40:]
        base = t.cseq
        if order == "inorder":
            t.frame(True, "PA", a, seq=base)
            t.frame(True, "PA", b, seq=base + 40)
        elif order == "reversed":       # the second half first: a gap
            t.frame(True, "PA", b, seq=base + 40)
            t.frame(True, "PA", a, seq=base)
        elif order == "overlap":        # rewrites bytes 20..39 of the first half
            t.frame(True, "PA", a, seq=base)
            t.frame(True, "PA", b"\x00" * 20 + b, seq=base + 20)
        elif order == "retrans":        # the first half twice, byte for byte
            t.frame(True, "PA", a, seq=base)
            t.frame(True, "PA", a, seq=base)
            t.frame(True, "PA", b, seq=base + 40)
        t.cseq = base + len(ch)
        if order == "reversed":
            # The early half was dropped (reordered) and never sent again:
            # the server holds only the first half and acknowledges that.
            flight = server_hello_flight(seed)
            t.frame(False, "A", ack=base + 40)
            t.frame(False, "PA", flight, ack=base + 40)
            t.sseq += len(flight)
            t.frame(True, "A")
        else:
            t.ack(False)
            t.data(False, server_hello_flight(seed))
        t.data(True, tls_appdata(seed + "req", 180))
        t.close()

    split(S1, 41001, "e2m.customs.example", "split-in", 8001, "inorder")   # allow:e2m
    split(S1, 41002, "e2m.customs.example", "split-rev", 8002, "reversed")  # exception:reassembly
    split(S1, 41003, "e2m.customs.example", "split-ovl", 8003, "overlap")   # exception:reassembly
    split(S1, 41004, "e2m.customs.example", "split-rtx", 8004, "retrans")   # allow:e2m
    split(O1, 41005, "www.example.com", "split-off", 8005, "reversed")      # office: judged on, allowed
    # Sticky verdicts: a flow decided as one protocol that then speaks
    # another (an SSH banner). Office HTTP: decided once its 4th request
    # closes the document-mark window (frame 17), then the banner (frames
    # 20-21), which its lifelong request reading refuses (since the
    # eighteenth session: no request starts there).
    t = Tcp(cap, O1, 41006, "203.0.113.60", 80, isn=8006)
    t.handshake()
    for _ in range(4):
        t.data(True, http_get("www.example.com"))
        t.data(False, HTTP_OK)
    t.data(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.close()
    # Strict: the E2M TLS session allowed by its endpoint, then the banner.
    t = Tcp(cap, S1, 41007, E2M, 443, isn=8007, rtt_us=20000)
    t.handshake()
    t.data(True, client_hello("e2m.customs.example", "sticky"))
    t.data(False, server_hello_flight("sticky"))
    t.data(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.close()
    return cap


def case_workers():
    """24 interleaved flows, for --workers 1 vs --workers 2."""
    cap = Capture()
    gens = []

    def tcp_gen(c, cport, s, sport, isn):
        t = Tcp(cap, c, cport, s, sport, isn=isn)
        yield t.syn()
        t.cseq += 1
        yield t.frame(False, "SA")
        t.sseq += 1
        yield t.ack(True)
        yield t.send(True, REQ)
        yield t.ack(False)
        yield t.send(False, RESP)
        yield t.ack(True)
        yield t.frame(True, "FA")
        t.cseq += 1
        yield t.frame(False, "FA")
        t.sseq += 1
        yield t.ack(True)           # 10 frames: 6 out / 4 in

    def udp_gen(c, cport, s, sport):
        for i in range(2):
            yield udp(cap, c, cport, s, sport, b"R%059d" % i)
            yield udp(cap, s, sport, c, cport, b"r%059d" % i)  # 4 frames: 2 out / 2 in

    for i in range(8):
        dst = SINK if i % 2 == 0 else "203.0.113.%d" % (101 + i)
        gens.append(tcp_gen("10.10.2.%d" % (1 + i), 41000 + i, dst, 443, 8000 + i))
    for i in range(8):
        dst = SINK if i % 2 == 0 else "203.0.113.%d" % (121 + i)
        gens.append(udp_gen("10.10.3.%d" % (1 + i), 42000 + i, dst, 5000))
    for i in range(4):
        if i % 2 == 0:
            gens.append(tcp_gen("2001:db8:e2::%d" % (100 + i), 43000 + i, SINK6, 8443, 8100 + i))
        else:
            gens.append(tcp_gen("2001:db8:e2::%d" % (100 + i), 43000 + i, "2001:db8:ffff::%d" % i, 443, 8100 + i))
    for i in range(2):
        gens.append(udp_gen("10.20.4.%d" % (1 + i), 44000 + i, SINK, 5000))
    for i in range(2):
        gens.append(tcp_gen("198.51.100.%d" % (210 + i), 45000 + i, "203.0.113.%d" % (210 + i), 80, 8200 + i))
    # round robin: one frame of each live flow in turn
    while gens:
        for g in list(gens):
            try:
                next(g)
            except StopIteration:
                gens.remove(g)
    return cap


def case_demo():
    """The `make run` demo for the shipped E2M policy (conf/aduana.conf)."""
    cap = Capture()
    # 1. e2m host -> boc_mail 192.0.2.25:587, an SMTP submission session
    t = Tcp(cap, S1, 40101, "192.0.2.25", 587, isn=9001, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example ESMTP Postfix (Debian/GNU)\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                  b"250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"RCPT TO:<office@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")
    t.data(True, b"DATA\r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.data(True, b"From: declarant@e2m.customs.example\r\nTo: office@customs.example\r\n"
                 b"Subject: declaration 2023-1147\r\n\r\nDeclaration 2023-1147 submitted.\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued as 4SVb2L0x1Hz\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    # 2. DNS for the E2M server at the dns endpoint, with the answer
    q = DNS(id=0x4d31, rd=1, qd=DNSQR(qname="e2m.customs.example", qtype="A"))
    udp(cap, S1, 53001, "192.0.2.53", 53, bytes(q), gap=50000)
    a = DNS(id=0x4d31, qr=1, rd=1, ra=1, qd=DNSQR(qname="e2m.customs.example", qtype="A"),
            an=DNSRR(rrname="e2m.customs.example", type="A", ttl=300, rdata=E2M))
    udp(cap, "192.0.2.53", 53, S1, 53001, bytes(a), gap=3000)
    # 3. e2m host -> E2M server 198.51.100.5:443, TLS with SNI e2m.customs.example
    tls_session(cap, S1, 40102, E2M, 443, "e2m.customs.example", "demo-e2m", isn=9002)
    # 4. e2m host -> a random site 203.0.113.80:443 (dropped at its first packet)
    tls_session(cap, S1, 40103, X80, 443, "www.random-site.example", "demo-x80", isn=9003)
    # 5. e2m host -> BitTorrent peer 203.0.113.81:6881 (dropped at its first packet)
    t = Tcp(cap, S2, 40104, X81, 6881, isn=9004, rtt_us=30000)
    t.handshake()
    t.data(True, bittorrent_handshake("demo-bt1"))
    t.data(False, bittorrent_handshake("demo-bt1-peer"))
    t.close()
    # 6. RDP to the E2M server's address: a port E2M does not declare
    t = Tcp(cap, S2, 40105, E2M, 3389, isn=9005, rtt_us=4000)
    t.handshake()
    t.data(True, rdp_connection_request("operator"))
    t.data(False, rdp_connection_confirm())
    t.close()
    # 7. inbound SSH from the outside toward the e2m host
    t = Tcp(cap, "203.0.113.9", 51515, S1, 22, isn=9006, rtt_us=30000)
    t.handshake()
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    t.data(True, b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n")
    t.close()
    # 8. office host -> 203.0.113.90:443 TLS www.example.com
    tls_session(cap, O1, 40201, "203.0.113.90", 443, "www.example.com", "demo-office", isn=9007)
    # 9. office host BitTorrent -> 203.0.113.91:51413
    t = Tcp(cap, O1, 40202, "203.0.113.91", 51413, isn=9008, rtt_us=30000)
    t.handshake()
    t.data(True, bittorrent_handshake("demo-bt2"))
    t.data(False, bittorrent_handshake("demo-bt2-peer"))
    t.close()
    # 10. IPv6 e2m host -> 2001:db8:ffff::1:443 (dropped at its first packet)
    tls_session(cap, S6A, 40106, X6, 443, "v6.random-site.example", "demo-v6", isn=9009)
    # 11. two outside hosts (passthrough): plain HTTP
    t = Tcp(cap, "198.51.100.77", 50001, "203.0.113.77", 80, isn=9010, rtt_us=10000)
    t.session(http_get("www.example.net"), HTTP_OK)
    return cap

# ---- trust from the wire (DESIGN 4.1). These captures are replayed with
# --inside-mac: a frame's port is the one its source MAC says, whatever
# addresses it carries, so spoofed and unzoned frames can be shown.
RESOLVER = "192.0.2.53"
INSIDE_MACS = [host_mac(S1), host_mac(S2), host_mac(S6A)]  # the case args list these


def at(cap, eth_src, eth_dst, pkt, gap=1000):
    """A frame with chosen MACs: its port follows eth_src."""
    cap.emit(Ether(src=eth_src, dst=eth_dst) / pkt, gap)


def case_trust_sides():
    """Sides come from ports: spoofed zone addresses from outside, unzoned hosts inside."""
    cap = Capture()
    m1 = host_mac(S1)
    # control: S1 -> sink, allowed, 2 out + 1 in
    udp(cap, S1, 40010, SINK, 5000, b"A" * 60)
    udp(cap, SINK, 5000, S1, 40010, b"a" * 60)
    # spoofed: S1's address arriving from outside, on the live flow's 5-tuple
    at(cap, GATEWAY_MAC, m1, IP(src=S1, dst=SINK) / UDP(sport=40010, dport=5000) / Raw(b"X" * 60))
    udp(cap, S1, 40010, SINK, 5000, b"A" * 60)
    # spoofed: a new flow "from" S2 arriving outside (would be allow:sink from inside)
    at(cap, GATEWAY_MAC, host_mac(S2), IP(src=S2, dst=SINK) / UDP(sport=40011, dport=5000) / Raw(b"Y" * 60))
    at(cap, GATEWAY_MAC, host_mac(S6A),
       IPv6(src=S6A, dst=SINK6) / UDP(sport=40012, dport=5000) / Raw(b"Y" * 60))
    # unzoned: the inside host S1's MAC with an address in no zone
    at(cap, m1, GATEWAY_MAC, IP(src="203.0.113.5", dst=SINK) / UDP(sport=40013, dport=5000) / Raw(b"Z" * 60))
    at(cap, m1, GATEWAY_MAC, IP(src="10.99.0.5", dst=X80) / TCP(sport=40014, dport=443, flags="S"))
    # a reply forged from inside onto the live flow (the sink's address from S1's port)
    at(cap, m1, GATEWAY_MAC, IP(src=SINK, dst=S1) / UDP(sport=5000, dport=40010) / Raw(b"F" * 60))
    # link services of a host without an address keep working: DHCP, DHCPv6, MLD (as
    # honest clients send them: docs/stream.md, "Link services")
    hw = bytes.fromhex(m1.replace(":", ""))
    discover = (struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x3903F326, 0, 0) + b"\x00" * 16 + hw + b"\x00" * 202
                + b"\x63\x82\x53\x63" + b"\x35\x01\x01\x37\x04\x01\x03\x06\x0f\xff")
    at(cap, m1, "ff:ff:ff:ff:ff:ff", IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(discover))
    solicit = (b"\x01\x7a\x31\x09" + struct.pack("!HH", 1, 10) + struct.pack("!HH", 3, 1) + hw
               + struct.pack("!HHH", 8, 2, 0) + struct.pack("!HHIII", 3, 12, 1, 0, 0))
    at(cap, m1, "33:33:00:01:00:02",
       IPv6(src="fe80::1", dst="ff02::1:2") / UDP(sport=546, dport=547) / Raw(solicit))
    # control: an ordinary inbound flow from outside stays inbound
    udp(cap, "203.0.113.9", 41000, S1, 5000, b"I" * 60)
    return cap


def dns_msg(id_, qname, qtype="A", answers=(), qr=0):
    an = None
    for rr in answers:
        an = rr if an is None else an / rr
    return bytes(DNS(id=id_, qr=qr, rd=1, ra=qr, qd=DNSQR(qname=qname, qtype=qtype), an=an))


def case_dns_forged():
    """DNS learning only from real answers (DESIGN 4.1): forged ones teach nothing."""
    cap = Capture()
    m1 = host_mac(S1)
    e2m = "e2m.customs.example"
    evil = "203.0.113.66"

    def q(port, id_, name=e2m):
        udp(cap, S1, port, RESOLVER, 53, dns_msg(id_, name), gap=20000)

    def ans(port, id_, qname=e2m, owner=None, addr=evil, ttl=300, inside=False):
        rr = DNSRR(rrname=owner or qname, type="A", ttl=ttl, rdata=addr)
        payload = UDP(sport=53, dport=port) / Raw(dns_msg(id_, qname, answers=[rr], qr=1))
        if inside:  # the resolver's address, sent by the E2M host itself
            at(cap, m1, GATEWAY_MAC, IP(src=RESOLVER, dst=S1) / payload, gap=3000)
        else:
            at(cap, GATEWAY_MAC, m1, IP(src=RESOLVER, dst=S1) / payload, gap=3000)

    # 1. wrong transaction ID
    q(53001, 0x1111)
    ans(53001, 0x2222)
    # 2. another question, right ID
    q(53002, 0x1112)
    ans(53002, 0x1112, qname="mail.customs.example")
    # 3. sent from the inside (S1's MAC), right ID and question
    q(53003, 0x1113)
    ans(53003, 0x1113, inside=True)
    # 4. a second answer, another address, after the real one was taken (a
    #    conflict: what either taught is taken back; the real one gave the
    #    static address)
    q(53004, 0x1114)
    ans(53004, 0x1114, addr=E2M)
    ans(53004, 0x1114)
    # 5. an owner name off the CNAME chain
    q(53005, 0x1115)
    rr = DNSRR(rrname=e2m, type="CNAME", ttl=60, rdata="edge.customs.example") / \
        DNSRR(rrname="other.example", type="A", ttl=60, rdata=evil)
    at(cap, GATEWAY_MAC, m1, IP(src=RESOLVER, dst=S1) / UDP(sport=53, dport=53005) /
       Raw(bytes(DNS(id=0x1115, qr=1, rd=1, ra=1, qd=DNSQR(qname=e2m), an=rr))), gap=3000)
    # the forged address with the endpoint's name: dropped at its first packet
    tls_session(cap, S1, 40201, evil, 443, e2m, "forged-1", isn=7001)
    # 6. a genuine answer with a huge TTL teaches, clamped to dns_ttl_max (60 s)
    learned = "203.0.113.50"
    q(53006, 0x1116)
    ans(53006, 0x1116, addr=learned, ttl=4000000000)
    tls_session(cap, S1, 40202, learned, 443, e2m, "learned-1", isn=7002)
    cap.idle(61)  # past the clamped TTL: forgotten
    tls_session(cap, S1, 40203, learned, 443, e2m, "learned-2", isn=7003)
    return cap


def case_syn_flood():
    """A flood of dropped inbound SYNs from many sources cannot lock the strict zone out."""
    cap = Capture()
    for i in range(300):
        src = "203.0.%d.%d" % (113 if i < 250 else 114, 1 + i % 250)
        cap.emit(l2(src, S1) / IP(src=src, dst=S1) / TCP(sport=20000 + i, dport=443, flags="S", seq=i),
                 100)
    # the allowed work of the strict zone still gets a table entry: 10 frames
    Tcp(cap, S1, 40300, SINK, 443, isn=8001).session(REQ, RESP)
    return cap


def case_first_drop_budget():
    """Past dataplane.first_drop_records per second, flows dropped at their first packet get no
    entry and no record of their own: one aggregated record per zone and reason and second."""
    cap = Capture()
    # 100 outbound SYNs to 100 destinations outside every endpoint, 100 us apart
    for i in range(100):
        dst = "203.0.113.%d" % (1 + i)
        cap.emit(l2(S1, dst) / IP(src=S1, dst=dst) / TCP(sport=30000 + i, dport=443, flags="S", seq=i),
                 100)
    # a second SYN of flows 0-4 (entries: they follow them) and of flows 20-24 (none: judged again)
    for i in list(range(5)) + list(range(20, 25)):
        dst = "203.0.113.%d" % (1 + i)
        cap.emit(l2(S1, dst) / IP(src=S1, dst=dst) / TCP(sport=30000 + i, dport=443, flags="S", seq=i),
                 100)
    # 30 inbound SYNs from outside (inbound = drop): their own budget of 20, untouched by the
    # outbound flood; the other 10 in an aggregate of their own (dir=in)
    for i in range(30):
        src = "203.0.114.%d" % (1 + i)
        cap.emit(l2(src, S2) / IP(src=src, dst=S2) / TCP(sport=20000 + i, dport=22, flags="S", seq=i),
                 100)
    # an allowed flow still gets its entry: 10 frames
    Tcp(cap, S1, 40310, SINK, 443, isn=8101).session(REQ, RESP)
    # two seconds later the budget is whole again: a record of its own
    cap.emit(l2(S1, "203.0.113.200") / IP(src=S1, dst="203.0.113.200") /
             TCP(sport=30200, dport=443, flags="S", seq=7), 2000000)
    cap.emit(l2(S1, "203.0.113.201") / IP(src=S1, dst="203.0.113.201") /
             TCP(sport=30201, dport=443, flags="S", seq=7), 100)
    return cap


def case_frag_flood():
    """A flood of fragments makes one record per zone, reason and second."""
    cap = Capture()
    for i in range(300):  # later fragments (offset 1480), 2.99 s in all
        f = IP(src=S1, dst=SINK, id=0x7000 + i, frag=185, proto=17) / Raw(b"F" * 200)
        cap.emit(l2(S1, SINK) / f, 10000)
    udp(cap, S1, 40400, SINK, 5000, b"W" * 60)
    udp(cap, SINK, 5000, S1, 40400, b"w" * 60)
    return cap


def case_v4mapped():
    """IPv6 packets with IPv4-mapped addresses never match IPv4 zones or endpoints."""
    cap = Capture()
    # to the E2M server's IPv4 address in mapped form, TLS with the E2M name (10 frames
    # sent, every one refused: no flow, so no handshake either)
    for i in range(3):
        cap.emit(l2(S6A, X6) / IPv6(src=S6A, dst="::ffff:198.51.100.5") /
                 TCP(sport=40500, dport=443, flags="S", seq=1), 1000)
    # from a mapped source that names an e2m host, to the sink endpoint
    cap.emit(l2(S6A, X6) / IPv6(src="::ffff:10.10.1.10", dst=SINK6) / UDP(sport=40501, dport=5000) /
             Raw(b"M" * 40), 1000)
    cap.emit(l2(X6, S6A) / IPv6(src="::ffff:192.0.2.100", dst=S6A) / UDP(sport=5000, dport=40502) /
             Raw(b"M" * 40), 1000)
    # control: the same host to the sink over real IPv6
    udp(cap, S6A, 40503, SINK6, 5000, b"V" * 40)
    return cap


def case_icmp_errors():
    """ICMP errors follow the verdict of the flow they quote (path-MTU discovery works)."""
    cap = Capture()
    router, router6 = "203.0.113.1", "2001:db8:ffff::fe"
    # allowed: S1 -> sink:443, handshake + one big segment
    t = Tcp(cap, S1, 40600, SINK, 443, isn=8101)
    t.handshake()
    big = l2(S1, SINK) / IP(src=S1, dst=SINK, flags="DF") / TCP(sport=40600, dport=443, flags="PA",
                                                              seq=t.cseq, ack=t.sseq) / Raw(b"B" * 1400)
    cap.emit(big, 1000)
    # frag needed (3/4) from a router back to S1, quoting that segment: passes
    err = IP(src=router, dst=S1) / ICMP(type=3, code=4, nexthopmtu=1280) / bytes(big[IP])[:548]
    cap.emit(l2(router, S1) / err, 1000)
    # dropped: S1 -> 203.0.113.80:443 (default drop); its error is dropped too
    d = l2(S1, X80) / IP(src=S1, dst=X80, flags="DF") / TCP(sport=40601, dport=443, flags="S", seq=5)
    cap.emit(d, 1000)
    cap.emit(l2(router, S1) / IP(src=router, dst=S1) / ICMP(type=3, code=4, nexthopmtu=1280) /
             bytes(d[IP]), 1000)
    # IPv6 packet too big for an allowed IPv6 flow: passes
    t6 = Tcp(cap, S6A, 40602, SINK6, 443, isn=8102)
    t6.handshake()
    big6 = l2(S6A, SINK6) / IPv6(src=S6A, dst=SINK6) / TCP(sport=40602, dport=443, flags="PA",
                                                          seq=t6.cseq, ack=t6.sseq) / Raw(b"b" * 1400)
    cap.emit(big6, 1000)
    cap.emit(l2(router6, S6A) / IPv6(src=router6, dst=S6A) / ICMPv6PacketTooBig(mtu=1280) /
             bytes(big6[IPv6])[:1232], 1000)
    # an error that quotes no flow: judged as a flow of its own (inbound: dropped)
    q = IP(src=S1, dst=X80) / TCP(sport=40699, dport=443, flags="S")
    cap.emit(l2(router, S1) / IP(src=router, dst=S1) / ICMP(type=3, code=4, nexthopmtu=1280) /
             bytes(q), 1000)
    # from the strict zone to a third party, quoting the allowed flow: not a way out
    cap.emit(l2(S1, X80) / IP(src=S1, dst=X80) / ICMP(type=3, code=3) / bytes(big[IP])[:548], 1000)
    return cap



def case_grants():
    """Grants (tests/replay/grants/grants.txt): an address grant allows one
    host's flows to its address and port and cuts them at their first packet
    after it ends; a host grant allows TLS with its name to an address DNS
    taught for it, and nothing else; a zone grant allows the zone's flows to
    an address on any port; a grant not yet begun allows nothing."""
    cap = Capture()
    g1, g2, p90, p91, p82, p83 = ("10.10.1.20", "10.10.1.21", "203.0.113.90", "203.0.113.91",
                                  "203.0.113.82", "203.0.113.83")
    name = "files.partner.example"
    # A. grant 101 (g1 -> X80:443, until T0 + 10 s): allowed, 16 frames
    tls_session(cap, g1, 41001, X80, 443, "anything.example", "grant-a", isn=8001)
    # B. another host of the zone, same address and port: not granted
    tls_session(cap, S1, 41002, X80, 443, "anything.example", "grant-b", isn=8002)
    # C. the granted host, another port: not granted (2 SYNs)
    Tcp(cap, g1, 41003, X80, 22, isn=8003).syn_retries(2)
    # D. granted at T0 + ~1 s, still talking when the grant ends (T0 + 10 s):
    #    9 frames allowed, then cut at its first packet after the end (5 frames)
    cap.idle(1)
    t = Tcp(cap, g1, 41004, X80, 443, isn=8004, rtt_us=20000)
    t.handshake()
    t.data(True, client_hello("anything.example", "grant-d"))
    t.data(False, server_hello_flight("grant-d"))
    t.data(True, tls_appdata("grant-d-req", 200))
    cap.idle(10)
    t.data(True, tls_appdata("grant-d-req2", 200))
    t.close()
    # E. the same host and address after the end: dropped at packet 1
    Tcp(cap, g1, 41005, X80, 443, isn=8005).syn_retries(1)
    # M. grant 104 (to 203.0.113.83) begins later: nothing yet
    Tcp(cap, g1, 41006, p83, 443, isn=8006).syn_retries(1)
    # F. g2 asks the resolver for the host grant's name; the answer teaches
    udp(cap, g2, 53101, RESOLVER, 53, dns_msg(0x2101, name), gap=20000)
    rr = DNSRR(rrname=name, type="A", ttl=300, rdata=p90)
    udp(cap, RESOLVER, 53, g2, 53101, dns_msg(0x2101, name, answers=[rr], qr=1), gap=3000)
    # G. TLS with the grant's name to the learned address: allowed
    tls_session(cap, g2, 41101, p90, 443, name, "grant-g", isn=8101)
    # H. another name to the same address: dropped at the ClientHello
    tls_session(cap, g2, 41102, p90, 443, "evil.example", "grant-h", isn=8102)
    # I. the grant's name to an address DNS did not teach: dropped at packet 1
    tls_session(cap, g2, 41103, p91, 443, name, "grant-i", isn=8103)
    # J. a foreign protocol to the learned address: dropped at its first payload
    t = Tcp(cap, g2, 41104, p90, 443, isn=8104)
    t.handshake()
    t.data(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.close()
    # K. another host, the grant's name, the learned address: not granted
    tls_session(cap, S1, 41105, p90, 443, name, "grant-k", isn=8105)
    # L. grant 103 (zone e2m -> 203.0.113.82, any port): UDP and TCP allowed
    udp(cap, S1, 5000, p82, 5000, b"x" * 40)
    udp(cap, p82, 5000, S1, 5000, b"y" * 40)
    Tcp(cap, S2, 41201, p82, 8080, isn=8201).session(http_get("p82.example"), HTTP_OK)
    return cap


CASES = {
    "first_packet": case_first_packet,
    "vlan": case_vlan,
    "inbound": case_inbound,
    "malformed": case_malformed,
    "l3_options": case_l3_options,
    "fragments": case_fragments,
    "arp_nd": case_arp_nd,
    "table_full": case_table_full,
    "timeout_udp": case_timeout_udp,
    "timeout_tcp": case_timeout_tcp,
    "midstream": case_midstream,
    "workers": case_workers,
    "tls_split": case_tls_split,
    "demo": case_demo,
    "trust_sides": case_trust_sides,
    "dns_forged": case_dns_forged,
    "syn_flood": case_syn_flood,
    "first_drop_budget": case_first_drop_budget,
    "frag_flood": case_frag_flood,
    "v4mapped": case_v4mapped,
    "icmp_errors": case_icmp_errors,
    "grants": case_grants,
}


def main(argv):
    if len(argv) >= 2 and argv[1] == "--list":
        print("\n".join(CASES))
        return 0
    if len(argv) == 3 and argv[1] == "--demo":
        case_demo().write(argv[2])
        return 0
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    outdir, names = argv[1], argv[2:] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        sys.stderr.write("gen_replay.py: unknown case(s): %s\n" % " ".join(unknown))
        return 2
    for n in names:
        CASES[n]().write(os.path.join(outdir, n, "in.pcap"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
