using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SocketShell.Listeners;
using SocketShell.Scan;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Test-Port -Tls: the certificate of one TLS listener (self-signed, in this process) fetched N times in
/// parallel by the engine, then N times by an <c>openssl s_client</c> loop against the same listener.
/// </summary>
public sealed class TestPortTlsScenario : IBenchScenario
{
    public string Name => "test-port-tls";

    public string Description => "TLS certificate probes vs an openssl s_client loop (--count 1000 --openssl 1000 --throttle 512 --runs 1)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 1000);
        int opensslCount = args.GetInt("openssl", 1000);
        int throttle = args.GetInt("throttle", PortScanOptions.DefaultThrottleLimit);
        int runs = args.GetInt("runs", 1);
        using X509Certificate2 cert = SelfSigned();
        SocketListener listener = new ListenerRegistry().Start(new ListenerOptions { Mode = ListenerMode.Discard, Port = 0, Certificate = cert, MaxConnections = 4096 });
        try
        {
            int port = listener.Port;
            await ProbeAsync(port, 20, throttle, cancellationToken); // load and JIT once
            for (int run = 0; run < runs; run++)
            {
                (TimeSpan engine, int withCert, int valid) = await ProbeAsync(port, count, throttle, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test-port-tls engine: {count} probes of 127.0.0.1:{port} (throttle {throttle}) in {engine.TotalSeconds:F3} s = {count / engine.TotalSeconds:F0} certificates/s ({withCert} with the certificate, {valid} valid; {engine.TotalMilliseconds * 1000 / count:F0} us per probe)"));
                if (opensslCount > 0)
                {
                    TimeSpan openssl = await OpensslLoopAsync(port, opensslCount, cancellationToken);
                    double perEngine = engine.TotalSeconds / count;
                    double perOpenssl = openssl.TotalSeconds / opensslCount;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"openssl s_client loop: {opensslCount} connections in {openssl.TotalSeconds:F2} s = {opensslCount / openssl.TotalSeconds:F1}/s ({perOpenssl * 1000:F2} ms each)"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"== TLS certificates/s: engine {1 / perEngine:F0}, openssl loop {1 / perOpenssl:F1}: engine/openssl = {perOpenssl / perEngine:F1}x"));
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listener: {listener.ConnectionCount} connections, {listener.TlsHandshakeFailures} failed TLS handshakes"));
        }
        finally
        {
            await listener.StopAsync();
        }

        return 0;
    }

    private static async Task<(TimeSpan Elapsed, int WithCertificate, int Valid)> ProbeAsync(int port, int count, int throttle, CancellationToken cancellationToken)
    {
        var options = new PortScanOptions
        {
            Timeout = TimeSpan.FromSeconds(30),
            ThrottleLimit = throttle,
            PostConnect = new PostConnectOptions { Tls = true, ServerName = "probe.test" },
        };
        int withCert = 0, valid = 0;
        var sw = Stopwatch.StartNew();
        await foreach (PortStatus s in PortScanner.ScanAsync(["127.0.0.1"], Enumerable.Repeat(port, count).ToArray(), options, null, cancellationToken))
        {
            withCert += s.Certificate is null ? 0 : 1;
            valid += s.CertificateValid == true ? 1 : 0;
            s.Certificate?.Dispose();
        }

        return (sw.Elapsed, withCert, valid);
    }

    private static async Task<TimeSpan> OpensslLoopAsync(int port, int count, CancellationToken cancellationToken)
    {
        string loop = string.Create(CultureInfo.InvariantCulture,
            $"for i in $(seq {count}); do openssl s_client -connect 127.0.0.1:{port} -servername probe.test </dev/null >/dev/null 2>&1 || echo fail; done");
        var psi = new ProcessStartInfo("bash", ["-c", loop]) { RedirectStandardOutput = true };
        var sw = Stopwatch.StartNew();
        using Process p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        sw.Stop();
        int failures = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        if (failures > 0)
        {
            Console.WriteLine($"openssl s_client failed {failures} times");
        }

        return sw.Elapsed;
    }

    private static X509Certificate2 SelfSigned()
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=probe.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }
}
