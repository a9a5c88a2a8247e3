namespace SocketShell;

/// <summary>The type of a Unix domain socket (its SOCK_* value).</summary>
public enum UnixSocketType
{
    /// <summary>A type SocketShell does not know.</summary>
    Unknown = 0,

    /// <summary>SOCK_STREAM: a connected byte stream (ss: u_str).</summary>
    Stream = 1,

    /// <summary>SOCK_DGRAM: datagrams (ss: u_dgr), e.g. /dev/log.</summary>
    Datagram = 2,

    /// <summary>SOCK_SEQPACKET: connected, message boundaries kept (ss: u_seq).</summary>
    SeqPacket = 5,
}
