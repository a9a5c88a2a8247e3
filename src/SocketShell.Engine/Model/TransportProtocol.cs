namespace SocketShell;

/// <summary>The transport a socket, listener or message uses.</summary>
public enum TransportProtocol
{
    /// <summary>TCP (a stream).</summary>
    Tcp = 0,

    /// <summary>UDP (datagrams).</summary>
    Udp = 1,

    /// <summary>A Unix domain socket (AF_UNIX: a stream, datagrams or sequenced packets on this machine, named by a path).</summary>
    Unix = 2,
}
