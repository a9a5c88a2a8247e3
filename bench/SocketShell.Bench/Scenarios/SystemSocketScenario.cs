using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SocketShell.SystemSockets;

namespace SocketShell.Bench.Scenarios;

/// <summary>
/// Get-SystemSocket's engine against `ss -tanp` with many open loopback connections held by this
/// process (both ends, so 2 sockets per connection), process names included on both sides.
/// </summary>
public sealed class SystemSocketScenario : IBenchScenario
{
    public string Name => "system-socket";

    public string Description => "socket table with owners vs ss -tanp (--connections 10000 --iterations 10 [--pwsh out/SocketShell/SocketShell.psd1])";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int connections = args.GetInt("connections", 10_000);
        int iterations = args.GetInt("iterations", 10);
        string? pwshModule = args.Has("pwsh") ? args.Get("pwsh", "out/SocketShell/SocketShell.psd1") : null;

        // The open-file limit may be too low for 2 x connections in one process (and only root can
        // raise the hard limit): a peer process (this program, scenario system-socket-peer) holds the
        // accepted ends, this process the client ends.
        using Process peer = StartPeer(connections);
        var held = new List<Socket>(connections);
        try
        {
            int port = int.Parse(peer.StandardOutput.ReadLine() ?? throw new InvalidOperationException("peer did not start"), CultureInfo.InvariantCulture);
            var endPoint = new IPEndPoint(IPAddress.Loopback, port);
            var open = Stopwatch.StartNew();
            for (int i = 0; i < connections; i += 256)
            {
                var batch = new List<Task>();
                for (int j = i; j < Math.Min(connections, i + 256); j++)
                {
                    var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    held.Add(c);
                    batch.Add(c.ConnectAsync(endPoint, cancellationToken).AsTask());
                }

                await Task.WhenAll(batch);
            }

            string? ready = await peer.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
            Console.WriteLine($"system-socket: {connections} loopback connections open in {open.Elapsed.TotalMilliseconds:F0} ms: client ends in pid {Environment.ProcessId}, accepted ends in pid {peer.Id} ({ready})");

            var tcpOnly = new SystemSocketFilter { Protocol = [TransportProtocol.Tcp] };
            var source = new LinuxSystemSocketSource();
            int count = 0;
            double engineTcp = Measure(iterations, () => count = SystemSocketQuery.Run(source, [tcpOnly], true, cancellationToken).Sockets.Count);
            int withNames = SystemSocketQuery.Run(source, [tcpOnly], true, cancellationToken).Sockets.Count(s => s.ProcessName is not null);
            double engineAll = Measure(iterations, () => SystemSocketQuery.Run(source, [new SystemSocketFilter()], true, cancellationToken));
            double tableOnly = Measure(iterations, () => SystemSocketQuery.Run(source, [tcpOnly], false, cancellationToken));
            var procNet = new LinuxSystemSocketSource(reader: LinuxTableReader.ProcNet);
            double procNetTcp = Measure(iterations, () => SystemSocketQuery.Run(procNet, [tcpOnly], true, cancellationToken));

            int ssLines = 0;
            double ss = Measure(iterations, () => ssLines = RunSs());
            Console.WriteLine($"  engine TCP + owners (netlink):     {engineTcp,8:F1} ms  ({count} sockets, {withNames} with a process name)");
            Console.WriteLine($"  engine TCP+UDP + owners (netlink): {engineAll,8:F1} ms");
            Console.WriteLine($"  engine TCP table only (netlink):   {tableOnly,8:F1} ms");
            Console.WriteLine($"  engine TCP + owners (/proc/net):   {procNetTcp,8:F1} ms");
            Console.WriteLine($"  ss -tanp (process, output read):   {ss,8:F1} ms  ({ssLines - 1} sockets)");
            Console.WriteLine($"  ratio ss / engine (TCP + owners):  {ss / engineTcp,8:F2}x (>= 1.0 means the engine is at least as fast)");

            if (pwshModule is not null)
            {
                (double cmdlet, string text) = RunPwsh(pwshModule, iterations);
                Console.WriteLine($"  Get-SystemSocket -Protocol Tcp in pwsh (median, in-process, objects counted): {cmdlet,8:F1} ms  ({text})");
                Console.WriteLine($"  ratio ss / cmdlet:                 {ss / cmdlet,8:F2}x");
            }

            return 0;
        }
        finally
        {
            foreach (Socket s in held)
            {
                s.Dispose();
            }

            peer.StandardInput.Close();
            if (!peer.WaitForExit(30_000))
            {
                peer.Kill();
            }
        }
    }

    private static Process StartPeer(int connections)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("SocketShell.Bench", StringComparison.Ordinal))
        {
            psi.ArgumentList.Add(typeof(SystemSocketScenario).Assembly.Location); // running under the dotnet host
        }

        psi.ArgumentList.Add("system-socket-peer");
        psi.ArgumentList.Add("--connections");
        psi.ArgumentList.Add(connections.ToString(CultureInfo.InvariantCulture));
        return Process.Start(psi)!;
    }

    /// <summary>Median of <paramref name="iterations"/> timed runs after one warm-up run.</summary>
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

    private static int RunSs()
    {
        var psi = new ProcessStartInfo("ss", "-tanp") { RedirectStandardOutput = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        int lines = 0;
        while (p.StandardOutput.ReadLine() is not null)
        {
            lines++;
        }

        p.WaitForExit();
        return lines;
    }

    private static (double Median, string Text) RunPwsh(string module, int iterations)
    {
        string script =
            $"Import-Module '{module}'; $null = Get-SystemSocket -Protocol Tcp; " +
            $"$t = foreach ($i in 1..{iterations}) {{ $sw = [Diagnostics.Stopwatch]::StartNew(); $n = (Get-SystemSocket -Protocol Tcp | Measure-Object).Count; $sw.Elapsed.TotalMilliseconds }}; " +
            "$m = ($t | Sort-Object)[[int][math]::Floor($t.Count / 2)]; '{0:F1} {1}' -f $m, $n";
        var psi = new ProcessStartInfo("pwsh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-NoProfile");
        psi.ArgumentList.Add("-Command");
        psi.ArgumentList.Add(script);
        using Process p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        string[] parts = output.Split(' ', 2);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] + " sockets" : output);
    }
}

/// <summary>Helper of system-socket: listens on loopback, prints its port, accepts and holds connections until stdin closes.</summary>
public sealed class SystemSocketPeerScenario : IBenchScenario
{
    public string Name => "system-socket-peer";

    public string Description => "helper process of system-socket (holds the accepted ends)";

    public async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int connections = args.GetInt("connections", 10_000);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        Console.WriteLine(((IPEndPoint)listener.LocalEndPoint!).Port);
        var held = new List<Socket>(connections);
        try
        {
            while (held.Count < connections)
            {
                held.Add(await listener.AcceptAsync(cancellationToken));
            }

            Console.WriteLine($"{held.Count} accepted");
            await Console.In.ReadToEndAsync(cancellationToken);
            return 0;
        }
        finally
        {
            foreach (Socket s in held)
            {
                s.Dispose();
            }
        }
    }
}
