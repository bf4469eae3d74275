#!/usr/bin/python3
"""score.py - score the evasion suite's replays (tests/evasion/run.sh).

usage: score.py EXPECTED.TSV OUTDIR "WORKERS..." [CASE...]

For each case of EXPECTED.TSV (all, or those named), and each worker count N,
reads OUTDIR/<case>/in.pcap and markers.json (tests/evasion/gen.py) and the
replay's files in OUTDIR/<case>/w<N>/: rc, stdout (the summary line),
out.jsonl (flow log), pass.pcap, drop.pcap. A case passes when every run
passes. Failures are named:

  bypass       a must-drop flow whose last record (latest ts_end) allows, or
               that has no record at all
  leak         a forbidden byte forwarded: a LEAK marker of the case in
               pass.pcap; for check 'payload' also any frame of the flow that
               carries payload (or is a fragment); for check 'first' any
               frame of the flow at all
  false block  a must-allow flow with a record that drops, with no record, or
               whose PASS markers are not all in pass.pcap; for check
               'nodrop' also any of its packets dropped (dropped_pkts)
  reason       the verdict is right but its reason is not one the case accepts
  run          aduana failed, printed no summary, or its counters do not
               balance (rx = tx + dropped, DESIGN 3.1)
  input        the generator's capture lacks a marker the case relies on
  counters     a summary counter the case names (OUTDIR/<case>/counters,
               lines "name>=N" or "name==N") does not hold: the verdicts
               came some other way than the case's mechanism
  sum          a frame in pass.pcap that is no input frame (cut at its IP
               end) carries a wrong IPv4 header, TCP or UDP sum: aduana
               changed it (zeroed acknowledged bytes, a trimmed copy, hello
               segments joined) and left its sums wrong (one that came in
               with a wrong sum, matched by addresses, IPv4 id, ports,
               sequence number and flags, may stay wrong: its sums are
               updated, not set anew, so that its receiver still discards it)

Prints `PASS evasion/<case>` or `FAIL evasion/<case>: ...` per case, a tally
of the kinds, and last `evasion: N passed, N failed`. Exit 0 when all passed.
Pure Python (no scapy): pcap files are read with a small parser of
Ethernet, 802.1Q/802.1ad, IPv4, IPv6 extension headers, TCP and UDP.
"""

import fnmatch
import ipaddress
import json
import os
import re
import struct
import sys

KINDS = ("bypass", "leak", "false block", "reason", "run", "input", "counters", "sum")


# ------------------------------------------------------------------ pcaps

