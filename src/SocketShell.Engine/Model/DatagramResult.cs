using System.Net;

namespace SocketShell;

/// <summary>One datagram sent: where it went, from where, how many bytes, and the reply if one was awaited.</summary>
public sealed class DatagramResult
{
    /// <summary>The target as given (name or literal).</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The Unix datagram socket path sent to (Send-Datagram -Path); null for UDP.</summary>
    public string? Path { get; set; }

    private IPEndPoint? _remote;
    private IPEndPoint? _local;
    private string? _remoteText;
    private string? _localText;

    /// <summary>The address and port the datagram was sent to, as text (<c>127.0.0.1:53</c>, <c>[::1]:53</c>); null for a Unix socket. <see cref="GetRemoteEndPoint"/> gives the IPEndPoint.</summary>
    public string? RemoteEndPoint
    {
        get => _remoteText ??= EndPointText.Format(_remote);
        set => (_remote, _remoteText) = (EndPointText.ParseEndPoint(value), value);
    }

    /// <summary>The local address and port it was sent from, as text (the address is the wildcard when the socket is not connected). <see cref="GetLocalEndPoint"/> gives the IPEndPoint.</summary>
    public string? LocalEndPoint
    {
        get => _localText ??= EndPointText.Format(_local);
        set => (_local, _localText) = (EndPointText.ParseEndPoint(value), value);
    }

    /// <summary>The engine's rich value behind <see cref="RemoteEndPoint"/>.</summary>
    internal IPEndPoint? Remote
    {
        get => _remote;
        set => (_remote, _remoteText) = (value, null);
    }

    /// <summary>The engine's rich value behind <see cref="LocalEndPoint"/>.</summary>
    internal IPEndPoint? Local
    {
        get => _local;
        set => (_local, _localText) = (value, null);
    }

    /// <summary>The payload size in bytes (0 for an empty datagram).</summary>
    public int BytesSent { get; set; }

    /// <summary>Sent, Replied, NoReply or PortUnreachable.</summary>
    public DatagramStatus Status { get; set; }

    /// <summary>The reply, when one came back; otherwise null.</summary>
    public SocketMessage? Reply { get; set; }

    /// <summary>From just before the send to the reply's arrival, when one came back; otherwise null.</summary>
    public TimeSpan? RoundTripTime { get; set; }

    /// <summary>When the datagram was sent.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>The address and port sent to, as an IPEndPoint (null for a Unix socket).</summary>
    public IPEndPoint? GetRemoteEndPoint() => _remote;

    /// <summary>The address sent to (null for a Unix socket).</summary>
    public IPAddress? GetRemoteAddress() => _remote?.Address;

    /// <summary>The local address and port sent from, as an IPEndPoint (null when not known).</summary>
    public IPEndPoint? GetLocalEndPoint() => _local;

    /// <inheritdoc/>
    public override string ToString() => $"{ComputerName} {(object?)Path ?? RemoteEndPoint} {Status}";
}
