namespace SocketShell;

/// <summary>
/// What went wrong, in the words users see: the module turns each kind into a stable ErrorId
/// (the kind's name) and an ErrorCategory. The engine never references PowerShell, so the mapping
/// from kind to category lives in the module.
/// </summary>
public enum SocketErrorKind
{
    /// <summary>Anything not classified below.</summary>
    Unknown = 0,
    /// <summary>The peer actively refused the connection (TCP RST to a SYN).</summary>
    ConnectionRefused,
    /// <summary>No answer within the timeout.</summary>
    ConnectTimeout,
    /// <summary>The name did not resolve to any address (of the requested family).</summary>
    HostNotFound,
    /// <summary>The network or host is unreachable.</summary>
    NetworkUnreachable,
    /// <summary>The local address and port are already in use.</summary>
    PortInUse,
    /// <summary>The operating system denied the operation (e.g. binding a privileged port).</summary>
    AccessDenied,
    /// <summary>The address is not valid on this machine (cannot be bound).</summary>
    AddressNotAvailable,
    /// <summary>The connection was reset by the peer.</summary>
    ConnectionReset,
    /// <summary>The connection is closed; nothing more can be sent or received.</summary>
    ConnectionClosed,
    /// <summary>The TLS handshake failed (certificate validation, protocol mismatch).</summary>
    TlsHandshakeFailed,
    /// <summary>An operation did not complete within its timeout.</summary>
    OperationTimeout,
    /// <summary>A datagram payload is larger than UDP allows over the address family (65,507 bytes over IPv4, 65,527 over IPv6).</summary>
    DatagramTooLarge,
    /// <summary>The target is a broadcast address and sending to it was not explicitly allowed (-Broadcast).</summary>
    BroadcastNotAllowed,
    /// <summary>The address given as a multicast group is not a multicast address (or not of a usable family).</summary>
    InvalidMulticastGroup,
    /// <summary>The host is empty, carries a port, is a bare number or another resolver shorthand, or is not a valid name or address; nothing was resolved or sent.</summary>
    InvalidComputerName,
    /// <summary>A destination port outside 1-65535 (port 0 cannot be connected or sent to).</summary>
    InvalidPort,
    /// <summary>Listener options that contradict each other or cannot work (e.g. Reply mode without a response, a certificate without its private key).</summary>
    InvalidListenerOptions,
    /// <summary>An option that only TCP listeners have (banner, close after reply, certificate, idle timeout) given to a UDP listener.</summary>
    TcpOnlyParameter,
    /// <summary>Another receive on the same connection is still running.</summary>
    ReceiveInProgress,
    /// <summary>A line or delimited frame grew past the receive buffer without its delimiter (the data stays buffered).</summary>
    FrameTooLong,
    /// <summary>A Unix socket path does not exist (nothing to connect or send to).</summary>
    PathNotFound,
    /// <summary>A Unix socket path exists but is not a socket (a regular file, a directory, a FIFO, ...).</summary>
    NotASocket,
    /// <summary>A listener cannot be created at a Unix socket path: a live socket or another file is already there.</summary>
    PathInUse,
    /// <summary>A Unix socket path is not usable: empty, too long for sun_path, or an abstract name where the OS has none.</summary>
    InvalidSocketPath,
    /// <summary>A listener name already used by a running listener of the session.</summary>
    ListenerNameInUse,
    /// <summary>No running listener of the session has that id or name.</summary>
    ListenerNotFound,
    /// <summary>No connection of the session has that id.</summary>
    SocketNotFound,
    /// <summary>A listener did not finish stopping in time (its listening socket is closed; a connection loop has not ended yet).</summary>
    StopTimeout,
    /// <summary>Fewer free ports than asked for in the range searched.</summary>
    NotEnoughFreePorts,
    /// <summary>A port range of the system (ephemeral, reserved or excluded) could not be read, or makes no sense.</summary>
    PortRangeUnavailable,
    /// <summary>The socket table could not be read (permissions, a missing system library, an I/O failure).</summary>
    SocketTableUnavailable,
    /// <summary>This operating system has no socket table source (or none for Unix sockets).</summary>
    SocketTableNotSupported,
    /// <summary>Data to send (a payload, banner or response) holds something that is not a byte value, a string or bytes.</summary>
    InvalidPayload,
}
