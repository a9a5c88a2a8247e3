<#
  Send-Datagram per item (issue 15, item 3) and Receive-Datagram's rate, in the pwsh it runs in (bench/datagram.sh
  starts it as the tool manifest's pwsh). Loopback only. Writes RESULT lines for bench_result (bench/pwsh.sh: bench_relay).

  -Part Cold-Cmdlet / Cold-Loop : in this fresh process, the FIRST pipeline of -Count strings, through Send-Datagram
                                  or through the hand-written UdpClient loop (each in its own process: whichever
                                  runs first in a process pays PowerShell's own warm-up).
  -Part Warm                    : after one warm-up run of each, -Rounds alternating rounds of: the cmdlet and the
                                  loop over the same strings (array piped / foreach), and the ForEach-Object forms;
                                  medians. Then Receive-Datagram vs a UdpClient.Receive loop.
#>
param(
    [ValidateSet('Cold-Cmdlet', 'Cold-Loop', 'Warm')] [string] $Part = 'Warm',
    [int] $Count = 20000,
    [int] $Rounds = 5,
    [int] $ReceiveCount = 20000
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot '..' 'out' 'SocketShell' 'SocketShell.psd1')

function Median([double[]] $v) { $s = $v | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
function Result($id, $figure, $ours, $anchor, $ratio, $goal) { "RESULT`t$id`t$figure`t$ours`t$anchor`t$ratio`t$goal" }

# The receiving end: a UDP Discard listener (its own thread reads every datagram and counts it).
$sink = Start-SocketListener -Protocol Udp -Port 0 -Mode Discard
$port = $sink.Port
$payloads = foreach ($i in 1..$Count) { "m$i" }
$u = [System.Net.Sockets.UdpClient]::new()
$u.Connect([ipaddress]::Loopback, $port)

# The floor of any compiled cmdlet doing this job: a minimal cmdlet (built here into a temp folder) that takes the
# strings from the pipeline, encodes each into one buffer and sends it on one connected socket, writing nothing.
# Send-Datagram against it shows what the module adds per item beyond PowerShell's own cost of a cmdlet.
$floorSource = @'
using System.Management.Automation; using System.Net; using System.Net.Sockets; using System.Text;
[Cmdlet("Send", "FloorDatagram")]
public sealed class SendFloorDatagramCommand : PSCmdlet {
    [Parameter(Mandatory = true, Position = 0)] public string ComputerName { get; set; }
    [Parameter(Mandatory = true, Position = 1)] public int Port { get; set; }
    [Parameter(Mandatory = true, Position = 2, ValueFromPipeline = true)] public object Data { get; set; }
    private Socket _socket; private readonly byte[] _buffer = new byte[65536];
    protected override void BeginProcessing() { _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp); _socket.Connect(IPAddress.Parse(ComputerName), Port); }
    protected override void ProcessRecord() { string s = (Data is PSObject p ? p.BaseObject : Data).ToString(); int n = Encoding.UTF8.GetBytes(s, 0, s.Length, _buffer, 0); _socket.Send(_buffer, 0, n, SocketFlags.None); }
    protected override void EndProcessing() { _socket.Dispose(); }
}
'@
$floorDll = Join-Path ([IO.Path]::GetTempPath()) "socketshell-bench-floor-$PID.dll"   # compiled in the Warm part only (it would warm the cold ones)
$floor = { $payloads | Send-FloorDatagram 127.0.0.1 $port }

$cmdlet = { $payloads | Send-Datagram 127.0.0.1 $port }
$cmdletNoResult = { $payloads | Send-Datagram 127.0.0.1 $port -NoResult }
$loop = { foreach ($p in $payloads) { $b = [Text.Encoding]::UTF8.GetBytes($p); $null = $u.Send($b, $b.Length) } }
$cmdletForEach = { 1..$Count | ForEach-Object { "m$_" } | Send-Datagram 127.0.0.1 $port }
$loopForEach = { 1..$Count | ForEach-Object { $b = [Text.Encoding]::UTF8.GetBytes("m$_"); $null = $u.Send($b, $b.Length) } }
function Rate([scriptblock] $sb) { $Count / (Measure-Command $sb).TotalSeconds }

try {
    switch ($Part) {
        'Cold-Cmdlet' { '{0:F0}' -f (Rate $cmdlet) }
        'Cold-Loop' { '{0:F0}' -f (Rate $loop) }
        'Warm' {
            Add-Type -TypeDefinition $floorSource -OutputAssembly $floorDll -OutputType Library
            Import-Module $floorDll
            $null = Rate $cmdlet; $null = Rate $loop; $null = Rate $cmdletForEach; $null = Rate $loopForEach; $null = Rate $floor; $null = Rate $cmdletNoResult
            $r = @{ c = @(); l = @(); cf = @(); lf = @(); f = @(); n = @() }
            $before = $sink.DatagramsReceived
            for ($i = 1; $i -le $Rounds; $i++) {
                $r.c += Rate $cmdlet; $r.l += Rate $loop; $r.cf += Rate $cmdletForEach; $r.lf += Rate $loopForEach; $r.f += Rate $floor; $r.n += Rate $cmdletNoResult
                "  round {0}: Send-Datagram {1:N0}/s, with -NoResult {6:N0}/s, loop {2:N0}/s, minimal compiled cmdlet {5:N0}/s; ForEach-Object forms: Send-Datagram {3:N0}/s, loop {4:N0}/s" -f $i, $r.c[-1], $r.l[-1], $r.cf[-1], $r.lf[-1], $r.f[-1], $r.n[-1]
            }
            $sent = 6 * $Rounds * $Count
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            while ($sink.DatagramsReceived - $before -lt $sent -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            "  the Discard listener counted {0:N0} of the {1:N0} datagrams of the timed rounds" -f ($sink.DatagramsReceived - $before), $sent
            $c = Median $r.c; $l = Median $r.l; $cf = Median $r.cf; $lf = Median $r.lf; $f = Median $r.f; $n = Median $r.n
            Result 'senddatagram-noresult' "Send-Datagram -NoResult, $Count strings piped, datagrams/s (warm, median of $Rounds) vs a PowerShell UdpClient.Send loop" ('{0:F0}' -f $n) ('{0:F0}' -f $l) ('{0:F2}' -f ($n / $l)) '>=1.0'
            Result 'senddatagram-floor' "Send-Datagram, $Count strings piped, datagrams/s (warm, median of $Rounds) vs a minimal compiled cmdlet that only encodes and sends (PowerShell's floor for a cmdlet)" ('{0:F0}' -f $c) ('{0:F0}' -f $f) ('{0:F2}' -f ($c / $f)) 'report'
            "  the minimal compiled cmdlet vs the loop: {0:F2}" -f ($f / $l)
            Result 'senddatagram-pipeline' "Send-Datagram, $Count strings piped, datagrams/s (warm, median of $Rounds) vs a PowerShell UdpClient.Send loop" ('{0:F0}' -f $c) ('{0:F0}' -f $l) ('{0:F2}' -f ($c / $l)) '>=1.0'
            Result 'senddatagram-foreach' "1..$Count | ForEach-Object { `"m`$_`" } | Send-Datagram vs the same ForEach-Object doing UdpClient.Send, datagrams/s (warm)" ('{0:F0}' -f $cf) ('{0:F0}' -f $lf) ('{0:F2}' -f ($cf / $lf)) 'report'

            # Receive-Datagram: a sender in another process blasts 64-byte datagrams; the cmdlet (then a
            # PowerShell UdpClient.Receive loop) takes $ReceiveCount of them. Rate = datagrams taken per second.
            $bench = Get-ChildItem (Join-Path $PSScriptRoot 'SocketShell.Bench' 'bin' 'Release') -Recurse -Filter SocketShell.Bench.dll | Select-Object -First 1
            function Blast([int] $to) {
                Start-Process dotnet -ArgumentList $bench.FullName, 'udp-blast-client', '--port', $to, '--size', 64, '--seconds', 30 -PassThru -RedirectStandardOutput ([IO.Path]::GetTempFileName())
            }
            $rc = @(); $rl = @()
            foreach ($i in 1..3) {
                $p = (Get-AvailablePort -Protocol Udp).Port
                # cmdlet
                $blaster = Blast $p
                try {
                    $first = Receive-Datagram -Port $p -Count 1 -Timeout 10s   # the blast has begun
                    $t = Measure-Command { $got = (Receive-Datagram -Port $p -Count $ReceiveCount -Timeout 5s | Measure-Object).Count }
                } finally { Stop-Process -Id $blaster.Id -ErrorAction SilentlyContinue }
                $rc += $got / $t.TotalSeconds
                # loop
                $q = (Get-AvailablePort -Protocol Udp).Port
                $ru = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $q))
                $ru.Client.ReceiveTimeout = 5000
                $blaster = Blast $q
                try {
                    $from = $null
                    $null = $ru.Receive([ref] $from)
                    $t = Measure-Command { for ($k = 0; $k -lt $ReceiveCount; $k++) { $b = $ru.Receive([ref] $from); $null = [Text.Encoding]::UTF8.GetString($b) } }
                } finally { Stop-Process -Id $blaster.Id -ErrorAction SilentlyContinue; $ru.Dispose() }
                $rl += $ReceiveCount / $t.TotalSeconds
                "  receive round {0}: Receive-Datagram {1:N0}/s, UdpClient.Receive loop {2:N0}/s" -f $i, $rc[-1], $rl[-1]
            }
            $c = Median $rc; $l = Median $rl
            Result 'receivedatagram-pwsh' "Receive-Datagram, $ReceiveCount datagrams of 64 B from a blasting sender, datagrams/s vs a PowerShell UdpClient.Receive loop" ('{0:F0}' -f $c) ('{0:F0}' -f $l) ('{0:F2}' -f ($c / $l)) 'report'
        }
    }
}
finally {
    Remove-Item $floorDll -ErrorAction SilentlyContinue
    $u.Dispose()
    $sink | Stop-SocketListener
}
