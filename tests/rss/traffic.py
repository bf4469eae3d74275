#!/usr/bin/python3
"""tests/rss/traffic.py - the traffic of tests/rss/run.sh.

  traffic.py serve ADDR[,ADDR] PORT... echo servers (TCP and UDP) on each ADDR:PORT
  traffic.py client SRC DST N PORT...  N TCP flows and N UDP flows from SRC,
                                       fixed source ports, to DST's ports in
                                       turn; prints one line per flow:
                                       "tcp|udp SPORT DPORT ok|fail"

Every client flow has a fixed 5-tuple (source ports from 41000 up), so that
two runs make the same flows. Each TCP flow sends a payload chosen by its
destination port and reads the echo; an SSH banner to port 443 is one the
test's policy blocks (remote_access), so a run has allowed and dropped
flows.
"""
import socket
import sys
import threading

PAYLOADS = {
    80: b"GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: rss-test\r\n\r\n",
    443: b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
    8080: b"GET /index.html HTTP/1.1\r\nHost: intranet.example.org\r\n\r\n",
}


def serve(addrs, ports):
    for a in addrs.split(","):
        serve_one(a, ports)
    print("ready", flush=True)
    threading.Event().wait()


def serve_one(addr, ports):
    def tcp_conn(c):
        try:
            c.settimeout(10)
            d = c.recv(4096)
            if d:
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    def tcp(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(256)
        while True:
            c, _ = s.accept()
            threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()

    def udp(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        while True:
            d, peer = s.recvfrom(4096)
            s.sendto(d, peer)

    # One socket per address: a UDP reply leaves from the address asked.
    for p in ports:
        threading.Thread(target=tcp, args=(p,), daemon=True).start()
        threading.Thread(target=udp, args=(p,), daemon=True).start()


def client(src, dst, n, ports):
    out = []
    for i in range(n):
        dport = ports[i % len(ports)]
        sport = 41000 + i
        payload = PAYLOADS.get(dport, b"hello %d\r\n" % i)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.settimeout(1)
        ok = False
        try:
            s.bind((src, sport))
            s.connect((dst, dport))
            s.sendall(payload)
            got = b""
            while len(got) < len(payload):
                d = s.recv(4096)
                if not d:
                    break
                got += d
            ok = got == payload
        except OSError:
            pass
        finally:
            s.close()
        out.append("tcp %d %d %s" % (sport, dport, "ok" if ok else "fail"))
    for i in range(n):
        dport = ports[i % len(ports)]
        sport = 42000 + i
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        ok = False
        try:
            s.bind((src, sport))
            msg = b"udp flow %d\n" % i
            for _ in range(2):
                s.sendto(msg, (dst, dport))
                try:
                    d, _ = s.recvfrom(4096)
                    ok = d == msg
                    break
                except socket.timeout:
                    pass
        except OSError:
            pass
        finally:
            s.close()
        out.append("udp %d %d %s" % (sport, dport, "ok" if ok else "fail"))
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], [int(p) for p in sys.argv[3:]])
    else:
        client(sys.argv[2], sys.argv[3], int(sys.argv[4]), [int(p) for p in sys.argv[5:]])
