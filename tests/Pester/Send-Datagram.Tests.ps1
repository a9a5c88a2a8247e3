#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function New-Peer([ipaddress] $Address = [ipaddress]::Loopback) {
        $peer = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new($Address, 0))
        $peer.Client.ReceiveTimeout = 10000   # every receive below is bounded
        $peer.Client.ReceiveBufferSize = 1MB
        $peer
    }

    function Receive-PeerDatagram($Peer) {
        $from = $null
        $bytes = $Peer.Receive([ref] $from)
        [pscustomobject]@{ Bytes = $bytes; From = $from; Text = [Text.Encoding]::UTF8.GetString($bytes) }
    }

    # A raw UdpClient echo in a second runspace: answers $Count datagrams, then ends.
    function Start-Echo($Peer, [int] $Count) {
        $ps = New-TestPowerShell
        $null = $ps.AddScript({
                param($u, $n)
                for ($i = 0; $i -lt $n; $i++) {
                    $from = $null
                    $b = $u.Receive([ref] $from)
                    $null = $u.Send($b, $b.Length, $from)
                }
            }).AddArgument($Peer).AddArgument($Count)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }

    function Stop-Echo($Echo) {
        $null = $Echo.Handle.AsyncWaitHandle.WaitOne(10000)
        $Echo.PowerShell.Dispose()
    }

    $script:HasIPv6 = $false
    try { (New-Peer ([ipaddress]::IPv6Loopback)).Dispose(); $script:HasIPv6 = $true } catch { }
}

