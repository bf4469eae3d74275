#!/usr/bin/env bash
# perf/download.sh - issue 8 "Done when": a 100 MB download over TLS
# (nginx -> curl, e2m.customs.example, sha256 checked) through aduana live on
# net_af_packet with the shipped policy (the flow is allow:e2m and checked
# for its whole life), and through a plain Linux bridge on the same veths.
# RUNS (default 3) of each, alternating; prints the median time ratio
# aduana/bridge and the CPU model, and writes perf/results/<date>-download.json.
# Needs root (network namespaces). `make bench-download` runs it.
# LOSS=N (per mille, default 0) loses that share of the server's TCP packets
# before they reach aduana or the bridge (an nftables egress rule on the
# server's veth that steals them: to its sender's stack they were sent, so
# they are lost on the wire, as on a congested link): how the lifelong
# check's order rules cost under loss.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
MB=${MB:-100}
LOSS=${LOSS:-0}
case $LOSS in '' | *[!0-9]*) echo "download.sh: LOSS must be a whole number of per mille" >&2; exit 2 ;; esac
LOSS=$((10#$LOSS))
[ "$LOSS" -lt 1000 ] || { echo "download.sh: LOSS must be below 1000 per mille" >&2; exit 2; }
export LOSS
case $BUILD in /*) BIN=$BUILD/aduana ;; *) BIN=$ROOT/$BUILD/aduana ;; esac
[ -x "$BIN" ] || { echo "download.sh: $BIN not built (make)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "download.sh: needs root (network namespaces)" >&2; exit 1; }
E2E_TAG=dl$$
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
err() { echo "download.sh: $1: $2" >&2; }
if [ "$LOSS" -gt 0 ]; then
	e2e_install nftables=/usr/sbin/nft || { echo "download.sh: cannot install $E2E_MISSING" >&2; exit 1; }
else
	e2e_install || { echo "download.sh: cannot install $E2E_MISSING" >&2; exit 1; }
fi
T=$(mktemp -d /tmp/aduana-dl.XXXXXX)
chmod 755 "$T"
ADUANA_PID=
cleanup() {
	trap - EXIT INT TERM
	[ -n "$ADUANA_PID" ] && stop_pid "$ADUANA_PID" INT
	e2e_teardown
	if [ -e "$T/failed" ]; then
		# a failed download: what the dataplane said (aduana.out, its
		# summary written as it stopped; aduana.err) and its flow log
		# stay for a look; the served file and the partial copy go
		rm -rf "$T/nginx/big.bin" "$T/dl"
		echo "download.sh: the failed run's files are kept in $T (aduana.out, aduana.err, flows.jsonl)" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_topology aduana || { echo "download.sh: cannot make the namespaces" >&2; exit 1; }
e2e_pki || exit 1
if [ "$LOSS" -gt 0 ]; then
	# stolen (fwd to lo, where nothing takes them), not dropped: a drop
	# on egress is an error to the sender's stack, which sends again at
	# once, not a loss. One segment a packet there: TCP hands the device
	# up to 64 KiB at once, cut into segments after the hook, and a loss
	# of 45 segments in a row is not the loss of a congested link.
	ip -n "$E2E_NS_OUT" link set host gso_max_segs 1 ||
		{ echo "download.sh: cannot set gso_max_segs" >&2; exit 1; }
	ip netns exec "$E2E_NS_OUT" nft -f - <<EOF || { echo "download.sh: cannot set the loss rule" >&2; exit 1; }
table netdev aduana_loss {
	chain egress {
		type filter hook egress device "host" priority 0;
		tcp sport 443 numgen random mod 1000 < $LOSS fwd to "lo"
	}
}
EOF
fi
e2e_start_nginx
head -c $((MB * 1048576)) /dev/urandom >"$T/nginx/big.bin"
want=$(sha256sum <"$T/nginx/big.bin" | cut -d' ' -f1)
wait_until 10 nso curl -sf --max-time 2 --cacert "$CA" --resolve e2m.customs.example:443:198.51.100.5 \
	https://e2m.customs.example/ || { echo "download.sh: nginx does not answer" >&2; exit 1; }
CONF=$T/aduana.conf
e2e_conf "$ROOT" "$CONF" "$T/flows.jsonl"

lcores="-l 0-1"
[ "$(nproc)" -lt 2 ] && lcores="--lcores=(0-1)@0"
start_aduana() {
	# shellcheck disable=SC2086
	ip netns exec "$E2E_NS_MID" "$BIN" $lcores --no-huge --no-pci --no-shconf \
		--file-prefix "dl$$" -m 512 --log-level='*:warning' \
		--vdev net_af_packet0,iface=in,framecnt=4096 --vdev net_af_packet1,iface=out,framecnt=4096 \
		-- -c "$CONF" --inside net_af_packet0 --outside net_af_packet1 >"$T/aduana.out" 2>"$T/aduana.err" &
	ADUANA_PID=$!
	wait_until 60 nsi ping -n -c 1 -W 1 -I 10.20.1.10 203.0.113.80 ||
		{ echo "download.sh: aduana does not bridge: $(tail -c 300 "$T/aduana.err")" >&2; exit 1; }
}
stop_aduana() { stop_pid "$ADUANA_PID" INT; ADUANA_PID=; }
bridge_up() {
	ip -n "$E2E_NS_MID" link add br0 type bridge
	ip -n "$E2E_NS_MID" link set in master br0
	ip -n "$E2E_NS_MID" link set out master br0
	ip -n "$E2E_NS_MID" link set br0 up
	wait_until 20 nsi ping -n -c 1 -W 1 -I 10.20.1.10 203.0.113.80 ||
		{ echo "download.sh: the bridge does not forward" >&2; exit 1; }
}
bridge_down() { ip -n "$E2E_NS_MID" link del br0; }
# One download from the E2M workstation (10.10.1.10): prints its seconds.
download() {
	rm -f "$T/dl"
	local t
	t=$(nsi curl -sS --max-time 300 --cacert "$CA" --interface 10.10.1.10 \
		--resolve e2m.customs.example:443:198.51.100.5 -o "$T/dl" -w '%{time_total}' \
		https://e2m.customs.example/big.bin) || { echo "download.sh: $1: curl failed" >&2; touch "$T/failed"; return 1; }
	[ "$(sha256sum <"$T/dl" | cut -d' ' -f1)" = "$want" ] || { echo "download.sh: $1: sha256 differs" >&2; touch "$T/failed"; return 1; }
	echo "$t"
}
A=() B=()
for i in $(seq 1 "$RUNS"); do
	start_aduana
	a=$(download aduana) || exit 1
	stop_aduana
	# what the dataplane saw of that run (its summary line): drops and
	# their reasons, segments held for order, bad sums, lost on transmit
	/usr/bin/python3 - "$T/aduana.out" >>"$T/runs.jsonl" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    if l.startswith('{"summary"'):
        s = json.loads(l)["summary"]
        c = s.get("counters", {})
        print(json.dumps({"rx": s.get("rx"), "tx": s.get("tx"), "dropped": s.get("dropped"),
                          "drops": {k: v for k, v in s.get("drops", {}).items() if v},
                          **{k: c.get(k) for k in ("conform_reordered", "conform_held", "conform_gap_passed", "conform_past_window", "conform_zero_window", "bad_checksum", "stream_exceptions")}}))
        break
else:
    print("{}")
PY
	grep -q '"reason":"allow:e2m".*"bytes_in":[0-9]\{8,\}' "$T/flows.jsonl" ||
		{ echo "download.sh: no allow:e2m record of the download in the flow log" >&2; exit 1; }
	bridge_up
	b=$(download bridge) || exit 1
	bridge_down
	echo "download.sh: run $i: aduana ${a}s, bridge ${b}s" >&2
	A+=("$a") B+=("$b")
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
/usr/bin/python3 - "$cpu" "$MB" "${A[*]}" "${B[*]}" "$T/runs.jsonl" <<'PY'
import datetime, json, os, statistics, sys
cpu, mb, a, b = sys.argv[1], int(sys.argv[2]), [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
runs = [json.loads(l) for l in open(sys.argv[5])] if os.path.exists(sys.argv[5]) else []
ma, mb_ = statistics.median(a), statistics.median(b)
res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "cpu": cpu,
       "cpus": os.cpu_count(), "loadavg_end": open("/proc/loadavg").read().split()[:3],
       "download_mb": mb, "loss_per_mille": int(os.environ.get("LOSS", "0")), "aduana_s": a, "bridge_s": b, "aduana_median_s": ma, "bridge_median_s": mb_,
       "ratio_aduana_over_bridge": ma / mb_, "aduana_runs": runs,
       "method": "curl over TLS (nginx, e2m.customs.example, sha256 checked), aduana live on net_af_packet "
                 "(shipped policy, allow:e2m, lifelong TLS check) vs a Linux bridge on the same veths, alternating"}
d = os.path.join("perf", "results")
os.makedirs(d, exist_ok=True)
p = os.path.join(d, datetime.datetime.now().strftime("%Y-%m-%d") + "-download.json")
json.dump(res, open(p, "w"), indent=1)
print("download %d MB over TLS, loss %s per mille before aduana: aduana %s s (median %.2f), bridge %s s (median %.2f): ratio aduana/bridge %.2f"
      % (mb, os.environ.get("LOSS", "0"), " ".join("%.2f" % x for x in a), ma, " ".join("%.2f" % x for x in b), mb_, ma / mb_))
for i, r in enumerate(runs):
    print("aduana run %d: %s" % (i + 1, json.dumps(r)))
print("cpu: %s, %d CPUs; results: %s" % (cpu, os.cpu_count(), p))
PY
