using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Listeners;

public sealed class UdpListenerTests
{
    private static Socket Sender(SocketListener l)
    {
        var s = new Socket(l.GetLocalEndPoint()!.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Connect(l.GetLocalEndPoint()!);
        return s;
    }

    private static async Task<byte[]> ReceiveOneAsync(Socket s)
    {
        byte[] buffer = new byte[65536];
        int n = await s.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound);
        return buffer[..n];
    }

    [Fact]
    public async Task Capture_keeps_each_datagram_whole_with_its_peer_number_including_empty_ones()
    {
        SocketListener l = Start(protocol: TransportProtocol.Udp);
        try
        {
            Assert.Equal(TransportProtocol.Udp, l.Protocol);
            using Socket a = Sender(l);
            using Socket b = Sender(l);
            await a.SendAsync(Encoding.UTF8.GetBytes("one"), SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.DatagramsReceived == 1));
            await b.SendAsync(Encoding.UTF8.GetBytes("two"), SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.DatagramsReceived == 2));
            await a.SendAsync(Array.Empty<byte>(), SocketFlags.None);
            IReadOnlyList<SocketMessage> got = await l.ReceiveAsync(int.MaxValue, 3, null, false, Bound, CancellationToken.None);
            Assert.Equal(["one", "two", ""], got.Select(m => m.Text));
            Assert.Equal([1, 2, 1], got.Select(m => m.ConnectionId ?? 0));
            Assert.Equal(a.LocalEndPoint, got[0].GetRemoteEndPoint());
            Assert.Equal(b.LocalEndPoint, got[1].GetRemoteEndPoint());
            Assert.All(got, m => Assert.Equal(TransportProtocol.Udp, m.Protocol));
            Assert.Equal(2, l.ConnectionCount);
            Assert.Equal(0, l.ActiveConnections);
            Assert.Equal(3, l.DatagramsReceived);
            Assert.Equal(6, l.BytesReceived);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task Echo_Reply_and_Discard_behave_and_count()
    {
        SocketListener echo = Start(ListenerMode.Echo, TransportProtocol.Udp);
        SocketListener reply = Start(ListenerMode.Reply, TransportProtocol.Udp, o => o.Response = "ack"u8.ToArray());
        SocketListener discard = Start(ListenerMode.Discard, TransportProtocol.Udp);
        try
        {
            using Socket e = Sender(echo);
            await e.SendAsync(new byte[] { 9, 8, 7 }, SocketFlags.None);
            Assert.Equal(new byte[] { 9, 8, 7 }, await ReceiveOneAsync(e));
            Assert.Equal(3, echo.BytesSent);

            using Socket r = Sender(reply);
            await r.SendAsync("hello?"u8.ToArray(), SocketFlags.None);
            Assert.Equal("ack"u8.ToArray(), await ReceiveOneAsync(r));
            Assert.Equal("hello?", Assert.Single(await reply.ReceiveAsync(10, 1, null, false, Bound, CancellationToken.None)).Text);

            using Socket d = Sender(discard);
            for (int i = 0; i < 10; i++)
            {
                await d.SendAsync(new byte[100], SocketFlags.None);
            }

            Assert.True(await EventuallyAsync(() => discard.DatagramsReceived == 10));
            Assert.Equal(1000, discard.BytesReceived);
            Assert.Equal(1000, discard.DroppedBytes);
            Assert.Equal(0, discard.CapturedBytes);
            Assert.Equal(0, discard.BytesSent);
        }
        finally
        {
            await Task.WhenAll(echo.StopAsync(), reply.StopAsync(), discard.StopAsync());
        }
    }

