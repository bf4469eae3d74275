#!/usr/bin/env bash
# tests/e2e/run.sh - end-to-end tests (DESIGN 6): real clients and real
# servers in network namespaces, with aduana inline on two veth pairs
# (DPDK net_af_packet). The world (namespaces, servers, client sessions) is
# described in tests/e2e/lib.sh.
#
# The case config is conf/aduana.conf (the shipped E2M policy) with its
# classes and lists paths made absolute. Each client session runs under a
# timeout; then aduana is stopped with SIGINT, and each check asserts both
# the client's outcome and the flow-log record of its flow (verdict, reason,
# app, names, packets). Last come the flow log's times and the summary's
# accounting (rx = tx + dropped, flow_records = lines, flowlog_dropped = 0).
#
# Prints "PASS e2e/<name>" or "FAIL e2e/<name>: detail" per check and ends
# with "e2e: N passed, N failed[, N skipped]". Exits 1 when a check failed.
# Not root, no usable `ip netns` (made and entered by a probe first), or
# packages that cannot be installed: one SKIP line gives the reason and every
# check counts as skipped (exit 0). A world that cannot be set up (no binary,
# no veths, aduana not bridging) is one FAIL line with the reason. The whole
# run takes about a minute and is bounded at about three.
#
# Environment: BUILD (default build), E2E_KEEP=1 keeps the work directory
# (it is always kept after a failure), E2E_OFFLOADS=keep leaves the veths'
# offloads on (see e2e_offloads_off in lib.sh).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
case $BUILD in /*) BIN=$BUILD/aduana ;; *) BIN=$ROOT/$BUILD/aduana ;; esac
E2E_TAG=$$
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

CHECKS=(servers tls_e2m tls_e2m_wildcard tls_foreign_sni tls_no_sni tls_social_sni
	tls_listed_sni tls_other_address http_on_tls_port ssh_on_tls_port smtp_submission
	smtp_starttls smtps ssh_e2m dns_resolver dns_other_resolver inbound icmp_out ipv6_out
	ipv6_unzoned office_web office_proxy office_tfo office_h2c pmtu_download dns_forged_inside
	forged_ack forged_ack_ok reload_cut
	grant_host grant_addr grant_revoke_cut grant_expiry_cut
	flowlog_live flowlog_times summary)

passed=0
failed=0
skipped=0
declare -A ERR C_RC C_T0 C_T1

pass() { echo "PASS e2e/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL e2e/$1: $(cut -c1-2000 <<<"$2")"; failed=$((failed + 1)); }
err() { ERR[$1]="${ERR[$1]:-}${ERR[$1]:+; }$2"; }
result_line() {
	if [ $skipped -gt 0 ]; then
		echo "e2e: $passed passed, $failed failed, $skipped skipped"
	else
		echo "e2e: $passed passed, $failed failed"
	fi
}
# One reason, said once: when the world cannot be built, none of the checks
# can run, and one line says why. A skip counts every check as skipped; a
# set-up failure counts as one failure (the reason), not one per check.
skip_all() {
	echo "SKIP e2e: $1 (all ${#CHECKS[@]} checks skipped)"
	skipped=${#CHECKS[@]}
	result_line
	exit 0
}
fail_all() {
	fail setup "$1 (none of the ${#CHECKS[@]} checks could run)"
	result_line
	exit 1
}

# --- preconditions ------------------------------------------------------

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, af_packet)"
command -v ip >/dev/null || skip_all "no iproute2 (ip)"
# A namespace that can be made but not entered (no mount rights in a
# container, a read-only /sys, seccomp) fails later at every check; try both
# here, with what makes "ip netns exec" fail in the reason.
probe_err=$(e2e_netns_check) || skip_all "$probe_err"
[ -x "$BIN" ] || fail_all "$BIN does not exist; build it first (make)"
# shellcheck disable=SC2119 # no extra packages
e2e_install || skip_all "cannot install $E2E_MISSING"

# --- work directory, clean-up -------------------------------------------

T=$(mktemp -d /tmp/aduana-e2e.XXXXXX)
chmod 755 "$T"
FLOWLOG=$T/flows.jsonl
ADUANA_PID=

cleanup() {
	trap - EXIT INT TERM
	[ -n "$ADUANA_PID" ] && stop_pid "$ADUANA_PID" INT
	[ -n "${ADUANAD_PID:-}" ] && stop_pid "$ADUANAD_PID" TERM
	e2e_teardown
	if [ "${E2E_KEEP:-0}" = 1 ] || [ $failed -gt 0 ]; then
		echo "e2e: work directory kept: $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the world ----------------------------------------------------------

e2e_topology aduana || fail_all "cannot create the namespaces and veths"
e2e_pki || fail_all "openssl could not make the test certificates"
e2e_servers
e2e_servers_ready

# The case config: the shipped policy, its data paths made absolute.
CONF=$T/aduana.conf
e2e_conf "$ROOT" "$CONF" "$FLOWLOG"
if ! grep -q "^classes = \"$ROOT/conf/classes.conf\"" "$CONF" ||
	! grep -q "^lists = \"$ROOT/conf/lists\"" "$CONF"; then
	fail_all "conf/aduana.conf has no top-level classes/lists lines to rewrite"
fi

# aduana in the middle namespace. Started directly (not through a shell
# function), so that $! is aduana itself and SIGINT reaches it.
lcores="-l 0-1"
[ "$(nproc)" -lt 2 ] && lcores="--lcores=(0-1)@0"
# shellcheck disable=SC2086
ip netns exec "$E2E_NS_MID" "$BIN" $lcores --no-huge --no-pci --no-shconf \
	--file-prefix "e2e$$" -m 512 --log-level='*:warning' \
	--vdev net_af_packet0,iface=in --vdev net_af_packet1,iface=out \
	-- -c "$CONF" --inside net_af_packet0 --outside net_af_packet1 \
	--flow-log "$FLOWLOG" --ctl "$T/dp.sock" >"$T/aduana.out" 2>"$T/aduana.err" &
ADUANA_PID=$!
# aduanad and aduanactl, as an operator runs them (README, deployment).
CTL=$(dirname "$BIN")/aduanactl
cat >"$T/aduanad.conf" <<CF
dataplane = "$T/dp.sock";
socket = "$T/aduanad.sock";
policy = "$CONF";
store = { path = "$T/flows.db"; };
CF
"$(dirname "$BIN")/aduanad" -c "$T/aduanad.conf" >"$T/aduanad.out" 2>"$T/aduanad.err" &
ADUANAD_PID=$!
t_start=$(date +%s.%N)

# Ready when frames cross both ways: the office host (default allow) pings
# an outside address; ARP has to cross first.
ready=0
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ] && kill -0 "$ADUANA_PID" 2>/dev/null; do
	if nsi ping -n -c 1 -W 1 -I 10.20.1.10 203.0.113.80 >/dev/null 2>&1; then
		ready=1
		break
	fi
done
[ $ready = 1 ] || fail_all "aduana did not bridge within 60 s: $(tail -c 600 "$T/aduana.err" | tr '\n' ' ')"

# --- the sessions -------------------------------------------------------

# client NAME NSFUNC TIMEOUT CMD...: run one session; keep its exit code,
# output ($T/client-NAME.log) and start and end times.
client() {
	local name=$1 ns=$2 to=$3
	shift 3
	C_T0[$name]=$(date +%s.%N)
	if ! kill -0 "$ADUANA_PID" 2>/dev/null; then
		C_RC[$name]=255
		echo "not run: aduana is no longer running" >"$T/client-$name.log"
		C_T1[$name]=${C_T0[$name]}
		return
	fi
	"$ns" timeout -k 2 "$to" "$@" >"$T/client-$name.log" 2>&1 </dev/null
	C_RC[$name]=$?
	C_T1[$name]=$(date +%s.%N)
}

# Grants (issue 11) through aduanad (started with aduana above) and aduanactl.
ACTL() { "$CTL" --socket "$T/aduanad.sock" "$@"; }
wait_until 10 ACTL status >/dev/null 2>&1 || err grant_host "aduanad does not answer"
# A host grant: TLS with its name, to the address the resolver gives for it.
ACTL grant --src 10.10.1.10 --dst evil.example:443 --for 1h --approval E2E-HOST >"$T/grant-host.out" 2>&1 ||
	err grant_host "grant refused: $(cat "$T/grant-host.out")"
GH=$(sed -n 's/^grant \([0-9]*\):.*/\1/p' "$T/grant-host.out")
client grant_host nsi 8 curl -sS --max-time 6 --cacert "$CA" --local-port 40801 https://evil.example/
ACTL revoke "$GH" >/dev/null 2>&1 || err grant_host "revoke $GH failed"
# An address grant: anything to 203.0.113.80:443 from the host.
ACTL grant --src 10.10.1.10 --dst 203.0.113.80:443 --for 1h --approval E2E-ADDR >"$T/grant-addr.out" 2>&1 ||
	err grant_addr "grant refused: $(cat "$T/grant-addr.out")"
