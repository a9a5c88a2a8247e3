#!/usr/bin/env bash
# Import-Module time of SocketShell (issue 15, item 6) in the tool manifest's pwsh, against an empty binary
# module (one trivial cmdlet and a manifest, compiled by bench/import.ps1 into a temp folder):
#   cold: the first Import-Module in a fresh pwsh process (median of <runs> processes, SocketShell and the
#         empty module alternating); warm: Remove-Module + Import-Module again, and an import into a fresh
#         runspace of a process that has loaded it already (medians of 5). Times are taken inside pwsh around
#         Import-Module only, after pwsh has started.
# Usage: bench/import.sh [runs=7]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
RUNS=${1:-7}
bench_build
bench_use_pwsh || { echo "no pwsh (dotnet tool restore failed): import figures not measured"; exit 1; }
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$BENCH_PWSH" -NoProfile -File bench/import.ps1 -Part MakeEmpty -Path "$TMP/EmptyBench" >/dev/null
MOD="$PWD/out/SocketShell/SocketShell.psd1"; EMPTY="$TMP/EmptyBench/EmptyBench.psd1"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); pwsh $("$BENCH_PWSH" -NoProfile -c '$PSVersionTable.PSVersion.ToString()')"
ss=(); em=()
for ((i = 1; i <= RUNS; i++)); do
  ss+=("$("$BENCH_PWSH" -NoProfile -File bench/import.ps1 -Part Cold -Path "$MOD" | tail -1)")
  em+=("$("$BENCH_PWSH" -NoProfile -File bench/import.ps1 -Part Cold -Path "$EMPTY" | tail -1)")
  echo "  fresh process $i: SocketShell ${ss[-1]} ms, empty binary module ${em[-1]} ms"
done
a=$(bench_median "${ss[@]}"); b=$(bench_median "${em[@]}")
bench_result import-cold "Import-Module SocketShell, first in a fresh pwsh, ms (median of $RUNS; anchor: an empty binary module)" "$a" "$b" "$(bench_ratio "$b" "$a")" '<=100ms'
read -r again runspace < <("$BENCH_PWSH" -NoProfile -File bench/import.ps1 -Part Warm -Path "$MOD" | tail -1)
read -r eagain erunspace < <("$BENCH_PWSH" -NoProfile -File bench/import.ps1 -Part Warm -Path "$EMPTY" | tail -1)
echo "  warm: Remove-Module + Import-Module $again ms (empty module $eagain ms); fresh runspace $runspace ms (empty module $erunspace ms)"
bench_result import-warm "Import-Module SocketShell into a fresh runspace of a process that loaded it, ms (median of 5; Remove-Module + Import-Module: $again ms; anchor: the empty module)" "$runspace" "$erunspace" "$(bench_ratio "$erunspace" "$runspace")" report
