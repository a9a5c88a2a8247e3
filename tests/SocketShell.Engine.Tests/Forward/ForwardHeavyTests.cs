using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Forward.ForwardTestHelpers;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Forward;

/// <summary>Load and socket-count tests of Forward mode; alone in their collection so nothing else opens sockets meanwhile.</summary>
[CollectionDefinition(nameof(ForwardHeavyTests), DisableParallelization = true)]
public sealed class ForwardHeavyCollection;

[Collection(nameof(ForwardHeavyTests))]
public sealed class ForwardHeavyTests
{
    [Fact]
    public async Task Fifty_clients_relay_a_megabyte_each_to_an_echo_and_the_capture_reassembles_every_conversation()
    {
        const int clients = 50;
        const int size = 1024 * 1024;
        SocketListener echo = Start(ListenerMode.Echo, configure: o => o.CaptureLimit = 0);
        SocketListener l = StartForward(TargetOf(echo), configure: o => o.CaptureLimit = 256L * 1024 * 1024);
        try
        {
            var sent = new Dictionary<EndPoint, byte[]>();
            var sockets = new List<Socket>();
            for (int i = 0; i < clients; i++)
            {
                Socket s = await ConnectAsync(l);
                sockets.Add(s);
                byte[] data = new byte[size];
                Random.Shared.NextBytes(data);
                sent[s.LocalEndPoint!] = data;
            }

            byte[][] back = await Task.WhenAll(sockets.Select(s => RoundTripAsync(s, sent[s.LocalEndPoint!]))).WaitAsync(TimeSpan.FromSeconds(120));
            for (int i = 0; i < clients; i++)
            {
                Assert.Equal(SHA256.HashData(sent[sockets[i].LocalEndPoint!]), SHA256.HashData(back[i]));
            }

            foreach (Socket s in sockets)
            {
                s.Shutdown(SocketShutdown.Send);
                Assert.Empty(await ReadToEndAsync(s)); // the end of stream travelled there and back
                s.Dispose();
            }

            Assert.True(await EventuallyAsync(() => l.ActivePairs == 0 && l.ActiveConnections == 0));
            Assert.Equal((long)clients * size, l.BytesReceived);
            Assert.Equal((long)clients * size, l.UpstreamBytesSent);
            Assert.Equal((long)clients * size, l.UpstreamBytesReceived);
            Assert.Equal((long)clients * size, l.BytesSent);
            Assert.Equal(0, l.DroppedBytes);

            // Per connection, each direction reassembles to exactly what the client sent (the echo sent it back).
            IReadOnlyList<SocketMessage> kept = await l.ReceiveAsync(int.MaxValue, 0, null, false, Bound, CancellationToken.None);
            var conversations = kept.GroupBy(m => m.ConnectionId).ToList();
            Assert.Equal(clients, conversations.Count);
            foreach (IGrouping<int?, SocketMessage> conversation in conversations)
            {
                EndPoint client = conversation.First().GetRemoteEndPoint()!;
                Assert.All(conversation, m => Assert.Equal(client, m.GetRemoteEndPoint()));
                byte[] expected = SHA256.HashData(sent[client]);
                Assert.Equal(expected, SHA256.HashData(conversation.Where(m => m.Direction == MessageDirection.ClientToServer).SelectMany(m => m.Data).ToArray()));
                Assert.Equal(expected, SHA256.HashData(conversation.Where(m => m.Direction == MessageDirection.ServerToClient).SelectMany(m => m.Data).ToArray()));
            }
        }
        finally
        {
            await l.StopAsync();
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task Stopping_with_live_pairs_closes_every_socket_on_both_sides()
    {
        int before = OpenSockets.Count();
        SocketListener echo = Start(ListenerMode.Echo, configure: o => o.CaptureLimit = 0);
        SocketListener l = StartForward(TargetOf(echo));
        SocketListener udpEcho = Start(ListenerMode.Echo, TransportProtocol.Udp);
        SocketListener udp = StartForward(TargetOf(udpEcho), TransportProtocol.Udp);
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                Socket c = await ConnectAsync(l);
                clients.Add(c);
                Assert.Equal(new byte[] { 1, 2, 3 }, await RoundTripAsync(c, [1, 2, 3]));
                var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                clients.Add(peer);
                peer.Connect(udp.GetLocalEndPoint()!);
                await peer.SendAsync(new byte[] { 9 }, SocketFlags.None);
                Assert.Equal(1, await peer.ReceiveAsync(new byte[8], SocketFlags.None).WaitAsync(Bound));
            }

            Assert.Equal(5, l.ActivePairs);
            Assert.Equal(5, udp.ActivePairs);
            Assert.Equal(5, echo.ActiveConnections);

            await l.StopAsync().WaitAsync(Bound);
            await udp.StopAsync().WaitAsync(Bound);
            Assert.Equal(0, l.ActivePairs);
            foreach (Socket c in clients.Where(c => c.SocketType == SocketType.Stream))
            {
                Assert.Empty(await ReadToEndAsync(c));
            }

            // The upstream side of every pair was closed too: the echo sees its connections end.
            Assert.True(await EventuallyAsync(() => echo.ActiveConnections == 0), $"{echo.ActiveConnections} upstream connections still open");
            Assert.True(await EventuallyAsync(() => udp.ActivePairs == 0));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            await l.StopAsync();
            await udp.StopAsync();
            await echo.StopAsync();
            await udpEcho.StopAsync();
        }

        if (before >= 0)
        {
            Assert.True(await EventuallyAsync(() => OpenSockets.Count() == before), $"{OpenSockets.Count() - before} sockets left open");
        }
    }
}
