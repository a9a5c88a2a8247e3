#!/usr/bin/env bash
# Datagrams/s sent fire-and-forget, loopback only, all in one run:
#   1. engine path behind Send-Datagram (DatagramSender) vs a raw connected UdpClient loop (same process);
#   2. the Send-Datagram cmdlet in pwsh vs a raw UdpClient loop written in PowerShell;
#   3. socat (anchor tool) sending the same number of 64-byte datagrams (one per 64-byte read).
# Usage: bench/datagram.sh [count=200000] [pwsh-count=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-200000}
PSCOUNT=${2:-20000}
SIZE=64

dotnet build src/SocketShell -c Debug -nologo -v q >/dev/null   # lays out out/SocketShell
echo "== engine vs raw UdpClient (dotnet, Release) =="
dotnet run -c Release --project bench/SocketShell.Bench -- datagram-send --count "$COUNT" --size "$SIZE" --rounds 3

free_port() { pwsh -NoProfile -c 'Import-Module ./out/SocketShell/SocketShell.psd1; (Get-AvailablePort -Protocol Udp).Port'; }

if command -v pwsh >/dev/null; then
  echo "== Send-Datagram cmdlet vs a PowerShell UdpClient loop ($PSCOUNT datagrams of $SIZE bytes) =="
  pwsh -NoProfile -c "
    Import-Module ./out/SocketShell/SocketShell.psd1
    \$sink = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))  # bound, never read: no ICMP
    \$port = \$sink.Client.LocalEndPoint.Port
    \$payloads = foreach (\$i in 1..$PSCOUNT) { 'x' * $SIZE }
    \$cmd = (Measure-Command { \$payloads | Send-Datagram 127.0.0.1 \$port }).TotalSeconds
    \$u = [System.Net.Sockets.UdpClient]::new(); \$u.Connect([ipaddress]::Loopback, \$port)
    \$bytes = [byte[]]::new($SIZE)
    \$raw = (Measure-Command { foreach (\$p in \$payloads) { \$b = [Text.Encoding]::UTF8.GetBytes(\$p); \$null = \$u.Send(\$b, \$b.Length) } }).TotalSeconds
    \$u.Dispose(); \$sink.Dispose()
    '  Send-Datagram pipeline        {0,10:N0} datagrams/s' -f ($PSCOUNT / \$cmd)
    '  PowerShell UdpClient loop     {0,10:N0} datagrams/s' -f ($PSCOUNT / \$raw)
    '  ratio cmdlet/PowerShell loop = {0:F2}' -f (\$raw / \$cmd)
  "
fi

if command -v socat >/dev/null; then
  echo "== socat anchor ($COUNT datagrams of $SIZE bytes, one per read) =="
  PORT=$(free_port)
  DATA=$(mktemp)
  head -c $((COUNT * SIZE)) /dev/urandom > "$DATA"
  socat -u "UDP-RECV:$PORT,bind=127.0.0.1" /dev/null &
  SINK=$!
  trap 'kill $SINK 2>/dev/null || true; rm -f "$DATA"' EXIT
  sleep 0.3   # let the sink bind before sending (otherwise ICMP errors)
  START=$(date +%s.%N)
  socat -b "$SIZE" -u "OPEN:$DATA" "UDP-SENDTO:127.0.0.1:$PORT"
  END=$(date +%s.%N)
  awk -v n="$COUNT" -v s="$START" -v e="$END" 'BEGIN { printf "  socat -b %d                   %10.0f datagrams/s (includes process start)\n", 64, n / (e - s) }'
else
  echo "socat not installed (apt-get install -y socat): anchor skipped"
fi
