using System.Diagnostics;
using System.Net;
using SocketShell.Ports;

namespace SocketShell.Bench.Scenarios;

/// <summary>How fast free ports are found by binding (the engine behind Get-AvailablePort).</summary>
public sealed class AvailablePortScenario : IBenchScenario
{
    public string Name => "available-port";

    public string Description => "ports checked by binding per second (--count 1000 --iterations 20)";

    public Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        int count = args.GetInt("count", 1000);
        int iterations = args.GetInt("iterations", 20);
        PortCatalog catalog = PortCatalog.Read();
        PortRange eph = catalog.Ephemeral[0];
        var sw = Stopwatch.StartNew();
        long found = 0;
        for (int i = 0; i < iterations; i++)
        {
            found += PortAvailability.FindFree(IPAddress.Loopback, AvailabilityProtocol.Tcp, eph.Start, eph.End, count, p => catalog.IsReserved(p, PortProtocol.Tcp), cancellationToken).Count;
        }

        sw.Stop();
        Console.WriteLine($"available-port: {found} free ports found in {sw.Elapsed.TotalMilliseconds:F1} ms = {found / sw.Elapsed.TotalSeconds:F0} ports/s");
        return Task.FromResult(0);
    }
}