Describe 'Send-Datagram' -Tag CI {
    It 'sends a datagram and writes a DatagramResult with Status Sent' {
        $peer = New-Peer
        try {
            $r = Send-Datagram -ComputerName 127.0.0.1 -Port $peer.Client.LocalEndPoint.Port -Data 'hello'
            $r | Should -BeOfType ([SocketShell.DatagramResult])
            $r.Status | Should -Be 'Sent'
            $r.BytesSent | Should -Be 5
            $r.Reply | Should -BeNullOrEmpty
            $r.RoundTripTime | Should -BeNullOrEmpty
            $r.RemoteEndPoint | Should -Be $peer.Client.LocalEndPoint.ToString()
            $r.GetRemoteEndPoint() | Should -Be $peer.Client.LocalEndPoint
            $got = Receive-PeerDatagram $peer
            $got.Text | Should -Be 'hello'
            $got.From | Should -Be $r.GetLocalEndPoint()
        }
        finally { $peer.Dispose() }
    }

    It 'sends one datagram per pipeline string, in order, from one socket' {
        $peer = New-Peer
        try {
            $results = 'one', 'two', 'three' | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port
            $results.Count | Should -Be 3
            $results.Status | Should -Be 'Sent', 'Sent', 'Sent'
            $got = 1..3 | ForEach-Object { Receive-PeerDatagram $peer }
            $got.Text | Should -Be 'one', 'two', 'three'
            ($got.From.Port | Select-Object -Unique).Count | Should -Be 1
        }
        finally { $peer.Dispose() }
    }

    It 'sends many pipeline items through one resolved, connected socket (one local port)' {
        $peer = New-Peer
        try {
            $results = 1..300 | ForEach-Object { "m$_" } | Send-Datagram localhost $peer.Client.LocalEndPoint.Port -AddressFamily IPv4
            $results.Count | Should -Be 300
            ($results | ForEach-Object { $_.GetLocalEndPoint().Port } | Select-Object -Unique).Count | Should -Be 1
            ($results | Where-Object Status -NE 'Sent').Count | Should -Be 0
            $got = 1..300 | ForEach-Object { Receive-PeerDatagram $peer }
            $got.Text | Should -Be (1..300 | ForEach-Object { "m$_" })
            ($got.From.Port | Select-Object -Unique) | Should -Be $results[0].GetLocalEndPoint().Port
        }
        finally { $peer.Dispose() }
    }

    It '-NoResult sends every item and writes nothing; -Verbose gives the totals' {
        $peer = New-Peer
        try {
            $out = 1..300 | ForEach-Object { "n$_" } | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -NoResult -Verbose 4>&1
            $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            @($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
            $verbose.Count | Should -Be 1
            $verbose[0].Message | Should -Match '^Sent 300 datagrams without results; 0 of them'
            $got = 1..300 | ForEach-Object { Receive-PeerDatagram $peer }
            $got.Text | Should -Be (1..300 | ForEach-Object { "n$_" })
        }
        finally { $peer.Dispose() }
    }

    It '-NoResult with -Wait is a ParameterConflict, and nothing is sent' {
        $peer = New-Peer
        try {
            { Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port 'x' -NoResult -Wait -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.SendDatagramCommand'
            $peer.Available | Should -Be 0
        }
        finally { $peer.Dispose() }
    }

    It 'sends strings of changing lengths intact (no bytes left over from the item before)' {
        $peer = New-Peer
        try {
            $texts = 'a longer first string', 'xy', '', 'é€', ('z' * 3000)
            $results = $texts | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port
            $results.BytesSent | Should -Be 21, 2, 0, 5, 3000
            $got = 1..5 | ForEach-Object { Receive-PeerDatagram $peer }
            $got.Text | Should -Be $texts
        }
        finally { $peer.Dispose() }
    }

    It 'follows a change of destination in the middle of the pipeline, and back' {
        $a = New-Peer; $b = New-Peer
        try {
            $pa = $a.Client.LocalEndPoint.Port; $pb = $b.Client.LocalEndPoint.Port
            $targets = $pa, $pa, $pb, $pa | ForEach-Object { [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $_ } }
            $results = $targets | Send-Datagram -Data 'hop'
            $results | ForEach-Object { $_.GetRemoteEndPoint().Port } | Should -Be $pa, $pa, $pb, $pa
            $results.Status | Should -Be 'Sent', 'Sent', 'Sent', 'Sent'
            (1..3 | ForEach-Object { (Receive-PeerDatagram $a).Text }) | Should -Be 'hop', 'hop', 'hop'
            (Receive-PeerDatagram $b).Text | Should -Be 'hop'
            $a.Available | Should -Be 0
            $b.Available | Should -Be 0
        }
        finally { $a.Dispose(); $b.Dispose() }
    }

    It 'reports an error for each item meant for a destination it cannot use, and sends the others' {
        $peer = New-Peer
        try {
            $p = $peer.Client.LocalEndPoint.Port
            $targets = @(
                [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $p }
                [pscustomobject]@{ ComputerName = '255.255.255.255'; Port = $p }
                [pscustomobject]@{ ComputerName = '255.255.255.255'; Port = $p }
                [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $p }
            )
            $results = $targets | Send-Datagram -Data 'ok' -ErrorAction SilentlyContinue -ErrorVariable err
            $results.Count | Should -Be 2
            $err.Count | Should -Be 2
            $err.FullyQualifiedErrorId | Should -Be ('BroadcastNotAllowed,SocketShell.Commands.SendDatagramCommand', 'BroadcastNotAllowed,SocketShell.Commands.SendDatagramCommand')
            $err[0].TargetObject | Should -Be "255.255.255.255:$p"
            (1..2 | ForEach-Object { (Receive-PeerDatagram $peer).Text }) | Should -Be 'ok', 'ok'
        }
        finally { $peer.Dispose() }
    }

    It 'sends byte arrays as they are and strings with -Encoding' {
        $peer = New-Peer
        try {
            $bytes = [byte[]](0, 1, 2, 255)
            (Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -Data $bytes).BytesSent | Should -Be 4
            (Receive-PeerDatagram $peer).Bytes | Should -Be $bytes
            ,$bytes | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port | Out-Null
            (Receive-PeerDatagram $peer).Bytes | Should -Be $bytes
            Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -Data 'é' -Encoding latin1 | Out-Null
            (Receive-PeerDatagram $peer).Bytes | Should -Be ([byte[]](0xE9))
        }
        finally { $peer.Dispose() }
    }

    It 'sends a zero-length datagram for an empty string' {
        $peer = New-Peer
        try {
            $r = '' | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port
            $r.BytesSent | Should -Be 0
            (Receive-PeerDatagram $peer).Bytes.Length | Should -Be 0
        }
        finally { $peer.Dispose() }
    }

    It 'with -Wait returns the reply and the round-trip time' {
        $peer = New-Peer
        $echo = Start-Echo $peer 2
        try {
            $r = 'ping', '' | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -Wait -Timeout 5
            $r[0].Status | Should -Be 'Replied'
            $r[0].Reply | Should -BeOfType ([SocketShell.SocketMessage])
            $r[0].Reply.Text | Should -Be 'ping'
            $r[0].Reply.Protocol | Should -Be 'Udp'
            $r[0].Reply.GetRemoteEndPoint() | Should -Be $peer.Client.LocalEndPoint
            $r[0].RoundTripTime | Should -BeOfType ([timespan])
            $r[0].RoundTripTime | Should -BeGreaterThan ([timespan]::Zero)
            $r[1].Status | Should -Be 'Replied'
            $r[1].Reply.Length | Should -Be 0
        }
        finally { $peer.Dispose(); Stop-Echo $echo }
    }

    It 'is NoReply when nothing answers within -Timeout' {
        $peer = New-Peer
        try {
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $r = Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port 'anyone' -Wait -Timeout 300ms
            $sw.Stop()
            $r.Status | Should -Be 'NoReply'
            $r.RoundTripTime | Should -BeNullOrEmpty
            $sw.Elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 280
        }
        finally { $peer.Dispose() }
    }

    It 'is PortUnreachable when nothing listens (the ICMP report, not the timeout)' {
        # Verified on Linux; Windows and macOS report it too.
        $port = Get-FreeUdpPort
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Send-Datagram 127.0.0.1 $port 'x' -Wait -Timeout 30
        $sw.Stop()
        $r.Status | Should -Be 'PortUnreachable'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 30
    }

    It 'is PortUnreachable on ::1 too' {
        if (-not $script:HasIPv6) { Set-ItResult -Skipped -Because 'IPv6 loopback is not available'; return }
        $r = Send-Datagram ::1 (Get-FreeUdpPort ([ipaddress]::IPv6Loopback)) 'x' -Wait -Timeout 30
        $r.Status | Should -Be 'PortUnreachable'
        $r.GetRemoteEndPoint().AddressFamily | Should -Be 'InterNetworkV6'
    }

    It 'sends 65,507 bytes over IPv4 and refuses 65,508 with DatagramTooLarge before sending' {
        $peer = New-Peer
        try {
            $port = $peer.Client.LocalEndPoint.Port
            (Send-Datagram 127.0.0.1 $port -Data ([byte[]]::new(65507))).BytesSent | Should -Be 65507
            (Receive-PeerDatagram $peer).Bytes.Length | Should -Be 65507
            { Send-Datagram 127.0.0.1 $port -Data ([byte[]]::new(65508)) -ErrorAction Stop } |
                Should -Throw -ErrorId 'DatagramTooLarge,SocketShell.Commands.SendDatagramCommand'
            Send-Datagram 127.0.0.1 $port -Data 'marker' | Out-Null
            (Receive-PeerDatagram $peer).Text | Should -Be 'marker'
            $peer.Available | Should -Be 0
        }
        finally { $peer.Dispose() }
    }

    It 'sends 65,527 bytes over IPv6 and refuses 65,528' {
        if (-not $script:HasIPv6) { Set-ItResult -Skipped -Because 'IPv6 loopback is not available'; return }
        $peer = New-Peer ([ipaddress]::IPv6Loopback)
        try {
            $port = $peer.Client.LocalEndPoint.Port
            (Send-Datagram ::1 $port -Data ([byte[]]::new(65527))).BytesSent | Should -Be 65527
            (Receive-PeerDatagram $peer).Bytes.Length | Should -Be 65527
            Send-Datagram ::1 $port -Data ([byte[]]::new(65528)) -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'DatagramTooLarge,SocketShell.Commands.SendDatagramCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be "[::1]:$port"
        }
        finally { $peer.Dispose() }
    }

    It 'writes an error for one bad datagram and still sends the others' {
        $peer = New-Peer
        try {
            $results = 'a', ([byte[]]::new(70000)), 'b' |
                Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -ErrorAction SilentlyContinue -ErrorVariable err
            $results.Count | Should -Be 2
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DatagramTooLarge,SocketShell.Commands.SendDatagramCommand'
            (1..2 | ForEach-Object { (Receive-PeerDatagram $peer).Text }) | Should -Be 'a', 'b'
        }
        finally { $peer.Dispose() }
    }

    It 'refuses a broadcast target without -Broadcast (BroadcastNotAllowed, nothing sent)' {
        { Send-Datagram 255.255.255.255 9 'x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'BroadcastNotAllowed,SocketShell.Commands.SendDatagramCommand'
        'x', 'y' | Send-Datagram 255.255.255.255 9 -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err.Count | Should -Be 2   # one error per datagram
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be '255.255.255.255:9'
        $err[0].Exception.Message | Should -BeLike '*-Broadcast*'
    }

    It 'refuses the loopback subnet broadcast too, found from the interface mask' {
        if (-not [SocketShell.Udp.DatagramAddresses]::IsBroadcast([ipaddress]'127.255.255.255')) {
            Set-ItResult -Skipped -Because 'this OS reports no mask for the loopback interface'
            return
        }

        { Send-Datagram 127.255.255.255 (Get-FreeUdpPort) 'x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'BroadcastNotAllowed,SocketShell.Commands.SendDatagramCommand'
        (Send-Datagram 127.255.255.255 (Get-FreeUdpPort) 'x' -Broadcast).Status | Should -Be 'Sent'
    }

    It 'is HostNotFound for an address of the wrong family' {
        { Send-Datagram 127.0.0.1 9 'x' -AddressFamily IPv6 -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,SocketShell.Commands.SendDatagramCommand'
    }

    It 'sends from -LocalPort and reports PortInUse when it is taken' {
        $peer = New-Peer
        $source = Get-FreeUdpPort
        try {
            $r = Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port 'x' -LocalPort $source -Ttl 2
            $r.GetLocalEndPoint().Port | Should -Be $source
            (Receive-PeerDatagram $peer).From.Port | Should -Be $source
            $holder = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $source))
            try {
                { Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port 'x' -LocalPort $source -ErrorAction Stop } |
                    Should -Throw -ErrorId 'PortInUse,SocketShell.Commands.SendDatagramCommand'
            }
            finally { $holder.Dispose() }
        }
        finally { $peer.Dispose() }
    }

    It 'warns that -Timeout does nothing without -Wait' {
        $peer = New-Peer
        try {
            $r = Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port 'x' -Timeout 1 -WarningVariable warn -WarningAction SilentlyContinue
            $r.Status | Should -Be 'Sent'
            $warn.Count | Should -Be 1
            $warn[0].Message | Should -BeLike '*-Wait*'
        }
        finally { $peer.Dispose() }
    }

    It 'validates its parameters' {
        { Send-Datagram 127.0.0.1 0 'x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.SendDatagramCommand'
        { Send-Datagram 127.0.0.1 9 'x' -Ttl 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.SendDatagramCommand'
        { Send-Datagram 127.0.0.1 9 'x' -Timeout 'soon' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.SendDatagramCommand'
        { Send-Datagram 127.0.0.1 9 'x' -Encoding 'no-such-encoding' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.SendDatagramCommand'
        { Send-Datagram 127.0.0.1 9 -Data @(1, 2, 300) -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPayload,SocketShell.Commands.SendDatagramCommand'
    }

    It 'takes ComputerName and Port from the pipeline by property name' {
        $peer = New-Peer
        try {
            $target = [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $peer.Client.LocalEndPoint.Port; Data = 'x' }
            ($target | Send-Datagram -Data 'by property').Status | Should -Be 'Sent'
            (Receive-PeerDatagram $peer).Text | Should -Be 'by property'
            Get-Command Send-Datagram | ForEach-Object { $_.Parameters['ComputerName'].Aliases } | Should -Be 'HostName', 'TargetName', 'IPAddress', 'LocalAddress'
        }
        finally { $peer.Dispose() }
    }

    It 'sends a SocketMessage as its bytes' {
        $peer = New-Peer
        try {
            $m = [SocketShell.SocketMessage]::new([byte[]](0xC3, 0x28), $null)
            $m | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port | Out-Null
            (Receive-PeerDatagram $peer).Bytes | Should -Be ([byte[]](0xC3, 0x28))
        }
        finally { $peer.Dispose() }
    }

    It 'leaves no socket open when it ends, normally or with errors' {
        $peer = New-Peer
        try {
            $before = Get-SocketCount
            if ($before -lt 0) { Set-ItResult -Skipped -Because 'no /proc/self/fd to count sockets'; return }
            'a', 'b' | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -Wait -Timeout 50ms | Out-Null
            'c' | Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -LocalPort (Get-FreeUdpPort) | Out-Null
            Send-Datagram 127.0.0.1 $peer.Client.LocalEndPoint.Port -Data ([byte[]]::new(70000)) -ErrorAction SilentlyContinue | Out-Null
            Get-SocketCount | Should -Be $before
        }
        finally { $peer.Dispose() }
    }

    It 'stops a -Wait at once on Ctrl+C and leaves no socket open' {
        $peer = New-Peer   # bound and silent: the wait would last the whole timeout
        $before = Get-SocketCount
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Send-Datagram').AddParameter('ComputerName', '127.0.0.1').AddParameter('Port', $peer.Client.LocalEndPoint.Port).
            AddParameter('Data', 'wait for me').AddParameter('Wait').AddParameter('Timeout', 120)
            $handle = $ps.BeginInvoke()
            (Receive-PeerDatagram $peer).Text | Should -Be 'wait for me'   # it has sent and is waiting
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue   # completion is signalled just after Stop returns
        }
        finally { $ps.Dispose(); $peer.Dispose() }
        if ($before -ge 0) { Wait-Until { (Get-SocketCount) -eq ($before - 1) } 5000 }   # only the peer is gone besides
    }
}
