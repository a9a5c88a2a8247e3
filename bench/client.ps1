<#
  Client round trips in pwsh (issue 15, item 4): Connect-Socket, then -Count x (Send-SocketData a 64-byte line,
  Receive-SocketData -Line) against an echo server on 127.0.0.1:-Port, vs the loop a PowerShell user would write
  (TcpClient, StreamWriter.WriteLine + Flush, StreamReader.ReadLine). Alternating rounds, medians. Loopback only.
  Writes RESULT lines for bench_result (bench/pwsh.sh: bench_relay).
#>
param([Parameter(Mandatory)] [int] $Port, [int] $Count = 5000, [int] $Rounds = 3, [string] $EngineFigure = '-')
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'out' 'SocketShell' 'SocketShell.psd1')
function Median([double[]] $v) { $s = $v | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
$line = 'x' * 63

function Cmdlets([int] $n) {
    $c = Connect-Socket 127.0.0.1 $Port -NoDelay
    try {
        $t = Measure-Command {
            for ($i = 0; $i -lt $n; $i++) {
                Send-SocketData $c $line
                $r = Receive-SocketData $c -Line
                if ($r.Text -ne $line) { throw "round trip $i came back as '$($r.Text)'" }
            }
        }
        $n / $t.TotalSeconds
    }
    finally { $c | Disconnect-Socket -Confirm:$false }
}

function Loop([int] $n) {
    $tc = [System.Net.Sockets.TcpClient]::new()
    $tc.NoDelay = $true
    $tc.Connect('127.0.0.1', $Port)
    try {
        $s = $tc.GetStream()
        $w = [IO.StreamWriter]::new($s, [Text.UTF8Encoding]::new($false)); $w.NewLine = "`n"
        $rd = [IO.StreamReader]::new($s)
        $t = Measure-Command {
            for ($i = 0; $i -lt $n; $i++) {
                $w.WriteLine($line); $w.Flush()
                $r = $rd.ReadLine()
                if ($r -ne $line) { throw "round trip $i came back as '$r'" }
            }
        }
        $n / $t.TotalSeconds
    }
    finally { $tc.Dispose() }
}

$null = Cmdlets 200; $null = Loop 200
$c = @(); $l = @()
foreach ($i in 1..$Rounds) {
    $c += Cmdlets $Count; $l += Loop $Count
    "  round {0}: Connect-Socket + Send-/Receive-SocketData {1:N0} round trips/s, PowerShell TcpClient loop {2:N0}/s" -f $i, $c[-1], $l[-1]
}
$a = Median $c; $b = Median $l
"RESULT`tclient-roundtrip-pwsh`tSend-SocketData + Receive-SocketData -Line, 64 B round trips/s on one connection (median of $Rounds x $Count) vs a PowerShell TcpClient/StreamReader loop`t{0:F0}`t{1:F0}`t{2:F2}`treport" -f $a, $b, ($a / $b)
if ($EngineFigure -ne '-') {
    "RESULT`tclient-roundtrip-engine`tthe same round trips from a C# blocking client (SocketShell.Bench tcp-echo-client, 1 client, 64 B): what the echo server and loopback allow, vs the cmdlets`t{0}`t{1:F0}`t{2:F2}`treport" -f $EngineFigure, $a, ([double]$EngineFigure / $a)
}
