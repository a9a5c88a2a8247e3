using System.Net;

namespace SocketShell;

/// <summary>What became of one datagram sent by Send-Datagram.</summary>
public enum DatagramStatus
{
    /// <summary>Sent; no reply was asked for.</summary>
    Sent = 0,

    /// <summary>A reply came back within the timeout.</summary>
    Replied = 1,

    /// <summary>A reply was asked for and none came within the timeout (UDP cannot tell whether anyone got it).</summary>
    NoReply = 2,

    /// <summary>The operating system reported an ICMP port unreachable: nothing listens on the target port.</summary>
    PortUnreachable = 3,
}

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
