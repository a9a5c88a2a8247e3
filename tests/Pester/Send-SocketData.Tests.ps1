#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'ClientPeer.ps1')
}

Describe 'Send-SocketData' -Tag CI {
    BeforeAll {
        $listener = New-TestListener
        $port = $listener.LocalEndpoint.Port
    }

    AfterAll {
        $listener.Stop()
        $listener.Dispose()
    }

    BeforeEach {
        $c = Connect-Socket 127.0.0.1 $port
        $server = Wait-TestAccept $listener $c
    }

    AfterEach {
        $server.Dispose()
        $c | Disconnect-Socket
    }

    It 'sends each piped string followed by a newline, encoded as UTF-8 without BOM' {
        'hello', 'wörld' | Send-SocketData $c
        $expected = [System.Text.Encoding]::UTF8.GetBytes("hello`nwörld`n")
        (Read-TestSocket $server $expected.Length) -join ',' | Should -Be ($expected -join ',')
        $c.BytesSent | Should -Be $expected.Length
    }

    It 'sends an array given as an argument exactly as the same items piped (issue 10)' {
        Send-SocketData $c 'a', 'b'
        'c', 'd' | Send-SocketData $c
        Send-SocketData $c 1, 'x'
        $expected = [System.Text.Encoding]::UTF8.GetBytes("a`nb`nc`nd`n1`nx`n")
        (Read-TestSocket $server $expected.Length) -join ',' | Should -Be ($expected -join ',')
        $c.BytesSent | Should -Be $expected.Length
    }

    It 'refuses -Encoding utf8BOM instead of sending utf8 without the mark it promises' {
        { Send-SocketData $c 'x' -Encoding utf8BOM -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.SendSocketDataCommand'
        { Send-Datagram 127.0.0.1 9 'x' -Encoding utf8BOM -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.SendDatagramCommand'
        $c.BytesSent | Should -Be 0
    }

    It 'uses -NewLine after each string, or nothing with -NoNewline' {
        'A', 'B' | Send-SocketData $c -NewLine "`r`n"
        Send-SocketData $c -InputObject 'C' -NoNewline
        Send-SocketData -Socket $c -Data '' -NoNewline
        [System.Text.Encoding]::ASCII.GetString((Read-TestSocket $server 7)) | Should -Be "A`r`nB`r`nC"
    }

    It 'sends bytes as they are, whether given or piped' {
        Send-SocketData $c ([byte[]](0, 1, 2, 255))
        [byte[]](10, 13, 0) | Send-SocketData $c
        (Read-TestSocket $server 7) -join ',' | Should -Be '0,1,2,255,10,13,0'
        $c.BytesSent | Should -Be 7
    }

    It 'honours -Encoding and sends numbers as text' {
        'hé' | Send-SocketData $c -Encoding unicode -NoNewline
        42 | Send-SocketData $c -Encoding ascii
        $bytes = Read-TestSocket $server 7
        [System.Text.Encoding]::Unicode.GetString($bytes[0..3]) | Should -Be 'hé'
        [System.Text.Encoding]::ASCII.GetString($bytes[4..6]) | Should -Be "42`n"
    }

    It 'writes the connection with -PassThru, and nothing without it' {
        'x' | Send-SocketData $c | Should -BeNullOrEmpty
        $out = 'y' | Send-SocketData $c -PassThru
        $out | Should -Be $c
        $out.BytesSent | Should -Be 4
    }

    It 'refuses -NoNewline with -NewLine' {
        { 'x' | Send-SocketData $c -NoNewline -NewLine "`r`n" -ErrorAction Stop } |
            Should -Throw -ErrorId 'NewLineConflict,SocketShell.Commands.SendSocketDataCommand'
    }

    It 'is a ConnectionClosed error after the peer closed, and after Disconnect-Socket' {
        $server.Shutdown('Both')
        Wait-Until { $c.State -ne 'Open' }
        $c.State | Should -Be 'Closed'
        { 'late' | Send-SocketData $c -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionClosed,SocketShell.Commands.SendSocketDataCommand'

        $other = Connect-Socket 127.0.0.1 $port
        $s2 = Wait-TestAccept $listener $other
        Disconnect-Socket $other
        # Terminating for the call: nothing more can be sent on a closed connection.
        $err = @(try { 'late', 'later' | Send-SocketData $other; 'not reached' } catch { $_ })
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'ConnectionClosed,SocketShell.Commands.SendSocketDataCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err[0].TargetObject | Should -Be "127.0.0.1:$port"
        $s2.Dispose()
    }

    It 'is a ConnectionClosed error after the peer reset the connection' {
        $server.LingerState = [System.Net.Sockets.LingerOption]::new($true, 0)
        $server.Close()
        Wait-Until { $c.State -ne 'Open' }
        $c.State | Should -Be 'Faulted'
        $c.Error | Should -Match 'reset'
        { 'x' | Send-SocketData $c -ErrorAction Stop } |
            Should -Throw -ErrorId 'ConnectionClosed,SocketShell.Commands.SendSocketDataCommand'
    }

    It 'stops at once on Ctrl+C while the peer does not read' {
        $ps = New-TestPowerShell
        try {
            $null = $ps.AddScript({
                param($Connection)
                $big = [byte[]]::new(64MB)
                Send-SocketData $Connection $big
            }).AddArgument($c)
            $handle = $ps.BeginInvoke()
            # BytesSent grows while the send runs (piece by piece), then stalls when the buffers are full.
            Wait-Until { $c.BytesSent -gt 0 -and $ps.InvocationStateInfo.State -eq 'Running' }
            # The peer never reads: the send blocks once the socket buffers are full.
            $handle.AsyncWaitHandle.WaitOne(500) | Should -BeFalse
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.ElapsedMilliseconds | Should -BeLessThan 5000
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $c.State | Should -Be 'Open'
            # Counters count what really went out (issue 10): not 0, not the whole 64 MB.
            $c.BytesSent | Should -BeGreaterThan 0
            $c.BytesSent | Should -BeLessThan 64MB
        }
        finally { $ps.Dispose() }
    }
}
