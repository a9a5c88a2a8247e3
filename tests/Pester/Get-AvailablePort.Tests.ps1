#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

Describe 'Get-AvailablePort' -Tag CI {
    It 'writes one free TCP port from the ephemeral range by default' {
        $p = Get-AvailablePort
        $p | Should -BeOfType ([SocketShell.PortInfo])
        $p.Protocol | Should -Be 'Tcp'
        $p.IsEphemeral | Should -BeTrue
    }

    It 'writes a port that really is bindable' {
        $p = Get-AvailablePort
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, $p.Port)
        try {
            { $listener.Start() } | Should -Not -Throw
        }
        finally {
            $listener.Stop()
            $listener.Dispose()
        }
    }

    It 'writes -Count distinct ports, in ascending order, inside -Start/-End' {
        $ports = (Get-AvailablePort -Count 5 -Start 40000 -End 40200).Port
        $ports.Count | Should -Be 5
        ($ports | Select-Object -Unique).Count | Should -Be 5
        $ports | ForEach-Object { $_ | Should -BeGreaterOrEqual 40000; $_ | Should -BeLessOrEqual 40200 }
        ($ports | Sort-Object) | Should -Be $ports
    }

    It 'checks UDP and Both by binding' {
        $u = Get-AvailablePort -Protocol Udp
        $client = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $u.Port))
        $client.Dispose()
        (Get-AvailablePort -Protocol Both).Protocol | Should -Be 'Any'
    }

    It 'does not report a port that is in use' {
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        try {
            $taken = $listener.LocalEndpoint.Port
            $found = Get-AvailablePort -Start $taken -End $taken -ErrorAction SilentlyContinue -ErrorVariable err
            $found | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'NotEnoughFreePorts,SocketShell.Commands.GetAvailablePortCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        }
        finally {
            $listener.Stop()
            $listener.Dispose()
        }
    }

    It 'writes what it found and NotEnoughFreePorts when the range is too small' {
        $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $listener.Start()
        try {
            $taken = $listener.LocalEndpoint.Port
            $found = Get-AvailablePort -Count 2 -Start ($taken - 1) -End $taken -ErrorAction SilentlyContinue -ErrorVariable err
            @($found).Count | Should -BeLessOrEqual 1
            $err.FullyQualifiedErrorId | Should -Contain 'NotEnoughFreePorts,SocketShell.Commands.GetAvailablePortCommand'
            { Get-AvailablePort -Count 2 -Start $taken -End $taken -ErrorAction Stop } |
                Should -Throw -ErrorId 'NotEnoughFreePorts,SocketShell.Commands.GetAvailablePortCommand'
        }
        finally {
            $listener.Stop()
            $listener.Dispose()
        }
    }

    It 'works on IPv6 loopback' -Skip:(-not [System.Net.Sockets.Socket]::OSSupportsIPv6) {
        $p = Get-AvailablePort -Address ::1
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::IPv6Loopback, $p.Port)
        try { { $l.Start() } | Should -Not -Throw } finally { $l.Stop(); $l.Dispose() }
    }

    It 'refuses a start above the end' {
        { Get-AvailablePort -Start 5000 -End 4000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'StartAfterEnd,SocketShell.Commands.GetAvailablePortCommand'
    }

    It 'refuses an invalid range name and count' {
        { Get-AvailablePort -Range Nowhere -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.GetAvailablePortCommand'
        { Get-AvailablePort -Count 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.GetAvailablePortCommand'
    }

    It 'is an AddressNotAvailable error for an address that is not on this machine' {
        { Get-AvailablePort -Address 2001:db8::1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'AddressNotAvailable,SocketShell.Commands.GetAvailablePortCommand'
    }

    It 'pipes into Get-PortRange by property name' {
        $p = Get-AvailablePort
        ($p | Get-PortRange).Port | Should -Be $p.Port
    }
}
