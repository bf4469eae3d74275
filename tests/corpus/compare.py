#!/usr/bin/python3
"""tests/corpus/compare.py - judge aduana's replays of nDPI's capture corpus.

Called by tests/corpus/run.sh after it has replayed the captures:

  OUT/all/<capture>.{jsonl,sum,rc}     the classify-everything policy
  OUT/strict/<capture>.{jsonl,sum,rc}  the shipped-policy shape ("strict-all":
                                       every class blocked, nothing else)
  OUT/{,more/}mission/<capture>.*      issue 12's mission policy (default
                                       allow, the mission's classes blocked,
                                       guesses wait), ndpi and ndpi-more
  OUT/{,more/}mblock/<capture>.*       the same with guess = "block"

What a flow "should" be comes from nDPI, never from our own output: each
flow of <capture>.out (nDPI's own reader, a newer nDPI than Debian's 4.2)
gets the class that conf/classes.conf gives its protocol name and category,
resolved the way the engine does it (docs/classification.md): app part of
"Master.App" first, then the master, then the category. Flows are joined to
our flow records on the 5-tuple, in either orientation.

Prints the per-class table, the misses, PASS/FAIL/XFAIL lines and last
`corpus: N passed, N failed`. Exit status 1 on any failure.

Standard library only (Debian's /usr/bin/python3).
"""

import argparse
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
from collections import defaultdict


# Debian's ndpiReader 4.2 runs self-tests at every start that write
# /tmp/ses_result.csv and /tmp/des_result.csv: fixed paths, and no option
# turns them off. Call litter_before() before a run and litter_clean() after:
# it removes those files when they were not there before the run.
NDPI_LITTER = ("/tmp/ses_result.csv", "/tmp/des_result.csv", "/tmp/result.csv")


def litter_before():
    return {p for p in NDPI_LITTER if os.path.lexists(p)}


def litter_clean(before):
    for p in NDPI_LITTER:
        if p not in before:
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass

THRESHOLD = 0.90  # Done-when: per-class block rate >= 90 %
FALSE_MAX = 0.02  # Done-when: under 2 % false blocks among ordinary flows

# Protocols of the newer nDPI that Debian's 4.2 lacks, and that
# conf/classes.conf says are covered another way (its comments: "WebDAV is not
# a protocol in nDPI 4.2: its methods are a payload mark" -> storage). This is
# test data stated here, in the open, not taken from aduana's output.
NEWER_NDPI = {
    "webdav": "storage",
    # Issue 12's families (README "Classification beyond nDPI 4.2"): the
    # class the mission gives each, whatever category the newer nDPI files
    # it under.
    "nomachine": "remote_access", "radmin": "remote_access", "rsh": "remote_access",
    "cloudflarewarp": "vpn", "tailscale": "vpn", "softether": "vpn", "operavpn": "vpn",
    "tunnelbear": "vpn", "nordvpn": "vpn", "protonvpn": "vpn",
    "psiphon": "proxy", "ultrasurf": "proxy",
    "uftp": "storage",
}

# ---------------------------------------------------------------------------
# libconfig, just enough of it: groups, lists, arrays, scalars, comments.

_TOKEN = re.compile(
    r"""\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/
      |(?P<str>"(?:[^"\\]|\\.)*")
      |(?P<num>[-+]?(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)L{0,2})
      |(?P<name>[A-Za-z*][-A-Za-z0-9_*]*)
      |(?P<punct>[{}\[\]()=:;,])""",
    re.S | re.X,
)


def _tokens(text):
    pos = 0
    out = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            line = text.count("\n", 0, pos) + 1
            raise ValueError("libconfig: bad character at line %d" % line)
        pos = m.end()
        for kind in ("str", "num", "name", "punct"):
            if m.group(kind) is not None:
                out.append((kind, m.group(kind)))
                break
    return out


def libconfig_load(path):
    """Parse a libconfig file into nested dicts and lists."""
    with open(path, encoding="utf-8") as f:
        toks = _tokens(f.read())
    i = 0

    def peek():
        return toks[i] if i < len(toks) else (None, None)

    def take(want=None):
        nonlocal i
        tok = peek()
        if want is not None and tok[1] != want:
            raise ValueError("libconfig: expected %r, got %r" % (want, tok[1]))
        i += 1
        return tok

    def value():
        kind, text = peek()
        if text == "{":
            take("{")
            g = settings("}")
            take("}")
            return g
        if text in ("[", "("):
            close = "]" if text == "[" else ")"
            take(text)
            items = []
            while peek()[1] != close:
                items.append(value())
                if peek()[1] == ",":
                    take(",")
            take(close)
            return items
        take()
        if kind == "str":
            s = bytes(text[1:-1], "utf-8").decode("unicode_escape")
            while peek()[0] == "str":  # adjacent strings concatenate
                s += bytes(take()[1][1:-1], "utf-8").decode("unicode_escape")
            return s
        if kind == "num":
            t = text.rstrip("L")
            return int(t, 0) if re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|[0-9]+)", t) else float(t)
        if kind == "name" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ValueError("libconfig: unexpected %r" % text)

    def settings(end):
        g = {}
        while peek()[1] != end:
            kind, name = take()
            if kind != "name":
                raise ValueError("libconfig: expected a setting name, got %r" % name)
            if peek()[1] not in ("=", ":"):
                raise ValueError("libconfig: expected = after %s" % name)
            take()
            g[name] = value()
            if peek()[1] in (";", ","):
                take()
        return g

    return settings(None)


