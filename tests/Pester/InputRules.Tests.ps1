# Rule 2 of issue 10: input is never silently reinterpreted. Every cmdlet that takes a host runs the same
# check before resolving or sending anything; one destination-port rule (1-65535) everywhere.
# Loopback only: the shorthands below are refused before any resolution, so nothing is ever sent to
# what they would resolve to.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

Describe 'Host and port input rules' -Tag CI {
    BeforeDiscovery {
        $notHosts = @(
            @{ Name = '[::1]:8080'; Why = 'includes a port (8080)' }
            @{ Name = '127.0.0.1:80'; Why = 'includes a port (80)' }
            @{ Name = 'host:80'; Why = 'includes a port (80)' }
            @{ Name = '1'; Why = '0.0.0.1' }
            @{ Name = '22'; Why = '0.0.0.22' }
            @{ Name = '127.1'; Why = '127.0.0.1' }
            @{ Name = '0x7f.1'; Why = '127.0.0.1' }
            @{ Name = '017.0.0.1'; Why = '15.0.0.1' }
            @{ Name = ' '; Why = 'empty' }
        )
        $cmdlets = @(
            @{ Cmdlet = 'Test-Port'; Call = { param($h) Test-Port $h 80 -Timeout 0.2 -ErrorAction Continue } }
            @{ Cmdlet = 'Connect-Socket'; Call = { param($h) Connect-Socket $h 80 -Timeout 0.2 -ErrorAction Continue } }
            @{ Cmdlet = 'Send-Datagram'; Call = { param($h) Send-Datagram $h 9 'x' -ErrorAction Continue } }
        )
        $cases = foreach ($c in $cmdlets) { foreach ($n in $notHosts) { @{ Cmdlet = $c.Cmdlet; Call = $c.Call; Name = $n.Name; Why = $n.Why } } }
    }

    It '<Cmdlet> refuses <Name> as InvalidComputerName and sends nothing' -ForEach $cases {
        $all = @(& $Call $Name 2>&1)
        $err = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidComputerName,SocketShell.Commands.*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -BeLike "*$Why*"
        $err[0].Exception.Message | Should -Not -BeLike '*(Parameter*'
        $err[0].Exception | Should -BeOfType ([SocketShell.SocketShellException])
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Port*'
    }

    It '<Cmdlet> refuses destination port 0 at binding, as every cmdlet does' -ForEach @(
        @{ Cmdlet = 'Test-Port'; Call = { Test-Port 127.0.0.1 0 -ErrorAction Stop } }
        @{ Cmdlet = 'Connect-Socket'; Call = { Connect-Socket 127.0.0.1 0 -ErrorAction Stop } }
        @{ Cmdlet = 'Send-Datagram'; Call = { Send-Datagram 127.0.0.1 0 'x' -ErrorAction Stop } }
    ) {
        $Call | Should -Throw -ErrorId "ParameterArgumentValidationError,SocketShell.Commands.$($Cmdlet -replace '-', '')Command"
    }

    It 'Test-Port goes on with the next host after one that is not a host' {
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $l.Start()
        try {
            $r = Test-Port '22', '127.0.0.1' $l.LocalEndpoint.Port -ErrorVariable err -ErrorAction SilentlyContinue
            $r | Should -HaveCount 1
            $r.ComputerName | Should -Be '127.0.0.1'
            $r.Status | Should -Be 'Open'
            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -Be '22'
        }
        finally { $l.Stop() }
    }
}

Describe 'Options that would do nothing are refused or warned about (more cases)' -Tag CI {
    BeforeAll {
        $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
        Import-Module $manifest -Force -ErrorAction Stop
    }

    It 'Start-SocketListener -Mode Discard -CaptureLimit is a ListenerOptionConflict (nothing is kept in Discard mode)' {
        { Start-SocketListener 0 -Mode Discard -CaptureLimit 10 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ListenerOptionConflict,SocketShell.Commands.StartSocketListenerCommand'
        Get-SocketListener | Where-Object Mode -eq 'Discard' | Should -BeNullOrEmpty
        $ok = Start-SocketListener 0 -Mode Capture -CaptureLimit 10
        $ok.CaptureLimit | Should -Be 10
        $ok | Stop-SocketListener
    }

    It 'Receive-SocketData -Listener -Timeout without -Wait warns that it has no effect, and returns at once' {
        $l = Start-SocketListener 0
        try {
            $null = Receive-SocketData $l -Timeout 30 -WarningVariable w -WarningAction SilentlyContinue
            $w | Should -HaveCount 1
            "$w" | Should -Match '-Wait'
            $null = Receive-SocketData $l -Wait -Timeout 50ms -WarningVariable w2 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            $w2 | Should -BeNullOrEmpty
        }
        finally { $l | Stop-SocketListener }
    }

    It 'Get-SystemSocket filters that cannot match the table asked for are a ParameterConflict, not an empty answer: <_>' -ForEach @(
        '-Protocol Unix -LocalPort 22', '-Protocol Unix -RemoteAddress 127.0.0.1', '-Protocol Unix -AddressFamily IPv4',
        '-Path /tmp/x.sock -LocalPort 22', '-Path /tmp/x.sock -Protocol Tcp'
    ) {
        $sb = [scriptblock]::Create("Get-SystemSocket $_ -ErrorAction Stop")
        $sb | Should -Throw -ErrorId 'ParameterConflict,SocketShell.Commands.GetSystemSocketCommand'
    }

    It 'Get-SystemSocket mixing Unix with TCP keeps the TCP filters for the TCP sockets' -Skip:(-not $IsLinux) {
        $l = Start-SocketListener 0
        try {
            (Get-SystemSocket -Protocol Tcp, Unix -LocalPort $l.Port -Listening).LocalPort | Should -Be $l.Port
        }
        finally { $l | Stop-SocketListener }
    }
}
