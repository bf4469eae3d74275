#!/usr/bin/python3
"""check.py - checks one replay run against its case (used by run.sh).

usage:
  check.py case NAME CASEDIR OUTDIR      the case's expectations on one run
  check.py workers NAME OUTDIR1 OUTDIR2  1 and 2 workers give the same records (times aside)
  check.py same NAME DIR1 DIR2 LABEL1 LABEL2
                                         two runs give the same records and counters
  check.py count PCAP                    packets in a pcap / pcapng file

OUTDIR holds what run.sh left there: in.pcap, out.jsonl, pass.pcap,
drop.pcap, stdout, stderr, rc, cmd. Prints one line `PASS replay/NAME` or
`FAIL replay/NAME: first problem (+N more)` followed by indented details;
exits 0 on PASS, 1 on FAIL. Standard library only, plus jq (expect_summary)
and tshark (expect_pcap).

CASEDIR files (see tests/replay/README.md):
  expected.tsv     one line per expected flow record; header line first:
                   proto src sport dst dport verdict reason [checks...]
                   '*' matches anything; checks are key=value tokens in the
                   remaining tab-separated columns (several per column are
                   fine, separated by spaces): any flow-log field, plus
                     count=N | count=A-B | count=A+   records this line stands for (default 1)
                     ts_start=EPOCH / ts_end=EPOCH    compared to the microsecond
  expect_summary   one jq expression per line, true on the summary object
  expect_pcap      lines "pass|drop N TSHARK-FILTER": N frames of that file match
  variants         (run.sh) extra runs compared with `same`: pcapng, stdout-log
"""

import calendar
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
from decimal import Decimal

FIELDS = ["ts_start", "ts_end", "zone", "dir", "proto", "src", "sport", "dst", "dport",
          "app", "class", "sni", "host", "dns_query", "verdict", "reason",
          "policy_version", "pkts_to_verdict", "pkts_out", "bytes_out", "pkts_in",
          "bytes_in", "dropped_pkts", "grant", "approval"]
# Present on some records only: DNS learning, and aggregated records.
OPTIONAL_FIELDS = ["learned", "learned_count", "aggregate"]
COUNTERS = ["pkts_to_verdict", "pkts_out", "bytes_out", "pkts_in", "bytes_in", "dropped_pkts"]
SUMMARY_KEYS = ["rx", "tx", "dropped", "drops", "flows", "seconds", "pps", "parse_errors"]
KEY5 = ["proto", "src", "sport", "dst", "dport"]
COLS = KEY5 + ["verdict", "reason"]
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6"}
RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})(Z|[+-]\d\d:\d\d)$")
REASON = re.compile(r"^(allow:.+|class:.+|default:.+|grant:.+|exception:.+|passthrough)$")
MAX_SHOWN = 60


# ------------------------------------------------------------------ pcaps

