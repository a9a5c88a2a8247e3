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
median() { python3 -c "import statistics,sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.2f}'.rstrip('0').rstrip('.'))" "$@"; }
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

# echo_client_line <Tcp|Udp|Unix> <port|path> <size>: the output of 16 blocking echo clients for SECS seconds.
echo_client_line() {
  case $1 in
    Tcp) $BENCH tcp-echo-client --port "$2" --clients 16 --size "$3" --seconds "$SECS" || true ;;
    Unix) $BENCH tcp-echo-client --path "$2" --clients 16 --size "$3" --seconds "$SECS" || true ;;
    Udp) $BENCH udp-echo-client --port "$2" --clients 16 --size "$3" --seconds "$SECS" || true ;;
  esac
}

# echo_round <engine|pwsh|socat> <Tcp|Udp|Unix> <size> <unix-socket-path|->: one timed run against that server;
# prints "<round trips/s> <server CPU us per round trip> <client CPU us per round trip>" (server: the listener
# process's CPU time, or socat's children's; both over every round trip of the run including the warm-up;
# "-" for UDP).
echo_round() {
  local kind=$1 proto=$2 size=$3 path=$4 target out s0 s1 S ticks
  if [ "$kind" = socat ]; then
    case $proto in
      Tcp) target=$(free_port); socat TCP-LISTEN:$target,fork,reuseaddr,bind=127.0.0.1 PIPE & S=$!; wait_port "$target" ;;
      Unix) target=$path; socat UNIX-LISTEN:"$path",fork PIPE & S=$!; wait_sock "$path" ;;
      Udp) target=$(free_udp_port); socat -T 3 UDP-LISTEN:$target,fork,reuseaddr,bind=127.0.0.1 PIPE & S=$!; sleep 0.3 ;;
    esac
    out=$(echo_client_line "$proto" "$target" "$size")
    # socat forks a child per client; once they have exited the parent's cutime+cstime hold their CPU time.
    for _ in $(seq 40); do pgrep -P "$S" >/dev/null || break; sleep 0.05; done
    ticks=$(sed 's/.*) //' "/proc/$S/stat" | awk '{print $14 + $15}')
    stop_tool "$S"
    s0=0; s1=$(python3 -c "print($ticks * 1000 / $(getconf CLK_TCK))")
  else
    start_listener "$kind" "$proto" Echo "$path"
    if [ "$proto" = Unix ]; then target=$path; else target=$SS_PORT; fi
    s0=$(field "$(ss_stats)" cpu_ms)
    out=$(echo_client_line "$proto" "$target" "$size")
    s1=$(field "$(ss_stats)" cpu_ms)
    stop_listener
  fi
  [ "$proto" = Udp ] || [ "$(field "$out" errors)" = 0 ] || echo "  (client errors against $kind: $out)" >&2
  local all; all=$(field "$out" all_roundtrips)
  if [ -n "$all" ] && [ "$all" != 0 ]; then
    echo "$(field "$out" roundtrips_per_s) $(python3 -c "print(f'{($s1 - $s0) * 1000 / $all:.2f} {$(field "$out" client_cpu_ms) * 1000 / $all:.2f}')")"
  else
    echo "$(field "$out" roundtrips_per_s) - -"
  fi
}

# echo_scenario <Tcp|Udp|Unix> <size> <id-prefix> <goal> <figure> [temp-dir for Unix sockets]: engine, pwsh
# and socat in ROUNDS alternating rounds; prints medians and writes <id>-engine and <id>-pwsh results.
echo_scenario() {
  local proto=$1 size=$2 e=() p=() s=() ce=() cp=() cs=() ke=() kp=() ks=() a b c r i path=-
  for i in $(seq "$ROUNDS"); do
    [ "$proto" = Unix ] && path="$6/e$i.sock"; read -r a b c <<<"$(echo_round engine "$proto" "$size" "$path")"; e+=("$a"); ce+=("$b"); ke+=("$c")
    [ "$proto" = Unix ] && path="$6/p$i.sock"; read -r a b c <<<"$(echo_round pwsh "$proto" "$size" "$path")"; p+=("$a"); cp+=("$b"); kp+=("$c")
    [ "$proto" = Unix ] && path="$6/s$i.sock"; read -r a b c <<<"$(echo_round socat "$proto" "$size" "$path")"; s+=("$a"); cs+=("$b"); ks+=("$c")
    echo "  round $i: engine ${e[-1]}/s (server ${ce[-1]} us CPU/round trip, client ${ke[-1]} us), pwsh ${p[-1]}/s (${cp[-1]} us, ${kp[-1]} us), socat ${s[-1]}/s (${cs[-1]} us, ${ks[-1]} us) (load $(load))"
  done
  a=$(median "${e[@]}"); b=$(median "${p[@]}"); c=$(median "${s[@]}")
  echo "$5: engine $a/s ($(ratio $a $c)x socat), Start-SocketListener in pwsh $b/s ($(ratio $b $c)x), socat $c/s"
  if [ "$proto" != Udp ]; then
    local x y z k kk; x=$(median "${ce[@]}"); y=$(median "${cp[@]}"); z=$(median "${cs[@]}"); k=$(median "${ke[@]}"); kk=$(median "${ks[@]}")
    echo "  server CPU per round trip (medians): engine $x us, pwsh $y us, socat $z us (socat/engine $(ratio $z $x)x); client $k us (vs engine), $kk us (vs socat)"
    # When client and server share the machine's cores and nothing else runs, the rate is cores / (client + server CPU).
    echo "  CPU-bound rate ratio (client + socat) / (client + engine): $(ratio "($kk + $z)" "($k + $x)")x, pwsh $(ratio "($kk + $z)" "($k + $y)")x"
    bench_result "$3-cpu" "$5: server CPU us per round trip, engine vs socat (anchor/ours)" "$x" "$z" "$(ratio $z $x)" "report"
  fi
  bench_result "$3-engine" "$5" "$a" "$c" "$(ratio $a $c)" "$4"
  bench_result "$3-pwsh" "$5, Start-SocketListener in pwsh" "$b" "$c" "$(ratio $b $c)" "$4"
}
