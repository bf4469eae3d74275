#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_tls.c: ClientHellos built field by field.

    tests/fuzz/seeds_tls.py OUTDIR

Each seed is fuzz_tls's input format: one byte (number of cuts in the low 3
bits, buffer choice in bits 3-4), 2 bytes per cut (little-endian offsets),
then the client's stream. The hellos cover the shapes the reader must take
(browser-like with GREASE, ECH, ALPN, supported_versions; no name; no
extensions; 2 and 3 records) and a few it must refuse, so the fuzzer starts
from every branch rather than from random bytes.
"""
import os
import struct
import sys


def u16(v):
    return struct.pack(">H", v)


def ext(t, body=b""):
    return u16(t) + u16(len(body)) + body


def sni(name, typ=0):
    entry = bytes([typ]) + u16(len(name)) + name
    return ext(0x0000, u16(len(entry)) + entry)


ALPN = ext(0x0010, u16(12) + b"\x02h2\x08http/1.1")
VERSIONS = ext(0x002B, b"\x06\x3a\x3a\x03\x04\x03\x03")
GROUPS = ext(0x000A, b"\x00\x04\x00\x1d\x00\x17")
ECH = ext(0xFE0D, b"\x00\x00\x01\x00\x01\x42\x00\x02\xab\xcd")


def hello(exts=None, suites=b"\x13\x01\xc0\x2f", sid=bytes(range(32))):
    body = b"\x03\x03" + bytes(range(100, 132)) + bytes([len(sid)]) + sid
    body += u16(len(suites)) + suites + b"\x01\x00"
    if exts is not None:
        body += u16(len(exts)) + exts
    return b"\x01" + struct.pack(">I", len(body))[1:] + body


def records(msg, cuts=(), version=0x0301):
    out, start = b"", 0
    for end in list(cuts) + [len(msg)]:
        out += b"\x16" + u16(version) + u16(end - start) + msg[start:end]
        start = end
    return out


def seed(stream, cuts=(), buf=0):
    head = bytes([len(cuts) | buf << 3])
    for c in cuts:
        head += struct.pack("<H", c)
    return head + stream


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    browser = hello(ext(0x0A0A) + sni(b"www.example.com") + GROUPS + ALPN + VERSIONS + ECH
                    + ext(0x1A1A, b"\x00"))
    plain = hello(sni(b"e2m.customs.example") + GROUPS)
    seeds = {
        "browser": seed(records(browser)),
        "browser-cut": seed(records(browser), cuts=(3, 60, 200)),
        "plain": seed(records(plain, version=0x0303)),
        "no-sni": seed(records(hello(GROUPS + ALPN))),
        "no-ext": seed(records(hello())),
        "empty-ext": seed(records(hello(b""))),
        "two-records": seed(records(browser, cuts=(2,))),
        "three-records": seed(records(browser, cuts=(40, 41)), cuts=(44, 47)),
        "small-buffer": seed(records(plain), buf=1),
        "then-ccs": seed(records(plain) + b"\x14\x03\x03\x00\x01\x01"),
        "two-names": seed(records(hello(ext(0x0000, u16(24) + b"\x00\x00\x09a.example"
                                             + b"\x00\x00\x09b.example")))),
        "dup-ext": seed(records(hello(sni(b"a.example") + ALPN + ALPN))),
        "nul-name": seed(records(hello(sni(b"a.example\x00b.example")))),
        "trailing-dot": seed(records(hello(sni(b"a.example.")))),
        "alert-between": seed(records(browser, cuts=(50,))[:55]
                              + b"\x15\x03\x01\x00\x02\x02\x28"),
        "sslv2": seed(b"\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10"),
        "http": seed(b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
