using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SocketShell.Engine.Tests.Client;
using SocketShell.Engine.Tests.Common;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Scan.ScanFixtures;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>
/// The scan's time policies on a manual clock (<see cref="PortScanOptions.TimeProvider"/>): the deadline sweep
/// times a probe out exactly at its Timeout, -Wait retries every RetryInterval and ends at WaitTimeout, a
/// latency series waits its Interval. Real loopback sockets; the clock moves only when the test says, and
/// the test sweeps itself after moving it (the background sweep reads the same clock), so nothing sleeps.
/// </summary>
public sealed class ScanTimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task The_sweep_times_out_a_silent_probe_exactly_at_its_deadline()
    {
        using StalledPort? stalled = await StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        var result = new TaskCompletionSource<PortStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scanner = new PortScanner(
            new PortScanOptions { Timeout = TimeSpan.FromSeconds(5), TimeProvider = _clock },
            (_, s) => result.TrySetResult(s), null, CancellationToken.None);
        scanner.Add("127.0.0.1", [stalled.Port]);
        scanner.Complete();
        await Peer.WaitUntilAsync(() => scanner.OpenSockets == 1, "the probe to be in flight");

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        scanner.Sweep();
        Assert.False(result.Task.IsCompleted, "the probe timed out before its deadline");

        _clock.Advance(TimeSpan.FromTicks(1));
        scanner.Sweep();
        PortStatus status = await result.Task.WaitAsync(Bound);
        Assert.Equal(PortState.TimedOut, status.Status);
        await scanner.Completion.WaitAsync(Bound);
        Assert.Equal(0, scanner.OpenSockets);
    }

    [Fact]
    public async Task Wait_retries_a_closed_port_every_RetryInterval_and_reports_the_last_attempt_when_WaitTimeout_ends()
    {
        using Socket closed = ClosedPort(IPAddress.Loopback, out int port);
        var attempts = new ConcurrentQueue<PortStatus>();
        var result = new TaskCompletionSource<PortStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scanner = new PortScanner(
            new PortScanOptions { Wait = true, WaitTimeout = TimeSpan.FromSeconds(3), RetryInterval = TimeSpan.FromSeconds(1), TimeProvider = _clock },
            (_, s) => result.TrySetResult(s), null, CancellationToken.None, (_, s) => attempts.Enqueue(s));
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            await Peer.WaitUntilAsync(() => attempts.Count == attempt, $"attempt {attempt}");
            scanner.Sweep();
            Assert.Equal(attempt, attempts.Count); // the next one waits for the clock
            _clock.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
            scanner.Sweep();
            Assert.Equal(attempt, attempts.Count);
            Assert.False(result.Task.IsCompleted, $"the wait ended after attempt {attempt}, before WaitTimeout");
            _clock.Advance(TimeSpan.FromTicks(1));
            scanner.Sweep();
        }

        PortStatus final = await result.Task.WaitAsync(Bound);
        Assert.Equal(PortState.Closed, final.Status);
        Assert.Equal(3, final.Attempt);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        await scanner.Completion.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_latency_series_starts_each_attempt_Interval_after_the_last_began()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int port);
        var results = new ConcurrentQueue<PortStatus>();
        using var scanner = new PortScanner(
            new PortScanOptions { Count = 3, Interval = TimeSpan.FromSeconds(2), TimeProvider = _clock },
            (_, s) => results.Enqueue(s), null, CancellationToken.None);
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            await Peer.WaitUntilAsync(() => results.Count == attempt, $"attempt {attempt}");
            Assert.Equal(TimeSpan.Zero, results.Last().Latency); // the handshake took no time on this clock
            if (attempt < 3)
            {
                _clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
                scanner.Sweep();
                Assert.Equal(attempt, results.Count);
                _clock.Advance(TimeSpan.FromTicks(1));
                scanner.Sweep();
            }
        }

        await scanner.Completion.WaitAsync(Bound);
        Assert.Equal([1, 2, 3], results.Select(r => r.Attempt));
        Assert.All(results, r => Assert.Equal(PortState.Open, r.Status));
    }

    [Fact]
    public async Task A_latency_series_arms_a_timer_of_its_clock_for_each_next_attempt_and_releases_it_at_the_end()
    {
        using Socket open = OpenPort(IPAddress.Loopback, out int port);
        var results = new ConcurrentQueue<PortStatus>();
        using var scanner = new PortScanner(
            new PortScanOptions { Count = 3, Interval = TimeSpan.FromSeconds(2), TimeProvider = _clock },
            (_, s) => results.Enqueue(s), null, CancellationToken.None);
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();

        for (int attempt = 1; attempt <= 3; attempt++)
        {
            await Peer.WaitUntilAsync(() => results.Count == attempt, $"attempt {attempt}");
            if (attempt < 3)
            {
                // The next attempt is due Interval after this one began (the clock stood still meanwhile).
                TimeSpan due = TimeSpan.FromSeconds(2 * attempt);
                await _clock.WaitForTimerDueAsync(due, Bound);
                _clock.Advance(TimeSpan.FromSeconds(2)); // the test sweeps nothing: the timer starts it (the background sweep is only the backstop)
            }
        }

        await scanner.Completion.WaitAsync(Bound);
        Assert.Equal([1, 2, 3], results.Select(r => r.Attempt));
        Assert.Equal(0, _clock.ArmedTimers);
    }

    [Fact]
    public async Task A_silent_UDP_port_is_OpenOrFiltered_after_its_Timeout_a_retry_round_pause_and_a_second_Timeout()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never read: no reply, no ICMP
        int port = ((IPEndPoint)mute.LocalEndPoint!).Port;
        var result = new TaskCompletionSource<PortStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var scanner = new UdpPortScanner(
            new PortScanOptions { Timeout = TimeSpan.FromMilliseconds(500), TimeProvider = _clock },
            (_, s) => result.TrySetResult(s), null, CancellationToken.None);
        scanner.Add("127.0.0.1", [port]);
        scanner.Complete();

        // Round 1 waits 0.5 s; round 2 starts RetryRoundMinimum (1.25 s) after round 1 began and waits 0.5 s.
        TimeSpan secondRound = UdpPortScanner.RetryRoundMinimum;
        foreach (TimeSpan due in new[] { TimeSpan.FromMilliseconds(500), secondRound, secondRound + TimeSpan.FromMilliseconds(500) })
        {
            await _clock.WaitForTimerDueAsync(due, Bound);
            Assert.False(result.Task.IsCompleted, $"reported before {due}");
            _clock.Advance(due - _clock.Elapsed);
        }

        PortStatus status = await result.Task.WaitAsync(Bound);
        Assert.Equal(PortState.OpenOrFiltered, status.Status);
        Assert.Null(status.Latency);
        await scanner.Completion.WaitAsync(Bound);
        Assert.Equal(2, CountDatagrams(mute)); // the probe and its one retry (empty datagrams)
    }

    private static int CountDatagrams(Socket socket)
    {
        int n = 0;
        byte[] buffer = new byte[2048];
        while (socket.Poll(0, SelectMode.SelectRead))
        {
            socket.Receive(buffer);
            n++;
        }

        return n;
    }
}
