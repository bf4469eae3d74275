#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_h2.c: h2c frames after the preface and an
empty SETTINGS (which fuzz_h2 puts in front).

    tests/fuzz/seeds_h2.py OUTDIR

Header blocks in the shapes the reader must take (literal fields with and
without indexing, static table references, a :authority with a port, a host
field, HEADERS with PADDED and PRIORITY, a CONTINUATION, WINDOW_UPDATE and
PING before HEADERS) and a few it must refuse, so that the fuzzer starts from
every branch rather than from random bytes. No Huffman strings: the fuzzer
finds those from the literal ones' H bit.
"""
import os
import struct
import sys


def frame(ftype, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def lit(name_index, value, indexing=False):
    """A literal field with an indexed name (RFC 7541 6.2.1 / 6.2.2)."""
    v = value.encode()
    first = (0x40 | name_index) if indexing else name_index
    return bytes([first, len(v)]) + v


def lit_new(name, value):
    """A literal field with a new name, without indexing (6.2.2)."""
    return bytes([0x00, len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


GET_HTTP_ROOT = bytes([0x82, 0x86, 0x84])  # :method GET, :scheme http, :path /


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        "plain": frame(1, 0x5, 1, GET_HTTP_ROOT + lit(1, "m.vk.com")),
        "indexed": frame(1, 0x5, 1, GET_HTTP_ROOT + lit(1, "www.example.org:8080", True)),
        "host": frame(1, 0x5, 1, GET_HTTP_ROOT + lit_new("host", "a.example")),
        "padded_prio": frame(1, 0x5 | 0x8 | 0x20, 1,
                             bytes([3]) + struct.pack(">IB", 0, 15) + GET_HTTP_ROOT + lit(1, "b.example") + b"\0" * 3),
        "continuation": frame(1, 0x1, 1, GET_HTTP_ROOT) + frame(9, 0x4, 1, lit(1, "c.example")),
        "window_ping": frame(8, 0, 0, struct.pack(">I", 65535)) + frame(6, 0, 0, b"\0" * 8)
        + frame(1, 0x5, 1, GET_HTTP_ROOT + lit(1, "d.example")),
        "two_authorities": frame(1, 0x5, 1, GET_HTTP_ROOT + lit(1, "e.example") + lit(1, "f.example")),
        "size_update": frame(1, 0x5, 1, bytes([0x3f, 0xe1, 0x1f]) + GET_HTTP_ROOT + lit(1, "g.example")),
        "data_first": frame(0, 0x1, 1, b"x") + frame(1, 0x5, 1, GET_HTTP_ROOT + lit(1, "h.example")),
    }
    for name, b in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(b)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
