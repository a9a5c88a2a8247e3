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
    [Fact]
    public async Task No_socket_is_left_open_after_disconnect_close_by_peer_or_a_failed_connect()
    {
        Assert.True(OperatingSystem.IsLinux(), "counts sockets in /proc/self/fd");
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        int baseline = OpenSockets.Count();

        // Disconnect.
        (SocketConnection a, Socket serverA) = await Peer.ConnectPairAsync(listener);
        Assert.Equal(baseline + 2, OpenSockets.Count());
        Task disconnect = a.DisconnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Empty(await Peer.ReadAsync(serverA, 1));
        serverA.Dispose();
        await disconnect.WaitAsync(Peer.Bound);
        Assert.Equal(baseline, OpenSockets.Count());

        // The peer closes: the connection releases its socket by itself, and stays listed as Closed.
        (SocketConnection b, Socket serverB) = await Peer.ConnectPairAsync(listener);
        serverB.Dispose();
        await b.Reader.WaitAsync(Peer.Bound);
        Assert.Equal(baseline, OpenSockets.Count());
        Assert.Same(b, SocketSessions.Get(b.Id));
        Assert.Equal(SocketConnectionState.Closed, b.State);
        b.Dispose();
        Assert.Null(SocketSessions.Get(b.Id));

        // A refused connect and a TLS failure leave nothing behind.
        int closed = Peer.ClosedPort(IPAddress.Loopback);
        await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options("127.0.0.1", closed), CancellationToken.None));
        Task<Socket> accept = Peer.AcceptTlsClientAsync(listener);
        var tls = Peer.Options("127.0.0.1", Peer.PortOf(listener));
        tls.UseTls = true;
        Task<SocketConnection> handshake = SocketClient.ConnectAsync(tls, CancellationToken.None);
        using (Socket plain = await accept)
        {
            plain.Shutdown(SocketShutdown.Both);
        }

        await Assert.ThrowsAsync<SocketShellException>(() => handshake.WaitAsync(Peer.Bound));
        Assert.Equal(baseline, OpenSockets.Count());
    }

    [Fact]
    public async Task Cleanup_closes_every_listed_connection()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection a, Socket serverA) = await Peer.ConnectPairAsync(listener);
        (SocketConnection b, Socket serverB) = await Peer.ConnectPairAsync(listener);
        using (serverA)
        using (serverB)
        {
            Assert.Contains("SocketConnections", SessionCleanup.Registered);
            int baseline = OpenSockets.Count();
            Assert.Empty(SessionCleanup.RunAll());
            Assert.Equal(SocketConnectionState.Closed, a.State);
            Assert.Equal(SocketConnectionState.Closed, b.State);
            Assert.Empty(SocketSessions.GetAll());
            Assert.Equal(baseline - 2, OpenSockets.Count());
            Assert.Empty(await Peer.ReadAsync(serverA, 1));
        }
    }
}
