namespace SocketShell;

/// <summary>What a probe of Test-Port found: TCP connect, UDP datagram, or Unix socket (Test-Port -Path).</summary>
public enum PortState
{
    /// <summary>The TCP handshake completed: something accepts connections on the port.</summary>
    Open = 0,

    /// <summary>The host answered the connection attempt with a refusal (TCP RST): nothing listens there.</summary>
    Closed = 1,

    /// <summary>No answer within the timeout (a firewall that drops, a host that is down, a full accept queue).</summary>
    TimedOut = 2,

    /// <summary>The network said the address cannot be reached (no route, host or network unreachable, family not supported).</summary>
    Unreachable = 3,

    /// <summary>The name did not resolve to any address of the requested family; nothing was sent.</summary>
    HostNotFound = 4,

    /// <summary>
    /// UDP only: no reply and no ICMP port unreachable, even after retries. Something may be listening
    /// and ignoring the datagram, or a firewall drops it; a UDP probe cannot tell which (nmap's "open|filtered").
    /// </summary>
    OpenOrFiltered = 5,

    /// <summary>Unix socket (Test-Port -Path): nothing is at the path, or what is there is not a socket.</summary>
    NotFound = 6,

    /// <summary>Unix socket (Test-Port -Path): the operating system denied this user access to the socket.</summary>
    AccessDenied = 7,
}
