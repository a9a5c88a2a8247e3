# Helpers shared by the Pester files (dot-source in BeforeAll). Loopback only; every wait is bounded.

function Get-SocketCount {
    # Sockets this process holds (Linux: /proc/self/fd links to socket:[inode]); -1 on other systems.
    if (-not $IsLinux) { return -1 }
    @(Get-ChildItem /proc/self/fd -ErrorAction SilentlyContinue | Where-Object { "$($_.LinkTarget)" -like 'socket:*' }).Count
}

function Wait-Until {
    # Waits until $Condition is true, re-checking every 10 ms; throws after $Milliseconds.
    param([scriptblock] $Condition, [int] $Milliseconds = 10000)
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    while (-not (& $Condition)) {
        if ($sw.ElapsedMilliseconds -gt $Milliseconds) { throw "Condition not met within $Milliseconds ms: $Condition" }
        Start-Sleep -Milliseconds 10
    }
}

function Get-FreeUdpPort {
    # A UDP port nobody listens on right now (bound to learn a free one, then released).
    param([ipaddress] $Address = [ipaddress]::Loopback)
    $probe = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new($Address, 0))
    $port = $probe.Client.LocalEndPoint.Port
    $probe.Dispose()
    $port
}