def pcap_count(path):
    """Frames in a pcap (any byte order, us or ns) or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError("%s: not a capture (%d bytes)" % (path, len(data)))
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        return pcapng_count(data, path)
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: unknown capture magic %s" % (path, magic.hex()))
    off, n = 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16 + caplen
        n += 1
    if off != len(data):
        raise ValueError("%s: truncated record at the end" % path)
    return n


def pcapng_count(data, path):
    off, n, end = 0, 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: its byte-order magic decides
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            raise ValueError("%s: bad pcapng block length" % path)
        if btype in (2, 3, 6):  # packet, simple packet, enhanced packet
            n += 1
        off += blen
    return n


# --------------------------------------------------------------- records

def norm_proto(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return PROTO_NAMES.get(v, str(v))
    s = str(v).lower()
    if s.isdigit():
        return PROTO_NAMES.get(int(s), s)
    return s


def norm_addr(v):
    try:
        return ipaddress.ip_address(str(v)).compressed
    except ValueError:
        return str(v)


def norm_port(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def key_of(rec):
    return (norm_proto(rec.get("proto")), norm_addr(rec.get("src")), norm_port(rec.get("sport")),
            norm_addr(rec.get("dst")), norm_port(rec.get("dport")))


def rfc3339_epoch(s):
    m = RFC3339.match(str(s))
    if not m:
        return None
    y, mo, d, h, mi, sec, us, tz = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(sec)))
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        t -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return Decimal(t) + Decimal(us) / Decimal(1000000)


def load_records(path):
    """The flow log as a list of dicts; problems for unparsable lines."""
    recs, problems = [], []
    if not os.path.exists(path):
        return recs, ["flow log %s was not written" % path]
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError as e:
                problems.append("flow log line %d is not JSON (%s): %s" % (i, e, line[:120]))
                continue
            if not isinstance(r, dict):
                problems.append("flow log line %d is not an object: %s" % (i, line[:120]))
                continue
            r["_line"] = i
            recs.append(r)
    return recs, problems


def schema_problems(r, reordered=0):
    """DESIGN 3.2 on one record, plus the invariants of a replay with one
    policy version: verdicts are sticky, so an allowed flow drops nothing and
    a dropped flow drops every packet from its verdict packet on. The one
    exception: a segment of a checked flow that arrives ahead of a gap is
    dropped on its own (DESIGN 4.2; the summary's drops.reordered counts
    them), so a flow may drop up to that many more. And a flow a grant
    allowed (grant not null) is cut at its first packet after the grant
    ends: dropped, having dropped only from that packet on."""
    p = []
    where = "record line %d (%s)" % (r["_line"], fmt_key(key_of(r)))
    missing = [k for k in FIELDS if k not in r]
    if missing:
        p.append("%s: missing field(s) %s" % (where, " ".join(missing)))
    v, reason = r.get("verdict"), r.get("reason")
    if v not in ("allow", "drop"):
        p.append("%s: verdict %r is not allow|drop" % (where, v))
    if r.get("dir") not in ("in", "out"):
        p.append("%s: dir %r is not in|out" % (where, r.get("dir")))
    if not isinstance(reason, str) or not REASON.match(reason):
        p.append("%s: reason %r is not one of DESIGN 3.2's forms" % (where, reason))
    elif (reason.startswith(("allow:", "grant:")) or reason == "passthrough") and v != "allow":
        p.append("%s: reason %s with verdict %s" % (where, reason, v))
    elif reason.startswith("class:") and v != "drop":
        p.append("%s: reason %s with verdict %s" % (where, reason, v))
    # zone none: neither address in a zone (passthrough), or an inside host
    # in no zone (unzoned); a zone's own flows never say none.
    if reason not in ("exception:unzoned",) and (r.get("zone") == "none") != (reason == "passthrough"):
        p.append("%s: zone %r with reason %r (zone none <=> passthrough)" % (where, r.get("zone"), reason))
    for k in ("ts_start", "ts_end"):
        if k in r and rfc3339_epoch(r[k]) is None:
            p.append("%s: %s %r is not RFC 3339 UTC with microseconds" % (where, k, r[k]))
    a, b = rfc3339_epoch(r.get("ts_start")), rfc3339_epoch(r.get("ts_end"))
    if a is not None and b is not None and a > b:
        p.append("%s: ts_start %s after ts_end %s" % (where, r["ts_start"], r["ts_end"]))
    c = {}
    for k in COUNTERS:
        x = r.get(k)
        if k in r and (not isinstance(x, int) or isinstance(x, bool) or x < 0):
            p.append("%s: %s %r is not a counter" % (where, k, x))
        else:
            c[k] = x
    if len(c) == len(COUNTERS):
        total = c["pkts_out"] + c["pkts_in"]
        if total < 1:
            p.append("%s: no packets (pkts_out + pkts_in = 0)" % where)
        if c["pkts_to_verdict"] > total:
            p.append("%s: pkts_to_verdict %d > packets %d" % (where, c["pkts_to_verdict"], total))
        if v == "allow" and c["dropped_pkts"] > reordered:
            p.append("%s: allowed flow with dropped_pkts %d" % (where, c["dropped_pkts"]))
        if v == "drop" and r.get("grant") is not None:
            if not 0 < c["dropped_pkts"] < total:
                p.append("%s: a granted flow cut with dropped_pkts %d of %d" %
                         (where, c["dropped_pkts"], total))
        elif v == "drop" and c["pkts_to_verdict"] >= 1:
            want = total - c["pkts_to_verdict"] + 1
            if not want <= c["dropped_pkts"] <= want + reordered:
                p.append("%s: dropped flow with dropped_pkts %d, but %d packets from its verdict "
                         "(packet %d of %d) on" % (where, c["dropped_pkts"], want,
                                                   c["pkts_to_verdict"], total))
    return p


def fmt_key(k):
    return "%s %s:%s -> %s:%s" % k


def fmt_record(r):
    ex = " ".join("%s=%s" % (k, json.dumps(r.get(k))) for k in
                  ("zone", "dir", "pkts_to_verdict", "pkts_out", "pkts_in", "bytes_out", "bytes_in",
                   "dropped_pkts", "ts_start"))
    return "%s\t%s\t%s\t%s" % ("\t".join(str(x) for x in key_of(r)), r.get("verdict"), r.get("reason"), ex)


# ------------------------------------------------------------- expected

class Expect:
    def __init__(self, lineno, text, cols, checks, cmin, cmax):
        self.lineno, self.text, self.cols, self.checks = lineno, text, cols, checks
        self.cmin, self.cmax = cmin, cmax


def parse_expected(path):
    exps, header = [], None
    with open(path, encoding="utf-8") as f:
        for i, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if header is None:
                header = [x.strip() for x in parts]
                if header[:7] != COLS:
                    raise ValueError("%s:%d: header must start with %s" % (path, i, "\\t".join(COLS)))
                continue
            if len(parts) < 7:
                raise ValueError("%s:%d: fewer than 7 tab-separated columns: %r" % (path, i, line))
            cols = {}
            for name, val in zip(COLS, parts[:7]):
                val = val.strip()
                if val == "*":
                    cols[name] = "*"
                elif name in ("src", "dst"):
                    cols[name] = norm_addr(val)
                elif name in ("sport", "dport"):
                    cols[name] = norm_port(val)
                elif name == "proto":
                    cols[name] = norm_proto(val)
                else:
                    cols[name] = val
            checks, cmin, cmax = {}, 1, 1
            for tok in " ".join(parts[7:]).split():
                if "=" not in tok:
                    raise ValueError("%s:%d: check %r is not key=value" % (path, i, tok))
                k, v = tok.split("=", 1)
                if k == "count":
                    m = re.match(r"^(\d+)(?:-(\d+)|(\+))?$", v)
                    if not m:
                        raise ValueError("%s:%d: bad count %r" % (path, i, v))
                    cmin = int(m.group(1))
                    cmax = int(m.group(2)) if m.group(2) else (10 ** 6 if m.group(3) else cmin)
                    if cmax < cmin:
                        raise ValueError("%s:%d: bad count %r" % (path, i, v))
                elif k not in FIELDS + OPTIONAL_FIELDS:
                    raise ValueError("%s:%d: %r is not a flow-log field" % (path, i, k))
                else:
                    checks[k] = v
            exps.append(Expect(i, line.replace("\t", " "), cols, checks, cmin, cmax))
    if header is None:
        raise ValueError("%s: no header line" % path)
    return exps


def value_diff(key, want, rec):
    """None when rec's key satisfies want, else a short description."""
    if key not in rec:
        return "%s missing" % key
    got = rec[key]
    if want == "*":
        return None
    if key in ("ts_start", "ts_end") and "T" not in want:
        e = rfc3339_epoch(got)
        try:
            ok = e is not None and abs(e - Decimal(want)) < Decimal("0.0000005")
        except ArithmeticError:
            ok = False
    elif got is None:
        ok = want == "null"
    elif isinstance(got, bool):
        ok = want == str(got).lower()
    elif isinstance(got, (int, float)):
        try:
            ok = Decimal(want) == Decimal(str(got))
        except ArithmeticError:
            ok = False
    else:
        ok = str(got) == want
    return None if ok else "%s=%s (want %s)" % (key, json.dumps(got), want)


