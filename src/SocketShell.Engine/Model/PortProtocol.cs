namespace SocketShell;

/// <summary>Which transport a port range or port fact applies to.</summary>
public enum PortProtocol
{
    /// <summary>Both TCP and UDP.</summary>
    Any = 0,
    /// <summary>TCP only.</summary>
    Tcp = 1,
    /// <summary>UDP only.</summary>
    Udp = 2,
}
