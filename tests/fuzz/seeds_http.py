#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_http.c: a client's bytes to an HTTP/1 server.

    tests/fuzz/seeds_http.py OUTDIR

Requests in the shapes the reader must follow (pipelined heads, a
Content-Length body, a chunked body with extensions and a trailer, CONNECT,
absolute-form, methods of any token, lead white space, a relaxed parser's
white space, an upgrade to h2c and its preface) and a few it must refuse or
pass by (a Transfer-Encoding list, two Host lines, an SSH banner, an IMAP
tag), so that the fuzzer starts from every branch. The first byte picks the
cut point the target tries, so each seed starts with a request's own byte.
"""
import os
import sys

SEEDS = {
    "get": b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
    "pipe": b"GET /a HTTP/1.1\r\nHost: a.example\r\n\r\nGET /b HTTP/1.1\r\nHost: m.vk.com\r\n\r\n",
    "post_cl": b"POST /up HTTP/1.1\r\nHost: a.example\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: b.example\r\n\r\n",
    "chunked": b"POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\nGET / HTTP/1.1\r\nHost: c.example\r\n\r\n",
    "te_list": b"POST / HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "connect": b"CONNECT www.facebook.com:443 HTTP/1.1\r\nHost: www.facebook.com:443\r\n\r\n",
    "absolute": b"GET http://m.vk.com/feed HTTP/1.1\r\nHost: m.vk.com\r\n\r\n",
    "token": b"M2 / HTTP/1.1\r\nHost: a.example\r\n\r\nX.Y!~ / HTTP/1.1\r\nHost: b.example\r\n\r\n",
    "msearch": b"M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n\r\n",
    "lead": b"\r\n\r\n  GET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
    "relaxed": b"GET\x0b/\x0bHTTP/1.1\r\nHost: a.example\r\n\r\n",
    "two_hosts": b"GET / HTTP/1.1\r\nHost: a.example\r\nHost: m.vk.com\r\n\r\n",
    "h2c_up": b"GET / HTTP/1.1\r\nHost: a.example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
              b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "ws": b"GET /chat HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x85abcd",
    "cut": b"GET /x HTTP/1.1\r\nHost: a.exa",
    "ssh": b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
    "imap": b"a001 LOGIN user pass\r\n",
    "http09": b"GET /\r\n",
    "rtsp": b"GET rtsp://a.example/s RTSP/1.0\r\nCSeq: 1\r\n\r\n",
}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
