#!/usr/bin/python3
"""gen_classes.py - generated captures of the classes no client here speaks.

usage:
  gen_classes.py OUTDIR [NAME...]  write OUTDIR/<name>.pcap (every capture by default)
  gen_classes.py --install         write tests/replay/class_<name>/in.pcap for each
  gen_classes.py --check           exit 1 unless every committed in.pcap is what
                                   this script writes now
  gen_classes.py --list            list the names, one per line

No TeamViewer, RDP, BitTorrent, OpenVPN or WireGuard client runs here, so
these flows are built byte by byte (pcaps/capture_clients.sh records the
classes that real clients exist for). Each message has the wire format of
its protocol, with the fields that nDPI 4.2 (Debian 12) keys on:

  TeamViewer  TCP messages starting 17 24 (client) / 11 30 (server), the
              header bytes of nDPI's public test capture teamviewer.pcap
              (the rest of each message is filler). nDPI 4.2 detects one
              such message on port 5938, or the 4th one on any other port.
  RDP         TPKT + X.224 Connection Request (LI = length - 5, code E0,
              zero references and class) with "Cookie: mstshash=" and an
              RDP negotiation request, then the Connection Confirm.
  BitTorrent  the peer handshake "\\x13BitTorrent protocol" + reserved +
              info hash + peer id, both ways.
  OpenVPN     P_CONTROL_HARD_RESET_CLIENT_V2 (0x38) with a tls-auth
              HMAC-SHA1 and packet id 1, answered by
              P_CONTROL_HARD_RESET_SERVER_V2 (0x40) that acks it and echoes
              the client's session id (nDPI compares the two); then P_ACK,
              P_CONTROL with a TLS record, P_DATA_V2. Over TCP each packet
              has its 2-byte length first.
  WireGuard   handshake initiation (type 1, 148 bytes), response (type 2,
              92 bytes, receiver index = the initiator's sender index), then
              transport data (type 4).

Each capture holds, for its protocol (see tests/replay/class_<name>/):
  - an E2M workstation (10.10.1.10, zone e2m, profile e2m-strict) to the
    E2M server's address 198.51.100.5 on the protocol's own port: no
    endpoint has that port, so the flow is dropped at its first packet;
  - the same protocol to 198.51.100.5 port 443 (TCP, or UDP for
    WireGuard; WireGuard also to the DNS endpoint 192.0.2.53:53): address
    and port match the e2m endpoint, so the flow is classified, and the
    endpoint does not declare this application (DESIGN 4: "RDP to the E2M
    server's address is still remote access");
  - an office machine (10.20.1.20) to an outside host on the protocol's
    own port: classified, then its class decides.

Deterministic: timestamps start at 1700000000.000000 and only grow, MACs
derive from the addresses, sequence numbers and filler bytes are fixed.
Needs scapy: run with /usr/bin/python3 (Debian's python3-scapy).
"""

import filecmp
import hashlib
import os
import struct
import sys
import tempfile
from decimal import Decimal

from scapy.config import conf as scapy_conf

scapy_conf.verb = 0
from scapy.layers.inet import IP, TCP, UDP  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import wrpcap  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0_US = 1700000000 * 1000000

E2M_HOST = "10.10.1.10"   # zone e2m (e2m-strict)
OFFICE = "10.20.1.20"     # zone office
E2M_SRV = "198.51.100.5"  # endpoint e2m: 198.51.100.0/28, port 443, app TLS, hosts e2m.customs.example
DNS_SRV = "192.0.2.53"    # endpoint dns: port 53, app DNS


def mac(addr):
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(hashlib.sha256(addr.encode()).digest()[:5])


# Shared with the replay generator: deterministic filler bytes, and the
# X.224 Connection Request / Confirm of RDP.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_replay import prand  # noqa: E402
from gen_replay import rdp_connection_confirm as rdp_cc  # noqa: E402
from gen_replay import rdp_connection_request as rdp_cr  # noqa: E402


