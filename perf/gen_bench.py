#!/usr/bin/python3
"""gen_bench.py - the benchmark captures of perf/bench.sh.

Every capture is written with raw struct packing (a pcap writer of a few
lines), so that a million packets take seconds, not minutes. scapy is used
only to cross-check a few packets of each kind (--check): it must parse
what we wrote as the layers we meant.

Captures (all Ethernet, microsecond pcap, timestamps 1 us apart):

  ladder --kind udp   1024 UDP flows 10.10.x.y:sport -> 198.51.100.(1..14):4000,
                      12 packets each, sent round robin (all flows concurrent).
  ladder --kind syn   1024 TCP flows to 203.0.113.x:443, 12 passes; every packet
                      is a SYN|RST, so each arrival re-opens its closed flow:
                      every packet is the first packet of a new flow.
  ladder --kind tcp   1024 TCP flows 10.10.x.y -> 203.0.113.x:80 of 12 packets:
                      SYN, SYN-ACK, ACK, GET with a Host, ... , RST. The Hosts
                      come from a mix of plain names and names on the shipped
                      lists. The RST closes the flow, so on the next loop of
                      infinite_rx the SYN opens (and classifies) it again.
  --size 64: every frame 64 bytes; --size imix: frames of 64/576/1500 bytes
  in the proportions 7:4:1 (a fixed 12-packet pattern).

  scale               N UDP flows x P passes, 64-byte frames, round robin
                      (all N flows concurrent), 10.10/16 -> 203.0.113.0/24.

  flood               N TCP SYNs from N distinct outside sources (seeded random
                      addresses outside every bench range) to random hosts of the
                      strict zone 10.10.0.0/16, ports 22/80/443/445/3389, 64 bytes.
                      Meant for the outside port (live: net_pcap infinite_rx).
  allowed             K UDP frames of one allowed flow 10.10.1.10:40000 ->
                      198.51.100.5:4000 (the bench endpoint, no apps), 64 bytes.
                      Meant for the inside port alongside "flood".
  tls                 F TLS sessions 10.10.x.y -> 198.51.100.5:443 (SNI
                      e2m.customs.example), all concurrent (round robin by
                      position), each: handshake, ClientHello, server flight,
                      client Finished, then D server records of 1441 bytes in
                      1500-byte frames, each ACKed by the client. Real TCP
                      checksums (a bad one is not classified). For --replay
                      (address split: both directions of every flow).
                      --record-size N: records of N body bytes spread over
                      full frames instead (16384: what TLS stacks send in bulk).

  corpus DIR OUT      the shared nDPI captures as one Ethernet pcap (pcapng
                      converted with editcap first by bench.sh; BSD loopback
                      frames get an Ethernet header).
"""
import argparse
import os
import struct
import sys

IMIX_PATTERN = [64, 576, 64, 64, 1500, 64, 576, 64, 576, 64, 64, 576]  # 7x64, 4x576, 1x1500
assert sorted(IMIX_PATTERN) == sorted([64] * 7 + [576] * 4 + [1500])

MAC_C = bytes.fromhex("020000000001")
MAC_S = bytes.fromhex("020000000002")
ETH_IP4 = b"\x08\x00"

HOSTS = [
    # plain names (no list, no nDPI app)
    "www.example.com", "intranet.example.org", "news.example.net", "shop.example.com",
    # names on the shipped lists / known to nDPI
    "www.dropbox.com", "www.facebook.com", "www.reddit.com", "drive.google.com",
]


