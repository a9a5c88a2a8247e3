using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>Test-Port -Tls / -ReadBanner / -Send: the post-connect stage on real loopback listeners.</summary>
[Collection(SocketCountingCollection.Name)]
public sealed class PostConnectTests
{
    internal static X509Certificate2 SelfSigned(string subject = "CN=probe.test")
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("probe.test");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30).AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<PortStatus> ProbeAsync(int port, PostConnectOptions post, TimeSpan? timeout = null)
    {
        int before = OpenSockets.Count();
        var options = new PortScanOptions { Timeout = timeout ?? TimeSpan.FromSeconds(5), PostConnect = post };
        ScanFixtures.ScanRun run = await ScanFixtures.RunAsync(options, s => s.Add("127.0.0.1", [port]));
        Assert.Equal(0, run.OpenSocketsAfter);
        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "the probe left a socket open");
        return run.Single();
    }

    [Fact]
    public async Task Tls_reports_the_self_signed_certificate_its_expiry_and_why_it_does_not_validate()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(configure: o => o.Certificate = cert);
        try
        {
            PortStatus r = await ProbeAsync(l.Port, new PostConnectOptions { Tls = true, ServerName = "probe.test" });
            Assert.Equal(PortState.Open, r.Status);
            Assert.NotNull(r.Certificate);
            Assert.Equal(cert.Thumbprint, r.Certificate!.Thumbprint);
            Assert.Equal("CN=probe.test", r.Subject);
            Assert.Equal("CN=probe.test", r.Issuer);
            Assert.Equal(new DateTimeOffset(cert.NotAfter.ToUniversalTime()), r.CertificateExpires);
            Assert.InRange(r.CertificateDaysLeft!.Value, 29, 30);
            Assert.False(r.CertificateValid);
            Assert.Contains("The chain does not validate", r.CertificateError, StringComparison.Ordinal);
            Assert.DoesNotContain("NameMismatch", r.CertificateError, StringComparison.Ordinal);
            Assert.Null(r.TlsError);
            Assert.True(r.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"protocol {r.TlsProtocol}");
            Assert.NotNull(r.CipherSuite);
            Assert.NotNull(r.Latency);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Tls_sends_the_given_name_as_SNI_and_says_when_the_certificate_is_for_another_name()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(configure: o => o.Certificate = cert);
        try
        {
            PortStatus r = await ProbeAsync(l.Port, new PostConnectOptions { Tls = true });
            Assert.Equal(PortState.Open, r.Status);
            Assert.False(r.CertificateValid);
            Assert.Contains("not for '127.0.0.1' (RemoteCertificateNameMismatch)", r.CertificateError, StringComparison.Ordinal);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task TlsProtocol_restricts_the_versions_the_handshake_may_use()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(configure: o => o.Certificate = cert);
        try
        {
            PortStatus r = await ProbeAsync(l.Port, new PostConnectOptions { Tls = true, TlsProtocol = SslProtocols.Tls12 });
            Assert.Equal(SslProtocols.Tls12, r.TlsProtocol);
            Assert.NotNull(r.Certificate);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_TLS_probe_closes_cleanly_so_the_server_counts_no_failed_handshake()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener l = Start(configure: o => o.Certificate = cert);
        try
        {
            var options = new PortScanOptions { Timeout = TimeSpan.FromSeconds(5), PostConnect = new PostConnectOptions { Tls = true } };
            ScanFixtures.ScanRun run = await ScanFixtures.RunAsync(options, s => s.Add("127.0.0.1", Enumerable.Repeat(l.Port, 20).ToArray()));
            Assert.Equal(20, run.Results.Count(r => r.Status.Certificate is not null));
            Assert.True(await EventuallyAsync(() => l.ConnectionCount == 20 && l.ActiveConnections == 0));
            Assert.Equal(0, l.TlsHandshakeFailures);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Tls_to_a_port_that_does_not_speak_TLS_is_Open_with_the_failure_recorded()
    {
        SocketListener l = Start(ListenerMode.Echo); // echoes the ClientHello back: not a ServerHello
        try
        {
            PortStatus r = await ProbeAsync(l.Port, new PostConnectOptions { Tls = true });
            Assert.Equal(PortState.Open, r.Status);
            Assert.False(string.IsNullOrEmpty(r.TlsError));
            Assert.Null(r.Certificate);
            Assert.Null(r.CertificateValid);
            Assert.Equal(SslProtocols.None, r.TlsProtocol);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Tls_to_a_port_that_says_nothing_ends_after_TlsTimeout_and_stays_Open()
    {
        using Socket silent = ScanFixtures.OpenPort(IPAddress.Loopback, out int port);
        PortStatus r = await ProbeAsync(port, new PostConnectOptions { Tls = true, TlsTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(PortState.Open, r.Status);
        Assert.Equal("The TLS handshake did not finish within 0.3 s.", r.TlsError);
    }

    [Fact]
    public async Task A_listener_banner_is_read_and_a_silent_one_gives_an_empty_banner()
    {
        SocketListener talking = Start(configure: o => o.Banner = "SSH-2.0-SocketShell_Test\r\n"u8.ToArray());
        SocketListener silent = Start();
        try
        {
            PortStatus r = await ProbeAsync(talking.Port, new PostConnectOptions { ReadBanner = true });
            Assert.Equal(PortState.Open, r.Status);
            Assert.Equal("SSH-2.0-SocketShell_Test", r.Banner);
            Assert.Equal("SSH-2.0-SocketShell_Test\r\n"u8.ToArray(), r.BannerBytes);

            PortStatus quiet = await ProbeAsync(silent.Port, new PostConnectOptions { ReadBanner = true, BannerTimeout = TimeSpan.FromMilliseconds(200) });
            Assert.Equal(PortState.Open, quiet.Status);
            Assert.Equal(string.Empty, quiet.Banner);
            Assert.Empty(quiet.BannerBytes!);
        }
        finally
        {
            await talking.StopAsync();
            await silent.StopAsync();
        }
    }

    [Fact]
    public async Task A_banner_is_read_inside_TLS_and_Send_goes_first()
    {
        using X509Certificate2 cert = SelfSigned();
        SocketListener tls = Start(configure: o => { o.Certificate = cert; o.Banner = "220 ready\r\n"u8.ToArray(); });
        SocketListener echo = Start(ListenerMode.Echo);
        try
        {
            PortStatus r = await ProbeAsync(tls.Port, new PostConnectOptions { Tls = true, ReadBanner = true });
            Assert.Equal("220 ready", r.Banner);
            Assert.NotNull(r.Certificate);

            PortStatus e = await ProbeAsync(echo.Port, new PostConnectOptions { ReadBanner = true, Send = Encoding.ASCII.GetBytes("PING\n") });
            Assert.Equal("PING", e.Banner);
        }
        finally
        {
            await tls.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task A_banner_longer_than_the_limit_is_cut_at_the_limit()
    {
        SocketListener l = Start(configure: o => o.Banner = Encoding.ASCII.GetBytes(new string('x', 100) + "\n"));
        try
        {
            PortStatus r = await ProbeAsync(l.Port, new PostConnectOptions { ReadBanner = true, BannerLimit = 10 });
            Assert.Equal(new string('x', 10), r.Banner);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Stopping_during_the_stage_reports_nothing_and_closes_every_socket()
    {
        using Socket silent = ScanFixtures.OpenPort(IPAddress.Loopback, out int port);
        int before = OpenSockets.Count();
        using var cts = new CancellationTokenSource();
        var results = new List<PortStatus>();
        using var scanner = new PortScanner(
            new PortScanOptions { Timeout = TimeSpan.FromSeconds(30), PostConnect = new PostConnectOptions { Tls = true } },
            (_, s) => { lock (results) { results.Add(s); } }, null, cts.Token);
        scanner.Add("127.0.0.1", Enumerable.Repeat(port, 20).ToArray());
        scanner.Complete();
        Assert.True(await EventuallyAsync(() => scanner.OpenSockets == 20), "the stage did not hold 20 sockets");
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.Completion.WaitAsync(Bound));
        Assert.Empty(results);
        Assert.Equal(0, scanner.OpenSockets);
        while (silent.Poll(0, SelectMode.SelectRead))
        {
            silent.Accept().Dispose(); // the queued connections (already reset by the client)
        }

        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "sockets left open after the stop");
    }
}