class Capture:
    def __init__(self):
        self.pkts = []
        self.now = T0_US

    def emit(self, src, dst, l4, payload=b"", gap_us=1000):
        pkt = Ether(src=mac(src), dst=mac(dst)) / IP(src=src, dst=dst, ttl=64, id=len(self.pkts) + 1) / l4
        if payload:
            pkt = pkt / Raw(payload)
        self.now += gap_us
        pkt.time = Decimal(self.now) / Decimal(1000000)
        self.pkts.append(pkt)

    def gap(self, seconds):
        self.now += int(seconds * 1000000)

    def write(self, path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        wrpcap(path, self.pkts, linktype=1)


class Tcp:
    """One TCP connection. handshake(): 3 frames (out, in, out); data():
    the payload and the peer's ACK (2 frames); close(): FIN, FIN, ACK."""

    def __init__(self, cap, c, cport, s, sport, isn):
        self.cap, self.c, self.cport, self.s, self.sport = cap, c, cport, s, sport
        self.seq = {True: isn, False: isn * 3 + 77777}

    def frame(self, from_c, flags, payload=b"", opts=None):
        src, dst = (self.c, self.s) if from_c else (self.s, self.c)
        sp, dp = (self.cport, self.sport) if from_c else (self.sport, self.cport)
        ack = self.seq[not from_c] if "A" in flags else 0
        self.cap.emit(src, dst, TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[from_c], ack=ack,
                                    window=64240, options=opts or []), payload, 10000 if from_c else 15000)
        self.seq[from_c] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)

    def handshake(self):
        opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
        self.frame(True, "S", opts=opts)
        self.frame(False, "SA", opts=opts)
        self.frame(True, "A")

    def data(self, from_c, payload):
        self.frame(from_c, "PA", payload)
        self.frame(not from_c, "A")

    def close(self):
        self.frame(True, "FA")
        self.frame(False, "FA")
        self.frame(True, "A")


def udp(cap, c, cport, s, sport, from_c, payload):
    if from_c:
        cap.emit(c, s, UDP(sport=cport, dport=sport), payload, 10000)
    else:
        cap.emit(s, c, UDP(sport=sport, dport=cport), payload, 15000)


# ---------------------------------------------------------------- TeamViewer

def teamviewer_msgs(seed):
    """Client/server messages of a TeamViewer session start. The first
    bytes are those of nDPI's teamviewer.pcap (client 17 24, server 11 30);
    the rest is filler of the same lengths."""
    c1 = bytes.fromhex("17240a20000000000000000000480080000100000014800000") + prand(seed + "c1", 12)  # 37
    s1 = bytes.fromhex("113036001800000001000000000000001b000000180000008c00") + prand(seed + "s1", 22)  # 48
    c2 = bytes.fromhex("1724281800008000007fffffff808000") + prand(seed + "c2", 50)  # 66
    s2 = bytes.fromhex("11303c007b00000002000000000000001b000000180000008c00") + prand(seed + "s2", 121)  # 147
    c3 = bytes.fromhex("17243c29078c000080148000001400000001") + prand(seed + "c3", 200)
    s3 = bytes.fromhex("11303c00700a000003000000000000001b000000180000008c00") + prand(seed + "s3", 300)
    return [(True, c1), (False, s1), (True, c2), (False, s2), (True, c3), (False, s3)]


def tcp_session(cap, c, cport, s, sport, isn, msgs):
    t = Tcp(cap, c, cport, s, sport, isn)
    t.handshake()
    for from_c, p in msgs:
        t.data(from_c, p)
    t.close()


def gen_teamviewer():
    cap = Capture()
    # 1. e2m -> E2M's address, TeamViewer's port 5938: no endpoint -> dropped at packet 1
    tcp_session(cap, E2M_HOST, 41001, E2M_SRV, 5938, 1001, teamviewer_msgs("tv1"))
    # 2. e2m -> E2M's address on 443 (TeamViewer's fallback port): classified
    tcp_session(cap, E2M_HOST, 41002, E2M_SRV, 443, 2002, teamviewer_msgs("tv2"))
    # 3. office -> an outside TeamViewer router on 5938
    tcp_session(cap, OFFICE, 41003, "203.0.113.38", 5938, 3003, teamviewer_msgs("tv3"))
    return cap


