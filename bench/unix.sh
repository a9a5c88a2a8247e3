#!/usr/bin/env bash
# Unix domain socket benchmarks, one run: SocketShell's listener on a Unix stream socket, in its own process
# (`SocketShell.Bench listen --path`) AND started by Start-SocketListener -Path inside pwsh
# (bench/listen-pwsh.ps1), against socat, driven by the same client in alternating rounds (medians of the
# same run); then Get-SystemSocket -Protocol Unix's engine against ss -xap. Sockets live in a temp directory
# that is removed at the end.
# Usage: [ROUNDS=3] bench/unix.sh [seconds-per-run=10] [extra-pairs-for-the-table=2000]
# Writes `bench_result` lines (bench/lib.sh): unix-echo-engine, unix-echo-pwsh, unix-bulk-engine; unix-echo-cpu (report).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
EXTRA=${2:-2000}
ROUNDS=${ROUNDS:-3}
source bench/listener-lib.sh
for tool in socat ss gcc python3; do command -v $tool >/dev/null || { echo "missing $tool"; exit 1; }; done
build_listener_bench
DIR=$(mktemp -d /tmp/ssbench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

echo "== machine: $(nproc) cores, $(uname -sr), load $(load), $(socat -V | sed -n 2p | tr -s ' ')"

echo "== 1. Unix stream echo round trips/s, 1 KB x 16 clients, ${SECS}s x $ROUNDS alternating rounds (engine, pwsh, socat UNIX-LISTEN,fork PIPE)"
echo_scenario Unix 1024 unix-echo ">=1.0" "Unix stream echo round trips/s, 1 KB x 16 clients" "$DIR"

echo "== 2. Bulk into a discard over a Unix stream socket, ${SECS}s, one stream, 128 KB writes"
start_listener engine Unix Discard "$DIR/ss-sink.sock"
a=$($BENCH tcp-bulk-client --path "$DIR/ss-sink.sock" --seconds "$SECS"); stop_listener
socat -u UNIX-LISTEN:"$DIR/socat-sink.sock",fork OPEN:/dev/null,wronly & S=$!; wait_sock "$DIR/socat-sink.sock"
b=$($BENCH tcp-bulk-client --path "$DIR/socat-sink.sock" --seconds "$SECS"); stop_tool $S
a=$(field "$a" gbit_per_s); b=$(field "$b" gbit_per_s)
echo "Unix bulk: SocketShell Discard $a Gbit/s, socat -u UNIX-LISTEN,fork OPEN:/dev/null $b Gbit/s, ratio $(ratio $a $b)x (goal >= 1.0x)"
bench_result unix-bulk-engine "Bulk into a discard over a Unix stream socket, Gbit/s" "$a" "$b" "$(ratio $a $b)" ">=1.0"

echo "== 3. Get-SystemSocket -Protocol Unix (engine) vs ss -xap, the machine's own table"
$BENCH unix-system-socket --iterations 50 --extra 0
echo "== 3b. the same with $EXTRA extra connected pairs ($((EXTRA * 2 + 1)) more sockets)"
$BENCH unix-system-socket --iterations 20 --extra "$EXTRA"
echo "== done, load $(load)"