GA=$(sed -n 's/^grant \([0-9]*\):.*/\1/p' "$T/grant-addr.out")
client grant_addr nsi 8 curl -sS --max-time 6 --cacert "$CA" --local-port 40802 https://203.0.113.80/
# Revoke cuts a running transfer (4 MiB at 200 KB/s: about 20 s).
nsi timeout 15 curl -sS --max-time 12 --limit-rate 200k --cacert "$CA" --local-port 40803 \
	-o "$T/revoke.dl" https://203.0.113.80/big.bin >"$T/client-grant_revoke_cut.log" 2>&1 &
dl=$!
sleep 3
ACTL revoke "$GA" >>"$T/grant-addr.out" 2>&1 || err grant_revoke_cut "revoke $GA failed"
wait $dl; C_RC[grant_revoke_cut]=$?
# Expiry cuts one too: a 4-second grant.
ACTL grant --src 10.10.9.10 --dst 203.0.113.80:443 --for 4s --approval E2E-SHORT >"$T/grant-short.out" 2>&1 ||
	err grant_expiry_cut "grant refused: $(cat "$T/grant-short.out")"
client grant_expiry_cut ncl 15 curl -sS --max-time 12 --limit-rate 200k --cacert "$CA" \
	--local-port 40804 -o "$T/expiry.dl" https://203.0.113.80/big.bin

