#!/usr/bin/env bash
# The control plane: aduanad, aduanactl and the dataplane's control socket.
# Real collectors: nfcapd/nfdump and tshark decode the IPFIX export, a
# private rsyslogd receives the RFC 5424 messages, sqlite3 reads the store.
# Ends with "ctl: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROOT=$PWD
A=$BUILD/aduana; D=$BUILD/aduanad; C=$BUILD/aduanactl
T=$(mktemp -d /tmp/aduana-ctl.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
pass=0; fail=0
ok() { echo "PASS ctl/$1"; pass=$((pass + 1)); }
ko() { echo "FAIL ctl/$1: $2"; fail=$((fail + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "want '$2', got '$3'"; fi; }
# check NAME EXPECTED_RC REGEX -- CMD...
check() {
  local name=$1 want=$2 re=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$re" <<<"$out"; then ok "$name"
  else ko "$name" "exit $rc (want $want): $(head -c 400 <<<"$out")"; fi
}
# A free port: unique per run so parallel runs do not meet.
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if "'$1'"=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { local i; for i in $(seq 1 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

NF=$(port udp); SYS=$(port udp); TCPC=$(port tcp)
mkdir -p "$T/nf" "$T/rs"

# --- real collectors ---
nfcapd -w "$T/nf" -b 127.0.0.1 -p "$NF" -t 3600 >"$T/nfcapd.log" 2>&1 & pids+=($!)
cat >"$T/rsyslog.conf" <<RS
global(workDirectory="$T/rs")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$SYS")
template(name="t" type="string" string="%protocol-version% %app-name% %msgid% %structured-data% %msg%\n")
if \$app-name == "aduanad" and \$msgid == "flow" then action(type="omfile" file="$T/rs/flows.log" template="t")
if \$app-name == "aduanad" and \$msgid == "audit" then action(type="omfile" file="$T/rs/audit.log" template="t")
RS
rsyslogd -n -f "$T/rsyslog.conf" -i "$T/rs/pid" >"$T/rsyslog.log" 2>&1 & pids+=($!)
# The TCP collector: a plain sink; tshark reads what crossed loopback.
python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c,_=s.accept()
with open(sys.argv[2],"wb") as f:
    while True:
        b=c.recv(65536)
        if not b: break
        f.write(b); f.flush()
' "$TCPC" "$T/tcp.bin" & pids+=($!)
tshark -i lo -f "udp port $NF or tcp port $TCPC" -w "$T/ipfix.pcapng" >"$T/tshark.log" 2>&1 & tsh=$!; pids+=($tsh)
wait_for "grep -q 'Capture started\|Capturing on' $T/tshark.log" || true
sleep 1

cat >"$T/d.conf" <<CF
dataplane = "$T/dp.sock";
socket = "$T/d.sock";
policy = "$ROOT/conf/aduana.conf";
store = { path = "$T/flows.db"; batch = 4; max_age_days = 0; max_mbytes = 0; };
json = { path = "$T/out.jsonl"; max_mbytes = 0; };
syslog = { target = "udp:127.0.0.1:$SYS"; facility = "local3"; };
ipfix = { enterprise = 32473; domain = 7;
          collectors = [ "udp:127.0.0.1:$NF", "tcp:127.0.0.1:$TCPC" ]; };
CF

# --- help and config checks (offline) ---
check help 0 '^SYNOPSIS' -- "$C" --help
for cmd in check status flows reload audit report; do
  check "help-$cmd" 0 "aduanactl .*$cmd" -- "$C" "$cmd" --help
done
check aduanad-help 0 'aduanad -c CONF' -- "$D" --help
check check-ok 0 'ok: 2 zones, 2 profiles, 3 endpoints; sha256 [0-9a-f]{64}' -- "$C" check conf/aduana.conf
check check-json 0 '"ok":true,.*"sha256":"[0-9a-f]{64}"' -- "$C" check --json conf/aduana.conf
printf 'version = 1;\nzones = ( { name = "x"; subnets = [ "10.0.0.0/33" ]; profile = "p"; } );\n' >"$T/bad.conf"
check check-bad 2 'bad.conf:2: ' -- "$C" check "$T/bad.conf"
printf 'version = 1;\nbogus = 3;\n' >"$T/bad2.conf"
check check-unknown-key 2 'bad2.conf:2: ' -- "$C" check "$T/bad2.conf"
printf 'version = 1;\nzones = ( { name = "x" \n' >"$T/bad3.conf"
check check-syntax 2 'bad3.conf:[0-9]+: ' -- "$C" check "$T/bad3.conf"
check unknown-command 2 "no command 'frob'" -- "$C" frob
printf 'store = { path = "/x"; };\nfrobs = 1;\n' >"$T/dbad.conf"
check aduanad-bad-conf 2 'dbad.conf:2: unknown key' -- "$D" -c "$T/dbad.conf"
check status-no-daemon 1 'cannot reach aduanad' -- "$C" --socket "$T/none.sock" status

# --- a replay streams to aduanad, which starts late: the dataplane holds
# the records meanwhile and waits (up to 5 s at exit) for the acks. ---
"$A" --replay pcaps/demo.pcap -c conf/aduana.conf --flow-log "$T/f.jsonl" --ctl "$T/dp.sock" -q \
  >"$T/sum1" 2>"$T/dp1.err" & dp=$!
wait_for "[ -S $T/dp.sock ]" || true
sleep 1
"$D" -c "$T/d.conf" 2>"$T/d.err" & dpid=$!; pids+=($dpid)
wait "$dp"; expect replay-exit 0 $?
n=$(wc -l <"$T/f.jsonl")
grep -q "$n records queued, $n acknowledged, 0 dropped (queue full), 0 unacknowledged" "$T/dp1.err" \
  && ok stream-all-acked || ko stream-all-acked "$(cat "$T/dp1.err")"
expect flowlog-has-records 1 $([ "$n" -gt 5 ] && echo 1 || echo 0)
expect sqlite-rows "$n" "$(sqlite3 "$T/flows.db" 'SELECT COUNT(*) FROM flows')"
expect sqlite-wal wal "$(sqlite3 "$T/flows.db" 'PRAGMA journal_mode')"
want=$(jq -s '[(map(.bytes_out)|add), (map(.bytes_in)|add), (map(.pkts_out)|add), (map(.pkts_in)|add)] | map(tostring) | join(" ")' -r "$T/f.jsonl")
expect sqlite-bytes "$want" "$(sqlite3 -separator ' ' "$T/flows.db" 'SELECT SUM(bytes_out), SUM(bytes_in), SUM(pkts_out), SUM(pkts_in) FROM flows')"
expect sqlite-drops "$(jq -s 'map(select(.verdict=="drop"))|length' "$T/f.jsonl")" \
  "$(sqlite3 "$T/flows.db" "SELECT COUNT(*) FROM flows WHERE verdict='drop'")"
idx=$(sqlite3 "$T/flows.db" "SELECT group_concat(name,' ') FROM (SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='flows' ORDER BY name)")
expect sqlite-indexes "flows_dst flows_sni flows_src flows_stream_seq flows_time flows_verdict flows_zone" "$idx"
plan=$(sqlite3 "$T/flows.db" "EXPLAIN QUERY PLAN SELECT line FROM flows WHERE zone='e2m' ORDER BY ts_end DESC")
grep -q 'flows_zone' <<<"$plan" && ok sqlite-zone-index-used || ko sqlite-zone-index-used "$plan"
cmp -s <(sort "$T/f.jsonl") <(sort "$T/out.jsonl") && ok json-lines-equal || ko json-lines-equal "$(diff <(sort "$T/f.jsonl") <(sort "$T/out.jsonl") | head -3)"

# aduanactl flows, against the same figures from the flow log.
export ADUANA_SOCKET=$T/d.sock
expect flows-all "$n" "$("$C" flows --json --limit 1000 | wc -l)"
expect flows-drop "$(jq -s 'map(select(.verdict=="drop"))|length' "$T/f.jsonl")" "$("$C" flows --json --verdict drop | wc -l)"
expect flows-zone "$(jq -s 'map(select(.zone=="e2m"))|length' "$T/f.jsonl")" "$("$C" flows --json --zone e2m | wc -l)"
h=$(jq -r 'select(.sni != null) | .sni' "$T/f.jsonl" | head -1)
expect flows-host-sni "$(jq -s --arg h "$h" 'map(select(.sni==$h or .host==$h or .src==$h or .dst==$h))|length' "$T/f.jsonl")" "$("$C" flows --json --host "$h" | wc -l)"
cl=$(jq -r 'select(.class != null) | .class' "$T/f.jsonl" | head -1)
expect flows-class "$(jq -s --arg c "$cl" 'map(select(.class==$c))|length' "$T/f.jsonl")" "$("$C" flows --json --class "$cl" | wc -l)"
expect flows-limit 2 "$("$C" flows --json --limit 2 | wc -l)"
expect flows-since-future 0 "$("$C" flows --json --since 2099-01-01T00:00:00Z | wc -l)"
expect flows-since-long-ago "$n" "$("$C" flows --json --since 36500d --limit 1000 | wc -l)"
check flows-table 0 '^END +ZONE +PROTO' -- "$C" flows
check flows-bad-verdict 2 'expected allow or drop' -- "$C" flows --verdict maybe
check status-daemon 0 '"records_stored":'"$n"',.*"dataplane":"unreachable"' -- "$C" status --json

# --- RFC 5424 syslog through a real rsyslogd ---
wait_for "[ \$(wc -l <$T/rs/flows.log 2>/dev/null || echo 0) -ge $n ]" || true
expect syslog-count "$n" "$(wc -l <"$T/rs/flows.log" 2>/dev/null || echo 0)"
l=$(head -1 "$T/rs/flows.log" 2>/dev/null)
grep -Eq '^1 aduanad flow \[flow@32473 zone="[a-z0-9_-]+" verdict="(allow|drop)"\] \{"ts_start"' <<<"$l" \
  && ok syslog-rfc5424-fields || ko syslog-rfc5424-fields "$l"
sed 's/^[^{]*//' "$T/rs/flows.log" 2>/dev/null | jq -e .verdict >/dev/null 2>&1 && ok syslog-json || ko syslog-json "MSG is not JSON"

# --- IPFIX: nfcapd/nfdump for flows, times and both directions' counts ---
kill "$dpid"; wait "$dpid" 2>/dev/null
sleep 1; kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null   # nfcapd writes its file at exit
f=$(ls "$T"/nf/nfcapd.* 2>/dev/null | grep -v current | head -1)
nfd=$(nfdump -r "$f" -q -N -o "fmt:%sa|%sp|%da|%dp|%ipkt|%ibyt|%opkt|%obyt" 2>/dev/null | sed 's/ //g' | sort)
fl=$(jq -r '[.src, .sport, .dst, .dport, .pkts_out, .bytes_out, .pkts_in, .bytes_in] | map(tostring) | join("|")' "$T/f.jsonl" | sort)
if [ -n "$nfd" ] && [ "$nfd" = "$fl" ]; then ok nfdump-biflow-counts; else ko nfdump-biflow-counts "$(diff <(echo "$nfd") <(echo "$fl") | head -4)"; fi
nft=$(nfdump -r "$f" -q -o "fmt:%sa|%sp|%ts|%te" 2>/dev/null | sed 's/ \+/ /g;s/ |/|/g;s/| /|/g' | sort)
flt=$(jq -r '[.src, (.sport|tostring), (.ts_start|.[0:10]+" "+.[11:23]), (.ts_end|.[0:10]+" "+.[11:23])] | join("|")' "$T/f.jsonl" | sort)
# nfdump prints local time: compare under TZ=UTC.
nft=$(TZ=UTC nfdump -r "$f" -q -o "fmt:%sa|%sp|%ts|%te" 2>/dev/null | sed 's/ *| */|/g;s/^ *//' | sort)
if [ -n "$nft" ] && [ "$nft" = "$flt" ]; then ok nfdump-times; else ko nfdump-times "$(diff <(echo "$nft") <(echo "$flt") | head -4)"; fi
grep -q 'Sequence Errors: 0' "$T/nfcapd.log" && ok nfcapd-no-sequence-errors || ko nfcapd-no-sequence-errors "$(tail -2 "$T/nfcapd.log")"

# tshark's IPFIX dissector: verdict (forwardingStatus), application name,
# end reason and our enterprise elements, over UDP and TCP.
sleep 1; kill "$tsh"; wait "$tsh" 2>/dev/null
ts=$(tshark -r "$T/ipfix.pcapng" -d "udp.port==$NF,cflow" -d "tcp.port==$TCPC,cflow" -Y cflow \
  -T fields -E occurrence=a -E separator='|' -e cflow.srcaddr -e cflow.forwarding_status -e cflow.appl_name 2>/dev/null)
nfwd=$(jq -s 'map(select(.verdict=="allow"))|length' "$T/f.jsonl"); ndrop=$((n - nfwd))
# Each record reaches two collectors: twice each figure.
expect tshark-forwarded $((2 * nfwd)) "$(tr '|,' '\n\n' <<<"$ts" | grep -cx '1')"
expect tshark-dropped $((2 * ndrop)) "$(tr '|,' '\n\n' <<<"$ts" | grep -cx '2')"
app=$(jq -r .app "$T/f.jsonl" | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
expect tshark-appname "$((2 * $(jq -r .app "$T/f.jsonl" | grep -cx "$app")))" "$(tr '|,' '\n\n' <<<"$ts" | grep -cx "$app")"
v=$(tshark -r "$T/ipfix.pcapng" -d "udp.port==$NF,cflow" -d "tcp.port==$TCPC,cflow" -V 2>/dev/null)

pens=$(tshark -r "$T/ipfix.pcapng" -d "udp.port==$NF,cflow" -d "tcp.port==$TCPC,cflow" -T fields -e cflow.template_ipfix_field_pen 2>/dev/null | tr ',' '\n' | grep -v '^$' | sort | uniq -c | awk '{print $2"x"$1}' | tr '\n' ' ')
# The templates carry RFC 5103's reverse counters and our own elements.
grep -Eq '(^| )29305x[0-9]+' <<<"$pens" && ok ipfix-rfc5103-pen || ko ipfix-rfc5103-pen "PENs in templates: $pens"
grep -Eq '(^| )32473x[0-9]+' <<<"$pens" && ok ipfix-enterprise-pen || ko ipfix-enterprise-pen "PENs in templates: $pens"
grep -Eq 'Observation Domain Id: 7' <<<"$v" && ok ipfix-domain || ko ipfix-domain "domain 7 not seen"
[ -s "$T/tcp.bin" ] && [ "$(head -c 2 "$T/tcp.bin" | od -An -tx1 | tr -d ' ')" = 000a ] && ok ipfix-tcp-stream || ko ipfix-tcp-stream "no IPFIX message on TCP"
grep -q "Forwarding Status.*Dropped\|ForwardingStatus.*Drop\|forwarding.*drop" -i <<<"$v" && ok tshark-drop-reason || ko tshark-drop-reason "no dropped status decoded"

# --- import and duplicates: the same stream ids are not stored twice ---
"$D" -c "$T/d.conf" --import "$T/f.jsonl" 2>"$T/imp.err"; expect import-exit 0 $?
expect import-rows $((2 * n)) "$(sqlite3 "$T/flows.db" 'SELECT COUNT(*) FROM flows')"
expect stream-no-dup "$n" "$(sqlite3 "$T/flows.db" 'SELECT COUNT(DISTINCT seq) FROM flows WHERE stream IS NOT NULL')"
printf '{"ts_start":"x"}\n' >"$T/junk.jsonl"
check import-rejects 1 'rejected' -- "$D" -c "$T/d.conf" --import "$T/junk.jsonl"

# --- live dataplane: status, malformed requests, reloads under load ---
sed 's/default = "allow"; inbound = "drop"; on_giveup = "allow"/default = "drop"; inbound = "drop"; on_giveup = "drop"/' conf/aduana.conf >"$T/tight.conf"
sed -i "s|\"classes.conf\"|\"$ROOT/conf/classes.conf\"|; s|= \"lists\"|= \"$ROOT/conf/lists\"|" "$T/tight.conf"
printf 'version = 1;\nzones = 7;\n' >"$T/reject.conf"
"$A" -l 0-1 --no-huge --no-pci -m 512 --no-shconf --file-prefix "ctl$$" --log-level '*:warning' \
  --vdev "net_pcap0,rx_pcap=pcaps/demo.pcap,infinite_rx=1" --vdev net_null0,no-rx=1 \
  -- -c conf/aduana.conf --inside net_pcap0 --outside net_null0 --ctl "$T/dp.sock" --duration 300 -q \
  >"$T/sum2" 2>"$T/dp2.err" & live=$!; pids+=($live)
"$D" -c "$T/d.conf" 2>"$T/d2.err" & dpid=$!; pids+=($dpid)
wait_for "[ -S $T/dp.sock ] && [ -S $T/d.sock ]" || true
sleep 1
check status-live 0 '"dataplane":"up".*"dp_policy_version":1' -- "$C" status --json
check status-table 0 'dp_rx +[1-9]' -- "$C" status
python3 - "$T/dp.sock" >"$T/malformed.out" 2>&1 <<'PY'
import socket, struct, sys, json
path = sys.argv[1]
import time
def conn():
    for i in range(100):
        try:
            s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(path); return s
        except BlockingIOError:  # the backlog is full until the next poll
            s.close(); time.sleep(0.01)
    raise RuntimeError("cannot connect")
def frame(s):
    h = b""
    while len(h) < 8:
        b = s.recv(8 - len(h))
        if not b: return None, None
        h += b
    n = struct.unpack(">I", h[4:])[0]; body = b""
    while len(body) < n: body += s.recv(n - len(body))
    return h[3], body
def status_ok():
    s = conn(); s.sendall(b"AD\x01\x01\x00\x00\x00\x00"); t, b = frame(s); s.close()
    return t == 0x81 and json.loads(b)["policy_version"] >= 1
cases = {
  "garbage": b"GET / HTTP/1.0\r\n\r\n",
  "wrong-version": b"AD\x02\x01\x00\x00\x00\x00",
  "oversize": b"AD\x01\x01\xff\xff\xff\xff",
  "unknown-type": b"AD\x01\x33\x00\x00\x00\x00",
  "grant-not-yet": b"AD\x01\x05\x00\x00\x00\x00",
  "ack-unsubscribed": b"AD\x01\x11\x00\x00\x00\x01x",
}
for name, data in cases.items():
    s = conn(); s.sendall(data); t, b = frame(s)
    err = t == 0x7f and "error" in json.loads(b)
    print(name, "error" if err else "NO-ERROR", "serving" if status_ok() else "DEAD")
# Half a frame, then the peer goes away: nothing to answer, still serving.
s = conn(); s.sendall(b"AD\x01\x01\x00\x00"); s.close()
print("half-frame", "error", "serving" if status_ok() else "DEAD")
# Random bytes, many connections.
import os
for i in range(50):
    s = conn(); s.sendall(os.urandom(64)); s.close()
print("random", "error", "serving" if status_ok() else "DEAD")
PY
for c in garbage wrong-version oversize unknown-type grant-not-yet ack-unsubscribed half-frame random; do
  grep -qx "$c error serving" "$T/malformed.out" && ok "malformed-$c" || ko "malformed-$c" "$(grep "^$c" "$T/malformed.out" || tail -3 "$T/malformed.out")"
done
check reload-reject 2 'reject.conf:2: ' -- "$C" reload "$T/reject.conf"
check reload-reject-unchanged 0 '"dp_policy_version":1,' -- "$C" status --json
check reload-ok 0 'policy version 1 -> 2, sha256 [0-9a-f]{64}' -- "$C" reload "$T/tight.conf"
check reload-json 0 '"policy_version":3,"previous_version":2,.*"flows_to_rejudge":[0-9]+' -- "$C" reload --json conf/aduana.conf
bad=0
# Each reload is validated in full by aduanad first (Hyperscan compile):
# about a second each here, so 20 rather than 100.
for i in $(seq 1 20); do
  if [ $((i % 2)) = 1 ]; then cf=$T/tight.conf; else cf=conf/aduana.conf; fi
  "$C" reload --json "$cf" >/dev/null 2>&1 || bad=$((bad + 1))
done
expect reload-20-alternating 0 "$bad"
check reload-version-after 0 '"dp_policy_version":23,' -- "$C" status --json
# Every reload is in the audit log (beside the store: $T/audit.jsonl), with
# the policy's hash before and after; the rejected one as an error.
aj=$("$C" audit --json); expect audit-chain-after-reloads true "$(jq -r .ok <<<"$aj")"
expect audit-reloads-ok 22 "$(jq '[.list[] | select(.action=="reload" and .result=="ok")] | length' <<<"$aj")"
expect audit-reload-rejected "error" "$(jq -r '[.list[] | select(.action=="reload")][0].result' <<<"$aj")"
h_conf=$("$C" check --json conf/aduana.conf | jq -r .sha256); h_tight=$("$C" check --json "$T/tight.conf" | jq -r .sha256)
expect audit-reload-hashes "$h_conf $h_tight root admin" \
  "$(jq -r '[.list[] | select(.action=="reload" and .result=="ok")][0] | "\(.hash_before) \(.hash_after) \(.who.user) \(.who.role)"' <<<"$aj")"
# The head after each entry reached a real rsyslogd, parsed as RFC 5424.
ah=$("$C" status --json | jq -r '"seq=\"\(.audit_head_seq)\" head=\"\(.audit_head)\""')
wait_for "grep -qF '$ah' $T/rs/audit.log" || true
grep -qF "1 aduanad audit [audit@32473 $ah] {\"seq\":" "$T/rs/audit.log" && ok audit-head-rsyslog || ko audit-head-rsyslog "$(tail -1 "$T/rs/audit.log")"
expect audit-reload-rejected-unchanged "$h_conf $h_conf" \
  "$(jq -r '[.list[] | select(.action=="reload")][0] | "\(.hash_before) \(.hash_after)"' <<<"$aj")"
kill -INT "$live"; wait "$live"
sum=$(grep '"summary"' "$T/sum2")
rx=$(jq '.summary.rx' <<<"$sum"); tx=$(jq '.summary.tx' <<<"$sum"); dr=$(jq '.summary.dropped' <<<"$sum")
[ -n "$rx" ] && [ "$rx" -gt 0 ] && [ "$rx" = $((tx + dr)) ] && ok reload-counters-balance || ko reload-counters-balance "rx=$rx tx=$tx dropped=$dr"
expect reload-summary-version 23 "$(jq '.summary.policy_version' <<<"$sum")"

# Roles, the audit trail and the compliance report (issue 11).
skip=0
. tests/ctl/audit.sh

if [ "$skip" -gt 0 ]; then echo "ctl: $pass passed, $fail failed, $skip skipped"
else echo "ctl: $pass passed, $fail failed"; fi
[ $fail -eq 0 ]