# ----------------------------------------------------------------------- RDP



def rdp_msgs(seed, user):
    # after the X.224 exchange the client starts TLS (CredSSP); a record of filler stands for it
    tls = b"\x16\x03\x01\x00\xc0" + prand(seed, 0xC0)
    return [(True, rdp_cr(user)), (False, rdp_cc()), (True, tls)]


def gen_rdp():
    cap = Capture()
    tcp_session(cap, E2M_HOST, 42001, E2M_SRV, 3389, 1101, rdp_msgs("rdp1", "clerk"))
    tcp_session(cap, E2M_HOST, 42002, E2M_SRV, 443, 2102, rdp_msgs("rdp2", "clerk"))
    tcp_session(cap, OFFICE, 42003, "203.0.113.33", 3389, 3103, rdp_msgs("rdp3", "officer"))
    return cap


# ---------------------------------------------------------------- BitTorrent

def bt_handshake(seed, client):
    return (b"\x13BitTorrent protocol" + b"\x00\x00\x00\x00\x00\x10\x00\x05"
            + prand("infohash", 20) + (b"-TR3000-" if client else b"-qB4500-") + prand(seed, 12))


def bt_msgs(seed):
    bitfield = struct.pack("!IB", 1 + 16, 5) + prand(seed + "bf", 16)
    interested = struct.pack("!IB", 1, 2)
    return [(True, bt_handshake(seed + "c", True)), (False, bt_handshake(seed + "s", False) + bitfield),
            (True, interested)]


def gen_bittorrent():
    cap = Capture()
    tcp_session(cap, E2M_HOST, 43001, "203.0.113.81", 6881, 1201, bt_msgs("bt1"))
    tcp_session(cap, E2M_HOST, 43002, E2M_SRV, 443, 2202, bt_msgs("bt2"))
    tcp_session(cap, OFFICE, 43003, "203.0.113.91", 51413, 3203, bt_msgs("bt3"))
    return cap


# ------------------------------------------------------------------- OpenVPN

P_CONTROL_HARD_RESET_CLIENT_V2 = 7 << 3
P_CONTROL_HARD_RESET_SERVER_V2 = 8 << 3
P_CONTROL_V1 = 4 << 3
P_ACK_V1 = 5 << 3
P_DATA_V2 = 9 << 3


def ovpn_msgs(seed):
    """OpenVPN with tls-auth (HMAC-SHA1): opcode|key_id, session id (8),
    HMAC (20), packet id (4), net time (4), ack array, [remote session id],
    [message packet id], payload."""
    csid, ssid = prand(seed + "csid", 8), prand(seed + "ssid", 8)
    t = struct.pack("!I", 1700000000)

    def pkt(op, sid, pid, acks=(), remote=None, msgid=None, payload=b""):
        b = bytes([op]) + sid + prand(seed + "hmac%d%d" % (op, pid), 20) + struct.pack("!I", pid) + t
        b += bytes([len(acks)]) + b"".join(struct.pack("!I", a) for a in acks)
        if acks:
            b += remote
        if msgid is not None:
            b += struct.pack("!I", msgid)
        return b + payload

    hello = b"\x16\x03\x01\x00\xf0" + prand(seed + "ch", 0xF0)  # the TLS ClientHello of the control channel
    return [
        (True, pkt(P_CONTROL_HARD_RESET_CLIENT_V2, csid, 1, msgid=0)),                   # 42 bytes
        (False, pkt(P_CONTROL_HARD_RESET_SERVER_V2, ssid, 1, (0,), csid, msgid=0)),      # 54 bytes
        (True, pkt(P_ACK_V1, csid, 2, (0,), ssid)),                                      # 50 bytes
        (True, pkt(P_CONTROL_V1, csid, 3, msgid=1, payload=hello)),
        (False, pkt(P_ACK_V1, ssid, 2, (1,), csid)),
        (False, pkt(P_CONTROL_V1, ssid, 3, msgid=1, payload=b"\x16\x03\x03\x02\x00" + prand(seed + "sh", 0x200))),
        (True, bytes([P_DATA_V2, 0, 0, 1]) + prand(seed + "d1", 120)),
        (False, bytes([P_DATA_V2, 0, 0, 1]) + prand(seed + "d2", 120)),
    ]


