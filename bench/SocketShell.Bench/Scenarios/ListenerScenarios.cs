using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using SocketShell.Listeners;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// A SocketShell listener in its own process, so it is measured like socat/ncat/iperf3 are: it prints
/// "port &lt;n&gt; pid &lt;pid&gt;", then answers "stats" lines on stdin with its counters, working set and CPU
/// time; end of input stops it.
/// </summary>
public sealed class ListenScenario : IBenchScenario
{
    public string Name => "listen";

    public string Description => "run a listener until stdin closes (--protocol Tcp|Udp --mode Echo|Discard|Capture --port 0 | --path <unix socket> --max-connections 1000 --capture-limit 16777216; --async-connections: the asynchronous per-connection path instead of the Linux event loop, for comparison; --loops N: event loops, default one per core)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        string? path = args.Has("path") ? args.Get("path", "") : null;
        SocketListener l = new ListenerRegistry().Start(new ListenerOptions
        {
            Path = path,
            Address = path is null ? IPAddress.Loopback : null,
            Protocol = path is null ? Enum.Parse<TransportProtocol>(args.Get("protocol", "Tcp"), ignoreCase: true) : TransportProtocol.Unix,
            Mode = Enum.Parse<ListenerMode>(args.Get("mode", "Echo"), ignoreCase: true),
            Port = args.GetInt("port", 0),
            MaxConnections = args.GetInt("max-connections", ListenerOptions.DefaultMaxConnections),
            AsynchronousConnections = args.Has("async-connections"),
            EventLoops = args.GetInt("loops", 0),
            CaptureLimit = long.Parse(args.Get("capture-limit", ListenerOptions.DefaultCaptureLimit.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
        });
        await ServeAsync(l, cancellationToken);
        return 0;
    }

    /// <summary>Prints "port P pid N", answers "stats" lines with the listener's counters until stdin closes, then stops it.</summary>
    internal static async Task ServeAsync(SocketListener l, CancellationToken cancellationToken)
    {
        Console.WriteLine($"port {l.Port} pid {Environment.ProcessId}");
        string? line;
        while ((line = await Console.In.ReadLineAsync(cancellationToken)) is not null)
        {
            if (line.Trim() == "stats")
            {
                using var self = Process.GetCurrentProcess();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"connections {l.ConnectionCount} active {l.ActiveConnections} rejected {l.RejectedConnections} received {l.BytesReceived} sent {l.BytesSent} datagrams {l.DatagramsReceived} osdrops {l.SystemDroppedDatagrams ?? -1} pairs {l.ActivePairs} upstream_sent {l.UpstreamBytesSent} upstream_received {l.UpstreamBytesReceived} forward_failures {l.ForwardFailures} rss {self.WorkingSet64} cpu_ms {self.TotalProcessorTime.TotalMilliseconds:F0} managed {GC.GetTotalMemory(false)}"));
            }
        }

        await l.StopAsync();
    }
}

/// <summary>Shared client pieces: target, timed loops on dedicated threads.</summary>
internal static class BenchClient
{
    public static IPEndPoint Target(BenchArgs args) =>
        new(IPAddress.Parse(args.Get("host", "127.0.0.1")), args.GetInt("port", 0));

    /// <summary>The stream target: a Unix socket with --path, else TCP --host/--port.</summary>
    public static EndPoint StreamTarget(BenchArgs args) =>
        args.Has("path") ? new UnixDomainSocketEndPoint(args.Get("path", "")) : Target(args);

    /// <summary>A connected stream socket to <see cref="StreamTarget"/> (TCP with NoDelay, or Unix).</summary>
    public static Socket ConnectStream(BenchArgs args)
    {
        EndPoint target = StreamTarget(args);
        Socket s = target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.Connect(target);
        return s;
    }

    /// <summary>Runs <paramref name="work"/> on <paramref name="threads"/> threads until <paramref name="seconds"/> pass; returns the summed counts.</summary>
    public static long RunTimed(int threads, double seconds, Func<int, Func<bool>, long> work)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        bool Running() => Stopwatch.GetTimestamp() < stopAt;
        long total = 0;
        var list = new List<Thread>();
        for (int i = 0; i < threads; i++)
        {
            int id = i;
            var t = new Thread(() => Interlocked.Add(ref total, work(id, Running))) { IsBackground = true };
            list.Add(t);
            t.Start();
        }

