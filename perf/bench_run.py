#!/usr/bin/python3
"""bench_run.py - runs the figures of perf/bench.sh and prints one table.

Called by perf/bench.sh once the captures and configs are in build/perf/.
Everything is measured side by side in this run; each figure is the median
of --runs runs, the baseline and aduana alternating.

Two measures of every run:
  - what the tool says: aduana's summary `cycles_per_packet` (worker TSC
    cycles from after rx_burst to after tx, divided by packets) and `pps`;
    testpmd's `--record-core-cycles` CPU cycles/packet; ndpiReader's
    "nDPI throughput".
  - on-CPU: the forwarding thread's (rte-worker-1) own run time from
    /proc/PID/task/TID/schedstat, sampled when each progress line arrives.
    cycles/packet = TSC Hz x run time / packets: end to end (rx included,
    for testpmd and aduana alike) and blind to the time the thread spent
    preempted, which matters on a machine shared with other test runs.
The ratios and the targets use the on-CPU figures; both are printed.
"""
import argparse
import datetime
import glob
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------- running

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


class Run:
    """One process: its output lines with arrival time and the worker
    thread's schedstat at that moment, its rusage and exit code."""

    def __init__(self, cmd, stop_after=None, stop_when=None, thread="rte-worker-1", cpu_list=None,
                 timeout=300):
        self.cmd = cmd
        self.lines = []  # (t, stream, text, (run_ns, wait_ns) or None)
        self.tid_path = None
        self.thread = thread
        self.t0 = time.monotonic()
        if cpu_list:
            cmd = ["taskset", "-c", cpu_list] + cmd
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  cwd=ROOT, start_new_session=True)
        self.last_sched = None
        rs = [threading.Thread(target=self._read, args=(self.p.stdout, "out")),
              threading.Thread(target=self._read, args=(self.p.stderr, "err"))]
        for r in rs:
            r.start()
        stopped = False
        deadline = self.t0 + timeout
        while True:
            try:
                pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                break
            self._find_thread()
            s = self._sched()
            if s:
                self.last_sched = s
            now = time.monotonic()
            if not stopped and ((stop_after and now - self.t0 >= stop_after) or
                                (stop_when and stop_when(self))):
                os.kill(self.p.pid, signal.SIGINT)
                stopped = True
            if now > deadline:
                os.killpg(self.p.pid, signal.SIGKILL)
            time.sleep(0.01)
        for r in rs:
            r.join()
        self.p.returncode = os.waitstatus_to_exitcode(status)
        self.rc = self.p.returncode
        self.maxrss_kb = ru.ru_maxrss
        self.cpu_s = ru.ru_utime + ru.ru_stime
        self.wall = time.monotonic() - self.t0

    def _find_thread(self):
        if self.tid_path:
            return
        for d in glob.glob("/proc/%d/task/*" % self.p.pid):
            try:
                with open(d + "/comm") as f:
                    if f.read().strip() == self.thread:
                        self.tid_path = d
                        return
            except OSError:
                pass

    def _sched(self):
        if not self.tid_path:
            return None
        try:
            with open(self.tid_path + "/schedstat") as f:
                r, w, _ = f.read().split()
            return (int(r), int(w))
        except (OSError, ValueError):
            return None

    def _read(self, stream, name):
        for raw in stream:
            t = time.monotonic()
            self._find_thread()
            s = self._sched()
            if s:
                self.last_sched = s
            self.lines.append((t, name, raw.decode(errors="replace").rstrip("\n"), s or self.last_sched))

    def text(self, stream=None):
        return "\n".join(l[2] for l in self.lines if stream is None or l[1] == stream)

    def summary(self):
        for _, _, l, _ in self.lines:
            if l.startswith('{"summary"'):
                return json.loads(l)["summary"]
        return None

    def summary_sched(self):
        for _, _, l, s in self.lines:
            if l.startswith('{"summary"'):
                return s or self.last_sched
        return self.last_sched

    def fail(self, what):
        tail = "\n".join(l[2] for l in self.lines[-15:])
        raise RuntimeError("%s failed (rc %s): %s\n%s" % (what, self.rc, " ".join(self.cmd), tail))


def window(samples, tsc_hz):
    """samples: [(t, packets, (run_ns, wait_ns))] in order. Uses the first
    and the last sample (the first period, with start-up in it, dropped)."""
    samples = [s for s in samples if s[2]]
    if len(samples) < 2:
        return None
    a, b = samples[0], samples[-1]
    dp = b[1] - a[1]
    dt = b[0] - a[0]
    drun = (b[2][0] - a[2][0]) / 1e9
    dwait = (b[2][1] - a[2][1]) / 1e9
    if dp <= 0 or dt <= 0 or drun <= 0:
        return None
    return {"mpps_wall": dp / dt / 1e6, "cyc_oncpu": tsc_hz * drun / dp,
            "mpps_oncpu": dp / drun / 1e6, "cpu_share": drun / dt, "runq_share": dwait / dt,
            "packets": dp, "window_s": dt}


STAGES = ("rx", "parse", "lookup", "judge", "tx", "house", "idle")


def stage_split(samples, stg, w, stamp_cyc, tsc_hz):
    """The window's stage cycles per packet (aduana --stage-cycles): the
    same two progress lines as the on-CPU figure. The stamps chain, so the
    stages add up to the loop's TSC time in the window, which is its
    on-CPU time plus the time it spent preempted (schedstat's run-queue
    wait). Each stage is scaled by on-CPU / (on-CPU + preempted), since
    preemption falls on the stages in proportion to the time they take,
    and given net of the stamps' own cost (stamps x the cost measured at
    start, taken from the stages in proportion to their cycles).
    "unattributed" is what the scaled stages miss of the on-CPU figure."""
    ok = [i for i, x in enumerate(samples) if x[2]]
    a, b = ok[0], ok[-1]
    dp = w["packets"]
    raw = {k: (stg[b].get(k, 0) - stg[a].get(k, 0)) / dp for k in STAGES}
    stamps = (stg[b].get("stamps", 0) - stg[a].get("stamps", 0)) / dp
    tot = sum(raw.values())
    stamp_total = stamps * stamp_cyc
    oncpu = w["cyc_oncpu"]
    wait = tsc_hz * ((samples[b][2][1] - samples[a][2][1]) / 1e9) / dp
    scale = oncpu / (oncpu + wait) if oncpu + wait > 0 else 1.0
    net = {k: (v - stamp_total * v / tot) * scale if tot else 0 for k, v in raw.items()}
    return {"raw": raw, "raw_sum": tot, "stamps_per_pkt": stamps, "stamp_cyc": stamp_cyc,
            "stamps_cyc_per_pkt": stamp_total, "preempted_cyc_per_pkt": wait,
            "net": net, "net_sum": sum(net.values()), "oncpu": oncpu,
            "unattributed": oncpu - sum(net.values()) - stamp_total * scale}


