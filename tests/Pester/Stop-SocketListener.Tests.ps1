#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

AfterAll {
    Get-SocketListener | Stop-SocketListener
}

Describe 'Stop-SocketListener' -Tag CI {
    It 'stops by pipeline, keeps final counters and closes the port' {
        $l = Start-SocketListener 0
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port)
        $c.GetStream().Write([byte[]](1, 2, 3), 0, 3)
        $null = Receive-SocketData $l -Wait -Timeout 5 -Peek
        $out = Get-SocketListener -Id $l.Id | Stop-SocketListener -PassThru
        $out.State | Should -Be 'Stopped'
        $l.State | Should -Be 'Stopped'
        $l.BytesReceived | Should -Be 3
        $l.ActiveConnections | Should -Be 0
        $c.Client.Poll(5000000, 'SelectRead') | Should -BeTrue
        $c.GetStream().Read([byte[]]::new(1), 0, 1) | Should -Be 0
        $c.Dispose()
        { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port) } | Should -Throw
    }

    It 'stops by name with wildcards and by id' {
        $a = Start-SocketListener 0 -Name 'stop-a'
        $b = Start-SocketListener 0 -Name 'stop-b'
        $c = Start-SocketListener 0 -Name 'other-c'
        Stop-SocketListener -Name 'stop-*'
        $a.State | Should -Be 'Stopped'
        $b.State | Should -Be 'Stopped'
        Stop-SocketListener -Id $c.Id
        $c.State | Should -Be 'Stopped'
    }

    It 'writes nothing without -PassThru' {
        $l = Start-SocketListener 0
        Stop-SocketListener -InputObject $l | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        $l = Start-SocketListener 0
        Stop-SocketListener -InputObject $l -WhatIf
        $l.State | Should -Be 'Listening'
        Stop-SocketListener -InputObject $l
    }

    It 'writes ListenerNotFound for an unknown name or id' {
        { Stop-SocketListener -Name 'nope' -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerNotFound,SocketShell.Commands.StopSocketListenerCommand'
        { Stop-SocketListener -Id 99999 -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerNotFound,SocketShell.Commands.StopSocketListenerCommand'
    }

    It 'leaves no socket open after stopping a listener with live connections' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'socket descriptors are counted in /proc/self/fd'; return }
        $before = Get-SocketCount
        $l = Start-SocketListener 0 -Mode Echo
        $u = Start-SocketListener 0 -Protocol Udp
        $clients = 1..5 | ForEach-Object { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.Port) }
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ($l.ActiveConnections -lt 5 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $l.ActiveConnections | Should -Be 5
        $l, $u | Stop-SocketListener
        $clients | ForEach-Object { $_.Dispose() }
        Get-SocketCount | Should -Be $before
    }

    It 'Remove-Module stops every listener (in a child process)' {
        $out = Join-Path ([IO.Path]::GetTempPath()) "ss-remove-$([guid]::NewGuid()).txt"
        $script = @"
Import-Module '$manifest'
`$l = Start-SocketListener 0
`$port = `$l.Port
Remove-Module SocketShell
`$state = `$l.State
try { `$c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', `$port); `$c.Dispose(); `$open = 'open' } catch { `$open = 'closed' }
"`$state `$open" | Set-Content '$out'
"@
        Invoke-Pwsh -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        Get-Content $out | Should -Be 'Stopped closed'
        Remove-Item $out
    }
}
