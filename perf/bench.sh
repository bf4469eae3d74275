#!/usr/bin/env bash
# perf/bench.sh - aduana's benchmarks (issue 4, DESIGN 7). `make bench` runs it.
#
#   perf/bench.sh            every figure, 5 runs each (about 10 minutes)
#   perf/bench.sh --quick    1 run each, small captures (a smoke test, about 3 minutes)
#   perf/bench.sh --only ladder,peer,scaling,memory,verdict,flood,conform   a subset
#
# Generates the captures into $BUILD/perf/ (perf/gen_bench.py; kept between
# runs while the generator is unchanged), writes the configs there, builds
# $BUILD/perf/flowmem, then runs perf/bench_run.py, which prints one table
# and writes it as JSON to perf/results/<date>.json. perf/README.md explains
# the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
PY=/usr/bin/python3
PD=$ROOT/$BUILD/perf
quick=0
only=ladder,peer,scaling,memory,verdict,flood,conform
runs=5
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; runs=1 ;;
	--only) only=$2; shift ;;
	--runs) runs=$2; shift ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

for t in dpdk-testpmd ndpiReader tcprewrite mergecap editcap stdbuf taskset; do
	command -v $t >/dev/null || { echo "bench.sh: $t is missing (make deps)" >&2; exit 1; }
done
$PY -c 'import scapy' 2>/dev/null || { echo "bench.sh: python3-scapy is missing (make deps)" >&2; exit 1; }
[ -x "$BUILD/aduana" ] || { echo "bench.sh: $BUILD/aduana not built (make)" >&2; exit 1; }
mkdir -p "$PD" "$PD/empty-lists"

if [ $quick = 1 ]; then
	scale_flows=1000,10000,100000; scale_total=200000; copies=5; live=4.5; freed_flows=70000
else
	scale_flows=1000,100000,1000000; scale_total=1000000; copies=40; live=4.5; freed_flows=100000
fi

