using System.Net.Sockets;
using System.Net;
using System.Text;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Listeners;

public sealed class TcpListenerTests
{
    [Fact]
    public async Task Capture_keeps_what_a_client_sends_with_its_connection_and_endpoints()
    {
        SocketListener l = Start();
        try
        {
            Assert.Equal(ListenerState.Listening, l.State);
            Assert.Equal(IPAddress.Loopback, l.GetLocalEndPoint()!.Address);
            Assert.True(l.Port > 0);
            using Socket c = await ConnectAsync(l);
            await c.SendAsync(Encoding.UTF8.GetBytes("hello"), SocketFlags.None);
            IReadOnlyList<SocketMessage> got = await l.ReceiveAsync(int.MaxValue, 1, null, peek: false, Bound, CancellationToken.None);
            SocketMessage m = Assert.Single(got);
            Assert.Equal("hello", m.Text);
            Assert.Equal(l.Id, m.ListenerId);
            Assert.Equal(1, m.ConnectionId);
            Assert.Equal(TransportProtocol.Tcp, m.Protocol);
            Assert.Equal(c.LocalEndPoint, m.GetRemoteEndPoint());
            Assert.Equal(l.LocalEndPoint, m.LocalEndPoint);
            Assert.Equal(5, l.BytesReceived);
            Assert.Equal(5, l.CapturedBytes);
            Assert.Equal(0, l.BytesSent);
            Assert.Empty(await l.ReceiveAsync(int.MaxValue, 0, null, false, Bound, CancellationToken.None));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Receive_waits_for_Count_peeks_filters_by_connection_and_times_out_empty()
    {
        SocketListener l = Start();
        try
        {
            using Socket a = await ConnectAsync(l);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 1));
            using Socket b = await ConnectAsync(l);
            Task<IReadOnlyList<SocketMessage>> waiting = l.ReceiveAsync(int.MaxValue, 2, null, peek: true, Bound, CancellationToken.None);
            Assert.False(waiting.IsCompleted);
            await a.SendAsync(new byte[] { 1 }, SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.BytesReceived == 1));
            await b.SendAsync(new byte[] { 2 }, SocketFlags.None);
            IReadOnlyList<SocketMessage> both = await waiting.WaitAsync(Bound);
            Assert.Equal(2, both.Count);
            Assert.Equal(2, l.PendingMessages);

            SocketMessage fromB = Assert.Single(await l.ReceiveAsync(int.MaxValue, 0, 2, false, Bound, CancellationToken.None));
            Assert.Equal(2, fromB.Data[0]);
            Assert.Equal(1, l.PendingMessages);

            IReadOnlyList<SocketMessage> rest = await l.ReceiveAsync(int.MaxValue, 0, null, false, Bound, CancellationToken.None);
            Assert.Equal(1, Assert.Single(rest).Data[0]);

            var sw = System.Diagnostics.Stopwatch.StartNew();
            Assert.Empty(await l.ReceiveAsync(int.MaxValue, 1, null, false, TimeSpan.FromMilliseconds(100), CancellationToken.None));
            Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(90));

