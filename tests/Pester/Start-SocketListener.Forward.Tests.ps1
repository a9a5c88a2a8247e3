#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $script:ModuleManifest -Force -ErrorAction Stop

    function Read-Exactly([System.IO.Stream] $stream, [int] $count) {
        $buf = [byte[]]::new($count); $got = 0
        while ($got -lt $count) {
            $n = $stream.Read($buf, $got, $count - $got)
            if ($n -eq 0) { break }
            $got += $n
        }
        if ($got -eq 0) { return , [byte[]]::new(0) }
        , [byte[]] $buf[0..($got - 1)]
    }

    function Read-ToEnd([System.IO.Stream] $stream) {
        $ms = [IO.MemoryStream]::new(); $buf = [byte[]]::new(65536)
        while (($n = $stream.Read($buf, 0, $buf.Length)) -gt 0) { $ms.Write($buf, 0, $n) }
        , $ms.ToArray()
    }

    function Get-Text([byte[]] $bytes) { [Text.Encoding]::ASCII.GetString($bytes) }
    function Get-Bytes([string] $text) { , [Text.Encoding]::ASCII.GetBytes($text) }

    function New-Client([int] $port) {
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)
        $c.NoDelay = $true
        $s = $c.GetStream(); $s.ReadTimeout = 10000; $s.WriteTimeout = 10000
        $c
    }

    function New-SelfSignedCertificate {
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        try {
            $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=localhost', $key,
                [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
            $san.AddDnsName('localhost')
            $req.CertificateExtensions.Add($san.Build())
            $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddHours(1))
            [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12($cert.Export('Pkcs12'), $null)
        }
        finally { $key.Dispose() }
    }
}

AfterAll {
    Get-SocketListener | Stop-SocketListener
}

