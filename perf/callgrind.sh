#!/usr/bin/env bash
# perf/callgrind.sh - instructions per packet on three decided-flow paths,
# under callgrind: a regression guard that does not depend on the machine's
# load.
#
#   perf/callgrind.sh            measure and compare with perf/callgrind-baseline.txt;
#                                exit 1 when a count is more than 10% above its own
#   perf/callgrind.sh --record   measure and write perf/callgrind-baseline.txt
#   perf/callgrind.sh --annotate measure and print the worker's top functions
#                                (inclusive instructions per packet)
#
# Method: `aduana --replay` of two captures made by perf/gen_bench.py, 1000
# UDP flows of 64-byte frames (10.10/16 -> 203.0.113/24), N and 2N packets,
# through three configs: a zone that holds none of their addresses
# (passthrough); a zone whose endpoint allows them at their first packet
# (endpoint); a zone whose default allows them once the budget of one
# packet is spent (office: every later datagram goes through the UDP late
# read's filter, judge_udp_late). Only the worker lcore is
# counted (--toggle-collect=worker_main; the main lcore's polling would make
# the count depend on time), and per packet = (I(2N) - I(N)) / N, which
# cancels start-up and the exit flush.
#
# Lifelong TLS conformance (issue 8), the same way: perf/gen_bench.py's TLS
# downloads (32 sessions; R and 2R records of 16 KiB over full frames, and
# R' and 2R' records of one frame each, the worst case: every server
# segment carries a record header, checksummed), through bench.sh's two
# e2m endpoints: one that declares TLS and its hosts (checked for the
# flow's whole life) and one that declares nothing (allowed at its first
# packet, never looked at again). Counted twice: the whole worker, and
# aduana's own code alone (the pcap PMD's reading and libc's copies left
# out, as bench.sh's base path leaves them out); the ratio of the latter
# is the cost of the check in instructions, which no machine's load moves.
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
conf() { # NAME ZONE_SUBNET DEFAULT ENDPOINT_ADDR CLASSIFY_PACKETS LISTS
	cat >"$PD/$1.conf" <<EOF
# perf/callgrind.sh: $1
version = 1;
dataplane = { workers = 1; flows_per_worker = 65536; classify_packets = $5;
  timeouts = { tcp = 3600; tcp_closed = 10; udp = 120; icmp = 30; other = 60; }; };
log = { flow_log = ""; };
classes = "$ROOT/conf/classes.conf";
lists = "$6";
endpoints = ( { name = "bench"; addresses = [ "$4" ]; ports = [ 4000 ]; } );
profiles = ( { name = "p"; default = "$3"; inbound = "drop"; on_giveup = "$3"; on_exception = "drop";
  allow = [ "bench" ]; block = [ "p2p", "vpn", "proxy" ]; } );
zones = ( { name = "z"; subnets = [ "$2" ]; profile = "p"; } );
EOF
}
conf pass 10.99.0.0/16 drop 198.51.100.0/24 32 "$PD/empty-lists" # no zone holds the addresses
conf endpoint 10.10.0.0/16 drop 203.0.113.0/24 32 "$ROOT/conf/lists"
conf office 10.10.0.0/16 allow 198.51.100.0/24 1 "$ROOT/conf/lists"
# shellcheck source=perf/e2m-conf.sh
. perf/e2m-conf.sh
conf2() { # NAME E2M_EXTRA (perf/bench.sh's conform-*.conf)
	e2m_conf "$PD/$1.conf" 16384 "$ROOT/conf/lists" "$2"
}
conf2 conform-tls 'hosts = [ "e2m.customs.example", "*.e2m.customs.example" ]; apps = [ "TLS" ];'
conf2 conform-none ''
# TLS captures: NAME RECORDS RECORD_SIZE (0: one record per frame)
tlscap() {
	[ -s "$PD/$1.pcap" ] || $PY perf/gen_bench.py tls --flows 32 --records $2 --record-size $3 -o "$PD/$1.pcap" >/dev/null
}
tlscap tls16k-1 33 16384
tlscap tls16k-2 66 16384
tlscap tls1-1 200 0
tlscap tls1-2 400 0