# --------------------------------------------------------------- tools

class Bench:
    def __init__(self, a):
        self.a = a
        self.build = os.path.join(ROOT, a.build)
        self.pd = os.path.join(self.build, "perf")
        # A private copy: other people may rebuild $BUILD/aduana during
        # the run, and every figure must measure the same binary.
        self.aduana = os.path.join(self.pd, "aduana.bench")
        src = os.path.join(self.build, "aduana")
        subprocess.run(["cp", src, self.aduana + ".tmp"], check=True)
        os.replace(self.aduana + ".tmp", self.aduana)
        self.tsc_hz = None
        self.seq = 0

    def prefix(self, what):
        self.seq += 1
        return "bench%d_%s%d" % (os.getpid(), what, self.seq)

    def testpmd(self, pcap, periods, need_window=True, mbufs=16384):
        return retry(lambda: self._testpmd(pcap, periods, need_window, mbufs))

    def _testpmd(self, pcap, periods, need_window=True, mbufs=16384):
        """Runs until `periods` one-second stats blocks were printed; the
        window is from the second block to the last."""
        cmd = ["stdbuf", "-oL", "dpdk-testpmd", "-l", "0-1", "--no-huge", "--no-pci", "-m", "1024",
               "--no-shconf", "--file-prefix", self.prefix("tp"),
               "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, "--vdev", "net_null0,no-rx=1",
               "--", "--forward-mode=io", "--total-num-mbufs=%d" % mbufs, "--stats-period", "1",
               "--record-core-cycles"]
        r = Run(cmd, stop_when=lambda run: sum("NIC statistics for port 0" in l[2]
                                               for l in run.lines) >= periods)
        txt = r.text()
        m = re.search(r"CPU cycles/packet=([\d.]+) .* at (\d+) MHz", txt)
        if r.rc != 0 or not m:
            r.fail("testpmd")
        self.tsc_hz = int(m.group(2)) * 1e6
        # Port 0's RX-packets of each stats block, with the arrival time.
        samples, in_p0 = [], False
        for t, _, l, s in r.lines:
            if "NIC statistics for port 0" in l:
                in_p0 = True
            elif in_p0 and "RX-packets:" in l:
                samples.append((t, int(l.split()[1]), s))
                in_p0 = False
        w = window(samples[1:], self.tsc_hz)
        if not need_window:
            return w
        if not w:
            r.fail("testpmd (no stats)")
        w["cyc_tool"] = float(m.group(1))
        return w

    def _live(self, pcap, conf, seconds, inside_pcap=None, flood=False, stages=False):
        """pcap on the inside port (net_null0 outside), or with flood=True
        on the outside port, with inside_pcap (or nothing: net_null0) on
        the inside port; flood runs write the flow log to /dev/null."""
        vd = ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap]
        if not flood:
            ports = ["--inside", "net_pcap0", "--outside", "net_null0"]
            vd += ["--vdev", "net_null0,no-rx=1"]
        elif inside_pcap:
            ports = ["--inside", "net_pcap1", "--outside", "net_pcap0", "--flow-log", "/dev/null"]
            vd += ["--vdev", "net_pcap1,rx_pcap=%s,infinite_rx=1" % inside_pcap]
        else:
            ports = ["--inside", "net_null0", "--outside", "net_pcap0", "--flow-log", "/dev/null"]
            vd += ["--vdev", "net_null0,no-rx=1"]
        cmd = [self.aduana, "-l", "0-1", "--no-huge", "--no-pci", "--no-shconf", "-m", "1024",
               "--file-prefix", self.prefix("ad"), "--log-level=*:warning"] + vd + [
               "--", "-c", conf] + ports + ["--duration", str(seconds)]
        if stages:
            cmd.append("--stage-cycles")
        r = Run(cmd)
        s = r.summary()
        if r.rc != 0 or not s:
            r.fail("aduana live")
        samples, stg = [], []
        for t, st, l, sc in r.lines:
            m = re.match(r"aduana: rx (\d+) ", l)
            if st == "err" and m:
                samples.append((t, int(m.group(1)), sc))
                stg.append(dict((k, int(v)) for k, v in re.findall(r" (\w+)=(\d+)", l)))
        w = window(samples, self.tsc_hz)
        if not w:
            r.fail("aduana live (fewer than 2 progress lines)")
        if stages:
            w["stages"] = stage_split(samples, stg, w, s.get("stage_stamp_cycles", 0), self.tsc_hz)
        w["cyc_tool"] = s["cycles_per_packet"]
        w["summary"] = {k: s[k] for k in ("rx", "tx", "dropped", "flows", "classified", "flowlog_dropped")}
        if flood:
            w["summary"].update({k: s[k] for k in ("evicted", "flow_records", "seconds", "pps",
                                                   "cycles_per_packet_base", "cycles_per_new_flow",
                                                   "flows_untracked", "records_aggregated")})
            w["summary"]["drops"] = {k: v for k, v in s["drops"].items() if v}
        return w

    def replay(self, pcap, conf, flow_log=None):
        return retry(lambda: self._replay(pcap, conf, flow_log))

    def live(self, pcap, conf, seconds, **kw):
        return retry(lambda: self._live(pcap, conf, seconds, **kw))

    def _replay(self, pcap, conf, flow_log=None):
        cmd = [self.aduana, "--replay", pcap, "-c", conf, "-q"]
        if flow_log:
            cmd += ["--flow-log", flow_log]
        r = Run(cmd)
        s = r.summary()
        if r.rc != 0 or not s:
            r.fail("aduana replay")
        sc = r.summary_sched()
        run_s = sc[0] / 1e9 if sc else float("nan")
        return {"summary": s, "cyc_tool": s["cycles_per_packet"], "pps_tool": s["pps"],
                "worker_run_s": run_s, "worker_runq_s": sc[1] / 1e9 if sc else float("nan"),
                "total_cycles_tool": s["cycles_per_packet"] * s["rx"], "rx": s["rx"],
                "maxrss_kb": r.maxrss_kb, "wall": r.wall}

    def ndpireader(self, pcap):
        before = litter_before()
        r = Run(["ndpiReader", "-i", pcap], thread="-", cpu_list="1")
        litter_clean(before)
        txt = r.text()
        m = re.search(r"nDPI throughput:\s+([\d.]+) ([KMG]?) ?pps", txt)
        pk = re.search(r"IP packets:\s+(\d+)\s+of (\d+) packets total", txt)
        setup = re.search(r"Setup Time:\s+(\d+) msec", txt)
        proc = re.search(r"Packet Processing Time:\s+(\d+) msec", txt)
        if r.rc != 0 or not m or not pk:
            r.fail("ndpiReader")
        mult = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
        total = int(pk.group(2))
        setup_s = int(setup.group(1)) / 1e3 if setup else 0.0
        return {"pps_tool": float(m.group(1)) * mult, "packets": total,
                "cpu_s": r.cpu_s, "setup_s": setup_s,
                "proc_s": int(proc.group(1)) / 1e3 if proc else None,
                "pps_oncpu": total / max(r.cpu_s - setup_s, 1e-9), "maxrss_kb": r.maxrss_kb}


