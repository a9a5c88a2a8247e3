#!/usr/bin/env bash
# bench/run.sh: every scenario in bench/ in one go, with durations short enough for about 10-12 minutes on
# 2 cores, ending with the goals table (issue 15, item 5): one line per goal with SocketShell's figure, the
# anchor's, the ratio from THIS run and whether the goal is met. Loopback only.
#
#   bench/run.sh                 run everything; the table is printed and written to out/bench/goals.md
#   bench/run.sh forward.sh ...  run only the named scenario scripts (the table still lists every goal)
#
# It installs nothing: missing tools (socat ncat iperf3 nmap, iproute2's ss, python3, openssl, gcc for the C
# clients of listeners.sh) are named with
# the apt-get command that installs them, and the scenarios that need them show "not measured". It builds
# Release once (the scripts skip their own build: BENCH_BUILT=1), and runs the cmdlets in the pwsh of the
# tool manifest. Each scenario's output goes to out/bench/<script>.log as well as to the terminal. Every
# scenario script sources bench/lib.sh and writes its figures with bench_result; a goal whose script failed
# or did not report it is shown as "not measured", never left out.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
. bench/pwsh.sh

# script and arguments: short durations (seconds per timed run, counts, rounds)
SCENARIOS=(
  "listeners.sh 2"
  "unix.sh 2 1000"
  "datagram.sh 100000 20000 5"
  "client.sh 3000 3 2"
  "testport.sh 3 no"
  "probes.sh 3 300 30 2000"
  "forward.sh 3 300"
  "systemsocket.sh 10000 5"
  "import.sh 5"
)
TIMEOUT=${BENCH_TIMEOUT:-420}   # seconds per scenario script, then it is stopped and counted as failed