ir() { # N CONF -> total Ir inside worker_main
	local n=$1 c=$2 out="$PD/cg-$2-$1.out"
	valgrind --tool=callgrind --toggle-collect=worker_main --callgrind-out-file="$out" \
		"$BUILD/aduana" --replay "$PD/pass-$n.pcap" -c "$PD/$c.conf" -q >"$PD/summary-$c-$n.json" 2>"$PD/valgrind-$c-$n.log" ||
		{ echo "callgrind.sh: valgrind run failed, see $PD/valgrind-$c-$n.log" >&2; exit 1; }
	grep -q "\"rx\":$n," "$PD/summary-$c-$n.json" ||
		{ echo "callgrind.sh: replay of $n packets did not process $n packets" >&2; cat "$PD/summary-$c-$n.json" >&2; exit 1; }
	sed -n 's/^summary: *//p; s/^totals: *//p' "$out" | head -1
}
# ir_tls CAPTURE CONF -> "RX TOTAL OWN": packets, worker instructions, and
# those in aduana's own code (the callgrind file's cost lines by object)
ir_tls() {
	local out="$PD/cg-$2-$1.out"
	valgrind --tool=callgrind --toggle-collect=worker_main --callgrind-out-file="$out" \
		"$BUILD/aduana" --replay "$PD/$1.pcap" -c "$PD/$2.conf" -q >"$PD/summary-$2-$1.json" 2>"$PD/valgrind-$2-$1.log" ||
		{ echo "callgrind.sh: valgrind run failed, see $PD/valgrind-$2-$1.log" >&2; return 1; }
	$PY -c "$IR_OWN" "$PD/summary-$2-$1.json" "$out" "$(readlink -f "$BUILD/aduana")"
}
IR_OWN='
import collections, json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["summary"]
# every packet forwarded: a drop would make the two configs take other paths
if s["tx"] != s["rx"]:
    sys.exit("callgrind.sh: %s: %d of %d packets forwarded" % (sys.argv[1], s["tx"], s["rx"]))
# Self cost per object, from the callgrind file itself: each cost line
# counts for the object of the function it is under ("ob="), but the line
# after "calls=" (a call'"'"'s inclusive cost); "(n) name" defines an id
# that later lines, "cob=" ones too, give alone.
names, cur, skip, per = {}, None, False, collections.Counter()
for line in open(sys.argv[2], errors="replace"):
    if line[0].isdigit() or line[0] in "+-*":
        if skip:
            skip = False
        else:
            f = line.split()
            if len(f) >= 2:
                per[cur] += int(f[1])
    elif line.startswith(("ob=", "cob=")):
        v = line.split("=", 1)[1].strip()
        if v.startswith("("):
            i, _, n = v.partition(")")
            if n.strip():
                names[i] = n.strip()
            v = names.get(i, i)
        if line.startswith("ob="):
            cur = v
    elif line.startswith("calls="):
        skip = True
own = per.get(sys.argv[3]) or max((v for k, v in per.items() if k and k.endswith("/aduana")), default=0)
print(s["rx"], sum(per.values()), own)
'
ROWS="pass endpoint office"
declare -A PER LABEL=([pass]="passthrough" [endpoint]="zone, an endpoint's decided flows" [office]="zone, its default's decided flows (UDP late read)")
for c in $ROWS; do
	i1=$(ir $N $c)
	i2=$(ir $((2 * N)) $c)
	PER[$c]=$($PY -c "print('%.1f' % (($i2 - $i1) / $N))")
	echo "callgrind: ${LABEL[$c]}, 64 B UDP, 1000 flows: I($N)=$i1 I($((2 * N)))=$i2 -> ${PER[$c]} instructions/packet"
done
TROWS="conform16k_none conform16k_tls conform1_none conform1_tls"
LABEL+=([conform16k_none]="TLS download, 16 KiB records, e2m without apps (own code)"
	[conform16k_tls]="TLS download, 16 KiB records, lifelong TLS check (own code)"
	[conform1_none]="TLS download, a record a frame, e2m without apps (own code)"
	[conform1_tls]="TLS download, a record a frame, lifelong TLS check (own code)")
