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
    }

    AfterAll {
        $c | Disconnect-Socket
        $l | Stop-SocketListener
    }

    It 'Export-Csv writes ProcessIds as "1,2", not a type name' -Skip:(-not $IsLinux) {
        $csv = $samples['SocketShell.SystemSocket'] | ConvertTo-Csv | ConvertFrom-Csv
        $csv.ProcessIds | Should -Be "$PID"
        $csv.LocalAddress | Should -Be '127.0.0.1'
    }

    It 'a deserialized <_> formats with the module''s own view' -ForEach @(
        'SocketShell.SocketListener', 'SocketShell.SocketConnection', 'SocketShell.SocketMessage', 'SocketShell.PortStatus',
        'SocketShell.PortRange', 'SocketShell.PortInfo', 'SocketShell.DatagramResult', 'SocketShell.SystemSocket'
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
}
