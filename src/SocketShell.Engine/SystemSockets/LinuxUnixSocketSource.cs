namespace SocketShell.SystemSockets;

/// <summary>
/// Linux: the Unix socket table from netlink sock_diag (UNIX_DIAG, what ss -x uses) or, when netlink
/// is refused, /proc/net/unix; owners from the /proc/&lt;pid&gt;/fd "socket:[inode]" links.
/// </summary>
public sealed class LinuxUnixSocketSource : IUnixSocketSource
{
    private readonly string _procRoot;
    private readonly LinuxTableReader _reader;

    /// <summary>Reads from <paramref name="procRoot"/> (the real /proc unless a test gives another root).</summary>
    public LinuxUnixSocketSource(string procRoot = "/proc", LinuxTableReader reader = LinuxTableReader.Auto)
    {
        _procRoot = procRoot.TrimEnd('/');
        _reader = reader;
    }

    /// <inheritdoc/>
    public string Name => "linux";

    /// <inheritdoc/>
    public SocketTable<UnixSystemSocket> ReadTable(CancellationToken cancellationToken)
    {
        var sockets = new List<UnixSystemSocket>();
        var notes = new List<string>();
        int skipped = 0;
        if (_reader != LinuxTableReader.ProcNet)
        {
            try
            {
                using NetlinkSocket netlink = NetlinkSocket.Open();
                netlink.DumpUnix(sockets, ref skipped, cancellationToken);
                FillPeerPaths(sockets);
                return new SocketTable<UnixSystemSocket>("netlink sock_diag", sockets, skipped, notes);
            }
            catch (IOException e) when (_reader == LinuxTableReader.Auto)
            {
                sockets.Clear();
                skipped = 0;
                notes.Add($"netlink sock_diag could not list Unix sockets ({e.Message}); read {_procRoot}/net/unix instead (no peers, queues or owners' user ids).");
            }
        }

        if (!ProcNetFile.TryRead($"{_procRoot}/net/unix", notes, out string text, out Exception? failure))
        {
            throw new IOException(string.Join(" ", notes), failure);
        }

        ProcNetUnixParser.Parse(text, sockets, ref skipped);
        return new SocketTable<UnixSystemSocket>("/proc/net/unix", sockets, skipped, notes);
    }

    /// <summary>Names each socket's peer from the table itself (the peer's inode is in the same table).</summary>
    internal static void FillPeerPaths(List<UnixSystemSocket> sockets)
    {
        var byInode = new Dictionary<long, UnixSystemSocket>(sockets.Count);
        foreach (UnixSystemSocket s in sockets)
        {
            byInode.TryAdd(s.Inode, s);
        }

        foreach (UnixSystemSocket s in sockets)
        {
            if (s.PeerInode is long peer && byInode.TryGetValue(peer, out UnixSystemSocket? other))
            {
                s.PeerPath = other.Path;
            }
        }
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<UnixSystemSocket> sockets, CancellationToken cancellationToken)
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
