using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using SocketShell.Scan;

namespace SocketShell.Bench.Scenarios;

/// <summary>The Test-Port engine: a TCP connect scan of many ports of one host on loopback.</summary>
public sealed class TestPortScenario : IBenchScenario
{
    public string Name => "test-port";

    public string Description => "connect-scan rate (--host 127.0.0.1 --first 1 --last 65535 --throttle 512,1024 --timeout 1 --runs 1)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        string host = args.Get("host", "127.0.0.1");
        int first = args.GetInt("first", 1);
        int last = args.GetInt("last", 65535);
        int runs = args.GetInt("runs", 1);
        var timeout = TimeSpan.FromSeconds(args.GetDouble("timeout", 1));
        int[] throttles = args.Get("throttle", PortScanOptions.DefaultThrottleLimit.ToString(CultureInfo.InvariantCulture))
            .Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        int[] ports = Enumerable.Range(first, last - first + 1).ToArray();
        foreach (int throttle in throttles)
        {
            for (int run = 0; run < runs; run++)
            {
                var options = new PortScanOptions { Timeout = timeout, ThrottleLimit = throttle };
                var counts = new int[5];
                int socketsBefore = CountSockets();
                var sw = Stopwatch.StartNew();
                await foreach (PortStatus s in PortScanner.ScanAsync([host], ports, options, null, cancellationToken))
                {
                    counts[(int)s.Status]++;
                }

                sw.Stop();
                int total = counts.Sum();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"test-port engine: {host} ports {first}-{last} throttle {throttle}: {total} results in {sw.Elapsed.TotalSeconds:F2} s = {total / sw.Elapsed.TotalSeconds:F0} ports/s (open {counts[0]}, closed {counts[1]}, timed out {counts[2]}, unreachable {counts[3]}; sockets before/after {socketsBefore}/{CountSockets()})"));
            }
        }

        return 0;
    }

    private static int CountSockets()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        int n = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return n;
    }
}