# id | script | figure | goal: every goal the table must show, measured or not (issue 15's table and the
# goals carried over from earlier issues). A script's own bench_result line takes precedence for the figure
# text and the goal; ids a script reports beyond these are listed after them.
GOALS=$(cat <<'T'
tcp-echo-engine|listeners.sh|TCP echo round trips/s, 1 KB x 16 clients, listener process vs socat|>=1.2
tcp-echo-pwsh|listeners.sh|TCP echo round trips/s, listener started by Start-SocketListener in pwsh, vs socat|>=1.2
udp-echo-engine|listeners.sh|UDP echo round trips/s, 512 B x 16 clients, vs socat|>=1.0
udp-echo-pwsh|listeners.sh|UDP echo round trips/s, listener started in pwsh, vs socat|>=1.0
accept-engine|listeners.sh|Accepted connections/s vs ncat -l -k|>=2.0
accept-pwsh|listeners.sh|Accepted connections/s, listener started in pwsh, vs ncat -l -k|>=2.0
accept-ceiling|listeners.sh|Connections/s a minimal C epoll server accepts (the machine's ceiling) vs ncat|report
bulk-discard-engine|listeners.sh|Bulk TCP into Discard, Gbit/s vs iperf3|>=0.8
idle-10k-memory|listeners.sh|10,000 idle TCP connections, listener working set, MB|<=150MB
unix-echo-engine|unix.sh|Unix stream echo round trips/s, 1 KB x 16 clients, vs socat UNIX-LISTEN,fork PIPE|>=1.0
unix-echo-pwsh|unix.sh|Unix stream echo round trips/s, listener started in pwsh, vs socat|>=1.0
unix-bulk-engine|unix.sh|Bulk into a discard over a Unix stream socket, Gbit/s vs socat into /dev/null|>=1.0
senddatagram-pipeline|datagram.sh|Send-Datagram, strings piped, datagrams/s vs a PowerShell UdpClient.Send loop|>=1.0
senddatagram-pipeline-cold|datagram.sh|Send-Datagram, first pipeline in a fresh pwsh, vs the loop (also first)|report
senddatagram-foreach|datagram.sh|ForEach-Object piped into Send-Datagram vs a ForEach-Object doing UdpClient.Send|report
senddatagram-noresult|datagram.sh|Send-Datagram -NoResult, strings piped, datagrams/s vs a PowerShell UdpClient.Send loop|>=1.0
senddatagram-floor|datagram.sh|Send-Datagram vs a minimal compiled cmdlet that only encodes and sends (PowerShell's per-item floor for a cmdlet)|report
senddatagram-engine|datagram.sh|DatagramSender.Send vs a raw C# UdpClient.Send loop, datagrams/s|report
receivedatagram-pwsh|datagram.sh|Receive-Datagram datagrams/s vs a PowerShell UdpClient.Receive loop|report
client-roundtrip-pwsh|client.sh|Send-SocketData + Receive-SocketData round trips/s vs a PowerShell TcpClient loop|report
client-roundtrip-engine|client.sh|SocketConnection SendAsync + ReceiveLine round trips/s from one caller thread vs a blocking Socket loop|report
testport-65535-engine|testport.sh|All 65,535 TCP ports of 127.0.0.1, engine, vs nmap -sT -T5|>=1.0
testport-65535-cmdlet|testport.sh|Test-Port 127.0.0.1 1..65535 in pwsh vs nmap -sT -T5|>=1.0
testport-1000-loop|testport.sh|1,000 closed ports in pwsh: Test-Port vs a Test-Connection -TcpPort loop|report
latency-series-overhead|probes.sh|Test-Port -Count N -Interval 0: overhead per attempt over a Socket.Connect loop, us|<=20us
tls-certificates|probes.sh|Test-Port -Tls certificates/s vs an openssl s_client loop|report
testport-udp|probes.sh|Test-Port -Protocol Udp, 1,000 closed ports vs nmap -sU|report
forward-echo|forward.sh|Forward relay, 1 KB round trips/s, 16 clients, vs socat TCP-LISTEN,fork TCP:|>=1.0
forward-bulk|forward.sh|Forward relay, bulk one stream, Gbit/s vs socat|>=1.0
forward-idle-memory|forward.sh|Forward relay, memory per idle relayed pair, KB|report
systemsocket-10k-engine|systemsocket.sh|TCP table with owners, 10,000 connections, engine vs ss -tanp|>=1.0
systemsocket-10k-cmdlet|systemsocket.sh|Get-SystemSocket -Protocol Tcp in pwsh, 10,000 connections, vs ss -tanp|>=1.0
unix-table|systemsocket.sh|Unix socket table with owners vs ss -xap|>=1.0
import-cold|import.sh|Import-Module SocketShell, first in a fresh pwsh, ms|<=100ms
import-warm|import.sh|Import-Module SocketShell, fresh runspace of a process that loaded it, ms|report
T
)

if [ $# -gt 0 ]; then
  selected=()
  for want in "$@"; do
    found=""
    for s in "${SCENARIOS[@]}"; do [ "${s%% *}" = "$want" ] && selected+=("$s") && found=1; done
    [ -n "$found" ] || { echo "bench/run.sh: no scenario script '$want' (known: $(printf '%s ' "${SCENARIOS[@]%% *}"))" >&2; exit 2; }
  done
  SCENARIOS=("${selected[@]}")
fi

OUT=out/bench
mkdir -p "$OUT"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
t0=$(date +%s)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%F %T UTC')

# Tools: say what is missing, install nothing.
missing=()
for tool in socat ncat iperf3 nmap ss python3 openssl gcc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sed 's/^ss$/iproute2/' | tr '\n' ' ')
  echo "bench/run.sh: missing tools: ${missing[*]}. Install them with: sudo apt-get install -y $pkgs" >&2
  echo "bench/run.sh: the scenarios that need them will fail and their goals show as \"not measured\"." >&2
fi

echo "== bench/run.sh started $started; $(nproc) cores, $(uname -sr), load average at start: $load_start"
echo "== build (Release, once)"
if ! { dotnet tool restore >/dev/null && dotnet build -c Release --nologo -v q src/SocketShell >/dev/null && dotnet build -c Release --nologo -v q bench/SocketShell.Bench >/dev/null; }; then
  echo "bench/run.sh: the Release build failed; nothing can be measured" >&2
  exit 1
fi
export BENCH_BUILT=1
bench_use_pwsh || echo "bench/run.sh: no pwsh from the tool manifest (dotnet tool restore): cmdlet figures will be missing" >&2
echo "   built in $(( $(date +%s) - t0 )) s; pwsh: ${BENCH_PWSH:-none}"

status_lines=()
for entry in "${SCENARIOS[@]}"; do
  read -r script args <<<"$entry"
  echo
  echo "== bench/$script $args   (load $(cut -d' ' -f1-3 /proc/loadavg))"
  s0=$(date +%s)
  export BENCH_RESULTS="$WORK/${script%.sh}.tsv"
  : >"$BENCH_RESULTS"
  # shellcheck disable=SC2086
  timeout --kill-after=15 "$TIMEOUT" bash "bench/$script" $args 2>&1 | tee "$OUT/${script%.sh}.log"
  rc=${PIPESTATUS[0]}
  took=$(( $(date +%s) - s0 ))
  case $rc in 0) st=ok ;; 124|137) st="stopped after ${TIMEOUT} s" ;; *) st="failed (exit $rc)" ;; esac
  status_lines+=("| bench/$script $args | $st | $took s | $(wc -l <"$BENCH_RESULTS") |")
  while IFS= read -r l; do printf '%s\t%s\n' "$script" "$l"; done <"$BENCH_RESULTS" >>"$WORK/all.tsv"
  echo "$script" >>"$WORK/ran"
  printf '%s\t%s\n' "$script" "$st" >>"$WORK/status"
