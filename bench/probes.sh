#!/usr/bin/env bash
# Test-Port probe benchmarks (issue 14) on loopback, SocketShell and the anchor tools in the same run:
#   1. TLS: 1,000 certificate probes of one TLS listener (parallel) vs an `openssl s_client` loop
#   2. latency series: per-attempt overhead of -Count N -Interval 0 vs C# Socket.Connect / ConnectAsync loops
#   3. UDP: 1,000 closed UDP ports vs `nmap -sU -n -Pn -p <same ports> 127.0.0.1` (needs root for nmap -sU)
# Usage: bench/probes.sh [runs]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${1:-3}

if ! command -v nmap >/dev/null 2>&1; then
  echo "nmap is missing; installing it (apt-get)..." >&2
  (apt-get install -y nmap || (apt-get update && apt-get install -y nmap)) >/dev/null
fi

dotnet build -c Release --nologo -v q bench/SocketShell.Bench >/dev/null
bench=(dotnet "$(ls -d bench/SocketShell.Bench/bin/Release/net*/ | head -1)SocketShell.Bench.dll")

echo "== $(date -u '+%F %T') UTC; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(uname -r); $(nmap --version | head -1); $(openssl version)"
"${bench[@]}" test-port-tls --count 1000 --openssl 1000 --runs 1
series_out=$("${bench[@]}" test-port-series --count 5000 --runs "$runs")
printf '%s\n' "$series_out"
overhead=$(printf '%s\n' "$series_out" | sed -n 's/^== median overhead per attempt vs Socket.Connect loop over [0-9]* runs: \([-0-9.]*\) us.*/\1/p')
bench_result latency-series-overhead "Test-Port -Count 5000 -Interval 0: overhead per attempt over a Socket.Connect loop, us (median of $runs runs)" "${overhead:-?}" - - "<=20us"
"${bench[@]}" test-port-udp --count 1000 --runs "$runs"
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
