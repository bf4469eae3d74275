#!/usr/bin/env bash
# tests/rss/run.sh - RSS mode (one queue pair per worker) on live ports
# (issue 13 item 6). Root; about a minute. Skipped without root or ip netns.
#
# Three namespaces: rss-in-PID (clients 10.10.1.10, office zone, and
# 10.10.2.10, strict zone), rss-mid-PID (aduana on veths "in" and "out"
# through net_af_packet), rss-out-PID (echo servers on 203.0.113.80 and .81,
# TCP and UDP ports 80, 443, 8080; traffic.py). The same client flows (fixed
# 5-tuples: HTTP, an SSH banner on 443 that the office profile blocks,
# plain UDP) run through:
#   1. aduana --workers 1, qpairs=1 (the reference);
#   2. aduana --workers N (RSS_WORKERS, default 2), qpairs=N: RSS mode, each
#      worker owns one queue of each port, and the kernel's PACKET_FANOUT
#      hash spreads the packets (dataplane/port.c).
# Checks, for run 2:
#   - the summary says worker_mode "rss" and every worker received packets;
#   - no client flow was split: a reply that reached another worker than
#     its request would make an inbound record that starts while the
#     outbound one lives (an inbound record after it ended is the server
#     retransmitting into a flow already closed, as with 1 worker);
#   - each flow's verdict, reason, class and app, and the clients' outcomes,
#     are those of run 1;
#   - rx = tx + dropped.
# Prints PASS/FAIL lines and ends with `rss: N passed, N failed[, N skipped]`.
set -u -o pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
BIN=$ROOT/$BUILD/aduana
PY=/usr/bin/python3
N=${RSS_WORKERS:-2}
FLOWS=${RSS_FLOWS:-24}
TAG=$$
NS_IN=rss-in-$TAG
NS_MID=rss-mid-$TAG
NS_OUT=rss-out-$TAG
T=$ROOT/$BUILD/rss
passed=0
failed=0
pass() { echo "PASS rss/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL rss/$1"; failed=$((failed + 1)); }
finish() {
	echo "rss: $passed passed, $failed failed${1:+, $1 skipped}"
	[ $failed -eq 0 ]
	exit
}

if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP rss: needs root and ip netns"
	finish 1
fi
[ -x "$BIN" ] || { echo "rss: $BIN does not exist; build it first (make)"; exit 2; }

