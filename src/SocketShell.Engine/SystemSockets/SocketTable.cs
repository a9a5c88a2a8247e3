namespace SocketShell.SystemSockets;

/// <summary>
/// One read of a socket table (the TCP/UDP table of <see cref="SystemSocket"/>, or the Unix table of
/// <see cref="UnixSystemSocket"/>): a snapshot, not a live view.
/// </summary>
/// <typeparam name="TSocket">The kind of socket the table lists.</typeparam>
public sealed class SocketTable<TSocket>
{
    /// <summary>Creates a table read from <paramref name="source"/>.</summary>
    public SocketTable(string source, List<TSocket> sockets, int skippedEntries, IReadOnlyList<string> notes)
    {
        Source = source;
        Sockets = sockets;
        SkippedEntries = skippedEntries;
        Notes = notes;
    }

    /// <summary>How the table was read, e.g. "netlink sock_diag", "/proc/net" or "/proc/net/unix".</summary>
    public string Source { get; }

    /// <summary>The sockets, each once.</summary>
    public List<TSocket> Sockets { get; }

    /// <summary>Entries that could not be read (malformed, or changed while being read) and were skipped.</summary>
    public int SkippedEntries { get; }

    /// <summary>Things worth telling the user (e.g. a fallback that was taken and why).</summary>
    public IReadOnlyList<string> Notes { get; }
}