def retry(fn, tries=2):
    """A run that fails (a crash, a machine hiccup) is tried once more; the
    second failure ends the benchmark with the tool's output."""
    for k in range(tries):
        try:
            return fn()
        except RuntimeError as e:
            if k == tries - 1:
                raise
            log("run failed, trying again: %s" % str(e).splitlines()[0][:200])


def med(xs):
    xs = [x for x in xs if x is not None and x == x]
    return statistics.median(xs) if xs else None


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * q
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


# --------------------------------------------------------------- figures

def fig_ladder(b, res):
    a = b.a
    sizes = ["64", "imix"]
    steps = [
        ("passthrough (no zone)", "udp", "passthrough.conf"),
        ("strict zone, decided flows", "udp", "strict.conf"),
        ("strict zone, first-packet drops", "syn", "strict.conf"),
        ("classify-all (nDPI)", "tcp", "classify-live.conf"),
        ("classify-all + Hyperscan lists", "tcp", "classify-hs-live.conf"),
    ]
    raw = {s: {"floor": []} for s in sizes}
    for s in sizes:
        for name, _, _ in steps:
            raw[s][name] = []
            raw[s]["stages:" + name] = []
    for rep in range(a.runs):
        for s in sizes:
            log("ladder %s run %d/%d" % (s, rep + 1, a.runs))
            raw[s]["floor"].append(b.testpmd(os.path.join(b.pd, "udp-%s.pcap" % s), a.tp_periods))
            for name, kind, conf in steps:
                raw[s][name].append(b.live(os.path.join(b.pd, "%s-%s.pcap" % (kind, s)),
                                           os.path.join(b.pd, conf), a.live_seconds))
                # The same step again with --stage-cycles: the split, and
                # its own on-CPU figure (the stamps' cost, measured).
                raw[s]["stages:" + name].append(b.live(os.path.join(b.pd, "%s-%s.pcap" % (kind, s)),
                                                       os.path.join(b.pd, conf), a.live_seconds,
                                                       stages=True))
    rows = []
    for s in sizes:
        label = "64B" if s == "64" else "IMIX"
        fl = raw[s]["floor"]
        f_cyc = med([x["cyc_oncpu"] for x in fl])
        f_mpps = med([x["mpps_oncpu"] for x in fl])
        rows.append({"group": "ladder", "figure": "floor: testpmd io, %s" % label,
                     "cyc_tool": med([x["cyc_tool"] for x in fl]), "cyc_oncpu": f_cyc,
                     "mpps_oncpu": f_mpps, "mpps_wall": med([x["mpps_wall"] for x in fl]),
                     "baseline": "-", "ratio": 1.0, "ratio_kind": "x floor cycles",
                     "cpu_share": med([x["cpu_share"] for x in fl]), "runs": fl})
        for name, kind, conf in steps:
            xs = raw[s][name]
            c = med([x["cyc_oncpu"] for x in xs])
            rows.append({"group": "ladder", "figure": "%s, %s" % (name, label),
                         "cyc_tool": med([x["cyc_tool"] for x in xs]), "cyc_oncpu": c,
                         "mpps_oncpu": med([x["mpps_oncpu"] for x in xs]),
                         "mpps_wall": med([x["mpps_wall"] for x in xs]),
                         "baseline": "testpmd %s" % label, "base_cyc": f_cyc, "base_mpps": f_mpps,
                         "ratio": c / f_cyc if c and f_cyc else None, "ratio_kind": "x floor cycles",
                         "cpu_share": med([x["cpu_share"] for x in xs]),
                         "capture": "%s-%s.pcap" % (kind, s), "config": conf, "runs": xs})
            ts = raw[s]["stages:" + name]
            st = {k: med([x["stages"]["net"][k] for x in ts]) for k in STAGES}
            res.setdefault("stages", []).append({
                "figure": "%s, %s" % (name, label), "net": st, "net_sum": sum(st.values()),
                "stamps": med([x["stages"]["stamps_cyc_per_pkt"] for x in ts]),
                "unattributed": med([x["stages"]["unattributed"] for x in ts]),
                "oncpu_timed": med([x["cyc_oncpu"] for x in ts]), "oncpu": c,
                "floor": f_cyc, "runs": [x["stages"] for x in ts]})
    res["figures"] += rows


