<#
  Where a cmdlet round trip's time goes (issue 15, docs/performance.md "Client round trips"): against an echo
  server on 127.0.0.1:-Port, per iteration, wall and CPU of the pwsh process (medians of -Rounds x -Count):
  a pair of do-nothing compiled cmdlets with Send-/Receive-SocketData's parameters (built with Add-Type
  -OutputAssembly into a temp file: the floor of invoking two cmdlets), the cmdlets themselves, the engine's
  calls made directly from the script (SendAsync + ReceiveLineAsync, no cmdlet), and a TcpClient loop.
  Usage (an echo server: SocketShell.Bench listen --protocol Tcp --mode Echo, as bench/client.sh starts it):
    pwsh -NoProfile -File bench/client-split.ps1 -Port <port> [-Count 3000] [-Rounds 3]
#>
param([Parameter(Mandatory)] [int] $Port, [int] $Count = 3000, [int] $Rounds = 3)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..' 'out' 'SocketShell' 'SocketShell.psd1')
$src = @'
using System;
using System.Management.Automation;
using System.Text;
namespace Floor {
  [Cmdlet("Send", "NopData")]
  public sealed class SendNop : PSCmdlet {
    [Parameter(Mandatory = true, Position = 0)] public object Socket { get; set; }
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)] [AllowNull] [AllowEmptyString] public object InputObject { get; set; }
    [Parameter] public Encoding Encoding { get; set; }
    [Parameter] public string NewLine { get; set; }
    [Parameter] public SwitchParameter NoNewline { get; set; }
    [Parameter] public SwitchParameter PassThru { get; set; }
    protected override void ProcessRecord() { }
  }
  [Cmdlet("Receive", "NopData")]
  public sealed class ReceiveNop : PSCmdlet {
    public static readonly object Item = new object();
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)] public object Socket { get; set; }
    [Parameter] public SwitchParameter Line { get; set; }
    [Parameter] public string Until { get; set; }
    [Parameter] public int ByteCount { get; set; }
    [Parameter] public TimeSpan Timeout { get; set; }
    [Parameter] public Encoding Encoding { get; set; }
    protected override void ProcessRecord() { WriteObject(Item); }
  }
}
'@
$dll = Join-Path ([IO.Path]::GetTempPath()) "floor-$PID.dll"
Add-Type -TypeDefinition $src -OutputAssembly $dll
Import-Module $dll
$line = 'x' * 63
$p = [Diagnostics.Process]::GetCurrentProcess()
function Median([double[]] $v) { $s = $v | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
function M([scriptblock] $body, [int] $n) { $p.Refresh(); $c0 = $p.TotalProcessorTime; $t = Measure-Command { & $body $n }; $p.Refresh(); ,@((1e6 * $t.TotalSeconds / $n), (1e6 * ($p.TotalProcessorTime - $c0).TotalSeconds / $n)) }
$nop = { param($n) $c = [pscustomobject]@{}; for ($i = 0; $i -lt $n; $i++) { Send-NopData $c $line; $r = Receive-NopData $c -Line } }
$cmd = { param($n) $c = Connect-Socket 127.0.0.1 $Port -NoDelay; try { for ($i = 0; $i -lt $n; $i++) { Send-SocketData $c $line; $r = Receive-SocketData $c -Line } } finally { $c | Disconnect-Socket -Confirm:$false } }
$dir = { param($n) $c = Connect-Socket 127.0.0.1 $Port -NoDelay; $tok = [Threading.CancellationToken]::None; $to = [TimeSpan]::FromSeconds(5); $m = [ReadOnlyMemory[byte]]::new([Text.Encoding]::ASCII.GetBytes($line + "`n"))
   try { for ($i = 0; $i -lt $n; $i++) { $c.SendAsync($m, $tok).Wait(); $r = $c.ReceiveLineAsync($to, $null, $tok).Result } } finally { $c | Disconnect-Socket -Confirm:$false } }
$loop = { param($n) $tc = [System.Net.Sockets.TcpClient]::new(); $tc.NoDelay = $true; $tc.Connect('127.0.0.1', $Port)
   try { $s = $tc.GetStream(); $w = [IO.StreamWriter]::new($s, [Text.UTF8Encoding]::new($false)); $w.NewLine = "`n"; $rd = [IO.StreamReader]::new($s)
         for ($i = 0; $i -lt $n; $i++) { $w.WriteLine($line); $w.Flush(); $r = $rd.ReadLine() } } finally { $tc.Dispose() } }
$all = [ordered]@{ 'nop cmdlet pair' = $nop; 'cmdlets' = $cmd; 'engine calls from script' = $dir; 'TcpClient loop' = $loop }
foreach ($k in $all.Keys) { $null = M $all[$k] 300 }
$res = @{}; foreach ($k in $all.Keys) { $res[$k] = @(@(), @()) }
foreach ($i in 1..$Rounds) { foreach ($k in $all.Keys) { $x = M $all[$k] $Count; $res[$k][0] += $x[0]; $res[$k][1] += $x[1] } }
foreach ($k in $all.Keys) { "{0,-26} {1,7:F1} us/rt wall  {2,7:F1} us/rt cpu (pwsh process)" -f $k, (Median $res[$k][0]), (Median $res[$k][1]) }
# The assembly stays loaded until pwsh exits; its temp file is removed then by the OS's temp cleanup or here on the next run.
Remove-Item $dll -ErrorAction SilentlyContinue
