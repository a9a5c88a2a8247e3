using System.Net.Sockets;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Listeners;

/// <summary>
/// What serving plain TCP connections must do on both paths: the Linux event loop (asyncPath false; on other
/// systems the asynchronous path serves these too) and the asynchronous per-connection loops that TLS and
/// Forward use (asyncPath true). Backpressure from a peer that stops reading, Stop while a send waits,
/// many connections at once across the loops, MaxConnections exact under a burst.
/// </summary>
public sealed class StreamServingTests
{
    // Far more than the kernel buffers of both sides can hold on loopback (the client's are made small).
    private const int Flood = 32 * 1024 * 1024;

    private static SocketListener StartOn(bool asyncPath, ListenerMode mode, Action<ListenerOptions>? configure = null) =>
        Start(mode, configure: o =>
        {
            o.AsynchronousConnections = asyncPath;
            o.CaptureLimit = 0;
            configure?.Invoke(o);
        });

    private static async Task<Socket> SlowReaderAsync(SocketListener l)
    {
        Socket c = await ConnectAsync(l);
        c.ReceiveBufferSize = 64 * 1024; // a fixed, small window: the listener's sends soon would block
        c.SendBufferSize = 64 * 1024;
        return c;
    }

    private static byte Pattern(long i) => (byte)(i % 251);

