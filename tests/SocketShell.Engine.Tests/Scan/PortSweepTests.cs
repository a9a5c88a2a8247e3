using System.Net;
using System.Net.Sockets;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Scan.ScanFixtures;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>Whole-range sweeps and cancellation, with this process's sockets counted before and after.</summary>
[Trait("Category", "Heavy")]
[Collection(SocketCountingCollection.Name)]
public class PortSweepTests
{
    [Fact]
    public async Task All_65535_ports_of_127_0_0_1_are_each_reported_exactly_once_and_no_socket_leaks()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int openPort);
        using Socket closed = ClosedPort(IPAddress.Loopback, out int closedPort);
        int before = OpenSockets.Count();
        int[] ports = Enumerable.Range(1, 65535).ToArray();

        ScanRun run = await RunAsync(new PortScanOptions(), s => s.Add("127.0.0.1", ports));

        int[] seen = run.Results.Select(r => r.Status.Port).Order().ToArray();
        Assert.Equal(ports, seen);
        Assert.Equal(ports.Select(p => (long)(p - 1)), run.Results.Select(r => r.Pair).Order());
        Assert.Equal(PortState.Open, run.Results.Single(r => r.Status.Port == openPort).Status.Status);
        Assert.Equal(PortState.Closed, run.Results.Single(r => r.Status.Port == closedPort).Status.Status);
        Assert.DoesNotContain(run.Results, r => r.Status.Status is PortState.HostNotFound or PortState.Unreachable);
        Assert.Equal(0, run.OpenSocketsAfter);
        Assert.Equal(before, OpenSockets.Count());
    }

    [Fact]
    public async Task Cancellation_stops_every_in_flight_probe_at_once_and_closes_its_socket()
    {
        using StalledPort? stalled = await StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        int before = OpenSockets.Count();
        using var cts = new CancellationTokenSource();
        int results = 0;
        using var scanner = new PortScanner(
            new PortScanOptions { Timeout = TimeSpan.FromSeconds(60), ThrottleLimit = 50 },
            (_, _) => Interlocked.Increment(ref results), null, cts.Token);
        scanner.Add("127.0.0.1", Enumerable.Repeat(stalled.Port, 500).ToArray());
        scanner.Complete();

        // Wait (bounded) until the 50 slots all hold a stalled connect.
        for (int i = 0; i < 200 && scanner.OpenSockets < 50; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(50, scanner.OpenSockets);
        Assert.Equal(before + 50, OpenSockets.Count());

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.Completion.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(scanner.Completion.IsCanceled);
        Assert.Equal(0, scanner.OpenSockets);
        Assert.Equal(before, OpenSockets.Count());
        Assert.Equal(0, Volatile.Read(ref results));
    }

    [Fact]
    public async Task Many_timeouts_end_together_with_one_sweep_not_one_after_another()
    {
        using StalledPort? stalled = await StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        var timeout = TimeSpan.FromMilliseconds(500);

        // 200 silent probes, 200 at once: all end after one timeout, not 200 of them.
        ScanRun run = await RunAsync(
            new PortScanOptions { Timeout = timeout, ThrottleLimit = 200 },
            s => s.Add("127.0.0.1", Enumerable.Repeat(stalled.Port, 200).ToArray()));

        Assert.Equal(200, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(PortState.TimedOut, r.Status.Status));
        Assert.True(run.Results.Max(r => r.At) < timeout * 4);
        Assert.Equal(0, run.OpenSocketsAfter);
    }
}
