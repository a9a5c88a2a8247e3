#!/usr/bin/env bash
# Listener benchmarks on loopback, one run: SocketShell's engine (its own process, `SocketShell.Bench listen`)
# AND a listener started by Start-SocketListener inside pwsh (bench/listen-pwsh.ps1), against socat / ncat /
# iperf3, driven by the same client. Echo and accept scenarios alternate engine, pwsh and the anchor in
# rounds and compare medians of the same run; the load average is printed with every round.
# Usage: [ROUNDS=3] bench/listeners.sh [seconds-per-run=10]   (needs socat, ncat, iperf3, gcc, python3)
# Writes one `bench_result` line per goal (bench/lib.sh): tcp-echo-engine, tcp-echo-pwsh, bulk-discard-engine,
# accept-engine, accept-pwsh, accept-ceiling, idle-10k-memory, udp-echo-engine, udp-echo-pwsh; and, as reports,
# tcp-echo-cpu (server CPU per round trip, which the machine's load moves far less than the rates).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
ROUNDS=${ROUNDS:-3}
source bench/listener-lib.sh
for tool in socat ncat iperf3 gcc python3; do command -v $tool >/dev/null || { echo "missing $tool (apt-get install -y $tool)"; exit 1; }; done
build_listener_bench

echo "== machine: $(nproc) cores, $(uname -sr), load $(load), $(socat -V | sed -n 2p | tr -s ' '), $(ncat --version 2>&1 | head -1)"

echo "== 1. TCP echo round trips/s, 1 KB x 16 clients, ${SECS}s x $ROUNDS alternating rounds (engine, pwsh, socat TCP-LISTEN,fork PIPE)"
echo_scenario Tcp 1024 tcp-echo ">=1.2" "TCP echo round trips/s, 1 KB x 16 clients"

echo "== 2. Bulk TCP into Discard vs iperf3, ${SECS}s, one stream, x $ROUNDS alternating rounds"
ssr=(); ipr=()
for i in $(seq $ROUNDS); do
  start_listener engine Tcp Discard
  ss_line=$($BENCH tcp-bulk-client --port "$SS_PORT" --seconds "$SECS")
  stats=$(ss_stats); stop_listener
  P=$(free_port); iperf3 -s -B 127.0.0.1 -p $P >/dev/null 2>&1 & IPERF=$!; wait_port $P
  ip_bps=0
  for _try in 1 2 3; do   # a stray connection (port scans elsewhere on the machine) can upset the iperf3 handshake
    ip_bps=$(iperf3 -c 127.0.0.1 -p $P -t "$SECS" -J 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null) && break
  done
  kill $IPERF; wait $IPERF 2>/dev/null || true
  a=$(field "$ss_line" gbit_per_s); b=$(python3 -c "print(f'{$ip_bps/1e9:.2f}')")
  ssr+=("$a"); ipr+=("$b")
  echo "  round $i: SocketShell $a Gbit/s (listener counted $(field "$stats" received) of $(field "$ss_line" bytes) bytes sent), iperf3 $b Gbit/s (load $(load))"
done
a=$(median "${ssr[@]}"); b=$(median "${ipr[@]}")
echo "Bulk: SocketShell median $a Gbit/s, iperf3 median $b Gbit/s, ratio $(ratio $a $b)x (goal >= 0.8x)"
bench_result bulk-discard-engine "Bulk TCP into Discard, one stream, Gbit/s" "$a" "$b" "$(ratio $a $b)" ">=0.8"

COUNT=20000   # about 1-2 s per run; fewer connections make the figure noisier
echo "== 3. Connections served/s: $COUNT x (connect, shutdown(SHUT_WR), wait for the server's close) by a C client, 8 threads, x $ROUNDS alternating rounds"
# accept_client <port>: connections/s of the C client (bench/clients/connect_client.c).
accept_client() {
  local out; out=$("$CLIENTS/connect_client" 127.0.0.1 "$1" "$COUNT" 8 || true)
  [ "$(field "$out" failures)" = 0 ] || echo "  (client failures: $out)" >&2
  field "$out" connections_per_s
}
e=(); p=(); n=(); c=()
for i in $(seq $ROUNDS); do
  start_listener engine Tcp Discard; a=$(accept_client "$SS_PORT"); stats=$(ss_stats); stop_listener
  start_listener pwsh Tcp Discard; b=$(accept_client "$SS_PORT"); stop_listener
  P=$(free_port); ncat -l -k 127.0.0.1 $P </dev/null >/dev/null & NCAT=$!; wait_port $P
  d=$(accept_client "$P"); stop_tool $NCAT
  coproc CEIL { exec "$CLIENTS/accept_server"; }; CEIL_JOB=$CEIL_PID; read -r -u "${CEIL[0]}" line
  f=$(accept_client "$(field "$line" port)"); eval "exec ${CEIL[1]}>&-"; wait "$CEIL_JOB" 2>/dev/null || true
  e+=("$a"); p+=("$b"); n+=("$d"); c+=("$f")
  echo "  round $i: engine $a/s (it counted $(field "$stats" connections)), pwsh $b/s, ncat -l -k $d/s, C epoll server $f/s (load $(load))"
