namespace SocketShell;

/// <summary>The transport a socket, listener or message uses.</summary>
public enum TransportProtocol
{
    /// <summary>TCP (a stream).</summary>
    Tcp = 0,

    /// <summary>UDP (datagrams).</summary>
    Udp = 1,
}