    private static async Task SendPatternAsync(Socket c, int total)
    {
        byte[] chunk = new byte[64 * 1024];
        for (int sent = 0; sent < total;)
        {
            int n = Math.Min(chunk.Length, total - sent);
            for (int i = 0; i < n; i++)
            {
                chunk[i] = Pattern(sent + i);
            }

            await c.SendAsync(chunk.AsMemory(0, n), SocketFlags.None);
            sent += n;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echo_to_a_peer_that_stops_reading_holds_back_reading_then_delivers_every_byte_in_order(bool asyncPath)
    {
        SocketListener l = StartOn(asyncPath, ListenerMode.Echo);
        try
        {
            using Socket c = await SlowReaderAsync(l);
            Task send = SendPatternAsync(c, Flood);

            // The echo fills the client's window; the listener keeps at most one read's worth unsent.
            Assert.True(await EventuallyAsync(() => l.BytesReceived > l.BytesSent));
            Task settled = await Task.WhenAny(send, Task.Delay(500));
            Assert.NotSame(send, settled); // the client cannot finish: the listener stopped reading it
            Assert.InRange(l.BytesReceived - l.BytesSent, 1, Math.Max(TcpListenerWorker.BufferSize, StreamEventLoop.ReceiveBufferSize));
            Assert.True(l.BytesReceived < Flood);

            // Now read: everything comes back, in order, and the send completes.
            byte[] buffer = new byte[256 * 1024];
            long got = 0;
            while (got < Flood)
            {
                int n = await c.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound);
                Assert.NotEqual(0, n);
                for (int i = 0; i < n; i++)
                {
                    if (buffer[i] != Pattern(got + i))
                    {
                        Assert.Fail($"byte {got + i} is {buffer[i]}, expected {Pattern(got + i)}");
                    }
                }

                got += n;
            }

            await send.WaitAsync(Bound);
            c.Shutdown(SocketShutdown.Send);
            Assert.Empty(await ReadToEndAsync(c));
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(Flood, l.BytesReceived);
            Assert.Equal(Flood, l.BytesSent);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stop_while_an_echo_waits_for_room_closes_that_connection_and_ends(bool asyncPath)
    {
        SocketListener l = StartOn(asyncPath, ListenerMode.Echo);
        using Socket c = await SlowReaderAsync(l);
        using Socket idle = await ConnectAsync(l);
        Task send = SendPatternAsync(c, Flood);
        Assert.True(await EventuallyAsync(() => l.BytesReceived > l.BytesSent && l.ActiveConnections == 2));

        await l.StopAsync().WaitAsync(Bound);
        Assert.Equal(ListenerState.Stopped, l.State);
        Assert.Equal(0, l.ActiveConnections);

        // The waiting client's connection ends (its send fails or the stream ends); the idle one reads the end.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await send.WaitAsync(Bound);
            byte[] buffer = new byte[1 << 20];
            while (await c.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound) > 0)
            {
            }

            throw new EndOfStreamException();
        });
        Assert.Empty(await ReadToEndAsync(idle));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reply_larger_than_the_send_buffer_is_sent_whole_before_CloseAfterReply_closes(bool asyncPath)
    {
        byte[] response = new byte[8 * 1024 * 1024];
        for (int i = 0; i < response.Length; i++)
        {
            response[i] = Pattern(i);
        }

        SocketListener l = StartOn(asyncPath, ListenerMode.Reply, o => { o.Response = response; o.CloseAfterReply = true; });
        try
        {
            using Socket c = await SlowReaderAsync(l);
            await c.SendAsync(new byte[] { 1 }, SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.BytesSent > 0));
            byte[] back = await ReadToEndAsync(c);
            Assert.Equal(response.Length, back.Length);
            Assert.True(back.AsSpan().SequenceEqual(response));
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(response.Length, l.BytesSent);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Many_connections_at_once_each_get_their_own_bytes_back(bool asyncPath)
    {
        const int Clients = 200;
        SocketListener l = StartOn(asyncPath, ListenerMode.Echo);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < Clients; i++)
            {
                sockets.Add(await ConnectAsync(l));
            }

            await Task.WhenAll(sockets.Select(async (s, i) =>
            {
                for (int round = 0; round < 5; round++)
                {
                    byte[] data = Enumerable.Range(0, 1000 + i).Select(k => (byte)(k + i + round)).ToArray();
                    await s.SendAsync(data, SocketFlags.None);
                    Assert.Equal(data, await ReadExactlyAsync(s, data.Length));
                }
            })).WaitAsync(Bound);

            Assert.Equal(Clients, l.ConnectionCount);
            Assert.Equal(Clients, l.ActiveConnections);
            long expected = Enumerable.Range(0, Clients).Sum(i => 5L * (1000 + i));
            Assert.Equal(expected, l.BytesReceived);
            Assert.True(await EventuallyAsync(() => l.BytesSent == expected));
            sockets.ForEach(s => s.Shutdown(SocketShutdown.Send));
            foreach (Socket s in sockets)
            {
                Assert.Empty(await ReadToEndAsync(s));
            }

            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
            await l.StopAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_burst_beyond_MaxConnections_is_served_and_rejected_exactly(bool asyncPath)
    {
        SocketListener l = StartOn(asyncPath, ListenerMode.Discard, o => o.MaxConnections = 40);
        var sockets = new List<Socket>();
        try
        {
            sockets.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => ConnectAsync(l))));
            Assert.True(await EventuallyAsync(() => l.ConnectionCount + l.RejectedConnections == 100));
            Assert.Equal(40, l.ConnectionCount);
            Assert.Equal(60, l.RejectedConnections);
            Assert.Equal(40, l.ActiveConnections);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
            await l.StopAsync();
        }
    }

    [Fact]
    public void The_event_loop_serves_plain_listeners_on_Linux_only_and_never_TLS_or_Forward()
    {
        Assert.Equal(OperatingSystem.IsLinux(), TcpListenerWorker.ServedByEventLoop(new ListenerOptions { Mode = ListenerMode.Echo }));
        Assert.Equal(OperatingSystem.IsLinux(), TcpListenerWorker.ServedByEventLoop(new ListenerOptions { Path = "/tmp/x.sock", Mode = ListenerMode.Discard }));
        Assert.False(TcpListenerWorker.ServedByEventLoop(new ListenerOptions { Mode = ListenerMode.Forward }));
        Assert.False(TcpListenerWorker.ServedByEventLoop(new ListenerOptions { Mode = ListenerMode.Echo, AsynchronousConnections = true }));
    }
}