def match_diffs(exp, rec, key5_only=False):
    diffs = []
    k = dict(zip(KEY5, key_of(rec)))
    for name in KEY5:
        if exp.cols[name] != "*" and exp.cols[name] != k[name]:
            diffs.append("%s=%s (want %s)" % (name, k[name], exp.cols[name]))
    if key5_only:
        return diffs
    for name in ("verdict", "reason"):
        if exp.cols[name] != "*" and exp.cols[name] != rec.get(name):
            diffs.append("%s=%s (want %s)" % (name, rec.get(name), exp.cols[name]))
    for key, want in exp.checks.items():
        d = value_diff(key, want, rec)
        if d:
            diffs.append(d)
    return diffs


def assign(exps, recs):
    """Match expected lines to records, each record used once: a maximum
    bipartite matching (Kuhn) over count slots, required slots first so
    optional ones (count=0-1, 1+) never take a record a required one needs."""
    cand = [[j for j, r in enumerate(recs) if not match_diffs(e, r)] for e in exps]
    slots = []  # (exp index, required)
    for i, e in enumerate(exps):
        slots += [(i, True)] * e.cmin
    for i, e in enumerate(exps):
        slots += [(i, False)] * min(e.cmax - e.cmin, len(recs))
    owner = [None] * len(recs)  # record -> slot

    def augment(s, seen):
        for j in cand[slots[s][0]]:
            if j in seen:
                continue
            seen.add(j)
            if owner[j] is None or augment(owner[j], seen):
                owner[j] = s
                return True
        return False

    sys.setrecursionlimit(10000)
    matched = [augment(s, set()) for s in range(len(slots))]
    missing = {}
    for s, (i, req) in enumerate(slots):
        if req and not matched[s]:
            missing[i] = missing.get(i, 0) + 1
    unexpected = [j for j in range(len(recs)) if owner[j] is None]
    return missing, unexpected


