#!/usr/bin/env bash
# Listener benchmarks: SocketShell's engine (in its own process, `SocketShell.Bench listen`) against
# socat / ncat / iperf3 on loopback, driven by the same client where the anchor allows, in one run.
# Usage: bench/listeners.sh [seconds-per-run]   (needs socat, ncat, iperf3; prints ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
dotnet build -c Release bench/SocketShell.Bench -v q -nologo >/dev/null
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
for tool in socat ncat iperf3; do command -v $tool >/dev/null || { echo "missing $tool (apt-get install -y $tool)"; exit 1; }; done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened"; exit 1; }
field() { tr ' ' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }
ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }

# start_ss <args...>: starts a SocketShell listener process as a coprocess; sets SS_PORT, SS_PID.
start_ss() {
  coproc SS { exec $BENCH listen "$@"; }
  read -r -u "${SS[0]}" line
  SS_PORT=$(field "$line" port); SS_PID=$(field "$line" pid)
}
ss_stats() { echo stats >&"${SS[1]}"; read -r -u "${SS[0]}" line; echo "$line"; }
stop_ss() { eval "exec ${SS[1]}>&-"; wait "$SS_PID" 2>/dev/null || true; }

echo "== machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"

median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

# echo_round <proto> <env>: one SocketShell run and one socat run; prints "ss socat".
echo_round() {
  local proto=$1 env=$2 client a b P S
  if [ "$proto" = Tcp ]; then client=tcp-echo-client; else client=udp-echo-client; fi
  coproc SS { exec env $env $BENCH listen --protocol "$proto" --mode Echo; }
  read -r -u "${SS[0]}" line; SS_PORT=$(field "$line" port); SS_PID=$(field "$line" pid)
  a=$($BENCH $client --port "$SS_PORT" --clients 16 --size "$3" --seconds "$SECS"); stop_ss
  if [ "$proto" = Tcp ]; then P=$(free_port); socat TCP-LISTEN:$P,fork,reuseaddr,bind=127.0.0.1 PIPE & S=$!; wait_port $P
  else P=$(free_udp_port); socat -T 3 UDP-LISTEN:$P,fork,reuseaddr,bind=127.0.0.1 PIPE & S=$!; sleep 0.3; fi
  b=$($BENCH $client --port "$P" --clients 16 --size "$3" --seconds "$SECS")
  pkill -P $S 2>/dev/null || true; kill $S 2>/dev/null || true; wait $S 2>/dev/null || true
  echo "$(field "$a" roundtrips_per_s) $(field "$b" roundtrips_per_s)"
}

# echo_compare <proto> <size> <env> <label>: three alternating rounds, medians and ratio.
echo_compare() {
  local ss=() so=() r
  for i in 1 2 3; do r=$(echo_round "$1" "$3" "$2"); ss+=("${r% *}"); so+=("${r#* }"); echo "  round $i: SocketShell ${r% *}/s, socat ${r#* }/s"; done
  local a b; a=$(median "${ss[@]}"); b=$(median "${so[@]}")
  echo "$4: SocketShell median $a/s, socat median $b/s, ratio $(ratio $a $b) (goal >= 1.0x)"
}

echo "== 1. TCP echo round trips/s, 1 KB x 16 clients, ${SECS}s x 3 alternating rounds"
echo_compare Tcp 1024 "" "TCP echo (default runtime settings)"
echo_compare Tcp 1024 "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1" "TCP echo (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1)"

echo "== 2. Bulk TCP into Discard vs iperf3, ${SECS}s, one stream, x 3 alternating rounds"
ssr=(); ipr=()
for i in 1 2 3; do
  start_ss --protocol Tcp --mode Discard
  ss_line=$($BENCH tcp-bulk-client --port "$SS_PORT" --seconds "$SECS")
  stats=$(ss_stats); stop_ss
  P=$(free_port); iperf3 -s -B 127.0.0.1 -p $P >/dev/null 2>&1 & IPERF=$!; wait_port $P
  for _try in 1 2 3; do   # a stray connection (port scans elsewhere on the machine) can upset the iperf3 handshake
    ip_bps=$(iperf3 -c 127.0.0.1 -p $P -t "$SECS" -J 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null) && break
  done
  kill $IPERF; wait $IPERF 2>/dev/null || true
  a=$(field "$ss_line" gbit_per_s); b=$(python3 -c "print(f'{$ip_bps/1e9:.2f}')")
  ssr+=("$a"); ipr+=("$b")
  echo "  round $i: SocketShell $a Gbit/s (listener counted $(field "$stats" received) of $(field "$ss_line" bytes) bytes sent), iperf3 $b Gbit/s"
