namespace SocketShell;

/// <summary>Who sent the data of a <see cref="SocketMessage"/>, seen from the listener.</summary>
public enum MessageDirection
{
    /// <summary>From the client to the listener (every mode; in Forward mode, on its way to the upstream server).</summary>
    ClientToServer = 0,

    /// <summary>From the upstream server back to the client (Forward mode only).</summary>
    ServerToClient = 1,
}
