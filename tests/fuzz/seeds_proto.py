#!/usr/bin/python3
"""Seeds for fuzz_proto: well-formed frames of every type, records, and the
malformed kinds the ctl test sends (tests/fuzz/fuzz_proto.c)."""
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def frame(t, body=b"", version=1, magic=b"AD"):
    return magic + bytes([version, t]) + struct.pack(">I", len(body)) + body


rec = (b'{"ts_start":"2026-12-02T04:06:56.412434Z","ts_end":"2026-12-02T04:06:58.425753Z",'
       b'"zone":"e2m","dir":"out","proto":"tcp","src":"10.10.1.11","sport":40104,'
       b'"dst":"203.0.113.81","dport":6881,"app":"Unknown","class":null,"sni":null,'
       b'"host":null,"dns_query":null,"verdict":"drop","reason":"default:e2m-strict",'
       b'"learned":[],"learned_count":0,"end":"idle","policy_version":1,"pkts_to_verdict":1,'
       b'"pkts_out":9,"bytes_out":900,"pkts_in":0,"bytes_in":0,"dropped_pkts":9}\n')
seeds = {
    "status": frame(1),
    "flows": frame(2, b"zone=e2m\nverdict=drop\nlimit=5\n"),
    "flows-open": frame(2, b"open=1\nhost=10.10.1.5\n"),
    "reload": frame(3, b"/etc/aduana/aduana.conf"),
    "subscribe-ack": frame(4) + frame(0x11, struct.pack(">Q", 7)),
    "record": frame(0x10, struct.pack(">Q", 1) + rec),
    "reply": frame(0x81, b'{"policy_version":3,"policy_hash":"ab","flows_open":10}'),
    "error": frame(0x7f, b'{"error":"flows: no such zone \\"x\\" \\u0041"}'),
    "two": frame(1) + frame(2, b"limit=1"),
    "garbage": b"GET / HTTP/1.0\r\n\r\n",
    "wrong-version": frame(1, version=2),
    "oversize": b"AD\x01\x01\xff\xff\xff\xff",
    "half": b"AD\x01\x01\x00\x00",
}
for name, data in seeds.items():
    for cut in (0, 3, 15):
        with open(os.path.join(out, "%s-%d" % (name, cut)), "wb") as f:
            f.write(bytes([cut]) + data)
