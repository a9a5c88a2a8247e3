using System.Collections.Concurrent;
using System.Net;
using SocketShell.Engine.Tests.Common;
using SocketShell.Engine.Tests.Skips;
using SocketShell.Udp;
using SocketShell.Unix;

namespace SocketShell.Engine.Tests.Udp;

/// <summary>
/// Receive-Datagram's idle timeout and timestamps, Send-Datagram's reply wait, and Test-Port -Path -Wait's
/// retry pauses, on a manual clock (<see cref="DatagramReceiveOptions.TimeProvider"/>,
/// <see cref="DatagramSendOptions.TimeProvider"/>, the probe's timeProvider): real loopback and
/// Unix sockets, the clock moved only once the engine has armed the timer the test expects.
/// </summary>
public sealed class DatagramTimeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public async Task The_idle_timeout_restarts_at_each_datagram_and_ends_the_run_exactly_when_it_passes()
    {
        using DatagramReceiver receiver = DatagramReceiver.Open(new DatagramReceiveOptions { Address = IPAddress.Loopback, TimeProvider = _clock });
        var got = new ConcurrentQueue<SocketMessage>();
        Task<DatagramReceiveEnd> run = receiver.RunAsync(got.Enqueue, null, TimeSpan.FromSeconds(5), CancellationToken.None);
        await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(5), Bound);

        _clock.Advance(TimeSpan.FromSeconds(3));
        using var client = UdpTestPeer.Bind(IPAddress.Loopback);
        await client.SendAsync(new byte[] { 1 }, receiver.LocalEndPoint);
        await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(8), Bound); // restarted by the datagram
        SocketMessage m = Assert.Single(got);
        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(3), m.Timestamp);

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(run.IsCompleted, "the run ended before the idle timeout after the last datagram");
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(DatagramReceiveEnd.IdleTimeout, await run.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_reply_wait_is_NoReply_exactly_at_its_timeout_and_a_reply_carries_the_senders_clock()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        var options = new DatagramSendOptions { ComputerName = "127.0.0.1", Port = peer.EndPoint().Port, TimeProvider = _clock };
        using DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None);

        Task<DatagramResult> silent = sender.SendAsync(new byte[] { 1 }, waitForReply: true, TimeSpan.FromSeconds(2), CancellationToken.None);
        await peer.ReceiveBoundedAsync();
        await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(2), Bound);
        _clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(silent.IsCompleted, "the reply wait ended before its timeout");
        _clock.Advance(TimeSpan.FromTicks(1));
        DatagramResult none = await silent.WaitAsync(Bound);
        Assert.Equal(DatagramStatus.NoReply, none.Status);
        Assert.Null(none.RoundTripTime);
        Assert.Equal(ManualTimeProvider.Start, none.Timestamp);

        Task<DatagramResult> answered = sender.SendAsync(new byte[] { 2 }, waitForReply: true, TimeSpan.FromSeconds(2), CancellationToken.None);
        var got = await peer.ReceiveBoundedAsync();
        await _clock.WaitForTimerDueAsync(TimeSpan.FromSeconds(4), Bound);
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        await peer.SendAsync(new byte[] { 3 }, got.RemoteEndPoint);
        DatagramResult r = await answered.WaitAsync(Bound);
        Assert.Equal(DatagramStatus.Replied, r.Status);
        Assert.Equal(TimeSpan.FromSeconds(1.5), r.RoundTripTime);
        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(2), r.Timestamp);
        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(3.5), r.Reply!.Timestamp);
    }

    [FactNeeding(Requirement.UnixDomainSockets)]
    public async Task Waiting_on_a_socket_path_retries_after_100_200_400_ms_then_what_is_left_and_ends_at_the_wait_timeout()
    {
        string dir = Directory.CreateTempSubdirectory("ss-wait-").FullName;
        try
        {
            var attempts = new ConcurrentQueue<TimeSpan>();
            Task<PortStatus> wait = UnixSocketProbe.WaitAsync(
                Path.Combine(dir, "never.sock"), Bound, TimeSpan.FromSeconds(1), _ => attempts.Enqueue(_clock.Elapsed), CancellationToken.None, _clock);

            foreach (double at in new[] { 0.1, 0.3, 0.7, 1.0 })
            {
                TimeSpan due = TimeSpan.FromSeconds(at);
                await _clock.WaitForTimerDueAsync(due, Bound);
                Assert.False(wait.IsCompleted, $"the wait ended before {due}");
                _clock.Advance(due - _clock.Elapsed);
            }

            PortStatus last = await wait.WaitAsync(Bound);
            Assert.Equal(PortState.NotFound, last.Status);
            Assert.Equal(new[] { 0.0, 0.1, 0.3, 0.7 }, attempts.Select(a => a.TotalSeconds));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
