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
        $o.RemoteAddress | Should -Be ([ipaddress]::Loopback)
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
            $r.RemoteAddress | Should -Be $last
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
}
