using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SocketShell.Client;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Receive side of Connect-Socket through <see cref="SocketConnection"/> (its background reader and framing):
/// a plain loopback sender writes as fast as it can; the connection takes it with -Available reads (bulk
/// throughput) and with -Line reads (small-message rate).
/// </summary>
public sealed class ClientReceiveScenario : IBenchScenario
{
    public string Name => "client-receive";

    public string Description => "SocketConnection receive: bulk MB/s (ReceiveAvailable) and lines/s (ReceiveLine) (--mb 512 --lines 500000 --runs 5)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int mb = args.GetInt("mb", 512);
        int lines = args.GetInt("lines", 500_000);
        int runs = args.GetInt("runs", 5);
        var bulk = new List<double>();
        var small = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            bulk.Add(await BulkAsync((long)mb * 1024 * 1024, cancellationToken));
            small.Add(await LinesAsync(lines, cancellationToken));
        }

        bulk.Sort();
        small.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client-receive bulk: {mb} MiB per run, runs {string.Join(", ", bulk.Select(b => b.ToString("F0", CultureInfo.InvariantCulture)))} MiB/s; median {bulk[bulk.Count / 2]:F0} MiB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"client-receive lines: {lines} lines of 32 bytes per run, runs {string.Join(", ", small.Select(b => b.ToString("F0", CultureInfo.InvariantCulture)))} lines/s; median {small[small.Count / 2]:F0} lines/s"));
        return 0;
    }

    /// <summary>MiB/s taken through ReceiveAvailableAsync while the peer sends <paramref name="total"/> bytes.</summary>
    private static async Task<double> BulkAsync(long total, CancellationToken cancellationToken)
    {
        byte[] block = new byte[64 * 1024];
        Random.Shared.NextBytes(block);
        return await WithSenderAsync(
            async peer =>
            {
                for (long sent = 0; sent < total; sent += block.Length)
                {
                    await peer.SendAsync(block.AsMemory(0, (int)Math.Min(block.Length, total - sent)), SocketFlags.None, cancellationToken);
                }
            },
            async connection =>
            {
                long got = 0;
                var sw = Stopwatch.StartNew();
                while (got < total)
                {
                    SocketMessage? m = await connection.ReceiveAvailableAsync(TimeSpan.FromSeconds(10), null, cancellationToken)
                        ?? throw new InvalidOperationException("The stream ended early.");
                    got += m.Data.Length;
                }

                return total / 1048576.0 / sw.Elapsed.TotalSeconds;
            },
            cancellationToken);
    }

    /// <summary>Lines/s taken through ReceiveLineAsync while the peer sends <paramref name="count"/> 32-byte lines.</summary>
    private static async Task<double> LinesAsync(int count, CancellationToken cancellationToken)
    {
        byte[] line = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcd\r\n");
        const int perWrite = 2048;
        byte[] batch = new byte[line.Length * perWrite];
        for (int i = 0; i < perWrite; i++)
        {
            line.CopyTo(batch, i * line.Length);
        }

        return await WithSenderAsync(
            async peer =>
            {
                for (int sent = 0; sent < count; sent += perWrite)
                {
                    int n = Math.Min(perWrite, count - sent);
                    await peer.SendAsync(batch.AsMemory(0, n * line.Length), SocketFlags.None, cancellationToken);
                }
            },
            async connection =>
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < count; i++)
                {
                    SocketMessage m = await connection.ReceiveLineAsync(TimeSpan.FromSeconds(10), null, cancellationToken)
                        ?? throw new InvalidOperationException("The stream ended early.");
                    if (m.Data.Length != line.Length - 2)
                    {
                        throw new InvalidOperationException("A line came back cut.");
                    }
                }

                return count / sw.Elapsed.TotalSeconds;
            },
            cancellationToken);
    }

    private static async Task<double> WithSenderAsync(Func<Socket, Task> send, Func<SocketConnection, Task<double>> receive, CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Task<Socket> accepted = listener.AcceptAsync(cancellationToken).AsTask();
        var sessions = new SocketSessions();
        using SocketConnection connection = await SocketClient.ConnectAsync(
            new SocketConnectOptions { ComputerName = "127.0.0.1", Port = port }, sessions, cancellationToken);
        using Socket peer = await accepted;
        Task sending = Task.Run(() => send(peer), cancellationToken);
        double figure = await receive(connection);
        await sending;
        return figure;
    }
}
