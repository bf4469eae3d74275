#!/usr/bin/env bash
# tests/replay/heap.sh - no libc heap calls on the worker threads (issue 13).
#
# Replays, with every flow classified (one zone over all addresses, office
# profile, the shipped lists, 2 workers), one capture made of the shared
# nDPI corpus (../shared/corpus/ndpi, when present), the repository's
# pcaps/ and the replay cases' inputs that tests/replay/run.sh generated,
# under an LD_PRELOAD library (heapcount.c, built here) that counts malloc,
# calloc, realloc, free and the aligned allocators on the threads DPDK
# names rte-worker-N. Checks:
#   - the run ends normally and the library saw the worker threads;
#   - nDPI did allocate on the workers (the summary's ndpi_heap), so the
#     capture exercises the path;
#   - the libc calls on workers: 0 (the library's samples say where any
#     came from). Calls made inside libpcap are counted apart and not held
#     against the dataplane: the replay device (net_pcap) reads the capture
#     on the receiving worker, and libpcap grows its buffer there for a
#     frame longer than any before; a live port has no such reader;
#   - no nDPI allocation was refused (ndpi_heap.failures 0).
# Skipped under AddressSanitizer (it must own malloc itself).
#
# Prints PASS/FAIL lines and ends with `heap: N passed, N failed[, N skipped]`.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
BIN=$BUILD/aduana
PY=/usr/bin/python3
OUT=$BUILD/heap
CORPUS=${CORPUS:-$ROOT/../shared/corpus/ndpi}
WORKERS=${HEAP_WORKERS:-2}

passed=0
failed=0
pass() { echo "PASS heap/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL heap/$1"; failed=$((failed + 1)); }
finish() {
	echo "heap: $passed passed, $failed failed${1:+, $1 skipped}"
	[ $failed -eq 0 ]
	exit
}

[ -x "$BIN" ] || { echo "heap: $BIN does not exist; build it first (make)"; exit 2; }
if nm "$BIN" 2>/dev/null | grep __asan_init >/dev/null; then  # not -q: with pipefail, nm would die of SIGPIPE
	echo "SKIP heap: $BIN is built with AddressSanitizer, which must own malloc"
	finish 1
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/counts "$OUT"/stdout "$OUT"/stderr

cc -O2 -g -shared -fPIC -Wall -Wextra -o "$OUT/heapcount.so" tests/replay/heapcount.c -ldl ||
	{ fail "build: cannot build heapcount.so"; finish; }

# ---- the capture ----
rm -rf "$OUT/in.d" && mkdir -p "$OUT/in.d"
n=0
add() { # FILE: as a pcap in in.d
	local b
	b=$(basename "$1"); b=${b%.pcapng}; b=${b%.pcap}
	if editcap -F pcap "$1" "$OUT/in.d/$(printf %03d $n)-$b.pcap" 2>/dev/null; then
		n=$((n + 1))
	fi
}
corpus=0
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -e "$f" ] || continue
	add "$f"
	corpus=$((corpus + 1))
done
for f in pcaps/*.pcap pcaps/clients/*.pcap "$BUILD"/replay/*/in.pcap; do
	[ -e "$f" ] && add "$f"
done
[ $corpus -gt 0 ] || echo "heap: no shared nDPI corpus at $CORPUS: pcaps/ and the replay cases only"
if ! $PY perf/gen_bench.py corpus "$OUT"/in.d/*.pcap -o "$OUT/in.pcap" 2>"$OUT/gen.err"; then
	fail "capture: perf/gen_bench.py corpus failed: $(tail -1 "$OUT/gen.err")"
	finish
fi
rm -rf "$OUT/in.d"

cat >"$OUT/heap.conf" <<EOF
# tests/replay/heap.sh: every flow classified
version = 1;
dataplane = { workers = $WORKERS; flows_per_worker = 262144; classify_packets = 32; };
log = { flow_log = ""; };
classes = "$ROOT/conf/classes.conf";
lists = "$ROOT/conf/lists";
profiles = ( { name = "office"; default = "allow"; inbound = "drop"; on_giveup = "allow";
  on_exception = "allow"; allow = [ ]; block = [ "p2p", "remote_access", "proxy" ]; } );
zones = ( { name = "all"; subnets = [ "0.0.0.0/0", "::/0" ]; profile = "office"; } );
EOF

# ---- the run ----
# (env: the library goes into aduana alone, not into timeout, whose exit
# would write the counts file last.)
timeout -k 5 300 env HEAPCOUNT_OUT="$OUT/counts" LD_PRELOAD="$OUT/heapcount.so" \
	"$BIN" --replay "$OUT/in.pcap" -c "$OUT/heap.conf" --workers "$WORKERS" -q \
	>"$OUT/stdout" 2>"$OUT/stderr" </dev/null
rc=$?
sum=$(grep '^{"summary"' "$OUT/stdout" | tail -1)
if [ $rc -ne 0 ] || [ -z "$sum" ] || [ ! -s "$OUT/counts" ]; then
	fail "run: aduana exited $rc (summary: $([ -n "$sum" ] && echo yes || echo no), counts: $([ -s "$OUT/counts" ] && echo yes || echo no))"
	tail -5 "$OUT/stderr" | sed 's/^/    /'
	finish
fi
val() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/counts"; }
threads=$(val worker_threads)
calls=$(val worker_total)
other=$(val other_calls)
device=$(val worker_device_calls)
rx=$(jq -r .summary.rx <<<"$sum")
nallocs=$(jq -r '.summary.ndpi_heap.allocs // 0' <<<"$sum")
nfail=$(jq -r '.summary.ndpi_heap.failures // 0' <<<"$sum")
echo "heap: $rx packets, $(jq -r .summary.flows <<<"$sum") flows ($corpus corpus captures);" \
	"libc calls on $threads worker threads: $calls (plus $device in the replay device's libpcap);" \
	"elsewhere: $other; nDPI arena allocations: $nallocs"

if [ "${threads:-0}" -ge "$WORKERS" ] && [ "${other:-0}" -gt 0 ]; then
	pass "the counter saw $threads worker threads and $other calls elsewhere"
else
	fail "the counter saw ${threads:-0} worker threads (want $WORKERS) and ${other:-0} calls elsewhere"
fi
if [ "$nallocs" -gt 0 ]; then
	pass "nDPI allocated on the workers ($nallocs blocks, from their arenas)"
else
	fail "nDPI made no allocation on the workers: the capture does not exercise the path"
fi
if [ "${calls:-1}" -eq 0 ]; then
	pass "no libc heap call on a worker thread"
else
	fail "$calls libc heap calls on worker threads ($(grep '^worker_' "$OUT/counts" | grep -v ' 0$' | tr '\n' ' '))"
	grep '^sample' "$OUT/counts" | sort | uniq -c | sort -rn | head -12 | sed 's/^/    /'
fi
if [ "$nfail" -eq 0 ]; then
	pass "no nDPI allocation refused"
else
	fail "$nfail nDPI allocations refused (arena full)"
fi
finish
