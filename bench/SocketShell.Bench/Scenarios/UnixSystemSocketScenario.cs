using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using SocketShell.SystemSockets;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Get-SystemSocket -Protocol Unix's engine against `ss -xap` (every Unix socket with its processes) on
/// the machine's own table; with --extra N, N more connected pairs (a listener's accepted end and a
/// client end each, in this process, under a temp directory) make the table larger.
/// </summary>
public sealed class UnixSystemSocketScenario : IBenchScenario
{
    public string Name => "unix-system-socket";

    public string Description => "Unix socket table with owners vs ss -xap (--iterations 50 --extra 0)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int iterations = args.GetInt("iterations", 50);
        int extra = args.GetInt("extra", 0);
        string dir = Path.Combine(Path.GetTempPath(), "ssb-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var held = new List<Socket>();
        try
        {
            if (extra > 0)
            {
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                held.Add(listener);
                var endPoint = new UnixDomainSocketEndPoint(Path.Combine(dir, "bench.sock"));
                listener.Bind(endPoint);
                listener.Listen(4096);
                for (int i = 0; i < extra; i++)
                {
                    var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    held.Add(client);
                    Task<Socket> accept = listener.AcceptAsync(cancellationToken).AsTask();
                    await client.ConnectAsync(endPoint, cancellationToken);
                    held.Add(await accept);
                }
            }

            var netlink = new LinuxUnixSocketSource(reader: LinuxTableReader.Netlink);
            var procNet = new LinuxUnixSocketSource(reader: LinuxTableReader.ProcNet);
            var all = new UnixSocketFilter();
            int count = 0, withNames = 0;
            double engine = Measure(iterations, () =>
            {
                var r = UnixSocketQuery.Run(netlink, [all], true, cancellationToken).Sockets;
                count = r.Count;
                withNames = r.Count(s => s.ProcessName is not null);
            });
            double tableOnly = Measure(iterations, () => UnixSocketQuery.Run(netlink, [all], false, cancellationToken));
            double proc = Measure(iterations, () => UnixSocketQuery.Run(procNet, [all], true, cancellationToken));
            int ssAllLines = 0, ssLines = 0;
            double ssAll = Measure(iterations, () => ssAllLines = RunSs("-xap"));

            // The machine is shared and its load moves: also time the two in alternation, one of each per
            // round, and compare the medians of those rounds.
            var pairEngine = new List<double>(iterations);
            var pairSs = new List<double>(iterations);
            for (int i = 0; i < iterations; i++)
            {
                var sw = Stopwatch.StartNew();
                UnixSocketQuery.Run(netlink, [all], true, cancellationToken);
                pairEngine.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                RunSs("-xap");
                pairSs.Add(sw.Elapsed.TotalMilliseconds);
            }

            pairEngine.Sort();
            pairSs.Sort();
            double alternatingEngine = pairEngine[iterations / 2];
            double alternatingSs = pairSs[iterations / 2];
            double ssConnected = Measure(iterations, () => ssLines = RunSs("-xp"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unix-system-socket: {iterations} iterations, medians; {extra} extra connected pairs in pid {Environment.ProcessId}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  engine Unix + owners (netlink):    {engine,8:F2} ms  ({count} sockets, {withNames} with a process name)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  engine Unix table only (netlink):  {tableOnly,8:F2} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  engine Unix + owners (/proc/net):  {proc,8:F2} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ss -xap (process, output read):    {ssAll,8:F2} ms  ({ssAllLines - 1} sockets)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ss -xp  (non-listening only):      {ssConnected,8:F2} ms  ({ssLines - 1} sockets)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio ss -xap / engine:            {ssAll / engine,8:F2}x (>= 1.0 means the engine is at least as fast)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  alternating rounds: engine {alternatingEngine:F2} ms, ss -xap {alternatingSs:F2} ms, ratio {alternatingSs / alternatingEngine:F2}x"));
            return 0;
        }
        finally
        {
            foreach (Socket s in held)
            {
                s.Dispose();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Measure(int iterations, Action action)
    {
        action();
        var times = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static int RunSs(string options)
    {
        var psi = new ProcessStartInfo("ss", options) { RedirectStandardOutput = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        int lines = 0;
        while (p.StandardOutput.ReadLine() is not null)
        {
            lines++;
        }

        p.WaitForExit();
        return lines;
    }
}
