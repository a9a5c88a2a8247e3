#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

# The help as a user sees it: every build ships en-US/SocketShell.dll-Help.xml and about_SocketShell.help.txt.
BeforeDiscovery {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    $script:cmdlets = (Import-PowerShellDataFile $manifest).CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help' -Tag CI {
    It 'ships the help files in the module folder' {
        $base = Split-Path (Get-Module SocketShell).Path
        Join-Path $base 'en-US' 'SocketShell.dll-Help.xml' | Should -Exist
        Join-Path $base 'en-US' 'about_SocketShell.help.txt' | Should -Exist
    }

    It '<Name> has a synopsis, a description, every parameter described and an example' -ForEach $cmdlets {
        $help = Get-Help $Name -Full
        $help.Name | Should -Be $Name
        # Without external help, Get-Help makes the synopsis from the syntax line ("Name [-Param] ...").
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)".Trim() | Should -Not -BeLike "$Name *"
        ($help.Description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
        $declared = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }
        $declared | Should -Not -BeNullOrEmpty
        foreach ($p in $declared) {
            $ph = Get-Help $Name -Parameter $p
            ($ph.Description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs a description"
        }
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        @($help.Examples.Example)[0].Code | Should -Not -BeNullOrEmpty
    }

    It 'shows a parameter''s description from the pages (Connect-Socket -Timeout)' {
        $text = (Get-Help Connect-Socket -Parameter Timeout).Description.Text -join ' '
        $text | Should -Match 'whole call'
    }

    It 'finds the about topic' {
        $about = Get-Help about_SocketShell
        $about | Should -Not -BeNullOrEmpty
        "$about" | Should -Match 'SocketShell is socket administration'
    }
}