e2e_clients
e2e_clients_trust

# A live-link forgery (docs/stream.md, unsent bytes): the E2M host sends its
# hello's first 100 bytes with TTL 1, which aduana reads and drops; an
# accomplice outside forges the server's ACK of them. No honest server
# acknowledges a byte it never got: the flow is refused at that ACK
# (exception:ambiguous, counters.unsent_acked), and the hello's rest and the
# first bytes sent again never reach the server. Its twin without the
# accomplice completes: the bytes sent again with TTL 64 go on.
rm -f "$T/fa.go" "$T/fa.sent"
nso timeout 20 /usr/bin/python3 "$ROOT/tests/e2e/forge_ack.py" forger host 10.10.1.10 198.51.100.5 \
	40806 100 "$T/fa.go" "$T/fa.sent" 10 >"$T/forger.log" 2>&1 &
forger_pid=$!
forger_ready() { grep -q '^ready' "$T/forger.log"; }
wait_until 5 forger_ready || err forged_ack "the accomplice did not start: $(head -c 300 "$T/forger.log")"
client forged_ack nsi 12 /usr/bin/python3 "$ROOT/tests/e2e/forge_ack.py" client 10.10.1.10 \
	198.51.100.5 40806 e2m.customs.example 100 "$CA" "$T/fa.go" "$T/fa.sent"
wait "$forger_pid"
rm -f "$T/fa.go"
client forged_ack_ok nsi 12 /usr/bin/python3 "$ROOT/tests/e2e/forge_ack.py" client 10.10.1.10 \
	198.51.100.5 40807 e2m.customs.example 100 "$CA" "$T/fa.go"

# A long allowed download, then a reload that no longer allows E2M: the
# transfer is cut at its next packet (DESIGN 3.3), and the policy goes back.
sed 's/allow = \[ "boc_mail", "e2m", "dns" \]/allow = [ "boc_mail", "dns" ]/' "$CONF" >"$T/no-e2m.conf"
grep -q 'allow = \[ "boc_mail", "dns" \]' "$T/no-e2m.conf" || err reload_cut "could not derive the no-e2m policy"
C_T0[reload_cut]=$(date +%s.%N)
# The server paces it (nginx limit_rate on /slow.bin): a client-side rate
# limit would let the server fill the client's receive buffer, and the
# bytes "after the reload" would measure that buffer, not aduana.
nsi timeout -k 2 40 curl -sS --max-time 35 --speed-limit 1 --speed-time 4 \
	--cacert "$CA" -o "$T/cut.dl" --resolve bulk.e2m.customs.example:443:198.51.100.5 \
	https://bulk.e2m.customs.example/slow.bin >"$T/client-reload_cut.log" 2>&1 </dev/null &
cut_pid=$!
dl_started() { [ "$(stat -c %s "$T/cut.dl" 2>/dev/null || echo 0)" -gt 200000 ]; }
wait_until 10 dl_started || err reload_cut "the download did not start"
"$CTL" --socket "$T/aduanad.sock" flows --open --json --host 198.51.100.5 >"$T/open-before.json" 2>/dev/null
"$CTL" --socket "$T/aduanad.sock" reload "$T/no-e2m.conf" >"$T/reload-cut.out" 2>&1 || err reload_cut "reload failed: $(cat "$T/reload-cut.out")"
size_at_reload=$(stat -c %s "$T/cut.dl" 2>/dev/null || echo 0)
wait "$cut_pid"
C_RC[reload_cut]=$?
C_T1[reload_cut]=$(date +%s.%N)
"$CTL" --socket "$T/aduanad.sock" reload "$CONF" >>"$T/reload-cut.out" 2>&1 || err reload_cut "reload back failed: $(cat "$T/reload-cut.out")"

# A flow is logged when it ends or times out (DESIGN 3.2), not only at exit:
# the first TLS flow closed (FIN both ways) long ago, and tcp_closed is 10 s.
t_closed=${C_T1[tls_e2m]%.*}
while [ $(($(date +%s) - t_closed)) -lt 16 ]; do sleep 1; done
cp "$FLOWLOG" "$T/flows-before-exit.jsonl" 2>/dev/null || : >"$T/flows-before-exit.jsonl"
t_snap=$(date -u +%T)

