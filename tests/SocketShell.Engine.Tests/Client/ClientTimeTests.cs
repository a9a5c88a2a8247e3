using System.Net;
using System.Net.Sockets;
using SocketShell.Client;
using SocketShell.Engine.Tests.Common;

namespace SocketShell.Engine.Tests.Client;

/// <summary>
/// The connection's time policies on a manual clock (<see cref="SocketConnectOptions.TimeProvider"/>): a
/// receive times out exactly at its timeout, a disconnect stops draining exactly at its drain time, a
/// stalled connect ends at its timeout, and the timestamps are the clock's. Real loopback sockets, no sleeps.
/// </summary>
public sealed class ClientTimeTests : IDisposable
{
    private readonly SocketSessions _sessions = new();
    private readonly ManualTimeProvider _clock = new();

    public void Dispose() => _sessions.CloseAll();

    private async Task<(SocketConnection Client, Socket Server)> ConnectAsync(TcpListener listener)
    {
        SocketConnectOptions options = Peer.Options("127.0.0.1", Peer.PortOf(listener));
        options.TimeProvider = _clock;
        SocketConnection client = await SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound);
        return (client, await Peer.AcceptFromAsync(listener, client.GetLocalEndPoint()!));
    }

    [Fact]
    public async Task A_line_receive_times_out_exactly_at_its_timeout_on_the_connections_clock_and_keeps_what_arrived()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection client, Socket server) = await ConnectAsync(listener);
        using Socket _ = server;
        await Peer.SendAsync(server, "no end yet");
        await Peer.WaitUntilAsync(() => client.BufferedBytes == 10, "the partial line to be buffered");

        Task<SocketMessage?> receive = client.ReceiveLineAsync(TimeSpan.FromSeconds(10), null, CancellationToken.None);
        await _clock.WaitForArmedTimersAsync(1, Peer.Bound);
        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(receive.IsCompleted, "the receive ended before its timeout");

        _clock.Advance(TimeSpan.FromTicks(1));
        var e = await Assert.ThrowsAsync<SocketShellException>(() => receive.WaitAsync(Peer.Bound));
        Assert.Equal(SocketErrorKind.OperationTimeout, e.Kind);
        Assert.Contains("within 10 s", e.Message, StringComparison.Ordinal);
        Assert.Equal(10, client.BufferedBytes);
        Assert.Equal(SocketConnectionState.Open, client.State);
    }

    [Fact]
    public async Task An_Available_receive_returns_null_at_its_timeout_and_data_before_it_carries_the_clocks_time()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection client, Socket server) = await ConnectAsync(listener);
        using Socket _ = server;
        Assert.Equal(ManualTimeProvider.Start, client.ConnectedAt);
        Assert.Equal(TimeSpan.Zero, client.ConnectTime);

        Task<SocketMessage?> nothing = client.ReceiveAvailableAsync(TimeSpan.FromSeconds(2), null, CancellationToken.None);
        await _clock.WaitForArmedTimersAsync(1, Peer.Bound);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await nothing.WaitAsync(Peer.Bound));

        _clock.Advance(TimeSpan.FromHours(1));
        await Peer.SendAsync(server, "hello");
        SocketMessage? m = await client.ReceiveAvailableAsync(TimeSpan.FromSeconds(2), null, CancellationToken.None).WaitAsync(Peer.Bound);
        Assert.NotNull(m);
        Assert.Equal("hello", m.Text);
        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2), m.Timestamp);
    }

    [Fact]
    public async Task A_disconnect_drains_until_the_peer_closes_or_the_drain_time_ends_on_the_connections_clock()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection client, Socket server) = await ConnectAsync(listener);
        using Socket _ = server;

        Task disconnect = client.DisconnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        byte[] rest = await Peer.ReadAsync(server, 1); // the FIN: nothing more comes from the client
        Assert.Empty(rest);
        await _clock.WaitForArmedTimersAsync(1, Peer.Bound);
        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(disconnect.IsCompleted, "the drain ended before its time while the peer kept the connection open");

        _clock.Advance(TimeSpan.FromTicks(1));
        await disconnect.WaitAsync(Peer.Bound);
        Assert.Equal(SocketConnectionState.Closed, client.State);
        Assert.Equal(ManualTimeProvider.Start + TimeSpan.FromSeconds(5), client.ClosedAt);
        Assert.Empty(_sessions.GetAll());
    }

    [Fact]
    public async Task A_stalled_connect_is_ConnectTimeout_exactly_at_the_timeout_on_the_options_clock()
    {
        // The scan tests' stalled port: it adds clients beyond the first that stalls, so the queue is surely full.
        using Scan.ScanFixtures.StalledPort? stalled = await Scan.ScanFixtures.StalledPortAsync(IPAddress.Loopback);
        Assert.NotNull(stalled);
        SocketConnectOptions options = Peer.Options("127.0.0.1", stalled.Port, TimeSpan.FromSeconds(30));
        options.TimeProvider = _clock;

        Task<SocketConnection> connect = SocketClient.ConnectAsync(options, _sessions, CancellationToken.None);
        await _clock.WaitForArmedTimersAsync(1, Peer.Bound);
        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.False(connect.IsCompleted, "the connect gave up before its timeout");

        _clock.Advance(TimeSpan.FromTicks(1));
        var e = await Assert.ThrowsAsync<SocketShellException>(() => connect.WaitAsync(Peer.Bound));
        Assert.Equal(SocketErrorKind.ConnectTimeout, e.Kind);
        Assert.Contains("within 30 s", e.Message, StringComparison.Ordinal);
        Assert.Empty(_sessions.GetAll());
    }
}
