namespace SocketShell.SystemSockets;

/// <summary>
/// Where the operating system's socket table comes from. One implementation per OS: Linux (netlink
/// sock_diag, /proc/net as fallback), Windows (GetExtendedTcpTable/GetExtendedUdpTable), macOS (libproc).
/// </summary>
public interface ISystemSocketSource
{
    /// <summary>A short name of the source, e.g. "linux".</summary>
    string Name { get; }

    /// <summary>Reads the sockets in <paramref name="scope"/>. Owning processes may be left unresolved.</summary>
    SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Fills ProcessId, ProcessIds and ProcessName of <paramref name="sockets"/> where the operating
    /// system says who holds them (a no-op for sources that read owners with the table). Processes that
    /// exit or refuse access during the scan are skipped, never guessed.
    /// </summary>
    void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken);
}
