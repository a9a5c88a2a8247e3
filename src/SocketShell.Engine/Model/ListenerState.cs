namespace SocketShell;

/// <summary>The state of a listener.</summary>
public enum ListenerState
{
    /// <summary>Accepting connections (TCP) or datagrams (UDP).</summary>
    Listening = 0,

    /// <summary>Stopped by the user or by module removal; the counters are final.</summary>
    Stopped = 1,

    /// <summary>Stopped by an unexpected failure; see <see cref="SocketListener.Error"/>.</summary>
    Faulted = 2,
}
