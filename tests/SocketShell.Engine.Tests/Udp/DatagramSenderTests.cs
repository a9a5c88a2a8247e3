using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Engine.Tests.Common;
using SocketShell.Udp;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Udp;

public class DatagramSenderTests
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(5);

    private static DatagramSendOptions To(IPEndPoint ep, bool broadcast = false) => new()
    {
        ComputerName = ep.Address.ToString(),
        Port = ep.Port,
        Broadcast = broadcast,
    };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineDataNeeding(Requirement.IPv6Loopback, "::1")]
    public async Task A_reply_comes_back_as_Replied_with_the_reply_and_a_round_trip_time(string loopback)
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Parse(loopback));
        using var stop = new CancellationTokenSource();
        Task echo = UdpTestPeer.EchoAsync(peer, stop.Token);
        using (DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None))
        {
            DatagramResult r = await sender.SendAsync(Encoding.UTF8.GetBytes("ping é"), waitForReply: true, LongWait, CancellationToken.None);

            Assert.Equal(DatagramStatus.Replied, r.Status);
            Assert.Equal(loopback, r.ComputerName);
            Assert.Equal(peer.EndPoint(), r.GetRemoteEndPoint());
            Assert.Equal(Encoding.UTF8.GetByteCount("ping é"), r.BytesSent);
            Assert.NotNull(r.Reply);
            Assert.Equal("ping é", r.Reply.Text);
            Assert.Equal(TransportProtocol.Udp, r.Reply.Protocol);
            Assert.Equal(peer.EndPoint(), r.Reply.GetRemoteEndPoint());
            Assert.Equal(r.LocalEndPoint, r.Reply.LocalEndPoint);
            Assert.NotNull(r.LocalEndPoint);
            Assert.Equal(IPAddress.Parse(loopback), r.GetLocalEndPoint()!.Address);
            Assert.NotNull(r.RoundTripTime);
            Assert.True(r.RoundTripTime > TimeSpan.Zero && r.RoundTripTime < LongWait);

            // The same sender keeps working for the next datagram.
            DatagramResult second = await sender.SendAsync(Encoding.UTF8.GetBytes("two"), true, LongWait, CancellationToken.None);
            Assert.Equal("two", second.Reply?.Text);
        }

        await stop.CancelAsync();
        peer.Dispose();
        await echo.WaitAsync(UdpTestPeer.Bound);
    }

    [Fact]
    public async Task Without_waiting_the_datagram_is_Sent_and_arrives_from_the_reported_local_endpoint()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("fire"), waitForReply: false, LongWait, CancellationToken.None);

        Assert.Equal(DatagramStatus.Sent, r.Status);
        Assert.Null(r.Reply);
        Assert.Null(r.RoundTripTime);
        Assert.Equal(4, r.BytesSent);
        UdpReceiveResult got = await peer.ReceiveBoundedAsync();
        Assert.Equal("fire", Encoding.ASCII.GetString(got.Buffer));
        Assert.Equal(r.GetLocalEndPoint(), got.RemoteEndPoint);
    }

    [Fact]
    public async Task Send_without_a_task_sends_every_datagram_from_one_socket_and_reports_it_Sent()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        var results = new List<DatagramResult>();
        for (int i = 0; i < 50; i++)
        {
            results.Add(sender.Send(Encoding.ASCII.GetBytes($"d{i}")));
        }

        Assert.All(results, r => Assert.Equal(DatagramStatus.Sent, r.Status));
        Assert.All(results, r => Assert.Equal(peer.EndPoint(), r.GetRemoteEndPoint()));
        Assert.Single(results.Select(r => r.LocalEndPoint).Distinct());
        Assert.Equal(Encoding.ASCII.GetByteCount("d49"), results[^1].BytesSent);
        for (int i = 0; i < 50; i++)
        {
            UdpReceiveResult got = await peer.ReceiveBoundedAsync();
            Assert.Equal($"d{i}", Encoding.ASCII.GetString(got.Buffer));
            Assert.Equal(results[i].GetLocalEndPoint(), got.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Send_refuses_an_oversized_datagram_and_keeps_sending_to_a_closed_port()
    {
        int closed = UdpTestPeer.ClosedPort(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(new IPEndPoint(IPAddress.Loopback, closed)), CancellationToken.None);
        var e = Assert.Throws<SocketShellException>(() => sender.Send(new byte[65_508]));
        Assert.Equal(SocketErrorKind.DatagramTooLarge, e.Kind);
        for (int i = 0; i < 20; i++)
        {
            // The ICMP report of the datagram before surfaces on this send: it is sent once more, not lost.
            Assert.Equal(DatagramStatus.Sent, sender.Send(new byte[] { (byte)i }).Status);
        }
    }

    [Fact]
    public async Task No_reply_within_the_timeout_is_NoReply_after_the_whole_timeout()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback); // bound, so no ICMP error; never answers
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        TimeSpan timeout = TimeSpan.FromMilliseconds(300);
        var sw = Stopwatch.StartNew();
        DatagramResult r = await sender.SendAsync(new byte[] { 1, 2, 3 }, true, timeout, CancellationToken.None);
        sw.Stop();

        Assert.Equal(DatagramStatus.NoReply, r.Status);
        Assert.Null(r.Reply);
        Assert.Null(r.RoundTripTime);
        // Honest: it really waited the timeout (timer granularity allowed for), and not unboundedly more.
        Assert.True(sw.Elapsed >= timeout - TimeSpan.FromMilliseconds(20), $"returned after {sw.Elapsed}");
        Assert.True(sw.Elapsed < timeout + UdpTestPeer.Bound, $"returned after {sw.Elapsed}");
        Assert.Equal(3, (await peer.ReceiveBoundedAsync()).Buffer.Length);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineDataNeeding(Requirement.IPv6Loopback, "::1")]
    public async Task A_closed_port_is_PortUnreachable_from_the_ICMP_report_not_a_timeout(string loopback)
    {
        // Verified on Linux 6.18: the ICMP port unreachable comes back on a connected
        // UDP socket as ECONNREFUSED; Windows reports WSAECONNRESET, which counts the same.
        IPAddress address = IPAddress.Parse(loopback);
        int closed = UdpTestPeer.ClosedPort(address);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(new IPEndPoint(address, closed)), CancellationToken.None);
        var sw = Stopwatch.StartNew();
        DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("anyone?"), true, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(DatagramStatus.PortUnreachable, r.Status);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), "it must be the ICMP report, not the timeout");
        Assert.Null(r.Reply);
        Assert.Null(r.RoundTripTime);
    }

    [Fact]
    public async Task Fire_and_forget_to_a_closed_port_keeps_sending_despite_the_earlier_ICMP_errors()
    {
        int closed = UdpTestPeer.ClosedPort(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(new IPEndPoint(IPAddress.Loopback, closed)), CancellationToken.None);
        for (int i = 0; i < 20; i++)
        {
            DatagramResult r = await sender.SendAsync(new byte[] { (byte)i }, false, LongWait, CancellationToken.None);
            Assert.Equal(DatagramStatus.Sent, r.Status);
        }

        // Asking now still tells the truth.
        DatagramResult asked = await sender.SendAsync(new byte[] { 99 }, true, LongWait, CancellationToken.None);
        Assert.Equal(DatagramStatus.PortUnreachable, asked.Status);
    }

    [Fact]
    public async Task A_stale_ICMP_error_neither_loses_nor_duplicates_the_next_datagram()
    {
        // Linux reports an earlier datagram's ICMP error on the next send and does not transmit that
        // send; the sender sends it once more. The receiver must see it exactly once.
        int port = UdpTestPeer.ClosedPort(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(new IPEndPoint(IPAddress.Loopback, port)), CancellationToken.None);
        await sender.SendAsync(Encoding.ASCII.GetBytes("into the void"), false, LongWait, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        while (!sender.HasPendingError && sw.Elapsed < UdpTestPeer.Bound)
        {
            await Task.Yield(); // bounded poll on the socket's own error state
        }

        bool errorWasPending = sender.HasPendingError;
        using var peer = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(DatagramStatus.Sent, (await sender.SendAsync(Encoding.ASCII.GetBytes("second"), false, LongWait, CancellationToken.None)).Status);
        await sender.SendAsync(Encoding.ASCII.GetBytes("third"), false, LongWait, CancellationToken.None);

        Assert.Equal("second", Encoding.ASCII.GetString((await peer.ReceiveBoundedAsync()).Buffer));
        Assert.Equal("third", Encoding.ASCII.GetString((await peer.ReceiveBoundedAsync()).Buffer));
        Assert.Equal(0, peer.Available);
        Assert.True(errorWasPending || !OperatingSystem.IsLinux(), "Linux reports the ICMP error on the socket");
    }

    [Fact]
    public async Task Localhost_reaches_a_receiver_on_127_0_0_1_whichever_address_resolves_first()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using var stop = new CancellationTokenSource();
        Task echo = UdpTestPeer.EchoAsync(peer, stop.Token);
        var options = new DatagramSendOptions { ComputerName = "localhost", Port = peer.EndPoint().Port };
        using (DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None))
        {
            DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("hi"), true, LongWait, CancellationToken.None);
            Assert.Equal(DatagramStatus.Replied, r.Status);
            Assert.Equal(peer.EndPoint(), r.GetRemoteEndPoint());
            Assert.Equal("localhost", r.ComputerName);
        }

        await stop.CancelAsync();
        peer.Dispose();
        await echo.WaitAsync(UdpTestPeer.Bound);
    }

    [FactNeeding(Requirement.IPv6Loopback)]
    public async Task When_the_first_address_reports_port_unreachable_the_next_address_is_tried()
    {
        // A name resolving to ::1 first and 127.0.0.1 second, with the receiver on 127.0.0.1 only.
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        int port = peer.EndPoint().Port;
        using var stop = new CancellationTokenSource();
        Task echo = UdpTestPeer.EchoAsync(peer, stop.Token);
        var resolver = new FixedResolver(IPAddress.IPv6Loopback, IPAddress.Loopback);
        var options = new DatagramSendOptions { ComputerName = "dual.test", Port = port, Resolver = resolver.Resolve };
        using (DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None))
        {
            Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, port), sender.RemoteEndPoint);
            DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("hello"), true, LongWait, CancellationToken.None);
            Assert.Equal(DatagramStatus.Replied, r.Status);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), r.GetRemoteEndPoint());
            Assert.Equal("hello", r.Reply?.Text);

            // The address that answered is kept for the next datagrams.
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), sender.RemoteEndPoint);
        }

        // With nobody on either address, the answer is PortUnreachable (from the last address tried).
        await stop.CancelAsync();
        peer.Dispose();
        await echo.WaitAsync(UdpTestPeer.Bound);
        using (DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None))
        {
            DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("anyone"), true, LongWait, CancellationToken.None);
            Assert.Equal(DatagramStatus.PortUnreachable, r.Status);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), r.GetRemoteEndPoint());
        }
    }

    [Theory]
    [InlineData("127.0.0.1", DatagramAddresses.MaxPayloadIPv4)]
    [InlineDataNeeding(Requirement.IPv6Loopback, "::1", DatagramAddresses.MaxPayloadIPv6)]
    public async Task The_largest_payload_is_sent_and_one_byte_more_is_DatagramTooLarge_before_anything_is_sent(string loopback, int limit)
    {
        Assert.Equal(loopback == "::1" ? 65_527 : 65_507, limit);
        using var peer = UdpTestPeer.Bind(IPAddress.Parse(loopback));
        peer.Client.ReceiveBufferSize = 1 << 20;
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);

        byte[] max = new byte[limit];
        Random.Shared.NextBytes(max);
        DatagramResult ok = await sender.SendAsync(max, false, LongWait, CancellationToken.None);
        Assert.Equal(DatagramStatus.Sent, ok.Status);
        Assert.Equal(limit, ok.BytesSent);
        UdpReceiveResult got = await peer.ReceiveBoundedAsync();
        Assert.Equal(max, got.Buffer);

        var e = await Assert.ThrowsAsync<SocketShellException>(() => sender.SendAsync(new byte[limit + 1], true, LongWait, CancellationToken.None));
        Assert.Equal(SocketErrorKind.DatagramTooLarge, e.Kind);
        Assert.Contains(limit.ToString("N0", System.Globalization.CultureInfo.CurrentCulture), e.Message, StringComparison.Ordinal);

        // Nothing was sent: the next thing the peer sees is the marker sent after the refusal.
        await sender.SendAsync(Encoding.ASCII.GetBytes("marker"), false, LongWait, CancellationToken.None);
        Assert.Equal("marker", Encoding.ASCII.GetString((await peer.ReceiveBoundedAsync()).Buffer));
        Assert.Equal(0, peer.Available);
    }

    [Fact]
    public async Task A_zero_length_datagram_is_sent_and_its_empty_echo_is_a_reply()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using var stop = new CancellationTokenSource();
        Task echo = UdpTestPeer.EchoAsync(peer, stop.Token);
        using (DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None))
        {
            DatagramResult r = await sender.SendAsync(ReadOnlyMemory<byte>.Empty, true, LongWait, CancellationToken.None);
            Assert.Equal(DatagramStatus.Replied, r.Status);
            Assert.Equal(0, r.BytesSent);
            Assert.NotNull(r.Reply);
            Assert.Equal(0, r.Reply.Length);
            Assert.Equal(string.Empty, r.Reply.Text);
        }

        await stop.CancelAsync();
        peer.Dispose();
        await echo.WaitAsync(UdpTestPeer.Bound);
    }

    [Fact]
    public async Task An_empty_datagram_arrives_as_an_empty_datagram()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        await sender.SendAsync(Array.Empty<byte>(), false, LongWait, CancellationToken.None);
        Assert.Empty((await peer.ReceiveBoundedAsync()).Buffer);
    }

    [Theory]
    [InlineData("255.255.255.255")]
    [InlineDataNeeding(Requirement.LoopbackBroadcast, "127.255.255.255")] // the directed broadcast of lo's 127.0.0.0/8
    public async Task A_broadcast_target_without_Broadcast_is_refused_and_nothing_is_sent(string target)
    {

        var e = await Assert.ThrowsAsync<SocketShellException>(() =>
            DatagramSender.OpenAsync(new DatagramSendOptions { ComputerName = target, Port = 9 }, CancellationToken.None));
        Assert.Equal(SocketErrorKind.BroadcastNotAllowed, e.Kind);
        Assert.Equal(target + ":9", e.Target);
        Assert.Contains("-Broadcast", e.Message, StringComparison.Ordinal);
    }

    [FactNeeding(Requirement.LoopbackBroadcast)]
    public async Task With_Broadcast_the_loopback_broadcast_address_can_be_sent_to()
    {
        var target = IPAddress.Parse("127.255.255.255");

        int port = UdpTestPeer.ClosedPort(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(
            new DatagramSendOptions { ComputerName = target.ToString(), Port = port, Broadcast = true }, CancellationToken.None);
        DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("all"), false, LongWait, CancellationToken.None);
        Assert.Equal(DatagramStatus.Sent, r.Status);
        Assert.Equal(new IPEndPoint(target, port), r.GetRemoteEndPoint());
    }

    [Fact]
    public void Subnet_broadcasts_are_detected_from_address_and_mask()
    {
        (IPAddress, IPAddress)[] subnets =
        [
            (IPAddress.Parse("192.168.10.7"), IPAddress.Parse("255.255.255.0")),
            (IPAddress.Parse("10.0.0.1"), IPAddress.Parse("255.255.255.254")), // /31: no broadcast
            (IPAddress.Parse("172.16.5.5"), IPAddress.Parse("255.255.255.255")), // /32: no broadcast
            (IPAddress.Parse("::1"), IPAddress.Parse("255.0.0.0")), // not IPv4: ignored
        ];
        Assert.True(DatagramAddresses.IsBroadcast(IPAddress.Parse("192.168.10.255"), subnets));
        Assert.True(DatagramAddresses.IsBroadcast(IPAddress.Parse("255.255.255.255"), subnets));
        Assert.True(DatagramAddresses.IsBroadcast(IPAddress.Parse("::ffff:192.168.10.255"), subnets));
        Assert.False(DatagramAddresses.IsBroadcast(IPAddress.Parse("192.168.10.254"), subnets));
        Assert.False(DatagramAddresses.IsBroadcast(IPAddress.Parse("10.0.0.1"), subnets));
        Assert.False(DatagramAddresses.IsBroadcast(IPAddress.Parse("172.16.5.5"), subnets));
        Assert.False(DatagramAddresses.IsBroadcast(IPAddress.Parse("127.0.0.1"), subnets));
        Assert.False(DatagramAddresses.IsBroadcast(IPAddress.Parse("ff02::1"), subnets));
    }

    [Fact]
    public async Task A_literal_of_the_wrong_family_is_HostNotFound()
    {
        var e = await Assert.ThrowsAsync<SocketShellException>(() => DatagramSender.OpenAsync(
            new DatagramSendOptions { ComputerName = "127.0.0.1", Port = 9, AddressFamily = IPFamily.IPv6 }, CancellationToken.None));
        Assert.Equal(SocketErrorKind.HostNotFound, e.Kind);
    }

    [Fact]
    public async Task LocalPort_is_the_source_port_and_a_taken_one_is_PortInUse()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        int source = UdpTestPeer.ClosedPort(IPAddress.Loopback);
        DatagramSendOptions options = To(peer.EndPoint());
        options.LocalPort = source;
        using (DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None))
        {
            DatagramResult r = await sender.SendAsync(Encoding.ASCII.GetBytes("from"), false, LongWait, CancellationToken.None);
            Assert.Equal(source, r.GetLocalEndPoint()?.Port);
            Assert.Equal(source, (await peer.ReceiveBoundedAsync()).RemoteEndPoint.Port);
        }

        using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, source));
        var e = await Assert.ThrowsAsync<SocketShellException>(() => DatagramSender.OpenAsync(options, CancellationToken.None));
        Assert.Equal(SocketErrorKind.PortInUse, e.Kind);
        Assert.Contains(source.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ttl_is_applied_to_the_socket_and_out_of_range_values_are_refused()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        DatagramSendOptions options = To(peer.EndPoint());
        options.Ttl = 3;
        using (DatagramSender sender = await DatagramSender.OpenAsync(options, CancellationToken.None))
        {
            Assert.Equal(3, sender.SocketTtl.Unicast);
            await sender.SendAsync(new byte[] { 7 }, false, LongWait, CancellationToken.None);
            Assert.Equal(new byte[] { 7 }, (await peer.ReceiveBoundedAsync()).Buffer);
        }

        // A multicast target gets the multicast TTL instead (no datagram is sent here).
        using (DatagramSender multicast = await DatagramSender.OpenAsync(
            new DatagramSendOptions { ComputerName = "239.255.1.2", Port = 9, Ttl = 4 }, CancellationToken.None))
        {
            Assert.Equal(4, multicast.SocketTtl.Multicast);
        }

        options.Ttl = 0;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => DatagramSender.OpenAsync(options, CancellationToken.None));
        options.Ttl = 256;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => DatagramSender.OpenAsync(options, CancellationToken.None));
    }

    [Theory]
    [InlineData("1", 9, SocketErrorKind.InvalidComputerName)]
    [InlineData("[::1]:53", 9, SocketErrorKind.InvalidComputerName)]
    [InlineData("127.0.0.1:53", 9, SocketErrorKind.InvalidComputerName)]
    [InlineData(" ", 9, SocketErrorKind.InvalidComputerName)]
    [InlineData("127.0.0.1", 0, SocketErrorKind.InvalidPort)]
    public async Task A_target_that_is_no_host_or_port_opens_nothing(string host, int port, SocketErrorKind kind)
    {
        var e = await Assert.ThrowsAsync<SocketShellException>(() => DatagramSender.OpenAsync(new DatagramSendOptions { ComputerName = host, Port = port }, CancellationToken.None));
        Assert.Equal(kind, e.Kind);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_reply_to_an_earlier_datagram_is_not_taken_for_the_next_reply()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        DatagramResult first = await sender.SendAsync(Encoding.ASCII.GetBytes("one"), true, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(DatagramStatus.NoReply, first.Status);
        UdpReceiveResult one = await peer.ReceiveBoundedAsync();

        // The late answer to "one" is delivered to the sender's socket before "two" is sent: a
        // bounded poll on the socket's own queue, not a sleep.
        await peer.SendAsync(Encoding.ASCII.GetBytes("late answer to one"), one.RemoteEndPoint);
        var sw = Stopwatch.StartNew();
        while (sender.PendingBytes == 0 && sw.Elapsed < UdpTestPeer.Bound)
        {
            await Task.Yield();
        }

        Assert.True(sender.PendingBytes > 0);
        Task<DatagramResult> second = sender.SendAsync(Encoding.ASCII.GetBytes("two"), true, LongWait, CancellationToken.None);
        UdpReceiveResult two = await peer.ReceiveBoundedAsync();
        Assert.Equal("two", Encoding.ASCII.GetString(two.Buffer));
        await peer.SendAsync(Encoding.ASCII.GetBytes("answer to two"), two.RemoteEndPoint);
        Assert.Equal("answer to two", (await second.WaitAsync(UdpTestPeer.Bound)).Reply?.Text);
    }

    [Fact]
    public async Task Cancelling_a_wait_stops_it_at_once()
    {
        using var peer = UdpTestPeer.Bind(IPAddress.Loopback);
        using DatagramSender sender = await DatagramSender.OpenAsync(To(peer.EndPoint()), CancellationToken.None);
        using var cts = new CancellationTokenSource();
        Task<DatagramResult> waiting = sender.SendAsync(new byte[] { 1 }, true, TimeSpan.FromMinutes(5), cts.Token);
        await peer.ReceiveBoundedAsync(); // sent, now waiting
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(UdpTestPeer.Bound));
    }

    [Fact]
    public void Payload_limits_are_the_protocol_limits()
    {
        Assert.Equal(65_535 - 20 - 8, DatagramAddresses.MaxPayload(AddressFamily.InterNetwork));
        Assert.Equal(65_535 - 8, DatagramAddresses.MaxPayload(AddressFamily.InterNetworkV6));
    }
}