SERVER_PID=
ADUANA_PID=
cleanup() {
	local pid ns
	for pid in $ADUANA_PID $SERVER_PID; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	for ns in "$NS_IN" "$NS_MID" "$NS_OUT"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

rm -rf "$T" && mkdir -p "$T"
offloads_off() { ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }
for ns in "$NS_IN" "$NS_MID" "$NS_OUT"; do
	ip netns add "$ns" || { fail "setup: ip netns add $ns"; finish; }
	ip -n "$ns" link set lo up
done
ip link add host netns "$NS_IN" type veth peer in netns "$NS_MID" &&
	ip link add out netns "$NS_MID" type veth peer host netns "$NS_OUT" ||
	{ fail "setup: veths"; finish; }
ip netns exec "$NS_MID" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
for ns in "$NS_IN" "$NS_OUT"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
done
offloads_off "$NS_MID" in
offloads_off "$NS_MID" out
offloads_off "$NS_IN" host
offloads_off "$NS_OUT" host
ip -n "$NS_MID" link set in up
ip -n "$NS_MID" link set out up
ip -n "$NS_IN" addr add 10.10.1.10/16 dev host
ip -n "$NS_IN" addr add 10.10.2.10/16 dev host
ip -n "$NS_IN" link set host up
ip -n "$NS_IN" route add 203.0.113.0/24 dev host
ip -n "$NS_OUT" addr add 203.0.113.80/32 dev host
ip -n "$NS_OUT" addr add 203.0.113.81/32 dev host
ip -n "$NS_OUT" link set host up
ip -n "$NS_OUT" route add 10.10.0.0/16 dev host

ip netns exec "$NS_OUT" "$PY" tests/rss/traffic.py serve 203.0.113.80,203.0.113.81 80 443 8080 >"$T/server.log" 2>&1 &
SERVER_PID=$!

cat >"$T/rss.conf" <<EOF
# tests/rss/run.sh
version = 1;
dataplane = { workers = 1; flows_per_worker = 4096; classify_packets = 8;
  timeouts = { tcp = 3600; tcp_closed = 10; udp = 120; icmp = 30; other = 60; }; };
log = { flow_log = ""; };
classes = "$ROOT/conf/classes.conf";
lists = "$ROOT/conf/lists";
endpoints = ( { name = "web8080"; addresses = [ "203.0.113.80/31" ]; ports = [ 8080 ]; } );
profiles = (
  { name = "office"; default = "allow"; inbound = "drop"; on_giveup = "allow"; on_exception = "allow";
    allow = [ ]; block = [ "p2p", "remote_access", "proxy" ]; },
  { name = "strict"; default = "drop"; inbound = "drop"; on_giveup = "drop"; on_exception = "drop";
    allow = [ "web8080" ]; block = [ ]; }
);
zones = ( { name = "office"; subnets = [ "10.10.1.0/24" ]; profile = "office"; },
  { name = "strict"; subnets = [ "10.10.2.0/24" ]; profile = "strict"; } );
EOF

# run WORKERS DIR SERVER: aduana with WORKERS workers and qpairs=WORKERS,
# the clients to SERVER, then SIGINT and the summary. Each run has its own
# server address: a blocked flow leaves the server's side of it open, and
# the next run's flow of the same ports would meet it.
run() {
	local w=$1 d=$T/$2 srv=$3 lc ready end
	mkdir -p "$d"
	lc="-l 0-$w"
	[ "$(nproc)" -le "$w" ] && lc="--lcores=(0-$w)@(0-$(($(nproc) - 1)))"
	# shellcheck disable=SC2086
	ip netns exec "$NS_MID" "$BIN" $lc --no-huge --no-pci --no-shconf --file-prefix "rss$TAG$w" \
		-m 512 --log-level='*:warning' \
		--vdev "net_af_packet0,iface=in,qpairs=$w" --vdev "net_af_packet1,iface=out,qpairs=$w" \
		-- -c "$T/rss.conf" --workers "$w" --inside net_af_packet0 --outside net_af_packet1 \
		--flow-log "$d/flows.jsonl" >"$d/stdout" 2>"$d/stderr" &
	ADUANA_PID=$!
	# Ready when a UDP echo from the office address crosses both ways (ARP
	# first). The probe's source port is fixed below the clients' range
	# (records() leaves it out): an ephemeral one (32768-60999) could fall
	# inside that range, and did, as an extra flow in one run only.
	ready=0
	end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ] && kill -0 "$ADUANA_PID" 2>/dev/null; do
		if ip netns exec "$NS_IN" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
s.bind(("10.10.1.10", 40000)); s.sendto(b"probe", (sys.argv[1], 80))
sys.exit(0 if s.recvfrom(100)[0] == b"probe" else 1)' "$srv" 2>/dev/null; then
			ready=1
			break
		fi
		sleep 0.5
	done
	if [ $ready = 0 ]; then
		fail "$2: aduana did not bridge within 60 s: $(tail -c 400 "$d/stderr" | tr '\n' ' ')"
		kill "$ADUANA_PID" 2>/dev/null; wait "$ADUANA_PID" 2>/dev/null; ADUANA_PID=
		return 1
	fi
	ip netns exec "$NS_IN" "$PY" tests/rss/traffic.py client 10.10.1.10 "$srv" "$FLOWS" 80 443 8080 >"$d/clients.txt"
	ip netns exec "$NS_IN" "$PY" tests/rss/traffic.py client 10.10.2.10 "$srv" "$FLOWS" 80 443 8080 |
		sed 's/^/strict /' >>"$d/clients.txt"
	sed -i '/^strict/!s/^/office /' "$d/clients.txt"
	kill -INT "$ADUANA_PID"
	wait "$ADUANA_PID"
	echo $? >"$d/rc"
	ADUANA_PID=
	return 0
}

run 1 one 203.0.113.80 || finish
run "$N" rss 203.0.113.81 || finish

"$PY" - "$T/one" "$T/rss" "$N" >"$T/checks.txt" 2>&1 <<'PYEOF'
import json, os, sys
one, rss, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ok = True

def check(name, good, what):
    global ok
    print("%s rss/%s%s" % ("PASS" if good else "FAIL", name, "" if good else ": " + what))
    ok = ok and good

def summary(d):
    for line in open(os.path.join(d, "stdout")):
        if line.startswith('{"summary"'):
            return json.loads(line)["summary"]
    return None

