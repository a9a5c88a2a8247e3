@{
    RootModule             = 'SocketShell.dll'
    # Stamped from Directory.Build.props <Version> into out/SocketShell/SocketShell.psd1 by the build.
    ModuleVersion          = '0.2.0'
    GUID                   = '5b0f3a8e-7c1d-4f2a-9e6b-3d8c2a1f4e07'
    Author                 = 'SocketShell contributors'
    CompanyName            = 'SocketShell contributors'
    Copyright              = '(c) 2026 SocketShell contributors. MIT License.'
    Description            = 'Socket administration as typed objects: background TCP/UDP/Unix listeners and recording relays, TCP, TLS and Unix client sessions, datagrams, parallel port tests (TLS certificates, latency, UDP, banners), the machine socket table and port ranges. Cross-platform PowerShell 7.'
    CompatiblePSEditions   = @('Core')
    PowerShellVersion      = '7.4'
    FormatsToProcess       = @('SocketShell.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-Socket'
        'Disconnect-Socket'
        'Get-AvailablePort'
        'Get-PortRange'
        'Get-Socket'
        'Get-SocketListener'
        'Get-SystemSocket'
        'Receive-Datagram'
        'Receive-SocketData'
        'Send-Datagram'
        'Send-SocketData'
        'Start-SocketListener'
        'Stop-SocketListener'
        'Test-Port'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Socket', 'Network', 'Tcp', 'Udp', 'Tls', 'Unix')
            ProjectUri   = 'https://github.com/socketshell/SocketShell'
            LicenseUri   = 'https://github.com/socketshell/SocketShell/blob/main/LICENSE'
            ReleaseNotes = @'
0.2.0: Forward mode, Unix domain sockets, Test-Port probes, hardening.
New:
- Forward mode: Start-SocketListener -ForwardTo host:port, [v6]:port, an endpoint or a Unix socket path (a recording relay like socat's TCP-LISTEN,fork TCP:). Half-close and resets are passed through; -Certificate puts TLS in front, -ForwardTls speaks TLS upstream; UDP relays with one upstream socket per peer. Both directions are recorded (SocketMessage.Direction, ConnectionId). ForwardFailures and LastForwardError show failures, and ActivePairs and the upstream byte counters are new.
- Unix domain sockets: Connect-Socket -Path, Start-SocketListener -Path (the socket file is created and removed with the listener; -Force only replaces a stale socket; -Permission), Send-Datagram -Path, Receive-Datagram -Path, Test-Port -Path, and Get-SystemSocket -Protocol Unix / -Path (like ss -xp; Linux).
- Test-Port probes: -Tls (certificate, expiry, validity and reason, protocol, cipher), -Count/-Continuous/-Interval latency series, -Protocol Udp (Open, Closed from ICMP, OpenOrFiltered), and -ReadBanner/-Send.
Changed (hardening):
- Listeners and connections belong to the runspace that made them. Remove-Module, or a runspace closing, cleans up only its own.
- One host check for Test-Port, Connect-Socket and Send-Datagram. A host that carries a port ('[::1]:8080') or is a resolver shorthand ('22', '127.1') is InvalidComputerName, and nothing is sent. Destination ports are 1-65535 everywhere. utf8BOM is refused.
- Get-AvailablePort no longer reports a port in TIME_WAIT as free. BytesSent counts what a cancelled send really sent. Test-Port -Wait ends at the wait. A wait cut short by a stopping listener is ListenerStopped, not ReceiveTimeout.
- One error catalogue: every ErrorId is documented in about_SocketShell. InvalidData is now InvalidPayload; SocketTableNotSupported, ListenerOptionConflict, InvalidListenerName, ParameterConflict and InvalidPort are new, along with the path errors (PathNotFound, NotASocket, PathInUse, InvalidSocketPath).
- Test-Port parameter sets bind pipeline input as users expect ('host' | Test-Port -Port 22 -Quiet; Import-Csv; Get-SystemSocket -Listening | Test-Port).
- Deserialized objects (jobs, remoting, Import-Clixml) format with their views. ProcessIds reads "1,2" in CSV. Completers now cover ports, listener ids and socket-owning processes.
- The type of Get-AvailablePort -Protocol is SocketShell.AvailabilityProtocol.
- Output objects export as text: addresses and endpoints are canonical text properties ('127.0.0.1', '[::1]:80'), certificates are Subject/Issuer/Thumbprint facts, so ConvertTo-Json and Export-Csv read well; the .NET values come from methods (GetLocalEndPoint(), GetRemoteAddress(), GetCertificate(), ...). Breaking for scripts that used .LocalEndPoint.Port and the like: use the Port properties or the Get...() methods.
- Pipeline input: objects with a Port (Get-AvailablePort, listeners, Test-Port results) bind -Port of Send-Datagram, Connect-Socket and Test-Port; listener names and socket ids pipe by value. Every table view fits 120 columns and keeps its key columns at 80.
- Every engine failure is a typed kind mapped through the one catalogue (ListenerNotFound, StopTimeout, SocketTableUnavailable, InvalidPayload, ...). Options that do nothing in the chosen mode are refused or warned about.
Performance:
- Linux: plain TCP and Unix stream listeners are served by epoll event loops that receive and send inline (no thread-pool hop per message); TLS and Forward keep the asynchronous path.
- Send-Datagram reuses one connected socket and buffer across pipeline items and sends without a task per datagram. New -NoResult sends without writing a result object per datagram (totals with -Verbose). Test-Port latency series finish an attempt that is already connected at once, without waiting for the runtime's completion hop.
- bench/run.sh runs every scenario and prints the goals table (docs/performance.md).
Build:
- Every build ships its external help (en-US). The tests run in real pwsh 7.6.9 (a dotnet tool) with Pester 5.9.1 from NuGet.

0.1.0: first release.
- Listeners: Start-SocketListener (TCP/UDP; Capture, Echo, Reply, Discard; TLS; bounded capture), Get-SocketListener, Stop-SocketListener, Receive-SocketData.
- Client sessions: Connect-Socket (TCP/TLS), Send-SocketData, Receive-SocketData -Socket, Get-Socket, Disconnect-Socket.
- Datagrams: Send-Datagram (with real PortUnreachable), Receive-Datagram (streaming, multicast).
- Port tests: Test-Port (many hosts x ports in parallel, -Quiet, -Wait).
- Socket table: Get-SystemSocket (verified on Linux; Windows and macOS sources tested through their parsers).
- Ports: Get-PortRange, Get-AvailablePort.
'@
        }
    }
}
