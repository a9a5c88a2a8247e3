#!/usr/bin/env bash
# Unix domain socket benchmarks, one run each: SocketShell's listener (in its own process,
# `SocketShell.Bench listen --path`) against socat on a Unix stream socket, driven by the same client;
# then Get-SystemSocket -Protocol Unix's engine against ss -xap. Sockets live in a temp directory that is
# removed at the end. Usage: bench/unix.sh [seconds-per-run] [extra-pairs-for-the-table]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
EXTRA=${2:-2000}
command -v socat >/dev/null || { echo "missing socat (apt-get install -y socat)"; exit 1; }
command -v ss >/dev/null || { echo "missing ss (apt-get install -y iproute2)"; exit 1; }
dotnet build -c Release bench/SocketShell.Bench -v q -nologo >/dev/null
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
DIR=$(mktemp -d /tmp/ssbench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

field() { tr ' ' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
wait_sock() { for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done; echo "socket $1 never appeared"; exit 1; }
start_ss() { coproc SS { exec $BENCH listen "$@"; }; read -r -u "${SS[0]}" line; SS_PID=$(field "$line" pid); }
stop_ss() { eval "exec ${SS[1]}>&-"; wait "$SS_PID" 2>/dev/null || true; }
stop_socat() { pkill -P "$1" 2>/dev/null || true; kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

echo "== machine: $(nproc) cores shared with other builds, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg), $(socat -V | sed -n 2p)"

echo "== 1. Unix stream echo round trips/s, 1 KB x 16 clients, ${SECS}s (SocketShell, socat, SocketShell with inline completions)"
start_ss --path "$DIR/ss-echo.sock" --mode Echo
a=$($BENCH tcp-echo-client --path "$DIR/ss-echo.sock" --clients 16 --size 1024 --seconds "$SECS"); stop_ss
socat UNIX-LISTEN:"$DIR/socat-echo.sock",fork PIPE & S=$!; wait_sock "$DIR/socat-echo.sock"
b=$($BENCH tcp-echo-client --path "$DIR/socat-echo.sock" --clients 16 --size 1024 --seconds "$SECS"); stop_socat $S
coproc SS { exec env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 $BENCH listen --path "$DIR/ss-echo2.sock" --mode Echo; }
read -r -u "${SS[0]}" line; SS_PID=$(field "$line" pid)
c=$($BENCH tcp-echo-client --path "$DIR/ss-echo2.sock" --clients 16 --size 1024 --seconds "$SECS"); stop_ss
echo "Unix echo: SocketShell $(field "$a" roundtrips_per_s)/s, socat UNIX-LISTEN,fork PIPE $(field "$b" roundtrips_per_s)/s, ratio $(ratio "$(field "$a" roundtrips_per_s)" "$(field "$b" roundtrips_per_s)") (goal >= 1.0x)"
echo "Unix echo with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1: SocketShell $(field "$c" roundtrips_per_s)/s, ratio to socat $(ratio "$(field "$c" roundtrips_per_s)" "$(field "$b" roundtrips_per_s)")"

echo "== 2. Bulk into a discard over a Unix stream socket, ${SECS}s, one stream, 128 KB writes"
start_ss --path "$DIR/ss-sink.sock" --mode Discard
a=$($BENCH tcp-bulk-client --path "$DIR/ss-sink.sock" --seconds "$SECS"); stop_ss
socat -u UNIX-LISTEN:"$DIR/socat-sink.sock",fork OPEN:/dev/null,wronly & S=$!; wait_sock "$DIR/socat-sink.sock"
b=$($BENCH tcp-bulk-client --path "$DIR/socat-sink.sock" --seconds "$SECS"); stop_socat $S
echo "Unix bulk: SocketShell Discard $(field "$a" gbit_per_s) Gbit/s, socat -u UNIX-LISTEN,fork OPEN:/dev/null $(field "$b" gbit_per_s) Gbit/s, ratio $(ratio "$(field "$a" gbit_per_s)" "$(field "$b" gbit_per_s)") (goal >= 1.0x)"

echo "== 3. Get-SystemSocket -Protocol Unix (engine) vs ss -xap, the machine's own table"
$BENCH unix-system-socket --iterations 50 --extra 0
echo "== 3b. the same with $EXTRA extra connected pairs ($((EXTRA * 2 + 1)) more sockets)"
$BENCH unix-system-socket --iterations 20 --extra "$EXTRA"
