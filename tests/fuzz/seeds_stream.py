#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_stream.c: TLS, SMTP and DNS-over-TCP sessions.

    tests/fuzz/seeds_stream.py OUTDIR

Each seed is fuzz_stream's input format: one byte (segments - 1 in the low
3 bits, the conformance mode in bits 3-4: 0 the first bytes choose, 1 TLS
only, 2 DNS only, 3 DNS beside others), the base sequence number (4 bytes,
little-endian), 6 bytes per segment (offset + 16 and length, 2 bytes each
little-endian, a flip byte, a cut byte whose bit 0 is the responder's
direction for the run), then the body. The runs of a session are its
messages, so the fuzzer starts from a ClientHello with records on both
sides and from an SMTP session through STARTTLS into TLS.
"""
import os
import struct
import sys


def u16(v):
    return struct.pack(">H", v)


def record(typ, body, version=0x0303):
    return bytes([typ]) + u16(version) + u16(len(body)) + body


def client_hello(name):
    entry = b"\x00" + u16(len(name)) + name
    sni = u16(0) + u16(len(entry) + 2) + u16(len(entry)) + entry
    body = (u16(0x0303) + bytes(range(32)) + b"\x00" + u16(4) + u16(0x1301) + u16(0xC02F)
            + b"\x01\x00" + u16(len(sni)) + sni)
    msg = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return record(22, msg, 0x0301)


def seed(runs, tls_only=False, base=0xFFFFFF00, cuts=None, mode=None):
    """runs: (from_responder, bytes); segments cover the body in order."""
    body = b"".join(r for _, r in runs)
    mode = (1 if tls_only else 0) if mode is None else mode
    head = bytes([(len(runs) - 1) | mode << 3]) + struct.pack("<I", base)
    at = 0
    for i, (resp, r) in enumerate(runs):
        cut = (cuts[i] if cuts else len(r) // 2) << 1 | (1 if resp else 0)
        head += struct.pack("<HHBB", at + 16, len(r) - 1, 0, cut & 0xFF)
        at += len(r)
    return head + body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    ch = client_hello(b"e2m.customs.example")
    sh = record(22, b"\x02\x00\x00\x2a" + b"\x03\x03" + bytes(40))
    ccs = record(20, b"\x01")
    app = record(23, b"ciphertext")
    # DNS over TCP: a query for e2m.customs.example A IN and its answer
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         + b"\x03e2m\x07customs\x07example\x00\x00\x01\x00\x01")
    a = (b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:]
         + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\xc6\x33\x64\x05")
    dq, da = u16(len(q)) + q, u16(len(a)) + a
    seeds = {
        "tls": seed([(0, ch), (1, sh + ccs), (0, app), (1, app)], tls_only=True),
        "tls_rehello": seed([(0, ch), (0, app), (0, ch)], tls_only=True),
        "tls_server_rehello": seed([(0, ch), (1, sh), (1, app), (1, sh)], tls_only=True),
        "tls_split": seed([(0, ch[:7]), (0, ch[7:40]), (0, ch[40:]), (1, sh)], base=12345),
        "smtp": seed([(1, b"220 mail.customs.example ESMTP\r\n"), (0, b"EHLO ws1\r\n"),
                      (1, b"250-mail\r\n250 STARTTLS\r\n"), (0, b"STARTTLS\r\n"),
                      (1, b"220 Ready\r\n" + sh), (0, ch), (1, app), (0, app)]),
        "smtp_refused": seed([(1, b"220 mail ESMTP\r\n"), (0, b"EHLO ws1\r\nSTARTTLS\r\n"),
                              (1, b"454-no\r\n454 TLS not available\r\n"),
                              (0, b"QUIT\r\n"), (1, b"221 bye\r\n")]),
        "smtp_pipeline": seed([(1, b"220 mail ESMTP\r\n"), (0, b"STARTTLS\r\n" + ch)]),
        "not_tls": seed([(0, b"GET / HTTP/1.1\r\nHost: e2m.customs.example\r\n\r\n")],
                        tls_only=True),
        "dns_tcp": seed([(0, dq + dq), (1, da), (1, da), (0, dq[:2]), (0, dq[2:]), (1, da)], mode=2),
        "dns_tcp_mixed": seed([(0, dq), (1, da), (0, b"\x00\x20" + bytes(32))], mode=3),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
