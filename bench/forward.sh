#!/usr/bin/env bash
# Forward-mode benchmarks: SocketShell's relay (the engine in its own process, `SocketShell.Bench forward`)
# against `socat TCP-LISTEN:<p>,fork,reuseaddr TCP:127.0.0.1:<q>` in front of the SAME upstream, driven by
# the same client, alternating rounds in one run. Loopback only.
# Usage: bench/forward.sh [seconds-per-run] [idle-pairs]   (needs socat and python3; prints ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
SECS=${1:-10}
IDLE=${2:-1000}
command -v socat >/dev/null || { echo "missing socat (apt-get install -y socat)"; exit 1; }
bench_build
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
TMP=$(mktemp -d); trap 'for p in $(jobs -p); do kill $p 2>/dev/null || true; done; rm -rf "$TMP"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened"; exit 1; }
field() { tr ' ' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

# start_bg <name> <args...>: a SocketShell bench process fed from a fifo (kept open); sets <name>_PORT.
start_bg() {
  local name=$1; shift
  mkfifo "$TMP/$name.in"
  $BENCH "$@" <"$TMP/$name.in" >"$TMP/$name.out" &
  eval "${name}_PID=$!"
  exec {fd}>"$TMP/$name.in"; eval "${name}_FD=$fd"
  for _ in $(seq 200); do [ -s "$TMP/$name.out" ] && break; sleep 0.05; done
  eval "${name}_PORT=$(field "$(head -1 "$TMP/$name.out")" port)"
}
stats_bg() { local fd; eval "fd=\${$1_FD}"; local n; n=$(wc -l <"$TMP/$1.out"); echo stats >&"$fd"
  for _ in $(seq 100); do [ "$(wc -l <"$TMP/$1.out")" -gt "$n" ] && break; sleep 0.05; done; tail -1 "$TMP/$1.out"; }
stop_bg() { local fd pid; eval "fd=\${$1_FD}; pid=\${$1_PID}"; eval "exec $fd>&-"; wait "$pid" 2>/dev/null || true; rm -f "$TMP/$1.in" "$TMP/$1.out"; }
start_socat() { SO_PORT=$(free_port); socat TCP-LISTEN:$SO_PORT,fork,reuseaddr,bind=127.0.0.1 TCP:127.0.0.1:$1 & SO_PID=$!; wait_port $SO_PORT; }
stop_socat() { pkill -P $SO_PID 2>/dev/null || true; kill $SO_PID 2>/dev/null || true; wait $SO_PID 2>/dev/null || true; }

echo "== machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg), socat $(socat -V | awk '/socat version/ {print $3}')"

echo "== 1. 1 KB round trips/s, 16 clients, through each relay to the same echo upstream, ${SECS}s x 3 alternating rounds"
start_bg UP listen --protocol Tcp --mode Echo --capture-limit 0
direct=$($BENCH tcp-echo-client --port "$UP_PORT" --clients 16 --size 1024 --seconds "$SECS")
echo "  no relay (client straight to the echo upstream): $(field "$direct" roundtrips_per_s)/s"
ss=(); so=()
for i in 1 2 3; do
  start_bg FW forward --to "127.0.0.1:$UP_PORT"
  a=$($BENCH tcp-echo-client --port "$FW_PORT" --clients 16 --size 1024 --seconds "$SECS"); st=$(stats_bg FW); stop_bg FW
  start_socat "$UP_PORT"
  b=$($BENCH tcp-echo-client --port "$SO_PORT" --clients 16 --size 1024 --seconds "$SECS"); stop_socat
  ss+=("$(field "$a" roundtrips_per_s)"); so+=("$(field "$b" roundtrips_per_s)")
  echo "  round $i: SocketShell ${ss[-1]}/s (errors $(field "$a" errors), relay cpu_ms $(field "$st" cpu_ms)), socat ${so[-1]}/s (errors $(field "$b" errors))"
done
a=$(median "${ss[@]}"); b=$(median "${so[@]}")
echo "Round trips: SocketShell median $a/s, socat median $b/s, ratio $(ratio $a $b) (goal >= 1.0x)"
bench_result forward-echo "Forward relay, 1 KB round trips/s, 16 clients, to an echo upstream (median of 3 x ${SECS}s) vs socat TCP-LISTEN,fork TCP:" "$a" "$b" "$(bench_ratio "$a" "$b")" '>=1.0'
stop_bg UP

echo "== 2. Bulk throughput, one stream through each relay into the same Discard upstream, ${SECS}s x 3 alternating rounds"
start_bg UP listen --protocol Tcp --mode Discard
ss=(); so=()
for i in 1 2 3; do
  start_bg FW forward --to "127.0.0.1:$UP_PORT"
  a=$($BENCH tcp-bulk-client --port "$FW_PORT" --seconds "$SECS"); st=$(stats_bg FW); stop_bg FW
  start_socat "$UP_PORT"
  b=$($BENCH tcp-bulk-client --port "$SO_PORT" --seconds "$SECS"); stop_socat
  ss+=("$(field "$a" gbit_per_s)"); so+=("$(field "$b" gbit_per_s)")
  echo "  round $i: SocketShell ${ss[-1]} Gbit/s (relay forwarded $(field "$st" upstream_sent) of $(field "$a" bytes) bytes when asked), socat ${so[-1]} Gbit/s"
done
a=$(median "${ss[@]}"); b=$(median "${so[@]}")
echo "Bulk: SocketShell median $a Gbit/s, socat median $b Gbit/s, ratio $(ratio $a $b) (goal >= 1.0x)"
bench_result forward-bulk "Forward relay, bulk one stream into a Discard upstream, Gbit/s (median of 3 x ${SECS}s) vs socat (default buffer)" "$a" "$b" "$(bench_ratio "$a" "$b")" '>=1.0'
# Context only (not the issue's anchor): socat with a 128 KB buffer instead of its default 8 KB.
SO_PORT=$(free_port); socat -b 131072 TCP-LISTEN:$SO_PORT,fork,reuseaddr,bind=127.0.0.1 TCP:127.0.0.1:$UP_PORT & SO_PID=$!; wait_port $SO_PORT
b=$($BENCH tcp-bulk-client --port "$SO_PORT" --seconds "$SECS"); stop_socat
echo "  context: socat -b 131072, one round: $(field "$b" gbit_per_s) Gbit/s"
stop_bg UP

echo "== 3. Memory of $IDLE idle relayed pairs (ulimit -n $(ulimit -n))"
# The upstream takes both relays' connections (the first relay's may still be closing when the second starts).
start_bg UP listen --protocol Tcp --mode Capture --max-connections $((2 * IDLE + 100))
start_bg FW forward --to "127.0.0.1:$UP_PORT" --max-connections $((IDLE + 100))
before=$(stats_bg FW)
mkfifo "$TMP/hold.in"; $BENCH tcp-hold-client --port "$FW_PORT" --connections "$IDLE" <"$TMP/hold.in" >"$TMP/hold.out" & HOLD=$!; exec {HOLDFD}>"$TMP/hold.in"
for _ in $(seq 300); do s=$(stats_bg FW); [ "$(field "$s" pairs)" -ge "$IDLE" ] && break; sleep 0.1; done
sleep 1; after=$(stats_bg FW)
eval "exec $HOLDFD>&-"; wait $HOLD 2>/dev/null || true
stop_bg FW
start_socat "$UP_PORT"
mkfifo "$TMP/hold2.in"; $BENCH tcp-hold-client --port "$SO_PORT" --connections "$IDLE" <"$TMP/hold2.in" >"$TMP/hold2.out" & HOLD=$!; exec {HOLDFD}>"$TMP/hold2.in"
for _ in $(seq 300); do [ "$(pgrep -c -P $SO_PID || true)" -ge "$IDLE" ] && break; sleep 0.1; done
sleep 1; echo "  socat: $(head -1 "$TMP/hold2.out" 2>/dev/null), $(pgrep -c -P $SO_PID || true) children"
socat_pss=$(for p in $SO_PID $(pgrep -P $SO_PID); do awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null; done | python3 -c 'import sys; print(sum(int(x) for x in sys.stdin) * 1024)')
socat_n=$(pgrep -c -P $SO_PID || true)
eval "exec $HOLDFD>&-"; wait $HOLD 2>/dev/null || true
stop_socat; stop_bg UP
echo "before: $before"; echo "after:  $after"
python3 -c "b=$(field "$before" rss);a=$(field "$after" rss);n=$(field "$after" pairs);print(f'SocketShell: working set {a/2**20:.1f} MB with {n} idle pairs (empty relay {b/2**20:.1f} MB): {(a-b)/max(n,1)/1024:.1f} KB per idle pair')"
python3 -c "p=$socat_pss;n=$socat_n;print(f'socat: {n} forked processes, proportional set size {p/2**20:.1f} MB in all: {p/max(n,1)/1024:.1f} KB per idle pair')"
ours=$(python3 -c "b=$(field "$before" rss);a=$(field "$after" rss);n=$(field "$after" pairs);print(f'{(a-b)/max(n,1)/1024:.1f}')")
theirs=$(python3 -c "p=$socat_pss;n=$socat_n;print(f'{p/max(n,1)/1024:.1f}' if n else '-')")
bench_result forward-idle-memory "Forward relay, memory per idle relayed pair, KB ($IDLE pairs; socat: PSS per forked process)" "$ours" "$theirs" "$(bench_ratio "$theirs" "$ours")" report
