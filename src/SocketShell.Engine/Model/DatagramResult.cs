using System.Net;

namespace SocketShell;

/// <summary>One datagram sent: where it went, from where, how many bytes, and the reply if one was awaited.</summary>
public sealed class DatagramResult
{
    /// <summary>The target as given (name or literal).</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The Unix datagram socket path sent to (Send-Datagram -Path); null for UDP.</summary>
    public string? Path { get; set; }

    /// <summary>The address and port the datagram was sent to.</summary>
    public IPEndPoint? RemoteEndPoint { get; set; }

    /// <summary>The local address and port it was sent from (the address is the wildcard when the socket is not connected).</summary>
    public IPEndPoint? LocalEndPoint { get; set; }

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

    /// <inheritdoc/>
    public override string ToString() => $"{ComputerName} {(object?)Path ?? RemoteEndPoint} {Status}";
}
