using System.Net;
using System.Net.Sockets;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>Test-Port -Count / -Continuous: one result per attempt, each a new connection.</summary>
[Collection(SocketCountingCollection.Name)]
public sealed class LatencySeriesTests
{
    [Fact]
    public async Task Count_5_gives_5_results_with_attempts_1_to_5_and_leaves_no_socket_open()
    {
        using Socket open = ScanFixtures.OpenPort(IPAddress.Loopback, out int port);
        int before = OpenSockets.Count();
        var options = new PortScanOptions { Count = 5, Interval = TimeSpan.FromMilliseconds(20) };
        ScanFixtures.ScanRun run = await ScanFixtures.RunAsync(options, s => s.Add("127.0.0.1", [port]));
        PortStatus[] results = run.Results.Select(r => r.Status).ToArray();
        Assert.Equal([1, 2, 3, 4, 5], results.Select(r => r.Attempt));
        Assert.All(results, r => Assert.Equal(PortState.Open, r.Status));
        Assert.All(results, r => Assert.True(r.Latency > TimeSpan.Zero));
        Assert.All(results, r => Assert.Equal(Math.Round(r.Latency!.Value.Ticks / 10_000.0, 3), r.LatencyMs));
        if (OperatingSystem.IsLinux())
        {
            // The kernel's own handshake time: never longer than the connect as timed from user space.
            Assert.All(results, r => Assert.InRange(r.KernelRtt!.Value, TimeSpan.FromTicks(1), r.Latency!.Value));
        }

        // Attempts start Interval apart (at least), each its own connection.
        TimeSpan[] at = run.Results.Select(r => r.At).ToArray();
        for (int i = 1; i < at.Length; i++)
        {
            Assert.True(at[i] - at[i - 1] >= TimeSpan.FromMilliseconds(15), $"attempt {i + 1} came {(at[i] - at[i - 1]).TotalMilliseconds} ms after the one before");
        }

        Assert.Equal(0, run.OpenSocketsAfter);
        int accepted = 0;
        while (open.Poll(0, SelectMode.SelectRead))
        {
            open.Accept().Dispose();
            accepted++;
        }

        Assert.Equal(5, accepted);
        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "sockets left open");
    }

    [Fact]
    public async Task Back_to_back_series_on_two_slots_report_every_attempt_once_with_its_latency_and_leave_no_socket_open()
    {
        // Interval 0 on loopback: attempts finish inline as their connects complete, the slots' roles move
        // between slot objects; every attempt must still be reported once, in order per series.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096); // room for every attempt even before the acceptor runs: no dropped SYN, no 1 s retransmit
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        Task acceptor = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    (await listener.AcceptAsync(stop.Token)).Dispose();
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }
        });

        int before = OpenSockets.Count();
        var options = new PortScanOptions { Count = 300, Interval = TimeSpan.Zero, ThrottleLimit = 2 };
        ScanFixtures.ScanRun run = await ScanFixtures.RunAsync(options, s => s.Add("127.0.0.1", [port, port]));
        Assert.Equal(600, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(PortState.Open, r.Status.Status));
        Assert.All(run.Results, r => Assert.True(r.Status.Latency > TimeSpan.Zero));
        foreach (var series in run.Results.GroupBy(r => r.Pair))
        {
            Assert.Equal(Enumerable.Range(1, 300), series.Select(r => r.Status.Attempt));
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.All(run.Results, r => Assert.InRange(r.Status.KernelRtt!.Value, TimeSpan.FromTicks(1), r.Status.Latency!.Value));
        }

        Assert.Equal(0, run.OpenSocketsAfter);
        stop.Cancel();
        listener.Close();
        await acceptor.WaitAsync(Bound);
        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "sockets left open");
    }

    [Fact]
    public async Task A_series_on_a_closed_port_gives_a_Closed_result_per_attempt()
    {
        using Socket closed = ScanFixtures.ClosedPort(IPAddress.Loopback, out int port);
        ScanFixtures.ScanRun run = await ScanFixtures.RunAsync(new PortScanOptions { Count = 3, Interval = TimeSpan.Zero }, s => s.Add("127.0.0.1", [port, port]));
        Assert.Equal(6, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(PortState.Closed, r.Status.Status));
        Assert.Equal([1, 1, 2, 2, 3, 3], run.Results.Select(r => r.Status.Attempt).Order());
    }

    [Fact]
    public async Task Continuous_goes_on_until_cancelled_then_stops_at_once()
    {
        using Socket open = ScanFixtures.OpenPort(IPAddress.Loopback, out int port);
        int before = OpenSockets.Count();
        using var cts = new CancellationTokenSource();
        int results = 0;
        using var scanner = new PortScanner(
            new PortScanOptions { Continuous = true, Interval = TimeSpan.FromMilliseconds(5) },
            (_, s) => { if (Interlocked.Increment(ref results) == 10) { cts.Cancel(); } }, null, cts.Token);
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.Completion.WaitAsync(Bound));
        Assert.InRange(Volatile.Read(ref results), 10, 11);
        Assert.Equal(0, scanner.OpenSockets);
        while (open.Poll(0, SelectMode.SelectRead))
        {
            open.Accept().Dispose();
        }

        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "sockets left open");
    }

    [Fact]
    public void A_series_with_Wait_or_a_count_below_1_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PortScanOptions { Count = 2, Wait = true }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortScanOptions { Count = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PortScanOptions { Interval = TimeSpan.FromSeconds(-1) }.Validate());
    }
}
