namespace SocketShell;

/// <summary>
/// The state of a socket in the operating system's table. TCP sockets carry the usual TCP state
/// names; UDP has no connection state, so a UDP socket is <see cref="Bound"/> (it has a local address
/// only and receives from anyone) or <see cref="Connected"/> (connect() fixed its remote end).
/// Unix sockets: Listen, Established (a connected stream or seqpacket socket), Connected (a connected
/// datagram socket), SynSent (connecting), Bound (named, neither listening nor connected) or
/// <see cref="Unconnected"/>.
/// </summary>
public enum SystemSocketState
{
    /// <summary>The operating system gave a state SocketShell does not know.</summary>
    Unknown = 0,
    /// <summary>TCP: the connection is open (ESTABLISHED).</summary>
    Established,
    /// <summary>TCP: a connection request was sent, no answer yet (SYN-SENT).</summary>
    SynSent,
    /// <summary>TCP: a connection request was received and answered (SYN-RECEIVED).</summary>
    SynReceived,
    /// <summary>TCP: closed locally, waiting for the peer to acknowledge (FIN-WAIT-1).</summary>
    FinWait1,
    /// <summary>TCP: closed locally and acknowledged, waiting for the peer to close (FIN-WAIT-2).</summary>
    FinWait2,
    /// <summary>TCP: closed both ways; the address pair is held for a while (TIME-WAIT).</summary>
    TimeWait,
    /// <summary>TCP: closed, not yet released (CLOSED; Windows' DELETE-TCB is reported as this too).</summary>
    Close,
    /// <summary>TCP: the peer closed; the local side has not closed yet (CLOSE-WAIT).</summary>
    CloseWait,
    /// <summary>TCP: the peer closed first, then the local side; waiting for the last acknowledgement (LAST-ACK).</summary>
    LastAck,
    /// <summary>TCP: waiting for connections (LISTEN).</summary>
    Listen,
    /// <summary>TCP: both sides closed at the same time (CLOSING).</summary>
    Closing,
    /// <summary>TCP (Linux): a connection request held in a listener's queue before it becomes a socket (NEW-SYN-RECV).</summary>
    NewSynReceived,
    /// <summary>UDP: bound to a local address and port, not connected (what ss calls UNCONN).</summary>
    Bound,
    /// <summary>UDP: connected to one remote address and port (what ss calls ESTAB).</summary>
    Connected,
    /// <summary>Unix: a socket with no name that neither listens nor is connected (what ss calls UNCONN).</summary>
    Unconnected,
}