        list.ForEach(t => t.Join());
        return total;
    }
}

/// <summary>TCP echo round trips per second against any echo server (SocketShell or socat).</summary>
public sealed class TcpEchoClientScenario : IBenchScenario
{
    public string Name => "tcp-echo-client";

    public string Description => "echo round trips/s (--port P | --path <unix socket>, --clients 16 --size 1024 --seconds 10)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int clients = args.GetInt("clients", 16);
        int size = args.GetInt("size", 1024);
        double seconds = args.GetDouble("seconds", 10);
        var sockets = Enumerable.Range(0, clients).Select(_ =>
        {
            Socket s = BenchClient.ConnectStream(args);
            s.ReceiveTimeout = 10_000;
            return s;
        }).ToArray();
        long errors = 0;
        long Work(int id, Func<bool> running)
        {
            Socket s = sockets[id];
            byte[] data = new byte[size];
            byte[] back = new byte[size];
            new Random(id).NextBytes(data);
            long n = 0;
            try
            {
                while (running())
                {
                    s.Send(data);
                    for (int got = 0; got < size;)
                    {
                        int r = s.Receive(back, got, size - got, SocketFlags.None);
                        if (r == 0)
                        {
                            throw new EndOfStreamException();
                        }

                        got += r;
                    }

                    if (back[0] != data[0] || back[size - 1] != data[size - 1])
                    {
                        Interlocked.Increment(ref errors);
                    }

                    n++;
                }
            }
            catch (Exception e) when (e is SocketException or EndOfStreamException)
            {
                Interlocked.Increment(ref errors);
            }

            return n;
        }

        using var self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long warm = BenchClient.RunTimed(clients, 1, Work); // warm up
        long total = BenchClient.RunTimed(clients, seconds, Work);
        self.Refresh();
        double cpuMs = (self.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        foreach (Socket s in sockets)
        {
            s.Dispose();
        }

        // all_roundtrips counts the warm-up too: what the server handled over the connections' lifetime (CPU per
        // message); client_cpu_ms is this client's CPU time over the same round trips.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"roundtrips_per_s {total / seconds:F0} errors {errors} all_roundtrips {warm + total} client_cpu_ms {cpuMs:F0}"));
        return Task.FromResult(errors == 0 ? 0 : 1);
    }
}

/// <summary>Bulk TCP send as fast as possible (into a Discard listener).</summary>
public sealed class TcpBulkClientScenario : IBenchScenario
{
    public string Name => "tcp-bulk-client";

    public string Description => "bulk send rate into a sink (--port P | --path <unix socket>, --seconds 10 --size 131072 --streams 1)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int size = args.GetInt("size", 128 * 1024);
        double seconds = args.GetDouble("seconds", 10);
        int streams = args.GetInt("streams", 1);
        long total = BenchClient.RunTimed(streams, seconds, (id, running) =>
        {
            using Socket s = BenchClient.ConnectStream(args);
            byte[] data = new byte[size];
            long n = 0;
            while (running())
            {
                n += s.Send(data);
            }

            s.Shutdown(SocketShutdown.Send);
            return n;
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes {total} gbit_per_s {total * 8 / seconds / 1e9:F2}"));
        return Task.FromResult(0);
    }
}

/// <summary>
/// Connections served per second: connect, send end-of-stream, wait for the server's close, close —
/// so each counted connection was really accepted and handled by the server.
/// </summary>
public sealed class TcpConnectClientScenario : IBenchScenario
{
    public string Name => "tcp-connect-client";

