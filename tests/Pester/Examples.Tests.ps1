#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Rule 5 of issue 10: help examples run as written. The examples below need nothing but loopback, so they
# are taken from the help pages themselves (the PS> lines), run with their fixed ports swapped for free
# ones, and what they print is compared with what the page shows. Loopback only.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    $docs = Join-Path $PSScriptRoot '..' '..' 'docs' 'en-US'

    function Get-Example([string] $Page, [int] $Number) {
        # The example's code block: Commands (the PS> and >> lines joined) and Shown (every other line).
        $text = Get-Content -Raw (Join-Path $docs "$Page.md")
        $m = [regex]::Match($text, "(?s)### Example $($Number):[^\n]*\n``````powershell\n(.*?)``````")
        if (-not $m.Success) { throw "$Page has no Example $Number" }
        $lines = $m.Groups[1].Value -split "`n"
        $commands = [System.Collections.Generic.List[string]]::new()
        $shown = [System.Collections.Generic.List[string]]::new()
        foreach ($line in $lines) {
            if ($line -like 'PS> *') { $commands.Add($line.Substring(4)) }
            elseif ($line -like '>> *' -or $line -like '>>  *') { $commands[$commands.Count - 1] += "`n" + $line.Substring(3) }
            elseif ($line.Trim()) { $shown.Add($line.TrimEnd()) }
        }
        [pscustomobject]@{ Commands = $commands; Shown = $shown }
    }

    function Invoke-Example($Example, [hashtable] $Ports) {
        # Runs the commands in one scope, ports swapped (whole numbers only), and returns what they print.
        $code = $Example.Commands -join "`n"
        foreach ($p in $Ports.Keys) { $code = $code -replace "(?<![\d.])$p(?!\d)", $Ports[$p] }
        $output = & ([scriptblock]::Create($code)) 2>&1 | Out-String -Width 120
        ($output -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })
    }
}

Describe 'Help examples that need only loopback' -Tag CI {
    AfterEach {
        Get-Socket | Disconnect-Socket
        Get-SocketListener | Stop-SocketListener
    }

    It 'Start-SocketListener example 3 (a fake HTTP server) prints ok, as the page says' {
        $ex = Get-Example 'Start-SocketListener' 3
        $ex.Shown | Should -Contain 'ok'
        $port = (Get-AvailablePort).Port
        $out = Invoke-Example $ex @{ '8080' = $port }
        $out[-1] | Should -BeExactly 'ok'
    }

    It 'Start-SocketListener example 1 shows what the client sent' {
        $ex = Get-Example 'Start-SocketListener' 1
        $out = Invoke-Example $ex @{}
        $out[0] | Should -BeExactly $ex.Shown[0]   # the view's header, as on the page
        $out[-1] | Should -Match 'hello$'
        ($ex.Shown[-1] -split '\s+')[-1] | Should -BeExactly 'hello'
    }

    It 'Receive-SocketData example 1 shows the header and the line the page shows' {
        $ex = Get-Example 'Receive-SocketData' 1
        $out = Invoke-Example $ex @{}
        $out[0] | Should -BeExactly $ex.Shown[0]
        $out[1] | Should -BeExactly $ex.Shown[1]
        ($out[-1] -split '\s+', 5)[-1] | Should -BeExactly ($ex.Shown[-1] -split '\s+', 5)[-1]   # Length and Text
    }

    It 'Get-PortRange example 2 describes the ports as the page does' {
        $ex = Get-Example 'Get-PortRange' 2
        $out = Invoke-Example $ex @{}
        $out[0] | Should -BeExactly $ex.Shown[0]
        foreach ($port in 22, 443, 8080) {
            $page = $ex.Shown | Where-Object { $_ -match "^\s*$port " }
            $got = $out | Where-Object { $_ -match "^\s*$port " }
            # Port, Range, IsEphemeral, IsReserved, Protocol: the machine's services database may name more services.
            ($got -split '\s+' | Where-Object { $_ })[0..4] -join ' ' | Should -BeExactly (($page -split '\s+' | Where-Object { $_ })[0..4] -join ' ')
        }
    }

    It 'Get-AvailablePort example 4 gives the ErrorId the page shows' {
        $ex = Get-Example 'Get-AvailablePort' 4
        $out = Invoke-Example $ex @{}
        $out | Should -Be $ex.Shown
    }

    It 'Send-Datagram example 4 sends one datagram per item, with the byte counts the page shows' {
        $ex = Get-Example 'Send-Datagram' 4
        $sink = Start-SocketListener 0 -Protocol Udp -Mode Discard
        $out = Invoke-Example $ex @{ '9999' = $sink.Port }
        $out[0] | Should -BeExactly $ex.Shown[0]
        @($out | Select-Object -Skip 2) | Should -Be @($ex.Shown | Select-Object -Skip 2 | ForEach-Object { $_ -replace ':9999 ', (":$($sink.Port)" + ' ' * (4 - "$($sink.Port)".Length + 1)) })
    }

    It 'Send-Datagram example 3 tells PortUnreachable for a port nobody listens on' {
        $ex = Get-Example 'Send-Datagram' 3
        $free = (Get-AvailablePort -Protocol Udp).Port
        $out = Invoke-Example $ex @{ '5353' = $free }
        $out | Should -Be $ex.Shown
    }
}
