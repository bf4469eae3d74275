#!/usr/bin/env bash
# tests/e2e/loss.sh - a TLS download from the E2M workstation (nginx ->
# curl, e2m.customs.example, shipped policy: allow:e2m, checked for its whole
# life) survives the loss of any one packet of its first ones, and of pairs,
# on either side of aduana. Real stacks on both ends (the world of
# tests/e2e/lib.sh), aduana live on net_af_packet.
#
# One download per case, each on its own client port. A case loses the K-th
# packet (or the K-th and the J-th) of one sender on its connection:
#   srv_before  the server's packets, lost before aduana sees them (stolen at
#               the server's veth, after its stack sent them: aduana sees a
#               gap, the client sees nothing)
#   cli_before  the client's packets, lost before aduana
#   srv_after   the server's packets, lost after aduana forwarded them
#               (dropped as the client's stack receives them)
#   cli_after   the client's packets, lost after aduana
#   srv_late, cli_late  not lost: sent back LATE_MS (default 30) later, after
#               the packets sent after it (reordered before aduana)
#   srv_dup, cli_dup    sent, and a copy LATE_MS later (duplicated)
# Positions are counted by conntrack in the sender's namespace (the K-th
# packet of that side of the connection; a packet is a segment: gso_max_segs
# 1). A case that loses fewer packets than it names fails (it tested less
# than it says). A first SYN is counted by a quota instead (a
# connection whose first packet is stolen is never confirmed in conntrack,
# so its counter would stay at 1 for every SYN sent again).
#
# The same for uploads (up_*: curl PUTs 400 kB to nginx, whose stored copy is
# checked), where the client's packets carry the bytes; for mail to the
# agency relay (smtp_*, stls_*: swaks with a 400 kB attachment, plain SMTP and
# STARTTLS on port 587, queued by exim); and for the office's plain HTTP
# (web_*, webup_*: download and upload from 10.20.1.10, default:office, its
# requests read by aduana).
#
# Each case passes when curl completes within its limit with the file's
# sha256, and its flow's records (those with the server's bytes) say
# allow:e2m; then the dataplane's summary
# must show no stream exception and no drop but of segments past a gap
# (drops.reordered) or of frames the veth would not take (drops.tx_failed, a
# loaded machine's, no verdict). Times per case are printed, never asserted.
#
# Prints "PASS loss/<case>" or "FAIL loss/<case>: detail" and ends with
# "loss: N passed, N failed[, N skipped]". Needs root and nftables (installed
# when missing); skips like tests/e2e/run.sh where namespaces cannot be made.
# Environment: BUILD (default build), LOSS_LIMIT (seconds a download may take,
# default 30), E2E_KEEP=1 keeps the work directory (kept after a failure),
# LOSS_CASES="mode:K[,J] ..." runs only those, LOSS_PCAP=1 records both of aduana's
# ports in the work directory (mid.pcapng, dumpcap).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
case $BUILD in /*) BIN=$BUILD/aduana ;; *) BIN=$ROOT/$BUILD/aduana ;; esac
LIMIT=${LOSS_LIMIT:-30}
# shellcheck disable=SC2034 # read by lib.sh
E2E_TAG=ls$$
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

# The cases: mode and positions (K, or K,J). "none:0" loses nothing: each
# kind's time without loss, beside the others.
CASES=(none:0 up_none:0 smtp_none:0 stls_none:0 web_none:0 webup_none:0)
for k in $(seq 1 24) 30 40 60 80 100 150 200 250; do CASES+=("srv_before:$k"); done
for k in 3 4 5 6 7 8 9 10 11 12 14; do CASES+=("srv_before:$k,$((k + 1))" "srv_before:$k,$((k + 3))"); done
CASES+=("srv_before:40,41,42,43" "srv_before:100,101,102,103,104,105,106,107,108,109,110,111,112")
for k in $(seq 1 10); do CASES+=("cli_before:$k"); done
for k in $(seq 1 12) 50 150; do CASES+=("srv_after:$k"); done
for k in $(seq 2 10); do CASES+=("cli_after:$k"); done
# late (LATE_MS later than sent: after the ones sent after it) and doubled
# (sent, and again LATE_MS later)
for k in $(seq 1 12) 20 60 150; do CASES+=("srv_late:$k" "srv_dup:$k"); done
# (not the client's SYN doubled: its copy comes LATE_MS later, after the
# whole session here, a ghost connection that the client's TIME_WAIT
# answers with the old connection's ACK, which the strict zone refuses)
for k in $(seq 1 8); do CASES+=("cli_late:$k"); done
for k in $(seq 2 8); do CASES+=("cli_dup:$k"); done
# uploads: the client's packets carry the bytes (PUT of 400 kB)
for k in $(seq 1 14) 40 120 200; do CASES+=("up_cli_before:$k"); done
for k in 4 5 6 7 8 9 10 40 120; do CASES+=("up_cli_after:$k"); done
for k in 3 4 5 6 7 8; do CASES+=("up_srv_before:$k"); done
for k in 5 6 7 8 9 10 60 150; do CASES+=("up_cli_late:$k" "up_cli_dup:$k"); done
# mail to the agency relay with a 200 kB attachment: plain SMTP (its commands
# and data read line by line) and STARTTLS, port 587
for k in $(seq 1 16) 40 100; do CASES+=("smtp_cli_before:$k" "stls_cli_before:$k"); done
for k in $(seq 2 12); do CASES+=("smtp_srv_before:$k" "stls_srv_before:$k"); done
for k in 4 6 8 10 12 40 100; do CASES+=("smtp_cli_after:$k" "stls_cli_after:$k" "smtp_cli_late:$k" "stls_cli_late:$k" "smtp_cli_dup:$k" "stls_cli_dup:$k"); done
for k in 3 5 7 9; do CASES+=("smtp_srv_after:$k" "stls_srv_after:$k" "smtp_srv_late:$k" "stls_srv_late:$k"); done
# the office's plain HTTP (its requests read by aduana), download and upload,
# port 80
for k in 1 2 3 4 5 6 8 10 30 100; do CASES+=("web_srv_before:$k" "web_srv_late:$k" "web_srv_dup:$k"); done
for k in 1 2 3 4 5 6; do CASES+=("web_cli_before:$k" "web_cli_late:$k"); done
for k in 2 3 4 5 6; do CASES+=("web_cli_dup:$k"); done
for k in 2 3 4 5 6 8 10 40 120; do CASES+=("webup_cli_before:$k" "webup_cli_late:$k" "webup_cli_dup:$k" "webup_cli_after:$k"); done
# LOSS_CASES="mode:K[,J] ...": only those
[ -n "${LOSS_CASES:-}" ] && read -r -a CASES <<<"$LOSS_CASES"

passed=0
failed=0
skipped=0
pass() { echo "PASS loss/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL loss/$1: $(cut -c1-1000 <<<"$2")"; failed=$((failed + 1)); }
result_line() {
	if [ $skipped -gt 0 ]; then
		echo "loss: $passed passed, $failed failed, $skipped skipped"
	else
		echo "loss: $passed passed, $failed failed"
	fi
}
skip_all() {
	echo "SKIP loss: $1 (all ${#CASES[@]} cases skipped)"
	skipped=${#CASES[@]}
	result_line
	exit 0
}
fail_all() {
	fail setup "$1 (none of the ${#CASES[@]} cases could run)"
	result_line
	exit 1
}
# lib.sh's helpers report through err
err() { echo "loss: $1: $2" >&2; }

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, af_packet)"
command -v ip >/dev/null || skip_all "no iproute2 (ip)"
probe_err=$(e2e_netns_check) || skip_all "$probe_err"
[ -x "$BIN" ] || fail_all "$BIN does not exist; build it first (make)"
e2e_install nftables=/usr/sbin/nft || skip_all "cannot install $E2E_MISSING"

T=$(mktemp -d /tmp/aduana-loss.XXXXXX)
chmod 755 "$T"
ADUANA_PID=
SINKS=()
cleanup() {
	trap - EXIT INT TERM
	[ -n "$ADUANA_PID" ] && stop_pid "$ADUANA_PID" INT
	local s
	for s in "${SINKS[@]}"; do ip netns del "$s" 2>/dev/null; done
	e2e_teardown
	if [ "${E2E_KEEP:-0}" = 1 ] || [ $failed -gt 0 ]; then
		echo "loss: work directory kept: $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_topology aduana || fail_all "cannot create the namespaces and veths"
e2e_pki || fail_all "openssl could not make the test certificates"
e2e_start_nginx
# 400 kB: about 280 of the server's segments
head -c 400000 /dev/urandom >"$T/nginx/big.bin"
want=$(sha256sum <"$T/nginx/big.bin" | cut -d' ' -f1)
head -c 400000 /dev/urandom >"$T/up.bin"
want_up=$(sha256sum <"$T/up.bin" | cut -d' ' -f1)
want_mail=queued
e2e_start_exim
wait_until 10 nso sh -c 'echo QUIT | nc.openbsd -w 2 192.0.2.25 587 | grep -q "^220"' ||
	fail_all "exim does not answer on 192.0.2.25:587"
wait_until 10 nso curl -sf --max-time 2 --cacert "$CA" --resolve e2m.customs.example:443:198.51.100.5 \
	https://e2m.customs.example/ >/dev/null || fail_all "nginx does not answer"

# Where a stolen packet goes: a veth into a namespace of its own that neither
# forwards nor owns the address, so it is dropped there, as on the wire. (A
# drop at the egress hook is an error to the sender's stack, which sends
# again at once: no loss.)
# One segment a packet: TCP hands the device GSO packets of up to 64 KiB
# whatever its offloads (sk_setup_caps), cut into segments after the hooks,
# and the loss of one would be the loss of 45 segments in a row.
for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
	ip -n "$ns" link set host gso_max_segs 1 || fail_all "cannot set gso_max_segs in $ns"
	ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_acct=1 ||
		fail_all "cannot turn on conntrack accounting in $ns"
	# late and doubled packets: late.py in the sink namespace (lib.sh)
	e2e_sink "$ns" sink || fail_all "cannot make the sink veth in $ns"
	e2e_late "$ROOT" "$ns" "$T/late-$ns.log" || fail_all "late.py does not start in $ns-sink"
done

CONF=$T/aduana.conf
e2e_conf "$ROOT" "$CONF" "$T/flows.jsonl"
lcores="-l 0-1"
[ "$(nproc)" -lt 2 ] && lcores="--lcores=(0-1)@0"
# shellcheck disable=SC2086
ip netns exec "$E2E_NS_MID" "$BIN" $lcores --no-huge --no-pci --no-shconf \
	--file-prefix "ls$$" -m 512 --log-level='*:warning' \
	--vdev net_af_packet0,iface=in --vdev net_af_packet1,iface=out \
	-- -c "$CONF" --inside net_af_packet0 --outside net_af_packet1 >"$T/aduana.out" 2>"$T/aduana.err" &
ADUANA_PID=$!
wait_until 60 nsi ping -n -c 1 -W 1 -I 10.20.1.10 203.0.113.80 >/dev/null ||
	fail_all "aduana does not bridge: $(tail -c 300 "$T/aduana.err" | tr '\n' ' ')"

# LOSS_PCAP=1: what both of aduana's ports carry, into $T/mid.pcapng
if [ "${LOSS_PCAP:-0}" = 1 ]; then
	nsm dumpcap -q -i in -i out -w "$T/mid.pcapng" -f "tcp port 443" 2>/dev/null &
	sleep 1
fi

# loss_rules MODE POSITIONS: the rules of one case; loss_clear: none.
loss_clear() {
	local ns
	for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
		ip netns exec "$ns" nft delete table inet adl 2>/dev/null
		ip netns exec "$ns" nft delete table netdev adl 2>/dev/null
	done
	return 0
}
loss_rules() {
	local mode=${1#*_} pos=$2 ns=$E2E_NS_OUT dir match sel act="fwd to" port=443
	case $1 in smtp_* | stls_*) port=587 ;; web_* | webup_*) port=80 ;; srv_* | cli_* | none) mode=$1 ;; esac
	[ "${mode#*_}" = dup ] && act="dup to"
	case $mode in
	srv_before | srv_late | srv_dup) ns=$E2E_NS_OUT dir=reply match="tcp sport $port" ;;
	cli_before | cli_late | cli_dup) ns=$E2E_NS_IN dir=original match="tcp dport $port" ;;
	srv_after) ns=$E2E_NS_IN dir=reply match="tcp sport $port" ;;
	cli_after) ns=$E2E_NS_OUT dir=original match="tcp dport $port" ;;
	esac
	LOSS_NS=$ns
	[ "$mode" = none ] && return 0
	if [ "${mode%_*}" = cli ] && [ "$mode" != cli_after ] && [ "$pos" = 1 ]; then
		sel="tcp flags syn quota until 60 bytes"
	else
		sel="ct $dir packets { $pos }"
	fi
	case $mode in
	*_before | *_late | *_dup)
		# marked on output (conntrack counts there), stolen (or copied)
		# at the device after the stack let it go
		ip netns exec "$ns" nft -f - <<-EOF
			table inet adl {
				chain o {
					type filter hook output priority 0;
					$match $sel counter meta mark set 0xad1
				}
			}
			table netdev adl {
				chain e {
					type filter hook egress device "host" priority 0;
					meta mark 0xad1 $act "sink"
				}
			}
		EOF
		;;
	*_after)
		# dropped on receipt, after conntrack counted it
		ip netns exec "$ns" nft -f - <<-EOF
			table inet adl {
				chain p {
					type filter hook prerouting priority -150;
					$match $sel counter drop
				}
			}
		EOF
		;;
	esac
}

# What the rules need (netdev egress, conntrack counts, fwd, dup, quota):
# a kernel or nft without it cannot lose a packet by position, and every
# case would fail for the wrong reason: one SKIP line says why instead.
for probe in srv_before:2 cli_before:1 srv_dup:2 srv_after:2; do
	if ! probe_err=$(loss_rules "${probe%%:*}" "${probe#*:}" 2>&1); then
		skip_all "nftables cannot set the loss rules here ($probe): $(head -c 200 <<<"$probe_err" | tr '\n' ' ')"
	fi
	loss_clear
done

declare -A PORT DETAIL
port=42000
for c in "${CASES[@]}"; do
	mode=${c%%:*} pos=${c#*:}
	name="${mode}_${pos//,/_}"
	port=$((port + 1))
	PORT[$name]=$port
	loss_clear
	if ! loss_rules "$mode" "$pos"; then
		DETAIL[$name]="cannot set the nftables rules"
		continue
	fi
	rm -f "$T/dl"
	if [ "${mode#smtp_}" != "$mode" ] || [ "${mode#stls_}" != "$mode" ]; then
		tls=()
		[ "${mode#stls_}" != "$mode" ] && tls=(-tls --tls-sni mail.customs.example)
		t0=$(date +%s.%N)
		out=$(nsi timeout -k 2 $((LIMIT + 5)) swaks --server 192.0.2.25 --port 587 --local-port "$port" \
			--timeout "$LIMIT" "${tls[@]}" --helo ws1.e2m.customs.example --from e2m@customs.example \
			--to x@customs.example --attach "$T/up.bin" --header "Subject: $name" 2>&1)
		rc=$?
		# exim's 250 for the data, and the message in its spool
		if [ $rc = 0 ] && ! grep -qE '^<[-~] +250 .*id=' <<<"$out"; then
			rc=99 out="no 250 for the message: $(tail -3 <<<"$out")"
		elif [ $rc = 0 ]; then
			out=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.6f", b - a }')
		else
			out=$(grep -v '^ [-~]> ' <<<"$out" | tail -4)
		fi
		got=$want_mail
		grep -rlq "Subject: $name" "$T/exim/spool/input/" 2>/dev/null || got="not in exim's spool"
		what=message sent=$want_mail
	elif [ "${mode#web}" != "$mode" ]; then
		if [ "${mode#webup_}" != "$mode" ]; then
			out=$(nsi curl -sS --max-time "$LIMIT" --interface 10.20.1.10 --local-port "$port" \
				--resolve web.example:80:203.0.113.80 -T "$T/up.bin" -o /dev/null -f -w '%{time_total}' \
				"http://web.example/up/$name.bin" 2>&1)
			rc=$?
			got=$(sha256sum <"$T/nginx/up/$name.bin" 2>/dev/null | cut -d' ' -f1)
			what=upload sent=$want_up
		else
			out=$(nsi curl -sS --max-time "$LIMIT" --interface 10.20.1.10 --local-port "$port" \
				--resolve web.example:80:203.0.113.80 -o "$T/dl" -w '%{time_total}' \
				http://web.example/big.bin 2>&1)
			rc=$?
			got=$(sha256sum <"$T/dl" 2>/dev/null | cut -d' ' -f1)
			what=download sent=$want
		fi
	elif [ "${mode#up_}" != "$mode" ]; then
		out=$(nsi curl -sS --max-time "$LIMIT" --cacert "$CA" --interface 10.10.1.10 --local-port "$port" \
			--resolve e2m.customs.example:443:198.51.100.5 -T "$T/up.bin" -o /dev/null -f -w '%{time_total}' \
			"https://e2m.customs.example/up/$name.bin" 2>&1)
		rc=$?
		got=$(sha256sum <"$T/nginx/up/$name.bin" 2>/dev/null | cut -d' ' -f1)
		what=upload sent=$want_up
	else
		out=$(nsi curl -sS --max-time "$LIMIT" --cacert "$CA" --interface 10.10.1.10 --local-port "$port" \
			--resolve e2m.customs.example:443:198.51.100.5 -o "$T/dl" -w '%{time_total}' \
			https://e2m.customs.example/big.bin 2>&1)
		rc=$?
		got=$(sha256sum <"$T/dl" 2>/dev/null | cut -d' ' -f1)
		what=download sent=$want
	fi
	# how many packets the case lost: at least as many as it names, or it
	# tested less than it says (a SYN-ACK sent again may count as the
	# same packet, and is lost too)
	lost=$(ip netns exec "$LOSS_NS" nft list table inet adl 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -1)
	nlost=$(tr ',' '\n' <<<"$pos" | wc -l)
	[ "${mode#*none}" = "$mode" ] || nlost=0
	if [ "${lost:-0}" -lt "$nlost" ]; then
		DETAIL[$name]="it lost ${lost:-0} packets, fewer than $nlost (no such packet: the case tests less than it says)"
	elif [ $rc != 0 ]; then
		DETAIL[$name]="curl exit $rc: $(tr '\n' ' ' <<<"$out" | cut -c1-200)"
	elif [ "$got" != "$sent" ]; then
		DETAIL[$name]="the $what's sha256 is not the file's"
	else
		DETAIL[$name]=ok
		echo "loss: $name: ${out}s" >&2
	fi
done
loss_clear
stop_pid "$ADUANA_PID" INT
ADUANA_PID=

for c in "${CASES[@]}"; do
	mode=${c%%:*} pos=${c#*:}
	name="${mode}_${pos//,/_}"
	d=${DETAIL[$name]}
	if [ "$d" = ok ]; then
		# the session's records: those with the server's bytes (a SYN
		# doubled late comes after the session closed, a flow of its
		# own, which the server answers: a SYN-ACK, a few bare
		# segments, a few hundred bytes; every session's server sends
		# 2 kB or more, its answers or its ACKs of an upload)
		rec=$(jq -c --argjson p "${PORT[$name]}" \
			'select(.proto=="tcp" and (.src=="10.10.1.10" or .src=="10.20.1.10") and .sport==$p and .bytes_in > 2000)' "$T/flows.jsonl" 2>/dev/null)
		want_reason=allow:e2m want_zone=e2m
		[ "${mode#smtp_}" != "$mode" ] || [ "${mode#stls_}" != "$mode" ] && want_reason=allow:boc_mail
		[ "${mode#web}" != "$mode" ] && want_reason=default:office want_zone=office
		if [ -z "$rec" ]; then
			d="no flow record with the server's bytes for client port ${PORT[$name]}"
		elif ! jq -e -s --arg r "$want_reason" --arg z "$want_zone" 'all(.verdict=="allow" and .reason==$r and .zone==$z)' <<<"$rec" >/dev/null; then
			d="its flow is not $want_reason: $(head -c 400 <<<"$rec")"
		fi
	fi
	if [ "$d" = ok ]; then pass "$name"; else fail "$name" "$d"; fi
done

# The dataplane's account of the whole run.
summary=$(grep -m1 '^{"summary"' "$T/aduana.out")
if [ -z "$summary" ]; then
	fail summary "aduana printed no summary: $(tail -c 300 "$T/aduana.err" | tr '\n' ' ')"
elif ! jq -e '.summary as $s | $s.rx == $s.tx + $s.dropped and $s.counters.stream_exceptions == 0
		and ([$s.drops | to_entries[] | select(.key != "reordered" and .key != "tx_failed" and .value > 0)] | length) == 0' \
	<<<"$summary" >/dev/null; then
	fail summary "exceptions or drops other than reordered: $(jq -c '.summary | {rx, tx, dropped, drops: (.drops | with_entries(select(.value > 0))), stream_exceptions: .counters.stream_exceptions}' <<<"$summary")"
else
	pass summary
	jq -c '.summary | {rx, tx, dropped, reordered: .drops.reordered, held: .counters.conform_held, gap_passed: .counters.conform_gap_passed}' \
		<<<"$summary" | sed 's/^/loss: summary: /' >&2
fi
result_line
[ $failed -eq 0 ]
