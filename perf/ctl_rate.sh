#!/usr/bin/env bash
# perf/ctl_rate.sh [FLOWS] - flow records per second through aduanad into
# SQLite, as a ratio to the rate at which the dataplane makes them, on the
# same capture in the same run (issue 10's figure). `make bench-ctl` runs it.
#
#   1. The dataplane alone replays a capture of FLOWS short flows (default
#      50000; perf/gen_bench.py scale) and writes its flow log: records per
#      second of its processing time (the summary's "seconds").
#   2. The same replay streams its records to aduanad (--ctl), which stores
#      them in SQLite (WAL, batched), exports JSON lines, and acknowledges.
#      aduanad's rate: records stored per second, from its first stored
#      record to the last, read from `aduanactl status` every 50 ms.
# Prints one JSON line with both rates, their ratio, the CPU and the load.
# The ratio says whether one aduanad keeps up with one dataplane's worst
# case (every record a new, short flow); below 1, the dataplane's bounded
# queue (65536 records) absorbs the difference for a while, then counts what
# it drops (docs/control.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FLOWS=${1:-50000}
PD=$BUILD/perf
mkdir -p "$PD"
P=$PD/ctl-$FLOWS.pcap
[ -s "$P" ] || /usr/bin/python3 perf/gen_bench.py scale --flows "$FLOWS" --passes 1 -o "$P" >/dev/null
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || :; done; rm -rf "$T"' EXIT
A=$BUILD/aduana; D=$BUILD/aduanad; C=$BUILD/aduanactl
sed -e "s|\"classes.conf\"|\"$PWD/conf/classes.conf\"|" -e "s|= \"lists\"|= \"$PWD/conf/lists\"|" \
	conf/aduana.conf >"$T/a.conf"

# 1. the dataplane alone
"$A" --replay "$P" -c "$T/a.conf" --flow-log "$T/f1.jsonl" -q >"$T/sum1" 2>"$T/err1"
n1=$(wc -l <"$T/f1.jsonl")
s1=$(grep '"summary"' "$T/sum1" | jq '.summary.seconds')

# 2. the same, streamed to aduanad
cat >"$T/d.conf" <<CF
dataplane = "$T/dp.sock";
socket = "$T/d.sock";
policy = "$T/a.conf";
store = { path = "$T/flows.db"; };
json = { path = "$T/out.jsonl"; max_mbytes = 0; };
CF
"$D" -c "$T/d.conf" 2>"$T/d.err" & pids+=($!)
"$A" --replay "$P" -c "$T/a.conf" --flow-log "$T/f2.jsonl" --ctl "$T/dp.sock" -q >"$T/sum2" 2>"$T/err2" &
dp=$!; pids+=($dp)
t_first=; t_last=; last=0; n2=$FLOWS
end=$((SECONDS + 300))
while [ $SECONDS -lt $end ]; do
	st=$("$C" --socket "$T/d.sock" status --json 2>/dev/null | jq '.records_stored // 0' 2>/dev/null || echo 0)
	now=$(date +%s.%N)
	if [ "$st" -gt 0 ] && [ -z "$t_first" ]; then t_first=$now; first=$st; fi
	if [ "$st" -gt "$last" ]; then t_last=$now; last=$st; fi
	if ! kill -0 "$dp" 2>/dev/null; then
		n2=$(wc -l <"$T/f2.jsonl")
		[ "$last" -ge "$n2" ] && break
	fi
	sleep 0.05
done
wait "$dp" || :
n2=$(wc -l <"$T/f2.jsonl")
dropped=$(grep -o '[0-9]* dropped (queue full)' "$T/err2" | cut -d' ' -f1)
python3 - "$n1" "$s1" "$n2" "$first" "$last" "$t_first" "$t_last" "${dropped:-?}" <<'PY'
import json, os, sys
n1, s1, n2, first, last, t0, t1, dropped = sys.argv[1:]
dp_rate = int(n1) / float(s1)
d_rate = (int(last) - int(first)) / (float(t1) - float(t0)) if float(t1) > float(t0) else 0.0
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(json.dumps({
    "figure": "aduanad records/s into SQLite vs the dataplane's record rate",
    "records": int(n1), "dataplane_records_per_s": round(dp_rate), "aduanad_records_per_s": round(d_rate),
    "ratio": round(d_rate / dp_rate, 3), "aduanad_stored": int(last), "stream_records": int(n2),
    "stream_dropped_queue_full": dropped, "cpu": cpu, "cpus": os.cpu_count(),
    "load": open("/proc/loadavg").read().split()[:3]}))
PY
