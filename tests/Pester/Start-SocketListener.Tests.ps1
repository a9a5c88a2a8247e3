#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop

    function Read-Exactly([System.IO.Stream] $stream, [int] $count) {
        $buf = [byte[]]::new($count); $got = 0
        while ($got -lt $count) {
            $n = $stream.Read($buf, $got, $count - $got)
            if ($n -eq 0) { break }
            $got += $n
        }
        , $buf[0..($got - 1)]
    }
}

AfterAll {
    Get-SocketListener | Stop-SocketListener
}

Describe 'Start-SocketListener' -Tag CI {
    AfterEach {
        Get-SocketListener | Stop-SocketListener
    }

    It 'returns a live SocketListener at once, on loopback, with the port the OS chose' {
        $l = Start-SocketListener -Port 0
        $l | Should -BeOfType ([SocketShell.SocketListener])
        $l.State | Should -Be 'Listening'
        $l.Protocol | Should -Be 'Tcp'
        $l.Mode | Should -Be 'Capture'
        $l.Port | Should -BeGreaterThan 0
        $l.GetLocalEndPoint().Address | Should -Be ([ipaddress]::Loopback)
        $l.LocalEndPoint | Should -BeExactly "127.0.0.1:$($l.Port)"
        $l.Name | Should -Be "tcp-$($l.Port)"
    }

    It 'echoes in Echo mode and counts live' {
        $l = Start-SocketListener 0 -Mode Echo
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $s = $c.GetStream()
            $s.Write([byte[]](1..100), 0, 100)
            $back = Read-Exactly $s 100
            $back | Should -Be ([byte[]](1..100))
            $l.BytesReceived | Should -Be 100
            $l.BytesSent | Should -Be 100
            $l.ConnectionCount | Should -Be 1
        }
        finally { $c.Dispose() }
    }

    It 'sends the banner, replies with -Response and closes after the reply' {
        $l = Start-SocketListener 0 -Mode Reply -Banner "hi`n" -Response 'ok' -CloseAfterReply
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $s = $c.GetStream()
            [Text.Encoding]::UTF8.GetString((Read-Exactly $s 3)) | Should -Be "hi`n"
            $s.Write([byte[]][char[]]'q', 0, 1)
            [Text.Encoding]::UTF8.GetString((Read-Exactly $s 2)) | Should -Be 'ok'
            $s.ReadTimeout = 5000
            $s.Read([byte[]]::new(1), 0, 1) | Should -Be 0
        }
        finally { $c.Dispose() }
    }

    It 'starts a UDP listener that echoes datagrams' {
        $l = Start-SocketListener 0 -Protocol Udp -Mode Echo
        $l.Name | Should -Be "udp-$($l.Port)"
        $u = [System.Net.Sockets.UdpClient]::new('127.0.0.1', $l.Port)
        try {
            $u.Client.ReceiveTimeout = 5000
            $null = $u.Send([byte[]](1, 2, 3), 3)
            $remote = $null
            $u.Receive([ref] $remote) | Should -Be @(1, 2, 3)
            $l.DatagramsReceived | Should -Be 1
            $l.ConnectionCount | Should -Be 1
        }
        finally { $u.Dispose() }
    }

    It 'listens on IPv6 loopback and on Any' {
        $six = Start-SocketListener 0 -Address ::1
        $six.GetLocalEndPoint().AddressFamily | Should -Be 'InterNetworkV6'
        $any = Start-SocketListener 0 -Address Any
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $any.Port)
        $c.Dispose()
    }

    It 'binds -Port from the pipeline by property name' {
        $l = Get-AvailablePort | Start-SocketListener
        $l.State | Should -Be 'Listening'
    }

    It 'reports a port in use as PortInUse naming the port' {
        $l = Start-SocketListener 0
        { Start-SocketListener $l.Port -ErrorAction Stop } | Should -Throw -ErrorId 'PortInUse,SocketShell.Commands.StartSocketListenerCommand'
        $err = $null
        $null = Start-SocketListener $l.Port -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err[0].ToString() | Should -Match "$($l.Port)"
    }

    It 'reports a privileged port as AccessDenied when not root' {
        if ($IsWindows -or (& id -u) -eq '0') { Set-ItResult -Skipped -Because 'binding ports below 1024 is allowed here'; return }
        $unprivileged = Get-Content /proc/sys/net/ipv4/ip_unprivileged_port_start -ErrorAction SilentlyContinue
        if ($unprivileged -and [int]$unprivileged -le 80) { Set-ItResult -Skipped -Because 'low ports are unprivileged on this system'; return }
        { Start-SocketListener 80 -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied,SocketShell.Commands.StartSocketListenerCommand'
    }

    It 'refuses a bad address, a duplicate name and TCP-only parameters with UDP' {
        { Start-SocketListener 0 -Address 'not-an-ip' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidListenAddress,SocketShell.Commands.StartSocketListenerCommand'
        $null = Start-SocketListener 0 -Name dup
        { Start-SocketListener 0 -Name dup -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerNameInUse,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Protocol Udp -Banner 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'TcpOnlyParameter,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Mode Reply -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidListenerOptions,SocketShell.Commands.StartSocketListenerCommand'
    }

    It 'refuses options that would do nothing in the chosen mode, and wildcard names (issue 10)' {
        $before = @(Get-SocketListener).Count
        { Start-SocketListener 0 -Mode Echo -Response 'x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -CloseAfterReply -ErrorAction Stop } |
            Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Name 'web*' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidListenerName,SocketShell.Commands.StartSocketListenerCommand'
        @(Get-SocketListener).Count | Should -Be $before
    }

    It 'refuses a banner or response that is not bytes or text as InvalidPayload, naming no .NET parameter' {
        foreach ($call in { Start-SocketListener 0 -Banner @(1, 2, 300) -ErrorAction Continue }, { Start-SocketListener 0 -Mode Reply -Response @('a', 'b') -ErrorAction Continue }) {
            $all = @(& $call 2>&1)
            $all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
            $err = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidPayload,SocketShell.Commands.StartSocketListenerCommand'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].Exception.Message | Should -Not -BeLike '*(Parameter*'
        }
    }

    It 'does nothing with -WhatIf' {
        $before = @(Get-SocketListener).Count
        Start-SocketListener 0 -WhatIf | Should -BeNullOrEmpty
        @(Get-SocketListener).Count | Should -Be $before
    }

    It 'rejects connections beyond -MaxConnections and counts them' {
        $l = Start-SocketListener 0 -MaxConnections 1
        $a = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        $b = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $s = $b.GetStream(); $s.ReadTimeout = 5000
            { $s.Read([byte[]]::new(1), 0, 1) } | Should -Not -Throw
            $l.RejectedConnections | Should -Be 1
            $l.ConnectionCount | Should -Be 1
        }
        finally { $a.Dispose(); $b.Dispose() }
    }

    It 'closes idle connections after -IdleTimeout' {
        $l = Start-SocketListener 0 -IdleTimeout 0.2
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $s = $c.GetStream(); $s.ReadTimeout = 5000
            $s.Read([byte[]]::new(1), 0, 1) | Should -Be 0
        }
        finally { $c.Dispose() }
    }

    It 'takes -IdleTimeout and -CaptureLimit as users type them' {
        $l = Start-SocketListener 0 -IdleTimeout '1m' -CaptureLimit 1MB
        $l.IdleTimeout | Should -Be ([timespan]::FromMinutes(1))
        $l.CaptureLimit | Should -Be 1MB
    }
}
