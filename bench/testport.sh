#!/usr/bin/env bash
# Test-Port benchmarks on loopback, SocketShell and the anchor tools in the same run:
#   1. all 65,535 TCP ports of 127.0.0.1: the engine vs `nmap -sT -T5 -p- -n 127.0.0.1` (goal: ratio >= 1.0)
#   2. the same sweep with the cmdlet in pwsh (Measure-Command { Test-Port 127.0.0.1 1..65535 })
#   3. 1,000 ports in pwsh: Test-Port vs Test-Connection -TcpPort in a loop vs a TcpClient script loop
#   4. the engine at several throttle limits (how the default was chosen)
# Usage: bench/testport.sh [runs] [throttles]   (default 3 runs each, medians compared; throttles: "yes"
#        (default) also runs part 4, "no" leaves it out, as bench/run.sh does)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
runs=${1:-3}
throttles=${2:-yes}

if ! command -v nmap >/dev/null 2>&1; then
  echo "nmap is missing (apt-get install -y nmap): Test-Port figures not measured" >&2
  exit 1
fi

bench_build
bench=(dotnet "$(ls -d bench/SocketShell.Bench/bin/Release/net*/ | head -1)SocketShell.Bench.dll")

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ulimit -n $(ulimit -n), ephemeral $(tr '\t' '-' < /proc/sys/net/ipv4/ip_local_port_range)"
echo "== nmap: $(nmap --version | head -1)"

tmp_out=$(mktemp); trap 'rm -f "$tmp_out"' EXIT
engine_times=(); nmap_times=()
for ((i = 1; i <= runs; i++)); do
  line=$("${bench[@]}" test-port --first 1 --last 65535)
  echo "$line"
  engine_times+=("$(sed -E 's/.* results in ([0-9.]+) s.*/\1/' <<<"$line")")
  out=$(nmap -sT -T5 -p- -n 127.0.0.1)
  t=$(sed -nE 's/.*scanned in ([0-9.]+) seconds.*/\1/p' <<<"$out")
  echo "nmap -sT -T5 -p- -n 127.0.0.1: 65535 ports in $t s ($(grep -c '/tcp *open' <<<"$out") open)"
  nmap_times+=("$t")
done
e=$(printf '%s\n' "${engine_times[@]}" | median)
n=$(printf '%s\n' "${nmap_times[@]}" | median)
awk -v e="$e" -v n="$n" 'BEGIN { printf "== 65535 ports, median of runs: engine %.2f s (%.0f ports/s), nmap %.2f s (%.0f ports/s): engine/nmap rate = %.2fx\n", e, 65535/e, n, 65535/n, n/e }'
bench_result testport-65535-engine "All 65,535 TCP ports of 127.0.0.1, ports/s (engine, median of $runs) vs nmap -sT -T5" \
  "$(awk -v e="$e" 'BEGIN { printf "%.0f", 65535/e }')" "$(awk -v n="$n" 'BEGIN { printf "%.0f", 65535/n }')" "$(bench_ratio "$n" "$e")" '>=1.0'

if bench_use_pwsh; then
  pwsh -NoProfile -c '
    $ErrorActionPreference = "Stop"
    $ProgressPreference = "SilentlyContinue"
    Import-Module ./out/SocketShell/SocketShell.psd1
    $runs = '"$runs"'
    $null = Test-Port 127.0.0.1 1..100   # load and JIT once
    $t = 1..$runs | ForEach-Object { (Measure-Command { Test-Port 127.0.0.1 1..65535 }).TotalSeconds }
    $m = ($t | Sort-Object)[[int][math]::Floor($t.Count / 2)]
    "cmdlet in pwsh: Test-Port 127.0.0.1 1..65535: runs {0} s; median {1:N2} s = {2:N0} ports/s" -f (($t | ForEach-Object { $_.ToString("N2") }) -join ", "), $m, (65535 / $m)

    $first = 40001; $last = 41000
    $tp = (Measure-Command { $null = Test-Port 127.0.0.1 "$first-$last" }).TotalSeconds
    $tc = (Measure-Command { foreach ($p in $first..$last) { $null = Test-Connection 127.0.0.1 -TcpPort $p -TimeoutSeconds 1 } }).TotalSeconds
    $cl = (Measure-Command {
        foreach ($p in $first..$last) {
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $c.Connect("127.0.0.1", $p); $null = $true } catch { $null = $false } finally { $c.Dispose() }
        }
    }).TotalSeconds
    "1000 ports in pwsh: Test-Port {0:N3} s ({1:N0}/s); Test-Connection -TcpPort loop {2:N2} s ({3:N0}/s); TcpClient loop {4:N2} s ({5:N0}/s)" -f $tp, (1000 / $tp), $tc, (1000 / $tc), $cl, (1000 / $cl)
    "== ratios: Test-Port vs Test-Connection loop {0:N1}x, vs TcpClient loop {1:N1}x" -f ($tc / $tp), ($cl / $tp)
    "CMDLET`t{0}`t{1}`t{2}" -f $m, $tc, $tp
  ' | tee "$tmp_out"
  # The same run's nmap median, for the cmdlet ratio.
  echo "(nmap median in this run: $n s)"
  IFS=$'\t' read -r _ m tc tp < <(grep '^CMDLET' "$tmp_out") || true
  if [ -n "${m:-}" ]; then
    bench_result testport-65535-cmdlet "Test-Port 127.0.0.1 1..65535 in pwsh, ports/s (median of $runs) vs nmap -sT -T5" \
      "$(awk -v m="$m" 'BEGIN { printf "%.0f", 65535/m }')" "$(awk -v n="$n" 'BEGIN { printf "%.0f", 65535/n }')" "$(bench_ratio "$n" "$m")" '>=1.0'
    bench_result testport-1000-loop "1,000 closed ports in pwsh, ports/s: Test-Port vs a Test-Connection -TcpPort loop" \
      "$(awk -v t="$tp" 'BEGIN { printf "%.0f", 1000/t }')" "$(awk -v t="$tc" 'BEGIN { printf "%.0f", 1000/t }')" "$(bench_ratio "$tc" "$tp")" report
  fi
else
  echo "pwsh not found: cmdlet figures not measured"
fi

if [ "$throttles" = yes ]; then
  echo "== throttle limits (engine, 65535 ports)"
  "${bench[@]}" test-port --throttle 32,128,256,512,1024,2048
fi
