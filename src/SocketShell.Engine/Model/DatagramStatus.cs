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
