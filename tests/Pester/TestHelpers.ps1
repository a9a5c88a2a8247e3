# Helpers shared by the Pester files (dot-source in BeforeAll). Loopback only; every wait is bounded.

# Get-PwshCommand / Invoke-Pwsh: start a child pwsh that is this same PowerShell (dotnet tool, package or source build).
. (Join-Path $PSScriptRoot 'PwshCommand.ps1')

$script:ModuleManifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'

function New-TestPowerShell {
    # A [PowerShell] for ONE background command or script, in a runspace of its own (owned and disposed with it)
    # that has SocketShell imported before anything runs (InitialSessionState). Add one command or one script,
    # then BeginInvoke / Stop / Dispose. Never build a multi-statement batch (AddStatement) to import the module
    # first: stopping and disposing such a batch while its next statement is queued crashes pwsh
    # (InvalidRunspaceStateException in BatchInvocationWorkItem, PowerShell/PowerShell#15313).
    param([switch] $WithoutModule)
    $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    if (-not $WithoutModule) { $iss.ImportPSModule([string[]] @((Resolve-Path $script:ModuleManifest).Path)) }
    [PowerShell]::Create($iss)
}

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
