using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketShell.Scan;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Test-Port -Count N -Interval 0 (a latency series, one new connection per attempt) against C# loops
/// doing the same connects (Socket.Connect, and awaited ConnectAsync), to one loopback listener that
/// accepts and closes: the overhead the series adds per attempt.
/// </summary>
public sealed class TestPortSeriesScenario : IBenchScenario
{
    private static readonly LingerOption s_reset = new(true, 0);

    public string Name => "test-port-series";

    public string Description => "per-attempt overhead of a latency series vs Socket.Connect loops (--count 5000 --runs 3)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 5000);
        int runs = args.GetInt("runs", 3);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        using var stop = new CancellationTokenSource();
        Task acceptor = AcceptAllAsync(listener, stop.Token);

        await SeriesAsync(endPoint.Port, 200, cancellationToken); // JIT and warm up every path once
        SyncLoop(endPoint, 200);
        await AsyncLoopAsync(endPoint, 200);
        var overheads = new List<double>(runs);
        for (int run = 0; run < runs; run++)
        {
            (TimeSpan wall, double[] latencies) series = await SeriesAsync(endPoint.Port, count, cancellationToken);
            (TimeSpan wall, double[] latencies) sync = SyncLoop(endPoint, count);
            (TimeSpan wall, double[] latencies) asyncLoop = await AsyncLoopAsync(endPoint, count);
            Print("series (engine, -Count -Interval 0)", count, series);
            Print("Socket.Connect loop", count, sync);
            Print("await ConnectAsync loop", count, asyncLoop);
            double perSeries = series.wall.TotalMicroseconds / count;
            overheads.Add(perSeries - (sync.wall.TotalMicroseconds / count));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"== overhead per attempt: series {perSeries:F1} us vs Socket.Connect loop {sync.wall.TotalMicroseconds / count:F1} us = {perSeries - (sync.wall.TotalMicroseconds / count):+0.0;-0.0} us; vs ConnectAsync loop {asyncLoop.wall.TotalMicroseconds / count:F1} us = {perSeries - (asyncLoop.wall.TotalMicroseconds / count):+0.0;-0.0} us"));
        }

        int intervalMs = args.GetInt("interval-ms", 10);
        if (intervalMs > 0)
        {
            // How late attempts start when they wait for their Interval: spacing of the results' arrival
            // minus the Interval (each attempt starts Interval after the previous one began).
            int n = args.GetInt("interval-count", 100);
            var options = new PortScanOptions { Count = n, Interval = TimeSpan.FromMilliseconds(intervalMs), ThrottleLimit = 1 };
            var arrivals = new List<long>(n);
            await foreach (PortStatus s in PortScanner.ScanAsync(["127.0.0.1"], [endPoint.Port], options, null, cancellationToken))
            {
                arrivals.Add(Stopwatch.GetTimestamp());
            }

            double[] late = [.. Enumerable.Range(1, arrivals.Count - 1).Select(i => Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]).TotalMilliseconds - intervalMs).Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"== interval series: {n} attempts, -Interval {intervalMs} ms: spacing minus Interval median {late[late.Length / 2]:F2} ms, mean {late.Average():F2} ms, max {late[^1]:F2} ms"));
        }

        double[] sortedOverheads = [.. overheads.Order()];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== median overhead per attempt vs Socket.Connect loop over {runs} runs: {sortedOverheads[sortedOverheads.Length / 2]:F1} us (runs: {string.Join(" / ", overheads.Select(o => o.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)))})"));
        stop.Cancel();
        listener.Close();
        try
        {
            await acceptor;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        return 0;
    }

    private static void Print(string what, int count, (TimeSpan Wall, double[] Latencies) r)
    {
        double[] sorted = [.. r.Latencies.Order()];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {count} connects in {r.Wall.TotalMilliseconds:F0} ms = {r.Wall.TotalMicroseconds / count:F1} us each; handshake as measured: median {sorted[sorted.Length / 2]:F1} us, mean {sorted.Average():F1} us, p99 {sorted[(int)(sorted.Length * 0.99)]:F1} us"));
    }

    private static async Task<(TimeSpan, double[])> SeriesAsync(int port, int count, CancellationToken cancellationToken)
    {
        var options = new PortScanOptions { Count = count, Interval = TimeSpan.Zero, ThrottleLimit = 1 };
        var latencies = new List<double>(count);
        var kernel = new List<double>(count);
        var sw = Stopwatch.StartNew();
        await foreach (PortStatus s in PortScanner.ScanAsync(["127.0.0.1"], [port], options, null, cancellationToken))
        {
            if (s.Status != PortState.Open)
            {
                throw new InvalidOperationException($"attempt {s.Attempt}: {s.Status}");
            }

            latencies.Add(s.Latency!.Value.TotalMicroseconds);
            if (s.KernelRtt is TimeSpan rtt)
            {
                kernel.Add(rtt.TotalMicroseconds);
            }
        }

        TimeSpan wall = sw.Elapsed;
        if (kernel.Count > 0)
        {
            double[] sorted = [.. kernel.Order()];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"series KernelRtt (TCP_INFO tcpi_rtt): median {sorted[sorted.Length / 2]:F1} us, p99 {sorted[(int)(sorted.Length * 0.99)]:F1} us"));
        }

        return (wall, [.. latencies]);
    }

    private static (TimeSpan, double[]) SyncLoop(IPEndPoint endPoint, int count)
    {
        double[] latencies = new double[count];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            long t0 = Stopwatch.GetTimestamp();
            s.Connect(endPoint);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            s.LingerState = s_reset;
        }

        return (sw.Elapsed, latencies);
    }

    private static async Task<(TimeSpan, double[])> AsyncLoopAsync(IPEndPoint endPoint, int count)
    {
        double[] latencies = new double[count];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            long t0 = Stopwatch.GetTimestamp();
            await s.ConnectAsync(endPoint);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            s.LingerState = s_reset;
        }

        return (sw.Elapsed, latencies);
    }

    private static async Task AcceptAllAsync(Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted = await listener.AcceptAsync(cancellationToken);
            accepted.Dispose();
        }
    }
}
