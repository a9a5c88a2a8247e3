using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketShell.Scan;

namespace SocketShell.Bench.Scenarios;

/// <summary>How close to -Timeout a probe that gets no answer ends (a full accept backlog on loopback).</summary>
public sealed class TestPortTimeoutScenario : IBenchScenario
{
    public string Name => "test-port-timeout";

    public string Description => "lateness of timed-out probes against a full backlog (--timeout 1 --runs 10 --probes 1)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(args.GetDouble("timeout", 1));
        int runs = args.GetInt("runs", 10);
        int probes = args.GetInt("probes", 1);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var fillers = new List<Socket>();
        for (int i = 0; i < 6; i++)
        {
            var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(c);
            _ = c.ConnectAsync(listener.LocalEndPoint!).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }

        await Task.Delay(500, cancellationToken);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var late = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var sw = new Stopwatch();
            var ends = new List<double>();
            using var scanner = new PortScanner(new PortScanOptions { Timeout = timeout }, (_, s) =>
            {
                lock (ends)
                {
                    ends.Add(sw.Elapsed.TotalMilliseconds);
                }
            }, null, cancellationToken);
            sw.Start();
            scanner.Add("127.0.0.1", Enumerable.Repeat(port, probes).ToArray());
            scanner.Complete();
            await scanner.Completion;
            late.AddRange(ends.Select(e => e - timeout.TotalMilliseconds));
        }

        late.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test-port-timeout: timeout {timeout.TotalMilliseconds} ms, {late.Count} probes: late by min {late[0]:F1} ms, median {late[late.Count / 2]:F1} ms, max {late[^1]:F1} ms"));
        foreach (Socket f in fillers)
        {
            f.Dispose();
        }

        return 0;
    }
}
