#!/usr/bin/env bash
# `make run`: replay the bundled demo capture through the shipped E2M policy
# on the real DPDK path, then print a per-flow verdict table and the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
out=$BUILD/demo
mkdir -p "$out"
rm -f "$out/flows.jsonl"
"$BUILD/aduana" --replay pcaps/demo.pcap -c conf/aduana.conf \
  --flow-log "$out/flows.jsonl" --pass-pcap "$out/pass.pcap" --drop-pcap "$out/drop.pcap" \
  > "$out/summary.json"
scripts/flowtable.py "$out/flows.jsonl"
echo
cat "$out/summary.json"
echo
echo "flow log: $out/flows.jsonl   forwarded: $out/pass.pcap   dropped: $out/drop.pcap"
