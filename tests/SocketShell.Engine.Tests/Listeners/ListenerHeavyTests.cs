using System.Net.Sockets;
using System.Security.Cryptography;
using SocketShell.Common;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;
using SocketShell.Engine.Tests.Skips;

namespace SocketShell.Engine.Tests.Listeners;

/// <summary>Load and accounting tests; alone in their collection so they do not measure each other.</summary>
[CollectionDefinition(nameof(ListenerHeavyTests), DisableParallelization = true)]
public sealed class ListenerHeavyCollection;

[Trait("Category", "Heavy")]
[Collection(nameof(ListenerHeavyTests))]
public sealed class ListenerHeavyTests
{
    [Fact]
    public async Task A_256MB_flood_into_a_16MB_capture_stays_bounded_and_accounts_for_every_byte()
    {
        const long total = 256L * 1024 * 1024;
        SocketListener l = Start(configure: o => o.CaptureLimit = ListenerOptions.DefaultCaptureLimit);
        try
        {
            GC.Collect();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            using Socket c = await ConnectAsync(l);
            byte[] chunk = new byte[1024 * 1024];
            Random.Shared.NextBytes(chunk);
            long peak = 0;
            for (long sent = 0; sent < total; sent += chunk.Length)
            {
                await c.SendAsync(chunk, SocketFlags.None).WaitAsync(Bound);
                if ((sent & ((32 * 1024 * 1024) - 1)) == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
                }
            }

            c.Shutdown(SocketShutdown.Send);
            Assert.Empty(await ReadToEndAsync(c));
            Assert.True(await EventuallyAsync(() => l.BytesReceived == total), $"received {l.BytesReceived}");
            Assert.Equal(total, l.BytesReceived);
            Assert.Equal(l.BytesReceived, l.CapturedBytes + l.DroppedBytes);
            Assert.True(l.CapturedBytes <= ListenerOptions.DefaultCaptureLimit);
            Assert.True(l.CapturedBytes > ListenerOptions.DefaultCaptureLimit / 2, $"captured only {l.CapturedBytes}");
            Assert.Equal(l.CapturedBytes, l.PendingBytes);

            long held = GC.GetTotalMemory(forceFullCollection: true) - before;
            Assert.True(held < 48L * 1024 * 1024, $"{held / (1024 * 1024)} MB held after a 256 MB flood");
            Assert.True(peak < 96L * 1024 * 1024, $"{peak / (1024 * 1024)} MB at peak during the flood");

            // What was kept is the start of the stream, in order.
            IReadOnlyList<SocketMessage> kept = await l.ReceiveAsync(int.MaxValue, 0, null, false, Bound, CancellationToken.None);
            Assert.Equal(l.CapturedBytes, kept.Sum(m => (long)m.Length));
            byte[] first = kept.SelectMany(m => m.Data).Take(chunk.Length).ToArray();
            Assert.Equal(chunk, first);
            Assert.Equal(0, l.PendingBytes);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Fact]
    public async Task A_hundred_clients_each_echo_1MB_and_every_checksum_matches()
    {
        const int clients = 100;
        const int size = 1024 * 1024;
        SocketListener l = Start(ListenerMode.Echo, configure: o => o.CaptureLimit = 0);
        try
        {
            async Task<bool> OneClient(int seed)
            {
                byte[] data = new byte[size];
                new Random(seed).NextBytes(data);
                using Socket c = await ConnectAsync(l);
                Task<byte[]> reading = ReadToEndAsync(c);
                for (int off = 0; off < size; off += 64 * 1024)
                {
                    await c.SendAsync(data.AsMemory(off, 64 * 1024), SocketFlags.None);
                }

                c.Shutdown(SocketShutdown.Send);
                byte[] back = await reading;
                return SHA256.HashData(back).AsSpan().SequenceEqual(SHA256.HashData(data));
            }

            bool[] ok = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => OneClient(i)))).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.All(ok, Assert.True);
            Assert.True(await EventuallyAsync(() => l.ActiveConnections == 0));
            Assert.Equal((long)clients * size, l.BytesReceived);
            Assert.Equal((long)clients * size, l.BytesSent);
            Assert.True(l.ConnectionCount >= clients); // a port scan from elsewhere on the machine may add an empty connection
            Assert.Equal(0, l.CapturedBytes);
            Assert.Equal(l.BytesReceived, l.DroppedBytes);
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [FactNeeding(Requirement.Linux)]
    public async Task No_socket_of_ours_stays_open_after_Stop()
    {
        // Warm up the runtime's own sockets (if any) before counting.
        SocketListener warm = Start(ListenerMode.Echo);
        await warm.StopAsync();
        int before = OpenSockets.Count();

        SocketListener tcp = Start(ListenerMode.Echo, configure: o => o.IdleTimeout = TimeSpan.FromMinutes(1));
        SocketListener udp = Start(ListenerMode.Echo, TransportProtocol.Udp);
        var clients = new List<Socket>();
        for (int i = 0; i < 20; i++)
        {
            Socket c = await ConnectAsync(tcp);
            clients.Add(c);
            await c.SendAsync(new byte[] { 1 }, SocketFlags.None);
        }

        Assert.True(await EventuallyAsync(() => tcp.ActiveConnections == 20));
        Assert.True(OpenSockets.Count() >= before + 42);
        await Task.WhenAll(tcp.StopAsync(), udp.StopAsync()).WaitAsync(Bound);
        foreach (Socket c in clients)
        {
            c.Dispose();
        }

        Assert.Equal(before, OpenSockets.Count());
    }

