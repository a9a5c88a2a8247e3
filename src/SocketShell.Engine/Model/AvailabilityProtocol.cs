namespace SocketShell;

/// <summary>Which protocols a port must be free for.</summary>
public enum AvailabilityProtocol
{
    /// <summary>Free for a TCP listener.</summary>
    Tcp = 0,
    /// <summary>Free for a UDP socket.</summary>
    Udp = 1,
    /// <summary>Free for both at once.</summary>
    Both = 2,
}
