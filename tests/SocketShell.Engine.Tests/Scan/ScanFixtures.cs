using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SocketShell.Scan;

namespace SocketShell.Engine.Tests.Scan;

/// <summary>Loopback targets with known answers, and helpers to run a scan and collect its results.</summary>
internal static class ScanFixtures
{
    /// <summary>A port that refuses: bound (so nothing else takes it) but not listening, so a SYN gets RST.</summary>
    public static Socket ClosedPort(IPAddress address, out int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    /// <summary>A listening port that completes handshakes.</summary>
    public static Socket OpenPort(IPAddress address, out int port)
    {
        Socket socket = ClosedPort(address, out port);
        socket.Listen(128);
        return socket;
    }

    /// <summary>
    /// A port that never answers: a listener with backlog 1 that never accepts, filled with clients
    /// until a handshake stalls (further SYNs are dropped). Returns null when this host's stack does not
    /// stall (then the caller skips). Dispose the result to close the listener and every filler.
    /// </summary>
    public static async Task<StalledPort?> StalledPortAsync(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(1);
        var stalled = new StalledPort(listener);
        for (int i = 0; i < 32; i++)
        {
            var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            stalled.Fillers.Add(client);
            Task connect = client.ConnectAsync(listener.LocalEndPoint!);
            Task winner = await Task.WhenAny(connect, Task.Delay(TimeSpan.FromMilliseconds(300)));
            if (winner != connect)
            {
                // It may only be slow to be told (a loaded machine): the kernel's queue could still
                // have room. A few more clients make sure it is full; any beyond that stall too.
                for (int extra = 0; extra < 3; extra++)
                {
                    var more = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    stalled.Fillers.Add(more);
                    _ = more.ConnectAsync(listener.LocalEndPoint!).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                }

                _ = connect.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // observed when disposed
                return stalled;
            }
        }

        stalled.Dispose();
        return null;
    }

    /// <summary>Runs one scan to its end and returns the results in completion order.</summary>
    public static async Task<ScanRun> RunAsync(PortScanOptions options, Action<PortScanner> add, CancellationToken cancellationToken = default)
    {
        var run = new ScanRun();
        using var scanner = new PortScanner(
            options,
            (pair, status) => run.Results.Enqueue((pair, status, run.Clock.Elapsed)),
            e => run.NameErrors.Enqueue(e),
            cancellationToken,
            (pair, status) => run.Attempts.Enqueue((pair, status)));
        run.Clock.Restart();
        add(scanner);
        scanner.Complete();
        await scanner.Completion.WaitAsync(TimeSpan.FromMinutes(2), CancellationToken.None);
        run.OpenSocketsAfter = scanner.OpenSockets;
        return run;
    }

    internal sealed class StalledPort(Socket listener) : IDisposable
    {
        public Socket Listener { get; } = listener;

        public List<Socket> Fillers { get; } = [];

        public int Port => ((IPEndPoint)Listener.LocalEndPoint!).Port;

        public void Dispose()
        {
            foreach (Socket s in Fillers)
            {
                s.Dispose();
            }

            Listener.Dispose();
        }
    }

    internal sealed class ScanRun
    {
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public ConcurrentQueue<(long Pair, PortStatus Status, TimeSpan At)> Results { get; } = new();

        public ConcurrentQueue<(long Pair, PortStatus Status)> Attempts { get; } = new();

        public ConcurrentQueue<SocketShellException> NameErrors { get; } = new();

        public int OpenSocketsAfter { get; set; }

        public PortStatus Single() => Assert.Single(Results).Status;
    }
}

/// <summary>Tests that count this process's sockets or sweep all ports run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SocketCountingCollection
{
    public const string Name = "Socket counting";
}
