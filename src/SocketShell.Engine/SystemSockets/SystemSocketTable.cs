namespace SocketShell.SystemSockets;

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