for c in $TROWS; do
	cap=${c%%_*}
	cap=tls${cap#conform}
	k=conform-${c#*_}
	# the two lengths side by side (two CPUs)
	ir_tls $cap-1 $k >"$PD/ir-$c-1" &
	p1=$!
	ir_tls $cap-2 $k >"$PD/ir-$c-2" &
	p2=$!
	{ wait $p1 && wait $p2; } || exit 1
	read -r n1 t1 o1 <"$PD/ir-$c-1"
	read -r n2 t2 o2 <"$PD/ir-$c-2"
	PER[$c]=$($PY -c "print('%.1f' % (($o2 - $o1) / ($n2 - $n1)))")
	PER[${c}_all]=$($PY -c "print('%.1f' % (($t2 - $t1) / ($n2 - $n1)))")
	echo "callgrind: ${LABEL[$c]}: ${PER[$c]} instructions/packet (whole worker ${PER[${c}_all]})"
done
for s in 16k 1; do
	echo "callgrind: lifelong TLS conformance, $([ $s = 16k ] && echo '16 KiB records' || echo 'a record a frame'):" \
		"x$($PY -c "print('%.3f' % (${PER[conform${s}_tls]} / ${PER[conform${s}_none]}))") instructions/packet in aduana's own code" \
		"(whole worker x$($PY -c "print('%.3f' % (${PER[conform${s}_tls_all]} / ${PER[conform${s}_none_all]}))"))"
done
ROWS="$ROWS $TROWS"

if [ $mode = annotate ]; then
	# Inclusive per-function cost of the difference, per packet.
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$PD/cg-pass-$N.out" >"$PD/ann-1.txt" 2>/dev/null
	callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$PD/cg-pass-$((2 * N)).out" >"$PD/ann-2.txt" 2>/dev/null
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
# perf/callgrind.sh --record: worker instructions per packet, three paths
# (aduana --replay, 64 B UDP, 1000 flows, (I(2N)-I(N))/N with N=$N).
# perf/callgrind.sh fails when a current count exceeds its own by more than $TOL%.
# recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) at $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- dataplane classifiers policy 2>/dev/null || echo ' (+ uncommitted changes)'), valgrind $(valgrind --version)
passthrough_instructions_per_packet ${PER[pass]}
endpoint_instructions_per_packet ${PER[endpoint]}
office_instructions_per_packet ${PER[office]}
# TLS downloads (32 sessions), instructions/packet in aduana's own code
$(for c in $TROWS; do echo "${c}_instructions_per_packet ${PER[$c]}"; done)
EOF
	echo "callgrind: recorded ${PER[pass]}, ${PER[endpoint]}, ${PER[office]}, $(for c in $TROWS; do printf '%s ' "${PER[$c]}"; done)in $BASE"
	exit 0
fi
if [ $mode = check ]; then
	[ -f "$BASE" ] || { echo "callgrind.sh: no $BASE (run perf/callgrind.sh --record)" >&2; exit 1; }
	bad=0
	for c in $ROWS; do
		key=$([ $c = pass ] && echo passthrough || echo $c)_instructions_per_packet
		base=$(awk -v k=$key '$1 == k {print $2}' "$BASE")
		if [ -z "$base" ]; then
			echo "callgrind.sh: no $key in $BASE (run perf/callgrind.sh --record)" >&2
			bad=1
		elif $PY -c "import sys; sys.exit(0 if ${PER[$c]} <= $base * (1 + $TOL / 100) else 1)"; then
			echo "callgrind: OK, ${LABEL[$c]}: ${PER[$c]} <= $base + $TOL%"
		else
			echo "callgrind: REGRESSION, ${LABEL[$c]}: ${PER[$c]} instructions/packet > $base + $TOL% (perf/callgrind-baseline.txt)" >&2
			bad=1
		fi
	done
	exit $bad
fi
