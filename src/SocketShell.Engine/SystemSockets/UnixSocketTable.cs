namespace SocketShell.SystemSockets;

/// <summary>One read of the Unix socket table: a snapshot, not a live view.</summary>
public sealed class UnixSocketTable
{
    /// <summary>Creates a table read from <paramref name="source"/>.</summary>
    public UnixSocketTable(string source, List<UnixSystemSocket> sockets, int skippedEntries, IReadOnlyList<string> notes)
    {
        Source = source;
        Sockets = sockets;
        SkippedEntries = skippedEntries;
        Notes = notes;
    }

    /// <summary>How the table was read: "netlink sock_diag" or "/proc/net/unix".</summary>
    public string Source { get; }

    /// <summary>The sockets, each once.</summary>
    public List<UnixSystemSocket> Sockets { get; }

    /// <summary>Entries that could not be read and were skipped.</summary>
    public int SkippedEntries { get; }

    /// <summary>Things worth telling the user (e.g. the fallback that was taken and why).</summary>
    public IReadOnlyList<string> Notes { get; }
}
