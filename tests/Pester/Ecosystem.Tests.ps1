# Rule 5 of issue 10: objects work in the whole PowerShell ecosystem: readable CSV cells, and deserialized
# copies (jobs, remoting, Import-Clixml all use the same serializer) format with the module's views.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'SocketShell' 'SocketShell.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    function Copy-Deserialized($InputObject) {
        $path = Join-Path ([IO.Path]::GetTempPath()) "ss-clixml-$([guid]::NewGuid()).xml"
        try { $InputObject | Export-Clixml $path; Import-Clixml $path } finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }
}

Describe 'Objects outside the pipeline' -Tag CI {
    BeforeAll {
        $l = Start-SocketListener 0
        $c = Connect-Socket 127.0.0.1 $l.Port
        'hi' | Send-SocketData $c
        $m = Receive-SocketData $l -Wait
        $udpPort = (Get-AvailablePort -Protocol Udp).Port
        $samples = @{
            'SocketShell.SocketListener'   = $l
            'SocketShell.SocketConnection' = $c
            'SocketShell.SocketMessage'    = $m
            'SocketShell.PortStatus'       = Test-Port 127.0.0.1 $l.Port
            'SocketShell.PortRange'        = Get-PortRange -Name System
            'SocketShell.PortInfo'         = Get-PortRange -Port 22
            'SocketShell.DatagramResult'   = Send-Datagram 127.0.0.1 $udpPort 'x'
        }
        if ($IsLinux) { $samples['SocketShell.SystemSocket'] = Get-SystemSocket -Listening -LocalPort $l.Port }
        $unixDir = Join-Path ([IO.Path]::GetTempPath()) ('sse-' + [guid]::NewGuid().ToString('n').Substring(0, 10))
        $null = New-Item -ItemType Directory -Path $unixDir
        $u = Start-SocketListener -Path (Join-Path $unixDir 'eco.sock')
        if ($IsLinux) { $samples['SocketShell.UnixSystemSocket'] = Get-SystemSocket -Path (Join-Path $unixDir 'eco.sock') }
    }

    AfterAll {
        $c | Disconnect-Socket
        $l | Stop-SocketListener
        $u | Stop-SocketListener
        Remove-Item -LiteralPath $unixDir -Recurse -Force
    }

    It 'Export-Csv writes ProcessIds as "1,2", not a type name' -Skip:(-not $IsLinux) {
        $csv = $samples['SocketShell.SystemSocket'] | ConvertTo-Csv | ConvertFrom-Csv
        $csv.ProcessIds | Should -Be "$PID"
        $csv.LocalAddress | Should -Be '127.0.0.1'
    }

    It 'the socket table view keeps endpoints, state and process name at 80 columns' -Skip:(-not $IsLinux) {
        $lines = ($samples['SocketShell.SystemSocket'] | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Local\s+Remote\s+State\s+Process$'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $lines | Should -HaveCount 3   # header, rule, one row: nothing wrapped
        $lines[2] | Should -Match "127\.0\.0\.1:$($l.Port)"
        $lines[2] | Should -Match "\($PID\)"
    }

    It 'the listener view fits 120 columns with a Forward target, and keeps State at 80' {
        $fwd = Start-SocketListener 0 -ForwardTo "127.0.0.1:$($l.Port)"
        try {
            $wide = ($l, $fwd | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
            $wide | Should -HaveCount 4   # header, rule, two rows: nothing wrapped
            $wide | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
            $wide[0] | Should -Match 'LocalEndPoint\s+State\s+ForwardTo\s+ConnectionCount\s+BytesReceived$'
            $wide[3] | Should -Match ([regex]::Escape("127.0.0.1:$($l.Port)"))
            $narrow = ($l, $fwd | Format-Table | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() }
            $narrow[0] | Should -Match '^\s*Id\s+Name\s+Protocol\s+Mode\s+LocalEndPoint\s+State'
            $narrow | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        }
        finally { $fwd | Stop-SocketListener }
    }

    It 'a deserialized <_> formats with the module''s own view' -ForEach @(
        'SocketShell.SocketListener', 'SocketShell.SocketConnection', 'SocketShell.SocketMessage', 'SocketShell.PortStatus',
        'SocketShell.PortRange', 'SocketShell.PortInfo', 'SocketShell.DatagramResult', 'SocketShell.SystemSocket',
        'SocketShell.UnixSystemSocket'
    ) {
        if (-not $samples.ContainsKey($_)) { Set-ItResult -Skipped -Because 'the socket table is verified on Linux only'; return }
        $live = $samples[$_]
        $copy = Copy-Deserialized $live
        $copy.PSObject.TypeNames[0] | Should -Be "Deserialized.$_"
        (Get-FormatData -TypeName "Deserialized.$_") | Should -Not -BeNullOrEmpty
        # The same table, cell for cell, as the live object gives (the view's script blocks accept both).
        $liveTable = ($live | Format-Table | Out-String -Width 200) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
        $copyTable = ($copy | Format-Table | Out-String -Width 200) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
        $copyTable[0] | Should -Be $liveTable[0]
        if ($_ -notin 'SocketShell.SocketListener', 'SocketShell.SocketConnection') {
            # Live objects' counters may have moved on; the others must match exactly.
            $copyTable | Should -Be $liveTable
        }
    }
    It 'objects that come back from Start-Job (another process) format with the module''s views' {
        $port = $l.Port
        $fromJob = Start-Job {
            param($Manifest, $Port)
            Import-Module $Manifest
            Test-Port 127.0.0.1 $Port
            Get-PortRange -Name System
        } -ArgumentList (Resolve-Path $manifest).Path, $port | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
        $fromJob | Should -HaveCount 2
        foreach ($copy in $fromJob) {
            $type = $copy.PSObject.TypeNames[0] -replace '^Deserialized\.'
            $copy.PSObject.TypeNames[0] | Should -Be "Deserialized.$type"
            $liveHeader = (($samples[$type] | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0].TrimEnd()
            $copyHeader = (($copy | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0].TrimEnd()
            $copyHeader | Should -Be $liveHeader
            $copyHeader | Should -Not -Match 'RunspaceId|PSComputerName'
        }
        $fromJob[0].Status.ToString() | Should -Be 'Open'
    }
}


Describe 'Completion and help examples' -Tag CI {
    BeforeAll {
        function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
    }

    It 'completes Get-SystemSocket -LocalPort and -RemotePort from service names' {
        Complete 'Get-SystemSocket -LocalPort ht' | Should -Contain '80'
        Complete 'Get-SystemSocket -RemotePort http' | Should -Contain '443'
    }

    It 'completes -Id of Get-/Stop-SocketListener with listener ids, not file names' {
        $l = Start-SocketListener 0
        try {
            foreach ($cmd in 'Get-SocketListener', 'Stop-SocketListener') {
                $ids = Complete "$cmd -Id "
                $ids | Should -Contain "$($l.Id)"
                $ids | ForEach-Object { $_ | Should -Match '^\d+$' }
            }
        }
        finally { $l | Stop-SocketListener }
    }

    It 'completes -ProcessName only with processes that own sockets (no kernel threads)' -Skip:(-not $IsLinux) {
        $l = Start-SocketListener 0
        try {
            $names = Complete 'Get-SystemSocket -ProcessName '
            $names | Should -Contain (Get-Process -Id $PID).ProcessName
            $names | Should -Not -Contain 'kthreadd'
            Complete 'Get-SystemSocket -ProcessName kworker' | Should -BeNullOrEmpty
        }
        finally { $l | Stop-SocketListener }
    }

    It 'Start-SocketListener example 3 prints ok, as the help shows' {
        $r = "HTTP/1.1 200 OK`r`nContent-Type: text/plain`r`nContent-Length: 2`r`nConnection: close`r`n`r`nok"
        $l = Start-SocketListener -Port 0 -Mode Reply -Response $r -CloseAfterReply
        try {
            Invoke-WebRequest "http://127.0.0.1:$($l.Port)/" -NoProxy -TimeoutSec 10 | Select-Object -ExpandProperty Content | Should -Be 'ok'
        }
        finally { $l | Stop-SocketListener }
    }
}
