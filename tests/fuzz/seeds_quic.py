#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_quic.c: client Initials protected as a
client protects them (RFC 9001 5, RFC 9369 3.3; python3-cryptography).

    tests/fuzz/seeds_quic.py OUTDIR

Each seed is fuzz_quic's input format: one byte (the buffer choice in bits
0-1), then datagrams, each a flags byte (bit 0: the harness protects its
Initials, written here in the clear; bit 1: under the flow's keys), a 2-byte
little-endian length and the datagram. The seeds cover the hello in one
datagram (v1, v2, draft-29), over two (the second half first), CRYPTO frames
out of order, then quic_feed_after's cases: the connection's ACK and a
retransmission, another connection's Initial, the same DCID with another
hello, a Retry's keys, a Handshake packet, nine coalesced Initials.
"""
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

V1, V2, D29 = 0x00000001, 0x6B3343CF, 0xFF00001D
SALT = {
    V1: bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"),
    V2: bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9"),
    D29: bytes.fromhex("afbfec289993d24c9e9786f19c6111e04390a899"),
}

# RFC 9001 A.2: the client's ClientHello (241 bytes), its DCID.
HELLO = bytes.fromhex(
    "010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff")
DCID = bytes.fromhex("8394c8f03e515708")
SERVER_CID = bytes.fromhex("0102030405")
OTHER_DCID = bytes.fromhex("4201020304050607")
RETRY_CID = bytes.fromhex("aa01020304050607")
ACK = b"\x02\x00\x00\x00\x00"


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack(">H", length) + bytes([len(full)]) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


def client_keys(version, dcid):
    initial = hmac.new(SALT[version], dcid, hashlib.sha256).digest()
    client = expand_label(initial, b"client in", 32)
    p = b"quicv2 " if version == V2 else b"quic "
    return (expand_label(client, p + b"key", 16), expand_label(client, p + b"iv", 12),
            expand_label(client, p + b"hp", 16))


def varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack(">H", 0x4000 | v)
    return struct.pack(">I", 0x80000000 | v)


def crypto(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def packet(frames, version=V1, dcid=DCID, key_dcid=None, pn=0, pad_to=1200, ptype=None,
           token=b"", protect=True):
    """A client's long-header packet (an Initial unless ptype), 4-byte
    packet number, padded with PADDING frames so it is pad_to bytes (0: no
    padding). protect=False: in the clear, the tag left as zeros."""
    initial_type = 1 if version == V2 else 0
    t = initial_type if ptype is None else ptype
    head = bytes([0xC0 | t << 4 | 3]) + struct.pack(">I", version) + bytes([len(dcid)]) + dcid
    head += b"\x00"
    if t == initial_type:
        head += varint(len(token)) + token
    if pad_to:
        frames += bytes(max(0, pad_to - (len(head) + 2 + 4 + len(frames) + 16)))
    head += struct.pack(">H", 0x4000 | (4 + len(frames) + 16)) + struct.pack(">I", pn)
    if not protect:
        return head + frames + bytes(16)
    key, iv, hp = client_keys(version, key_dcid or dcid)
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + struct.pack(">Q", pn)))
    body = AESGCM(key).encrypt(nonce, frames, head)
    pkt = bytearray(head + body)
    pn_off = len(head) - 4
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(bytes(pkt[pn_off + 4:pn_off + 20])) + enc.finalize()
    pkt[0] ^= mask[0] & 0x0F
    for i in range(4):
        pkt[pn_off + i] ^= mask[1 + i]
    return bytes(pkt)


def pad_datagram(d, size=1200):
    return d + b"\x40" * max(0, size - len(d))  # a short-header tail


def seed(*datagrams, buf=0):
    """datagrams: bytes, or (flags, bytes)."""
    out = bytes([buf])
    for d in datagrams:
        flags, d = d if isinstance(d, tuple) else (0, d)
        out += bytes([flags]) + struct.pack("<H", len(d)) + d
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    whole = packet(crypto(0, HELLO))
    alt = bytearray(HELLO)
    alt[100] ^= 0x20
    alt = bytes(alt)
    chaos = crypto(120, HELLO[120:]) + b"\x01" + crypto(0, HELLO[:60]) + ACK \
        + crypto(50, HELLO[50:130])
    server_ack = packet(ACK, dcid=SERVER_CID, key_dcid=DCID, pn=1)
    nine = b"".join(packet(crypto(27 * i, HELLO[27 * i:27 * i + 27]), pn=i, pad_to=0)
                    for i in range(9))
    handshake = packet(bytes(20), ptype=2, pad_to=0)
    seeds = {
        "v1": seed(whole),
        "v2": seed(packet(crypto(0, HELLO), version=V2, pn=2)),
        "draft29": seed(packet(crypto(0, HELLO), version=D29)),
        "two-datagrams": seed(packet(crypto(100, HELLO[100:]), pn=0),
                              packet(crypto(0, HELLO[:100]), pn=1)),
        "two-datagrams-v2": seed(packet(crypto(100, HELLO[100:]), version=V2, pn=0),
                                 packet(crypto(0, HELLO[:100]), version=V2, pn=1)),
        "chaos": seed(packet(chaos)),
        "coalesced": seed(pad_datagram(packet(crypto(150, HELLO[150:]), pad_to=0) + handshake
                                       + packet(crypto(0, HELLO[:150]), pn=1, pad_to=0))),
        "small-buffer": seed(whole, buf=2),
        "after-ok": seed(whole, server_ack, packet(crypto(0, HELLO), pn=2),
                         pad_datagram(handshake), b"\x41" * 40),
        "after-other": seed(whole, packet(crypto(0, alt), dcid=OTHER_DCID)),
        "after-conflict": seed(whole, packet(crypto(0, alt), pn=0)),
        "after-retry": seed(whole, packet(crypto(0, HELLO), dcid=RETRY_CID, pn=1, token=b"tok"),
                            packet(ACK, dcid=SERVER_CID, key_dcid=RETRY_CID, pn=2)),
        "nine": seed(pad_datagram(nine)),
        "after-nine": seed(whole, pad_datagram(nine)),
        # in the clear: the harness protects them
        "plain-v1": seed((1, packet(crypto(0, HELLO), protect=False))),
        "plain-two": seed((1, packet(crypto(100, HELLO[100:]), pn=0, protect=False)),
                          (3, packet(crypto(0, HELLO[:100]), dcid=SERVER_CID, pn=1,
                                     protect=False))),
        "plain-chaos": seed((1, packet(chaos, protect=False))),
        "plain-after": seed((1, packet(crypto(0, HELLO), protect=False)),
                            (3, packet(ACK + crypto(7, HELLO[7:50]), dcid=SERVER_CID, pn=1,
                                       protect=False)),
                            (1, packet(crypto(0, alt), pn=2, protect=False))),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
