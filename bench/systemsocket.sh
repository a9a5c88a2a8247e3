#!/usr/bin/env bash
# Get-SystemSocket vs `ss -tanp` with 10,000 open loopback connections (20,000 sockets, held by the
# bench process and a peer process it starts), process names included on both sides. Usage: bench/systemsocket.sh [connections] [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
connections="${1:-10000}"
iterations="${2:-10}"

if ! command -v ss >/dev/null; then
  echo "ss (iproute2) is missing: installing it" >&2
  apt-get install -y iproute2 >/dev/null
fi

# One file descriptor per connection in each of the two bench processes (client ends, accepted ends),
# plus the runtime's own: raise the limit for this shell if it is lower.
need=$(( connections + 1024 ))
if [ "$(ulimit -n)" != "unlimited" ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -Hn "$need" 2>/dev/null || true
  ulimit -n "$need" || { echo "cannot raise the open-file limit to $need (ulimit -n is $(ulimit -n))" >&2; exit 1; }
fi
echo "ulimit -n: $(ulimit -n); $(ss -V); kernel $(uname -r); $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet build -c Release src/SocketShell >/dev/null
dotnet build -c Release bench/SocketShell.Bench >/dev/null
pwsh_args=()
if command -v pwsh >/dev/null; then
  pwsh_args=(--pwsh "$PWD/out/SocketShell/SocketShell.psd1")
fi
dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll system-socket \
  --connections "$connections" --iterations "$iterations" "${pwsh_args[@]}"