class ClassMap:
    """conf/classes.conf: protocol and category names -> class."""

    def __init__(self, path):
        conf = libconfig_load(path)
        self.classes = list(conf["classes"].keys())
        self.proto = {}
        self.cat = {}
        for cls, body in conf["classes"].items():
            for n in body.get("protocols", []):
                self.proto[n.lower()] = cls
            for n in body.get("categories", []):
                self.cat[n.lower()] = cls

    def of_label(self, label, category=None):
        """Class of an nDPI "Master.App" label (and category), as the engine
        resolves it: app, master, category; None when nothing maps."""
        if not label or label == "Unknown":
            return None
        # A tunnelled flow ("VXLAN:91.119/TLS.Facebook") is judged by what
        # it carries.
        label = label.rsplit("/", 1)[-1]
        parts = label.split(".", 1)
        master, app = parts[0], (parts[1] if len(parts) > 1 else None)
        for name in (app, master):
            if name and name.lower() in self.proto:
                return self.proto[name.lower()]
        if category and category.lower() in self.cat:
            return self.cat[category.lower()]
        for name in (app, master):
            if name and name.lower() in NEWER_NDPI:
                return NEWER_NDPI[name.lower()]
        return None


# ---------------------------------------------------------------------------
# nDPI reader output (.out files, and ndpiReader 4.2's -v 2 output).

_FLOW = re.compile(
    r"^\s*\d+\s+(?P<proto>TCP|UDP|ICMP|ICMPV6|ICMP6|IPv6-ICMP|[A-Za-z0-9_-]+)\s+"
    r"(?P<a>\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+?):(?P<ap>\d+)\s+(?:<->|->|<-)\s+"
    r"(?P<b>\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+?):(?P<bp>\d+)\s+(?P<rest>\[.*)$"
)
_PROTO = re.compile(r"\[proto: (?:[0-9.]+/)?(?P<label>[^\]]+)\]")
_CAT = re.compile(r"\[cat: (?P<cat>[^/\]]+)")
_CONF = re.compile(r"\[Confidence: (?P<c>[^\]]+)\]")


