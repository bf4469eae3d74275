#!/usr/bin/env bash
# perf/bench_classify.sh [--runs N] [--copies N] [--compare BIN]
#
# The peer figure alone (issue 13 item 5): classify every flow of the
# shared nDPI corpus (COPIES copies with rewritten addresses, as
# perf/bench.sh builds peer.pcap) with aduana --replay and with ndpiReader,
# side by side, medians of N runs (default 5). --compare BIN measures
# another aduana binary in the same rounds (say, a build of an older
# commit). Prints the machine, the load and one table; the raw runs go to
# $BUILD/perf-classify/result.json. Needs the corpus (../shared/corpus/ndpi).
set -eu -o pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
PY=/usr/bin/python3
PD=$BUILD/perf-classify
CORPUS=${CORPUS:-$ROOT/../shared/corpus/ndpi}
runs=5
copies=${COPIES:-10}
compare=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--copies) copies=$2; shift ;;
	--compare) compare=$2; shift ;;
	-h|--help) sed -n '2,11p' "$0"; exit 0 ;;
	*) echo "bench_classify.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
for t in ndpiReader tcprewrite mergecap editcap; do
	command -v $t >/dev/null || { echo "bench_classify.sh: $t is missing (make deps)" >&2; exit 1; }
done
ls "$CORPUS"/*.pcap* >/dev/null 2>&1 || { echo "bench_classify.sh: no corpus at $CORPUS" >&2; exit 1; }
[ -x "$BUILD/aduana" ] || { echo "bench_classify.sh: $BUILD/aduana not built (make)" >&2; exit 1; }
mkdir -p "$PD"
# bench_run.Bench keeps its copy of the binary in $BUILD/perf.
mkdir -p "$BUILD/perf"

if [ ! -s "$PD/peer.pcap" ] || [ "$(cat "$PD/peer.copies" 2>/dev/null)" != "$copies" ]; then
	rm -rf "$PD/corpus.d" && mkdir -p "$PD/corpus.d"
	for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
		[ -e "$f" ] || continue
		b=$(basename "$f"); b=${b%.pcapng}; b=${b%.pcap}
		editcap -F pcap "$f" "$PD/corpus.d/$b.pcap"
	done
	$PY perf/gen_bench.py corpus "$PD"/corpus.d/*.pcap -o "$PD/corpus.pcap"
	parts=("$PD/corpus.pcap")
	for i in $(seq 1 $((copies - 1))); do
		tcprewrite --seed=$i --infile="$PD/corpus.pcap" --outfile="$PD/corpus.d/copy$i.pcap"
		parts+=("$PD/corpus.d/copy$i.pcap")
	done
	mergecap -a -F pcap -w "$PD/peer.pcap" "${parts[@]}"
	rm -rf "$PD/corpus.d"
	echo "$copies" >"$PD/peer.copies"
fi

# The same config as perf/bench.sh's classify-any.conf.
cat >"$PD/classify-any.conf" <<EOF
# perf/bench_classify.sh: every flow is classified
version = 1;
dataplane = { workers = 1; flows_per_worker = 262144; classify_packets = 32;
  timeouts = { tcp = 3600; tcp_closed = 10; udp = 120; icmp = 30; other = 60; }; };
log = { flow_log = ""; };
unzoned = "allow";
classes = "$ROOT/conf/classes.conf";
lists = "$ROOT/conf/lists";
profiles = ( { name = "office"; default = "allow"; inbound = "drop"; on_giveup = "allow"; on_exception = "allow";
    allow = [ ]; block = [ "p2p", "remote_access", "proxy" ]; } );
zones = ( { name = "bench"; subnets = [ "0.0.0.0/0", "::/0" ]; profile = "office"; } );
EOF

args=(--build "$BUILD" --runs "$runs" --pcap "$PD/peer.pcap" --conf "$PD/classify-any.conf"
	--json "$PD/result.json")
[ -z "$compare" ] || args+=(--compare "$compare")
exec $PY perf/bench_classify.py "${args[@]}"
