namespace SocketShell.SystemSockets;

/// <summary>Takes one snapshot of the Unix socket table and keeps the sockets any of several filters match.</summary>
public static class UnixSocketQuery
{
    /// <summary>
    /// Reads the table once, keeps the sockets that match any filter, and resolves owning processes
    /// for those (or for all candidates, when a process filter needs them) when
    /// <paramref name="resolveProcesses"/> is true.
    /// </summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.SocketTableUnavailable"/> when the table cannot be read.</exception>
    public static (IReadOnlyList<UnixSystemSocket> Sockets, SocketTable<UnixSystemSocket> Table) Run(
        IUnixSocketSource source, IReadOnlyList<UnixSocketFilter> filters, bool resolveProcesses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            return RunCore(source, filters, resolveProcesses, cancellationToken);
        }
        catch (Exception e) when (SocketTableFailure.IsReadFailure(e))
        {
            throw SocketTableFailure.Unavailable(e, source.Name);
        }
    }

    private static (IReadOnlyList<UnixSystemSocket> Sockets, SocketTable<UnixSystemSocket> Table) RunCore(
        IUnixSocketSource source, IReadOnlyList<UnixSocketFilter> filters, bool resolveProcesses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            filters = [new UnixSocketFilter()];
        }

        foreach (UnixSocketFilter f in filters)
        {
            if (f.LiteralPaths is { Count: > 0 } paths)
            {
                f.Files = [];
                foreach (string path in paths)
                {
                    if (Unix.UnixSocketPath.Inspect(path, out ulong inode, out long device) == Unix.UnixPathKind.Socket && inode > 0)
                    {
                        f.Files.Add(((long)inode, device));
                    }
                }
            }
        }

        SocketTable<UnixSystemSocket> table = source.ReadTable(cancellationToken);
        var candidates = table.Sockets.Where(s => filters.Any(f => f.MatchesSocket(s))).ToList();
        bool needProcesses = filters.Any(f => f.NeedsProcesses);
        if (candidates.Count > 0 && (resolveProcesses || needProcesses))
        {
            source.ResolveProcesses(candidates, cancellationToken);
        }

        if (!needProcesses)
        {
            return (candidates, table);
        }

        return (candidates.Where(s => filters.Any(f => f.MatchesSocket(s) && f.MatchesProcess(s))).ToList(), table);
    }
}
