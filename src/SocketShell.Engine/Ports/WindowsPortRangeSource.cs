using System.Diagnostics;

namespace SocketShell.Ports;

/// <summary>
/// Windows: the TCP and UDP dynamic port ranges and excluded port ranges, as netsh reports them
/// (the documented way to read them; Windows has no public API for either).
/// </summary>
public sealed class WindowsPortRangeSource : IPortRangeSource
{
    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetEphemeralRanges()
    {
        var perProtocol = new List<PortRange>();
        foreach (string proto in new[] { "tcp", "udp" })
        {
            string source = $"netsh interface ipv4 show dynamicport {proto}";
            (int start, int end) = PortRangeParser.ParseNetshDynamicPort(RunNetsh(source), source);
            perProtocol.Add(new PortRange("Ephemeral", start, end, proto == "tcp" ? PortProtocol.Tcp : PortProtocol.Udp, source));
        }

        return Combine(perProtocol[0], perProtocol[1]);
    }

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetReservedRanges()
    {
        var ranges = new List<PortRange>();
        foreach (string proto in new[] { "tcp", "udp" })
        {
            string source = $"netsh interface ipv4 show excludedportrange protocol={proto}";
            PortProtocol protocol = proto == "tcp" ? PortProtocol.Tcp : PortProtocol.Udp;
            ranges.AddRange(PortRangeParser.ParseNetshExcludedPortRanges(RunNetsh(source), source)
                .Select(r => new PortRange("Excluded", r.Start, r.End, protocol, source)));
        }

        return ranges;
    }

    /// <summary>One Ephemeral range with Protocol Any when TCP's and UDP's are equal, otherwise both.</summary>
    public static IReadOnlyList<PortRange> Combine(PortRange tcp, PortRange udp)
    {
        ArgumentNullException.ThrowIfNull(tcp);
        ArgumentNullException.ThrowIfNull(udp);
        return tcp.Start == udp.Start && tcp.End == udp.End
            ? [new PortRange(tcp.Name, tcp.Start, tcp.End, PortProtocol.Any, "netsh interface ipv4 show dynamicport tcp|udp")]
            : [tcp, udp];
    }

    private static string RunNetsh(string commandLine)
    {
        var psi = new ProcessStartInfo("netsh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string arg in commandLine.Split(' ').Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi) ?? throw new FormatException($"{commandLine}: could not start netsh.");
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(10_000) || process.ExitCode != 0)
        {
            throw new FormatException($"{commandLine}: netsh failed: {output.Trim()}");
        }

        return output;
    }
}
