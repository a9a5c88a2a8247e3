#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
}

Describe 'Get-PortRange' -Tag CI {
    Context 'ranges' {
        It 'writes the three IANA ranges under their RFC 6335 names' {
            $iana = Get-PortRange | Where-Object Source -EQ 'IANA'
            $iana.Name | Should -Be @('System', 'User', 'Dynamic')
            ($iana | Where-Object Name -EQ 'System').End | Should -Be 1023
            ($iana | Where-Object Name -EQ 'User').Start | Should -Be 1024
            ($iana | Where-Object Name -EQ 'Dynamic').Count | Should -Be 16384
        }

        It 'writes typed SocketShell.PortRange objects' {
            $r = Get-PortRange -Name System
            $r | Should -BeOfType ([SocketShell.PortRange])
            $r.PSObject.TypeNames[0] | Should -Be 'SocketShell.PortRange'
            $r.Start | Should -BeOfType ([int])
            $r.Count | Should -Be 1024
        }

        It 'reads the ephemeral range the way Linux documents it' -Skip:(-not $IsLinux) {
            $procfs = (Get-Content /proc/sys/net/ipv4/ip_local_port_range -Raw).Trim() -split '\s+'
            $e = Get-PortRange -Name Ephemeral
            $e.Start | Should -Be ([int]$procfs[0])
            $e.End | Should -Be ([int]$procfs[1])
            $e.Source | Should -Be '/proc/sys/net/ipv4/ip_local_port_range'
            $e.Protocol | Should -Be 'Any'
        }

        It 'writes an ephemeral range on every OS' {
            Get-PortRange -Name Ephemeral | Should -Not -BeNullOrEmpty
        }

        It 'filters names with wildcards' {
            (Get-PortRange -Name 'Sys*', 'Dyn*').Name | Should -Be @('System', 'Dynamic')
            Get-PortRange -Name 'NoSuchRange*' | Should -BeNullOrEmpty
        }

        It 'converts to JSON and filters by typed properties' {
            $json = Get-PortRange -Name System | ConvertTo-Json | ConvertFrom-Json
            $json.End | Should -Be 1023
            (Get-PortRange | Where-Object Count -GT 20000).Name | Should -Contain 'User'
        }
    }

    Context 'ports' {
        It 'describes one port per input, from the pipeline' {
            $info = 22, 443, 50000 | Get-PortRange
            $info.Count | Should -Be 3
            $info[0] | Should -BeOfType ([SocketShell.PortInfo])
            $info.Range | Should -Be @('System', 'System', 'Dynamic')
        }

        It 'takes lists and ranges as strings' {
            (Get-PortRange -Port '80,8000-8002').Port | Should -Be @(80, 8000, 8001, 8002)
        }

        It 'binds by property name' {
            ([pscustomobject]@{ Port = 8080 } | Get-PortRange).Port | Should -Be 8080
        }

        It 'names services from the services database' {
            (Get-PortRange -Port 22 -Protocol Tcp).Services | Should -Contain 'ssh'
            (Get-PortRange -Port 22 -Protocol Tcp).Services | Should -BeOfType ([string])
        }

        It 'marks ephemeral ports' {
            $e = Get-PortRange -Name Ephemeral | Select-Object -First 1
            (Get-PortRange -Port $e.Start).IsEphemeral | Should -BeTrue
            if ($e.Start -gt 0) { (Get-PortRange -Port ($e.Start - 1)).IsEphemeral | Should -BeFalse }
        }

        It 'refuses a port outside 0-65535 with the port in the message' {
            { Get-PortRange -Port 70000 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError,SocketShell.Commands.GetPortRangeCommand' -ExpectedMessage '*70000*'
        }

        It 'refuses a value that is not a port with the value in the message' {
            { Get-PortRange -Port 'http' -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'http'*"
            { Get-PortRange -Port -1 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-1*'
        }
    }

    Context 'completion' {
        It 'completes -Port with well-known ports by service name and by number' {
            $line = 'Get-PortRange -Port htt'
            $byName = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $byName.CompletionText | Should -Contain '80'
            $byName.CompletionText | Should -Contain '443'
            $line = 'Test-Port localhost 44'
            $byNumber = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $byNumber.CompletionText | Should -Contain '443'
            $byNumber.CompletionText | ForEach-Object { $_ | Should -BeLike '44*' }
        }
    }

    Context 'help' {
        It 'has help with examples' {
            $helpFile = Join-Path (Split-Path (Get-Module SocketShell).Path) 'en-US' 'SocketShell.dll-Help.xml'
            if (-not (Test-Path $helpFile)) {
                Set-ItResult -Skipped -Because 'help is built by build.ps1 -Task Docs'
                return
            }
            $help = Get-Help Get-PortRange -Full
            $help.Synopsis | Should -Match 'port ranges'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        }
    }
}
