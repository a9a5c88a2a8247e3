#!/usr/bin/env bash
# Client figures measured where users run them (issue 15, item 4): Connect-Socket + Send-SocketData /
# Receive-SocketData round trips in the tool manifest's pwsh (bench/client.ps1) against a SocketShell echo
# listener in its own process, next to a C# blocking client's round trips on the same server. Loopback only.
# (Send-Datagram and Receive-Datagram in pwsh: bench/datagram.sh.)
# Usage: bench/client.sh [round-trips=5000] [rounds=3] [seconds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
COUNT=${1:-5000}
ROUNDS=${2:-3}
SECS=${3:-3}
bench_build
bench_use_pwsh || { echo "no pwsh (dotnet tool restore failed): client figures not measured"; exit 1; }
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
field() { tr ' ' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

coproc ECHO { exec $BENCH listen --protocol Tcp --mode Echo --capture-limit 0; }
read -r -u "${ECHO[0]}" line
PORT=$(field "$line" port); PID_ECHO=$(field "$line" pid)
trap 'eval "exec ${ECHO[1]}>&-" 2>/dev/null || true; wait "$PID_ECHO" 2>/dev/null || true' EXIT

raw=$($BENCH tcp-echo-client --port "$PORT" --clients 1 --size 64 --seconds "$SECS")
echo "C# blocking client, 1 connection, 64 B: $raw"
"$BENCH_PWSH" -NoProfile -File bench/client.ps1 -Port "$PORT" -Count "$COUNT" -Rounds "$ROUNDS" -EngineFigure "$(field "$raw" roundtrips_per_s)" | bench_relay
