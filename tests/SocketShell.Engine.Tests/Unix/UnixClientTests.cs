using System.Net.Sockets;
using System.Text;
using SocketShell.Listeners;
using SocketShell.Client;
using SocketShell.Engine.Tests.Skips;
using SocketShell.Unix;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Unix;

/// <summary>Connect-Socket -Path: the same SocketConnection over a Unix stream socket, and the failures a user can act on.</summary>
public sealed class UnixClientTests
{
    private readonly ListenerRegistry _registry = new();
    private readonly SocketSessions _sessions = new();

    private Task<SocketConnection> ConnectAsync(string path) =>
        SocketClient.ConnectAsync(new SocketConnectOptions { Path = path, Timeout = Bound }, _sessions, CancellationToken.None);

    [Fact]
    public async Task A_connection_to_a_unix_listener_sends_receives_lines_and_shows_the_path()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("echo.sock");
        SocketListener l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null, Mode = ListenerMode.Echo });
        try
        {
            using SocketConnection c = await ConnectAsync(path);
            Assert.Equal(TransportProtocol.Unix, c.Protocol);
            Assert.Equal(path, c.Path);
            Assert.Equal(path, c.Target);
            Assert.Null(c.RemoteEndPoint);
            Assert.Null(c.LocalEndPoint);
            Assert.Contains(c, _sessions.GetAll());
            await c.SendAsync(Encoding.UTF8.GetBytes("one\ntwo|"), CancellationToken.None);
            SocketMessage? line = await c.ReceiveLineAsync(Bound, null, CancellationToken.None);
            Assert.Equal("one", line!.Text);
            Assert.Equal(TransportProtocol.Unix, line.Protocol);
            Assert.Equal(path, line.RemotePath);
            SocketMessage? until = await c.ReceiveUntilAsync("|", Bound, null, CancellationToken.None);
            Assert.Equal("two", until!.Text); // the delimiter is consumed, not returned
            await c.SendAsync(new byte[100], CancellationToken.None);
            SocketMessage? count = await c.ReceiveBytesAsync(100, Bound, null, CancellationToken.None);
            Assert.Equal(100, count!.Length);
            await c.DisconnectAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            Assert.Equal(SocketConnectionState.Closed, c.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_missing_path_is_PathNotFound()
    {
        using var dir = new UnixTestDirectory();
        var e = await Assert.ThrowsAsync<SocketShellException>(() => ConnectAsync(dir.File("absent.sock")));
        Assert.Equal(SocketErrorKind.PathNotFound, e.Kind);
        Assert.Equal(dir.File("absent.sock"), e.Target);
    }

    [Fact]
    public async Task A_regular_file_is_NotASocket()
    {
        using var dir = new UnixTestDirectory();
        File.WriteAllText(dir.File("plain"), "x");
        var e = await Assert.ThrowsAsync<SocketShellException>(() => ConnectAsync(dir.File("plain")));
        Assert.Equal(SocketErrorKind.NotASocket, e.Kind);
    }

    [Fact]
    public async Task A_stale_socket_file_is_ConnectionRefused()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new KeptFileEndPoint(new UnixDomainSocketEndPoint(path))); // closed below: a stale socket file
        }

        var e = await Assert.ThrowsAsync<SocketShellException>(() => ConnectAsync(path));
        Assert.Equal(SocketErrorKind.ConnectionRefused, e.Kind);
    }

    [Fact]
    public async Task A_path_longer_than_sun_path_is_InvalidSocketPath()
    {
        var e = await Assert.ThrowsAsync<SocketShellException>(() => ConnectAsync("/tmp/" + new string('x', 200)));
        Assert.Equal(SocketErrorKind.InvalidSocketPath, e.Kind);
    }

    [FactNeeding(Requirement.Linux)]
    public async Task An_abstract_name_connects_on_linux()
    {
        string name = "@socketshell-test-" + Guid.NewGuid().ToString("N");
        SocketListener l = _registry.Start(new ListenerOptions { Path = name, Protocol = TransportProtocol.Unix, Address = null, Mode = ListenerMode.Echo });
        try
        {
            using SocketConnection c = await ConnectAsync(name);
            await c.SendAsync(Encoding.ASCII.GetBytes("abc"), CancellationToken.None);
            Assert.Equal("abc", (await c.ReceiveBytesAsync(3, Bound, null, CancellationToken.None))!.Text);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [FactNeeding(Requirement.RootToActAsNobody)]
    public async Task Another_user_without_permission_gets_AccessDenied()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("private.sock");
        SocketListener l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null, Permission = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        try
        {
            // On a thread running as nobody: the probe and the client both see the refusal for what it is.
            (SocketErrorKind connect, PortState probe) = ThreadCredentials.RunAs(ThreadCredentials.Nobody, () =>
            {
                SocketErrorKind kind = SocketErrorKind.Unknown;
                try
                {
                    ConnectAsync(path).GetAwaiter().GetResult().Dispose();
                }
                catch (SocketShellException e)
                {
                    kind = e.Kind;
                }

                return (kind, UnixSocketProbe.ProbeAsync(path, Bound, CancellationToken.None).GetAwaiter().GetResult().Status);
            });
            Assert.Equal(SocketErrorKind.AccessDenied, connect);
            Assert.Equal(PortState.AccessDenied, probe);

            // And root itself still connects.
            using SocketConnection c = await ConnectAsync(path);
            Assert.Equal(SocketConnectionState.Open, c.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Waiting_on_a_path_returns_open_once_a_listener_appears_and_not_found_when_none_does()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("later.sock");
        SocketListener? l = null;
        int attempts = 0;
        try
        {
            // The listener starts when the first attempt has seen nothing there: no timing guess.
            PortStatus status = await UnixSocketProbe.WaitAsync(path, Bound, Bound, s =>
            {
                Assert.Equal(PortState.NotFound, s.Status);
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null });
                }
            }, CancellationToken.None).WaitAsync(Bound);
            Assert.Equal(PortState.Open, status.Status);
            Assert.Equal(1, attempts);

            PortStatus none = await UnixSocketProbe.WaitAsync(dir.File("never.sock"), Bound, TimeSpan.FromMilliseconds(250), null, CancellationToken.None).WaitAsync(Bound);
            Assert.Equal(PortState.NotFound, none.Status);
        }
        finally
        {
            if (l is not null)
            {
                await l.StopAsync();
            }
        }
    }

    [Fact]
    public async Task Test_port_path_says_open_closed_and_not_found()
    {
        using var dir = new UnixTestDirectory();
        string live = dir.File("live.sock");
        string stale = dir.File("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new KeptFileEndPoint(new UnixDomainSocketEndPoint(stale))); // closed below: a stale socket file
        }

        File.WriteAllText(dir.File("plain"), "x");
        SocketListener l = _registry.Start(new ListenerOptions { Path = live, Protocol = TransportProtocol.Unix, Address = null });
        using var dgram = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        dgram.Bind(new UnixDomainSocketEndPoint(dir.File("dgram.sock")));
        try
        {
            PortStatus open = await UnixSocketProbe.ProbeAsync(live, Bound, CancellationToken.None);
            Assert.Equal(PortState.Open, open.Status);
            Assert.Equal(live, open.Path);
            Assert.Equal(live, open.ComputerName);
            Assert.NotNull(open.Latency);
            Assert.Equal(PortState.Closed, (await UnixSocketProbe.ProbeAsync(stale, Bound, CancellationToken.None)).Status);
            Assert.Equal(PortState.NotFound, (await UnixSocketProbe.ProbeAsync(dir.File("none.sock"), Bound, CancellationToken.None)).Status);
            Assert.Equal(PortState.NotFound, (await UnixSocketProbe.ProbeAsync(dir.File("plain"), Bound, CancellationToken.None)).Status);
            Assert.Equal(PortState.Open, (await UnixSocketProbe.ProbeAsync(dir.File("dgram.sock"), Bound, CancellationToken.None)).Status);
        }
        finally
        {
            await l.StopAsync();
        }
    }
}
