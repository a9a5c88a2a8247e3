using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SocketShell.Unix;
using SocketShell.Engine.Tests.Skips;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Unix;

/// <summary>Start-SocketListener -Path: the TCP accept machinery on a Unix stream socket, and the socket file's life.</summary>
public sealed class UnixListenerTests
{
    private readonly ListenerRegistry _registry = new();

    private SocketListener StartOn(string path, ListenerMode mode = ListenerMode.Capture, Action<ListenerOptions>? configure = null)
    {
        var options = new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null, Mode = mode };
        configure?.Invoke(options);
        return _registry.Start(options);
    }

    private static async Task<Socket> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).WaitAsync(Bound);
        return socket;
    }

    [Fact]
    public async Task Capture_keeps_what_a_client_sends_with_the_listener_path_and_no_ip_endpoints()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("cap.sock");
        SocketListener l = StartOn(path);
        try
        {
            Assert.Equal(TransportProtocol.Unix, l.Protocol);
            Assert.Equal(path, l.Path);
            Assert.Null(l.LocalEndPoint);
            Assert.Equal(0, l.Port);
            Assert.Equal("unix-cap.sock", l.Name);
            using Socket c = await ConnectAsync(path);
            await c.SendAsync(Encoding.UTF8.GetBytes("hello"), SocketFlags.None);
            SocketMessage m = Assert.Single(await l.ReceiveAsync(int.MaxValue, 1, null, false, Bound, CancellationToken.None));
            Assert.Equal("hello", m.Text);
            Assert.Equal(TransportProtocol.Unix, m.Protocol);
            Assert.Equal(path, m.LocalPath);
            Assert.Null(m.LocalEndPoint);
            Assert.Null(m.RemoteEndPoint);
            Assert.Equal(1, m.ConnectionId);
            Assert.Equal(1, l.ConnectionCount);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Echo_reply_and_discard_answer_as_they_do_over_tcp()
    {
        using var dir = new UnixTestDirectory();
        SocketListener echo = StartOn(dir.File("echo.sock"), ListenerMode.Echo);
        SocketListener reply = StartOn(dir.File("reply.sock"), ListenerMode.Reply, o => { o.Response = Encoding.ASCII.GetBytes("OK\n"); o.CloseAfterReply = true; });
        SocketListener discard = StartOn(dir.File("discard.sock"), ListenerMode.Discard);
        try
        {
            using (Socket c = await ConnectAsync(echo.Path!))
            {
                await c.SendAsync(Encoding.ASCII.GetBytes("ping"), SocketFlags.None);
                Assert.Equal("ping", Encoding.ASCII.GetString(await ReadExactlyAsync(c, 4)));
            }

            using (Socket c = await ConnectAsync(reply.Path!))
            {
                await c.SendAsync(Encoding.ASCII.GetBytes("question"), SocketFlags.None);
                Assert.Equal("OK\n", Encoding.ASCII.GetString(await ReadToEndAsync(c)));
            }

            using (Socket c = await ConnectAsync(discard.Path!))
            {
                await c.SendAsync(new byte[1000], SocketFlags.None);
                c.Shutdown(SocketShutdown.Send);
                Assert.Empty(await ReadToEndAsync(c));
            }

            Assert.True(await EventuallyAsync(() => discard.BytesReceived == 1000));
            Assert.Equal(0, discard.CapturedBytes);
            Assert.Equal(0, discard.PendingMessages);
            Assert.Equal(4, echo.BytesSent);
            Assert.Equal(3, reply.BytesSent);
        }
        finally
        {
            await Task.WhenAll(echo.StopAsync(), reply.StopAsync(), discard.StopAsync());
        }
    }

    [Fact]
    public async Task Five_megabytes_of_random_data_come_back_through_echo_unchanged()
    {
        using var dir = new UnixTestDirectory();
        SocketListener l = StartOn(dir.File("big.sock"), ListenerMode.Echo, o => o.CaptureLimit = 0);
        try
        {
            byte[] data = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
            using Socket c = await ConnectAsync(l.Path!);
            Task<byte[]> back = ReadExactlyAsync(c, data.Length);
            int sent = 0;
            while (sent < data.Length)
            {
                sent += await c.SendAsync(data.AsMemory(sent), SocketFlags.None).AsTask().WaitAsync(Bound);
            }

            Assert.Equal(SHA256.HashData(data), SHA256.HashData(await back));
            Assert.Equal(data.Length, l.BytesReceived);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task The_socket_file_exists_while_listening_and_is_removed_by_stop()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("life.sock");
        SocketListener l = StartOn(path);
        Assert.True(File.Exists(path));
        await l.StopAsync();
        Assert.False(File.Exists(path));
        Assert.Equal(ListenerState.Stopped, l.State);
    }

    [Fact]
    public async Task A_file_put_in_the_listeners_place_is_not_removed_by_stop()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("swap.sock");
        SocketListener l = StartOn(path);
        File.Delete(path);
        File.WriteAllText(path, "someone else's");
        await l.StopAsync();
        Assert.Equal("someone else's", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_stale_socket_file_is_PathInUse_without_force_and_replaced_with_it()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new KeptFileEndPoint(new UnixDomainSocketEndPoint(path))); // bound, never listening, then closed: a stale file (.NET would delete its own)
        }

        Assert.True(File.Exists(path));
        var e = Assert.Throws<SocketShellException>(() => StartOn(path));
        Assert.Equal(SocketErrorKind.PathInUse, e.Kind);
        Assert.Contains("stale", e.Message, StringComparison.Ordinal);
        SocketListener l = StartOn(path, configure: o => o.Force = true);
        try
        {
            using Socket c = await ConnectAsync(path);
            Assert.True(await EventuallyAsync(() => l.ConnectionCount == 1));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_live_socket_is_never_replaced_even_with_force()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("live.sock");
        SocketListener first = StartOn(path);
        try
        {
            var e = Assert.Throws<SocketShellException>(() => StartOn(path, configure: o => o.Force = true));
            Assert.Equal(SocketErrorKind.PathInUse, e.Kind);
            using Socket c = await ConnectAsync(path); // the first listener still owns the path
            Assert.True(await EventuallyAsync(() => first.ConnectionCount >= 1));
        }
        finally
        {
            await first.StopAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_regular_file_or_a_directory_is_PathInUse_and_left_alone(bool directory)
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("taken");
        if (directory)
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            File.WriteAllText(path, "keep me");
        }

        var e = Assert.Throws<SocketShellException>(() => StartOn(path, configure: o => o.Force = true));
        Assert.Equal(SocketErrorKind.PathInUse, e.Kind);
        Assert.Equal(path, e.Target);
        Assert.True(directory ? Directory.Exists(path) : File.ReadAllText(path) == "keep me");
    }

    [Fact]
    public void A_missing_directory_is_PathNotFound()
    {
        using var dir = new UnixTestDirectory();
        var e = Assert.Throws<SocketShellException>(() => StartOn(dir.File("no/such/dir.sock")));
        Assert.Equal(SocketErrorKind.PathNotFound, e.Kind);
    }

    [FactNeeding(Requirement.NotWindows)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Permission_sets_the_socket_file_mode()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("mode.sock");
        SocketListener l = StartOn(path, configure: o => o.Permission = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        try
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public void Unix_only_options_are_refused_without_a_path()
    {
        var options = new ListenerOptions { Force = true };
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(options.Validate).Kind);
        options = new ListenerOptions { Path = "/tmp/x.sock", Protocol = TransportProtocol.Udp };
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(options.Validate).Kind);
        options = new ListenerOptions { Protocol = TransportProtocol.Unix };
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(options.Validate).Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echo_on_a_path_holds_back_a_client_that_stops_reading_and_serves_many_clients_at_once(bool asyncPath)
    {
        const int Flood = 16 * 1024 * 1024; // far more than a Unix socket pair buffers
        using var dir = new UnixTestDirectory();
        SocketListener l = StartOn(dir.File("bp.sock"), ListenerMode.Echo, o => { o.AsynchronousConnections = asyncPath; o.CaptureLimit = 0; });
        try
        {
            using Socket slow = await ConnectAsync(l.Path!);
            byte[] data = RandomNumberGenerator.GetBytes(Flood);
            Task send = slow.SendAsync(data, SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.BytesReceived > l.BytesSent));
            Assert.NotSame(send, await Task.WhenAny(send, Task.Delay(500)));
            Assert.InRange(l.BytesReceived - l.BytesSent, 1, Math.Max(TcpListenerWorker.BufferSize, StreamEventLoop.ReceiveBufferSize));

            // Meanwhile others are served.
            var others = new List<Socket>();
            for (int i = 0; i < 50; i++)
            {
                others.Add(await ConnectAsync(l.Path!));
            }

            await Task.WhenAll(others.Select(async (c, i) =>
            {
                byte[] mine = Encoding.UTF8.GetBytes($"client {i}");
                await c.SendAsync(mine, SocketFlags.None);
                Assert.Equal(mine, await ReadExactlyAsync(c, mine.Length));
            })).WaitAsync(Bound);
            others.ForEach(c => c.Dispose());

            byte[] back = await ReadExactlyAsync(slow, Flood);
            await send.WaitAsync(Bound);
            Assert.True(back.AsSpan().SequenceEqual(data));
        }
        finally
        {
            await l.StopAsync();
        }
    }
}

/// <summary>Stops every listener of the process, so it runs alone (with the other heavy listener tests).</summary>
[Collection(nameof(SocketShell.Engine.Tests.Listeners.ListenerHeavyTests))]
public sealed class UnixListenerCleanupTests
{
    private readonly ListenerRegistry _registry = new();

    [Fact]
    public async Task Stopping_every_listener_as_module_removal_does_removes_the_socket_file()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("cleanup.sock");
        SocketListener l = _registry.Start(new ListenerOptions { Path = path, Protocol = TransportProtocol.Unix, Address = null });
        Assert.True(_registry.StopAll(Bound));
        Assert.Equal(ListenerState.Stopped, l.State);
        Assert.False(File.Exists(path));
        await l.StopAsync();
    }
}