def _addr(text):
    text = text.strip("[]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# IP protocols that nDPI's reader names and our flow records give by number.
IP_PROTO_NAMES = {"1": "icmp", "2": "igmp", "47": "gre", "50": "esp", "51": "ah",
                  "58": "icmp6", "103": "pim", "112": "vrrp", "113": "pgm", "132": "sctp"}


def flow_key(proto, a, ap, b, bp):
    """Orientation-free key; ICMP flows have no ports."""
    proto = str(proto).lower()
    proto = IP_PROTO_NAMES.get(proto, proto)
    if proto in ("icmp", "icmpv6", "icmp6", "ipv6-icmp"):
        proto = "icmp6" if ":" in str(a) else "icmp"
        ap = bp = 0
    ends = sorted([(a.version, a.packed, ap), (b.version, b.packed, bp)])
    return (proto, ends[0], ends[1])


def parse_ndpi_flows(text):
    flows = []
    for line in text.splitlines():
        m = _FLOW.match(line)
        if not m:
            continue
        a, b = _addr(m.group("a")), _addr(m.group("b"))
        pm = _PROTO.search(m.group("rest"))
        if a is None or b is None or not pm:
            continue
        cm = _CAT.search(m.group("rest"))
        conf = _CONF.search(m.group("rest"))
        flows.append({
            "proto": m.group("proto").lower(),
            "a": a, "ap": int(m.group("ap")), "b": b, "bp": int(m.group("bp")),
            "label": pm.group("label").strip(),
            "cat": cm.group("cat").strip() if cm else None,
            "confidence": conf.group("c") if conf else None,
            "key": flow_key(m.group("proto"), a, int(m.group("ap")), b, int(m.group("bp"))),
            "text": "%s %s:%s <-> %s:%s" % (m.group("proto"), m.group("a"), m.group("ap"),
                                           m.group("b"), m.group("bp")),
        })
    return flows


# ---------------------------------------------------------------------------
# Captures

def count_packets(path):
    """Packets in a pcap or pcapng file (EPB, SPB and old PB blocks)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    n = 0
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
            off += 16 + incl
            n += 1
        return n
    if magic == b"\x0a\x0d\x0d\x0a":
        off = 0
        end = "<"
        while off + 12 <= len(data):
            if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
                end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            btype, blen = struct.unpack(end + "II", data[off:off + 8])
            if blen < 12:
                break
            if btype in (2, 3, 6):
                n += 1
            off += blen
        return n
    raise ValueError("%s: not a pcap or pcapng file" % path)


def parse_readme(path):
    """README 'What each stands for': group -> (classes, capture names)."""
    groups = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*-\s*([A-Za-z0-9_ /]+?)\s*:\s*(.+)$", line)
            if not m:
                continue
            classes = [c.strip() for c in m.group(1).split("/")]
            names = re.sub(r"\([^)]*\)", "", m.group(2))
            caps = [c.strip() for c in names.split(",") if c.strip()]
            groups.append((classes, caps))
    return groups


def load_records(path):
    recs = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    recs.append(json.loads(line))
    for r in recs:
        a, b = _addr(r["src"]), _addr(r["dst"])
        r["_key"] = flow_key(str(r["proto"]), a, int(r["sport"]), b, int(r["dport"]))
    recs.sort(key=lambda r: r["ts_start"])
    return recs


def load_summary(path):
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith('{"summary"'):
                    return json.loads(line)["summary"]
    except OSError:
        pass
    return None


def rec_text(r):
    if r is None:
        return "no flow record"
    name = r.get("sni") or r.get("host") or r.get("dns_query")
    return "%s/%s %s pkts_to_verdict=%s dropped_pkts=%s%s" % (
        r["app"], r["class"], r["reason"], r["pkts_to_verdict"], r["dropped_pkts"],
        (" name=" + name) if name else "")


# ---------------------------------------------------------------------------
# The mission score (issue 12): the measurement an outside reviewer made on
# the held-out part of the corpus, repeated on the subsets we have. One zone,
# default allow, the mission's classes blocked (run.sh's "mission" policy).
#   recall      per class: flows whose .out protocol maps to the class that
#               got a drop verdict (any class reason), and the macro mean;
#   false block flows whose .out protocol maps to no mission class that got
#               a drop verdict, over all flows and as the mean of the
#               per-capture fractions.

# The classes the mission blocks (DESIGN 4): file sharing, social media,
# proxies and anonymizers, P2P, remote desktop, VPNs, webmail, encrypted
# DNS, storage. "mail" and "document_upload" depend on the declared mail
# endpoints, so they are scored by the strict-all pass above instead.
MISSION = ["file_sharing", "encrypted_dns", "social", "vpn", "storage", "webmail",
           "remote_access", "proxy", "p2p"]

# Done-when of issue 12, asserted on each subset on its own: macro recall
# at least 0.90 over the mission's classes, false blocks at most 2 % of the
# flows without a mission class, over all flows and per capture.
GOAL_MACRO = 0.90
GOAL_FALSE_ALL = 0.02
GOAL_FALSE_CAPTURE = 0.02
# Regression bars on both subsets together, at what this tree measured
# (docs/classification.md has the figures), rounded down (up for false
# blocks) to the next step: a change that loses recall fails here before it
# reaches the goals. Replays are deterministic (capture timestamps), so the
# rounding is not for noise. Never lowered below what was measured.
# Measured on both subsets (2659 flows, 263 captures; docs/classification.md):
# macro 0.982, lowest class social 94.2 % (VXLAN-carried flows), false
# blocks 0.19 % over all flows and 1.12 % per capture.
MACRO_RECALL_MIN = 0.98
CLASS_RECALL_MIN = 0.94     # no single class may fall far behind the mean
FALSE_ALL_MAX = 0.0025      # over all flows without a mission class
FALSE_CAPTURE_MAX = 0.015   # mean of the per-capture fractions


def capture_names(corpus, only=None):
    names = sorted(f for f in os.listdir(corpus) if f.endswith((".pcap", ".pcapng", ".cap")))
    if only:
        names = [c for c in names if re.search(only, c)]
    return names


def mission_flows(corpus, recdir, cmap, only=None):
    """Every .out flow of corpus joined with its record of a mission pass."""
    flows = []
    if not os.path.isdir(corpus):
        return flows
    for c in capture_names(corpus, only):
        outp = os.path.join(corpus, c + ".out")
        if not os.path.exists(outp):
            continue
        with open(outp, encoding="utf-8", errors="replace") as f:
            nflows = parse_ndpi_flows(f.read())
        idx = defaultdict(list)
        for r in load_records(os.path.join(recdir, c + ".jsonl")):
            idx[r["_key"]].append(r)
        for fl in nflows:
            exp = cmap.of_label(fl["label"], fl["cat"])
            recs = idx.get(fl["key"], [])
            # One .out flow may have several records: the flow's own and
            # one-packet records of its IP fragments (exception:fragment).
            # The flow's verdict is its class drop if any, else its own.
            drops = [x for x in recs if x["verdict"] == "drop" and x["reason"].startswith("class:")]
            own = [x for x in recs if x["reason"] != "exception:fragment"]
            r = (drops or own or recs or [None])[0]
            fl["capture"] = c
            fl["expected"] = exp if exp in MISSION else None
            fl["rec"] = r
            fl["blocked"] = bool(drops)
            fl["stopped"] = fl["blocked"] and r["dropped_pkts"] > 0
            flows.append(fl)
    return flows


def mission_numbers(flows):
    per = {}
    for cls in MISSION:
        exp = [f for f in flows if f["expected"] == cls]
        got = [f for f in exp if f["blocked"]]
        ptv = [f["rec"]["pkts_to_verdict"] for f in got]
        per[cls] = (len(exp), len(got), (sum(ptv) / len(ptv)) if ptv else None)
    present = [c for c in MISSION if per[c][0]]
    macro = sum(per[c][1] / per[c][0] for c in present) / len(present) if present else None
    none = [f for f in flows if f["expected"] is None]
    fb = [f for f in none if f["blocked"]]
    caps = defaultdict(lambda: [0, 0])
    for f in none:
        caps[f["capture"]][0] += 1
        caps[f["capture"]][1] += f["blocked"]
    per_cap = (sum(b / n for n, b in caps.values()) / len(caps)) if caps else 0.0
    return per, macro, none, fb, caps, per_cap


def mission_report(name, flows, verbose=True):
    per, macro, none, fb, caps, per_cap = mission_numbers(flows)
    print()
    print("Mission score on %s: %d .out flows in %d captures (one zone, default allow, "
          "%s blocked)" % (name, len(flows), len(set(f["capture"] for f in flows)),
                           ", ".join(MISSION)))
    hdr = "%-14s %8s %8s %8s %9s" % ("class", "flows", "blocked", "recall", "pkts->v")
    print(hdr)
    print("-" * len(hdr))
    for cls in MISSION:
        n, got, ptv = per[cls]
        print("%-14s %8d %8d %8s %9s" % (cls, n, got, "%.1f%%" % (100.0 * got / n) if n else "-",
                                         "%.1f" % ptv if ptv is not None else "-"))
    print("-" * len(hdr))
    print("macro recall %s; false blocks %d/%d flows without a mission class (%.2f%%), "
          "%.2f%% per capture (mean over %d captures)" % (
              "%.3f" % macro if macro is not None else "-", len(fb), len(none),
              100.0 * len(fb) / len(none) if none else 0.0, 100.0 * per_cap, len(caps)))
    worst = sorted(((b, b / n, c) for c, (n, b) in caps.items() if b),
                   key=lambda x: (-x[1], -x[0], x[2]))[:8]
    if worst:
        print("worst captures (false blocks, by share of the capture's flows): " + ", ".join(
            "%s %d/%d" % (c, b, caps[c][0]) for b, _, c in worst))
    if not verbose:
        return
    for f in fb:
        print("  false block: %-28s %-52s .out=%s [%s] | ours: %s" % (
            f["capture"], f["text"], f["label"], f["cat"], rec_text(f["rec"])))
    missed = [f for f in flows if f["expected"] and not f["blocked"]]
    by_cap = defaultdict(int)
    for f in missed:
        by_cap[(f["expected"], f["capture"])] += 1
    if missed:
        print("missed (class, capture, flows): " + ", ".join(
            "%s %s %d" % (k[0], k[1], v) for k, v in sorted(by_cap.items(), key=lambda x: -x[1])))
    for f in missed:
        print("  miss: %-14s %-28s %-52s .out=%s | ours: %s" % (
            f["expected"], f["capture"], f["text"], f["label"], rec_text(f["rec"])))


def mission_goals(res, flows, name):
    """Issue 12's Done-when on one subset."""
    per, macro, none, fb, _, per_cap = mission_numbers(flows)
    res.check(macro is not None and macro >= GOAL_MACRO, "mission/%s/macro_recall" % name,
              "macro recall %s (goal %.2f)" % ("%.3f" % macro if macro else "-", GOAL_MACRO))
    frac = len(fb) / len(none) if none else 0.0
    res.check(frac <= GOAL_FALSE_ALL, "mission/%s/false_blocks" % name,
              "%d/%d flows without a mission class blocked (%.2f%%, goal %.0f%%)" % (
                  len(fb), len(none), 100 * frac, 100 * GOAL_FALSE_ALL))
    res.check(per_cap <= GOAL_FALSE_CAPTURE, "mission/%s/false_blocks_per_capture" % name,
              "%.2f%% per capture (goal %.0f%%)" % (100 * per_cap, 100 * GOAL_FALSE_CAPTURE))


def mission_assert(res, flows, name):
    """The regression bars, on every subset together."""
    per, macro, none, fb, _, per_cap = mission_numbers(flows)
    res.check(macro is not None and macro >= MACRO_RECALL_MIN, "mission/macro_recall",
              "%s: macro recall %s (bar %.2f)" % (name, "%.3f" % macro if macro else "-",
                                                  MACRO_RECALL_MIN))
    low = ["%s %d/%d" % (c, per[c][1], per[c][0]) for c in MISSION
           if per[c][0] and per[c][1] / per[c][0] < CLASS_RECALL_MIN]
    res.check(not low, "mission/class_recall", "%s: every class >= %.0f%%%s" % (
        name, 100 * CLASS_RECALL_MIN, (", below: " + ", ".join(low)) if low else ""))
    frac = len(fb) / len(none) if none else 0.0
    res.check(frac <= FALSE_ALL_MAX, "mission/false_blocks",
              "%s: %d/%d flows without a mission class blocked (%.2f%%, bar %.1f%%)" % (
                  name, len(fb), len(none), 100 * frac, 100 * FALSE_ALL_MAX))
    res.check(per_cap <= FALSE_CAPTURE_MAX, "mission/false_blocks_per_capture",
              "%s: %.2f%% per capture (bar %.1f%%)" % (name, 100 * per_cap,
                                                       100 * FALSE_CAPTURE_MAX))


# ---------------------------------------------------------------------------
# Packets to verdict (issue 12 item 6): per class, no worse than before.
#
# tests/corpus/baseline-ptv.tsv holds, for every .out flow of a mission
# class, the pkts_to_verdict of its class drop measured on two earlier
# trees ("-" where that tree did not block it):
#   pre    the tree before issue 12 (every port/address guess blocked at
#          once), mission policy;
#   wait0  the tree where this work started, mission policy (guesses wait
#          for DPI in a default-allow profile, issue 12 item 5).
# The "mblock" pass (guesses block, as every profile did before the issue)
# is compared with "pre", the "mission" pass with "wait0". Per class, over
# the flows both blocked, the mean now must not exceed the mean then. Flows
# blocked only now are new recall, not slower verdicts; flows blocked only
# then are lost recall, which the recall figures show.

PTV_COLUMNS = ("pre", "wait0")


def load_baseline(path):
    base = {}
    if not path or not os.path.exists(path):
        return base
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            subset, cap, text, cls, pre, wait0, pre_app = line.rstrip("\n").split("\t")
            base[(subset, cap, text)] = {
                "class": cls,
                "pre": None if pre == "-" else int(pre),
                "wait0": None if wait0 == "-" else int(wait0),
                "pre_app": pre_app}
    return base


# Baseline verdicts that issue 12 itself withdrew, so that no tree after it
# can match them: item 2, "HTTP on 8080 or 3128 is not a proxy by that
# alone", withdrew nDPI 4.2's HTTP_Proxy from the port. Such a flow is now
# a proxy when its CONNECT or absolute-form request shows (the first
# payload), not at its SYN. These flows are left out of the comparison with
# "pre", and counted in the table.
WITHDRAWN_PRE_APPS = ("HTTP_Proxy",)


def ptv_withdrawn(entry, column):
    return column == "pre" and entry["pre_app"] in WITHDRAWN_PRE_APPS


def ptv_table(name, flows, base, subset, column):
    """Per class: (common flows, mean now, mean then, blocked now, mean of
    every blocked flow now, blocked then, mean of every blocked flow then)."""
    rows = {}
    left_out = 0
    for cls in MISSION:
        exp = [f for f in flows if f["expected"] == cls]
        now = [f for f in exp if f["blocked"]]
        then = [base[(subset, f["capture"], f["text"])][column] for f in exp
                if (subset, f["capture"], f["text"]) in base
                and base[(subset, f["capture"], f["text"])][column] is not None]
        common = []
        for f in now:
            e = base.get((subset, f["capture"], f["text"]))
            if e is None or e[column] is None:
                continue
            if ptv_withdrawn(e, column):
                left_out += 1
                continue
            common.append((f["rec"]["pkts_to_verdict"], e[column]))

        def mean(xs):
            return sum(xs) / len(xs) if xs else None
        rows[cls] = (len(common), mean([a for a, _ in common]), mean([b for _, b in common]),
                     len(now), mean([f["rec"]["pkts_to_verdict"] for f in now]),
                     len(then), mean(then))
    return rows, left_out


def ptv_report(res, name, flows, base, subset, column, assert_it):
    rows, left_out = ptv_table(name, flows, base, subset, column)
    fmt = lambda x: "%.2f" % x if x is not None else "-"
    print()
    print("Packets to verdict on %s, pass %s vs baseline %s (mean pkts_to_verdict of the "
          "class drops):" % (subset, name, column))
    hdr = "%-14s %7s %9s %9s   %8s %9s %8s %9s" % (
        "class", "common", "now", "then", "blk now", "all now", "blk then", "all then")
    print(hdr)
    print("-" * len(hdr))
    worse = []
    for cls in MISSION:
        n, a, b, nn, an, nt, at = rows[cls]
        print("%-14s %7d %9s %9s   %8d %9s %8d %9s" % (cls, n, fmt(a), fmt(b), nn, fmt(an),
                                                       nt, fmt(at)))
        if n and a > b + 1e-9:
            worse.append("%s %.2f > %.2f" % (cls, a, b))
    if left_out:
        print("(%d flow(s) left out of \"common\": their %s verdict was %s from the port alone, "
              "which issue 12 item 2 withdrew)" % (left_out, column, "/".join(WITHDRAWN_PRE_APPS)))
    if assert_it:
        res.check(not worse, "ptv/%s/%s" % (subset, name),
                  "packets to verdict per class no worse than %s over the flows both block%s"
                  % (column, (": " + ", ".join(worse)) if worse else ""))


def write_baseline(args, cmap):
    """--write-baseline FILE from two result trees (--pre-out, --wait0-out),
    each laid out like run.sh's OUT (mission/, more/mission/)."""
    rows = {}
    subsets = [("ndpi", args.corpus, "mission")]
    if args.more:
        subsets.append(("ndpi-more", args.more, os.path.join("more", "mission")))
    for col, tree in (("pre", args.pre_out), ("wait0", args.wait0_out)):
        for subset, cdir, rel in subsets:
            for f in mission_flows(cdir, os.path.join(tree, rel), cmap):
                if not f["expected"]:
                    continue
                k = (subset, f["capture"], f["text"])
                rows.setdefault(k, {"class": f["expected"], "pre": "-", "wait0": "-",
                                    "pre_app": "-"})
                if f["blocked"]:
                    rows[k][col] = str(f["rec"]["pkts_to_verdict"])
                    if col == "pre":
                        rows[k]["pre_app"] = f["rec"]["app"]
    with open(args.write_baseline, "w", encoding="utf-8") as out:
        out.write(BASELINE_HEADER)
        for k in sorted(rows):
            r = rows[k]
            out.write("\t".join([k[0], k[1], k[2], r["class"], r["pre"], r["wait0"],
                                 r["pre_app"]]) + "\n")
    return 0


BASELINE_HEADER = """\
# tests/corpus/baseline-ptv.tsv - packets to verdict before (issue 12 item 6).
# Written by: compare.py --write-baseline FILE --pre-out DIR --wait0-out DIR
# (docs/classification.md, "Packets to verdict"). One line per .out flow of a
# mission class in the two shared subsets; pkts_to_verdict of its class drop,
# "-" when that tree did not block it.
#   pre    tree 1843721 (before issue 12: port/address guesses block at once),
#          run.sh's mission policy, replayed by that tree's own run.sh;
#   wait0  tree 7f8d6d9 (where this measurement was added: guesses wait for
#          DPI in a default-allow profile), the same policy;
#   pre_app  the app of the pre tree's record ("-" when not blocked).
# subset\tcapture\tflow\tclass\tpre\twait0\tpre_app
"""


# ---------------------------------------------------------------------------

class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.xfailed = 0

    def check(self, ok, name, text, xfail=None):
        if ok:
            print("PASS corpus/%s: %s" % (name, text))
            self.passed += 1
        elif xfail:
            print("XFAIL corpus/%s: %s (%s)" % (name, text, xfail))
            self.xfailed += 1
        else:
            print("FAIL corpus/%s: %s" % (name, text))
            self.failed += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True, help="$BUILD/corpus")
    ap.add_argument("--classes", required=True)
    ap.add_argument("--ndpireader", default="ndpiReader")
    ap.add_argument("--more", help="a second corpus subset (ndpi-more), mission passes only")
    ap.add_argument("--baseline", help="tests/corpus/baseline-ptv.tsv")
    ap.add_argument("--only", help="a regex: score only the captures whose name matches "
                    "(the goals are then not asserted)")
    ap.add_argument("--write-baseline", metavar="FILE",
                    help="write the packets-to-verdict baseline from --pre-out and --wait0-out")
    ap.add_argument("--pre-out", help="result tree of the tree before issue 12")
    ap.add_argument("--wait0-out", help="result tree of the tree the baseline was added to")
    args = ap.parse_args()

    cmap = ClassMap(args.classes)
    if args.write_baseline:
        return write_baseline(args, cmap)
    # What the strict-all pass blocks, from the policy run.sh generated.
    strict = libconfig_load(os.path.join(args.out, "strict.conf"))
    blocked = set(strict["profiles"][0]["block"])
    res = Result()

    caps = [c for c in capture_names(args.corpus, args.only) if not c.endswith(".cap")]
    base = {re.sub(r"\.pcap(ng)?$", "", c): c for c in caps}

    # -- counters: every replay ran, balances, and saw every input packet ----
    for mode in ("all", "strict"):
        bad = []
        for c in caps:
            stem = os.path.join(args.out, mode, c)
            try:
                rc = open(stem + ".rc").read().strip()
            except OSError:
                rc = "?"
            s = load_summary(stem + ".sum")
            if rc != "0" or s is None:
                try:
                    with open(stem + ".err", encoding="utf-8", errors="replace") as f:
                        err = " | ".join(f.read().strip().splitlines()[-3:])
                except OSError:
                    err = ""
                bad.append("%s: exit %s, %s%s" % (c, rc, "summary" if s else "no summary",
                                                  (": " + err) if err else ""))
                continue
            n = count_packets(os.path.join(args.corpus, c))
            drops = sum(s["drops"].values())
            by_class = sum(s.get("drops_by_class", {}).values())
            why = []
            if s["rx"] != s["tx"] + s["dropped"]:
                why.append("rx %d != tx %d + dropped %d" % (s["rx"], s["tx"], s["dropped"]))
            if s["rx"] != n:
                why.append("rx %d != %d packets in the capture" % (s["rx"], n))
            if drops != s["dropped"]:
                why.append("drops by reason add up to %d, dropped %d" % (drops, s["dropped"]))
            if by_class != s["drops"].get("class", 0):
                why.append("drops_by_class add up to %d, drops.class %d"
                           % (by_class, s["drops"].get("class", 0)))
            if why:
                bad.append("%s: %s" % (c, "; ".join(why)))
        for b in bad:
            print("  counters/%s: %s" % (mode, b))
        res.check(not bad, "counters/%s" % mode,
                  "%d/%d replays ran and balance (rx = tx + dropped = packets in, drops add up)"
                  % (len(caps) - len(bad), len(caps)))

    # -- join every .out flow with our records, in both passes -------------------
    flows = []        # one per .out flow
    unjoined = []     # our records with no .out flow
    for c in caps:
        outp = os.path.join(args.corpus, c + ".out")
        if not os.path.exists(outp):
            continue
        with open(outp, encoding="utf-8", errors="replace") as f:
            nflows = parse_ndpi_flows(f.read())
        recs = {m: load_records(os.path.join(args.out, m, c + ".jsonl"))
                for m in ("all", "strict")}
        idx = {m: defaultdict(list) for m in recs}
        for m, rs in recs.items():
            for r in rs:
                idx[m][r["_key"]].append(r)
        keys = set()
        for fl in nflows:
            keys.add(fl["key"])
            fl["capture"] = c
            fl["expected"] = cmap.of_label(fl["label"], fl["cat"])
            fl["all"] = idx["all"].get(fl["key"], [])
            fl["strict"] = idx["strict"].get(fl["key"], [])
            first = fl["all"][0] if fl["all"] else None
            fl["ours"] = first["class"] if first else None
            s = fl["strict"][0] if fl["strict"] else None
            fl["verdict_drop"] = bool(s and s["verdict"] == "drop"
                                      and s["reason"].startswith("class:")
                                      and s["reason"][6:] in blocked)
            # Dropped means a packet was stopped: a drop verdict that came
            # with the flow's last packet (or at its expiry) stopped nothing.
            fl["dropped"] = fl["verdict_drop"] and s["dropped_pkts"] > 0
            fl["any_drop"] = bool(s and s["verdict"] == "drop")
            fl["srec"] = s
            flows.append(fl)
        for r in recs["all"]:
            if r["_key"] not in keys:
                unjoined.append((c, r))

    # -- nDPI 4.2 (Debian's ndpiReader) on the captures where we miss flows -------
    ndpi42 = {}

    def label42(fl):
        c = fl["capture"]
        if c not in ndpi42:
            cache = os.path.join(args.out, "ndpi42", c + ".txt")
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            before = litter_before()
            try:
                p = subprocess.run([args.ndpireader, "-i", os.path.join(args.corpus, c), "-v", "2"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=120, check=False)
                text = p.stdout.decode("utf-8", "replace")
            except (OSError, subprocess.TimeoutExpired) as e:
                text = ""
                print("  ndpiReader failed on %s: %s" % (c, e))
            finally:
                litter_clean(before)
            with open(cache, "w", encoding="utf-8") as f:
                f.write(text)
            ndpi42[c] = {}
            for f42 in parse_ndpi_flows(text):
                ndpi42[c].setdefault(f42["key"], f42)
        return ndpi42[c].get(fl["key"])

    def undetectable42(fl):
        """nDPI 4.2 gives this flow no label of its expected class."""
        f42 = label42(fl)
        if f42 is None:
            return True, "not a flow for ndpiReader 4.2"
        cls = cmap.of_label(f42["label"], f42["cat"])
        return cls != fl["expected"], "ndpiReader 4.2: %s [%s]" % (f42["label"], f42["confidence"])

    # -- pass 1: the per-class table ----------------------------------------------
    print()
    print("Classify-everything pass: expected = class of the .out protocol/category via "
          "conf/classes.conf; ours = class in our flow record (joined on the 5-tuple).")
    print("Test-side names for protocols newer than nDPI 4.2: %s"
          % ", ".join("%s->%s" % kv for kv in sorted(NEWER_NDPI.items())))
    hdr = "%-16s %8s %6s %8s %7s %12s %8s %10s %11s" % (
        "class", "expected", "ours", "matched", "rate", "4.2-unknown", "false", "dropped", "late-drop")
    print(hdr)
    print("-" * len(hdr))
    tot = defaultdict(int)
    for cls in cmap.classes:
        exp = [f for f in flows if f["expected"] == cls]
        ours = [f for f in flows if f["ours"] == cls]
        matched = [f for f in exp if f["ours"] == cls]
        miss42 = [f for f in exp if f["ours"] != cls and undetectable42(f)[0]]
        false = [f for f in ours if f["expected"] is None]
        dropped = [f for f in exp if f["dropped"]]
        late = [f for f in exp if f["verdict_drop"] and not f["dropped"]]
        rate = "%6.1f%%" % (100.0 * len(matched) / len(exp)) if exp else "     -"
        print("%-16s %8d %6d %8d %7s %12d %8d %10d %11d" % (
            cls, len(exp), len(ours), len(matched), rate, len(miss42), len(false),
            len(dropped), len(late)))
        for k, v in (("exp", exp), ("ours", ours), ("matched", matched), ("miss42", miss42),
                     ("false", false), ("dropped", dropped), ("late", late)):
            tot[k] += len(v)
    none = [f for f in flows if f["expected"] is None]
    print("-" * len(hdr))
    print("%-16s %8d %6d %8d %7s %12d %8d %10d %11d" % (
        "all classes", tot["exp"], tot["ours"], tot["matched"],
        "%6.1f%%" % (100.0 * tot["matched"] / tot["exp"]) if tot["exp"] else "-",
        tot["miss42"], tot["false"], tot["dropped"], tot["late"]))
    print("(%d .out flows in %d captures; %d map to no class; %d of our records have no .out flow)"
          % (len(flows), len(set(f["capture"] for f in flows)), len(none), len(unjoined)))
    print("columns: matched = expected and ours agree; 4.2-unknown = missed flows Debian's "
          "ndpiReader 4.2 also cannot put in the class; false = flows whose .out protocol maps "
          "to no class but we gave this one; dropped = strict-all pass dropped them "
          "(class:* reason, >=1 packet stopped); late-drop = drop verdict but no packet stopped")

    print()
    print("Misses (expected class not given), pass 1 / strict-all pass:")
    for f in flows:
        if f["expected"] and (f["ours"] != f["expected"] or not f["dropped"]):
            u, why = undetectable42(f)
            print("  %-14s %-22s %-60s .out=%s | all: %s | strict: %s | %s" % (
                f["expected"], f["capture"], f["text"], f["label"],
                rec_text(f["all"][0] if f["all"] else None), rec_text(f["srec"]), why))
    causes = defaultdict(int)
    for f in flows:
        if f["expected"] and not f["dropped"]:
            r = f["srec"]
            if r is None:
                causes["no flow record"] += 1
            elif f["verdict_drop"]:
                causes["class:* verdict that stopped no packet"] += 1
            else:
                causes[r["reason"]] += 1
    if causes:
        print("  why not dropped (strict-all reason): " +
              ", ".join("%s %d" % kv for kv in sorted(causes.items(), key=lambda x: -x[1])))
    print("False classes (the .out protocol maps to no class):")
    for f in flows:
        if f["expected"] is None and f["ours"] is not None:
            print("  %-14s %-22s %-60s .out=%s [cat %s] | ours: %s" % (
                f["ours"], f["capture"], f["text"], f["label"], f["cat"],
                rec_text(f["all"][0])))
    if unjoined:
        print("Our records with no .out flow:")
        for c, r in unjoined:
            print("  %-22s %s %s:%s -> %s:%s %s" % (c, r["proto"], r["src"], r["sport"],
                                                     r["dst"], r["dport"], rec_text(r)))

    # -- pass 2: the assertions per blocked class --------------------------------
    print()
    print("strict-all pass (every class blocked, default/inbound/on_giveup/on_exception allow):")
    groups = parse_readme(os.path.join(args.corpus, "README.md"))
    per_class = {}
    ordinary = []
    missing_caps = []
    for classes, names in groups:
        capsin = []
        for n in names:
            if n in base:
                capsin.append(base[n])
            else:
                missing_caps.append(n)
        if [x.lower() for x in classes] == ["ordinary traffic"]:
            ordinary.extend(capsin)
            continue
        for cls in classes:
            if cls not in blocked:
                continue
            fl = [f for f in flows if f["capture"] in capsin and f["expected"] == cls]
            per_class.setdefault(cls, []).extend(fl)
    notcounted = defaultdict(int)
    for classes, names in groups:
        if [x.lower() for x in classes] == ["ordinary traffic"]:
            continue
        for n in names:
            for f in flows:
                if f["capture"] == base.get(n) and f["expected"] not in classes:
                    notcounted[(f["capture"], f["expected"])] += 1
    if notcounted:
        print("  not counted (the .out gives these flows of a class's captures another class "
              "or none): " + ", ".join("%s %d (%s)" % (c, k, e or "no class")
                                       for (c, e), k in sorted(notcounted.items(),
                                                               key=lambda x: (x[0][0], str(x[0][1])))))
    for n in missing_caps:
        print("  note: README names %s but the corpus has no such capture" % n)

    unasserted = [c for c in cmap.classes if c not in per_class]
    if unasserted:
        print("  note: no README capture stands for %s: not asserted" % ", ".join(unasserted))
    for cls in cmap.classes:
        if cls not in per_class:
            continue
        fl = per_class[cls]
        if not fl and args.only:
            continue
        if not fl:
            res.check(False, cls, "no flow of this class in its README captures")
            continue
        got = [f for f in fl if f["dropped"]]
        missed = [f for f in fl if not f["dropped"]]
        rate = len(got) / len(fl)
        text = "%d/%d dropped (%.1f%%)" % (len(got), len(fl), 100.0 * rate)
        late = [f for f in missed if f["verdict_drop"]]
        if late:
            text += ", %d more with a drop verdict that stopped no packet" % len(late)
        xfail = None
        if rate < THRESHOLD:
            u42 = [f for f in missed if undetectable42(f)[0]]
            detectable = len(fl) - len(u42)
            if u42 and (len(u42) == len(missed) or
                        (detectable and len(got) / detectable >= THRESHOLD)):
                xfail = "%d of the %d missed flows are ones Debian's nDPI 4.2 cannot detect " \
                        "either: %s; %d/%d of the rest dropped" % (
                            len(u42), len(missed),
                            ", ".join("%s %s (%s)" % (f["capture"], f["text"], undetectable42(f)[1])
                                      for f in u42),
                            len(got), detectable)
        res.check(rate >= THRESHOLD, cls, text, xfail)

    ord_flows = [f for f in flows if f["capture"] in ordinary and f["expected"] is None]
    seen = [f for f in ord_flows if f["strict"]]
    unseen = [f for f in ord_flows if not f["strict"]]
    fb = [f for f in seen if f["any_drop"]]
    for f in fb:
        print("  false block: %s %s .out=%s | ours: %s" % (f["capture"], f["text"], f["label"],
                                                           rec_text(f["srec"])))
    for f in unseen:
        print("  note: %s %s .out=%s has no flow record (its packets never became a flow; "
              "see the replay's drops)" % (f["capture"], f["text"], f["label"]))
    frac = len(fb) / len(seen) if seen else 1.0
    if seen or not args.only:
        res.check(seen and frac < FALSE_MAX, "false_blocks",
                  "%d/%d ordinary flows dropped (%.1f%%, limit %.0f%%) in %s" % (
                      len(fb), len(seen), 100.0 * frac, 100 * FALSE_MAX, ", ".join(ordinary)))

    # -- the mission score (issue 12) on every corpus subset ---------------------
    subsets = [("ndpi", args.corpus, "")]
    if args.more:
        subsets.append(("ndpi-more", args.more, "more"))
    ptv_base = load_baseline(args.baseline)
    if args.baseline and not ptv_base:
        res.check(False, "ptv/baseline", "%s is missing or empty" % args.baseline)
    every = []
    for name, cdir, rel in subsets:
        fl = mission_flows(cdir, os.path.join(args.out, rel, "mission"), cmap, args.only)
        fb = mission_flows(cdir, os.path.join(args.out, rel, "mblock"), cmap, args.only)
        every.extend(fl)
        mission_report(name, fl)
        mission_report(name + ", guesses blocking (mblock)", fb, verbose=False)
        if not args.only:
            mission_goals(res, fl, name)
        if ptv_base:
            ptv_report(res, "mblock", fb, ptv_base, name, "pre", not args.only)
            ptv_report(res, "mission", fl, ptv_base, name, "wait0", not args.only)
            ptv_report(res, "mission", fl, ptv_base, name, "pre", False)
    if len(subsets) > 1:
        mission_report("both subsets", every, verbose=False)
    if args.only:
        print("note: only the captures matching %r were scored: issue 12's goals and bars "
              "are not asserted" % args.only)
    else:
        mission_assert(res, every, "+".join(s[0] for s in subsets))

    print()
    tail = "corpus: %d passed, %d failed" % (res.passed, res.failed)
    if res.xfailed:
        # An XFAIL is neither passed nor failed: the closing line counts it as
        # skipped, so tests/run.sh shows it.
        print("(%d xfail: a known nDPI 4.2 limit, counted as skipped)" % res.xfailed)
        tail += ", %d skipped" % res.xfailed
    print(tail)
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
