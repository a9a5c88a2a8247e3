# Rule 1 of issue 10: listeners and connections belong to the runspace that made them. Another runspace
# (a thread job, a ForEach-Object -Parallel runspace) sees none of them and cannot remove them by
# Remove-Module; a runspace that closes cleans up only its own; objects handed over ($using:) still work.

Describe 'Session state per runspace' -Tag CI {
    BeforeAll {
        $manifest = (Resolve-Path "$PSScriptRoot/../../out/SocketShell/SocketShell.psd1").Path
        Import-Module $manifest -Force
        . "$PSScriptRoot/TestHelpers.ps1"
        function Test-TcpOpen([int] $Port) {
            try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port); $c.Dispose(); $true } catch { $false }
        }
    }

    It 'Remove-Module in a thread job does not stop the main session''s listener' {
        $l = Start-SocketListener 0
        try {
            $job = Start-ThreadJob { Import-Module $using:manifest; Remove-Module SocketShell; 'removed' }
            $job | Wait-Job -Timeout 30 | Receive-Job | Should -Be 'removed'
            $job | Remove-Job
            $l.State | Should -Be 'Listening'
            Get-SocketListener -Id $l.Id | Should -Be $l
            Test-TcpOpen $l.Port | Should -BeTrue
        }
        finally { $l | Stop-SocketListener }
    }

    It 'ForEach-Object -Parallel lists none of the main session''s listeners or connections' {
        $l = Start-SocketListener 0
        $c = Connect-Socket 127.0.0.1 $l.Port
        try {
            $seen = 1..2 | ForEach-Object -Parallel {
                Import-Module $using:manifest
                @(Get-SocketListener).Count + @(Get-Socket).Count
            } -TimeoutSeconds 30
            $seen | Should -Be @(0, 0)
            Get-SocketListener | Should -Contain $l
            Get-Socket | Should -Contain $c
        }
        finally { $c | Disconnect-Socket; $l | Stop-SocketListener }
    }

    It 'a runspace that closes stops its own listeners and closes its own connections' {
        $mine = Start-SocketListener 0
        try {
            $job = Start-ThreadJob {
                Import-Module $using:manifest
                $l = Start-SocketListener 0
                $l
                Connect-Socket 127.0.0.1 $l.Port
            }
            $made = $job | Wait-Job -Timeout 30 | Receive-Job
            $job | Remove-Job
            $listener = $made | Where-Object { $_ -is [SocketShell.SocketListener] }
            $connection = $made | Where-Object { $_ -isnot [SocketShell.SocketListener] }
            Wait-Until { $listener.State -eq 'Stopped' -and $connection.State -eq 'Closed' }
            Test-TcpOpen $listener.Port | Should -BeFalse
            $mine.State | Should -Be 'Listening'
            Get-SocketListener | Should -Not -Contain $listener
        }
        finally { $mine | Stop-SocketListener }
    }

    It 'a listener handed to another runspace ($using:) can be stopped there' {
        $l = Start-SocketListener 0
        $job = Start-ThreadJob { Import-Module $using:manifest; Stop-SocketListener -InputObject $using:l -PassThru }
        $stopped = $job | Wait-Job -Timeout 30 | Receive-Job
        $job | Remove-Job
        $stopped | Should -Be $l
        $l.State | Should -Be 'Stopped'
        Get-SocketListener | Should -Not -Contain $l
    }

    It 'ids and names are per runspace: the main session''s id is not found in another' {
        $name = "scope-$PID"
        $l = Start-SocketListener 0 -Name $name
        try {
            $job = Start-ThreadJob {
                Import-Module $using:manifest
                Get-SocketListener -Name $using:name -ErrorAction SilentlyContinue -ErrorVariable e
                $e.FullyQualifiedErrorId
            }
            $job | Wait-Job -Timeout 30 | Receive-Job | Should -Be 'ListenerNotFound,SocketShell.Commands.GetSocketListenerCommand'
            $job | Remove-Job
        }
        finally { $l | Stop-SocketListener }
    }
}
