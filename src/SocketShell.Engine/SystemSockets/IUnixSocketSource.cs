namespace SocketShell.SystemSockets;

/// <summary>Where the table of Unix domain sockets comes from (Linux: netlink UNIX_DIAG, /proc/net/unix as fallback).</summary>
public interface IUnixSocketSource
{
    /// <summary>A short name of the source, e.g. "linux".</summary>
    string Name { get; }

    /// <summary>Reads every Unix socket. Owning processes are left unresolved.</summary>
    SocketTable<UnixSystemSocket> ReadTable(CancellationToken cancellationToken);

    /// <summary>Fills ProcessId, ProcessIds and ProcessName of <paramref name="sockets"/> where the operating system says who holds them.</summary>
    void ResolveProcesses(IReadOnlyList<UnixSystemSocket> sockets, CancellationToken cancellationToken);
}
