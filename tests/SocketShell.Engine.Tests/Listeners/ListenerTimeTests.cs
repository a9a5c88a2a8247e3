using System.Net;
using System.Net.Sockets;
using SocketShell.Engine.Tests.Common;
using SocketShell.Engine.Tests.Forward;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Listeners;

/// <summary>
/// A listener's time policies on a manual clock (<see cref="ListenerOptions.TimeProvider"/>): the idle timeout
/// on both serving paths (the Linux event loop, asyncPath false; the asynchronous per-connection loops,
/// asyncPath true) and for a Forward pair, Forward's connect timeout, StartTime/StopTime. Real loopback
/// sockets; the clock moves only once the listener has armed the timer the test expects, no sleeps.
/// </summary>
public sealed class ListenerTimeTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private readonly ManualTimeProvider _clock = new();

    private static async Task EchoOnceAsync(Socket s)
    {
        await s.SendAsync(new byte[] { 42 }, SocketFlags.None);
        Assert.Equal(42, (await ReadExactlyAsync(s, 1))[0]);
    }

    /// <summary>Whether the listener has closed <paramref name="s"/> (its FIN has arrived: readable at once, nothing to read).</summary>
    private static bool ClosedByListener(Socket s) => s.Poll(0, SelectMode.SelectRead) && s.Available == 0;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_idle_connection_is_closed_exactly_when_the_clock_passes_IdleTimeout_after_its_last_data(bool asyncPath)
    {
        SocketListener l = Start(ListenerMode.Echo, configure: o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(10);
            o.TimeProvider = _clock;
            o.AsynchronousConnections = asyncPath;
            o.EventLoops = 1; // one loop serves both clients: a round trip on one shows the loop has handled what came before
        });
        Assert.Equal(TcpListenerWorker.ServedByEventLoop(l.Options), !asyncPath && OperatingSystem.IsLinux());
        Assert.Equal(ManualTimeProvider.Start, l.StartTime);
        try
        {
            using Socket first = await ConnectAsync(l);
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(10), Bound); // armed at the accept, for its deadline

            _clock.Advance(TimeSpan.FromSeconds(4));
            await EchoOnceAsync(first); // data at 4 s: idle from 14 s
            _clock.Advance(TimeSpan.FromSeconds(2));
            using Socket second = await ConnectAsync(l);
            await EchoOnceAsync(second); // idle from 16 s

            _clock.Advance(TimeSpan.FromSeconds(4));
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(14), Bound); // the look at 10 s found nothing idle: next, the earliest deadline
            Assert.False(ClosedByListener(first), "closed at the first connection's original deadline although data came since");

            _clock.Advance(TimeSpan.FromSeconds(4) - Tick);
            await EchoOnceAsync(second); // the loop is alive and has handled any close before this; idle from 24 s - 1 tick
            Assert.False(ClosedByListener(first), "closed one tick before its idle timeout");
            Assert.Equal(2, l.ActiveConnections);

            _clock.Advance(Tick);
            Assert.Empty(await ReadToEndAsync(first));
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(24) - Tick, Bound);
            Assert.False(ClosedByListener(second));
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 1));

            _clock.Advance(TimeSpan.FromSeconds(10) - (2 * Tick));
            Assert.False(ClosedByListener(second), "closed one tick before its idle timeout");
            _clock.Advance(Tick);
            Assert.Empty(await ReadToEndAsync(second));
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(0, _clock.ArmedTimers); // nothing left to watch: no timer armed
        }
        finally
        {
            await l.StopAsync();
        }

        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(24) - Tick, l.StopTime);
    }

    [Fact]
    public async Task A_forward_pair_is_closed_on_both_sides_exactly_when_the_clock_passes_IdleTimeout_after_its_last_data()
    {
        using var upstream = new RawUpstream();
        SocketListener l = ForwardTestHelpers.StartForward(upstream.Target, configure: o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(30);
            o.TimeProvider = _clock;
        });
        try
        {
            using Socket client = await ConnectAsync(l);
            using Socket server = await upstream.AcceptAsync();
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 1)); // connected: the connect's deadline is gone
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(30), Bound);

            _clock.Advance(TimeSpan.FromSeconds(10));
            await server.SendAsync(new byte[] { 7 }, SocketFlags.None);
            Assert.Equal(7, (await ReadExactlyAsync(client, 1))[0]); // relayed at 10 s: idle from 40 s

            _clock.Advance(TimeSpan.FromSeconds(20));
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(40), Bound);
            _clock.Advance(TimeSpan.FromSeconds(10) - Tick);
            Assert.False(ClosedByListener(client) || ClosedByListener(server), "the pair was closed before its idle timeout");
            Assert.Equal(1, l.ActivePairs);

            _clock.Advance(Tick);
            Assert.Empty(await ReadToEndAsync(client));
            Assert.Empty(await ReadToEndAsync(server));
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0 && l.ActiveConnections == 0));
            Assert.Equal(0, l.ForwardFailures);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_stalled_upstream_is_a_ConnectTimeout_forward_error_exactly_at_ConnectTimeout_on_the_listeners_clock()
    {
        using Scan.ScanFixtures.StalledPort? stalled = await Scan.ScanFixtures.StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        SocketListener l = ForwardTestHelpers.StartForward(ForwardTarget.FromEndPoint(new IPEndPoint(IPAddress.Loopback, stalled.Port)), configure: o =>
        {
            o.ConnectTimeout = TimeSpan.FromSeconds(30);
            o.TimeProvider = _clock;
        });
        try
        {
            using Socket client = await ConnectAsync(l);
            await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(30), Bound);
            _clock.Advance(TimeSpan.FromSeconds(30) - Tick);
            Assert.Equal(0, l.ForwardFailures);
            Assert.False(ClosedByListener(client), "the client was given up before the connect timeout");

            _clock.Advance(Tick);
            Assert.Empty(await ReadToEndAsync(client));
            Assert.True(await EventuallyAsync(() => l.ForwardFailures == 1));
            ForwardError e = Assert.IsType<ForwardError>(l.LastForwardError);
            Assert.Equal(SocketErrorKind.ConnectTimeout, e.Kind);
            Assert.Contains("within 30 s", e.Message, StringComparison.Ordinal);
            Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(30), e.Time);
        }
        finally
        {
            await l.StopAsync();
        }
    }
}
