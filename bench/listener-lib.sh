#!/usr/bin/env bash
# Sourced by bench/listeners.sh and bench/unix.sh: builds what they run and starts/stops listeners of
# both kinds the same way, so the same client drives SocketShell's engine (`SocketShell.Bench listen`, its
# own process), SocketShell inside pwsh (`Start-SocketListener` in the pwsh of the tool manifest,
# bench/listen-pwsh.ps1) and the anchor tools. Loopback and temp-dir Unix sockets only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH="dotnet bench/SocketShell.Bench/bin/Release/net10.0/SocketShell.Bench.dll"
CLIENTS=bench/clients/bin

# build_listener_bench: the bench tool and the module (Release, laid out in out/SocketShell), the C clients.
build_listener_bench() {
  dotnet build -c Release bench/SocketShell.Bench -v q -nologo >/dev/null
  dotnet build -c Release src/SocketShell -v q -nologo >/dev/null
  dotnet tool restore >/dev/null
  mkdir -p "$CLIENTS"
  gcc -O2 -pthread -o "$CLIENTS/connect_client" bench/clients/connect_client.c
  gcc -O2 -pthread -o "$CLIENTS/accept_server" bench/clients/accept_server.c
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened"; exit 1; }
wait_sock() { for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done; echo "socket $1 never appeared"; exit 1; }
field() { tr ' ' '\n' <<<"$1" | grep -A1 -x "$2" | tail -1; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# start_listener <engine|pwsh> <Tcp|Udp|Unix> <mode> [path|-] [max-connections]: starts a SocketShell
# listener as a coprocess and waits for its ready line; sets SS_PORT and SS_PID (the listener's process).
start_listener() {
  local kind=$1 proto=$2 mode=$3 path=${4:--} max=${5:-1000} line
  if [ "$kind" = engine ]; then
    if [ "$proto" = Unix ]; then coproc SS { exec $BENCH listen --path "$path" --mode "$mode" --max-connections "$max"; }
    else coproc SS { exec $BENCH listen --protocol "$proto" --mode "$mode" --max-connections "$max"; }; fi
  else
    if [ "$proto" = Unix ]; then coproc SS { exec dotnet pwsh -NoProfile -File bench/listen-pwsh.ps1 -Path "$path" -Mode "$mode" -MaxConnections "$max"; }
    else coproc SS { exec dotnet pwsh -NoProfile -File bench/listen-pwsh.ps1 -Protocol "$proto" -Mode "$mode" -MaxConnections "$max"; }; fi
  fi
  SS_JOB=$SS_PID   # the coprocess bash waits for (dotnet), not always the process that prints its pid
  read -r -u "${SS[0]}" line || { echo "the $kind listener did not start"; exit 1; }
  SS_PORT=$(field "$line" port); SS_PID=$(field "$line" pid)
}
# ss_stats: the listener's counters line (connections, active, received, sent, datagrams, rss, cpu_ms ...).
ss_stats() { echo stats >&"${SS[1]}"; local line; read -r -u "${SS[0]}" line; echo "$line"; }
# stop_listener: closes its stdin (it stops the listener cleanly and exits) and waits for it.
stop_listener() { eval "exec ${SS[1]}>&-"; wait "$SS_JOB" 2>/dev/null || true; }
stop_tool() { pkill -P "$1" 2>/dev/null || true; kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
