#!/usr/bin/env bash
# Sourced by every bench/*.sh scenario script. bench/run.sh gathers the lines bench_result writes into
# the goals table; a script run on its own prints them too.
#
# bench_result <id> <figure> <ours> <anchor> <ratio> <goal>
#   id      stable key of the goal, e.g. tcp-echo-engine, tcp-echo-pwsh, accept-rate, import-cold
#   figure  what was measured, with its unit, e.g. "TCP echo round trips/s, 1 KB x 16 clients"
#   ours    SocketShell's figure; anchor: the anchor tool's figure in the same run ("-" when none)
#   ratio   ours/anchor oriented so that bigger is better for SocketShell ("-" when none)
#   goal    ">=1.2" (ratio at least), "<=100ms" (ours at most, absolute goals), or "report"
bench_result() {
  [ $# -eq 6 ] || { echo "bench_result: 6 arguments expected, got $#" >&2; return 1; }
  local line
  line=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$@")
  printf 'RESULT\t%s\n' "$line"
  if [ -n "${BENCH_RESULTS:-}" ]; then printf '%s\n' "$line" >> "$BENCH_RESULTS"; fi
}