# --------------------------------------------------------------- summary

def read_summary(outdir):
    path = os.path.join(outdir, "stdout")
    if not os.path.exists(path):
        return None, "no stdout captured"
    found = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith('{"summary"'):
                found = line
    if found is None:
        return None, 'no line starting with {"summary" on stdout'
    try:
        obj = json.loads(found)
    except ValueError as e:
        return None, "summary line is not JSON (%s): %s" % (e, found.strip()[:200])
    if not isinstance(obj.get("summary"), dict):
        return None, "summary is not an object: %s" % found.strip()[:200]
    return obj["summary"], None


def run_status(outdir):
    """None when the binary exited 0, else a description with stderr's tail."""
    try:
        rc = int(open(os.path.join(outdir, "rc")).read().strip())
    except (OSError, ValueError):
        return "no exit status recorded"
    if rc == 0:
        return None
    what = "timed out" if rc == 124 else "exited %d" % rc
    tail = ""
    try:
        lines = open(os.path.join(outdir, "stderr"), errors="replace").read().splitlines()
        tail = "\n".join("      " + x for x in lines[-15:])
    except OSError:
        pass
    cmd = ""
    try:
        cmd = open(os.path.join(outdir, "cmd")).read().strip()
    except OSError:
        pass
    return "aduana %s\n    command: %s\n    stderr (last lines):\n%s" % (what, cmd, tail)


