#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'ClientPeer.ps1')
}

Describe 'Get-Socket' -Tag CI {
    BeforeAll {
        Get-Socket | Disconnect-Socket
        $listener = New-TestListener
        $port = $listener.LocalEndpoint.Port
        $a = Connect-Socket 127.0.0.1 $port
        $sa = Wait-TestAccept $listener $a
        $b = Connect-Socket localhost $port
        $sb = Wait-TestAccept $listener $b
    }

    AfterAll {
        Get-Socket | Disconnect-Socket
        $sa.Dispose(); $sb.Dispose()
        $listener.Stop()
        $listener.Dispose()
    }

    It 'lists this session''s connections, oldest first, as the same live objects' {
        $all = Get-Socket
        $all | Should -HaveCount 2
        $all[0] | Should -BeOfType ([SocketShell.SocketConnection])
        $all.Id | Should -Be @($a.Id, $b.Id)
        [object]::ReferenceEquals($all[0], $a) | Should -BeTrue
    }

    It 'shows current counters when read later' {
        $null = $sa.Send([byte[]](1, 2, 3))
        Wait-Until { (Get-Socket -Id $a.Id).BytesReceived -eq 3 }
        (Get-Socket -Id $a.Id).BufferedBytes | Should -Be 3
    }

    It 'gets by -Id, positionally and from the pipeline by property name' {
        (Get-Socket $b.Id).ComputerName | Should -Be 'localhost'
        ($b | Get-Socket).Id | Should -Be $b.Id
        (Get-Socket -Id $a.Id, $b.Id) | Should -HaveCount 2
    }

    It 'writes SocketNotFound for an Id it does not list, and goes on' {
        $got = Get-Socket -Id 999999, $a.Id -ErrorAction SilentlyContinue -ErrorVariable err
        $got.Id | Should -Be $a.Id
        $err[0].FullyQualifiedErrorId | Should -Be 'SocketNotFound,SocketShell.Commands.GetSocketCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        { Get-Socket -Id 999999 -ErrorAction Stop } | Should -Throw -ErrorId 'SocketNotFound,SocketShell.Commands.GetSocketCommand'
    }

    It 'keeps listing a connection the peer closed, and filters by -State' {
        $sb.Shutdown('Both')
        Wait-Until { $b.State -eq 'Closed' }
        (Get-Socket -State Closed).Id | Should -Be $b.Id
        (Get-Socket -State Open).Id | Should -Be $a.Id
        Get-Socket -State Faulted | Should -BeNullOrEmpty
        { Get-Socket -State Sideways -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SocketShell.Commands.GetSocketCommand'
    }

    It 'pipes into Disconnect-Socket' {
        Get-Socket -State Closed | Disconnect-Socket
        (Get-Socket).Id | Should -Be $a.Id
    }

    It 'has a default table view with the columns people want first' {
        $text = Get-Socket | Format-Table | Out-String -Width 200
        foreach ($column in 'Id', 'ComputerName', 'RemoteEndPoint', 'State', 'IsTls', 'BytesSent', 'BytesReceived') {
            $text | Should -Match $column
        }
        $text | Should -Not -Match 'ConnectedAt'
    }
}
