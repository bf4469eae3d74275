#!/usr/bin/env bash
# tests/e2e/capture.sh [OUTDIR] - record the end-to-end client sessions as
# pcaps, for use as replay inputs (tests/replay, pcaps/).
#
# Builds the same world as tests/e2e/run.sh (tests/e2e/lib.sh: namespaces,
# nginx, exim, sshd, dnsmasq, tinyproxy, the same clients), but with the two
# hosts on one veth pair and no aduana in between, so that every session runs
# to its end, as it would on an open network. tcpdump on the inside host's
# interface writes one pcap per session, OUTDIR/<session>.pcap (default
# $BUILD/e2e-captures). The neighbour caches are flushed before each session,
# so each pcap carries its own ARP / neighbour discovery and stands alone.
#
# Replayed through the shipped policy, each pcap should get the verdict that
# run.sh asserts for the live session (e.g. tls_foreign_sni.pcap: drop,
# default:e2m-strict, sni evil.example):
#   build/aduana --replay OUTDIR/tls_foreign_sni.pcap -c conf/aduana.conf --flow-log -
#
# Needs root. Exit 0 when every session was written, 1 otherwise, 2 when it
# cannot run here.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
OUT=${1:-$BUILD/e2e-captures}
E2E_TAG=c$$
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "capture: needs root (network namespaces)" >&2
	exit 2
fi
if ! ip netns add "ad-probe-$E2E_TAG" 2>/dev/null; then
	echo "capture: ip netns is not usable here" >&2
	exit 2
fi
ip netns del "ad-probe-$E2E_TAG"
if ! e2e_install tcpdump=/usr/bin/tcpdump; then
	echo "capture: cannot install $E2E_MISSING" >&2
	exit 2
fi

mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
T=$(mktemp -d /tmp/aduana-capture.XXXXXX)
chmod 755 "$T"
CAP_PID=
problems=0

cleanup() {
	trap - EXIT INT TERM
	[ -n "$CAP_PID" ] && stop_pid "$CAP_PID" INT
	e2e_teardown
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

err() {
	echo "capture: $1: $2" >&2
	problems=$((problems + 1))
}

# client NAME NSFUNC TIMEOUT CMD...: one session, one pcap.
client() {
	local name=$1 ns=$2 to=$3 rc n
	shift 3
	ip -n "$E2E_NS_IN" neigh flush dev host 2>/dev/null
	ip -n "$E2E_NS_OUT" neigh flush dev host 2>/dev/null
	rm -f "$OUT/$name.pcap"
	ip netns exec "$E2E_NS_IN" tcpdump -i host -s 0 -U --immediate-mode -Z root -w "$OUT/$name.pcap" \
		>"$T/tcpdump-$name.log" 2>&1 &
	CAP_PID=$!
	if ! wait_until 5 grep -q 'listening on' "$T/tcpdump-$name.log"; then
		err "$name" "tcpdump did not start: $(tr '\n' ' ' <"$T/tcpdump-$name.log")"
		stop_pid "$CAP_PID" INT
		CAP_PID=
		return
	fi
	"$ns" timeout -k 2 "$to" "$@" >"$T/client-$name.log" 2>&1 </dev/null
	rc=$?
	# The last ACKs and FINs.
	sleep 0.5
	stop_pid "$CAP_PID" INT
	CAP_PID=
	# Some sessions end in an error even on an open network (ssh has no
	# key to log in with, nothing serves DNS on 203.0.113.80): the exit
	# code is shown, not judged.
	n=$(tcpdump -r "$OUT/$name.pcap" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || err "$name" "nothing captured"
	printf '%-20s %4s packets  client exit %-3s %s\n' "$name" "$n" "$rc" "$OUT/$name.pcap"
}

e2e_topology direct || {
	echo "capture: cannot create the namespaces" >&2
	exit 1
}
e2e_pki || {
	echo "capture: openssl could not make the test certificates" >&2
	exit 1
}
e2e_servers
e2e_servers_ready
e2e_clients
if [ $problems -gt 0 ]; then
	echo "capture: $problems problem(s); the pcaps above may be incomplete" >&2
	exit 1
fi
echo "capture: sessions written to $OUT"
