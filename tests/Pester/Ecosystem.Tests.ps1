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

    It 'ConvertTo-Json of a <_> writes addresses as text, never IPAddress or certificate internals' -ForEach @(
        'SocketShell.SocketListener', 'SocketShell.SocketConnection', 'SocketShell.SocketMessage', 'SocketShell.PortStatus',
        'SocketShell.PortRange', 'SocketShell.PortInfo', 'SocketShell.DatagramResult', 'SocketShell.SystemSocket',
        'SocketShell.UnixSystemSocket'
    ) {
        if (-not $samples.ContainsKey($_)) { Set-ItResult -Skipped -Because 'the socket table is verified on Linux only'; return }
        $json = $samples[$_] | ConvertTo-Json -Depth 6 -WarningAction SilentlyContinue
        $json | Should -Not -Match 'IsIPv6Teredo|IsIPv4MappedToIPv6|"Address"\s*:\s*\d|"ScopeId"|"RawData"|"PublicKey"|"TargetSite"'
        if ($_ -notin 'SocketShell.PortRange', 'SocketShell.PortInfo', 'SocketShell.UnixSystemSocket') {
            $json | Should -Match '"(127\.0\.0\.1|127\.0\.0\.1:\d+)"'
        }
    }

    It 'IPv6 addresses are written as users type them: "::1" and "[::1]:port"' {
        $six = Start-SocketListener 0 -Address ::1
        try {
            $c6 = Connect-Socket ::1 $six.Port
            try {
                $tp = Test-Port ::1 $six.Port
                $tp.RemoteAddress | Should -BeExactly '::1'
                $tp.RemoteEndPoint | Should -BeExactly "[::1]:$($six.Port)"
                ($tp | ConvertTo-Json) | Should -Match '"RemoteAddress":\s*"::1"'
                ($six | ConvertTo-Json) | Should -Match ('"LocalEndPoint":\s*"' + [regex]::Escape("[::1]:$($six.Port)") + '"')
                ($c6 | ConvertTo-Json) | Should -Match ('"RemoteEndPoint":\s*"' + [regex]::Escape("[::1]:$($six.Port)") + '"')
                $d = Send-Datagram ::1 $udpPort 'x'
                $d.RemoteEndPoint | Should -BeExactly "[::1]:$udpPort"
            }
            finally { $c6 | Disconnect-Socket }
        }
        finally { $six | Stop-SocketListener }
    }

    It 'Export-Csv of a <_> writes readable cells (no type names but for raw bytes)' -ForEach @(
        'SocketShell.SocketListener', 'SocketShell.SocketConnection', 'SocketShell.SocketMessage', 'SocketShell.PortStatus',
        'SocketShell.PortRange', 'SocketShell.PortInfo', 'SocketShell.DatagramResult', 'SocketShell.SystemSocket',
        'SocketShell.UnixSystemSocket'
    ) {
        if (-not $samples.ContainsKey($_)) { Set-ItResult -Skipped -Because 'the socket table is verified on Linux only'; return }
        $row = $samples[$_] | ConvertTo-Csv | ConvertFrom-Csv
        foreach ($p in $row.PSObject.Properties) {
            if ($p.Name -in 'Data', 'BannerBytes') { continue }   # byte[] payloads; Text/Banner carry them as text
            $p.Value | Should -Not -Match '^(System|SocketShell)\.[\w.`\[\]]+$' -Because "$($p.Name) should be a readable cell"
        }
    }

    It 'PortInfo.Services is a list in the pipeline and "a, b" in a CSV cell' {
        $info = Get-PortRange -Port 80
        if ($info.Services.Count -eq 0) { Set-ItResult -Skipped -Because 'the services database has no name for port 80'; return }
        @($info.Services) | Should -Contain 'http'
        ($info | ConvertTo-Csv | ConvertFrom-Csv).Services | Should -BeExactly ($info.Services -join ', ')
    }

    It 'text properties filter as typed: Where-Object RemoteAddress -eq ''127.0.0.1'' and friends' {
        $samples['SocketShell.PortStatus'] | Where-Object RemoteAddress -eq '127.0.0.1' | Should -HaveCount 1
        $samples['SocketShell.SocketListener'] | Where-Object LocalEndPoint -eq "127.0.0.1:$($l.Port)" | Should -HaveCount 1
        $samples['SocketShell.SocketMessage'] | Where-Object RemoteEndPoint -like '127.0.0.1:*' | Should -HaveCount 1
        $samples['SocketShell.SocketConnection'] | Where-Object RemoteEndPoint -eq "127.0.0.1:$($l.Port)" | Should -HaveCount 1
        if ($IsLinux) {
            Get-SystemSocket -Listening -Protocol Tcp | Where-Object { $_.LocalAddress -eq '127.0.0.1' -and $_.LocalPort -eq $l.Port } | Should -HaveCount 1
        }
    }

    It 'the Get...() methods give the rich .NET values for the pipeline' {
        $samples['SocketShell.SocketListener'].GetLocalEndPoint() | Should -BeOfType ([System.Net.IPEndPoint])
        $samples['SocketShell.SocketListener'].GetLocalEndPoint().Port | Should -Be $l.Port
        $samples['SocketShell.SocketConnection'].GetRemoteEndPoint() | Should -Be ([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $l.Port))
        $samples['SocketShell.SocketConnection'].GetRemoteAddress() | Should -Be ([ipaddress]::Loopback)
        $samples['SocketShell.SocketConnection'].GetLocalEndPoint() | Should -BeOfType ([System.Net.IPEndPoint])
        $samples['SocketShell.SocketMessage'].GetRemoteEndPoint() | Should -Be $samples['SocketShell.SocketConnection'].GetLocalEndPoint()
        $samples['SocketShell.SocketMessage'].GetLocalEndPoint().Port | Should -Be $l.Port
        $samples['SocketShell.PortStatus'].GetRemoteAddress() | Should -Be ([ipaddress]::Loopback)
        $samples['SocketShell.PortStatus'].GetRemoteEndPoint().Port | Should -Be $l.Port
        $samples['SocketShell.DatagramResult'].GetRemoteEndPoint() | Should -Be ([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $udpPort))
        $samples['SocketShell.DatagramResult'].GetRemoteAddress() | Should -Be ([ipaddress]::Loopback)
        if ($IsLinux) {
            $s = $samples['SocketShell.SystemSocket']
            $s.GetLocalAddress() | Should -Be ([ipaddress]::Loopback)
            $s.GetLocalEndPoint() | Should -Be ([System.Net.IPEndPoint]::new([ipaddress]::Loopback, $l.Port))
            $s.GetRemoteAddress() | Should -Be ([ipaddress]::Any)
        }
        # Unix objects: the IP methods give null, never throw.
        $u.GetLocalEndPoint() | Should -BeNullOrEmpty
    }

    It 'a deserialized <_> keeps its addresses as the same text' -ForEach @(
        'SocketShell.SocketListener', 'SocketShell.SocketConnection', 'SocketShell.SocketMessage', 'SocketShell.PortStatus',
        'SocketShell.DatagramResult', 'SocketShell.SystemSocket'
    ) {
        if (-not $samples.ContainsKey($_)) { Set-ItResult -Skipped -Because 'the socket table is verified on Linux only'; return }
        $live = $samples[$_]
        $copy = Copy-Deserialized $live
        foreach ($name in 'LocalAddress', 'RemoteAddress', 'LocalEndPoint', 'RemoteEndPoint') {
            if ($live.PSObject.Properties[$name]) {
                $copy.$name | Should -BeExactly $live.$name
                if ($null -ne $live.$name) { $copy.$name | Should -BeOfType ([string]) }
            }
        }
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


Describe 'Table views at 120 and 80 columns' -Tag CI {
    # Rule 5: every table view fits 120 columns without losing its key columns, and at 80 it drops trailing
    # columns rather than wrapping a row or a header. IPv4 and IPv6 rows side by side, long names included.
    BeforeAll {
        $l4 = Start-SocketListener 0 -Mode Echo -Name 'a-rather-long-listener-name'
        $l6 = Start-SocketListener 0 -Address ::1
        $fw = Start-SocketListener 0 -ForwardTo '[::1]:9'
        $c4 = Connect-Socket 127.0.0.1 $l4.Port
        $c6 = Connect-Socket ::1 $l6.Port
        ('long text ' * 20) | Send-SocketData $c4
        'x' | Send-SocketData $c6
        $udp = (Get-AvailablePort -Protocol Udp).Port
        $views = @(
            @{ Name = 'SocketListener'; Objects = { $l4, $l6, $fw }; Keys = 'Id', 'Name', 'Protocol', 'Mode', 'LocalEndPoint', 'State' }
            @{ Name = 'SocketConnection'; Objects = { $c4, $c6 }; Keys = 'Id', 'ComputerName', 'RemoteEndPoint', 'State' }
            @{ Name = 'SocketMessage'; Objects = { @(Receive-SocketData $l4 -Wait -Peek) + @(Receive-SocketData $l6 -Wait -Peek) }; Keys = 'Timestamp', 'RemoteEndPoint', 'Length', 'Text' }
            @{ Name = 'PortStatus'; Objects = { Test-Port 127.0.0.1, ::1 $l4.Port, $l6.Port }; Keys = 'ComputerName', 'Port', 'Status', 'Latency\(ms\)' }
            @{ Name = 'PortStatus#Series'; Objects = { Test-Port ::1 $l6.Port -Count 2 }; Keys = 'ComputerName', 'Port', 'Attempt', 'Status', 'Latency\(ms\)' }
            @{ Name = 'PortStatus#Udp'; Objects = { Test-Port ::1 $udp -Protocol Udp -Timeout 300ms }; Keys = 'ComputerName', 'Port', 'Status' }
            @{ Name = 'PortStatus#Banner'; Objects = { Test-Port ::1 $l6.Port -ReadBanner -Timeout 300ms }; Keys = 'ComputerName', 'Port', 'Status' }
            @{ Name = 'DatagramResult'; Objects = { Send-Datagram ::1 $udp 'x'; Send-Datagram 127.0.0.1 $udp 'x' }; Keys = 'ComputerName', 'RemoteEndPoint', 'Status', 'BytesSent' }
            @{ Name = 'PortRange'; Objects = { Get-PortRange }; Keys = 'Name', 'Start', 'End', 'Count', 'Protocol' }
            @{ Name = 'PortInfo'; Objects = { Get-PortRange -Port 22, 80, 8080 }; Keys = 'Port', 'Range', 'IsEphemeral', 'IsReserved' }
            @{ Name = 'SystemSocket'; Objects = { Get-SystemSocket -LocalPort $l4.Port, $l6.Port }; Keys = 'Protocol', 'Local', 'Remote', 'State'; LinuxOnly = $true }
            @{ Name = 'UnixSystemSocket'; Objects = { Get-SystemSocket -Protocol Unix | Select-Object -First 5 }; Keys = 'Type', 'State', 'Inode', 'Process'; LinuxOnly = $true }
        )
    }

    AfterAll {
        $c4, $c6 | Disconnect-Socket
        $l4, $l6, $fw | Stop-SocketListener
    }

    It 'every view fits <_> columns with its key columns, one line per object' -ForEach 120, 80 {
        $width = $_
        foreach ($v in $views) {
            if ($v.LinuxOnly -and -not $IsLinux) { continue }
            $objects = @(& $v.Objects)
            $objects | Should -Not -BeNullOrEmpty -Because "$($v.Name) needs sample objects"
            $lines = ($objects | Format-Table | Out-String -Width $width) -split "`n" | Where-Object { $_.Trim() }
            $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual $width -Because "$($v.Name) at $width columns: '$_'" }
            $lines | Should -HaveCount ($objects.Count + 2) -Because "$($v.Name) at $width columns wraps nothing"
            foreach ($key in $v.Keys) { $lines[0] | Should -Match "(^|\s)$key(\s|$)" -Because "$($v.Name) keeps $key at $width columns" }
        }
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
