namespace SocketShell.SystemSockets;

/// <summary>Which part of the socket table to read (a source may skip what is not asked for).</summary>
public sealed record SystemSocketScope(bool Tcp, bool Udp, bool IPv4, bool IPv6)
{
    /// <summary>TCP and UDP, IPv4 and IPv6.</summary>
    public static SystemSocketScope All { get; } = new(true, true, true, true);

    /// <summary>True when sockets of this protocol and family are asked for.</summary>
    public bool Includes(TransportProtocol protocol, IPFamily family) =>
        (protocol == TransportProtocol.Tcp ? Tcp : Udp) && (family == IPFamily.IPv6 ? IPv6 : IPv4);
}

/// <summary>One read of the operating system's socket table: a snapshot, not a live view.</summary>
public sealed class SystemSocketTable
{
    /// <summary>Creates a table read from <paramref name="source"/>.</summary>
    public SystemSocketTable(string source, List<SystemSocket> sockets, int skippedEntries, IReadOnlyList<string> notes)
    {
        Source = source;
        Sockets = sockets;
        SkippedEntries = skippedEntries;
        Notes = notes;
    }

    /// <summary>How the table was read, e.g. "netlink sock_diag" or "/proc/net".</summary>
    public string Source { get; }

    /// <summary>The sockets, each once.</summary>
    public List<SystemSocket> Sockets { get; }

    /// <summary>Entries that could not be read (malformed, or changed while being read) and were skipped.</summary>
    public int SkippedEntries { get; }

    /// <summary>Things worth telling the user (e.g. a fallback that was taken and why).</summary>
    public IReadOnlyList<string> Notes { get; }
}

/// <summary>
/// Where the operating system's socket table comes from. One implementation per OS: Linux (netlink
/// sock_diag, /proc/net as fallback), Windows (GetExtendedTcpTable/GetExtendedUdpTable), macOS (libproc).
/// </summary>
public interface ISystemSocketSource
{
    /// <summary>A short name of the source, e.g. "linux".</summary>
    string Name { get; }

    /// <summary>Reads the sockets in <paramref name="scope"/>. Owning processes may be left unresolved.</summary>
    SystemSocketTable ReadTable(SystemSocketScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Fills ProcessId, ProcessIds and ProcessName of <paramref name="sockets"/> where the operating
    /// system says who holds them (a no-op for sources that read owners with the table). Processes that
    /// exit or refuse access during the scan are skipped, never guessed.
    /// </summary>
    void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken);
}

/// <summary>Picks the source for the running OS.</summary>
public static class SystemSocketSource
{
    /// <summary>The source of the running operating system.</summary>
    public static ISystemSocketSource ForCurrentOS()
    {
        if (OperatingSystem.IsLinux())
        {
            return new LinuxSystemSocketSource();
        }

        if (OperatingSystem.IsWindows())
        {
            return new WindowsSystemSocketSource();
        }

        if (OperatingSystem.IsMacOS())
        {
            return new MacSystemSocketSource();
        }

        throw new PlatformNotSupportedException("SocketShell cannot read the socket table of this operating system (Linux, Windows and macOS are supported).");
    }
}
