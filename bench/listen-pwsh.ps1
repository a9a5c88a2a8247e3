# A listener started by Start-SocketListener inside pwsh, where users run it, for bench/listeners.sh and
# bench/unix.sh: it speaks the same protocol as `SocketShell.Bench listen` (prints "port P pid N" when it
# listens, answers each "stats" line on stdin with the listener's counters, stops the listener cleanly
# when stdin closes). Usage (from the repository root, after a Release build of the module):
#   dotnet pwsh -NoProfile -File bench/listen-pwsh.ps1 -Mode Echo [-Protocol Tcp|Udp | -Path <socket>] [-MaxConnections N]
param(
    [string] $Mode = 'Echo',
    [string] $Protocol = 'Tcp',
    [string] $Path,
    [int] $MaxConnections = 1000,
    [string] $Module = (Join-Path $PSScriptRoot '../out/SocketShell/SocketShell.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
$listener = if ($Path) {
    Start-SocketListener -Path $Path -Mode $Mode -MaxConnections $MaxConnections
} elseif ($Protocol -eq 'Udp') {
    Start-SocketListener -Port 0 -Address 127.0.0.1 -Protocol Udp -Mode $Mode
} else {
    Start-SocketListener -Port 0 -Address 127.0.0.1 -Protocol $Protocol -Mode $Mode -MaxConnections $MaxConnections
}
[Console]::Out.WriteLine("port $($listener.Port) pid $PID")
[Console]::Out.Flush()
$self = [System.Diagnostics.Process]::GetCurrentProcess()
while ($null -ne ($line = [Console]::In.ReadLine())) {
    if ($line.Trim() -eq 'stats') {
        $self.Refresh()
        $l = $listener
        [Console]::Out.WriteLine([string]::Format([cultureinfo]::InvariantCulture,
            'connections {0} active {1} rejected {2} received {3} sent {4} datagrams {5} osdrops {6} rss {7} cpu_ms {8:F0}',
            $l.ConnectionCount, $l.ActiveConnections, $l.RejectedConnections, $l.BytesReceived, $l.BytesSent,
            $l.DatagramsReceived, $(if ($null -eq $l.SystemDroppedDatagrams) { -1 } else { $l.SystemDroppedDatagrams }),
            $self.WorkingSet64, $self.TotalProcessorTime.TotalMilliseconds))
        [Console]::Out.Flush()
    }
}
$listener | Stop-SocketListener
