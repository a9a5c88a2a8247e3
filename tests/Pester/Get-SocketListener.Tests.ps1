#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

AfterAll {
    Get-SocketListener | Stop-SocketListener
}

Describe 'Get-SocketListener' -Tag CI {
    BeforeAll {
        Get-SocketListener | Stop-SocketListener
        $a = Start-SocketListener 0 -Name 'get-alpha'
        $b = Start-SocketListener 0 -Name 'get-beta' -Protocol Udp
    }

    It 'lists every running listener by id' {
        $all = Get-SocketListener
        $all.Name | Should -Be @('get-alpha', 'get-beta')
        $all | ForEach-Object { $_ | Should -BeOfType ([SocketShell.SocketListener]) }
    }

    It 'takes names with wildcards, case-insensitively' {
        (Get-SocketListener -Name 'GET-*').Count | Should -Be 2
        (Get-SocketListener 'get-b*').Protocol | Should -Be 'Udp'
    }

    It 'takes ids' {
        (Get-SocketListener -Id $a.Id).Name | Should -Be 'get-alpha'
        (Get-SocketListener -Id $a.Id, $b.Id).Count | Should -Be 2
    }

    It 'returns the same live object Start-SocketListener returned' {
        $got = Get-SocketListener -Id $a.Id
        [object]::ReferenceEquals($got, $a) | Should -BeTrue
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $a.Port)
        $c.GetStream().Write([byte[]](1, 2), 0, 2)
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ($got.BytesReceived -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $a.BytesReceived | Should -Be 2
        $c.Dispose()
    }

    It 'writes ListenerNotFound for an unknown name or id, nothing for an unmatched wildcard' {
        { Get-SocketListener -Name 'nope' -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerNotFound,SocketShell.Commands.GetSocketListenerCommand'
        { Get-SocketListener -Id 99999 -ErrorAction Stop } | Should -Throw -ErrorId 'ListenerNotFound,SocketShell.Commands.GetSocketListenerCommand'
        Get-SocketListener -Name 'nothing-*' | Should -BeNullOrEmpty
    }

    It 'no longer lists a stopped listener' {
        $tmp = Start-SocketListener 0 -Name 'get-temp'
        Stop-SocketListener -InputObject $tmp
        Get-SocketListener -Name 'get-temp' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'has a default table view' {
        $text = Get-SocketListener | Format-Table | Out-String
        $text | Should -Match 'LocalEndPoint'
        $text | Should -Match 'get-alpha'
    }
}
