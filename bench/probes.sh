#!/usr/bin/env bash
# Test-Port probe benchmarks (issue 14) on loopback, SocketShell and the anchor tools in the same run:
#   1. TLS: <tls> certificate probes of one TLS listener (parallel) vs an `openssl s_client` loop of <openssl>
#   2. latency series: per-attempt overhead of -Count N -Interval 0 vs C# Socket.Connect / ConnectAsync loops
#   3. UDP: 1,000 closed UDP ports vs `nmap -sU -n -Pn -p <same ports> 127.0.0.1` (needs root for nmap -sU)
# Usage: bench/probes.sh [runs=3] [tls=1000] [openssl=1000] [series=5000]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
runs=${1:-3}
tls=${2:-1000}
openssl_n=${3:-1000}
series=${4:-5000}

if ! command -v nmap >/dev/null 2>&1; then
  echo "nmap is missing (apt-get install -y nmap): the UDP comparison is left out" >&2
fi

bench_build
bench=(dotnet "$(ls -d bench/SocketShell.Bench/bin/Release/net*/ | head -1)SocketShell.Bench.dll")

echo "== $(date -u '+%F %T') UTC; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(uname -r); $(nmap --version 2>/dev/null | head -1); $(openssl version)"

out=$("${bench[@]}" test-port-tls --count "$tls" --openssl "$openssl_n" --runs 1); echo "$out"
line=$(grep '^== TLS certificates/s' <<<"$out" || true)
if [ -n "$line" ]; then
  a=$(sed -nE 's/.*engine ([0-9.]+), openssl loop ([0-9.]+).*/\1/p' <<<"$line"); b=$(sed -nE 's/.*engine ([0-9.]+), openssl loop ([0-9.]+).*/\2/p' <<<"$line")
  bench_result tls-certificates "Test-Port -Tls, $tls certificates of one TLS listener, certificates/s vs an openssl s_client loop" "$a" "$b" "$(bench_ratio "$a" "$b")" report
fi

out=$("${bench[@]}" test-port-series --count "$series" --runs "$runs"); echo "$out"
over=(); per=(); conn=()
while read -r s c o; do per+=("$s"); conn+=("$c"); over+=("$o"); done < <(sed -nE 's/^== overhead per attempt: series ([0-9.]+) us vs Socket.Connect loop ([0-9.]+) us = \+?(-?[0-9.]+) us.*/\1 \2 \3/p' <<<"$out")
if [ ${#over[@]} -gt 0 ]; then
  bench_result latency-series-overhead "Test-Port -Count $series -Interval 0: overhead per attempt over a Socket.Connect loop, us (median of $runs; series $(bench_median "${per[@]}") us vs loop $(bench_median "${conn[@]}") us)" \
    "$(bench_median "${over[@]}")" - - '<=20us'
fi

if command -v nmap >/dev/null 2>&1; then
  out=$("${bench[@]}" test-port-udp --count 1000 --runs "$runs"); echo "$out"
  e=(); n=()
  while read -r x y; do e+=("$x"); n+=("$y"); done < <(sed -nE 's/^== [0-9]+ closed UDP ports: engine ([0-9.]+) s, nmap ([0-9.]+) s.*/\1 \2/p' <<<"$out")
  if [ ${#e[@]} -gt 0 ]; then
    a=$(bench_median "${e[@]}"); b=$(bench_median "${n[@]}")
    bench_result testport-udp "Test-Port -Protocol Udp, 1,000 closed ports, seconds (median of $runs) vs nmap -sU" "$a" "$b" "$(bench_ratio "$b" "$a")" report
  fi
fi
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
