using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketShell.Udp;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Fire-and-forget datagrams per second: the engine path behind Send-Datagram (DatagramSender.SendAsync,
/// no reply wanted) against a raw connected UdpClient.Send loop, same payload, same loopback sink, same
/// run. The sink counts what arrives, so losses are reported rather than hidden.
/// </summary>
public sealed class DatagramSendScenario : IBenchScenario
{
    public string Name => "datagram-send";

    public string Description => "fire-and-forget datagrams/s, engine vs raw UdpClient (--count 200000 --size 64 --rounds 3)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 200_000);
        int size = args.GetInt("size", 64);
        int rounds = args.GetInt("rounds", 3);
        byte[] payload = new byte[size];
        Random.Shared.NextBytes(payload);

        using var sink = new Sink();
        var engineRates = new List<double>();
        var rawRates = new List<double>();
        long engineLost = 0;
        long rawLost = 0;

        for (int round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Engine path: one DatagramSender for the whole run, as Send-Datagram uses one per target.
            long before = sink.Received;
            var options = new DatagramSendOptions { ComputerName = "127.0.0.1", Port = sink.Port };
            using (DatagramSender sender = await DatagramSender.OpenAsync(options, cancellationToken))
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < count; i++)
                {
                    await sender.SendAsync(payload, false, TimeSpan.Zero, cancellationToken);
                }

                sw.Stop();
                engineRates.Add(count / sw.Elapsed.TotalSeconds);
            }

            engineLost += count - await sink.SettleAsync(before, count);

            // Raw: a connected UdpClient, synchronous Send in a loop.
            before = sink.Received;
            using (var raw = new UdpClient(AddressFamily.InterNetwork))
            {
                raw.Connect(IPAddress.Loopback, sink.Port);
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < count; i++)
                {
                    raw.Send(payload, payload.Length);
                }

                sw.Stop();
                rawRates.Add(count / sw.Elapsed.TotalSeconds);
            }

            rawLost += count - await sink.SettleAsync(before, count);
        }

        double engine = Median(engineRates);
        double rawRate = Median(rawRates);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"datagram-send: {rounds} rounds x {count} datagrams of {size} bytes to a loopback sink"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  engine (DatagramSender.SendAsync)  median {engine,12:N0} datagrams/s  rounds [{string.Join(", ", engineRates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}]  not received by the sink: {engineLost}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  raw UdpClient.Send loop            median {rawRate,12:N0} datagrams/s  rounds [{string.Join(", ", rawRates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}]  not received by the sink: {rawLost}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio engine/raw = {engine / rawRate:F2}"));
        return 0;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A loopback UDP socket on its own thread that counts every datagram it gets.</summary>
    private sealed class Sink : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Thread _thread;
        private long _received;

        public Sink()
        {
            _socket.ReceiveBufferSize = 8 << 20;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
            _thread = new Thread(Run) { IsBackground = true, Name = "datagram sink" };
            _thread.Start();
        }

        public int Port { get; }

        public long Received => Interlocked.Read(ref _received);

        /// <summary>Waits until <paramref name="expected"/> more arrived, or nothing more came for 200 ms; returns how many arrived.</summary>
        public async Task<long> SettleAsync(long before, long expected)
        {
            long last = -1;
            while (true)
            {
                long now = Received - before;
                if (now >= expected || now == last)
                {
                    return now;
                }

                last = now;
                await Task.Delay(200);
            }
        }

        public void Dispose() => _socket.Dispose();

        private void Run()
        {
            byte[] buffer = new byte[65_536];
            try
            {
                while (true)
                {
                    _socket.Receive(buffer);
                    Interlocked.Increment(ref _received);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposed: the run is over.
            }
        }
    }
}
