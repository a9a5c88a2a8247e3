#!/usr/bin/env bash
# Datagrams/s sent fire-and-forget, loopback only, all in one run:
#   1. the engine path behind Send-Datagram (DatagramSender.Send) vs a raw connected UdpClient loop (same process);
#   2. in the tool manifest's pwsh (bench/datagram.ps1): Send-Datagram with -Count strings piped vs a PowerShell
#      UdpClient.Send loop, cold (first pipeline of a fresh process, each in its own) and warm (alternating rounds),
#      the ForEach-Object forms, and Receive-Datagram vs a PowerShell UdpClient.Receive loop;
#   3. socat sending the same number of 64-byte datagrams (context: one datagram per 64-byte read).
# Usage: bench/datagram.sh [count=200000] [pwsh-count=20000] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh
COUNT=${1:-200000}
PSCOUNT=${2:-20000}
ROUNDS=${3:-3}
SIZE=64

bench_build
BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. engine vs raw UdpClient (one process, Release): $COUNT datagrams of $SIZE bytes x $ROUNDS rounds"
out=$($BENCH datagram-send --count "$COUNT" --size "$SIZE" --rounds "$ROUNDS")
echo "$out"
e=$(sed -nE 's/.*engine \(DatagramSender[^)]*\) +median +([0-9,]+).*/\1/p' <<<"$out" | tr -d ,)
r=$(sed -nE 's/.*raw UdpClient.Send loop +median +([0-9,]+).*/\1/p' <<<"$out" | tr -d ,)
bench_result senddatagram-engine "DatagramSender.Send, $SIZE B fire-and-forget, datagrams/s vs a raw connected UdpClient.Send loop (C#)" "${e:--}" "${r:--}" "$(bench_ratio "$e" "$r")" report

if bench_use_pwsh; then
  echo "== 2. Send-Datagram in pwsh ($("$BENCH_PWSH" -NoProfile -c '$PSVersionTable.PSVersion.ToString()')) vs a PowerShell UdpClient loop, $PSCOUNT strings"
  cc=(); cl=()
  for i in 1 2; do
    cc+=("$("$BENCH_PWSH" -NoProfile -File bench/datagram.ps1 -Part Cold-Cmdlet -Count "$PSCOUNT" | tail -1)")
    cl+=("$("$BENCH_PWSH" -NoProfile -File bench/datagram.ps1 -Part Cold-Loop -Count "$PSCOUNT" | tail -1)")
    echo "  cold, fresh process $i: Send-Datagram ${cc[-1]}/s, loop ${cl[-1]}/s"
  done
  a=$(bench_median "${cc[@]}"); b=$(bench_median "${cl[@]}")
  bench_result senddatagram-pipeline-cold "Send-Datagram, first pipeline of $PSCOUNT strings in a fresh pwsh, datagrams/s vs a PowerShell UdpClient.Send loop (also first)" "$a" "$b" "$(bench_ratio "$a" "$b")" report
  "$BENCH_PWSH" -NoProfile -File bench/datagram.ps1 -Part Warm -Count "$PSCOUNT" -Rounds "$ROUNDS" -ReceiveCount "$PSCOUNT" | bench_relay
else
  echo "no pwsh (dotnet tool restore failed): cmdlet figures not measured"
fi

if command -v socat >/dev/null; then
  echo "== 3. socat, context ($COUNT datagrams of $SIZE bytes, one per read)"
  PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  DATA=$(mktemp)
  head -c $((COUNT * SIZE)) /dev/urandom > "$DATA"
  socat -u "UDP-RECV:$PORT,bind=127.0.0.1" /dev/null &
  SINK=$!
  trap 'kill $SINK 2>/dev/null || true; rm -f "$DATA"' EXIT
  sleep 0.3   # let the sink bind before sending (otherwise ICMP errors)
  START=$(date +%s.%N)
  socat -b "$SIZE" -u "OPEN:$DATA" "UDP-SENDTO:127.0.0.1:$PORT"
  END=$(date +%s.%N)
  awk -v n="$COUNT" -v s="$START" -v e="$END" 'BEGIN { printf "  socat -b 64: %.0f datagrams/s (includes process start)\n", n / (e - s) }'
else
  echo "socat not installed (apt-get install -y socat): context skipped"
fi
