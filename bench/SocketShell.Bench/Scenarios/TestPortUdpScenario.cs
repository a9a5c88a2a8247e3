using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using SocketShell.Scan;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Test-Port -Protocol Udp on N closed UDP ports of 127.0.0.1, then <c>nmap -sU</c> on the same ports,
/// interleaved run by run.
/// </summary>
public sealed partial class TestPortUdpScenario : IBenchScenario
{
    public string Name => "test-port-udp";

    public string Description => "closed UDP ports vs nmap -sU on the same ports (--count 1000 --runs 3 --nmap true)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 1000);
        int runs = args.GetInt("runs", 3);
        bool nmap = args.Get("nmap", "true") == "true";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"icmp_ratelimit {Read("/proc/sys/net/ipv4/icmp_ratelimit")} ms, icmp_msgs_per_sec {Read("/proc/sys/net/ipv4/icmp_msgs_per_sec")}, icmp_msgs_burst {Read("/proc/sys/net/ipv4/icmp_msgs_burst")}, icmp_ratemask {Read("/proc/sys/net/ipv4/icmp_ratemask")}"));
        await ScanAsync(FreePorts(50), cancellationToken); // load and JIT once
        for (int run = 0; run < runs; run++)
        {
            int[] ports = FreePorts(count);
            var sw = Stopwatch.StartNew();
            (Dictionary<PortState, int> counts, long retries) = await ScanAsync(ports, cancellationToken);
            sw.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test-port-udp engine: {count} UDP ports of 127.0.0.1 in {sw.Elapsed.TotalSeconds:F3} s = {count / sw.Elapsed.TotalSeconds:F0} ports/s ({string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}; {retries} retries)"));
            if (nmap)
            {
                (double seconds, string summary) = await NmapAsync(ports, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nmap -sU -n -Pn -p <same {count}> 127.0.0.1: {seconds:F2} s ({summary})"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {count} closed UDP ports: engine {sw.Elapsed.TotalSeconds:F3} s, nmap {seconds:F2} s: engine/nmap rate = {seconds / sw.Elapsed.TotalSeconds:F1}x"));
            }
        }

        return 0;
    }

    private static async Task<(Dictionary<PortState, int> Counts, long Retries)> ScanAsync(int[] ports, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<PortState, int>();
        using var scanner = new UdpPortScanner(new PortScanOptions(), (_, s) => { lock (counts) { counts[s.Status] = counts.GetValueOrDefault(s.Status) + 1; } }, null, cancellationToken);
        scanner.Add("127.0.0.1", ports);
        scanner.Complete();
        await scanner.Completion;
        return (counts, scanner.Retries);
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";

    private static int[] FreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            ports.Add(((IPEndPoint)s.LocalEndPoint!).Port);
        }

        return [.. ports.Order()];
    }

    private static async Task<(double Seconds, string Summary)> NmapAsync(int[] ports, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("nmap", ["-sU", "-n", "-Pn", "-p", string.Join(',', ports), "127.0.0.1"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        Match time = ScannedIn().Match(output);
        Match notShown = NotShown().Match(output);
        string summary = notShown.Success ? notShown.Value : output.Split('\n').FirstOrDefault(l => l.Contains("closed", StringComparison.Ordinal) || l.Contains("open", StringComparison.Ordinal)) ?? "no summary";
        return (time.Success ? double.Parse(time.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN, summary.Trim());
    }

    [GeneratedRegex(@"scanned in ([0-9.]+) seconds")]
    private static partial Regex ScannedIn();

    [GeneratedRegex(@"Not shown: [^\n]*")]
    private static partial Regex NotShown();
}
