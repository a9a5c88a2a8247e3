using System.Net;
using System.Net.Sockets;
using SocketShell.Client;
using SocketShell.Engine.Tests.Common;

namespace SocketShell.Engine.Tests.Client;

public class ClientConnectTests
{
    private readonly SocketSessions _sessions = new();

    [Fact]
    public async Task Connects_over_ipv4_and_describes_the_connection()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(listener, sessions: _sessions);
        using (client)
        using (server)
        {
            Assert.Equal(SocketConnectionState.Open, client.State);
            Assert.True(client.Id > 0);
            Assert.Equal("127.0.0.1", client.ComputerName);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, Peer.PortOf(listener)), client.GetRemoteEndPoint());
            Assert.Equal(server.RemoteEndPoint, client.GetLocalEndPoint());
            Assert.True(client.ConnectTime > TimeSpan.Zero);
            Assert.InRange(client.ConnectedAt, DateTimeOffset.Now.AddMinutes(-1), DateTimeOffset.Now);
            Assert.False(client.IsTls);
            Assert.Null(client.TlsProtocol);
            Assert.Null(client.GetRemoteCertificate());
            Assert.Equal(0, client.BytesSent);
            Assert.Equal(0, client.BytesReceived);
            Assert.Same(client, _sessions.Get(client.Id));
            Assert.Equal($"127.0.0.1:{Peer.PortOf(listener)}", client.Target);
        }
    }

    [Fact]
    public async Task Connects_over_ipv6()
    {
        Assert.True(Socket.OSSupportsIPv6, "IPv6 loopback is needed for this test");
        using TcpListener listener = Peer.Listen(IPAddress.IPv6Loopback);
        (SocketConnection client, Socket server) = await Peer.ConnectPairAsync(listener, "::1", _sessions);
        using (client)
        using (server)
        {
            Assert.Equal(AddressFamily.InterNetworkV6, client.GetRemoteEndPoint()!.AddressFamily);
            Assert.Equal($"[::1]:{Peer.PortOf(listener)}", client.Target);
        }
    }

    [Fact]
    public async Task Connects_to_localhost()
    {
        // localhost may resolve to 127.0.0.1, ::1 or both, in either order: listen on both families.
        using TcpListener v4 = Peer.Listen(IPAddress.Loopback);
        int port = Peer.PortOf(v4);
        using var v6 = new TcpListener(IPAddress.IPv6Loopback, port);
        v6.Start();
        using SocketConnection client = await SocketClient.ConnectAsync(Peer.Options("localhost", port), _sessions, CancellationToken.None).WaitAsync(Peer.Bound);
        Assert.Equal(SocketConnectionState.Open, client.State);
        Assert.True(IPAddress.IsLoopback(client.GetRemoteEndPoint()!.Address));
        Assert.Equal("localhost", client.ComputerName);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tries_every_address_in_turn_so_localhost_works_whichever_family_comes_first(bool ipv6First)
    {
        // PowerShell issue #17383: the first address refuses (nothing listens on that family), the second accepts.
        IPAddress listening = ipv6First ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        IPAddress refusing = ipv6First ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using TcpListener listener = Peer.Listen(listening);
        int port = Peer.PortOf(listener);
        using (var probe = new Socket(refusing.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(refusing, port)); // proves nothing else holds the port on the other family
        }

        var resolver = new FixedResolver(refusing, listening);
        SocketConnectOptions options = Peer.Options("localhost", port);
        options.Resolver = resolver.Resolve;
        using SocketConnection client = await SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound);
        Assert.Equal(listening, client.GetRemoteEndPoint()!.Address);
        Assert.Equal(1, resolver.Calls);
    }

    [Fact]
    public async Task A_closed_port_is_ConnectionRefused_with_the_target()
    {
        int port = Peer.ClosedPort(IPAddress.Loopback);
        var e = await Assert.ThrowsAsync<SocketShellException>(
            () => SocketClient.ConnectAsync(Peer.Options("127.0.0.1", port), _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        Assert.Equal(SocketErrorKind.ConnectionRefused, e.Kind);
        Assert.Equal($"127.0.0.1:{port}", e.Target);
        Assert.Contains("refused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_address_refusing_names_each_attempt()
    {
        int port = Peer.ClosedPort(IPAddress.Loopback);
        SocketConnectOptions options = Peer.Options("localhost", port);
        options.Resolver = new FixedResolver(IPAddress.IPv6Loopback, IPAddress.Loopback).Resolve;
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        Assert.Equal(SocketErrorKind.ConnectionRefused, e.Kind);
        Assert.Contains($"[::1]:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_family_for_a_literal_is_HostNotFound()
    {
        var options = Peer.Options("127.0.0.1", 80);
        options.AddressFamily = IPFamily.IPv6;
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(options, _sessions, CancellationToken.None));
        Assert.Equal(SocketErrorKind.HostNotFound, e.Kind);
        Assert.Equal("127.0.0.1:80", e.Target);
    }

    [Fact]
    public async Task A_stalled_handshake_is_ConnectTimeout_after_the_timeout()
    {
        using StalledListener stalled = await StalledListener.CreateAsync();
        var options = Peer.Options("127.0.0.1", stalled.Port, TimeSpan.FromMilliseconds(300));
        long start = Environment.TickCount64;
        var e = await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound));
        long elapsed = Environment.TickCount64 - start;
        Assert.Equal(SocketErrorKind.ConnectTimeout, e.Kind);
        Assert.Contains("0.3 s", e.Message, StringComparison.Ordinal);
        Assert.True(elapsed >= 250, $"gave up after {elapsed} ms, before the timeout");
    }

    [Fact]
    public async Task Cancellation_stops_a_stalled_connect_and_leaves_nothing_listed()
    {
        using StalledListener stalled = await StalledListener.CreateAsync();
        var options = Peer.Options("127.0.0.1", stalled.Port, TimeSpan.FromMinutes(1));
        int before = _sessions.GetAll().Count(c => c.GetRemoteEndPoint()?.Port == stalled.Port);
        using var cts = new CancellationTokenSource();
        Task<SocketConnection> connect = SocketClient.ConnectAsync(options, _sessions, cts.Token);
        Assert.False(connect.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.WaitAsync(Peer.Bound));
        Assert.Equal(before, _sessions.GetAll().Count(c => c.GetRemoteEndPoint()?.Port == stalled.Port));
    }

    [Fact]
    public async Task NoDelay_and_KeepAlive_are_set_on_the_socket()
    {
        using TcpListener listener = Peer.Listen(IPAddress.Loopback);
        var options = Peer.Options("127.0.0.1", Peer.PortOf(listener));
        options.NoDelay = true;
        options.KeepAlive = true;
        using SocketConnection client = await SocketClient.ConnectAsync(options, _sessions, CancellationToken.None).WaitAsync(Peer.Bound);
        using Socket server = await Peer.AcceptFromAsync(listener, client.GetLocalEndPoint()!);
        Assert.True(client.Socket.NoDelay);
        Assert.NotEqual(0, (int)client.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
    }

    [Fact]
    public async Task Bad_options_are_refused_before_any_socket_is_made()
    {
        Assert.Equal(SocketErrorKind.InvalidPort, (await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options("127.0.0.1", 0), _sessions, CancellationToken.None))).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, (await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options(" ", 80), _sessions, CancellationToken.None))).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, (await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options("[::1]:8080", 80), _sessions, CancellationToken.None))).Kind);
        Assert.Equal(SocketErrorKind.InvalidComputerName, (await Assert.ThrowsAsync<SocketShellException>(() => SocketClient.ConnectAsync(Peer.Options("127.1", 80), _sessions, CancellationToken.None))).Kind);
        Assert.Empty(_sessions.GetAll());
    }
}

/// <summary>
/// A listener whose accept queue is full and never drained: further SYNs get no answer, so a connect
/// to it stalls until its timeout. Verified on this machine (Linux 6.18): listen(1) takes two
/// connections, the third stalls.
/// </summary>
internal sealed class StalledListener : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = [];

    private StalledListener(Socket listener) => _listener = listener;

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public static async Task<StalledListener> CreateAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var stalled = new StalledListener(listener);
        // Fill the queue until a connect does not complete: that one proves later SYNs stall.
        for (int i = 0; i < 16; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            stalled._fillers.Add(filler);
            Task connect = filler.ConnectAsync(listener.LocalEndPoint!);
            if (await Task.WhenAny(connect, Task.Delay(500)) != connect)
            {
                return stalled;
            }
        }

        stalled.Dispose();
        throw new InvalidOperationException("The accept queue never filled: connects to a full backlog do not stall on this system.");
    }

    public void Dispose()
    {
        foreach (Socket s in _fillers)
        {
            s.Dispose();
        }

        _listener.Dispose();
    }
}
