using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SocketShell.Ports;

/// <summary>Where the operating system keeps its ephemeral and reserved port ranges.</summary>
public interface IPortRangeSource
{
    /// <summary>The ranges the OS hands out for outgoing connections (one per protocol when they differ).</summary>
    IReadOnlyList<PortRange> GetEphemeralRanges();

    /// <summary>Ranges the OS reserves or excludes (may be empty).</summary>
    IReadOnlyList<PortRange> GetReservedRanges();
}

/// <summary>Picks the source for the running OS.</summary>
public static class PortRangeSource
{
    /// <summary>The source of the running operating system.</summary>
    public static IPortRangeSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxPortRangeSource();
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return new SysctlPortRangeSource();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsPortRangeSource();
        }

        throw new PlatformNotSupportedException("SocketShell does not know where this operating system keeps its port ranges.");
    }
}

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

/// <summary>macOS and FreeBSD: sysctl net.inet.ip.portrange.first/last (no reserved ranges).</summary>
public sealed partial class SysctlPortRangeSource : IPortRangeSource
{
    private const string First = "net.inet.ip.portrange.first";
    private const string Last = "net.inet.ip.portrange.last";

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetEphemeralRanges()
    {
        string source = $"sysctl {First}/{Last}";
        (int start, int end) = PortRangeParser.CheckSysctlRange(ReadInt(First), ReadInt(Last), source);
        return [new PortRange("Ephemeral", start, end, PortProtocol.Any, source)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<PortRange> GetReservedRanges() => [];

    private static unsafe int ReadInt(string name)
    {
        int value = 0;
        nint size = sizeof(int);
        if (SysctlByName(name, &value, &size, null, 0) != 0 || size != sizeof(int))
        {
            throw new FormatException($"sysctl {name}: could not be read (errno {Marshal.GetLastPInvokeError()}).");
        }

        return value;
    }

    [LibraryImport("libc", EntryPoint = "sysctlbyname", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int SysctlByName(string name, void* oldp, nint* oldlenp, void* newp, nint newlen);
}

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