            using var cts = new CancellationTokenSource();
            Task<IReadOnlyList<SocketMessage>> cancelled = l.ReceiveAsync(int.MaxValue, 1, null, false, TimeSpan.FromMinutes(1), cts.Token);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Echo_sends_every_byte_back_and_counts_both_ways()
    {
        SocketListener l = Start(ListenerMode.Echo);
        try
        {
            using Socket c = await ConnectAsync(l);
            byte[] data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
            await c.SendAsync(data, SocketFlags.None);
            Assert.Equal(data, await ReadExactlyAsync(c, data.Length));
            Assert.True(await EventuallyAsync(() => l.BytesSent == 5000));
            Assert.Equal(5000, l.BytesReceived);
            Assert.Equal(5000, l.CapturedBytes);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Banner_then_reply_per_message_then_close_after_reply()
    {
        SocketListener l = Start(ListenerMode.Reply, configure: o =>
        {
            o.Banner = Encoding.ASCII.GetBytes("220 ready\r\n");
            o.Response = Encoding.ASCII.GetBytes("OK\r\n");
            o.CloseAfterReply = true;
        });
        try
        {
            using Socket c = await ConnectAsync(l);
            Assert.Equal("220 ready\r\n", Encoding.ASCII.GetString(await ReadExactlyAsync(c, 11)));
            await c.SendAsync(Encoding.ASCII.GetBytes("HELO\r\n"), SocketFlags.None);
            Assert.Equal("OK\r\n", Encoding.ASCII.GetString(await ReadToEndAsync(c)));
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(15, l.BytesSent);
            Assert.Equal("HELO\r\n", Assert.Single(await l.ReceiveAsync(10, 0, null, false, Bound, CancellationToken.None)).Text);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Reply_without_close_answers_each_message()
    {
        SocketListener l = Start(ListenerMode.Reply, configure: o => o.Response = "+"u8.ToArray());
        try
        {
            using Socket c = await ConnectAsync(l);
            for (int i = 0; i < 3; i++)
            {
                await c.SendAsync(new byte[] { (byte)i }, SocketFlags.None);
                Assert.Equal((byte)'+', (await ReadExactlyAsync(c, 1))[0]);
            }

            // The client can read the last reply before the listener's send completion has counted it.
            Assert.True(await EventuallyAsync(() => l.BytesSent == 3), $"BytesSent is {l.BytesSent}, expected 3");
            Assert.Equal(1, l.ActiveConnections);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Discard_counts_and_keeps_nothing()
    {
        SocketListener l = Start(ListenerMode.Discard);
        try
        {
            using Socket c = await ConnectAsync(l);
            await c.SendAsync(new byte[100_000], SocketFlags.None);
            c.Shutdown(SocketShutdown.Send);
            Assert.Empty(await ReadToEndAsync(c));
            Assert.Equal(100_000, l.BytesReceived);
            Assert.Equal(0, l.CapturedBytes);
            Assert.Equal(100_000, l.DroppedBytes);
            Assert.Equal(0, l.BytesSent);
            Assert.Empty(await l.ReceiveAsync(10, 0, null, false, Bound, CancellationToken.None));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Connections_beyond_MaxConnections_are_accepted_closed_at_once_and_counted()
    {
        SocketListener l = Start(configure: o => o.MaxConnections = 2);
        try
        {
            using Socket a = await ConnectAsync(l);
            using Socket b = await ConnectAsync(l);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 2));
            using Socket extra = await ConnectAsync(l);
            Assert.Empty(await ReadToEndAsync(extra)); // closed by the listener
            Assert.Equal(1, l.RejectedConnections);
            Assert.Equal(2, l.ConnectionCount);
            Assert.Equal(2, l.ActiveConnections);

            a.Close();
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 1));
            using Socket again = await ConnectAsync(l);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 2));
            Assert.Equal(3, l.ConnectionCount);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_IdleTimeout_and_busy_ones_are_not()
    {
        SocketListener l = Start(configure: o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        try
        {
            using Socket idle = await ConnectAsync(l);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Assert.Empty(await ReadToEndAsync(idle));
            Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(250), $"closed after {sw.Elapsed}");
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(ListenerState.Listening, l.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Half_close_gets_every_echoed_byte_then_the_end_of_stream()
    {
        SocketListener l = Start(ListenerMode.Echo);
        try
        {
            using Socket c = await ConnectAsync(l);
            byte[] data = new byte[300_000];
            Random.Shared.NextBytes(data);
            Task<byte[]> reading = ReadToEndAsync(c);
            await c.SendAsync(data, SocketFlags.None);
            c.Shutdown(SocketShutdown.Send);
            Assert.Equal(data, await reading);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(300_000, l.BytesSent);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_peer_reset_mid_stream_ends_that_connection_only()
    {
        SocketListener l = Start(ListenerMode.Echo);
        try
        {
            Socket reset = await ConnectAsync(l);
            await reset.SendAsync(new byte[50_000], SocketFlags.None);
            reset.LingerState = new LingerOption(true, 0);
            reset.Close(); // RST, with echoed data unread
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal(ListenerState.Listening, l.State);

            using Socket next = await ConnectAsync(l);
            await next.SendAsync("x"u8.ToArray(), SocketFlags.None);
            Assert.Equal("x"u8.ToArray(), await ReadExactlyAsync(next, 1));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Stop_closes_the_port_and_live_connections_and_keeps_final_counters()
    {
        var registry = new ListenerRegistry();
        SocketListener l = Start(registry: registry);
        int port = l.Port;
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                Socket c = await ConnectAsync(l);
                clients.Add(c);
                await c.SendAsync(new byte[] { 1, 2 }, SocketFlags.None);
            }

            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 5 && l.BytesReceived == 10));
            Assert.Same(l, registry.Find(l.Id));
            await l.StopAsync().WaitAsync(Bound);
            Assert.Equal(ListenerState.Stopped, l.State);
            Assert.NotNull(l.StopTime);
            Assert.Equal(0, l.ActiveConnections);
            Assert.Equal(5, l.ConnectionCount);
            Assert.Equal(10, l.BytesReceived);
            Assert.Null(registry.Find(l.Id));
            foreach (Socket c in clients)
            {
                Assert.Empty(await ReadToEndAsync(c));
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            SocketException e = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Bound));
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);

            // What was captured stays readable from the object.
            Assert.Equal(5, (await l.ReceiveAsync(int.MaxValue, 1, null, false, Bound, CancellationToken.None)).Count);
            await l.StopAsync(); // twice is harmless
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_port_in_use_is_PortInUse_naming_the_port()
    {
        SocketListener l = Start();
        try
        {
            SocketShellException e = Assert.Throws<SocketShellException>(() => Start(configure: o => o.Port = l.Port));
            Assert.Equal(SocketErrorKind.PortInUse, e.Kind);
            Assert.Contains(l.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
            Assert.Equal($"127.0.0.1:{l.Port}", e.Target);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Names_derive_from_protocol_and_port_and_stay_unique()
    {
        var registry = new ListenerRegistry();
        SocketListener a = registry.Start(new ListenerOptions { Port = 0 });
        SocketListener? b = null;
        SocketListener? c = null;
        try
        {
            Assert.Equal($"tcp-{a.Port}", a.Name);
            b = registry.Start(new ListenerOptions { Port = a.Port, Address = IPAddress.IPv6Loopback });
            Assert.Equal($"tcp-{a.Port}-2", b.Name);
            Assert.Same(a, registry.Find(a.Name.ToUpperInvariant()));
            var inUse = Assert.Throws<ListenerNameInUseException>(() => registry.Start(new ListenerOptions { Name = a.Name }));
            Assert.Equal(SocketErrorKind.ListenerNameInUse, inUse.Kind);
            Assert.Equal(a.Name, inUse.Target);
            c = registry.Start(new ListenerOptions { Protocol = TransportProtocol.Udp, Port = a.Port });
            Assert.Equal($"udp-{a.Port}", c.Name);
            Assert.True(b.Id > a.Id && c.Id > b.Id);
        }
        finally
        {
            await a.StopAsync();
            if (b is not null)
            {
                await b.StopAsync();
            }

            if (c is not null)
            {
                await c.StopAsync();
            }
        }
    }

    [FactNeeding(Requirement.IPv6)]
    public async Task Any_listens_on_both_families_and_shows_IPv4_peers_as_IPv4()
    {
        SocketListener l = Start(configure: o => o.Address = null);
        try
        {
            Assert.Equal(IPAddress.IPv6Any, l.GetLocalEndPoint()!.Address);
            using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await v4.ConnectAsync(IPAddress.Loopback, l.Port).WaitAsync(Bound);
            await v4.SendAsync(new byte[] { 4 }, SocketFlags.None);
            using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            await v6.ConnectAsync(IPAddress.IPv6Loopback, l.Port).WaitAsync(Bound);
            await v6.SendAsync(new byte[] { 6 }, SocketFlags.None);
            IReadOnlyList<SocketMessage> got = await l.ReceiveAsync(int.MaxValue, 2, null, false, Bound, CancellationToken.None);
            Assert.Equal(IPAddress.Loopback, got.Single(m => m.Data[0] == 4).GetRemoteEndPoint()!.Address);
            Assert.Equal(IPAddress.IPv6Loopback, got.Single(m => m.Data[0] == 6).GetRemoteEndPoint()!.Address);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public void Contradictory_options_are_refused_before_binding()
    {
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(new ListenerOptions { Mode = ListenerMode.Reply })).Kind);
        Assert.Equal(SocketErrorKind.TcpOnlyParameter, Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(new ListenerOptions { Protocol = TransportProtocol.Udp, Banner = [1] })).Kind);
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(new ListenerOptions { MaxConnections = 0 })).Kind);
        SocketShellException e = Assert.Throws<SocketShellException>(() => new ListenerRegistry().Start(new ListenerOptions { CaptureLimit = -1 }));
        Assert.Equal(SocketErrorKind.InvalidListenerOptions, e.Kind);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }
}
