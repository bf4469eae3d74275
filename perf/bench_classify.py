#!/usr/bin/python3
"""bench_classify.py - the peer figure alone (issue 13 item 5): aduana
--replay with every flow classified against ndpiReader on the same capture,
alternating, medians of --runs runs; optionally a second aduana binary
(--compare) in the same rounds, for a before/after side by side.

Called by perf/bench_classify.sh once the capture and the config exist.
Measures as bench_run.py's fig_peer does: aduana's packets over the run
time of its worker thread (rte-worker-1, from schedstat), ndpiReader's
packets over its CPU time less its setup; also what each tool says.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_run as br  # noqa: E402


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--compare", help="another aduana binary, measured in the same rounds")
    ap.add_argument("--json", help="write the runs here")
    a = ap.parse_args()
    a.copies = 0
    b = br.Bench(a)
    bins = [("aduana", b.aduana)]
    if a.compare:
        cp = os.path.join(b.pd, "aduana.compare")
        subprocess.run(["cp", a.compare, cp], check=True)
        bins.append(("compare", cp))
    load0 = open("/proc/loadavg").read().split()[:3]
    runs = {"ndpiReader": []}
    for k, _ in bins:
        runs[k] = []
    for rep in range(a.runs):
        br.log("classify round %d/%d" % (rep + 1, a.runs))
        runs["ndpiReader"].append(b.ndpireader(a.pcap))
        for k, path in bins:
            b.aduana = path
            r = b.replay(a.pcap, a.conf)
            r.pop("summary_full", None)
            runs[k].append(r)
    load1 = open("/proc/loadavg").read().split()[:3]
    n_pps = br.med([x["pps_oncpu"] for x in runs["ndpiReader"]])
    out = {"cpu": cpu_model(), "nproc": os.cpu_count(), "loadavg_start": load0,
           "loadavg_end": load1, "runs": a.runs, "pcap": a.pcap,
           "packets": runs["ndpiReader"][0]["packets"], "ndpiReader_mpps_oncpu": n_pps / 1e6}
    print("machine: %s, %d CPUs; load %s at start, %s at end" %
          (out["cpu"], out["nproc"], " ".join(load0), " ".join(load1)))
    print("capture: %s, %d packets; medians of %d runs, alternating" %
          (a.pcap, out["packets"], a.runs))
    print("| binary | Mpps on-CPU | x ndpiReader | per-run ratios | cyc/pkt (tool) | "
          "cyc/classified pkt (tool) | flows | classified |")
    print("|---|---|---|---|---|---|---|---|")
    print("| ndpiReader | %.3f | 1.00 | | | | | |" % (n_pps / 1e6))
    for k, _ in bins:
        rs = runs[k]
        pps = [x["rx"] / x["worker_run_s"] for x in rs]
        per = [p / n["pps_oncpu"] for p, n in zip(pps, runs["ndpiReader"])]
        s = rs[0]["summary"]
        out[k] = {"mpps_oncpu": br.med(pps) / 1e6, "ratio": br.med(pps) / n_pps,
                  "ratios": per, "cyc_tool": br.med([x["cyc_tool"] for x in rs]),
                  "cyc_classified": br.med([x["summary"]["cycles_per_classified_packet"]
                                            for x in rs]),
                  "flows": s["flows"], "classified": s["classified"],
                  "ndpi_heap": s.get("ndpi_heap")}
        print("| %s | %.3f | %.2f | %s | %.1f | %.1f | %d | %d |" % (
            k, out[k]["mpps_oncpu"], out[k]["ratio"], " ".join("%.2f" % x for x in sorted(per)),
            out[k]["cyc_tool"], out[k]["cyc_classified"], s["flows"], s["classified"]))
    if a.json:
        out["raw"] = runs
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, default=str)


if __name__ == "__main__":
    main()
