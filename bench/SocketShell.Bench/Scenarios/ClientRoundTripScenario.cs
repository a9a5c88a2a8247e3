using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Client;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Request/response round trips on one client connection, as Send-SocketData + Receive-SocketData -Line do
/// them from the pipeline thread: a 64-byte line out, its echo back, in a loop on one dedicated thread that
/// blocks on each engine task (as the cmdlets' WaitFor does), against a plain blocking Socket client doing
/// the same on the same echo server (a blocking echo on its own thread in this process). Loopback only.
/// </summary>
public sealed class ClientRoundTripScenario : IBenchScenario
{
    public string Name => "client-roundtrip";

    public string Description => "SocketConnection SendAsync + ReceiveLineAsync round trips/s from a blocking caller vs a blocking Socket loop (--count 20000 --runs 5)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 20_000);
        int runs = args.GetInt("runs", 5);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var echo = new Thread(() => Echo(listener)) { IsBackground = true, Name = "echo" };
        echo.Start();

        byte[] line = Encoding.ASCII.GetBytes(new string('x', 63) + "\n");
        var engine = new List<double>();
        var plain = new List<double>();
        Run(() => Engine(port, line, 500, cancellationToken));
        Run(() => Plain(port, line, 500));
        for (int r = 0; r < runs; r++)
        {
            engine.Add(Run(() => Engine(port, line, count, cancellationToken)));
            plain.Add(Run(() => Plain(port, line, count)));
        }

        engine.Sort();
        plain.Sort();
        double e = engine[engine.Count / 2], p = plain[plain.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client-roundtrip: engine runs {string.Join(", ", engine.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}/s; blocking Socket runs {string.Join(", ", plain.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))}/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine_roundtrips_per_s {e:F0} socket_roundtrips_per_s {p:F0} ratio {e / p:F2} us_per_roundtrip_engine {1e6 / e:F1} us_per_roundtrip_socket {1e6 / p:F1}"));
        await Task.CompletedTask;
        return 0;
    }

    // Each figure from its own dedicated thread, as a PowerShell pipeline thread would be.
    private static double Run(Func<double> body)
    {
        double result = 0;
        var t = new Thread(() => result = body()) { Name = "caller" };
        t.Start();
        t.Join();
        return result;
    }

    private static double Engine(int port, byte[] line, int count, CancellationToken cancellationToken)
    {
        var sessions = new SocketSessions();
        using SocketConnection c = SocketClient.ConnectAsync(
            new SocketConnectOptions { ComputerName = "127.0.0.1", Port = port, NoDelay = true }, sessions, cancellationToken).GetAwaiter().GetResult();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            Wait(c.SendAsync(line, cancellationToken), cancellationToken);
            SocketMessage? received = c.ReceiveLine(TimeSpan.FromSeconds(5), null, cancellationToken);
            if (received is not { } m || m.Data.Length != line.Length - 1)
            {
                throw new InvalidOperationException($"round trip {i} came back cut");
            }
        }

        return count / sw.Elapsed.TotalSeconds;
    }

    // What SocketCmdletBase.WaitFor does.
    private static void Wait(Task task, CancellationToken cancellationToken)
    {
        while (!task.Wait(TimeSpan.FromMilliseconds(100), cancellationToken))
        {
        }
    }

    private static double Plain(int port, byte[] line, int count)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.Connect(IPAddress.Loopback, port);
        byte[] buffer = new byte[line.Length];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            s.Send(line);
            int got = 0;
            while (got < line.Length)
            {
                int n = s.Receive(buffer, got, line.Length - got, SocketFlags.None);
                if (n == 0)
                {
                    throw new InvalidOperationException("The echo closed.");
                }

                got += n;
            }
        }

        return count / sw.Elapsed.TotalSeconds;
    }

    private static void Echo(Socket listener)
    {
        while (true)
        {
            Socket peer;
            try
            {
                peer = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var t = new Thread(() =>
            {
                using (peer)
                {
                    peer.NoDelay = true;
                    byte[] buffer = new byte[64 * 1024];
                    try
                    {
                        int n;
                        while ((n = peer.Receive(buffer)) > 0)
                        {
                            peer.Send(buffer.AsSpan(0, n));
                        }
                    }
                    catch (SocketException)
                    {
                    }
                }
            }) { IsBackground = true };
            t.Start();
        }
    }
}