def read_pcap(path):
    """[(frame number, bytes)] of a classic pcap file (either byte order,
    micro- or nanosecond)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a classic pcap file (magic %s)" % (path, magic.hex()))
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("%s: link type %d, want Ethernet (1)" % (path, linktype))
    out, off, n = [], 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        n += 1
        out.append((n, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def l3_of(frame):
    """(ethertype past any VLAN tags, offset of the layer-3 header), or
    (None, 0) for a frame too short."""
    off = 12
    if len(frame) < 14:
        return None, 0
    et = struct.unpack("!H", frame[off:off + 2])[0]
    off += 2
    while et in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 4:
        et = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    return et, off


def parse(frame):
    """(src, dst, l4proto, payload length, is_fragment) or None for non-IP."""
    et, off = l3_of(frame)
    if et is None:
        return None
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        fragw = struct.unpack("!H", frame[off + 6:off + 8])[0]
        proto = frame[off + 9]
        src = ipaddress.ip_address(frame[off + 12:off + 16])
        dst = ipaddress.ip_address(frame[off + 16:off + 20])
        frag = bool(fragw & 0x3FFF)
        l4 = frame[off + ihl:off + total]
        first = (fragw & 0x1FFF) == 0
    elif et == 0x86DD and len(frame) >= off + 40:
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        nh = frame[off + 6]
        src = ipaddress.ip_address(frame[off + 8:off + 24])
        dst = ipaddress.ip_address(frame[off + 24:off + 40])
        p = off + 40
        end = p + plen
        frag, first = False, True
        while nh in (0, 43, 44, 60) and p + 8 <= end:
            if nh == 44:
                fo = struct.unpack("!H", frame[p + 2:p + 4])[0]
                frag = True
                first = (fo >> 3) == 0
                nh, p = frame[p], p + 8
            else:
                nh, p = frame[p], p + (frame[p + 1] + 1) * 8
        proto = nh
        l4 = frame[p:end]
    else:
        return None
    if frag and not first:
        return src, dst, proto, len(l4), True
    if proto == 6 and len(l4) >= 20:
        plen = len(l4) - (l4[12] >> 4) * 4
    elif proto == 17 and len(l4) >= 8:
        plen = len(l4) - 8
    else:
        plen = len(l4)
    return src, dst, proto, max(plen, 0), frag


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ip_cut(frame):
    """The frame cut at its IP packet's end (what aduana forwards of a frame
    with a trailer), or the frame as it is where it is no IP packet."""
    et, off = l3_of(frame)
    if et is None:
        return frame
    if et == 0x0800 and len(frame) >= off + 20:
        return frame[:off + struct.unpack("!H", frame[off + 2:off + 4])[0]]
    if et == 0x86DD and len(frame) >= off + 40:
        return frame[:off + 40 + struct.unpack("!H", frame[off + 4:off + 6])[0]]
    return frame


def l4_key(frame):
    """What names a packet across changes aduana makes to its payload, its
    options' values or its length: addresses, protocol, IPv4 id, the first
    8 bytes of its TCP or UDP header (ports, sequence number), TCP flags.
    None where it is no IP packet."""
    et, off = l3_of(frame)
    if et is None:
        return None
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        return (frame[off + 12:off + 20], frame[off + 9], frame[off + 4:off + 6],
                frame[off + ihl:off + ihl + 8], frame[off + ihl + 13:off + ihl + 14])
    if et == 0x86DD and len(frame) >= off + 40:
        return (frame[off + 8:off + 40], frame[off + 6], b"",
                frame[off + 40:off + 48], frame[off + 53:off + 54])
    return None


def sums_bad(frame):
    """What is wrong with the IPv4 header sum and the TCP or UDP sum of a
    whole (unfragmented) IP packet in frame, or None (also where it cannot
    tell: not IP, extension headers, fragments, short)."""
    et, off = l3_of(frame)
    if et is None:
        return None
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        if ihl < 20 or total < ihl or len(frame) < off + total:
            return None
        if _csum(frame[off:off + ihl]) != 0xFFFF:
            return "IPv4 header sum"
        if struct.unpack("!H", frame[off + 6:off + 8])[0] & 0x3FFF:
            return None
        proto, l4 = frame[off + 9], frame[off + ihl:off + total]
        pseudo = frame[off + 12:off + 20] + struct.pack("!BBH", 0, proto, len(l4))
    elif et == 0x86DD and len(frame) >= off + 40:
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        proto, l4 = frame[off + 6], frame[off + 40:off + 40 + plen]
        if len(l4) != plen:
            return None
        pseudo = frame[off + 8:off + 40] + struct.pack("!IxxxB", plen, proto)
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        return None if _csum(pseudo + l4) == 0xFFFF else "TCP sum"
    if proto == 17 and len(l4) >= 8 and l4[6:8] != b"\0\0":
        return None if _csum(pseudo + l4) == 0xFFFF else "UDP sum"
    return None


# --------------------------------------------------------------- expected

class Case:
    def __init__(self, lineno, cols):
        (self.name, self.proto, src, sport, dst, dport, self.verdict, reasons, self.check) = cols
        self.lineno = lineno
        self.src, self.dst = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        self.sport, self.dport = int(sport), int(dport)
        self.reasons = reasons.split("|")
        if self.verdict not in ("allow", "drop", "any"):
            raise ValueError("line %d: verdict %r" % (lineno, self.verdict))
        want = {"allow": ("nodrop", "pass"), "drop": ("marker", "payload", "first"),
                "any": ("noleak",)}[self.verdict]
        if self.check not in want:
            raise ValueError("line %d: check %r with verdict %s (want %s)" % (lineno, self.check, self.verdict,
                                                                          "|".join(want)))

    def tuple_text(self):
        return "%s %s:%d -> %s:%d" % (self.proto, self.src, self.sport, self.dst, self.dport)

    def reason_ok(self, reason):
        return any(fnmatch.fnmatchcase(str(reason), p) for p in self.reasons)

    def owns(self, rec):
        """The record is this flow's (either orientation)."""
        try:
            a = (ipaddress.ip_address(rec["src"]), int(rec["sport"]), ipaddress.ip_address(rec["dst"]),
                 int(rec["dport"]))
        except (KeyError, ValueError, TypeError):
            return False
        if str(rec.get("proto")) != self.proto:
            return False
        return a in ((self.src, self.sport, self.dst, self.dport), (self.dst, self.dport, self.src, self.sport))

    def frame_of(self, p):
        return p is not None and {p[0], p[1]} == {self.src, self.dst}