class PcapWriter:
    def __init__(self, path, linktype=1, snaplen=65535):
        self.f = open(path, "wb", buffering=1 << 22)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        self.t = 1_700_000_000_000_000  # us
        self.n = 0
        self._hdr = struct.Struct("<IIII")

    def write(self, frame, ts_us=None):
        if ts_us is None:
            self.t += 1
            ts_us = self.t
        n = len(frame)
        self.f.write(self._hdr.pack(ts_us // 1_000_000, ts_us % 1_000_000, n, n))
        self.f.write(frame)
        self.n += 1

    def close(self):
        self.f.close()


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a, b, c, d):
    return bytes((a, b, c, d))


def ipv4_hdr(src, dst, proto, payload_len, ident=0):
    tot = 20 + payload_len
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident & 0xFFFF, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def udp_frame(src, dst, sport, dport, size, fill=b"\0"):
    plen = size - 14 - 20 - 8
    payload = (fill * plen)[:plen]
    udp = struct.pack("!HHHH", sport, dport, 8 + plen, 0) + payload
    return MAC_C + MAC_S + ETH_IP4 + ipv4_hdr(src, dst, 17, len(udp)) + udp


TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp_frame(src, dst, sport, dport, flags, seq, ack, size, payload=b"", c2s=True):
    """A TCP frame of exactly `size` bytes: payload truncated or padded with
    spaces when there is payload, Ethernet padding (not payload) when there is
    none and the frame is short."""
    room = size - 14 - 20 - 20
    if payload:
        payload = (payload + b" " * room)[:room]
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + payload
    macs = MAC_C + MAC_S if c2s else MAC_S + MAC_C
    fr = macs + ETH_IP4 + ipv4_hdr(src, dst, 6, len(tcp)) + tcp
    if len(fr) < size:
        fr += b"\0" * (size - len(fr))
    return fr


def tcp_seg(src, dst, sport, dport, flags, seq, ack, payload=b"", c2s=True):
    """A TCP segment with real checksums, the payload exactly as given."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 64240, 0, 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    macs = MAC_C + MAC_S if c2s else MAC_S + MAC_C
    fr = macs + ETH_IP4 + ipv4_hdr(src, dst, 6, len(tcp)) + tcp
    return fr + b"\0" * max(0, 60 - len(fr))


def outside_addr(rnd):
    """A random IPv4 address outside every range the bench configs name."""
    while True:
        a = rnd.getrandbits(32)
        b0, b1 = a >> 24, (a >> 16) & 0xFF
        if b0 in (0, 10, 127) or b0 >= 224 or (b0, b1) in ((198, 51), (192, 0), (203, 0), (169, 254)):
            continue
        return struct.pack("!I", a)


def gen_flood(path, n, seed=7):
    import random
    rnd = random.Random(seed)
    w = PcapWriter(path)
    seen = set()
    while w.n < n:
        src = outside_addr(rnd)
        if src in seen:
            continue
        seen.add(src)
        dst = ip4(10, 10, rnd.randrange(256), rnd.randrange(1, 255))
        dport = (22, 80, 443, 445, 3389)[rnd.randrange(5)]
        w.write(tcp_seg(src, dst, rnd.randrange(1024, 65536), dport, TH_SYN, rnd.getrandbits(32), 0,
                        c2s=False))
    w.close()
    return w.n


def gen_allowed(path, n):
    w = PcapWriter(path)
    for _ in range(n):
        w.write(udp_frame(ip4(10, 10, 1, 10), ip4(198, 51, 100, 5), 40000, 4000, 64, b"allowed"))
    w.close()
    return w.n


def gen_tls(path, flows, records, record_size=0):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "evasion"))
    from gen import CCS, hello, server_hello_flight, tls_appdata  # noqa: E402

    s = ip4(198, 51, 100, 5)
    per_flow = []  # frames of each position, built per flow
    w = PcapWriter(path)
    conns = []
    for i in range(flows):
        c, cport = client_addr(i)
        cport = 20000 + i % 40000
        seed = "bench%d" % (i % 64)
        conns.append((c, cport, seed))
    # the sequence of (c2s?, flags, payload) per position, with a payload
    # function per flow seed (the bytes differ per seed, not their lengths)
    rec_body = 1500 - 54 - 5

    def steps(seed):
        yield True, TH_SYN, b""
        yield False, TH_SYN | TH_ACK, b""
        yield True, TH_ACK, b""
        yield True, TH_PSH | TH_ACK, hello(seed)
        yield False, TH_ACK, b""
        yield False, TH_PSH | TH_ACK, server_hello_flight(seed)
        yield True, TH_ACK, b""
        yield True, TH_PSH | TH_ACK, CCS + tls_appdata(seed + "fin", 53)
        yield False, TH_ACK, b""
        for k in range(records):
            if not record_size:
                yield False, TH_PSH | TH_ACK, tls_appdata(seed + "d%d" % (k % 4), rec_body)
                yield True, TH_ACK, b""
                continue
            # one record of record_size body bytes over full segments
            rec = tls_appdata(seed + "d%d" % (k % 4), record_size)
            for o in range(0, len(rec), rec_body + 5):
                yield False, TH_PSH | TH_ACK, rec[o:o + rec_body + 5]
                yield True, TH_ACK, b""
    cache = {}
    for c, cport, seed in conns:
        if seed not in cache:
            cache[seed] = list(steps(seed))
        per_flow.append(cache[seed])
    npos = len(per_flow[0])
    state = [[1000, 5000] for _ in conns]  # client seq, server seq
    for p in range(npos):
        for i, (c, cport, seed) in enumerate(conns):
            c2s, flags, pl = per_flow[i][p]
            cs, ss = state[i]
            if c2s:
                fr = tcp_seg(c, s, cport, 443, flags, cs, 0 if flags == TH_SYN else ss, pl, True)
                cs += len(pl) + (1 if flags & TH_SYN else 0)
            else:
                fr = tcp_seg(s, c, 443, cport, flags, ss, cs, pl, False)
                ss += len(pl) + (1 if flags & TH_SYN else 0)
            state[i] = [cs, ss]
            w.write(fr)
    w.close()
    return w.n


def sizes_for(size, n):
    if size == "imix":
        return [IMIX_PATTERN[k % 12] for k in range(n)]
    return [int(size)] * n


def client_addr(i):
    """10.10.0.0/16 host i (1 .. 65000), with the source port telling apart
    flows beyond that."""
    h = i % 65000 + 1
    return ip4(10, 10, h >> 8, h & 0xFF), 1024 + (i // 65000) * 7 + (i % 7)


def gen_ladder(path, kind, size, flows, group=0):
    """group > 0 (kind tcp): flows are sent round robin within groups of
    that many flows, one group after the other, so at most `group` flows
    are open at once."""
    w = PcapWriter(path)
    per = 12
    sz = sizes_for(size, flows * per)
    k = 0
    if kind == "udp":
        for p in range(per):
            for i in range(flows):
                c, sport = client_addr(i)
                s = ip4(198, 51, 100, 1 + i % 14)
                w.write(udp_frame(c, s, sport, 4000, sz[k], b"bench"))
                k += 1
    elif kind == "syn":
        for p in range(per):
            for i in range(flows):
                c, sport = client_addr(i)
                s = ip4(203, 0, 113, 1 + i % 250)
                w.write(tcp_frame(c, s, sport, 443, TH_SYN | TH_RST, 1000 + p, 0, sz[k]))
                k += 1
    elif kind == "tcp":
        # Per flow position: (direction c2s?, flags, payload-kind).
        seqs = [
            (True, TH_SYN, None), (False, TH_SYN | TH_ACK, None), (True, TH_ACK, None),
            (True, TH_PSH | TH_ACK, "req"), (False, TH_ACK, None), (False, TH_PSH | TH_ACK, "resp"),
            (True, TH_ACK, None), (False, TH_PSH | TH_ACK, "body"), (True, TH_ACK, None),
            (False, TH_PSH | TH_ACK, "body"), (True, TH_PSH | TH_ACK, "req2"), (True, TH_RST | TH_ACK, None),
        ]
        # IMIX sizes by position so that data packets get the big frames.
        if size == "imix":
            pos_size = [64, 64, 64, 576, 64, 1500, 64, 576, 64, 576, 576, 64]
            assert sorted(pos_size) == sorted(IMIX_PATTERN)
        else:
            pos_size = [int(size)] * 12
        # Sequence numbers that add up (nDPI skips what looks like a
        # retransmission): the SYNs take one, data its payload length.
        cseq, sseq, pos_seq = 1000, 5000, []
        for p in range(per):
            c2s, flags, what = seqs[p]
            pos_seq.append((cseq, sseq) if c2s else (sseq, cseq))
            plen = pos_size[p] - 54 if what else 0
            step = plen + (1 if flags & TH_SYN else 0)
            if c2s:
                cseq += step
            else:
                sseq += step
        group = group or flows
        for g0 in range(0, flows, group):
            for p in range(per):
                c2s, flags, what = seqs[p]
                seq, ack = pos_seq[p]
                if flags == TH_SYN:
                    ack = 0
                for i in range(g0, min(flows, g0 + group)):
                    c, sport = client_addr(i)
                    s = ip4(203, 0, 113, 1 + i % 250)
                    host = HOSTS[i % len(HOSTS)]
                    if what == "req":
                        pl = ("GET /index.html HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench/1.0\r\n"
                              "Accept: */*\r\n\r\n" % host).encode()
                    elif what == "req2":
                        pl = ("GET /favicon.ico HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
                    elif what == "resp":
                        pl = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: nginx\r\n\r\n<html>"
                    elif what == "body":
                        pl = b"<p>" + b"x" * 64
                    else:
                        pl = b""
                    if c2s:
                        fr = tcp_frame(c, s, sport, 80, flags, seq, ack, pos_size[p], pl, True)
                    else:
                        fr = tcp_frame(s, c, 80, sport, flags, seq, ack, pos_size[p], pl, False)
                    w.write(fr)
    else:
        raise SystemExit("unknown kind " + kind)
    w.close()
    return w.n


def gen_scale(path, flows, passes):
    """N concurrent UDP flows, P passes round robin, 64-byte frames. Frames
    are built once per flow and reused on every pass."""
    w = PcapWriter(path)
    frames = []
    for i in range(flows):
        c, sport = client_addr(i)
        s = ip4(203, 0, 113, 1 + (i // 65000) % 250)
        frames.append(udp_frame(c, s, sport, 4000, 64, b"scale"))
    for _ in range(passes):
        for fr in frames:
            w.write(fr)
    w.close()
    return w.n


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        raise ValueError("%s: not a pcap file (convert pcapng with editcap -F pcap)" % path)
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    out = []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        out.append((sec * 1_000_000 + (frac // 1000 if nano else frac), data[off:off + incl]))
        off += incl
    return linktype, out


def to_ether(linktype, frame):
    if linktype == 1:
        return frame
    if linktype in (0, 108):  # BSD loopback: 4-byte family, host or network order
        fam = struct.unpack("<I", frame[:4])[0]
        if fam > 0xFFFF:
            fam = struct.unpack(">I", frame[:4])[0]
        et = b"\x08\x00" if fam == 2 else b"\x86\xdd"
        return MAC_C + MAC_S + et + frame[4:]
    if linktype in (101, 12, 14):  # raw IP
        et = b"\x08\x00" if frame[0] >> 4 == 4 else b"\x86\xdd"
        return MAC_C + MAC_S + et + frame
    if linktype == 113:  # Linux cooked
        return MAC_C + MAC_S + frame[14:16] + frame[16:]
    return None


def gen_corpus(srcs, path):
    """Concatenate captures (in the given order) into one Ethernet pcap,
    keeping each file's own timestamps."""
    w = PcapWriter(path)
    skipped = []
    for s in srcs:
        lt, pkts = read_pcap(s)
        if to_ether(lt, b"\0" * 64) is None:
            skipped.append(os.path.basename(s))
            continue
        for ts, fr in pkts:
            w.write(to_ether(lt, fr), ts)
    w.close()
    for s in skipped:
        print("gen_bench: skipped %s (link type not convertible)" % s, file=sys.stderr)
    return w.n


def check(path, n=24):
    """Cross-check with scapy that the first frames parse as intended."""
    from scapy.all import IP, TCP, UDP, PcapReader  # noqa: E402

    with PcapReader(path) as r:
        for k, p in enumerate(r):
            if k >= n:
                break
            if IP not in p:
                raise SystemExit("%s: frame %d is not IPv4" % (path, k))
            ip = IP(bytes(p[IP]))
            want = ip.chksum
            del ip.chksum
            if IP(bytes(ip)).chksum != want:
                raise SystemExit("%s: frame %d bad IP checksum" % (path, k))
            if not (TCP in p or UDP in p):
                raise SystemExit("%s: frame %d has no TCP/UDP" % (path, k))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ladder")
    a.add_argument("--kind", choices=["udp", "syn", "tcp"], required=True)
    a.add_argument("--size", choices=["64", "imix"], required=True)
    a.add_argument("--flows", type=int, default=1024)
    a.add_argument("--group", type=int, default=0)
    a.add_argument("--check", action="store_true")
    a.add_argument("-o", required=True)
    b = sub.add_parser("scale")
    b.add_argument("--flows", type=int, required=True)
    b.add_argument("--passes", type=int, required=True)
    b.add_argument("--check", action="store_true")
    b.add_argument("-o", required=True)
    d = sub.add_parser("flood")
    d.add_argument("--frames", type=int, default=16384)
    d.add_argument("--check", action="store_true")
    d.add_argument("-o", required=True)
    e = sub.add_parser("allowed")
    e.add_argument("--frames", type=int, default=32)
    e.add_argument("-o", required=True)
    f = sub.add_parser("tls")
    f.add_argument("--flows", type=int, default=1024)
    f.add_argument("--records", type=int, default=95)
    f.add_argument("--record-size", type=int, default=0,
                   help="body bytes per record, over as many 1500-byte frames as it takes "
                        "(default: one 1441-byte record per frame)")
    f.add_argument("--check", action="store_true")
    f.add_argument("-o", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("srcs", nargs="+")
    c.add_argument("-o", required=True)
    args = ap.parse_args()

    tmp = args.o + ".tmp"
    if args.cmd == "ladder":
        n = gen_ladder(tmp, args.kind, args.size, args.flows, args.group)
    elif args.cmd == "flood":
        n = gen_flood(tmp, args.frames)
    elif args.cmd == "allowed":
        n = gen_allowed(tmp, args.frames)
    elif args.cmd == "tls":
        n = gen_tls(tmp, args.flows, args.records, args.record_size)
    elif args.cmd == "scale":
        n = gen_scale(tmp, args.flows, args.passes)
    else:
        n = gen_corpus(args.srcs, tmp)
    if getattr(args, "check", False):
        check(tmp)
    os.replace(tmp, args.o)
    print("gen_bench: %s: %d packets" % (args.o, n), file=sys.stderr)


if __name__ == "__main__":
    main()
