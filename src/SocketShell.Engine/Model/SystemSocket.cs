using System.Net;

namespace SocketShell;

/// <summary>
/// One TCP or UDP socket from the operating system's socket table (any process, not only this
/// session), with the process that holds it when the operating system says so.
/// </summary>
public sealed class SystemSocket
{
    private ProcessIdList _processIds = ProcessIdList.None;

    /// <summary>Tcp or Udp.</summary>
    public TransportProtocol Protocol { get; set; }

    /// <summary>IPv4 or IPv6 (the socket's family; a dual-stack IPv6 socket is IPv6).</summary>
    public IPFamily AddressFamily { get; set; }

    /// <summary>The local address (0.0.0.0 or :: when bound to every address).</summary>
    public IPAddress LocalAddress { get; set; } = IPAddress.Any;

    /// <summary>The local port.</summary>
    public int LocalPort { get; set; }

    /// <summary>The remote address (0.0.0.0 or :: when there is no remote end).</summary>
    public IPAddress RemoteAddress { get; set; } = IPAddress.Any;

    /// <summary>The remote port (0 when there is no remote end).</summary>
    public int RemotePort { get; set; }

    /// <summary>The TCP state, or Bound/Connected for UDP.</summary>
    public SystemSocketState State { get; set; }

    /// <summary>
    /// The id of the process that holds the socket (the lowest id when several do); null when the
    /// operating system does not say (another user's process without privilege, a socket no process
    /// holds such as TIME-WAIT or a connection not yet accepted).
    /// </summary>
    public int? ProcessId { get; set; }

    /// <summary>The name of the process <see cref="ProcessId"/>; null when not known.</summary>
    public string? ProcessName { get; set; }

    /// <summary>Every process id known to hold the socket (empty when none is known).</summary>
    public IReadOnlyList<int> ProcessIds
    {
        get => _processIds;
        set => _processIds = value as ProcessIdList ?? new ProcessIdList(value ?? []);
    }

    /// <summary>
    /// Bytes waiting to be read (Linux: for a listener, connections waiting to be accepted); null
    /// where the operating system does not give it.
    /// </summary>
    public long? ReceiveQueue { get; set; }

    /// <summary>
    /// Bytes not yet sent or acknowledged (Linux: for a listener, its backlog limit); null where the
    /// operating system does not give it.
    /// </summary>
    public long? SendQueue { get; set; }

    /// <summary>The user id owning the socket (Linux, macOS); null where not given.</summary>
    public int? UserId { get; set; }

    /// <summary>The socket's inode number (Linux; 0 for sockets no file refers to, such as TIME-WAIT); null elsewhere.</summary>
    public long? Inode { get; set; }

    /// <summary>The local end as an endpoint.</summary>
    public IPEndPoint LocalEndPoint => new(LocalAddress, LocalPort);

    /// <summary>The remote end as an endpoint.</summary>
    public IPEndPoint RemoteEndPoint => new(RemoteAddress, RemotePort);

    /// <summary>True for a TCP listener or a bound, unconnected UDP socket.</summary>
    public bool IsListening => State is SystemSocketState.Listen or SystemSocketState.Bound;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Protocol} {EndPointText.Format(LocalAddress, LocalPort)} {EndPointText.Format(RemoteAddress, RemotePort)} {State}";
}
