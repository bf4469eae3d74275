#!/usr/bin/env bash
# Command-line behaviour of build/aduana: help, config checking, and clear
# errors (with exit status 2) for bad arguments, configs and captures.
# Ends with "cli: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
A=$BUILD/aduana
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

# check NAME EXPECTED_RC REGEX -- CMD...: exit status and a line of output
check() {
  local name=$1 want=$2 re=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -Eq -- "$re" <<<"$out"; then
    echo "PASS cli/$name"; pass=$((pass + 1))
  else
    echo "FAIL cli/$name: exit $rc (want $want), output:"; sed 's/^/    /' <<<"$out" | head -8
    fail=$((fail + 1))
  fi
}

check help 0 '^SYNOPSIS' -- "$A" --help
check help-replay 0 'aduana --replay IN.pcap' -- "$A" -h
check check-shipped 0 'conf/aduana.conf: ok: 2 zones, 2 profiles, 3 endpoints' -- "$A" --check -c conf/aduana.conf
printf 'version = 1;\nzones = ( { name = "x"; subnets = [ "10.0.0.0/33" ]; profile = "p"; } );\n' > "$T/bad.conf"
check check-bad-conf 2 "bad.conf:2: " -- "$A" --check -c "$T/bad.conf"
printf 'version = 1;\nclasses = "nowhere.conf";\n' > "$T/noclasses.conf"
check check-missing-classes 2 'nowhere.conf' -- "$A" --check -c "$T/noclasses.conf"
check missing-conf 2 'aduana: .*nonexistent.conf' -- "$A" --check -c "$T/nonexistent.conf"
check no-conf 2 '-c CONF is required' -- "$A" --replay pcaps/demo.pcap
check bad-workers 2 'workers: expected 1\.\.' -- "$A" --replay pcaps/demo.pcap -c conf/aduana.conf --workers 0
check unknown-option 2 "Try 'aduana --help'" -- "$A" --replay pcaps/demo.pcap -c conf/aduana.conf --frobnicate
check replay-missing-file 2 'nonexistent.pcap' -- "$A" --replay "$T/nonexistent.pcap" -c conf/aduana.conf --flow-log /dev/null
# A capture of a link type replay cannot read (DLT_USER0 = 147).
/usr/bin/python3 - "$T/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    f.write(struct.pack("<IIII", 1700000000, 0, 4, 4) + b"abcd")
PY
check replay-bad-linktype 2 'link type 147 .* not supported' -- "$A" --replay "$T/user0.pcap" -c conf/aduana.conf --flow-log /dev/null
printf 'not a capture at all\n' > "$T/junk.pcap"
check replay-junk-file 2 'junk.pcap' -- "$A" --replay "$T/junk.pcap" -c conf/aduana.conf --flow-log /dev/null
check flow-log-unwritable 2 'flow log .*No such file' -- "$A" --replay pcaps/demo.pcap -c conf/aduana.conf --flow-log "$T/no/such/dir/f.jsonl"
check live-needs-ports 2 'live mode needs --inside' -- "$A" --no-huge --no-pci --no-shconf --file-prefix cli$$ -m 128 -- -c conf/aduana.conf
# An empty capture is fine: nothing in, nothing out, balanced.
/usr/bin/python3 - "$T/empty.pcap" <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
PY
check replay-empty 0 '"rx":0,"tx":0,"dropped":0' -- "$A" --replay "$T/empty.pcap" -c conf/aduana.conf --flow-log /dev/null -q
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
