namespace SocketShell.SystemSockets;

/// <summary>The result of <see cref="SystemSocketQuery.Run"/>: the matching sockets and how the table was read.</summary>
public sealed class SystemSocketResult
{
    internal SystemSocketResult(IReadOnlyList<SystemSocket> sockets, SocketTable<SystemSocket> table)
    {
        Sockets = sockets;
        Table = table;
    }

    /// <summary>The matching sockets, each once, in the order the operating system listed them.</summary>
    public IReadOnlyList<SystemSocket> Sockets { get; }

    /// <summary>The table they came from (source, skipped entries, notes).</summary>
    public SocketTable<SystemSocket> Table { get; }
}
