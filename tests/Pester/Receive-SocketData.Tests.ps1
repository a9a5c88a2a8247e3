#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
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
            $m[0].GetRemoteEndPoint().Port | Should -Be ($c.Client.LocalEndPoint.Port)
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

    It 'says ListenerStopped, not ReceiveTimeout, when the listener stops during the wait (issue 10)' {
        $l = Start-SocketListener 0
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                param($Manifest, $Listener)
                Import-Module $Manifest
                Receive-SocketData $Listener -Wait -Timeout 60 -ErrorAction SilentlyContinue -ErrorVariable e
                $e | ForEach-Object { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category.ToString() }
            }).AddArgument($manifest).AddArgument($l)
            $handle = $ps.BeginInvoke()
            # Stop while the other runspace waits (it holds the listener object handed over).
            Wait-Until { $ps.InvocationStateInfo.State -eq 'Running' }
            $l | Stop-SocketListener
            $handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
            $out = $ps.EndInvoke($handle)
            $out | Should -Be @('ListenerStopped,SocketShell.Commands.ReceiveSocketDataCommand', 'OperationStopped')
        }
        finally { $ps.Dispose() }
    }

    It 'writes ReceiveTimeout when nothing arrives within -Timeout' {
        $l = Start-SocketListener 0
        { Receive-SocketData $l -Wait -Timeout 0.2 -ErrorAction Stop } | Should -Throw -ErrorId 'ReceiveTimeout,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'fails binding for an unknown listener name or id' {
        { Receive-SocketData -Listener 'no-such-listener' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
        { Receive-SocketData -Listener 99999 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'says how a listener is read when it is given with -Line, -Until or -ByteCount (argument or pipeline)' {
        $l = Start-SocketListener 0
        foreach ($call in { Receive-SocketData $l -Line -ErrorAction Stop }, { $l | Receive-SocketData -Until ';' -ErrorAction Stop }, { Receive-SocketData $l -ByteCount 4 -ErrorAction Stop }) {
            $e = { & $call } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand' -PassThru
            $e.Exception.Message | Should -Match ([regex]::Escape("'$($l.Name)' is a listener"))
            $e.Exception.Message | Should -Match 'Connect-Socket'
        }
        $l | Stop-SocketListener
    }

    It 'rejects an invalid -Timeout' {
        $l = Start-SocketListener 0
        { Receive-SocketData $l -Wait -Timeout 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.ReceiveSocketDataCommand'
    }

    It 'stops waiting at once on Ctrl+C' {
        $l = Start-SocketListener 0
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Receive-SocketData').AddParameter('Listener', $l).AddParameter('Wait').AddParameter('Timeout', 60)
            $async = $ps.BeginInvoke()
            Wait-Until { $ps.InvocationStateInfo.State -eq 'Running' }
            $async.AsyncWaitHandle.WaitOne(300) | Should -BeFalse   # still waiting for data
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

    Context 'Socket (client connections)' {
        BeforeAll {
            . (Join-Path $PSScriptRoot 'ClientPeer.ps1')
            $peer = New-TestListener
            $peerPort = $peer.LocalEndpoint.Port
        }

        AfterAll {
            Get-Socket | Disconnect-Socket
            $peer.Stop()
            $peer.Dispose()
        }

        BeforeEach {
            $c = Connect-Socket 127.0.0.1 $peerPort
            $server = Wait-TestAccept $peer $c
        }

        AfterEach {
            $server.Dispose()
            $c | Disconnect-Socket
        }

        It 'returns what is available as one SocketMessage with SocketId, from -Socket or the pipeline' {
            $null = $server.Send([System.Text.Encoding]::UTF8.GetBytes('héllo'))
            Wait-Until { $c.BytesReceived -eq 6 }
            $m = Receive-SocketData -Socket $c
            $m | Should -BeOfType ([SocketShell.SocketMessage])
            $m.Text | Should -Be 'héllo'
            $m.Length | Should -Be 6
            $m.SocketId | Should -Be $c.Id
            $m.ListenerId | Should -BeNullOrEmpty
            $m.Protocol | Should -Be 'Tcp'
            $m.RemoteEndPoint | Should -Be $c.RemoteEndPoint
            $null = $server.Send([byte[]](1, 2))
            ($c | Receive-SocketData).Data -join ',' | Should -Be '1,2'
        }

        It 'frames lines (LF or CR LF, end removed) without losing the bytes after the newline' {
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("one`r`ntw"))
            $first = $c | Receive-SocketData -Line
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("o`nthree"))
            $second = Receive-SocketData $c -Line
            $first.Text | Should -Be 'one'
            $second.Text | Should -Be 'two'
            (Receive-SocketData -Socket $c).Text | Should -Be 'three'
        }

        It 'reads -Until a delimiter and exactly -ByteCount bytes, across split writes' {
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes('user: ad'))
            Wait-Until { $c.BytesReceived -eq 8 }
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("min`$ 0123"))
            (Receive-SocketData -Socket $c -Until '$ ').Text | Should -Be 'user: admin'
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes('456789XY'))
            (Receive-SocketData -Socket $c -ByteCount 10).Text | Should -Be '0123456789'
            (Receive-SocketData -Socket $c -ByteCount 2).Text | Should -Be 'XY'
        }

        It 'uses -Encoding for the text and the line end' {
            $null = $server.Send([System.Text.Encoding]::Unicode.GetBytes("wörld`r`n"))
            (Receive-SocketData -Socket $c -Line -Encoding unicode).Text | Should -Be 'wörld'
        }

        It 'is a ReceiveTimeout error after -Timeout, keeping what arrived for the next read' {
            $null = Receive-SocketData -Socket $c -Timeout 0.2 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'ReceiveTimeout,SocketShell.Commands.ReceiveSocketDataCommand'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $err[0].TargetObject | Should -Be "127.0.0.1:$peerPort"

            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes('partial'))
            { Receive-SocketData -Socket $c -Line -Timeout 0.2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReceiveTimeout,SocketShell.Commands.ReceiveSocketDataCommand'
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("`n"))
            (Receive-SocketData -Socket $c -Line).Text | Should -Be 'partial'
        }

        It 'reports the end of the stream by State Closed, with no error' {
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("last`nno newline"))
            $server.Shutdown('Send')
            (Receive-SocketData -Socket $c -Line).Text | Should -Be 'last'
            (Receive-SocketData -Socket $c -Line).Text | Should -Be 'no newline'
            $more = Receive-SocketData -Socket $c -Line -ErrorVariable err
            $more | Should -BeNullOrEmpty
            $err | Should -BeNullOrEmpty
            $c.State | Should -Be 'Closed'
        }

        It 'returns what arrived before a reset, then a ConnectionReset error' {
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes('before'))
            Wait-Until { $c.BytesReceived -eq 6 }
            $server.LingerState = [System.Net.Sockets.LingerOption]::new($true, 0)
            $server.Close()
            Wait-Until { $c.State -eq 'Faulted' }
            (Receive-SocketData -Socket $c).Text | Should -Be 'before'
            { Receive-SocketData -Socket $c -ErrorAction Stop } |
                Should -Throw -ErrorId 'ConnectionReset,SocketShell.Commands.ReceiveSocketDataCommand'
        }

        It 'refuses more than one of -Line, -Until and -ByteCount' {
            { Receive-SocketData -Socket $c -Line -Until 'x' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReceiveModeConflict,SocketShell.Commands.ReceiveSocketDataCommand'
            { Receive-SocketData -Socket $c -Until 'x' -ByteCount 2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReceiveModeConflict,SocketShell.Commands.ReceiveSocketDataCommand'
            { Receive-SocketData -Socket $c -ByteCount 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,SocketShell.Commands.ReceiveSocketDataCommand'
        }

        It 'stops at once on Ctrl+C, and the connection stays open with nothing lost' {
            $ps = New-TestPowerShell
            try {
                $null = $ps.AddScript({
                    param($Connection)
                    Receive-SocketData -Socket $Connection -Line -Timeout 60
                }).AddArgument($c)
                $handle = $ps.BeginInvoke()
                Wait-Until { $ps.InvocationStateInfo.State -eq 'Running' }
                $handle.AsyncWaitHandle.WaitOne(300) | Should -BeFalse
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $sw.ElapsedMilliseconds | Should -BeLessThan 5000
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally { $ps.Dispose() }
            $c.State | Should -Be 'Open'
            $null = $server.Send([System.Text.Encoding]::ASCII.GetBytes("still here`n"))
            (Receive-SocketData -Socket $c -Line).Text | Should -Be 'still here'
        }
    }
}