Describe 'Start-SocketListener -Mode Forward' -Tag CI {
    AfterEach {
        Get-SocketListener | Stop-SocketListener
    }

    It 'relays 50 concurrent clients x 1 MB to an Echo upstream; every client gets its bytes back and the capture reassembles each connection both ways' {
        $echo = Start-SocketListener 0 -Mode Echo -CaptureLimit 0
        $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($echo.Port)" -CaptureLimit 256MB
        $fwd.Mode | Should -Be 'Forward'
        $results = 1..50 | ForEach-Object -ThrottleLimit 50 -Parallel {
            $data = [byte[]]::new(1MB)
            [Random]::new($_).NextBytes($data)
            $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $using:fwd.Port)
            try {
                $s = $c.GetStream(); $s.ReadTimeout = 60000
                $write = $s.WriteAsync($data, 0, $data.Length)
                $back = [byte[]]::new($data.Length); $got = 0
                while ($got -lt $back.Length) {
                    $n = $s.Read($back, $got, $back.Length - $got)
                    if ($n -eq 0) { break }
                    $got += $n
                }
                $null = $write.Wait(60000)
                [pscustomobject]@{
                    Client = $c.Client.LocalEndPoint.Port
                    Sent   = [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($data))
                    Back   = [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($back))
                }
            }
            finally { $c.Dispose() }
        }
        $results.Count | Should -Be 50
        foreach ($r in $results) { $r.Back | Should -Be $r.Sent }

        Wait-Until { $fwd.BytesSent -eq 50MB -and $fwd.ActivePairs -eq 0 } 30000
        $fwd.BytesReceived | Should -Be 50MB
        $fwd.UpstreamBytesSent | Should -Be 50MB
        $fwd.UpstreamBytesReceived | Should -Be 50MB

        $messages = Receive-SocketData $fwd -Count ([int]::MaxValue)
        $byConnection = $messages | Group-Object ConnectionId
        $byConnection.Count | Should -Be 50
        $sentByClient = @{}; foreach ($r in $results) { $sentByClient[$r.Client] = $r.Sent }
        foreach ($conversation in $byConnection) {
            $client = $conversation.Group[0].GetRemoteEndPoint().Port
            foreach ($direction in 'ClientToServer', 'ServerToClient') {
                $ms = [IO.MemoryStream]::new()
                foreach ($m in $conversation.Group | Where-Object Direction -EQ $direction) { $ms.Write($m.Data, 0, $m.Length) }
                [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($ms.ToArray())) | Should -Be $sentByClient[$client] -Because "$direction of $client"
            }
        }
    }

    It 'records a conversation in order with Direction and ConnectionId, and the default view shows the target' {
        $upstream = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $upstream.Start()
        try {
            $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($upstream.LocalEndpoint.Port)"
            ($fwd | Format-Table | Out-String -Width 200) | Should -Match ([regex]::Escape("127.0.0.1:$($upstream.LocalEndpoint.Port)"))
            $c = New-Client $fwd.Port
            $server = $upstream.AcceptTcpClient(); $ss = $server.GetStream(); $ss.ReadTimeout = 10000
            $c.GetStream().Write((Get-Bytes "USER me`r`n"))
            Get-Text (Read-Exactly $ss 9) | Should -Be "USER me`r`n"
            $ss.Write((Get-Bytes "331 ok`r`n"))
            Get-Text (Read-Exactly $c.GetStream() 8) | Should -Be "331 ok`r`n"
            $m = Receive-SocketData $fwd -Wait -Count 2 -Timeout 5
            $m.Count | Should -Be 2
            $m[0].Direction | Should -Be 'ClientToServer'
            $m[1].Direction | Should -Be 'ServerToClient'
            $m[0].ConnectionId | Should -Be $m[1].ConnectionId
            $m[1].Text | Should -Be "331 ok`r`n"
            (Get-SocketListener -Id $fwd.Id).ActivePairs | Should -Be 1
            $c.Dispose(); $server.Dispose()
        }
        finally { $upstream.Stop() }
    }

    It 'passes a half-close through in both directions' {
        $upstream = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $upstream.Start()
        try {
            $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($upstream.LocalEndpoint.Port)"
            # Client finishes first: the server reads the end of stream, then still answers.
            $c = New-Client $fwd.Port; $cs = $c.GetStream()
            $server = $upstream.AcceptTcpClient(); $ss = $server.GetStream(); $ss.ReadTimeout = 10000
            $cs.Write((Get-Bytes 'request'))
            $c.Client.Shutdown('Send')
            Get-Text (Read-ToEnd $ss) | Should -Be 'request'
            $ss.Write((Get-Bytes 'answer after FIN')); $server.Client.Shutdown('Send')
            Get-Text (Read-ToEnd $cs) | Should -Be 'answer after FIN'
            $c.Dispose(); $server.Dispose()

            # Server finishes first: the client reads the end of stream, then still sends.
            $c = New-Client $fwd.Port; $cs = $c.GetStream()
            $server = $upstream.AcceptTcpClient(); $ss = $server.GetStream(); $ss.ReadTimeout = 10000
            $ss.Write((Get-Bytes 'greeting then FIN')); $server.Client.Shutdown('Send')
            Get-Text (Read-ToEnd $cs) | Should -Be 'greeting then FIN'
            $cs.Write((Get-Bytes 'late words')); $c.Client.Shutdown('Send')
            Get-Text (Read-ToEnd $ss) | Should -Be 'late words'
            $c.Dispose(); $server.Dispose()
            Wait-Until { $fwd.ActivePairs -eq 0 }
        }
        finally { $upstream.Stop() }
    }

    It 'closes a client promptly when the upstream refuses, counts it, shows the error and keeps serving' {
        $closed = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
        $closed.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))   # bound, not listening: refused
        try {
            $fwd = Start-SocketListener 0 -ForwardTo $closed.LocalEndPoint -ConnectTimeout 2
            $fwd.ConnectTimeout | Should -Be ([timespan]::FromSeconds(2))
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $c = New-Client $fwd.Port
            try { $c.GetStream().Read([byte[]]::new(1), 0, 1) | Should -Be 0 } catch [System.IO.IOException] { }
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
            $c.Dispose()
            Wait-Until { $fwd.ForwardFailures -eq 1 }
            $seen = Get-SocketListener -Id $fwd.Id
            $seen.ForwardFailures | Should -Be 1
            $seen.LastForwardError.Kind | Should -Be 'ConnectionRefused'
            "$($seen.LastForwardError)" | Should -Match 'refused'
            $seen.State | Should -Be 'Listening'

            $closed.Listen(4)
            $c = New-Client $fwd.Port
            $server = $closed.Accept()
            $c.GetStream().Write((Get-Bytes 'hi'))
            $b = [byte[]]::new(2); $server.ReceiveTimeout = 10000; $null = $server.Receive($b)
            Get-Text $b | Should -Be 'hi'
            $c.Dispose(); $server.Dispose()
        }
        finally { $closed.Dispose() }
    }

    It 'resets the client when the upstream resets mid-stream' {
        $upstream = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $upstream.Start()
        try {
            $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($upstream.LocalEndpoint.Port)"
            $c = New-Client $fwd.Port
            $server = $upstream.AcceptSocket(); $server.ReceiveTimeout = 10000
            $c.GetStream().Write([byte[]]::new(100))
            $got = 0; while ($got -lt 100) { $got += $server.Receive([byte[]]::new(100 - $got)) }
            $server.LingerState = [System.Net.Sockets.LingerOption]::new($true, 0)
            $server.Dispose()   # RST (a TcpClient would send a FIN first)
            $err = $null
            try { $null = Read-ToEnd $c.GetStream() } catch { $err = $_.Exception }
            $err | Should -Not -BeNullOrEmpty -Because 'a reset is an error, not a clean end of stream'
            $err.GetBaseException().SocketErrorCode | Should -Be 'ConnectionReset'
            $c.Dispose()
        }
        finally { $upstream.Stop() }
    }

    It 'leaves no socket open after Stop-SocketListener with live pairs' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'socket descriptors are counted in /proc/self/fd'; return }
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()   # sockets other tests dropped without closing must not close during this count
        $before = Get-SocketCount
        $echo = Start-SocketListener 0 -Mode Echo
        $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($echo.Port)"
        $clients = 1..5 | ForEach-Object {
            $c = New-Client $fwd.Port
            $c.GetStream().Write([byte[]](1, 2, 3))
            $null = Read-Exactly $c.GetStream() 3
            $c
        }
        $fwd.ActivePairs | Should -Be 5
        $fwd | Stop-SocketListener
        foreach ($c in $clients) { (Read-ToEnd $c.GetStream()).Length | Should -Be 0; $c.Dispose() }
        Wait-Until { $echo.ActiveConnections -eq 0 }
        $echo | Stop-SocketListener
        Wait-Until { (Get-SocketCount) -eq $before }
    }

    It 'Remove-Module with live pairs closes every socket (in a child process)' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'socket descriptors are counted in /proc/self/fd'; return }
        $out = Join-Path ([IO.Path]::GetTempPath()) "ss-fwd-remove-$([guid]::NewGuid()).txt"
        $script = @"