def gen_openvpn():
    cap = Capture()
    # 1. e2m -> E2M's address, OpenVPN's UDP port 1194: dropped at packet 1
    for from_c, p in ovpn_msgs("ov1"):
        udp(cap, E2M_HOST, 44001, E2M_SRV, 1194, from_c, p)
    # 2. e2m -> E2M's address, OpenVPN over TCP 443 (each packet length-prefixed)
    tcp_session(cap, E2M_HOST, 44002, E2M_SRV, 443, 2302,
                [(c, struct.pack("!H", len(p)) + p) for c, p in ovpn_msgs("ov2")])
    # 3. office -> an outside OpenVPN server, UDP 1194
    for from_c, p in ovpn_msgs("ov3"):
        udp(cap, OFFICE, 44003, "203.0.113.94", 1194, from_c, p)
    return cap


# ----------------------------------------------------------------- WireGuard

def wg_msgs(seed):
    si, ri = prand(seed + "si", 4), prand(seed + "ri", 4)
    init = b"\x01\x00\x00\x00" + si + prand(seed + "init", 32 + 48 + 28 + 16) + b"\x00" * 16   # 148, mac2 zero
    resp = b"\x02\x00\x00\x00" + ri + si + prand(seed + "resp", 32 + 16 + 16) + b"\x00" * 16    # 92
    out = [(True, init), (False, resp)]
    for n in range(3):
        out.append((True, b"\x04\x00\x00\x00" + ri + struct.pack("<Q", n) + prand(seed + "c%d" % n, 96)))
        out.append((False, b"\x04\x00\x00\x00" + si + struct.pack("<Q", n) + prand(seed + "s%d" % n, 96)))
    return out


def gen_wireguard():
    cap = Capture()
    flows = [
        (E2M_HOST, 45001, E2M_SRV, 51820, "wg1"),        # 1. WireGuard's port: dropped at packet 1
        (E2M_HOST, 45002, E2M_SRV, 443, "wg2"),          # 2. E2M's address and port, over UDP
        (E2M_HOST, 45003, DNS_SRV, 53, "wg3"),           # 3. the DNS endpoint's address and port
        (OFFICE, 45004, "203.0.113.95", 51820, "wg4"),   # 4. office -> an outside peer
    ]
    for c, cport, s, sport, seed in flows:
        for from_c, p in wg_msgs(seed):
            udp(cap, c, cport, s, sport, from_c, p)
    return cap


GENERATORS = {
    "teamviewer": gen_teamviewer,
    "rdp": gen_rdp,
    "bittorrent": gen_bittorrent,
    "openvpn": gen_openvpn,
    "wireguard": gen_wireguard,
}


def case_path(name):
    return os.path.join(ROOT, "tests", "replay", "class_" + name, "in.pcap")


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(GENERATORS))
        return 0
    if len(argv) == 2 and argv[1] == "--install":
        for name, gen in GENERATORS.items():
            gen().write(case_path(name))
            print(case_path(name))
        return 0
    if len(argv) == 2 and argv[1] == "--check":
        bad = 0
        with tempfile.TemporaryDirectory() as d:
            for name, gen in GENERATORS.items():
                p = os.path.join(d, name + ".pcap")
                gen().write(p)
                if not os.path.exists(case_path(name)) or not filecmp.cmp(p, case_path(name), shallow=False):
                    print("stale: %s (run %s --install)" % (case_path(name), argv[0]))
                    bad = 1
        return bad
    if len(argv) >= 2 and not argv[1].startswith("-"):
        names = argv[2:] or list(GENERATORS)
        for n in names:
            if n not in GENERATORS:
                sys.stderr.write("gen_classes.py: unknown capture %r (--list)\n" % n)
                return 2
        for n in names:
            GENERATORS[n]().write(os.path.join(argv[1], n + ".pcap"))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