done
a=$(median "${ssr[@]}"); b=$(median "${ipr[@]}")
echo "Bulk: SocketShell median $a Gbit/s, iperf3 median $b Gbit/s, ratio $(ratio $a $b) (goal >= 0.8x)"

echo "== 3. Accepted connections/s, 20,000 x (connect, end of stream, server close), 8 concurrent"
start_ss --protocol Tcp --mode Discard
ss_line=$($BENCH tcp-connect-client --port "$SS_PORT" --count 20000 --concurrency 8)
stats=$(ss_stats); stop_ss
P=$(free_port); ncat -l -k 127.0.0.1 $P </dev/null >/dev/null & NCAT=$!; wait_port $P
nc_line=$($BENCH tcp-connect-client --port "$P" --count 20000 --concurrency 8) || true
kill $NCAT; wait $NCAT 2>/dev/null || true
a=$(field "$ss_line" connections_per_s); b=$(field "$nc_line" connections_per_s)
echo "SocketShell: $ss_line (listener accepted $(field "$stats" connections))"; echo "ncat -l -k:  $nc_line"; echo "ratio SocketShell/ncat: $(ratio $a $b) (goal >= 2x)"

echo "== 4. 10,000 idle connections held by one listener (ulimit -n $(ulimit -n))"
start_ss --protocol Tcp --mode Capture --max-connections 20000
before=$(ss_stats)
coproc HOLD { exec $BENCH tcp-hold-client --port "$SS_PORT" --connections 10000; }
read -r -u "${HOLD[0]}" held
for _ in $(seq 200); do s=$(ss_stats); [ "$(field "$s" active)" -ge 10000 ] && break; sleep 0.1; done
sleep 1; after=$(ss_stats)
eval "exec ${HOLD[1]}>&-"; wait "$HOLD_PID" 2>/dev/null || true
stop_ss
echo "client: $held"
echo "before: $before"; echo "after:  $after"
python3 -c "b=$(field "$before" rss);a=$(field "$after" rss);print(f'working set {a/2**20:.1f} MB with {$(field "$after" active)} idle connections (empty listener {b/2**20:.1f} MB, {(a-b)/$(field "$after" active):.0f} bytes per connection); goal < 150 MB')"

echo "== 5. UDP echo round trips/s, 512 B x 16 clients, ${SECS}s x 3 alternating rounds"
echo_compare Udp 512 "" "UDP echo"

echo "== 6. UDP Discard: datagrams/s counted vs the sender alone, 512 B, 5s"
alone=$($BENCH udp-blast-client --sink --size 512 --seconds 5)
start_ss --protocol Udp --mode Discard
s0=$(ss_stats)
sent_line=$($BENCH udp-blast-client --port "$SS_PORT" --size 512 --seconds 5)
sleep 1; s1=$(ss_stats); stop_ss
echo "sender alone:          $alone"
echo "sender to SocketShell: $sent_line"
echo "listener:              $s1"
python3 - <<PY
sent=$(field "$sent_line" sent); got=$(field "$s1" datagrams); drops=$(field "$s1" osdrops)
cpu=$(field "$s1" cpu_ms)-$(field "$s0" cpu_ms)
alone=$(field "$alone" datagrams_per_s)
print(f"counted {got/5:.0f} datagrams/s = {got/5/alone:.2f}x the sender alone ({alone:.0f}/s); loss {100*(sent-got)/sent:.2f}% ({sent-got} of {sent}; OS-reported drops {drops}); listener CPU {cpu*1e6/max(got,1):.0f} ns per datagram")
PY
