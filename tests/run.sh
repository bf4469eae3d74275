#!/usr/bin/env bash
# Run aduana's tests and end with one line "N passed, N failed".
#   tests/run.sh [unit|cli|install|ctl|replay|evasion|corpus|e2e|loss|variety|rss|perf ...]   (default: all)
# Each part prints its own lines; this script adds them up.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(unit cli install ctl replay evasion corpus e2e loss variety rss perf)
pass=0; fail=0; skip=0

add() { pass=$((pass + $1)); fail=$((fail + $2)); }

run_unit() {
  local t out p f
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    # CUnit's run summary: "tests  <total> <ran> <passed> <failed> <inactive>"
    read -r p f < <(awk '$1=="tests" && NF>=5 {print $4, $5}' <<<"$out")
    if [ -z "${p:-}" ]; then
      echo "FAIL unit/$(basename "$t"): no CUnit summary (exit $rc)"
      echo "$out" | tail -20
      add 0 1
      continue
    fi
    if [ "$f" != 0 ] || [ $rc != 0 ]; then
      echo "$out" | grep -E -A3 'FAILED|Assertion|error' | head -40
      [ "$f" = 0 ] && f=1
    fi
    echo "unit/$(basename "$t"): $p passed, $f failed"
    add "$p" "$f"
  done
}

# A part script prints "<name>: N passed, N failed[, N skipped]" last.
run_part() {
  local script=$1 last p f s log
  [ -x "$script" ] || return 0
  # last-<dir>.log, or last-<dir>-<name>.log for a script other than run.sh
  log=$BUILD/last-$(basename "$(dirname "$script")")
  [ "$(basename "$script")" = run.sh ] || log=$log-$(basename "$script" .sh)
  log=$log.log
  "$script" 2>&1 | tee "$log"
  last=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$last" ]; then
    echo "FAIL $script: ended without a result line"
    add 0 1
    return
  fi
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$last")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$last")
  s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$last")
  add "$p" "$f"
  skip=$((skip + ${s:-0}))
}

mkdir -p "$BUILD"
# Compiled list databases kept for the run (classifiers/hs.c, ADUANA_HS_CACHE):
# the first start of each list set compiles, the thousand replays after it
# load. Set ADUANA_HS_CACHE= (empty) to compile at every start.
if [ -z "${ADUANA_HS_CACHE+set}" ]; then
  rm -rf "$BUILD/hs-cache"
  mkdir -m 755 "$BUILD/hs-cache"
  ADUANA_HS_CACHE=$(cd "$BUILD/hs-cache" && pwd)
  export ADUANA_HS_CACHE
fi
# The suites' thousands of small replays are for verdicts, not timings: each
# leaves its memory to be faulted in as reached instead of all at start
# (dataplane/main.c, main_replay_prefault). ADUANA_REPLAY_PREFAULT=1 to fault in.
export ADUANA_REPLAY_PREFAULT=${ADUANA_REPLAY_PREFAULT-0}
for part in "${parts[@]}"; do
  case $part in
    unit) run_unit ;;
    cli) run_part tests/cli/run.sh ;;
    install) run_part tests/install/run.sh ;;
    ctl) run_part tests/ctl/run.sh ;;
    replay) run_part tests/replay/run.sh ;;
    evasion) run_part tests/evasion/run.sh ;;
    corpus) run_part tests/corpus/run.sh ;;
    e2e) run_part tests/e2e/run.sh ;;
    loss) run_part tests/e2e/loss.sh ;;
    variety) run_part tests/e2e/variety.sh ;;
    rss) run_part tests/rss/run.sh ;;
    perf) run_part tests/perf/run.sh ;;
    *) echo "unknown part: $part" >&2; exit 2 ;;
  esac
done
if [ $skip -gt 0 ]; then
  echo "$pass passed, $fail failed, $skip skipped"
else
  echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