    [Fact]
    public async Task The_capture_limit_keeps_or_drops_whole_datagrams_and_accounts_exactly()
    {
        SocketListener l = Start(protocol: TransportProtocol.Udp, configure: o => o.CaptureLimit = 10_000);
        try
        {
            using Socket s = Sender(l);
            for (int i = 0; i < 50; i++)
            {
                await s.SendAsync(new byte[1000], SocketFlags.None);
            }

            Assert.True(await EventuallyAsync(() => l.DatagramsReceived == 50));
            Assert.Equal(50_000, l.BytesReceived);
            Assert.Equal(l.BytesReceived, l.CapturedBytes + l.DroppedBytes);
            Assert.True(l.CapturedBytes <= 10_000);
            Assert.Equal(0, l.CapturedBytes % 1000);
            IReadOnlyList<SocketMessage> kept = await l.ReceiveAsync(int.MaxValue, 0, null, false, Bound, CancellationToken.None);
            Assert.All(kept, m => Assert.Equal(1000, m.Length));

            // Taking them frees room for new datagrams.
            await s.SendAsync(new byte[1000], SocketFlags.None);
            Assert.Single(await l.ReceiveAsync(int.MaxValue, 1, null, false, Bound, CancellationToken.None));
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_port_in_use_is_PortInUse()
    {
        SocketListener l = Start(protocol: TransportProtocol.Udp);
        try
        {
            SocketShellException e = Assert.Throws<SocketShellException>(() => Start(protocol: TransportProtocol.Udp, configure: o => o.Port = l.Port));
            Assert.Equal(SocketErrorKind.PortInUse, e.Kind);
            Assert.Contains($"UDP port {l.Port}", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [FactNeeding(Requirement.IPv6)]
    public async Task Works_on_IPv6_loopback()
    {
        SocketListener l = Start(ListenerMode.Echo, TransportProtocol.Udp, o => o.Address = IPAddress.IPv6Loopback);
        try
        {
            using Socket s = Sender(l);
            await s.SendAsync(new byte[] { 6 }, SocketFlags.None);
            Assert.Equal(new byte[] { 6 }, await ReceiveOneAsync(s));
        }
        finally
        {
            await l.StopAsync();
        }
    }
}

[Collection(nameof(ListenerHeavyTests))]
public sealed class UdpListenerLoadTests
{
    private const int Size = 512;

    [Fact]
    public async Task A_hundred_thousand_paced_datagrams_from_8_senders_all_come_back_matching_and_counters_add_up()
    {
        const int senders = 8;
        const int perSender = 100_000 / senders;
        const int window = 8;
        SocketListener l = Start(ListenerMode.Echo, TransportProtocol.Udp, o => o.CaptureLimit = 0);
        try
        {
            async Task<(int Matched, int Mismatched)> Run(int senderId)
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(l.GetLocalEndPoint()!);
                byte[] send = new byte[Size];
                byte[] recv = new byte[2048];
                int matched = 0, mismatched = 0, next = 0;
                var outstanding = new HashSet<int>();
                while (matched + mismatched < perSender)
                {
                    while (outstanding.Count < window && next < perSender)
                    {
                        Fill(send, senderId, next);
                        await s.SendAsync(send, SocketFlags.None);
                        outstanding.Add(next++);
                    }

                    int n = await s.ReceiveAsync(recv, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
                    int seq = BinaryPrimitives.ReadInt32LittleEndian(recv.AsSpan(4));
                    Fill(send, senderId, seq);
                    if (n == Size && BinaryPrimitives.ReadInt32LittleEndian(recv) == senderId && outstanding.Remove(seq) && recv.AsSpan(0, n).SequenceEqual(send))
                    {
                        matched++;
                    }
                    else
                    {
                        mismatched++;
                    }
                }

                return (matched, mismatched);
            }

            (int Matched, int Mismatched)[] results = await Task.WhenAll(Enumerable.Range(1, senders).Select(i => Task.Run(() => Run(i)))).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.All(results, r => Assert.Equal(0, r.Mismatched));
            Assert.Equal(senders * perSender, results.Sum(r => r.Matched));
            Assert.Equal(senders * perSender, l.DatagramsReceived);
            Assert.Equal((long)senders * perSender * Size, l.BytesReceived);
            Assert.Equal(l.BytesReceived, l.BytesSent);
            Assert.Equal(senders, l.ConnectionCount);
            Assert.Equal(l.BytesReceived, l.CapturedBytes + l.DroppedBytes);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task At_an_unpaced_rate_losses_are_counted_never_hidden()
    {
        const int senders = 8;
        const int perSender = 20_000;
        SocketListener l = Start(ListenerMode.Discard, TransportProtocol.Udp);
        try
        {
            async Task<int> Blast(int senderId)
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(l.GetLocalEndPoint()!);
                byte[] send = new byte[Size];
                int sent = 0;
                for (int i = 0; i < perSender; i++)
                {
                    Fill(send, senderId, i);
                    try
                    {
                        sent += s.Send(send) == Size ? 1 : 0;
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
                    {
                        // The sender's own queue is full: this one was not sent.
                    }
                }

                await Task.Yield();
                return sent;
            }

            long dropsBefore = l.SystemDroppedDatagrams ?? 0;
            int[] sentBy = await Task.WhenAll(Enumerable.Range(1, senders).Select(i => Task.Factory.StartNew(() => Blast(i), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())).WaitAsync(TimeSpan.FromSeconds(60));
            long sent = sentBy.Sum();

            if (OperatingSystem.IsLinux())
            {
                // Every datagram is either received or counted by Linux as dropped: wait (bounded) until they add up.
                Assert.True(
                    await EventuallyAsync(() => l.DatagramsReceived + ((l.SystemDroppedDatagrams ?? 0) - dropsBefore) == sent, TimeSpan.FromSeconds(30)),
                    $"received {l.DatagramsReceived} + dropped {(l.SystemDroppedDatagrams ?? 0) - dropsBefore} never reached {sent}");
            }
            else
            {
                // Elsewhere the system does not say what it dropped: wait until the count stops moving.
                long last = -1;
                while (l.DatagramsReceived != last)
                {
                    last = l.DatagramsReceived;
                    await Task.Delay(200);
                }
            }

            long received = l.DatagramsReceived;
            long lost = sent - received;
            Assert.True(received > 0);
            Assert.True(lost >= 0, $"received {received} of {sent}");
            Assert.Equal(received * Size, l.BytesReceived);
            Assert.Equal(l.BytesReceived, l.DroppedBytes);
            Assert.InRange(l.ConnectionCount, 1, senders);
            if (OperatingSystem.IsLinux())
            {
                // Linux counts what it dropped for a full receive queue: on loopback that is every loss.
                Assert.NotNull(l.SystemDroppedDatagrams);
                Assert.Equal(lost, l.SystemDroppedDatagrams!.Value - dropsBefore);
            }
        }
        finally
        {
            await l.StopAsync();
        }
    }

    private static void Fill(byte[] buffer, int sender, int seq)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, sender);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(4), seq);
        for (int i = 8; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(sender * 31 + seq + i);
        }
    }
}
