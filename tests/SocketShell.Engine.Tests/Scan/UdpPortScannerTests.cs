using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Scan;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>Test-Port -Protocol Udp on loopback: replies, ICMP port unreachable, silence.</summary>
[Collection(SocketCountingCollection.Name)]
public sealed class UdpPortScannerTests
{
    private static async Task<List<PortStatus>> ScanAsync(PortScanOptions options, string host, int[] ports)
    {
        var results = new ConcurrentQueue<PortStatus>();
        using var scanner = new UdpPortScanner(options, (_, s) => results.Enqueue(s), null, CancellationToken.None);
        scanner.Add(host, ports);
        scanner.Complete();
        await scanner.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, scanner.OpenSockets);
        return [.. results];
    }

    /// <summary>UDP ports nobody has bound right now (each bound to learn it, then released).</summary>
    private static int[] FreeUdpPorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            ports.Add(((IPEndPoint)s.LocalEndPoint!).Port);
        }

        return [.. ports];
    }

    [Fact]
    public async Task An_echo_listener_is_Open_with_its_reply()
    {
        SocketListener echo = Start(ListenerMode.Echo, TransportProtocol.Udp);
        try
        {
            List<PortStatus> r = await ScanAsync(new PortScanOptions { Payload = Encoding.ASCII.GetBytes("hello") }, "127.0.0.1", [echo.Port]);
            PortStatus s = Assert.Single(r);
            Assert.Equal(PortState.Open, s.Status);
            Assert.Equal(TransportProtocol.Udp, s.Protocol);
            Assert.Equal("hello", s.Banner);
            Assert.Equal(Encoding.ASCII.GetBytes("hello"), s.BannerBytes);
            Assert.NotNull(s.Latency);
        }
        finally
        {
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task A_closed_port_is_Closed_from_the_ICMP_report_at_once()
    {
        int port = FreeUdpPorts(1)[0];
        var clock = Stopwatch.StartNew();
        PortStatus s = Assert.Single(await ScanAsync(new PortScanOptions { Timeout = TimeSpan.FromSeconds(30) }, "127.0.0.1", [port]));
        Assert.Equal(PortState.Closed, s.Status);
        Assert.NotNull(s.Latency);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "Closed must come from the ICMP report, not the timeout");
    }

    [Fact]
    public async Task Closed_on_IPv6_loopback_too()
    {
        using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        int port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();
        PortStatus s = Assert.Single(await ScanAsync(new PortScanOptions(), "::1", [port]));
        Assert.Equal(PortState.Closed, s.Status);
    }

    [Fact]
    public async Task Two_hundred_closed_ports_in_one_sweep_are_all_Closed_and_no_socket_stays_open()
    {
        int before = OpenSockets.Count();
        int[] ports = FreeUdpPorts(200);
        List<PortStatus> r = await ScanAsync(new PortScanOptions { Timeout = TimeSpan.FromSeconds(5) }, "127.0.0.1", ports);
        Assert.Equal(200, r.Count);
        Assert.Equal(ports.Order(), r.Select(s => s.Port).Order());
        Assert.All(r, s => Assert.Equal(PortState.Closed, s.Status));
        Assert.True(await EventuallyAsync(() => OpenSockets.Count() <= before), "sockets left open");
    }

    [Fact]
    public async Task A_port_that_never_answers_is_OpenOrFiltered_after_one_retry_round()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never read: no reply, no ICMP
        int port = ((IPEndPoint)mute.LocalEndPoint!).Port;
        var clock = Stopwatch.StartNew();
        PortStatus s = Assert.Single(await ScanAsync(new PortScanOptions { Timeout = TimeSpan.FromMilliseconds(200) }, "127.0.0.1", [port]));
        Assert.Equal(PortState.OpenOrFiltered, s.Status);
        Assert.Null(s.Latency);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200) + UdpPortScanner.RetryRoundMinimum, $"took {clock.Elapsed}");
        Assert.Equal(2, CountDatagrams(mute)); // the first probe and one retry (empty datagrams)
    }

    [Fact]
    public async Task Ports_whose_answers_are_rate_limited_are_retried_until_every_one_has_answered()
    {
        // A "host" that answers at most 5 datagrams per second across 15 ports (like an ICMP rate limit,
        // but with replies, which loopback does not limit): the first round gets 5 answers, so the silent
        // ports are probed again round after round; none may end up OpenOrFiltered. The reply wait
        // (Timeout) is a whole second so a loaded machine's late replies still count.
        var sockets = Enumerable.Range(0, 15).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();
        using var stop = new CancellationTokenSource();
        var bucket = new TokenBucket(5, TimeSpan.FromSeconds(1));
        Task[] responders = sockets.Select(s => RespondAsync(s, bucket, stop.Token)).ToArray();
        try
        {
            int[] ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
            var results = new ConcurrentQueue<PortStatus>();
            using var scanner = new UdpPortScanner(new PortScanOptions { Timeout = TimeSpan.FromSeconds(1) }, (_, r) => results.Enqueue(r), null, CancellationToken.None);
            scanner.Add("127.0.0.1", ports);
            scanner.Complete();
            await scanner.Completion.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Equal(15, results.Count);
            Assert.All(results, r => Assert.Equal(PortState.Open, r.Status));
            Assert.True(scanner.Retries > 0);
        }
        finally
        {
            stop.Cancel();
            foreach (Socket s in sockets)
            {
                s.Dispose();
            }

            await Task.WhenAll(responders).WaitAsync(Bound);
        }
    }

    private static async Task RespondAsync(Socket socket, TokenBucket bucket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveFromResult got = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
                if (bucket.TryTake())
                {
                    await socket.SendToAsync("ok"u8.ToArray(), got.RemoteEndPoint, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    /// <summary>At most <c>capacity</c> tokens, refilled to capacity every period.</summary>
    private sealed class TokenBucket(int capacity, TimeSpan period)
    {
        private readonly object _gate = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _windowStart;
        private int _taken;

        public bool TryTake()
        {
            lock (_gate)
            {
                if (_clock.Elapsed - _windowStart >= period)
                {
                    _windowStart = _clock.Elapsed;
                    _taken = 0;
                }

                return _taken < capacity && ++_taken > 0;
            }
        }
    }

    private static int CountDatagrams(Socket socket)
    {
        int n = 0;
        byte[] buffer = new byte[16];
        while (socket.Poll(0, SelectMode.SelectRead))
        {
            socket.Receive(buffer);
            n++;
        }

        return n;
    }

    [Fact]
    public async Task Localhost_falls_back_to_the_address_that_answers()
    {
        SocketListener echo = Start(ListenerMode.Echo, TransportProtocol.Udp); // 127.0.0.1 only
        try
        {
            PortStatus s = Assert.Single(await ScanAsync(new PortScanOptions { Payload = [1, 2, 3] }, "localhost", [echo.Port]));
            Assert.Equal(PortState.Open, s.Status);
            Assert.Equal(IPAddress.Loopback, s.GetRemoteAddress());
        }
        finally
        {
            await echo.StopAsync();
        }
    }

    [Fact]
    public async Task Cancelling_stops_every_probe_at_once()
    {
        using var mute = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        mute.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)mute.LocalEndPoint!).Port;
        using var cts = new CancellationTokenSource();
        using var scanner = new UdpPortScanner(new PortScanOptions { Timeout = TimeSpan.FromMinutes(5) }, (_, _) => { }, null, cts.Token);
        scanner.Add("127.0.0.1", Enumerable.Repeat(port, 50).ToArray());
        scanner.Complete();
        Assert.True(await EventuallyAsync(() => scanner.OpenSockets == 50));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scanner.Completion.WaitAsync(Bound));
        Assert.Equal(0, scanner.OpenSockets);
    }

    [Fact]
    public void Options_UDP_cannot_honour_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new UdpPortScanner(new PortScanOptions { Count = 3 }, (_, _) => { }, null, default));
        Assert.Throws<ArgumentException>(() => new UdpPortScanner(new PortScanOptions { PostConnect = new PostConnectOptions { Tls = true } }, (_, _) => { }, null, default));
        SocketShellException e = Assert.Throws<SocketShellException>(() => new UdpPortScanner(new PortScanOptions { Payload = new byte[70_000] }, (_, _) => { }, null, default));
        Assert.Equal(SocketErrorKind.DatagramTooLarge, e.Kind);
    }
}
