using System.Collections.Concurrent;
using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>
/// The client connections this session has made and not yet disconnected (what Get-Socket lists).
/// A connection the peer closed stays listed, with State Closed or Faulted, until it is disconnected.
/// Remove-Module closes them all through <see cref="SessionCleanup"/>.
/// </summary>
public static class SocketSessions
{
    private const string CleanupName = "SocketConnections";
    private static readonly ConcurrentDictionary<int, SocketConnection> s_connections = new();
    private static int s_lastId;

    /// <summary>Every listed connection, oldest first.</summary>
    public static IReadOnlyList<SocketConnection> GetAll() => s_connections.Values.OrderBy(c => c.Id).ToArray();

    /// <summary>The listed connection with <paramref name="id"/>, or null.</summary>
    public static SocketConnection? Get(int id) => s_connections.TryGetValue(id, out SocketConnection? c) ? c : null;

    /// <summary>Closes every listed connection at once (no drain) and empties the list.</summary>
    public static void CloseAll()
    {
        foreach (SocketConnection connection in s_connections.Values)
        {
            connection.Dispose();
        }
    }

    internal static int NextId() => Interlocked.Increment(ref s_lastId);

    internal static void Add(SocketConnection connection)
    {
        SessionCleanup.Register(CleanupName, CloseAll);
        s_connections[connection.Id] = connection;
    }

    internal static void Remove(SocketConnection connection)
        => s_connections.TryRemove(new KeyValuePair<int, SocketConnection>(connection.Id, connection));
}
