#!/usr/bin/env bash
# Roles, the audit trail and the compliance report (issue 11): a user made
# here (useradd, removed at the end) who is a viewer reads but cannot
# reload or grant; both refusals are audited and the chain verifies; an
# edited entry is named. The report's figures (JSON, HTML) against jq's
# count of the flow log of the same replay; the HTML in headless chromium.
#
# Sourced by tests/ctl/run.sh (it shares ok/ko/check/expect, $T, pids and
# the counters), or run alone: tests/ctl/audit.sh, ending with
# "audit: N passed, N failed[, N skipped]".
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  cd "$(dirname "$0")/../.."
  BUILD=${BUILD:-build}
  ROOT=$PWD
  A=$BUILD/aduana; D=$BUILD/aduanad; C=$BUILD/aduanactl
  T=$(mktemp -d /tmp/aduana-audit.XXXXXX)
  pids=()
  pass=0; fail=0; skip=0
  ok() { echo "PASS ctl/$1"; pass=$((pass + 1)); }
  ko() { echo "FAIL ctl/$1: $2"; fail=$((fail + 1)); }
  expect() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "want '$2', got '$3'"; fi; }
  check() {
    local name=$1 want=$2 re=$3; shift 4
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" = "$want" ] && grep -Eq -- "$re" <<<"$out"; then ok "$name"
    else ko "$name" "exit $rc (want $want): $(head -c 400 <<<"$out")"; fi
  }
  wait_for() { local i; for i in $(seq 1 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }
  port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  AUDIT_ALONE=1
else
  AUDIT_ALONE=0
fi
skipped() { echo "SKIP ctl/$1: $2"; skip=$(( ${skip:-0} + 1 )); }

AT=$T/audit
mkdir -p "$AT"
# Names unique per run: parallel runs do not meet.
U=adt$$; G=adtv$$
audit_cleanup() {
  local p
  for p in "${apids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.2
  for p in "${apids[@]}"; do kill -9 "$p" 2>/dev/null; done
  mountpoint -q "$AT/small" 2>/dev/null && umount "$AT/small"
  if [ "${made_user:-0}" = 1 ]; then
    userdel "$U" 2>/dev/null
    groupdel "$G" 2>/dev/null
  fi
  [ "$AUDIT_ALONE" = 1 ] && [ -z "${KEEP:-}" ] && rm -rf "$T"
}
apids=()
trap 'audit_cleanup' EXIT
[ "$AUDIT_ALONE" = 0 ] && trap 'audit_cleanup; cleanup' EXIT

# --- the caller: a user in a viewer group only ---
made_user=0
if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null && groupadd "$G" 2>/dev/null; then
  # The viewer group is a supplementary one: only SO_PEERGROUPS tells it.
  if useradd -M -N -G "$G" -s /usr/sbin/nologin -d /nonexistent "$U" 2>/dev/null; then
    made_user=1
  else
    groupdel "$G"
  fi
fi
# The user reaches the socket and a copy of aduanactl in $T (the checkout
# may not be readable to it).
chmod 0711 "$T" "$AT"
cp "$C" "$AT/aduanactl"; chmod 0755 "$AT/aduanactl"
SYS=$(port udp)
# A plain syslog receiver: every datagram, one per line.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d, _ = s.recvfrom(65536)
        f.write(d.replace(b"\n", b" ") + b"\n")
'  "$SYS" "$AT/syslog.log" & apids+=($!)
# A plain IPFIX receiver: each datagram as hex; tshark decodes them later.
NFA=$(port udp)
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        d, _ = s.recvfrom(65536); f.write(d.hex() + "\n")
' "$NFA" "$AT/ipfix.hex" & apids+=($!)
sleep 0.5   # both listen before aduanad sends its first templates

if [ $made_user = 1 ]; then
  ROLES="socket_group = \"$G\"; roles = { viewer = { groups = [ \"$G\" ]; }; };"
else
  ROLES=""
fi
cat >"$AT/d.conf" <<CF
dataplane = "$AT/dp.sock";
socket = "$AT/a.sock";
policy = "$ROOT/conf/aduana.conf";
store = { path = "$AT/flows.db"; batch = 8; max_age_days = 0; max_mbytes = 0; };
audit = "$AT/audit.jsonl";
syslog = { target = "udp:127.0.0.1:$SYS"; facility = "local4"; };
ipfix = { enterprise = 32473; domain = 9; collectors = [ "udp:127.0.0.1:$NFA" ]; };
$ROLES
CF

# Config errors name their line.
printf 'store = { path = "/x"; };\nroles = { boss = { users = [ "root" ]; }; };\n' >"$AT/bad-role.conf"
check roles-conf-unknown-role 2 'bad-role.conf:2: unknown role .boss.' -- "$D" -c "$AT/bad-role.conf"
printf 'store = { path = "/x"; };\nroles = { admin = { users = [ 1.5 ]; }; };\n' >"$AT/bad-role2.conf"
check roles-conf-bad-entry 2 'bad-role2.conf:2: expected a name or a number' -- "$D" -c "$AT/bad-role2.conf"
printf 'store = { path = "/x"; };\nsocket_group = "no-such-group-%s";\n' $$ >"$AT/bad-group.conf"
check roles-conf-no-group 2 "bad-group.conf:2: 'socket_group': no group" -- "$D" -c "$AT/bad-group.conf"

# --- a replay with aduanad subscribed: demo, the client captures and the
# midstream case (exceptions), merged into one capture ---
/usr/bin/python3 pcaps/gen_replay.py "$AT/gen" midstream >/dev/null 2>&1
mergecap -F pcap -w "$AT/mix.pcap" pcaps/demo.pcap pcaps/clients/*.pcap "$AT/gen/midstream/in.pcap"
"$D" -c "$AT/d.conf" 2>"$AT/d.err" & adpid=$!; apids+=($adpid)
"$A" --replay "$AT/mix.pcap" -c conf/aduana.conf --flow-log "$AT/f.jsonl" --ctl "$AT/dp.sock" -q \
  >/dev/null 2>"$AT/dp.err"
expect audit-replay-exit 0 $?
n=$(wc -l <"$AT/f.jsonl")
grep -q "$n records queued, $n acknowledged" "$AT/dp.err" && ok audit-replay-acked || ko audit-replay-acked "$(tail -2 "$AT/dp.err")"
[ -S "$AT/a.sock" ] || wait_for "[ -S $AT/a.sock ]"

# Two records as an attacker and the grants branch would leave them: an SNI
# that is markup, and a flow under a grant with its approval reference.
# Imported into the same store; the flow log for jq is both files.
# The markup SNI is tried five times: it ranks among the top destinations.
for i in 1 2 3 4 5; do
  jq -c 'select(.verdict=="drop" and .zone=="e2m")' "$AT/f.jsonl" | head -1 |
    jq -c '.sni = "<script>document.title=\"pwned\"</script>x.evil.example"'
done >"$AT/extra.jsonl"
jq -c 'select(.verdict=="allow" and .zone=="e2m")' "$AT/f.jsonl" | head -1 |
  jq -c '.reason = "grant:7" | .approval = "MISTG-2026-<b>041</b>" | .sni = "upload.e2m-partner.example"' >>"$AT/extra.jsonl"
"$D" -c "$AT/d.conf" --import "$AT/extra.jsonl" 2>"$AT/imp.err"
expect audit-import-extra 0 $?
cat "$AT/f.jsonl" "$AT/extra.jsonl" >"$AT/all.jsonl"

export ADUANA_SOCKET=$AT/a.sock
as_user() { runuser -u "$U" -- "$@"; }

# --- roles ---
if [ $made_user = 1 ]; then
  expect roles-socket-group "$G 660" "$(stat -c '%G %a' "$AT/a.sock")"
  check roles-viewer-status 0 "\"caller\":\"$U\",\"caller_role\":\"viewer\"" -- as_user "$AT/aduanactl" --socket "$AT/a.sock" status --json
  check roles-viewer-flows 0 '"verdict"' -- as_user "$AT/aduanactl" --socket "$AT/a.sock" flows --json --limit 3
  check roles-viewer-report 0 '^COMPLIANCE REPORT' -- as_user "$AT/aduanactl" --socket "$AT/a.sock" report
  cp conf/aduana.conf "$AT/cand.conf"; chmod 0644 "$AT/cand.conf"
  check roles-viewer-reload-refused 3 "refused: reload needs role admin; you are $U \\(uid [0-9]+\\), role viewer" \
    -- as_user "$AT/aduanactl" --socket "$AT/a.sock" reload --approval CHG-1 "$AT/cand.conf"
  # A grant request (0x05): refused by role before its body is looked at.
  as_user python3 - "$AT/a.sock" >"$AT/grant.out" 2>&1 <<'PY'
import socket, struct, sys, json
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
body = b'{"src":"e2m","dst":"upload.example:443","for":"2h","approval":"APR-77"}'
s.sendall(b"AD\x01\x05" + struct.pack(">I", len(body)) + body)
h = s.recv(8); n = struct.unpack(">I", h[4:])[0]; b = b""
while len(b) < n: b += s.recv(n - len(b))
print(hex(h[3]), b.decode())
PY
  grep -q '^0x7f .*"refused":true,"role_needed":"admin","role":"viewer"' "$AT/grant.out" \
    && ok roles-viewer-grant-refused || ko roles-viewer-grant-refused "$(cat "$AT/grant.out")"
  check roles-viewer-audit-reads 0 'audit chain: ok' -- as_user "$AT/aduanactl" --socket "$AT/a.sock" audit
  # A viewer who holds connections open (half a header each, forever)
  # cannot lock an admin out of revoke or reload: at most 4 per uid below
  # admin, and the last slots are kept for admins.
  cat >"$AT/hog.py" <<'HOG'
import os, socket, sys, time
held = []
for i in range(40):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    try:
        s.send(b"AD\x01\x01\x00\x00"); held.append(s)
    except OSError:
        pass
print("ready", flush=True)
for i in range(300):  # until told, 30 s at most
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
HOG
  chmod 0644 "$AT/hog.py"
  runuser -u "$U" -- python3 "$AT/hog.py" "$AT/a.sock" "$AT/hog.stop" >"$AT/hog.out" 2>&1 &
  hogpid=$!; apids+=($hogpid)
  wait_for "grep -q ready $AT/hog.out" || true
  check roles-hog-admin-served 0 '"caller":"root","caller_role":"admin"' -- "$C" status --json
  check roles-hog-viewer-busy 2 'busy: .* already holds 4 connections' -- as_user "$AT/aduanactl" --socket "$AT/a.sock" status
  touch "$AT/hog.stop"; wait "$hogpid" 2>/dev/null
  check roles-hog-gone-viewer-served 0 '"caller_role":"viewer"' -- as_user "$AT/aduanactl" --socket "$AT/a.sock" status --json
  # simulate runs offline as the caller (README "Roles"): a viewer may, and
  # reads only what it may read; a root-only capture or config stays closed.
  mkdir -p "$AT/sim"; cp -r conf/aduana.conf conf/classes.conf conf/lists pcaps/demo.pcap "$A" "$AT/sim/"
  chmod -R a+rX "$AT/sim"
  check roles-viewer-simulate 0 '11 flows replayed; 0 would change' -- as_user "$AT/aduanactl" simulate \
    --aduana "$AT/sim/aduana" --running "$AT/sim/aduana.conf" --pcap "$AT/sim/demo.pcap" "$AT/sim/aduana.conf"
  cp pcaps/demo.pcap "$AT/sim/secret.pcap"; chmod 0600 "$AT/sim/secret.pcap"
  check roles-viewer-simulate-private-pcap 2 'secret.pcap: .*Permission denied' -- as_user "$AT/aduanactl" simulate \
    --aduana "$AT/sim/aduana" --running "$AT/sim/aduana.conf" --pcap "$AT/sim/secret.pcap"
  cp conf/aduana.conf "$AT/sim/secret.conf"; chmod 0600 "$AT/sim/secret.conf"
  check roles-viewer-simulate-private-conf 2 'secret.conf' -- as_user "$AT/aduanactl" simulate \
    --aduana "$AT/sim/aduana" --running "$AT/sim/aduana.conf" --pcap "$AT/sim/demo.pcap" "$AT/sim/secret.conf"
else
  for t in roles-socket-group roles-viewer-status roles-viewer-flows roles-viewer-report \
    roles-viewer-reload-refused roles-viewer-grant-refused roles-viewer-audit-reads \
    roles-hog-admin-served roles-hog-viewer-busy roles-hog-gone-viewer-served \
    roles-viewer-simulate roles-viewer-simulate-private-pcap roles-viewer-simulate-private-conf; do
    skipped "$t" "not root, or useradd/groupadd unavailable"
  done
fi
check roles-root-admin 0 '"caller":"root","caller_role":"admin"' -- "$C" status --json

# --- the audit trail ---
if [ $made_user = 1 ]; then
  aj=$("$C" audit --json)
  expect audit-chain-ok true "$(jq -r .ok <<<"$aj")"
  expect audit-refusals "reload refused viewer $U CHG-1|grant refused viewer $U APR-77" \
    "$(jq -r '[.list[] | select(.result=="refused") | "\(.action) \(.result) \(.who.role) \(.who.user) \(.approval)"] | join("|")' <<<"$aj")"
  expect audit-who-supplementary "$G not-primary" \
    "$(jq -r --arg g "$G" --argjson gid "$(getent group "$G" | cut -d: -f3)" '.list[0].who | "\(.groups | map(select(. == $g))[0]) \(if .gid == $gid then "primary" else "not-primary" end)"' <<<"$aj")"
  expect audit-who-uid "$(id -u "$U")" "$(jq -r '.list[0].who.uid' <<<"$aj")"
  # No dataplane now: the hashes are unknown (null), the same before and after.
  expect audit-entry-fields "seq time who action result detail hash_before hash_after approval prev hash" \
    "$(jq -r '.list[0] | keys_unsorted | join(" ")' <<<"$aj")"
  expect audit-first-prev "$(printf '0%.0s' $(seq 64))" "$(jq -r '.list[0].prev' <<<"$aj")"
  expect audit-prev-links "$(jq -r '.list[0].hash' <<<"$aj")" "$(jq -r '.list[1].prev' <<<"$aj")"
  # Each entry's hash is the sha256 of its line without the hash member.
  h2=$(sed -n 2p "$AT/audit.jsonl" | sed -E 's/,"hash":"[0-9a-f]{64}"\}$/}/' | tr -d '\n' | sha256sum | cut -c1-64)
  expect audit-hash-recomputed "$h2" "$(jq -r '.list[1].hash' <<<"$aj")"
  # The head went to syslog with each entry (RFC 5424, MSGID audit).
  head=$(jq -r .head <<<"$aj"); hseq=$(jq -r .head_seq <<<"$aj")
  wait_for "grep -q 'head=\"$head\"' $AT/syslog.log" || true
  grep -Eq "^<165>1 [0-9T:.-]+Z [^ ]+ aduanad [0-9]+ audit \[audit@32473 seq=\"$hseq\" head=\"$head\"\] \{\"seq\":$hseq," "$AT/syslog.log" \
    && ok audit-head-syslog || ko audit-head-syslog "$(tail -2 "$AT/syslog.log")"
  # And to IPFIX, as an options record (template 258), decoded by tshark.
  /usr/bin/python3 - "$AT/ipfix.hex" "$AT/ipfix.pcap" "$NFA" <<'PY' 2>/dev/null
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
wrpcap(sys.argv[2], [Ether() / IP(src="127.0.0.1", dst="127.0.0.1") / UDP(sport=40000, dport=int(sys.argv[3]))
                     / Raw(bytes.fromhex(l.strip())) for l in open(sys.argv[1]) if l.strip()])
PY
  tshark -r "$AT/ipfix.pcap" -d "udp.port==$NFA,cflow" -V 2>/dev/null >"$AT/ipfix.txt"
  grep -q 'Options Template (Id = 258) (Scope Count = 1; Data Count = 2)' "$AT/ipfix.txt" \
    && ok audit-head-ipfix-template || ko audit-head-ipfix-template "no options template 258 decoded"
  want7=$(printf '%016x' "$hseq" | sed 's/../& /g;s/ $//')
  want8=$(cut -c1-48 <<<"$head" | sed 's/../& /g;s/ $//')
  last=$(grep -A8 'FlowSet Id: (Data) (258)' "$AT/ipfix.txt" | grep 'Type [78]: Value' | tail -2 | tr '\n' '|')
  grep -q "Type 7: Value (hex bytes): $want7|.*Type 8: Value (hex bytes): $want8" <<<"$last" \
    && ok audit-head-ipfix-record || ko audit-head-ipfix-record "want seq $want7 head $want8..., got $last"
  check audit-status-head 0 "\"audit_head_seq\":$hseq,\"audit_head\":\"$head\"" -- "$C" status --json
  check audit-since-future 0 '^SEQ' -- "$C" audit --since 2099-01-01T00:00:00Z
  expect audit-since-past 2 "$("$C" audit --json --since 1h | jq '.list | length')"
  expect audit-since-future-empty 0 "$("$C" audit --json --since 2099-01-01T00:00:00Z | jq '.list | length')"

  # Tamper: edit entry 1 (the refused reload becomes "ok").
  cp "$AT/audit.jsonl" "$AT/audit.orig"
  sed -i '1s/"result":"refused"/"result":"ok"/' "$AT/audit.jsonl"
  "$C" audit >"$AT/tamper.out" 2>&1; rc=$?
  expect audit-tamper-exit 4 "$rc"
  grep -q 'audit chain: BROKEN: entry seq 1 (line 1): its hash does not match its content' "$AT/tamper.out" \
    && ok audit-tamper-named || ko audit-tamper-named "$(tail -2 "$AT/tamper.out")"
  check audit-tamper-file 4 'BROKEN: entry seq 1 \(line 1\)' -- "$C" audit --file "$AT/audit.jsonl"
  check audit-tamper-json 4 '"ok":false,.*"broken_seq":1,"broken_line":1' -- "$C" audit --json
  # Rewrite the whole file with a consistent chain that drops the last
  # entry: the chain holds, but its head is not what aduanad wrote (and
  # sent to syslog).
  head -n 1 "$AT/audit.orig" >"$AT/audit.jsonl"
  check audit-file-alone-holds 0 'audit chain: ok: 1 entries' -- "$C" audit --file "$AT/audit.jsonl"
  check audit-rewrite-caught 4 'BROKEN: the file ends at seq 1, but the last entry aduanad wrote is seq 2' -- "$C" audit
  cp "$AT/audit.orig" "$AT/audit.jsonl"
  check audit-restored 0 'audit chain: ok: 2 entries' -- "$C" audit
  # The log replaced behind aduanad (sed -i above; here mv and a copy back,
  # as an editor saves): aduanad wrote every later entry into the unlinked
  # file, lost to `audit` and gone at its next start. It opens the path
  # again: the entry lands in the file, and the chain holds.
  mv "$AT/audit.jsonl" "$AT/audit.moved"; cp "$AT/audit.moved" "$AT/audit.jsonl"
  "$C" grant --src nozone --dst upload.example:443 --for 1h --approval REPL-1 >/dev/null 2>&1
  expect audit-replaced-reopened "grant error REPL-1" \
    "$(tail -n 1 "$AT/audit.jsonl" | jq -r '"\(.action) \(.result) \(.approval)"')"
  check audit-replaced-chain 0 'audit chain: ok: 3 entries' -- "$C" audit
  grep -q 'audit log .* was replaced or removed behind aduanad; opened again' "$AT/d.err" \
    && ok audit-replaced-said || ko audit-replaced-said "$(tail -2 "$AT/d.err")"
  # A viewer sending refused requests in a loop wrote an fsynced entry per
  # refusal (~5 MB/s) until the disk was full. Now: 20 at once, then one
  # per 6 s; every refusal is still answered and counted, and the caller's
  # next entry says how many were not written.
  cat >"$AT/flood.py" <<'FLOOD'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
body = b"/etc/aduana/aduana.conf\napproval=FLOOD-1"
refused = 0
for i in range(int(sys.argv[2])):
    s.sendall(b"AD\x01\x03" + struct.pack(">I", len(body)) + body)
    h = b""
    while len(h) < 8: h += s.recv(8 - len(h))
    n = struct.unpack(">I", h[4:])[0]; b = b""
    while len(b) < n: b += s.recv(n - len(b))
    refused += h[3] == 0x7f and b'"refused":true' in b
print("refused", refused)
FLOOD
  chmod 0644 "$AT/flood.py"
  n0=$(wc -l <"$AT/audit.jsonl")
  expect audit-flood-all-refused "refused 500" "$(as_user python3 "$AT/flood.py" "$AT/a.sock" 500 2>&1)"
  n1=$(wc -l <"$AT/audit.jsonl")
  [ $((n1 - n0)) -ge 1 ] && [ $((n1 - n0)) -le 20 ] && ok audit-flood-bounded \
    || ko audit-flood-bounded "500 refusals wrote $((n1 - n0)) entries (want 1..20)"
  st=$("$C" status --json)
  unwritten=$(jq -r '.refusals_unwritten // 0' <<<"$st")
  expect audit-flood-counted 500 "$(( unwritten + n1 - n0 ))"
  sleep 6.5
  as_user "$AT/aduanactl" --socket "$AT/a.sock" reload --approval FLOOD-2 "$AT/cand.conf" >/dev/null 2>&1
  expect audit-flood-next-says "$unwritten earlier refusals of this caller were not written" \
    "$(tail -n 1 "$AT/audit.jsonl" | jq -r '.detail' | grep -o '[0-9]* earlier refusals of this caller were not written')"
  check audit-flood-chain 0 'audit chain: ok' -- "$C" audit
else
  for t in audit-chain-ok audit-refusals audit-who-supplementary audit-who-uid audit-entry-fields \
    audit-first-prev audit-prev-links audit-hash-recomputed audit-head-syslog \
    audit-head-ipfix-template audit-head-ipfix-record audit-status-head \
    audit-since-future audit-since-past audit-since-future-empty audit-tamper-exit audit-tamper-named \
    audit-tamper-file audit-tamper-json audit-file-alone-holds audit-rewrite-caught audit-restored \
    audit-replaced-reopened audit-replaced-chain audit-replaced-said \
    audit-flood-all-refused audit-flood-bounded audit-flood-counted audit-flood-next-says audit-flood-chain; do
    skipped "$t" "no test user: no refusals to audit"
  done
fi

# --- malformed requests to the new frame types: an error, still serving ---
python3 - "$AT/a.sock" >"$AT/malformed.out" 2>&1 <<'PY'
import socket, struct, sys, json
path = sys.argv[1]
def call(t, body):
    s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(path)
    s.sendall(b"AD\x01" + bytes([t]) + struct.pack(">I", len(body)) + body)
    h = s.recv(8); n = struct.unpack(">I", h[4:])[0]; b = b""
    while len(b) < n: b += s.recv(n - len(b))
    s.close(); return h[3], b
def serving():
    t, b = call(1, b""); return t == 0x81 and "records_stored" in json.loads(b)
cases = {
  "report-no-equals": (8, b"zone"),
  "report-unknown-key": (8, b"colour=red\n"),
  "report-bad-since": (8, b"since_ms=soon\n"),
  "report-too-long": (8, b"zone=" + b"x" * 5000),
  "report-nul": (8, b"zone=e2m\x00\n"),
  "audit-bad-body": (9, b"everything please"),
  "audit-bad-since": (9, b"since_ms=-1"),
  "audit-too-long": (9, b"since_ms=" + b"9" * 100),
  "type-0x0b": (0x0b, b"x"),
}
for name, (t, body) in cases.items():
    rt, b = call(t, body)
    err = rt == 0x7f and "error" in json.loads(b)
    print(name, "error" if err else "NO-ERROR:" + hex(rt), "serving" if serving() else "DEAD")
PY
for c in report-no-equals report-unknown-key report-bad-since report-too-long report-nul \
  audit-bad-body audit-bad-since audit-too-long type-0x0b; do
  grep -qx "$c error serving" "$AT/malformed.out" && ok "malformed-$c" || ko "malformed-$c" "$(grep "^$c" "$AT/malformed.out" || tail -3 "$AT/malformed.out")"
done

# --- the compliance report against the flow log (jq) ---
rj=$("$C" report --json)
F=$AT/all.jsonl
expect report-totals \
  "$(jq -s -c '{flows: length, allowed: map(select(.verdict=="allow"))|length, blocked: map(select(.verdict=="drop"))|length, grant_flows: map(select(.reason|startswith("grant:")))|length, exception_flows: map(select(.reason|startswith("exception:")))|length}' "$F")" \
  "$(jq -c '.meta | {flows, allowed, blocked, grant_flows, exception_flows}' <<<"$rj")"
expect report-zones \
  "$(jq -s -c 'group_by(.zone) | map({zone: .[0].zone, flows: length, blocked: map(select(.verdict=="drop"))|length, grant_flows: map(select(.reason|startswith("grant:")))|length, exception_flows: map(select(.reason|startswith("exception:")))|length}) | sort_by(-.blocked, .zone)' "$F")" \
  "$(jq -c '.zones' <<<"$rj")"
expect report-classes \
  "$(jq -s -c 'map(select(.verdict=="drop")) | group_by(.class) | map({class: .[0].class, blocked: length}) | sort_by(-.blocked, .class)' "$F")" \
  "$(jq -c '.classes' <<<"$rj")"
expect report-blocked-zone-host-class \
  "$(jq -s -c 'map(select(.verdict=="drop") | {zone, host: (if .dir=="out" then .src else .dst end), class}) | group_by([.zone, .host, .class]) | map(.[0] + {attempts: length}) | sort_by(-.attempts, .zone, .host, .class)' "$F")" \
  "$(jq -c '.blocked' <<<"$rj")"
expect report-top-destinations \
  "$(jq -s -c 'map(select(.verdict=="drop") | (.sni // .host // .dst)) | group_by(.) | map({destination: .[0], attempts: length}) | sort_by(-.attempts, .destination) | .[:10]' "$F")" \
  "$(jq -c '.destinations' <<<"$rj")"
expect report-grants \
  "$(jq -s -c 'map(select(.reason|startswith("grant:")) | {reason, zone, host: (if .dir=="out" then .src else .dst end), approval}) | group_by([.reason, .zone, .host, .approval]) | map(.[0] + {flows: length})' "$F")" \
  "$(jq -c '.grants' <<<"$rj")"
expect report-exceptions \
  "$(jq -s -c 'map(select(.reason|startswith("exception:")) | {reason, zone, host: (if .dir=="out" then .src else .dst end)}) | group_by([.reason, .zone, .host]) | map(.[0] + {flows: length}) | sort_by(-.flows, .reason, .zone, .host)' "$F")" \
  "$(jq -c '.exceptions' <<<"$rj")"
# Each section is exercised: the replay has classes, exceptions, a grant.
expect report-has-every-section "1 1 1 1 1" \
  "$(jq -r '[(.classes|length>1), (.blocked|length>1), (.destinations|length>1), (.grants|length>0), (.exceptions|length>0)] | map(if . then 1 else 0 end) | join(" ")' <<<"$rj")"
z=$(jq -r '.zones[0].zone' <<<"$rj")
expect report-zone-filter "$(jq -s --arg z "$z" 'map(select(.zone==$z and .verdict=="drop"))|length' "$F")" \
  "$("$C" report --json --zone "$z" | jq '.meta.blocked')"
expect report-since-future 0 "$("$C" report --json --since 2099-01-01T00:00:00Z | jq '.meta.flows')"
check report-table 0 '^FLOWS +ALLOWED +BLOCKED' -- "$C" report

# The HTML: one file, no external assets, the same figures.
"$C" report --html "$AT/report.html" >/dev/null; expect report-html-exit 0 $?
python3 - "$AT/report.html" >"$AT/html.json" 2>"$AT/html.err" <<'PY'
import html.parser, json, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.id = None; s.totals = {}; s.bars = {}; s.rows = {}; s.row = None
        s.cell = None; s.ext = []; s.tags = set(); s.text = []
    def handle_starttag(s, tag, a):
        a = dict(a); s.tags.add(tag)
        for k in ("src", "href"):
            if k in a: s.ext.append(a[k])
        if tag == "link": s.ext.append(str(a))
        if a.get("id", "").startswith("total-"): s.id = a["id"][6:]
        if tag == "svg": s.chart = None
        if tag == "figure": s.fig = a.get("id")
        if tag == "g" and a.get("class") == "bar":
            s.bars.setdefault(s.fig, []).append([a["data-label"], int(a["data-value"])])
        if tag == "tr": s.row = (a.get("class"), []); 
        if tag == "td" and s.row is not None: s.cell = ""
    def handle_endtag(s, tag):
        if tag == "td" and s.row is not None: s.row[1].append(s.cell); s.cell = None
        if tag == "tr" and s.row is not None:
            if s.row[1] and s.row[0] != "empty": s.rows.setdefault(s.row[0], []).append(s.row[1])
            s.row = None
    def handle_data(s, d):
        if s.id: s.totals[s.id] = int(d); s.id = None
        if s.cell is not None: s.cell += d
        s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
print(json.dumps({"totals": p.totals, "bars": p.bars, "rows": p.rows, "external": p.ext,
                  "script": "script" in p.tags, "text": "".join(p.text)}))
PY
hj=$(cat "$AT/html.json")
expect report-html-totals "$(jq -c '.meta | {flows, allowed, blocked, grant_flows, exception_flows}' <<<"$rj")" \
  "$(jq -c '.totals | {flows, allowed, blocked, grant_flows, exception_flows}' <<<"$hj")"
expect report-html-class-chart "$(jq -c '[.classes[] | [(.class // "(no class)"), .blocked]]' <<<"$rj")" \
  "$(jq -c '.bars["chart-class"]' <<<"$hj")"
expect report-html-zone-chart "$(jq -c '[.zones[] | [.zone, .blocked]]' <<<"$rj")" "$(jq -c '.bars["chart-zone"]' <<<"$hj")"
expect report-html-zone-table "$(jq -c '[.zones[] | [.zone, (.flows|tostring), (.blocked|tostring), (.grant_flows|tostring), (.exception_flows|tostring)]]' <<<"$rj")" \
  "$(jq -c '.rows.zone' <<<"$hj")"
expect report-html-blocked-table "$(jq -c '[.blocked[] | [.zone, .host, (.class // "-"), (.attempts|tostring)]]' <<<"$rj")" \
  "$(jq -c '.rows.blocked' <<<"$hj")"
expect report-html-destinations "$(jq -c '[.destinations[] | [.destination, (.attempts|tostring)]]' <<<"$rj")" \
  "$(jq -c '.rows.destination' <<<"$hj")"
expect report-html-grants "$(jq -c '[.grants[] | [.reason, .zone, .host, (.approval // "-"), (.flows|tostring)]]' <<<"$rj")" \
  "$(jq -c '.rows.grant' <<<"$hj")"
expect report-html-exceptions "$(jq -c '[.exceptions[] | [.reason, .zone, .host, (.flows|tostring)]]' <<<"$rj")" \
  "$(jq -c '.rows.exception' <<<"$hj")"
expect report-html-self-contained "[] false" "$(jq -c '.external' <<<"$hj") $(jq -c '.script' <<<"$hj")"
grep -q '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;x.evil.example' "$AT/report.html" \
  && ok report-html-escaped || ko report-html-escaped "the markup SNI is not escaped as expected"
grep -q '@media print' "$AT/report.html" && ok report-html-print-css || ko report-html-print-css "no print CSS"

# --- a real browser: Debian's chromium, headless ---
CHROMIUM=$(command -v chromium || true)
if [ -n "$CHROMIUM" ]; then
  url="file://$AT/report.html"
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$AT/chrome" --screenshot="$AT/report.png" --window-size=1100,1600 "$url" \
    >"$AT/chrome-shot.log" 2>&1
  # A PNG of the window's size with more than a blank page's bytes.
  png=$(python3 - "$AT/report.png" <<'PY'
import struct, sys, zlib
try:
    d = open(sys.argv[1], "rb").read()
except OSError:
    print("missing"); sys.exit()
if d[:8] != b"\x89PNG\r\n\x1a\n": print("not-png"); sys.exit()
w, h = struct.unpack(">II", d[16:24])
# Distinct colours in the first rows: text and the red bars, not a blank page.
print(w, h, "big" if len(d) > 20000 else "small:%d" % len(d))
PY
)
  expect browser-screenshot "1100 1600 big" "$png"
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$AT/chrome" \
    --virtual-time-budget=2000 --dump-dom "$url" >"$AT/dom.html" 2>"$AT/chrome-dom.log"
  grep -q '<title>aduana compliance report</title>' "$AT/dom.html" && ok browser-title-not-pwned || ko browser-title-not-pwned "$(grep -o '<title>[^<]*' "$AT/dom.html")"
  # The SNI is text in a cell, not an element the browser made.
  grep -q '<td>&lt;script&gt;document.title="pwned"&lt;/script&gt;x.evil.example</td>' "$AT/dom.html" \
    && ok browser-sni-escaped || ko browser-sni-escaped "$(grep -o '.\{40\}evil.example.\{10\}' "$AT/dom.html" | head -2)"
  expect browser-no-script-element 0 "$(grep -ci '<script' <<<"$(sed 's/&lt;script/x/g' "$AT/dom.html")")"
  expect browser-total-blocked "$(jq '.meta.blocked' <<<"$rj")" "$(grep -o 'id="total-blocked">[0-9]*' "$AT/dom.html" | grep -o '[0-9]*$')"
  expect browser-class-bars "$(jq '.classes|length' <<<"$rj")" "$(sed -n '/id="chart-class"/,/<\/figure>/p' "$AT/dom.html" | grep -o '<g class="bar"' | wc -l)"
  expect browser-svg-charts 2 "$(grep -o '<svg ' "$AT/dom.html" | wc -l)"
  grep -q 'MISTG-2026-&lt;b&gt;041&lt;/b&gt;' "$AT/dom.html" && ok browser-approval-escaped || ko browser-approval-escaped "approval not shown escaped"
else
  for t in browser-screenshot browser-title-not-pwned browser-sni-escaped browser-no-script-element \
    browser-total-blocked browser-class-bars browser-svg-charts browser-approval-escaped; do
    skipped "$t" "chromium is not installed (apt-get install chromium)"
  done
fi

kill "$adpid" 2>/dev/null; wait "$adpid" 2>/dev/null

# --- a grant whose source cannot be checked is not stored ---
# aduanad checks a grant's source against the running policy's zones; when
# it could not load that policy (missing, unreadable, broken) it skipped the
# check and stored src=0.0.0.0/0, every zone.
sed "s|^policy = .*|policy = \"$AT/gone.conf\";|; s|^socket = .*|socket = \"$AT/u.sock\";|; s|^dataplane = .*|dataplane = \"$AT/u-dp.sock\";|; s|flows.db|u.db|; s|audit.jsonl|u-audit.jsonl|" \
  "$AT/d.conf" >"$AT/u.conf"
"$D" -c "$AT/u.conf" 2>"$AT/u.err" & upid=$!; apids+=($upid)
wait_for "[ -S $AT/u.sock ]" || true
check grant-unchecked-refused 2 'grant: the running policy cannot be read to check the source .*gone.conf.*nothing stored' -- \
  "$C" --socket "$AT/u.sock" grant --src 0.0.0.0/0 --dst 0.0.0.0/0 --for 1h --approval WIDE-1
expect grant-unchecked-not-stored 0 "$("$C" --socket "$AT/u.sock" grants --all --json | jq -s length)"
expect grant-unchecked-audited "grant error WIDE-1" \
  "$("$C" --socket "$AT/u.sock" audit --json | jq -r '.list[-1] | "\(.action) \(.result) \(.approval)"')"
kill "$upid" 2>/dev/null; wait "$upid" 2>/dev/null

# --- the audit log's disk full: a change is not made unaudited ---
# With the log's filesystem full, a grant was stored (and pushed) with no
# entry (audit_errors 1). Now reload, grant and revoke wait for room.
mkdir -p "$AT/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k tmpfs "$AT/small" 2>/dev/null; then
  sed "s|^audit = .*|audit = \"$AT/small/audit.jsonl\";|; s|^socket = .*|socket = \"$AT/f.sock\";|; s|^dataplane = .*|dataplane = \"$AT/f-dp.sock\";|; s|flows.db|f.db|" \
    "$AT/d.conf" >"$AT/f.conf"
  "$D" -c "$AT/f.conf" 2>"$AT/f.err" & fpid=$!; apids+=($fpid)
  wait_for "[ -S $AT/f.sock ]" || true
  check audit-full-before 0 '^grant 1: ' -- "$C" --socket "$AT/f.sock" grant --src e2m --dst 203.0.113.70:443 --for 1h --approval FULL-1
  dd if=/dev/zero of="$AT/small/fill" bs=4k 2>/dev/null
  check audit-full-grant-refused 2 'grant: not done: the audit log cannot take its entry \(audit log .*bytes free' -- \
    "$C" --socket "$AT/f.sock" grant --src e2m --dst 203.0.113.71:443 --for 1h --approval FULL-2
  check audit-full-revoke-refused 2 'revoke: not done: the audit log cannot take its entry' -- "$C" --socket "$AT/f.sock" revoke 1
  check audit-full-reload-refused 2 'reload: not done: the audit log cannot take its entry' -- "$C" --socket "$AT/f.sock" reload
  expect audit-full-nothing-changed "FULL-1 active" \
    "$("$C" --socket "$AT/f.sock" grants --all --json | jq -rs 'map("\(.approval) \(.state)") | join(",")')"
  expect audit-full-no-errors 0 "$("$C" --socket "$AT/f.sock" status --json | jq .audit_errors)"
  rm -f "$AT/small/fill"
  check audit-full-room-again 0 '^grant 2: ' -- "$C" --socket "$AT/f.sock" grant --src e2m --dst 203.0.113.71:443 --for 1h --approval FULL-2
  check audit-full-chain 0 'audit chain: ok: 2 entries' -- "$C" --socket "$AT/f.sock" audit
  kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
  umount "$AT/small"
else
  for t in audit-full-before audit-full-grant-refused audit-full-revoke-refused audit-full-reload-refused \
    audit-full-nothing-changed audit-full-no-errors audit-full-room-again audit-full-chain; do
    skipped "$t" "needs root to mount a small tmpfs"
  done
fi

if [ "$AUDIT_ALONE" = 1 ]; then
  if [ "$skip" -gt 0 ]; then echo "audit: $pass passed, $fail failed, $skip skipped"
  else echo "audit: $pass passed, $fail failed"; fi
  [ $fail -eq 0 ]
fi
