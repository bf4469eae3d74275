#!/usr/bin/env bash
# tests/evasion/run.sh [--open] [CASE...] - the evasion suite (issue 8 item 7; tests/evasion/README.md).
# With --open: the known, still open evasions (gen.py @open_case, open.tsv) instead.
#
#   1. tests/evasion/gen.py writes one capture per case into $BUILD/evasion/<case>/in.pcap,
#      with the markers the scorer looks for (markers.json);
#   2. each capture is replayed through the real dataplane with 1 and 2 workers:
#      $BUILD/aduana --replay in.pcap -c tests/evasion/case.conf --workers N
#        --flow-log w<N>/out.jsonl --pass-pcap w<N>/pass.pcap --drop-pcap w<N>/drop.pcap
#   3. tests/evasion/score.py compares each flow with tests/evasion/expected.tsv and
#      names bypasses, leaks and false blocks.
#
# Prints `PASS evasion/<case>` or `FAIL evasion/<case>: ...` per case and ends with
# `evasion: N passed, N failed`. Exit 0 all passed, 1 a failure, 2 cannot run.
#
# Environment: BUILD (default build), EVASION_TIMEOUT (seconds per replay, default 60),
# EVASION_WORKERS (worker counts, default "1 2"), EVASION_JOBS (captures written and replays
# run at once, default the number of CPUs).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
BIN=$BUILD/aduana
PY=/usr/bin/python3 # has scapy (Debian python3-scapy)
HERE=tests/evasion
OUT=$BUILD/evasion
TIMEOUT=${EVASION_TIMEOUT:-60}
WORKERS=${EVASION_WORKERS:-1 2}
JOBS=${EVASION_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $JOBS in '' | *[!0-9]* | 0)
	echo "evasion: EVASION_JOBS must be a number of replays at once, not '$JOBS'"
	exit 2
	;;
esac

if [ ! -x "$BIN" ]; then
	echo "evasion: $BIN does not exist; build it first (make)"
	exit 2
fi
if ! command -v timeout >/dev/null; then
	echo "evasion: timeout (coreutils) is missing"
	exit 2
fi
if ! "$PY" -c 'import scapy' 2>/dev/null; then
	echo "evasion: $PY has no scapy (apt-get install python3-scapy)"
	exit 2
fi

# --open: the known, still open evasions (gen.py's @open_case, open.tsv)
# instead of the suite. They fail until fixed; the suite does not run them.
EXPECTED=$HERE/expected.tsv
if [ "${1:-}" = "--open" ]; then
	shift
	EXPECTED=$HERE/open.tsv
	[ $# -gt 0 ] || set -- $("$PY" "$HERE/gen.py" --list-open)
fi
if [ $# -gt 0 ]; then
	cases=("$@")
else
	mapfile -t cases < <("$PY" "$HERE/gen.py" --list)
fi
if [ ${#cases[@]} -eq 0 ]; then
	echo "evasion: no cases"
	exit 2
fi

rm -rf "${OUT:?}"
mkdir -p "$OUT"
if ! "$PY" "$HERE/gen.py" -j "$JOBS" "$OUT" "${cases[@]}"; then
	echo "evasion: $HERE/gen.py failed"
	exit 2
fi

# One replay of a case with n workers; its files in $OUT/<case>/w<n>/.
replay_one() {
	local c=$1 n=$2 d=$OUT/$1/w$2 extra=() cmd
	mkdir -p "$d"
	cmd=("$BIN" --replay "$OUT/$c/in.pcap" -c "$HERE/case.conf" --workers "$n"
		--flow-log "$d/out.jsonl" --pass-pcap "$d/pass.pcap" --drop-pcap "$d/drop.pcap")
	# a case's own arguments, one a line (gen.py: replay_args)
	if [ -s "$OUT/$c/args" ]; then
		mapfile -t extra <"$OUT/$c/args"
		cmd+=("${extra[@]}")
	fi
	printf '%q ' "${cmd[@]}" >"$d/cmd"
	timeout -k 5 "$TIMEOUT" "${cmd[@]}" >"$d/stdout" 2>"$d/stderr" </dev/null
	echo $? >"$d/rc"
}

# Replays run $JOBS at a time: each is a separate process with its own files
# and its own clock (the capture's), so they do not see each other; most of a
# small replay's time is DPDK's start, much of it waiting.
running=0
done_n=0
total=$((${#cases[@]} * $(wc -w <<<"$WORKERS")))
for c in "${cases[@]}"; do
	for n in $WORKERS; do
		if [ "$running" -ge "$JOBS" ]; then
			wait -n
			running=$((running - 1))
		fi
		replay_one "$c" "$n" &
		running=$((running + 1))
		done_n=$((done_n + 1))
		# progress on stderr for long runs (the result lines stay on stdout)
		if [ $((done_n % 500)) -eq 0 ]; then
			echo "evasion: $done_n of $total replays started" >&2
		fi
	done
done
wait

if [ $# -gt 0 ]; then
	"$PY" "$HERE/score.py" "$EXPECTED" "$OUT" "$WORKERS" "${cases[@]}"
else
	"$PY" "$HERE/score.py" "$EXPECTED" "$OUT" "$WORKERS"
fi
