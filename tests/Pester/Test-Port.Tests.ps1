#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # A port that refuses: bound (nobody else gets it) but not listening.
    function New-ClosedPort([ipaddress] $Address = [ipaddress]::Loopback) {
        $s = [System.Net.Sockets.Socket]::new($Address.AddressFamily, 'Stream', 'Tcp')
        $s.Bind([System.Net.IPEndPoint]::new($Address, 0))
        $s
    }

    function New-OpenPort([ipaddress] $Address = [ipaddress]::Loopback) {
        $s = New-ClosedPort $Address
        $s.Listen(64)
        $s
    }

    # A port that never answers: backlog 1, never accepted, filled until a handshake stalls.
    function New-StalledPort {
        $listener = New-ClosedPort
        $listener.Listen(1)
        $fillers = [System.Collections.Generic.List[System.Net.Sockets.Socket]]::new()
        for ($i = 0; $i -lt 32; $i++) {
            $c = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
            $fillers.Add($c)
            $task = $c.ConnectAsync($listener.LocalEndPoint)
            if (-not $task.Wait(300)) {
                # It may only be slow to be told (a loaded machine): a few more make sure the queue is full.
                for ($j = 0; $j -lt 3; $j++) {
                    $more = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
                    $fillers.Add($more)
                    $null = $more.ConnectAsync($listener.LocalEndPoint)
                }
                return [pscustomobject]@{ Listener = $listener; Fillers = $fillers; Port = $listener.LocalEndPoint.Port }
            }
        }
        throw 'A full accept backlog did not stall a handshake on this host.'
    }

    function Remove-StalledPort($Stalled) {
        foreach ($c in $Stalled.Fillers) { $c.Dispose() }
        $Stalled.Listener.Dispose()
    }

    $script:open = New-OpenPort
    $script:openPort = $script:open.LocalEndPoint.Port
    $script:closed = New-ClosedPort
    $script:closedPort = $script:closed.LocalEndPoint.Port
}

AfterAll {
    $script:open.Dispose()
    $script:closed.Dispose()
}

