namespace SocketShell.SystemSockets;

/// <summary>
/// Linux: the table from netlink sock_diag (or /proc/net), owners by matching socket inodes with the
/// "socket:[inode]" links in /proc/&lt;pid&gt;/fd, names from /proc/&lt;pid&gt;/comm.
/// </summary>
public sealed partial class LinuxSystemSocketSource : ISystemSocketSource
{
    private static readonly (TransportProtocol Protocol, IPFamily Family, string File)[] s_tables =
    [
        (TransportProtocol.Tcp, IPFamily.IPv4, "tcp"),
        (TransportProtocol.Tcp, IPFamily.IPv6, "tcp6"),
        (TransportProtocol.Udp, IPFamily.IPv4, "udp"),
        (TransportProtocol.Udp, IPFamily.IPv6, "udp6"),
    ];

    private readonly string _procRoot;
    private readonly LinuxTableReader _reader;

    /// <summary>Reads from <paramref name="procRoot"/> (the real /proc unless a test gives another root).</summary>
    public LinuxSystemSocketSource(string procRoot = "/proc", LinuxTableReader reader = LinuxTableReader.Auto)
    {
        _procRoot = procRoot.TrimEnd('/');
        _reader = reader;
    }

    /// <inheritdoc/>
    public string Name => "linux";

    /// <inheritdoc/>
    public SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var sockets = new List<SystemSocket>();
        var notes = new List<string>();
        var sources = new SortedSet<string>(StringComparer.Ordinal);
        int skipped = 0;
        NetlinkSocket? netlink = null;
        try
        {
            if (_reader != LinuxTableReader.ProcNet)
            {
                try
                {
                    netlink = NetlinkSocket.Open();
                }
                catch (IOException e) when (_reader == LinuxTableReader.Auto)
                {
                    notes.Add($"netlink sock_diag is not available ({e.Message}); read /proc/net instead.");
                }
            }

            foreach ((TransportProtocol protocol, IPFamily family, string file) in s_tables)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!scope.Includes(protocol, family))
                {
                    continue;
                }

                if (netlink is not null)
                {
                    int before = sockets.Count;
                    try
                    {
                        netlink.Dump(family, protocol, sockets, ref skipped, cancellationToken);
                        sources.Add("netlink sock_diag");
                        continue;
                    }
                    catch (IOException e) when (_reader == LinuxTableReader.Auto)
                    {
                        sockets.RemoveRange(before, sockets.Count - before);
                        notes.Add($"netlink sock_diag could not list {protocol}/{family} ({e.Message}); read /proc/net/{file} instead.");
                    }
                }

                if (ReadProcNet(file, protocol, family, sockets, ref skipped, notes))
                {
                    sources.Add("/proc/net");
                }
            }
        }
        finally
        {
            netlink?.Dispose();
        }

        if (sources.Count == 0 && notes.Count > 0)
        {
            // Nothing at all could be read: that is a failure, not an empty table.
            throw new IOException(string.Join(" ", notes));
        }

        List<SystemSocket> unique = Deduplicate(sockets);
        return new SocketTable<SystemSocket>(sources.Count == 0 ? "none" : string.Join(" + ", sources), unique, skipped, notes);
    }

    private bool ReadProcNet(string file, TransportProtocol protocol, IPFamily family, List<SystemSocket> sockets, ref int skipped, List<string> notes)
    {
        // No IPv6 in this kernel, or no procfs: say so, list what can be listed.
        if (!ProcNetFile.TryRead($"{_procRoot}/net/{file}", notes, out string text, out _))
        {
            return false;
        }

        ProcNetParser.Parse(text, protocol, family, sockets, ref skipped, BitConverter.IsLittleEndian);
        return true;
    }

    /// <summary>
    /// A table read in several pieces may list a socket twice when it changed in between; keep the
    /// first of each (protocol, local end, remote end, inode).
    /// </summary>
    internal static List<SystemSocket> Deduplicate(List<SystemSocket> sockets)
    {
        var seen = new HashSet<(TransportProtocol, System.Net.IPAddress, int, System.Net.IPAddress, int, long?)>();
        var unique = new List<SystemSocket>(sockets.Count);
        foreach (SystemSocket s in sockets)
        {
            if (seen.Add((s.Protocol, s.LocalIP, s.LocalPort, s.RemoteIP, s.RemotePort, s.Inode)))
            {
                unique.Add(s);
            }
        }

        return unique;
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        LinuxProcessScanner.AssignOwners(
            _procRoot,
            sockets,
            static s => s.Inode,
            static (s, pids, first, name) =>
            {
                s.ProcessIds = pids;
                s.ProcessId = first;
                s.ProcessName = name;
            },
            cancellationToken);
    }
}
