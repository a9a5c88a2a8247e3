namespace SocketShell;

/// <summary>
/// One Unix domain socket from the operating system's table (any process), with the process that
/// holds it when the operating system says so: what <c>ss -xp</c> shows, as an object.
/// </summary>
public sealed class UnixSystemSocket
{
    /// <summary>Always Unix (so Unix and IP sockets can be told apart in one pipeline).</summary>
    public TransportProtocol Protocol => TransportProtocol.Unix;

    /// <summary>Stream, Datagram or SeqPacket.</summary>
    public UnixSocketType Type { get; set; }

    /// <summary>Listen, Established, Connected, SynSent, Bound or Unconnected.</summary>
    public SystemSocketState State { get; set; }

    /// <summary>
    /// The socket's name: a file system path, an abstract name written with a leading '@' (as ss
    /// does), or null for an unnamed socket (most client ends). A socket accepted by a listener has
    /// the listener's path.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>True when <see cref="Path"/> is an abstract name (Linux), not a file.</summary>
    public bool IsAbstract => Path is { Length: > 0 } p && p[0] == '@';

    /// <summary>The socket's inode number (what /proc/&lt;pid&gt;/fd links name as socket:[inode]).</summary>
    public long Inode { get; set; }

    /// <summary>The inode of the socket at the other end; null when not connected or not known (/proc/net/unix does not give it).</summary>
    public long? PeerInode { get; set; }

    /// <summary>The name of the socket at the other end (for a client, the path of the listener it reached); null when unnamed or not known.</summary>
    public string? PeerPath { get; set; }

    /// <summary>Bytes waiting to be read (for a listener: connections waiting to be accepted); null where not given.</summary>
    public long? ReceiveQueue { get; set; }

    /// <summary>Bytes not yet read by the peer (for a listener: its backlog limit); null where not given.</summary>
    public long? SendQueue { get; set; }

    /// <summary>The user id owning the socket (netlink on Linux 5.3 and later); null where not given.</summary>
    public int? UserId { get; set; }

    /// <summary>The inode of the socket file on its file system (named sockets, netlink only); null otherwise.</summary>
    public long? FileInode { get; set; }

    /// <summary>The device of the socket file's file system (named sockets, netlink only); null otherwise.</summary>
    public long? FileDevice { get; set; }

    /// <summary>The id of the process that holds the socket (the lowest when several do); null when not known.</summary>
    public int? ProcessId { get; set; }

    /// <summary>The name of the process <see cref="ProcessId"/>; null when not known.</summary>
    public string? ProcessName { get; set; }

    private ProcessIdList _processIds = ProcessIdList.None;

    /// <summary>Every process id known to hold the socket (empty when none is known); "1,2" as text (Export-Csv).</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get => _processIds;
        set => _processIds = value as ProcessIdList ?? new ProcessIdList(value ?? []);
    }

    /// <summary>True for a listening stream or seqpacket socket, or a named datagram socket that is not connected (it receives from anyone).</summary>
    public bool IsListening => State == SystemSocketState.Listen || (State == SystemSocketState.Bound && Type == UnixSocketType.Datagram);

    /// <inheritdoc/>
    public override string ToString() => $"Unix {Type} {Path ?? "(unnamed)"} {State} {Inode}";
}