def fig_peer(b, res):
    a = b.a
    pcap = os.path.join(b.pd, "peer.pcap")
    if not os.path.exists(pcap):
        res["notes"].append("peer: skipped, no capture (shared nDPI corpus absent)")
        log("peer: skipped (no corpus)")
        return
    nd, ad = [], []
    for rep in range(a.runs):
        log("peer run %d/%d" % (rep + 1, a.runs))
        nd.append(b.ndpireader(pcap))
        ad.append(b.replay(pcap, os.path.join(b.pd, "classify-any.conf")))
    n_pps = med([x["pps_oncpu"] for x in nd])
    a_pps = med([x["rx"] / x["worker_run_s"] for x in ad])
    res["figures"].append({
        "group": "peer", "figure": "peer: aduana --replay classify-all, corpus x%d" % a.copies,
        "cyc_tool": med([x["cyc_tool"] for x in ad]),
        "cyc_oncpu": med([b.tsc_hz * x["worker_run_s"] / x["rx"] for x in ad]),
        "mpps_oncpu": a_pps / 1e6, "mpps_wall": med([x["pps_tool"] for x in ad]) / 1e6,
        "baseline": "ndpiReader", "base_cyc": b.tsc_hz / n_pps, "base_mpps": n_pps / 1e6,
        "base_mpps_wall": med([x["pps_tool"] for x in nd]) / 1e6,
        "ratio": a_pps / n_pps, "ratio_kind": "x ndpiReader pps",
        "ratio_wall": med([x["pps_tool"] for x in ad]) / med([x["pps_tool"] for x in nd]),
        "packets": ad[0]["rx"], "flows": ad[0]["summary"]["flows"],
        "classified": ad[0]["summary"]["classified"], "runs_aduana": ad, "runs_ndpi": nd})


def fig_scaling(b, res):
    a = b.a
    conf = os.path.join(b.pd, "scale.conf")
    sizes = a.scale_flows
    raw = {n: {"P": [], "2P": []} for n in sizes}
    fwd = []
    for rep in range(a.runs):
        for n in sizes:
            log("scaling %d flows run %d/%d" % (n, rep + 1, a.runs))
            for k in ("P", "2P"):
                raw[n][k].append(b.replay(os.path.join(b.pd, "scale-%d-%s.pcap" % (n, k)), conf))
        fwd.append(b.replay(os.path.join(b.pd, "scale-%d-2P.pcap" % sizes[0]),
                            os.path.join(b.pd, "scale-pass.conf")))
    out = {}
    for n in sizes:
        p, q = raw[n]["P"], raw[n]["2P"]
        rxp, rxq = p[0]["rx"], q[0]["rx"]
        # The summary's cycles (worker TSC on packets, the issue's
        # definition), differenced per pair of runs made back to back;
        # the median pair is the figure, and the spread of the pairs says
        # whether the difference stands out of the noise (flow creation
        # dominates the runs with many flows and varies with the load).
        diffs = sorted((y["total_cycles_tool"] - x["total_cycles_tool"]) / (rxq - rxp)
                       for x, y in zip(p, q))
        steady_tool = statistics.median(diffs)
        lo, hi = pct(diffs, 0.25), pct(diffs, 0.75)
        tool_p = med([x["total_cycles_tool"] for x in p])
        out[n] = {"flows": n, "packets_P": rxp, "packets_2P": rxq,
                  "steady_cyc_tool": steady_tool, "steady_pairs": diffs,
                  "steady_iqr": [lo, hi],
                  "steady_reliable": len(diffs) > 1 and steady_tool > 0 and (hi - lo) < 0.5 * steady_tool,
                  "avg_cyc_tool_2P": med([x["cyc_tool"] for x in q]),
                  "first_pass_cyc_tool": tool_p / rxp,
                  "creation_cyc_per_flow": (tool_p - steady_tool * rxp) / n,
                  # whole worker, on-CPU (rx from the pcap file, merge,
                  # housekeeping, flush included): for information only
                  "worker_oncpu_cyc_2P": med([b.tsc_hz * x["worker_run_s"] / x["rx"] for x in q]),
                  "maxrss_kb_P": med([x["maxrss_kb"] for x in p]),
                  "runs_P": p, "runs_2P": q}
    base = out[sizes[0]]
    for n in sizes:
        o = out[n]
        o["ratio_tool"] = o["steady_cyc_tool"] / base["steady_cyc_tool"]
        res["figures"].append({
            "group": "scaling", "figure": "flow scaling: %s concurrent flows (steady)" % human(n),
            "cyc_tool": o["steady_cyc_tool"], "cyc_oncpu": o["worker_oncpu_cyc_2P"],
            "mpps_oncpu": None, "mpps_wall": None, "baseline": "%s flows" % human(sizes[0]),
            "base_cyc": base["steady_cyc_tool"], "ratio": o["ratio_tool"],
            "ratio_kind": "x cycles of %s flows" % human(sizes[0]),
            "note": "(1st pass - steady) %.0f cycles/flow; pairs IQR %.0f..%.0f%s" % (
                o["creation_cyc_per_flow"], o["steady_iqr"][0], o["steady_iqr"][1],
                "" if o["steady_reliable"] else " (noise > signal)")})
    f_tool = med([x["cyc_tool"] for x in fwd])
    d_tool = med([x["cyc_tool"] for x in raw[sizes[0]]["2P"]])
    res["scaling"] = {str(k): v for k, v in out.items()}
    res["replay_tx_pcap"] = {"forward_cyc_tool": f_tool, "drop_cyc_tool": d_tool,
                             "forward_cyc_oncpu": med([b.tsc_hz * x["worker_run_s"] / x["rx"] for x in fwd]),
                             "drop_cyc_oncpu": med([b.tsc_hz * x["worker_run_s"] / x["rx"]
                                                    for x in raw[sizes[0]]["2P"]]),
                             "runs": fwd}
    res["figures"].append({
        "group": "scaling", "figure": "replay: forward to tx pcap vs drop, %s flows" % human(sizes[0]),
        "cyc_tool": f_tool, "cyc_oncpu": res["replay_tx_pcap"]["forward_cyc_oncpu"],
        "mpps_oncpu": None, "mpps_wall": med([x["pps_tool"] for x in fwd]) / 1e6,
        "baseline": "same, dropped", "base_cyc": res["replay_tx_pcap"]["drop_cyc_oncpu"],
        "ratio": res["replay_tx_pcap"]["forward_cyc_oncpu"] / res["replay_tx_pcap"]["drop_cyc_oncpu"],
        "ratio_kind": "x cycles of dropping",
        "note": "whole run incl. flow creation; net_pcap writes every forwarded packet"})


