#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:myName = (Get-Process -Id $PID).ProcessName
}

Describe 'Get-SystemSocket' -Tag CI {
    BeforeAll {
        $script:listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $script:listener.Start()
        $script:port = $script:listener.LocalEndpoint.Port
    }

    AfterAll {
        $script:listener.Stop()
        $script:listener.Dispose()
    }

    It 'finds its own listener by -LocalPort, with this process id and name' {
        $s = Get-SystemSocket -LocalPort $port -State Listen
        @($s).Count | Should -Be 1
        $s | Should -BeOfType ([SocketShell.SystemSocket])
        $s.Protocol | Should -Be 'Tcp'
        $s.AddressFamily | Should -Be 'IPv4'
        $s.LocalAddress | Should -BeExactly '127.0.0.1'
        $s.GetLocalAddress() | Should -Be ([ipaddress]::Loopback)
        $s.State | Should -Be 'Listen'
        $s.ProcessId | Should -Be $PID
        $s.ProcessName | Should -Be $myName
        $s.LocalEndPoint | Should -BeExactly "127.0.0.1:$($s.LocalPort)"
        $s.GetLocalEndPoint() | Should -BeOfType ([System.Net.IPEndPoint])
        if ($IsLinux) { $s.Inode | Should -BeGreaterThan 0 }
    }

    It 'takes the port by position and as a list or range string' {
        (Get-SystemSocket $port -Listening).LocalPort | Should -Be $port
        (Get-SystemSocket -Port "$port" -Listening).LocalPort | Should -Be $port
        (Get-SystemSocket -LocalPort "$($port - 1)-$port" -ProcessId $PID -Listening).LocalPort | Should -Be $port
    }

    It 'finds it with -Listening, -ProcessId, -ProcessName wildcards, -Protocol and -AddressFamily' {
        (Get-SystemSocket -Listening -ProcessId $PID).LocalPort | Should -Contain $port
        (Get-SystemSocket -Listening -ProcessName ($myName.Substring(0, 2) + '*')).LocalPort | Should -Contain $port
        (Get-SystemSocket -LocalPort $port -ProcessName $myName.ToUpperInvariant() -Listening).LocalPort | Should -Be $port
        Get-SystemSocket -LocalPort $port -ProcessName 'no-such-process-*' | Should -BeNullOrEmpty
        Get-SystemSocket -LocalPort $port -Protocol Udp | Should -BeNullOrEmpty
        Get-SystemSocket -LocalPort $port -AddressFamily IPv6 | Should -BeNullOrEmpty
        (Get-SystemSocket -LocalPort $port -AddressFamily IPv4 -Protocol Tcp, Udp -Listening).LocalPort | Should -Be $port
        (Get-SystemSocket -LocalPort $port -LocalAddress 127.0.0.1 -Listening).LocalPort | Should -Be $port
        Get-SystemSocket -LocalPort $port -LocalAddress 127.0.0.2 | Should -BeNullOrEmpty
    }

    It 'filters by -State, -RemotePort and -RemoteAddress and sees both ends of a connection' {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect([ipaddress]::Loopback, $port)
            $clientPort = $client.Client.LocalEndPoint.Port
            # Another process on the machine (a port scan, another test suite) may have connected to the
            # listener too: accept until the accepted socket is the other end of our own client.
            for ($i = 0; $i -lt 50; $i++) {
                $server = $listener.AcceptTcpClient()
                if ($server.Client.RemoteEndPoint.Port -eq $clientPort) { break }
                $server.Dispose()
                $server = $null
            }
            $server | Should -Not -BeNullOrEmpty
            $serverRemote = $server.Client.RemoteEndPoint.Port
            $clientEnd = Get-SystemSocket -LocalPort $clientPort -RemotePort $port -State Established
            $serverEnd = Get-SystemSocket -LocalPort $port -RemotePort $serverRemote -State Established
            @($clientEnd).Count | Should -Be 1
            @($serverEnd).Count | Should -Be 1
            $clientEnd.ProcessId | Should -Be $PID
            $serverEnd.ProcessId | Should -Be $PID
            (Get-SystemSocket -RemotePort $port -RemoteAddress 127.0.0.1 -ProcessId $PID).LocalPort | Should -Contain $clientPort
            (Get-SystemSocket -LocalPort $port -State Listen, Established -ProcessId $PID).Count | Should -BeGreaterOrEqual 2
            @(Get-SystemSocket -LocalPort $port -Listening).Count | Should -Be 1
        }
        finally {
            if ($server) { $server.Dispose() }
            $client.Dispose()
        }
    }

    It 'sees a bound UDP socket as Bound and as listening' {
        $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
        try {
            $u = Get-SystemSocket -LocalPort $udp.Client.LocalEndPoint.Port -Protocol Udp -Listening
            $u.State | Should -Be 'Bound'
            $u.ProcessId | Should -Be $PID
        }
        finally {
            $udp.Dispose()
        }
    }

    It 'binds Port by property name from the pipeline (Get-AvailablePort, custom objects)' {
        $free = Get-AvailablePort
        $free | Get-SystemSocket | Should -BeNullOrEmpty
        $l2 = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, $free.Port)
        $l2.Start()
        try {
            ($free | Get-SystemSocket).ProcessId | Should -Be $PID
            $found = [pscustomobject]@{ Port = $port }, [pscustomobject]@{ Port = $free.Port } | Get-SystemSocket -Listening
            ($found.LocalPort | Sort-Object) | Should -Be (@($port, $free.Port) | Sort-Object)
            ([pscustomobject]@{ LocalPort = $port } | Get-SystemSocket -Listening).State | Should -Be 'Listen'
            ($port, $port | Get-SystemSocket -Listening | Measure-Object).Count | Should -Be 1 -Because 'one snapshot, each socket written once'
        }
        finally {
            $l2.Stop()
            $l2.Dispose()
        }
    }

    It 'pipes its own objects back in (each by its ports)' {
        $s = Get-SystemSocket -LocalPort $port -State Listen
        $again = $s | Get-SystemSocket
        @($again).Count | Should -Be 1 -Because 'the piped object binds LocalPort and RemotePort (0)'
        $again.LocalPort | Should -Be $port
    }

    It 'no longer finds the listener after it is closed' {
        $l3 = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $l3.Start()
        $p3 = $l3.LocalEndpoint.Port
        (Get-SystemSocket -LocalPort $p3).State | Should -Be 'Listen'
        $l3.Stop()
        $l3.Dispose()
        Get-SystemSocket -LocalPort $p3 | Should -BeNullOrEmpty
    }

    It 'says in -Verbose how it read the table' {
        $v = Get-SystemSocket -LocalPort $port -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $v[0].Message | Should -Match 'sockets from'
    }

    It 'formats as a table with local and remote endpoints' {
        $text = Get-SystemSocket -LocalPort $port -Listening | Out-String -Width 200
        $text | Should -Match "127\.0\.0\.1:$port"
        $text | Should -Match 'Listen'
        $text | Should -Match "\b$PID\b"
    }

    It 'completes -ProcessName with the names of running processes' {
        $line = 'Get-SystemSocket -ProcessName ' + $myName.Substring(0, 2)
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Contain $myName
    }

    It 'refuses bad ports, states, families and ids with stable ErrorIds' {
        { Get-SystemSocket -LocalPort 70000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -RemotePort 'http' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -State Sleeping -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -AddressFamily IPv5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -Protocol Sctp -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -ProcessId -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -LocalAddress 'not-an-address' -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SocketShell.Commands.GetSystemSocketCommand'
        { Get-SystemSocket -ProcessName '' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.GetSystemSocketCommand'
    }

    It 'stops at once on Ctrl+C' {
        $ps = New-TestPowerShell
        try {
            # One script (a stop between two statements can be lost), which says when its loop started.
            $null = $ps.AddScript("'started'; while (`$true) { Get-SystemSocket | Out-Null }")
            $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $in.Complete()
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $null = $ps.BeginInvoke($in, $out)
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ($out.Count -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $out.Count | Should -Be 1 -Because 'the loop calling Get-SystemSocket is running'
            $stop = $ps.BeginStop($null, $null)
            $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(5)) | Should -BeTrue -Because 'Ctrl+C stops it at once'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            if ($ps.InvocationStateInfo.State -ne 'Running') { $ps.Dispose() }
        }
    }
}