    public string Description => "accepted+served connections/s (--port P --count 20000 --concurrency 8)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        IPEndPoint target = BenchClient.Target(args);
        int count = args.GetInt("count", 20_000);
        int concurrency = args.GetInt("concurrency", 8);
        int remaining = count;
        long failures = 0;
        byte[] one = new byte[1];
        var sw = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, concurrency).Select(_ => new Thread(() =>
        {
            byte[] buf = new byte[256];
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                try
                {
                    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
                    s.Connect(target);
                    s.Shutdown(SocketShutdown.Send);
                    while (s.Receive(buf) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        sw.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"connections {count - failures} failures {failures} seconds {sw.Elapsed.TotalSeconds:F2} connections_per_s {(count - failures) / sw.Elapsed.TotalSeconds:F0}"));
        return Task.FromResult(failures == 0 ? 0 : 1);
    }
}

/// <summary>Opens many idle connections and holds them until stdin closes.</summary>
public sealed class TcpHoldClientScenario : IBenchScenario
{
    public string Name => "tcp-hold-client";

    public string Description => "open and hold idle connections until stdin closes (--port P --connections 10000)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        IPEndPoint target = BenchClient.Target(args);
        int count = args.GetInt("connections", 10_000);
        var held = new List<Socket>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Connect(target);
                held.Add(s);
            }

            Console.WriteLine($"held {held.Count}");
            await Console.In.ReadToEndAsync(cancellationToken);
        }
        catch (SocketException e)
        {
            Console.WriteLine($"held {held.Count} failed {e.SocketErrorCode}");
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }

        return 0;
    }
}

/// <summary>UDP echo round trips per second (a lost datagram waits 200 ms and counts as lost).</summary>
public sealed class UdpEchoClientScenario : IBenchScenario
{
    public string Name => "udp-echo-client";

    public string Description => "UDP echo round trips/s (--port P --clients 16 --size 512 --seconds 10)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        IPEndPoint target = BenchClient.Target(args);
        int clients = args.GetInt("clients", 16);
        int size = args.GetInt("size", 512);
        double seconds = args.GetDouble("seconds", 10);
        var sockets = Enumerable.Range(0, clients).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
            s.Connect(target);
            return s;
        }).ToArray();
        long lost = 0;
        long Work(int id, Func<bool> running)
        {
            Socket s = sockets[id];
            byte[] data = new byte[size];
            byte[] back = new byte[65536];
            long n = 0;
            uint seq = 0;
            while (running())
            {
                BitConverter.TryWriteBytes(data, ++seq);
                s.Send(data);
                try
                {
                    // Skip late replies to earlier (lost) requests.
                    while (true)
                    {
                        int r = s.Receive(back);
                        if (r == size && BitConverter.ToUInt32(back, 0) == seq)
                        {
                            break;
                        }
                    }

                    n++;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
                {
                    Interlocked.Increment(ref lost);
                }
            }

            return n;
        }

        BenchClient.RunTimed(clients, 1, Work);
        Interlocked.Exchange(ref lost, 0);
        long total = BenchClient.RunTimed(clients, seconds, Work);
        foreach (Socket s in sockets)
        {
            s.Dispose();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"roundtrips_per_s {total / seconds:F0} lost {lost}"));
        return Task.FromResult(0);
    }
}

/// <summary>Sends UDP datagrams as fast as one thread can; with --sink, to a socket of its own that nobody reads (the sender alone).</summary>
public sealed class UdpBlastClientScenario : IBenchScenario
{
    public string Name => "udp-blast-client";

    public string Description => "UDP datagrams/s sent by one thread (--port P | --sink, --size 512 --seconds 5)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int size = args.GetInt("size", 512);
        double seconds = args.GetDouble("seconds", 5);
        using Socket? sink = args.Has("sink") ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) : null;
        sink?.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint target = sink is null ? BenchClient.Target(args) : (IPEndPoint)sink.LocalEndPoint!;
        long failed = 0;
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long sent = BenchClient.RunTimed(1, seconds, (_, running) =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(target);
            byte[] data = new byte[size];
            long n = 0;
            while (running())
            {
                try
                {
                    s.Send(data);
                    n++;
                }
                catch (SocketException)
                {
                    failed++;
                }
            }

            return n;
        });
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sent {sent} failed {failed} datagrams_per_s {sent / seconds:F0} sender_cpu_ms {cpuMs:F0}"));
        return Task.FromResult(0);
    }
}
