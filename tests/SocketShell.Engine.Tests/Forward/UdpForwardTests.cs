using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Forward.ForwardTestHelpers;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Forward;

public sealed class UdpForwardTests
{
    [Fact]
    public async Task Eight_peers_each_get_their_own_replies_and_the_conversation_is_recorded()
    {
        SocketListener echo = Start(ListenerMode.Echo, TransportProtocol.Udp);
        SocketListener l = StartForward(TargetOf(echo), TransportProtocol.Udp);
        var peers = Enumerable.Range(0, 8).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            s.Connect(l.GetLocalEndPoint()!);
            return s;
        }).ToArray();
        try
        {
            // Each peer sends its own datagrams; every reply it reads must be its own.
            for (int round = 0; round < 3; round++)
            {
                for (int p = 0; p < peers.Length; p++)
                {
                    await peers[p].SendAsync(Encoding.ASCII.GetBytes($"peer {p} round {round}"), SocketFlags.None);
                }

                for (int p = 0; p < peers.Length; p++)
                {
                    byte[] buffer = new byte[100];
                    int n = await peers[p].ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound);
                    Assert.Equal($"peer {p} round {round}", Encoding.ASCII.GetString(buffer, 0, n));
                }
            }

            Assert.Equal(8, l.ActivePairs);
            Assert.Equal(8, l.ConnectionCount);
            Assert.Equal(8, echo.ConnectionCount); // one upstream socket per peer
            // A peer can read its reply before the forwarder's send has been counted: wait (bounded).
            Assert.True(await EventuallyAsync(() => l.UpstreamBytesSent == l.BytesReceived && l.BytesSent == l.BytesReceived),
                $"counters: received {l.BytesReceived}, upstream sent {l.UpstreamBytesSent}, sent {l.BytesSent}");

            IReadOnlyList<SocketMessage> kept = await l.ReceiveAsync(int.MaxValue, 48, null, false, Bound, CancellationToken.None);
            Assert.Equal(48, kept.Count);
            foreach (IGrouping<int?, SocketMessage> peer in kept.GroupBy(m => m.ConnectionId))
            {
                SocketMessage[] m = peer.ToArray();
                Assert.Equal(6, m.Length);
                Assert.Equal(3, m.Count(x => x.Direction == MessageDirection.ServerToClient));
                Assert.All(m, x => Assert.Equal(m[0].RemoteEndPoint, x.RemoteEndPoint));
                Assert.All(m, x => Assert.EndsWith(m[0].Text[..6], x.Text[..6], StringComparison.Ordinal));
                Assert.Equal(MessageDirection.ClientToServer, m[0].Direction);
            }
        }
        finally
        {
            foreach (Socket s in peers)
            {
                s.Dispose();
            }

            await l.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task An_idle_peer_loses_its_upstream_socket_and_gets_a_new_one_when_it_talks_again()
    {
        SocketListener echo = Start(ListenerMode.Echo, TransportProtocol.Udp);
        SocketListener l = StartForward(TargetOf(echo), TransportProtocol.Udp, o => o.IdleTimeout = TimeSpan.FromSeconds(1));
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Connect(l.GetLocalEndPoint()!);
        try
        {
            byte[] buffer = new byte[16];
            await peer.SendAsync("one"u8.ToArray(), SocketFlags.None);
            Assert.Equal(3, await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound));
            // (A reply slower than the idle timeout is lost by design, so the timeout is not made shorter:
            // a loaded machine can take hundreds of milliseconds to answer a first datagram.)
            Assert.Equal(1, echo.ConnectionCount);
            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0), "the idle upstream socket was never closed");
            await peer.SendAsync("two"u8.ToArray(), SocketFlags.None);
            Assert.Equal(3, await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound));
            Assert.Equal(2, echo.ConnectionCount);
        }
        finally
        {
            await l.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task A_closed_upstream_port_is_counted_as_refused()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = ForwardTarget.FromEndPoint(closed.LocalEndPoint!);
        closed.Dispose(); // nobody reads that port now: the kernel answers ICMP port unreachable
        SocketListener l = StartForward(target, TransportProtocol.Udp);
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Connect(l.GetLocalEndPoint()!);
        try
        {
            await peer.SendAsync("anyone?"u8.ToArray(), SocketFlags.None);
            Assert.True(await EventuallyAsync(() => l.ForwardFailures >= 1));
            Assert.Equal(SocketErrorKind.ConnectionRefused, l.LastForwardError!.Kind);
            Assert.Equal(ListenerState.Listening, l.State);
        }
        finally
        {
            await l.StopAsync();
        }
    }
}
