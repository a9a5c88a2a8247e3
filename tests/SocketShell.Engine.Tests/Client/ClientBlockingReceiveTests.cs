using System.Net;
using System.Net.Sockets;
using SocketShell.Client;

namespace SocketShell.Engine.Tests.Client;

/// <summary>
/// The blocking receives Receive-SocketData uses (ReceiveLine, ReceiveUntil, ReceiveBytes, ReceiveAvailable):
/// each called on a thread of its own, as the pipeline thread calls them, and waited on with a bound.
/// </summary>
public sealed class ClientBlockingReceiveTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private readonly SocketSessions _sessions = new();
    private readonly TcpListener _listener = Peer.Listen(IPAddress.Loopback);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Dispose();
    }

    [Fact]
    public async Task A_blocked_receive_is_handed_the_frame_that_arrives_while_it_waits_and_later_frames_stay_buffered()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Task<SocketMessage?> line = OnOwnThread(() => client.ReceiveLine(s_wait, null, CancellationToken.None));
            await Peer.SendAsync(server, "hel");
            await Peer.WaitUntilAsync(() => client.BytesReceived == 3, "the first part");
            await Peer.SendAsync(server, "lo\r\nab|cd");
            SocketMessage? first = await line.WaitAsync(Peer.Bound);
            SocketMessage? until = await OnOwnThread(() => client.ReceiveUntil("|", s_wait, null, CancellationToken.None)).WaitAsync(Peer.Bound);
            SocketMessage? two = await OnOwnThread(() => client.ReceiveBytes(2, s_wait, null, CancellationToken.None)).WaitAsync(Peer.Bound);

            Assert.Equal("hello", first!.Text);
            Assert.Equal(client.Id, first.SocketId);
            Assert.Equal("ab", until!.Text);
            Assert.Equal("cd", two!.Text);
            Assert.Equal(0, client.BufferedBytes);
        }
    }

    [Fact]
    public async Task A_blocked_line_receive_times_out_with_what_arrived_kept_and_an_available_receive_returns_null()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            await Peer.SendAsync(server, "partial");
            await Peer.WaitUntilAsync(() => client.BufferedBytes == 7, "the partial line");

            SocketShellException e = await Assert.ThrowsAsync<SocketShellException>(
                () => OnOwnThread(() => client.ReceiveLine(TimeSpan.FromMilliseconds(50), null, CancellationToken.None)).WaitAsync(Peer.Bound));
            Assert.Equal(SocketErrorKind.OperationTimeout, e.Kind);
            Assert.Equal(7, client.BufferedBytes);

            SocketMessage? all = await OnOwnThread(() => client.ReceiveAvailable(s_wait, null, CancellationToken.None)).WaitAsync(Peer.Bound);
            Assert.Equal("partial", all!.Text);
            Assert.Null(await OnOwnThread(() => client.ReceiveAvailable(TimeSpan.FromMilliseconds(20), null, CancellationToken.None)).WaitAsync(Peer.Bound));
        }
    }

    [Fact]
    public async Task Cancelling_a_blocked_receive_ends_it_and_the_next_receive_works()
    {
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (client)
        using (server)
        {
            using var cts = new CancellationTokenSource();
            Task<SocketMessage?> blocked = OnOwnThread(() => client.ReceiveLine(Timeout.InfiniteTimeSpan, null, cts.Token));
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked.WaitAsync(Peer.Bound));

            await Peer.SendAsync(server, "next\n");
            SocketMessage? next = await OnOwnThread(() => client.ReceiveLine(s_wait, null, CancellationToken.None)).WaitAsync(Peer.Bound);
            Assert.Equal("next", next!.Text);
        }
    }

    [Fact]
    public async Task A_blocked_receive_returns_null_at_the_end_of_the_stream_and_rethrows_a_reset()
    {
        (SocketConnection closed, Socket server) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (closed)
        {
            Task<SocketMessage?> atEnd = OnOwnThread(() => closed.ReceiveLine(s_wait, null, CancellationToken.None));
            server.Shutdown(SocketShutdown.Send);
            server.Dispose();
            Assert.Null(await atEnd.WaitAsync(Peer.Bound));
            Assert.Equal(SocketConnectionState.Closed, closed.State);
        }

        (SocketConnection reset, Socket peer) = await Peer.ConnectPairAsync(_listener, sessions: _sessions);
        using (reset)
        {
            Task<SocketMessage?> blocked = OnOwnThread(() => reset.ReceiveLine(s_wait, null, CancellationToken.None));
            peer.LingerState = new LingerOption(true, 0);
            peer.Dispose();
            SocketShellException e = await Assert.ThrowsAsync<SocketShellException>(() => blocked.WaitAsync(Peer.Bound));
            Assert.Equal(SocketErrorKind.ConnectionReset, e.Kind);
        }
    }

    // A dedicated thread, as PowerShell's pipeline thread: the blocking call must not need the caller's thread back.
    private static Task<T> OnOwnThread<T>(Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }) { IsBackground = true };
        thread.Start();
        return done.Task;
    }
}
