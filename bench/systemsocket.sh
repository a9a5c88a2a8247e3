#!/usr/bin/env bash
# Get-SystemSocket vs `ss -tanp` with <connections> open loopback connections (2 x <connections> sockets, held by
# the bench process and a peer process it starts), process names included on both sides; then the Unix socket
# table (Get-SystemSocket -Protocol Unix, engine) vs `ss -xap`, the machine's own table.
# Usage: bench/systemsocket.sh [connections=10000] [iterations=10]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
connections="${1:-10000}"
iterations="${2:-10}"

command -v ss >/dev/null || { echo "ss is missing (apt-get install -y iproute2)" >&2; exit 1; }

# One file descriptor per connection in each of the two bench processes (client ends, accepted ends),
# plus the runtime's own: raise the limit for this shell if it is lower.
need=$(( connections + 1024 ))
if [ "$(ulimit -n)" != "unlimited" ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -Hn "$need" 2>/dev/null || true
  ulimit -n "$need" || { echo "cannot raise the open-file limit to $need (ulimit -n is $(ulimit -n))" >&2; exit 1; }
fi
echo "ulimit -n: $(ulimit -n); $(ss -V); kernel $(uname -r); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

bench_build
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
pwsh_args=()
if bench_use_pwsh; then
  pwsh_args=(--pwsh "$PWD/out/SocketShell/SocketShell.psd1")
fi
out=$($BENCH system-socket --connections "$connections" --iterations "$iterations" "${pwsh_args[@]}"); echo "$out"
num() { sed -nE "s/$1/\\1/p" <<<"$out" | head -1; }
engine=$(num '.*engine TCP \+ owners \(netlink\): +([0-9.]+) ms.*')
ssms=$(num '.*ss -tanp \(process, output read\): +([0-9.]+) ms.*')
cmdlet=$(num '.*Get-SystemSocket -Protocol Tcp in pwsh[^:]*: +([0-9.]+) ms.*')
if [ -n "$engine" ] && [ -n "$ssms" ]; then
  bench_result systemsocket-10k-engine "TCP table with owners, $connections loopback connections open, ms (engine, median of $iterations) vs ss -tanp" "$engine" "$ssms" "$(bench_ratio "$ssms" "$engine")" '>=1.0'
fi
if [ -n "$cmdlet" ] && [ -n "$ssms" ]; then
  bench_result systemsocket-10k-cmdlet "Get-SystemSocket -Protocol Tcp in pwsh, $connections connections open, ms (median of $iterations) vs ss -tanp" "$cmdlet" "$ssms" "$(bench_ratio "$ssms" "$cmdlet")" '>=1.0'
fi

out=$($BENCH unix-system-socket --iterations "$(( iterations * 2 ))" --extra 0); echo "$out"
line=$(grep 'alternating rounds' <<<"$out" || true)
if [ -n "$line" ]; then
  e=$(sed -nE 's/.*engine ([0-9.]+) ms, ss -xap ([0-9.]+) ms.*/\1/p' <<<"$line"); s=$(sed -nE 's/.*engine ([0-9.]+) ms, ss -xap ([0-9.]+) ms.*/\2/p' <<<"$line")
  bench_result unix-table "Unix socket table with owners, the machine's own, ms (engine, alternating rounds, median of $(( iterations * 2 ))) vs ss -xap" "$e" "$s" "$(bench_ratio "$s" "$e")" '>=1.0'
fi