done
a=$(median "${e[@]}"); b=$(median "${p[@]}"); d=$(median "${n[@]}"); f=$(median "${c[@]}")
echo "Accept: engine $a/s ($(ratio $a $d)x ncat, $(ratio $a $f)x the C ceiling), pwsh $b/s ($(ratio $b $d)x ncat), ncat $d/s, C epoll server $f/s ($(ratio $f $d)x ncat)"
bench_result accept-engine "Connections served/s, C client 8 threads (connect, FIN, server close)" "$a" "$d" "$(ratio $a $d)" ">=2"
bench_result accept-pwsh "Connections served/s, C client 8 threads, Start-SocketListener in pwsh" "$b" "$d" "$(ratio $b $d)" ">=2"
bench_result accept-ceiling "Connections served/s by a minimal C epoll server (this machine's ceiling) vs ncat" "$f" "$d" "$(ratio $f $d)" "report"

echo "== 4. 10,000 idle connections held by one listener (ulimit -n $(ulimit -n))"
start_listener engine Tcp Capture - 20000
before=$(ss_stats)
{ coproc HOLD { exec $BENCH tcp-hold-client --port "$SS_PORT" --connections 10000; }; } 2>/dev/null   # (bash warns about the second coprocess)
HOLD_JOB=$HOLD_PID
read -r -u "${HOLD[0]}" held
for _ in $(seq 200); do s=$(ss_stats); [ "$(field "$s" active)" -ge 10000 ] && break; sleep 0.1; done
sleep 1; after=$(ss_stats)
eval "exec ${HOLD[1]}>&-"; wait "$HOLD_JOB" 2>/dev/null || true
stop_listener
echo "client: $held"
echo "before: $before"; echo "after:  $after"
mb=$(python3 -c "print(f'{$(field "$after" rss)/2**20:.1f}')")
python3 -c "b=$(field "$before" rss);a=$(field "$after" rss);print(f'working set {a/2**20:.1f} MB with {$(field "$after" active)} idle connections (empty listener {b/2**20:.1f} MB, {(a-b)/max(1,$(field "$after" active)):.0f} bytes per connection); goal < 150 MB')"
bench_result idle-10k-memory "Listener working set with 10,000 idle TCP connections, MB" "${mb}MB" - - "<=150MB"

echo "== 5. UDP echo round trips/s, 512 B x 16 clients, ${SECS}s x $ROUNDS alternating rounds (engine, pwsh, socat UDP-LISTEN,fork PIPE)"
echo_scenario Udp 512 udp-echo ">=1.0" "UDP echo round trips/s, 512 B x 16 clients"

echo "== 6. UDP Discard: datagrams/s counted vs the sender alone, 512 B, ${SECS}s"
alone=$($BENCH udp-blast-client --sink --size 512 --seconds "$SECS")
start_listener engine Udp Discard
s0=$(ss_stats)
sent_line=$($BENCH udp-blast-client --port "$SS_PORT" --size 512 --seconds "$SECS")
sleep 1; s1=$(ss_stats); stop_listener
echo "sender alone:          $alone"
echo "sender to SocketShell: $sent_line"
echo "listener:              $s1"
python3 - <<PY
secs=$SECS
sent=$(field "$sent_line" sent); got=$(field "$s1" datagrams); drops=$(field "$s1" osdrops)
cpu=$(field "$s1" cpu_ms)-$(field "$s0" cpu_ms)
alone=$(field "$alone" datagrams_per_s)
print(f"counted {got/secs:.0f} datagrams/s = {got/secs/alone:.2f}x the sender alone ({alone:.0f}/s); loss {100*(sent-got)/sent:.2f}% ({sent-got} of {sent}; OS-reported drops {drops}); listener CPU {cpu*1e6/max(got,1):.0f} ns per datagram")
PY
echo "== done, load $(load)"
