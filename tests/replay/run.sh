#!/usr/bin/env bash
# tests/replay/run.sh [CASE...] - replay cases (DESIGN 6, suricata-verify style).
#
# For each case directory tests/replay/<case>/ (all of them by default):
#   1. the input: tests/replay/<case>/in.pcap if the case ships one, else
#      pcaps/gen_replay.py writes it into $BUILD/replay/<case>/in.pcap;
#   2. $BUILD/aduana --replay in.pcap -c case.conf --flow-log out.jsonl
#      --pass-pcap pass.pcap --drop-pcap drop.pcap $(cat args), under a timeout;
#   3. check.py: every expected.tsv line matches its record(s), no other
#      records, rx = tx + dropped = frames in the input, the drops add up, the
#      pass/drop captures hold tx/dropped frames, expect_summary, expect_pcap;
#   4. unless the case has no_compare_workers: the same with --workers 1 and
#      --workers 2 must give the same flow records and counters;
#   5. the case's variants (pcapng input, --flow-log -) must give the same
#      records and counters as the main run.
# The demo case also checks that pcaps/demo.pcap is what the generator writes.
#
# Prints PASS/FAIL lines per check group and ends with
# `replay: N passed, N failed`. Exit 0 all passed, 1 a failure, 2 cannot run.
#
# Environment: BUILD (default build), REPLAY_TIMEOUT (seconds per run,
# default 60), REPLAY_COMPARE_WORKERS=0 to skip step 4, REPLAY_HEAP=0 to
# skip tests/replay/heap.sh (no libc heap calls on workers, issue 13), which
# runs after the cases when none is named.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
BIN=$BUILD/aduana
PY=/usr/bin/python3 # has scapy (Debian python3-scapy)
HERE=tests/replay
OUT=$BUILD/replay
TIMEOUT=${REPLAY_TIMEOUT:-60}
COMPARE=${REPLAY_COMPARE_WORKERS:-1}

if [ ! -x "$BIN" ]; then
	echo "replay: $BIN does not exist; build it first (make)"
	exit 2
fi
for tool in jq tshark editcap timeout; do
	if ! command -v "$tool" >/dev/null; then
		echo "replay: $tool is missing (make deps installs it)"
		exit 2
	fi
done
if ! "$PY" -c 'import scapy' 2>/dev/null; then
	echo "replay: $PY has no scapy (apt-get install python3-scapy)"
	exit 2
fi

