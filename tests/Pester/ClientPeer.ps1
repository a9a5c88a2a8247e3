# Loopback peers for the client-session Pester files (Connect-Socket, Send-SocketData, Disconnect-Socket,
# Get-Socket, Receive-SocketData -Socket). Dot-sourced in BeforeAll. Every wait is bounded.

. (Join-Path $PSScriptRoot 'TestHelpers.ps1')

function New-TestListener {
    param([ipaddress] $Address = [ipaddress]::Loopback, [int] $Backlog = 16)
    $l = [System.Net.Sockets.TcpListener]::new($Address, 0)
    $l.Start($Backlog)
    $l
}

function Wait-TestAccept {
    # Accepts the connection that comes from -Client (a SocketConnection), closing any other: loopback is
    # shared with other processes, and a port scan may land in the accept queue first. Without -Client,
    # the first connection.
    param([System.Net.Sockets.TcpListener] $Listener, $Client, [int] $Milliseconds = 10000)
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        $left = [Math]::Max(1, $Milliseconds - $sw.ElapsedMilliseconds)
        $t = $Listener.AcceptSocketAsync()
        if (-not $t.Wait($left)) { throw "No connection was accepted within $Milliseconds ms." }
        $s = $t.Result
        if ($null -eq $Client -or $s.RemoteEndPoint.Equals($Client.GetLocalEndPoint())) {
            $s.ReceiveTimeout = 5000
            return $s
        }
        $s.Dispose()
    }
}

function Read-TestSocket {
    # Reads until $Count bytes arrived or the stream ended (bounded by the socket's ReceiveTimeout).
    param([System.Net.Sockets.Socket] $Socket, [int] $Count)
    $all = [System.Collections.Generic.List[byte]]::new()
    $buf = [byte[]]::new(65536)
    while ($all.Count -lt $Count) {
        $n = $Socket.Receive($buf, 0, [Math]::Min($buf.Length, $Count - $all.Count), 'None')
        if ($n -eq 0) { break }
        $all.AddRange([byte[]]$buf[0..($n - 1)])
    }
    , $all.ToArray()
}

function Get-ClosedPort {
    $s = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
    try { $s.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0)); $s.LocalEndPoint.Port } finally { $s.Dispose() }
}

function New-StalledListener {
    # A listener whose accept queue is full and never drained: further SYNs go unanswered, so a connect
    # to it waits for its timeout. Returns @{ Port; Dispose }.
    $l = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
    $l.Bind([System.Net.IPEndPoint]::new([ipaddress]::Loopback, 0))
    $l.Listen(1)
    $fillers = [System.Collections.Generic.List[System.Net.Sockets.Socket]]::new()
    $stalled = $false
    for ($i = 0; $i -lt 16 -and -not $stalled; $i++) {
        $f = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
        $fillers.Add($f)
        $stalled = -not $f.ConnectAsync($l.LocalEndPoint).Wait(500)
    }
    if (-not $stalled) { throw 'The accept queue never filled on this system.' }
    [pscustomobject]@{ Port = $l.LocalEndPoint.Port; Listener = $l; Fillers = $fillers } |
        Add-Member -MemberType ScriptMethod -Name Dispose -Value { $this.Fillers | ForEach-Object Dispose; $this.Listener.Dispose() } -PassThru
}

function New-TestCertificate {
    param([string] $Name = 'localhost')
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    try {
        $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Name", $key, [System.Security.Cryptography.HashAlgorithmName]::SHA256)
        $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        $san.AddDnsName($Name)
        $san.AddIpAddress([ipaddress]::Loopback)
        $req.CertificateExtensions.Add($san.Build())
        $made = $req.CreateSelfSigned([datetimeoffset]::UtcNow.AddMinutes(-5), [datetimeoffset]::UtcNow.AddDays(30))
        [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12($made.Export('Pfx'), $null)
    }
    finally { $key.Dispose() }
}

function Start-TestTlsServer {
    # Runs the server side on another runspace: accept one client, TLS handshake, answer one line with
    # "echo: <line>", then wait for the client to close. Returns once the server is waiting to accept
    # (a loaded machine can take seconds to start a runspace), with the PowerShell instance and handle.
    param([System.Net.Sockets.TcpListener] $Listener, $Certificate)
    $ready = [hashtable]::Synchronized(@{ Accepting = $false })
    $ps = New-TestPowerShell -WithoutModule
    $null = $ps.AddScript({
        param($Listener, $Certificate, $Ready)
        # Take the first connection that starts a TLS handshake (0x16): loopback is shared, and a port
        # scan from another process may land in the accept queue first.
        $Ready.Accepting = $true
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $sock = $null
        while ($null -eq $sock -and $sw.ElapsedMilliseconds -lt 20000) {
            $t = $Listener.AcceptSocketAsync()
            if (-not $t.Wait(20000)) { return 'no client' }
            $s = $t.Result
            $first = [byte[]]::new(1)
            try {
                if ($s.Poll(3000000, 'SelectRead') -and $s.Receive($first, 0, 1, 'Peek') -eq 1 -and $first[0] -eq 0x16) { $sock = $s }
                else { $s.Dispose() }
            }
            catch { $s.Dispose() }
        }
        if ($null -eq $sock) { return 'no client' }
        $sock.ReceiveTimeout = 20000
        $ssl = [System.Net.Security.SslStream]::new([System.Net.Sockets.NetworkStream]::new($sock, $true), $false)
        try {
            $ssl.AuthenticateAsServer($Certificate)
            $reader = [System.IO.StreamReader]::new($ssl)
            $line = $reader.ReadLine()
            $bytes = [System.Text.Encoding]::UTF8.GetBytes("echo: $line`n")
            $ssl.Write($bytes, 0, $bytes.Length)
            $ssl.Flush()
            $null = $reader.ReadToEnd()
            'served'
        }
        catch { 'failed: ' + $_.Exception.Message }
        finally { $ssl.Dispose() }
    }).AddArgument($Listener).AddArgument($Certificate).AddArgument($ready)
    $handle = $ps.BeginInvoke()
    Wait-Until { $ready.Accepting } 30000
    [pscustomobject]@{ PowerShell = $ps; Handle = $handle }
}
