#!/usr/bin/python3
"""tests/e2e/forge_ack.py - a responder ACK of bytes aduana read and never
passed on, forged by an accomplice outside (docs/stream.md, "unsent bytes";
tests/e2e/run.sh checks forged_ack and forged_ack_ok).

  forge_ack.py client SRC DST PORT NAME N CA GOFILE [SENTFILE]
      In the inside namespace, a real TCP socket from SRC:PORT to DST:443. It
      sends the first N bytes of a real ClientHello for NAME with TTL 1 (a copy
      its server may never get: aduana reads it, drops it and marks its bytes
      unsent), creates GOFILE, waits up to 3 s for SENTFILE (the accomplice's
      forged ACK) when one is named, then 50 ms, then sends the rest with TTL
      64 (the kernel's timer sends the first N again with it). Where the server answers, it
      completes the handshake against CA and asks for /. Prints "answered:
      <first line of the HTTP answer>" or "no answer: <why>"; exits 0 either
      way (the caller checks the line), 2 on bad arguments.
  forge_ack.py forger IFACE CLIENT SERVER PORT N GOFILE SENTFILE SECONDS
      In the outside namespace, on IFACE: learns both first sequence numbers
      from the handshake as it passes, and once GOFILE exists sends the
      server's ACK of the client's first N bytes (which never reached it),
      creates SENTFILE, and sends it again 200 ms later. Until SECONDS have passed it
      counts the frames with client payload that reach IFACE. Prints "ready"
      once it listens, then one JSON line: client_isn, server_isn, forged,
      client_payload_frames, client_payload_bytes.
"""
import json
import os
import select
import socket
import ssl
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_ack(src, dst, sport, dport, seq, ack):
    """An IPv4 TCP ACK with right sums (the kernel fills the IP one too)."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    th = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x10, 64240, 0, 0)
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(th)) + th)
    th = th[:16] + struct.pack("!H", c) + th[18:]
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th), 0x4242, 0, 64, 6, 0, s, d)
    ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
    return ih + th


def wait_file(path, seconds):
    end = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def client(src, dst, port, name, n, ca, gofile, sentfile):
    ctx = ssl.create_default_context(cafile=ca)
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inb, outb, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outb.read()
    if len(hello) <= n:
        print("no answer: the ClientHello (%d bytes) is not longer than %d" % (len(hello), n))
        return 0
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((src, port))
    s.settimeout(3)
    s.connect((dst, 443))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
    s.send(hello[:n])
    open(gofile, "w").close()
    # The rest goes before the first bytes' retransmission timer (200 ms
    # at least) fires: after it, Linux sends nothing new until they are
    # acknowledged, and aduana holds the hello's head until its rest comes.
    # (with an accomplice: 50 ms after its ACK, which aduana has taken by
    # then: the two do not race through its two ports)
    if sentfile and not wait_file(sentfile, 3):
        print("no answer: the accomplice sent no ACK")
        return 0
    time.sleep(0.05)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)
    s.sendall(hello[n:])
    answer = b""
    try:
        # the handshake, then a request and its answer, each under the timeout
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pass
            out = outb.read()
            if out:
                s.sendall(out)
            data = s.recv(65536)
            if not data:
                raise ConnectionError("closed by the server")
            inb.write(data)
        s.sendall(outb.read())
        tls.write(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % name.encode())
        s.sendall(outb.read())
        while b"\r\n" not in answer:
            data = s.recv(65536)
            if not data:
                break
            inb.write(data)
            try:
                answer += tls.read(65536)
            except ssl.SSLWantReadError:
                pass
    except (OSError, ssl.SSLError, ConnectionError) as e:
        print("no answer: %s" % (e or type(e).__name__))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        return 0
    print("answered: %s" % answer.split(b"\r\n")[0].decode("latin-1"))
    s.close()
    return 0


def forger(iface, cli, srv, port, n, gofile, sentfile, seconds):
    r = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    r.bind((iface, 0))
    w = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    print("ready", flush=True)
    cb, sb = socket.inet_aton(cli), socket.inet_aton(srv)
    res = {"client_isn": None, "server_isn": None, "forged": 0,
           "client_payload_frames": 0, "client_payload_bytes": 0}
    end = time.monotonic() + seconds
    next_forge = None
    while time.monotonic() < end:
        if res["forged"] < 2 and res["client_isn"] is not None and \
                res["server_isn"] is not None and os.path.exists(gofile):
            now = time.monotonic()
            if next_forge is None or now >= next_forge:
                w.sendto(tcp_ack(srv, cli, 443, port, (res["server_isn"] + 1) & 0xFFFFFFFF,
                                 (res["client_isn"] + 1 + n) & 0xFFFFFFFF), (cli, 0))
                res["forged"] += 1
                next_forge = now + 0.2
                if res["forged"] == 1:
                    open(sentfile, "w").close()
        rd, _, _ = select.select([r], [], [], 0.01)
        if not rd:
            continue
        frame, addr = r.recvfrom(65535)
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ihl = (frame[14] & 0x0F) * 4
        tot = struct.unpack("!H", frame[16:18])[0]
        ip_src, ip_dst = frame[26:30], frame[30:34]
        t = 14 + ihl
        sp, dp, seq = struct.unpack("!HHI", frame[t:t + 8])
        flags = frame[t + 13]
        plen = tot - ihl - (frame[t + 12] >> 4) * 4
        if ip_src == cb and ip_dst == sb and sp == port and dp == 443:
            if flags & 0x02 and not flags & 0x10:
                res["client_isn"] = seq
            elif plen > 0 and addr[2] != PACKET_OUTGOING:
                res["client_payload_frames"] += 1
                res["client_payload_bytes"] += plen
        elif ip_src == sb and ip_dst == cb and sp == 443 and dp == port and \
                flags & 0x12 == 0x12 and addr[2] == PACKET_OUTGOING:
            res["server_isn"] = seq
    print(json.dumps(res), flush=True)
    return 0


def main(argv):
    try:
        if len(argv) in (9, 10) and argv[1] == "client":
            return client(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]), argv[7],
                          argv[8], argv[9] if len(argv) == 10 else None)
        if len(argv) == 10 and argv[1] == "forger":
            return forger(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), argv[7],
                          argv[8], float(argv[9]))
    except ValueError as e:
        print("forge_ack.py: %s" % e, file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
