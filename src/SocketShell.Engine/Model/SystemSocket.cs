using System.Net;

namespace SocketShell;

/// <summary>
/// One TCP or UDP socket from the operating system's socket table (any process, not only this
/// session), with the process that holds it when the operating system says so.
/// </summary>
public sealed class SystemSocket
{
    private ProcessIdList _processIds = ProcessIdList.None;
    private IPAddress _local = IPAddress.Any;
    private IPAddress _remote = IPAddress.Any;
    private string? _localText;
    private string? _remoteText;

    /// <summary>Tcp or Udp.</summary>
    public TransportProtocol Protocol { get; set; }

    /// <summary>IPv4 or IPv6 (the socket's family; a dual-stack IPv6 socket is IPv6).</summary>
    public IPFamily AddressFamily { get; set; }

    /// <summary>
    /// The local address as text (<c>127.0.0.1</c>, <c>::1</c>; 0.0.0.0 or :: when bound to every address).
    /// <see cref="GetLocalAddress"/> gives the IPAddress.
    /// </summary>
    public string LocalAddress
    {
        get => _localText ??= _local.ToString();
        set => (_local, _localText) = (EndPointText.ParseAddress(value) ?? IPAddress.Any, value);
    }

    /// <summary>The local port.</summary>
    public int LocalPort { get; set; }

    /// <summary>
    /// The remote address as text (0.0.0.0 or :: when there is no remote end).
    /// <see cref="GetRemoteAddress"/> gives the IPAddress.
    /// </summary>
    public string RemoteAddress
    {
        get => _remoteText ??= _remote.ToString();
        set => (_remote, _remoteText) = (EndPointText.ParseAddress(value) ?? IPAddress.Any, value);
    }

    /// <summary>The engine's rich value behind <see cref="LocalAddress"/>.</summary>
    internal IPAddress LocalIP
    {
        get => _local;
        set => (_local, _localText) = (value ?? IPAddress.Any, null);
    }

    /// <summary>The engine's rich value behind <see cref="RemoteAddress"/>.</summary>
    internal IPAddress RemoteIP
    {
        get => _remote;
        set => (_remote, _remoteText) = (value ?? IPAddress.Any, null);
    }

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

    /// <summary>The local end as text (<c>127.0.0.1:22</c>, <c>[::]:22</c>). <see cref="GetLocalEndPoint"/> gives the IPEndPoint.</summary>
    public string LocalEndPoint => EndPointText.Format(_local, LocalPort);

    /// <summary>The remote end as text (<c>0.0.0.0:0</c> when there is none). <see cref="GetRemoteEndPoint"/> gives the IPEndPoint.</summary>
    public string RemoteEndPoint => EndPointText.Format(_remote, RemotePort);

    /// <summary>True for a TCP listener or a bound, unconnected UDP socket.</summary>
    public bool IsListening => State is SystemSocketState.Listen or SystemSocketState.Bound;

    /// <summary>The local address as an IPAddress.</summary>
    public IPAddress GetLocalAddress() => _local;

    /// <summary>The remote address as an IPAddress (the wildcard when there is no remote end).</summary>
    public IPAddress GetRemoteAddress() => _remote;

    /// <summary>The local end as an IPEndPoint.</summary>
    public IPEndPoint GetLocalEndPoint() => new(_local, LocalPort);

    /// <summary>The remote end as an IPEndPoint.</summary>
    public IPEndPoint GetRemoteEndPoint() => new(_remote, RemotePort);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Protocol} {LocalEndPoint} {RemoteEndPoint} {State}";
}