def load_expected(path):
    cases, header = [], False
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            s = line.rstrip("\n")
            if not s.strip() or s.startswith("#"):
                continue
            cols = s.split("\t")
            if not header:
                if cols[0] != "case":
                    raise ValueError("line %d: want the header line first" % i)
                header = True
                continue
            if len(cols) != 9:
                raise ValueError("line %d: %d columns, want 9" % (i, len(cols)))
            cases.append(Case(i, cols))
    names = [c.name for c in cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError("case(s) listed twice: %s" % " ".join(dup))
    return cases


# ------------------------------------------------------------------ score

def summary_of(stdout_path):
    found = None
    try:
        with open(stdout_path, errors="replace") as f:
            for line in f:
                if line.startswith('{"summary"'):
                    found = line
    except OSError:
        return None
    try:
        return json.loads(found)["summary"] if found else None
    except (ValueError, KeyError):
        return None


def load_records(path):
    recs = []
    try:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f, 1):
                if line.strip():
                    r = json.loads(line)
                    r["_line"] = i
                    recs.append(r)
    except (OSError, ValueError) as e:
        return None, str(e)
    return recs, None


def fmt(r):
    return "%s %s (app %s, sni %s, pkts_to_verdict %s, dropped_pkts %s, out %s/in %s pkts)" % (
        r.get("verdict"), r.get("reason"), r.get("app"), r.get("sni"), r.get("pkts_to_verdict"),
        r.get("dropped_pkts"), r.get("pkts_out"), r.get("pkts_in"))


def counters_wrong(s, want):
    """The lines of `want` ("name>=N", "name==N") that the summary's
    counters do not hold."""
    have = (s or {}).get("counters") or {}
    bad = []
    for w in want:
        m = re.fullmatch(r"\s*(\w+)\s*(>=|==)\s*(\d+)\s*", w)
        if not m:
            bad.append("%r is no counters line (name>=N or name==N)" % w)
            continue
        name, op, n = m.group(1), m.group(2), int(m.group(3))
        v = have.get(name)
        if not isinstance(v, int) or (v < n if op == ">=" else v != n):
            bad.append("%s%s%d (counters.%s is %s)" % (name, op, n, name, v))
    return bad


