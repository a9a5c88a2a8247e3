using System.Net.Sockets;
using System.Net;
using SocketShell.Client;
using SocketShell.Common;

namespace SocketShell.Engine.Tests.Client;

/// <summary>Counts the process's sockets, so it runs alone (no other test opening sockets meanwhile).</summary>
[CollectionDefinition(nameof(SocketCountCollection), DisableParallelization = true)]
public sealed class SocketCountCollection;

[Collection(nameof(SocketCountCollection))]
public class ClientLifetimeTests
{
    private readonly SocketSessions _sessions = new();

    [Fact]
    public async Task No_socket_is_left_open_after_disconnect_close_by_peer_or_a_failed_connect()
    {
        Assert.True(OperatingSystem.IsLinux(), "counts sockets in /proc/self/fd");
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        int baseline = OpenSockets.Count();

        // Disconnect.
        (SocketConnection a, Socket serverA) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        Assert.Equal(baseline + 2, OpenSockets.Count());
        Task disconnect = a.DisconnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Empty(await Peer.ReadAsync(serverA, 1));
        serverA.Dispose();
        await disconnect.WaitAsync(Peer.Bound);
        Assert.Equal(baseline, OpenSockets.Count());

        // The peer closes: the connection releases its socket by itself, and stays listed as Closed.
        (SocketConnection b, Socket serverB) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        serverB.Dispose();
        await b.Reader.WaitAsync(Peer.Bound);
        Assert.Equal(baseline, OpenSockets.Count());
        Assert.Same(b, _sessions.Get(b.Id));
        Assert.Equal(SocketConnectionState.Closed, b.State);
        b.Dispose();
        Assert.Null(_sessions.Get(b.Id));

        // A refused connect and a TLS failure leave nothing behind.
        int closed = Peer.ClosedPort(IPAddress.Loopback);
        await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options("127.0.0.1", closed), _sessions, CancellationToken.None));
        Task<Socket> accept = Peer.AcceptTlsClientAsync(listener);
        var tls = Peer.Options("127.0.0.1", Peer.PortOf(listener));
        tls.UseTls = true;
        Task<SocketConnection> handshake = SocketClient.ConnectAsync(tls, _sessions, CancellationToken.None);
        using (Socket plain = await accept)
        {
            plain.Shutdown(SocketShutdown.Both);
        }

        await Assert.ThrowsAsync<SocketShellException>(() => handshake.WaitAsync(Peer.Bound));
        Assert.Equal(baseline, OpenSockets.Count());
    }

    [Fact]
    public async Task A_cancelled_big_send_counts_what_went_out()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        using (server)
        {
            // The peer does not read: 64 MB cannot all go out, the send blocks once the buffers are full.
            using var cts = new CancellationTokenSource();
            Task send = client.SendAsync(new byte[64 * 1024 * 1024], cts.Token);
            await Peer.WaitUntilAsync(() => server.Available > 0 && client.BytesSent > 0, "bytes counted while the send is blocked");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Peer.Bound));
            long counted = client.BytesSent;
            client.Dispose();

            // Everything counted went out; at most the one piece in flight at the cancel went out uncounted.
            long received = 0;
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = await server.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Peer.Bound)) > 0)
            {
                received += n;
            }

            Assert.InRange(counted, 1, received);
            Assert.InRange(received - counted, 0, 64 * 1024);
        }
    }

    [Fact]
    public async Task Sessions_are_separate_and_closing_one_leaves_the_other_open()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        var other = new SocketSessions();
        (SocketConnection mine, Socket serverMine) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        (SocketConnection theirs, Socket serverTheirs) = await Peer.ConnectPairAsync(listener, sessions: other);
        using (serverMine)
        using (serverTheirs)
        using (theirs)
        {
            Assert.Equal([mine], _sessions.GetAll());
            Assert.Equal([theirs], other.GetAll());
            _sessions.CloseAll();
            Assert.Equal(SocketConnectionState.Closed, mine.State);
            Assert.Equal(SocketConnectionState.Open, theirs.State);
            Assert.Same(theirs, other.Get(theirs.Id));
        }
    }

    [Fact]
    public async Task Cleanup_closes_every_listed_connection()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection a, Socket serverA) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        (SocketConnection b, Socket serverB) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        using (serverA)
        using (serverB)
        {
            int baseline = OpenSockets.Count();
            _sessions.CloseAll();
            Assert.Equal(SocketConnectionState.Closed, a.State);
            Assert.Equal(SocketConnectionState.Closed, b.State);
            Assert.Empty(_sessions.GetAll());
            Assert.Equal(baseline - 2, OpenSockets.Count());
            Assert.Empty(await Peer.ReadAsync(serverA, 1));
        }
    }
}
