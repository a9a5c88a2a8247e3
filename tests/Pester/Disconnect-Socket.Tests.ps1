#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'ClientPeer.ps1')
}

Describe 'Disconnect-Socket' -Tag CI {
    BeforeAll {
        $listener = New-TestListener
        $port = $listener.LocalEndpoint.Port
    }

    AfterAll {
        $listener.Stop()
        $listener.Dispose()
    }

    It 'closes gracefully: the peer reads a normal end of stream, and the connection leaves the list' {
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
        try {
            'bye' | Send-SocketData $c
            Disconnect-Socket $c
            # The peer gets the data then 0 bytes (FIN), not a reset exception.
            [System.Text.Encoding]::ASCII.GetString((Read-TestSocket $server 100)) | Should -Be "bye`n"
            $c.State | Should -Be 'Closed'
            $c.ClosedAt | Should -Not -BeNullOrEmpty
            $c.BytesSent | Should -Be 4
            Get-Socket | Where-Object Id -EQ $c.Id | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'reads what the peer still sends while draining' {
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
        $ready = [hashtable]::Synchronized(@{ Reading = $false })
        $ps = New-TestPowerShell
        try {
            # The peer answers our FIN with a last message, then closes.
            $null = $ps.AddScript({
                param($Server, $Ready)
                $buf = [byte[]]::new(16)
                $Ready.Reading = $true
                while ($Server.Receive($buf) -gt 0) { }
                $null = $Server.Send([System.Text.Encoding]::ASCII.GetBytes('tail'))
                $Server.Shutdown('Both')
            }).AddArgument($server).AddArgument($ready)
            $handle = $ps.BeginInvoke()
            Wait-Until { $ready.Reading }
            Disconnect-Socket $c -Timeout 20
            $handle.AsyncWaitHandle.WaitOne(10000) | Should -BeTrue
            $c.BytesReceived | Should -Be 4
            $c.State | Should -Be 'Closed'
        }
        finally { $ps.Dispose(); $server.Dispose() }
    }

    It 'takes connections from the pipeline, supports -WhatIf and -PassThru' {
        $a = Connect-Socket 127.0.0.1 $port
        $sa = Wait-TestAccept $listener $a
        $b = Connect-Socket 127.0.0.1 $port
        $sb = Wait-TestAccept $listener $b
        try {
            $a, $b | Disconnect-Socket -WhatIf
            $a.State | Should -Be 'Open'
            $b.State | Should -Be 'Open'

            $sa.Dispose(); $sb.Dispose()
            $out = $a, $b | Disconnect-Socket -PassThru
            $out | Should -HaveCount 2
            $out.State | Should -Be @('Closed', 'Closed')
            Get-Socket | Where-Object Id -In $a.Id, $b.Id | Should -BeNullOrEmpty
        }
        finally { $sa.Dispose(); $sb.Dispose() }
    }

    It 'removes a connection the peer already closed or reset, keeping its final state' {
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
        $server.LingerState = [System.Net.Sockets.LingerOption]::new($true, 0)
        $server.Close()
        Wait-Until { $c.State -ne 'Open' }
        Disconnect-Socket $c
        $c.State | Should -Be 'Faulted'
        Get-Socket -Id $c.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'closes at once with -Timeout 0, and refuses a bad -Timeout' {
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
        try {
            Disconnect-Socket $c -Timeout 0
            $c.State | Should -Be 'Closed'
            { Disconnect-Socket $c -Timeout 'later' -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.DisconnectSocketCommand'
        }
        finally { $server.Dispose() }
    }

    It 'leaves no socket open afterwards' {
        $before = Get-SocketCount
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
        (Get-SocketCount) | Should -Be ($before + 2)
        $server.Dispose()
        Disconnect-Socket $c
        (Get-SocketCount) | Should -Be $before
    }

    It 'closes every connection on Remove-Module' {
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddScript({
                param($Port)
                Connect-Socket 127.0.0.1 $Port
                Connect-Socket 127.0.0.1 $Port
                Remove-Module SocketShell
            }).AddArgument($port)
            $handle = $ps.BeginInvoke()
            $handle.AsyncWaitHandle.WaitOne(20000) | Should -BeTrue
            $made = $ps.EndInvoke($handle)
            $made | Should -HaveCount 2
            $made.State | Should -Be @('Closed', 'Closed')
            # Each peer sees a normal end of stream (FIN, not a reset): the module closed both when it was removed.
            foreach ($c in $made) {
                $s = Wait-TestAccept $listener $c
                Read-TestSocket $s 1 | Should -BeNullOrEmpty
                $s.Dispose()
            }
        }
        finally { $ps.Dispose() }
    }
}