function Count { @(Get-ChildItem /proc/self/fd -ErrorAction SilentlyContinue | Where-Object { "`$(`$_.LinkTarget)" -like 'socket:*' }).Count }
Import-Module '$((Resolve-Path $script:ModuleManifest).Path)'
`$before = Count
`$echo = Start-SocketListener 0 -Mode Echo
`$fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:`$(`$echo.Port)"
`$c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', `$fwd.Port)
`$s = `$c.GetStream(); `$s.ReadTimeout = 10000; `$s.Write([byte[]](1,2,3)); `$got = 0; while (`$got -lt 3) { `$got += `$s.Read([byte[]]::new(3), 0, 3 - `$got) }
`$pairs = `$fwd.ActivePairs
Remove-Module SocketShell
`$eof = `$s.Read([byte[]]::new(1), 0, 1)
`$c.Dispose()
`$deadline = [DateTime]::UtcNow.AddSeconds(10); while ((Count) -ne `$before -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 20 }
"`$pairs `$(`$fwd.State) `$eof `$((Count) - `$before)" | Set-Content '$out'
"@
        Invoke-Pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        Get-Content $out | Should -Be '1 Stopped 0 0'
        Remove-Item $out
    }

    It 'forwards UDP from 8 peers and routes every reply back to its own peer' {
        $echo = Start-SocketListener 0 -Protocol Udp -Mode Echo
        $fwd = Start-SocketListener 0 -Protocol Udp -ForwardTo "127.0.0.1:$($echo.Port)" -IdleTimeout 30
        $peers = 1..8 | ForEach-Object {
            $u = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
            $u.Client.ReceiveTimeout = 5000
            $u.Connect('127.0.0.1', $fwd.Port)
            $u
        }
        try {
            for ($i = 0; $i -lt 8; $i++) { $d = Get-Bytes "peer $i"; $null = $peers[$i].Send($d, $d.Length) }
            for ($i = 0; $i -lt 8; $i++) {
                $remote = $null
                Get-Text ($peers[$i].Receive([ref] $remote)) | Should -Be "peer $i"
            }
            $fwd.ActivePairs | Should -Be 8
            $echo.ConnectionCount | Should -Be 8
            $m = Receive-SocketData $fwd -Wait -Count 16 -Timeout 5
            @($m | Where-Object Direction -EQ 'ServerToClient').Count | Should -Be 8
        }
        finally { $peers | ForEach-Object Dispose }
    }

    It 'terminates TLS from clients and relays plain text upstream (a TLS front)' {
        $cert = New-SelfSignedCertificate
        $echo = Start-SocketListener 0 -Mode Echo
        $front = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($echo.Port)" -Certificate $cert
        $front.IsTls | Should -BeTrue
        $c = New-Client $front.Port
        $thumb = $cert.GetCertHashString()
        $tls = [System.Net.Security.SslStream]::new($c.GetStream(), $false, { param($s, $presented) $presented.GetCertHashString() -eq $thumb }.GetNewClosure())
        try {
            $tls.AuthenticateAsClient('localhost')
            $tls.Write((Get-Bytes 'secret'))
            Get-Text (Read-Exactly $tls 6) | Should -Be 'secret'
            (Receive-SocketData $echo -Wait -Timeout 5).Text | Should -Be 'secret'   # plain text upstream
        }
        finally { $tls.Dispose(); $c.Dispose() }
    }

    It 'speaks TLS to a TLS upstream with -ForwardTls, validating its certificate unless -SkipCertificateCheck' {
        $cert = New-SelfSignedCertificate
        $tlsEcho = Start-SocketListener 0 -Mode Echo -Certificate $cert
        $checked = Start-SocketListener 0 -ForwardTo "localhost:$($tlsEcho.Port)" -ForwardTls
        $c = New-Client $checked.Port
        try { $c.GetStream().Read([byte[]]::new(1), 0, 1) | Should -Be 0 } catch [System.IO.IOException] { }
        $c.Dispose()
        Wait-Until { $checked.ForwardFailures -eq 1 }
        $checked.LastForwardError.Kind | Should -Be 'TlsHandshakeFailed'

        $skipping = Start-SocketListener 0 -ForwardTo "localhost:$($tlsEcho.Port)" -ForwardTls -SkipCertificateCheck
        ($skipping | Format-Table | Out-String -Width 200) | Should -Match '\(TLS\)'
        $c = New-Client $skipping.Port
        $c.GetStream().Write((Get-Bytes 'over TLS'))
        Get-Text (Read-Exactly $c.GetStream() 8) | Should -Be 'over TLS'
        $c.Dispose()
    }

    It 'takes IPEndPoint, DnsEndPoint and [IPv6]:port targets, and -ForwardTo implies -Mode Forward' {
        (Start-SocketListener 0 -ForwardTo ([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 9))).ForwardTo | Should -BeExactly '127.0.0.1:9'
        (Start-SocketListener 0 -ForwardTo ([System.Net.DnsEndPoint]::new('localhost', 9))).ForwardTo | Should -BeExactly 'localhost:9'
        $six = Start-SocketListener 0 -Mode Forward -ForwardTo '[::1]:9'
        $six.ForwardTo | Should -BeExactly '[::1]:9'
        $six.GetForwardTarget().Host | Should -Be '::1'
        $six.Mode | Should -Be 'Forward'
        # A listener that travelled through remoting or a job still formats with its target and gives it back.
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($six))
        ($copy | Format-Table | Out-String -Width 200) | Should -Match ([regex]::Escape('[::1]:9'))
        (Start-SocketListener 0 -ForwardTo $copy.ForwardTo).ForwardTo | Should -BeExactly '[::1]:9'
        ($six | ConvertTo-Csv | Select-Object -Last 1) | Should -Match ([regex]::Escape('"[::1]:9"'))
    }

    It 'refuses a target without a port or with a bad host before anything binds' {
        $before = @(Get-SocketListener).Count
        { Start-SocketListener 0 -ForwardTo 'localhost' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -ForwardTo '127.1:80' -ErrorAction Stop } | Should -Throw '*four decimal numbers*'
        { Start-SocketListener 0 -ForwardTo '::1:80' -ErrorAction Stop } | Should -Throw '*brackets*'
        { Start-SocketListener 0 -ForwardTo 'bad host:80' -ErrorAction Stop } | Should -Throw '*not a valid host*'
        @(Get-SocketListener).Count | Should -Be $before
    }

    It 'refuses options that do not fit Forward mode with a clear error (ListenerOptionConflict, InvalidListenerOptions)' {
        { Start-SocketListener 0 -Mode Forward -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidListenerOptions,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Mode Echo -ForwardTo 127.0.0.1:9 -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Mode Echo -ConnectTimeout 2 -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -ForwardTo 127.0.0.1:9 -Banner 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -ForwardTo 127.0.0.1:9 -SkipCertificateCheck -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Protocol Udp -ForwardTo 127.0.0.1:9 -ForwardTls -ErrorAction Stop } | Should -Throw -ErrorId 'TcpOnlyParameter,SocketShell.Commands.StartSocketListenerCommand'
        { Start-SocketListener 0 -Mode Echo -ForwardTls -ErrorAction Stop } | Should -Throw '*-ForwardTls applies to Forward mode only*'
        $err = $null
        $null = Start-SocketListener 0 -Mode Forward -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Not -Match '\(Parameter'
    }

    It 'says where it would relay with -WhatIf and starts nothing' {
        $before = @(Get-SocketListener).Count
        Start-SocketListener 0 -ForwardTo 127.0.0.1:9 -WhatIf | Should -BeNullOrEmpty
        @(Get-SocketListener).Count | Should -Be $before
    }
}