def fig_memory(b, res):
    fm = os.path.join(b.pd, "flowmem")
    out = {}
    for cap in (1024, 1048576):
        r = subprocess.run([fm, str(cap), os.path.join(ROOT, "conf/classes.conf"),
                            os.path.join(ROOT, "conf/lists")], capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            res["notes"].append("flowmem failed: " + r.stderr.strip()[-200:])
            return
        out[str(cap)] = json.loads(r.stdout.strip().splitlines()[-1])
    res["memory"] = {"flowmem": out}
    # nDPI state is per undecided flow only: more flows classified than
    # the pool has slots, with no classifier_alloc exception.
    pcap = os.path.join(b.pd, "freed.pcap")
    if os.path.exists(pcap):
        r = b.replay(pcap, os.path.join(b.pd, "freed.conf"))
        s = r["summary"]
        pool = min(131072, 65536)
        out2 = {"flows": s["flows"], "classified": s["classified"], "cls_pool_slots": pool,
                "classifier_alloc_drops": s["drops"]["classifier_alloc"],
                "freed_after_verdict": s["classified"] > pool and s["drops"]["classifier_alloc"] == 0}
        res["memory"]["ndpi_freed"] = out2


def fig_verdict(b, res):
    pcap = os.path.join(b.pd, "corpus.pcap")
    if not os.path.exists(pcap):
        res["notes"].append("packets to verdict: skipped (shared nDPI corpus absent)")
        return
    fl = os.path.join(b.pd, "verdict-flows.jsonl")
    if os.path.exists(fl):
        os.unlink(fl)
    b.replay(pcap, os.path.join(b.pd, "verdict.conf"), flow_log=fl)
    by = {}
    with open(fl) as f:
        for line in f:
            r = json.loads(line)
            if r.get("reason", "").startswith("exception:") and r["reason"] != "exception:giveup":
                key = r["reason"]
            else:
                key = r.get("class") or "none"
            by.setdefault(key, []).append(r["pkts_to_verdict"])
    res["pkts_to_verdict"] = {k: {"flows": len(v), "median": med(v), "p95": pct(v, 0.95), "max": max(v)}
                              for k, v in sorted(by.items())}


def fig_flood(b, res):
    """Issue 7: a SYN flood from distinct outside sources at full rate on the
    outside port (flood.pcap, 16384 sources; the table holds 4096 flows, so
    every SYN is a new flow that evicts the oldest dropped one), alone and
    with one allowed UDP flow at full rate on the inside port."""
    a = b.a
    pcap, allowed = os.path.join(b.pd, "flood.pcap"), os.path.join(b.pd, "allowed.pcap")
    conf = os.path.join(b.pd, "flood.conf")
    fl, alone, mixed = [], [], []
    for rep in range(a.runs):
        log("flood run %d/%d" % (rep + 1, a.runs))
        fl.append(b.testpmd(pcap, a.tp_periods, mbufs=32767))  # 16384 frames held by infinite_rx
        alone.append(b.live(pcap, conf, a.live_seconds, flood=True))
        mixed.append(b.live(pcap, conf, a.live_seconds, inside_pcap=allowed, flood=True))
    f_cyc = med([x["cyc_oncpu"] for x in fl])
    f_mpps = med([x["mpps_oncpu"] for x in fl])
    out = {}
    for key, xs, label in (("alone", alone, "SYN flood, outside, every SYN a new flow"),
                           ("with_allowed", mixed, "SYN flood + 1 allowed flow (50/50)")):
        sm = [x["summary"] for x in xs]
        o = {"cyc_tool": med([x["cyc_tool"] for x in xs]), "cyc_oncpu": med([x["cyc_oncpu"] for x in xs]),
             "cycles_per_new_flow": med([x["cycles_per_new_flow"] for x in sm]),
             "cycles_per_packet_base": med([x["cycles_per_packet_base"] for x in sm]),
             "flowlog_lines_per_s": med([x["flow_records"] / x["seconds"] for x in sm]),
             "flowlog_dropped_per_s": med([x["flowlog_dropped"] / x["seconds"] for x in sm]),
             "flowlog_dropped_share": med([x["flowlog_dropped"] / max(1, x["flowlog_dropped"] + x["flow_records"])
                                           for x in sm]),
             "new_flows_per_s": med([x["flows"] / x["seconds"] for x in sm]),
             "evicted_share": med([x["evicted"] / max(1, x["flows"]) for x in sm])}
        if key == "with_allowed":
            # The flood is all dropped and every flood SYN makes a flow; the
            # allowed flow is the inside port's traffic: its packets are tx.
            # It kept working when every packet that was not dropped went
            # out (tx = rx - dropped), it got about half of the polls, and
            # it never had to be made again (flows = flood drops + 1).
            o["allowed_tx"] = [x["tx"] for x in sm]
            o["allowed_share_of_rx"] = med([x["tx"] / x["rx"] for x in sm])
            # the allowed half forwarded, and every drop a policy drop of
            # the flood: none for a full table or an exception. (A flood
            # SYN may meet its own entry, or none past
            # dataplane.first_drop_records, so flows no longer equal drops.)
            o["allowed_kept_working"] = all(x["tx"] == x["rx"] - x["dropped"] and x["tx"] > 0.4 * x["rx"]
                                            and set(x["drops"]) <= {"default"}
                                            for x in sm)
        o["runs"] = xs
        out[key] = o
        res["figures"].append({
            "group": "flood", "figure": label, "cyc_tool": o["cyc_tool"], "cyc_oncpu": o["cyc_oncpu"],
            "mpps_oncpu": med([x["mpps_oncpu"] for x in xs]), "mpps_wall": med([x["mpps_wall"] for x in xs]),
            "baseline": "testpmd flood", "base_cyc": f_cyc, "base_mpps": f_mpps,
            "ratio": o["cyc_oncpu"] / f_cyc if o["cyc_oncpu"] and f_cyc else None,
            "ratio_kind": "x floor cycles", "capture": "flood.pcap", "config": "flood.conf"})
    out["floor"] = {"cyc_oncpu": f_cyc, "mpps_oncpu": f_mpps, "runs": fl}
    res["flood"] = out


def fig_conform(b, res):
    """Issue 8: lifelong TLS conformance. The same capture through an e2m
    endpoint that declares TLS and its hosts (classified, then checked for
    its whole life) and one that declares nothing (allowed at packet 1,
    never checked). Two captures, 256 long TLS sessions each, replayed
    (split by address): tls.pcap, one 1441-byte record per 1500-byte frame
    (every data segment carries a record header: the worst case, each one
    checksummed, docs/stream.md), and tls16k.pcap, 16 KiB records over 12
    frames (what TLS stacks send in bulk). Replay: cycles_per_packet leaves
    out the pcap read; cycles_per_packet_base also leaves out making flows
    and classifying, so it is the decided-flow path."""
    a = b.a
    res["conformance"] = {}
    for cap, label in (("tls", "1 record/frame (worst case)"), ("tls16k", "16 KiB records")):
        pcap = os.path.join(b.pd, cap + ".pcap")
        if not os.path.exists(pcap):
            continue
        raw = {"tls": [], "none": []}
        for rep in range(a.runs):
            log("conformance %s run %d/%d" % (cap, rep + 1, a.runs))
            for k in ("none", "tls"):
                raw[k].append(b.replay(pcap, os.path.join(b.pd, "conform-%s.conf" % k)))
        # The summary's cycles are TSC time, preemption included. The
        # worker's schedstat at exit gives its run and run-queue time: the
        # share of its time it ran scales them to on-CPU cycles (the same
        # assumption as the stage split: preemption lands in proportion).
        for x in raw["tls"] + raw["none"]:
            tot = x["worker_run_s"] + x["worker_runq_s"]
            x["cyc_proc_oncpu"] = x["cyc_tool"] * (x["worker_run_s"] / tot if tot > 0 else 1.0)
        o = {}
        for k, xs in raw.items():
            sm = [x["summary"] for x in xs]
            o[k] = {"cyc_tool": med([x["cyc_tool"] for x in xs]),
                    "cyc_proc_oncpu": med([x["cyc_proc_oncpu"] for x in xs]),
                    "cyc_base": med([x["cycles_per_packet_base"] for x in sm]),
                    "cyc_oncpu": med([b.tsc_hz * x["worker_run_s"] / x["rx"] for x in xs]),
                    "forwarded_all": all(x["tx"] == x["rx"] for x in sm), "runs": xs}
        # each run pairs a "none" and a "tls" replay made back to back: the
        # median of the per-pair ratios cancels load that moves between runs
        o["pair_ratios_tsc"] = sorted(t["cyc_tool"] / n["cyc_tool"] for t, n in zip(raw["tls"], raw["none"]))
        o["pair_ratios"] = sorted(t["cyc_proc_oncpu"] / n["cyc_proc_oncpu"]
                                  for t, n in zip(raw["tls"], raw["none"]))
        o["ratio_tool"] = med(o["pair_ratios"])
        # The bar (issue 8 item 4) is over the decided-flow path: the base
        # path of each run (summary cycles_per_packet_base: every packet,
        # without making flows or classifying, which the checked flows do
        # once each), paired run by run like the rest.
        o["pair_ratios_base"] = sorted(t["summary"]["cycles_per_packet_base"] /
                                       n["summary"]["cycles_per_packet_base"]
                                       for t, n in zip(raw["tls"], raw["none"]))
        o["ratio_base"] = med(o["pair_ratios_base"])
        o["capture"] = cap + ".pcap"
        res["conformance"][cap] = o
        for k, lab in (("none", "decided TLS flows, endpoint without apps"),
                       ("tls", "decided TLS flows, lifelong TLS check")):
            res["figures"].append({
                "group": "conformance", "figure": "%s, %s (replay)" % (lab, label),
                "cyc_tool": o[k]["cyc_tool"],
                "cyc_oncpu": o[k]["cyc_proc_oncpu"], "mpps_oncpu": None, "mpps_wall": None,
                "baseline": "no apps" if k == "tls" else "-",
                "base_cyc": o["none"]["cyc_proc_oncpu"] if k == "tls" else None,
                "ratio": o["ratio_tool"] if k == "tls" else 1.0,
                "ratio_kind": "x on-CPU cycles (median pair)",
                "note": "base path %.1f cyc/pkt" % o[k]["cyc_base"]})


def human(n):
    return "%dK" % (n // 1000) if n < 1000000 else "%dM" % (n // 1000000)


# --------------------------------------------------------------- output

def fmt(x, nd=1):
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return ("%." + str(nd) + "f") % x


def table(res):
    hdr = ["figure", "aduana cyc/pkt", "on-CPU cyc/pkt", "Mpps", "Mpps wall", "baseline",
           "base cyc/pkt", "base Mpps", "ratio"]
    rows = []
    for f in res["figures"]:
        rows.append([f["figure"], fmt(f.get("cyc_tool")), fmt(f.get("cyc_oncpu")),
                     fmt(f.get("mpps_oncpu"), 2), fmt(f.get("mpps_wall"), 2), f.get("baseline", "-"),
                     fmt(f.get("base_cyc")),
                     fmt(f.get("base_mpps"), 2),
                     (fmt(f.get("ratio"), 2) + " " + f.get("ratio_kind", "")) if f.get("ratio") else "-"])
    w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
    out = ["| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(hdr)) + " |",
           "|" + "|".join("-" * (x + 2) for x in w) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |")
    return "\n".join(out)


def targets(res):
    t = []
    fl = {f["figure"]: f for f in res["figures"]}
    for lab in ("64B", "IMIX"):
        f = fl.get("passthrough (no zone), %s" % lab)
        if f and f.get("ratio"):
            t.append({"target": "passthrough <= 2.5x testpmd cycles/pkt (%s)" % lab,
                      "value": round(f["ratio"], 2), "met": f["ratio"] <= 2.5})
    for lab in ("64B", "IMIX"):
        f = fl.get("strict zone, decided flows, %s" % lab)
        if f and f.get("ratio"):
            t.append({"target": "decided flows <= 2.0x testpmd on-CPU cycles/pkt (%s, issue 13)" % lab,
                      "value": round(f["ratio"], 2), "met": f["ratio"] <= 2.0})
        f = fl.get("strict zone, first-packet drops, %s" % lab)
        if f and f.get("ratio"):
            t.append({"target": "first-packet drops <= 4x testpmd on-CPU cycles/pkt (%s, issue 13)" % lab,
                      "value": round(f["ratio"], 2), "met": f["ratio"] <= 4.0})
    p = [f for f in res["figures"] if f["group"] == "peer"]
    if p:
        t.append({"target": "classify-everything >= 1.5x ndpiReader pps",
                  "value": round(p[0]["ratio"], 2), "met": p[0]["ratio"] >= 1.5})
        t.append({"target": "classification >= 2x ndpiReader pps (peer, issue 13)",
                  "value": round(p[0]["ratio"], 2), "met": p[0]["ratio"] >= 2.0})
    sc = res.get("scaling", {})
    big = [v for k, v in sc.items() if int(k) >= 1000000]
    if big:
        ok = big[0]["steady_reliable"] and sc[min(sc, key=int)]["steady_reliable"]
        t.append({"target": "1M flows <= 3x cycles/pkt of 1K", "value": round(big[0]["ratio_tool"], 2),
                  "met": big[0]["ratio_tool"] <= 3.0 if ok else "undetermined",
                  "detail": "per-pair steady estimates 1M: %s; 1K: %s" % (
                      ", ".join("%.0f" % d for d in big[0]["steady_pairs"]),
                      ", ".join("%.0f" % d for d in sc[min(sc, key=int)]["steady_pairs"]))})
    for cap, c in res.get("conformance", {}).items():
        t.append({"target": "lifelong TLS conformance <= +10%% cycles/pkt over the decided-flow path (%s)" % c["capture"],
                  "value": round(c["ratio_base"], 3), "met": c["ratio_base"] <= 1.10,
                  "detail": "base path %.1f vs %.1f cyc/pkt, median pair x%.3f (pairs %s); whole run with"
                            " classification x%.2f" % (
                      c["tls"]["cyc_base"], c["none"]["cyc_base"], c["ratio_base"],
                      " ".join("%.3f" % x for x in c["pair_ratios_base"]), c["ratio_tool"])})
    fd = res.get("flood", {}).get("with_allowed")
    if fd:
        t.append({"target": "allowed flow keeps working under a SYN flood",
                  "value": "%.0f%% of rx forwarded" % (100 * fd["allowed_share_of_rx"]),
                  "met": fd["allowed_kept_working"]})
    mem = res.get("memory", {}).get("flowmem", {}).get("1048576")
    if mem:
        v = mem["table_bytes_per_flow"]
        t.append({"target": "memory per decided flow < 384 B (flow table, 1M)",
                  "value": round(v, 1), "met": v < 384,
                  "detail": "hash + flow array, measured on the DPDK heap; struct flow %d B; "
                            "the nDPI state (%d B) is freed at the verdict" %
                            (mem["flow_struct_bytes"], mem["cls_slot_bytes"])})
    return t


def machine(a_build):
    cpu, flags = "?", []
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "?":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                have = set(line.split(":", 1)[1].split())
                # what the fast path's cost depends on
                flags = [x for x in ("sse4_2", "avx2", "avx512f", "avx512bw", "avx512vl", "bmi2",
                                     "constant_tsc", "nonstop_tsc", "hypervisor") if x in have]

    def ver(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip() or "?"
        except OSError:
            return "?"

    def git(*args):
        r = subprocess.run(["git"] + list(args), capture_output=True, text=True, cwd=ROOT)
        return r.stdout.strip()

    dirty = git("status", "--porcelain", "--", "dataplane", "classifiers", "policy", "Makefile")
    src = {"commit": git("rev-parse", "--short", "HEAD"),
           "uncommitted_changes": [l[3:] for l in dirty.splitlines()],
           "binary_sha256": subprocess.run(["sha256sum", a_build],
                                           capture_output=True, text=True).stdout.split()[:1]}
    cache = {}
    for idx in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*"):
        try:
            lv = open(idx + "/level").read().strip()
            ty = open(idx + "/type").read().strip()
            cache["L%s%s" % (lv, "d" if ty == "Data" else "i" if ty == "Instruction" else "")] = \
                open(idx + "/size").read().strip()
        except OSError:
            pass
    return {"cpu": cpu, "flags": flags, "cache": cache, "cpus": os.cpu_count(), "kernel": os.uname().release, "source": src,
            "loadavg_start": open("/proc/loadavg").read().split()[:3],
            "dpdk": ver(["pkg-config", "--modversion", "libdpdk"]),
            "ndpi": ver(["pkg-config", "--modversion", "libndpi"]),
            "hyperscan": ver(["pkg-config", "--modversion", "libhs"]),
            "hugepages": "none (--no-huge)", "nics": "none (net_pcap/net_null vdevs)"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--live-seconds", type=float, default=4.5)
    ap.add_argument("--tp-periods", type=int, default=4)
    ap.add_argument("--copies", type=int, default=40)
    ap.add_argument("--scale-flows", default="1000,100000,1000000")
    ap.add_argument("--only", default="ladder,peer,scaling,memory,verdict,flood,conform")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--results", default=os.path.join(ROOT, "perf", "results"))
    a = ap.parse_args()
    a.scale_flows = [int(x) for x in a.scale_flows.split(",")]
    b = Bench(a)
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "quick": a.quick, "runs": a.runs, "machine": machine(b.aduana), "figures": [], "notes": []}
    only = a.only.split(",")
    t0 = time.monotonic()
    # testpmd first: it tells the TSC frequency the cycle figures use.
    b.testpmd(os.path.join(b.pd, "udp-64.pcap"), 1, need_window=False)
    res["machine"]["tsc_mhz"] = b.tsc_hz / 1e6
    os.makedirs(a.results, exist_ok=True)
    name = datetime.datetime.now().strftime("%Y-%m-%d") + ("-quick" if a.quick else "")
    path = os.path.join(a.results, name + ".json")

    def save(final):
        res["complete"] = final
        with open(path + ".tmp", "w") as f:
            json.dump(res, f, indent=1, default=str)
        os.replace(path + ".tmp", path)

    for fig, fn in (("ladder", fig_ladder), ("peer", fig_peer), ("scaling", fig_scaling),
                    ("memory", fig_memory), ("verdict", fig_verdict), ("flood", fig_flood),
                    ("conform", fig_conform)):
        if fig in only:
            fn(b, res)
            save(False)  # a partial result survives a later failure
    res["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    res["seconds"] = round(time.monotonic() - t0, 1)
    res["targets"] = targets(res)
    res["table"] = table(res)

    print(res["table"])
    if res.get("stages"):
        print("\nper-stage split, cycles/packet (aduana --stage-cycles, the same live runs' window; each\n"
              "stage net of the stamps and scaled to the on-CPU time; perf/README.md):")
        print("| figure | " + " | ".join(STAGES) + " | sum | stamps | unattributed | on-CPU (stamped run) | on-CPU (plain run) | floor |")
        print("|---|" + "---|" * (len(STAGES) + 6))
        for g in res["stages"]:
            print("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |" % (
                g["figure"], " | ".join(fmt(g["net"][k]) for k in STAGES), g["net_sum"], g["stamps"],
                g["unattributed"], g["oncpu_timed"], g["oncpu"], g["floor"]))
    if "scaling" in res:
        print("\nflow scaling (aduana --replay, decided flows dropped after packet 1, table of %s slots):"
              % fmt(res["scaling_capacity"], 0) if "scaling_capacity" in res else "\nflow scaling:")
        print("| flows | steady cyc/pkt (median pair) | pairs, sorted | x 1K | 1st pass cyc/pkt | (1st pass - steady) per flow | 2P avg cyc/pkt | worker on-CPU cyc/pkt (all, 2P) |")
        print("|---|---|---|---|---|---|---|---|")
        for k, v in res["scaling"].items():
            print("| %s | %.1f%s | %s | %.2f | %.1f | %.0f | %.1f | %.0f |" % (
                human(int(k)), v["steady_cyc_tool"], "" if v["steady_reliable"] else " (noise > signal)",
                " ".join("%.0f" % d for d in v["steady_pairs"]), v["ratio_tool"],
                v["first_pass_cyc_tool"], v["creation_cyc_per_flow"], v["avg_cyc_tool_2P"],
                v["worker_oncpu_cyc_2P"]))
    if "pkts_to_verdict" in res:
        print("\npackets to verdict (shared corpus, classify-all, every class blocked):")
        print("| class | flows | median | p95 | max |\n|---|---|---|---|---|")
        for k, v in res["pkts_to_verdict"].items():
            print("| %s | %d | %s | %s | %d |" % (k, v["flows"], fmt(v["median"]), fmt(v["p95"]), v["max"]))
    if "memory" in res:
        m = res["memory"]["flowmem"].get("1048576")
        if m:
            print("\nmemory: flow table %.1f B/flow at 1M capacity (struct flow %d B); "
                  "classifier slot %d B, held only while a flow is undecided (pool %d slots)"
                  % (m["table_bytes_per_flow"], m["flow_struct_bytes"], m["cls_slot_bytes"], m["cls_pool_slots"]))
        fr = res["memory"].get("ndpi_freed")
        if fr:
            print("nDPI state freed at the verdict: %d flows classified through a %d-slot pool, "
                  "%d classifier_alloc drops -> %s" % (fr["classified"], fr["cls_pool_slots"],
                                                       fr["classifier_alloc_drops"],
                                                       "yes" if fr["freed_after_verdict"] else "NO"))
    if "flood" in res:
        print("\nSYN flood (live, outside port, full rate; flow log to /dev/null):")
        print("| run | cyc/pkt (summary) | on-CPU cyc/pkt | cycles_per_new_flow | new flows/s | evicted/flows | flow log lines/s | flowlog_dropped/s | dropped share |")
        print("|---|---|---|---|---|---|---|---|---|")
        for k in ("alone", "with_allowed"):
            v = res["flood"][k]
            print("| %s | %.1f | %.1f | %.0f | %.0f | %.3f | %.0f | %.0f | %.2f |" % (
                k, v["cyc_tool"], v["cyc_oncpu"], v["cycles_per_new_flow"], v["new_flows_per_s"],
                v["evicted_share"], v["flowlog_lines_per_s"], v["flowlog_dropped_per_s"], v["flowlog_dropped_share"]))
        v = res["flood"]["with_allowed"]
        print("allowed flow: tx %s, %.0f%% of rx, kept working: %s" % (
            v["allowed_tx"], 100 * v["allowed_share_of_rx"], v["allowed_kept_working"]))
    for cap, c in res.get("conformance", {}).items():
        print("\nlifelong TLS conformance (replay %s): on-CPU %.1f vs %.1f cyc/pkt, median pair x%.2f (pairs %s;"
              " TSC pairs %s); summary (TSC) %.1f vs %.1f; base path %.1f vs %.1f, median pair x%.3f (pairs %s)"
              % (c["capture"], c["tls"]["cyc_proc_oncpu"], c["none"]["cyc_proc_oncpu"], c["ratio_tool"],
                 " ".join("%.2f" % x for x in c["pair_ratios"]),
                 " ".join("%.2f" % x for x in c["pair_ratios_tsc"]), c["tls"]["cyc_tool"],
                 c["none"]["cyc_tool"], c["tls"]["cyc_base"], c["none"]["cyc_base"], c["ratio_base"],
                 " ".join("%.3f" % x for x in c["pair_ratios_base"])))
    print("\ntargets (issue 4, 7, 8):")
    for t in res["targets"]:
        state = t["met"] if isinstance(t["met"], str) else ("met" if t["met"] else "NOT met")
        print("  [%s] %s: %s%s" % (state, t["target"], t["value"],
                                  (" (" + t["detail"] + ")") if t.get("detail") else ""))
    for n in res["notes"]:
        print("note: " + n)
    print("machine: %s, %d CPUs, TSC %.0f MHz, flags %s, cache %s, DPDK %s, nDPI %s, Hyperscan %s; load %s -> %s; %.0f s"
          % (res["machine"]["cpu"], res["machine"]["cpus"], res["machine"]["tsc_mhz"],
             " ".join(res["machine"]["flags"]) or "-",
             " ".join("%s %s" % kv for kv in sorted(res["machine"]["cache"].items())) or "-",
             res["machine"]["dpdk"],
             res["machine"]["ndpi"], res["machine"]["hyperscan"], "/".join(res["machine"]["loadavg_start"]),
             "/".join(res["machine"]["loadavg_end"]), res["seconds"]))
    save(True)
    print("results: " + os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
