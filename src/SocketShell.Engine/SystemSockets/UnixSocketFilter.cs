namespace SocketShell.SystemSockets;

/// <summary>
/// Which Unix sockets to keep. Every property left null (or false) keeps everything; a list keeps
/// sockets matching any of its values; different properties must all match.
/// </summary>
public sealed class UnixSocketFilter
{
    /// <summary>Paths (or '@abstract' names) to keep; the module passes wildcard matching here. Unnamed sockets never match.</summary>
    public Func<string, bool>? Path { get; init; }

    /// <summary>
    /// Socket file paths (no wildcards) whose file identity also matches: a socket bound as
    /// /run/docker.sock is found by /var/run/docker.sock (a link to it) through its file's inode and
    /// device (netlink gives them). A path that does not exist adds nothing.
    /// </summary>
    public IReadOnlyCollection<string>? LiteralPaths { get; init; }

    /// <summary>The (inode, device) of <see cref="LiteralPaths"/>, filled by <see cref="UnixSocketQuery.Run"/>.</summary>
    internal HashSet<(long Inode, long Device)>? Files { get; set; }

    /// <summary>Socket types to keep.</summary>
    public IReadOnlyCollection<UnixSocketType>? Type { get; init; }

    /// <summary>States to keep.</summary>
    public IReadOnlyCollection<SystemSocketState>? State { get; init; }

    /// <summary>Keep listening stream/seqpacket sockets and named unconnected datagram sockets only.</summary>
    public bool Listening { get; init; }

    /// <summary>Process ids to keep (any process holding the socket).</summary>
    public IReadOnlyCollection<int>? ProcessId { get; init; }

    /// <summary>Process names to keep.</summary>
    public Func<string, bool>? ProcessName { get; init; }

    /// <summary>
    /// True when the caller also asked for something only IP sockets have (ports, addresses, a
    /// family): then no Unix socket matches.
    /// </summary>
    public bool ExcludesAll { get; init; }

    /// <summary>True when this filter needs the owning processes to decide.</summary>
    public bool NeedsProcesses => ProcessId is not null || ProcessName is not null;

    /// <summary>True when <paramref name="socket"/> matches everything but the process filters.</summary>
    public bool MatchesSocket(UnixSystemSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return !ExcludesAll
            && (Path is null || (socket.Path is not null && Path(socket.Path)) || MatchesFile(socket))
            && (Type is null || Type.Contains(socket.Type))
            && (State is null || State.Contains(socket.State))
            && (!Listening || socket.IsListening);
    }

    private bool MatchesFile(UnixSystemSocket socket) =>
        Files is { Count: > 0 } files && socket.FileInode is long inode && socket.FileDevice is long device && files.Contains((inode, device));

    /// <summary>True when the process filters match (call after the processes were resolved).</summary>
    public bool MatchesProcess(UnixSystemSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return (ProcessId is null || socket.ProcessIds.Any(ProcessId.Contains))
            && (ProcessName is null || (socket.ProcessName is not null && ProcessName(socket.ProcessName)));
    }
}
