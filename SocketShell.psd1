@{
    RootModule             = 'SocketShell.dll'
    # Stamped from Directory.Build.props <Version> into out/SocketShell/SocketShell.psd1 by the build.
    ModuleVersion          = '0.1.0'
    GUID                   = '5b0f3a8e-7c1d-4f2a-9e6b-3d8c2a1f4e07'
    Author                 = 'SocketShell contributors'
    CompanyName            = 'SocketShell contributors'
    Copyright              = '(c) 2026 SocketShell contributors. MIT License.'
    Description            = 'Socket administration as typed objects: background TCP/UDP listeners, TCP and TLS client sessions, datagrams, parallel port tests, the machine socket table and port ranges. Cross-platform PowerShell 7.'
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
            Tags         = @('PSEdition_Core', 'Windows', 'Linux', 'MacOS', 'Socket', 'Network', 'Tcp', 'Udp')
            ProjectUri   = 'https://github.com/socketshell/SocketShell'
            LicenseUri   = 'https://github.com/socketshell/SocketShell/blob/main/LICENSE'
            ReleaseNotes = @'
Unreleased (hardening, issue 10):
- Listeners and connections belong to the runspace that made them; Remove-Module or a closing runspace cleans up only its own.
- One host check for Test-Port, Connect-Socket, Send-Datagram: a host with a port ('[::1]:8080') or a resolver shorthand ('22', '127.1') is InvalidComputerName, nothing is sent; destination ports are 1-65535 everywhere; utf8BOM is refused.
- Get-AvailablePort no longer reports a port in TIME_WAIT as free; BytesSent counts a cancelled send; Test-Port -Wait ends at the wait; ListenerStopped instead of ReceiveTimeout.
- One error catalogue, every ErrorId documented in about_SocketShell (InvalidData is now InvalidPayload; SocketTableNotSupported; ListenerOptionConflict, InvalidListenerName, ParameterConflict, InvalidPort are new).
- Test-Port has two parameter sets (Default, Wait; -Quiet modifies both) and takes Get-SystemSocket sockets; deserialized objects format with their views; ProcessIds reads "1,2" in CSV; completers for ports, listener ids and socket-owning processes.

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