def records(d, server):
    """{flow key: the record of its first direction}, and the splits: an
    opposite-direction record of the same key that starts before the first
    one ended."""
    recs = []
    for line in open(os.path.join(d, "flows.jsonl")):
        r = json.loads(line)
        if r.get("aggregate") or r.get("proto") not in ("tcp", "udp"):
            continue
        # Each run has its own server address (run()): the other's is the
        # previous run's leftovers; compare without it.
        if server not in (r["src"], r["dst"]):
            continue
        srv = lambda a: "server" if a == server else a
        ends = sorted([(srv(r["src"]), r["sport"]), (srv(r["dst"]), r["dport"])])
        if not any(a.startswith("10.10.") and 41000 <= p < 43000 for a, p in ends):
            continue  # the readiness probes
        recs.append(((r["proto"],) + tuple(ends), r))
    recs.sort(key=lambda x: x[1]["ts_start"])
    first, split = {}, []
    for k, r in recs:
        if k not in first:
            first[k] = r
        elif r["dir"] != first[k]["dir"] and r["ts_start"] <= first[k]["ts_end"]:
            split.append((k, first[k], r))
    return first, split

s1, s2 = summary(one), summary(rss)
rc1 = open(os.path.join(one, "rc")).read().strip()
rc2 = open(os.path.join(rss, "rc")).read().strip()
check("runs", s1 is not None and s2 is not None and rc1 == "0" and rc2 == "0",
      "exit %s / %s, summaries %s / %s" % (rc1, rc2, s1 is not None, s2 is not None))
if not (s1 and s2):
    sys.exit(1)
check("mode", s2.get("worker_mode") == "rss" and s1.get("workers") == 1 and s2.get("workers") == n,
      "run 2 ran in %s mode with %s workers" % (s2.get("worker_mode"), s2.get("workers")))
wrx = s2.get("worker_rx") or []
check("spread", len(wrx) == n and all(x > 0 for x in wrx),
      "packets per worker %s: the fanout hash did not spread the flows" % wrx)
for name, s in (("one", s1), ("rss", s2)):
    check("counts/" + name, s["rx"] == s["tx"] + s["dropped"],
          "rx %d != tx %d + dropped %d" % (s["rx"], s["tx"], s["dropped"]))
c1 = open(os.path.join(one, "clients.txt")).read().split("\n")
c2 = open(os.path.join(rss, "clients.txt")).read().split("\n")
diff = [(a, b) for a, b in zip(c1, c2) if a != b]
nok = sum(1 for x in c1 if x.endswith(" ok"))
nfail = sum(1 for x in c1 if x.endswith(" fail"))
check("clients", len(c1) == len(c2) and not diff and nok > 0 and nfail > 0,
      "%d of %d outcomes differ, e.g. %s (1 worker: %d ok, %d fail)" % (len(diff), len(c1), diff[:3], nok, nfail))
r1, d1 = records(one, "203.0.113.80")
r2, d2 = records(rss, "203.0.113.81")
check("no-split-flows", not d1 and not d2,
      "%d flows split with 1 worker, %d with %d workers, e.g. %s" % (len(d1), len(d2), n, (d2 or d1)[:1]))
keys = ("dir", "verdict", "reason", "class", "app", "zone")
diffs = []
for k in sorted(set(r1) | set(r2)):
    a, b = r1.get(k), r2.get(k)
    if a is None or b is None or any(a.get(x) != b.get(x) for x in keys):
        diffs.append((k, a and {x: a.get(x) for x in keys}, b and {x: b.get(x) for x in keys}))
want = 4 * int(os.environ.get("RSS_FLOWS", "24"))
check("verdicts", not diffs and len(r1) == want,
      "%d flow records (want %d); %d differ, e.g. %s" % (len(r1), want, len(diffs), diffs[:2]))
print("rss: %d flows; packets per worker %s; 1 worker: %d client flows ok, %d failed (blocked)"
      % (len(r2), wrx, nok, nfail))
sys.exit(0 if ok else 1)
PYEOF
py=$?
cat "$T/checks.txt"
passed=$((passed + $(grep -c '^PASS' "$T/checks.txt")))
failed=$((failed + $(grep -c '^FAIL' "$T/checks.txt")))
[ $py = 0 ] || [ "$(grep -c '^FAIL' "$T/checks.txt")" -gt 0 ] || fail "checks: the comparison ended with status $py"
finish
