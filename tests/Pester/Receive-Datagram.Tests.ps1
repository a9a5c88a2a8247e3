#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    # Runs a script in another runspace with the module loaded; output goes to a PSDataCollection so items
    # can be seen while the command still runs. -Verbose is on, so the "Receiving ..." line tells when the
    # socket is bound.
    function Start-Receiver([string] $Script) {
        $ps = New-TestPowerShell
        $null = $ps.AddScript("`$VerbosePreference = 'Continue'; $Script")
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputData.Complete()
        $handle = $ps.BeginInvoke($inputData, $output)
        $r = [pscustomobject]@{ PowerShell = $ps; Output = $output; Handle = $handle }
        Wait-Until { $ps.Streams.Verbose.Count -gt 0 -or $handle.IsCompleted }
        $r
    }

    function Send-Raw([int] $Port, [string] $Text, [ipaddress] $Address = [ipaddress]::Loopback) {
        $c = [System.Net.Sockets.UdpClient]::new($Address.AddressFamily)
        try {
            $b = [Text.Encoding]::UTF8.GetBytes($Text)
            $null = $c.Send($b, $b.Length, [System.Net.IPEndPoint]::new($Address, $Port))
        }
        finally { $c.Dispose() }
    }
}

Describe 'Receive-Datagram' -Tag CI {
    It 'writes each datagram as a SocketMessage and stops after -Count' {
        $port = Get-FreeUdpPort
        $rx = Start-Receiver "Receive-Datagram -Port $port -Count 2 -Timeout 20"
        try {
            $client = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
            try {
                foreach ($t in 'first', 'second', 'third') {
                    $b = [Text.Encoding]::UTF8.GetBytes($t)
                    $null = $client.Send($b, $b.Length, [System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port))
                }

                $rx.Handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
                $got = @($rx.Output)
                $got.Count | Should -Be 2
                $got[0] | Should -BeOfType ([SocketShell.SocketMessage])
                $got.Text | Should -Be 'first', 'second'
                $got[0].Protocol | Should -Be 'Udp'
                $got[0].Length | Should -Be 5
                $got[0].RemoteEndPoint | Should -Be $client.Client.LocalEndPoint.ToString()
                $got[0].GetRemoteEndPoint() | Should -Be $client.Client.LocalEndPoint
                $got[0].LocalEndPoint.ToString() | Should -Be "127.0.0.1:$port"
                $got[0].Timestamp | Should -BeOfType ([datetimeoffset])
            }
            finally { $client.Dispose() }
        }
        finally { $rx.PowerShell.Dispose() }
    }

    It 'streams: the first match reaches the pipeline while the command still runs' {
        $port = Get-FreeUdpPort
        $rx = Start-Receiver "Receive-Datagram -Port $port | Where-Object Text -match 'error'"
        try {
            Send-Raw $port 'all fine'
            Send-Raw $port 'error: disk full'
            Wait-Until { $rx.Output.Count -ge 1 }
            $rx.Handle.IsCompleted | Should -BeFalse     # still running: the item came out before the end
            $rx.Output[0].Text | Should -Be 'error: disk full'
            Send-Raw $port 'another error'
            Wait-Until { $rx.Output.Count -ge 2 }
            $rx.Output[1].Text | Should -Be 'another error'
            $rx.PowerShell.Stop()
            $rx.Handle.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue   # completion is signalled just after Stop returns
        }
        finally { $rx.PowerShell.Dispose() }
    }

    It 'ends after -Timeout with nothing arriving (an idle timeout)' {
        $port = Get-FreeUdpPort
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $got = Receive-Datagram -Port $port -Timeout 300ms
        $sw.Stop()
        $got | Should -BeNullOrEmpty
        $sw.Elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 280
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'receives a zero-length datagram as an empty message' {
        $port = Get-FreeUdpPort
        $rx = Start-Receiver "Receive-Datagram -Port $port -Count 1 -Timeout 20"
        try {
            '' | Send-Datagram 127.0.0.1 $port | Out-Null
            $rx.Handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $rx.Output.Count | Should -Be 1
            $rx.Output[0].Length | Should -Be 0
            $rx.Output[0].Text | Should -Be ''
        }
        finally { $rx.PowerShell.Dispose() }
    }

    It 'works on ::1 and decodes with -Encoding' {
        $v6 = $false
        try { (Get-FreeUdpPort ([ipaddress]::IPv6Loopback)) | Out-Null; $v6 = $true } catch { }
        if (-not $v6) { Set-ItResult -Skipped -Because 'IPv6 loopback is not available'; return }
        $port = Get-FreeUdpPort ([ipaddress]::IPv6Loopback)
        $rx = Start-Receiver "Receive-Datagram -Port $port -Address ::1 -Count 1 -Timeout 20 -Encoding latin1"
        try {
            Send-Datagram ::1 $port -Data ([byte[]](0xE9)) | Out-Null
            $rx.Handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $rx.Output[0].Text | Should -Be 'é'
            $rx.Output[0].GetRemoteEndPoint().AddressFamily | Should -Be 'InterNetworkV6'
        }
        finally { $rx.PowerShell.Dispose() }
    }

    It 'is PortInUse when the port is taken' {
        $holder = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
        try {
            $port = $holder.Client.LocalEndPoint.Port
            { Receive-Datagram -Port $port -Timeout 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'PortInUse,SocketShell.Commands.ReceiveDatagramCommand'
            try { Receive-Datagram -Port $port -Timeout 1 -ErrorAction Stop } catch { $e = $_ }
            $e.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $e.Exception.Message | Should -BeLike "*$port*"
        }
        finally { $holder.Dispose() }
    }

    It 'refuses a group that is not a multicast address (InvalidMulticastGroup)' {
        foreach ($g in '10.1.2.3', 'not-an-address', '::1', 'ff02::1') {
            { Receive-Datagram -Port (Get-FreeUdpPort) -MulticastGroup $g -Timeout 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidMulticastGroup,SocketShell.Commands.ReceiveDatagramCommand'
        }
        try { Receive-Datagram -Port (Get-FreeUdpPort) -MulticastGroup 10.1.2.3 -Timeout 1 -ErrorAction Stop } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses an -Address that is not an address (AddressNotAvailable)' {
        { Receive-Datagram -Port (Get-FreeUdpPort) -Address 'nowhere' -Timeout 1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'AddressNotAvailable,SocketShell.Commands.ReceiveDatagramCommand'
    }

    It 'validates -Port, -Count and -Timeout' {
        { Receive-Datagram -Port 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ReceiveDatagramCommand'
        { Receive-Datagram -Port 9 -Count 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ReceiveDatagramCommand'
        { Receive-Datagram -Port 9 -Timeout 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveDatagramCommand'
    }

    It 'receives what is sent to a multicast group joined on loopback' {
        # Works on Linux; the sender sets the loopback interface itself.
        $group = [ipaddress]"239.255.$(Get-Random -Minimum 1 -Maximum 254).$(Get-Random -Minimum 1 -Maximum 254)"
        $port = Get-FreeUdpPort
        $rx = Start-Receiver "Receive-Datagram -Port $port -MulticastGroup $group -Address 127.0.0.1 -Count 1 -Timeout 20"
        try {
            if ($rx.Handle.IsCompleted -and $rx.PowerShell.Streams.Error.Count -gt 0) {
                Set-ItResult -Skipped -Because "multicast on loopback is not available: $($rx.PowerShell.Streams.Error[0])"
                return
            }

            $s = [System.Net.Sockets.Socket]::new('InterNetwork', 'Dgram', 'Udp')
            try {
                $s.SetSocketOption('IP', 'MulticastInterface', [ipaddress]::Loopback.GetAddressBytes())
                $s.SetSocketOption('IP', 'MulticastLoopback', $true)
                $s.SetSocketOption('IP', 'MulticastTimeToLive', 0)
                $null = $s.SendTo([Text.Encoding]::UTF8.GetBytes('to the group'), [System.Net.IPEndPoint]::new($group, $port))
            }
            finally { $s.Dispose() }
            $rx.Handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $rx.Output[0].Text | Should -Be 'to the group'
            $rx.PowerShell.Streams.Verbose[0].Message | Should -BeLike "*multicast group $group*"
        }
        finally { $rx.PowerShell.Dispose() }
    }

    It 'stops at once on Ctrl+C and closes its socket' {
        $port = Get-FreeUdpPort
        $before = Get-SocketCount
        $rx = Start-Receiver "Receive-Datagram -Port $port"
        try {
            if ($before -ge 0) { Get-SocketCount | Should -Be ($before + 1) }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $rx.PowerShell.Stop()
            $sw.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $rx.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $rx.PowerShell.Dispose() }
        if ($before -ge 0) { Wait-Until { (Get-SocketCount) -eq $before } 5000 }
        # The port is free again.
        $again = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $port))
        $again.Dispose()
    }

    It 'closes its socket when a later command stops the pipeline (Select-Object -First)' {
        $port = Get-FreeUdpPort
        $before = Get-SocketCount
        $rx = Start-Receiver "Receive-Datagram -Port $port -Timeout 20 | Select-Object -First 1"
        try {
            Send-Raw $port 'only this one'
            $rx.Handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $rx.Output.Text | Should -Be 'only this one'
        }
        finally { $rx.PowerShell.Dispose() }
        if ($before -ge 0) { Get-SocketCount | Should -Be $before }
    }

    It 'takes the port from Get-AvailablePort by property name' {
        $free = Get-AvailablePort -Protocol Udp
        $got = $free | Receive-Datagram -Timeout 200ms
        $got | Should -BeNullOrEmpty
    }
}
