#!/usr/bin/env bash
# Sourced (after lib.sh) by the bench scripts that run cmdlets or share the Release build.
#
# bench_use_pwsh     sets BENCH_PWSH to the pwsh of the tool manifest (.config/dotnet-tools.json, the one
#                    users get from `dotnet tool restore`) and puts its folder first on PATH, so `pwsh` in
#                    these scripts and in SocketShell.Bench's --pwsh options is that one. Returns 1 if none.
# bench_build        builds SocketShell (laid out in out/SocketShell) and SocketShell.Bench in Release,
#                    unless bench/run.sh already did (BENCH_BUILT=1).
# bench_relay        reads a command's output: prints every line, and passes the lines a PowerShell bench
#                    script writes as "RESULT<TAB>id<TAB>figure<TAB>ours<TAB>anchor<TAB>ratio<TAB>goal" to bench_result.
# bench_median       median of its numeric arguments.
# bench_ratio a b    a/b with two decimals ("-" when either is missing or b is 0).

bench_use_pwsh() {
  if [ -z "${BENCH_PWSH:-}" ]; then
    dotnet tool restore >/dev/null 2>&1 || true
    local home
    home=$(dotnet pwsh -NoProfile -NonInteractive -Command '$PSHOME' 2>/dev/null | tail -1) || true
    if [ -n "$home" ] && [ -x "$home/pwsh" ]; then
      BENCH_PWSH="$home/pwsh"
    elif command -v pwsh >/dev/null 2>&1; then
      BENCH_PWSH=$(command -v pwsh)
    fi
  fi
  [ -n "${BENCH_PWSH:-}" ] || return 1
  export BENCH_PWSH
  case ":$PATH:" in *":$(dirname "$BENCH_PWSH"):"*) ;; *) export PATH="$(dirname "$BENCH_PWSH"):$PATH" ;; esac
}

bench_build() {
  [ "${BENCH_BUILT:-}" = 1 ] && return 0
  dotnet build -c Release --nologo -v q src/SocketShell >/dev/null
  dotnet build -c Release --nologo -v q bench/SocketShell.Bench >/dev/null
}

bench_relay() {
  local line tag id figure ours anchor ratio goal
  while IFS= read -r line; do
    if [[ $line == RESULT$'\t'* ]]; then
      IFS=$'\t' read -r tag id figure ours anchor ratio goal <<<"$line"
      bench_result "$id" "$figure" "$ours" "$anchor" "$ratio" "$goal"
    else
      printf '%s\n' "$line"
    fi
  done
}

bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

bench_ratio() {
  awk -v a="${1:--}" -v b="${2:--}" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}