def score_run(c, rundir, markers, in_frames, want=()):
    """[(kind, text)] of one replay."""
    probs = []
    try:
        rc = int(open(os.path.join(rundir, "rc")).read().strip())
    except (OSError, ValueError):
        return [("run", "no exit status in %s" % rundir)]
    if rc != 0:
        err = ""
        try:
            err = " | ".join(open(os.path.join(rundir, "stderr"), errors="replace").read().splitlines()[-3:])
        except OSError:
            pass
        return [("run", "aduana %s: %s" % ("timed out" if rc == 124 else "exited %d" % rc, err))]
    s = summary_of(os.path.join(rundir, "stdout"))
    if s is None:
        probs.append(("run", "no summary line on stdout"))
    elif not all(isinstance(s.get(k), int) for k in ("rx", "tx", "dropped")):
        probs.append(("run", "summary without rx/tx/dropped"))
    elif s["rx"] != s["tx"] + s["dropped"] or s["rx"] != len(in_frames):
        probs.append(("run", "counters: rx %d, tx %d, dropped %d, %d frames in the input"
                      % (s["rx"], s["tx"], s["dropped"], len(in_frames))))
    for w in counters_wrong(s, want):
        probs.append(("counters", w))

    recs, err = load_records(os.path.join(rundir, "out.jsonl"))
    if recs is None:
        return probs + [("run", "flow log: %s" % err)]
    mine = sorted((r for r in recs if c.owns(r)),
                  key=lambda r: (str(r.get("ts_end")), str(r.get("ts_start")), r["_line"]))
    try:
        passed = read_pcap(os.path.join(rundir, "pass.pcap"))
    except (OSError, ValueError) as e:
        return probs + [("run", "pass.pcap: %s" % e)]

    def frames_with(m):
        return [n for n, b in passed if m in b]

    # A frame aduana changed (cut at its IP end, zeroed, trimmed, joined
    # with another) carries sums that hold; one that went on as it came in
    # may carry a wrong one (an evasion's).
    # (A frame that came in with a wrong sum may go on changed and still
    # wrong: its sum is updated, not set anew, so that its receiver still
    # discards it, judge_zero_acked, a SYN's option taken out.)
    as_in = {ip_cut(b) for _, b in in_frames}
    came_bad = {l4_key(b) for _, b in in_frames if sums_bad(ip_cut(b))}
    wrong = [(n, w) for n, b in passed if ip_cut(b) not in as_in and l4_key(b) not in came_bad
             for w in [sums_bad(b)] if w]
    if wrong:
        probs.append(("sum", "%d changed frame(s) in pass.pcap with a wrong sum: %s" % (
            len(wrong), ", ".join("%d (%s)" % x for x in wrong[:8]))))

    if c.verdict == "any":
        # Either verdict, with an accepted reason, and none of its LEAK markers passed: a
        # flow whose forbidden bytes were held back unread (they were never whole), which a
        # zone that allows what it cannot identify then lets go empty.
        if not mine:
            probs.append(("bypass", "no flow record for %s" % c.tuple_text()))
        elif not c.reason_ok(mine[-1].get("reason")):
            probs.append(("reason", "ends %s, want %s" % (fmt(mine[-1]), "|".join(c.reasons))))
        for m in markers.get("leak", []):
            got = frames_with(m)
            if got:
                probs.append(("leak", "%r in pass.pcap frame(s) %s" % (m.decode("ascii", "replace"),
                                                                      ",".join(map(str, got[:8])))))
    elif c.verdict == "drop":
        if not mine:
            probs.append(("bypass", "no flow record for %s" % c.tuple_text()))
        else:
            last = mine[-1]
            if last.get("verdict") != "drop":
                probs.append(("bypass", "flow ends %s" % fmt(last)))
            elif not c.reason_ok(last.get("reason")):
                probs.append(("reason", "dropped as %s, want %s" % (last.get("reason"), "|".join(c.reasons))))
        for m in markers.get("leak", []):
            got = frames_with(m)
            if got:
                probs.append(("leak", "%r in pass.pcap frame(s) %s" % (m.decode("ascii", "replace"),
                                                                      ",".join(map(str, got[:8])))))
        if c.check in ("payload", "first"):
            bad = []
            for n, b in passed:
                p = parse(b)
                if not c.frame_of(p):
                    continue
                if c.check == "first" or p[3] > 0 or p[4]:
                    bad.append(n)
            if bad:
                what = "frame(s)" if c.check == "first" else "payload frame(s)"
                probs.append(("leak", "%d %s of the flow in pass.pcap (%s)" % (len(bad), what,
                                                                                ",".join(map(str, bad[:8])))))
    else:
        if not mine:
            probs.append(("false block", "no flow record for %s" % c.tuple_text()))
        for r in mine:
            if r.get("verdict") != "allow":
                probs.append(("false block", "flow log line %d: %s" % (r["_line"], fmt(r))))
            elif not c.reason_ok(r.get("reason")):
                probs.append(("reason", "allowed as %s, want %s" % (r.get("reason"), "|".join(c.reasons))))
        if c.check == "nodrop":
            dropped = sum(int(r.get("dropped_pkts") or 0) for r in mine)
            if dropped and all(r.get("verdict") == "allow" for r in mine):
                probs.append(("false block", "allowed, but %d of its packets dropped: %s"
                              % (dropped, "; ".join(fmt(r) for r in mine))))
        for m in markers.get("pass", []):
            if not frames_with(m):
                probs.append(("false block", "%s not in pass.pcap" % (
                    repr(m.decode("ascii")) if m.isascii() and m[:4] == b"PASS" else "%d-byte payload" % len(m))))
    return probs


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    try:
        cases = load_expected(argv[1])
    except (OSError, ValueError) as e:
        print("FAIL evasion/expected.tsv: %s" % e)
        print("evasion: 0 passed, 1 failed")
        return 1
    outdir, workers, only = argv[2], argv[3].split(), argv[4:]
    by_name = {c.name: c for c in cases}
    passed = failed = 0
    tally = dict.fromkeys(KINDS, 0)
    names = only or [c.name for c in cases]
    # A generated case without an expected line is a failure too.
    if not only:
        for d in sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []:
            if os.path.exists(os.path.join(outdir, d, "in.pcap")) and d not in by_name:
                print("FAIL evasion/%s: generated, but not in expected.tsv" % d)
                failed += 1
    for name in names:
        c = by_name.get(name)
        if c is None:
            print("FAIL evasion/%s: not in expected.tsv" % name)
            failed += 1
            continue
        d = os.path.join(outdir, name)
        try:
            in_frames = read_pcap(os.path.join(d, "in.pcap"))
            with open(os.path.join(d, "markers.json")) as f:
                markers = {k: [bytes.fromhex(x) for x in v] for k, v in json.load(f).items()}
        except (OSError, ValueError) as e:
            print("FAIL evasion/%s: no input (%s)" % (name, e))
            failed += 1
            tally["input"] += 1
            continue
        probs = []
        need = "pass" if c.verdict == "allow" else "leak"
        if c.check in ("marker", "nodrop", "pass", "noleak") and not markers.get(need):
            probs.append(("input", "the generator gives no %s marker" % need))
        for kind in ("leak", "pass"):
            for m in markers.get(kind, []):
                if not any(m in b for _, b in in_frames):
                    probs.append(("input", "%s marker %r is in no frame of in.pcap" % (kind, m[:40])))
        want = []
        if os.path.exists(os.path.join(d, "counters")):
            with open(os.path.join(d, "counters")) as f:
                want = [x.strip() for x in f if x.strip()]
        runs = {}
        if not probs:
            for w in workers:
                for kind, text in score_run(c, os.path.join(d, "w%s" % w), markers, in_frames, want):
                    runs.setdefault((kind, text), []).append(w)
        for (kind, text), ws in runs.items():
            probs.append((kind, "%s (workers %s)" % (text, ",".join(ws))))
        if not probs:
            print("PASS evasion/%s" % name)
            passed += 1
            continue
        kinds = []
        for k, _ in probs:
            if k not in kinds:
                kinds.append(k)
        for k in kinds:
            tally[k] += 1
        want = "must %s" % c.verdict
        print("FAIL evasion/%s: %s (%s, %s)" % (name, ", ".join(kinds), want, c.tuple_text()))
        for k, text in probs:
            print("  - %s: %s" % (k, text))
        failed += 1
    print("evasion: failures by kind: %s" % ", ".join("%s %d" % (k, tally[k]) for k in KINDS))
    print("evasion: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
