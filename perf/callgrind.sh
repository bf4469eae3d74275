#!/usr/bin/env bash
# perf/callgrind.sh - instructions per packet on the passthrough path, under
# callgrind: a regression guard that does not depend on the machine's load.
#
#   perf/callgrind.sh            measure and compare with perf/callgrind-baseline.txt;
#                                exit 1 when the count is more than 10% above it
#   perf/callgrind.sh --record   measure and write perf/callgrind-baseline.txt
#   perf/callgrind.sh --annotate measure and print the worker's top functions
#                                (inclusive instructions per packet)
#
# Method: `aduana --replay` of two captures made by perf/gen_bench.py, 1000
# UDP flows of 64-byte frames, N and 2N packets, through a config whose zone
# holds none of their addresses (passthrough). Only the worker lcore is
# counted (--toggle-collect=worker_main; the main lcore's polling would make
# the count depend on time), and per packet = (I(2N) - I(N)) / N, which
# cancels start-up and the exit flush.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
PY=/usr/bin/python3
PD=$ROOT/$BUILD/perf/callgrind
BASE=perf/callgrind-baseline.txt
N=${N:-20000}
TOL=${TOL:-10}
mode=check
case ${1:-} in
--record) mode=record ;;
--annotate) mode=annotate ;;
""|--check) ;;
-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
*) echo "callgrind.sh: unknown argument $1" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is missing (make deps)" >&2; exit 1; }
[ -x "$BUILD/aduana" ] || { echo "callgrind.sh: $BUILD/aduana not built (make)" >&2; exit 1; }
mkdir -p "$PD/empty-lists"

for k in 1 2; do
	n=$((k * N))
	[ -s "$PD/pass-$n.pcap" ] || $PY perf/gen_bench.py scale --flows 1000 --passes $((n / 1000)) -o "$PD/pass-$n.pcap"
done
cat >"$PD/pass.conf" <<EOF
# perf/callgrind.sh: no zone holds the capture's addresses (passthrough)
version = 1;
dataplane = { workers = 1; flows_per_worker = 65536; classify_packets = 32;
  timeouts = { tcp = 3600; tcp_closed = 10; udp = 120; icmp = 30; other = 60; }; };
log = { flow_log = ""; };
classes = "$ROOT/conf/classes.conf";
lists = "$PD/empty-lists";
endpoints = ( { name = "bench"; addresses = [ "198.51.100.0/24" ]; ports = [ 4000 ]; } );
profiles = ( { name = "strict"; default = "drop"; inbound = "drop"; on_giveup = "drop"; on_exception = "drop";
  allow = [ "bench" ]; block = [ ]; } );
zones = ( { name = "elsewhere"; subnets = [ "10.99.0.0/16" ]; profile = "strict"; } );
EOF

ir() { # N -> total Ir inside worker_main
	local n=$1 out="$PD/cg-$1.out"
	valgrind --tool=callgrind --toggle-collect=worker_main --callgrind-out-file="$out" \
		"$BUILD/aduana" --replay "$PD/pass-$n.pcap" -c "$PD/pass.conf" -q >"$PD/summary-$n.json" 2>"$PD/valgrind-$n.log" ||
		{ echo "callgrind.sh: valgrind run failed, see $PD/valgrind-$n.log" >&2; exit 1; }
	grep -q "\"rx\":$n," "$PD/summary-$n.json" ||
		{ echo "callgrind.sh: replay of $n packets did not process $n packets" >&2; cat "$PD/summary-$n.json" >&2; exit 1; }
	sed -n 's/^summary: *//p; s/^totals: *//p' "$out" | head -1
}
i1=$(ir $N)
i2=$(ir $((2 * N)))
per=$($PY -c "print('%.1f' % (($i2 - $i1) / $N))")
echo "callgrind: passthrough, 64 B UDP, 1000 flows: I($N)=$i1 I($((2 * N)))=$i2 -> $per instructions/packet"

if [ $mode = annotate ]; then
	# Inclusive per-function cost of the difference, per packet.
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$PD/cg-$N.out" >"$PD/ann-1.txt" 2>/dev/null
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$PD/cg-$((2 * N)).out" >"$PD/ann-2.txt" 2>/dev/null
	$PY - "$PD/ann-1.txt" "$PD/ann-2.txt" "$N" <<'EOF'
import re, sys
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S.*?)(?: \[.*\])?$", line)
        if m and not m.group(2).startswith(("=>", "PROGRAM TOTALS")):
            # The same function may be listed under two spellings of its
            # file (inlined parts): keep the larger count.
            name = m.group(2)
            key = name.split(":", 1)[1] if ":" in name and not name.startswith("???") else name
            d[key] = max(d.get(key, 0), int(m.group(1).replace(",", "")))
    return d
a, b, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
rows = sorted(((b[k] - a.get(k, 0)) / n, k) for k in b)
rows = [r for r in rows if r[0] >= 1][::-1]
print("inclusive instructions per packet (function: per packet)")
for v, k in rows[:40]:
    print("%9.1f  %s" % (v, k))
EOF
fi

if [ $mode = record ]; then
	cat >"$BASE" <<EOF
# perf/callgrind.sh --record: worker instructions per packet, passthrough path
# (aduana --replay, 64 B UDP, 1000 flows, (I(2N)-I(N))/N with N=$N).
# perf/callgrind.sh fails when the current count exceeds this by more than $TOL%.
# recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- dataplane classifiers policy 2>/dev/null || echo ' (+ uncommitted changes)'), valgrind $(valgrind --version)
passthrough_instructions_per_packet $per
EOF
	echo "callgrind: recorded $per in $BASE"
	exit 0
fi
if [ $mode = check ]; then
	[ -f "$BASE" ] || { echo "callgrind.sh: no $BASE (run perf/callgrind.sh --record)" >&2; exit 1; }
	base=$(awk '/^passthrough_instructions_per_packet/ {print $2}' "$BASE")
	if $PY -c "import sys; sys.exit(0 if $per <= $base * (1 + $TOL / 100) else 1)"; then
		echo "callgrind: OK, $per <= $base + $TOL%"
	else
		echo "callgrind: REGRESSION, $per instructions/packet > $base + $TOL% (perf/callgrind-baseline.txt)" >&2
		exit 1
	fi
fi