def jq_true(expr, obj):
    try:
        p = subprocess.run(["jq", "-c", "(%s) == true" % expr], input=json.dumps(obj),
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "jq failed: %s" % e
    if p.returncode != 0:
        return False, "jq error: %s" % p.stderr.strip()
    return p.stdout.strip() == "true", None


def tshark_count(path, flt):
    p = subprocess.run(["tshark", "-n", "-r", path, "-Y", flt, "-T", "fields", "-e", "frame.number"],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1:] or ["tshark failed"]
    return len([x for x in p.stdout.splitlines() if x.strip()]), None


def expr_lines(path):
    if not os.path.exists(path):
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            s = line.strip()
            if s and not s.startswith("#"):
                out.append((i, s))
    return out


# ------------------------------------------------------------ the checks

def check_case(name, casedir, outdir):
    problems, details = [], []

    status = run_status(outdir)
    if status:
        return report(name, [status], [])

    summary, err = read_summary(outdir)
    if err:
        problems.append(err)
    else:
        missing = [k for k in SUMMARY_KEYS if k not in summary]
        if missing:
            problems.append("summary lacks %s" % " ".join(missing))
        problems += balance_problems(summary, outdir)

    recs, lp = load_records(os.path.join(outdir, "out.jsonl"))
    problems += lp
    reordered = ((summary or {}).get("drops") or {}).get("reordered", 0) if not err else 0
    for r in recs:
        problems += schema_problems(r, reordered)

    try:
        exps = parse_expected(os.path.join(casedir, "expected.tsv"))
    except (OSError, ValueError) as e:
        exps = None
        problems.append("expected.tsv: %s" % e)
    if exps is not None:
        missing, unexpected = assign(exps, recs)
        for i, n in sorted(missing.items()):
            e = exps[i]
            what = "no record matches" if n == e.cmin == 1 else "%d record(s) short" % n
            lines = ["expected.tsv:%d: %s: %s" % (e.lineno, what, e.text)]
            near = [r for r in recs if not match_diffs(e, r, key5_only=True)]
            for r in near[:5]:
                lines.append("    same 5-tuple, flow log line %d: %s" % (
                    r["_line"], "; ".join(match_diffs(e, r)) or "matches, but another line claimed it"))
            if not near:
                lines.append("    no record has this 5-tuple")
            problems.append("\n".join(lines))
        for j in unexpected:
            problems.append("unexpected record (flow log line %d): %s" % (recs[j]["_line"], fmt_record(recs[j])))
        want_min = sum(e.cmin for e in exps)
        if missing or unexpected:
            details.append("  records: %d in the flow log, %d expected (minimum)" % (len(recs), want_min))

    if summary is not None:
        for i, expr in expr_lines(os.path.join(casedir, "expect_summary")):
            ok, err = jq_true(expr, summary)
            if not ok:
                problems.append("expect_summary:%d: %s is not true%s" % (i, expr, " (%s)" % err if err else ""))

    for i, line in expr_lines(os.path.join(casedir, "expect_pcap")):
        parts = line.split(None, 2)
        if len(parts) != 3 or parts[0] not in ("pass", "drop") or not parts[1].isdigit():
            problems.append("expect_pcap:%d: want 'pass|drop N FILTER': %s" % (i, line))
            continue
        path = os.path.join(outdir, parts[0] + ".pcap")
        if not os.path.exists(path):
            problems.append("expect_pcap:%d: %s was not written" % (i, path))
            continue
        n, err = tshark_count(path, parts[2])
        if n is None:
            problems.append("expect_pcap:%d: %s" % (i, " ".join(err)))
        elif n != int(parts[1]):
            problems.append("expect_pcap:%d: %d frame(s) of %s.pcap match '%s', want %s"
                            % (i, n, parts[0], parts[2], parts[1]))

    if problems:
        details.append("  summary: %s" % (json.dumps(summary, sort_keys=True) if summary else "-"))
        details.append("  flow log (%d records): proto src sport dst dport verdict reason ..." % len(recs))
        for r in sorted(recs, key=lambda r: (str(key_of(r)), str(r.get("ts_start"))))[:MAX_SHOWN]:
            details.append("    " + fmt_record(r))
        if len(recs) > MAX_SHOWN:
            details.append("    ... %d more" % (len(recs) - MAX_SHOWN))
        details.append("  files: %s" % outdir)
    return report(name, problems, details)


def balance_problems(s, outdir):
    """rx = tx + dropped = frames in the input; drops add up to dropped;
    the pass / drop captures hold tx / dropped frames."""
    p = []
    nums = {k: s.get(k) for k in ("rx", "tx", "dropped")}
    if not all(isinstance(v, int) for v in nums.values()):
        return ["summary rx/tx/dropped are not all integers: %s" % nums]
    rx, tx, dropped = nums["rx"], nums["tx"], nums["dropped"]
    if rx != tx + dropped:
        p.append("rx %d != tx %d + dropped %d" % (rx, tx, dropped))
    try:
        n_in = pcap_count(os.path.join(outdir, "in.pcap"))
        if rx != n_in:
            p.append("rx %d != %d frames in the input capture" % (rx, n_in))
    except (OSError, ValueError) as e:
        p.append("cannot count the input: %s" % e)
    drops = s.get("drops")
    if not isinstance(drops, dict) or not all(isinstance(v, int) for v in drops.values()):
        p.append("summary drops is not an object of counters: %s" % json.dumps(drops))
    elif sum(drops.values()) != dropped:
        p.append("sum of drops %d (%s) != dropped %d" % (sum(drops.values()), json.dumps(drops, sort_keys=True),
                                                        dropped))
    pe = s.get("parse_errors")
    if pe is not None and (not isinstance(pe, dict) or not all(isinstance(v, int) for v in pe.values())):
        p.append("summary parse_errors is not an object of counters: %s" % json.dumps(pe))
    for which, want in (("pass", tx), ("drop", dropped)):
        path = os.path.join(outdir, which + ".pcap")
        if not os.path.exists(path):
            p.append("--%s-pcap %s was not written" % (which, path))
            continue
        try:
            n = pcap_count(path)
        except (OSError, ValueError) as e:
            p.append("cannot count %s: %s" % (path, e))
            continue
        if n != want:
            p.append("%s.pcap holds %d frames, want %d (%s)" % (which, n, want, "tx" if which == "pass" else "dropped"))
    return p


def comparable(r, ignore_ts):
    """A record without its position (and times), for run comparisons."""
    drop = ("_line", "ts_start", "ts_end") if ignore_ts else ("_line",)
    d = {k: v for k, v in r.items() if k not in drop}
    d["proto"], d["src"], d["sport"], d["dst"], d["dport"] = key_of(r)
    return json.dumps(d, sort_keys=True)


def aggregate_totals(recs):
    """Aggregated records (packets without a table entry) are per worker and
    per second, and name the first packet of each: what two runs must agree
    on is how many packets and bytes each zone, reason and verdict saw."""
    tot = {}
    for r in recs:
        if not r.get("aggregate"):
            continue
        k = (r.get("zone"), r.get("reason"), r.get("verdict"))
        t = tot.setdefault(k, [0, 0, 0, 0])
        t[0] += r["aggregate"]
        t[1] += r.get("pkts_out", 0)
        t[2] += r.get("bytes_out", 0)
        t[3] += r.get("dropped_pkts", 0)
    return ["aggregate " + json.dumps([list(k), v]) for k, v in sorted(tot.items(), key=str)]


def check_workers(name, out1, out2):
    return check_same(name, out1, out2, "1 worker", "2 workers", ignore_ts=True)


def check_same(name, out1, out2, label1, label2, ignore_ts=False):
    """Two runs of one capture that must agree: summary counters and the
    multiset of flow records (their times too, unless ignore_ts)."""
    problems, details = [], []
    for d in (out1, out2):
        st = run_status(d)
        if st:
            problems.append(st)
    if problems:
        return report(name, problems, [])
    sums = []
    for d in (out1, out2):
        s, err = read_summary(d)
        if err:
            problems.append("%s: %s" % (d, err))
        sums.append(s)
    if all(sums):
        for k in ("rx", "tx", "dropped", "drops", "parse_errors"):
            if sums[0].get(k) != sums[1].get(k):
                problems.append("summary %s differs: %s %s, %s %s"
                                % (k, label1, json.dumps(sums[0].get(k), sort_keys=True),
                                   label2, json.dumps(sums[1].get(k), sort_keys=True)))
    sets = []
    for d in (out1, out2):
        recs, lp = load_records(os.path.join(d, "out.jsonl"))
        problems += lp
        sets.append(sorted(comparable(r, ignore_ts) for r in recs if not r.get("aggregate"))
                    + aggregate_totals(recs))
    only1 = multiset_minus(sets[0], sets[1])
    only2 = multiset_minus(sets[1], sets[0])
    if only1 or only2:
        problems.append("flow records differ: %d only with %s, %d only with %s"
                        % (len(only1), label1, len(only2), label2))
        for x in only1[:MAX_SHOWN // 2]:
            details.append("    - %s: %s" % (label1, x))
        for x in only2[:MAX_SHOWN // 2]:
            details.append("    + %s: %s" % (label2, x))
    if problems:
        details.append("  files: %s %s" % (out1, out2))
    return report(name, problems, details)


def multiset_minus(a, b):
    rest = list(b)
    out = []
    for x in a:
        if x in rest:
            rest.remove(x)
        else:
            out.append(x)
    return out


def report(name, problems, details):
    if not problems:
        print("PASS replay/%s" % name)
        return 0
    more = " (+%d more)" % (len(problems) - 1) if len(problems) > 1 else ""
    print("FAIL replay/%s: %s%s" % (name, problems[0].splitlines()[0], more))
    for x in problems:
        first, *rest = x.splitlines()
        print("  - " + first)
        for y in rest:
            print("  " + y)
    for x in details:
        print(x)
    return 1


def main(argv):
    if len(argv) == 5 and argv[1] == "case":
        return check_case(argv[2], argv[3], argv[4])
    if len(argv) == 5 and argv[1] == "workers":
        return check_workers(argv[2], argv[3], argv[4])
    if len(argv) == 7 and argv[1] == "same":
        return check_same(argv[2], argv[3], argv[4], argv[5], argv[6])
    if len(argv) == 3 and argv[1] == "count":
        print(pcap_count(argv[2]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
