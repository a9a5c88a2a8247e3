namespace SocketShell;

/// <summary>The state of a client connection.</summary>
public enum SocketConnectionState
{
    /// <summary>Connected: data can be sent and received.</summary>
    Open = 0,

    /// <summary>Closed normally: by Disconnect-Socket, or the peer ended its stream. Data already received can still be read.</summary>
    Closed = 1,

    /// <summary>Closed by a failure, such as a reset by the peer; <see cref="SocketConnection.Error"/> says which.</summary>
    Faulted = 2,
}