# ---- captures (regenerated when the generator changes) ----
gen=$PY' perf/gen_bench.py'
stamp=$PD/.gen-$(sha256sum perf/gen_bench.py | cut -c1-12)
[ -e "$stamp" ] || rm -f "$PD"/*.pcap "$PD"/.gen-*
need() { [ -s "$1" ]; }
for size in 64 imix; do
	for kind in udp syn tcp; do
		need "$PD/$kind-$size.pcap" || $gen ladder --kind $kind --size $size --check -o "$PD/$kind-$size.pcap"
	done
done
need "$PD/flood.pcap" || $gen flood --frames 16384 --check -o "$PD/flood.pcap"
need "$PD/allowed.pcap" || $gen allowed --frames 32 -o "$PD/allowed.pcap"
need "$PD/tls.pcap" || $gen tls --flows 256 --records 395 --check -o "$PD/tls.pcap"
need "$PD/tls16k.pcap" || $gen tls --flows 256 --records 33 --record-size 16384 -o "$PD/tls16k.pcap"
IFS=, read -ra SF <<<"$scale_flows"
for n in "${SF[@]}"; do
	p=$(( scale_total / n )); [ $p -ge 1 ] || p=1
	need "$PD/scale-$n-P.pcap" && [ "$(cat "$PD/scale-$n-P.passes" 2>/dev/null)" = $p ] ||
		{ $gen scale --flows $n --passes $p -o "$PD/scale-$n-P.pcap" && echo $p >"$PD/scale-$n-P.passes"; }
	need "$PD/scale-$n-2P.pcap" && [ "$(cat "$PD/scale-$n-2P.passes" 2>/dev/null)" = $((2 * p)) ] ||
		{ $gen scale --flows $n --passes $((2 * p)) -o "$PD/scale-$n-2P.pcap" && echo $((2 * p)) >"$PD/scale-$n-2P.passes"; }
done
need "$PD/freed.pcap" && [ "$(cat "$PD/freed.flows" 2>/dev/null)" = $freed_flows ] ||
	{ $gen ladder --kind tcp --size imix --flows $freed_flows --group 1000 -o "$PD/freed.pcap" &&
	  echo $freed_flows >"$PD/freed.flows"; }

# The peer capture: the shared nDPI corpus as one Ethernet pcap (copy 0),
# plus copies with addresses rewritten by tcprewrite --seed so that every
# copy's flows are distinct.
CORPUS=${CORPUS:-$ROOT/../shared/corpus/ndpi}
if ls "$CORPUS"/*.pcap* >/dev/null 2>&1; then
	if ! need "$PD/peer.pcap" || [ "$(cat "$PD/peer.copies" 2>/dev/null)" != $copies ]; then
		rm -rf "$PD/corpus.d" && mkdir -p "$PD/corpus.d"
		for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
			[ -e "$f" ] || continue
			b=$(basename "$f"); b=${b%.pcapng}; b=${b%.pcap}
			editcap -F pcap "$f" "$PD/corpus.d/$b.pcap"
		done
		$gen corpus "$PD"/corpus.d/*.pcap -o "$PD/corpus.pcap"
		parts=("$PD/corpus.pcap")
		for i in $(seq 1 $((copies - 1))); do
			tcprewrite --seed=$i --infile="$PD/corpus.pcap" --outfile="$PD/corpus.d/copy$i.pcap"
			parts+=("$PD/corpus.d/copy$i.pcap")
		done
		mergecap -a -F pcap -w "$PD/peer.pcap" "${parts[@]}"
		rm -rf "$PD/corpus.d"
		echo $copies >"$PD/peer.copies"
	fi
else
	echo "bench.sh: no shared nDPI corpus at $CORPUS: the peer and packets-to-verdict figures are skipped" >&2
	rm -f "$PD/peer.pcap" "$PD/corpus.pcap"
fi
touch "$stamp"

# ---- configs ----
conf() { # NAME FLOWS ZONE_SUBNETS PROFILE LISTS_DIR
	cat >"$PD/$1" <<-EOF
	# perf/bench.sh: $1
	version = 1;
	dataplane = { workers = 1; flows_per_worker = $2; classify_packets = 32;
	  timeouts = { tcp = 3600; tcp_closed = 10; udp = 120; icmp = 30; other = 60; }; };
	log = { flow_log = ""; };
	# Live rows feed one port with both directions: let hosts in no zone
	# through (passthrough rows) rather than measure the unzoned drop.
	unzoned = "allow";
	classes = "$ROOT/conf/classes.conf";
	lists = "$5";
	endpoints = ( { name = "bench"; addresses = [ "198.51.100.0/24" ]; ports = [ 4000 ]; } );
	profiles = (
	  { name = "strict"; default = "drop"; inbound = "drop"; on_giveup = "drop"; on_exception = "drop";
	    allow = [ "bench" ]; block = [ ]; },
	  { name = "office"; default = "allow"; inbound = "drop"; on_giveup = "allow"; on_exception = "allow";
	    allow = [ ]; block = [ "p2p", "remote_access", "proxy" ]; },
	  { name = "blockall"; default = "allow"; inbound = "drop"; on_giveup = "allow"; on_exception = "allow";
	    allow = [ ]; block = [ "file_sharing", "social", "proxy", "p2p", "remote_access", "vpn",
	      "mail", "webmail", "encrypted_dns", "storage", "document_upload" ]; },
	  { name = "office-fc"; default = "allow"; inbound = "drop"; on_giveup = "allow"; on_exception = "drop";
	    allow = [ ]; block = [ ]; }
	);
	zones = ( { name = "bench"; subnets = [ $3 ]; profile = "$4"; } );
	EOF
}
L=$ROOT/conf/lists
E=$PD/empty-lists
ALL='"0.0.0.0/0", "::/0"'
max_flows=${SF[-1]}; [ $max_flows -ge 65536 ] || max_flows=65536
conf passthrough.conf 16384 '"10.99.0.0/16"' strict "$L"   # no zone holds the capture's addresses
conf strict.conf 16384 '"10.10.0.0/16"' strict "$L"        # udp: endpoint, no apps; syn: not an endpoint
conf classify-live.conf 16384 '"10.10.0.0/16"' office "$E" # nDPI, no domain lists
conf classify-hs-live.conf 16384 '"10.10.0.0/16"' office "$L"
conf classify-any.conf 262144 "$ALL" office "$L"           # peer: every flow is classified
conf verdict.conf 262144 "$ALL" blockall "$L"              # every class blocked
conf scale.conf $max_flows '"10.10.0.0/16"' strict "$L"    # decided at packet 1 (drop), then fast path
conf scale-pass.conf $max_flows '"10.99.0.0/16"' strict "$L"
conf freed.conf 131072 '"10.10.0.0/16"' office-fc "$L"     # classifier pool: 65536 slots

# Issue 7: the flood's table holds 4096 flows, fewer than the capture's 16384
# sources, so with infinite_rx every SYN is a new flow that evicts one.
# Issue 8: the e2m endpoint with TLS and its hosts (lifelong conformance)
# against the same endpoint with nothing declared (allowed at packet 1).
# shellcheck source=perf/e2m-conf.sh
. perf/e2m-conf.sh
conf2() { # NAME FLOWS E2M_EXTRA
	e2m_conf "$PD/$1" "$2" "$L" "$3"
}
conf2 flood.conf 4096 ''
conf2 conform-tls.conf 16384 'hosts = [ "e2m.customs.example", "*.e2m.customs.example" ]; apps = [ "TLS" ];'
conf2 conform-none.conf 16384 ''

# ---- flowmem: bytes per flow of the table and the classifier ----
CF=$(pkg-config --cflags libdpdk libndpi libhs | sed 's/-I/-isystem /g')
LIBS=$(pkg-config --libs libdpdk libndpi libhs libconfig libpcap)
if [ ! -x "$PD/flowmem" ] || [ perf/flowmem.c -nt "$PD/flowmem" ] || [ "$BUILD/libaduana.a" -nt "$PD/flowmem" ]; then
	cc -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Ipolicy -Idataplane -Iclassifiers $CF \
		-o "$PD/flowmem" perf/flowmem.c "$BUILD/libaduana.a" $LIBS -lm -lpthread
fi

args=(--build "$BUILD" --runs $runs --live-seconds $live --copies $copies --scale-flows $scale_flows --only "$only")
[ $quick = 1 ] && args+=(--quick)
exec $PY perf/bench_run.py "${args[@]}"
