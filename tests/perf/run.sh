#!/usr/bin/env bash
# The fast path's regression guard: callgrind instructions per packet on three
# decided-flow paths (passthrough, a zone's endpoint, a zone's default with the
# UDP late read), and on TLS downloads with and without the lifelong check
# (aduana's own code), must not grow more than 10% over
# perf/callgrind-baseline.txt.
# Instructions, not time, so the result does not depend on the machine's load.
set -u
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null; then
  echo "SKIP perf/callgrind: valgrind is not installed"
  echo "perf: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
if perf/callgrind.sh; then
  echo "PASS perf/callgrind"
  echo "perf: 1 passed, 0 failed"
else
  echo "FAIL perf/callgrind: instructions per packet grew past the recorded baseline + 10%"
  echo "perf: 0 passed, 1 failed"
  exit 1
fi
