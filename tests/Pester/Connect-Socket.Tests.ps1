#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'ClientPeer.ps1')
}

Describe 'Connect-Socket' -Tag CI {
    BeforeAll {
        $listener = New-TestListener
        $port = $listener.LocalEndpoint.Port
    }

    AfterAll {
        Get-Socket | Disconnect-Socket
        $listener.Stop()
        $listener.Dispose()
    }

    It 'returns a live SocketConnection to an IPv4 listener' {
        $c = Connect-Socket -ComputerName 127.0.0.1 -Port $port
        $server = Wait-TestAccept $listener $c
        try {
            $c | Should -BeOfType ([SocketShell.SocketConnection])
            $c.State | Should -Be 'Open'
            $c.ComputerName | Should -Be '127.0.0.1'
            $c.RemoteEndPoint | Should -Be "127.0.0.1:$port"
            $c.GetRemoteEndPoint() | Should -Be ([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port))
            $c.GetLocalEndPoint() | Should -Be $server.RemoteEndPoint
            $c.LocalEndPoint | Should -Be $server.RemoteEndPoint.ToString()
            $c.ConnectTime | Should -BeOfType ([timespan])
            $c.ConnectTime | Should -BeGreaterThan ([timespan]::Zero)
            $c.ConnectedAt | Should -BeOfType ([datetimeoffset])
            $c.IsTls | Should -BeFalse
            $c.Id | Should -BeGreaterThan 0
            (Get-Socket -Id $c.Id) | Should -Be $c
        }
        finally { Disconnect-Socket $c; $server.Dispose() }
    }

    It 'connects to localhost and to ::1' {
        $c = Connect-Socket localhost $port
        $s1 = Wait-TestAccept $listener $c
        $c.ComputerName | Should -Be 'localhost'
        [ipaddress]::IsLoopback($c.GetRemoteAddress()) | Should -BeTrue

        $v6 = New-TestListener -Address ([ipaddress]::IPv6Loopback)
        try {
            $c6 = Connect-Socket ::1 $v6.LocalEndpoint.Port -AddressFamily IPv6
            $s2 = Wait-TestAccept $v6 $c6
            $c6.GetRemoteEndPoint().AddressFamily | Should -Be 'InterNetworkV6'
            $c6.RemoteEndPoint | Should -Match '^\[::1\]:\d+$'
            Disconnect-Socket $c6
            $s2.Dispose()
        }
        finally { $v6.Stop(); $v6.Dispose() }
        Disconnect-Socket $c
        $s1.Dispose()
    }

    It 'sets -NoDelay and -KeepAlive without complaint, and warns about TLS options without -UseTls' {
        $c = Connect-Socket 127.0.0.1 $port -NoDelay -KeepAlive -SkipCertificateCheck -WarningVariable w -WarningAction SilentlyContinue
        $s = Wait-TestAccept $listener $c
        $c.State | Should -Be 'Open'
        $w | Should -Not -BeNullOrEmpty
        Disconnect-Socket $c
        $s.Dispose()
    }

    It 'is a ConnectionRefused error, target host:port, for a closed port' {
        $closed = Get-ClosedPort
        { Connect-Socket 127.0.0.1 $closed -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionRefused,SocketShell.Commands.ConnectSocketCommand'
        $null = Connect-Socket 127.0.0.1 $closed -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].TargetObject | Should -Be "127.0.0.1:$closed"
    }

    It 'is a ConnectTimeout error when the handshake stalls, after -Timeout' {
        $stalled = New-StalledListener
        try {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $null = Connect-Socket 127.0.0.1 $stalled.Port -Timeout 0.3 -ErrorAction SilentlyContinue -ErrorVariable err
            $sw.Stop()
            $err[0].FullyQualifiedErrorId | Should -Be 'ConnectTimeout,SocketShell.Commands.ConnectSocketCommand'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $sw.ElapsedMilliseconds | Should -BeGreaterOrEqual 250
        }
        finally { $stalled.Dispose() }
    }

    It 'is a HostNotFound error when nothing of the family resolves' {
        { Connect-Socket 127.0.0.1 80 -AddressFamily IPv6 -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,SocketShell.Commands.ConnectSocketCommand'
        $null = Connect-Socket 127.0.0.1 80 -AddressFamily IPv6 -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'gives each piped target its own connection or error, by property name and alias' {
        $closed = Get-ClosedPort
        $targets = @(
            [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $port }
            [pscustomobject]@{ HostName = '127.0.0.1'; Port = $closed }
            [pscustomobject]@{ IPAddress = 'localhost'; Port = $port }
        )
        $got = $targets | Connect-Socket -ErrorAction SilentlyContinue -ErrorVariable err
        $a = Wait-TestAccept $listener $got[0]
        $b = Wait-TestAccept $listener $got[1]
        try {
            @($got).Count | Should -Be 2
            $got.ComputerName | Should -Be @('127.0.0.1', 'localhost')
            @($err).Count | Should -Be 1
            $err[0].TargetObject | Should -Be "127.0.0.1:$closed"
        }
        finally { $got | Disconnect-Socket; $a.Dispose(); $b.Dispose() }
    }

    It 'validates its parameters' {
        { Connect-Socket 127.0.0.1 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ConnectSocketCommand'
        { Connect-Socket 127.0.0.1 70000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ConnectSocketCommand'
        { Connect-Socket 127.0.0.1 80 -Timeout 'soon' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ConnectSocketCommand'
        { Connect-Socket '' 80 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ConnectSocketCommand'
    }

    Context 'TLS' {
        BeforeAll {
            $cert = New-TestCertificate
        }

        AfterAll { $cert.Dispose() }

        It 'refuses an untrusted certificate with TlsHandshakeFailed naming the problem' {
            $server = Start-TestTlsServer $listener $cert
            try {
                $null = Connect-Socket 127.0.0.1 $port -UseTls -Timeout 20 -ErrorAction SilentlyContinue -ErrorVariable err
                $err[0].FullyQualifiedErrorId | Should -Be 'TlsHandshakeFailed,SocketShell.Commands.ConnectSocketCommand'
                $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
                $err[0].Exception.Message | Should -Match 'RemoteCertificateChainErrors'
                $err[0].TargetObject | Should -Be "127.0.0.1:$port"
                $server.Handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
            }
            finally { $server.PowerShell.Dispose() }
        }

        It 'reports a name mismatch for -ServerName the certificate does not carry' {
            $server = Start-TestTlsServer $listener $cert
            try {
                $null = Connect-Socket 127.0.0.1 $port -UseTls -ServerName other.test -Timeout 20 -ErrorAction SilentlyContinue -ErrorVariable err
                $err[0].Exception.Message | Should -Match 'RemoteCertificateNameMismatch'
                $server.Handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
            }
            finally { $server.PowerShell.Dispose() }
        }

        It 'connects with -SkipCertificateCheck and describes the TLS session' {
            $server = Start-TestTlsServer $listener $cert
            try {
                $c = Connect-Socket localhost $port -UseTls -SkipCertificateCheck -Timeout 20
                $c.IsTls | Should -BeTrue
                $c.TlsProtocol | Should -BeIn @('Tls12', 'Tls13')
                $c.CipherSuite | Should -Not -BeNullOrEmpty
                $c.GetRemoteCertificate().Thumbprint | Should -Be $cert.Thumbprint
                $c.CertificateThumbprint | Should -Be $cert.Thumbprint
                $c.CertificateSubject | Should -Be $cert.Subject
                ($c | ConvertTo-Json -Depth 4) | Should -Not -Match '"RawData"|"PublicKey"|"IsIPv6Teredo"'
                $c.CertificateExpires | Should -Be ([datetimeoffset]$cert.NotAfter)
                'hi' | Send-SocketData $c
                Wait-Until { $c.BytesReceived -ge 9 }
                Disconnect-Socket $c
                $server.Handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
                $server.PowerShell.EndInvoke($server.Handle) | Should -Be 'served'
                $c.BytesReceived | Should -Be 9
            }
            finally { $server.PowerShell.Dispose() }
        }
    }

    It 'stops at once on Ctrl+C and leaves no socket open' {
        $stalled = New-StalledListener
        $before = Get-SocketCount
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddScript({
                param($Port)
                Connect-Socket 127.0.0.1 $Port -Timeout 60
            }).AddArgument($stalled.Port)
            $handle = $ps.BeginInvoke()
            Wait-Until { $ps.InvocationStateInfo.State -eq 'Running' }
            Wait-Until { (Get-SocketCount) -gt $before } 10000
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 5000
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $handle.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue   # completion is signalled just after Stop returns
            Wait-Until { (Get-SocketCount) -eq $before }
            Get-Socket | Where-Object { $_.GetRemoteEndPoint().Port -eq $stalled.Port } | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose(); $stalled.Dispose() }
    }
}
