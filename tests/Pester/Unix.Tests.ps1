#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Unix domain sockets through every cmdlet that takes -Path. Sockets live in a temp directory each test makes
# and deletes; nothing leaves the machine.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function New-SocketDirectory {
        $d = Join-Path ([IO.Path]::GetTempPath()) ('ssp-' + [guid]::NewGuid().ToString('n').Substring(0, 10))
        (New-Item -ItemType Directory -Path $d).FullName
    }

    function New-StaleSocket([string] $Path) {
        # A socket file nothing listens on: bound, then closed (bound through KeptFileEndPoint, since .NET
        # deletes the file of a socket it bound to a UnixDomainSocketEndPoint when it is disposed).
        $s = [System.Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified')
        $ep = [System.Net.Sockets.UnixDomainSocketEndPoint]::new($Path)
        $type = [SocketShell.SocketListener].Assembly.GetType('SocketShell.Unix.KeptFileEndPoint', $true)
        $kept = $type.GetConstructors([Reflection.BindingFlags]'Instance,Public,NonPublic')[0].Invoke(@($ep))
        $s.Bind($kept)
        $s.Dispose()
    }
}

Describe 'Start-SocketListener -Path' -Tag CI {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach {
        Get-SocketListener | Where-Object Protocol -eq 'Unix' | Stop-SocketListener
        Get-Socket | Disconnect-Socket -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $dir -Recurse -Force
    }

    It 'round-trips in <Mode> mode through Connect-Socket -Path' -TestCases @(
        @{ Mode = 'Capture' }, @{ Mode = 'Echo' }, @{ Mode = 'Reply' }, @{ Mode = 'Discard' }
    ) {
        param($Mode)
        $path = Join-Path $dir "$Mode.sock"
        $extra = if ($Mode -eq 'Reply') { @{ Response = "OK`n" } } else { @{} }
        $l = Start-SocketListener -Path $path -Mode $Mode @extra
        $l.Protocol | Should -Be 'Unix'
        $l.Path | Should -Be $path
        $l.Name | Should -Be "unix-$Mode.sock"
        Test-Path -LiteralPath $path | Should -BeTrue
        $c = Connect-Socket -Path $path
        Send-SocketData -Socket $c -InputObject 'hello'
        switch ($Mode) {
            'Capture' {
                $m = Receive-SocketData -Listener $l -Wait -Count 1 -Timeout 10
                $m.Text | Should -Be "hello`n"
                $m.Protocol | Should -Be 'Unix'
                $m.LocalPath | Should -Be $path
            }
            'Echo' { (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'hello' }
            'Reply' { (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'OK' }
            'Discard' {
                Wait-Until { $l.BytesReceived -eq 6 }
                $l.CapturedBytes | Should -Be 0
            }
        }
        $l.ConnectionCount | Should -Be 1
    }

    It 'echoes 5 MB of random bytes unchanged (hashes equal)' {
        $path = Join-Path $dir 'big.sock'
        $l = Start-SocketListener -Path $path -Mode Echo -CaptureLimit 0
        $data = [byte[]]::new(5MB)
        [System.Security.Cryptography.RandomNumberGenerator]::Fill($data)
        $c = Connect-Socket -Path $path
        Send-SocketData -Socket $c -InputObject $data
        $back = Receive-SocketData -Socket $c -ByteCount 5MB -Timeout 30
        $back.Length | Should -Be 5MB
        [Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($back.Data)) |
            Should -Be ([Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($data)))
    }

    It 'removes the socket file on Stop-SocketListener' {
        $path = Join-Path $dir 'stop.sock'
        $l = Start-SocketListener -Path $path
        Test-Path -LiteralPath $path | Should -BeTrue
        $l | Stop-SocketListener
        Test-Path -LiteralPath $path | Should -BeFalse
        $l.State | Should -Be 'Stopped'
    }

    It 'removes the socket file on Remove-Module (in a child process)' {
        $path = Join-Path $dir 'removed.sock'
        $out = Join-Path $dir 'out.txt'
        $script = @"
Import-Module '$manifest'
`$l = Start-SocketListener -Path '$path'
`$before = Test-Path -LiteralPath '$path'
Remove-Module SocketShell
"`$before `$(`$l.State) `$(Test-Path -LiteralPath '$path')" | Set-Content '$out'
"@
        Invoke-Pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        Get-Content $out | Should -Be 'True Stopped False'
    }

    It 'removes the socket file when the runspace that started the listener closes (thread job)' {
        $path = Join-Path $dir 'job.sock'
        $job = Start-ThreadJob { Import-Module $using:manifest; Start-SocketListener -Path $using:path }
        $listener = $job | Wait-Job -Timeout 30 | Receive-Job
        $job | Remove-Job
        Wait-Until { $listener.State -eq 'Stopped' }
        Wait-Until { -not (Test-Path -LiteralPath $path) }
    }

    It 'leaves no socket file behind when pwsh exits without Remove-Module (in a child process)' {
        $path = Join-Path $dir 'exit.sock'
        Invoke-Pwsh -NoProfile -NonInteractive -Command "Import-Module '$manifest'; `$null = Start-SocketListener -Path '$path'; if (-not (Test-Path -LiteralPath '$path')) { exit 3 }; exit 0"
        $LASTEXITCODE | Should -Be 0
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'refuses a stale socket file without -Force (PathInUse) and replaces it with -Force' {
        $path = Join-Path $dir 'stale.sock'
        New-StaleSocket $path
        { Start-SocketListener -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'PathInUse,SocketShell.Commands.StartSocketListenerCommand'
        $l = Start-SocketListener -Path $path -Force
        $l.State | Should -Be 'Listening'
        Test-Port -Path $path -Quiet | Should -BeTrue
    }

    It 'never replaces a file that is not a socket, even with -Force' {
        $path = Join-Path $dir 'notes.txt'
        'keep me' | Set-Content -LiteralPath $path
        $err = $null
        Start-SocketListener -Path $path -Force -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'PathInUse,SocketShell.Commands.StartSocketListenerCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be $path
        Get-Content -LiteralPath $path | Should -Be 'keep me'
    }

    It 'refuses a path another listener holds (PathInUse) and leaves it working' {
        $path = Join-Path $dir 'live.sock'
        $first = Start-SocketListener -Path $path -Mode Echo
        { Start-SocketListener -Path $path -Force -ErrorAction Stop } | Should -Throw -ErrorId 'PathInUse,SocketShell.Commands.StartSocketListenerCommand'
        $c = Connect-Socket -Path $path
        Send-SocketData -Socket $c -InputObject 'still mine'
        (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'still mine'
    }

    It 'sets the socket file mode from -Permission <Mode>' -Skip:(-not ($IsLinux -or $IsMacOS)) -TestCases @(
        @{ Mode = '0600'; Expected = 'srw-------' }, @{ Mode = '0660'; Expected = 'srw-rw----' }, @{ Mode = 'UserRead, UserWrite, OtherWrite'; Expected = 'srw-----w-' }
    ) {
        param($Mode, $Expected)
        $path = Join-Path $dir 'mode.sock'
        $null = Start-SocketListener -Path $path -Permission $Mode
        (Get-Item -LiteralPath $path).UnixMode | Should -Be $Expected
    }

    It 'reads the digits of a number as octal, as chmod does (-Permission 0660 unquoted)' {
        $path = Join-Path $dir 'num.sock'
        $null = Start-SocketListener -Path $path -Permission 0660
        (Get-Item -LiteralPath $path).UnixMode | Should -Be 'srw-rw----'
    }

    It 'refuses a number with an 8 or 9 in it as no file mode' {
        { Start-SocketListener -Path (Join-Path $dir 'x.sock') -Permission 680 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.StartSocketListenerCommand' -ExpectedMessage '*octal*'
    }

    It 'shows the path in the listener table' {
        $path = Join-Path $dir 'view.sock'
        $l = Start-SocketListener -Path $path
        # The column is narrow: a long path keeps its end (the file name) and loses its start.
        ($l | Format-Table | Out-String -Width 300) | Should -Match 'view[.]sock'
    }
}

Describe 'Connect-Socket -Path' -Tag CI {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach {
        Get-SocketListener | Where-Object Protocol -eq 'Unix' | Stop-SocketListener
        Get-Socket | Disconnect-Socket -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $dir -Recurse -Force
    }

    It 'gives a SocketConnection that Get-Socket lists with the path, and Disconnect-Socket closes' {
        $path = Join-Path $dir 'svc.sock'
        $null = Start-SocketListener -Path $path -Mode Echo
        $c = Connect-Socket -Path $path
        $c | Should -BeOfType ([SocketShell.SocketConnection])
        $c.Protocol | Should -Be 'Unix'
        $c.Path | Should -Be $path
        $c.RemoteEndPoint | Should -BeNullOrEmpty
        (Get-Socket -Id $c.Id).Path | Should -Be $path
        ($c | Format-Table | Out-String -Width 300) | Should -Match 'svc[.]sock'
        Send-SocketData -Socket $c -InputObject 'a|b' -NoNewline
        (Receive-SocketData -Socket $c -Until '|' -Timeout 10).Text | Should -Be 'a'
        (Receive-SocketData -Socket $c -ByteCount 1 -Timeout 10).Text | Should -Be 'b'
        Disconnect-Socket -Socket $c
        $c.State | Should -Be 'Closed'
    }

    It 'resolves a relative path against the current location' {
        $null = Start-SocketListener -Path (Join-Path $dir 'rel.sock') -Mode Echo
        Push-Location $dir
        try { $c = Connect-Socket -Path ./rel.sock } finally { Pop-Location }
        $c.Path | Should -Be (Join-Path $dir 'rel.sock')
    }

    It 'talks HTTP to a local API over its socket (as with /var/run/docker.sock)' {
        $path = Join-Path $dir 'api.sock'
        $null = Start-SocketListener -Path $path -Mode Reply -CloseAfterReply -Response "HTTP/1.1 200 OK`r`nContent-Length: 2`r`nConnection: close`r`n`r`nok"
        $c = Connect-Socket -Path $path
        Send-SocketData -Socket $c -InputObject "GET /_ping HTTP/1.1`r`nHost: localhost`r`n" -NewLine "`r`n"
        (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'HTTP/1.1 200 OK'
    }

    It 'reports <Case> as <ErrorId>' -TestCases @(
        @{ Case = 'a missing path'; ErrorId = 'PathNotFound'; Category = 'ObjectNotFound'; Make = { } }
        @{ Case = 'a regular file'; ErrorId = 'NotASocket'; Category = 'InvalidArgument'; Make = { param($p) 'x' | Set-Content -LiteralPath $p } }
        @{ Case = 'a stale socket file'; ErrorId = 'ConnectionRefused'; Category = 'ConnectionError'; Make = { param($p) New-StaleSocket $p } }
    ) {
        param($Case, $ErrorId, $Category, $Make)
        $path = Join-Path $dir 'target'
        & $Make $path
        $err = $null
        Connect-Socket -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be "$ErrorId,SocketShell.Commands.ConnectSocketCommand"
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].TargetObject | Should -Be $path
    }

    It 'reports AccessDenied to a user without permission' -Skip:(-not $IsLinux) {
        if ([Environment]::UserName -eq 'root') {
            Set-ItResult -Skipped -Because 'running as root, which may connect to any socket file; the engine test Another_user_without_permission_gets_AccessDenied runs this case as user nobody'
            return
        }
        $path = Join-Path $dir 'private.sock'
        $s = [System.Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified')
        try {
            $s.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($path)); $s.Listen()
            chmod 000 $path
            { Connect-Socket -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'AccessDenied,SocketShell.Commands.ConnectSocketCommand'
        } finally { $s.Dispose() }
    }
}

Describe 'Send-Datagram -Path and Receive-Datagram -Path' -Tag CI {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach { Remove-Item -LiteralPath $dir -Recurse -Force }

    It 'sends an RFC 5424 line and more to a datagram socket a receiver made, whole and in order' {
        $path = Join-Path $dir 'log.sock'
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Receive-Datagram').AddParameter('Path', $path).AddParameter('Count', 2).AddParameter('Timeout', 20)
            $h = $ps.BeginInvoke()
            Wait-Until { Test-Path -LiteralPath $path }
            $line = '<14>1 2026-12-02T01:00:00Z host app 42 - - hello from SocketShell'
            $sent = $line, 'second' | Send-Datagram -Path $path
            $sent.Count | Should -Be 2
            $sent[0].Status | Should -Be 'Sent'
            $sent[0].Path | Should -Be $path
            $sent[0].BytesSent | Should -Be ([Text.Encoding]::UTF8.GetByteCount($line))
            $got = $ps.EndInvoke($h)
            $got.Count | Should -Be 2
            $got[0].Text | Should -Be $line
            $got[1].Text | Should -Be 'second'
            $got[0].Protocol | Should -Be 'Unix'
            $got[0].LocalPath | Should -Be $path
        } finally { $ps.Dispose() }
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'stops at once on Ctrl+C and removes its socket file' {
        $path = Join-Path $dir 'ctrlc.sock'
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddCommand('Receive-Datagram').AddParameter('Path', $path)
            $h = $ps.BeginInvoke()
            Wait-Until { Test-Path -LiteralPath $path }
            $stopped = $ps.BeginStop($null, $null)
            $stopped.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
        Test-Path -LiteralPath $path | Should -BeFalse
    }

    It 'reports a path with nothing there as PathNotFound' {
        { Send-Datagram -Path (Join-Path $dir 'none.sock') -Data 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'PathNotFound,SocketShell.Commands.SendDatagramCommand'
    }

    It 'refuses to create its socket over a regular file (PathInUse)' {
        $path = Join-Path $dir 'file'
        'x' | Set-Content -LiteralPath $path
        { Receive-Datagram -Path $path -Count 1 -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'PathInUse,SocketShell.Commands.ReceiveDatagramCommand'
    }
}

Describe 'Test-Port -Path' -Tag CI {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach {
        Get-SocketListener | Where-Object Protocol -eq 'Unix' | Stop-SocketListener
        Remove-Item -LiteralPath $dir -Recurse -Force
    }

    It 'says Open, Closed and NotFound, with the path as ComputerName' {
        $live = Join-Path $dir 'live.sock'; $stale = Join-Path $dir 'stale.sock'; $none = Join-Path $dir 'none.sock'
        $null = Start-SocketListener -Path $live
        New-StaleSocket $stale
        $r = Test-Port -Path $live, $stale, $none
        $r.Status | Should -Be @('Open', 'Closed', 'NotFound')
        $r[0].Path | Should -Be $live
        $r[0].ComputerName | Should -Be $live
        Test-Port -Path $live, $none -Quiet | Should -Be @($true, $false)
    }

    It 'waits with -Wait: Open at once for a live socket, WaitTimeout (OperationTimeout) for one that never appears' {
        $live = Join-Path $dir 'up.sock'
        $null = Start-SocketListener -Path $live
        (Test-Port -Path $live -Wait -WaitTimeout 5).Status | Should -Be 'Open'
        $err = $null
        $r = Test-Port -Path (Join-Path $dir 'never.sock') -Wait -WaitTimeout 0.3 -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'NotFound'
        $err[0].FullyQualifiedErrorId | Should -Be 'WaitTimeout,SocketShell.Commands.TestPortCommand'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
    }

    It 'takes paths from Get-SystemSocket objects in the pipeline' -Skip:(-not $IsLinux) {
        $path = Join-Path $dir 'piped.sock'
        $null = Start-SocketListener -Path $path
        (Get-SystemSocket -Path $path -Listening | Test-Port).Status | Should -Be 'Open'
    }

    It 'rejects -Path together with -Port as a parameter set error' {
        { Test-Port -Path (Join-Path $dir 'x.sock') -Port 80 -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,SocketShell.Commands.TestPortCommand'
    }
}

Describe 'Get-SystemSocket -Protocol Unix' -Tag CI -Skip:(-not $IsLinux) {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach {
        Get-SocketListener | Where-Object Protocol -eq 'Unix' | Stop-SocketListener
        Get-Socket | Disconnect-Socket -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $dir -Recurse -Force
    }

    It 'finds exactly its own listener and connection, with this process id, name and the path' {
        $path = Join-Path $dir 'table.sock'
        $l = Start-SocketListener -Path $path
        $c = Connect-Socket -Path $path
        Wait-Until { $l.ActiveConnections -eq 1 }
        $name = (Get-Process -Id $PID).ProcessName
        $found = @(Get-SystemSocket -Path "$dir/*")
        $found.Count | Should -Be 2
        ($found.State | Sort-Object) | Should -Be @('Established', 'Listen')
        foreach ($s in $found) {
            $s | Should -BeOfType ([SocketShell.UnixSystemSocket])
            $s.Path | Should -Be $path
            $s.Type | Should -Be 'Stream'
            $s.ProcessId | Should -Be $PID
            $s.ProcessName | Should -Be $name
        }
        $listening = @(Get-SystemSocket -Protocol Unix -Listening -ProcessId $PID | Where-Object Path -eq $path)
        $listening.Count | Should -Be 1
        # The client end is unnamed; netlink names its peer.
        $accepted = $found | Where-Object State -eq 'Established'
        $client = Get-SystemSocket -Protocol Unix -ProcessName $name | Where-Object PeerInode -eq $accepted.Inode
        $client.PeerPath | Should -Be $path
        ($found | Format-Table | Out-String -Width 300) | Should -Match ([regex]::Escape($path))
        # Readable cells outside the pipeline: ProcessIds as "pid", not a type name.
        ($found[0] | ConvertTo-Csv | ConvertFrom-Csv).ProcessIds | Should -Be "$PID"
        ($found[0] | ConvertTo-Json | ConvertFrom-Json).Path | Should -Be $path
    }

    It 'lists no Unix socket for an IP-only filter, and keeps Tcp/Udp the default' {
        # Unix alone with a TCP/UDP filter could match nothing: refused (rule 4), not an empty answer.
        { Get-SystemSocket -Protocol Unix -LocalPort 22 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.GetSystemSocketCommand'
        @(Get-SystemSocket -Protocol Tcp, Unix -LocalPort 22) | Where-Object { $_ -is [SocketShell.UnixSystemSocket] } | Should -BeNullOrEmpty
        @(Get-SystemSocket -Protocol Tcp, Udp) | Where-Object { $_ -is [SocketShell.UnixSystemSocket] } | Should -BeNullOrEmpty
        @(Get-SystemSocket) | Where-Object { $_ -is [SocketShell.UnixSystemSocket] } | Should -BeNullOrEmpty
    }
}

Describe 'Forward mode between TCP and Unix sockets' -Tag CI {
    BeforeEach { $dir = New-SocketDirectory }
    AfterEach {
        Get-SocketListener | Stop-SocketListener
        Get-Socket | Disconnect-Socket -ErrorAction SilentlyContinue
        Remove-Item -LiteralPath $dir -Recurse -Force
    }

    It 'relays a TCP port to a Unix socket and records both directions' {
        $path = Join-Path $dir 'upstream.sock'
        $upstream = Start-SocketListener -Path $path -Mode Echo
        $front = Start-SocketListener 0 -ForwardTo $path
        $front.Mode | Should -Be 'Forward'
        "$($front.ForwardTo)" | Should -Be $path
        $c = Connect-Socket 127.0.0.1 $front.Port
        'through the relay' | Send-SocketData $c
        (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'through the relay'
        (Receive-SocketData $upstream -Wait -Timeout 10).Text | Should -Be "through the relay`n"
        $seen = @(Receive-SocketData $front -Wait -Count 2 -Timeout 10)
        $seen.Direction | Should -Be @('ClientToServer', 'ServerToClient')
        ($seen.Text | Select-Object -Unique) | Should -Be "through the relay`n"
        $front.ForwardFailures | Should -Be 0
    }

    It 'relays a Unix socket listener to a TCP port' {
        $upstream = Start-SocketListener 0 -Mode Echo
        $path = Join-Path $dir 'front.sock'
        $front = Start-SocketListener -Path $path -ForwardTo "127.0.0.1:$($upstream.Port)"
        $front.Protocol | Should -Be 'Unix'
        $front.Mode | Should -Be 'Forward'
        $c = Connect-Socket -Path $path
        'unix to tcp' | Send-SocketData $c
        (Receive-SocketData -Socket $c -Line -Timeout 10).Text | Should -Be 'unix to tcp'
        (Receive-SocketData $upstream -Wait -Timeout 10).Text | Should -Be "unix to tcp`n"
        Wait-Until { $front.UpstreamBytesSent -eq 12 -and $front.UpstreamBytesReceived -eq 12 }
        $front | Stop-SocketListener
        $path | Should -Not -Exist
    }

    It 'refuses a Unix listener that forwards to its own path' {
        $path = Join-Path $dir 'self.sock'
        { Start-SocketListener -Path $path -ForwardTo $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidListenerOptions,SocketShell.Commands.StartSocketListenerCommand'
        $path | Should -Not -Exist
    }
}