if [ $# -gt 0 ]; then
	cases=("$@")
else
	cases=()
	for d in "$HERE"/*/; do
		[ -f "$d/case.conf" ] && cases+=("$(basename "$d")")
	done
fi

passed=0
failed=0
pass() { echo "PASS replay/$1"; passed=$((passed + 1)); }
fail() { echo "FAIL replay/$1"; failed=$((failed + 1)); }

# Inputs first, in one generator run (scapy is slow to import).
mapfile -t known < <("$PY" pcaps/gen_replay.py --list)
# A lookup, not `printf | grep -q`: under pipefail grep's early exit can
# kill printf with SIGPIPE and make a known case look unknown (seen once,
# timeout_tcp "no input", the nineteenth session, on a loaded machine).
declare -A is_known=()
for k in "${known[@]}"; do
	is_known[$k]=1
done
gen=()
for c in "${cases[@]}"; do
	if [ ! -f "$HERE/$c/case.conf" ]; then
		fail "$c: no $HERE/$c/case.conf"
		continue
	fi
	rm -rf "${OUT:?}/$c"
	mkdir -p "$OUT/$c"
	if [ -f "$HERE/$c/in.pcap" ]; then
		cp "$HERE/$c/in.pcap" "$OUT/$c/in.pcap"
	elif [ -n "${is_known[$c]:-}" ]; then
		gen+=("$c")
	fi
done
if [ ${#gen[@]} -gt 0 ] && ! "$PY" pcaps/gen_replay.py "$OUT" "${gen[@]}"; then
	echo "replay: pcaps/gen_replay.py failed"
	exit 2
fi

# run_aduana OUTDIR CASE [extra args...]: one replay, its files in OUTDIR.
# IN (default $OUT/CASE/in.pcap) and LOG (default
# OUTDIR/out.jsonl; "-" = stdout) override the input and the flow log.
run_aduana() {
	local d=$1 c=$2
	shift 2
	local in=${IN:-$OUT/$c/in.pcap} log=${LOG:-$d/out.jsonl}
	mkdir -p "$d"
	rm -f "$d"/{out.jsonl,pass.pcap,drop.pcap,stdout,stderr,rc,cmd}
	local cmd=("$BIN" --replay "$in" -c "$HERE/$c/case.conf"
		--flow-log "$log" --pass-pcap "$d/pass.pcap" --drop-pcap "$d/drop.pcap" "$@")
	printf '%q ' "${cmd[@]}" >"$d/cmd"
	timeout -k 5 "$TIMEOUT" "${cmd[@]}" >"$d/stdout" 2>"$d/stderr" </dev/null
	echo $? >"$d/rc"
	[ "$d" = "$OUT/$c" ] || ln -sf "../in.pcap" "$d/in.pcap"
}

# same CASE GROUP DIR LABEL: compare a variant run with the main run.
same() {
	if "$PY" "$HERE/check.py" same "$1/$2" "$OUT/$1" "$3" "main run" "$4"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

for c in "${cases[@]}"; do
	[ -f "$HERE/$c/case.conf" ] || continue
	if [ ! -f "$OUT/$c/in.pcap" ]; then
		fail "$c: no input (no $HERE/$c/in.pcap and no generator case '$c')"
		continue
	fi
	args=()
	if [ -f "$HERE/$c/args" ]; then
		read -r -a args < <(grep -v '^#' "$HERE/$c/args" | tr '\n' ' ')
	fi

	run_aduana "$OUT/$c" "$c" "${args[@]}"
	if "$PY" "$HERE/check.py" case "$c" "$HERE/$c" "$OUT/$c"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi

	if [ "$COMPARE" != 0 ] && [ ! -f "$HERE/$c/no_compare_workers" ]; then
		# The case's args without --workers N; the main run's worker count
		# (from args, else case.conf) saves running that count again.
		rest=()
		skip=0
		main_workers=
		for a in "${args[@]}"; do
			if [ $skip = 1 ]; then skip=0; main_workers=$a; continue; fi
			case $a in
			--workers) skip=1 ;;
			--workers=*) main_workers=${a#--workers=} ;;
			*) rest+=("$a") ;;
			esac
		done
		if [ -z "$main_workers" ]; then
			main_workers=$(sed -n 's/^[^#]*\bworkers *= *\([0-9]\+\).*/\1/p' "$HERE/$c/case.conf" | head -1)
		fi
		for n in 1 2; do
			if [ "$main_workers" = $n ]; then
				rm -rf "$OUT/$c/w$n"
				ln -s . "$OUT/$c/w$n"
			else
				run_aduana "$OUT/$c/w$n" "$c" "${rest[@]}" --workers $n
			fi
		done
		if "$PY" "$HERE/check.py" workers "$c/workers" "$OUT/$c/w1" "$OUT/$c/w2"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	fi

	# Variants of the main run that must give the same result (DESIGN 3.1).
	if [ -f "$HERE/$c/variants" ]; then
		# shellcheck disable=SC2013 # one word per variant
		for v in $(grep -v '^#' "$HERE/$c/variants"); do
			case $v in
			pcapng) # "pcap and pcapng inputs both work"
				editcap -F pcapng "$OUT/$c/in.pcap" "$OUT/$c/in.pcapng"
				IN=$OUT/$c/in.pcapng run_aduana "$OUT/$c/pcapng" "$c" "${args[@]}"
				same "$c" pcapng "$OUT/$c/pcapng" "pcapng input"
				;;
			stdout-log) # "--flow-log -": records on stdout beside the summary
				LOG=- run_aduana "$OUT/$c/stdout-log" "$c" "${args[@]}"
				grep '^{' "$OUT/$c/stdout-log/stdout" | grep -v '^{"summary"' \
					>"$OUT/$c/stdout-log/out.jsonl"
				same "$c" stdout-log "$OUT/$c/stdout-log" "--flow-log -"
				;;
			*) fail "$c: unknown variant '$v' in $HERE/$c/variants" ;;
			esac
		done
	fi

	if [ "$c" = demo ]; then
		if cmp -s pcaps/demo.pcap "$OUT/demo/in.pcap"; then
			pass "demo/pcap-current"
		else
			fail "demo/pcap-current: pcaps/demo.pcap differs from what pcaps/gen_replay.py writes (regenerate: $PY pcaps/gen_replay.py --demo pcaps/demo.pcap)"
		fi
	fi
done

# Issue 13: no libc heap call on a worker while it replays every capture
# (tests/replay/heap.sh), on a full run only. It reuses the cases' inputs.
if [ $# -eq 0 ] && [ "${REPLAY_HEAP:-1}" != 0 ]; then
	heap_out=$("$HERE/heap.sh" 2>&1)
	echo "$heap_out" | grep -v '^heap: [0-9]* passed'
	hp=$(sed -nE 's/^heap: ([0-9]+) passed.*/\1/p' <<<"$heap_out")
	hf=$(sed -nE 's/^heap: [0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$heap_out")
	[ -n "$hp" ] || { echo "FAIL replay/heap: tests/replay/heap.sh ended without a result line"; hp=0; hf=1; }
	passed=$((passed + hp))
	failed=$((failed + hf))
fi

echo "replay: $passed passed, $failed failed"
[ "$failed" = 0 ]
