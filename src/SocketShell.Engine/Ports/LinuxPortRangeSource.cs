namespace SocketShell.Ports;

/// <summary>Linux: procfs. Both files apply to TCP and UDP, IPv4 and IPv6.</summary>
public sealed class LinuxPortRangeSource : IPortRangeSource
{
    private readonly string _procRoot;

    /// <summary>Reads from <paramref name="procRoot"/> (the real /proc unless a test gives another root).</summary>
    public LinuxPortRangeSource(string procRoot = "/proc")
    {
        _procRoot = procRoot;
    }

    /// <summary>The path of ip_local_port_range.</summary>
    public string LocalPortRangePath => Path.Combine(_procRoot, "sys", "net", "ipv4", "ip_local_port_range");

    /// <summary>The path of ip_local_reserved_ports.</summary>
    public string ReservedPortsPath => Path.Combine(_procRoot, "sys", "net", "ipv4", "ip_local_reserved_ports");

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetEphemeralRanges()
    {
        string path = LocalPortRangePath;
        (int start, int end) = PortRangeParser.ParseLinuxLocalPortRange(File.ReadAllText(path), path);
        return [new PortRange("Ephemeral", start, end, PortProtocol.Any, path)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetReservedRanges()
    {
        string path = ReservedPortsPath;
        if (!File.Exists(path))
        {
            return []; // kernels before 2.6.35 have no reserved ports.
        }

        return PortRangeParser.ParseLinuxReservedPorts(File.ReadAllText(path), path)
            .Select(r => new PortRange("Reserved", r.Start, r.End, PortProtocol.Any, path))
            .ToList();
    }
}
