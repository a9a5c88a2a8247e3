namespace SocketShell.SystemSockets;

/// <summary>Takes one snapshot of the socket table and keeps the sockets any of several filters match.</summary>
public static class SystemSocketQuery
{
    /// <summary>
    /// Reads the table once (only the protocols and families the filters can match), keeps the sockets
    /// that match any filter, and resolves owning processes for those (or for all, when a process
    /// filter needs them) only when <paramref name="resolveProcesses"/> is true.
    /// </summary>
    /// <exception cref="SocketShellException">Kind <see cref="SocketErrorKind.SocketTableUnavailable"/> when the table cannot be read.</exception>
    public static SystemSocketResult Run(ISystemSocketSource source, IReadOnlyList<SystemSocketFilter> filters, bool resolveProcesses, CancellationToken cancellationToken)
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

    private static SystemSocketResult RunCore(ISystemSocketSource source, IReadOnlyList<SystemSocketFilter> filters, bool resolveProcesses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            filters = [new SystemSocketFilter()];
        }

        SystemSocketScope scope = filters.Select(f => f.Scope).Aggregate((a, b) =>
            new SystemSocketScope(a.Tcp || b.Tcp, a.Udp || b.Udp, a.IPv4 || b.IPv4, a.IPv6 || b.IPv6));
        SocketTable<SystemSocket> table = source.ReadTable(scope, cancellationToken);

        // First the cheap socket-level match, so processes are looked up only for candidates.
        var candidates = new List<SystemSocket>();
        foreach (SystemSocket s in table.Sockets)
        {
            foreach (SystemSocketFilter f in filters)
            {
                if (f.MatchesSocket(s))
                {
                    candidates.Add(s);
                    break;
                }
            }
        }

        bool needProcesses = filters.Any(f => f.NeedsProcesses);
        if (candidates.Count > 0 && (resolveProcesses || needProcesses))
        {
            source.ResolveProcesses(candidates, cancellationToken);
        }

        if (!needProcesses)
        {
            return new SystemSocketResult(candidates, table);
        }

        var kept = candidates.Where(s => filters.Any(f => f.MatchesSocket(s) && f.MatchesProcess(s))).ToList();
        return new SystemSocketResult(kept, table);
    }
}
