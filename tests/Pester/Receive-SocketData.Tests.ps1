#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

AfterAll {
    Get-SocketListener | Stop-SocketListener
}

Describe 'Receive-SocketData' -Tag CI {
    AfterEach {
        Get-SocketListener | Stop-SocketListener
    }

    It 'returns captured TCP data as SocketMessage objects, oldest first, and removes them' {
        $l = Start-SocketListener 0
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $b = [Text.Encoding]::UTF8.GetBytes('héllo')
            $c.GetStream().Write($b, 0, $b.Length)
            $m = Receive-SocketData -Listener $l -Wait -Timeout 5
            $m | Should -BeOfType ([SocketShell.SocketMessage])
            ($m.Text -join '') | Should -Be 'héllo'
            $m[0].ListenerId | Should -Be $l.Id
            $m[0].ConnectionId | Should -Be 1
            $m[0].Protocol | Should -Be 'Tcp'
            $m[0].RemoteEndPoint.Port | Should -Be ($c.Client.LocalEndPoint.Port)
            Receive-SocketData $l | Should -BeNullOrEmpty
        }
        finally { $c.Dispose() }
    }

    It 'takes the listener by name, by id and from the pipeline; -Peek leaves the data' {
        $l = Start-SocketListener 0 -Protocol Udp -Name 'recv-udp'
        $u = [System.Net.Sockets.UdpClient]::new()
        try {
            $null = $u.Send([byte[]](65, 66), 2, '127.0.0.1', $l.Port)
            (Receive-SocketData 'recv-udp' -Wait -Peek).Text | Should -Be 'AB'
            (Receive-SocketData $l.Id -Peek).Text | Should -Be 'AB'
            ($l | Receive-SocketData).Text | Should -Be 'AB'
            Receive-SocketData $l | Should -BeNullOrEmpty
        }
        finally { $u.Dispose() }
    }

    It 'waits for -Count datagrams and filters by -Connection' {
        $l = Start-SocketListener 0 -Protocol Udp
        $u1 = [System.Net.Sockets.UdpClient]::new(); $u2 = [System.Net.Sockets.UdpClient]::new()
        try {
            foreach ($i in 1..3) { $null = $u1.Send([byte[]]($i), 1, '127.0.0.1', $l.Port) }
            $null = $u2.Send([byte[]](9), 1, '127.0.0.1', $l.Port)
            $all = Receive-SocketData $l -Wait -Count 4 -Peek -Timeout 5
            $all.Count | Should -Be 4
            $second = ($all | Where-Object { $_.Data[0] -eq 9 }).ConnectionId
            (Receive-SocketData $l -Connection $second).Data | Should -Be @(9)
            (Receive-SocketData $l -Count 2).Data | Should -Be @(1, 2)
            (Receive-SocketData $l).Data | Should -Be @(3)
        }
        finally { $u1.Dispose(); $u2.Dispose() }
    }

    It 'decodes Text with -Encoding' {
        $l = Start-SocketListener 0 -Protocol Udp
        $u = [System.Net.Sockets.UdpClient]::new()
        try {
            $b = [Text.Encoding]::Unicode.GetBytes('hi')
            $null = $u.Send($b, $b.Length, '127.0.0.1', $l.Port)
            (Receive-SocketData $l -Wait -Encoding unicode).Text | Should -Be 'hi'
        }
        finally { $u.Dispose() }
    }

    It 'writes ReceiveTimeout when nothing arrives within -Timeout' {
        $l = Start-SocketListener 0
        { Receive-SocketData $l -Wait -Timeout 0.2 -ErrorAction Stop } | Should -Throw -ErrorId 'ReceiveTimeout,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'fails binding for an unknown listener name or id' {
        { Receive-SocketData -Listener 'no-such-listener' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
        { Receive-SocketData -Listener 99999 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'rejects an invalid -Timeout' {
        $l = Start-SocketListener 0
        { Receive-SocketData $l -Wait -Timeout 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'stops waiting at once on Ctrl+C' {
        $l = Start-SocketListener 0
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($manifest).AddStatement().AddCommand('Receive-SocketData').AddParameter('Listener', $l).AddParameter('Wait').AddParameter('Timeout', 60)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($ps.InvocationStateInfo.State -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Start-Sleep -Milliseconds 300
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
    }

    It 'reads the final capture of a stopped listener from its object' {
        $l = Start-SocketListener 0 -Protocol Udp
        $u = [System.Net.Sockets.UdpClient]::new()
        try {
            $null = $u.Send([byte[]](7), 1, '127.0.0.1', $l.Port)
            $null = Receive-SocketData $l -Wait -Peek
            Stop-SocketListener -InputObject $l
            (Receive-SocketData $l).Data | Should -Be @(7)
        }
        finally { $u.Dispose() }
    }

    It 'accounts for every byte when the capture is full' {
        $l = Start-SocketListener 0 -CaptureLimit 4KB
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        try {
            $data = [byte[]]::new(100KB)
            $c.GetStream().Write($data, 0, $data.Length)
            $c.Client.Shutdown('Send')
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($l.BytesReceived -lt 100KB -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $l.BytesReceived | Should -Be 100KB
            ($l.CapturedBytes + $l.DroppedBytes) | Should -Be $l.BytesReceived
            $l.CapturedBytes | Should -BeLessOrEqual 4KB
            ((Receive-SocketData $l).Length | Measure-Object -Sum).Sum | Should -Be $l.CapturedBytes
        }
        finally { $c.Dispose() }
    }
}
