namespace SocketShell.SystemSockets;

/// <summary>Which part of the socket table to read (a source may skip what is not asked for).</summary>
public sealed record SystemSocketScope(bool Tcp, bool Udp, bool IPv4, bool IPv6)
{
    /// <summary>TCP and UDP, IPv4 and IPv6.</summary>
    public static SystemSocketScope All { get; } = new(true, true, true, true);

    /// <summary>True when sockets of this protocol and family are asked for.</summary>
    public bool Includes(TransportProtocol protocol, IPFamily family) =>
        (protocol == TransportProtocol.Tcp ? Tcp : Udp) && (family == IPFamily.IPv6 ? IPv6 : IPv4);
}