# Stop aduana: it logs the flows still open and prints the summary.
kill -INT "$ADUANA_PID"
end=$((SECONDS + 15))
while kill -0 "$ADUANA_PID" 2>/dev/null && [ $SECONDS -lt $end ]; do
	sleep 0.1
done
if kill -0 "$ADUANA_PID" 2>/dev/null; then
	err summary "aduana still running 15 s after SIGINT"
	kill -KILL "$ADUANA_PID"
fi
wait "$ADUANA_PID"
aduana_rc=$?
ADUANA_PID=
t_stop=$(date +%s.%N)
touch "$FLOWLOG"

# --- checks -------------------------------------------------------------

client_out() { tr '\n' ' ' <"$T/client-$1.log" | cut -c1-240; }

# expect_ok NAME [REGEX]: the client exited 0 (and printed REGEX).
expect_ok() {
	local name=$1 re=${2:-}
	if [ "${C_RC[$name]}" != 0 ]; then
		err "$name" "client failed (exit ${C_RC[$name]}): $(client_out "$name")"
	elif [ -n "$re" ] && ! grep -Eq "$re" "$T/client-$name.log"; then
		err "$name" "client output lacks /$re/: $(client_out "$name")"
	fi
}

# expect_fail NAME [REGEX]: the client failed (and did not print REGEX).
expect_fail() {
	local name=$1 re=${2:-}
	if [ "${C_RC[$name]}" = 0 ]; then
		err "$name" "client succeeded, expected it to fail: $(client_out "$name")"
	elif [ -n "$re" ] && grep -Eq "$re" "$T/client-$name.log"; then
		err "$name" "client got through (/$re/ in its output): $(client_out "$name")"
	fi
}

