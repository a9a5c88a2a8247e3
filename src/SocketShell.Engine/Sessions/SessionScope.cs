using SocketShell.Client;
using SocketShell.Listeners;

namespace SocketShell.Sessions;

/// <summary>
/// Everything one session owns: its listeners and its client connections. The module keeps one scope
/// per PowerShell runspace and closes it when the module is removed from that runspace or the runspace
/// closes; engine tests make their own.
/// </summary>
public sealed class SessionScope
{
    /// <summary>The listeners started in this session.</summary>
    public ListenerRegistry Listeners { get; } = new();

    /// <summary>The client connections made in this session.</summary>
    public SocketSessions Connections { get; } = new();

    /// <summary>
    /// Closes every connection and stops every listener of this scope (and nothing else); waits up to
    /// <paramref name="timeout"/> for the listeners' sockets to close.
    /// </summary>
    /// <returns>False when a listener did not finish stopping in time.</returns>
    public bool CloseAll(TimeSpan timeout)
    {
        Connections.CloseAll();
        return Listeners.StopAll(timeout);
    }
}