Describe 'Test-Port' -Tag CI {
    It 'reports open and closed ports on 127.0.0.1 as SocketShell.PortStatus objects' {
        $r = Test-Port -ComputerName 127.0.0.1 -Port $openPort, $closedPort
        $r | Should -HaveCount 2
        $r | Should -BeOfType ([SocketShell.PortStatus])
        $o = $r | Where-Object Port -EQ $openPort
        $c = $r | Where-Object Port -EQ $closedPort
        $o.Status | Should -Be 'Open'
        $o.Open | Should -BeTrue
        $o.RemoteAddress | Should -BeExactly '127.0.0.1'
        $o.GetRemoteAddress() | Should -Be ([ipaddress]::Loopback)
        $o.Latency | Should -BeOfType ([timespan])
        $c.Status | Should -Be 'Closed'
        $c.Open | Should -BeFalse
    }

    It 'reports open and closed ports on ::1' {
        $o6 = New-OpenPort ([ipaddress]::IPv6Loopback)
        $c6 = New-ClosedPort ([ipaddress]::IPv6Loopback)
        try {
            (Test-Port ::1 $o6.LocalEndPoint.Port).Status | Should -Be 'Open'
            (Test-Port ::1 $c6.LocalEndPoint.Port).Status | Should -Be 'Closed'
        }
        finally { $o6.Dispose(); $c6.Dispose() }
    }

    It 'finds a service on localhost whichever family localhost resolves to' {
        $last = @([System.Net.Dns]::GetHostAddresses('localhost'))[-1]
        $s = New-OpenPort $last
        try {
            $r = Test-Port localhost $s.LocalEndPoint.Port
            $r.Status | Should -Be 'Open'
            $r.GetRemoteAddress() | Should -Be $last
        }
        finally { $s.Dispose() }
    }

    It 'takes port lists as numbers, ranges, and strings' {
        (Test-Port 127.0.0.1 1..20) | Should -HaveCount 20
        (Test-Port 127.0.0.1 '1..20') | Should -HaveCount 20
        $r = Test-Port 127.0.0.1 "$openPort,$closedPort,40000-40002"
        $r | Should -HaveCount 5
        ($r | Where-Object Open).Port | Should -Be $openPort
    }

    It 'takes ComputerName from the pipeline by value' {
        $r = '127.0.0.1', '::1' | Test-Port -Port $openPort
        $r | Should -HaveCount 2
        ($r | Where-Object ComputerName -EQ '127.0.0.1').Status | Should -Be 'Open'
    }

    It 'takes ComputerName and Port by property name, as from Import-Csv' {
        $csv = Join-Path $TestDrive 'hosts.csv'
        @"
HostName,Port
127.0.0.1,$openPort
127.0.0.1,"$closedPort,$openPort"
"@ | Set-Content -Path $csv
        $r = Import-Csv $csv | Test-Port
        $r | Should -HaveCount 3
        @($r | Where-Object Open) | Should -HaveCount 2

        $byHost = Import-Csv $csv | Select-Object HostName | Test-Port -Port $closedPort
        $byHost | Should -HaveCount 2
        $byHost.Status | Should -Be @('Closed', 'Closed')
    }

    It 'binds piped hosts with -Quiet or -Wait alone, as from a string or Import-Csv (issue 10)' {
        '127.0.0.1' | Test-Port -Port $openPort -Quiet | Should -BeTrue
        ('127.0.0.1' | Test-Port -Port $openPort -Wait -WaitTimeout 5).Status | Should -Be 'Open'
        '127.0.0.1' | Test-Port -Port $openPort -Wait -Quiet -WaitTimeout 5 | Should -BeTrue
        $csv = Join-Path ([IO.Path]::GetTempPath()) "ss-hosts-$([guid]::NewGuid()).csv"
        try {
            "ComputerName`n127.0.0.1`n127.0.0.1" | Set-Content $csv
            Import-Csv $csv | Test-Port -Port $openPort, $closedPort -Quiet | Should -Be @($true, $false, $true, $false)
            (Import-Csv $csv | Test-Port -Port $openPort -Wait -WaitTimeout 5).Status | Should -Be @('Open', 'Open')
        }
        finally { Remove-Item $csv -ErrorAction SilentlyContinue }
    }

    It 'probes Get-SystemSocket -Listening sockets piped in (a wildcard address on loopback)' -Skip:(-not $IsLinux) {
        $any = [System.Net.Sockets.TcpListener]::new([ipaddress]::Any, 0)
        $any.Start()
        try {
            $p = $any.LocalEndpoint.Port
            $r = Get-SystemSocket -Listening -LocalPort $p -Protocol Tcp | Test-Port
            $r | Should -HaveCount 1
            $r.ComputerName | Should -Be '127.0.0.1'
            $r.Port | Should -Be $p
            $r.Status | Should -Be 'Open'
        }
        finally { $any.Stop() }
    }

    It 'refuses -Quiet with -Open or -AllAddresses as ParameterConflict' {
        { Test-Port 127.0.0.1 $openPort -Quiet -Open -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
        { Test-Port 127.0.0.1 $openPort -Quiet -AllAddresses -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
    }

    It 'writes only open results with -Open' {
        $r = Test-Port 127.0.0.1 $closedPort, $openPort, $closedPort -Open
        $r | Should -HaveCount 1
        $r.Port | Should -Be $openPort
    }

    It 'answers -Quiet with one bool per host and port, in input order' {
        $q = Test-Port 127.0.0.1, '::1' $closedPort, $openPort -Quiet
        $q | Should -Be @($false, $true, $false, $false)
        $q | Should -BeOfType ([bool])
        if (Test-Port 127.0.0.1 $openPort -Quiet) { $reached = $true } else { $reached = $false }
        $reached | Should -BeTrue
        if (Test-Port 127.0.0.1 $closedPort -Quiet) { $reached = $true } else { $reached = $false }
        $reached | Should -BeFalse
    }

    It 'times a silent port out after -Timeout' {
        $stalled = New-StalledPort
        try {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Test-Port 127.0.0.1 $stalled.Port -Timeout 500ms
            $sw.Stop()
            $r.Status | Should -Be 'TimedOut'
            $r.Latency | Should -BeNullOrEmpty
            $sw.Elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 500
        }
        finally { Remove-StalledPort $stalled }
    }

    It 'gives HostNotFound results and one HostNotFound error per name' {
        # An IPv4 literal asked for as IPv6: no DNS query is made.
        $r = Test-Port 127.0.0.1 80, 443 -AddressFamily IPv6 -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -HaveCount 2
        $r.Status | Should -Be @('HostNotFound', 'HostNotFound')
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'HostNotFound,SocketShell.Commands.TestPortCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be '127.0.0.1'
        { Test-Port 127.0.0.1 80 -AddressFamily IPv6 -ErrorAction Stop } |
            Should -Throw -ErrorId 'HostNotFound,SocketShell.Commands.TestPortCommand'
    }

    It 'probes every address with -AllAddresses' {
        $r = Test-Port 127.0.0.1, '::1' $openPort -AllAddresses
        $r | Should -HaveCount 2
    }

    It 'refuses bad ports and timeouts at binding' {
        { Test-Port 127.0.0.1 70000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.TestPortCommand'
        { Test-Port 127.0.0.1 'http' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.TestPortCommand'
        { Test-Port 127.0.0.1 80 -Timeout 'soon' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.TestPortCommand'
        { Test-Port ' ' 80 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidComputerName,SocketShell.Commands.TestPortCommand'
        { Test-Port 127.0.0.1 80 -ThrottleLimit 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.TestPortCommand'
    }

    It 'with -Wait, returns Open once a listener starts after the first failed attempt' {
        $s = New-ClosedPort
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Test-Port').AddParameter('ComputerName', '127.0.0.1').AddParameter('Port', $s.LocalEndPoint.Port).
                AddParameter('Wait').AddParameter('WaitTimeout', '30s').AddParameter('Verbose')
            $async = $ps.BeginInvoke()
            # Each failed attempt is a verbose record: start the service after the first one.
            for ($i = 0; $i -lt 400 -and $ps.Streams.Verbose.Count -eq 0 -and -not $async.IsCompleted; $i++) { Start-Sleep -Milliseconds 25 }
            $ps.Streams.Verbose.Count | Should -BeGreaterThan 0
            $s.Listen(16)
            $async.AsyncWaitHandle.WaitOne([timespan]'00:00:20') | Should -BeTrue
            $r = $ps.EndInvoke($async)
            $r | Should -HaveCount 1
            $r[0].Status | Should -Be 'Open'
            $ps.Streams.Error | Should -HaveCount 0
        }
        finally { $ps.Dispose(); $s.Dispose() }
    }

    It 'with -Wait, ends with the last result and a WaitTimeout error when the port never opens' {
        $r = Test-Port 127.0.0.1 $closedPort -Wait -WaitTimeout 600ms -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Closed'
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WaitTimeout,SocketShell.Commands.TestPortCommand'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        { Test-Port 127.0.0.1 $closedPort -Wait -WaitTimeout 300ms -ErrorAction Stop } |
            Should -Throw -ErrorId 'WaitTimeout,SocketShell.Commands.TestPortCommand'
        Test-Port 127.0.0.1 $closedPort -Wait -WaitTimeout 300ms -Quiet | Should -BeFalse
        Test-Port 127.0.0.1 $openPort -Wait -Quiet | Should -BeTrue
    }

    It 'sweeps 1..65535 with every port accounted for exactly once' {
        $before = Get-SocketCount
        $r = Test-Port 127.0.0.1 1..65535
        $r | Should -HaveCount 65535
        ($r.Port | Sort-Object -Unique) | Should -HaveCount 65535
        ($r | Where-Object Port -EQ $openPort).Status | Should -Be 'Open'
        ($r | Where-Object Port -EQ $closedPort).Status | Should -Be 'Closed'
        Get-SocketCount | Should -Be $before
    }

    It 'stops every in-flight probe at once on Ctrl+C (Stop) and leaves no socket open' {
        $stalled = New-StalledPort
        $before = Get-SocketCount
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Test-Port').AddParameter('ComputerName', '127.0.0.1').
                AddParameter('Port', [int[]](@($stalled.Port) * 2000)).AddParameter('Timeout', 60).AddParameter('ThrottleLimit', 100)
            $async = $ps.BeginInvoke()
            # More than 1,000 probes: a progress record says the sweep is under way.
            for ($i = 0; $i -lt 400 -and $ps.Streams.Progress.Count -eq 0; $i++) { Start-Sleep -Milliseconds 25 }
            $ps.Streams.Progress.Count | Should -BeGreaterThan 0
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $ps.Dispose()
            Wait-Until { (Get-SocketCount) -eq $before } 5000
        }
        finally {
            $ps.Dispose()
            Remove-StalledPort $stalled
        }
    }

    It 'stops a -Wait at once on Ctrl+C (Stop)' {
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Test-Port').AddParameter('ComputerName', '127.0.0.1').AddParameter('Port', $closedPort).
                AddParameter('Wait').AddParameter('WaitTimeout', 120).AddParameter('Verbose')
            $async = $ps.BeginInvoke()
            for ($i = 0; $i -lt 400 -and $ps.Streams.Verbose.Count -eq 0; $i++) { Start-Sleep -Milliseconds 25 }
            $ps.Streams.Verbose.Count | Should -BeGreaterThan 0
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
    }

    It 'answers -Quiet with $false and no error for a name that does not resolve' {
        $q = Test-Port 127.0.0.1 80, 443 -AddressFamily IPv6 -Quiet -ErrorVariable err
        $q | Should -Be @($false, $false)
        $err | Should -HaveCount 0
    }

    It 'shows one progress record for a sweep of more than 1,000 probes, completed at the end' {
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Test-Port').AddParameter('ComputerName', '127.0.0.1').AddParameter('Port', '40001-42000').AddParameter('Open')
            $null = $ps.Invoke()
            $ps.Streams.Progress.Count | Should -BeGreaterThan 0
            @($ps.Streams.Progress.ActivityId | Sort-Object -Unique) | Should -HaveCount 1
            $ps.Streams.Progress[-1].RecordType | Should -Be 'Completed'
            $ps.Streams.Progress[0].StatusDescription | Should -Match 'open'
        }
        finally { $ps.Dispose() }
    }

    Context 'TLS (-Tls)' {
        BeforeAll {
            # A self-signed certificate made here (CertificateRequest), for a TLS listener on loopback.
            $key = [System.Security.Cryptography.RSA]::Create(2048)
            $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=probe.test', $key,
                [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $made = $req.CreateSelfSigned([datetimeoffset]::UtcNow.AddMinutes(-5), [datetimeoffset]::UtcNow.AddDays(45))
            $script:cert = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12($made.Export('Pfx'), $null)
            $made.Dispose(); $key.Dispose()
            $script:tls = Start-SocketListener -Port 0 -Certificate $script:cert -Banner "220 tls ready`r`n"
            $script:plain = Start-SocketListener -Port 0 -Banner "SSH-2.0-Pester`r`n"
            $script:silent = Start-SocketListener -Port 0
        }
        AfterAll {
            $script:tls, $script:plain, $script:silent | Stop-SocketListener
            $script:cert.Dispose()
        }

        It 'reports the certificate, its expiry (NotAfter) and why it does not validate, with Status Open' {
            $r = Test-Port 127.0.0.1 $tls.Port -Tls -ServerName probe.test -ErrorVariable err
            $err | Should -HaveCount 0
            $r.Status | Should -Be 'Open'
            $r.GetCertificate() | Should -BeOfType ([System.Security.Cryptography.X509Certificates.X509Certificate2])
            $r.CertificateThumbprint | Should -Be $cert.Thumbprint
            # Rule 5: JSON and CSV carry the certificate's facts, never the certificate object.
            $json = $r | ConvertTo-Json -Depth 4
            $json | Should -Not -Match '"RawData"|"PublicKey"|"Extensions"|"IsIPv6Teredo"'
            $json | Should -Match ('"CertificateThumbprint":\s*"' + $cert.Thumbprint + '"')
            ($r | ConvertTo-Csv | ConvertFrom-Csv).Subject | Should -Be 'CN=probe.test'
            $r.CertificateExpires | Should -Be ([datetimeoffset]$cert.NotAfter.ToUniversalTime())
            $r.CertificateDaysLeft | Should -BeIn 44, 45
            $r.Subject | Should -Be 'CN=probe.test'
            $r.CertificateValid | Should -BeFalse
            $r.CertificateError | Should -Match 'chain does not validate'
            $r.TlsProtocol | Should -BeIn 'Tls12', 'Tls13'
            $r.CipherSuite | Should -Not -BeNullOrEmpty
            $r.TlsError | Should -BeNullOrEmpty
        }

        It 'shows -Tls results in their own view: host, port, days left, valid, subject' {
            $r = Test-Port 127.0.0.1 $tls.Port -Tls
            $r.PSObject.TypeNames[0] | Should -Be 'SocketShell.PortStatus#Tls'
            $r.PSObject.TypeNames | Should -Contain 'SocketShell.PortStatus'
            $text = $r | Out-String
            $text | Should -Match 'DaysLeft'
            $text | Should -Match 'Valid'
            $text | Should -Match 'CN=probe.test'
        }

        It 'formats a deserialized -Tls result (Import-Clixml, jobs, remoting) with the same view' {
            $file = Join-Path $TestDrive 'tls.clixml'
            Test-Port 127.0.0.1 $tls.Port -Tls | Export-Clixml $file
            $copy = Import-Clixml $file
            $copy.PSObject.TypeNames[0] | Should -Be 'Deserialized.SocketShell.PortStatus#Tls'
            $text = $copy | Out-String
            $text | Should -Match 'DaysLeft'
            $text | Should -Match 'CN=probe.test'
        }

        It 'keeps a port that does not speak TLS Open, with the TLS failure recorded' {
            $r = Test-Port 127.0.0.1 $plain.Port -Tls
            $r.Status | Should -Be 'Open'
            $r.TlsError | Should -Not -BeNullOrEmpty
            $r.GetCertificate() | Should -BeNullOrEmpty
            $r.CertificateThumbprint | Should -BeNullOrEmpty
            ($r | Out-String) | Should -Match 'TLS failed'
        }

        It 'ends a handshake nobody answers after -TlsTimeout, still Open' {
            $r = Test-Port 127.0.0.1 $silent.Port -Tls -TlsTimeout 300ms
            $r.Status | Should -Be 'Open'
            $r.TlsError | Should -Match 'did not finish within 0.3 s'
        }

        It 'reads the banner inside TLS with -ReadBanner' {
            (Test-Port 127.0.0.1 $tls.Port -Tls -ReadBanner).Banner | Should -Be '220 tls ready'
        }

        It 'binds piped hosts with -Tls alone, with -Wait, and UDP with -Quiet' {
            @('127.0.0.1' | Test-Port -Port $tls.Port -Tls).CertificateThumbprint | Should -Be $cert.Thumbprint
            @('127.0.0.1' | Test-Port -Port $tls.Port -Tls -Wait -WaitTimeout 5s).Status | Should -Be 'Open'
            '127.0.0.1' | Test-Port -Port (Get-FreeUdpPort) -Protocol Udp -Quiet | Should -BeFalse
            @('127.0.0.1' | Test-Port -Port $tls.Port -Count 2 -Interval 0).Attempt | Should -Be @(1, 2)
        }

        It 'combines with many hosts and ports from the pipeline, and -Open' {
            $closed = New-ClosedPort
            try {
                $r = '127.0.0.1', 'localhost' | Test-Port -Port $tls.Port, $closed.LocalEndPoint.Port -Tls -Open
                $r | Should -HaveCount 2
                $r.CertificateThumbprint | Should -Be @($cert.Thumbprint, $cert.Thumbprint)
            }
            finally { $closed.Dispose() }
        }

        It 'combines with -Wait: the certificate of a port once it is open' {
            $r = Test-Port 127.0.0.1 $tls.Port -Wait -WaitTimeout 10s -Tls
            $r.Status | Should -Be 'Open'
            $r.CertificateThumbprint | Should -Be $cert.Thumbprint
        }

        It 'refuses TLS options without -Tls, and TCP-only options with -Protocol Udp' {
            { Test-Port 127.0.0.1 $tls.Port -ServerName x -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Protocol Udp -Tls -ErrorAction Stop } |
                Should -Throw -ErrorId 'TcpOnlyParameter,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Protocol Udp -ReadBanner -ErrorAction Stop } |
                Should -Throw -ErrorId 'TcpOnlyParameter,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Payload 'x' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Tls -Quiet -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Send 'x' -Quiet -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Tls -Send @{ a = 1 } -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidPayload,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $tls.Port -Tls -Count 2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,SocketShell.Commands.TestPortCommand'
        }
    }

    Context 'Banners (-ReadBanner, -Send)' {
        It 'reads a listener banner, and gives an empty banner for a silent listener that is still Open' {
            $talking = Start-SocketListener -Port 0 -Banner "SSH-2.0-Pester_1.0`r`n"
            $quiet = Start-SocketListener -Port 0
            try {
                $r = Test-Port 127.0.0.1 $talking.Port -ReadBanner
                $r.Status | Should -Be 'Open'
                $r.Banner | Should -Be 'SSH-2.0-Pester_1.0'
                $r.PSObject.TypeNames[0] | Should -Be 'SocketShell.PortStatus#Banner'
                ($r | Out-String) | Should -Match 'SSH-2.0-Pester_1.0'

                $q = Test-Port 127.0.0.1 $quiet.Port -ReadBanner -Timeout 300ms
                $q.Status | Should -Be 'Open'
                $q.Banner | Should -BeExactly ''
            }
            finally { $talking, $quiet | Stop-SocketListener }
        }

        It 'sends -Send first and reads the answer' {
            $echo = Start-SocketListener -Port 0 -Mode Echo
            try {
                (Test-Port 127.0.0.1 $echo.Port -Send "PING`n").Banner | Should -Be 'PING'
                (Test-Port 127.0.0.1 $echo.Port -Send ([byte[]](0x41, 0x42, 0x0a))).BannerBytes | Should -Be @(0x41, 0x42, 0x0a)
            }
            finally { $echo | Stop-SocketListener }
        }
    }

    Context 'Latency series (-Count, -Continuous)' {
        It '-Count 5 gives 5 results with Attempt 1..5, microsecond latencies, and leaves no socket open' {
            $before = Get-SocketCount
            $r = Test-Port 127.0.0.1 $openPort -Count 5 -Interval 0.02
            $r | Should -HaveCount 5
            $r.Attempt | Should -Be @(1, 2, 3, 4, 5)
            $r.Status | Should -Be @('Open', 'Open', 'Open', 'Open', 'Open')
            $r | ForEach-Object { $_.LatencyMs | Should -Be ([math]::Round($_.Latency.Ticks / 10000.0, 3)) }
            $r[0].PSObject.TypeNames[0] | Should -Be 'SocketShell.PortStatus#Series'
            ($r | Measure-Object LatencyMs -Average -Maximum).Count | Should -Be 5
            # The listener's queue holds the 5 connections, already reset by the probes: drain it.
            for ($i = 0; $i -lt 5; $i++) { $open.Accept().Dispose() }
            Wait-Until { (Get-SocketCount) -eq $before } 5000
        }

        It 'gives one result per attempt for every host and port, closed ones included' {
            $r = Test-Port 127.0.0.1 $closedPort, $closedPort -Count 3 -Interval 0
            $r | Should -HaveCount 6
            ($r.Attempt | Sort-Object) | Should -Be @(1, 1, 2, 2, 3, 3)
            $r.Status | Sort-Object -Unique | Should -Be 'Closed'
        }

        It '-Continuous streams results until the pipeline is stopped (Ctrl+C), then closes every socket' {
            $before = Get-SocketCount
            $ps = New-TestPowerShell
            try {
                $null = $ps.AddCommand('Test-Port').AddParameter('ComputerName', '127.0.0.1').AddParameter('Port', $closedPort).
                    AddParameter('Continuous').AddParameter('Interval', 0.05)
                $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
                $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]] $null, $out)
                Wait-Until { $out.Count -ge 3 -or $async.IsCompleted } 10000
                $async.IsCompleted | Should -BeFalse
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                $out.Attempt[0..2] | Should -Be @(1, 2, 3)
                $ps.Dispose()
                Wait-Until { (Get-SocketCount) -eq $before } 5000
            }
            finally { $ps.Dispose() }
        }

        It 'refuses -Path (a Unix socket probe) with the TCP/UDP probe switches (parameter sets)' {
            $sock = Join-Path $TestDrive 'cross.sock'
            foreach ($extra in @(@{ Tls = $true }, @{ ReadBanner = $true }, @{ Send = 'x' }, @{ Count = 2 }, @{ Continuous = $true }, @{ Protocol = 'Udp' }, @{ Payload = 'x' })) {
                { Test-Port -Path $sock @extra -ErrorAction Stop } |
                    Should -Throw -ErrorId 'AmbiguousParameterSet,SocketShell.Commands.TestPortCommand'
            }
        }

        It 'refuses -Count with -Wait or -Quiet (parameter sets)' {
            { Test-Port 127.0.0.1 $openPort -Count 2 -Wait -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $openPort -Count 2 -Quiet -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet,SocketShell.Commands.TestPortCommand'
            { Test-Port 127.0.0.1 $openPort -Count 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.TestPortCommand'
        }
    }

    Context 'UDP (-Protocol Udp)' {
        It 'reports an echo listener Open with its reply' {
            $echo = Start-SocketListener -Port 0 -Protocol Udp -Mode Echo
            try {
                $r = Test-Port 127.0.0.1 $echo.Port -Protocol Udp -Payload 'hello'
                $r.Status | Should -Be 'Open'
                $r.Protocol | Should -Be 'Udp'
                $r.Banner | Should -Be 'hello'
                $r.PSObject.TypeNames[0] | Should -Be 'SocketShell.PortStatus#Udp'
                Test-Port 127.0.0.1 $echo.Port -Protocol Udp -Payload 'x' -Quiet | Should -BeTrue
            }
            finally { $echo | Stop-SocketListener }
        }

        It 'reports a closed UDP port Closed, from the ICMP port unreachable' {
            $port = Get-FreeUdpPort
            $r = Test-Port 127.0.0.1 $port -Protocol Udp -Timeout 30
            $r.Status | Should -Be 'Closed'
            $r.Latency | Should -Not -BeNullOrEmpty
            Test-Port 127.0.0.1 $port -Protocol Udp -Quiet | Should -BeFalse
        }

        It 'reports 200 closed UDP ports in one sweep all Closed, never OpenOrFiltered' {
            $before = Get-SocketCount
            $ports = [System.Collections.Generic.HashSet[int]]::new()
            while ($ports.Count -lt 200) { $null = $ports.Add((Get-FreeUdpPort)) }
            $r = Test-Port 127.0.0.1 ([int[]]@($ports)) -Protocol Udp -Timeout 5
            $r | Should -HaveCount 200
            $r.Status | Sort-Object -Unique | Should -Be 'Closed'
            Wait-Until { (Get-SocketCount) -eq $before } 5000
        }

        It 'takes hosts from the pipeline and probes every address with -AllAddresses' {
            $port = Get-FreeUdpPort
            $r = '127.0.0.1', '::1' | Test-Port -Port $port -Protocol Udp
            $r | Should -HaveCount 2
            $r.Status | Should -Be @('Closed', 'Closed')
            $all = @(Test-Port localhost $port -Protocol Udp -AllAddresses)
            $all.Status | Sort-Object -Unique | Should -Be 'Closed'
            @($all.RemoteAddress | Sort-Object -Unique).Count | Should -Be $all.Count
        }

        It 'reports a port that never answers OpenOrFiltered after a retry round' {
            $mute = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
            try {
                $r = Test-Port 127.0.0.1 $mute.Client.LocalEndPoint.Port -Protocol Udp -Timeout 200ms
                $r.Status | Should -Be 'OpenOrFiltered'
                Test-Port 127.0.0.1 $mute.Client.LocalEndPoint.Port -Protocol Udp -Timeout 200ms -Open | Should -BeNullOrEmpty
            }
            finally { $mute.Dispose() }
        }
    }
}
