#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Rule 5 of issue 10: pipeline input a user would expect, between SocketShell's own cmdlets and from
# Import-Csv rows. Each case here failed (a binding error, or nothing bound) before 0.2.x. Loopback only.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

Describe 'Pipeline input between SocketShell cmdlets' -Tag CI {
    BeforeAll {
        $tcp = Start-SocketListener 0 -Mode Echo
        $udp = Start-SocketListener 0 -Protocol Udp
    }

    AfterAll {
        Get-Socket | Disconnect-Socket
        Get-SocketListener | Stop-SocketListener
    }

    It 'a port-carrying object binds -Port by position: Send-Datagram 127.0.0.1 (Get-AvailablePort -Protocol Udp) x' {
        $free = Get-AvailablePort -Protocol Udp
        $r = Send-Datagram 127.0.0.1 $free 'x'
        $r.Status | Should -Be 'Sent'
        $r.GetRemoteEndPoint().Port | Should -Be $free.Port
        # A UDP listener is such an object too, and the datagram really arrives there.
        $r = Send-Datagram 127.0.0.1 $udp 'to the listener'
        $r.RemoteEndPoint | Should -BeExactly "127.0.0.1:$($udp.Port)"
        (Receive-SocketData $udp -Wait -Timeout 5).Text | Should -Be 'to the listener'
    }

    It 'Connect-Socket and Test-Port take a port-carrying object as -Port' {
        $c = Connect-Socket 127.0.0.1 $tcp
        $c.GetRemoteEndPoint().Port | Should -Be $tcp.Port
        $c | Disconnect-Socket
        (Test-Port 127.0.0.1 $tcp).Status | Should -Be 'Open'
        # A free port binds (it is not a parameter error) and is reported for what it is.
        $free = Get-AvailablePort
        (Test-Port 127.0.0.1 $free).Status | Should -Be 'Closed'
        { Connect-Socket 127.0.0.1 $free -ErrorAction Stop } | Should -Throw -ErrorId 'ConnectionRefused,SocketShell.Commands.ConnectSocketCommand'
    }

    It 'Import-Csv rows with ComputerName (or HostName) and Port feed Connect-Socket and Send-Datagram' {
        $rows = "ComputerName,Port`n127.0.0.1,$($tcp.Port)" | ConvertFrom-Csv
        $c = $rows | Connect-Socket
        $c.RemoteEndPoint | Should -BeExactly "127.0.0.1:$($tcp.Port)"
        $c | Disconnect-Socket
        $c = "HostName,Port`n127.0.0.1,$($tcp.Port)" | ConvertFrom-Csv | Connect-Socket
        $c.State | Should -Be 'Open'
        $c | Disconnect-Socket
        $sent = "HostName,Port`n127.0.0.1,$($udp.Port)" | ConvertFrom-Csv | Send-Datagram -Data 'from csv'
        $sent.Status | Should -Be 'Sent'
        (Receive-SocketData $udp -Wait -Timeout 5).Text | Should -Be 'from csv'
    }

    It 'Test-Port results and listeners feed Connect-Socket; a UDP listener feeds Send-Datagram' {
        $c = Test-Port 127.0.0.1 $tcp.Port -Open | Connect-Socket
        $c.RemoteEndPoint | Should -BeExactly "127.0.0.1:$($tcp.Port)"
        $c | Disconnect-Socket
        $c = $tcp | Connect-Socket
        $c.RemoteEndPoint | Should -BeExactly "127.0.0.1:$($tcp.Port)"
        $c | Disconnect-Socket
        ($udp | Send-Datagram -Data 'to myself').RemoteEndPoint | Should -BeExactly "127.0.0.1:$($udp.Port)"
        (Receive-SocketData $udp -Wait -Timeout 5).Text | Should -Be 'to myself'
        ($tcp | Test-Port).Status | Should -Be 'Open'
    }

    It 'Get-SystemSocket -Listening | Test-Port probes the listeners, a wildcard address on loopback' -Skip:(-not $IsLinux) {
        $any = Start-SocketListener 0 -Address 0.0.0.0
        try {
            $r = Get-SystemSocket -Listening -Protocol Tcp -LocalPort $tcp.Port, $any.Port | Test-Port
            $r | Should -HaveCount 2
            $r.Status | Should -Be 'Open', 'Open'
            ($r | Where-Object Port -eq $any.Port).ComputerName | Should -BeExactly '127.0.0.1'
            $c = Get-SystemSocket -Listening -Protocol Tcp -LocalPort $any.Port | Connect-Socket
            $c.RemoteEndPoint | Should -BeExactly "127.0.0.1:$($any.Port)"
            $c | Disconnect-Socket
        }
        finally { $any | Stop-SocketListener }
    }

    It 'a typed wildcard shorthand is still refused: only the exact text 0.0.0.0 / :: means loopback' {
        { Test-Port 0 80 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidComputerName,SocketShell.Commands.TestPortCommand'
        { Connect-Socket 0 80 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidComputerName,SocketShell.Commands.ConnectSocketCommand'
    }

    It 'Get-SystemSocket and Test-Port results feed Get-PortRange' -Skip:(-not $IsLinux) {
        (Get-SystemSocket -Listening -Protocol Tcp -LocalPort $tcp.Port | Get-PortRange).Port | Should -Be $tcp.Port
        (Test-Port 127.0.0.1 $tcp.Port | Get-PortRange).Port | Should -Be $tcp.Port
    }

    It 'names bind by value: ''name'' | Get-SocketListener and ''name'' | Stop-SocketListener' {
        $named = Start-SocketListener 0 -Name 'pipe-by-name'
        ('pipe-by-name' | Get-SocketListener).Id | Should -Be $named.Id
        $stopped = 'pipe-by-name' | Stop-SocketListener -PassThru
        $stopped.State | Should -Be 'Stopped'
        Get-SocketListener -Name 'pipe-by-name' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Get-SocketListener | Stop-SocketListener stops what it is given' {
        $a = Start-SocketListener 0 -Name 'pipe-a'
        $b = Start-SocketListener 0 -Name 'pipe-b'
        $out = Get-SocketListener 'pipe-*' | Stop-SocketListener -PassThru
        $out.Name | Sort-Object | Should -Be 'pipe-a', 'pipe-b'
        $a.State, $b.State | Should -Be 'Stopped', 'Stopped'
        $tcp.State | Should -Be 'Listening'
    }

    It 'ids bind by value to Get-Socket, and Get-Socket | Disconnect-Socket -PassThru | ... closes them' {
        $c1 = Connect-Socket 127.0.0.1 $tcp.Port
        $c2 = Connect-Socket 127.0.0.1 $tcp.Port
        ($c1.Id, $c2.Id | Get-Socket).Id | Should -Be $c1.Id, $c2.Id
        $closed = $c1.Id, $c2.Id | Get-Socket | Disconnect-Socket -PassThru | Where-Object State -eq 'Closed'
        $closed | Should -HaveCount 2
        Get-Socket -Id $c1.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