# RFC 3339 with microseconds -> seconds since the epoch, for jq.
# shellcheck disable=SC2016 # jq, not shell
JQ_SECS='def secs: sub("\\.[0-9]+Z$"; "Z") as $s | ($s | fromdateiso8601)
	+ ((capture("\\.(?<f>[0-9]+)Z$").f // "0") | ("0." + .) | tonumber);'

# expect_flow NAME SELECT ASSERT: at least one flow record matches the jq
# filter SELECT, and every one that does satisfies ASSERT. Its ts_start must
# also lie within the client's run (reported under flowlog_times).
expect_flow() {
	local name=$1 sel=$2 want=$3 recs late
	# A dropped connection's client keeps retransmitting; past the dropped
	# timeout (10 s, DESIGN 4.1) its segments come back as a new flow that
	# did not start with a SYN: exception:midstream, dropped too (checked
	# below for all of them). They are not the session's own record.
	# Likewise, a record that starts after the session ended is its
	# orphaned socket's retransmission, judged as a new flow (in a zone
	# whose exceptions are allowed, classified again).
	recs=$(jq -c -s --argjson t1 "${C_T1[$name]}" "$JQ_SECS"'
		[.[] | select(('"$sel"') and .reason != "exception:midstream" and (.ts_start|secs) <= $t1 + 1)]' "$FLOWLOG" 2>&1) || {
		err "$name" "flow log unreadable: $recs"
		return
	}
	if [ "$(jq length <<<"$recs")" = 0 ]; then
		err "$name" "no flow record with $sel"
		return
	fi
	if ! jq -e "all(.[]; $want)" <<<"$recs" >/dev/null; then
		err "$name" "flow record(s) $(jq -c '[.[] | {zone,dir,proto,src,sport,dst,dport,app,class,sni,host,dns_query,verdict,reason,pkts_to_verdict,pkts_out,pkts_in,dropped_pkts}]' <<<"$recs" | cut -c1-900) do not satisfy: $want"
	fi
	late=$(jq -r --argjson t0 "${C_T0[$name]}" --argjson t1 "${C_T1[$name]}" "$JQ_SECS"'
		.[] | select((.ts_start|secs) < $t0 - 1 or (.ts_start|secs) > $t1 + 1) | .ts_start' <<<"$recs")
	[ -z "$late" ] || err flowlog_times "$name starts at $(head -1 <<<"$late") but ran $(date -u -d "@${C_T0[$name]}" +%T.%3N)..$(date -u -d "@${C_T1[$name]}" +%T.%3N)"
}

V4=10.10.1.10
E2M=198.51.100.5

# summary_field PATH: a number of the summary aduana printed at exit
# (.summary.PATH, e.g. counters.tcp_syn_data), 0 where it has none.
summary_field() {
	grep '^{"summary"' "$T/aduana.out" | tail -1 | jq ".summary.$1 // 0" 2>/dev/null || echo 0
}
NO_CERT='BEGIN CERTIFICATE|Server certificate'
MAIL_OK='^<[-~] +250 .*(queued|OK|id=)'

expect_ok tls_e2m '^e2m ok$'
expect_flow tls_e2m ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"e2m.customs.example\"" \
	'.zone=="e2m" and .dir=="out" and .proto=="tcp" and .verdict=="allow" and .reason=="allow:e2m" and (.app|startswith("TLS")) and .dropped_pkts==0 and .pkts_in>0'

expect_ok tls_e2m_wildcard '^e2m ok$'
expect_flow tls_e2m_wildcard ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"app.e2m.customs.example\"" \
	'.verdict=="allow" and .reason=="allow:e2m" and (.app|startswith("TLS")) and .dropped_pkts==0'

# Decided at the ClientHello (packet 4): only the SYN-ACK came back.
expect_fail tls_foreign_sni "$NO_CERT"
expect_flow tls_foreign_sni ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"evil.example\"" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and (.app|startswith("TLS")) and .pkts_to_verdict>=4 and .pkts_in==1 and .dropped_pkts>=1'

expect_fail tls_no_sni "$NO_CERT"
expect_flow tls_no_sni ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==null and .host==null" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict>=4 and .pkts_in==1 and .dropped_pkts>=1'

expect_fail tls_social_sni "$NO_CERT"
expect_flow tls_social_sni ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"www.facebook.com\"" \
	'.verdict=="drop" and .reason=="class:social" and .class=="social" and (.app|startswith("TLS")) and .pkts_in==1 and .dropped_pkts>=1'

expect_fail tls_listed_sni "$NO_CERT"
expect_flow tls_listed_sni ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"mastodon.social\"" \
	'.verdict=="drop" and .reason=="class:social" and .class=="social" and .pkts_in==1 and .dropped_pkts>=1'

# No endpoint at that address: dropped at its first packet (DESIGN 4).
expect_fail tls_other_address 'outside ok'
expect_flow tls_other_address ".src==\"$V4\" and .dst==\"203.0.113.80\" and .dport==443 and .sport!=40443 and (.sport < 40801 or .sport > 40804)" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1 and .pkts_in==0 and .dropped_pkts==.pkts_out'

expect_fail http_on_tls_port 'HTTP|html'
expect_flow http_on_tls_port ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .host==\"e2m.customs.example\"" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and (.app|startswith("HTTP")) and .pkts_in==1 and .dropped_pkts>=1'

expect_fail ssh_on_tls_port 'Permission denied'
expect_flow ssh_on_tls_port ".src==\"$V4\" and .dst==\"198.51.100.6\" and .dport==443" \
	'.verdict=="drop" and .reason=="class:remote_access" and .class=="remote_access" and .app=="SSH" and .dropped_pkts>=1'

expect_ok smtp_submission "$MAIL_OK"
expect_flow smtp_submission ".src==\"$V4\" and .dst==\"192.0.2.25\" and .dport==587 and .sport==40587" \
	'.verdict=="allow" and .reason=="allow:boc_mail" and .app=="SMTP" and .dropped_pkts==0'

expect_ok smtp_starttls "$MAIL_OK"
expect_flow smtp_starttls ".src==\"$V4\" and .dst==\"192.0.2.25\" and .dport==587 and .sport==41587" \
	'.verdict=="allow" and .reason=="allow:boc_mail" and (.app|startswith("SMTP")) and .dropped_pkts==0'

expect_ok smtps "$MAIL_OK"
expect_flow smtps ".src==\"$V4\" and .dst==\"192.0.2.25\" and .dport==465" \
	'.verdict=="allow" and .reason=="allow:boc_mail" and (.app|startswith("SMTPS")) and .sni=="mail.customs.example" and .dropped_pkts==0'

expect_fail ssh_e2m '^SSH-|Permission denied'
expect_flow ssh_e2m ".src==\"$V4\" and .dst==\"$E2M\" and .dport==22" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1 and .pkts_in==0'

expect_ok dns_resolver '^198\.51\.100\.5$'
expect_flow dns_resolver ".src==\"$V4\" and .dst==\"192.0.2.53\" and .dport==53 and .sport!=45353 and .dns_query==\"e2m.customs.example\"" \
	'.proto=="udp" and .verdict=="allow" and .reason=="allow:dns" and .app=="DNS" and .dropped_pkts==0 and .pkts_in>=1'

expect_fail dns_other_resolver 'ANSWER SECTION'
expect_flow dns_other_resolver ".src==\"$V4\" and .dst==\"203.0.113.80\" and .dport==53" \
	'.proto=="udp" and .verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1'

expect_fail inbound 'succeeded'
expect_flow inbound ".src==\"203.0.113.9\" and .dst==\"$V4\" and .dport==22" \
	'.zone=="e2m" and .dir=="in" and .proto=="tcp" and .verdict=="drop" and .reason=="default:e2m-strict" and .pkts_in==0'

expect_fail icmp_out 'bytes from'
expect_flow icmp_out ".src==\"$V4\" and .dst==\"203.0.113.80\" and .proto==\"icmp\"" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1 and .pkts_in==0'

expect_fail ipv6_out 'outside ok'
expect_flow ipv6_out ".src==\"2001:db8:e2::10\" and .dst==\"2001:db8:ff::80\" and .dport==443" \
	'.zone=="e2m" and .proto=="tcp" and .verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1'

# An inside host with an address in no zone (DESIGN 4.1): the shipped
# unzoned action drops it; its record is aggregated (no table entry).
expect_fail ipv6_unzoned 'outside ok'
expect_flow ipv6_unzoned ".src==\"2001:db8:99::10\" and .dst==\"2001:db8:ff::80\" and .dport==443" \
	'.zone=="none" and .verdict=="drop" and .reason=="exception:unzoned" and .aggregate>=1'

expect_ok office_web '^outside ok$'
expect_flow office_web ".src==\"10.20.1.10\" and .dst==\"203.0.113.80\" and .dport==443" \
	'.zone=="office" and .verdict=="allow" and .reason=="default:office" and (.app|startswith("TLS")) and .dropped_pkts==0'

expect_fail office_proxy 'outside ok'
expect_flow office_proxy ".src==\"10.20.1.10\" and .dst==\"203.0.113.80\" and .dport==8888" \
	'.zone=="office" and .verdict=="drop" and .reason=="class:proxy" and .class=="proxy" and .dropped_pkts>=1'

# TCP Fast Open: both requests answered; the second's SYN with data was
# dropped (summary: tcp_syn_data), and its flow is allowed.
expect_ok office_tfo_cookie '^tfo ok$'
[ -n "${ERR[office_tfo_cookie]:-}" ] && err office_tfo "first connection: ${ERR[office_tfo_cookie]}"
expect_ok office_tfo '^tfo ok$'
expect_flow office_tfo ".src==\"10.20.1.10\" and .sport==40812 and .dst==\"203.0.113.80\" and .dport==80" \
	'.zone=="office" and .verdict=="allow" and .dropped_pkts>=1'
syn_data=$(summary_field counters.tcp_syn_data)
[ "${syn_data:-0}" -ge 1 ] || err office_tfo "no SYN with data was dropped (counters.tcp_syn_data $syn_data): the client did not send one"

# h2c: the three requests for www.example.org answered, the one for
# www.torproject.org on the same connection not; its flow dropped for it.
expect_fail office_h2c 'h2c ok www.torproject.org'
[ "$(grep -c '^200 h2c ok www.example.org$' "$T/client-office_h2c.log")" = 3 ] ||
	err office_h2c "not three answers for www.example.org: $(client_out office_h2c)"
expect_flow office_h2c ".src==\"10.20.1.10\" and .sport==40813 and .dst==\"203.0.113.80\" and .dport==81" \
	'.zone=="office" and .verdict=="drop" and .reason=="class:proxy" and .host=="www.torproject.org" and .dropped_pkts>=1'

# Path-MTU discovery: the router's "fragmentation needed" crossed aduana
# (it follows the allowed flow), and the download is whole.
# reload_cut: allowed and open before the reload, cut after it.
jq -s -e 'any(.[]; .dport == 443 and .sni == "bulk.e2m.customs.example" and .verdict == "allow" and .reason == "allow:e2m" and .end == "open")' "$T/open-before.json" >/dev/null ||
	err reload_cut "aduanactl flows --open did not show the download allowed: $(head -c 400 "$T/open-before.json")"
grep -Eq 'policy version [0-9]+ -> [0-9]+' "$T/reload-cut.out" || err reload_cut "reload said: $(head -c 300 "$T/reload-cut.out")"
[ "${C_RC[reload_cut]}" != 0 ] || err reload_cut "the download completed although the policy was tightened"
got=$(stat -c %s "$T/cut.dl" 2>/dev/null || echo 0)
[ "$got" -lt 4194304 ] || err reload_cut "all 4194304 bytes arrived"
# At most what was in flight at the swap arrives after it (socket buffers).
[ $((got - size_at_reload)) -lt 1048576 ] || err reload_cut "$((got - size_at_reload)) bytes arrived after the reload"
expect_flow reload_cut ".src==\"$V4\" and .dst==\"$E2M\" and .dport==443 and .sni==\"bulk.e2m.customs.example\"" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .dropped_pkts>0 and .pkts_in>50'

expect_ok pmtu_download
if [ "${C_RC[pmtu_download]}" = 0 ]; then
	want=$(sha256sum <"$T/nginx/big.bin" | cut -d' ' -f1)
	got=$(sha256sum <"$T/big.dl" | cut -d' ' -f1)
	[ "$want" = "$got" ] || err pmtu_download "the download's sha256 $got is not the file's $want"
fi
# A checked TLS flow drops nothing, except segments that arrive past a gap
# and would move a record boundary (docs/stream.md): when the machine is so
# loaded that aduana's receive ring overflows, the lost segment leaves such
# a gap until the sender retransmits it. Those drops are counted as
# drops.reordered; any other drop of this flow fails the check.
reordered=$(summary_field drops.reordered)
expect_flow pmtu_download ".src==\"10.10.9.10\" and .dst==\"198.51.100.5\" and .dport==443" \
	'.zone=="e2m" and .verdict=="allow" and .reason=="allow:e2m" and .dropped_pkts <= '"${reordered:-0}"' and .bytes_in > 4194304'

# The forged answer from the E2M host taught nothing: the forged address
# with the E2M name is dropped at its first packet, the forged frame was
# dropped as a reply from the inside port, and the resolver flow learned
# only the real address.
expect_fail dns_forged_use 'e2m ok|outside ok|evil ok'
expect_flow dns_forged_use ".src==\"$V4\" and .sport==40443 and .dst==\"203.0.113.80\" and .dport==443" \
	'.verdict=="drop" and .reason=="default:e2m-strict" and .pkts_to_verdict==1'
expect_flow dns_forged_inside ".src==\"192.0.2.53\" and .dst==\"$V4\" and .sport==53" \
	'.verdict=="drop" and .reason=="exception:unzoned" and .aggregate>=1'
bad=$(jq -c 'select(.dport==53 and .dns_query != "evil.example" and (.learned|index("203.0.113.80")))' "$FLOWLOG" 2>/dev/null)
[ -z "$bad" ] || err dns_forged_inside "a DNS flow learned the forged address: $bad"
ERR[dns_forged_inside]="${ERR[dns_forged_inside]:-}${ERR[dns_forged_use]:+${ERR[dns_forged_inside]:+; }${ERR[dns_forged_use]}}"

# The forged ACK refused the flow, and nothing of the client's reached the
# server; without the accomplice the same client is answered.
expect_ok forged_ack '^no answer'
fa=$(grep '^{' "$T/forger.log" | tail -1)
jq -e '.forged >= 1 and .client_isn != null and .server_isn != null' <<<"${fa:-null}" >/dev/null 2>&1 ||
	err forged_ack "the accomplice forged nothing: $(head -c 300 "$T/forger.log")"
jq -e '.client_payload_frames == 0' <<<"${fa:-null}" >/dev/null 2>&1 ||
	err forged_ack "client bytes reached the server after the forged ACK: ${fa:-none}"
expect_flow forged_ack ".src==\"$V4\" and .sport==40806 and .dst==\"$E2M\" and .dport==443" \
	'.zone=="e2m" and .verdict=="drop" and .reason=="exception:ambiguous" and .dropped_pkts>=1'
unsent_acked=$(summary_field counters.unsent_acked)
[ "${unsent_acked:-0}" -ge 1 ] || err forged_ack "counters.unsent_acked is ${unsent_acked:-0}"
expect_ok forged_ack_ok '^answered: HTTP/1.1 200'
expect_flow forged_ack_ok ".src==\"$V4\" and .sport==40807 and .dst==\"$E2M\" and .dport==443" \
	'.zone=="e2m" and .verdict=="allow" and .reason=="allow:e2m" and .sni=="e2m.customs.example"'

# Midstream flows of the strict zone (retransmissions of dropped
# connections, see expect_flow) are dropped, every one.
bad=$(jq -c 'select(.zone=="e2m" and .reason=="exception:midstream" and .verdict!="drop")' "$FLOWLOG" 2>/dev/null)
[ -z "$bad" ] || err summary "a midstream flow of the strict zone was allowed: $(head -c 400 <<<"$bad")"

# The e2m flow closed long before the snapshot: it must have been logged.
n=$(jq -c 'select(.sni=="e2m.customs.example")' "$T/flows-before-exit.jsonl" 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || err flowlog_live "the flow to e2m.customs.example closed at $(date -u -d "@$t_closed" +%T) (tcp_closed = 10 s) was not in the flow log at $t_snap while aduana ran ($(wc -l <"$T/flows-before-exit.jsonl") records were)"

expect_ok grant_host '^evil ok'
expect_flow grant_host ".src==\"10.10.1.10\" and .sport==40801 and .dport==443" \
	".verdict==\"allow\" and .reason==\"grant:$GH\" and .approval==\"E2E-HOST\" and .sni==\"evil.example\" and .dropped_pkts==0"
expect_ok grant_addr '^outside ok'
expect_flow grant_addr ".src==\"10.10.1.10\" and .sport==40802 and .dport==443" \
	".verdict==\"allow\" and .reason==\"grant:$GA\" and .grant==$GA and .approval==\"E2E-ADDR\" and .dropped_pkts==0"
expect_fail grant_revoke_cut
[ "$(stat -c %s "$T/revoke.dl" 2>/dev/null || echo 0)" -lt 4194304 ] ||
	err grant_revoke_cut "the whole file came through after the revoke"
[ "$(stat -c %s "$T/revoke.dl" 2>/dev/null || echo 0)" -gt 0 ] ||
	err grant_revoke_cut "nothing came through before the revoke"
recs=$(jq -c 'select(.src=="10.10.1.10" and .sport==40803 and .reason != "exception:midstream")' "$FLOWLOG")
jq -e -s --argjson g "$GA" 'length == 1 and .[0].verdict=="drop" and .[0].reason=="default:e2m-strict" and .[0].grant==$g and .[0].approval=="E2E-ADDR" and .[0].dropped_pkts > 0 and .[0].bytes_in > 100000' <<<"$recs" >/dev/null ||
	err grant_revoke_cut "record: $(cut -c1-600 <<<"$recs")"
expect_fail grant_expiry_cut
recs=$(jq -c 'select(.src=="10.10.9.10" and .sport==40804 and .reason != "exception:midstream")' "$FLOWLOG")
jq -e -s 'length == 1 and .[0].verdict=="drop" and .[0].approval=="E2E-SHORT" and .[0].dropped_pkts > 0' <<<"$recs" >/dev/null ||
	err grant_expiry_cut "record: $(cut -c1-600 <<<"$recs")"

# Every record's times lie within aduana's run, and no flow ends before it
# starts.
bad=$(jq -c --argjson t0 "$t_start" --argjson t1 "$t_stop" "$JQ_SECS"'
	select((.ts_start|secs) > (.ts_end|secs) or (.ts_start|secs) < $t0 - 2 or (.ts_end|secs) > $t1 + 2)
	| {ts_start, ts_end, src, sport, dst, dport}' "$FLOWLOG" 2>&1)
[ -z "$bad" ] || err flowlog_times "$(wc -l <<<"$bad") record(s) end before they start or lie outside aduana's run ($(date -u -d "@${t_start%.*}" +%T)..$(date -u -d "@${t_stop%.*}" +%T)), e.g. $(head -2 <<<"$bad" | tr '\n' ' ')"

# The summary: one line, the counters balance, every record reached the log.
[ "$aduana_rc" = 0 ] || err summary "aduana exited with $aduana_rc: $(tail -c 300 "$T/aduana.err" | tr '\n' ' ')"
summary=$(grep '^{"summary"' "$T/aduana.out" | tail -1)
if [ -z "$summary" ]; then
	err summary "no summary line on stdout: $(tail -c 300 "$T/aduana.out" | tr '\n' ' ')"
else
	echo "$summary" >"$T/summary.json"
	lines=$(wc -l <"$FLOWLOG")
	parsed=$(jq -c . "$FLOWLOG" 2>/dev/null | wc -l)
	[ "$parsed" = "$lines" ] || err summary "$((lines - parsed)) flow-log line(s) are not JSON"
	jq -e '.summary | .rx == .tx + .dropped' <<<"$summary" >/dev/null ||
		err summary "rx != tx + dropped: $(jq -c '.summary | {rx,tx,dropped}' <<<"$summary")"
	jq -e '.summary | .dropped == ([.drops[]] | add)' <<<"$summary" >/dev/null ||
		err summary "the drops do not add up to dropped: $(jq -c '.summary | {dropped,drops}' <<<"$summary")"
	jq -e --argjson n "$lines" '.summary.flow_records == $n' <<<"$summary" >/dev/null ||
		err summary "flow_records $(jq '.summary.flow_records' <<<"$summary") != $lines lines in the flow log"
	jq -e '.summary.flowlog_dropped == 0' <<<"$summary" >/dev/null ||
		err summary "flowlog_dropped is $(jq '.summary.flowlog_dropped' <<<"$summary")"
	# The dropped packets are those of the dropped flows, nothing else.
	jq -e --slurpfile f "$FLOWLOG" '.summary.dropped == ([$f[] | .dropped_pkts] | add)' <<<"$summary" >/dev/null ||
		err summary "dropped $(jq '.summary.dropped' <<<"$summary") != the flow records' dropped_pkts $(jq -s '[.[].dropped_pkts] | add' "$FLOWLOG")"
	jq -e '.summary | .icmp_err_flow > 0' <<<"$summary" >/dev/null ||
		err pmtu_download "no ICMP error followed its flow: $(jq -c '.summary | {icmp_err_flow}' <<<"$summary")"
	jq -e '.summary | .l2_pass > 0 and .nd_pass > 0' <<<"$summary" >/dev/null ||
		err summary "ARP or neighbour discovery did not pass: $(jq -c '.summary | {l2_pass,nd_pass}' <<<"$summary")"
fi

for c in "${CHECKS[@]}"; do
	if [ -n "${ERR[$c]:-}" ]; then
		fail "$c" "${ERR[$c]}"
	else
		pass "$c"
	fi
done
result_line
[ $failed -eq 0 ]