done
unset BENCH_RESULTS
total=$(( $(date +%s) - t0 ))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The goals table.
touch "$WORK/all.tsv" "$WORK/ran" "$WORK/status"
{
  echo "Goals from \`bench/run.sh\` at $started, commit $commit, $(nproc) cores, $(uname -sr);"
  echo "load average $load_start at the start and $load_end at the end; total $((total / 60)) min $((total % 60)) s."
  echo "Ratios are SocketShell / anchor oriented so that more is better; \"report\" lines have no target."
  echo
  echo "| Goal | Figure | SocketShell | Anchor | Ratio | Target | Result |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  python3 - "$WORK/all.tsv" "$WORK/ran" "$WORK/status" <<'PY' "$GOALS"
import re, sys
results_path, ran_path, status_path, goals_text = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ran = set(open(ran_path).read().split())
status = dict(l.rstrip("\n").split("\t", 1) for l in open(status_path) if "\t" in l)
results = {}
for line in open(results_path):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 7:
        continue
    script, rid, figure, ours, anchor, ratio, goal = parts
    results.setdefault(rid, []).append((script, figure, ours, anchor, ratio, goal))
def num(text):
    m = re.match(r"\s*([-+]?[0-9][0-9,]*\.?[0-9]*)", text or "")
    return float(m.group(1).replace(",", "")) if m else None
def verdict(ours, ratio, goal):
    g = goal.replace(" ", "")
    if g.lower() == "report":
        return "reported"
    m = re.match(r"^(>=|<=)([0-9.]+)([a-zA-Zµ]*)$", g)
    if not m:
        return "?"
    op, target, unit = m.group(1), float(m.group(2)), m.group(3)
    value = num(ratio) if op == ">=" and not unit else num(ours)
    if value is None:
        return "not measured"
    ok = value >= target if op == ">=" else value <= target
    return "**met**" if ok else "**missed**"
def cell(t):
    return (t or "-").replace("|", "\\|")
seen = set()
for g in goals_text.strip().splitlines():
    rid, script, figure, goal = g.split("|", 3)
    seen.add(rid)
    rows = results.get(rid)
    if not rows:
        if script not in ran:
            why = "not measured (not run)"
        elif status.get(script, "ok") != "ok":
            why = f"not measured ({script} {status[script]})"
        else:
            why = f"not measured ({script} did not report it)"
        print(f"| {rid} | {cell(figure)} | - | - | - | {cell(goal)} | {why} |")
        continue
    for (s, fig, ours, anchor, ratio, rgoal) in rows:
        print(f"| {rid} | {cell(fig)} | {cell(ours)} | {cell(anchor)} | {cell(ratio)} | {cell(rgoal)} | {verdict(ours, ratio, rgoal)} |")
for rid, rows in results.items():
    if rid in seen:
        continue
    for (s, fig, ours, anchor, ratio, rgoal) in rows:
        print(f"| {rid} | {cell(fig)} ({s}) | {cell(ours)} | {cell(anchor)} | {cell(ratio)} | {cell(rgoal)} | {verdict(ours, ratio, rgoal)} |")
PY
  echo
  echo "| Scenario script | Status | Time | Figures |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${status_lines[@]}"
} >"$OUT/goals.md"

echo
echo "== goals (also in $OUT/goals.md; each scenario's output in $OUT/<script>.log)"
cat "$OUT/goals.md"