    [Fact]
    public async Task StopAll_stops_every_listener_as_module_removal_does()
    {
        var registry = new ListenerRegistry();
        var other = new ListenerRegistry();
        SocketListener a = Start(registry: registry);
        SocketListener b = Start(protocol: TransportProtocol.Udp, registry: registry);
        SocketListener kept = Start(registry: other);
        try
        {
            using Socket c = await ConnectAsync(a);
            // Accepted first: a connection still in the kernel's accept queue is reset when the listening
            // socket closes, whoever the server is; the test is about what the listener does with its own.
            Assert.True(await EventuallyAsync(() => a.ConnectionCount == 1), "The listener did not accept the connection.");
            Assert.True(registry.StopAll(Bound));
            Assert.Equal(ListenerState.Stopped, a.State);
            Assert.Equal(ListenerState.Stopped, b.State);
            Assert.Empty(await ReadToEndAsync(c));
            Assert.Empty(registry.All);
            Assert.Equal(ListenerState.Listening, kept.State);
            Assert.Equal([kept], other.All);
        }
        finally
        {
            await kept.StopAsync();
        }
    }
}

/// <summary>The hot paths allocate nothing per message (measured process-wide, so alone in their collection).</summary>
[Collection(nameof(ListenerHeavyTests))]
public sealed class ListenerAllocationTests
{
    private const int RoundTrips = 20_000;

    private static long Measure(Action run)
    {
        run(); // warm up: JIT, pools, state machines
        long before = GC.GetTotalAllocatedBytes(precise: true);
        run();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    [Theory]
    [InlineData(ListenerMode.Echo)]
    [InlineData(ListenerMode.Discard)]
    public async Task Tcp_round_trips_allocate_nothing_per_message(ListenerMode mode)
    {
        SocketListener l = Start(mode, configure: o => { o.CaptureLimit = 0; o.Response = [1]; });
        try
        {
            // A client that never went asynchronous: its blocking calls allocate nothing themselves.
            using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            c.Connect(l.GetLocalEndPoint()!);
            c.ReceiveTimeout = 20_000;
            byte[] data = new byte[1024];
            byte[] back = new byte[1024];
            void Run()
            {
                for (int i = 0; i < RoundTrips / 2; i++)
                {
                    c.Send(data);
                    if (mode == ListenerMode.Echo)
                    {
                        for (int got = 0; got < data.Length;)
                        {
                            got += c.Receive(back, got, data.Length - got, SocketFlags.None);
                        }
                    }
                }
            }

            long allocated = await Task.Run(() => Measure(Run)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(await EventuallyAsync(() => l.BytesReceived == (long)RoundTrips * 1024));
            Assert.True(allocated < RoundTrips / 2 * 16, $"{allocated} bytes allocated for {RoundTrips / 2} messages in {mode}");
        }
        finally
        {
            await l.StopAsync();
        }
    }

    [Theory]
    [InlineData(ListenerMode.Echo)]
    [InlineData(ListenerMode.Discard)]
    public async Task Udp_datagrams_allocate_nothing_per_message(ListenerMode mode)
    {
        SocketListener l = Start(mode, TransportProtocol.Udp, o => o.CaptureLimit = 0);
        try
        {
            using var c = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            c.Connect(l.GetLocalEndPoint()!);
            c.ReceiveTimeout = 20_000;
            byte[] data = new byte[512];
            byte[] back = new byte[2048];
            long sent = 0;
            void Run()
            {
                for (int i = 0; i < RoundTrips / 2; i++)
                {
                    c.Send(data);
                    sent++;
                    if (mode == ListenerMode.Echo)
                    {
                        c.Receive(back);
                    }
                    else if (i % 64 == 63)
                    {
                        // Pace the sender so the listener's queue never overflows.
                        long target = sent;
                        SpinWait.SpinUntil(() => l.DatagramsReceived >= target, 5000);
                    }
                }
            }

            long allocated = await Task.Run(() => Measure(Run)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(await EventuallyAsync(() => l.DatagramsReceived == sent));
            Assert.True(allocated < RoundTrips / 2 * 16, $"{allocated} bytes allocated for {RoundTrips / 2} datagrams in {mode}");
        }
        finally
        {
            await l.StopAsync();
        }
    }
}
